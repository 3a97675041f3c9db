//! The labels of every namespace: what the caller knows of them and `Namespace` objects →
//! [`Namespaces`], each with its `kubernetes.io/metadata.name` label, as namespace selectors read
//! them (kubernetes/website `content/en/docs/concepts/services-networking/network-policies.md`
//! "Targeting a Namespace by its name").

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::Value;

use crate::flows::selector::{Labels, labels_of};

/// The label every namespace carries with its own name (kubernetes/website network-policies.md
/// "Targeting a Namespace by its name"; kubernetes/api `core/v1/well_known_labels.go`
/// `LabelMetadataName`, present from v0.21.0).
pub const METADATA_NAME: &str = "kubernetes.io/metadata.name";

/// The labels of every namespace: what the caller knows, plus `kubernetes.io/metadata.name`.
#[derive(Debug, Clone, Default)]
pub struct Namespaces {
    labels: BTreeMap<String, Labels>,
}

impl Namespaces {
    pub fn new() -> Namespaces {
        Namespaces::default()
    }

    /// Adds labels to a namespace (later additions win per key; the name label is fixed).
    pub fn add(&mut self, namespace: &str, labels: &Labels) {
        let entry = self.labels.entry(namespace.to_string()).or_default();
        for (k, v) in labels {
            entry.insert(k.clone(), v.clone());
        }
        entry.insert(METADATA_NAME.to_string(), namespace.to_string());
    }

    /// Adds the labels of a `Namespace` object.
    pub fn add_object(&mut self, value: &Value) {
        let Some(name) = value.get("metadata").and_then(|m| m.get("name")).and_then(Value::as_str) else { return };
        let labels = value.get("metadata").and_then(|m| m.get("labels")).and_then(labels_of).unwrap_or_default();
        self.add(name, &labels);
    }

    pub fn labels(&self, namespace: &str) -> Cow<'_, Labels> {
        match self.labels.get(namespace) {
            Some(labels) => Cow::Borrowed(labels),
            None => Cow::Owned(Labels::from([(METADATA_NAME.to_string(), namespace.to_string())])),
        }
    }
}
