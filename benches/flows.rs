//! Flow evaluation benchmarks (`meshedge::flows`) over synthetic repositories (`meshedge_testkit::synth`).
//!
//! ```text
//! cargo bench --bench flows
//! ```
//!
//! Each size's repository is written and built once, outside the timed section (`build_with_flows_2000`
//! times the whole build, flows stage included). `flows_*` times
//! what evaluating the flows adds to a build: the built objects of the kinds flows read
//! (`flows::index::reads`) read back into the value form, the model (indexes and the objects the
//! platform creates) and every requested ingress and egress flow of the repository evaluated.
//! The parts alone: `values_*` the value form, `model_*` the model from values made beforehand,
//! `evaluate_*` the flows over a model built beforehand. From 200 to 2,000 tenants evaluation
//! grows with the number of flows, not with flows × objects.
//!
//! The requested flows are those of the requests `meshedge_testkit::synth` writes, per tenant `t<i>`:
//! `t<i>-web` on the public gateway (`/` and `/api`, with a token of the tenant's issuer for every
//! seventh tenant), `t<i>-admin` on the internal gateway (every fourth), the passthrough host
//! `t<i>-pay` (every eighth), `t<i>-status` (`i % 10 == 7`), all on 443; egress from `t<i>` to
//! `t<i>.partner.example` and (every third) `api.partner.example`, on the plain-HTTP port 80 the
//! mesh routes to the egress gateway, which originates TLS. The context is that of the example's
//! `prod`: OpenShift Service Mesh 2.5 (Istio 1.18) on OpenShift with OVN-Kubernetes and a router
//! on the pod network, `REGISTRY_ONLY`.

use divan::{Bencher, black_box};
use meshedge::compiler;
use meshedge::flows::authz::Jwt;
use meshedge::flows::index;
use meshedge::flows::{
    Context, Credential, EgressProbe, IngressProbe, IstioVersion, MeshFlavor, Model, Network, OutboundPolicy, Outcome,
};
use meshedge::render::Object;
use meshedge::source::FsSource;
use meshedge_testkit::synth;
use serde_json::Value;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// Builds `environments/prod` of a synthetic repository with `tenants` tenants, the flows stage
/// included; its flows are kept and their violations handed over, so that a flow that breaks a
/// request does not stop the benchmark.
fn build(dir: &std::path::Path) -> compiler::Build {
    let options = compiler::Options { report_flows: true, ..Default::default() };
    match compiler::compile_with(&FsSource::new(dir), synth::ENVIRONMENT, &options) {
        Ok(build) => build,
        Err(failed) => panic!("the synthetic repository does not build:\n{}", failed.render()),
    }
}

fn repository(tenants: usize) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("meshedge-bench-").tempdir().expect("a temporary directory");
    synth::write_repo(dir.path(), tenants).expect("the synthetic repository is written");
    dir
}

/// The objects of `environments/prod` of a synthetic repository with `tenants` tenants.
fn objects(tenants: usize) -> Vec<Object> {
    build(repository(tenants).path()).objects
}

fn context() -> Context {
    let mut ctx = Context::new(IstioVersion::new(1, 18), MeshFlavor::Ossm2).with_openshift_namespaces(false);
    ctx.network = Network::openshift_ovn();
    ctx.outbound = OutboundPolicy::RegistryOnly;
    ctx
}

fn values(objects: &[Object]) -> Vec<Value> {
    objects.iter().filter(|o| index::reads(&o.reference.api_version, &o.reference.kind)).map(Object::value).collect()
}

fn model(objects: &[Object]) -> Model {
    Model::new(values(objects), context())
}

/// Every requested flow of the synthetic repository.
struct Requested {
    ingress: Vec<IngressProbe>,
    egress: Vec<EgressProbe>,
}

fn requested(tenants: usize) -> Requested {
    let https = |host: String, path: &str, credential: Credential| IngressProbe {
        host,
        port: 443,
        path: path.to_string(),
        credential,
        client_certificate: None,
        requested: true,
    };
    let mut ingress = Vec::new();
    let mut egress = Vec::new();
    for i in 0..tenants {
        let t = synth::tenant_name(i);
        for path in ["/", "/api"] {
            let credential = if i % 7 == 0 {
                let issuer = format!("https://sso.example.com/realms/{t}");
                Credential::Token(Jwt::new(&issuer, "user", &[&format!("{t}-web")]))
            } else {
                Credential::None
            };
            ingress.push(https(format!("{t}-web.apps.prod.example.com"), path, credential));
        }
        if i % 4 == 0 {
            ingress.push(https(format!("{t}-admin.internal.prod.example.com"), "/", Credential::None));
        }
        if i % 8 == 0 {
            ingress.push(https(format!("{t}-pay.apps.prod.example.com"), "/", Credential::None));
        }
        if i % 10 == 7 {
            ingress.push(https(format!("{t}-status.apps.prod.example.com"), "/", Credential::None));
        }
        let to = |host: String| EgressProbe { namespace: t.clone(), host, port: 80, requested: true };
        egress.push(to(format!("{t}.partner.example")));
        if i % 3 == 0 {
            egress.push(to("api.partner.example".to_string()));
        }
    }
    Requested { ingress, egress }
}

/// Evaluates every flow; returns how many are allowed.
fn evaluate(model: &Model, flows: &Requested) -> usize {
    let ingress = flows.ingress.iter().map(|p| model.evaluate_ingress(p).verdict);
    let egress = flows.egress.iter().map(|p| model.evaluate_egress(p).verdict);
    ingress.chain(egress).filter(|v| *v == Outcome::Allowed).count()
}

/// Fails when a flow stops at the first routing lookup: the benchmark would time nothing.
fn check(model: &Model, flows: &Requested) {
    for probe in &flows.ingress {
        let v = model.evaluate_ingress(probe);
        assert!(v.steps.len() > 1, "{}: {}", probe.host, v.reason);
    }
    for probe in &flows.egress {
        let v = model.evaluate_egress(probe);
        assert!(v.steps.len() > 1, "{} → {}: {}", probe.namespace, probe.host, v.reason);
    }
}

fn flows(bencher: Bencher, tenants: usize) {
    let objects = objects(tenants);
    let flows = requested(tenants);
    check(&model(&objects), &flows);
    bencher.bench(|| black_box(evaluate(&model(&objects), &flows)));
}

fn values_only(bencher: Bencher, tenants: usize) {
    let objects = objects(tenants);
    bencher.bench(|| black_box(values(&objects)));
}

fn model_only(bencher: Bencher, tenants: usize) {
    let values = values(&objects(tenants));
    bencher.with_inputs(|| values.clone()).bench_values(|values| black_box(Model::new(values, context())));
}

fn evaluate_only(bencher: Bencher, tenants: usize) {
    let objects = objects(tenants);
    let flows = requested(tenants);
    let model = model(&objects);
    check(&model, &flows);
    bencher.bench(|| black_box(evaluate(&model, &flows)));
}

/// The whole build, with the flows stage keeping its report (every flow of SPEC §5.1: requested
/// and not), as `meshedge flows` builds, 2,000 tenants; compare with `build_2000` of
/// `benches/build.rs`, the build as `meshedge build` runs it (the stage keeping the violations
/// only).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn build_with_flows_2000(bencher: Bencher) {
    let dir = repository(2000);
    let first = build(dir.path());
    assert!(first.flows.is_some());
    bencher.bench(|| black_box(build(dir.path()).objects.len()));
}

/// value form + model + every requested flow, 200 tenants.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn flows_200(bencher: Bencher) {
    flows(bencher, 200);
}

/// value form + model + every requested flow, 2,000 tenants.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn flows_2000(bencher: Bencher) {
    flows(bencher, 2000);
}

/// the value form of the objects flows read, 2,000 tenants.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn values_2000(bencher: Bencher) {
    values_only(bencher, 2000);
}

/// the model from the value form, 2,000 tenants.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn model_2000(bencher: Bencher) {
    model_only(bencher, 2000);
}

/// every requested flow over a model built beforehand, 200 tenants.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn evaluate_200(bencher: Bencher) {
    evaluate_only(bencher, 200);
}

/// every requested flow over a model built beforehand, 2,000 tenants.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn evaluate_2000(bencher: Bencher) {
    evaluate_only(bencher, 2000);
}
