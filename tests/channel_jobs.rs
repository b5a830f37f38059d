//! The bootstrap Jobs' scripts (channel create and join, anchor peers, chaincode lifecycle),
//! exactly as rendered (command, env and mounts of each Job), run under dash against recording
//! stand-ins for `osnadmin`, `configtxgen`, `configtxlator` and `peer` (tests/standins/, whose
//! argument checks follow the real CLIs' flag definitions, cited there). Each run sees only
//! what its Job mounts: ConfigMap items with the rendered content, Secret items as
//! placeholders. Covered: the invocation order, a second run that changes nothing, an orderer
//! that is not up yet, an orderer added to a channel that exists, bounded waits that give up,
//! a new definition after a sequence bump, and a channel served by two ordering organisations
//! (the creator's block, checked and joined by the other; a forged block refused). Scripts are
//! shellcheck-clean.

mod common;
#[path = "common/jobs.rs"]
mod jobs;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use jobs::*;

const SPEC: &str = r#"
name: chan
namespace: chan
ordererOrg: {name: ord, mspId: OrdMSP, orderers: [{name: orderer0}, {name: orderer1}]}
orgs:
  - {name: org1, mspId: Org1MSP, peers: [{name: peer0}, {name: peer1}]}
  - {name: org2, mspId: Org2MSP, peers: [{name: peer0}]}
channels:
  - {name: ab, orgs: [org1, org2]}
"#;

fn render() -> Net {
    render_spec(SPEC)
}

/// What the update Job does when the channel is as the spec says: fetch and decode the live
/// config, make and decode the spec's block, and nothing more.
const UPDATE_LOOKS: [&str; 4] =
    ["peer channel fetch", "configtxlator proto_decode", "configtxgen", "configtxlator proto_decode"];

fn run_all(world: &World, net: &Net) {
    for name in ["channel-ab-create", "channel-ab-join-org1", "channel-ab-join-org2", "channel-ab-update"] {
        let (ok, out) = world.run(&net.jobs[name], &[]);
        assert!(ok, "{name}:\n{out}");
    }
}

#[test]
fn a_fresh_network_gets_its_channel_in_order_and_a_second_run_changes_nothing() {
    let net = render();
    assert_eq!(net.jobs.len(), 4, "{:?}", net.jobs.keys());
    let world = World::new(&net);
    run_all(&world, &net);
    let log: Vec<String> = world.log().iter().map(|l| tool_and_verb(l)).collect();
    // The anchor peer update: fetch the config, decode, edit, encode both, diff, wrap, send.
    let anchors: Vec<&str> = ["peer channel fetch", "configtxlator proto_decode"]
        .into_iter()
        .chain(COMPUTE_UPDATE)
        .chain(["peer channel update"])
        .collect();
    let mut expected = vec![
        "osnadmin channel list",
        "osnadmin channel list",
        "configtxgen",
        "osnadmin channel join",
        "osnadmin channel join",
        // org1: two peers, the block fetched once, then its anchor peers.
        "peer channel list",
        "peer channel fetch",
        "peer channel join",
        "peer channel list",
        "peer channel join",
    ];
    expected.extend(&anchors);
    // org2: one peer.
    expected.extend(["peer channel list", "peer channel fetch", "peer channel join"]);
    expected.extend(&anchors);
    // The update Job finds the channel as the spec says: it looks and sends nothing.
    expected.extend(UPDATE_LOOKS);
    assert_eq!(log, expected, "{:#?}", world.log());
    // Every orderer and peer holds the one genesis block configtxgen made.
    let state = world.state();
    let block = std::fs::read_to_string(state.join("orderer-orderer0.chan-ab")).unwrap();
    for holder in [
        "orderer-orderer1.chan-ab",
        "peer-peer0-org1.chan:7051-ab",
        "peer-peer1-org1.chan:7051-ab",
        "peer-peer0-org2.chan:7051-ab",
    ] {
        assert_eq!(std::fs::read_to_string(state.join(holder)).unwrap(), block, "{holder}");
    }
    // The channel config names every peer of each org as its anchor peers.
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("config-ab.json")).unwrap()).unwrap();
    let orgs = &config["channel_group"]["groups"]["Application"]["groups"];
    assert_eq!(
        orgs["Org1MSP"]["values"]["AnchorPeers"]["value"]["anchor_peers"],
        serde_json::json!([{"host": "peer0-org1.chan", "port": 7051}, {"host": "peer1-org1.chan", "port": 7051}])
    );
    assert_eq!(orgs["Org1MSP"]["values"]["AnchorPeers"]["mod_policy"], "Admins");
    assert_eq!(
        orgs["Org2MSP"]["values"]["AnchorPeers"]["value"]["anchor_peers"],
        serde_json::json!([{"host": "peer0-org2.chan", "port": 7051}])
    );
    let update = world.log().into_iter().find(|l| l.starts_with("configtxlator compute_update")).unwrap();
    assert!(update.contains("--channel_id ab --original "), "{update}");
    let configtxgen = world.log().into_iter().find(|l| l.starts_with("configtxgen")).unwrap();
    assert!(configtxgen.contains("-profile ab -channelID ab -outputBlock "), "{configtxgen}");

    world.clear_log();
    run_all(&world, &net);
    let again = world.log();
    let looks = [
        "osnadmin channel list",
        "peer channel list",
        "peer channel fetch config",
        "configtxlator proto_decode",
        "configtxgen",
    ];
    assert!(again.iter().all(|l| looks.iter().any(|p| l.starts_with(p))), "a second run only looks: {again:#?}");
    assert_eq!(again.iter().filter(|l| l.starts_with("peer channel fetch config")).count(), 3, "{again:#?}");
    assert_eq!(std::fs::read_to_string(state.join("orderer-orderer0.chan-ab")).unwrap(), block);
}

/// A SmartBFT channel is made as a Raft one: configtxgen (which, in the stand-in as in the real
/// CLI, loads every certificate the ConsenterMapping names, so each must be mounted where it
/// points), then `osnadmin channel join` on all four orderers.
#[test]
fn a_bft_channel_is_created_on_every_orderer_with_each_consenters_certificates_mounted() {
    let spec = SPEC
        .replace("name: chan\n", "name: chan\nfabric: {version: \"3.1.1\", toolsImage: {repository: registry.example.com/tools, tag: \"3.1.1\"}}\n")
        .replace(
            "orderers: [{name: orderer0}, {name: orderer1}]",
            "consensus: BFT, orderers: [{name: orderer0}, {name: orderer1}, {name: orderer2}, {name: orderer3}]",
        );
    let net = render_spec(&spec);
    let world = World::new(&net);
    let (ok, out) = world.run(&net.jobs["channel-ab-create"], &[]);
    assert!(ok, "{out}");
    let log: Vec<String> = world.log().iter().map(|l| tool_and_verb(l)).collect();
    let mut expected = vec!["osnadmin channel list"; 4];
    expected.push("configtxgen");
    expected.extend(["osnadmin channel join"; 4]);
    assert_eq!(log, expected, "{:#?}", world.log());
    // Without the signing certificates configtxgen cannot load the identities.
    let mut without = net.jobs["channel-ab-create"].mounts.clone();
    for (_, volume) in &mut without {
        if let Some(sources) = volume.pointer_mut("/projected/sources").and_then(|s| s.as_array_mut()) {
            sources.retain(|s| !s["secret"]["name"].as_str().unwrap().ends_with("-msp"));
        }
    }
    let fresh = World::new(&net);
    let job = Job {
        script: net.jobs["channel-ab-create"].script.clone(),
        env: net.jobs["channel-ab-create"].env.clone(),
        mounts: without,
        init: Vec::new(),
    };
    let (ok, out) = fresh.run(&job, &[]);
    assert!(!ok && out.contains("cannot load /var/fabgen/consenters/orderer0/cert.pem"), "{out}");
}

#[test]
fn an_orderer_that_is_not_up_yet_is_waited_for_within_the_deadline() {
    let net = render();
    let world = World::new(&net);
    world.set_down("orderer1.chan:7053", 3);
    let (ok, out) = world.run(&net.jobs["channel-ab-create"], &[]);
    assert!(ok, "{out}");
    let lists = world.log().iter().filter(|l| l.contains("list -o orderer1.chan:7053")).count();
    assert_eq!(lists, 4, "three refusals, then the answer: {:#?}", world.log());
    assert!(world.state().join("orderer-orderer1.chan-ab").is_file());

    // Never up: the Job gives up at its deadline instead of hanging.
    let world = World::new(&net);
    world.set_down("orderer0.chan:7053", 1_000_000);
    let (ok, out) = world.run(&net.jobs["channel-ab-create"], &[("WAIT_SECONDS", "1"), ("RETRY_SECONDS", "0.2")]);
    assert!(!ok);
    assert!(out.contains("gave up after 1s") && out.contains("orderer0.chan:7053 unreachable"), "{out}");
    assert!(!world.log().iter().any(|l| l.starts_with("configtxgen")), "nothing created");
}

#[test]
fn an_orderer_added_later_joins_with_the_channels_own_genesis_block() {
    let net = render();
    let world = World::new(&net);
    // orderer0 has the channel already (made earlier); orderer1 is new.
    std::fs::write(world.state().join("orderer-orderer0.chan-ab"), "genesis ab\nmade long-ago\n").unwrap();
    let (ok, out) = world.run(&net.jobs["channel-ab-create"], &[]);
    assert!(ok, "{out}");
    assert!(!world.log().iter().any(|l| l.starts_with("configtxgen")), "no new channel: {:#?}", world.log());
    let fetch = world.log().into_iter().find(|l| l.starts_with("peer channel fetch")).unwrap();
    assert!(fetch.contains("-o orderer0.chan:7050") && fetch.contains("--tls --cafile "), "{fetch}");
    assert_eq!(
        std::fs::read_to_string(world.state().join("orderer-orderer1.chan-ab")).unwrap(),
        "genesis ab\nmade long-ago\n"
    );
}

#[test]
fn peers_wait_for_the_channel_and_for_themselves_within_the_deadline() {
    let net = render();
    let world = World::new(&net);
    // The channel does not exist yet: the join Job waits, then gives up.
    let (ok, out) = world.run(&net.jobs["channel-ab-join-org2"], &[("WAIT_SECONDS", "1"), ("RETRY_SECONDS", "0.2")]);
    assert!(!ok);
    assert!(out.contains("no orderer serves the channel yet"), "{out}");
    // A peer that is still starting is waited for.
    let (ok, out) = world.run(&net.jobs["channel-ab-create"], &[]);
    assert!(ok, "{out}");
    world.set_down("peer0-org2.chan:7051", 2);
    let (ok, out) = world.run(&net.jobs["channel-ab-join-org2"], &[]);
    assert!(ok, "{out}");
    assert!(world.state().join("peer-peer0-org2.chan:7051-ab").is_file());
}

#[test]
fn rendered_job_scripts_are_shellcheck_clean_posix_sh() {
    let mut jobs = render().jobs;
    jobs.extend(render_spec(LIFECYCLE).jobs);
    jobs.extend(render_spec(TWO_ORDERING_ORGS).jobs.into_iter().map(|(name, job)| (format!("two-{name}"), job)));
    assert!(jobs.keys().any(|j| j.contains("-lifecycle-")) && jobs.keys().any(|j| j.contains("-approve-")));
    assert!(jobs.keys().any(|j| j.contains("-orderers-")));
    let containers: Vec<(String, &Job)> = jobs
        .iter()
        .flat_map(|(name, job)| {
            std::iter::once((name.clone(), job))
                .chain(job.init.iter().map(move |(c, init)| (format!("{name}/{c}"), init)))
        })
        .collect();
    assert!(containers.iter().any(|(c, _)| c.ends_with("-update/propose")), "the update Job's steps are checked");
    // The sign-<org> containers run the script `propose` writes from its SIGN_SCRIPT.
    let scripts = containers.iter().flat_map(|(name, job)| {
        std::iter::once((name.clone(), &job.script))
            .chain(job.env.get("SIGN_SCRIPT").map(|script| (format!("{name}/SIGN_SCRIPT"), script)))
    });
    for (name, script) in scripts {
        let dir = tempfile::tempdir().unwrap();
        let file: &Path = &dir.path().join("script.sh");
        std::fs::write(file, script).unwrap();
        let out = Command::new("shellcheck").args(["-s", "sh"]).arg(file).output().unwrap();
        assert!(out.status.success(), "{name}:\n{}", String::from_utf8_lossy(&out.stdout));
    }
}

/// Three members, two of which run the chaincode; org3 only approves. Init, an endorsement
/// policy and a collection exercise every definition flag.
const LIFECYCLE: &str = r#"
name: life
namespace: life
ordererOrg: {name: ord, mspId: OrdMSP, orderers: [{name: orderer0}, {name: orderer1}]}
orgs:
  - {name: org1, mspId: Org1MSP, peers: [{name: peer0}, {name: peer1}]}
  - {name: org2, mspId: Org2MSP, peers: [{name: peer0}]}
  - {name: org3, mspId: Org3MSP, peers: [{name: peer0}]}
channels:
  - {name: ab, orgs: [org1, org2, org3]}
chaincodes:
  - name: basic
    version: "1.0"
    image: example/basic:1.0
    channel: ab
    orgs: [org1, org2]
    initRequired: true
    initArgs: [InitLedger]
    endorsementPolicy: {signaturePolicy: "OR('Org1MSP.peer', 'Org2MSP.peer')"}
    collections: [{name: shared, policy: "OR('Org1MSP.member', 'Org2MSP.member')"}]
"#;

const CHANNEL_JOBS: [&str; 5] =
    ["channel-ab-create", "channel-ab-join-org1", "channel-ab-join-org2", "channel-ab-join-org3", "channel-ab-update"];
/// The committer (org1, the first that runs it) last: in a cluster all run at once, and it waits.
const LIFECYCLE_JOBS: [&str; 3] =
    ["chaincode-basic-lifecycle-org2", "chaincode-basic-approve-org3", "chaincode-basic-lifecycle-org1"];

fn run_jobs(world: &World, net: &Net, names: &[&str]) {
    for name in names {
        let (ok, out) = world.run(&net.jobs[*name], &[]);
        assert!(ok, "{name}:\n{out}");
    }
}

fn position(log: &[String], prefix: &str) -> usize {
    log.iter().position(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no {prefix} in {log:#?}"))
}

fn read(world: &World, file: &str) -> String {
    std::fs::read_to_string(world.state().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn a_fresh_network_gets_channel_then_chaincode_in_order_and_a_second_run_changes_nothing() {
    let net = render_spec(LIFECYCLE);
    let expected: Vec<&str> = CHANNEL_JOBS.iter().chain(LIFECYCLE_JOBS.iter()).copied().collect();
    assert_eq!(
        net.jobs.keys().map(String::as_str).collect::<std::collections::BTreeSet<_>>(),
        expected.iter().copied().collect()
    );
    let world = World::new(&net);
    run_jobs(&world, &net, &CHANNEL_JOBS);
    run_jobs(&world, &net, &LIFECYCLE_JOBS);
    let log = world.log();

    // genesis, orderer joins, peer joins, anchor peers, install, approve, commit, init.
    let order = [
        "configtxgen",
        "osnadmin channel join",
        "peer channel join",
        "peer channel update",
        "peer lifecycle chaincode install",
        "peer lifecycle chaincode approveformyorg",
        "peer lifecycle chaincode commit",
        "peer chaincode invoke",
    ];
    let firsts: Vec<usize> = order.iter().map(|p| position(&log, p)).collect();
    assert!(firsts.windows(2).all(|w| w[0] < w[1]), "{order:?} at {firsts:?}:\n{log:#?}");
    let last_join = log.iter().rposition(|l| l.starts_with("peer channel join")).unwrap();
    assert!(last_join < position(&log, "peer lifecycle chaincode install"), "every peer joins before installing");

    // Installs: each peer of org1 and org2 holds exactly its org's package, whose ID is the one
    // fabgen computed (the stand-in hashes the mounted file as the peer does); org3 none.
    let id = |job: &str| net.jobs[job].env["PACKAGE_ID"].clone();
    for (peer, job) in [
        ("peer0-org1.life:7051", "chaincode-basic-lifecycle-org1"),
        ("peer1-org1.life:7051", "chaincode-basic-lifecycle-org1"),
        ("peer0-org2.life:7051", "chaincode-basic-lifecycle-org2"),
    ] {
        assert_eq!(read(&world, &format!("installed-{peer}")), format!("{}\n", id(job)), "{peer}");
    }
    assert!(!world.state().join("installed-peer0-org3.life:7051").exists());
    assert!(!net.jobs["chaincode-basic-approve-org3"].env.contains_key("PACKAGE_ID"));
    assert_ne!(
        id("chaincode-basic-lifecycle-org1"),
        id("chaincode-basic-lifecycle-org2"),
        "connection.json differs per org"
    );

    // Approvals: all three members, each with its own package (org3 none).
    for (msp, package) in [
        ("Org1MSP", id("chaincode-basic-lifecycle-org1")),
        ("Org2MSP", id("chaincode-basic-lifecycle-org2")),
        ("Org3MSP", String::new()),
    ] {
        let approval = read(&world, &format!("approved-ab-basic-1-{msp}"));
        assert!(approval.ends_with(&format!(" package={package}\n")), "{msp}: {approval}");
        assert!(
            approval.starts_with(
                "version=1.0 init=true signature=OR('Org1MSP.peer', 'Org2MSP.peer') channel-config= collections=[{"
            ),
            "{approval}"
        );
    }
    let commits: Vec<&String> = log.iter().filter(|l| l.starts_with("peer lifecycle chaincode commit")).collect();
    assert_eq!(commits.len(), 1, "committed once, by org1: {commits:#?}");
    for peer in ["peer0-org1.life:7051", "peer0-org2.life:7051", "peer0-org3.life:7051"] {
        assert!(commits[0].contains(&format!("--peerAddresses {peer} --tlsRootCertFiles ")), "{peer}: {}", commits[0]);
    }
    assert!(commits[0].contains("--init-required") && commits[0].contains("--collections-config "), "{}", commits[0]);
    assert_eq!(read(&world, "committed-ab-basic").lines().next(), Some("1"));
    let invoke = &log[position(&log, "peer chaincode invoke")];
    assert!(invoke.contains(r#"--isInit -c {"Args":["InitLedger"]}"#) && invoke.contains("--waitForEvent"), "{invoke}");
    assert!(!invoke.contains("peer0-org3"), "org3 does not run it, so it cannot endorse the init: {invoke}");
    assert_eq!(read(&world, "initialized-ab-basic"), "1.0\n");

    // Again: nothing is installed, approved or committed a second time.
    let before: BTreeMap<String, Vec<u8>> =
        common::read_tree(&world.state()).into_iter().filter(|(f, _)| f != "log").collect();
    world.clear_log();
    run_jobs(&world, &net, &CHANNEL_JOBS);
    run_jobs(&world, &net, &LIFECYCLE_JOBS);
    let again = world.log();
    for verb in ["install", "approveformyorg", "commit"] {
        assert!(
            !again.iter().any(|l| l.starts_with(&format!("peer lifecycle chaincode {verb} "))),
            "{verb}: {again:#?}"
        );
    }
    let after: BTreeMap<String, Vec<u8>> =
        common::read_tree(&world.state()).into_iter().filter(|(f, _)| f != "log").collect();
    assert_eq!(before, after, "a second run leaves every peer and orderer as it was");
}

#[test]
fn the_committer_waits_for_every_approval_and_init_waits_for_the_chaincode() {
    let net = render_spec(LIFECYCLE);
    let world = World::new(&net);
    run_jobs(&world, &net, &CHANNEL_JOBS);
    let committer = &net.jobs["chaincode-basic-lifecycle-org1"];
    let (ok, out) = world.run(committer, &[("WAIT_SECONDS", "1"), ("RETRY_SECONDS", "0.2")]);
    assert!(!ok);
    assert!(out.contains("gave up after 1s: waiting for approvals of Org2MSP, Org3MSP"), "{out}");
    assert!(!world.log().iter().any(|l| l.starts_with("peer lifecycle chaincode commit")));
    // Its own approval stands; once the others approve, a retry commits.
    run_jobs(&world, &net, &LIFECYCLE_JOBS[..2]);
    world.set_down("chaincode-basic", 3);
    let (ok, out) = world.run(committer, &[]);
    assert!(ok, "{out}");
    assert!(out.contains("sequence 1 is approved for Org1MSP already"), "{out}");
    let invokes = world.log().iter().filter(|l| l.starts_with("peer chaincode invoke")).count();
    assert_eq!(invokes, 4, "three refusals while the chaincode starts, then the init");
    assert_eq!(read(&world, "initialized-ab-basic"), "1.0\n");
}

#[test]
fn lifecycle_jobs_wait_for_their_peers_to_join_within_the_deadline() {
    let net = render_spec(LIFECYCLE);
    let world = World::new(&net);
    let (ok, out) =
        world.run(&net.jobs["chaincode-basic-approve-org3"], &[("WAIT_SECONDS", "1"), ("RETRY_SECONDS", "0.2")]);
    assert!(!ok);
    assert!(out.contains("peer0-org3.life:7051 has not joined the channel yet"), "{out}");
    assert!(!world.log().iter().any(|l| l.contains("approveformyorg")));
}

#[test]
fn a_new_version_with_the_next_sequence_is_installed_approved_committed_and_initialised() {
    let net = render_spec(LIFECYCLE);
    let world = World::new(&net);
    run_jobs(&world, &net, &CHANNEL_JOBS);
    run_jobs(&world, &net, &LIFECYCLE_JOBS);
    let upgraded = render_spec(&LIFECYCLE.replace(r#"version: "1.0""#, "version: \"1.1\"\n    sequence: 2"));
    let old = &net.jobs["chaincode-basic-lifecycle-org1"];
    let new = &upgraded.jobs["chaincode-basic-lifecycle-org1"];
    assert_ne!(old.env["PACKAGE_ID"], new.env["PACKAGE_ID"], "the label carries the version");
    world.clear_log();
    let world = World { config_maps: upgraded.config_maps.clone(), ..world };
    run_jobs(&world, &upgraded, &LIFECYCLE_JOBS);
    let log = world.log();
    assert_eq!(log.iter().filter(|l| l.starts_with("peer lifecycle chaincode install")).count(), 3, "{log:#?}");
    assert_eq!(log.iter().filter(|l| l.starts_with("peer lifecycle chaincode approveformyorg")).count(), 3);
    assert_eq!(read(&world, "committed-ab-basic").lines().next(), Some("2"));
    assert_eq!(read(&world, "initialized-ab-basic"), "1.1\n", "a new version is initialised again");
    let installed = read(&world, "installed-peer1-org1.life:7051");
    assert_eq!(installed, format!("{}\n{}\n", old.env["PACKAGE_ID"], new.env["PACKAGE_ID"]));
}

/// A member that starts running the chaincode at the committed sequence: it installs and
/// approves its package there (Fabric takes it: the package ID is no parameter of the
/// definition), the committer finds the sequence committed and commits nothing, and nobody
/// else approves again.
#[test]
fn a_new_member_approves_its_package_at_the_committed_sequence_and_nothing_is_committed() {
    let net = render_spec(LIFECYCLE);
    let world = World::new(&net);
    run_jobs(&world, &net, &CHANNEL_JOBS);
    run_jobs(&world, &net, &LIFECYCLE_JOBS);
    let joined = render_spec(&LIFECYCLE.replace("orgs: [org1, org2]\n", "orgs: [org1, org2, org3]\n"));
    let new = &joined.jobs["chaincode-basic-lifecycle-org3"];
    assert_eq!(new.env["SEQUENCE"], "1");
    assert!(!joined.jobs.contains_key("chaincode-basic-approve-org3"), "org3 now runs it");
    world.clear_log();
    let world = World { config_maps: joined.config_maps.clone(), ..world };
    run_jobs(
        &world,
        &joined,
        &["chaincode-basic-lifecycle-org2", "chaincode-basic-lifecycle-org3", "chaincode-basic-lifecycle-org1"],
    );
    let log = world.log();
    let calls = |verb: &str| log.iter().filter(|l| l.starts_with(&format!("peer lifecycle chaincode {verb} "))).count();
    assert_eq!(calls("install"), 1, "only org3's peer installs: {log:#?}");
    assert_eq!(calls("approveformyorg"), 1, "only org3 approves: {log:#?}");
    assert_eq!(calls("commit"), 0, "the definition stays committed: {log:#?}");
    assert_eq!(read(&world, "committed-ab-basic").lines().next(), Some("1"));
    assert_eq!(
        read(&world, "approved-ab-basic-1-Org3MSP").trim_end(),
        format!("{} package={}", read(&world, "committed-ab-basic").lines().nth(1).unwrap(), new.env["PACKAGE_ID"])
    );
}

#[test]
fn a_spec_behind_the_channel_fails_with_the_sequence_to_use() {
    let net = render_spec(LIFECYCLE);
    let world = World::new(&net);
    run_jobs(&world, &net, &CHANNEL_JOBS);
    std::fs::write(
        world.state().join("committed-ab-basic"),
        "3\nversion=0.9 init=false signature= channel-config= collections=\n",
    )
    .unwrap();
    let (ok, out) = world.run(&net.jobs["chaincode-basic-lifecycle-org2"], &[]);
    assert!(!ok);
    assert!(out.contains("the channel has sequence 3 committed, later than this definition's 1; set the chaincode's sequence to 3 (unchanged) or 4 (changed)"), "{out}");
}

/// Two ordering organisations serve channel `ab`: `ord-a` creates it, `ord-b` joins its own
/// orderers with the block `ord-a`'s orderers serve.
const TWO_ORDERING_ORGS: &str = r#"
name: chan
namespace: chan
ordererOrgs:
  - {name: ord-a, mspId: OrdAMSP, orderers: [{name: orderer0-a}, {name: orderer1-a}]}
  - {name: ord-b, mspId: OrdBMSP, orderers: [{name: orderer0-b}]}
orgs:
  - {name: org1, mspId: Org1MSP, peers: [{name: peer0}]}
  - {name: org2, mspId: Org2MSP, peers: [{name: peer0}]}
channels:
  - {name: ab, orgs: [org1, org2]}
"#;

fn orderer_calls(world: &World) -> Vec<String> {
    world
        .log()
        .iter()
        .filter(|l| !l.starts_with("configtxlator"))
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            match words.as_slice() {
                ["osnadmin", "channel", verb, "-o", at, ..] => format!("osnadmin {verb} {at}"),
                ["peer", "channel", "fetch", "0", _, "-c", _, "-o", at, ..] => format!("fetch {at}"),
                ["configtxgen", ..] => "configtxgen".into(),
                _ => l.clone(),
            }
        })
        .collect()
}

#[test]
fn the_creator_makes_the_block_and_another_ordering_org_joins_its_own_orderers_with_it() {
    let net = render_spec(TWO_ORDERING_ORGS);
    let world = World::new(&net);
    // ord-b first: nothing serves the channel yet, so it waits, bounded, and says why.
    let (ok, out) = world.run(&net.jobs["channel-ab-orderers-ord-b"], &[("WAIT_SECONDS", "0")]);
    assert!(!ok && out.contains("no orderer of another ordering organisation serves the channel yet"), "{out}");
    world.clear_log();

    let (ok, out) = world.run(&net.jobs["channel-ab-create"], &[]);
    assert!(ok, "{out}");
    assert_eq!(
        orderer_calls(&world),
        [
            "osnadmin list orderer0-a.chan:7053",
            "osnadmin list orderer1-a.chan:7053",
            // No orderer of ord-b serves it: the creator makes the block, then joins its own.
            "fetch orderer0-b.chan:7050",
            "configtxgen",
            "osnadmin join orderer0-a.chan:7053",
            "osnadmin join orderer1-a.chan:7053",
        ]
    );
    world.clear_log();
    let (ok, out) = world.run(&net.jobs["channel-ab-orderers-ord-b"], &[]);
    assert!(ok, "{out}");
    assert!(out.contains("genesis block checked"), "{out}");
    assert_eq!(
        orderer_calls(&world),
        ["osnadmin list orderer0-b.chan:7053", "fetch orderer0-a.chan:7050", "osnadmin join orderer0-b.chan:7053"]
    );
    // One channel: ord-b's orderer holds the very block ord-a's made.
    let held = |host: &str| std::fs::read_to_string(world.state().join(format!("orderer-{host}-ab"))).unwrap();
    assert_eq!(held("orderer0-b.chan"), held("orderer0-a.chan"));

    // A second run of either changes nothing.
    world.clear_log();
    for job in ["channel-ab-create", "channel-ab-orderers-ord-b"] {
        let (ok, out) = world.run(&net.jobs[job], &[]);
        assert!(ok && out.contains("nothing to do"), "{job}: {out}");
    }
    assert!(orderer_calls(&world).iter().all(|c| c.starts_with("osnadmin list")), "{:?}", world.log());
}

#[test]
fn a_creator_whose_orderers_lost_the_channel_takes_the_block_another_org_serves() {
    let net = render_spec(TWO_ORDERING_ORGS);
    let world = World::new(&net);
    for job in ["channel-ab-create", "channel-ab-orderers-ord-b"] {
        assert!(world.run(&net.jobs[job], &[]).0);
    }
    let before = std::fs::read_to_string(world.state().join("orderer-orderer0-b.chan-ab")).unwrap();
    for host in ["orderer0-a.chan", "orderer1-a.chan"] {
        std::fs::remove_file(world.state().join(format!("orderer-{host}-ab"))).unwrap();
    }
    world.clear_log();
    let (ok, out) = world.run(&net.jobs["channel-ab-create"], &[]);
    assert!(ok, "{out}");
    assert!(!orderer_calls(&world).contains(&"configtxgen".to_string()), "a new block would be a new channel");
    assert_eq!(std::fs::read_to_string(world.state().join("orderer-orderer0-a.chan-ab")).unwrap(), before);
}

#[test]
fn a_genesis_block_that_is_not_the_specs_channel_is_refused_before_any_join() {
    let net = render_spec(TWO_ORDERING_ORGS);
    let world = World::new(&net);
    assert!(world.run(&net.jobs["channel-ab-create"], &[]).0);
    // The block ord-a's orderer serves names other consenters and another member.
    let path = world.state().join("orderer-orderer0-a.chan-ab");
    let forged = std::fs::read_to_string(&path)
        .unwrap()
        .replace("orderer0-b.chan", "intruder.chan")
        .replace("Org2MSP", "Org9MSP");
    std::fs::write(&path, forged).unwrap();
    world.clear_log();
    let (ok, out) = world.run(&net.jobs["channel-ab-orderers-ord-b"], &[]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("refusing the genesis block: orderer0-b.chan is no consenter; members Org1MSP Org9MSP"),
        "{out}"
    );
    assert!(!world.log().iter().any(|l| l.contains("osnadmin channel join")), "{:?}", world.log());
}

/// In a consortium ord-a renders its part from the others' cards (`render --org ord-a --cards`):
/// its creator Job mounts ord-b's consenter certificates and every member's MSP from the
/// ConfigMaps made of their cards, and configtxgen (whose stand-in opens every file the profile
/// names) makes the block from them; then ord-b's part joins ord-b's orderer with it.
#[test]
fn parts_rendered_from_cards_create_and_join_the_channel() {
    let dir = tempfile::tempdir().unwrap();
    let spec_file = dir.path().join("chan.yaml");
    std::fs::write(&spec_file, TWO_ORDERING_ORGS).unwrap();
    let cards = common::cards(&spec_file, &["ord-a", "ord-b", "org1", "org2"], dir.path());
    let spec = fabgen::spec::load_spec("chan.yaml", TWO_ORDERING_ORGS).unwrap();
    let part = |org: &str| {
        net_of(fabgen::generate_part(&spec, &fabgen::render::TemplateSet::embedded(), org, &cards).unwrap())
    };
    let (a, b) = (part("ord-a"), part("ord-b"));
    let creator = &a.jobs["channel-ab-create"];
    let from_cards: Vec<&str> = creator
        .mounts
        .iter()
        .filter_map(|(_, v)| v["configMap"]["name"].as_str())
        .filter(|n| n.ends_with("-public"))
        .collect();
    assert_eq!(
        from_cards,
        ["ord-b-public", "org1-public", "org2-public", "ord-b-public"],
        "ord-b's MSP, members, ord-b's consenter"
    );
    assert!(!a.jobs.contains_key("channel-ab-orderers-ord-b") && !b.jobs.contains_key("channel-ab-create"));

    let mut world = World::new(&a);
    world.config_maps.extend(b.config_maps.clone());
    let (ok, out) = world.run(creator, &[]);
    assert!(ok, "{out}");
    assert!(world.log().iter().any(|l| l.starts_with("configtxgen")), "{:?}", world.log());
    let (ok, out) = world.run(&b.jobs["channel-ab-orderers-ord-b"], &[]);
    assert!(ok && out.contains("genesis block checked"), "{out}");
}

/// The two ordering organisations in two clusters: the creator's block names the consenters by
/// their external names, and ord-b's Job fetches it from ord-a's orderers through their
/// external names (here, routes the test lays to their Services), checks it against its own
/// orderers' external names and joins them.
#[test]
fn across_clusters_the_block_is_fetched_and_checked_by_external_names() {
    let spec = format!(
        "{}{}",
        TWO_ORDERING_ORGS
            .replace("{name: ord-a, mspId: OrdAMSP,", "{name: ord-a, mspId: OrdAMSP, cluster: east,")
            .replace("{name: ord-b, mspId: OrdBMSP,", "{name: ord-b, mspId: OrdBMSP, cluster: west,")
            .replace("{name: org1, mspId: Org1MSP,", "{name: org1, mspId: Org1MSP, cluster: east,")
            .replace("{name: org2, mspId: Org2MSP,", "{name: org2, mspId: Org2MSP, cluster: west,"),
        "clusters:\n  - {name: east, domain: east.example.com, expose: {gatewayTLSRoute: {name: gw, namespace: gw, sectionName: tls, from: {namespaceLabels: {kubernetes.io/metadata.name: gw}}}}}\n  - {name: west, domain: west.example.com, expose: {gatewayTLSRoute: {name: gw, namespace: gw, sectionName: tls, from: {namespaceLabels: {kubernetes.io/metadata.name: gw}}}}}\n"
    );
    let net = render_spec(&spec);
    let world = World::new(&net);
    for orderer in ["orderer0-a", "orderer1-a"] {
        std::fs::write(world.state().join(format!("route-{orderer}.east.example.com")), format!("{orderer}.chan"))
            .unwrap();
    }
    assert!(world.run(&net.jobs["channel-ab-create"], &[]).0);
    world.clear_log();
    let (ok, out) = world.run(&net.jobs["channel-ab-orderers-ord-b"], &[]);
    assert!(ok, "{out}");
    assert!(out.contains("consenters include orderer0-b.west.example.com"), "{out}");
    assert!(orderer_calls(&world).contains(&"fetch orderer0-a.east.example.com:443".to_string()), "{:?}", world.log());
}
