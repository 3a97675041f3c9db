//! The target platform: the [`Target`] the settings name, the admission engine, and what the
//! target cannot do with a request (an error that says so, never a warning beside a broken
//! object). Every fact comes from [`crate::platform`].

use crate::diagnostic::{Code, Explain};
use crate::input::{AdmissionMode, EgressFirewallMode, Exposure, Flavor};
use crate::merge::Merged;
use crate::plan::Plan;
use crate::platform::{AdmissionEngine, ClusterSetting, Kind, Target};
use crate::validate::scope::Checker;

/// What the validate stage refuses or warns about the target platform.
#[derive(Debug, Clone)]
pub enum PlatformError {
    /// E450: a version the platform model does not know, or written wrongly.
    UnknownTarget { setting: &'static str, message: String, help: String },
    /// E450: both cluster versions set.
    TwoClusters,
    /// E451: the admission engine asked for is not served by the cluster.
    AdmissionNotServed { mode: &'static str, reason: String },
    /// W436: no `cluster` setting: the oldest known cluster is assumed.
    ClusterAssumed { target: String },
    /// E452: a mutual TLS ingress host names a client CA secret the gateway does not read.
    ClientCaNotRead { host: String, credential: String, ca: String, namespace: String, target: String },
    /// E453: an egress host names a server CA secret the proxy does not read.
    ServerCaNotRead { host: String, credential: String, ca: String, namespace: String },
    /// E453: `caSecret` on an egress host without a gateway: sidecars ignore `credentialName`.
    ServerCaOnSidecar { host: String },
    /// E455: a setting asks for a kind the target cluster does not serve.
    KindNotServed { setting: String, reason: String },
    /// E456: two gateways the managed control plane would declare under one name.
    GatewayNameTwice { service: String, first: String, second: String },
    /// E454: TLS origination that would not verify the server on the target.
    OriginationUnverified { host: String, target: String },
    /// E457: a `jwt` host on a gateway that also serves another tenant's host.
    TokenCheckShared { host: String, request: String, gateway: String, other: String, other_request: String },
    /// E458: a `jwt` host on a gateway that passes TLS through for another host.
    TokenCheckOnPassthrough { host: String, gateway: String, other: String, other_request: String },
    /// E458: `jwt.reverify` in a namespace that serves a TLS-passthrough host.
    ReverifyBesidePassthrough { host: String, namespace: String, other: String, other_request: String },
    /// E458: `jwt` or `login` on a host the gateway passes TLS through for.
    HttpCheckOnPassthroughHost { host: String, field: &'static str },
    /// E431: a host on a gateway with `exposure: none` whose ClusterIP Service meshedge makes.
    HostUnexposed { host: String, gateway: String, made: &'static str },
}

impl Explain for PlatformError {
    fn code(&self) -> Code {
        match self {
            Self::UnknownTarget { .. } | Self::TwoClusters => Code::E450,
            Self::AdmissionNotServed { .. } => Code::E451,
            Self::ClusterAssumed { .. } => Code::W436,
            Self::ClientCaNotRead { .. } => Code::E452,
            Self::ServerCaNotRead { .. } | Self::ServerCaOnSidecar { .. } => Code::E453,
            Self::OriginationUnverified { .. } => Code::E454,
            Self::KindNotServed { .. } => Code::E455,
            Self::GatewayNameTwice { .. } => Code::E456,
            Self::TokenCheckShared { .. } => Code::E457,
            Self::TokenCheckOnPassthrough { .. }
            | Self::ReverifyBesidePassthrough { .. }
            | Self::HttpCheckOnPassthroughHost { .. } => Code::E458,
            Self::HostUnexposed { .. } => Code::E431,
        }
    }

    fn message(&self) -> String {
        match self {
            Self::UnknownTarget { setting, message, .. } => format!("{setting}: {message}"),
            Self::TwoClusters => "cluster names both an openshift and a kubernetes release".into(),
            Self::AdmissionNotServed { mode, reason } => format!("enforcement.admission `{mode}`: {reason}"),
            Self::ClusterAssumed { target } => format!("no cluster release set: assuming {target}"),
            Self::ClientCaNotRead { host, credential, ca, target, .. } => format!(
                "mutual TLS host `{host}`: the gateway reads client CAs from secret `{credential}-cacert` on {target}, never from `{ca}`"
            ),
            Self::ServerCaNotRead { host, credential, ca, .. } => format!(
                "egress host `{host}`: the egress gateway reads the server CA from secret `{credential}-cacert` (or `ca.crt` in `{credential}`), never from `{ca}`"
            ),
            Self::ServerCaOnSidecar { host } => format!(
                "egress host `{host}`: a sidecar ignores a DestinationRule `credentialName`, so `caSecret` would leave the connection without TLS"
            ),
            Self::KindNotServed { setting, reason } => format!("{setting}: {reason}"),
            Self::GatewayNameTwice { service, first, second } => format!(
                "gateways `{first}` and `{second}` would both be declared as `{service}` in the ServiceMeshControlPlane"
            ),
            Self::OriginationUnverified { host, target } => {
                format!("egress host `{host}`: TLS origination on {target} would not verify the server certificate")
            }
            Self::TokenCheckShared { host, request, gateway, other, other_request } => format!(
                "`jwt` of host `{host}` (request {request}) would apply to every host of gateway `{gateway}`, including `{other}` of request {other_request}: Istio cannot confine a RequestAuthentication to a host"
            ),
            Self::TokenCheckOnPassthrough { host, gateway, other, other_request } => format!(
                "`jwt` of host `{host}` would refuse every connection to `{other}` (request {other_request}), which gateway `{gateway}` passes through: on TLS passthrough Istio drops the host and token conditions of a DENY rule"
            ),
            Self::ReverifyBesidePassthrough { host, namespace, other, other_request } => format!(
                "`jwt.reverify` of host `{host}` checks every workload of namespace `{namespace}`, and would refuse every connection to `{other}` (request {other_request}), which is passed through to it: on TCP Istio drops the host and token conditions of a DENY rule"
            ),
            Self::HostUnexposed { host, gateway, made } => format!(
                "host `{host}` is on gateway `{gateway}`, which nothing exposes outside the cluster: `exposure: none`, and {made}"
            ),
            Self::HttpCheckOnPassthroughHost { host, field } => format!(
                "`{field}` on host `{host}`, which the gateway passes TLS through: the gateway sees no HTTP request, so it could not check it"
            ),
        }
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            Self::UnknownTarget { help, .. } => help.clone(),
            Self::TwoClusters => "keep one of `cluster.openshiftVersion` and `cluster.kubernetesVersion` (an overlay removes the other with `null`)".into(),
            Self::AdmissionNotServed { .. } => "set `enforcement.admission` to `gatekeeper` or `kyverno` (installed on the cluster), or target a cluster that serves ValidatingAdmissionPolicy".into(),
            Self::ClusterAssumed { .. } => "set `settings.cluster.openshiftVersion` (\"4.14\"…\"4.19\") or `kubernetesVersion` (\"1.27\"…\"1.32\")".into(),
            Self::ClientCaNotRead { credential, namespace, .. } => format!(
                "put the client CA bundle (key `cacert` or `ca.crt`) into secret `{credential}-cacert` in namespace `{namespace}` and write `clientCASecret: {credential}-cacert`"
            ),
            Self::ServerCaNotRead { credential, namespace, .. } => format!(
                "put the server CA bundle (key `cacert` or `ca.crt`) into secret `{credential}-cacert` in namespace `{namespace}` and write `caSecret: {credential}-cacert`"
            ),
            Self::ServerCaOnSidecar { .. } => "originate through an egress gateway (`gateway` not `none`), or remove `caSecret` to verify against the proxy's CA bundle".into(),
            Self::GatewayNameTwice { .. } => "the operator refuses two gateways of one name (\"multiple gateways defined\"): give each gateway its own `service`, or set `deploy: true` on one".into(),
            Self::KindNotServed { .. } => "change the setting to one the cluster serves, or check `settings.cluster`".into(),
            Self::TokenCheckShared { host, other, .. } => format!(
                "serve `{host}` through a gateway of its own (an entry of `settings.ingress.gateways` that only its tenant's hosts use), or move `{other}` to another gateway"
            ),
            Self::TokenCheckOnPassthrough { host, other, .. } => {
                format!("serve `{host}` and `{other}` through different gateways")
            }
            Self::ReverifyBesidePassthrough { other, .. } => {
                format!("remove `reverify` (the gateway still checks the token), or serve `{other}` from another namespace")
            }
            Self::HostUnexposed { gateway, .. } => format!(
                "set `exposure: route` or `exposure: loadBalancer` on gateway `{gateway}` in `settings.ingress.gateways`, or serve the host through an exposed gateway"
            ),
            Self::HttpCheckOnPassthroughHost { field, .. } => {
                format!("use `tls: simple` or `mutual` so that the gateway terminates TLS, or remove `{field}` and check at the workload")
            }
            Self::OriginationUnverified { .. } => "name the server's CA with `caSecret` (through an egress gateway), or set `mesh.controlPlane.manage: true` so that meshedge turns on istiod's VERIFY_CERTIFICATE_AT_CLIENT".into(),
        })
    }
}

/// The target the settings name, or the error naming the setting at fault (then `None`).
pub(crate) fn target(c: &mut Checker) -> Option<Target> {
    let merged: &Merged = c.merged;
    let mesh = merged.settings.mesh.clone().unwrap_or_default();
    let flavor = mesh.flavor.unwrap_or_default();
    let version = mesh
        .control_plane
        .as_ref()
        .and_then(|p| p.version.as_ref())
        .map_or(crate::platform::DEFAULT_CONTROL_PLANE_VERSION, |v| v.as_str());
    let cluster = merged.settings.cluster.clone().unwrap_or_default();
    let setting = match (&cluster.openshift_version, &cluster.kubernetes_version) {
        (Some(_), Some(_)) => {
            c.diagnostics.push(PlatformError::TwoClusters.at(merged.settings_location("/cluster")));
            return None;
        }
        (Some(openshift), None) => ClusterSetting::OpenShift(openshift.as_str()),
        (None, Some(kubernetes)) => ClusterSetting::Kubernetes(kubernetes.as_str()),
        (None, None) => ClusterSetting::Unset,
    };
    match Target::new(flavor, version, setting) {
        Ok(target) => {
            if target.cluster_assumed() {
                let at = merged.settings_location("/mesh/flavor");
                c.diagnostics.push(PlatformError::ClusterAssumed { target: target.to_string() }.at(at));
            }
            Some(target)
        }
        Err(e) => {
            let pointer = format!("/{}", e.setting().replace('.', "/"));
            let error = PlatformError::UnknownTarget { setting: e.setting(), message: e.message(), help: e.help() };
            c.diagnostics.push(error.at(merged.settings_location(&pointer)));
            None
        }
    }
}

/// The admission engine of the environment's admission rules, when it has any.
pub(crate) fn admission(c: &mut Checker, target: &Target, needed: bool) -> Option<AdmissionEngine> {
    if !needed {
        return None;
    }
    let mode = c.merged.settings.enforcement.as_ref().and_then(|e| e.admission).unwrap_or_default();
    let (name, engine) = match mode {
        AdmissionMode::Auto => ("auto", target.admission_engine_auto()),
        AdmissionMode::ValidatingAdmissionPolicy => (
            "validatingAdmissionPolicy",
            target.admission_engine_auto().map(|_| AdmissionEngine::ValidatingAdmissionPolicy),
        ),
        AdmissionMode::Gatekeeper => ("gatekeeper", Ok(AdmissionEngine::Gatekeeper)),
        AdmissionMode::Kyverno => ("kyverno", Ok(AdmissionEngine::Kyverno)),
    };
    match engine {
        Ok(engine) => Some(engine),
        Err(not_served) => {
            let at = c.merged.settings_location("/enforcement/admission");
            c.diagnostics.push(PlatformError::AdmissionNotServed { mode: name, reason: not_served.reason }.at(at));
            None
        }
    }
}

/// Settings that ask for a kind the target does not serve: an error at the setting.
pub(crate) fn served(c: &mut Checker, plan: &Plan) {
    let mut asks: Vec<(String, Kind)> = Vec::new();
    for gateway in plan.ingress_gateways.values().filter(|g| g.exposure == Exposure::Route) {
        asks.push((format!("/ingress/gateways/{}/exposure", gateway.name), Kind::Route));
    }
    for gateway in plan.egress_gateways.values().filter(|g| !g.egress_ips.is_empty()) {
        asks.push((format!("/egress/gateways/{}/egressIPs", gateway.name), Kind::EgressIP));
    }
    for gateway in plan.ingress_gateways.values().filter(|g| !g.extensions.is_empty()) {
        asks.push((format!("/ingress/gateways/{}/extensions", gateway.name), Kind::WasmPlugin));
    }
    match plan.enforcement.egress_firewall {
        EgressFirewallMode::Ovn => asks.push(("/enforcement/egressFirewall".into(), Kind::EgressFirewall)),
        EgressFirewallMode::Sdn => asks.push(("/enforcement/egressFirewall".into(), Kind::EgressNetworkPolicy)),
        EgressFirewallMode::None => {}
    }
    for (pointer, kind) in asks {
        if let Err(not_served) = plan.target.api_version(kind) {
            let setting = pointer.trim_start_matches('/').replace('/', ".");
            let at = c.merged.settings_location(&pointer);
            c.diagnostics.push(PlatformError::KindNotServed { setting, reason: not_served.reason }.at(at));
        }
    }
}

/// Gateways the managed OSSM control plane declares are keyed by their service name: the
/// operator refuses two of one name (maistra/istio-operator maistra-2.5
/// `pkg/controller/versions/util.go:227-248`, "multiple gateways defined for"), and a map could
/// not hold them anyway.
pub(crate) fn smcp_gateway_names(c: &mut Checker, plan: &Plan) {
    if !plan.manages_gateways() {
        return;
    }
    let ingress = plan.ingress_gateways.values().filter(|g| !g.deploy).map(|g| ("ingress", &g.name, &g.service));
    let egress = plan.egress_gateways.values().filter(|g| !g.deploy).map(|g| ("egress", &g.name, &g.service));
    let mut seen: std::collections::BTreeMap<&String, &String> = std::collections::BTreeMap::new();
    for (section, name, service) in ingress.chain(egress) {
        if let Some(first) = seen.insert(service, name) {
            let at = c.merged.settings_location(&format!("/{section}/gateways/{name}/service"));
            let error = PlatformError::GatewayNameTwice {
                service: service.clone(),
                first: first.clone(),
                second: name.clone(),
            };
            c.diagnostics.push(error.at(at));
        }
    }
}

/// The flavor the settings name (the default when unset).
pub(crate) fn flavor(merged: &Merged) -> Flavor {
    merged.settings.mesh.as_ref().and_then(|m| m.flavor).unwrap_or_default()
}
