//! The rendered configtx.yaml, read as configtxgen reads it: into types that mirror the yaml
//! tags of fabric internal/configtxgen/genesisconfig/config.go (`TopLevel`, `Profile`,
//! `Organization`, `Orderer`, `BatchSize`, `Policy`) and the etcdraft consenter fields of
//! fabric-samples test-network configtx/configtx.yaml, with unknown keys refused as
//! configtxgen's `EnhancedExactUnmarshal` refuses them; then checked against the topology.

mod common;

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct TopLevel {
    #[serde(rename = "Profiles")]
    profiles: BTreeMap<String, Profile>,
    #[serde(rename = "Organizations")]
    organizations: Vec<Organization>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Profile {
    #[serde(rename = "Application")]
    application: Application,
    #[serde(rename = "Orderer")]
    orderer: Orderer,
    #[serde(rename = "Capabilities")]
    capabilities: BTreeMap<String, bool>,
    #[serde(rename = "Policies")]
    policies: BTreeMap<String, Policy>,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone)]
#[serde(deny_unknown_fields)]
struct Policy {
    #[serde(rename = "Type")]
    kind: String,
    #[serde(rename = "Rule")]
    rule: String,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone)]
#[serde(deny_unknown_fields)]
struct Organization {
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "ID")]
    id: String,
    #[serde(rename = "MSPDir")]
    msp_dir: String,
    #[serde(rename = "Policies")]
    policies: BTreeMap<String, Policy>,
    #[serde(rename = "OrdererEndpoints", default)]
    orderer_endpoints: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Application {
    #[serde(rename = "Organizations")]
    organizations: Vec<Organization>,
    #[serde(rename = "Policies")]
    policies: BTreeMap<String, Policy>,
    #[serde(rename = "Capabilities")]
    capabilities: BTreeMap<String, bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Orderer {
    #[serde(rename = "OrdererType")]
    orderer_type: String,
    #[serde(rename = "Addresses")]
    addresses: Vec<String>,
    #[serde(rename = "BatchTimeout")]
    batch_timeout: String,
    #[serde(rename = "BatchSize")]
    batch_size: BatchSize,
    #[serde(rename = "EtcdRaft")]
    etcd_raft: EtcdRaft,
    #[serde(rename = "Organizations")]
    organizations: Vec<Organization>,
    #[serde(rename = "Policies")]
    policies: BTreeMap<String, Policy>,
    #[serde(rename = "Capabilities")]
    capabilities: BTreeMap<String, bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct BatchSize {
    #[serde(rename = "MaxMessageCount")]
    max_message_count: u32,
    // viperutil's byte-size decode hook reads "99 MB".
    #[serde(rename = "AbsoluteMaxBytes")]
    absolute_max_bytes: String,
    #[serde(rename = "PreferredMaxBytes")]
    preferred_max_bytes: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EtcdRaft {
    #[serde(rename = "Consenters")]
    consenters: Vec<Consenter>,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct Consenter {
    #[serde(rename = "Host")]
    host: String,
    #[serde(rename = "Port")]
    port: u16,
    #[serde(rename = "ClientTLSCert")]
    client_tls_cert: String,
    #[serde(rename = "ServerTLSCert")]
    server_tls_cert: String,
}

fn signature(rule: &str) -> Policy {
    Policy { kind: "Signature".into(), rule: rule.into() }
}

fn implicit(rule: &str) -> Policy {
    Policy { kind: "ImplicitMeta".into(), rule: rule.into() }
}

/// The policies of fabric-samples test-network's peer organisations.
fn peer_org_policies(msp: &str) -> BTreeMap<String, Policy> {
    BTreeMap::from([
        ("Readers".into(), signature(&format!("OR('{msp}.admin', '{msp}.peer', '{msp}.client')"))),
        ("Writers".into(), signature(&format!("OR('{msp}.admin', '{msp}.client')"))),
        ("Admins".into(), signature(&format!("OR('{msp}.admin')"))),
        ("Endorsement".into(), signature(&format!("OR('{msp}.peer')"))),
    ])
}

fn group_policies(extra: &[(&str, Policy)]) -> BTreeMap<String, Policy> {
    let mut out = BTreeMap::from([
        ("Readers".into(), implicit("ANY Readers")),
        ("Writers".into(), implicit("ANY Writers")),
        ("Admins".into(), implicit("MAJORITY Admins")),
    ]);
    out.extend(extra.iter().map(|(k, p)| (k.to_string(), p.clone())));
    out
}

#[test]
fn configtx_yaml_has_the_structure_configtxgen_reads_and_the_network_it_describes() {
    let mut checked = 0;
    for example in common::examples() {
        let generated = common::generate(&example);
        let network = &generated.network;
        let file = format!("configmap-{}-configtx.yaml", network.name);
        let Some(object) = generated.rendered.objects.get(&file) else {
            assert!(network.channels.is_empty(), "{}: channels but no configtx.yaml", example.display());
            continue;
        };
        checked += 1;
        let text = object.to_json().unwrap()["data"]["configtx.yaml"].as_str().unwrap().to_string();
        let top: TopLevel =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", example.display()));

        let ordering = &network.orderer_org;
        let orderer_org = Organization {
            name: ordering.msp_id.clone(),
            id: ordering.msp_id.clone(),
            msp_dir: format!("/var/fabgen/organizations/{}/msp", ordering.name),
            policies: BTreeMap::from([
                ("Readers".into(), signature(&format!("OR('{}.member')", ordering.msp_id))),
                ("Writers".into(), signature(&format!("OR('{}.member')", ordering.msp_id))),
                ("Admins".into(), signature(&format!("OR('{}.admin')", ordering.msp_id))),
            ]),
            orderer_endpoints: ordering
                .orderers
                .iter()
                .map(|o| format!("{}.{}:7050", o.name, network.namespace))
                .collect(),
        };
        let peer_org = |name: &str| {
            let org = network.orgs.iter().find(|o| o.name == name).unwrap();
            Organization {
                name: org.msp_id.clone(),
                id: org.msp_id.clone(),
                msp_dir: format!("/var/fabgen/organizations/{name}/msp"),
                policies: peer_org_policies(&org.msp_id),
                orderer_endpoints: vec![],
            }
        };
        let mut all = vec![orderer_org.clone()];
        all.extend(network.orgs.iter().map(|o| peer_org(&o.name)));
        assert_eq!(top.organizations, all, "{}", example.display());

        assert_eq!(top.profiles.len(), network.channels.len());
        for channel in &network.channels {
            let profile = &top.profiles[&channel.name];
            assert_eq!(profile.capabilities, BTreeMap::from([("V2_0".into(), true)]));
            assert_eq!(profile.policies, group_policies(&[]));

            let app = &profile.application;
            let members: Vec<Organization> =
                network.orgs.iter().filter(|o| channel.orgs.contains(&o.name)).map(|o| peer_org(&o.name)).collect();
            assert_eq!(app.organizations, members, "{} {}", example.display(), channel.name);
            assert_eq!(
                app.policies,
                group_policies(&[
                    ("LifecycleEndorsement", implicit("MAJORITY Endorsement")),
                    ("Endorsement", implicit("MAJORITY Endorsement")),
                ])
            );
            assert_eq!(app.capabilities, BTreeMap::from([("V2_5".into(), true)]));

            let ord = &profile.orderer;
            assert_eq!(ord.orderer_type, "etcdraft");
            // Set, so configtxgen's default 127.0.0.1:7050 never enters the channel.
            assert_eq!(ord.addresses, orderer_org.orderer_endpoints);
            assert_eq!(ord.batch_timeout, "2s");
            assert!(ord.batch_size.max_message_count > 0);
            assert_eq!(ord.organizations, vec![orderer_org.clone()]);
            assert_eq!(ord.policies, group_policies(&[("BlockValidation", implicit("ANY Writers"))]));
            assert_eq!(ord.capabilities, BTreeMap::from([("V2_0".into(), true)]));
            let consenters: Vec<Consenter> = ordering
                .orderers
                .iter()
                .map(|o| Consenter {
                    host: format!("{}.{}", o.name, network.namespace),
                    port: 7050,
                    client_tls_cert: format!("/var/fabgen/consenters/{}/tls.crt", o.name),
                    server_tls_cert: format!("/var/fabgen/consenters/{}/tls.crt", o.name),
                })
                .collect();
            assert_eq!(ord.etcd_raft.consenters, consenters);
        }
    }
    assert!(checked >= 5, "examples with channels: {checked}");
}
