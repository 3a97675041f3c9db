//! The flows of the example environments (SPEC §5.1), evaluated on what `build` emits today for
//! `environments/prod` (OpenShift Service Mesh 2.5 → Istio 1.18 on OpenShift 4.16 with
//! OVN-Kubernetes) and `environments/dev` (Istio 1.24 on Kubernetes).
//!
//! Tests named `defect_*` pin a verdict that is wrong for the product: a requested flow that
//! is blocked, or an unrequested flow that is open. Each states the verdict the generators must
//! produce once fixed; the fix turns its assertion around. The other tests pin verdicts that
//! must stay as they are.
//!
//! The contexts below are the platform facts the compiler must hand to the evaluation: the
//! Istio version and flavor, the network plugin, the router, the outbound policy, the login
//! provider's behaviour and the namespace labels the output does not carry.

mod common;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use meshedge::compiler::{self, Options};
use meshedge::flows::authz::{Jwt, OAuthProxy, Provider};
use meshedge::flows::{
    Context, Credential, DirectProbe, EgressProbe, IngressProbe, IstioVersion, Layer, MeshFlavor, Model, Network,
    ObjectRef, Origin, OutboundPolicy, Outcome, Verdict,
};
use meshedge::source::FsSource;
use serde_json::Value;

const CORP: &str = "https://sso.example.com/realms/corp";

/// The objects `build` emits, also while flows of the example break the requests (the build
/// hands them over instead of failing: these tests judge the flows themselves).
fn objects(env: &str) -> Vec<Value> {
    let options = Options { report_flows: true, ..Default::default() };
    let build = compiler::compile_with(&FsSource::new(common::repo_root()), &format!("environments/{env}"), &options)
        .unwrap_or_else(|failed| panic!("environments/{env}:\n{}", failed.render()));
    build.objects.iter().map(|o| o.value()).collect()
}

/// The internal gateway's OAuth proxy as the example configures it: a session passes and gets
/// the ID token (audience: the OIDC client) as `Authorization: Bearer` upstream
/// (`--set-authorization-header`, `authorization` in `headersToUpstreamOnAllow`); no bearer
/// token is accepted without a session (no `--skip-jwt-bearer-tokens`).
fn providers() -> BTreeMap<String, Provider> {
    let id_token = Jwt::new(CORP, "staff", &["mesh-internal"]);
    BTreeMap::from([(
        "meshedge-login-internal".to_string(),
        Provider::OAuthProxy(OAuthProxy { bearer: Vec::new(), id_token: Some(id_token) }),
    )])
}

fn prod() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        // A cloud router (pod network); the research found the same verdicts with HostNetwork.
        let mut ctx = Context::new(IstioVersion::new(1, 18), MeshFlavor::Ossm2).with_openshift_namespaces(false);
        ctx.network = Network::openshift_ovn();
        ctx.outbound = OutboundPolicy::RegistryOnly;
        ctx.providers = providers();
        Model::new(objects("prod"), ctx)
    })
}

fn dev() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let mut ctx = Context::new(IstioVersion::new(1, 24), MeshFlavor::Istio);
        ctx.outbound = OutboundPolicy::RegistryOnly;
        ctx.providers = providers();
        // Tenant namespaces are not emitted in dev; injection is enabled on them.
        for ns in ["blog", "payments", "reports", "shop", "shop-batch"] {
            ctx.namespace_labels
                .insert(ns.to_string(), [("istio-injection".to_string(), "enabled".to_string())].into());
        }
        Model::new(objects("dev"), ctx)
    })
}

fn ingress(model: &Model, host: &str, port: u16, path: &str, credential: Credential, requested: bool) -> Verdict {
    model.evaluate_ingress(&IngressProbe { host: host.into(), port, path: path.into(), credential, requested })
}

fn egress(model: &Model, namespace: &str, host: &str, port: u16, requested: bool) -> Verdict {
    model.evaluate_egress(&EgressProbe { namespace: namespace.into(), host: host.into(), port, requested })
}

fn names(verdict: &Verdict) -> Vec<String> {
    verdict
        .decided_by
        .iter()
        .map(|r| format!("{}/{}/{}", r.kind, r.namespace.as_deref().unwrap_or("-"), r.name))
        .collect()
}

fn decided_by(verdict: &Verdict, kind: &str, namespace: &str, name: &str) -> bool {
    verdict.decided_by.iter().any(|r| r.kind == kind && r.namespace.as_deref() == Some(namespace) && r.name == name)
}

fn platform(verdict: &Verdict, name: &str) -> Option<ObjectRef> {
    verdict.decided_by.iter().find(|r| r.name == name && r.origin == Origin::Platform).cloned()
}

// ---- verdicts that stay ----

#[test]
fn public_hosts_behind_the_router_are_open() {
    for (model, domain) in [(prod(), "apps.prod.example.com"), (dev(), "apps.dev.example.com")] {
        for (path, backend) in [("/api", "service/shop/shop-api:8080"), ("/", "service/shop/shop-web:8080")] {
            let v = ingress(model, &format!("shop.{domain}"), 443, path, Credential::None, true);
            assert_eq!(v.verdict, Outcome::Allowed, "{domain}{path}: {}", v.reason);
            assert_eq!(v.backend.as_deref(), Some(backend));
        }
        let pay = ingress(model, &format!("pay.{domain}"), 443, "/", Credential::None, true);
        assert_eq!(pay.verdict, Outcome::Allowed, "passthrough: {}", pay.reason);
        assert_eq!(pay.backend.as_deref(), Some("service/payments/payments-gateway:8443"));
    }
    // In prod the Route reaches the SMCP gateway, which the operator's own policy opens.
    let v = ingress(prod(), "shop.apps.prod.example.com", 443, "/", Credential::None, true);
    assert!(decided_by(&v, "Route", "istio-ingress", "shop-apps-prod-example-com"), "{:?}", names(&v));
    assert!(platform(&v, "istio-ingressgateway").is_some(), "{:?}", names(&v));
}

#[test]
fn http_of_a_tls_host_is_redirected() {
    let v = ingress(prod(), "shop.apps.prod.example.com", 80, "/", Credential::None, true);
    assert_eq!(v.verdict, Outcome::Redirected, "{}", v.reason);
}

#[test]
fn unrequested_egress_is_blocked_by_the_registry() {
    for model in [prod(), dev()] {
        // Known to the environment, not requested by shop: the ServiceEntry is not exported there.
        let v = egress(model, "shop", "api.partner.example", 80, false);
        assert_eq!(v.verdict, Outcome::Blocked);
        assert_eq!(v.steps[0].layer, Layer::Routing);
        assert!(decided_by(&v, "ServiceEntry", "istio-egress", "api-partner-example"), "{:?}", names(&v));
        // shop's request lives in namespace shop, not shop-batch.
        assert_eq!(egress(model, "shop-batch", "api.stripe.com", 80, false).verdict, Outcome::Blocked);
        assert_eq!(egress(model, "payments", "api.stripe.com", 80, false).verdict, Outcome::Blocked);
        // Outside the registry.
        assert_eq!(egress(model, "shop", "example.org", 443, false).verdict, Outcome::Blocked);
    }
    let v = egress(prod(), "shop", "example.org", 443, false);
    assert!(decided_by(&v, "ServiceMeshControlPlane", "istio-system", "basic"), "{:?}", names(&v));
}

#[test]
fn direct_traffic_to_tenant_pods_is_blocked() {
    for model in [prod(), dev()] {
        for ns in ["blog", "payments", "reports", "shop", "shop-batch"] {
            let v = model.evaluate_direct(&DirectProbe { namespace: ns.into(), requested: false, via_router: true });
            assert_eq!(v.verdict, Outcome::Blocked, "{ns}: {}", v.reason);
            assert!(decided_by(&v, "NetworkPolicy", ns, "meshedge-ingress-from-mesh"), "{ns}: {:?}", names(&v));
        }
    }
}

#[test]
fn partner_egress_through_the_gateway_is_open() {
    // payments' hop rule sorts first, so the merged rule keeps its exportTo on Istio 1.18.
    for model in [prod(), dev()] {
        let v = egress(model, "payments", "api.partner.example", 80, true);
        assert_eq!(v.verdict, Outcome::Allowed, "{}", v.reason);
        assert!(decided_by(&v, "Gateway", "istio-egress", "egress-api-partner-example"), "{:?}", names(&v));
    }
}

#[test]
fn egress_on_the_tls_port_bypasses_the_egress_gateway() {
    // Only the application's plain-HTTP port 80 is routed to the egress gateway; port 443 goes
    // straight out, where the tenant's egress policy (and in prod its firewall) stops it.
    let v = egress(prod(), "shop", "api.stripe.com", 443, false);
    assert_eq!(v.verdict, Outcome::Blocked);
    assert!(decided_by(&v, "NetworkPolicy", "shop", "meshedge-egress-to-mesh"), "{:?}", names(&v));
    assert!(decided_by(&v, "EgressFirewall", "shop", "default"), "{:?}", names(&v));
}

#[test]
fn dev_tokens_and_login() {
    // dev has no jwt host on the internal gateway: the login flow alone decides.
    let v = ingress(dev(), "reports.internal.corp.example", 443, "/", Credential::None, true);
    assert_eq!(v.verdict, Outcome::Redirected, "{}", v.reason);
    assert!(decided_by(&v, "AuthorizationPolicy", "istio-internal", "internal-login"));
    let v = ingress(dev(), "reports.internal.corp.example", 443, "/", Credential::Session, true);
    assert_eq!(v.verdict, Outcome::Allowed, "{}", v.reason);
}

#[test]
fn prod_jwt_host_at_the_istio_layer() {
    let host = "shop-admin.internal.prod.example.com";
    let own = Credential::Token(Jwt::new(CORP, "alice", &["shop-admin"]));
    let v = ingress(prod(), host, 443, "/", own, true);
    assert_eq!(v.layer(Layer::Authentication), Some(Outcome::Allowed));
    assert_eq!(v.layer(Layer::Authorization), None, "a bearer header skips the login check; no DENY matches");
    let foreign = Credential::Token(Jwt::new("https://sso.example.com/realms/other", "mallory", &["x"]));
    let v = ingress(prod(), host, 443, "/", foreign, false);
    assert_eq!(v.layer(Layer::Authentication), Some(Outcome::Blocked), "401: issuer not configured on the gateway");
    let basic = ingress(prod(), host, 443, "/", Credential::Header("Basic x".into()), false);
    assert_eq!(basic.layer(Layer::Authorization), Some(Outcome::Blocked), "403: DENY notRequestPrincipals");
    assert!(decided_by(&basic, "AuthorizationPolicy", "istio-internal", "shop-admin-internal-prod-example-com-jwt"));
}

// ---- defects of today's output ----

/// blog calls feeds.partner.example without the egress gateway (`gateway: none`), but its own
/// egress policy admits only the mesh and DNS, and in prod its EgressFirewall denies all.
/// Once fixed: `Allowed`.
#[test]
fn defect_direct_egress_of_the_blog_is_blocked() {
    let v = egress(prod(), "blog", "feeds.partner.example", 80, true);
    assert_eq!(v.verdict, Outcome::Blocked);
    assert!(decided_by(&v, "NetworkPolicy", "blog", "meshedge-egress-to-mesh"), "{:?}", names(&v));
    assert!(decided_by(&v, "EgressFirewall", "blog", "default"), "{:?}", names(&v));
    let v = egress(dev(), "blog", "feeds.partner.example", 80, true);
    assert_eq!(v.verdict, Outcome::Blocked);
    assert!(decided_by(&v, "NetworkPolicy", "blog", "meshedge-egress-to-mesh"), "{:?}", names(&v));
}

/// Any `Authorization` header skips the login flow's CUSTOM policy (it asks the provider only
/// when the header is absent), so `Authorization: Basic x` reaches the login-only reports host.
/// In prod the gateway is unreachable anyway (see the next defect); the Istio layer lets it
/// through all the same. Once fixed: `Redirected` (or `Blocked`), never `Allowed`.
#[test]
fn defect_any_authorization_header_skips_the_login() {
    let v = ingress(dev(), "reports.internal.corp.example", 443, "/", Credential::Header("Basic x".into()), false);
    assert_eq!(v.verdict, Outcome::Allowed, "{}", v.reason);
    assert_eq!(v.backend.as_deref(), Some("service/reports/reports-ui:8080"));
    let v = ingress(prod(), "reports.internal.corp.example", 443, "/", Credential::Header("Basic x".into()), false);
    assert_eq!(v.layer(Layer::Authorization), None, "the CUSTOM policy does not even apply");
    assert_eq!(v.layer(Layer::Routing), Some(Outcome::Allowed));
    assert_eq!(v.verdict, Outcome::Blocked, "blocked only by the network policy of the next defect");
}

/// The internal gateway meshedge deploys runs in a mesh member namespace, where OpenShift
/// Service Mesh copies `istio-mesh-basic`: it admits member namespaces only, and its
/// LoadBalancer clients arrive SNATed to a node (OVN-Kubernetes: `openshift-host-network`).
/// Once fixed: `Allowed` (blog) and `Redirected` (reports without a session).
#[test]
fn defect_the_injected_internal_gateway_is_unreachable_in_prod() {
    let v = ingress(prod(), "blog.internal.prod.example.com", 80, "/", Credential::None, true);
    assert_eq!(v.verdict, Outcome::Blocked);
    assert_eq!(v.layer(Layer::NetworkPolicy), Some(Outcome::Blocked));
    let policy = platform(&v, "istio-mesh-basic").expect("the operator's policy decides");
    assert_eq!(policy.namespace.as_deref(), Some("istio-internal"));
    let v = ingress(prod(), "reports.internal.corp.example", 443, "/", Credential::None, true);
    assert_eq!(v.verdict, Outcome::Blocked);
    assert_eq!(v.layer(Layer::Authorization), Some(Outcome::Redirected), "the login flow is there behind the block");
}

/// The payments team's LoadBalancer gateway runs in `payments`, whose
/// `meshedge-ingress-from-mesh` (and the operator's copy) admit mesh namespaces only.
/// Once fixed: `Allowed`.
#[test]
fn defect_the_tenant_owned_gateway_drops_its_clients() {
    let v = ingress(prod(), "callbacks.pay.example.com", 443, "/", Credential::None, true);
    assert_eq!(v.verdict, Outcome::Blocked);
    assert!(decided_by(&v, "NetworkPolicy", "payments", "meshedge-ingress-from-mesh"), "{:?}", names(&v));
    assert!(platform(&v, "istio-mesh-basic").is_some(), "{:?}", names(&v));
}

/// Istio 1.18 merges DestinationRules of one host and keeps the exportTo of the older one: with
/// one egress-hop rule per external host, shop and reports saw no `api-stripe-com` subset (503).
/// The egress hop is now one rule per gateway on versions that merge: allowed everywhere.
#[test]
fn the_egress_hop_rules_no_longer_hide_stripe_in_prod() {
    for ns in ["shop", "reports"] {
        for (env, model) in [("prod", prod()), ("dev", dev())] {
            let v = egress(model, ns, "api.stripe.com", 80, true);
            assert_eq!(v.verdict, Outcome::Allowed, "{ns} in {env}: {}", v.reason);
        }
    }
}

/// The partner API's client CA (`clientCASecret: partner-ca`) never reaches the gateway: on
/// ossm2 it is dropped, and in dev it lands in `caCertCredentialName`, which Istio reads only
/// from 1.28. Clients with partner certificates fail the handshake. Once fixed: `Allowed`.
#[test]
fn defect_partner_client_certificates_are_not_trusted() {
    for (model, host) in [(prod(), "partner-api.apps.prod.example.com"), (dev(), "partner-api.apps.dev.example.com")] {
        let v = ingress(model, host, 443, "/", Credential::ClientCertificate("partner-ca".into()), true);
        assert_eq!(v.verdict, Outcome::Blocked, "{host}");
        assert_eq!(v.steps.iter().find(|s| s.verdict == Outcome::Blocked).map(|s| s.layer), Some(Layer::Routing));
    }
}

/// After login, the OAuth proxy puts the ID token (audience `mesh-internal`) upstream, and the
/// gateway's RequestAuthentication for shop-admin (audiences `[shop-admin]`) applies to every
/// host of the gateway: 401 for logged-in users of reports. Once fixed: `Allowed` at the Istio
/// layer.
#[test]
fn defect_a_login_session_is_rejected_by_another_hosts_jwt_rule() {
    let v = ingress(prod(), "reports.internal.corp.example", 443, "/", Credential::Session, true);
    assert_eq!(v.layer(Layer::Authentication), Some(Outcome::Blocked));
    assert!(
        decided_by(&v, "RequestAuthentication", "istio-internal", "shop-admin-internal-prod-example-com-jwt"),
        "{:?}",
        names(&v)
    );
}
