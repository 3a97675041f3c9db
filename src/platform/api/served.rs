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

const ISTIO_NETWORKING: &str = "networking.istio.io";
const ISTIO_SECURITY: &str = "security.istio.io";
const ISTIO_TELEMETRY: &str = "telemetry.istio.io";
const ISTIO_EXTENSIONS: &str = "extensions.istio.io";

/// Every kind of Istio's API groups, the same in every release 1.16–1.24 (and so in OpenShift
/// Service Mesh 2.4–2.6, built on 1.16, 1.18 and 1.20): the `spec.names.kind` of the CRDs of
/// istio/istio `manifests/charts/base/crds/crd-all.gen.yaml` at 1.16.7
/// (0b679820a9f3a94b2c91c24686b58ed764bc04a2) … 1.23.6, `manifests/charts/base/files/crd-all.gen.yaml`
/// at 1.24.6 (9bee41e19926e92093dfbd4823f249322bb21e10).
const ISTIO_KINDS: [(&str, &str); 14] = [
    (ISTIO_EXTENSIONS, "WasmPlugin"),
    (ISTIO_NETWORKING, "DestinationRule"),
    (ISTIO_NETWORKING, "EnvoyFilter"),
    (ISTIO_NETWORKING, "Gateway"),
    (ISTIO_NETWORKING, "ProxyConfig"),
    (ISTIO_NETWORKING, "ServiceEntry"),
    (ISTIO_NETWORKING, "Sidecar"),
    (ISTIO_NETWORKING, "VirtualService"),
    (ISTIO_NETWORKING, "WorkloadEntry"),
    (ISTIO_NETWORKING, "WorkloadGroup"),
    (ISTIO_SECURITY, "AuthorizationPolicy"),
    (ISTIO_SECURITY, "PeerAuthentication"),
    (ISTIO_SECURITY, "RequestAuthentication"),
    (ISTIO_TELEMETRY, "Telemetry"),
];

fn istio_kinds(group: &str) -> Vec<&'static str> {
    ISTIO_KINDS.iter().filter(|(g, _)| *g == group).map(|(_, k)| *k).collect()
}

/// Built-in Kubernetes kinds meshedge does not write whose older API versions were removed
/// before the oldest release meshedge targets (Kubernetes 1.27, OpenShift 4.14): every release
/// 1.27–1.32 serves them at these versions alone. Source: kubernetes/website
/// `content/en/docs/reference/using-api/deprecation-guide.md`
/// (<https://kubernetes.io/docs/reference/using-api/deprecation-guide/>), sections "v1.22"
/// (Ingress, IngressClass `networking.k8s.io/v1beta1`; the `extensions` group), "v1.25"
/// (CronJob `batch/v1beta1`, EndpointSlice `discovery.k8s.io/v1beta1`, Event
/// `events.k8s.io/v1beta1`, HorizontalPodAutoscaler `autoscaling/v2beta1`, PodDisruptionBudget
/// and PodSecurityPolicy `policy/v1beta1`, RuntimeClass `node.k8s.io/v1beta1`) and "v1.26"
/// (HorizontalPodAutoscaler `autoscaling/v2beta2`).
fn built_in(group: &str, kind: &str) -> Option<Served> {
    let at = |versions: &[&'static str]| Some(Served::At(versions.iter().map(|v| ApiVersion(v)).collect()));
    match (group, kind) {
        ("policy", "PodDisruptionBudget") => at(&["policy/v1"]),
        ("policy", "PodSecurityPolicy") => Some(Served::Nowhere(
            "PodSecurityPolicy was removed in kubernetes 1.25: use pod security admission (namespace labels)".into(),
        )),
        ("batch", "CronJob" | "Job") => at(&["batch/v1"]),
        ("networking.k8s.io", "Ingress" | "IngressClass") => at(&["networking.k8s.io/v1"]),
        ("autoscaling", "HorizontalPodAutoscaler") => at(&["autoscaling/v1", "autoscaling/v2"]),
        ("discovery.k8s.io", "EndpointSlice") => at(&["discovery.k8s.io/v1"]),
        ("events.k8s.io", "Event") => at(&["events.k8s.io/v1"]),
        ("node.k8s.io", "RuntimeClass") => at(&["node.k8s.io/v1"]),
        ("extensions", _) => Some(Served::Nowhere(
            "the extensions api group is not served since kubernetes 1.22 (Deployment, DaemonSet and ReplicaSet \
             are apps/v1; Ingress and NetworkPolicy networking.k8s.io/v1)"
                .into(),
        )),
        _ => None,
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
    /// `resources/helm/v2.{4,5}/istio-init/files/*.crd.yaml`, the same as Istio 1.16 and 1.18; 2.6:
    /// 0b6000b3 `resources/helm/v2.6/istio-init/files/*.crd.yaml`, the same as Istio 1.20; 2.5 and
    /// 2.6 pinned to `data/schemas/ossm-2.{5,6}-istio-crds.yaml` by a test):
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
            (ISTIO_NETWORKING | ISTIO_SECURITY | ISTIO_TELEMETRY | ISTIO_EXTENSIONS, _)
                if !ISTIO_KINDS.iter().any(|(g, k)| *g == group && *k == kind) =>
            {
                return Some(Served::Nowhere(format!(
                    "istio defines no kind {kind} in {group} (its kinds: {})",
                    istio_kinds(group).join(", ")
                )));
            }
            ("", _) => return Some(Served::At(vec![super::CORE_V1])),
            ("apps", _) => return Some(Served::At(vec![ApiVersion("apps/v1")])),
            ("rbac.authorization.k8s.io", _) => {
                return Some(Served::At(vec![ApiVersion("rbac.authorization.k8s.io/v1")]));
            }
            _ => {}
        }
        if let Some(served) = built_in(group, kind) {
            return Some(served);
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
