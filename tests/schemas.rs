//! Every object `build` emits for the example environments validates against the real schemas
//! vendored in `data/schemas` (the Istio CRDs of the environment's flavor, OSSM/maistra, OpenShift,
//! OVN, cert-manager, Kubernetes OpenAPI), unknown fields counted as failures. Kinds without a
//! schema are listed, and the list is pinned so a new one cannot slip through unnoticed.

mod common;

use std::collections::BTreeSet;

use meshedge::stages::Flavor;
use meshedge::stages::{SchemaSet, Validation};

/// The Istio CRDs of an environment's target: OSSM 2.5's or 2.6's (maistra/istio-operator
/// `resources/helm/v2.{5,6}/istio-init/files/`, `data/schemas/SOURCES.md`), upstream Istio's
/// otherwise. OSSM serves networking.istio.io only at v1alpha3/v1beta1, upstream Istio at v1 too,
/// so exactly one of the three files is loaded.
const ISTIO_FILES: [&str; 3] = ["istio-crd-all.gen.yaml", "ossm-2.5-istio-crds.yaml", "ossm-2.6-istio-crds.yaml"];

fn istio_file(flavor: Flavor, control_plane_version: &str) -> &'static str {
    match (flavor, control_plane_version) {
        (Flavor::Ossm2, "v2.6") => "ossm-2.6-istio-crds.yaml",
        (Flavor::Ossm2, _) => "ossm-2.5-istio-crds.yaml",
        (Flavor::Istio, _) => "istio-crd-all.gen.yaml",
    }
}

fn schemas_for(flavor: Flavor, control_plane_version: &str) -> SchemaSet {
    let keep = istio_file(flavor, control_plane_version);
    let skip: Vec<&str> = ISTIO_FILES.into_iter().filter(|f| *f != keep).collect();
    SchemaSet::load_dir_except(&common::schemas_dir(), &skip).expect("the vendored schemas load")
}

#[test]
fn staging_validates_against_the_crds_of_ossm_2_6() {
    // The example's staging targets OSSM 2.6, prod OSSM 2.5: each reads its own operator's CRDs.
    let staging = common::build(&common::repo_root(), "staging");
    assert_eq!((staging.flavor, staging.control_plane_version.as_str()), (Flavor::Ossm2, "v2.6"));
    assert_eq!(istio_file(staging.flavor, &staging.control_plane_version), "ossm-2.6-istio-crds.yaml");
    let prod = common::build(&common::repo_root(), "prod");
    assert_eq!(istio_file(prod.flavor, &prod.control_plane_version), "ossm-2.5-istio-crds.yaml");
    // The 2.6 CRDs are not the 2.5 ones: AuthorizationPolicy gains `targetRef` in Istio 1.20
    // (maistra/istio-operator 0b6000b3 `resources/helm/v2.6/istio-init/files/
    // authorizationpolicies.security.istio.io.crd.yaml`), which OSSM 2.5 refuses.
    let policy = serde_json::json!({
        "apiVersion": "security.istio.io/v1beta1", "kind": "AuthorizationPolicy",
        "metadata": {"name": "p", "namespace": "n"},
        "spec": {"targetRef": {"kind": "Gateway", "group": "gateway.networking.k8s.io", "name": "g"}}
    });
    assert_eq!(schemas_for(Flavor::Ossm2, "v2.6").validate(&policy), Validation::Valid);
    assert!(matches!(schemas_for(Flavor::Ossm2, "v2.5").validate(&policy), Validation::Invalid(_)));
}

#[test]
fn every_emitted_object_matches_its_schema() {
    let mut without_schema = BTreeSet::new();
    let mut failures = Vec::new();
    let mut checked = 0;
    for env in common::environments() {
        let build = common::build(&common::repo_root(), &env);
        let schemas = schemas_for(build.flavor, &build.control_plane_version);
        for object in &build.objects {
            match schemas.validate(&object.value()) {
                Validation::Valid => checked += 1,
                Validation::NoSchema { api_version, kind } => {
                    without_schema.insert(format!("{api_version} {kind}"));
                }
                Validation::Invalid(errors) => {
                    failures.push(format!("{env}: {}: {}", object.reference, errors.join("; ")))
                }
            }
        }
    }
    assert!(failures.is_empty(), "objects failing their schema:\n{}", failures.join("\n"));
    assert!(checked > 50, "only {checked} objects checked");
    eprintln!("kinds without a schema in data/schemas: {without_schema:?}");
    // The Gatekeeper template is checked against the vendored releases of Gatekeeper, and every
    // object against the schemas of its own target, in tests/platform.rs; constraints are of the
    // kinds their templates declare (`meshedge check` derives their schemas from them, see
    // tests/check.rs). The Sail `Istio` of dev validates against `data/schemas/sail-istios.crd.yaml`.
    let expected: BTreeSet<String> = [
        "constraints.gatekeeper.sh/v1beta1 MeshedgeDenySidecarBypass",
        "constraints.gatekeeper.sh/v1beta1 MeshedgeDenyTenantRoutes",
        "constraints.gatekeeper.sh/v1beta1 MeshedgeRequireSidecar",
        "templates.gatekeeper.sh/v1 ConstraintTemplate",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(without_schema, expected, "kinds emitted without a schema to check them");
}

#[test]
fn a_schema_violation_is_caught() {
    // The check itself can fail: a Gateway with an unknown field does not pass.
    let build = common::build(&common::repo_root(), "prod");
    let schemas = schemas_for(build.flavor, &build.control_plane_version);
    let mut gateway = build.objects.iter().find(|o| o.kind() == "Gateway").expect("prod has Gateways").value();
    gateway["spec"]["servers"][0]["tls"]["mood"] = "SIMPLE".into();
    assert!(matches!(schemas.validate(&gateway), Validation::Invalid(_)));
}
