//! Properties of the edge that meshedge emits for the example environments: egress exported
//! only to the tenants that asked, no `*` exports, no Istio conflicts (IST0109, IST0145), SLA
//! classes on the egress hop, the ingress SLA header, enforcement per tenant namespace, and the
//! control plane.

mod common;

use std::collections::BTreeSet;

use meshedge::analyzers::{self, Context, Object};
use meshedge::compiler::Build;
use serde_json::Value;

/// The objects of one kind, read back from their YAML.
fn objects<'a>(build: &'a Build, kind: &'a str) -> impl Iterator<Item = Value> + 'a {
    build.objects.iter().filter(move |o| o.kind() == kind).map(|o| o.value())
}

fn find(build: &Build, kind: &str, name: &str) -> Value {
    objects(build, kind).find(|v| v["metadata"]["name"] == name).unwrap_or_else(|| panic!("no {kind} {name}"))
}

fn strings(value: &Value) -> BTreeSet<String> {
    value.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect()
}

#[test]
fn external_hosts_are_exported_only_to_those_who_asked() {
    let prod = common::build(&common::repo_root(), "prod");
    // api.stripe.com: shop and reports asked; payments did not.
    let entry = find(&prod, "ServiceEntry", "api-stripe-com");
    assert_eq!(
        strings(&entry["spec"]["exportTo"]),
        BTreeSet::from(["istio-egress".into(), "reports".into(), "shop".into()])
    );
    let partner = find(&prod, "ServiceEntry", "api-partner-example");
    assert_eq!(strings(&partner["spec"]["exportTo"]), BTreeSet::from(["istio-egress".into(), "payments".into()]));
    for o in &prod.objects {
        if let Some(export) = o.value().pointer("/spec/exportTo") {
            assert!(!strings(export).contains("*"), "{} exports to *", o.reference);
        }
    }
    assert_eq!(objects(&prod, "ServiceEntry").count(), 3, "one entry per external host");
    // Under enforcement the blog's feed goes through the egress gateway too, for the blog only.
    let feed = find(&prod, "ServiceEntry", "feeds-partner-example");
    assert_eq!(strings(&feed["spec"]["exportTo"]), BTreeSet::from(["blog".into(), "istio-egress".into()]));
    let origination = find(&prod, "DestinationRule", "feeds-partner-example");
    assert_eq!(origination["metadata"]["namespace"], "istio-egress");
    assert_eq!(origination["spec"]["trafficPolicy"]["portLevelSettings"][0]["tls"]["mode"], "SIMPLE");
    assert!(objects(&prod, "Gateway").any(|g| g["spec"]["servers"][0]["hosts"][0] == "feeds.partner.example"));
}

#[test]
fn no_istio_conflicts_in_the_output() {
    for env in common::environments() {
        let build = common::build(&common::repo_root(), &env);
        let values: Vec<Value> = build.objects.iter().map(|o| o.value()).collect();
        let objects: Vec<Object> = values.iter().zip(&build.objects).map(|(v, o)| Object::new(v, &o.sources)).collect();
        let findings = analyzers::analyse(&objects, &Context::default());
        let conflicts: Vec<_> =
            findings.iter().filter(|f| matches!(f.istio(), Some("IST0109" | "IST0145" | "IST0101"))).collect();
        assert!(conflicts.is_empty(), "{env}: {conflicts:?}");
    }
}

#[test]
fn sla_classes_limit_the_hop_from_the_egress_gateway() {
    let prod = common::build(&common::repo_root(), "prod");
    let entry = find(&prod, "ServiceEntry", "api-partner-example");
    let classes: BTreeSet<String> = entry["spec"]["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["labels"]["meshedge.io/sla-class"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(classes, BTreeSet::from(["bronze".into(), "gold".into()]));
    let rule = objects(&prod, "DestinationRule").find(|d| d["spec"]["host"] == "api.partner.example").unwrap();
    let gold = rule["spec"]["subsets"].as_array().unwrap().iter().find(|s| s["name"] == "gold").unwrap();
    assert_eq!(gold["trafficPolicy"]["connectionPool"]["tcp"]["maxConnections"], 100);
    assert_eq!(rule["spec"]["trafficPolicy"]["portLevelSettings"][0]["tls"]["mode"], "MUTUAL");
    assert_eq!(rule["spec"]["trafficPolicy"]["portLevelSettings"][0]["tls"]["credentialName"], "partner-client");
    let vs = objects(&prod, "VirtualService").find(|v| v["spec"]["hosts"][0] == "api.partner.example").unwrap();
    let routes = vs["spec"]["http"].as_array().unwrap();
    let last = routes.last().unwrap();
    assert_eq!(last["route"][0]["destination"]["subset"], "bronze", "no header: the default class");
    assert!(routes.iter().any(|r| r["match"][0]["headers"]["x-sla-class"]["exact"] == "gold"));
    // Istio 1.18 merges rules of one host in one namespace keeping the oldest exportTo
    // (istio/istio 1.18.7 pilot/pkg/model/destination_rule.go:95-110): one hop rule per gateway.
    let hop = find(&prod, "DestinationRule", "egress-hop");
    assert!(objects(&prod, "DestinationRule").all(|d| d["metadata"]["name"] != "egress-hop-api-partner-example"));
    let exported = strings(&hop["spec"]["exportTo"]);
    for ns in ["payments", "shop", "reports", "istio-egress"] {
        assert!(exported.contains(ns), "{ns}: {exported:?}");
    }
    // Istio 1.24 keeps rules with different exportTo apart (ENABLE_ENHANCED_DESTINATIONRULE_MERGE).
    let dev = common::build(&common::repo_root(), "dev");
    find(&dev, "DestinationRule", "egress-hop-api-partner-example");
    let subset =
        hop["spec"]["subsets"].as_array().unwrap().iter().find(|s| s["name"] == "api-partner-example").unwrap();
    let tls = &subset["trafficPolicy"]["portLevelSettings"][0]["tls"];
    assert_eq!((tls["mode"].as_str(), tls["sni"].as_str()), (Some("ISTIO_MUTUAL"), Some("api.partner.example")));
}

#[test]
fn an_ingress_sla_class_stamps_the_header() {
    let prod = common::build(&common::repo_root(), "prod");
    let vs = objects(&prod, "VirtualService").find(|v| v["spec"]["hosts"][0] == "shop.apps.prod.example.com").unwrap();
    for route in vs["spec"]["http"].as_array().unwrap() {
        assert_eq!(route["headers"]["request"]["set"]["x-sla-class"], "gold");
    }
}

#[test]
fn enforcement_covers_every_tenant_namespace() {
    let prod = common::build(&common::repo_root(), "prod");
    let tenant_namespaces = ["blog", "legacy", "payments", "reports", "shop", "shop-batch"];
    for kind in ["EgressFirewall", "NetworkPolicy", "Role", "RoleBinding"] {
        let namespaces: BTreeSet<String> =
            objects(&prod, kind).filter_map(|v| v["metadata"]["namespace"].as_str().map(str::to_string)).collect();
        for ns in tenant_namespaces {
            assert!(namespaces.contains(ns), "{kind} missing in {ns}");
        }
    }
    let firewall = objects(&prod, "EgressFirewall").next().unwrap();
    assert_eq!(firewall["metadata"]["name"], "default");
    assert_eq!(firewall["spec"]["egress"][0]["type"], "Deny");
    let roles = objects(&prod, "Role").filter(|r| r["metadata"]["name"] == "meshedge-tenant");
    for role in roles {
        assert!(!role.to_string().contains("routes"), "tenant roles grant no routes");
    }
    // prod (OpenShift 4.16, no ValidatingAdmissionPolicy served): Gatekeeper, one template per rule.
    let admission: BTreeSet<String> = objects(&prod, "ConstraintTemplate")
        .filter_map(|v| v["metadata"]["name"].as_str().map(str::to_string))
        .collect();
    assert_eq!(
        admission,
        BTreeSet::from([
            "meshedgedenysidecarbypass".into(),
            "meshedgedenytenantroutes".into(),
            "meshedgerequiresidecar".into()
        ])
    );
    assert_eq!(objects(&prod, "ValidatingAdmissionPolicy").count(), 0);
    // staging (OpenShift 4.18): `auto` is ValidatingAdmissionPolicy.
    let staging = common::build(&common::repo_root(), "staging");
    let admission: BTreeSet<String> = objects(&staging, "ValidatingAdmissionPolicy")
        .filter_map(|v| v["metadata"]["name"].as_str().map(str::to_string))
        .collect();
    assert_eq!(
        admission,
        BTreeSet::from([
            "meshedge-deny-sidecar-bypass".into(),
            "meshedge-deny-tenant-routes".into(),
            "meshedge-require-sidecar".into()
        ])
    );
    // dev: network policies and the sidecar rule (Kubernetes 1.31 serves the policy).
    let dev = common::build(&common::repo_root(), "dev");
    assert!(objects(&dev, "NetworkPolicy").count() > 0);
    assert_eq!(objects(&dev, "EgressFirewall").count(), 0);
    // The sidecar rules: one that requires it, one that refuses stepping around it.
    let admission: Vec<Value> = objects(&dev, "ValidatingAdmissionPolicy").collect();
    assert_eq!(admission.len(), 2);
    assert!(admission.iter().all(|a| a["apiVersion"] == "admissionregistration.k8s.io/v1"));
}

#[test]
fn control_plane_per_flavor() {
    let prod = common::build(&common::repo_root(), "prod");
    let smcp = objects(&prod, "ServiceMeshControlPlane").next().unwrap();
    assert_eq!(smcp["spec"]["gateways"]["openshiftRoute"]["enabled"], false, "meshedge emits Routes: IOR off");
    // maistra/istio-operator maistra-2.5 pkg/controller/versions/util.go:34-39,245-247: the built-in
    // gateways' names are refused under additionalIngress/additionalEgress.
    let gateways = &smcp["spec"]["gateways"];
    assert!(gateways["additionalIngress"].get("istio-ingressgateway").is_none(), "{gateways}");
    assert!(gateways["additionalEgress"].get("istio-egressgateway").is_none(), "{gateways}");
    assert_eq!(gateways["ingress"]["enabled"], true);
    assert_eq!(gateways["ingress"]["namespace"], "istio-ingress");
    assert_eq!(gateways["ingress"]["routeConfig"]["enabled"], false, "no chart Route beside meshedge's");
    // maistra/istio pilot/pkg/features/pilot.go (maistra-2.5:712): VERIFY_CERTIFICATE_AT_CLIENT off by default.
    assert_eq!(
        smcp["spec"]["runtime"]["components"]["pilot"]["container"]["env"]["VERIFY_CERTIFICATE_AT_CLIENT"],
        "true"
    );
    assert_eq!(smcp["spec"]["proxy"]["networking"]["trafficControl"]["outbound"]["policy"], "REGISTRY_ONLY");
    assert_eq!(smcp["spec"]["security"]["dataPlane"]["mtls"], true);
    let egress = &smcp["spec"]["gateways"]["egress"];
    assert_eq!(egress["namespace"], "istio-egress");
    assert_eq!(egress["runtime"]["pod"]["nodeSelector"]["node-role.kubernetes.io/egress"], "");
    let members = strings(&objects(&prod, "ServiceMeshMemberRoll").next().unwrap()["spec"]["members"]);
    for ns in ["shop", "shop-batch", "payments", "istio-ingress", "istio-egress", "istio-internal"] {
        assert!(members.contains(ns), "{ns} is a member");
    }
    assert!(!members.contains("istio-system"));
    let egress_ip = objects(&prod, "EgressIP").next().unwrap();
    assert_eq!(strings(&egress_ip["spec"]["egressIPs"]), BTreeSet::from(["192.0.2.10".into(), "192.0.2.11".into()]));
    for o in &prod.objects {
        // EnvoyFilter is served at v1alpha3 only (the rate limits' filters).
        if o.reference.api_version.starts_with("networking.istio.io/") && o.reference.kind != "EnvoyFilter" {
            assert_eq!(o.reference.api_version, "networking.istio.io/v1beta1");
        }
    }
    let dev = common::build(&common::repo_root(), "dev");
    assert_eq!(objects(&dev, "ServiceMeshControlPlane").count(), 0);
    let istio = objects(&dev, "Istio").next().unwrap();
    assert_eq!(istio["spec"]["values"]["meshConfig"]["outboundTrafficPolicy"]["mode"], "REGISTRY_ONLY");
    assert!(
        dev.objects
            .iter()
            .filter(|o| o.reference.api_version.starts_with("networking.istio.io/") && o.reference.kind != "EnvoyFilter")
            .all(|o| o.reference.api_version.ends_with("/v1"))
    );
}

#[test]
fn ingress_objects_per_host() {
    let prod = common::build(&common::repo_root(), "prod");
    // A tenant's own gateway: deployed in its namespace, its hosts' objects there too.
    let own = find(&prod, "Gateway", "payments-edge-callbacks-pay-example-com");
    assert_eq!(own["metadata"]["namespace"], "payments");
    assert_eq!(own["spec"]["selector"]["istio"], "payments-edge");
    let deployment = objects(&prod, "Deployment").find(|d| d["metadata"]["name"] == "payments-edge").unwrap();
    assert_eq!(deployment["metadata"]["labels"]["meshedge.io/tenant"], "payments");
    let gateway = find(&prod, "Gateway", "public-shop-apps-prod-example-com");
    let servers = gateway["spec"]["servers"].as_array().unwrap();
    assert_eq!(servers[0]["tls"]["mode"], "SIMPLE");
    assert_eq!(servers[1]["tls"]["httpsRedirect"], true);
    let pay = find(&prod, "Gateway", "public-pay-apps-prod-example-com");
    assert_eq!(pay["spec"]["servers"].as_array().unwrap().len(), 1, "passthrough: no port-80 redirect");
    assert!(objects(&prod, "Certificate").all(|c| c["spec"]["dnsNames"][0] != "pay.apps.prod.example.com"));
    let vs = find(&prod, "VirtualService", "pay-apps-prod-example-com");
    assert_eq!(vs["spec"]["tls"][0]["match"][0]["sniHosts"][0], "pay.apps.prod.example.com");
    let shop =
        objects(&prod, "VirtualService").find(|v| v["spec"]["hosts"][0] == "shop.apps.prod.example.com").unwrap();
    let prefixes: Vec<&str> = shop["spec"]["http"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["match"][0]["uri"]["prefix"].as_str().unwrap())
        .collect();
    assert_eq!(prefixes, ["/api", "/"], "longest prefix first");
    assert_eq!(shop["spec"]["http"][0]["route"][0]["destination"]["host"], "shop-api.shop.svc.cluster.local");
    let route = find(&prod, "Route", "shop-apps-prod-example-com");
    assert_eq!(route["spec"]["tls"]["termination"], "passthrough");
    let internal = objects(&prod, "Service").find(|s| s["metadata"]["name"] == "internal-ingressgateway").unwrap();
    assert_eq!(internal["spec"]["type"], "LoadBalancer");
    let announced = internal["metadata"]["annotations"]["external-dns.alpha.kubernetes.io/hostname"].as_str().unwrap();
    assert!(announced.contains("reports.internal.corp.example"), "{announced}");
    // The shop's admin console has a gateway of its own (its token check applies to every host there).
    let admin = objects(&prod, "Service").find(|s| s["metadata"]["name"] == "admin-ingressgateway").unwrap();
    assert_eq!(
        admin["metadata"]["annotations"]["external-dns.alpha.kubernetes.io/hostname"],
        "shop-admin.internal.prod.example.com"
    );
}

#[test]
fn the_example_builds_without_warnings_in_every_environment() {
    // Argo CD's strict mode fails a sync on any warning: every environment of the example builds clean.
    for environment in ["prod", "dev", "staging"] {
        let build = common::build(&common::repo_root(), environment);
        let codes: Vec<String> = build.diagnostics.iter().map(|d| d.code.to_string()).collect();
        assert!(codes.is_empty(), "{environment}: {codes:?}");
    }
}

#[test]
fn login_and_token_checks() {
    let prod = common::build(&common::repo_root(), "prod");
    // Login: an OAuth proxy beside the internal gateway, registered as an ext-authz provider.
    let proxy = find(&prod, "Deployment", "oauth2-proxy-internal");
    assert_eq!(proxy["metadata"]["namespace"], "istio-internal");
    let args = strings(&proxy["spec"]["template"]["spec"]["containers"][0]["args"]);
    assert!(args.contains("--oidc-issuer-url=https://sso.example.com/realms/corp"), "{args:?}");
    assert!(args.contains("--whitelist-domain=reports.internal.corp.example"), "{args:?}");
    let custom = find(&prod, "AuthorizationPolicy", "internal-login");
    assert_eq!(custom["spec"]["action"], "CUSTOM");
    assert_eq!(custom["spec"]["provider"]["name"], "meshedge-login-internal");
    // reports has login only: every request goes through the proxy, whatever its headers.
    assert_eq!(custom["spec"]["rules"].as_array().map(Vec::len), Some(1));
    assert!(custom["spec"]["rules"][0].get("when").is_none(), "no header skips the login: {custom}");
    // shop-admin has login and jwt: only a bearer token skips the proxy, for the host's token check.
    let admin = find(&prod, "AuthorizationPolicy", "admin-login");
    let when = &admin["spec"]["rules"][0]["when"][0];
    assert_eq!(
        (&when["key"], &when["notValues"]),
        (&"request.headers[authorization]".into(), &serde_json::json!(["Bearer *"]))
    );
    let smcp = objects(&prod, "ServiceMeshControlPlane").next().unwrap();
    let providers: BTreeSet<String> = smcp["spec"]["meshConfig"]["extensionProviders"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect();
    assert_eq!(providers, BTreeSet::from(["meshedge-login-admin".into(), "meshedge-login-internal".into()]));
    let reports =
        objects(&prod, "VirtualService").find(|v| v["spec"]["hosts"][0] == "reports.internal.corp.example").unwrap();
    assert_eq!(reports["spec"]["http"][0]["match"][0]["uri"]["prefix"], "/oauth2", "the callback reaches the proxy");
    // JWT with reverify: checked at the gateway and again in the tenant's namespace.
    let at_gateway = find(&prod, "RequestAuthentication", "shop-admin-internal-prod-example-com-jwt");
    assert_eq!(at_gateway["metadata"]["namespace"], "istio-internal");
    assert_eq!(at_gateway["spec"]["selector"]["matchLabels"]["istio"], "admin-ingressgateway");
    assert_eq!(at_gateway["spec"]["jwtRules"][0]["forwardOriginalToken"], true);
    // The login's ID token verifies at the gateway, and is forwarded.
    let id_token = find(&prod, "RequestAuthentication", "admin-login");
    let rule = &id_token["spec"]["jwtRules"][0];
    assert_eq!(rule["issuer"], "https://sso.example.com/realms/corp");
    assert_eq!(rule["audiences"], serde_json::json!(["mesh-internal"]));
    assert_eq!(rule["forwardOriginalToken"], true);
    // The internal gateway checks no token: its hosts are other tenants'.
    assert!(
        objects(&prod, "RequestAuthentication")
            .all(|r| r["spec"]["selector"]["matchLabels"]["istio"] != "internal-ingressgateway")
    );
    let denies: Vec<Value> = objects(&prod, "AuthorizationPolicy")
        .filter(|p| p["metadata"]["name"] == "shop-admin-internal-prod-example-com-jwt")
        .collect();
    let namespaces: BTreeSet<String> =
        denies.iter().filter_map(|p| p["metadata"]["namespace"].as_str().map(str::to_string)).collect();
    assert_eq!(namespaces, BTreeSet::from(["istio-internal".into(), "shop".into()]));
    for deny in &denies {
        // The host's own issuer, and its audiences plus the login client's.
        let rules = &deny["spec"]["rules"];
        assert_eq!(
            rules[0]["from"][0]["source"]["notRequestPrincipals"],
            serde_json::json!(["https://sso.example.com/realms/corp/*"])
        );
        assert_eq!(rules[1]["when"][0]["key"], "request.auth.audiences");
        assert_eq!(rules[1]["when"][0]["notValues"], serde_json::json!(["mesh-internal", "shop-admin"]));
    }
    // dev (istio flavor) carries the provider in the Istio resource.
    let dev = common::build(&common::repo_root(), "dev");
    let istio = objects(&dev, "Istio").next().unwrap();
    assert_eq!(istio["spec"]["values"]["meshConfig"]["extensionProviders"][0]["name"], "meshedge-login-internal");
}

/// The gateway calls the OAuth proxy in plain text on every target: the proxy has no sidecar,
/// and OSSM's mesh-wide `ISTIO_MUTUAL` rule (`*.cluster.local`, in the control plane's namespace)
/// is overridden by a rule for the proxy's host in the gateway's namespace.
#[test]
fn the_gateway_reaches_the_login_proxy_under_mesh_mtls() {
    use meshedge::platform::Target;
    for environment in ["prod", "dev", "staging"] {
        let build = common::build(&common::repo_root(), environment);
        let proxy = find(&build, "Deployment", "oauth2-proxy-internal");
        assert_eq!(
            proxy["spec"]["template"]["metadata"]["labels"]["sidecar.istio.io/inject"], "false",
            "{environment}"
        );
        let rule = find(&build, "DestinationRule", "oauth2-proxy-internal");
        assert_eq!(rule["metadata"]["namespace"], "istio-internal");
        assert_eq!(rule["spec"]["host"], "oauth2-proxy-internal.istio-internal.svc.cluster.local");
        assert_eq!(rule["spec"]["trafficPolicy"]["tls"]["mode"], "DISABLE");
        // No other rule of the output names the proxy's host.
        let naming = objects(&build, "DestinationRule").filter(|r| r["spec"]["host"] == rule["spec"]["host"]).count();
        assert_eq!(naming, 1, "{environment}");
    }
    // maistra/istio-operator maistra-2.5 resources/helm/v2.5/mesh-config/templates/enable-mesh-mtls.yaml.
    let ossm = Target::all_supported().into_iter().find(|t| t.ossm_version().is_some()).unwrap();
    let mesh_rule = ossm.ossm_mesh_mtls_destination_rule().expect("OSSM adds a mesh-wide rule");
    assert_eq!((mesh_rule.host, mesh_rule.tls_mode), ("*.cluster.local", "ISTIO_MUTUAL"));
}

#[test]
fn tls_on_the_target_version() {
    let prod = common::build(&common::repo_root(), "prod");
    let dev = common::build(&common::repo_root(), "dev");
    // istio/api #3544: tls.caCertCredentialName first in Istio 1.28; not in 1.24 (dev) nor OSSM 2.5.
    for build in [&prod, &dev] {
        assert!(objects(build, "Gateway").all(|g| !g.to_string().contains("caCertCredentialName")));
    }
    // The client CA is read from `<credentialName>-cacert` (istio/istio pilot/pkg/credentials/kube/secrets.go GetCaCert).
    let partner =
        objects(&dev, "Gateway").find(|g| g["metadata"]["name"] == "public-partner-api-apps-dev-example-com").unwrap();
    assert_eq!(partner["spec"]["servers"][0]["tls"]["mode"], "MUTUAL");
    assert_eq!(partner["spec"]["servers"][0]["tls"]["credentialName"], "partner-api-tls");
    // Every origination checks the server's name: with `sni` set no release does it otherwise
    // (istio/istio 1.24.3 pilot/pkg/networking/core/cluster_tls.go:290-320).
    for build in [&prod, &dev] {
        for host in ["api.stripe.com", "api.partner.example", "feeds.partner.example"] {
            let rule = objects(build, "DestinationRule").find(|d| d["spec"]["host"] == host).unwrap();
            let tls = &rule["spec"]["trafficPolicy"]["portLevelSettings"][0]["tls"];
            assert_eq!(tls["subjectAltNames"][0], host, "{rule}");
        }
    }
}
