//! Typed builders for the Kubernetes and Istio objects meshedge emits.
//!
//! Each kind's body is a serde struct holding only the fields meshedge sets, spelled as in the
//! CRDs; [`Manifest`] wraps a body with `apiVersion`, `kind` and metadata and turns it into the
//! generic value form. Generation modules build objects only through these types.

mod envoy_filter;
mod federation;
mod mesh;
mod networking;
mod security;
mod wasm;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::input::{ConnectionPool, OutlierDetection};
use crate::values::Duration;

pub(crate) use envoy_filter::*;
pub(crate) use federation::*;
pub(crate) use mesh::*;
pub(crate) use networking::*;
pub(crate) use security::*;
pub(crate) use wasm::*;

pub type Labels = BTreeMap<String, String>;

/// The annotation external-dns reads the hosts of a LoadBalancer Service from.
pub(crate) const EXTERNAL_DNS_HOSTNAME: &str = "external-dns.alpha.kubernetes.io/hostname";

#[derive(Debug, Clone, Serialize, Default)]
pub struct ObjectMeta {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: Labels,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: Labels,
}

/// An object: `apiVersion`, `kind`, `metadata` and the kind's top-level fields.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest<B: Serialize> {
    pub api_version: String,
    pub kind: &'static str,
    pub metadata: ObjectMeta,
    #[serde(flatten)]
    pub body: B,
}

impl<B: Serialize> Manifest<B> {
    pub(crate) fn new(api_version: &str, kind: &'static str, namespace: Option<&str>, name: &str, body: B) -> Self {
        Manifest {
            api_version: api_version.to_string(),
            kind,
            metadata: ObjectMeta {
                name: name.to_string(),
                namespace: namespace.map(str::to_string),
                ..Default::default()
            },
            body,
        }
    }

    pub(crate) fn label(mut self, key: &str, value: &str) -> Self {
        self.metadata.labels.insert(key.to_string(), value.to_string());
        self
    }

    pub(crate) fn annotation(mut self, key: &str, value: &str) -> Self {
        self.metadata.annotations.insert(key.to_string(), value.to_string());
        self
    }

    pub(crate) fn into_value(self) -> Value {
        // Serializing plain structs of strings, numbers and maps cannot fail.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// `{spec: ...}`: the body of most kinds.
#[derive(Debug, Clone, Serialize)]
pub struct Spec<S: Serialize> {
    pub spec: S,
}

// ---- cert-manager.io ----

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateSpec {
    pub secret_name: String,
    pub dns_names: Vec<String>,
    pub issuer_ref: IssuerReference,
}

#[derive(Debug, Clone, Serialize)]
pub struct IssuerReference {
    pub group: &'static str,
    pub kind: String,
    pub name: String,
}

// ---- route.openshift.io ----

#[derive(Debug, Clone, Serialize)]
pub struct RouteSpec {
    pub host: String,
    pub to: RouteTarget,
    pub port: RoutePort,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<RouteTls>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RouteTarget {
    pub kind: &'static str,
    pub name: String,
    pub weight: u32,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutePort {
    pub target_port: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteTls {
    pub termination: &'static str,
    pub insecure_edge_termination_policy: &'static str,
}

// ---- core and apps ----

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSpec {
    #[serde(rename = "type")]
    pub service_type: &'static str,
    pub selector: Labels,
    pub ports: Vec<ServicePortSpec>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePortSpec {
    pub name: String,
    pub port: u32,
    pub target_port: u32,
    pub protocol: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_flattens_the_body() {
        let value = Manifest::new(
            "networking.istio.io/v1",
            "Gateway",
            Some("istio-ingress"),
            "g",
            Spec { spec: GatewaySpec { selector: Labels::from([("istio".into(), "x".into())]), servers: vec![] } },
        )
        .label("a", "b")
        .into_value();
        assert_eq!(value["kind"], "Gateway");
        assert_eq!(value["metadata"]["namespace"], "istio-ingress");
        assert_eq!(value["metadata"]["labels"]["a"], "b");
        assert_eq!(value["spec"]["selector"]["istio"], "x");
        assert!(value["metadata"].get("annotations").is_none());
    }
}
