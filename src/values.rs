//! Value types of the input documents: each holds only what its field may hold, checked once,
//! when the document is read.
//!
//! Every type here parses from the text (or number) written in the input and refuses anything
//! else with a [`Refusal`]: a message that quotes the value (at most [`SHOWN`] characters of it)
//! and says what is wrong, and a help line that says what the value must look like. The loader
//! reports it as `E110` at the value's file, line and column ([`crate::load`]). Later stages
//! read the value back with `as_str()` (or `get()`), knowing it is valid.
//!
//! The rules, and where they come from:
//!
//! - **Durations** ([`Duration`]): Go's `time.ParseDuration` syntax, at least 1ms, in whole
//!   milliseconds. Istio reads a duration field with the legacy `jsonpb` unmarshaler, which
//!   parses it with `time.ParseDuration` (github.com/golang/protobuf v1.5.3 and v1.5.4,
//!   `jsonpb/decode.go`, case `"Duration"`; used by istio/istio 1.24.3 and maistra/istio
//!   maistra-2.5 `pkg/util/protomarshal/protomarshal.go`). istiod's validating webhook then
//!   refuses a duration under 1ms or not a whole number of milliseconds (`ValidateDuration`:
//!   istio/istio 1.24.3 `pkg/config/validation/agent/validation.go`; maistra/istio maistra-2.5
//!   (08e9b7bd27) `pkg/config/validation/validation.go`), for `VirtualService`
//!   `http[].timeout` (`virtualservice.go`) and for `DestinationRule` connection pool and
//!   outlier detection durations (`validateConnectionPool`, `validateOutlierDetection`). The
//!   Istio 1.24 CRDs add `x-kubernetes-validations: duration(self) >= duration('1ms')` to these
//!   fields (istio/api 1.24.3 `kubernetes/customresourcedefinitions.gen.yaml`); CEL's
//!   `duration(string)` is `time.ParseDuration` too (google/cel-go v0.21.0
//!   `common/types/string.go`, `ConvertToType(DurationType)`). The OpenShift Service Mesh 2.5
//!   CRDs declare these fields as plain strings (maistra/istio-operator 8143614c
//!   `resources/helm/v2.5/istio-init/files/*.crd.yaml`). Both platforms so accept exactly the
//!   same set, and this type accepts it: `10s`, `1.5s`, `1m30s`, `+250ms`, `1000us`; not `10`,
//!   `5 seconds`, `-1s`, `0s`, `500us`, `1.0005s`.
//! - **Kubernetes names** follow k8s.io/apimachinery v0.31.1 (34b28a96)
//!   `pkg/util/validation/validation.go`: `IsDNS1123Label` (namespaces:
//!   `pkg/api/validation/generic.go` `ValidateNamespaceName = NameIsDNSLabel`),
//!   `IsDNS1123Subdomain` (Secrets, custom resources), `IsDNS1035Label` (Services:
//!   kubernetes/kubernetes `pkg/apis/core/validation/validation.go`
//!   `ValidateServiceName = apimachineryvalidation.NameIsDNS1035Label`,
//!   `ValidateSecretName = NameIsDNSSubdomain`; custom resources: `apiextensions-apiserver`
//!   `pkg/registry/customresource/validator.go`, `NameIsDNSSubdomain`), `IsQualifiedName` and
//!   `IsValidLabelValue` (label keys and values), `IsConfigMapKey` (Secret data keys).
//! - **SLA class names** become `DestinationRule` subset names, which istiod requires to be
//!   DNS-1123 labels (`validateSubsetName`, same files as above), and label values.
//! - **Header names**: istiod 1.24.3 matches header names against `^[-_A-Za-z0-9]+$`
//!   (`validHeaderRegex`, `pkg/config/validation/validation.go`), and the `VirtualService` API
//!   asks for lowercase keys (istio/api 1.24.3 `networking/v1alpha3/virtual_service.proto`).
//! - **URLs** of token issuers and key sets: `https://` only, a host, no user info, no fragment
//!   (issuers: no query either, as OpenID Connect Discovery 1.0 §3 asks), and not a host that
//!   reaches the control plane itself or the cloud's metadata service: istiod fetches these
//!   URLs from its own pod. See [`HttpsUrl`].

use std::borrow::Cow;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

mod release;

pub use release::{KubernetesRelease, OpenShiftRelease};

/// How many characters of a refused value a message quotes.
pub(crate) const SHOWN: usize = 64;

/// Separates a refusal's parts in the text serde carries; never written by the user (control
/// characters in quoted values are escaped).
const MARK: char = '\u{1f}';

/// Why a value was refused: the message (naming the value) and what it must look like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub help: String,
}

impl Refusal {
    fn new(value: &str, noun: &str, reason: impl fmt::Display, help: impl Into<String>) -> Self {
        Refusal { message: format!("{} is not {noun}: {reason}", shown(value)), help: help.into() }
    }
}

/// The form serde carries (`de::Error::custom`): read back by [`split_refusal`].
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{MARK}{}{MARK}{}", self.message, self.help)
    }
}

/// A refusal's message and help, when `text` is a refusal as serde carries it.
pub(crate) fn split_refusal(text: &str) -> Option<(&str, &str)> {
    text.strip_prefix(MARK)?.split_once(MARK)
}

/// A value quoted in backticks: at most [`SHOWN`] characters, control characters escaped.
pub(crate) fn shown(value: &str) -> String {
    let mut out = String::from("`");
    for (i, c) in value.chars().enumerate() {
        if i == SHOWN {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('`');
    out
}

// ---------------------------------------------------------------------------------------------
// Character rules (k8s.io/apimachinery pkg/util/validation, see the module docs).

const LABEL_MAX: usize = 63;
const SUBDOMAIN_MAX: usize = 253;

fn too_long(value: &str, max: usize) -> Option<String> {
    (value.len() > max).then(|| format!("it is {} characters long, more than {max}", value.len()))
}

fn bad_char(value: &str, allowed: impl Fn(char) -> bool) -> Option<String> {
    value.chars().find(|c| !allowed(*c)).map(|c| format!("{} is not allowed", shown(&c.to_string())))
}

fn lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most `max` characters (`IsDNS1123Label`).
fn dns1123_label(value: &str, max: usize) -> Result<(), String> {
    if value.is_empty() {
        return Err("it is empty".into());
    }
    if let Some(reason) = too_long(value, max).or_else(|| bad_char(value, |c| lower_alnum(c) || c == '-')) {
        return Err(reason);
    }
    if value.starts_with('-') || value.ends_with('-') {
        return Err("it must start and end with a lowercase letter or digit".into());
    }
    Ok(())
}

/// `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63 characters (`IsDNS1035Label`).
fn dns1035_label(value: &str) -> Result<(), String> {
    dns1123_label(value, LABEL_MAX)?;
    if !value.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("it must start with a lowercase letter".into());
    }
    Ok(())
}

/// DNS-1123 labels joined by `.`, at most 253 characters (`IsDNS1123Subdomain`: the labels of
/// a subdomain have no length limit of their own there).
fn dns1123_subdomain(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("it is empty".into());
    }
    if let Some(reason) = too_long(value, SUBDOMAIN_MAX) {
        return Err(reason);
    }
    for part in value.split('.') {
        dns1123_label(part, SUBDOMAIN_MAX)
            .map_err(|reason| if part.is_empty() { "it has an empty part between dots".to_string() } else { reason })?;
    }
    Ok(())
}

/// The name part of a qualified name: `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, at most 63.
fn qualified_part(value: &str) -> Result<(), String> {
    if let Some(reason) = too_long(value, LABEL_MAX)
        .or_else(|| bad_char(value, |c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(reason);
    }
    let alnum = |c: char| c.is_ascii_alphanumeric();
    if !value.starts_with(alnum) || !value.ends_with(alnum) {
        return Err("it must start and end with a letter or digit".into());
    }
    Ok(())
}

/// `[prefix/]name`: prefix a DNS-1123 subdomain, name a qualified name part (`IsQualifiedName`).
fn qualified_name(value: &str) -> Result<(), String> {
    let name = match value.split('/').collect::<Vec<_>>()[..] {
        [name] => name,
        [prefix, name] => {
            dns1123_subdomain(prefix).map_err(|reason| format!("its prefix {}: {reason}", shown(prefix)))?;
            name
        }
        _ => return Err("it has more than one `/`".into()),
    };
    if name.is_empty() {
        return Err("its name part is empty".into());
    }
    qualified_part(name)
}

/// Empty, or a qualified name part (`IsValidLabelValue`).
fn label_value(value: &str) -> Result<(), String> {
    if value.is_empty() { Ok(()) } else { qualified_part(value) }
}

/// `[-._a-zA-Z0-9]+`, at most 253, not `.`, `..` or `..`-prefixed (`IsConfigMapKey`).
fn config_map_key(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("it is empty".into());
    }
    if let Some(reason) = too_long(value, SUBDOMAIN_MAX)
        .or_else(|| bad_char(value, |c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(reason);
    }
    if value == "." || value.starts_with("..") {
        return Err("it must not be `.` or start with `..`".into());
    }
    Ok(())
}

/// A host name as DNS writes it: lowercase DNS-1123 labels of at most 63 characters joined by
/// `.`, at most 253 characters in all.
fn host_name(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("it is empty".into());
    }
    if let Some(reason) = too_long(value, SUBDOMAIN_MAX) {
        return Err(reason);
    }
    for part in value.split('.') {
        dns1123_label(part, LABEL_MAX).map_err(|reason| {
            if part.is_empty() {
                "it has an empty label between dots".to_string()
            } else {
                format!("label {}: {reason}", shown(part))
            }
        })?;
    }
    Ok(())
}

/// A host name, or `*.` and a host name (a wildcard over its subdomains).
/// Whether `s` is a DNS-1123 label (a namespace name): at most 63 lowercase letters, digits
/// and `-`, starting and ending with a letter or digit.
pub(crate) fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

pub(crate) fn is_host(value: &str) -> bool {
    host_name(value.strip_prefix("*.").unwrap_or(value)).is_ok()
}

// ---------------------------------------------------------------------------------------------
// String types.

/// A string type: the text as written, valid by `check`.
macro_rules! string_type {
    ($(#[$doc:meta])* $name:ident, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            // Not every type is read back as text.
            #[allow(dead_code)]
            pub(crate) fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = Refusal;

            fn try_from(value: String) -> Result<Self, Refusal> {
                let check: fn(&str) -> Result<(), Refusal> = $check;
                check(&value)?;
                Ok($name(value))
            }
        }

        impl std::str::FromStr for $name {
            type Err = Refusal;

            fn from_str(value: &str) -> Result<Self, Refusal> {
                Self::try_from(value.to_string())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
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
    };
}

/// A string type for a Kubernetes name: `rule` gives the reason, `noun` and `help` the words.
macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident, $rule:expr, $noun:literal, $help:literal) => {
        string_type!($(#[$doc])* $name, |value| {
            let rule: fn(&str) -> Result<(), String> = $rule;
            rule(value).map_err(|reason| Refusal::new(value, $noun, reason, $help))
        });
    };
}

name_type!(
    /// A namespace name: a DNS-1123 label.
    Namespace,
    |v| dns1123_label(v, LABEL_MAX),
    "a valid namespace name",
    "a namespace name is a DNS-1123 label: at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit (e.g. `shop-batch`)"
);

name_type!(
    /// A tenant name (the name of its directory under `tenants/`, and its default namespace):
    /// a DNS-1123 label.
    TenantName,
    |v| dns1123_label(v, LABEL_MAX),
    "a valid tenant name",
    "a tenant name is a DNS-1123 label, like a namespace: at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit"
);

name_type!(
    /// An ingress or egress gateway name (`none` included: validation gives it its meaning):
    /// a DNS-1123 label. Generated names that include it are cut to 63 characters with a hash
    /// ([`crate::names`]).
    GatewayName,
    |v| dns1123_label(v, LABEL_MAX),
    "a valid gateway name",
    "a gateway name is a DNS-1123 label: at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit"
);

name_type!(
    /// An SLA class name: a `DestinationRule` subset name (DNS-1123 label for istiod) and the
    /// value of the `meshedge.io/sla-class` label.
    SlaClassName,
    |v| dns1123_label(v, LABEL_MAX),
    "a valid SLA class name",
    "an SLA class name becomes a DestinationRule subset name and a label value: a DNS-1123 label, at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit"
);

/// The control plane's name is the OSSM revision: maistra/istio-operator 8143614c
/// `pkg/controller/versions/strategy_v2_5.go` sets the chart value `revision` to the
/// `ServiceMeshControlPlane` name, and `resources/helm/v2.5/istio-control/istio-discovery/
/// templates/service.yaml` names istiod's Service `istiod-<revision>` and labels it
/// `istio.io/rev: <revision>`: a DNS-1123 label short enough for `istiod-` in front.
pub(crate) const CONTROL_PLANE_NAME_MAX: usize = LABEL_MAX - "istiod-".len();

name_type!(
    /// The name of the `ServiceMeshControlPlane` or `Istio` resource: a DNS-1123 label of at
    /// most [`CONTROL_PLANE_NAME_MAX`] characters.
    ControlPlaneName,
    |v| dns1123_label(v, CONTROL_PLANE_NAME_MAX),
    "a valid control plane name",
    "the control plane's name is a revision: istiod's Service is `istiod-<name>`, so at most 56 lowercase letters, digits and `-`, starting and ending with a letter or digit"
);

name_type!(
    /// A Service name: a DNS-1035 label (Kubernetes requires it of Services).
    ServiceName,
    dns1035_label,
    "a valid Service name",
    "a Service name is a DNS-1035 label: at most 63 lowercase letters, digits and `-`, starting with a letter and ending with a letter or digit (e.g. `shop-api`)"
);

name_type!(
    /// A Secret name: a DNS-1123 subdomain.
    SecretName,
    dns1123_subdomain,
    "a valid Secret name",
    "a Secret name is a DNS-1123 subdomain: at most 253 lowercase letters, digits, `-` and `.`, each part starting and ending with a letter or digit (e.g. `partner-client`)"
);

name_type!(
    /// The name of an object (a layer, a request, a cert-manager issuer): a DNS-1123 subdomain,
    /// as Kubernetes requires of most objects and of every custom resource.
    ObjectName,
    dns1123_subdomain,
    "a valid name",
    "a name is a DNS-1123 subdomain, as Kubernetes object names are: at most 253 lowercase letters, digits, `-` and `.`, each part starting and ending with a letter or digit"
);

name_type!(
    /// A key of a Secret's data: `[-._a-zA-Z0-9]+`, at most 253 characters.
    SecretKey,
    config_map_key,
    "a valid Secret key",
    "a Secret key is at most 253 letters, digits, `-`, `_` and `.`, and is not `.` and does not start with `..`"
);

name_type!(
    /// A label key (or annotation key): `[prefix/]name`, the prefix a DNS-1123 subdomain, the
    /// name at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or
    /// digit.
    LabelKey,
    qualified_name,
    "a valid label key",
    "a label key is `[prefix/]name`: an optional DNS subdomain prefix and `/`, then at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit (e.g. `istio` or `node-role.kubernetes.io/egress`)"
);

name_type!(
    /// A label value: empty, or at most 63 letters, digits, `-`, `_` and `.`, starting and
    /// ending with a letter or digit.
    LabelValue,
    label_value,
    "a valid label value",
    "a label value is empty, or at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit"
);

name_type!(
    /// An annotation key: a qualified name like a label key; Kubernetes checks annotation keys
    /// in lower case (`ValidateAnnotations`), so the prefix may be in upper case.
    AnnotationKey,
    |v| qualified_name(&v.to_ascii_lowercase()),
    "a valid annotation key",
    "an annotation key is `[prefix/]name`: an optional DNS subdomain prefix and `/`, then at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit"
);

name_type!(
    /// An HTTP header name that a `VirtualService` sets and matches: lowercase letters, digits,
    /// `-` and `_`.
    HeaderName,
    |v| {
        if v.is_empty() {
            return Err("it is empty".into());
        }
        bad_char(v, |c| lower_alnum(c) || c == '-' || c == '_').map_or(Ok(()), Err)
    },
    "a valid header name",
    "a header name is lowercase letters, digits, `-` and `_` (e.g. `x-sla-class`): Istio matches header names in lower case"
);

name_type!(
    /// A DNS domain (an ingress gateway's `domain`): lowercase DNS labels joined by `.`.
    DomainName,
    host_name,
    "a valid domain name",
    "a domain is lowercase DNS labels (letters, digits and `-`, at most 63 each) joined by `.`, at most 253 characters (e.g. `apps.example.com`)"
);

name_type!(
    /// An ingress request's host: a short name (one DNS label, expanded with the gateway's
    /// `domain`) or a full host name, either one possibly a wildcard (`*`, `*.team`,
    /// `*.team.apps.example.com`). Whether a wildcard may be claimed, and whether the expanded
    /// host is short enough, depends on the settings: the validate stage decides.
    RequestHost,
    |v| if v == "*" { Ok(()) } else { host_name(v.strip_prefix("*.").unwrap_or(v)) },
    "a valid host name",
    "write a short name (`shop`, expanded with the gateway's domain) or a full host name (`shop.apps.example.com`): lowercase DNS labels of letters, digits and `-` joined by `.`"
);

name_type!(
    /// A pattern of `allowedHosts`: `*` (any host), `*.<domain>` (any host under it), or a host.
    HostPattern,
    |v| if v == "*" { Ok(()) } else { host_name(v.strip_prefix("*.").unwrap_or(v)) },
    "a valid host pattern",
    "write a host (`api.stripe.com`), `*.` and a domain (`*.apps.example.com`), or `*`: lowercase DNS labels joined by `.`"
);

name_type!(
    /// An external host an egress request calls: a fully qualified host name, without
    /// wildcard. istiod requires `ServiceEntry` hosts with DNS resolution to be FQDNs
    /// (istio/istio 1.24.3 `pkg/config/validation/validation.go`, `ServiceEntry_DNS`).
    ExternalHost,
    |v| {
        host_name(v)?;
        if !v.contains('.') {
            return Err("it is a single label, not a fully qualified name".into());
        }
        Ok(())
    },
    "a valid external host name",
    "write the full host name (`api.partner.example`): lowercase DNS labels joined by `.`, without wildcard"
);

string_type!(
    /// A path prefix of a route: starts with `/`; no glob characters (`*`, `?`, `[`, `]`), no
    /// whitespace or control characters — Istio matches it as a literal prefix.
    PathPrefix,
    |v| {
        let refuse = |reason: &str| {
            Refusal::new(
                v,
                "a valid path prefix",
                reason,
                "a path prefix starts with `/` and is matched literally: no `*`, `?`, `[`, `]`, spaces or control characters (e.g. `/api`)",
            )
        };
        if !v.starts_with('/') {
            return Err(refuse("it must start with `/`"));
        }
        if let Some(c) = v.chars().find(|c| matches!(c, '*' | '?' | '[' | ']')) {
            return Err(refuse(&format!("{} is a glob character, and prefixes are literal", shown(&c.to_string()))));
        }
        if v.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(refuse("it holds whitespace or a control character"));
        }
        Ok(())
    }
);

string_type!(
    /// A string that must say something: not empty, not only whitespace, no control characters.
    Text,
    |v| {
        let refuse = |reason: &str| {
            Refusal::new(v, "a valid value", reason, "write a non-empty value without control characters")
        };
        if v.trim().is_empty() {
            return Err(refuse("it is empty"));
        }
        if v.chars().any(char::is_control) {
            return Err(refuse("it holds a control character"));
        }
        Ok(())
    }
);

// ---------------------------------------------------------------------------------------------
// URLs.

/// Whether `ip` reaches the host itself or a link-local service (the cloud metadata service at
/// 169.254.169.254, `fd00:ec2::254`), or is no single host at all.
fn is_internal_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => internal_v4(v4),
            None => {
                let first = v6.segments()[0];
                v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || (first & 0xffc0) == 0xfe80
                    || v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
            }
        },
    }
}

fn internal_v4(v4: Ipv4Addr) -> bool {
    v4.is_loopback() || v4.is_link_local() || v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast()
}

/// Host names that name the local host or a cloud metadata service.
fn is_internal_name(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    host == "localhost" || host.ends_with(".localhost") || host == "metadata.google.internal"
}

fn https_url(value: &str, query_allowed: bool, noun: &str) -> Result<(), Refusal> {
    let help = if query_allowed {
        "write an `https://` URL with a host and no user name or fragment (e.g. `https://sso.example.com/realms/shop/protocol/openid-connect/certs`); loopback and link-local hosts (127.0.0.0/8, 169.254.0.0/16, localhost, metadata services) are refused"
    } else {
        "write an `https://` URL with a host and no user name, query or fragment (e.g. `https://sso.example.com/realms/shop`); loopback and link-local hosts (127.0.0.0/8, 169.254.0.0/16, localhost, metadata services) are refused"
    };
    let refuse = |reason: &str| Refusal::new(value, noun, reason, help);
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(refuse("it holds whitespace or a control character"));
    }
    let Some(rest) = value.strip_prefix("https://") else {
        return Err(refuse("it does not start with `https://`"));
    };
    // The URL crate reads `https:///x` as `https://x/` and `\` as `/`; Go's reader, which
    // istiod uses, does not: refuse what the two would read differently.
    if rest.starts_with('/') || value.contains('\\') {
        return Err(refuse("it has no host right after `https://`, or holds a `\\`"));
    }
    let url = url::Url::parse(value).map_err(|e| refuse(&format!("it is not a URL ({e})")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("it holds a user name or password"));
    }
    if url.fragment().is_some() {
        return Err(refuse("it has a fragment (`#...`)"));
    }
    if !query_allowed && url.query().is_some() {
        return Err(refuse("it has a query (`?...`)"));
    }
    let internal = match url.host() {
        None => return Err(refuse("it has no host")),
        Some(url::Host::Domain(name)) => is_internal_name(name),
        Some(url::Host::Ipv4(v4)) => is_internal_ip(IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => is_internal_ip(IpAddr::V6(v6)),
    };
    if internal {
        return Err(refuse("its host is loopback, link-local or a metadata service, which istiod must not fetch"));
    }
    Ok(())
}

string_type!(
    /// An `https://` URL of a document istiod fetches (a JWKS): a host that is neither
    /// loopback, link-local, unspecified nor a cloud metadata service; no user info, no
    /// fragment. Kept as written: the URL crate only checks it.
    HttpsUrl,
    |v| https_url(v, true, "a valid https URL")
);

string_type!(
    /// A token or OpenID Connect issuer: an [`HttpsUrl`] without query, kept exactly as
    /// written (a token's `iss` must equal it byte for byte).
    IssuerUrl,
    |v| https_url(v, false, "a valid issuer URL")
);

// ---------------------------------------------------------------------------------------------
// Service references.

/// A route's destination Service: `name`, `name.namespace`, `name.namespace.svc` or
/// `name.namespace.svc.cluster.local`; the name a DNS-1035 label, the namespace a DNS-1123
/// label. Whether the namespace is the request's own is for the validate stage.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServiceRef {
    text: String,
    name: ServiceName,
    namespace: Option<Namespace>,
}

impl ServiceRef {
    #[cfg(test)]
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    pub(crate) fn name(&self) -> &ServiceName {
        &self.name
    }

    pub(crate) fn namespace(&self) -> Option<&Namespace> {
        self.namespace.as_ref()
    }
}

impl TryFrom<String> for ServiceRef {
    type Error = Refusal;

    fn try_from(text: String) -> Result<Self, Refusal> {
        let help = "name a Service of the request's namespace: `shop-api` (or `shop-api.<namespace>`, `….svc`, `….svc.cluster.local`), a DNS-1035 label: lowercase letters, digits and `-`, starting with a letter";
        let refuse = |reason: String| Refusal::new(&text, "a valid Service", reason, help);
        let trimmed = text.strip_suffix(".svc.cluster.local").or_else(|| text.strip_suffix(".svc")).unwrap_or(&text);
        let (name, namespace) = match trimmed.split_once('.') {
            Some((name, namespace)) => (name, Some(namespace)),
            None => (trimmed, None),
        };
        dns1035_label(name).map_err(|reason| refuse(format!("its name {}: {reason}", shown(name))))?;
        if let Some(namespace) = namespace {
            dns1123_label(namespace, LABEL_MAX)
                .map_err(|reason| refuse(format!("its namespace {}: {reason}", shown(namespace))))?;
        }
        Ok(ServiceRef {
            name: ServiceName(name.to_string()),
            namespace: namespace.map(|n| Namespace(n.to_string())),
            text,
        })
    }
}

impl fmt::Display for ServiceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for ServiceRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for ServiceRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::try_from(String::deserialize(deserializer)?).map_err(de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// Durations.

const MILLISECOND: u64 = 1_000_000;

/// Why Go's `time.ParseDuration` refuses a text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum GoDurationError {
    Invalid,
    MissingUnit,
    UnknownUnit(String),
}

/// Go's `time.ParseDuration` (src/time/format.go, golang/go 08d24035), step for step, on
/// bytes: the sign, then one or more `[0-9]*(\.[0-9]*)?unit` with units `ns`, `us` (`µs`,
/// `μs`), `ms`, `s`, `m`, `h`; fractions are scaled with the same float arithmetic. Returns
/// the sign and the magnitude in nanoseconds.
fn go_parse_duration(text: &str) -> Result<(bool, u64), GoDurationError> {
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
    #[cfg(test)]
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

// ---------------------------------------------------------------------------------------------
// Numbers and addresses.

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

// ---------------------------------------------------------------------------------------------
// JSON Schema.
//
// Each value type states its rule in JSON Schema (draft 2020-12), for editors
// ([`crate::input_schema`]), as precisely as the language allows: where a length limit applies
// to a part of a value (a label of a host name, the name part of a label key), the limit is
// written into the pattern. Where JSON Schema cannot state a rule, the schema accepts more than
// the type does, never less, so an editor never marks a value meshedge accepts:
//
// - durations: under 1ms, finer than a millisecond or beyond Go's range (`1ns`, `1500us`,
//   `3000000h`);
// - URLs: what only parsing the URL tells (a port out of range, a character not allowed in a
//   host), and an internal host written in a less usual spelling (`https://0177.0.0.1/`,
//   `https://LOCALHOST/`, `https://[0:0:0:0:0:0:0:1]/`);
// - numbers: JSON Schema counts `8080.0` as an integer; meshedge wants `8080`.
//
// docs/editors.md lists these differences for users; tests/input_schema.rs checks them.

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

/// A JSON Schema implementation with a fixed schema.
macro_rules! json_schema_of {
    ($name:ident, $schema:expr) => {
        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }

            fn schema_id() -> Cow<'static, str> {
                Cow::Borrowed(concat!(module_path!(), "::", stringify!($name)))
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                $schema
            }
        }
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `T` from the text, as the loader reads it.
    fn read<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, String> {
        serde_json::from_value::<T>(serde_json::Value::String(text.to_string())).map_err(|e| e.to_string())
    }

    /// Every `good` value reads and keeps its text; every `bad` one is refused with a refusal.
    fn table<T: for<'de> Deserialize<'de> + fmt::Display>(good: &[&str], bad: &[&str]) {
        for text in good {
            match read::<T>(text) {
                Ok(value) => assert_eq!(value.to_string(), *text),
                Err(e) => panic!("{text:?} must be accepted: {e}"),
            }
        }
        for text in bad {
            match read::<T>(text) {
                Ok(_) => panic!("{text:?} must be refused"),
                Err(e) => assert!(split_refusal(&e).is_some(), "{text:?}: not a refusal: {e}"),
            }
        }
    }

    #[test]
    fn go_duration_syntax_is_parsed_as_go_parses_it() {
        // Results of Go's time.ParseDuration (src/time/time_test.go, parseDurationTests).
        const MAX: u64 = i64::MAX as u64;
        let s = 1_000_000_000u64;
        for (text, negative, nanos) in [
            ("0", false, 0),
            ("+0", false, 0),
            ("-0", true, 0),
            ("5s", false, 5 * s),
            ("1478s", false, 1478 * s),
            ("-5s", true, 5 * s),
            ("+5s", false, 5 * s),
            ("5.0s", false, 5 * s),
            ("5.6s", false, 5_600_000_000),
            ("5.s", false, 5 * s),
            (".5s", false, 500_000_000),
            ("1.004s", false, 1_004_000_000),
            ("1.0040s", false, 1_004_000_000),
            ("100.00100s", false, 100_001_000_000),
            ("10ns", false, 10),
            ("11us", false, 11_000),
            ("12µs", false, 12_000),
            ("12μs", false, 12_000),
            ("13ms", false, 13_000_000),
            ("15m", false, 15 * 60 * s),
            ("16h", false, 16 * 3600 * s),
            ("3h30m", false, 12_600 * s),
            ("10.5s4m", false, 250_500_000_000),
            ("-2m3.4s", true, 123_400_000_000),
            ("1h2m3s4ms5us6ns", false, 3_723_004_005_006),
            ("39h9m14.425s", false, 140_954_425_000_000),
            ("52763797000ns", false, 52_763_797_000),
            ("0.3333333333333333333h", false, 1_200 * s),
            ("9007199254740993ns", false, 9_007_199_254_740_993),
            ("9223372036854775807ns", false, MAX),
            ("9223372036854775.807us", false, MAX),
            ("9223372036s854ms775us807ns", false, MAX),
            ("-9223372036854775808ns", true, MAX + 1),
            ("-2562047h47m16.854775808s", true, MAX + 1),
            ("0.100000000000000000000h", false, 360 * s),
            ("0.830103483285477580700h", false, 2_988_372_539_827),
        ] {
            assert_eq!(go_parse_duration(text), Ok((negative, nanos)), "{text}");
        }
        for text in [
            "",
            "3",
            "-",
            "s",
            ".",
            "-.",
            ".s",
            "+.s",
            "1d",
            "\u{FFFD}",
            "9223372036854775810ns",
            "9223372036854775808ns",
            "-9223372036854775809ns",
            "9223372036854776us",
            "3000000h",
            "9223372036854775.808us",
            "9223372036854ms775us808ns",
            "5 seconds",
            " 5s",
            "5s ",
            "1h 30m",
            "5S",
        ] {
            assert!(go_parse_duration(text).is_err(), "{text:?} must be refused");
        }
    }

    #[test]
    fn durations_are_what_both_platforms_accept() {
        table::<Duration>(
            &["10s", "1ms", "500ms", "1.5s", "1m30s", "+250ms", "1000us", "1000000ns", "0.001s", "2h", "1.001s"],
            &[
                "abc",
                "5 seconds",
                "-1s",
                "soon",
                "",
                "0",
                "0s",
                "-0s",
                "10",
                "999us",
                "500us",
                "1.0005s",
                "1ms500us",
                "1d",
                "10 s",
                "3000000h",
            ],
        );
        assert_eq!(read::<Duration>("1m30s").unwrap().as_nanos(), 90_000_000_000);
        let refused = read::<Duration>("-1s").unwrap_err();
        let (message, help) = split_refusal(&refused).unwrap();
        assert_eq!(message, "`-1s` is not a valid duration: it is negative");
        assert!(help.contains("at least 1ms") && help.contains("`10s`"), "{help}");
        assert!(read::<Duration>("5 seconds").unwrap_err().contains("` seconds` is not a unit"));
        // A number is not a duration: the loader reports the wrong type.
        assert!(
            serde_json::from_value::<Duration>(serde_json::json!(10)).unwrap_err().to_string().contains("invalid type")
        );
    }

    #[test]
    fn kubernetes_names() {
        let long = "a".repeat(63);
        let too_long = "a".repeat(64);
        table::<Namespace>(
            &["shop", "shop-batch", "0ab", &long],
            &["", "Shop", "shop_batch", "-shop", "shop-", "a.b", "tënant", &too_long, "a\nb"],
        );
        table::<ServiceName>(&["shop-api", "a", &long], &["2fa", "", "Shop", "shop.api", "shop-", &too_long]);
        let subdomain = format!("{long}.{long}.{long}.{}", "a".repeat(61));
        assert_eq!(subdomain.len(), 253);
        table::<SecretName>(
            &["partner-client", "a.b-c.d", "0", &subdomain, &format!("{}.b", "a".repeat(100))],
            &["", "Inventory_Partner", "a..b", ".a", "a.", "-a", &format!("{subdomain}a"), "a b"],
        );
        table::<ControlPlaneName>(&["basic", "default", &"a".repeat(56)], &["", "Basic", &"a".repeat(57)]);
        table::<SlaClassName>(&["gold", "bronze-2"], &["Gold", "gold.x", "", "gold_1"]);
        table::<SecretKey>(
            &["secret", "tls.crt", "KEY_NAME", ".hidden", "a..b"],
            &["", ".", "..", "..a", "a/b", "a b"],
        );
        table::<LabelKey>(
            &["istio", "app.kubernetes.io/name", "node-role.kubernetes.io/egress", "A_b.c", "x/y"],
            &["", "/a", "a/", "a/b/c", "Example.com/a", "-a", "a-", &"a".repeat(64), "a b"],
        );
        table::<LabelValue>(&["", "ingressgateway", "A.b_c-1", &long], &["-a", "a-", "a b", "a/b", &too_long]);
        table::<AnnotationKey>(&["example.com/owner", "Example.com/Owner", "note"], &["", "a/b/c", "a b"]);
        table::<HeaderName>(&["x-sla-class", "x_custom", "a1"], &["", "X-Sla-Class", "x sla", ":authority", "x.y"]);
        table::<TenantName>(&["shop"], &["Evil_Tenant", "", "Shop"]);
        table::<ObjectName>(&["storefront", "a.b", "public-ca"], &["", "Storefront", "a_b"]);
        let refused = read::<SecretName>("Inventory_Partner").unwrap_err();
        let (message, help) = split_refusal(&refused).unwrap();
        assert_eq!(message, "`Inventory_Partner` is not a valid Secret name: `I` is not allowed");
        assert!(help.starts_with("a Secret name is a DNS-1123 subdomain"), "{help}");
        assert!(read::<Namespace>("").unwrap_err().contains("it is empty"));
    }

    #[test]
    fn hosts_domains_and_patterns() {
        let label = "a".repeat(63);
        let long = format!("{label}.{label}.{label}.{}", "a".repeat(61));
        table::<RequestHost>(
            &["shop", "shop.apps.example.com", "*", "*.team", "*.apps.example.com", "xn--tnant-9ra.example", &long],
            &[
                "",
                "Shop",
                "shop..example.com",
                ".shop",
                "shop.",
                "*.",
                "**",
                "a.*.b",
                "shop_1",
                &format!("{long}a"),
                &format!("{label}a"),
            ],
        );
        table::<HostPattern>(
            &["*", "*.apps.example.com", "api.stripe.com"],
            &["", "*apps", "api..stripe.com", "API.stripe.com"],
        );
        table::<ExternalHost>(
            &["api.stripe.com", "a.b"],
            &["stripe", "*.partner.example", "", "api.stripe.com.", "-a.b"],
        );
        table::<DomainName>(&["apps.example.com", "local"], &["*.apps.example.com", "", "Apps.example.com"]);
        assert!(is_host("*.apps.example.com") && is_host("a.b") && !is_host("a..b") && !is_host(&format!("{long}.b")));
    }

    #[test]
    fn path_prefixes_are_literal() {
        table::<PathPrefix>(
            &["/", "/api", "/api/v1/", "/a-b_c.d~e%20"],
            &["", "api", "/api/*", "/a?b", "/[a]", "/a b", "/a\tb", "/a]"],
        );
    }

    #[test]
    fn text_says_something() {
        table::<Text>(&["mesh-edge", "v2.5", "a b"], &["", "   ", "a\u{0}b"]);
    }

    #[test]
    fn urls_are_https_to_a_reachable_host() {
        table::<HttpsUrl>(
            &[
                "https://sso.example.com/realms/shop/protocol/openid-connect/certs",
                "https://sso.example.com:8443/keys?format=jwks",
                "https://keycloak.sso.svc/realms/x",
                "https://10.0.0.5/keys",
                "https://[2001:db8::1]/keys",
            ],
            &[
                "not-a-url",
                "file:///etc/passwd",
                "http://169.254.169.254/latest/meta-data/",
                "https://169.254.169.254/latest/meta-data/",
                "https://2852039166/",
                "https://0xA9FEA9FE/",
                "http://sso.example.com/keys",
                "HTTPS://sso.example.com/keys",
                "https://127.0.0.1/keys",
                "https://127.1/keys",
                "https://localhost/keys",
                "https://api.localhost/keys",
                "https://metadata.google.internal/computeMetadata/v1/",
                "https://[::1]/keys",
                "https://[fe80::1]/keys",
                "https://[::ffff:169.254.169.254]/keys",
                "https://[fd00:ec2::254]/keys",
                "https://0.0.0.0/keys",
                "https://user:pass@sso.example.com/keys",
                "https://sso.example.com/keys#frag",
                "https:///keys",
                "https://\\\\sso.example.com/keys",
                "https://sso.example.com\\keys",
                "https://",
                "https://sso.example.com/a b",
                "https://sso.exa\tmple.com/keys",
                "",
            ],
        );
        table::<IssuerUrl>(
            &["https://sso.example.com/realms/corp", "https://accounts.example.com"],
            &["", "https://sso.example.com/realms/corp?x=1", "https://sso.example.com/#x", "testing@secure.istio.io"],
        );
        // Kept as written: a token's `iss` must equal it byte for byte.
        assert_eq!(read::<IssuerUrl>("https://SSO.example.com").unwrap().as_str(), "https://SSO.example.com");
    }

    #[test]
    fn services_split_into_name_and_namespace() {
        let service = |text: &str| read::<ServiceRef>(text);
        let parts = |text: &str| {
            let s = service(text).unwrap();
            (s.name().to_string(), s.namespace().map(|n| n.to_string()), s.as_str().to_string())
        };
        assert_eq!(parts("web"), ("web".into(), None, "web".into()));
        assert_eq!(parts("web.shop"), ("web".into(), Some("shop".into()), "web.shop".into()));
        assert_eq!(parts("web.shop.svc"), ("web".into(), Some("shop".into()), "web.shop.svc".into()));
        assert_eq!(parts("web.shop.svc.cluster.local").1, Some("shop".into()));
        for bad in ["", "2fa", "Web", "web.shop.extra", "web.Shop", "web.", ".shop", "web_1"] {
            assert!(service(bad).is_err_and(|e| split_refusal(&e).is_some()), "{bad:?}");
        }
    }

    #[test]
    fn numbers_and_addresses() {
        let number = |v: serde_json::Value| serde_json::from_value::<Port>(v).map_err(|e| e.to_string());
        assert_eq!(number(serde_json::json!(1)).unwrap().get(), 1);
        assert_eq!(number(serde_json::json!(65535)).unwrap().get(), 65535);
        for bad in [serde_json::json!(0), serde_json::json!(65536), serde_json::json!(-1), serde_json::json!(u64::MAX)]
        {
            let e = number(bad.clone()).unwrap_err();
            assert_eq!(split_refusal(&e).map(|(m, _)| m.to_string()), Some(format!("port {bad} is out of range")));
        }
        assert!(number(serde_json::json!("8080")).unwrap_err().contains("invalid type"));
        assert!(number(serde_json::json!(80.5)).unwrap_err().contains("invalid type"));
        let percent = |v: i64| serde_json::from_value::<Percent>(serde_json::json!(v)).map(|p| p.get());
        assert_eq!(percent(0).unwrap(), 0);
        assert_eq!(percent(100).unwrap(), 100);
        assert!(percent(101).is_err() && percent(-1).is_err());
        let count = |v: i64| serde_json::from_value::<Count>(serde_json::json!(v)).map(|p| p.get());
        assert_eq!(count(2_147_483_647).unwrap(), 2_147_483_647);
        assert!(count(2_147_483_648).is_err() && count(-1).is_err());
        table::<EgressIp>(
            &["192.0.2.10", "2001:db8::10", "10.0.0.1"],
            &[
                "",
                "192.0.2",
                "192.0.2.300",
                "0.0.0.0",
                "127.0.0.1",
                "::1",
                "224.0.0.1",
                "255.255.255.255",
                "a.b.c.d",
                "192.0.2.10/32",
            ],
        );
    }

    #[test]
    fn refusals_quote_a_bounded_escaped_excerpt() {
        let long = format!("{}\n", "x".repeat(10_000));
        let refused = read::<Duration>(&long).unwrap_err();
        let (message, _) = split_refusal(&refused).unwrap();
        assert!(message.len() < 200, "{message}");
        assert!(message.starts_with(&format!("`{}…`", "x".repeat(SHOWN))), "{message}");
        assert_eq!(shown("a\u{1f}b\nc"), "`a\\u{1f}b\\nc`");
        // A value holding the separator cannot pass for a refusal's help.
        let refused = read::<Namespace>("a\u{1f}b").unwrap_err();
        let (message, help) = split_refusal(&refused).unwrap();
        assert!(message.contains("a\\u{1f}b") && help.starts_with("a namespace name"), "{message} / {help}");
        assert!(split_refusal("unknown variant `\u{1f}x\u{1f}y`").is_none());
    }
}
