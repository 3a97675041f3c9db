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
//!
//! OpenShift Service Mesh 2.6 facts cite maistra/istio-operator 0b6000b3 (2024-07-25, the merge of
//! pull request #1832 on the maistra-2.6 line, charts labelled 2.6.0). That commit is read from the
//! fork jewertow/istio-operator, which carries it: the snapshot of maistra/istio-operator at hand
//! has no maistra-2.6 branch. Its v2.6 Istio CRDs are vendored in `data/schemas/ossm-2.6-istio-crds.yaml`.

mod api;
pub mod constraint;
mod error;
pub mod federation;
mod fields;
mod injection;
mod list;
mod merge;
mod ossm;
mod ratelimit;
mod schemas;
mod tls;
mod version;
mod wasm;

pub use api::{AdmissionEngine, ApiVersion, Kind, NotServed, Prerequisite, Served, names};
pub use error::TargetError;
pub use fields::Field;
pub use injection::{INJECTION_KEY, InjectionPolicy, InjectorSkips, LabelMatch, injection_value_enables};
pub use list::{is_list, list_items};
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
pub use wasm::WasmExtensions;

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
pub(crate) mod tests;
