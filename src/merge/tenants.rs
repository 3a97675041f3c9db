//! A tenant's documents merged layer by layer: `tenant.yaml` overlays, requests merged on their
//! name (the §2.2 rule), each layer's documents checked for duplicates.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use super::{Request, Tenant};
use crate::diagnostic::{Diagnostics, Explain, Location};
use crate::input::EdgeRequestDoc;
use crate::layers::{TenantDocument, TenantRead};
use crate::load::{self, Document};
use crate::merge::error::MergeError;
use crate::merge::value::merge_value;

/// The values of the requests that several layers of one tenant write, read again from their
/// texts (each file parsed once, whatever the number of its documents), and each such request's
/// value merged so far: merging a request's overlays is linear in their size.
#[derive(Default)]
pub(super) struct Overlays {
    /// (layer, position of the document in the layer) → its value.
    values: HashMap<(usize, usize), Value>,
    /// Request name → the value of its documents merged so far.
    merged: HashMap<String, Value>,
}

impl Overlays {
    pub(super) fn read(layers: &[Vec<TenantDocument>]) -> Overlays {
        // A request's documents: the first of its name in each layer (a second is refused).
        let mut by_name: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
        for (layer, docs) in layers.iter().enumerate() {
            let mut seen_here = BTreeSet::new();
            for (position, document) in docs.iter().enumerate() {
                if let TenantRead::Request(fragment) = &document.read {
                    if seen_here.insert(fragment.metadata.name.as_str()) {
                        by_name.entry(fragment.metadata.name.as_str()).or_default().push((layer, position));
                    }
                }
            }
        }
        let wanted: Vec<(usize, usize)> = by_name.into_values().filter(|places| places.len() > 1).flatten().collect();
        let docs: Vec<&Document> = wanted.iter().map(|&(layer, position)| &layers[layer][position].doc).collect();
        let values = wanted.into_iter().zip(load::reload_all(&docs)).collect();
        Overlays { values, merged: HashMap::new() }
    }

    fn take(&mut self, layer: usize, position: usize) -> Value {
        self.values.remove(&(layer, position)).unwrap_or_default()
    }
}

pub(super) fn merge_tenant_docs(
    tenant: &mut Tenant,
    layer: usize,
    docs: Vec<TenantDocument>,
    overlays: &mut Overlays,
    diagnostics: &mut Diagnostics,
) {
    let mut seen_here: BTreeSet<String> = BTreeSet::new();
    for (position, TenantDocument { doc, read }) in docs.into_iter().enumerate() {
        match read {
            TenantRead::Refused(d) => diagnostics.push(d),
            TenantRead::Tenant(spec) => {
                if spec.metadata.name.as_str() != tenant.name {
                    let error = MergeError::TenantElsewhere {
                        declared: spec.metadata.name.to_string(),
                        directory: tenant.name.clone(),
                    };
                    diagnostics.push(error.at(doc.location("/metadata/name")));
                    continue;
                }
                if let Some(namespaces) = spec.spec.namespaces {
                    if namespaces.is_empty() {
                        diagnostics.push(MergeError::NoNamespaces.at(doc.location("/spec/namespaces")));
                    } else {
                        tenant.namespaces = namespaces.into_iter().map(String::from).collect();
                    }
                }
                tenant.docs.push(doc);
            }
            TenantRead::Request(fragment) => {
                let name = fragment.metadata.name.to_string();
                if !seen_here.insert(name.clone()) {
                    // The first one is the request's latest document: it came from this layer.
                    let first = tenant.requests.get(&name).and_then(|r| r.docs.last());
                    let first = first.map(|d| d.location("/metadata/name")).unwrap_or_else(|| Location::file(""));
                    let error = MergeError::RequestTwice { request: name.clone(), tenant: tenant.name.clone() };
                    diagnostics.push(error.at(doc.location("/metadata/name")).note(first, "first defined here"));
                    continue;
                }
                match tenant.requests.get_mut(&name) {
                    Some(existing) => {
                        // Several layers write this request: the overlay onto what the earlier
                        // layers merged to (an overlay that makes it invalid is left out).
                        let mut merged = overlays.merged.get(&name).cloned().unwrap_or_default();
                        merge_value(&mut merged, &overlays.take(layer, position));
                        match load::typed_value::<EdgeRequestDoc>(&merged) {
                            Ok(merged_doc) => {
                                existing.namespace = merged_doc.metadata.namespace.as_ref().map(ToString::to_string);
                                existing.doc = merged_doc;
                                existing.docs.push(doc);
                                overlays.merged.insert(name, merged);
                            }
                            Err((pointer, error)) => {
                                let message = error.plain().to_string();
                                let error = MergeError::RequestAfterMerge { request: name.clone(), message };
                                diagnostics.push(error.at(doc.location(&pointer)))
                            }
                        }
                    }
                    None => {
                        let value = overlays.take(layer, position);
                        if !value.is_null() {
                            overlays.merged.insert(name.clone(), value);
                        }
                        tenant.requests.insert(
                            name.clone(),
                            Request {
                                tenant: tenant.name.clone(),
                                name,
                                namespace: fragment.metadata.namespace.as_ref().map(ToString::to_string),
                                doc: fragment,
                                docs: vec![doc],
                            },
                        );
                    }
                }
            }
        }
    }
}
