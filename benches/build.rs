//! Build benchmarks: `compile` + `yaml_stream` over synthetic repositories (`meshedge::synth`).
//!
//! ```text
//! cargo bench --bench build
//! ```
//!
//! Each size's repository is written once into a temporary directory, outside the timed section;
//! a timed iteration reads it from disk, compiles `environments/prod` and renders the YAML stream,
//! then drops everything, like one `meshedge build` run. `render_*` times `yaml_stream` alone over
//! a build made beforehand. The speed targets of `docs/performance.md` are carried by these
//! benchmarks, not by timed tests.

use divan::{Bencher, black_box};
use meshedge::compiler::{self, Build};
use meshedge::render;
use meshedge::source::FsSource;
use meshedge::synth;
use tempfile::TempDir;

fn main() {
    divan::main();
}

/// A synthetic repository with `tenants` tenants, in a temporary directory removed on drop.
fn repo(tenants: usize) -> TempDir {
    let dir = tempfile::Builder::new().prefix("meshedge-bench-").tempdir().expect("a temporary directory");
    synth::write_repo(dir.path(), tenants).expect("the synthetic repository is written");
    dir
}

fn compile(dir: &TempDir) -> Build {
    let source = FsSource::new(dir.path());
    match compiler::compile(&source, synth::ENVIRONMENT) {
        Ok(build) => build,
        Err(failed) => panic!("the synthetic repository does not build:\n{}", failed.render()),
    }
}

fn build(bencher: Bencher, tenants: usize) {
    let dir = repo(tenants);
    bencher.bench(|| {
        let build = compile(&dir);
        let text = render::yaml_stream(&build.resources);
        black_box(text.len())
    });
}

fn render(bencher: Bencher, tenants: usize) {
    let dir = repo(tenants);
    let build = compile(&dir);
    bencher.bench(|| black_box(render::yaml_stream(&build.resources).len()));
}

/// compile + render, 200 tenants.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn build_200(bencher: Bencher) {
    build(bencher, 200);
}

/// compile + render, 2,000 tenants.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn build_2000(bencher: Bencher) {
    build(bencher, 2000);
}

/// render only, 200 tenants.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn render_200(bencher: Bencher) {
    render(bencher, 200);
}

/// render only, 2,000 tenants.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn render_2000(bencher: Bencher) {
    render(bencher, 2000);
}
