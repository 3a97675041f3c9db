//! The network-enforcement objects meshedge generates: the policy that opens a deployed gateway
//! to its clients, where and only where its namespace is closed, with exactly its listener ports.
//! Small repositories are laid down in a temporary directory and built in memory.

mod common;

use meshedge::compiler;
use meshedge::source::FsSource;
use serde_json::{Value, json};

const API: &str = "apiVersion: meshedge.io/v1alpha1";

/// A base layer: `flavor`, one ingress gateway `edge` in `namespace` deployed by meshedge with
/// `exposure`, tenant `shop` owning `shop` and `payments`, and `enforcement` as given.
fn base(flavor: &str, namespace: &str, exposure: &str, tenant: Option<&str>, enforcement: &str) -> String {
    let (version, cluster) = match flavor {
        "ossm2" => ("v2.5", "  cluster:\n    openshiftVersion: \"4.16\"\n"),
        _ => ("v1.24.3", "  cluster:\n    kubernetesVersion: \"1.31\"\n"),
    };
    let tenant = tenant.map(|t| format!("        tenant: {t}\n")).unwrap_or_default();
    format!(
        "{API}\nkind: Layer\nmetadata:\n  name: base\nsettings:\n  mesh:\n    flavor: {flavor}\n    controlPlane:\n      \
         version: {version}\n      manage: true\n  ingress:\n    defaultGateway: edge\n    gateways:\n      \
         - name: edge\n        namespace: {namespace}\n        selector: {{istio: edge}}\n        service: edge\n        \
         domain: example.com\n        allowedHosts: [\"*.example.com\"]\n        exposure: {exposure}\n        deploy: true\n{tenant}\
         \x20 enforcement:\n{enforcement}{cluster}"
    )
}

const TENANT: &str = "kind: Tenant\nmetadata:\n  name: shop\nspec:\n  namespaces: [shop, payments]\n";

fn request(items: &str) -> String {
    format!("{API}\nkind: EdgeRequest\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  ingress:\n{items}")
}

fn host(name: &str, tls: &str) -> String {
    let routes = match tls {
        "passthrough" => "      routes:\n        - {service: web, port: 8443}\n",
        _ => "      routes:\n        - {path: /, service: web, port: 8080}\n",
    };
    let credential = if tls == "simple" { format!("      credentialName: {name}-tls\n") } else { String::new() };
    format!("    - host: {name}\n      tls: {tls}\n{credential}{routes}")
}

fn build(base: &str, items: &str) -> Vec<Value> {
    let repo = common::TempRepo::prod_on(base);
    repo.write("base/tenants/shop/tenant.yaml", &format!("{API}\n{TENANT}"));
    repo.write("base/tenants/shop/web.yaml", &request(items));
    // The shape of the objects is under test here; their flows are the flows tests' business
    // (these repositories emit no Namespace, so no tenant namespace carries the mesh's label).
    let options = compiler::Options { report_flows: true, ..compiler::Options::default() };
    let built = compiler::compile_with(&FsSource::new(repo.root()), "environments/prod", &options)
        .unwrap_or_else(|failed| panic!("the repository builds:\n{}", failed.render()));
    built.objects.iter().map(|o| o.value()).collect()
}

fn gateway_policy(objects: &[Value]) -> Option<&Value> {
    objects.iter().find(|o| o["kind"] == "NetworkPolicy" && o["metadata"]["name"] == "meshedge-gateway-edge")
}

const ENFORCED: &str = "    networkPolicies: true\n";
const OPEN: &str = "    networkPolicies: false\n";

#[test]
fn a_load_balancer_gateway_in_a_member_namespace_is_open_to_anyone_on_its_listeners() {
    let objects = build(&base("ossm2", "istio-edge", "loadBalancer", None, OPEN), &host("shop", "simple"));
    let policy = gateway_policy(&objects).expect("the operator's copies close istio-edge");
    assert_eq!(policy["metadata"]["namespace"], "istio-edge");
    assert_eq!(
        policy["spec"],
        json!({
            "podSelector": {"matchLabels": {"istio": "edge"}},
            "policyTypes": ["Ingress"],
            // No peer: a LoadBalancer's clients arrive as themselves or SNATed to a node.
            "ingress": [{"ports": [{"protocol": "TCP", "port": 8080}, {"protocol": "TCP", "port": 8443}]}]
        })
    );
}

#[test]
fn a_route_gateway_is_open_to_the_router_only_and_only_on_the_ports_its_hosts_use() {
    let objects = build(&base("ossm2", "istio-edge", "route", None, OPEN), &host("pay", "passthrough"));
    let policy = gateway_policy(&objects).expect("a policy");
    assert_eq!(
        policy["spec"]["ingress"],
        json!([{
            "from": [{"namespaceSelector": {"matchLabels": {"network.openshift.io/policy-group": "ingress"}}}],
            // Passthrough: 443 only, no redirect on 80.
            "ports": [{"protocol": "TCP", "port": 8443}]
        }])
    );
    let objects = build(&base("ossm2", "istio-edge", "loadBalancer", None, OPEN), &host("blog", "none"));
    assert_eq!(
        gateway_policy(&objects).expect("a policy")["spec"]["ingress"][0]["ports"],
        json!([{"protocol": "TCP", "port": 8080}])
    );
}

#[test]
fn a_tenant_owned_gateway_is_opened_where_network_policies_close_its_namespace() {
    // Istio: only meshedge's own policies close a namespace, and only a tenant's.
    let objects = build(&base("istio", "payments", "loadBalancer", Some("shop"), ENFORCED), &host("shop", "simple"));
    let policy = gateway_policy(&objects).expect("meshedge-ingress-from-mesh closes payments");
    assert_eq!(policy["metadata"]["namespace"], "payments");
    assert_eq!(policy["metadata"]["labels"]["meshedge.io/tenant"], "shop");
    let closing = objects
        .iter()
        .find(|o| o["metadata"]["name"] == "meshedge-ingress-from-mesh" && o["metadata"]["namespace"] == "payments");
    assert!(closing.is_some(), "the tenant namespace is closed beside it");
    // `meshedge-egress-to-mesh` closes the gateway's egress too: its routes lead to `shop`.
    assert_eq!(policy["spec"]["policyTypes"], json!(["Ingress", "Egress"]));
    assert_eq!(
        policy["spec"]["egress"],
        json!([{"to": [{"namespaceSelector": {"matchExpressions": [
            {"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["shop"]}
        ]}}]}])
    );
}

#[test]
fn no_policy_where_nothing_closes_the_namespace_or_nothing_exposes_the_gateway() {
    // Istio without network policies: nothing closes payments; a policy would close the pods.
    let objects = build(&base("istio", "payments", "loadBalancer", Some("shop"), OPEN), &host("shop", "simple"));
    assert!(gateway_policy(&objects).is_none());
    // Istio with network policies, gateway in a platform namespace: meshedge closes tenants only.
    let objects = build(&base("istio", "istio-edge", "loadBalancer", None, ENFORCED), &host("shop", "simple"));
    assert!(gateway_policy(&objects).is_none());
    // No exposure: no client to open it to, so a host there is refused (E431).
    let repo = common::TempRepo::prod_on(&base("ossm2", "istio-edge", "none", None, OPEN));
    repo.write("base/tenants/shop/tenant.yaml", &format!("{API}\n{TENANT}"));
    repo.write("base/tenants/shop/web.yaml", &request(&host("shop", "simple")));
    let options = compiler::Options { report_flows: true, ..compiler::Options::default() };
    match compiler::compile_with(&FsSource::new(repo.root()), "environments/prod", &options) {
        Ok(_) => panic!("a host on a gateway nothing exposes built"),
        Err(failed) => assert!(failed.diagnostics.iter().any(|d| d.code.as_str() == "E431"), "{}", failed.render()),
    }
}

#[test]
fn the_example_opens_its_deployed_gateways_where_the_mesh_closes_them() {
    let policies = |env: &str| -> Vec<String> {
        common::build(&common::repo_root(), env)
            .objects
            .iter()
            .map(|o| o.value())
            .filter(|o| o["kind"] == "NetworkPolicy")
            .filter_map(|o| {
                let (name, ns) = (o["metadata"]["name"].as_str()?, o["metadata"]["namespace"].as_str()?);
                name.starts_with("meshedge-gateway-").then(|| format!("{ns}/{name}"))
            })
            .collect()
    };
    assert_eq!(
        policies("prod"),
        [
            "istio-internal/meshedge-gateway-admin",
            "istio-internal/meshedge-gateway-internal",
            "payments/meshedge-gateway-payments-edge"
        ]
    );
    assert_eq!(policies("staging"), ["istio-internal/meshedge-gateway-internal"]);
    // dev: upstream Istio, the gateway namespaces are no tenant's: nothing closes them.
    assert!(policies("dev").is_empty());
}

/// The flows of a Route-exposed gateway meshedge deploys in a mesh member namespace: the router
/// reaches it on its pod network or on the host network; before, the operator's copied
/// `istio-mesh-basic` admitted mesh members only.
#[test]
fn the_router_reaches_a_deployed_gateway_in_a_member_namespace() {
    use meshedge::flows::{
        Context, Credential, IngressProbe, IstioVersion, Layer, MeshFlavor, Model, Network, Outcome,
    };
    let objects = build(&base("ossm2", "istio-edge", "route", None, OPEN), &host("shop", "simple"));
    for host_network in [false, true] {
        let mut ctx = Context::new(IstioVersion::new(1, 18), MeshFlavor::Ossm2).with_openshift_namespaces(host_network);
        ctx.network = Network::openshift_ovn();
        let model = Model::new(objects.clone(), ctx);
        let probe = IngressProbe {
            host: "shop.example.com".into(),
            port: 443,
            path: "/".into(),
            credential: Credential::None,
            client_certificate: None,
            requested: true,
        };
        let v = model.evaluate_ingress(&probe);
        assert_eq!(v.layer(Layer::NetworkPolicy), Some(Outcome::Allowed), "host network {host_network}: {}", v.reason);
        assert!(
            v.decided_by.iter().any(|r| r.name == "meshedge-gateway-edge"),
            "host network {host_network}: {:?}",
            v.decided_by
        );
    }
}
