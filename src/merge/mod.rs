//! Merge: the layers of an environment → one set of settings, tenants, requests, resources and
//! patches.
//!
//! One rule merges settings and same-named requests across layers (§2.2): maps merge key by key,
//! a list whose items all have a `name` merges item by item on `name`, any other list is
//! replaced, `null` removes a key. Tenants are the directories under `tenants/`; a later layer's
//! `tenant.yaml` overlays an earlier one. `settings.tenants.exclude` drops a tenant here.
//! Nothing is validated against the rules yet; that is the next stage's job.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

mod error;
mod patches;
mod tenants;
mod value;

use crate::diagnostic::{Diagnostics, Explain, Location};
use crate::input::{API_VERSION, EdgeRequestDoc, LayerKind, LayerPatch, Settings};
use crate::layers::{Layer, TenantDocument};
use crate::load::{self, Document};

pub use error::MergeError;
use patches::collect_patch;
use tenants::{Overlays, merge_tenant_docs};
use value::{merge_value, touched_paths};

/// A request after merging its layers.
#[derive(Debug, Clone)]
pub struct Request {
    pub tenant: String,
    pub name: String,
    /// `metadata.namespace`, if any layer set it.
    pub namespace: Option<String>,
    pub doc: EdgeRequestDoc,
    /// The documents that make it up, in layer order (their values released: see
    /// [`crate::layers::TenantDocument`]).
    pub docs: Vec<Document>,
}

impl Request {
    /// Where the value at `pointer` was last written.
    pub fn location(&self, pointer: &str) -> Location {
        let doc = self.docs.iter().rev().find(|d| d.writes(pointer)).or(self.docs.last());
        match doc {
            Some(doc) => doc.location(pointer),
            None => Location::file(""),
        }
    }

    pub fn sources(&self) -> BTreeSet<String> {
        self.docs.iter().map(|d| d.file.clone()).collect()
    }
}

#[derive(Debug, Clone, Default)]
pub struct Tenant {
    pub name: String,
    /// `spec.namespaces`, or the tenant's name.
    pub namespaces: Vec<String>,
    pub docs: Vec<Document>,
    pub requests: BTreeMap<String, Request>,
}

impl Tenant {
    pub(crate) fn sources(&self) -> BTreeSet<String> {
        self.docs.iter().map(|d| d.file.clone()).collect()
    }
}

/// Everything an environment is made of, merged.
#[derive(Debug, Clone)]
pub struct Merged {
    pub environment: String,
    pub environment_dir: String,
    pub settings: Settings,
    /// Settings path (`ingress.gateways.public`) → the layer manifests that set it.
    pub provenance: BTreeMap<String, BTreeSet<String>>,
    /// Layer manifests with their settings, for locating settings values.
    pub manifests: Vec<Document>,
    pub tenants: BTreeMap<String, Tenant>,
    pub excluded: BTreeSet<String>,
    /// The tenants `settings.tenants.exclude` drops here, merged: nothing of theirs is built,
    /// but their namespaces and the secrets their requests name stay theirs.
    pub excluded_tenants: BTreeMap<String, Tenant>,
    pub resources: Vec<Document>,
    pub patches: Vec<LayerPatch>,
}

impl Merged {
    /// The layer manifests that set a settings path.
    pub fn sources_of(&self, path: &str) -> BTreeSet<String> {
        self.provenance.get(path).cloned().unwrap_or_default()
    }

    /// Where a settings value was last written; `path` is a pointer below `settings`, named items
    /// addressed by name (`/ingress/gateways/public/domain`).
    pub fn settings_location(&self, path: &str) -> Location {
        for manifest in self.manifests.iter().rev() {
            if let Some(pointer) = resolve_named(&manifest.value, &format!("/settings{path}")) {
                return manifest.location(&pointer);
            }
        }
        match self.manifests.last() {
            Some(m) => m.location("/settings"),
            None => Location::file(""),
        }
    }
}

/// Turns a pointer with names in place of list indexes into a real pointer, if it exists.
fn resolve_named(value: &Value, path: &str) -> Option<String> {
    let mut current = value;
    let mut pointer = String::new();
    for part in path.split('/').skip(1) {
        match current {
            Value::Object(map) => {
                current = map.get(part)?;
                pointer.push('/');
                pointer.push_str(part);
            }
            Value::Array(items) => {
                let index = items.iter().position(|i| i.get("name").and_then(Value::as_str) == Some(part))?;
                current = &items[index];
                pointer.push_str(&format!("/{index}"));
            }
            _ => return None,
        }
    }
    Some(pointer)
}

/// Merges the layers (in application order) of one environment.
pub fn merge(layers: Vec<Layer>, patch_files: &BTreeMap<String, Vec<Document>>) -> Result<Merged, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let mut settings_value = Value::Object(Default::default());
    let mut provenance: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut manifests = Vec::new();
    for layer in &layers {
        if let Some(fragment) = layer.manifest.value.get("settings") {
            merge_value(&mut settings_value, fragment);
            for path in touched_paths(fragment) {
                provenance.entry(path).or_default().insert(layer.inputs.manifest.clone());
            }
        }
        manifests.push(layer.manifest.clone());
    }
    let settings: Settings = match load::typed_value(&settings_value) {
        Ok(settings) => settings,
        Err((pointer, error)) => {
            // Each fragment was valid on its own; only a merge can produce this.
            let location =
                layers.last().map(|l| l.manifest.location("/settings")).unwrap_or_else(|| Location::file(""));
            return Err(MergeError::Settings { message: error.plain().to_string(), pointer }.at(location).into());
        }
    };
    let excluded: BTreeSet<String> =
        settings.tenants.iter().flat_map(|t| t.exclude.iter().flatten()).map(ToString::to_string).collect();

    // An excluded tenant that the environment itself adds to is a mistake worth stopping for.
    if let Some(env) = layers.iter().rev().find(|l| l.spec.kind == LayerKind::Environment) {
        for name in &excluded {
            if let Some(doc) = env.tenants.get(name).and_then(|docs| docs.first()) {
                diagnostics.push(
                    MergeError::ExcludedButAdded { tenant: name.clone() }
                        .at(doc.doc.location("/metadata/name"))
                        .note(settings_location_in(&manifests, "/tenants/exclude"), "excluded here"),
                );
            }
        }
    }
    let (environment, environment_dir) =
        layers.last().map(|l| (l.spec.metadata.name.to_string(), l.inputs.dir.clone())).unwrap_or_default();

    // Per tenant, its documents layer by layer.
    let mut by_tenant: BTreeMap<String, Vec<Vec<TenantDocument>>> = BTreeMap::new();
    let mut resources = Vec::new();
    let mut patches = Vec::new();
    for layer in layers {
        for (index, spec) in layer.spec.patches.iter().enumerate() {
            let pointer = format!("/patches/{index}");
            let name = format!("{}#patches[{index}]", layer.inputs.manifest);
            collect_patch(&layer, spec, name, &pointer, patch_files, &mut patches, &mut diagnostics);
        }
        for doc in layer.resources {
            check_plain_resource(&doc, &mut diagnostics);
            resources.push(doc);
        }
        for (tenant_name, docs) in layer.tenants {
            by_tenant.entry(tenant_name).or_default().push(docs);
        }
    }
    // Tenants merge independently of each other: on every core.
    let merged = crate::parallel::map_owned(by_tenant.into_iter().collect(), |(name, layers)| {
        let mut tenant = Tenant { name: name.clone(), namespaces: vec![name], ..Tenant::default() };
        let mut diagnostics = Diagnostics::new();
        let mut overlays = Overlays::read(&layers);
        for (layer, docs) in layers.into_iter().enumerate() {
            merge_tenant_docs(&mut tenant, layer, docs, &mut overlays, &mut diagnostics);
        }
        (tenant, diagnostics)
    });
    let mut tenants: BTreeMap<String, Tenant> = BTreeMap::new();
    for (tenant, found) in merged {
        diagnostics.extend(found);
        tenants.insert(tenant.name.clone(), tenant);
    }
    let mut excluded_tenants: BTreeMap<String, Tenant> = BTreeMap::new();
    for name in &excluded {
        if let Some(tenant) = tenants.remove(name) {
            excluded_tenants.insert(name.clone(), tenant);
        } else {
            diagnostics.push(
                MergeError::ExcludedUnknown { tenant: name.clone() }
                    .at(settings_location_in(&manifests, "/tenants/exclude")),
            );
        }
    }

    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    Ok(Merged {
        environment,
        environment_dir,
        settings,
        provenance,
        manifests,
        tenants,
        excluded,
        excluded_tenants,
        resources,
        patches,
    })
}

fn settings_location_in(manifests: &[Document], path: &str) -> Location {
    for manifest in manifests.iter().rev() {
        if let Some(pointer) = resolve_named(&manifest.value, &format!("/settings{path}")) {
            return manifest.location(&pointer);
        }
    }
    Location::file("")
}

fn check_plain_resource(doc: &Document, diagnostics: &mut Diagnostics) {
    let (api_version, kind) = doc.api_kind();
    // A `v1 List` carries its objects in `items` and needs no name (`kubectl get -o yaml` writes none).
    let list = api_version.zip(kind).is_some_and(|(api_version, kind)| crate::platform::is_list(api_version, kind));
    let name = doc.str_at("/metadata/name").or(list.then_some("List"));
    if api_version.is_none() || kind.is_none() || name.is_none() {
        let fields =
            [("apiVersion", api_version.is_none()), ("kind", kind.is_none()), ("metadata.name", name.is_none())];
        let missing = fields.into_iter().filter(|(_, absent)| *absent).map(|(field, _)| field).collect();
        diagnostics.push(MergeError::ResourceIncomplete { missing }.at(doc.location("")));
    } else if api_version == Some(API_VERSION) {
        let kind = kind.unwrap_or_default().to_string();
        diagnostics.push(MergeError::ResourceIsMeshedge { kind }.at(doc.location("/kind")));
    }
}

#[cfg(test)]
mod tests;
