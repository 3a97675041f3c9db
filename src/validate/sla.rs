//! Who may use which SLA class: `settings.egress.slaClasses[].tenants`.
//!
//! A class with `tenants` is open to those tenants' requests only (E438 for any other tenant's
//! request that asks for it, egress `slaClasses` or ingress `slaClass`); a class without it is
//! every tenant's. The default class is every caller's (requests without the SLA header are in
//! it), so it takes no `tenants` (E482). Every tenant named must exist in the repository, excluded
//! here or not (E483): a misspelt name would keep its tenant out of the class.

use std::collections::BTreeMap;

use crate::plan::SlaClass;
use crate::validate::error::RequestError;
use crate::validate::scope::{Checker, RequestScope};

/// E482 and E483: the `tenants` of the declared classes.
pub(crate) fn check_settings(c: &mut Checker, classes: &BTreeMap<String, SlaClass>, default: Option<&str>) {
    let merged = c.merged;
    for (name, class) in classes {
        let Some(tenants) = &class.tenants else { continue };
        let at = format!("/egress/slaClasses/{name}/tenants");
        if default == Some(name.as_str()) {
            c.push(RequestError::DefaultSlaClassRestricted { class: name.clone() }, merged.settings_location(&at));
        }
        for tenant in tenants {
            if !merged.tenants.contains_key(tenant) && !merged.excluded_tenants.contains_key(tenant) {
                c.push(
                    RequestError::SlaClassOfUnknownTenant { class: name.clone(), tenant: tenant.clone() },
                    merged.settings_location(&at),
                );
            }
        }
    }
}

/// E438: `class`, asked for at `pointer` of the request in `scope`, is not granted to its tenant.
pub(crate) fn check_request(
    c: &mut Checker,
    classes: &BTreeMap<String, SlaClass>,
    scope: &RequestScope,
    class: &str,
    pointer: &str,
) {
    let tenant = &scope.request.tenant;
    let given = classes.get(class).is_none_or(|k| k.tenants.as_ref().is_none_or(|t| t.contains(tenant)));
    if given {
        return;
    }
    let usable = usable(classes, tenant);
    let usable = if usable.is_empty() { "(none)".to_string() } else { usable.join(", ") };
    c.diagnostics.push(
        crate::diagnostic::Explain::at(
            RequestError::SlaClassNotGranted { class: class.to_string(), tenant: tenant.clone(), granted: usable },
            scope.request.location(pointer),
        )
        .note(c.merged.settings_location(&format!("/egress/slaClasses/{class}/tenants")), "the tenants of the class"),
    );
}

/// The classes `tenant` may ask for.
fn usable<'c>(classes: &'c BTreeMap<String, SlaClass>, tenant: &str) -> Vec<&'c str> {
    classes
        .iter()
        .filter(|(_, k)| k.tenants.as_ref().is_none_or(|t| t.contains(tenant)))
        .map(|(n, _)| n.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::usable;
    use crate::plan::SlaClass;

    #[test]
    fn a_class_with_tenants_is_theirs_and_one_without_is_everyones() {
        let class = |tenants: Option<&[&str]>| SlaClass {
            connection_pool: None,
            outlier_detection: None,
            rate_limit: None,
            tenants: tenants.map(|t| t.iter().map(|t| t.to_string()).collect::<BTreeSet<_>>()),
        };
        let classes = BTreeMap::from([
            ("gold".to_string(), class(Some(&["shop", "payments"]))),
            ("silver".to_string(), class(Some(&[]))),
            ("bronze".to_string(), class(None)),
        ]);
        assert_eq!(usable(&classes, "shop"), ["bronze", "gold"]);
        assert_eq!(usable(&classes, "blog"), ["bronze"]);
    }
}
