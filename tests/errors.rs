//! Errors in the input, end to end: each test lays down a small valid repository in a temporary
//! directory, breaks one file, runs `meshedge build environments/prod --root <dir>` and checks
//! the contract of §5/§6: exit status 1, nothing on stdout, and a diagnostic on stderr with its
//! stable code, the repo-relative file and (where there is one) `--> file:line:col`.
//! The last test feeds mutated copies of the example repository to the library and checks that
//! no input makes it panic.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use common::write_file;
use tempfile::TempDir;

const API: &str = "apiVersion: meshedge.io/v1alpha1";

const BASE: &str = r#"apiVersion: meshedge.io/v1alpha1
kind: Layer
metadata:
  name: base
settings:
  mesh:
    flavor: ossm2
    controlPlane:
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
  egress:
    defaultGateway: egress
    gateways:
      - name: egress
        namespace: istio-egress
        selector: {istio: egressgateway}
    allowedHosts: [api.partner.example]
    slaClasses:
      - name: gold
        connectionPool: {tcp: {maxConnections: 100}}
      - name: bronze
        connectionPool: {tcp: {maxConnections: 5}}
    defaultSlaClass: bronze
"#;

const TENANT: &str =
    "apiVersion: meshedge.io/v1alpha1\nkind: Tenant\nmetadata:\n  name: shop\nspec:\n  namespaces: [shop]\n";

/// The valid ingress item of `base/tenants/shop/web.yaml`; its `- host:` is on line 7.
const WEB_ITEM: &str = "    - host: shop\n      routes:\n        - {path: /, service: web, port: 8080}\n";

/// The valid egress item of `base/tenants/shop/partner.yaml`; its `- host:` is on line 7.
const PARTNER_ITEM: &str =
    "    - host: api.partner.example\n      port: 443\n      tls: mutual\n      credentialName: partner-client\n";

const WEB: &str = "base/tenants/shop/web.yaml";
const PARTNER: &str = "base/tenants/shop/partner.yaml";
const PROD: &str = "environments/prod/meshedge.yaml";

/// A layer manifest; `rest` (bases, settings, patches) starts on line 5.
fn layer(kind: &str, name: &str, rest: &str) -> String {
    format!("{API}\nkind: {kind}\nmetadata:\n  name: {name}\n{rest}")
}

/// The prod environment over base; `rest` (settings, patches) starts on line 6.
fn prod(rest: &str) -> String {
    layer("Environment", "prod", &format!("bases: [../../base]\n{rest}"))
}

/// An EdgeRequest; `spec` starts on line 6 (so its first list item is on line 7).
fn request(name: &str, spec: &str) -> String {
    format!("{API}\nkind: EdgeRequest\nmetadata:\n  name: {name}\nspec:\n{spec}")
}

fn ingress(name: &str, items: &str) -> String {
    request(name, &format!("  ingress:\n{items}"))
}

fn egress(name: &str, items: &str) -> String {
    request(name, &format!("  egress:\n{items}"))
}

/// A repository under `<tmp>/repo`, so that `<tmp>` can hold files outside the root.
struct Repo {
    tmp: TempDir,
}

impl Repo {
    /// The minimal valid repository: base layer, prod environment, tenant `shop` with one
    /// ingress and one egress request.
    fn new() -> Repo {
        let repo = Repo { tmp: tempfile::tempdir().expect("temporary directory") };
        repo.write("base/meshedge.yaml", BASE)
            .write(PROD, &prod(""))
            .write("base/tenants/shop/tenant.yaml", TENANT)
            .write(WEB, &ingress("web", WEB_ITEM))
            .write(PARTNER, &egress("partner", PARTNER_ITEM));
        repo
    }

    fn root(&self) -> PathBuf {
        self.tmp.path().join("repo")
    }

    /// Writes `text` at `path` relative to the root (`../` reaches outside it).
    fn write(&self, path: &str, text: &str) -> &Repo {
        write_file(&self.root().join(path), text);
        self
    }

    fn with(self, files: &[(&str, &str)]) -> Repo {
        for (path, text) in files {
            self.write(path, text);
        }
        self
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::cargo_bin("meshedge")
            .expect("the meshedge binary")
            .args(args)
            .arg("--root")
            .arg(self.root())
            .output()
            .unwrap()
    }

    fn build(&self) -> Output {
        self.run(&["build", "environments/prod"])
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// Asserts the input-error contract and that stderr holds `error[code]` and every `expected`
/// fragment; returns stderr.
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

/// The minimal repository with `files` written over it must fail with `code`.
fn fails(files: &[(&str, &str)], code: &str, expected: &[&str]) -> String {
    assert_input_error(&Repo::new().with(files).build(), code, expected)
}

#[test]
fn the_minimal_repository_builds() {
    let output = Repo::new().build();
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "stderr:\n{}", text(&output.stderr));
    assert!(!text(&output.stderr).contains("error"), "{}", text(&output.stderr));
    for expected in ["kind: Gateway", "shop.apps.example.com", "kind: ServiceEntry", "api.partner.example"] {
        assert!(stdout.contains(expected), "expected {expected:?} in:\n{stdout}");
    }
}

#[test]
fn malformed_yaml() {
    let broken = format!("{API}\nkind: EdgeRequest\nmetadata:\n  name: web\n namespace: shop\n");
    fails(&[(WEB, &broken)], "E101", &["malformed YAML", &format!("--> {WEB}:5:"), "5 |  namespace: shop"]);
}

#[test]
fn unknown_field_suggests_the_right_one() {
    let typo = WEB_ITEM.replace("host:", "hots:");
    let stderr = fails(&[(WEB, &ingress("web", &typo))], "E102", &["unknown field `hots`", &format!("--> {WEB}:7:7")]);
    assert!(stderr.contains("help: did you mean `host`?"), "{stderr}");
}

#[test]
fn a_value_of_the_wrong_type_gets_the_fix_for_it() {
    for (route, help) in [
        ("{path: /, service: web, port: '8080'}", "help: write the number without quotes: `8080`"),
        (
            "{path: /, service: web, port: 8.08e3}",
            "help: write a whole number, without a fraction or an exponent: `8080`",
        ),
        ("{path: /, service: web, port: 8080, timeout: 10}", "help: this field is a string: quote the value"),
        ("{path: /, service: web, port: [8080]}", "help: write a port number here, not a list"),
    ] {
        let text = request("web", &format!("  ingress:\n    - host: web\n      routes:\n        - {route}\n"));
        fails(&[(WEB, &text)], "E103", &[help]);
    }
    let mtls = prod("settings:\n  mesh:\n    mtls: strict\n");
    fails(&[(PROD, &mtls)], "E103", &["help: write `STRICT`: values are case-sensitive"]);
}

#[test]
fn missing_required_field() {
    let item = WEB_ITEM.replace("service: web, ", "");
    fails(&[(WEB, &ingress("web", &item))], "E104", &["missing field `service`", &format!("--> {WEB}:9:11")]);
}

#[test]
fn bases_cycle_is_named_whole() {
    fails(
        &[
            ("layers/a/meshedge.yaml", layer("Layer", "a", "bases: [../b]\n").as_str()),
            ("layers/b/meshedge.yaml", layer("Layer", "b", "bases: [../../base, ../a]\n").as_str()),
            (PROD, layer("Environment", "prod", "bases: [../../layers/a]\n").as_str()),
        ],
        "E201",
        &["layers/a -> layers/b -> layers/a", "--> layers/b/meshedge.yaml:5:21", "--> layers/a/meshedge.yaml:5:9"],
    );
}

#[test]
fn base_outside_the_root() {
    // The target exists and is a valid layer: it is refused for where it is, not for what it is.
    let outside = layer("Layer", "outside", "");
    let env = layer("Environment", "prod", "bases: [../../../outside]\n");
    fails(
        &[("../outside/meshedge.yaml", &outside), (PROD, &env)],
        "E105",
        &["`../../../outside`", "outside the repository root", &format!("--> {PROD}:5:9")],
    );
}

#[cfg(unix)]
#[test]
fn symlink_out_of_the_root() {
    let repo = Repo::new();
    let secret = repo.tmp.path().join("secret.yaml");
    write_file(&secret, &ingress("leak", WEB_ITEM.replace("shop", "leak").as_str()));
    let absolute = secret.to_string_lossy().into_owned();
    for target in ["../../../../secret.yaml", absolute.as_str()] {
        let link = repo.root().join("base/tenants/shop/leak.yaml");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(target, &link).unwrap();
        let stderr = assert_input_error(
            &repo.build(),
            "E105",
            &["--> base/tenants/shop/leak.yaml", "outside the repository root"],
        );
        assert!(!stderr.contains("leak.apps.example.com"), "{stderr}");
    }
}

#[test]
fn host_claimed_by_two_tenants() {
    let other = ingress("news", &WEB_ITEM.replace("host: shop", "host: shop.apps.example.com"));
    fails(
        &[("base/tenants/blog/news.yaml", &other)],
        "E401",
        &[
            "host `shop.apps.example.com` is claimed twice",
            "request `news` of tenant `blog`",
            "request `web` of tenant `shop`",
            &format!("--> {WEB}:7:7"),
            "--> base/tenants/blog/news.yaml:7:7",
        ],
    );
}

#[test]
fn host_outside_allowed_hosts() {
    let item = WEB_ITEM.replace("host: shop", "host: shop.evil.example");
    fails(
        &[(WEB, &ingress("web", &item))],
        "E415",
        &[
            "host `shop.evil.example` is not allowed on gateway `public`",
            &format!("--> {WEB}:7:7"),
            "*.apps.example.com",
        ],
    );
}

#[test]
fn unknown_gateway() {
    let item = WEB_ITEM.replace("      routes:", "      gateway: private\n      routes:");
    fails(
        &[(WEB, &ingress("web", &item))],
        "E411",
        &[
            "unknown ingress gateway `private`",
            &format!("--> {WEB}:8:7"),
            "help: use one of the environment's ingress gateways: public",
        ],
    );
}

#[test]
fn another_tenants_gateway() {
    // The environment gives tenant `blog` a gateway of its own; tenant `shop` may not use it.
    let own = "settings:\n  ingress:\n    gateways:\n      - {name: blog-edge, namespace: blog, tenant: blog, \
               selector: {istio: blog-edge}, domain: apps.example.com, allowedHosts: [\"*.apps.example.com\"], \
               certificateIssuer: {kind: ClusterIssuer, name: ca}}\n";
    let tenant = format!("{API}\nkind: Tenant\nmetadata: {{name: blog}}\n");
    let item = WEB_ITEM.replace("      routes:", "      gateway: blog-edge\n      routes:");
    fails(
        &[(PROD, &prod(own)), ("base/tenants/blog/tenant.yaml", &tenant), (WEB, &ingress("web", &item))],
        "E412",
        &["gateway `blog-edge` belongs to tenant `blog`, not `shop`", &format!("--> {WEB}:8:7")],
    );
}

#[test]
fn namespace_the_tenant_does_not_own() {
    let foreign = ingress("web", WEB_ITEM).replace("  name: web\n", "  name: web\n  namespace: payments\n");
    fails(
        &[(WEB, &foreign)],
        "E404",
        &["namespace `payments`, which tenant `shop` does not own", &format!("--> {WEB}:5:3")],
    );
}

#[test]
fn route_to_another_namespace() {
    let item = WEB_ITEM.replace("service: web", "service: api.other");
    fails(&[(WEB, &ingress("web", &item))], "E418", &["route to `api.other` leaves", &format!("--> {WEB}:9:21")]);
}

#[test]
fn duplicate_host_and_path() {
    let item = format!("{WEB_ITEM}        - {{path: /, service: api, port: 8080}}\n");
    fails(
        &[(WEB, &ingress("web", &item))],
        "E417",
        &[
            "host `shop.apps.example.com` routes path `/` twice",
            &format!("--> {WEB}:10:11"),
            &format!("--> {WEB}:9:11"),
        ],
    );
}

/// Two patches on prod: a valid one, then `second` (patches[1], on line 9).
fn with_second_patch(second: &str) -> String {
    prod(&format!("patches:\n  - target: {{kind: Gateway}}\n    merge: {{metadata: {{labels: {{a: b}}}}}}\n{second}"))
}

#[test]
fn patch_that_matches_nothing() {
    let patch = "  - target: {kind: Deployment, name: nothing}\n    merge: {spec: {replicas: 3}}\n";
    fails(
        &[(PROD, &with_second_patch(patch))],
        "E504",
        &[&format!("patch {PROD}#patches[1] matches no object"), &format!("--> {PROD}:9:")],
    );

    let optional = Repo::new().with(&[(PROD, &with_second_patch(&format!("{patch}    optional: true\n")))]).build();
    assert_eq!(optional.status.code(), Some(0), "stderr:\n{}", text(&optional.stderr));
    assert!(text(&optional.stdout).contains("kind: Gateway"));
}

#[test]
fn json_patch_operation_that_fails() {
    let patch = "  - target: {kind: Gateway}\n    json:\n      - {op: test, path: /kind, value: Gateway}\n      - {op: remove, path: /spec/missing}\n";
    fails(
        &[(PROD, &with_second_patch(patch))],
        "E505",
        &[
            &format!("patch {PROD}#patches[1] failed on Gateway/istio-ingress/public-shop-apps-example-com"),
            "operation 1 at `/spec/missing`",
            "= object: Gateway/istio-ingress/public-shop-apps-example-com",
            &format!("--> {PROD}:9:"),
        ],
    );
}

#[test]
fn json_patch_operation_with_a_misspelt_member() {
    // Read as RFC 6902 reads it, `vaule` is ignored and `value` is missing: serde would add null.
    let patch = "  - target: {kind: Gateway}\n    json:\n      - {op: add, path: /metadata/labels/tier, vaule: edge}\n";
    fails(
        &[(PROD, &with_second_patch(patch))],
        "E502",
        &["operation 0 (`add`) has no `value`", &format!("--> {PROD}:11:9"), "with `value` for add, replace and test"],
    );
}

#[test]
fn errors_in_a_patch_file_point_into_it() {
    let patches = "environments/prod/patches/extra.yaml";
    let layer = with_second_patch("  - file: patches/extra.yaml\n");
    // An operation at fault: its own line.
    let file =
        "target: {kind: Gateway}\njson:\n  - {op: test, path: /kind, value: Gateway}\n  - {op: plus, path: /a}\n";
    fails(
        &[(PROD, &layer), (patches, file)],
        "E502",
        &["operation 1: unknown `op` `plus`", &format!("--> {patches}:4:5")],
    );
    // A YAML tag: where it is written, not the layer's `file:` line.
    let file = "target: {kind: Gateway}\njson:\n  - {op: !Ref add, path: /a, value: 1}\n";
    let output = Repo::new().with(&[(PROD, &layer), (patches, file)]).build();
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains(&format!("--> {patches}:3:")), "{stderr}");
}

#[test]
fn two_objects_with_one_identity() {
    // A plain resource that clashes with a generated Gateway.
    let clash = "apiVersion: networking.istio.io/v1beta1\nkind: Gateway\nmetadata:\n  name: public-shop-apps-example-com\n  namespace: istio-ingress\nspec:\n  selector: {istio: ingressgateway}\n";
    fails(
        &[("base/resources/gateway.yaml", clash)],
        "E430",
        &[
            "two objects are both Gateway/istio-ingress/public-shop-apps-example-com",
            "the other from base/resources/gateway.yaml",
            &format!("one comes from base/meshedge.yaml, {WEB}"),
        ],
    );
    // A patch that renames one ConfigMap onto another.
    let config =
        |name: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: shop\n");
    let rename =
        "  - target: {kind: ConfigMap, name: b}\n    json:\n      - {op: replace, path: /metadata/name, value: a}\n";
    fails(
        &[
            ("base/resources/a.yaml", &config("a")),
            ("base/resources/b.yaml", &config("b")),
            (PROD, &with_second_patch(rename)),
        ],
        "E430",
        &[
            "two objects are both ConfigMap/shop/a",
            "one comes from base/resources/a.yaml",
            &format!("base/resources/b.yaml (renamed from ConfigMap/shop/b by {PROD}#patches[1])"),
        ],
    );
}

#[test]
fn egress_host_outside_allowed_hosts() {
    let item = PARTNER_ITEM.replace("api.partner.example", "api.stripe.com");
    fails(
        &[(PARTNER, &egress("partner", &item))],
        "E426",
        &[
            "external host `api.stripe.com` is not in `egress.allowedHosts`",
            &format!("--> {PARTNER}:7:7"),
            "allowed: api.partner.example",
            "--> base/meshedge.yaml:26:5",
        ],
    );
}

#[test]
fn egress_unknown_sla_class() {
    let item = format!("{PARTNER_ITEM}      slaClasses: [gold, platinum]\n");
    fails(
        &[(PARTNER, &egress("partner", &item))],
        "E423",
        &["unknown SLA class `platinum`", &format!("--> {PARTNER}:11:26"), "help: use one of: bronze, gold"],
    );
}

#[test]
fn egress_mutual_tls_without_credential() {
    let item = PARTNER_ITEM.replace("      credentialName: partner-client\n", "");
    fails(
        &[(PARTNER, &egress("partner", &item))],
        "E421",
        &["mutual TLS to `api.partner.example` has no `credentialName`", &format!("--> {PARTNER}:7:")],
    );
}

#[test]
fn egress_host_with_two_ports() {
    let other = egress("feed", &PARTNER_ITEM.replace("port: 443", "port: 8443"));
    fails(
        &[("base/tenants/blog/feed.yaml", &other)],
        "E420",
        &[
            "requests for external host `api.partner.example` disagree on port",
            "request `feed` of tenant `blog`",
            "request `partner` of tenant `shop`",
            &format!("--> {PARTNER}:7:7"),
            "--> base/tenants/blog/feed.yaml:7:7",
        ],
    );
}

/// The partner API without the egress gateway, in plain HTTP on 80.
const DIRECT_ITEM: &str = "    - host: api.partner.example\n      tls: none\n      gateway: none\n";

#[test]
fn direct_egress_under_network_policies() {
    let env = prod("settings:\n  enforcement:\n    networkPolicies: true\n");
    fails(
        &[(PARTNER, &egress("partner", DIRECT_ITEM)), (PROD, &env)],
        "E428",
        &[
            "`api.partner.example` with `gateway: none` cannot leave the cluster under `enforcement.networkPolicies`",
            &format!("--> {PARTNER}:9:7"),
            &format!("--> {PROD}:8:5"),
            "help: tenant pods leave the cluster only through the egress gateway: set `gateway` (not `none`)",
        ],
    );
}

#[test]
fn direct_egress_under_an_egress_firewall() {
    for firewall in ["ovn", "sdn"] {
        let env = prod(&format!(
            "settings:\n  enforcement:\n    egressFirewall: {firewall}\n  cluster:\n    openshiftVersion: \"4.16\"\n"
        ));
        fails(
            &[(PARTNER, &egress("partner", DIRECT_ITEM)), (PROD, &env)],
            "E428",
            &["under `enforcement.egressFirewall`", &format!("--> {PARTNER}:9:7"), &format!("--> {PROD}:8:5")],
        );
    }
}

#[test]
fn direct_egress_without_enforcement_builds() {
    let output = Repo::new().with(&[(PARTNER, &egress("partner", DIRECT_ITEM))]).build();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("name: api-partner-example"));
}

#[test]
fn excluded_tenant_that_the_environment_adds_to() {
    let env = prod("settings:\n  tenants:\n    exclude: [shop]\n");
    let extra = ingress("extra", &WEB_ITEM.replace("host: shop", "host: extra"));
    fails(
        &[(PROD, &env), ("environments/prod/tenants/shop/extra.yaml", &extra)],
        "E303",
        &[
            "tenant `shop` is excluded here but this environment adds to it",
            "--> environments/prod/tenants/shop/extra.yaml:",
            &format!("--> {PROD}:8:5"),
        ],
    );
}

#[test]
fn unknown_environment() {
    // A usage error (exit 2), not an input error; tests/cli.rs checks the list and suggestion.
    let repo = Repo::new();
    for env in ["staging", "environments/staging"] {
        let output = repo.run(&["build", env]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(output.stdout.is_empty());
        for fragment in ["error[E901]: ", &format!("no environment `{env}`"), "help:", "`prod`", "--root"] {
            assert!(stderr.contains(fragment), "expected {fragment:?} in stderr:\n{stderr}");
        }
    }
}

#[test]
fn invalid_command_line_is_a_usage_error() {
    let repo = Repo::new();
    let cases: [(&[&str], &str); 3] = [
        (&["build", "prod", "--frobnicate"], "'--frobnicate'"),
        (&["build", "prod", "--format", "xml"], "'xml'"),
        (&["build"], "<ENV>"),
    ];
    for (args, expected) in cases {
        let output = repo.run(args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(stderr.contains(expected), "{args:?}: expected {expected:?} in:\n{stderr}");
    }
}

// ---------------------------------------------------------------------------------------------
// No input may panic.

const REPLACEMENTS: [&str; 5] = ["[", "{}", "- x", "null", "0"];
const TRUNCATIONS: usize = 8;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Byte ranges of the scalar-ish tokens of `text` outside comments.
fn tokens(text: &str) -> Vec<(usize, usize)> {
    let is_token = |b: u8| b.is_ascii_alphanumeric() || b"._/*~-".contains(&b);
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let code = match line.find('#') {
            Some(i) if i == 0 || line.as_bytes()[i - 1].is_ascii_whitespace() => &line[..i],
            _ => line,
        };
        let bytes = code.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if is_token(bytes[i]) {
                let start = i;
                while i < bytes.len() && is_token(bytes[i]) {
                    i += 1;
                }
                out.push((line_start + start, line_start + i));
            } else {
                i += 1;
            }
        }
        line_start += line.len();
    }
    out
}

/// The deterministic mutations of one file: truncations, token replacements, line deletions.
fn mutations(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for k in 0..TRUNCATIONS {
        let mut at = text.len() * k / TRUNCATIONS;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        out.push(text[..at].to_string());
    }
    for (i, (start, end)) in tokens(text).into_iter().enumerate() {
        // Each token gets two of the replacements, in rotation, to bound the count.
        for replacement in [REPLACEMENTS[i % REPLACEMENTS.len()], REPLACEMENTS[(i + 2) % REPLACEMENTS.len()]] {
            out.push(format!("{}{replacement}{}", &text[..start], &text[end..]));
        }
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        out.push(lines.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, l)| *l).collect());
    }
    out
}

#[test]
fn no_input_may_panic() {
    use meshedge::compiler::compile;
    use meshedge::source::FsSource;

    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let example = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["base", "environments"] {
        copy_dir(&example.join(dir), &root.join(dir));
    }
    let source = FsSource::new(root);
    let build = compile(&source, "environments/prod").expect("the example repository builds");

    let mut panics = Vec::new();
    let (mut ok, mut failed) = (0, 0);
    for file in &build.inputs {
        let path = root.join(file);
        let original = std::fs::read_to_string(&path).unwrap();
        for (index, mutated) in mutations(&original).iter().enumerate() {
            std::fs::write(&path, mutated).unwrap();
            let outcome = catch_unwind(AssertUnwindSafe(|| match compile(&source, "environments/prod") {
                Ok(_) => Ok(()),
                Err(failure) => Err(failure.render()),
            }));
            match outcome {
                Ok(Ok(())) => ok += 1,
                Ok(Err(rendered)) => {
                    failed += 1;
                    assert!(
                        rendered.contains("error["),
                        "{file} mutation {index}: a failure without an error:\n{rendered}"
                    );
                }
                Err(_) => panics.push(format!("{file} mutation {index}:\n{mutated}")),
            }
        }
        std::fs::write(&path, &original).unwrap();
    }
    assert!(panics.is_empty(), "{} inputs panicked:\n{}", panics.len(), panics.join("\n---\n"));
    assert!(ok > 0 && failed > 0, "mutations should both pass and fail: {ok} ok, {failed} failed");
}

#[test]
fn unknown_cluster_release() {
    let env = prod("settings:\n  cluster:\n    openshiftVersion: \"4.13\"\n");
    fails(
        &[(PROD, &env)],
        "E450",
        &["cluster.openshiftVersion", "\"4.13\" is not supported", &format!("--> {PROD}:8:")],
    );
}

#[test]
fn validating_admission_policy_on_a_cluster_that_does_not_serve_it() {
    // kubernetes/apiserver kubernetes-1.29.0 pkg/features/kube_features.go: the v1 API exists from 1.30.
    let env = prod("settings:\n  enforcement:\n    requireSidecar: true\n  cluster:\n    openshiftVersion: \"4.16\"\n");
    fails(&[(PROD, &env)], "E451", &["enforcement.admission `auto`", "gatekeeper", &format!("--> {PROD}")]);
}

#[test]
fn client_ca_the_gateway_does_not_read() {
    // istio/istio pilot/pkg/credentials/kube/secrets.go GetCaCert: `<credentialName>-cacert`.
    let item = format!("{WEB_ITEM}      tls: mutual\n      credentialName: web-tls\n      clientCASecret: web-ca\n");
    fails(
        &[(WEB, &ingress("web", &item))],
        "E452",
        &["`web-tls-cacert`", "never from `web-ca`", "clientCASecret: web-tls-cacert", &format!("--> {WEB}:12:")],
    );
}

#[test]
fn server_ca_the_gateway_does_not_read() {
    let item = format!("{PARTNER_ITEM}      caSecret: partner-ca\n");
    fails(
        &[(PARTNER, &egress("partner", &item))],
        "E453",
        &["`partner-client-cacert`", "never from `partner-ca`", &format!("--> {PARTNER}:11:")],
    );
}

#[test]
fn origination_the_target_would_not_verify() {
    // maistra/istio maistra-2.5 pilot/pkg/features/pilot.go:712: VERIFY_CERTIFICATE_AT_CLIENT false,
    // and the base layer does not manage the control plane.
    let item = "    - host: api.partner.example\n      port: 443\n      tls: originate\n";
    fails(
        &[(PARTNER, &egress("partner", item))],
        "E454",
        &["would not verify the server", &format!("--> {PARTNER}:9:")],
    );
}

#[test]
fn two_control_plane_gateways_of_one_name() {
    // maistra/istio-operator maistra-2.5 pkg/controller/versions/util.go: "multiple gateways defined".
    let env = prod(
        "settings:\n  mesh:\n    controlPlane:\n      manage: true\n  egress:\n    gateways:\n      - name: egress\n        service: public\n",
    );
    fails(&[(PROD, &env)], "E456", &["gateways `public` and `egress`", "`public`", &format!("--> {PROD}:13:")]);
}

#[test]
fn a_setting_asks_for_a_kind_the_cluster_does_not_serve() {
    // openshift/api network/v1 EgressNetworkPolicy: OpenShift SDN, gone from OpenShift 4.17.
    let env = prod("settings:\n  enforcement:\n    egressFirewall: sdn\n  cluster:\n    openshiftVersion: \"4.18\"\n");
    fails(&[(PROD, &env)], "E455", &["enforcement.egressFirewall: ", &format!("--> {PROD}:8:")]);
    // route.openshift.io Route: served by OpenShift only; the base layer's public gateway asks for it.
    let env = prod(
        "settings:\n  mesh:\n    flavor: istio\n    controlPlane:\n      version: v1.24.3\n  cluster:\n    kubernetesVersion: \"1.31\"\n",
    );
    fails(&[(PROD, &env)], "E455", &["ingress.gateways.public.exposure: ", "--> base/meshedge.yaml:19:"]);
}

/// The shop's web host with a token check; its `jwt:` is on line 10.
fn web_with_jwt() -> String {
    ingress("web", &format!("{WEB_ITEM}      jwt:\n        issuer: https://sso.example.com/realms/shop\n"))
}

#[test]
fn a_token_check_on_a_gateway_shared_with_another_tenant() {
    // A RequestAuthentication applies to every host of its gateway (istio/istio
    // pilot/pkg/security/authn/v1beta1/policy_applier.go convertToEnvoyJwtConfig @1.18.7).
    let blog_tenant = TENANT.replace("shop", "blog");
    let blog = ingress("blog", "    - host: blog\n      routes:\n        - {path: /, service: blog, port: 8080}\n");
    let stderr = fails(
        &[
            (WEB, &web_with_jwt()),
            ("base/tenants/blog/tenant.yaml", &blog_tenant),
            ("base/tenants/blog/blog.yaml", &blog),
        ],
        "E457",
        &[
            "`jwt` of host `shop.apps.example.com` (request `shop/web`)",
            "`blog.apps.example.com` of request `blog/blog`",
            &format!("--> {WEB}:10:7"),
            "--> base/tenants/blog/blog.yaml:7:7",
            "help: serve `shop.apps.example.com` through a gateway of its own",
        ],
    );
    assert!(!stderr.contains("E458"), "{stderr}");
    // The tenant's own hosts may share the gateway.
    let own = ingress("more", "    - host: more\n      routes:\n        - {path: /, service: more, port: 8080}\n");
    let output = Repo::new().with(&[(WEB, &web_with_jwt()), ("base/tenants/shop/more.yaml", &own)]).build();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}

#[test]
fn a_token_check_beside_a_passthrough_host() {
    // istio/istio pilot/pkg/security/authz/model/model.go rule.checkError @1.18.7: on TCP a DENY
    // rule loses its HTTP-only conditions and denies every connection.
    let pay = ingress(
        "pay",
        "    - host: pay\n      tls: passthrough\n      routes:\n        - {service: pay, port: 8443}\n",
    );
    fails(
        &[(WEB, &web_with_jwt()), ("base/tenants/shop/pay.yaml", &pay)],
        "E458",
        &[
            "`jwt` of host `shop.apps.example.com` would refuse every connection to `pay.apps.example.com`",
            &format!("--> {WEB}:10:7"),
            "--> base/tenants/shop/pay.yaml:7:7",
            "help: serve `shop.apps.example.com` and `pay.apps.example.com` through different gateways",
        ],
    );
}

#[test]
fn login_or_a_token_check_on_a_passthrough_host() {
    // istio/istio pilot/pkg/security/authz/builder/builder.go @1.18.7: no CUSTOM (HTTP provider)
    // on a TCP filter chain, so a login there would never be asked for.
    let item = "    - host: shop\n      tls: passthrough\n      jwt:\n        issuer: https://sso.example.com/realms/shop\n      routes:\n        - {service: web, port: 8443}\n";
    fails(
        &[(WEB, &ingress("web", item))],
        "E458",
        &["`jwt` on host `shop.apps.example.com`, which the gateway passes TLS through", &format!("--> {WEB}:9:7")],
    );
}

#[test]
fn reverify_where_a_passthrough_host_runs() {
    // The namespace-wide DENY of `reverify` is a DENY on TCP too (istio/istio
    // pilot/pkg/security/authz/model/model.go rule.checkError @1.18.7).
    let web = ingress(
        "web",
        &format!(
            "{WEB_ITEM}      gateway: internal\n      jwt:\n        issuer: https://sso.example.com/realms/shop\n        reverify: true\n"
        ),
    );
    let pay = ingress(
        "pay",
        "    - host: pay\n      tls: passthrough\n      routes:\n        - {service: pay, port: 8443}\n",
    );
    let internal = "      - name: internal\n        namespace: istio-internal\n        selector: {istio: internal}\n        domain: internal.example.com\n        allowedHosts: [\"*.internal.example.com\"]\n        certificateIssuer: {kind: ClusterIssuer, name: internal-ca}\n";
    let base = BASE.replace("  egress:\n", &format!("{internal}  egress:\n"));
    fails(
        &[("base/meshedge.yaml", &base), (WEB, &web), ("base/tenants/shop/pay.yaml", &pay)],
        "E458",
        &[
            "`jwt.reverify` of host `shop.internal.example.com` checks every workload of namespace `shop`",
            "`pay.apps.example.com`",
            &format!("--> {WEB}:13:9"),
            "--> base/tenants/shop/pay.yaml:7:7",
        ],
    );
}

#[test]
fn a_host_on_a_gateway_nothing_exposes() {
    // `exposure: none` on a gateway meshedge deploys: its Service is a ClusterIP, so no client
    // outside the cluster reaches the host (docs/flows.md, "A gateway nothing exposes").
    let base = BASE.replace("        exposure: route\n", "        exposure: none\n        deploy: true\n");
    fails(
        &[("base/meshedge.yaml", &base)],
        "E431",
        &[
            "host `shop.apps.example.com` is on gateway `public`, which nothing exposes outside the cluster",
            "`deploy: true`",
            &format!("--> {WEB}:7:7"),
            "help: set `exposure: route` or `exposure: loadBalancer` on gateway `public`",
        ],
    );
}
