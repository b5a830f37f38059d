//! Channel configuration updates signed by each organisation with its own admin key, offline
//! (`fabgen channel sign`, `fabgen channel envelope`), and nobody else's.
//!
//! A signature is Fabric's `ConfigSignature`, made as `peer channel signconfigtx` makes it
//! (fabric internal/peer/channel/create.go `sanityCheckAndSignConfigTx`): a `SignatureHeader`
//! whose creator is the admin's `SerializedIdentity` (MSP ID and certificate PEM, as
//! msp/identities.go `Serialize` writes it) and a 24-byte random nonce
//! (common/crypto/random.go `NonceSize`; protoutil/commonutils.go `NewSignatureHeader`), and an
//! ECDSA P-256 signature over SHA-256 of `signature_header ‖ config_update`, low-S
//! (bccsp/sw/ecdsa.go). The `config_update` bytes are signed and carried exactly as given,
//! never re-encoded. An envelope gathers the signatures: an `Envelope` whose `Payload` has a
//! `CONFIG_UPDATE` channel header and a `ConfigUpdateEnvelope`, which `peer channel update -f`
//! signs once more as the submitter and sends.

use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use prost::Message;

use super::low_s::LowSKey;
use super::proto::{
    ChannelHeader, ConfigGroup, ConfigSignature, ConfigUpdate, ConfigUpdateEnvelope, Envelope,
    HEADER_TYPE_CONFIG_UPDATE, Header, Payload, SerializedIdentity, SignatureHeader,
};
use crate::model::card::{CARDS_DIR, Card};
use crate::spec::names;

/// `NonceSize` of fabric common/crypto/random.go.
pub const NONCE_SIZE: usize = 24;

/// A channel configuration update as read from a file: the exact `ConfigUpdate` bytes, decoded,
/// and any signatures an envelope carried.
#[derive(Debug, Clone)]
pub struct Update {
    /// The marshalled `ConfigUpdate`, as given.
    pub bytes: Vec<u8>,
    /// Decoded.
    pub update: ConfigUpdate,
    /// Signatures of the envelope it came in (none for a bare `ConfigUpdate`).
    pub signatures: Vec<ConfigSignature>,
}

impl Update {
    /// Reads [`Update::parse`] from a file.
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).with_context(|| format!("failed to read '{}'", path.display()))?;
        Self::parse(&bytes).with_context(|| format!("'{}'", path.display()))
    }

    /// Reads a `ConfigUpdate` (configtxlator `compute_update` output) or an `Envelope` of type
    /// `CONFIG_UPDATE` (`peer channel signconfigtx` and `fabgen channel envelope` output).
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        if let Some(update) = Self::from_envelope(bytes) {
            return Ok(update);
        }
        let update = ConfigUpdate::decode(bytes)
            .map_err(|e| anyhow!("neither a config update envelope nor a ConfigUpdate: {e}"))?;
        if update.channel_id.is_empty() || update.write_set.is_none() {
            bail!("neither a config update envelope nor a ConfigUpdate (no channel ID or no write set)");
        }
        Ok(Update { bytes: bytes.to_vec(), update, signatures: Vec::new() })
    }

    fn from_envelope(bytes: &[u8]) -> Option<Self> {
        let envelope = Envelope::decode(bytes).ok()?;
        let payload = Payload::decode(envelope.payload.as_slice()).ok()?;
        let header = ChannelHeader::decode(payload.header?.channel_header.as_slice()).ok()?;
        if header.r#type != HEADER_TYPE_CONFIG_UPDATE {
            return None;
        }
        let inner = ConfigUpdateEnvelope::decode(payload.data.as_slice()).ok()?;
        let update = ConfigUpdate::decode(inner.config_update.as_slice()).ok()?;
        (update.channel_id == header.channel_id && !update.channel_id.is_empty()).then_some(Update {
            bytes: inner.config_update,
            update,
            signatures: inner.signatures,
        })
    }

    /// The unsigned envelope `peer channel update -f` takes: a `CONFIG_UPDATE` channel header
    /// for the update's channel (no timestamp, no signature: the submitter's CLI wraps it in a
    /// signed envelope of its own) and the update with `signatures`.
    pub fn envelope(&self, signatures: &[ConfigSignature]) -> Vec<u8> {
        let channel_header = ChannelHeader {
            r#type: HEADER_TYPE_CONFIG_UPDATE,
            channel_id: self.update.channel_id.clone(),
            ..Default::default()
        };
        let data = ConfigUpdateEnvelope { config_update: self.bytes.clone(), signatures: signatures.to_vec() };
        let payload = Payload {
            header: Some(Header { channel_header: channel_header.encode_to_vec(), signature_header: Vec::new() }),
            data: data.encode_to_vec(),
        };
        Envelope { payload: payload.encode_to_vec(), signature: Vec::new() }.encode_to_vec()
    }

    /// What the update writes, a line per element whose version it changes: its path in the
    /// channel configuration, the version it writes and the policy that governs it.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(write) = &self.update.write_set {
            describe_group("/Channel", self.update.read_set.as_ref(), write, &mut out);
        }
        out
    }
}

fn describe_group(path: &str, read: Option<&ConfigGroup>, write: &ConfigGroup, out: &mut Vec<String>) {
    let written = |read_version: Option<u64>, version: u64| read_version != Some(version);
    if written(read.map(|r| r.version), write.version) {
        let members: Vec<&str> = write.groups.keys().map(String::as_str).collect();
        let state = if read.is_none() { "new group" } else { "group" };
        out.push(format!(
            "{path}: {state}, version {}, mod_policy {}, groups [{}]",
            write.version,
            shown(&write.mod_policy),
            members.join(", ")
        ));
    }
    let mut element = |kind: &str, name: &str, was: Option<u64>, version: u64, mod_policy: &str| {
        if written(was, version) {
            out.push(format!("{path}/{name}: {kind}, version {version}, mod_policy {}", shown(mod_policy)));
        }
    };
    for (name, value) in &write.values {
        let was = read.and_then(|r| r.values.get(name)).map(|v| v.version);
        element("value", name, was, value.version, &value.mod_policy);
    }
    for (name, policy) in &write.policies {
        let was = read.and_then(|r| r.policies.get(name)).map(|p| p.version);
        element("policy", name, was, policy.version, &policy.mod_policy);
    }
    for (name, group) in &write.groups {
        describe_group(&format!("{path}/{name}"), read.and_then(|r| r.groups.get(name)), group, out);
    }
}

fn shown(mod_policy: &str) -> &str {
    if mod_policy.is_empty() { "(inherited)" } else { mod_policy }
}

/// An organisation's admin, as its own `fabgen crypto --org` directory holds it.
pub struct Admin {
    /// Organisation.
    pub org: String,
    /// MSP ID.
    pub msp_id: String,
    /// The admin's certificate, DER.
    cert_der: Vec<u8>,
    key: LowSKey,
}

impl Admin {
    /// Reads the admin of `org` (default: the organisation whose card the directory holds)
    /// from `dir`: its card `public/<org>.yaml` and its admin MSP Secret. The certificate must
    /// be issued by the card's CA and match the key.
    pub fn from_crypto_dir(dir: &Path, org: Option<&str>) -> Result<Self> {
        let cards = dir.join(CARDS_DIR);
        let org = match org {
            Some(org) => org.to_string(),
            None => only_card(&cards)?,
        };
        let card = Card::read(&cards, &org)?;
        let previous = super::previous::Previous::read(dir)?;
        let secret_name = names::admin_msp_secret(&org);
        let secret = previous
            .secret(&secret_name)
            .with_context(|| format!("{} has no Secret {secret_name} (secret-{secret_name}.yaml)", dir.display()))?;
        let file = |key: &str| -> Result<String> {
            let bytes = secret.data.get(key).with_context(|| format!("Secret {secret_name} has no {key}"))?;
            String::from_utf8(bytes.clone()).with_context(|| format!("Secret {secret_name}: {key} is not text"))
        };
        let cert_der = pem_body(&file("cert.pem")?)?;
        let key = LowSKey(super::x509::load_key(&file("key.pem")?)?);
        check_admin(&cert_der, &pem_body(&card.msp.cacert)?, &key)
            .with_context(|| format!("Secret {secret_name} is not an admin identity of {org}'s CA"))?;
        Ok(Admin { org, msp_id: card.msp_id, cert_der, key })
    }

    /// The admin's `SerializedIdentity`, marshalled.
    pub fn serialized(&self) -> Vec<u8> {
        SerializedIdentity { mspid: self.msp_id.clone(), id_bytes: pem("CERTIFICATE", &self.cert_der).into_bytes() }
            .encode_to_vec()
    }

    /// Signs `update` with a fresh nonce from the system's random source.
    pub fn sign(&self, update: &Update) -> Result<ConfigSignature> {
        let mut nonce = [0u8; NONCE_SIZE];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut nonce)
            .map_err(|_| anyhow!("no random nonce from the system"))?;
        self.sign_with_nonce(update, &nonce)
    }

    /// Signs `update` with `nonce`: Fabric's `ConfigSignature`.
    pub fn sign_with_nonce(&self, update: &Update, nonce: &[u8]) -> Result<ConfigSignature> {
        let signature_header = SignatureHeader { creator: self.serialized(), nonce: nonce.to_vec() }.encode_to_vec();
        let signed = [signature_header.as_slice(), update.bytes.as_slice()].concat();
        let signature = rcgen::SigningKey::sign(&self.key, &signed).map_err(|e| anyhow!("signing failed: {e}"))?;
        Ok(ConfigSignature { signature_header, signature })
    }
}

/// The one card in `cards`, when `--org` is not given.
fn only_card(cards: &Path) -> Result<String> {
    let entries = std::fs::read_dir(cards).with_context(|| {
        format!("{} is missing: sign with the directory `fabgen crypto --org ORG` wrote", cards.display())
    })?;
    let mut orgs: Vec<String> =
        entries.filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".yaml").map(str::to_string)).collect();
    orgs.sort();
    match orgs.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!("{} holds no card: sign with the directory `fabgen crypto --org ORG` wrote", cards.display()),
        many => {
            bail!("{} holds the cards of {}: say which organisation signs with --org", cards.display(), many.join(", "))
        }
    }
}

/// The admin certificate is signed by `ca_der`, carries the `admin` OU, and `key` is its key.
fn check_admin(cert_der: &[u8], ca_der: &[u8], key: &LowSKey) -> Result<()> {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der).map_err(|e| anyhow!("not a certificate: {e}"))?;
    let (_, ca) = x509_parser::parse_x509_certificate(ca_der).map_err(|e| anyhow!("the card's CA: {e}"))?;
    cert.verify_signature(Some(ca.public_key())).map_err(|_| anyhow!("not issued by the card's CA"))?;
    let admin = cert.subject().iter_organizational_unit().any(|ou| ou.as_str().is_ok_and(|ou| ou == "admin"));
    if !admin {
        bail!("the certificate has no admin OU");
    }
    if cert.public_key().subject_public_key.data.as_ref() != key.0.public_key_raw() {
        bail!("the key is not the certificate's");
    }
    Ok(())
}

/// Reads a `ConfigSignature` file (`fabgen channel sign` output).
pub fn read_signature(path: &Path) -> Result<ConfigSignature> {
    let bytes = std::fs::read(path).with_context(|| format!("failed to read '{}'", path.display()))?;
    let signature = ConfigSignature::decode(bytes.as_slice())
        .map_err(|e| anyhow!("'{}' is no ConfigSignature: {e}", path.display()))?;
    if signature.signature_header.is_empty() || signature.signature.is_empty() {
        bail!("'{}' is no ConfigSignature (empty header or signature)", path.display());
    }
    Ok(signature)
}

/// Verifies `signature` over `update` (and that it is low-S, as Fabric's MSP requires) and
/// returns the signer's MSP ID and certificate (DER).
pub fn verify(update: &Update, signature: &ConfigSignature) -> Result<(String, Vec<u8>)> {
    // Fabric's validator checks the signature, not the nonce's length (other tools may choose
    // another), so neither does this; fabgen's own nonces are NONCE_SIZE bytes.
    let header = SignatureHeader::decode(signature.signature_header.as_slice()).context("bad signature header")?;
    let creator = SerializedIdentity::decode(header.creator.as_slice()).context("bad creator identity")?;
    let text = String::from_utf8(creator.id_bytes).context("the creator's certificate is not PEM")?;
    let der = pem_body(&text)?;
    let (_, cert) = x509_parser::parse_x509_certificate(&der).map_err(|e| anyhow!("the creator's certificate: {e}"))?;
    let public = ring::signature::UnparsedPublicKey::new(
        &ring::signature::ECDSA_P256_SHA256_ASN1,
        cert.public_key().subject_public_key.data.as_ref(),
    );
    let signed = [signature.signature_header.as_slice(), update.bytes.as_slice()].concat();
    public
        .verify(&signed, &signature.signature)
        .map_err(|_| anyhow!("the signature of {} does not verify", creator.mspid))?;
    if super::low_s::is_high_s(&signature.signature) != Some(false) {
        bail!("the signature of {} is not low-S, which Fabric requires", creator.mspid);
    }
    Ok((creator.mspid, der))
}

/// The DER body of the first PEM block of `text`.
fn pem_body(text: &str) -> Result<Vec<u8>> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(text.as_bytes()).map_err(|e| anyhow!("not PEM: {e}"))?;
    Ok(pem.contents)
}

/// PEM as Go's `pem.EncodeToMemory` writes it: 64 characters a line, a final newline.
fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::proto::{ConfigPolicy, ConfigValue};
    use std::collections::BTreeMap;

    /// org1's anchor peers change and a policy is added beside them.
    fn update() -> ConfigUpdate {
        let org1_read = ConfigGroup {
            version: 3,
            values: BTreeMap::from([("MSP".into(), ConfigValue { version: 0, ..Default::default() })]),
            ..Default::default()
        };
        let mut org1_write = org1_read.clone();
        org1_write
            .values
            .insert("AnchorPeers".into(), ConfigValue { version: 1, value: vec![1], mod_policy: "Admins".into() });
        org1_write
            .policies
            .insert("Extra".into(), ConfigPolicy { version: 0, policy: None, mod_policy: String::new() });
        let application = |org1| ConfigGroup {
            version: 1,
            groups: BTreeMap::from([("org1MSP".to_string(), org1)]),
            ..Default::default()
        };
        let channel = |application| ConfigGroup {
            groups: BTreeMap::from([("Application".to_string(), application)]),
            ..Default::default()
        };
        ConfigUpdate {
            channel_id: "ch".into(),
            read_set: Some(channel(application(org1_read))),
            write_set: Some(channel(application(org1_write))),
            isolated_data: BTreeMap::new(),
        }
    }

    #[test]
    fn describes_only_what_changes_version() {
        let parsed = Update::parse(&update().encode_to_vec()).unwrap();
        assert_eq!(
            parsed.describe(),
            [
                "/Channel/Application/org1MSP/AnchorPeers: value, version 1, mod_policy Admins",
                "/Channel/Application/org1MSP/Extra: policy, version 0, mod_policy (inherited)",
            ]
        );
    }

    #[test]
    fn an_envelope_keeps_the_update_bytes_and_reads_back() {
        let bytes = update().encode_to_vec();
        let parsed = Update::parse(&bytes).unwrap();
        let signature = ConfigSignature { signature_header: vec![1, 2], signature: vec![3] };
        let again = Update::parse(&parsed.envelope(std::slice::from_ref(&signature))).unwrap();
        assert_eq!(again.bytes, bytes, "the signed bytes travel unchanged");
        assert_eq!(again.signatures, [signature]);
        assert_eq!(again.update.channel_id, "ch");
        for junk in [&b"junk"[..], &ConfigUpdate::default().encode_to_vec(), &[]] {
            assert!(Update::parse(junk).is_err());
        }
    }

    #[test]
    fn pem_is_what_go_writes() {
        let der: Vec<u8> = (0..100u8).collect();
        let text = pem("CERTIFICATE", &der);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "-----BEGIN CERTIFICATE-----");
        // 100 bytes are 136 base64 characters: 64, 64 and 8.
        assert_eq!(lines[1..4].iter().map(|l| l.len()).collect::<Vec<_>>(), [64, 64, 8]);
        assert_eq!(lines[4], "-----END CERTIFICATE-----");
        assert!(text.ends_with("-----\n"));
        assert_eq!(pem_body(&text).unwrap(), der);
    }
}
