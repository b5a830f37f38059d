//! Makes an organisation's public card (`crate::model::card`) from the Secrets one run of
//! `fabgen crypto --org` made for it, so the card and the keys kept at home cannot disagree.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use base64::Engine;

use crate::model::Network;
pub use crate::model::card::{CARD_API_VERSION, CARD_KIND, CARDS_DIR, Card, CardIdentity, CardMsp, CardNode};
use crate::render::Rendered;
use crate::spec::names;

/// The card of `org`, read off the Secrets made for it.
pub fn card_of(network: &Network, org: &str, secrets: &Rendered) -> Result<Card> {
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
                    endpoint: o.advertised_address.clone(),
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
                endpoint: p.advertised_address.clone(),
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
