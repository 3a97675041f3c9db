//! The kinds of Istio's API groups meshedge does not write — WorkloadEntry, WorkloadGroup,
//! ProxyConfig (`networking.istio.io`) and Telemetry (`telemetry.istio.io`) — as plain resources
//! of the example: `meshedge check` validates them against the CRDs of the environment's target
//! (`data/platform/istio/`, no W702) and refuses a version the target does not serve (E705).

mod common;

/// One object of each kind, at the versions OSSM 2.6 (Istio 1.20) serves: maistra/istio-operator
/// 0b6000b3 `resources/helm/v2.6/istio-init/files/{workloadentries,workloadgroups,proxyconfigs}.
/// networking.istio.io.crd.yaml` (v1alpha3 and v1beta1; ProxyConfig v1beta1) and
/// `telemetries.telemetry.istio.io.crd.yaml` (v1alpha1).
const KINDS: &str = r#"apiVersion: networking.istio.io/v1beta1
kind: WorkloadEntry
metadata:
  name: legacy-vm
  namespace: shop
spec:
  address: 192.0.2.20
  labels: {app: legacy}
  serviceAccount: legacy
---
apiVersion: networking.istio.io/v1beta1
kind: WorkloadGroup
metadata:
  name: legacy
  namespace: shop
spec:
  metadata:
    labels: {app: legacy}
  template:
    serviceAccount: legacy
---
apiVersion: networking.istio.io/v1beta1
kind: ProxyConfig
metadata:
  name: legacy
  namespace: shop
spec:
  concurrency: 2
---
apiVersion: telemetry.istio.io/v1alpha1
kind: Telemetry
metadata:
  name: legacy
  namespace: shop
spec:
  accessLogging:
    - providers: [{name: envoy}]
"#;

const FILE: &str = "resources/legacy.yaml";

/// `meshedge check <env>` on the example with `text` as the environment's plain resources.
fn check(env: &str, text: &str) -> std::process::Output {
    let repo = common::example();
    common::write(repo.path(), &format!("environments/{env}/{FILE}"), text);
    common::check_repo(repo.path(), &[env])
}

#[test]
fn each_kind_is_checked_against_its_schema_on_every_environment() {
    for env in common::environments() {
        let output = check(&env, KINDS);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{env}: {stderr}");
        assert!(!stderr.contains("W702"), "{env}: {stderr}");
    }
    for (kind, field, misspelt) in [
        ("WorkloadEntry", "  address: 192.0.2.20\n", "  adress: 192.0.2.20\n"),
        ("WorkloadGroup", "    serviceAccount: legacy\n", "    serviceAcount: legacy\n"),
        ("ProxyConfig", "  concurrency: 2\n", "  concurency: 2\n"),
        ("Telemetry", "  accessLogging:\n", "  accessLoging:\n"),
    ] {
        let output = check("staging", &KINDS.replacen(field, misspelt, 1));
        let stderr = common::fixture::assert_error(&output, "E701", &format!("environments/staging/{FILE}:"));
        common::fixture::assert_mentions(&stderr, &["unknown field", &format!("object: {kind}/shop/legacy")]);
    }
}

#[test]
fn an_unserved_version_is_refused_where_the_target_does_not_serve_it() {
    // networking.istio.io/v1 is served from Istio 1.22 (istio/istio 1.22.8 crd-all.gen.yaml):
    // by dev (Istio 1.24), not by staging (OSSM 2.6, Istio 1.20) nor prod (OSSM 2.5).
    let v1 = KINDS.replacen(
        "networking.istio.io/v1beta1\nkind: WorkloadGroup",
        "networking.istio.io/v1\nkind: WorkloadGroup",
        1,
    );
    for env in ["prod", "staging"] {
        let output = check(env, &v1);
        let stderr = common::fixture::assert_error(&output, "E705", &format!("environments/{env}/{FILE}:11:1"));
        common::fixture::assert_mentions(&stderr, &["`WorkloadGroup/shop/legacy`", "networking.istio.io/v1beta1"]);
    }
    let output = check("dev", &v1);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    // ProxyConfig is v1beta1 only, on every release 1.16-1.24.
    let output = check(
        "dev",
        &KINDS.replace("networking.istio.io/v1beta1\nkind: ProxyConfig", "networking.istio.io/v1\nkind: ProxyConfig"),
    );
    common::fixture::assert_error(&output, "E705", &format!("environments/dev/{FILE}:22:1"));
}
