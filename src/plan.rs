//! The plan: the validated environment — validate's output, generate's input.
//!
//! Everything here has been checked: every gateway a host names exists, every host is allowed
//! and claimed once, every default applied. Generation reads only the plan. What several
//! generators (and a warning of the validate stage) need to agree on — the hosts of a gateway,
//! the login flows and the names of their OAuth proxies — is answered here, once.

use std::collections::{BTreeMap, BTreeSet};

mod federation;
pub use federation::{FederationPlan, Import, PeerPlan, Shared};

use crate::diagnostic::Location;
use crate::input::{
    ConnectionPool, EgressFirewallMode, EgressTls, Exposure, Flavor, IngressTls, IssuerRef, JwtRequest, MtlsMode,
    OidcSettings, OutboundPolicy, OutlierDetection,
};
use crate::load::Document;
use crate::names::join;
use crate::objects::{ExtAuthzHttp, ExtensionProvider};
use crate::platform::{AdmissionEngine, Kind, ServerVerification, Target};
use crate::values::{Duration, EgressIp};

/// The path prefix of the login flow's own endpoints (callback, sign-in).
pub(crate) const OAUTH_PATH: &str = "/oauth2";
/// The port the OAuth proxy of a login flow listens on.
pub(crate) const OAUTH_PROXY_PORT: u32 = 4180;

#[derive(Debug, Clone)]
pub struct Plan {
    pub environment: String,
    /// The platform the output is for: every version question goes to it.
    pub target: Target,
    pub flavor: Flavor,
    pub mesh: MeshPlan,
    pub ingress_gateways: BTreeMap<String, IngressGateway>,
    pub egress_gateways: BTreeMap<String, EgressGateway>,
    pub egress: EgressPolicy,
    pub enforcement: Enforcement,
    pub tenants: BTreeMap<String, TenantPlan>,
    /// `settings.tenants.createNamespaces`.
    pub namespaces: NamespacePlan,
    /// One per host, sorted by host.
    pub ingress_hosts: Vec<IngressHost>,
    /// One per external host (shared by the tenants that asked), sorted by host.
    pub egress_hosts: Vec<EgressHost>,
    /// `settings.mesh.federation` and the requests' exports and imports; `None` without peers.
    pub federation: Option<FederationPlan>,
    /// The tenants of the repository this environment excludes (`settings.tenants.exclude`).
    pub excluded_tenants: BTreeSet<String>,
}

#[derive(Debug, Clone)]
pub struct MeshPlan {
    pub control_plane_namespace: String,
    pub control_plane_name: String,
    pub version: String,
    pub manage: bool,
    pub outbound: OutboundPolicy,
    pub mtls: MtlsMode,
    pub sources: BTreeSet<String>,
}

#[derive(Debug, Clone)]
pub struct IngressGateway {
    pub name: String,
    pub namespace: String,
    pub selector: BTreeMap<String, String>,
    pub service: String,
    pub domain: Option<String>,
    pub allowed_hosts: Vec<String>,
    pub exposure: Exposure,
    pub issuer: Option<IssuerRef>,
    pub oidc: Option<OidcSettings>,
    pub tenant: Option<String>,
    pub deploy: bool,
    /// Requests may claim wildcard hosts here.
    pub allow_wildcard_hosts: bool,
    /// The WASM extensions the gateway offers, by name.
    pub extensions: BTreeMap<String, ExtensionPlan>,
    pub sources: BTreeSet<String>,
}

/// A WASM extension of an ingress gateway: a `WasmPlugin` on its pods.
#[derive(Debug, Clone)]
pub struct ExtensionPlan {
    pub name: String,
    /// `oci://<image>`.
    pub url: String,
    pub phase: Option<crate::input::ExtensionPhase>,
    /// The extension's `config`, as written.
    pub config: serde_json::Map<String, serde_json::Value>,
    pub sources: BTreeSet<String>,
}

/// The authority keys of Coraza's configuration (corazawaf/coraza-proxy-wasm 0.5.0
/// `wasmplugin/config.go`): a rule set name per authority, and the rule set of every other one.
pub(crate) const PER_AUTHORITY_KEY: &str = "per_authority_directives";
pub(crate) const DEFAULT_DIRECTIVES_KEY: &str = "default_directives";

impl ExtensionPlan {
    /// A module that picks its rule set by the request's authority, as Coraza's proxy-wasm
    /// module does: its `per_authority_directives` map and its `default_directives` name.
    ///
    /// Coraza looks the request's `:authority` up in that map as an exact string and falls back
    /// to the default rule set (corazawaf/coraza-proxy-wasm 0.5.0 `wasmplugin/plugin.go`,
    /// `wafMap.getWAFOrDefault`, called with the `:authority` header as the client sent it).
    pub(crate) fn authority_map(&self) -> Option<(&str, &serde_json::Map<String, serde_json::Value>)> {
        let default = self.config.get(DEFAULT_DIRECTIVES_KEY)?.as_str()?;
        let map = self.config.get(PER_AUTHORITY_KEY)?.as_object()?;
        Some((default, map))
    }

    /// For a module with an [`authority map`](Self::authority_map): the one rule set the hosts
    /// that opt in (`opted`) are mapped to, when they share exactly one and it is not the default.
    /// `None` when the module has no authority map, the listed hosts use several rule sets, or
    /// none of them is listed.
    pub(crate) fn opted_rule_set(&self, opted: &[&str]) -> Option<String> {
        let (default, map) = self.authority_map()?;
        let sets: BTreeSet<&str> = opted.iter().filter_map(|h| map.get(*h)?.as_str()).collect();
        match sets.into_iter().collect::<Vec<_>>().as_slice() {
            [one] if *one != default => Some((*one).to_string()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct EgressGateway {
    pub name: String,
    pub namespace: String,
    pub selector: BTreeMap<String, String>,
    pub service: String,
    pub egress_ips: Vec<EgressIp>,
    pub node_selector: BTreeMap<String, String>,
    pub deploy: bool,
    pub sources: BTreeSet<String>,
}

impl EgressGateway {
    pub(crate) fn fqdn(&self) -> String {
        format!("{}.{}.svc.cluster.local", self.service, self.namespace)
    }
}

#[derive(Debug, Clone, Default)]
pub struct EgressPolicy {
    pub sla_header: String,
    /// Class name → its traffic policy fields (`connectionPool`, `outlierDetection`).
    pub sla_classes: BTreeMap<String, SlaClass>,
    pub default_sla_class: Option<String>,
    pub sources: BTreeSet<String>,
}

#[derive(Debug, Clone, Default)]
pub struct SlaClass {
    pub connection_pool: Option<ConnectionPool>,
    pub outlier_detection: Option<OutlierDetection>,
    /// The class's rate limit per external host, enforced at the egress gateway.
    pub rate_limit: Option<crate::input::RateLimit>,
    /// The tenants whose requests may ask for the class; `None`: every tenant.
    pub tenants: Option<BTreeSet<String>>,
}

#[derive(Debug, Clone, Default)]
pub struct Enforcement {
    pub network_policies: bool,
    pub deny_routes: bool,
    pub require_sidecar: bool,
    pub egress_firewall: EgressFirewallMode,
    /// The engine of the admission rules, when `denyRoutes` or `requireSidecar` asks for any.
    pub admission: Option<AdmissionEngine>,
    pub sources: BTreeSet<String>,
}

/// Whether meshedge emits the tenant namespaces (`settings.tenants.createNamespaces`).
#[derive(Debug, Clone, Default)]
pub struct NamespacePlan {
    pub create: bool,
    /// The layer manifests that set `settings.tenants`.
    pub sources: BTreeSet<String>,
}

#[derive(Debug, Clone)]
pub struct TenantPlan {
    pub name: String,
    pub namespaces: Vec<String>,
    pub sources: BTreeSet<String>,
}

#[derive(Debug, Clone)]
pub struct IngressHost {
    pub host: String,
    pub tenant: String,
    pub request: String,
    pub namespace: String,
    pub gateway: String,
    pub tls: IngressTls,
    /// The secret the Gateway server reads (issued by cert-manager or given).
    pub credential: Option<String>,
    /// Whether meshedge asks cert-manager for `credential`.
    pub issue_certificate: bool,
    pub client_ca: Option<String>,
    pub sla_class: Option<String>,
    /// The host's rate limit at the ingress gateway.
    pub rate_limit: Option<crate::input::RateLimit>,
    /// The extensions of its gateway the host opts into.
    pub extensions: BTreeSet<String>,
    pub login: bool,
    pub jwt: Option<JwtRequest>,
    /// Longest prefix first.
    pub routes: Vec<RoutePlan>,
    pub sources: BTreeSet<String>,
    /// Where the request asked for the host.
    pub place: Place,
}

#[derive(Debug, Clone)]
pub struct RoutePlan {
    pub prefix: String,
    pub service: String,
    pub port: u32,
    pub timeout: Option<Duration>,
}

#[derive(Debug, Clone)]
pub struct EgressHost {
    pub host: String,
    pub port: u32,
    pub tls: EgressTls,
    pub credential_name: Option<String>,
    pub ca_secret: Option<String>,
    /// `None`: no gateway hop (ServiceEntry only).
    pub gateway: Option<String>,
    pub sla_classes: Vec<String>,
    /// Requester namespace → the SLA classes its requests asked for (the default class aside:
    /// every caller has that one).
    pub sla_grants: BTreeMap<String, BTreeSet<String>>,
    pub tenants: BTreeSet<String>,
    /// The namespaces of the requests that asked for it.
    pub namespaces: BTreeSet<String>,
    pub sources: BTreeSet<String>,
    /// Where each namespace's request asked for the host (the first request, for a namespace
    /// whose requests ask twice).
    pub places: BTreeMap<String, Place>,
}

/// Where a request wrote an item, located only when asked (a diagnostic, the flows report): the
/// documents of the request, their values released, and the item's JSON pointer.
#[derive(Debug, Clone)]
pub struct Place {
    docs: Vec<Document>,
    pointer: String,
}

impl Place {
    pub(crate) fn new(docs: &[Document], pointer: String) -> Place {
        Place { docs: docs.to_vec(), pointer }
    }

    /// The file, line and column the value was last written at (parses the file for its places
    /// on first use).
    pub fn location(&self) -> Location {
        let doc = self.docs.iter().rev().find(|d| d.writes(&self.pointer)).or(self.docs.last());
        doc.map_or_else(|| Location::file(""), |d| d.location(&self.pointer))
    }
}

impl EgressHost {
    /// The port the workload connects to: a host whose TLS the mesh originates is called in
    /// plain HTTP on port 80 (the ServiceEntry's `http` port the generator declares); any other
    /// on its own port.
    pub(crate) fn application_port(&self) -> u32 {
        match self.tls {
            EgressTls::Originate | EgressTls::Mutual => 80,
            EgressTls::Passthrough | EgressTls::None => self.port,
        }
    }
}

impl Plan {
    /// The API version of `kind` on the target. The validate stage refuses an environment that
    /// would emit a kind its target does not serve, so the empty fallback is never written.
    pub(crate) fn api(&self, kind: Kind) -> &'static str {
        self.target.api_version(kind).map_or("", |api| api.as_str())
    }

    /// Whether a TLS origination that names no CA verifies the server against the proxy's CA
    /// bundle on the target: by istiod's default, or by the flag meshedge sets in the control
    /// plane it manages.
    pub(crate) fn proxies_verify_without_ca(&self) -> bool {
        matches!(
            self.target.server_verification_without_ca(self.mesh.manage),
            ServerVerification::ByDefault | ServerVerification::IstiodFlag
        )
    }

    /// The secrets requests name that exist without meshedge making them (a Gateway server's
    /// certificate given rather than issued), as `(namespace, name)` in the gateway's namespace.
    pub(crate) fn existing_secrets(&self) -> std::collections::BTreeSet<(String, String)> {
        self.ingress_hosts
            .iter()
            .filter(|h| !h.issue_certificate)
            .filter_map(|h| Some((self.ingress_gateways.get(&h.gateway)?.namespace.clone(), h.credential.clone()?)))
            .collect()
    }

    /// Whether meshedge emits a control plane that declares the gateways (the OSSM SMCP).
    pub(crate) fn manages_gateways(&self) -> bool {
        self.target.control_plane_declares_gateways() && self.mesh.manage
    }
}

impl Plan {
    /// The hosts each ingress gateway serves, in the order of [`Plan::ingress_hosts`].
    pub(crate) fn hosts_by_gateway(&self) -> BTreeMap<&str, Vec<&IngressHost>> {
        let mut map: BTreeMap<&str, Vec<&IngressHost>> = BTreeMap::new();
        for host in &self.ingress_hosts {
            map.entry(host.gateway.as_str()).or_default().push(host);
        }
        map
    }

    /// The SLA class stamped on requests entering through `host`: its own `slaClass`, else the
    /// default class once some external host routes by class — so that the class always follows
    /// from the request, never from the header a client sends. `None` when no host uses classes.
    pub(crate) fn ingress_sla_class<'a>(&'a self, host: &'a IngressHost) -> Option<&'a String> {
        let classes_in_use = self.egress_hosts.iter().any(|h| !h.sla_classes.is_empty());
        host.sla_class.as_ref().or(self.egress.default_sla_class.as_ref().filter(|_| classes_in_use))
    }

    /// Gateways with an OIDC login flow that at least one host uses, with those hosts.
    pub(crate) fn login_gateways(&self) -> Vec<(&IngressGateway, Vec<&IngressHost>)> {
        self.ingress_gateways
            .values()
            .filter(|g| g.oidc.is_some())
            .map(|g| (g, self.ingress_hosts.iter().filter(|h| h.login && h.gateway == g.name).collect::<Vec<_>>()))
            .filter(|(_, hosts)| !hosts.is_empty())
            .collect()
    }
}

impl IngressGateway {
    /// The OAuth proxy of the gateway's login flow, in the gateway's namespace.
    pub(crate) fn login_proxy(&self) -> String {
        join(&["oauth2-proxy", &self.name])
    }

    /// The OAuth proxy's address in the mesh.
    pub(crate) fn login_proxy_fqdn(&self) -> String {
        format!("{}.{}.svc.cluster.local", self.login_proxy(), self.namespace)
    }

    /// The ext-authz provider the mesh config declares for the gateway's login flow.
    pub(crate) fn login_provider(&self) -> String {
        join(&["meshedge-login", &self.name])
    }

    /// The mesh config entry (`meshConfig.extensionProviders[]`) of the gateway's login flow.
    pub(crate) fn login_extension_provider(&self) -> ExtensionProvider {
        ExtensionProvider {
            name: self.login_provider(),
            envoy_ext_authz_http: ExtAuthzHttp {
                service: self.login_proxy_fqdn(),
                port: OAUTH_PROXY_PORT,
                include_request_headers_in_check: vec!["authorization", "cookie"],
                headers_to_upstream_on_allow: vec![
                    "authorization",
                    "path",
                    "x-auth-request-user",
                    "x-auth-request-email",
                ],
                headers_to_downstream_on_deny: vec!["content-type", "set-cookie"],
            },
        }
    }
}
