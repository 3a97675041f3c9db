//! The vendored schemas a target's objects validate against.
//!
//! `data/platform/` (written by `scripts/vendor-schemas --platform`) holds one chain of version
//! directories per source: `istio/1.<minor>/` (one file per CRD), `ossm/2.<minor>/` (only CRDs that
//! differ from the Istio release OSSM is built on; none today), `kubernetes/1.<minor>/` (OpenAPI v3
//! documents), `gatekeeper/<release>/`, `kyverno/<release>/`. A directory holds only the files that
//! changed since the previous version of its chain, so a target reads each file from the newest
//! directory at or below its version that has it. Kinds not vendored per release (OpenShift Route
//! and EgressNetworkPolicy, OVN, cert-manager, the OSSM operator's SMCP and SMMR) use the one copy
//! in `data/schemas/`.

use std::fmt;
use std::path::{Path, PathBuf};

use super::version::{ISTIO_MINORS, KUBERNETES_MINORS};
use super::{AdmissionEngine, Kind, Target};

/// Where the schema of a kind is vendored.
enum Source {
    /// A file of the `istio` chain (or `ossm` first, for an OSSM target).
    Istio(&'static str),
    /// A document of the `kubernetes` chain.
    Kubernetes(&'static str),
    /// A file under `data/`, the same for every target.
    Fixed(&'static str),
    /// No vendored schema (Pod), one per engine release
    /// ([`admission_engine_schema_files`]), or one derived from its ConstraintTemplate (a
    /// Gatekeeper constraint).
    Elsewhere,
}

fn source(kind: Kind) -> Source {
    match kind {
        Kind::Gateway => Source::Istio("gateways.networking.istio.io.yaml"),
        Kind::VirtualService => Source::Istio("virtualservices.networking.istio.io.yaml"),
        Kind::DestinationRule => Source::Istio("destinationrules.networking.istio.io.yaml"),
        Kind::ServiceEntry => Source::Istio("serviceentries.networking.istio.io.yaml"),
        Kind::Sidecar => Source::Istio("sidecars.networking.istio.io.yaml"),
        Kind::EnvoyFilter => Source::Istio("envoyfilters.networking.istio.io.yaml"),
        Kind::AuthorizationPolicy => Source::Istio("authorizationpolicies.security.istio.io.yaml"),
        Kind::RequestAuthentication => Source::Istio("requestauthentications.security.istio.io.yaml"),
        Kind::PeerAuthentication => Source::Istio("peerauthentications.security.istio.io.yaml"),
        Kind::WasmPlugin => Source::Istio("wasmplugins.extensions.istio.io.yaml"),
        Kind::Telemetry => Source::Istio("telemetries.telemetry.istio.io.yaml"),
        Kind::Namespace | Kind::ConfigMap | Kind::Secret | Kind::Service | Kind::ServiceAccount => {
            Source::Kubernetes("api__v1_openapi.json")
        }
        Kind::Deployment => Source::Kubernetes("apis__apps__v1_openapi.json"),
        Kind::NetworkPolicy => Source::Kubernetes("apis__networking.k8s.io__v1_openapi.json"),
        Kind::Role | Kind::RoleBinding | Kind::ClusterRole | Kind::ClusterRoleBinding => {
            Source::Kubernetes("apis__rbac.authorization.k8s.io__v1_openapi.json")
        }
        Kind::ValidatingAdmissionPolicy | Kind::ValidatingAdmissionPolicyBinding => {
            Source::Kubernetes("apis__admissionregistration.k8s.io__v1_openapi.json")
        }
        Kind::ServiceMeshControlPlane => Source::Fixed("schemas/maistra-servicemeshcontrolplanes.crd.yaml"),
        Kind::ServiceMeshMemberRoll => Source::Fixed("schemas/maistra-servicemeshmemberrolls.crd.yaml"),
        // maistra/api `manifests/federation.maistra.io_*.yaml`, the same for OSSM 2.4–2.6 (data/schemas/SOURCES.md).
        Kind::ServiceMeshPeer | Kind::ExportedServiceSet | Kind::ImportedServiceSet => {
            Source::Fixed("schemas/maistra-federation.crd.yaml")
        }
        Kind::Route => Source::Fixed("schemas/openshift-routes.crd.yaml"),
        Kind::EgressNetworkPolicy => Source::Fixed("schemas/openshift-egressnetworkpolicies.crd.yaml"),
        Kind::EgressFirewall => Source::Fixed("schemas/ovn-egressfirewalls.crd.yaml"),
        Kind::EgressIP => Source::Fixed("schemas/ovn-egressips.crd.yaml"),
        Kind::Certificate => Source::Fixed("schemas/cert-manager-certificates.crd.yaml"),
        // The Sail operator release whose `spec.version` list the platform model reads
        // (istio-ecosystem/sail-operator 1.30.3, see `Target::sail_operator_accepts_version`).
        Kind::IstioControlPlane => Source::Fixed("schemas/sail-istios.crd.yaml"),
        // meshedge never writes a Pod (its admission rules only match them).
        Kind::Pod | Kind::ConstraintTemplate | Kind::Constraint | Kind::ClusterPolicy => Source::Elsewhere,
    }
}

/// The CRDs of the kinds of Istio's API groups meshedge does not write, vendored so that
/// `meshedge check` validates them in a repository's plain resources: ProxyConfig, WorkloadEntry
/// and WorkloadGroup (`networking.istio.io`). Every Istio release 1.16–1.24 and OSSM 2.4–2.6
/// defines them (istio/istio `manifests/charts/base/crds/crd-all.gen.yaml` at 1.16.7 … 1.23.6,
/// `files/` at 1.24.6; maistra/istio-operator 0b6000b3 `resources/helm/v2.{4,5,6}/istio-init/
/// files/`, `data/platform/istio/SOURCES.md`); the versions each serves are
/// [`Target::served_versions`]'s.
const ISTIO_CHECKED_ONLY: [&str; 3] = [
    "proxyconfigs.networking.istio.io.yaml",
    "workloadentries.networking.istio.io.yaml",
    "workloadgroups.networking.istio.io.yaml",
];

/// A schema file a target needs is not in the data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaFilesError {
    /// The file name looked for.
    pub file: String,
    /// Every path tried, in order.
    pub searched: Vec<PathBuf>,
}

impl fmt::Display for SchemaFilesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let searched: Vec<String> = self.searched.iter().map(|p| p.display().to_string()).collect();
        write!(f, "no vendored schema {} (looked in {})", self.file, searched.join(", "))
    }
}

impl std::error::Error for SchemaFilesError {}

/// The first existing `<data>/platform/<dir>/<file>` of `dirs` (newest first).
fn resolve(data_dir: &Path, dirs: &[String], file: &str) -> Result<PathBuf, SchemaFilesError> {
    let searched: Vec<PathBuf> = dirs.iter().map(|d| data_dir.join("platform").join(d).join(file)).collect();
    searched.iter().find(|p| p.is_file()).cloned().ok_or_else(|| SchemaFilesError { file: file.into(), searched })
}

impl Target {
    /// The schema files, under `data_dir` (the repository's `data/` directory), that every object
    /// meshedge writes for this target validates against with [`crate::schema::SchemaSet`]: the
    /// CRDs of its Istio (or OSSM) release and the OpenAPI documents of its Kubernetes release, for
    /// the kinds it serves; OpenShift and OVN CRDs on OpenShift; the SMCP and SMMR for `ossm2`;
    /// cert-manager; the Istio kinds meshedge does not write ([`ISTIO_CHECKED_ONLY`]). Sorted,
    /// without duplicates. A kind the target does not serve has no schema
    /// here, so an object of it comes out as [`crate::schema::Validation::NoSchema`]; so does an
    /// Istio kind at an API version the target does not serve (e.g. `networking.istio.io/v1` on
    /// OSSM 2.5). Gatekeeper and Kyverno: [`admission_engine_schema_files`].
    ///
    /// Errors: a file the layout above calls for is missing under `data_dir`.
    pub fn schema_files(&self, data_dir: &Path) -> Result<Vec<PathBuf>, SchemaFilesError> {
        let mut istio_dirs: Vec<String> = self.ossm.iter().map(|o| format!("ossm/{o}")).collect();
        istio_dirs.extend((*ISTIO_MINORS.start()..=self.istio.minor).rev().map(|m| format!("istio/1.{m}")));
        let kubernetes_dirs: Vec<String> =
            (*KUBERNETES_MINORS.start()..=self.kubernetes.minor).rev().map(|m| format!("kubernetes/1.{m}")).collect();
        let mut files = Vec::new();
        for kind in Kind::ALL.into_iter().filter(|k| self.serves(*k)) {
            files.push(match source(kind) {
                Source::Istio(file) => resolve(data_dir, &istio_dirs, file)?,
                Source::Kubernetes(file) => resolve(data_dir, &kubernetes_dirs, file)?,
                Source::Fixed(path) => {
                    let path = data_dir.join(path);
                    if !path.is_file() {
                        let file = path.display().to_string();
                        return Err(SchemaFilesError { file, searched: vec![path] });
                    }
                    path
                }
                Source::Elsewhere => continue,
            });
        }
        for file in ISTIO_CHECKED_ONLY {
            files.push(resolve(data_dir, &istio_dirs, file)?);
        }
        files.sort();
        files.dedup();
        Ok(files)
    }
}

/// The releases of an admission engine meshedge checks its output against (oldest and newest),
/// each with its schema file under `data_dir`: Gatekeeper v3.16.3 and v3.23.0 (ConstraintTemplate
/// `templates.gatekeeper.sh/v1`), Kyverno v1.12.7 and v1.13.6 (ClusterPolicy `kyverno.io/v1`). An
/// object meant for every release must validate against each. ValidatingAdmissionPolicy has none
/// here: it is a Kubernetes kind ([`Target::schema_files`]).
pub fn admission_engine_schema_files(
    engine: AdmissionEngine,
    data_dir: &Path,
) -> Result<Vec<(&'static str, PathBuf)>, SchemaFilesError> {
    let (chain, releases, file): (&str, &[&'static str], &str) = match engine {
        AdmissionEngine::ValidatingAdmissionPolicy => return Ok(Vec::new()),
        AdmissionEngine::Gatekeeper => {
            ("gatekeeper", &["3.16", "3.23"], "constrainttemplates.templates.gatekeeper.sh.yaml")
        }
        AdmissionEngine::Kyverno => ("kyverno", &["1.12", "1.13"], "clusterpolicies.kyverno.io.yaml"),
    };
    let mut out = Vec::new();
    for (i, release) in releases.iter().enumerate() {
        let dirs: Vec<String> = releases[..=i].iter().rev().map(|r| format!("{chain}/{r}")).collect();
        out.push((*release, resolve(data_dir, &dirs, file)?));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{istio, ossm};
    use super::*;

    fn data_dir() -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data"))
    }

    fn names(target: &Target) -> Vec<String> {
        let files = target.schema_files(&data_dir()).expect("every schema is vendored");
        files.iter().map(|f| f.strip_prefix(data_dir()).expect("under data/").display().to_string()).collect()
    }

    #[test]
    fn ossm_targets_read_the_istio_release_they_are_built_on() {
        let files = names(&ossm("v2.5", "4.16"));
        // OSSM 2.5 = Istio 1.18, whose files equal 1.17's: the newest directory at or below 1.18.
        assert!(
            files.contains(&"platform/istio/1.17/authorizationpolicies.security.istio.io.yaml".into()),
            "{files:?}"
        );
        assert!(files.contains(&"platform/istio/1.16/destinationrules.networking.istio.io.yaml".into()), "{files:?}");
        assert!(files.contains(&"platform/kubernetes/1.29/api__v1_openapi.json".into()), "{files:?}");
        assert!(files.contains(&"schemas/maistra-servicemeshcontrolplanes.crd.yaml".into()));
        assert!(files.contains(&"schemas/openshift-routes.crd.yaml".into()));
        // ValidatingAdmissionPolicy is not served on 4.16, so its document is not needed.
        assert!(!files.iter().any(|f| f.contains("admissionregistration")), "{files:?}");
        assert!(!files.iter().any(|f| f.contains("/1.19/") || f.contains("/1.30/")), "{files:?}");
    }

    #[test]
    fn istio_targets_on_kubernetes_have_no_openshift_schemas() {
        let files = names(&istio("v1.24.3", "1.31"));
        assert!(files.contains(&"platform/istio/1.24/gateways.networking.istio.io.yaml".into()));
        assert!(files.contains(&"platform/kubernetes/1.30/apis__admissionregistration.k8s.io__v1_openapi.json".into()));
        assert!(files.contains(&"platform/kubernetes/1.31/apis__apps__v1_openapi.json".into()));
        assert!(
            !files.iter().any(|f| f.contains("openshift") || f.contains("ovn") || f.contains("maistra")),
            "{files:?}"
        );
        // The 10 kinds meshedge writes, Telemetry, and ProxyConfig, WorkloadEntry, WorkloadGroup.
        assert_eq!(files.iter().filter(|f| f.contains("istio.io")).count(), 14);
        // The Sail operator's `Istio` (sailoperator.io/v1), the control plane of `flavor: istio`.
        assert!(files.contains(&"schemas/sail-istios.crd.yaml".into()), "{files:?}");
        assert!(!names(&ossm("v2.5", "4.16")).iter().any(|f| f.contains("sail")));
    }

    #[test]
    fn a_missing_file_is_an_error_listing_where_it_was_looked_for() {
        let empty = tempfile::tempdir().expect("temporary directory");
        let err = istio("v1.17", "1.28").schema_files(empty.path()).expect_err("nothing vendored there");
        assert_eq!(err.searched.len(), 2, "{err}");
        assert!(err.to_string().starts_with("no vendored schema "), "{err}");
    }

    #[test]
    fn admission_engines_have_one_schema_per_release() {
        let gatekeeper = admission_engine_schema_files(AdmissionEngine::Gatekeeper, &data_dir()).expect("vendored");
        assert_eq!(gatekeeper.iter().map(|(r, _)| *r).collect::<Vec<_>>(), ["3.16", "3.23"]);
        let kyverno = admission_engine_schema_files(AdmissionEngine::Kyverno, &data_dir()).expect("vendored");
        assert!(kyverno[1].1.ends_with("kyverno/1.13/clusterpolicies.kyverno.io.yaml"));
        assert!(
            admission_engine_schema_files(AdmissionEngine::ValidatingAdmissionPolicy, &data_dir())
                .expect("none")
                .is_empty()
        );
    }
}
