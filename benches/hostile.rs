//! Hostile-input benchmarks: the reproducers of hostile repositories at full size, with their
//! bounds asserted.
//!
//! ```text
//! cargo bench --bench hostile
//! ```
//!
//! Each case copies the example repository into a temporary directory and adds one hostile
//! input, outside the timed section. A timed iteration compiles `environments/prod` and renders
//! the diagnostics, like one `meshedge build` run. Every iteration checks the outcome (the error
//! code, or success for legal input) and panics when it is over its bound: the time a run may
//! take (generous: these inputs took from 27 s to 473 s, or aborted, before they were bounded),
//! and the memory it may allocate at its peak, as a multiple of the input's size (counted by the
//! allocator below, so it does not depend on the machine).

use std::alloc::{GlobalAlloc, Layout};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use divan::{Bencher, black_box};
use meshedge::compiler;
use meshedge::source::FsSource;
use tempfile::TempDir;

/// The binary's allocator, counting the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { mimalloc::MiMalloc.alloc(layout) };
        if !ptr.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                let now = IN_USE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                IN_USE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn main() {
    divan::main();
}

const REQ: &str = "apiVersion: meshedge.io/v1alpha1\nkind: EdgeRequest\n";
const MIB: usize = 1 << 20;

/// What a run must end with.
#[derive(Clone, Copy)]
enum Outcome {
    Builds,
    /// Fails with this code, at least `count` times, naming this file.
    Fails(&'static str, usize, &'static str),
}

/// A hostile case: the repository, and the bounds of a run over it.
struct Case {
    dir: TempDir,
    outcome: Outcome,
    /// The bytes the case added to the repository.
    input: usize,
    /// The longest a run may take.
    time: Duration,
    /// The most a run may allocate at its peak: this many times the input, plus 64 MiB.
    memory_factor: usize,
}

impl Case {
    fn new(outcome: Outcome, time_s: u64, memory_factor: usize, add: impl FnOnce(&Path) -> usize) -> Case {
        let dir = tempfile::Builder::new().prefix("meshedge-hostile-").tempdir().expect("a temporary directory");
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for top in ["base", "environments"] {
            copy(&root.join(top), &dir.path().join(top));
        }
        let input = add(dir.path());
        Case { dir, outcome, input, time: Duration::from_secs(time_s), memory_factor }
    }

    fn run(&self, bencher: Bencher) {
        let bound = self.memory_factor * self.input + 64 * MIB;
        let reported = std::sync::atomic::AtomicBool::new(false);
        bencher.bench(|| {
            let started = Instant::now();
            let before = IN_USE.load(Ordering::Relaxed);
            PEAK.store(before, Ordering::Relaxed);
            let source = FsSource::new(self.dir.path());
            let result = compiler::compile(&source, "environments/prod");
            let text = match &result {
                Ok(build) => build.diagnostics.render(&build.texts),
                Err(failed) => failed.render(),
            };
            let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
            let elapsed = started.elapsed();
            match (self.outcome, &result) {
                (Outcome::Builds, Ok(_)) => {}
                (Outcome::Fails(code, count, file), Err(_)) => {
                    // The report draws 200 errors and counts the rest.
                    let found = text.matches(&format!("[{code}]")).count();
                    assert!(found >= count.min(200), "{count} × {code} expected, {found} found:\n{}", head(&text));
                    assert!(count <= 200 || text.contains(&format!("error: {count} errors")), "{}", head(&text));
                    assert!(text.contains(file), "{file} must be named:\n{}", head(&text));
                }
                _ => panic!("unexpected outcome:\n{}", head(&text)),
            }
            assert!(elapsed <= self.time, "took {elapsed:?}, over the bound of {:?}", self.time);
            assert!(peak <= bound, "allocated {} MiB at its peak, over the bound of {} MiB", peak / MIB, bound / MIB);
            if !reported.swap(true, Ordering::Relaxed) {
                eprintln!(
                    "  input {:.2} MiB, peak {:.1} MiB (bound {} MiB), {elapsed:.2?} (bound {:?})",
                    self.input as f64 / MIB as f64,
                    peak as f64 / MIB as f64,
                    bound / MIB,
                    self.time
                );
            }
            black_box((result.is_ok(), text.len()))
        });
    }
}

fn head(text: &str) -> String {
    text.chars().take(2000).collect()
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a directory");
    for entry in std::fs::read_dir(from).expect("a readable directory") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("a copy");
        }
    }
}

fn write(root: &Path, path: &str, text: &str) -> usize {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().expect("a parent")).expect("a directory");
    std::fs::write(full, text).expect("a file");
    text.len()
}

/// `'- ' * 40000 + 'x'`: aborted with a stack overflow.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn deep_block(bencher: Bencher) {
    let file = "base/tenants/shop/deep.yaml";
    let case = Case::new(Outcome::Fails("E114", 1, file), 2, 16, |root| {
        write(root, file, &format!("{}x\n", "- ".repeat(40_000)))
    });
    case.run(bencher);
}

/// 20 levels of directories, two symlinks per level to the next: 80 s and 2.5 GB.
#[cfg(unix)]
#[divan::bench(sample_count = 10, sample_size = 1)]
fn symlink_dag(bencher: Bencher) {
    let case = Case::new(Outcome::Fails("E113", 1, "base/tenants/shop/fan/n0/l0"), 2, 16, |root| {
        let top = root.join("base/tenants/shop/fan");
        for i in 0..=20 {
            std::fs::create_dir_all(top.join(format!("n{i}"))).expect("a directory");
        }
        for i in 0..20 {
            for j in 0..2 {
                std::os::unix::fs::symlink(format!("../n{}", i + 1), top.join(format!("n{i}/l{j}"))).expect("a link");
            }
        }
        write(root, "base/tenants/shop/fan/n20/leaf.yaml", "") + 1
    });
    case.run(bencher);
}

/// A 1,000-deep chain of directories and 2,000 symlinks to its bottom: each link cost 0.1 s
/// when every step was resolved from the root.
#[cfg(unix)]
#[divan::bench(sample_count = 5, sample_size = 1)]
fn symlink_fan_out(bencher: Bencher) {
    let case = Case::new(Outcome::Fails("E114", 1, "base/resources/l0"), 2, 16, |root| {
        let bottom = format!("elsewhere/{}", vec!["d"; 1000].join("/"));
        std::fs::create_dir_all(root.join(&bottom)).expect("a directory");
        for i in 0..2000 {
            std::os::unix::fs::symlink(format!("../../{bottom}"), root.join(format!("base/resources/l{i}")))
                .expect("a link");
        }
        80
    });
    case.run(bencher);
}

fn many_errors(bencher: Bencher, n: usize, time_s: u64) {
    let file = "base/tenants/shop/many.yaml";
    let case = Case::new(Outcome::Fails("E102", n, file), time_s, 64, |root| {
        let docs: String = (0..n).map(|i| format!("---\n{REQ}metadata: {{name: r{i}}}\nspce: {{}}\n")).collect();
        write(root, file, &docs)
    });
    case.run(bencher);
}

/// 2,000 documents with an error each in one file: 27 s.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn many_errors_2000(bencher: Bencher) {
    many_errors(bencher, 2000, 5);
}

/// 8,000 documents with an error each in one file: 473 s.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn many_errors_8000(bencher: Bencher) {
    many_errors(bencher, 8000, 10);
}

fn many_overlays(bencher: Bencher, n: usize, time_s: u64) {
    let case = Case::new(Outcome::Builds, time_s, 64, |root| {
        let docs: String = (0..n).map(|i| format!("---\n{REQ}metadata: {{name: r{i}}}\nspec: {{}}\n")).collect();
        write(root, "base/tenants/shop/many.yaml", &docs)
            + write(root, "environments/prod/tenants/shop/many.yaml", &docs)
    });
    case.run(bencher);
}

/// 2,000 requests overlaid by a second layer: 46 s.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn many_overlays_2000(bencher: Bencher) {
    many_overlays(bencher, 2000, 5);
}

/// 8,000 requests overlaid by a second layer.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn many_overlays_8000(bencher: Bencher) {
    many_overlays(bencher, 8000, 10);
}

/// A 1 MiB scalar behind an anchor, aliased 2,000 times: 4.3 GB.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn alias_bytes(bencher: Bencher) {
    let file = "base/tenants/shop/alias.yaml";
    let case = Case::new(Outcome::Fails("E114", 1, file), 5, 32, |root| {
        let uses = "  - *s\n".repeat(2000);
        let big = "x".repeat(MIB);
        write(root, file, &format!("{REQ}metadata: {{name: s}}\nspec: {{}}\nbomb: &s \"{big}\"\nmore:\n{uses}"))
    });
    case.run(bencher);
}

/// 120 nested anchored mappings around a 7 MiB string (under the file limit), no alias: each
/// anchor copied the string (1.1 GB for 8 MiB).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn nested_anchors(bencher: Bencher) {
    let file = "base/tenants/shop/anchors.yaml";
    let case = Case::new(Outcome::Fails("E305", 1, file), 5, 8, |root| {
        let depth = 120;
        let body: String = (0..depth).map(|i| format!("{}k{i}: &a{i}\n", "  ".repeat(i))).collect();
        write(root, file, &format!("{body}{}leaf: \"{}\"\n", "  ".repeat(depth), "y".repeat(7 * MIB)))
    });
    case.run(bencher);
}

/// The same at 8 MiB: over the file limit, refused before it is read.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn nested_anchors_over_the_file_limit(bencher: Bencher) {
    let file = "base/tenants/shop/anchors.yaml";
    let case = Case::new(Outcome::Fails("E114", 1, file), 2, 1, |root| {
        let depth = 120;
        let body: String = (0..depth).map(|i| format!("{}k{i}: &a{i}\n", "  ".repeat(i))).collect();
        write(root, file, &format!("{body}{}leaf: \"{}\"\n", "  ".repeat(depth), "y".repeat(8 * MIB)))
    });
    case.run(bencher);
}

/// An error in an 80 KB line: the line was echoed whole.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn long_line(bencher: Bencher) {
    let file = "base/tenants/shop/long.yaml";
    let case = Case::new(Outcome::Fails("E102", 1, file), 2, 16, |root| {
        let labels: String = (0..10_000).map(|i| format!("k{i}: v, ")).collect();
        write(root, file, &format!("{REQ}metadata: {{labels: {{{labels}}}, name: long, bogus: 1}}\nspec: {{}}\n"))
    });
    let source = FsSource::new(case.dir.path());
    let failed = compiler::compile(&source, "environments/prod").expect_err("an unknown field");
    let text = failed.render();
    assert!(text.len() < 2000, "a short report: {} bytes", text.len());
    case.run(bencher);
}

/// A file with a byte order mark, and JSON with a surrogate pair: legal, they build.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn bom_and_surrogates(bencher: Bencher) {
    let case = Case::new(Outcome::Builds, 2, 64, |root| {
        write(
            root,
            "base/tenants/shop/bom.yaml",
            &format!("\u{feff}# an editor wrote a byte order mark\n{REQ}metadata: {{name: bom}}\nspec: {{}}\n"),
        ) + write(
            root,
            "base/resources/emoji.json",
            r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "emoji", "namespace": "istio-ingress"}, "data": {"greeting": "hi \ud83d\ude00"}}"#,
        )
    });
    case.run(bencher);
}
