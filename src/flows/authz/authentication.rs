//! Request authentication on one workload: RequestAuthentication objects → parsed JWT rules, and
//! the JWT configuration of a workload with a [`Request`] → the verified token (principal, the
//! header to strip) or the 401 rejection.
//!
//! Sources: istio/api @1.24.3 `security/v1beta1/request_authentication.proto` (`JWTRule`: default
//! locations `Authorization: Bearer <token>` and `access_token`; `fromHeaders`, `fromParams`,
//! `fromCookies` replace them; `forwardOriginalToken`); istio/istio @1.24.3
//! `pilot/pkg/security/authn/policy_applier.go` `convertToEnvoyJwtConfig` (every rule on the
//! workload joins one requirement); envoyproxy/envoy `source/extensions/filters/http/jwt_authn/
//! extractor.cc` `ExtractorImpl::extract` (a header yields a token when it contains the prefix)
//! and PR #15194 (`JwtUnknownIssuer`: 401 for a token no rule verifies).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::ObjectRef;
use super::fields::{selector_of, strings};
use super::request::{Jwt, Request};
use crate::flows::selector::WorkloadSelector;

/// A parsed RequestAuthentication.
#[derive(Debug, Clone)]
pub struct RequestAuthentication {
    pub reference: ObjectRef,
    pub namespace: String,
    pub(super) selector: WorkloadSelector,
    pub(super) rules: Vec<JwtRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Location {
    Header { name: String, prefix: String },
    Param(String),
    Cookie(String),
}

#[derive(Debug, Clone)]
pub(super) struct JwtRule {
    issuer: String,
    audiences: Vec<String>,
    locations: Vec<Location>,
    forward: bool,
}

impl RequestAuthentication {
    /// Parses a RequestAuthentication; `Ok(None)` for one attached by `targetRef(s)`.
    pub fn parse(reference: ObjectRef, value: &Value) -> Result<Option<RequestAuthentication>, String> {
        let spec = value.get("spec").unwrap_or(&Value::Null);
        let mut rules = Vec::new();
        for rule in spec.get("jwtRules").and_then(Value::as_array).into_iter().flatten() {
            let issuer = rule
                .get("issuer")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .ok_or("a JWT rule needs an issuer")?;
            let mut locations = Vec::new();
            for h in rule.get("fromHeaders").and_then(Value::as_array).into_iter().flatten() {
                let name = h.get("name").and_then(Value::as_str).ok_or("fromHeaders needs a name")?;
                let prefix = h.get("prefix").and_then(Value::as_str).unwrap_or_default();
                locations.push(Location::Header { name: name.to_ascii_lowercase(), prefix: prefix.to_string() });
            }
            for p in strings(rule.get("fromParams"))? {
                locations.push(Location::Param(p));
            }
            for c in strings(rule.get("fromCookies"))? {
                locations.push(Location::Cookie(c));
            }
            if locations.is_empty() {
                // JWTRule: "Authorization: Bearer <token>" and the access_token query parameter.
                locations.push(Location::Header { name: "authorization".into(), prefix: "Bearer ".into() });
                locations.push(Location::Param("access_token".into()));
            }
            rules.push(JwtRule {
                issuer: issuer.to_string(),
                audiences: strings(rule.get("audiences"))?,
                locations,
                forward: rule.get("forwardOriginalToken").and_then(Value::as_bool).unwrap_or(false),
            });
        }
        let Some(selector) = selector_of(spec)? else { return Ok(None) };
        let namespace = reference.namespace.clone().unwrap_or_default();
        Ok(Some(RequestAuthentication { reference, namespace, selector, rules }))
    }
}

/// The tokens a request carries at a location.
fn extract(request: &Request, location: &Location) -> Option<String> {
    match location {
        Location::Header { name, prefix } => {
            let value = request.headers.get(name)?;
            if prefix.is_empty() {
                Some(value.clone())
            } else {
                let at = value.find(prefix.as_str())?;
                Some(value[at + prefix.len()..].trim().to_string())
            }
        }
        Location::Param(name) => request.query(name).map(str::to_string),
        Location::Cookie(name) => request.cookie(name).map(str::to_string),
    }
}

/// The outcome of authentication.
#[derive(Debug, Clone)]
pub(super) struct Authenticated {
    pub(super) jwt: Option<Jwt>,
    /// The header to remove before the request goes on (a verified, not forwarded token).
    pub(super) strip: Option<String>,
    /// The RequestAuthentication whose rule verified the token.
    pub(super) by: Option<ObjectRef>,
}

/// A rejected token: why, and the RequestAuthentications that read it and accepted it not.
#[derive(Debug, Clone)]
pub(super) struct Rejected {
    pub(super) why: String,
    pub(super) by: Vec<ObjectRef>,
}

/// The JWT configuration of one workload: every rule of every RequestAuthentication on it,
/// indexed by the locations the rules read and by issuer.
#[derive(Debug, Default)]
pub(super) struct JwtConfig {
    pub(super) policies: Vec<ObjectRef>,
    /// Every rule, with the index of its policy.
    rules: Vec<(usize, JwtRule)>,
    /// Each distinct location, with the rules that read it (in rule order).
    locations: Vec<(Location, Vec<usize>)>,
    /// Rules by issuer.
    by_issuer: BTreeMap<String, Vec<usize>>,
}

impl JwtConfig {
    pub(super) fn new(policies: Vec<ObjectRef>, rules: Vec<(usize, JwtRule)>) -> JwtConfig {
        let mut reading: BTreeMap<&Location, Vec<usize>> = BTreeMap::new();
        let mut by_issuer: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, (_, rule)) in rules.iter().enumerate() {
            by_issuer.entry(rule.issuer.clone()).or_default().push(i);
            for location in &rule.locations {
                let readers = reading.entry(location).or_default();
                if readers.last() != Some(&i) {
                    readers.push(i);
                }
            }
        }
        let locations = reading.into_iter().map(|(l, readers)| (l.clone(), readers)).collect();
        JwtConfig { policies, rules, locations, by_issuer }
    }

    /// Envoy's requirement `p1 OR ... OR AND(pi OR allow_missing)`: a request passes when some
    /// rule verifies a token it carries, or when it carries none at any rule's location.
    ///
    /// Of several rules that verify a token, the first in order (policies by namespace and
    /// name, their rules and each rule's locations in order) gives the principal and decides
    /// whether the token goes on. Verifying looks only at the locations that hold a token and at
    /// the rules of the token's issuer, however many issuers the workload knows.
    pub(super) fn authenticate(&self, request: &Request) -> Result<Authenticated, Rejected> {
        let mut presented: Vec<&[usize]> = Vec::new();
        let mut failure = String::new();
        // (rule, position of the location in the rule, location, token)
        let mut best: Option<(usize, usize, &Location, &Jwt)> = None;
        for (location, reading) in &self.locations {
            let Some(token) = extract(request, location) else { continue };
            presented.push(reading);
            let Some(jwt) = request.tokens.get(&token) else {
                failure = "the token does not verify (malformed or bad signature)".into();
                continue;
            };
            // `reading` and the issuer's rules are both in rule order.
            let candidates: Vec<usize> = self
                .by_issuer
                .get(&jwt.issuer)
                .into_iter()
                .flatten()
                .copied()
                .filter(|r| reading.binary_search(r).is_ok())
                .collect();
            if candidates.is_empty() {
                if failure.is_empty() {
                    failure = format!("no rule configures the issuer {:?}", jwt.issuer);
                }
                continue;
            }
            let verifying = candidates.iter().copied().find(|r| {
                self.rules.get(*r).is_some_and(|(_, rule)| {
                    rule.audiences.is_empty() || jwt.audiences.iter().any(|a| rule.audiences.contains(a))
                })
            });
            match verifying {
                Some(r) => {
                    let position =
                        self.rules.get(r).and_then(|(_, rule)| rule.locations.iter().position(|l| l == location));
                    let key = (r, position.unwrap_or(usize::MAX));
                    if best.is_none_or(|(br, bp, _, _)| key < (br, bp)) {
                        best = Some((key.0, key.1, location, jwt));
                    }
                }
                None => {
                    let wanted: Vec<&String> = candidates
                        .iter()
                        .filter_map(|r| self.rules.get(*r))
                        .flat_map(|(_, rule)| rule.audiences.iter())
                        .collect();
                    failure = format!("the token's audiences {:?} are not among {:?}", jwt.audiences, wanted);
                }
            }
        }
        if let Some((r, _, location, jwt)) = best {
            let Some((owner, rule)) = self.rules.get(r) else {
                return Ok(Authenticated { jwt: Some(jwt.clone()), strip: None, by: None });
            };
            let strip = match (location, rule.forward) {
                (Location::Header { name, .. }, false) => Some(name.clone()),
                _ => None,
            };
            return Ok(Authenticated { jwt: Some(jwt.clone()), strip, by: self.policies.get(*owner).cloned() });
        }
        if presented.is_empty() {
            return Ok(Authenticated { jwt: None, strip: None, by: None });
        }
        // Every policy with a rule reading a location that held a token had its say.
        let readers: BTreeSet<usize> = presented
            .iter()
            .flat_map(|reading| reading.iter())
            .filter_map(|r| self.rules.get(*r))
            .map(|(o, _)| *o)
            .collect();
        Err(Rejected { why: failure, by: readers.into_iter().filter_map(|i| self.policies.get(i).cloned()).collect() })
    }
}
