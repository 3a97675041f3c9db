//! Federated traffic on OpenShift Service Mesh 2: a peer mesh → a Service this mesh exports to
//! it, and a namespace → a Service imported from a peer.
//!
//! The objects read: the `ServiceMeshPeer`, `ExportedServiceSet` and `ImportedServiceSet`
//! (`federation.maistra.io/v1`) of the output, all three named after the peer in one namespace
//! (istiod reads the service sets beside the peer by its name and namespace).
//!
//! - **Export** (`peer/<peer> → service/<ns>/<name>`): the peer exists; the first rule of the
//!   ExportedServiceSet that applies to the Service selects it (maistra/api maistra-2.5, dfc96815,
//!   `federation/v1/exportedserviceset_types.go:50-55`: rules in order, first match wins; a
//!   `NameSelector`'s namespace and name match exactly or by `*`, `federation/v1/import_export_mapping.go`
//!   `MatchAny`); a `LabelSelector` rule selects by the Service's labels, which the output does not
//!   hold, so it counts as selecting (the most open reading, for the flow nobody asked for) or as
//!   undecided (a requested flow is then blocked: nothing shows that it is exported). The
//!   federation ingress gateway forwards the peer's connection to the Service's pods with its own
//!   mesh identity, so the exporting namespace's AuthorizationPolicies are evaluated for the
//!   gateway's pod (TCP: the gateway passes TLS through by SNI, no HTTP attribute exists).
//! - **Import** (`namespace/<ns> → <alias host>`): the peer exists and the ImportedServiceSet has
//!   a rule naming the alias. istiod creates an imported Service with `exportTo: *` (maistra/istio
//!   maistra-2.5, 08e9b7bd, `pilot/pkg/serviceregistry/federation/controller.go:378-379`
//!   `serviceVisibility := visibility.Public`), whose endpoints are the federation egress gateway:
//!   every namespace of the mesh resolves and reaches the alias, not only the importing one.

use serde_json::Value;

use super::super::authz::{Peer, Request};
use super::super::{Layer, ObjectRef, Outcome, Step, Verdict, least_open, most_open};
use super::{FederationProbe, Model};

/// `*`: matches any namespace or name in a selector rule (maistra/api dfc96815
/// `federation/v1/import_export_mapping.go`, `MatchAny`).
const MATCH_ANY: &str = "*";

/// A federation object of the output: its reference and value.
type Object<'a> = (&'a ObjectRef, &'a Value);

impl Model {
    /// The verdict of a federated flow (see the module's documentation).
    pub fn evaluate_federation(&self, probe: &FederationProbe) -> Verdict {
        let (peer_name, requested) = match probe {
            FederationProbe::Export { peer, requested, .. } | FederationProbe::Import { peer, requested, .. } => {
                (peer.as_str(), *requested)
            }
        };
        let objects = &self.index.federation;
        let find = |kind: &str, namespace: Option<&str>| {
            objects.iter().find(|(r, _)| {
                r.kind == kind && r.name == peer_name && namespace.is_none_or(|ns| r.namespace.as_deref() == Some(ns))
            })
        };
        let Some((peer, _)) = find("ServiceMeshPeer", None) else {
            return Verdict::from_steps(vec![Step::new(
                Layer::Routing,
                Outcome::Blocked,
                Vec::new(),
                format!("no ServiceMeshPeer {peer_name}: the mesh does not federate with it"),
            )]);
        };
        let mut steps = vec![Step::new(
            Layer::Routing,
            Outcome::Allowed,
            vec![peer.clone()],
            format!("ServiceMeshPeer {peer_name} federates the mesh with the peer"),
        )];
        let namespace = peer.namespace.as_deref();
        match probe {
            FederationProbe::Export { namespace: ns, service, exported, .. } => {
                let set = find("ExportedServiceSet", namespace).map(|(r, v)| (r, v));
                steps.push(export_step(set, ns, service.as_deref(), exported, requested));
                if steps.iter().all(|s| s.verdict != Outcome::Blocked) {
                    if let Some(step) =
                        self.export_authorization(peer_name, namespace.unwrap_or_default(), ns, requested)
                    {
                        steps.push(step);
                    }
                }
            }
            FederationProbe::Import { from, namespace: ns, alias, .. } => {
                let set = find("ImportedServiceSet", namespace).map(|(r, v)| (r, v));
                steps.push(import_step(set, from, ns, alias));
            }
        }
        Verdict::from_steps(steps)
    }

    /// The exporting namespace's AuthorizationPolicies for the federation ingress gateway's
    /// connection to its pods: the least open of its pods for a requested flow, the most open
    /// otherwise. `None` when the namespace has no pods or the gateway's pod is not modelled.
    fn export_authorization(&self, peer: &str, control_plane: &str, namespace: &str, requested: bool) -> Option<Step> {
        let (ingress, _) = crate::platform::federation::gateway_names(peer);
        let gateway = self.index.pods.iter().find(|p| {
            p.namespace == control_plane
                && ["app", "service.istio.io/canonical-name"]
                    .iter()
                    .any(|l| p.labels.get(*l).is_some_and(|v| v == &ingress))
        })?;
        let client = Peer::workload(gateway, &self.ctx.trust_domain);
        let pods = self.workloads(namespace);
        let steps: Vec<Step> = pods
            .iter()
            .map(|pod| {
                let request = Request::new(namespace, 0, "/").tcp().peer(client.clone());
                let outcomes = self.authorize(pod, &request);
                let blocked = outcomes.steps.iter().find(|s| s.verdict == Outcome::Blocked);
                match blocked.or(outcomes.steps.last()) {
                    Some(step) => step.clone(),
                    None => Step::new(
                        Layer::Authorization,
                        Outcome::Allowed,
                        Vec::new(),
                        format!("no AuthorizationPolicy applies to {}/{}", pod.namespace, pod.name),
                    ),
                }
            })
            .collect();
        if requested { least_open(steps, |s| s.verdict) } else { most_open(steps, |s| s.verdict) }
    }
}

/// Whether a selector field (`namespace`, `name`) matches `value`: equal, or `*`.
fn field_matches(field: Option<&str>, value: &str) -> bool {
    field.is_some_and(|f| f == MATCH_ANY || f == value)
}

/// The ExportedServiceSet's verdict on a Service of `namespace` (`service`, or one that is not
/// among `exported` when `None`).
fn export_step(
    set: Option<Object<'_>>,
    namespace: &str,
    service: Option<&str>,
    exported: &[String],
    requested: bool,
) -> Step {
    let Some((reference, value)) = set else {
        return Step::new(
            Layer::Routing,
            Outcome::Blocked,
            Vec::new(),
            "no ExportedServiceSet for the peer: nothing is exported",
        );
    };
    let by = vec![reference.clone()];
    let rules = value.pointer("/spec/exportRules").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    for rule in rules {
        match rule.get("type").and_then(Value::as_str) {
            Some("NameSelector") => {
                let selector = rule.get("nameSelector").unwrap_or(&Value::Null);
                let ns = selector.get("namespace").and_then(Value::as_str);
                let name = selector.get("name").and_then(Value::as_str);
                if !field_matches(ns, namespace) {
                    continue;
                }
                match service {
                    Some(service) if field_matches(name, service) => {
                        return Step::new(
                            Layer::Routing,
                            Outcome::Allowed,
                            by,
                            format!("exported: a NameSelector rule selects {namespace}/{service}"),
                        );
                    }
                    None if name == Some(MATCH_ANY) => {
                        return Step::new(
                            Layer::Routing,
                            Outcome::Allowed,
                            by,
                            format!("a NameSelector rule exports every Service of {namespace}"),
                        );
                    }
                    None if name.is_some_and(|n| !exported.iter().any(|e| e == n)) => {
                        return Step::new(
                            Layer::Routing,
                            Outcome::Allowed,
                            by,
                            format!(
                                "a NameSelector rule exports {namespace}/{}, which no request exports",
                                name.unwrap_or_default()
                            ),
                        );
                    }
                    _ => continue,
                }
            }
            Some("LabelSelector") => {
                let ns = rule.pointer("/labelSelector/namespace").and_then(Value::as_str).unwrap_or_default();
                // An empty namespace applies to every namespace of the mesh (maistra/api dfc96815
                // `federation/v1/import_export_mapping.go`, `ServiceImportExportLabelSelector`).
                if !(ns.is_empty() || ns == namespace) {
                    continue;
                }
                let outcome = if requested { Outcome::Blocked } else { Outcome::Allowed };
                return Step::new(
                    Layer::Routing,
                    outcome,
                    by,
                    format!(
                        "a LabelSelector rule applies to {namespace}: it selects by the Service's labels, which the output does not hold"
                    ),
                );
            }
            _ => continue,
        }
    }
    let what = service.map_or_else(|| format!("no other Service of {namespace}"), |s| format!("{namespace}/{s}"));
    Step::new(Layer::Routing, Outcome::Blocked, by, format!("no export rule selects {what}"))
}

/// The ImportedServiceSet's verdict on `namespace/<from>` calling `<alias>.<namespace>`.
fn import_step(set: Option<Object<'_>>, from: &str, namespace: &str, alias: &str) -> Step {
    let Some((reference, value)) = set else {
        return Step::new(
            Layer::Routing,
            Outcome::Blocked,
            Vec::new(),
            "no ImportedServiceSet for the peer: nothing is imported",
        );
    };
    let by = vec![reference.clone()];
    let rules = value.pointer("/spec/importRules").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    let named = rules.iter().any(|rule| {
        let alias_of = rule.pointer("/nameSelector/alias");
        rule.get("type").and_then(Value::as_str) == Some("NameSelector")
            && alias_of.and_then(|a| a.get("namespace")).and_then(Value::as_str) == Some(namespace)
            && alias_of.and_then(|a| a.get("name")).and_then(Value::as_str) == Some(alias)
    });
    if !named {
        return Step::new(
            Layer::Routing,
            Outcome::Blocked,
            by,
            format!("no import rule imports a Service as {namespace}/{alias}"),
        );
    }
    let reason = if from == namespace {
        format!("imported as {namespace}/{alias}, routed through the federation egress gateway")
    } else {
        format!(
            "imported as {namespace}/{alias}; istiod makes an imported Service visible to every namespace (exportTo *), routed through the federation egress gateway"
        )
    };
    Step::new(Layer::Routing, Outcome::Allowed, by, reason)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::flows::context::{Context, IstioVersion, MeshFlavor};

    fn peer() -> Value {
        json!({"apiVersion": "federation.maistra.io/v1", "kind": "ServiceMeshPeer",
               "metadata": {"name": "bank", "namespace": "istio-system"}, "spec": {}})
    }

    fn exported(rules: Value) -> Value {
        json!({"apiVersion": "federation.maistra.io/v1", "kind": "ExportedServiceSet",
               "metadata": {"name": "bank", "namespace": "istio-system"}, "spec": {"exportRules": rules}})
    }

    fn imported(rules: Value) -> Value {
        json!({"apiVersion": "federation.maistra.io/v1", "kind": "ImportedServiceSet",
               "metadata": {"name": "bank", "namespace": "istio-system"}, "spec": {"importRules": rules}})
    }

    fn by_name(namespace: &str, name: &str) -> Value {
        json!({"type": "NameSelector", "nameSelector": {"namespace": namespace, "name": name}})
    }

    fn model(objects: Vec<Value>) -> Model {
        Model::new(objects, Context::new(IstioVersion::new(1, 20), MeshFlavor::Ossm2))
    }

    fn export(service: Option<&str>, requested: bool) -> FederationProbe {
        FederationProbe::Export {
            peer: "bank".into(),
            namespace: "pay".into(),
            service: service.map(str::to_string),
            exported: vec!["settlement".into()],
            requested,
        }
    }

    fn import(from: &str, requested: bool) -> FederationProbe {
        FederationProbe::Import {
            peer: "bank".into(),
            from: from.into(),
            namespace: "shop".into(),
            alias: "fx".into(),
            requested,
        }
    }

    fn outcome(model: &Model, probe: &FederationProbe) -> (Outcome, String) {
        let verdict = model.evaluate_federation(probe);
        let reasons: Vec<String> = verdict.steps.iter().map(|s| s.reason.clone()).collect();
        (verdict.verdict, reasons.join("; "))
    }

    #[test]
    fn an_exported_service_is_reachable_from_the_peer_and_nothing_without_its_peer() {
        let m = model(vec![peer(), exported(json!([by_name("pay", "settlement")]))]);
        assert_eq!(outcome(&m, &export(Some("settlement"), true)).0, Outcome::Allowed);
        let alone = model(vec![exported(json!([by_name("pay", "settlement")]))]);
        let (verdict, why) = outcome(&alone, &export(Some("settlement"), true));
        assert_eq!(verdict, Outcome::Blocked);
        assert!(why.contains("no ServiceMeshPeer bank"), "{why}");
    }

    #[test]
    fn a_service_no_rule_selects_is_not_exported() {
        let m = model(vec![peer(), exported(json!([by_name("pay", "ledger"), by_name("other", "settlement")]))]);
        let (verdict, why) = outcome(&m, &export(Some("settlement"), true));
        assert_eq!(verdict, Outcome::Blocked);
        assert!(why.contains("no export rule selects pay/settlement"), "{why}");
        let none = model(vec![peer()]);
        assert_eq!(outcome(&none, &export(Some("settlement"), true)).0, Outcome::Blocked);
    }

    #[test]
    fn the_services_nobody_exports_are_shut_unless_a_rule_widens_the_set() {
        let named = model(vec![peer(), exported(json!([by_name("pay", "settlement")]))]);
        assert_eq!(outcome(&named, &export(None, false)).0, Outcome::Blocked);
        let any = model(vec![peer(), exported(json!([by_name("pay", "*")]))]);
        assert_eq!(outcome(&any, &export(None, false)).0, Outcome::Allowed);
        let any_namespace = model(vec![peer(), exported(json!([by_name("*", "ledger")]))]);
        assert_eq!(outcome(&any_namespace, &export(None, false)).0, Outcome::Allowed);
        let labels = json!([{"type": "LabelSelector", "labelSelector": {"selector": {"matchLabels": {"a": "b"}}}}]);
        let by_labels = model(vec![peer(), exported(labels)]);
        assert_eq!(
            outcome(&by_labels, &export(None, false)).0,
            Outcome::Allowed,
            "an empty namespace is every namespace"
        );
        // A requested export that only a label selector could select is not shown to be exported.
        assert_eq!(outcome(&by_labels, &export(Some("settlement"), true)).0, Outcome::Blocked);
    }

    #[test]
    fn an_import_reaches_its_namespace_and_every_other_one() {
        let rule = json!([{"type": "NameSelector",
                           "nameSelector": {"namespace": "fx", "name": "rates", "alias": {"namespace": "shop", "name": "fx"}}}]);
        let m = model(vec![peer(), imported(rule)]);
        assert_eq!(outcome(&m, &import("shop", true)).0, Outcome::Allowed);
        let (verdict, why) = outcome(&m, &import("blog", false));
        assert_eq!(verdict, Outcome::Allowed);
        assert!(why.contains("visible to every namespace"), "{why}");
    }

    #[test]
    fn an_import_no_rule_names_is_not_routed() {
        let rule = json!([{"type": "NameSelector",
                           "nameSelector": {"namespace": "fx", "name": "rates", "alias": {"namespace": "shop", "name": "rates"}}}]);
        let m = model(vec![peer(), imported(rule)]);
        let (verdict, why) = outcome(&m, &import("shop", true));
        assert_eq!(verdict, Outcome::Blocked);
        assert!(why.contains("no import rule imports a Service as shop/fx"), "{why}");
        assert_eq!(outcome(&model(vec![peer()]), &import("shop", true)).0, Outcome::Blocked);
    }
}
