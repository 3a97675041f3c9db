//! The platform facts a flow evaluation needs beside the objects.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde_json::Value;

use super::authz::Provider;
use super::net::Cidr;
use super::ossm::ControlPlane;
pub use super::pod::{ContainerPort, Pod, Protocol};
use super::selector::Labels;

/// An Istio minor version (`1.18`, `1.24`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IstioVersion {
    pub major: u16,
    pub minor: u16,
}

impl IstioVersion {
    pub const fn new(major: u16, minor: u16) -> IstioVersion {
        IstioVersion { major, minor }
    }

    /// Reads `1.18`, `v1.24.3`, `1.24.3`.
    pub fn parse(text: &str) -> Option<IstioVersion> {
        let text = text.strip_prefix('v').unwrap_or(text);
        let mut parts = text.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        Some(IstioVersion { major, minor })
    }

    /// Before Istio 1.24, DestinationRules for one host in one namespace are merged and the
    /// merged rule keeps the `exportTo` of the oldest one: istio/istio
    /// `pilot/pkg/model/destination_rule.go` `mergeDestinationRule` @1.18.7 (also the
    /// maistra-2.5/2.6 forks); 1.24 keeps rules with different `exportTo` apart
    /// (`ENABLE_ENHANCED_DESTINATIONRULE_MERGE`, `pilot/pkg/features/experimental.go:204`
    /// @1.24.3, first tagged in 1.24.0, absent from 1.23.5).
    pub fn merges_destination_rules_by_host(&self) -> bool {
        *self < IstioVersion::new(1, 24)
    }

    /// `tls.caCertCredentialName` on a Gateway server exists from Istio 1.28 (istio/api
    /// `networking/v1alpha3/gateway.proto`, added by 35764fa2, first tag 1.28.0).
    pub fn has_ca_cert_credential_name(&self) -> bool {
        *self >= IstioVersion::new(1, 28)
    }
}

impl fmt::Display for IstioVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// Which mesh distribution runs the control plane: the input's `mesh.flavor`.
pub use crate::input::Flavor as MeshFlavor;

/// The cluster's network plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkPlugin {
    /// OVN-Kubernetes: enforces NetworkPolicy and `k8s.ovn.org` EgressFirewall.
    OvnKubernetes,
    /// OpenShift SDN in NetworkPolicy mode: enforces NetworkPolicy and `network.openshift.io`
    /// EgressNetworkPolicy (no longer supported from OpenShift 4.17: openshift/api
    /// `release-4.17:network/v1/types.go:15-17`).
    OpenShiftSdn,
    /// Any other plugin that enforces NetworkPolicy and no egress firewall kind.
    Other,
}

/// How the network attributes traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    pub plugin: NetworkPlugin,
    /// The namespace whose address set holds the nodes' addresses, so that NetworkPolicy peers
    /// selecting it by namespace admit traffic SNATed to a node (OVN-Kubernetes:
    /// ovn-org/ovn-kubernetes `go-controller/pkg/ovn/namespace.go`
    /// `getHostNamespaceAddressesForNode`, `base_network_controller_policy.go`
    /// `useNamespaceAddrSet` @6c366bb4; on OpenShift `openshift-host-network`,
    /// openshift/cluster-network-operator `bindata/network/ovn-kubernetes/common/
    /// openshift-host-network-ns.yaml`). `None`: node traffic matches only `ipBlock` peers and
    /// rules without peers.
    pub host_network_namespace: Option<String>,
    /// The pod and service networks: an egress firewall never applies to them (OVN-Kubernetes
    /// adds `ip4.dst != <clusterSubnet>` to CIDR rules, `go-controller/pkg/ovn/
    /// egressfirewall.go` `getV4ClusterSubnetsExclusion` @6c366bb4).
    pub cluster_networks: Vec<Cidr>,
}

impl Network {
    /// OVN-Kubernetes as OpenShift configures it.
    pub fn openshift_ovn() -> Network {
        Network {
            plugin: NetworkPlugin::OvnKubernetes,
            host_network_namespace: Some(OPENSHIFT_HOST_NETWORK.to_string()),
            cluster_networks: Vec::new(),
        }
    }

    /// A plugin that is not known: only what Kubernetes specifies.
    pub fn kubernetes() -> Network {
        Network { plugin: NetworkPlugin::Other, host_network_namespace: None, cluster_networks: Vec::new() }
    }
}

/// The OpenShift router (the default IngressController) that serves Routes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Router {
    pub namespace: String,
    /// The router pods' labels.
    pub labels: Labels,
    /// `HostNetwork` endpoint publishing (the on-premise default): the router's traffic leaves
    /// from the node, not from a pod.
    pub host_network: bool,
}

/// The namespace of the OpenShift router (openshift/cluster-ingress-operator
/// `pkg/manifests/assets/router/namespace.yaml` @acca9642).
pub const OPENSHIFT_INGRESS: &str = "openshift-ingress";
/// The namespace standing for host-network traffic on OpenShift with OVN-Kubernetes.
pub const OPENSHIFT_HOST_NETWORK: &str = "openshift-host-network";

impl Router {
    /// The default OpenShift router: pods in `openshift-ingress` labelled
    /// `ingresscontroller.operator.openshift.io/deployment-ingresscontroller: default`
    /// (openshift/cluster-ingress-operator `pkg/operator/controller/names.go`
    /// `ControllerDeploymentLabel` @acca9642).
    pub fn openshift(host_network: bool) -> Router {
        Router {
            namespace: OPENSHIFT_INGRESS.to_string(),
            labels: Labels::from([(
                "ingresscontroller.operator.openshift.io/deployment-ingresscontroller".to_string(),
                "default".to_string(),
            )]),
            host_network,
        }
    }
}

/// `outboundTrafficPolicy.mode` of the mesh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboundPolicy {
    /// Traffic to hosts outside the proxy's registry view passes through (the default: istio/api
    /// `mesh/v1alpha1/config.proto` `OutboundTrafficPolicy` @1.24.3).
    AllowAny,
    /// Traffic to hosts outside the registry view is dropped.
    RegistryOnly,
}

/// Everything beside the objects that a flow evaluation needs.
#[derive(Debug, Clone)]
pub struct Context {
    pub istio: IstioVersion,
    pub flavor: MeshFlavor,
    pub network: Network,
    pub outbound: OutboundPolicy,
    /// The object that sets the outbound policy (the control plane's), named when it decides.
    pub outbound_source: Option<super::ObjectRef>,
    /// The mesh's root namespace: policies there apply mesh-wide (the control plane's namespace
    /// on OpenShift Service Mesh).
    pub root_namespace: String,
    pub trust_domain: String,
    /// `exportTo` of VirtualServices, ServiceEntries and DestinationRules that set none (the
    /// mesh default `*`: istio/istio `pkg/config/mesh/mesh.go` `DefaultMeshConfig` @1.24.3).
    pub default_export_to: Vec<String>,
    /// Labels of namespaces that the output does not emit or labels it does not set (platform
    /// namespaces, labels the control plane adds). Merged with emitted Namespaces and
    /// `kubernetes.io/metadata.name`.
    pub namespace_labels: BTreeMap<String, Labels>,
    /// Pods beside those of the output's workloads and the control plane's gateways (tenant
    /// workloads).
    pub pods: Vec<Pod>,
    /// The pods behind a service that is not in the output, by (namespace, service name). A
    /// service with neither gets one pod with no labels and the service's port.
    pub backends: BTreeMap<(String, String), Pod>,
    /// The OpenShift router, if the cluster has one.
    pub router: Option<Router>,
    /// Gateways that run on the cluster without being in the output (installed beside the
    /// mesh): each one's Service (in the value form) and its pods. Taken as the platform's, and
    /// only when neither the output nor the control plane has a Service of that name.
    pub gateways: Vec<(Value, Vec<Pod>)>,
    /// Addresses that stand for clients on the internet.
    pub internet: Vec<IpAddr>,
    /// OVN-Kubernetes accepts wildcard `dnsName` rules only with the DNSNameResolver feature
    /// (ovn-org/ovn-kubernetes `go-controller/pkg/util/egressfirewall.go`
    /// `ValidateAndGetEgressFirewallDestination` @6c366bb4; on OpenShift a TechPreview gate,
    /// openshift/api `features/features.go` `FeatureGateDNSNameResolver`).
    pub dns_name_resolver: bool,
    /// The CUSTOM (ext-authz) providers by name, as the evaluation models their decisions.
    pub providers: BTreeMap<String, Provider>,
    /// The OpenShift Service Mesh control plane, when it manages NetworkPolicies.
    pub control_plane: Option<ControlPlane>,
    /// `PILOT_SCOPE_GATEWAY_TO_NAMESPACE`: a Gateway selects workloads of its own namespace only
    /// (default false: istio/istio `pilot/pkg/features/pilot.go` @1.24.3; maistra/istio
    /// `maistra-2.5:pilot/pkg/features/pilot.go:209`).
    pub scope_gateway_to_namespace: bool,
}

impl Context {
    /// The defaults of an upstream Istio mesh on an unknown Kubernetes network.
    pub fn new(istio: IstioVersion, flavor: MeshFlavor) -> Context {
        Context {
            istio,
            flavor,
            network: Network::kubernetes(),
            outbound: OutboundPolicy::AllowAny,
            outbound_source: None,
            root_namespace: "istio-system".to_string(),
            trust_domain: "cluster.local".to_string(),
            default_export_to: vec!["*".to_string()],
            namespace_labels: BTreeMap::new(),
            pods: Vec::new(),
            backends: BTreeMap::new(),
            router: None,
            gateways: Vec::new(),
            internet: vec![
                IpAddr::V4(Ipv4Addr::new(203, 0, 113, 10)),
                IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x10)),
            ],
            dns_name_resolver: false,
            providers: BTreeMap::new(),
            control_plane: None,
            scope_gateway_to_namespace: false,
        }
    }

    /// Adds the labels of OpenShift's own namespaces that NetworkPolicies select: the router's
    /// namespace always carries both ingress policy-group labels (openshift/cluster-ingress-
    /// operator `pkg/manifests/assets/router/namespace.yaml` @acca9642); the host-network
    /// namespace carries its own label and, when the router uses the host network, the ingress
    /// labels too (openshift/cluster-network-operator `bindata/network/ovn-kubernetes/common/
    /// openshift-host-network-ns.yaml`; `pkg/controller/ingressconfig/
    /// ingressconfig_controller.go` `updatePolicyGroupLabelOnNamespace` @2a6a57fe).
    pub fn with_openshift_namespaces(mut self, router_host_network: bool) -> Context {
        let ingress_labels =
            [("network.openshift.io/policy-group", "ingress"), ("policy-group.network.openshift.io/ingress", "")];
        let router = self.namespace_labels.entry(OPENSHIFT_INGRESS.to_string()).or_default();
        for (k, v) in ingress_labels {
            router.insert(k.to_string(), v.to_string());
        }
        let host = self.namespace_labels.entry(OPENSHIFT_HOST_NETWORK.to_string()).or_default();
        host.insert("policy-group.network.openshift.io/host-network".to_string(), String::new());
        if router_host_network {
            for (k, v) in ingress_labels {
                host.insert(k.to_string(), v.to_string());
            }
        }
        self.router = Some(Router::openshift(router_host_network));
        self
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn versions_parse_and_order() {
        assert_eq!(IstioVersion::parse("v1.24.3"), Some(IstioVersion::new(1, 24)));
        assert_eq!(IstioVersion::parse("1.18"), Some(IstioVersion::new(1, 18)));
        assert_eq!(IstioVersion::parse("x"), None);
        assert!(IstioVersion::new(1, 23).merges_destination_rules_by_host());
        assert!(!IstioVersion::new(1, 24).merges_destination_rules_by_host());
        assert!(!IstioVersion::new(1, 27).has_ca_cert_credential_name());
        assert!(IstioVersion::new(1, 28).has_ca_cert_credential_name());
    }

    #[test]
    fn a_deployment_stands_for_its_template() {
        let pod = Pod::of_workload(&json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "gw", "namespace": "edge"},
            "spec": {"template": {
                "metadata": {"labels": {"istio": "gw"}},
                "spec": {"serviceAccountName": "gw-sa", "containers": [
                    {"name": "c", "ports": [{"name": "https", "containerPort": 8443}, {"containerPort": 53, "protocol": "UDP"}]}
                ]}
            }}
        }))
        .unwrap();
        assert_eq!(pod.namespace, "edge");
        assert_eq!(pod.labels.get("istio").map(String::as_str), Some("gw"));
        assert_eq!(
            pod.ports,
            vec![ContainerPort::tcp("https", 8443), ContainerPort { name: None, number: 53, protocol: Protocol::Udp }]
        );
        assert_eq!(pod.principal("cluster.local"), "cluster.local/ns/edge/sa/gw-sa");
        assert!(Pod::of_workload(&json!({"kind": "Service", "metadata": {"name": "x"}})).is_none());
    }

    #[test]
    fn openshift_namespaces_follow_the_router_mode() {
        let cloud = Context::new(IstioVersion::new(1, 18), MeshFlavor::Ossm2).with_openshift_namespaces(false);
        let host = &cloud.namespace_labels[OPENSHIFT_HOST_NETWORK];
        assert!(!host.contains_key("network.openshift.io/policy-group"));
        assert_eq!(cloud.namespace_labels[OPENSHIFT_INGRESS]["network.openshift.io/policy-group"], "ingress");
        let onprem = Context::new(IstioVersion::new(1, 18), MeshFlavor::Ossm2).with_openshift_namespaces(true);
        assert_eq!(onprem.namespace_labels[OPENSHIFT_HOST_NETWORK]["network.openshift.io/policy-group"], "ingress");
        assert!(onprem.router.unwrap().host_network);
    }
}
