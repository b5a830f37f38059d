//! fabgen turns one declarative Hyperledger Fabric network spec into Kubernetes manifests
//! and chaincode packages. The pipeline, one module per stage:
//!
//! `source` (read, locate, schema-check) -> `validate` (semantic rules) -> `model` (resolve,
//! derive names, build `package`s) -> `render` (templates -> objects) -> `check` (Kubernetes
//! schemas) -> `output` (atomic writes).

pub mod certmanager;
pub mod chart;
pub mod check;
pub mod cli;
pub mod diagnostic;
pub mod knobs;
pub mod model;
pub mod names;
pub mod output;
pub mod package;
pub mod policy;
pub mod render;
pub mod source;
pub mod spec;
pub mod templates;
pub mod validate;
pub mod values;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use crate::cli::{Cli, Command, SpecArgs};
use crate::model::{BuiltPackage, Network};
use crate::render::Rendered;
use crate::spec::NetworkSpec;
use crate::templates::TemplateSet;

/// The example network rendered when no spec is given (seed 004's tutorial network).
pub const EMBEDDED_EXAMPLE: &str = include_str!("../values/tutorial.yaml");
/// How the embedded example is named in messages.
pub const EMBEDDED_EXAMPLE_NAME: &str = "<embedded>/values/tutorial.yaml";

/// A spec's text and the name it is reported under.
#[derive(Debug, Clone)]
pub struct SpecSource {
    /// Path as given, or the embedded example's name.
    pub name: String,
    /// YAML text.
    pub text: String,
}

impl SpecSource {
    /// Reads a spec file.
    pub fn read(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("failed to read spec '{}'", path.display()))?;
        Ok(SpecSource { name: path.display().to_string(), text })
    }

    /// The embedded example network.
    pub fn embedded() -> Self {
        SpecSource { name: EMBEDDED_EXAMPLE_NAME.to_string(), text: EMBEDDED_EXAMPLE.to_string() }
    }

    fn from_args(args: &SpecArgs) -> Result<Self> {
        match &args.spec {
            Some(path) => Self::read(path),
            None => Ok(Self::embedded()),
        }
    }

    /// Parses and validates the spec, reporting every problem at once.
    pub fn load(&self) -> Result<NetworkSpec> {
        Ok(source::load_spec(&self.name, &self.text)?)
    }
}

/// Everything a spec produces.
#[derive(Debug)]
pub struct Generated {
    /// The resolved model.
    pub network: Network,
    /// Chaincode packages, one per (chaincode, org).
    pub packages: Vec<BuiltPackage>,
    /// Rendered and checked Kubernetes objects.
    pub rendered: Rendered,
}

/// Resolves, renders and checks a validated spec. Fails before anything is written.
pub fn generate(spec: &NetworkSpec, templates: &TemplateSet) -> Result<Generated> {
    let (network, packages) = model::resolve(spec)?;
    let knobs = knobs::Knobs::new(knobs::Mode::Manifests, &network.values);
    let rendered = render::render(templates, &network, &knobs)?;
    check::Checker::new().check(&rendered)?;
    Ok(Generated { network, packages, rendered })
}

/// The files of `render -o`: one per object plus `kustomization.yaml`.
pub fn manifest_files(rendered: &Rendered) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    for (file, object) in &rendered.objects {
        files.insert(file.clone(), object.to_yaml()?.into_bytes());
    }
    files.insert("kustomization.yaml".to_string(), rendered.kustomization().into_bytes());
    Ok(files)
}

/// Runs one command, writing normal output to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<()> {
    match cli.command {
        Command::Schema => {
            let schema = serde_json::to_string_pretty(&spec::json_schema())?;
            writeln!(out, "{schema}")?;
        }
        Command::Validate(args) => {
            let source = SpecSource::from_args(&args)?;
            let spec = source.load()?;
            generate(&spec, &TemplateSet::embedded())?;
            let peers: usize = spec.orgs.iter().map(|o| o.peers.len()).sum();
            writeln!(
                out,
                "{}: ok ({} orgs, {peers} peers, {} orderers, {} channels, {} chaincodes)",
                source.name,
                spec.orgs.len(),
                spec.orderer_org.orderers.len(),
                spec.channels.len(),
                spec.chaincodes.len()
            )?;
        }
        Command::Render(args) => {
            let spec = SpecSource::from_args(&args.spec)?.load()?;
            let templates = match &args.templates {
                Some(dir) => TemplateSet::with_overrides(dir)?,
                None => TemplateSet::embedded(),
            };
            let generated = generate(&spec, &templates)?;
            match &args.output {
                Some(dir) => {
                    output::write_tree(dir, &manifest_files(&generated.rendered)?)?;
                    writeln!(out, "wrote {} objects to {}", generated.rendered.objects.len(), dir.display())?;
                }
                None => out.write_all(generated.rendered.to_stream()?.as_bytes())?,
            }
        }
        Command::Chart(args) => {
            let spec = SpecSource::from_args(&args.spec)?.load()?;
            let templates = match &args.templates {
                Some(dir) => TemplateSet::with_overrides(dir)?,
                None => TemplateSet::embedded(),
            };
            let options = chart::ChartOptions { per_org: args.per_org, version: args.chart_version.clone() };
            let charts = chart::charts(&spec, &templates, &options)?;
            let mut files = BTreeMap::new();
            for c in &charts {
                for (path, bytes) in &c.files {
                    let path = if args.per_org { format!("{}/{path}", c.name) } else { path.clone() };
                    files.insert(path, bytes.clone());
                }
            }
            output::write_tree(&args.output, &files)?;
            for c in &charts {
                let at = if args.per_org { args.output.join(&c.name) } else { args.output.clone() };
                writeln!(out, "wrote chart {} to {}", c.name, at.display())?;
            }
        }
        Command::Package(args) => {
            let spec = SpecSource::from_args(&args.spec)?.load()?;
            let generated = generate(&spec, &TemplateSet::embedded())?;
            let files = generated.packages.iter().map(|p| (p.file.clone(), p.package.bytes.clone())).collect();
            output::write_tree(&args.output, &files)?;
            for p in &generated.packages {
                writeln!(out, "{}\t{}\t{}\t{}", p.org, p.chaincode, p.package.id, p.file)?;
            }
        }
    }
    Ok(())
}

/// `message: caused by: cause …`, one chain; spec problems print one per line.
pub fn format_error(err: &anyhow::Error) -> String {
    if let Some(spec_errors) = err.downcast_ref::<diagnostic::SpecErrors>() {
        return format!("invalid spec\n{spec_errors}");
    }
    err.chain().map(ToString::to_string).collect::<Vec<_>>().join("\ncaused by: ")
}
