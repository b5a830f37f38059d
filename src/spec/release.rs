//! The Fabric release lines fabgen renders for, and every fact that differs between them. This
//! is the one place that decides per-version behaviour: validation asks it which versions and
//! consensus types are accepted, the model asks it for capabilities, the peer's core.yaml and
//! the orderer's settings.
//!
//! Sources: fabric `release_notes/v3.0.0.md` (V3_0 channel capability for SmartBFT; no
//! fabric-tools image published; block gossip off by default), fabric `common/capabilities/channel.go` (`V3_0`; no orderer capability above
//! `V2_0`), fabric-samples `test-network/configtx/configtx.yaml` (2.5: V2_0 / V2_0 / V2_5) and
//! `test-network/bft-config/configtx.yaml` (3.x: V3_0 / V2_0 / V2_5).

use std::sync::LazyLock;

use regex::Regex;

/// What fabgen renders for one Fabric release line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Release {
    /// `major.minor`, e.g. `3.1`.
    pub line: &'static str,
    /// Channel group capability.
    pub channel_capability: &'static str,
    /// Orderer group capability.
    pub orderer_capability: &'static str,
    /// Application group capability.
    pub application_capability: &'static str,
    /// The peers' core.yaml template (under `templates/`).
    pub core_yaml: &'static str,
    /// SmartBFT ordering is available (it needs the V3_0 channel capability).
    pub bft: bool,
    /// `hyperledger/fabric-tools` is published for this line; from 3.0 on it is not, and the
    /// channel and lifecycle Jobs need an image named in `fabric.toolsImage`.
    pub tools_image_published: bool,
    /// Peers spread blocks by gossip (`peer.deliveryclient.blockGossipEnabled` true in the
    /// release's core.yaml), so one elected leader per org may pull them from the orderers. From
    /// 3.0 on block gossip is off and deprecated: every peer must lead (`orgLeader: true`,
    /// `useLeaderElection: false`, release_notes/v3.0.0.md), or non-leaders never get blocks.
    pub block_gossip: bool,
    /// Tag of the Java and Node.js chaincode build images (`fabric-javaenv`, `fabric-nodeenv`):
    /// the chaincode projects publish them per their own release line, which 3.x core.yaml
    /// names as `2.5` (`chaincode.java.runtime`, `chaincode.node.runtime`).
    pub java_node_env_tag: &'static str,
    /// The orderer still reads `General.BootstrapMethod` (deprecated in 3.0, gone from the 3.x
    /// sample orderer.yaml), which 2.5 must be told is `none`.
    pub orderer_bootstrap_method: bool,
}

/// Fabric 3.0; 3.1 differs only in its line (the 3.x core.yaml serves both: its
/// `chaincode.runtimeParams` are new in 3.1 and not read by 3.0).
const FABRIC_3: Release = Release {
    line: "3.0",
    channel_capability: "V3_0",
    orderer_capability: "V2_0",
    application_capability: "V2_5",
    core_yaml: "peer/core-3.yaml",
    bft: true,
    tools_image_published: false,
    block_gossip: false,
    java_node_env_tag: "2.5",
    orderer_bootstrap_method: false,
};

/// Every release line fabgen renders, oldest first. 2.5 (LTS) is the default.
pub const RELEASES: &[Release] = &[
    Release {
        line: "2.5",
        channel_capability: "V2_0",
        orderer_capability: "V2_0",
        application_capability: "V2_5",
        core_yaml: "peer/core.yaml",
        bft: false,
        tools_image_published: true,
        block_gossip: true,
        java_node_env_tag: "2.5",
        orderer_bootstrap_method: true,
    },
    FABRIC_3,
    Release { line: "3.1", ..FABRIC_3 },
];

/// A Fabric or Fabric CA version: `major.minor.patch`.
pub static VERSION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\d+)\.(\d+)\.(\d+)$").unwrap());

/// The release line of a version like `3.1.1`, if fabgen renders for it.
pub fn release(version: &str) -> Option<&'static Release> {
    let c = VERSION.captures(version)?;
    let line = format!("{}.{}", &c[1], &c[2]);
    RELEASES.iter().find(|r| r.line == line)
}

/// `2.5.x, 3.0.x, 3.1.x`, for messages.
pub fn supported() -> String {
    RELEASES.iter().map(|r| format!("{}.x", r.line)).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_map_to_their_line_and_others_to_none() {
        assert_eq!(release("2.5.16").unwrap().line, "2.5");
        assert_eq!(release("3.0.0").unwrap().channel_capability, "V3_0");
        assert!(release("3.1.1").unwrap().bft);
        assert!(!release("2.5.0").unwrap().bft);
        for unsupported in ["2.4.9", "3.2.0", "3.1", "v3.1.1", "3.1.1-rc1", ""] {
            assert!(release(unsupported).is_none(), "{unsupported}");
        }
        assert_eq!(supported(), "2.5.x, 3.0.x, 3.1.x");
    }
}
