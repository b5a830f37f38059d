//! The channel Jobs' scripts, exactly as rendered (command and env of each Job), run under dash
//! against recording stand-ins for `osnadmin`, `configtxgen` and `peer` (tests/standins/, whose
//! argument checks follow the real CLIs' flag definitions, cited there): the invocation order,
//! a second run that changes nothing, an orderer that is not up yet, an orderer added to a
//! channel that exists, and bounded waits that give up. Scripts are shellcheck-clean.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

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

/// A rendered Job: its script and environment, with /var/fabgen paths moved under `root`.
struct Job {
    script: String,
    env: BTreeMap<String, String>,
}

struct Net {
    jobs: BTreeMap<String, Job>,
    configtx: String,
}

fn render() -> Net {
    let spec = fabgen::spec::load_spec("chan.yaml", SPEC).unwrap();
    let generated = fabgen::generate(&spec, &fabgen::render::TemplateSet::embedded()).unwrap();
    let mut jobs = BTreeMap::new();
    let mut configtx = String::new();
    for object in generated.rendered.objects.values() {
        let json = object.to_json().unwrap();
        if object.kind == "ConfigMap" && object.name.ends_with("-configtx") {
            configtx = json["data"]["configtx.yaml"].as_str().unwrap().to_string();
        }
        if object.kind != "Job" {
            continue;
        }
        let container = &json["spec"]["template"]["spec"]["containers"][0];
        let command: Vec<&str> = container["command"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
        assert_eq!(&command[..2], ["/bin/sh", "-c"]);
        let env = container["env"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["name"].as_str().unwrap().to_string(), e["value"].as_str().unwrap().to_string()))
            .collect();
        let base = json["metadata"]["labels"]["app.kubernetes.io/instance"].as_str().unwrap().to_string();
        jobs.insert(base, Job { script: command[2].to_string(), env });
    }
    Net { jobs, configtx }
}

/// A scratch world: stand-ins on PATH, their state, and the mount root.
struct World {
    dir: tempfile::TempDir,
}

impl World {
    fn new(net: &Net) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("state")).unwrap();
        std::fs::create_dir_all(dir.path().join("work")).unwrap();
        let configtx = dir.path().join("root/configtx");
        std::fs::create_dir_all(&configtx).unwrap();
        std::fs::write(configtx.join("configtx.yaml"), &net.configtx).unwrap();
        World { dir }
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    fn log(&self) -> Vec<String> {
        std::fs::read_to_string(self.state().join("log")).unwrap_or_default().lines().map(str::to_string).collect()
    }

    fn clear_log(&self) {
        let _ = std::fs::remove_file(self.state().join("log"));
    }

    /// Runs one Job's script under dash; (success, output).
    fn run(&self, job: &Job, overrides: &[(&str, &str)]) -> (bool, String) {
        let root = self.dir.path().join("root");
        // Each pod has its own /tmp.
        let work = tempfile::tempdir_in(self.dir.path()).unwrap();
        let standins = common::root().join("tests/standins");
        let mut command = Command::new("dash");
        command.env_clear().args(["-c", &job.script, "job"]);
        for (k, v) in &job.env {
            command.env(k, v.replace("/var/fabgen", root.to_str().unwrap()));
        }
        command
            .env("PATH", format!("{}:/usr/bin:/bin", standins.display()))
            .env("STATE", self.state())
            .env("WORK_DIR", work.path())
            .env("RETRY_SECONDS", "0");
        for (k, v) in overrides {
            command.env(k, v);
        }
        let out = command.output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        )
    }

    fn set_down(&self, endpoint: &str, calls: u32) {
        std::fs::write(self.state().join(format!("down-{endpoint}")), calls.to_string()).unwrap();
    }
}

/// `osnadmin channel join`, `peer channel fetch`, `configtxlator compute_update`, `configtxgen`:
/// what a logged call did.
fn tool_and_verb(line: &str) -> String {
    let words = match line.split_whitespace().next() {
        Some("configtxgen") => 1,
        Some("configtxlator") => 2,
        _ => 3,
    };
    line.split_whitespace().take(words).collect::<Vec<_>>().join(" ")
}

fn run_all(world: &World, net: &Net) {
    for name in ["channel-ab-create", "channel-ab-join-org1", "channel-ab-join-org2"] {
        let (ok, out) = world.run(&net.jobs[name], &[]);
        assert!(ok, "{name}:\n{out}");
    }
}

#[test]
fn a_fresh_network_gets_its_channel_in_order_and_a_second_run_changes_nothing() {
    let net = render();
    assert_eq!(net.jobs.len(), 3, "{:?}", net.jobs.keys());
    let world = World::new(&net);
    run_all(&world, &net);
    let log: Vec<String> = world.log().iter().map(|l| tool_and_verb(l)).collect();
    // The anchor peer update: fetch the config, decode, edit, encode both, diff, wrap, send.
    let anchors = [
        "peer channel fetch",
        "configtxlator proto_decode",
        "configtxlator proto_encode",
        "configtxlator proto_encode",
        "configtxlator compute_update",
        "configtxlator proto_decode",
        "configtxlator proto_encode",
        "peer channel update",
    ];
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
    expected.extend(anchors);
    // org2: one peer.
    expected.extend(["peer channel list", "peer channel fetch", "peer channel join"]);
    expected.extend(anchors);
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
    let looks =
        ["osnadmin channel list", "peer channel list", "peer channel fetch config", "configtxlator proto_decode"];
    assert!(again.iter().all(|l| looks.iter().any(|p| l.starts_with(p))), "a second run only looks: {again:#?}");
    assert_eq!(again.iter().filter(|l| l.starts_with("peer channel fetch config")).count(), 2, "{again:#?}");
    assert_eq!(std::fs::read_to_string(state.join("orderer-orderer0.chan-ab")).unwrap(), block);
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
    let net = render();
    for (name, job) in &net.jobs {
        let dir = tempfile::tempdir().unwrap();
        let file: &Path = &dir.path().join("script.sh");
        std::fs::write(file, &job.script).unwrap();
        let out = Command::new("shellcheck").args(["-s", "sh"]).arg(file).output().unwrap();
        assert!(out.status.success(), "{name}:\n{}", String::from_utf8_lossy(&out.stdout));
    }
}
