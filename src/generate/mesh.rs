//! Mesh membership, as the generators that place objects in the mesh need it: which namespaces
//! are part of the mesh, and the label a member namespace carries.

use std::collections::BTreeSet;

use crate::plan::Plan;

/// Every namespace that is part of the mesh: tenants, control plane, gateways.
pub(crate) fn mesh_namespaces(plan: &Plan) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = plan.tenants.values().flat_map(|t| t.namespaces.iter().cloned()).collect();
    out.insert(plan.mesh.control_plane_namespace.clone());
    out.extend(plan.ingress_gateways.values().map(|g| g.namespace.clone()));
    out.extend(plan.egress_gateways.values().map(|g| g.namespace.clone()));
    out
}

/// The label every member namespace carries: set by the member roll controller (ossm2), or the
/// injection label of the control plane's revision that tenant namespaces carry (upstream
/// Istio): `istio-injection: enabled` for the revision `default`, `istio.io/rev: <revision>`
/// for any other; the sail operator names the revision after the `Istio` resource (see
/// [`crate::generate::namespaces`] for the sources).
pub(crate) fn member_label(plan: &Plan) -> (&'static str, String) {
    plan.target.injection_namespace_label(&plan.mesh.control_plane_name, &plan.mesh.control_plane_namespace)
}
