//! Resources: the objects of a build in the generic value form, with their provenance.
//!
//! A [`Resource`] is a Kubernetes object (`serde_json::Value`) plus the input files it came from
//! and the tenant it belongs to: the form an object has while it is being finished (stamped,
//! patched, analysed, rendered). [`stamp`] writes the managed-by label, the tenant label (`kubectl get -l
//! meshedge.io/tenant=shop` selects a tenant's objects) and the source annotation before patches
//! run, so patches may rely on `metadata.labels` and `metadata.annotations` and change them.

use serde_json::{Map, Value};

use crate::diagnostic::{ResourceRef, Start};

pub(crate) const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
pub(crate) const SOURCE_ANNOTATION: &str = "meshedge.io/source";
pub(crate) const TENANT_LABEL: &str = "meshedge.io/tenant";

#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub value: Value,
    /// The input files it came from, sorted.
    pub sources: Vec<String>,
    pub tenant: Option<String>,
    /// Where a plain object's document starts in its file (`sources[0]`); `None` for the
    /// objects generation makes.
    pub start: Option<Start>,
}

impl Resource {
    pub fn new(value: Value, sources: Vec<String>, tenant: Option<String>) -> Self {
        Resource { value, sources, tenant, start: None }
    }

    pub fn api_version(&self) -> &str {
        self.value.get("apiVersion").and_then(Value::as_str).unwrap_or_default()
    }

    pub fn kind(&self) -> &str {
        self.value.get("kind").and_then(Value::as_str).unwrap_or_default()
    }

    fn metadata(&self, field: &str) -> Option<&Value> {
        self.value.get("metadata").and_then(|m| m.get(field))
    }

    pub fn name(&self) -> &str {
        self.metadata("name").and_then(Value::as_str).unwrap_or_default()
    }

    pub fn namespace(&self) -> Option<&str> {
        self.metadata("namespace").and_then(Value::as_str).filter(|s| !s.is_empty())
    }

    /// (group, version); the core group is `""`.
    pub fn group_version(&self) -> (&str, &str) {
        split_api_version(self.api_version())
    }

    pub fn labels(&self) -> Option<&Map<String, Value>> {
        self.metadata("labels").and_then(Value::as_object)
    }

    pub fn annotations(&self) -> Option<&Map<String, Value>> {
        self.metadata("annotations").and_then(Value::as_object)
    }

    pub fn reference(&self) -> ResourceRef {
        ResourceRef {
            api_version: self.api_version().to_string(),
            kind: self.kind().to_string(),
            namespace: self.namespace().map(str::to_string),
            name: self.name().to_string(),
        }
    }

    /// `Kind/namespace/name`, or `Kind/name` for cluster objects.
    pub fn display(&self) -> String {
        self.reference().to_string()
    }
}

pub(crate) fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.rsplit_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    }
}

/// The managed-by and tenant labels, and the source annotation.
pub(crate) fn stamp(resource: &mut Resource) {
    let Some(metadata) = resource.value.get_mut("metadata").and_then(Value::as_object_mut) else { return };
    let labels = metadata.entry("labels").or_insert_with(|| Value::Object(Map::new()));
    if let Some(labels) = labels.as_object_mut() {
        labels.insert(MANAGED_BY.into(), Value::String("meshedge".into()));
        if let Some(tenant) = &resource.tenant {
            labels.insert(TENANT_LABEL.into(), Value::String(tenant.clone()));
        }
    }
    let annotations = metadata.entry("annotations").or_insert_with(|| Value::Object(Map::new()));
    if let Some(annotations) = annotations.as_object_mut() {
        annotations.insert(SOURCE_ANNOTATION.into(), Value::String(source_list(&resource.sources)));
    }
}

/// The most bytes of file names the source annotation lists: 4 KiB, well under the 256 KiB
/// Kubernetes allows all annotations of an object together (see `render::limits`).
pub(crate) const SOURCE_ANNOTATION_BYTES: usize = 4096;

/// `sources` (sorted) joined with `,`, as many as fit in [`SOURCE_ANNOTATION_BYTES`], then
/// `,… and N more`: the same list always gives the same text.
fn source_list(sources: &[String]) -> String {
    let mut out = String::new();
    for (listed, source) in sources.iter().enumerate() {
        if !out.is_empty() && out.len() + 1 + source.len() > SOURCE_ANNOTATION_BYTES {
            out.push_str(&format!(",… and {} more", sources.len() - listed));
            break;
        }
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(source);
    }
    out
}

/// Sets one annotation.
pub(crate) fn annotate(resource: &mut Resource, key: &str, value: &str) {
    let Some(metadata) = resource.value.get_mut("metadata").and_then(Value::as_object_mut) else { return };
    let annotations = metadata.entry("annotations").or_insert_with(|| Value::Object(Map::new()));
    if let Some(annotations) = annotations.as_object_mut() {
        annotations.insert(key.into(), Value::String(value.into()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stamping_adds_label_and_sources() {
        let mut r = Resource::new(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "labels": {"a": "b"}}}),
            vec!["a.yaml".to_string(), "b.yaml".to_string()],
            Some("shop".into()),
        );
        stamp(&mut r);
        assert_eq!(r.value["metadata"]["labels"], json!({"a": "b", MANAGED_BY: "meshedge", TENANT_LABEL: "shop"}));
        assert_eq!(r.value["metadata"]["annotations"], json!({SOURCE_ANNOTATION: "a.yaml,b.yaml"}));
        assert_eq!(r.group_version(), ("", "v1"));
    }

    #[test]
    fn the_source_list_is_bounded() {
        let sources: Vec<String> = (0..2000).map(|i| format!("base/tenants/t{i:04}/{}.yaml", "x".repeat(60))).collect();
        let list = source_list(&sources);
        assert!(list.len() <= SOURCE_ANNOTATION_BYTES + 32, "{}", list.len());
        assert!(list.starts_with(&sources[0]) && list.ends_with(" more"), "{list}");
        let listed = list.matches(".yaml").count();
        assert!(list.ends_with(&format!(",… and {} more", 2000 - listed)), "{list}");
        assert_eq!(source_list(&sources[..2]), sources[..2].join(","));
    }
}
