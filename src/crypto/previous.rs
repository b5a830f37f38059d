//! What `fabgen crypto` wrote last time into its output directory, read back so a re-run keeps
//! CAs, keys, certificates and passwords: the Secret manifests (`secret-*.yaml`) and the CA
//! files under `authorities/`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use base64::Engine;

/// Annotation holding a digest of what a Secret was made from (subject, names, usages, CA),
/// so a re-run knows whether the certificate still fits.
pub const REQUEST_ANNOTATION: &str = "fabgen.io/crypto-request";

/// Directory (inside the output) with the CA certificates and keys. Its files end in `.pem`,
/// so `kubectl apply -f` never sends them to the cluster.
pub const AUTHORITIES_DIR: &str = "authorities";

/// One Secret as written before.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreviousSecret {
    /// The request digest annotation, if any.
    pub request: Option<String>,
    /// Decoded `data`.
    pub data: BTreeMap<String, Vec<u8>>,
}

/// Everything read back; empty when there was nothing.
#[derive(Debug, Clone, Default)]
pub struct Previous {
    secrets: BTreeMap<String, PreviousSecret>,
    /// `(org, stem)` -> (certificate PEM, key PEM).
    authorities: BTreeMap<(String, String), (String, String)>,
}

impl Previous {
    /// Reads `dir` if it exists. Files that are not fabgen's Secrets are ignored; a Secret
    /// manifest that does not parse is an error (it would otherwise be silently replaced).
    pub fn read(dir: &Path) -> Result<Self> {
        let mut out = Previous::default();
        if !dir.is_dir() {
            return Ok(out);
        }
        let entries = std::fs::read_dir(dir).with_context(|| format!("failed to read '{}'", dir.display()))?;
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let file = path.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
            if !(file.starts_with("secret-") && file.ends_with(".yaml")) {
                continue;
            }
            let text =
                std::fs::read_to_string(&path).with_context(|| format!("failed to read '{}'", path.display()))?;
            let (name, secret) =
                parse_secret(&text).with_context(|| format!("failed to read '{}' back", path.display()))?;
            out.secrets.insert(name, secret);
        }
        let authorities = dir.join(AUTHORITIES_DIR);
        if authorities.is_dir() {
            for entry in walkdir::WalkDir::new(&authorities).min_depth(2).max_depth(2).sort_by_file_name() {
                let entry = entry.with_context(|| format!("failed to read '{}'", authorities.display()))?;
                let path = entry.path();
                let Some(stem) = path.file_name().and_then(|f| f.to_str()).and_then(|f| f.strip_suffix(".pem")) else {
                    continue;
                };
                if stem.ends_with("-key") {
                    continue;
                }
                let org = path.parent().and_then(|p| p.file_name()).map(|o| o.to_string_lossy().to_string());
                let key_path = path.with_file_name(format!("{stem}-key.pem"));
                let read =
                    |p: &Path| std::fs::read_to_string(p).with_context(|| format!("failed to read '{}'", p.display()));
                if !key_path.is_file() {
                    bail!("'{}' has no key beside it ('{}')", path.display(), key_path.display());
                }
                out.authorities.insert((org.unwrap_or_default(), stem.to_string()), (read(path)?, read(&key_path)?));
            }
        }
        Ok(out)
    }

    /// A Secret written before, by name.
    pub fn secret(&self, name: &str) -> Option<&PreviousSecret> {
        self.secrets.get(name)
    }

    /// A CA written before: (certificate, key).
    pub fn authority(&self, org: &str, stem: &str) -> Option<(&str, &str)> {
        self.authorities.get(&(org.to_string(), stem.to_string())).map(|(c, k)| (c.as_str(), k.as_str()))
    }
}

fn parse_secret(text: &str) -> Result<(String, PreviousSecret)> {
    let value: serde_yaml::Value = serde_yaml::from_str(text).context("not YAML")?;
    if value["kind"].as_str() != Some("Secret") {
        bail!("not a Secret");
    }
    let name = value["metadata"]["name"].as_str().context("the Secret has no name")?.to_string();
    let request = value["metadata"]["annotations"][REQUEST_ANNOTATION].as_str().map(str::to_string);
    let mut data = BTreeMap::new();
    if let Some(map) = value["data"].as_mapping() {
        for (key, encoded) in map {
            let key = key.as_str().context("a data key is not a string")?;
            let encoded = encoded.as_str().with_context(|| format!("data.{key} is not a string"))?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .with_context(|| format!("data.{key} is not base64"))?;
            data.insert(key.to_string(), bytes);
        }
    }
    Ok((name, PreviousSecret { request, data }))
}
