//! Generate: the validated [`Plan`] → Kubernetes and Istio objects, one module per capability.
//!
//! - [`ingress`]: Gateways, VirtualServices, Certificates, Routes, LoadBalancer Services;
//! - [`security`]: token checks (RequestAuthentication, AuthorizationPolicy);
//! - [`egress`]: ServiceEntries and the egress-gateway hop, SLA classes, egress IPs;
//! - [`enforcement`]: NetworkPolicies, egress firewalls, tenant RBAC and admission policies;
//! - [`control_plane`]: the ServiceMeshControlPlane and member roll, or the Istio resource.
//!
//! Modules only build objects (through [`crate::objects`]); every decision, and every warning,
//! belongs to the validate stage.

pub mod control_plane;
pub mod egress;
pub mod enforcement;
pub mod ingress;
pub mod security;
pub mod workload;

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::objects::Manifest;
use crate::resource::Resource;
use crate::validate::Plan;

/// What generation produced so far.
#[derive(Debug, Default)]
pub struct Generated {
    pub resources: Vec<Resource>,
}

impl Generated {
    pub fn push<B: Serialize>(&mut self, manifest: Manifest<B>, sources: &BTreeSet<String>, tenant: Option<&str>) {
        self.resources.push(Resource::new(manifest.into_value(), sources.clone(), tenant.map(str::to_string)));
    }
}

/// Runs every capability over the plan.
/// Runs every capability over the plan: the ingress side and the rest on two threads, their
/// results joined in a fixed order.
pub fn generate(plan: &Plan) -> Vec<Resource> {
    let (mut first, second) = std::thread::scope(|scope| {
        let edge_in = scope.spawn(|| {
            let mut out = Generated::default();
            ingress::generate(plan, &mut out);
            security::generate(plan, &mut out);
            out.resources
        });
        let mut out = Generated::default();
        egress::generate(plan, &mut out);
        enforcement::generate(plan, &mut out);
        control_plane::generate(plan, &mut out);
        // A panic in generation is a bug; resume it here rather than lose it.
        let first = edge_in.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (first, out.resources)
    });
    first.extend(second);
    first
}

/// Two objects with one identity (group, kind, namespace, name) is an error naming both origins.
pub fn check_unique(resources: &[Resource]) -> Diagnostics {
    // Detection only: diagnostics are sorted later, so the map's order never shows.
    let mut seen: HashMap<(&str, &str, &str, &str), usize> = HashMap::with_capacity(resources.len());
    let mut diagnostics = Diagnostics::new();
    for (i, r) in resources.iter().enumerate() {
        let key = (r.group_version().0, r.kind(), r.namespace().unwrap_or_default(), r.name());
        if let Some(&first) = seen.get(&key) {
            let sources = |r: &Resource| r.sources.iter().cloned().collect::<Vec<_>>().join(", ");
            diagnostics.push(
                Diagnostic::error("E430", format!("two objects are both {}", r.display()))
                    .resource(r.reference())
                    .help(format!(
                        "one comes from {}, the other from {}; rename or remove one",
                        sources(&resources[first]),
                        sources(r)
                    )),
            );
        } else {
            seen.insert(key, i);
        }
    }
    diagnostics
}
