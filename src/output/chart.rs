//! Helm charts from the same templates and model as the plain manifests.
//!
//! The templates are rendered once in chart mode (`crate::render::knobs::Mode::Chart`): every operator knob
//! comes out as a token. The objects then get the knobs every object shares (extra labels
//! and annotations, scheduling, Service annotations), are serialised exactly as `render`
//! serialises manifests, and each token is replaced by the Helm expression that reads the same
//! path of `values.yaml`. With default values Helm therefore renders the very objects
//! `fabgen render` writes; the tests prove it with the real Helm engine.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, LazyLock};

use anyhow::{Context, Result, bail};
use regex::Regex;
use serde_yaml::{Mapping, Value};

use crate::check::{self, Checker};
use crate::model::Network;
use crate::model::values::ChartValues;
use crate::render::knobs::{Knob, KnobKind, Knobs, Mode, TOKEN_PREFIX};
use crate::render::{self, Object, Rendered, TemplateSet};

/// Helm's limit on release names; a chart is installed under its own name.
pub const MAX_RELEASE_NAME: usize = 53;

static TOKEN: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!(r"{TOKEN_PREFIX}([0-9a-f]{{16}})")).unwrap());
static TOKEN_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^(\s*)(- )?{TOKEN_PREFIX}([0-9a-f]{{16}}): null$")).unwrap());

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
    write: &(dyn Fn(&str, &[u8]) -> Result<()> + Sync),
) -> Result<Vec<String>> {
    let layout = Layout { network, options };
    let names = layout.names();
    names.iter().try_for_each(|name| release_name(name))?;
    let knobs = Knobs::new(Mode::Chart, &network.values);
    let checker = Checker::new();
    let checked = render::render_each(templates, network, &knobs, |file, object| {
        let at_defaults = render::defaults::with_defaults(&object, &knobs)?;
        let problems = checker.problems(file, &at_defaults)?;
        drop(at_defaults);
        if !problems.is_empty() {
            return Ok((problems, None));
        }
        let (piece, template) = Piece::of(object, &knobs, &layout)?;
        if let Some(chart) = &piece.chart {
            write(&layout.path(chart, &format!("templates/{file}")), template.as_bytes())?;
        }
        Ok((problems, Some(piece)))
    })?;
    let rendered = check::passed(checked)?;
    let mut by_chart: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for file in rendered.apply_order() {
        if let Some(chart) = &rendered.objects[file].chart {
            by_chart.entry(chart).or_default().push(file);
        }
    }
    for name in &names {
        let files = by_chart.get(name.as_str()).map_or(&[][..], Vec::as_slice);
        for (path, bytes) in chart_files(name, files, &rendered, network, options)? {
            write(&layout.path(name, &path), &bytes)?;
        }
    }
    Ok(names)
}

/// The files [`write_charts`] writes, by path.
pub fn chart_tree(
    network: &Network,
    templates: &TemplateSet,
    options: &ChartOptions,
) -> Result<BTreeMap<String, Vec<u8>>> {
    let files = std::sync::Mutex::new(BTreeMap::new());
    write_charts(network, templates, options, &|path, bytes| {
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

impl Piece {
    /// What is kept of `object`, and its file in the chart: its template, its knobs as Helm
    /// expressions, behind the chart's guard (and, for the Namespace, `namespace.create`).
    fn of(mut object: Object, knobs: &Arc<Knobs>, layout: &Layout) -> Result<(Piece, String)> {
        // The owner label as rendered, before shared knobs turn labels into tokens.
        let owner = object.value["metadata"]["labels"].get("fabgen.io/org").and_then(Value::as_str);
        let chart = layout.chart_of(owner);
        let shared = add_shared_knobs(&mut object, knobs);
        let mut reads = BTreeSet::new();
        let mut template = format!(
            "{{{{- include \"fabgen.guard\" . }}}}\n{}",
            helm_template(&object, &Lookup { shared: &shared, knobs }, &mut reads)?
        );
        if object.kind == "Namespace" {
            template = format!("{{{{- if .Values.namespace.create }}}}\n{template}{{{{- end }}}}\n");
        }
        let mut secrets = BTreeSet::new();
        collect_secret_refs(&object.value, &mut secrets);
        let package_id = (object.kind == "Deployment")
            .then(|| object.value["metadata"]["annotations"].get("fabgen.io/package-id").and_then(Value::as_str))
            .flatten()
            .map(str::to_string);
        let piece = Piece {
            kind: object.kind,
            api_version: object.api_version,
            name: object.name,
            chart,
            reads,
            secrets,
            package_id,
        };
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

/// Values path of the knobs shared by a component's objects.
fn component_path(object: &Value) -> Option<Vec<String>> {
    let labels = &object["metadata"]["labels"];
    let section = match labels.get("app.kubernetes.io/component")?.as_str()? {
        "peer" => vec!["peers".to_string()],
        "orderer" => vec!["orderers".to_string()],
        "ca" => vec!["cas".to_string()],
        "chaincode" => vec!["chaincodes".to_string(), labels.get("fabgen.io/chaincode")?.as_str()?.to_string()],
        _ => return None,
    };
    Some(section)
}

fn path(prefix: &[String], rest: &[&str]) -> Vec<String> {
    prefix.iter().cloned().chain(rest.iter().map(|s| s.to_string())).collect()
}

fn global(name: &str) -> Vec<String> {
    vec!["global".to_string(), name.to_string()]
}

/// Extra labels and annotations on every object and pod, annotations on every Service: knobs
/// no template needs to spell out. (Scheduling is the templates' `m.scheduling`, whose
/// defaults the spec's `placement` gives.)
fn add_shared_knobs(object: &mut Object, knobs: &Knobs) -> BTreeMap<String, Knob> {
    let mut shared = BTreeMap::new();
    let section = component_path(&object.value);
    let is_service = object.kind == "Service";
    let Some(metadata) = object.value.get_mut("metadata").and_then(Value::as_mapping_mut) else { return shared };
    merge_knob(metadata, "labels", vec![global("labels")], knobs, &mut shared);
    let mut annotation_sources = vec![global("annotations")];
    if let (true, Some(section)) = (is_service, &section) {
        annotation_sources.insert(0, path(section, &["service", "annotations"]));
    }
    merge_knob(metadata, "annotations", annotation_sources, knobs, &mut shared);
    // A Job's pod template is immutable and its name digests it (crate::render), so values
    // may not change it: Jobs take everything from the spec.
    if object.kind == "Job" {
        return shared;
    }

    let Some(spec) = object.value.get_mut("spec").and_then(Value::as_mapping_mut) else { return shared };
    let Some(template) = spec.get_mut("template").and_then(Value::as_mapping_mut) else { return shared };
    if let Some(meta) = template.get_mut("metadata").and_then(Value::as_mapping_mut) {
        merge_knob(meta, "labels", vec![global("labels")], knobs, &mut shared);
    }
    shared
}

/// Replaces `map[key]` by a token merging it with `sources`, or, when absent, adds an
/// optional `key` that appears only if some source is non-empty.
/// These knobs are the object's own (their base is its labels or annotations), so they are
/// kept in `shared` for its template only, not recorded with the network's knobs.
fn merge_knob(
    map: &mut Mapping,
    key: &str,
    sources: Vec<Vec<String>>,
    knobs: &Knobs,
    shared: &mut BTreeMap<String, Knob>,
) {
    match map.get(key) {
        Some(existing) => {
            let base = serde_json::to_string(&serde_json::to_value(existing).expect("mappings are JSON")).unwrap();
            let knob = Knob { path: Vec::new(), kind: KnobKind::Merge { base, extra: sources } };
            let token = share(knob, knobs, shared);
            map.insert(Value::String(key.to_string()), Value::String(token));
        }
        None => {
            let knob = Knob { path: Vec::new(), kind: KnobKind::OptionalMerge { key: key.to_string(), sources } };
            let token = share(knob, knobs, shared);
            map.insert(Value::String(token), Value::Null);
        }
    }
}

/// Keeps one of an object's own knobs in `shared`; returns its token.
fn share(knob: Knob, knobs: &Knobs, shared: &mut BTreeMap<String, Knob>) -> String {
    let token = knobs.unrecorded_token(&knob);
    let key = token[TOKEN_PREFIX.len()..].to_string();
    if let Some(other) = shared.insert(key, knob.clone()) {
        assert_eq!(other, knob, "two knobs share the token {token}");
    }
    token
}

/// Where a token's knob is found: among an object's own shared knobs, or the network's.
struct Lookup<'a> {
    shared: &'a BTreeMap<String, Knob>,
    knobs: &'a Knobs,
}

impl Lookup<'_> {
    fn knob(&self, key: &str) -> Option<Knob> {
        self.shared.get(key).cloned().or_else(|| self.knobs.recorded_knob(key))
    }
}

/// The paths of the values a knob reads.
fn reads(knob: &Knob) -> Vec<Vec<String>> {
    match &knob.kind {
        KnobKind::Merge { extra, .. } => extra.clone(),
        KnobKind::OptionalMerge { sources, .. } => sources.clone(),
        _ => vec![knob.path.clone()],
    }
}

/// `(index .Values "a" "b")`.
fn values_expr(path: &[String]) -> String {
    let keys: Vec<String> = path.iter().map(|p| format!("{p:?}")).collect();
    format!("(index .Values {})", keys.join(" "))
}

/// A Go template string literal.
fn go_string(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

/// The Helm text for a token used inline (as a scalar).
fn inline_expr(knob: &Knob) -> Result<String> {
    Ok(match &knob.kind {
        KnobKind::Value => format!("{{{{ {} | toJson }}}}", values_expr(&knob.path)),
        KnobKind::Image => format!("{{{{ include \"fabgen.image\" {} | toJson }}}}", values_expr(&knob.path)),
        KnobKind::Merge { base, extra } => {
            let sources: Vec<String> = extra.iter().map(|p| values_expr(p)).collect();
            format!("{{{{ merge (fromJson {}) {} | toJson }}}}", go_string(base), sources.join(" "))
        }
        KnobKind::Env { base } => format!(
            "{{{{ concat (fromJsonArray {}) (include \"fabgen.env\" {} | fromJsonArray) | toJson }}}}",
            go_string(base),
            values_expr(&knob.path)
        ),
        other => bail!("knob {other:?} must stand on a line of its own"),
    })
}

/// The Helm text replacing a whole `token: null` line (knobs that may vanish).
fn line_expr(indent: &str, knob: &Knob) -> Result<String> {
    Ok(match &knob.kind {
        KnobKind::Optional { key } => {
            format!("{indent}{{{{ with {} }}}}{key}: {{{{ toJson . }}}}{{{{ end }}}}", values_expr(&knob.path))
        }
        KnobKind::OptionalMerge { key, sources } => {
            let sources: Vec<String> = sources.iter().map(|p| values_expr(p)).collect();
            format!("{indent}{{{{ with merge (dict) {} }}}}{key}: {{{{ toJson . }}}}{{{{ end }}}}", sources.join(" "))
        }
        KnobKind::PullSecrets => format!(
            "{indent}{{{{ with {} }}}}imagePullSecrets: {{{{ include \"fabgen.pullSecrets\" . }}}}{{{{ end }}}}",
            values_expr(&knob.path)
        ),
        other => bail!("knob {other:?} cannot stand on a line of its own"),
    })
}

/// An object's YAML with every token replaced by Helm; literal `{{` escaped first.
fn helm_template(object: &Object, knobs: &Lookup, read: &mut BTreeSet<Vec<String>>) -> Result<String> {
    let yaml = object.to_yaml()?.replace("{{", "{{ \"{{\" }}");
    let mut out = String::with_capacity(yaml.len());
    for line in yaml.lines() {
        if !line.contains(TOKEN_PREFIX) {
            out.push_str(line);
        } else if let Some(c) = TOKEN_LINE.captures(line) {
            let key = &c[3];
            let knob = knobs.knob(key).context("unknown knob token")?;
            read.extend(reads(&knob));
            let indent = format!("{}{}", &c[1], c.get(2).map_or("", |m| m.as_str()));
            out.push_str(&line_expr(&indent, &knob)?);
        } else {
            let mut error = None;
            let replaced = TOKEN.replace_all(line, |c: &regex::Captures| {
                let knob = knobs.knob(&c[1]);
                read.extend(knob.iter().flat_map(reads));
                match knob.as_ref().map(inline_expr) {
                    Some(Ok(expr)) => expr,
                    Some(Err(e)) => {
                        error = Some(e);
                        String::new()
                    }
                    None => {
                        error = Some(anyhow::anyhow!("unknown knob token {}", &c[0]));
                        String::new()
                    }
                }
            });
            if let Some(e) = error {
                return Err(e.context(format!("in {} {}", object.kind, object.name)));
            }
            out.push_str(&replaced);
        }
        out.push('\n');
    }
    Ok(out)
}

/// The values a chart's knobs read: only the sections its objects use.
fn chart_values(network: &Network, reads: &BTreeSet<&Vec<String>>, has_namespace: bool) -> Result<serde_json::Value> {
    let all = serde_json::to_value(&network.values)?;
    let mut out = serde_json::Map::new();
    let mut keep = |path: &[String]| {
        // Keep `orgs.<org>` and `chaincodes.<cc>` whole, other sections whole.
        let depth = if matches!(path.first().map(String::as_str), Some("orgs" | "chaincodes")) { 2 } else { 1 };
        let prefix = &path[..depth.min(path.len())];
        let mut src = &all;
        let mut dst = &mut out;
        for (i, key) in prefix.iter().enumerate() {
            src = &src[key.as_str()];
            if i + 1 == prefix.len() {
                dst.insert(key.clone(), src.clone());
            } else {
                dst = dst
                    .entry(key.clone())
                    .or_insert_with(|| serde_json::Value::Object(Default::default()))
                    .as_object_mut()
                    .expect("sections are objects");
            }
        }
    };
    keep(&global("labels"));
    if has_namespace {
        keep(&["namespace".to_string()]);
    }
    for path in reads {
        keep(path);
    }
    Ok(serde_json::Value::Object(out))
}

/// A chart's files other than its objects' templates, by path within the chart.
fn chart_files(
    name: &str,
    files: &[&str],
    rendered: &Rendered<Piece>,
    network: &Network,
    options: &ChartOptions,
) -> Result<BTreeMap<String, Vec<u8>>> {
    let pieces = || files.iter().map(|f| &rendered.objects[*f]);
    let has_namespace = pieces().any(|piece| piece.kind == "Namespace");
    let reads: BTreeSet<&Vec<String>> = pieces().flat_map(|piece| &piece.reads).collect();
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
    out.insert("README.md".into(), readme(name, &values, &schema, network).into_bytes());
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

fn helpers(namespace: &str) -> String {
    format!(
        r#"{{{{/* Generated by fabgen. */}}}}

{{{{/*
The objects name the namespace "{namespace}" and the chaincode packages (whose IDs are in the
Deployments) embed Service addresses in it, so the chart installs there only.
*/}}}}
{{{{- define "fabgen.guard" -}}}}
{{{{- if ne .Release.Namespace "{namespace}" -}}}}
{{{{- fail (printf "this chart must be installed into namespace %q (its chaincode packages embed addresses there), not %q: use -n {namespace}" "{namespace}" .Release.Namespace) -}}}}
{{{{- end -}}}}
{{{{- end -}}}}

{{{{/* An image reference from {{repository, tag, digest}}. */}}}}
{{{{- define "fabgen.image" -}}}}
{{{{- $ref := .repository -}}}}
{{{{- with .tag }}}}{{{{ $ref = printf "%s:%s" $ref . }}}}{{{{ end -}}}}
{{{{- with .digest }}}}{{{{ $ref = printf "%s@%s" $ref . }}}}{{{{ end -}}}}
{{{{- $ref -}}}}
{{{{- end -}}}}

{{{{/* imagePullSecrets entries from a list of Secret names, as JSON. */}}}}
{{{{- define "fabgen.pullSecrets" -}}}}
[{{{{ range $i, $name := . }}}}{{{{ if $i }}}}, {{{{ end }}}}{{"name": {{{{ toJson $name }}}}}}{{{{ end }}}}]
{{{{- end -}}}}

{{{{/* Container env entries from a map of name to value, in name order, as JSON. */}}}}
{{{{- define "fabgen.env" -}}}}
{{{{- $first := true -}}}}
[{{{{ range $name, $value := . }}}}{{{{ if not $first }}}}, {{{{ end }}}}{{"name": {{{{ toJson $name }}}}, "value": {{{{ toJson (toString $value) }}}}}}{{{{ $first = false }}}}{{{{ end }}}}]
{{{{- end -}}}}
"#
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

fn collect_secret_refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Mapping(map) => {
            for (k, v) in map {
                match k.as_str() {
                    Some("secretName") => {
                        if let Some(s) = v.as_str() {
                            out.insert(s.to_string());
                        }
                    }
                    Some("secretKeyRef") => {
                        if let Some(s) = v.get("name").and_then(Value::as_str) {
                            out.insert(s.to_string());
                        }
                    }
                    _ => collect_secret_refs(v, out),
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(|v| collect_secret_refs(v, out)),
        _ => {}
    }
}

/// `values.schema.json`: the schemars schema of `ChartValues`, narrowed to this chart:
/// sections it lacks are gone, and `orgs` / `chaincodes` accept exactly its names.
pub fn values_schema(values: &serde_json::Value) -> Result<serde_json::Value> {
    let mut schema = serde_json::to_value(schemars::schema_for!(ChartValues))?;
    let present: BTreeSet<String> = values.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
    let props = schema["properties"].as_object_mut().context("schema has properties")?;
    props.retain(|k, _| present.contains(k));
    // Sections a chart has are objects, not "object or null": say so, for plain messages.
    for prop in props.values_mut() {
        let inner = prop.get("anyOf").and_then(|a| a.as_array()).and_then(|variants| {
            let non_null: Vec<&serde_json::Value> =
                variants.iter().filter(|v| v.get("type") != Some(&"null".into())).collect();
            (non_null.len() == 1 && variants.len() == 2).then(|| non_null[0].clone())
        });
        if let Some(mut inner) = inner {
            if let (Some(d), Some(obj)) = (prop.get("description").cloned(), inner.as_object_mut()) {
                obj.insert("description".into(), d);
            }
            *prop = inner;
        }
    }
    for section in ["orgs", "chaincodes"] {
        let Some(prop) = props.get_mut(section) else { continue };
        let item = prop["additionalProperties"].clone();
        let names: serde_json::Map<String, serde_json::Value> = values[section]
            .as_object()
            .map(|o| o.keys().map(|k| (k.clone(), item.clone())).collect())
            .unwrap_or_default();
        prop["properties"] = serde_json::Value::Object(names);
        prop["additionalProperties"] = serde_json::Value::Bool(false);
    }
    // Env names as the spec allows them: valid, and none of those fabgen sets itself (a second
    // CHAINCODE_ID would override the package ID).
    if let Some(env) = schema.pointer_mut("/$defs/ChaincodeValues/properties/env") {
        env["propertyNames"] = serde_json::json!({
            "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
            "not": { "enum": crate::spec::validate::RESERVED_CHAINCODE_ENV },
        });
    }
    // Several ordering organisations keep their orderer storage under `orgs`.
    if values["orderers"].is_object()
        && values["orderers"].get("storage").is_none()
        && let Some(orderers) = schema.pointer_mut("/$defs/OrdererValues")
    {
        if let Some(properties) = orderers["properties"].as_object_mut() {
            properties.remove("storage");
        }
        if let Some(required) = orderers["required"].as_array_mut() {
            required.retain(|r| r != "storage");
        }
    }
    schema["required"] = serde_json::Value::Array(Vec::new());
    Ok(schema)
}

fn readme(name: &str, values: &serde_json::Value, schema: &serde_json::Value, network: &Network) -> String {
    let mut rows = Vec::new();
    value_rows(schema, schema, values, "", &mut rows);
    let table: Vec<String> = rows
        .into_iter()
        .map(|(key, ty, default, description)| format!("| `{key}` | {ty} | `{default}` | {description} |"))
        .collect();
    format!(
        "# {name}\n\nHyperledger Fabric network `{net}` (Fabric {fabric}) as a Helm chart, generated by fabgen from the network spec. Regenerate it with `fabgen chart` instead of editing it: the topology (organisations, peers, channels, chaincodes) lives in the spec; this chart's values hold the knobs an operator turns.\n\n```sh\nkubectl apply -f namespace-{ns}.yaml   # from fabgen render\nhelm install {name} . -n {ns} --set namespace.create=false\n```\n\nThe chart installs into namespace `{ns}` only: the chaincode packages, whose IDs the Deployments carry, embed Service addresses there. `values.schema.json` rejects unknown keys and wrong types on install, upgrade, lint and template. With the defaults below the chart renders exactly the objects of `fabgen render`. Helm keeps the release record in the namespace, so with the helm CLI create the namespace first (apply `namespace-{ns}.yaml` from `fabgen render`, which carries the Pod Security labels) and set `namespace.create=false`; Argo CD and `helm template` can keep the default, which renders the Namespace. Storage values are install-time only: Kubernetes refuses changes to a StatefulSet's volume claim templates.\n\n{graph}\n## Secrets\n\nThe chart never holds key material. Create these Secrets in `{ns}` before the pods can start (`fabgen crypto` writes them all, or bring your own):\n\n{SECRETS}\n## Values\n\n| Key | Type | Default | Description |\n|---|---|---|---|\n{}\n",
        table.join("\n"),
        net = network.name,
        fabric = network.fabric_version,
        ns = network.namespace,
        graph = super::graph::markdown_section(&crate::model::topology::of(network)),
    )
}

/// One row per leaf value, and per empty or structured value (lists, maps), in key order.
/// What each kind of Secret the objects reference must hold (fabgen's README has the same).
const SECRETS: &str = "| Secret | Keys |\n|---|---|\n| `<node>-msp` | `cert.pem` (signing certificate), `key.pem` (its key), `cacert.pem` (org CA), `tlscacert.pem` (org TLS CA), `config.yaml` (NodeOUs) |\n| `<node>-tls` | `tls.crt`, `tls.key`, `ca.crt` (`kubernetes.io/tls` layout, as cert-manager writes it) |\n| `<peer>-couchdb` | `username`, `password` |\n| `ca-<org>-admin` | `username`, `password` (the CA's bootstrap identity) |\n";

fn value_rows(
    root: &serde_json::Value,
    schema: &serde_json::Value,
    value: &serde_json::Value,
    key: &str,
    rows: &mut Vec<(String, String, String, String)>,
) {
    let node = crate::spec::schema::schema_node(root, schema);
    let description = schema
        .get("description")
        .or_else(|| node.get("description"))
        .and_then(|d| d.as_str())
        .unwrap_or("")
        .replace('\n', " ");
    let descend = value.as_object().filter(|o| !o.is_empty() && node.get("properties").is_some());
    match descend {
        Some(map) => {
            for (k, v) in map {
                let child = &node["properties"][k.as_str()];
                let child_key = if key.is_empty() { k.clone() } else { format!("{key}.{k}") };
                value_rows(root, child, v, &child_key, rows);
            }
        }
        None => {
            let ty = match value {
                serde_json::Value::Null => match node.get("type") {
                    Some(serde_json::Value::String(t)) => t.clone(),
                    Some(serde_json::Value::Array(types)) => types
                        .iter()
                        .filter_map(|t| t.as_str())
                        .filter(|t| *t != "null")
                        .collect::<Vec<_>>()
                        .join(" or "),
                    _ => "object".to_string(),
                },
                serde_json::Value::Bool(_) => "bool".into(),
                serde_json::Value::Number(_) => "int".into(),
                serde_json::Value::String(_) => "string".into(),
                serde_json::Value::Array(_) => "list".into(),
                serde_json::Value::Object(_) => "map".into(),
            };
            rows.push((key.to_string(), ty, value.to_string().replace('|', "\\|"), description));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_expressions_index_every_key() {
        assert_eq!(
            values_expr(&["chaincodes".into(), "letters-of-credit".into(), "replicas".into()]),
            "(index .Values \"chaincodes\" \"letters-of-credit\" \"replicas\")"
        );
    }

    #[test]
    fn optional_knobs_become_with_blocks_on_their_line() {
        let knob = Knob {
            path: vec!["peers".into(), "nodeSelector".into()],
            kind: KnobKind::Optional { key: "nodeSelector".into() },
        };
        assert_eq!(
            line_expr("      ", &knob).unwrap(),
            "      {{ with (index .Values \"peers\" \"nodeSelector\") }}nodeSelector: {{ toJson . }}{{ end }}"
        );
    }

    #[test]
    fn literal_braces_are_escaped_for_helm() {
        let object = Object {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            name: "x".into(),
            namespace: None,
            value: serde_yaml::from_str("data: {a: 'x {{.peername}} y'}").unwrap(),
            origin: "test".into(),
        };
        let spec = crate::spec::SpecSource::embedded().load().unwrap();
        let knobs = Knobs::new(Mode::Chart, &crate::model::values::defaults(&spec));
        let lookup = Lookup { shared: &BTreeMap::new(), knobs: &knobs };
        let text = helm_template(&object, &lookup, &mut BTreeSet::new()).unwrap();
        assert!(text.contains("x {{ \"{{\" }}.peername}} y"), "{text}");
    }
}
