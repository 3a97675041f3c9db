//! Release numbers of the target cluster, as `settings.cluster` writes them.
//!
//! The value types check only the form (`<major>.<minor>`, plain decimals, quoted in YAML so that
//! `"4.10"` is not read as the number 4.1); which releases meshedge knows is the platform model's
//! to say (`crate::platform::Target::new`), with an error naming the setting.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use super::Refusal;

/// `<major>.<minor>` with `major` as given: decimals without sign or leading zero.
fn release(value: &str, major: &str, noun: &str, example: &str) -> Result<(), Refusal> {
    let refuse = |reason: &str| {
        Refusal::new(
            value,
            noun,
            reason,
            format!("write the release as a quoted \"{major}.<minor>\" (e.g. \"{example}\")"),
        )
    };
    let Some((head, minor)) = value.split_once('.') else { return Err(refuse("it is not `<major>.<minor>`")) };
    let decimal = |s: &str| {
        !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()) && !(s.len() > 1 && s.starts_with('0'))
    };
    if !decimal(head) || !decimal(minor) {
        return Err(refuse("it is not `<major>.<minor>` in plain decimals"));
    }
    if head != major {
        return Err(refuse(&format!("the major release must be {major}")));
    }
    Ok(())
}

macro_rules! release_type {
    ($(#[$doc:meta])* $name:ident, $major:literal, $noun:literal, $example:literal, $description:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            pub(crate) fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = Refusal;

            fn try_from(value: String) -> Result<Self, Refusal> {
                release(&value, $major, $noun, $example)?;
                Ok($name(value))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::try_from(text).map_err(de::Error::custom)
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }

            fn schema_id() -> Cow<'static, str> {
                Cow::Borrowed(concat!(module_path!(), "::", stringify!($name)))
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({
                    "type": "string",
                    "description": $description,
                    "pattern": concat!("^", $major, "\\.(0|[1-9][0-9]{0,3})$"),
                    "examples": [$example],
                })
            }
        }
    };
}

release_type!(
    /// An OpenShift Container Platform release, `"4.<minor>"` (e.g. `"4.16"`).
    OpenShiftRelease,
    "4",
    "an openshift release",
    "4.16",
    "An OpenShift release, quoted: \"4.<minor>\", from \"4.14\" to \"4.19\" (e.g. \"4.16\")."
);

release_type!(
    /// A Kubernetes release, `"1.<minor>"` (e.g. `"1.31"`).
    KubernetesRelease,
    "1",
    "a kubernetes release",
    "1.31",
    "A Kubernetes release, quoted: \"1.<minor>\", from \"1.27\" to \"1.32\" (e.g. \"1.31\")."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_are_major_dot_minor() {
        for good in ["4.14", "4.19", "4.0"] {
            assert!(OpenShiftRelease::try_from(good.to_string()).is_ok(), "{good}");
        }
        for bad in ["4", "4.", "v4.16", "4.16.3", "4.016", "5.1", " 4.16", "4.1a", ""] {
            assert!(OpenShiftRelease::try_from(bad.to_string()).is_err(), "{bad}");
        }
        assert!(KubernetesRelease::try_from("1.31".to_string()).is_ok());
        let refusal = KubernetesRelease::try_from("4.16".to_string()).unwrap_err();
        assert!(refusal.message.contains("a kubernetes release"), "{}", refusal.message);
        assert!(refusal.help.contains("\"1.<minor>\""), "{}", refusal.help);
    }
}
