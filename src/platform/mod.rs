//! The target platform: what the service mesh control plane (upstream Istio, or OpenShift Service
//! Mesh 2) and the cluster (Kubernetes or OpenShift) accept, and what they do with what they accept.
//!
//! A [`Target`] is built from `mesh.flavor`, `mesh.controlPlane.version` and `cluster`
//! ([`Target::new`]). Everything version-dependent that meshedge's stages need is a question to it:
//! which API version to write for a kind ([`Target::api_version`]), whether a field exists in the
//! target's CRD ([`Target::has_field`]), which defaults hold ([`Target::verifies_server_certificate_by_default`],
//! …), how Istio merges and looks up objects ([`Target::destination_rules_merge_per_host_namespace`], …)
//! and which vendored schemas its objects validate against ([`Target::schema_files`]). No other module
//! compares versions or matches on the flavor for a platform fact.
//!
//! Every fact names, in its doc comment, the upstream source that decides it (repository, path,
//! tag or commit) and is pinned by a test. The user-facing list is `docs/platform.md`.
//!
//! Supported targets: `flavor: ossm2` v2.4, v2.5, v2.6 (Istio 1.16, 1.18, 1.20) on OpenShift
//! 4.14–4.19; `flavor: istio` v1.16–v1.24 on Kubernetes 1.27–1.32 or OpenShift 4.14–4.19.
//! Without `cluster`, the oldest known cluster is assumed (see [`Target::new`]).

mod api;
pub mod constraint;
mod error;
mod fields;
mod injection;
mod list;
mod merge;
mod ossm;
mod schemas;
mod tls;
mod version;

pub use api::{AdmissionEngine, ApiVersion, Kind, NotServed, Prerequisite};
pub use error::TargetError;
pub use fields::Field;
pub use injection::{INJECTION_KEY, InjectionPolicy, InjectorSkips, LabelMatch, injection_value_enables};
pub use list::is_list;
pub use merge::{
    DestinationRuleMerge, DuplicateGatewayHost, GatewayScope, HttpAuthFilter, ServiceEntryHostConflict,
    VirtualServiceMerge, default_export_to, duplicate_gateway_tls_host, http_auth_filter_order,
    resolve_gateway_reference,
};
pub use ossm::{
    ManagedNetworkPolicy, MeshMtlsDestinationRule, OssmRendered, ROUTER_NAMESPACE_LABEL, smcp_reconciled_by_operator,
    smmr_member_name_valid, smmr_silently_excluded,
};
pub use schemas::{SchemaFilesError, admission_engine_schema_files};
pub use tls::{
    CaSecret, ClientTls, ClientTlsMode, ENABLE_AUTO_SNI, Evidence, OsCaBundle, PilotFlags, ProxyKind,
    ServerVerification, VERIFY_CERTIFICATE_AT_CLIENT, VerifyCertificateAtClient,
};
pub use version::{IstioVersion, KubernetesVersion, OpenShiftVersion, OssmVersion};

use std::fmt;

use crate::input::Flavor;
use version::{ISTIO_MINORS, KUBERNETES_MINORS, OPENSHIFT_MINORS, OSSM_MINORS, components};

/// `mesh.controlPlane.version` when unset: OpenShift Service Mesh 2.5 (the flavor's default is
/// `ossm2`, [`Flavor::default`]). The input schema states the same default
/// (`input::mesh::ControlPlaneSettings::version`; a test holds the two together).
pub const DEFAULT_CONTROL_PLANE_VERSION: &str = "v2.5";

/// The `cluster` setting as written: one of `openshiftVersion` / `kubernetesVersion`, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterSetting<'a> {
    /// `cluster.openshiftVersion`, e.g. `"4.16"`.
    OpenShift(&'a str),
    /// `cluster.kubernetesVersion`, e.g. `"1.31"`.
    Kubernetes(&'a str),
    /// No `cluster` setting: [`Target::new`] assumes the oldest known cluster.
    Unset,
}

/// What the cluster is: OpenShift (with its release), or another Kubernetes distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Distribution {
    OpenShift(OpenShiftVersion),
    Kubernetes,
}

/// The modelled platform: the control plane and the cluster it runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    flavor: Flavor,
    istio: IstioVersion,
    ossm: Option<OssmVersion>,
    distribution: Distribution,
    kubernetes: KubernetesVersion,
    cluster_assumed: bool,
}

impl Target {
    /// Models the target named by the settings.
    ///
    /// `control_plane_version` is the SMCP `spec.version` for `ossm2` (`v2.4`, `v2.5`, `v2.6`) and
    /// the Istio release for `istio` (`v1.<minor>` or `v1.<minor>.<patch>`, minor 16 to 24): the
    /// leading `v` is required, as the SMCP and the Sail operator's `Istio` resource take the value
    /// as written. Cluster versions are `"4.<minor>"` (OpenShift 4.14–4.19) or `"1.<minor>"`
    /// (Kubernetes 1.27–1.32).
    ///
    /// Without `cluster` ([`ClusterSetting::Unset`]) the oldest cluster meshedge knows is assumed,
    /// so that nothing is written that an older cluster would not serve: OpenShift 4.14
    /// (Kubernetes 1.27) for `ossm2`, Kubernetes 1.27 for `istio`. [`Target::cluster_assumed`] then
    /// says so, and the caller warns.
    ///
    /// Errors: a [`TargetError`] naming the setting at fault, for a malformed or unknown version,
    /// and for `ossm2` on a plain Kubernetes cluster (OpenShift Service Mesh 2 is "supported on
    /// OpenShift Container Platform 4.14 and later": openshift/openshift-docs
    /// `modules/ossm-release-2-6-0.adoc`, commit 227c6165).
    pub fn new(flavor: Flavor, control_plane_version: &str, cluster: ClusterSetting<'_>) -> Result<Self, TargetError> {
        let malformed = || TargetError::MalformedControlPlaneVersion { flavor, given: control_plane_version.into() };
        let unsupported =
            || TargetError::UnsupportedControlPlaneVersion { flavor, given: control_plane_version.into() };
        let numbers = control_plane_version.strip_prefix('v').and_then(components).ok_or_else(malformed)?;
        let (istio, ossm) = match flavor {
            Flavor::Ossm2 => match numbers[..] {
                [2, minor] if OSSM_MINORS.contains(&minor) => {
                    let ossm = OssmVersion { minor };
                    (IstioVersion { minor: ossm.istio_minor(), patch: None }, Some(ossm))
                }
                [_, _] => return Err(unsupported()),
                _ => return Err(malformed()),
            },
            Flavor::Istio => match numbers[..] {
                [1, minor] if ISTIO_MINORS.contains(&minor) => (IstioVersion { minor, patch: None }, None),
                [1, minor, patch] if ISTIO_MINORS.contains(&minor) => {
                    (IstioVersion { minor, patch: Some(patch) }, None)
                }
                _ => return Err(unsupported()),
            },
        };
        let (distribution, kubernetes, cluster_assumed) = match cluster {
            ClusterSetting::OpenShift(text) => {
                let openshift = match components(text).as_deref() {
                    Some([4, minor]) if OPENSHIFT_MINORS.contains(minor) => OpenShiftVersion { minor: *minor },
                    Some([_, _]) => return Err(TargetError::UnsupportedOpenShiftVersion { given: text.into() }),
                    _ => return Err(TargetError::MalformedOpenShiftVersion { given: text.into() }),
                };
                (Distribution::OpenShift(openshift), openshift.kubernetes(), false)
            }
            ClusterSetting::Kubernetes(text) => {
                let kubernetes = match components(text).as_deref() {
                    Some([1, minor]) if KUBERNETES_MINORS.contains(minor) => KubernetesVersion { minor: *minor },
                    Some([_, _]) => return Err(TargetError::UnsupportedKubernetesVersion { given: text.into() }),
                    _ => return Err(TargetError::MalformedKubernetesVersion { given: text.into() }),
                };
                if flavor == Flavor::Ossm2 {
                    return Err(TargetError::OssmNeedsOpenShift { given: text.into() });
                }
                (Distribution::Kubernetes, kubernetes, false)
            }
            ClusterSetting::Unset => {
                let (distribution, kubernetes) = Self::assumed_cluster(flavor);
                (distribution, kubernetes, true)
            }
        };
        Ok(Self { flavor, istio, ossm, distribution, kubernetes, cluster_assumed })
    }

    /// The cluster assumed when `cluster` is not set: the oldest one meshedge knows, OpenShift 4.14
    /// (Kubernetes 1.27) for `ossm2` and Kubernetes 1.27 for `istio`.
    pub fn assumed_cluster(flavor: Flavor) -> (Distribution, KubernetesVersion) {
        let kubernetes = KubernetesVersion { minor: *KUBERNETES_MINORS.start() };
        match flavor {
            Flavor::Ossm2 => {
                let openshift = OpenShiftVersion { minor: *OPENSHIFT_MINORS.start() };
                (Distribution::OpenShift(openshift), openshift.kubernetes())
            }
            Flavor::Istio => (Distribution::Kubernetes, kubernetes),
        }
    }

    /// Every supported target: each `ossm2` release on each OpenShift release, each Istio minor
    /// (without patch) on each Kubernetes and each OpenShift release. For tests and documentation.
    pub fn all_supported() -> Vec<Target> {
        let mut out = Vec::new();
        let clusters = |ossm: bool| {
            let openshift = OPENSHIFT_MINORS.map(|m| format!("4.{m}")).map(|v| (true, v));
            let kubernetes = KUBERNETES_MINORS.map(|m| format!("1.{m}")).map(|v| (false, v));
            openshift.chain(kubernetes.filter(move |_| !ossm)).collect::<Vec<_>>()
        };
        let versions = OSSM_MINORS
            .map(|m| (Flavor::Ossm2, format!("v2.{m}")))
            .chain(ISTIO_MINORS.map(|m| (Flavor::Istio, format!("v1.{m}"))));
        for (flavor, version) in versions {
            for (openshift, cluster) in clusters(flavor == Flavor::Ossm2) {
                let setting =
                    if openshift { ClusterSetting::OpenShift(&cluster) } else { ClusterSetting::Kubernetes(&cluster) };
                out.extend(Target::new(flavor, &version, setting));
            }
        }
        out
    }

    /// The newest target meshedge models: the newest Istio minor on the newest OpenShift (which
    /// also serves Routes and the OVN kinds). What `meshedge check` validates a bare directory of
    /// manifests for, when no settings name a target.
    pub fn newest_known() -> Target {
        let istio = IstioVersion { minor: *ISTIO_MINORS.end(), patch: None };
        let openshift = OpenShiftVersion { minor: *OPENSHIFT_MINORS.end() };
        Target {
            flavor: Flavor::Istio,
            istio,
            ossm: None,
            distribution: Distribution::OpenShift(openshift),
            kubernetes: openshift.kubernetes(),
            cluster_assumed: false,
        }
    }

    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// The Istio release the control plane runs (for `ossm2`, the one its OSSM release is built on).
    pub fn istio_version(&self) -> IstioVersion {
        self.istio
    }

    /// The OpenShift Service Mesh release, for `ossm2`.
    pub fn ossm_version(&self) -> Option<OssmVersion> {
        self.ossm
    }

    pub fn kubernetes_version(&self) -> KubernetesVersion {
        self.kubernetes
    }

    pub fn distribution(&self) -> Distribution {
        self.distribution
    }

    pub fn openshift_version(&self) -> Option<OpenShiftVersion> {
        match self.distribution {
            Distribution::OpenShift(version) => Some(version),
            Distribution::Kubernetes => None,
        }
    }

    pub fn is_openshift(&self) -> bool {
        self.openshift_version().is_some()
    }

    /// True when `cluster` was not set and [`Target::assumed_cluster`] stands in for it.
    pub fn cluster_assumed(&self) -> bool {
        self.cluster_assumed
    }

    fn istio_at_least(&self, minor: u32) -> bool {
        self.istio.minor >= minor
    }
}

impl fmt::Display for Target {
    /// E.g. `OpenShift Service Mesh 2.5 (Istio 1.18) on OpenShift 4.16 (Kubernetes 1.29)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ossm {
            Some(ossm) => write!(f, "OpenShift Service Mesh {ossm} (Istio {})", self.istio)?,
            None => write!(f, "Istio {}", self.istio)?,
        }
        match self.distribution {
            Distribution::OpenShift(openshift) => {
                write!(f, " on OpenShift {openshift} (Kubernetes {})", self.kubernetes)
            }
            Distribution::Kubernetes => write!(f, " on Kubernetes {}", self.kubernetes),
        }?;
        if self.cluster_assumed { write!(f, ", assumed") } else { Ok(()) }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn target(flavor: Flavor, version: &str, cluster: ClusterSetting<'_>) -> Target {
        Target::new(flavor, version, cluster).expect("a supported target")
    }

    pub(crate) fn ossm(version: &str, openshift: &str) -> Target {
        target(Flavor::Ossm2, version, ClusterSetting::OpenShift(openshift))
    }

    pub(crate) fn istio(version: &str, kubernetes: &str) -> Target {
        target(Flavor::Istio, version, ClusterSetting::Kubernetes(kubernetes))
    }

    #[test]
    fn targets_are_described() {
        assert_eq!(
            ossm("v2.5", "4.16").to_string(),
            "OpenShift Service Mesh 2.5 (Istio 1.18) on OpenShift 4.16 (Kubernetes 1.29)"
        );
        assert_eq!(istio("v1.24.3", "1.31").to_string(), "Istio 1.24.3 on Kubernetes 1.31");
        let assumed = target(Flavor::Istio, "v1.24", ClusterSetting::Unset);
        assert_eq!(assumed.to_string(), "Istio 1.24 on Kubernetes 1.27, assumed");
    }

    #[test]
    fn the_newest_known_target_is_istio_1_24_on_openshift_4_19() {
        let newest = Target::newest_known();
        assert_eq!(newest, target(Flavor::Istio, "v1.24", ClusterSetting::OpenShift("4.19")));
        assert!(Target::all_supported().iter().all(|t| t.istio_version().minor() <= newest.istio_version().minor()
            && t.kubernetes_version().minor() <= newest.kubernetes_version().minor()));
    }

    #[test]
    fn the_default_control_plane_version_is_a_supported_ossm_release() {
        let t = target(Flavor::default(), DEFAULT_CONTROL_PLANE_VERSION, ClusterSetting::OpenShift("4.16"));
        assert_eq!((t.flavor(), t.ossm_version().map(|o| o.minor())), (Flavor::Ossm2, Some(5)));
    }

    #[test]
    fn the_schema_default_control_plane_version_is_the_platform_default() {
        use crate::input_schema::{InputKind, input_schema};
        let schema = input_schema(InputKind::All);
        let default = &schema["$defs"]["ControlPlaneSettings"]["properties"]["version"]["default"];
        assert_eq!(default.as_str(), Some(DEFAULT_CONTROL_PLANE_VERSION));
    }

    #[test]
    fn the_assumed_cluster_is_the_oldest_known() {
        let t = target(Flavor::Ossm2, "v2.6", ClusterSetting::Unset);
        assert!(t.cluster_assumed() && t.is_openshift());
        assert_eq!(
            (t.openshift_version().map(|v| v.to_string()), t.kubernetes_version().to_string()),
            (Some("4.14".into()), "1.27".into())
        );
        let t = target(Flavor::Istio, "v1.20.1", ClusterSetting::Unset);
        assert!(t.cluster_assumed() && !t.is_openshift());
        assert_eq!(t.kubernetes_version().minor(), 27);
        assert!(!ossm("v2.6", "4.18").cluster_assumed());
    }

    #[test]
    fn ossm_versions_map_to_istio() {
        let pairs: Vec<(Option<u32>, u32)> = ["v2.4", "v2.5", "v2.6"]
            .iter()
            .map(|v| ossm(v, "4.16"))
            .map(|t| (t.ossm_version().map(|o| o.minor()), t.istio_version().minor()))
            .collect();
        assert_eq!(pairs, [(Some(4), 16), (Some(5), 18), (Some(6), 20)]);
        let t = istio("v1.24.3", "1.31");
        assert_eq!((t.ossm_version(), t.istio_version().minor(), t.istio_version().patch()), (None, 24, Some(3)));
    }

    #[test]
    fn unknown_and_malformed_versions_are_errors_naming_the_setting() {
        let err = |flavor, version: &str, cluster| Target::new(flavor, version, cluster).expect_err(version);
        let unset = ClusterSetting::Unset;
        for v in ["v2.3", "v2.7", "v3.0", "v1.18"] {
            let e = err(Flavor::Ossm2, v, unset);
            assert!(matches!(e, TargetError::UnsupportedControlPlaneVersion { .. }), "{v}: {e:?}");
            assert_eq!(e.setting(), "mesh.controlPlane.version");
        }
        for v in ["2.5", "v2.5.1", "v2", "V2.5", "v2.5 ", "", "latest"] {
            assert!(matches!(err(Flavor::Ossm2, v, unset), TargetError::MalformedControlPlaneVersion { .. }), "{v}");
        }
        for v in ["v1.15", "v1.15.2", "v1.25.0", "v2.5", "v0.24"] {
            assert!(matches!(err(Flavor::Istio, v, unset), TargetError::UnsupportedControlPlaneVersion { .. }), "{v}");
        }
        for v in ["1.24.3", "v1.24.3-rc.0", "v1.24.x", "v1"] {
            assert!(matches!(err(Flavor::Istio, v, unset), TargetError::MalformedControlPlaneVersion { .. }), "{v}");
        }
        for v in ["4.13", "4.20", "3.11", "5.0"] {
            let e = err(Flavor::Ossm2, "v2.5", ClusterSetting::OpenShift(v));
            assert!(matches!(e, TargetError::UnsupportedOpenShiftVersion { .. }), "{v}");
            assert_eq!(e.setting(), "cluster.openshiftVersion");
        }
        for v in ["v4.16", "4.16.3", "4", "four"] {
            let e = err(Flavor::Istio, "v1.24", ClusterSetting::OpenShift(v));
            assert!(matches!(e, TargetError::MalformedOpenShiftVersion { .. }), "{v}");
        }
        for v in ["1.26", "1.33", "2.0"] {
            let e = err(Flavor::Istio, "v1.24", ClusterSetting::Kubernetes(v));
            assert!(matches!(e, TargetError::UnsupportedKubernetesVersion { .. }), "{v}");
            assert_eq!(e.setting(), "cluster.kubernetesVersion");
        }
        assert!(matches!(
            err(Flavor::Istio, "v1.24", ClusterSetting::Kubernetes("1.31.0")),
            TargetError::MalformedKubernetesVersion { .. }
        ));
        let e = err(Flavor::Ossm2, "v2.5", ClusterSetting::Kubernetes("1.29"));
        assert!(matches!(e, TargetError::OssmNeedsOpenShift { .. }));
        assert!(e.help().contains("cluster.openshiftVersion"), "{}", e.help());
        // Every error says what to write.
        let e = err(Flavor::Ossm2, "v2.7", unset);
        assert_eq!(e.message(), "openshift service mesh control plane version \"v2.7\" is not supported");
        assert!(e.help().contains("v2.4, v2.5 or v2.6"));
        assert_eq!(e.to_string(), format!("mesh.controlPlane.version: {}", e.message()));
    }

    #[test]
    fn all_supported_targets_are_listed_once() {
        let all = Target::all_supported();
        // ossm2: 3 releases × 6 OpenShift; istio: 9 minors × (6 Kubernetes + 6 OpenShift).
        assert_eq!(all.len(), 3 * 6 + 9 * 12);
        let unique: std::collections::BTreeSet<String> = all.iter().map(Target::to_string).collect();
        assert_eq!(unique.len(), all.len());
        assert!(all.iter().all(|t| !t.cluster_assumed()));
    }
}
