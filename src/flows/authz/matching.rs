//! How one pattern of an AuthorizationPolicy matches one attribute value: a pattern and a value
//! (string, header, host, request principal, IP block) → whether it matches, and the
//! `values`/`notValues` rule of one attribute.
//!
//! Sources (istio/istio @1.24.3): `pilot/pkg/security/authz/matcher/string.go`
//! `StringMatcherWithPrefix`, `header.go` `HeaderMatcher` and `HostMatcher`, and
//! `pilot/pkg/security/authz/model/generator.go` `requestPrincipalGenerator.extendedPrincipal`.

use std::net::IpAddr;

use super::request::Jwt;
use crate::flows::net::{Address, Cidr};

/// `StringMatcherWithPrefix`: `*` non-empty, `x*` prefix, `*x` suffix, else exact.
pub(super) fn string_matches(pattern: &str, value: &str) -> bool {
    if pattern == "*" {
        !value.is_empty()
    } else if let Some(suffix) = pattern.strip_prefix('*') {
        value.ends_with(suffix)
    } else if let Some(prefix) = pattern.strip_suffix('*') {
        value.starts_with(prefix)
    } else {
        pattern == value
    }
}

/// `HeaderMatcher`: like [`string_matches`] but `*` is presence (an empty value matches).
pub(super) fn header_matches(pattern: &str, value: &str) -> bool {
    if pattern == "*" { true } else { string_matches(pattern, value) }
}

/// `HostMatcher`: [`header_matches`] without regard to case.
pub(super) fn host_matches(pattern: &str, host: &str) -> bool {
    header_matches(&pattern.to_ascii_lowercase(), &host.to_ascii_lowercase())
}

/// `requestPrincipalGenerator.extendedPrincipal`: issuer and subject patterns split at the last
/// `/` of the pattern.
pub(super) fn request_principal_matches(pattern: &str, jwt: &Jwt) -> bool {
    let any = |v: &str| !v.is_empty();
    let (iss, sub) = (jwt.issuer.as_str(), jwt.subject.as_str());
    let split = pattern.rfind('/').map(|i| (&pattern[..i], &pattern[i + 1..]));
    if pattern == "*" {
        return any(iss) && any(sub);
    }
    if let Some(rest) = pattern.strip_prefix('*') {
        return match split {
            Some((p_iss, p_sub)) => (if p_iss == "*" { any(iss) } else { iss.ends_with(&p_iss[1..]) }) && sub == p_sub,
            None => any(iss) && sub.ends_with(rest),
        };
    }
    if let Some(rest) = pattern.strip_suffix('*') {
        return match split {
            Some((p_iss, p_sub)) => {
                iss == p_iss && (if p_sub == "*" { any(sub) } else { sub.starts_with(&p_sub[..p_sub.len() - 1]) })
            }
            None => iss.starts_with(rest) && any(sub),
        };
    }
    match split {
        Some((p_iss, p_sub)) => iss == p_iss && sub == p_sub,
        None => iss == pattern && sub.is_empty(),
    }
}

pub(super) fn ip_block_matches(block: &str, ip: &IpAddr) -> bool {
    let cidr = if block.contains('/') {
        Cidr::parse(block)
    } else {
        Cidr::parse(&format!("{block}/{}", if ip.is_ipv4() { 32 } else { 128 }))
    };
    cidr.is_ok_and(|c| c.contains(&Address::Ip(*ip)))
}

/// `values`/`notValues` of one attribute: with values, some must match; with notValues, none
/// may. An absent attribute matches no value.
pub(super) fn field(
    values: &[String],
    not_values: &[String],
    attribute: &[String],
    matches: impl Fn(&str, &str) -> bool,
) -> bool {
    let hit = |patterns: &[String]| patterns.iter().any(|p| attribute.iter().any(|a| matches(p, a)));
    (values.is_empty() || hit(values)) && (not_values.is_empty() || !hit(not_values))
}
