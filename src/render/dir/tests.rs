use super::marker::{MARKER_HEAD, is_plain_name, parse_marker, sha256};
use super::write::remove_output;
use super::*;
use crate::diagnostic::ResourceRef;
use crate::render::{Form, Object};

#[test]
fn markers_read_back_and_refuse_paths_that_leave_the_directory() {
    let sum = sha256(b"x");
    let text = format!("{MARKER_HEAD}{sum}  ns/configmap-a.yaml\n");
    assert_eq!(parse_marker(&text).unwrap().get("ns/configmap-a.yaml"), Some(&sum));
    for path in ["../x.yaml", "/etc/passwd", "a//b", "a/./b", MARKER, "a\\b"] {
        assert!(parse_marker(&format!("{sum}  {path}\n")).is_none(), "{path}");
    }
    assert!(parse_marker("not a listing\n").is_none());
}

#[test]
fn a_swapped_out_output_goes_except_what_meshedge_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let old = tmp.path().join("old");
    let files = [("a/x.yaml", "x: 1\n"), ("a/y.yaml", "y: 1\n"), ("b/z.yaml", "z: 1\n")];
    let mut marker = String::from(MARKER_HEAD);
    for (path, text) in files {
        std::fs::create_dir_all(old.join(path).parent().unwrap()).unwrap();
        std::fs::write(old.join(path), text).unwrap();
        marker.push_str(&format!("{}  {path}\n", sha256(text.as_bytes())));
    }
    std::fs::write(old.join(MARKER), &marker).unwrap();
    // Changed and added after the check.
    std::fs::write(old.join("a/y.yaml"), "y: 2\n").unwrap();
    std::fs::write(old.join("b/mine.txt"), "mine\n").unwrap();
    assert!(!remove_output(&old));
    let mut left: Vec<String> = walkdir::WalkDir::new(&old)
        .into_iter()
        .map(|e| e.unwrap().path().strip_prefix(&old).unwrap().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["", "a", "a/y.yaml", "b", "b/mine.txt"]);
    std::fs::remove_file(old.join("a/y.yaml")).unwrap();
    std::fs::remove_file(old.join("b/mine.txt")).unwrap();
    std::fs::write(old.join(MARKER), &marker).unwrap();
    assert!(remove_output(&old));
    assert!(!old.exists());
}

fn object(api_version: &str, kind: &str, namespace: Option<&str>, name: &str) -> Object {
    Object {
        reference: ResourceRef {
            api_version: api_version.into(),
            kind: kind.into(),
            namespace: namespace.map(str::to_string),
            name: name.into(),
        },
        origin: None,
        sources: vec!["base/resources/x.yaml".into()],
        start: None,
        tenant: None,
        patched_by: Vec::new(),
        changes: Vec::new(),
        form: Form::Yaml,
        text: String::new(),
    }
}

#[test]
fn each_object_gets_a_file_of_its_own() {
    let objects = [
        object("networking.istio.io/v1", "Gateway", Some("gw"), "web"),
        object("gateway.networking.k8s.io/v1", "Gateway", Some("gw"), "web"),
        object("v1", "Namespace", None, "gw"),
        object("networking.istio.io/v1", "Gateway", Some("gw"), "api"),
    ];
    assert_eq!(
        object_files(&objects, Form::Json).unwrap(),
        [
            "gw/gateway.networking.istio.io-web.json",
            "gw/gateway.gateway.networking.k8s.io-web.json",
            "_cluster/namespace-gw.json",
            "gw/gateway-api.json",
        ]
    );
    // Kinds that differ only in case, in one group: refused rather than overwritten.
    let clash = [object("example.com/v1", "Thing", Some("a"), "x"), object("example.com/v1", "THING", Some("a"), "x")];
    assert!(matches!(object_files(&clash, Form::Yaml), Err(DirError::Unwritable(_))));
    let odd = [object("v1", "ConfigMap", Some("a"), "../../etc")];
    let Err(DirError::Unwritable(d)) = object_files(&odd, Form::Yaml) else { panic!("refused") };
    assert_eq!((d.code.as_str(), d.location.map(|l| l.file)), ("E904", Some("base/resources/x.yaml".to_string())));
}

#[test]
fn names_that_are_not_file_names_are_refused() {
    for name in ["", ".", "..", "a/b", "a\\b", "a\nb"] {
        assert!(!is_plain_name(name), "{name:?}");
    }
    assert!(is_plain_name("public-shop.apps.example.com"));
}
