//! A deserializer over the generic value form that reads a struct only from a mapping.
//!
//! serde's derived structs also accept a sequence of their fields in order, so through the
//! plain `serde_json::Value` deserializer `metadata: [a]` would read as `metadata: {name: a}`.
//! Input documents are written as mappings; [`Strict`] refuses any other shape for a struct,
//! everywhere a document is read typed, and otherwise behaves like the `Value` deserializer.

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::Value;

use crate::load::error::ReadError as Error;

/// Deserializes from a borrowed value; structs only from mappings.
pub struct Strict<'de>(pub &'de Value);

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Unexpected::Unsigned(u),
            (None, Some(i), _) => Unexpected::Signed(i),
            (None, None, Some(f)) => Unexpected::Float(f),
            (None, None, None) => Unexpected::Other("number"),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

impl<'de> Deserializer<'de> for Strict<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => visitor.visit_u64(u),
                (None, Some(i), _) => visitor.visit_i64(i),
                (None, None, Some(f)) => visitor.visit_f64(f),
                (None, None, None) => Err(de::Error::invalid_type(Unexpected::Other("number"), &visitor)),
            },
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visitor.visit_seq(Items(items.iter())),
            Value::Object(map) => visitor.visit_map(Entries { entries: map.iter(), value: None }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(Entries { entries: map.iter(), value: None }),
            // The visitor would name the Rust type; the reader wrote YAML.
            other => Err(de::Error::invalid_type(unexpected(other), &"a mapping of fields")),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        // Input enums are plain strings (`ossm2`, `STRICT`); none carries data.
        match self.0 {
            Value::String(s) => visitor.visit_enum(BorrowedStrDeserializer::new(s)),
            other => Err(de::Error::invalid_type(unexpected(other), &visitor)),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map identifier
    }
}

struct Items<'de>(std::slice::Iter<'de, Value>);

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        self.0.next().map(|item| seed.deserialize(Strict(item))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Entries<'de> {
    entries: serde_json::map::Iter<'de>,
    value: Option<&'de Value>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else { return Ok(None) };
        self.value = Some(value);
        let key = BorrowedStrDeserializer::<'de, Error>::new(key.as_str());
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some(value) => seed.deserialize(Strict(value)),
            None => Err(de::Error::custom("a mapping value was read before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Meta {
        name: String,
        #[serde(default)]
        labels: Option<BTreeMap<String, String>>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Flavor {
        Ossm2,
        Istio,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        metadata: Meta,
        flavor: Option<Flavor>,
        items: Vec<u32>,
        #[serde(default)]
        free: Option<Value>,
    }

    fn read<T: for<'a> Deserialize<'a>>(value: &Value) -> Result<T, String> {
        T::deserialize(Strict(value)).map_err(|e| e.to_string())
    }

    #[test]
    fn a_struct_is_read_from_a_mapping_only() {
        let ok = json!({"metadata": {"name": "a", "labels": {"k": "v"}}, "flavor": "istio", "items": [1, 2], "free": [1, {"x": null}]});
        let doc: Doc = read(&ok).unwrap();
        assert_eq!(doc.metadata.name, "a");
        assert_eq!(doc.flavor, Some(Flavor::Istio));
        assert_eq!(doc.items, [1, 2]);
        assert_eq!(doc.free, Some(json!([1, {"x": null}])));
        // The same through serde_json's own deserializer reads a sequence as a struct.
        let sequence = json!({"metadata": ["a"], "items": []});
        assert!(serde_json::from_value::<Doc>(sequence.clone()).is_ok());
        let err = read::<Doc>(&sequence).unwrap_err();
        assert!(err.contains("invalid type: sequence, expected a mapping of fields"), "{err}");
        let err = read::<Doc>(&json!([{"name": "a"}, null, []])).unwrap_err();
        assert!(err.contains("invalid type: sequence, expected a mapping of fields"), "{err}");
    }

    #[test]
    fn other_shapes_behave_as_the_value_deserializer() {
        assert!(
            read::<Doc>(&json!({"metadata": {"name": "a"}, "items": [], "extra": 1}))
                .unwrap_err()
                .contains("unknown field `extra`")
        );
        assert!(
            read::<Doc>(&json!({"metadata": {"name": "a"}, "items": [-1]}))
                .unwrap_err()
                .contains("invalid value: integer `-1`")
        );
        assert!(
            read::<Doc>(&json!({"metadata": {"name": "a"}, "items": [], "flavor": "x"}))
                .unwrap_err()
                .contains("unknown variant `x`")
        );
        assert!(
            read::<Doc>(&json!({"metadata": {"name": "a"}, "items": [], "flavor": ["istio"]}))
                .unwrap_err()
                .contains("invalid type: sequence")
        );
        assert!(
            read::<Doc>(&json!({"metadata": "a", "items": []}))
                .unwrap_err()
                .contains("invalid type: string \"a\", expected a mapping of fields")
        );
        assert!(read::<Doc>(&json!({"metadata": {"name": "a"}})).unwrap_err().contains("missing field `items`"));
        assert_eq!(read::<Option<u8>>(&Value::Null).unwrap(), None);
        assert_eq!(read::<f64>(&json!(1.5)).unwrap(), 1.5);
        assert_eq!(read::<i64>(&json!(-3)).unwrap(), -3);
    }
}
