//! WASM extensions at the ingress gateways: one `WasmPlugin` per extension that at least one
//! host opts into, in the gateway's namespace, selecting the gateway's pods by the labels its
//! Gateway selects them by.
//!
//! No release meshedge knows can match a WasmPlugin to some hosts of a gateway
//! ([`crate::platform::Target::wasm_plugin_selects_hosts`]): the plugin runs on every HTTP
//! request of the gateway, and meshedge gives it the hosts that opted in under
//! `pluginConfig.meshedgeHosts`, beside the extension's own `config`, for the module to act on
//! those hosts only (docs/extensions.md).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::generate::sink::Generated;
use crate::names::join;
use crate::objects::*;
use crate::plan::{ExtensionPlan, IngressGateway, Plan};
use crate::platform::Kind;

pub(crate) fn generate(plan: &Plan, out: &mut Generated) {
    for gateway in plan.ingress_gateways.values() {
        for extension in gateway.extensions.values() {
            let hosts: Vec<_> = plan
                .ingress_hosts
                .iter()
                .filter(|h| h.gateway == gateway.name && h.extensions.contains(&extension.name))
                .collect();
            if hosts.is_empty() {
                continue;
            }
            let mut sources: BTreeSet<String> = extension.sources.clone();
            sources.extend(gateway.sources.iter().cloned());
            sources.extend(hosts.iter().flat_map(|h| h.sources.iter().cloned()));
            let names: Vec<&str> = hosts.iter().map(|h| h.host.as_str()).collect();
            // The gateway's object, shared by the tenants whose hosts opt in: no tenant's own.
            out.push(wasm_plugin(plan.api(Kind::WasmPlugin), gateway, extension, &names), &sources, None);
        }
    }
}

/// The WasmPlugin of `extension` on `gateway`'s pods, for `hosts` (sorted).
pub(crate) fn wasm_plugin(
    api: &str,
    gateway: &IngressGateway,
    extension: &ExtensionPlan,
    hosts: &[&str],
) -> Manifest<Spec<WasmPluginSpec>> {
    let mut plugin_config = extension.config.clone();
    let mut hosts: Vec<&str> = hosts.to_vec();
    hosts.sort_unstable();
    hosts.dedup();
    plugin_config.insert(PLUGIN_HOSTS_KEY.to_string(), Value::from(hosts));
    let spec = WasmPluginSpec {
        selector: WasmPluginSelector { match_labels: gateway.selector.clone() },
        url: extension.url.clone(),
        phase: extension.phase.map(|p| p.as_str()),
        plugin_config,
    };
    Manifest::new(
        api,
        "WasmPlugin",
        Some(&gateway.namespace),
        &plugin_name(&gateway.name, &extension.name),
        Spec { spec },
    )
}

/// The WasmPlugin's name: `<gateway>-<extension>`.
pub(crate) fn plugin_name(gateway: &str, extension: &str) -> String {
    join(&[gateway, extension])
}

#[cfg(test)]
mod tests;
