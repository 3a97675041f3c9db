//! The [`Context`] of a build: the platform facts of the validated plan's target and settings,
//! and how the login proxies the output deploys decide.

use serde_json::Value;

use super::authz::{Jwt, OAuthProxy, Provider};
use super::context::{Context, IstioVersion, MeshFlavor, Network, NetworkPlugin, OutboundPolicy};
use crate::input::{EgressFirewallMode, Flavor, OutboundPolicy as OutboundSetting};
use crate::plan::Plan;

/// The subject of the tokens the evaluation makes up.
pub(crate) const SUBJECT: &str = "user";

/// The context of the plan's target: Istio version and flavor; the network plugin — on OpenShift,
/// OVN-Kubernetes ([`Network::openshift_ovn`]) unless the settings enforce egress with OpenShift
/// SDN's EgressNetworkPolicy, elsewhere OVN-Kubernetes when the settings ask for its
/// EgressFirewall and an unknown plugin otherwise; the OpenShift router on the pod network (the
/// flows of the example environments are the same with a router on the host network); the
/// outbound policy; the control plane's namespace as the root namespace; and the login providers
/// as `objects` deploy them ([`providers`]).
pub(crate) fn context(plan: &Plan, objects: &[Value]) -> Context {
    let istio = IstioVersion::new(1, u16::try_from(plan.target.istio_version().minor()).unwrap_or(u16::MAX));
    let flavor = match plan.flavor {
        Flavor::Ossm2 => MeshFlavor::Ossm2,
        Flavor::Istio => MeshFlavor::Istio,
    };
    let mut ctx = Context::new(istio, flavor);
    if plan.target.is_openshift() {
        ctx = ctx.with_openshift_namespaces(false);
        ctx.network = match plan.enforcement.egress_firewall {
            EgressFirewallMode::Sdn => Network {
                plugin: NetworkPlugin::OpenShiftSdn,
                host_network_namespace: None,
                cluster_networks: Vec::new(),
            },
            _ => Network::openshift_ovn(),
        };
    } else if plan.enforcement.egress_firewall == EgressFirewallMode::Ovn {
        ctx.network = Network { plugin: NetworkPlugin::OvnKubernetes, ..Network::kubernetes() };
    }
    ctx.outbound = match plan.mesh.outbound {
        OutboundSetting::RegistryOnly => OutboundPolicy::RegistryOnly,
        OutboundSetting::AllowAny => OutboundPolicy::AllowAny,
    };
    ctx.root_namespace = plan.mesh.control_plane_namespace.clone();
    ctx.providers = providers(plan, objects);
    ctx
}

/// The login flow's provider of each gateway with one, read from the arguments of the OAuth
/// proxy Deployment in the output (patches included), else from the settings with the
/// arguments meshedge generates.
///
/// oauth2-proxy @v7.6.0 (`docs/docs/configuration/overview.md`): `--skip-jwt-bearer-tokens`
/// lets a request with a bearer token of the provider's issuer (audience: the client id) or of
/// an `--extra-jwt-issuers` pair (`issuer=audience`) through without a session;
/// `--set-authorization-header` puts the session's ID token upstream as `Authorization:
/// Bearer`.
fn providers(plan: &Plan, objects: &[Value]) -> std::collections::BTreeMap<String, Provider> {
    let mut out = std::collections::BTreeMap::new();
    for gateway in plan.ingress_gateways.values() {
        let Some(oidc) = &gateway.oidc else { continue };
        let issuer = oidc.issuer.to_string();
        let client = oidc.client_id.to_string();
        let deployed = objects.iter().find(|v| {
            v.get("kind").and_then(Value::as_str) == Some("Deployment")
                && v.pointer("/metadata/name").and_then(Value::as_str) == Some(gateway.login_proxy().as_str())
                && v.pointer("/metadata/namespace").and_then(Value::as_str) == Some(gateway.namespace.as_str())
        });
        let args: Vec<String> = deployed
            .and_then(|d| d.pointer("/spec/template/spec/containers"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .flat_map(|c| c.get("args").and_then(Value::as_array).into_iter().flatten())
            .filter_map(|a| a.as_str().map(str::to_string))
            .collect();
        let flag =
            |name: &str| args.iter().any(|a| a == name || a.strip_prefix(name).is_some_and(|rest| rest == "=true"));
        let (skip_bearer, set_authorization) = if deployed.is_some() {
            (flag("--skip-jwt-bearer-tokens"), flag("--set-authorization-header"))
        } else {
            (false, true)
        };
        let mut bearer = Vec::new();
        if skip_bearer {
            bearer.push((issuer.clone(), client.clone()));
            for pairs in args.iter().filter_map(|a| a.strip_prefix("--extra-jwt-issuers=")) {
                for pair in pairs.split(',') {
                    if let Some((iss, aud)) = pair.split_once('=') {
                        bearer.push((iss.to_string(), aud.to_string()));
                    }
                }
            }
        }
        let id_token = set_authorization.then(|| Jwt::new(&issuer, SUBJECT, &[client.as_str()]));
        out.insert(gateway.login_provider(), Provider::OAuthProxy(OAuthProxy { bearer, id_token }));
    }
    out
}
