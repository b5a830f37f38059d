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
    // Refused under the V3_0 channel capability (fabric release_notes/v3.0.0.md).
    #[serde(rename = "Addresses")]
    addresses: Option<Vec<String>>,
    #[serde(rename = "BatchTimeout")]
    batch_timeout: String,
    #[serde(rename = "BatchSize")]
    batch_size: BatchSize,
    #[serde(rename = "EtcdRaft")]
    etcd_raft: Option<EtcdRaft>,
    #[serde(rename = "ConsenterMapping")]
    consenter_mapping: Option<Vec<BftConsenter>>,
    #[serde(rename = "SmartBFT")]
    smart_bft: Option<SmartBft>,
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

/// genesisconfig.go `Consenter` (the BFT `ConsenterMapping` entry).
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct BftConsenter {
    #[serde(rename = "ID")]
    id: u32,
    #[serde(rename = "Host")]
    host: String,
    #[serde(rename = "Port")]
    port: u32,
    #[serde(rename = "MSPID")]
    msp_id: String,
    #[serde(rename = "Identity")]
    identity: String,
    #[serde(rename = "ClientTLSCert")]
    client_tls_cert: String,
    #[serde(rename = "ServerTLSCert")]
    server_tls_cert: String,
}

/// fabric-protos orderer/smartbft/configuration.proto `Options`, by its Go field names (what
/// configtxgen's exact unmarshalling accepts); durations as Go writes them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
#[allow(dead_code)]
struct SmartBft {
    request_batch_max_count: Option<u64>,
    request_batch_max_bytes: Option<u64>,
    request_batch_max_interval: Option<String>,
    incoming_message_buffer_size: Option<u64>,
    request_pool_size: Option<u64>,
    request_forward_timeout: Option<String>,
    request_complain_timeout: Option<String>,
    request_auto_remove_timeout: Option<String>,
    request_max_bytes: Option<u64>,
    view_change_resend_interval: Option<String>,
    view_change_timeout: Option<String>,
    leader_heartbeat_timeout: Option<String>,
    leader_heartbeat_count: Option<u64>,
    collect_timeout: Option<String>,
    sync_on_start: Option<bool>,
    speed_up_view_change: Option<bool>,
    leader_rotation: Option<serde_yaml::Value>,
    decisions_per_leader: Option<u64>,
}

/// A Go duration as configtx.yaml writes them here (`50ms`, `2s`, `3m0s`, `1m0s`), in ms.
fn millis(duration: &str) -> u64 {
    let mut total = 0;
    let mut number = String::new();
    let mut rest = duration;
    while !rest.is_empty() {
        let c = rest.chars().next().unwrap();
        if c.is_ascii_digit() {
            number.push(c);
            rest = &rest[1..];
            continue;
        }
        let (unit, scale) = if rest.starts_with("ms") {
            ("ms", 1)
        } else if rest.starts_with('s') {
            ("s", 1000)
        } else if rest.starts_with('m') {
            ("m", 60_000)
        } else if rest.starts_with('h') {
            ("h", 3_600_000)
        } else {
            panic!("{duration}")
        };
        total += number.parse::<u64>().unwrap() * scale;
        number.clear();
        rest = &rest[unit.len()..];
    }
    assert!(number.is_empty(), "{duration}: a number without a unit");
    total
}

/// What the orderer accepts (hyperledger-labs SmartBFT pkg/types/config.go `Validate`, after
/// Fabric's orderer/consensus/smartbft/util.go `ConfigFromMetadataOptions` overwrote the
/// library defaults with these): every count and duration set and positive, and the orderings
/// it requires. Leader rotation stays unset (3.x refuses it on).
fn assert_smart_bft_is_valid(o: &SmartBft, context: &str) {
    let count = |v: Option<u64>, name: &str| {
        let v = v.unwrap_or_else(|| panic!("{context}: {name} unset (configtxgen then writes 0)"));
        assert!(v > 0, "{context}: {name}");
        v
    };
    let duration = |v: &Option<String>, name: &str| {
        let v = millis(v.as_deref().unwrap_or_else(|| panic!("{context}: {name} unset")));
        assert!(v > 0, "{context}: {name}");
        v
    };
    let batch_count = count(o.request_batch_max_count, "RequestBatchMaxCount");
    let batch_bytes = count(o.request_batch_max_bytes, "RequestBatchMaxBytes");
    count(o.incoming_message_buffer_size, "IncomingMessageBufferSize");
    count(o.request_pool_size, "RequestPoolSize");
    count(o.leader_heartbeat_count, "LeaderHeartbeatCount");
    duration(&o.request_batch_max_interval, "RequestBatchMaxInterval");
    let forward = duration(&o.request_forward_timeout, "RequestForwardTimeout");
    let complain = duration(&o.request_complain_timeout, "RequestComplainTimeout");
    let auto_remove = duration(&o.request_auto_remove_timeout, "RequestAutoRemoveTimeout");
    let resend = duration(&o.view_change_resend_interval, "ViewChangeResendInterval");
    let view_change = duration(&o.view_change_timeout, "ViewChangeTimeout");
    duration(&o.leader_heartbeat_timeout, "LeaderHeartbeatTimeout");
    duration(&o.collect_timeout, "CollectTimeout");
    assert!(batch_count <= batch_bytes, "{context}: RequestBatchMaxCount <= RequestBatchMaxBytes");
    assert!(forward <= complain && complain <= auto_remove, "{context}: forward <= complain <= auto-remove");
    assert!(resend <= view_change, "{context}: ViewChangeResendInterval <= ViewChangeTimeout");
    assert!(o.leader_rotation.is_none() && o.decisions_per_leader.is_none(), "{context}: leader rotation unset");
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

/// Where the other organisations reach an orderer, read off the spec file: its Service in a
/// network of one cluster; across clusters its external name (given, or `<name>.<domain of
/// its organisation's cluster>`) on the cluster's port (443 unless the spec says otherwise).
fn orderer_endpoint(example: &std::path::Path, orderer: &str, namespace: &str) -> (String, u16) {
    let spec: serde_yaml::Value = serde_yaml::from_str(&std::fs::read_to_string(example).unwrap()).unwrap();
    let ordering: Vec<&serde_yaml::Value> = match spec.get("ordererOrgs") {
        Some(list) => list.as_sequence().unwrap().iter().collect(),
        None => vec![&spec["ordererOrg"]],
    };
    let orgs = ordering.iter().copied().chain(spec["orgs"].as_sequence().unwrap());
    let mut clusters: Vec<&str> = orgs.filter_map(|o| o["cluster"].as_str()).collect();
    clusters.sort_unstable();
    clusters.dedup();
    let org =
        ordering.iter().find(|o| o["orderers"].as_sequence().unwrap().iter().any(|n| n["name"] == orderer)).unwrap();
    if clusters.len() < 2 {
        return (format!("{orderer}.{namespace}"), 7050);
    }
    let node = org["orderers"].as_sequence().unwrap().iter().find(|n| n["name"] == orderer).unwrap();
    let cluster = spec["clusters"].as_sequence().unwrap().iter().find(|c| c["name"] == org["cluster"]).unwrap();
    // A cluster exposing node ports: every node at the nodes' address, on its own node port.
    if let Some(address) = cluster["expose"]["nodePort"]["address"].as_str() {
        let host = node["externalName"].as_str().unwrap_or(address).to_string();
        return (host, node["nodePort"].as_u64().unwrap() as u16);
    }
    let host = node["externalName"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| format!("{orderer}.{}", cluster["domain"].as_str().unwrap()));
    (host, cluster["port"].as_u64().unwrap_or(443) as u16)
}

/// Each channel's `ordererOrgs` as the spec file writes them (none: every ordering org).
fn spec_channels(example: &std::path::Path) -> BTreeMap<String, Option<Vec<String>>> {
    let spec: serde_yaml::Value = serde_yaml::from_str(&std::fs::read_to_string(example).unwrap()).unwrap();
    spec["channels"]
        .as_sequence()
        .into_iter()
        .flatten()
        .map(|c| {
            let names =
                c["ordererOrgs"].as_sequence().map(|s| s.iter().map(|n| n.as_str().unwrap().to_string()).collect());
            (c["name"].as_str().unwrap().to_string(), names)
        })
        .collect()
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

        let ordering_org = |ordering: &fabgen::model::OrdererOrg| Organization {
            name: ordering.msp_id.clone(),
            id: ordering.msp_id.clone(),
            msp_dir: format!("/var/fabgen/organizations/{}/msp", ordering.name),
            policies: BTreeMap::from([
                ("Readers".into(), signature(&format!("OR('{}.member')", ordering.msp_id))),
                ("Writers".into(), signature(&format!("OR('{}.member')", ordering.msp_id))),
                ("Admins".into(), signature(&format!("OR('{}.admin')", ordering.msp_id))),
            ]),
            // Each ordering org's own endpoints, one per consenter of its own.
            orderer_endpoints: ordering
                .orderers
                .iter()
                .map(|o| {
                    let (host, port) = orderer_endpoint(&example, &o.name, &network.namespace);
                    format!("{host}:{port}")
                })
                .collect(),
        };
        // SmartBFT consenter IDs: the orderers of every ordering org in spec order, from 1.
        let ids: BTreeMap<String, u32> = network
            .orderer_orgs
            .iter()
            .flat_map(|o| &o.orderers)
            .enumerate()
            .map(|(i, o)| (o.name.clone(), i as u32 + 1))
            .collect();
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
        let mut all: Vec<Organization> = network.orderer_orgs.iter().map(ordering_org).collect();
        all.extend(network.orgs.iter().map(|o| peer_org(&o.name)));
        assert_eq!(top.organizations, all, "{}", example.display());

        assert_eq!(top.profiles.len(), network.channels.len());
        // Fabric 3 channels carry the V3_0 capability (which SmartBFT needs); 2.5 ones V2_0. Orderer V2_0 and Application V2_5 in
        // both (fabric-samples test-network configtx.yaml and bft-config/configtx.yaml).
        let fabric3 = network.fabric_version.starts_with("3.");
        let channel_capability = if fabric3 { "V3_0" } else { "V2_0" };
        let bft = network.configtx.as_ref().unwrap().orderer_type == "BFT";
        for channel in &network.channels {
            let profile = &top.profiles[&channel.name];
            // Its ordering orgs: as the spec names them for the channel, else all of them.
            let spec_channel = &spec_channels(&example)[&channel.name];
            let channel_ordering: Vec<&fabgen::model::OrdererOrg> = match &spec_channel {
                Some(names) => {
                    names.iter().map(|n| network.orderer_orgs.iter().find(|o| &o.name == n).unwrap()).collect()
                }
                None => network.orderer_orgs.iter().collect(),
            };
            let orderers: Vec<(&fabgen::model::OrdererOrg, &fabgen::model::Orderer)> =
                channel_ordering.iter().flat_map(|org| org.orderers.iter().map(move |o| (*org, o))).collect();
            assert_eq!(profile.capabilities, BTreeMap::from([(channel_capability.into(), true)]));
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
            assert_eq!(ord.orderer_type, if bft { "BFT" } else { "etcdraft" });
            // No global addresses on any release line: V3_0 refuses them, and 2.5 peers warn on
            // every config block that carries them beside the orgs' OrdererEndpoints
            // (internal/pkg/peer/orderers/connection.go). configtxgen (every 2.5.x and 3.x tag) writes no
            // OrdererAddresses value for an empty list and fills in no default
            // (internal/configtxgen/encoder/encoder.go, genesisconfig/config.go).
            assert_eq!(ord.addresses, None, "{} {}", example.display(), channel.name);
            assert!(channel_ordering.iter().all(|o| !o.orderers.is_empty()));
            assert_eq!(ord.batch_timeout, "2s");
            assert!(ord.batch_size.max_message_count > 0);
            assert_eq!(ord.organizations, channel_ordering.iter().map(|o| ordering_org(o)).collect::<Vec<_>>());
            assert_eq!(ord.policies, group_policies(&[("BlockValidation", implicit("ANY Writers"))]));
            assert_eq!(ord.capabilities, BTreeMap::from([("V2_0".into(), true)]));
            let consenters: Vec<Consenter> = orderers
                .iter()
                .map(|(_, o)| Consenter {
                    host: orderer_endpoint(&example, &o.name, &network.namespace).0,
                    port: orderer_endpoint(&example, &o.name, &network.namespace).1,
                    client_tls_cert: format!("/var/fabgen/consenters/{}/tls.crt", o.name),
                    server_tls_cert: format!("/var/fabgen/consenters/{}/tls.crt", o.name),
                })
                .collect();
            if bft {
                assert!(ord.etcd_raft.is_none(), "{}", example.display());
                let mapping: Vec<BftConsenter> = orderers
                    .iter()
                    .map(|(org, o)| BftConsenter {
                        id: ids[&o.name],
                        host: orderer_endpoint(&example, &o.name, &network.namespace).0,
                        port: orderer_endpoint(&example, &o.name, &network.namespace).1.into(),
                        msp_id: org.msp_id.clone(),
                        identity: format!("/var/fabgen/consenters/{}/cert.pem", o.name),
                        client_tls_cert: format!("/var/fabgen/consenters/{}/tls.crt", o.name),
                        server_tls_cert: format!("/var/fabgen/consenters/{}/tls.crt", o.name),
                    })
                    .collect();
                assert_eq!(ord.consenter_mapping.as_ref(), Some(&mapping));
                assert!(mapping.len() >= 4, "3f + 1 with f >= 1");
                assert_smart_bft_is_valid(ord.smart_bft.as_ref().expect("SmartBFT options"), &channel.name);
            } else {
                assert!(ord.consenter_mapping.is_none() && ord.smart_bft.is_none());
                assert_eq!(ord.etcd_raft.as_ref().unwrap().consenters, consenters);
            }
        }
        // The create Job holds what those paths name: each orderer's TLS certificate and, for
        // BFT, its signing certificate, from the Secrets `fabgen crypto` writes.
        for channel in &network.channels {
            let job = generated
                .rendered
                .objects
                .values()
                .find(|o| o.kind == "Job" && o.name.starts_with(&format!("{}-", channel.orderer_jobs[0].job)))
                .expect("a create Job")
                .to_json()
                .unwrap();
            let pod = &job["spec"]["template"]["spec"];
            let consenters = channel
                .ordering
                .iter()
                .flat_map(|n| &network.orderer_orgs.iter().find(|o| &o.name == n).unwrap().orderers);
            for o in consenters {
                let volume = format!("consenter-{}", o.name);
                let mount = pod["containers"][0]["volumeMounts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|m| m["name"] == volume.as_str())
                    .unwrap();
                assert_eq!(mount["mountPath"], format!("/var/fabgen/consenters/{}", o.name));
                let volume = pod["volumes"].as_array().unwrap().iter().find(|v| v["name"] == volume.as_str()).unwrap();
                let mut files: Vec<(String, String, String)> = Vec::new();
                let mut collect = |secret: &serde_json::Value, name: &serde_json::Value| {
                    for item in secret["items"].as_array().unwrap() {
                        files.push((
                            name.as_str().unwrap().into(),
                            item["key"].as_str().unwrap().into(),
                            item["path"].as_str().unwrap().into(),
                        ));
                    }
                };
                if let Some(sources) = volume["projected"]["sources"].as_array() {
                    for source in sources {
                        collect(&source["secret"], &source["secret"]["name"]);
                    }
                } else {
                    collect(&volume["secret"], &volume["secret"]["secretName"]);
                }
                let mut want = vec![(format!("{}-tls", o.name), "tls.crt".to_string(), "tls.crt".to_string())];
                if bft {
                    want.push((format!("{}-msp", o.name), "cert.pem".into(), "cert.pem".into()));
                }
                assert_eq!(files, want, "{} {}", example.display(), o.name);
            }
        }
    }
    assert!(checked >= 7, "examples with channels: {checked}");
}
