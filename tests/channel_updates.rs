//! The channel update Job (templates/channel-update.yaml, jobs/channel-update-*.sh), exactly as
//! rendered, run under dash against the recording stand-ins (tests/standins/, flags as the real
//! CLIs define them, cited there): a member joins and one leaves, signed by the admins whose
//! MAJORITY the changed group asks, each in its own container; a missing signature is named
//! and nothing is sent; an orderer joins as a follower and becomes a consenter only once every
//! orderer is active; a BFT consenter set changes with its BlockValidation and keeps the
//! remaining consenters' IDs; a release upgrade leaves capabilities alone; a second run that
//! does nothing; and in a consortium, the creator's part proposing, waiting for the update the
//! others signed offline, refusing a stale one and naming who is missing.

mod common;
#[allow(dead_code)]
#[path = "common/jobs.rs"]
mod jobs;

use jobs::*;
use serde_json::{Value, json};

const SPEC: &str = r#"
name: chan
namespace: chan
ordererOrg: {name: ord, mspId: OrdMSP, orderers: [{name: orderer0}, {name: orderer1}, {name: orderer2}]}
orgs:
  - {name: org1, mspId: Org1MSP, peers: [{name: peer0}]}
  - {name: org2, mspId: Org2MSP, peers: [{name: peer0}]}
  - {name: org3, mspId: Org3MSP, peers: [{name: peer0}]}
channels:
  - {name: ab, orgs: [org1, org2]}
"#;

/// Runs `net`'s channel create Job, which must succeed: it puts the channel on every orderer
/// that lacks it (a new one joins as a follower, with the channel's genesis block).
fn create(world: &World, net: &Net) {
    let (ok, out) = world.run(&net.jobs["channel-ab-create"], &[]);
    assert!(ok, "channel-ab-create:\n{out}");
}

/// The world after every Job of `net` ran once.
fn running(net: &Net) -> World {
    let world = World::new(net);
    create(&world, net);
    for (name, job) in net.jobs.iter().filter(|(n, _)| *n != "channel-ab-create") {
        let (ok, out) = world.run(job, &[]);
        assert!(ok, "{name}:\n{out}");
    }
    world.clear_log();
    // Forget who signed the anchor peer updates of the joins.
    let _ = std::fs::remove_file(world.state().join("signers-ab"));
    world
}

/// The same world, now mounting what `net` renders.
fn moved_to(world: World, net: &Net) -> World {
    World { config_maps: net.config_maps.clone(), ..world }
}

fn config(world: &World) -> Value {
    serde_json::from_str(&std::fs::read_to_string(world.state().join("config-ab.json")).unwrap()).unwrap()
}

fn signers(world: &World) -> Vec<String> {
    std::fs::read_to_string(world.state().join("signers-ab")).unwrap_or_default().lines().map(str::to_string).collect()
}

fn members(config: &Value) -> Vec<String> {
    config["channel_group"]["groups"]["Application"]["groups"].as_object().unwrap().keys().cloned().collect()
}

/// Each log line as its tool and verb.
fn steps(world: &World) -> Vec<String> {
    world.log().iter().map(|l| tool_and_verb(l)).collect()
}

/// What `propose` does when the channel differs: fetch and decode the live config, make and
/// decode the spec's block, then the config update's steps.
fn propose_steps() -> Vec<&'static str> {
    let mut steps =
        vec!["peer channel fetch", "configtxlator proto_decode", "configtxgen", "configtxlator proto_decode"];
    steps.extend(COMPUTE_UPDATE);
    steps
}

/// The update Job's pod, run once: (success, output).
fn update(world: &World, net: &Net) -> (bool, String) {
    world.run(&net.jobs["channel-ab-update"], &[("WAIT_SECONDS", "0")])
}

#[test]
fn a_new_member_is_added_signed_by_the_members_each_with_its_own_admin_then_joins() {
    let net = render_spec(SPEC);
    let world = running(&net);
    let before = config(&world);
    assert!(before["channel_group"]["groups"]["Application"]["groups"]["Org1MSP"]["values"]["AnchorPeers"].is_object());

    let joined = render_spec(&SPEC.replace("orgs: [org1, org2]}", "orgs: [org1, org2, org3]}"));
    let job = &joined.jobs["channel-ab-update"];
    let wanted = |job: &Job| job.init[0].1.env["WANTED"].clone();
    assert_ne!(wanted(job), wanted(&net.jobs["channel-ab-update"]), "a new Job for a new config");
    assert_eq!(
        wanted(job),
        "members Org1MSP Org2MSP Org3MSP; ordering OrdMSP; consenters orderer0.chan:7050 orderer1.chan:7050 orderer2.chan:7050"
    );
    let names: Vec<&str> = job.init.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["propose", "sign-org1", "sign-org2", "sign-org3"]);
    // Each signer mounts its own admin MSP and no other.
    for (name, container) in &job.init[1..] {
        let org = name.strip_prefix("sign-").unwrap();
        let secrets: Vec<&str> =
            container.mounts.iter().filter_map(|(_, v)| v.pointer("/secret/secretName")?.as_str()).collect();
        assert_eq!(secrets, [format!("{org}-admin-msp")], "{name}");
    }
    let world = moved_to(world, &joined);
    let (ok, out) = update(&world, &joined);
    assert!(ok, "{out}");
    let mut expected = propose_steps();
    // org1 and org2 sign; org3 is no member yet, so no Admins policy counts it.
    expected.extend(["peer channel signconfigtx", "peer channel signconfigtx"]);
    expected.extend(["configtxlator proto_decode", "peer channel update"]);
    assert_eq!(steps(&world), expected, "{out}");
    assert!(out.contains("Org3MSP: no group the update changes counts this organisation's admin"), "{out}");
    assert_eq!(signers(&world), ["Org1MSP Org2MSP OrdMSP"]);
    let after = config(&world);
    assert_eq!(members(&after), ["Org1MSP", "Org2MSP", "Org3MSP"]);
    let apps = &after["channel_group"]["groups"]["Application"]["groups"];
    assert_eq!(apps["Org1MSP"], before["channel_group"]["groups"]["Application"]["groups"]["Org1MSP"], "kept");
    let sent = world.log().into_iter().find(|l| l.starts_with("peer channel update")).unwrap();
    assert!(sent.contains(" -c ab -o orderer0.chan:7050 --tls --cafile "), "{sent}");

    // org3's join Job now finds the channel; a second update run does nothing.
    let (ok, out) = world.run(&joined.jobs["channel-ab-join-org3"], &[]);
    assert!(ok, "{out}");
    world.clear_log();
    let (ok, out) = update(&world, &joined);
    assert!(ok, "{out}");
    assert_eq!(
        steps(&world),
        ["peer channel fetch", "configtxlator proto_decode", "configtxgen", "configtxlator proto_decode"]
    );
    assert!(out.contains("the channel is as the spec says; nothing to do"), "{out}");
    assert!(out.contains("nothing to sign") && out.contains("nothing to submit"), "{out}");
}

#[test]
fn a_member_that_leaves_is_removed_with_a_majority_of_the_admins() {
    let three = SPEC.replace("orgs: [org1, org2]}", "orgs: [org1, org2, org3]}");
    let net = render_spec(&three);
    let world = running(&net);
    let left = render_spec(SPEC);
    assert!(!left.jobs.contains_key("channel-ab-join-org3"), "its Job is pruned");
    let world = moved_to(world, &left);
    let (ok, out) = update(&world, &left);
    assert!(ok, "{out}");
    assert_eq!(members(&config(&world)), ["Org1MSP", "Org2MSP"]);
    // All three members' admins sign (org3 too: every peer organisation of the network may
    // sign); 2 of 3 was enough.
    assert_eq!(signers(&world), ["Org1MSP Org2MSP Org3MSP OrdMSP"]);
}

#[test]
fn a_member_of_two_signs_its_own_removal() {
    // MAJORITY of two is two: org2, still in the network, signs that it leaves.
    let net = render_spec(SPEC);
    let world = running(&net);
    let left = render_spec(&SPEC.replace("orgs: [org1, org2]}", "orgs: [org1]}"));
    let world = moved_to(world, &left);
    let (ok, out) = update(&world, &left);
    assert!(ok, "{out}");
    assert_eq!(members(&config(&world)), ["Org1MSP"]);
    assert_eq!(signers(&world), ["Org1MSP Org2MSP OrdMSP"]);
    assert!(out.contains("Org3MSP: no group the update changes counts this organisation's admin"), "{out}");
}

#[test]
fn missing_admin_signatures_are_named_and_nothing_is_sent() {
    // org2 leaves the channel and the network at once: of its channel's two members, only
    // org1's admin is left to sign, and MAJORITY of two is two.
    let net = render_spec(SPEC);
    let world = running(&net);
    let gone = render_spec(
        &SPEC
            .replace("  - {name: org2, mspId: Org2MSP, peers: [{name: peer0}]}\n", "")
            .replace("[org1, org2]", "[org1]"),
    );
    let world = moved_to(world, &gone);
    let (ok, out) = update(&world, &gone);
    assert!(!ok);
    assert!(
        out.contains("not enough admin signatures; /Channel/Application Admins needs 2 of Org1MSP Org2MSP, has 1; missing: Org2MSP"),
        "{out}"
    );
    assert!(!world.log().iter().any(|l| l.starts_with("peer channel update")), "nothing is sent");
    assert_eq!(members(&config(&world)), ["Org1MSP", "Org2MSP"]);
}

#[test]
fn an_orderer_becomes_a_consenter_only_once_every_orderer_is_active() {
    let net = render_spec(SPEC);
    let world = running(&net);
    let grown = render_spec(&SPEC.replace("{name: orderer2}]", "{name: orderer2}, {name: orderer3}]"));
    let world = moved_to(world, &grown);
    // The create Job joins the new orderer as a follower with the channel's genesis block.
    create(&world, &grown);
    assert!(world.state().join("orderer-orderer3.chan-ab").exists());
    // Still catching up: no consenter change.
    std::fs::write(world.state().join("onboarding-orderer3.chan"), "").unwrap();
    world.clear_log();
    let (ok, out) = update(&world, &grown);
    assert!(!ok);
    assert!(out.contains("orderer orderer3.chan:7053 is not active on the channel (onboarding)"), "{out}");
    assert!(!world.log().iter().any(|l| l.starts_with("peer channel update")));
    // Caught up: the consenters and the ordering organisation's endpoints change, signed by the
    // ordering organisation's admin (the submitter) alone.
    std::fs::remove_file(world.state().join("onboarding-orderer3.chan")).unwrap();
    let (ok, out) = update(&world, &grown);
    assert!(ok, "{out}");
    let orderer = &config(&world)["channel_group"]["groups"]["Orderer"];
    let hosts: Vec<&str> = orderer["values"]["ConsensusType"]["value"]["metadata"]["consenters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["host"].as_str().unwrap())
        .collect();
    assert_eq!(hosts, ["orderer0.chan", "orderer1.chan", "orderer2.chan", "orderer3.chan"]);
    assert_eq!(orderer["groups"]["OrdMSP"]["values"]["Endpoints"]["value"]["addresses"][3], "orderer3.chan:7050");
    assert_eq!(signers(&world), ["OrdMSP"]);
}

#[test]
fn raft_consenters_change_one_per_update_each_pod_going_on() {
    let net = render_spec(SPEC);
    let world = running(&net);
    // Two orderers at once, and orderer0 replaced: etcdraft takes one added and one removed per
    // update.
    let grown = render_spec(&SPEC.replace(
        "{name: orderer0}, {name: orderer1}, {name: orderer2}]",
        "{name: orderer1}, {name: orderer2}, {name: orderer3}, {name: orderer4}]",
    ));
    let world = moved_to(world, &grown);
    create(&world, &grown);
    let hosts = |world: &World| -> Vec<String> {
        config(world)["channel_group"]["groups"]["Orderer"]["values"]["ConsensusType"]["value"]["metadata"]["consenters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["host"].as_str().unwrap().trim_end_matches(".chan").to_string())
            .collect()
    };
    let (ok, out) = update(&world, &grown);
    assert!(!ok && out.contains("more consenters to change, one per update: the Job's next pod goes on"), "{out}");
    assert_eq!(hosts(&world), ["orderer1", "orderer2", "orderer3"], "orderer0 out, orderer3 in");
    let (ok, out) = update(&world, &grown);
    assert!(ok, "{out}");
    assert_eq!(hosts(&world), ["orderer1", "orderer2", "orderer3", "orderer4"]);
    world.clear_log();
    let (ok, out) = update(&world, &grown);
    assert!(ok && out.contains("nothing to do"), "{out}");
    assert_eq!(signers(&world).len(), 2, "two updates");
}

const BFT: &str = r#"
name: chan
namespace: chan
fabric: {version: "3.1.1", toolsImage: {repository: registry.example.com/tools, tag: "3.1.1"}}
ordererOrg: {name: ord, mspId: OrdMSP, consensus: BFT, orderers: [{name: orderer0}, {name: orderer1}, {name: orderer2}, {name: orderer3}, {name: orderer4}]}
orgs:
  - {name: org1, mspId: Org1MSP, peers: [{name: peer0}]}
channels:
  - {name: ab, orgs: [org1]}
"#;

fn mapping(world: &World) -> Vec<(String, u64)> {
    config(world)["channel_group"]["groups"]["Orderer"]["values"]["Orderers"]["value"]["consenter_mapping"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["host"].as_str().unwrap().to_string(), c["id"].as_u64().unwrap()))
        .collect()
}

fn block_validation_n(world: &World) -> Value {
    config(world)["channel_group"]["groups"]["Orderer"]["policies"]["BlockValidation"]["policy"]["value"]["rule"]["n_out_of"]
        ["n"]
        .clone()
}

#[test]
fn a_bft_consenter_set_changes_with_its_block_validation_and_keeps_each_consenters_id() {
    let net = render_spec(BFT);
    let world = running(&net);
    assert_eq!(block_validation_n(&world), json!(4), "5 consenters: f = 1, ⌈7/2⌉");
    // orderer1 leaves: the spec's positions move orderer2..4 to IDs 2..4, but a SmartBFT node
    // keeps its ID.
    let shrunk = render_spec(&BFT.replace("{name: orderer1}, ", ""));
    let world = moved_to(world, &shrunk);
    let (ok, out) = update(&world, &shrunk);
    assert!(ok, "{out}");
    let ids = |pairs: Vec<(String, u64)>| pairs.into_iter().map(|(h, id)| format!("{h}={id}")).collect::<Vec<_>>();
    assert_eq!(ids(mapping(&world)), ["orderer0.chan=1", "orderer2.chan=3", "orderer3.chan=4", "orderer4.chan=5"]);
    assert_eq!(block_validation_n(&world), json!(3), "4 consenters: f = 1, ⌈6/2⌉");
    // A new orderer gets the next ID after the highest one in use.
    let grown = render_spec(
        &BFT.replace("{name: orderer1}, ", "").replace("{name: orderer4}]", "{name: orderer4}, {name: orderer5}]"),
    );
    let world = moved_to(world, &grown);
    create(&world, &grown);
    let (ok, out) = update(&world, &grown);
    assert!(ok, "{out}");
    assert_eq!(
        ids(mapping(&world)),
        ["orderer0.chan=1", "orderer2.chan=3", "orderer3.chan=4", "orderer4.chan=5", "orderer5.chan=6"]
    );
    assert_eq!(block_validation_n(&world), json!(4));
}

#[test]
fn a_release_upgrade_leaves_the_capabilities_as_they_are() {
    // Nodes first, capabilities after, by hand: the Job runs while the nodes roll, and a node
    // whose release lacks a capability stops processing the channel.
    let net = render_spec(SPEC);
    let world = running(&net);
    let before = config(&world);
    assert_eq!(before["channel_group"]["values"]["Capabilities"]["value"], json!({"capabilities": {"V2_0": {}}}));
    let upgraded = render_spec(&SPEC.replace(
        "namespace: chan\n",
        "namespace: chan\nfabric: {version: \"3.1.1\", toolsImage: {repository: registry.example.com/tools, tag: \"3.1.1\"}}\n",
    ));
    let wanted = |net: &Net| net.jobs["channel-ab-update"].init[0].1.env["WANTED"].clone();
    assert_eq!(wanted(&upgraded), wanted(&net), "the Job wants no capability");
    let world = moved_to(world, &upgraded);
    let (ok, out) = update(&world, &upgraded);
    assert!(ok, "{out}");
    assert!(out.contains("the channel is as the spec says; nothing to do"), "{out}");
    assert_eq!(config(&world), before);
    assert!(signers(&world).is_empty());
}

/// The public cards of every organisation of SPEC, made as each party makes its own.
fn cards_of(dir: &std::path::Path) -> std::path::PathBuf {
    let spec_file = dir.join("chan.yaml");
    std::fs::write(&spec_file, SPEC).unwrap();
    common::cards(&spec_file, &["ord", "org1", "org2", "org3"], dir)
}

fn render_part_net(spec: &fabgen::spec::NetworkSpec, org: &str, cards: &std::path::Path) -> Net {
    net_of(fabgen::generate_part(spec, &fabgen::render::TemplateSet::embedded(), org, cards).unwrap())
}

/// The update between propose's BEGIN and END lines, decoded (JSON in the stand-ins' world).
fn proposed(out: &str) -> Value {
    let text: String = out
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN FABGEN CHANNEL UPDATE ab-----"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END FABGEN CHANNEL UPDATE ab-----"))
        .collect();
    use base64::Engine;
    serde_json::from_slice(&base64::engine::general_purpose::STANDARD.decode(text).unwrap()).unwrap()
}

/// The envelope `fabgen channel envelope` makes of `update` signed by `msps` (stand-ins' JSON).
fn signed_by(update: &Value, msps: &[&str]) -> Vec<u8> {
    let signatures: Vec<Value> =
        msps.iter().map(|m| json!({"signature_header": {"creator": {"mspid": m}}, "signature": "s"})).collect();
    let envelope = json!({"payload": {"header": {"channel_header": {"channel_id": "ab", "type": 2}},
        "data": {"config_update": update, "signatures": signatures}}});
    serde_json::to_vec(&envelope).unwrap()
}

#[test]
fn in_a_consortium_the_creators_part_proposes_waits_for_the_signed_update_and_submits_it() {
    let dir = tempfile::tempdir().unwrap();
    let cards = cards_of(dir.path());
    let two = fabgen::spec::load_spec("chan.yaml", SPEC).unwrap();
    // Only the channel's creator's part has the Job, and no other organisation's admin in it.
    let ord = render_part_net(&two, "ord", &cards);
    assert!(!render_part_net(&two, "org1", &cards).jobs.contains_key("channel-ab-update"));
    let job = &ord.jobs["channel-ab-update"];
    assert_eq!(job.init.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["propose"]);
    assert_eq!(job.env["SIGNED_UPDATES"], "chan-signed-updates");

    let mut world = World::new(&ord);
    create(&world, &ord);
    // A running channel as the parts made it: org1's and org2's joins ran in their clusters.
    let three = SPEC.replace("orgs: [org1, org2]}", "orgs: [org1, org2, org3]}");
    let joined = render_part_net(&fabgen::spec::load_spec("chan.yaml", &three).unwrap(), "ord", &cards);
    world.config_maps = joined.config_maps.clone();
    let update_job = &joined.jobs["channel-ab-update"];
    let quick = [("WAIT_SECONDS", "0")];

    // Nothing signed yet: it says what to sign and by whom, and sends nothing.
    let (ok, out) = world.run(update_job, &quick);
    assert!(!ok);
    assert!(out.contains("the update to sign, for Org1MSP Org2MSP"), "{out}");
    assert!(
        out.contains("waiting for ab.tx in ConfigMap chan-signed-updates: the update signed by Org1MSP Org2MSP"),
        "{out}"
    );
    let update = proposed(&out);
    assert_eq!(update["channel_id"], "ab");
    assert!(!world.log().iter().any(|l| l.starts_with("peer channel update")));

    // Half signed: it names who is missing.
    world
        .config_maps
        .insert("chan-signed-updates".into(), [("ab.tx".to_string(), signed_by(&update, &["Org1MSP"]))].into());
    let (ok, out) = world.run(update_job, &quick);
    assert!(!ok && out.contains("not enough admin signatures on ab.tx; /Channel/Application Admins needs 2 of Org1MSP Org2MSP, has 1; missing: Org2MSP"), "{out}");
    // Signed for another update than the channel needs now: refused.
    let mut stale = update.clone();
    stale["write_set"]["stale"] = json!(true);
    world.config_maps.insert(
        "chan-signed-updates".into(),
        [("ab.tx".to_string(), signed_by(&stale, &["Org1MSP", "Org2MSP"]))].into(),
    );
    let (ok, out) = world.run(update_job, &quick);
    assert!(!ok && out.contains("is not the update the channel needs now"), "{out}");
    // Both signatures: sent, and org3 is a member.
    world.config_maps.insert(
        "chan-signed-updates".into(),
        [("ab.tx".to_string(), signed_by(&update, &["Org1MSP", "Org2MSP"]))].into(),
    );
    let (ok, out) = world.run(update_job, &quick);
    assert!(ok, "{out}");
    assert_eq!(members(&config(&world)), ["Org1MSP", "Org2MSP", "Org3MSP"]);
    assert_eq!(signers(&world), ["Org1MSP Org2MSP OrdMSP"]);
    // Applied: the next run does nothing, whatever the ConfigMap holds.
    let (ok, out) = world.run(update_job, &quick);
    assert!(ok && out.contains("nothing to do"), "{out}");
}
