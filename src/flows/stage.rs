//! The flows stage: the final objects of a build (of the kinds [`super::index::reads`], parsed as
//! they were finished: [`super::read::Read`]) and the validated plan → every flow of SPEC §5.1 with its verdict ([`Report`]), and a diagnostic for
//! each flow that breaks what the requests ask for ([`super::error::FlowError`]).
//!
//! Cost: the requested flows are a constant number per requested host, route and external host;
//! of the flows nobody requested, a tenant namespace's egress to an external host is evaluated
//! one by one only where the host's ServiceEntries are exported to the namespace (or the
//! outbound policy is `ALLOW_ANY`). Everywhere else the sidecar's registry view shuts it at the
//! first step, the same for every such namespace: one evaluation per host stands for all of
//! them ([`Hidden`]). Which hosts a namespace sees comes from the `exportTo` lists of the hosts'
//! ServiceEntries ([`super::registry::Views`]), so the stage grows with tenants + hosts, not
//! tenants × hosts.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::model::EgressProbe;
use super::read::{Deployed, Read};
use super::registry::Views;
use super::requests::{self, Flow, Probes};
use super::{Model, Outcome, Verdict, least_open, most_open, setting};
use crate::diagnostic::{Diagnostics, Location};
use crate::parallel;
use crate::plan::{EgressHost, Place, Plan};
use crate::render::Object;

pub use super::violations::describe;

mod groups;

/// A flow and its verdict.
#[derive(Debug, Clone)]
pub struct Evaluated {
    pub flow: Flow,
    pub verdict: Arc<Verdict>,
}

/// How a flow breaks what the requests ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// Requested, and blocked.
    Blocked,
    /// Requested, and routed to another backend.
    Misrouted(String),
    /// Not requested, promised shut, and allowed.
    Open,
}

impl Evaluated {
    pub fn violation(&self) -> Option<Violation> {
        let flow = &self.flow;
        let verdict = &self.verdict;
        if flow.requested {
            // A login host without a session must send the client to sign in: let through, the
            // login is skipped (an AUDIT or a missing CUSTOM policy).
            if flow.credential == Some(requests::CredentialKind::None) && verdict.verdict == Outcome::Allowed {
                return Some(Violation::Open);
            }
            if verdict.verdict == Outcome::Blocked {
                return Some(Violation::Blocked);
            }
            if verdict.verdict == Outcome::Allowed
                && let (Some(wanted), Some(reached)) = (&flow.backend, &verdict.backend)
                && wanted != reached
            {
                return Some(Violation::Misrouted(reached.clone()));
            }
            None
        } else {
            (flow.must_close && verdict.verdict == Outcome::Allowed).then_some(Violation::Open)
        }
    }
}

/// A tenant's flows, in the order they are shown.
#[derive(Debug, Default)]
struct TenantFlows {
    ingress: Vec<Evaluated>,
    /// By namespace.
    egress: BTreeMap<String, Vec<Evaluated>>,
    direct: Vec<Evaluated>,
    federation: Vec<Evaluated>,
    /// From another tenant's namespace ([`requests::tenant`], [`requests::bypass`]).
    tenant: Vec<Evaluated>,
}

/// The egress flows to one external host from every tenant namespace outside `except`: shut by
/// the registry view the same way for each, the verdict of one of them.
#[derive(Debug)]
struct Hidden {
    host: String,
    port: u16,
    place: Option<Place>,
    must_close: bool,
    verdict: Arc<Verdict>,
    except: BTreeSet<String>,
}

/// Every flow of an environment with its verdict.
#[derive(Debug, Default)]
pub struct Report {
    pub environment: String,
    tenants: BTreeMap<String, TenantFlows>,
    hidden: Vec<Hidden>,
}

impl Report {
    /// Visits every flow: by tenant, its ingress flows, then each namespace's egress flows, then
    /// its direct flows.
    pub fn each(&self, mut visit: impl FnMut(&Evaluated)) {
        for tenant in self.tenants.keys() {
            self.each_of(tenant, &mut visit);
        }
    }

    /// The tenants, sorted.
    pub fn tenants(&self) -> impl Iterator<Item = &str> {
        self.tenants.keys().map(String::as_str)
    }

    /// Visits the flows of one tenant, in the order of [`Report::each`].
    pub fn each_of(&self, tenant: &str, mut visit: impl FnMut(&Evaluated)) {
        let Some(flows) = self.tenants.get(tenant) else { return };
        flows.ingress.iter().for_each(&mut visit);
        // Every namespace has its internet flow: the egress map holds them all.
        for (namespace, egress) in &flows.egress {
            egress.iter().for_each(&mut visit);
            for hidden in self.hidden.iter().filter(|h| !h.except.contains(namespace)) {
                visit(&hidden.flow(namespace, tenant));
            }
        }
        flows.direct.iter().for_each(&mut visit);
        flows.federation.iter().for_each(&mut visit);
        flows.tenant.iter().for_each(&mut visit);
    }
}

impl Hidden {
    fn flow(&self, namespace: &str, tenant: &str) -> Evaluated {
        let mut flows = requests::egress_flow(namespace, tenant, &self.host, self.port, false);
        flows.must_close = self.must_close;
        flows.place = self.place.clone();
        Evaluated { flow: flows, verdict: Arc::clone(&self.verdict) }
    }
}

/// What the stage keeps of the flows it evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    /// Every flow and its verdict: the [`Report`] (`meshedge flows`, `explain`, `graph`).
    Report,
    /// The violations only (`build`, `generate`, `check`): each verdict is dropped as soon as it
    /// is known to break nothing, so the stage holds one verdict per evaluating thread.
    Violations,
}

/// Evaluates the flows of `plan` on `read` (the final objects of the kinds flows read, parsed, in
/// lists joined in order);
/// `objects` (the build's objects) name the input files of the objects that decide a violation,
/// `manifest` is where a violation that concerns no request is reported. The report is `None`
/// unless `keep` asks for it.
///
/// `patch_at` gives where a patch (by its name, `Object::patched_by`) is written: an error whose
/// deciding objects a patch changed names the patch there.
pub(crate) fn run(
    plan: &Plan,
    read: Vec<Vec<Read>>,
    objects: &[Object],
    manifest: &str,
    patch_at: &(dyn Fn(&str) -> Option<Location> + Sync),
    keep: Keep,
) -> (Option<Report>, Diagnostics) {
    let deployed: Vec<&Deployed> = read.iter().flatten().filter_map(Read::deployed).collect();
    let ctx = setting::context(plan, &deployed);
    drop(deployed);
    let model = Model::from_read(read.into_iter().flatten(), ctx);
    let namespaces = requests::tenant_namespaces(plan);
    // The outbound policy of the final control plane object (a patch may change it).
    // A Sidecar setting ALLOW_ANY opens its namespaces' registry views: every pair is evaluated.
    let registry_only =
        model.context().outbound == super::OutboundPolicy::RegistryOnly && !model.index().routing.sidecars_allow_any();
    let shut = requests::egress_shut(plan);
    let defaults = model.context().default_export_to.clone();
    let views = Views::new(plan, &model.index().routing, &defaults, registry_only, &namespaces);
    let mut flows = requests::ingress(plan);
    for (ns, tenant) in &namespaces {
        flows.extend(requests::egress(plan, ns, tenant, views.hosts_of(ns)));
        // A host the namespace did not request, on every other port its registry view holds.
        for host in views.hosts_of(ns).filter(|h| !h.places.contains_key(ns)) {
            let port = u16::try_from(host.application_port()).unwrap_or(u16::MAX);
            for other in model.registered_ports(ns, &host.host).into_iter().filter(|p| *p != port) {
                let mut flow = requests::egress_flow(ns, tenant, &host.host, other, false);
                flow.must_close = shut;
                flow.place = host.places.values().next().cloned();
                flows.push(flow);
            }
        }
        flows.push(requests::direct(plan, ns, tenant));
    }
    flows.extend(requests::federation(plan));
    flows.extend(requests::tenant(plan, &namespaces));
    flows.extend(requests::bypass(plan, &namespaces));
    // The pairs left out: one evaluation per host, which must be the registry's block. Those
    // flows break nothing unless the settings promise them shut, so a build that keeps only the
    // violations skips them then.
    let skip_hidden = keep == Keep::Violations && !shut;
    let left_out: Vec<(&EgressHost, &BTreeSet<&str>, &String)> = views
        .each()
        .filter(|_| !skip_hidden)
        // `None`: every namespace sees the host, each pair is a flow above.
        .filter_map(|(host, seen)| {
            let seen = seen?;
            let (first, _) = namespaces.iter().find(|(ns, _)| !seen.contains(ns.as_str()))?;
            Some((host, seen, first))
        })
        .collect();
    let port_of = |host: &EgressHost| u16::try_from(host.application_port()).unwrap_or(u16::MAX);
    let verdicts = parallel::map(&left_out, |(host, _, first)| {
        let probe =
            EgressProbe { namespace: (*first).clone(), host: host.host.clone(), port: port_of(host), requested: false };
        model.evaluate_egress(&probe)
    });
    let mut hidden = Vec::new();
    for ((host, seen, _), verdict) in left_out.into_iter().zip(verdicts) {
        let port = port_of(host);
        if verdict.verdict != Outcome::Blocked {
            // Not the registry's block after all: evaluate each of them.
            for (ns, tenant) in namespaces.iter().filter(|(ns, _)| !seen.contains(ns.as_str())) {
                let mut flow = requests::egress_flow(ns, tenant, &host.host, port, false);
                flow.must_close = shut;
                flow.place = host.places.values().next().cloned();
                flows.push(flow);
            }
            continue;
        }
        if keep == Keep::Violations {
            // Blocked: none of them breaks anything.
            continue;
        }
        hidden.push(Hidden {
            host: host.host.clone(),
            port,
            place: host.places.values().next().cloned(),
            must_close: shut,
            verdict: Arc::new(verdict),
            except: seen.iter().map(|ns| ns.to_string()).collect(),
        });
    }
    if keep == Keep::Violations {
        // A flow nobody requested and nothing promises shut breaks nothing, whatever its verdict.
        flows.retain(|flow| flow.requested || flow.must_close);
    }
    let evaluated = parallel::filter_map_owned(flows, |flow| {
        let verdict = evaluate(&model, &flow);
        let e = Evaluated { flow, verdict: Arc::new(verdict) };
        let violation = e.violation();
        match keep {
            Keep::Report => Some((e, violation)),
            Keep::Violations => violation.map(|v| (e, Some(v))),
        }
    });
    let mut report = Report { environment: plan.environment.clone(), hidden, ..Default::default() };
    let mut violations = Vec::new();
    for (e, violation) in evaluated {
        if let Some(violation) = violation {
            violations.push((e.clone(), violation));
        }
        if keep == Keep::Violations {
            continue;
        }
        let tenant = report.tenants.entry(e.flow.tenant.clone()).or_default();
        match e.flow.direction {
            requests::Direction::Ingress => tenant.ingress.push(e),
            requests::Direction::Egress => {
                let ns = e.flow.from.strip_prefix("namespace/").unwrap_or(&e.flow.from).to_string();
                tenant.egress.entry(ns).or_default().push(e)
            }
            requests::Direction::Direct => tenant.direct.push(e),
            requests::Direction::Federation => tenant.federation.push(e),
            requests::Direction::Tenant => tenant.tenant.push(e),
        }
    }
    let diagnostics = super::violations::of(&violations, objects, manifest, patch_at);
    if keep == Keep::Violations {
        return (None, diagnostics);
    }
    for tenant in report.tenants.values_mut() {
        for flows in tenant.egress.values_mut() {
            flows.sort_by(|a, b| (!a.flow.requested, &a.flow.to).cmp(&(!b.flow.requested, &b.flow.to)));
        }
    }
    (Some(report), diagnostics)
}

/// The verdict of a flow: of several probes (tokens of other issuers), the most open one.
fn evaluate(model: &Model, flow: &Flow) -> Verdict {
    match &flow.probes {
        Probes::Ingress(probes) => {
            let verdicts: Vec<Verdict> = probes.iter().map(|p| model.evaluate_ingress(p)).collect();
            let pick =
                if flow.requested { least_open(verdicts, |v| v.verdict) } else { most_open(verdicts, |v| v.verdict) };
            pick.unwrap_or_else(|| Verdict::from_steps(Vec::new()))
        }
        Probes::Egress(probe) => model.evaluate_egress(probe),
        Probes::Direct(probe) => model.evaluate_direct(probe),
        Probes::Federation(probe) => model.evaluate_federation(probe),
        Probes::Tenant(probe) => model.evaluate_tenant(probe),
        Probes::Bypass(probe) => model.evaluate_bypass(probe),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::{Layer, Step};

    fn evaluated(requested: bool, must_close: bool, outcome: Outcome, backend: Option<&str>) -> Evaluated {
        let mut flow = requests::egress_flow("shop", "shop", "api.example", 80, requested);
        flow.must_close = must_close;
        flow.backend = Some("service/shop/web:8080".to_string());
        let mut verdict = Verdict::from_steps(vec![Step::new(Layer::Routing, outcome, Vec::new(), "why")]);
        verdict.backend = backend.map(str::to_string);
        Evaluated { flow, verdict: Arc::new(verdict) }
    }

    #[test]
    fn a_violation_is_a_requested_flow_blocked_or_misrouted_or_a_shut_one_open() {
        let web = Some("service/shop/web:8080");
        assert_eq!(evaluated(true, false, Outcome::Blocked, web).violation(), Some(Violation::Blocked));
        assert_eq!(evaluated(true, false, Outcome::Allowed, web).violation(), None);
        assert_eq!(evaluated(true, false, Outcome::Redirected, web).violation(), None, "sent to sign in");
        assert_eq!(
            evaluated(true, false, Outcome::Allowed, Some("service/shop/other:8080")).violation(),
            Some(Violation::Misrouted("service/shop/other:8080".to_string()))
        );
        assert_eq!(evaluated(false, true, Outcome::Allowed, None).violation(), Some(Violation::Open));
        assert_eq!(evaluated(false, true, Outcome::Redirected, None).violation(), None);
        assert_eq!(evaluated(false, false, Outcome::Allowed, None).violation(), None, "nothing promised it shut");
    }

    #[test]
    fn a_login_host_that_lets_a_client_without_a_session_through_is_open() {
        let mut login = evaluated(true, false, Outcome::Allowed, Some("service/shop/web:8080"));
        login.flow.credential = Some(requests::CredentialKind::None);
        assert_eq!(login.violation(), Some(Violation::Open));
        let mut redirected = evaluated(true, false, Outcome::Redirected, None);
        redirected.flow.credential = Some(requests::CredentialKind::None);
        assert_eq!(redirected.violation(), None);
        let mut session = evaluated(true, false, Outcome::Allowed, Some("service/shop/web:8080"));
        session.flow.credential = Some(requests::CredentialKind::Session);
        assert_eq!(session.violation(), None);
    }
}
