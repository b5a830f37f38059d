//! The command line: subcommands and their options (clap derive), and the dispatch that runs
//! each command by calling the library's stages. Only the binary knows about the command line.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::{Args, Parser, Subcommand};
use fabgen::crypto;
use fabgen::output::{self, chart};
use fabgen::render::TemplateSet;
use fabgen::spec::{Diagnostic, NetworkSpec, SpecErrors, SpecSource};

mod channel;

/// fabgen: one Hyperledger Fabric network spec in, Kubernetes manifests and chaincode
/// packages out — no Docker socket, no privileged pods.
#[derive(Debug, Parser)]
#[command(name = "fabgen", version, about, long_about = None, after_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Colour in error reports: `auto` when stderr is a terminal and NO_COLOR is unset or
    /// empty, `always`, or `never`.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// When error reports are coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set (no-color.org).
    Auto,
    /// Always, even into a pipe or a file.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour what goes to stderr.
    pub fn for_stderr(self) -> bool {
        use std::io::IsTerminal;
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
            }
        }
    }
}

/// Examples each command's `--help` ends with (`tests/cli.rs` parses every one).
const EXAMPLES_INIT: &str = "Examples:\n  fabgen init --orgs 3 --peers 2 > network.yaml\n  fabgen init --fabric 3.1.1 --bft > network.yaml\n  fabgen init --orgs 2 --channels 2 --chaincodes 1 --couchdb --ca > network.yaml\n  fabgen init --launcher k8s-builder --name supply > network.yaml\n";
const EXAMPLES_SCHEMA: &str =
    "Examples:\n  fabgen schema > fabgen.schema.json\n  fabgen schema | jq .properties.orgs\n";
const EXAMPLES_VALIDATE: &str = "Examples:\n  fabgen validate network.yaml\n  fabgen validate network.yaml --format json | jq -r '.[].message'\n  fabgen validate\n";
const EXAMPLES_RENDER: &str = "Examples:\n  fabgen render network.yaml -o deploy/\n  fabgen render network.yaml | kubectl apply -f -\n  fabgen render network.yaml -o deploy/ --templates my-templates/\n  fabgen render network.yaml --org org1 --cards cards/ -o org1-deploy/\n";
const EXAMPLES_PACKAGE: &str = "Examples:\n  fabgen package network.yaml -o packages/\n  fabgen package -o packages/   # the embedded example network\n";
const EXAMPLES_CRYPTO: &str = "Examples:\n  fabgen crypto network.yaml -o secrets/\n  fabgen crypto network.yaml -o secrets/ --rotate\n  fabgen crypto network.yaml -o secrets/ --days 90\n  fabgen crypto network.yaml --org org1 -o org1-secrets/   # one member of a consortium: its keys, its card\n";
const EXAMPLES_CHART: &str = "Examples:\n  fabgen chart network.yaml -o charts/mynet\n  fabgen chart network.yaml -o charts/ --per-org --chart-version 1.2.0\n  fabgen chart network.yaml --org org1 --cards cards/ -o charts/mynet-org1\n";
const EXAMPLES_DIFF: &str =
    "Examples:\n  fabgen diff network.yaml deploy/\n  fabgen diff network.yaml charts/mynet --chart\n";
const EXAMPLES_COMPLETIONS: &str = "Examples:\n  fabgen completions bash > /etc/bash_completion.d/fabgen\n  fabgen completions zsh > ~/.zfunc/_fabgen\n";
const EXAMPLES_MAN: &str = "Examples:\n  fabgen man -o /usr/local/share/man/man1\n  fabgen man | man -l -\n";
const EXAMPLES_EXPLAIN: &str =
    "Examples:\n  fabgen explain chaincodes.tls\n  fabgen explain orgs.peers\n  fabgen explain\n";
const EXAMPLES_GRAPH: &str = "Examples:\n  fabgen graph network.yaml > topology.mmd\n  fabgen graph network.yaml --format dot | dot -Tsvg > topology.svg\n";
const EXIT_CODES: &str = "Exit status: 0 done, 1 an error (every problem is listed), 2 a usage error; `diff`: 0 no change, 1 drift, 2 an error.\n";

/// Subcommands. Their names and `-o` are a stable interface other tooling relies on.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a new, valid network spec to start from (commented, with the schema modeline):
    /// `fabgen init --orgs 3 --peers 2 > network.yaml`.
    #[command(after_help = EXAMPLES_INIT)]
    Init(InitArgs),
    /// Print the JSON Schema of the network spec (for editors and CI).
    #[command(after_help = EXAMPLES_SCHEMA)]
    Schema,
    /// Check a spec and report every problem with file:line:col.
    #[command(after_help = EXAMPLES_VALIDATE)]
    Validate(ValidateArgs),
    /// Render Kubernetes manifests: one file per object plus kustomization.yaml with -o,
    /// else one multi-document YAML stream on stdout.
    #[command(after_help = EXAMPLES_RENDER)]
    Render(RenderArgs),
    /// Write the chaincode packages and print each package ID.
    #[command(after_help = EXAMPLES_PACKAGE)]
    Package(PackageArgs),
    /// Write the network's crypto material (MSP and TLS identities of every organisation,
    /// node and admin, CA and CouchDB logins, chaincode TLS) as Secret manifests, plus the CA
    /// keys under authorities/. Re-runs keep existing CAs, keys and passwords. Apply with
    /// `kubectl apply -f DIR`; never commit DIR.
    #[command(after_help = EXAMPLES_CRYPTO)]
    Crypto(CryptoArgs),
    /// Write a Helm chart of the network (or one per organisation with --per-org), made from
    /// the same templates as `render`, with values.yaml and values.schema.json.
    #[command(after_help = EXAMPLES_CHART)]
    Chart(ChartArgs),
    /// Show what `render -o DIR` (or `chart -o DIR` with --chart) would change in DIR, as a
    /// unified diff; writes nothing. Exit status: 0 no change, 1 drift, 2 error (like diff(1)),
    /// for CI checks of GitOps repositories: `fabgen diff network.yaml deploy/`.
    #[command(after_help = EXAMPLES_DIFF)]
    Diff(DiffArgs),
    /// Describe a spec field from the schema (type, default, allowed values, fields), like
    /// `kubectl explain`: `fabgen explain chaincodes.tls`.
    #[command(after_help = EXAMPLES_EXPLAIN)]
    Explain(ExplainArgs),
    /// Draw the network: organisations, peers, orderers, CAs, channels, chaincodes, and every
    /// flow its NetworkPolicies allow, as a Mermaid flowchart (GitHub and GitLab render it in
    /// Markdown) or Graphviz DOT: `fabgen graph network.yaml --format dot | dot -Tsvg`.
    #[command(after_help = EXAMPLES_GRAPH)]
    Graph(GraphArgs),
    /// Sign a channel configuration update offline with your organisation's admin key, or
    /// gather the signatures into the envelope the submitter sends.
    #[command(after_help = channel::EXAMPLES_CHANNEL)]
    Channel(channel::ChannelArgs),
    /// Print a shell completion script: `fabgen completions bash > /etc/bash_completion.d/fabgen`.
    #[command(after_help = EXAMPLES_COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Print the man page (roff), or with -o write fabgen.1 and a page per command:
    /// `fabgen man -o /usr/local/share/man/man1`.
    #[command(after_help = EXAMPLES_MAN)]
    Man(ManArgs),
}

impl Command {
    /// Whether the command checks rendered objects against their schemas (so the schemas may
    /// start compiling while it reads its spec).
    fn checks_objects(&self) -> bool {
        matches!(
            self,
            Command::Validate(_)
                | Command::Render(_)
                | Command::Chart(_)
                | Command::Crypto(_)
                | Command::Package(_)
                | Command::Diff(_)
        )
    }
}

/// Options of `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Directory for fabgen.1 and fabgen-<command>.1, replaced atomically like every output.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
}

/// Options of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// `text` (file:line:col lines on stderr) or `json` (an array of {file, line, column, path,
    /// message, hint} on stdout, `[]` when valid) for editors and CI annotations.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// How `validate` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Lines for people.
    Text,
    /// JSON for tools.
    Json,
}

/// Options of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Dotted field path (`orgs.peers.name`); omit for the spec's top-level fields.
    #[arg(default_value = "")]
    pub path: String,
}

/// Options of `graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// `mermaid` (a flowchart for Markdown) or `dot` (Graphviz).
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,
}

/// How `graph` draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// Mermaid flowchart.
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

/// Options of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Options of `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Network spec (YAML).
    pub spec: PathBuf,
    /// Directory a `render -o` (or `chart -o`) wrote.
    pub dir: PathBuf,
    /// Compare with the chart `fabgen chart` would write instead of the manifests.
    #[arg(long)]
    pub chart: bool,
    /// With --chart: one chart per organisation.
    #[arg(long, requires = "chart")]
    pub per_org: bool,
    /// With --chart: `version` in Chart.yaml.
    #[arg(long, default_value = "0.1.0", value_name = "SEMVER", requires = "chart")]
    pub chart_version: String,
    /// Compare with organisation ORG's part of a consortium (`render --org` / `chart --org`).
    #[arg(long, value_name = "ORG", requires = "cards", conflicts_with = "per_org")]
    pub org: Option<String>,
    /// Directory of the other organisations' public cards (`<org>.yaml`).
    #[arg(long, value_name = "DIR", requires = "org")]
    pub cards: Option<PathBuf>,
    #[command(flatten)]
    pub templates: TemplateArgs,
}

/// How a command that succeeded ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done (or, for `diff`, nothing would change).
    Done,
    /// `diff` found changes.
    Drift,
    /// `validate --format json` printed problems.
    Invalid,
}

/// Options of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Network name, also its namespace.
    #[arg(long, default_value = "mynet")]
    pub name: String,
    /// Peer organisations.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub orgs: u32,
    /// Peers per organisation.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub peers: u32,
    /// Orderers [default: 3 for Raft, 4 with --bft].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=15))]
    pub orderers: Option<u32>,
    /// Fabric version of every node: 2.5.x, 3.0.x or 3.1.x.
    #[arg(long = "fabric", default_value = fabgen::spec::DEFAULT_FABRIC_VERSION)]
    pub fabric_version: String,
    /// SmartBFT ordering instead of Raft (Fabric 3, at least 4 orderers).
    #[arg(long)]
    pub bft: bool,
    /// Channels: the first has every org, each further one a share of them.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(0..=1000))]
    pub channels: u32,
    /// Chaincodes per channel, run by all its members.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub chaincodes: u32,
    /// How the chaincodes run.
    #[arg(long, value_enum, default_value_t = LauncherArg::Ccaas)]
    pub launcher: LauncherArg,
    /// A CouchDB state database beside every peer.
    #[arg(long)]
    pub couchdb: bool,
    /// A Fabric CA per organisation.
    #[arg(long)]
    pub ca: bool,
}

/// `--launcher` values, as the spec spells them.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LauncherArg {
    /// Chaincode as a service (a Deployment per org).
    Ccaas,
    /// hlfabric-k8scc builds source in the cluster.
    K8scc,
    /// fabric-builder-k8s runs an image pinned by digest.
    K8sBuilder,
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
    /// Only what organisation ORG runs, for one member of a consortium: its own objects (and
    /// the network-wide ones), with every other organisation's public material taken from its
    /// card in --cards.
    #[arg(long, value_name = "ORG", requires = "cards")]
    pub org: Option<String>,
    /// Directory of the other organisations' public cards (`<org>.yaml`, as `fabgen crypto
    /// --org` writes them into public/).
    #[arg(long, value_name = "DIR", requires = "org")]
    pub cards: Option<PathBuf>,
    #[command(flatten)]
    pub templates: TemplateArgs,
}

/// Where templates come from.
#[derive(Debug, Args)]
pub struct TemplateArgs {
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

/// Options of `crypto`.
#[derive(Debug, Args)]
pub struct CryptoArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Output directory (files 0600, directories 0700), read back and replaced atomically.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// New CAs, keys and certificates for everything instead of keeping what DIR holds
    /// (CA and CouchDB passwords are kept).
    #[arg(long)]
    pub rotate: bool,
    /// First day certificates are valid (YYYY-MM-DD, UTC); default: now.
    #[arg(long, value_name = "DATE")]
    pub not_before: Option<String>,
    /// Days node, admin and chaincode certificates are valid; default: 365.
    #[arg(long, value_name = "N")]
    pub days: Option<u32>,
    /// Days new CA certificates are valid.
    #[arg(long, value_name = "N", default_value_t = 3650)]
    pub ca_days: u32,
    /// Only this organisation's CAs, keys and Secrets, plus its public card
    /// (`DIR/public/ORG.yaml`: certificates and endpoints, no key) for the consortium's
    /// repository. Without it: every organisation's, for a network one operator runs.
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
}

/// Options of `chart`.
#[derive(Debug, Args)]
pub struct ChartArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Output directory, replaced atomically: the chart itself, or with --per-org the
    /// directory holding one chart per organisation.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// One chart per organisation (and one for the orderer organisation) instead of one chart.
    #[arg(long)]
    pub per_org: bool,
    /// `version` written to Chart.yaml.
    #[arg(long, default_value = "0.1.0", value_name = "SEMVER")]
    pub chart_version: String,
    /// Only organisation ORG's part of a consortium (as `render --org`), its chart named
    /// `<network>-<ORG>`, with the other organisations' public material from their cards.
    #[arg(long, value_name = "ORG", requires = "cards", conflicts_with = "per_org")]
    pub org: Option<String>,
    /// Directory of the other organisations' public cards (`<org>.yaml`).
    #[arg(long, value_name = "DIR", requires = "org")]
    pub cards: Option<PathBuf>,
    #[command(flatten)]
    pub templates: TemplateArgs,
}

impl SpecArgs {
    /// The spec's name in messages.
    fn name(&self) -> String {
        match &self.spec {
            Some(path) => path.display().to_string(),
            None => fabgen::spec::EMBEDDED_EXAMPLE_NAME.to_string(),
        }
    }

    /// The spec named on the command line, or the embedded example: its name in messages and
    /// the spec, parsed and validated.
    fn load(&self) -> Result<(SpecSource, NetworkSpec)> {
        let source = SpecSource::read_or_embedded(self.spec.as_deref())?;
        let spec = source.load()?;
        Ok((source, spec))
    }
}

impl TemplateArgs {
    /// The embedded templates, with the override directory's files if one is given.
    fn template_set(&self) -> Result<TemplateSet> {
        match &self.templates {
            Some(dir) => TemplateSet::with_overrides(dir),
            None => Ok(TemplateSet::embedded()),
        }
    }
}

/// Standard output for a reader that may leave early (`| head`, `| grep -q`). Once a write
/// finds the pipe closed, the rest of the output is dropped and the command ends as it would
/// have, with no error line and its usual exit status: a broken pipe is no failure of the
/// command (ripgrep treats it as success; Rust ignores SIGPIPE, so without this every write
/// would fail, and clap_complete would panic).
pub struct Stdout {
    inner: std::io::StdoutLock<'static>,
    closed: bool,
}

impl Stdout {
    /// The process's standard output.
    pub fn new() -> Self {
        Stdout { inner: std::io::stdout().lock(), closed: false }
    }

    /// Passes `result` on unless it is the reader having left, after which writes succeed
    /// without writing.
    fn unless_closed<T>(&mut self, result: std::io::Result<T>, done: T) -> std::io::Result<T> {
        match result {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(done)
            }
            other => other,
        }
    }
}

impl Default for Stdout {
    fn default() -> Self {
        Self::new()
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let result = self.inner.write(buf);
        self.unless_closed(result, buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.inner.flush();
        self.unless_closed(result, ())
    }
}

/// Runs one command, writing normal output to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<Outcome> {
    if cli.command.checks_objects() {
        fabgen::check::Checker::prepare();
    }
    match cli.command {
        Command::Init(args) => init(&args, out),
        Command::Schema => print(out, &format!("{}\n", serde_json::to_string_pretty(&fabgen::spec::json_schema())?)),
        Command::Validate(args) if args.format == Format::Json => validate_json(&args, out),
        Command::Validate(args) => validate(&args, out),
        Command::Render(args) => render(&args, out),
        Command::Chart(args) => write_chart(&args, out),
        Command::Crypto(args) => write_crypto(&args, out),
        Command::Package(args) => package(&args, out),
        Command::Graph(args) => graph(&args, out),
        Command::Explain(args) => {
            print(out, &fabgen::spec::explain::explain(&fabgen::spec::json_schema(), &args.path)?)
        }
        Command::Completions(args) => completions(&args, out),
        Command::Man(args) => man(&args, out),
        Command::Diff(args) => diff(&args, out),
        Command::Channel(args) => channel::run(&args, out),
    }
}

/// Writes `text` to `out`: a command's whole output.
fn print(out: &mut dyn Write, text: &str) -> Result<Outcome> {
    out.write_all(text.as_bytes())?;
    Ok(Outcome::Done)
}

fn init(args: &InitArgs, out: &mut dyn Write) -> Result<Outcome> {
    let options = fabgen::spec::init::InitOptions {
        name: args.name.clone(),
        orgs: args.orgs as usize,
        peers: args.peers as usize,
        orderers: args.orderers.unwrap_or(if args.bft { 4 } else { 3 }) as usize,
        channels: args.channels as usize,
        chaincodes: args.chaincodes as usize,
        launcher: match args.launcher {
            LauncherArg::Ccaas => fabgen::spec::Launcher::Ccaas,
            LauncherArg::K8scc => fabgen::spec::Launcher::K8scc,
            LauncherArg::K8sBuilder => fabgen::spec::Launcher::K8sBuilder,
        },
        couchdb: args.couchdb,
        ca: args.ca,
        fabric_version: args.fabric_version.clone(),
        bft: args.bft,
    };
    let text = fabgen::spec::init::scaffold(&options);
    // What init prints must be a spec fabgen accepts (paths of k8scc sources aside, which are
    // checked when the source is packaged).
    fabgen::spec::load_spec("<init>", &text).map_err(anyhow::Error::from)?;
    print(out, &text)
}

/// `validate --format json`: every problem located, `[]` when valid.
fn validate_json(args: &ValidateArgs, out: &mut dyn Write) -> Result<Outcome> {
    let problems = match args.spec.load().and_then(|(_, spec)| fabgen::verify(&spec, &TemplateSet::embedded())) {
        Ok(_) => Vec::new(),
        Err(err) => match err.downcast_ref::<SpecErrors>() {
            Some(spec_errors) => spec_errors.located().to_vec(),
            // Not a problem of a place in the spec (the Kubernetes check of what it renders, an
            // unreadable file): the file as a whole.
            None => vec![fabgen::spec::diagnostic::Located {
                line: 1,
                column: 1,
                file: args.spec.name(),
                path: String::new(),
                message: format_error(&err),
                hint: None,
            }],
        },
    };
    writeln!(out, "{}", serde_json::to_string_pretty(&problems)?)?;
    Ok(if problems.is_empty() { Outcome::Done } else { Outcome::Invalid })
}

fn validate(args: &ValidateArgs, out: &mut dyn Write) -> Result<Outcome> {
    let (source, spec) = args.spec.load()?;
    fabgen::verify(&spec, &TemplateSet::embedded())?;
    let peers: usize = spec.orgs.iter().map(|o| o.peers.len()).sum();
    writeln!(
        out,
        "{}: ok ({} orgs, {peers} peers, {} orderers, {} channels, {} chaincodes)",
        source.name,
        spec.orgs.len(),
        spec.ordering_orgs().iter().map(|(_, o)| o.orderers.len()).sum::<usize>(),
        spec.channels.len(),
        spec.chaincodes.len()
    )?;
    Ok(Outcome::Done)
}

fn render(args: &RenderArgs, out: &mut dyn Write) -> Result<Outcome> {
    let (source, spec) = args.spec.load()?;
    let templates = args.templates.template_set()?;
    let part = args.org.as_deref().zip(args.cards.as_deref());
    let Some(dir) = &args.output else {
        let generated = match part {
            Some((org, cards)) => fabgen::generate_part(&spec, &templates, org, cards)?,
            None => fabgen::generate(&spec, &templates)?,
        };
        return print(out, &output::manifests::stream(&generated.rendered));
    };
    let recorded = output::previous::recorded(dir)?;
    let writer = output::TreeWriter::generated(dir)?;
    let (network, count) = write_manifests(&spec, &templates, part, &writer)?;
    refuse_against(&source, &network, &recorded)?;
    writer.finish()?;
    let by_hand: Vec<_> = channel_changes(&network, &recorded.channels).into_iter().filter(|c| !c.by_job).collect();
    writeln!(out, "wrote {count} objects to {}", dir.display())?;
    if !by_hand.is_empty() {
        writeln!(out, "the running channels' configuration must change first (see `fabgen channel sign`):")?;
        for change in by_hand {
            writeln!(out, "  {}", change.text)?;
        }
    }
    // Freeing a large network's model and spec takes milliseconds the answer need not wait
    // for: the pool frees them (and `fabgen` exits without waiting).
    rayon::spawn(move || drop((network, spec, templates)));
    Ok(Outcome::Done)
}

/// Renders the manifests of `spec` (or of one organisation's part) into `writer`'s tree:
/// for the whole network, each object as soon as it passed its check. Returns the model and
/// the number of objects.
fn write_manifests(
    spec: &fabgen::spec::NetworkSpec,
    templates: &fabgen::render::TemplateSet,
    part: Option<(&str, &Path)>,
    writer: &output::TreeWriter,
) -> Result<(fabgen::model::Network, usize)> {
    if let Some((org, cards)) = part {
        let generated = fabgen::generate_part(spec, templates, org, cards)?;
        let count = generated.rendered.objects.len();
        for (file, bytes) in output::manifests::files(generated.rendered, &generated.network) {
            writer.write(&file, &bytes)?;
        }
        return Ok((generated.network, count));
    }
    let (network, packages, rendered) =
        fabgen::generate_writing(spec, templates, |file, bytes| writer.write(file, bytes))?;
    let count = rendered.objects.len();
    // The packages and what is kept of each object are freed on the pool (see `render`).
    rayon::spawn(move || drop((packages, rendered)));
    Ok((network, count))
}

/// What the running channels' configuration must change from what was `recorded`.
fn channel_changes(
    network: &fabgen::model::Network,
    recorded: &[fabgen::model::channel_record::ChannelRecord],
) -> Vec<fabgen::model::channel_record::Change> {
    let changes = fabgen::model::channel_record::changes(recorded, &fabgen::model::channel_record::records(network));
    let update = |channel: &str| network.channels.iter().find(|c| c.name == channel).and_then(|c| c.update.as_ref());
    changes
        .into_iter()
        .map(|c| match update(&c.channel) {
            Some(u) => c.by_update_job(u.signed_updates.is_some()),
            None => c,
        })
        .collect()
}

/// The model a chart is made of: the network, or one organisation's part of it (`--org` with
/// `--cards`).
fn chart_network(spec: &fabgen::spec::NetworkSpec, part: Option<(&str, &Path)>) -> Result<fabgen::model::Network> {
    Ok(match part {
        Some((org, cards)) => fabgen::resolve_part(spec, org, cards)?.0,
        None => fabgen::model::resolve(spec)?.0,
    })
}

fn write_chart(args: &ChartArgs, out: &mut dyn Write) -> Result<Outcome> {
    let (source, spec) = args.spec.load()?;
    let templates = args.templates.template_set()?;
    // `chart::write_charts` checks every object before any chart is made of them; the schemas
    // compile while the model resolves.
    let part = args.org.as_deref().zip(args.cards.as_deref());
    let (network, checker) = rayon::join(|| chart_network(&spec, part), fabgen::check::Checker::shared);
    let network = network?;
    refuse_against(&source, &network, &output::previous::recorded(&args.output)?)?;
    let options =
        chart::ChartOptions { per_org: args.per_org, version: args.chart_version.clone(), org: args.org.clone() };
    let writer = output::TreeWriter::generated(&args.output)?;
    let names = chart::write_charts(&network, &templates, &options, checker, &|path, bytes| writer.write(path, bytes))?;
    writer.finish()?;
    for name in names {
        let at = if args.per_org { args.output.join(&name) } else { args.output.clone() };
        writeln!(out, "wrote chart {name} to {}", at.display())?;
    }
    // As `render` does: the pool frees the model, spec and templates.
    rayon::spawn(move || drop((network, spec, templates)));
    Ok(Outcome::Done)
}

/// The spec, if every organisation runs in the network's namespace: one operator's Secrets all
/// go there. Organisations with their own namespaces each make their keys with `--org`.
fn one_namespace(spec: NetworkSpec) -> Result<NetworkSpec> {
    let own: Vec<String> = spec.own_namespaces().iter().map(|(org, ns)| format!("{org} in {ns}")).collect();
    if !own.is_empty() {
        bail!(
            "{} run outside the network's namespace {}: make each organisation's keys in its own namespace with `fabgen crypto --org ORG`",
            own.join(", "),
            spec.namespace
        );
    }
    Ok(spec)
}

/// `fabgen crypto`: the Secrets, the CAs that made them, and the Namespace they live in (the
/// render's own, byte for byte), so that `kubectl apply -f` of this tree alone works on an
/// empty cluster: `namespace-*.yaml` sorts before `secret-*.yaml`.
fn write_crypto(args: &CryptoArgs, out: &mut dyn Write) -> Result<Outcome> {
    let (_, spec) = args.spec.load()?;
    let spec = if args.org.is_some() { spec } else { one_namespace(spec)? };
    let (network, _, namespaces) =
        fabgen::verify_keeping_namespaces(&spec, &TemplateSet::embedded(), args.org.as_deref())?;
    let options = crypto::CryptoOptions {
        not_before: args.not_before.as_deref().map(crypto::parse_date).transpose()?,
        days: args.days,
        ca_days: args.ca_days,
        rotate: args.rotate,
        org: args.org.clone(),
        ..crypto::CryptoOptions::at(time::OffsetDateTime::now_utc())
    };
    let previous = crypto::previous::Previous::read(&args.output)?;
    let material = crypto::generate(&network, &previous, &options)?;
    fabgen::check::Checker::shared().check(&material.secrets)?;
    let secrets = material.secrets.objects.len();
    let mut files = output::manifests::objects(material.secrets.into_documents()?);
    files.extend(output::manifests::objects(namespaces));
    files.extend(material.authorities);
    if let Some(card) = &material.card {
        files.insert(card.file_name(), card.to_file()?);
    }
    output::write_secret_tree(&args.output, &files)?;
    let s = &material.summary;
    writeln!(
        out,
        "wrote {} Secrets to {} (created {}, renewed {}, kept {})",
        secrets,
        args.output.display(),
        s.created,
        s.renewed,
        s.kept
    )?;
    Ok(Outcome::Done)
}

fn package(args: &PackageArgs, out: &mut dyn Write) -> Result<Outcome> {
    let (_, spec) = args.spec.load()?;
    let (_, packages) = fabgen::verify(&spec, &TemplateSet::embedded())?;
    let files = packages.iter().map(|p| (p.file.clone(), p.package.bytes.clone())).collect();
    output::write_tree(&args.output, &files)?;
    for p in &packages {
        writeln!(out, "{}\t{}\t{}\t{}", p.org, p.chaincode, p.package.id, p.file)?;
    }
    Ok(Outcome::Done)
}

fn graph(args: &GraphArgs, out: &mut dyn Write) -> Result<Outcome> {
    let (_, spec) = args.spec.load()?;
    // The picture of a network that renders and passes the checks, like every output.
    let (network, _) = fabgen::verify(&spec, &TemplateSet::embedded())?;
    let topology = fabgen::model::topology::of(&network);
    print(
        out,
        &match args.format {
            GraphFormat::Mermaid => output::graph::mermaid(&topology),
            GraphFormat::Dot => output::graph::dot(&topology),
        },
    )
}

fn completions(args: &CompletionsArgs, out: &mut dyn Write) -> Result<Outcome> {
    use clap::CommandFactory;
    // Into a buffer first: clap_complete panics when its writer fails (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "fabgen", &mut script);
    out.write_all(&script)?;
    Ok(Outcome::Done)
}

fn man(args: &ManArgs, out: &mut dyn Write) -> Result<Outcome> {
    use clap::CommandFactory;
    let page = |command: clap::Command| -> Result<Vec<u8>> {
        let mut roff = Vec::new();
        clap_mangen::Man::new(command).render(&mut roff)?;
        Ok(roff)
    };
    let top = Cli::command();
    let Some(dir) = &args.output else {
        out.write_all(&page(top)?)?;
        return Ok(Outcome::Done);
    };
    let mut files = std::collections::BTreeMap::new();
    for sub in top.get_subcommands().filter(|c| c.get_name() != "help") {
        let name = format!("fabgen-{}", sub.get_name());
        let command = sub.clone().name(name.clone()).version(env!("CARGO_PKG_VERSION"));
        files.insert(format!("{name}.1"), page(command)?);
    }
    files.insert("fabgen.1".to_string(), page(top)?);
    output::write_tree(dir, &files)?;
    writeln!(out, "wrote {} man pages to {}", files.len(), dir.display())?;
    Ok(Outcome::Done)
}

fn diff(args: &DiffArgs, out: &mut dyn Write) -> Result<Outcome> {
    let source = SpecSource::read(&args.spec)?;
    let spec = source.load()?;
    let templates = args.templates.template_set()?;
    // A re-render that would be refused is an error here too, not a drift. A chart checks its
    // own render (`chart::chart_tree`), so only the model is made here for it.
    let part = args.org.as_deref().zip(args.cards.as_deref());
    let (network, rendered) = match (args.chart, part) {
        (true, _) => (chart_network(&spec, part)?, None),
        (false, Some((org, cards))) => {
            let generated = fabgen::generate_part(&spec, &templates, org, cards)?;
            (generated.network, Some(generated.rendered))
        }
        (false, None) => {
            let generated = fabgen::generate(&spec, &templates)?;
            (generated.network, Some(generated.rendered))
        }
    };
    let recorded = output::previous::recorded(&args.dir)?;
    refuse_against(&source, &network, &recorded)?;
    // What the change asks of the running channels, in words, above the file diff.
    for change in channel_changes(&network, &recorded.channels) {
        writeln!(out, "{}", change.text)?;
    }
    for change in fabgen::model::lifecycle::lifecycle_changes(&recorded.definitions, &definitions(&network)) {
        writeln!(out, "{change}")?;
    }
    let files = match rendered {
        Some(rendered) => output::manifests::files(rendered, &network),
        None => {
            let options = chart::ChartOptions {
                per_org: args.per_org,
                version: args.chart_version.clone(),
                org: args.org.clone(),
            };
            chart::chart_tree(&network, &templates, &options)?
        }
    };
    let drift = output::diff::diff(&files, &args.dir)?;
    out.write_all(drift.patch.as_bytes())?;
    if drift.is_empty() {
        return Ok(Outcome::Done);
    }
    // stderr may be a closed pipe too (`2>&1 | head`): nothing to do about it then.
    let _ = writeln!(std::io::stderr(), "{}: {}", args.dir.display(), drift.summary());
    Ok(Outcome::Drift)
}

/// Refuses what the running network would refuse after what the previous render `recorded`:
/// a chaincode definition whose sequence does not follow by Fabric's rules (`model::lifecycle`:
/// new parameters under the committed sequence, a sequence that goes back or skips ahead),
/// pointing at the chaincode's `sequence`; a Fabric release older than a channel's
/// capabilities (`model::channel_record::capability_problems`), pointing at `fabric.version`.
fn refuse_against(
    source: &SpecSource,
    network: &fabgen::model::Network,
    recorded: &output::previous::Recorded,
) -> Result<()> {
    let sequences = fabgen::model::lifecycle::sequence_problems(&recorded.definitions, &definitions(network));
    let mut diagnostics: Vec<Diagnostic> = sequences
        .into_iter()
        .map(|p| Diagnostic::at(format!("chaincodes[{}].sequence", p.chaincode), p.message))
        .collect();
    let current = fabgen::model::channel_record::records(network);
    for problem in fabgen::model::channel_record::capability_problems(&recorded.channels, &current) {
        diagnostics.push(Diagnostic::at("fabric.version".to_string(), problem));
    }
    if diagnostics.is_empty() {
        return Ok(());
    }
    Err(source.errors(diagnostics).into())
}

/// The chaincode definitions `network` records on its lifecycle Jobs; one organisation's part
/// records its own package only.
fn definitions(network: &fabgen::model::Network) -> Vec<fabgen::model::lifecycle::Definition> {
    let recorded = |c: &fabgen::model::Chaincode| match &network.custody {
        Some(custody) => c.definition.as_part_of(&custody.org),
        None => c.definition.clone(),
    };
    network.chaincodes.iter().map(recorded).collect()
}

/// What stderr shows for a failed command: spec problems with their lines and carets (see
/// [`SpecErrors::render`]), any other error as `error: message` and its causes.
pub fn report_error(err: &anyhow::Error, color: bool) -> String {
    if let Some(spec_errors) = err.downcast_ref::<SpecErrors>() {
        return spec_errors.render(color);
    }
    let (bold_red, bold, reset) = if color { ("\x1b[1m\x1b[91m", "\x1b[1m", "\x1b[0m") } else { ("", "", "") };
    format!("{bold_red}error{reset}{bold}:{reset} {}\n", format_error(err))
}

/// `message: caused by: cause …`, one chain; spec problems print one per line.
pub fn format_error(err: &anyhow::Error) -> String {
    if let Some(spec_errors) = err.downcast_ref::<SpecErrors>() {
        return format!("invalid spec\n{spec_errors}");
    }
    err.chain().map(ToString::to_string).collect::<Vec<_>>().join("\ncaused by: ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn every_command_ends_its_help_with_examples_that_parse() {
        for command in Cli::command().get_subcommands().filter(|c| c.get_name() != "help") {
            let help = command.get_after_help().map(|h| h.to_string()).unwrap_or_default();
            let examples: Vec<&str> = help.lines().filter_map(|l| l.strip_prefix("  ")).collect();
            assert!(help.starts_with("Examples:") && examples.len() >= 2, "{}: {help:?}", command.get_name());
            for example in examples {
                // The command line itself: up to a redirection, a pipe or a comment.
                let line = example.split(['>', '|', '#']).next().unwrap();
                let args: Vec<&str> = line.split_whitespace().collect();
                assert_eq!(args[1], command.get_name(), "{example}");
                Cli::try_parse_from(&args).unwrap_or_else(|e| panic!("{example}: {e}"));
            }
        }
        assert!(Cli::command().get_after_help().unwrap().to_string().contains("2 a usage error"));
    }
}
