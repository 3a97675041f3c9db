//! Security at the edge: tokens and logins.
//!
//! - `jwt`: a RequestAuthentication and a DENY AuthorizationPolicy on the ingress gateway (a
//!   request to the host without a valid principal is refused there); with `reverify`, the same
//!   pair in the tenant's namespace, scoped to the host, and the gateway forwards the token.
//! - `login`: per gateway with `oidc`, an OAuth proxy (oauth2-proxy Deployment and Service in
//!   the gateway's namespace) registered as an Istio ext-authz extension provider; a CUSTOM
//!   AuthorizationPolicy sends requests to the login hosts that carry no `Authorization` header
//!   through it, and the host's VirtualService routes `/oauth2` (the callback) to the proxy.
//!   Requests with a token go straight through.

use std::collections::BTreeSet;

use serde_json::json;

use crate::generate::sink::Generated;
use crate::names::{host_slug, join};
use crate::objects::*;
use crate::plan::{IngressGateway, IngressHost, OAUTH_PROXY_PORT, Plan};
use crate::platform::Kind;

pub(crate) const OAUTH_PROXY_IMAGE: &str = "quay.io/oauth2-proxy/oauth2-proxy:v7.6.0";

pub(crate) fn generate(plan: &Plan, out: &mut Generated) {
    for host in &plan.ingress_hosts {
        let Some(jwt) = &host.jwt else { continue };
        let Some(gateway) = plan.ingress_gateways.get(&host.gateway) else { continue };
        let reverify = jwt.reverify.unwrap_or(false);
        let rule = JwtRule {
            issuer: jwt.issuer.to_string(),
            jwks_uri: jwt.jwks_uri.as_ref().map(|u| u.to_string()),
            audiences: jwt.audiences.iter().flatten().map(|a| a.to_string()).collect(),
            forward_original_token: reverify.then_some(true),
        };
        let name = join(&[&host_slug(&host.host), "jwt"]);
        let selector = WorkloadSelector { match_labels: gateway.selector.clone() };
        require_token(plan, host, &gateway.namespace, &name, Some(selector), rule.clone(), out);
        if reverify {
            require_token(plan, host, &host.namespace, &name, None, rule, out);
        }
    }
    for (gateway, hosts) in plan.login_gateways() {
        login(plan, gateway, &hosts, out);
    }
}

fn host_operation(host: &str) -> serde_json::Value {
    json!({"operation": {"hosts": [host, format!("{host}:*")]}})
}

fn require_token(
    plan: &Plan,
    host: &IngressHost,
    namespace: &str,
    name: &str,
    selector: Option<WorkloadSelector>,
    rule: JwtRule,
    out: &mut Generated,
) {
    let tenant = Some(host.tenant.as_str());
    let authn = RequestAuthenticationSpec { selector: selector.clone(), jwt_rules: vec![rule] };
    out.push(
        Manifest::new(
            plan.api(Kind::RequestAuthentication),
            "RequestAuthentication",
            Some(namespace),
            name,
            Spec { spec: authn },
        ),
        &host.sources,
        tenant,
    );
    let authz = AuthorizationPolicySpec {
        selector,
        action: "DENY",
        provider: None,
        rules: vec![AuthorizationRule {
            from: vec![json!({"source": {"notRequestPrincipals": ["*"]}})],
            to: vec![host_operation(&host.host)],
            ..Default::default()
        }],
    };
    out.push(
        Manifest::new(
            plan.api(Kind::AuthorizationPolicy),
            "AuthorizationPolicy",
            Some(namespace),
            name,
            Spec { spec: authz },
        ),
        &host.sources,
        tenant,
    );
}

fn login(plan: &Plan, gateway: &IngressGateway, hosts: &[&IngressHost], out: &mut Generated) {
    let Some(oidc) = &gateway.oidc else { return };
    let name = gateway.login_proxy();
    let ns = Some(gateway.namespace.as_str());
    let mut sources: BTreeSet<String> = gateway.sources.clone();
    for host in hosts {
        sources.extend(host.sources.iter().cloned());
    }
    let labels = Labels::from([("app.kubernetes.io/name".to_string(), name.clone())]);
    let secret = |reference: &crate::input::SecretKeyRef| json!({"secretKeyRef": {"name": reference.name, "key": reference.key}});
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
            "metadata": {"labels": labels},
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
    out.push(
        Manifest::new(plan.api(Kind::Deployment), "Deployment", ns, &name, Spec { spec: deployment }),
        &sources,
        gateway.tenant.as_deref(),
    );
    let service = ServiceSpec {
        service_type: "ClusterIP",
        selector: labels.clone(),
        ports: vec![ServicePortSpec {
            name: "http".into(),
            port: OAUTH_PROXY_PORT,
            target_port: OAUTH_PROXY_PORT,
            protocol: "TCP",
        }],
    };
    let service = Manifest::new(plan.api(Kind::Service), "Service", ns, &name, Spec { spec: service });
    out.push(service, &sources, gateway.tenant.as_deref());
    let policy = AuthorizationPolicySpec {
        selector: Some(WorkloadSelector { match_labels: gateway.selector.clone() }),
        action: "CUSTOM",
        provider: Some(ExtensionProviderRef { name: gateway.login_provider() }),
        rules: vec![AuthorizationRule {
            to: hosts.iter().map(|h| host_operation(&h.host)).collect(),
            // A request that carries a token goes straight through.
            when: vec![json!({"key": "request.headers[authorization]", "notValues": ["*"]})],
            ..Default::default()
        }],
    };
    let policy_name = join(&[&gateway.name, "login"]);
    out.push(
        Manifest::new(
            plan.api(Kind::AuthorizationPolicy),
            "AuthorizationPolicy",
            ns,
            &policy_name,
            Spec { spec: policy },
        ),
        &sources,
        gateway.tenant.as_deref(),
    );
}
