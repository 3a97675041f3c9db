//! Placement warnings: gateway settings that no emitted object can carry, and where to put them.

use crate::diagnostic::Diagnostic;
use crate::input::Exposure;
use crate::plan::Plan;
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
                Diagnostic::warning("W432", format!("gateway `{}` is exposed by a LoadBalancer that meshedge does not manage", gateway.name))
                    .at(c.merged.settings_location(&format!("/ingress/gateways/{}/exposure", gateway.name)))
                    .help(format!(
                        "annotate Service `{}/{}` with `external-dns.alpha.kubernetes.io/hostname: {}`, or set `deploy: true`",
                        gateway.namespace,
                        gateway.service,
                        hosts.join(",")
                    )),
            );
        }
    }
    if !plan.mesh.manage {
        for gateway in plan.ingress_gateways.values().filter(|g| g.oidc.is_some()) {
            if plan.ingress_hosts.iter().any(|h| h.login && h.gateway == gateway.name) {
                c.diagnostics.push(
                    Diagnostic::warning(
                        "W435",
                        format!(
                            "the login flow of gateway `{}` needs an extension provider in the mesh config",
                            gateway.name
                        ),
                    )
                    .at(c.merged.settings_location(&format!("/ingress/gateways/{}/oidc", gateway.name)))
                    .help(format!(
                        "add `{}` to `meshConfig.extensionProviders`, or set `mesh.controlPlane.manage: true`",
                        gateway.login_extension_provider()
                    )),
                );
            }
        }
    }
    for gateway in plan.egress_gateways.values() {
        if !gateway.node_selector.is_empty() && !gateway.deploy && !plan.manages_gateways() {
            c.diagnostics.push(
                Diagnostic::warning(
                    "W434",
                    format!("egress gateway `{}` has a nodeSelector that no emitted object carries", gateway.name),
                )
                .at(c.merged.settings_location(&format!("/egress/gateways/{}/nodeSelector", gateway.name)))
                .help("set `deploy: true` on the gateway, or let meshedge manage the ossm2 control plane"),
            );
        }
    }
}
