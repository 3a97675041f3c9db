//! Host names and the wildcards that match them — every meaning meshedge gives a `*`, named.
//!
//! - [`allowed_by`]: a pattern of `allowedHosts` (settings) allows a host: `*` allows any,
//!   `*.suffix` any name under `suffix` (a wildcard host under it too), else the exact name.
//! - [`covers`]: a wildcard host covers a claimed host the way Istio matches hosts, at any depth
//!   (istio/istio `pkg/config/host/name.go`, `Name.Matches`, 1.24.3); its [`reversed_key`]
//!   orders hosts so that the hosts a wildcard covers are a range.
//!
//! The analyses of final objects compare hosts as Istio does, in `analyzers::host`.

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
}
