//! PodDisruptionBudgets: how many of an organisation's nodes a voluntary disruption (a drain,
//! an autoscaler moving pods) may take at once without costing the network its fault
//! tolerance.
//!
//! - Ordering nodes. A channel of n consenters tolerates ⌊(n−1)/2⌋ unavailable with Raft (a
//!   majority must stay) and f = ⌊(n−1)/3⌋ with SmartBFT (n ≥ 3f + 1). Budgets are per ordering
//!   organisation, each selecting its own orderers, and Kubernetes checks each on its own, so
//!   when a channel's consenters span organisations the channel's tolerance is shared out by
//!   their sizes (largest remainder): the shares add up to exactly what the channel tolerates,
//!   however many drains run at once in the organisations' clusters. An organisation serving
//!   several channels takes its smallest share. One whose share is 0 gets no budget (it would
//!   block every drain); spreading its orderers across nodes is then its only guard.
//! - Peers. An organisation with two or more peers keeps one available.
//! - Chaincode Deployments (`launcher: ccaas`) of two or more replicas lose one at a time.
//!   Fabric CAs run one replica each (their database is the pod's own), so they get none.
//! - A budget that would allow no disruption at all blocks every drain of its nodes, so none is
//!   rendered (for example for a single node, or two Raft orderers, which tolerate no loss).
//!
//! The orderer and peer budgets select several StatefulSets (one per node), so they use an
//! integer `minAvailable`, which Kubernetes accepts for any group of pods ("Arbitrary
//! Controllers and Selectors" in the PodDisruptionBudget task docs); a chaincode's selects its
//! one Deployment and uses `maxUnavailable`.

use std::collections::BTreeMap;

use super::network::{Budget, ChaincodeDeployment, Channel, Network, OrdererOrg, Org};

/// The budgets of `network`'s ordering organisations, peer organisations and chaincode
/// Deployments; `bft` when the consenters run SmartBFT.
pub fn budgets(network: &Network, bft: bool) -> Vec<Budget> {
    let (orderer_orgs, channels) = (&network.orderer_orgs, &network.channels);
    let ordering = orderer_orgs.iter().filter_map(|o| orderer_budget(&network.name, o, orderer_orgs, channels, bft));
    let peers = network.orgs.iter().filter_map(|o| peer_budget(&network.name, o));
    let deployments = network.chaincodes.iter().flat_map(|c| &c.deployments);
    let chaincodes = deployments.filter(|d| d.replicas >= 2).map(chaincode_budget);
    ordering.chain(peers).chain(chaincodes).collect()
}

/// An organisation with two or more peers keeps one available.
fn peer_budget(network: &str, org: &Org) -> Option<Budget> {
    (org.peers.len() >= 2).then(|| Budget {
        name: crate::spec::names::disruption_budget(&org.name, "peers"),
        org: org.name.clone(),
        component: "peer",
        chaincode: None,
        selector: group(network, "peer", &org.name),
        min_available: Some(1),
        max_unavailable: None,
        reason: format!("{} peers: one stays available to endorse and serve the org's clients", org.peers.len()),
    })
}

/// A chaincode Deployment of two or more replicas keeps all but one: `maxUnavailable: 1`,
/// which keeps one of two and, unlike `minAvailable: 1`, never blocks a drain if the chart's
/// `replicas` is turned down to 1.
fn chaincode_budget(d: &ChaincodeDeployment) -> Budget {
    Budget {
        name: d.name.clone(),
        org: d.org.clone(),
        component: "chaincode",
        chaincode: Some(d.chaincode.clone()),
        selector: labels(&[("app.kubernetes.io/component", "chaincode"), ("app.kubernetes.io/instance", &d.name)]),
        min_available: None,
        max_unavailable: Some(1),
        reason: format!("{} replicas: one at a time goes, the others serve the org's peers", d.replicas),
    }
}

/// The labels of one organisation's orderers or peers.
fn group(network: &str, component: &str, org: &str) -> BTreeMap<String, String> {
    labels(&[
        ("app.kubernetes.io/component", component),
        ("app.kubernetes.io/part-of", network),
        ("fabgen.io/org", org),
    ])
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Unavailable consenters a channel of `n` tolerates.
pub fn tolerance(n: usize, bft: bool) -> usize {
    let n = n.max(1);
    if bft { (n - 1) / 3 } else { (n - 1) / 2 }
}

fn orderer_budget(
    network: &str,
    org: &OrdererOrg,
    all: &[OrdererOrg],
    channels: &[Channel],
    bft: bool,
) -> Option<Budget> {
    let own = org.orderers.len();
    let shares: Vec<(usize, String)> = channels
        .iter()
        .filter(|c| c.ordering.contains(&org.name))
        .map(|c| {
            // In the network's order, not the channel's: ties go to the same organisation on
            // every channel, so its smallest share is not 0 by the other channels' ties.
            let sizes: Vec<(&str, usize)> = all
                .iter()
                .filter(|o| c.ordering.contains(&o.name))
                .map(|o| (o.name.as_str(), o.orderers.len()))
                .collect();
            let n: usize = sizes.iter().map(|(_, k)| k).sum();
            let share = share_of(&org.name, &sizes, tolerance(n, bft));
            let why = format!(
                "channel {}: {n} consenters tolerate {}, {}'s share {share}",
                c.name,
                tolerance(n, bft),
                org.name
            );
            (share, why)
        })
        .collect();
    let (allowed, reason) = match shares.iter().min_by_key(|(share, _)| *share) {
        Some((share, why)) => (*share, why.clone()),
        None => {
            (tolerance(own, bft), format!("{own} orderers serving no channel yet tolerate {}", tolerance(own, bft)))
        }
    };
    let kind = if bft { "SmartBFT" } else { "Raft" };
    (allowed > 0).then(|| Budget {
        name: crate::spec::names::disruption_budget(&org.name, "orderers"),
        org: org.name.clone(),
        component: "orderer",
        chaincode: None,
        selector: group(network, "orderer", &org.name),
        min_available: Some(own - allowed),
        max_unavailable: None,
        reason: format!("{kind}, at most {allowed} unavailable ({reason})"),
    })
}

/// `org`'s part of a channel's `tolerance` among its ordering organisations (`sizes`: each
/// one's consenters, in the network's order): by the largest remainder, so the parts add up to
/// exactly the tolerance and follow the organisations' sizes; ties go to the earlier one.
fn share_of(org: &str, sizes: &[(&str, usize)], tolerance: usize) -> usize {
    let n: usize = sizes.iter().map(|(_, k)| k).sum();
    if n == 0 {
        return 0;
    }
    let floors: usize = sizes.iter().map(|(_, k)| tolerance * k / n).sum();
    let mut by_remainder: Vec<(usize, usize)> =
        sizes.iter().enumerate().map(|(i, (_, k))| (i, tolerance * k % n)).collect();
    by_remainder.sort_by_key(|&(i, r)| (std::cmp::Reverse(r), i));
    let extra: Vec<usize> = by_remainder.iter().take(tolerance - floors).map(|&(i, _)| i).collect();
    sizes
        .iter()
        .enumerate()
        .find(|(_, (name, _))| *name == org)
        .map_or(0, |(i, (_, k))| tolerance * k / n + usize::from(extra.contains(&i)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raft_keeps_a_majority_and_smartbft_keeps_2f_plus_1() {
        // Raft: n = 3 → 1, 4 → 1, 5 → 2; SmartBFT: 4 → 1, 6 → 1, 7 → 2.
        assert_eq!([1, 2, 3, 4, 5].map(|n| tolerance(n, false)), [0, 0, 1, 1, 2]);
        assert_eq!([1, 3, 4, 6, 7].map(|n| tolerance(n, true)), [0, 0, 1, 1, 2]);
    }

    #[test]
    fn shares_follow_sizes_and_never_add_up_to_more_than_the_channel_tolerates() {
        for sizes in [vec![3], vec![3, 3], vec![2, 2], vec![3, 2], vec![1, 1, 1, 1, 1], vec![4, 1, 2]] {
            let named: Vec<(String, usize)> = sizes.iter().enumerate().map(|(i, k)| (format!("o{i}"), *k)).collect();
            let named: Vec<(&str, usize)> = named.iter().map(|(n, k)| (n.as_str(), *k)).collect();
            let n: usize = sizes.iter().sum();
            for bft in [false, true] {
                let f = tolerance(n, bft);
                let shares: Vec<usize> = named.iter().map(|(o, _)| share_of(o, &named, f)).collect();
                assert_eq!(shares.iter().sum::<usize>(), f, "{sizes:?} bft {bft}: {shares:?}");
                for (share, k) in shares.iter().zip(&sizes) {
                    assert!(*share <= *k, "{sizes:?}: {shares:?}");
                }
            }
        }
        // 3 + 2 Raft consenters tolerate 2: one each; 2 + 2 tolerate 1: the first org's.
        assert_eq!(share_of("b", &[("a", 3), ("b", 2)], 2), 1);
        assert_eq!((share_of("a", &[("a", 2), ("b", 2)], 1), share_of("b", &[("a", 2), ("b", 2)], 1)), (1, 0));
    }
}
