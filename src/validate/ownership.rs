//! What belongs to a tenant by its name and by its hosts, so that no other tenant takes it.
//!
//! - **Namespaces named for a tenant.** A namespace named like tenant `T`, or `T-<anything>`,
//!   is `T`'s: another tenant claiming it is E436, whatever `allowedNamespaces` allows (a pattern
//!   such as `shop-*` is shared by every tenant). When tenant names are prefixes of one another
//!   (`shop`, `shop-admin`), the longest name wins: `shop-admin-jobs` is `shop-admin`'s. Tenants
//!   excluded in the environment keep their names. A namespace that another tenant lists itself
//!   is E403 (both Tenant files are named there).
//! - **Hosts under another tenant's host.** A browser sends a cookie set with
//!   `Domain=shop.apps.example.com` to every host under it, and lets every host under it set one
//!   (RFC 6265 §5.1.3 domain matching, §5.3 step 6): a host of tenant `blog` under a host of
//!   tenant `shop` reads `shop`'s sessions and can fix them. Such a host is E437, at the lower
//!   host's claim, unless `settings.tenants.allowHostsUnder` lists the upper host. A wildcard
//!   `*.x.shop.apps.example.com` stands for hosts under `x.shop.apps.example.com`; a host under
//!   another tenant's wildcard is E401 already (the wildcard covers it).

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Diagnostics, Explain, Location};
use crate::merge::{Merged, Request, Tenant};
use crate::validate::error::{RequestError, request_of};

/// The tenants of the repository by name (those excluded here included), and who lists which
/// namespace.
pub(crate) struct TenantNames<'m> {
    tenants: BTreeMap<&'m str, &'m Tenant>,
    listed_by: BTreeMap<&'m str, BTreeSet<&'m str>>,
}

impl<'m> TenantNames<'m> {
    pub(crate) fn new(merged: &'m Merged) -> Self {
        let all = || merged.tenants.values().chain(merged.excluded_tenants.values());
        let tenants = all().map(|t| (t.name.as_str(), t)).collect();
        let mut listed_by: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for tenant in all() {
            for namespace in &tenant.namespaces {
                listed_by.entry(namespace).or_default().insert(&tenant.name);
            }
        }
        TenantNames { tenants, listed_by }
    }

    /// The tenant `namespace` is named for: the longest tenant name `T` with `namespace` equal
    /// to `T` or starting with `T-`.
    pub(crate) fn named_for(&self, namespace: &str) -> Option<&'m Tenant> {
        name_owner(namespace, |name| self.tenants.contains_key(name)).and_then(|name| self.tenants.get(name)).copied()
    }

    /// E436 for the `index`-th namespace of `tenant` when it is named for another tenant and no
    /// other tenant lists it (that is E403). Whether it was reported.
    pub(crate) fn report_foreign(&self, merged: &Merged, tenant: &Tenant, index: usize, out: &mut Diagnostics) -> bool {
        let Some(namespace) = tenant.namespaces.get(index) else { return false };
        let Some(owner) = self.named_for(namespace) else { return false };
        if owner.name == tenant.name {
            return false;
        }
        let listed_by_another =
            self.listed_by.get(namespace.as_str()).is_some_and(|s| s.iter().any(|t| *t != tenant.name));
        if listed_by_another {
            return false;
        }
        let mut d = RequestError::NamespaceOfAnotherTenant {
            tenant: tenant.name.clone(),
            namespace: namespace.clone(),
            owner: owner.name.clone(),
        }
        .at(namespace_location(tenant, index))
        .note(tenant_location(owner), format!("tenant `{}` is declared here", owner.name));
        if merged.excluded.contains(&owner.name) {
            d = d.note(
                merged.settings_location("/tenants/exclude"),
                format!("tenant `{}` is excluded here and keeps its name", owner.name),
            );
        }
        out.push(d);
        true
    }
}

/// A file of the tenant's directory: its Tenant document, else its first request.
pub(crate) fn tenant_location(tenant: &Tenant) -> Location {
    if let Some(doc) = tenant.docs.first() {
        return doc.location("/metadata/name");
    }
    let request = tenant.requests.values().next().and_then(|r| r.docs.first());
    request.map(|d| d.location("/metadata/name")).unwrap_or_else(|| Location::file(format!("tenants/{}", tenant.name)))
}

/// Where the tenant claims its `index`-th namespace: the list item of the Tenant document whose
/// list won the merge, or (for the default namespace, the tenant's name) the tenant's directory.
pub(crate) fn namespace_location(tenant: &Tenant, index: usize) -> Location {
    match tenant.docs.iter().rev().find(|d| d.writes("/spec/namespaces")) {
        Some(doc) => doc.location(&format!("/spec/namespaces/{index}")),
        None => tenant_location(tenant),
    }
}

/// The longest prefix of `namespace` that is the whole of it or ends before a `-`, and names a
/// tenant (`is_tenant`).
fn name_owner(namespace: &str, is_tenant: impl Fn(&str) -> bool) -> Option<&str> {
    let whole = std::iter::once(namespace.len());
    let prefixes = namespace.char_indices().filter(|(_, c)| *c == '-').map(|(i, _)| i).rev();
    whole.chain(prefixes).filter_map(|end| namespace.get(..end)).find(|p| is_tenant(p))
}

/// One ingress host claimed by a request.
pub(crate) struct HostClaim<'r> {
    pub host: &'r str,
    pub request: &'r Request,
    pub pointer: &'r str,
}

/// The names a claim's hosts can set cookies for, besides their own, nearest first: the strict
/// parents of a concrete host; for a wildcard `*.d`, `d` and its strict parents.
fn parents(host: &str) -> impl Iterator<Item = &str> {
    let (start, first) = match host.strip_prefix("*.") {
        Some(rest) => (rest, Some(rest)),
        None => (host, None),
    };
    let strict = start.char_indices().filter(|(_, c)| *c == '.').filter_map(move |(i, _)| start.get(i + 1..));
    first.into_iter().chain(strict).filter(|p| !p.is_empty())
}

/// E437: each claim under a concrete host that another tenant claims, at the lower claim with a
/// note at the upper; `allowed` lists the upper hosts the settings open to other tenants. Looks
/// up each claim's parents only (at most a host's label count per claim).
pub(crate) fn check_nested_hosts(
    claims: &[HostClaim],
    allowed: &BTreeSet<String>,
    merged: &Merged,
    out: &mut Diagnostics,
) {
    let concrete: BTreeMap<&str, &HostClaim> =
        claims.iter().filter(|c| !c.host.starts_with('*')).map(|c| (c.host, c)).collect();
    let owners: BTreeMap<&str, &str> = concrete.iter().map(|(host, c)| (*host, c.request.tenant.as_str())).collect();
    for claim in claims {
        let Some(upper) = upper_host(claim.host, &claim.request.tenant, &owners, allowed).and_then(|h| concrete.get(h))
        else {
            continue;
        };
        let mut d = RequestError::HostUnderAnotherTenantsHost {
            host: claim.host.to_string(),
            tenant: claim.request.tenant.clone(),
            parent: upper.host.to_string(),
            owner: upper.request.tenant.clone(),
        }
        .at(claim.request.location(claim.pointer))
        .note(
            upper.request.location(upper.pointer),
            format!("claimed by {}", request_of(&upper.request.name, &upper.request.tenant)),
        );
        if merged.settings.tenants.as_ref().is_some_and(|t| t.allow_hosts_under.is_some()) {
            d = d.note(merged.settings_location("/tenants/allowHostsUnder"), "hosts open to other tenants");
        }
        out.push(d);
    }
}

/// The nearest host above `host` that another tenant than `tenant` claims (`owners`: concrete
/// host → tenant) and `allowed` does not open to others.
fn upper_host<'o>(
    host: &str,
    tenant: &str,
    owners: &BTreeMap<&'o str, &str>,
    allowed: &BTreeSet<String>,
) -> Option<&'o str> {
    parents(host)
        .filter_map(|p| owners.get_key_value(p))
        .find(|(upper, owner)| **owner != tenant && !allowed.contains(**upper))
        .map(|(upper, _)| *upper)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::{name_owner, parents, upper_host};

    #[test]
    fn a_namespace_belongs_to_the_longest_tenant_name_it_starts_with() {
        let tenants = ["shop", "shop-admin", "blog"];
        let owner = |namespace| name_owner(namespace, |n| tenants.contains(&n));
        assert_eq!(owner("shop"), Some("shop"));
        assert_eq!(owner("shop-payments"), Some("shop"));
        assert_eq!(owner("shop-admin"), Some("shop-admin"));
        assert_eq!(owner("shop-admin-jobs"), Some("shop-admin"));
        assert_eq!(owner("shopping"), None, "a name is a prefix only up to a `-`");
        assert_eq!(owner("billing"), None);
        assert_eq!(owner("blog-shop"), Some("blog"));
        assert_eq!(owner("-"), None);
    }

    #[test]
    fn a_host_under_another_tenants_host_finds_the_nearest() {
        let owners = BTreeMap::from([
            ("shop.apps.example.com", "shop"),
            ("x.shop.apps.example.com", "blog"),
            ("apps.example.com", "platform"),
        ]);
        let none = BTreeSet::new();
        let upper = |host, tenant| upper_host(host, tenant, &owners, &none);
        assert_eq!(upper("x.shop.apps.example.com", "blog"), Some("shop.apps.example.com"));
        assert_eq!(upper("a.x.shop.apps.example.com", "shop"), Some("x.shop.apps.example.com"));
        assert_eq!(upper("a.x.shop.apps.example.com", "blog"), Some("shop.apps.example.com"));
        assert_eq!(upper("*.shop.apps.example.com", "blog"), Some("shop.apps.example.com"));
        assert_eq!(upper("api.shop.apps.example.com", "shop"), Some("apps.example.com"));
        assert_eq!(upper("blog.example.com", "blog"), None);
        assert_eq!(
            upper("shop.apps.example.com", "blog"),
            Some("apps.example.com"),
            "the claim itself is not above it"
        );
        let open = BTreeSet::from(["shop.apps.example.com".to_string(), "apps.example.com".to_string()]);
        assert_eq!(upper_host("x.shop.apps.example.com", "blog", &owners, &open), None);
    }

    #[test]
    fn a_host_sets_cookies_for_its_parents_and_a_wildcard_for_its_base_too() {
        fn of(host: &str) -> Vec<&str> {
            parents(host).collect()
        }
        assert_eq!(of("x.shop.apps.example.com"), ["shop.apps.example.com", "apps.example.com", "example.com", "com"]);
        assert_eq!(of("*.shop.apps.example.com"), ["shop.apps.example.com", "apps.example.com", "example.com", "com"]);
        assert_eq!(of("com"), Vec::<&str>::new());
    }
}
