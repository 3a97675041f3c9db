//! Security: token checks at the edge. A host with `jwt` gets a RequestAuthentication and a
//! DENY AuthorizationPolicy on its ingress gateway (a request to the host without a valid
//! principal is refused there); with `reverify` the same pair in the tenant's namespace,
//! scoped to the host, and the gateway forwards the original token.

use serde_json::json;

use crate::generate::Generated;
use crate::names::join;
use crate::objects::*;
use crate::validate::{IngressHost, Plan};

pub fn generate(plan: &Plan, out: &mut Generated) {
    for host in &plan.ingress_hosts {
        let Some(jwt) = &host.jwt else { continue };
        let Some(gateway) = plan.ingress_gateways.get(&host.gateway) else { continue };
        let reverify = jwt.reverify.unwrap_or(false);
        let rule = JwtRule {
            issuer: jwt.issuer.clone(),
            jwks_uri: jwt.jwks_uri.clone(),
            audiences: jwt.audiences.clone().unwrap_or_default(),
            forward_original_token: reverify.then_some(true),
        };
        let name = join(&[&crate::names::host_slug(&host.host), "jwt"]);
        let selector = WorkloadSelector { match_labels: gateway.selector.clone() };
        pair(plan, host, &gateway.namespace, &name, Some(selector), rule.clone(), out);
        if reverify {
            pair(plan, host, &host.namespace, &name, None, rule, out);
        }
    }
}

fn pair(
    plan: &Plan,
    host: &IngressHost,
    namespace: &str,
    name: &str,
    selector: Option<WorkloadSelector>,
    rule: JwtRule,
    out: &mut Generated,
) {
    let api = security_api(plan.flavor);
    let mut authn = json!({"jwtRules": [rule]});
    let mut authz = json!({
        "action": "DENY",
        "rules": [{
            "from": [{"source": {"notRequestPrincipals": ["*"]}}],
            "to": [{"operation": {"hosts": [host.host.clone(), format!("{}:*", host.host)]}}]
        }]
    });
    if let Some(selector) = selector {
        authn["selector"] = json!(selector);
        authz["selector"] = json!(selector);
    }
    let tenant = Some(host.tenant.as_str());
    out.push(
        Manifest::new(api, "RequestAuthentication", Some(namespace), name, Spec { spec: authn }),
        &host.sources,
        tenant,
    );
    out.push(
        Manifest::new(api, "AuthorizationPolicy", Some(namespace), name, Spec { spec: authz }),
        &host.sources,
        tenant,
    );
}
