//! Synthetic repositories for benchmarks and side-by-side comparisons.
//!
//! This module owns one thing: writing a complete, valid meshedge repository of any size to a
//! directory, deterministically (the same [`Options`] always give the same files, byte for byte).
//! It is used by `benches/build.rs` and by `examples/synth.rs`
//! (`cargo run --release --example synth -- DIR TENANTS [VARIANT]`).
//!
//! The repository exercises the whole pipeline:
//!
//! - `base/meshedge.yaml`: an `ossm2` control plane managed by meshedge; a `public` ingress
//!   gateway (OpenShift Route exposure, cert-manager issuer), an `internal` ingress gateway
//!   (LoadBalancer exposure, deployed by meshedge), an `egress` gateway; SLA classes `gold` and
//!   `bronze`; every enforcement switched on.
//! - `base/resources/`: the gateway namespaces and a ConfigMap, passed through.
//! - `environments/prod/meshedge.yaml`: domains and wildcard `allowedHosts` for both ingress
//!   gateways, the tenant-owned gateways of the tenants that check tokens (LoadBalancer exposure,
//!   deployed by meshedge), egress IPs and a node selector, `egress.allowedHosts:
//!   ["*.partner.example"]`, and
//!   patches that all match: a JSON patch on every public `Gateway`, a merge patch on the internal
//!   gateway's `Deployment`, and a patch file.
//! - `base/tenants/t<i>/` for every tenant `i` in `0..tenants`:
//!   - `tenant.yaml` (every fifth tenant owns a second namespace, `t<i>-batch`);
//!   - `web.yaml`: the public host `t<i>-web` with two routes (`/api`, `/`); every third tenant
//!     stamps the `gold` SLA class, every seventh requires a JWT (the odd ones re-verify it)
//!     and serves the host through a gateway of its own, `t<i>-edge` in its namespace (a token
//!     check applies to every host of its gateway, so meshedge refuses it on a shared one);
//!   - `partner.yaml`: egress to its own `t<i>.partner.example` with TLS origination, verified
//!     against its own CA secret `t<i>-partner-ca` (a secret belongs to one tenant); every other
//!     tenant routes it by SLA class;
//!   - `internal.yaml` (every fourth tenant): the host `t<i>-admin` on the internal gateway, plus
//!     (every eighth tenant) the TLS passthrough host `t<i>-pay` on the public gateway;
//!   - `shared.yaml` (every third tenant): egress to the shared `api.partner.example`, with the
//!     same settings in every tenant (one ServiceEntry exported to all of them; no secret, as a
//!     shared host cannot carry one tenant's secret).
//! - `environments/prod/tenants/t<i>/`: every tenth tenant overlays its `partner` request
//!   (`i % 10 == 5`) or adds a production-only `status` request (`i % 10 == 7`).
//!
//! Every tenant yields at least ten objects (its hosts and egress objects, and per namespace two
//! NetworkPolicies, an EgressFirewall, a Role and a RoleBinding).
//!
//! [`Options::variant`] makes a second revision of the same repository: variant `v > 0` changes
//! the `/api` route timeout of tenant `(v - 1) % tenants` from `10s` to `<10 + v>s`, so revision A
//! (variant 0) and revision B differ in exactly one input file and one generated VirtualService.
//! Every variant writes the same set of files; files already in the directory that are not part of
//! the repository are left alone.

use std::fs;
use std::io;
use std::path::Path;

/// What to generate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Number of tenants, at least 1.
    pub tenants: usize,
    /// 0 for the reference revision; any other value changes exactly one request.
    pub variant: u32,
}

/// The environment directory of a synthetic repository, relative to its root.
pub const ENVIRONMENT: &str = "environments/prod";

/// Writes the reference revision (variant 0) of a repository with `tenants` tenants into `dir`.
pub fn write_repo(dir: &Path, tenants: usize) -> io::Result<()> {
    write_repo_with(dir, &Options { tenants, variant: 0 })
}

/// Writes a repository described by `options` into `dir` (created if needed).
pub fn write_repo_with(dir: &Path, options: &Options) -> io::Result<()> {
    if options.tenants == 0 {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "a synthetic repository needs at least one tenant"));
    }
    write(dir, "base/meshedge.yaml", BASE)?;
    write(dir, "base/resources/namespaces.yaml", NAMESPACES)?;
    let own_gateways: String = (0..options.tenants).filter(|i| checks_tokens(*i)).map(own_gateway).collect();
    write(dir, "environments/prod/meshedge.yaml", &PROD.replace(OWN_GATEWAYS, &own_gateways))?;
    write(dir, "environments/prod/patches/hardening.yaml", HARDENING)?;
    let changed = (options.variant != 0).then(|| (options.variant as usize - 1) % options.tenants);
    for i in 0..options.tenants {
        let api_timeout = match changed {
            Some(t) if t == i => 10 + u64::from(options.variant),
            _ => 10,
        };
        write_tenant(dir, i, api_timeout)?;
    }
    Ok(())
}

/// The name of tenant `i` (also its first namespace).
pub fn tenant_name(i: usize) -> String {
    format!("t{i}")
}

/// Whether tenant `i` requires a JWT on its web host (and so has a gateway of its own).
fn checks_tokens(i: usize) -> bool {
    i % 7 == 0
}

/// The settings item of tenant `i`'s own gateway, `t<i>-edge` in namespace `t<i>`.
fn own_gateway(i: usize) -> String {
    let t = tenant_name(i);
    format!(
        "      - name: {t}-edge\n        namespace: {t}\n        tenant: {t}\n        \
         selector: {{istio: {t}-edge}}\n        service: {t}-edge\n        exposure: loadBalancer\n        \
         deploy: true\n        domain: apps.prod.example.com\n        allowedHosts: [\"{t}-web.apps.prod.example.com\"]\n        \
         certificateIssuer: {{kind: ClusterIssuer, name: public-ca}}\n"
    )
}

/// Where [`PROD`] takes the tenant-owned gateways.
const OWN_GATEWAYS: &str = "      # tenant-owned gateways\n";

fn write(dir: &Path, relative: &str, contents: &str) -> io::Result<()> {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, contents)
}

fn write_tenant(dir: &Path, i: usize, api_timeout: u64) -> io::Result<()> {
    let t = tenant_name(i);
    let base = format!("base/tenants/{t}");
    let env = format!("{ENVIRONMENT}/tenants/{t}");

    let namespaces = if i % 5 == 0 { format!("[{t}, {t}-batch]") } else { format!("[{t}]") };
    write(
        dir,
        &format!("{base}/tenant.yaml"),
        &format!(
            "apiVersion: meshedge.io/v1alpha1\nkind: Tenant\nmetadata:\n  name: {t}\nspec:\n  namespaces: {namespaces}\n"
        ),
    )?;

    let mut web = request_header("web", None);
    web.push_str("  ingress:\n");
    let gateway = if checks_tokens(i) { format!("{t}-edge") } else { "public".to_string() };
    web.push_str(&format!("    - host: {t}-web\n      gateway: {gateway}\n      tls: simple\n"));
    if i % 3 == 0 {
        web.push_str("      slaClass: gold\n");
    }
    if checks_tokens(i) {
        web.push_str(&format!(
            "      jwt:\n        issuer: https://sso.example.com/realms/{t}\n        \
             jwksUri: https://sso.example.com/realms/{t}/protocol/openid-connect/certs\n        \
             audiences: [{t}-web]\n"
        ));
        // Odd tenants only: an even one may have a passthrough host in its namespace, where the
        // namespace-wide check of `reverify` would refuse its connections (E458).
        if i % 14 == 7 {
            web.push_str("        reverify: true\n");
        }
    }
    web.push_str(&format!(
        "      routes:\n        - {{path: /, service: {t}-web, port: 8080}}\n        \
         - {{path: /api, service: {t}-api, port: 8080, timeout: {api_timeout}s}}\n"
    ));
    write(dir, &format!("{base}/web.yaml"), &web)?;

    write(dir, &format!("{base}/partner.yaml"), &partner_request(i, i % 2 == 0))?;

    if i % 4 == 0 {
        let mut internal = request_header("internal", None);
        internal.push_str("  ingress:\n");
        internal.push_str(&format!(
            "    - host: {t}-admin\n      gateway: internal\n      routes:\n        \
             - {{path: /, service: {t}-admin, port: 8080, timeout: 30s}}\n"
        ));
        if i % 8 == 0 {
            internal.push_str(&format!(
                "    - host: {t}-pay\n      gateway: public\n      tls: passthrough\n      routes:\n        \
                 - {{service: {t}-pay, port: 8443}}\n"
            ));
        }
        write(dir, &format!("{base}/internal.yaml"), &internal)?;
    }

    if i % 3 == 0 {
        let mut shared = request_header("shared", None);
        shared.push_str(
            "  egress:\n    - host: api.partner.example\n      port: 443\n      tls: originate\n      \
             slaClasses: [gold, bronze]\n",
        );
        write(dir, &format!("{base}/shared.yaml"), &shared)?;
    }

    match i % 10 {
        // Production overlay: the partner host is routed by SLA class here, whatever base says.
        5 => write(dir, &format!("{env}/partner.yaml"), &partner_request(i, true))?,
        // Production-only request.
        7 => {
            let mut status = request_header("status", Some(&t));
            status.push_str(&format!(
                "  ingress:\n    - host: {t}-status\n      routes:\n        - {{path: /, service: {t}-status, port: 8080}}\n"
            ));
            write(dir, &format!("{env}/status.yaml"), &status)?;
        }
        _ => {}
    }
    Ok(())
}

fn request_header(name: &str, namespace: Option<&str>) -> String {
    let mut s = format!("apiVersion: meshedge.io/v1alpha1\nkind: EdgeRequest\nmetadata:\n  name: {name}\n");
    if let Some(namespace) = namespace {
        s.push_str(&format!("  namespace: {namespace}\n"));
    }
    s.push_str("spec:\n");
    s
}

fn partner_request(i: usize, sla: bool) -> String {
    let mut s = request_header("partner", None);
    s.push_str(&format!(
        "  egress:\n    - host: {t}.partner.example\n      port: 443\n      tls: originate\n      caSecret: {t}-partner-ca\n",
        t = tenant_name(i)
    ));
    if sla {
        s.push_str("      slaClasses: [gold, bronze]\n");
    }
    s
}

const BASE: &str = "\
# Synthetic repository (meshedge_testkit::synth): the base layer.
apiVersion: meshedge.io/v1alpha1
kind: Layer
metadata:
  name: base
settings:
  mesh:
    flavor: ossm2
    controlPlane:
      namespace: istio-system
      name: basic
      version: v2.5
      manage: true
    outboundTrafficPolicy: REGISTRY_ONLY
    mtls: STRICT
  ingress:
    defaultGateway: public
    gateways:
      - name: public
        namespace: istio-ingress
        selector: {istio: ingressgateway}
        service: istio-ingressgateway
        exposure: route
        certificateIssuer: {kind: ClusterIssuer, name: public-ca}
      - name: internal
        namespace: istio-internal
        selector: {istio: internal-ingressgateway}
        service: internal-ingressgateway
        exposure: loadBalancer
        deploy: true
        certificateIssuer: {kind: ClusterIssuer, name: internal-ca}
  egress:
    defaultGateway: egress
    gateways:
      - name: egress
        namespace: istio-egress
        selector: {istio: egressgateway}
        service: istio-egressgateway
    slaHeader: x-sla-class
    slaClasses:
      - name: gold
        connectionPool:
          tcp: {maxConnections: 100}
          http: {http1MaxPendingRequests: 100}
        outlierDetection: {consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s}
      - name: bronze
        connectionPool:
          tcp: {maxConnections: 5}
          http: {http1MaxPendingRequests: 1}
    defaultSlaClass: bronze
  enforcement:
    networkPolicies: true
    denyRoutes: true
    requireSidecar: true
    egressFirewall: ovn
  cluster:
    openshiftVersion: \"4.18\"
";

const NAMESPACES: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: istio-ingress
  labels: {app.kubernetes.io/part-of: mesh-edge}
---
apiVersion: v1
kind: Namespace
metadata:
  name: istio-internal
  labels: {app.kubernetes.io/part-of: mesh-edge}
---
apiVersion: v1
kind: Namespace
metadata:
  name: istio-egress
  labels: {app.kubernetes.io/part-of: mesh-edge}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: trusted-ca-bundle
  namespace: istio-egress
  labels: {config.openshift.io/inject-trusted-cabundle: \"true\"}
";

const PROD: &str = "\
# Synthetic repository (meshedge_testkit::synth): the production environment.
apiVersion: meshedge.io/v1alpha1
kind: Environment
metadata:
  name: prod
bases: [../../base]
settings:
  ingress:
    gateways:
      - name: public
        domain: apps.prod.example.com
        allowedHosts: [\"*.apps.prod.example.com\"]
      - name: internal
        domain: internal.prod.example.com
        allowedHosts: [\"*.internal.prod.example.com\"]
      # tenant-owned gateways
  egress:
    gateways:
      - name: egress
        egressIPs: [192.0.2.10, 192.0.2.11]
        nodeSelector: {node-role.kubernetes.io/egress: \"\"}
    allowedHosts: [\"*.partner.example\"]
patches:
  - target: {group: networking.istio.io, kind: Gateway, namespace: istio-ingress}
    json:
      - {op: add, path: /metadata/annotations/example.com~1owner, value: platform-edge}
  - target: {kind: Deployment, name: internal-ingressgateway, namespace: istio-internal}
    merge:
      spec:
        replicas: 3
  - file: patches/hardening.yaml
";

const HARDENING: &str = "\
target: {version: v1, kind: Namespace, labelSelector: \"app.kubernetes.io/part-of=mesh-edge\"}
merge:
  metadata:
    labels:
      pod-security.kubernetes.io/warn: restricted
---
target: {group: apps, kind: Deployment, name: internal-ingressgateway, namespace: istio-internal}
json:
  - op: add
    path: /spec/strategy
    value:
      type: RollingUpdate
      rollingUpdate: {maxUnavailable: 0, maxSurge: 1}
";
