//! Why a target cannot be modelled: a version meshedge does not know, or one written wrongly.

use std::fmt;

use crate::input::Flavor;

/// A setting that names a target meshedge has no facts for. The validate stage turns it into a
/// diagnostic located at [`TargetError::setting`], with [`TargetError::message`] and
/// [`TargetError::help`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetError {
    /// `mesh.controlPlane.version` is not `v2.<minor>` (ossm2) or `v1.<minor>[.<patch>]` (istio).
    MalformedControlPlaneVersion { flavor: Flavor, given: String },
    /// `mesh.controlPlane.version` is well formed but outside the supported releases.
    UnsupportedControlPlaneVersion { flavor: Flavor, given: String },
    /// `cluster.openshiftVersion` is not `4.<minor>`.
    MalformedOpenShiftVersion { given: String },
    /// `cluster.openshiftVersion` is outside 4.14–4.19.
    UnsupportedOpenShiftVersion { given: String },
    /// `cluster.kubernetesVersion` is not `1.<minor>`.
    MalformedKubernetesVersion { given: String },
    /// `cluster.kubernetesVersion` is outside 1.27–1.32.
    UnsupportedKubernetesVersion { given: String },
    /// `flavor: ossm2` with `cluster.kubernetesVersion`: OpenShift Service Mesh runs on OpenShift.
    OssmNeedsOpenShift { given: String },
}

fn flavor_name(flavor: Flavor) -> &'static str {
    match flavor {
        Flavor::Ossm2 => "openshift service mesh",
        Flavor::Istio => "istio",
    }
}

impl TargetError {
    /// The setting at fault, as written under `settings:` (e.g. `mesh.controlPlane.version`).
    pub fn setting(&self) -> &'static str {
        match self {
            Self::MalformedControlPlaneVersion { .. } | Self::UnsupportedControlPlaneVersion { .. } => {
                "mesh.controlPlane.version"
            }
            Self::MalformedOpenShiftVersion { .. } | Self::UnsupportedOpenShiftVersion { .. } => {
                "cluster.openshiftVersion"
            }
            Self::MalformedKubernetesVersion { .. }
            | Self::UnsupportedKubernetesVersion { .. }
            | Self::OssmNeedsOpenShift { .. } => "cluster.kubernetesVersion",
        }
    }

    /// A short lowercase sentence naming the value.
    pub fn message(&self) -> String {
        match self {
            Self::MalformedControlPlaneVersion { flavor, given } => {
                format!("{} control plane version {given:?} is not a version number", flavor_name(*flavor))
            }
            Self::UnsupportedControlPlaneVersion { flavor, given } => {
                format!("{} control plane version {given:?} is not supported", flavor_name(*flavor))
            }
            Self::MalformedOpenShiftVersion { given } => format!("openshift version {given:?} is not a version number"),
            Self::UnsupportedOpenShiftVersion { given } => format!("openshift version {given:?} is not supported"),
            Self::MalformedKubernetesVersion { given } => {
                format!("kubernetes version {given:?} is not a version number")
            }
            Self::UnsupportedKubernetesVersion { given } => format!("kubernetes version {given:?} is not supported"),
            Self::OssmNeedsOpenShift { given } => {
                format!("openshift service mesh 2 runs on openshift, not on kubernetes {given:?}")
            }
        }
    }

    /// What to write instead.
    pub fn help(&self) -> String {
        let ossm = "write v2.4, v2.5 or v2.6 (OpenShift Service Mesh 2.4 to 2.6: Istio 1.16, 1.18, 1.20)";
        let istio = "write the Istio release with a leading v, from v1.16 to v1.24 (e.g. v1.24.3)";
        let openshift = "write a quoted \"4.<minor>\", from \"4.14\" to \"4.19\"";
        let kubernetes = "write a quoted \"1.<minor>\", from \"1.27\" to \"1.32\"";
        match self {
            Self::MalformedControlPlaneVersion { flavor: Flavor::Ossm2, .. }
            | Self::UnsupportedControlPlaneVersion { flavor: Flavor::Ossm2, .. } => ossm.into(),
            Self::MalformedControlPlaneVersion { flavor: Flavor::Istio, .. }
            | Self::UnsupportedControlPlaneVersion { flavor: Flavor::Istio, .. } => istio.into(),
            Self::MalformedOpenShiftVersion { .. } | Self::UnsupportedOpenShiftVersion { .. } => openshift.into(),
            Self::MalformedKubernetesVersion { .. } | Self::UnsupportedKubernetesVersion { .. } => kubernetes.into(),
            Self::OssmNeedsOpenShift { .. } => {
                "set cluster.openshiftVersion (\"4.14\" to \"4.19\") instead, or use mesh.flavor: istio".into()
            }
        }
    }
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.setting(), self.message())
    }
}

impl std::error::Error for TargetError {}
