//! Diagnostics: what every stage reports instead of failing fast.
//!
//! A [`Diagnostic`] has a severity, a stable [`Code`] (`E1xx` source and load, `E2xx` layers,
//! `E3xx` merge, `E4xx` request validation, `E5xx` patches, `A6xx` analyses of the final
//! objects, `E9xx` usage and I/O), an optional Istio analyzer code, a short lowercase message,
//! an optional location (repo-relative file, line, column), the resource it concerns, and a
//! `help:` line saying how to fix it. Each stage has its typed errors (`LoadError`,
//! `LayerError`, `MergeError`, `RequestError`, `PatchError`, the analyses' `Finding` and
//! `Duplicate`, `CheckError`, `UsageError`): each variant says its code, message and help in one
//! place ([`Explain`]) and becomes a diagnostic with the place it concerns. [`json`] writes
//! diagnostics for the JSON reports of `check` and `diff`. Stages collect them in [`Diagnostics`]; the compiler stops after
//! the first stage that produced an error. Rendering follows rustc ([`render`]).

mod code;
pub mod json;
mod model;
pub(crate) mod render;

pub use code::{Code, Severity};
#[cfg(test)]
pub(crate) use model::Made;
pub use model::{Diagnostic, Diagnostics, Explain, Location, ResourceRef, Start};
pub use render::{EXCERPT_CHARS, MESSAGE_CHARS, SourceText, counted, excerpt, inert_json, printable};
