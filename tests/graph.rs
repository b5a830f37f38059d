//! `fabgen graph`: the DOT drawing is accepted by the real Graphviz `dot` (Debian's graphviz,
//! installed by scripts/test.sh) and renders to SVG with every group and flow; the Mermaid
//! drawing declares every group once and draws every flow; both are snapshotted per example;
//! the READMEs of `render -o` and `chart` embed the Mermaid picture. That the flows are exactly
//! those the NetworkPolicies allow is proved in tests/security.rs.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};

use fabgen::model::topology::Topology;
use fabgen::output::graph;

fn topologies() -> Vec<(String, Topology)> {
    common::examples()
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fabgen::model::topology::of(&common::generate(p).network),
            )
        })
        .collect()
}

/// Runs Graphviz's `dot -Tsvg` on `source`: its stdout, or a panic with its stderr.
fn dot_svg(source: &str) -> String {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("Graphviz dot (Debian package graphviz; scripts/test.sh installs it)");
    child.stdin.take().unwrap().write_all(source.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.is_empty(), "dot refused the drawing:\n{stderr}\n{source}");
    String::from_utf8(out.stdout).unwrap()
}

/// The `<title>` of every node and edge of an SVG written by dot (edges as `a->b`).
fn svg_titles(svg: &str) -> BTreeSet<String> {
    svg.split("<title>")
        .skip(1)
        .map(|rest| rest.split("</title>").next().unwrap().replace("&#45;", "-").replace("&gt;", ">"))
        .collect()
}

#[test]
fn dot_drawings_render_to_svg_with_every_group_and_flow() {
    for (name, topology) in topologies() {
        let svg = dot_svg(&graph::dot(&topology));
        assert!(svg.contains("<svg") && svg.trim_end().ends_with("</svg>"), "{name}");
        let titles = svg_titles(&svg);
        for group in topology.groups() {
            assert!(titles.contains(&group.id), "{name}: no node {} in {titles:?}", group.id);
        }
        for org in &topology.orgs {
            assert!(titles.contains(&format!("cluster_{}", org.id)), "{name}: no box for {}", org.id);
        }
        // Across clusters, each cluster is a box around its orgs' boxes.
        for cluster in &topology.clusters {
            assert!(titles.contains(&format!("cluster_{}", cluster.id)), "{name}: no box for {}", cluster.id);
        }
        if name.starts_with("consortium") {
            assert_eq!(topology.clusters.len(), 4, "{name}");
            assert!(topology.clusters.iter().all(|c| !c.orgs.is_empty()));
        }
        for flow in topology.flows.iter().filter(|f| f.from != f.to) {
            assert!(titles.contains(&format!("{}->{}", flow.from, flow.to)), "{name}: no arrow {flow:?}");
        }
        for channel in &topology.channels {
            assert!(titles.contains(&channel.id), "{name}: no channel {}", channel.id);
            assert_eq!(
                titles.iter().filter(|t| t.starts_with(&format!("{}->", channel.id))).count(),
                channel.members.len()
            );
        }
        assert!(!topology.flows.is_empty(), "{name}: the policies allow flows");
    }
}

#[test]
fn mermaid_drawings_declare_each_group_once_and_draw_every_flow() {
    let identifier = regex::Regex::new("^[a-z][a-z0-9_]*$").unwrap();
    for (name, topology) in topologies() {
        let text = graph::mermaid(&topology);
        assert!(text.starts_with("flowchart LR\n"), "{name}");
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        // Subgraphs open and close in pairs.
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("subgraph ")).count(),
            lines.iter().filter(|l| **l == "end").count()
        );
        let declared: Vec<&str> = lines
            .iter()
            .filter(|l| !l.contains("-->") && !l.contains("<-->") && !l.contains("-.-") && **l != "end")
            .skip(1)
            .map(|l| l.trim_start_matches("subgraph ").split(['[', '(', '{', '>']).next().unwrap())
            .collect();
        let unique: BTreeSet<&&str> = declared.iter().collect();
        assert_eq!(unique.len(), declared.len(), "{name}: an id is declared twice: {declared:?}");
        for id in &declared {
            assert!(identifier.is_match(id) && !["end", "graph", "subgraph", "flowchart"].contains(id), "{name}: {id}");
        }
        for group in topology.groups() {
            assert!(declared.contains(&group.id.as_str()), "{name}: {} not declared", group.id);
        }
        for flow in topology.flows.iter().filter(|f| f.from != f.to) {
            let arrow = if flow.both_ways { "<-->" } else { "-->" };
            let ports = flow.ports.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
            let line = format!("{} {arrow}|\"{ports} {}\"| {}", flow.from, flow.what, flow.to);
            assert!(lines.contains(&line.as_str()), "{name}: no line {line}");
        }
        // Flows among a group's own pods are written in its title.
        for flow in topology.flows.iter().filter(|f| f.from == f.to) {
            assert!(
                lines.iter().any(|l| l.starts_with(&format!("subgraph {}[", flow.from)) && l.contains(flow.what)),
                "{name}: {flow:?}"
            );
        }
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("graph_mermaid@{name}"), text);
            insta::assert_snapshot!(format!("graph_dot@{name}"), graph::dot(&topology));
        });
    }
}

#[test]
fn graph_command_prints_either_drawing_and_the_readmes_embed_the_picture() {
    let dir = tempfile::tempdir().unwrap();
    let spec = common::root().join("values/multi-org.yaml");
    let spec = spec.to_str().unwrap();
    let run = |args: &[&str]| {
        let o = common::fabgen().args(args).output().unwrap();
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let topology =
        fabgen::model::topology::of(&common::generate(&common::root().join("values/multi-org.yaml")).network);
    let mermaid = run(&["graph", spec]);
    assert_eq!(mermaid, graph::mermaid(&topology));
    assert_eq!(run(&["graph", spec, "--format", "dot"]), graph::dot(&topology));
    let block = format!("```mermaid\n{mermaid}```\n");

    let deploy = dir.path().join("deploy");
    run(&["render", spec, "-o", deploy.to_str().unwrap()]);
    let readme = std::fs::read_to_string(deploy.join("README.md")).unwrap();
    assert!(readme.contains(&block), "{readme}");
    assert!(readme.contains("kubectl apply -k .\n"), "{readme}");

    let chart = dir.path().join("chart");
    run(&["chart", spec, "-o", chart.to_str().unwrap()]);
    assert!(std::fs::read_to_string(chart.join("README.md")).unwrap().contains(&block));
    let charts = dir.path().join("charts");
    run(&["chart", spec, "-o", charts.to_str().unwrap(), "--per-org"]);
    for org in ["bank", "insurer", "regulator"] {
        let readme = std::fs::read_to_string(charts.join(format!("consortium-{org}/README.md")));
        assert!(readme.unwrap().contains(&block), "{org}");
    }
    // Without a spec: the embedded example.
    assert!(run(&["graph"]).contains("channel mychannel"));
}

#[test]
fn without_network_policies_nothing_is_drawn_as_allowed_and_the_drawing_says_everything_is_open() {
    let text = std::fs::read_to_string(common::root().join("values/minimal.yaml")).unwrap();
    let text = format!("{text}\nnetworkPolicies: {{enabled: false}}\n");
    let spec = fabgen::spec::load_spec("open.yaml", &text).unwrap();
    let generated = fabgen::generate(&spec, &fabgen::render::TemplateSet::embedded()).unwrap();
    assert!(generated.rendered.objects.values().all(|o| o.kind != "NetworkPolicy"));
    let topology = fabgen::model::topology::of(&generated.network);
    assert!(!topology.policies && topology.flows.is_empty());
    assert!(graph::mermaid(&topology).contains("every pod reaches every other"));
    let svg = dot_svg(&graph::dot(&topology));
    assert!(svg.contains("every pod reaches every other"));
}

/// The READMEs' section measures a network's flows as they are found instead of keeping them
/// (`graph::network_section`): it is the section of the whole picture, for every example and
/// for scaffolded networks of every size, whose sections take each of the three forms (the
/// whole picture, the membership picture, the membership table); and the flows shown one by
/// one are the picture's, in its order, around the same outline.
#[test]
fn the_section_measuring_flows_as_they_are_found_is_the_whole_pictures() {
    use fabgen::model::topology::{self, Flow};
    let mut networks: Vec<(String, fabgen::model::Network)> =
        common::examples().iter().map(|p| (p.display().to_string(), common::generate(p).network)).collect();
    for orgs in [2, 8, 40, 700] {
        let options = fabgen::spec::init::InitOptions { orgs, channels: 3, chaincodes: 2, ..Default::default() };
        let spec = fabgen::spec::load_spec("big.yaml", &fabgen::spec::init::scaffold(&options)).unwrap();
        networks.push((format!("{orgs} orgs"), fabgen::model::resolve(&spec).unwrap().0));
    }
    let mut forms = BTreeSet::new();
    for (name, network) in &networks {
        let whole = topology::of(network);
        let mut shown = Vec::new();
        let outline = topology::visiting(network, &mut |flow| shown.push(Flow::from(flow)));
        assert!(outline.flows.is_empty(), "{name}");
        assert_eq!(shown, whole.flows, "{name}");
        let outline = Topology { flows: shown, ..outline };
        assert_eq!(serde_json::to_value(&outline).unwrap(), serde_json::to_value(&whole).unwrap(), "{name}");

        let section = graph::network_section(network);
        assert_eq!(section, graph::markdown_section(&whole), "{name}");
        forms.insert(if section.contains("-->|") {
            "whole"
        } else if section.contains("```mermaid") {
            "membership picture"
        } else {
            "membership table"
        });
    }
    assert_eq!(forms.len(), 3, "{forms:?}");
}
