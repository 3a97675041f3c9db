//! Gateway extensions: WASM modules an ingress gateway offers, and the hosts that opt in.

use super::*;

use crate::values::{ExtensionName, OciImage};

/// Where in the gateway's HTTP filter chain an extension runs (the WasmPlugin `phase`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
pub enum ExtensionPhase {
    /// Before Istio's authentication filters.
    #[serde(rename = "AUTHN")]
    Authn,
    /// Before Istio's authorization filters, after authentication.
    #[serde(rename = "AUTHZ")]
    Authz,
    /// Before Istio's stats filter, after authorization.
    #[serde(rename = "STATS")]
    Stats,
    /// Istio's default: at the end of the chain, before the router.
    #[serde(rename = "UNSPECIFIED_PHASE")]
    Unspecified,
}

impl ExtensionPhase {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ExtensionPhase::Authn => "AUTHN",
            ExtensionPhase::Authz => "AUTHZ",
            ExtensionPhase::Stats => "STATS",
            ExtensionPhase::Unspecified => "UNSPECIFIED_PHASE",
        }
    }
}

/// A WASM extension the gateway offers: a `WasmPlugin` on the gateway's pods. Requests opt a
/// host in with `extensions: [<name>]`. In a later layer, an item with the same `name` merges
/// into this one.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GatewayExtension {
    /// The name requests use in `extensions:`; the WasmPlugin is `<gateway>-<name>`.
    pub name: ExtensionName,
    /// The OCI image of the WASM module, with its registry and a tag or digest, without
    /// `oci://` (e.g. `ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0`). Required after merging.
    pub image: Option<OciImage>,
    /// `AUTHN`, `AUTHZ`, `STATS` or `UNSPECIFIED_PHASE` (the WasmPlugin `phase`).
    #[schemars(extend("default" = "UNSPECIFIED_PHASE"))]
    pub phase: Option<ExtensionPhase>,
    /// The module's own configuration, passed as the WasmPlugin's `pluginConfig`; meshedge adds
    /// `meshedgeHosts`, the hosts that opt in (a key the object must not have).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<serde_json::Map<String, serde_json::Value>>,
}
