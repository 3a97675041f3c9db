//! Places: where each value of a document was written, a tree shaped like the value (a table
//! of full pointers would grow with depth × keys), found only when a diagnostic asks.

use crate::pointer::unescape;

/// Where each value of one document was written: a tree shaped like the value, so that its
/// size follows the input's (a table of full pointers would grow with depth × keys).
#[derive(Debug, Default)]
pub(super) struct Places {
    pub(super) nodes: Vec<PlaceNode>,
}

#[derive(Debug)]
pub(super) struct PlaceNode {
    pub(super) at: (usize, usize),
    pub(super) children: Children,
}

#[derive(Debug)]
pub(super) enum Children {
    None,
    Seq(Vec<usize>),
    /// Sorted by key once the mapping is complete (keys are unique).
    Map(Vec<(Box<str>, usize)>),
}

impl Places {
    /// Whether `pointer` is written, and the place of it or of its nearest written ancestor.
    pub(super) fn find(&self, pointer: &str) -> (bool, Option<(usize, usize)>) {
        let Some(mut node) = self.nodes.first() else { return (false, None) };
        for segment in pointer.split('/').skip(1) {
            let next = match &node.children {
                Children::Seq(items) => index_segment(segment).and_then(|i| items.get(i)),
                Children::Map(entries) => {
                    let key = unescape(segment);
                    entries.binary_search_by(|(k, _)| k.as_ref().cmp(key.as_ref())).ok().map(|i| &entries[i].1)
                }
                Children::None => None,
            };
            match next.and_then(|&i| self.nodes.get(i)) {
                Some(child) => node = child,
                None => return (false, Some(node.at)),
            }
        }
        (true, Some(node.at))
    }
}

/// A JSON pointer array index (`0`, `17`; not `01` or `-`).
fn index_segment(segment: &str) -> Option<usize> {
    let valid = !segment.is_empty()
        && segment.bytes().all(|b| b.is_ascii_digit())
        && (segment == "0" || !segment.starts_with('0'));
    if valid { segment.parse().ok() } else { None }
}
