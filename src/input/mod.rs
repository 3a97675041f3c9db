//! Typed input documents (`apiVersion: meshedge.io/v1alpha1`).
//!
//! Every struct denies unknown fields: a typo is an error at its line, never silently dropped.
//! Every field has a type that holds only valid values ([`crate::values`]): a wrong value is an
//! error at its line when the document is read, never copied into the output. Settings and
//! request fields are optional here because a later layer may overlay a part of an earlier
//! one; what is required after merging is checked by the validate stage.
//!
//! The doc comments of these types and fields are also the descriptions of the JSON Schema that
//! editors use ([`crate::input_schema`]): they say what a field holds, its default and where the
//! rule comes from, for the user who writes the document.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod check;
mod egress;
mod extensions;
mod federation;
mod ingress;
mod mesh;
mod patch;
mod request;
pub(crate) mod schema_parts;
mod settings;
mod tenant;
#[cfg(test)]
mod tests;

pub use check::{CheckSettings, SuppressSetting};
pub use egress::*;
pub use extensions::*;
pub use federation::*;
pub use ingress::*;
pub use mesh::*;
#[cfg(test)]
pub(crate) use patch::parse_operations;
pub use patch::{LayerPatch, PatchSpec, PatchTarget};
pub use request::*;
pub use settings::{AdmissionMode, EgressFirewallMode, Settings};
pub use tenant::*;

use crate::values::{
    AnnotationKey, ControlPlaneName, Count, DomainName, Duration, EgressIp, ExternalHost, GatewayName, HeaderName,
    HostPattern, HttpsUrl, IssuerUrl, LabelKey, LabelValue, Namespace, ObjectName, PathPrefix, Percent, Period, Port,
    RequestHost, SecretKey, SecretName, ServiceName, ServiceRef, SlaClassName, TenantName, Text, Uint32,
};

pub(crate) const API_VERSION: &str = "meshedge.io/v1alpha1";

/// Labels: Kubernetes label keys and values.
pub type LabelMap = BTreeMap<LabelKey, LabelValue>;

/// `metadata` of a layer (`N` = [`ObjectName`]) or a Tenant (`N` = [`TenantName`]).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Metadata_of_{N}")]
#[schemars(description = "The document's metadata: its name, and labels and annotations for your own tooling.")]
pub struct Metadata<N> {
    /// The document's name: a layer's names it in messages and reports; a Tenant's must equal
    /// its directory name under `tenants/`.
    pub name: N,
    /// Labels for your own tooling, in Kubernetes label syntax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<crate::input::schema_parts::Labels>")]
    pub labels: Option<LabelMap>,
    /// Annotations for your own tooling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<crate::input::schema_parts::Annotations>")]
    pub annotations: Option<BTreeMap<AnnotationKey, String>>,
}

/// `metadata` of an EdgeRequest: its name (used in messages only; a Kubernetes object name)
/// and the namespace of its services.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestMetadata {
    /// The request's name, unique per tenant. The same name in a later layer (same tenant
    /// directory) overlays this request with the merge rule.
    pub name: ObjectName,
    /// The namespace of the request's services; one of the tenant's namespaces. Default: the
    /// tenant's first namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Namespace>,
    /// Labels for your own tooling, in Kubernetes label syntax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<crate::input::schema_parts::Labels>")]
    pub labels: Option<LabelMap>,
    /// Annotations for your own tooling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<crate::input::schema_parts::Annotations>")]
    pub annotations: Option<BTreeMap<AnnotationKey, String>>,
}

/// The kind of a layer manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum LayerKind {
    /// A building block (`base/`, a region, a shared profile), used only as a base.
    Layer,
    /// A buildable environment.
    Environment,
}

/// `meshedge.yaml`: a layer, or a buildable environment.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LayerDoc {
    /// `meshedge.io/v1alpha1`.
    #[schemars(extend("const" = API_VERSION))]
    pub api_version: String,
    /// `Environment` is buildable; `Layer` is only used as a base.
    pub kind: LayerKind,
    /// `name` names the layer or environment in messages and reports.
    pub metadata: Metadata<ObjectName>,
    /// Other layers, as paths relative to this layer's directory, applied before this layer, in
    /// order, depth first. A layer reached twice is applied once, at its first position; a cycle
    /// is an error. No path may leave the repository root.
    #[serde(default)]
    pub bases: Vec<String>,
    /// Settings, deep-merged over the bases' settings: maps merge key by key, lists of items
    /// with `name` merge item by item, other lists are replaced, `null` removes a key.
    #[serde(default)]
    #[schemars(extend("default" = {}))]
    pub settings: Option<Settings>,
    /// Patches applied to the environment's built objects (generated and plain), after all
    /// bases' patches, in order.
    #[serde(default)]
    pub patches: Vec<PatchSpec>,
}
