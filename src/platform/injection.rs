//! Sidecar injection: which pods get the proxy, under which namespace label, and its name.

use super::Target;
use crate::input::Flavor;

/// The pod label and annotation that opt a pod in or out of sidecar injection.
pub const INJECTION_KEY: &str = "sidecar.istio.io/inject";

/// Whether a value of [`INJECTION_KEY`] asks for injection: `y`, `yes`, `true` or `on`, in any
/// case. Any other non-empty value means "do not inject" (`"no"`, `"off"`, `"0"`, `"False"`, …);
/// an empty value defers to the namespace policy. Where both are set, the **label** overrides
/// the annotation; host-network pods are never injected.
///
/// Source: istio/istio `pkg/kube/inject/inject.go` `injectRequired` (1.16.7:196-219,
/// 1.18.7:186-270, 1.24.3:204-227: `switch strings.ToLower(objectSelector) { … case "y", "yes",
/// "true", "on":`); maistra/istio `maistra-2.5:pkg/kube/inject/inject.go` identical to 1.18.7.
pub fn injection_value_enables(value: &str) -> bool {
    matches!(value.to_ascii_lowercase().as_str(), "y" | "yes" | "true" | "on")
}

/// Which pods get a sidecar by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InjectionPolicy {
    /// Only pods carrying [`INJECTION_KEY`] with a true value (label or annotation) in a member
    /// namespace are injected.
    OptInPerPod,
    /// Every pod of a namespace labelled for injection is, unless it opts out with
    /// [`INJECTION_KEY`].
    NamespaceOptIn,
}

/// A label the injector matches: key, and value (`None`: present with any value).
pub type LabelMatch = (&'static str, Option<&'static str>);

/// Pods and namespaces the injector never looks at, whatever they ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InjectorSkips {
    pub pods: &'static [LabelMatch],
    pub namespaces: &'static [LabelMatch],
}

impl Target {
    /// The injection policy the control plane ships with.
    ///
    /// - OSSM 2.4–2.6: opt-in per pod. The `base` SMCP profile sets `proxy.injection.autoInject:
    ///   false` → injector `policy: disabled` (maistra/istio-operator maistra-2.5
    ///   `resources/smcp-templates/v2.{4,5}/base:25-26`, 0b6000b3 `v2.6/base:26`;
    ///   `pkg/apis/maistra/conversion/proxy.go`; `istiod-injector-configmap.yaml:24`), and the
    ///   webhook only sees member namespaces not labelled `maistra.io/ignore-namespace`,
    ///   `istio-injection=disabled` or `istio-env`, and pods not labelled `app: istiod`
    ///   (`resources/helm/v2.5/istio-control/istio-discovery/templates/mutatingwebhook.yaml:38-57`).
    /// - Istio with the Sail operator: a namespace label opts every pod in
    ///   ([`Target::injection_namespace_label`]), pods opt out with [`INJECTION_KEY`] (istio/istio
    ///   1.24.3 `manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml`).
    pub fn injection_policy(&self) -> InjectionPolicy {
        match self.flavor {
            Flavor::Ossm2 => InjectionPolicy::OptInPerPod,
            Flavor::Istio => InjectionPolicy::NamespaceOptIn,
        }
    }

    /// The label that makes a namespace part of the mesh, for a control plane named
    /// `control_plane_name` in `control_plane_namespace`.
    ///
    /// - OSSM: `maistra.io/member-of: <control-plane namespace>`, set by the member-roll controller
    ///   (maistra/istio-operator maistra-2.5 `pkg/controller/servicemesh/member/namespace_reconciler.go:256-265`).
    /// - Sail: `istio-injection: enabled` only for an `Istio` resource named `default`, otherwise
    ///   `istio.io/rev: <name>` (istio-ecosystem/sail-operator 1.0.0 `docs/README.md:120,371`).
    pub fn injection_namespace_label(
        &self,
        control_plane_name: &str,
        control_plane_namespace: &str,
    ) -> (&'static str, String) {
        match self.flavor {
            Flavor::Ossm2 => ("maistra.io/member-of", control_plane_namespace.into()),
            Flavor::Istio if control_plane_name == "default" => ("istio-injection", "enabled".into()),
            Flavor::Istio => ("istio.io/rev", control_plane_name.into()),
        }
    }

    /// The labels that make the OSSM injector skip a pod or a namespace: pods `app: istiod`;
    /// namespaces `maistra.io/ignore-namespace`, `istio-injection: disabled`, `istio-env`. Empty
    /// for `istio`. Source: maistra/istio-operator maistra-2.5 `resources/helm/v2.5/istio-control/
    /// istio-discovery/templates/mutatingwebhook.yaml:38-57`.
    pub fn injector_skips(&self) -> InjectorSkips {
        match self.flavor {
            Flavor::Ossm2 => InjectorSkips {
                pods: &[("app", Some("istiod"))],
                namespaces: &[
                    ("maistra.io/ignore-namespace", None),
                    ("istio-injection", Some("disabled")),
                    ("istio-env", None),
                ],
            },
            Flavor::Istio => InjectorSkips { pods: &[], namespaces: &[] },
        }
    }

    /// The name of the injected proxy container, which is in `spec.containers` unless native
    /// sidecars are on (`ENABLE_NATIVE_SIDECARS`, default false wherever it exists: istio/istio
    /// 1.24.3 `pilot/pkg/features/experimental.go:181`, maistra/istio `maistra-2.6:pilot/pkg/features/pilot.go:654`).
    /// Source: istio/istio `manifests/charts/istio-control/istio-discovery/files/injection-template.yaml`
    /// (1.16.7:188, 1.24.3:167 `- name: istio-proxy`); maistra/istio-operator maistra-2.5
    /// `resources/helm/v2.5/istio-control/istio-discovery/files/injection-template.yaml:70`.
    /// Validating admission (ValidatingAdmissionPolicy, then validating webhooks) runs after the
    /// mutating webhooks, so it sees this container (kubernetes/apiserver `kubernetes-1.29.0`
    /// `pkg/server/options/admission.go:89`, `RecommendedPluginOrder`).
    pub fn sidecar_container_name(&self) -> &'static str {
        "istio-proxy"
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{istio, ossm};
    use super::*;

    #[test]
    fn injection_values_istio_pkg_kube_inject_inject_go_inject_required() {
        // istio/istio pkg/kube/inject/inject.go injectRequired: strings.ToLower, case "y", "yes", "true", "on".
        for yes in ["y", "yes", "true", "on", "True", "YES", "On"] {
            assert!(injection_value_enables(yes), "{yes}");
        }
        for no in ["", "no", "off", "false", "False", "0", "1", "enabled", " true"] {
            assert!(!injection_value_enables(no), "{no}");
        }
        assert_eq!(INJECTION_KEY, "sidecar.istio.io/inject");
    }

    #[test]
    fn injection_policy_maistra_operator_base_profile_auto_inject_false() {
        assert_eq!(ossm("v2.5", "4.16").injection_policy(), InjectionPolicy::OptInPerPod);
        assert_eq!(istio("v1.24.3", "1.31").injection_policy(), InjectionPolicy::NamespaceOptIn);
        let skips = ossm("v2.5", "4.16").injector_skips();
        assert_eq!(skips.pods, [("app", Some("istiod"))]);
        assert_eq!(skips.namespaces.len(), 3);
        assert_eq!(istio("v1.24.3", "1.31").injector_skips(), InjectorSkips { pods: &[], namespaces: &[] });
        assert_eq!(ossm("v2.4", "4.14").sidecar_container_name(), "istio-proxy");
    }

    #[test]
    fn injection_namespace_label_maistra_namespace_reconciler_and_sail_readme() {
        assert_eq!(
            ossm("v2.5", "4.16").injection_namespace_label("basic", "istio-system"),
            ("maistra.io/member-of", "istio-system".to_string())
        );
        let t = istio("v1.24.3", "1.31");
        assert_eq!(t.injection_namespace_label("default", "istio-system"), ("istio-injection", "enabled".to_string()));
        assert_eq!(t.injection_namespace_label("prod", "istio-system"), ("istio.io/rev", "prod".to_string()));
    }
}
