//! Gateway extensions: the WASM modules an ingress gateway offers (`extensions` of the gateway's
//! settings) and the hosts that opt into them (`extensions` of an ingress request item).
//!
//! An extension needs its `image` after merging (E462), and its `config` must leave
//! [`HOSTS_KEY`] to meshedge (E463). A host names only extensions its own gateway offers: a name
//! no gateway offers is E460 (with the nearest offered name), a name another gateway offers is
//! E461. A TLS passthrough host cannot opt into any (E464). The platform question (is `WasmPlugin` served) is asked with the other served kinds
//! (`validate::platform::served`).

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Code, Explain};
use crate::input::{IngressGatewaySettings, IngressRequest};
use crate::plan::{ExtensionPlan, IngressGateway, PER_AUTHORITY_KEY, Plan};
use crate::validate::scope::{Checker, Edge, RequestScope};

use crate::objects::PLUGIN_HOSTS_KEY as HOSTS_KEY;

#[derive(Debug, Clone)]
pub(crate) enum ExtensionError {
    /// A request names an extension no ingress gateway offers.
    Unknown { extension: String, field: String, gateway: String, nearest: Option<String>, offered: String },
    /// A request names an extension of another gateway than its host's.
    OtherGateway { extension: String, field: String, host: String, gateway: String, offered_by: String },
    /// An extension without `image` after merging.
    NoImage { extension: String, gateway: String },
    /// An extension's `config` holds the key meshedge writes the hosts under.
    ReservedKey { extension: String, gateway: String },
    /// A TLS passthrough host opts into an extension: the gateway routes it by SNI and no HTTP
    /// filter, a WASM module included, ever sees its requests.
    OnPassthrough { extension: String, field: String, host: String },
    /// A host opts into an extension whose module picks its rule set by authority, is not in
    /// that map, and meshedge cannot close the map by default (W439).
    NotInAuthorityMap { extension: String, gateway: String, host: String, default: String },
}

impl Explain for ExtensionError {
    fn code(&self) -> Code {
        match self {
            ExtensionError::Unknown { .. } => Code::E460,
            ExtensionError::OtherGateway { .. } => Code::E461,
            ExtensionError::NoImage { .. } => Code::E462,
            ExtensionError::ReservedKey { .. } => Code::E463,
            ExtensionError::OnPassthrough { .. } => Code::E464,
            ExtensionError::NotInAuthorityMap { .. } => Code::W439,
        }
    }

    fn message(&self) -> String {
        match self {
            ExtensionError::Unknown { extension, field, .. } => format!("unknown extension `{extension}` in `{field}`"),
            ExtensionError::OtherGateway { extension, field, host, gateway, .. } => format!(
                "extension `{extension}` in `{field}` is not offered by gateway `{gateway}`, which serves host `{host}`"
            ),
            ExtensionError::NoImage { extension, gateway } => {
                format!("extension `{extension}` of gateway `{gateway}` has no `image`")
            }
            ExtensionError::ReservedKey { extension, gateway } => {
                format!("the config of extension `{extension}` of gateway `{gateway}` sets `{HOSTS_KEY}`")
            }
            ExtensionError::OnPassthrough { extension, field, host } => {
                format!("passthrough host `{host}` opts into extension `{extension}` in `{field}`")
            }
            ExtensionError::NotInAuthorityMap { extension, gateway, host, default } => format!(
                "host `{host}` opts into extension `{extension}` of gateway `{gateway}`, whose `{PER_AUTHORITY_KEY}` does not list it: it gets the default rule set `{default}`"
            ),
        }
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            ExtensionError::Unknown { nearest: Some(nearest), .. } => format!("did you mean `{nearest}`?"),
            ExtensionError::Unknown { gateway, offered, .. } => {
                format!(
                    "name an extension of gateway `{gateway}` (`settings.ingress.gateways[].extensions`): {offered}"
                )
            }
            ExtensionError::OtherGateway { offered_by, .. } => format!(
                "it is offered by {offered_by}: serve the host there (`gateway:`), or ask the platform team to offer it on this gateway"
            ),
            ExtensionError::NoImage { .. } => {
                "set `image` to the module's OCI image, e.g. `image: ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0`".into()
            }
            ExtensionError::ReservedKey { .. } => format!(
                "meshedge writes the hosts that opt in under `{HOSTS_KEY}` in the WasmPlugin's pluginConfig: remove the key from `config`"
            ),
            ExtensionError::NotInAuthorityMap { host, .. } => format!(
                "map `{host}` to its rule set under `config.{PER_AUTHORITY_KEY}`; when the hosts that opt in share one rule set, meshedge makes it the default and lists the gateway's other hosts under the former default"
            ),
            ExtensionError::OnPassthrough { .. } => "the gateway passes the host's TLS through and never sees its HTTP requests: terminate TLS at the gateway (`tls: simple`), or remove the extension".into(),
        })
    }
}

/// The extensions a gateway offers, by name, checked.
pub(crate) fn gateway_extensions(
    c: &mut Checker,
    path: &str,
    gateway: &IngressGatewaySettings,
) -> BTreeMap<String, ExtensionPlan> {
    let mut out = BTreeMap::new();
    for extension in gateway.extensions.iter().flatten() {
        let at = format!("{path}/extensions/{}", extension.name);
        let (name, gateway_name) = (extension.name.to_string(), gateway.name.to_string());
        let Some(image) = &extension.image else {
            let error = ExtensionError::NoImage { extension: name, gateway: gateway_name };
            c.diagnostics.push(error.at(c.merged.settings_location(&at)));
            continue;
        };
        let config = extension.config.clone().unwrap_or_default();
        if config.contains_key(HOSTS_KEY) {
            let error = ExtensionError::ReservedKey { extension: name.clone(), gateway: gateway_name };
            c.diagnostics.push(error.at(c.merged.settings_location(&format!("{at}/config/{HOSTS_KEY}"))));
        }
        let mut sources = c.merged.sources_of(&format!("ingress.gateways.{}.extensions.{name}", gateway.name));
        if sources.is_empty() {
            sources = c.merged.sources_of(&format!("ingress.gateways.{}", gateway.name));
        }
        out.insert(name.clone(), ExtensionPlan { name, url: image.url(), phase: extension.phase, config, sources });
    }
    out
}

/// The extensions the host of `item` (on `gateway`) opts into, checked: every one offered by
/// that gateway.
pub(crate) fn host_extensions(
    c: &mut Checker,
    edge: &Edge,
    scope: &RequestScope,
    host: &str,
    gateway: &IngressGateway,
    item: &IngressRequest,
    passthrough: bool,
) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, name) in item.extensions.iter().flatten().enumerate() {
        let pointer = format!("{}/extensions/{i}", scope.base);
        let name = name.to_string();
        if passthrough {
            let field = crate::pointer::dotted(&pointer);
            let error = ExtensionError::OnPassthrough { extension: name, field, host: host.to_string() };
            c.diagnostics.push(error.at(scope.request.location(&pointer)));
            continue;
        }
        if gateway.extensions.contains_key(&name) {
            out.insert(name);
            continue;
        }
        let field = crate::pointer::dotted(&pointer);
        let offered_by: Vec<&str> = edge
            .ingress_gateways
            .values()
            .filter(|g| g.extensions.contains_key(&name))
            .map(|g| g.name.as_str())
            .collect();
        let error = if offered_by.is_empty() {
            let offered: Vec<&str> = gateway.extensions.keys().map(String::as_str).collect();
            ExtensionError::Unknown {
                nearest: crate::suggest::nearest(&name, offered.iter().copied()).map(str::to_string),
                offered: if offered.is_empty() { "it offers none".into() } else { offered.join(", ") },
                extension: name,
                field,
                gateway: gateway.name.clone(),
            }
        } else {
            let offered_by = offered_by.iter().map(|g| format!("gateway `{g}`")).collect::<Vec<_>>().join(", ");
            ExtensionError::OtherGateway {
                extension: name,
                field,
                host: host.to_string(),
                gateway: gateway.name.clone(),
                offered_by,
            }
        };
        c.diagnostics.push(error.at(scope.request.location(&pointer)));
    }
    out
}

/// W439: hosts that opt into a module that picks its rule set by authority (Coraza), left out of
/// its map, where the generated map cannot be closed by default
/// ([`ExtensionPlan::opted_rule_set`]): such a host gets `default_directives`.
pub(crate) fn authority_warnings(c: &mut Checker, plan: &Plan) {
    for gateway in plan.ingress_gateways.values() {
        for extension in gateway.extensions.values() {
            let Some((default, map)) = extension.authority_map() else { continue };
            let opted: Vec<&str> = plan
                .ingress_hosts
                .iter()
                .filter(|h| h.gateway == gateway.name && h.extensions.contains(&extension.name))
                .map(|h| h.host.as_str())
                .collect();
            if extension.opted_rule_set(&opted).is_some() {
                continue;
            }
            let at = format!("/ingress/gateways/{}/extensions/{}/config", gateway.name, extension.name);
            for host in opted.iter().filter(|h| !map.contains_key(**h)) {
                let warning = ExtensionError::NotInAuthorityMap {
                    extension: extension.name.clone(),
                    gateway: gateway.name.clone(),
                    host: host.to_string(),
                    default: default.to_string(),
                };
                c.diagnostics.push(warning.at(c.merged.settings_location(&at)));
            }
        }
    }
}
