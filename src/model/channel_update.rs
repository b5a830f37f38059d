//! The Job that keeps a running channel's configuration at the spec's (`channel-<ch>-update`,
//! templates/channel-update.yaml, templates/jobs/channel-update-*.sh). It reconciles: it
//! fetches the live configuration, takes from a block configtxgen makes of the spec's profile
//! what the spec decides (members, ordering organisations and endpoints, consenters with BFT's
//! `BlockValidation`; capabilities wait for the nodes, by hand), and sends an update only when
//! they differ, so it needs no record of earlier renders and a second run does nothing.
//!
//! Signatures: the channel's creator proposes and submits (`peer channel update` signs as its
//! admin, fabric internal/peer/channel/update.go `sanityCheckAndSignConfigTx`); every other
//! ordering organisation and every member signs in its own init container with its own admin
//! MSP (`peer channel signconfigtx`, internal/peer/channel/signconfigtx.go), only when the
//! update touches a group whose `Admins` policy counts it. In a consortium's parts only the
//! creator's part has the Job, and the other organisations sign offline ([`in_part_of`]).

use super::network::{ChannelUpdate, OrdererOrg, UpdateSigner};
use crate::spec::{ChannelSpec, NetworkSpec, names};

/// The update Job of `channel`, whose ordering organisations are resolved in `orderer_orgs`.
pub fn channel_update(spec: &NetworkSpec, channel: &ChannelSpec, orderer_orgs: &[OrdererOrg]) -> Option<ChannelUpdate> {
    let ordering: Vec<&OrdererOrg> = spec
        .channel_ordering_orgs(channel)
        .into_iter()
        .filter_map(|o| orderer_orgs.iter().find(|m| m.name == o.name))
        .collect();
    let submitter = ordering.first()?;
    let other_ordering = ordering.iter().skip(1).map(|o| signer(&o.name, &o.msp_id));
    // Every peer organisation of the network, not only the channel's members: one leaving the
    // channel may have to sign its own removal (MAJORITY of two is two), and the Job cannot
    // know who left since it reads no earlier render. A signer whose admin no changed group
    // counts signs nothing.
    let members = spec.orgs.iter().map(|o| signer(&o.name, &o.msp_id));
    Some(ChannelUpdate {
        job: names::channel_update_job(&channel.name),
        submitter: submitter.name.clone(),
        signers: other_ordering.chain(members).collect(),
        orderers: submitter.orderers.iter().map(|o| o.address.clone()).collect(),
        wanted: wanted(spec, channel, &ordering),
        signed_updates: None,
    })
}

/// In `org`'s part of a consortium: the update Job of a channel `org` creates, signed by the
/// others offline (`ChannelUpdate::signed_updates`); no Job for the other channels.
pub fn in_part_of(update: Option<ChannelUpdate>, org: &str, network: &str) -> Option<ChannelUpdate> {
    let mut update = update.filter(|u| u.submitter == org)?;
    update.signers.clear();
    update.signed_updates = Some(names::signed_updates_config_map(network));
    Some(update)
}

fn signer(org: &str, msp_id: &str) -> UpdateSigner {
    UpdateSigner { org: org.to_string(), msp_id: msp_id.to_string(), admin_msp_secret: names::admin_msp_secret(org) }
}

/// What the spec decides of the channel's configuration that the Job keeps, in words
/// (capabilities are raised by hand once every node runs the release that has them).
fn wanted(spec: &NetworkSpec, channel: &ChannelSpec, ordering: &[&OrdererOrg]) -> String {
    let members: Vec<&str> =
        spec.orgs.iter().filter(|o| channel.orgs.contains(&o.name)).map(|o| o.msp_id.as_str()).collect();
    let consenters: Vec<&str> =
        ordering.iter().flat_map(|o| o.orderers.iter().map(|n| n.advertised_address.as_str())).collect();
    let ordering: Vec<&str> = ordering.iter().map(|o| o.msp_id.as_str()).collect();
    format!("members {}; ordering {}; consenters {}", members.join(" "), ordering.join(" "), consenters.join(" "))
}
