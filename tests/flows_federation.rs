//! Federation flows, end to end: a patch that breaks a federated flow fails the build with the
//! flow named (E801 for an export or import no rule selects any more, E802 for a Service of an
//! exporting namespace that a widened rule exports), nothing on stdout.

mod common;

use std::process::Output;

use common::TempRepo;
use common::fixture::{Base, assert_error};

/// The peer `partner`, which allows the tenant `shop`.
const FEDERATION: &str = r#"    federation:
      trustDomain: prod.mesh.example
      peers:
        - name: partner
          remote: {addresses: [federation.partner.example]}
          trustDomain: mesh.partner.example
          clientID: mesh.partner.example/ns/partner-system/sa/prod-egress-service-account
          caCertificate: {configMap: partner-ca-root-cert}
          allowedTenants: [shop]
"#;

const REQUEST: &str = "apiVersion: meshedge.io/v1alpha1\nkind: EdgeRequest\nmetadata:\n  name: federation\nspec:\n  federation:\n    exports:\n      - {service: orders, peer: partner}\n    imports:\n      - {peer: partner, service: rates, namespace: fx, as: fx-rates}\n";

/// `meshedge <command> environments/prod` on the base, the tenants `shop` (which exports and
/// imports) and `blog`, and `patches` appended to the environment.
fn run(command: &str, patches: &str) -> Output {
    let base = Base::managed("ossm2", "v2.5").mesh(FEDERATION).public("        exposure: route\n").text();
    let repo = TempRepo::prod_on(&base);
    repo.tenant("shop").tenant("blog");
    repo.write("base/tenants/shop/federation.yaml", REQUEST);
    repo.write("environments/prod/meshedge.yaml", &format!("{}{patches}", common::PROD_ON_BASE));
    repo.run(command)
}

/// The build fails with `code`, naming `flow` and the patch that broke it.
fn assert_fails(output: &Output, code: &str, flow: &str) {
    let stderr = assert_error(output, code, "meshedge.yaml#patches[0]");
    assert!(stderr.contains(flow), "expected {flow:?} in:\n{stderr}");
}

#[test]
fn the_federation_flows_are_reported_and_pass_as_generated() {
    let output = run("build", "");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let flows = run("flows", "");
    let text = String::from_utf8_lossy(&flows.stdout);
    let host = "fx-rates.shop.svc.partner-imports.local";
    for line in [
        "peer/partner → service/shop/orders".to_string(),
        "peer/partner → service/shop/*".to_string(),
        format!("namespace/shop → {host}"),
        format!("namespace/blog → {host}"),
    ] {
        assert!(text.lines().any(|l| l.contains("federation") && l.contains(&line)), "{line} in:\n{text}");
    }
    let verdict = |flow: &str| text.lines().find(|l| l.contains(flow)).map(|l| l.contains("allowed"));
    assert_eq!(verdict("peer/partner → service/shop/orders"), Some(true));
    assert_eq!(verdict("peer/partner → service/shop/*"), Some(false));
    assert_eq!(verdict(&format!("namespace/blog → {host}")), Some(true), "istiod shows an import mesh-wide");
}

#[test]
fn a_patch_that_drops_an_export_fails_the_build_naming_the_flow() {
    let patch = "patches:\n  - target: {group: federation.maistra.io, kind: ExportedServiceSet, name: partner}\n    merge:\n      spec:\n        exportRules: [{type: NameSelector, nameSelector: {namespace: shop, name: other}}]\n";
    assert_fails(&run("build", patch), "E801", "peer/partner → service/shop/orders");
}

#[test]
fn a_patch_that_exports_every_service_fails_the_build_naming_the_flow() {
    let patch = "patches:\n  - target: {group: federation.maistra.io, kind: ExportedServiceSet, name: partner}\n    merge:\n      spec:\n        exportRules: [{type: NameSelector, nameSelector: {namespace: shop, name: \"*\"}}]\n";
    assert_fails(&run("build", patch), "E802", "peer/partner → service/shop/*");
}

#[test]
fn a_patch_that_drops_an_import_fails_the_build_naming_the_flow() {
    let patch = "patches:\n  - target: {group: federation.maistra.io, kind: ImportedServiceSet, name: partner}\n    merge:\n      spec:\n        importRules: []\n";
    assert_fails(&run("build", patch), "E801", "namespace/shop → fx-rates.shop.svc.partner-imports.local");
}
