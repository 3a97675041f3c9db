//! The names the Kubernetes API server takes: `metadata.name`, `metadata.namespace`, label keys
//! and values. A final object that breaks them is refused by the cluster (E707).
//!
//! Source: kubernetes/apimachinery v0.32.0 (Kubernetes 1.32; the same rules since before 1.27):
//! - `pkg/util/validation/validation.go`: `IsDNS1123Label` (`[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at
//!   most 63), `IsDNS1123Subdomain` (labels joined by `.`, at most 253), `IsQualifiedName`
//!   (optional DNS-1123 subdomain prefix and `/`, then a name of at most 63 matching
//!   `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`), `IsValidLabelValue` (empty, or the same
//!   pattern, at most 63).
//! - `pkg/api/validation/generic.go`: `NameIsDNSSubdomain` (the rule of most kinds and of every
//!   custom resource), `ValidateNamespaceName = NameIsDNSLabel`.
//! - `pkg/api/validation/path/name.go` `IsValidPathSegmentName`: the rule of the RBAC kinds
//!   (`rbac.authorization.k8s.io`, whose names such as `system:node` are no DNS names): not `.`
//!   or `..`, no `/` or `%`.
//!
//! Kubernetes documentation, "Object Names and IDs":
//! <https://kubernetes.io/docs/concepts/overview/working-with-objects/names/>.

/// What a name breaks, as a short phrase; `None` when the API server takes it.
pub fn name_problem(group: &str, kind: &str, name: &str) -> Option<String> {
    if group == "rbac.authorization.k8s.io" {
        return (name == "." || name == ".." || name.contains(['/', '%']))
            .then(|| "a path segment may not be `.` or `..` nor hold `/` or `%`".to_string());
    }
    if group.is_empty() && kind == "Namespace" {
        return dns_label_problem(name);
    }
    subdomain_problem(name)
}

/// What a namespace name breaks (a DNS-1123 label).
pub fn namespace_problem(namespace: &str) -> Option<String> {
    dns_label_problem(namespace)
}

/// What an `apiVersion` breaks: it is `version` (the core group) or `group/version`
/// (kubernetes/apimachinery v0.32.0 `pkg/runtime/schema/group_version.go` `ParseGroupVersion`
/// refuses more than one `/`; an empty group or version names no served API). meshedge also
/// asks the group to be a DNS-1123 subdomain and the version a DNS-1123 label, as every group and
/// version the API server serves is named: another spelling can match none.
pub fn api_version_problem(api_version: &str) -> Option<String> {
    let (group, version) = match api_version.split_once('/') {
        None => (None, api_version),
        Some((_, version)) if version.contains('/') => {
            return Some("has more than one `/`: write `version` (`v1`) or `group/version` (`apps/v1`)".into());
        }
        Some((group, version)) => (Some(group), version),
    };
    if version.is_empty() || group == Some("") {
        return Some("has an empty group or version: write `version` (`v1`) or `group/version` (`apps/v1`)".into());
    }
    if let Some(problem) = dns_label_problem(version) {
        return Some(format!("has version `{version}`: {problem}"));
    }
    if let Some(group) = group
        && let Some(problem) = subdomain_problem(group)
    {
        return Some(format!("has group `{group}`: {problem}"));
    }
    None
}

fn is_dns_label(text: &str) -> bool {
    let bytes = text.as_bytes();
    let inner = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-';
    let edge = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    edge(bytes.first()) && edge(bytes.last()) && bytes.iter().all(inner)
}

fn dns_label_problem(text: &str) -> Option<String> {
    if text.len() > 63 {
        return Some(format!("a DNS-1123 label has at most 63 characters, not {}", text.len()));
    }
    (!is_dns_label(text)).then(|| {
        "a DNS-1123 label is lowercase letters, digits and `-`, starting and ending with a letter or digit".to_string()
    })
}

fn subdomain_problem(text: &str) -> Option<String> {
    if text.len() > 253 {
        return Some(format!("a DNS-1123 subdomain has at most 253 characters, not {}", text.len()));
    }
    (!text.split('.').all(is_dns_label)).then(|| {
        "a DNS-1123 subdomain is lowercase letters, digits, `-` and `.`, each `.`-separated part starting and \
         ending with a letter or digit"
            .to_string()
    })
}

fn is_qualified_part(text: &str) -> bool {
    let bytes = text.as_bytes();
    let edge = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
    edge(bytes.first())
        && edge(bytes.last())
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// What a label key breaks (a qualified name: `[prefix/]name`).
pub fn label_key_problem(key: &str) -> Option<String> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix
        && let Some(problem) = subdomain_problem(prefix)
    {
        return Some(format!("its prefix: {problem}"));
    }
    if name.len() > 63 {
        return Some(format!("its name part has at most 63 characters, not {}", name.len()));
    }
    (!is_qualified_part(name)).then(|| {
        "its name part is letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit".to_string()
    })
}

/// What a label value breaks (empty, or a qualified name part of at most 63 characters).
pub fn label_value_problem(value: &str) -> Option<String> {
    if value.len() > 63 {
        return Some(format!("a label value has at most 63 characters, not {}", value.len()));
    }
    (!value.is_empty() && !is_qualified_part(value)).then(|| {
        "a label value is empty or letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit"
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_versions_as_parse_group_version_and_crd_validation_take_them() {
        for ok in ["v1", "apps/v1", "networking.istio.io/v1beta1", "example.com/v2alpha1"] {
            assert_eq!(api_version_problem(ok), None, "{ok}");
        }
        for bad in ["///", "v1/", "/v1", "", "a/b/c", "V1", "Apps/v1", "apps/v 1"] {
            assert!(api_version_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn names_as_kubernetes_apimachinery_v0_32_0_validation_go_takes_them() {
        for ok in ["web", "a.b-c", "0abc", "x"] {
            assert_eq!(name_problem("networking.istio.io", "Gateway", ok), None, "{ok}");
        }
        for bad in ["Stripe_DR", "x..y", "", "-a", "a-", "A/B", &"a".repeat(254)] {
            assert!(name_problem("networking.istio.io", "Gateway", bad).is_some(), "{bad}");
        }
        assert!(name_problem("", "Namespace", "a.b").is_some(), "a namespace is a label");
        assert_eq!(name_problem("rbac.authorization.k8s.io", "ClusterRole", "system:Node_x"), None);
        assert!(name_problem("rbac.authorization.k8s.io", "Role", "a/b").is_some());
        assert!(namespace_problem("A B").is_some() && namespace_problem("../..").is_some());
        assert!(namespace_problem(&"a".repeat(64)).is_some() && namespace_problem(&"a".repeat(63)).is_none());
        assert_eq!(label_key_problem("app.kubernetes.io/name"), None);
        assert_eq!(label_key_problem("My_Key.1"), None);
        for bad in ["", "a/", "/a", "Bad_Prefix/x", "a b", "x/-y"] {
            assert!(label_key_problem(bad).is_some(), "{bad}");
        }
        assert_eq!(label_value_problem(""), None);
        assert_eq!(label_value_problem("v1.2_x-y"), None);
        assert!(label_value_problem("a b").is_some() && label_value_problem(&"a".repeat(64)).is_some());
    }
}
