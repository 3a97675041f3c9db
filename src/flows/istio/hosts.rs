//! Host names and visibility: a host pattern and a host name → whether Istio matches them
//! (wildcards match any number of labels: `host.Name.Matches`), a host → the keys it is indexed
//! under, and an `exportTo` list → whether an object is visible in a namespace
//! (istio/istio @1.24.3 `pkg/config/visibility/visibility.go`: empty = the mesh default, `.` =
//! own namespace, `*` = every namespace, `~` = none).

use std::collections::BTreeSet;

/// Whether a host pattern (`*`, `*.example.com`, `a.example.com`) matches a host name: Istio
/// wildcards match any number of labels (`host.Name.Matches`).
pub fn host_matches(pattern: &str, host: &str) -> bool {
    let (pattern, host) = (pattern.to_ascii_lowercase(), host.to_ascii_lowercase());
    if pattern == "*" {
        return true;
    }
    match pattern.strip_prefix('*') {
        Some(suffix) => host.ends_with(&suffix) && host.len() > suffix.len(),
        None => pattern == host,
    }
}

/// The keys a host name is looked up under: itself, then each wildcard suffix, then `*`.
pub(super) fn lookup_keys(host: &str) -> Vec<String> {
    let host = host.to_ascii_lowercase();
    let mut keys = vec![host.clone()];
    let mut rest = host.as_str();
    while let Some(i) = rest.find('.') {
        keys.push(format!("*{}", &rest[i..]));
        rest = &rest[i + 1..];
    }
    keys.push("*".to_string());
    keys
}

/// Whether an `exportTo` list makes an object of namespace `own` visible in `client`.
pub fn exported(export_to: &[String], defaults: &[String], own: &str, client: &str) -> bool {
    let list = if export_to.is_empty() { defaults } else { export_to };
    list.iter().any(|e| match e.as_str() {
        "*" => true,
        "~" => false,
        "." => own == client,
        ns => ns == client,
    })
}

/// [`exported`] for an `exportTo` list held as a set: a lookup, however many namespaces it
/// lists.
pub(super) fn exported_set(export_to: &BTreeSet<String>, defaults: &[String], own: &str, client: &str) -> bool {
    if export_to.is_empty() {
        return exported(&[], defaults, own, client);
    }
    // `~` never matches; a namespace is never named `*`, `.` or `~`.
    export_to.contains("*") || (own == client && export_to.contains(".")) || export_to.contains(client)
}
