//! Security at the edge: tokens and logins.
//!
//! - `jwt`: a RequestAuthentication and a DENY AuthorizationPolicy on the ingress gateway (a
//!   request to the host without a token of the host's own issuer and audiences is refused
//!   there); with `reverify`, the same pair in the tenant's namespace, scoped to the host, and
//!   the gateway forwards the token.
//! - `login`: per gateway with `oidc`, an OAuth proxy ([`login`]).
//! - isolation between tenants: who may call a tenant's workloads and use an egress host
//!   ([`isolation`]).
//!
//! What a host accepts ([`Accepted`]): the tokens of its `jwt` issuer with one of its
//! `audiences`, and, when the host also has `login`, the ID token the OAuth proxy puts upstream
//! after sign-in (the OIDC issuer, audience: the client id).
//!
//! A RequestAuthentication cannot be confined to a host: every rule of every
//! RequestAuthentication selecting a workload joins one JWT configuration that applies to every
//! request the workload receives, on every host and path (istio/istio
//! `pilot/pkg/security/authn/v1beta1/policy_applier.go` `convertToEnvoyJwtConfig` @1.18.7 and
//! @1.20.8, `pilot/pkg/security/authn/policy_applier.go` @1.24.3: one requirement rule matching
//! prefix `/`; istio/api `security/v1beta1/request_authentication.proto`: `selector` and
//! `targetRef(s)` are its only scope, and `targetRef(s)` attach to Gateway API gateways and
//! waypoints only).
//! A token at the default locations whose issuer matches no rule is rejected with 401, so such a
//! rule changes what every host of the gateway accepts: the validate stage therefore keeps a
//! gateway with a `jwt` host to the hosts of that host's tenant (E457).

pub(crate) mod isolation;
mod login;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::generate::sink::Generated;
use crate::input::OidcSettings;
use crate::names::{host_slug, join};
use crate::objects::*;
use crate::plan::{IngressGateway, IngressHost, Plan};
use crate::platform::Kind;

use login::host_operation;

pub(crate) fn generate(plan: &Plan, out: &mut Generated) {
    for host in &plan.ingress_hosts {
        let Some(jwt) = &host.jwt else { continue };
        let Some(gateway) = plan.ingress_gateways.get(&host.gateway) else { continue };
        let reverify = jwt.reverify.unwrap_or(false);
        let rule = JwtRule {
            issuer: jwt.issuer.to_string(),
            jwks_uri: jwt.jwks_uri.as_ref().map(|u| u.to_string()),
            audiences: jwt.audiences.iter().flatten().map(|a| a.to_string()).collect(),
            forward_original_token: reverify.then_some(true),
        };
        let name = join(&[&host_slug(&host.host), "jwt"]);
        let accepted = Accepted::of(host, gateway);
        // With `reverify` on a gateway in the tenant's own namespace, the check of the whole
        // namespace covers the gateway too (a RequestAuthentication without a selector applies to
        // every workload of its namespace): one pair, not two of the same name.
        let shared_namespace = reverify && gateway.namespace == host.namespace;
        if !shared_namespace {
            let selector = WorkloadSelector { match_labels: gateway.selector.clone() };
            let at_gateway = Check { namespace: &gateway.namespace, name: &name, selector: Some(selector) };
            require_token(plan, host, &at_gateway, vec![rule.clone()], &accepted, out);
        }
        if reverify {
            // The backend verifies what the gateway let through: the host's own tokens and,
            // after sign-in, the ID token the gateway forwards, to this host or to a login
            // host whose backend runs in the same namespace.
            let mut rules = vec![rule];
            rules.extend(gateway.oidc.as_ref().filter(|_| host.login).map(login::id_token_rule));
            for oidc in login_id_tokens(plan, &host.namespace) {
                let id_token = login::id_token_rule(oidc);
                if !rules.iter().any(|r| r.issuer == id_token.issuer && r.audiences == id_token.audiences) {
                    rules.push(id_token);
                }
            }
            let at_backend = Check { namespace: &host.namespace, name: &name, selector: None };
            require_token(plan, host, &at_backend, rules, &accepted, out);
        }
        if host.host.starts_with('*') {
            // The port forms of a wildcard host (`a.team.example.com:443`), which no host
            // pattern names: at the gateway, every authority but its other hosts'.
            let others = plan
                .ingress_hosts
                .iter()
                .filter(|h| h.gateway == gateway.name && h.host != host.host)
                .map(|h| h.host.as_str());
            let authz = AuthorizationPolicySpec {
                selector: Some(WorkloadSelector { match_labels: gateway.selector.clone() }),
                action: "DENY",
                provider: None,
                rules: accepted.deny_rules_to(&[login::every_authority_but(others)]),
            };
            let name = join(&[&host_slug(&host.host), "jwt-ports"]);
            out.push(
                Manifest::new(
                    plan.api(Kind::AuthorizationPolicy),
                    "AuthorizationPolicy",
                    Some(gateway.namespace.as_str()),
                    &name,
                    Spec { spec: authz },
                ),
                &host.sources,
                Some(host.tenant.as_str()),
            );
        }
    }
    for (gateway, hosts) in plan.login_gateways() {
        login::generate(plan, gateway, &hosts, out);
    }
    isolation::generate(plan, out);
}

/// The tokens a `jwt` host accepts: issuer → the audiences accepted from it (`None`: any).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Accepted(BTreeMap<String, Option<BTreeSet<String>>>);

impl Accepted {
    /// The host's own issuer and audiences, and with `login` on a gateway with `oidc` the ID token
    /// of the login flow (the OIDC issuer; audience: the client id, oauth2-proxy's
    /// `--client-id`, which the provider sets as the ID token's `aud`: OpenID Connect Core 1.0
    /// §2 "aud").
    pub(crate) fn of(host: &IngressHost, gateway: &IngressGateway) -> Accepted {
        let mut accepted = Accepted::default();
        if let Some(jwt) = &host.jwt {
            let audiences: BTreeSet<String> = jwt.audiences.iter().flatten().map(|a| a.to_string()).collect();
            accepted.add(jwt.issuer.as_ref(), (!audiences.is_empty()).then_some(audiences));
        }
        if let (true, Some(oidc)) = (host.login, &gateway.oidc) {
            accepted.add(oidc.issuer.as_ref(), Some(BTreeSet::from([oidc.client_id.to_string()])));
        }
        accepted
    }

    fn add(&mut self, issuer: &str, audiences: Option<BTreeSet<String>>) {
        match (self.0.get_mut(issuer), audiences) {
            (Some(Some(known)), Some(more)) => known.extend(more),
            (Some(known), None) => *known = None,
            (Some(None), Some(_)) => {}
            (None, audiences) => {
                self.0.insert(issuer.to_string(), audiences);
            }
        }
    }

    /// The DENY rules that refuse every request to `host` without an accepted token: one for a
    /// principal of none of the issuers (`notRequestPrincipals: ["<issuer>/*", …]`), and per
    /// issuer with audiences one for its tokens that carry none of them
    /// (`request.auth.audiences` `notValues`). Istio matches `<issuer>/*` on the issuer part of
    /// the principal `<iss>/<sub>` (istio/istio `pilot/pkg/security/authz/model/generator.go`
    /// `requestPrincipalGenerator` @1.18.7, @1.24.3), and a `notValues` holds for a token none
    /// of whose audiences is listed (`requestAudiencesGenerator`: a metadata list match, negated).
    pub(crate) fn deny_rules(&self, host: &str) -> Vec<AuthorizationRule> {
        self.deny_rules_to(&[host_operation(host)])
    }

    /// [`Accepted::deny_rules`] for the requests that match one of the operations `to`.
    pub(crate) fn deny_rules_to(&self, to: &[Value]) -> Vec<AuthorizationRule> {
        let principals: Vec<String> = self.0.keys().map(|issuer| format!("{issuer}/*")).collect();
        let mut rules = vec![AuthorizationRule {
            from: vec![json!({"source": {"notRequestPrincipals": principals}})],
            to: to.to_vec(),
            ..Default::default()
        }];
        for (issuer, audiences) in &self.0 {
            let Some(audiences) = audiences else { continue };
            rules.push(AuthorizationRule {
                from: vec![json!({"source": {"requestPrincipals": [format!("{issuer}/*")]}})],
                to: to.to_vec(),
                when: vec![json!({"key": "request.auth.audiences", "notValues": audiences})],
            });
        }
        rules
    }
}

/// The login flows whose ID token reaches a workload of `namespace`: those of the gateways of
/// the `login` hosts with a route to a service there. After sign-in the OAuth proxy puts the
/// session's ID token upstream as `Authorization: Bearer` and the gateway forwards it; a
/// RequestAuthentication without a selector joins the JWT configuration of every workload of
/// its namespace and answers 401 to a token of an issuer none of its rules names (istio/istio
/// `pilot/pkg/security/authn/policy_applier.go` @1.24.3, `convertToEnvoyJwtConfig`: each rule a
/// provider, a present token that no provider verifies fails), so a `reverify` check there
/// must verify that token too. Its DENY policy, scoped to its own host, still refuses it there.
fn login_id_tokens<'a>(plan: &'a Plan, namespace: &str) -> Vec<&'a OidcSettings> {
    let mut out: Vec<&OidcSettings> = Vec::new();
    for host in plan.ingress_hosts.iter().filter(|h| h.login) {
        let Some(oidc) = plan.ingress_gateways.get(&host.gateway).and_then(|g| g.oidc.as_ref()) else { continue };
        let here = host.routes.iter().any(|r| r.service.split('.').nth(1).unwrap_or(&host.namespace) == namespace);
        if here && !out.iter().any(|o| o.issuer == oidc.issuer && o.client_id == oidc.client_id) {
            out.push(oidc);
        }
    }
    out
}

/// Where a token check goes: the gateway (by selector) or the tenant's namespace.
struct Check<'a> {
    namespace: &'a str,
    name: &'a str,
    selector: Option<WorkloadSelector>,
}

fn require_token(
    plan: &Plan,
    host: &IngressHost,
    check: &Check<'_>,
    rules: Vec<JwtRule>,
    accepted: &Accepted,
    out: &mut Generated,
) {
    let tenant = Some(host.tenant.as_str());
    let authn = RequestAuthenticationSpec { selector: check.selector.clone(), jwt_rules: rules };
    out.push(
        Manifest::new(
            plan.api(Kind::RequestAuthentication),
            "RequestAuthentication",
            Some(check.namespace),
            check.name,
            Spec { spec: authn },
        ),
        &host.sources,
        tenant,
    );
    let authz = AuthorizationPolicySpec {
        selector: check.selector.clone(),
        action: "DENY",
        provider: None,
        rules: accepted.deny_rules(&host.host),
    };
    out.push(
        Manifest::new(
            plan.api(Kind::AuthorizationPolicy),
            "AuthorizationPolicy",
            Some(check.namespace),
            check.name,
            Spec { spec: authz },
        ),
        &host.sources,
        tenant,
    );
}

#[cfg(test)]
mod tests;
