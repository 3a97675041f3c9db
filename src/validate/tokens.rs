//! Where a token check (`jwt`) can go without changing what other hosts accept.
//!
//! - **E457, one tenant per gateway with a token check.** A RequestAuthentication selects
//!   workloads, never hosts: every rule of every RequestAuthentication on a gateway joins one JWT
//!   configuration for every request the gateway receives, and a token at the default locations
//!   (`Authorization: Bearer`, `access_token`) that verifies for no rule — another issuer,
//!   another audience — is answered 401 (istio/istio `pilot/pkg/security/authn/v1beta1/
//!   policy_applier.go` `convertToEnvoyJwtConfig` @1.18.7 and @1.20.8, `pilot/pkg/security/authn/
//!   policy_applier.go` @1.24.3: one requirement for prefix `/`, each provider OR
//!   `allow_missing`; istio/api `security/v1beta1/request_authentication.proto`: `selector`,
//!   and `targetRef(s)` for Gateway API gateways and waypoints only; `fromHeaders`/`fromParams`
//!   only move where the token is read, for every host alike). A `jwt` host on a gateway shared with another tenant
//!   would change what that tenant's hosts accept, so it is refused.
//! - **E458, no TLS passthrough beside a token check.** On a TCP filter chain (TLS passthrough)
//!   Istio drops the HTTP-only conditions of a DENY rule (`hosts`, `notRequestPrincipals`,
//!   `request.auth.*`) instead of the rule, so the rule denies more (istio/istio
//!   `pilot/pkg/security/authz/model/model.go` `rule.checkError` @1.18.7 and @1.24.3, with the
//!   `forTCP` errors of `generator.go`): the token check's DENY would match every connection the
//!   gateway passes through. For the same reason `jwt` or `login` on a passthrough host itself
//!   is refused: the token check would refuse every connection of the gateway, and the login's
//!   CUSTOM policy is not applied to TCP at all (`pilot/pkg/security/authz/builder/builder.go`
//!   skips a CUSTOM policy with an HTTP provider on a TCP filter chain, @1.18.7 and @1.24.3), so
//!   it would never ask. And `reverify`, whose DENY policy covers every workload of the tenant's
//!   namespace, is refused where a passthrough host's workloads run in that namespace: the
//!   connections the gateway passes through to them are TCP too.

use std::collections::BTreeMap;

use crate::diagnostic::Explain;
use crate::input::IngressTls;
use crate::merge::Request;
use crate::plan::IngressHost;
use crate::validate::platform::PlatformError;
use crate::validate::scope::Checker;

/// Refuses `jwt` hosts whose gateway serves another tenant's host (E457) or passes TLS through
/// for another host (E458). `hosts`: every claimed ingress host, with where it was claimed.
pub(crate) fn check(c: &mut Checker, hosts: &BTreeMap<String, (IngressHost, (&Request, String))>) {
    // Per gateway: the first host of each tenant, and the first passthrough host.
    let mut tenants: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
    let mut passthrough: BTreeMap<&str, &str> = BTreeMap::new();
    // Per namespace: the first passthrough host whose workloads run there.
    let mut passed_to: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, (host, _)) in hosts {
        tenants.entry(host.gateway.as_str()).or_default().entry(host.tenant.as_str()).or_insert(name.as_str());
        if host.tls == IngressTls::Passthrough {
            passthrough.entry(host.gateway.as_str()).or_insert(name.as_str());
            passed_to.entry(host.namespace.as_str()).or_insert(name.as_str());
        }
    }
    for (host, (request, pointer)) in hosts.values().filter(|(h, _)| h.tls == IngressTls::Passthrough) {
        for (field, set) in [("jwt", host.jwt.is_some()), ("login", host.login)] {
            if set {
                let at = request.location(&sibling(pointer, field));
                c.diagnostics.push(PlatformError::HttpCheckOnPassthroughHost { host: host.host.clone(), field }.at(at));
            }
        }
    }
    for (host, (request, pointer)) in hosts.values().filter(|(h, _)| h.jwt.is_some()) {
        let at = request.location(&sibling(pointer, "jwt"));
        let gateway = host.gateway.as_str();
        let other = tenants.get(gateway).and_then(|t| t.iter().find(|(tenant, _)| **tenant != host.tenant));
        if let Some((_, other)) = other {
            if let Some((other_host, (other_request, other_pointer))) = hosts.get(*other) {
                c.diagnostics.push(
                    PlatformError::TokenCheckShared {
                        host: host.host.clone(),
                        request: request_name(host),
                        gateway: gateway.to_string(),
                        other: other_host.host.clone(),
                        other_request: request_name(other_host),
                    }
                    .at(at.clone())
                    .note(other_request.location(other_pointer), "the other tenant's host"),
                );
            }
        }
        let reverify = host.jwt.as_ref().and_then(|j| j.reverify).unwrap_or(false);
        if let Some((other_host, (other_request, other_pointer))) = passed_to
            .get(host.namespace.as_str())
            .filter(|other| reverify && **other != host.host)
            .and_then(|other| hosts.get(*other))
        {
            c.diagnostics.push(
                PlatformError::ReverifyBesidePassthrough {
                    host: host.host.clone(),
                    namespace: host.namespace.clone(),
                    other: other_host.host.clone(),
                    other_request: request_name(other_host),
                }
                .at(request.location(&format!("{}/reverify", sibling(pointer, "jwt"))))
                .note(other_request.location(other_pointer), "the host passed through"),
            );
        }
        if let Some((other_host, (other_request, other_pointer))) =
            passthrough.get(gateway).filter(|other| **other != host.host).and_then(|other| hosts.get(*other))
        {
            c.diagnostics.push(
                PlatformError::TokenCheckOnPassthrough {
                    host: host.host.clone(),
                    gateway: gateway.to_string(),
                    other: other_host.host.clone(),
                    other_request: request_name(other_host),
                }
                .at(at)
                .note(other_request.location(other_pointer), "the host passed through"),
            );
        }
    }
}

/// The pointer of another field of the item whose `host` is at `pointer`.
fn sibling(pointer: &str, field: &str) -> String {
    pointer.strip_suffix("/host").map_or_else(|| pointer.to_string(), |base| format!("{base}/{field}"))
}

/// `<tenant>/<request>`.
fn request_name(host: &IngressHost) -> String {
    format!("`{}/{}`", host.tenant, host.request)
}
