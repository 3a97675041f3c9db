//! Rate limits at the gateways: Envoy's local rate limit filter, given per route through
//! `EnvoyFilter`s on the gateway's pods.
//!
//! Per gateway that limits anything, one EnvoyFilter inserts `envoy.filters.http.local_ratelimit`
//! before the router of its HTTP connection managers, with no token bucket: it limits nothing by
//! itself. Per limited host, one EnvoyFilter merges a `LocalRateLimit` with its token bucket into
//! the routes of that host's virtual host (`<host>:<port>`) that the limit covers:
//!
//! - egress: the route of each SLA class with a `rateLimit` (`sla-<class>`), and the route of
//!   requests without the SLA header when the default class has one (`egress-gateway-to-host`);
//! - ingress: the whole virtual host of a host with a `rateLimit` (`VIRTUAL_HOST`, one bucket for
//!   all its routes), on the port the host is served at (443, or 80 with `tls: none`).
//!
//! Over the limit the gateway answers 429 (Envoy's default `status`). Each gateway replica counts
//! on its own, and each route has its own bucket (see docs/rate-limits.md).
//! The platform fact: [`crate::platform::Target::local_rate_limit_at_gateways`].

use std::collections::BTreeMap;

use serde_json::json;

use crate::generate::egress::{DEFAULT_CLASS_ROUTE, HOP_PORT, class_route};
use crate::generate::sink::Generated;
use crate::input::{EgressTls, IngressTls, RateLimit};
use crate::names::{host_slug, join};
use crate::objects::*;
use crate::plan::{EgressHost, Plan};
use crate::platform::Kind;

pub(crate) fn generate(plan: &Plan, out: &mut Generated) {
    let mut limited_gateways = BTreeMap::new();
    for host in &plan.egress_hosts {
        let Some(gateway) = host.gateway.as_ref().and_then(|g| plan.egress_gateways.get(g)) else { continue };
        let routes = egress_routes(plan, host);
        if routes.is_empty() {
            continue;
        }
        let tenant = (host.tenants.len() == 1).then(|| host.tenants.iter().next().map(String::as_str)).flatten();
        let vhost = format!("{}:{HOP_PORT}", host.host);
        let patches = routes
            .iter()
            .map(|(route, limit)| route_patch(&vhost, route, &stat_prefix(&host.host, route), limit))
            .collect();
        let name = route_filter_name(&host.host);
        out.push(
            envoy_filter(plan.api(Kind::EnvoyFilter), &gateway.namespace, &name, &gateway.selector, patches),
            &host.sources,
            tenant,
        );
        limited_gateways.insert(
            (gateway.namespace.clone(), gateway.name.clone()),
            (gateway.selector.clone(), gateway.sources.clone()),
        );
    }
    for host in &plan.ingress_hosts {
        let Some(limit) = &host.rate_limit else { continue };
        let Some(gateway) = plan.ingress_gateways.get(&host.gateway) else { continue };
        let port = match host.tls {
            IngressTls::Passthrough => continue,
            IngressTls::None => 80,
            IngressTls::Simple | IngressTls::Mutual => 443,
        };
        let vhost = format!("{}:{port}", host.host);
        let patch = vhost_patch(&vhost, &stat_prefix(&host.host, "ingress"), limit);
        let name = join(&[&host_slug(&host.host), "ingress-ratelimit"]);
        out.push(
            envoy_filter(plan.api(Kind::EnvoyFilter), &gateway.namespace, &name, &gateway.selector, vec![patch]),
            &host.sources,
            Some(&host.tenant),
        );
        limited_gateways.insert(
            (gateway.namespace.clone(), gateway.name.clone()),
            (gateway.selector.clone(), gateway.sources.clone()),
        );
    }
    for ((namespace, name), (selector, sources)) in limited_gateways {
        let filter =
            envoy_filter(plan.api(Kind::EnvoyFilter), &namespace, &filter_name(&name), &selector, vec![filter_patch()]);
        out.push(filter, &sources, None);
    }
}

/// An EnvoyFilter of `patches` on the pods with `selector`'s labels.
fn envoy_filter(
    api: &str,
    namespace: &str,
    name: &str,
    selector: &Labels,
    patches: Vec<ConfigPatch>,
) -> Manifest<Spec<EnvoyFilterSpec>> {
    let spec = EnvoyFilterSpec {
        workload_selector: EnvoyFilterSelector { labels: selector.clone() },
        config_patches: patches,
    };
    Manifest::new(api, "EnvoyFilter", Some(namespace), name, Spec { spec })
}

/// The name of the EnvoyFilter that inserts the filter on a gateway's pods.
pub(crate) fn filter_name(gateway: &str) -> String {
    join(&[gateway, "local-ratelimit"])
}

/// The name of the EnvoyFilter that limits a host's routes.
pub(crate) fn route_filter_name(host: &str) -> String {
    join(&[&host_slug(host), "ratelimit"])
}

/// The egress gateway routes of `host` with a limit: route name → limit.
fn egress_routes<'p>(plan: &'p Plan, host: &EgressHost) -> BTreeMap<String, &'p RateLimit> {
    let mut routes = BTreeMap::new();
    if host.tls == EgressTls::Passthrough {
        return routes;
    }
    let limit_of = |class: &str| plan.egress.sla_classes.get(class).and_then(|c| c.rate_limit.as_ref());
    for class in &host.sla_classes {
        if let Some(limit) = limit_of(class) {
            routes.insert(class_route(class), limit);
        }
    }
    if !host.sla_classes.is_empty() {
        if let Some(limit) = plan.egress.default_sla_class.as_deref().and_then(limit_of) {
            routes.insert(DEFAULT_CLASS_ROUTE.to_string(), limit);
        }
    }
    routes
}

/// The filter's statistics prefix for one route: `<host-slug>_<route>` (Envoy reports
/// `<prefix>.http_local_rate_limit.rate_limited`).
fn stat_prefix(host: &str, route: &str) -> String {
    format!("{}_{}", host_slug(host), route).replace('-', "_")
}

/// `INSERT_BEFORE` the router of every HTTP connection manager of the gateway, without a bucket.
fn filter_patch() -> ConfigPatch {
    let config = LocalRateLimit {
        type_url: LOCAL_RATELIMIT_TYPE,
        stat_prefix: "http_local_rate_limiter".into(),
        token_bucket: None,
        filter_enabled: None,
        filter_enforced: None,
    };
    ConfigPatch {
        apply_to: "HTTP_FILTER",
        matches: json!({
            "context": "GATEWAY",
            "listener": {"filterChain": {"filter": {
                "name": "envoy.filters.network.http_connection_manager",
                "subFilter": {"name": "envoy.filters.http.router"},
            }}},
        }),
        patch: Patch {
            operation: "INSERT_BEFORE",
            value: json!({"name": LOCAL_RATELIMIT_FILTER, "typed_config": config}),
        },
    }
}

/// `MERGE` a bucket of `limit` into one route of one virtual host.
pub(crate) fn route_patch(vhost: &str, route: &str, stat_prefix: &str, limit: &RateLimit) -> ConfigPatch {
    ConfigPatch {
        apply_to: "HTTP_ROUTE",
        matches: json!({
            "context": "GATEWAY",
            "routeConfiguration": {"vhost": {"name": vhost, "route": {"name": route}}},
        }),
        patch: Patch { operation: "MERGE", value: per_filter_config(stat_prefix, limit) },
    }
}

/// `MERGE` a bucket of `limit` into one virtual host: its routes share it.
pub(crate) fn vhost_patch(vhost: &str, stat_prefix: &str, limit: &RateLimit) -> ConfigPatch {
    ConfigPatch {
        apply_to: "VIRTUAL_HOST",
        matches: json!({"context": "GATEWAY", "routeConfiguration": {"vhost": {"name": vhost}}}),
        patch: Patch { operation: "MERGE", value: per_filter_config(stat_prefix, limit) },
    }
}

/// `typed_per_filter_config` with the filter's configuration for a bucket of `limit`.
fn per_filter_config(stat_prefix: &str, limit: &RateLimit) -> serde_json::Value {
    let requests = u32::try_from(limit.requests.get()).unwrap_or(u32::MAX).max(1);
    let config = LocalRateLimit {
        type_url: LOCAL_RATELIMIT_TYPE,
        stat_prefix: stat_prefix.to_string(),
        token_bucket: Some(TokenBucket {
            max_tokens: requests,
            tokens_per_fill: requests,
            fill_interval: proto_duration(limit.per.as_nanos()),
        }),
        filter_enabled: Some(RuntimeFractionalPercent::always("local_rate_limit_enabled")),
        filter_enforced: Some(RuntimeFractionalPercent::always("local_rate_limit_enforced")),
    };
    json!({"typed_per_filter_config": {LOCAL_RATELIMIT_FILTER: config}})
}

/// A protobuf JSON duration (`<seconds>s`, with up to nine fraction digits): `1m30s` → `90s`.
fn proto_duration(nanos: u64) -> String {
    let (seconds, fraction) = (nanos / 1_000_000_000, nanos % 1_000_000_000);
    if fraction == 0 {
        format!("{seconds}s")
    } else {
        let digits = format!("{fraction:09}");
        format!("{seconds}.{}s", digits.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests;
