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
