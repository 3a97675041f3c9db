//! Isolation between tenants on the example's output: another tenant's workload calling a
//! tenant's backend directly (around the gateway that checks the login or the token), and a
//! workload around its sidecar using an egress gateway for a host another tenant requested.
//!
//! Each shut flow is also evaluated on the output without the AuthorizationPolicies meshedge
//! writes for isolation, where it is open: the policies are what shuts it.

mod common;

use std::sync::OnceLock;

use meshedge::flows::{
    BypassProbe, Context, IstioVersion, Layer, MeshFlavor, Model, Network, OutboundPolicy, Outcome, TenantProbe,
    Verdict,
};
use serde_json::Value;

const EGRESS_GATEWAY: &str = "istio-egressgateway.istio-egress.svc.cluster.local";

fn objects(env: &str) -> Vec<Value> {
    common::flow_objects(env)
}

/// The isolation policies: each tenant namespace's and each egress host's ALLOW policy.
fn isolation(object: &Value) -> bool {
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    object["kind"] == "AuthorizationPolicy" && (name == "meshedge-tenant-peers" || name.ends_with("-clients"))
}

fn prod_context() -> Context {
    let mut ctx = Context::new(IstioVersion::new(1, 18), MeshFlavor::Ossm2).with_openshift_namespaces(false);
    ctx.network = Network::openshift_ovn();
    ctx.outbound = OutboundPolicy::RegistryOnly;
    ctx
}

fn dev_context() -> Context {
    let mut ctx = Context::new(IstioVersion::new(1, 24), MeshFlavor::Istio);
    ctx.outbound = OutboundPolicy::RegistryOnly;
    for ns in ["blog", "payments", "reports", "shop", "shop-batch"] {
        ctx.namespace_labels.insert(ns.to_string(), [("istio-injection".to_string(), "enabled".to_string())].into());
    }
    ctx
}

fn prod() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::new(objects("prod"), prod_context()))
}

fn dev() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::new(objects("dev"), dev_context()))
}

/// prod's and dev's output without the isolation policies.
fn without_isolation() -> &'static [Model; 2] {
    static MODELS: OnceLock<[Model; 2]> = OnceLock::new();
    MODELS.get_or_init(|| {
        let strip = |env| objects(env).into_iter().filter(|o| !isolation(o));
        [Model::new(strip("prod"), prod_context()), Model::new(strip("dev"), dev_context())]
    })
}

fn tenant(model: &Model, from: &str, namespace: &str, service: &str, port: u16, hosts: &[&str]) -> Verdict {
    let mut authorities =
        vec![format!("{service}.{namespace}.svc:{port}"), format!("{service}.{namespace}.svc.cluster.local")];
    authorities.extend(hosts.iter().map(|h| h.to_string()));
    model.evaluate_tenant(&TenantProbe {
        from: from.into(),
        namespace: namespace.into(),
        service: service.into(),
        port,
        authorities,
    })
}

fn bypass(model: &Model, namespace: &str, host: &str) -> Verdict {
    model.evaluate_bypass(&BypassProbe {
        namespace: namespace.into(),
        host: host.into(),
        gateway: EGRESS_GATEWAY.into(),
        port: 443,
    })
}

fn step_blocks(verdict: &Verdict, layer: Layer, kind: &str, namespace: &str, name: &str) -> bool {
    verdict
        .steps
        .iter()
        .filter(|s| s.layer == layer && s.verdict == Outcome::Blocked)
        .flat_map(|s| &s.decided_by)
        .any(|r| r.kind == kind && r.namespace.as_deref() == Some(namespace) && r.name == name)
}

fn names(verdict: &Verdict) -> Vec<String> {
    common::decided_by_names(verdict)
}

#[test]
fn another_tenant_cannot_skip_the_login_of_a_backend() {
    // reports-ui is behind the internal gateway's login: the blog calls it straight.
    for model in [prod(), dev()] {
        let v = tenant(model, "blog", "reports", "reports-ui", 8080, &["reports.internal.corp.example"]);
        assert_eq!(v.verdict, Outcome::Blocked, "{}", v.reason);
        assert!(
            step_blocks(&v, Layer::Authorization, "AuthorizationPolicy", "reports", "meshedge-tenant-peers"),
            "{:?}",
            names(&v)
        );
    }
    for model in without_isolation() {
        let v = tenant(model, "blog", "reports", "reports-ui", 8080, &["reports.internal.corp.example"]);
        // prod: OpenShift Service Mesh's copied policies admit every member; dev: meshedge's
        // NetworkPolicy shuts it on its own (below).
        if model.context().network.plugin == Network::openshift_ovn().plugin {
            assert_eq!(v.verdict, Outcome::Allowed, "open without the ALLOW policy: {}", v.reason);
        }
    }
}

#[test]
fn another_tenant_cannot_reach_a_reverifying_backend_by_its_service_name() {
    // shop-admin's token check in its namespace is scoped to its public host; the Service's own
    // name is not that host.
    let v = tenant(prod(), "blog", "shop", "shop-admin", 8080, &["shop-admin.internal.prod.example.com"]);
    assert_eq!(v.verdict, Outcome::Blocked, "{}", v.reason);
    let [open, _] = without_isolation();
    let v = tenant(open, "blog", "shop", "shop-admin", 8080, &["shop-admin.internal.prod.example.com"]);
    assert_eq!(v.verdict, Outcome::Allowed, "the hole without the policy: {}", v.reason);
}

#[test]
fn the_network_policy_admits_only_the_tenant_and_its_gateways() {
    // dev: no control plane policies; meshedge's ingress policy alone shuts other tenants out,
    // also with the ALLOW policies gone, and also for the tenant that runs its own gateway.
    let [_, open] = without_isolation();
    for (from, namespace, service, port) in
        [("blog", "reports", "reports-ui", 8080), ("payments", "shop", "shop-api", 8080), ("shop", "blog", "blog", 80)]
    {
        for model in [dev(), open] {
            let v = tenant(model, from, namespace, service, port, &[]);
            assert_eq!(v.verdict, Outcome::Blocked, "{from} → {namespace}: {}", v.reason);
            assert!(
                step_blocks(&v, Layer::NetworkPolicy, "NetworkPolicy", namespace, "meshedge-ingress-from-mesh"),
                "{from} → {namespace}: {:?}",
                names(&v)
            );
        }
    }
}

#[test]
fn a_tenant_reaches_its_own_backends_across_its_namespaces() {
    for model in [prod(), dev()] {
        let v = tenant(model, "shop-batch", "shop", "shop-api", 8080, &[]);
        assert_eq!(v.verdict, Outcome::Allowed, "{}", v.reason);
    }
}

#[test]
fn around_its_sidecar_a_tenant_cannot_use_another_tenants_egress_host() {
    // api.partner.example is the payments' host, with the payments' client certificate.
    for model in [prod(), dev()] {
        let v = bypass(model, "blog", "api.partner.example");
        assert_eq!(v.verdict, Outcome::Blocked, "{}", v.reason);
        assert!(
            step_blocks(&v, Layer::Authorization, "AuthorizationPolicy", "istio-egress", "api-partner-example-clients"),
            "{:?}",
            names(&v)
        );
        // Its own host stays its own.
        let v = bypass(model, "payments", "api.partner.example");
        assert_eq!(v.verdict, Outcome::Allowed, "{}", v.reason);
    }
    for model in without_isolation() {
        let v = bypass(model, "blog", "api.partner.example");
        assert_eq!(v.verdict, Outcome::Allowed, "open without the ALLOW policy: {}", v.reason);
    }
}
