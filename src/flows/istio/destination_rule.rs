//! DestinationRules: a DestinationRule object → its host, subsets and `exportTo`; the rules of one
//! host in one namespace → their consolidated entries ([`Buckets`]), merged as the Istio version
//! does.
//!
//! Sources: rules for one host in one namespace are merged (subsets joined, the oldest rule's
//! `exportTo` kept) up to Istio 1.23 (istio/istio `pilot/pkg/model/destination_rule.go`
//! `mergeDestinationRule` @1.18.7); from 1.24 only rules with equal `exportTo` merge, a superset
//! also merges into the smaller one, the others stay apart (same function @1.24.3,
//! `ENABLE_ENHANCED_DESTINATIONRULE_MERGE`); a rule with a `workloadSelector` is private to its
//! namespace.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::ObjectRef;
use super::fields::strings;

/// A parsed DestinationRule.
#[derive(Debug, Clone)]
pub struct DestinationRule {
    pub reference: ObjectRef,
    pub namespace: String,
    pub host: String,
    pub subsets: Vec<String>,
    pub export_to: Vec<String>,
    pub workload_selector: bool,
}

impl DestinationRule {
    pub fn parse(reference: ObjectRef, value: &Value) -> DestinationRule {
        let spec = value.get("spec").unwrap_or(&Value::Null);
        let namespace = reference.namespace.clone().unwrap_or_default();
        let host = spec.get("host").and_then(Value::as_str).unwrap_or_default();
        let host = if host.contains('.') || host.contains('*') {
            host.to_string()
        } else {
            format!("{host}.{namespace}.svc.cluster.local")
        };
        DestinationRule {
            subsets: spec
                .get("subsets")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|s| s.get("name").and_then(Value::as_str).map(str::to_string))
                .collect(),
            export_to: strings(spec.get("exportTo")),
            workload_selector: spec.get("workloadSelector").is_some_and(|v| !v.is_null()),
            host: host.to_ascii_lowercase(),
            namespace,
            reference,
        }
    }
}

/// DestinationRules of one host in one namespace's bucket, merged as the Istio version does.
#[derive(Debug, Clone)]
pub(super) struct Consolidated {
    pub(super) export_to: BTreeSet<String>,
    /// The rule whose `exportTo` the entry carries (index into the rules).
    pub(super) export_from: usize,
    /// Subset name → the rule that contributes it (the first; later duplicates are dropped).
    pub(super) subsets: BTreeMap<String, usize>,
}

impl Consolidated {
    pub(super) fn visible_to(&self, client: &str) -> bool {
        self.export_to.is_empty() || self.export_to.contains("*") || self.export_to.contains(client)
    }
}

/// A namespace's rules for one host: those its own proxies use, and those it exports, with
/// the exported entries indexed by the namespaces they reach.
#[derive(Debug, Clone, Default)]
pub(super) struct Buckets {
    pub(super) local: Vec<Consolidated>,
    pub(super) exported: Vec<Consolidated>,
    /// Exported entries visible everywhere.
    pub(super) exported_public: Vec<usize>,
    /// Exported entries by the namespaces they list.
    pub(super) exported_to: BTreeMap<String, Vec<usize>>,
    /// Exported entries by the subsets they hold.
    pub(super) exported_by_subset: BTreeMap<String, Vec<usize>>,
}

impl Buckets {
    pub(super) fn visible_exported(&self, client: &str) -> impl Iterator<Item = &Consolidated> {
        let mut indexes: Vec<usize> = self.exported_public.clone();
        indexes.extend(self.exported_to.get(client).into_iter().flatten().copied());
        indexes.sort_unstable();
        indexes.dedup();
        indexes.into_iter().filter_map(|i| self.exported.get(i))
    }
}

/// Adds a rule to a bucket as the Istio version merges rules of one host.
pub(super) fn merge(
    bucket: &mut Vec<Consolidated>,
    index: usize,
    dr: &DestinationRule,
    export_to: &BTreeSet<String>,
    merges: bool,
) {
    let add_subsets = |entry: &mut Consolidated| {
        for s in &dr.subsets {
            entry.subsets.entry(s.clone()).or_insert(index);
        }
    };
    let fresh = || Consolidated {
        export_to: export_to.clone(),
        export_from: index,
        subsets: dr.subsets.iter().map(|s| (s.clone(), index)).collect(),
    };
    if merges {
        match bucket.first_mut() {
            Some(existing) => {
                add_subsets(existing);
                if existing.export_to.is_empty() && !export_to.is_empty() {
                    existing.export_to = export_to.clone();
                    existing.export_from = index;
                }
            }
            None => bucket.push(fresh()),
        }
        return;
    }
    let mut separately = true;
    for existing in bucket.iter_mut() {
        if *export_to == existing.export_to {
            separately = false;
        } else if !existing.export_to.is_empty() && export_to.is_superset(&existing.export_to) {
            separately = true;
        } else {
            continue;
        }
        add_subsets(existing);
    }
    if separately {
        bucket.push(fresh());
    }
}
