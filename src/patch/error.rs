//! What applying patches finds ([`PatchError`]): each variant's code, message and help.

use crate::diagnostic::{Code, Explain};

#[derive(Debug, Clone)]
pub enum PatchError {
    /// A target that does not compile: why.
    Target {
        patch: String,
        message: String,
    },
    Unmatched {
        patch: String,
    },
    /// A JSON patch operation that fails on an object.
    Operation {
        patch: String,
        object: String,
        index: usize,
        path: String,
        message: String,
    },
    /// A JSON patch operation that would grow an object past its bounds: what it would do.
    Growth {
        patch: String,
        object: String,
        index: usize,
        what: String,
    },
}

impl Explain for PatchError {
    fn code(&self) -> Code {
        match self {
            PatchError::Target { .. } => Code::E503,
            PatchError::Unmatched { .. } => Code::E504,
            PatchError::Operation { .. } | PatchError::Growth { .. } => Code::E505,
        }
    }

    fn message(&self) -> String {
        match self {
            PatchError::Target { patch, message } => format!("patch {patch}: invalid target: {message}"),
            PatchError::Unmatched { patch } => format!("patch {patch} matches no object"),
            PatchError::Operation { patch, object, index, path, message } => {
                format!("patch {patch} failed on {object}: operation {index} at `{path}`: {message}")
            }
            PatchError::Growth { patch, object, index, what } => {
                format!("patch {patch} failed on {object}: operation {index} {what}")
            }
        }
    }

    fn help(&self) -> Option<String> {
        Some(
            match self {
                PatchError::Target { .. } => {
                    "`kind`, `name` and `namespace` are regular expressions; selectors use Kubernetes syntax"
                }
                PatchError::Unmatched { .. } => {
                    "fix the target (kind, name and namespace are anchored regexes), or set `optional: true`"
                }
                PatchError::Operation { .. } => {
                    "check the JSON pointer against the object (`meshedge build` without the patch shows it)"
                }
                PatchError::Growth { .. } => "a patch adds what it writes; copying an object into itself multiplies it",
            }
            .into(),
        )
    }
}
