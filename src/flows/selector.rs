//! Label selectors and label sets.
//!
//! Kubernetes label selectors (`matchLabels` and `matchExpressions`) follow
//! kubernetes/apimachinery `pkg/apis/meta/v1/helpers.go` `LabelSelectorAsSelector` and
//! `pkg/labels/selector.go` `Requirement.Matches` @v0.29.0: every requirement must hold;
//! `In`/`Exists` need the key, `NotIn`/`DoesNotExist` hold when it is absent; an empty selector
//! selects everything and an absent (null) one nothing. Istio workload selectors are
//! `matchLabels` only, a subset test.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// A label set (a pod's or a namespace's labels).
pub type Labels = BTreeMap<String, String>;

/// Reads a `{key: value}` map of strings; `None` when it is not one.
pub fn labels_of(value: &Value) -> Option<Labels> {
    let map = value.as_object()?;
    let mut out = Labels::new();
    for (k, v) in map {
        out.insert(k.clone(), v.as_str()?.to_string());
    }
    Some(out)
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Requirement {
    In(String, BTreeSet<String>),
    NotIn(String, BTreeSet<String>),
    Exists(String),
    DoesNotExist(String),
}

impl Requirement {
    fn matches(&self, labels: &Labels) -> bool {
        match self {
            Requirement::In(k, values) => labels.get(k).is_some_and(|v| values.contains(v)),
            Requirement::NotIn(k, values) => labels.get(k).is_none_or(|v| !values.contains(v)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::DoesNotExist(k) => !labels.contains_key(k),
        }
    }
}

/// A parsed Kubernetes label selector.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Selector {
    /// `None`: the null selector, which selects nothing.
    requirements: Option<Vec<Requirement>>,
}

impl Selector {
    /// The empty selector: selects everything.
    pub fn everything() -> Selector {
        Selector { requirements: Some(Vec::new()) }
    }

    /// The null selector: selects nothing.
    pub fn nothing() -> Selector {
        Selector { requirements: None }
    }

    /// A selector of `matchLabels` only.
    pub fn from_labels(labels: &Labels) -> Selector {
        let requirements =
            labels.iter().map(|(k, v)| Requirement::In(k.clone(), BTreeSet::from([v.clone()]))).collect();
        Selector { requirements: Some(requirements) }
    }

    /// Parses a `LabelSelector`; an absent field (`None`) or `null` is the null selector.
    /// Errors are what the API server refuses (an unknown operator, `In`/`NotIn` without values,
    /// `Exists`/`DoesNotExist` with values, a value that is not a string).
    pub fn parse(value: Option<&Value>) -> Result<Selector, String> {
        let Some(value) = value.filter(|v| !v.is_null()) else { return Ok(Selector::nothing()) };
        let map = value.as_object().ok_or("a label selector must be a map")?;
        let mut requirements = Vec::new();
        if let Some(labels) = map.get("matchLabels").filter(|v| !v.is_null()) {
            let labels = labels_of(labels).ok_or("matchLabels must map strings to strings")?;
            requirements.extend(labels.into_iter().map(|(k, v)| Requirement::In(k, BTreeSet::from([v]))));
        }
        if let Some(expressions) = map.get("matchExpressions").filter(|v| !v.is_null()) {
            for expr in expressions.as_array().ok_or("matchExpressions must be a list")? {
                let key = expr.get("key").and_then(Value::as_str).ok_or("a match expression needs a key")?.to_string();
                let operator = expr.get("operator").and_then(Value::as_str).unwrap_or_default();
                let values = match expr.get("values").filter(|v| !v.is_null()) {
                    None => BTreeSet::new(),
                    Some(values) => values
                        .as_array()
                        .ok_or("values must be a list")?
                        .iter()
                        .map(|v| v.as_str().map(str::to_string).ok_or("values must be strings"))
                        .collect::<Result<_, _>>()?,
                };
                let requirement = match operator {
                    "In" | "NotIn" if values.is_empty() => {
                        return Err(format!("operator {operator} needs values"));
                    }
                    "Exists" | "DoesNotExist" if !values.is_empty() => {
                        return Err(format!("operator {operator} takes no values"));
                    }
                    "In" => Requirement::In(key, values),
                    "NotIn" => Requirement::NotIn(key, values),
                    "Exists" => Requirement::Exists(key),
                    "DoesNotExist" => Requirement::DoesNotExist(key),
                    other => return Err(format!("{other:?} is not a label selector operator")),
                };
                requirements.push(requirement);
            }
        }
        Ok(Selector { requirements: Some(requirements) })
    }

    /// Parses a selector that is never null (`NetworkPolicySpec.podSelector`): absent means empty.
    pub fn parse_or_everything(value: Option<&Value>) -> Result<Selector, String> {
        match value.filter(|v| !v.is_null()) {
            None => Ok(Selector::everything()),
            some => Selector::parse(some),
        }
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        match &self.requirements {
            None => false,
            Some(requirements) => requirements.iter().all(|r| r.matches(labels)),
        }
    }

    pub fn is_everything(&self) -> bool {
        self.requirements.as_ref().is_some_and(Vec::is_empty)
    }

    /// The fewest labels a pod needs to be selected: each `In` key with its first value, each
    /// `Exists` key with an empty value (`NotIn` and `DoesNotExist` hold without the key).
    /// `None` for the null selector and for one no label set satisfies.
    pub fn witness(&self) -> Option<Labels> {
        let requirements = self.requirements.as_ref()?;
        let mut labels = Labels::new();
        for r in requirements {
            match r {
                Requirement::In(k, values) => {
                    let v = values.iter().next()?;
                    labels.entry(k.clone()).or_insert_with(|| v.clone());
                }
                Requirement::Exists(k) => {
                    labels.entry(k.clone()).or_default();
                }
                Requirement::NotIn(..) | Requirement::DoesNotExist(_) => {}
            }
        }
        self.matches(&labels).then_some(labels)
    }
}

/// An Istio workload selector (`selector.matchLabels`, Gateway `selector`): the workload's labels
/// must contain every pair. Absent = every workload in scope.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct WorkloadSelector(pub Labels);

impl WorkloadSelector {
    pub fn matches(&self, labels: &Labels) -> bool {
        self.0.iter().all(|(k, v)| labels.get(k) == Some(v))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_witness_is_the_fewest_labels_a_selector_selects() {
        let s = Selector::parse(Some(&json!({"matchLabels": {"app": "web"}, "matchExpressions": [
            {"key": "tier", "operator": "Exists"}, {"key": "env", "operator": "NotIn", "values": ["dev"]}]})))
        .unwrap();
        assert_eq!(s.witness(), Some(labels(&[("app", "web"), ("tier", "")])));
        assert_eq!(Selector::everything().witness(), Some(Labels::new()));
        assert_eq!(Selector::nothing().witness(), None);
        let contradiction = Selector::parse(Some(&json!({"matchLabels": {"app": "web"}, "matchExpressions": [
            {"key": "app", "operator": "DoesNotExist"}]})))
        .unwrap();
        assert_eq!(contradiction.witness(), None);
    }

    #[test]
    fn empty_selects_everything_and_null_nothing() {
        let empty = Selector::parse(Some(&json!({}))).unwrap();
        assert!(empty.matches(&labels(&[])));
        assert!(empty.matches(&labels(&[("a", "b")])));
        let null = Selector::parse(None).unwrap();
        assert!(!null.matches(&labels(&[])));
        assert!(Selector::parse_or_everything(None).unwrap().matches(&labels(&[("x", "y")])));
    }

    #[test]
    fn match_labels_and_expressions_are_anded() {
        let s = Selector::parse(Some(&json!({
            "matchLabels": {"app": "db"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]
        })))
        .unwrap();
        assert!(s.matches(&labels(&[("app", "db"), ("tier", "a")])));
        assert!(!s.matches(&labels(&[("app", "db"), ("tier", "c")])));
        assert!(!s.matches(&labels(&[("tier", "a")])));
    }

    #[test]
    fn not_in_and_does_not_exist_hold_for_absent_keys() {
        let not_in =
            Selector::parse(Some(&json!({"matchExpressions": [{"key": "k", "operator": "NotIn", "values": ["x"]}]})));
        let not_in = not_in.unwrap();
        assert!(not_in.matches(&labels(&[])));
        assert!(not_in.matches(&labels(&[("k", "y")])));
        assert!(!not_in.matches(&labels(&[("k", "x")])));
        let exists = Selector::parse(Some(&json!({"matchExpressions": [{"key": "k", "operator": "Exists"}]}))).unwrap();
        assert!(!exists.matches(&labels(&[])));
        assert!(exists.matches(&labels(&[("k", "")])));
        let absent =
            Selector::parse(Some(&json!({"matchExpressions": [{"key": "k", "operator": "DoesNotExist"}]}))).unwrap();
        assert!(absent.matches(&labels(&[])));
        assert!(!absent.matches(&labels(&[("k", "v")])));
    }

    #[test]
    fn invalid_selectors_are_refused() {
        for bad in [
            json!({"matchExpressions": [{"key": "k", "operator": "Equals", "values": ["x"]}]}),
            json!({"matchExpressions": [{"key": "k", "operator": "In"}]}),
            json!({"matchExpressions": [{"key": "k", "operator": "Exists", "values": ["x"]}]}),
            json!({"matchLabels": {"k": 1}}),
        ] {
            assert!(Selector::parse(Some(&bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn workload_selector_is_a_subset_test() {
        let s = WorkloadSelector(labels(&[("istio", "ingressgateway")]));
        assert!(s.matches(&labels(&[("istio", "ingressgateway"), ("app", "x")])));
        assert!(!s.matches(&labels(&[("app", "x")])));
        assert!(WorkloadSelector::default().matches(&labels(&[])));
    }
}
