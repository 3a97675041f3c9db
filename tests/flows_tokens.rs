//! A `jwt` host accepts exactly its own issuer and audiences, evaluated by the flow engine on the
//! output of a small repository: three token-checked hosts of one tenant on one gateway — `a`
//! (issuer A, audience `a`), `b` (issuer B, audience `b`) and `c` (issuer A, audience `c`). The
//! gateway verifies tokens of every one of them (a RequestAuthentication applies to every host of
//! the gateway it selects), so only each host's DENY policy keeps the others' tokens out.

mod common;

use meshedge::flows::authz::Jwt;
use meshedge::flows::{Context, Credential, IngressProbe, IstioVersion, Layer, MeshFlavor, Model, Outcome, Verdict};
use serde_json::Value;

const A: &str = "https://a.example.com/realms/a";
const B: &str = "https://b.example.com/realms/b";

const BASE: &str = r#"apiVersion: meshedge.io/v1alpha1
kind: Layer
metadata:
  name: base
settings:
  mesh:
    flavor: istio
    controlPlane:
      version: v1.24.3
      manage: false
  cluster:
    kubernetesVersion: "1.31"
  ingress:
    defaultGateway: edge
    gateways:
      - name: edge
        namespace: edge
        selector: {istio: edge}
        service: edge
        domain: example.com
        allowedHosts: ["*.example.com"]
        exposure: loadBalancer
        deploy: true
"#;

fn request(host: &str, issuer: &str, audience: &str) -> String {
    format!(
        "apiVersion: meshedge.io/v1alpha1\nkind: EdgeRequest\nmetadata:\n  name: {host}\nspec:\n  ingress:\n    - host: {host}\n      tls: none\n      jwt:\n        issuer: {issuer}\n        audiences: [{audience}]\n      routes:\n        - {{path: /, service: {host}, port: 8080}}\n"
    )
}

/// The objects `build` emits for the base layer, a bare prod environment, tenant `shop` and
/// `requests` (file name, text) in its directory.
fn objects(base: &str, requests: &[(&str, String)]) -> Vec<Value> {
    let repo = common::TempRepo::prod_on(base);
    repo.write(
        "base/tenants/shop/tenant.yaml",
        "apiVersion: meshedge.io/v1alpha1\nkind: Tenant\nmetadata:\n  name: shop\nspec:\n  namespaces: [shop]\n",
    );
    for (name, text) in requests {
        repo.write(&format!("base/tenants/shop/{name}"), text);
    }
    common::build(repo.root(), "prod").objects.iter().map(|o| o.value()).collect()
}

fn model() -> Model {
    let requests =
        [("a.yaml", request("a", A, "a")), ("b.yaml", request("b", B, "b")), ("c.yaml", request("c", A, "c"))];
    Model::new(objects(BASE, &requests), Context::new(IstioVersion::new(1, 24), MeshFlavor::Istio))
}

fn to_a(model: &Model, credential: Credential, requested: bool) -> Verdict {
    model.evaluate_ingress(&IngressProbe {
        host: "a.example.com".into(),
        port: 80,
        path: "/".into(),
        credential,
        client_certificate: None,
        requested,
    })
}

#[test]
fn a_jwt_host_accepts_exactly_its_own_issuer_and_audiences() {
    let model = model();
    let own = to_a(&model, Credential::Token(Jwt::new(A, "alice", &["a"])), true);
    assert_eq!(own.verdict, Outcome::Allowed, "{}", own.reason);
    // A token of the other issuer the gateway verifies (for host b): 403, not allowed.
    let other_issuer = to_a(&model, Credential::Token(Jwt::new(B, "mallory", &["b"])), false);
    assert_eq!(other_issuer.layer(Layer::Authentication), Some(Outcome::Allowed), "{}", other_issuer.reason);
    assert_eq!(other_issuer.verdict, Outcome::Blocked, "{}", other_issuer.reason);
    assert_eq!(other_issuer.layer(Layer::Authorization), Some(Outcome::Blocked));
    // The right issuer with the audience of another host (c): 403, not allowed.
    let other_audience = to_a(&model, Credential::Token(Jwt::new(A, "mallory", &["c"])), false);
    assert_eq!(other_audience.layer(Layer::Authentication), Some(Outcome::Allowed), "{}", other_audience.reason);
    assert_eq!(other_audience.verdict, Outcome::Blocked, "{}", other_audience.reason);
    // No token at all.
    let none = to_a(&model, Credential::None, false);
    assert_eq!(none.verdict, Outcome::Blocked, "{}", none.reason);
}

/// A tenant-owned gateway in the tenant's own namespace, with `reverify`: the namespace-wide
/// check covers the gateway too, so one RequestAuthentication and one DENY policy, not two of
/// one name (which the build refused, E430).
#[test]
fn reverify_on_a_gateway_in_the_tenants_namespace() {
    let base = BASE.replace("namespace: edge", "namespace: shop\n        tenant: shop");
    let text =
        request("a", A, "a").replace("        audiences: [a]\n", "        audiences: [a]\n        reverify: true\n");
    let objects = objects(&base, &[("a.yaml", text)]);
    let named = |kind: &str| {
        objects.iter().filter(|o| o["kind"] == kind && o["metadata"]["name"] == "a-example-com-jwt").collect::<Vec<_>>()
    };
    let authn = named("RequestAuthentication");
    assert_eq!(authn.len(), 1);
    assert_eq!(authn[0]["metadata"]["namespace"], "shop");
    assert!(authn[0]["spec"].get("selector").is_none(), "the whole namespace, gateway included");
    assert_eq!(named("AuthorizationPolicy").len(), 1);
    let model = Model::new(objects, Context::new(IstioVersion::new(1, 24), MeshFlavor::Istio));
    assert_eq!(to_a(&model, Credential::Token(Jwt::new(A, "alice", &["a"])), true).verdict, Outcome::Allowed);
    assert_eq!(to_a(&model, Credential::Token(Jwt::new(A, "alice", &["x"])), false).verdict, Outcome::Blocked);
}
