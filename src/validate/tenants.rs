//! Tenants: their namespaces, each owned once and a DNS label, and the namespace of a request.

use std::collections::BTreeMap;

use crate::diagnostic::{Explain, Location};
use crate::merge::Request;
use crate::plan::TenantPlan;
use crate::validate::error::RequestError;
use crate::validate::ownership::namespace_location;
use crate::validate::scope::Checker;
use crate::values::is_dns_label;

/// The tenants of the plan, their namespaces checked.
pub(crate) fn plans(c: &mut Checker) -> BTreeMap<String, TenantPlan> {
    let tenants: BTreeMap<String, TenantPlan> = c
        .merged
        .tenants
        .values()
        .map(|t| {
            (
                t.name.clone(),
                TenantPlan { name: t.name.clone(), namespaces: t.namespaces.clone(), sources: t.sources() },
            )
        })
        .collect();
    check_tenant_namespaces(c, &tenants);
    tenants
}

fn check_tenant_namespaces(c: &mut Checker, tenants: &BTreeMap<String, TenantPlan>) {
    // Namespace → the tenant that listed it first, and at which index.
    let mut owners: BTreeMap<&str, (&str, usize)> = BTreeMap::new();
    // An excluded tenant keeps its namespaces: nobody else may take them over here.
    let merged = c.merged;
    let mut excluded_owners: BTreeMap<&str, &str> = BTreeMap::new();
    for tenant in merged.excluded_tenants.values() {
        for namespace in &tenant.namespaces {
            excluded_owners.entry(namespace).or_insert(&tenant.name);
        }
    }
    for tenant in tenants.values() {
        for (index, namespace) in tenant.namespaces.iter().enumerate() {
            let merged = c.merged;
            let at = || {
                let doc = merged.tenants.get(&tenant.name).and_then(|t| t.docs.last());
                doc.map(|d| d.location(&format!("/spec/namespaces/{index}")))
                    .unwrap_or_else(|| Location::file(format!("tenants/{}", tenant.name)))
            };
            // A namespace named after a directory that is no DNS label is E442 already.
            let from_directory = namespace == &tenant.name;
            if !is_dns_label(namespace) && !from_directory {
                c.push(RequestError::NotANamespace { namespace: namespace.clone() }, at());
            }
            if let Some(excluded) = excluded_owners.get(namespace.as_str()) {
                let listed = merged.excluded_tenants.get(*excluded).and_then(|t| {
                    let index = t.namespaces.iter().position(|n| n == namespace)?;
                    Some(namespace_location(t, index))
                });
                let mut d = RequestError::NamespaceOwnedTwice {
                    namespace: namespace.clone(),
                    first: excluded.to_string(),
                    second: tenant.name.clone(),
                }
                .at(at());
                if let Some(listed) = listed {
                    d = d.note(listed, format!("listed by tenant `{excluded}` here"));
                }
                c.diagnostics.push(d.note(
                    merged.settings_location("/tenants/exclude"),
                    format!("tenant `{excluded}` is excluded here and keeps its namespaces"),
                ));
                continue;
            }
            if let Some((other, other_index)) = owners.get(namespace.as_str()).copied() {
                let mut d = RequestError::NamespaceOwnedTwice {
                    namespace: namespace.clone(),
                    first: other.to_string(),
                    second: tenant.name.clone(),
                }
                .at(at());
                if let Some(first) = merged.tenants.get(other).filter(|_| other != tenant.name) {
                    d = d.note(namespace_location(first, other_index), format!("listed by tenant `{other}` here"));
                }
                c.diagnostics.push(d);
            } else {
                owners.insert(namespace, (&tenant.name, index));
            }
        }
    }
}

pub(crate) fn request_namespace(c: &mut Checker, request: &Request, owned: &[String]) -> String {
    let namespace = request.namespace.clone().or_else(|| owned.first().cloned()).unwrap_or_default();
    if !owned.contains(&namespace) {
        c.push(
            RequestError::NamespaceNotOwned {
                request: request.name.clone(),
                tenant: request.tenant.clone(),
                namespace: namespace.clone(),
                owned: owned.join(", "),
            },
            request.location("/metadata/namespace"),
        );
    }
    namespace
}
