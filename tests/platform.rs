//! The platform model (`src/platform`) against the vendored per-target schemas (`data/platform`):
//! the API versions chosen per (flavor, control-plane version, cluster), the fields per CRD
//! version, and the schemas each target's objects are validated against.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use meshedge::platform::{
    AdmissionEngine, ClusterSetting, Field, Kind, Target, TargetError, admission_engine_schema_files,
};
use meshedge::stages::{Flavor, SchemaSet, Validation};
use serde::Deserialize;
use serde_json::{Value, json};

fn data_dir() -> PathBuf {
    common::repo_root().join("data")
}

fn target(flavor: Flavor, version: &str, cluster: ClusterSetting<'_>) -> Target {
    Target::new(flavor, version, cluster).unwrap_or_else(|e| panic!("{version}: {e}"))
}

fn schemas(target: &Target) -> SchemaSet {
    let mut set = SchemaSet::new();
    for file in target.schema_files(&data_dir()).unwrap_or_else(|e| panic!("{target}: {e}")) {
        set.load_file(&file).unwrap_or_else(|e| panic!("{target}: {e}"));
    }
    set
}

/// The API versions chosen, per (flavor, control-plane version, cluster). Source of each column:
/// see `Target::api_version` and `Target::serves` (istio/istio crd-all.gen.yaml per tag,
/// kubernetes/apiserver kube_features.go, openshift/api release-4.x).
#[test]
fn api_versions_by_flavor_version_and_cluster() {
    use ClusterSetting::{Kubernetes as K8s, OpenShift as Ocp};
    let kinds = [
        Kind::VirtualService,
        Kind::AuthorizationPolicy,
        Kind::PeerAuthentication,
        Kind::ValidatingAdmissionPolicy,
        Kind::Route,
        Kind::EgressNetworkPolicy,
        Kind::EgressFirewall,
        Kind::ServiceMeshControlPlane,
        Kind::IstioControlPlane,
    ];
    let (nb, n1, sb, s1) =
        ("networking.istio.io/v1beta1", "networking.istio.io/v1", "security.istio.io/v1beta1", "security.istio.io/v1");
    let (vap, route, enp, ovn, smcp, sail, no) = (
        "admissionregistration.k8s.io/v1",
        "route.openshift.io/v1",
        "network.openshift.io/v1",
        "k8s.ovn.org/v1",
        "maistra.io/v2",
        "sailoperator.io/v1",
        "-",
    );
    let table: &[(Flavor, &str, ClusterSetting, [&str; 9])] = &[
        (Flavor::Ossm2, "v2.4", Ocp("4.14"), [nb, sb, sb, no, route, enp, ovn, smcp, no]),
        (Flavor::Ossm2, "v2.5", Ocp("4.15"), [nb, sb, sb, no, route, enp, ovn, smcp, no]),
        (Flavor::Ossm2, "v2.5", Ocp("4.16"), [nb, sb, sb, no, route, enp, ovn, smcp, no]),
        (Flavor::Ossm2, "v2.6", Ocp("4.17"), [nb, sb, sb, vap, route, no, ovn, smcp, no]),
        (Flavor::Ossm2, "v2.6", Ocp("4.19"), [nb, sb, sb, vap, route, no, ovn, smcp, no]),
        (Flavor::Ossm2, "v2.6", ClusterSetting::Unset, [nb, sb, sb, no, route, enp, ovn, smcp, no]),
        (Flavor::Istio, "v1.16.7", K8s("1.27"), [nb, sb, sb, no, no, no, no, no, sail]),
        (Flavor::Istio, "v1.18", K8s("1.28"), [nb, sb, sb, no, no, no, no, no, sail]),
        (Flavor::Istio, "v1.21.6", K8s("1.29"), [nb, sb, sb, no, no, no, no, no, sail]),
        (Flavor::Istio, "v1.22.0", K8s("1.30"), [n1, s1, s1, vap, no, no, no, no, sail]),
        (Flavor::Istio, "v1.23", Ocp("4.16"), [n1, s1, s1, no, route, enp, ovn, no, sail]),
        (Flavor::Istio, "v1.24.3", K8s("1.31"), [n1, s1, s1, vap, no, no, no, no, sail]),
        (Flavor::Istio, "v1.24.3", Ocp("4.18"), [n1, s1, s1, vap, route, no, ovn, no, sail]),
        (Flavor::Istio, "v1.24", K8s("1.32"), [n1, s1, s1, vap, no, no, no, no, sail]),
        (Flavor::Istio, "v1.24", ClusterSetting::Unset, [n1, s1, s1, no, no, no, no, no, sail]),
    ];
    for (flavor, version, cluster, expected) in table {
        let t = target(*flavor, version, *cluster);
        let got: Vec<&str> = kinds.iter().map(|k| t.api_version(*k).map_or(no, |v| v.as_str())).collect();
        assert_eq!(got, expected, "{t}");
    }
}

/// The CRDs vendored for a target: kind → version name → openAPIV3Schema, and the served versions.
fn crds(target: &Target) -> BTreeMap<String, BTreeMap<String, Value>> {
    let mut out = BTreeMap::new();
    for file in target.schema_files(&data_dir()).expect("vendored") {
        if file.extension().is_some_and(|e| e == "json") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("readable");
        for doc in serde_norway::Deserializer::from_str(&text) {
            let crd = Value::deserialize(doc).expect("YAML");
            let kind = crd.pointer("/spec/names/kind").and_then(Value::as_str).expect("kind").to_string();
            let versions = crd.pointer("/spec/versions").and_then(Value::as_array).expect("versions");
            let by_version = versions
                .iter()
                .map(|v| (v["name"].as_str().expect("name").to_string(), v["schema"]["openAPIV3Schema"].clone()))
                .collect();
            out.insert(kind, by_version);
        }
    }
    out
}

/// The schema at `path` (`spec.servers[].tls.mode`) inside an openAPIV3Schema.
fn at_path<'a>(mut schema: &'a Value, path: &str) -> Option<&'a Value> {
    for part in path.split('.') {
        let (name, list) = part.strip_suffix("[]").map_or((part, false), |n| (n, true));
        schema = schema.get("properties")?.get(name)?;
        if list {
            schema = schema.get("items")?;
        }
    }
    Some(schema)
}

/// `Target::has_field` agrees with the vendored CRD of every supported Istio and OSSM release, at
/// the API version the target writes (source: the crd-all.gen.yaml of each release, see
/// data/platform/istio/SOURCES.md).
#[test]
fn fields_match_the_vendored_crds_of_every_release() {
    let mut checked = 0;
    let mut seen = BTreeSet::new();
    for t in Target::all_supported() {
        let key = (t.flavor() == Flavor::Ossm2, t.istio_version().minor());
        if !seen.insert(key) {
            continue;
        }
        let crds = crds(&t);
        for field in Field::ALL {
            let version = t.api_version(field.kind()).expect("served").version();
            let schema = &crds[field.kind().name()][version];
            let found = at_path(schema, field.path());
            let present = match field.enum_value() {
                None => found.is_some(),
                Some(value) => {
                    let values = found.and_then(|s| s.get("enum")).and_then(Value::as_array).expect("an enum");
                    values.iter().any(|v| v == value)
                }
            };
            assert_eq!(t.has_field(field), present, "{t}: {field:?} ({} {version})", field.path());
            checked += 1;
        }
    }
    assert_eq!(seen.len(), 9 + 3, "every Istio minor and every OSSM release");
    assert_eq!(checked, 12 * Field::ALL.len());
}

/// Every API version the model chooses for an Istio kind is served by the target's vendored CRD,
/// and a version it does not choose because it is absent (v1 before Istio 1.22) is absent there.
#[test]
fn chosen_istio_api_versions_are_served_by_the_vendored_crds() {
    let istio_kinds = [
        Kind::Gateway,
        Kind::VirtualService,
        Kind::DestinationRule,
        Kind::ServiceEntry,
        Kind::Sidecar,
        Kind::EnvoyFilter,
        Kind::AuthorizationPolicy,
        Kind::RequestAuthentication,
        Kind::PeerAuthentication,
        Kind::WasmPlugin,
    ];
    let mut seen = BTreeSet::new();
    for t in Target::all_supported() {
        if !seen.insert((t.flavor() == Flavor::Ossm2, t.istio_version().minor())) {
            continue;
        }
        let crds = crds(&t);
        for kind in istio_kinds {
            let chosen = t.api_version(kind).expect("served").version();
            assert!(crds[kind.name()].contains_key(chosen), "{t}: {kind} {chosen}");
        }
        let v1 = crds["VirtualService"].contains_key("v1");
        assert_eq!(v1, t.istio_version().minor() >= 22, "{t}: networking v1 served");
    }
}

/// Every supported target names schema files that exist and load without conflict, and they
/// register every kind the target serves (that has a vendored schema) at the chosen API version.
#[test]
fn every_target_has_a_schema_for_each_kind_it_serves() {
    // Each file is parsed once; a target's set is the union of its files' registrations.
    let mut registered: BTreeMap<PathBuf, Vec<(String, String, String)>> = BTreeMap::new();
    let without_schema =
        [Kind::Pod, Kind::IstioControlPlane, Kind::ConstraintTemplate, Kind::Constraint, Kind::ClusterPolicy];
    for t in Target::all_supported() {
        let files = t.schema_files(&data_dir()).unwrap_or_else(|e| panic!("{t}: {e}"));
        let mut union = BTreeSet::new();
        for file in files {
            let kinds = registered.entry(file.clone()).or_insert_with(|| {
                let mut set = SchemaSet::new();
                set.load_file(&file).unwrap_or_else(|e| panic!("{e}"));
                set.kinds()
            });
            for gvk in kinds.iter() {
                assert!(union.insert(gvk.clone()), "{t}: {gvk:?} registered twice");
            }
        }
        for kind in Kind::ALL.into_iter().filter(|k| t.serves(*k) && !without_schema.contains(k)) {
            let api = t.api_version(kind).expect("served");
            let gvk = (api.group().to_string(), api.version().to_string(), kind.name().to_string());
            assert!(union.contains(&gvk), "{t}: no schema for {api} {kind}");
        }
    }
    assert!(registered.len() > 60, "{} files", registered.len());
}

fn object(api_version: &str, kind: &str, spec: Value) -> Value {
    json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x", "namespace": "ns"}, "spec": spec})
}

fn valid(set: &SchemaSet, object: &Value) -> bool {
    match set.validate(object) {
        Validation::Valid => true,
        Validation::Invalid(errors) => {
            eprintln!("{} {}: {errors:?}", object["apiVersion"], object["kind"]);
            false
        }
        Validation::NoSchema { api_version, kind } => panic!("no schema for {api_version} {kind}"),
    }
}

fn no_schema(set: &SchemaSet, object: &Value) -> bool {
    matches!(set.validate(object), Validation::NoSchema { .. })
}

/// Representative objects validated against the schemas of their target: accepted where the
/// target serves the API version and has the field, refused otherwise.
#[test]
fn objects_validate_against_the_crds_of_their_target() {
    let prod = target(Flavor::Ossm2, "v2.5", ClusterSetting::OpenShift("4.16"));
    let dev = target(Flavor::Istio, "v1.24.3", ClusterSetting::Kubernetes("1.31"));
    let (prod_set, dev_set) = (schemas(&prod), schemas(&dev));

    let vs = |api: &str| {
        object(
            api,
            "VirtualService",
            json!({"hosts": ["a.example.com"], "gateways": ["istio-ingress/public"],
            "http": [{"route": [{"destination": {"host": "web.shop.svc.cluster.local", "port": {"number": 8080}}}]}]}),
        )
    };
    assert!(valid(&prod_set, &vs("networking.istio.io/v1beta1")));
    assert!(no_schema(&prod_set, &vs("networking.istio.io/v1")), "OSSM 2.5 does not serve networking v1");
    assert!(no_schema(&prod_set, &vs("networking.istio.io/v1alpha3")), "not vendored: meshedge never writes it");
    assert!(valid(&dev_set, &vs("networking.istio.io/v1")));
    assert!(valid(&dev_set, &vs(prod.api_version(Kind::VirtualService).expect("served").as_str())));

    // Gateway tls.caCertCredentialName: Istio 1.28+ only.
    let gateway = |api: &str, extra: Value| {
        let mut tls = json!({"mode": "MUTUAL", "credentialName": "cert"});
        tls.as_object_mut().expect("map").extend(extra.as_object().expect("map").clone());
        object(
            api,
            "Gateway",
            json!({"selector": {"istio": "ingressgateway"},
            "servers": [{"hosts": ["a.example.com"], "port": {"number": 443, "name": "https", "protocol": "HTTPS"}, "tls": tls}]}),
        )
    };
    for (t, set) in [(&prod, &prod_set), (&dev, &dev_set)] {
        let api = t.api_version(Kind::Gateway).expect("served").as_str();
        assert!(valid(set, &gateway(api, json!({}))), "{t}");
        assert!(!valid(set, &gateway(api, json!({"caCertCredentialName": "ca"}))), "{t}");
        assert!(!t.has_field(Field::GatewayTlsCaCertCredentialName));
    }
    // OPTIONAL_MUTUAL: not in OSSM 2.5's enum, in 1.24's.
    assert!(!valid(&prod_set, &gateway("networking.istio.io/v1beta1", json!({"mode": "OPTIONAL_MUTUAL"}))));
    assert!(valid(&dev_set, &gateway("networking.istio.io/v1", json!({"mode": "OPTIONAL_MUTUAL"}))));

    // DestinationRule tls.caCrl: Istio 1.22+.
    let dr = |api: &str, tls: Value| {
        object(api, "DestinationRule", json!({"host": "api.example.com", "trafficPolicy": {"tls": tls}}))
    };
    let origination = json!({"mode": "SIMPLE", "sni": "api.example.com", "subjectAltNames": ["api.example.com"], "insecureSkipVerify": false});
    assert!(valid(&prod_set, &dr("networking.istio.io/v1beta1", origination.clone())));
    assert!(!valid(&prod_set, &dr("networking.istio.io/v1beta1", json!({"mode": "SIMPLE", "caCrl": "/crl.pem"}))));
    assert!(valid(&dev_set, &dr("networking.istio.io/v1", json!({"mode": "SIMPLE", "caCrl": "/crl.pem"}))));

    // RequestAuthentication outputClaimToHeaders: OSSM 2.5 (Istio 1.18) yes, OSSM 2.4 (1.16) no.
    let ra = object(
        "security.istio.io/v1beta1",
        "RequestAuthentication",
        json!({"jwtRules": [{"issuer": "https://sso", "outputClaimToHeaders": [{"header": "x-sub", "claim": "sub"}]}]}),
    );
    assert!(valid(&prod_set, &ra));
    let ossm24 = target(Flavor::Ossm2, "v2.4", ClusterSetting::OpenShift("4.14"));
    assert!(!valid(&schemas(&ossm24), &ra));

    // ValidatingAdmissionPolicy v1: Kubernetes 1.30+ (OpenShift 4.17+).
    let policy = json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": "p"}, "spec": {"failurePolicy": "Fail", "validations": [{"expression": "true"}],
        "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"]}]}}});
    assert!(no_schema(&prod_set, &policy), "not served on OpenShift 4.16");
    assert!(valid(&dev_set, &policy));
    assert!(valid(&schemas(&target(Flavor::Ossm2, "v2.6", ClusterSetting::OpenShift("4.17"))), &policy));

    // OpenShift kinds exist only on OpenShift; the control-plane kinds follow the flavor.
    let route = json!({"apiVersion": "route.openshift.io/v1", "kind": "Route", "metadata": {"name": "r", "namespace": "n"},
        "spec": {"host": "a.apps.example.com", "to": {"kind": "Service", "name": "s"}}});
    assert!(valid(&prod_set, &route));
    assert!(no_schema(&dev_set, &route));
    let smcp = json!({"apiVersion": "maistra.io/v2", "kind": "ServiceMeshControlPlane", "metadata": {"name": "basic", "namespace": "istio-system"},
        "spec": {"version": "v2.5", "gateways": {"ingress": {"namespace": "istio-ingress"}}}});
    assert!(valid(&prod_set, &smcp));
    assert!(no_schema(&dev_set, &smcp));
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "n"},
        "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}},
        "spec": {"containers": [{"name": "c", "image": "i"}]}}}});
    assert!(valid(&prod_set, &deployment) && valid(&dev_set, &deployment));
}

/// Gatekeeper and Kyverno output is checked against the oldest and newest release meshedge
/// knows: a field one of them lacks is refused by that one.
#[test]
fn admission_engine_objects_validate_against_each_release() {
    let load = |path: &Path| {
        let mut set = SchemaSet::new();
        set.load_file(path).expect("loads");
        set
    };
    let template = |operations: bool| {
        let mut target = json!({"target": "admission.k8s.gatekeeper.sh", "rego": "package x\nviolation[{\"msg\": \"m\"}] { false }"});
        if operations {
            target["operations"] = json!(["CREATE"]);
        }
        json!({"apiVersion": "templates.gatekeeper.sh/v1", "kind": "ConstraintTemplate", "metadata": {"name": "k8sx"},
            "spec": {"crd": {"spec": {"names": {"kind": "K8sX"}}}, "targets": [target]}})
    };
    let gatekeeper = admission_engine_schema_files(AdmissionEngine::Gatekeeper, &data_dir()).expect("vendored");
    let results: Vec<(&str, bool, bool)> = gatekeeper
        .iter()
        .map(|(release, path)| {
            let set = load(path);
            (*release, valid(&set, &template(false)), valid(&set, &template(true)))
        })
        .collect();
    // targets[].operations: added by Gatekeeper 3.23 (not in 3.16).
    assert_eq!(results, [("3.16", true, false), ("3.23", true, true)]);

    let policy = |per_rule: bool| {
        let mut validate = json!({"message": "m", "cel": {"expressions": [{"expression": "true"}]}});
        if per_rule {
            validate["failureAction"] = json!("Enforce");
        }
        json!({"apiVersion": "kyverno.io/v1", "kind": "ClusterPolicy", "metadata": {"name": "p"},
            "spec": {"validationFailureAction": "Enforce", "rules": [{"name": "r",
            "match": {"any": [{"resources": {"kinds": ["Pod"]}}]}, "validate": validate}]}})
    };
    let kyverno = admission_engine_schema_files(AdmissionEngine::Kyverno, &data_dir()).expect("vendored");
    let results: Vec<(&str, bool, bool)> = kyverno
        .iter()
        .map(|(release, path)| {
            let set = load(path);
            (*release, valid(&set, &policy(false)), valid(&set, &policy(true)))
        })
        .collect();
    // validate.failureAction: added by Kyverno 1.13.
    assert_eq!(results, [("1.12", true, false), ("1.13", true, true)]);
}

/// A target without `cluster` is the oldest known cluster, marked as assumed.
#[test]
fn the_default_cluster_is_assumed() {
    let t = target(Flavor::Ossm2, "v2.5", ClusterSetting::Unset);
    assert!(t.cluster_assumed());
    assert_eq!(t.to_string(), "OpenShift Service Mesh 2.5 (Istio 1.18) on OpenShift 4.14 (Kubernetes 1.27), assumed");
    assert!(t.admission_engine_auto().is_err(), "no ValidatingAdmissionPolicy on the assumed cluster");
    let e = Target::new(Flavor::Ossm2, "v2.7", ClusterSetting::Unset).expect_err("unknown release");
    assert!(matches!(e, TargetError::UnsupportedControlPlaneVersion { .. }));
    assert_eq!(e.setting(), "mesh.controlPlane.version");
}

/// Every file under data/platform is used by some target or admission engine, and carries no
/// `description` keyword (the vendoring script strips them).
#[test]
fn vendored_platform_files_are_all_used_and_stripped() {
    let mut used: BTreeSet<PathBuf> = BTreeSet::new();
    for t in Target::all_supported() {
        used.extend(t.schema_files(&data_dir()).expect("vendored"));
    }
    for engine in [AdmissionEngine::Gatekeeper, AdmissionEngine::Kyverno] {
        used.extend(admission_engine_schema_files(engine, &data_dir()).expect("vendored").into_iter().map(|(_, p)| p));
    }
    let mut files = Vec::new();
    let mut pending = vec![data_dir().join("platform")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable").map(|e| e.expect("entry").path()) {
            if entry.is_dir() {
                pending.push(entry);
            } else if entry.file_name().is_some_and(|n| n != "SOURCES.md") {
                files.push(entry);
            }
        }
    }
    files.sort();
    let unused: Vec<&PathBuf> = files.iter().filter(|f| !used.contains(*f)).collect();
    assert!(unused.is_empty(), "vendored but never selected: {unused:?}");
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        assert!(!text.contains("description: ") && !text.contains("\"description\": \""), "{}", file.display());
    }
    assert!(files.len() > 60, "{} files", files.len());
}

/// Every object of every example environment uses an API version its target serves and validates
/// against the vendored schemas of that target (the admission engine's CRDs, for Gatekeeper and
/// Kyverno objects, at every release meshedge checks).
#[test]
fn every_example_object_validates_against_the_schemas_of_its_target() {
    use ClusterSetting::{Kubernetes as K8s, OpenShift as Ocp};
    let environments = [
        ("prod", target(Flavor::Ossm2, "v2.5", Ocp("4.16")), Some(AdmissionEngine::Gatekeeper)),
        ("dev", target(Flavor::Istio, "v1.24.3", K8s("1.31")), None),
        ("staging", target(Flavor::Ossm2, "v2.6", Ocp("4.18")), None),
    ];
    assert_eq!(common::environments(), ["dev", "prod", "staging"]);
    for (environment, t, engine) in environments {
        let build = common::build(&common::repo_root(), environment);
        let set = schemas(&t);
        let engine_sets: Vec<SchemaSet> = engine
            .map(|e| admission_engine_schema_files(e, &data_dir()).expect("vendored"))
            .into_iter()
            .flatten()
            .map(|(_, file)| {
                let mut set = SchemaSet::new();
                set.load_file(&file).unwrap_or_else(|e| panic!("{e}"));
                set
            })
            .collect();
        let served: BTreeSet<(String, String)> = Kind::ALL
            .into_iter()
            .filter_map(|k| t.api_version(k).ok().map(|api| (api.to_string(), k.name().to_string())))
            .collect();
        let constraints = t.api_version(Kind::Constraint).expect("served").to_string();
        let mut checked = 0;
        for object in &build.objects {
            let value = object.value();
            let (api, kind) = (value["apiVersion"].as_str().unwrap(), value["kind"].as_str().unwrap());
            if api == constraints {
                continue; // a kind its ConstraintTemplate declares: no vendored schema
            }
            assert!(
                served.contains(&(api.to_string(), kind.to_string())),
                "{environment}: {api} {kind} not served by {t}"
            );
            match set.validate(&value) {
                Validation::Valid => checked += 1,
                Validation::Invalid(errors) => {
                    panic!("{environment}: {kind} {}: {errors:?}", value["metadata"]["name"])
                }
                Validation::NoSchema { .. } => {
                    assert!(
                        ["ConstraintTemplate", "ClusterPolicy", "Istio"].contains(&kind),
                        "{environment}: no schema for {api} {kind}"
                    );
                    for engine_set in &engine_sets {
                        match engine_set.validate(&value) {
                            Validation::Valid => checked += 1,
                            other => panic!("{environment}: {kind}: {other:?}"),
                        }
                    }
                }
            }
        }
        assert!(checked > 50, "{environment}: {checked} objects checked");
    }
}

/// The example's dev environment moved to Istio 1.21 on Kubernetes 1.30: every object, the token
/// checks and login policies included, is written at the version that target chooses
/// (`security.istio.io/v1beta1`: PeerAuthentication v1 is first served in Istio 1.22, istio/istio
/// `manifests/charts/base/crds/crd-all.gen.yaml` at 1.21.6 and 1.22.0).
#[test]
fn an_older_istio_gets_every_object_at_the_api_version_it_serves() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for part in ["base", "environments/dev"] {
        common::copy_tree_reversed(&common::repo_root().join(part), &root.join(part));
    }
    let manifest = root.join("environments/dev/meshedge.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let text = text
        .replace("version: v1.24.3", "version: v1.21.6")
        .replace("kubernetesVersion: \"1.31\"", "kubernetesVersion: \"1.30\"");
    std::fs::write(&manifest, text).unwrap();
    let build = common::build(root, "dev");
    let t = target(Flavor::Istio, "v1.21.6", ClusterSetting::Kubernetes("1.30"));
    let chosen: BTreeMap<&str, String> =
        Kind::ALL.into_iter().filter_map(|k| t.api_version(k).ok().map(|api| (k.name(), api.to_string()))).collect();
    let mut security = 0;
    for object in &build.objects {
        let value = object.value();
        let (api, kind) = (value["apiVersion"].as_str().unwrap(), value["kind"].as_str().unwrap());
        assert_eq!(chosen.get(kind).map(String::as_str), Some(api), "{kind} {}", value["metadata"]["name"]);
        if ["RequestAuthentication", "AuthorizationPolicy"].contains(&kind) {
            assert_eq!(api, "security.istio.io/v1beta1");
            security += 1;
        }
    }
    assert!(security >= 1, "the login policy is written: {security}");
}

/// Every kind meshedge emits, grouped by how its API version is decided; the match has no
/// wildcard, so a new kind must join a column (and its fact a row) before this compiles.
fn column(kind: Kind) -> usize {
    match kind {
        Kind::Gateway | Kind::VirtualService | Kind::DestinationRule | Kind::ServiceEntry | Kind::Sidecar => 0,
        Kind::AuthorizationPolicy | Kind::RequestAuthentication | Kind::PeerAuthentication => 1,
        Kind::Telemetry => 2,
        Kind::EnvoyFilter | Kind::WasmPlugin => 3,
        Kind::ServiceMeshControlPlane | Kind::ServiceMeshMemberRoll => 4,
        Kind::IstioControlPlane => 5,
        Kind::Pod
        | Kind::Namespace
        | Kind::ConfigMap
        | Kind::Secret
        | Kind::Service
        | Kind::ServiceAccount
        | Kind::Deployment
        | Kind::NetworkPolicy
        | Kind::Role
        | Kind::RoleBinding
        | Kind::ClusterRole
        | Kind::ClusterRoleBinding => 6,
        Kind::ValidatingAdmissionPolicy | Kind::ValidatingAdmissionPolicyBinding => 7,
        Kind::Route => 8,
        Kind::EgressNetworkPolicy => 9,
        Kind::EgressFirewall | Kind::EgressIP => 10,
        Kind::Certificate => 11,
        Kind::ConstraintTemplate | Kind::Constraint => 12,
        Kind::ClusterPolicy => 13,
        Kind::ServiceMeshPeer | Kind::ExportedServiceSet | Kind::ImportedServiceSet => 14,
    }
}

/// The API version of every kind on every row of (flavor, control-plane version, cluster): the
/// Istio groups (istio/istio `crd-all.gen.yaml` per tag), the control plane (maistra/istio-operator
/// 8143614c manifests, sail-operator `sailoperator.io_istios.yaml`), Kubernetes core and
/// ValidatingAdmissionPolicy (kubernetes/apiserver `kube_features.go`, openshift/api
/// `release-4.17` `features.go`), Route and EgressNetworkPolicy (openshift/api `release-4.17`
/// `network/v1/types.go`), the OVN kinds, cert-manager, Gatekeeper (template and constraint) and
/// Kyverno; the source of each is in `Target::api_version`.
#[test]
fn api_versions_of_every_kind_by_flavor_version_and_cluster() {
    use ClusterSetting::{Kubernetes as K8s, OpenShift as Ocp};
    // A column's entry: the API version of each of its kinds in `Kind::ALL` order, `-` where not
    // served, joined by spaces.
    let core = "v1 v1 v1 v1 v1 v1 apps/v1 networking.k8s.io/v1 rbac.authorization.k8s.io/v1 \
                rbac.authorization.k8s.io/v1 rbac.authorization.k8s.io/v1 rbac.authorization.k8s.io/v1";
    let (nb, n1) = ("networking.istio.io/v1beta1 ".repeat(5), "networking.istio.io/v1 ".repeat(5));
    let (sb, s1) = ("security.istio.io/v1beta1 ".repeat(3), "security.istio.io/v1 ".repeat(3));
    let (ta, t1) = ("telemetry.istio.io/v1alpha1", "telemetry.istio.io/v1");
    let ext = "networking.istio.io/v1alpha3 extensions.istio.io/v1alpha1";
    let (smcp, sail) = ("maistra.io/v2 maistra.io/v1", "sailoperator.io/v1");
    let vap = "admissionregistration.k8s.io/v1 admissionregistration.k8s.io/v1";
    let (route, enp, ovn) = ("route.openshift.io/v1", "network.openshift.io/v1", "k8s.ovn.org/v1 k8s.ovn.org/v1");
    let (cert, gk, kyv) =
        ("cert-manager.io/v1", "templates.gatekeeper.sh/v1 constraints.gatekeeper.sh/v1beta1", "kyverno.io/v1");
    let (no1, no2, no3) = ("-", "- -", "- - -");
    // maistra/api `manifests/federation.maistra.io_*.yaml` (maistra-2.4 … 2.6): v1 only.
    let fed = "federation.maistra.io/v1 federation.maistra.io/v1 federation.maistra.io/v1";
    #[rustfmt::skip]
    let table: &[(Flavor, &str, ClusterSetting, [&str; 15])] = &[
        (Flavor::Ossm2, "v2.4", Ocp("4.14"), [&nb, &sb, ta, ext, smcp, no1, core, no2, route, enp, ovn, cert, gk, kyv, fed]),
        (Flavor::Ossm2, "v2.5", Ocp("4.16"), [&nb, &sb, ta, ext, smcp, no1, core, no2, route, enp, ovn, cert, gk, kyv, fed]),
        (Flavor::Ossm2, "v2.6", Ocp("4.17"), [&nb, &sb, ta, ext, smcp, no1, core, vap, route, no1, ovn, cert, gk, kyv, fed]),
        (Flavor::Ossm2, "v2.6", Ocp("4.19"), [&nb, &sb, ta, ext, smcp, no1, core, vap, route, no1, ovn, cert, gk, kyv, fed]),
        (Flavor::Ossm2, "v2.6", ClusterSetting::Unset, [&nb, &sb, ta, ext, smcp, no1, core, no2, route, enp, ovn, cert, gk, kyv, fed]),
        (Flavor::Istio, "v1.16.7", K8s("1.27"), [&nb, &sb, ta, ext, no2, sail, core, no2, no1, no1, no2, cert, gk, kyv, no3]),
        (Flavor::Istio, "v1.21.6", K8s("1.30"), [&nb, &sb, ta, ext, no2, sail, core, vap, no1, no1, no2, cert, gk, kyv, no3]),
        (Flavor::Istio, "v1.22.0", K8s("1.29"), [&n1, &s1, t1, ext, no2, sail, core, no2, no1, no1, no2, cert, gk, kyv, no3]),
        (Flavor::Istio, "v1.23", Ocp("4.16"), [&n1, &s1, t1, ext, no2, sail, core, no2, route, enp, ovn, cert, gk, kyv, no3]),
        (Flavor::Istio, "v1.24.3", Ocp("4.18"), [&n1, &s1, t1, ext, no2, sail, core, vap, route, no1, ovn, cert, gk, kyv, no3]),
        (Flavor::Istio, "v1.24", K8s("1.32"), [&n1, &s1, t1, ext, no2, sail, core, vap, no1, no1, no2, cert, gk, kyv, no3]),
        (Flavor::Istio, "v1.24", ClusterSetting::Unset, [&n1, &s1, t1, ext, no2, sail, core, no2, no1, no1, no2, cert, gk, kyv, no3]),
    ];
    for (flavor, version, cluster, expected) in table {
        let t = target(*flavor, version, *cluster);
        let mut got = vec![Vec::new(); 15];
        for kind in Kind::ALL {
            got[column(kind)].push(t.api_version(kind).map_or("-", |v| v.as_str()));
        }
        let got: Vec<String> = got.iter().map(|c| c.join(" ")).collect();
        let expected: Vec<String> = expected.iter().map(|e| e.trim_end().to_string()).collect();
        assert_eq!(got, expected, "{t}");
    }
}

/// Upstream Istio reads a gateway's client CA from `<credentialName>-cacert` as OSSM 2 does
/// (istio/istio 1.24.3 `pilot/pkg/credentials/kube/secrets.go` `GetCaCert`), so a credential name
/// too long for that Secret name is refused on the `istio` flavor too (E439).
#[test]
fn a_credential_name_too_long_for_its_ca_secret_is_refused_on_upstream_istio() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for part in ["base", "environments/dev"] {
        common::copy_tree_reversed(&common::repo_root().join(part), &root.join(part));
    }
    let long = format!("{}.{}.{}.{}", "a".repeat(61), "b".repeat(61), "c".repeat(61), "d".repeat(63));
    assert_eq!(long.len(), 249);
    let file = root.join("base/tenants/payments/gateway.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let text = text.replace("credentialName: partner-api-tls ", &format!("credentialName: {long} "));
    std::fs::write(&file, text).unwrap();
    let Err(failed) = meshedge::compiler::compile(&meshedge::source::FsSource::new(root), "environments/dev") else {
        panic!("refused");
    };
    let rendered = failed.render();
    assert!(rendered.contains("error[E439]"), "{rendered}");
    assert!(rendered.contains("base/tenants/payments/gateway.yaml"), "{rendered}");
}
