//! The tenancy boundary as a property (§5): over generated repositories — several tenants with
//! random namespaces, requests with random hosts, gateways, TLS modes, secrets, tokens and logins,
//! random mesh and enforcement settings — built in memory:
//!
//! - every build that succeeds puts each object derived from a tenant's request in one of that
//!   tenant's namespaces, or in the namespace the platform decided for it (the gateway its request
//!   uses; the control plane's for an external host without a gateway): never in another tenant's
//!   namespace, never in a reserved namespace other than that gateway's, never cluster-scoped;
//! - a repository with a hostile tenant (a reserved namespace, one outside `allowedNamespaces`,
//!   a directory name that is not a DNS label) never builds, and says why with the right code;
//! - a repository without one never trips those codes.
//!
//! Tenant attribution comes from the generator itself (the `tenant` of each generated object,
//! and the request files among its sources), cross-checked with the tenant marker the object
//! carries in its output (`meshedge.io/tenant`, as a label or an annotation). `PROPTEST_CASES`
//! raises the number of repositories (64 by default).

use std::collections::{BTreeMap, BTreeSet};
use std::io;

use meshedge::compiler;
use meshedge::source::{EntryKind, Source, Tree};
use meshedge::stages::{self, Generated, Loader, Pending, Resource};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

const ENV: &str = "environments/prod";
const API: &str = "apiVersion: meshedge.io/v1alpha1";

/// A repository held in memory: repo-relative file path → text.
struct Memory(BTreeMap<String, String>);

impl Source for Memory {
    fn describe(&self) -> String {
        "memory".into()
    }

    fn entry(&self, path: &str) -> io::Result<Option<EntryKind>> {
        if self.0.contains_key(path) {
            return Ok(Some(EntryKind::File));
        }
        let prefix = if path.is_empty() { String::new() } else { format!("{path}/") };
        Ok(self.0.keys().any(|k| k.starts_with(&prefix)).then_some(EntryKind::Dir))
    }

    fn list(&self, dir: &str) -> io::Result<Vec<(String, EntryKind)>> {
        let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
        let mut out: BTreeMap<String, EntryKind> = BTreeMap::new();
        for key in self.0.keys().filter_map(|k| k.strip_prefix(&prefix)) {
            match key.split_once('/') {
                Some((child, _)) => out.insert(child.to_string(), EntryKind::Dir),
                None => out.insert(key.to_string(), EntryKind::File),
            };
        }
        Ok(out.into_iter().collect())
    }

    fn read(&self, file: &str) -> io::Result<Vec<u8>> {
        self.0.get(file).map(|t| t.clone().into_bytes()).ok_or_else(|| io::ErrorKind::NotFound.into())
    }
}

// --- The model of a repository ----------------------------------------------------------------

#[derive(Debug, Clone)]
struct Ingress {
    /// 0: `t<i>-<k>`, 1: `www` (shared), 2: `*.t<i>.internal.example.com`, 3: a name under another
    /// tenant's wildcard, 4: `*.t0.pay.example.com` on the gateway tenant 0 owns (for the other
    /// tenants, or without that gateway, as 2).
    host: u8,
    k: u8,
    /// 0: public, 1: internal, 2: the gateway tenant 0 owns.
    gateway: u8,
    /// 0: simple, 1: mutual, 2: passthrough, 3: none.
    tls: u8,
    /// 0: none, 1: its own secret, 2: a secret every tenant names.
    credential: u8,
    jwt: Option<bool>,
    login: bool,
    sla: bool,
}

#[derive(Debug, Clone)]
struct Egress {
    /// 0: `api.partner.example` (shared), 1: `t<i>.partner.example`, 2: `feed.partner.example`.
    host: u8,
    /// 0: originate, 1: mutual, 2: passthrough, 3: none.
    tls: u8,
    direct: bool,
    ca: bool,
    sla: bool,
}

impl Egress {
    /// Without a gateway (mutual TLS and SLA classes live at the egress gateway).
    fn is_direct(&self) -> bool {
        self.direct && self.tls % 4 != 1 && !self.sla
    }
}

#[derive(Debug, Clone)]
struct RequestModel {
    /// Index into the tenant's namespaces (`None`: the default).
    namespace: Option<usize>,
    ingress: Vec<Ingress>,
    egress: Vec<Egress>,
}

#[derive(Debug, Clone)]
struct TenantModel {
    /// Suffixes: 0 → `t<i>`, 1 → `t<i>-a`, 2 → `t<i>-b`, 3 → `shared`.
    namespaces: Vec<u8>,
    tenant_doc: bool,
    requests: Vec<RequestModel>,
}

#[derive(Debug, Clone, PartialEq)]
enum Hostile {
    None,
    /// Tenant 0 also claims this namespace.
    Reserved(&'static str),
    /// Tenant 0 also claims `rogue`, outside `allowedNamespaces`.
    NotAllowed,
    /// An extra tenant directory with this name.
    Directory(&'static str),
    /// Tenant 0 also claims a namespace named for the last tenant (`t<n-1>-x`): refused when
    /// that is another tenant, fair when tenant 0 is alone (in the fixed sample below only, so
    /// that the generator's sample stays the one measured).
    Foreign,
}

#[derive(Debug, Clone)]
struct Model {
    istio: bool,
    manage: bool,
    mesh_system: bool,
    /// 0: route, 1: loadBalancer, 2: none.
    public_exposure: u8,
    public_deploy: bool,
    internal_oidc: bool,
    internal_wildcards: bool,
    /// The internal gateway: `exposure: loadBalancer` (else `none`).
    internal_exposed: bool,
    owned_gateway: bool,
    owned_deploy: bool,
    enforcement: (bool, bool, bool, u8),
    restrict_namespaces: bool,
    reserve_platform: bool,
    tenants: Vec<TenantModel>,
    hostile: Hostile,
}

const RESERVED: [&str; 9] = [
    "kube-system",
    "default",
    "openshift",
    "openshift-config",
    "istio-ingress",
    "istio-internal",
    "istio-egress",
    "control-plane",
    "platform-tools",
];

fn ingress_strategy() -> impl Strategy<Value = Ingress> {
    (0..5u8, 0..3u8, 0..3u8, 0..4u8, 0..3u8, proptest::option::of(any::<bool>()), any::<bool>(), any::<bool>())
        .prop_map(|(host, k, gateway, tls, credential, jwt, login, sla)| Ingress {
            host,
            k,
            gateway,
            tls,
            credential,
            jwt,
            login,
            sla,
        })
}

fn egress_strategy() -> impl Strategy<Value = Egress> {
    (0..3u8, 0..4u8, any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(host, tls, direct, ca, sla)| Egress {
        host,
        tls,
        direct,
        ca,
        sla,
    })
}

fn request_strategy() -> impl Strategy<Value = RequestModel> {
    (
        proptest::option::of(0..3usize),
        proptest::collection::vec(ingress_strategy(), 0..3),
        proptest::collection::vec(egress_strategy(), 0..2),
    )
        .prop_map(|(namespace, ingress, egress)| RequestModel { namespace, ingress, egress })
}

fn tenant_strategy() -> impl Strategy<Value = TenantModel> {
    (
        prop_oneof![4 => Just(vec![0u8]), 2 => Just(vec![0, 1]), 1 => Just(vec![1, 2]), 1 => Just(vec![0, 3])],
        any::<bool>(),
        proptest::collection::vec(request_strategy(), 0..3),
    )
        .prop_map(|(namespaces, tenant_doc, requests)| TenantModel { namespaces, tenant_doc, requests })
}

fn hostile_strategy() -> impl Strategy<Value = Hostile> {
    prop_oneof![
        6 => Just(Hostile::None),
        2 => proptest::sample::select(RESERVED.to_vec()).prop_map(Hostile::Reserved),
        1 => Just(Hostile::NotAllowed),
        1 => proptest::sample::select(vec!["Evil_Tenant", "T0", "t\u{eb}nant"]).prop_map(Hostile::Directory),
    ]
}

fn model_strategy() -> impl Strategy<Value = Model> {
    (
        (any::<bool>(), any::<bool>(), any::<bool>(), 0..3u8, any::<bool>(), any::<bool>(), any::<bool>()),
        (any::<bool>(), any::<bool>(), (any::<bool>(), any::<bool>(), any::<bool>(), 0..3u8), any::<bool>()),
        (any::<bool>(), any::<bool>()),
        proptest::collection::vec(tenant_strategy(), 1..4),
        hostile_strategy(),
    )
        .prop_map(
            |(
                (istio, manage, mesh_system, public_exposure, public_deploy, internal_oidc, internal_wildcards),
                (owned_gateway, owned_deploy, enforcement, internal_exposed),
                (restrict_namespaces, reserve_platform),
                mut tenants,
                hostile,
            )| {
                // Under enforcement tenant pods leave the cluster through the egress gateway only:
                // `gateway: none` is refused there (E428), so no fair repository asks for it.
                let (network, _, _, firewall) = enforcement;
                // On OpenShift Service Mesh the operator's `istio-expose-route-<smcp>` policy,
                // copied into every member, opens a pod labelled `maistra.io/expose-route` to
                // the router: where tenants may create Routes, a pod of theirs reaches the
                // internet (E802, `a_tenant_route_to_a_pod_labelled_expose_route_is_open`).
                // Fair repositories that promise tenant pods shut deny tenants Routes there.
                let mut enforcement = enforcement;
                if !istio && network {
                    enforcement.1 = true;
                }
                if network || firewall % 3 != 2 {
                    for request in tenants.iter_mut().flat_map(|t| t.requests.iter_mut()) {
                        for item in &mut request.egress {
                            item.direct = false;
                        }
                    }
                }
                Model {
                    istio,
                    manage,
                    mesh_system,
                    public_exposure,
                    public_deploy,
                    internal_oidc,
                    internal_wildcards,
                    internal_exposed,
                    owned_gateway,
                    owned_deploy,
                    enforcement,
                    restrict_namespaces,
                    reserve_platform,
                    tenants,
                    hostile,
                }
            },
        )
}

// --- What a model means -----------------------------------------------------------------------

impl Model {
    fn control_plane(&self) -> &'static str {
        if self.mesh_system { "mesh-system" } else { "istio-system" }
    }

    fn namespaces(&self, i: usize) -> Vec<String> {
        let mut out: Vec<String> = self.tenants[i]
            .namespaces
            .iter()
            .map(|s| match s {
                0 => format!("t{i}"),
                1 => format!("t{i}-a"),
                2 => format!("t{i}-b"),
                _ => "shared".to_string(),
            })
            .collect();
        if i == 0 {
            match &self.hostile {
                Hostile::Reserved("control-plane") => out.push(self.control_plane().to_string()),
                Hostile::Reserved(namespace) => out.push(namespace.to_string()),
                Hostile::NotAllowed => out.push("rogue".to_string()),
                Hostile::Foreign => out.push(format!("t{}-x", self.tenants.len().saturating_sub(1))),
                _ => {}
            }
        }
        out
    }

    /// The gateway tenant 0 owns runs in its first namespace.
    fn owned_gateway_namespace(&self) -> Option<String> {
        self.owned_gateway.then(|| self.namespaces(0)[0].clone())
    }

    /// The gateway of tenant `i`'s ingress item: hosts under the internal domain go to the
    /// internal gateway; only tenant 0 owns a gateway.
    fn ingress_gateway(&self, i: usize, item: &Ingress) -> &'static str {
        match (item.host, item.gateway % 3) {
            (4, _) if i == 0 && self.owned_gateway => "own-edge",
            (2..=4, _) | (_, 1) => "internal",
            (_, 2) if i == 0 && self.owned_gateway => "own-edge",
            _ => "public",
        }
    }

    fn ingress_gateway_namespace(&self, gateway: &str) -> Option<String> {
        match gateway {
            "public" => Some("istio-ingress".into()),
            "internal" => Some("istio-internal".into()),
            _ => self.owned_gateway_namespace(),
        }
    }

    /// Whether a host on `gateway` is refused as one nothing exposes outside the cluster (E431):
    /// `exposure: none` on a gateway whose ClusterIP Service meshedge deploys, or declares in the
    /// OpenShift Service Mesh control plane it manages.
    fn unexposed(&self, gateway: &str) -> bool {
        let declared = !self.istio && self.manage;
        match gateway {
            "public" => self.public_exposure % 3 == 2 && (self.public_deploy || declared),
            "internal" => !self.internal_exposed && declared,
            _ => false,
        }
    }

    /// Whether some requested host is on a gateway nothing exposes.
    fn unexposed_host(&self) -> bool {
        self.tenants.iter().enumerate().any(|(i, tenant)| {
            tenant
                .requests
                .iter()
                .flat_map(|r| r.ingress.iter())
                .any(|item| self.unexposed(self.ingress_gateway(i, item)))
        })
    }

    /// Namespaces no tenant may own (the built-in ones are checked by pattern).
    fn reserved(&self, namespace: &str) -> bool {
        namespace == "default"
            || namespace == "openshift"
            || namespace.starts_with("kube-")
            || namespace.starts_with("openshift-")
            || namespace == self.control_plane()
            || ["istio-ingress", "istio-internal", "istio-egress"].contains(&namespace)
            || (self.reserve_platform && namespace.starts_with("platform-"))
    }

    /// The hostile claim and the code it must fail with.
    fn expected_failure(&self) -> Option<&'static str> {
        match self.hostile {
            Hostile::None => None,
            Hostile::Reserved(_) => Some("E440"),
            Hostile::NotAllowed => Some("E441"),
            Hostile::Directory(_) => Some("E442"),
            Hostile::Foreign if self.tenants.len() > 1 => Some("E436"),
            Hostile::Foreign => None,
        }
    }

    fn files(&self) -> BTreeMap<String, String> {
        let mut files = BTreeMap::new();
        files.insert("base/meshedge.yaml".to_string(), self.base());
        files.insert(format!("{ENV}/meshedge.yaml"), self.environment());
        for i in 0..self.tenants.len() {
            self.tenant_files(i, &format!("t{i}"), &mut files);
        }
        if let Hostile::Directory(name) = self.hostile {
            let spec = "  ingress:\n    - host: evil\n      routes:\n        - {path: /, service: web, port: 8080}\n";
            files.insert(format!("base/tenants/{name}/web.yaml"), request("web", None, spec));
        }
        files
    }

    fn base(&self) -> String {
        let flavor = if self.istio { "istio" } else { "ossm2" };
        let version = if self.istio { "v1.24.3" } else { "v2.5" };
        let exposure = ["route", "loadBalancer", "none"][self.public_exposure as usize % 3];
        let mut text = format!(
            "{API}\nkind: Layer\nmetadata:\n  name: base\nsettings:\n  mesh:\n    flavor: {flavor}\n    controlPlane:\n      \
             namespace: {}\n      version: {version}\n      manage: {}\n  ingress:\n    defaultGateway: public\n    gateways:\n      \
             - name: public\n        namespace: istio-ingress\n        selector: {{istio: ingressgateway}}\n        \
             domain: apps.example.com\n        allowedHosts: [\"*.apps.example.com\"]\n        \
             certificateIssuer: {{kind: ClusterIssuer, name: public-ca}}\n        exposure: {exposure}\n        deploy: {}\n      \
             - name: internal\n        namespace: istio-internal\n        selector: {{istio: internal-ingressgateway}}\n        \
             domain: internal.example.com\n        allowedHosts: [\"*.internal.example.com\"]\n        \
             certificateIssuer: {{kind: ClusterIssuer, name: internal-ca}}\n        exposure: {}\n        allowWildcardHosts: {}\n",
            self.control_plane(),
            self.manage,
            self.public_deploy,
            if self.internal_exposed { "loadBalancer" } else { "none" },
            self.internal_wildcards,
        );
        if self.internal_oidc {
            text.push_str(
                "        oidc:\n          issuer: https://sso.example.com/realms/corp\n          clientId: mesh\n          \
                 clientSecretRef: {name: oidc-client, key: secret}\n          cookieSecretRef: {name: oidc-cookie, key: secret}\n",
            );
        }
        if let Some(namespace) = self.owned_gateway_namespace() {
            text.push_str(&format!(
                "      - name: own-edge\n        namespace: {namespace}\n        tenant: t0\n        selector: {{istio: own-edge}}\n        \
                 domain: pay.example.com\n        allowedHosts: [\"*.pay.example.com\"]\n        \
                 certificateIssuer: {{kind: ClusterIssuer, name: public-ca}}\n        exposure: loadBalancer\n        deploy: {}\n        \
                 allowWildcardHosts: true\n",
                self.owned_deploy
            ));
        }
        text.push_str(
            "  egress:\n    defaultGateway: egress\n    gateways:\n      - name: egress\n        namespace: istio-egress\n        \
             selector: {istio: egressgateway}\n    allowedHosts: [\"*.partner.example\"]\n    slaClasses:\n      \
             - name: gold\n        connectionPool: {tcp: {maxConnections: 100}}\n      - name: bronze\n        \
             connectionPool: {tcp: {maxConnections: 5}}\n    defaultSlaClass: bronze\n",
        );
        // OpenShift 4.16: every kind the generator asks for is served there (EgressNetworkPolicy
        // included); admission goes through Gatekeeper (no ValidatingAdmissionPolicy before 4.17).
        text.push_str("  cluster:\n    openshiftVersion: \"4.16\"\n");
        text
    }

    fn environment(&self) -> String {
        let (network, routes, sidecar, firewall) = self.enforcement;
        let firewall = ["ovn", "sdn", "none"][firewall as usize % 3];
        let mut text = format!(
            "{API}\nkind: Environment\nmetadata:\n  name: prod\nbases: [../../base]\nsettings:\n  enforcement:\n    \
             networkPolicies: {network}\n    denyRoutes: {routes}\n    requireSidecar: {sidecar}\n    egressFirewall: {firewall}\n    \
             admission: gatekeeper\n"
        );
        let mut tenants = String::new();
        if self.restrict_namespaces || self.hostile == Hostile::NotAllowed {
            tenants.push_str("    allowedNamespaces: [\"t*\", shared]\n");
        }
        if self.reserve_platform || self.hostile == Hostile::Reserved("platform-tools") {
            tenants.push_str("    reservedNamespaces: [\"platform-*\"]\n");
        }
        if !tenants.is_empty() {
            text.push_str(&format!("  tenants:\n{tenants}"));
        }
        text
    }

    fn tenant_files(&self, i: usize, name: &str, files: &mut BTreeMap<String, String>) {
        let tenant = &self.tenants[i];
        let namespaces = self.namespaces(i);
        let default_namespaces = namespaces == [name.to_string()];
        // The owner of a gateway exists, with or without requests.
        if tenant.tenant_doc || !default_namespaces || (i == 0 && self.owned_gateway) {
            files.insert(
                format!("base/tenants/{name}/tenant.yaml"),
                format!(
                    "{API}\nkind: Tenant\nmetadata:\n  name: {name}\nspec:\n  namespaces: [{}]\n",
                    namespaces.join(", ")
                ),
            );
        }
        for (r, req) in tenant.requests.iter().enumerate() {
            let mut spec = String::new();
            if !req.ingress.is_empty() {
                spec.push_str("  ingress:\n");
                for item in &req.ingress {
                    spec.push_str(&self.ingress_item(i, item));
                }
            }
            if !req.egress.is_empty() {
                spec.push_str("  egress:\n");
                for item in &req.egress {
                    spec.push_str(&egress_item(i, item, self.istio || self.manage));
                }
            }
            if spec.is_empty() {
                spec.push_str("  ingress: []\n");
            }
            let namespace = req.namespace.and_then(|n| namespaces.get(n)).map(String::as_str);
            files.insert(format!("base/tenants/{name}/r{r}.yaml"), request(&format!("r{r}"), namespace, &spec));
        }
    }

    fn ingress_item(&self, i: usize, item: &Ingress) -> String {
        let other = (i + 1) % self.tenants.len().max(1);
        let gateway = self.ingress_gateway(i, item);
        let host = match item.host {
            0 => format!("t{i}-{}", item.k),
            1 => "www".to_string(),
            4 if gateway == "own-edge" => format!("\"*.t{i}.pay.example.com\""),
            2 | 4 => format!("\"*.t{i}.internal.example.com\""),
            _ => format!("x{}.t{other}.internal.example.com", item.k),
        };
        let tls = ["simple", "mutual", "passthrough", "none"][item.tls as usize % 4];
        let mut text = format!("    - host: {host}\n      gateway: {gateway}\n      tls: {tls}\n");
        let credential = match item.credential {
            1 => Some(format!("t{i}-{}-tls", item.k)),
            2 => Some("shared-tls".to_string()),
            // Mutual TLS names its credential: the client CA is read from `<credentialName>-cacert`.
            _ if tls == "mutual" => Some(format!("t{i}-{}-mtls", item.k)),
            _ => None,
        };
        if let Some(credential) = &credential {
            text.push_str(&format!("      credentialName: {credential}\n"));
        }
        if let (true, Some(credential)) = (tls == "mutual", &credential) {
            text.push_str(&format!("      clientCASecret: {credential}-cacert\n"));
        }
        if item.sla {
            text.push_str("      slaClass: gold\n");
        }
        // A token check reaches every host of its gateway (E457) and turns a DENY rule into
        // deny-all on passthrough connections (E458): fair tenants check tokens on a gateway of
        // their own, and never on passthrough hosts.
        let checks = tls != "passthrough";
        if item.login && checks && gateway == "internal" && self.internal_oidc {
            text.push_str("      login: true\n");
        }
        if let Some(reverify) = item.jwt.filter(|_| checks && gateway == "own-edge") {
            text.push_str(&format!(
                "      jwt:\n        issuer: https://sso.example.com/realms/t{i}\n        \
                 jwksUri: https://sso.example.com/realms/t{i}/certs\n        reverify: {reverify}\n"
            ));
        }
        if tls == "passthrough" {
            text.push_str(&format!("      routes:\n        - {{service: t{i}-web, port: 8443}}\n"));
        } else {
            text.push_str(&format!("      routes:\n        - {{path: /, service: t{i}-web, port: 8080}}\n"));
        }
        text
    }
}

/// `verified`: the target verifies an origination without a named CA (Istio 1.24, or a managed
/// OSSM control plane with istiod's flag); elsewhere the generator names a CA, or (without a
/// gateway, where sidecars ignore it) does not originate.
fn egress_item(i: usize, item: &Egress, verified: bool) -> String {
    let host = match item.host {
        0 => "api.partner.example".to_string(),
        1 => format!("t{i}.partner.example"),
        _ => "feed.partner.example".to_string(),
    };
    let mut tls = ["originate", "mutual", "passthrough", "none"][item.tls as usize % 4];
    if tls == "originate" && item.is_direct() && !verified {
        tls = "none";
    }
    let mut text = format!("    - host: {host}\n      tls: {tls}\n");
    if tls == "mutual" {
        text.push_str(&format!("      credentialName: t{i}-client\n"));
    }
    // The gateway reads a server CA from `<credentialName>-cacert` (mutual) or from the secret
    // named as `credentialName` (originate); sidecars read none.
    match tls {
        "mutual" if item.ca => text.push_str(&format!("      caSecret: t{i}-client-cacert\n")),
        "originate" if !item.is_direct() && (item.ca || !verified) => {
            text.push_str(&format!("      caSecret: t{i}-ca-bundle\n"))
        }
        "originate" | "mutual" => {}
        _ if item.ca && !item.is_direct() => text.push_str(&format!("      caSecret: t{i}-ca-bundle\n")),
        _ => {}
    }
    if item.is_direct() {
        text.push_str("      gateway: none\n");
    }
    if item.sla {
        text.push_str("      slaClasses: [gold]\n");
    }
    text
}

fn request(name: &str, namespace: Option<&str>, spec: &str) -> String {
    let namespace = namespace.map(|n| format!("  namespace: {n}\n")).unwrap_or_default();
    format!("{API}\nkind: EdgeRequest\nmetadata:\n  name: {name}\n{namespace}spec:\n{spec}")
}

// --- The property -----------------------------------------------------------------------------

/// The objects generation makes for a repository, each with its tenant as generation attributes it.
fn generated(source: &Memory) -> Vec<Resource> {
    let mut loader = Loader::new(Tree::new(source));
    let (layers, _) = stages::resolve(&mut loader, ENV).expect("the layers resolve");
    let patch_files = stages::load_patch_files(&mut loader, &layers).expect("no patch files");
    let merged = stages::merge(layers, &patch_files).expect("the layers merge");
    let (plan, _) = stages::validate(&merged).expect("a repository that builds validates");
    let mut resources = Vec::new();
    let mut sink = |batch: Vec<Pending>| resources.extend(batch.into_iter().map(Pending::into_resource));
    let mut out = Generated::new(&mut sink);
    stages::generate(&plan, &mut out);
    out.flush();
    drop(out);
    resources
}

/// The tenant marker an output object carries, as a label or an annotation.
fn marker(value: &Value) -> Option<String> {
    ["labels", "annotations"]
        .iter()
        .find_map(|field| value["metadata"][field]["meshedge.io/tenant"].as_str().map(str::to_string))
}

/// The tenants whose request files are among `sources`.
fn request_tenants(sources: &[String], request_files: &BTreeMap<String, String>) -> BTreeSet<String> {
    sources.iter().filter_map(|s| request_files.get(s).cloned()).collect()
}

/// Checks one model; `Ok(true)` when it built.
fn check(model: &Model) -> Result<bool, TestCaseError> {
    let files = model.files();
    let source = Memory(files.clone());
    let expected = model.expected_failure();
    // The flows are reported, not enforced, so that the property about where objects land
    // holds apart from them; the flows are held below.
    let options = compiler::Options { report_flows: true, ..compiler::Options::default() };
    let build = match compiler::compile_with(&source, ENV, &options) {
        Ok(build) => build,
        Err(failed) => {
            let codes: BTreeSet<&str> = failed.diagnostics.iter().map(|d| d.code.as_str()).collect();
            match expected {
                Some(code) => prop_assert!(codes.contains(code), "expected {code}, got:\n{}", failed.render()),
                None => {
                    for code in ["E436", "E437", "E438", "E440", "E441", "E442"] {
                        prop_assert!(!codes.contains(code), "a fair repository tripped {code}:\n{}", failed.render());
                    }
                    prop_assert!(
                        !codes.contains("E431") || model.unexposed_host(),
                        "a host on an exposed gateway tripped E431:\n{}",
                        failed.render()
                    );
                }
            }
            return Ok(false);
        }
    };
    prop_assert!(expected.is_none(), "a hostile tenant built ({:?}):\n{}", model.hostile, build.stream());
    // A host on a gateway nothing exposes never builds (E431).
    prop_assert!(!model.unexposed_host(), "a host on a gateway nothing exposes built:\n{:#?}", model);
    // A fair repository gets every requested flow and nothing else.
    for violation in build.flow_violations.iter() {
        prop_assert!(false, "a fair repository tripped {}: {}\n{:#?}", violation.code, violation.message, model);
    }

    // Who owns what, and where the platform places each tenant's gateway objects.
    let mut owned: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut placed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut request_files: BTreeMap<String, String> = BTreeMap::new();
    for (i, tenant) in model.tenants.iter().enumerate() {
        let name = format!("t{i}");
        owned.insert(name.clone(), model.namespaces(i).into_iter().collect());
        let platform = placed.entry(name.clone()).or_default();
        for (r, req) in tenant.requests.iter().enumerate() {
            request_files.insert(format!("base/tenants/{name}/r{r}.yaml"), name.clone());
            for item in &req.ingress {
                platform.extend(model.ingress_gateway_namespace(model.ingress_gateway(i, item)));
            }
            for item in &req.egress {
                platform.insert(if item.is_direct() { model.control_plane().into() } else { "istio-egress".into() });
            }
        }
    }
    let owner_of = |namespace: &str| owned.iter().find(|(_, ns)| ns.contains(namespace)).map(|(t, _)| t.clone());

    let resources = generated(&source);
    // Generation covers the output exactly: the property speaks of every object built.
    let identities = |refs: Vec<(String, Option<String>, String)>| refs.into_iter().collect::<BTreeSet<_>>();
    let generated_ids = identities(
        resources
            .iter()
            .map(|r| (r.kind().to_string(), r.namespace().map(str::to_string), r.name().to_string()))
            .collect(),
    );
    let built_ids = identities(
        build
            .objects
            .iter()
            .map(|o| (o.kind().to_string(), o.namespace().map(str::to_string), o.name().to_string()))
            .collect(),
    );
    prop_assert_eq!(&generated_ids, &built_ids);
    let markers: BTreeMap<(String, Option<String>, String), Option<String>> = build
        .objects
        .iter()
        .map(|o| ((o.kind().to_string(), o.namespace().map(str::to_string), o.name().to_string()), marker(&o.value())))
        .collect();

    for resource in &resources {
        let id = (resource.kind().to_string(), resource.namespace().map(str::to_string), resource.name().to_string());
        let shown = resource.display();
        prop_assert_eq!(markers.get(&id).cloned().flatten(), resource.tenant.clone(), "tenant marker of {}", shown);
        let from_requests = request_tenants(&resource.sources, &request_files);
        match &resource.tenant {
            // A tenant's own Namespace object is the boundary itself, not an object beyond it.
            Some(tenant)
                if resource.kind() == "Namespace"
                    && resource.namespace().is_none()
                    && owned.get(tenant).is_some_and(|ns| ns.contains(resource.name())) => {}
            Some(tenant) => {
                let namespace = resource.namespace();
                prop_assert!(namespace.is_some(), "{shown} of tenant {tenant} is cluster-scoped");
                let namespace = namespace.unwrap_or_default();
                let own = owned.get(tenant).is_some_and(|ns| ns.contains(namespace));
                let decided = placed.get(tenant).is_some_and(|ns| ns.contains(namespace));
                prop_assert!(own || decided, "{shown} of tenant {tenant} is outside its namespaces and gateways");
                if let Some(other) = owner_of(namespace) {
                    prop_assert_eq!(&other, tenant, "{} of tenant {} is in a namespace of {}", shown, tenant, other);
                }
                prop_assert!(
                    !model.reserved(namespace) || decided,
                    "{shown} of tenant {tenant} is in reserved {namespace}"
                );
                prop_assert!(
                    from_requests.iter().all(|t| t == tenant),
                    "{shown} of tenant {tenant} comes from requests of {from_requests:?}"
                );
            }
            None if !from_requests.is_empty() => {
                // Shared by several tenants (an external host), or a platform object a request
                // adds to (a login flow): in a platform namespace, never in a tenant's.
                match resource.namespace() {
                    Some(namespace) => {
                        let decided =
                            from_requests.iter().any(|t| placed.get(t).is_some_and(|ns| ns.contains(namespace)));
                        prop_assert!(
                            decided || namespace == model.control_plane(),
                            "{shown} of requests of {from_requests:?} is outside their gateways' namespaces"
                        );
                        prop_assert!(
                            owner_of(namespace).is_none(),
                            "{shown} of requests of {from_requests:?} is in a tenant namespace"
                        );
                    }
                    // The mesh-wide `Istio` resource lists the login flows' ext-authz providers:
                    // one per environment, the platform's.
                    None => prop_assert_eq!(
                        resource.kind(),
                        "Istio",
                        "{} of requests of {:?} is cluster-scoped",
                        shown,
                        from_requests
                    ),
                }
            }
            None => {}
        }
    }
    Ok(true)
}

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64);
    Config { cases, failure_persistence: None, ..Config::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn no_tenant_produces_an_object_outside_its_namespaces(model in model_strategy()) {
        check(&model)?;
    }
}

/// The property means something only if many generated repositories build, hostile ones included
/// in the other direction: a fixed sample of the generator, checked the same way.
#[test]
fn the_generator_yields_repositories_that_build() {
    let mut runner = TestRunner::deterministic();
    let (mut built, mut fair) = (0, 0);
    for _ in 0..64 {
        let model = model_strategy().new_tree(&mut runner).expect("a model").current();
        fair += usize::from(model.hostile == Hostile::None);
        if check(&model).unwrap_or_else(|e| panic!("{e}\n{model:#?}")) {
            built += 1;
        }
    }
    assert!(built * 2 >= fair, "only {built} of {fair} fair repositories built");
}

/// Hostile tenants, one of each kind, over a repository that builds without them.
#[test]
fn hostile_tenants_fail_with_their_code() {
    let fair = fair_model(TenantModel {
        namespaces: vec![0, 1],
        tenant_doc: true,
        requests: vec![RequestModel {
            namespace: None,
            ingress: vec![Ingress {
                host: 0,
                k: 0,
                gateway: 0,
                tls: 0,
                credential: 0,
                jwt: Some(true),
                login: false,
                sla: false,
            }],
            egress: vec![Egress { host: 1, tls: 1, direct: false, ca: true, sla: true }],
        }],
    });
    assert!(check(&fair).expect("the fair repository holds the property"), "the fair repository builds");
    let hostile = RESERVED.iter().map(|n| Hostile::Reserved(n)).chain([
        Hostile::NotAllowed,
        Hostile::Directory("Evil_Tenant"),
        Hostile::Directory("T0"),
        Hostile::Directory("t\u{eb}nant"),
    ]);
    for hostile in hostile {
        let model = Model { hostile: hostile.clone(), ..fair.clone() };
        assert!(!check(&model).unwrap_or_else(|e| panic!("{hostile:?}: {e}")), "{hostile:?} built");
    }
    // A namespace named for the tenant itself is fair; one named for another tenant is E436,
    // although `allowedNamespaces: ["t*", shared]` allows it.
    for restrict_namespaces in [false, true] {
        let alone = Model { hostile: Hostile::Foreign, restrict_namespaces, ..fair.clone() };
        assert!(check(&alone).expect("the property holds"), "t0-x of tenant t0 builds");
        let mut two = Model { hostile: Hostile::Foreign, restrict_namespaces, ..fair.clone() };
        two.tenants.push(TenantModel { namespaces: vec![0], tenant_doc: true, requests: vec![] });
        assert!(!check(&two).expect("E436 is reported"), "t1-x of tenant t0 built");
    }
}

/// The flow violations (E801, E802) of a model's build, one line each: a fair repository has none.
fn flow_violations(model: &Model) -> Vec<String> {
    let source = Memory(model.files());
    let options = compiler::Options { report_flows: true, ..compiler::Options::default() };
    match compiler::compile_with(&source, ENV, &options) {
        Ok(build) => build.flow_violations.iter().map(|d| format!("{}: {}", d.code, d.message)).collect(),
        Err(failed) => panic!("the repository does not build:\n{}", failed.render()),
    }
}

/// A fair repository of one tenant with these ingress items, on OpenShift Service Mesh with
/// every enforcement on and the internal gateway's login flow.
fn one_tenant(ingress: Vec<Ingress>) -> Model {
    fair_model(TenantModel {
        namespaces: vec![0],
        tenant_doc: true,
        requests: vec![RequestModel { namespace: None, ingress, egress: vec![] }],
    })
}

/// A fair repository of `tenant` alone, on OpenShift Service Mesh with a managed control plane,
/// every enforcement on, owned and deployed gateways and the internal gateway's login flow.
fn fair_model(tenant: TenantModel) -> Model {
    Model {
        istio: false,
        manage: true,
        mesh_system: false,
        public_exposure: 0,
        public_deploy: false,
        internal_oidc: true,
        internal_wildcards: true,
        internal_exposed: false,
        owned_gateway: true,
        owned_deploy: true,
        enforcement: (true, true, true, 0),
        restrict_namespaces: false,
        reserve_platform: false,
        tenants: vec![tenant],
        hostile: Hostile::None,
    }
}

fn item(host: u8, gateway: u8, tls: u8, jwt: Option<bool>, login: bool) -> Ingress {
    Ingress { host, k: 0, gateway, tls, credential: 0, jwt, login, sla: false }
}

/// On a `tls: mutual` host the clients of the token check and of the login flow present a
/// certificate of the host's client CA: the handshake lets them through, and the layer their
/// flow is about decides it.
#[test]
fn a_mutual_tls_host_with_a_token_check_or_a_login_builds_with_its_flows_as_requested() {
    for (name, ingress) in [
        ("mutual + jwt", item(0, 2, 1, Some(true), false)),
        ("mutual + jwt without reverify", item(0, 2, 1, Some(false), false)),
        ("mutual + login", item(0, 1, 1, None, false)),
    ] {
        let mut ingress = ingress;
        ingress.login = name.ends_with("login");
        // Upstream Istio: the internal gateway (`exposure: none`) stands behind a load balancer
        // the settings do not describe.
        let model = Model { istio: true, ..one_tenant(vec![ingress]) };
        let violations = flow_violations(&model);
        assert!(violations.is_empty(), "{name}: {violations:#?}");
    }
}

/// A gateway matches hosts ignoring the port of `:authority`, and no AuthorizationPolicy host
/// pattern covers every port under a wildcard: the login of a wildcard host holds for
/// `a.t0.internal.example.com:80` as for `a.t0.internal.example.com`, beside hosts of the same
/// gateway without a login, which keep working without one.
#[test]
fn a_wildcard_login_host_cannot_be_skipped_with_a_port_in_the_authority() {
    for tls in [3, 0] {
        let mut wildcard = item(2, 1, tls, None, true);
        wildcard.k = 1;
        let plain = item(0, 1, tls, None, false);
        let model = Model { istio: true, ..one_tenant(vec![wildcard, plain]) };
        let violations = flow_violations(&model);
        assert!(violations.is_empty(), "tls {tls}: {violations:#?}");
    }
}

/// A gateway the control plane declares in a tenant's own namespace (`own-edge`, not deployed
/// by meshedge) gets the operator's policy admitting everything to its pods' labels: a pod of
/// the tenant labelled so is one more pod of that gateway, not a tenant workload on the
/// internet.
#[test]
fn a_pod_labelled_as_the_tenants_own_declared_gateway_is_that_gateway() {
    for ingress in [vec![item(0, 0, 0, None, false)], vec![]] {
        let model = Model { owned_deploy: false, ..one_tenant(ingress) };
        let violations: Vec<String> =
            flow_violations(&model).into_iter().filter(|v| v.contains("namespace/t0 is open")).collect();
        assert!(violations.is_empty(), "{violations:#?}");
    }
}

/// A tenant's own gateway that meshedge does not deploy (installed with the mesh) in the
/// tenant's namespace under `networkPolicies`: meshedge's own policy closes that namespace, so
/// meshedge opens the gateway's listener ports to its clients.
#[test]
fn a_tenants_own_gateway_meshedge_does_not_deploy_is_reachable_under_network_policies() {
    let model = Model {
        istio: true,
        manage: false,
        owned_deploy: false,
        enforcement: (true, false, false, 0),
        ..one_tenant(vec![item(0, 2, 0, None, false)])
    };
    assert_eq!(flow_violations(&model), Vec::<String>::new());
}

/// On OpenShift Service Mesh, where tenants may create Routes, the operator's policy for pods
/// labelled `maistra.io/expose-route: "true"` puts any tenant pod so labelled on the internet:
/// the build says so (E802 naming the policy); denying tenants Routes closes it.
#[test]
fn a_tenant_route_to_a_pod_labelled_expose_route_is_open() {
    let open = Model { enforcement: (true, false, true, 0), ..one_tenant(vec![item(0, 0, 0, None, false)]) };
    let violations = flow_violations(&open);
    assert!(
        violations.iter().any(|v| v.starts_with("E802: flow internet → namespace/t0 is open")
            && v.contains("NetworkPolicy/t0/istio-expose-route-basic")),
        "{violations:#?}"
    );
    let shut = Model { enforcement: (true, true, true, 0), ..open };
    assert_eq!(flow_violations(&shut), Vec::<String>::new());
}

/// The diagnostics of a model's build that fails, as `code: message` lines.
fn refusals(model: &Model) -> Vec<String> {
    let source = Memory(model.files());
    let options = compiler::Options { report_flows: true, ..compiler::Options::default() };
    match compiler::compile_with(&source, ENV, &options) {
        Ok(_) => panic!("the repository builds: {model:#?}"),
        Err(failed) => failed.diagnostics.iter().map(|d| format!("{}: {}", d.code.as_str(), d.message)).collect(),
    }
}

/// A gateway with `exposure: none` whose ClusterIP Service meshedge makes (declared in the
/// OpenShift Service Mesh control plane it manages, or deployed) brings nothing from outside the
/// cluster: a host requested there is refused before anything is generated (E431), not built
/// into a flow that can never connect. A gateway meshedge neither deploys nor declares (upstream
/// Istio's, installed with the mesh) stands behind what its installer put in front of it.
#[test]
fn a_host_on_a_gateway_nothing_exposes_is_refused() {
    let internal = one_tenant(vec![item(0, 1, 0, None, false)]);
    let refused = refusals(&internal);
    assert!(
        refused.iter().any(|r| r.starts_with("E431: host `t0-0.internal.example.com` is on gateway `internal`")
            && r.contains("ServiceMeshControlPlane")),
        "{refused:#?}"
    );
    assert!(!refused.iter().any(|r| r.starts_with("E801")), "{refused:#?}");
    let deployed = Model { public_exposure: 2, public_deploy: true, ..one_tenant(vec![item(0, 0, 0, None, false)]) };
    let refused = refusals(&deployed);
    assert!(
        refused.iter().any(|r| r.starts_with("E431: host `t0-0.apps.example.com` is on gateway `public`")
            && r.contains("deploy: true")),
        "{refused:#?}"
    );
    for model in [Model { internal_exposed: true, ..internal.clone() }, Model { istio: true, ..internal }] {
        assert_eq!(flow_violations(&model), Vec::<String>::new(), "{model:#?}");
    }
}

/// A `jwt` host under a wildcard on a gateway of its tenant: a gateway routes
/// `x.t0.pay.example.com:443` to `*.t0.pay.example.com` ignoring the port, and no
/// AuthorizationPolicy host pattern names every port of every name under a wildcard, so the DENY
/// that enforces the token covers every authority of the gateway but its other hosts': without
/// a token, or with another issuer's, the port form is refused too.
#[test]
fn a_wildcard_jwt_host_cannot_be_skipped_with_a_port_in_the_authority() {
    for (tls, reverify) in [(0, true), (0, false), (3, false), (1, true)] {
        let wildcard = item(4, 2, tls, Some(reverify), false);
        let exact = item(0, 2, tls, None, false);
        let model = Model { istio: true, ..one_tenant(vec![wildcard, exact]) };
        let violations = flow_violations(&model);
        assert!(violations.is_empty(), "tls {tls}, reverify {reverify}: {violations:#?}");
    }
}

/// A `login` host whose backend runs in a namespace where another host's `jwt` with `reverify`
/// checks every workload's tokens: after sign-in the gateway passes on the login flow's ID token
/// (issuer `oidc.issuer`, audience the client id), which that check verifies too, so a signed-in
/// user gets through; the check's DENY, scoped to its own host, still refuses that token there.
#[test]
fn a_login_hosts_backend_beside_a_reverify_check_accepts_the_signed_in_users_id_token() {
    for tls in [0, 1] {
        let login = item(0, 1, tls, None, true);
        let mut checked = item(0, 2, tls, Some(true), false);
        checked.k = 1;
        let model = Model { istio: true, ..one_tenant(vec![login, checked]) };
        let violations = flow_violations(&model);
        assert!(violations.is_empty(), "tls {tls}: {violations:#?}");
    }
}

/// A `mutual` host is evaluated once more with a client that presents no certificate, a flow
/// nobody requested: the gateway's handshake refuses it before any HTTP layer. Where a patch
/// makes the certificate optional, that client gets through, and the build says so (E802).
#[test]
fn a_mutual_tls_host_refuses_a_client_without_a_certificate() {
    let model = one_tenant(vec![item(0, 2, 1, None, false)]);
    let mut files = model.files();
    let options = compiler::Options { report_flows: true, ..compiler::Options::default() };
    let build = compiler::compile_with(&Memory(files.clone()), ENV, &options)
        .unwrap_or_else(|failed| panic!("the repository does not build:\n{}", failed.render()));
    assert!(build.flow_violations.is_empty(), "{:#?}", build.flow_violations);
    let mut bare = Vec::new();
    build.flows.as_ref().expect("the flows are reported").each(|e| {
        if e.flow.credential.map(|c| c.as_str()) == Some("no-client-certificate") {
            bare.push((e.flow.to.clone(), e.flow.requested, e.verdict.verdict, e.verdict.reason.clone()));
        }
    });
    assert_eq!(bare.len(), 1, "{bare:#?}");
    let (to, requested, verdict, reason) = &bare[0];
    assert_eq!(to, "t0-0.pay.example.com:443");
    assert!(!requested);
    assert_eq!(*verdict, meshedge::flows::Outcome::Blocked, "{reason}");
    assert!(reason.contains("requires a client certificate"), "{reason}");

    let env = files.get_mut(&format!("{ENV}/meshedge.yaml")).expect("the environment");
    env.push_str(
        "patches:\n  - target: {group: networking.istio.io, kind: Gateway, name: own-edge-t0-0-pay-example-com}\n    \
         json:\n      - {op: replace, path: /spec/servers/0/tls/mode, value: OPTIONAL_MUTUAL}\n",
    );
    let patched = compiler::compile_with(&Memory(files), ENV, &options)
        .unwrap_or_else(|failed| panic!("the patched repository does not build:\n{}", failed.render()));
    let violations: Vec<String> =
        patched.flow_violations.iter().map(|d| format!("{}: {}", d.code, d.message)).collect();
    assert!(
        violations.iter().any(|v| v.starts_with("E802: flow internet → t0-0.pay.example.com:443")
            && v.contains("with credential no-client-certificate is open")),
        "{violations:#?}"
    );
}

/// A tenant's own gateway in its first namespace routes to a backend in its second one under
/// `networkPolicies`: `meshedge-egress-to-mesh` isolates the gateway's pods for egress and
/// admits mesh members by a label nobody here sets (upstream Istio, namespaces not created by
/// meshedge), so the gateway's own policy admits the namespaces its routes lead to by name.
#[test]
fn a_tenants_own_gateway_reaches_its_backends_in_the_tenants_other_namespaces() {
    for owned_deploy in [false, true] {
        let mut model = Model {
            istio: true,
            manage: false,
            owned_deploy,
            enforcement: (true, false, false, 0),
            ..one_tenant(vec![item(0, 2, 0, None, false)])
        };
        model.tenants[0].namespaces = vec![0, 1];
        model.tenants[0].requests[0].namespace = Some(1);
        assert_eq!(flow_violations(&model), Vec::<String>::new(), "deploy: {owned_deploy}");
    }
}
