//! A layer, its documents loaded.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Explain};
use crate::input::{API_VERSION, EdgeRequestDoc, LayerDoc, TenantDoc};
use crate::layers::error::LayerError;
use crate::layers::layout::LayerInputs;
use crate::load::Document;

/// One layer, its documents loaded.
#[derive(Debug, Clone)]
pub struct Layer {
    /// What the layer reads ([`layout`]).
    pub inputs: LayerInputs,
    pub manifest: Document,
    pub spec: LayerDoc,
    /// Plain manifests under `resources/`.
    pub resources: Vec<Document>,
    /// Documents under `tenants/<tenant>/`, keyed by the tenant directory name.
    pub tenants: BTreeMap<String, Vec<TenantDocument>>,
}

/// A document under `tenants/`, read into its typed form on the thread that parsed it. Its value
/// tree is released there and then: tenants make up most of a repository, and their documents
/// are needed again only to merge a request that several layers write (read again from the text)
/// and to place diagnostics.
#[derive(Debug, Clone)]
pub struct TenantDocument {
    pub doc: Document,
    pub read: TenantRead,
}

#[derive(Debug, Clone)]
pub enum TenantRead {
    Tenant(TenantDoc),
    Request(EdgeRequestDoc),
    /// Not a tenant document, or not a valid one.
    Refused(Diagnostic),
}

pub(super) fn read_tenant_document(mut doc: Document) -> TenantDocument {
    let read = match doc.api_kind() {
        (Some(API_VERSION), Some("Tenant")) => doc.typed("").map_or_else(TenantRead::Refused, TenantRead::Tenant),
        (Some(API_VERSION), Some("EdgeRequest")) => doc.typed("").map_or_else(TenantRead::Refused, TenantRead::Request),
        (Some(API_VERSION), other) => TenantRead::Refused(
            LayerError::NotATenantDocument { kind: other.map(str::to_string) }.at(doc.location("/kind")),
        ),
        _ => TenantRead::Refused(LayerError::NotMeshedge.at(doc.location("/apiVersion"))),
    };
    doc.release_value();
    TenantDocument { doc, read }
}
