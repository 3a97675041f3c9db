//! Each value type states its rule in JSON Schema (draft 2020-12), for editors
//! ([`crate::input_schema`]), as precisely as the language allows: where a length limit applies
//! to a part of a value (a label of a host name, the name part of a label key), the limit is
//! written into the pattern. Where JSON Schema cannot state a rule, the schema accepts more than
//! the type does, never less, so an editor never marks a value meshedge accepts:
//!
//! - durations: under 1ms, finer than a millisecond or beyond Go's range (`1ns`, `1500us`,
//!   `3000000h`);
//! - URLs: what only parsing the URL tells (a port out of range, a character not allowed in a
//!   host), and an internal host written in a less usual spelling (`https://0177.0.0.1/`,
//!   `https://LOCALHOST/`, `https://[0:0:0:0:0:0:0:1]/`);
//! - numbers: JSON Schema counts `8080.0` as an integer; meshedge wants `8080`.
//!
//! docs/editors.md lists these differences for users; tests/input_schema.rs checks them.
//!

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use super::durations::{Duration, Period};
use super::hosts::{DomainName, ExternalHost, HostPattern, RequestHost};
use super::names::{
    AnnotationKey, CONTROL_PLANE_NAME_MAX, ControlPlaneName, GatewayName, HeaderName, LabelKey, LabelValue, Namespace,
    ObjectName, SecretKey, SecretName, ServiceName, ServiceRef, SlaClassName, TenantName,
};
use super::network::EgressIp;
use super::numbers::{Int, Port};
use super::rules::{LABEL_MAX, SUBDOMAIN_MAX};
use super::text::{PathPrefix, Text};
use super::urls::{HttpsUrl, IssuerUrl};

/// Characters that are whitespace (`char::is_whitespace`) or control characters
/// (`char::is_control`), as a regular expression class body.
const SPACE_OR_CONTROL: &str = r"\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// Control characters (`char::is_control`), as a class body.
const CONTROL: &str = r"\u0000-\u001f\u007f-\u009f";
/// `IsDNS1123Label`, 1 to 63 characters.
const DNS_LABEL: &str = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";
/// A label of `IsDNS1123Subdomain`: no length limit of its own.
const SUBDOMAIN_PART: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
/// The name part of `IsQualifiedName` and `IsValidLabelValue`, 1 to 63 characters.
const QUALIFIED_PART: &str = "([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]";
/// One octet of an IPv4 address as Rust's `Ipv4Addr` reads it: no leading zeros.
const OCTET: &str = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";

/// `^<label>(\.<label>)*$`: labels joined by dots.
fn dotted(label: &str) -> String {
    format!("{label}(\\.{label})*")
}

/// A host name as [`host_name`] checks it (without the total length).
fn host_pattern() -> String {
    dotted(DNS_LABEL)
}

fn ipv4_pattern() -> String {
    format!("{OCTET}(\\.{OCTET}){{3}}")
}

/// Every text form of an IPv6 address that Rust's `Ipv6Addr` reads: eight groups, or fewer
/// around one `::`, the last two possibly written as an IPv4 address.
fn ipv6_pattern() -> String {
    let h = "[0-9a-fA-F]{1,4}";
    let v4 = ipv4_pattern();
    let mut forms = vec![format!("({h}:){{7}}{h}"), format!("({h}:){{6}}{v4}")];
    // `::` with `head` groups before it and up to 7 - head (5 - head before an IPv4 address)
    // after it.
    for head in 0..=7 {
        let before = if head == 0 { String::new() } else { format!("({h}:){{{}}}{h}", head - 1) };
        forms.push(if head == 7 { format!("{before}::") } else { format!("{before}::(({h}:){{0,{}}}{h})?", 6 - head) });
        if head <= 5 {
            forms.push(format!("{before}::({h}:){{0,{}}}{v4}", 5 - head));
        }
    }
    forms.join("|")
}

/// A string of at most `max` characters matching `^(pattern)$`.
fn string_schema(description: &str, pattern: &str, max: usize) -> Schema {
    json_schema!({
        "type": "string",
        "description": description,
        "pattern": format!("^({pattern})$"),
        "minLength": 1,
        "maxLength": max,
    })
}

fn dns_label_schema(description: &str) -> Schema {
    string_schema(description, DNS_LABEL, LABEL_MAX)
}

json_schema_of!(
    Namespace,
    dns_label_schema(
        "A namespace name: a DNS-1123 label, at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit (e.g. `shop-batch`)."
    )
);
json_schema_of!(
    TenantName,
    dns_label_schema(
        "A tenant name (its directory under `tenants/`, and its default namespace): a DNS-1123 label, at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit."
    )
);
json_schema_of!(
    GatewayName,
    dns_label_schema(
        "A gateway name: a DNS-1123 label, at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit."
    )
);
json_schema_of!(
    SlaClassName,
    dns_label_schema(
        "An SLA class name: it becomes a DestinationRule subset name and a label value, so a DNS-1123 label (at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit)."
    )
);
json_schema_of!(
    ControlPlaneName,
    string_schema(
        "The name of the ServiceMeshControlPlane or Istio resource, which is the control plane's revision: istiod's Service is `istiod-<name>`, so a DNS-1123 label of at most 56 characters.",
        &format!("[a-z0-9]([-a-z0-9]{{0,{}}}[a-z0-9])?", CONTROL_PLANE_NAME_MAX - 2),
        CONTROL_PLANE_NAME_MAX,
    )
);
json_schema_of!(
    ServiceName,
    string_schema(
        "A Service name: a DNS-1035 label, at most 63 lowercase letters, digits and `-`, starting with a letter and ending with a letter or digit (e.g. `shop-api`).",
        "[a-z]([-a-z0-9]{0,61}[a-z0-9])?",
        LABEL_MAX,
    )
);
json_schema_of!(
    SecretName,
    string_schema(
        "A Secret name: a DNS-1123 subdomain, at most 253 lowercase letters, digits, `-` and `.`, each part starting and ending with a letter or digit (e.g. `partner-client`).",
        &dotted(SUBDOMAIN_PART),
        SUBDOMAIN_MAX,
    )
);
json_schema_of!(
    ObjectName,
    string_schema(
        "An object name: a DNS-1123 subdomain, as Kubernetes object names are — at most 253 lowercase letters, digits, `-` and `.`, each part starting and ending with a letter or digit.",
        &dotted(SUBDOMAIN_PART),
        SUBDOMAIN_MAX,
    )
);
json_schema_of!(SecretKey, {
    let mut schema = string_schema(
        "A key of a Secret's data: at most 253 letters, digits, `-`, `_` and `.`; not `.` and not starting with `..`.",
        "[-._a-zA-Z0-9]+",
        SUBDOMAIN_MAX,
    );
    schema.insert("not".into(), serde_json::json!({"pattern": r"^\.(\.|$)"}));
    schema
});

/// `[prefix/]name` (`IsQualifiedName`); `prefix_part` is a label of the prefix.
fn qualified_name_schema(description: &str, prefix_part: &str) -> Schema {
    let mut schema = string_schema(
        description,
        &format!("({}/)?{QUALIFIED_PART}", dotted(prefix_part)),
        SUBDOMAIN_MAX + 1 + LABEL_MAX,
    );
    // The prefix is at most 253 characters.
    schema.insert("not".into(), serde_json::json!({"pattern": "^[^/]{254,}/"}));
    schema
}

json_schema_of!(
    LabelKey,
    qualified_name_schema(
        "A label key: `[prefix/]name` — an optional DNS-1123 subdomain prefix and `/`, then at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit (e.g. `istio` or `node-role.kubernetes.io/egress`).",
        SUBDOMAIN_PART,
    )
);
json_schema_of!(
    AnnotationKey,
    qualified_name_schema(
        "An annotation key: `[prefix/]name` like a label key; Kubernetes checks annotation keys in lower case, so the prefix may be in upper case.",
        "[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?",
    )
);
json_schema_of!(
    LabelValue,
    json_schema!({
        "type": "string",
        "description": "A label value: empty, or at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit.",
        "pattern": format!("^({QUALIFIED_PART})?$"),
        "maxLength": LABEL_MAX,
    })
);
json_schema_of!(
    HeaderName,
    json_schema!({
        "type": "string",
        "description": "An HTTP header name, in lower case as Istio matches header names: lowercase letters, digits, `-` and `_` (e.g. `x-sla-class`).",
        "pattern": "^[-_a-z0-9]+$",
    })
);
json_schema_of!(
    DomainName,
    string_schema(
        "A DNS domain: lowercase DNS labels (letters, digits and `-`, at most 63 each) joined by `.`, at most 253 characters (e.g. `apps.example.com`).",
        &host_pattern(),
        SUBDOMAIN_MAX,
    )
);

/// `*`, `*.` and a host name, or a host name: at most 253 characters after the `*.`.
fn wildcard_host_schema(description: &str) -> Schema {
    json_schema!({
        "type": "string",
        "description": description,
        "pattern": format!("^(\\*|(\\*\\.)?{})$", host_pattern()),
        "maxLength": SUBDOMAIN_MAX + 2,
        "not": {"pattern": format!("^[^*].{{{SUBDOMAIN_MAX}}}")},
    })
}

json_schema_of!(
    RequestHost,
    wildcard_host_schema(
        "A host: a short name (one DNS label, e.g. `shop`, expanded with the gateway's `domain`) or a full host name (`shop.apps.example.com`), lowercase DNS labels of letters, digits and `-` joined by `.`; either one possibly a wildcard (`*.team.apps.example.com`) where the gateway allows wildcard hosts."
    )
);
json_schema_of!(
    HostPattern,
    wildcard_host_schema(
        "A host pattern: a host (`api.stripe.com`), `*.` and a domain (`*.apps.example.com`: every host under it), or `*` (any host); lowercase DNS labels joined by `.`."
    )
);
json_schema_of!(
    ExternalHost,
    string_schema(
        "An external host: a fully qualified host name without wildcard (`api.partner.example`), lowercase DNS labels joined by `.`; istiod requires ServiceEntry hosts resolved by DNS to be fully qualified.",
        &format!("{DNS_LABEL}(\\.{DNS_LABEL})+"),
        SUBDOMAIN_MAX,
    )
);
json_schema_of!(
    PathPrefix,
    json_schema!({
        "type": "string",
        "description": "A path prefix, matched literally: starts with `/`; no `*`, `?`, `[`, `]`, whitespace or control characters (e.g. `/api`).",
        "pattern": format!("^/[^*?\\[\\]{SPACE_OR_CONTROL}]*$"),
    })
);
json_schema_of!(
    Text,
    json_schema!({
        "type": "string",
        "description": "A value that says something: not empty, not only whitespace, no control characters.",
        "pattern": format!("^[^{CONTROL}]*[^{SPACE_OR_CONTROL}][^{CONTROL}]*$"),
    })
);

/// An `https://` URL as [`https_url`] checks it, and the internal hosts in their usual
/// spellings (the URL crate reads `127.1` as 127.0.0.1, and trims trailing dots of names).
fn https_url_schema(description: &str, query_allowed: bool) -> Schema {
    let no = |extra: &str| format!("[^{extra}#\\\\{SPACE_OR_CONTROL}]");
    // An empty user name (`https://@host`) is no user name for the URL crate.
    let authority = format!("(:?@)?{}+", no("/?@"));
    let rest = if query_allowed { format!("([/?]{}*)?", no("")) } else { format!("(/{}*)?", no("?")) };
    let host = "[^/?#@:\\[\\]]";
    let internal = [
        format!("(localhost|{host}*\\.localhost|metadata\\.google\\.internal)\\.*"),
        "(127\\.[0-9]+(\\.[0-9]+)*|169\\.254\\.[0-9]+(\\.[0-9]+)*|0(\\.0){0,3})\\.?".to_string(),
        "\\[(::1?|fe[89ab][0-9a-f]:[0-9a-f:.]*|ff[0-9a-f]{2}:[0-9a-f:.]*|fd00:ec2::254|::ffff:(127|169\\.254)\\.[0-9.]*)\\]"
            .to_string(),
    ]
    .join("|");
    json_schema!({
        "type": "string",
        "description": description,
        "format": "uri",
        "pattern": format!("^https://{authority}{rest}$"),
        "not": {"pattern": format!("^https://(:?@)?({internal})(:[0-9]*)?([/?]|$)")},
    })
}

json_schema_of!(
    HttpsUrl,
    https_url_schema(
        "An `https://` URL that istiod fetches from its own pod: a host right after `https://`, no user name or password, no fragment, no whitespace or `\\`; not a loopback, link-local or metadata-service host (127.0.0.0/8, 169.254.0.0/16, localhost, metadata.google.internal, ::1, fe80::/10). Kept as written.",
        true,
    )
);
json_schema_of!(
    IssuerUrl,
    https_url_schema(
        "A token or OpenID Connect issuer: an `https://` URL with a host and no user name, query or fragment (OpenID Connect Discovery 1.0 §3); not a loopback, link-local or metadata-service host. Kept exactly as written: a token's `iss` must equal it byte for byte.",
        false,
    )
);
json_schema_of!(
    ServiceRef,
    json_schema!({
        "type": "string",
        "description": "A Service of the request's namespace: `shop-api`, or `shop-api.<namespace>`, `….svc`, `….svc.cluster.local`; the name a DNS-1035 label (a lowercase letter first), the namespace a DNS-1123 label.",
        "pattern": format!("^[a-z]([-a-z0-9]{{0,61}}[a-z0-9])?(\\.{DNS_LABEL})?(\\.svc(\\.cluster\\.local)?)?$"),
    })
);

/// Go's duration units.
const DURATION_UNIT: &str = "(ns|us|µs|μs|ms|s|m|h)";

json_schema_of!(
    Duration,
    json_schema!({
        "type": "string",
        "description": "A duration in Go's syntax, as Istio and OpenShift Service Mesh read it: a number and a unit, several in a row if you like (`10s`, `500ms`, `1.5s`, `1m30s`; units h, m, s, ms, us, ns); at least 1ms and a whole number of milliseconds.",
        "pattern": format!("^\\+?(([0-9]+(\\.[0-9]*)?|\\.[0-9]+){DURATION_UNIT})+$"),
        "not": {"pattern": format!("^\\+?((0+(\\.0*)?|\\.0+){DURATION_UNIT})+$")},
        "examples": ["10s", "500ms", "1m30s"],
    })
);
json_schema_of!(
    Period,
    json_schema!({
        "type": "string",
        "description": "A rate limit's period, a duration in Go's syntax (`1s`, `1.5s`, `1m`, `1h`): at least 1s (E449) and a whole number of milliseconds.",
        "pattern": format!("^\\+?(([0-9]+(\\.[0-9]*)?|\\.[0-9]+){DURATION_UNIT})+$"),
        "not": {"pattern": format!("^\\+?((0+(\\.0*)?|\\.0+){DURATION_UNIT})+$")},
        "examples": ["1s", "1m"],
    })
);
json_schema_of!(
    Port,
    json_schema!({
        "type": "integer",
        "description": "A TCP port, 1 to 65535.",
        "minimum": 1,
        "maximum": 65535,
    })
);

impl<const MIN: i64, const MAX: i64> JsonSchema for Int<MIN, MAX> {
    fn schema_name() -> Cow<'static, str> {
        match (MIN, MAX) {
            (0, 2_147_483_647) => Cow::Borrowed("Count"),
            (0, 4_294_967_295) => Cow::Borrowed("Uint32"),
            (0, 100) => Cow::Borrowed("Percent"),
            _ => Cow::Owned(format!("Int_{MIN}_to_{MAX}")),
        }
    }

    fn schema_id() -> Cow<'static, str> {
        Cow::Owned(format!("{}::Int<{MIN},{MAX}>", module_path!()))
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let description = match (MIN, MAX) {
            (0, 2_147_483_647) => "A count: a whole number from 0 to 2147483647 (a non-negative int32).".to_string(),
            (0, 100) => "A percentage: a whole number from 0 to 100.".to_string(),
            _ => format!("A whole number from {MIN} to {MAX}."),
        };
        json_schema!({
            "type": "integer",
            "description": description,
            "minimum": MIN,
            "maximum": MAX,
        })
    }
}

json_schema_of!(
    EgressIp,
    json_schema!({
        "type": "string",
        "description": "One IPv4 or IPv6 address of the node network (e.g. `192.0.2.10`, `2001:db8::10`), without prefix length; not unspecified, loopback, multicast or broadcast.",
        "pattern": format!("^({}|{})$", ipv4_pattern(), ipv6_pattern()),
        // Unspecified, loopback and multicast in every spelling: a valid IPv6 address of
        // zeros and colons is `::`, one ending in a group `1` or `0.0.0.1` is `::1`, one whose
        // first group is `ffXX` is multicast.
        "not": {"pattern": "^(0\\.0\\.0\\.0|127\\.[0-9.]*|2(2[4-9]|3[0-9])\\.[0-9.]*|255\\.255\\.255\\.255|[0:]*|[0:]*:0{0,3}1|[0:]*:0\\.0\\.0\\.[01]|[fF]{2}[0-9a-fA-F]{2}:[0-9a-fA-F:.]*)$"},
    })
);
