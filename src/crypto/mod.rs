//! Crypto material (`fabgen crypto`): the MSP and TLS identities of every organisation, node
//! and admin, the logins of CAs and CouchDBs, and the chaincode TLS pairs, as Secret manifests
//! named exactly as the rendered pods reference them.
//!
//! A side branch of the pipeline: it reads the model (`crate::model::Network`: which nodes
//! exist, their Service names, their Secret names) and what it wrote last time (`previous`),
//! plans the Secrets (`plan`), signs certificates (`x509`), and hands a `Rendered` of Secrets
//! (checked by `crate::check` like every other object) plus the CA files to `crate::output`,
//! which writes them owner-only. Unlike every other stage its output is not reproducible —
//! keys are random — so re-runs keep what exists: CAs, keys, certificates and passwords stay
//! unless the request behind them changed, a certificate nears its end, or `rotate` is set.

pub mod card;
pub mod config_sign;
pub mod low_s;
pub mod plan;
pub mod previous;
pub mod proto;
pub mod x509;

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use base64::Engine;
use serde_yaml::{Mapping, Value};
use time::{Duration, OffsetDateTime};

use self::plan::{CaRole, Content, Plan, SecretPlan};
pub use self::previous::{AUTHORITIES_DIR, Previous, REQUEST_ANNOTATION};
use self::x509::{Authority, CertInfo, LeafRequest, Validity};
use crate::model::Network;
use crate::render::{Object, Rendered};

/// How certificates are dated and whether everything starts afresh.
#[derive(Debug, Clone)]
pub struct CryptoOptions {
    /// The current time.
    pub now: OffsetDateTime,
    /// First day of validity; `None`: five minutes before `now` (clock skew).
    pub not_before: Option<OffsetDateTime>,
    /// Validity of node, admin and chaincode certificates, in days; `None`: 365.
    pub days: Option<u32>,
    /// Validity of new CA certificates, in days.
    pub ca_days: u32,
    /// New CAs, keys and certificates for everything (logins are kept).
    pub rotate: bool,
    /// Only this organisation's CAs, keys and Secrets, and its public card: what one member of
    /// a consortium makes and keeps at home. `None`: every organisation's (one operator).
    pub org: Option<String>,
}

impl CryptoOptions {
    /// Default options at `now`.
    pub fn at(now: OffsetDateTime) -> Self {
        CryptoOptions { now, not_before: None, days: None, ca_days: 3650, rotate: false, org: None }
    }

    fn not_before(&self) -> OffsetDateTime {
        self.not_before.unwrap_or(self.now - Duration::minutes(5)).replace_nanosecond(0).expect("0 is valid")
    }

    fn leaf_validity(&self) -> Validity {
        let not_before = self.not_before();
        Validity { not_before, not_after: not_before + Duration::days(self.days.unwrap_or(365).into()) }
    }

    fn ca_validity(&self) -> Validity {
        let not_before = self.not_before();
        Validity { not_before, not_after: not_before + Duration::days(self.ca_days.into()) }
    }
}

/// A date given on the command line: `YYYY-MM-DD` (midnight UTC).
pub fn parse_date(text: &str) -> Result<OffsetDateTime> {
    let parts: Vec<&str> = text.split('-').collect();
    let numbers: Option<Vec<u32>> = parts.iter().map(|p| p.parse().ok()).collect();
    let (year, month, day) = match (parts.len(), numbers) {
        (3, Some(n)) if parts[0].len() == 4 && parts[1].len() == 2 && parts[2].len() == 2 => (n[0], n[1], n[2]),
        _ => bail!("'{text}' is not a date of the form YYYY-MM-DD"),
    };
    let month = time::Month::try_from(month as u8).map_err(|_| anyhow::anyhow!("'{text}': no month {month}"))?;
    let date = time::Date::from_calendar_date(year as i32, month, day as u8)
        .map_err(|e| anyhow::anyhow!("'{text}' is not a valid date: {e}"))?;
    Ok(date.midnight().assume_utc())
}

/// What happened to each certificate and login.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Made new (new key).
    pub created: usize,
    /// Re-signed with the key it had.
    pub renewed: usize,
    /// Kept as they were.
    pub kept: usize,
}

/// The material of one network.
#[derive(Debug)]
pub struct Material {
    /// Secret manifests, by file name.
    pub secrets: Rendered,
    /// CA certificates and keys, by path under the output (`authorities/<org>/…`).
    pub authorities: BTreeMap<String, Vec<u8>>,
    /// Counts, for the command's report.
    pub summary: Summary,
    /// With [`CryptoOptions::org`]: that organisation's public card.
    pub card: Option<card::Card>,
}

/// The organisations of `network`, ordering ones first, as `--org` names them.
pub fn org_names(network: &Network) -> Vec<&str> {
    network.orderer_orgs.iter().map(|o| o.name.as_str()).chain(network.orgs.iter().map(|o| o.name.as_str())).collect()
}

/// Makes (or keeps) every Secret the network needs.
pub fn generate(network: &Network, previous: &Previous, options: &CryptoOptions) -> Result<Material> {
    let plan = match &options.org {
        None => plan::plan(network),
        Some(org) if org_names(network).contains(&org.as_str()) => plan::plan(network).only(org),
        Some(org) => bail!(
            "--org {org}: the spec has no organisation \"{org}\" ({})",
            crate::spec::diagnostic::known_list(org_names(network))
        ),
    };
    let mut summary = Summary::default();
    let cas = authorities(&plan, previous, options, &mut summary)?;
    let leaf_validity = options.leaf_validity();
    for ((org, role), ca) in &cas {
        let until = CertInfo::parse(&ca.cert_pem)?.validity.not_after;
        if leaf_validity.not_after > until {
            bail!(
                "certificates valid until {} would outlive the {} of {org} (valid until {until}); shorten --days or start afresh with --rotate",
                leaf_validity.not_after,
                role.common_name(org)
            );
        }
    }

    let mut secrets = Rendered::default();
    for secret in &plan.secrets {
        let (data, request) = secret_data(secret, &cas, previous, options, &mut summary)
            .with_context(|| format!("failed to make Secret {}", secret.name))?;
        let object = secret_object(network, secret, data, request);
        secrets.objects.insert(object.file_name(), object);
    }

    let mut files = BTreeMap::new();
    for ((org, role), ca) in &cas {
        let stem = format!("{AUTHORITIES_DIR}/{org}/{}", role.file_stem());
        files.insert(format!("{stem}.pem"), ca.cert_pem.clone().into_bytes());
        files.insert(format!("{stem}-key.pem"), ca.key_pem.clone().into_bytes());
    }
    let card = options.org.as_deref().map(|org| card::card_of(network, org, &secrets)).transpose()?;
    Ok(Material { secrets, authorities: files, summary, card })
}

type Authorities = BTreeMap<(String, CaRole), Authority>;

/// A Secret's `data`, decoded.
type SecretData = BTreeMap<String, Vec<u8>>;

fn authorities(
    plan: &Plan,
    previous: &Previous,
    options: &CryptoOptions,
    summary: &mut Summary,
) -> Result<Authorities> {
    let mut out = BTreeMap::new();
    for org in &plan.orgs {
        for role in &org.cas {
            let kept = match previous.authority(&org.name, role.file_stem()) {
                Some((cert, key)) if !options.rotate => Some(Authority::load(cert, key).with_context(|| {
                    format!("failed to read {AUTHORITIES_DIR}/{}/{}.pem back", org.name, role.file_stem())
                })?),
                _ => None,
            };
            let ca = match kept {
                Some(ca) => {
                    summary.kept += 1;
                    ca
                }
                None => {
                    summary.created += 1;
                    Authority::create(&org.name, &role.common_name(&org.name), options.ca_validity())?
                }
            };
            out.insert((org.name.clone(), *role), ca);
        }
    }
    Ok(out)
}

fn ca<'a>(cas: &'a Authorities, org: &str, role: CaRole) -> &'a Authority {
    &cas[&(org.to_string(), role)]
}

/// A digest of everything a certificate is made from, including its CA's certificate.
fn request_digest(request: &LeafRequest, issuer: &Authority, extra: &str) -> String {
    crate::model::digest::sha256_hex(format!("{request:?}\n{}\n{extra}", issuer.cert_pem).as_bytes(), 16)
}

/// Whether a certificate written before may stay: same request, readable, its key matching,
/// far enough from its end, and dated as asked when dates were given.
fn still_fits(cert_pem: &[u8], key_pem: &[u8], options: &CryptoOptions) -> Option<()> {
    let info = CertInfo::parse(std::str::from_utf8(cert_pem).ok()?).ok()?;
    let key = x509::load_key(std::str::from_utf8(key_pem).ok()?).ok()?;
    (info.public_key == key.public_key_raw()).then_some(())?;
    let wanted = options.leaf_validity();
    if (options.not_before.is_some() || options.days.is_some()) && info.validity != wanted {
        return None;
    }
    // Renew in the last third of a certificate's life, at most 30 days before it ends.
    let life: Duration = info.validity.not_after - info.validity.not_before;
    let renew_before: Duration = std::cmp::min(life / 3_i32, Duration::days(30));
    (info.validity.not_after - options.now > renew_before).then_some(())
}

/// A signed leaf: kept, re-signed with its old key, or new.
fn leaf(
    request: &LeafRequest,
    issuer: &Authority,
    old: Option<(&[u8], &[u8])>,
    same_request: bool,
    options: &CryptoOptions,
    summary: &mut Summary,
) -> Result<(String, String)> {
    if let Some((cert, key)) = old.filter(|_| same_request && !options.rotate)
        && still_fits(cert, key, options).is_some()
    {
        summary.kept += 1;
        return Ok((String::from_utf8_lossy(cert).into_owned(), String::from_utf8_lossy(key).into_owned()));
    }
    let old_key = old
        .filter(|_| !options.rotate)
        .and_then(|(_, key)| std::str::from_utf8(key).ok().and_then(|k| x509::load_key(k).ok()));
    let key = match old_key {
        Some(key) => {
            summary.renewed += 1;
            key
        }
        None => {
            summary.created += 1;
            x509::new_key()?
        }
    };
    let cert = issuer.issue(request, &key, options.leaf_validity())?;
    Ok((cert, key.serialize_pem()))
}

fn secret_data(
    secret: &SecretPlan,
    cas: &Authorities,
    previous: &Previous,
    options: &CryptoOptions,
    summary: &mut Summary,
) -> Result<(SecretData, Option<String>)> {
    let old = previous.secret(&secret.name);
    let old_pair =
        |cert: &str, key: &str| old.and_then(|s| Some((s.data.get(cert)?.as_slice(), s.data.get(key)?.as_slice())));
    let identity = ca(cas, &secret.org, CaRole::Identity);
    let tls = ca(cas, &secret.org, CaRole::Tls);
    let text = |s: &str| s.as_bytes().to_vec();
    Ok(match &secret.content {
        Content::Msp(request) => {
            let digest = request_digest(request, identity, &tls.cert_pem);
            let same = old.is_some_and(|s| s.request.as_deref() == Some(digest.as_str()));
            let (cert, key) = leaf(request, identity, old_pair("cert.pem", "key.pem"), same, options, summary)?;
            let data = BTreeMap::from([
                ("cert.pem".to_string(), text(&cert)),
                ("key.pem".to_string(), text(&key)),
                ("cacert.pem".to_string(), text(&identity.cert_pem)),
                ("tlscacert.pem".to_string(), text(&tls.cert_pem)),
                ("config.yaml".to_string(), text(&plan::node_ou_config())),
            ]);
            (data, Some(digest))
        }
        Content::Tls(request, role) => {
            let issuer = ca(cas, &secret.org, *role);
            let digest = request_digest(request, issuer, "");
            let same = old.is_some_and(|s| s.request.as_deref() == Some(digest.as_str()));
            let (cert, key) = leaf(request, issuer, old_pair("tls.crt", "tls.key"), same, options, summary)?;
            let data = BTreeMap::from([
                ("tls.crt".to_string(), text(&cert)),
                ("tls.key".to_string(), text(&key)),
                ("ca.crt".to_string(), text(&issuer.cert_pem)),
            ]);
            (data, Some(digest))
        }
        Content::OrgMsp => {
            let data = BTreeMap::from([
                ("cacert.pem".to_string(), text(&identity.cert_pem)),
                ("tlscacert.pem".to_string(), text(&tls.cert_pem)),
                ("config.yaml".to_string(), text(&plan::node_ou_config())),
            ]);
            (data, None)
        }
        Content::Login { username } => {
            let kept = old.and_then(|s| Some((s.data.get("username")?.clone(), s.data.get("password")?.clone())));
            let (user, password) = match kept {
                Some((user, password)) if !password.is_empty() => {
                    summary.kept += 1;
                    (user, password)
                }
                _ => {
                    summary.created += 1;
                    (text(username), text(&x509::random_password()?))
                }
            };
            (BTreeMap::from([("password".to_string(), password), ("username".to_string(), user)]), None)
        }
    })
}

fn secret_object(network: &Network, secret: &SecretPlan, data: SecretData, request: Option<String>) -> Object {
    let string = |s: &str| Value::String(s.to_string());
    let mut labels = Mapping::new();
    for (k, v) in &network.labels {
        labels.insert(string(k), string(v));
    }
    labels.insert(string("app.kubernetes.io/component"), string("crypto"));
    labels.insert(string("fabgen.io/org"), string(&secret.org));
    let mut metadata = Mapping::new();
    metadata.insert(string("name"), string(&secret.name));
    metadata.insert(string("namespace"), string(&network.namespace));
    metadata.insert(string("labels"), Value::Mapping(labels));
    if let Some(request) = request {
        let mut annotations = Mapping::new();
        annotations.insert(string(REQUEST_ANNOTATION), string(&request));
        metadata.insert(string("annotations"), Value::Mapping(annotations));
    }
    let kind = match secret.content {
        Content::Tls(..) => "kubernetes.io/tls",
        _ => "Opaque",
    };
    let mut encoded = Mapping::new();
    for (key, bytes) in &data {
        encoded.insert(string(key), string(&base64::engine::general_purpose::STANDARD.encode(bytes)));
    }
    let mut value = Mapping::new();
    value.insert(string("apiVersion"), string("v1"));
    value.insert(string("kind"), string("Secret"));
    value.insert(string("metadata"), Value::Mapping(metadata));
    value.insert(string("type"), string(kind));
    value.insert(string("data"), Value::Mapping(encoded));
    Object {
        api_version: "v1".into(),
        kind: "Secret".into(),
        name: secret.name.clone(),
        namespace: Some(network.namespace.clone()),
        value: Value::Mapping(value),
        origin: format!("fabgen crypto for {}", secret.org),
    }
}
