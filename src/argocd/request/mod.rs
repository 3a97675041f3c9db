//! What Argo CD tells the plugin about one manifest request: its build environment, and the
//! plugin's options from the Application's plugin env (`ARGOCD_ENV_MESHEDGE_*`) and parameters
//! (`ARGOCD_APP_PARAMETERS`, or the `PARAM_*` variables when that one is absent).

mod options;
mod redact;

use std::collections::BTreeMap;

pub use options::{ENV_PREFIX, OPTIONS, OptionError, OptionKind, OptionSpec, Options};
pub use redact::redact_url;

/// What Argo CD tells the plugin about one manifest request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    pub app_name: Option<String>,
    pub app_namespace: Option<String>,
    pub revision: Option<String>,
    pub revision_short: Option<String>,
    pub source_path: Option<String>,
    pub repo_url: Option<String>,
    pub target_revision: Option<String>,
    pub kube_version: Option<String>,
    pub options: Options,
}

impl Request {
    /// Reads a request from environment variables (empty values count as absent).
    pub fn from_vars(vars: &BTreeMap<String, String>) -> Result<Request, Vec<OptionError>> {
        let options = options::read(vars)?;
        let get = |name: &str| options::non_empty(vars, name);
        Ok(Request {
            app_name: get("ARGOCD_APP_NAME"),
            app_namespace: get("ARGOCD_APP_NAMESPACE"),
            revision: get("ARGOCD_APP_REVISION"),
            revision_short: get("ARGOCD_APP_REVISION_SHORT"),
            source_path: get("ARGOCD_APP_SOURCE_PATH"),
            repo_url: get("ARGOCD_APP_SOURCE_REPO_URL"),
            target_revision: get("ARGOCD_APP_SOURCE_TARGET_REVISION"),
            kube_version: get("KUBE_VERSION"),
            options,
        })
    }

    /// The value of the `meshedge.io/revision` annotation: `<repo url>@<revision>`, or the
    /// revision alone; `None` without a revision or with `provenance: false`.
    pub fn provenance(&self) -> Option<String> {
        if !self.options.provenance {
            return None;
        }
        let revision = self.revision.as_deref()?;
        Some(match self.repo_url.as_deref() {
            Some(url) => format!("{}@{revision}", redact_url(url)),
            None => revision.to_string(),
        })
    }

    /// ` (app edge-prod, main at 1a2b3c4)`, or `""` outside Argo CD.
    pub fn context(&self) -> String {
        let mut parts = Vec::new();
        if let Some(name) = &self.app_name {
            parts.push(format!("app {name}"));
        }
        let revision =
            self.revision_short.clone().or_else(|| self.revision.as_ref().map(|r| r.chars().take(7).collect()));
        match (&self.target_revision, revision) {
            (Some(target), Some(rev)) if *target != rev => parts.push(format!("{target} at {rev}")),
            (_, Some(rev)) => parts.push(format!("revision {rev}")),
            (Some(target), None) => parts.push(format!("revision {target}")),
            (None, None) => {}
        }
        if parts.is_empty() { String::new() } else { format!(" ({})", parts.join(", ")) }
    }
}

#[cfg(test)]
mod tests;
