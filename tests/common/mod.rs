//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fabgen::render::TemplateSet;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every example spec under values/, sorted.
pub fn examples() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("values"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "values/ holds the examples");
    files
}

/// Loads, resolves, renders and checks one example through the library.
pub fn generate(path: &Path) -> fabgen::Generated {
    let spec = fabgen::spec::SpecSource::read(path).unwrap().load().unwrap();
    fabgen::generate(&spec, &TemplateSet::embedded()).unwrap()
}

/// The fabgen binary built for these tests.
pub fn fabgen() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_fabgen"))
}

/// Every file under `dir` (relative path -> bytes).
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The directory holding the pinned Python oracles (installed by scripts/test.sh).
pub fn oracle_bin() -> PathBuf {
    let dir = std::env::var_os("FABGEN_ORACLE_BIN").map(PathBuf::from).unwrap_or_else(|| root().join(".venv/bin"));
    assert!(
        dir.join("python").exists(),
        "oracle tools not found in {}: run `bash scripts/test.sh`, which installs them",
        dir.display()
    );
    dir
}

/// Every pod template in an object (Deployment, StatefulSet, Job), as JSON.
pub fn pod_specs(object: &serde_json::Value) -> Vec<serde_json::Value> {
    match object["kind"].as_str() {
        Some("Deployment" | "StatefulSet" | "Job") => vec![object["spec"]["template"]["spec"].clone()],
        Some("Pod") => vec![object["spec"].clone()],
        _ => vec![],
    }
}

/// Runs `fabgen crypto --org ORG` for each of `orgs` into `dir/crypto-ORG` and collects their
/// public cards in `dir/cards` (what a consortium's repository holds); returns that directory.
pub fn cards(spec: &Path, orgs: &[&str], dir: &Path) -> PathBuf {
    let cards = dir.join("cards");
    std::fs::create_dir_all(&cards).unwrap();
    for org in orgs {
        let out = dir.join(format!("crypto-{org}"));
        let o = fabgen()
            .args(["crypto", spec.to_str().unwrap(), "--org", org, "-o", out.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success(), "crypto --org {org}: {}", String::from_utf8_lossy(&o.stderr));
        std::fs::copy(out.join(format!("public/{org}.yaml")), cards.join(format!("{org}.yaml"))).unwrap();
    }
    cards
}

/// Runs `fabgen render SPEC --org ORG --cards CARDS -o OUT`, which must succeed; returns the
/// tree it wrote.
pub fn render_part(spec: &Path, org: &str, cards: &Path, out: &Path) -> BTreeMap<String, Vec<u8>> {
    let o = fabgen()
        .args(["render", spec.to_str().unwrap(), "--org", org, "--cards", cards.to_str().unwrap()])
        .args(["-o", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "render --org {org}: {}", String::from_utf8_lossy(&o.stderr));
    read_tree(out)
}

/// The namespace of each organisation in [`one_cluster_namespaces`].
pub const ONE_CLUSTER_NAMESPACES: [(&str, &str); 3] =
    [("orderer", "ordering"), ("org1", "fabric-org1"), ("org2", "hyperledger")];

/// values/tutorial.yaml with its organisations in one cluster but not one namespace: the
/// ordering organisation in `ordering`, org1 in `fabric-org1`, org2 in the network's
/// `hyperledger`. Written to `dir/one-cluster.yaml`.
pub fn one_cluster_namespaces(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(root().join("values/tutorial.yaml")).unwrap();
    let text = text.replacen("  mspId: OrdererMSP\n", "  mspId: OrdererMSP\n  namespace: ordering\n", 1).replacen(
        "    mspId: org1MSP\n",
        "    mspId: org1MSP\n    namespace: fabric-org1\n",
        1,
    );
    assert_eq!(text.matches("namespace: ").count(), 3, "the tutorial still has its orgs and namespace");
    let spec = dir.join("one-cluster.yaml");
    std::fs::write(&spec, text).unwrap();
    spec
}
