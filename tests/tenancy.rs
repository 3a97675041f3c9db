//! Tenancy is a hard boundary (§5), end to end: each test lays down a small valid repository,
//! adds one hostile or conflicting claim, runs `meshedge build environments/prod --root <dir>`
//! and checks the contract: exit status 1, nothing on stdout, the stable code, and the file and
//! line of the claim on stderr. A few tests show what stays allowed.

mod common;

use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

const API: &str = "apiVersion: meshedge.io/v1alpha1";

/// Two ingress gateways (the internal one with a login flow), one egress gateway.
const BASE: &str = r#"apiVersion: meshedge.io/v1alpha1
kind: Layer
metadata:
  name: base
settings:
  mesh:
    flavor: ossm2
    controlPlane:
      namespace: istio-system
      manage: false
  ingress:
    defaultGateway: public
    gateways:
      - name: public
        namespace: istio-ingress
        selector: {istio: ingressgateway}
        domain: apps.example.com
        allowedHosts: ["*.apps.example.com"]
        certificateIssuer: {kind: ClusterIssuer, name: public-ca}
        exposure: route
      - name: internal
        namespace: istio-internal
        selector: {istio: internal-ingressgateway}
        domain: internal.example.com
        allowedHosts: ["*.internal.example.com"]
        certificateIssuer: {kind: ClusterIssuer, name: internal-ca}
        exposure: none
        oidc:
          issuer: https://sso.example.com/realms/corp
          clientId: mesh-internal
          clientSecretRef: {name: oidc-client, key: secret}
          cookieSecretRef: {name: oidc-cookie, key: secret}
  egress:
    defaultGateway: egress
    gateways:
      - name: egress
        namespace: istio-egress
        selector: {istio: egressgateway}
    allowedHosts: ["*.partner.example"]
"#;

/// `payments` calls the partner with its client certificate; its `- host:` is on line 7.
const PARTNER_ITEM: &str = "    - host: api.partner.example\n      port: 443\n      tls: mutual\n      \
                            credentialName: partner-client\n";
const WEB_ITEM: &str = "    - host: shop\n      routes:\n        - {path: /, service: web, port: 8080}\n";

const PROD: &str = "environments/prod/meshedge.yaml";
const SHOP_TENANT: &str = "base/tenants/shop/tenant.yaml";
const SHOP_WEB: &str = "base/tenants/shop/web.yaml";
const PAYMENTS_PARTNER: &str = "base/tenants/payments/partner.yaml";

/// A Tenant; its namespaces are a block list, the `i`-th item on line `7 + i`, column 7.
fn tenant(name: &str, namespaces: &[&str]) -> String {
    let mut text = format!("{API}\nkind: Tenant\nmetadata:\n  name: {name}\n");
    if !namespaces.is_empty() {
        text.push_str("spec:\n  namespaces:\n");
        for namespace in namespaces {
            text.push_str(&format!("    - {namespace}\n"));
        }
    }
    text
}

/// An EdgeRequest; `spec` starts on line 6 (its first list item is on line 7).
fn request(name: &str, spec: &str) -> String {
    format!("{API}\nkind: EdgeRequest\nmetadata:\n  name: {name}\nspec:\n{spec}")
}

fn ingress(name: &str, items: &str) -> String {
    request(name, &format!("  ingress:\n{items}"))
}

fn egress(name: &str, items: &str) -> String {
    request(name, &format!("  egress:\n{items}"))
}

/// An ingress item for `host` (routes to `service`), with `extra` lines after the host.
fn host_item(host: &str, extra: &str, service: &str) -> String {
    format!("    - host: \"{host}\"\n{extra}      routes:\n        - {{path: /, service: {service}, port: 8080}}\n")
}

/// The prod environment over base; `settings` (indented under `settings:`) starts on line 7.
fn prod(settings: &str) -> String {
    format!("{API}\nkind: Environment\nmetadata:\n  name: prod\nbases: [../../base]\nsettings:\n{settings}")
}

struct Repo {
    tmp: TempDir,
}

impl Repo {
    /// The valid repository: tenants `shop` (a public host) and `payments` (mutual TLS to the
    /// partner with its client certificate).
    fn new() -> Repo {
        let repo = Repo { tmp: tempfile::tempdir().expect("temporary directory") };
        repo.write("base/meshedge.yaml", BASE)
            .write(PROD, &prod("  mesh: {}\n"))
            .write(SHOP_TENANT, &tenant("shop", &["shop"]))
            .write(SHOP_WEB, &ingress("web", WEB_ITEM))
            .write("base/tenants/payments/tenant.yaml", &tenant("payments", &["payments"]))
            .write(PAYMENTS_PARTNER, &egress("partner", PARTNER_ITEM));
        repo
    }

    fn root(&self) -> PathBuf {
        self.tmp.path().to_path_buf()
    }

    fn write(&self, path: &str, text: &str) -> &Repo {
        common::write(&self.root(), path, text);
        self
    }

    fn with(self, files: &[(&str, &str)]) -> Repo {
        for (path, text) in files {
            self.write(path, text);
        }
        self
    }

    fn build(&self) -> Output {
        Command::cargo_bin("meshedge")
            .expect("the meshedge binary")
            .args(["build", "environments/prod", "--root"])
            .arg(self.root())
            .output()
            .unwrap()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// Asserts the input-error contract, `error[code]` and every `expected` fragment; returns stderr.
fn assert_input_error(output: &Output, code: &str, expected: &[&str]) -> String {
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "exit status; stderr:\n{stderr}");
    assert!(output.stdout.is_empty(), "stdout must stay empty, got:\n{}", text(&output.stdout));
    assert!(!stderr.contains("panicked"), "{stderr}");
    for fragment in std::iter::once(format!("error[{code}]: ").as_str()).chain(expected.iter().copied()) {
        assert!(stderr.contains(fragment), "expected {fragment:?} in stderr:\n{stderr}");
    }
    stderr
}

/// The valid repository with `files` written over it must fail with `code`.
fn fails(files: &[(&str, &str)], code: &str, expected: &[&str]) -> String {
    assert_input_error(&Repo::new().with(files).build(), code, expected)
}

/// The valid repository with `files` written over it builds; returns stdout.
fn builds(files: &[(&str, &str)]) -> String {
    let output = Repo::new().with(files).build();
    assert_eq!(output.status.code(), Some(0), "stderr:\n{}", text(&output.stderr));
    text(&output.stdout)
}

#[test]
fn the_valid_repository_builds() {
    let out = builds(&[]);
    assert!(out.contains("shop.apps.example.com") && out.contains("credentialName: partner-client"), "{out}");
}

// --- Namespaces -------------------------------------------------------------------------------

#[test]
fn a_tenant_cannot_claim_kube_system() {
    fails(
        &[(SHOP_TENANT, &tenant("shop", &["shop", "kube-system"]))],
        "E440",
        &["tenant `shop` claims namespace `kube-system`, which is reserved", &format!("--> {SHOP_TENANT}:8:7")],
    );
}

#[test]
fn a_tenant_directory_named_kube_system_is_refused() {
    // No Tenant document: the namespace defaults to the directory name.
    let file = "base/tenants/kube-system/web.yaml";
    fails(
        &[(file, &ingress("web", &host_item("ops", "", "web")))],
        "E440",
        &["tenant `kube-system` claims namespace `kube-system`", &format!("--> {file}:4:")],
    );
}

#[test]
fn the_cluster_namespaces_are_reserved() {
    for namespace in ["default", "kube-public", "openshift", "openshift-monitoring"] {
        let stderr = fails(
            &[(SHOP_TENANT, &tenant("shop", &[namespace]))],
            "E440",
            &[&format!("claims namespace `{namespace}`, which is reserved"), &format!("--> {SHOP_TENANT}:7:7")],
        );
        assert!(stderr.contains("belongs to the cluster"), "{stderr}");
    }
}

#[test]
fn a_gateway_namespace_is_reserved() {
    // The ingress gateways' namespaces (where every host's TLS key lives) and the egress gateway's.
    for (namespace, why) in [
        ("istio-ingress", "ingress gateway `public` runs there"),
        ("istio-egress", "egress gateway `egress` runs there"),
    ] {
        fails(
            &[(SHOP_TENANT, &tenant("shop", &["shop", namespace]))],
            "E440",
            &[&format!("namespace `{namespace}`"), why, &format!("--> {SHOP_TENANT}:8:7"), "--> base/meshedge.yaml:"],
        );
    }
}

#[test]
fn the_login_proxy_namespace_is_reserved() {
    fails(
        &[(SHOP_TENANT, &tenant("shop", &["istio-internal"]))],
        "E440",
        &[
            "the login proxy of gateway `internal` runs there",
            &format!("--> {SHOP_TENANT}:7:7"),
            "--> base/meshedge.yaml:",
        ],
    );
}

#[test]
fn the_control_plane_namespace_is_reserved() {
    fails(
        &[(SHOP_TENANT, &tenant("shop", &["istio-system"]))],
        "E440",
        &["the control plane runs there", &format!("--> {SHOP_TENANT}:7:7")],
    );
    // Wherever the environment puts it.
    fails(
        &[
            (PROD, &prod("  mesh:\n    controlPlane: {namespace: mesh-system}\n")),
            (SHOP_TENANT, &tenant("shop", &["shop", "mesh-system"])),
        ],
        "E440",
        &["claims namespace `mesh-system`", "the control plane runs there", &format!("--> {SHOP_TENANT}:8:7")],
    );
}

#[test]
fn reserved_namespaces_of_the_settings_are_globs() {
    let env = prod("  tenants:\n    reservedNamespaces: [\"platform-*\", monitoring]\n");
    for namespace in ["platform-tools", "monitoring"] {
        fails(
            &[(PROD, &env), (SHOP_TENANT, &tenant("shop", &["shop", namespace]))],
            "E440",
            &[&format!("claims namespace `{namespace}`"), "tenants.reservedNamespaces", &format!("--> {PROD}:8:")],
        );
    }
    builds(&[(PROD, &env), (SHOP_TENANT, &tenant("shop", &["shop", "platformer"]))]);
}

#[test]
fn a_namespace_outside_allowed_namespaces() {
    let env = prod("  tenants:\n    allowedNamespaces: [\"team-*\"]\n");
    fails(
        &[(PROD, &env), (SHOP_TENANT, &tenant("shop", &["team-shop", "shop-batch"]))],
        "E441",
        &[
            "claims namespace `shop-batch`, outside `tenants.allowedNamespaces`",
            &format!("--> {SHOP_TENANT}:8:7"),
            "allowed: team-*",
        ],
    );
}

#[test]
fn an_invalid_namespace_pattern() {
    fails(
        &[(PROD, &prod("  tenants:\n    allowedNamespaces: [\"team-[\"]\n"))],
        "E445",
        &["`team-[` in `tenants.allowedNamespaces` is not a valid pattern", &format!("--> {PROD}:8:")],
    );
}

#[test]
fn an_overlay_of_the_tenant_is_located_in_its_own_layer() {
    let overlay = "environments/prod/tenants/shop/tenant.yaml";
    fails(
        &[(overlay, &tenant("shop", &["shop", "openshift-config"]))],
        "E440",
        &["claims namespace `openshift-config`", &format!("--> {overlay}:8:7")],
    );
}

#[test]
fn a_tenant_owns_the_namespace_of_its_own_gateway_but_nobody_else_does() {
    let own = "  ingress:\n    gateways:\n      - {name: payments-edge, namespace: payments, tenant: payments, \
               selector: {istio: payments-edge}, domain: pay.example.com, allowedHosts: [\"*.pay.example.com\"], \
               certificateIssuer: {kind: ClusterIssuer, name: public-ca}}\n";
    builds(&[(PROD, &prod(own))]);
    fails(
        &[(PROD, &prod(own)), (SHOP_TENANT, &tenant("shop", &["shop", "payments"]))],
        "E440",
        &["tenant `shop` claims namespace `payments`", "ingress gateway `payments-edge` runs there"],
    );
    // A login flow on the tenant's own gateway would put the platform's OIDC secrets in its namespace.
    let with_login = own.replace(
        "certificateIssuer: {kind: ClusterIssuer, name: public-ca}}",
        "certificateIssuer: {kind: ClusterIssuer, name: public-ca}, oidc: {issuer: \"https://sso.example.com\", \
         clientId: pay, clientSecretRef: {name: c, key: k}, cookieSecretRef: {name: d, key: k}}}",
    );
    fails(
        &[(PROD, &prod(&with_login))],
        "E440",
        &["tenant `payments` claims namespace `payments`", "the login proxy of gateway `payments-edge`"],
    );
}

#[test]
fn a_request_cannot_name_a_namespace_its_tenant_does_not_own() {
    for namespace in ["kube-system", "istio-ingress", "payments"] {
        let foreign =
            ingress("web", WEB_ITEM).replace("  name: web\n", &format!("  name: web\n  namespace: {namespace}\n"));
        fails(
            &[(SHOP_WEB, &foreign)],
            "E404",
            &[
                &format!("names namespace `{namespace}`, which tenant `shop` does not own"),
                &format!("--> {SHOP_WEB}:5:3"),
            ],
        );
    }
}

// --- Tenant names -----------------------------------------------------------------------------

#[test]
fn a_tenant_directory_must_be_a_dns_label() {
    for name in ["Evil_Tenant", "tënant", "Shop"] {
        let file = format!("base/tenants/{name}/web.yaml");
        let item = host_item(&format!("{}x", name.len()), "", "web");
        let stderr = fails(
            &[(&file, &ingress("web", &item))],
            "E442",
            &[&format!("tenant directory `base/tenants/{name}` is not a DNS-1123 label"), &format!("--> {file}:4:")],
        );
        // The namespace named after the directory is the same fault, reported once.
        assert!(!stderr.contains("E402"), "{stderr}");
    }
}

#[test]
fn a_tenant_name_that_is_no_label_asks_for_the_directory_to_be_renamed() {
    let file = "base/tenants/Evil_Tenant/tenant.yaml";
    let stderr = fails(&[(file, &tenant("evil-tenant", &[]))], "E306", &["rename the directory to `evil-tenant`"]);
    assert!(!stderr.contains("set `metadata.name: Evil_Tenant`"), "{stderr}");
}

#[test]
fn a_namespace_listed_twice_is_named_at_the_second_item() {
    fails(
        &[(SHOP_TENANT, &tenant("shop", &["shop", "shop"]))],
        "E403",
        &[
            "tenant `shop` lists namespace `shop` twice",
            &format!("--> {SHOP_TENANT}:8:7"),
            "help: list each namespace once",
        ],
    );
}

#[cfg(unix)]
#[test]
fn a_newline_in_a_tenant_directory_never_reaches_an_object() {
    let name = "evil\nteam";
    let file = format!("base/tenants/{name}/site.yaml");
    let doc = request("site", &format!("  ingress:\n{}", host_item("evil.apps.prod.example.com", "", "web")));
    let stderr = fails(
        &[(&file, &doc)],
        "E442",
        &[
            "tenant directory `base/tenants/evil\\nteam` is not a DNS-1123 label",
            "--> base/tenants/evil\\nteam/site.yaml:",
        ],
    );
    assert!(!stderr.contains("RoleBinding"), "{stderr}");
    // Every line of the report is a line of the report: the newline is shown, never printed.
    assert!(stderr.lines().all(|l| !l.starts_with("team")), "{stderr}");
}

// --- Secrets ----------------------------------------------------------------------------------

#[test]
fn a_tenant_cannot_present_another_tenants_client_certificate() {
    // The same egress item as payments: one shared ServiceEntry, and blog's traffic would leave
    // with payments' client certificate.
    let blog = "base/tenants/blog/partner.yaml";
    fails(
        &[(blog, &egress("partner", PARTNER_ITEM))],
        "E443",
        &[
            "secret `partner-client` in namespace `istio-egress` is named by request `partner` of tenant `blog` (credentialName) and by request `partner` of tenant `payments` (credentialName)",
            &format!("--> {blog}:10:7"),
            &format!("--> {PAYMENTS_PARTNER}:10:7"),
        ],
    );
}

#[test]
fn a_tenant_cannot_use_another_tenants_client_certificate_for_another_host() {
    let blog = "base/tenants/blog/feed.yaml";
    let item = PARTNER_ITEM.replace("api.partner.example", "feed.partner.example");
    fails(&[(blog, &egress("feed", &item))], "E443", &["secret `partner-client`", &format!("--> {blog}:10:7")]);
}

#[test]
fn an_egress_ca_secret_belongs_to_one_tenant() {
    let payments = PARTNER_ITEM.to_string() + "      caSecret: partner-ca\n";
    let blog = "base/tenants/blog/feed.yaml";
    let item = "    - host: feed.partner.example\n      tls: originate\n      caSecret: partner-ca\n";
    fails(
        &[(PAYMENTS_PARTNER, &egress("partner", &payments)), (blog, &egress("feed", item))],
        "E443",
        &[
            "secret `partner-ca` in namespace `istio-egress`",
            "(caSecret)",
            &format!("--> {blog}:9:7"),
            &format!("--> {PAYMENTS_PARTNER}:11:7"),
        ],
    );
}

#[test]
fn the_same_external_host_with_other_settings_is_refused() {
    // One ServiceEntry and one DestinationRule per host: a second tenant cannot change how it is
    // reached (here: without the client certificate), nor share it with different credentials.
    let blog = "base/tenants/blog/partner.yaml";
    let originate = "    - host: api.partner.example\n      port: 443\n      tls: originate\n";
    fails(
        &[(blog, &egress("partner", originate))],
        "E420",
        &[
            "requests for external host `api.partner.example` disagree on tls, credentialName",
            &format!("--> {PAYMENTS_PARTNER}:7:7"),
        ],
    );
    let other = PARTNER_ITEM.replace("partner-client", "blog-client");
    fails(&[(blog, &egress("partner", &other))], "E420", &["disagree on credentialName"]);
}

#[test]
fn an_ingress_certificate_belongs_to_one_tenant() {
    let legacy = "base/tenants/legacy/web.yaml";
    let shop = host_item("shop", "      credentialName: shared-tls\n", "web");
    let other = host_item("legacy", "      credentialName: shared-tls\n", "web");
    fails(
        &[(SHOP_WEB, &ingress("web", &shop)), (legacy, &ingress("web", &other))],
        "E443",
        &[
            "secret `shared-tls` in namespace `istio-ingress`",
            &format!("--> {legacy}:8:7"),
            &format!("--> {SHOP_WEB}:8:7"),
        ],
    );
}

#[test]
fn a_tenant_cannot_name_the_certificate_issued_for_another_tenants_host() {
    // cert-manager issues `shop-apps-example-com-tls` for shop's host in the gateway's namespace.
    let legacy = "base/tenants/legacy/web.yaml";
    let item = host_item("legacy", "      credentialName: shop-apps-example-com-tls\n", "web");
    fails(
        &[(legacy, &ingress("web", &item))],
        "E443",
        &[
            "secret `shop-apps-example-com-tls` in namespace `istio-ingress` is named by request `web` of tenant `shop` (the certificate issued for its host) and by request `web` of tenant `legacy` (credentialName)",
            &format!("--> {legacy}:8:7"),
            &format!("--> {SHOP_WEB}:7:7"),
        ],
    );
}

#[test]
fn a_client_ca_secret_belongs_to_one_tenant() {
    let legacy = "base/tenants/legacy/web.yaml";
    let mutual = |host: &str| host_item(host, "      tls: mutual\n      clientCASecret: partners-ca\n", "web");
    fails(
        &[(SHOP_WEB, &ingress("web", &mutual("shop"))), (legacy, &ingress("web", &mutual("legacy")))],
        "E443",
        &["secret `partners-ca`", "(clientCASecret)", &format!("--> {SHOP_WEB}:9:7"), &format!("--> {legacy}:9:7")],
    );
}

#[test]
fn the_platforms_oidc_secrets_cannot_be_named() {
    for secret in ["oidc-client", "oidc-cookie"] {
        let item = host_item("shop", &format!("      gateway: internal\n      credentialName: {secret}\n"), "web");
        fails(
            &[(SHOP_WEB, &ingress("web", &item))],
            "E443",
            &[
                &format!(
                    "names secret `{secret}` in namespace `istio-internal` (credentialName), which belongs to the platform"
                ),
                &format!("--> {SHOP_WEB}:9:7"),
            ],
        );
    }
}

#[test]
fn one_tenant_may_reuse_its_secret() {
    // The same tenant naming its secret twice. (Sidecars ignore a DestinationRule
    // `credentialName`, so a `caSecret` with `gateway: none` is refused: E453.)
    let shop = format!(
        "{}{}",
        host_item("shop", "      credentialName: shop-tls\n", "web"),
        host_item("www", "      credentialName: shop-tls\n", "web")
    );
    builds(&[(SHOP_WEB, &ingress("web", &shop))]);
}

// --- Object names -----------------------------------------------------------------------------

#[test]
fn two_hosts_that_would_share_object_names_are_refused() {
    // Names spell `.` as `-`: `x-y.internal…` and `x.y.internal…` would give one Gateway, one
    // VirtualService, one Certificate and one TLS secret. Reported once, at the requests, and not
    // as a secret one tenant took from another.
    let blog = "base/tenants/blog/coll.yaml";
    let first = host_item("x-y.internal.example.com", "      gateway: internal\n", "web");
    let second = host_item("x.y.internal.example.com", "      gateway: internal\n", "web");
    let stderr = fails(
        &[(SHOP_WEB, &ingress("web", &first)), (blog, &ingress("coll", &second))],
        "E447",
        &[
            // Tenants are read in name order: blog's claim comes first.
            "hosts `x.y.internal.example.com` and `x-y.internal.example.com` would give their objects one name, `x-y-internal-example-com`",
            &format!("--> {SHOP_WEB}:7:7"),
            &format!("= note: first claimed here\n --> {blog}:7:7"),
        ],
    );
    assert!(!stderr.contains("E443") && !stderr.contains("E430"), "{stderr}");
}

#[test]
fn a_wildcard_and_the_host_spelt_wildcard_share_object_names() {
    let blog = "base/tenants/blog/coll.yaml";
    let first = host_item("*.team.internal.example.com", "      gateway: internal\n", "web");
    let second = host_item("wildcard.team.internal.example.com", "      gateway: internal\n", "web");
    fails(
        &[(PROD, &wildcards_allowed()), (SHOP_WEB, &ingress("web", &first)), (blog, &ingress("coll", &second))],
        "E447",
        &["would give their objects one name, `wildcard-team-internal-example-com`"],
    );
}

#[test]
fn external_hosts_that_would_share_object_names_are_refused() {
    let blog = "base/tenants/blog/feed.yaml";
    let prod_text = prod("  egress:\n    allowedHosts: [\"*.partner.example\", \"*.example\"]\n");
    let item = "    - host: api-partner.example\n      port: 443\n      tls: originate\n";
    fails(
        &[(PROD, &prod_text), (blog, &egress("feed", item))],
        "E447",
        &["hosts `api-partner.example` and `api.partner.example` would give their objects one name"],
    );
}

// --- Wildcard hosts ---------------------------------------------------------------------------

/// prod with `allowWildcardHosts: true` on the internal gateway.
fn wildcards_allowed() -> String {
    prod("  ingress:\n    gateways:\n      - name: internal\n        allowWildcardHosts: true\n")
}

#[test]
fn a_wildcard_host_needs_a_gateway_that_allows_it() {
    let item = host_item("*.apps.example.com", "", "web");
    fails(
        &[(SHOP_WEB, &ingress("web", &item))],
        "E444",
        &[
            "wildcard host `*.apps.example.com` on gateway `public`, which does not allow wildcard hosts",
            &format!("--> {SHOP_WEB}:7:7"),
        ],
    );
}

#[test]
fn a_star_is_never_a_host() {
    for prod_text in [prod("  mesh: {}\n"), wildcards_allowed()] {
        let item = host_item("*", "      gateway: internal\n", "web");
        fails(
            &[(PROD, &prod_text), (SHOP_WEB, &ingress("web", &item))],
            "E444",
            &["`*` is not a host", &format!("--> {SHOP_WEB}:7:7")],
        );
    }
}

#[test]
fn an_allowed_wildcard_builds_when_nothing_falls_under_it() {
    let item = host_item("*.shop.internal.example.com", "      gateway: internal\n", "web");
    let out = builds(&[(PROD, &wildcards_allowed()), (SHOP_WEB, &ingress("web", &item))]);
    assert!(out.contains("'*.shop.internal.example.com'") || out.contains("\"*.shop.internal.example.com\""), "{out}");
}

#[test]
fn a_wildcard_conflicts_with_every_host_under_it_in_both_directions() {
    let wildcard = host_item("*.internal.example.com", "      gateway: internal\n", "web");
    let concrete = host_item("ops.internal.example.com", "      gateway: internal\n", "web");
    // `alpha` is validated before `zulu`: the later claim is the one located, the earlier noted.
    let (alpha, zulu) = ("base/tenants/alpha/web.yaml", "base/tenants/zulu/web.yaml");
    for (first, second) in [(&wildcard, &concrete), (&concrete, &wildcard)] {
        fails(
            &[(PROD, &wildcards_allowed()), (alpha, &ingress("web", first)), (zulu, &ingress("web", second))],
            "E401",
            &[
                "wildcard host `*.internal.example.com` covers host `ops.internal.example.com`",
                "request `web` of tenant `alpha` and by request `web` of tenant `zulu`",
                &format!("--> {zulu}:7:7"),
                &format!("--> {alpha}:7:7"),
            ],
        );
    }
}

#[test]
fn a_wildcard_conflicts_with_its_own_tenants_hosts_and_narrower_wildcards() {
    let both = format!(
        "{}{}",
        host_item("*.internal.example.com", "      gateway: internal\n", "web"),
        host_item("*.team.internal.example.com", "      gateway: internal\n", "web")
    );
    fails(
        &[(PROD, &wildcards_allowed()), (SHOP_WEB, &ingress("web", &both))],
        "E401",
        &[
            "wildcard host `*.internal.example.com` covers host `*.team.internal.example.com`",
            "tenant `shop` and by request `web` of tenant `shop`",
            &format!("--> {SHOP_WEB}:11:7"),
            &format!("--> {SHOP_WEB}:7:7"),
        ],
    );
}

#[test]
fn a_wildcard_covers_hosts_on_other_gateways_too() {
    // Like an exact duplicate (E401), the overlap counts across gateways.
    let env = prod(
        "  ingress:\n    gateways:\n      - name: internal\n        allowWildcardHosts: true\n        \
         allowedHosts: [\"*.internal.example.com\", \"*.example.com\"]\n",
    );
    let item = host_item("*.example.com", "      gateway: internal\n", "web");
    fails(
        &[(PROD, &env), ("base/tenants/zulu/web.yaml", &ingress("web", &item))],
        "E401",
        &["wildcard host `*.example.com` covers host `shop.apps.example.com`"],
    );
}

#[test]
fn wildcard_hosts_cannot_be_exposed_through_routes() {
    let env = prod("  ingress:\n    gateways:\n      - name: public\n        allowWildcardHosts: true\n");
    fails(
        &[(PROD, &env)],
        "E446",
        &["gateway `public` allows wildcard hosts but is exposed through OpenShift Routes", &format!("--> {PROD}:10:")],
    );
}

#[test]
fn an_external_host_is_never_a_wildcard() {
    let item = "    - host: \"*.partner.example\"\n      tls: originate\n";
    let file = "base/tenants/shop/partners.yaml";
    fails(
        &[(file, &egress("partners", item))],
        "E110",
        &["`*.partner.example` is not a valid external host", &format!("--> {file}:7:7")],
    );
}

#[test]
fn secrets_of_the_platforms_resources_cannot_be_named() {
    let resources = "base/resources/platform.yaml";
    let plain = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: wildcard-tls\n  namespace: istio-ingress\n\
                 ---\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: mesh-client\n  \
                 namespace: istio-egress\nspec:\n  secretName: mesh-client-tls\n  issuerRef: {name: ca, kind: ClusterIssuer}\n\
                 ---\napiVersion: v1\nkind: List\nmetadata:\n  name: more\nitems:\n  - apiVersion: v1\n    kind: Secret\n    \
                 metadata:\n      name: listed-ca\n      namespace: istio-egress\n";
    // An ingress credentialName naming the platform's Secret.
    let item = host_item("shop", "      credentialName: wildcard-tls\n", "web");
    fails(
        &[(resources, plain), (SHOP_WEB, &ingress("web", &item))],
        "E443",
        &[
            "names secret `wildcard-tls` in namespace `istio-ingress` (credentialName), which belongs to the platform",
            &format!("a Secret declared in `{resources}`"),
            &format!("--> {SHOP_WEB}:8:7"),
            &format!("--> {resources}:4:3"),
        ],
    );
    // An egress credentialName naming the secret of the platform's Certificate.
    let partner = PARTNER_ITEM.replace("partner-client", "mesh-client-tls");
    fails(
        &[(resources, plain), (PAYMENTS_PARTNER, &egress("partner", &partner))],
        "E443",
        &["names secret `mesh-client-tls` in namespace `istio-egress`", "Certificate `mesh-client`"],
    );
    // A Secret that is an item of a List; an egress caSecret.
    let partner = PARTNER_ITEM
        .replace("credentialName: partner-client", "credentialName: partner-client\n      caSecret: listed-ca");
    fails(
        &[(resources, plain), (PAYMENTS_PARTNER, &egress("partner", &partner))],
        "E443",
        &["names secret `listed-ca` in namespace `istio-egress` (caSecret), which belongs to the platform"],
    );
    // The same names in another namespace are the tenant's to use.
    let plain_elsewhere = plain.replace("istio-ingress", "platform").replace("istio-egress", "platform");
    builds(&[(resources, &plain_elsewhere), (SHOP_WEB, &ingress("web", &item))]);
}

#[test]
fn an_excluded_tenant_keeps_its_namespaces_and_secrets() {
    let excluded = prod("  tenants:\n    exclude: [legacy]\n");
    let legacy = [
        ("base/tenants/legacy/tenant.yaml", tenant("legacy", &["legacy"])),
        (
            "base/tenants/legacy/web.yaml",
            ingress("web", &host_item("legacy", "      credentialName: legacy-tls\n", "web")),
        ),
    ];
    let blog_tenant = "base/tenants/blog/tenant.yaml";
    let blog_web = "base/tenants/blog/web.yaml";
    let with = |extra: &[(&'static str, String)]| -> Vec<(&'static str, String)> {
        let mut files = vec![(PROD, excluded.clone())];
        files.extend(legacy.iter().map(|(p, t)| (*p, t.clone())));
        files.extend(extra.iter().cloned());
        files
    };
    let run = |files: Vec<(&'static str, String)>| {
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
        Repo::new().with(&files).build()
    };
    // Its namespace.
    let output = run(with(&[(blog_tenant, tenant("blog", &["blog", "legacy"]))]));
    assert_input_error(
        &output,
        "E403",
        &["namespace `legacy` belongs to both tenant `legacy` and tenant `blog`", &format!("--> {blog_tenant}:8:7")],
    );
    // The namespaces named for it.
    let output = run(with(&[(blog_tenant, tenant("blog", &["blog", "legacy-archive"]))]));
    assert_input_error(
        &output,
        "E436",
        &[
            "namespace `legacy-archive`, which is named for tenant `legacy`",
            &format!("--> {blog_tenant}:8:7"),
            "tenant `legacy` is excluded here and keeps its name",
        ],
    );
    // Its secret.
    let blog = host_item("blog", "      credentialName: legacy-tls\n", "web");
    let output = run(with(&[(blog_tenant, tenant("blog", &["blog"])), (blog_web, ingress("web", &blog))]));
    assert_input_error(
        &output,
        "E443",
        &[
            "secret `legacy-tls` in namespace `istio-ingress` is named by request `web` of tenant `legacy`",
            &format!("--> {blog_web}:8:7"),
        ],
    );
    // Nothing of the excluded tenant is built, and the rest builds.
    let output = run(with(&[(blog_tenant, tenant("blog", &["blog"]))]));
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(!text(&output.stdout).contains("legacy"));
}

// --- What belongs to a tenant by its name and its hosts ---------------------------------------

const PAYMENTS_TENANT: &str = "base/tenants/payments/tenant.yaml";

#[test]
fn a_namespace_named_for_another_tenant_is_refused_whatever_the_patterns_allow() {
    // `shop-*` is allowed for everyone, but `shop-payments` is named for tenant shop: payments
    // would get the tenant Role there.
    let env = prod("  tenants:\n    allowedNamespaces: [payments, shop, \"shop-*\"]\n");
    let stderr = fails(
        &[(PROD, &env), (PAYMENTS_TENANT, &tenant("payments", &["payments", "shop-payments"]))],
        "E436",
        &[
            "tenant `payments` claims namespace `shop-payments`, which is named for tenant `shop`",
            &format!("--> {PAYMENTS_TENANT}:8:7"),
            &format!("--> {SHOP_TENANT}:4:"),
            "help: namespaces `shop` and `shop-*` are tenant `shop`'s",
        ],
    );
    assert!(!stderr.contains("E441"), "{stderr}");
    // A namespace named for nobody stays the patterns' business.
    builds(&[(PAYMENTS_TENANT, &tenant("payments", &["payments", "billing"]))]);
}

#[test]
fn the_longest_tenant_name_owns_a_namespace() {
    let admin = "base/tenants/shop-admin/tenant.yaml";
    let admin_tenant = tenant("shop-admin", &["shop-admin", "shop-admin-jobs"]);
    builds(&[(admin, &admin_tenant)]);
    fails(
        &[
            (admin, &tenant("shop-admin", &["shop-admin"])),
            (SHOP_TENANT, &tenant("shop", &["shop", "shop-admin-jobs"])),
        ],
        "E436",
        &["namespace `shop-admin-jobs`, which is named for tenant `shop-admin`", &format!("--> {admin}:4:")],
    );
}

#[test]
fn a_namespace_listed_by_two_tenants_names_both_tenant_files() {
    fails(
        &[(PAYMENTS_TENANT, &tenant("payments", &["payments", "shop"]))],
        "E403",
        &[
            "namespace `shop` belongs to both tenant `payments` and tenant `shop`",
            &format!("--> {PAYMENTS_TENANT}:8:7"),
            &format!("--> {SHOP_TENANT}:7:7"),
        ],
    );
}

#[test]
fn allowed_namespace_patterns_can_be_each_tenants_own() {
    let env = prod("  tenants:\n    allowedNamespaces: [\"{tenant}\", \"{tenant}-*\"]\n");
    builds(&[(PROD, &env), (SHOP_TENANT, &tenant("shop", &["shop", "shop-batch"]))]);
    fails(
        &[(PROD, &env), (PAYMENTS_TENANT, &tenant("payments", &["payments", "billing"]))],
        "E441",
        &["tenant `payments` claims namespace `billing`, outside `tenants.allowedNamespaces`", "allowed: {tenant}"],
    );
    fails(
        &[(PROD, &prod("  tenants:\n    allowedNamespaces: [\"{team}-*\"]\n"))],
        "E445",
        &["`{team}-*` in `tenants.allowedNamespaces` is not a valid pattern"],
    );
}

/// Payments' request claiming `host` on `gateway` (`- host:` on line 7, column 7).
fn payments_host(host: &str, gateway: &str) -> (&'static str, String) {
    (
        "base/tenants/payments/site.yaml",
        ingress("site", &host_item(host, &format!("      gateway: {gateway}\n"), "web")),
    )
}

#[test]
fn a_host_under_another_tenants_host_is_refused() {
    let (file, site) = payments_host("x.shop.apps.example.com", "public");
    fails(
        &[(file, &site)],
        "E437",
        &[
            "host `x.shop.apps.example.com` of tenant `payments` is under host `shop.apps.example.com` of tenant `shop`",
            &format!("--> {file}:7:7"),
            &format!("--> {SHOP_WEB}:7:7"),
            "settings.tenants.allowHostsUnder",
        ],
    );
    // Deeper too, and the tenant's own hosts nest freely.
    let (_, deeper) = payments_host("a.b.shop.apps.example.com", "public");
    fails(&[(file, &deeper)], "E437", &["under host `shop.apps.example.com`"]);
    let own = ingress("web", &(WEB_ITEM.to_string() + &host_item("api.shop.apps.example.com", "", "api")));
    builds(&[(SHOP_WEB, &own)]);
    // The platform may open a host to other tenants.
    let open = prod("  tenants:\n    allowHostsUnder: [shop.apps.example.com]\n");
    builds(&[(PROD, &open), (file, &site)]);
}

#[test]
fn a_wildcard_under_another_tenants_host_is_refused() {
    let wildcards = prod("  ingress:\n    gateways:\n      - {name: internal, allowWildcardHosts: true}\n");
    let shop = ingress("web", &host_item("shop.internal.example.com", "      gateway: internal\n", "web"));
    let (file, site) = payments_host("*.shop.internal.example.com", "internal");
    fails(
        &[(PROD, &wildcards), (SHOP_WEB, &shop), (file, &site)],
        "E437",
        &["host `*.shop.internal.example.com` of tenant `payments` is under host `shop.internal.example.com`"],
    );
}

/// Gold for shop only; payments asks for `classes` on its partner host.
fn sla_env(gold: &str) -> String {
    prod(&format!(
        "  egress:\n    slaClasses:\n      - {{name: gold, connectionPool: {{tcp: {{maxConnections: 10}}}}{gold}}}\n      \
         - {{name: bronze, connectionPool: {{tcp: {{maxConnections: 1}}}}}}\n    defaultSlaClass: bronze\n"
    ))
}

#[test]
fn a_tenant_cannot_take_an_sla_class_it_is_not_given() {
    let env = sla_env(", tenants: [shop]");
    let partner = egress("partner", &(PARTNER_ITEM.to_string() + "      slaClasses: [gold]\n"));
    fails(
        &[(PROD, &env), (PAYMENTS_PARTNER, &partner)],
        "E438",
        &[
            "tenant `payments` may not use SLA class `gold`",
            &format!("--> {PAYMENTS_PARTNER}:11:20"),
            &format!("--> {PROD}:"),
            "use a class the tenant may use: bronze",
        ],
    );
    // Nor stamp it on its ingress hosts.
    let (file, site) = payments_host("pay.apps.example.com", "public");
    let site = site.replace("      gateway: public\n", "      gateway: public\n      slaClass: gold\n");
    fails(&[(PROD, &env), (file, &site)], "E438", &["tenant `payments` may not use SLA class `gold`"]);
    // Granted, it builds.
    builds(&[(PROD, &sla_env(", tenants: [shop, payments]")), (PAYMENTS_PARTNER, &partner)]);
}

#[test]
fn sla_class_tenants_are_checked() {
    let env = sla_env(", tenants: [shpo]");
    fails(&[(PROD, &env)], "E483", &["SLA class `gold` names unknown tenant `shpo`", &format!("--> {PROD}:")]);
    let env = sla_env("")
        .replace("defaultSlaClass: bronze", "defaultSlaClass: gold")
        .replace("maxConnections: 10}}", "maxConnections: 10}}, tenants: [shop]");
    fails(&[(PROD, &env)], "E482", &["the default SLA class `gold` is limited to some tenants"]);
}
