//! Final objects the target cluster would not take whatever their fields say: an object without
//! `apiVersion`, `kind` or `metadata.name` ([`Refused::Incomplete`], E706), and an object at an
//! API version the target does not serve ([`Refused::NotServed`], E705). Checked on each object
//! after the patches, before anything reads it (the analyses, the flows, the output).

use serde_json::Value;

use crate::diagnostic::{Code, Diagnostic, Explain, Location, ResourceRef};
use crate::load::Document;
use crate::patch::Applied;
use crate::platform::{Served, Target};
use crate::resource::{Resource, split_api_version};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refused {
    /// E706: the fields it lacks, and the patch that removed them (by name).
    Incomplete { object: String, missing: Vec<&'static str>, patch: Option<String> },
    /// E705: the target serves the kind, at other versions.
    NotServed { object: String, api_version: String, target: String, served: Vec<String>, suggested: Option<String> },
    /// E705: the target serves the kind at no version: why.
    NowhereServed { object: String, api_version: String, reason: String },
    /// E707: a name, namespace or label the API server refuses (`field` as `metadata.name`).
    BadName { object: String, field: String, value: String, problem: String },
}

impl Explain for Refused {
    fn code(&self) -> Code {
        match self {
            Refused::Incomplete { .. } => Code::E706,
            Refused::NotServed { .. } | Refused::NowhereServed { .. } => Code::E705,
            Refused::BadName { .. } => Code::E707,
        }
    }

    fn message(&self) -> String {
        match self {
            Refused::Incomplete { object, missing, patch } => {
                let missing: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
                let after = patch.as_ref().map(|p| format!(" after patch {p}")).unwrap_or_default();
                format!("object `{object}` has no {}{after}", missing.join(", "))
            }
            Refused::NotServed { object, api_version, target, served, .. } => format!(
                "`{object}` is written at `{api_version}`, which {target} does not serve (it serves {})",
                served.join(", ")
            ),
            Refused::NowhereServed { object, api_version, reason } => {
                format!("`{object}` (`{api_version}`) is not served by the target: {reason}")
            }
            Refused::BadName { object, field, value, problem } => {
                format!("`{object}`: the API server refuses `{field}: {value}`: {problem}")
            }
        }
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            Refused::Incomplete { patch: Some(_), .. } => {
                "every object needs `apiVersion`, `kind` and `metadata.name`: make the patch keep them (replace a value rather than remove it)".into()
            }
            Refused::Incomplete { patch: None, .. } => {
                "every object needs `apiVersion`, `kind` and `metadata.name`: write them".into()
            }
            Refused::NotServed { suggested: Some(version), .. } => {
                format!("use `apiVersion: {version}`, which the target serves (or set the environment's true target: `mesh.controlPlane.version`, `cluster`)")
            }
            Refused::NotServed { suggested: None, .. } => {
                "use a version the target serves (or set the environment's true target: `mesh.controlPlane.version`, `cluster`)".into()
            }
            Refused::NowhereServed { .. } => {
                "remove the object, or set the environment's true target (`mesh.controlPlane.version`, `cluster`)".into()
            }
            Refused::BadName { .. } => {
                "rename it as Kubernetes' \"Object Names and IDs\" says (lowercase, digits, `-`; e.g. `stripe-dr`)".into()
            }
        })
    }
}

impl Refused {
    /// The help of a plain manifest checked outside an environment (a bare directory), which is
    /// checked against the newest platform meshedge knows: there is no target to set.
    pub(crate) fn bare_help(&self) -> Option<String> {
        const BARE: &str = "a directory of plain manifests is checked against the newest platform meshedge knows; \
                            check the environment that deploys it for its own target";
        match self {
            Refused::NotServed { suggested: Some(version), .. } => {
                Some(format!("use `apiVersion: {version}`, which that platform serves ({BARE})"))
            }
            Refused::NotServed { suggested: None, .. } => Some(format!("use a version that platform serves ({BARE})")),
            Refused::NowhereServed { .. } => Some(format!("remove the object ({BARE})")),
            _ => self.help(),
        }
    }
}

/// The fields of `value` an object cannot do without that it lacks (absent, not a string, or
/// empty), in the order `apiVersion`, `kind`, `metadata.name`.
pub(crate) fn missing_fields(value: &Value) -> Vec<&'static str> {
    let has =
        |pointer: &str| crate::pointer::get(value, pointer).and_then(Value::as_str).is_some_and(|s| !s.is_empty());
    let text = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or_default();
    // A `v1 List` carries its objects in `items` and needs no name.
    let list = crate::platform::is_list(text("apiVersion"), text("kind"));
    [("/apiVersion", "apiVersion"), ("/kind", "kind"), ("/metadata/name", "metadata.name")]
        .into_iter()
        .filter(|(pointer, _)| !(has(pointer) || (list && *pointer == "/metadata/name")))
        .map(|(_, field)| field)
        .collect()
}

/// Where the object's field at `pointer` was written: the patch that wrote it (`by`), else the
/// plain resource's document, else the first input file the object came from.
fn place(by: Option<&(String, Location)>, document: Option<&Document>, pointer: &str, sources: &[String]) -> Location {
    if let Some((_, location)) = by {
        return location.clone();
    }
    match document {
        Some(document) => document.location(pointer),
        None => Location::file(sources.first().cloned().unwrap_or_default()),
    }
}

/// E706 or E705 for the final `resource` on `target`, or `None` when the cluster would take it.
/// `applied` is what the patches did to it, `document` the plain resource's document.
pub(crate) fn check(
    resource: &Resource,
    target: Target,
    applied: &Applied,
    document: Option<&Document>,
) -> Option<Diagnostic> {
    let missing = missing_fields(&resource.value);
    if !missing.is_empty() {
        // Named as it was before the patches, while it still had its name.
        let object = applied.before.as_ref().map_or_else(|| resource.display(), ToString::to_string);
        let patch = applied.emptied.as_ref().map(|(name, _)| name.clone());
        let at = place(applied.emptied.as_ref(), document, "", &resource.sources);
        return Some(Refused::Incomplete { object, missing, patch }.at(at).resource(resource.reference()));
    }
    if let Some((refused, pointer)) = bad_name(&resource.value) {
        let at = place(None, document, &pointer, &resource.sources);
        return Some(refused.at(at).resource(resource.reference()));
    }
    if let Some(refused) = unserved(&resource.reference(), target) {
        // A kind a patch wrote is the likelier fault than a version it kept.
        let (by, pointer) = match &applied.kind_by {
            Some(by) => (Some(by), "/kind"),
            None => (applied.api_version_by.as_ref(), "/apiVersion"),
        };
        let at = place(by, document, pointer, &resource.sources);
        return Some(refused.at(at).resource(resource.reference()));
    }
    // A `v1 List` is refused for the first of its items the target does not serve: the API
    // server creates each item as the object it is (`kubectl apply` unwraps the List).
    let (pointer, item, refused) =
        crate::platform::list_items(&resource.value).into_iter().find_map(|(pointer, item)| {
            unserved(&crate::diagnostic::ResourceRef::of(item), target).map(|r| (pointer, item, r))
        })?;
    let at = place(None, document, &format!("{pointer}/apiVersion"), &resource.sources);
    Some(refused.at(at).resource(crate::diagnostic::ResourceRef::of(item)))
}

/// E707 for the first name of `value` the API server refuses (`metadata.name`,
/// `metadata.namespace`, a label key or value), with the JSON pointer of the field; `None` for a
/// `v1 List` (a wrapper) and for objects it takes ([`crate::platform::names`]).
pub(crate) fn bad_name(value: &Value) -> Option<(Refused, String)> {
    use crate::platform::names;
    let text = |pointer: &str| crate::pointer::get(value, pointer).and_then(Value::as_str);
    let (api_version, kind) = (text("/apiVersion").unwrap_or_default(), text("/kind").unwrap_or_default());
    if crate::platform::is_list(api_version, kind) {
        return None;
    }
    // Named only when refused: every object passes through here.
    let refused = |field: String, text: &str, problem: String, pointer: String| {
        let object = ResourceRef::of(value).to_string();
        Some((Refused::BadName { object, field, value: text.to_string(), problem }, pointer))
    };
    if let Some(name) = text("/metadata/name")
        && let Some(problem) = names::name_problem(split_api_version(api_version).0, kind, name)
    {
        return refused("metadata.name".into(), name, problem, "/metadata/name".into());
    }
    if let Some(namespace) = text("/metadata/namespace")
        && let Some(problem) = names::namespace_problem(namespace)
    {
        return refused("metadata.namespace".into(), namespace, problem, "/metadata/namespace".into());
    }
    let labels = crate::pointer::get(value, "/metadata/labels").and_then(Value::as_object);
    for (key, label) in labels.into_iter().flatten() {
        let pointer = || format!("/metadata/labels/{}", key.replace('~', "~0").replace('/', "~1"));
        if let Some(problem) = names::label_key_problem(key) {
            return refused("metadata.labels".into(), key, format!("label key: {problem}"), pointer());
        }
        if let Some(problem) = label.as_str().and_then(names::label_value_problem) {
            return refused(format!("metadata.labels.{key}"), label.as_str().unwrap_or_default(), problem, pointer());
        }
    }
    None
}

/// E705 for `object` when `target` does not serve its kind at its API version; `None` when it
/// does, or when the platform model does not know the kind ([`Target::served_versions`]).
pub(crate) fn unserved(object: &ResourceRef, target: Target) -> Option<Refused> {
    let api_version = object.api_version.as_str();
    let (group, _) = split_api_version(api_version);
    let served = target.served_versions(group, &object.kind)?;
    if served.includes(api_version) {
        return None;
    }
    let display = object.to_string();
    Some(match served {
        Served::At(all) => Refused::NotServed {
            object: display,
            api_version: api_version.to_string(),
            target: target.to_string(),
            served: all.iter().map(|v| v.to_string()).collect(),
            suggested: target.suggested_version(group, &object.kind).map(|v| v.to_string()),
        },
        Served::Nowhere(reason) => {
            Refused::NowhereServed { object: display, api_version: api_version.to_string(), reason }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Flavor;
    use crate::platform::ClusterSetting;
    use serde_json::json;

    fn object(api_version: &str, kind: &str) -> Resource {
        let value = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x", "namespace": "shop"}});
        Resource::new(value, vec!["environments/prod/resources/x.yaml".into()], None)
    }

    fn ossm_2_5() -> Target {
        Target::new(Flavor::Ossm2, "v2.5", ClusterSetting::OpenShift("4.16")).expect("a target")
    }

    #[test]
    fn only_the_missing_fields_are_named() {
        assert_eq!(missing_fields(&json!({"kind": "ConfigMap", "metadata": {"name": "x"}})), ["apiVersion"]);
        assert_eq!(missing_fields(&json!({"apiVersion": "v1", "kind": "", "metadata": {}})), ["kind", "metadata.name"]);
        assert!(missing_fields(&object("v1", "ConfigMap").value).is_empty());
        let mut r = object("v1", "ConfigMap");
        r.value["metadata"].as_object_mut().map(|m| m.remove("name"));
        let d = check(&r, ossm_2_5(), &Applied::default(), None).expect("refused");
        assert_eq!(d.code, Code::E706);
        assert_eq!(d.message, "object `ConfigMap/shop/` has no `metadata.name`");
    }

    #[test]
    fn an_unserved_istio_version_names_the_served_ones() {
        let d = check(&object("networking.istio.io/v1", "VirtualService"), ossm_2_5(), &Applied::default(), None)
            .expect("refused");
        assert_eq!(d.code, Code::E705);
        assert!(d.message.contains("networking.istio.io/v1alpha3, networking.istio.io/v1beta1"), "{}", d.message);
        assert!(d.help.as_deref().is_some_and(|h| h.contains("`apiVersion: networking.istio.io/v1beta1`")));
        assert_eq!(d.location.as_ref().map(|l| l.file.as_str()), Some("environments/prod/resources/x.yaml"));
        for served in ["networking.istio.io/v1beta1", "networking.istio.io/v1alpha3", "example.com/v9"] {
            assert!(check(&object(served, "VirtualService"), ossm_2_5(), &Applied::default(), None).is_none());
        }
        let patched = Applied {
            api_version_by: Some(("p".into(), Location::at("environments/prod/meshedge.yaml", 7, 9))),
            ..Applied::default()
        };
        let d =
            check(&object("security.istio.io/v1", "PeerAuthentication"), ossm_2_5(), &patched, None).expect("refused");
        assert_eq!(d.location, Some(Location::at("environments/prod/meshedge.yaml", 7, 9)));
    }

    #[test]
    fn a_kind_served_nowhere_says_why() {
        let kubernetes = Target::new(Flavor::Istio, "v1.24", ClusterSetting::Kubernetes("1.31")).expect("a target");
        let d =
            check(&object("route.openshift.io/v1", "Route"), kubernetes, &Applied::default(), None).expect("refused");
        assert!(d.message.contains("only on openshift"), "{}", d.message);
    }
}
