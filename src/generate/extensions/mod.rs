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
use crate::plan::{DEFAULT_DIRECTIVES_KEY, ExtensionPlan, IngressGateway, PER_AUTHORITY_KEY, Plan};
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
            let others: Vec<&str> = plan
                .ingress_hosts
                .iter()
                .filter(|h| h.gateway == gateway.name && !h.extensions.contains(&extension.name))
                .map(|h| h.host.as_str())
                .collect();
            let extension = closed_by_default(extension, &names, &others);
            // The gateway's object, shared by the tenants whose hosts opt in: no tenant's own.
            out.push(wasm_plugin(plan.api(Kind::WasmPlugin), gateway, &extension, &names), &sources, None);
        }
    }
}

/// The gateway server ports a client may name in its authority (`host:443`, `host:80`).
const GATEWAY_PORTS: [u32; 2] = [80, 443];

/// `extension` with its authority map closed by default, for a module that picks its rule set
/// by the request's authority (Coraza; [`ExtensionPlan::authority_map`]).
///
/// The authority is the client's own text: the gateway routes `Shop.Example.com` and
/// `shop.example.com:8443` to the host `shop.example.com` (Envoy matches domains without letter
/// case, and Istio gateways ignore the port in host matching: istio/istio 1.18.7
/// `pilot/pkg/networking/core/v1alpha3/gateway.go:512` and 1.24.3
/// `pilot/pkg/networking/core/gateway.go:547`, `IgnorePortInHostMatching`), while the module
/// compares the exact string. No finite list of authorities covers a host, so when the hosts
/// that opt in share one rule set that is not the default, that rule set becomes the default;
/// the gateway's other hosts get the former default by name (as `host`, `host:80` and
/// `host:443`), and opted-in hosts the map leaves out get the shared rule set. An unusual
/// authority of another host then gets the stricter rule set, never the opposite.
fn closed_by_default(extension: &ExtensionPlan, opted: &[&str], others: &[&str]) -> ExtensionPlan {
    let mut out = extension.clone();
    let (Some(strict), Some((default, map))) = (extension.opted_rule_set(opted), extension.authority_map()) else {
        return out;
    };
    let mut map = map.clone();
    for host in others {
        for authority in authorities(host) {
            map.entry(authority).or_insert_with(|| Value::from(default));
        }
    }
    for host in opted {
        map.entry(host.to_string()).or_insert_with(|| Value::from(strict.as_str()));
    }
    out.config.insert(PER_AUTHORITY_KEY.to_string(), Value::Object(map));
    out.config.insert(DEFAULT_DIRECTIVES_KEY.to_string(), Value::from(strict));
    out
}

/// A host's authority as clients commonly write it: bare, and with each gateway server port.
fn authorities(host: &str) -> impl Iterator<Item = String> + '_ {
    std::iter::once(host.to_string()).chain(GATEWAY_PORTS.iter().map(move |p| format!("{host}:{p}")))
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
