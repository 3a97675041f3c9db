//! Build benchmarks: `compile` + the YAML stream over synthetic repositories (`meshedge_testkit::synth`).
//!
//! ```text
//! cargo bench --bench build
//! ```
//!
//! Each size's repository is written once into a temporary directory, outside the timed section;
//! a timed iteration reads it from disk, compiles `environments/prod` (which renders every
//! object and evaluates the flows of SPEC §5.1, keeping only the violations, as `build` does) and writes the YAML stream to a sink, then drops everything, like one `meshedge build`
//! run (which does not free the build). `stream_*` times joining the stream into one string
//! over a build made beforehand. The allocator is the binary's. The speed targets of
//! `docs/performance.md` are carried by these benchmarks, not by timed tests.

use divan::{Bencher, black_box};
use meshedge::compiler::{self, Build};
use meshedge::render;
use meshedge::source::FsSource;
use meshedge_testkit::synth;
use tempfile::TempDir;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        // Written out as `meshedge build` writes stdout, to a writer that keeps nothing.
        render::write_stream(&mut std::io::sink(), &build.objects, build.form).expect("a sink takes everything");
        black_box(build.objects.len())
    });
}

fn stream(bencher: Bencher, tenants: usize) {
    let dir = repo(tenants);
    let build = compile(&dir);
    bencher.bench(|| black_box(render::stream(&build.objects, build.form).len()));
}

/// compile + write, 200 tenants.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn build_200(bencher: Bencher) {
    build(bencher, 200);
}

/// compile + write, 2,000 tenants.
#[divan::bench(sample_count = 15, sample_size = 1)]
fn build_2000(bencher: Bencher) {
    build(bencher, 2000);
}

/// joining the stream only, 200 tenants.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn stream_200(bencher: Bencher) {
    stream(bencher, 200);
}

/// joining the stream only, 2,000 tenants.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn stream_2000(bencher: Bencher) {
    stream(bencher, 2000);
}
