//! `extensions.istio.io/v1alpha1` WasmPlugin, limited to the fields meshedge sets (the CRD:
//! `data/platform/istio/*/wasmplugins.extensions.istio.io.yaml`).

use serde::Serialize;

use super::Labels;

/// The `pluginConfig` key meshedge writes the hosts that opt into an extension under, sorted.
pub(crate) const PLUGIN_HOSTS_KEY: &str = "meshedgeHosts";

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WasmPluginSpec {
    /// The gateway's pods.
    pub selector: WasmPluginSelector,
    /// `oci://<image>`.
    pub url: String,
    /// `AUTHN`, `AUTHZ`, `STATS` or `UNSPECIFIED_PHASE`; Istio's default when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<&'static str>,
    /// The module's configuration (an object of any fields).
    pub plugin_config: serde_json::Map<String, serde_json::Value>,
}

/// `selector`: the WasmPlugin's pods, by `matchLabels`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WasmPluginSelector {
    pub match_labels: Labels,
}
