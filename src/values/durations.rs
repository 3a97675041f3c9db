//! Durations in Go's syntax, as both target platforms accept them (see the docs of
//! [`crate::values`]).

use std::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use super::refusal::{Refusal, shown};

const MILLISECOND: u64 = 1_000_000;

/// Why Go's `time.ParseDuration` refuses a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum GoDurationError {
    Invalid,
    MissingUnit,
    UnknownUnit(String),
}

/// Go's `time.ParseDuration` (src/time/format.go, golang/go 08d24035), step for step, on
/// bytes: the sign, then one or more `[0-9]*(\.[0-9]*)?unit` with units `ns`, `us` (`µs`,
/// `μs`), `ms`, `s`, `m`, `h`; fractions are scaled with the same float arithmetic. Returns
/// the sign and the magnitude in nanoseconds.
pub(super) fn go_parse_duration(text: &str) -> Result<(bool, u64), GoDurationError> {
    const OVER: u64 = 1 << 63;
    let mut s = text.as_bytes();
    let mut total: u64 = 0;
    let mut negative = false;
    if let Some(&c) = s.first() {
        if c == b'-' || c == b'+' {
            negative = c == b'-';
            s = &s[1..];
        }
    }
    if s == b"0" {
        return Ok((negative, 0));
    }
    if s.is_empty() {
        return Err(GoDurationError::Invalid);
    }
    while let Some(&first) = s.first() {
        if !(first == b'.' || first.is_ascii_digit()) {
            return Err(GoDurationError::Invalid);
        }
        // [0-9]*
        let before = s.len();
        let mut whole: u64 = 0;
        while let Some(&c) = s.first().filter(|c| c.is_ascii_digit()) {
            if whole > OVER / 10 {
                return Err(GoDurationError::Invalid);
            }
            whole = whole * 10 + u64::from(c - b'0');
            if whole > OVER {
                return Err(GoDurationError::Invalid);
            }
            s = &s[1..];
        }
        let pre = before != s.len();
        // (\.[0-9]*)?
        let mut fraction: u64 = 0;
        let mut scale: f64 = 1.0;
        let mut post = false;
        if s.first() == Some(&b'.') {
            s = &s[1..];
            let before = s.len();
            let mut overflow = false;
            while let Some(&c) = s.first().filter(|c| c.is_ascii_digit()) {
                s = &s[1..];
                if overflow {
                    continue;
                }
                if fraction > (OVER - 1) / 10 {
                    overflow = true;
                    continue;
                }
                let next = fraction * 10 + u64::from(c - b'0');
                if next > OVER {
                    overflow = true;
                    continue;
                }
                fraction = next;
                scale *= 10.0;
            }
            post = before != s.len();
        }
        if !pre && !post {
            return Err(GoDurationError::Invalid);
        }
        // The unit: everything up to the next digit or `.`.
        let end = s.iter().position(|c| *c == b'.' || c.is_ascii_digit()).unwrap_or(s.len());
        if end == 0 {
            return Err(GoDurationError::MissingUnit);
        }
        let (unit, rest) = s.split_at(end);
        s = rest;
        let unit: u64 = match unit {
            b"ns" => 1,
            b"us" => 1_000,
            _ if unit == "µs".as_bytes() || unit == "μs".as_bytes() => 1_000,
            b"ms" => MILLISECOND,
            b"s" => 1_000 * MILLISECOND,
            b"m" => 60_000 * MILLISECOND,
            b"h" => 3_600_000 * MILLISECOND,
            _ => return Err(GoDurationError::UnknownUnit(String::from_utf8_lossy(unit).into_owned())),
        };
        if whole > OVER / unit {
            return Err(GoDurationError::Invalid);
        }
        let mut value = whole * unit;
        if fraction > 0 {
            // As Go: float64(f) * (float64(unit) / scale), truncated.
            value += (fraction as f64 * (unit as f64 / scale)) as u64;
            if value > OVER {
                return Err(GoDurationError::Invalid);
            }
        }
        total = total.checked_add(value).filter(|t| *t <= OVER).ok_or(GoDurationError::Invalid)?;
    }
    if !negative && total > OVER - 1 {
        return Err(GoDurationError::Invalid);
    }
    Ok((negative, total))
}

/// A duration in Istio's format, as both target platforms accept it (see the module docs):
/// Go duration syntax, at least 1ms, a whole number of milliseconds. Kept as written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    text: String,
    nanos: u64,
}

impl Duration {
    /// The duration in nanoseconds.
    pub(crate) fn as_nanos(&self) -> u64 {
        self.nanos
    }
}

const DURATION_HELP: &str = "write a duration of at least 1ms in whole milliseconds: a number and a unit, e.g. `10s`, `500ms`, `1.5s`, `1m30s` (units h, m, s, ms, us, ns), as Istio and OpenShift Service Mesh both accept";

impl TryFrom<String> for Duration {
    type Error = Refusal;

    fn try_from(text: String) -> Result<Self, Refusal> {
        let refuse = |reason: &str| Refusal::new(&text, "a valid duration", reason, DURATION_HELP);
        let (negative, nanos) = go_parse_duration(&text).map_err(|e| match e {
            GoDurationError::Invalid if text.is_empty() => refuse("it is empty"),
            GoDurationError::Invalid => refuse("it is not a number followed by a unit"),
            GoDurationError::MissingUnit => refuse("a number has no unit"),
            GoDurationError::UnknownUnit(unit) => refuse(&format!("{} is not a unit", shown(&unit))),
        })?;
        if negative && nanos > 0 {
            return Err(refuse("it is negative"));
        }
        if nanos < MILLISECOND {
            return Err(refuse("it is shorter than 1ms"));
        }
        if nanos % MILLISECOND != 0 {
            return Err(refuse("it is not a whole number of milliseconds"));
        }
        Ok(Duration { text, nanos })
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::try_from(String::deserialize(deserializer)?).map_err(de::Error::custom)
    }
}

/// A rate limit's period (`rateLimit.per`): a [`Duration`], read with the help of a period. The
/// local rate limit's token bucket refills at most once a second, so validation refuses a period
/// under `1s` (E449); a period that is no duration at all gets the same `1s` advice here.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period(Duration);

impl Period {
    /// The period in nanoseconds.
    pub(crate) fn as_nanos(&self) -> u64 {
        self.0.as_nanos()
    }
}

const PERIOD_HELP: &str =
    "write a period of at least 1s in whole milliseconds: a number and a unit, e.g. `1s`, `1.5s`, `1m`, `1h`";

impl TryFrom<String> for Period {
    type Error = Refusal;

    fn try_from(text: String) -> Result<Self, Refusal> {
        Duration::try_from(text).map(Period).map_err(|r| Refusal { message: r.message, help: PERIOD_HELP.to_string() })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::try_from(String::deserialize(deserializer)?).map_err(de::Error::custom)
    }
}
