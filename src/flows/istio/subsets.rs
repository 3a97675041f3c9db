//! DestinationRule lookup: a proxy's namespace, a host and a subset → whether the proxy can route
//! to the subset, and the rules that define or hide it ([`SubsetLookup`]).
//!
//! Source: for a proxy in namespace P and a host of namespace S, P's own rules, else rules of S
//! exported to P, else rules of the root namespace exported to P (istio/istio @1.24.3
//! `pilot/pkg/model/push_context.go` `destinationRule`, `setDestinationRules`,
//! `getExportedDestinationRuleFromNamespace`); from 1.24 a matched host returns its visible list,
//! even when empty.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::ObjectRef;
use super::destination_rule::{Buckets, Consolidated, merge};
use super::hosts::lookup_keys;
use super::routing::Routing;
use crate::flows::context::IstioVersion;

/// Whether a proxy can route to a subset of a host, and the rules that decide it.
#[derive(Debug, Clone, Default)]
pub struct SubsetLookup {
    pub found: bool,
    /// Found: the rule that defines the subset for the proxy. Missing: the rules that define it
    /// elsewhere and the rules whose `exportTo` hides them.
    pub decided_by: Vec<ObjectRef>,
    /// Some rule defines the subset, the proxy just does not see it.
    pub hidden: bool,
}

impl Routing {
    /// The namespace a host belongs to for DestinationRule lookup: a Service's, or the oldest
    /// visible ServiceEntry's.
    fn host_namespace(&self, client: &str, host: &str, defaults: &[String]) -> Option<String> {
        if let Some((r, _)) = self.service(host) {
            return r.namespace.clone();
        }
        let parts: Vec<&str> = host.split('.').collect();
        if parts.len() >= 4 && parts.get(2) == Some(&"svc") {
            return parts.get(1).map(|s| s.to_string());
        }
        self.service_entries(client, host, defaults).first().map(|s| s.namespace.clone())
    }

    /// A namespace's consolidated rules for `host` (computed once per namespace and host).
    fn buckets(&self, namespace: &str, host: &str, version: IstioVersion, defaults: &[String]) -> Arc<Buckets> {
        let private_default = defaults.iter().any(|d| d == ".");
        // The most specific host match among the namespace's rules.
        let found = self
            .dr_by_namespace
            .get(namespace)
            .and_then(|hosts| lookup_keys(host).into_iter().find_map(|k| hosts.get(&k).map(|list| (k, list))));
        let Some((key, indexes)) = found else { return Arc::new(Buckets::default()) };
        let merges = version.merges_destination_rules_by_host();
        let cache_key = (namespace.to_string(), key, merges, private_default);
        if let Some(hit) = self.buckets.lock().ok().and_then(|c| c.get(&cache_key).cloned()) {
            return hit;
        }
        let mut buckets = Buckets::default();
        for i in indexes {
            let Some(dr) = self.destination_rules.get(*i) else { continue };
            let export_to: BTreeSet<String> = if dr.workload_selector {
                BTreeSet::from([".".to_string()])
            } else {
                dr.export_to.iter().cloned().collect()
            };
            if export_to.is_empty()
                || export_to.contains("*")
                || export_to.contains(".")
                || export_to.contains(namespace)
            {
                merge(&mut buckets.local, *i, dr, &export_to, merges);
            }
            let private_only = (export_to.is_empty() && private_default)
                || (export_to.len() == 1 && (export_to.contains(".") || export_to.contains(namespace)));
            if !private_only {
                merge(&mut buckets.exported, *i, dr, &export_to, merges);
            }
        }
        for (e, entry) in buckets.exported.iter().enumerate() {
            for subset in entry.subsets.keys() {
                buckets.exported_by_subset.entry(subset.clone()).or_default().push(e);
            }
            if entry.export_to.is_empty() || entry.export_to.contains("*") {
                buckets.exported_public.push(e);
            } else {
                for ns in &entry.export_to {
                    buckets.exported_to.entry(ns.clone()).or_default().push(e);
                }
            }
        }
        let buckets = Arc::new(buckets);
        if let Ok(mut cache) = self.buckets.lock() {
            cache.insert(cache_key, buckets.clone());
        }
        buckets
    }

    fn rule(&self, index: usize) -> Option<ObjectRef> {
        self.destination_rules.get(index).map(|d| d.reference.clone())
    }

    /// Whether a proxy in `client` can route to `subset` of `host`.
    pub fn subset(
        &self,
        client: &str,
        host: &str,
        subset: &str,
        root: &str,
        version: IstioVersion,
        defaults: &[String],
    ) -> SubsetLookup {
        let host = host.to_ascii_lowercase();
        let found_in = |entries: &mut dyn Iterator<Item = &Consolidated>| {
            for entry in entries {
                if let Some(i) = entry.subsets.get(subset) {
                    return Some(SubsetLookup {
                        found: true,
                        decided_by: self.rule(*i).into_iter().collect(),
                        hidden: false,
                    });
                }
            }
            None
        };
        // The owners' buckets looked at, for the rules that hide the subset when it is missing.
        let mut examined: Vec<Arc<Buckets>> = Vec::new();
        let mut chosen: Option<Option<SubsetLookup>> = None;
        // 1. The proxy's own namespace.
        let own = self.buckets(client, &host, version, defaults);
        if !own.local.is_empty() {
            chosen = Some(found_in(&mut own.local.iter()));
        }
        // 2. The host's namespace, 3. the root namespace: rules exported to the proxy.
        if chosen.is_none() {
            let mut owners = Vec::new();
            if let Some(ns) = self.host_namespace(client, &host, defaults) {
                owners.push(ns);
            }
            owners.push(root.to_string());
            for owner in owners {
                let buckets = self.buckets(&owner, &host, version, defaults);
                if buckets.exported.is_empty() {
                    continue;
                }
                examined.push(buckets.clone());
                let mut visible = buckets.visible_exported(client).peekable();
                if visible.peek().is_some() || !version.merges_destination_rules_by_host() {
                    // From 1.24 a matched host returns its (possibly empty) visible list.
                    chosen = Some(found_in(&mut visible));
                    break;
                }
            }
        }
        if let Some(Some(found)) = chosen {
            return found;
        }
        // Entries that hold the subset but are not exported to the proxy hide it.
        let mut hiders: Vec<ObjectRef> = Vec::new();
        for buckets in &examined {
            for e in buckets.exported_by_subset.get(subset).into_iter().flatten() {
                if let Some(entry) = buckets.exported.get(*e).filter(|entry| !entry.visible_to(client)) {
                    hiders.extend(self.rule(entry.export_from));
                }
            }
        }
        let defining: Vec<ObjectRef> = lookup_keys(&host)
            .iter()
            .flat_map(|k| self.dr_by_subset.get(&(k.clone(), subset.to_string())).into_iter().flatten())
            .filter_map(|i| self.rule(*i))
            .collect();
        let hidden = !defining.is_empty();
        let mut decided_by = hiders;
        for r in defining {
            if !decided_by.contains(&r) {
                decided_by.push(r);
            }
        }
        SubsetLookup { found: false, decided_by, hidden }
    }
}
