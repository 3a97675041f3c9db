//! Tenancy: the rules of §5 that make a tenant a hard boundary.
//!
//! - **Names.** A tenant directory name is a DNS-1123 label: it becomes a namespace, a label
//!   value and the RBAC group `<tenant>-team`.
//! - **Namespaces.** A tenant never owns a reserved namespace: `default`, `kube-*`, `openshift`,
//!   `openshift-*`, the control plane's namespace, the namespace of every gateway (ingress and
//!   egress) other than a gateway the tenant owns itself, the namespace of a login proxy (it holds
//!   the platform's OIDC client and cookie secrets, so even a tenant-owned gateway with `oidc`
//!   reserves its namespace), and `settings.tenants.reservedNamespaces`. Every tenant namespace
//!   matches `settings.tenants.allowedNamespaces` (default `["*"]`). Patterns are shell globs;
//!   in `allowedNamespaces`, `{tenant}` stands for the tenant's own name. A namespace named for
//!   another tenant is that tenant's whatever the patterns say (see `ownership`).
//! - **Secrets.** A secret that a request makes a gateway read (ingress `credentialName`, or the
//!   secret cert-manager issues for the host; `clientCASecret`; egress `credentialName` and
//!   `caSecret`) belongs to one tenant, keyed by the namespace it is read in: the gateway's
//!   (for `gateway: none`, the requester's own, where sidecars read it). The OIDC secrets of a
//!   gateway's login flow belong to the platform.
//! - **Hosts.** A request host is a concrete name unless its ingress gateway sets
//!   `allowWildcardHosts: true`; `*` alone is never a host; an external (egress) host is always
//!   concrete. A wildcard host conflicts (E401) with every claimed host it covers, whoever claims
//!   it and in whichever order, the same tenant and the same request included.
//!
//! Every finding names the file and line of the claim at fault.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostics, Explain};
use crate::input::Exposure;
use crate::merge::Merged;
use crate::plan::{EgressGateway, IngressGateway, MeshPlan};
use crate::validate::error::RequestError;
use crate::validate::ownership::{self, namespace_location, tenant_location};
use crate::values::is_dns_label;

/// Namespaces of the cluster itself, never a tenant's (Kubernetes' `default` and `kube-*`,
/// OpenShift's `openshift` and `openshift-*`).
pub(crate) const BUILT_IN_RESERVED: [&str; 4] = ["default", "kube-*", "openshift", "openshift-*"];

/// A name as it may be shown in one line of a message: control characters escaped.
fn shown(name: &str) -> String {
    name.chars().flat_map(char::escape_debug).collect()
}

/// The tenant rules that need only the merged environment and its gateways: directory names
/// (E442), reserved (E440) and allowed (E441) namespaces, namespace patterns (E445), and the
/// wildcard setting of gateways (E446).
pub(crate) fn check_environment(
    merged: &Merged,
    mesh: &MeshPlan,
    ingress: &BTreeMap<String, IngressGateway>,
    egress: &BTreeMap<String, EgressGateway>,
    out: &mut Diagnostics,
) {
    for gateway in ingress.values() {
        check_wildcard_setting(merged, gateway, out);
    }
    let settings = merged.settings.tenants.clone().unwrap_or_default();
    let allowed = patterns(merged, "allowedNamespaces", settings.allowed_namespaces.as_deref(), out);
    let allowed = allowed.unwrap_or_else(|| vec![("*".to_string(), glob::Pattern::new("*").ok())]);
    let extra = patterns(merged, "reservedNamespaces", settings.reserved_namespaces.as_deref(), out);
    let reservations = reservations(mesh, ingress, egress, extra.unwrap_or_default());
    let names = ownership::TenantNames::new(merged);
    for tenant in merged.tenants.values() {
        if !is_dns_label(&tenant.name) {
            let location = tenant_location(tenant);
            let dir = tenant_dir(&location.file, &tenant.name);
            out.push(RequestError::TenantDirectoryName { dir: shown(&dir) }.at(location));
        }
        for (index, namespace) in tenant.namespaces.iter().enumerate() {
            // A name that is no namespace at all is E402 already.
            if !is_dns_label(namespace) {
                continue;
            }
            if let Some(reserved) = reservations.iter().find(|r| r.holds(namespace, &tenant.name)) {
                let mut d = RequestError::ReservedNamespace {
                    tenant: shown(&tenant.name),
                    namespace: namespace.clone(),
                    why: reserved.why.clone(),
                }
                .at(namespace_location(tenant, index));
                if let Some(path) = &reserved.at {
                    d = d.note(merged.settings_location(path), "reserved here");
                }
                out.push(d);
                continue;
            }
            if names.report_foreign(merged, tenant, index, out) {
                continue;
            }
            if !allowed.iter().any(|(text, p)| allows(text, p.as_ref(), &tenant.name, namespace)) {
                let list: Vec<&str> = allowed.iter().map(|(text, _)| text.as_str()).collect();
                let list = if list.is_empty() { "none".to_string() } else { list.join(", ") };
                out.push(
                    RequestError::NamespaceNotAllowed { tenant: shown(&tenant.name), namespace: namespace.clone() }
                        .at(namespace_location(tenant, index))
                        .note(merged.settings_location("/tenants/allowedNamespaces"), format!("allowed: {list}")),
                );
            }
        }
    }
}

/// `allowWildcardHosts` on a gateway that OpenShift Routes expose: a Route's `spec.host` must be
/// a DNS-1123 subdomain, so no Route can carry `*.team.apps.example.com` (openshift/library-go,
/// `pkg/route/validation/validation.go`, `validateRoute`, release-4.14 to master: "host must
/// conform to DNS 952 subdomain conventions").
fn check_wildcard_setting(merged: &Merged, gateway: &IngressGateway, out: &mut Diagnostics) {
    if gateway.allow_wildcard_hosts && gateway.exposure == Exposure::Route {
        out.push(
            RequestError::WildcardHostsOnRoutes { gateway: gateway.name.clone() }
                .at(merged.settings_location(&format!("/ingress/gateways/{}/allowWildcardHosts", gateway.name)))
                .note(
                    merged.settings_location(&format!("/ingress/gateways/{}/exposure", gateway.name)),
                    "exposed here",
                ),
        );
    }
}

/// The placeholder of an `allowedNamespaces` pattern that stands for the tenant's own name.
pub(crate) const TENANT_PLACEHOLDER: &str = "{tenant}";

/// Whether the `allowedNamespaces` pattern `text` (compiled as `pattern`) lets `tenant` own
/// `namespace`: a pattern with `{tenant}` is compiled with the tenant's name in its place.
fn allows(text: &str, pattern: Option<&glob::Pattern>, tenant: &str, namespace: &str) -> bool {
    if pattern.is_none() {
        return false;
    }
    if !text.contains(TENANT_PLACEHOLDER) {
        return pattern.is_some_and(|p| p.matches(namespace));
    }
    let own = text.replace(TENANT_PLACEHOLDER, &glob::Pattern::escape(tenant));
    glob::Pattern::new(&own).is_ok_and(|p| p.matches(namespace))
}

/// The patterns of a `settings.tenants` list, each with its compiled form (`None` if invalid,
/// reported as E445); `None` when the setting is absent. In `allowedNamespaces`, `{tenant}`
/// stands for the name of the tenant whose namespace is checked (compiled here with a name in
/// its place, to check the rest of the pattern).
fn patterns(
    merged: &Merged,
    field: &str,
    list: Option<&[String]>,
    out: &mut Diagnostics,
) -> Option<Vec<(String, Option<glob::Pattern>)>> {
    let list = list?;
    let mut compiled = Vec::with_capacity(list.len());
    for (index, text) in list.iter().enumerate() {
        let pattern = if field == "allowedNamespaces" {
            namespace_pattern(&text.replace(TENANT_PLACEHOLDER, "t"))
        } else {
            namespace_pattern(text)
        };
        if let Err(reason) = &pattern {
            out.push(
                RequestError::InvalidPattern { pattern: shown(text), field: field.to_string(), reason: reason.clone() }
                    .at(merged.settings_location(&format!("/tenants/{field}/{index}"))),
            );
        }
        compiled.push((text.clone(), pattern.ok()));
    }
    Some(compiled)
}

/// A glob over namespace names: `*`, `?`, classes `[a-z0-9]` (`[!…]` negated), and the
/// characters of a namespace name. A pattern that could never match a namespace (an upper-case
/// letter, a `_`, an empty range such as `[z-a]`) is refused rather than silently matching
/// nothing.
fn namespace_pattern(text: &str) -> Result<glob::Pattern, String> {
    let mut in_class = false;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '-' if in_class && i > 0 && chars[i - 1] != '[' && chars.get(i + 1).is_some_and(|&n| n != ']') => {
                let (low, high) = (chars[i - 1], chars[i + 1]);
                if low > high {
                    return Err(format!("the range `{low}-{high}` is empty"));
                }
            }
            '*' | '?' if !in_class => {}
            '!' | '^' if in_class => {}
            c if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' => {}
            c => {
                return Err(format!(
                    "`{}` cannot be in a namespace name: namespaces are lower-case letters, digits and `-`",
                    c.escape_default()
                ));
            }
        }
    }
    if in_class {
        return Err("a `[` is not closed by `]`".to_string());
    }
    glob::Pattern::new(text).map_err(|e| e.msg.to_string())
}

/// A namespace no tenant may own, and why.
struct Reservation {
    pattern: Option<glob::Pattern>,
    exact: Option<String>,
    /// The tenant for whom it is not reserved (the owner of a gateway running there).
    except: Option<String>,
    why: String,
    /// The setting that reserves it (a pointer below `settings`), located only when reported.
    at: Option<String>,
}

impl Reservation {
    fn holds(&self, namespace: &str, tenant: &str) -> bool {
        if self.except.as_deref() == Some(tenant) {
            return false;
        }
        self.exact.as_deref() == Some(namespace) || self.pattern.as_ref().is_some_and(|p| p.matches(namespace))
    }

    fn exact(namespace: &str, why: String, at: String) -> Self {
        Reservation { pattern: None, exact: Some(namespace.to_string()), except: None, why, at: Some(at) }
    }
}

fn reservations(
    mesh: &MeshPlan,
    ingress: &BTreeMap<String, IngressGateway>,
    egress: &BTreeMap<String, EgressGateway>,
    extra: Vec<(String, Option<glob::Pattern>)>,
) -> Vec<Reservation> {
    let mut out: Vec<Reservation> = BUILT_IN_RESERVED
        .iter()
        .map(|p| Reservation {
            pattern: glob::Pattern::new(p).ok(),
            exact: None,
            except: None,
            why: format!("`{p}` belongs to the cluster"),
            at: None,
        })
        .collect();
    out.push(Reservation::exact(
        &mesh.control_plane_namespace,
        "the control plane runs there".into(),
        "/mesh/controlPlane/namespace".into(),
    ));
    for gateway in ingress.values() {
        let path = format!("/ingress/gateways/{}", gateway.name);
        // The login proxy holds the platform's OIDC secrets: reserved even for a gateway's owner.
        if gateway.oidc.is_some() {
            out.push(Reservation::exact(
                &gateway.namespace,
                format!("the login proxy of gateway `{}` runs there, with the platform's OIDC secrets", gateway.name),
                format!("{path}/oidc"),
            ));
        }
        out.push(Reservation {
            except: gateway.tenant.clone(),
            ..Reservation::exact(
                &gateway.namespace,
                format!("ingress gateway `{}` runs there", gateway.name),
                format!("{path}/namespace"),
            )
        });
    }
    for gateway in egress.values() {
        out.push(Reservation::exact(
            &gateway.namespace,
            format!("egress gateway `{}` runs there", gateway.name),
            format!("/egress/gateways/{}/namespace", gateway.name),
        ));
    }
    for (text, pattern) in extra {
        out.push(Reservation {
            pattern,
            exact: None,
            except: None,
            why: format!("`tenants.reservedNamespaces` lists `{}`", shown(&text)),
            at: Some("/tenants/reservedNamespaces".into()),
        });
    }
    out
}

/// The tenant directory a file lies in (`base/tenants/shop`).
fn tenant_dir(file: &str, tenant: &str) -> String {
    let marker = format!("tenants/{tenant}/");
    let start = if file.starts_with(&marker) { Some(0) } else { file.find(&format!("/{marker}")).map(|i| i + 1) };
    match start {
        Some(i) => file[..i + marker.len() - 1].to_string(),
        None => format!("tenants/{tenant}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_that_could_match_no_namespace_are_refused() {
        for (text, reason) in [
            ("SHOP", "`S` cannot be in a namespace name"),
            ("team_*", "`_` cannot be in a namespace name"),
            ("[z-a]", "the range `z-a` is empty"),
            ("mon[itoring", "a `[` is not closed by `]`"),
        ] {
            let e = namespace_pattern(text).expect_err(text);
            assert!(e.starts_with(reason), "{text}: {e}");
        }
        for text in ["*", "team-*", "t?am", "[a-c]x", "[!k]*", "a-[0-9]"] {
            assert!(namespace_pattern(text).is_ok(), "{text}");
        }
        assert!(namespace_pattern("[a-c]x").unwrap().matches("bx"));
    }

    #[test]
    fn a_tenant_placeholder_makes_a_pattern_each_tenants_own() {
        let allowed = |text: &str, tenant: &str, namespace: &str| {
            let compiled = namespace_pattern(&text.replace(TENANT_PLACEHOLDER, "t")).ok();
            allows(text, compiled.as_ref(), tenant, namespace)
        };
        assert!(allowed("{tenant}-*", "shop", "shop-batch"));
        assert!(!allowed("{tenant}-*", "blog", "shop-batch"));
        assert!(allowed("{tenant}", "blog", "blog"));
        assert!(allowed("team-{tenant}", "blog", "team-blog"));
        assert!(!allowed("team-{tenant}", "blog", "team-shop"));
        assert!(allowed("shop-*", "blog", "shop-batch"), "a pattern without the placeholder is everyone's");
        // A tenant name is matched as written, never as a pattern.
        assert!(!allowed("{tenant}", "a*", "ab"));
        assert!(namespace_pattern(&"{team}-*".replace(TENANT_PLACEHOLDER, "t")).is_err());
    }

    #[test]
    fn tenant_directories_are_found_in_their_layer() {
        assert_eq!(tenant_dir("base/tenants/shop/web.yaml", "shop"), "base/tenants/shop");
        assert_eq!(tenant_dir("tenants/shop/x/web.yaml", "shop"), "tenants/shop");
        assert_eq!(
            tenant_dir("environments/prod/tenants/Evil_Tenant/a.yaml", "Evil_Tenant"),
            "environments/prod/tenants/Evil_Tenant"
        );
        assert_eq!(tenant_dir("elsewhere.yaml", "shop"), "tenants/shop");
        assert_eq!(shown("a\nb"), "a\\nb");
    }

    #[test]
    fn built_in_reservations_are_globs() {
        let matches = |namespace: &str| {
            BUILT_IN_RESERVED.iter().any(|p| glob::Pattern::new(p).is_ok_and(|p| p.matches(namespace)))
        };
        for reserved in ["default", "kube-system", "kube-public", "kube-node-lease", "openshift", "openshift-dns"] {
            assert!(matches(reserved), "{reserved}");
        }
        for free in ["shop", "kube", "openshifty", "defaults", "my-kube-system"] {
            assert!(!matches(free), "{free}");
        }
    }

    proptest::proptest! {
        /// Whatever a layer writes as a namespace pattern is compiled or refused, never a panic.
        #[test]
        fn any_pattern_compiles_or_is_refused(text in "[\\[\\]*?!a-z^-]{0,10}", namespace in "[a-z0-9-]{1,12}") {
            if let Ok(pattern) = glob::Pattern::new(&text) {
                let _ = pattern.matches(&namespace);
            }
        }
    }

    #[test]
    fn names_are_dns_labels() {
        assert!(is_dns_label("shop-2"));
        for bad in ["Shop", "Evil_Tenant", "tënant", "a\nb", "-a", "a-", "", &"a".repeat(64)] {
            assert!(!is_dns_label(bad), "{bad:?}");
        }
    }
}
