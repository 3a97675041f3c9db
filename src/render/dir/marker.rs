//! The marker of an output directory: the files meshedge wrote there and their SHA-256.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sha2::{Digest, Sha256};

/// The file in an output directory that lists what meshedge wrote there.
pub const MARKER: &str = ".meshedge-output";

pub(super) const MARKER_HEAD: &str = "# Written by `meshedge build -o`: the files meshedge wrote in this directory and their SHA-256.\n\
# meshedge replaces this directory only while it holds exactly these files, unchanged.\n";

pub(super) fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for byte in digest {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Whether `path` is a relative, `/`-separated path of plain names.
pub(super) fn is_plain_relative(path: &str) -> bool {
    !path.is_empty() && path.split('/').all(is_plain_name)
}

/// A name usable as one path component everywhere: not empty, not `.` or `..`, no separator,
/// no control character.
pub(super) fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.chars().any(|c| c == '/' || c == '\\' || c.is_control())
}

/// The files a marker lists, or `None` when it is not one.
pub(super) fn parse_marker(text: &str) -> Option<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (sum, path) = line.split_once("  ")?;
        if sum.len() != 64 || !sum.bytes().all(|b| b.is_ascii_hexdigit()) || !is_plain_relative(path) || path == MARKER
        {
            return None;
        }
        out.insert(path.to_string(), sum.to_ascii_lowercase());
    }
    Some(out)
}
