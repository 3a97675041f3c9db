//! Host names as Istio compares them.
//!
//! Sources (istio/istio tag 1.28.10): `pkg/config/host/name.go` (`Name.Matches`),
//! `pkg/config/host/names.go` (`NamesForNamespace`), `pkg/config/analysis/analyzers/util/hosts.go`
//! (`ConvertHostToFQDN`, `GetResourceNameFromHost`) and `util/constants.go` (the FQDN pattern
//! `^(.+)\.(.+)\.svc\.cluster\.local$`).

/// The cluster-local suffix Istio's analyzers assume.
pub const CLUSTER_LOCAL: &str = ".svc.cluster.local";

fn wildcard(host: &str) -> bool {
    host.starts_with('*')
}

/// Whether two host names overlap: equal strings, or a wildcard `*S` whose `S` ends the other
/// (for two wildcards: the longer suffix ends with the shorter one). `*` overlaps everything;
/// `*.foo.com` does not overlap `foo.com`.
pub fn matches(a: &str, b: &str) -> bool {
    match (wildcard(a), wildcard(b)) {
        (true, true) => {
            if a.len() < b.len() {
                b[1..].ends_with(&a[1..])
            } else {
                a[1..].ends_with(&b[1..])
            }
        }
        (true, false) => b.ends_with(&a[1..]),
        (false, true) => a.ends_with(&b[1..]),
        (false, false) => a == b,
    }
}

/// The hosts visible to `namespace`: an entry `ns/h` is kept (as `h`) when `ns` is `namespace` or
/// `*`; an entry without a `/` is kept as it is.
pub fn names_for_namespace<'a>(hosts: impl IntoIterator<Item = &'a str>, namespace: &str) -> Vec<&'a str> {
    hosts
        .into_iter()
        .filter_map(|h| match h.split_once('/') {
            Some((ns, name)) if ns == namespace || ns == "*" => Some(name),
            Some(_) => None,
            None => Some(h),
        })
        .collect()
}

/// `host` as Istio's analyzers qualify it: a name with no dot that is not a wildcard becomes
/// `<host>.<namespace>.svc.cluster.local`; anything else stays as written (`reviews.default`
/// included).
pub fn to_fqdn(namespace: &str, host: &str) -> String {
    if !wildcard(host) && !host.contains('.') { format!("{host}.{namespace}{CLUSTER_LOCAL}") } else { host.to_string() }
}

/// `(namespace, name)` of a `name.namespace.svc.cluster.local` host (the name may hold dots, the
/// namespace may not: the pattern is greedy), or `None`.
pub fn split_cluster_local(host: &str) -> Option<(&str, &str)> {
    let rest = host.strip_suffix(CLUSTER_LOCAL)?;
    let (name, namespace) = rest.rsplit_once('.')?;
    (!name.is_empty() && !namespace.is_empty()).then_some((namespace, name))
}

/// The `(namespace, name)` a destination host names: a cluster-local FQDN names its own
/// namespace; any other host is taken as a name in `default_namespace`.
pub fn resource_name<'a>(default_namespace: &'a str, host: &'a str) -> (&'a str, &'a str) {
    split_cluster_local(host).unwrap_or((default_namespace, host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_follows_istio_name_matches() {
        assert!(matches("foo.com", "foo.com"));
        assert!(!matches("foo.com", "bar.com"));
        assert!(matches("*.com", "foo.com"));
        assert!(matches("bar.com", "*.com"));
        assert!(!matches("*.foo.com", "foo.com"));
        assert!(matches("*", "foo.com"));
        assert!(matches("*", "*.com"));
        assert!(matches("*.com", "a.b.com"), "a wildcard covers any depth");
        assert!(matches("*.b.com", "*.com") && matches("*.com", "*.b.com"));
        assert!(!matches("*.b.com", "*.c.com"));
    }

    #[test]
    fn namespace_scoping_keeps_own_and_star_entries() {
        let hosts = ["a.com", "ns1/b.com", "*/c.com", "ns2/d.com"];
        assert_eq!(names_for_namespace(hosts, "ns1"), ["a.com", "b.com", "c.com"]);
        assert_eq!(names_for_namespace(hosts, "ns3"), ["a.com", "c.com"]);
    }

    #[test]
    fn fqdn_and_resource_names_are_lexical() {
        assert_eq!(to_fqdn("default", "reviews"), "reviews.default.svc.cluster.local");
        assert_eq!(to_fqdn("default", "reviews.default"), "reviews.default");
        assert_eq!(to_fqdn("default", "*.example.com"), "*.example.com");
        assert_eq!(resource_name("x", "reviews.default.svc.cluster.local"), ("default", "reviews"));
        assert_eq!(resource_name("x", "a.b.c.svc.cluster.local"), ("c", "a.b"));
        assert_eq!(resource_name("x", "reviews.default"), ("x", "reviews.default"));
        assert_eq!(resource_name("x", "api.example.com"), ("x", "api.example.com"));
        assert_eq!(split_cluster_local("x.svc.cluster.local"), None);
    }
}
