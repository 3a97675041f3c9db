//! Shards of an environment's output, for one Argo CD Application per shard (`meshedge generate`
//! with the `shard` option, `meshedge build --shard`).
//!
//! A shard is `K/N`: shard `K` of `N`, `0 ≤ K < N ≤` [`MAX_SHARDS`]. Every object of a build
//! lands in exactly one shard:
//!
//! - an object one tenant owns (its hosts, routes, egress objects, policies, RBAC, namespaces,
//!   its own gateway: what generation made for that tenant alone) goes to the tenant's shard,
//!   [`shard_of`] its name;
//! - every other object (the control plane, the shared gateways and what they share, the member
//!   roll, the admission rules, plain resources, objects several tenants share) goes to shard 0.
//!
//! Ownership is generation's (`Object::tenant`), not the `meshedge.io/tenant` label, which a
//! patch may change. A build always compiles, validates and evaluates the flows of the whole
//! environment; a shard only narrows what is emitted.
//!
//! The tenant's shard depends on nothing but its name and `N`, and the same on every platform
//! and in every version: the 64-bit FNV-1a hash of the name's UTF-8 bytes (FNV, draft-eastlake-fnv,
//! <https://datatracker.ietf.org/doc/draft-eastlake-fnv/>; offset basis 0xcbf29ce484222325, prime
//! 0x100000001b3), mapped to a shard by Jump Consistent Hash (Lamping and Veach, "A Fast, Minimal
//! Memory, Consistent Hash Algorithm", 2014, <https://arxiv.org/abs/1406.2294>). Adding or
//! removing a tenant moves no other tenant; going from `N` to `N + 1` shards moves only the
//! tenants that land in the new shard (about one in `N + 1`), and none between the old ones.

use std::fmt;

use crate::error::UsageError;
use crate::render::Object;

/// The most shards an environment may be split into.
pub const MAX_SHARDS: u32 = 1024;

/// One shard of `count`: the objects [`Shard::keeps`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shard {
    index: u32,
    count: u32,
}

/// Why a text is not a shard: a short message and how to write one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardRefusal {
    pub message: String,
    pub help: String,
}

impl Shard {
    /// The whole output: shard 0 of 1.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Shard `index` of `count`, if `index < count ≤ MAX_SHARDS`.
    pub fn new(index: u32, count: u32) -> Option<Shard> {
        (index < count && count <= MAX_SHARDS).then_some(Shard { index, count })
    }

    /// Reads `K/N` (decimal digits only, spaces around the numbers allowed).
    pub fn parse(text: &str) -> Result<Shard, ShardRefusal> {
        let help = format!(
            "write K/N, shard K of N counted from 0: 0/16 to 15/16; N from 1 to {MAX_SHARDS}, the same in \
             every Application of the environment"
        );
        let refuse = |message: String| Err(ShardRefusal { message, help: help.clone() });
        let Some((index, count)) = text.split_once('/') else {
            return refuse(format!("`{text}` is not a shard K/N"));
        };
        let (Some(index), Some(count)) = (number(index), number(count)) else {
            return refuse(format!("`{text}` is not a shard K/N of two whole numbers"));
        };
        if count == 0 {
            return refuse(format!("`{text}` has no shards: N must be at least 1"));
        }
        if count > u64::from(MAX_SHARDS) {
            return refuse(format!("`{text}` has more than {MAX_SHARDS} shards"));
        }
        if index >= count {
            return refuse(format!("`{text}` is past the last shard, {}/{count}", count - 1));
        }
        // Both fit: count ≤ MAX_SHARDS and index < count.
        Ok(Shard { index: index as u32, count: count as u32 })
    }

    /// `K`, counted from 0.
    pub fn index(self) -> u32 {
        self.index
    }

    /// `N`.
    pub fn count(self) -> u32 {
        self.count
    }

    /// Whether an object owned by `tenant` (`None`: shared) belongs to this shard.
    pub fn keeps(self, tenant: Option<&str>) -> bool {
        match tenant {
            Some(tenant) => shard_of(tenant, self.count) == self.index,
            None => self.index == 0,
        }
    }

    /// The objects of this shard, in the order given.
    pub fn narrow(self, objects: Vec<Object>) -> Vec<Object> {
        if self == Shard::WHOLE {
            return objects;
        }
        objects.into_iter().filter(|o| self.keeps(o.tenant.as_deref())).collect()
    }
}

impl ShardRefusal {
    /// The usage error (E909) of a shard given by `from` (`--shard`, `parameter \`shard\``).
    pub fn usage(self, from: impl Into<String>) -> UsageError {
        UsageError::InvalidShard { from: from.into(), message: self.message, help: self.help }
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A whole number of ASCII digits (at most 19 of them, so it fits), spaces around it allowed.
fn number(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() || text.len() > 19 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The shard, of `count`, of the tenant named `tenant` (`0` when `count` is 0 or 1).
pub fn shard_of(tenant: &str, count: u32) -> u32 {
    jump(fnv1a64(tenant.as_bytes()), count)
}

/// The 64-bit FNV-1a hash.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(PRIME))
}

/// Jump Consistent Hash: the bucket of `key` among `buckets` (`0` for none or one).
fn jump(mut key: u64, buckets: u32) -> u32 {
    let buckets = i64::from(buckets.max(1));
    let (mut bucket, mut next): (i64, i64) = (-1, 0);
    while next < buckets {
        bucket = next;
        key = key.wrapping_mul(2_862_933_555_777_941_757).wrapping_add(1);
        // The top 31 bits of the key, plus one, as the divisor: `next` grows geometrically.
        let divisor = ((key >> 33) + 1) as f64;
        next = ((bucket + 1) as f64 * ((1u64 << 31) as f64 / divisor)) as i64;
    }
    // 0 ≤ bucket < buckets ≤ u32::MAX.
    bucket as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_the_reference_vectors() {
        // draft-eastlake-fnv, test vectors for FNV-1a 64.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn the_shard_of_a_name_never_changes() {
        // Pinned: a change here moves every tenant of every sharded installation.
        let pinned: Vec<u32> =
            ["shop", "payments", "t0", "t1", "t1999", "ünïcode"].iter().map(|name| shard_of(name, 16)).collect();
        assert_eq!(pinned, PINNED);
        assert_eq!(shard_of("shop", 1), 0);
        assert_eq!(shard_of("shop", 0), 0);
    }

    // Checked against an independent implementation of FNV-1a and Jump Consistent Hash.
    const PINNED: [u32; 6] = [11, 10, 10, 6, 0, 4];

    #[test]
    fn growing_the_count_moves_only_into_the_new_shard() {
        for i in 0..2000 {
            let name = format!("t{i}");
            for count in 1..40 {
                let (before, after) = (shard_of(&name, count), shard_of(&name, count + 1));
                assert!(before < count && after <= count);
                assert!(after == before || after == count, "{name}: {before}/{count} to {after}/{}", count + 1);
            }
        }
    }

    #[test]
    fn tenants_spread_over_the_shards() {
        let mut sizes = [0usize; 16];
        for i in 0..16_000 {
            sizes[shard_of(&format!("t{i}"), 16) as usize] += 1;
        }
        // 1,000 each on average; a fair hash stays well within ±15 %.
        assert!(sizes.iter().all(|n| (850..1150).contains(n)), "{sizes:?}");
    }

    #[test]
    fn shards_parse_and_refuse() {
        assert_eq!(Shard::parse("3/16"), Ok(Shard { index: 3, count: 16 }));
        assert_eq!(Shard::parse(" 0 / 1 "), Ok(Shard::WHOLE));
        assert_eq!(Shard::parse("1023/1024").map(|s| s.to_string()), Ok("1023/1024".into()));
        for bad in
            ["0/0", "16/16", "17/16", "x", "3/", "/16", "-1/16", "3/-16", "+3/16", "3.0/16", "3/16/2", "1/1025", ""]
        {
            let refusal = Shard::parse(bad).expect_err(bad);
            assert!(refusal.message.contains(&format!("`{bad}`")), "{bad}: {}", refusal.message);
            assert!(refusal.help.contains("K/N"));
        }
        assert!(Shard::parse("3/99999999999999999999999").is_err());
        assert!(Shard::parse("99999999999999999999999/3").is_err());
    }

    #[test]
    fn shared_objects_go_to_shard_zero_only() {
        let shards: Vec<Shard> = (0..4).map(|k| Shard::new(k, 4).unwrap()).collect();
        assert_eq!(shards.iter().filter(|s| s.keeps(None)).count(), 1);
        assert!(shards[0].keeps(None));
        assert_eq!(shards.iter().filter(|s| s.keeps(Some("shop"))).count(), 1);
        assert!(Shard::WHOLE.keeps(Some("shop")) && Shard::WHOLE.keeps(None));
        assert_eq!(Shard::new(4, 4), None);
        assert_eq!(Shard::new(0, MAX_SHARDS + 1), None);
    }
}
