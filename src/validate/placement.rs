//! Placement warnings: gateway settings that no emitted object can carry, and where to put them.

use crate::diagnostic::Explain;
use crate::input::Exposure;
use crate::plan::Plan;
use crate::validate::error::RequestError;
use crate::validate::scope::Checker;

/// Gateway settings that no emitted object can carry: say where to put them.
pub(crate) fn warnings(c: &mut Checker, plan: &Plan) {
    for gateway in plan.ingress_gateways.values() {
        let hosts: Vec<&str> =
            plan.ingress_hosts.iter().filter(|h| h.gateway == gateway.name).map(|h| h.host.as_str()).collect();
        if gateway.exposure == Exposure::LoadBalancer
            && !gateway.deploy
            && !plan.manages_gateways()
            && !hosts.is_empty()
        {
            c.diagnostics.push(
                RequestError::LoadBalancerUnmanaged {
                    gateway: gateway.name.clone(),
                    service: format!("{}/{}", gateway.namespace, gateway.service),
                    hosts: hosts.join(","),
                }
                .at(c.merged.settings_location(&format!("/ingress/gateways/{}/exposure", gateway.name))),
            );
        }
    }
    if !plan.mesh.manage {
        for gateway in plan.ingress_gateways.values().filter(|g| g.oidc.is_some()) {
            if plan.ingress_hosts.iter().any(|h| h.login && h.gateway == gateway.name) {
                c.diagnostics.push(
                    RequestError::LoginNeedsProvider {
                        gateway: gateway.name.clone(),
                        provider: serde_json::to_value(gateway.login_extension_provider())
                            .unwrap_or_default()
                            .to_string(),
                    }
                    .at(c.merged.settings_location(&format!("/ingress/gateways/{}/oidc", gateway.name))),
                );
            }
        }
    }
    for gateway in plan.egress_gateways.values() {
        if !gateway.node_selector.is_empty() && !gateway.deploy && !plan.manages_gateways() {
            c.diagnostics.push(
                RequestError::NodeSelectorUnused { gateway: gateway.name.clone() }
                    .at(c.merged.settings_location(&format!("/egress/gateways/{}/nodeSelector", gateway.name))),
            );
        }
    }
}
