//! Kubernetes names (namespaces, Services, Secrets, labels, …), header names, and references to
//! a Service of the request's namespace.

use std::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use super::refusal::{Refusal, shown};
use super::rules::{
    LABEL_MAX, bad_char, config_map_key, dns1035_label, dns1123_label, dns1123_subdomain, label_value, lower_alnum,
    qualified_name,
};

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
