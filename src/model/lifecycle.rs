//! Chaincode definitions as `_lifecycle` sees them, and the rule fabgen enforces across
//! renders: a new sequence exactly when Fabric needs one.
//!
//! `ApproveChaincodeDefinitionForOrg` (fabric core/chaincode/lifecycle/lifecycle.go) takes an
//! approval for the committed sequence or the next one, never lower ("currently defined sequence
//! N is larger than requested sequence M") or further ("requested sequence M is larger than the
//! next available sequence number N+1"). At the committed sequence the definition's parameters
//! must equal the committed ones (`ChaincodeParameters.Equal`: version, endorsement and
//! validation plugins, init-required, the validation parameter, i.e. the endorsement policy, and
//! the collections), "… with different parameters" otherwise; the package ID is not one of them.
//! An org's approval at the committed sequence with a new package ID is taken, and its peers'
//! lifecycle cache switches to that package (core/chaincode/lifecycle/cache.go watches the org's
//! own `chaincode-sources` key). So a member that starts running the chaincode, or moves its
//! chaincode server (a new address is a new package ID), needs only its own approval at the
//! committed sequence; only new parameters need the next sequence, which every member approves.
//!
//! `fabgen render -o DIR` records each definition on the lifecycle Jobs it writes (annotation
//! [`DEFINITION_ANNOTATION`]) and, on the next render into DIR, compares: [`sequence_problems`]
//! says which chaincode changed what, and which sequence to use.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Annotation on every lifecycle Job: the [`Definition`] it approves, as JSON.
pub const DEFINITION_ANNOTATION: &str = "fabgen.io/chaincode-definition";

/// A chaincode definition: what approveformyorg and commit send, plus each org's package ID
/// (not part of the definition on the channel, but what an org's approval points its peers at).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    /// Channel.
    pub channel: String,
    /// Chaincode name.
    pub name: String,
    /// `--version`.
    pub version: String,
    /// `--sequence`.
    pub sequence: u64,
    /// `--init-required`.
    pub init_required: bool,
    /// `--signature-policy`.
    pub signature_policy: Option<String>,
    /// `--channel-config-policy`.
    pub channel_config_policy: Option<String>,
    /// The `--collections-config` JSON.
    pub collections: Option<String>,
    /// Package ID per org that runs the chaincode.
    pub package_ids: BTreeMap<String, String>,
}

impl Definition {
    /// What differs from `previous` in the parameters Fabric compares at a committed sequence,
    /// in words. fabgen sets no endorsement or validation plugin (Fabric's defaults, escc and
    /// vscc, in every definition), so those never differ.
    pub fn parameter_changes_since(&self, previous: &Definition) -> Vec<String> {
        let mut changes = Vec::new();
        let mut field = |what: &str, old: String, new: String| {
            if old != new {
                changes.push(format!("{what} {old} -> {new}"));
            }
        };
        let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".to_string());
        field("version", previous.version.clone(), self.version.clone());
        field("initRequired", previous.init_required.to_string(), self.init_required.to_string());
        field("signature policy", shown(&previous.signature_policy), shown(&self.signature_policy));
        field("channel config policy", shown(&previous.channel_config_policy), shown(&self.channel_config_policy));
        if previous.collections != self.collections {
            changes.push("collections config".to_string());
        }
        changes
    }

    /// The organisations whose package changed since `previous` (one that starts or stops
    /// running the chaincode among them), with the change in words.
    pub fn package_changes_since(&self, previous: &Definition) -> Vec<(String, String)> {
        let orgs: std::collections::BTreeSet<&String> =
            previous.package_ids.keys().chain(self.package_ids.keys()).collect();
        let shown = |ids: &BTreeMap<String, String>, org: &str| ids.get(org).cloned().unwrap_or("(none)".into());
        orgs.into_iter()
            .filter(|org| previous.package_ids.get(*org) != self.package_ids.get(*org))
            .map(|org| {
                let change = format!(
                    "package of {org} {} -> {}",
                    shown(&previous.package_ids, org),
                    shown(&self.package_ids, org)
                );
                (org.clone(), change)
            })
            .collect()
    }
}

/// A chaincode whose sequence does not follow from what was rendered before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceProblem {
    /// Index of the chaincode in the spec's (and the network's) `chaincodes`.
    pub chaincode: usize,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl Definition {
    /// The definition as one organisation's part of a consortium records it: with that
    /// organisation's package ID only, since its part holds only its own lifecycle Job.
    pub fn as_part_of(&self, org: &str) -> Definition {
        let mut part = self.clone();
        part.package_ids.retain(|o, _| o == org);
        part
    }
}

/// Compares a network's definitions (in spec order) with those rendered before (by chaincode
/// name), taken as what the channel has committed, by Fabric's rules (module comment).
/// Chaincodes new to the network, or moved to another channel, may start anywhere (a channel
/// may know them already).
pub fn sequence_problems<'a>(
    previous: &BTreeMap<String, Definition>,
    current: impl IntoIterator<Item = &'a Definition>,
) -> Vec<SequenceProblem> {
    let mut problems = Vec::new();
    for (i, new) in current.into_iter().enumerate() {
        let Some(old) = previous.get(&new.name).filter(|old| old.channel == new.channel) else { continue };
        if let Some(message) = sequence_problem(old, new) {
            problems.push(SequenceProblem { chaincode: i, message });
        }
    }
    problems
}

/// What is wrong with `new`'s sequence after `old` was committed, if anything.
fn sequence_problem(old: &Definition, new: &Definition) -> Option<String> {
    let (committed, next) = (old.sequence, old.sequence + 1);
    let changes = new.parameter_changes_since(old);
    if new.sequence < committed {
        Some(format!(
            "sequence {} is below {committed}, which was rendered before; a channel's sequence never goes back: use {committed} (same parameters; a package may change) or {next} (new parameters)",
            new.sequence
        ))
    } else if new.sequence > next {
        Some(format!(
            "sequence {} skips ahead of {committed}, which was rendered before; Fabric approves only the committed or the next sequence: set `sequence: {next}`",
            new.sequence
        ))
    } else if new.sequence == committed && !changes.is_empty() {
        Some(format!(
            "chaincode \"{}\" changed its definition ({}) but keeps sequence {committed}; Fabric approves new parameters only under the next sequence: set `sequence: {next}`, which every member approves again (a package change alone needs only its org's approval at sequence {committed})",
            new.name,
            changes.join(", ")
        ))
    } else {
        None
    }
}

/// What a re-render asks of the channel for each chaincode whose definition or packages
/// changed since `previous`, in words: a new sequence every member approves, or only some
/// organisations' approval of their new package at the committed sequence.
pub fn lifecycle_changes<'a>(
    previous: &BTreeMap<String, Definition>,
    current: impl IntoIterator<Item = &'a Definition>,
) -> Vec<String> {
    let mut out = Vec::new();
    for new in current {
        let Some(old) = previous.get(&new.name).filter(|old| old.channel == new.channel) else { continue };
        let at = format!("chaincode {} on {}", new.name, new.channel);
        let packages = new.package_changes_since(old);
        if new.sequence == old.sequence + 1 {
            let mut changes = new.parameter_changes_since(old);
            changes.extend(packages.into_iter().map(|(_, c)| c));
            let changes = if changes.is_empty() { "same parameters".to_string() } else { changes.join(", ") };
            out.push(format!(
                "{at}: sequence {} ({changes}): every member approves it, then it is committed",
                new.sequence
            ));
        } else if new.sequence == old.sequence && !packages.is_empty() {
            let orgs: Vec<&str> = packages.iter().map(|(org, _)| org.as_str()).collect();
            let changes: Vec<&str> = packages.iter().map(|(_, c)| c.as_str()).collect();
            out.push(format!(
                "{at}: {} approve{} committed sequence {} with {} new package ({}); nothing is committed",
                orgs.join(", "),
                if orgs.len() == 1 { "s" } else { "" },
                new.sequence,
                if orgs.len() == 1 { "its" } else { "their" },
                changes.join(", ")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(version: &str, sequence: u64, package: &str) -> Definition {
        Definition {
            channel: "ch".into(),
            name: "basic".into(),
            version: version.into(),
            sequence,
            init_required: false,
            signature_policy: None,
            channel_config_policy: None,
            collections: None,
            package_ids: BTreeMap::from([("org1".into(), package.into())]),
        }
    }

    #[test]
    fn parameters_and_packages_are_told_apart() {
        let old = definition("1.0", 1, "basic_1.0:aa");
        let mut new = definition("1.1", 2, "basic_1.1:bb");
        new.signature_policy = Some("OR('Org1MSP.peer')".into());
        new.package_ids.insert("org3".into(), "basic_1.1:cc".into());
        assert_eq!(
            new.parameter_changes_since(&old),
            ["version 1.0 -> 1.1", "signature policy (none) -> OR('Org1MSP.peer')"]
        );
        assert_eq!(
            new.package_changes_since(&old),
            [
                ("org1".to_string(), "package of org1 basic_1.0:aa -> basic_1.1:bb".to_string()),
                ("org3".to_string(), "package of org3 (none) -> basic_1.1:cc".to_string())
            ]
        );
        assert!(definition("1.0", 5, "basic_1.0:aa").parameter_changes_since(&old).is_empty());
    }

    /// The one rule, checked against `ApproveChaincodeDefinitionForOrg`'s cases with the
    /// committed definition at sequence 3 (fabric core/chaincode/lifecycle/lifecycle.go).
    fn problem(new: &Definition) -> Option<String> {
        let old = definition("1.0", 3, "basic_1.0:aa");
        let problems = sequence_problems(&BTreeMap::from([("basic".to_string(), old)]), [new]);
        assert!(problems.len() <= 1 && problems.iter().all(|p| p.chaincode == 0));
        problems.into_iter().next().map(|p| p.message)
    }

    #[test]
    fn below_the_committed_sequence_is_refused() {
        // "currently defined sequence 3 is larger than requested sequence 2"
        let message = problem(&definition("1.0", 2, "basic_1.0:aa")).unwrap();
        assert!(message.starts_with("sequence 2 is below 3"), "{message}");
        assert!(message.ends_with("use 3 (same parameters; a package may change) or 4 (new parameters)"));
    }

    #[test]
    fn beyond_the_next_sequence_is_refused() {
        // "requested sequence 5 is larger than the next available sequence number 4"
        let message = problem(&definition("1.1", 5, "basic_1.1:bb")).unwrap();
        assert!(message.ends_with("set `sequence: 4`"), "{message}");
    }

    #[test]
    fn new_parameters_at_the_committed_sequence_are_refused() {
        // "attempted to redefine the current committed sequence (3) … with different parameters"
        let mut changed = [definition("1.1", 3, "basic_1.0:aa"), definition("1.0", 3, "basic_1.0:aa")];
        changed[1].init_required = true;
        let mut policy = definition("1.0", 3, "basic_1.0:aa");
        policy.channel_config_policy = Some("/Channel/Application/Endorsement".into());
        let mut collections = definition("1.0", 3, "basic_1.0:aa");
        collections.collections = Some("[]".into());
        for (new, what) in changed.iter().chain([&policy, &collections]).zip([
            "version 1.0 -> 1.1",
            "initRequired false -> true",
            "channel config policy (none) -> /Channel/Application/Endorsement",
            "collections config",
        ]) {
            let message = problem(new).unwrap();
            assert!(
                message
                    .starts_with(&format!("chaincode \"basic\" changed its definition ({what}) but keeps sequence 3")),
                "{message}"
            );
            assert!(message.contains("set `sequence: 4`"), "{message}");
        }
    }

    #[test]
    fn a_new_package_or_member_at_the_committed_sequence_needs_no_new_sequence() {
        // The package ID is not a parameter: an approval at the committed sequence with a new
        // package is taken, and so is a new member's.
        let moved = definition("1.0", 3, "basic_1.0:ff");
        assert_eq!(problem(&moved), None);
        let mut joined = definition("1.0", 3, "basic_1.0:aa");
        joined.package_ids.insert("org3".into(), "basic_1.0:cc".into());
        assert_eq!(problem(&joined), None);
        let old = BTreeMap::from([("basic".to_string(), definition("1.0", 3, "basic_1.0:aa"))]);
        assert_eq!(
            lifecycle_changes(&old, [&joined]),
            [
                "chaincode basic on ch: org3 approves committed sequence 3 with its new package (package of org3 (none) -> basic_1.0:cc); nothing is committed"
            ]
        );
        assert_eq!(
            lifecycle_changes(&old, [&moved]),
            [
                "chaincode basic on ch: org1 approves committed sequence 3 with its new package (package of org1 basic_1.0:aa -> basic_1.0:ff); nothing is committed"
            ]
        );
    }

    #[test]
    fn the_next_sequence_is_taken_with_or_without_new_parameters() {
        for new in [definition("1.1", 4, "basic_1.1:bb"), definition("1.0", 4, "basic_1.0:aa")] {
            assert_eq!(problem(&new), None);
        }
        let old = BTreeMap::from([("basic".to_string(), definition("1.0", 3, "basic_1.0:aa"))]);
        assert_eq!(
            lifecycle_changes(&old, [&definition("1.1", 4, "basic_1.1:bb")]),
            [
                "chaincode basic on ch: sequence 4 (version 1.0 -> 1.1, package of org1 basic_1.0:aa -> basic_1.1:bb): every member approves it, then it is committed"
            ]
        );
        assert!(lifecycle_changes(&old, [&definition("1.0", 3, "basic_1.0:aa")]).is_empty(), "nothing changed");
    }

    #[test]
    fn another_channel_is_another_definition() {
        let mut moved = definition("1.1", 1, "basic_1.1:bb");
        moved.channel = "other".into();
        assert_eq!(problem(&moved), None);
    }
}
