//! `meshedge diff --all` against one `meshedge build` on the synthetic 2,000-tenant repository:
//! two commits that differ in one request, timed end to end with the release binary (output
//! discarded), fastest of several interleaved rounds. The target: a diff takes at most 2.5× a
//! build. Run: `cargo bench --bench diff` (`MESHEDGE_BENCH_TENANTS`, `MESHEDGE_BENCH_ROUNDS`).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use git2::{IndexAddOption, Repository, Signature};

fn commit(git: &Repository, message: &str) {
    let mut index = git.index().expect("index");
    index.add_all(["*"], IndexAddOption::DEFAULT, None).expect("add");
    index.update_all(["*"], None).expect("update");
    index.write().expect("write index");
    let tree = git.find_tree(index.write_tree().expect("tree")).expect("find tree");
    let signature = Signature::now("meshedge bench", "bench@example.com").expect("signature");
    let parent = git.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    git.commit(Some("HEAD"), &signature, &signature, message, &tree, &parents).expect("commit");
}

fn release_binary() -> std::path::PathBuf {
    let status = Command::new(env!("CARGO")).args(["build", "--release", "--bin", "meshedge"]).status().expect("cargo");
    assert!(status.success(), "cannot build the release binary");
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/meshedge")
}

fn main() {
    let number = |name: &str, default: usize| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let tenants = number("MESHEDGE_BENCH_TENANTS", 2000);
    let rounds = number("MESHEDGE_BENCH_ROUNDS", 5);
    let dir = tempfile::tempdir().expect("tempdir");
    let git = Repository::init(dir.path()).expect("git init");
    meshedge_testkit::synth::write_repo(dir.path(), tenants).expect("revision A");
    commit(&git, "revision A");
    meshedge_testkit::synth::write_repo_with(dir.path(), &meshedge_testkit::synth::Options { tenants, variant: 1 })
        .expect("revision B");
    commit(&git, "revision B: one request changed");

    let binary = release_binary();
    let env = meshedge_testkit::synth::ENVIRONMENT;
    let cases: [(&str, Vec<&str>); 4] = [
        ("meshedge build", vec!["build", env]),
        ("diff --all, two commits", vec!["diff", "--all", "--base", "HEAD~1", "--head", "HEAD"]),
        ("diff --all, commit to work tree", vec!["diff", "--all", "--base", "HEAD~1"]),
        ("diff --all, same inputs (no build)", vec!["diff", "--all", "--base", "HEAD"]),
    ];
    // Rounds interleave the cases, so that load from elsewhere hits all of them alike.
    let mut best = [Duration::MAX; 4];
    for _ in 0..rounds {
        for (i, (label, args)) in cases.iter().enumerate() {
            let start = Instant::now();
            let status = Command::new(&binary).current_dir(dir.path()).args(args).stdout(Stdio::null()).status();
            best[i] = best[i].min(start.elapsed());
            assert!(status.is_ok_and(|s| s.success()), "{label} failed");
        }
    }
    let build = best[0].as_secs_f64();
    println!("{tenants} tenants, fastest of {rounds} rounds:");
    for ((label, _), time) in cases.iter().zip(best) {
        let ms = time.as_secs_f64() * 1e3;
        println!("  {label:<36} {ms:>7.0} ms  {:>5.2}x a build", time.as_secs_f64() / build);
    }
    let worst = best[1..3].iter().map(|d| d.as_secs_f64() / build).fold(0.0, f64::max);
    println!("diff / build: {worst:.2}x (target: at most 2.5x)");
}
