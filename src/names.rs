//! Names of generated objects: stable, DNS-1123 valid, collision-free.
//!
//! A host becomes a slug (`shop.apps.example.com` → `shop-apps-example-com`, `*.` →
//! `wildcard-`). A name longer than a DNS label allows is cut and ends in a short hash of the
//! full text, so two long hosts never share a name.

use sha2::{Digest, Sha256};

const MAX: usize = 63;

/// A DNS-1123 label from a host name.
pub(crate) fn host_slug(host: &str) -> String {
    let body = match host.strip_prefix("*.") {
        Some(rest) => format!("wildcard-{rest}"),
        None => host.to_string(),
    };
    label(&body.replace('.', "-"))
}

/// `parts` joined with `-`, cut to a DNS label with a hash suffix when too long.
pub(crate) fn join(parts: &[&str]) -> String {
    label(&parts.iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join("-"))
}

fn label(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_lowercase() } else { '-' })
        .collect();
    if clean.len() <= MAX {
        return clean;
    }
    let digest = Sha256::digest(text.as_bytes());
    let hash: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    let keep = clean[..MAX - hash.len() - 1].trim_end_matches('-');
    format!("{keep}-{hash}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_labels() {
        assert_eq!(host_slug("shop.apps.example.com"), "shop-apps-example-com");
        assert_eq!(host_slug("*.shop.example.com"), "wildcard-shop-example-com");
        let long = format!("{}.example.com", "a".repeat(70));
        let slug = host_slug(&long);
        assert_eq!(slug.len(), 63);
        assert_ne!(slug, host_slug(&format!("{}.example.org", "a".repeat(70))));
        assert_eq!(join(&["egress", "api-stripe-com"]), "egress-api-stripe-com");
    }
}
