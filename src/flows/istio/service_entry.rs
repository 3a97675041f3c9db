//! ServiceEntries: a ServiceEntry object → its hosts, ports, `exportTo` and location, the
//! entries of a sidecar's registry view under `outboundTrafficPolicy` (istio/api @1.24.3
//! `mesh/v1alpha1/config.proto`: `REGISTRY_ONLY` drops traffic to a host and port outside it).

use std::collections::BTreeSet;

use serde_json::Value;

use super::ObjectRef;
use super::fields::{strings, u16_at};
use crate::flows::pod::numbered_ports;

/// A ServiceEntry port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SePort {
    pub number: u16,
    pub protocol: String,
    pub target_port: Option<u16>,
}

/// A parsed ServiceEntry.
#[derive(Debug, Clone)]
pub struct ServiceEntry {
    pub reference: ObjectRef,
    pub namespace: String,
    pub hosts: Vec<String>,
    pub ports: Vec<SePort>,
    pub export_to: Vec<String>,
    /// `export_to` as a set.
    pub(super) export_set: BTreeSet<String>,
    pub mesh_external: bool,
}

impl ServiceEntry {
    pub fn parse(reference: ObjectRef, value: &Value) -> ServiceEntry {
        let spec = value.get("spec").unwrap_or(&Value::Null);
        let ports = numbered_ports(spec.get("ports"), "number")
            .map(|(p, number)| SePort {
                number,
                protocol: p.get("protocol").and_then(Value::as_str).unwrap_or("TCP").to_ascii_uppercase(),
                target_port: u16_at(p.get("targetPort")),
            })
            .collect();
        let export_to = strings(spec.get("exportTo"));
        ServiceEntry {
            namespace: reference.namespace.clone().unwrap_or_default(),
            hosts: strings(spec.get("hosts")),
            ports,
            export_set: export_to.iter().cloned().collect(),
            export_to,
            mesh_external: spec.get("location").and_then(Value::as_str) == Some("MESH_EXTERNAL"),
            reference,
        }
    }
}
