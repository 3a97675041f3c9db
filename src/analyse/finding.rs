//! What the analyses of the final objects find ([`Finding`]): each finding's code, the
//! `istioctl analyze` code it corresponds to, its message and help.

use crate::diagnostic::{Code, Explain, ResourceRef};

#[derive(Debug, Clone)]
pub enum Finding {
    /// E430: two objects with one identity; where each came from.
    Duplicate { object: ResourceRef, first: String, second: String },
    /// A601: a VirtualService names a Gateway no object defines.
    MissingGateway { namespace: String, name: String },
    /// A602: a VirtualService host none of its gateways serves.
    HostNotServed { host: String, namespace: String, name: String },
    /// A603: two mesh VirtualServices claim one host.
    MeshHostTwice { host: String, first: ResourceRef, second: ResourceRef },
    /// A604: two Gateways serve one host on one port.
    GatewayConflict { host: String, port: u64, first: ResourceRef, second: ResourceRef },
    /// A605: a route to a subset no DestinationRule defines.
    MissingSubset { subset: String, host: String },
    /// A606: TLS origination without a CA to verify the server.
    UnverifiedTls,
    /// A607: routing on JWT claims without a RequestAuthentication.
    ClaimsWithoutAuthentication,
}

impl Explain for Finding {
    fn code(&self) -> Code {
        match self {
            Finding::Duplicate { .. } => Code::E430,
            Finding::MissingGateway { .. } => Code::A601,
            Finding::HostNotServed { .. } => Code::A602,
            Finding::MeshHostTwice { .. } => Code::A603,
            Finding::GatewayConflict { .. } => Code::A604,
            Finding::MissingSubset { .. } => Code::A605,
            Finding::UnverifiedTls => Code::A606,
            Finding::ClaimsWithoutAuthentication => Code::A607,
        }
    }

    fn istio(&self) -> Option<&'static str> {
        match self {
            Finding::Duplicate { .. } => None,
            Finding::MissingGateway { .. } | Finding::MissingSubset { .. } => Some("IST0101"),
            Finding::HostNotServed { .. } => Some("IST0132"),
            Finding::MeshHostTwice { .. } => Some("IST0109"),
            Finding::GatewayConflict { .. } => Some("IST0145"),
            Finding::UnverifiedTls => Some("IST0128"),
            Finding::ClaimsWithoutAuthentication => Some("IST0149"),
        }
    }

    fn message(&self) -> String {
        match self {
            Finding::Duplicate { object, .. } => format!("two objects are both {object}"),
            Finding::MissingGateway { namespace, name } => {
                format!("VirtualService names gateway `{namespace}/{name}`, which no Gateway defines")
            }
            Finding::HostNotServed { host, namespace, name } => {
                format!("VirtualService host `{host}` is not served by gateway `{namespace}/{name}`")
            }
            Finding::MeshHostTwice { host, first, second } => {
                format!("host `{host}` is claimed by two mesh VirtualServices: {first} and {second}")
            }
            Finding::GatewayConflict { host, port, first, second } => {
                format!("host `{host}` on port {port} is served by two Gateways: {first} and {second}")
            }
            Finding::MissingSubset { subset, host } => {
                format!("route to subset `{subset}` of `{host}`, which no DestinationRule defines")
            }
            Finding::UnverifiedTls => "DestinationRule originates TLS without a CA to verify the server".into(),
            Finding::ClaimsWithoutAuthentication => {
                "VirtualService routes on JWT claims but its gateway has no RequestAuthentication".into()
            }
        }
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            Finding::Duplicate { first, second, .. } => {
                format!("one comes from {first}, the other from {second}; rename or remove one")
            }
            Finding::MissingGateway { .. } => "define the Gateway, or fix the reference in `spec.gateways`".into(),
            Finding::HostNotServed { .. } => {
                "add the host to one of the Gateway's servers, or remove it from the VirtualService".into()
            }
            Finding::MeshHostTwice { .. } => {
                "merge them into one VirtualService, or make their `exportTo` disjoint".into()
            }
            Finding::GatewayConflict { .. } => "serve each host and port from one Gateway per gateway workload".into(),
            Finding::MissingSubset { .. } => {
                "define the subset in a DestinationRule for the host, or route without it".into()
            }
            Finding::UnverifiedTls => "give the request a `caSecret` (or set caCertificates) so the external server is verified against its own CA".into(),
            Finding::ClaimsWithoutAuthentication => {
                "add `jwt` to the request, or stop matching on `@request.auth.claims`".into()
            }
        })
    }
}
