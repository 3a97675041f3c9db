//! `check` against `build` on the synthetic repositories (`meshedge_testkit::synth`).
//!
//! ```text
//! cargo bench --bench check
//! ```
//!
//! `check_2000` times what `meshedge check environments/prod --format json` does: build the
//! environment with every object validated against the target's schemas as it is finished (on
//! every core) and indexed for the analyses, run every analysis, locate and suppress the
//! findings, and render the report. The schemas are unpacked and loaded once, outside the timed
//! section (one run of `check` pays that once, whatever the number of environments:
//! `schemas_load` times it). `build_2000` is one `build` of the same repository, in the same
//! process, for comparison; docs/performance.md holds the figures (check ≤ 2 × build).

use std::sync::Arc;

use divan::{Bencher, black_box};
use meshedge::check::{self, Schemas};
use meshedge::compiler;
use meshedge::render;
use meshedge::report;
use meshedge::source::FsSource;
use meshedge_testkit::synth;
use tempfile::TempDir;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn repo(tenants: usize) -> TempDir {
    let dir = tempfile::Builder::new().prefix("meshedge-bench-").tempdir().expect("a temporary directory");
    synth::write_repo(dir.path(), tenants).expect("the synthetic repository is written");
    dir
}

fn check(bencher: Bencher, tenants: usize) {
    let dir = repo(tenants);
    let source = FsSource::new(dir.path());
    let envs = [synth::ENVIRONMENT.to_string()];
    let schemas = Arc::new(Schemas::new(&[]).expect("no extra schemas"));
    // Loads the target's schemas once.
    let first = check::environments(&source, &envs, &schemas).expect("the schemas load");
    assert_eq!(first.errors(), 0, "the synthetic repository checks clean");
    bencher.bench_local(|| {
        let run = check::environments(&source, &envs, &schemas).expect("the schemas load");
        let text = report::json::render(&run.environments);
        let counted = (run.errors(), text.len());
        std::mem::forget(run);
        black_box(counted)
    });
}

fn build(bencher: Bencher, tenants: usize) {
    let dir = repo(tenants);
    bencher.bench(|| {
        let source = FsSource::new(dir.path());
        let build = compiler::compile(&source, synth::ENVIRONMENT).expect("the synthetic repository builds");
        render::write_stream(&mut std::io::sink(), &build.objects, build.form).expect("a sink takes everything");
        black_box(build.objects.len())
    });
}

/// check (build, analyses, schemas, JSON report), 2,000 tenants.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn check_2000(bencher: Bencher) {
    check(bencher, 2000);
}

/// build and write, 2,000 tenants: the reference.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn build_2000(bencher: Bencher) {
    build(bencher, 2000);
}

/// Unpacking the embedded schemas and loading a target's set (once per `check` run).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn schemas_load(bencher: Bencher) {
    let dir = repo(1);
    let source = FsSource::new(dir.path());
    let envs = [synth::ENVIRONMENT.to_string()];
    bencher.bench_local(|| {
        let schemas = Arc::new(Schemas::new(&[]).expect("no extra schemas"));
        black_box(check::environments(&source, &envs, &schemas).expect("the schemas load").errors())
    });
}
