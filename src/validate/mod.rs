//! Validate: the merged environment against the rules of §5 → a [`Plan`] that generation can
//! trust.
//!
//! This stage owns every decision about requests: defaults are applied ([`settings`]), short
//! hosts expanded, ownership and uniqueness checked, gateways and SLA classes resolved
//! ([`ingress`], [`egress`]), tenants' namespaces checked ([`tenants`]). Every error names the
//! file and line of the request or setting at fault and says how to fix it. Generation reads
//! only the plan and never validates. The rules that keep tenants apart (names, reserved
//! namespaces, secrets, wildcard hosts) are in [`tenancy`]; settings no emitted object can carry
//! are warned about in [`placement`].

mod claims;
mod egress;
mod error;
mod exposure;
mod extensions;
mod federation;
mod ingress;
mod ownership;
mod placement;
mod platform;
mod scope;
mod settings;
mod sla;
mod tenancy;
mod tenants;
mod tokens;

use crate::diagnostic::Diagnostics;
use crate::merge::{Merged, Tenant};
use crate::plan::{Enforcement, Plan};
use crate::validate::scope::{Checker, Claims, RequestScope};

/// Checks the merged environment; the plan and its warnings, or the errors.
pub fn validate(merged: &Merged) -> Result<(Plan, Diagnostics), Diagnostics> {
    let mut c = Checker::new(merged);
    let mesh = settings::mesh(merged);
    let tenants = tenants::plans(&mut c);
    let target = platform::target(&mut c);
    let edge = settings::edge(&mut c, target);
    tenancy::check_environment(merged, &mesh, &edge.ingress_gateways, &edge.egress_gateways, &mut c.diagnostics);
    let mut claims = Claims::default();
    // Tenants excluded here build nothing, but keep the secrets their requests name: their
    // requests are read for those claims only, whatever else they would be found to hold.
    let mut excluded = Claims::default();
    let mut scratch = Checker::new(merged);
    for tenant in merged.excluded_tenants.values() {
        check_requests(&mut scratch, &edge, tenant, &mut excluded);
    }
    claims.secrets.keep_excluded(excluded.secrets);
    for tenant in merged.tenants.values() {
        check_requests(&mut c, &edge, tenant, &mut claims);
    }
    claims.hosts.check(&mut c.diagnostics);
    let nested: Vec<ownership::HostClaim> = claims
        .ingress
        .values()
        .map(|(host, (request, pointer))| ownership::HostClaim { host: &host.host, request, pointer })
        .collect();
    ownership::check_nested_hosts(&nested, &settings::hosts_open_to_others(merged), merged, &mut c.diagnostics);
    tokens::check(&mut c, &claims.ingress);
    exposure::check(&mut c, &claims.ingress, &edge.ingress_gateways, &mesh, edge.target.as_ref());
    claims.secrets.check(merged, &edge.ingress_gateways, &mut c.diagnostics);
    let federation = federation::plan(&mut c, &mesh, &edge, target.as_ref());
    let enforcement = settings::enforcement(merged);
    let admission = match &target {
        Some(target) => platform::admission(&mut c, target, enforcement.deny_routes || enforcement.require_sidecar),
        None => None,
    };
    let (false, Some(target)) = (c.diagnostics.has_errors(), target) else {
        return Err(c.diagnostics);
    };
    let plan = Plan {
        target,
        environment: merged.environment.clone(),
        flavor: platform::flavor(merged),
        mesh,
        ingress_gateways: edge.ingress_gateways,
        egress_gateways: edge.egress_gateways,
        egress: edge.egress,
        enforcement: Enforcement { admission, ..enforcement },
        tenants,
        namespaces: settings::namespace_plan(merged),
        ingress_hosts: claims.ingress.into_values().map(|(h, _)| h).collect(),
        egress_hosts: claims.egress.into_values().map(|(h, _, _)| h).collect(),
        federation,
        excluded_tenants: merged.excluded.clone(),
    };
    platform::served(&mut c, &plan);
    platform::smcp_gateway_names(&mut c, &plan);
    if c.diagnostics.has_errors() {
        return Err(c.diagnostics);
    }
    placement::warnings(&mut c, &plan);
    extensions::authority_warnings(&mut c, &plan);
    Ok((plan, c.diagnostics))
}

/// Checks the requests of `tenant` against `edge`, collecting what they claim.
fn check_requests<'m>(c: &mut Checker<'m>, edge: &scope::Edge, tenant: &'m Tenant, claims: &mut Claims<'m>) {
    for request in tenant.requests.values() {
        let namespace = tenants::request_namespace(c, request, &tenant.namespaces);
        for (i, item) in request.doc.spec.ingress.iter().flatten().enumerate() {
            let scope = RequestScope { request, namespace: &namespace, base: format!("/spec/ingress/{i}") };
            if let Some(host) = ingress::host(c, edge, &scope, item) {
                ingress::claim(c, edge, &scope, host, claims);
            }
        }
        for (i, item) in request.doc.spec.egress.iter().flatten().enumerate() {
            let scope = RequestScope { request, namespace: &namespace, base: format!("/spec/egress/{i}") };
            if let Some(host) = egress::host(c, edge, &scope, item) {
                egress::claim(c, edge, &scope, host, claims);
            }
        }
    }
}
