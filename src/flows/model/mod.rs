//! The façade: one flow through every layer, in path order.
//!
//! A flow often has variants the objects cannot tell apart: several gateway pods, several ways
//! in (a Route and a LoadBalancer), several source addresses (an internet client seen as itself
//! or as a node), both `:authority` forms (`host` and `host:port`), weighted destinations, both
//! address families of an external host. A **requested** flow must work for all of them, so its
//! verdict is the least open variant's; an **unrequested** flow is open when any variant gets
//! through, so its verdict is the most open variant's. Legitimate clients send `:authority`
//! without the port, so a requested flow is evaluated with that form only; an unrequested one
//! with both (a client chooses).

use std::borrow::Cow;

use serde_json::Value;

use super::authz::{Jwt, Outcomes, Peer, Request};
use super::context::{Context, NetworkPlugin, Pod, Protocol};
use super::egress_firewall::Destination as FirewallDestination;
use super::exposure::{Client, PodPort};
use super::index::Index;
use super::istio::{Destination, Probe, RouteKind, Routed, ServerMatch};
use super::net::Address;
use super::netpol::{Endpoint, Env, Port};
use super::read::Read;
use super::selector::Labels;
use super::{Layer, ObjectRef, Outcome, Step, Verdict, least_open, most_open};

mod direct;
mod egress;
mod egress_gateway;
mod federation;
mod ingress;
mod pods;
mod tenant;

pub use tenant::{BypassProbe, TenantProbe};

/// What a client presents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// Nothing.
    None,
    /// A valid token (`Authorization: Bearer`).
    Token(Jwt),
    /// A bearer token that verifies nowhere.
    InvalidToken,
    /// A login session (the OAuth proxy's cookie).
    Session,
    /// An `Authorization` header with this value and no token (e.g. `Basic x`).
    Header(String),
    /// A TLS client certificate issued by the CA held in the named secret.
    ClientCertificate(String),
}

/// `internet → <host>:<port>` for a path.
#[derive(Debug, Clone)]
pub struct IngressProbe {
    pub host: String,
    /// The port the client connects to (443, or 80 for plain HTTP).
    pub port: u16,
    pub path: String,
    pub credential: Credential,
    /// A TLS client certificate presented with the credential, issued by the CA held in the named
    /// secret: on a `MUTUAL` server a probe of the layers behind the handshake (a token, a
    /// session, a header) carries one the server trusts, so that the handshake does not decide it.
    pub client_certificate: Option<String>,
    pub requested: bool,
}

/// `namespace/<ns> → <host>:<port>`.
#[derive(Debug, Clone)]
pub struct EgressProbe {
    pub namespace: String,
    pub host: String,
    /// The port the application connects to (with TLS origination at the egress gateway, the
    /// plain-HTTP port the mesh routes, not the external host's TLS port).
    pub port: u16,
    pub requested: bool,
}

/// `internet → namespace/<ns>`, bypassing the gateways.
#[derive(Debug, Clone)]
pub struct DirectProbe {
    pub namespace: String,
    pub requested: bool,
    /// Whether tenants can expose their pods through a Route of their own (no admission rule
    /// refuses it).
    pub via_router: bool,
}

/// A federated flow ([`federation`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FederationProbe {
    /// `peer/<peer> → service/<namespace>/<service>`; `service: None` stands for a Service of the
    /// namespace that no request exports, other than `exported`.
    Export { peer: String, namespace: String, service: Option<String>, exported: Vec<String>, requested: bool },
    /// `namespace/<from> → <alias>.<namespace>` imported from `peer`.
    Import { peer: String, from: String, namespace: String, alias: String, requested: bool },
}

/// The indexed objects and the platform facts.
#[derive(Debug)]
pub struct Model {
    index: Index,
    ctx: Context,
    router_pod: Option<Pod>,
    /// [`Model::workloads`] by namespace, made on first use: every flow from a namespace starts
    /// at the same pods.
    workloads: std::sync::Mutex<std::collections::BTreeMap<String, std::sync::Arc<Vec<Pod>>>>,
}

/// One evaluated path: its steps and the backend it reaches.
type Path = (Vec<Step>, Option<String>);

impl Model {
    /// Indexes the objects (in the generic value form) with the context's facts.
    pub fn new(objects: impl IntoIterator<Item = Value>, ctx: Context) -> Model {
        Model::from_read(objects.into_iter().filter_map(Read::of), ctx)
    }

    /// [`Model::new`] of objects already parsed, in the order given.
    ///
    /// The outbound policy is the one the output's control plane object sets (patches included)
    /// when the output holds one: the context's stands for a control plane installed beside it.
    pub fn from_read(objects: impl IntoIterator<Item = Read>, mut ctx: Context) -> Model {
        let index = Index::build_read(objects, &ctx);
        if let Some(outbound) = index.outbound {
            ctx.outbound = outbound;
            ctx.outbound_source = index.mesh_config.clone();
        }
        let router_pod = ctx
            .router
            .as_ref()
            .filter(|r| !r.host_network)
            .map(|r| Pod::new(&r.namespace, "router-default", r.labels.clone()));
        Model { index, ctx, router_pod, workloads: Default::default() }
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// Objects that would not exist on the cluster (refused by their schema, istiod or the
    /// controller), and why.
    pub fn rejected(&self) -> &[(ObjectRef, String)] {
        &self.index.rejected
    }

    fn env(&self) -> Env<'_> {
        Env { namespaces: &self.index.namespaces, network: &self.ctx.network }
    }

    /// The verdict of a flow from its variants: the least open one for a requested flow, the
    /// most open one otherwise (ties: the first). Only the picked path is made into a verdict.
    fn combine(&self, paths: Vec<Path>, requested: bool) -> Verdict {
        let picked = if requested {
            least_open(paths, |(steps, _)| Verdict::outcome_of(steps))
        } else {
            most_open(paths, |(steps, _)| Verdict::outcome_of(steps))
        };
        match picked {
            Some((steps, backend)) => {
                let mut v = Verdict::from_steps(steps);
                v.backend = backend;
                v
            }
            None => {
                Verdict::from_steps(vec![Step::new(Layer::Routing, Outcome::Blocked, Vec::new(), "no path exists")])
            }
        }
    }

    /// How a client of an exposure reaches the pods, as NetworkPolicy sees it.
    fn sources(&self, client: Client) -> Result<Vec<Endpoint<'_>>, String> {
        match client {
            Client::Router => match (&self.ctx.router, &self.router_pod) {
                (None, _) => Err("the cluster has no OpenShift router to serve Routes".into()),
                (Some(r), _) if r.host_network => Ok(vec![Endpoint::Node(None)]),
                (Some(_), Some(pod)) => Ok(vec![Endpoint::Pod(pod)]),
                (Some(_), None) => Err("the router is not modelled".into()),
            },
            Client::Internet { preserved: true } => Ok(self.internet()),
            Client::Internet { preserved: false } => {
                // SNAT to a node: on OVN-Kubernetes the node's address belongs to the host-network
                // namespace; elsewhere it is implementation-defined, so both readings count.
                let mut out = vec![Endpoint::Node(None)];
                if self.ctx.network.host_network_namespace.is_none() {
                    out.extend(self.internet());
                }
                Ok(out)
            }
        }
    }

    fn internet(&self) -> Vec<Endpoint<'_>> {
        self.ctx.internet.iter().map(|ip| Endpoint::External(Address::Ip(*ip))).collect()
    }

    fn request(&self, probe: &IngressProbe, authority: &str, port: u16) -> Request {
        let request = Request::new(authority, port, &probe.path);
        match &probe.credential {
            Credential::None | Credential::ClientCertificate(_) => request,
            Credential::Token(jwt) => request.bearer(jwt.clone()),
            Credential::InvalidToken => request.invalid_bearer(),
            Credential::Session => request.header("cookie", "_oauth2_proxy=session").session(),
            Credential::Header(value) => request.header("authorization", value),
        }
    }

    fn authorize(&self, pod: &Pod, request: &Request) -> Outcomes {
        self.index.authz.evaluate(&self.ctx.root_namespace, &self.ctx.providers, pod, request)
    }

    /// Whether the subset a destination names exists for a proxy of `namespace`.
    fn subset_step(&self, namespace: &str, destination: &Destination, route_by: &[ObjectRef]) -> Option<Step> {
        let subset = destination.subset.as_ref()?;
        let lookup = self.index.routing.subset(
            namespace,
            &destination.host,
            subset,
            &self.ctx.root_namespace,
            self.ctx.istio,
            &self.ctx.default_export_to,
        );
        let mut by: Vec<ObjectRef> = route_by.to_vec();
        by.extend(lookup.decided_by.iter().cloned());
        if lookup.found {
            return Some(Step::new(
                Layer::Routing,
                Outcome::Allowed,
                by,
                format!("subset {subset} of {} is defined for proxies of {namespace}", destination.host),
            ));
        }
        let detail = if !lookup.hidden {
            String::new()
        } else if self.ctx.istio.merges_destination_rules_by_host() {
            format!(
                " (Istio {} merges the DestinationRules of a host in one namespace and keeps the oldest one's exportTo)",
                self.ctx.istio
            )
        } else {
            " (the rules defining it are not exported here)".to_string()
        };
        Some(Step::new(
            Layer::Routing,
            Outcome::Blocked,
            by,
            format!(
                "503: no DestinationRule visible in {namespace} defines subset {subset} of {}{detail}",
                destination.host
            ),
        ))
    }
}
