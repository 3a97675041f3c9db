//! Version numbers of the target platform and the ranges meshedge supports.
//!
//! The ranges are the releases whose sources the facts of [`crate::platform`] were read from;
//! anything outside them is refused with a [`super::TargetError`] rather than guessed.

use std::fmt;

/// Oldest and newest Istio minor (`1.<minor>`) meshedge knows, for `flavor: istio`.
pub(crate) const ISTIO_MINORS: std::ops::RangeInclusive<u32> = 16..=24;
/// OpenShift Service Mesh 2 minors (`2.<minor>`) meshedge knows, for `flavor: ossm2`.
/// Source: maistra/istio-operator 0b6000b3 (maistra-2.6 line) `pkg/controller/versions/versions.go`,
/// `TestedVersions = []Version{V2_4, V2_5, V2_6}`.
pub(crate) const OSSM_MINORS: std::ops::RangeInclusive<u32> = 4..=6;
/// Kubernetes minors (`1.<minor>`) meshedge knows.
pub(crate) const KUBERNETES_MINORS: std::ops::RangeInclusive<u32> = 27..=32;
/// OpenShift minors (`4.<minor>`) meshedge knows.
pub(crate) const OPENSHIFT_MINORS: std::ops::RangeInclusive<u32> = 14..=19;

/// The decimal components of `MAJOR.MINOR[.PATCH]`: no sign, no leading zero, at most three parts.
pub(crate) fn components(text: &str) -> Option<Vec<u32>> {
    if text.is_empty() || text.len() > 24 {
        return None;
    }
    let parts: Option<Vec<u32>> = text
        .split('.')
        .map(|part| {
            let plain = !part.is_empty() && part.len() <= 6 && part.bytes().all(|b| b.is_ascii_digit());
            if plain && !(part.len() > 1 && part.starts_with('0')) { part.parse().ok() } else { None }
        })
        .collect();
    parts.filter(|p| (2..=3).contains(&p.len()))
}

/// An upstream Istio release: `1.<minor>`, with the patch when the setting names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IstioVersion {
    pub(crate) minor: u32,
    pub(crate) patch: Option<u32>,
}

impl IstioVersion {
    /// `1.<minor>`: every platform fact of meshedge is decided by the minor.
    pub fn minor(self) -> u32 {
        self.minor
    }

    /// The patch release, when the control-plane version names one (`v1.24.3` → 3).
    pub fn patch(self) -> Option<u32> {
        self.patch
    }
}

impl fmt::Display for IstioVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.patch {
            Some(patch) => write!(f, "1.{}.{patch}", self.minor),
            None => write!(f, "1.{}", self.minor),
        }
    }
}

/// An OpenShift Service Mesh 2 release: `2.<minor>` (the SMCP `spec.version` `v2.<minor>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OssmVersion {
    pub(crate) minor: u32,
}

impl OssmVersion {
    pub fn minor(self) -> u32 {
        self.minor
    }

    /// The Istio minor an OSSM release is built on: v2.4 → 1.16, v2.5 → 1.18, v2.6 → 1.20.
    ///
    /// Source: maistra/istio branches `maistra-2.4` and `maistra-2.5`, `Makefile.core.mk:38`
    /// (`VERSION ?= 1.16-dev`, `1.18-dev`), `maistra-2.6` file `VERSION` (`1.20`); the operator
    /// renders each SMCP version from the charts of that branch (maistra/istio-operator maistra-2.5
    /// `build/download-charts.sh`); release notes "Service Mesh 2.5 is based on Istio 1.18" /
    /// "2.6 is based on Istio 1.20" (openshift/openshift-docs `modules/ossm-rn-new-features.adoc`,
    /// `modules/ossm-release-2-6-0.adoc`).
    pub fn istio_minor(self) -> u32 {
        match self.minor {
            4 => 16,
            5 => 18,
            _ => 20,
        }
    }
}

impl fmt::Display for OssmVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "2.{}", self.minor)
    }
}

/// A Kubernetes release: `1.<minor>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KubernetesVersion {
    pub(crate) minor: u32,
}

impl KubernetesVersion {
    pub fn minor(self) -> u32 {
        self.minor
    }
}

impl fmt::Display for KubernetesVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "1.{}", self.minor)
    }
}

/// An OpenShift Container Platform release: `4.<minor>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpenShiftVersion {
    pub(crate) minor: u32,
}

impl OpenShiftVersion {
    pub fn minor(self) -> u32 {
        self.minor
    }

    /// The Kubernetes release an OpenShift release is built on: 4.14 → 1.27, 4.15 → 1.28,
    /// 4.16 → 1.29, 4.17 → 1.30, 4.18 → 1.31, 4.19 → 1.32.
    ///
    /// Source: openshift/api branches `release-4.14` … `release-4.19`, `go.mod` (`k8s.io/api`
    /// v0.27.1, v0.28.2, v0.29.0, v0.30.1, v0.31.1, v0.32.1).
    pub fn kubernetes(self) -> KubernetesVersion {
        KubernetesVersion { minor: self.minor + 13 }
    }
}

impl fmt::Display for OpenShiftVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "4.{}", self.minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_components_are_plain_decimals() {
        assert_eq!(components("1.24.3"), Some(vec![1, 24, 3]));
        assert_eq!(components("4.16"), Some(vec![4, 16]));
        for bad in ["", "4", "4.", ".4", "4.16.", "4.016", "+4.16", "4.1a", "4.16.1.2", "1.24.3-rc.0", " 4.16", "4..16"]
        {
            assert_eq!(components(bad), None, "{bad:?}");
        }
        assert_eq!(components(&"9".repeat(30)), None);
    }

    #[test]
    fn ossm_istio_minor_maistra_istio_makefile_core_and_version_file() {
        // maistra/istio maistra-2.4 / maistra-2.5 Makefile.core.mk:38, maistra-2.6 VERSION.
        let minors: Vec<u32> = OSSM_MINORS.map(|minor| OssmVersion { minor }.istio_minor()).collect();
        assert_eq!(minors, [16, 18, 20]);
    }

    #[test]
    fn openshift_kubernetes_openshift_api_release_branches_go_mod() {
        // openshift/api release-4.14 … release-4.19 go.mod: k8s.io/api v0.27 … v0.32.
        let pairs: Vec<(String, String)> = OPENSHIFT_MINORS
            .map(|minor| OpenShiftVersion { minor })
            .map(|o| (o.to_string(), o.kubernetes().to_string()))
            .collect();
        let expected = [
            ("4.14", "1.27"),
            ("4.15", "1.28"),
            ("4.16", "1.29"),
            ("4.17", "1.30"),
            ("4.18", "1.31"),
            ("4.19", "1.32"),
        ];
        assert_eq!(pairs, expected.map(|(a, b)| (a.to_string(), b.to_string())));
    }
}
