//! The macros that declare the string value types and their JSON Schema. They name every path in
//! full, so a module that uses them needs no imports for them.

/// A string type: the text as written, valid by `check`.
macro_rules! string_type {
    ($(#[$doc:meta])* $name:ident, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            // Not every type is read back as text.
            #[allow(dead_code)]
            pub(crate) fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::values::refusal::Refusal;

            fn try_from(value: String) -> Result<Self, $crate::values::refusal::Refusal> {
                let check: fn(&str) -> Result<(), $crate::values::refusal::Refusal> = $check;
                check(&value)?;
                Ok($name(value))
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::values::refusal::Refusal;

            fn from_str(value: &str) -> Result<Self, $crate::values::refusal::Refusal> {
                Self::try_from(value.to_string())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(deserializer)?;
                Self::try_from(text).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// A string type for a Kubernetes name: `rule` gives the reason, `noun` and `help` the words.
macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident, $rule:expr, $noun:literal, $help:literal) => {
        string_type!($(#[$doc])* $name, |value| {
            let rule: fn(&str) -> Result<(), String> = $rule;
            rule(value).map_err(|reason| $crate::values::refusal::Refusal::new(value, $noun, reason, $help))
        });
    };
}

/// A JSON Schema implementation with a fixed schema.
macro_rules! json_schema_of {
    ($name:ident, $schema:expr) => {
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }

            fn schema_id() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(concat!(module_path!(), "::", stringify!($name)))
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                $schema
            }
        }
    };
}
