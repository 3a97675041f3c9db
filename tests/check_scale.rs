//! `meshedge check` on a few thousand objects that all conflict with each other: each finding
//! names a few of the others and counts the rest, so the report grows with the number of
//! objects, not with its square; no message is longer than docs/reference.md allows.

mod common;

use std::fmt::Write as _;

use common::{meshedge, write_file};
use serde_json::Value;

/// `gateways` Gateways on one workload that all serve `*` (and one host of their own) on port
/// 80, and `services` mesh VirtualServices that all define one host.
fn crowd(gateways: usize, services: usize) -> String {
    let mut text = String::new();
    for i in 0..gateways {
        let _ = write!(
            text,
            "---\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {{name: g{i}, namespace: a}}\n\
             spec:\n  selector: {{istio: ingressgateway}}\n  servers:\n  \
             - port: {{number: 80, name: http, protocol: HTTP}}\n    hosts: [\"*\", \"h{i}.example.com\"]\n"
        );
    }
    for i in 0..services {
        let _ = write!(
            text,
            "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: v{i}, namespace: a}}\n\
             spec:\n  hosts: [shop.example.com]\n  http:\n  - route:\n    - destination: {{host: shop.example.com}}\n"
        );
    }
    text
}

/// The most characters docs/reference.md allows a message (plus the `…` that marks a cut).
const MESSAGE_CHARS: usize = 1001;

#[test]
fn thousands_of_conflicting_objects_give_a_report_linear_in_their_number() {
    let dir = tempfile::tempdir().unwrap();
    let (gateways, services) = (2000, 1000);
    write_file(&dir.path().join("crowd/all.yaml"), &crowd(gateways, services));

    let out = meshedge(dir.path(), &["check", "crowd", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let diagnostics = report["environments"][0]["diagnostics"].as_array().expect("diagnostics");
    let count = |code: &str| diagnostics.iter().filter(|d| d["code"] == code).count();
    assert_eq!(count("A604"), gateways, "each Gateway once");
    assert_eq!(count("A603"), services, "each VirtualService once");
    let a604 = diagnostics.iter().find(|d| d["code"] == "A604").unwrap()["message"].as_str().unwrap();
    assert!(
        a604.ends_with(&format!("and {} more on the same workload (selector `istio=ingressgateway`)", gateways - 4)),
        "{a604}"
    );
    let a603 = diagnostics.iter().find(|d| d["code"] == "A603").unwrap()["message"].as_str().unwrap();
    assert!(a603.contains(&format!("and {} more", services - 3)), "{a603}");
    for d in diagnostics {
        let message = d["message"].as_str().unwrap();
        assert!(message.chars().count() <= MESSAGE_CHARS, "{} characters: {message:.200}", message.chars().count());
    }
    // Before, each of the 3,000 findings named every other object: ~16 KB each.
    let per_finding = out.stdout.len() / diagnostics.len();
    assert!(per_finding < 1_000, "{per_finding} bytes of JSON per finding");

    for (format, most) in [("sarif", 2_500), ("text", 1_000), ("github", 1_000)] {
        let out = meshedge(dir.path(), &["check", "crowd", "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        let size = out.stdout.len() + out.stderr.len();
        assert!(size / diagnostics.len() < most, "{format}: {} bytes per finding", size / diagnostics.len());
        let longest = String::from_utf8_lossy(&out.stdout).lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(longest < 2 * MESSAGE_CHARS, "{format}: a line of {longest} characters");
    }
}

#[test]
fn a_long_message_is_cut_in_json_as_in_text() {
    // One server listing 400 hosts that another Gateway serves too: the message quotes a few.
    let dir = tempfile::tempdir().unwrap();
    let hosts: Vec<String> = (0..400).map(|i| format!("\"host-number-{i}.example.com\"")).collect();
    let gateway = |name: &str| {
        format!(
            "---\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {{name: {name}, namespace: a}}\n\
             spec:\n  selector: {{istio: ingressgateway}}\n  servers:\n  \
             - port: {{number: 80, name: http, protocol: HTTP}}\n    hosts: [{}]\n",
            hosts.join(", ")
        )
    };
    write_file(&dir.path().join("two/all.yaml"), &format!("{}{}", gateway("a"), gateway("b")));
    let out = meshedge(dir.path(), &["check", "two", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    for d in report["environments"][0]["diagnostics"].as_array().unwrap() {
        let message = d["message"].as_str().unwrap();
        assert!(message.chars().count() <= MESSAGE_CHARS, "{} characters", message.chars().count());
    }
}
