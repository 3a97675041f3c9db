//! SLA classes follow from the requests, never from what a client sends: a request entering
//! through an ingress host gets that host's class (or the default class), and at the egress
//! gateway a namespace gets a class only when its request for the host asked for it.
//! Proved with the flow engine's routing and authorization layers on the build's objects.

mod common;

use std::collections::BTreeMap;

use meshedge::compiler;
use meshedge::flows::authz::{self, Peer, Request};
use meshedge::flows::istio::{Probe, RouteKind, Routed};
use meshedge::flows::{Context, EgressProbe, IstioVersion, MeshFlavor, Model, Outcome, Pod};
use meshedge::source::FsSource;
use serde_json::Value;

const API: &str = "apiVersion: meshedge.io/v1alpha1";

fn example(env: &str) -> Model {
    let objects: Vec<Value> = common::build(&common::repo_root(), env).objects.iter().map(|o| o.value()).collect();
    Model::new(objects, Context::new(IstioVersion::new(1, 24), MeshFlavor::Istio))
}

/// Routes an HTTPS request for `host` carrying `headers` through the gateway server that takes it.
fn route_at_gateway(model: &Model, host: &str, port: u16, headers: &BTreeMap<String, String>) -> Routed {
    let routing = &model.index().routing;
    let servers = routing.servers_naming(host);
    let server = servers.iter().find(|s| s.server.port == port).expect("a server takes the host");
    let ns = server.gateway.reference.namespace.clone().unwrap_or_default();
    let bound = routing.bound(server, host, &ns, &model.context().default_export_to);
    let key = server.gateway.key();
    let probe = Probe { host, path: "/", method: "GET", headers, port, gateway: &key };
    routing.route(&bound, &probe, RouteKind::Http)
}

#[test]
fn an_internet_client_cannot_pick_an_sla_class() {
    let gold = BTreeMap::from([("x-sla-class".to_string(), "gold".to_string())]);
    for (env, model) in [("prod", example("prod")), ("dev", example("dev"))] {
        let domain = if env == "prod" { "prod" } else { "dev" };
        // No `slaClass` on the host: the default class, whatever the client sent.
        let reports = route_at_gateway(&model, "reports.internal.corp.example", 443, &gold);
        let Routed::To { set_headers, .. } = reports else { panic!("{env}: reports is routed: {reports:?}") };
        assert_eq!(set_headers.get("x-sla-class").map(String::as_str), Some("bronze"), "{env}");
        let blog = route_at_gateway(&model, &format!("blog.internal.{domain}.example.com"), 80, &gold);
        let Routed::To { set_headers, .. } = blog else { panic!("{env}: blog is routed: {blog:?}") };
        assert_eq!(set_headers.get("x-sla-class").map(String::as_str), Some("bronze"), "{env}");
    }
    // The shop host's own class, in prod (`slaClass: gold`), whatever the client sent.
    let bronze = BTreeMap::from([("x-sla-class".to_string(), "bronze".to_string())]);
    let shop = route_at_gateway(&example("prod"), "shop.apps.prod.example.com", 443, &bronze);
    let Routed::To { set_headers, .. } = shop else { panic!("shop is routed: {shop:?}") };
    assert_eq!(set_headers.get("x-sla-class").map(String::as_str), Some("gold"));
}

/// Upstream Istio with the egress gateway deployed by meshedge; `shop` asks for gold and bronze
/// on the partner API, `blog` asks for the host without a class.
fn two_callers() -> Model {
    let repo = common::TempRepo::prod_on(&format!(
        "{API}\nkind: Layer\nmetadata:\n  name: base\nsettings:\n  mesh:\n    flavor: istio\n    controlPlane:\n      \
             version: v1.24.3\n    outboundTrafficPolicy: REGISTRY_ONLY\n  egress:\n    defaultGateway: egress\n    gateways:\n      \
             - name: egress\n        namespace: istio-egress\n        selector: {{istio: egressgateway}}\n        \
             service: istio-egressgateway\n        deploy: true\n    allowedHosts: [api.partner.example]\n    \
             slaClasses:\n      - name: gold\n        connectionPool: {{tcp: {{maxConnections: 100}}}}\n      \
             - name: bronze\n        connectionPool: {{tcp: {{maxConnections: 5}}}}\n    defaultSlaClass: bronze\n  \
             cluster:\n    kubernetesVersion: \"1.31\"\n"
    ));
    for (tenant, classes) in [("shop", "      slaClasses: [gold, bronze]\n"), ("blog", "")] {
        repo.write(
            &format!("base/tenants/{tenant}/tenant.yaml"),
            &format!("{API}\nkind: Tenant\nmetadata:\n  name: {tenant}\n"),
        );
        repo.write(
            &format!("base/tenants/{tenant}/partner.yaml"),
            &format!(
                "{API}\nkind: EdgeRequest\nmetadata:\n  name: partner\nspec:\n  egress:\n    - host: api.partner.example\n{classes}"
            ),
        );
    }
    let built = compiler::compile(&FsSource::new(repo.root()), "environments/prod")
        .unwrap_or_else(|failed| panic!("the repository builds:\n{}", failed.render()));
    let objects: Vec<Value> = built.objects.iter().map(|o| o.value()).collect();
    let mut ctx = Context::new(IstioVersion::new(1, 24), MeshFlavor::Istio);
    ctx.outbound = meshedge::flows::OutboundPolicy::RegistryOnly;
    Model::new(objects, ctx)
}

/// A request for the partner API at the egress gateway, from a workload of `namespace`, with the
/// SLA header set to `class` (if any): the authorization layer's verdict and the deciding objects.
fn at_egress_gateway(model: &Model, namespace: &str, class: Option<&str>) -> (Outcome, Vec<String>) {
    at_egress_gateway_as(model, "api.partner.example", namespace, class)
}

/// As [`at_egress_gateway`], with `:authority` as the client wrote it.
fn at_egress_gateway_as(
    model: &Model,
    authority: &str,
    namespace: &str,
    class: Option<&str>,
) -> (Outcome, Vec<String>) {
    let gateway = model.index().pods_in("istio-egress").into_iter().next().expect("the egress gateway's pod").clone();
    let client = Pod::new(namespace, "workload", Default::default());
    let mut request = Request::new(authority, 8443, "/").peer(Peer::workload(&client, "cluster.local"));
    if let Some(class) = class {
        request = request.header("x-sla-class", class);
    }
    let ctx = model.context();
    let outcomes = model.index().authz.evaluate(&ctx.root_namespace, &ctx.providers, &gateway, &request);
    let by = outcomes.steps.iter().flat_map(|s| s.decided_by.iter().map(|r| r.name.clone())).collect();
    (authz::outcome(&outcomes), by)
}

#[test]
fn a_tenant_gets_only_the_sla_classes_its_request_asked_for() {
    let model = two_callers();
    // Both reach the partner API (no header: the default class).
    for ns in ["shop", "blog"] {
        let v = model.evaluate_egress(&EgressProbe {
            namespace: ns.into(),
            host: "api.partner.example".into(),
            port: 80,
            requested: true,
        });
        assert_eq!(v.verdict, Outcome::Allowed, "{ns}: {}", v.reason);
    }
    // The egress gateway's routes would send a gold header to the gold subset, whoever sent it…
    let gold = BTreeMap::from([("x-sla-class".to_string(), "gold".to_string())]);
    let routing = &model.index().routing;
    let gateway = model.index().pods_in("istio-egress").into_iter().next().expect("the egress gateway's pod").clone();
    let server = routing.server_for(&gateway, "api.partner.example", 443, false).expect("the egress server");
    let bound = routing.bound(&server, "api.partner.example", "istio-egress", &model.context().default_export_to);
    let key = server.gateway.key();
    let probe =
        Probe { host: "api.partner.example", path: "/", method: "GET", headers: &gold, port: 443, gateway: &key };
    let Routed::To { destinations, .. } = routing.route(&bound, &probe, RouteKind::Http) else { panic!("routed") };
    assert_eq!(destinations[0].subset.as_deref(), Some("gold"));
    // …so the gateway refuses gold to blog, which did not ask for it.
    let (verdict, by) = at_egress_gateway(&model, "blog", Some("gold"));
    assert_eq!(verdict, Outcome::Blocked);
    assert!(by.contains(&"api-partner-example-sla".to_string()), "{by:?}");
    // shop asked for gold; bronze is the default, everyone's; no header is the default too.
    assert_eq!(at_egress_gateway(&model, "shop", Some("gold")).0, Outcome::Allowed);
    assert_eq!(at_egress_gateway(&model, "blog", Some("bronze")).0, Outcome::Allowed);
    assert_eq!(at_egress_gateway(&model, "blog", None).0, Outcome::Allowed);
    // With a port in `:authority`, any port: refused all the same.
    for authority in ["api.partner.example:80", "api.partner.example:443", "API.partner.example:8080"] {
        assert_eq!(at_egress_gateway_as(&model, authority, "blog", Some("gold")).0, Outcome::Blocked, "{authority}");
    }
    // A namespace that asked for nothing is refused gold as well.
    assert_eq!(at_egress_gateway(&model, "elsewhere", Some("gold")).0, Outcome::Blocked);
}

#[test]
fn the_example_grants_every_requester_its_classes_so_it_needs_no_sla_policy() {
    for env in common::environments() {
        let build = common::build(&common::repo_root(), &env);
        let names: Vec<String> = build
            .objects
            .iter()
            .map(|o| o.value())
            .filter(|o| o["kind"] == "AuthorizationPolicy")
            .filter_map(|o| o["metadata"]["name"].as_str().map(str::to_string))
            .filter(|n| n.ends_with("-sla"))
            .collect();
        assert!(names.is_empty(), "{env}: {names:?}");
    }
}
