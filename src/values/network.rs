//! Addresses of the node network.

use std::fmt;
use std::net::IpAddr;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use super::refusal::Refusal;

/// An address of a node network that egress traffic leaves from (an OVN `EgressIP`): an IPv4
/// or IPv6 address of one host — not unspecified, loopback, multicast or broadcast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EgressIp(IpAddr);

impl TryFrom<String> for EgressIp {
    type Error = Refusal;

    fn try_from(text: String) -> Result<Self, Refusal> {
        let help = "write one IPv4 or IPv6 address of the node network, e.g. `192.0.2.10` or `2001:db8::10`";
        let ip: IpAddr = text.parse().map_err(|_| Refusal::new(&text, "an IP address", "it does not parse", help))?;
        let unusable = match ip {
            IpAddr::V4(v4) => v4.is_unspecified() || v4.is_loopback() || v4.is_multicast() || v4.is_broadcast(),
            IpAddr::V6(v6) => v6.is_unspecified() || v6.is_loopback() || v6.is_multicast(),
        };
        if unusable {
            return Err(Refusal::new(
                &text,
                "a usable egress IP",
                "it is unspecified, loopback, multicast or broadcast",
                help,
            ));
        }
        Ok(EgressIp(ip))
    }
}

impl fmt::Display for EgressIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for EgressIp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EgressIp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::try_from(String::deserialize(deserializer)?).map_err(de::Error::custom)
    }
}
