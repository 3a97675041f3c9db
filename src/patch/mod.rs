//! Patches (§2.5): RFC 6902 JSON patches and RFC 7386 merge patches, applied in layer order to
//! every object of the environment after generation, one object at a time.
//!
//! A target selects objects by `group` and `version` (exact), `kind`, `name` and `namespace`
//! (anchored regular expressions) and `labelSelector` / `annotationSelector` (Kubernetes
//! selector syntax). A patch that selects nothing is an error unless it is `optional`. A JSON
//! patch is atomic per object; a failing operation names the patch, the object and the pointer.
//! A JSON patch may not grow an object past [`GROWTH_FACTOR`] times the size of the object and
//! the patch together, nor nest it deeper than [`MAX_PATCHED_DEPTH`] levels: `copy` can double
//! an object with a few bytes, and later stages recurse on depth.

use regex::Regex;
use serde_json::Value;

mod error;
mod record;
mod selector;

use crate::diagnostic::{Diagnostic, Diagnostics, Explain, Location, ResourceRef};

use crate::input::{LayerPatch, PatchTarget};
use crate::resource::Resource;
pub use error::PatchError;
pub use record::PatchStep;
pub use selector::Selector;

/// A compiled target.
#[derive(Debug, Clone)]
pub struct Target {
    group: Option<String>,
    version: Option<String>,
    kind: Option<Regex>,
    name: Option<Regex>,
    namespace: Option<Regex>,
    labels: Option<Selector>,
    annotations: Option<Selector>,
}

fn anchored(field: &str, pattern: &Option<String>) -> Result<Option<Regex>, String> {
    pattern
        .as_ref()
        .map(|p| {
            Regex::new(&format!("^(?:{p})$")).map_err(|e| format!("`{field}` is not a valid regular expression: {e}"))
        })
        .transpose()
}

impl Target {
    pub(crate) fn compile(target: &PatchTarget) -> Result<Target, String> {
        let selector = |field: &str, text: &Option<String>| {
            text.as_ref().map(|t| Selector::parse(t).map_err(|e| format!("`{field}`: {e}"))).transpose()
        };
        Ok(Target {
            group: target.group.clone(),
            version: target.version.clone(),
            kind: anchored("kind", &target.kind)?,
            name: anchored("name", &target.name)?,
            namespace: anchored("namespace", &target.namespace)?,
            labels: selector("labelSelector", &target.label_selector)?,
            annotations: selector("annotationSelector", &target.annotation_selector)?,
        })
    }

    pub(crate) fn matches(&self, r: &Resource) -> bool {
        let (group, version) = r.group_version();
        self.group.as_deref().is_none_or(|g| g == group)
            && self.version.as_deref().is_none_or(|v| v == version)
            && self.kind.as_ref().is_none_or(|k| k.is_match(r.kind()))
            && self.name.as_ref().is_none_or(|n| n.is_match(r.name()))
            && self.namespace.as_ref().is_none_or(|n| n.is_match(r.namespace().unwrap_or_default()))
            && self.labels.as_ref().is_none_or(|s| s.matches(r.labels()))
            && self.annotations.as_ref().is_none_or(|s| s.matches(r.annotations()))
    }
}

/// How much a JSON patch may grow an object: to at most this many times the size of the object
/// and of the patch's operations together (sizes as the loader counts them for aliases).
pub(crate) const GROWTH_FACTOR: usize = crate::load::ALIAS_FACTOR;
/// How deep a JSON patch may nest an object (twice what the loader reads).
pub const MAX_PATCHED_DEPTH: usize = 2 * crate::load::MAX_DEPTH;

/// Why a JSON patch left an object as it was.
enum JsonFailure {
    /// An operation failed: its index, pointer and what went wrong.
    Operation(usize, String, String),
    /// An operation would grow the object past its bounds: its index and what it would do.
    Growth(usize, String),
}

/// The size of a value as the limits count it: the bytes of its strings and keys plus
/// [`crate::load::VALUE_BYTES`] per value.
fn size(value: &Value) -> usize {
    crate::load::VALUE_BYTES
        + match value {
            Value::String(s) => s.len(),
            Value::Array(items) => items.iter().map(size).sum(),
            Value::Object(map) => map.iter().map(|(k, v)| k.len() + size(v)).sum(),
            _ => 0,
        }
}

/// How many levels of mappings and sequences a value nests (0 for a scalar).
fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Applies `operations` to `value` one by one, within the bounds; atomic: on failure `value` is
/// left as it was. With `record`, each operation's pointer and the values there before and after
/// (`(op, pointer, before, after)`), pushed only once every operation has applied.
fn apply_json(
    value: &mut Value,
    operations: &[json_patch::PatchOperation],
    mut record: Option<&mut Vec<Recorded>>,
) -> Result<(), JsonFailure> {
    use json_patch::PatchOperation as Op;
    let original = value.clone();
    let patch_size: usize = operations
        .iter()
        .map(|op| match op {
            Op::Add(json_patch::AddOperation { value, .. })
            | Op::Replace(json_patch::ReplaceOperation { value, .. })
            | Op::Test(json_patch::TestOperation { value, .. }) => size(value),
            _ => 0,
        } + crate::load::VALUE_BYTES)
        .sum();
    let limit = GROWTH_FACTOR.saturating_mul(size(value).saturating_add(patch_size));
    let mut grown = size(value);
    let mut deepest = depth(value);
    for (index, op) in operations.iter().enumerate() {
        let levels = |pointer: &str| pointer.matches('/').count();
        // What the operation adds, and how deep it puts it (a value that is not there makes the
        // operation fail below).
        let (added, nested) = match op {
            Op::Add(json_patch::AddOperation { path, value })
            | Op::Replace(json_patch::ReplaceOperation { path, value }) => {
                (size(value), levels(path.as_str()) + depth(value))
            }
            Op::Copy(json_patch::CopyOperation { from, path }) => {
                value.pointer(from.as_str()).map_or((0, 0), |found| (size(found), levels(path.as_str()) + depth(found)))
            }
            Op::Move(json_patch::MoveOperation { from, path }) => {
                value.pointer(from.as_str()).map_or((0, 0), |found| (0, levels(path.as_str()) + depth(found)))
            }
            Op::Remove(_) | Op::Test(_) => (0, 0),
        };
        grown = grown.saturating_add(added);
        deepest = deepest.max(nested);
        let over = if grown > limit {
            Some(format!("would grow the object past {GROWTH_FACTOR} times the size of the object and the patch"))
        } else if deepest > MAX_PATCHED_DEPTH {
            Some(format!("would nest the object deeper than {MAX_PATCHED_DEPTH} levels"))
        } else {
            None
        };
        if let Some(what) = over {
            *value = original;
            return Err(JsonFailure::Growth(index, what));
        }
        let (name, path, from) = record::describe(op);
        let before = record.is_some().then(|| (value.pointer(path).cloned(), from.map(|f| value.pointer(f).cloned())));
        if let Err(e) = json_patch::patch(value, std::slice::from_ref(op)) {
            *value = original;
            return Err(JsonFailure::Operation(index, e.path.to_string(), e.kind.to_string()));
        }
        if let (Some(record), Some((before, from_before))) = (record.as_deref_mut(), before) {
            if let (Some(from), Some(from_before)) = (from, from_before) {
                if name == "move" {
                    record.push((name, from.to_string(), from_before, value.pointer(from).cloned()));
                }
            }
            record.push((name, path.to_string(), before, value.pointer(path).cloned()));
        }
    }
    Ok(())
}

/// One operation's record: its name, pointer, and the values there before and after.
type Recorded = (&'static str, String, Option<Value>, Option<Value>);

/// One patch, ready to apply.
#[derive(Debug)]
struct Compiled<'a> {
    patch: &'a LayerPatch,
    target: Target,
}

/// The environment's patches, compiled once and applied object by object. Applying every patch
/// in order to one object, then the next object, gives what applying each patch to every object
/// in turn would: a patch sees and changes one object at a time.
#[derive(Debug)]
pub struct Patches<'a> {
    compiled: Vec<Compiled<'a>>,
}

/// What the patches did to one object.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// The names of the patches applied, in order.
    pub names: Vec<String>,
    /// The object's identity before the first patch that selected it.
    pub before: Option<ResourceRef>,
    /// The first patch (name, place) after which the object lacks `apiVersion`, `kind` or
    /// `metadata.name`, when it had all three before.
    pub emptied: Option<(String, Location)>,
    /// The last patch (name, place) that changed the object's `apiVersion`: the place of its
    /// operation (or merge key) that wrote it when known, else the patch's.
    pub api_version_by: Option<(String, Location)>,
    /// The same for the object's `kind`.
    pub kind_by: Option<(String, Location)>,
}

/// Whether `value` has a non-empty `apiVersion`, `kind` and `metadata.name`.
pub(crate) fn is_whole(value: &Value) -> bool {
    let text = |pointer: &str| value.pointer(pointer).and_then(Value::as_str).is_some_and(|s| !s.is_empty());
    text("/apiVersion") && text("/kind") && text("/metadata/name")
}

/// How many objects each patch matched, counted while objects are finished.
#[derive(Debug, Clone, Default)]
pub struct Matches(Vec<usize>);

impl Matches {
    pub(crate) fn add(&mut self, other: &Matches) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        for (mine, theirs) in self.0.iter_mut().zip(&other.0) {
            *mine += theirs;
        }
    }
}

impl<'a> Patches<'a> {
    /// Compiles every patch; one whose target or operations are invalid is reported and left out.
    pub(crate) fn compile(patches: &'a [LayerPatch]) -> (Patches<'a>, Diagnostics) {
        let compile_one = |patch: &'a LayerPatch| -> Result<Compiled<'a>, Diagnostic> {
            let target = Target::compile(&patch.spec.target.clone().unwrap_or_default()).map_err(|message| {
                PatchError::Target { patch: patch.name.clone(), message }.at(patch.location.clone())
            })?;
            Ok(Compiled { patch, target })
        };
        let mut diagnostics = Diagnostics::new();
        let mut compiled = Vec::with_capacity(patches.len());
        for patch in patches {
            match compile_one(patch) {
                Ok(c) => compiled.push(c),
                Err(d) => diagnostics.push(d),
            }
        }
        (Patches { compiled }, diagnostics)
    }

    /// Where the patch of this name (`Applied::names`) is written.
    pub(crate) fn location(&self, name: &str) -> Option<crate::diagnostic::Location> {
        self.compiled.iter().find(|c| c.patch.name == name).map(|c| c.patch.location.clone())
    }

    pub(crate) fn matches(&self) -> Matches {
        Matches(vec![0; self.compiled.len()])
    }

    /// Applies every patch that selects `resource`, in order. A failed JSON patch is reported and
    /// leaves the object as it was. With `record`, every change each patch made is pushed there.
    pub(crate) fn apply(
        &self,
        resource: &mut Resource,
        matches: &mut Matches,
        diagnostics: &mut Diagnostics,
        mut record: Option<&mut Vec<PatchStep>>,
    ) -> Applied {
        let mut applied = Applied::default();
        for (index, Compiled { patch, target }) in self.compiled.iter().enumerate() {
            if !target.matches(resource) {
                continue;
            }
            if applied.before.is_none() {
                applied.before = Some(resource.reference());
            }
            if let Some(count) = matches.0.get_mut(index) {
                *count += 1;
            }
            let whole = applied.emptied.is_none() && is_whole(&resource.value);
            let api_version = resource.api_version().to_string();
            let kind = resource.kind().to_string();
            let mut recorded = Vec::new();
            if let Some(operations) = &patch.operations {
                // Atomic: on error the object is left as it was.
                let recorder = record.is_some().then_some(&mut recorded);
                if let Err(failure) = apply_json(&mut resource.value, operations, recorder) {
                    let (name, object) = (patch.name.clone(), resource.display());
                    let error = match failure {
                        JsonFailure::Operation(index, path, message) => {
                            PatchError::Operation { patch: name, object, index, path, message }
                        }
                        JsonFailure::Growth(index, what) => PatchError::Growth { patch: name, object, index, what },
                    };
                    diagnostics.push(error.at(patch.location.clone()).resource(resource.reference()));
                    continue;
                }
            } else if let Some(merge) = &patch.spec.merge {
                let before: Vec<(String, Option<Value>)> = match record {
                    Some(_) => record::merge_pointers(&resource.value, merge)
                        .into_iter()
                        .map(|p| {
                            let was = resource.value.pointer(&p).cloned();
                            (p, was)
                        })
                        .collect(),
                    None => Vec::new(),
                };
                json_patch::merge(&mut resource.value, merge);
                for (pointer, was) in before {
                    let now = resource.value.pointer(&pointer).cloned();
                    recorded.push(("merge", pointer, was, now));
                }
            }
            if let Some(record) = record.as_deref_mut() {
                record.extend(recorded.into_iter().map(|(op, pointer, before, after)| PatchStep {
                    patch: patch.name.clone(),
                    location: patch.location.clone(),
                    op,
                    pointer,
                    before,
                    after,
                }));
            }
            if whole && !is_whole(&resource.value) {
                applied.emptied = Some((patch.name.clone(), patch.location.clone()));
            }
            let writer = |field: &str| {
                let at = patch.writes.iter().rev().find(|(f, _)| *f == field).map(|(_, at)| at);
                (patch.name.clone(), at.unwrap_or(&patch.location).clone())
            };
            if resource.api_version() != api_version {
                applied.api_version_by = Some(writer("/apiVersion"));
            }
            if resource.kind() != kind {
                applied.kind_by = Some(writer("/kind"));
            }
            applied.names.push(patch.name.clone());
        }
        applied
    }

    /// A patch that matched no object is an error unless it is `optional`.
    pub(crate) fn unmatched(&self, matches: &Matches) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        for (index, Compiled { patch, .. }) in self.compiled.iter().enumerate() {
            if matches.0.get(index).copied().unwrap_or_default() == 0 && !patch.spec.optional {
                diagnostics.push(PatchError::Unmatched { patch: patch.name.clone() }.at(patch.location.clone()));
            }
        }
        diagnostics
    }
}

/// Applies every patch in order to a whole set of objects; returns, per object, the names of
/// the patches applied to it.
pub fn apply(resources: &mut [Resource], patches: &[LayerPatch]) -> (Vec<Vec<String>>, Diagnostics) {
    let (compiled, mut diagnostics) = Patches::compile(patches);
    let mut matches = compiled.matches();
    let applied = resources.iter_mut().map(|r| compiled.apply(r, &mut matches, &mut diagnostics, None).names).collect();
    diagnostics.extend(compiled.unmatched(&matches));
    (applied, diagnostics)
}

#[cfg(test)]
mod tests;
