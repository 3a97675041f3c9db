//! `meshedge diff`: what a change does to each environment, straight from git objects.
//!
//! Both revisions are read through a [`Source`]: the base always from git
//! ([`GitSource`], no checkout), the head from git or from the work tree. Per environment:
//!
//! 1. [`fingerprint`] hashes every file a build of it can read, at both revisions; equal
//!    fingerprints mean equal builds, so the environment is reported unchanged without building.
//! 2. Otherwise both revisions are built, in parallel ([`compare`]).
//! 3. Objects are matched by API group, kind, namespace and name; a changed object gets a unified
//!    diff of its YAML. Values under `data` and `stringData` of a `Secret` are replaced by a
//!    placeholder that only says whether the value changed ([`mask_secret`]).
//! 4. Diagnostics present at head but not at base are "introduced", the reverse "fixed"
//!    (compared without line numbers, which move with every edit).
//!
//! A revision that does not build makes the environment's status `error`, with its errors; the
//! other environments are still compared. [`render_text`], [`render_markdown`] (a pull-request
//! comment, cut at [`MARKDOWN_LIMIT`] characters) and [`render_json`] present the [`Report`].

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tracing::debug;

use crate::cli::Failure;
use crate::compiler::{self, Build, Failed};
use crate::diagnostic::{Diagnostic, ResourceRef, Severity, SourceText};
use crate::input::MANIFEST;
use crate::render;
use crate::resource::Object;
use crate::source::{self, EntryKind, FsSource, Source, Tree};
use crate::source_git::GitSource;
use crate::{locate, parallel};

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// Environments to compare: paths (`environments/prod`) or names (`prod`). None: all of them.
    #[arg(value_name = "ENV")]
    pub envs: Vec<String>,
    /// Compare every environment (`environments/*`, `env/*`, `envs/*`) found at either revision.
    #[arg(long, conflicts_with = "envs")]
    pub all: bool,
    /// The revision to compare against (a branch, tag, commit, `origin/main`, `HEAD~1`).
    #[arg(long, value_name = "REV")]
    pub base: String,
    /// The revision to compare (default: the work tree, uncommitted changes included).
    #[arg(long, value_name = "REV")]
    pub head: Option<String>,
    /// Output: text for a terminal, markdown for a pull-request comment, json for tools.
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiffFormat,
    /// Exit with 1 when there are differences, 0 when there are none.
    #[arg(long)]
    pub exit_code: bool,
    /// Colours in the text format (auto: when stdout is a terminal and NO_COLOR is unset).
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: ColorChoice,
    /// The repository root (default: the git work tree, else the working directory).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DiffFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// What happened to an environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Changed,
    Unchanged,
    /// Present at head only.
    Added,
    /// Present at base only.
    Removed,
    /// A revision does not build.
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Changed => "changed",
            Status::Unchanged => "unchanged",
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Error => "error",
        }
    }
}

/// An object, by identity (the same reference diagnostics carry).
pub use crate::diagnostic::ResourceRef as ObjectRef;

/// An object present at both revisions, with different content.
#[derive(Debug, Clone)]
pub struct ChangedObject {
    pub object: ObjectRef,
    /// Unified diff of the object's YAML (Secret values masked).
    pub diff: String,
}

/// The comparison of one environment.
#[derive(Debug, Clone)]
pub struct EnvironmentDiff {
    pub name: String,
    /// Repo-relative directory.
    pub path: String,
    pub status: Status,
    /// False when both revisions read identical files (nothing was built).
    pub inputs_changed: bool,
    pub added: Vec<ObjectRef>,
    pub removed: Vec<ObjectRef>,
    pub changed: Vec<ChangedObject>,
    pub introduced: Vec<Diagnostic>,
    pub fixed: Vec<Diagnostic>,
    /// Errors of a revision that does not build.
    pub base_errors: Vec<Diagnostic>,
    pub head_errors: Vec<Diagnostic>,
}

/// The whole comparison.
#[derive(Debug, Clone)]
pub struct Report {
    /// The base revision, as given.
    pub base: String,
    pub base_commit: Option<String>,
    /// The head revision, as given, or [`WORK_TREE`].
    pub head: String,
    pub head_commit: Option<String>,
    pub environments: Vec<EnvironmentDiff>,
}

/// The head label when the work tree is compared.
pub const WORK_TREE: &str = "work tree";

impl Report {
    /// Whether any environment differs (what `--exit-code` reports).
    pub fn has_differences(&self) -> bool {
        self.environments.iter().any(|e| e.status != Status::Unchanged)
    }
}

// ---------------------------------------------------------------------------------------------
// The command

pub fn run(args: &DiffArgs) -> Result<(), Failure> {
    let cwd =
        std::env::current_dir().map_err(|e| Failure::Trouble(format!("cannot read the working directory: {e}")))?;
    let root = locate::find_root(args.root.as_deref(), &cwd, None);
    let repo = git2::Repository::discover(&root)
        .map_err(|e| Failure::Trouble(format!("{} is not inside a git repository: {}", root.display(), e.message())))?;
    let git_dir = repo.path().to_path_buf();
    let prefix = match repo.workdir() {
        Some(workdir) => locate::relative_to_root(workdir, &root).ok_or_else(|| {
            Failure::Trouble(format!("{} is not inside the work tree {}", root.display(), workdir.display()))
        })?,
        None if args.head.is_some() => String::new(),
        None => return Err(Failure::Trouble("a bare repository has no work tree: give --head REV".into())),
    };
    let revision_error =
        |rev: &str, e: git2::Error| Failure::Trouble(format!("unknown revision `{rev}`: {}", e.message()));
    let base = GitSource::from_repository(repo, &args.base, &prefix).map_err(|e| revision_error(&args.base, e))?;
    let head_git = match &args.head {
        Some(rev) => Some(GitSource::open(&git_dir, rev, &prefix).map_err(|e| revision_error(rev, e))?),
        None => None,
    };
    let work_tree = FsSource::new(&root);
    let head: &dyn Source = match &head_git {
        Some(git) => git,
        None => &work_tree,
    };

    let dirs = if args.all || args.envs.is_empty() {
        all_environments(&[&base, head])
    } else {
        let mut dirs = Vec::new();
        for arg in &args.envs {
            let dir = find_environment(&[head, &base], &root, &cwd, arg)?;
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        dirs
    };

    let report = Report {
        base: args.base.clone(),
        base_commit: base.commit_id().map(str::to_string),
        head: args.head.clone().unwrap_or_else(|| WORK_TREE.to_string()),
        head_commit: head_git.as_ref().and_then(|g| g.commit_id().map(str::to_string)),
        environments: compare(&base, head, &dirs),
    };
    let text = match args.format {
        DiffFormat::Text => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            };
            render_text(&report, color)
        }
        DiffFormat::Markdown => render_markdown(&report),
        DiffFormat::Json => render_json(&report),
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure::Trouble(format!("cannot write to stdout: {e}")))?;
    if args.exit_code && report.has_differences() { Err(Failure::Input(String::new())) } else { Ok(()) }
}

/// The environment `arg` names, at the first source that has it.
fn find_environment(sources: &[&dyn Source], root: &Path, cwd: &Path, arg: &str) -> Result<String, Failure> {
    let mut last = None;
    for source in sources {
        match locate::find_environment(&Tree::new(*source), root, cwd, arg) {
            Ok(dir) => return Ok(dir),
            Err(d) => last = Some(d),
        }
    }
    let d = last.unwrap_or_else(|| Diagnostic::error("E901", format!("no environment `{arg}`")));
    Err(Failure::Usage(crate::cli::render_diagnostics(&d.into(), &SourceText::default())))
}

// ---------------------------------------------------------------------------------------------
// Environments and fingerprints

/// Directories under which `--all` looks for environments.
const ENVIRONMENT_PARENTS: [&str; 3] = ["environments", "env", "envs"];

/// Every `environments/*`, `env/*` and `envs/*` directory whose `meshedge.yaml` is an
/// Environment (or cannot be read as anything else) in any of `sources`, sorted.
pub fn all_environments(sources: &[&dyn Source]) -> Vec<String> {
    let mut found = BTreeSet::new();
    for source in sources {
        let tree = Tree::new(*source);
        for parent in ENVIRONMENT_PARENTS {
            let Ok((physical, Some(EntryKind::Dir))) = tree.resolve(parent) else { continue };
            let Ok(entries) = source.list(&physical) else { continue };
            for (name, _) in entries {
                if name.starts_with('.') {
                    continue;
                }
                let dir = format!("{parent}/{name}");
                let Ok(text) = tree.read_to_string(&format!("{dir}/{MANIFEST}")) else { continue };
                let kind = crate::load::parse(MANIFEST, &text)
                    .ok()
                    .and_then(|docs| docs.first().and_then(|d| d.str_at("/kind").map(str::to_string)));
                if kind.is_none_or(|k| k == "Environment") {
                    found.insert(dir);
                }
            }
        }
    }
    found.into_iter().collect()
}

/// What a build of an environment can read, hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// sha256 over every path and its bytes (or the reason it cannot be read).
    pub digest: [u8; 32],
    /// The files hashed.
    pub files: BTreeSet<String>,
    /// `metadata.name` of the environment's manifest, when it can be read.
    pub name: Option<String>,
    /// The bytes read, by physical path: the build reads them from here instead of again.
    contents: HashMap<String, Vec<u8>>,
}

/// Fingerprints the environment at `env_dir`, or `None` when it has no `meshedge.yaml` there.
///
/// Hashes what the compiler reads, found the same way it finds it: each layer's manifest, then the
/// layers its `bases` name (parsing only the manifests), the files its `patches` name, and every
/// file under its `resources/` and `tenants/`, symlinks followed within the root. Whatever cannot
/// be read is hashed as its error. The walk depends only on the bytes it hashes, so equal
/// fingerprints mean the compiler would see identical input.
pub fn fingerprint(source: &dyn Source, env_dir: &str) -> Option<Fingerprint> {
    let tree = Tree::new(source);
    let within = |dir: &str, name: &str| if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") };
    if !tree.is_file(&within(env_dir, MANIFEST)).unwrap_or(false) {
        return None;
    }
    let mut hasher = Sha256::new();
    let mut files = BTreeSet::new();
    let mut contents = HashMap::new();
    let mut hash_file = |hasher: &mut Sha256, path: &str, content: Result<(String, Vec<u8>), String>| {
        for part in [path.as_bytes(), if content.is_ok() { b"ok" } else { b"error" }] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        match content {
            Ok((physical, bytes)) => {
                hasher.update((bytes.len() as u64).to_le_bytes());
                hasher.update(&bytes);
                contents.insert(physical, bytes);
            }
            Err(e) => {
                hasher.update((e.len() as u64).to_le_bytes());
                hasher.update(e.as_bytes());
            }
        }
        files.insert(path.to_string());
    };
    // Bytes kept for the build, within the limits the build applies (it reports them).
    let mut budget = source::MAX_TOTAL_BYTES;
    let read = |path: &str, budget: &mut u64| -> Result<(String, Vec<u8>), String> {
        let (physical, kind) = tree.resolve(path).map_err(|e| e.to_string())?;
        match kind {
            Some(EntryKind::File) => {
                source::read_within(source, &physical, budget).map(|bytes| (physical, bytes)).map_err(|e| e.to_string())
            }
            Some(_) => Err("not a file".into()),
            None => Err("missing".into()),
        }
    };
    let mut name = None;
    let mut pending = vec![env_dir.to_string()];
    let mut seen = BTreeSet::new();
    while let Some(dir) = pending.pop() {
        if !seen.insert(dir.clone()) {
            continue;
        }
        let manifest_path = within(&dir, MANIFEST);
        let manifest = read(&manifest_path, &mut budget);
        let doc = manifest.as_ref().ok().and_then(|(_, bytes)| {
            let text = std::str::from_utf8(bytes).ok()?;
            crate::load::parse(&manifest_path, text).ok()?.into_iter().next().map(|d| d.value)
        });
        hash_file(&mut hasher, &manifest_path, manifest);
        let doc = doc.unwrap_or(Value::Null);
        if dir == env_dir {
            name = doc.pointer("/metadata/name").and_then(Value::as_str).map(str::to_string);
        }
        for patch in doc.get("patches").and_then(Value::as_array).into_iter().flatten() {
            if let Some(Ok(file)) = patch.get("file").and_then(Value::as_str).map(|f| source::join(&dir, f)) {
                let content = read(&file, &mut budget);
                hash_file(&mut hasher, &file, content);
            }
        }
        for sub in ["resources", "tenants"] {
            let sub = within(&dir, sub);
            match tree.walk(&sub) {
                Ok(walked) => {
                    for file in walked {
                        let content =
                            source::read_within(source, &file.physical, &mut budget).map_err(|e| e.to_string());
                        hash_file(&mut hasher, &file.path, content.map(|bytes| (file.physical, bytes)));
                    }
                }
                Err(e) => hash_file(&mut hasher, &sub, Err(e.to_string())),
            }
        }
        // Depth first, in the order written (the order does not change the set hashed).
        let bases: Vec<String> = doc
            .get("bases")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|b| b.as_str().and_then(|b| source::join(&dir, b).ok()))
            .collect();
        pending.extend(bases.into_iter().rev());
    }
    Some(Fingerprint { digest: hasher.finalize().into(), files, name, contents })
}

/// A source whose file contents were already read (while fingerprinting).
struct Cached<'a> {
    inner: &'a dyn Source,
    contents: &'a HashMap<String, Vec<u8>>,
}

impl Source for Cached<'_> {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn entry(&self, path: &str) -> std::io::Result<Option<EntryKind>> {
        self.inner.entry(path)
    }

    fn list(&self, dir: &str) -> std::io::Result<Vec<(String, EntryKind)>> {
        self.inner.list(dir)
    }

    fn read(&self, file: &str) -> std::io::Result<Vec<u8>> {
        match self.contents.get(file) {
            Some(bytes) => Ok(bytes.clone()),
            None => self.inner.read(file),
        }
    }

    fn size(&self, file: &str) -> std::io::Result<u64> {
        match self.contents.get(file) {
            Some(bytes) => Ok(bytes.len() as u64),
            None => self.inner.size(file),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Comparing

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Base,
    Head,
}

/// Compares the environments at `env_dirs` between two sources.
pub fn compare(base: &dyn Source, head: &dyn Source, env_dirs: &[String]) -> Vec<EnvironmentDiff> {
    let source = |side: Side| if side == Side::Base { base } else { head };
    let jobs: Vec<(usize, Side)> = (0..env_dirs.len()).flat_map(|i| [(i, Side::Base), (i, Side::Head)]).collect();
    let start = std::time::Instant::now();
    let prints = parallel::map(&jobs, |&(i, side)| fingerprint(source(side), &env_dirs[i]));
    debug!(elapsed = ?start.elapsed(), "fingerprinted every environment at both revisions");
    let prints: Vec<(Option<Fingerprint>, Option<Fingerprint>)> = {
        let mut it = prints.into_iter();
        env_dirs.iter().map(|_| (it.next().flatten(), it.next().flatten())).collect()
    };

    // One environment at a time (its two builds in parallel), so that memory holds one pair.
    let mut out = Vec::with_capacity(env_dirs.len());
    for (dir, (b, h)) in env_dirs.iter().zip(prints) {
        let same = matches!((&b, &h), (Some(b), Some(h)) if b.digest == h.digest);
        let files = |f: &Option<Fingerprint>| f.as_ref().map(|f| f.files.len());
        debug!(environment = %dir, same, base_files = ?files(&b), head_files = ?files(&h), "fingerprinted");
        let name = h
            .as_ref()
            .and_then(|f| f.name.clone())
            .or_else(|| b.as_ref().and_then(|f| f.name.clone()))
            .unwrap_or_else(|| dir.rsplit('/').next().unwrap_or(dir).to_string());
        let mut sides = Vec::new();
        if !same {
            sides.extend(b.as_ref().map(|print| (Side::Base, print)));
            sides.extend(h.as_ref().map(|print| (Side::Head, print)));
        }
        let built = parallel::map(&sides, |&(side, print)| {
            let start = std::time::Instant::now();
            let result = compiler::compile(&Cached { inner: source(side), contents: &print.contents }, dir);
            // Right after the build, while its objects are still in the processor's cache.
            let identities = result.as_ref().map(|b| identities(&b.objects)).unwrap_or_default();
            let label = if side == Side::Base { "base" } else { "head" };
            debug!(environment = %dir, side = label, ok = result.is_ok(), elapsed = ?start.elapsed(), "built");
            (side, Built { result, identities })
        });
        let find = |wanted: Side| built.iter().find(|(side, _)| *side == wanted).map(|(_, b)| b);
        out.push(diff_environment(name, dir.clone(), !same, find(Side::Base), find(Side::Head)));
        debug!(environment = %dir, elapsed = ?start.elapsed(), "compared");
        free_in_background(built);
    }
    out
}

/// Drops `value` on a detached thread. Freeing the objects of two large builds (tens of thousands
/// of texts and identities each) takes a few percent of a build's time, and nothing needs to wait
/// for it (a command that exits meanwhile leaves it to the operating system).
fn free_in_background<T: Send + 'static>(value: T) {
    // Should the thread not start, the closure, and `value` with it, is dropped right here.
    let _ = std::thread::Builder::new().name("free".into()).spawn(move || drop(value));
}

/// A build, with the identity of each of its objects.
struct Built {
    result: Result<Build, Failed>,
    identities: Vec<Identity>,
}

/// API group, kind, namespace and name.
type Identity = (String, String, String, String);

fn identities(objects: &[Object]) -> Vec<Identity> {
    objects
        .iter()
        .map(|o| {
            let r = &o.reference;
            let group = r.api_version.rsplit_once('/').map_or("", |(group, _)| group);
            (group.to_string(), r.kind.clone(), r.namespace.clone().unwrap_or_default(), r.name.clone())
        })
        .collect()
}

/// An object's identity and its rank among objects of the same identity.
type Key<'a> = (&'a Identity, usize);

fn keyed<'a>(objects: &'a [Object], identities: &'a [Identity]) -> Vec<(Key<'a>, &'a Object)> {
    let mut seen: HashMap<&Identity, usize> = HashMap::with_capacity(identities.len());
    identities
        .iter()
        .zip(objects)
        .map(|(id, r)| {
            let rank = seen.entry(id).or_insert(0);
            let key = (id, *rank);
            *rank += 1;
            (key, r)
        })
        .collect()
}

fn diagnostics_of(build: Option<&Result<Build, Failed>>) -> Vec<Diagnostic> {
    match build {
        Some(Ok(b)) => b.diagnostics.clone().sorted(),
        Some(Err(f)) => f.diagnostics.clone().sorted(),
        None => Vec::new(),
    }
}

/// A diagnostic without its line and column (which move with unrelated edits).
fn diagnostic_key(d: &Diagnostic) -> (Severity, &str, Option<&str>, &str, Option<&ResourceRef>, Option<&str>) {
    (d.severity, d.code, d.istio, &d.message, d.resource.as_ref(), d.location.as_ref().map(|l| l.file.as_str()))
}

fn diff_environment(
    name: String,
    path: String,
    inputs_changed: bool,
    base: Option<&Built>,
    head: Option<&Built>,
) -> EnvironmentDiff {
    let no_identities: &[Identity] = &[];
    let (base_identities, head_identities) =
        (base.map_or(no_identities, |b| &b.identities), head.map_or(no_identities, |b| &b.identities));
    let (base, head) = (base.map(|b| &b.result), head.map(|b| &b.result));
    let mut env = EnvironmentDiff {
        name,
        path,
        status: Status::Unchanged,
        inputs_changed,
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
        introduced: Vec::new(),
        fixed: Vec::new(),
        base_errors: Vec::new(),
        head_errors: Vec::new(),
    };
    if !inputs_changed {
        return env;
    }
    let base_diagnostics = diagnostics_of(base);
    let head_diagnostics = diagnostics_of(head);
    // A build that failed stopped early: it lacks the other side's diagnostics of later stages,
    // which are then neither fixed (head failed) nor introduced (base failed).
    let (base_failed, head_failed) = (matches!(base, Some(Err(_))), matches!(head, Some(Err(_))));
    let compare_fixed = !head_failed || base_failed;
    let compare_introduced = !base_failed || head_failed;
    let base_keys: BTreeSet<_> = base_diagnostics.iter().map(diagnostic_key).collect();
    let head_keys: BTreeSet<_> = head_diagnostics.iter().map(diagnostic_key).collect();
    let mut reported = BTreeSet::new();
    env.introduced = head_diagnostics
        .iter()
        .filter(|d| compare_introduced && !base_keys.contains(&diagnostic_key(d)) && reported.insert(diagnostic_key(d)))
        .cloned()
        .collect();
    env.fixed = base_diagnostics
        .iter()
        .filter(|d| compare_fixed && !head_keys.contains(&diagnostic_key(d)) && reported.insert(diagnostic_key(d)))
        .cloned()
        .collect();
    let errors = |build: Option<&Result<Build, Failed>>| match build {
        Some(Err(failed)) => failed.diagnostics.clone().sorted().into_iter().filter(Diagnostic::is_error).collect(),
        _ => Vec::new(),
    };
    env.base_errors = errors(base);
    env.head_errors = errors(head);
    let empty: &[Object] = &[];
    let (base_objects, head_objects) = match (base, head) {
        (Some(Err(_)), _) | (_, Some(Err(_))) => {
            env.status = Status::Error;
            return env;
        }
        (None, Some(Ok(h))) => {
            env.status = Status::Added;
            (empty, h.objects.as_slice())
        }
        (Some(Ok(b)), None) => {
            env.status = Status::Removed;
            (b.objects.as_slice(), empty)
        }
        (Some(Ok(b)), Some(Ok(h))) => (b.objects.as_slice(), h.objects.as_slice()),
        (None, None) => return env,
    };
    // Indexing tens of thousands of objects per side: both sides at once.
    let sides = [(base_objects, base_identities), (head_objects, head_identities)];
    let mut indexed = parallel::map(&sides, |&(objects, identities)| {
        let keyed = keyed(objects, identities);
        let index: HashMap<Key<'_>, &Object> = keyed.iter().copied().collect();
        (keyed, index)
    })
    .into_iter();
    let (Some((base_keyed, base_index)), Some((head_keyed, head_index))) = (indexed.next(), indexed.next()) else {
        return env;
    };
    // Comparing texts and writing the diffs of changed objects: in chunks, on every core.
    let chunks: Vec<&[(Key<'_>, &Object)]> = head_keyed.chunks(head_keyed.len().div_ceil(16).max(1)).collect();
    let found = parallel::map(&chunks, |chunk| {
        let mut found = Vec::new();
        for (key, after) in chunk.iter() {
            match base_index.get(key) {
                None => found.push(Err(after.reference.clone())),
                // Rendering is deterministic: equal texts are equal objects.
                Some(before) if before.text != after.text => {
                    found.push(Ok(ChangedObject { object: after.reference.clone(), diff: object_diff(before, after) }))
                }
                Some(_) => {}
            }
        }
        found
    });
    for item in found.into_iter().flatten() {
        match item {
            Ok(changed) => env.changed.push(changed),
            Err(added) => env.added.push(added),
        }
    }
    for (key, before) in &base_keyed {
        if !head_index.contains_key(key) {
            env.removed.push(before.reference.clone());
        }
    }
    if env.status == Status::Unchanged
        && (!env.added.is_empty()
            || !env.removed.is_empty()
            || !env.changed.is_empty()
            || !env.introduced.is_empty()
            || !env.fixed.is_empty())
    {
        env.status = Status::Changed;
    }
    env
}

/// What stands for a Secret value that is the same at both revisions (or at base).
pub const SECRET_VALUE: &str = "(secret value)";
/// What stands for a Secret value that is new or different at head.
pub const SECRET_VALUE_CHANGED: &str = "(secret value, changed)";

fn is_secret(value: &Value) -> bool {
    value.get("kind").and_then(Value::as_str) == Some("Secret")
}

/// `value` with every value under `data` and `stringData` of a Secret replaced by a placeholder;
/// with `base` (the same Secret at the base revision) the placeholder says whether it changed.
pub fn mask_secret(value: &Value, base: Option<&Value>) -> Value {
    let mut masked = value.clone();
    if !is_secret(value) {
        return masked;
    }
    for field in ["data", "stringData"] {
        let before = base.and_then(|b| b.get(field));
        let placeholder = |same: bool| Value::String(if same { SECRET_VALUE } else { SECRET_VALUE_CHANGED }.into());
        match masked.get_mut(field) {
            Some(Value::Object(map)) => {
                for (key, item) in map.iter_mut() {
                    let same = base.is_none() || before.and_then(|b| b.get(key)) == Some(&*item);
                    *item = placeholder(same);
                }
            }
            Some(other) if !other.is_null() => {
                let same = base.is_none() || before == Some(&*other);
                *other = placeholder(same);
            }
            _ => {}
        }
    }
    masked
}

/// Unified diff of an object's YAML between two revisions, Secret values masked.
fn object_diff(before: &Object, after: &Object) -> String {
    let (old, new) = if before.kind() == "Secret" || after.kind() == "Secret" {
        let (before_value, after_value) = (before.value(), after.value());
        (
            render::to_yaml(&mask_secret(&before_value, None)),
            render::to_yaml(&mask_secret(&after_value, Some(&before_value))),
        )
    } else {
        (before.text.clone(), after.text.clone())
    };
    let diff = similar::TextDiff::from_lines(&old, &new);
    diff.unified_diff()
        .context_radius(3)
        .header(
            &format!("a/{}", render::object_path(&before.reference)),
            &format!("b/{}", render::object_path(&after.reference)),
        )
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// Text

struct Paint(bool);

impl Paint {
    fn code(&self, code: &str, text: &str) -> String {
        if self.0 { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }
}

fn commit_label(rev: &str, commit: Option<&str>) -> String {
    match commit {
        Some(c) if !c.starts_with(rev) => format!("{rev} ({})", &c[..c.len().min(12)]),
        _ => rev.to_string(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A short diagnostic: `warning[A601/IST0128]: message (file:line)`, no source lines.
fn diagnostic_line(d: &Diagnostic) -> String {
    let level = if d.is_error() { "error" } else { "warning" };
    let code = match d.istio {
        Some(istio) => format!("{}/{istio}", d.code),
        None => d.code.to_string(),
    };
    let mut line = format!("{level}[{code}]: {}", d.message);
    if let Some(resource) = &d.resource {
        let _ = write!(line, " [{resource}]");
    }
    if let Some(location) = &d.location {
        let _ = write!(line, " ({location})");
    }
    line
}

/// The diagnostics of `list` that are not already shown as a revision's errors.
fn not_errors_shown<'a>(env: &EnvironmentDiff, list: &'a [Diagnostic]) -> Vec<&'a Diagnostic> {
    list.iter().filter(|d| !env.base_errors.contains(d) && !env.head_errors.contains(d)).collect()
}

/// Human-readable report; ANSI colours when `color`.
pub fn render_text(report: &Report, color: bool) -> String {
    let paint = Paint(color);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        paint.code(
            "1",
            &format!(
                "meshedge diff: {} -> {}",
                commit_label(&report.base, report.base_commit.as_deref()),
                commit_label(&report.head, report.head_commit.as_deref())
            )
        )
    );
    for env in &report.environments {
        out.push('\n');
        let header = format!("{} ({})", env.path, env.name);
        let summary = match env.status {
            Status::Unchanged if !env.inputs_changed => "unchanged (same inputs, not built)".to_string(),
            Status::Unchanged => "unchanged (inputs changed, same output)".to_string(),
            Status::Error => {
                let side = match (env.base_errors.is_empty(), env.head_errors.is_empty()) {
                    (false, false) => "neither revision builds",
                    (false, true) => "the base revision does not build",
                    _ => "the head revision does not build",
                };
                side.to_string()
            }
            status => format!(
                "{}: {} added, {} changed, {} removed; {} introduced, {} fixed",
                status.as_str(),
                env.added.len(),
                env.changed.len(),
                env.removed.len(),
                plural(env.introduced.len(), "diagnostic", "diagnostics"),
                env.fixed.len()
            ),
        };
        let status_color = match env.status {
            Status::Unchanged => "2",
            Status::Error => "31;1",
            _ => "33;1",
        };
        let _ = writeln!(out, "{}: {}", paint.code("1", &header), paint.code(status_color, &summary));
        for (side, errors) in [("base", &env.base_errors), ("head", &env.head_errors)] {
            if errors.is_empty() {
                continue;
            }
            let _ = writeln!(out, "  {side} errors:");
            for d in errors {
                for line in d.render(&SourceText::default()).lines() {
                    let _ = writeln!(out, "    {}", paint.code("31", line));
                }
            }
        }
        for object in &env.added {
            let _ = writeln!(out, "  {} {} ({})", paint.code("32", "+ added  "), object, object.api_version);
        }
        for object in &env.removed {
            let _ = writeln!(out, "  {} {} ({})", paint.code("31", "- removed"), object, object.api_version);
        }
        for changed in &env.changed {
            let object = &changed.object;
            let _ = writeln!(out, "  {} {} ({})", paint.code("33", "~ changed"), object, object.api_version);
            for line in changed.diff.lines() {
                let painted = if line.starts_with("+++") || line.starts_with("---") {
                    paint.code("1", line)
                } else if line.starts_with('+') {
                    paint.code("32", line)
                } else if line.starts_with('-') {
                    paint.code("31", line)
                } else if line.starts_with("@@") {
                    paint.code("36", line)
                } else {
                    line.to_string()
                };
                let _ = writeln!(out, "      {painted}");
            }
        }
        for (label, list, code) in [("introduced", &env.introduced, "33"), ("fixed", &env.fixed, "32")] {
            for d in not_errors_shown(env, list) {
                let _ = writeln!(out, "  {} {}", paint.code(code, &format!("{label}:")), diagnostic_line(d));
            }
        }
    }
    let changed = report.environments.iter().filter(|e| e.status != Status::Unchanged).count();
    let _ = writeln!(
        out,
        "\n{}: {} with differences, {} unchanged",
        plural(report.environments.len(), "environment", "environments"),
        changed,
        report.environments.len() - changed
    );
    out
}

// ---------------------------------------------------------------------------------------------
// Markdown

/// GitHub refuses comments longer than 65,536 characters; the markdown report stays under this.
pub const MARKDOWN_LIMIT: usize = 65_000;
/// Diagnostics listed per environment and list in markdown before "and N more".
const MARKDOWN_DIAGNOSTICS: usize = 50;

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Inline code that survives backticks in `text`.
fn code_span(text: &str) -> String {
    let ticks = longest_backtick_run(text) + 1;
    let fence = "`".repeat(ticks);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

fn longest_backtick_run(text: &str) -> usize {
    let (mut longest, mut current) = (0, 0);
    for c in text.chars() {
        current = if c == '`' { current + 1 } else { 0 };
        longest = longest.max(current);
    }
    longest
}

fn count(text: &str) -> usize {
    text.chars().count()
}

/// What the markdown leaves out of one environment when it is cut.
#[derive(Default, Clone, Copy)]
struct Omitted {
    added: usize,
    removed: usize,
    changed: usize,
}

fn omission_note(report: &Report, omitted: &[Omitted]) -> String {
    let mut parts = Vec::new();
    for (env, o) in report.environments.iter().zip(omitted) {
        let mut what = Vec::new();
        for (n, label) in [(o.changed, "changed"), (o.added, "added"), (o.removed, "removed")] {
            if n > 0 {
                what.push(format!("{n} {label}"));
            }
        }
        if !what.is_empty() {
            parts.push(format!("{} ({})", code_span(&env.name), what.join(", ")));
        }
    }
    let head = if report.head == WORK_TREE { String::new() } else { format!(" --head {}", report.head) };
    format!(
        "\n---\n\n> **Cut at {} characters** to fit a pull-request comment. Objects not shown: {}. \
         Run `meshedge diff --base {}{head}` for the full diff, or `--format json` for all of it.\n",
        "65,000",
        parts.join("; "),
        report.base
    )
}

/// One piece of the markdown comment: always kept, or kept while it fits.
enum Piece {
    Keep(String),
    Detail { text: String, env: usize, kind: u8 },
}

const ADDED: u8 = 0;
const REMOVED: u8 = 1;
const CHANGED: u8 = 2;
const HEADING: u8 = 3;

/// A pull-request comment: a summary table, then per environment its errors, diagnostics, added
/// and removed objects, and a collapsible section with a diff per changed object. Cut at
/// [`MARKDOWN_LIMIT`] characters with a note saying what was left out.
pub fn render_markdown(report: &Report) -> String {
    let mut pieces = Vec::new();
    let mut title = String::from("## meshedge diff\n\n");
    let revision = |rev: &str, commit: Option<&str>| match commit {
        Some(c) if !c.starts_with(rev) => format!("{} ({})", code_span(rev), code_span(&c[..c.len().min(12)])),
        _ => code_span(rev),
    };
    let head = if report.head == WORK_TREE {
        "the work tree".to_string()
    } else {
        revision(&report.head, report.head_commit.as_deref())
    };
    let _ = writeln!(title, "Base: {} → head: {head}\n", revision(&report.base, report.base_commit.as_deref()));
    title.push_str(
        "| Environment | Status | Added | Changed | Removed | Diagnostics introduced | Diagnostics fixed |\n",
    );
    title.push_str("|---|---|--:|--:|--:|--:|--:|\n");
    for env in &report.environments {
        let status = match env.status {
            Status::Unchanged if !env.inputs_changed => "unchanged".to_string(),
            Status::Unchanged => "unchanged (same output)".to_string(),
            Status::Error => "**error**".to_string(),
            s => format!("**{}**", s.as_str()),
        };
        let _ = writeln!(
            title,
            "| {} | {status} | {} | {} | {} | {} | {} |",
            code_span(&env.name),
            env.added.len(),
            env.changed.len(),
            env.removed.len(),
            env.introduced.len(),
            env.fixed.len()
        );
    }
    if report.environments.is_empty() {
        title.push_str("| *(no environments)* | | | | | | |\n");
    }
    pieces.push(Piece::Keep(title));

    for (index, env) in report.environments.iter().enumerate() {
        if env.status == Status::Unchanged {
            continue;
        }
        let mut head =
            format!("\n### {} — {}\n\n{}\n", code_span(&env.name), env.status.as_str(), code_span(&env.path));
        for (side, errors) in [("base", &env.base_errors), ("head", &env.head_errors)] {
            if errors.is_empty() {
                continue;
            }
            let _ = writeln!(
                head,
                "\n**The {side} revision does not build** ({}):\n",
                plural(errors.len(), "error", "errors")
            );
            let shown: Vec<String> =
                errors.iter().take(MARKDOWN_DIAGNOSTICS).map(|d| d.render(&SourceText::default())).collect();
            let text = shown.join("\n");
            let fence = "`".repeat(3.max(longest_backtick_run(&text) + 1));
            let _ = writeln!(head, "{fence}text\n{}{fence}", text);
            if errors.len() > MARKDOWN_DIAGNOSTICS {
                let _ = writeln!(head, "\n…and {} more.", errors.len() - MARKDOWN_DIAGNOSTICS);
            }
        }
        for (label, list) in [("Diagnostics introduced", &env.introduced), ("Diagnostics fixed", &env.fixed)] {
            let list = not_errors_shown(env, list);
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(head, "\n**{label}** ({}):\n", list.len());
            for d in list.iter().take(MARKDOWN_DIAGNOSTICS) {
                let _ = writeln!(head, "- {}", code_span(&diagnostic_line(d)));
            }
            if list.len() > MARKDOWN_DIAGNOSTICS {
                let _ = writeln!(head, "- …and {} more", list.len() - MARKDOWN_DIAGNOSTICS);
            }
        }
        pieces.push(Piece::Keep(head));
        for (label, list, kind) in [("Added", &env.added, ADDED), ("Removed", &env.removed, REMOVED)] {
            if list.is_empty() {
                continue;
            }
            pieces.push(Piece::Detail {
                text: format!("\n**{label}** ({}):\n\n", list.len()),
                env: index,
                kind: HEADING,
            });
            for object in list.iter() {
                let text = format!("- {} ({})\n", code_span(&object.to_string()), code_span(&object.api_version));
                pieces.push(Piece::Detail { text, env: index, kind });
            }
        }
        if !env.changed.is_empty() {
            pieces.push(Piece::Detail {
                text: format!("\n**Changed** ({}):\n\n", env.changed.len()),
                env: index,
                kind: HEADING,
            });
        }
        for changed in &env.changed {
            let fence = "`".repeat(3.max(longest_backtick_run(&changed.diff) + 1));
            let text = format!(
                "<details><summary><code>{}</code> ({})</summary>\n\n{fence}diff\n{}{fence}\n\n</details>\n\n",
                html_escape(&changed.object.to_string()),
                html_escape(&changed.object.api_version),
                changed.diff
            );
            pieces.push(Piece::Detail { text, env: index, kind: CHANGED });
        }
    }

    // Everything kept first; details fill what is left, in order, until one does not fit.
    let all: Vec<Omitted> = report
        .environments
        .iter()
        .map(|e| Omitted { added: e.added.len(), removed: e.removed.len(), changed: e.changed.len() })
        .collect();
    let note_bound = count(&omission_note(report, &all));
    let kept: usize = pieces.iter().map(|p| if let Piece::Keep(t) = p { count(t) } else { 0 }).sum();
    let mut budget = MARKDOWN_LIMIT.saturating_sub(kept + note_bound);
    let mut omitted = vec![Omitted::default(); report.environments.len()];
    let mut cut = false;
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Keep(text) => out.push_str(&text),
            Piece::Detail { text, env, kind } => {
                let n = count(&text);
                if !cut && n <= budget {
                    budget -= n;
                    out.push_str(&text);
                    continue;
                }
                cut = true;
                let o = &mut omitted[env];
                match kind {
                    ADDED => o.added += 1,
                    REMOVED => o.removed += 1,
                    CHANGED => o.changed += 1,
                    _ => {}
                }
            }
        }
    }
    if cut {
        out.push_str(&omission_note(report, &omitted));
    }
    if count(&out) > MARKDOWN_LIMIT {
        // Only when the parts always kept are too long by themselves (hundreds of environments).
        let note = "\n\n> **Cut at 65,000 characters** to fit a pull-request comment; run `meshedge diff` \
                    with `--format text` or `--format json` for the full report.\n";
        let keep = MARKDOWN_LIMIT - count(note);
        let mut end = out.char_indices().nth(keep).map_or(out.len(), |(i, _)| i);
        if let Some(newline) = out[..end].rfind('\n') {
            end = newline;
        }
        out.truncate(end);
        out.push_str(note);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// JSON

// Serialised in declaration order: the order the documentation shows.

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonReport<'a> {
    base: &'a str,
    base_commit: Option<&'a str>,
    head: &'a str,
    head_commit: Option<&'a str>,
    environments: Vec<JsonEnvironment<'a>>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonEnvironment<'a> {
    name: &'a str,
    path: &'a str,
    status: &'static str,
    inputs_changed: bool,
    added: Vec<JsonObject<'a>>,
    removed: Vec<JsonObject<'a>>,
    changed: Vec<JsonObject<'a>>,
    diagnostics: JsonDiagnostics<'a>,
    errors: JsonErrors<'a>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonObject<'a> {
    api_version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<&'a str>,
}

impl<'a> JsonObject<'a> {
    fn new(object: &'a ObjectRef, diff: Option<&'a str>) -> Self {
        JsonObject {
            api_version: &object.api_version,
            kind: &object.kind,
            namespace: object.namespace.as_deref(),
            name: &object.name,
            diff,
        }
    }
}

#[derive(serde::Serialize)]
struct JsonDiagnostics<'a> {
    introduced: Vec<JsonDiagnostic<'a>>,
    fixed: Vec<JsonDiagnostic<'a>>,
}

#[derive(serde::Serialize)]
struct JsonErrors<'a> {
    base: Vec<JsonDiagnostic<'a>>,
    head: Vec<JsonDiagnostic<'a>>,
}

/// The shape `meshedge check --format json` uses, plus `help`.
#[derive(serde::Serialize)]
struct JsonDiagnostic<'a> {
    severity: Severity,
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    istio: Option<&'a str>,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<&'a ResourceRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

fn json_diagnostics(list: &[Diagnostic]) -> Vec<JsonDiagnostic<'_>> {
    list.iter()
        .map(|d| JsonDiagnostic {
            severity: d.severity,
            code: d.code,
            istio: d.istio,
            message: &d.message,
            resource: d.resource.as_ref(),
            file: d.location.as_ref().map(|l| l.file.as_str()),
            line: d.location.as_ref().and_then(|l| l.line),
            help: d.help.as_deref(),
        })
        .collect()
}

/// The machine-readable report (documented in `docs/diff-preview.md`).
pub fn render_json(report: &Report) -> String {
    let environments = report
        .environments
        .iter()
        .map(|env| JsonEnvironment {
            name: &env.name,
            path: &env.path,
            status: env.status.as_str(),
            inputs_changed: env.inputs_changed,
            added: env.added.iter().map(|o| JsonObject::new(o, None)).collect(),
            removed: env.removed.iter().map(|o| JsonObject::new(o, None)).collect(),
            changed: env.changed.iter().map(|c| JsonObject::new(&c.object, Some(&c.diff))).collect(),
            diagnostics: JsonDiagnostics {
                introduced: json_diagnostics(&env.introduced),
                fixed: json_diagnostics(&env.fixed),
            },
            errors: JsonErrors { base: json_diagnostics(&env.base_errors), head: json_diagnostics(&env.head_errors) },
        })
        .collect();
    let value = JsonReport {
        base: &report.base,
        base_commit: report.base_commit.as_deref(),
        head: &report.head,
        head_commit: report.head_commit.as_deref(),
        environments,
    };
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_values_become_placeholders() {
        let before = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "data": {"a": "c2VjcmV0", "b": "b2xk"}, "stringData": {"c": "plain"}});
        let after = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "data": {"a": "c2VjcmV0", "b": "bmV3"}, "stringData": {"c": "plain", "d": "more"}});
        let masked = mask_secret(&after, Some(&before));
        assert_eq!(masked["data"], json!({"a": SECRET_VALUE, "b": SECRET_VALUE_CHANGED}));
        assert_eq!(masked["stringData"], json!({"c": SECRET_VALUE, "d": SECRET_VALUE_CHANGED}));
        assert_eq!(mask_secret(&before, None)["data"], json!({"a": SECRET_VALUE, "b": SECRET_VALUE}));
        let config = json!({"kind": "ConfigMap", "data": {"a": "visible"}});
        assert_eq!(mask_secret(&config, None), config);
    }

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code_span("a"), "`a`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x"), "`` `x ``");
    }
}
