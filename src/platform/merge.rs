//! How Istio merges, orders and looks up the objects meshedge writes.
//!
//! Facts that hold in every supported release are free functions (checked at 1.16.7 and 1.24.3,
//! and at 1.18.7 where cited with line numbers); version-dependent ones are methods of [`Target`].

use super::Target;

/// What happens to several DestinationRules for one host in one namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DestinationRuleMerge {
    /// They are merged into one: subsets concatenated (a repeated subset name is dropped), the
    /// oldest rule's top-level traffic policy kept, and the **oldest rule's `exportTo`** kept (a
    /// later rule's only if the oldest has none). Namespaces outside that `exportTo` see none of
    /// the merged subsets.
    MergedKeepingOldestExportTo,
    /// They are merged only when their `exportTo` sets are equal; otherwise each stays a separate
    /// rule, visible by its own `exportTo` (`ENABLE_ENHANCED_DESTINATIONRULE_MERGE`).
    MergedOnlyWithEqualExportTo,
}

/// Which Gateway objects a gateway proxy applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewayScope {
    /// Every Gateway, in any namespace, whose `selector` matches the proxy's labels.
    AllNamespaces,
}

/// What happens to several VirtualServices for one host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VirtualServiceMerge {
    /// On a gateway: their routes are appended in creation order, then catch-all (`prefix: /`)
    /// routes are moved last.
    RoutesAppendedInCreationOrder,
    /// On sidecars (`mesh`): the oldest wins; later ones for the same host and port are dropped.
    OldestWins,
}

/// Which service a hostname resolves to when several declare it in one namespace's view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceEntryHostConflict {
    /// A Kubernetes Service beats a ServiceEntry; otherwise the oldest wins.
    KubernetesServiceFirstThenOldest,
}

impl Target {
    /// How DestinationRules for one host in one namespace combine.
    ///
    /// - Istio 1.16–1.23 and OSSM 2.x: [`DestinationRuleMerge::MergedKeepingOldestExportTo`].
    ///   Source: istio/istio 1.18.7 `pilot/pkg/model/destination_rule.go:40-120` ("we only add the
    ///   subsets and do not overwrite anything else like exportTo", lines 76/86 at 1.16.7/1.23.6);
    ///   maistra/istio `maistra-2.5` same file.
    /// - Istio 1.24: [`DestinationRuleMerge::MergedOnlyWithEqualExportTo`], by
    ///   `ENABLE_ENHANCED_DESTINATIONRULE_MERGE` (default true; commit af58e9e0959, first tag 1.24.0;
    ///   1.24.3 `pilot/pkg/features/experimental.go:204`, `pilot/pkg/model/destination_rule.go:54-69`).
    pub fn destination_rule_merge(&self) -> DestinationRuleMerge {
        if self.istio_at_least(24) {
            DestinationRuleMerge::MergedOnlyWithEqualExportTo
        } else {
            DestinationRuleMerge::MergedKeepingOldestExportTo
        }
    }

    /// True where every DestinationRule for one host in one namespace is merged into one that keeps
    /// the oldest rule's `exportTo` (Istio ≤ 1.23, OSSM 2.x); see [`Target::destination_rule_merge`].
    pub fn destination_rules_merge_per_host_namespace(&self) -> bool {
        self.destination_rule_merge() == DestinationRuleMerge::MergedKeepingOldestExportTo
    }

    /// Which Gateway objects a gateway proxy applies: those of every namespace whose selector
    /// matches its labels (`PILOT_SCOPE_GATEWAY_TO_NAMESPACE` defaults to false in every supported
    /// release). A Gateway object anywhere can therefore claim hosts on any gateway it selects.
    ///
    /// Source: istio/istio `pilot/pkg/features/pilot.go` (1.16.7:196-200, 1.24.3:35-40, default
    /// `false`); 1.18.7 `pilot/pkg/model/push_context.go:2010-2025` (`initGateways`), `mergeGateways`
    /// (`gatewaySelector.SubsetOf(proxy.Labels)`).
    pub fn gateway_host_scope(&self) -> GatewayScope {
        GatewayScope::AllNamespaces
    }

    /// How VirtualServices for one host combine on a gateway (`on_gateway`) or on sidecars.
    ///
    /// Source: istio/istio 1.18.7 `pilot/pkg/networking/core/v1alpha3/gateway.go:372-461`,
    /// `route/route.go:1397-1411` (`SortVHostRoutes`) for gateways; `httproute.go:398-440`
    /// ("duplicate domain from virtual service", also 1.16.7 `httproute.go:402`, 1.24.3
    /// `pilot/pkg/networking/core/httproute.go:469`) for sidecars.
    pub fn virtual_services_for_one_host(&self, on_gateway: bool) -> VirtualServiceMerge {
        if on_gateway { VirtualServiceMerge::RoutesAppendedInCreationOrder } else { VirtualServiceMerge::OldestWins }
    }

    /// Which service a hostname resolves to when a Kubernetes Service and ServiceEntries (or
    /// several ServiceEntries) declare it. Source: istio/istio `pilot/pkg/model/sidecar.go`
    /// (1.16.7:204, 1.18.7:205-219, 1.24.3:978: Kubernetes services take precedence, "domain squatting").
    pub fn service_entry_host_conflict(&self) -> ServiceEntryHostConflict {
        ServiceEntryHostConflict::KubernetesServiceFirstThenOldest
    }
}

/// What happens to Gateway servers on one port with TLS that claim a host an earlier server
/// claimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateGatewayHost {
    /// The later **server is skipped** ("skipping server on gateway …, duplicate host names");
    /// Gateways are ordered by creation time, then by `name.namespace`, so the oldest claim wins.
    LaterServerSkipped,
}

/// The HTTP filters a proxy runs for authentication and authorization, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpAuthFilter {
    /// AuthorizationPolicy `action: CUSTOM` (ext_authz).
    ExternalAuthorization,
    /// RequestAuthentication (jwt_authn).
    JwtAuthentication,
    /// AuthorizationPolicy ALLOW / DENY / AUDIT (RBAC).
    Authorization,
}

/// How Gateways combine servers for one host on one port with TLS (identical in every supported
/// release). Source: istio/istio `pilot/pkg/model/gateway.go` (1.16.7:200, 1.18.7:187-207
/// `CheckDuplicates`, 1.24.3:229); 1.18.7 `pilot/pkg/model/config.go:373-386` (`sortConfigByCreationTime`).
pub fn duplicate_gateway_tls_host() -> DuplicateGatewayHost {
    DuplicateGatewayHost::LaterServerSkipped
}

/// The gateway a VirtualService's `gateways` entry (also `http[].match[].gateways`) refers to, as
/// `<namespace>/<name>`, for a VirtualService in `virtual_service_namespace`: `ns/name` as written,
/// `./name` and a short `name` in the **VirtualService's** namespace (not the gateway's), a legacy
/// `name.ns.svc.cluster.local` as `ns/name`. `mesh` is returned unchanged.
/// Source: istio/istio `pilot/pkg/model/config.go` `resolveGatewayName` (1.16.7:250, 1.18.7:262-290,
/// 1.24.3:246, same body), called from `pilot/pkg/model/virtualservice.go:127-131` (1.24.3).
pub fn resolve_gateway_reference(reference: &str, virtual_service_namespace: &str) -> String {
    if reference == "mesh" {
        return reference.into();
    }
    match reference.split_once('/') {
        Some((".", name)) => format!("{virtual_service_namespace}/{name}"),
        Some(_) => reference.into(),
        None => match reference.split_once('.') {
            None => format!("{virtual_service_namespace}/{reference}"),
            Some((name, rest)) => {
                let namespace = rest.split_once('.').map_or(rest, |(namespace, _)| namespace);
                format!("{namespace}/{name}")
            }
        },
    }
}

/// The `exportTo` an object without one gets: `*` (every namespace), from the mesh config's
/// `defaultServiceExportTo`, `defaultVirtualServiceExportTo` and `defaultDestinationRuleExportTo`.
/// Source: istio/istio `pkg/config/mesh/mesh.go` `DefaultMeshConfig` (1.16.7:103-105, 1.24.3:95-97).
pub fn default_export_to() -> &'static [&'static str] {
    &["*"]
}

/// The order of the authentication and authorization filters on every proxy: ext_authz
/// (`CUSTOM`) **before** jwt_authn (RequestAuthentication), then RBAC. A header the external
/// authorizer adds (e.g. `Authorization` from an OAuth proxy) is what the RequestAuthentication
/// verifies. Source: istio/istio 1.16.7 and 1.18.7
/// `pilot/pkg/networking/core/v1alpha3/listener_builder.go:378-382`, 1.24.3
/// `pilot/pkg/networking/core/listener_builder.go:383-387`.
pub fn http_auth_filter_order() -> [HttpAuthFilter; 3] {
    [HttpAuthFilter::ExternalAuthorization, HttpAuthFilter::JwtAuthentication, HttpAuthFilter::Authorization]
}

#[cfg(test)]
mod tests {
    use super::super::tests::{istio, ossm};
    use super::*;

    #[test]
    fn destination_rule_merge_istio_pilot_model_destination_rule_go_and_enhanced_merge_1_24_0() {
        // istio/istio destination_rule.go (≤1.23, maistra-2.5) and ENABLE_ENHANCED_DESTINATIONRULE_MERGE (1.24.0).
        for t in [ossm("v2.4", "4.14"), ossm("v2.5", "4.16"), ossm("v2.6", "4.18"), istio("v1.23.6", "1.30")] {
            assert!(t.destination_rules_merge_per_host_namespace(), "{t}");
        }
        let dev = istio("v1.24.3", "1.31");
        assert!(!dev.destination_rules_merge_per_host_namespace());
        assert_eq!(dev.destination_rule_merge(), DestinationRuleMerge::MergedOnlyWithEqualExportTo);
    }

    #[test]
    fn gateway_scope_istio_pilot_features_scope_gateway_to_namespace_false() {
        assert_eq!(ossm("v2.5", "4.16").gateway_host_scope(), GatewayScope::AllNamespaces);
        assert_eq!(istio("v1.24.3", "1.31").gateway_host_scope(), GatewayScope::AllNamespaces);
    }

    #[test]
    fn virtual_service_merge_istio_gateway_go_and_httproute_go() {
        let t = ossm("v2.5", "4.16");
        assert_eq!(t.virtual_services_for_one_host(true), VirtualServiceMerge::RoutesAppendedInCreationOrder);
        assert_eq!(t.virtual_services_for_one_host(false), VirtualServiceMerge::OldestWins);
    }

    #[test]
    fn gateway_references_istio_pilot_model_config_go_resolve_gateway_name() {
        // istio/istio pilot/pkg/model/config.go resolveGatewayName (cases as in its virtualservice_test.go).
        assert_eq!(resolve_gateway_reference("public", "shop"), "shop/public");
        assert_eq!(resolve_gateway_reference("./public", "shop"), "shop/public");
        assert_eq!(resolve_gateway_reference("istio-ingress/public", "shop"), "istio-ingress/public");
        assert_eq!(resolve_gateway_reference("public.istio-ingress.svc.cluster.local", "shop"), "istio-ingress/public");
        assert_eq!(resolve_gateway_reference("public.istio-ingress", "shop"), "istio-ingress/public");
        assert_eq!(resolve_gateway_reference("mesh", "shop"), "mesh");
    }

    #[test]
    fn lookups_istio_model_gateway_go_mesh_go_sidecar_go_listener_builder_go() {
        assert_eq!(duplicate_gateway_tls_host(), DuplicateGatewayHost::LaterServerSkipped);
        assert_eq!(default_export_to(), ["*"]);
        let order = http_auth_filter_order();
        let position = |f| order.iter().position(|x| *x == f);
        assert!(position(HttpAuthFilter::ExternalAuthorization) < position(HttpAuthFilter::JwtAuthentication));
        assert!(position(HttpAuthFilter::JwtAuthentication) < position(HttpAuthFilter::Authorization));
        assert_eq!(
            istio("v1.24.3", "1.31").service_entry_host_conflict(),
            ServiceEntryHostConflict::KubernetesServiceFirstThenOldest
        );
    }
}
