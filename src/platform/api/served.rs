//! Every API version the target serves for a kind the model knows, whoever writes the object
//! (meshedge's generators, a plain resource, a patch): [`Target::served_versions`].

use super::{ApiVersion, Kind, Target};

/// What the target serves of a kind the platform model knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// Every `apiVersion` the target serves the kind at, oldest first.
    At(Vec<ApiVersion>),
    /// The target serves the kind at no version: why (a lowercase sentence naming the target).
    Nowhere(String),
}

impl Served {
    /// Whether `api_version` is one the target serves.
    pub fn includes(&self, api_version: &str) -> bool {
        matches!(self, Served::At(all) if all.iter().any(|v| v.as_str() == api_version))
    }
}

/// The group meshedge's [`Kind`]s live in.
fn home(kind: Kind) -> &'static str {
    match kind {
        Kind::Gateway
        | Kind::VirtualService
        | Kind::DestinationRule
        | Kind::ServiceEntry
        | Kind::Sidecar
        | Kind::EnvoyFilter => "networking.istio.io",
        Kind::AuthorizationPolicy | Kind::RequestAuthentication | Kind::PeerAuthentication => "security.istio.io",
        Kind::Telemetry => "telemetry.istio.io",
        Kind::WasmPlugin => "extensions.istio.io",
        Kind::ServiceMeshControlPlane | Kind::ServiceMeshMemberRoll => "maistra.io",
        Kind::IstioControlPlane => "sailoperator.io",
        Kind::ServiceMeshPeer | Kind::ExportedServiceSet | Kind::ImportedServiceSet => "federation.maistra.io",
        Kind::Pod | Kind::Namespace | Kind::ConfigMap | Kind::Secret | Kind::Service | Kind::ServiceAccount => "",
        Kind::Deployment => "apps",
        Kind::NetworkPolicy => "networking.k8s.io",
        Kind::Role | Kind::RoleBinding | Kind::ClusterRole | Kind::ClusterRoleBinding => "rbac.authorization.k8s.io",
        Kind::ValidatingAdmissionPolicy | Kind::ValidatingAdmissionPolicyBinding => "admissionregistration.k8s.io",
        Kind::Route => "route.openshift.io",
        Kind::EgressNetworkPolicy => "network.openshift.io",
        Kind::EgressFirewall | Kind::EgressIP => "k8s.ovn.org",
        Kind::Certificate => "cert-manager.io",
        Kind::ConstraintTemplate => "templates.gatekeeper.sh",
        Kind::Constraint => "constraints.gatekeeper.sh",
        Kind::ClusterPolicy => "kyverno.io",
    }
}

const V1ALPHA3_V1BETA1: [ApiVersion; 2] =
    [ApiVersion("networking.istio.io/v1alpha3"), ApiVersion("networking.istio.io/v1beta1")];

impl Target {
    /// Every API version the target serves `kind` of `group` at, for the kinds the model knows;
    /// `None` for any other (a CRD the repository brings, an add-on the model does not follow):
    /// the caller cannot tell, and says so.
    ///
    /// Istio (istio/istio `manifests/charts/base/crds/crd-all.gen.yaml`, `files/` from 1.24, at
    /// 1.16.7, 1.17.8, 1.18.7, 1.19.10, 1.20.8, 1.21.6, 1.22.8, 1.23.6, 1.24.6, `versions[].served`;
    /// OpenShift Service Mesh 2.4 and 2.5: maistra/istio-operator 8143614c
    /// `resources/helm/v2.{4,5}/istio-init/files/*.crd.yaml`, the same as Istio 1.16 and 1.18; 2.6
    /// as Istio 1.20, `data/platform/istio/SOURCES.md`):
    /// - Gateway, VirtualService, DestinationRule, ServiceEntry, Sidecar, WorkloadEntry,
    ///   WorkloadGroup: `networking.istio.io/v1alpha3` and `v1beta1`; `v1` too from Istio 1.22.
    /// - EnvoyFilter: `v1alpha3` only. ProxyConfig: `networking.istio.io/v1beta1` only.
    /// - AuthorizationPolicy, RequestAuthentication: `security.istio.io/v1beta1`; `v1` too from
    ///   1.17 (so OSSM 2.5 serves it, OSSM 2.4 does not). PeerAuthentication: `v1beta1`; `v1` from 1.22.
    /// - Telemetry: `telemetry.istio.io/v1alpha1`; `v1` too from 1.22. WasmPlugin:
    ///   `extensions.istio.io/v1alpha1` only.
    ///
    /// Kubernetes: the core group is served at `v1` alone, for every kind (kubernetes/api `core/v1`
    /// is its only version). `apps` and `rbac.authorization.k8s.io` are served at `v1` alone for
    /// every kind on the releases meshedge knows (1.27–1.32): apps `v1beta1`/`v1beta2` were
    /// removed in 1.16, rbac `v1beta1`/`v1alpha1` in 1.22 (kubernetes/website
    /// `content/en/docs/reference/using-api/deprecation-guide.md`, "v1.16", "v1.22").
    /// NetworkPolicy: `networking.k8s.io/v1` alone (`extensions/v1beta1` removed in 1.16, same
    /// guide). ValidatingAdmissionPolicy(+Binding): `admissionregistration.k8s.io/v1` from 1.30
    /// ([`Target::serves`]; the beta before is off by default).
    ///
    /// The other kinds of [`Kind`] are served at the one version [`Target::api_version`] names
    /// (each with its source there), or nowhere with its reason; the Gatekeeper and Kyverno kinds,
    /// whose CRDs serve more versions than the model records, are `None`.
    pub fn served_versions(&self, group: &str, kind: &str) -> Option<Served> {
        let stable = self.istio_at_least(22);
        let v1_if = |yes: bool, v1: &'static str, older: &[ApiVersion]| {
            let mut all = older.to_vec();
            if yes {
                all.push(ApiVersion(v1));
            }
            all.sort();
            Served::At(all)
        };
        match (group, kind) {
            ("networking.istio.io", "WorkloadEntry" | "WorkloadGroup") => {
                return Some(v1_if(stable, "networking.istio.io/v1", &V1ALPHA3_V1BETA1));
            }
            ("networking.istio.io", "ProxyConfig") => {
                return Some(Served::At(vec![ApiVersion("networking.istio.io/v1beta1")]));
            }
            ("", _) => return Some(Served::At(vec![super::CORE_V1])),
            ("apps", _) => return Some(Served::At(vec![ApiVersion("apps/v1")])),
            ("rbac.authorization.k8s.io", _) => {
                return Some(Served::At(vec![ApiVersion("rbac.authorization.k8s.io/v1")]));
            }
            _ => {}
        }
        let known = Kind::ALL.into_iter().find(|k| k.name() == kind && home(*k) == group)?;
        let written = match self.api_version(known) {
            Ok(written) => written,
            Err(not_served) => return Some(Served::Nowhere(not_served.reason)),
        };
        Some(match known {
            Kind::Gateway | Kind::VirtualService | Kind::DestinationRule | Kind::ServiceEntry | Kind::Sidecar => {
                v1_if(stable, "networking.istio.io/v1", &V1ALPHA3_V1BETA1)
            }
            Kind::AuthorizationPolicy | Kind::RequestAuthentication => {
                v1_if(self.istio_at_least(17), "security.istio.io/v1", &[ApiVersion("security.istio.io/v1beta1")])
            }
            Kind::PeerAuthentication => {
                v1_if(stable, "security.istio.io/v1", &[ApiVersion("security.istio.io/v1beta1")])
            }
            Kind::Telemetry => v1_if(stable, "telemetry.istio.io/v1", &[ApiVersion("telemetry.istio.io/v1alpha1")]),
            Kind::ServiceMeshControlPlane => Served::At(vec![ApiVersion("maistra.io/v1"), written]),
            Kind::ConstraintTemplate | Kind::Constraint | Kind::ClusterPolicy => return None,
            _ => Served::At(vec![written]),
        })
    }

    /// The version to suggest instead of an unserved one: the one meshedge writes for the kind,
    /// else the newest stable one served (`v1` before `v1beta1` before `v1alpha1`).
    pub fn suggested_version(&self, group: &str, kind: &str) -> Option<ApiVersion> {
        let Some(Served::At(all)) = self.served_versions(group, kind) else { return None };
        let written = Kind::ALL
            .into_iter()
            .find(|k| k.name() == kind && home(*k) == group)
            .and_then(|k| self.api_version(k).ok())
            .filter(|v| all.contains(v));
        let rank = |v: &ApiVersion| {
            let version = v.version();
            let maturity = if version.contains("alpha") {
                0
            } else if version.contains("beta") {
                1
            } else {
                2
            };
            (maturity, version)
        };
        written.or_else(|| all.iter().copied().max_by(|a, b| rank(a).cmp(&rank(b))))
    }
}
