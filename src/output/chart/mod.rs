//! Helm charts from the same templates and model as the plain manifests.
//!
//! The templates are rendered once in chart mode (`crate::render::knobs::Mode::Chart`): every
//! operator knob comes out as a token. Each object is checked with its tokens at their
//! defaults (`crate::render::defaults`), then gets the knobs every object shares (extra labels
//! and annotations, Service annotations), is serialised exactly as `render` serialises
//! manifests, and has each token replaced by the Helm expression that reads the same path of
//! `values.yaml`. With default values Helm therefore renders the very objects `fabgen render`
//! writes; the tests prove it with the real Helm engine.
//!
//! `helm` turns an object into its Helm template (tokens into Helm expressions, the knobs every
//! object shares); `values` makes `values.yaml`, its schema and the chart's README.

mod helm;
mod shared;
mod values;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use anyhow::{Context, Result, bail};

use self::helm::{Lookup, helm_template, helpers};
use self::shared::{Shares, add_shared_knobs, string_at};
pub use self::values::values_schema;
use self::values::{chart_values, readme};
use crate::check::{self, Checker};
use crate::model::Network;
use crate::render::knobs::{Knobs, Mode};
use crate::render::node::{Node, Tree, View};
use crate::render::{self, Object, Rendered, Taken, TemplateSet, TreeObject};

/// Helm's limit on release names; a chart is installed under its own name.
pub const MAX_RELEASE_NAME: usize = 53;

/// Options of `fabgen chart`.
#[derive(Debug, Clone)]
pub struct ChartOptions {
    /// One chart per organisation instead of one for the network.
    pub per_org: bool,
    /// `version` in Chart.yaml.
    pub version: String,
    /// One organisation's part of a consortium (the network carries its custody): a chart of
    /// its own objects and the network-wide ones.
    pub org: Option<String>,
}

/// Writes the chart(s) of a network through `write` (path in the output tree, bytes), failing
/// like `render` if an object is not valid Kubernetes; returns the charts' names. Each object
/// is checked as Helm renders it with the default values (`render::defaults`: the objects
/// `render` writes), then becomes its Helm template and is written, as soon as it is rendered
/// and in parallel: the templates render once, and only what the charts' other files (values,
/// NOTES.txt) need of an object is kept. Nothing `write` got may be used if this fails.
pub fn write_charts(
    network: &Network,
    templates: &TemplateSet,
    options: &ChartOptions,
    checker: &Checker,
    write: &(dyn Fn(&str, &[u8]) -> Result<()> + Sync),
) -> Result<Vec<String>> {
    let layout = Layout { network, options };
    let names = layout.names();
    names.iter().try_for_each(|name| release_name(name))?;
    let knobs = Knobs::new(Mode::Chart, &network.values);
    // The READMEs' picture of the network is drawn while the objects render (once for every
    // chart of a network: it was drawn again for each, after them).
    let (checked, picture) = rayon::join(
        || render_checked(templates, network, &knobs, checker, &layout, write),
        || crate::output::manifests::picture(network),
    );
    let rendered = check::passed(checked?)?;
    let mut by_chart: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for file in rendered.apply_order() {
        if let Some(chart) = &rendered.objects[file].chart {
            by_chart.entry(chart).or_default().push(file);
        }
    }
    for name in &names {
        let files = by_chart.get(name.as_str()).map_or(&[][..], Vec::as_slice);
        for (path, bytes) in chart_files(name, files, &rendered, network, options, &picture)? {
            write(&layout.path(name, &path), &bytes)?;
        }
    }
    // What is kept of thousands of objects takes milliseconds to free: the pool frees it
    // while the charts are swapped in (and `fabgen` exits without waiting).
    drop(by_chart);
    rayon::spawn(move || drop((rendered, knobs)));
    Ok(names)
}

/// Renders every object in chart mode, checks it with its knobs at their defaults and writes
/// its template into its chart as soon as it passed: what is kept of each, or its problems. An
/// object read as a tree is checked with its knobs at their defaults on a tree too
/// (`render::defaults::tree_with_defaults`) and turned into its template where it lies
/// (`render::node`).
fn render_checked(
    templates: &TemplateSet,
    network: &Network,
    knobs: &Arc<Knobs>,
    checker: &Checker,
    layout: &Layout,
    write: &(dyn Fn(&str, &[u8]) -> Result<()> + Sync),
) -> Result<Rendered<(Vec<String>, Option<Piece>)>> {
    let lines = helm::Lines::default();
    let tree = render::keeping_trees(|file, object| {
        let passes = |tree: &Tree| checker.passes_unread(&object.api_version, &object.kind, tree);
        let unread = if render::defaults::has_token(Node::Tree(&object.tree)) {
            render::defaults::tree_with_defaults(&object.tree, knobs).is_some_and(|at_defaults| passes(&at_defaults))
        } else {
            passes(&object.tree)
        };
        if !unread {
            return Ok(Taken::Left(object));
        }
        Ok(Taken::Kept((Vec::new(), Some(Piece::written(object, file, knobs, &lines, layout, write)?))))
    });
    let rendered = render::render_each_tree(templates, network, knobs, &tree, |file, object| {
        let at_defaults = render::defaults::with_defaults(&object, knobs)?;
        let problems = checker.problems(file, &at_defaults)?;
        drop(at_defaults);
        if !problems.is_empty() {
            return Ok((problems, None));
        }
        Ok((problems, Some(Piece::written(object, file, knobs, &lines, layout, write)?)))
    });
    // The lines made (thousands at 300 orgs) are freed on the pool, not before the charts' other files.
    rayon::spawn(move || drop(lines));
    rendered
}

/// The files [`write_charts`] writes, by path.
pub fn chart_tree(
    network: &Network,
    templates: &TemplateSet,
    options: &ChartOptions,
) -> Result<BTreeMap<String, Vec<u8>>> {
    let files = std::sync::Mutex::new(BTreeMap::new());
    write_charts(network, templates, options, Checker::shared(), &|path, bytes| {
        files.lock().expect("chart files").insert(path.to_string(), bytes.to_vec());
        Ok(())
    })?;
    Ok(files.into_inner().expect("chart files"))
}

/// Which chart each object goes to, and where a chart's files sit in the output tree.
struct Layout<'a> {
    network: &'a Network,
    options: &'a ChartOptions,
}

impl Layout<'_> {
    /// The charts' names: one for the network, one per organisation (`per_org`), or one for an
    /// organisation's part (`org`).
    fn names(&self) -> Vec<String> {
        let net = &self.network.name;
        if let Some(org) = &self.options.org {
            vec![format!("{net}-{org}")]
        } else if self.options.per_org {
            let ordering = self.network.orderer_orgs.iter().map(|o| &o.name);
            ordering.chain(self.network.orgs.iter().map(|o| &o.name)).map(|org| format!("{net}-{org}")).collect()
        } else {
            vec![net.clone()]
        }
    }

    /// The chart of an object labelled `fabgen.io/org: owner` (none for a network-wide one),
    /// or none when it is not in a part's chart. Network-wide objects go with the first
    /// ordering organisation's chart.
    fn chart_of(&self, owner: Option<&str>) -> Option<String> {
        let net = &self.network.name;
        if let Some(org) = &self.options.org {
            owner.is_none_or(|owner| owner == org).then(|| format!("{net}-{org}"))
        } else if self.options.per_org {
            Some(format!("{net}-{}", owner.unwrap_or(&self.network.orderer_orgs[0].name)))
        } else {
            Some(net.clone())
        }
    }

    /// Where a chart's file goes: in the chart's own directory with `per_org`.
    fn path(&self, chart: &str, file: &str) -> String {
        if self.options.per_org { format!("{chart}/{file}") } else { file.to_string() }
    }
}

/// Refuses a chart name longer than a Helm release name.
fn release_name(name: &str) -> Result<()> {
    if name.len() > MAX_RELEASE_NAME {
        bail!(
            "chart name \"{name}\" has {} characters; Helm release names, which a chart is installed under, allow {MAX_RELEASE_NAME}",
            name.len()
        );
    }
    Ok(())
}

/// What a chart keeps of one rendered object once its template is written: what the chart's
/// other files (values, NOTES.txt) need of it.
struct Piece {
    kind: String,
    api_version: String,
    name: String,
    /// The chart it goes to, if any (`Layout::chart_of`).
    chart: Option<String>,
    /// The paths of the values its template reads.
    reads: BTreeSet<Vec<String>>,
    /// The Secrets it references.
    secrets: BTreeSet<String>,
    /// A chaincode Deployment's package ID annotation, as the object holds it once shared
    /// knobs are in.
    package_id: Option<String>,
}

/// An object a chart takes, read as a value or as a tree: what it is and its YAML as written.
trait ChartObject: Shares {
    fn yaml(&self) -> Result<String>;
    /// Its kind, `apiVersion` and name.
    fn into_names(self) -> (String, String, String);
}

impl ChartObject for Object {
    fn yaml(&self) -> Result<String> {
        self.to_yaml()
    }
    fn into_names(self) -> (String, String, String) {
        (self.kind, self.api_version, self.name)
    }
}

impl ChartObject for TreeObject<'_> {
    fn yaml(&self) -> Result<String> {
        match self.to_yaml() {
            Some(yaml) => Ok(yaml),
            None => serde_yaml::to_string(&self.tree.to_value())
                .with_context(|| format!("failed to serialise {} {}", self.kind, self.name)),
        }
    }
    fn into_names(self) -> (String, String, String) {
        (self.kind, self.api_version, self.name)
    }
}

impl Piece {
    /// What is kept of `object` once its template is written into its chart as `file`.
    fn written(
        object: impl ChartObject,
        file: &str,
        knobs: &Arc<Knobs>,
        lines: &helm::Lines,
        layout: &Layout,
        write: &(dyn Fn(&str, &[u8]) -> Result<()> + Sync),
    ) -> Result<Piece> {
        let (piece, template) = Piece::of(object, knobs, lines, layout)?;
        if let Some(chart) = &piece.chart {
            write(&layout.path(chart, &format!("templates/{file}")), template.as_bytes())?;
        }
        Ok(piece)
    }

    /// What is kept of `object`, and its file in the chart: its template, its knobs as Helm
    /// expressions, behind the chart's guard (and, for the Namespace, `namespace.create`).
    fn of(
        mut object: impl ChartObject,
        knobs: &Arc<Knobs>,
        lines: &helm::Lines,
        layout: &Layout,
    ) -> Result<(Piece, String)> {
        // The owner label as rendered, before shared knobs turn labels into tokens.
        let chart = layout.chart_of(string_at(object.root(), &["metadata", "labels", "fabgen.io/org"]));
        let shared = add_shared_knobs(&mut object, knobs);
        let mut reads = BTreeSet::new();
        let what = format!("{} {}", object.kind(), string_at(object.root(), &["metadata", "name"]).unwrap_or_default());
        let lookup = Lookup { shared: &shared, knobs, lines };
        let mut template = format!(
            "{{{{- include \"fabgen.guard\" . }}}}\n{}",
            helm_template(object.yaml()?, &what, &lookup, &mut reads)?
        );
        if object.kind() == "Namespace" {
            template = format!("{{{{- if .Values.namespace.create }}}}\n{template}{{{{- end }}}}\n");
        }
        let mut secrets = BTreeSet::new();
        collect_secret_refs(object.root(), &mut secrets);
        let package_id = (object.kind() == "Deployment")
            .then(|| string_at(object.root(), &["metadata", "annotations", "fabgen.io/package-id"]))
            .flatten()
            .map(str::to_string);
        let (kind, api_version, name) = object.into_names();
        let piece = Piece { kind, api_version, name, chart, reads, secrets, package_id };
        Ok((piece, template))
    }
}

impl crate::render::Kinded for Piece {
    fn kind(&self) -> &str {
        &self.kind
    }
    fn api_version(&self) -> &str {
        &self.api_version
    }
}

/// A chart's files other than its objects' templates, by path within the chart.
fn chart_files(
    name: &str,
    files: &[&str],
    rendered: &Rendered<Piece>,
    network: &Network,
    options: &ChartOptions,
    picture: &str,
) -> Result<BTreeMap<String, Vec<u8>>> {
    let pieces = || files.iter().map(|f| &rendered.objects[*f]);
    let has_namespace = pieces().any(|piece| piece.kind == "Namespace");
    // Inserted one by one: tens of thousands of reads, a few hundred of them different.
    let mut reads: BTreeSet<&Vec<String>> = BTreeSet::new();
    pieces().flat_map(|piece| &piece.reads).for_each(|path| {
        reads.insert(path);
    });
    let values = chart_values(network, &reads, has_namespace)?;
    let schema = values_schema(&values)?;

    let mut out = BTreeMap::new();
    out.insert("Chart.yaml".into(), chart_yaml(name, network, options).into_bytes());
    out.insert(
        "values.yaml".into(),
        format!(
            "# Default values of the {name} chart, generated by fabgen from the network spec.\n# values.schema.json lists every key; unknown keys are rejected.\n{}",
            serde_yaml::to_string(&values)?
        )
        .into_bytes(),
    );
    out.insert("values.schema.json".into(), format!("{}\n", serde_json::to_string_pretty(&schema)?).into_bytes());
    out.insert("templates/_helpers.tpl".into(), helpers(&network.namespace).into_bytes());
    out.insert("templates/NOTES.txt".into(), notes(name, files, rendered, network).into_bytes());
    out.insert("README.md".into(), readme(name, &values, &schema, network, picture).into_bytes());
    out.insert(".helmignore".into(), b"# Generated by fabgen.\n.fabgen\n".to_vec());
    Ok(out)
}

fn chart_yaml(name: &str, network: &Network, options: &ChartOptions) -> String {
    format!(
        "# Generated by fabgen from the network spec; regenerate instead of editing.\napiVersion: v2\nname: {name}\ndescription: Hyperledger Fabric network {net} (chaincode as a service, no Docker), generated by fabgen\ntype: application\nversion: {version}\nappVersion: {app:?}\nkubeVersion: \">=1.25.0-0\"\nkeywords:\n  - hyperledger-fabric\n  - blockchain\nannotations:\n  fabgen.io/network: {net}\n",
        net = network.name,
        version = options.version,
        app = network.fabric_version,
    )
}

fn notes(name: &str, files: &[&str], rendered: &Rendered<Piece>, network: &Network) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for f in files {
        *counts.entry(rendered.objects[*f].kind.as_str()).or_default() += 1;
    }
    let summary: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let mut secrets: BTreeSet<String> = BTreeSet::new();
    let mut packages = Vec::new();
    for f in files {
        let piece = &rendered.objects[*f];
        secrets.extend(piece.secrets.iter().cloned());
        if let Some(id) = &piece.package_id {
            packages.push(format!("  {}: {id}", piece.name));
        }
    }
    let secrets: Vec<String> = secrets.into_iter().map(|s| format!("  {s}")).collect();
    format!(
        "{name} (Hyperledger Fabric {fabric}, generated by fabgen) is installed in namespace {{{{ .Release.Namespace }}}}:\n  {summary}\n\nCheck it:\n  kubectl -n {{{{ .Release.Namespace }}}} get pods -l app.kubernetes.io/part-of={net}\n  kubectl -n {{{{ .Release.Namespace }}}} get events --field-selector type=Warning\n\nPods start once these Secrets exist (their keys: see Secrets in the chart README):\n{secrets}\n{packages}",
        fabric = network.fabric_version,
        net = network.name,
        summary = summary.join(", "),
        secrets = secrets.join("\n"),
        packages = if packages.is_empty() {
            String::new()
        } else {
            format!(
                "\nChaincode package IDs (approve these with peer lifecycle chaincode approveformyorg):\n{}\n",
                packages.join("\n")
            )
        },
    )
}

fn collect_secret_refs(value: Node, out: &mut BTreeSet<String>) {
    match value.view() {
        View::Map(entries) => {
            for (k, v) in entries.iter() {
                let name = match k {
                    Some("secretName") => string_at(v, &[]),
                    Some("secretKeyRef") => string_at(v, &["name"]),
                    _ => {
                        collect_secret_refs(v, out);
                        continue;
                    }
                };
                if let Some(name) = name {
                    out.insert(name.to_string());
                }
            }
        }
        View::Seq(items) => items.iter().for_each(|v| collect_secret_refs(v, out)),
        _ => {}
    }
}
