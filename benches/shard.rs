//! Per-shard generation: what one Argo CD Application of a sharded environment costs.
//!
//! ```text
//! cargo bench --bench shard                 # MESHEDGE_BENCH_TENANTS (default 2,000), 16 shards
//! ```
//!
//! The repository is written once, outside the timed section. A timed iteration does what
//! `meshedge generate` with the `shard` option does: compiles the whole environment (every stage
//! sees every tenant), keeps the objects of one shard and writes their YAML stream to a sink.
//! `whole` is the same without a shard, for comparison; shard 0 also holds the shared objects.

use divan::{Bencher, black_box};
use meshedge::compiler;
use meshedge::render;
use meshedge::shard::Shard;
use meshedge::source::FsSource;
use meshedge_testkit::synth;
use tempfile::TempDir;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SHARDS: u32 = 16;

fn main() {
    divan::main();
}

fn tenants() -> usize {
    std::env::var("MESHEDGE_BENCH_TENANTS").ok().and_then(|t| t.parse().ok()).unwrap_or(2000)
}

fn repo() -> TempDir {
    let dir = tempfile::Builder::new().prefix("meshedge-bench-").tempdir().expect("a temporary directory");
    synth::write_repo(dir.path(), tenants()).expect("the synthetic repository is written");
    dir
}

fn generate(bencher: Bencher, shard: Shard) {
    let dir = repo();
    bencher.bench(|| {
        let source = FsSource::new(dir.path());
        let build = match compiler::compile(&source, synth::ENVIRONMENT) {
            Ok(build) => build,
            Err(failed) => panic!("the synthetic repository does not build:\n{}", failed.render()),
        };
        let objects = shard.narrow(build.objects);
        render::write_stream(&mut std::io::sink(), &objects, build.form).expect("a sink takes everything");
        black_box(objects.len())
    });
}

/// One shard of 16: shard 0 (tenants and the shared objects) and shard 7 (tenants only).
#[divan::bench(args = [0, 7], sample_count = 10, sample_size = 1)]
fn shard_of_16(bencher: Bencher, index: u32) {
    generate(bencher, Shard::new(index, SHARDS).expect("a shard of 16"));
}

/// The whole environment, unsharded.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn whole(bencher: Bencher) {
    generate(bencher, Shard::WHOLE);
}
