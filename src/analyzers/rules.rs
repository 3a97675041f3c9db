//! The analyses' codes: one [`Rule`] per meshedge code, with the `istioctl analyze` code it
//! corresponds to, its severity, and the texts reports show (SARIF `rules[]`, docs/analyses.md).
//!
//! Severity follows the level of the Istio message (istio/istio
//! `pkg/config/analysis/msg/messages.yaml`, tag 1.28.10): `Error` → error, `Warning` → warning.
//! Istio's `Info` level is used by none of these analyses. meshedge's own codes carry the
//! severity their effect deserves (an object the API server refuses is an error; a setting that
//! may not do what it says is a warning).

use crate::diagnostic::Code;

/// One analysis code.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// meshedge's code, `A6xx`, whose severity the rule has.
    pub id: Code,
    /// The code as text.
    pub code: &'static str,
    /// The `istioctl analyze` code of the same verdict, if there is one.
    pub istio: Option<&'static str>,
    /// A short kebab-case name (SARIF `rule.name`).
    pub name: &'static str,
    /// One line: what the finding means.
    pub title: &'static str,
    /// Why it matters, in a few sentences.
    pub description: &'static str,
    /// How to fix it.
    pub help: &'static str,
}

macro_rules! rule {
    ($id:ident, $code:ident, $istio:expr, $name:literal, $title:literal, $desc:literal, $help:literal) => {
        pub static $id: Rule = Rule {
            id: Code::$code,
            code: Code::$code.as_str(),
            istio: $istio,
            name: $name,
            title: $title,
            description: $desc,
            help: $help,
        };
    };
}

rule!(
    GATEWAY_NOT_FOUND,
    A601,
    Some("IST0101"),
    "gateway-not-found",
    "a VirtualService names a Gateway that no object defines",
    "A VirtualService entry of `spec.gateways` (`namespace/name`, or a bare name in the \
     VirtualService's namespace) that names no Gateway: the routes never reach that gateway.",
    "define the Gateway, or fix the reference in `spec.gateways`"
);
rule!(
    HOST_NOT_IN_GATEWAY,
    A602,
    Some("IST0132"),
    "host-not-in-gateway",
    "a Gateway the VirtualService binds to serves none of its hosts",
    "None of the VirtualService's hosts matches a host that the referenced Gateway serves to the \
     VirtualService's namespace (`ns/host` entries serve only `ns`, `./host` only the Gateway's \
     own namespace), so the gateway never uses these routes.",
    "add the host to a server of the Gateway (with a namespace prefix that includes the \
     VirtualService's namespace), or bind the VirtualService to the Gateway that serves it"
);
rule!(
    CONFLICTING_MESH_HOSTS,
    A603,
    Some("IST0109"),
    "conflicting-mesh-hosts",
    "two VirtualServices bound to the mesh claim one host where both are visible",
    "VirtualServices bound to `mesh` (no `gateways`, or `mesh` listed) that define the same host \
     for overlapping `exportTo` scopes: sidecars merge or pick one of them, which is undefined \
     behaviour.",
    "merge them into one VirtualService, or make their `exportTo` scopes disjoint"
);
rule!(
    CONFLICTING_GATEWAYS,
    A604,
    Some("IST0145"),
    "conflicting-gateways",
    "two Gateways on one gateway workload serve the same host on the same port",
    "Gateways whose selectors pick the same gateway pods declare the same host (the whole entry, \
     namespace prefix included) with the same `bind` on the same port: the gateway keeps the \
     first server by creation time and drops the other.",
    "serve each host and port from one Gateway per gateway workload"
);
rule!(
    SUBSET_NOT_FOUND,
    A605,
    Some("IST0101"),
    "subset-not-found",
    "a route names a subset that no DestinationRule defines for its host",
    "A route or mirror destination with a `subset` that no DestinationRule defines for that \
     host (a short or external host is looked up in the VirtualService's namespace, \
     `name.ns.svc.cluster.local` in `ns`): requests to it fail.",
    "define the subset in a DestinationRule for the host, or route without it"
);
rule!(
    DESTINATION_TLS_UNVERIFIED,
    A606,
    Some("IST0128"),
    "destination-tls-unverified",
    "a DestinationRule originates TLS without a CA to verify the server",
    "`spec.trafficPolicy.tls` in mode SIMPLE or MUTUAL without `caCertificates` (a \
     `credentialName` counts only together with a `workloadSelector`): the server's \
     certificate is not checked against a CA of its own.",
    "set `caCertificates`, or `credentialName` together with a `workloadSelector` for the \
     gateway that uses it"
);
rule!(
    JWT_CLAIMS_WITHOUT_AUTHN,
    A607,
    Some("IST0149"),
    "jwt-claims-without-authn",
    "routing on JWT claims at a gateway no RequestAuthentication applies to",
    "A VirtualService matches on `@request.auth.claims` headers at a gateway whose pods no \
     RequestAuthentication selects (in `istio-system`, the mesh root namespace or the pods' \
     namespace): the claims are never available and the route never matches.",
    "add a RequestAuthentication that selects the gateway's pods, or stop matching on claims"
);
rule!(
    PORT_TLS_UNVERIFIED,
    A608,
    Some("IST0129"),
    "port-tls-unverified",
    "a DestinationRule port originates TLS without a CA to verify the server",
    "`spec.trafficPolicy.portLevelSettings[].tls` in mode SIMPLE or MUTUAL without \
     `caCertificates` (a `credentialName` counts only together with a `workloadSelector`).",
    "set `caCertificates` for the port, or `credentialName` together with a `workloadSelector`"
);
rule!(
    SUBSET_TLS_UNVERIFIED,
    A609,
    None,
    "subset-tls-unverified",
    "a DestinationRule subset originates TLS without a CA to verify the server",
    "The same rule as A606/A608 for `spec.subsets[].trafficPolicy` (and its port-level \
     settings), which `istioctl analyze` does not look at although the subset's setting is what \
     its traffic uses.",
    "set `caCertificates` in the subset's TLS settings, or `credentialName` together with a \
     `workloadSelector`"
);
rule!(
    DESTINATION_HOST_NOT_FOUND,
    A610,
    Some("IST0101"),
    "destination-host-not-found",
    "a route sends traffic to a host that no Service or ServiceEntry defines",
    "A route or mirror destination whose host is neither a Service nor a ServiceEntry host \
     visible where the VirtualService applies. Checked only for hosts meshedge can know: hosts \
     outside the cluster domain, and cluster hosts in namespaces whose Services are all known.",
    "add a ServiceEntry (or Service) for the host, export it to the VirtualService's \
     namespaces, or fix the host (a cluster service is `name.namespace.svc.cluster.local`)"
);
rule!(
    DESTINATION_PORT_NOT_FOUND,
    A611,
    Some("IST0101"),
    "destination-port-not-found",
    "a route sends traffic to a port its host does not offer",
    "The destination's `port.number` is not one of the ports of the Service or ServiceEntry \
     that defines its host.",
    "route to one of the host's ports, or add the port to the Service or ServiceEntry"
);
rule!(
    DESTINATION_PORT_REQUIRED,
    A612,
    Some("IST0112"),
    "destination-port-required",
    "a route without a port to a host that offers several",
    "A destination without `port` whose Service or ServiceEntry has more than one port: Istio \
     cannot tell which one is meant.",
    "set `port.number` on the destination"
);
rule!(
    OVERLAPPING_GATEWAY_HOSTS,
    A613,
    None,
    "overlapping-gateway-hosts",
    "two Gateways on one gateway workload serve overlapping hosts on the same port",
    "Gateways whose selectors pick the same gateway pods serve hosts on the same port and bind \
     that overlap without being the same entry: a wildcard and a name it covers \
     (`*.example.com` and `shop.example.com`), or one name for different namespaces. Istio \
     accepts both; the more specific host takes that traffic from the other Gateway's owner. \
     `istioctl analyze` before Istio 1.24 (OpenShift Service Mesh 2.x) reports this as IST0145.",
    "serve each host from one Gateway, or make the wildcard's owner also own the names it covers"
);
rule!(
    SERVICEENTRY_WILDCARD_DNS,
    A614,
    Some("IST0106"),
    "serviceentry-wildcard-dns",
    "a ServiceEntry with a wildcard host, DNS resolution and no endpoints",
    "With `resolution: DNS` (or `DNS_ROUND_ROBIN`) and no `endpoints`, every host must be a \
     name Envoy can resolve; a wildcard is not. Istio's validation refuses the object.",
    "use `resolution: NONE` for a wildcard host, list `endpoints`, or name each host"
);
rule!(
    SIDECAR_IGNORED_CREDENTIAL,
    A615,
    None,
    "sidecar-ignored-credential",
    "a DestinationRule credential that sidecars ignore",
    "TLS settings with `credentialName` in a DestinationRule without `workloadSelector` that is \
     visible in namespaces whose workloads are not all gateways: sidecars ignore the setting and \
     send that traffic without TLS. Only gateways read `credentialName`.",
    "export the DestinationRule only to the gateway's namespace, add a `workloadSelector` for \
     the gateway, or give sidecars `caCertificates` and client certificate files instead"
);
rule!(
    GATEWAY_TLS_WITHOUT_CERTIFICATE,
    A616,
    Some("IST0106"),
    "gateway-tls-without-certificate",
    "a Gateway server terminates TLS without any certificate",
    "A server in TLS mode SIMPLE, MUTUAL or OPTIONAL_MUTUAL with neither `credentialName(s)`, \
     nor `serverCertificate` and `privateKey`, nor `tlsCertificates`. Istio's validation \
     refuses the object.",
    "set `credentialName` to the secret holding the host's certificate"
);
rule!(
    GATEWAY_CREDENTIAL_UNKNOWN,
    A617,
    None,
    "gateway-credential-unknown",
    "a Gateway serves TLS from a secret that nothing provides",
    "A TLS server's `credentialName` names a secret that no Secret object, no cert-manager \
     Certificate (`spec.secretName`) and no declared existing secret provides in the namespace \
     of the gateway pods that read it: the host is served without its certificate.",
    "let cert-manager issue the certificate (a `certificateIssuer` on the gateway), or create \
     the secret in the gateway's namespace"
);
rule!(
    INTERNAL_GATEWAY_REFERENCE,
    A618,
    Some("IST0165"),
    "internal-gateway-reference",
    "a VirtualService binds to a Gateway that Istio generates for a Gateway API gateway",
    "A `spec.gateways` entry names the internal Gateway that Istio derives from a Kubernetes \
     Gateway API gateway; that name is an implementation detail and may change.",
    "attach routes to Gateway API gateways with an HTTPRoute, or bind to a Gateway object"
);
rule!(
    GATEWAY_DUPLICATE_CERTIFICATE,
    A619,
    Some("IST0138"),
    "gateway-duplicate-certificate",
    "two Gateways on one gateway workload serve TLS with the same certificate",
    "Gateways that select the same pods use one `credentialName` (or one certificate file) in \
     two TLS servers: browsers reuse the HTTP/2 connection for both hosts and get 404s.",
    "give each Gateway its own certificate, or serve the hosts from one server"
);
rule!(
    GATEWAY_PORT_NOT_ON_SERVICE,
    A620,
    Some("IST0162"),
    "gateway-port-not-on-service",
    "a Gateway port that the gateway's Service does not expose",
    "A server port that is neither a target port nor a port of the TCP ports of the Services \
     selecting the gateway pods: no traffic reaches it.",
    "add the port to the gateway's Service, or use a port the Service exposes"
);
rule!(
    POLICY_SELECTS_NO_WORKLOAD,
    A621,
    Some("IST0127"),
    "policy-selects-no-workload",
    "an AuthorizationPolicy selects no workload",
    "An AuthorizationPolicy whose selector matches no known workload of its namespace (or a \
     namespace-wide policy in a namespace without workloads): it enforces nothing. Checked only \
     in namespaces whose workloads are all known (the gateway namespaces).",
    "fix the selector so it matches the gateway's pod labels"
);

/// Every rule, in code order.
pub static RULES: [&Rule; 21] = [
    &GATEWAY_NOT_FOUND,
    &HOST_NOT_IN_GATEWAY,
    &CONFLICTING_MESH_HOSTS,
    &CONFLICTING_GATEWAYS,
    &SUBSET_NOT_FOUND,
    &DESTINATION_TLS_UNVERIFIED,
    &JWT_CLAIMS_WITHOUT_AUTHN,
    &PORT_TLS_UNVERIFIED,
    &SUBSET_TLS_UNVERIFIED,
    &DESTINATION_HOST_NOT_FOUND,
    &DESTINATION_PORT_NOT_FOUND,
    &DESTINATION_PORT_REQUIRED,
    &OVERLAPPING_GATEWAY_HOSTS,
    &SERVICEENTRY_WILDCARD_DNS,
    &SIDECAR_IGNORED_CREDENTIAL,
    &GATEWAY_TLS_WITHOUT_CERTIFICATE,
    &GATEWAY_CREDENTIAL_UNKNOWN,
    &INTERNAL_GATEWAY_REFERENCE,
    &GATEWAY_DUPLICATE_CERTIFICATE,
    &GATEWAY_PORT_NOT_ON_SERVICE,
    &POLICY_SELECTS_NO_WORKLOAD,
];

/// The rule of a meshedge code.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    #[test]
    fn codes_are_unique_ordered_and_well_formed() {
        let codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(codes, sorted, "codes in order, each once");
        for r in RULES {
            assert!(r.code.len() == 4 && r.code.starts_with("A6"), "{}", r.code);
            assert!(r.istio.is_none_or(|c| c.len() == 7 && c.starts_with("IST")), "{}", r.code);
            assert!(!r.title.is_empty() && !r.description.is_empty() && !r.help.is_empty());
            assert!(r.title.len() <= 1024 && r.description.len() <= 1024, "GitHub's limit on descriptions");
        }
        assert_eq!(rule("A604").map(|r| r.istio), Some(Some("IST0145")));
        assert!(rule("IST0145").is_none(), "looked up by meshedge code");
    }

    /// The levels Istio gives its messages (messages.yaml, 1.28.10): the mapping pinned.
    #[test]
    fn severities_follow_istio_levels() {
        let istio_levels = [
            ("IST0101", Severity::Error),
            ("IST0106", Severity::Error),
            ("IST0109", Severity::Error),
            ("IST0112", Severity::Error),
            ("IST0127", Severity::Warning),
            ("IST0128", Severity::Warning),
            ("IST0129", Severity::Warning),
            ("IST0132", Severity::Warning),
            ("IST0138", Severity::Warning),
            ("IST0145", Severity::Error),
            ("IST0149", Severity::Error),
            ("IST0162", Severity::Warning),
            ("IST0165", Severity::Warning),
        ];
        for r in RULES {
            if let Some(istio) = r.istio {
                let level = istio_levels.iter().find(|(c, _)| *c == istio).map(|(_, l)| *l);
                assert_eq!(level, Some(r.id.severity()), "{} ({istio})", r.code);
            }
        }
    }
}
