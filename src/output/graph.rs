//! `fabgen graph`: the network's [`Topology`] drawn as a Mermaid flowchart (which GitHub and
//! GitLab render in Markdown, so the chart README and `render -o`'s README embed it) or as
//! Graphviz DOT (`dot -Tsvg`).
//!
//! Organisations are boxes holding their peers, CA, chaincode servers and clients; channels are
//! hexagons joined to their members by dotted lines; solid arrows are the flows the
//! NetworkPolicies allow, labelled with their ports. Flows within a group (Raft among orderers,
//! gossip among one org's peers) are written in the group's title.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::model::Network;
use crate::model::topology::{self, ClusterBox, Flow, FlowView, Group, Node, NodeKind, Topology};

/// A flow's ports, `7051, 7052`, written where they go (a large network has hundreds of
/// thousands of flows to measure).
struct Ports<'a>(&'a [u16]);

impl std::fmt::Display for Ports<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, port) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{port}")?;
        }
        Ok(())
    }
}

/// The flows among each group's own pods, by group id, in the topology's order: found once,
/// not once per group (a network of 1000 orgs has thousands of groups and flows).
type Within<'a> = BTreeMap<&'a str, Vec<&'a Flow>>;

fn within(flows: &[Flow]) -> Within<'_> {
    let mut out: Within = BTreeMap::new();
    for flow in flows.iter().filter(|f| f.from == f.to) {
        out.entry(&*flow.from).or_default().push(flow);
    }
    out
}

/// A group's title, with the flows among its own pods.
fn group_title(group: &Group, within: &Within) -> String {
    let mut title = group.label.clone();
    for flow in within.get(group.id.as_str()).into_iter().flatten() {
        write!(title, " · {} among themselves: {}", flow.what, Ports(&flow.ports)).unwrap();
    }
    title
}

/// What a drawing says when there are no policies: every flow is open.
const NO_POLICIES: &str = "NetworkPolicies are off (networkPolicies.enabled: false): every pod reaches every other";

/// A Mermaid string: inside `"…"`, a double quote is written `#quot;`.
fn mermaid_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('"') { text.replace('"', "#quot;").into() } else { text.into() }
}

fn mermaid_node(node: &Node, id: &str) -> String {
    let label = mermaid_text(&node.label);
    match node.kind {
        NodeKind::Peer | NodeKind::Orderer => format!("{id}[\"{label}\"]"),
        NodeKind::Ca => format!("{id}([\"{label}\"])"),
        NodeKind::Chaincode => format!("{id}[[\"{label}\"]]"),
        NodeKind::Clients | NodeKind::Selected => format!("{id}[/\"{label}\"/]"),
        NodeKind::Launched => format!("{id}>\"{label}\"]"),
        NodeKind::Anywhere => format!("{id}((\"{label}\"))"),
    }
}

fn mermaid_group(out: &mut impl Write, group: &Group, within: &Within, indent: &str) {
    if let [node] = group.nodes.as_slice() {
        writeln!(out, "{indent}{}", mermaid_node(node, &group.id)).unwrap();
        return;
    }
    writeln!(out, "{indent}subgraph {}[\"{}\"]", group.id, mermaid_text(&group_title(group, within))).unwrap();
    for node in &group.nodes {
        writeln!(out, "{indent}  {}", mermaid_node(node, &node.id)).unwrap();
    }
    writeln!(out, "{indent}end").unwrap();
}

/// Each channel as a hexagon, joined to its members by dotted lines.
fn mermaid_channels(out: &mut impl Write, topology: &Topology) {
    for channel in &topology.channels {
        writeln!(out, "  {}{{{{\"{}\"}}}}", channel.id, mermaid_text(&channel.label)).unwrap();
        for member in &channel.members {
            writeln!(out, "  {} -.- {member}", channel.id).unwrap();
        }
    }
}

/// The org boxes in drawing order: each cluster's (in a network across clusters) inside its
/// cluster's box, then those in no cluster box, in spec order.
fn by_cluster(topology: &Topology) -> Vec<(Option<&ClusterBox>, Vec<&crate::model::topology::OrgBox>)> {
    let mut out: Vec<(Option<&ClusterBox>, Vec<&crate::model::topology::OrgBox>)> = topology
        .clusters
        .iter()
        .map(|c| (Some(c), topology.orgs.iter().filter(|o| c.orgs.contains(&o.id)).collect()))
        .collect();
    let rest: Vec<_> =
        topology.orgs.iter().filter(|o| !topology.clusters.iter().any(|c| c.orgs.contains(&o.id))).collect();
    if !rest.is_empty() {
        out.push((None, rest));
    }
    out
}

/// The topology as a Mermaid flowchart.
pub fn mermaid(topology: &Topology) -> String {
    let mut out = String::new();
    write_mermaid(&mut out, topology);
    out
}

/// A writer that only counts the bytes written to it.
struct Count(usize);

impl Write for Count {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

/// The length of [`mermaid`]'s text, without making it (at 1000 orgs it is tens of MB).
fn mermaid_len(topology: &Topology) -> usize {
    let mut count = Count(0);
    write_mermaid(&mut count, topology);
    count.0
}

fn write_mermaid(out: &mut impl Write, topology: &Topology) {
    let within = within(&topology.flows);
    writeln!(out, "flowchart LR").unwrap();
    for (cluster, orgs) in by_cluster(topology) {
        let indent = match cluster {
            Some(c) => {
                writeln!(out, "  subgraph {}[\"{}\"]", c.id, mermaid_text(&c.label)).unwrap();
                "    "
            }
            None => "  ",
        };
        for org in orgs {
            writeln!(out, "{indent}subgraph {}[\"{}\"]", org.id, mermaid_text(&org.label)).unwrap();
            for group in &org.groups {
                mermaid_group(out, group, &within, &format!("{indent}  "));
            }
            writeln!(out, "{indent}end").unwrap();
        }
        if cluster.is_some() {
            writeln!(out, "  end").unwrap();
        }
    }
    for group in &topology.outside {
        mermaid_group(out, group, &within, "  ");
    }
    mermaid_channels(out, topology);
    for flow in topology.flows.iter().filter(|f| f.from != f.to) {
        mermaid_flow(out, flow.view());
    }
    if !topology.policies {
        writeln!(out, "  no_policies[\"{NO_POLICIES}\"]").unwrap();
    }
}

/// A flow between two groups, as an arrow labelled with its ports and what it carries.
fn mermaid_flow(out: &mut impl Write, flow: FlowView) {
    let arrow = if flow.both_ways { "<-->" } else { "-->" };
    writeln!(out, "  {} {arrow}|\"{} {}\"| {}", flow.from, Ports(flow.ports), mermaid_text(flow.what), flow.to)
        .unwrap();
}

/// The length of the Mermaid lines of flows between groups, summed as the flows are found:
/// a line is its two group ids and the rest, which is measured once per kind of flow (ports,
/// direction, what it carries) by writing the line with empty ids.
#[derive(Default)]
struct FlowLines {
    rests: Vec<(Vec<u16>, bool, &'static str, usize)>,
    total: usize,
}

impl FlowLines {
    fn add(&mut self, flow: FlowView) {
        let kind = |(ports, both_ways, what, _): &(Vec<u16>, bool, &str, usize)| {
            ports == flow.ports && *both_ways == flow.both_ways && *what == flow.what
        };
        let rest = match self.rests.iter().find(|r| kind(r)) {
            Some(&(.., rest)) => rest,
            None => {
                let mut count = Count(0);
                mermaid_flow(&mut count, FlowView { from: "", to: "", ..flow });
                self.rests.push((flow.ports.to_vec(), flow.both_ways, flow.what, count.0));
                count.0
            }
        };
        self.total += flow.from.len() + flow.to.len() + rest;
    }
}

/// A DOT string literal.
fn dot_text(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn dot_shape(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Peer | NodeKind::Orderer => "box",
        NodeKind::Ca => "cylinder",
        NodeKind::Chaincode => "component",
        NodeKind::Clients | NodeKind::Selected => "parallelogram",
        NodeKind::Launched => "cds",
        NodeKind::Anywhere => "ellipse",
    }
}

/// A group as one DOT node, under the group's id: a single node as itself, several (all
/// peers of an org, all orderers) as one box listing them. Edges then join nodes only:
/// Graphviz's edges clipped to clusters (`compound`) lay out poorly and can fail to rank.
fn dot_group(out: &mut String, group: &Group, within: &Within, indent: &str) {
    let (label, kind) = match group.nodes.as_slice() {
        [node] => (node.label.clone(), node.kind),
        nodes => {
            let names: Vec<&str> = nodes.iter().map(|n| n.label.as_str()).collect();
            (format!("{}\n{}", group_title(group, within), names.join(", ")), nodes[0].kind)
        }
    };
    let style = if group.nodes.len() > 1 { ", style=\"rounded,bold\"" } else { "" };
    writeln!(out, "{indent}{} [label={}, shape={}{style}];", group.id, dot_text(&label), dot_shape(kind)).unwrap();
}

/// The topology as a Graphviz digraph.
pub fn dot(topology: &Topology) -> String {
    let within = within(&topology.flows);
    let mut out = String::new();
    writeln!(out, "digraph {} {{", dot_text(&topology.network)).unwrap();
    writeln!(out, "  graph [rankdir=LR, newrank=true, fontname=\"Helvetica\"];").unwrap();
    writeln!(out, "  node [fontname=\"Helvetica\"];").unwrap();
    writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=10];").unwrap();
    for (cluster, orgs) in by_cluster(topology) {
        let indent = match cluster {
            Some(c) => {
                writeln!(out, "  subgraph cluster_{} {{", c.id).unwrap();
                writeln!(out, "    label={};", dot_text(&c.label)).unwrap();
                writeln!(out, "    style=dashed;").unwrap();
                "    "
            }
            None => "  ",
        };
        for org in orgs {
            writeln!(out, "{indent}subgraph cluster_{} {{", org.id).unwrap();
            writeln!(out, "{indent}  label={};", dot_text(&org.label)).unwrap();
            for group in &org.groups {
                dot_group(&mut out, group, &within, &format!("{indent}  "));
            }
            writeln!(out, "{indent}}}").unwrap();
        }
        if cluster.is_some() {
            writeln!(out, "  }}").unwrap();
        }
    }
    for group in &topology.outside {
        dot_group(&mut out, group, &within, "  ");
    }
    for channel in &topology.channels {
        writeln!(out, "  {} [label={}, shape=hexagon];", channel.id, dot_text(&channel.label)).unwrap();
        for member in &channel.members {
            // Members' peers join the channel.
            let org = topology.orgs.iter().find(|o| &o.id == member).expect("channel members are orgs");
            let node = &org.groups[0].id;
            writeln!(out, "  {} -> {node} [style=dotted, arrowhead=none];", channel.id).unwrap();
        }
    }
    for flow in topology.flows.iter().filter(|f| f.from != f.to) {
        let both = if flow.both_ways { ", dir=both" } else { "" };
        let label = dot_text(&format!("{} {}", Ports(&flow.ports), flow.what));
        writeln!(out, "  {} -> {} [label={label}{both}];", flow.from, flow.to).unwrap();
    }
    if !topology.policies {
        writeln!(out, "  no_policies [label={}, shape=note];", dot_text(NO_POLICIES)).unwrap();
    }
    writeln!(out, "}}").unwrap();
    out
}

/// Mermaid's default `maxTextSize`: above it, Mermaid (and so GitHub and GitLab) draws no
/// diagram but an error.
pub const MERMAID_MAX_TEXT: usize = 50_000;

/// The topology reduced to organisations, channels and membership: no nodes inside the org
/// boxes and no flows, whose number grows with the square of the orgs.
pub fn mermaid_summary(topology: &Topology) -> String {
    let mut out = String::new();
    writeln!(out, "flowchart LR").unwrap();
    for org in &topology.orgs {
        writeln!(out, "  {}[\"{}\"]", org.id, mermaid_text(&org.label)).unwrap();
    }
    mermaid_channels(&mut out, topology);
    out
}

/// Channel membership as a Markdown table, for networks too large for any Mermaid picture.
fn membership_table(topology: &Topology) -> String {
    let mut out = String::from("| Channel | Members |\n|---|---|\n");
    for channel in &topology.channels {
        let names: Vec<&str> = channel
            .members
            .iter()
            .filter_map(|m| topology.orgs.iter().find(|o| &o.id == m))
            .map(|o| o.name.as_str())
            .collect();
        writeln!(out, "| {} | {} ({}) |", channel.label, names.join(", "), names.len()).unwrap();
    }
    out
}

/// The Markdown section the READMEs embed: the whole picture as Mermaid and its legend while it
/// stays within [`MERMAID_MAX_TEXT`]; past that, organisations, channels and membership only
/// (as Mermaid, or as a table when even that is too large), saying how to get the whole picture.
/// A README thus stays small at any scale (Helm refuses chart files above 5 MiB).
pub fn markdown_section(topology: &Topology) -> String {
    section(topology, mermaid_len(topology), || mermaid(topology))
}

/// [`markdown_section`] of `network`'s picture, whose flows are measured as they are found
/// and kept only when the whole picture is small enough to embed: a 300-org network has 137 000
/// flows, and keeping them took 31 ms of the 34 its section took (6.5 ms measured as found).
pub fn network_section(network: &Network) -> String {
    let (mut within, mut lines) = (Vec::new(), FlowLines::default());
    let outline = topology::visiting(network, &mut |flow| {
        if flow.from == flow.to { within.push(Flow::from(flow)) } else { lines.add(flow) }
    });
    // The group titles hold the flows within groups; the lines of the others are measured.
    let outline = Topology { flows: within, ..outline };
    section(&outline, mermaid_len(&outline) + lines.total, || mermaid(&topology::of(network)))
}

/// The section of a picture whose whole Mermaid text is `length` long (`whole` makes it).
fn section(topology: &Topology, length: usize, whole: impl FnOnce() -> String) -> String {
    if length <= MERMAID_MAX_TEXT {
        let full = whole();
        return format!(
            "## Topology\n\nOrganisations with their peers, orderers, CA and chaincode servers; channels (hexagons) \
             joined to their members by dotted lines; and, as arrows with their ports, every flow the \
             NetworkPolicies allow (nothing else is open). `fabgen graph --format dot` draws the same \
             with Graphviz.\n\n```mermaid\n{full}```\n"
        );
    }
    let why = format!(
        "The whole picture, with the peers, orderers, CAs, chaincode servers and every flow the \
         NetworkPolicies allow, is {} characters of Mermaid, more than the {MERMAID_MAX_TEXT} Mermaid draws \
         (and so GitHub and GitLab): `fabgen graph SPEC` prints it, and `fabgen graph SPEC --format dot | dot \
         -Tsvg` draws it with Graphviz.",
        length
    );
    let summary = mermaid_summary(topology);
    if summary.len() <= MERMAID_MAX_TEXT {
        return format!(
            "## Topology\n\nOrganisations and the channels (hexagons) they are members of. {why}\n\n```mermaid\n{summary}```\n"
        );
    }
    format!(
        "## Topology\n\n{} organisations in {} channels. {why}\n\n{}",
        topology.orgs.len(),
        topology.channels.len(),
        membership_table(topology)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::topology::{ChannelNode, Flow, Group, Node, NodeKind, OrgBox};

    /// `orgs` orgs of one peer each, all in one channel; up to 200 orgs, every org's peer
    /// reaching every other's (flows that grow with the square of the orgs, as gossip does).
    fn topology(orgs: usize) -> Topology {
        let org = |i: usize| {
            let node = |id: String| Node {
                id: id.clone(),
                label: id,
                kind: NodeKind::Peer,
                workload: None,
                pod_labels: Default::default(),
                namespace: None,
            };
            OrgBox {
                id: format!("org{i}"),
                name: format!("org{i}"),
                label: format!("org{i} · Org{i}MSP"),
                groups: vec![Group {
                    id: format!("p_org{i}"),
                    label: "peers".into(),
                    nodes: vec![node(format!("p_org{i}"))],
                }],
            }
        };
        let flows = (0..orgs.min(200))
            .flat_map(|a| (0..orgs.min(200)).map(move |b| (a, b)))
            .map(|(a, b)| Flow {
                from: format!("p_org{a}").into(),
                to: format!("p_org{b}").into(),
                ports: vec![7051].into(),
                both_ways: false,
                what: "gossip",
            })
            .collect();
        Topology {
            network: "net".into(),
            policies: true,
            orgs: (0..orgs).map(org).collect(),
            outside: Vec::new(),
            clusters: Vec::new(),
            channels: vec![ChannelNode {
                id: "ch_all".into(),
                label: "channel all".into(),
                members: (0..orgs).map(|i| format!("org{i}")).collect(),
            }],
            flows,
        }
    }

    #[test]
    fn small_networks_embed_the_whole_picture() {
        let t = topology(3);
        assert!(markdown_section(&t).contains(&format!("```mermaid\n{}```", mermaid(&t))));
    }

    #[test]
    fn larger_ones_embed_membership_then_a_table_and_name_the_whole_pictures_size() {
        let t = topology(100);
        let section = markdown_section(&t);
        assert!(mermaid(&t).len() > MERMAID_MAX_TEXT);
        assert!(section.contains(&format!("```mermaid\n{}```", mermaid_summary(&t))), "{section}");
        assert!(section.contains(&format!("is {} characters of Mermaid", mermaid(&t).len())));
        assert!(!section.contains("-->"));

        let t = topology(1500);
        let section = markdown_section(&t);
        assert!(mermaid_summary(&t).len() > MERMAID_MAX_TEXT);
        assert!(!section.contains("```mermaid"));
        assert!(section.contains("| channel all | org0, org1, "), "{}", &section[..500]);
        assert!(section.contains("org1499 (1500) |"));
        assert!(section.len() < 1 << 20);
    }
}
