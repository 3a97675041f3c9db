//! Mesh federation, end to end: the objects a build emits for `settings.mesh.federation` and
//! the requests' exports and imports, their validity against the vendored CRDs, and the errors
//! E470–E481 (exit status 1, nothing on stdout, the code, `--> file:line:col` and a help line
//! on stderr).

mod common;

use std::process::Output;

use common::TempRepo;
use common::fixture::{Base, assert_refused, documents, location_on_line as at};
use meshedge::platform::{ClusterSetting, Target};
use meshedge::stages::{Flavor, SchemaSet, Validation};
use serde_json::Value;

const PEERS: &str = r#"
    federation:
      trustDomain: prod.mesh.example
      peers:
        - name: partner
          remote: {addresses: [federation.partner.example, 192.0.2.7]}
          trustDomain: mesh.partner.example
          clientID: mesh.partner.example/ns/partner-system/sa/prod-egress-service-account
          caCertificate: {configMap: partner-ca-root-cert}
          allowedTenants: [shop, billing]
"#;

/// The base layer: `flavor`, the control plane managed, an ingress gateway, and `federation`
/// (the text under `mesh:`, indented by four spaces).
fn base(flavor: &'static str, federation: &str) -> String {
    let version = if flavor == "istio" { "v1.24.3" } else { "v2.5" };
    Base::managed(flavor, version)
        .mesh(federation.strip_prefix('\n').unwrap_or(federation))
        .public("        exposure: route\n")
        .text()
}

fn request(federation: &str) -> String {
    format!(
        "apiVersion: meshedge.io/v1alpha1\nkind: EdgeRequest\nmetadata:\n  name: federation\nspec:\n  federation:\n{federation}"
    )
}

const SHOP: &str = "    exports:\n      - {service: orders, peer: partner}\n    imports:\n      - {peer: partner, service: rates, namespace: fx, as: fx-rates}\n";

/// Builds `prod` on `base` with the tenants `shop`, `billing` and `blog`, whose requests'
/// `spec.federation` are given (empty: no request).
fn build(base: &str, requests: &[(&str, &str)]) -> Output {
    let repo = TempRepo::prod_on(base);
    for name in ["shop", "billing", "blog"] {
        repo.tenant(name);
    }
    for (name, federation) in requests {
        repo.write(&format!("base/tenants/{name}/federation.yaml"), &request(federation));
    }
    repo.build()
}

fn one<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    let all: Vec<&Value> = docs.iter().filter(|d| d["kind"] == kind).collect();
    assert_eq!(all.len(), 1, "one {kind}");
    all[0]
}

#[test]
fn a_peer_gets_its_service_mesh_peer_service_sets_and_gateways() {
    let output = build(&base("ossm2", PEERS), &[("shop", SHOP)]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let docs = documents(&output.stdout);
    let peer = one(&docs, "ServiceMeshPeer");
    assert_eq!(peer["apiVersion"], "federation.maistra.io/v1");
    assert_eq!(
        (&peer["metadata"]["name"], &peer["metadata"]["namespace"]),
        (&"partner".into(), &"istio-system".into())
    );
    assert_eq!(peer["spec"]["remote"]["addresses"], serde_json::json!(["federation.partner.example", "192.0.2.7"]));
    assert_eq!(
        (&peer["spec"]["remote"]["discoveryPort"], &peer["spec"]["remote"]["servicePort"]),
        (&8188.into(), &15443.into())
    );
    assert_eq!(peer["spec"]["gateways"]["ingress"]["name"], "partner-ingress");
    assert_eq!(peer["spec"]["gateways"]["egress"]["name"], "partner-egress");
    assert_eq!(
        peer["spec"]["security"]["certificateChain"],
        serde_json::json!({"kind": "ConfigMap", "name": "partner-ca-root-cert"})
    );
    assert_eq!(peer["spec"]["security"]["trustDomain"], "mesh.partner.example");
    let exported = one(&docs, "ExportedServiceSet");
    assert_eq!(exported["metadata"]["name"], "partner");
    assert_eq!(
        exported["spec"]["exportRules"],
        serde_json::json!([{"type": "NameSelector", "nameSelector": {"namespace": "shop", "name": "orders"}}])
    );
    let imported = one(&docs, "ImportedServiceSet");
    assert_eq!(
        imported["spec"]["importRules"],
        serde_json::json!([{"type": "NameSelector", "nameSelector": {
            "namespace": "fx", "name": "rates", "alias": {"namespace": "shop", "name": "fx-rates"}}}])
    );
    let smcp = one(&docs, "ServiceMeshControlPlane");
    assert_eq!(smcp["spec"]["security"]["trust"]["domain"], "prod.mesh.example");
    let ingress = &smcp["spec"]["gateways"]["additionalIngress"]["partner-ingress"];
    assert_eq!(ingress["namespace"], "istio-system");
    assert_eq!(ingress["service"]["type"], "LoadBalancer");
    // Not the chart's default `istio: ingressgateway`, which the public Gateway selects.
    assert_eq!(ingress["service"]["metadata"]["labels"]["istio"], "partner-ingress");
    let egress = &smcp["spec"]["gateways"]["additionalEgress"]["partner-egress"];
    assert_eq!(egress["requestedNetworkView"], serde_json::json!(["network-partner"]));
    let ports: Vec<u64> =
        egress["service"]["ports"].as_array().expect("ports").iter().filter_map(|p| p["port"].as_u64()).collect();
    assert_eq!(ports, [15443, 8188]);

    // Every federation object, and the SMCP that declares the gateways, validates against the
    // CRDs the target installs.
    let target = Target::new(Flavor::Ossm2, "v2.5", ClusterSetting::OpenShift("4.16")).expect("a target");
    let mut schemas = SchemaSet::new();
    for file in target.schema_files(&common::repo_root().join("data")).expect("vendored") {
        schemas.load_file(&file).expect("a schema");
    }
    for kind in ["ServiceMeshPeer", "ExportedServiceSet", "ImportedServiceSet", "ServiceMeshControlPlane"] {
        assert_eq!(schemas.validate(one(&docs, kind)), Validation::Valid, "{kind}");
    }
}

#[test]
fn without_peers_nothing_changes() {
    let output = build(&base("ossm2", ""), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    for absent in ["federation.maistra.io", "trust:", "requestedNetworkView", "-egress:"] {
        assert!(!text.contains(absent), "{absent}");
    }
}

#[test]
fn a_peer_without_its_client_identity_is_refused() {
    let peers = PEERS
        .replace("          clientID: mesh.partner.example/ns/partner-system/sa/prod-egress-service-account\n", "");
    let base = base("ossm2", &peers);
    assert_refused(
        &build(&base, &[]),
        "E470",
        &at("base/meshedge.yaml", &base, "- name: partner", "name"),
        &["has no `clientID`"],
    );
}

#[test]
fn a_federation_without_the_mesh_trust_domain_is_refused() {
    let base = base("ossm2", &PEERS.replace("      trustDomain: prod.mesh.example\n", ""));
    assert_refused(
        &build(&base, &[]),
        "E470",
        &at("base/meshedge.yaml", &base, "federation:", "federation"),
        &["has no `trustDomain`"],
    );
}

#[test]
fn a_peer_sharing_the_mesh_trust_domain_is_refused() {
    let base = base("ossm2", &PEERS.replace("trustDomain: mesh.partner.example", "trustDomain: prod.mesh.example"));
    // The peer's trustDomain, the last line that names the domain.
    let location = at("base/meshedge.yaml", &base, "trustDomain: prod.mesh.example", "trustDomain");
    assert_refused(&build(&base, &[]), "E471", &location, &["which is this mesh's too"]);
}

const ISTIO_PEERS: &str = r#"
    federation:
      trustDomain: prod.mesh.example
      peers:
        - name: partner
          remote: {addresses: [192.0.2.7, 198.51.100.9]}
          trustDomain: mesh.partner.example
          network: partner-net
          sharedRootOfTrust: true
          allowedTenants: [shop, billing]
"#;

/// The base layer on upstream Istio 1.24 on Kubernetes 1.31.
fn istio_base(federation: &str) -> String {
    base("istio", federation)
        .replace("  cluster:\n    openshiftVersion: \"4.16\"\n", "  cluster:\n    kubernetesVersion: \"1.31\"\n")
        .replace("        exposure: route\n", "")
}

const ISTIO_SHOP: &str = "    exports:\n      - {service: orders, peer: partner}\n    imports:\n      - {peer: partner, service: rates, namespace: fx, port: 8080}\n";

#[test]
fn on_upstream_istio_exports_get_the_east_west_gateway_and_imports_a_service_entry() {
    let output = build(&istio_base(ISTIO_PEERS), &[("shop", ISTIO_SHOP)]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let docs = documents(&output.stdout);
    assert!(!String::from_utf8_lossy(&output.stdout).contains("federation.maistra.io"));
    // istio/istio 1.24.6 samples/multicluster/expose-services.yaml, hosts narrowed to the exports.
    let gateway: Vec<&Value> = docs.iter().filter(|d| d["kind"] == "Gateway").collect();
    let gateway =
        gateway.iter().find(|g| g["metadata"]["name"] == "cross-network-gateway").expect("the east-west Gateway");
    assert_eq!(gateway["apiVersion"], "networking.istio.io/v1");
    assert_eq!(gateway["metadata"]["namespace"], "istio-system");
    assert_eq!(
        gateway["spec"],
        serde_json::json!({"selector": {"istio": "eastwestgateway"}, "servers": [{
            "port": {"number": 15443, "name": "tls", "protocol": "TLS"},
            "hosts": ["orders.shop.svc.cluster.local"],
            "tls": {"mode": "AUTO_PASSTHROUGH"}}]})
    );
    let entries: Vec<&Value> = docs.iter().filter(|d| d["kind"] == "ServiceEntry").collect();
    let entry =
        entries.iter().find(|e| e["metadata"]["name"] == "partner-fx-rates").expect("the import's ServiceEntry");
    assert_eq!(entry["metadata"]["namespace"], "shop");
    assert_eq!(
        entry["spec"],
        serde_json::json!({
            "hosts": ["rates.fx.svc.cluster.local"],
            "ports": [{"number": 8080, "name": "tcp", "protocol": "TCP"}],
            "location": "MESH_INTERNAL",
            "resolution": "STATIC",
            "endpoints": [
                {"address": "192.0.2.7", "labels": {"security.istio.io/tlsMode": "istio"},
                 "ports": {"tcp": 15443}, "network": "partner-net"},
                {"address": "198.51.100.9", "labels": {"security.istio.io/tlsMode": "istio"},
                 "ports": {"tcp": 15443}, "network": "partner-net"}],
            "exportTo": ["."]})
    );

    let target = Target::new(Flavor::Istio, "v1.24", ClusterSetting::Kubernetes("1.31")).expect("a target");
    let mut schemas = SchemaSet::new();
    for file in target.schema_files(&common::repo_root().join("data")).expect("vendored") {
        schemas.load_file(&file).expect("a schema");
    }
    assert_eq!(schemas.validate(gateway), Validation::Valid, "Gateway");
    assert_eq!(schemas.validate(entry), Validation::Valid, "ServiceEntry");
}

#[test]
fn on_upstream_istio_a_peer_named_by_host_name_is_resolved_by_dns() {
    let peers = ISTIO_PEERS.replace("[192.0.2.7, 198.51.100.9]", "[eastwest.partner.example]");
    let output = build(&istio_base(&peers), &[("shop", ISTIO_SHOP)]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let docs = documents(&output.stdout);
    let entry = docs.iter().find(|d| d["kind"] == "ServiceEntry" && d["metadata"]["name"] == "partner-fx-rates");
    let entry = entry.expect("the import's ServiceEntry");
    assert_eq!(entry["spec"]["resolution"], "DNS");
    assert_eq!(entry["spec"]["endpoints"][0]["address"], "eastwest.partner.example");
}

#[test]
fn on_upstream_istio_without_exports_there_is_no_east_west_gateway() {
    let imports = "    imports:\n      - {peer: partner, service: rates, namespace: fx, port: 8080}\n";
    let output = build(&istio_base(ISTIO_PEERS), &[("shop", imports)]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!String::from_utf8_lossy(&output.stdout).contains("cross-network-gateway"));
}

#[test]
fn on_upstream_istio_a_peer_not_declared_to_share_the_root_of_trust_is_refused() {
    for peers in [
        ISTIO_PEERS.replace("          sharedRootOfTrust: true\n", ""),
        ISTIO_PEERS.replace("Trust: true", "Trust: false"),
    ] {
        let base = istio_base(&peers);
        assert_refused(
            &build(&base, &[]),
            "E479",
            &at("base/meshedge.yaml", &base, "- name: partner", "name"),
            &["is not declared to share this mesh's root of trust"],
        );
    }
}

#[test]
fn on_upstream_istio_a_peer_without_its_network_is_refused() {
    let base = istio_base(&ISTIO_PEERS.replace("          network: partner-net\n", ""));
    assert_refused(
        &build(&base, &[]),
        "E470",
        &at("base/meshedge.yaml", &base, "- name: partner", "name"),
        &["has no `network`"],
    );
}

#[test]
fn on_upstream_istio_an_import_without_a_port_is_refused() {
    let text = "    imports:\n      - {peer: partner, service: rates, namespace: fx}\n";
    let output = build(&istio_base(ISTIO_PEERS), &[("shop", text)]);
    assert_refused(&output, "E480", "--> base/tenants/shop/federation.yaml:8:", &["has no `port`"]);
}

#[test]
fn on_upstream_istio_an_import_renamed_with_as_is_refused() {
    let text = "    imports:\n      - {peer: partner, service: rates, namespace: fx, port: 80, as: fx-rates}\n";
    let output = build(&istio_base(ISTIO_PEERS), &[("shop", text)]);
    let location = at("base/tenants/shop/federation.yaml", &request(text), "as: fx-rates", "as:");
    assert_refused(&output, "E481", &location, &["cannot be renamed with `as`"]);
}

#[test]
fn a_peer_whose_gateway_name_is_taken_is_refused() {
    let base = base("ossm2", PEERS).replace(
        "        exposure: route\n",
        "        exposure: route\n      - name: partner-ingress\n        namespace: istio-system\n        selector: {istio: partner}\n        service: partner-ingress\n        domain: b2b.example.com\n        allowedHosts: [\"*.b2b.example.com\"]\n        certificateIssuer: {kind: ClusterIssuer, name: public-ca}\n",
    );
    let location = at("base/meshedge.yaml", &base.replace("name: partner-ingress", "-"), "- name: partner", "name");
    assert_refused(&build(&base, &[]), "E473", &location, &["already a gateway of `istio-system`"]);
}

#[test]
fn an_unknown_allowed_tenant_is_refused_with_a_suggestion() {
    let base = base("ossm2", &PEERS.replace("[shop, billing]", "[shop, biling]"));
    let output = build(&base, &[]);
    assert_refused(
        &output,
        "E474",
        &at("base/meshedge.yaml", &base, "allowedTenants", "allowedTenants"),
        &["allows unknown tenant `biling`"],
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("did you mean `billing`?"));
}

#[test]
fn an_unknown_peer_is_refused_with_a_suggestion() {
    let text = "    exports:\n      - {service: orders, peer: partnr}\n";
    let output = build(&base("ossm2", PEERS), &[("shop", text)]);
    let location = at("base/tenants/shop/federation.yaml", &request(text), "peer: partnr", "peer");
    assert_refused(&output, "E475", &location, &["unknown federation peer `partnr`"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("did you mean `partner`?"), "{stderr}");
}

#[test]
fn a_tenant_the_peer_does_not_allow_is_refused() {
    let text = "    imports:\n      - {peer: partner, service: rates, namespace: fx}\n";
    let output = build(&base("ossm2", PEERS), &[("blog", text)]);
    let location = at("base/tenants/blog/federation.yaml", &request(text), "peer: partner", "peer");
    assert_refused(&output, "E476", &location, &["does not allow tenant `blog`"]);
}

#[test]
fn one_remote_service_imported_by_two_tenants_is_refused() {
    let text = "    imports:\n      - {peer: partner, service: rates, namespace: fx}\n";
    let output = build(&base("ossm2", PEERS), &[("shop", text), ("billing", text)]);
    assert_refused(
        &output,
        "E477",
        "--> base/tenants/",
        &["`fx/rates` of peer `partner` is already imported by tenant"],
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("first imported here"));
}

#[test]
fn two_imports_under_one_local_name_are_refused() {
    let text = "    imports:\n      - {peer: partner, service: rates, namespace: fx}\n      - {peer: partner, service: prices, namespace: fx, as: rates}\n";
    let output = build(&base("ossm2", PEERS), &[("shop", text)]);
    assert_refused(
        &output,
        "E478",
        "--> base/tenants/shop/federation.yaml:9:",
        &["rates.shop.svc.partner-imports.local"],
    );
}

#[test]
fn a_peer_name_that_cannot_name_its_gateways_is_refused_when_read() {
    let long = "p".repeat(56);
    let base = base("ossm2", &PEERS.replace("- name: partner", &format!("- name: {long}")));
    let output = build(&base, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(stderr.contains("error[E110]") && stderr.contains("more than 55"), "{stderr}");
}
