//! `fabgen init`: a new network spec, valid as printed and commented for the person who will
//! edit it, from a few counts. The same generator makes the large networks the benchmark
//! renders, so its topology is fixed and documented: the first channel has every org, and
//! each further channel k (of K) the orgs whose index i has i % (K - 1) == k - 2; every
//! channel has the same number of chaincodes, run by all its members.

use std::fmt::Write;

use super::types::Launcher;

/// What to scaffold.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// Network name (and namespace).
    pub name: String,
    /// Peer organisations.
    pub orgs: usize,
    /// Peers per organisation.
    pub peers: usize,
    /// Raft orderers.
    pub orderers: usize,
    /// Channels.
    pub channels: usize,
    /// Chaincodes per channel.
    pub chaincodes: usize,
    /// How the chaincodes run.
    pub launcher: Launcher,
    /// A CouchDB state database beside every peer.
    pub couchdb: bool,
    /// A Fabric CA per organisation.
    pub ca: bool,
    /// Fabric version of every node.
    pub fabric_version: String,
    /// SmartBFT ordering instead of Raft (Fabric 3).
    pub bft: bool,
}

impl Default for InitOptions {
    fn default() -> Self {
        InitOptions {
            name: "mynet".into(),
            orgs: 2,
            peers: 1,
            orderers: 3,
            channels: 1,
            chaincodes: 1,
            launcher: Launcher::Ccaas,
            couchdb: false,
            ca: false,
            fabric_version: super::types::DEFAULT_FABRIC_VERSION.into(),
            bft: false,
        }
    }
}

/// Where the JSON Schema is expected beside the spec: `fabgen schema > fabgen.schema.json`.
pub const SCHEMA_FILE: &str = "fabgen.schema.json";

/// The members of channel `k` (0-based) of `channels`, as org indexes (0-based).
pub fn channel_members(k: usize, channels: usize, orgs: usize) -> Vec<usize> {
    if k == 0 { (0..orgs).collect() } else { (0..orgs).filter(|i| i % (channels - 1) == k - 1).collect() }
}

/// The spec text.
pub fn scaffold(o: &InitOptions) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "# yaml-language-server: $schema={SCHEMA_FILE}");
    let _ = writeln!(
        w,
        "# A Hyperledger Fabric network for fabgen, made by `fabgen init`. Editors check it against the\n\
         # schema (`fabgen schema > {SCHEMA_FILE}`); `fabgen validate` checks the rest. Then:\n\
         #   fabgen crypto <this file> -o secrets/ && kubectl apply -f secrets/\n\
         #   fabgen render <this file> -o deploy/ && kubectl apply -k deploy/"
    );
    let _ = writeln!(w, "name: {}\n# Namespace of every object; created by the rendered manifests.", o.name);
    let _ = writeln!(w, "namespace: {}", o.name);
    let release = super::release::release(&o.fabric_version);
    if release.is_some_and(|r| !r.tools_image_published) {
        let _ = writeln!(
            w,
            "fabric:\n  # Fabric {v} for peers, orderers and the bootstrap Jobs.\n  version: \"{v}\"\n  # Fabric 3 publishes no fabric-tools image: replace this with yours, holding {v}'s peer,\n  # configtxgen, configtxlator and osnadmin, and jq (README: \"Fabric 3\").\n  toolsImage:\n    repository: registry.example.com/fabric/tools\n    tag: \"{v}\"",
            v = o.fabric_version
        );
    } else {
        let _ = writeln!(
            w,
            "fabric:\n  # Fabric {} for peers, orderers and the bootstrap Jobs.\n  version: \"{}\"",
            if o.fabric_version == super::types::DEFAULT_FABRIC_VERSION {
                "2.5 (the LTS release)".to_string()
            } else {
                o.fabric_version.clone()
            },
            o.fabric_version
        );
    }
    if o.bft {
        let f = (o.orderers.saturating_sub(1)) / 3;
        let _ = writeln!(w, "# The ordering service: {} SmartBFT node(s); {f} may fail or misbehave.", o.orderers);
        let _ = writeln!(w, "ordererOrg:\n  name: orderer\n  mspId: OrdererMSP\n  consensus: BFT\n  orderers:");
    } else {
        let _ = writeln!(w, "# The ordering service: {} Raft node(s); a majority must be up to order.", o.orderers);
        let _ = writeln!(w, "ordererOrg:\n  name: orderer\n  mspId: OrdererMSP\n  orderers:");
    }
    for i in 0..o.orderers {
        let _ = writeln!(w, "    - name: orderer{i}");
    }
    let _ = writeln!(w, "# Peer organisations; each gets MSP and TLS material from `fabgen crypto`.");
    let _ = writeln!(w, "orgs:");
    for i in 1..=o.orgs {
        let _ = writeln!(w, "  - name: org{i}\n    mspId: Org{i}MSP");
        if o.ca {
            let _ = writeln!(w, "    ca: true");
        }
        let _ = writeln!(w, "    peers:");
        for p in 0..o.peers {
            let _ = writeln!(w, "      - name: peer{p}");
            if o.couchdb {
                let _ = writeln!(w, "        couchdb: true");
            }
        }
    }
    if o.channels > 0 {
        let _ = writeln!(w, "# Channels and their member orgs; the Jobs create and join them.");
        let _ = writeln!(w, "channels:");
        for k in 0..o.channels {
            let members: Vec<String> =
                channel_members(k, o.channels, o.orgs).iter().map(|i| format!("org{}", i + 1)).collect();
            if members.is_empty() {
                continue;
            }
            let _ = writeln!(w, "  - name: channel{}\n    orgs: [{}]", k + 1, members.join(", "));
        }
    }
    if o.launcher == Launcher::K8scc {
        let _ = writeln!(
            w,
            "launchers:\n  k8scc:\n    transfer:\n      # k8scc needs a ReadWriteMany StorageClass (NFS, CephFS, EFS, ...): set yours.\n      storageClass: nfs-client"
        );
    }
    let has_members = |k: usize| !channel_members(k, o.channels, o.orgs).is_empty();
    if o.chaincodes > 0 && (0..o.channels).any(has_members) {
        let _ = writeln!(w, "# Chaincodes, run by every member of their channel. Raise `sequence` with every change.");
        let _ = writeln!(w, "chaincodes:");
        for k in (0..o.channels).filter(|k| has_members(*k)) {
            for c in 1..=o.chaincodes {
                let name = format!("cc{c}-channel{}", k + 1);
                let _ = writeln!(w, "  - name: {name}\n    version: \"1.0\"\n    channel: channel{}", k + 1);
                match o.launcher {
                    Launcher::Ccaas => {
                        let _ = writeln!(
                            w,
                            "    # The chaincode server image (pinned by tag or digest): replace with yours.\n    image: registry.example.com/chaincode/{name}:1.0"
                        );
                    }
                    Launcher::K8sBuilder => {
                        let _ = writeln!(
                            w,
                            "    launcher: k8s-builder\n    # fabric-builder-k8s names its Jobs after the label: a DNS-1035 label.\n    label: {name}-v1\n    # It runs an image pinned by digest: replace with yours.\n    image: registry.example.com/chaincode/{name}@sha256:{}",
                            "0".repeat(64)
                        );
                    }
                    Launcher::K8scc => {
                        let _ = writeln!(
                            w,
                            "    launcher: k8scc\n    # k8scc names chaincode pods after the label: lowercase, no '.'.\n    label: {name}-v1\n    # Go source beside this file, built in the cluster by k8scc.\n    source:\n      path: chaincode/{name}\n      language: golang"
                        );
                    }
                }
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_channel_has_everyone_and_the_others_split_the_orgs() {
        assert_eq!(channel_members(0, 5, 6), [0, 1, 2, 3, 4, 5]);
        assert_eq!(channel_members(1, 5, 6), [0, 4]);
        assert_eq!(channel_members(4, 5, 6), [3]);
        assert_eq!(channel_members(0, 1, 3), [0, 1, 2]);
    }
}
