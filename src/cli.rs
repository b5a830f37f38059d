//! Command-line interface: subcommands and their options (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// fabgen: one Hyperledger Fabric network spec in, Kubernetes manifests and chaincode
/// packages out — no Docker socket, no privileged pods.
#[derive(Debug, Parser)]
#[command(name = "fabgen", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands. Their names and `-o` are a stable interface other tooling relies on.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the JSON Schema of the network spec (for editors and CI).
    Schema,
    /// Check a spec and report every problem with file:line:col.
    Validate(SpecArgs),
    /// Render Kubernetes manifests: one file per object plus kustomization.yaml with -o,
    /// else one multi-document YAML stream on stdout.
    Render(RenderArgs),
    /// Write the chaincode packages and print each package ID.
    Package(PackageArgs),
    /// Write a Helm chart of the network (or one per organisation with --per-org), made from
    /// the same templates as `render`, with values.yaml and values.schema.json.
    Chart(ChartArgs),
}

/// The spec to read.
#[derive(Debug, Args)]
pub struct SpecArgs {
    /// Network spec (YAML). Without it, fabgen uses its embedded example network
    /// (values/tutorial.yaml).
    pub spec: Option<PathBuf>,
}

/// Options of `render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Output directory, replaced atomically; omit to print to stdout.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// Directory whose files override the embedded templates by relative path.
    #[arg(long = "templates", value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

/// Options of `package`.
#[derive(Debug, Args)]
pub struct PackageArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Output directory for the .tgz packages, replaced atomically.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
}

/// Options of `chart`.
#[derive(Debug, Args)]
pub struct ChartArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Output directory, replaced atomically: the chart itself, or with --per-org the
    /// directory holding one chart per organisation.
    #[arg(short = 'o', long = "output")]
    pub output: std::path::PathBuf,
    /// One chart per organisation (and one for the orderer organisation) instead of one chart.
    #[arg(long)]
    pub per_org: bool,
    /// `version` written to Chart.yaml.
    #[arg(long, default_value = "0.1.0", value_name = "SEMVER")]
    pub chart_version: String,
    /// Directory whose files override the embedded templates by relative path.
    #[arg(long = "templates", value_name = "DIR")]
    pub templates: Option<std::path::PathBuf>,
}
