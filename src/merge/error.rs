//! What the merge stage refuses or warns about ([`MergeError`]): each variant's code, message
//! and help.

use crate::diagnostic::{Code, Explain};

#[derive(Debug, Clone)]
pub enum MergeError {
    /// The merged settings do not read as settings: why, and where below `settings`.
    Settings {
        message: String,
        pointer: String,
    },
    /// A tenant excluded by the environment that adds to it.
    ExcludedButAdded {
        tenant: String,
    },
    /// W302: `settings.tenants.exclude` names a tenant that does not exist.
    ExcludedUnknown {
        tenant: String,
    },
    /// E304: a plain resource without these of `apiVersion`, `kind`, `metadata.name`.
    ResourceIncomplete {
        missing: Vec<&'static str>,
    },
    ResourceIsMeshedge {
        kind: String,
    },
    TenantElsewhere {
        declared: String,
        directory: String,
    },
    NoNamespaces,
    RequestTwice {
        request: String,
        tenant: String,
    },
    /// A request that does not read after its overlays: why.
    RequestAfterMerge {
        request: String,
        message: String,
    },
    /// E501: a patch that is not one of `json`, `merge` or `file`; what is wrong.
    PatchShape {
        patch: String,
        what: &'static str,
    },
    /// E501: a patch with both or neither of `json` and `merge`.
    PatchJsonOrMerge {
        patch: String,
    },
    PatchFileOutside {
        file: String,
    },
    /// E502: operations that do not parse; why.
    PatchOperations {
        patch: String,
        message: String,
    },
}

impl Explain for MergeError {
    fn code(&self) -> Code {
        match self {
            MergeError::Settings { .. } => Code::E301,
            MergeError::ExcludedButAdded { .. } => Code::E303,
            MergeError::ExcludedUnknown { .. } => Code::W302,
            MergeError::ResourceIncomplete { .. } | MergeError::ResourceIsMeshedge { .. } => Code::E304,
            MergeError::TenantElsewhere { .. } => Code::E306,
            MergeError::NoNamespaces => Code::E307,
            MergeError::RequestTwice { .. } => Code::E308,
            MergeError::RequestAfterMerge { .. } => Code::E309,
            MergeError::PatchShape { .. } | MergeError::PatchJsonOrMerge { .. } => Code::E501,
            MergeError::PatchFileOutside { .. } => Code::E105,
            MergeError::PatchOperations { .. } => Code::E502,
        }
    }

    fn message(&self) -> String {
        match self {
            MergeError::Settings { message, pointer } => {
                format!("merged settings are invalid: {message} (at {pointer})")
            }
            MergeError::ExcludedButAdded { tenant } => {
                format!("tenant `{tenant}` is excluded here but this environment adds to it")
            }
            MergeError::ExcludedUnknown { tenant } => format!("excluded tenant `{tenant}` does not exist"),
            MergeError::ResourceIncomplete { missing } => {
                let missing: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
                format!("a resource has no {}", missing.join(", "))
            }
            MergeError::ResourceIsMeshedge { kind } => format!("a `{kind}` document does not belong in resources/"),
            MergeError::TenantElsewhere { declared, directory } => {
                format!("tenant `{declared}` is declared in the directory of tenant `{directory}`")
            }
            MergeError::NoNamespaces => "a tenant needs at least one namespace".into(),
            MergeError::RequestTwice { request, tenant } => {
                format!("request `{request}` of tenant `{tenant}` is defined twice in one layer")
            }
            MergeError::RequestAfterMerge { request, message } => {
                format!("request `{request}` is invalid after merging: {message}")
            }
            MergeError::PatchShape { patch, what } => format!("patch {patch}: {what}"),
            MergeError::PatchJsonOrMerge { patch } => format!("patch {patch}: needs exactly one of `json` or `merge`"),
            MergeError::PatchFileOutside { file } => format!("patch file `{file}` is outside the repository root"),
            MergeError::PatchOperations { patch, message } => format!("patch {patch}: invalid JSON patch: {message}"),
        }
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            MergeError::Settings { .. } => "check the layers that set this value".into(),
            MergeError::ExcludedButAdded { tenant } => {
                format!("remove `{tenant}` from `settings.tenants.exclude`, or remove this file")
            }
            MergeError::ExcludedUnknown { .. } => "remove it from `settings.tenants.exclude`".into(),
            MergeError::ResourceIncomplete { .. } => {
                "resources/ holds plain Kubernetes manifests, each with `apiVersion`, `kind` and `metadata.name`".into()
            }
            MergeError::ResourceIsMeshedge { .. } => {
                "tenant documents go under tenants/<tenant>/; layer settings go in meshedge.yaml".into()
            }
            MergeError::TenantElsewhere { directory, declared } if !crate::values::is_dns_label(directory) => format!(
                "a tenant's name is its directory's: rename the directory to `{declared}` (a directory name is a DNS-1123 label)"
            ),
            MergeError::TenantElsewhere { directory, .. } => {
                format!("set `metadata.name: {directory}` (the directory name)")
            }
            MergeError::NoNamespaces => "list its namespaces, or remove `namespaces` to use the tenant's name".into(),
            MergeError::RequestTwice { .. } => {
                "rename one of them; the same name in a later layer overlays it instead".into()
            }
            MergeError::RequestAfterMerge { .. } => {
                "an overlay must restate whole lists (lists without `name` keys are replaced)".into()
            }
            MergeError::PatchShape { .. } => {
                "a patch has `target` with exactly one of `json` (RFC 6902) or `merge` (RFC 7386), or a `file`".into()
            }
            MergeError::PatchJsonOrMerge { .. } => {
                "`json` takes RFC 6902 operations, `merge` an RFC 7386 merge patch".into()
            }
            MergeError::PatchFileOutside { .. } => {
                "patch files are relative to the layer's directory and must stay inside the root".into()
            }
            MergeError::PatchOperations { .. } => {
                "an operation is `op` (add, remove, replace, move, copy, test) and `path`, with `value` for add, replace and test, `from` for move and copy, and nothing else".into()
            }
        })
    }
}
