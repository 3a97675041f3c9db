//! The mesh-wide settings the control plane object of the output holds, read from the final
//! object (patches included), so that a patch changing one is evaluated as the cluster runs it.
//!
//! `outboundTrafficPolicy.mode`, where each kind keeps it:
//! - `ServiceMeshControlPlane` (maistra.io/v2): `spec.proxy.networking.trafficControl.outbound.policy`,
//!   which the operator writes into the mesh config's `outboundTrafficPolicy.mode`
//!   (maistra/istio-operator `pkg/apis/maistra/conversion/proxy.go:127-131` @maistra-2.5.0);
//! - `Istio` (sailoperator.io): `spec.values.meshConfig.outboundTrafficPolicy.mode`
//!   (istio-ecosystem/sail-operator `api/v1/values_types.gen.go` `MeshConfig.OutboundTrafficPolicy`
//!   @1.30.3);
//! - `IstioOperator` (install.istio.io): `spec.meshConfig.outboundTrafficPolicy.mode`.
//!
//! A mode the object does not set is the mesh default, `ALLOW_ANY` (istio/api
//! `mesh/v1alpha1/config.proto` `OutboundTrafficPolicy.Mode`, `ALLOW_ANY = 1` the default of
//! istio/istio `pkg/config/mesh/mesh.go` `DefaultMeshConfig` @1.24.3); a value that is neither
//! mode is refused by the control plane and read as `None` (the settings then decide).

use serde_json::Value;

use super::ObjectRef;
use super::context::OutboundPolicy;

/// The outbound policy a control plane object sets; `None` for an object of another kind or a
/// mode that is not one.
pub fn outbound_policy(reference: &ObjectRef, value: &Value) -> Option<OutboundPolicy> {
    let pointer = match reference.kind.as_str() {
        "ServiceMeshControlPlane" => "/spec/proxy/networking/trafficControl/outbound/policy",
        "Istio" => "/spec/values/meshConfig/outboundTrafficPolicy/mode",
        "IstioOperator" => "/spec/meshConfig/outboundTrafficPolicy/mode",
        _ => return None,
    };
    match value.pointer(pointer) {
        None | Some(Value::Null) => Some(OutboundPolicy::AllowAny),
        Some(Value::String(mode)) if mode.is_empty() || mode == "ALLOW_ANY" => Some(OutboundPolicy::AllowAny),
        Some(Value::String(mode)) if mode == "REGISTRY_ONLY" => Some(OutboundPolicy::RegistryOnly),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::flows::Origin;

    fn policy(value: Value) -> Option<OutboundPolicy> {
        let reference = ObjectRef::of(&value, Origin::Output).unwrap();
        outbound_policy(&reference, &value)
    }

    #[test]
    fn each_control_plane_kind_keeps_the_mode_in_its_own_place() {
        let smcp = json!({"apiVersion": "maistra.io/v2", "kind": "ServiceMeshControlPlane", "metadata": {"name": "basic"},
            "spec": {"proxy": {"networking": {"trafficControl": {"outbound": {"policy": "REGISTRY_ONLY"}}}}}});
        assert_eq!(policy(smcp), Some(OutboundPolicy::RegistryOnly));
        let sail = json!({"apiVersion": "sailoperator.io/v1", "kind": "Istio", "metadata": {"name": "default"},
            "spec": {"values": {"meshConfig": {"outboundTrafficPolicy": {"mode": "ALLOW_ANY"}}}}});
        assert_eq!(policy(sail), Some(OutboundPolicy::AllowAny));
        let iop = json!({"apiVersion": "install.istio.io/v1alpha1", "kind": "IstioOperator", "metadata": {"name": "x"},
            "spec": {"meshConfig": {"outboundTrafficPolicy": {"mode": "REGISTRY_ONLY"}}}});
        assert_eq!(policy(iop), Some(OutboundPolicy::RegistryOnly));
    }

    #[test]
    fn an_unset_mode_is_the_mesh_default_allow_any() {
        let sail =
            json!({"apiVersion": "sailoperator.io/v1", "kind": "Istio", "metadata": {"name": "default"}, "spec": {}});
        assert_eq!(policy(sail), Some(OutboundPolicy::AllowAny));
        let bad = json!({"apiVersion": "sailoperator.io/v1", "kind": "Istio", "metadata": {"name": "default"},
            "spec": {"values": {"meshConfig": {"outboundTrafficPolicy": {"mode": "OPEN"}}}}});
        assert_eq!(policy(bad), None);
    }
}
