//! `https://` URLs of documents istiod fetches and of token issuers (see the docs of
//! [`crate::values`]).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::refusal::Refusal;

/// Whether `ip` reaches the host itself or a link-local service (the cloud metadata service at
/// 169.254.169.254, `fd00:ec2::254`), or is no single host at all.
fn is_internal_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => internal_v4(v4),
            None => {
                let first = v6.segments()[0];
                v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || (first & 0xffc0) == 0xfe80
                    || v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
            }
        },
    }
}

fn internal_v4(v4: Ipv4Addr) -> bool {
    v4.is_loopback() || v4.is_link_local() || v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast()
}

/// Host names that name the local host or a cloud metadata service.
fn is_internal_name(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    host == "localhost" || host.ends_with(".localhost") || host == "metadata.google.internal"
}

fn https_url(value: &str, query_allowed: bool, noun: &str) -> Result<(), Refusal> {
    let help = if query_allowed {
        "write an `https://` URL with a host and no user name or fragment (e.g. `https://sso.example.com/realms/shop/protocol/openid-connect/certs`); loopback and link-local hosts (127.0.0.0/8, 169.254.0.0/16, localhost, metadata services) are refused"
    } else {
        "write an `https://` URL with a host and no user name, query or fragment (e.g. `https://sso.example.com/realms/shop`); loopback and link-local hosts (127.0.0.0/8, 169.254.0.0/16, localhost, metadata services) are refused"
    };
    let refuse = |reason: &str| Refusal::new(value, noun, reason, help);
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(refuse("it holds whitespace or a control character"));
    }
    let Some(rest) = value.strip_prefix("https://") else {
        return Err(refuse("it does not start with `https://`"));
    };
    // The URL crate reads `https:///x` as `https://x/` and `\` as `/`; Go's reader, which
    // istiod uses, does not: refuse what the two would read differently.
    if rest.starts_with('/') || value.contains('\\') {
        return Err(refuse("it has no host right after `https://`, or holds a `\\`"));
    }
    let url = url::Url::parse(value).map_err(|e| refuse(&format!("it is not a URL ({e})")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("it holds a user name or password"));
    }
    if url.fragment().is_some() {
        return Err(refuse("it has a fragment (`#...`)"));
    }
    if !query_allowed && url.query().is_some() {
        return Err(refuse("it has a query (`?...`)"));
    }
    let internal = match url.host() {
        None => return Err(refuse("it has no host")),
        Some(url::Host::Domain(name)) => is_internal_name(name),
        Some(url::Host::Ipv4(v4)) => is_internal_ip(IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => is_internal_ip(IpAddr::V6(v6)),
    };
    if internal {
        return Err(refuse("its host is loopback, link-local or a metadata service, which istiod must not fetch"));
    }
    Ok(())
}

string_type!(
    /// An `https://` URL of a document istiod fetches (a JWKS): a host that is neither
    /// loopback, link-local, unspecified nor a cloud metadata service; no user info, no
    /// fragment. Kept as written: the URL crate only checks it.
    HttpsUrl,
    |v| https_url(v, true, "a valid https URL")
);

string_type!(
    /// A token or OpenID Connect issuer: an [`HttpsUrl`] without query, kept exactly as
    /// written (a token's `iss` must equal it byte for byte).
    IssuerUrl,
    |v| https_url(v, false, "a valid issuer URL")
);
