//! Where a final object came from ([`Trace`]): what placing a finding about it in the input
//! needs, kept while the object is still in the value form so that nothing has to read it back.

use serde_json::Value;

use super::Object;
use crate::diagnostic::ResourceRef;

/// The input side of a final object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trace {
    /// The input files it came from, sorted, repo-relative.
    pub sources: Vec<String>,
    /// Its identity when it was generated or read, when a patch changed it.
    pub origin: Option<ResourceRef>,
    /// The patches applied to it (`file#index`, `manifest#patches[i]`), in order.
    pub patched_by: Vec<String>,
    /// The hosts it carries (`spec.hosts`, `spec.host`, the names of `spec.servers[].hosts`):
    /// what ties a generated object to the item of its request.
    pub hosts: Vec<String>,
}

impl Trace {
    /// The trace of `object`, whose value is `value` (an item of a `List`, or the object's own).
    pub fn of(value: &Value, object: &Object<'_>) -> Self {
        Trace {
            sources: object.sources.to_vec(),
            origin: object.origin.cloned(),
            patched_by: object.patched_by.to_vec(),
            hosts: hosts_of(value),
        }
    }
}

/// The hosts of an object, for [`Trace::hosts`].
fn hosts_of(value: &Value) -> Vec<String> {
    let mut hosts = Vec::new();
    let spec = value.get("spec");
    for key in ["hosts", "host"] {
        match spec.and_then(|s| s.get(key)) {
            Some(Value::String(h)) => hosts.push(h.clone()),
            Some(Value::Array(list)) => hosts.extend(list.iter().filter_map(Value::as_str).map(str::to_string)),
            _ => {}
        }
    }
    let servers = spec.and_then(|s| s.get("servers")).and_then(Value::as_array).into_iter().flatten();
    for server in servers {
        let list = server.get("hosts").and_then(Value::as_array).into_iter().flatten();
        hosts.extend(list.filter_map(Value::as_str).map(|h| h.split_once('/').map_or(h, |(_, h)| h).to_string()));
    }
    hosts
}

/// The file a finding about an object with these sources points at: the first of them under a
/// `tenants/` directory (the request), else under `resources/` (the plain resource), else the
/// first (a layer manifest). `sources` are sorted repo-relative paths.
pub fn origin_file(sources: &[String]) -> Option<&str> {
    sources
        .iter()
        .find(|f| under(f, "tenants"))
        .or_else(|| sources.iter().find(|f| under(f, "resources")))
        .or_else(|| sources.first())
        .map(String::as_str)
}

/// Whether `file` is under a directory named `dir` (the file's own name does not count).
pub fn under(file: &str, dir: &str) -> bool {
    file.split('/').rev().skip(1).any(|part| part == dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_point_at_the_request_then_the_resource_then_the_manifest() {
        let files = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let request = "base/tenants/shop/storefront.yaml";
        assert_eq!(
            origin_file(&files(&["base/meshedge.yaml", request, "environments/prod/meshedge.yaml"])),
            Some(request)
        );
        assert_eq!(
            origin_file(&files(&["base/meshedge.yaml", "base/resources/vs.yaml"])),
            Some("base/resources/vs.yaml")
        );
        // A layer directory named like the convention is not one.
        assert_eq!(origin_file(&files(&["tenants/meshedge.yaml"])), Some("tenants/meshedge.yaml"));
        assert_eq!(origin_file(&[]), None);
    }

    #[test]
    fn hosts_are_read_from_every_place_a_host_is_written() {
        let gateway = serde_json::json!({"spec": {"servers": [{"hosts": ["ns/a.example.com", "b.example.com"]}]}});
        assert_eq!(hosts_of(&gateway), ["a.example.com", "b.example.com"]);
        let rule = serde_json::json!({"spec": {"host": "api.example.com"}});
        assert_eq!(hosts_of(&rule), ["api.example.com"]);
    }
}
