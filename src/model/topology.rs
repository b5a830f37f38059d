//! The network as a picture: organisations and their peers, orderers, CAs and chaincode
//! servers, the channels they share, and the flows the NetworkPolicies allow between them.
//! `output::graph` draws it as Mermaid or Graphviz DOT.
//!
//! The flows mirror [`super::policy`] rule for rule; `tests/security.rs` evaluates the rendered
//! NetworkPolicies as Kubernetes does and checks that the flows drawn here are exactly the ones
//! they allow, so a change to either that the other does not follow fails there.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::fabric::{CA_PORT, OPERATIONS_PORT, ORDERER_ADMIN_PORT, ORDERER_PORT, PEER_CHAINCODE_PORT, PEER_PORT};
use super::network::{Network, OrdererOrg};
use super::policy::CLIENT_LABEL;
use crate::spec::{NetworkPoliciesSpec, SelectorSpec};

/// What a node of the picture is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    /// A peer StatefulSet.
    Peer,
    /// An orderer StatefulSet.
    Orderer,
    /// A Fabric CA Deployment.
    Ca,
    /// A chaincode-as-a-service Deployment.
    Chaincode,
    /// Pods labelled as clients of an org (`fabgen.io/client-of`), the channel and lifecycle
    /// Jobs among them.
    Clients,
    /// Pods a launcher starts: hlfabric-k8scc's chaincode and build pods, fabric-builder-k8s's
    /// chaincode Jobs.
    Launched,
    /// Pods a `networkPolicies` selector admits: monitoring, outside clients.
    Selected,
    /// Any address outside the network's pods (the Kubernetes API, module proxies).
    Anywhere,
}

/// One box of the picture: a workload or a set of pods.
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    /// Identifier in the drawing (`[a-z0-9_]`).
    pub id: String,
    /// What the box says.
    pub label: String,
    /// What it is.
    pub kind: NodeKind,
    /// The Deployment or StatefulSet whose pods it is, when it is a workload of the network.
    pub workload: Option<String>,
    /// The labels its pods carry, when it is no workload of the network.
    pub pod_labels: BTreeMap<String, String>,
    /// The namespace of its pods, when known and not the network's ([`NodeKind::Anywhere`]
    /// stands for any namespace and any address).
    pub namespace: Option<String>,
}

/// Nodes that are one end of a flow together: all peers of an org, all orderers. A group of
/// one node is drawn as that node.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// Identifier in the drawing.
    pub id: String,
    /// Title of the group's box (when it has more than one node).
    pub label: String,
    /// Its nodes.
    pub nodes: Vec<Node>,
}

/// An organisation's box: its groups.
#[derive(Debug, Clone, Serialize)]
pub struct OrgBox {
    /// Identifier in the drawing.
    pub id: String,
    /// Org name.
    pub name: String,
    /// `name · MSP ID`.
    pub label: String,
    /// Peers, orderers, CA, chaincode servers, clients, launched pods.
    pub groups: Vec<Group>,
}

/// A channel and the orgs that are members of it.
#[derive(Debug, Clone, Serialize)]
pub struct ChannelNode {
    /// Identifier in the drawing.
    pub id: String,
    /// `channel <name>`, and its chaincodes.
    pub label: String,
    /// Ids of the member orgs' boxes.
    pub members: Vec<String>,
}

/// Traffic the NetworkPolicies allow from every pod of one group to every pod of another (or,
/// from a group to itself, between any two of its pods).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flow {
    /// Group id of the side that connects (shared: an organisation's groups stand in a flow
    /// with every organisation it shares a channel with, a million flows at 1000 orgs).
    pub from: Arc<str>,
    /// Group id of the side that listens.
    pub to: Arc<str>,
    /// TCP ports.
    pub ports: Cow<'static, [u16]>,
    /// The same ports are open the other way too.
    pub both_ways: bool,
    /// What it carries.
    pub what: &'static str,
}

/// A flow as it is found, borrowed: what a [`Flow`] holds, for a visitor of the flows
/// ([`visiting`]) that measures them without keeping them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowView<'a> {
    /// Group id of the side that connects.
    pub from: &'a str,
    /// Group id of the side that listens.
    pub to: &'a str,
    /// TCP ports.
    pub ports: &'a [u16],
    /// The same ports are open the other way too.
    pub both_ways: bool,
    /// What it carries.
    pub what: &'static str,
}

impl Flow {
    /// The flow, borrowed.
    pub fn view(&self) -> FlowView<'_> {
        FlowView { from: &self.from, to: &self.to, ports: &self.ports, both_ways: self.both_ways, what: self.what }
    }
}

impl From<FlowView<'_>> for Flow {
    fn from(flow: FlowView<'_>) -> Self {
        let FlowView { from, to, ports, both_ways, what } = flow;
        Flow { from: from.into(), to: to.into(), ports: Cow::Owned(ports.to_vec()), both_ways, what }
    }
}

/// The whole picture.
#[derive(Debug, Clone, Serialize)]
pub struct Topology {
    /// Network name.
    pub network: String,
    /// Whether NetworkPolicies are rendered; without them every pod reaches every other and
    /// no flow is drawn.
    pub policies: bool,
    /// The orderer org's box, then each peer org's, in spec order.
    pub orgs: Vec<OrgBox>,
    /// Groups outside every org: hlfabric-k8scc's pods, configured selectors, "anywhere".
    pub outside: Vec<Group>,
    /// Channels.
    pub channels: Vec<ChannelNode>,
    /// Allowed flows, in a fixed order.
    pub flows: Vec<Flow>,
    /// In a network across clusters: each cluster's box, holding the orgs that run in it.
    pub clusters: Vec<ClusterBox>,
}

/// A cluster's box: the orgs that run in it.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterBox {
    /// Identifier in the drawing.
    pub id: String,
    /// `cluster <name>`.
    pub label: String,
    /// Ids of its orgs' boxes.
    pub orgs: Vec<String>,
}

impl Topology {
    /// Every group, org boxes first.
    pub fn groups(&self) -> impl Iterator<Item = &Group> {
        self.orgs.iter().flat_map(|o| &o.groups).chain(&self.outside)
    }
}

/// An identifier from names (DNS labels: lowercase letters, digits, '-'), with a prefix per
/// kind of node, so that no two nodes share one (a peer named `clients` is `p_clients_org1`,
/// the org's clients `clients_org1`) and none is a keyword of either language (`end`, `graph`).
fn id(prefix: &str, parts: &[&str]) -> String {
    let mut out = prefix.to_string();
    for part in parts {
        out.push('_');
        out.extend(part.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }));
    }
    out
}

fn workload_node(prefix: &str, name: &str, label: String, kind: NodeKind) -> Node {
    Node {
        id: id(prefix, &[name]),
        label,
        kind,
        workload: Some(name.to_string()),
        pod_labels: BTreeMap::new(),
        namespace: None,
    }
}

fn single(node: Node) -> Group {
    Group { id: node.id.clone(), label: node.label.clone(), nodes: vec![node] }
}

fn pods_node(id: String, label: String, kind: NodeKind, labels: &[(&str, &str)], namespace: Option<String>) -> Node {
    Node {
        id,
        label,
        kind,
        workload: None,
        pod_labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        namespace,
    }
}

/// Describes a `networkPolicies` selector: `pods app=prometheus in namespaces name=monitoring`.
fn describe(selector: &SelectorSpec) -> String {
    let labels = |m: &BTreeMap<String, String>| m.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",");
    let pods = selector.pod_labels.as_ref().map_or("every pod".to_string(), |l| format!("pods {}", labels(l)));
    match &selector.namespace_labels {
        Some(ns) => format!("{pods} in namespaces {}", labels(ns)),
        None => format!("{pods} of the namespace"),
    }
}

fn selected_node(id: String, what: &str, selector: &SelectorSpec) -> Node {
    let namespace = selector.namespace_labels.as_ref().and_then(|l| l.get("kubernetes.io/metadata.name")).cloned();
    Node {
        id,
        label: format!("{what}: {}", describe(selector)),
        kind: NodeKind::Selected,
        workload: None,
        pod_labels: selector.pod_labels.clone().unwrap_or_default(),
        namespace,
    }
}

/// An ordering organisation's box: its orderers (as `group`) and its clients.
fn ordering_box(ordering: &OrdererOrg, group: &str) -> OrgBox {
    OrgBox {
        id: id("org", &[&ordering.name]),
        name: ordering.name.clone(),
        label: format!("{} · {}{}", ordering.name, ordering.msp_id, in_cluster(ordering.exposure.as_ref())),
        groups: vec![
            Group {
                id: group.to_string(),
                label: "orderers".into(),
                nodes: ordering
                    .orderers
                    .iter()
                    .map(|o| workload_node("o", &o.name, o.name.clone(), NodeKind::Orderer))
                    .collect(),
            },
            single(pods_node(
                id("clients", &[&ordering.name]),
                format!("clients of {}", ordering.name),
                NodeKind::Clients,
                &[(CLIENT_LABEL, &ordering.name)],
                None,
            )),
        ],
    }
}

/// The picture of `network`, with the flows its NetworkPolicies allow.
pub fn of(network: &Network) -> Topology {
    topology(network, &network.network_policies_spec)
}

/// The picture of `network`, with the flows `policies` allow.
pub fn topology(network: &Network, policies: &NetworkPoliciesSpec) -> Topology {
    let mut flows = Flows::Kept(Vec::new());
    let outline = outline(network, policies, &mut flows);
    let Flows::Kept(flows) = flows else { unreachable!("kept above") };
    Topology { flows, ..outline }
}

/// The picture of `network` without its flows: each flow its NetworkPolicies allow is shown
/// to `visit` as it is found instead, in the order [`of`] lists them (a 300-org network has
/// 137 000 flows, which the README only measures).
pub fn visiting(network: &Network, visit: &mut dyn FnMut(FlowView<'_>)) -> Topology {
    outline(network, &network.network_policies_spec, &mut Flows::Shown(visit))
}

/// The picture of `network` with no flows listed, the flows `policies` allow going to `flows`.
fn outline(network: &Network, policies: &NetworkPoliciesSpec, flows: &mut Flows) -> Topology {
    let mut orgs: Vec<OrgBox> = network
        .orderer_orgs
        .iter()
        .zip(orderer_groups(network))
        .map(|(ordering, group)| ordering_box(ordering, &group))
        .collect();
    let servers = servers(network);
    orgs.extend(network.orgs.iter().map(|org| peer_org_box(org, servers.get(org.name.as_str()).map_or(&[], |d| d))));
    let outside = outside_groups(network, policies);
    if policies.enabled {
        add_flows(network, policies, &servers, flows);
        // Pods of other namespaces, and any address: no policy of the network limits their egress.
        let unbounded = |g: &&Group| {
            g.nodes.iter().all(|n| {
                n.kind == NodeKind::Anywhere
                    || (n.kind == NodeKind::Selected && n.namespace.as_ref().is_some_and(|ns| *ns != network.namespace))
            })
        };
        let groups: Vec<&str> = outside.iter().filter(unbounded).map(|g| g.id.as_str()).collect();
        from_anywhere(network, &groups, flows);
    }
    Topology {
        network: network.name.clone(),
        policies: policies.enabled,
        orgs,
        outside,
        channels: channel_nodes(network),
        flows: Vec::new(),
        clusters: cluster_boxes(network),
    }
}

/// The clusters of a network across clusters, in the order their first org appears, each with
/// its orgs.
fn cluster_boxes(network: &Network) -> Vec<ClusterBox> {
    let placed = network
        .orderer_orgs
        .iter()
        .map(|o| (&o.name, o.exposure.as_ref()))
        .chain(network.orgs.iter().map(|o| (&o.name, o.exposure.as_ref())));
    let mut out: Vec<ClusterBox> = Vec::new();
    for (org, exposure) in placed {
        let Some(cluster) = exposure.map(|e| &e.cluster) else { continue };
        let org = id("org", &[org]);
        let box_id = id("k", &[cluster]);
        match out.iter_mut().find(|c| c.id == box_id) {
            Some(b) => b.orgs.push(org),
            None => out.push(ClusterBox { id: box_id, label: format!("cluster {cluster}"), orgs: vec![org] }),
        }
    }
    out
}

/// Nodes behind a load balancer or a node port admit their port from any address: besides the
/// flows the network's own egress rules allow (drawn with each org), every source the
/// network's policies do not bound (`groups`: other namespaces' pods, any address) reaches them.
fn from_anywhere(network: &Network, groups: &[&str], flows: &mut Flows) {
    let exposed = network
        .orderer_orgs
        .iter()
        .zip(orderer_groups(network))
        .filter_map(|(o, g)| Some((o.exposure.as_ref()?, g, ORDERER_PORT)))
        .chain(network.orgs.iter().filter_map(|o| Some((o.exposure.as_ref()?, peers_group(&o.name), PEER_PORT))));
    for (exposure, target, port) in exposed.filter(|(e, _, _)| e.from.is_none()) {
        let what =
            if exposure.kind == "nodePort" { "node port, from anywhere" } else { "load balancer, from anywhere" };
        for group in groups.iter().filter(|g| **g != target) {
            flows.add(group, &target, &[port], false, what);
        }
    }
}

/// A peer organisation's box: its peers, CA, chaincode servers, launched pods and clients.
fn peer_org_box(org: &super::network::Org, servers: &[&super::network::ChaincodeDeployment]) -> OrgBox {
    let peers = peers_group;
    let clients = clients_group;
    let mut groups = Vec::new();
    if !org.peers.is_empty() {
        groups.push(Group {
            id: peers(&org.name),
            label: format!("peers of {}", org.name),
            nodes: org.peers.iter().map(|p| workload_node("p", &p.name, p.name.clone(), NodeKind::Peer)).collect(),
        });
    }
    if let Some(ca) = &org.ca {
        groups.push(single(workload_node("ca", &ca.name, ca.name.clone(), NodeKind::Ca)));
    }
    for d in servers {
        groups.push(single(workload_node("cc", &d.name, format!("{} :{}", d.name, d.port), NodeKind::Chaincode)));
    }
    if let Some(b) = &org.k8s_builder {
        groups.push(single(pods_node(
            id("jobs", &[&org.name]),
            format!("chaincode Jobs of fabric-builder-k8s in {}", b.namespace),
            NodeKind::Launched,
            &[("app.kubernetes.io/created-by", "fabric-builder-k8s")],
            Some(b.namespace.clone()),
        )));
    }
    groups.push(single(pods_node(
        clients(&org.name),
        format!("clients of {}", org.name),
        NodeKind::Clients,
        &[(CLIENT_LABEL, &org.name)],
        None,
    )));
    OrgBox {
        id: id("org", &[&org.name]),
        name: org.name.clone(),
        label: format!("{} · {}{}", org.name, org.msp_id, in_cluster(org.exposure.as_ref())),
        groups,
    }
}

/// Groups outside every org: hlfabric-k8scc's pods, configured selectors, "anywhere".
fn outside_groups(network: &Network, policies: &NetworkPoliciesSpec) -> Vec<Group> {
    let mut outside = Vec::new();
    let k8scc_orgs: Vec<&str> = network.orgs.iter().filter(|o| o.k8scc.is_some()).map(|o| o.name.as_str()).collect();
    let (k8scc_chaincode, k8scc_builds) = (id("k8scc", &["chaincode"]), id("k8scc", &["builds"]));
    if !k8scc_orgs.is_empty() {
        outside.push(single(pods_node(
            k8scc_chaincode.clone(),
            "chaincode pods hlfabric-k8scc launches".into(),
            NodeKind::Launched,
            &[("externalcc-type", "launcher")],
            None,
        )));
        outside.push(single(pods_node(
            k8scc_builds.clone(),
            "build pods of hlfabric-k8scc".into(),
            NodeKind::Launched,
            &[("externalcc-type", "builder")],
            None,
        )));
    }
    let monitoring = id("monitoring", &[]);
    if let Some(selector) = &policies.monitoring {
        outside.push(single(selected_node(monitoring.clone(), "monitoring", selector)));
    }
    let outside_clients: Vec<String> = (0..policies.clients.len()).map(|i| id("outside", &[&i.to_string()])).collect();
    for (node, selector) in outside_clients.iter().zip(&policies.clients) {
        outside.push(single(selected_node(node.clone(), "clients", selector)));
    }
    for (clusters, from) in gateways(network) {
        let label = format!("Gateway of {}", clusters.join(", "));
        outside.push(single(selected_node(gateway_group(clusters[0]), &label, from)));
    }
    let anywhere = id("anywhere", &[]);
    let api_orgs: Vec<&str> = network.orgs.iter().filter(|o| o.api_access).map(|o| o.name.as_str()).collect();
    if !api_orgs.is_empty() || !k8scc_orgs.is_empty() || !network.remote_ports.is_empty() {
        outside.push(single(pods_node(
            anywhere.clone(),
            "any address (Kubernetes API, module proxies)".into(),
            NodeKind::Anywhere,
            &[],
            None,
        )));
    }

    outside
}

/// Each channel with its chaincodes and member orgs.
fn channel_nodes(network: &Network) -> Vec<ChannelNode> {
    network
        .channels
        .iter()
        .map(|c| {
            let chaincodes: Vec<&str> =
                network.chaincodes.iter().filter(|cc| cc.channel == c.name).map(|cc| cc.name.as_str()).collect();
            let label = if chaincodes.is_empty() {
                format!("channel {}", c.name)
            } else {
                format!("channel {} · {}", c.name, chaincodes.join(", "))
            };
            ChannelNode { id: id("ch", &[&c.name]), label, members: c.orgs.iter().map(|o| id("org", &[o])).collect() }
        })
        .collect()
}

/// The pods passing other clusters' connections on (Gateways, ingress controllers), one node
/// per distinct `from` selector (clusters whose such pods the same selector names are one node
/// of the picture, as they are one set of pods to the policies), with the clusters each serves,
/// in spec order. Load balancers and node ports have none: their connections come from
/// anywhere.
fn gateways(network: &Network) -> Vec<(Vec<&str>, &crate::spec::SelectorSpec)> {
    let mut out: Vec<(Vec<&str>, &crate::spec::SelectorSpec)> = Vec::new();
    let all = network
        .orderer_orgs
        .iter()
        .filter_map(|o| o.exposure.as_ref())
        .chain(network.orgs.iter().filter_map(|o| o.exposure.as_ref()));
    for exposure in all {
        let Some(from) = &exposure.from else { continue };
        match out.iter_mut().find(|(_, f)| *f == from) {
            Some((clusters, _)) if !clusters.contains(&exposure.cluster.as_str()) => clusters.push(&exposure.cluster),
            Some(_) => {}
            None => out.push((vec![exposure.cluster.as_str()], from)),
        }
    }
    out
}

/// The picture's node the other clusters' connections to a node exposed by `exposure` come
/// from: its Gateway's or ingress controller's pods, or any address.
fn exposure_source(network: &Network, exposure: &super::reach::Exposure) -> String {
    match &exposure.from {
        Some(from) => {
            let (clusters, _) = gateways(network).into_iter().find(|(_, f)| *f == from).expect("listed");
            gateway_group(clusters[0])
        }
        None => id("anywhere", &[]),
    }
}

/// ` · cluster <name>` when the network spans clusters.
fn in_cluster(exposure: Option<&super::reach::Exposure>) -> String {
    exposure.map(|e| format!(" · cluster {}", e.cluster)).unwrap_or_default()
}

fn gateway_group(cluster: &str) -> String {
    id("gateway", &[cluster])
}

/// Where flows go as they are found, in a fixed order: kept in a list, or each shown to a
/// visitor and let go.
enum Flows<'v> {
    Kept(Vec<Flow>),
    Shown(&'v mut dyn FnMut(FlowView<'_>)),
}

impl Flows<'_> {
    fn add(&mut self, from: &str, to: &str, ports: &[u16], both_ways: bool, what: &'static str) {
        let flow = FlowView { from, to, ports, both_ways, what };
        match self {
            Flows::Kept(list) => list.push(flow.into()),
            Flows::Shown(visit) => visit(flow),
        }
    }

    /// [`Flows::add`] between groups whose ids are shared, on fixed ports: the flows between
    /// every two organisations that share a channel, made without allocating.
    fn add_shared(
        &mut self,
        from: &Arc<str>,
        to: &Arc<str>,
        ports: &'static [u16],
        both_ways: bool,
        what: &'static str,
    ) {
        match self {
            Flows::Kept(list) => {
                let (from, to) = (Arc::clone(from), Arc::clone(to));
                list.push(Flow { from, to, ports: Cow::Borrowed(ports), both_ways, what });
            }
            Flows::Shown(visit) => visit(FlowView { from, to, ports, both_ways, what }),
        }
    }
}

/// The orderer group of every ordering organisation: `orderers` for one, one per org for several.
fn orderer_groups(network: &Network) -> Vec<String> {
    let several = network.orderer_orgs.len() > 1;
    network
        .orderer_orgs
        .iter()
        .map(|o| if several { id("g", &["orderers", &o.name]) } else { id("g", &["orderers"]) })
        .collect()
}

fn peers_group(org: &str) -> String {
    id("g", &["peers", org])
}

fn clients_group(org: &str) -> String {
    id("clients", &[org])
}

/// Each org's chaincode servers, found once: a search per org grows with the square of the
/// orgs (with the list below, a fifth of a 1000-org render).
fn servers(network: &Network) -> BTreeMap<&str, Vec<&super::network::ChaincodeDeployment>> {
    let mut servers: BTreeMap<&str, Vec<&super::network::ChaincodeDeployment>> = BTreeMap::new();
    for d in network.chaincodes.iter().flat_map(|c| &c.deployments) {
        servers.entry(d.org.as_str()).or_default().push(d);
    }
    servers
}

/// The flows the network's own NetworkPolicies (`policies` enabled) allow, in a fixed order.
fn add_flows(
    network: &Network,
    policies: &NetworkPoliciesSpec,
    servers: &BTreeMap<&str, Vec<&super::network::ChaincodeDeployment>>,
    flows: &mut Flows,
) {
    ordering_flows(network, flows);
    let orgs = OrgIds::of(network);
    for (i, org) in network.orgs.iter().enumerate() {
        org_flows(network, &orgs, i, servers.get(org.name.as_str()).map_or(&[], |d| d), flows);
    }
    outside_flows(network, policies, flows);
}

/// Consensus among the orderers, and each ordering organisation's clients.
fn ordering_flows(network: &Network, flows: &mut Flows) {
    let groups = orderer_groups(network);
    let bft = network.configtx.as_ref().is_some_and(|c| c.orderer_type == "BFT");
    let consensus = if bft { "SmartBFT consensus" } else { "Raft cluster" };
    for (i, ordering) in network.orderer_orgs.iter().enumerate() {
        let own = &groups[i];
        if ordering.orderers.len() > 1 {
            flows.add(own, own, &[ORDERER_PORT], true, consensus);
        }
        for other in &groups[i + 1..] {
            flows.add(own, other, &[ORDERER_PORT], true, consensus);
        }
        // An orderer's admin endpoint admits its own organisation's clients only.
        let clients = clients_group(&ordering.name);
        flows.add(&clients, own, &[ORDERER_PORT, ORDERER_ADMIN_PORT], false, "channel admin");
        for other in groups.iter().filter(|g| *g != own) {
            flows.add(&clients, other, &[ORDERER_PORT], false, "genesis block");
        }
        if let Some(exposure) = ordering.exposure.as_ref().filter(|e| e.from.is_some()) {
            flows.add(
                &exposure_source(network, exposure),
                own,
                &[ORDERER_PORT],
                false,
                "other clusters, TLS passed through",
            );
        }
        to_other_clusters(network, own, flows);
        to_other_clusters(network, &clients, flows);
    }
}

/// When the network spans clusters, `from` reaches the other clusters' Gateways: their ports
/// at any address, the Gateways' pods here among them.
fn to_other_clusters(network: &Network, from: &str, flows: &mut Flows) {
    if network.remote_ports.is_empty() {
        return;
    }
    flows.add(from, &id("anywhere", &[]), &network.remote_ports, false, "other clusters");
    for (clusters, _) in gateways(network) {
        flows.add(from, &gateway_group(clusters[0]), &network.remote_ports, false, "other clusters");
    }
}

/// What the flows of every peer organisation refer to, found once: each org's index and peers
/// group, and the orderer groups (per org, they made a fifth of a 300-org picture).
struct OrgIds<'a> {
    index: BTreeMap<&'a str, usize>,
    peers: Vec<Arc<str>>,
    orderers: Vec<String>,
}

impl<'a> OrgIds<'a> {
    fn of(network: &'a Network) -> Self {
        OrgIds {
            index: network.orgs.iter().enumerate().map(|(i, o)| (o.name.as_str(), i)).collect(),
            peers: network.orgs.iter().map(|o| peers_group(&o.name).into()).collect(),
            orderers: orderer_groups(network),
        }
    }

    /// The orgs with peers that org `i`'s peers and clients reach, in the network's order:
    /// itself and every org it shares a channel with.
    fn reach(&self, network: &Network, i: usize) -> Vec<usize> {
        let org = &network.orgs[i];
        let mut shared = vec![false; network.orgs.len()];
        shared[i] = true;
        for channel in network.channels.iter().filter(|c| org.channels.contains(&c.name)) {
            for name in &channel.orgs {
                if let Some(&j) = self.index.get(name.as_str()) {
                    shared[j] = true;
                }
            }
        }
        (0..network.orgs.len()).filter(|&j| shared[j] && !network.orgs[j].peers.is_empty()).collect()
    }
}

/// What peer organisation `i`'s peers and clients reach, and what reaches its peers.
fn org_flows(
    network: &Network,
    ids: &OrgIds,
    i: usize,
    servers: &[&super::network::ChaincodeDeployment],
    flows: &mut Flows,
) {
    let org = &network.orgs[i];
    let peers = &ids.peers[i];
    let reach = ids.reach(network, i);
    if !org.peers.is_empty() {
        for orderers in &ids.orderers {
            flows.add(peers, orderers, &[ORDERER_PORT], false, "transactions, blocks");
        }
        if org.peers.len() > 1 {
            flows.add(peers, peers, &[PEER_PORT], true, "gossip");
        }
        for &j in reach.iter().filter(|&&j| j > i) {
            flows.add_shared(peers, &ids.peers[j], &[PEER_PORT], true, "gossip, endorsement");
        }
        for d in servers {
            flows.add(peers, &id("cc", &[&d.name]), &[d.port], false, "chaincode");
        }
        if org.api_access {
            flows.add(peers, &id("anywhere", &[]), &[443, 6443], false, "Kubernetes API");
        }
        if org.k8scc.is_some() {
            flows.add(&id("k8scc", &["chaincode"]), peers, &[PEER_CHAINCODE_PORT], false, "chaincode stream");
        }
        if org.k8s_builder.is_some() {
            flows.add(&id("jobs", &[&org.name]), peers, &[PEER_CHAINCODE_PORT], false, "chaincode stream");
        }
        if let Some(exposure) = org.exposure.as_ref().filter(|e| e.from.is_some()) {
            flows.add(
                &exposure_source(network, exposure),
                peers,
                &[PEER_PORT],
                false,
                "other clusters, TLS passed through",
            );
        }
        to_other_clusters(network, peers, flows);
    }
    let clients: Arc<str> = clients_group(&org.name).into();
    for &j in &reach {
        flows.add_shared(&clients, &ids.peers[j], &[PEER_PORT], false, "proposals, queries");
    }
    for orderers in &ids.orderers {
        flows.add(&clients, orderers, &[ORDERER_PORT], false, "transactions");
    }
    if let Some(ca) = &org.ca {
        flows.add(&clients, &id("ca", &[&ca.name]), &[CA_PORT], false, "enroll, register");
    }
    to_other_clusters(network, &clients, flows);
}

/// k8scc's builds, monitoring and outside clients.
fn outside_flows(network: &Network, policies: &NetworkPoliciesSpec, flows: &mut Flows) {
    let with_peers = || network.orgs.iter().filter(|o| !o.peers.is_empty());
    if network.orgs.iter().any(|o| o.k8scc.is_some()) {
        flows.add(&id("k8scc", &["builds"]), &id("anywhere", &[]), &[443], false, "dependencies");
    }
    if policies.monitoring.is_some() {
        let monitoring = id("monitoring", &[]);
        for org in with_peers() {
            flows.add(&monitoring, &peers_group(&org.name), &[OPERATIONS_PORT], false, "metrics, health");
        }
        for orderers in &orderer_groups(network) {
            flows.add(&monitoring, orderers, &[OPERATIONS_PORT], false, "metrics, health");
        }
        for ca in network.orgs.iter().filter_map(|o| o.ca.as_ref()) {
            flows.add(&monitoring, &id("ca", &[&ca.name]), &[OPERATIONS_PORT], false, "metrics, health");
        }
    }
    for i in 0..policies.clients.len() {
        let node = id("outside", &[&i.to_string()]);
        for org in with_peers() {
            flows.add(&node, &peers_group(&org.name), &[PEER_PORT], false, "proposals, queries");
        }
        for orderers in &orderer_groups(network) {
            flows.add(&node, orderers, &[ORDERER_PORT], false, "transactions");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_ids_are_unique_even_when_names_look_alike() {
        let text = "name: n\nnamespace: n\nordererOrg: {name: clients, mspId: OMSP, orderers: [{name: peers}, {name: ca}]}\norgs:\n  - {name: org1, mspId: O1MSP, ca: true, peers: [{name: clients}, {name: peers}]}\n  - {name: clients-org1, mspId: O2MSP, peers: [{name: ca}]}\nchannels: [{name: orderers, orgs: [org1, clients-org1]}]\nchaincodes: [{name: clients, version: \"1\", image: \"x/c:1\", channel: orderers}]\nnetworkPolicies: {monitoring: {podLabels: {a: b}}, clients: [{podLabels: {c: d}}]}\n";
        let spec = crate::spec::load_spec("n.yaml", text).unwrap();
        let (network, _) = crate::model::resolve::resolve(&spec).unwrap();
        let t = of(&network);
        // A single-node group is drawn as its node: the same id, once.
        let mut drawn: Vec<&str> = t.groups().filter(|g| g.nodes.len() > 1).map(|g| g.id.as_str()).collect();
        drawn.extend(t.groups().flat_map(|g| &g.nodes).map(|n| n.id.as_str()));
        drawn.extend(t.orgs.iter().map(|o| o.id.as_str()));
        drawn.extend(t.channels.iter().map(|c| c.id.as_str()));
        let unique: std::collections::BTreeSet<&str> = drawn.iter().copied().collect();
        assert_eq!(unique.len(), drawn.len(), "{drawn:?}");
        // Every flow joins groups that exist.
        for f in &t.flows {
            assert!(t.groups().any(|g| *g.id == *f.from) && t.groups().any(|g| *g.id == *f.to), "{f:?}");
        }
    }
}
