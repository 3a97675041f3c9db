//! WASM extensions at a gateway through a `WasmPlugin`.

use super::{Kind, Target};

/// How a target runs a WASM module on a gateway's proxies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WasmExtensions {
    /// An `extensions.istio.io/v1alpha1` `WasmPlugin` selecting the gateway's pods by
    /// `selector.matchLabels`, with `url` (`oci://…`), `phase` and `pluginConfig`.
    WasmPlugin,
    /// The target runs no WASM module meshedge can configure: why (a lowercase sentence naming
    /// the target).
    Unsupported(&'static str),
}

impl Target {
    /// How the target runs a WASM extension on a gateway.
    ///
    /// Every release meshedge knows serves `WasmPlugin` at `extensions.istio.io/v1alpha1` and no
    /// other version ([`Target::api_version`]; istio/istio `manifests/charts/base/crds/crd-all.gen.yaml`,
    /// `files/` from 1.24, at 1.16.7 … 1.24.6; vendored in `data/platform/istio/*/wasmplugins.extensions.istio.io.yaml`),
    /// with `selector.matchLabels`, `url`, `phase` (`UNSPECIFIED_PHASE`, `AUTHN`, `AUTHZ`,
    /// `STATS`) and `pluginConfig` (an object of any fields) in every one.
    ///
    /// OpenShift Service Mesh 2.4–2.6 serve the same `WasmPlugin` (maistra/istio-operator
    /// maistra-2.5, 8143614c, `resources/helm/v2.{4,5}/istio-init/files/wasmplugins.extensions.istio.io.crd.yaml`;
    /// `data/platform/istio/SOURCES.md` for 2.6). Its older `ServiceMeshExtension`
    /// (`maistra.io/v1`) is not an option there: the operator's charts ship its CRD up to v2.2
    /// only (`resources/helm/v2.{0,1,2}/istio-init/files/servicemeshextensions.maistra.io.crd.yaml`,
    /// none from v2.3), and from v2.3 on it refuses a control plane while a member namespace
    /// holds a `ServiceMeshExtension` ("ServiceMeshExtension support has been removed; please
    /// migrate existing ServiceMeshExtensions to WasmPlugin": `pkg/controller/versions/strategy_v2_{3,4,5}.go`,
    /// `validateServiceMeshExtensionsRemoved`).
    pub fn wasm_extensions(&self) -> WasmExtensions {
        match self.api_version(Kind::WasmPlugin) {
            Ok(_) => WasmExtensions::WasmPlugin,
            Err(_) => WasmExtensions::Unsupported("the target serves no WasmPlugin"),
        }
    }

    /// Whether a `WasmPlugin` can be limited to some hosts of a gateway. No release meshedge
    /// knows can: `match[]` (a `TrafficSelector`) holds only `mode` and `ports` in every vendored
    /// CRD (Istio 1.16–1.24, so OSSM 2.4–2.6), and istiod applies a plugin to a listener by
    /// those two alone (istio/istio 1.24.6 `pilot/pkg/model/extensions.go`,
    /// `matchTrafficSelectors` → `matchMode`, `matchPorts`). `targetRef`/`targetRefs` (1.20+,
    /// 1.22+) select a Gateway API resource, not a host. meshedge so passes the hosts that opt in
    /// to the plugin in its `pluginConfig` (docs/extensions.md).
    pub fn wasm_plugin_selects_hosts(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::super::tests::{istio, ossm};
    use super::super::{Kind, Target};
    use super::WasmExtensions;

    /// The `spec` schema of the target's vendored WasmPlugin CRD.
    fn spec_schema(target: &Target) -> serde_json::Value {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let files = target.schema_files(&data).expect("the target's schema files");
        let file = files
            .iter()
            .find(|f| f.ends_with("wasmplugins.extensions.istio.io.yaml"))
            .expect("a vendored WasmPlugin CRD");
        let text = std::fs::read_to_string(file).expect("readable");
        let crd: serde_json::Value = serde_norway::from_str(&text).expect("YAML");
        let versions = crd["spec"]["versions"].as_array().expect("versions").clone();
        assert_eq!(versions.len(), 1, "{target}: one served version");
        assert_eq!(versions[0]["name"], "v1alpha1");
        versions[0]["schema"]["openAPIV3Schema"]["properties"]["spec"].clone()
    }

    fn keys(value: &serde_json::Value) -> BTreeSet<String> {
        value.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
    }

    #[test]
    fn every_known_release_takes_a_wasm_plugin_v1alpha1_with_the_fields_meshedge_writes() {
        for target in Target::all_supported() {
            assert_eq!(target.wasm_extensions(), WasmExtensions::WasmPlugin, "{target}");
            assert_eq!(
                target.api_version(Kind::WasmPlugin).ok().map(|v| v.as_str()),
                Some("extensions.istio.io/v1alpha1")
            );
            let spec = spec_schema(&target);
            let fields = keys(&spec["properties"]);
            for field in ["selector", "url", "phase", "pluginConfig", "match"] {
                assert!(fields.contains(field), "{target}: {field}");
            }
            assert!(!fields.contains("serviceMeshExtension"));
            assert_eq!(keys(&spec["properties"]["selector"]["properties"]), BTreeSet::from(["matchLabels".into()]));
            let phases: BTreeSet<&str> = spec["properties"]["phase"]["enum"]
                .as_array()
                .expect("phase enum")
                .iter()
                .filter_map(|p| p.as_str())
                .collect();
            assert_eq!(phases, BTreeSet::from(["UNSPECIFIED_PHASE", "AUTHN", "AUTHZ", "STATS"]), "{target}");
            assert_eq!(spec["properties"]["pluginConfig"]["x-kubernetes-preserve-unknown-fields"], true);
        }
    }

    #[test]
    fn no_known_release_selects_a_wasm_plugin_by_host() {
        for target in Target::all_supported() {
            assert!(!target.wasm_plugin_selects_hosts(), "{target}");
            let spec = spec_schema(&target);
            let selector = keys(&spec["properties"]["match"]["items"]["properties"]);
            assert_eq!(selector, BTreeSet::from(["mode".into(), "ports".into()]), "{target}: match[] selects by host");
        }
        assert!(!ossm("v2.4", "4.14").wasm_plugin_selects_hosts());
        assert!(!istio("v1.24", "1.31").wasm_plugin_selects_hosts());
    }
}
