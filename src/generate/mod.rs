//! Generate: the validated [`Plan`] → Kubernetes and Istio objects, one module per capability.
//!
//! - [`ingress`]: Gateways, VirtualServices, Certificates, Routes, LoadBalancer Services;
//! - [`security`]: token checks (RequestAuthentication, AuthorizationPolicy);
//! - [`egress`]: ServiceEntries and the egress-gateway hop, SLA classes, egress IPs;
//! - [`sla`]: SLA classes held to what each caller's request asked for;
//! - [`ratelimit`]: rate limits at the gateways (EnvoyFilters with Envoy's local rate limit);
//! - [`extensions`]: WASM extensions at the ingress gateways (WasmPlugins);
//! - [`enforcement`]: NetworkPolicies, egress firewalls, tenant RBAC;
//! - [`admission`]: the admission rules, in the engine the target allows;
//! - [`federation`]: ServiceMeshPeers and the services exported to and imported from them;
//! - [`control_plane`]: the ServiceMeshControlPlane and member roll, or the Istio resource;
//! - [`namespaces`]: the tenant namespaces, when `settings.tenants.createNamespaces` is set.
//!
//! Modules only build objects (through [`crate::objects`]); every decision, and every warning,
//! belongs to the validate stage.

pub(crate) mod admission;
pub(crate) mod control_plane;
pub(crate) mod egress;
pub(crate) mod enforcement;
pub(crate) mod extensions;
pub(crate) mod federation;
pub(crate) mod ingress;
pub(crate) mod mesh;
pub(crate) mod namespaces;
pub(crate) mod ratelimit;
pub(crate) mod security;
mod sink;
pub(crate) mod sla;
pub(crate) mod workload;

use crate::plan::Plan;

pub use sink::{Generated, Pending};

/// Runs every capability over the plan, in a fixed order.
pub fn generate(plan: &Plan, out: &mut Generated) {
    namespaces::generate(plan, out);
    ingress::generate(plan, out);
    security::generate(plan, out);
    egress::generate(plan, out);
    sla::generate(plan, out);
    ratelimit::generate(plan, out);
    extensions::generate(plan, out);
    enforcement::generate(plan, out);
    admission::generate(plan, out);
    federation::generate(plan, out);
    control_plane::generate(plan, out);
}
