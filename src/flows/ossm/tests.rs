use serde_json::json;

use super::*;

fn prod() -> ControlPlane {
    let smcp = json!({
        "apiVersion": "maistra.io/v2", "kind": "ServiceMeshControlPlane",
        "metadata": {"name": "basic", "namespace": "istio-system"},
        "spec": {"gateways": {
            "ingress": {"enabled": false}, "egress": {"enabled": false},
            "additionalIngress": {"istio-ingressgateway": {"enabled": true, "namespace": "istio-ingress",
                "service": {"metadata": {"labels": {"istio": "ingressgateway"}}, "type": "ClusterIP"}}},
            "additionalEgress": {"istio-egressgateway": {"enabled": true, "namespace": "istio-egress",
                "service": {"metadata": {"labels": {"istio": "egressgateway"}}}}}
        }}
    });
    let smmr = json!({"kind": "ServiceMeshMemberRoll", "metadata": {"name": "default", "namespace": "istio-system"},
        "spec": {"members": ["shop", "istio-ingress"]}});
    ControlPlane::from_objects(&smcp, Some(&smmr)).unwrap()
}

#[test]
fn policies_are_copied_into_every_member() {
    let cp = prod();
    let names: Vec<String> = cp
        .network_policies()
        .iter()
        .map(|p| {
            format!("{}/{}", p["metadata"]["namespace"].as_str().unwrap(), p["metadata"]["name"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        names,
        [
            "istio-ingress/istio-mesh-basic",
            "istio-ingress/istio-expose-route-basic",
            "istio-system/istio-mesh-basic",
            "istio-system/istio-expose-route-basic",
            "shop/istio-mesh-basic",
            "shop/istio-expose-route-basic",
            "istio-ingress/istio-ingressgateway",
        ]
    );
    let mesh = &cp.network_policies()[4];
    assert_eq!(mesh["spec"]["ingress"][0]["from"][0]["namespaceSelector"]["matchLabels"][MEMBER_OF], "istio-system");
    assert_eq!(mesh["metadata"]["labels"][MEMBER_OF], "istio-system");
    let gateway = &cp.network_policies()[6];
    assert_eq!(gateway["spec"]["ingress"], json!([{}]));
    assert_eq!(
        gateway["spec"]["podSelector"]["matchLabels"],
        json!({"app": "istio-ingressgateway", "istio": "ingressgateway"})
    );
}

#[test]
fn unmanaged_policies_are_not_created() {
    let mut cp = prod();
    cp.manage_network_policy = false;
    assert!(cp.network_policies().is_empty());
    cp.manage_network_policy = true;
    cp.copies_policies = false;
    assert!(cp.network_policies().iter().all(|p| p["metadata"]["namespace"] != "shop"));
}

#[test]
fn gateways_get_their_labels_and_the_app_default() {
    let cp = prod();
    let names: Vec<&str> = cp.gateways.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["istio-ingressgateway", "istio-egressgateway"], "built-in gateways are disabled");
    assert_eq!(
        cp.gateways[1].labels,
        Labels::from([("app".into(), "istio-egressgateway".into()), ("istio".into(), "egressgateway".into())])
    );
    assert_eq!(cp.gateway_pods()[0].namespace, "istio-ingress");
    assert_eq!(cp.gateway_services()[0]["spec"]["ports"][1]["targetPort"], 8443);
    assert_eq!(cp.namespace_labels()["istio-system"][MEMBER_OF], "istio-system");
    assert_eq!(cp.namespace_labels()["shop"][MEMBER_OF], "istio-system");
}

#[test]
fn the_built_in_gateways_are_on_by_default() {
    let smcp = json!({"kind": "ServiceMeshControlPlane", "metadata": {"name": "basic", "namespace": "cp"}, "spec": {}});
    let cp = ControlPlane::from_objects(&smcp, None).unwrap();
    assert_eq!(cp.gateways.len(), 2);
    assert_eq!(cp.gateways[0].namespace, "cp");
    assert!(cp.manage_network_policy);
}
