//! Small repositories for the end-to-end tests of one input: a base layer assembled from its
//! parts ([`Base`]), tenants and requests written beside it ([`TempRepo::tenant`]), `meshedge
//! <command> environments/prod` on it ([`TempRepo::run`]), and the checks of a refused build
//! ([`assert_error`]).

use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

use super::TempRepo;

/// The base layer of the small repositories: an `ossm2` or `istio` mesh on OpenShift 4.16 with
/// the ingress gateway `public` (`apps.example.com`), and what a test adds to it.
#[derive(Debug, Clone)]
pub struct Base {
    flavor: &'static str,
    control_plane: String,
    mesh: String,
    public: String,
    gateways: String,
    settings: String,
}

impl Base {
    /// `flavor: ossm2`, a control plane meshedge does not manage (`manage: false`).
    pub fn ossm2() -> Base {
        Base {
            flavor: "ossm2",
            control_plane: "      manage: false\n".into(),
            mesh: String::new(),
            public: String::new(),
            gateways: String::new(),
            settings: String::new(),
        }
    }

    /// A managed control plane of `flavor` in `istio-system`, at `version`.
    pub fn managed(flavor: &'static str, version: &str) -> Base {
        let control_plane = format!("      namespace: istio-system\n      version: {version}\n      manage: true\n");
        Base { flavor, control_plane, ..Base::ossm2() }
    }

    /// `text` under `settings.mesh`, after `controlPlane` (indented by four spaces).
    pub fn mesh(mut self, text: &str) -> Base {
        self.mesh.push_str(text);
        self
    }

    /// `text` appended to the gateway `public` (keys indented by eight spaces).
    pub fn public(mut self, text: &str) -> Base {
        self.public.push_str(text);
        self
    }

    /// `text` appended to `settings.ingress.gateways`, after `public` (items indented by six).
    pub fn gateways(mut self, text: &str) -> Base {
        self.gateways.push_str(text);
        self
    }

    /// `text` appended to `settings`, after `ingress` (keys indented by two spaces).
    pub fn settings(mut self, text: &str) -> Base {
        self.settings.push_str(text);
        self
    }

    /// The layer's text, for `base/meshedge.yaml`.
    pub fn text(&self) -> String {
        let Base { flavor, control_plane, mesh, public, gateways, settings } = self;
        format!(
            r#"apiVersion: meshedge.io/v1alpha1
kind: Layer
metadata:
  name: base
settings:
  mesh:
    flavor: {flavor}
    controlPlane:
{control_plane}{mesh}  cluster:
    openshiftVersion: "4.16"
  ingress:
    defaultGateway: public
    gateways:
      - name: public
        namespace: istio-ingress
        selector: {{istio: ingressgateway}}
        domain: apps.example.com
        allowedHosts: ["*.apps.example.com"]
        certificateIssuer: {{kind: ClusterIssuer, name: public-ca}}
{public}{gateways}{settings}"#
        )
    }
}

/// The Tenant `name`, owning the namespace `name`.
pub fn tenant(name: &str) -> String {
    format!(
        "apiVersion: meshedge.io/v1alpha1\nkind: Tenant\nmetadata:\n  name: {name}\nspec:\n  namespaces: [{name}]\n"
    )
}

impl TempRepo {
    /// Writes the Tenant `name` at `base/tenants/<name>/tenant.yaml`.
    pub fn tenant(&self, name: &str) -> &TempRepo {
        self.write(&format!("base/tenants/{name}/tenant.yaml"), &tenant(name))
    }

    /// `meshedge <command> environments/prod --root <repository>`.
    pub fn run(&self, command: &str) -> Output {
        Command::cargo_bin("meshedge")
            .expect("the meshedge binary")
            .args([command, "environments/prod", "--root"])
            .arg(self.root())
            .output()
            .expect("meshedge runs")
    }

    /// `meshedge build environments/prod`.
    pub fn build(&self) -> Output {
        self.run("build")
    }
}

/// The YAML documents a build printed.
pub fn documents(stdout: &[u8]) -> Vec<Value> {
    let text = String::from_utf8_lossy(stdout);
    text.split("\n---\n")
        .filter(|d| !d.trim().is_empty())
        .map(|d| serde_norway::from_str(d.trim_start_matches("---\n")).expect("YAML"))
        .collect()
}

/// `--> <file>:<line>:<column>` of the first `needle` in `text`.
pub fn location(file: &str, text: &str, needle: &str) -> String {
    let (line, found) = text.lines().enumerate().find(|(_, l)| l.contains(needle)).expect("the needle is there");
    format!("--> {file}:{}:{}", line + 1, found.find(needle).expect("found") + 1)
}

/// `--> <file>:<line>:<column>` of `key` on the last line of `text` that contains `line`.
pub fn location_on_line(file: &str, text: &str, line: &str, key: &str) -> String {
    let (number, l) = text.lines().enumerate().filter(|(_, l)| l.contains(line)).last().expect("the line is there");
    format!("--> {file}:{}:{}", number + 1, l.find(key).expect("the key is on it") + 1)
}

/// A refused run: exit status 1, nothing on stdout, and on stderr `error[<code>]: `, `file`
/// (a file name or a `--> file:line:col` location) and a `help: ` line. Returns stderr.
pub fn assert_error(output: &Output, code: &str, file: &str) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty(), "stdout must stay empty");
    assert_mentions(&stderr, &[&format!("error[{code}]: "), file, "help: "]);
    stderr
}

/// [`assert_error`] at `at`, and each of `fragments` on stderr too. Returns stderr.
pub fn assert_refused(output: &Output, code: &str, at: &str, fragments: &[&str]) -> String {
    let stderr = assert_error(output, code, at);
    assert_mentions(&stderr, fragments);
    stderr
}

/// Each of `fragments` is in `stderr`.
pub fn assert_mentions(stderr: &str, fragments: &[&str]) {
    for fragment in fragments {
        assert!(stderr.contains(fragment), "expected {fragment:?} in:\n{stderr}");
    }
}
