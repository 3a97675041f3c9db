//! OpenShift Service Mesh 2 federation (`federation.maistra.io/v1`): `ServiceMeshPeer`,
//! `ExportedServiceSet`, `ImportedServiceSet` — only the fields meshedge sets, spelled as in
//! maistra/api `federation/v1/*_types.go`.

use serde::Serialize;

/// `ServiceMeshPeer.spec`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ServiceMeshPeerSpec {
    pub remote: PeerRemote,
    pub gateways: PeerGateways,
    pub security: PeerSecurity,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PeerRemote {
    pub addresses: Vec<String>,
    pub discovery_port: u16,
    pub service_port: u16,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct PeerGateways {
    pub ingress: LocalReference,
    pub egress: LocalReference,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct LocalReference {
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PeerSecurity {
    pub trust_domain: String,
    #[serde(rename = "clientID")]
    pub client_id: String,
    pub certificate_chain: TypedReference,
}

/// A `TypedLocalObjectReference`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TypedReference {
    pub kind: &'static str,
    pub name: String,
}

/// `ExportedServiceSet.spec`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExportedServiceSetSpec {
    pub export_rules: Vec<SelectorRule>,
}

/// `ImportedServiceSet.spec`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ImportedServiceSetSpec {
    pub import_rules: Vec<SelectorRule>,
}

/// An export or import rule: `type: NameSelector` and its selector.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SelectorRule {
    #[serde(rename = "type")]
    pub rule_type: &'static str,
    pub name_selector: NameSelector,
}

/// `ServiceNameMapping`: a service by namespace and name, and the name it takes across.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct NameSelector {
    pub namespace: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<ServiceName>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ServiceName {
    pub namespace: String,
    pub name: String,
}
