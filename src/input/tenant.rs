//! Tenants: `settings.tenants`, and the Tenant document.

use super::*;

/// `settings.tenants`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TenantSettings {
    /// Tenants present in the bases but not deployed here; referencing one is an error.
    #[schemars(extend("default" = []))]
    pub exclude: Option<Vec<TenantName>>,
    /// Glob patterns every tenant namespace must match (default `["*"]`). `{tenant}` stands for
    /// the tenant's own name: `["{tenant}", "{tenant}-*"]` lets each tenant own only namespaces
    /// named for it. Whatever the patterns, a namespace named like another tenant (`<other>` or
    /// `<other>-…`) is that tenant's (E436).
    #[schemars(extend("default" = ["*"]))]
    pub allowed_namespaces: Option<Vec<String>>,
    /// Glob patterns of namespaces no tenant may own, beside the built-in reserved set.
    #[schemars(extend("default" = []))]
    pub reserved_namespaces: Option<Vec<String>>,
    /// Emit a `Namespace` per tenant namespace (see `generate::namespaces`).
    pub create_namespaces: Option<bool>,
    /// Ingress hosts under which other tenants may claim hosts. A host under another tenant's
    /// host receives the cookies that host scopes to its domain, and can set them (E437): list a
    /// host here only when its owner hands the names under it to other tenants.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = []))]
    pub allow_hosts_under: Option<Vec<DomainName>>,
}

/// `tenants/<name>/tenant.yaml`: a Tenant, the namespaces it owns. Optional: a tenant
/// directory without one owns one namespace named like it.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TenantDoc {
    /// `meshedge.io/v1alpha1`.
    #[schemars(extend("const" = API_VERSION))]
    pub api_version: String,
    /// `Tenant`.
    #[schemars(extend("const" = "Tenant"))]
    pub kind: String,
    /// `name` must equal the tenant's directory name under `tenants/`.
    pub metadata: Metadata<TenantName>,
    /// The tenant's namespaces.
    #[serde(default)]
    #[schemars(extend("default" = {}))]
    pub spec: TenantSpec,
}

/// `spec` of a Tenant.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TenantSpec {
    /// The namespaces the tenant owns; the first is the default namespace of its requests.
    /// Default: one namespace named like the tenant. None may be reserved (`default`,
    /// `kube-*`, `openshift-*`, the control plane's and the gateways' namespaces).
    pub namespaces: Option<Vec<Namespace>>,
}
