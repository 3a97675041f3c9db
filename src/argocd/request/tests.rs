use std::collections::BTreeMap;

use super::*;

fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn defaults_without_any_variable() {
    let request = Request::from_vars(&BTreeMap::new()).unwrap();
    assert_eq!(request.options, Options::default());
    assert_eq!(request.provenance(), None);
    assert_eq!(request.context(), "");
}

#[test]
fn empty_values_count_as_absent() {
    let request = Request::from_vars(&vars(&[
        ("ARGOCD_ENV_MESHEDGE_STRICT", ""),
        ("ARGOCD_ENV_MESHEDGE_ENV", " "),
        ("ARGOCD_APP_PARAMETERS", "null"),
        ("ARGOCD_APP_REVISION", ""),
    ]))
    .unwrap();
    assert_eq!(request.options, Options::default());
    assert_eq!(request.revision, None);
}

#[test]
fn parameters_override_the_plugin_env() {
    let request = Request::from_vars(&vars(&[
        ("ARGOCD_ENV_MESHEDGE_STRICT", "true"),
        ("ARGOCD_ENV_MESHEDGE_ENV", "dev"),
        ("ARGOCD_APP_PARAMETERS", r#"[{"name":"strict","string":"false"},{"name":"env","string":""}]"#),
    ]))
    .unwrap();
    assert!(!request.options.strict);
    assert_eq!(request.options.env.as_deref(), Some("dev"));
    assert_eq!(request.options.env_from.as_deref(), Some("plugin env MESHEDGE_ENV"));
}

#[test]
fn param_variables_stand_in_for_the_json_form() {
    let request =
        Request::from_vars(&vars(&[("PARAM_STRICT", "yes"), ("PARAM_PROVENANCE", "off"), ("PARAM_ENV", "prod")]))
            .unwrap();
    assert!(request.options.strict);
    assert!(!request.options.provenance);
    assert_eq!(request.options.env.as_deref(), Some("prod"));
    // The JSON form wins when present.
    let request = Request::from_vars(&vars(&[("PARAM_STRICT", "yes"), ("ARGOCD_APP_PARAMETERS", "[]")])).unwrap();
    assert!(!request.options.strict);
}

#[test]
fn the_shard_comes_from_the_plugin_env_or_a_parameter() {
    let request = Request::from_vars(&vars(&[("ARGOCD_ENV_MESHEDGE_SHARD", " 3/16 ")])).unwrap();
    assert_eq!(request.options.shard.as_deref(), Some("3/16"));
    assert_eq!(request.options.shard_from.as_deref(), Some("plugin env MESHEDGE_SHARD"));
    let request = Request::from_vars(&vars(&[
        ("ARGOCD_ENV_MESHEDGE_SHARD", "3/16"),
        ("ARGOCD_APP_PARAMETERS", r#"[{"name":"shard","string":"4/16"}]"#),
    ]))
    .unwrap();
    assert_eq!(request.options.shard.as_deref(), Some("4/16"));
    assert_eq!(request.options.shard_from.as_deref(), Some("parameter `shard`"));
    let request = Request::from_vars(&vars(&[("PARAM_SHARD", "5/16")])).unwrap();
    assert_eq!(request.options.shard.as_deref(), Some("5/16"));
    // Read as given: the value is checked where it is used.
    let request = Request::from_vars(&vars(&[("ARGOCD_ENV_MESHEDGE_SHARD", "x")])).unwrap();
    assert_eq!(request.options.shard.as_deref(), Some("x"));
}

#[test]
fn unknown_and_invalid_options_are_errors() {
    let errors = Request::from_vars(&vars(&[
        ("ARGOCD_ENV_MESHEDGE_STIRCT", "true"),
        ("ARGOCD_ENV_OTHER_TOOL", "x"),
        ("ARGOCD_APP_PARAMETERS", r#"[{"name":"provenanse","string":"no"},{"name":"strict","string":"maybe"}]"#),
    ]))
    .unwrap_err();
    let text: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(text.len(), 3, "{text:?}");
    assert!(text[0].contains("MESHEDGE_STIRCT") && text[0].contains("MESHEDGE_STRICT"), "{text:?}");
    assert!(text[1].contains("`provenanse`") && text[1].contains("`provenance`"), "{text:?}");
    assert!(text[2].contains("maybe"), "{text:?}");
    let errors =
        Request::from_vars(&vars(&[("ARGOCD_APP_PARAMETERS", r#"[{"name":"env","array":["a"]}]"#)])).unwrap_err();
    assert!(errors[0].message.contains("takes a string"));
    assert!(Request::from_vars(&vars(&[("ARGOCD_APP_PARAMETERS", "{")])).is_err());
}

#[test]
fn provenance_is_url_at_revision_without_credentials() {
    let mut request = Request::from_vars(&vars(&[
        ("ARGOCD_APP_REVISION", "0123456789abcdef"),
        ("ARGOCD_APP_SOURCE_REPO_URL", "https://bot:s3cret@git.example.com/edge.git"),
    ]))
    .unwrap();
    assert_eq!(request.provenance().as_deref(), Some("https://git.example.com/edge.git@0123456789abcdef"));
    request.repo_url = Some("git@git.example.com:platform/edge.git".into());
    assert_eq!(request.provenance().as_deref(), Some("git@git.example.com:platform/edge.git@0123456789abcdef"));
    request.repo_url = None;
    assert_eq!(request.provenance().as_deref(), Some("0123456789abcdef"));
    request.options.provenance = false;
    assert_eq!(request.provenance(), None);
}
