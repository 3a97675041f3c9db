//! The flows of a [`Report`] with its hidden flows left in their groups, for a view that must
//! not visit tenant namespaces × external hosts one by one ([`crate::graph`]).

use std::collections::BTreeSet;

use super::{Evaluated, Report};

impl Report {
    /// The flows [`Report::each`] visits (one tenant's with `tenant`, as [`Report::each_of`]),
    /// in the same order, but the hidden ones: `hidden(namespace)` is called where that
    /// namespace's hidden flows would be visited (see [`Report::hidden_groups`]).
    pub fn each_shown(&self, tenant: Option<&str>, visit: &mut dyn FnMut(&Evaluated), hidden: &mut dyn FnMut(&str)) {
        for (name, flows) in &self.tenants {
            if tenant.is_some_and(|t| t != name) {
                continue;
            }
            flows.ingress.iter().for_each(&mut *visit);
            for (namespace, egress) in &flows.egress {
                egress.iter().for_each(&mut *visit);
                hidden(namespace);
            }
            flows.direct.iter().for_each(&mut *visit);
        }
    }

    /// The hidden flows, one per group, in the order [`Report::each`] visits them: the group's
    /// flow (its `from` and `tenant` left empty) and the namespaces the group leaves out. Every
    /// other tenant namespace has the group's flow, with the same verdict.
    pub fn hidden_groups(&self) -> Vec<(Evaluated, &BTreeSet<String>)> {
        self.hidden.iter().map(|hidden| (hidden.flow("", ""), &hidden.except)).collect()
    }
}
