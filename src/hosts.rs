//! Host names and the wildcards that match them — every meaning meshedge gives a `*`, named.
//!
//! - [`allowed_by`]: a pattern of `allowedHosts` (settings) allows a host: `*` allows any,
//!   `*.suffix` any name under `suffix` (a wildcard host under it too), else the exact name.
//! - [`covers`]: a wildcard host covers a claimed host the way Istio matches hosts, at any depth
//!   (istio/istio `pkg/config/host/name.go`, `Name.Matches`, 1.24.3); its [`reversed_key`]
//!   orders hosts so that the hosts a wildcard covers are a range.
//! - [`overlap`]: two hosts of final objects (a Gateway server's and a VirtualService's) may
//!   meet: either is `*`, they are equal, or either is a `*`-prefixed pattern the other ends
//!   with (the analyses of final objects, which read hosts as written).

/// Whether `pattern` (of `allowedHosts`) allows `host`.
pub(crate) fn allowed_by(pattern: &str, host: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if let Some(suffix) = pattern.strip_prefix('*') {
        return host.len() > suffix.len() && host.ends_with(suffix) && suffix.starts_with('.');
    }
    pattern == host
}

/// `shop.apps.example.com` → `com.example.apps.shop.`; `*.apps.example.com` → `com.example.apps.`.
/// A wildcard covers exactly the names whose key starts with its key and is longer.
pub(crate) fn reversed_key(host: &str) -> String {
    let mut key = String::with_capacity(host.len() + 1);
    for label in host.rsplit('.').filter(|l| *l != "*") {
        key.push_str(label);
        key.push('.');
    }
    key
}

/// Whether wildcard `wildcard` covers `host` (a name or a narrower wildcard), as Istio matches.
pub(crate) fn covers(wildcard: &str, host: &str) -> bool {
    if !wildcard.starts_with("*.") || wildcard == host {
        return false;
    }
    let (w, h) = (reversed_key(wildcard), reversed_key(host));
    h.len() > w.len() && h.starts_with(&w)
}

/// Whether two hosts of final objects may meet.
pub(crate) fn overlap(a: &str, b: &str) -> bool {
    if a == "*" || b == "*" || a == b {
        return true;
    }
    let wildcard = |pattern: &str, host: &str| pattern.strip_prefix('*').is_some_and(|suffix| host.ends_with(suffix));
    wildcard(a, b) || wildcard(b, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_hosts_match_subdomains_only() {
        assert!(allowed_by("*.apps.example.com", "shop.apps.example.com"));
        assert!(allowed_by("*.apps.example.com", "a.b.apps.example.com"));
        assert!(allowed_by("*.apps.example.com", "*.team.apps.example.com"));
        assert!(!allowed_by("*.apps.example.com", "apps.example.com"));
        assert!(!allowed_by("*.apps.example.com", "shopapps.example.com"));
        assert!(allowed_by("api.stripe.com", "api.stripe.com"));
        assert!(!allowed_by("api.stripe.com", "x.api.stripe.com"));
        assert!(allowed_by("*", "anything.example"));
    }

    #[test]
    fn wildcards_cover_names_at_any_depth_and_narrower_wildcards() {
        assert!(covers("*.apps.example.com", "shop.apps.example.com"));
        assert!(covers("*.apps.example.com", "a.b.apps.example.com"));
        assert!(covers("*.apps.example.com", "*.team.apps.example.com"));
        assert!(!covers("*.team.apps.example.com", "*.apps.example.com"));
        assert!(!covers("*.apps.example.com", "apps.example.com"));
        assert!(!covers("*.apps.example.com", "shopapps.example.com"));
        assert!(!covers("*.apps.example.com", "*.apps.example.com"));
        assert!(!covers("shop.apps.example.com", "shop.apps.example.com"));
        assert!(!covers("*", "shop.apps.example.com"), "`*` alone is not a host wildcard");
        assert_eq!(reversed_key("*.apps.example.com"), "com.example.apps.");
        assert_eq!(reversed_key("shop.apps.example.com"), "com.example.apps.shop.");
    }

    #[test]
    fn hosts_of_final_objects_overlap_either_way() {
        assert!(overlap("*", "a.example.com") && overlap("a.example.com", "*"));
        assert!(overlap("*.example.com", "a.example.com") && overlap("a.example.com", "*.example.com"));
        assert!(overlap("a.example.com", "a.example.com"));
        assert!(!overlap("a.example.com", "b.example.com"));
        // Written hosts are read as they are: a pattern without a dot still matches by suffix.
        assert!(overlap("*example.com", "shopexample.com"));
    }
}
