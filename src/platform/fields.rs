//! Which fields (and enum values) exist in the target's CRDs.
//!
//! Each [`Field`] records the first Istio minor whose CRD has it. Source for every row: istio/istio
//! `manifests/charts/base/crds/crd-all.gen.yaml` (`files/` from 1.24) at the newest patch of each
//! minor 1.16–1.24 (1.16.7, 1.17.8, 1.18.7, 1.19.10, 1.20.8, 1.21.6, 1.22.8, 1.23.6, 1.24.6; the
//! patches of a minor differ at most in CEL rules), read in the served versions meshedge writes.
//! OpenShift Service Mesh 2.4/2.5/2.6 install CRDs identical to those of Istio 1.16/1.18/1.20
//! (maistra/istio-operator 0b6000b3 `resources/helm/v2.x/istio-init/files/`, compared by
//! `scripts/vendor-schemas --platform`), so an OSSM target answers as its Istio release does.
//! The vendored copies under `data/platform/istio/` are checked against this table in
//! `tests/platform.rs`.

use super::Kind;
use super::Target;

/// A field (or enum value) of an Istio CRD whose presence depends on the version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// Gateway `servers[].tls.caCertCredentialName`: istio/api #3544 (35764fa2f, 2025-07-31), first
    /// in the istio/istio 1.28.0 CRD; in no release meshedge supports.
    GatewayTlsCaCertCredentialName,
    /// Gateway `servers[].tls.credentialNames`: first in istio/api 1.26.0; in no supported release.
    GatewayTlsCredentialNames,
    /// Gateway `servers[].tls.caCrl`: 1.22.
    GatewayTlsCaCrl,
    /// Gateway `servers[].tls.mode: OPTIONAL_MUTUAL`: 1.19 (OSSM 2.6).
    GatewayTlsModeOptionalMutual,
    /// Gateway `servers[].tls.credentialName`: every supported release.
    GatewayTlsCredentialName,
    /// Gateway `servers[].tls.caCertificates`: every supported release.
    GatewayTlsCaCertificates,
    /// Gateway `servers[].tls.subjectAltNames`: every supported release.
    GatewayTlsSubjectAltNames,
    /// DestinationRule `trafficPolicy.tls.credentialName`: every supported release.
    DestinationRuleTlsCredentialName,
    /// DestinationRule `trafficPolicy.tls.caCertificates`: every supported release.
    DestinationRuleTlsCaCertificates,
    /// DestinationRule `trafficPolicy.tls.subjectAltNames`: every supported release.
    DestinationRuleTlsSubjectAltNames,
    /// DestinationRule `trafficPolicy.tls.sni`: every supported release.
    DestinationRuleTlsSni,
    /// DestinationRule `trafficPolicy.tls.insecureSkipVerify`: every supported release (istio/api 1.12.0).
    DestinationRuleTlsInsecureSkipVerify,
    /// DestinationRule `trafficPolicy.tls.caCrl`: 1.22.
    DestinationRuleTlsCaCrl,
    /// DestinationRule `trafficPolicy.proxyProtocol`: 1.21.
    DestinationRuleProxyProtocol,
    /// DestinationRule `trafficPolicy.connectionPool.tcp.idleTimeout`: 1.21.
    DestinationRuleTcpIdleTimeout,
    /// DestinationRule `workloadSelector`: every supported release.
    DestinationRuleWorkloadSelector,
    /// ServiceEntry `subjectAltNames`: every supported release.
    ServiceEntrySubjectAltNames,
    /// RequestAuthentication `jwtRules[].outputClaimToHeaders`: 1.17 (OSSM 2.5).
    RequestAuthenticationOutputClaimToHeaders,
    /// RequestAuthentication `jwtRules[].fromCookies`: 1.21.
    RequestAuthenticationFromCookies,
    /// RequestAuthentication `jwtRules[].timeout`: 1.22.
    RequestAuthenticationTimeout,
    /// RequestAuthentication `targetRef`: 1.20 (OSSM 2.6).
    RequestAuthenticationTargetRef,
    /// RequestAuthentication `targetRefs`: 1.22.
    RequestAuthenticationTargetRefs,
    /// AuthorizationPolicy `targetRef`: 1.20 (OSSM 2.6).
    AuthorizationPolicyTargetRef,
    /// AuthorizationPolicy `targetRefs`: 1.22.
    AuthorizationPolicyTargetRefs,
    /// Sidecar `inboundConnectionPool`: 1.20 (OSSM 2.6).
    SidecarInboundConnectionPool,
}

impl Field {
    pub const ALL: [Field; 25] = [
        Field::GatewayTlsCaCertCredentialName,
        Field::GatewayTlsCredentialNames,
        Field::GatewayTlsCaCrl,
        Field::GatewayTlsModeOptionalMutual,
        Field::GatewayTlsCredentialName,
        Field::GatewayTlsCaCertificates,
        Field::GatewayTlsSubjectAltNames,
        Field::DestinationRuleTlsCredentialName,
        Field::DestinationRuleTlsCaCertificates,
        Field::DestinationRuleTlsSubjectAltNames,
        Field::DestinationRuleTlsSni,
        Field::DestinationRuleTlsInsecureSkipVerify,
        Field::DestinationRuleTlsCaCrl,
        Field::DestinationRuleProxyProtocol,
        Field::DestinationRuleTcpIdleTimeout,
        Field::DestinationRuleWorkloadSelector,
        Field::ServiceEntrySubjectAltNames,
        Field::RequestAuthenticationOutputClaimToHeaders,
        Field::RequestAuthenticationFromCookies,
        Field::RequestAuthenticationTimeout,
        Field::RequestAuthenticationTargetRef,
        Field::RequestAuthenticationTargetRefs,
        Field::AuthorizationPolicyTargetRef,
        Field::AuthorizationPolicyTargetRefs,
        Field::SidecarInboundConnectionPool,
    ];

    /// (kind, path from the object root with `[]` for list items, enum value, first Istio minor).
    fn row(self) -> (Kind, &'static str, Option<&'static str>, u32) {
        use Field::*;
        match self {
            GatewayTlsCaCertCredentialName => (Kind::Gateway, "spec.servers[].tls.caCertCredentialName", None, 28),
            GatewayTlsCredentialNames => (Kind::Gateway, "spec.servers[].tls.credentialNames", None, 26),
            GatewayTlsCaCrl => (Kind::Gateway, "spec.servers[].tls.caCrl", None, 22),
            GatewayTlsModeOptionalMutual => (Kind::Gateway, "spec.servers[].tls.mode", Some("OPTIONAL_MUTUAL"), 19),
            GatewayTlsCredentialName => (Kind::Gateway, "spec.servers[].tls.credentialName", None, 16),
            GatewayTlsCaCertificates => (Kind::Gateway, "spec.servers[].tls.caCertificates", None, 16),
            GatewayTlsSubjectAltNames => (Kind::Gateway, "spec.servers[].tls.subjectAltNames", None, 16),
            DestinationRuleTlsCredentialName => {
                (Kind::DestinationRule, "spec.trafficPolicy.tls.credentialName", None, 16)
            }
            DestinationRuleTlsCaCertificates => {
                (Kind::DestinationRule, "spec.trafficPolicy.tls.caCertificates", None, 16)
            }
            DestinationRuleTlsSubjectAltNames => {
                (Kind::DestinationRule, "spec.trafficPolicy.tls.subjectAltNames", None, 16)
            }
            DestinationRuleTlsSni => (Kind::DestinationRule, "spec.trafficPolicy.tls.sni", None, 16),
            DestinationRuleTlsInsecureSkipVerify => {
                (Kind::DestinationRule, "spec.trafficPolicy.tls.insecureSkipVerify", None, 16)
            }
            DestinationRuleTlsCaCrl => (Kind::DestinationRule, "spec.trafficPolicy.tls.caCrl", None, 22),
            DestinationRuleProxyProtocol => (Kind::DestinationRule, "spec.trafficPolicy.proxyProtocol", None, 21),
            DestinationRuleTcpIdleTimeout => {
                (Kind::DestinationRule, "spec.trafficPolicy.connectionPool.tcp.idleTimeout", None, 21)
            }
            DestinationRuleWorkloadSelector => (Kind::DestinationRule, "spec.workloadSelector", None, 16),
            ServiceEntrySubjectAltNames => (Kind::ServiceEntry, "spec.subjectAltNames", None, 16),
            RequestAuthenticationOutputClaimToHeaders => {
                (Kind::RequestAuthentication, "spec.jwtRules[].outputClaimToHeaders", None, 17)
            }
            RequestAuthenticationFromCookies => (Kind::RequestAuthentication, "spec.jwtRules[].fromCookies", None, 21),
            RequestAuthenticationTimeout => (Kind::RequestAuthentication, "spec.jwtRules[].timeout", None, 22),
            RequestAuthenticationTargetRef => (Kind::RequestAuthentication, "spec.targetRef", None, 20),
            RequestAuthenticationTargetRefs => (Kind::RequestAuthentication, "spec.targetRefs", None, 22),
            AuthorizationPolicyTargetRef => (Kind::AuthorizationPolicy, "spec.targetRef", None, 20),
            AuthorizationPolicyTargetRefs => (Kind::AuthorizationPolicy, "spec.targetRefs", None, 22),
            SidecarInboundConnectionPool => (Kind::Sidecar, "spec.inboundConnectionPool", None, 20),
        }
    }

    /// The kind whose CRD holds the field.
    pub fn kind(self) -> Kind {
        self.row().0
    }

    /// The field's path from the object root, `[]` marking list items, e.g.
    /// `spec.servers[].tls.caCertCredentialName`.
    pub fn path(self) -> &'static str {
        self.row().1
    }

    /// For an enum value (`OPTIONAL_MUTUAL`), the value; the field itself exists everywhere.
    pub fn enum_value(self) -> Option<&'static str> {
        self.row().2
    }

    /// The first Istio minor (`1.<minor>`) whose CRD has the field.
    pub fn first_istio_minor(self) -> u32 {
        self.row().3
    }
}

impl Target {
    /// Whether the target's CRD for [`Field::kind`] has the field (in the API version meshedge
    /// writes). A field the CRD lacks is pruned by the API server, or refused under strict field
    /// validation (Argo CD applies with it), so it is written only where this is true.
    pub fn has_field(&self, field: Field) -> bool {
        self.istio_at_least(field.first_istio_minor())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{istio, ossm};
    use super::*;

    #[test]
    fn ca_cert_credential_name_istio_api_3544_first_in_1_28() {
        // istio/api 35764fa2f "feat: add tls.caCertCredentialName (#3544)", istio/istio CRD 1.28.0.
        assert!(!istio("v1.24.3", "1.31").has_field(Field::GatewayTlsCaCertCredentialName));
        assert!(!ossm("v2.6", "4.18").has_field(Field::GatewayTlsCaCertCredentialName));
        assert_eq!(Field::GatewayTlsCaCertCredentialName.first_istio_minor(), 28);
    }

    #[test]
    fn optional_mutual_istio_crd_all_gen_1_19_10() {
        // crd-all.gen.yaml: the Gateway tls.mode enum gains OPTIONAL_MUTUAL at 1.19 (OSSM 2.6 = 1.20).
        assert!(!ossm("v2.5", "4.16").has_field(Field::GatewayTlsModeOptionalMutual));
        assert!(ossm("v2.6", "4.16").has_field(Field::GatewayTlsModeOptionalMutual));
        assert!(istio("v1.19", "1.27").has_field(Field::GatewayTlsModeOptionalMutual));
        assert_eq!(Field::GatewayTlsModeOptionalMutual.enum_value(), Some("OPTIONAL_MUTUAL"));
    }

    #[test]
    fn destination_rule_tls_fields_istio_crd_all_gen_1_16_7_and_1_22_8() {
        let old = ossm("v2.4", "4.14");
        for f in [
            Field::DestinationRuleTlsInsecureSkipVerify,
            Field::DestinationRuleTlsSubjectAltNames,
            Field::DestinationRuleTlsSni,
        ] {
            assert!(old.has_field(f), "{f:?}");
        }
        assert!(!istio("v1.21", "1.29").has_field(Field::DestinationRuleTlsCaCrl));
        assert!(istio("v1.22", "1.29").has_field(Field::DestinationRuleTlsCaCrl));
    }

    #[test]
    fn request_authentication_fields_istio_crd_all_gen_1_17_8_1_21_6_1_22_8() {
        assert!(!ossm("v2.4", "4.16").has_field(Field::RequestAuthenticationOutputClaimToHeaders));
        assert!(ossm("v2.5", "4.16").has_field(Field::RequestAuthenticationOutputClaimToHeaders));
        assert!(istio("v1.21", "1.29").has_field(Field::RequestAuthenticationFromCookies));
        assert!(!istio("v1.21", "1.29").has_field(Field::RequestAuthenticationTimeout));
        assert!(istio("v1.22", "1.29").has_field(Field::RequestAuthenticationTimeout));
    }

    #[test]
    fn target_refs_istio_crd_all_gen_1_20_8_and_1_22_8() {
        assert!(!ossm("v2.5", "4.16").has_field(Field::AuthorizationPolicyTargetRef));
        assert!(ossm("v2.6", "4.16").has_field(Field::AuthorizationPolicyTargetRef));
        assert!(!ossm("v2.6", "4.16").has_field(Field::AuthorizationPolicyTargetRefs));
        assert!(istio("v1.22", "1.29").has_field(Field::RequestAuthenticationTargetRefs));
    }

    #[test]
    fn every_field_has_a_distinct_row() {
        let rows: std::collections::BTreeSet<_> =
            Field::ALL.iter().map(|f| (f.kind(), f.path(), f.enum_value())).collect();
        assert_eq!(rows.len(), Field::ALL.len());
        assert!(Field::ALL.iter().all(|f| f.path().starts_with("spec.")));
    }
}
