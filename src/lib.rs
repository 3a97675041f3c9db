//! meshedge compiles a layered GitOps repository that describes the edge of a service mesh
//! (Istio, or OpenShift Service Mesh 2) into the final Kubernetes manifests.
//!
//! The pipeline, one module per stage, chained in [`compiler`]:
//! [`source`] → `load` → `layers` → `merge` → `validate` (a `plan`) → `generate` → `finish`
//! (stamp, `patch`, index for [`analyzers`], [`render`]) → [`analyzers`] → [`flows`] → sort. Objects are finished one
//! at a time as they are generated, on every core (`parallel`). The commands of the binary are
//! thin: [`locate`] finds the root and the environment, [`check`] (over [`analyzers`], `schema`
//! and [`report`]), [`diff`], [`argocd`], [`explain`] and [`graph`] are the library parts of
//! `meshedge check`, `meshedge diff`, `meshedge generate`, `meshedge explain` and
//! `meshedge graph`, [`error`] is what a command fails with. See
//! `docs/architecture.md` for the house in one page.
//!
//! The public surface is what the binary, the tests, the benchmarks and the fuzz targets use:
//! the modules the binary calls ([`argocd`], [`check`], [`compiler`], [`diagnostic`], [`diff`],
//! [`error`], [`input_schema`], [`locate`], [`render`], [`report`], [`shard`], [`source`]); the models the
//! tests and benchmarks query as a whole ([`platform`], [`flows`], [`analyzers`]); and
//! [`stages`], the facade for driving a part of the pipeline, which also carries the few items
//! of otherwise private modules a test needs (schemas, value types). Every other module is the
//! library's own.

// Diagnostics are returned by value on the cold error path; their size does not matter there.
#![allow(clippy::result_large_err)]

pub mod analyzers;
pub mod argocd;
pub mod check;
pub mod compiler;
pub mod diagnostic;
pub mod diff;
pub mod error;
pub mod explain;
mod finish;
pub mod flows;
mod generate;
pub mod graph;
mod hosts;
mod input;
pub mod input_schema;
mod layers;
mod load;
pub mod locate;
mod merge;
mod names;
mod objects;
mod parallel;
mod patch;
mod plan;
pub mod platform;
mod pointer;
pub mod render;
pub mod report;
mod resource;
mod schema;
pub mod shard;
pub mod source;
mod suggest;
mod validate;
mod values;

/// The stages one by one, for tests and fuzz targets that drive a part of the pipeline.
pub mod stages {
    pub use crate::analyzers::unique;
    pub use crate::generate::{Generated, Pending, generate};
    pub use crate::input::{EdgeRequestDoc, Flavor, LayerDoc, LayerPatch, PatchSpec, TenantDoc};
    pub use crate::layers::{Loader, load_patch_files, resolve};
    pub use crate::load::{Document, parse, reload_all, strip_bom};
    pub use crate::merge::{Merged, merge};
    pub use crate::patch::{MAX_PATCHED_DEPTH, apply};
    pub use crate::resource::Resource;
    pub use crate::validate::validate;

    /// JSON pointers (RFC 6901), for the fuzz targets that walk rendered objects.
    pub mod pointer {
        pub use crate::pointer::escape;
    }

    /// Structural validation against CRD and OpenAPI schemas.
    pub use crate::schema::{SchemaSet, Validation};

    /// The value types of the inputs, for the tests that hold them to their JSON Schema.
    pub mod values {
        pub use crate::values::{
            AnnotationKey, ControlPlaneName, Count, DomainName, Duration, EgressIp, ExternalHost, GatewayName,
            HeaderName, HostPattern, HttpsUrl, IssuerUrl, LabelKey, LabelValue, Namespace, ObjectName, PathPrefix,
            Percent, Port, Refusal, RequestHost, SecretKey, SecretName, ServiceName, ServiceRef, SlaClassName,
            TenantName, Text, Uint32,
        };
    }
}
