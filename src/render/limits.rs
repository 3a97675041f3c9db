//! What the cluster refuses for its size, checked on each final object (after the patches):
//! the total of its annotations, and its serialized size.

use std::io;

use serde_json::Value;

use crate::diagnostic::{Code, Diagnostic, Explain, Location, ResourceRef, Start};

/// The most bytes an object's annotations may hold, keys and values together: 256 KiB
/// (kubernetes/apimachinery `pkg/api/validation/objectmeta.go`, `TotalAnnotationSizeLimitB`,
/// commit eed236ceee2c19c2753a3d93ac0631dc20750454; `ValidateAnnotationsSize` sums
/// `len(key) + len(value)`).
pub const ANNOTATIONS_LIMIT: usize = 256 * (1 << 10);

/// The largest object meshedge emits, serialized as compact JSON: 1.5 MiB, etcd's default
/// `--max-request-bytes` (etcd-io/etcd `server/embed/config.go`, `DefaultMaxRequestBytes =
/// 1.5 * 1024 * 1024`, v3.5 and v3.6). A larger write is refused by etcd whatever the API
/// server accepts.
pub const OBJECT_LIMIT: usize = 3 * (1 << 19);

/// An object the cluster would refuse for its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SizeError {
    Annotations { object: String, bytes: usize, inputs: String },
    Object { object: String, bytes: usize, inputs: String },
}

impl Explain for SizeError {
    fn code(&self) -> Code {
        Code::E704
    }

    fn message(&self) -> String {
        match self {
            SizeError::Annotations { object, bytes, inputs } => format!(
                "`{object}` would be refused by the API server: its annotations hold {bytes} bytes, over Kubernetes' limit of {ANNOTATIONS_LIMIT} ({inputs})"
            ),
            SizeError::Object { object, bytes, inputs } => format!(
                "`{object}` would be refused by etcd: it is {bytes} bytes, over the default request limit of {OBJECT_LIMIT} ({inputs})"
            ),
        }
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            SizeError::Annotations { .. } => {
                "shorten the annotations a patch or plain resource sets on it, or split what it is made of".into()
            }
            SizeError::Object { .. } => {
                "split the tenant (fewer namespaces, hosts or requests in one) or the environment".into()
            }
        })
    }
}

/// Counts bytes written, keeping none.
struct Count(usize);

impl io::Write for Count {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The inputs an object came from, for a message: its tenant and the first files.
fn inputs(sources: &[String], tenant: Option<&str>) -> String {
    const SHOWN: usize = 3;
    let mut files: Vec<String> = sources.iter().take(SHOWN).map(|s| format!("`{s}`")).collect();
    if sources.len() > SHOWN {
        files.push(format!("{} more", sources.len() - SHOWN));
    }
    let from = if files.is_empty() { "no input file".to_string() } else { format!("from {}", files.join(", ")) };
    match tenant {
        Some(tenant) => format!("tenant `{tenant}`, {from}"),
        None => from,
    }
}

/// E704 when the final object `value` (rendered as `text`) is over [`ANNOTATIONS_LIMIT`] or
/// [`OBJECT_LIMIT`]; at its first input file, where its document starts (`start`) for a plain
/// object.
pub(crate) fn check_size(
    value: &Value,
    text: &str,
    reference: &ResourceRef,
    sources: &[String],
    start: Option<Start>,
    tenant: Option<&str>,
) -> Option<Diagnostic> {
    let file = || sources.first().cloned().unwrap_or_default();
    let at = || start.map_or_else(|| Location::file(file()), |start| start.in_file(file()));
    let annotations: usize = crate::pointer::get(value, "/metadata/annotations")
        .and_then(Value::as_object)
        .map(|map| map.iter().map(|(k, v)| k.len() + v.as_str().map_or(0, str::len)).sum())
        .unwrap_or(0);
    if annotations > ANNOTATIONS_LIMIT {
        let error = SizeError::Annotations {
            object: reference.to_string(),
            bytes: annotations,
            inputs: inputs(sources, tenant),
        };
        return Some(error.at(at()));
    }
    // The rendered text is a bound's cheap first guess; compact JSON is what is stored.
    if text.len() > OBJECT_LIMIT / 2 {
        let mut count = Count(0);
        if serde_json::to_writer(&mut count, value).is_ok() && count.0 > OBJECT_LIMIT {
            let error =
                SizeError::Object { object: reference.to_string(), bytes: count.0, inputs: inputs(sources, tenant) };
            return Some(error.at(at()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_limits_are_the_clusters() {
        assert_eq!(ANNOTATIONS_LIMIT, 262_144);
        assert_eq!(OBJECT_LIMIT, 1_572_864);
    }

    #[test]
    fn annotations_count_keys_and_values() {
        let reference = ResourceRef {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            namespace: Some("ns".into()),
            name: "x".into(),
        };
        let big = "a".repeat(ANNOTATIONS_LIMIT - 1);
        let value = json!({"metadata": {"annotations": {"k": big}}});
        assert!(check_size(&value, "", &reference, &[], None, None).is_none());
        let value = json!({"metadata": {"annotations": {"k": big, "l": ""}}});
        let d = check_size(&value, "", &reference, &["a.yaml".into()], None, Some("shop")).unwrap();
        assert_eq!(d.code, Code::E704);
        assert!(d.message.contains("ConfigMap/ns/x") && d.message.contains("tenant `shop`"), "{}", d.message);
    }

    #[test]
    fn an_object_over_the_etcd_request_limit() {
        let reference = ResourceRef {
            api_version: "maistra.io/v1".into(),
            kind: "ServiceMeshMemberRoll".into(),
            namespace: Some("istio-system".into()),
            name: "default".into(),
        };
        let members: Vec<String> = (0..30_000).map(|i| format!("n{i:05}-{}", "x".repeat(50))).collect();
        let value = json!({"spec": {"members": members}});
        let text = serde_json::to_string(&value).unwrap();
        let sources = ["base/tenants/reports/tenant.yaml".to_string()];
        let d = check_size(&value, &text, &reference, &sources, None, None).unwrap();
        assert!(d.message.contains("refused by etcd") && d.message.contains("reports/tenant.yaml"), "{}", d.message);
        let value = json!({"spec": {"members": members[..1000]}});
        assert!(
            check_size(&value, &serde_json::to_string(&value).unwrap(), &reference, &sources, None, None).is_none()
        );
    }
}
