//! meshedge compiles a layered GitOps repository that describes the edge of a service mesh
//! (Istio, or OpenShift Service Mesh 2) into the final Kubernetes manifests.
//!
//! The pipeline, one module per stage, chained in [`compiler`]:
//! [`source`] → [`load`] → [`layers`] → [`merge`] → [`validate`] → [`generate`] → [`patch`] →
//! [`analyse`] → [`render`]. Objects are stamped, patched, analysed and rendered one at a time as
//! they are generated, on every core ([`parallel`]). Commands in [`cli`] are thin shells over it.

// Diagnostics are returned by value on the cold error path; their size does not matter there.
#![allow(clippy::result_large_err)]

pub mod analyse;
pub mod argocd;
pub mod cli;
pub mod compiler;
pub mod diagnostic;
pub mod diff;
pub mod flows;
pub mod generate;
pub mod input;
pub mod layers;
pub mod load;
pub mod locate;
pub mod merge;
pub mod names;
pub mod objects;
pub mod parallel;
pub mod patch;
pub mod render;
pub mod resource;
pub mod schema;
pub mod source;
pub mod source_git;
pub mod synth;
pub mod tenancy;
pub mod validate;
pub mod values;
