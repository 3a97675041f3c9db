//! Addresses and CIDR blocks.
//!
//! A flow to an external *host name* is evaluated without resolving it: the host stands for
//! "some address of its family" ([`Address::AnyV4`], [`Address::AnyV6`]), which only a block
//! covering the whole family (`0.0.0.0/0`, `::/0`) is sure to contain. A known address
//! ([`Address::Ip`]) is tested exactly.

use std::fmt;
use std::net::IpAddr;

/// A destination or source address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Address {
    Ip(IpAddr),
    /// Some IPv4 address not known in advance (a host name's A record).
    AnyV4,
    /// Some IPv6 address not known in advance (a host name's AAAA record).
    AnyV6,
}

impl Address {
    pub fn is_v4(&self) -> bool {
        match self {
            Address::Ip(ip) => ip.is_ipv4(),
            Address::AnyV4 => true,
            Address::AnyV6 => false,
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Ip(ip) => write!(f, "{ip}"),
            Address::AnyV4 => f.write_str("an IPv4 address"),
            Address::AnyV6 => f.write_str("an IPv6 address"),
        }
    }
}

/// A CIDR block (`10.0.0.0/8`, `2001:db8::/32`). Host bits are ignored, as Go's
/// `net.ParseCIDR` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(text: &str) -> Result<Cidr, String> {
        let (addr, prefix) = text.split_once('/').ok_or_else(|| format!("{text:?} is not a CIDR block"))?;
        let addr: IpAddr = addr.parse().map_err(|_| format!("{text:?} is not a CIDR block"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix: u8 = prefix
            .parse()
            .ok()
            .filter(|p| *p <= max && !prefix.starts_with('+'))
            .ok_or_else(|| format!("{text:?} has an invalid prefix length"))?;
        Ok(Cidr { addr, prefix })
    }

    pub fn is_v4(&self) -> bool {
        self.addr.is_ipv4()
    }

    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether the block covers every address of its family.
    pub fn is_whole_family(&self) -> bool {
        self.prefix == 0
    }

    pub fn contains_ip(&self, ip: &IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = if self.prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(self.prefix)) };
                u32::from(net) & mask == u32::from(*ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = if self.prefix == 0 { 0 } else { u128::MAX << (128 - u32::from(self.prefix)) };
                u128::from(net) & mask == u128::from(*ip) & mask
            }
            _ => false,
        }
    }

    /// Whether the block surely contains the address (an unknown address of a family only when
    /// the block covers the whole family).
    pub fn contains(&self, address: &Address) -> bool {
        match address {
            Address::Ip(ip) => self.contains_ip(ip),
            Address::AnyV4 => self.is_v4() && self.is_whole_family(),
            Address::AnyV6 => !self.is_v4() && self.is_whole_family(),
        }
    }

    /// The first and the last address of the block, as numbers of their family.
    fn bounds(&self) -> (u128, u128) {
        let (bits, value) = match self.addr {
            IpAddr::V4(a) => (32u32, u128::from(u32::from(a))),
            IpAddr::V6(a) => (128u32, u128::from(a)),
        };
        let host = bits - u32::from(self.prefix);
        let span = if host >= 128 { u128::MAX } else { (1u128 << host) - 1 };
        let first = value & !span;
        (first, first | span)
    }

    fn address(&self, value: u128) -> Option<IpAddr> {
        match self.addr {
            IpAddr::V4(_) => u32::try_from(value).ok().map(|v| IpAddr::V4(v.into())),
            IpAddr::V6(_) => Some(IpAddr::V6(value.into())),
        }
    }

    /// An address inside the block and outside every `except` block, if any: the block's ends
    /// and the addresses just around each `except` block are tried, so the answer is found in
    /// a number of steps bounded by the `except` blocks.
    pub fn representative(&self, except: &[Cidr]) -> Option<IpAddr> {
        let (first, last) = self.bounds();
        let mut candidates = vec![first, last];
        for e in except {
            let (f, l) = e.bounds();
            candidates.extend(f.checked_sub(1));
            candidates.extend(l.checked_add(1));
        }
        candidates
            .into_iter()
            .filter(|c| (first..=last).contains(c))
            .filter_map(|c| self.address(c))
            .find(|ip| !except.iter().any(|e| e.contains_ip(ip)))
    }

    /// Whether `other` lies inside this block.
    pub fn covers(&self, other: &Cidr) -> bool {
        self.is_v4() == other.is_v4() && self.prefix <= other.prefix && self.contains_ip(&other.addr)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Address {
        Address::Ip(s.parse().unwrap())
    }

    #[test]
    fn v4_blocks_contain_their_addresses() {
        let c = Cidr::parse("172.17.0.0/16").unwrap();
        assert!(c.contains(&ip("172.17.255.1")));
        assert!(!c.contains(&ip("172.18.0.1")));
        assert!(!c.contains(&ip("::1")));
        let host = Cidr::parse("172.16.1.1/32").unwrap();
        assert!(host.contains(&ip("172.16.1.1")));
        assert!(!host.contains(&ip("172.16.1.2")));
    }

    #[test]
    fn v6_blocks_contain_their_addresses() {
        let c = Cidr::parse("2001:db8::/32").unwrap();
        assert!(c.contains(&ip("2001:db8:1::5")));
        assert!(!c.contains(&ip("2001:db9::5")));
        assert!(!c.contains(&ip("10.0.0.1")));
    }

    #[test]
    fn unknown_addresses_are_only_in_whole_family_blocks() {
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(&Address::AnyV4));
        assert!(!Cidr::parse("0.0.0.0/0").unwrap().contains(&Address::AnyV6));
        assert!(Cidr::parse("::/0").unwrap().contains(&Address::AnyV6));
        assert!(!Cidr::parse("10.0.0.0/8").unwrap().contains(&Address::AnyV4));
    }

    #[test]
    fn host_bits_are_ignored_and_bad_blocks_refused() {
        assert!(Cidr::parse("10.0.0.7/24").unwrap().contains(&ip("10.0.0.200")));
        for bad in ["10.0.0.0", "10.0.0.0/33", "::/129", "x/8", "10.0.0.0/-1", "10.0.0.0/+8"] {
            assert!(Cidr::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_representative_lies_inside_the_block_and_outside_its_exceptions() {
        let block = |s: &str| Cidr::parse(s).unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(block("8.0.0.0/8").representative(&[]), Some(ip("8.0.0.0")));
        assert_eq!(block("8.0.0.0/8").representative(&[block("8.0.0.0/16")]), Some(ip("8.255.255.255")));
        let both = [block("8.0.0.0/16"), block("8.255.0.0/16")];
        assert_eq!(block("8.0.0.0/8").representative(&both), Some(ip("8.1.0.0")));
        assert_eq!(block("0.0.0.0/1").representative(&[block("0.0.0.0/1")]), None);
        assert_eq!(block("::/0").representative(&[]), Some(ip("::")));
    }

    #[test]
    fn covers_is_containment_of_blocks() {
        let outer = Cidr::parse("172.17.0.0/16").unwrap();
        assert!(outer.covers(&Cidr::parse("172.17.1.0/24").unwrap()));
        assert!(!outer.covers(&Cidr::parse("172.18.1.0/24").unwrap()));
        assert!(!outer.covers(&Cidr::parse("172.0.0.0/8").unwrap()));
    }
}
