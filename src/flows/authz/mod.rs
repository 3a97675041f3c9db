//! Istio request authentication and authorization on one workload: RequestAuthentication
//! (JWT), AuthorizationPolicy (CUSTOM, DENY, ALLOW) and the CUSTOM (ext-authz) provider.
//!
//! Sources (istio/istio and istio/api @1.24.3; the same at 1.18.7 unless noted):
//! - Filter order on every proxy: CUSTOM (ext_authz) → `jwt_authn` (RequestAuthentication) →
//!   RBAC (DENY, ALLOW): `pilot/pkg/networking/core/listener_builder.go:383-387` (1.18.7:
//!   `core/v1alpha3/listener_builder.go:375-379`; maistra-2.5 the same). So the CUSTOM provider
//!   decides before any token is verified, and never sees a request principal.
//! - Evaluation: a matching CUSTOM policy asks its provider (deny ⇒ denied); then any matching
//!   DENY ⇒ 403; then no ALLOW policy on the workload ⇒ allowed; any matching ALLOW ⇒ allowed;
//!   else 403: `security/v1beta1/authorization_policy.proto` (header).
//! - Scope: the policy's namespace, narrowed by `selector.matchLabels`; in the root namespace
//!   the selector applies in every namespace (same proto, `selector`). `targetRef(s)` attach to
//!   Gateway API gateways and waypoints only, so such a policy applies to none of the workloads
//!   modelled here.
//! - Rules: no `rules` never matches (ALLOW without rules denies all); `[{}]` always matches;
//!   `from`, `to`, `when` are ANDed within a rule, rules are ORed; within a source or operation
//!   every set field must match and `not*` fields must not (proto `Rule`, `Source`, `Operation`).
//! - Values: `*` (present, non-empty), `abc*` (prefix), `*abc` (suffix), else exact
//!   (`pilot/pkg/security/authz/matcher/string.go` `StringMatcherWithPrefix`, `header.go`
//!   `HeaderMatcher`); hosts compare case-insensitively with `:authority` as sent, so
//!   `example.com` does not match `example.com:443` (`header.go` `HostMatcher`; istio.io
//!   `docs/ops/best-practices/security` "Writing Host Match Policies"); request principals split
//!   at the last `/` into issuer and subject patterns (`model/generator.go`
//!   `requestPrincipalGenerator.extendedPrincipal`; 1.18.7 matched the joined `iss/sub` string,
//!   with the same outcome for `*`, `<iss>/*` and exact principals). An absent attribute never
//!   matches a value, so a `not*` field holds for it.
//! - Validation (`pkg/config/validation/validation.go` `ValidateAuthorizationPolicy`): DENY and
//!   CUSTOM need `rules`; CUSTOM needs `provider.name` and may not use `principals`,
//!   `namespaces`, `requestPrincipals` (nor their `not*`) or `when` keys `source.namespace`,
//!   `source.principal`, `request.auth.*`; `when` keys must be known (`model/model.go` `New`).
//!   A refused policy does not exist on the cluster.
//! - RequestAuthentication (`security/v1beta1/request_authentication.proto`;
//!   `pilot/pkg/security/authn/policy_applier.go` `convertToEnvoyJwtConfig`): every rule of every
//!   RequestAuthentication on the workload (own namespace + root namespace, selector ⊆ labels)
//!   joins one JWT configuration for every host and path; a request with no token at any rule's
//!   location passes with no principal; a token that verifies for a rule (issuer equal,
//!   audiences empty or intersecting) gives principal `<iss>/<sub>`; a token that verifies for
//!   none (unknown issuer, wrong audience, bad signature) is rejected with 401 (Envoy
//!   `JwtUnknownIssuer`, envoyproxy/envoy PR #15194). Default locations: `Authorization: Bearer
//!   <token>` and the `access_token` query parameter; `fromHeaders` (with `prefix`),
//!   `fromParams`, `fromCookies` replace them. A header location yields a token when its value
//!   contains the prefix (envoyproxy/envoy `source/extensions/filters/http/jwt_authn/
//!   extractor.cc` `ExtractorImpl::extract`), so `Authorization: Basic x` is no token at all.
//!   `forwardOriginalToken: false` (the default) removes the token before the request goes on.

mod authentication;
mod fields;
mod matching;
mod policies;
mod policy;
mod provider;
mod request;
mod rules;
mod variants;

pub use authentication::RequestAuthentication;
pub use policies::{Outcomes, Policies, outcome};
pub use policy::{Action, AuthorizationPolicy};
pub use provider::{OAuthProxy, Provider};
pub use request::{Jwt, Peer, Request};
pub use variants::{MAX_VARIANTS, Variant};

// The flow model's items the layer's modules share (`use super::{…}` in each).
use super::{Cache, Layer, ObjectRef, Outcome, Step};

#[cfg(test)]
mod tests;
