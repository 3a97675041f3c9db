//! Gateways: a Gateway object → its servers (port, protocol, `[namespace/]host`, TLS mode), and
//! the server that takes a host on a port ([`ServerMatch`]).
//!
//! Source: istio/api @1.24.3 `networking/v1alpha3/gateway.proto` (`selector` picks gateway pods in
//! every namespace; server `hosts` are `[namespace/]dnsName`, `./` the Gateway's namespace, no
//! namespace = any; `tls.mode` defaults to `PASSTHROUGH`; `tls.httpsRedirect`).

use serde_json::Value;

use super::ObjectRef;
use super::fields::{strings, u16_at};
use crate::flows::selector::{WorkloadSelector, labels_of};

/// The TLS of a Gateway server.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerTls {
    /// `SIMPLE`, `MUTUAL`, `PASSTHROUGH`, `ISTIO_MUTUAL`, `AUTO_PASSTHROUGH`, `OPTIONAL_MUTUAL`;
    /// empty for a plain-text server.
    pub mode: String,
    pub credential_name: Option<String>,
    pub ca_cert_credential_name: Option<String>,
    pub https_redirect: bool,
}

/// A Gateway server.
#[derive(Debug, Clone)]
pub struct Server {
    pub port: u16,
    pub protocol: String,
    /// `(namespace part, host pattern)`; namespace `*` = any.
    pub hosts: Vec<(String, String)>,
    pub tls: ServerTls,
}

impl Server {
    /// An HTTPS or TLS server (the TLS mode only matters for those; an HTTP server's `tls`
    /// carries `httpsRedirect` at most).
    fn speaks_tls(&self) -> bool {
        matches!(self.protocol.as_str(), "HTTPS" | "TLS")
    }

    /// The server forwards TLS untouched, routing by SNI (`PASSTHROUGH`, the mode's default
    /// value, and `AUTO_PASSTHROUGH`).
    pub fn passes_tls_through(&self) -> bool {
        self.speaks_tls() && matches!(self.tls.mode.as_str(), "PASSTHROUGH" | "AUTO_PASSTHROUGH")
    }

    /// The server terminates TLS (`SIMPLE`, `MUTUAL`, `ISTIO_MUTUAL`, `OPTIONAL_MUTUAL`).
    pub fn terminates_tls(&self) -> bool {
        self.speaks_tls() && !self.passes_tls_through()
    }
}

/// A parsed Gateway.
#[derive(Debug, Clone)]
pub struct Gateway {
    pub reference: ObjectRef,
    pub namespace: String,
    pub selector: WorkloadSelector,
    pub servers: Vec<Server>,
}

impl Gateway {
    pub fn parse(reference: ObjectRef, value: &Value) -> Gateway {
        let namespace = reference.namespace.clone().unwrap_or_default();
        let spec = value.get("spec").unwrap_or(&Value::Null);
        let selector = WorkloadSelector(spec.get("selector").and_then(labels_of).unwrap_or_default());
        let mut servers = Vec::new();
        for s in spec.get("servers").and_then(Value::as_array).into_iter().flatten() {
            let Some(port) = u16_at(s.get("port").and_then(|p| p.get("number"))) else { continue };
            let hosts = strings(s.get("hosts"))
                .into_iter()
                .map(|h| match h.split_once('/') {
                    Some((".", host)) => (namespace.clone(), host.to_string()),
                    Some((ns, host)) => (ns.to_string(), host.to_string()),
                    None => ("*".to_string(), h),
                })
                .collect();
            let tls = s.get("tls").unwrap_or(&Value::Null);
            servers.push(Server {
                port,
                protocol: s
                    .get("port")
                    .and_then(|p| p.get("protocol"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_ascii_uppercase(),
                hosts,
                tls: ServerTls {
                    mode: tls
                        .get("mode")
                        .and_then(Value::as_str)
                        .unwrap_or(if tls.is_null() { "" } else { "PASSTHROUGH" })
                        .to_string(),
                    credential_name: tls.get("credentialName").and_then(Value::as_str).map(str::to_string),
                    ca_cert_credential_name: tls
                        .get("caCertCredentialName")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    https_redirect: tls.get("httpsRedirect").and_then(Value::as_bool).unwrap_or(false),
                },
            });
        }
        Gateway { reference, namespace, selector, servers }
    }

    /// The Gateway's name as VirtualServices refer to it.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.reference.name)
    }
}

/// The server of a Gateway that takes a host on a port.
#[derive(Debug, Clone)]
pub struct ServerMatch<'a> {
    pub gateway: &'a Gateway,
    pub server: &'a Server,
    /// The server host that matched: (namespace part, pattern).
    pub host: (String, String),
}
