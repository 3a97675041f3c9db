use super::*;

fn read<T: serde::de::DeserializeOwned>(yaml: &str) -> Result<T, String> {
    let docs = crate::load::parse("t.yaml", yaml).map_err(|d| d.message)?;
    crate::load::typed_value(&docs[0].value).map_err(|(pointer, message)| format!("{pointer}: {message}"))
}

#[test]
fn sla_limits_keep_istio_field_names() {
    // Every field, as docs/reference.md §12 shows it, reads and is written back unchanged.
    let yaml = "name: gold
connectionPool:
  tcp:
    maxConnections: 100
    connectTimeout: 2s
    maxConnectionDuration: 1h
    tcpKeepalive: {probes: 3, time: 2h, interval: 75s}
  http:
    http1MaxPendingRequests: 100
    http2MaxRequests: 1000
    maxRequestsPerConnection: 10
    maxRetries: 3
    idleTimeout: 1h
    h2UpgradePolicy: DO_NOT_UPGRADE
    useClientProtocol: false
outlierDetection:
  consecutive5xxErrors: 5
  consecutiveGatewayErrors: 5
  consecutiveLocalOriginFailures: 5
  splitExternalLocalOriginErrors: true
  interval: 10s
  baseEjectionTime: 30s
  maxEjectionPercent: 10
  minHealthPercent: 50
rateLimit:
  requests: 100
  per: 1s
";
    let class: SlaClassSettings = read(yaml).unwrap();
    let written = serde_json::to_value(&class).unwrap();
    let docs = crate::load::parse("t.yaml", yaml).unwrap();
    assert_eq!(written, docs[0].value);
    for (text, expected) in [
        ("name: g\nconnectionPool: {}\n", "limits nothing"),
        ("name: g\nconnectionPool: {tcp: {idleTimeout: 1h}}\n", "unknown field `idleTimeout`"),
        ("name: g\nconnectionPool: {http: {maxConcurrentStreams: 1}}\n", "unknown field `maxConcurrentStreams`"),
        ("name: g\noutlierDetection: {consecutiveErrors: 5}\n", "unknown field `consecutiveErrors`"),
        ("name: g\noutlierDetection: {consecutiveLocalOriginFailures: 1}\n", "splitExternalLocalOriginErrors"),
        ("name: g\noutlierDetection: {minHealthPercent: 101}\n", "101 is out of range"),
        ("name: g\nconnectionPool: {tcp: {tcpKeepalive: {time: 1500us}}}\n", "not a whole number of milliseconds"),
        ("name: g\nconnectionPool: {http: {h2UpgradePolicy: upgrade}}\n", "unknown variant `upgrade`"),
        ("name: g\nrateLimit: {requests: 1}\n", "missing field `per`"),
        ("name: g\nrateLimit: {requests: -1, per: 1s}\n", "out of range"),
    ] {
        let err = read::<SlaClassSettings>(text).unwrap_err();
        assert!(err.contains(expected), "{text}: {err}");
    }
    // Zero local-origin failures count nothing and need no split.
    assert!(read::<SlaClassSettings>("name: g\noutlierDetection: {consecutiveLocalOriginFailures: 0}\n").is_ok());
}

#[test]
fn a_rate_limit_period_that_is_no_duration_gets_the_periods_help() {
    // E110's help for `rateLimit.per` names the bound E449 holds it to (1s), not a duration's 1ms.
    let docs = crate::load::parse("t.yaml", "requests: 1\nper: \"5\"\n").unwrap();
    let err = crate::load::typed_value::<RateLimit>(&docs[0].value).unwrap_err().1;
    let (message, help) = crate::values::split_refusal(&err.message).unwrap_or_else(|| panic!("{}", err.message));
    assert!(message.contains("a number has no unit"), "{message}");
    assert!(help.contains("at least 1s") && !help.contains("500ms") && !help.contains("1ms"), "{help}");
    assert!(read::<RateLimit>("requests: 1\nper: 500ms\n").is_ok(), "E449 refuses it after reading");
}

#[test]
fn metadata_namespace_belongs_to_requests_only() {
    let tenant = "apiVersion: meshedge.io/v1alpha1\nkind: Tenant\nmetadata: {name: shop, namespace: shop}\n";
    assert!(read::<TenantDoc>(tenant).unwrap_err().contains("unknown field `namespace`"));
    let request = "apiVersion: meshedge.io/v1alpha1\nkind: EdgeRequest\nmetadata: {name: web, namespace: shop}\n";
    let doc: EdgeRequestDoc = read(request).unwrap();
    assert_eq!(doc.metadata.namespace.unwrap().as_str(), "shop");
}
