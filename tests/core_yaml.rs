//! The Fabric 3 peers' core.yaml is the release's sampleconfig byte for byte but for the three
//! edits templates/peer/core-3.yaml documents. The copy in tests/fabric/core-3.x.yaml is
//! hyperledger/fabric sampleconfig/core.yaml as stored at commit
//! 7b8498dd522234d24a52be91f8961e8d20e274a3 (the 3.1 line; sha256 ec6b65f5…144107, checked
//! below so the copy itself cannot drift).

mod common;

use sha2::{Digest, Sha256};

const SAMPLE_SHA256: &str = "ec6b65f5ac155c1f977a66b64772488977ca03bb89cf6e7cb5bd6e3777144107";

fn sample() -> String {
    let bytes = std::fs::read(common::root().join("tests/fabric/core-3.x.yaml")).unwrap();
    let digest: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(digest, SAMPLE_SHA256, "tests/fabric/core-3.x.yaml is not the stored sampleconfig");
    String::from_utf8(bytes).unwrap()
}

/// `text` with exactly one `from` replaced by `to`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} occurs once in the sample");
    text.replacen(from, to, 1)
}

/// The sample's vm.endpoint with its comment.
const VM_ENDPOINT: &str = "  # Endpoint of the vm management system.  For docker can be one of the following in general\n  # unix:///var/run/docker.sock\n  # http://localhost:2375\n  # https://localhost:2376\n  # If you utilize external chaincode builders and don't need the default Docker chaincode builder,\n  # the endpoint should be unconfigured so that the peer's Docker health checker doesn't get registered.\n  endpoint: unix:///var/run/docker.sock\n";

/// The sample's externalBuilders block, which fabgen replaces by the org's builders.
const SAMPLE_BUILDERS: &str = "  externalBuilders:\n    - name: ccaas_builder\n      path: /opt/hyperledger/ccaas_builder\n      propagateEnvironment:\n        - CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG\n";

#[test]
fn fabric3_core_yaml_is_the_sampleconfig_but_for_the_documented_edits() {
    let sample = sample();
    let expected = edit(&sample, "    bootstrap: 127.0.0.1:7051\n", "    bootstrap: \"\"\n");
    // vm.endpoint and the comment above it, which names the Docker socket.
    let expected = edit(&expected, VM_ENDPOINT, "");
    let (before, after) = expected.split_once(SAMPLE_BUILDERS).expect("the sample lists ccaas_builder");
    let mut checked = 0;
    for spec in ["fabric3.yaml", "fabric3-bft.yaml"] {
        let generated = common::generate(&common::root().join("values").join(spec));
        assert!(generated.network.fabric_version.starts_with("3."));
        for org in &generated.network.orgs {
            let config = &generated.rendered.objects[&format!("configmap-{}.yaml", org.peer_config_map)];
            let core = config.to_json().unwrap()["data"]["core.yaml"].as_str().unwrap().to_string();
            // Everything but the builders, byte for byte.
            assert!(core.starts_with(before), "{spec} {}: differs from the sample before externalBuilders", org.name);
            assert!(core.ends_with(after), "{spec} {}: differs from the sample after externalBuilders", org.name);
            let block = &core[before.len()..core.len() - after.len()];
            let builders: serde_yaml::Value = serde_yaml::from_str(block).unwrap();
            let want: Vec<serde_json::Value> = org
                .external_builders
                .iter()
                .map(|b| {
                    serde_json::json!({"name": b.name, "path": b.path, "propagateEnvironment": b.propagate_environment})
                })
                .collect();
            assert_eq!(serde_json::to_value(&builders["externalBuilders"]).unwrap(), serde_json::Value::from(want));
            // The peer reads it: YAML, with the keys fabgen relies on.
            let parsed: serde_yaml::Value = serde_yaml::from_str(&core).unwrap();
            assert_eq!(parsed["peer"]["deliveryclient"]["policy"], "cluster");
            assert!(parsed["vm"].get("endpoint").is_none() && !core.contains("docker.sock"), "no Docker endpoint");
            checked += 1;
        }
        // The channel Jobs' peer CLI reads the same file, with no builders.
        let network = &generated.network;
        let configtx =
            &generated.rendered.objects[&format!("configmap-{}.yaml", network.configtx.as_ref().unwrap().config_map)];
        let core = configtx.to_json().unwrap()["data"]["core.yaml"].as_str().unwrap().to_string();
        assert!(core.starts_with(before) && core.ends_with(after), "{spec}: the Jobs' core.yaml");
    }
    assert_eq!(checked, 4);
}

#[test]
fn fabric_2_5_peers_keep_the_2_5_core_yaml() {
    let generated = common::generate(&common::root().join("values/tutorial.yaml"));
    let org = &generated.network.orgs[0];
    let config = &generated.rendered.objects[&format!("configmap-{}.yaml", org.peer_config_map)];
    let core: serde_yaml::Value =
        serde_yaml::from_str(config.to_json().unwrap()["data"]["core.yaml"].as_str().unwrap()).unwrap();
    // 2.5's values where 3.x changed them (fabric release_notes/v3.0.0.md).
    assert_eq!(core["peer"]["deliveryclient"]["blockGossipEnabled"], true);
    assert!(core["peer"]["deliveryclient"].get("policy").is_none());
    assert_eq!(core["peer"]["gossip"]["pvtData"]["transientstoreMaxBlockRetention"], 1000);
}
