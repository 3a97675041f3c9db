//! `settings.check`: how `meshedge check` treats an environment's findings.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `settings.check`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CheckSettings {
    /// Findings of the analyses not to report, each rule a code and optionally the object it is
    /// reported on. Every suppressed finding is still counted (and listed) in the report, and a
    /// rule that suppresses nothing is a warning (W703).
    pub suppress: Option<Vec<SuppressSetting>>,
}

/// One rule of `settings.check.suppress`: findings with `code` on objects matching `kind`,
/// `name` and `namespace` (each optional; `*` in a pattern matches any run of characters).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SuppressSetting {
    /// meshedge's code (`A606`), the `istioctl analyze` code (`IST0128`), or `*` for every code.
    #[schemars(length(min = 1))]
    pub code: String,
    /// The kind of the object the finding is reported on (`DestinationRule`; case ignored).
    pub kind: Option<String>,
    /// The object's name (`api-*`).
    pub name: Option<String>,
    /// The object's namespace (`istio-*`).
    pub namespace: Option<String>,
}
