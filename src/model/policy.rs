//! NetworkPolicies computed from the topology: deny everything, then allow exactly the flows
//! a Fabric network needs. Adding an org, a channel or a chaincode changes the rules.
//!
//! | from → to | port | when |
//! |---|---|---|
//! | every pod → cluster DNS | 53 UDP/TCP | always |
//! | peers → orderers | 7050 | always |
//! | orderers → orderers | 7050 | Raft cluster traffic |
//! | peers of org A ↔ peers of org B | 7051 | A and B share a channel (or A = B) |
//! | peers of org A → chaincode of org A | its port | the org runs the chaincode |
//! | clients of org A → peers of orgs sharing a channel with A | 7051 | |
//! | clients of org A → orderers | 7050 | |
//! | clients of org A → CA of org A | 7054 | |
//! | clients of the orderer org → orderers | 7053 (admin) | |
//! | configured clients → peers, orderers | 7051, 7050 | `networkPolicies.clients` |
//! | configured monitoring → peers, orderers, CAs | 9443 | `networkPolicies.monitoring` |
//! | egress of configured pods of the network's own namespace | as above | a selector without `namespaceLabels` |
//!
//! A client of org A is a pod in the namespace labelled `fabgen.io/client-of: A`. CouchDB runs
//! beside its peer and is reached on localhost only: no rule admits its port.
//!
//! In one organisation's part (`--org`) whose cluster runs organisations in several
//! namespaces, a peer naming pods of organisations also names their namespaces, by the
//! `kubernetes.io/metadata.name` label: the orderers in the ordering organisations', a channel's
//! peers in its members', an organisation's peers or CA in its own.
//!
//! Policies select by labels, so their size follows an org's channels and chaincodes, never the
//! number of orgs or peers: peer pods carry `channel.fabgen.io/<channel>: member` for each
//! channel of their org, one policy covers all peers of an org, and peers and orderers admit
//! any client (`fabgen.io/client-of` exists) while each org's egress policy says which peers its
//! clients reach.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde_json::{Value, json};

use super::fabric::{CA_PORT, OPERATIONS_PORT, ORDERER_ADMIN_PORT, ORDERER_PORT, PEER_CHAINCODE_PORT, PEER_PORT};
use super::network::{ChaincodeDeployment, Network, OrdererOrg, Org, Policy};
use crate::spec::{NetworkPoliciesSpec, SelectorSpec};

/// Label that makes a pod a client of an organisation.
pub const CLIENT_LABEL: &str = "fabgen.io/client-of";

/// The network's pods with `labels` in the policy's own namespace.
fn pods(labels: &[(&str, &str)], network: &Network) -> Value {
    let mut map: BTreeMap<String, String> = labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    map.insert("app.kubernetes.io/part-of".into(), network.name.clone());
    json!({ "podSelector": { "matchLabels": map } })
}

/// The network's pods with `labels` that organisations `orgs` run: in the policy's own
/// namespace, or, in a part whose cluster runs organisations in several namespaces
/// (`Network::namespaces`), in the namespaces of those of `orgs` that run in its cluster.
fn pods_of<'a>(labels: &[(&str, &str)], orgs: impl IntoIterator<Item = &'a str>, network: &Network) -> Value {
    in_namespaces_of(pods(labels, network), orgs, network)
}

/// `peer` with a namespaceSelector naming the namespaces of `orgs` in this cluster, when the
/// organisations of the cluster run in several; a peer without one selects only pods of the
/// policy's own namespace.
fn in_namespaces_of<'a>(mut peer: Value, orgs: impl IntoIterator<Item = &'a str>, network: &Network) -> Value {
    if network.namespaces.is_empty() {
        return peer;
    }
    let mut namespaces: Vec<&String> = orgs.into_iter().filter_map(|o| network.namespaces.get(o)).collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    match namespaces.as_slice() {
        [] => {}
        [one] if **one == network.namespace => {}
        [one] => peer = in_namespace(one, peer["podSelector"].take()),
        several => {
            peer["namespaceSelector"] = json!({ "matchExpressions": [{
                "key": NAMESPACE_NAME_LABEL,
                "operator": "In",
                "values": several,
            }] })
        }
    }
    peer
}

/// The label the API server puts on every Namespace, its name (Kubernetes 1.22 and later).
const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

fn peers_of(org: &str, network: &Network) -> Value {
    pods_of(&[("app.kubernetes.io/component", "peer"), ("fabgen.io/org", org)], [org], network)
}

/// Every peer of the network.
fn all_peers(network: &Network) -> Value {
    pods_of(&[("app.kubernetes.io/component", "peer")], network.orgs.iter().map(|o| o.name.as_str()), network)
}

fn orderers(network: &Network) -> Value {
    let ordering = network.orderer_orgs.iter().map(|o| o.name.as_str());
    pods_of(&[("app.kubernetes.io/component", "orderer")], ordering, network)
}

fn clients_of(org: &str) -> Value {
    json!({ "podSelector": { "matchLabels": { CLIENT_LABEL: org } } })
}

/// Every client of any org: what peers and orderers admit. Which peers a client may reach is
/// decided by its org's egress policy (`clients-of-<org>`); a pod whose label names no org
/// has no such policy and stays behind the default deny.
fn any_client(network: &Network) -> Value {
    let peer = json!({ "podSelector": { "matchExpressions": [{ "key": CLIENT_LABEL, "operator": "Exists" }] } });
    in_namespaces_of(peer, network.namespaces.keys().map(String::as_str), network)
}

/// Label prefix marking a peer pod as a member of a channel:
/// `channel.fabgen.io/<channel>: member` (templates/peer.yaml).
pub const CHANNEL_LABEL_PREFIX: &str = "channel.fabgen.io/";

/// The membership label of a channel on its members' peer pods.
pub fn channel_label(channel: &str) -> String {
    format!("{CHANNEL_LABEL_PREFIX}{channel}")
}

/// Peers of every member of a channel, by the membership label: one selector however many
/// orgs the channel has.
fn peers_in(channel: &str, network: &Network) -> Value {
    let label = channel_label(channel);
    let members = network.channels.iter().filter(|c| c.name == channel).flat_map(|c| c.members.iter());
    pods_of(
        &[("app.kubernetes.io/component", "peer"), (label.as_str(), "member")],
        members.map(String::as_str),
        network,
    )
}

/// The peers an org's peers and clients may reach on 7051: its own and those of every channel
/// it is a member of. Sized by the org's channels, not by the network's orgs or peers.
fn reachable_peers(org: &str, channels: &[String], network: &Network) -> Vec<Value> {
    std::iter::once(peers_of(org, network)).chain(channels.iter().map(|c| peers_in(c, network))).collect()
}

fn selector(s: &SelectorSpec) -> Value {
    let mut peer = serde_json::Map::new();
    if let Some(ns) = &s.namespace_labels {
        peer.insert("namespaceSelector".into(), json!({ "matchLabels": ns }));
    }
    if let Some(p) = &s.pod_labels {
        peer.insert("podSelector".into(), json!({ "matchLabels": p }));
    }
    if peer.is_empty() {
        // Neither given: every pod of the network's namespace.
        peer.insert("podSelector".into(), json!({}));
    }
    Value::Object(peer)
}

fn tcp(port: u16) -> Value {
    json!({ "protocol": "TCP", "port": port })
}

fn rule(direction: &str, port: u16, peers: Vec<Value>) -> Value {
    object([("ports", Value::Array(vec![tcp(port)])), (direction, Value::Array(peers))])
}

/// A JSON object of `fields`, their values moved in: `json!` copies each value it is handed
/// (it serialises it), which was most of the time the policies took.
fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    Value::Object(fields.into_iter().map(|(key, value)| (key.to_string(), value)).collect())
}

/// The egress of an organisation's clients (its Jobs and tools: pods labelled `CLIENT_LABEL:
/// org`).
fn clients_draft(org: &str, egress: Vec<Value>) -> Draft {
    Draft {
        name: format!("clients-of-{org}"),
        namespace: None,
        org: Some(org.to_string()),
        component: "client".into(),
        spec: object([
            ("podSelector", json!({ "matchLabels": { CLIENT_LABEL: org } })),
            ("policyTypes", json!(["Egress"])),
            ("egress", Value::Array(egress)),
        ]),
    }
}

/// A policy isolating one workload, selected by its component and instance labels, in both
/// directions: only `ingress` and `egress` (plus DNS) remain open.
fn workload(name: &str, org: &str, component: &str, ingress: Vec<Value>, egress: Vec<Value>) -> Draft {
    Draft {
        name: name.to_string(),
        namespace: None,
        org: Some(org.to_string()),
        component: component.to_string(),
        spec: object([
            (
                "podSelector",
                json!({ "matchLabels": { "app.kubernetes.io/component": component, "app.kubernetes.io/instance": name } }),
            ),
            ("policyTypes", json!(["Ingress", "Egress"])),
            ("ingress", Value::Array(ingress)),
            ("egress", Value::Array(egress)),
        ]),
    }
}

/// A namespace's baseline: deny every flow of every pod, then let every pod query DNS.
fn deny_all_but_dns(
    deny: &str,
    allow_dns: &str,
    namespace: Option<String>,
    org: Option<String>,
    dns: &SelectorSpec,
) -> Vec<Draft> {
    vec![
        Draft {
            name: deny.to_string(),
            namespace: namespace.clone(),
            org: org.clone(),
            component: "network".into(),
            spec: json!({ "podSelector": {}, "policyTypes": ["Ingress", "Egress"] }),
        },
        Draft {
            name: allow_dns.to_string(),
            namespace,
            org,
            component: "network".into(),
            spec: json!({
                "podSelector": {},
                "policyTypes": ["Egress"],
                "egress": [{ "to": [selector(dns)], "ports": [{"protocol": "UDP", "port": 53}, tcp(53)] }],
            }),
        },
    ]
}

/// Every policy of the network, or none when disabled. Each is finished (its spec written as
/// JSON) as soon as it is drafted, where it is drafted, so the drafts of a large network are
/// never all held at once.
pub fn policies(network: &Network, spec: &NetworkPoliciesSpec) -> Vec<Policy> {
    if !spec.enabled {
        return Vec::new();
    }
    let admitted = Admitted {
        monitoring: spec.monitoring.iter().map(selector).collect(),
        clients: spec.clients.iter().map(selector).collect(),
    };
    let finished = |drafts: Vec<Draft>| drafts.into_iter().map(Draft::finish);
    let mut out: Vec<Policy> = finished(deny_all_but_dns("default-deny", "allow-dns", None, None, &spec.dns)).collect();
    for ordering in &network.orderer_orgs {
        out.extend(finished(ordering_drafts(ordering, network, &admitted)));
    }
    // An org's policies depend on the network and that org only: made in parallel, kept in order.
    let orgs: Vec<Vec<Policy>> =
        network.orgs.par_iter().map(|org| finished(org_drafts(org, network, &admitted)).collect()).collect();
    out.extend(orgs.into_iter().flatten());
    out.extend(finished(selected_pods_egress(network, spec)));
    out.extend(finished(launcher_policies(network, &spec.dns)));
    let deployments: Vec<&ChaincodeDeployment> = network.chaincodes.iter().flat_map(|c| &c.deployments).collect();
    out.par_extend(deployments.par_iter().map(|d| chaincode_draft(d, network).finish()));
    out
}

/// A chaincode server's policy: only its own org's peers dial it; chaincode as a service
/// dials nobody.
fn chaincode_draft(deployment: &ChaincodeDeployment, network: &Network) -> Draft {
    let ingress = vec![rule("from", deployment.port, vec![peers_of(&deployment.org, network)])];
    workload(&deployment.name, &deployment.org, "chaincode", ingress, Vec::new())
}

/// A NetworkPolicy being built, its spec a JSON value.
struct Draft {
    name: String,
    namespace: Option<String>,
    org: Option<String>,
    component: String,
    spec: Value,
}

impl Draft {
    /// The policy as the model keeps it: empty rule lists dropped, the spec as compact JSON (a
    /// large network's policies hold a tenth of what they held as JSON values).
    fn finish(mut self) -> Policy {
        drop_empty_rules(&mut self.spec);
        let Draft { name, namespace, org, component, spec } = self;
        Policy { name, namespace, org, component, spec: spec.to_string() }
    }
}

/// The pods the spec's `networkPolicies` admit besides fabgen's own: Prometheus (`monitoring`)
/// and outside clients (`clients`), as peers of NetworkPolicy rules.
struct Admitted {
    monitoring: Vec<Value>,
    clients: Vec<Value>,
}

impl Admitted {
    /// Lets the monitoring pods, if any, scrape the operations port.
    fn scrape(&self, rules: &mut Vec<Value>) {
        if !self.monitoring.is_empty() {
            rules.push(rule("from", OPERATIONS_PORT, self.monitoring.clone()));
        }
    }
}

/// An ordering organisation's orderers and clients.
fn ordering_drafts(ordering: &OrdererOrg, network: &Network, admitted: &Admitted) -> Vec<Draft> {
    let mut out = Vec::new();
    for orderer in &ordering.orderers {
        let mut clients = vec![orderers(network), all_peers(network), any_client(network)];
        clients.extend(admitted.clients.iter().cloned());
        // The admin endpoint serves its own organisation's clients only (its TLS client
        // roots are that organisation's).
        let mut ingress = vec![
            rule("from", ORDERER_PORT, clients),
            rule("from", ORDERER_ADMIN_PORT, vec![clients_of(&ordering.name)]),
        ];
        ingress.extend(exposed(ordering.exposure.as_ref(), ORDERER_PORT));
        admitted.scrape(&mut ingress);
        let mut egress = vec![rule("to", ORDERER_PORT, vec![orderers(network)])];
        egress.extend(to_other_clusters(network));
        out.push(workload(&orderer.name, &ordering.name, "orderer", ingress, egress));
    }
    out.push(clients_draft(&ordering.name, ordering_client_egress(network)));
    out
}

/// A peer organisation's peers, CA and clients.
fn org_drafts(org: &Org, network: &Network, admitted: &Admitted) -> Vec<Draft> {
    let reachable = reachable_peers(&org.name, &org.channels, network);
    let mut out = Vec::new();
    // One policy for all peers of the org: they have the same flows.
    if !org.peers.is_empty() {
        out.push(peers_draft(org, &reachable, network, admitted));
    }
    if let Some(ca) = &org.ca {
        // Peers never call their CA; enrollment and registration come from the org's clients.
        let mut ingress = vec![rule("from", CA_PORT, vec![clients_of(&org.name)])];
        admitted.scrape(&mut ingress);
        out.push(workload(&ca.name, &org.name, "ca", ingress, Vec::new()));
    }
    out.push(org_clients_draft(org, reachable, network));
    out
}

/// The policy of an organisation's peers, which `reachable` (the peers of its channels) dial.
fn peers_draft(org: &Org, reachable: &[Value], network: &Network, admitted: &Admitted) -> Draft {
    let mut from = reachable.to_vec();
    from.push(any_client(network));
    from.extend(admitted.clients.iter().cloned());
    let mut ingress = vec![rule("from", PEER_PORT, from)];
    // Launched chaincode dials the peer's chaincode port.
    if org.k8scc.is_some() {
        let launched =
            json!({ "podSelector": { "matchLabels": { K8SCC_LAUNCHED_LABELS.0: K8SCC_LAUNCHED_LABELS.1 } } });
        ingress.push(rule("from", PEER_CHAINCODE_PORT, vec![launched]));
    }
    if let Some(b) = &org.k8s_builder {
        ingress.push(rule("from", PEER_CHAINCODE_PORT, vec![in_namespace(&b.namespace, k8s_builder_jobs())]));
    }
    ingress.extend(exposed(org.exposure.as_ref(), PEER_PORT));
    admitted.scrape(&mut ingress);
    let mut egress = vec![rule("to", ORDERER_PORT, vec![orderers(network)]), rule("to", PEER_PORT, reachable.to_vec())];
    egress.extend(to_other_clusters(network));
    if org.api_access {
        // The Kubernetes API server is no pod a selector can name; its address is
        // cluster-specific, so these peers may reach its usual ports anywhere.
        egress.push(json!({ "ports": [tcp(443), tcp(6443)] }));
    }
    for cc in network.chaincodes.iter().flat_map(|c| &c.deployments).filter(|d| d.org == org.name) {
        let labels = [("app.kubernetes.io/component", "chaincode"), ("app.kubernetes.io/instance", cc.name.as_str())];
        egress.push(rule("to", cc.port, vec![pods(&labels, network)]));
    }
    Draft {
        name: format!("peers-of-{}", org.name),
        namespace: None,
        org: Some(org.name.clone()),
        component: "peer".into(),
        spec: object([
            ("podSelector", peers_of(&org.name, network)["podSelector"].take()),
            ("policyTypes", json!(["Ingress", "Egress"])),
            ("ingress", Value::Array(ingress)),
            ("egress", Value::Array(egress)),
        ]),
    }
}

/// The policy of an organisation's clients (its Jobs): its channels' peers, the orderers, its CA.
fn org_clients_draft(org: &Org, reachable: Vec<Value>, network: &Network) -> Draft {
    let mut client_egress = vec![rule("to", PEER_PORT, reachable), rule("to", ORDERER_PORT, vec![orderers(network)])];
    client_egress.extend(to_other_clusters(network));
    if org.ca.is_some() {
        client_egress.push(rule(
            "to",
            CA_PORT,
            vec![pods_of(
                &[("app.kubernetes.io/component", "ca"), ("fabgen.io/org", &org.name)],
                [org.name.as_str()],
                network,
            )],
        ));
    }
    clients_draft(&org.name, client_egress)
}

/// An ordering organisation's clients (its channel Jobs): every orderer's client and admin
/// port, and the other clusters.
fn ordering_client_egress(network: &Network) -> Vec<Value> {
    let mut egress = vec![
        rule("to", ORDERER_PORT, vec![orderers(network)]),
        rule("to", ORDERER_ADMIN_PORT, vec![orderers(network)]),
    ];
    egress.extend(to_other_clusters(network));
    egress
}

/// When the network spans clusters: the node's port from the pods that pass the other
/// clusters' connections on (a Gateway's, an ingress controller's), or, behind a load balancer
/// or a node port, from anywhere (the connection's source is a remote address).
fn exposed(exposure: Option<&super::reach::Exposure>, port: u16) -> Option<Value> {
    exposure.map(|e| match &e.from {
        Some(from) => rule("from", port, vec![selector(from)]),
        None => object([("ports", Value::Array(vec![tcp(port)]))]),
    })
}

/// When the network spans clusters: the other clusters' exposed ports, anywhere (their
/// Gateways' addresses are outside this cluster and no selector can name them).
fn to_other_clusters(network: &Network) -> Option<Value> {
    let ports: Vec<Value> = network.remote_ports.iter().map(|p| tcp(*p)).collect();
    (!ports.is_empty()).then(|| object([("ports", Value::Array(ports))]))
}

/// Removes `ingress: []` and `egress: []`. A direction listed in `policyTypes` with no rules
/// denies everything either way, but the API server drops an empty list (it stores none), so
/// a manifest carrying one differs from the stored object on every `kubectl apply` and in
/// every GitOps diff.
fn drop_empty_rules(spec: &mut Value) {
    if let Value::Object(map) = spec {
        map.retain(|key, value| {
            !((key == "ingress" || key == "egress") && value.as_array().is_some_and(Vec::is_empty))
        });
    }
}

/// Egress for the pods a `networkPolicies` selector admits when they live in the network's own
/// namespace (no `namespaceLabels`): the default deny there closes their side of the flows the
/// peers, orderers and CAs admit, so each such selector gets a policy opening exactly those.
/// Pods of other namespaces are governed by their namespace's policies, not the network's.
fn selected_pods_egress(network: &Network, spec: &NetworkPoliciesSpec) -> Vec<Draft> {
    let with_peers = || network.orgs.iter().filter(|o| !o.peers.is_empty());
    let mut out = Vec::new();
    let mut push = |name: String, selector: &SelectorSpec, egress: Vec<Value>| {
        if selector.namespace_labels.is_some() {
            return;
        }
        let pod_selector = json!({ "matchLabels": selector.pod_labels.clone().unwrap_or_default() });
        out.push(Draft {
            name,
            namespace: None,
            org: None,
            component: "client".into(),
            spec: object([
                ("podSelector", pod_selector),
                ("policyTypes", json!(["Egress"])),
                ("egress", Value::Array(egress)),
            ]),
        });
    };
    if let Some(monitoring) = &spec.monitoring {
        let mut targets: Vec<Value> = with_peers().map(|o| peers_of(&o.name, network)).collect();
        targets.push(orderers(network));
        if network.orgs.iter().any(|o| o.ca.is_some()) {
            let with_ca = network.orgs.iter().filter(|o| o.ca.is_some()).map(|o| o.name.as_str());
            targets.push(pods_of(&[("app.kubernetes.io/component", "ca")], with_ca, network));
        }
        push("monitoring-egress".into(), monitoring, vec![rule("to", OPERATIONS_PORT, targets)]);
    }
    for (i, clients) in spec.clients.iter().enumerate() {
        let peers: Vec<Value> = with_peers().map(|o| peers_of(&o.name, network)).collect();
        let mut egress = vec![rule("to", ORDERER_PORT, vec![orderers(network)])];
        if !peers.is_empty() {
            egress.insert(0, rule("to", PEER_PORT, peers));
        }
        push(format!("clients-{i}-egress"), clients, egress);
    }
    out
}

/// Labels hlfabric-k8scc puts on the chaincode pods it launches and on its build pods
/// (docs/launcher-facts.md A5).
const K8SCC_LAUNCHED_LABELS: (&str, &str) = ("externalcc-type", "launcher");
const K8SCC_BUILD_LABELS: (&str, &str) = ("externalcc-type", "builder");

/// Pods in another namespace, selected by pod labels.
fn in_namespace(namespace: &str, pod_selector: Value) -> Value {
    json!({
        "namespaceSelector": { "matchLabels": { NAMESPACE_NAME_LABEL: namespace } },
        "podSelector": pod_selector,
    })
}

/// Flows of the pods the launchers create: k8scc's build pods fetch dependencies (Go module
/// proxy, npm, Maven) over HTTPS; chaincode pods of either launcher dial their peer's
/// chaincode port; fabric-builder-k8s namespaces deny everything else.
fn launcher_policies(network: &Network, dns: &SelectorSpec) -> Vec<Draft> {
    let mut out = Vec::new();
    let k8scc_orgs: Vec<&str> = network.orgs.iter().filter(|o| o.k8scc.is_some()).map(|o| o.name.as_str()).collect();
    if !k8scc_orgs.is_empty() {
        out.push(Draft {
            name: "k8scc-builds".into(),
            namespace: None,
            org: None,
            component: "chaincode".into(),
            spec: json!({
                "podSelector": { "matchLabels": { K8SCC_BUILD_LABELS.0: K8SCC_BUILD_LABELS.1 } },
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [],
                "egress": [{ "ports": [tcp(443)] }],
            }),
        });
        out.push(Draft {
            name: "k8scc-chaincode".into(),
            namespace: None,
            org: None,
            component: "chaincode".into(),
            spec: json!({
                "podSelector": { "matchLabels": { K8SCC_LAUNCHED_LABELS.0: K8SCC_LAUNCHED_LABELS.1 } },
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [],
                "egress": [rule("to", PEER_CHAINCODE_PORT, k8scc_orgs.iter().map(|o| peers_of(o, network)).collect())],
            }),
        });
    }
    for org in &network.orgs {
        let Some(b) = &org.k8s_builder else { continue };
        let ns = Some(b.namespace.clone());
        let peers = in_namespace(&network.namespace, peers_of(&org.name, network)["podSelector"].clone());
        out.extend(deny_all_but_dns(
            &format!("{}-chaincode-default-deny", org.name),
            &format!("{}-chaincode-dns", org.name),
            ns.clone(),
            Some(org.name.clone()),
            dns,
        ));
        out.push(Draft {
            name: format!("{}-chaincode-jobs", org.name),
            namespace: ns,
            org: Some(org.name.clone()),
            component: "chaincode".into(),
            spec: json!({
                "podSelector": k8s_builder_jobs(),
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [],
                "egress": [rule("to", PEER_CHAINCODE_PORT, vec![peers])],
            }),
        });
    }
    out
}

/// Pods of the Jobs fabric-builder-k8s creates (labels from its internal/util/k8s.go).
fn k8s_builder_jobs() -> Value {
    json!({ "matchLabels": { "app.kubernetes.io/created-by": "fabric-builder-k8s" } })
}
