//! Istio routing: Gateway servers, VirtualService binding and routes, `exportTo`, the sidecar's
//! registry view (ServiceEntry under `outboundTrafficPolicy`) and the DestinationRule subsets a
//! route needs.
//!
//! Sources (istio/api and istio/istio @1.24.3, the same at 1.18.7 unless noted):
//! - Gateway (`networking/v1alpha3/gateway.proto`): `selector` picks gateway pods in every
//!   namespace (unless `PILOT_SCOPE_GATEWAY_TO_NAMESPACE`); server `hosts` are
//!   `[namespace/]dnsName`, `*` alone or a left-most `*.` wildcard, `./` the Gateway's namespace,
//!   no namespace = any; `tls.httpsRedirect` answers HTTP with a 301 to HTTPS; `PASSTHROUGH` routes
//!   by SNI with VirtualService `tls` routes. Servers are taken in Gateway creation order (ties
//!   by `name.namespace`: `pilot/pkg/model/config.go` `sortConfigByCreationTime`), and a TLS
//!   server repeating a host already served on the port is skipped (`pilot/pkg/model/gateway.go`
//!   `CheckDuplicates`).
//! - VirtualService (`networking/v1alpha3/virtual_service.proto`): `gateways` entries are
//!   `<ns>/<name>`, a bare name meaning the VirtualService's namespace, `mesh` the sidecars,
//!   omitted = `[mesh]` (`pilot/pkg/model/config.go` `resolveGatewayName`); a VirtualService binds
//!   to a server when one of its hosts matches a server host, the server host's namespace part
//!   admits the VirtualService's namespace, and it is exported to the gateway pod's namespace
//!   (`pilot/pkg/networking/core/gateway.go` `pickMatchingGatewayHosts`); routes are tried in
//!   order, the first match wins; on a gateway the bound VirtualServices' routes are joined in
//!   creation order with catch-all routes last (`pilot/pkg/networking/core/route/route.go`
//!   `SortVHostRoutes`); on sidecars a second VirtualService for a host is dropped. A request no
//!   route matches gets 404; a route to a subset no visible DestinationRule defines points to a
//!   cluster that does not exist (503).
//! - `exportTo` (`pkg/config/visibility/visibility.go`): empty = the mesh default; `.` = own
//!   namespace; `*` = every namespace; `~` = none; other entries name namespaces.
//! - `outboundTrafficPolicy` (`mesh/v1alpha1/config.proto`): `REGISTRY_ONLY` drops traffic to a
//!   host and port outside the sidecar's registry view (502 `block_all` for HTTP,
//!   `BlackHoleCluster` otherwise: `pilot/pkg/networking/core/httproute.go`
//!   `buildCatchAllVirtualHost`); `ALLOW_ANY` passes it through.
//! - DestinationRule lookup for a proxy in namespace P and a host of namespace S: P's own rules,
//!   else rules of S exported to P, else rules of the root namespace exported to P
//!   (`pilot/pkg/model/push_context.go` `destinationRule`, `setDestinationRules`,
//!   `getExportedDestinationRuleFromNamespace`). Rules for one host in one namespace are merged
//!   (subsets joined, the oldest rule's `exportTo` kept) up to Istio 1.23
//!   (`pilot/pkg/model/destination_rule.go` `mergeDestinationRule` @1.18.7); from 1.24 only
//!   rules with equal `exportTo` merge, a superset also merges into the smaller one, the others
//!   stay apart (same function @1.24.3, `ENABLE_ENHANCED_DESTINATIONRULE_MERGE`).

mod destination_rule;
mod fields;
mod gateway;
mod hosts;
mod routing;
mod service_entry;
mod sidecar;
mod subsets;
mod virtual_service;

pub use destination_rule::DestinationRule;
pub use gateway::{Gateway, Server, ServerMatch, ServerTls};
pub use hosts::{exported, host_matches};
pub use routing::Routing;
pub use service_entry::{SePort, ServiceEntry};
pub use sidecar::{Sidecar, sidecar_for};
pub use subsets::SubsetLookup;
pub use virtual_service::{Destination, MESH, Probe, RouteKind, Routed, StringMatch, VirtualService};

// The flow model's items the layer's modules share (`use super::{…}` in each).
use super::{Cache, ObjectRef};

#[cfg(test)]
mod tests;
