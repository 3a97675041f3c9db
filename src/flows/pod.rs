//! A workload's pods as the flows see them: namespace, name, labels, container ports and their
//! protocols.

use std::fmt;

use serde_json::Value;

use super::selector::{Labels, labels_of};

/// A transport protocol of a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Protocol {
    #[default]
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    pub fn parse(text: &str) -> Option<Protocol> {
        match text {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        })
    }
}

/// The entries of a list of ports (a Service's `spec.ports`, a ServiceEntry's `spec.ports`, a
/// container's `ports`) with the port number each holds at `key` (`port`, `number`,
/// `containerPort`); entries without a number that fits a port are passed over.
pub(crate) fn numbered_ports<'a>(list: Option<&'a Value>, key: &'a str) -> impl Iterator<Item = (&'a Value, u16)> + 'a {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(move |p| Some((p, p.get(key).and_then(Value::as_u64).and_then(|n| u16::try_from(n).ok())?)))
}

/// A container port of a pod.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ContainerPort {
    pub name: Option<String>,
    pub number: u16,
    pub protocol: Protocol,
}

impl ContainerPort {
    pub fn tcp(name: &str, number: u16) -> ContainerPort {
        ContainerPort { name: Some(name.to_string()), number, protocol: Protocol::Tcp }
    }
}

/// A pod, as far as flows care: where it runs, its labels, its named ports and its identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pod {
    /// A name for messages (the workload's name).
    pub name: String,
    pub namespace: String,
    pub labels: Labels,
    pub ports: Vec<ContainerPort>,
    /// The service account (the pod's mTLS identity).
    pub service_account: String,
}

impl Pod {
    pub fn new(namespace: &str, name: &str, labels: Labels) -> Pod {
        Pod {
            name: name.to_string(),
            namespace: namespace.to_string(),
            labels,
            ports: Vec::new(),
            service_account: "default".to_string(),
        }
    }

    pub fn with_ports(mut self, ports: Vec<ContainerPort>) -> Pod {
        self.ports = ports;
        self
    }

    pub fn with_service_account(mut self, service_account: &str) -> Pod {
        self.service_account = service_account.to_string();
        self
    }

    /// The pods a workload object stands for: a Pod, or the template of a Deployment,
    /// StatefulSet, DaemonSet, ReplicaSet or Job. `None` for other kinds.
    pub fn of_workload(value: &Value) -> Option<Pod> {
        let kind = value.get("kind")?.as_str()?;
        let metadata = value.get("metadata")?;
        let name = metadata.get("name")?.as_str()?;
        let namespace = metadata.get("namespace").and_then(Value::as_str).unwrap_or("default");
        let (pod_metadata, pod_spec) = match kind {
            "Pod" => (metadata, value.get("spec")?),
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
                let template = value.get("spec")?.get("template")?;
                (template.get("metadata")?, template.get("spec")?)
            }
            _ => return None,
        };
        let labels = pod_metadata.get("labels").and_then(labels_of).unwrap_or_default();
        let mut ports = Vec::new();
        for container in pod_spec.get("containers").and_then(Value::as_array).into_iter().flatten() {
            for (port, number) in numbered_ports(container.get("ports"), "containerPort") {
                let protocol =
                    port.get("protocol").and_then(Value::as_str).and_then(Protocol::parse).unwrap_or_default();
                ports.push(ContainerPort {
                    name: port.get("name").and_then(Value::as_str).map(str::to_string),
                    number,
                    protocol,
                });
            }
        }
        let service_account = pod_spec.get("serviceAccountName").and_then(Value::as_str).unwrap_or("default");
        Some(Pod::new(namespace, name, labels).with_ports(ports).with_service_account(service_account))
    }

    /// The pod's SPIFFE principal as Istio's authorization sees it: `<trust
    /// domain>/ns/<namespace>/sa/<service account>` (istio/api
    /// `security/v1beta1/authorization_policy.proto` `Source.principals`).
    pub fn principal(&self, trust_domain: &str) -> String {
        format!("{trust_domain}/ns/{}/sa/{}", self.namespace, self.service_account)
    }
}
