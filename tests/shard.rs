//! Shards of an environment's output (`meshedge generate` with the `shard` option, `meshedge build
//! --shard`): every object in exactly one shard, the union of the shards is the whole build byte
//! for byte, a tenant's objects stay together and in the same shard across runs and when tenants
//! are added, and bad shard values are refused with E909 and nothing on stdout.
//!
//! The synthetic repositories are built once per test with the library and narrowed per shard,
//! as `generate` narrows a build; 200 tenants in the default run, 2,000 in the ignored
//! `union_of_16_shards_is_the_build_for_2000_tenants` (`cargo test --test shard -- --ignored`).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use assert_cmd::Command;
use meshedge::compiler::{self, Build};
use meshedge::render::Object;
use meshedge::shard::{Shard, shard_of};
use meshedge::source::FsSource;
use meshedge_testkit::synth;

fn compile(dir: &Path) -> Build {
    let source = FsSource::new(dir);
    compiler::compile(&source, synth::ENVIRONMENT).unwrap_or_else(|failed| panic!("{}", failed.render()))
}

fn synthetic(tenants: usize) -> (tempfile::TempDir, Build) {
    let dir = tempfile::tempdir().unwrap();
    synth::write_repo(dir.path(), tenants).unwrap();
    let build = compile(dir.path());
    (dir, build)
}

fn shards(count: u32) -> Vec<Shard> {
    (0..count).map(|k| Shard::new(k, count).unwrap()).collect()
}

/// `Kind/namespace/name` with the apiVersion: the identity an object has in the cluster.
fn identity(object: &Object) -> String {
    format!("{} {}", object.reference.api_version, object.reference)
}

/// Checks that the shards of `build` partition it: each object in exactly one shard, in build
/// order within its shard, the shared ones in shard 0, each tenant's in one shard; the union,
/// object for object, byte for byte, is the build. Returns each tenant's shard.
fn assert_partition(build: &Build, count: u32) -> BTreeMap<String, u32> {
    let whole: Vec<&Object> = build.objects.iter().collect();
    let position: BTreeMap<String, usize> = whole.iter().enumerate().map(|(i, o)| (identity(o), i)).collect();
    assert_eq!(position.len(), whole.len(), "identities are unique in the build");
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    let mut tenants: BTreeMap<String, u32> = BTreeMap::new();
    let mut union: Vec<String> = Vec::new();
    for shard in shards(count) {
        let narrowed = shard.narrow(build.objects.clone());
        let mut last = None;
        for object in &narrowed {
            let id = identity(object);
            if let Some(earlier) = seen.insert(id.clone(), shard.index()) {
                panic!("{id} is in shards {earlier} and {}", shard.index());
            }
            // The order of the whole build, kept.
            let at = position[&id];
            assert!(last.is_none_or(|l| l < at), "{id} out of order in shard {shard}");
            last = Some(at);
            match &object.tenant {
                None => assert_eq!(shard.index(), 0, "{id} belongs to no tenant: shard 0 only"),
                Some(tenant) => {
                    let first = *tenants.entry(tenant.clone()).or_insert(shard.index());
                    assert_eq!(first, shard.index(), "tenant {tenant} is split: {id}");
                    assert_eq!(shard_of(tenant, count), shard.index());
                }
            }
            union.push(object.text.clone());
        }
    }
    assert_eq!(seen.len(), whole.len(), "every object is in a shard");
    let mut expected: Vec<String> = whole.iter().map(|o| o.text.clone()).collect();
    union.sort();
    expected.sort();
    assert!(union == expected, "the union of the shards is not the build, byte for byte");
    tenants
}

#[test]
fn union_of_16_shards_is_the_build_for_200_tenants() {
    let (_dir, build) = synthetic(200);
    let tenants = assert_partition(&build, 16);
    assert_eq!(tenants.len(), 200, "every tenant owns objects");
    // Each shard holds tenants; shard 0 also the platform's objects.
    let used: BTreeSet<u32> = tenants.values().copied().collect();
    assert_eq!(used.len(), 16, "{used:?}");
    let zero = Shard::new(0, 16).unwrap().narrow(build.objects.clone());
    for kind in ["ServiceMeshControlPlane", "ServiceMeshMemberRoll", "Gateway"] {
        assert!(zero.iter().any(|o| o.kind() == kind && o.tenant.is_none()), "shard 0 holds the shared {kind}");
    }
    let one = Shard::new(1, 16).unwrap().narrow(build.objects.clone());
    assert!(one.iter().all(|o| o.tenant.is_some()) && !one.is_empty());
    // Shard 0 of 1 is the whole build.
    assert_eq!(Shard::WHOLE.narrow(build.objects.clone()), build.objects);
    assert_partition(&build, 3);
}

#[test]
#[ignore = "builds 2,000 tenants: over a minute in a debug build; run with --ignored"]
fn union_of_16_shards_is_the_build_for_2000_tenants() {
    let (_dir, build) = synthetic(2000);
    let tenants = assert_partition(&build, 16);
    assert_eq!(tenants.len(), 2000);
}

#[test]
fn a_tenant_stays_in_its_shard_across_runs_and_when_tenants_are_added() {
    let (_a, first) = synthetic(120);
    let (_b, again) = synthetic(120);
    let (_c, grown) = synthetic(121);
    let before = assert_partition(&first, 16);
    assert_eq!(assert_partition(&again, 16), before, "two runs agree");
    let shard = Shard::new(5, 16).unwrap();
    assert_eq!(shard.narrow(first.objects.clone()), shard.narrow(again.objects.clone()));
    let after = assert_partition(&grown, 16);
    let added = synth::tenant_name(120);
    assert!(after.contains_key(&added));
    for (tenant, shard) in &before {
        assert_eq!(after.get(tenant), Some(shard), "{tenant} moved when {added} was added");
    }
    // The shards without the new tenant, but for shard 0 (the member roll lists every tenant's
    // namespaces), print the same objects.
    for shard in shards(16).into_iter().filter(|s| s.index() != 0 && s.index() != after[&added]) {
        let texts = |build: &Build| -> Vec<String> {
            shard.narrow(build.objects.clone()).into_iter().map(|o| o.text).collect()
        };
        assert_eq!(texts(&first), texts(&grown), "shard {shard} changed when {added} was added");
    }
}

// --- the command line ------------------------------------------------------------------------

fn meshedge() -> Command {
    Command::cargo_bin("meshedge").unwrap()
}

const BAD: [&str; 9] = ["0/0", "16/16", "x", "3/", "-1/16", "3/-16", "1/1025", "3/18446744073709551617", "2/1/4"];

#[test]
fn bad_shards_on_the_command_line_are_usage_errors() {
    let root = common::repo_root();
    for bad in BAD {
        for command in [vec!["build", "environments/prod", "--shard", bad], vec!["generate", "--shard", bad]] {
            let output =
                meshedge().args(&command).current_dir(root.join("environments/prod")).env_clear().output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{command:?}: {stderr}");
            assert!(output.stdout.is_empty(), "{command:?}: nothing on stdout");
            assert!(stderr.contains("error[E909]"), "{command:?}: {stderr}");
            assert!(stderr.contains("--shard") && stderr.contains(&format!("`{bad}`")), "{command:?}: {stderr}");
            assert!(stderr.contains("help:") && stderr.contains("K/N"), "{command:?}: {stderr}");
        }
    }
}

#[test]
fn build_prints_one_shard_of_the_example() {
    let root = common::repo_root();
    let run = |shard: Option<&str>| {
        let mut command = meshedge();
        command.args(["build", "environments/prod", "--root"]).arg(&root);
        if let Some(shard) = shard {
            command.args(["--shard", shard]);
        }
        let output = command.output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    let whole = run(None);
    // The documents of a YAML stream, `---` lines between them.
    let documents = |text: &str| -> Vec<String> {
        let mut out = vec![String::new()];
        for line in text.lines() {
            match line {
                "---" => out.push(String::new()),
                _ => out.last_mut().unwrap().push_str(&format!("{line}\n")),
            }
        }
        out.into_iter().filter(|d| !d.is_empty()).collect()
    };
    let mut union: Vec<String> = (0..3).flat_map(|k| documents(&run(Some(&format!("{k}/3"))))).collect();
    let mut expected = documents(&whole);
    union.sort();
    expected.sort();
    assert_eq!(union.len(), expected.len());
    assert!(union == expected, "the three shards of the example are its build");
    assert_eq!(run(Some("0/1")), whole);
}
