//! Whole numbers in a range: ports, counts, percentages.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::refusal::Refusal;

/// Reads an integer (any sign, any size) for the range checks of [`Port`] and [`Int`].
fn integer<'de, D: Deserializer<'de>>(deserializer: D, expecting: &'static str) -> Result<i128, D::Error> {
    struct Integer(&'static str);

    impl Visitor<'_> for Integer {
        type Value = i128;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<i128, E> {
            Ok(v.into())
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<i128, E> {
            Ok(v.into())
        }
    }

    deserializer.deserialize_i64(Integer(expecting))
}

/// A TCP port, 1 to 65535.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Port(u16);

impl Port {
    pub(crate) fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<i128> for Port {
    type Error = Refusal;

    fn try_from(value: i128) -> Result<Self, Refusal> {
        match u16::try_from(value) {
            Ok(port) if port > 0 => Ok(Port(port)),
            _ => Err(Refusal {
                message: format!("port {value} is out of range"),
                help: "use a port from 1 to 65535".into(),
            }),
        }
    }
}

impl Serialize for Port {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u16(self.0)
    }
}

impl<'de> Deserialize<'de> for Port {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Port::try_from(integer(deserializer, "a port number")?).map_err(de::Error::custom)
    }
}

/// An integer from `MIN` to `MAX` (Istio's `int32` counts are `Int<0, 2147483647>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Int<const MIN: i64, const MAX: i64>(i64);

/// A non-negative `int32`: istiod refuses negative connection pool limits.
pub type Count = Int<0, 2_147_483_647>;
/// A `uint32`.
pub type Uint32 = Int<0, 4_294_967_295>;
/// A percentage, 0 to 100 (`ValidatePercent`).
pub type Percent = Int<0, 100>;

impl<const MIN: i64, const MAX: i64> Int<MIN, MAX> {
    pub(crate) fn get(self) -> i64 {
        self.0
    }
}

impl<const MIN: i64, const MAX: i64> TryFrom<i128> for Int<MIN, MAX> {
    type Error = Refusal;

    fn try_from(value: i128) -> Result<Self, Refusal> {
        match i64::try_from(value) {
            Ok(v) if (MIN..=MAX).contains(&v) => Ok(Int(v)),
            _ => Err(Refusal {
                message: format!("{value} is out of range"),
                help: format!("use a whole number from {MIN} to {MAX}"),
            }),
        }
    }
}

impl<const MIN: i64, const MAX: i64> Serialize for Int<MIN, MAX> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl<'de, const MIN: i64, const MAX: i64> Deserialize<'de> for Int<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::try_from(integer(deserializer, "a whole number")?).map_err(de::Error::custom)
    }
}
