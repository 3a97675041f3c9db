//! One AuthorizationPolicy: the object → a parsed [`AuthorizationPolicy`] (action, provider,
//! selector, rules) or the reason istiod's validation refuses it; whether it matches one
//! request; and the host keys it is indexed under.
//!
//! Sources (istio/istio and istio/api @1.24.3): `security/v1beta1/authorization_policy.proto`
//! (actions, no `rules` never matches, `[{}]` always matches); `pkg/config/validation/
//! validation.go` `ValidateAuthorizationPolicy` (DENY and CUSTOM need rules, CUSTOM needs
//! `provider.name` and may not use principals, namespaces, request principals or the
//! `source.namespace`, `source.principal`, `request.auth.*` keys); TCP rules
//! (`pilot/pkg/security/authz/builder/builder.go` "skipped rule ... on TCP filter chain").

use std::collections::BTreeSet;

use serde_json::Value;

use super::ObjectRef;
use super::fields::selector_of;
use super::rules::{Facts, Rule, parse_rule};
use crate::flows::selector::WorkloadSelector;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    Allow,
    Deny,
    Custom,
    Audit,
}

/// A parsed AuthorizationPolicy.
#[derive(Debug, Clone)]
pub struct AuthorizationPolicy {
    pub reference: ObjectRef,
    pub namespace: String,
    pub action: Action,
    pub provider: Option<String>,
    pub(super) selector: WorkloadSelector,
    /// `None`: no rules (never matches).
    pub(super) rules: Option<Vec<Rule>>,
}

impl AuthorizationPolicy {
    /// Parses an AuthorizationPolicy. `Ok(None)`: a policy attached by `targetRef(s)` (to no
    /// workload modelled here); `Err`: what istiod's validation refuses.
    pub fn parse(reference: ObjectRef, value: &Value) -> Result<Option<AuthorizationPolicy>, String> {
        let spec = value.get("spec").unwrap_or(&Value::Null);
        let action = match spec.get("action").and_then(Value::as_str).unwrap_or("ALLOW") {
            "ALLOW" => Action::Allow,
            "DENY" => Action::Deny,
            "CUSTOM" => Action::Custom,
            "AUDIT" => Action::Audit,
            other => return Err(format!("unknown action {other:?}")),
        };
        let provider = spec.get("provider").and_then(|p| p.get("name")).and_then(Value::as_str).map(str::to_string);
        let rules = match spec.get("rules").and_then(Value::as_array) {
            Some(list) if !list.is_empty() => Some(list.iter().map(parse_rule).collect::<Result<Vec<_>, _>>()?),
            _ => None,
        };
        match action {
            Action::Deny | Action::Custom if rules.is_none() => {
                return Err(format!("{action:?} without rules is refused"));
            }
            Action::Custom if provider.as_deref().unwrap_or_default().is_empty() => {
                return Err("CUSTOM needs provider.name".into());
            }
            Action::Allow | Action::Deny | Action::Audit if provider.is_some() => {
                return Err("provider is only for CUSTOM".into());
            }
            _ => {}
        }
        if action == Action::Custom {
            for rule in rules.iter().flatten() {
                for s in &rule.from {
                    if !(s.principals.is_empty()
                        && s.not_principals.is_empty()
                        && s.namespaces.is_empty()
                        && s.not_namespaces.is_empty()
                        && s.request_principals.is_empty()
                        && s.not_request_principals.is_empty())
                    {
                        return Err("CUSTOM rules may not use principals, namespaces or request principals".into());
                    }
                }
                if let Some(c) = rule.when.iter().find(|c| {
                    c.key == "source.namespace" || c.key == "source.principal" || c.key.starts_with("request.auth.")
                }) {
                    return Err(format!("CUSTOM rules may not use {}", c.key));
                }
            }
        }
        let Some(selector) = selector_of(spec)? else { return Ok(None) };
        let namespace = reference.namespace.clone().unwrap_or_default();
        Ok(Some(AuthorizationPolicy { reference, namespace, action, provider, selector, rules }))
    }

    /// `selector.matchLabels`: the labels a workload needs for the policy to apply.
    pub fn selector_labels(&self) -> &crate::flows::selector::Labels {
        &self.selector.0
    }

    pub(super) fn matches(&self, f: &Facts<'_>) -> bool {
        let usable = |r: &&Rule| !(f.tcp() && self.action == Action::Allow && r.uses_http());
        self.rules.as_ref().is_some_and(|rules| rules.iter().filter(usable).any(|r| r.matches(f)))
    }

    /// The host keys under which the policy is indexed: `None` when some rule can match any
    /// host.
    pub(super) fn host_keys(&self) -> Option<BTreeSet<HostKey>> {
        let mut keys = BTreeSet::new();
        for rule in self.rules.as_ref()? {
            if rule.to.is_empty() {
                return None;
            }
            for op in &rule.to {
                if op.hosts.is_empty() {
                    return None;
                }
                for h in &op.hosts {
                    keys.insert(HostKey::of(h)?);
                }
            }
        }
        Some(keys)
    }
}

/// Where a host pattern is indexed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum HostKey {
    /// The host part (before any `:`), lower case.
    Exact(String),
    /// `*<suffix>`, lower case.
    Suffix(String),
}

impl HostKey {
    /// `None` for a pattern that can match hosts of any name (`*`, `abc*`).
    pub(super) fn of(pattern: &str) -> Option<HostKey> {
        let p = pattern.to_ascii_lowercase();
        if p == "*" {
            return None;
        }
        if let Some(suffix) = p.strip_prefix('*') {
            return Some(HostKey::Suffix(suffix.to_string()));
        }
        let exact = p.strip_suffix('*').unwrap_or(&p);
        // `host:*` and `host:443` index under `host`; a prefix without a `:` could match longer
        // names.
        match exact.split_once(':') {
            Some((host, _)) => Some(HostKey::Exact(host.to_string())),
            None if p.ends_with('*') => None,
            None => Some(HostKey::Exact(exact.to_string())),
        }
    }
}
