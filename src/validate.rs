//! Validate: the merged environment against the rules of §5 → a [`Plan`] that generation can
//! trust.
//!
//! This stage owns every decision about requests: defaults are applied, short hosts expanded,
//! ownership and uniqueness checked, gateways and SLA classes resolved. Every error names the
//! file and line of the request or setting at fault and says how to fix it. Generation reads
//! only the plan and never validates. The rules that keep tenants apart (names, reserved
//! namespaces, secrets, wildcard hosts) are in [`crate::tenancy`].

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::input::{
    ConnectionPool, EgressFirewallMode, EgressTls, Exposure, Flavor, IngressTls, IssuerRef, JwtRequest, LabelMap,
    MtlsMode, OidcSettings, OutboundPolicy, OutlierDetection,
};
use crate::merge::{Merged, Request};
use crate::values::{Duration, EgressIp};

#[derive(Debug, Clone)]
pub struct Plan {
    pub environment: String,
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
    pub sources: BTreeSet<String>,
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
    pub fn fqdn(&self) -> String {
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
}

#[derive(Debug, Clone, Default)]
pub struct Enforcement {
    pub network_policies: bool,
    pub deny_routes: bool,
    pub require_sidecar: bool,
    pub egress_firewall: EgressFirewallMode,
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
    pub login: bool,
    pub jwt: Option<JwtRequest>,
    /// Longest prefix first.
    pub routes: Vec<RoutePlan>,
    pub sources: BTreeSet<String>,
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
    pub tenants: BTreeSet<String>,
    /// The namespaces of the requests that asked for it.
    pub namespaces: BTreeSet<String>,
    pub sources: BTreeSet<String>,
}

impl Plan {
    /// Whether meshedge emits the ossm2 control plane, and so the gateways it declares.
    pub fn manages_gateways(&self) -> bool {
        self.flavor == Flavor::Ossm2 && self.mesh.manage
    }
}

/// `host` matches `pattern` exactly, or `*.suffix` matches any host under `suffix`.
pub fn host_matches(pattern: &str, host: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if let Some(suffix) = pattern.strip_prefix('*') {
        return host.len() > suffix.len() && host.ends_with(suffix) && suffix.starts_with('.');
    }
    pattern == host
}

/// The suffix Istio adds to a credential name to find its CA bundle.
const CACERT_SUFFIX: &str = "-cacert";
/// The longest Secret name (a DNS-1123 subdomain).
const SECRET_NAME_MAX: usize = 253;

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

struct Checker<'a> {
    merged: &'a Merged,
    diagnostics: Diagnostics,
}

impl Checker<'_> {
    fn error(&mut self, code: &'static str, message: String, at: Location, help: impl Into<String>) {
        self.diagnostics.push(Diagnostic::error(code, message).at(at).help(help));
    }
}

pub fn validate(merged: &Merged) -> Result<(Plan, Diagnostics), Diagnostics> {
    let mut c = Checker { merged, diagnostics: Diagnostics::new() };
    let settings = &merged.settings;
    let mesh_settings = settings.mesh.clone().unwrap_or_default();
    let control_plane = mesh_settings.control_plane.clone().unwrap_or_default();
    let flavor = mesh_settings.flavor.unwrap_or_default();
    let mesh = MeshPlan {
        control_plane_namespace: control_plane.namespace.as_ref().map_or("istio-system", |n| n.as_str()).to_string(),
        control_plane_name: control_plane.name.as_ref().map_or("basic", |n| n.as_str()).to_string(),
        version: control_plane.version.as_ref().map_or("v2.5", |v| v.as_str()).to_string(),
        manage: control_plane.manage.unwrap_or(false),
        outbound: mesh_settings.outbound_traffic_policy.unwrap_or_default(),
        mtls: mesh_settings.mtls.unwrap_or_default(),
        sources: merged.sources_of("mesh"),
    };

    let tenants: BTreeMap<String, TenantPlan> = merged
        .tenants
        .values()
        .map(|t| {
            (
                t.name.clone(),
                TenantPlan { name: t.name.clone(), namespaces: t.namespaces.clone(), sources: t.sources() },
            )
        })
        .collect();
    check_tenant_namespaces(&mut c, &tenants);

    let ingress_gateways = ingress_gateways(&mut c);
    let (egress_gateways, egress) = egress_settings(&mut c);
    crate::tenancy::check_environment(merged, &mesh, &ingress_gateways, &egress_gateways, &mut c.diagnostics);
    let mut secrets = crate::tenancy::SecretClaims::default();
    let mut hosts = crate::tenancy::HostClaims::default();
    let enforcement_settings = settings.enforcement.clone().unwrap_or_default();
    let enforcement = Enforcement {
        network_policies: enforcement_settings.network_policies.unwrap_or(false),
        deny_routes: enforcement_settings.deny_routes.unwrap_or(false),
        require_sidecar: enforcement_settings.require_sidecar.unwrap_or(false),
        egress_firewall: enforcement_settings.egress_firewall.unwrap_or_default(),
        sources: merged.sources_of("enforcement"),
    };

    let default_ingress = settings.ingress.as_ref().and_then(|i| i.default_gateway.as_ref()).map(|g| g.to_string());
    let default_egress = settings.egress.as_ref().and_then(|e| e.default_gateway.as_ref()).map(|g| g.to_string());
    // Host → (the plan, and where it was claimed: located only when a diagnostic needs it).
    let mut ingress_hosts: BTreeMap<String, (IngressHost, (&Request, String))> = BTreeMap::new();
    // External host → (the merged request, where it was first asked for, by whom).
    let mut egress_hosts: BTreeMap<String, (EgressHost, (&Request, String), String)> = BTreeMap::new();
    for tenant in merged.tenants.values() {
        for request in tenant.requests.values() {
            let namespace = request_namespace(&mut c, request, &tenant.namespaces);
            for (i, item) in request.doc.spec.ingress.iter().flatten().enumerate() {
                let base = format!("/spec/ingress/{i}");
                let host = ingress_host(
                    &mut c,
                    request,
                    &namespace,
                    item,
                    &base,
                    &ingress_gateways,
                    &egress,
                    &default_ingress,
                );
                if let Some(host) = host {
                    let at = (request, format!("{base}/host"));
                    if let Some((first, (first_request, first_pointer))) = ingress_hosts.get(&host.host) {
                        let message = format!(
                            "host `{}` is claimed twice: by request `{}` of tenant `{}` and by request `{}` of tenant `{}`",
                            host.host, first.request, first.tenant, host.request, host.tenant
                        );
                        c.diagnostics.push(
                            Diagnostic::error("E401", message)
                                .at(request.location(&at.1))
                                .note(first_request.location(first_pointer), "first claimed here")
                                .help("a host belongs to one request; remove one claim or pick another host"),
                        );
                    } else {
                        if let Some(gateway) = ingress_gateways.get(&host.gateway) {
                            secrets.ingress(request, &base, &host, gateway);
                        }
                        hosts.add(&host.host, request, at.1.clone());
                        ingress_hosts.insert(host.host.clone(), (host, at));
                    }
                }
            }
            for (i, item) in request.doc.spec.egress.iter().flatten().enumerate() {
                let base = format!("/spec/egress/{i}");
                let Some(host) =
                    egress_host(&mut c, request, &namespace, item, &base, &egress_gateways, &egress, &default_egress)
                else {
                    continue;
                };
                secrets.egress(request, &base, &host, &egress_gateways, &namespace);
                let at = (request, format!("{base}/host"));
                match egress_hosts.get_mut(&host.host) {
                    Some((shared, (first_request, first_pointer), first_by)) => {
                        let differences = incompatibilities(shared, &host);
                        if differences.is_empty() {
                            shared.tenants.extend(host.tenants);
                            shared.namespaces.extend(host.namespaces);
                            shared.sources.extend(host.sources);
                            for class in host.sla_classes {
                                if !shared.sla_classes.contains(&class) {
                                    shared.sla_classes.push(class);
                                }
                            }
                            shared.sla_classes.sort();
                        } else {
                            let message = format!(
                                "requests for external host `{}` disagree on {}: {first_by} and request `{}` of tenant `{}`",
                                host.host,
                                differences.join(", "),
                                request.name,
                                request.tenant,
                            );
                            c.diagnostics.push(
                                Diagnostic::error("E420", message)
                                    .at(request.location(&at.1))
                                    .note(first_request.location(first_pointer), "first requested here")
                                    .help("one external host has one port, TLS mode, credentials and gateway for everyone: align the requests"),
                            );
                        }
                    }
                    None => {
                        let by = format!("request `{}` of tenant `{}`", request.name, request.tenant);
                        egress_hosts.insert(host.host.clone(), (host, at, by));
                    }
                }
            }
        }
    }

    hosts.check(&mut c.diagnostics);
    secrets.check(merged, &ingress_gateways, &mut c.diagnostics);
    if c.diagnostics.has_errors() {
        return Err(c.diagnostics);
    }
    let plan = Plan {
        environment: merged.environment.clone(),
        flavor,
        mesh,
        ingress_gateways,
        egress_gateways,
        egress,
        enforcement,
        tenants,
        namespaces: namespace_plan(merged),
        ingress_hosts: ingress_hosts.into_values().map(|(h, _)| h).collect(),
        egress_hosts: egress_hosts.into_values().map(|(h, _, _)| h).collect(),
    };
    placement_warnings(&mut c, &plan);
    Ok((plan, c.diagnostics))
}

fn namespace_plan(merged: &Merged) -> NamespacePlan {
    let create = merged.settings.tenants.as_ref().and_then(|t| t.create_namespaces).unwrap_or(false);
    NamespacePlan { create, sources: if create { merged.sources_of("tenants") } else { BTreeSet::new() } }
}

/// Gateway settings that no emitted object can carry: say where to put them.
fn placement_warnings(c: &mut Checker, plan: &Plan) {
    for gateway in plan.ingress_gateways.values() {
        let hosts: Vec<&str> =
            plan.ingress_hosts.iter().filter(|h| h.gateway == gateway.name).map(|h| h.host.as_str()).collect();
        if gateway.exposure == Exposure::LoadBalancer
            && !gateway.deploy
            && !plan.manages_gateways()
            && !hosts.is_empty()
        {
            c.diagnostics.push(
                Diagnostic::warning("W432", format!("gateway `{}` is exposed by a LoadBalancer that meshedge does not manage", gateway.name))
                    .at(c.merged.settings_location(&format!("/ingress/gateways/{}/exposure", gateway.name)))
                    .help(format!(
                        "annotate Service `{}/{}` with `external-dns.alpha.kubernetes.io/hostname: {}`, or set `deploy: true`",
                        gateway.namespace,
                        gateway.service,
                        hosts.join(",")
                    )),
            );
        }
    }
    if !plan.mesh.manage {
        for gateway in plan.ingress_gateways.values().filter(|g| g.oidc.is_some()) {
            if plan.ingress_hosts.iter().any(|h| h.login && h.gateway == gateway.name) {
                c.diagnostics.push(
                    Diagnostic::warning(
                        "W435",
                        format!(
                            "the login flow of gateway `{}` needs an extension provider in the mesh config",
                            gateway.name
                        ),
                    )
                    .at(c.merged.settings_location(&format!("/ingress/gateways/{}/oidc", gateway.name)))
                    .help(format!(
                        "add `{}` to `meshConfig.extensionProviders`, or set `mesh.controlPlane.manage: true`",
                        crate::generate::security::extension_provider(gateway)
                    )),
                );
            }
        }
    }
    for gateway in plan.egress_gateways.values() {
        if !gateway.node_selector.is_empty() && !gateway.deploy && !plan.manages_gateways() {
            c.diagnostics.push(
                Diagnostic::warning(
                    "W434",
                    format!("egress gateway `{}` has a nodeSelector that no emitted object carries", gateway.name),
                )
                .at(c.merged.settings_location(&format!("/egress/gateways/{}/nodeSelector", gateway.name)))
                .help("set `deploy: true` on the gateway, or let meshedge manage the ossm2 control plane"),
            );
        }
    }
}

fn check_tenant_namespaces(c: &mut Checker, tenants: &BTreeMap<String, TenantPlan>) {
    let mut owners: BTreeMap<&str, &str> = BTreeMap::new();
    for tenant in tenants.values() {
        for namespace in &tenant.namespaces {
            let merged = c.merged;
            let at = || {
                let doc = merged.tenants.get(&tenant.name).and_then(|t| t.docs.last());
                doc.map(|d| d.location("/spec/namespaces"))
                    .unwrap_or_else(|| Location::file(format!("tenants/{}", tenant.name)))
            };
            if !is_dns_label(namespace) {
                c.error(
                    "E402",
                    format!("`{namespace}` is not a valid namespace name"),
                    at(),
                    "namespaces are DNS labels: lowercase letters, digits and `-`, at most 63 characters",
                );
            }
            if let Some(other) = owners.insert(namespace, &tenant.name) {
                c.error(
                    "E403",
                    format!("namespace `{namespace}` belongs to both tenant `{other}` and tenant `{}`", tenant.name),
                    at(),
                    "a namespace belongs to one tenant",
                );
            }
        }
    }
}

fn request_namespace(c: &mut Checker, request: &Request, owned: &[String]) -> String {
    let namespace = request.namespace.clone().or_else(|| owned.first().cloned()).unwrap_or_default();
    if !owned.contains(&namespace) {
        c.error(
            "E404",
            format!(
                "request `{}` names namespace `{namespace}`, which tenant `{}` does not own",
                request.name, request.tenant
            ),
            request.location("/metadata/namespace"),
            format!("use one of the tenant's namespaces: {}", owned.join(", ")),
        );
    }
    namespace
}

/// Labels as the generated objects carry them.
fn labels(map: &LabelMap) -> BTreeMap<String, String> {
    map.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn selector_or_error(c: &mut Checker, path: &str, selector: Option<&LabelMap>) -> BTreeMap<String, String> {
    match selector {
        Some(s) if !s.is_empty() => labels(s),
        _ => {
            c.error(
                "E405",
                format!("gateway `{}` has no selector", path.rsplit('/').next().unwrap_or(path)),
                c.merged.settings_location(path),
                "set `selector` to the labels of the gateway's pods, e.g. {istio: ingressgateway}",
            );
            BTreeMap::new()
        }
    }
}

fn namespace_or_error(c: &mut Checker, path: &str, namespace: Option<&crate::values::Namespace>) -> String {
    match namespace {
        Some(ns) => ns.to_string(),
        None => {
            c.error(
                "E406",
                format!("gateway `{}` has no namespace", path.rsplit('/').next().unwrap_or(path)),
                c.merged.settings_location(path),
                "set `namespace`: where the gateway's pods run and its Gateway objects go",
            );
            String::new()
        }
    }
}

fn ingress_gateways(c: &mut Checker) -> BTreeMap<String, IngressGateway> {
    let mut out = BTreeMap::new();
    let Some(ingress) = c.merged.settings.ingress.clone() else { return out };
    for gateway in ingress.gateways.iter().flatten() {
        let path = format!("/ingress/gateways/{}", gateway.name);
        let namespace = namespace_or_error(c, &path, gateway.namespace.as_ref());
        let selector = selector_or_error(c, &path, gateway.selector.as_ref());
        if let Some(tenant) = gateway.tenant.as_ref().map(|t| t.as_str()) {
            if c.merged.excluded.contains(tenant) {
                c.error(
                    "E303",
                    format!("gateway `{}` belongs to tenant `{tenant}`, which is excluded here", gateway.name),
                    c.merged.settings_location(&format!("{path}/tenant")),
                    "remove the gateway in this environment (`null`), or stop excluding the tenant",
                );
            } else if let Some(t) = c.merged.tenants.get(tenant) {
                if !t.namespaces.contains(&namespace) {
                    c.error(
                        "E407",
                        format!(
                            "gateway `{}` of tenant `{tenant}` runs in `{namespace}`, not a namespace of that tenant",
                            gateway.name
                        ),
                        c.merged.settings_location(&format!("{path}/namespace")),
                        format!("a tenant's gateway runs in one of its namespaces: {}", t.namespaces.join(", ")),
                    );
                }
            } else {
                c.error(
                    "E408",
                    format!("gateway `{}` names unknown tenant `{tenant}`", gateway.name),
                    c.merged.settings_location(&format!("{path}/tenant")),
                    "name a tenant that has a directory under tenants/",
                );
            }
        }
        let mut sources = c.merged.sources_of(&format!("ingress.gateways.{}", gateway.name));
        if sources.is_empty() {
            sources = c.merged.sources_of("ingress");
        }
        out.insert(
            gateway.name.to_string(),
            IngressGateway {
                name: gateway.name.to_string(),
                namespace,
                selector,
                service: gateway.service.as_ref().map_or(gateway.name.as_str(), |s| s.as_str()).to_string(),
                domain: gateway.domain.as_ref().map(|d| d.to_string()),
                allowed_hosts: gateway.allowed_hosts.iter().flatten().map(|h| h.to_string()).collect(),
                exposure: gateway.exposure.unwrap_or(Exposure::None),
                issuer: gateway.certificate_issuer.clone(),
                oidc: gateway.oidc.clone(),
                tenant: gateway.tenant.as_ref().map(|t| t.to_string()),
                deploy: gateway.deploy.unwrap_or(false),
                allow_wildcard_hosts: gateway.allow_wildcard_hosts.unwrap_or(false),
                sources,
            },
        );
    }
    if let Some(default) = &ingress.default_gateway {
        if !out.contains_key(default.as_str()) {
            c.error(
                "E409",
                format!("the default ingress gateway `{default}` is not declared"),
                c.merged.settings_location("/ingress/defaultGateway"),
                format!("declare it in `ingress.gateways`, or pick one of: {}", names(&out)),
            );
        }
    }
    out
}

fn names<T>(map: &BTreeMap<String, T>) -> String {
    if map.is_empty() { "(none declared)".to_string() } else { map.keys().cloned().collect::<Vec<_>>().join(", ") }
}

fn egress_settings(c: &mut Checker) -> (BTreeMap<String, EgressGateway>, EgressPolicy) {
    let mut gateways = BTreeMap::new();
    let Some(egress) = c.merged.settings.egress.clone() else {
        return (gateways, EgressPolicy { sla_header: "x-sla-class".into(), ..EgressPolicy::default() });
    };
    for gateway in egress.gateways.iter().flatten() {
        let path = format!("/egress/gateways/{}", gateway.name);
        if gateway.name == "none" {
            c.error(
                "E402",
                format!("egress gateway name `{}` is not usable", gateway.name),
                c.merged.settings_location(&path),
                "use a DNS label other than `none` (which means: no gateway)",
            );
        }
        let namespace = namespace_or_error(c, &path, gateway.namespace.as_ref());
        let selector = selector_or_error(c, &path, gateway.selector.as_ref());
        gateways.insert(
            gateway.name.to_string(),
            EgressGateway {
                name: gateway.name.to_string(),
                namespace,
                selector,
                service: gateway.service.as_ref().map_or(gateway.name.as_str(), |s| s.as_str()).to_string(),
                egress_ips: gateway.egress_ips.clone().unwrap_or_default(),
                node_selector: gateway.node_selector.as_ref().map(labels).unwrap_or_default(),
                deploy: gateway.deploy.unwrap_or(false),
                sources: c.merged.sources_of(&format!("egress.gateways.{}", gateway.name)),
            },
        );
    }
    let sla_classes: BTreeMap<String, SlaClass> = egress
        .sla_classes
        .iter()
        .flatten()
        .map(|s| {
            (
                s.name.to_string(),
                SlaClass { connection_pool: s.connection_pool.clone(), outlier_detection: s.outlier_detection.clone() },
            )
        })
        .collect();
    if let Some(default) = &egress.default_sla_class {
        if !sla_classes.contains_key(default.as_str()) {
            c.error(
                "E410",
                format!("the default SLA class `{default}` is not declared"),
                c.merged.settings_location("/egress/defaultSlaClass"),
                format!("declare it in `egress.slaClasses`, or pick one of: {}", names(&sla_classes)),
            );
        }
    }
    if let Some(default) = &egress.default_gateway {
        if default != "none" && !gateways.contains_key(default.as_str()) {
            c.error(
                "E409",
                format!("the default egress gateway `{default}` is not declared"),
                c.merged.settings_location("/egress/defaultGateway"),
                format!("declare it in `egress.gateways`, use `none`, or pick one of: {}", names(&gateways)),
            );
        }
    }
    let policy = EgressPolicy {
        sla_header: egress.sla_header.as_ref().map_or("x-sla-class", |h| h.as_str()).to_string(),
        sla_classes,
        default_sla_class: egress.default_sla_class.as_ref().map(|c| c.to_string()),
        sources: c.merged.sources_of("egress"),
    };
    (gateways, policy)
}

#[allow(clippy::too_many_arguments)]
fn ingress_host(
    c: &mut Checker,
    request: &Request,
    namespace: &str,
    item: &crate::input::IngressRequest,
    base: &str,
    gateways: &BTreeMap<String, IngressGateway>,
    egress: &EgressPolicy,
    default_gateway: &Option<String>,
) -> Option<IngressHost> {
    let errors_before = c.diagnostics.len();
    let gateway_name = item.gateway.as_ref().map(|g| g.to_string()).or_else(|| default_gateway.clone());
    let Some(gateway_name) = gateway_name else {
        c.error(
            "E411",
            format!("ingress host `{}` names no gateway and there is no default", item.host),
            request.location(base),
            "set `gateway:` on the request, or `settings.ingress.defaultGateway`",
        );
        return None;
    };
    let Some(gateway) = gateways.get(&gateway_name) else {
        c.error(
            "E411",
            format!("unknown ingress gateway `{gateway_name}`"),
            request.location(&format!("{base}/gateway")),
            format!("use one of the environment's ingress gateways: {}", names(gateways)),
        );
        return None;
    };
    if let Some(owner) = &gateway.tenant {
        if owner != &request.tenant {
            c.error(
                "E412",
                format!("gateway `{gateway_name}` belongs to tenant `{owner}`, not `{}`", request.tenant),
                request.location(&format!("{base}/gateway")),
                "use a shared gateway, or one of your tenant's own",
            );
        }
    }
    let host = if item.host.as_str().contains('.') {
        item.host.to_string()
    } else if let Some(domain) = &gateway.domain {
        format!("{}.{domain}", item.host)
    } else {
        c.error(
            "E413",
            format!("short host `{}` cannot be expanded: gateway `{gateway_name}` has no `domain`", item.host),
            request.location(&format!("{base}/host")),
            "write the full host name, or set `domain` on the gateway",
        );
        return None;
    };
    // The host as written is valid (its type); expanded with the gateway's domain it may not be.
    if !crate::values::is_host(&host) {
        c.error(
            "E414",
            format!("`{host}` is not a valid host name"),
            request.location(&format!("{base}/host")),
            "a host name has at most 253 characters: write a shorter name, or the full host name",
        );
        return None;
    }
    let at = || request.location(&format!("{base}/host"));
    if let Err(d) = crate::tenancy::check_ingress_host(c.merged, item.host.as_str(), &host, gateway, at) {
        c.diagnostics.push(d);
        return None;
    }
    if !gateway.allowed_hosts.iter().any(|p| host_matches(p, &host)) {
        let allowed =
            if gateway.allowed_hosts.is_empty() { "none".to_string() } else { gateway.allowed_hosts.join(", ") };
        c.diagnostics.push(
            Diagnostic::error("E415", format!("host `{host}` is not allowed on gateway `{gateway_name}`"))
                .at(request.location(&format!("{base}/host")))
                .note(
                    c.merged.settings_location(&format!("/ingress/gateways/{gateway_name}/allowedHosts")),
                    format!("allowed hosts: {allowed}"),
                )
                .help("pick a host under the gateway's `allowedHosts`, or ask the platform team to allow it"),
        );
    }
    let tls = item.tls.unwrap_or_default();
    let mut routes = Vec::new();
    let mut paths: BTreeMap<String, usize> = BTreeMap::new();
    for (i, route) in item.routes.iter().enumerate() {
        let at = || request.location(&format!("{base}/routes/{i}"));
        let prefix = route.path.as_ref().map_or("/", |p| p.as_str()).to_string();
        if let Some(first) = paths.insert(prefix.clone(), i) {
            c.diagnostics.push(
                Diagnostic::error("E417", format!("host `{host}` routes path `{prefix}` twice"))
                    .at(at())
                    .note(request.location(&format!("{base}/routes/{first}")), "first routed here")
                    .help("each host+path goes to one service; remove one of the routes"),
            );
        }
        let service = route.service.name();
        if let Some(other) = route.service.namespace() {
            if other != namespace {
                c.error(
                    "E418",
                    format!("route to `{}` leaves the request's namespace `{namespace}`", route.service),
                    request.location(&format!("{base}/routes/{i}/service")),
                    "a request routes only to services in its own namespace; the other namespace's owner must expose it",
                );
            }
        }
        routes.push(RoutePlan {
            prefix,
            service: format!("{service}.{namespace}.svc.cluster.local"),
            port: route.port.get().into(),
            timeout: route.timeout.clone(),
        });
    }
    if routes.is_empty() {
        c.error(
            "E416",
            format!("host `{host}` has no routes"),
            request.location(base),
            "add `routes: [{path: /, service: <service>, port: <port>}]`",
        );
    }
    if tls == IngressTls::Passthrough
        && (routes.len() > 1 || item.routes.iter().any(|r| r.path.as_ref().is_some_and(|p| p != "/")))
    {
        c.error(
            "E416",
            format!("passthrough host `{host}` routes by path"),
            request.location(&format!("{base}/routes")),
            "TLS passthrough cannot see paths: give exactly one route without `path`",
        );
    }
    routes.sort_by(|a, b| b.prefix.len().cmp(&a.prefix.len()).then_with(|| a.prefix.cmp(&b.prefix)));
    if tls == IngressTls::Mutual && item.client_ca_secret.is_none() {
        c.error(
            "E421",
            format!("mutual TLS host `{host}` has no `clientCASecret`"),
            request.location(base),
            "name the secret holding the CA bundle that client certificates must chain to",
        );
    }
    let needs_certificate = matches!(tls, IngressTls::Simple | IngressTls::Mutual);
    let issue_certificate = needs_certificate && item.credential_name.is_none() && gateway.issuer.is_some();
    if needs_certificate && item.credential_name.is_none() && gateway.issuer.is_none() {
        c.error(
            "E422",
            format!("TLS host `{host}` has no certificate"),
            request.location(base),
            format!("set `credentialName` to an existing secret in `{}`, or give gateway `{gateway_name}` a `certificateIssuer`", gateway.namespace),
        );
    }
    if let Some(class) = &item.sla_class {
        if !egress.sla_classes.contains_key(class.as_str()) {
            c.error(
                "E423",
                format!("unknown SLA class `{class}`"),
                request.location(&format!("{base}/slaClass")),
                format!("use one of: {}", names(&egress.sla_classes)),
            );
        }
    }
    if item.login == Some(true) && gateway.oidc.is_none() {
        c.error(
            "E424",
            format!("host `{host}` asks for login but gateway `{gateway_name}` has no `oidc`"),
            request.location(&format!("{base}/login")),
            "use a gateway with an OIDC login flow, or remove `login`",
        );
    }
    let flavor = c.merged.settings.mesh.as_ref().and_then(|m| m.flavor).unwrap_or_default();
    if let (IngressTls::Mutual, Flavor::Ossm2, Some(credential)) = (tls, flavor, &item.credential_name) {
        // OSSM 2.5 reads the client CA from the Secret `<credentialName>-cacert` (see W431),
        // a name that must fit a Secret name too.
        if credential.as_str().len() + CACERT_SUFFIX.len() > SECRET_NAME_MAX {
            c.error(
                "E439",
                format!(
                    "credential name {} is too long for the CA secret OpenShift Service Mesh 2 derives from it",
                    crate::values::shown(credential.as_str())
                ),
                request.location(&format!("{base}/credentialName")),
                format!(
                    "the client CA is read from `<credentialName>{CACERT_SUFFIX}`, at most {SECRET_NAME_MAX} characters: use a credential name of at most {} characters",
                    SECRET_NAME_MAX - CACERT_SUFFIX.len()
                ),
            );
        }
    }
    if c.diagnostics.iter().skip(errors_before).any(Diagnostic::is_error) {
        return None;
    }
    let credential = match tls {
        IngressTls::Passthrough | IngressTls::None => None,
        _ => Some(
            item.credential_name
                .as_ref()
                .map_or_else(|| format!("{}-tls", crate::names::host_slug(&host)), |n| n.to_string()),
        ),
    };
    if let (IngressTls::Mutual, Flavor::Ossm2, Some(credential), Some(ca)) =
        (tls, flavor, &credential, &item.client_ca_secret)
    {
        // OSSM 2.5 (Istio 1.18) has no `caCertCredentialName`: it reads `<credentialName>-cacert`.
        if ca.as_str() != format!("{credential}-cacert") {
            c.diagnostics.push(
                Diagnostic::warning(
                    "W431",
                    format!("OpenShift Service Mesh 2 reads the client CA of `{host}` from secret `{credential}-cacert`, not `{ca}`"),
                )
                .at(request.location(&format!("{base}/clientCASecret")))
                .help(format!("copy the CA bundle of `{ca}` into `{credential}-cacert` in namespace `{}`", gateway.namespace)),
            );
        }
    }
    let mut sources = request.sources();
    sources.extend(gateway.sources.iter().cloned());
    Some(IngressHost {
        host,
        tenant: request.tenant.clone(),
        request: request.name.clone(),
        namespace: namespace.to_string(),
        gateway: gateway_name,
        tls,
        credential,
        issue_certificate,
        client_ca: item.client_ca_secret.as_ref().map(|s| s.to_string()),
        sla_class: item.sla_class.as_ref().map(|c| c.to_string()),
        login: item.login.unwrap_or(false),
        jwt: item.jwt.clone(),
        routes,
        sources,
    })
}

#[allow(clippy::too_many_arguments)]
fn egress_host(
    c: &mut Checker,
    request: &Request,
    namespace: &str,
    item: &crate::input::EgressRequest,
    base: &str,
    gateways: &BTreeMap<String, EgressGateway>,
    egress: &EgressPolicy,
    default_gateway: &Option<String>,
) -> Option<EgressHost> {
    let errors_before = c.diagnostics.len();
    let Some(settings) = c.merged.settings.egress.clone() else {
        c.error(
            "E425",
            format!("request `{}` asks for egress but this environment has no `egress` settings", request.name),
            request.location(base),
            "the platform team declares `settings.egress` (gateways, allowedHosts) first",
        );
        return None;
    };
    let host = item.host.to_string();
    let allowed: Vec<String> = settings.allowed_hosts.iter().flatten().map(|h| h.to_string()).collect();
    if !allowed.iter().any(|p| host_matches(p, &host)) {
        c.diagnostics.push(
            Diagnostic::error("E426", format!("external host `{host}` is not in `egress.allowedHosts`"))
                .at(request.location(&format!("{base}/host")))
                .note(
                    c.merged.settings_location("/egress/allowedHosts"),
                    format!("allowed: {}", if allowed.is_empty() { "nothing".into() } else { allowed.join(", ") }),
                )
                .help("ask the platform team to allow the host, or call an allowed one"),
        );
    }
    let gateway = match item.gateway.as_ref().map(|g| g.to_string()).or_else(|| default_gateway.clone()) {
        None => None,
        Some(name) if name == "none" => None,
        Some(name) => {
            if !gateways.contains_key(&name) {
                c.error(
                    "E411",
                    format!("unknown egress gateway `{name}`"),
                    request.location(&format!("{base}/gateway")),
                    format!("use one of: {}, or `none`", names(gateways)),
                );
            }
            Some(name)
        }
    };
    let tls = item.tls.unwrap_or_default();
    let port: u32 = item.port.map_or(
        match tls {
            EgressTls::None => 80,
            _ => 443,
        },
        |p| p.get().into(),
    );
    if tls == EgressTls::Mutual && item.credential_name.is_none() {
        c.error(
            "E421",
            format!("mutual TLS to `{host}` has no `credentialName`"),
            request.location(base),
            "name the client certificate secret (in the egress gateway's namespace) for the external trust domain",
        );
    }
    if tls == EgressTls::Mutual && gateway.is_none() {
        c.error(
            "E427",
            format!("mutual TLS to `{host}` needs an egress gateway"),
            request.location(base),
            "the client certificate lives at the egress gateway: set `gateway` (not `none`)",
        );
    }
    let classes: Vec<String> = item.sla_classes.iter().flatten().map(|c| c.to_string()).collect();
    for (i, class) in classes.iter().enumerate() {
        if !egress.sla_classes.contains_key(class) {
            c.error(
                "E423",
                format!("unknown SLA class `{class}`"),
                request.location(&format!("{base}/slaClasses/{i}")),
                format!("use one of: {}", names(&egress.sla_classes)),
            );
        }
    }
    if !classes.is_empty() && gateway.is_none() {
        c.error(
            "E427",
            format!("SLA classes for `{host}` need an egress gateway"),
            request.location(&format!("{base}/slaClasses")),
            "limits are enforced at the egress gateway: set `gateway` (not `none`)",
        );
    }
    if c.diagnostics.iter().skip(errors_before).any(Diagnostic::is_error) {
        return None;
    }
    if let (EgressTls::Mutual, Some(credential), Some(ca)) = (tls, &item.credential_name, &item.ca_secret) {
        if ca.as_str() != format!("{credential}-cacert") {
            let namespace =
                gateway.as_ref().and_then(|g| gateways.get(g)).map(|g| g.namespace.clone()).unwrap_or_default();
            c.diagnostics.push(
                Diagnostic::warning(
                    "W433",
                    format!("Istio reads the server CA for `{host}` from `ca.crt` in `{credential}` or from `{credential}-cacert`, not `{ca}`"),
                )
                .at(request.location(&format!("{base}/caSecret")))
                .help(format!("put `ca.crt` of `{ca}` into `{credential}-cacert` in namespace `{namespace}`")),
            );
        }
    }
    let mut sla_classes = classes;
    if !sla_classes.is_empty() {
        if let Some(default) = &egress.default_sla_class {
            sla_classes.push(default.clone());
        }
        sla_classes.sort();
        sla_classes.dedup();
    }
    let mut sources = request.sources();
    if let Some(g) = gateway.as_ref().and_then(|g| gateways.get(g)) {
        sources.extend(g.sources.iter().cloned());
    }
    Some(EgressHost {
        host,
        port,
        tls,
        credential_name: item.credential_name.as_ref().map(|s| s.to_string()),
        ca_secret: item.ca_secret.as_ref().map(|s| s.to_string()),
        gateway,
        sla_classes,
        tenants: BTreeSet::from([request.tenant.clone()]),
        namespaces: BTreeSet::from([namespace.to_string()]),
        sources,
    })
}

fn incompatibilities(a: &EgressHost, b: &EgressHost) -> Vec<&'static str> {
    let mut out = Vec::new();
    if a.port != b.port {
        out.push("port");
    }
    if a.tls != b.tls {
        out.push("tls");
    }
    if a.credential_name != b.credential_name {
        out.push("credentialName");
    }
    if a.ca_secret != b.ca_secret {
        out.push("caSecret");
    }
    if a.gateway != b.gateway {
        out.push("gateway");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_subdomains_only() {
        assert!(host_matches("*.apps.example.com", "shop.apps.example.com"));
        assert!(host_matches("*.apps.example.com", "a.b.apps.example.com"));
        assert!(!host_matches("*.apps.example.com", "apps.example.com"));
        assert!(!host_matches("*.apps.example.com", "shopapps.example.com"));
        assert!(host_matches("api.stripe.com", "api.stripe.com"));
        assert!(!host_matches("api.stripe.com", "x.api.stripe.com"));
    }

    #[test]
    fn namespace_names_are_dns_labels() {
        assert!(is_dns_label("no"));
        assert!(!is_dns_label("Shop"));
    }
}
