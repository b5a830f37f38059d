//! `fabgen channel`: a channel configuration update signed offline by each organisation with
//! its own admin key (`sign`), the signatures gathered into the envelope the submitter sends
//! (`envelope`), and either read back (`inspect`). Each prints what the update writes first:
//! nobody signs blind.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use fabgen::crypto::config_sign::{self, Admin, Update};
use prost::Message;

use super::Outcome;

pub const EXAMPLES_CHANNEL: &str = "Examples:\n  fabgen channel sign update.pb --crypto org1-secrets/ -o signatures/org1.sig\n  fabgen channel envelope update.pb --signature signatures/org1.sig --signature signatures/org2.sig -o update.tx\n  fabgen channel inspect update.tx\n";

/// Subcommands of `channel`.
#[derive(Debug, Subcommand)]
pub enum ChannelCommand {
    /// Sign a channel configuration update (a ConfigUpdate, or an envelope of one) as your
    /// organisation's admin, with the key in your own `fabgen crypto --org` directory; writes
    /// Fabric's ConfigSignature, which travels to the submitter as a file.
    Sign(SignArgs),
    /// Gather the signatures of an update into the envelope `peer channel update -f` sends;
    /// every signature is verified first.
    Envelope(EnvelopeArgs),
    /// Print what an update (or an envelope of one) writes and who signed it, verifying each
    /// signature; writes nothing.
    Inspect(InspectArgs),
}

/// Options of `channel inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The update: a ConfigUpdate, or an envelope of one.
    pub update: PathBuf,
}

/// `channel`.
#[derive(Debug, Args)]
pub struct ChannelArgs {
    #[command(subcommand)]
    pub command: ChannelCommand,
}

/// Options of `channel sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The update: configtxlator compute_update's ConfigUpdate, or an envelope of one.
    pub update: PathBuf,
    /// Your organisation's `fabgen crypto --org ORG` directory (its admin key and public card).
    #[arg(long)]
    pub crypto: PathBuf,
    /// The signing organisation, when the directory holds more than one card.
    #[arg(long)]
    pub org: Option<String>,
    /// The signature file to write.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
}

/// Options of `channel envelope`.
#[derive(Debug, Args)]
pub struct EnvelopeArgs {
    /// The update: configtxlator compute_update's ConfigUpdate, or an envelope of one (its
    /// signatures are kept).
    pub update: PathBuf,
    /// A signature file of `fabgen channel sign`; repeat for each organisation.
    #[arg(long = "signature")]
    pub signatures: Vec<PathBuf>,
    /// The envelope to write.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
}

pub fn run(args: &ChannelArgs, out: &mut dyn Write) -> Result<Outcome> {
    match &args.command {
        ChannelCommand::Sign(args) => sign(args, out),
        ChannelCommand::Envelope(args) => envelope(args, out),
        ChannelCommand::Inspect(args) => inspect(args, out),
    }
}

fn describe(update: &Update, out: &mut dyn Write) -> Result<()> {
    writeln!(out, "update of channel {} writes:", update.update.channel_id)?;
    for line in update.describe() {
        writeln!(out, "  {line}")?;
    }
    Ok(())
}

fn sign(args: &SignArgs, out: &mut dyn Write) -> Result<Outcome> {
    let update = Update::read(&args.update)?;
    let admin = Admin::from_crypto_dir(&args.crypto, args.org.as_deref())?;
    describe(&update, out)?;
    let signature = admin.sign(&update)?;
    config_sign::verify(&update, &signature)?;
    fabgen::output::write::write_one_file(&args.output, &signature.encode_to_vec())?;
    writeln!(out, "{} ({}) signed; wrote {}", admin.org, admin.msp_id, args.output.display())?;
    Ok(Outcome::Done)
}

fn envelope(args: &EnvelopeArgs, out: &mut dyn Write) -> Result<Outcome> {
    let update = Update::read(&args.update)?;
    let mut signatures = update.signatures.clone();
    for path in &args.signatures {
        signatures.push(config_sign::read_signature(path)?);
    }
    if signatures.is_empty() {
        bail!("no signature: give each organisation's `fabgen channel sign` output with --signature");
    }
    describe(&update, out)?;
    let signers = verified_signers(&update, &signatures)?;
    fabgen::output::write::write_one_file(&args.output, &update.envelope(&signatures))?;
    writeln!(out, "signed by {}; wrote {}", signers.join(", "), args.output.display())?;
    Ok(Outcome::Done)
}

fn inspect(args: &InspectArgs, out: &mut dyn Write) -> Result<Outcome> {
    let update = Update::read(&args.update)?;
    describe(&update, out)?;
    let signers = verified_signers(&update, &update.signatures)?;
    if signers.is_empty() {
        writeln!(out, "signed by nobody yet")?;
    } else {
        writeln!(out, "signed by {}", signers.join(", "))?;
    }
    Ok(Outcome::Done)
}

/// The MSP IDs of `signatures`, each verified over `update`; an organisation signing twice is
/// refused.
fn verified_signers(update: &Update, signatures: &[fabgen::crypto::proto::ConfigSignature]) -> Result<Vec<String>> {
    let mut signers: Vec<String> = Vec::new();
    for signature in signatures {
        let (msp_id, _) = config_sign::verify(update, signature)?;
        if signers.contains(&msp_id) {
            bail!("{msp_id} signed twice; give one signature of each organisation");
        }
        signers.push(msp_id);
    }
    Ok(signers)
}
