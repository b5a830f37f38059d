//! What tells a Prometheus where to scrape: one prometheus-operator `ServiceMonitor` per
//! organisation (`monitoring.serviceMonitor`), selecting the Services of its peers, orderers
//! and CA and scraping their `operations` port (9443, plain HTTP: the operations listener has
//! no TLS here) at `/metrics`, where the `prometheus` metrics provider serves (Fabric's
//! docs/source/metrics_reference.rst; core.yaml and orderer.yaml `metrics.provider`).
//!
//! Each sits in the organisation's namespace and selects Services there (an empty
//! `namespaceSelector` means the ServiceMonitor's own namespace), so a consortium part renders
//! only its own. The job label is the node's kind (`job="peer"`, `"orderer"`, `"ca"`) and the
//! Service's `fabgen.io/org` label becomes the target label `fabgen_io_org` (prometheus-operator
//! `pkg/prometheus/promcfg.go`: `jobLabel` and `targetLabels` relabel the Service's labels, their
//! names sanitised to Prometheus label names).

use super::network::{Network, ServiceMonitor};
use crate::spec::MonitoringSpec;

/// The ServiceMonitors of `network`: one per organisation with a node, in the network's order
/// (ordering organisations first), or none.
pub fn service_monitors(network: &Network, spec: &MonitoringSpec) -> Vec<ServiceMonitor> {
    if !spec.service_monitor {
        return Vec::new();
    }
    let ordering = network.orderer_orgs.iter().map(|o| (&o.name, kinds(!o.orderers.is_empty(), false, false)));
    let peers = network.orgs.iter().map(|o| (&o.name, kinds(false, !o.peers.is_empty(), o.ca.is_some())));
    ordering
        .chain(peers)
        .filter(|(_, components)| !components.is_empty())
        .map(|(org, components)| ServiceMonitor {
            name: crate::spec::names::service_monitor(org),
            org: org.clone(),
            components,
            labels: spec.labels.clone(),
        })
        .collect()
}

/// The kinds of node an organisation runs, as their `app.kubernetes.io/component`.
fn kinds(orderers: bool, peers: bool, ca: bool) -> Vec<&'static str> {
    [(orderers, "orderer"), (peers, "peer"), (ca, "ca")].into_iter().filter(|(has, _)| *has).map(|(_, k)| k).collect()
}
