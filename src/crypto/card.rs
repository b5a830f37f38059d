//! An organisation's public card (`fabgen crypto --org ORG` writes `public/ORG.yaml`): what the
//! other members of a consortium need of ORG and nothing more. Its MSP ID; its identity and TLS
//! CA certificates and NodeOU `config.yaml` (what a channel config's MSP for ORG holds); its
//! admins' signing certificates; and for each node its endpoint and, for an orderer, the
//! certificates other orderers pin: its TLS certificate (a Raft or BFT consenter's
//! `ClientTLSCert`/`ServerTLSCert`) and its signing certificate (a BFT consenter's `Identity`).
//!
//! Every value is read back from the Secrets this run made for ORG, so the card and the keys
//! kept at home cannot disagree. No private key is in it: [`Card::check_public`] refuses one.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::model::Network;
use crate::render::Rendered;
use crate::spec::names;

/// `apiVersion` of a card.
pub const CARD_API_VERSION: &str = "fabgen.io/v1alpha1";
/// `kind` of a card.
pub const CARD_KIND: &str = "OrganizationCard";
/// Directory of the cards in the output of `fabgen crypto --org`.
pub const CARDS_DIR: &str = "public";

/// What one organisation publishes to the consortium.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Card {
    /// [`CARD_API_VERSION`].
    pub api_version: String,
    /// [`CARD_KIND`].
    pub kind: String,
    /// Organisation name, as in the spec.
    pub org: String,
    /// Its MSP ID.
    pub msp_id: String,
    /// `peer` or `ordering`.
    pub role: String,
    /// Its channel MSP: `cacerts/`, `tlscacerts/` and the NodeOU `config.yaml`.
    pub msp: CardMsp,
    /// Signing certificates of its admins.
    pub admins: Vec<CardIdentity>,
    /// Its peers or orderers.
    pub nodes: Vec<CardNode>,
}

/// An organisation's MSP, as a channel configuration holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CardMsp {
    /// Identity CA certificate (PEM).
    pub cacert: String,
    /// TLS CA certificate (PEM).
    pub tlscacert: String,
    /// NodeOU `config.yaml`.
    pub config: String,
}

/// A named certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CardIdentity {
    /// Whose it is.
    pub name: String,
    /// Its signing certificate (PEM).
    pub cert: String,
}

/// One node of the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CardNode {
    /// Service name.
    pub name: String,
    /// `peer` or `orderer`.
    pub kind: String,
    /// `host:port` other organisations dial.
    pub endpoint: String,
    /// An orderer's TLS certificate (PEM), which consenters pin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_cert: Option<String>,
    /// An orderer's signing certificate (PEM): a BFT consenter's `Identity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
}

impl Card {
    /// The card of `org`, read off the Secrets made for it.
    pub fn of(network: &Network, org: &str, secrets: &Rendered) -> Result<Card> {
        let data = SecretData::of(secrets);
        let org_msp = names::org_msp_secret(org);
        let msp = CardMsp {
            cacert: data.text(&org_msp, "cacert.pem")?,
            tlscacert: data.text(&org_msp, "tlscacert.pem")?,
            config: data.text(&org_msp, "config.yaml")?,
        };
        let admins = vec![CardIdentity {
            name: format!("{org}-admin"),
            cert: data.text(&names::admin_msp_secret(org), "cert.pem")?,
        }];
        let (msp_id, role, nodes) = if let Some(ordering) = network.orderer_orgs.iter().find(|o| o.name == org) {
            let nodes = ordering
                .orderers
                .iter()
                .map(|o| {
                    Ok(CardNode {
                        name: o.name.clone(),
                        kind: "orderer".into(),
                        endpoint: o.address.clone(),
                        tls_cert: Some(data.text(&o.tls_secret, "tls.crt")?),
                        identity: Some(data.text(&o.msp_secret, "cert.pem")?),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            (ordering.msp_id.clone(), "ordering", nodes)
        } else if let Some(peer_org) = network.orgs.iter().find(|o| o.name == org) {
            let nodes = peer_org
                .peers
                .iter()
                .map(|p| CardNode {
                    name: p.name.clone(),
                    kind: "peer".into(),
                    endpoint: p.address.clone(),
                    tls_cert: None,
                    identity: None,
                })
                .collect();
            (peer_org.msp_id.clone(), "peer", nodes)
        } else {
            bail!("no organisation {org} in the network");
        };
        let card = Card {
            api_version: CARD_API_VERSION.into(),
            kind: CARD_KIND.into(),
            org: org.to_string(),
            msp_id,
            role: role.into(),
            msp,
            admins,
            nodes,
        };
        card.check_public()?;
        Ok(card)
    }

    /// Fails if any text of the card holds a private key.
    pub fn check_public(&self) -> Result<()> {
        let text = serde_yaml::to_string(self).context("failed to serialise the card")?;
        if text.contains("PRIVATE KEY") {
            bail!("the card of {} would hold a private key", self.org);
        }
        Ok(())
    }

    /// The card as its file: a comment saying what it is, then the YAML.
    pub fn to_file(&self) -> Result<Vec<u8>> {
        let yaml = serde_yaml::to_string(self).context("failed to serialise the card")?;
        Ok(format!(
            "# Public card of organisation {org} ({msp}), written by `fabgen crypto --org {org}`: certificates and\n\
             # endpoints only, no private key. Commit it to the consortium's repository; the other members render\n\
             # from it. Regenerated by every run, so it follows renewed and rotated certificates.\n{yaml}",
            org = self.org,
            msp = self.msp_id,
        )
        .into_bytes())
    }

    /// Its path in the output of `fabgen crypto --org`.
    pub fn file_name(&self) -> String {
        format!("{CARDS_DIR}/{}.yaml", self.org)
    }
}

/// The decoded `data` of the Secrets made in one run, by Secret name.
struct SecretData(BTreeMap<String, BTreeMap<String, Vec<u8>>>);

impl SecretData {
    fn of(secrets: &Rendered) -> Self {
        let decode = |v: &serde_yaml::Value| {
            v.as_str().and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok()).unwrap_or_default()
        };
        SecretData(
            secrets
                .objects
                .values()
                .map(|o| {
                    let data = o.value["data"]
                        .as_mapping()
                        .into_iter()
                        .flatten()
                        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), decode(v))))
                        .collect();
                    (o.name.clone(), data)
                })
                .collect(),
        )
    }

    fn text(&self, secret: &str, key: &str) -> Result<String> {
        let bytes =
            self.0.get(secret).and_then(|d| d.get(key)).with_context(|| format!("no {key} in Secret {secret}"))?;
        String::from_utf8(bytes.clone()).with_context(|| format!("{key} of Secret {secret} is not text"))
    }
}
