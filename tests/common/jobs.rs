//! The harness of the Job script tests (channel_jobs.rs, channel_updates.rs): Jobs as rendered
//! (each container's script, environment and mounts), run under dash in a scratch world whose
//! PATH holds the recording stand-ins (tests/standins/). Each container sees only what it
//! mounts: ConfigMap items with the rendered content, Secret items as placeholders naming the
//! Secret and key; the containers of one pod share its /tmp.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;

/// A rendered Job: its (main) container's script, environment and mounts (mount path,
/// volume), and its init containers, run first in the same pod.
pub struct Job {
    pub script: String,
    pub env: BTreeMap<String, String>,
    pub mounts: Vec<(String, serde_json::Value)>,
    pub init: Vec<(String, Job)>,
}

pub struct Net {
    pub jobs: BTreeMap<String, Job>,
    /// ConfigMap name -> key -> bytes.
    pub config_maps: BTreeMap<String, BTreeMap<String, Vec<u8>>>,
    /// Channel -> member MSP IDs.
    pub members: BTreeMap<String, Vec<String>>,
}

pub fn render_spec(text: &str) -> Net {
    let spec = fabgen::spec::load_spec("chan.yaml", text).unwrap();
    net_of(fabgen::generate(&spec, &fabgen::render::TemplateSet::embedded()).unwrap())
}

pub fn net_of(generated: fabgen::Generated) -> Net {
    let mut jobs = BTreeMap::new();
    let mut config_maps = BTreeMap::new();
    for object in generated.rendered.objects.values() {
        let json = object.to_json().unwrap();
        if object.kind == "ConfigMap" {
            let mut keys = BTreeMap::new();
            for (k, v) in json["data"].as_object().into_iter().flatten() {
                keys.insert(k.clone(), v.as_str().unwrap().as_bytes().to_vec());
            }
            for (k, v) in json["binaryData"].as_object().into_iter().flatten() {
                keys.insert(k.clone(), base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap()).unwrap());
            }
            config_maps.insert(object.name.clone(), keys);
        }
        if object.kind != "Job" {
            continue;
        }
        let pod = &json["spec"]["template"]["spec"];
        let volumes: BTreeMap<&str, &serde_json::Value> =
            pod["volumes"].as_array().unwrap().iter().map(|v| (v["name"].as_str().unwrap(), v)).collect();
        let mut job = container_of(&pod["containers"][0], &volumes);
        for init in pod["initContainers"].as_array().into_iter().flatten() {
            job.init.push((init["name"].as_str().unwrap().to_string(), container_of(init, &volumes)));
        }
        let base = json["metadata"]["labels"]["app.kubernetes.io/instance"].as_str().unwrap().to_string();
        jobs.insert(base, job);
    }
    let members = generated
        .network
        .channels
        .iter()
        .map(|c| (c.name.clone(), c.joins.iter().map(|j| j.msp_id.clone()).collect()))
        .collect();
    Net { jobs, config_maps, members }
}

/// One container of a Job's pod: its script, environment and mounts.
pub fn container_of(container: &serde_json::Value, volumes: &BTreeMap<&str, &serde_json::Value>) -> Job {
    let command: Vec<&str> = container["command"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert_eq!(&command[..2], ["/bin/sh", "-c"]);
    let env = container["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap().to_string(), e["value"].as_str().unwrap().to_string()))
        .collect();
    let mounts = container["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let volume = volumes[m["name"].as_str().unwrap()];
            (m["mountPath"].as_str().unwrap().to_string(), volume.clone())
        })
        .collect();
    Job { script: command[2].to_string(), env, mounts, init: Vec::new() }
}

/// A scratch world: stand-ins on PATH and their state.
pub struct World {
    pub dir: tempfile::TempDir,
    pub config_maps: BTreeMap<String, BTreeMap<String, Vec<u8>>>,
}

impl World {
    pub fn new(net: &Net) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("state")).unwrap();
        for (channel, msps) in &net.members {
            let list: String = msps.iter().map(|m| format!("{m}\n")).collect();
            std::fs::write(dir.path().join("state").join(format!("members-{channel}")), list).unwrap();
        }
        World { dir, config_maps: net.config_maps.clone() }
    }

    pub fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    pub fn log(&self) -> Vec<String> {
        std::fs::read_to_string(self.state().join("log")).unwrap_or_default().lines().map(str::to_string).collect()
    }

    pub fn clear_log(&self) {
        let _ = std::fs::remove_file(self.state().join("log"));
    }

    /// What a Job's pod sees under /var/fabgen: its mounts, and nothing else.
    pub fn mount(&self, job: &Job, root: &Path) {
        for (path, volume) in &job.mounts {
            let Some(rel) = path.strip_prefix("/var/fabgen/") else {
                assert_eq!(path, "/tmp", "Jobs mount under /var/fabgen or /tmp");
                continue;
            };
            let dir = root.join(rel);
            std::fs::create_dir_all(&dir).unwrap();
            let items = |v: &serde_json::Value| -> Option<Vec<(String, String)>> {
                v["items"].as_array().map(|items| {
                    items
                        .iter()
                        .map(|i| (i["key"].as_str().unwrap().to_string(), i["path"].as_str().unwrap().to_string()))
                        .collect()
                })
            };
            let write = |file: &str, bytes: &[u8]| {
                let at = dir.join(file);
                std::fs::create_dir_all(at.parent().unwrap()).unwrap();
                std::fs::write(at, bytes).unwrap();
            };
            if let Some(cm) = volume.get("configMap") {
                let name = cm["name"].as_str().unwrap();
                if cm["optional"] == true && !self.config_maps.contains_key(name) {
                    continue; // An optional ConfigMap not made yet: an empty directory.
                }
                let data = self.config_maps.get(name).unwrap_or_else(|| panic!("mounted ConfigMap {name} is rendered"));
                match items(cm) {
                    Some(items) => {
                        for (key, file) in items {
                            let bytes = data.get(&key).unwrap_or_else(|| panic!("ConfigMap {name} has key {key}"));
                            write(&file, bytes);
                        }
                    }
                    None => data.iter().for_each(|(k, v)| write(k, v)),
                }
            } else if let Some(secret) = volume.get("secret") {
                let name = secret["secretName"].as_str().unwrap();
                let keys = items(secret).unwrap_or_else(|| {
                    ["ca.crt", "tls.crt", "tls.key"].iter().map(|k| (k.to_string(), k.to_string())).collect()
                });
                for (key, file) in keys {
                    write(&file, format!("secret {name} {key}\n").as_bytes());
                }
            } else if let Some(projected) = volume.get("projected") {
                for source in projected["sources"].as_array().unwrap() {
                    let secret = &source["secret"];
                    let name = secret["name"].as_str().unwrap();
                    for (key, file) in items(secret).expect("projected Secrets name their items") {
                        write(&file, format!("secret {name} {key}\n").as_bytes());
                    }
                }
            } else {
                assert!(volume.get("emptyDir").is_some(), "{volume}");
            }
        }
    }

    /// Runs one Job's pod under dash: its init containers in order, then its container, each
    /// with its own mounts and all sharing the pod's /tmp; (success, output).
    pub fn run(&self, job: &Job, overrides: &[(&str, &str)]) -> (bool, String) {
        let pod = tempfile::tempdir_in(self.dir.path()).unwrap();
        let work = pod.path().join("tmp");
        std::fs::create_dir_all(&work).unwrap();
        let mut said = String::new();
        for (i, container) in job.init.iter().map(|(_, c)| c).chain([job]).enumerate() {
            let (ok, out) =
                self.run_container(container, &pod.path().join(format!("var-fabgen-{i}")), &work, overrides);
            said += &out;
            if !ok {
                return (false, said);
            }
        }
        (true, said)
    }

    /// Runs one container's script under dash, its mounts under `root`.
    pub fn run_container(&self, job: &Job, root: &Path, work: &Path, overrides: &[(&str, &str)]) -> (bool, String) {
        self.mount(job, root);
        let standins = crate::common::root().join("tests/standins");
        let mut command = Command::new("dash");
        command.env_clear().args(["-c", &job.script, "job"]);
        for (k, v) in &job.env {
            command.env(k, v.replace("/var/fabgen", root.to_str().unwrap()));
        }
        command
            .env("PATH", format!("{}:/usr/bin:/bin", standins.display()))
            .env("STATE", self.state())
            .env("WORK_DIR", work)
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

    pub fn set_down(&self, endpoint: &str, calls: u32) {
        std::fs::write(self.state().join(format!("down-{endpoint}")), calls.to_string()).unwrap();
    }
}

/// A config update as the Jobs make it, after the config is decoded (Fabric's
/// config_update.md): encode the original and the edited config, compute the update, decode
/// it, and encode its CONFIG_UPDATE envelope.
pub const COMPUTE_UPDATE: [&str; 5] = [
    "configtxlator proto_encode",
    "configtxlator proto_encode",
    "configtxlator compute_update",
    "configtxlator proto_decode",
    "configtxlator proto_encode",
];

/// `osnadmin channel join`, `peer channel fetch`, `configtxlator compute_update`, `configtxgen`:
/// what a logged call did.
pub fn tool_and_verb(line: &str) -> String {
    let mut words = line.split_whitespace();
    let words = match (words.next(), words.next()) {
        (Some("configtxgen"), _) => 1,
        (Some("configtxlator"), _) => 2,
        (Some("peer"), Some("lifecycle")) => 4,
        _ => 3,
    };
    line.split_whitespace().take(words).collect::<Vec<_>>().join(" ")
}
