//! Anchors and aliases: an anchored mapping or sequence is not copied when it is defined, only
//! found again by its path when an alias uses it, within the alias budget.

use std::rc::Rc;

use serde_json::Value;
use yaml_rust2::scanner::Marker;

use super::{Content, Failure, Read};
use crate::load::error::LoadError;

/// A step from a mapping or sequence to one of its values.
#[derive(Debug, Clone)]
pub(super) enum Step {
    Index(usize),
    Key(String),
}

/// Where an open mapping or sequence sits, built only when an anchor needs it: anchored values
/// are not copied when they are defined, only found again (by this path) when an alias uses
/// them. Frames share their parents' links, so a path costs one link per frame.
#[derive(Debug)]
pub(super) struct Link {
    pub(super) parent: Option<Rc<Link>>,
    pub(super) step: Option<Step>,
}

pub(super) enum Anchor {
    /// A scalar, kept as it is (its copy costs no more than its text).
    Scalar(Value, usize),
    /// A mapping or sequence: where it is in the document being built, and its size.
    Node { parent: Rc<Link>, step: Step, size: usize },
}

impl Read {
    /// The link of the open frame at `depth`, made (with its ancestors') on first use.
    pub(super) fn link(&mut self, depth: usize) -> Rc<Link> {
        for i in 0..=depth {
            if self.stack[i].link.is_some() {
                continue;
            }
            let (parent, step) = match i.checked_sub(1).map(|p| &self.stack[p]) {
                None => (None, None),
                Some(parent) => {
                    let step = match &parent.content {
                        Content::Seq(items) => Some(Step::Index(items.len())),
                        Content::Map(_, key) => key.clone().map(Step::Key),
                    };
                    (parent.link.clone(), step)
                }
            };
            self.stack[i].link = Some(Rc::new(Link { parent, step }));
        }
        self.stack[depth].link.clone().unwrap_or_else(|| Rc::new(Link { parent: None, step: None }))
    }

    /// A copy of the value anchor `id` stands for, within the alias budget.
    pub(super) fn resolve(&mut self, id: usize, mark: Marker) -> Result<(Value, usize), Failure> {
        let Some(anchor) = self.anchors.get(&id) else {
            let error = if self.stack.iter().any(|f| f.anchor == id) {
                LoadError::AliasInsideItself
            } else {
                LoadError::AliasToAnotherDocument
            };
            return Err(Failure::new(mark, error));
        };
        let size = match anchor {
            Anchor::Scalar(_, size) | Anchor::Node { size, .. } => *size,
        };
        if size > self.budget {
            return Err(Failure::new(mark, LoadError::AliasesTooLarge));
        }
        self.budget -= size;
        let value = match anchor {
            Anchor::Scalar(value, _) => Some(value.clone()),
            Anchor::Node { parent, step, .. } => self.find(parent, step).cloned(),
        };
        match value {
            Some(value) => Ok((value, size)),
            None => Err(Failure::new(mark, LoadError::AliasNotFound)),
        }
    }

    /// The complete value at `step` under the frame (open or complete) that `parent` links to.
    fn find(&self, parent: &Rc<Link>, step: &Step) -> Option<&Value> {
        let mut chain = vec![parent.clone()];
        while let Some(up) = chain.last().and_then(|l| l.parent.clone()) {
            chain.push(up);
        }
        chain.reverse();
        // The deepest frame of the path still open; the rest of the path is in complete values.
        let mut depth = 0;
        if !self.stack.first().and_then(|f| f.link.as_ref()).is_some_and(|l| Rc::ptr_eq(l, &chain[0])) {
            return None;
        }
        while depth + 1 < chain.len()
            && self.stack.get(depth + 1).and_then(|f| f.link.as_ref()).is_some_and(|l| Rc::ptr_eq(l, &chain[depth + 1]))
        {
            depth += 1;
        }
        let steps = chain[depth + 1..].iter().filter_map(|l| l.step.as_ref()).chain(std::iter::once(step));
        let mut current: Option<&Value> = None;
        for step in steps {
            current = match (current, step) {
                (None, Step::Index(i)) => match &self.stack[depth].content {
                    Content::Seq(items) => items.get(*i),
                    Content::Map(..) => None,
                },
                (None, Step::Key(key)) => match &self.stack[depth].content {
                    Content::Map(map, _) => map.get(key),
                    Content::Seq(_) => None,
                },
                (Some(value), Step::Index(i)) => value.get(*i),
                (Some(value), Step::Key(key)) => value.get(key),
            };
            current?;
        }
        current
    }
}
