//! Mesh federation: how the target federates with a peer mesh, and the names and ports the
//! control plane expects of it.
//!
//! OpenShift Service Mesh 2 federates through `federation.maistra.io/v1` objects that istiod
//! reconciles: a `ServiceMeshPeer` per peer, and beside it (same name, same namespace) the
//! `ExportedServiceSet` and `ImportedServiceSet` that say what crosses. Upstream Istio has no
//! such objects: meshedge builds its multi-network model instead, for peers that share this
//! mesh's root of trust (an east-west Gateway with `AUTO_PASSTHROUGH` for the exported services,
//! and a `ServiceEntry` per imported service at the peer's east-west gateway).

use super::Target;
use crate::input::Flavor;

/// How the target federates meshes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Federation {
    /// `ServiceMeshPeer`, `ExportedServiceSet`, `ImportedServiceSet` (`federation.maistra.io/v1`)
    /// and a federation ingress and egress gateway per peer, declared in the SMCP.
    ServiceMeshPeers,
    /// Upstream Istio's multi-network model: this mesh's east-west gateway serves the exported
    /// services by SNI (`AUTO_PASSTHROUGH`), and each imported service is a `ServiceEntry` whose
    /// endpoints are the peer's east-west gateway. Needs one root of trust across the meshes.
    EastWest,
}

/// The name of the Gateway that exposes the exported services at the east-west gateway, as
/// Istio's sample names it: istio/istio 1.24.6 `samples/multicluster/expose-services.yaml:4`.
pub const EAST_WEST_GATEWAY_NAME: &str = "cross-network-gateway";

/// The labels of the east-west gateway's pods, which the Gateway selects: istio/istio 1.24.6
/// `samples/multicluster/expose-services.yaml:7` (`istio: eastwestgateway`), the label
/// `samples/multicluster/gen-eastwest-gateway.sh:70-72` gives the gateway it installs.
pub const EAST_WEST_SELECTOR: (&str, &str) = ("istio", "eastwestgateway");

/// The port of the east-west gateway that takes cross-network mutual TLS, routed by SNI:
/// istio/istio 1.24.6 `samples/multicluster/expose-services.yaml:10` and
/// `gen-eastwest-gateway.sh:114-116` (Service port `tls` 15443).
pub const EAST_WEST_PORT: u16 = 15443;

/// The TLS mode of the east-west server: istio/istio 1.24.6 `samples/multicluster/expose-services.yaml:15`.
/// Its filter chains are built only for the mesh-internal services whose host is within the
/// server's `hosts` (`pilot/pkg/networking/core/gateway.go:942-958`,
/// `builtAutoPassthroughFilterChains`, `service.Hostname.SubsetOf(host)`), one per
/// `outbound_.<port>_._.<host>` SNI: listing the exported hosts alone keeps every other
/// service of the mesh unreachable through the gateway.
pub const AUTO_PASSTHROUGH: &str = "AUTO_PASSTHROUGH";

/// The label and value that give a ServiceEntry endpoint Istio mutual TLS, so that the client's
/// proxy originates it (with the SNI the peer's gateway routes by): istio/istio 1.24.6
/// `pilot/pkg/serviceregistry/serviceentry/conversion.go:406-416` (`getTLSModeFromWorkloadEntry`:
/// `security.istio.io/tlsMode`, else disabled without a service account).
pub const TLS_MODE_LABEL: (&str, &str) = ("security.istio.io/tlsMode", "istio");

/// The host of a service of a peer (or of this mesh) on upstream Istio: the Service's own name,
/// `<name>.<namespace>.svc.cluster.local`, because the east-west gateway matches the SNI
/// `outbound_.<port>_._.<host>` against its own services (`gateway.go:960`,
/// `BuildDNSSrvSubsetKey`): an alias cannot rename it. The mesh domain `cluster.local` is
/// Istio's default (as `*.cluster.local` in [`crate::platform::ossm`]).
pub fn east_west_host(namespace: &str, name: &str) -> String {
    format!("{name}.{namespace}.svc.cluster.local")
}

/// The port a peer's federation gateway serves discovery on when `remote.discoveryPort` is unset.
/// Source: maistra/istio maistra-2.5 (08e9b7bd) `pkg/servicemesh/federation/common/const.go:25`
/// (`DefaultDiscoveryPort = 8188`), used by `discovery/discovery.go:280-283` when the
/// ServiceMeshPeer's `remote.discoveryPort` is 0.
pub const DEFAULT_DISCOVERY_PORT: u16 = 8188;

/// The port a peer's federation gateway serves federated services on when `remote.servicePort`
/// is unset. Source: the same file, `:27` (`DefaultFederationPort = 15443`).
pub const DEFAULT_SERVICE_PORT: u16 = 15443;

/// The key of the peer's root certificate in the ConfigMap a ServiceMeshPeer's
/// `security.certificateChain` names. Source: maistra/istio maistra-2.5
/// `pkg/servicemesh/federation/common/const.go:28` (`DefaultFederationRootCertName`), read by
/// `discovery/controller.go:311-333` (`getRootCertForMesh`), which reads a `ConfigMap` (kind
/// empty or `ConfigMap`) and refuses any other kind: a Secret cannot hold it.
pub const ROOT_CERT_KEY: &str = "root-cert.pem";

impl Target {
    /// How this target federates with peer meshes, or why it does not (a lowercase sentence
    /// naming the target), for `settings.mesh.federation`.
    ///
    /// OSSM 2.4–2.6: istiod runs the federation controllers (`PILOT_ENABLE_FEDERATION` from the
    /// chart value `pilot.enableFederation`, `true` in maistra/istio-operator 8143614c
    /// `resources/helm/v2.{4,5}/istio-control/istio-discovery/values.yaml:5` and 0b6000b3
    /// `resources/helm/v2.6/…/values.yaml:5`; `templates/deployment.yaml:213`), and the operator
    /// installs the `federation.maistra.io/v1` CRDs (`istio-init/files/*.federation.maistra.io.crd.yaml`).
    /// Upstream Istio: no `federation.maistra.io` API (istio/istio 1.16.7–1.24.6
    /// `manifests/charts/base/crds/crd-all.gen.yaml` has no such group), but the multi-network
    /// model of `samples/multicluster/` ([`Federation::EastWest`]) on every supported release.
    pub fn federation(&self) -> Result<Federation, String> {
        match self.flavor {
            Flavor::Ossm2 => Ok(Federation::ServiceMeshPeers),
            Flavor::Istio => Ok(Federation::EastWest),
        }
    }
}

/// The federation gateways of a peer, in the control plane's namespace: `(<peer>-ingress,
/// <peer>-egress)`. They are the ServiceMeshPeer's `gateways.ingress.name` and
/// `gateways.egress.name`: istiod addresses them as Services `<name>.<peer's namespace>.svc`
/// (maistra/istio maistra-2.5 `pkg/servicemesh/federation/server/server.go:121`,
/// `discovery/discovery.go:368,450`) and selects their pods by `service.istio.io/canonical-name:
/// <name>` (`discovery/discovery.go:255-265`), the label the operator's gateway charts give a
/// gateway's pods (maistra/istio-operator 8143614c `resources/helm/v2.5/gateways/istio-{ingress,egress}/templates/deployment.yaml:125`).
/// Neither can be `istio-ingressgateway` / `istio-egressgateway`, which the operator refuses as
/// additional gateways ([`Target::smcp_reserved_additional_gateway_names`]): a peer name ends
/// in neither suffix.
pub fn gateway_names(peer: &str) -> (String, String) {
    (format!("{peer}-ingress"), format!("{peer}-egress"))
}

/// The network istiod gives a peer's imported endpoints, which the peer's egress gateway must
/// request (`requestedNetworkView`) to route to them: `network-<peer>`. Source: maistra/istio
/// maistra-2.5 `pkg/servicemesh/federation/discovery/controller.go:222`
/// (`Network: fmt.Sprintf("network-%s", instance.Name)`).
pub fn peer_network(peer: &str) -> String {
    format!("network-{peer}")
}

/// The host of a service imported from `peer` as `name` in `namespace` (not `importAsLocal`):
/// `<name>.<namespace>.svc.<peer>-imports.local`. Source: maistra/istio maistra-2.5
/// `pilot/pkg/serviceregistry/federation/controller.go:172` (the default domain suffix
/// `svc.<peer>-imports.local`) and `pkg/servicemesh/federation/common/namemapping.go:28-33`
/// (`<name>.<namespace>.<suffix>`, the alias's name and namespace when it has one).
pub fn imported_host(peer: &str, namespace: &str, name: &str) -> String {
    format!("{name}.{namespace}.svc.{peer}-imports.local")
}

/// The host a peer sees a service exported to it under, by the name this mesh gives the peer:
/// `<name>.<namespace>.svc.<peer>-exports.local`. Source: maistra/istio maistra-2.5
/// `pkg/servicemesh/federation/server/server.go:117` (`svc.<mesh>-exports.local`) and
/// `common/namemapping.go:28-33`.
pub fn exported_host(peer: &str, namespace: &str, name: &str) -> String {
    format!("{name}.{namespace}.svc.{peer}-exports.local")
}

#[cfg(test)]
mod tests {
    use super::super::tests::{istio, ossm};
    use super::super::{Kind, Target};
    use super::*;

    #[test]
    fn every_ossm_release_federates_through_service_mesh_peers_at_v1() {
        for target in Target::all_supported() {
            let ossm2 = target.flavor() == Flavor::Ossm2;
            let expected = if ossm2 { Federation::ServiceMeshPeers } else { Federation::EastWest };
            assert_eq!(target.federation(), Ok(expected), "{target}");
            for kind in [Kind::ServiceMeshPeer, Kind::ExportedServiceSet, Kind::ImportedServiceSet] {
                let api = target.api_version(kind).ok().map(|v| v.as_str());
                assert_eq!(api, ossm2.then_some("federation.maistra.io/v1"), "{target} {kind}");
            }
        }
        assert_eq!(ossm("v2.4", "4.14").federation(), Ok(Federation::ServiceMeshPeers));
        assert_eq!(ossm("v2.6", "4.19").federation(), Ok(Federation::ServiceMeshPeers));
    }

    #[test]
    fn upstream_istio_federates_through_the_east_west_gateway() {
        assert_eq!(istio("v1.24", "1.31").federation(), Ok(Federation::EastWest));
        // istio/istio 1.24.6 samples/multicluster/expose-services.yaml:4-15.
        assert_eq!(
            (EAST_WEST_GATEWAY_NAME, EAST_WEST_SELECTOR, EAST_WEST_PORT, AUTO_PASSTHROUGH),
            ("cross-network-gateway", ("istio", "eastwestgateway"), 15443, "AUTO_PASSTHROUGH")
        );
        assert_eq!(TLS_MODE_LABEL, ("security.istio.io/tlsMode", "istio"));
        assert_eq!(east_west_host("fx", "rates"), "rates.fx.svc.cluster.local");
    }

    #[test]
    fn maistra_defaults_names_and_hosts() {
        // maistra/istio maistra-2.5 common/const.go:25-28.
        assert_eq!((DEFAULT_DISCOVERY_PORT, DEFAULT_SERVICE_PORT, ROOT_CERT_KEY), (8188, 15443, "root-cert.pem"));
        assert_eq!(gateway_names("partner"), ("partner-ingress".to_string(), "partner-egress".to_string()));
        assert_eq!(peer_network("partner"), "network-partner");
        assert_eq!(imported_host("partner", "shop", "rates"), "rates.shop.svc.partner-imports.local");
        assert_eq!(exported_host("prod", "pay", "api"), "api.pay.svc.prod-exports.local");
        // The operator's reserved names can never be a peer's gateway.
        let reserved = ossm("v2.5", "4.16").smcp_reserved_additional_gateway_names();
        for name in reserved {
            assert!(!name.ends_with("-ingress") && !name.ends_with("-egress"), "{name}");
        }
    }
}
