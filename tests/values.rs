//! Values the input types refuse, end to end: each test writes a small valid repository, puts
//! one wrong value in one file, runs `meshedge build environments/prod --root <dir>` and checks
//! the contract: exit status 1, nothing on stdout, the code on stderr, and the file and line of
//! the value (`--> file:line:`). Values are checked when a document is read (`E110`, or `E103`
//! for a value of the wrong shape), before anything reaches a cluster.

mod common;

use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

use common::valid::{BASE, BASE_TEXT, PARTNER, PARTNER_TEXT, PROD, TENANT, TENANT_TEXT, WEB, WEB_TEXT};

struct Repo {
    tmp: TempDir,
}

impl Repo {
    fn new() -> Repo {
        let repo = Repo { tmp: tempfile::tempdir().expect("temporary directory") };
        for (path, text) in [
            (BASE, BASE_TEXT),
            (PROD, common::PROD_ON_BASE),
            (TENANT, TENANT_TEXT),
            (WEB, WEB_TEXT),
            (PARTNER, PARTNER_TEXT),
        ] {
            repo.write(path, text);
        }
        repo
    }

    fn root(&self) -> PathBuf {
        self.tmp.path().join("repo")
    }

    fn write(&self, path: &str, text: &str) {
        common::write(&self.root(), path, text);
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

fn original(path: &str) -> &'static str {
    match path {
        BASE => BASE_TEXT,
        PROD => common::PROD_ON_BASE,
        TENANT => TENANT_TEXT,
        WEB => WEB_TEXT,
        PARTNER => PARTNER_TEXT,
        _ => panic!("no file {path}"),
    }
}

/// The 1-based line of `text` holding the first line of `to` that `from` does not have.
fn line_of(text: &str, from: &str, to: &str) -> usize {
    let new = to.lines().find(|l| !from.lines().any(|f| f == *l)).or(to.lines().next()).unwrap_or(to);
    text.lines().position(|l| l.contains(new)).map(|i| i + 1).unwrap_or_else(|| panic!("{new:?} not in text"))
}

/// Writes `path` with `from` replaced by `to` (which must change it), builds, and checks the
/// input-error contract: exit 1, empty stdout, `error[code]`, every fragment, and the place
/// `--> path:line:` of the replaced text. Returns stderr.
fn refused(path: &str, from: &str, to: &str, code: &str, fragments: &[&str]) -> String {
    let text = original(path);
    assert!(text.contains(from), "{from:?} is not in {path}");
    let changed = text.replacen(from, to, 1);
    let repo = Repo::new();
    repo.write(path, &changed);
    let output = repo.build();
    let stderr = String::from_utf8(output.stderr).expect("UTF-8 stderr");
    assert_eq!(output.status.code(), Some(1), "exit status; stderr:\n{stderr}");
    assert!(output.stdout.is_empty(), "stdout must stay empty, got:\n{}", String::from_utf8_lossy(&output.stdout));
    assert!(!stderr.contains("panicked"), "{stderr}");
    let place = format!("--> {path}:{}:", line_of(&changed, from, to));
    for fragment in [format!("error[{code}]: ").as_str(), place.as_str()].into_iter().chain(fragments.iter().copied()) {
        assert!(stderr.contains(fragment), "expected {fragment:?} in stderr:\n{stderr}");
    }
    assert!(stderr.contains("help: "), "a help line:\n{stderr}");
    assert!(!stderr.contains('\u{1f}'), "no raw separator:\n{stderr}");
    stderr
}

#[test]
fn the_repository_builds_and_keeps_values_as_written() {
    let output = Repo::new().build();
    // Strings that a YAML 1.1 reader could take for something else are quoted in the output.
    let stdout = String::from_utf8(output.stdout).unwrap().replace('"', "");
    assert_eq!(output.status.code(), Some(0), "stderr:\n{}", String::from_utf8_lossy(&output.stderr));
    for expected in [
        "timeout: 10s",
        "issuer: https://sso.example.com/realms/shop",
        "jwksUri: https://sso.example.com/realms/shop/protocol/openid-connect/certs",
        "interval: 10s",
        "baseEjectionTime: 30s",
        "maxEjectionPercent: 50",
        "http1MaxPendingRequests: 100",
        "- 192.0.2.10",
        "credentialName: partner-api-tls",
    ] {
        assert!(stdout.contains(expected), "expected {expected:?} in:\n{stdout}");
    }
}

// ---- durations ------------------------------------------------------------------------------

#[test]
fn timeout_abc() {
    refused(WEB, "timeout: 10s", "timeout: abc", "E110", &["`abc` is not a valid duration", "routes[0].timeout"]);
}

#[test]
fn timeout_in_words() {
    refused(WEB, "timeout: 10s", "timeout: \"5 seconds\"", "E110", &["` seconds` is not a unit", "at least 1ms"]);
}

#[test]
fn timeout_negative() {
    refused(WEB, "timeout: 10s", "timeout: \"-1s\"", "E110", &["`-1s` is not a valid duration: it is negative"]);
}

#[test]
fn timeout_soon() {
    refused(WEB, "timeout: 10s", "timeout: soon", "E110", &["`soon` is not a valid duration"]);
}

#[test]
fn timeout_zero_and_sub_millisecond() {
    refused(WEB, "timeout: 10s", "timeout: 0s", "E110", &["shorter than 1ms"]);
    refused(WEB, "timeout: 10s", "timeout: 1500us", "E110", &["not a whole number of milliseconds"]);
}

#[test]
fn timeout_without_unit_is_a_number() {
    refused(WEB, "timeout: 10s", "timeout: 10", "E103", &["invalid type: integer `10`, expected a string"]);
}

#[test]
fn outlier_detection_interval() {
    refused(
        BASE,
        "interval: 10s",
        "interval: 10 s",
        "E110",
        &["`10 s` is not a valid duration", "outlierDetection.interval"],
    );
}

#[test]
fn connection_pool_duration() {
    let to = "connectionPool: {tcp: {maxConnections: 5, connectTimeout: 1d}}";
    refused(BASE, "connectionPool: {tcp: {maxConnections: 5}}", to, "E110", &["`1d` is not a valid duration"]);
}

// ---- URLs -----------------------------------------------------------------------------------

const JWKS: &str = "jwksUri: https://sso.example.com/realms/shop/protocol/openid-connect/certs";

#[test]
fn jwks_uri_not_a_url() {
    refused(WEB, JWKS, "jwksUri: not-a-url", "E110", &["`not-a-url` is not a valid https URL", "jwt.jwksUri"]);
}

#[test]
fn jwks_uri_file() {
    refused(WEB, JWKS, "jwksUri: file:///etc/passwd", "E110", &["does not start with `https://`"]);
}

#[test]
fn jwks_uri_metadata_service() {
    let to = "jwksUri: http://169.254.169.254/latest/meta-data/iam/security-credentials/";
    refused(WEB, JWKS, to, "E110", &["`http://169.254.169.254/latest/meta-data/iam/security-credentials…`"]);
    let to = "jwksUri: https://169.254.169.254/latest/meta-data/";
    refused(WEB, JWKS, to, "E110", &["loopback, link-local or a metadata service"]);
    refused(WEB, JWKS, "jwksUri: https://127.0.0.1:15014/debug", "E110", &["loopback, link-local"]);
}

#[test]
fn jwt_issuer_empty() {
    let from = "issuer: https://sso.example.com/realms/shop";
    refused(WEB, from, "issuer: \"\"", "E110", &["`` is not a valid issuer URL", "jwt.issuer"]);
}

#[test]
fn jwt_audience_empty() {
    refused(WEB, "audiences: [shop]", "audiences: [shop, \"\"]", "E110", &["it is empty", "jwt.audiences[1]"]);
}

#[test]
fn oidc_issuer_over_http() {
    let from = "issuer: https://sso.example.com/realms/corp";
    refused(BASE, from, "issuer: http://sso.example.com/realms/corp", "E110", &["oidc.issuer"]);
}

// ---- names ----------------------------------------------------------------------------------

#[test]
fn request_name_empty() {
    refused(WEB, "  name: web", "  name: \"\"", "E110", &["`` is not a valid name: it is empty", "metadata.name"]);
}

#[test]
fn tenant_name_empty() {
    refused(TENANT, "  name: shop", "  name: \"\"", "E110", &["is not a valid tenant name"]);
}

#[test]
fn environment_name_empty() {
    refused(PROD, "  name: prod", "  name: \"\"", "E110", &["is not a valid name"]);
}

#[test]
fn credential_name_empty() {
    let from = "credentialName: partner-api-tls";
    refused(WEB, from, "credentialName: \"\"", "E110", &["is not a valid Secret name: it is empty"]);
}

#[test]
fn client_ca_secret_empty() {
    let from = "clientCASecret: partner-api-tls-cacert";
    refused(WEB, from, "clientCASecret: \"\"", "E110", &["is not a valid Secret name", "clientCASecret"]);
}

#[test]
fn credential_name_not_a_secret_name() {
    let to = "credentialName: Inventory_Partner";
    refused(PARTNER, "credentialName: partner-client", to, "E110", &["`Inventory_Partner` is not a valid Secret name"]);
}

#[test]
fn ca_secret_not_a_secret_name() {
    refused(PARTNER, "caSecret: partner-client-cacert", "caSecret: partner/ca", "E110", &["egress[0].caSecret"]);
}

#[test]
fn tenant_namespace_not_a_label() {
    refused(
        TENANT,
        "namespaces: [shop]",
        "namespaces: [shop, Shop_Batch]",
        "E110",
        &["`Shop_Batch` is not a valid namespace name"],
    );
}

#[test]
fn request_namespace_not_a_label() {
    refused(WEB, "  name: web", "  name: web\n  namespace: kube.system", "E110", &["metadata.namespace"]);
}

#[test]
fn gateway_namespace_not_a_label() {
    refused(BASE, "namespace: istio-ingress", "namespace: Istio-Ingress", "E110", &["is not a valid namespace name"]);
}

#[test]
fn gateway_name_not_a_label() {
    refused(BASE, "- name: public", "- name: Public", "E110", &["`Public` is not a valid gateway name"]);
}

#[test]
fn service_not_a_dns_1035_label() {
    refused(
        WEB,
        "service: shop-api",
        "service: 2fa-api",
        "E110",
        &["`2fa-api` is not a valid Service", "must start with a lowercase letter"],
    );
    refused(WEB, "service: shop-api", "service: shop-api.Shop", "E110", &["its namespace `Shop`"]);
}

#[test]
fn control_plane_name_too_long_for_istiod() {
    let to = format!("name: {}", "b".repeat(57));
    refused(BASE, "name: basic", &to, "E110", &["is not a valid control plane name", "istiod-<name>"]);
}

#[test]
fn sla_class_name_not_a_subset_name() {
    refused(BASE, "- name: gold", "- name: Gold", "E110", &["`Gold` is not a valid SLA class name"]);
}

#[test]
fn sla_header_not_a_header_name() {
    refused(BASE, "slaHeader: x-sla-class", "slaHeader: X SLA", "E110", &["is not a valid header name"]);
}

#[test]
fn selector_label_key() {
    refused(
        BASE,
        "selector: {istio: ingressgateway}",
        "selector: {-istio: ingressgateway}",
        "E110",
        &["is not a valid label key"],
    );
}

#[test]
fn selector_label_value() {
    refused(
        BASE,
        "selector: {istio: egressgateway}",
        "selector: {istio: egress gateway}",
        "E110",
        &["is not a valid label value"],
    );
}

#[test]
fn secret_key_ref_key() {
    refused(
        BASE,
        "{name: oidc-cookie, key: secret}",
        "{name: oidc-cookie, key: ../secret}",
        "E110",
        &["is not a valid Secret key"],
    );
}

#[test]
fn issuer_kind_unknown() {
    refused(
        BASE,
        "{kind: ClusterIssuer, name: public-ca}",
        "{kind: Vault, name: public-ca}",
        "E103",
        &["unknown variant `Vault`"],
    );
}

// ---- hosts, paths, ports, addresses ---------------------------------------------------------

#[test]
fn ingress_host_not_a_host_name() {
    refused(WEB, "- host: shop", "- host: Shop_1", "E110", &["`Shop_1` is not a valid host name"]);
}

#[test]
fn egress_host_wildcard() {
    refused(
        PARTNER,
        "- host: api.partner.example",
        "- host: \"*.partner.example\"",
        "E110",
        &["is not a valid external host name"],
    );
}

#[test]
fn allowed_hosts_pattern() {
    let from = "allowedHosts: [\"*.apps.example.com\"]";
    refused(BASE, from, "allowedHosts: [\"*apps.example.com\"]", "E110", &["is not a valid host pattern"]);
}

#[test]
fn gateway_domain() {
    refused(
        BASE,
        "domain: apps.example.com",
        "domain: \"*.apps.example.com\"",
        "E110",
        &["is not a valid domain name"],
    );
}

#[test]
fn path_with_a_glob() {
    refused(
        WEB,
        "path: /api,",
        "path: \"/api/*\",",
        "E110",
        &["`/api/*` is not a valid path prefix", "glob character"],
    );
}

#[test]
fn path_without_a_slash() {
    refused(WEB, "path: /api,", "path: api,", "E110", &["must start with `/`"]);
}

#[test]
fn route_port_out_of_range() {
    refused(WEB, "port: 8443", "port: 0", "E110", &["port 0 is out of range", "from 1 to 65535"]);
    refused(WEB, "port: 8443", "port: 70000", "E110", &["port 70000 is out of range"]);
}

#[test]
fn egress_port_out_of_range() {
    refused(PARTNER, "port: 443", "port: -443", "E110", &["port -443 is out of range", "egress[0].port"]);
}

#[test]
fn egress_ip_not_an_address() {
    refused(
        BASE,
        "egressIPs: [192.0.2.10]",
        "egressIPs: [192.0.2.300]",
        "E110",
        &["`192.0.2.300` is not an IP address"],
    );
    refused(BASE, "egressIPs: [192.0.2.10]", "egressIPs: [127.0.0.1]", "E110", &["is not a usable egress IP"]);
}

// ---- SLA classes: Istio's fields, both platforms' rules -------------------------------------

#[test]
fn connection_pool_unknown_field() {
    let to = "connectionPool: {tcp: {maxConnections: 5, idleTimeout: 1h}}";
    refused(BASE, "connectionPool: {tcp: {maxConnections: 5}}", to, "E102", &["unknown field `idleTimeout`"]);
}

#[test]
fn connection_pool_negative_limit() {
    refused(BASE, "{tcp: {maxConnections: 5}}", "{tcp: {maxConnections: -5}}", "E110", &["-5 is out of range"]);
}

#[test]
fn connection_pool_empty() {
    refused(BASE, "connectionPool: {tcp: {maxConnections: 5}}", "connectionPool: {}", "E110", &["limits nothing"]);
}

#[test]
fn connection_pool_contradiction() {
    let to = "connectionPool: {http: {h2UpgradePolicy: UPGRADE, useClientProtocol: true}}";
    refused(BASE, "connectionPool: {tcp: {maxConnections: 5}}", to, "E110", &["contradicts"]);
}

#[test]
fn outlier_detection_percentage() {
    refused(
        BASE,
        "maxEjectionPercent: 50",
        "maxEjectionPercent: 101",
        "E110",
        &["101 is out of range", "from 0 to 100"],
    );
}

#[test]
fn outlier_detection_local_origin_failures() {
    let to = "maxEjectionPercent: 50, consecutiveLocalOriginFailures: 3";
    refused(BASE, "maxEjectionPercent: 50", to, "E110", &["splitExternalLocalOriginErrors: true"]);
}

#[test]
fn a_contradiction_made_by_merging_is_reported_plainly() {
    let repo = Repo::new();
    repo.write(BASE, &BASE_TEXT.replace("http: {http1MaxPendingRequests: 100}", "http: {h2UpgradePolicy: UPGRADE}"));
    repo.write(
        PROD,
        &format!(
            "{}settings:\n  egress:\n    slaClasses:\n      - name: gold\n        connectionPool: {{http: {{useClientProtocol: true}}}}\n",
            common::PROD_ON_BASE
        ),
    );
    let output = repo.build();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(
        stderr.contains("error[E301]: merged settings are invalid: `useClientProtocol: true` contradicts"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("--> {PROD}:")), "{stderr}");
    assert!(!stderr.contains('\u{1f}'), "{stderr}");
}

// ---- shapes ---------------------------------------------------------------------------------

#[test]
fn metadata_as_a_sequence() {
    refused(
        WEB,
        "metadata:\n  name: web",
        "metadata: [web]",
        "E103",
        &["invalid type: sequence, expected a mapping of fields", "(at `metadata`)"],
    );
}

#[test]
fn settings_and_routes_as_sequences() {
    refused(
        BASE,
        "  mesh:\n    flavor: ossm2",
        "  mesh: [ossm2]\n  meshx:\n    flavor: ossm2",
        "E103",
        &["expected a mapping of fields"],
    );
    let to = "- [/api, shop-api, 8080]";
    refused(WEB, "- {path: /api, service: shop-api, port: 8080, timeout: 10s}", to, "E103", &["routes[0]"]);
}

// ---- names derived from values --------------------------------------------------------------

#[test]
fn credential_name_too_long_for_its_derived_ca_secret() {
    let long = format!("{}.{}.{}.{}", "a".repeat(61), "b".repeat(61), "c".repeat(61), "d".repeat(63));
    assert_eq!(long.len(), 249);
    let to = format!("credentialName: {long}");
    refused(WEB, "credentialName: partner-api-tls", &to, "E439", &["at most 246 characters"]);
}

/// Every object name in the output of `stdout`, with its kind.
fn names(stdout: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut kind = String::new();
    let mut in_metadata = false;
    for line in stdout.lines() {
        if let Some(k) = line.strip_prefix("kind: ") {
            kind = k.to_string();
        }
        if line == "metadata:" {
            in_metadata = true;
        } else if !line.starts_with(' ') {
            in_metadata = false;
        }
        if let (true, Some(name)) = (in_metadata, line.strip_prefix("  name: ")) {
            out.push((kind.clone(), name.trim_matches('\'').trim_matches('"').to_string()));
        }
    }
    out
}

#[test]
fn the_longest_values_give_valid_object_names() {
    // Every value at its longest: 63-character gateway, Service, tenant, namespace, class and
    // label names, a 253-character host (expanded from a short one) and a 56-character control
    // plane name. Generated names must still be DNS-1123 subdomains, and at most 63 characters
    // for the kinds whose names become labels or DNS labels.
    let l = |c: char| c.to_string().repeat(63);
    let domain = format!("{}.{}.{}", l('d'), l('e'), "f".repeat(61));
    let host = "h".repeat(253 - domain.len() - 1);
    assert_eq!(format!("{host}.{domain}").len(), 253);
    let base = BASE_TEXT
        .replace("name: basic", &format!("name: {}", "c".repeat(56)))
        .replace("manage: false", "manage: true")
        .replace("name: public", &format!("name: {}", l('p')))
        .replace("defaultGateway: public", &format!("defaultGateway: {}", l('p')))
        .replace("domain: apps.example.com", &format!("domain: {domain}"))
        .replace("allowedHosts: [\"*.apps.example.com\"]", "allowedHosts: [\"*\"]")
        .replace("namespace: istio-ingress", &format!("namespace: {}", l('n')))
        .replace(
            "exposure: route",
            &format!("exposure: loadBalancer\n        deploy: true\n        service: {}", l('s')),
        )
        .replace("- name: egress", &format!("- name: {}", l('g')))
        .replace("defaultGateway: egress", &format!("defaultGateway: {}", l('g')))
        .replace("namespace: istio-egress", &format!("namespace: {}", l('m')))
        .replace("- name: gold", &format!("- name: {}", l('k')));
    let repo = Repo::new();
    repo.write(BASE, &base);
    repo.write(TENANT, &TENANT_TEXT.replace("namespaces: [shop]", &format!("namespaces: [{}]", l('t'))));
    repo.write(WEB, &WEB_TEXT.replace("- host: shop", &format!("- host: {host}\n      login: true")));
    repo.write(PARTNER, &PARTNER_TEXT.replace("slaClasses: [gold]", &format!("slaClasses: [{}]", l('k'))));
    let output = repo.build();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr:\n{}", String::from_utf8_lossy(&output.stderr));
    let found = names(&stdout);
    assert!(found.len() > 20, "{found:?}");
    for (kind, name) in &found {
        assert!(name.len() <= 253 && !name.is_empty(), "{kind} {name}");
        let subdomain = name.split('.').all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !p.starts_with('-')
                && !p.ends_with('-')
        });
        assert!(subdomain, "{kind} {name} is not a DNS-1123 subdomain");
        if !matches!(kind.as_str(), "Secret") {
            assert!(name.len() <= 63, "{kind} {name} is longer than a label");
        }
        if kind == "Service" {
            assert!(name.starts_with(|c: char| c.is_ascii_lowercase()), "Service {name}");
        }
    }
    // Label values stay labels: the tenant and SLA class labels.
    for line in stdout.lines() {
        for key in ["meshedge.io/tenant: ", "meshedge.io/sla-class: "] {
            if let Some(value) = line.trim().strip_prefix(key) {
                assert!(value.len() <= 63, "{line}");
            }
        }
    }
}

#[test]
fn the_codes_and_docs_errors_md_list_each_other() {
    // Both ways: every code meshedge has is documented, and every documented code exists.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let docs = std::fs::read_to_string(root.join("docs/errors.md")).unwrap();
    let row = regex::Regex::new(r"(?m)^\| ([EWA][0-9]{3}) \|").unwrap();
    let documented: std::collections::BTreeSet<&str> =
        row.captures_iter(&docs).map(|c| c.get(1).unwrap().as_str()).collect();
    let codes: std::collections::BTreeSet<&str> = meshedge::diagnostic::Code::ALL.iter().map(|c| c.as_str()).collect();
    let undocumented: Vec<_> = codes.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&codes).collect();
    assert!(undocumented.is_empty(), "codes missing from docs/errors.md: {undocumented:?}");
    assert!(unknown.is_empty(), "docs/errors.md lists codes meshedge does not have: {unknown:?}");
    assert!(codes.len() > 60, "{} codes", codes.len());
}

#[test]
fn codes_are_written_only_in_the_code_list() {
    // A code is a `Code` variant, said by the typed error that has it: no code as a string.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let literal = regex::Regex::new(r#""[EWA][0-9]{3}""#).unwrap();
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(root.join("src")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "rs") || entry.file_name() == "tests.rs" {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        // Tests compare codes with strings; the code itself is never built from one.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for m in literal.find_iter(code) {
            found.push(format!("{} {}", entry.path().display(), m.as_str()));
        }
    }
    assert!(found.is_empty(), "codes written as strings: {found:?}");
}

#[test]
fn json_patch_operation_as_a_sequence() {
    let patch = "patches:\n  - target: {kind: Gateway}\n    json:\n      - [add, /metadata/labels/a, b]\n";
    let repo = Repo::new();
    repo.write(PROD, &format!("{}{patch}", common::PROD_ON_BASE));
    let output = repo.build();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty());
    for expected in ["error[E502]: ", "operation 0 is not a mapping", &format!("--> {PROD}:9:9")] {
        assert!(stderr.contains(expected), "expected {expected:?} in:\n{stderr}");
    }
}

#[test]
fn jwks_uri_metadata_aliases_and_embedded_ipv4() {
    for host in [
        "metadata",
        "metadata.google.internal",
        "METADATA.google.internal.",
        "instance-data",
        "instance-data.ec2.internal",
        "100.100.100.200",
        // IPv4-mapped, IPv4-compatible, NAT64 and 6to4 forms of refused IPv4 addresses.
        "[::ffff:169.254.169.254]",
        "[::ffff:127.0.0.1]",
        "[::169.254.169.254]",
        "[64:ff9b::a9fe:a9fe]",
        "[64:ff9b::127.0.0.1]",
        "[2002:a9fe:a9fe::1]",
        "[2002:7f00:1::]",
    ] {
        let to = format!("jwksUri: https://{host}/keys");
        refused(WEB, JWKS, &to, "E110", &["loopback, link-local or a metadata service"]);
    }
}

#[test]
fn jwks_uri_public_ipv6_forms_are_accepted() {
    // 6to4 and NAT64 of a public IPv4 address, and names that only look like the aliases.
    for host in ["[2002:5db8:d822::1]", "[64:ff9b::5db8:d822]", "metadata.example.com", "instance-data.example.com"] {
        let to = format!("jwksUri: https://{host}/keys");
        let repo = Repo::new();
        repo.write(WEB, &original(WEB).replacen(JWKS, &to, 1));
        let output = repo.build();
        assert_eq!(output.status.code(), Some(0), "{host}: {}", String::from_utf8_lossy(&output.stderr));
    }
}

#[test]
fn redact_url_removes_any_password() {
    use meshedge::argocd::redact_url;
    for (url, expected) in [
        ("https://u:p%2Fss@h/r@abc", "https://h/r@abc"),
        ("https://u:p%40ss@host/org/repo.git", "https://host/org/repo.git"),
        ("https://token@host/org/repo", "https://host/org/repo"),
        ("https://u:p/ss@h/r@abc", "https://(redacted)"),
        ("https://u:p@ss@h/r", "https://h/r"),
        ("https://host/org/r@pository", "https://host/org/r@pository"),
        ("https://host", "https://host"),
        ("git@github.com:org/repo.git", "git@github.com:org/repo.git"),
    ] {
        let redacted = redact_url(url);
        assert_eq!(redacted, expected, "{url}");
        for secret in ["p/ss", "p%2Fss", "p%40ss", "token", "ss@"] {
            assert!(!redacted.contains(secret), "{url} → {redacted}");
        }
    }
}
