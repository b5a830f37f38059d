//! Chaincode definitions as `_lifecycle` sees them, and the one rule fabgen enforces across
//! renders: a definition that changed needs the next sequence.
//!
//! Fabric refuses to approve a changed definition under a sequence that is committed ("attempted
//! to define the current sequence (N) … but the definition does not match") and to commit a
//! sequence twice; a package change under the same sequence would even be approved and then
//! never run. `fabgen render -o DIR` therefore records each definition on the lifecycle Jobs it
//! writes (annotation [`DEFINITION_ANNOTATION`]) and, on the next render into DIR, compares:
//! [`sequence_problems`] says which chaincode changed what, and which sequence to use.

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
    /// What differs from `previous`, apart from the sequence, in words.
    pub fn changes_since(&self, previous: &Definition) -> Vec<String> {
        let mut changes = Vec::new();
        let mut field = |what: &str, old: String, new: String| {
            if old != new {
                changes.push(format!("{what} {old} -> {new}"));
            }
        };
        let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".to_string());
        field("channel", previous.channel.clone(), self.channel.clone());
        field("version", previous.version.clone(), self.version.clone());
        field("initRequired", previous.init_required.to_string(), self.init_required.to_string());
        field("signature policy", shown(&previous.signature_policy), shown(&self.signature_policy));
        field("channel config policy", shown(&previous.channel_config_policy), shown(&self.channel_config_policy));
        let orgs: std::collections::BTreeSet<&String> =
            previous.package_ids.keys().chain(self.package_ids.keys()).collect();
        for org in orgs {
            let old = previous.package_ids.get(org).cloned().unwrap_or_else(|| "(none)".to_string());
            let new = self.package_ids.get(org).cloned().unwrap_or_else(|| "(none)".to_string());
            field(&format!("package of {org}"), old, new);
        }
        if previous.collections != self.collections {
            changes.push("collections config".to_string());
        }
        changes
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
/// name). Chaincodes new to the network may start anywhere (a channel may know them already).
pub fn sequence_problems<'a>(
    previous: &BTreeMap<String, Definition>,
    current: impl IntoIterator<Item = &'a Definition>,
) -> Vec<SequenceProblem> {
    let mut problems = Vec::new();
    for (i, new) in current.into_iter().enumerate() {
        let Some(old) = previous.get(&new.name) else { continue };
        let mut problem = |message: String| problems.push(SequenceProblem { chaincode: i, message });
        let changes = new.changes_since(old);
        if old.channel != new.channel {
            // Another channel is another definition: it starts there afresh.
            continue;
        }
        if new.sequence < old.sequence {
            problem(format!(
                "sequence {} is below {}, which was rendered before; a channel's sequence never goes back: use {} (unchanged) or {} (changed)",
                new.sequence,
                old.sequence,
                old.sequence,
                old.sequence + 1
            ));
        } else if new.sequence == old.sequence && !changes.is_empty() {
            problem(format!(
                "chaincode \"{}\" changed ({}) but keeps sequence {}; a changed definition needs a new sequence: set `sequence: {}`",
                new.name,
                changes.join(", "),
                old.sequence,
                old.sequence + 1
            ));
        } else if new.sequence > old.sequence + 1 {
            problem(format!(
                "sequence {} skips ahead of {}, which was rendered before; Fabric approves only the next sequence: set `sequence: {}`",
                new.sequence,
                old.sequence,
                old.sequence + 1
            ));
        }
    }
    problems
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
    fn names_every_change_but_the_sequence() {
        let old = definition("1.0", 1, "basic_1.0:aa");
        let mut new = definition("1.1", 2, "basic_1.1:bb");
        new.signature_policy = Some("OR('Org1MSP.peer')".into());
        assert_eq!(
            new.changes_since(&old),
            [
                "version 1.0 -> 1.1",
                "signature policy (none) -> OR('Org1MSP.peer')",
                "package of org1 basic_1.0:aa -> basic_1.1:bb"
            ]
        );
        assert!(definition("1.0", 5, "basic_1.0:aa").changes_since(&old).is_empty());
    }
}
