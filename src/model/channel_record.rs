//! What each channel's configuration holds that the spec decides, recorded on the configtx
//! ConfigMap (annotation [`CHANNELS_ANNOTATION`]) so that the next render into the same
//! directory can say what a spec change asks of the running channels: which element of the
//! channel configuration changes and whose admin signatures its `mod_policy` needs.
//!
//! Paths and policies are those configtxgen writes (fabric internal/configtxgen/encoder/
//! encoder.go sets every `mod_policy` to `Admins`; common/channelconfig names the keys
//! `Application`, `Orderer`, `AnchorPeers`, `Endpoints`, `ConsensusType`, `Orderers`,
//! `Capabilities`), under the policies fabgen's configtx.yaml gives: an organisation's
//! `Admins` is `OR('<MSP>.admin')`; the Application, Orderer and Channel groups' `Admins` are
//! `ImplicitMeta MAJORITY Admins`, which holds when more than half of the sub-groups' Admins
//! do (common/policies/implicitmeta.go: threshold `len/2 + 1`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::network::Network;

/// Annotation on the configtx ConfigMap: every channel's [`ChannelRecord`], as JSON.
pub const CHANNELS_ANNOTATION: &str = "fabgen.io/channels";

/// One channel, as far as the spec decides its configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChannelRecord {
    /// Channel name.
    pub name: String,
    /// Application organisations by MSP ID: name and anchor peers.
    pub members: BTreeMap<String, Member>,
    /// Ordering organisations by MSP ID: name and orderer endpoints.
    pub ordering: BTreeMap<String, Member>,
    /// Consenters, `host:port` as the configuration names them.
    pub consenters: Vec<String>,
    /// `OrdererType`.
    pub orderer_type: String,
    /// Capabilities of the Channel, Orderer and Application groups.
    pub capabilities: [String; 3],
}

/// An organisation of a channel and the addresses the configuration lists for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Organisation name.
    pub org: String,
    /// Anchor peers (application) or orderer endpoints (ordering), `host:port`.
    pub addresses: Vec<String>,
}

/// The records of every channel of `network`.
pub fn records(network: &Network) -> Vec<ChannelRecord> {
    let orderer_type = network.configtx.as_ref().map_or("", |c| c.orderer_type).to_string();
    let release = &network.release;
    network
        .channels
        .iter()
        .map(|channel| {
            let members = channel
                .joins
                .iter()
                .map(|j| (j.msp_id.clone(), Member { org: j.org.clone(), addresses: j.anchor_peers.clone() }))
                .collect();
            let ordering_orgs: Vec<_> =
                network.orderer_orgs.iter().filter(|o| channel.ordering.contains(&o.name)).collect();
            let ordering = ordering_orgs
                .iter()
                .map(|o| {
                    let addresses = o.orderers.iter().map(|n| n.advertised_address.clone()).collect();
                    (o.msp_id.clone(), Member { org: o.name.clone(), addresses })
                })
                .collect();
            ChannelRecord {
                name: channel.name.clone(),
                members,
                ordering,
                consenters: ordering_orgs
                    .iter()
                    .flat_map(|o| o.orderers.iter().map(|n| n.advertised_address.clone()))
                    .collect(),
                orderer_type: orderer_type.clone(),
                capabilities: [
                    release.channel_capability.to_string(),
                    release.orderer_capability.to_string(),
                    release.application_capability.to_string(),
                ],
            }
        })
        .collect()
}

/// The capabilities of channels recorded before that the nodes of the `current` network's
/// Fabric release cannot run: a release supports the capabilities it writes and older ones, and
/// a node meeting a newer one stops processing the channel ("Channel capability V3_0 is required
/// but not supported", fabric common/capabilities/capabilities.go). Channels gone from the spec
/// count too: their ledgers are still on the nodes. One line per problem.
pub fn capability_problems(previous: &[ChannelRecord], current: &[ChannelRecord]) -> Vec<String> {
    let Some(supported) = current.first().map(|c| &c.capabilities) else { return Vec::new() };
    let groups = ["Channel", "Orderer", "Application"];
    let mut out = Vec::new();
    for channel in previous {
        for (i, group) in groups.iter().enumerate() {
            let (has, max) = (&channel.capabilities[i], &supported[i]);
            if capability_level(has) > capability_level(max) {
                out.push(format!(
                    "channel {} has the {group} capability {has}, which nodes of this Fabric release refuse (\"{group} capability {has} is required but not supported\"; they support up to {max}): keep a Fabric release that supports {has}",
                    channel.name
                ));
            }
        }
    }
    out
}

/// `V2_5` -> (2, 5); anything else sorts first.
fn capability_level(capability: &str) -> (u32, u32) {
    let parse = || {
        let (major, minor) = capability.strip_prefix('V')?.split_once('_')?;
        Some((major.parse().ok()?, minor.parse().ok()?))
    };
    parse().unwrap_or((0, 0))
}

/// Organisations that join or leave `group` (which a majority of its current members' admins
/// changes), and those whose listed addresses change (their own admin's value `<group>/<MSP
/// ID>/<key>`). `kind` is (what to call a member, what its addresses are, their value's key).
fn membership(
    old: &BTreeMap<String, Member>,
    new: &BTreeMap<String, Member>,
    group: &str,
    (member, addresses, key): (&str, &str, &str),
    say: &mut dyn FnMut(String, &str, String),
) {
    let needs = majority(group, old);
    for (msp, m) in new.iter().filter(|(msp, _)| !old.contains_key(*msp)) {
        say(format!("{member}{} ({msp}) joins", m.org), group, needs.clone());
    }
    for (msp, m) in old.iter().filter(|(msp, _)| !new.contains_key(*msp)) {
        say(format!("{member}{} ({msp}) leaves", m.org), group, needs.clone());
    }
    for (msp, m) in new {
        if let Some(was) = old.get(msp).filter(|was| was.addresses != m.addresses) {
            let what = format!("{}'s {addresses} {} -> {}", m.org, was.addresses.join(" "), m.addresses.join(" "));
            say(what, &format!("{group}/{msp}/{key}"), own_admin(was, msp));
        }
    }
}

/// SmartBFT's quorum of `n` consenters, ⌈(n + f + 1) / 2⌉ with f = ⌊(n − 1) / 3⌋: the
/// signatures `/Channel/Orderer/BlockValidation` asks of a block (fabric common/policies/bft.go
/// `EncodeBFTBlockVerificationPolicy`, `ComputeBFTQuorum`).
pub fn bft_quorum(n: usize) -> usize {
    let f = n.saturating_sub(1) / 3;
    (n + f + 1).div_ceil(2)
}

/// Whose admins must sign a change of an element whose `mod_policy` is a group's `Admins`.
fn majority(group: &str, orgs: &BTreeMap<String, Member>) -> String {
    let msps: Vec<&str> = orgs.keys().map(String::as_str).collect();
    format!("{group} Admins: {} of {} admin signatures ({})", msps.len() / 2 + 1, msps.len(), msps.join(", "))
}

fn own_admin(member: &Member, msp: &str) -> String {
    format!("{msp} Admins: {}'s admin signature", member.org)
}

/// One change of a running channel's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The channel.
    pub channel: String,
    /// The element of the channel configuration that changes (empty for a channel gone).
    pub path: String,
    /// What, where, and the signatures it needs, in words.
    pub text: String,
    /// A rendered Job makes it: an organisation's join Job sets its anchor peers, as its own
    /// admin, to exactly the spec's (templates/jobs/anchor-peers.sh); the channel's update Job
    /// makes the rest where one is rendered ([`Change::by_update_job`]).
    pub by_job: bool,
}

impl Change {
    /// The change, made by the channel's update Job (`model::channel_update`), which gathers
    /// the signatures it needs from each organisation's admin in the cluster. A channel gone
    /// from the spec has none, and capabilities are raised by hand once every node runs the
    /// release that has them.
    /// `offline`: in a consortium's creator part, the Job proposes and waits for the update
    /// the others sign offline.
    pub fn by_update_job(mut self, offline: bool) -> Self {
        // Capabilities wait until every node runs the release that has them: by hand.
        if !self.by_job && self.text.ends_with(')') && !self.path.ends_with("/Capabilities") {
            self.text.pop();
            self.text.push_str(if offline {
                "; its update Job proposes it and sends it once signed offline)"
            } else {
                "; its update Job gathers them and makes it)"
            });
            self.by_job = !offline;
        }
        self
    }
}

/// What changes in the running channels from `previous` to `current`, one [`Change`] per
/// element of the channel configuration: what, where, and the signatures it needs under the
/// channel's current configuration. A channel new to the spec is created, not updated; a
/// channel gone from it stays on the ledger, which is said too.
pub fn changes(previous: &[ChannelRecord], current: &[ChannelRecord]) -> Vec<Change> {
    let mut out = Vec::new();
    for old in previous {
        match current.iter().find(|c| c.name == old.name) {
            Some(new) => channel_changes(old, new, &mut out),
            None => out.push(Change {
                channel: old.name.clone(),
                path: String::new(),
                text: format!(
                    "{}: no longer in the spec; the channel and its ledgers stay on the peers and orderers that have them",
                    old.name
                ),
                by_job: false,
            }),
        }
    }
    out
}

fn channel_changes(old: &ChannelRecord, new: &ChannelRecord, out: &mut Vec<Change>) {
    let ch = &old.name;
    let mut say = |what: String, path: &str, needs: String| {
        let by_job = path.ends_with("/AnchorPeers");
        let made = if by_job { "; its join Job makes it" } else { "" };
        let text = format!("{ch}: {what}: {path} (needs {needs}{made})");
        out.push(Change { channel: ch.clone(), path: path.to_string(), text, by_job });
    };
    let application = majority("/Channel/Application", &old.members);
    membership(&old.members, &new.members, "/Channel/Application", ("", "anchor peers", "AnchorPeers"), &mut say);
    let orderer = majority("/Channel/Orderer", &old.ordering);
    let ordering = ("ordering organisation ", "orderer endpoints", "Endpoints");
    membership(&old.ordering, &new.ordering, "/Channel/Orderer", ordering, &mut say);
    if old.consenters != new.consenters {
        let added: Vec<&str> =
            new.consenters.iter().filter(|c| !old.consenters.contains(c)).map(String::as_str).collect();
        let gone: Vec<&str> =
            old.consenters.iter().filter(|c| !new.consenters.contains(c)).map(String::as_str).collect();
        let path =
            if new.orderer_type == "BFT" { "/Channel/Orderer/Orderers" } else { "/Channel/Orderer/ConsensusType" };
        let what = format!("consenters +[{}] -[{}]", added.join(", "), gone.join(", "));
        say(what, path, orderer.clone());
        if new.orderer_type == "BFT" {
            // configtxgen computes BlockValidation at genesis only; the orderers refuse a config
            // whose policy is not the one of its consenters (smartbft/configverifier.go).
            let (was, now) = (bft_quorum(old.consenters.len()), bft_quorum(new.consenters.len()));
            let what = format!(
                "block validation {was} of {} -> {now} of {} consenter signatures",
                old.consenters.len(),
                new.consenters.len()
            );
            say(what, "/Channel/Orderer/BlockValidation", orderer.clone());
        }
    }
    let groups =
        [("/Channel/Capabilities", 0), ("/Channel/Orderer/Capabilities", 1), ("/Channel/Application/Capabilities", 2)];
    for (path, i) in groups {
        if old.capabilities[i] != new.capabilities[i] {
            let needs = match i {
                0 => format!("/Channel Admins: both {orderer} and {application}"),
                1 => orderer.clone(),
                _ => application.clone(),
            };
            say(format!("capability {} -> {}", old.capabilities[i], new.capabilities[i]), path, needs);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(previous: &[ChannelRecord], current: &[ChannelRecord]) -> Vec<String> {
        changes(previous, current).into_iter().map(|c| c.text).collect()
    }

    fn member(org: &str, addresses: &[&str]) -> Member {
        Member { org: org.into(), addresses: addresses.iter().map(|a| a.to_string()).collect() }
    }

    fn channel() -> ChannelRecord {
        ChannelRecord {
            name: "mychannel".into(),
            members: BTreeMap::from([
                ("Org1MSP".into(), member("org1", &["peer0-org1.n:7051"])),
                ("Org2MSP".into(), member("org2", &["peer0-org2.n:7051"])),
            ]),
            ordering: BTreeMap::from([("OrdMSP".into(), member("ord", &["o0.n:7050", "o1.n:7050", "o2.n:7050"]))]),
            consenters: vec!["o0.n:7050".into(), "o1.n:7050".into(), "o2.n:7050".into()],
            orderer_type: "etcdraft".into(),
            capabilities: ["V2_0".into(), "V2_0".into(), "V2_5".into()],
        }
    }

    #[test]
    fn nothing_changed_says_nothing() {
        assert!(texts(&[channel()], &[channel()]).is_empty());
    }

    #[test]
    fn a_member_joins_under_the_application_admins_majority() {
        let mut new = channel();
        new.members.insert("Org3MSP".into(), member("org3", &["peer0-org3.n:7051"]));
        new.members.get_mut("Org1MSP").unwrap().addresses.push("peer1-org1.n:7051".into());
        let said = changes(&[channel()], &[new]);
        assert_eq!(
            said.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(),
            [
                "mychannel: org3 (Org3MSP) joins: /Channel/Application (needs /Channel/Application Admins: 2 of 2 admin signatures (Org1MSP, Org2MSP))",
                "mychannel: org1's anchor peers peer0-org1.n:7051 -> peer0-org1.n:7051 peer1-org1.n:7051: /Channel/Application/Org1MSP/AnchorPeers (needs Org1MSP Admins: org1's admin signature; its join Job makes it)",
            ]
        );
        assert_eq!(
            said.iter().map(|c| c.by_job).collect::<Vec<_>>(),
            [false, true],
            "only anchor peers are the Jobs' work"
        );
    }

    #[test]
    fn consenters_and_capabilities_need_the_ordering_admins() {
        let mut new = channel();
        new.consenters.push("o3.n:7050".into());
        new.ordering.get_mut("OrdMSP").unwrap().addresses.push("o3.n:7050".into());
        new.capabilities = ["V3_0".into(), "V2_0".into(), "V2_5".into()];
        let said = texts(&[channel()], &[new]);
        assert_eq!(said.len(), 3, "{said:#?}");
        assert!(said[0].starts_with("mychannel: ord's orderer endpoints"), "{said:#?}");
        assert_eq!(
            said[1],
            "mychannel: consenters +[o3.n:7050] -[]: /Channel/Orderer/ConsensusType (needs /Channel/Orderer Admins: 1 of 1 admin signatures (OrdMSP))"
        );
        assert_eq!(
            said[2],
            "mychannel: capability V2_0 -> V3_0: /Channel/Capabilities (needs /Channel Admins: both /Channel/Orderer Admins: 1 of 1 admin signatures (OrdMSP) and /Channel/Application Admins: 2 of 2 admin signatures (Org1MSP, Org2MSP))"
        );
    }

    #[test]
    fn a_bft_consenter_change_rewrites_block_validation() {
        let mut old = channel();
        old.orderer_type = "BFT".into();
        old.consenters.push("o3.n:7050".into());
        let mut new = old.clone();
        new.consenters.push("o4.n:7050".into());
        let said = texts(&[old], &[new]);
        assert_eq!(said.len(), 2, "{said:#?}");
        assert!(said[0].contains(": /Channel/Orderer/Orderers (needs "), "{said:#?}");
        assert_eq!(
            said[1],
            "mychannel: block validation 3 of 4 -> 4 of 5 consenter signatures: /Channel/Orderer/BlockValidation (needs /Channel/Orderer Admins: 1 of 1 admin signatures (OrdMSP))"
        );
    }

    #[test]
    fn a_release_older_than_a_channels_capabilities_is_refused() {
        let mut v3 = channel();
        v3.capabilities = ["V3_0".into(), "V2_0".into(), "V2_5".into()];
        // The spec moves back to 2.5, whose nodes support channel capability V2_0 at most.
        let problems = capability_problems(std::slice::from_ref(&v3), &[channel()]);
        assert_eq!(
            problems,
            [
                "channel mychannel has the Channel capability V3_0, which nodes of this Fabric release refuse (\"Channel capability V3_0 is required but not supported\"; they support up to V2_0): keep a Fabric release that supports V3_0"
            ]
        );
        // Forward is fine: nodes first, then the channel's capability (upgrade_to_newest_version.md).
        assert!(capability_problems(&[channel()], &[v3.clone()]).is_empty());
        assert!(capability_problems(std::slice::from_ref(&v3), std::slice::from_ref(&v3)).is_empty());
        assert!(capability_level("V2_5") > capability_level("V2_0"));
        assert!(capability_level("V3_0") > capability_level("V2_5"));
    }

    #[test]
    fn bft_quorums_follow_fabric() {
        // n = 3: f = 0, ⌈4/2⌉ = 2; n = 4: f = 1, ⌈6/2⌉ = 3; n = 7: f = 2, ⌈10/2⌉ = 5;
        // n = 10: f = 3, ⌈14/2⌉ = 7.
        assert_eq!([1, 3, 4, 5, 7, 10].map(bft_quorum), [1, 2, 3, 4, 5, 7]);
    }

    #[test]
    fn a_majority_is_more_than_half() {
        let three = BTreeMap::from([
            ("A".into(), member("a", &[])),
            ("B".into(), member("b", &[])),
            ("C".into(), member("c", &[])),
        ]);
        assert!(majority("/Channel/Application", &three).contains(": 2 of 3 "));
        let mut four = three.clone();
        four.insert("D".into(), member("d", &[]));
        assert!(majority("/Channel/Application", &four).contains(": 3 of 4 "));
    }

    #[test]
    fn the_update_job_makes_what_needs_signatures() {
        let mut new = channel();
        new.members.insert("Org3MSP".into(), member("org3", &[]));
        let made: Vec<Change> =
            changes(&[channel()], &[new.clone()]).into_iter().map(|c| c.by_update_job(false)).collect();
        assert_eq!(
            made[0].text,
            "mychannel: org3 (Org3MSP) joins: /Channel/Application (needs /Channel/Application Admins: 2 of 2 admin signatures (Org1MSP, Org2MSP); its update Job gathers them and makes it)"
        );
        assert!(made[0].by_job);
        let offline = changes(&[channel()], &[new]).remove(0).by_update_job(true);
        assert!(offline.text.ends_with("; its update Job proposes it and sends it once signed offline)"));
        assert!(!offline.by_job, "the others' signatures are still to come");
        let gone = changes(&[channel()], &[]).remove(0).by_update_job(false);
        assert!(!gone.by_job && !gone.text.contains("update Job"), "{gone:?}");
        let mut v3 = channel();
        v3.capabilities[0] = "V3_0".into();
        let raised = changes(&[channel()], &[v3]).remove(0).by_update_job(false);
        assert!(!raised.by_job && raised.path == "/Channel/Capabilities", "{raised:?}");
    }

    #[test]
    fn a_channel_gone_from_the_spec_is_said_to_stay() {
        assert_eq!(
            texts(&[channel()], &[]),
            [
                "mychannel: no longer in the spec; the channel and its ledgers stay on the peers and orderers that have them"
            ]
        );
    }
}
