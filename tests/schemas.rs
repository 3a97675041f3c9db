//! Every object `build` emits for the example environments validates against the real schemas
//! vendored in `data/schemas` (the Istio CRDs of the environment's flavor, OSSM/maistra, OpenShift,
//! OVN, cert-manager, Kubernetes OpenAPI), unknown fields counted as failures. Kinds without a
//! schema are listed, and the list is pinned so a new one cannot slip through unnoticed.

mod common;

use std::collections::BTreeSet;

use meshedge::stages::Flavor;
use meshedge::stages::{SchemaSet, Validation};

fn schemas_for(flavor: Flavor) -> SchemaSet {
    // OSSM 2.5 serves networking.istio.io only at v1alpha3/v1beta1; upstream Istio at v1.
    let skip = match flavor {
        Flavor::Ossm2 => "istio-crd-all.gen.yaml",
        Flavor::Istio => "ossm-2.5-istio-crds.yaml",
    };
    SchemaSet::load_dir_except(&common::schemas_dir(), &[skip]).expect("the vendored schemas load")
}

#[test]
fn every_emitted_object_matches_its_schema() {
    let mut without_schema = BTreeSet::new();
    let mut failures = Vec::new();
    let mut checked = 0;
    for env in common::environments() {
        let build = common::build(&common::repo_root(), &env);
        let schemas = schemas_for(build.flavor);
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
    let schemas = schemas_for(build.flavor);
    let mut gateway = build.objects.iter().find(|o| o.kind() == "Gateway").expect("prod has Gateways").value();
    gateway["spec"]["servers"][0]["tls"]["mood"] = "SIMPLE".into();
    assert!(matches!(schemas.validate(&gateway), Validation::Invalid(_)));
}
