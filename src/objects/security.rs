//! `security.istio.io`: RequestAuthentication and AuthorizationPolicy bodies.

use super::*;

#[derive(Debug, Clone, Serialize)]
pub struct WorkloadSelector {
    #[serde(rename = "matchLabels")]
    pub match_labels: Labels,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestAuthenticationSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<WorkloadSelector>,
    pub jwt_rules: Vec<JwtRule>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JwtRule {
    pub issuer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub audiences: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_original_token: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuthorizationPolicySpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<WorkloadSelector>,
    pub action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<ExtensionProviderRef>,
    pub rules: Vec<AuthorizationRule>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExtensionProviderRef {
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct AuthorizationRule {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub from: Vec<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub when: Vec<Value>,
}
