//! The pods a flow starts or ends at: a namespace's workloads and a route's backend, as
//! variants where the objects do not say their labels.

use super::*;

impl Model {
    /// The workloads of a namespace that are not gateways: the output's, those its Services
    /// select where the output has no workload for them, and the pods the namespace may run
    /// without the output declaring them (tenants deploy their own).
    ///
    /// A pod known only by a Service's selector, or not at all, may carry more labels than the
    /// objects say; a label selector of its namespace may select it or not. Each such pod comes
    /// as variants ([`Model::possible`]): with the labels known, and with those plus the fewest
    /// labels each NetworkPolicy or AuthorizationPolicy selector there needs. A requested flow
    /// must work for each variant, an unrequested one is open when one variant gets through.
    pub(super) fn workloads(&self, namespace: &str) -> std::sync::Arc<Vec<Pod>> {
        let made = self.workloads.lock().ok().and_then(|cache| cache.get(namespace).cloned());
        if let Some(pods) = made {
            return pods;
        }
        let pods: std::sync::Arc<Vec<Pod>> =
            std::sync::Arc::new(self.make_workloads(namespace).into_iter().map(Cow::into_owned).collect());
        if let Ok(mut cache) = self.workloads.lock() {
            cache.insert(namespace.to_string(), std::sync::Arc::clone(&pods));
        }
        pods
    }

    /// [`Model::workloads`], made.
    fn make_workloads(&self, namespace: &str) -> Vec<Cow<'_, Pod>> {
        let mut pods: Vec<Cow<'_, Pod>> =
            self.index.pods_in(namespace).into_iter().filter(|p| !self.is_gateway(p)).map(Cow::Borrowed).collect();
        let known = pods.len();
        for (name, selector) in self.index.service_selectors(namespace) {
            let declared = pods[..known].iter().any(|p| selector.iter().all(|(k, v)| p.labels.get(k) == Some(v)));
            if !declared {
                pods.extend(self.possible(namespace, name, selector).into_iter().map(Cow::Owned));
            }
        }
        pods.extend(self.possible(namespace, "workload", &Labels::new()).into_iter().map(Cow::Owned));
        pods.retain(|p| !self.is_gateway(p));
        pods
    }

    /// A pod of `namespace` whose labels include `known` and may include others: one variant
    /// with `known`, and one per selector of the namespace (and of the root namespace's
    /// AuthorizationPolicies) that `known` does not contradict, with the labels it needs added,
    /// unless those make it a pod a Gateway selects.
    pub(super) fn possible(&self, namespace: &str, name: &str, known: &Labels) -> Vec<Pod> {
        let mut out = vec![Pod::new(namespace, name, known.clone())];
        for extra in self.index.selector_labels(&[namespace, &self.ctx.root_namespace]) {
            if extra.iter().any(|(k, v)| known.get(k).is_some_and(|w| w != v)) {
                continue;
            }
            let mut labels = known.clone();
            labels.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
            // Labels a Gateway selects make a gateway pod, not another workload: the selector
            // that needs them is the gateway's (its token check, its policy).
            if labels == *known
                || self.index.routing.is_gateway_pod(&Pod::new(namespace, name, labels.clone()))
                || self.labelled_as_declared_gateway(namespace, &labels)
            {
                continue;
            }
            let shown: Vec<String> = extra.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.push(Pod::new(namespace, &format!("{name}[{}]", shown.join(",")), labels));
        }
        out
    }

    /// Whether a Gateway selects `pod`, or it carries a declared gateway's labels.
    fn is_gateway(&self, pod: &Pod) -> bool {
        self.index.routing.is_gateway_pod(pod) || self.labelled_as_declared_gateway(&pod.namespace, &pod.labels)
    }

    /// Whether `labels` carry every label of a gateway the control plane declares in
    /// `namespace` (those of its Deployment's pods, which the gateway's Service and the
    /// operator's policy for it select): such a pod is one more pod of that gateway, served by
    /// its Service and opened by its policy whether or not a Gateway object selects it yet. In
    /// a namespace where a tenant owns its gateway, the tenant can label its pods so, and no
    /// NetworkPolicy can tell them apart: they are the gateway's pods, which the tenant runs
    /// (see `docs/flows.md`, "A tenant's own gateway").
    fn labelled_as_declared_gateway(&self, namespace: &str, labels: &Labels) -> bool {
        let Some(cp) = &self.index.control_plane else { return false };
        cp.gateways.iter().any(|gw| {
            gw.namespace == namespace
                && !gw.labels.is_empty()
                && gw.labels.iter().all(|(k, v)| labels.get(k) == Some(v))
        })
    }

    /// The pods behind a route destination (variants, see [`Model::workloads`]) with the port
    /// each listens on, and the backend's name: the output's workloads the destination's
    /// Service selects, else pods with the Service's selector, else the context's pod for it,
    /// else a pod with unknown labels.
    pub(super) fn backend(&self, destination: &Destination) -> (Vec<(Pod, u16)>, String) {
        let host = destination.host.to_ascii_lowercase();
        let parts: Vec<&str> = host.split('.').collect();
        let (name, namespace) = match parts.as_slice() {
            [name, ns, "svc", ..] => (name.to_string(), ns.to_string()),
            [name, ns] => (name.to_string(), ns.to_string()),
            _ => (host.clone(), String::new()),
        };
        let port = destination.port.unwrap_or(80);
        let label = format!("service/{namespace}/{name}:{port}");
        if let Some(service) = self.index.exposure.service(&namespace, &name) {
            let target = service
                .ports
                .iter()
                .find(|p| Some(p.port) == destination.port)
                .or(service.ports.first())
                .map(|p| p.target.clone());
            if let Some(target) = target {
                let mut pods: Vec<Pod> =
                    self.index.pods_in(&namespace).into_iter().filter(|p| service.selects(p)).cloned().collect();
                if pods.is_empty() {
                    let known = service.selector.clone().unwrap_or_default();
                    pods = self.possible(&namespace, &name, &known);
                }
                let out = pods
                    .into_iter()
                    .map(|pod| {
                        let number = target.on(&pod).unwrap_or(port);
                        (pod, number)
                    })
                    .collect();
                return (out, label);
            }
        }
        if let Some(pod) = self.ctx.backends.get(&(namespace.clone(), name.clone())) {
            return (vec![(pod.clone(), port)], label);
        }
        let pods = self.possible(&namespace, &name, &Labels::new());
        (pods.into_iter().map(|p| (p, port)).collect(), label)
    }
}
