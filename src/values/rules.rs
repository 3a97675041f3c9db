//! The character rules of Kubernetes names and DNS host names (k8s.io/apimachinery
//! `pkg/util/validation`, see the docs of [`crate::values`]): each gives the reason a value breaks
//! it, for a [`Refusal`](super::refusal::Refusal) to quote.

use super::refusal::shown;

pub(super) const LABEL_MAX: usize = 63;
pub(super) const SUBDOMAIN_MAX: usize = 253;

pub(super) fn too_long(value: &str, max: usize) -> Option<String> {
    (value.len() > max).then(|| format!("it is {} characters long, more than {max}", value.len()))
}

pub(super) fn bad_char(value: &str, allowed: impl Fn(char) -> bool) -> Option<String> {
    value.chars().find(|c| !allowed(*c)).map(|c| format!("{} is not allowed", shown(&c.to_string())))
}

pub(super) fn lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most `max` characters (`IsDNS1123Label`).
pub(super) fn dns1123_label(value: &str, max: usize) -> Result<(), String> {
    if value.is_empty() {
        return Err("it is empty".into());
    }
    if let Some(reason) = too_long(value, max).or_else(|| bad_char(value, |c| lower_alnum(c) || c == '-')) {
        return Err(reason);
    }
    if value.starts_with('-') || value.ends_with('-') {
        return Err("it must start and end with a lowercase letter or digit".into());
    }
    Ok(())
}

/// `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63 characters (`IsDNS1035Label`).
pub(super) fn dns1035_label(value: &str) -> Result<(), String> {
    dns1123_label(value, LABEL_MAX)?;
    if !value.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("it must start with a lowercase letter".into());
    }
    Ok(())
}

/// DNS-1123 labels joined by `.`, at most 253 characters (`IsDNS1123Subdomain`: the labels of
/// a subdomain have no length limit of their own there).
pub(super) fn dns1123_subdomain(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("it is empty".into());
    }
    if let Some(reason) = too_long(value, SUBDOMAIN_MAX) {
        return Err(reason);
    }
    for part in value.split('.') {
        dns1123_label(part, SUBDOMAIN_MAX)
            .map_err(|reason| if part.is_empty() { "it has an empty part between dots".to_string() } else { reason })?;
    }
    Ok(())
}

/// The name part of a qualified name: `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, at most 63.
pub(super) fn qualified_part(value: &str) -> Result<(), String> {
    if let Some(reason) = too_long(value, LABEL_MAX)
        .or_else(|| bad_char(value, |c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(reason);
    }
    let alnum = |c: char| c.is_ascii_alphanumeric();
    if !value.starts_with(alnum) || !value.ends_with(alnum) {
        return Err("it must start and end with a letter or digit".into());
    }
    Ok(())
}

/// `[prefix/]name`: prefix a DNS-1123 subdomain, name a qualified name part (`IsQualifiedName`).
pub(super) fn qualified_name(value: &str) -> Result<(), String> {
    let name = match value.split('/').collect::<Vec<_>>()[..] {
        [name] => name,
        [prefix, name] => {
            dns1123_subdomain(prefix).map_err(|reason| format!("its prefix {}: {reason}", shown(prefix)))?;
            name
        }
        _ => return Err("it has more than one `/`".into()),
    };
    if name.is_empty() {
        return Err("its name part is empty".into());
    }
    qualified_part(name)
}

/// Empty, or a qualified name part (`IsValidLabelValue`).
pub(super) fn label_value(value: &str) -> Result<(), String> {
    if value.is_empty() { Ok(()) } else { qualified_part(value) }
}

/// `[-._a-zA-Z0-9]+`, at most 253, not `.`, `..` or `..`-prefixed (`IsConfigMapKey`).
pub(super) fn config_map_key(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("it is empty".into());
    }
    if let Some(reason) = too_long(value, SUBDOMAIN_MAX)
        .or_else(|| bad_char(value, |c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(reason);
    }
    if value == "." || value.starts_with("..") {
        return Err("it must not be `.` or start with `..`".into());
    }
    Ok(())
}

/// A host name as DNS writes it: lowercase DNS-1123 labels of at most 63 characters joined by
/// `.`, at most 253 characters in all.
pub(super) fn host_name(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("it is empty".into());
    }
    if let Some(reason) = too_long(value, SUBDOMAIN_MAX) {
        return Err(reason);
    }
    for part in value.split('.') {
        dns1123_label(part, LABEL_MAX).map_err(|reason| {
            if part.is_empty() {
                "it has an empty label between dots".to_string()
            } else {
                format!("label {}: {reason}", shown(part))
            }
        })?;
    }
    Ok(())
}

/// Whether `s` is a DNS-1123 label (a namespace name): at most 63 lowercase letters, digits
/// and `-`, starting and ending with a letter or digit.
pub(crate) fn is_dns_label(s: &str) -> bool {
    dns1123_label(s, LABEL_MAX).is_ok()
}

/// A host name, or `*.` and a host name (a wildcard over its subdomains).
pub(crate) fn is_host(value: &str) -> bool {
    host_name(value.strip_prefix("*.").unwrap_or(value)).is_ok()
}
