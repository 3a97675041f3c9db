//! Table tests per traffic layer, taken from the specifications' own examples: each example's
//! stated outcome is asserted. The cases live in `tests/data/flows/` (sources in its
//! `SOURCES.md`); the Gateway/VirtualService and OpenShift Service Mesh examples are inline.

use std::collections::BTreeMap;
use std::path::PathBuf;

use meshedge::flows::authz::{self, AuthorizationPolicy, Jwt, Peer, Provider, Request, RequestAuthentication};
use meshedge::flows::context::ContainerPort;
use meshedge::flows::egress_firewall::{Destination, Firewall, Firewalls, Kind};
use meshedge::flows::istio::{Gateway, Routing, VirtualService};
use meshedge::flows::net::{Address, Cidr};
use meshedge::flows::netpol::{self, Endpoint, Env, Namespaces, Policy, Port};
use meshedge::flows::ossm::ControlPlane;
use meshedge::flows::selector::Labels;
use meshedge::flows::{
    Context, Credential, IngressProbe, IstioVersion, Layer, MeshFlavor, Model, Network, NetworkPlugin, ObjectRef,
    Origin, Outcome, Pod, Protocol,
};
use serde_json::{Value, json};

fn data(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/flows").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn labels(value: &Value) -> Labels {
    value
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
        .unwrap_or_default()
}

fn list(value: &Value) -> &[Value] {
    value.as_array().map(Vec::as_slice).unwrap_or_default()
}

fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

fn outcome(word: &str) -> Outcome {
    match word {
        "allowed" => Outcome::Allowed,
        "blocked" => Outcome::Blocked,
        other => panic!("unknown outcome {other}"),
    }
}

fn reference(value: &Value) -> ObjectRef {
    ObjectRef::of(value, Origin::Output).expect("an object with kind and name")
}

// ---- Kubernetes NetworkPolicy (K8S-DOC, K8S-API) ----

/// A probe end: a pod, or an address outside the cluster.
fn end<'a>(pod: &'a Option<Pod>, value: &Value) -> Endpoint<'a> {
    match pod {
        Some(p) => Endpoint::Pod(p),
        None => {
            Endpoint::External(Address::Ip(text(value, "ip").expect("a pod or an ip").parse().expect("an address")))
        }
    }
}

#[test]
fn network_policy_doc_examples() {
    let file = data("networkpolicy.yaml");
    let mut namespaces = Namespaces::new();
    for (ns, l) in file["namespaces"].as_object().unwrap() {
        namespaces.add(ns, &labels(l));
    }
    let network = Network::kubernetes();
    let env = Env { namespaces: &namespaces, network: &network };
    let mut checked = 0;
    for case in list(&file["cases"]) {
        let id = text(case, "id").unwrap();
        let mut policies = netpol::Policies::new();
        for p in list(&case["policies"]) {
            let mut object = p.clone();
            object["apiVersion"] = json!("networking.k8s.io/v1");
            object["kind"] = json!("NetworkPolicy");
            policies.add(Policy::parse(reference(&object), &object).unwrap_or_else(|e| panic!("{id}: {e}")));
        }
        let pod_of = |end: &Value| -> Option<Pod> {
            let ns = text(end, "namespace")?;
            let l = labels(&end["labels"]);
            let ports = list(&case["pods"])
                .iter()
                .find(|p| text(p, "namespace") == Some(ns) && labels(&p["labels"]) == l)
                .map(|p| {
                    list(&p["ports"])
                        .iter()
                        .map(|q| {
                            ContainerPort::tcp(text(q, "name").unwrap(), q["containerPort"].as_u64().unwrap() as u16)
                        })
                        .collect()
                })
                .unwrap_or_default();
            Some(Pod::new(ns, "pod", l).with_ports(ports))
        };
        for probe in list(&case["probes"]) {
            let (from_pod, to_pod) = (pod_of(&probe["from"]), pod_of(&probe["to"]));
            let (from, to) = (end(&from_pod, &probe["from"]), end(&to_pod, &probe["to"]));
            let port = Port::Number(probe["port"].as_u64().unwrap() as u16);
            let protocol = Protocol::parse(text(probe, "protocol").unwrap_or("TCP")).unwrap();
            let got = match text(probe, "check").unwrap() {
                "ingress" => policies.ingress(env, to_pod.as_ref().unwrap(), &from, port, protocol).verdict,
                "egress" => policies.egress(env, from_pod.as_ref().unwrap(), &to, port, protocol).verdict,
                _ => {
                    let steps = policies.connection(env, &from, &to, port, protocol);
                    if steps.iter().all(|s| s.verdict == Outcome::Allowed) {
                        Outcome::Allowed
                    } else {
                        Outcome::Blocked
                    }
                }
            };
            assert_eq!(got, outcome(text(probe, "expect").unwrap()), "{id}: {probe}");
            checked += 1;
        }
    }
    assert!(checked >= 40, "every probe of the file ran ({checked})");
}

// ---- Egress firewalls (OVN-DOC, OVN-CRD, OVN-CODE, OCP-DOC, OAPI) ----

#[test]
fn egress_firewall_doc_examples() {
    let file = data("egressfirewall.yaml");
    let mut checked = 0;
    for case in list(&file["cases"]) {
        let id = text(case, "id").unwrap();
        let object = &case["firewall"];
        let mut object = object.clone();
        if object["metadata"].get("namespace").is_none() {
            object["metadata"]["namespace"] = json!("default");
        }
        let namespace = object["metadata"]["namespace"].as_str().unwrap().to_string();
        let kind = match object["kind"].as_str().unwrap() {
            "EgressFirewall" => Kind::Ovn,
            _ => Kind::Sdn,
        };
        let resolver = case["dnsNameResolver"].as_bool().unwrap_or(false);
        let firewall = Firewall::parse(reference(&object), kind, &object, resolver);
        let refused = case["refused"].as_bool().unwrap_or(false);
        assert_eq!(firewall.invalid.is_some(), refused, "{id}: {:?}", firewall.invalid);
        let mut firewalls = Firewalls::new();
        firewalls.add(firewall);
        let plugin = match text(case, "plugin").unwrap() {
            "ovn" => NetworkPlugin::OvnKubernetes,
            "sdn" => NetworkPlugin::OpenShiftSdn,
            _ => NetworkPlugin::Other,
        };
        let networks: Vec<Cidr> =
            list(&case["clusterNetworks"]).iter().map(|c| Cidr::parse(c.as_str().unwrap()).unwrap()).collect();
        for probe in list(&case["probes"]) {
            let to = &probe["to"];
            let node_labels = labels(&to["node"]);
            let ip = text(to, "ip").map(|i| Address::Ip(i.parse().unwrap()));
            let destination = if to.as_str() == Some("cluster") {
                Destination::InCluster
            } else if to.get("node").is_some() {
                Destination::Node { labels: &node_labels, address: ip }
            } else {
                Destination::External { name: text(to, "host"), address: ip.unwrap_or(Address::AnyV4) }
            };
            let port = Port::Number(probe["port"].as_u64().unwrap() as u16);
            let protocol = Protocol::parse(text(probe, "protocol").unwrap_or("TCP")).unwrap();
            let step = firewalls.check(plugin, &networks, &namespace, &destination, port, protocol);
            assert_eq!(step.verdict, outcome(text(probe, "expect").unwrap()), "{id}: {probe}: {}", step.reason);
            checked += 1;
        }
    }
    assert!(checked >= 30, "every probe of the file ran ({checked})");
}

// ---- Istio AuthorizationPolicy and RequestAuthentication (AZ, RA, DENY, JWT, CUSTOM, BP, VAL) ----

fn status(outcomes: &authz::Outcomes) -> &'static str {
    match outcomes.steps.iter().find(|s| s.verdict != Outcome::Allowed) {
        None => "200",
        Some(s) if s.verdict == Outcome::Redirected => "redirect",
        Some(s) if s.layer == Layer::Authentication => "401",
        Some(s) if s.reason.starts_with("CUSTOM") => "ext-authz-deny",
        Some(_) => "403",
    }
}

fn provider(value: &Value) -> Provider {
    let h = &value["headerEquals"];
    Provider::HeaderEquals { header: text(h, "header").unwrap().into(), value: text(h, "value").unwrap().into() }
}

fn request(r: &Value) -> Request {
    let mut request = Request::new(
        text(r, "host").unwrap_or("httpbin.foo"),
        r["port"].as_u64().unwrap_or(8000) as u16,
        text(r, "path").unwrap_or("/"),
    )
    .method(text(r, "method").unwrap_or("GET"));
    for (k, v) in r["headers"].as_object().into_iter().flatten() {
        request = request.header(k, v.as_str().unwrap());
    }
    let peer = &r["peer"];
    request = request.peer(Peer {
        principal: text(peer, "principal").map(str::to_string),
        namespace: text(peer, "namespace").map(str::to_string),
        ip: text(peer, "ip").map(|i| i.parse().unwrap()),
    });
    if let Some(t) = r.get("token") {
        let audiences: Vec<&str> = list(&t["audiences"]).iter().filter_map(Value::as_str).collect();
        let mut jwt = Jwt::new(text(t, "issuer").unwrap(), text(t, "subject").unwrap_or("subject"), &audiences);
        for (claim, values) in t["claims"].as_object().into_iter().flatten() {
            let values: Vec<&str> = list(values).iter().filter_map(Value::as_str).collect();
            jwt = jwt.with_claim(claim, &values);
        }
        request = request.bearer(jwt);
    }
    if r["invalidToken"].as_bool() == Some(true) {
        request = request.invalid_bearer();
    }
    request
}

fn authz_policies(objects: &[Value]) -> Result<authz::Policies, String> {
    let mut policies = authz::Policies::new();
    for o in objects {
        let mut object = o.clone();
        object["apiVersion"] = json!("security.istio.io/v1");
        match text(&object, "kind") {
            Some("AuthorizationPolicy") => {
                if let Some(p) = AuthorizationPolicy::parse(reference(&object), &object)? {
                    policies.add_policy(p);
                }
            }
            _ => {
                if let Some(ra) = RequestAuthentication::parse(reference(&object), &object)? {
                    policies.add_authentication(ra);
                }
            }
        }
    }
    Ok(policies)
}

#[test]
fn authorization_doc_examples() {
    let file = data("authorization.yaml");
    let mut checked = 0;
    for case in list(&file["cases"]) {
        let id = text(case, "id").unwrap();
        if case["refused"].as_bool() == Some(true) {
            assert!(authz_policies(list(&case["objects"])).is_err(), "{id}: istiod refuses it");
            checked += 1;
            continue;
        }
        let providers: BTreeMap<String, Provider> =
            case["providers"].as_object().into_iter().flatten().map(|(k, v)| (k.clone(), provider(v))).collect();
        let default_workload =
            case.get("workload").cloned().unwrap_or(json!({"namespace": "foo", "labels": {"app": "httpbin"}}));
        let steps: Vec<Value> = match case.get("steps") {
            Some(s) => list(s).to_vec(),
            None => vec![case.clone()],
        };
        let mut previous: Vec<Value> = Vec::new();
        for step in steps {
            let keep: Vec<&str> = list(&step["keep"]).iter().filter_map(Value::as_str).collect();
            let mut objects: Vec<Value> = previous
                .iter()
                .filter(|o| keep.contains(&o["metadata"]["name"].as_str().unwrap_or_default()))
                .cloned()
                .collect();
            objects.retain(|o| {
                !list(&step["objects"])
                    .iter()
                    .any(|n| n["metadata"]["name"] == o["metadata"]["name"] && n["kind"] == o["kind"])
            });
            objects.extend(list(&step["objects"]).iter().cloned());
            let policies = authz_policies(&objects).unwrap_or_else(|e| panic!("{id}: {e}"));
            for r in list(&step["requests"]) {
                let w = r.get("workload").unwrap_or(&default_workload);
                let pod = Pod::new(text(w, "namespace").unwrap(), "workload", labels(&w["labels"]));
                let outcomes = policies.evaluate("istio-system", &providers, &pod, &request(r));
                assert_eq!(status(&outcomes), text(r, "expect").unwrap(), "{id}: {r}: {:#?}", outcomes.steps);
                checked += 1;
            }
            previous = objects;
        }
    }
    assert!(checked >= 50, "every request of the file ran ({checked})");
}

// ---- Gateway and VirtualService binding (GW: istio/api gateway.proto, virtual_service.proto) ----

fn istio(kind: &str, ns: &str, name: &str, spec: Value) -> Value {
    json!({"apiVersion": "networking.istio.io/v1", "kind": kind, "metadata": {"name": name, "namespace": ns}, "spec": spec})
}

fn routing(objects: &[Value]) -> Routing {
    let mut r = Routing::new();
    for o in objects {
        match o["kind"].as_str().unwrap() {
            "Gateway" => r.add_gateway(Gateway::parse(reference(o), o)),
            _ => r.add_virtual_service(VirtualService::parse(reference(o), o)),
        }
    }
    r.finish();
    r
}

fn my_gateway(hosts: Value) -> Value {
    istio(
        "Gateway",
        "some-config-namespace",
        "my-gateway",
        json!({"selector": {"app": "my-gateway-controller"}, "servers": [
            {"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": hosts.clone(), "tls": {"httpsRedirect": true}},
            {"port": {"number": 443, "name": "https-443", "protocol": "HTTPS"}, "hosts": hosts, "tls": {"mode": "SIMPLE", "credentialName": "bookinfo-secret"}}
        ]}),
    )
}

fn controller() -> Pod {
    Pod::new("some-config-namespace", "gw", Labels::from([("app".to_string(), "my-gateway-controller".to_string())]))
}

fn bound_names(r: &Routing, host: &str, port: u16, pod: &Pod) -> Vec<String> {
    let Some(server) = r.server_for(pod, host, port, false) else { return Vec::new() };
    r.bound(&server, host, &pod.namespace, &["*".to_string()]).iter().map(|v| v.reference.name.clone()).collect()
}

#[test]
fn gateway_binding_doc_examples() {
    // gateway.proto / virtual_service.proto header examples: bookinfo-rule binds to
    // some-config-namespace/my-gateway and to the sidecars (`mesh`); bookinfo-mongo binds to the
    // gateway only and is "not applied inside the mesh".
    let r = routing(&[
        my_gateway(json!(["uk.bookinfo.com", "eu.bookinfo.com"])),
        istio(
            "VirtualService",
            "bookinfo-namespace",
            "bookinfo-rule",
            json!({
                "hosts": ["reviews.prod.svc.cluster.local", "uk.bookinfo.com", "eu.bookinfo.com"],
                "gateways": ["some-config-namespace/my-gateway", "mesh"],
                "http": [{"route": [{"destination": {"host": "reviews.prod.svc.cluster.local"}}]}]
            }),
        ),
        istio(
            "VirtualService",
            "bookinfo-namespace",
            "bookinfo-mongo",
            json!({
                "hosts": ["mongosvr.prod.svc.cluster.local"],
                "gateways": ["some-config-namespace/my-gateway"],
                "tcp": [{"route": [{"destination": {"host": "mongo.prod.svc.cluster.local"}}]}]
            }),
        ),
    ]);
    let pod = controller();
    assert_eq!(bound_names(&r, "uk.bookinfo.com", 443, &pod), ["bookinfo-rule"]);
    assert_eq!(bound_names(&r, "eu.bookinfo.com", 80, &pod), ["bookinfo-rule"]);
    let d = vec!["*".to_string()];
    assert_eq!(
        r.mesh_virtual_service("any", "reviews.prod.svc.cluster.local", &d).map(|v| v.reference.name.as_str()),
        Some("bookinfo-rule")
    );
    assert!(r.mesh_virtual_service("any", "mongosvr.prod.svc.cluster.local", &d).is_none());
    // The port-80 server of the example redirects HTTP to HTTPS.
    assert!(r.server_for(&pod, "uk.bookinfo.com", 80, false).unwrap().server.tls.https_redirect);
}

#[test]
fn gateway_host_namespaces_doc_example() {
    // gateway.proto, last Gateway example: `ns1/*` admits any VirtualService of ns1, `ns2/foo.bar.com`
    // only a VirtualService of ns2 for foo.bar.com.
    let vs = |ns: &str, name: &str, host: &str| {
        istio(
            "VirtualService",
            ns,
            name,
            json!({"hosts": [host], "gateways": ["some-config-namespace/my-gateway"], "http": [{"route": [{"destination": {"host": "x"}}]}]}),
        )
    };
    let r = routing(&[
        my_gateway(json!(["ns1/*", "ns2/foo.bar.com"])),
        vs("ns1", "any-of-ns1", "anything.example.org"),
        vs("ns2", "foo-of-ns2", "foo.bar.com"),
        vs("ns2", "other-of-ns2", "other.bar.com"),
        vs("ns3", "foo-of-ns3", "foo.bar.com"),
    ]);
    let pod = controller();
    assert_eq!(bound_names(&r, "anything.example.org", 443, &pod), ["any-of-ns1"]);
    assert_eq!(bound_names(&r, "foo.bar.com", 443, &pod), ["foo-of-ns2"]);
    assert!(bound_names(&r, "other.bar.com", 443, &pod).is_empty());
}

#[test]
fn gateway_wildcard_hosts_doc_example() {
    // gateway.proto Server.hosts: `*.example.com` takes dev.example.com, not example.com or
    // newexample.com.
    let vs = |name: &str, host: &str| {
        istio(
            "VirtualService",
            "app",
            name,
            json!({"hosts": [host], "gateways": ["some-config-namespace/my-gateway"], "http": [{"route": [{"destination": {"host": "x"}}]}]}),
        )
    };
    let r = routing(&[
        my_gateway(json!(["*.example.com"])),
        vs("dev", "dev.example.com"),
        vs("apex", "example.com"),
        vs("new", "newexample.com"),
    ]);
    let pod = controller();
    assert_eq!(bound_names(&r, "dev.example.com", 443, &pod), ["dev"]);
    assert!(bound_names(&r, "example.com", 443, &pod).is_empty());
    assert!(bound_names(&r, "newexample.com", 443, &pod).is_empty());
}

#[test]
fn gateway_export_to_doc_example() {
    // gateway.proto Server.hosts: only VirtualServices exported to the gateway's namespace bind.
    let vs = |name: &str, export: Value| {
        istio(
            "VirtualService",
            "app",
            name,
            json!({"hosts": ["a.example.com"], "exportTo": export, "gateways": ["some-config-namespace/my-gateway"], "http": [{"route": [{"destination": {"host": "x"}}]}]}),
        )
    };
    let pod = controller();
    let private = routing(&[my_gateway(json!(["*/a.example.com"])), vs("private", json!(["."]))]);
    assert!(bound_names(&private, "a.example.com", 443, &pod).is_empty());
    let exported = routing(&[my_gateway(json!(["*/a.example.com"])), vs("exported", json!(["some-config-namespace"]))]);
    assert_eq!(bound_names(&exported, "a.example.com", 443, &pod), ["exported"]);
}

#[test]
fn https_redirect_doc_example_through_the_facade() {
    // gateway.proto ServerTLSSettings.httpsRedirect: http://uk.bookinfo.com answers with a 301.
    let objects = vec![
        my_gateway(json!(["uk.bookinfo.com"])),
        istio(
            "VirtualService",
            "bookinfo-namespace",
            "bookinfo-rule",
            json!({
                "hosts": ["uk.bookinfo.com"], "gateways": ["some-config-namespace/my-gateway"],
                "http": [{"route": [{"destination": {"host": "productpage.bookinfo-namespace.svc.cluster.local", "port": {"number": 9080}}}]}]
            }),
        ),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "my-gateway", "namespace": "some-config-namespace"},
               "spec": {"type": "LoadBalancer", "selector": {"app": "my-gateway-controller"},
                        "ports": [{"name": "http", "port": 80, "targetPort": 8080}, {"name": "https", "port": 443, "targetPort": 8443}]}}),
    ];
    let mut ctx = Context::new(IstioVersion::new(1, 24), MeshFlavor::Istio);
    ctx.pods.push(controller());
    let model = Model::new(objects, ctx);
    let probe = |port: u16| IngressProbe {
        host: "uk.bookinfo.com".into(),
        port,
        path: "/".into(),
        credential: Credential::None,
        client_certificate: None,
        requested: true,
    };
    let http = model.evaluate_ingress(&probe(80));
    assert_eq!(http.verdict, Outcome::Redirected, "{}", http.reason);
    let https = model.evaluate_ingress(&probe(443));
    assert_eq!(https.verdict, Outcome::Allowed, "{}", https.reason);
    assert_eq!(https.backend.as_deref(), Some("service/bookinfo-namespace/productpage:9080"));
}

// ---- OpenShift Service Mesh 2 managed NetworkPolicies (MAISTRA) ----

fn ossm_model_inputs() -> (Value, Value) {
    let smcp = json!({"apiVersion": "maistra.io/v2", "kind": "ServiceMeshControlPlane",
        "metadata": {"name": "basic", "namespace": "istio-system"},
        "spec": {"gateways": {"ingress": {"enabled": true, "namespace": "istio-ingress"}, "egress": {"enabled": false}}}});
    let smmr = json!({"apiVersion": "maistra.io/v1", "kind": "ServiceMeshMemberRoll",
        "metadata": {"name": "default", "namespace": "istio-system"},
        "spec": {"members": ["shop", "istio-ingress", "edge"]}});
    (smcp, smmr)
}

#[test]
fn ossm_policies_are_the_templates_instantiated() {
    // MAISTRA: istio-mesh-<smcp> and istio-expose-route-<smcp> in the control plane's namespace,
    // copied into every member; the ingress gateway's own policy admitting everything.
    let (smcp, smmr) = ossm_model_inputs();
    let cp = ControlPlane::from_objects(&smcp, Some(&smmr)).unwrap();
    let policies = cp.network_policies();
    let names: Vec<(String, String)> = policies
        .iter()
        .map(|p| {
            (
                p["metadata"]["namespace"].as_str().unwrap().to_string(),
                p["metadata"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for ns in ["istio-system", "shop", "istio-ingress", "edge"] {
        assert!(names.contains(&(ns.into(), "istio-mesh-basic".into())), "{ns}");
        assert!(names.contains(&(ns.into(), "istio-expose-route-basic".into())), "{ns}");
    }
    assert!(names.contains(&("istio-ingress".into(), "istio-ingressgateway".into())));
    assert_eq!(names.len(), 9);
    let expose = policies.iter().find(|p| p["metadata"]["name"] == "istio-expose-route-basic").unwrap();
    assert_eq!(expose["spec"]["podSelector"]["matchLabels"]["maistra.io/expose-route"], "true");
    assert_eq!(
        expose["spec"]["ingress"][0]["from"][0]["namespaceSelector"]["matchLabels"]["network.openshift.io/policy-group"],
        "ingress"
    );
}

/// The consequences of the OSSM policies on OpenShift with OVN-Kubernetes, per the research
/// table: member traffic passes, the SMCP gateway takes everything, an injected gateway in a
/// member namespace is closed to the router and to load-balanced clients unless opened.
#[test]
fn ossm_policies_close_injected_gateways() {
    let (smcp, smmr) = ossm_model_inputs();
    for router_host_network in [false, true] {
        let mut ctx =
            Context::new(IstioVersion::new(1, 18), MeshFlavor::Ossm2).with_openshift_namespaces(router_host_network);
        ctx.network = Network::openshift_ovn();
        let injected = Pod::new("edge", "injected-gateway", Labels::from([("istio".to_string(), "edge".to_string())]));
        let exposed =
            Pod::new("edge", "exposed", Labels::from([("maistra.io/expose-route".to_string(), "true".to_string())]));
        let tenant = Pod::new("shop", "web", Labels::new());
        ctx.pods.extend([injected.clone(), exposed.clone(), tenant.clone()]);
        let model = Model::new(vec![smcp.clone(), smmr.clone()], ctx);
        let index = model.index();
        let env = Env { namespaces: &index.namespaces, network: &model.context().network };
        let policies = &index.network_policies;
        let check = |pod: &Pod, from: &Endpoint<'_>| {
            policies.ingress(env, pod, from, Port::Number(8443), Protocol::Tcp).verdict
        };
        let router_pod = Pod::new("openshift-ingress", "router", model.context().router.clone().unwrap().labels);
        let router = if router_host_network { Endpoint::Node(None) } else { Endpoint::Pod(&router_pod) };
        // Any pod of a member namespace from another member: allowed by istio-mesh-basic.
        assert_eq!(check(&tenant, &Endpoint::Pod(&injected)), Outcome::Allowed);
        // The SMCP ingress gateway admits everything.
        let smcp_gateway = index.pods_in("istio-ingress")[0].clone();
        assert_eq!(
            check(&smcp_gateway, &Endpoint::External(Address::Ip("203.0.113.1".parse().unwrap()))),
            Outcome::Allowed
        );
        // An injected gateway behind a Route: closed unless its pods carry expose-route.
        assert_eq!(check(&injected, &router), Outcome::Blocked, "router host network: {router_host_network}");
        assert_eq!(check(&exposed, &router), Outcome::Allowed, "router host network: {router_host_network}");
        // Load-balanced clients, SNATed to a node (ETP Cluster) or as themselves (ETP Local).
        assert_eq!(check(&injected, &Endpoint::Node(None)), Outcome::Blocked);
        assert_eq!(
            check(&injected, &Endpoint::External(Address::Ip("203.0.113.1".parse().unwrap()))),
            Outcome::Blocked
        );
        // A tenant pod labelled expose-route is open to node traffic only with a HostNetwork router.
        let node = check(&exposed, &Endpoint::Node(None));
        assert_eq!(node, if router_host_network { Outcome::Allowed } else { Outcome::Blocked });
        // The isolating policy is named, and marked as the platform's.
        let step = policies.ingress(env, &injected, &Endpoint::Node(None), Port::Number(8443), Protocol::Tcp);
        assert_eq!(step.decided_by.len(), 1);
        assert_eq!(step.decided_by[0].name, "istio-mesh-basic");
        assert_eq!(step.decided_by[0].origin, Origin::Platform);
    }
}
