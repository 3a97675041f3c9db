//! The [`Context`] of a build: the platform facts of the validated plan's target and settings,
//! and how the login proxies the output deploys decide.

use serde_json::{Value, json};

use super::authz::{Jwt, OAuthProxy, Provider};
use super::context::{Context, IstioVersion, Network, NetworkPlugin, OutboundPolicy};
use super::pod::{ContainerPort, Pod};
use super::read::Deployed;
use crate::input::{EgressFirewallMode, Exposure, OutboundPolicy as OutboundSetting};
use crate::plan::Plan;
use crate::platform::Kind;

/// The subject of the tokens the evaluation makes up.
pub(crate) const SUBJECT: &str = "user";

/// The context of the plan's target: Istio version and flavor; the network plugin — on OpenShift,
/// OVN-Kubernetes ([`Network::openshift_ovn`]) unless the settings enforce egress with OpenShift
/// SDN's EgressNetworkPolicy, elsewhere OVN-Kubernetes when the settings ask for its
/// EgressFirewall and an unknown plugin otherwise; the OpenShift router on the pod network (the
/// flows of the example environments are the same with a router on the host network); the
/// outbound policy; the control plane's namespace as the root namespace; and the login providers
/// as the output's Deployments (`deployed`) run them ([`providers`]).
pub(crate) fn context(plan: &Plan, deployed: &[&Deployed]) -> Context {
    let istio = IstioVersion::new(1, u16::try_from(plan.target.istio_version().minor()).unwrap_or(u16::MAX));
    let mut ctx = Context::new(istio, plan.flavor);
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
    ctx.providers = providers(plan, deployed);
    ctx.gateways = gateways(plan);
    ctx
}

/// The gateways of the settings as they run when the output does not deploy them: a Service
/// named by `service` in the gateway's namespace selecting `selector`, with the ports of the
/// gateways meshedge deploys (80 → 8080, 443 → 8443), of type LoadBalancer for an ingress gateway
/// exposed by a load balancer or by nothing meshedge emits (its clients come from outside, and
/// the settings do not say how), else ClusterIP; and one pod with those labels and ports. The
/// index takes them only where neither the output nor the control plane has that Service.
fn gateways(plan: &Plan) -> Vec<(Value, Vec<Pod>)> {
    let ingress = plan.ingress_gateways.values().map(|g| {
        let exposed = matches!(g.exposure, Exposure::LoadBalancer | Exposure::None);
        (&g.namespace, &g.service, &g.selector, exposed)
    });
    let egress = plan.egress_gateways.values().map(|g| (&g.namespace, &g.service, &g.selector, false));
    ingress
        .chain(egress)
        .map(|(namespace, service, selector, load_balancer)| {
            let value = json!({
                "apiVersion": plan.api(Kind::Service),
                "kind": "Service",
                "metadata": {"name": service, "namespace": namespace, "labels": selector},
                "spec": {
                    "type": if load_balancer { "LoadBalancer" } else { "ClusterIP" },
                    "selector": selector,
                    "ports": [
                        {"name": "http2", "port": 80, "targetPort": 8080, "protocol": "TCP"},
                        {"name": "https", "port": 443, "targetPort": 8443, "protocol": "TCP"},
                    ],
                },
            });
            let pod = Pod::new(namespace, service, selector.clone())
                .with_ports(vec![ContainerPort::tcp("http2", 8080), ContainerPort::tcp("https", 8443)]);
            (value, vec![pod])
        })
        .collect()
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
fn providers(plan: &Plan, deployed: &[&Deployed]) -> std::collections::BTreeMap<String, Provider> {
    let mut out = std::collections::BTreeMap::new();
    for gateway in plan.ingress_gateways.values() {
        let Some(oidc) = &gateway.oidc else { continue };
        let issuer = oidc.issuer.to_string();
        let client = oidc.client_id.to_string();
        let deployed = deployed
            .iter()
            .find(|d| d.name == gateway.login_proxy().as_str() && d.namespace == gateway.namespace.as_str());
        let args: &[String] = deployed.map_or(&[], |d| d.args.as_slice());
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
