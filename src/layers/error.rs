//! What the layers stage refuses or warns about ([`LayerError`]): each variant's code, message
//! and help.

use crate::diagnostic::{Code, Explain};
use crate::input::API_VERSION;
use crate::layers::layout::{MANIFEST, is_manifest_file};
use crate::source::{self, SourceError};

/// How deep `bases` may chain layers (E114).
pub(crate) const MAX_BASES_DEPTH: usize = 64;

#[derive(Debug, Clone)]
pub enum LayerError {
    /// A path that cannot be read, and why it was read (`cannot read layer manifest`).
    Source {
        context: String,
        error: SourceError,
    },
    /// The file past the bytes one build may read (`bytes`: the total it brings, 0 when skipped).
    OverTotal {
        path: String,
        bytes: u64,
    },
    NotAnEnvironment {
        dir: String,
    },
    Cycle {
        cycle: Vec<String>,
    },
    BasesTooDeep,
    NotALayer {
        dir: String,
        manifest: String,
    },
    NotOneDocument {
        manifest: String,
        count: usize,
    },
    ApiVersion {
        found: String,
    },
    BaseOutside {
        base: String,
        outside: String,
    },
    /// W205: a file under `resources/` or `tenants/` that is not read.
    NotRead {
        path: String,
    },
    /// W206: a `tenants/` that is not inside a layer.
    StrayTenants {
        dir: String,
    },
    LooseTenantFile {
        path: String,
        tenants: String,
    },
    NotATenantDocument {
        kind: Option<String>,
    },
    NotMeshedge,
}

impl Explain for LayerError {
    fn code(&self) -> Code {
        match self {
            LayerError::Source { error, .. } => match error {
                SourceError::Escapes { .. } => Code::E105,
                SourceError::ReachedTwice { .. } => Code::E113,
                SourceError::TooLarge { .. } | SourceError::TooDeep { .. } | SourceError::TooManyEntries { .. } => {
                    Code::E114
                }
                SourceError::IntoGit { .. } => Code::E105,
                SourceError::NameNotUtf8 { .. } => Code::E912,
                _ => Code::E100,
            },
            LayerError::OverTotal { .. } | LayerError::BasesTooDeep => Code::E114,
            LayerError::NotAnEnvironment { .. } => Code::E203,
            LayerError::Cycle { .. } => Code::E201,
            LayerError::NotALayer { .. } | LayerError::NotOneDocument { .. } => Code::E202,
            LayerError::ApiVersion { .. } => Code::E106,
            LayerError::BaseOutside { .. } => Code::E105,
            LayerError::NotRead { .. } => Code::W205,
            LayerError::StrayTenants { .. } => Code::W206,
            LayerError::LooseTenantFile { .. } => Code::E204,
            LayerError::NotATenantDocument { .. } | LayerError::NotMeshedge => Code::E305,
        }
    }

    fn message(&self) -> String {
        let limit = source::MAX_TOTAL_BYTES;
        match self {
            LayerError::Source { context, error } => format!("{context}: {error}"),
            LayerError::OverTotal { path, bytes: 0 } => {
                format!("`{path}` is not read: the input is over the limit of {limit} bytes for one build")
            }
            LayerError::OverTotal { path, bytes } => {
                format!("`{path}` brings the input to {bytes} bytes, over the limit of {limit} bytes for one build")
            }
            LayerError::NotAnEnvironment { dir } => format!("`{dir}` is a Layer, not an Environment"),
            LayerError::Cycle { cycle } => format!("`bases` form a cycle: {}", cycle.join(" -> ")),
            LayerError::BasesTooDeep => format!("`bases` nested deeper than {MAX_BASES_DEPTH} layers"),
            LayerError::NotALayer { dir, .. } => format!("`{dir}` is not a layer: it has no {MANIFEST}"),
            LayerError::NotOneDocument { manifest, count } => {
                format!("{manifest} must hold exactly one document, not {count}")
            }
            LayerError::ApiVersion { found } => format!("unsupported apiVersion `{found}`"),
            LayerError::BaseOutside { base, outside } => {
                format!("base `{base}` resolves to `{outside}`, outside the repository root")
            }
            LayerError::NotRead { path } => {
                format!("`{path}` is not read: meshedge reads only `.yaml`, `.yml` and `.json` files")
            }
            LayerError::StrayTenants { dir } => format!("`{dir}/` is not read: it is not inside a layer"),
            LayerError::LooseTenantFile { path, .. } => format!("`{path}` is not inside a tenant directory"),
            LayerError::NotATenantDocument { kind } => {
                format!("`{}` is not a tenant document", kind.as_deref().unwrap_or("(no kind)"))
            }
            LayerError::NotMeshedge => "tenants supply only Tenant and EdgeRequest documents".into(),
        }
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            LayerError::Source { error, .. } => match error {
                SourceError::Escapes { .. } => {
                    "every path and symlink must stay inside the repository root (see --root)"
                }
                SourceError::NotFound { .. } => "check the path; it is relative to the directory of the file naming it",
                SourceError::SymlinkLoop { .. } => "remove the symlink that points back at its own directory",
                SourceError::ReachedTwice { .. } => {
                    "each file is read once, under one path: remove one of the two (a symlink)"
                }
                SourceError::TooLarge { .. } => {
                    "split the file (or shorten the link); no manifest needs this much (see the limits in docs/reference.md)"
                }
                SourceError::TooDeep { .. } => "keep inputs fewer directories deep (see the limits in docs/reference.md)",
                SourceError::TooManyEntries { .. } => {
                    "move what is not an input out of resources/ and tenants/ (see the limits in docs/reference.md)"
                }
                SourceError::IntoGit { .. } => "point the link at a file of the work tree, not at .git",
                SourceError::NotAFile { .. } => {
                    "meshedge reads regular files only: replace it with a file, or move it out of the inputs"
                }
                SourceError::NotADirectory { .. } => "give a directory here, not a file",
                SourceError::NotUtf8 { .. } => "save the file as UTF-8",
                SourceError::Io { .. } => {
                    "make the file readable, or remove it; a symbolic link must point at a file that exists"
                }
                SourceError::NameNotUtf8 { .. } => {
                    "rename it (`git mv`): meshedge reads only file and directory names in UTF-8, so that every report names them as they are"
                }
            }
            .into(),
            LayerError::OverTotal { .. } => {
                "the repository's layers, resources and tenants are too large for one build; split the environment"
                    .into()
            }
            LayerError::NotAnEnvironment { .. } => {
                "build a directory whose meshedge.yaml has `kind: Environment`".into()
            }
            LayerError::Cycle { .. } => "remove one of these `bases` entries so that no layer includes itself".into(),
            LayerError::BasesTooDeep => {
                "a chain of bases this long is a mistake: have a layer name its bases directly".into()
            }
            LayerError::NotALayer { manifest, .. } => format!("create {manifest}, or fix the path in `bases`"),
            LayerError::NotOneDocument { .. } => {
                "a layer manifest is one document with apiVersion, kind (Layer or Environment) and metadata".into()
            }
            LayerError::ApiVersion { .. } => format!("use `apiVersion: {API_VERSION}`"),
            LayerError::BaseOutside { .. } => {
                "bases are paths relative to the layer's directory and must stay inside the root (see --root)".into()
            }
            LayerError::NotRead { path } => {
                let name = path.rsplit('/').next().unwrap_or(path);
                let lower = name.to_ascii_lowercase();
                if is_manifest_file(&lower) {
                    let stem = name.rfind('.').map_or(name, |dot| &name[..dot]);
                    let extension = lower.rsplit('.').next().unwrap_or_default();
                    format!("extensions are matched in lower case: rename it to `{stem}.{extension}`")
                } else if [".yaml.", ".yml.", ".json."].iter().any(|e| lower.contains(e)) {
                    "a copy or backup of a manifest? delete it, or move it out of resources/ and tenants/".into()
                } else {
                    "give a manifest a `.yaml`, `.yml` or `.json` name; move anything else out of resources/ and tenants/"
                        .into()
                }
            }
            LayerError::StrayTenants { .. } => format!(
                "tenants/ is read only beside a {MANIFEST}: move its tenant directories into the tenants/ of a layer"
            ),
            LayerError::LooseTenantFile { tenants, .. } => format!("move it to {tenants}/<tenant>/"),
            LayerError::NotATenantDocument { .. } => {
                "tenants supply only `kind: Tenant` and `kind: EdgeRequest` documents".into()
            }
            LayerError::NotMeshedge => {
                format!("use `apiVersion: {API_VERSION}`; raw manifests belong in a layer's resources/")
            }
        })
    }
}
