//! The control plane's objects: OpenShift Service Mesh 2's `ServiceMeshControlPlane` and
//! `ServiceMeshMemberRoll` (maistra.io), the sail operator's `Istio`, and the ext-authz
//! extension providers of the mesh config — only the fields meshedge sets.

use std::collections::BTreeMap;

use serde::Serialize;

/// Labels or annotations.
type Labels = BTreeMap<String, String>;

/// `ServiceMeshControlPlane.spec` (maistra.io/v2).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ControlPlaneSpec {
    pub version: String,
    pub gateways: ControlPlaneGateways,
    pub proxy: Proxy,
    pub security: Security,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mesh_config: Option<MeshConfig>,
    /// `runtime.components.<component>.container.env`: istiod's environment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<ControlPlaneRuntime>,
}

/// `ServiceMeshControlPlane.spec.runtime`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ControlPlaneRuntime {
    pub components: BTreeMap<String, ComponentRuntime>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ComponentRuntime {
    pub container: ComponentContainer,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ComponentContainer {
    pub env: BTreeMap<String, String>,
}

/// A built-in gateway section (`gateways.ingress`, `gateways.egress`): off, or a gateway.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub(crate) enum BuiltInGateway {
    Off(Enabled),
    On(DeclaredGateway),
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ControlPlaneGateways {
    pub ingress: BuiltInGateway,
    pub egress: BuiltInGateway,
    pub openshift_route: Enabled,
    /// By service name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub additional_ingress: BTreeMap<String, DeclaredGateway>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub additional_egress: BTreeMap<String, DeclaredGateway>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Enabled {
    pub enabled: bool,
}

/// A gateway the control plane deploys.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeclaredGateway {
    pub enabled: bool,
    pub namespace: String,
    /// Ingress gateways only: the Route the chart creates for the gateway itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_config: Option<Enabled>,
    pub service: GatewayService,
    pub runtime: Runtime,
    /// Egress gateways only: the networks whose endpoints the gateway routes to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requested_network_view: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct GatewayService {
    #[serde(rename = "type")]
    pub service_type: &'static str,
    pub metadata: LabelsAndAnnotations,
    /// The Service's ports; empty: the chart's own.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<GatewayServicePort>,
}

/// A port of a gateway's Service.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct GatewayServicePort {
    pub name: &'static str,
    pub port: u16,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct LabelsAndAnnotations {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: Labels,
    pub labels: Labels,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Runtime {
    pub pod: Pod,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Pod {
    pub metadata: PodMetadata,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: Labels,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct PodMetadata {
    pub labels: Labels,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Proxy {
    pub networking: Networking,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Networking {
    pub traffic_control: TrafficControl,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct TrafficControl {
    pub outbound: OutboundPolicy,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct OutboundPolicy {
    pub policy: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Security {
    pub data_plane: DataPlane,
    /// `security.trust.domain`: the mesh's trust domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust: Option<Trust>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Trust {
    pub domain: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct DataPlane {
    pub mtls: bool,
}

/// `meshConfig` as the control plane carries it: the extension providers.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MeshConfig {
    pub extension_providers: Vec<ExtensionProvider>,
}

/// `ServiceMeshMemberRoll.spec` (maistra.io/v1).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MemberRollSpec {
    pub members: Vec<String>,
}

/// `Istio.spec` (sailoperator.io/v1).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct IstioSpec {
    pub namespace: String,
    pub version: String,
    pub values: IstioValues,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IstioValues {
    pub mesh_config: IstioMeshConfig,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IstioMeshConfig {
    pub outbound_traffic_policy: OutboundMode,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extension_providers: Vec<ExtensionProvider>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct OutboundMode {
    pub mode: &'static str,
}

/// `PeerAuthentication.spec` (security.istio.io).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PeerAuthenticationSpec {
    pub mtls: OutboundMode,
}

/// An ext-authz extension provider of the mesh config (`meshConfig.extensionProviders[]`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExtensionProvider {
    pub name: String,
    pub envoy_ext_authz_http: ExtAuthzHttp,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExtAuthzHttp {
    pub service: String,
    pub port: u32,
    pub include_request_headers_in_check: Vec<&'static str>,
    pub headers_to_upstream_on_allow: Vec<&'static str>,
    pub headers_to_downstream_on_deny: Vec<&'static str>,
}
