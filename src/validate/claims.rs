//! The claims requests make on secrets and ingress hosts, checked across every request of the
//! environment (the **Secrets** and **Hosts** rules of [`crate::validate::tenancy`]).
//! A tenant excluded here keeps the secrets its requests name; the platform keeps the secrets
//! of its login flows and those its plain resources declare.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Diagnostics, Explain, Location};
use crate::hosts::{covers, reversed_key};
use crate::load::Document;
use crate::merge::{Merged, Request};
use crate::plan::{EgressGateway, EgressHost, IngressGateway, IngressHost};
use crate::validate::error::{RequestError, request_of};

/// The role of a secret cert-manager issues for a host.
const ISSUED: &str = "the certificate issued for its host";

/// One claim on a secret: who names it, and where.
struct SecretClaim<'a> {
    request: &'a Request,
    pointer: String,
    /// What the request uses it for (`credentialName`, …).
    role: &'static str,
    /// A claim of a tenant excluded here: it keeps the secret, and is never reported itself.
    excluded: bool,
}

/// The secrets requests make a gateway (or sidecar) read, by (namespace, name).
#[derive(Default)]
pub struct SecretClaims<'a> {
    claims: BTreeMap<(String, String), Vec<SecretClaim<'a>>>,
}

impl<'a> SecretClaims<'a> {
    fn add(&mut self, namespace: &str, name: String, request: &'a Request, pointer: String, role: &'static str) {
        let claim = SecretClaim { request, pointer, role, excluded: false };
        self.claims.entry((namespace.to_string(), name)).or_default().push(claim);
    }

    /// The secrets the gateway reads for an ingress host: its certificate (named, or issued by
    /// cert-manager for it) and the client CA, in the gateway's namespace.
    pub(crate) fn ingress(&mut self, request: &'a Request, base: &str, host: &IngressHost, gateway: &IngressGateway) {
        if let Some(credential) = &host.credential {
            let (pointer, role) = if host.issue_certificate {
                (format!("{base}/host"), ISSUED)
            } else {
                (format!("{base}/credentialName"), "credentialName")
            };
            self.add(&gateway.namespace, credential.to_string(), request, pointer, role);
        }
        if let Some(ca) = &host.client_ca {
            self.add(&gateway.namespace, ca.to_string(), request, format!("{base}/clientCASecret"), "clientCASecret");
        }
    }

    /// The secrets of an external host: in its egress gateway's namespace, or (without a
    /// gateway) in the requester's namespace. A `credentialName` "must exist in the namespace of
    /// the proxy using the certificates" (istio/api `networking/v1alpha3/destination_rule.proto`,
    /// `ClientTLSSettings.credential_name`, 1.24.3).
    pub(crate) fn egress(
        &mut self,
        request: &'a Request,
        base: &str,
        host: &EgressHost,
        gateways: &BTreeMap<String, EgressGateway>,
        requester: &str,
    ) {
        let gateway = host.gateway.as_ref().and_then(|g| gateways.get(g));
        let namespace = gateway.map_or(requester, |g| g.namespace.as_str());
        if let Some(credential) = &host.credential_name {
            self.add(namespace, credential.to_string(), request, format!("{base}/credentialName"), "credentialName");
        }
        if let Some(ca) = &host.ca_secret {
            self.add(namespace, ca.to_string(), request, format!("{base}/caSecret"), "caSecret");
        }
    }

    /// The claims of the requests of a tenant excluded here, collected into `excluded`: they
    /// come first, so the tenant keeps its secrets against every tenant built here.
    pub(crate) fn keep_excluded(&mut self, excluded: SecretClaims<'a>) {
        for (key, claims) in excluded.claims {
            let kept = self.claims.entry(key).or_default();
            let at = kept.len().min(kept.iter().take_while(|c| c.excluded).count());
            kept.splice(at..at, claims.into_iter().map(|c| SecretClaim { excluded: true, ..c }));
        }
    }

    /// E443: a secret named by requests of two tenants, or a platform secret named by a request.
    pub(crate) fn check(&self, merged: &Merged, ingress: &BTreeMap<String, IngressGateway>, out: &mut Diagnostics) {
        let platform = platform_secrets(merged, ingress);
        for ((namespace, name), claims) in &self.claims {
            if let Some(owner) = platform.get(&(namespace.as_str(), name.as_str())) {
                for claim in claims.iter().filter(|c| !c.excluded) {
                    out.push(
                        RequestError::SecretOfThePlatform {
                            request: claim.request.name.clone(),
                            tenant: claim.request.tenant.clone(),
                            secret: name.clone(),
                            namespace: namespace.clone(),
                            role: claim.role.to_string(),
                            owner: owner.describe(),
                        }
                        .at(claim.request.location(&claim.pointer))
                        .note(owner.location(merged), "the platform's secret"),
                    );
                }
                continue;
            }
            // An excluded tenant keeps its secret; else the host cert-manager issues the secret
            // for owns it; else the first to name it.
            let Some(first) = claims
                .iter()
                .find(|c| c.excluded)
                .or_else(|| claims.iter().find(|c| c.role == ISSUED))
                .or(claims.first())
            else {
                continue;
            };
            let mut reported: BTreeSet<&str> = BTreeSet::from([first.request.tenant.as_str()]);
            for claim in claims {
                if claim.excluded || !reported.insert(claim.request.tenant.as_str()) {
                    continue;
                }
                out.push(
                    RequestError::SecretOfTwoTenants {
                        secret: name.clone(),
                        namespace: namespace.clone(),
                        first: format!("{} ({})", request_of(&first.request.name, &first.request.tenant), first.role),
                        second: format!("{} ({})", request_of(&claim.request.name, &claim.request.tenant), claim.role),
                    }
                    .at(claim.request.location(&claim.pointer))
                    .note(first.request.location(&first.pointer), "first named here"),
                );
            }
        }
    }
}

/// A secret of the platform, which no request may name.
enum PlatformSecret<'m> {
    /// The OIDC client or cookie secret of a gateway's login flow.
    Oidc { gateway: &'m str, field: &'static str },
    /// A `Secret` among the plain resources, or the `spec.secretName` of a cert-manager
    /// `Certificate` among them; `pointer` is the object within its document.
    Resource { doc: &'m Document, pointer: String, kind: &'static str, name: String },
}

impl PlatformSecret<'_> {
    fn describe(&self) -> String {
        match self {
            PlatformSecret::Oidc { gateway, field } => format!("the OIDC {field} of gateway `{gateway}`"),
            PlatformSecret::Resource { doc, kind: "Secret", .. } => {
                format!("a Secret declared in `{}`", doc.file)
            }
            PlatformSecret::Resource { doc, kind, name, .. } => {
                format!("the secret of {kind} `{name}` declared in `{}`", doc.file)
            }
        }
    }

    fn location(&self, merged: &Merged) -> Location {
        match self {
            PlatformSecret::Oidc { gateway, field } => {
                merged.settings_location(&format!("/ingress/gateways/{gateway}/oidc/{field}"))
            }
            PlatformSecret::Resource { doc, pointer, .. } => doc.location(pointer),
        }
    }
}

/// The platform's secrets by (namespace, name): the OIDC secrets of the gateways, and the
/// Secrets and cert-manager Certificates' `spec.secretName` of every layer's plain resources
/// (items of a `kind: List` included). An object without `metadata.namespace` is left out: the
/// namespace it lands in is the applier's.
fn platform_secrets<'m>(
    merged: &'m Merged,
    ingress: &'m BTreeMap<String, IngressGateway>,
) -> BTreeMap<(&'m str, &'m str), PlatformSecret<'m>> {
    let mut platform = BTreeMap::new();
    for gateway in ingress.values() {
        let Some(oidc) = &gateway.oidc else { continue };
        for (reference, field) in
            [(&oidc.client_secret_ref, "clientSecretRef"), (&oidc.cookie_secret_ref, "cookieSecretRef")]
        {
            platform
                .entry((gateway.namespace.as_str(), reference.name.as_str()))
                .or_insert(PlatformSecret::Oidc { gateway: &gateway.name, field });
        }
    }
    for doc in &merged.resources {
        let mut pending: Vec<(&'m Value, String)> = vec![(&doc.value, String::new())];
        while let Some((value, pointer)) = pending.pop() {
            let text = |field: &str| value.pointer(field).and_then(Value::as_str);
            let kind = text("/kind");
            if kind == Some("List") {
                for (index, item) in value.get("items").and_then(Value::as_array).into_iter().flatten().enumerate() {
                    pending.push((item, format!("{pointer}/items/{index}")));
                }
                continue;
            }
            let Some(namespace) = text("/metadata/namespace") else { continue };
            let cert_manager = text("/apiVersion").is_some_and(|v| v.starts_with("cert-manager.io/"));
            let (secret, kind) = match kind {
                Some("Secret") => (text("/metadata/name"), "Secret"),
                Some("Certificate") if cert_manager => (text("/spec/secretName"), "Certificate"),
                _ => continue,
            };
            let Some(secret) = secret else { continue };
            let name = text("/metadata/name").unwrap_or_default().to_string();
            platform.entry((namespace, secret)).or_insert(PlatformSecret::Resource {
                doc,
                pointer: format!("{pointer}/metadata/name"),
                kind,
                name,
            });
        }
    }
    platform
}

/// Whether a request may claim ingress host `host` (expanded from `written`) on `gateway`:
/// `*` is never a host, and a wildcard needs `allowWildcardHosts` (E444).
pub(crate) fn check_ingress_host(
    merged: &Merged,
    written: &str,
    host: &str,
    gateway: &IngressGateway,
    at: impl FnOnce() -> Location,
) -> Result<(), Diagnostic> {
    if written == "*" {
        return Err(RequestError::StarHost.at(at()));
    }
    if host.starts_with('*') && !gateway.allow_wildcard_hosts {
        return Err(RequestError::WildcardNotAllowed { host: host.to_string(), gateway: gateway.name.clone() }
            .at(at())
            .note(merged.settings_location(&format!("/ingress/gateways/{}", gateway.name)), "the gateway"));
    }
    Ok(())
}

/// One ingress host claim, in the order requests were validated.
struct HostClaim<'a> {
    host: String,
    request: &'a Request,
    pointer: String,
}

/// Ingress hosts claimed so far, to find wildcard overlaps (exact duplicates are E401 already).
#[derive(Default)]
pub struct HostClaims<'a> {
    claims: Vec<HostClaim<'a>>,
}

impl<'a> HostClaims<'a> {
    pub(crate) fn add(&mut self, host: &str, request: &'a Request, pointer: String) {
        self.claims.push(HostClaim { host: host.to_string(), request, pointer });
    }

    /// E401: each pair of claims where a wildcard covers the other host, reported at the later
    /// claim with a note at the earlier. Each wildcard looks up only the hosts under it.
    pub(crate) fn check(&self, out: &mut Diagnostics) {
        let mut by_key: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, claim) in self.claims.iter().enumerate() {
            by_key.entry(reversed_key(&claim.host)).or_default().push(i);
        }
        for (w, wildcard) in self.claims.iter().enumerate().filter(|(_, c)| c.host.starts_with("*.")) {
            let key = reversed_key(&wildcard.host);
            let under =
                by_key.range(key.clone()..).take_while(|(k, _)| k.starts_with(&key)).filter(|(k, _)| **k != key);
            let covered = under.flat_map(|(_, claims)| claims.iter().copied());
            for other in covered.filter(|&other| covers(&wildcard.host, &self.claims[other].host)) {
                let (first, later) = if other < w { (other, w) } else { (w, other) };
                let (first, later) = (&self.claims[first], &self.claims[later]);
                let covered = &self.claims[other];
                out.push(
                    RequestError::WildcardCovers {
                        wildcard: wildcard.host.clone(),
                        host: covered.host.clone(),
                        first: request_of(&first.request.name, &first.request.tenant),
                        second: request_of(&later.request.name, &later.request.tenant),
                    }
                    .at(later.request.location(&later.pointer))
                    .note(first.request.location(&first.pointer), "first claimed here"),
                );
            }
        }
    }
}
