//! Tenant namespaces (`settings.tenants.createNamespaces: true`): a `Namespace` per tenant
//! namespace, labelled so that the mesh takes it in and meshedge's NetworkPolicies count it as
//! part of the mesh, and carrying the tenant label (stamped like every tenant object).
//!
//! The mesh label per flavor:
//! - `istio`: the injection label of the control plane's revision, which is also the label
//!   [`member_label`] selects mesh namespaces by. The sail operator names the revision of an
//!   `Istio` resource after the resource under the default `InPlace` update strategy
//!   (istio-ecosystem/sail-operator 1.26.0, `controllers/istio/istio_controller.go`,
//!   `getActiveRevisionName`), and installs the revision `default` as Istio's default revision
//!   (`pkg/istiovalues/overrides.go`). Istio's injector takes namespaces labelled
//!   `istio-injection: enabled` into the default revision, and `istio.io/rev: <revision>` into
//!   any other only where `istio-injection` is absent (istio/istio 1.24.3,
//!   `manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml`). So
//!   `istio-injection: enabled` when the Istio resource is named `default`, else
//!   `istio.io/rev: <name>`, never both.
//! - `ossm2`: none. A namespace joins the mesh through the `ServiceMeshMemberRoll`; the operator
//!   then labels it `maistra.io/member-of: <control plane namespace>` itself, and removes the
//!   label when the roll drops it (maistra/istio-operator maistra-2.5.0,
//!   `pkg/controller/servicemesh/member/namespace_reconciler.go`). The injector selects
//!   namespaces by that label, and pods opt in with `sidecar.istio.io/inject: "true"`
//!   (`resources/helm/v2.5/istio-control/istio-discovery/templates/mutatingwebhook.yaml`, the
//!   same in v2.4): setting `maistra.io/member-of` here would have pods injected in a namespace
//!   the mesh does not watch, and keep it after the roll dropped it.

use serde::Serialize;

use crate::generate::mesh::member_label;
use crate::generate::sink::Generated;
use crate::objects::Manifest;
use crate::plan::Plan;
use crate::platform::{InjectionPolicy, Kind};

/// A Namespace has no fields besides its metadata that meshedge sets.
#[derive(Debug, Clone, Serialize)]
struct NoFields {}

/// The label a tenant namespace needs to be taken into the mesh, if meshedge is the one to set it.
pub(crate) fn mesh_label(plan: &Plan) -> Option<(&'static str, String)> {
    // OSSM labels its members itself (the member roll takes them in); upstream injection is
    // decided per namespace by this label.
    (plan.target.injection_policy() == InjectionPolicy::NamespaceOptIn).then(|| member_label(plan))
}

pub(crate) fn generate(plan: &Plan, out: &mut Generated) {
    let settings = &plan.namespaces;
    if !settings.create {
        return;
    }
    let label = mesh_label(plan);
    for tenant in plan.tenants.values() {
        let mut sources = tenant.sources.clone();
        sources.extend(settings.sources.iter().cloned());
        for namespace in &tenant.namespaces {
            let mut manifest = Manifest::new(plan.api(Kind::Namespace), "Namespace", None, namespace, NoFields {});
            if let Some((key, value)) = &label {
                manifest = manifest.label(key, value);
            }
            out.push(manifest, &sources, Some(&tenant.name));
        }
    }
}
