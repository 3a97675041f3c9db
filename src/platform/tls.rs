//! TLS defaults and secret lookups that decide whether an object verifies what it should.

use super::Target;
use crate::input::Flavor;

/// How istiod's `VERIFY_CERTIFICATE_AT_CLIENT` behaves on the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyCertificateAtClient {
    /// An environment variable of istiod with this default.
    Flag { default: bool },
    /// The flag is gone and the behaviour is permanent (Istio 1.24+).
    AlwaysOn,
}

/// The istiod flags that decide server-certificate checks, as set on a control plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PilotFlags {
    /// `VERIFY_CERTIFICATE_AT_CLIENT` (ignored where [`VerifyCertificateAtClient::AlwaysOn`]).
    pub verify_certificate_at_client: bool,
    /// `ENABLE_AUTO_SNI`.
    pub enable_auto_sni: bool,
}

/// The client TLS settings of a DestinationRule that matter for server-name checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClientTls {
    /// `tls.sni` is set.
    pub sni: bool,
    /// `tls.subjectAltNames` is non-empty.
    pub subject_alt_names: bool,
    /// `tls.insecureSkipVerify: true`.
    pub insecure_skip_verify: bool,
}

/// DestinationRule `tls.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientTlsMode {
    Disable,
    Simple,
    Mutual,
    IstioMutual,
}

/// Which proxy a DestinationRule is applied by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    Sidecar,
    Gateway,
}

/// A secret istiod reads a CA certificate from, and the keys it tries in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaSecret {
    pub name: String,
    pub keys: [&'static str; 2],
}

/// How sure meshedge is of a fact about a container image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// Read from the image's build file in the upstream repository.
    Verified,
    /// Inferred from the base operating system family of the build file; not checked in a
    /// released image.
    Inferred,
}

/// The operating system CA bundle inside the proxy image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OsCaBundle {
    pub path: &'static str,
    pub evidence: Evidence,
}

/// How a DestinationRule that originates TLS without naming a CA gets the server verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerVerification {
    /// istiod verifies against the proxy's OS CA bundle by default (Istio 1.21+).
    ByDefault,
    /// Turn on istiod's `VERIFY_CERTIFICATE_AT_CLIENT` in the control plane meshedge manages
    /// ([`Target::istiod_env_path`]).
    IstiodFlag,
    /// Name the proxy image's OS CA bundle in `caCertificates` (a verified path).
    CaCertificates(&'static str),
    /// Nothing meshedge writes makes the server verified: the request must name its CA.
    Unavailable,
}

/// The istiod environment variable names of [`PilotFlags`].
pub const VERIFY_CERTIFICATE_AT_CLIENT: &str = "VERIFY_CERTIFICATE_AT_CLIENT";
pub const ENABLE_AUTO_SNI: &str = "ENABLE_AUTO_SNI";

impl Target {
    /// `VERIFY_CERTIFICATE_AT_CLIENT`: when on, a DestinationRule `tls` (SIMPLE/MUTUAL) without
    /// `caCertificates` verifies the server against the OS CA bundle; when off it verifies nothing.
    ///
    /// - Istio 1.16–1.20 and OSSM 2.4–2.6: a flag, default false. Sources: istio/istio
    ///   `pilot/pkg/features/pilot.go` 1.16.7:642, 1.17.8:649, 1.18.7:700, 1.19.10:592, 1.20.8:593;
    ///   maistra/istio `maistra-2.4:pilot/pkg/features/pilot.go:654`, `maistra-2.5:…:712`,
    ///   `maistra-2.6:…:593`. Effect: 1.18.7 `pilot/pkg/networking/core/v1alpha3/cluster_builder.go`
    ///   (SIMPLE without a root certificate gets an empty validation context).
    /// - Istio 1.21–1.23: default true (commit 745566b3b45 "Enable VERIFY_CERTIFICATE_AT_CLIENT and
    ///   AUTO_SNI by default (#48225)", first tag 1.21.0; 1.21.6:239, 1.22.8:228, 1.23.6:236).
    /// - Istio 1.24+: the flag is removed and the behaviour permanent (commit 6bede58f05e "Remove
    ///   code path for VERIFY_CERTIFICATE_AT_CLIENT (#52599)", first tag 1.24.0).
    pub fn verify_certificate_at_client(&self) -> VerifyCertificateAtClient {
        if self.istio_at_least(24) {
            VerifyCertificateAtClient::AlwaysOn
        } else {
            VerifyCertificateAtClient::Flag { default: self.istio_at_least(21) }
        }
    }

    /// Whether a DestinationRule with TLS origination and no `caCertificates` verifies the
    /// server's certificate chain on this target with istiod's defaults. False on Istio ≤ 1.20 and
    /// every OSSM 2.x release: there, set `caCertificates`, a `credentialName` whose secret holds
    /// the CA (gateways only, see [`Target::destination_rule_credential_name_honoured`]), or turn
    /// the flag on through [`Target::istiod_env_path`].
    pub fn verifies_server_certificate_by_default(&self) -> bool {
        !matches!(self.verify_certificate_at_client(), VerifyCertificateAtClient::Flag { default: false })
    }

    /// How a TLS origination without a named CA verifies the server on this target, when
    /// meshedge manages the control plane (`manages_control_plane`) or not: by default where
    /// [`Target::verifies_server_certificate_by_default`]; else through istiod's flag on a managed
    /// OSSM control plane; else by `caCertificates` naming the OS CA bundle where its path is
    /// verified ([`Target::os_ca_bundle`]); else not at all.
    pub fn server_verification_without_ca(&self, manages_control_plane: bool) -> ServerVerification {
        if self.verifies_server_certificate_by_default() {
            ServerVerification::ByDefault
        } else if manages_control_plane && self.istiod_env_path().is_some() {
            ServerVerification::IstiodFlag
        } else if self.os_ca_bundle().evidence == Evidence::Verified {
            ServerVerification::CaCertificates(self.os_ca_bundle().path)
        } else {
            ServerVerification::Unavailable
        }
    }

    /// `ENABLE_AUTO_SNI` default: false on Istio 1.16–1.20 and OSSM 2.4–2.6, true from 1.21.
    /// Sources: istio/istio `pilot/pkg/features/pilot.go` 1.16.7:651, 1.18.7:709, 1.20.8:599
    /// (false), 1.21.6:236, 1.24.3:225 (true; commit 745566b3b45, first tag 1.21.0); maistra/istio
    /// `maistra-2.4:pilot/pkg/features/pilot.go:663`, `maistra-2.5:…:721`, `maistra-2.6:…:599`.
    pub fn auto_sni_by_default(&self) -> bool {
        self.istio_at_least(21)
    }

    /// istiod's flags as the target ships them.
    pub fn default_pilot_flags(&self) -> PilotFlags {
        PilotFlags {
            verify_certificate_at_client: self.verifies_server_certificate_by_default(),
            enable_auto_sni: self.auto_sni_by_default(),
        }
    }

    /// Whether istiod turns on Envoy's `auto_san_validation` for a DestinationRule, i.e. checks the
    /// server certificate's name against the request's host. Otherwise only `tls.subjectAltNames`
    /// (or a ServiceEntry's `subjectAltNames`) is checked, and with neither, any certificate that
    /// chains to a trusted CA is accepted.
    ///
    /// The rule by release (function `setAutoSniAndAutoSanValidation`), with `flags` as set:
    /// - 1.16–1.18 (and OSSM 2.4, 2.5): `ENABLE_AUTO_SNI && VERIFY_CERTIFICATE_AT_CLIENT && no
    ///   subjectAltNames` — istio/istio 1.16.7 / 1.18.7 `pilot/pkg/networking/core/v1alpha3/cluster_builder.go`
    ///   (1.18.7:1203-1230), maistra/istio `maistra-2.4`/`maistra-2.5` same file;
    /// - 1.19–1.20 (and OSSM 2.6): also `!insecureSkipVerify` — 1.19.10 `cluster_builder.go:1238`,
    ///   1.20.8 `cluster_tls.go:316`, `maistra-2.6` `cluster_tls.go:311`;
    /// - 1.21–1.23: also no explicit `sni` — commit 6bbaf9c5261 "Fix auto san validation (#48398)",
    ///   1.21.0 `cluster_tls.go:320`, 1.23.6 `pilot/pkg/networking/core/cluster_tls.go:302`;
    /// - 1.24: `ENABLE_AUTO_SNI && no sni && no subjectAltNames && !insecureSkipVerify`
    ///   (verification always on) — 1.24.3 `pilot/pkg/networking/core/cluster_tls.go:290-320`.
    pub fn auto_san_validation(&self, tls: ClientTls, flags: PilotFlags) -> bool {
        let minor = self.istio.minor;
        let verify = flags.verify_certificate_at_client || minor >= 24;
        let base = flags.enable_auto_sni && verify && !tls.subject_alt_names;
        match minor {
            ..=18 => base,
            19..=20 => base && !tls.insecure_skip_verify,
            _ => base && !tls.insecure_skip_verify && !tls.sni,
        }
    }

    /// Where a gateway (and a DestinationRule with `credentialName`) reads the CA certificate that
    /// goes with `credential_name`: the client CA of a Gateway `MUTUAL` server, the server CA of a
    /// DestinationRule SIMPLE/MUTUAL origination. istiod reads secret `<credentialName>-cacert`;
    /// only if that secret does not exist, the credential secret itself; in either it takes key
    /// `cacert`, else `ca.crt` (a cert-manager secret's `ca.crt` is its issuer's CA). No CA found →
    /// the TLS context is never served. Identical in every supported release; `Gateway
    /// tls.caCertCredentialName` (Istio 1.28+) does not exist on them.
    ///
    /// Source: istio/istio `pilot/pkg/credentials/kube/secrets.go` `GetCaCert` and `extractRoot`
    /// (1.16.7:188, 1.18.7:182-194 and 270-293, 1.20.8:182, 1.22.8:198, 1.24.3:199); maistra/istio
    /// `maistra-2.4`, `-2.5`, `-2.6` same function; callers 1.18.7
    /// `pilot/pkg/security/model/authentication.go` (`ApplyCredentialSDSToServerCommonTLSContext`,
    /// `ApplyCustomSDSToClientCommonTLSContext`, suffix `SdsCaSuffix` = `-cacert`).
    pub fn credential_ca_lookup(&self, credential_name: &str) -> [CaSecret; 2] {
        let keys = ["cacert", "ca.crt"];
        [CaSecret { name: format!("{credential_name}-cacert"), keys }, CaSecret { name: credential_name.into(), keys }]
    }

    /// Whether a DestinationRule's `tls.credentialName` takes effect. On a sidecar, a rule without
    /// `workloadSelector` in mode SIMPLE or MUTUAL with `credentialName` gets **no TLS context at
    /// all** (the sidecar sends plain text); gateways honour it.
    ///
    /// Source: istio/istio 1.18.7 `pilot/pkg/networking/core/v1alpha3/cluster_builder.go:1040-1048`,
    /// 1.24.3 `pilot/pkg/networking/core/cluster_tls.go:142-149` (`buildUpstreamClusterTLSContext`);
    /// maistra/istio `maistra-2.4`/`-2.5` `cluster_builder.go`, `maistra-2.6` `cluster_tls.go:135`.
    pub fn destination_rule_credential_name_honoured(
        &self,
        proxy: ProxyKind,
        has_workload_selector: bool,
        mode: ClientTlsMode,
    ) -> bool {
        let dropped = proxy == ProxyKind::Sidecar
            && !has_workload_selector
            && matches!(mode, ClientTlsMode::Simple | ClientTlsMode::Mutual);
        !dropped
    }

    /// The OS CA bundle in the proxy image (what a DestinationRule `caCertificates` may name, and
    /// what pilot-agent serves as `file-root:system`).
    ///
    /// - Upstream: `/etc/ssl/certs/ca-certificates.crt`, verified: the default proxyv2 image
    ///   (`BASE_DISTRIBUTION=debug`, istio/istio `pilot/docker/Dockerfile.proxyv2`) is built on
    ///   `docker/Dockerfile.base` (`FROM ubuntu:jammy` at 1.16.7, `ubuntu:noble` at 1.24.3, with
    ///   `ca-certificates` and `update-ca-certificates`), and pilot-agent looks for that path first
    ///   (1.24.3 `pkg/security/security.go:449-471`, `GetOSRootFilePath`).
    /// - OSSM: `/etc/pki/tls/certs/ca-bundle.crt`, inferred: the maistra proxy image is RHEL-family
    ///   (maistra/istio `maistra-2.4`/`maistra-2.5` `maistra/Dockerfile.proxyv2`: `FROM
    ///   quay.io/centos/centos:stream8`, labelled `openshift-istio-proxy-ubi8-container`), where
    ///   that is the first path `GetOSRootFilePath` finds. Not checked in a released image; the
    ///   `maistra-2.6` branch only has the upstream Ubuntu build file. Prefer a mounted bundle or
    ///   istiod's flag on OSSM.
    pub fn os_ca_bundle(&self) -> OsCaBundle {
        match self.flavor {
            Flavor::Istio => OsCaBundle { path: "/etc/ssl/certs/ca-certificates.crt", evidence: Evidence::Verified },
            Flavor::Ossm2 => OsCaBundle { path: "/etc/pki/tls/certs/ca-bundle.crt", evidence: Evidence::Inferred },
        }
    }

    /// Where istiod's environment is set on a control plane meshedge manages, as a path of keys:
    /// the SMCP's `spec.runtime.components.pilot.container.env` (a map of name to value) for
    /// `ossm2`; `None` for `istio`, whose Sail `Istio` resource meshedge does not configure that way.
    ///
    /// Source: maistra/istio-operator maistra-2.5 (8143614c) `pkg/apis/maistra/v2/runtime.go:243`
    /// (`Env map[string]string json:"env"`), `pkg/apis/maistra/conversion/runtime.go:299`
    /// (`env.<key>` into the component's helm values), `resources/helm/v2.5/istio-control/
    /// istio-discovery/templates/deployment.yaml` (`range .Values.pilot.env`).
    pub fn istiod_env_path(&self) -> Option<[&'static str; 6]> {
        (self.flavor == Flavor::Ossm2).then_some(["spec", "runtime", "components", "pilot", "container", "env"])
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{istio, ossm};
    use super::*;

    #[test]
    fn verify_certificate_at_client_istio_pilot_features_pilot_go_and_maistra_branches() {
        // istio/istio pilot/pkg/features/pilot.go: false ≤1.20, true 1.21–1.23 (#48225), removed 1.24 (#52599);
        // maistra/istio maistra-2.4/2.5/2.6: false.
        for v in ["v2.4", "v2.5", "v2.6"] {
            assert_eq!(
                ossm(v, "4.16").verify_certificate_at_client(),
                VerifyCertificateAtClient::Flag { default: false }
            );
            assert!(!ossm(v, "4.16").verifies_server_certificate_by_default());
        }
        assert!(!istio("v1.20.8", "1.29").verifies_server_certificate_by_default());
        assert_eq!(
            istio("v1.21.0", "1.29").verify_certificate_at_client(),
            VerifyCertificateAtClient::Flag { default: true }
        );
        assert_eq!(
            istio("v1.23", "1.29").verify_certificate_at_client(),
            VerifyCertificateAtClient::Flag { default: true }
        );
        assert_eq!(istio("v1.24.3", "1.31").verify_certificate_at_client(), VerifyCertificateAtClient::AlwaysOn);
        assert!(istio("v1.24.3", "1.31").verifies_server_certificate_by_default());
    }

    #[test]
    fn enable_auto_sni_istio_pilot_features_pilot_go_1_21_0() {
        assert!(!ossm("v2.6", "4.16").auto_sni_by_default());
        assert!(!istio("v1.20", "1.29").auto_sni_by_default());
        assert!(istio("v1.21", "1.29").auto_sni_by_default());
        assert_eq!(
            istio("v1.22", "1.29").default_pilot_flags(),
            PilotFlags { verify_certificate_at_client: true, enable_auto_sni: true }
        );
    }

    #[test]
    fn auto_san_validation_istio_set_auto_sni_and_auto_san_validation_by_release() {
        let sni = ClientTls { sni: true, ..ClientTls::default() };
        let sans = ClientTls { sni: true, subject_alt_names: true, ..ClientTls::default() };
        let on = PilotFlags { verify_certificate_at_client: true, enable_auto_sni: true };
        // OSSM 2.5 defaults: nothing checks the server name.
        let prod = ossm("v2.5", "4.16");
        assert!(!prod.auto_san_validation(ClientTls::default(), prod.default_pilot_flags()));
        // With both flags on, 1.18 checks it even with an explicit sni (1.18.7 cluster_builder.go:1220).
        assert!(prod.auto_san_validation(sni, on));
        assert!(!prod.auto_san_validation(sans, on));
        // 1.19/1.20: insecureSkipVerify turns it off.
        let skip = ClientTls { insecure_skip_verify: true, ..ClientTls::default() };
        assert!(!ossm("v2.6", "4.16").auto_san_validation(skip, on));
        assert!(ossm("v2.6", "4.16").auto_san_validation(sni, on));
        // 1.21+ (#48398): an explicit sni turns it off, on every later release including 1.24.
        let dev = istio("v1.24.3", "1.31");
        assert!(!dev.auto_san_validation(sni, dev.default_pilot_flags()));
        assert!(dev.auto_san_validation(ClientTls::default(), dev.default_pilot_flags()));
        assert!(dev.auto_san_validation(
            ClientTls::default(),
            PilotFlags { verify_certificate_at_client: false, enable_auto_sni: true }
        ));
        assert!(!istio("v1.21", "1.29").auto_san_validation(sni, on));
    }

    #[test]
    fn credential_ca_lookup_istio_pilot_credentials_kube_secrets_go_get_ca_cert() {
        // istio/istio pilot/pkg/credentials/kube/secrets.go GetCaCert: "<name>-cacert", then "<name>"; keys cacert, ca.crt.
        for t in [ossm("v2.5", "4.16"), istio("v1.24.3", "1.31")] {
            let [first, second] = t.credential_ca_lookup("partner-client");
            assert_eq!((first.name.as_str(), first.keys), ("partner-client-cacert", ["cacert", "ca.crt"]));
            assert_eq!((second.name.as_str(), second.keys), ("partner-client", ["cacert", "ca.crt"]));
        }
    }

    #[test]
    fn destination_rule_credential_name_istio_cluster_builder_sidecar_without_selector() {
        // istio/istio 1.18.7 cluster_builder.go:1040-1048, 1.24.3 cluster_tls.go:142-149.
        let t = ossm("v2.5", "4.16");
        assert!(!t.destination_rule_credential_name_honoured(ProxyKind::Sidecar, false, ClientTlsMode::Simple));
        assert!(!t.destination_rule_credential_name_honoured(ProxyKind::Sidecar, false, ClientTlsMode::Mutual));
        assert!(t.destination_rule_credential_name_honoured(ProxyKind::Sidecar, true, ClientTlsMode::Simple));
        assert!(t.destination_rule_credential_name_honoured(ProxyKind::Gateway, false, ClientTlsMode::Mutual));
        assert!(t.destination_rule_credential_name_honoured(ProxyKind::Sidecar, false, ClientTlsMode::IstioMutual));
    }

    #[test]
    fn os_ca_bundle_istio_docker_dockerfile_base_and_maistra_dockerfile_proxyv2() {
        assert_eq!(
            istio("v1.24.3", "1.31").os_ca_bundle(),
            OsCaBundle { path: "/etc/ssl/certs/ca-certificates.crt", evidence: Evidence::Verified }
        );
        assert_eq!(
            ossm("v2.5", "4.16").os_ca_bundle(),
            OsCaBundle { path: "/etc/pki/tls/certs/ca-bundle.crt", evidence: Evidence::Inferred }
        );
    }

    #[test]
    fn server_verification_without_ca_pilot_go_and_dockerfile_base() {
        // istio/istio pilot/pkg/features/pilot.go: on by default from 1.21 (#48225).
        assert_eq!(istio("v1.24.3", "1.31").server_verification_without_ca(false), ServerVerification::ByDefault);
        assert_eq!(istio("v1.21", "1.29").server_verification_without_ca(false), ServerVerification::ByDefault);
        // maistra/istio maistra-2.5 pilot.go:712 off; the SMCP sets istiod's env (maistra/istio-operator runtime.go:243).
        assert_eq!(ossm("v2.5", "4.16").server_verification_without_ca(true), ServerVerification::IstiodFlag);
        // Upstream 1.20 unmanaged: the verified Ubuntu bundle of the proxy image (docker/Dockerfile.base).
        assert_eq!(
            istio("v1.20", "1.29").server_verification_without_ca(false),
            ServerVerification::CaCertificates("/etc/ssl/certs/ca-certificates.crt")
        );
        // OSSM unmanaged: the bundle path is only inferred, nothing meshedge writes verifies.
        assert_eq!(ossm("v2.6", "4.18").server_verification_without_ca(false), ServerVerification::Unavailable);
    }

    #[test]
    fn istiod_env_path_maistra_operator_v2_runtime_go_env() {
        assert_eq!(
            ossm("v2.5", "4.16").istiod_env_path().map(|p| p.join(".")),
            Some("spec.runtime.components.pilot.container.env".to_string())
        );
        assert_eq!(istio("v1.24.3", "1.31").istiod_env_path(), None);
        assert_eq!(
            (VERIFY_CERTIFICATE_AT_CLIENT, ENABLE_AUTO_SNI),
            ("VERIFY_CERTIFICATE_AT_CLIENT", "ENABLE_AUTO_SNI")
        );
    }
}
