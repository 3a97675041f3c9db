//! Admission: the rules that refuse what tenants must not create, in the engine the plan names
//! (`enforcement.admission`, resolved against the target by the validate stage).
//!
//! - `denyRoutes`: any OpenShift Route in a tenant namespace;
//! - `requireSidecar`: any Pod in a tenant namespace that does not carry the `istio-proxy`
//!   container. Validating admission runs after the mutating webhooks, so the rule sees the pod
//!   as the injector left it and tests the outcome, not the intent: whatever the labels and
//!   annotations say, and whatever the injector skips on the target (host-network pods, OSSM's
//!   `app: istiod`, namespaces it ignores), a pod without the sidecar is refused. The proxy is
//!   also looked for among the init containers, where native sidecars put it.
//! - `requireSidecar`, too: any Pod in a tenant namespace that would run beside its sidecar
//!   rather than behind it ([`BYPASS_ANNOTATIONS`], `sidecar.istio.io/inject: "false"`,
//!   `hostNetwork: true`). Such a pod still gets a mesh certificate from istiod and, with its
//!   traffic not redirected, could present it straight to an egress gateway or another
//!   tenant's workload; refusing the opt-outs keeps every connection of a tenant pod going
//!   through its own proxy.
//!
//! Each engine gets the same rule: a ValidatingAdmissionPolicy (CEL) and its binding; an OPA
//! Gatekeeper ConstraintTemplate (Rego) and its constraint; a Kyverno ClusterPolicy with a
//! `validate.cel` rule (the VAP's expression), enforced, and without the rules Kyverno would
//! otherwise derive for pod controllers (their pod templates are not injected yet). Argo CD
//! applies the Gatekeeper templates a wave before their constraints, whose kinds exist only once
//! Gatekeeper has processed a template, and the constraints skip the dry run until then.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::generate::sink::Generated;
use crate::objects::{Manifest, Spec};
use crate::plan::Plan;
use crate::platform::{AdmissionEngine, ApiVersion, Kind};

const NAME_LABEL: &str = "kubernetes.io/metadata.name";
/// Kyverno derives rules for pod controllers from a Pod rule unless told not to
/// (kyverno/kyverno v1.12.7 `pkg/autogen/autogen.go:20,59-80`, `api/kyverno/constants.go:12`).
const KYVERNO_AUTOGEN: &str = "pod-policies.kyverno.io/autogen-controllers";
/// Argo CD applies resources wave by wave, lowest first, and waits between waves (2 s by default,
/// `ARGOCD_SYNC_WAVE_DELAY`) for controllers to react (argoproj/argo-cd v3.5.1
/// `docs/user-guide/sync-waves.md`, "How sync waves work?"; default wave 0).
const ARGOCD_SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";
/// Per-resource sync options (argoproj/argo-cd v3.5.1 `docs/user-guide/sync-options.md`).
const ARGOCD_SYNC_OPTIONS: &str = "argocd.argoproj.io/sync-options";
/// A Gatekeeper constraint's kind is a CRD that Gatekeeper creates once it has processed the
/// ConstraintTemplate (`status.created`: open-policy-agent/gatekeeper v3.16.3
/// `vendor/github.com/open-policy-agent/frameworks/constraint/pkg/apis/templates/v1/constrainttemplate_types.go:101`).
/// On a first sync that kind is unknown, and Argo CD's dry run fails with "the server could not
/// find the requested resource" unless the constraint skips it; the option names Gatekeeper as
/// its example (argoproj/argo-cd v3.5.1 `docs/user-guide/sync-options.md:82-97`). The dry run
/// still runs once the kind exists.
const SKIP_DRY_RUN_ON_MISSING_RESOURCE: &str = "SkipDryRunOnMissingResource=true";
/// The templates go one wave before everything else (wave 0, the constraints with it), so that
/// Gatekeeper has created the constraint kinds when the constraints are applied. A wave earlier
/// rather than the constraints a wave later: a later wave waits for every object of wave 0 to be
/// healthy, and one gateway that is not would hold the admission rules back.
const TEMPLATE_WAVE: &str = "-1";

/// The pod annotations that take traffic away from the sidecar's redirection (istio/api
/// `annotation/annotations.yaml` @1.18.7 and @1.24.3): excluded outbound ports, outbound
/// address ranges and inbound ports, excluded interfaces, and outbound address ranges narrowed
/// from `*` (everything outside them is not redirected). `traffic.sidecar.istio.io/
/// includeOutboundIPRanges` is refused unless it is `*`; the others whatever their value.
pub(crate) const BYPASS_ANNOTATIONS: [&str; 4] = [
    "traffic.sidecar.istio.io/excludeOutboundPorts",
    "traffic.sidecar.istio.io/excludeOutboundIPRanges",
    "traffic.sidecar.istio.io/excludeInboundPorts",
    "traffic.sidecar.istio.io/excludeInterfaces",
];
/// Outbound ranges redirected to the sidecar (`*`: all, the default).
pub(crate) const INCLUDE_OUTBOUND_RANGES: &str = "traffic.sidecar.istio.io/includeOutboundIPRanges";
/// The injection opt-out, an annotation and a label of the same name (istio/api
/// `annotation/annotations.yaml`, `label/labels.yaml` @1.18.7 and @1.24.3).
pub(crate) const INJECT: &str = "sidecar.istio.io/inject";

/// One admission rule, written for every engine.
pub(crate) struct Rule {
    /// The object name, also the Gatekeeper constraint's name.
    pub name: &'static str,
    /// The Gatekeeper constraint kind (`spec.crd.spec.names.kind` of the template).
    pub constraint_kind: &'static str,
    /// The kind the rule refuses, and the API version it is matched at.
    pub kind: Kind,
    pub api: ApiVersion,
    pub resource: &'static str,
    /// CEL, true when the object is admitted (ValidatingAdmissionPolicy, Kyverno `validate.cel`).
    pub cel: String,
    /// Rego v0 module with `violation[{"msg": msg}]` (Gatekeeper).
    pub rego: String,
    pub message: &'static str,
}

/// The rules `settings.enforcement` asks for, on the plan's target.
pub(crate) fn rules(plan: &Plan) -> Vec<Rule> {
    let e = &plan.enforcement;
    let mut out = Vec::new();
    if let (true, Some(api)) = (e.deny_routes, Kind::Route.admission_match_api_version()) {
        out.push(Rule {
            name: "meshedge-deny-tenant-routes",
            constraint_kind: "MeshedgeDenyTenantRoutes",
            kind: Kind::Route,
            api,
            resource: "routes",
            cel: "false".into(),
            rego: ROUTES_REGO.into(),
            message: "tenants do not create Routes: exposure goes through an EdgeRequest and the platform's ingress gateways",
        });
    }
    if let (true, Some(api)) = (e.require_sidecar, Kind::Pod.admission_match_api_version()) {
        let proxy = plan.target.sidecar_container_name();
        out.push(Rule {
            name: "meshedge-require-sidecar",
            constraint_kind: "MeshedgeRequireSidecar",
            kind: Kind::Pod,
            api,
            resource: "pods",
            cel: format!(
                "object.spec.containers.exists(c, c.name == '{proxy}') || \
                 (has(object.spec.initContainers) && object.spec.initContainers.exists(c, c.name == '{proxy}'))"
            ),
            rego: SIDECAR_REGO.replace("PROXY", proxy),
            message: "tenant pods run with the mesh sidecar: the istio-proxy container must be injected (never into pods on the host network)",
        });
        out.push(Rule {
            name: "meshedge-deny-sidecar-bypass",
            constraint_kind: "MeshedgeDenySidecarBypass",
            kind: Kind::Pod,
            api,
            resource: "pods",
            cel: bypass_cel(),
            rego: bypass_rego(),
            message: "tenant pods keep all their traffic behind the mesh sidecar: no hostNetwork, no sidecar.istio.io/inject \"false\", no traffic.sidecar.istio.io exclusions",
        });
    }
    out
}

fn cel_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|a| format!("'{a}'")).collect();
    format!("[{}]", quoted.join(", "))
}

/// True when the pod stays behind its sidecar: not on the host network, no injection opt-out
/// (annotation or label `"false"`), none of [`BYPASS_ANNOTATIONS`], and
/// [`INCLUDE_OUTBOUND_RANGES`] absent or `*`.
fn bypass_cel() -> String {
    let annotations = "object.metadata.annotations";
    let labels = "object.metadata.labels";
    format!(
        "!(has(object.spec.hostNetwork) && object.spec.hostNetwork) && \
         !(has({labels}) && '{INJECT}' in {labels} && {labels}['{INJECT}'] == 'false') && \
         !(has({annotations}) && (\
         ('{INJECT}' in {annotations} && {annotations}['{INJECT}'] == 'false') || \
         {list}.exists(k, k in {annotations}) || \
         ('{INCLUDE_OUTBOUND_RANGES}' in {annotations} && {annotations}['{INCLUDE_OUTBOUND_RANGES}'] != '*')))",
        list = cel_list(&BYPASS_ANNOTATIONS),
    )
}

/// [`bypass_cel`] in Rego: one `violation` per way around the sidecar.
fn bypass_rego() -> String {
    let mut rego = String::from(
        "package meshedgedenysidecarbypass\n\n\
         violation[{\"msg\": msg}] {\n  input.review.kind.kind == \"Pod\"\n  bypass\n  msg := input.parameters.message\n}\n\n\
         bypass {\n  input.review.object.spec.hostNetwork == true\n}\n",
    );
    rego.push_str(&format!(
        "\nbypass {{\n  input.review.object.metadata.labels[\"{INJECT}\"] == \"false\"\n}}\n\
         \nbypass {{\n  input.review.object.metadata.annotations[\"{INJECT}\"] == \"false\"\n}}\n\
         \nbypass {{\n  v := input.review.object.metadata.annotations[\"{INCLUDE_OUTBOUND_RANGES}\"]\n  v != \"*\"\n}}\n"
    ));
    for annotation in BYPASS_ANNOTATIONS {
        rego.push_str(&format!("\nbypass {{\n  input.review.object.metadata.annotations[\"{annotation}\"] = _\n}}\n"));
    }
    rego
}

const ROUTES_REGO: &str = r#"package meshedgedenytenantroutes

violation[{"msg": msg}] {
  input.review.kind.kind == "Route"
  msg := input.parameters.message
}
"#;

const SIDECAR_REGO: &str = r#"package meshedgerequiresidecar

violation[{"msg": msg}] {
  input.review.kind.kind == "Pod"
  not has_proxy
  msg := input.parameters.message
}

has_proxy {
  input.review.object.spec.containers[_].name == "PROXY"
}

has_proxy {
  input.review.object.spec.initContainers[_].name == "PROXY"
}
"#;

pub(crate) fn generate(plan: &Plan, out: &mut Generated) {
    let Some(engine) = plan.enforcement.admission else { return };
    let namespaces: Vec<String> = plan.tenants.values().flat_map(|t| t.namespaces.iter().cloned()).collect();
    if namespaces.is_empty() {
        return;
    }
    let mut sources: BTreeSet<String> = plan.enforcement.sources.clone();
    sources.extend(plan.tenants.values().flat_map(|t| t.sources.iter().cloned()));
    for rule in rules(plan) {
        match engine {
            AdmissionEngine::ValidatingAdmissionPolicy => policy(plan, &rule, &namespaces, &sources, out),
            AdmissionEngine::Gatekeeper => gatekeeper(plan, &rule, &namespaces, &sources, out),
            AdmissionEngine::Kyverno => kyverno(plan, &rule, &namespaces, &sources, out),
        }
    }
}

fn policy(plan: &Plan, rule: &Rule, namespaces: &[String], sources: &BTreeSet<String>, out: &mut Generated) {
    let version = if rule.api.group().is_empty() { rule.api.version() } else { "*" };
    let spec = json!({
        "failurePolicy": "Fail",
        "matchConstraints": {
            "resourceRules": [{"apiGroups": [rule.api.group()], "apiVersions": [version],
                "operations": ["CREATE", "UPDATE"], "resources": [rule.resource]}],
            "namespaceSelector": {"matchExpressions": [{"key": NAME_LABEL, "operator": "In", "values": namespaces}]}
        },
        "validations": [{"expression": rule.cel, "message": rule.message}]
    });
    let kind = Kind::ValidatingAdmissionPolicy;
    out.push(Manifest::new(plan.api(kind), kind.name(), None, rule.name, Spec { spec }), sources, None);
    let binding = json!({"policyName": rule.name, "validationActions": ["Deny"]});
    let kind = Kind::ValidatingAdmissionPolicyBinding;
    out.push(Manifest::new(plan.api(kind), kind.name(), None, rule.name, Spec { spec: binding }), sources, None);
}

fn gatekeeper(plan: &Plan, rule: &Rule, namespaces: &[String], sources: &BTreeSet<String>, out: &mut Generated) {
    let template = json!({
        "crd": {"spec": {
            "names": {"kind": rule.constraint_kind},
            "validation": {"openAPIV3Schema": {"type": "object", "properties": {"message": {"type": "string"}}}}
        }},
        "targets": [{"target": "admission.k8s.gatekeeper.sh", "rego": rule.rego}]
    });
    let template_name = rule.constraint_kind.to_ascii_lowercase();
    let kind = Kind::ConstraintTemplate;
    let template = Manifest::new(plan.api(kind), kind.name(), None, &template_name, Spec { spec: template })
        .annotation(ARGOCD_SYNC_WAVE, TEMPLATE_WAVE);
    out.push(template, sources, None);
    let constraint = json!({
        "enforcementAction": "deny",
        "match": {
            "kinds": [{"apiGroups": [rule.api.group()], "kinds": [rule.kind.name()]}],
            "namespaces": namespaces
        },
        "parameters": {"message": rule.message}
    });
    let api = plan.api(Kind::Constraint);
    let constraint = Manifest::new(api, rule.constraint_kind, None, rule.name, Spec { spec: constraint })
        .annotation(ARGOCD_SYNC_OPTIONS, SKIP_DRY_RUN_ON_MISSING_RESOURCE);
    out.push(constraint, sources, None);
}

fn kyverno(plan: &Plan, rule: &Rule, namespaces: &[String], sources: &BTreeSet<String>, out: &mut Generated) {
    let kind: Value = if rule.api.group().is_empty() {
        json!(rule.kind.name())
    } else {
        json!(format!("{}/{}", rule.api, rule.kind))
    };
    let spec = json!({
        "validationFailureAction": "Enforce",
        "background": false,
        "rules": [{
            "name": rule.name,
            "match": {"any": [{"resources": {
                "kinds": [kind],
                "namespaces": namespaces,
                "operations": ["CREATE", "UPDATE"]
            }}]},
            "validate": {"cel": {"expressions": [{"expression": rule.cel, "message": rule.message}]}}
        }]
    });
    let kind = Kind::ClusterPolicy;
    out.push(
        Manifest::new(plan.api(kind), kind.name(), None, rule.name, Spec { spec }).annotation(KYVERNO_AUTOGEN, "none"),
        sources,
        None,
    );
}
