//! The CUSTOM (ext-authz) provider: a [`Provider`] and a [`Request`] → its decision (allow,
//! deny, or deny with a redirect to sign in) and the request as it goes on after an allow.
//!
//! The providers modelled: the istio.io sample ext-authz server
//! (`tasks/security/authorization/authz-custom`) and oauth2-proxy @v7.6.0 as an
//! `envoyExtAuthzHttp` provider (sources on [`OAuthProxy`]).

use super::request::{Jwt, Request};

/// How a CUSTOM (ext-authz) provider decides, as the evaluation models it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provider {
    /// Allows every request it is asked about.
    Allow,
    /// Denies every request; `redirect`: the denial sends the client to a login flow.
    Deny { redirect: bool },
    /// Allows iff a header has a value (the istio.io sample ext-authz server allows
    /// `x-ext-authz: allow`: `tasks/security/authorization/authz-custom`).
    HeaderEquals { header: String, value: String },
    /// An OAuth proxy running a login flow.
    OAuthProxy(OAuthProxy),
}

/// oauth2-proxy as an `envoyExtAuthzHttp` provider (oauth2-proxy/oauth2-proxy @v7.6.0):
/// a request with a session is allowed; a request whose `Authorization: Bearer` token verifies
/// for one of `bearer` is allowed without a session (`--skip-jwt-bearer-tokens`,
/// `--extra-jwt-issuers`: `docs/docs/configuration/overview.md`; `pkg/middleware/
/// jwt_session.go` `getJwtSession`); anything else (no header, `Basic x`, a token of another
/// issuer) has no session and is sent to sign in (`oauthproxy.go` `Proxy`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OAuthProxy {
    /// (issuer, audience) pairs of bearer tokens accepted without a session.
    pub bearer: Vec<(String, String)>,
    /// The token added to an allowed session request as `Authorization: Bearer`
    /// (`--set-authorization-header` with `authorization` in the provider's
    /// `headersToUpstreamOnAllow`); the ID token, whose audience is the OIDC client.
    pub id_token: Option<Jwt>,
}

/// A provider's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Decision {
    Allow,
    Deny { redirect: bool },
}

impl Provider {
    /// Decides, and applies to the request what an allow adds upstream.
    pub(super) fn decide(&self, request: &mut Request) -> (Decision, String) {
        match self {
            Provider::Allow => (Decision::Allow, "the provider allows every request".into()),
            Provider::Deny { redirect } => (Decision::Deny { redirect: *redirect }, "the provider denies".into()),
            Provider::HeaderEquals { header, value } => {
                if request.headers.get(&header.to_ascii_lowercase()) == Some(value) {
                    (Decision::Allow, format!("the provider allows `{header}: {value}`"))
                } else {
                    (Decision::Deny { redirect: false }, format!("the provider allows only `{header}: {value}`"))
                }
            }
            Provider::OAuthProxy(proxy) => {
                if request.session {
                    if let Some(id_token) = &proxy.id_token {
                        let replaced = request.clone().bearer(id_token.clone());
                        *request = replaced;
                    }
                    return (Decision::Allow, "the login session is valid".into());
                }
                let bearer = request.headers.get("authorization").and_then(|v| v.strip_prefix("Bearer "));
                if let Some(jwt) = bearer.and_then(|t| request.tokens.get(t)) {
                    let accepted = proxy
                        .bearer
                        .iter()
                        .any(|(iss, aud)| *iss == jwt.issuer && jwt.audiences.iter().any(|a| a == aud));
                    if accepted {
                        return (
                            Decision::Allow,
                            format!("the bearer token of {} is accepted without a session", jwt.issuer),
                        );
                    }
                }
                (Decision::Deny { redirect: true }, "no login session: the client is sent to sign in".into())
            }
        }
    }
}
