//! One identity, one object: two final objects with one identity (group, kind, namespace, name)
//! is an error (E430) naming where each came from — a plain resource clashing with a generated
//! one, or a patch that renamed an object onto another.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt::Write as _;

use super::trace::origin_file;
use crate::diagnostic::{Code, Diagnostics, Explain, Location, ResourceRef};
use crate::render::Object;
use crate::resource::split_api_version;

/// E430: two objects with one identity; where each came from.
#[derive(Debug, Clone)]
pub struct Duplicate {
    pub object: ResourceRef,
    pub first: String,
    pub second: String,
}

impl Explain for Duplicate {
    fn code(&self) -> Code {
        Code::E430
    }

    fn message(&self) -> String {
        format!("two objects are both {}", self.object)
    }

    fn help(&self) -> Option<String> {
        Some(format!("one comes from {}, the other from {}; rename or remove one", self.first, self.second))
    }
}

/// The duplicates among `objects`, each reported on the later one.
pub fn unique(objects: &[Object]) -> Diagnostics {
    let described = |o: &Object| {
        let mut text = o.sources.join(", ");
        if let Some(before) = &o.origin {
            let _ = write!(text, " (renamed from {before} by {})", o.patched_by.join(", "));
        }
        text
    };
    // Detection only: diagnostics are sorted later, so the map's order never shows.
    let mut seen: HashMap<(&str, &str, &str, &str), &Object> = HashMap::with_capacity(objects.len());
    let mut out = Diagnostics::new();
    let mut lists = Vec::new();
    for o in objects {
        let r = &o.reference;
        // A `v1 List` is a wrapper, named or not: its items are the objects of the cluster.
        if crate::platform::is_list(&r.api_version, &r.kind) {
            lists.push(o);
            continue;
        }
        let group = split_api_version(&r.api_version).0;
        match seen.entry((group, &r.kind, r.namespace.as_deref().unwrap_or_default(), &r.name)) {
            Entry::Occupied(first) => {
                let found = Duplicate { object: r.clone(), first: described(first.get()), second: described(o) };
                out.push(found.at_opt(origin_file(&o.sources).map(Location::file)).resource(r.clone()));
            }
            Entry::Vacant(slot) => {
                slot.insert(o);
            }
        }
    }
    // The items of the Lists (few: read back from their text), against the objects and each other.
    let mut items: HashMap<(String, String, String, String), &Object> = HashMap::new();
    for o in lists {
        let value = o.value();
        for (_, item) in crate::platform::list_items(&value) {
            let r = ResourceRef::of(item);
            let key = (
                split_api_version(&r.api_version).0,
                r.kind.as_str(),
                r.namespace.as_deref().unwrap_or_default(),
                r.name.as_str(),
            );
            let first = seen.get(&key).copied().or_else(|| {
                let owned = (key.0.to_string(), key.1.to_string(), key.2.to_string(), key.3.to_string());
                match items.entry(owned) {
                    Entry::Occupied(first) => Some(*first.get()),
                    Entry::Vacant(slot) => {
                        slot.insert(o);
                        None
                    }
                }
            });
            if let Some(first) = first {
                let found = Duplicate { object: r.clone(), first: described(first), second: described(o) };
                out.push(found.at_opt(origin_file(&o.sources).map(Location::file)).resource(r));
            }
        }
    }
    out
}
