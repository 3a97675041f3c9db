//! Suppression: findings users chose not to see, and which rule hid each.
//!
//! Two ways, as in `istioctl analyze` (istio/istio 1.28.10
//! `pkg/config/analysis/local/istiod_analyze.go` `filterMessages`):
//! - an annotation on the object the finding is reported on: [`super::SUPPRESS_ANNOTATION`]
//!   (or Istio's [`super::ISTIO_SUPPRESS_ANNOTATION`]), a comma-separated list of codes —
//!   meshedge's (`A602`) or Istio's (`IST0132`) — or `*` for all. Istio compares the entries
//!   untrimmed (`"IST0101, IST0132"` suppresses IST0101 only); meshedge trims spaces around each
//!   entry and ignores ASCII case.
//! - rules of the layer settings (`settings.check.suppress`): a code (meshedge's, Istio's or
//!   `*`), and optionally the object's kind, name and namespace, each a pattern where `*`
//!   matches any run of characters (kind ignores ASCII case).
//!
//! Nothing is hidden silently: every suppressed finding is returned with its rule, and the
//! settings rules that suppressed nothing are returned too.
//!
//! Errors are never suppressed (istioctl's `filterMessages` drops them too, but a meshedge error
//! means the cluster or the mesh misbehaves, and `build` fails on it): a rule or an annotation
//! entry that matches an error-severity finding leaves it kept and is returned
//! ([`Outcome::matched_errors`], [`Outcome::annotation_errors`]) so that `check` can say so.

use super::{Finding, ISTIO_SUPPRESS_ANNOTATION, SUPPRESS_ANNOTATION};
use crate::input::SuppressSetting;

/// One rule of `settings.check.suppress`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SuppressRule {
    pub code: String,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
}

impl From<&SuppressSetting> for SuppressRule {
    fn from(setting: &SuppressSetting) -> Self {
        SuppressRule {
            code: setting.code.clone(),
            kind: setting.kind.clone(),
            name: setting.name.clone(),
            namespace: setting.namespace.clone(),
        }
    }
}

/// What suppressed a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuppressedBy {
    /// An annotation on the finding's object, and the entry of its list that matched.
    Annotation { annotation: String, entry: String },
    /// The rule at `index` of the settings' list.
    Setting { index: usize, rule: SuppressRule },
}

impl std::fmt::Display for SuppressedBy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SuppressedBy::Annotation { annotation, entry } => write!(f, "annotation {annotation}: {entry}"),
            SuppressedBy::Setting { index, rule } => {
                write!(f, "settings.check.suppress[{index}]: code {}", rule.code)?;
                for (field, value) in [("kind", &rule.kind), ("name", &rule.name), ("namespace", &rule.namespace)] {
                    if let Some(value) = value {
                        write!(f, ", {field} {value}")?;
                    }
                }
                Ok(())
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    pub finding: Finding,
    pub by: SuppressedBy,
}

/// The findings split by [`suppress`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub kept: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    /// Indices of the settings rules that suppressed no finding.
    pub unused: Vec<usize>,
    /// Indices of the settings rules that matched an error (kept: errors cannot be suppressed),
    /// each with the first such error's code.
    pub matched_errors: Vec<(usize, &'static str)>,
    /// Annotation entries that matched an error (kept), once per (object, annotation, entry):
    /// the error finding, the annotation and the entry.
    pub annotation_errors: Vec<(Finding, String, String)>,
}

/// Whether `entry` names the finding's code.
fn names_code(entry: &str, finding: &Finding) -> bool {
    entry == "*"
        || entry.eq_ignore_ascii_case(finding.code())
        || finding.istio().is_some_and(|istio| entry.eq_ignore_ascii_case(istio))
}

/// `pattern` with `*` matching any run of characters, against all of `text`.
pub fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else { return true };
    let Some(mut rest) = text.strip_prefix(first) else { return false };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else { return rest.is_empty() };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

fn rule_matches(rule: &SuppressRule, finding: &Finding) -> bool {
    let object = &finding.object;
    names_code(rule.code.trim(), finding)
        && rule.kind.as_deref().is_none_or(|k| glob(&k.to_ascii_lowercase(), &object.kind.to_ascii_lowercase()))
        && rule.name.as_deref().is_none_or(|n| glob(n, &object.name))
        && rule.namespace.as_deref().is_none_or(|n| glob(n, object.namespace.as_deref().unwrap_or_default()))
}

fn annotation(finding: &Finding) -> Option<SuppressedBy> {
    for key in [SUPPRESS_ANNOTATION, ISTIO_SUPPRESS_ANNOTATION] {
        let Some((_, value)) = finding.annotations.iter().find(|(k, _)| k == key) else { continue };
        if let Some(entry) = value.split(',').map(str::trim).find(|e| !e.is_empty() && names_code(e, finding)) {
            return Some(SuppressedBy::Annotation { annotation: key.to_string(), entry: entry.to_string() });
        }
    }
    None
}

/// Splits `findings` into those kept and those suppressed (by the object's annotation first,
/// then by the first settings rule that matches). Error-severity findings are always kept.
pub fn suppress(findings: Vec<Finding>, rules: &[SuppressRule]) -> Outcome {
    let mut outcome = Outcome::default();
    let mut used = vec![false; rules.len()];
    let mut erred: Vec<Option<&'static str>> = vec![None; rules.len()];
    let mut seen = std::collections::BTreeSet::new();
    for finding in findings {
        if finding.severity() == crate::diagnostic::Severity::Error {
            if let Some(SuppressedBy::Annotation { annotation, entry }) = annotation(&finding)
                && seen.insert((finding.object.clone(), annotation.clone(), entry.clone()))
            {
                outcome.annotation_errors.push((finding.clone(), annotation, entry));
            }
            for (index, rule) in rules.iter().enumerate() {
                if erred[index].is_none() && rule_matches(rule, &finding) {
                    erred[index] = Some(finding.code());
                }
            }
            outcome.kept.push(finding);
            continue;
        }
        let by = annotation(&finding).or_else(|| {
            let index = rules.iter().position(|r| rule_matches(r, &finding))?;
            used[index] = true;
            Some(SuppressedBy::Setting { index, rule: rules[index].clone() })
        });
        match by {
            Some(by) => outcome.suppressed.push(Suppressed { finding, by }),
            None => outcome.kept.push(finding),
        }
    }
    outcome.unused = used.iter().enumerate().filter(|(i, u)| !**u && erred[*i].is_none()).map(|(i, _)| i).collect();
    outcome.matched_errors = erred.iter().enumerate().filter_map(|(i, c)| c.map(|c| (i, c))).collect();
    outcome
}

#[cfg(test)]
mod tests {
    use super::super::testing::findings;
    use super::super::{Context, Finding};
    use super::*;
    use serde_json::{Value, json};

    /// A DestinationRule with IST0128 (A606) and IST0129 (A608), annotated with `annotations`.
    fn tls_rule(name: &str, annotations: Value) -> Value {
        json!({"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
            "metadata": {"name": name, "namespace": "istio-egress", "annotations": annotations},
            "spec": {"host": "api.example.com", "trafficPolicy": {"tls": {"mode": "SIMPLE"},
                "portLevelSettings": [{"port": {"number": 443}, "tls": {"mode": "SIMPLE"}}]}}})
    }

    fn analysed(values: &[Value]) -> Vec<Finding> {
        let all = findings(values, &Context::default());
        assert!(!all.is_empty());
        all
    }

    fn kept_codes(outcome: &Outcome) -> Vec<&str> {
        outcome.kept.iter().map(|f| f.code()).collect()
    }

    #[test]
    fn annotations_take_meshedge_and_istio_codes_trimmed() {
        let cases = [
            (json!({"meshedge.io/check-suppress": "IST0128"}), vec!["A608"]),
            (json!({"meshedge.io/check-suppress": "A606, ist0129"}), vec![]),
            (json!({"meshedge.io/check-suppress": " A608 ,"}), vec!["A606"]),
            (json!({"meshedge.io/check-suppress": "*"}), vec![]),
            (json!({"meshedge.io/check-suppress": "A601,A6"}), vec!["A606", "A608"]),
            (json!({"galley.istio.io/analyze-suppress": "IST0129"}), vec!["A606"]),
            (json!({"other.io/check-suppress": "*"}), vec!["A606", "A608"]),
        ];
        for (annotations, expected) in cases {
            let outcome = suppress(analysed(&[tls_rule("d", annotations.clone())]), &[]);
            assert_eq!(kept_codes(&outcome), expected, "{annotations}");
            assert_eq!(outcome.kept.len() + outcome.suppressed.len(), 2, "nothing lost");
        }
        let outcome = suppress(analysed(&[tls_rule("d", json!({"meshedge.io/check-suppress": "A606, ist0129"}))]), &[]);
        let by: Vec<String> = outcome.suppressed.iter().map(|s| s.by.to_string()).collect();
        assert_eq!(
            by,
            ["annotation meshedge.io/check-suppress: A606", "annotation meshedge.io/check-suppress: ist0129"]
        );
    }

    #[test]
    fn annotations_apply_to_the_reported_object_only() {
        let all =
            analysed(&[tls_rule("quiet", json!({"meshedge.io/check-suppress": "*"})), tls_rule("loud", json!({}))]);
        let outcome = suppress(all, &[]);
        assert!(outcome.kept.iter().all(|f| f.object.name == "loud") && outcome.kept.len() == 2);
        assert!(outcome.suppressed.iter().all(|s| s.finding.object.name == "quiet") && outcome.suppressed.len() == 2);
    }

    #[test]
    fn settings_rules_match_code_kind_name_namespace() {
        let all = || analysed(&[tls_rule("api-stripe-com", json!({})), tls_rule("feeds", json!({}))]);
        let rule = |code: &str, kind: Option<&str>, name: Option<&str>, namespace: Option<&str>| SuppressRule {
            code: code.into(),
            kind: kind.map(Into::into),
            name: name.map(Into::into),
            namespace: namespace.map(Into::into),
        };
        let cases = [
            (rule("IST0129", None, None, None), 2),
            (rule("A608", Some("destinationrule"), Some("api-*"), Some("istio-egress")), 3),
            (rule("A608", Some("VirtualService"), None, None), 4),
            (rule("*", None, Some("*-com"), None), 2),
            (rule("A608", None, None, Some("istio-*")), 2),
            (rule("A608", None, None, Some("shop")), 4),
        ];
        for (r, kept) in cases {
            let outcome = suppress(all(), std::slice::from_ref(&r));
            assert_eq!(outcome.kept.len(), kept, "{r:?}");
            assert_eq!(outcome.unused.is_empty(), kept < 4, "{r:?}");
            if let Some(s) = outcome.suppressed.first() {
                assert_eq!(s.by, SuppressedBy::Setting { index: 0, rule: r.clone() });
            }
        }
        // The annotation wins over a settings rule; the rule then suppressed nothing.
        let annotated = analysed(&[tls_rule("d", json!({"meshedge.io/check-suppress": "*"}))]);
        let outcome = suppress(annotated, &[rule("*", None, None, None), rule("A606", None, None, None)]);
        assert!(outcome.suppressed.iter().all(|s| matches!(s.by, SuppressedBy::Annotation { .. })));
        assert_eq!(outcome.unused, [0, 1]);
    }

    #[test]
    fn errors_are_kept_whatever_matches_them() {
        // A VirtualService bound to a Gateway that does not exist: A601, an error.
        let unbound = json!({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
            "metadata": {"name": "v", "namespace": "shop", "annotations": {"meshedge.io/check-suppress": "*"}},
            "spec": {"hosts": ["a.example.com"], "gateways": ["shop/nowhere"],
                "http": [{"route": [{"destination": {"host": "a.example.com"}}]}]}});
        let all = analysed(&[unbound]);
        assert!(all.iter().any(|f| f.code() == "A601"));
        let rules = [SuppressRule { code: "A601".into(), ..Default::default() }];
        let outcome = suppress(all, &rules);
        assert!(outcome.kept.iter().any(|f| f.code() == "A601"));
        assert!(outcome.suppressed.iter().all(|s| s.finding.severity() != crate::diagnostic::Severity::Error));
        assert_eq!(outcome.matched_errors, [(0, "A601")]);
        assert!(outcome.unused.is_empty(), "the rule is reported as matching an error instead");
        assert_eq!(outcome.annotation_errors.len(), 1, "once per object and entry");
    }

    #[test]
    fn glob_patterns() {
        assert!(glob("*", ""));
        assert!(glob("api-*", "api-stripe-com"));
        assert!(glob("*-com", "api-stripe-com"));
        assert!(glob("a*b*c", "a-x-b-y-c"));
        assert!(glob("exact", "exact"));
        assert!(!glob("exact", "exactly"));
        assert!(!glob("a*b*c", "a-c-b"));
        assert!(!glob("ab*ba", "aba"), "the parts may not overlap");
    }
}
