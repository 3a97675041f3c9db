//! The plugin's options: from the Application's plugin env (`ARGOCD_ENV_MESHEDGE_*`), then its
//! parameters (`ARGOCD_APP_PARAMETERS`, or the `PARAM_*` variables when that one is absent).

use std::collections::BTreeMap;

use serde::Deserialize;

/// Prefix Argo CD puts before the names in `spec.source.plugin.env`.
pub const ENV_PREFIX: &str = "ARGOCD_ENV_";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    Text,
    Bool,
}

/// One option: its parameter name, its plugin env name, its default and what it does.
#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    /// The name in `spec.source.plugin.parameters` (and in the UI).
    pub parameter: &'static str,
    /// The name in `spec.source.plugin.env`; the process sees it prefixed with `ARGOCD_ENV_`.
    pub variable: &'static str,
    pub kind: OptionKind,
    /// The default, as the plugin announces it to the UI (`""`: none).
    pub default: &'static str,
    pub help: &'static str,
}

/// Every option `meshedge generate` understands.
pub const OPTIONS: [OptionSpec; 4] = [
    OptionSpec {
        parameter: "env",
        variable: "MESHEDGE_ENV",
        kind: OptionKind::Text,
        default: "",
        help: "the environment to build: a directory holding a meshedge.yaml, relative to the \
               application directory or the repository root, or a name looked up under \
               environments/, env/ and envs/ (default: the application directory)",
    },
    OptionSpec {
        parameter: "strict",
        variable: "MESHEDGE_STRICT",
        kind: OptionKind::Bool,
        default: "false",
        help: "true: warnings fail the build like errors",
    },
    OptionSpec {
        parameter: "provenance",
        variable: "MESHEDGE_PROVENANCE",
        kind: OptionKind::Bool,
        default: "true",
        help: "false: leave out the meshedge.io/revision annotation (objects then change only \
               when their content does)",
    },
    OptionSpec {
        parameter: "shard",
        variable: "MESHEDGE_SHARD",
        kind: OptionKind::Text,
        default: "",
        help: "K/N: emit only shard K of N (counted from 0), the objects of the tenants whose names \
               hash to K, plus the shared platform objects in shard 0 (default: everything)",
    },
];

/// The options after defaults, plugin env and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub env: Option<String>,
    /// Where `env` came from, for messages (`parameter \`env\``, `plugin env MESHEDGE_ENV`).
    pub env_from: Option<String>,
    pub strict: bool,
    pub provenance: bool,
    /// The `shard` option as given (`K/N`), read by `crate::shard::Shard::parse`.
    pub shard: Option<String>,
    /// Where `shard` came from, for messages.
    pub shard_from: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options { env: None, env_from: None, strict: false, provenance: true, shard: None, shard_from: None }
    }
}

/// A problem with the options, rendered as one diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionError {
    pub message: String,
    pub help: String,
}

/// One entry of `ARGOCD_APP_PARAMETERS`.
#[derive(Debug, Deserialize)]
struct Parameter {
    name: String,
    #[serde(default)]
    string: Option<String>,
    #[serde(default)]
    array: Option<Vec<String>>,
    #[serde(default)]
    map: Option<BTreeMap<String, String>>,
}

/// The options `vars` set, over the defaults; every problem found, not only the first.
pub fn read(vars: &BTreeMap<String, String>) -> Result<Options, Vec<OptionError>> {
    let mut errors = Vec::new();
    let mut values: BTreeMap<&'static str, (String, String)> = BTreeMap::new();

    // 1. The Application's plugin env: ARGOCD_ENV_MESHEDGE_*.
    for (name, value) in vars {
        let Some(rest) = strip_prefix_ignore_case(name, ENV_PREFIX) else { continue };
        if !rest.to_ascii_uppercase().starts_with("MESHEDGE_") {
            continue;
        }
        match OPTIONS.iter().find(|o| o.variable == rest) {
            Some(spec) if !value.trim().is_empty() => {
                values.insert(spec.parameter, (value.trim().to_string(), format!("plugin env {}", spec.variable)));
            }
            Some(_) => {}
            None => errors.push(OptionError {
                message: format!("unknown plugin env `{rest}`{}", suggest(rest, OPTIONS.map(|o| o.variable))),
                help: format!(
                    "spec.source.plugin.env takes {}",
                    OPTIONS.iter().map(|o| o.variable).collect::<Vec<_>>().join(", ")
                ),
            }),
        }
    }

    // 2. The Application's parameters, which override the plugin env.
    match non_empty(vars, "ARGOCD_APP_PARAMETERS").filter(|p| p != "null") {
        Some(json) => match serde_json::from_str::<Option<Vec<Parameter>>>(&json) {
            Ok(parameters) => {
                let mut seen = BTreeMap::new();
                for parameter in parameters.unwrap_or_default() {
                    read_parameter(parameter, &mut seen, &mut values, &mut errors);
                }
            }
            Err(e) => errors.push(OptionError {
                message: format!("ARGOCD_APP_PARAMETERS is not a JSON list of parameters: {e}"),
                help: "set spec.source.plugin.parameters as a list of {name, string}".into(),
            }),
        },
        None => {
            // Without the JSON form, the PARAM_<NAME> variables carry the same parameters.
            for spec in &OPTIONS {
                let variable = format!("PARAM_{}", param_env_name(spec.parameter));
                if let Some(value) = non_empty(vars, &variable) {
                    values.insert(spec.parameter, (value, format!("parameter `{}`", spec.parameter)));
                }
            }
        }
    }

    let mut options = Options::default();
    for (parameter, (value, from)) in values {
        let spec = OPTIONS.iter().find(|o| o.parameter == parameter).expect("known option");
        match (parameter, spec.kind) {
            ("env", _) => {
                options.env = Some(value);
                options.env_from = Some(from);
            }
            ("shard", _) => {
                options.shard = Some(value);
                options.shard_from = Some(from);
            }
            (_, OptionKind::Bool) => match parse_bool(&value) {
                Some(b) if parameter == "strict" => options.strict = b,
                Some(b) => options.provenance = b,
                None => errors.push(OptionError {
                    message: format!("{from} must be true or false, not `{value}`"),
                    help: format!("{}: {}", spec.parameter, spec.help),
                }),
            },
            (_, OptionKind::Text) => {}
        }
    }
    if errors.is_empty() { Ok(options) } else { Err(errors) }
}

/// The value of variable `name`, trimmed; `None` when absent or empty.
pub fn non_empty(vars: &BTreeMap<String, String>, name: &str) -> Option<String> {
    vars.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()).map(str::to_string)
}

fn read_parameter(
    parameter: Parameter,
    seen: &mut BTreeMap<String, ()>,
    values: &mut BTreeMap<&'static str, (String, String)>,
    errors: &mut Vec<OptionError>,
) {
    let Some(spec) = OPTIONS.iter().find(|o| o.parameter == parameter.name) else {
        errors.push(OptionError {
            message: format!(
                "unknown parameter `{}`{}",
                parameter.name,
                suggest(&parameter.name, OPTIONS.map(|o| o.parameter))
            ),
            help: format!(
                "spec.source.plugin.parameters takes {}",
                OPTIONS.iter().map(|o| o.parameter).collect::<Vec<_>>().join(", ")
            ),
        });
        return;
    };
    if seen.insert(parameter.name.clone(), ()).is_some() {
        errors.push(OptionError {
            message: format!("parameter `{}` is set twice", spec.parameter),
            help: "keep one entry per parameter in spec.source.plugin.parameters".into(),
        });
        return;
    }
    if parameter.array.is_some() || parameter.map.is_some() {
        errors.push(OptionError {
            message: format!("parameter `{}` takes a string, not an array or a map", spec.parameter),
            help: format!("write `- name: {}` with `string: ...`", spec.parameter),
        });
        return;
    }
    if let Some(value) = parameter.string.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
        values.insert(spec.parameter, (value, format!("parameter `{}`", spec.parameter)));
    }
}

fn strip_prefix_ignore_case<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    let head = name.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &name[prefix.len()..])
}

/// Argo CD's `PARAM_` name of a parameter: non-word characters become `_`, upper case.
fn param_env_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c.to_ascii_uppercase() } else { '_' }).collect()
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

fn suggest<const N: usize>(name: &str, known: [&str; N]) -> String {
    crate::suggest::nearest(name, known).map(|k| format!(" (did you mean `{k}`?)")).unwrap_or_default()
}
