//! `https://` URLs of documents istiod fetches and of token issuers (see the docs of
//! [`crate::values`]).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::refusal::Refusal;

/// Whether `ip` reaches the host itself or a link-local service (the cloud metadata service at
/// 169.254.169.254, `fd00:ec2::254`), or is no single host at all. An IPv6 address that carries
/// an IPv4 address is judged by that address too: IPv4-mapped and IPv4-compatible (`::ffff:a.b.c.d`,
/// `::a.b.c.d`, RFC 4291 §2.5.5), NAT64 (`64:ff9b::/96`, RFC 6052 §2.1) and 6to4 (`2002::/16`,
/// the IPv4 address in bits 16–47, RFC 3056 §2).
fn is_internal_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let embedded = |high: u16, low: u16| Ipv4Addr::from((u32::from(high) << 16) | u32::from(low));
            let carried = if let Some(v4) = v6.to_ipv4() {
                // `::` and `::1` are IPv4-compatible in form only: judged as IPv6 below.
                (!v6.is_unspecified() && !v6.is_loopback()).then_some(v4)
            } else if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                Some(embedded(s[6], s[7]))
            } else if s[0] == 0x2002 {
                Some(embedded(s[1], s[2]))
            } else {
                None
            };
            if carried.is_some_and(internal_v4) {
                return true;
            }
            let first = s[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xffc0) == 0xfe80
                || v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
        }
    }
}

/// Loopback, link-local (169.254.0.0/16: the metadata service of AWS, Google Cloud, Azure and
/// Oracle Cloud), unspecified, broadcast, multicast, and Alibaba Cloud's metadata service at
/// 100.100.100.200 (https://www.alibabacloud.com/help/en/ecs/user-guide/view-instance-metadata).
fn internal_v4(v4: Ipv4Addr) -> bool {
    v4.is_loopback()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || v4 == Ipv4Addr::new(100, 100, 100, 200)
}

/// Names of cloud metadata services, which resolve to a link-local address inside the cloud:
/// - `metadata.google.internal`, and `metadata` through the VM's DNS search path (Google Cloud,
///   https://cloud.google.com/compute/docs/metadata/querying-metadata);
/// - `instance-data` and `instance-data.ec2.internal` (Amazon EC2's resolver answers both with
///   169.254.169.254, https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html).
const METADATA_NAMES: [&str; 4] =
    ["metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal"];

/// Host names that name the local host or a cloud metadata service (any case, with or without
/// the final dot).
fn is_internal_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost") || METADATA_NAMES.contains(&host.as_str())
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
    // The host as the URL crate reads it: lower case, IDNA applied, IPv4 forms such as
    // `0x7f.1` and `2130706433` read as addresses.
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
