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

#[macro_use]
mod macros;

mod durations;
mod federation;
mod hosts;
mod names;
mod network;
mod numbers;
mod oci;
mod refusal;
mod release;
mod rules;
mod schema;
mod text;
mod urls;

pub use durations::{Duration, Period};
pub use federation::{PeerAddress, PeerName};
pub use hosts::{DomainName, ExternalHost, HostPattern, RequestHost};
pub use names::{
    AnnotationKey, ControlPlaneName, GatewayName, HeaderName, LabelKey, LabelValue, Namespace, ObjectName, SecretKey,
    SecretName, ServiceName, ServiceRef, SlaClassName, TenantName,
};
pub use network::EgressIp;
pub use numbers::{Count, Percent, Port, Uint32};
pub use oci::{ExtensionName, OciImage};
pub use refusal::Refusal;
pub(crate) use refusal::{shown, split_refusal};
pub use release::{KubernetesRelease, OpenShiftRelease};
pub(crate) use rules::{is_dns_label, is_host};
pub use text::{PathPrefix, Text};
pub use urls::{HttpsUrl, IssuerUrl};

#[cfg(test)]
mod tests;
