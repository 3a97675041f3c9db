//! What `meshedge check` finds besides the analyses ([`CheckError`]): the schema validation of
//! the final objects and the suppression rules that hid nothing. Each variant gives its code,
//! message and help in one place.

use crate::analyzers::suppress::SuppressRule;
use crate::diagnostic::{Code, Explain};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckError {
    /// E701: a field its kind's schema refuses (`path` as the validator writes it).
    SchemaInvalid { path: String, problem: String },
    /// W702: an object of a kind no schema describes.
    NoSchema { api_version: String, kind: String },
    /// W703: a rule of `settings.check.suppress` that suppressed no finding.
    UnusedSuppression { index: usize, rule: SuppressRule },
    /// W703: a rule of `settings.check.suppress` (`by`, as `settings.check.suppress[0]`) or an
    /// annotation entry (`by`, as `annotation meshedge.io/check-suppress: A601`) that matches
    /// error `code`: the error is reported all the same.
    SuppressesError { by: String, code: String },
    /// W703: an entry of a suppression annotation that names no code meshedge knows.
    UnknownAnnotationCode { annotation: String, entry: String },
    /// W704: one of meshedge's own input documents (`meshedge.io`) among plain manifests.
    MeshedgeInput { kind: String },
    /// E484: a schema of an OpenAPI document that reaches itself by `$ref` alone (`through`,
    /// the schema names of the cycle).
    RefCycle { schema: String, through: Vec<String> },
}

impl CheckError {
    /// A failure line of the schema validator, `path: problem` (`<root>` when there is no path).
    pub fn schema_failure(failure: &str) -> Self {
        let (path, problem) = failure.split_once(": ").unwrap_or(("<root>", failure));
        CheckError::SchemaInvalid { path: path.to_string(), problem: problem.to_string() }
    }
}

impl Explain for CheckError {
    fn code(&self) -> Code {
        match self {
            CheckError::SchemaInvalid { .. } => Code::E701,
            CheckError::NoSchema { .. } => Code::W702,
            CheckError::UnusedSuppression { .. }
            | CheckError::SuppressesError { .. }
            | CheckError::UnknownAnnotationCode { .. } => Code::W703,
            CheckError::MeshedgeInput { .. } => Code::W704,
            CheckError::RefCycle { .. } => Code::E484,
        }
    }

    fn message(&self) -> String {
        match self {
            CheckError::SchemaInvalid { path, problem } => format!("`{path}`: {problem}"),
            CheckError::NoSchema { api_version, kind } => {
                format!("no schema for {kind} ({api_version}): the object is not validated")
            }
            CheckError::MeshedgeInput { kind } => {
                format!("{kind} is a meshedge input, not a manifest for the cluster: it is not checked here")
            }
            CheckError::RefCycle { schema, through } => {
                format!("schema `{schema}` reaches itself by `$ref` alone ({})", through.join(" -> "))
            }
            CheckError::SuppressesError { by, code } => {
                format!("{by} matches error {code}: errors cannot be suppressed, it is reported")
            }
            CheckError::UnknownAnnotationCode { annotation, entry } => {
                format!("annotation {annotation} names `{entry}`, a code meshedge does not know")
            }
            CheckError::UnusedSuppression { index, rule } => match rule_code(&rule.code) {
                RuleCode::Error => format!(
                    "`settings.check.suppress[{index}]` names error {}: errors cannot be suppressed",
                    rule.code.trim()
                ),
                RuleCode::Unknown => {
                    format!("`settings.check.suppress[{index}]` names `{}`, a code meshedge does not know", rule.code)
                }
                RuleCode::Finding => {
                    format!("`settings.check.suppress[{index}]` (code {}) suppresses no finding", rule.code)
                }
            },
        }
    }

    fn help(&self) -> Option<String> {
        Some(
            match self {
                CheckError::SchemaInvalid { .. } => {
                    "fix the field as the kind's schema says (the API server would refuse or drop it)"
                }
                CheckError::NoSchema { api_version, .. } if is_built_in_group(api_version) => {
                    "a built-in Kubernetes kind meshedge ships no schema for: give its OpenAPI v3 document \
                     (`api/openapi-spec/v3` of the Kubernetes release) with `--schemas DIR` or in `schemas/`"
                }
                CheckError::NoSchema { .. } => {
                    "give its CustomResourceDefinition with `--schemas DIR` or in the repository's `schemas/` directory"
                }
                CheckError::MeshedgeInput { .. } => {
                    "check the environment that reads it (`meshedge check ENVIRONMENT`, the directory with its \
                     `meshedge.yaml`); `meshedge schema --kind KIND` gives the schema editors validate it with"
                }
                CheckError::RefCycle { .. } => {
                    "break the cycle: a schema may refer to itself under `properties`, `items` or \
                     `additionalProperties`, not through `$ref`, `allOf`, `anyOf`, `oneOf` or `not` alone"
                }
                CheckError::SuppressesError { .. } => {
                    "fix the error; only warnings can be suppressed (docs/analyses.md gives each finding's severity)"
                }
                CheckError::UnknownAnnotationCode { .. } => {
                    "give codes of warnings (docs/analyses.md: A602, or Istio's IST0102) or `*`, separated by commas"
                }
                CheckError::UnusedSuppression { rule, .. } => match rule_code(&rule.code) {
                    RuleCode::Error => {
                        "only the analyses' findings (A6xx, or their IST codes) can be suppressed: fix the error, and remove the rule"
                    }
                    RuleCode::Unknown => {
                        "give a code of docs/errors.md or docs/analyses.md (A6xx), an Istio code (IST0101) or `*`"
                    }
                    RuleCode::Finding => "remove the rule, or fix its code, kind, name or namespace",
                },
            }
            .to_string(),
        )
    }
}

/// The API groups the Kubernetes API server serves itself (objects of them need no CRD): the
/// core group (`api/v1`) and the groups of kubernetes-sigs/kubectl-validate
/// a97ccfaca20b164819afdae780392496f6ed6bbd `pkg/openapiclient/builtins/1.32/apis/` (the OpenAPI
/// documents Kubernetes 1.32 serves; 1.27's are the same less `storagemigration.k8s.io`).
const BUILT_IN_GROUPS: [&str; 23] = [
    "",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "internal.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
    "storagemigration.k8s.io",
];

/// Whether `api_version` belongs to a group the Kubernetes API server serves itself.
fn is_built_in_group(api_version: &str) -> bool {
    let group = api_version.rsplit_once('/').map_or("", |(group, _)| group);
    BUILT_IN_GROUPS.contains(&group)
}

/// What a suppression rule's code names.
pub(crate) enum RuleCode {
    /// A finding of the analyses (`A6xx`), an Istio code, a warning or `*`.
    Finding,
    /// An error (`E…`, an analysis of error severity such as `A601`, or its Istio code): never
    /// suppressed.
    Error,
    /// No code meshedge knows.
    Unknown,
}

pub(crate) fn rule_code(code: &str) -> RuleCode {
    let code = code.trim();
    let istio = code.len() == 7
        && code.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("IST"))
        && code[3..].bytes().all(|b| b.is_ascii_digit());
    if istio {
        // Istio codes meshedge has an analysis for take its severity; others are Istio's own.
        let rule =
            crate::analyzers::rules::RULES.iter().find(|r| r.istio.is_some_and(|i| i.eq_ignore_ascii_case(code)));
        return match rule {
            Some(r) if r.id.severity() == crate::diagnostic::Severity::Error => RuleCode::Error,
            _ => RuleCode::Finding,
        };
    }
    if code == "*" {
        return RuleCode::Finding;
    }
    match Code::ALL.iter().find(|c| c.as_str().eq_ignore_ascii_case(code)) {
        Some(c) if c.severity() == crate::diagnostic::Severity::Error => RuleCode::Error,
        Some(_) => RuleCode::Finding,
        None => RuleCode::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_variant_has_its_code_and_a_lowercase_message() {
        let all = [
            CheckError::schema_failure("spec.servers[0].foo: unknown field"),
            CheckError::NoSchema { api_version: "example.com/v1".into(), kind: "Widget".into() },
            CheckError::UnusedSuppression {
                index: 2,
                rule: SuppressRule { code: "A606".into(), ..Default::default() },
            },
        ];
        let codes: Vec<Code> = all.iter().map(Explain::code).collect();
        assert_eq!(codes, [Code::E701, Code::W702, Code::W703]);
        assert_eq!(CheckError::MeshedgeInput { kind: "Tenant".into() }.code(), Code::W704);
        assert_eq!(all[0].message(), "`spec.servers[0].foo`: unknown field");
        assert_eq!(CheckError::schema_failure("expected object").message(), "`<root>`: expected object");
        assert!(all[2].message().starts_with("`settings.check.suppress[2]` (code A606)"));
        assert!(all.iter().all(|e| e.help().is_some()));
    }

    #[test]
    fn a_rule_naming_an_error_or_an_unknown_code_says_so() {
        let unused = |code: &str| CheckError::UnusedSuppression {
            index: 0,
            rule: SuppressRule { code: code.into(), ..Default::default() },
        };
        assert!(unused("E701").message().contains("errors cannot be suppressed"), "{}", unused("E701").message());
        assert!(unused("A999").message().contains("`A999`, a code meshedge does not know"));
        assert!(unused("junk").message().contains("`junk`"));
        for known in ["A606", "IST0128", "*", "W702"] {
            assert!(unused(known).message().ends_with("suppresses no finding"), "{known}");
        }
    }

    #[test]
    fn a_built_in_kind_without_schema_is_not_told_to_bring_a_crd() {
        let help = |api_version: &str| {
            CheckError::NoSchema { api_version: api_version.into(), kind: "X".into() }.help().unwrap_or_default()
        };
        for built_in in ["apps/v1", "networking.k8s.io/v1", "v1", "policy/v1", "storage.k8s.io/v1"] {
            assert!(!help(built_in).contains("CustomResourceDefinition"), "{built_in}");
            assert!(help(built_in).contains("OpenAPI"), "{built_in}");
        }
        for crd in ["gateway.networking.k8s.io/v1", "example.com/v1", "cluster.x-k8s.io/v1beta1"] {
            assert!(help(crd).contains("CustomResourceDefinition"), "{crd}");
        }
    }
}
