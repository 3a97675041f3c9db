//! What each patch did to an object, operation by operation: the JSON pointer it touched and the
//! value there before and after. Recorded only when asked (`meshedge explain`): a normal build
//! passes no recorder and pays nothing.

use serde::Serialize;
use serde_json::Value;

use crate::diagnostic::Location;

/// One change a patch made to an object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchStep {
    /// The patch, as diagnostics name it (`environments/prod/meshedge.yaml#patches[0]`).
    pub patch: String,
    /// Where the patch is written.
    pub location: Location,
    /// The RFC 6902 operation (`add`, `remove`, `replace`, `move`, `copy`, `test`), or `merge`
    /// for a key an RFC 7386 merge patch sets.
    pub op: &'static str,
    /// The JSON pointer the operation touched (RFC 6901).
    pub pointer: String,
    /// The value at `pointer` before the operation; `None`: absent.
    pub before: Option<Value>,
    /// The value at `pointer` after the operation; `None`: absent.
    pub after: Option<Value>,
}

/// The name and target pointer of an RFC 6902 operation, and the pointer it reads from.
pub(super) fn describe(op: &json_patch::PatchOperation) -> (&'static str, &str, Option<&str>) {
    use json_patch::PatchOperation as Op;
    match op {
        Op::Add(o) => ("add", o.path.as_str(), None),
        Op::Remove(o) => ("remove", o.path.as_str(), None),
        Op::Replace(o) => ("replace", o.path.as_str(), None),
        Op::Move(o) => ("move", o.path.as_str(), Some(o.from.as_str())),
        Op::Copy(o) => ("copy", o.path.as_str(), Some(o.from.as_str())),
        Op::Test(o) => ("test", o.path.as_str(), None),
    }
}

/// The pointers a merge patch sets: every key whose value is not an object that merges into an
/// object (those are descended into), in the patch's key order.
pub(super) fn merge_pointers(target: &Value, patch: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(Some(target), patch, &mut String::new(), &mut out);
    out
}

fn walk(target: Option<&Value>, patch: &Value, at: &mut String, out: &mut Vec<String>) {
    let Value::Object(map) = patch else {
        out.push(at.clone());
        return;
    };
    if !at.is_empty() && !target.is_some_and(Value::is_object) {
        // An object replaces whatever was there (RFC 7386 §2): one change.
        out.push(at.clone());
        return;
    }
    for (key, value) in map {
        let len = at.len();
        at.push('/');
        at.push_str(&key.replace('~', "~0").replace('/', "~1"));
        walk(target.and_then(|t| t.get(key)), value, at, out);
        at.truncate(len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_merge_patch_sets_its_leaves_and_replaces_what_is_not_an_object() {
        let target = json!({"spec": {"replicas": 1, "a/b": {"x": 1}}, "data": "text"});
        let patch = json!({"spec": {"replicas": 3, "a/b": null, "new": {"k": "v"}}, "data": {"k": 1}});
        let mut set = merge_pointers(&target, &patch);
        set.sort();
        assert_eq!(set, ["/data", "/spec/a~1b", "/spec/new", "/spec/replicas"]);
    }
}
