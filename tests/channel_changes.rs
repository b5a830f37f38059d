//! On every example, the spec changes that change a running channel's configuration (a new
//! member, a member leaving, another orderer, other anchor peers) are each told as the change
//! of the configuration element Fabric keeps them in, with the signatures its policy needs,
//! and each but the anchor peers gives the channel a new update Job wanting it (anchor peers
//! are the join Jobs'); and what the configtx ConfigMap records reads back from the tree.

mod common;

use fabgen::model::channel_record::{changes, records};
use fabgen::render::TemplateSet;
use serde_yaml::Value;

fn said(before: &Value, after: &Value) -> Option<Vec<String>> {
    let network = |v: &Value| {
        let spec = fabgen::spec::load_spec("n.yaml", &serde_yaml::to_string(v).unwrap()).ok()?;
        Some(fabgen::generate(&spec, &TemplateSet::embedded()).unwrap().network)
    };
    Some(changes(&records(&network(before)?), &records(&network(after)?)).into_iter().map(|c| c.text).collect())
}

/// What the first channel's update Job wants of it and who signs, in the whole-network render.
fn update_of(spec: &Value) -> (String, Vec<String>) {
    let spec = fabgen::spec::load_spec("n.yaml", &serde_yaml::to_string(spec).unwrap()).unwrap();
    let network = fabgen::generate(&spec, &TemplateSet::embedded()).unwrap().network;
    let update = network.channels[0].update.as_ref().expect("every channel has an update Job");
    (update.wanted.clone(), update.signers.iter().map(|s| s.org.clone()).collect())
}

fn load(path: &std::path::Path) -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The first channel's name and first member.
fn first_channel(spec: &Value) -> Option<(String, String)> {
    let channel = spec["channels"].as_sequence()?.first()?;
    Some((channel["name"].as_str()?.to_string(), channel["orgs"][0].as_str()?.to_string()))
}

/// A copied node without the external name and node port that are its original's alone.
fn without_node_addresses(node: &mut Value) {
    if let Some(map) = node.as_mapping_mut() {
        map.remove("externalName");
        map.remove("nodePort");
    }
}

fn org<'a>(spec: &'a mut Value, name: &str) -> &'a mut Value {
    spec["orgs"].as_sequence_mut().unwrap().iter_mut().find(|o| o["name"].as_str() == Some(name)).unwrap()
}

#[test]
fn anchor_peers_change_with_a_new_peer_and_need_only_its_org() {
    let mut told = 0;
    for path in common::examples() {
        let before = load(&path);
        let Some((channel, member)) = first_channel(&before) else { continue };
        let mut after = before.clone();
        let peers = org(&mut after, &member)["peers"].as_sequence_mut().unwrap();
        let mut peer = peers[0].clone();
        peer["name"] = Value::from("peer9");
        without_node_addresses(&mut peer);
        peers.push(peer);
        let Some(lines) = said(&before, &after) else { continue };
        let prefix = format!("{channel}: {member}'s anchor peers ");
        let line =
            lines.iter().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("{}: {lines:#?}", path.display()));
        assert!(
            line.contains("/AnchorPeers (needs ")
                && line.ends_with(&format!("Admins: {member}'s admin signature; its join Job makes it)")),
            "{line}"
        );
        assert!(line.contains(&format!("peer9-{member}")), "{line}");
        assert_eq!(update_of(&before), update_of(&after), "anchor peers are the join Job's: no new update Job");
        told += 1;
    }
    assert!(told >= 6, "{told} examples");
}

#[test]
fn a_new_member_needs_a_majority_of_the_members_admins() {
    let mut told = 0;
    for path in common::examples() {
        let before = load(&path);
        let Some((channel, member)) = first_channel(&before) else { continue };
        let mut after = before.clone();
        let mut new = org(&mut after, &member).clone();
        new["name"] = Value::from("neworg");
        new["mspId"] = Value::from("NewOrgMSP");
        if let Some(map) = new.as_mapping_mut() {
            map.remove("namespace");
        }
        new["peers"].as_sequence_mut().unwrap().iter_mut().for_each(without_node_addresses);
        after["orgs"].as_sequence_mut().unwrap().push(new);
        after["channels"][0]["orgs"].as_sequence_mut().unwrap().push(Value::from("neworg"));
        let Some(lines) = said(&before, &after) else { continue };
        let members = before["channels"][0]["orgs"].as_sequence().unwrap().len();
        let expected = format!(
            "{channel}: neworg (NewOrgMSP) joins: /Channel/Application (needs /Channel/Application Admins: {} of {members} admin signatures (",
            members / 2 + 1
        );
        assert!(lines.iter().any(|l| l.starts_with(&expected)), "{}: {lines:#?}", path.display());
        // A new update Job (its name digests what it wants), and the new member signs too.
        let (wanted, signers) = update_of(&after);
        assert_ne!(wanted, update_of(&before).0);
        assert!(wanted.contains(" NewOrgMSP") && signers.contains(&"neworg".to_string()), "{wanted} {signers:?}");
        told += 1;
    }
    assert!(told >= 6, "{told} examples");
}

#[test]
fn another_orderer_changes_the_consenters_under_the_ordering_admins() {
    let mut told = 0;
    for path in common::examples() {
        let before = load(&path);
        if first_channel(&before).is_none() {
            continue;
        }
        let mut after = before.clone();
        let ordering =
            if after["ordererOrg"].is_mapping() { &mut after["ordererOrg"] } else { &mut after["ordererOrgs"][0] };
        let orderers = ordering["orderers"].as_sequence_mut().unwrap();
        let mut orderer = orderers[0].clone();
        orderer["name"] = Value::from("orderer9");
        without_node_addresses(&mut orderer);
        orderers.push(orderer);
        let Some(lines) = said(&before, &after) else { continue };
        let consenters = lines
            .iter()
            .find(|l| l.contains(": consenters +[orderer9"))
            .unwrap_or_else(|| panic!("{}: {lines:#?}", path.display()));
        let bft = serde_yaml::to_string(&before).unwrap().contains("consensus: BFT");
        let element = if bft { "/Channel/Orderer/Orderers" } else { "/Channel/Orderer/ConsensusType" };
        assert!(consenters.contains(&format!("-[]: {element} (needs /Channel/Orderer Admins: ")), "{consenters}");
        // SmartBFT's block validation policy names the consenters: it changes with them.
        let validation =
            lines.iter().any(|l| l.contains(" consenter signatures: /Channel/Orderer/BlockValidation (needs "));
        assert_eq!(validation, bft, "{}: {lines:#?}", path.display());
        assert!(
            lines.iter().any(|l| l.contains("'s orderer endpoints ") && l.contains("/Endpoints (needs ")),
            "{lines:#?}"
        );
        let (wanted, _) = update_of(&after);
        assert!(!update_of(&before).0.contains("orderer9") && wanted.contains("orderer9"), "{wanted}");
        told += 1;
    }
    assert!(told >= 6, "{told} examples");
}

#[test]
fn a_member_leaving_is_told_and_the_record_reads_back_from_the_tree() {
    let path = common::root().join("values/multi-org.yaml");
    let before = load(&path);
    let (channel, _) = first_channel(&before).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    let o = common::fabgen().args(["render", path.to_str().unwrap(), "-o", out.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let recorded = fabgen::output::previous::channels(&out).unwrap();
    let spec = fabgen::spec::SpecSource::read(&path).unwrap().load().unwrap();
    assert_eq!(recorded, records(&fabgen::generate(&spec, &TemplateSet::embedded()).unwrap().network));
    assert!(!recorded.is_empty());

    let members = before["channels"][0]["orgs"].as_sequence().unwrap();
    assert!(members.len() >= 3, "multi-org's first channel has three members or more");
    let leaving = members.last().unwrap().as_str().unwrap().to_string();
    let mut after = before.clone();
    after["channels"][0]["orgs"].as_sequence_mut().unwrap().pop();
    if let Some(chaincodes) = after["chaincodes"].as_sequence_mut() {
        chaincodes.retain(|c| c["channel"].as_str() != Some(channel.as_str()) || c["orgs"].is_null());
    }
    let lines = said(&before, &after).expect("the spec stays valid");
    assert!(
        lines.iter().any(|l| l.starts_with(&format!("{channel}: {leaving} ("))
            && l.contains(") leaves: /Channel/Application (needs ")),
        "{lines:#?}"
    );
    // It may have to sign its own removal, so it keeps its signer; the Job no longer wants it.
    let (wanted, signers) = update_of(&after);
    assert!(signers.contains(&leaving), "{signers:?}");
    assert_ne!(wanted, update_of(&before).0);
    assert!(
        !wanted.contains(&format!(" {}", org(&mut after.clone(), &leaving)["mspId"].as_str().unwrap())),
        "{wanted}"
    );
}
