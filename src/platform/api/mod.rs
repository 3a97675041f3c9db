//! Which kinds the target serves, and at which API version meshedge writes each.

use std::fmt;

mod kind;
pub mod names;
mod served;

use super::Target;
use crate::input::Flavor;
pub use kind::Kind;
pub use served::Served;

/// An `apiVersion` value, `group/version` (or `version` for the core group).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiVersion(&'static str);

impl ApiVersion {
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// The API group; `""` for the core group.
    pub fn group(self) -> &'static str {
        self.0.rsplit_once('/').map_or("", |(group, _)| group)
    }

    /// The version within the group, e.g. `v1beta1`.
    pub fn version(self) -> &'static str {
        self.0.rsplit_once('/').map_or(self.0, |(_, version)| version)
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A kind the target does not serve (or serves but does not enforce), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotServed {
    pub kind: Kind,
    /// A lowercase sentence naming the target and what would serve the kind.
    pub reason: String,
}

impl fmt::Display for NotServed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for NotServed {}

/// What must be installed on the cluster for a served kind to exist there; the platform model
/// cannot see the cluster, so this is a precondition to state, not a fact it checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Prerequisite {
    /// The OpenShift Service Mesh 2 operator (maistra.io CRDs).
    ServiceMeshOperator,
    /// The Sail operator (sailoperator.io CRDs) managing upstream Istio.
    SailOperator,
    CertManager,
    Gatekeeper,
    Kyverno,
    /// The cluster runs the OVN-Kubernetes network plugin (k8s.ovn.org CRDs).
    OvnKubernetes,
    /// The cluster runs the OpenShift SDN network plugin (enforces EgressNetworkPolicy).
    OpenShiftSdn,
}

/// How admission rules are enforced (`enforcement.admission`, minus `auto`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AdmissionEngine {
    ValidatingAdmissionPolicy,
    Gatekeeper,
    Kyverno,
}

const NETWORKING_V1: ApiVersion = ApiVersion("networking.istio.io/v1");
const NETWORKING_V1BETA1: ApiVersion = ApiVersion("networking.istio.io/v1beta1");
const SECURITY_V1: ApiVersion = ApiVersion("security.istio.io/v1");
const SECURITY_V1BETA1: ApiVersion = ApiVersion("security.istio.io/v1beta1");
const CORE_V1: ApiVersion = ApiVersion("v1");
const ROUTE_V1: ApiVersion = ApiVersion("route.openshift.io/v1");

impl Target {
    /// The API version meshedge writes `kind` at on this target, or why the target does not
    /// serve it.
    ///
    /// Istio kinds (sources: istio/istio `manifests/charts/base/crds/crd-all.gen.yaml` at 1.16.7,
    /// 1.17.8, 1.21.6, 1.22.0 and 1.24.6 (`files/`), `versions[].served`; OSSM: maistra/istio-operator
    /// 0b6000b3 `resources/helm/v2.{4,5,6}/istio-init/files/*.crd.yaml`, identical to the Istio
    /// release each is built on, checked by `scripts/vendor-schemas --platform`):
    /// - `networking.istio.io/v1` is first served in Istio 1.22 (Gateway, VirtualService,
    ///   DestinationRule, ServiceEntry, Sidecar), as are `security.istio.io/v1` PeerAuthentication
    ///   and `telemetry.istio.io/v1`; AuthorizationPolicy and RequestAuthentication have a v1 from
    ///   1.17. meshedge writes one version per group: `v1` from Istio 1.22, `v1beta1` (Telemetry:
    ///   `v1alpha1`) before, which every release 1.16–1.21 and OSSM 2.4–2.6 serve for every kind
    ///   of the group.
    /// - EnvoyFilter `networking.istio.io/v1alpha3` and WasmPlugin `extensions.istio.io/v1alpha1`
    ///   are the only versions served in 1.16–1.24.
    ///
    /// Kubernetes and OpenShift kinds: see [`Target::serves`] for each rule.
    pub fn api_version(&self, kind: Kind) -> Result<ApiVersion, NotServed> {
        let not_served = |reason: String| Err(NotServed { kind, reason });
        let stable = self.istio_at_least(22);
        let ossm2 = self.flavor == Flavor::Ossm2;
        Ok(match kind {
            Kind::Gateway | Kind::VirtualService | Kind::DestinationRule | Kind::ServiceEntry | Kind::Sidecar => {
                if stable {
                    NETWORKING_V1
                } else {
                    NETWORKING_V1BETA1
                }
            }
            Kind::EnvoyFilter => ApiVersion("networking.istio.io/v1alpha3"),
            Kind::AuthorizationPolicy | Kind::RequestAuthentication | Kind::PeerAuthentication => {
                if stable {
                    SECURITY_V1
                } else {
                    SECURITY_V1BETA1
                }
            }
            Kind::Telemetry => {
                if stable {
                    ApiVersion("telemetry.istio.io/v1")
                } else {
                    ApiVersion("telemetry.istio.io/v1alpha1")
                }
            }
            Kind::WasmPlugin => ApiVersion("extensions.istio.io/v1alpha1"),
            // maistra/istio-operator 8143614c `manifests-maistra/2.5.1/servicemeshcontrolplanes.crd.yaml`
            // (served v1, v2; storage v2) and `servicemeshmemberrolls.crd.yaml` (v1); the 2.6.0 operator's
            // CRDs (0b6000b3 `manifests-servicemesh/2.6.0/`) are the same once descriptions are dropped.
            Kind::ServiceMeshControlPlane if ossm2 => ApiVersion("maistra.io/v2"),
            Kind::ServiceMeshMemberRoll if ossm2 => ApiVersion("maistra.io/v1"),
            Kind::ServiceMeshControlPlane | Kind::ServiceMeshMemberRoll => {
                return not_served(format!("{kind} belongs to openshift service mesh 2 (flavor ossm2), not to {self}"));
            }
            // maistra/api maistra-2.4, maistra-2.5, maistra-2.6 `manifests/federation.maistra.io_*.yaml`
            // (the same files on the three branches): v1 only, served and storage. Installed by the
            // OSSM 2 operator's istio-init chart (maistra/istio-operator 8143614c
            // `resources/helm/v2.{4,5}/istio-init/files/*.federation.maistra.io.crd.yaml`).
            Kind::ServiceMeshPeer | Kind::ExportedServiceSet | Kind::ImportedServiceSet if ossm2 => {
                ApiVersion("federation.maistra.io/v1")
            }
            Kind::ServiceMeshPeer | Kind::ExportedServiceSet | Kind::ImportedServiceSet => {
                return not_served(format!(
                    "{kind} belongs to openshift service mesh 2 federation (flavor ossm2), not to {self}"
                ));
            }
            // istio-ecosystem/sail-operator 1.0.0 … 1.30.3 `chart/crds/sailoperator.io_istios.yaml`: v1 only.
            Kind::IstioControlPlane if !ossm2 => ApiVersion("sailoperator.io/v1"),
            Kind::IstioControlPlane => {
                return not_served(format!(
                    "the sail operator's Istio resource belongs to flavor istio, not to {self}"
                ));
            }
            Kind::Pod | Kind::Namespace | Kind::ConfigMap | Kind::Secret | Kind::Service | Kind::ServiceAccount => {
                CORE_V1
            }
            Kind::Deployment => ApiVersion("apps/v1"),
            Kind::NetworkPolicy => ApiVersion("networking.k8s.io/v1"),
            Kind::Role | Kind::RoleBinding | Kind::ClusterRole | Kind::ClusterRoleBinding => {
                ApiVersion("rbac.authorization.k8s.io/v1")
            }
            Kind::ValidatingAdmissionPolicy | Kind::ValidatingAdmissionPolicyBinding => {
                if self.serves_validating_admission_policy() {
                    ApiVersion("admissionregistration.k8s.io/v1")
                } else {
                    return not_served(self.validating_admission_policy_missing(kind));
                }
            }
            // openshift/api release-4.14 `route/v1/route.crd.yaml` (v1 only, served and storage) and
            // `route/v1/register.go:12` through release-4.19.
            Kind::Route if self.is_openshift() => ROUTE_V1,
            Kind::Route => return not_served(format!("routes exist only on openshift, not on {self}")),
            Kind::EgressNetworkPolicy => match self.openshift_version() {
                Some(openshift) if openshift.minor <= 16 => ApiVersion("network.openshift.io/v1"),
                Some(_) => {
                    return not_served(format!(
                        "EgressNetworkPolicy is enforced only by openshift sdn, which {self} no longer supports \
                         (from openshift 4.17 only ovn-kubernetes runs): use an ovn EgressFirewall"
                    ));
                }
                None => return not_served(format!("EgressNetworkPolicy exists only on openshift, not on {self}")),
            },
            // The CRDs OpenShift installs with OVN-Kubernetes serve v1 only: openshift/cluster-network-operator
            // release-4.14 and release-4.16 `bindata/network/ovn-kubernetes/common/001-crd.yaml`
            // (EgressFirewall, EgressIP); upstream ovn-org/ovn-kubernetes 6c366bb49
            // `dist/templates/k8s.ovn.org_egress{firewalls,ips}.yaml.j2` likewise.
            Kind::EgressFirewall | Kind::EgressIP if self.is_openshift() => ApiVersion("k8s.ovn.org/v1"),
            Kind::EgressFirewall | Kind::EgressIP => {
                return not_served(format!(
                    "{kind} is an ovn-kubernetes resource that meshedge knows on openshift only, not on {self}"
                ));
            }
            // cert-manager/cert-manager 2d0d7f7f `deploy/crds/cert-manager.io_certificates.yaml`: v1 only.
            Kind::Certificate => ApiVersion("cert-manager.io/v1"),
            // open-policy-agent/gatekeeper v3.16.3, v3.23.0
            // `charts/gatekeeper/crds/constrainttemplate-customresourcedefinition.yaml`: v1 is the storage version.
            Kind::ConstraintTemplate => ApiVersion("templates.gatekeeper.sh/v1"),
            // Constraints are served by the CRD Gatekeeper generates per template, at
            // `constraints.gatekeeper.sh/v1beta1` (and v1alpha1): open-policy-agent/gatekeeper v3.16.3
            // `vendor/github.com/open-policy-agent/frameworks/constraint/pkg/client/crds/crds.go:30-67`.
            Kind::Constraint => ApiVersion("constraints.gatekeeper.sh/v1beta1"),
            // kyverno/kyverno v1.12.7, v1.13.6 `config/crds/kyverno/kyverno.io_clusterpolicies.yaml`: v1 storage.
            Kind::ClusterPolicy => ApiVersion("kyverno.io/v1"),
        })
    }

    /// Whether the target serves `kind` (and enforces it): [`Target::api_version`] succeeds.
    ///
    /// - ValidatingAdmissionPolicy(+Binding) `admissionregistration.k8s.io/v1`: Kubernetes 1.30+
    ///   (OpenShift 4.17+). On 1.28–1.29 only v1beta1 exists and the feature gate is off by default
    ///   (kubernetes/apiserver `kubernetes-1.28.0`/`-1.29.0` `pkg/features/kube_features.go`:
    ///   `ValidatingAdmissionPolicy: {Default: false, PreRelease: Beta}`; 1.27 alpha; 1.30
    ///   `{Default: true, PreRelease: GA}`); OpenShift 4.14–4.16 enable it only in the
    ///   TechPreviewNoUpgrade/DevPreviewNoUpgrade feature sets (openshift/api `release-4.16`
    ///   `features/features.go:60-65`; `release-4.17` adds `configv1.Default`).
    /// - Route: OpenShift only.
    /// - EgressNetworkPolicy (OpenShift SDN): OpenShift 4.14–4.16; from 4.17 OpenShift SDN "is no
    ///   longer supported" (openshift/api `release-4.17` `network/v1/types.go:15-17`), so the object
    ///   would be accepted and enforced by nothing.
    /// - EgressFirewall, EgressIP (OVN-Kubernetes): OpenShift.
    /// - ServiceMeshControlPlane/MemberRoll: `ossm2`; the Sail `Istio`: `istio`.
    pub fn serves(&self, kind: Kind) -> bool {
        self.api_version(kind).is_ok()
    }

    /// What must be installed for `kind` to exist on the cluster, beyond the platform itself.
    pub fn prerequisite(&self, kind: Kind) -> Option<Prerequisite> {
        match kind {
            Kind::ServiceMeshControlPlane
            | Kind::ServiceMeshMemberRoll
            | Kind::ServiceMeshPeer
            | Kind::ExportedServiceSet
            | Kind::ImportedServiceSet => Some(Prerequisite::ServiceMeshOperator),
            Kind::IstioControlPlane => Some(Prerequisite::SailOperator),
            Kind::Certificate => Some(Prerequisite::CertManager),
            Kind::ConstraintTemplate | Kind::Constraint => Some(Prerequisite::Gatekeeper),
            Kind::ClusterPolicy => Some(Prerequisite::Kyverno),
            Kind::EgressFirewall | Kind::EgressIP => Some(Prerequisite::OvnKubernetes),
            Kind::EgressNetworkPolicy => Some(Prerequisite::OpenShiftSdn),
            _ => None,
        }
    }

    /// The kinds that make up the control plane meshedge manages: the SMCP and its member roll
    /// (`ossm2`), or the Sail operator's `Istio` (`istio`).
    pub fn control_plane_kinds(&self) -> &'static [Kind] {
        match self.flavor {
            Flavor::Ossm2 => &[Kind::ServiceMeshControlPlane, Kind::ServiceMeshMemberRoll],
            Flavor::Istio => &[Kind::IstioControlPlane],
        }
    }

    /// The engine `enforcement.admission: auto` stands for: ValidatingAdmissionPolicy where the
    /// target serves it, else why not (the caller fails, naming the setting).
    pub fn admission_engine_auto(&self) -> Result<AdmissionEngine, NotServed> {
        self.api_version(Kind::ValidatingAdmissionPolicy).map(|_| AdmissionEngine::ValidatingAdmissionPolicy)
    }

    /// Whether the Sail operator accepts the control-plane version as the `Istio` resource's
    /// `spec.version`: it takes exact releases from a list (and `v1.<minor>-latest`, which meshedge
    /// does not write). Of the releases meshedge knows, it lists 1.21.6, 1.22.5–1.22.8,
    /// 1.23.2–1.23.6 and 1.24.0–1.24.6; a version without a patch is not accepted. `None` for `ossm2`.
    ///
    /// Source: istio-ecosystem/sail-operator 1.30.3 (4241170416706137c6263939099a4f4aaefc76d1)
    /// `chart/crds/sailoperator.io_istios.yaml`, `spec.versions[v1]…properties.version.enum`
    /// (1.0.0 listed 1.23.0–1.24.3 only).
    pub fn sail_operator_accepts_version(&self) -> Option<bool> {
        if self.flavor == Flavor::Ossm2 {
            return None;
        }
        let Some(patch) = self.istio.patch else { return Some(false) };
        Some(match self.istio.minor {
            21 => patch == 6,
            22 => (5..=8).contains(&patch),
            23 => (2..=6).contains(&patch),
            24 => patch <= 6,
            _ => false,
        })
    }

    fn serves_validating_admission_policy(&self) -> bool {
        self.kubernetes.minor >= 30
    }

    fn validating_admission_policy_missing(&self, kind: Kind) -> String {
        let preview = if self.is_openshift() {
            "; openshift before 4.17 enables it only in the tech preview feature set, which cannot be upgraded"
        } else {
            ""
        };
        format!(
            "{kind} is served as admissionregistration.k8s.io/v1 from kubernetes 1.30 (openshift 4.17); \
             {self} has it only as a beta or alpha api, off by default{preview}"
        )
    }
}

#[cfg(test)]
mod tests;
