//! The flows of SPEC §5.1, derived from the validated plan: what each request asked for, and the
//! flows nobody asked for that must stay shut.
//!
//! - **ingress**, per requested host and route, `internet → <host>:<port>` (443 for TLS hosts, 80
//!   for `tls: none`): without a credential (requested; for a `mutual` host with a certificate of
//!   its client CA); for `jwt`, with a valid token of the host's issuer and audiences (requested),
//!   without a token and with a token of another issuer (neither requested); for `login`, without
//!   a session (requested: it must reach the login flow), with a session (requested) and with an
//!   arbitrary `Authorization` header (not requested); for `mutual`, without a client
//!   certificate (not requested: the handshake refuses it before any HTTP layer, so nothing
//!   else it presents matters).
//! - **egress**, per tenant namespace, on the port the workload connects to: each external host
//!   it requested (requested), each external host the environment knows that it did not request,
//!   and an address on the internet outside the registry (neither requested).
//! - **direct**, per tenant namespace: the internet straight to its pods (not requested).
//! - **tenant**, per Service a route leads to in a tenant namespace: a namespace of another
//!   tenant calling it directly, around the gateways (not requested; [`tenant`]); and per
//!   external host through an egress gateway, a namespace of another tenant reaching that
//!   gateway around its sidecar for the host ([`bypass`]).

use std::collections::BTreeMap;

use super::authz::Jwt;
use super::model::{BypassProbe, Credential, DirectProbe, EgressProbe, FederationProbe, IngressProbe, TenantProbe};
use super::setting::SUBJECT;
use crate::input::{EgressFirewallMode, EgressTls, IngressTls, OutboundPolicy};
use crate::plan::{EgressHost, IngressHost, Place, Plan};

/// The host that stands for the internet outside the registry: `.invalid` is reserved and never
/// names a real host (RFC 2606 §2), so no ServiceEntry or firewall rule names it.
pub(crate) const INTERNET_HOST: &str = "internet.invalid";
/// The port of the in-mesh hop to an egress gateway, the Service port meshedge's egress
/// objects route to (mutual TLS, or the client's TLS passed through).
const EGRESS_HOP_PORT: u16 = 443;
/// The port of the internet flow.
pub(crate) const INTERNET_PORT: u16 = 443;

/// Which way a flow goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Direction {
    Ingress,
    Egress,
    Direct,
    /// Between this mesh and a peer mesh (OpenShift Service Mesh 2 federation).
    Federation,
    /// From one tenant's namespace to what belongs to another tenant.
    Tenant,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
            Direction::Direct => "direct",
            Direction::Federation => "federation",
            Direction::Tenant => "tenant",
        }
    }
}

/// What the client of an ingress flow presents, as SPEC §5.1 names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    None,
    Token,
    ForeignToken,
    Session,
    Header,
    /// No TLS client certificate, on a `mutual` host.
    NoClientCertificate,
}

impl CredentialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::None => "none",
            CredentialKind::Token => "token",
            CredentialKind::ForeignToken => "foreign-token",
            CredentialKind::Session => "session",
            CredentialKind::Header => "header",
            CredentialKind::NoClientCertificate => "no-client-certificate",
        }
    }
}

/// What is evaluated: one probe, or (for a foreign token) the variants of which the most open
/// counts.
#[derive(Debug, Clone)]
pub(crate) enum Probes {
    Ingress(Vec<IngressProbe>),
    Egress(EgressProbe),
    Direct(DirectProbe),
    Federation(FederationProbe),
    Tenant(TenantProbe),
    Bypass(BypassProbe),
}

/// One flow of §5.1.
#[derive(Debug, Clone)]
pub struct Flow {
    pub direction: Direction,
    /// The tenant the flow belongs to (the host's, or the namespace's owner).
    pub tenant: String,
    /// `internet` or `namespace/<ns>`.
    pub from: String,
    /// `<host>:<port>` or `namespace/<ns>`.
    pub to: String,
    /// The route's path prefix (ingress).
    pub path: Option<String>,
    /// `service/<ns>/<name>:<port>` the request routes to (ingress).
    pub backend: Option<String>,
    pub credential: Option<CredentialKind>,
    pub requested: bool,
    /// For a flow nobody requested: whether an open verdict is an error (the settings promise
    /// it shut).
    pub must_close: bool,
    /// The request that asked for the flow, or for the host it concerns.
    pub place: Option<Place>,
    pub(crate) probes: Probes,
}

/// The tenant namespaces, with their tenant, sorted by namespace.
pub(crate) fn tenant_namespaces(plan: &Plan) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for tenant in plan.tenants.values() {
        for ns in &tenant.namespaces {
            out.entry(ns.clone()).or_insert_with(|| tenant.name.clone());
        }
    }
    out
}

/// Whether the settings shut egress outside the registry: `REGISTRY_ONLY`, or enforcement of
/// egress (network policies or an egress firewall).
pub(crate) fn egress_shut(plan: &Plan) -> bool {
    plan.mesh.outbound == OutboundPolicy::RegistryOnly
        || plan.enforcement.network_policies
        || plan.enforcement.egress_firewall != EgressFirewallMode::None
}

/// The ingress flows of every requested host and route.
pub(crate) fn ingress(plan: &Plan) -> Vec<Flow> {
    let mut out = Vec::new();
    // The `jwt` hosts of each gateway, in the plan's order: whom a foreign token comes from.
    let mut jwt_hosts: BTreeMap<&str, Vec<&IngressHost>> = BTreeMap::new();
    for host in plan.ingress_hosts.iter().filter(|h| h.jwt.is_some()) {
        jwt_hosts.entry(host.gateway.as_str()).or_default().push(host);
    }
    for host in &plan.ingress_hosts {
        let port: u16 = if host.tls == IngressTls::None { 80 } else { 443 };
        for route in &host.routes {
            let flow = |credential: Option<CredentialKind>, requested: bool, probes: Vec<IngressProbe>| Flow {
                direction: Direction::Ingress,
                tenant: host.tenant.clone(),
                from: "internet".to_string(),
                to: format!("{}:{port}", host.host),
                path: Some(route.prefix.clone()),
                backend: Some(backend(&host.namespace, &route.service, route.port)),
                credential,
                requested,
                must_close: !requested,
                place: Some(host.place.clone()),
                probes: Probes::Ingress(probes),
            };
            // On a `mutual` host every client presents a certificate of the host's client CA: the
            // requested clients because they are the host's, the others so that the layer behind
            // the handshake (the token check, the login) is what their flow tests.
            let certificate = match (&host.tls, &host.client_ca) {
                (IngressTls::Mutual, Some(ca)) => Some(ca.clone()),
                _ => None,
            };
            let probe = |credential: Credential, requested: bool| IngressProbe {
                host: host.host.clone(),
                port,
                path: route.prefix.clone(),
                credential,
                client_certificate: certificate.clone(),
                requested,
            };
            let bare = certificate.is_some().then(|| {
                let probe = IngressProbe { client_certificate: None, ..probe(Credential::None, false) };
                flow(Some(CredentialKind::NoClientCertificate), false, vec![probe])
            });
            if !host.login && host.jwt.is_none() {
                out.push(flow(None, true, vec![probe(Credential::None, true)]));
                out.extend(bare);
                continue;
            }
            if host.login {
                let none = CredentialKind::None;
                out.push(flow(Some(none), true, vec![probe(Credential::None, true)]));
                out.push(flow(Some(CredentialKind::Session), true, vec![probe(Credential::Session, true)]));
                let header = Credential::Header("Basic dXNlcjpwYXNzd29yZA==".to_string());
                out.push(flow(Some(CredentialKind::Header), false, vec![probe(header, false)]));
            }
            if let Some(jwt) = &host.jwt {
                let issuer = jwt.issuer.to_string();
                let audiences: Vec<String> = jwt.audiences.iter().flatten().map(|a| a.to_string()).collect();
                let token = Jwt::new(&issuer, SUBJECT, &audiences.iter().map(String::as_str).collect::<Vec<_>>());
                out.push(flow(Some(CredentialKind::Token), true, vec![probe(Credential::Token(token), true)]));
                if !host.login {
                    out.push(flow(Some(CredentialKind::None), false, vec![probe(Credential::None, false)]));
                }
                let same_gateway = jwt_hosts.get(host.gateway.as_str()).map_or(&[][..], Vec::as_slice);
                let foreign = foreign_tokens(plan, host, &issuer, same_gateway);
                let probes = foreign.into_iter().map(|c| probe(c, false)).collect();
                out.push(flow(Some(CredentialKind::ForeignToken), false, probes));
            }
            out.extend(bare);
        }
    }
    out
}

/// `service/<ns>/<name>:<port>` of a route's service, named short (`shop-api`, in the request's
/// namespace) or by its cluster name (`shop-api.shop.svc.cluster.local`).
fn backend(namespace: &str, service: &str, port: u32) -> String {
    let mut labels = service.split('.');
    let name = labels.next().unwrap_or(service);
    let namespace = labels.next().unwrap_or(namespace);
    format!("service/{namespace}/{name}:{port}")
}

/// The tokens of other issuers a client of `host` may hold: a token of the next `jwt` host's
/// issuer on the same gateway (a valid token of another tenant), the ID token of the gateway's
/// login flow (unless the host has `login`: after sign-in the gateway passes that ID token on, and
/// a host with `login` and `jwt` accepts it), and a token of an issuer nobody configured. A constant number per host, so the
/// flows grow with the hosts, not with hosts × issuers; DENY and ALLOW rules written for one
/// issuer treat every other issuer alike. `same_gateway`: the `jwt` hosts of the host's gateway,
/// in the plan's order (so that the cost is that gateway's hosts, not every host of the plan).
fn foreign_tokens(plan: &Plan, host: &IngressHost, own: &str, same_gateway: &[&IngressHost]) -> Vec<Credential> {
    let mut out = Vec::new();
    let same_gateway = same_gateway.iter().copied().filter(|h| h.gateway == host.gateway && h.host != host.host);
    let others: Vec<&IngressHost> =
        same_gateway.filter(|h| h.jwt.as_ref().is_some_and(|j| j.issuer.as_ref() != own)).collect();
    let next = others.iter().find(|h| h.host > host.host).or(others.first());
    if let Some(jwt) = next.and_then(|h| h.jwt.as_ref()) {
        let audiences: Vec<String> = jwt.audiences.iter().flatten().map(|a| a.to_string()).collect();
        let audiences: Vec<&str> = audiences.iter().map(String::as_str).collect();
        out.push(Credential::Token(Jwt::new(jwt.issuer.as_ref(), SUBJECT, &audiences)));
    }
    let login = plan.ingress_gateways.get(&host.gateway).and_then(|g| g.oidc.as_ref()).filter(|_| !host.login);
    if let Some(oidc) = login {
        let issuer = oidc.issuer.to_string();
        if issuer != own {
            out.push(Credential::Token(Jwt::new(&issuer, SUBJECT, &[oidc.client_id.as_ref()])));
        }
    }
    out.push(Credential::InvalidToken);
    out
}

/// The egress flows of a namespace to `hosts` (each external host it requested, or whose
/// ServiceEntries its registry view holds, in the plan's order: see [`super::registry`]), and
/// the one to the internet outside the registry. The flows to the environment's other external
/// hosts are shut by the registry view and stand for all namespaces at once ([`super::stage`]).
/// Cost: one flow per host given.
pub(crate) fn egress<'a>(
    plan: &Plan,
    namespace: &str,
    tenant: &str,
    hosts: impl IntoIterator<Item = &'a EgressHost>,
) -> Vec<Flow> {
    let shut = egress_shut(plan);
    let mut out = Vec::new();
    let flow = |host: &str, port: u16, requested: bool, must_close: bool, place: Option<Place>| {
        let mut flow = egress_flow(namespace, tenant, host, port, requested);
        flow.must_close = must_close;
        flow.place = place;
        flow
    };
    for host in hosts {
        let port = u16::try_from(host.application_port()).unwrap_or(u16::MAX);
        if let Some(place) = host.places.get(namespace) {
            out.push(flow(&host.host, port, true, false, Some(place.clone())));
        } else {
            let place = host.places.values().next().cloned();
            out.push(flow(&host.host, port, false, shut, place));
        }
    }
    let mut internet = flow(INTERNET_HOST, INTERNET_PORT, false, shut, None);
    internet.to = format!("internet:{INTERNET_PORT}");
    out.push(internet);
    out
}

/// The egress flow `namespace/<namespace> → <host>:<port>`, with no request.
pub(crate) fn egress_flow(namespace: &str, tenant: &str, host: &str, port: u16, requested: bool) -> Flow {
    Flow {
        direction: Direction::Egress,
        tenant: tenant.to_string(),
        from: format!("namespace/{namespace}"),
        to: format!("{host}:{port}"),
        path: None,
        backend: None,
        credential: None,
        requested,
        must_close: false,
        place: None,
        probes: Probes::Egress(EgressProbe {
            namespace: namespace.to_string(),
            host: host.to_string(),
            port,
            requested,
        }),
    }
}

/// The first namespace (sorted) of a tenant other than `tenant`, outside `except`: it stands
/// for every namespace of the other tenants (the policies meshedge writes treat them alike).
fn other_namespace<'a>(
    namespaces: &'a BTreeMap<String, String>,
    tenant: impl Fn(&str) -> bool,
    except: &std::collections::BTreeSet<String>,
) -> Option<(&'a String, &'a String)> {
    namespaces.iter().find(|(ns, owner)| !tenant(owner) && !except.contains(*ns))
}

/// A Service a route leads to: the `:authority` values a caller may send, the first request
/// routing to it, its tenant.
type Target = (Vec<String>, Place, String);

/// The tenant→tenant flows: per Service in a tenant namespace that a route leads to (and port),
/// `namespace/<other> → service/<ns>/<name>:<port>` from a namespace of another tenant, with
/// the `:authority` values such a caller may send (the Service's names, the public hosts
/// routed to it). Not requested; shut whenever tenants exist (meshedge's ALLOW policy per tenant
/// namespace). Cost: one flow per routed Service.
pub(crate) fn tenant(plan: &Plan, namespaces: &BTreeMap<String, String>) -> Vec<Flow> {
    let mut targets: BTreeMap<(String, String, u16), Target> = BTreeMap::new();
    for host in &plan.ingress_hosts {
        for route in &host.routes {
            let mut parts = route.service.split('.');
            let name = parts.next().unwrap_or_default().to_string();
            let ns = parts.next().unwrap_or(&host.namespace).to_string();
            let Some(owner) = namespaces.get(&ns) else { continue };
            let port = u16::try_from(route.port).unwrap_or(u16::MAX);
            let entry = targets.entry((ns.clone(), name.clone(), port)).or_insert_with(|| {
                let svc = format!("{name}.{ns}.svc");
                let names = vec![format!("{svc}:{port}"), format!("{svc}.cluster.local"), name.clone()];
                (names, host.place.clone(), owner.clone())
            });
            if !entry.0.contains(&host.host) {
                entry.0.push(host.host.clone());
            }
        }
    }
    let none = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for ((ns, name, port), (authorities, place, owner)) in targets {
        let Some((from, _)) = other_namespace(namespaces, |t| t == owner, &none) else { continue };
        out.push(Flow {
            direction: Direction::Tenant,
            tenant: owner.clone(),
            from: format!("namespace/{from}"),
            to: backend(&ns, &format!("{name}.{ns}"), u32::from(port)),
            path: None,
            backend: None,
            credential: None,
            requested: false,
            must_close: true,
            place: Some(place),
            probes: Probes::Tenant(TenantProbe { from: from.clone(), namespace: ns, service: name, port, authorities }),
        });
    }
    out
}

/// The egress gateway flows around the sidecar: per external host routed through an egress
/// gateway, a namespace of a tenant none of whose namespaces requested it reaching the gateway's
/// Service straight, with its mesh certificate (a pod whose traffic its sidecar does not
/// redirect), for that host. Not requested; shut (meshedge's ALLOW policy per host at the
/// gateway), except for a `tls: passthrough` host, where it is only reported. The flow belongs
/// to the calling namespace's tenant.
pub(crate) fn bypass(plan: &Plan, namespaces: &BTreeMap<String, String>) -> Vec<Flow> {
    let mut out = Vec::new();
    for host in &plan.egress_hosts {
        let Some(gateway) = host.gateway.as_ref().and_then(|g| plan.egress_gateways.get(g)) else { continue };
        let Some((from, owner)) = other_namespace(namespaces, |t| host.tenants.contains(t), &host.namespaces) else {
            continue;
        };
        let port = EGRESS_HOP_PORT;
        out.push(Flow {
            direction: Direction::Tenant,
            tenant: owner.clone(),
            from: format!("namespace/{from}"),
            to: format!("{}:{port}", host.host),
            path: None,
            backend: Some(format!("service/{}/{}:{port}", gateway.namespace, gateway.service)),
            credential: None,
            requested: false,
            // A passthrough hop carries the client's own TLS and no mesh identity: the gateway
            // cannot tell tenants apart there (nor does it present any tenant's certificate), so
            // the flow is reported, not an error.
            must_close: host.tls != EgressTls::Passthrough,
            place: host.places.values().next().cloned(),
            probes: Probes::Bypass(BypassProbe {
                namespace: from.clone(),
                host: host.host.clone(),
                gateway: gateway.fqdn(),
                port,
            }),
        });
    }
    out
}

/// The direct flow of a namespace: the internet to its pods, through a LoadBalancer or NodePort
/// Service a tenant may create, or a Route of its own when tenants may create Routes.
pub(crate) fn direct(plan: &Plan, namespace: &str, tenant: &str) -> Flow {
    let via_router = plan.target.is_openshift() && !plan.enforcement.deny_routes;
    Flow {
        direction: Direction::Direct,
        tenant: tenant.to_string(),
        from: "internet".to_string(),
        to: format!("namespace/{namespace}"),
        path: None,
        backend: None,
        credential: None,
        requested: false,
        must_close: plan.enforcement.network_policies,
        place: None,
        probes: Probes::Direct(DirectProbe { namespace: namespace.to_string(), requested: false, via_router }),
    }
}

/// The federated flows of the plan's peers (OpenShift Service Mesh 2; none on a target without
/// `ServiceMeshPeer`s):
/// - per export, `peer/<peer> → service/<ns>/<name>` (requested), and per exporting namespace,
///   `peer/<peer> → service/<ns>/*`, a Service of it no request exports (shut: meshedge
///   exports by name only);
/// - per import, `namespace/<ns> → <alias host>` (requested), and from the first namespace of
///   another tenant (standing for every namespace of the mesh: istiod treats them alike), the
///   same host (not requested; open on OpenShift Service Mesh 2, see
///   [`super::model::FederationProbe`]).
///
/// Cost: a constant number of flows per export and import.
pub(crate) fn federation(plan: &Plan) -> Vec<Flow> {
    let mut out = Vec::new();
    // The model knows OpenShift Service Mesh's federation objects; upstream Istio's east-west
    // federation is not evaluated yet (docs/flows.md).
    let peers = matches!(plan.target.federation(), Ok(crate::platform::federation::Federation::ServiceMeshPeers));
    let Some(federation) = plan.federation.as_ref().filter(|_| peers) else {
        return out;
    };
    let namespaces = tenant_namespaces(plan);
    let flow = |tenant: &str, from: String, to: String, requested: bool, must_close: bool, probe| Flow {
        direction: Direction::Federation,
        tenant: tenant.to_string(),
        from,
        to,
        path: None,
        backend: None,
        credential: None,
        requested,
        must_close,
        place: None,
        probes: Probes::Federation(probe),
    };
    for peer in federation.peers.values() {
        let mut exporting: BTreeMap<&str, (&str, Vec<String>)> = BTreeMap::new();
        for ((namespace, service), shared) in &peer.exports {
            let entry = exporting.entry(namespace).or_insert((&shared.tenant, Vec::new()));
            entry.1.push(service.clone());
            let probe = FederationProbe::Export {
                peer: peer.name.clone(),
                namespace: namespace.clone(),
                service: Some(service.clone()),
                exported: Vec::new(),
                requested: true,
            };
            out.push(flow(
                &shared.tenant,
                format!("peer/{}", peer.name),
                format!("service/{namespace}/{service}"),
                true,
                false,
                probe,
            ));
        }
        for (namespace, (tenant, exported)) in exporting {
            let probe = FederationProbe::Export {
                peer: peer.name.clone(),
                namespace: namespace.to_string(),
                service: None,
                exported,
                requested: false,
            };
            out.push(flow(tenant, format!("peer/{}", peer.name), format!("service/{namespace}/*"), false, true, probe));
        }
        for import in peer.imports.values() {
            let host = crate::platform::federation::imported_host(&peer.name, &import.namespace, &import.name);
            let probe = |from: &str, requested: bool| FederationProbe::Import {
                peer: peer.name.clone(),
                from: from.to_string(),
                namespace: import.namespace.clone(),
                alias: import.name.clone(),
                requested,
            };
            out.push(flow(
                &import.tenant,
                format!("namespace/{}", import.namespace),
                host.clone(),
                true,
                false,
                probe(&import.namespace, true),
            ));
            if let Some((other, tenant)) = namespaces.iter().find(|(_, t)| **t != import.tenant) {
                out.push(flow(tenant, format!("namespace/{other}"), host.clone(), false, false, probe(other, false)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backend_is_named_by_its_service_short_or_by_cluster_name() {
        assert_eq!(backend("shop", "shop-api", 8080), "service/shop/shop-api:8080");
        assert_eq!(backend("shop", "shop-api.shop.svc.cluster.local", 8080), "service/shop/shop-api:8080");
        assert_eq!(backend("blog", "blog.blog.svc.cluster.local", 80), "service/blog/blog:80");
    }

    #[test]
    fn an_egress_flow_names_its_namespace_host_and_port() {
        let flow = egress_flow("shop", "shop", "api.stripe.com", 80, true);
        assert_eq!((flow.from.as_str(), flow.to.as_str()), ("namespace/shop", "api.stripe.com:80"));
        assert_eq!(flow.direction, Direction::Egress);
        assert!(flow.requested && !flow.must_close && flow.place.is_none());
        match flow.probes {
            Probes::Egress(probe) => assert_eq!((probe.namespace.as_str(), probe.port), ("shop", 80)),
            other => panic!("{other:?}"),
        }
    }
}
