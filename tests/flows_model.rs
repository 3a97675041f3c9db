//! The evaluation of whole flows through every layer: the egress-gateway pattern, the
//! registry under each outbound policy, `exportTo`, the DestinationRule merge of older Istio
//! versions, token forwarding to the backend, how load-balanced clients are seen, and how
//! variants of a flow combine for requested and unrequested flows.

use meshedge::flows::authz::Jwt;
use meshedge::flows::selector::Labels;
use meshedge::flows::{
    ContainerPort, Context, Credential, DirectProbe, EgressProbe, IngressProbe, IstioVersion, Layer, MeshFlavor, Model,
    Network, OutboundPolicy, Outcome, Pod, Verdict,
};
use serde::Deserialize;
use serde_json::Value;

/// The documents of a YAML stream.
fn docs(yaml: &str) -> Vec<Value> {
    serde_norway::Deserializer::from_str(yaml)
        .map(|d| Value::deserialize(d).expect("valid YAML"))
        .filter(|v| !v.is_null())
        .collect()
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn names(v: &Verdict) -> Vec<&str> {
    v.decided_by.iter().map(|r| r.name.as_str()).collect()
}

// ---- the egress gateway pattern ----

/// The Istio egress-gateway pattern as meshedge emits it: the application calls port 80, the
/// mesh routes that to the egress gateway (subset per host), the gateway opens TLS to 443.
const EGRESS: &str = r#"
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext, namespace: egress}
spec:
  hosts: [api.ext.example]
  exportTo: [egress, team-a]
  location: MESH_EXTERNAL
  resolution: DNS
  ports: [{name: http, number: 80, protocol: HTTP}, {name: https, number: 443, protocol: HTTPS}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: ext, namespace: egress}
spec:
  selector: {istio: egressgateway}
  servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: [api.ext.example], tls: {mode: ISTIO_MUTUAL}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ext, namespace: egress}
spec:
  hosts: [api.ext.example]
  exportTo: [egress, team-a]
  gateways: [egress/ext, mesh]
  http:
    - match: [{gateways: [mesh], port: 80}]
      route: [{destination: {host: egressgateway.egress.svc.cluster.local, port: {number: 443}, subset: ext}}]
    - match: [{gateways: [egress/ext], port: 443}]
      route: [{destination: {host: api.ext.example, port: {number: 443}}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: hop-ext, namespace: egress}
spec:
  host: egressgateway.egress.svc.cluster.local
  exportTo: [egress, team-a]
  subsets: [{name: ext}]
---
apiVersion: v1
kind: Service
metadata: {name: egressgateway, namespace: egress}
spec:
  selector: {istio: egressgateway}
  ports: [{name: http2, port: 80, targetPort: 8080}, {name: https, port: 443, targetPort: 8443}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: egressgateway, namespace: egress}
spec:
  template:
    metadata: {labels: {istio: egressgateway}}
    spec: {containers: [{name: istio-proxy, image: auto}]}
"#;

/// A tenant whose egress is limited to the mesh (and DNS), as enforcement emits it.
const MESH_ONLY: &str = r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-to-mesh, namespace: team-a}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: egress}}}]}]
"#;

fn ctx(version: (u16, u16), outbound: OutboundPolicy) -> Context {
    let mut ctx = Context::new(IstioVersion::new(version.0, version.1), MeshFlavor::Istio);
    ctx.outbound = outbound;
    ctx
}

fn egress(model: &Model, ns: &str, host: &str, port: u16, requested: bool) -> Verdict {
    model.evaluate_egress(&EgressProbe { namespace: ns.into(), host: host.into(), port, requested })
}

#[test]
fn only_the_mesh_port_goes_through_the_egress_gateway() {
    let mut objects = docs(EGRESS);
    objects.extend(docs(MESH_ONLY));
    let model = Model::new(objects, ctx((1, 24), OutboundPolicy::RegistryOnly));
    let v = egress(&model, "team-a", "api.ext.example", 80, true);
    assert_eq!(v.verdict, Outcome::Allowed, "{}", v.reason);
    assert!(names(&v).contains(&"hop-ext"), "{:?}", names(&v));
    assert!(names(&v).contains(&"egress-to-mesh"), "the hop to the gateway is admitted: {:?}", names(&v));
    // 443 is registered but not routed to the gateway: the sidecar goes straight out.
    let v = egress(&model, "team-a", "api.ext.example", 443, true);
    assert_eq!(v.verdict, Outcome::Blocked);
    assert_eq!(v.steps.iter().find(|s| s.verdict == Outcome::Blocked).map(|s| s.layer), Some(Layer::NetworkPolicy));
}

#[test]
fn the_egress_gateway_is_reached_on_its_container_port() {
    // The egress gateway's pods admit only their container port: the Service's 443 is 8443 there.
    let mut objects = docs(EGRESS);
    objects.extend(docs(
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: gateway-port, namespace: egress}
spec:
  podSelector: {matchLabels: {istio: egressgateway}}
  ingress: [{ports: [{port: 8443}]}]
"#,
    ));
    let model = Model::new(objects, ctx((1, 24), OutboundPolicy::RegistryOnly));
    let v = egress(&model, "team-a", "api.ext.example", 80, true);
    assert_eq!(v.verdict, Outcome::Allowed, "{}", v.reason);
    assert!(names(&v).contains(&"gateway-port"), "{:?}", names(&v));
}

#[test]
fn a_missing_subset_is_a_503() {
    let objects: Vec<Value> = docs(EGRESS).into_iter().filter(|o| o["kind"] != "DestinationRule").collect();
    let model = Model::new(objects, ctx((1, 24), OutboundPolicy::RegistryOnly));
    let v = egress(&model, "team-a", "api.ext.example", 80, true);
    assert_eq!(v.verdict, Outcome::Blocked);
    assert!(v.reason.contains("503"), "{}", v.reason);
}

#[test]
fn destination_rules_of_one_host_merge_before_istio_1_24() {
    // A second tenant's hop rule for the same gateway host, older by name: before 1.24 the
    // merged rule keeps its exportTo, and team-a loses its subset.
    let mut objects = docs(EGRESS);
    objects.extend(docs(
        r#"
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: hop-a-other, namespace: egress}
spec:
  host: egressgateway.egress.svc.cluster.local
  exportTo: [egress, team-b]
  subsets: [{name: other}]
"#,
    ));
    for (version, expected) in [((1, 18), Outcome::Blocked), ((1, 23), Outcome::Blocked), ((1, 24), Outcome::Allowed)] {
        let model = Model::new(objects.clone(), ctx(version, OutboundPolicy::RegistryOnly));
        let v = egress(&model, "team-a", "api.ext.example", 80, true);
        assert_eq!(v.verdict, expected, "Istio {version:?}: {}", v.reason);
    }
}

#[test]
fn the_registry_decides_under_registry_only_and_not_under_allow_any() {
    for (outbound, expected) in
        [(OutboundPolicy::RegistryOnly, Outcome::Blocked), (OutboundPolicy::AllowAny, Outcome::Allowed)]
    {
        let model = Model::new(docs(EGRESS), ctx((1, 24), outbound));
        // team-b is not in the ServiceEntry's exportTo; neither is any namespace for unknown hosts.
        assert_eq!(egress(&model, "team-b", "api.ext.example", 80, false).verdict, expected, "{outbound:?}");
        assert_eq!(egress(&model, "team-a", "unknown.example", 443, false).verdict, expected, "{outbound:?}");
    }
    // Under ALLOW_ANY the tenant's NetworkPolicy still stops a host outside the registry.
    let mut objects = docs(EGRESS);
    objects.extend(docs(MESH_ONLY));
    let model = Model::new(objects, ctx((1, 24), OutboundPolicy::AllowAny));
    assert_eq!(egress(&model, "team-a", "unknown.example", 443, false).verdict, Outcome::Blocked);
}

#[test]
fn export_to_values_of_a_service_entry() {
    let entry = |export: &str| {
        docs(&format!(
            "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {{name: se, namespace: owner}}\nspec: {{hosts: [x.example], exportTo: {export}, ports: [{{name: https, number: 443, protocol: TLS}}]}}\n"
        ))
    };
    let visible = |export: &str, client: &str| {
        let model = Model::new(entry(export), ctx((1, 24), OutboundPolicy::RegistryOnly));
        egress(&model, client, "x.example", 443, false).verdict == Outcome::Allowed
    };
    assert!(visible("[]", "anyone"), "no exportTo: the mesh default `*`");
    assert!(visible("['*']", "anyone"));
    assert!(visible("['.']", "owner"));
    assert!(!visible("['.']", "other"));
    assert!(!visible("['~']", "owner"));
    assert!(visible("[a, b]", "b"));
    assert!(!visible("[a, b]", "owner"));
}

// ---- ingress ----

/// A gateway behind a LoadBalancer, a jwt host with a DENY for requests without a principal,
/// and a backend that verifies the token again.
fn jwt_host(hosts: &str, forward: bool) -> Vec<Value> {
    docs(&format!(
        r#"
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: api, namespace: edge}}
spec:
  selector: {{istio: edge}}
  servers: [{{port: {{number: 443, name: https, protocol: HTTPS}}, hosts: [api.example.com], tls: {{mode: SIMPLE, credentialName: api-tls}}}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: api, namespace: team}}
spec:
  hosts: [api.example.com]
  gateways: [edge/api]
  http: [{{route: [{{destination: {{host: api.team.svc.cluster.local, port: {{number: 8080}}}}}}]}}]
---
apiVersion: v1
kind: Service
metadata: {{name: edge, namespace: edge}}
spec:
  type: LoadBalancer
  selector: {{istio: edge}}
  ports: [{{name: https, port: 443, targetPort: 8443}}]
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {{name: api-jwt, namespace: edge}}
spec:
  selector: {{matchLabels: {{istio: edge}}}}
  jwtRules: [{{issuer: https://issuer.example, audiences: [api], forwardOriginalToken: {forward}}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {{name: api-jwt, namespace: edge}}
spec:
  selector: {{matchLabels: {{istio: edge}}}}
  action: DENY
  rules: [{{from: [{{source: {{notRequestPrincipals: ["*"]}}}}], to: [{{operation: {{hosts: {hosts}}}}}]}}]
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {{name: api-jwt, namespace: team}}
spec:
  jwtRules: [{{issuer: https://issuer.example, audiences: [api]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {{name: api-jwt, namespace: team}}
spec:
  action: DENY
  rules: [{{from: [{{source: {{notRequestPrincipals: ["*"]}}}}]}}]
"#
    ))
}

/// The objects without the backend's own RequestAuthentication and AuthorizationPolicy.
fn without_backend_checks(objects: Vec<Value>) -> Vec<Value> {
    objects
        .into_iter()
        .filter(|o| !(o["metadata"]["namespace"] == "team" && o["apiVersion"] == "security.istio.io/v1"))
        .collect()
}

fn edge_ctx() -> Context {
    let mut ctx = ctx((1, 24), OutboundPolicy::RegistryOnly);
    ctx.pods.push(
        Pod::new("edge", "edge-gateway", labels(&[("istio", "edge")]))
            .with_ports(vec![ContainerPort::tcp("https", 8443)]),
    );
    ctx
}

fn ingress(model: &Model, credential: Credential, requested: bool) -> Verdict {
    model.evaluate_ingress(&IngressProbe {
        host: "api.example.com".into(),
        port: 443,
        path: "/".into(),
        credential,
        client_certificate: None,
        requested,
    })
}

fn token() -> Credential {
    Credential::Token(Jwt::new("https://issuer.example", "alice", &["api"]))
}

#[test]
fn a_host_policy_without_the_port_form_is_bypassed_by_unrequested_clients() {
    // BP "Writing Host Match Policies": `hosts: [h]` does not match `:authority: h:443`.
    let model = Model::new(jwt_host("[api.example.com]", true), edge_ctx());
    // The backend re-verifies: so the gateway's DENY is not all there is. Without it:
    let gateway_only = Model::new(without_backend_checks(jwt_host("[api.example.com]", true)), edge_ctx());
    let requested = ingress(&gateway_only, Credential::None, true);
    assert_eq!(requested.verdict, Outcome::Blocked, "a client sending the bare host is denied");
    let unrequested = ingress(&gateway_only, Credential::None, false);
    assert_eq!(
        unrequested.verdict,
        Outcome::Allowed,
        "`api.example.com:443` slips past the DENY: {}",
        unrequested.reason
    );
    // With the backend's own check, the bypass stops there.
    assert_eq!(ingress(&model, Credential::None, false).verdict, Outcome::Blocked);
    // Both forms listed: closed at the gateway.
    let fixed = without_backend_checks(jwt_host(r#"[api.example.com, "api.example.com:*"]"#, true));
    assert_eq!(ingress(&Model::new(fixed, edge_ctx()), Credential::None, false).verdict, Outcome::Blocked);
}

#[test]
fn the_backend_sees_the_token_only_when_it_is_forwarded() {
    let forwarded = Model::new(jwt_host(r#"[api.example.com, "api.example.com:*"]"#, true), edge_ctx());
    let v = ingress(&forwarded, token(), true);
    assert_eq!(v.verdict, Outcome::Allowed, "{}", v.reason);
    assert_eq!(v.backend.as_deref(), Some("service/team/api:8080"));
    let stripped = Model::new(jwt_host(r#"[api.example.com, "api.example.com:*"]"#, false), edge_ctx());
    let v = ingress(&stripped, token(), true);
    assert_eq!(v.verdict, Outcome::Blocked);
    let last = v.steps.last().unwrap();
    assert_eq!((last.layer, last.verdict), (Layer::Authorization, Outcome::Blocked), "403 at the backend");
    assert!(last.reason.contains("team/"), "{}", last.reason);
}

#[test]
fn tokens_of_other_issuers_and_invalid_tokens_are_rejected_with_401() {
    let model = Model::new(jwt_host(r#"[api.example.com, "api.example.com:*"]"#, true), edge_ctx());
    for credential in [Credential::InvalidToken, Credential::Token(Jwt::new("https://other.example", "x", &["api"]))] {
        let v = ingress(&model, credential, false);
        assert_eq!(v.verdict, Outcome::Blocked);
        assert_eq!(v.layer(Layer::Authentication), Some(Outcome::Blocked));
    }
    // `Authorization: Basic x` is no token: no 401, but the DENY for requests without one.
    let v = ingress(&model, Credential::Header("Basic eDp5".into()), false);
    assert_eq!(v.layer(Layer::Authentication), Some(Outcome::Allowed));
    assert_eq!(v.layer(Layer::Authorization), Some(Outcome::Blocked));
}

/// A gateway whose namespace admits only clients from namespaces (no ipBlock, no rule without
/// peers), behind a LoadBalancer with `externalTrafficPolicy: Cluster`.
fn namespace_only_gateway(etp: &str) -> Vec<Value> {
    let mut objects = jwt_host(r#"[api.example.com, "api.example.com:*"]"#, true);
    objects.retain(|o| o["kind"] != "Service");
    objects.extend(docs(&format!(
        r#"
apiVersion: v1
kind: Service
metadata: {{name: edge, namespace: edge}}
spec:
  type: LoadBalancer
  externalTrafficPolicy: {etp}
  selector: {{istio: edge}}
  ports: [{{name: https, port: 443, targetPort: 8443}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: from-namespaces, namespace: edge}}
spec:
  podSelector: {{}}
  ingress: [{{from: [{{namespaceSelector: {{}}}}]}}]
"#
    )));
    objects
}

#[test]
fn load_balanced_clients_are_a_node_on_ovn_and_undefined_elsewhere() {
    let on = |network: Network, etp: &str| {
        let mut ctx = edge_ctx();
        ctx.network = network;
        ctx.namespace_labels.insert("openshift-host-network".into(), Labels::new());
        Model::new(namespace_only_gateway(etp), ctx)
    };
    // OVN-Kubernetes: SNATed traffic comes from the host-network namespace, which an empty
    // namespace selector includes.
    assert_eq!(ingress(&on(Network::openshift_ovn(), "Cluster"), token(), true).verdict, Outcome::Allowed);
    // With the client's own address kept, no namespace selector admits it.
    assert_eq!(ingress(&on(Network::openshift_ovn(), "Local"), token(), true).verdict, Outcome::Blocked);
    // Elsewhere the source is implementation-defined: a requested flow must work both ways.
    let v = ingress(&on(Network::kubernetes(), "Cluster"), token(), true);
    assert_eq!(v.verdict, Outcome::Blocked);
    assert_eq!(v.layer(Layer::NetworkPolicy), Some(Outcome::Blocked));
}

#[test]
fn a_requested_flow_must_work_for_every_client_an_unrequested_one_for_any() {
    // The gateway admits one internet block only. Behind a LoadBalancer with
    // `externalTrafficPolicy: Local`, clients keep their addresses: the IPv4 stand-in client is
    // admitted, the IPv6 one is not.
    let mut objects = namespace_only_gateway("Local");
    objects.retain(|o| o["kind"] != "NetworkPolicy");
    objects.extend(docs(
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: one-block, namespace: edge}
spec:
  podSelector: {}
  ingress: [{from: [{ipBlock: {cidr: 203.0.113.0/24}}]}]
"#,
    ));
    let model = Model::new(objects, edge_ctx());
    assert_eq!(ingress(&model, token(), true).verdict, Outcome::Blocked, "not every client gets in");
    assert_eq!(ingress(&model, token(), false).verdict, Outcome::Allowed, "some client gets in");
}

#[test]
fn a_gateway_without_exposure_is_unreachable() {
    let objects: Vec<Value> =
        jwt_host(r#"[api.example.com]"#, true).into_iter().filter(|o| o["kind"] != "Service").collect();
    let v = ingress(&Model::new(objects, edge_ctx()), token(), true);
    assert_eq!(v.verdict, Outcome::Blocked);
    assert_eq!(v.steps[0].layer, Layer::Exposure);
    assert_eq!(names(&v), ["api"], "the Gateway that nothing exposes");
}

#[test]
fn unknown_hosts_and_paths_are_blocked() {
    let model = Model::new(jwt_host(r#"[api.example.com]"#, true), edge_ctx());
    let v = model.evaluate_ingress(&IngressProbe {
        host: "nobody.example.com".into(),
        port: 443,
        path: "/".into(),
        credential: Credential::None,
        client_certificate: None,
        requested: true,
    });
    assert_eq!(v.verdict, Outcome::Blocked);
    assert_eq!(v.steps[0].layer, Layer::Routing);
}

// ---- direct ----

#[test]
fn a_tenant_route_counts_only_when_tenants_may_create_one() {
    // Pods of `team` admit the OpenShift router's namespace (the legacy policy-group label).
    let objects = docs(
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-router, namespace: team}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchLabels: {network.openshift.io/policy-group: ingress}}}]}]
"#,
    );
    let mut ctx = ctx((1, 18), OutboundPolicy::RegistryOnly).with_openshift_namespaces(false);
    ctx.network = Network::openshift_ovn();
    let model = Model::new(objects, ctx);
    let direct =
        |via_router| model.evaluate_direct(&DirectProbe { namespace: "team".into(), requested: false, via_router });
    assert_eq!(direct(true).verdict, Outcome::Allowed);
    assert_eq!(direct(false).verdict, Outcome::Blocked);
    assert_eq!(names(&direct(false)), ["from-router"]);
}
