//! Gateway extensions: their names, and the OCI image references their WASM modules are pulled
//! from.
//!
//! An image reference follows the grammar of distribution/reference v0.6.0 (ff14fafe)
//! `regexp.go` (the reference grammar the OCI registries and Docker share):
//! `domain/path[:tag][@digest]`, with
//! - `domain` = DNS name components (`[a-zA-Z0-9]` or `[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]`)
//!   joined by `.`, or a bracketed IPv6 address, with an optional `:port`;
//! - each path component `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`, joined by `/`;
//! - `tag` = `[\w][\w.-]{0,127}`; `digest` =
//!   `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`;
//! - the name (domain and path) at most 255 characters (`reference.go`, `NameTotalLengthMax`).
//!
//! meshedge asks more than the grammar: the registry is written out (a first component with a
//! `.` or a `:`, or `localhost`, as `normalize.go` `splitDockerDomain` tells a domain from a
//! path), so no short name is resolved against a default registry; and a tag or a digest is
//! given, so the gateway does not run whatever `latest` is at pull time. The reference is
//! written without a scheme: meshedge writes `oci://` in front of it in the WasmPlugin's `url`,
//! the scheme istio's agent pulls OCI images for (istio/istio 1.24.6 `pkg/wasm/cache.go`,
//! `ociURLPrefix = "oci://"`).

use std::sync::LazyLock;

use regex::Regex;

use super::refusal::Refusal;
use super::rules::{LABEL_MAX, dns1123_label};

/// `NameTotalLengthMax` of distribution/reference.
const NAME_MAX: usize = 255;

const PATH_COMPONENT: &str = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
const DOMAIN_COMPONENT: &str = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const TAG: &str = r"[\w][\w.-]{0,127}";
const DIGEST: &str = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

fn reference_pattern() -> String {
    let domain = format!(r"(?:{DOMAIN_COMPONENT}(?:\.{DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?");
    format!(r"^(?<name>(?<domain>{domain})(?:/{PATH_COMPONENT})+)(?::(?<tag>{TAG}))?(?:@(?<digest>{DIGEST}))?$")
}

static REFERENCE: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(&reference_pattern()).ok());

const IMAGE_HELP: &str = "write the image as `<registry>/<repository>:<tag>` or `<registry>/<repository>@sha256:<digest>`, without `oci://` (e.g. `ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0`)";

fn oci_image(value: &str) -> Result<(), Refusal> {
    let refuse = |reason: &str| Refusal::new(value, "a valid OCI image reference", reason, IMAGE_HELP);
    if value.contains("://") {
        return Err(refuse("it has a scheme; meshedge writes `oci://` itself"));
    }
    let Some(captures) = REFERENCE.as_ref().and_then(|r| r.captures(value)) else {
        return Err(refuse("it does not follow the reference grammar `registry/repository[:tag][@digest]`"));
    };
    let domain = captures.name("domain").map_or("", |m| m.as_str());
    if !(domain.contains(['.', ':']) || domain == "localhost") {
        return Err(refuse("it names no registry (the first part has no `.` or `:` and is not `localhost`)"));
    }
    if captures.name("name").is_some_and(|m| m.as_str().len() > NAME_MAX) {
        return Err(refuse("its name is longer than 255 characters"));
    }
    if captures.name("tag").is_none() && captures.name("digest").is_none() {
        return Err(refuse("it has no tag and no digest, so it would run whatever `latest` is"));
    }
    Ok(())
}

string_type!(
    /// An OCI image reference of a WASM module, with its registry and a tag or a digest:
    /// `ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0` (see the module's documentation).
    OciImage,
    oci_image
);

impl OciImage {
    /// The WasmPlugin `url`: `oci://<reference>`.
    pub(crate) fn url(&self) -> String {
        format!("oci://{}", self.0)
    }
}

name_type!(
    /// The name of a gateway extension: a DNS-1123 label, as it is part of the WasmPlugin's name.
    ExtensionName,
    |v| dns1123_label(v, LABEL_MAX),
    "a valid extension name",
    "an extension name is a DNS-1123 label: at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit (e.g. `waf`)"
);

json_schema_of!(
    OciImage,
    schemars::json_schema!({
        "type": "string",
        "description": "An OCI image reference of a WASM module, with its registry and a tag or a digest, without `oci://` (e.g. `ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0`).",
        "pattern": reference_pattern(),
        "minLength": 1,
    })
);

json_schema_of!(
    ExtensionName,
    schemars::json_schema!({
        "type": "string",
        "description": "An extension name: a DNS-1123 label, at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit (e.g. `waf`).",
        "pattern": "^([a-z0-9]([-a-z0-9]*[a-z0-9])?)$",
        "minLength": 1,
        "maxLength": LABEL_MAX,
    })
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references_name_a_registry_and_a_tag_or_digest() {
        for good in [
            "ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0",
            "registry.example.com:5000/team/waf:v1.2.3",
            "localhost/waf:dev",
            "quay.io/org/waf@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "quay.io/org/waf:1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "[::1]:5000/waf:1",
        ] {
            assert!(good.parse::<OciImage>().is_ok(), "{good}");
        }
        for (bad, why) in [
            ("oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0", "scheme"),
            ("corazawaf/coraza-proxy-wasm:0.5.0", "no registry"),
            ("coraza-proxy-wasm:0.5.0", "grammar"),
            ("ghcr.io/corazawaf/coraza-proxy-wasm", "no tag"),
            ("ghcr.io/CorazaWAF/waf:1", "grammar"),
            ("ghcr.io/waf:-1", "grammar"),
            ("ghcr.io/waf@sha256:abc", "grammar"),
            ("ghcr.io//waf:1", "grammar"),
            ("", "grammar"),
        ] {
            let refused = bad.parse::<OciImage>().expect_err(bad);
            assert!(refused.message.contains("is not a valid OCI image reference"), "{bad}: {}", refused.message);
            let expected = match why {
                "scheme" => "has a scheme",
                "no registry" => "names no registry",
                "no tag" => "no tag and no digest",
                _ => "reference grammar",
            };
            assert!(refused.message.contains(expected), "{bad}: {}", refused.message);
        }
        let long = format!("ghcr.io/{}:1", "a".repeat(250));
        assert!(long.parse::<OciImage>().expect_err("too long").message.contains("255"));
    }

    #[test]
    fn the_url_is_the_reference_behind_oci() {
        let image: OciImage = "ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0".parse().expect("valid");
        assert_eq!(image.url(), "oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0");
    }
}
