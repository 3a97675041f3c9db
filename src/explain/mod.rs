//! `meshedge explain`: where one object of a build comes from — the layers, settings, tenants,
//! requests (file:line) and plain resources it was made from — and every change each patch made
//! to it, in order, with the JSON pointer and the value before and after.
//!
//! The build runs with [`Options::record_patches`]: only then does the patch stage keep what each
//! operation did. The object is named `KIND/NAMESPACE/NAME`, `KIND/NAME` (a cluster object) or a
//! unique prefix of either; the kind without case, the namespace and name as written ([`find`]).
//!
//! The build also keeps its flows ([`Options::report_flows`]), so an environment whose flows break
//! the requests can still be explained: [`Explanation::flows`] lists every flow of SPEC §5.1 one of
//! whose layers this object takes part in deciding, with its verdict.

mod text;

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use crate::compiler::{self, Build, Options};
use crate::diagnostic::ResourceRef;
use crate::diff::mask::{self, SECRET_VALUE};
use crate::error::{Error, UsageError};
use crate::flows::Violation;
use crate::layers::layout::MANIFEST;
use crate::patch::PatchStep;
use crate::render::Object;
use crate::source::Source;

pub use text::render_text;

/// The explanation as pretty-printed JSON, with a final newline.
pub fn render_json(explanation: &Explanation) -> String {
    // Inert on a terminal, as diff's JSON: a control, bidirectional or invisible character of the
    // input as a `\uXXXX` escape.
    let mut text = crate::diagnostic::inert_json(serde_json::to_string_pretty(explanation).unwrap_or_default());
    text.push('\n');
    text
}

/// How many names an unknown or ambiguous object's help lists.
const SUGGESTED: usize = 5;

/// A document of an input file: its kind, name and where it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    pub kind: String,
    pub name: String,
    pub file: String,
    pub line: Option<usize>,
}

/// A flow the object takes part in deciding: a step of its verdict names the object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecidedFlow {
    pub direction: String,
    pub from: String,
    pub to: String,
    pub verdict: String,
    /// How the flow breaks what the requests ask for (the build's E801 / E802):
    /// `requested but blocked`, `open but not requested` or `routed to <backend>`; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violation: Option<String>,
}

/// Where one object comes from, and what the patches did to it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    pub environment: String,
    pub object: ResourceRef,
    /// The identity the object was generated (or read) with, when a patch changed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_as: Option<ResourceRef>,
    /// The layer directories its input files are in, sorted.
    pub layers: Vec<String>,
    /// The layer manifests (`meshedge.yaml`) whose settings it was made from.
    pub settings: Vec<String>,
    /// The Tenant documents it was made from.
    pub tenants: Vec<Place>,
    /// The EdgeRequest documents it was made from.
    pub requests: Vec<Place>,
    /// The plain resource documents (`resources/`) it was read from: `file:line:column` where
    /// each starts.
    pub resources: Vec<String>,
    /// Every change a patch made, in the order applied (Secret values masked).
    pub patches: Vec<PatchStep>,
    /// The flows the object takes part in deciding, the violating ones among them.
    pub flows: Vec<DecidedFlow>,
}

/// Builds the environment at `env_dir`, recording patches, and explains the object `query` names;
/// the build comes along for its warnings.
pub fn explain(source: &dyn Source, env_dir: &str, query: &str) -> Result<(Explanation, Build), Error> {
    let options = Options { record_patches: true, report_flows: true, ..Default::default() };
    let build = compiler::compile_with(source, env_dir, &options)?;
    let object = find(&build.objects, query).map_err(|error| match error {
        UsageError::UnknownObject { query, near, .. } => {
            UsageError::UnknownObject { query, environment: build.environment.clone(), near }
        }
        other => other,
    });
    let explanation = explain_object(&build, object.map_err(|e| Error::Usage(e.report().into()))?);
    Ok((explanation, build))
}

/// A reference or query split for matching: the kind in lower case, and the rest
/// (`namespace/name`, `name`, or nothing) as written. A name is the path segment of the object in
/// its resource URL (`/api/v1/namespaces/shop/services/web`), compared as written: some kinds
/// accept capital letters in names, so two objects may differ only by case
/// (kubernetes/website, content/en/docs/concepts/overview/working-with-objects/names.md, "Path
/// segment names"; <https://kubernetes.io/docs/concepts/overview/working-with-objects/names/>).
/// The kind is meshedge's shorthand and is matched without case.
fn split(text: &str) -> (String, &str) {
    match text.split_once('/') {
        Some((kind, rest)) => (kind.to_ascii_lowercase(), rest),
        None => (text.to_ascii_lowercase(), ""),
    }
}

/// The object `query` names: exactly (the kind without case, namespace and name as written),
/// else the one object it is a prefix of (of the kind alone when the query has no `/`).
///
/// Objects are named by [`keys`]. An unknown object's suggestions, nearest first: the objects
/// that equal the query but for case, then those of exactly the query's name (another namespace
/// or kind; those matching more of the query's parts first, a kind near the one asked for —
/// `VirtualServce`, `virtualservices`, `vs` — counting), then the nearest by
/// [`crate::suggest::nearest_few`].
pub fn find<'a>(objects: &'a [Object], query: &str) -> Result<&'a Object, UsageError> {
    let wanted = query.trim().trim_end_matches('/');
    let has_rest = wanted.contains('/');
    let (kind, rest) = split(wanted);
    let kind = kind.as_str();
    let keys = keys(objects);
    let matching = |exact: bool| {
        objects.iter().zip(&keys).filter(move |(_, key)| {
            let (k, r) = split(key);
            match (exact, has_rest) {
                (true, _) => has_rest && k == kind && r == rest,
                (false, true) => k == kind && r.starts_with(rest),
                (false, false) => k.starts_with(kind),
            }
        })
    };
    if let Some((exact, _)) = matching(true).next() {
        return Ok(exact);
    }
    let prefixed: Vec<(&Object, &String)> = matching(false).collect();
    match prefixed.as_slice() {
        [(one, _)] => Ok(one),
        [] => Err(UsageError::UnknownObject {
            query: query.to_string(),
            environment: String::new(),
            near: suggestions(&keys, wanted),
        }),
        many => Err(UsageError::AmbiguousObject {
            query: query.to_string(),
            matches: many.iter().take(SUGGESTED).map(|(_, key)| key.to_string()).collect(),
            count: many.len(),
        }),
    }
}

/// The name each object is found by: `Kind/namespace/name` or `Kind/name`, a `/` or `%` inside
/// the namespace or the name written `%2F` or `%25` (so `ConfigMap/shop/a%2Fb` and
/// `ConfigMap/shop%2Fa/b` are two objects); objects that would still share a name (two `List`s
/// without a name) are told apart by the file they come from (`List/@resources/a.yaml`) and,
/// within one file, by their order in it (`#2`).
pub fn keys(objects: &[Object]) -> Vec<String> {
    let escape = |part: &str| part.replace('%', "%25").replace('/', "%2F");
    let plain: Vec<String> = objects
        .iter()
        .map(|o| {
            let r = &o.reference;
            match &r.namespace {
                Some(namespace) => format!("{}/{}/{}", r.kind, escape(namespace), escape(&r.name)),
                None => format!("{}/{}", r.kind, escape(&r.name)),
            }
        })
        .collect();
    let count = |keys: &[String], key: &String| keys.iter().filter(|k| *k == key).count();
    let with_file: Vec<String> = objects
        .iter()
        .zip(&plain)
        .map(|(o, key)| match count(&plain, key) {
            1 => key.clone(),
            _ => format!("{key}@{}", o.sources.first().map_or("", String::as_str)),
        })
        .collect();
    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    with_file
        .iter()
        .map(|key| match count(&with_file, key) {
            1 => key.clone(),
            _ => {
                let n = seen.entry(key).or_default();
                *n += 1;
                format!("{key}#{n}")
            }
        })
        .collect()
}

/// How near a kind as queried (`VirtualServce`, `virtualservices`, `vs`) is to `kind`: 2 the
/// same (without case), 1 near (its plural, its capitals, a typo or two), 0 another kind.
fn kind_nearness(query: &str, kind: &str) -> u32 {
    let (query, lower) = (query.to_ascii_lowercase(), kind.to_ascii_lowercase());
    let capitals: String = kind.chars().filter(char::is_ascii_uppercase).collect::<String>().to_ascii_lowercase();
    if query == lower {
        2
    } else if query == format!("{lower}s")
        || query == format!("{lower}es")
        || (capitals.len() > 1 && query == capitals)
        || strsim::osa_distance(&query, &lower) <= 2
    {
        1
    } else {
        0
    }
}

/// How many parts of `key` the query `wanted` matches, weighed: the name 4, the namespace 2,
/// the kind 2 (1 when near). A query of two parts is read both as `KIND/NAME` and as
/// `NAMESPACE/NAME`, the better reading counting.
fn score(wanted: &str, key: &str) -> u32 {
    let (kind, rest) = key.split_once('/').unwrap_or((key, ""));
    let (namespace, name) = match rest.split_once('/') {
        Some((namespace, name)) => (Some(namespace), name),
        None => (None, rest),
    };
    let parts: Vec<&str> = wanted.splitn(3, '/').collect();
    let readings: Vec<(Option<&str>, Option<&str>, &str)> = match parts.as_slice() {
        [k, n, rest] => vec![(Some(*k), Some(*n), *rest)],
        [a, b] => vec![(Some(*a), None, *b), (None, Some(*a), *b)],
        [one] => vec![(None, None, *one)],
        _ => Vec::new(),
    };
    readings
        .into_iter()
        .map(|(k, n, wanted_name)| {
            let name_score = if wanted_name == name { 4 } else { 0 };
            let namespace_score = if n.is_some() && n == namespace { 2 } else { 0 };
            name_score + namespace_score + k.map_or(0, |k| kind_nearness(k, kind))
        })
        .max()
        .unwrap_or(0)
}

/// Up to [`SUGGESTED`] of `keys` (`Kind/namespace/name`) that `wanted` may have meant, in the
/// order [`find`] documents.
fn suggestions(keys: &[String], wanted: &str) -> Vec<String> {
    let names: BTreeSet<&str> = keys.iter().map(String::as_str).collect();
    let name = wanted.rsplit('/').next().unwrap_or(wanted);
    let mut near: Vec<&str> = names.iter().copied().filter(|key| key.eq_ignore_ascii_case(wanted)).collect();
    // Those of exactly the name, the ones matching more parts first.
    let mut same_name: Vec<(u32, &str)> = names
        .iter()
        .copied()
        .filter(|key| !name.is_empty() && key.rsplit('/').next() == Some(name))
        .map(|key| (score(wanted, key), key))
        .collect();
    same_name.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let same_name = same_name.into_iter().map(|(_, key)| key);
    for key in same_name.chain(crate::suggest::nearest_few(wanted, names.iter().copied(), SUGGESTED)) {
        if near.len() == SUGGESTED {
            break;
        }
        if !near.contains(&key) {
            near.push(key);
        }
    }
    near.into_iter().map(str::to_string).collect()
}

/// The layer directory of `file` among `layers` (the deepest that holds it).
fn layer_of<'a>(file: &str, layers: &'a [String]) -> Option<&'a str> {
    layers
        .iter()
        .filter(|dir| dir.is_empty() || file.starts_with(&format!("{dir}/")))
        .max_by_key(|dir| dir.len())
        .map(String::as_str)
}

/// Explains one object of `build` (built with [`Options::record_patches`] and
/// [`Options::report_flows`]; without the flows, it lists none).
pub(crate) fn explain_object(build: &Build, object: &Object) -> Explanation {
    let layers: Vec<String> = build
        .inputs
        .iter()
        .filter_map(|file| match file.rsplit_once('/') {
            Some((dir, MANIFEST)) => Some(dir.to_string()),
            None if file == MANIFEST => Some(String::new()),
            _ => None,
        })
        .collect();
    let mut explanation = Explanation {
        environment: build.environment.clone(),
        object: object.reference.clone(),
        generated_as: object.origin.as_deref().cloned(),
        layers: Vec::new(),
        settings: Vec::new(),
        tenants: Vec::new(),
        requests: Vec::new(),
        resources: Vec::new(),
        patches: masked(
            &object.changes,
            &object.value(),
            object.origin.as_ref().is_some_and(|origin| origin.kind == "Secret"),
        ),
        flows: build.flows.as_ref().map(|report| decided_flows(report, &object.reference)).unwrap_or_default(),
    };
    let mut used = BTreeSet::new();
    for file in &object.sources {
        let layer = layer_of(file, &layers);
        if let Some(layer) = layer {
            used.insert(layer.to_string());
        }
        let inside = layer.map_or(file.as_str(), |dir| file[dir.len()..].trim_start_matches('/'));
        if inside == MANIFEST {
            explanation.settings.push(file.clone());
        } else if inside.starts_with("resources/") {
            // A plain object is read from one document, of its first (only) file.
            let at = match object.start {
                Some(start) if object.sources.first() == Some(file) => start.in_file(file.as_str()).to_string(),
                _ => file.clone(),
            };
            explanation.resources.push(at);
        } else {
            for place in places(build, file) {
                match place.kind.as_str() {
                    "Tenant" => explanation.tenants.push(place),
                    _ => explanation.requests.push(place),
                }
            }
        }
    }
    for step in &object.changes {
        if let Some(layer) = layer_of(&step.location.file, &layers) {
            used.insert(layer.to_string());
        }
    }
    explanation.layers = used.into_iter().collect();
    explanation
}

/// The documents of an input file: kind, `metadata.name` and line. A file the build read but
/// whose text is not at hand is one place of unknown kind.
fn places(build: &Build, file: &str) -> Vec<Place> {
    let unknown = || vec![Place { kind: String::new(), name: String::new(), file: file.to_string(), line: None }];
    let Some(text) = build.texts.get(file) else { return unknown() };
    let Ok(documents) = crate::load::parse(file, text) else { return unknown() };
    documents
        .iter()
        .map(|doc| {
            let field = |pointer: &str| doc.value.pointer(pointer).and_then(Value::as_str).unwrap_or_default();
            Place {
                kind: field("/kind").to_string(),
                name: field("/metadata/name").to_string(),
                file: file.to_string(),
                line: doc.location("/kind").line,
            }
        })
        .collect()
}

/// The steps with every value of a Secret's `data` and `stringData` masked (by diff's rule,
/// [`mask`]): a step inside a Secret's data (the object itself or an item of a `kind: List`), a
/// Secret inside a step's value, and a Secret's value a `copy` or `move` took elsewhere (an
/// annotation, a label). `object`: the object's final value.
///
/// An object that was a Secret at any step (generated or read as one, or a patch set its kind to
/// `Secret` before changing it again) has its own `data` and `stringData` masked whatever its
/// final kind: `was_secret` says it was one before the first step.
fn masked(steps: &[PatchStep], object: &Value, was_secret: bool) -> Vec<PatchStep> {
    let secret = |value: &Option<Value>| value.as_ref().and_then(Value::as_str) == Some("Secret");
    let kind_of =
        |value: &Option<Value>| value.as_ref().and_then(|v| v.get("kind")).and_then(Value::as_str) == Some("Secret");
    let was_secret = was_secret
        || object.get("kind").and_then(Value::as_str) == Some("Secret")
        || steps.iter().any(|step| match step.pointer.as_str() {
            "/kind" => secret(&step.before) || secret(&step.after),
            "" => kind_of(&step.before) || kind_of(&step.after),
            _ => false,
        });
    let own_data = |pointer: &str| {
        ["/data", "/stringData"].iter().any(|field| pointer == *field || pointer.starts_with(&format!("{field}/")))
    };
    let inside: Vec<bool> = steps
        .iter()
        .map(|step| mask::in_secret_data(object, &step.pointer) || (was_secret && own_data(&step.pointer)))
        .collect();
    let mut secrets = BTreeSet::new();
    mask::secret_values(object, &mut secrets);
    if was_secret {
        let whole = steps.iter().filter(|step| step.pointer.is_empty());
        let values = whole.flat_map(|step| [&step.before, &step.after].into_iter().flatten());
        for value in std::iter::once(object).chain(values) {
            for field in ["data", "stringData"] {
                if let Some(found) = value.get(field) {
                    mask::leaves(found, &mut secrets);
                }
            }
        }
    }
    for (step, inside) in steps.iter().zip(&inside) {
        for value in [&step.before, &step.after].into_iter().flatten() {
            match inside {
                true => mask::leaves(value, &mut secrets),
                false => mask::secret_values(value, &mut secrets),
            }
        }
    }
    let placeholder = |value: &Option<Value>| value.as_ref().map(|_| Value::String(SECRET_VALUE.into()));
    steps
        .iter()
        .zip(inside)
        .map(|(step, inside)| {
            let mut step = step.clone();
            if inside {
                step.before = placeholder(&step.before);
                step.after = placeholder(&step.after);
            } else {
                step.before = step.before.map(|v| mask::mask_copies(&v, &secrets));
                step.after = step.after.map(|v| mask::mask_copies(&v, &secrets));
            }
            step
        })
        .collect()
}

#[cfg(test)]
mod tests;

/// The flows of `report` one of whose steps names `object` (by kind, namespace and name), in the
/// report's order.
fn decided_flows(report: &crate::flows::Report, object: &ResourceRef) -> Vec<DecidedFlow> {
    let names = |r: &crate::flows::ObjectRef| {
        r.kind == object.kind && r.name == object.name && r.namespace.as_deref() == object.namespace.as_deref()
    };
    let mut out = Vec::new();
    report.each(|evaluated| {
        let verdict = &evaluated.verdict;
        if verdict.steps.iter().any(|step| step.decided_by.iter().any(names)) || verdict.decided_by.iter().any(names) {
            let flow = &evaluated.flow;
            let described = crate::flows::stage::describe(flow);
            let to = described.split_once(" → ").map_or(described.as_str(), |(_, to)| to).to_string();
            out.push(DecidedFlow {
                direction: flow.direction.as_str().to_string(),
                from: flow.from.clone(),
                to,
                verdict: verdict.verdict.to_string(),
                violation: evaluated.violation().map(|v| match v {
                    Violation::Blocked => "requested but blocked".to_string(),
                    Violation::Open => "open but not requested".to_string(),
                    Violation::Misrouted(reached) => format!("routed to {reached}"),
                }),
            });
        }
    });
    out
}
