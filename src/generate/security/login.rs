//! The login flow of a gateway with `oidc`: an OAuth proxy (oauth2-proxy Deployment and Service
//! in the gateway's namespace) registered as an Istio ext-authz extension provider, and a CUSTOM
//! AuthorizationPolicy that sends the requests to the login hosts through it; the host's
//! VirtualService routes `/oauth2` (the callback) to the proxy.
//!
//! - **No header skips the login.** The CUSTOM policy runs before any token is verified
//!   (istio/istio `pilot/pkg/networking/core/v1alpha3/listener_builder.go` @1.18.7, CUSTOM then
//!   `jwt_authn` then RBAC), so it cannot ask whether a token is valid. On a host with `login`
//!   only, every request goes through the proxy. On a host with `login` and `jwt`, a request
//!   with `Authorization: Bearer …` skips the proxy, and the host's token check (a
//!   RequestAuthentication that answers 401 to a token it cannot verify, and a DENY for a token
//!   not of the host's issuer and audiences) decides it; any other `Authorization` header goes
//!   through the proxy.
//! - **The ID token verifies.** After sign-in the proxy puts the ID token upstream
//!   (`--set-authorization-header`, `authorization` in `headersToUpstreamOnAllow`). Where the
//!   gateway also checks tokens, a RequestAuthentication `<gateway>-login` accepts that token
//!   (issuer: the OIDC issuer, audience: the client id) and forwards it, so that signed-in users
//!   get through, and the backends of the login hosts still receive it.
//! - **The call to the proxy works under the mesh's mTLS.** The proxy runs without a sidecar
//!   (pinned with `sidecar.istio.io/inject: "false"`: it calls the identity provider directly,
//!   which a sidecar under `REGISTRY_ONLY` would refuse). An OpenShift Service Mesh 2 control
//!   plane with `security.dataPlane.mtls: true` adds a DestinationRule for `*.cluster.local`
//!   with `ISTIO_MUTUAL` ([`crate::platform::Target::ossm_mesh_mtls_destination_rule`]), which
//!   would make the gateway speak mutual TLS to the plain-text proxy and fail every login
//!   check. A DestinationRule for the proxy's host with `tls.mode: DISABLE`, in the gateway's
//!   namespace, is looked up first (istio/istio `pilot/pkg/model/push_context.go`
//!   `PushContext.destinationRule` @1.18.7: the proxy's own namespace before the service's and
//!   the root namespace, the most specific host within each); with upstream Istio's
//!   automatic mutual TLS the gateway speaks plain text to a pod without a sidecar anyway.

use std::collections::BTreeSet;

use serde_json::json;

use crate::generate::sink::Generated;
use crate::input::{OidcSettings, SecretKeyRef};
use crate::names::join;
use crate::objects::*;
use crate::plan::{IngressGateway, IngressHost, OAUTH_PROXY_PORT, Plan};
use crate::platform::{INJECTION_KEY, Kind};

/// The hosts rule of one host: `:authority` with and without a port.
pub(super) fn host_operation(host: &str) -> serde_json::Value {
    json!({"operation": {"hosts": [host, format!("{host}:*")]}})
}

pub(crate) const OAUTH_PROXY_IMAGE: &str = "quay.io/oauth2-proxy/oauth2-proxy:v7.6.0";

/// The JWT rule that verifies the ID token of the login flow: the OIDC issuer (keys from its
/// discovery document), audience the client id, forwarded upstream.
pub(super) fn id_token_rule(oidc: &OidcSettings) -> JwtRule {
    JwtRule {
        issuer: oidc.issuer.to_string(),
        jwks_uri: None,
        audiences: vec![oidc.client_id.to_string()],
        forward_original_token: Some(true),
    }
}

pub(super) fn generate(plan: &Plan, gateway: &IngressGateway, hosts: &[&IngressHost], out: &mut Generated) {
    let Some(oidc) = &gateway.oidc else { return };
    let name = gateway.login_proxy();
    let ns = Some(gateway.namespace.as_str());
    let mut sources: BTreeSet<String> = gateway.sources.clone();
    for host in hosts {
        sources.extend(host.sources.iter().cloned());
    }
    let tenant = gateway.tenant.as_deref();
    proxy(plan, gateway, oidc, hosts, &sources, out);
    // Plain text to the proxy, whatever mutual TLS the mesh asks for by default.
    let rule = DestinationRuleSpec {
        host: gateway.login_proxy_fqdn(),
        export_to: vec![gateway.namespace.clone()],
        traffic_policy: Some(TrafficPolicy {
            tls: Some(ClientTls { mode: "DISABLE", ..Default::default() }),
            ..Default::default()
        }),
        subsets: Vec::new(),
    };
    out.push(
        Manifest::new(plan.api(Kind::DestinationRule), "DestinationRule", ns, &name, Spec { spec: rule }),
        &sources,
        tenant,
    );
    let policy_name = join(&[&gateway.name, "login"]);
    let checks_tokens = plan.ingress_hosts.iter().any(|h| h.gateway == gateway.name && h.jwt.is_some());
    if checks_tokens {
        let authn = RequestAuthenticationSpec {
            selector: Some(WorkloadSelector { match_labels: gateway.selector.clone() }),
            jwt_rules: vec![id_token_rule(oidc)],
        };
        out.push(
            Manifest::new(
                plan.api(Kind::RequestAuthentication),
                "RequestAuthentication",
                ns,
                &policy_name,
                Spec { spec: authn },
            ),
            &sources,
            tenant,
        );
    }
    let (with_token, login_only): (Vec<&IngressHost>, Vec<&IngressHost>) =
        hosts.iter().copied().partition(|h| h.jwt.is_some());
    let mut rules = Vec::new();
    if !login_only.is_empty() {
        rules.push(AuthorizationRule {
            to: login_only.iter().map(|h| host_operation(&h.host)).collect(),
            ..Default::default()
        });
    }
    if !with_token.is_empty() {
        rules.push(AuthorizationRule {
            to: with_token.iter().map(|h| host_operation(&h.host)).collect(),
            // A bearer token goes to the host's own token check instead (see the module).
            when: vec![json!({"key": "request.headers[authorization]", "notValues": ["Bearer *"]})],
            ..Default::default()
        });
    }
    rules.extend(ported_wildcards(plan, gateway, hosts));
    let policy = AuthorizationPolicySpec {
        selector: Some(WorkloadSelector { match_labels: gateway.selector.clone() }),
        action: "CUSTOM",
        provider: Some(ExtensionProviderRef { name: gateway.login_provider() }),
        rules,
    };
    out.push(
        Manifest::new(
            plan.api(Kind::AuthorizationPolicy),
            "AuthorizationPolicy",
            ns,
            &policy_name,
            Spec { spec: policy },
        ),
        &sources,
        tenant,
    );
}

/// The rule that sends a wildcard login host's `:authority` with a port through the login.
///
/// A gateway routes `a.team.example.com:80` to the virtual host of `*.team.example.com`: it
/// ignores the port when it matches hosts (istio/istio `pilot/pkg/networking/core/gateway.go`
/// `IgnorePortInHostMatching` @1.24.3). An AuthorizationPolicy host holds one `*`, at its start
/// (a suffix) or at its end (a prefix) (`pilot/pkg/security/authz/matcher/header.go`
/// `HostMatcher` @1.24.3), so `*.team.example.com:*` is the literal suffix
/// `.team.example.com:*`, which no authority ends with, and no pattern names every port of
/// every name under a wildcard. The rule covers every authority of the gateway but the other
/// hosts it serves without a login (an exact name with and without a port, a wildcard without
/// one): the port forms of those wildcards go through the login too, which asks more of such a
/// client, never less. A bearer token is left to the hosts' token check only when every
/// wildcard login host has one.
fn ported_wildcards(plan: &Plan, gateway: &IngressGateway, hosts: &[&IngressHost]) -> Option<AuthorizationRule> {
    let wildcards: Vec<&&IngressHost> = hosts.iter().filter(|h| h.host.starts_with('*')).collect();
    if wildcards.is_empty() {
        return None;
    }
    let others = plan.ingress_hosts.iter().filter(|h| h.gateway == gateway.name && !h.login).map(|h| h.host.as_str());
    let when = if wildcards.iter().all(|h| h.jwt.is_some()) {
        vec![json!({"key": "request.headers[authorization]", "notValues": ["Bearer *"]})]
    } else {
        Vec::new()
    };
    Some(AuthorizationRule { to: vec![every_authority_but(others)], when, ..Default::default() })
}

/// The operation that covers every `:authority` but those of `others` (an exact name with and
/// without a port, a wildcard without one): the only way to name a wildcard host's port forms
/// (see [`ported_wildcards`]).
pub(super) fn every_authority_but<'a>(others: impl Iterator<Item = &'a str>) -> serde_json::Value {
    let mut not_hosts = BTreeSet::new();
    for other in others {
        not_hosts.insert(other.to_string());
        if !other.starts_with('*') {
            not_hosts.insert(format!("{other}:*"));
        }
    }
    let mut operation = json!({"hosts": ["*"]});
    if !not_hosts.is_empty() {
        operation["notHosts"] = json!(not_hosts);
    }
    json!({ "operation": operation })
}

/// The oauth2-proxy Deployment and Service.
fn proxy(
    plan: &Plan,
    gateway: &IngressGateway,
    oidc: &OidcSettings,
    hosts: &[&IngressHost],
    sources: &BTreeSet<String>,
    out: &mut Generated,
) {
    let name = gateway.login_proxy();
    let ns = Some(gateway.namespace.as_str());
    let labels = Labels::from([("app.kubernetes.io/name".to_string(), name.clone())]);
    let mut pod_labels = labels.clone();
    pod_labels.insert(INJECTION_KEY.to_string(), "false".to_string());
    let secret = |reference: &SecretKeyRef| json!({"secretKeyRef": {"name": reference.name, "key": reference.key}});
    let mut args = vec![
        "--provider=oidc".to_string(),
        format!("--oidc-issuer-url={}", oidc.issuer),
        format!("--client-id={}", oidc.client_id),
        format!("--http-address=0.0.0.0:{OAUTH_PROXY_PORT}"),
        "--upstream=static://200".to_string(),
        "--reverse-proxy=true".to_string(),
        "--set-authorization-header=true".to_string(),
        "--set-xauthrequest=true".to_string(),
        "--email-domain=*".to_string(),
        "--cookie-secure=true".to_string(),
    ];
    args.extend(hosts.iter().map(|h| format!("--whitelist-domain={}", h.host)));
    let deployment = json!({
        "replicas": 2,
        "selector": {"matchLabels": labels},
        "template": {
            "metadata": {"labels": pod_labels},
            "spec": {
                "containers": [{
                    "name": "oauth2-proxy",
                    "image": OAUTH_PROXY_IMAGE,
                    "args": args,
                    "env": [
                        {"name": "OAUTH2_PROXY_CLIENT_SECRET", "valueFrom": secret(&oidc.client_secret_ref)},
                        {"name": "OAUTH2_PROXY_COOKIE_SECRET", "valueFrom": secret(&oidc.cookie_secret_ref)}
                    ],
                    "ports": [{"name": "http", "containerPort": OAUTH_PROXY_PORT, "protocol": "TCP"}],
                    "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": true}
                }]
            }
        }
    });
    let tenant = gateway.tenant.as_deref();
    out.push(
        Manifest::new(plan.api(Kind::Deployment), "Deployment", ns, &name, Spec { spec: deployment }),
        sources,
        tenant,
    );
    let service = ServiceSpec {
        service_type: "ClusterIP",
        selector: labels,
        ports: vec![ServicePortSpec {
            name: "http".into(),
            port: OAUTH_PROXY_PORT,
            target_port: OAUTH_PROXY_PORT,
            protocol: "TCP",
        }],
    };
    out.push(Manifest::new(plan.api(Kind::Service), "Service", ns, &name, Spec { spec: service }), sources, tenant);
}
