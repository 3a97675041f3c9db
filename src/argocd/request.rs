//! What Argo CD tells the plugin about one manifest request: its build environment, and the
//! plugin's options from the Application's plugin env (`ARGOCD_ENV_MESHEDGE_*`) and parameters
//! (`ARGOCD_APP_PARAMETERS`, or the `PARAM_*` variables when that one is absent).

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

impl Request {
    /// Reads a request from environment variables (empty values count as absent).
    pub fn from_vars(vars: &BTreeMap<String, String>) -> Result<Request, Vec<OptionError>> {
        let get = |name: &str| vars.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()).map(str::to_string);
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
        match get("ARGOCD_APP_PARAMETERS").filter(|p| p != "null") {
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
                    if let Some(value) = get(&variable) {
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
        if !errors.is_empty() {
            return Err(errors);
        }
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

/// A repository URL without credentials (`https://user:token@host/…` → `https://host/…`).
///
/// Read with the URL crate (WHATWG URL rules, as Git's and Argo CD's readers split the
/// authority): user name and password are removed, whatever they hold once percent-encoded.
/// A URL the crate cannot read that still has an `@` after its scheme keeps only its scheme,
/// since where its credentials end cannot be told (`https://u:p/ss@h/r@abc`); a URL without
/// `://` (`git@host:org/repo.git`) names no secret and is kept.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.username().is_empty() && parsed.password().is_none() {
                return url.to_string();
            }
            // Both only fail for URLs that cannot hold credentials in the first place.
            if parsed.set_password(None).is_err() || parsed.set_username("").is_err() {
                return format!("{scheme}://(redacted)");
            }
            parsed.to_string()
        }
        Err(_) if rest.contains('@') => format!("{scheme}://(redacted)"),
        Err(_) => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_without_any_variable() {
        let request = Request::from_vars(&BTreeMap::new()).unwrap();
        assert_eq!(request.options, Options::default());
        assert_eq!(request.provenance(), None);
        assert_eq!(request.context(), "");
    }

    #[test]
    fn empty_values_count_as_absent() {
        let request = Request::from_vars(&vars(&[
            ("ARGOCD_ENV_MESHEDGE_STRICT", ""),
            ("ARGOCD_ENV_MESHEDGE_ENV", " "),
            ("ARGOCD_APP_PARAMETERS", "null"),
            ("ARGOCD_APP_REVISION", ""),
        ]))
        .unwrap();
        assert_eq!(request.options, Options::default());
        assert_eq!(request.revision, None);
    }

    #[test]
    fn parameters_override_the_plugin_env() {
        let request = Request::from_vars(&vars(&[
            ("ARGOCD_ENV_MESHEDGE_STRICT", "true"),
            ("ARGOCD_ENV_MESHEDGE_ENV", "dev"),
            ("ARGOCD_APP_PARAMETERS", r#"[{"name":"strict","string":"false"},{"name":"env","string":""}]"#),
        ]))
        .unwrap();
        assert!(!request.options.strict);
        assert_eq!(request.options.env.as_deref(), Some("dev"));
        assert_eq!(request.options.env_from.as_deref(), Some("plugin env MESHEDGE_ENV"));
    }

    #[test]
    fn param_variables_stand_in_for_the_json_form() {
        let request =
            Request::from_vars(&vars(&[("PARAM_STRICT", "yes"), ("PARAM_PROVENANCE", "off"), ("PARAM_ENV", "prod")]))
                .unwrap();
        assert!(request.options.strict);
        assert!(!request.options.provenance);
        assert_eq!(request.options.env.as_deref(), Some("prod"));
        // The JSON form wins when present.
        let request = Request::from_vars(&vars(&[("PARAM_STRICT", "yes"), ("ARGOCD_APP_PARAMETERS", "[]")])).unwrap();
        assert!(!request.options.strict);
    }

    #[test]
    fn the_shard_comes_from_the_plugin_env_or_a_parameter() {
        let request = Request::from_vars(&vars(&[("ARGOCD_ENV_MESHEDGE_SHARD", " 3/16 ")])).unwrap();
        assert_eq!(request.options.shard.as_deref(), Some("3/16"));
        assert_eq!(request.options.shard_from.as_deref(), Some("plugin env MESHEDGE_SHARD"));
        let request = Request::from_vars(&vars(&[
            ("ARGOCD_ENV_MESHEDGE_SHARD", "3/16"),
            ("ARGOCD_APP_PARAMETERS", r#"[{"name":"shard","string":"4/16"}]"#),
        ]))
        .unwrap();
        assert_eq!(request.options.shard.as_deref(), Some("4/16"));
        assert_eq!(request.options.shard_from.as_deref(), Some("parameter `shard`"));
        let request = Request::from_vars(&vars(&[("PARAM_SHARD", "5/16")])).unwrap();
        assert_eq!(request.options.shard.as_deref(), Some("5/16"));
        // Read as given: the value is checked where it is used.
        let request = Request::from_vars(&vars(&[("ARGOCD_ENV_MESHEDGE_SHARD", "x")])).unwrap();
        assert_eq!(request.options.shard.as_deref(), Some("x"));
    }

    #[test]
    fn unknown_and_invalid_options_are_errors() {
        let errors = Request::from_vars(&vars(&[
            ("ARGOCD_ENV_MESHEDGE_STIRCT", "true"),
            ("ARGOCD_ENV_OTHER_TOOL", "x"),
            ("ARGOCD_APP_PARAMETERS", r#"[{"name":"provenanse","string":"no"},{"name":"strict","string":"maybe"}]"#),
        ]))
        .unwrap_err();
        let text: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(text[0].contains("MESHEDGE_STIRCT") && text[0].contains("MESHEDGE_STRICT"), "{text:?}");
        assert!(text[1].contains("`provenanse`") && text[1].contains("`provenance`"), "{text:?}");
        assert!(text[2].contains("maybe"), "{text:?}");
        let errors =
            Request::from_vars(&vars(&[("ARGOCD_APP_PARAMETERS", r#"[{"name":"env","array":["a"]}]"#)])).unwrap_err();
        assert!(errors[0].message.contains("takes a string"));
        assert!(Request::from_vars(&vars(&[("ARGOCD_APP_PARAMETERS", "{")])).is_err());
    }

    #[test]
    fn provenance_is_url_at_revision_without_credentials() {
        let mut request = Request::from_vars(&vars(&[
            ("ARGOCD_APP_REVISION", "0123456789abcdef"),
            ("ARGOCD_APP_SOURCE_REPO_URL", "https://bot:s3cret@git.example.com/edge.git"),
        ]))
        .unwrap();
        assert_eq!(request.provenance().as_deref(), Some("https://git.example.com/edge.git@0123456789abcdef"));
        request.repo_url = Some("git@git.example.com:platform/edge.git".into());
        assert_eq!(request.provenance().as_deref(), Some("git@git.example.com:platform/edge.git@0123456789abcdef"));
        request.repo_url = None;
        assert_eq!(request.provenance().as_deref(), Some("0123456789abcdef"));
        request.options.provenance = false;
        assert_eq!(request.provenance(), None);
    }
}
