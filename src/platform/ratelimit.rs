//! Local rate limiting at a gateway through an `EnvoyFilter`.

use super::Target;

impl Target {
    /// True where a gateway's proxy takes Envoy's local rate limit filter
    /// (`envoy.filters.http.local_ratelimit`) from a `networking.istio.io/v1alpha3` EnvoyFilter:
    /// an `HTTP_FILTER` patch inserting the filter and an `HTTP_ROUTE` patch (`MERGE`) giving one
    /// route its `typed_per_filter_config`. Every release meshedge knows does (Istio 1.16–1.24,
    /// OpenShift Service Mesh 2.4–2.6); a release outside them is refused before this is asked.
    ///
    /// Sources: istio/istio `tests/integration/telemetry/policy/testdata/enable_envoy_local_ratelimit_per_route.yaml`
    /// at 1.16.7 and 1.24.6, and maistra/istio branches `maistra-2.4` and `maistra-2.6` (the same
    /// file): the filter inserted with only `stat_prefix`, its token bucket given per route. The
    /// gateway virtual host is named `<host>:<port>` (istio/istio 1.16.7
    /// `pilot/pkg/networking/core/v1alpha3/gateway.go:414`, 1.24.6 `pilot/pkg/networking/core/gateway.go:485`,
    /// `util.DomainName`) and an Envoy route carries its VirtualService `http[].name`
    /// (`route.go`, `routeName := in.Name`). EnvoyFilter is served at `v1alpha3` alone in all of
    /// them (see [`Target::api_version`]); its schema is `data/platform/istio/*/envoyfilters.networking.istio.io.yaml`.
    pub fn local_rate_limit_at_gateways(&self) -> bool {
        (16..=24).contains(&self.istio_version().minor())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{istio, ossm};
    use super::super::{Kind, Target};

    #[test]
    fn every_known_release_rate_limits_at_gateways_through_envoy_filter_v1alpha3() {
        for target in Target::all_supported() {
            assert!(target.local_rate_limit_at_gateways(), "{target}");
            assert_eq!(
                target.api_version(Kind::EnvoyFilter).ok().map(|v| v.as_str()),
                Some("networking.istio.io/v1alpha3")
            );
        }
        assert!(ossm("v2.4", "4.14").local_rate_limit_at_gateways());
        assert!(istio("v1.24", "1.31").local_rate_limit_at_gateways());
    }
}
