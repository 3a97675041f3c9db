//! What the checks of the validate stage share: the checker that collects diagnostics, the
//! environment's edge that requests are checked against, the scope of one request item, and
//! the claims collected across requests.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Diagnostics, Explain, Location};
use crate::merge::{Merged, Request};
use crate::plan::{EgressGateway, EgressHost, EgressPolicy, IngressGateway, IngressHost};
use crate::validate::claims::{HostClaims, SecretClaims};
use crate::validate::error::RequestError;

/// The merged environment under check, and what the checks found.
pub(crate) struct Checker<'a> {
    pub merged: &'a Merged,
    pub diagnostics: Diagnostics,
}

impl<'a> Checker<'a> {
    pub(crate) fn new(merged: &'a Merged) -> Self {
        Checker { merged, diagnostics: Diagnostics::new() }
    }

    /// Reports `error` at `at`.
    pub(crate) fn push(&mut self, error: RequestError, at: Location) {
        self.diagnostics.push(error.at(at));
    }

    /// Whether errors were found since the checker held `before` diagnostics.
    pub(crate) fn errors_since(&self, before: usize) -> bool {
        self.diagnostics.iter().skip(before).any(Diagnostic::is_error)
    }
}

/// The environment's edge, as requests are checked against it.
pub(crate) struct Edge {
    pub ingress_gateways: BTreeMap<String, IngressGateway>,
    pub egress_gateways: BTreeMap<String, EgressGateway>,
    pub egress: EgressPolicy,
    pub default_ingress: Option<String>,
    pub default_egress: Option<String>,
    /// The target platform, when the settings name one meshedge knows.
    pub target: Option<crate::platform::Target>,
}

/// One item of a request under check: the request, the namespace it lives in, and the pointer
/// of the item (`/spec/ingress/0`).
pub(crate) struct RequestScope<'r, 'n> {
    pub request: &'r Request,
    pub namespace: &'n str,
    pub base: String,
}

/// What requests claim across the environment.
#[derive(Default)]
pub(crate) struct Claims<'r> {
    /// Host → the plan, and where it was claimed (located only when a diagnostic needs it).
    pub ingress: BTreeMap<String, (IngressHost, (&'r Request, String))>,
    /// External host → the merged request, where it was first asked for, by whom.
    pub egress: BTreeMap<String, (EgressHost, (&'r Request, String), String)>,
    pub secrets: SecretClaims<'r>,
    pub hosts: HostClaims<'r>,
    /// The name a host gives its objects (`crate::names::host_slug`), per direction → the host
    /// and where it was claimed: two hosts with one name are E447.
    pub names: BTreeMap<(Direction, String), (String, &'r Request, String)>,
}

/// Which way a claimed host's traffic goes: ingress and egress objects are named apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Direction {
    Ingress,
    Egress,
}

impl<'r> Claims<'r> {
    /// Claims the object name of `host`: false, and E447, when another host already gives
    /// that name (the secret named after it would collide too: that is this error, not E443).
    pub(crate) fn name(
        &mut self,
        c: &mut Checker,
        direction: Direction,
        host: &str,
        request: &'r Request,
        pointer: &str,
    ) -> bool {
        let name = crate::names::host_slug(host);
        match self.names.get(&(direction, name.clone())) {
            Some((other, first, first_pointer)) if other != host => {
                c.diagnostics.push(
                    RequestError::HostNamesCollide { host: host.to_string(), other: other.clone(), name }
                        .at(request.location(pointer))
                        .note(first.location(first_pointer), "first claimed here"),
                );
                false
            }
            Some(_) => true,
            None => {
                self.names.insert((direction, name), (host.to_string(), request, pointer.to_string()));
                true
            }
        }
    }
}

/// The names of a map's entries, for a help line.
pub(crate) fn names<T>(map: &BTreeMap<String, T>) -> String {
    if map.is_empty() { "(none declared)".to_string() } else { map.keys().cloned().collect::<Vec<_>>().join(", ") }
}
