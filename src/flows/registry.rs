//! Which of the environment's external hosts each tenant namespace's sidecar holds in its
//! registry view, read from the `exportTo` lists of the hosts' ServiceEntries instead of asking
//! every namespace about every host.
//!
//! Shapes: per external host (the plan's order), the tenant namespaces that requested it or see
//! it ([`Views::seen`]; `None` for all of them); per tenant namespace, those hosts
//! ([`Views::hosts_of`]). Cost: the sum of the `exportTo` lists of the hosts' ServiceEntries
//! and of the requests, plus, for a host every namespace sees, one entry per namespace (each of
//! those pairs is a flow of its own anyway). Nothing here grows with namespaces × hosts otherwise.

use std::collections::{BTreeMap, BTreeSet};

use super::istio::Routing;
use crate::plan::{EgressHost, Plan};

/// The registry views of the tenant namespaces.
#[derive(Debug)]
pub(crate) struct Views<'a> {
    hosts: &'a [EgressHost],
    /// Per host (index in `hosts`): the namespaces that requested it or see it; `None`: all.
    seen: Vec<Option<BTreeSet<&'a str>>>,
    /// Per namespace: the indices of the hosts it requested or sees, ascending.
    by_namespace: BTreeMap<&'a str, Vec<usize>>,
}

impl<'a> Views<'a> {
    /// The views of `namespaces` (tenant namespace → tenant). Under `registry_only: false` every
    /// namespace sees every host (`ALLOW_ANY` passes them all to the next layer); otherwise a
    /// namespace sees a host when one of the host's ServiceEntries is exported to it (its
    /// `exportTo`, else `defaults`: `*` everywhere, `.` its own namespace, `~` nowhere, else the
    /// namespaces named), as [`super::istio::exported`] decides for one pair.
    pub(crate) fn new(
        plan: &'a Plan,
        routing: &Routing,
        defaults: &[String],
        registry_only: bool,
        namespaces: &'a BTreeMap<String, String>,
    ) -> Views<'a> {
        let tenant = |ns: &str| namespaces.get_key_value(ns).map(|(k, _)| k.as_str());
        let seen: Vec<Option<BTreeSet<&'a str>>> = plan
            .egress_hosts
            .iter()
            .map(|host| {
                if !registry_only {
                    return None;
                }
                let mut seen: BTreeSet<&'a str> = host.places.keys().filter_map(|ns| tenant(ns)).collect();
                for se in routing.service_entries_naming(&host.host) {
                    let list = if se.export_to.is_empty() { defaults } else { &se.export_to };
                    for e in list {
                        let named = match e.as_str() {
                            "*" => return None,
                            "~" => None,
                            "." => tenant(&se.namespace),
                            ns => tenant(ns),
                        };
                        seen.extend(named);
                    }
                }
                Some(seen)
            })
            .collect();
        let mut by_namespace: BTreeMap<&'a str, Vec<usize>> = BTreeMap::new();
        for (i, seen) in seen.iter().enumerate() {
            match seen {
                Some(some) => some.iter().for_each(|ns| by_namespace.entry(ns).or_default().push(i)),
                None => namespaces.keys().for_each(|ns| by_namespace.entry(ns).or_default().push(i)),
            }
        }
        Views { hosts: &plan.egress_hosts, seen, by_namespace }
    }

    /// The hosts `namespace` requested or sees, in the plan's order.
    pub(crate) fn hosts_of(&self, namespace: &str) -> impl Iterator<Item = &'a EgressHost> + '_ {
        self.by_namespace.get(namespace).into_iter().flatten().filter_map(|i| self.hosts.get(*i))
    }

    /// The hosts with, for each, the namespaces that requested it or see it (`None`: all).
    pub(crate) fn each(&self) -> impl Iterator<Item = (&'a EgressHost, Option<&BTreeSet<&'a str>>)> + '_ {
        self.hosts.iter().zip(&self.seen).map(|(host, seen)| (host, seen.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::istio::exported;

    /// The reading of one `exportTo` entry in [`super::Views::new`] is that of `exported`.
    #[test]
    fn an_export_list_names_the_namespaces_exported_decides() {
        let namespaces = ["shop", "blog", "mesh"];
        for list in [vec!["shop"], vec!["."], vec!["~"], vec!["*"], vec![".", "blog"], vec![]] {
            let list: Vec<String> = list.into_iter().map(str::to_string).collect();
            let defaults = vec!["blog".to_string()];
            for client in namespaces {
                let effective = if list.is_empty() { &defaults } else { &list };
                let named = effective.iter().any(|e| match e.as_str() {
                    "*" => true,
                    "~" => false,
                    "." => client == "mesh",
                    ns => ns == client,
                });
                assert_eq!(named, exported(&list, &defaults, "mesh", client), "{list:?} {client}");
            }
        }
    }
}
