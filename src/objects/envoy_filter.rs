//! `networking.istio.io/v1alpha3` EnvoyFilter, limited to what local rate limiting at a gateway
//! needs, and Envoy's `LocalRateLimit` filter configuration.

use serde::Serialize;

use super::Labels;

/// The Envoy filter name and the `@type` of its configuration (envoyproxy/data-plane-api
/// `envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto`, package
/// `envoy.extensions.filters.http.local_ratelimit.v3`, message `LocalRateLimit`).
pub(crate) const LOCAL_RATELIMIT_FILTER: &str = "envoy.filters.http.local_ratelimit";
pub(crate) const LOCAL_RATELIMIT_TYPE: &str =
    "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit";

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvoyFilterSpec {
    pub workload_selector: EnvoyFilterSelector,
    pub config_patches: Vec<ConfigPatch>,
}

/// `workloadSelector`: the EnvoyFilter's pods, by `labels` (not `matchLabels`).
#[derive(Debug, Clone, Serialize)]
pub struct EnvoyFilterSelector {
    pub labels: Labels,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigPatch {
    /// `HTTP_FILTER` or `HTTP_ROUTE`.
    pub apply_to: &'static str,
    #[serde(rename = "match")]
    pub matches: serde_json::Value,
    pub patch: Patch,
}

#[derive(Debug, Clone, Serialize)]
pub struct Patch {
    /// `INSERT_BEFORE` or `MERGE`.
    pub operation: &'static str,
    pub value: serde_json::Value,
}

/// Envoy's `LocalRateLimit` (fields as the proto names them: `stat_prefix` = 1,
/// `token_bucket` = 3, `filter_enabled` = 4, `filter_enforced` = 5). Without a token bucket the
/// filter limits nothing; a route's copy with one limits that route. Over the limit Envoy answers
/// `status`, 429 when unset.
#[derive(Debug, Clone, Serialize)]
pub struct LocalRateLimit {
    #[serde(rename = "@type")]
    pub type_url: &'static str,
    pub stat_prefix: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_bucket: Option<TokenBucket>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter_enabled: Option<RuntimeFractionalPercent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter_enforced: Option<RuntimeFractionalPercent>,
}

/// `envoy.type.v3.TokenBucket` (envoyproxy/data-plane-api `envoy/type/v3/token_bucket.proto`):
/// `max_tokens` > 0, `tokens_per_fill` > 0, `fill_interval` > 0, a protobuf JSON duration.
#[derive(Debug, Clone, Serialize)]
pub struct TokenBucket {
    pub max_tokens: u32,
    pub tokens_per_fill: u32,
    pub fill_interval: String,
}

/// `envoy.config.core.v3.RuntimeFractionalPercent`: `default_value` (a `FractionalPercent`)
/// under `runtime_key`.
#[derive(Debug, Clone, Serialize)]
pub struct RuntimeFractionalPercent {
    pub runtime_key: String,
    pub default_value: FractionalPercent,
}

/// `envoy.type.v3.FractionalPercent`.
#[derive(Debug, Clone, Serialize)]
pub struct FractionalPercent {
    pub numerator: u32,
    /// `HUNDRED`, `TEN_THOUSAND` or `MILLION`.
    pub denominator: &'static str,
}

impl RuntimeFractionalPercent {
    /// 100% unless the runtime key says otherwise.
    pub(crate) fn always(runtime_key: &str) -> Self {
        RuntimeFractionalPercent {
            runtime_key: runtime_key.to_string(),
            default_value: FractionalPercent { numerator: 100, denominator: "HUNDRED" },
        }
    }
}
