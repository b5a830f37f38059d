//! One organisation's part of a consortium (`fabgen render --org ORG --cards DIR`): ORG renders
//! what it runs, with its own Secrets (from its own `fabgen crypto --org ORG`), and takes
//! everything it needs of the other organisations from their public cards (DIR/<org>.yaml):
//! their MSPs and orderer certificates become ConfigMaps in ORG's tree, which ORG's Jobs mount
//! where they would otherwise mount the other organisations' Secrets. No Secret of another
//! organisation is named, and no private key crosses.
//!
//! The other members create channels, join and approve on their own schedule, so a part's Jobs
//! wait for them for a year, not ten minutes ([`JobWaits::consortium_part`]): the committer's
//! `checkcommitreadiness` waits for the approvals it needs however long they take.
//!
//! Every card is checked against the spec first: it must exist, be the card of its
//! organisation, carry the MSP ID the spec gives and exactly the nodes and endpoints the spec
//! derives. All problems are reported together.

use std::collections::BTreeMap;
use std::path::Path;

use super::card::Card;
use super::network::{Custody, JobWaits, Network, PublicOrg};
use crate::spec::diagnostic::known_list;
use crate::spec::names;
use anyhow::{Result, bail};

/// Turns `network` into `org`'s part, with the other organisations' cards from `cards`.
pub fn apply(network: &mut Network, org: &str, cards: &Path) -> Result<()> {
    let orgs: Vec<String> = network
        .orderer_orgs
        .iter()
        .map(|o| o.name.clone())
        .chain(network.orgs.iter().map(|o| o.name.clone()))
        .collect();
    if !orgs.iter().any(|o| o == org) {
        bail!("--org {org}: the spec has no organisation \"{org}\" ({})", known_list(orgs.iter().map(String::as_str)));
    }
    let mut problems = Vec::new();
    let mut public = Vec::new();
    for other in orgs.iter().filter(|o| *o != org) {
        match Card::read(cards, other).and_then(|card| checked(network, card)) {
            Ok(card) => public.push(public_org(card)),
            Err(e) => problems.push(format!("{e:#}")),
        }
    }
    if !problems.is_empty() {
        bail!("cannot render {org}'s part from the cards in {}:\n{}", cards.display(), problems.join("\n"));
    }
    for p in &public {
        mark_public(network, &p.org, &p.config_map);
    }
    network.custody = Some(Custody { org: org.to_string(), public });
    network.job_waits = JobWaits::consortium_part();
    Ok(())
}

/// The card, if it says what the spec says of its organisation: MSP ID, nodes, endpoints.
fn checked(network: &Network, card: Card) -> Result<Card> {
    let (msp_id, nodes): (&str, Vec<(String, String)>) = match network.orderer_orgs.iter().find(|o| o.name == card.org)
    {
        Some(o) => (&o.msp_id, o.orderers.iter().map(|n| (n.name.clone(), n.advertised_address.clone())).collect()),
        None => {
            let o = network.orgs.iter().find(|o| o.name == card.org).expect("cards are read for the spec's orgs");
            (&o.msp_id, o.peers.iter().map(|p| (p.name.clone(), p.advertised_address.clone())).collect())
        }
    };
    let mut problems = Vec::new();
    if card.msp_id != msp_id {
        problems.push(format!("MSP ID {} (the spec: {msp_id})", card.msp_id));
    }
    let carded: Vec<(String, String)> = card.nodes.iter().map(|n| (n.name.clone(), n.endpoint.clone())).collect();
    for (name, endpoint) in &nodes {
        match carded.iter().find(|(n, _)| n == name) {
            None => problems.push(format!("no node {name}")),
            Some((_, e)) if e != endpoint => problems.push(format!("{name} at {e} (the spec: {endpoint})")),
            _ => {}
        }
    }
    for (name, _) in carded.iter().filter(|(n, _)| !nodes.iter().any(|(m, _)| m == n)) {
        problems.push(format!("node {name}, which the spec does not have"));
    }
    let orderers = card.nodes.iter().filter(|n| n.kind == "orderer");
    if let Some(n) = orderers.clone().find(|n| n.tls_cert.is_none() || n.identity.is_none()) {
        problems.push(format!("orderer {} without its TLS and signing certificates", n.name));
    }
    if problems.is_empty() {
        Ok(card)
    } else {
        bail!("the card of {} contradicts the spec: {}", card.org, problems.join("; "))
    }
}

fn public_org(card: Card) -> PublicOrg {
    let mut data = BTreeMap::from([
        ("cacert.pem".to_string(), card.msp.cacert),
        ("tlscacert.pem".to_string(), card.msp.tlscacert),
        ("config.yaml".to_string(), card.msp.config),
    ]);
    for node in card.nodes {
        if let Some(tls) = node.tls_cert {
            data.insert(format!("{}.tls.crt", node.name), tls);
        }
        if let Some(identity) = node.identity {
            data.insert(format!("{}.cert.pem", node.name), identity);
        }
    }
    PublicOrg { config_map: names::public_config_map(&card.org), org: card.org, data }
}

/// Points the templates at `config_map` for `org`'s public MSP and its orderers' certificates.
fn mark_public(network: &mut Network, org: &str, config_map: &str) {
    for o in network.orgs.iter_mut().filter(|o| o.name == org) {
        o.public_config_map = Some(config_map.to_string());
    }
    for o in network.orderer_orgs.iter_mut().filter(|o| o.name == org) {
        o.public_config_map = Some(config_map.to_string());
        for orderer in &mut o.orderers {
            orderer.public_config_map = Some(config_map.to_string());
        }
    }
}
