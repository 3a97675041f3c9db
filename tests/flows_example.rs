//! The flows of the example environments (SPEC §5.1), evaluated on what `build` emits today for
//! `environments/prod` (OpenShift Service Mesh 2.5 → Istio 1.18 on OpenShift 4.16 with
//! OVN-Kubernetes) and `environments/dev` (Istio 1.24 on Kubernetes).
//!
//! Each test pins a verdict the product promises: a requested flow that gets through, or an
//! unrequested one that stays shut, with the objects that decide it. Several were once wrong in
//! the generated output (direct egress under enforcement, a login skipped by a header, gateways
//! their clients could not reach, a login session refused by another host's token check).
//!
//! The contexts below are the platform facts the compiler must hand to the evaluation: the
//! Istio version and flavor, the network plugin, the router, the outbound policy, the login
//! provider's behaviour and the namespace labels the output does not carry.

mod common;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use meshedge::flows::authz::{Jwt, OAuthProxy, Provider};
use meshedge::flows::{
    ContainerPort, Context, Credential, DirectProbe, EgressProbe, IngressProbe, IstioVersion, Layer, MeshFlavor, Model,
    Network, ObjectRef, Origin, OutboundPolicy, Outcome, Pod, Verdict,
};
use serde_json::Value;

const CORP: &str = "https://sso.example.com/realms/corp";

fn objects(env: &str) -> Vec<Value> {
    common::flow_objects(env)
}

/// The internal gateway's OAuth proxy as the example configures it: a session passes and gets
/// the ID token (audience: the OIDC client) as `Authorization: Bearer` upstream
/// (`--set-authorization-header`, `authorization` in `headersToUpstreamOnAllow`); no bearer
/// token is accepted without a session (no `--skip-jwt-bearer-tokens`).
/// prod's `admin` gateway (the shop's admin console) runs the same login flow.
fn providers() -> BTreeMap<String, Provider> {
    let id_token = Jwt::new(CORP, "staff", &["mesh-internal"]);
    let proxy = Provider::OAuthProxy(OAuthProxy { bearer: Vec::new(), id_token: Some(id_token) });
    BTreeMap::from([
        ("meshedge-login-internal".to_string(), proxy.clone()),
        ("meshedge-login-admin".to_string(), proxy),
    ])
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
    model.evaluate_ingress(&IngressProbe {
        host: host.into(),
        port,
        path: path.into(),
        credential,
        client_certificate: None,
        requested,
    })
}

fn egress(model: &Model, namespace: &str, host: &str, port: u16, requested: bool) -> Verdict {
    model.evaluate_egress(&EgressProbe { namespace: namespace.into(), host: host.into(), port, requested })
}

fn names(verdict: &Verdict) -> Vec<String> {
    common::decided_by_names(verdict)
}

fn decided_by(verdict: &Verdict, kind: &str, namespace: &str, name: &str) -> bool {
    verdict.decided_by.iter().any(|r| r.kind == kind && r.namespace.as_deref() == Some(namespace) && r.name == name)
}

/// Whether a step of `layer` names the object (also when a later step blocks the path).
fn step_by(verdict: &Verdict, layer: Layer, kind: &str, namespace: &str, name: &str) -> bool {
    verdict
        .steps
        .iter()
        .filter(|s| s.layer == layer)
        .flat_map(|s| &s.decided_by)
        .any(|r| r.kind == kind && r.namespace.as_deref() == Some(namespace) && r.name == name)
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

/// prod refuses tenants' own Routes (`denyRoutes`); dev has no router.
#[test]
fn direct_traffic_to_tenant_pods_is_blocked() {
    for (model, via_router) in [(prod(), false), (dev(), true)] {
        for ns in ["blog", "payments", "reports", "shop", "shop-batch"] {
            let v = model.evaluate_direct(&DirectProbe { namespace: ns.into(), requested: false, via_router });
            assert_eq!(v.verdict, Outcome::Blocked, "{ns}: {}", v.reason);
            assert!(decided_by(&v, "NetworkPolicy", ns, "meshedge-ingress-from-mesh"), "{ns}: {:?}", names(&v));
        }
    }
}

/// Where tenants may create Routes, the control plane's `istio-expose-route-*` policy admits the
/// router to any pod labelled `maistra.io/expose-route: "true"`; a tenant labels its own pods, so
/// a pod whose labels the output does not know may carry it: the namespace may be open.
#[test]
fn a_tenant_that_may_create_routes_may_expose_a_pod_by_its_label() {
    let v = prod().evaluate_direct(&DirectProbe { namespace: "blog".into(), requested: false, via_router: true });
    assert_eq!(v.verdict, Outcome::Allowed, "{}", v.reason);
    assert!(v.steps.iter().any(|s| s.reason.contains("maistra.io/expose-route=true")), "{:?}", v.steps);
    assert!(names(&v).iter().any(|n| n.contains("istio-expose-route")), "{:?}", names(&v));
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
    // A bearer token skips the login and no DENY matches; the only authorization step is the
    // backend namespace's ALLOW policy admitting the gateway.
    assert_eq!(v.layer(Layer::Authorization), Some(Outcome::Allowed), "{}", v.reason);
    assert!(decided_by(&v, "AuthorizationPolicy", "shop", "meshedge-tenant-peers"), "{:?}", names(&v));
    let foreign = Credential::Token(Jwt::new("https://sso.example.com/realms/other", "mallory", &["x"]));
    let v = ingress(prod(), host, 443, "/", foreign, false);
    assert_eq!(v.layer(Layer::Authentication), Some(Outcome::Blocked), "401: issuer not configured on the gateway");
    // The right issuer, another audience: verifies for no rule of the gateway.
    let other_audience = Credential::Token(Jwt::new(CORP, "bob", &["reports-api"]));
    let v = ingress(prod(), host, 443, "/", other_audience, false);
    assert_eq!(v.layer(Layer::Authentication), Some(Outcome::Blocked), "401: no rule accepts the audience");
    let v = ingress(prod(), host, 443, "/", Credential::InvalidToken, false);
    assert_eq!(v.layer(Layer::Authentication), Some(Outcome::Blocked), "401: the token does not verify");
}

/// shop-admin has `login` and `jwt`: after sign-in the OAuth proxy puts the ID token (audience:
/// the login client `mesh-internal`) upstream, and the host's token checks at the gateway and
/// again at the backend (`reverify`) accept it.
#[test]
fn the_login_token_opens_a_host_with_login_and_jwt() {
    let v = ingress(prod(), "shop-admin.internal.prod.example.com", 443, "/", Credential::Session, true);
    assert_eq!(v.layer(Layer::Authentication), Some(Outcome::Allowed), "{}", v.reason);
    assert_eq!(v.layer(Layer::Authorization), Some(Outcome::Allowed), "{}", v.reason);
    assert!(
        step_by(&v, Layer::Authentication, "RequestAuthentication", "istio-internal", "admin-login"),
        "{:?}",
        v.steps
    );
    assert_eq!(v.layer(Layer::Routing), Some(Outcome::Allowed), "{}", v.reason);
    assert_eq!(v.backend.as_deref(), Some("service/shop/shop-admin:8080"));
}

// ---- defects of today's output, and what holds once they are fixed ----

/// blog calls feeds.partner.example. Under enforcement its pods leave the cluster only through
/// the egress gateway (`gateway: none` is refused, E428), so the call goes mesh → egress gateway →
/// feed, where the gateway originates TLS. Before, it went straight out and its own egress policy
/// (and in prod its EgressFirewall) stopped it.
#[test]
fn egress_of_the_blog_goes_through_the_egress_gateway() {
    for (env, model) in [("prod", prod()), ("dev", dev())] {
        let v = egress(model, "blog", "feeds.partner.example", 80, true);
        assert_eq!(v.verdict, Outcome::Allowed, "{env}: {}", v.reason);
        assert!(decided_by(&v, "Gateway", "istio-egress", "egress-feeds-partner-example"), "{env}: {:?}", names(&v));
        // Straight out on the feed's TLS port it stays shut.
        let v = egress(model, "blog", "feeds.partner.example", 443, false);
        assert_eq!(v.verdict, Outcome::Blocked, "{env}: {}", v.reason);
    }
    // The other tenants did not ask for the feed.
    for ns in ["shop", "payments", "reports"] {
        assert_eq!(egress(prod(), ns, "feeds.partner.example", 80, false).verdict, Outcome::Blocked, "{ns}");
    }
}

/// No `Authorization` header skips the login: on a login-only host every request goes through
/// the OAuth proxy; on a host with `login` and `jwt` only a bearer token skips it, and the host's
/// own token check decides that (401 when it does not verify).
#[test]
fn no_authorization_header_skips_the_login() {
    for header in ["Basic x", "Bearer not-a-token", "bearer x"] {
        let credential = Credential::Header(header.into());
        let v = ingress(dev(), "reports.internal.corp.example", 443, "/", credential.clone(), false);
        assert_eq!(v.verdict, Outcome::Redirected, "{header}: {}", v.reason);
        assert!(step_by(&v, Layer::Authorization, "AuthorizationPolicy", "istio-internal", "internal-login"));
        let v = ingress(prod(), "reports.internal.corp.example", 443, "/", credential, false);
        assert_eq!(v.layer(Layer::Authorization), Some(Outcome::Redirected), "{header}: {}", v.reason);
        assert_ne!(v.verdict, Outcome::Allowed, "{header}");
    }
    let basic =
        ingress(prod(), "shop-admin.internal.prod.example.com", 443, "/", Credential::Header("Basic x".into()), false);
    assert_eq!(basic.layer(Layer::Authorization), Some(Outcome::Redirected), "{}", basic.reason);
    assert!(step_by(&basic, Layer::Authorization, "AuthorizationPolicy", "istio-internal", "admin-login"));
    let bearer = ingress(prod(), "shop-admin.internal.prod.example.com", 443, "/", Credential::InvalidToken, false);
    assert_eq!(bearer.layer(Layer::Authentication), Some(Outcome::Blocked), "{}", bearer.reason);
    assert_ne!(bearer.verdict, Outcome::Allowed);
}

/// The internal gateway meshedge deploys runs in a mesh member namespace, where OpenShift
/// Service Mesh copies `istio-mesh-basic`: it admits member namespaces only, and the gateway's
/// LoadBalancer clients arrive SNATed to a node (OVN-Kubernetes: `openshift-host-network`).
/// `meshedge-gateway-internal` opens the gateway pods' listener ports to them. Before, the copy
/// blocked every client.
#[test]
fn the_injected_internal_gateway_is_reachable_in_prod() {
    let v = ingress(prod(), "blog.internal.prod.example.com", 80, "/", Credential::None, true);
    assert_eq!(v.verdict, Outcome::Allowed, "{}", v.reason);
    assert_eq!(v.layer(Layer::NetworkPolicy), Some(Outcome::Allowed));
    assert!(decided_by(&v, "NetworkPolicy", "istio-internal", "meshedge-gateway-internal"), "{:?}", names(&v));
    let v = ingress(prod(), "reports.internal.corp.example", 443, "/", Credential::None, true);
    assert_eq!(v.verdict, Outcome::Redirected, "the login flow: {}", v.reason);
    let v = ingress(prod(), "shop-admin.internal.prod.example.com", 443, "/", Credential::None, true);
    assert_ne!(v.layer(Layer::NetworkPolicy), Some(Outcome::Blocked), "{}", v.reason);
}

/// The payments team's LoadBalancer gateway runs in `payments`, whose
/// `meshedge-ingress-from-mesh` (and the operator's copy) admit mesh namespaces only.
/// `meshedge-gateway-payments-edge` opens the gateway pods' listener ports to its clients.
/// Before, its clients were dropped.
#[test]
fn the_tenant_owned_gateway_takes_its_clients() {
    let v = ingress(prod(), "callbacks.pay.example.com", 443, "/", Credential::None, true);
    assert_eq!(v.verdict, Outcome::Allowed, "{}", v.reason);
    assert!(decided_by(&v, "NetworkPolicy", "payments", "meshedge-gateway-payments-edge"), "{:?}", names(&v));
    // Plain HTTP gets the redirect to HTTPS: port 80 (8080 on the pod) is a listener too.
    let v = ingress(prod(), "callbacks.pay.example.com", 80, "/", Credential::None, true);
    assert_eq!(v.verdict, Outcome::Redirected, "{}", v.reason);
}

/// The gateway policies open the gateway pods only: the other pods of the gateways' namespaces
/// stay closed to the internet (the `direct` flow), on the listener ports too — the login
/// proxy beside the internal gateway, and the payments team's own workloads beside its gateway.
#[test]
fn beside_a_reachable_gateway_other_pods_stay_closed() {
    let mut ctx = Context::new(IstioVersion::new(1, 18), MeshFlavor::Ossm2).with_openshift_namespaces(false);
    ctx.network = Network::openshift_ovn();
    ctx.outbound = OutboundPolicy::RegistryOnly;
    let web = |ns: &str, name: &str| {
        Pod::new(ns, name, [("app".to_string(), name.to_string())].into())
            .with_ports(vec![ContainerPort::tcp("http", 8080), ContainerPort::tcp("https", 8443)])
    };
    ctx.pods = vec![web("payments", "acquirer-callbacks"), web("istio-internal", "debug")];
    let model = Model::new(objects("prod"), ctx);
    // prod refuses tenants' own Routes (`denyRoutes`).
    for ns in ["payments", "istio-internal"] {
        let v = model.evaluate_direct(&DirectProbe { namespace: ns.into(), requested: false, via_router: false });
        assert_eq!(v.verdict, Outcome::Blocked, "{ns}: {}", v.reason);
        assert!(!names(&v).iter().any(|n| n.contains("meshedge-gateway-")), "{ns}: {:?}", names(&v));
    }
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

/// The partner API's client CA (`clientCASecret`) is the secret the gateway reads on every
/// target: `<credentialName>-cacert` (E452 refuses any other name while no supported release
/// has `caCertCredentialName`). Clients with partner certificates get through; others do not.
#[test]
fn partner_client_certificates_are_trusted() {
    for (model, host) in [(prod(), "partner-api.apps.prod.example.com"), (dev(), "partner-api.apps.dev.example.com")] {
        let partner = Credential::ClientCertificate("partner-api-tls-cacert".into());
        let v = ingress(model, host, 443, "/", partner, true);
        assert_eq!(v.verdict, Outcome::Allowed, "{host}: {}", v.reason);
        let v = ingress(model, host, 443, "/", Credential::ClientCertificate("partner-ca".into()), false);
        assert_eq!(v.verdict, Outcome::Blocked, "{host}");
        let v = ingress(model, host, 443, "/", Credential::None, false);
        assert_eq!(v.verdict, Outcome::Blocked, "{host}");
    }
}

/// After login, the OAuth proxy puts the ID token (audience `mesh-internal`) upstream. The token
/// check of shop-admin no longer shares a gateway with reports (E457 refuses that), so the
/// logged-in users of reports meet no RequestAuthentication at all.
#[test]
fn a_login_session_is_not_rejected_by_another_hosts_jwt_rule() {
    let v = ingress(prod(), "reports.internal.corp.example", 443, "/", Credential::Session, true);
    assert_ne!(v.layer(Layer::Authentication), Some(Outcome::Blocked), "{}", v.reason);
    assert_eq!(v.layer(Layer::Authorization), Some(Outcome::Allowed), "{}", v.reason);
    assert_eq!(v.layer(Layer::Routing), Some(Outcome::Allowed), "{}", v.reason);
    assert!(!v.decided_by.iter().any(|r| r.kind == "RequestAuthentication"), "{:?}", names(&v));
    // Nor do clients of the internal gateway's other hosts that send a token of any issuer.
    let token = Credential::Token(Jwt::new("https://sso.example.com/realms/other", "x", &["y"]));
    let v = ingress(prod(), "blog.internal.prod.example.com", 80, "/", token, true);
    assert_eq!(v.layer(Layer::Authentication), None, "{}", v.reason);
}
