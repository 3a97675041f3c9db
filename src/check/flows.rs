//! The flows (docs/flows.md) as `check` reports them: the violations the build's flows stage found
//! (E801, E802), which `check` asks the build to hand over instead of failing on them. A bare
//! directory of manifests has no requests, and so no flows.

use crate::diagnostic::{Diagnostic, Diagnostics};

/// The diagnostics of the flows of one environment's final objects: a requested flow that is
/// blocked, or a flow no request opened that is open.
pub fn evaluate(violations: &Diagnostics) -> impl Iterator<Item = &Diagnostic> {
    violations.iter()
}
