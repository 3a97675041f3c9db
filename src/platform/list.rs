//! The `List` wrapper: one object that carries others in `items`, as `kubectl get -o yaml` writes
//! several objects and as manifests may hold them.

/// Whether an object with this `apiVersion` and `kind` is the core `List`, whose `items` are the
/// objects it wraps (of any kind, "which may not be known by the server"). Only the core group's
/// `v1` registers it; a `List` of another group is an ordinary (unknown) kind.
///
/// Source: kubernetes/api tags v0.27.0, v0.29.0, v0.32.0 (Kubernetes 1.27, 1.29, 1.32)
/// `core/v1/register.go:65` (`&List{}` among the core `v1` types) and `core/v1/types.go`
/// (`type List metav1.List`; v0.29.0:6463).
pub fn is_list(api_version: &str, kind: &str) -> bool {
    api_version == "v1" && kind == "List"
}

/// The objects a `v1 List` wraps, each with its JSON pointer in `value` (those of a List among
/// them in turn, up to eight deep); none when `value` is not a List.
pub fn list_items(value: &serde_json::Value) -> Vec<(String, &serde_json::Value)> {
    let mut out = Vec::new();
    let mut pending = vec![(String::new(), value, 0)];
    while let Some((pointer, value, depth)) = pending.pop() {
        let text = |key: &str| value.get(key).and_then(serde_json::Value::as_str).unwrap_or_default();
        if depth < 8 && is_list(text("apiVersion"), text("kind")) {
            let items = value.get("items").and_then(serde_json::Value::as_array).map(Vec::as_slice).unwrap_or_default();
            for (i, item) in items.iter().enumerate().rev().filter(|(_, item)| item.is_object()) {
                pending.push((format!("{pointer}/items/{i}"), item, depth + 1));
            }
        } else if depth > 0 {
            out.push((pointer, value));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_kubernetes_api_core_v1_register_go_registers_list_in_v1() {
        // kubernetes/api v0.29.0 core/v1/register.go:65 `&List{}`.
        assert!(is_list("v1", "List"));
        for (api_version, kind) in
            [("apps/v1", "List"), ("v1beta1", "List"), ("", "List"), ("v1", "ConfigMapList"), ("v1", "list")]
        {
            assert!(!is_list(api_version, kind), "{api_version} {kind}");
        }
    }
}
