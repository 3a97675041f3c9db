//! The validator against the vendored schemas.

use super::*;
use serde_json::json;
use std::sync::OnceLock;

fn dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/schemas"))
}

fn load(files: &[&str]) -> SchemaSet {
    let mut set = SchemaSet::new();
    files.iter().for_each(|f| set.load_file(&dir().join(f)).expect("vendored schema loads"));
    set
}

fn istio() -> &'static SchemaSet {
    static S: OnceLock<SchemaSet> = OnceLock::new();
    S.get_or_init(|| load(&["istio-crd-all.gen.yaml", "k8s-openapi-v3/api__v1_openapi.json"]))
}

fn errors(set: &SchemaSet, v: &Value) -> Vec<String> {
    match set.validate(v) {
        Validation::Invalid(mut e) => {
            e.sort();
            e
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn gateway(api_version: &str) -> Value {
    json!({"apiVersion": api_version, "kind": "Gateway",
           "metadata": {"name": "edge", "namespace": "mesh", "labels": {"app.kubernetes.io/name": "edge"}},
           "spec": {"selector": {"istio": "ingressgateway"}, "servers": [{
               "port": {"number": 443, "name": "https", "protocol": "HTTPS"}, "hosts": ["a.example.com"],
               "tls": {"mode": "SIMPLE", "credentialName": "a-cert"}}]}})
}

#[test]
fn istio_gateway_valid_unknown_field_enum_and_metadata() {
    let set = istio();
    assert_eq!(set.validate(&gateway("networking.istio.io/v1")), Validation::Valid);
    let mut g = gateway("networking.istio.io/v1");
    g["spec"]["servers"][0]["foo"] = json!(1);
    g["spec"]["servers"][0]["tls"]["mode"] = json!("FOO");
    g["spec"]["servers"][0]["port"].as_object_mut().map(|p| p.remove("name"));
    g["metadata"]["bogus"] = json!("x");
    g["metadata"]["labels"]["a.b/c"] = json!(3);
    assert_eq!(
        errors(set, &g),
        [
            "metadata.bogus: unknown field",
            r#"metadata.labels["a.b/c"]: expected string, got 3"#,
            "spec.servers[0].foo: unknown field",
            "spec.servers[0].port.name: required field missing",
            r#"spec.servers[0].tls.mode: "FOO" is not one of ["PASSTHROUGH","SIMPLE","MUTUAL","AUTO_PASSTHROUGH","ISTIO_MUTUAL","OPTIONAL_MUTUAL"]"#,
        ]
    );
    g = gateway("networking.istio.io/v1");
    g["metadata"].as_object_mut().map(|m| m.remove("name"));
    g["spec"]["servers"][0]["port"]["number"] = json!("443");
    g["spec"]["servers"][0]["tls"]["insecureSkipVerify"] = Value::Null; // nullable: true
    g["spec"]["servers"][0]["tls"]["credentialNames"] = json!(["a", "b", "c"]);
    assert_eq!(
        errors(set, &g),
        [
            "metadata.name: required string field missing",
            r#"spec.servers[0].port.number: expected integer, got "443""#,
            "spec.servers[0].tls.credentialNames: item count 3 is greater than maxItems 2",
        ]
    );
}

#[test]
fn istio_one_of_mutual_exclusion() {
    let vs = |uri: Value| {
        json!({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "vs"},
               "spec": {"hosts": ["a"], "http": [{"match": [{"uri": uri}],
                                                  "route": [{"destination": {"host": "b"}}]}]}})
    };
    assert_eq!(istio().validate(&vs(json!({"prefix": "/"}))), Validation::Valid);
    assert_eq!(istio().validate(&vs(json!({}))), Validation::Valid);
    assert_eq!(
        errors(istio(), &vs(json!({"prefix": "/", "exact": "/x"}))),
        ["spec.http[0].match[0].uri: matches 2 oneOf alternatives ({exact}, {prefix}), expected one"]
    );
}

fn service(target_port: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "labels": {"a": "b"}},
           "spec": {"selector": {"app": "s"},
                    "ports": [{"name": "https", "port": 443, "targetPort": target_port}]}})
}

#[test]
fn core_service_from_openapi_with_int_or_string_and_list_map_keys() {
    let set = istio();
    assert_eq!(set.validate(&service(json!("https"))), Validation::Valid);
    assert_eq!(set.validate(&service(json!(8443))), Validation::Valid);
    assert_eq!(
        errors(set, &service(json!(true))),
        [
            "spec.ports[0].targetPort: matches none of the oneOf alternatives (expected integer, got true | expected string, got true)"
        ]
    );
    let mut s = service(json!(8443));
    s["spec"]["typo"] = json!("x");
    s["metadata"]["labels"]["n"] = json!(1);
    s["spec"]["ports"] = json!([s["spec"]["ports"][0], {"name": "again", "port": 443}]);
    s["spec"]["ports"][0]["protocol"] = Value::Null;
    assert_eq!(
        errors(set, &s),
        [
            "metadata.labels.n: expected string, got 1",
            "spec.ports[0].protocol: null is not allowed here (not nullable)",
            "spec.ports[1]: duplicate entry in list-type map (keys port, protocol)",
            "spec.typo: unknown field",
        ]
    );
}

#[test]
fn unknown_kinds_odd_input_and_recursive_refs() {
    let no = |a: &str, k: &str| Validation::NoSchema { api_version: a.into(), kind: k.into() };
    let widget = json!({"apiVersion": "example.com/v1", "kind": "Widget"});
    assert_eq!(istio().validate(&widget), no("example.com/v1", "Widget"));
    assert_eq!(istio().validate(&gateway("networking.istio.io/v9")), no("networking.istio.io/v9", "Gateway"));
    for v in
        [json!(null), json!([1]), json!({"kind": 1}), json!({"apiVersion": "v1", "kind": "Service", "metadata": 3})]
    {
        assert!(matches!(istio().validate(&v), Validation::Invalid(_)), "{v}");
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let doc = json!({"components": {"schemas": {
        "T": {"type": "object", "x-kubernetes-group-version-kind": [{"group": "t.io", "version": "v1", "kind": "T"}],
              "properties": {"metadata": {"type": "object"},
                             "next": {"allOf": [{"$ref": "#/components/schemas/T"}]},
                             "loop": {"$ref": "#/components/schemas/L"},
                             "gone": {"$ref": "#/components/schemas/X"}}},
        "L": {"allOf": [{"$ref": "#/components/schemas/L"}]}}}});
    std::fs::write(tmp.path().join("t.json"), doc.to_string()).expect("write");
    let set = SchemaSet::load_dir(tmp.path()).expect("loads");
    let mut deep = json!({"apiVersion": "t.io/v1", "kind": "T", "metadata": {"name": "t"}});
    assert_eq!(set.validate(&deep), Validation::Valid);
    for _ in 0..1000 {
        deep = json!({"next": deep});
    }
    let deep =
        json!({"apiVersion": "t.io/v1", "kind": "T", "metadata": {"name": "t"}, "next": deep, "loop": 1, "gone": 2});
    let e = errors(&set, &deep);
    assert_eq!(e[0], "gone: unresolvable $ref #/components/schemas/X");
    assert!(e[1].starts_with("loop: nesting too deep") && e[2].ends_with(".next.next: nesting too deep"), "{e:?}");
}

#[test]
fn ossm_serves_v1beta1_not_v1_and_dir_conflicts_are_errors() {
    let ossm = load(&["ossm-2.5-istio-crds.yaml"]);
    assert_eq!(ossm.validate(&gateway("networking.istio.io/v1beta1")), Validation::Valid);
    assert!(matches!(ossm.validate(&gateway("networking.istio.io/v1")), Validation::NoSchema { .. }));
    assert_eq!(ossm.kinds().iter().filter(|(g, ..)| g == "networking.istio.io").count(), 16);
    let err = SchemaSet::load_dir(&dir()).err().unwrap_or_default();
    assert!(err.contains("ossm-2.") && err.contains("already registered"), "{err}");
    let err = SchemaSet::load_dir_except(&dir(), &["ossm-2.5-istio-crds.yaml"]).err().unwrap_or_default();
    assert!(err.contains("ossm-2.6-istio-crds.yaml") && err.contains("already registered"), "{err}");
    let all = SchemaSet::load_dir_except(&dir(), &["ossm-2.5-istio-crds.yaml", "ossm-2.6-istio-crds.yaml"])
        .expect("all other schemas load");
    let kinds = all.kinds();
    for k in [("route.openshift.io", "v1", "Route"), ("apps", "v1", "Deployment"), ("", "v1", "Service")] {
        assert!(kinds.contains(&(k.0.into(), k.1.into(), k.2.into())), "{k:?}");
    }
    let dep = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
        "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}},
        "spec": {"containers": [{"name": "c", "image": "i",
                                 "resources": {"limits": {"cpu": "1", "memory": 1e9}}}]}}}});
    assert_eq!(all.validate(&dep), Validation::Valid);
}

#[test]
fn crd_semantics_from_a_small_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let crd = r#"
kind: ConfigMap
---
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
spec:
  group: example.com
  names: {kind: Widget}
  versions:
  - name: v1
    served: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          metadata: {type: object, properties: {name: {type: string, maxLength: 8}}}
          spec:
            type: object
            required: [size]
            properties:
              size: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
              name: {type: string, pattern: '^[a-z]+$', maxLength: 5}
              bad: {type: string, pattern: '(?<=x)y'}
              free:
                type: object
                x-kubernetes-preserve-unknown-fields: true
                properties: {n: {type: integer, minimum: 1}}
              empty: {type: object}
              tags: {type: object, additionalProperties: {type: string}}
  - {name: v0, served: false, schema: {openAPIV3Schema: {type: object}}}
"#;
    std::fs::write(tmp.path().join("w.yaml"), crd).expect("write");
    std::fs::write(tmp.path().join("broken.yml"), "a: [").expect("write");
    assert!(SchemaSet::load_dir(tmp.path()).is_err());
    let set = SchemaSet::load_dir_except(tmp.path(), &["broken.yml"]).expect("loads");
    assert_eq!(set.kinds(), [("example.com".into(), "v1".into(), "Widget".into())]);
    let w = |spec: Value| json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec});
    let ok = json!({"size": "1Gi", "name": "abc", "bad": "anything", "free": {"n": 2, "x": {"y": 1}}, "empty": {}, "tags": {"a": "b"}});
    assert_eq!(set.validate(&w(ok)), Validation::Valid);
    let bad = json!({"size": 1.5, "name": "abcdef1", "free": {"n": 0}, "empty": {"k": 1}, "tags": {"a": 1}});
    assert_eq!(
        errors(&set, &w(bad)),
        [
            "spec.empty.k: unknown field",
            "spec.free.n: 0 is less than minimum 1",
            r#"spec.name: "abcdef1" does not match pattern "^[a-z]+$""#,
            "spec.name: length 7 is greater than maxLength 5",
            "spec.size: expected integer or string, got 1.5",
            "spec.tags.a: expected string, got 1",
        ]
    );
    assert_eq!(errors(&set, &w(json!({}))), ["spec.size: required field missing"]);
    let mut long = w(json!({"size": 1}));
    long["metadata"] = json!({"name": "much-too-long", "labels": {"a": "b"}, "bogus": "u"});
    assert_eq!(
        errors(&set, &long),
        ["metadata.bogus: unknown field", "metadata.name: length 13 is greater than maxLength 8"]
    );
}

#[test]
fn a_missing_api_version_or_kind_is_named_alone() {
    let set = istio();
    let mut g = gateway("networking.istio.io/v1");
    g.as_object_mut().map(|m| m.remove("apiVersion"));
    assert_eq!(errors(set, &g), ["apiVersion: required string field missing"]);
    let mut g = gateway("networking.istio.io/v1");
    g.as_object_mut().map(|m| m.remove("kind"));
    assert_eq!(errors(set, &g), ["kind: required string field missing"]);
    assert_eq!(
        errors(set, &json!({"metadata": {"name": "x"}})),
        ["apiVersion: required string field missing", "kind: required string field missing"]
    );
}

/// The metadata `kubectl create --dry-run=client -o yaml` writes, and every ObjectMeta field
/// the API server keeps, pass on a built-in kind, in a pod template and on a custom resource;
/// an unknown metadata field or a wrong type still fails.
#[test]
fn every_kind_s_metadata_is_object_meta() {
    let set = load(&[
        "istio-crd-all.gen.yaml",
        "k8s-openapi-v3/api__v1_openapi.json",
        "k8s-openapi-v3/apis__apps__v1_openapi.json",
    ]);
    let meta = serde_json::json!({
        "name": "a", "namespace": "n", "creationTimestamp": null, "uid": "u-1", "resourceVersion": "7",
        "generation": 3, "managedFields": [{"manager": "kubectl"}], "deletionGracePeriodSeconds": 30,
        "labels": {"app": "a"}, "annotations": null,
    });
    let configmap = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta});
    assert_eq!(set.validate(&configmap), Validation::Valid);
    let deployment = serde_json::json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
        "spec": {"selector": {"matchLabels": {"app": "a"}}, "template": {
            "metadata": {"creationTimestamp": null, "labels": {"app": "a"}},
            "spec": {"containers": [{"name": "c", "image": "i"}]}}},
    });
    assert_eq!(set.validate(&deployment), Validation::Valid);
    let mut with_time = meta.clone();
    with_time["creationTimestamp"] = "2026-01-01T00:00:00Z".into();
    let gateway = serde_json::json!({"apiVersion": "networking.istio.io/v1", "kind": "Gateway", "metadata": with_time, "spec": {}});
    assert_eq!(set.validate(&gateway), Validation::Valid);

    let mut bad = meta.clone();
    bad["bogus"] = 1.into();
    bad["generation"] = "three".into();
    let configmap = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": bad});
    let Validation::Invalid(errs) = set.validate(&configmap) else { panic!("invalid") };
    assert!(errs.contains(&"metadata.bogus: unknown field".to_string()), "{errs:?}");
    assert!(errs.iter().any(|e| e.starts_with("metadata.generation: expected integer")), "{errs:?}");
}

#[test]
fn validation_work_is_bounded_by_the_object_s_size() {
    // Alternatives nested 60 deep, two per level, all failing: 2^60 applications unbounded.
    let mut schemas = serde_json::Map::new();
    for i in 0..60 {
        let next = json!({"$ref": format!("#/components/schemas/A{}", i + 1)});
        schemas.insert(format!("A{i}"), json!({"anyOf": [next, next]}));
    }
    schemas.insert("A60".into(), json!({"type": "string"}));
    schemas.insert(
        "T".into(),
        json!({"type": "object", "x-kubernetes-group-version-kind": [{"group": "t.io", "version": "v1", "kind": "T"}],
               "properties": {"metadata": {"type": "object"}, "x": {"$ref": "#/components/schemas/A0"}}}),
    );
    let mut set = SchemaSet::new();
    set.load_text("t.json", &json!({"components": {"schemas": schemas}}).to_string(), true).expect("loads");
    assert!(set.ref_cycles().is_empty());
    let e = errors(&set, &json!({"apiVersion": "t.io/v1", "kind": "T", "metadata": {"name": "t"}, "x": 1}));
    assert_eq!(e.last().map(String::as_str), Some(format!("<root>: {}", super::OVER_BUDGET).as_str()), "{e:?}");
    // The cycle of `$ref`s alone is found at load.
    let cyclic = json!({"components": {"schemas": {"R": {"allOf": [{"$ref": "#/components/schemas/S"}]},
                                                  "S": {"anyOf": [{"$ref": "#/components/schemas/R"}]}}}});
    set.load_text("c.json", &cyclic.to_string(), true).expect("loads");
    let c = &set.ref_cycles()[0];
    assert_eq!((c.source.as_str(), c.schema.as_str(), c.through.join(" ")), ("c.json", "R", "R S R".into()));
}
