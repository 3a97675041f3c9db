use std::fmt;

use serde::Deserialize;

use super::durations::go_parse_duration;
use super::refusal::SHOWN;
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
    table::<SecretKey>(&["secret", "tls.crt", "KEY_NAME", ".hidden", "a..b"], &["", ".", "..", "..a", "a/b", "a b"]);
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
    table::<ExternalHost>(&["api.stripe.com", "a.b"], &["stripe", "*.partner.example", "", "api.stripe.com.", "-a.b"]);
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
    for bad in [serde_json::json!(0), serde_json::json!(65536), serde_json::json!(-1), serde_json::json!(u64::MAX)] {
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
