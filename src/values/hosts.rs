//! Host names and domains: a gateway's domain, a request's host, a pattern of allowed hosts, an
//! external host.

use super::rules::host_name;

name_type!(
    /// A DNS domain (an ingress gateway's `domain`): lowercase DNS labels joined by `.`.
    DomainName,
    host_name,
    "a valid domain name",
    "a domain is lowercase DNS labels (letters, digits and `-`, at most 63 each) joined by `.`, at most 253 characters (e.g. `apps.example.com`)"
);

name_type!(
    /// An ingress request's host: a short name (one DNS label, expanded with the gateway's
    /// `domain`) or a full host name, either one possibly a wildcard (`*`, `*.team`,
    /// `*.team.apps.example.com`). Whether a wildcard may be claimed, and whether the expanded
    /// host is short enough, depends on the settings: the validate stage decides.
    RequestHost,
    |v| if v == "*" { Ok(()) } else { host_name(v.strip_prefix("*.").unwrap_or(v)) },
    "a valid host name",
    "write a short name (`shop`, expanded with the gateway's domain) or a full host name (`shop.apps.example.com`): lowercase DNS labels of letters, digits and `-` joined by `.`"
);

name_type!(
    /// A pattern of `allowedHosts`: `*` (any host), `*.<domain>` (any host under it), or a host.
    HostPattern,
    |v| if v == "*" { Ok(()) } else { host_name(v.strip_prefix("*.").unwrap_or(v)) },
    "a valid host pattern",
    "write a host (`api.stripe.com`), `*.` and a domain (`*.apps.example.com`), or `*`: lowercase DNS labels joined by `.`"
);

name_type!(
    /// An external host an egress request calls: a fully qualified host name, without
    /// wildcard. istiod requires `ServiceEntry` hosts with DNS resolution to be FQDNs
    /// (istio/istio 1.24.3 `pkg/config/validation/validation.go`, `ServiceEntry_DNS`).
    ExternalHost,
    |v| {
        host_name(v)?;
        if !v.contains('.') {
            return Err("it is a single label, not a fully qualified name".into());
        }
        Ok(())
    },
    "a valid external host name",
    "write the full host name (`api.partner.example`): lowercase DNS labels joined by `.`, without wildcard"
);
