//! What fabgen wrote to an output directory before, as far as the next render must know it:
//! the chaincode definitions recorded on the lifecycle Jobs (`model::lifecycle`), so a
//! changed definition that keeps its sequence is refused before anything is replaced, and the
//! channels recorded on the configtx ConfigMap (`model::channel_record`), so `diff` can say what
//! a change asks of the running channels. Each
//! Job records the definition with its own org's package ID; a chaincode's definition is the
//! first Job's with the package IDs of all its Jobs.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::write::MARKER;
use crate::model::channel_record::{CHANNELS_ANNOTATION, ChannelRecord};
use crate::model::lifecycle::{DEFINITION_ANNOTATION, Definition};

/// What an earlier render recorded in its output directory.
#[derive(Debug, Default)]
pub struct Recorded {
    /// Chaincode definitions by chaincode name.
    pub definitions: BTreeMap<String, Definition>,
    /// The channels (empty when the tree had none, or was written before they were recorded).
    pub channels: Vec<ChannelRecord>,
}

/// Reads what `dir` (a `render -o` tree or a chart) recorded, in one pass over its files;
/// nothing when `dir` does not exist or is not fabgen's.
pub fn recorded(dir: &Path) -> Result<Recorded> {
    let mut found = Recorded::default();
    for (path, key, json) in annotations(dir, &[DEFINITION_ANNOTATION, CHANNELS_ANNOTATION])? {
        let unreadable = || format!("'{}': unreadable {key}", path.display());
        if key == CHANNELS_ANNOTATION {
            found.channels = serde_json::from_str(&json).with_context(unreadable)?;
            continue;
        }
        let definition: Definition = serde_json::from_str(&json).with_context(unreadable)?;
        // Each Job records its own org's package ID: the chaincode's are all of them.
        match found.definitions.entry(definition.name.clone()) {
            Entry::Vacant(slot) => {
                slot.insert(definition);
            }
            Entry::Occupied(mut slot) => slot.get_mut().package_ids.extend(definition.package_ids),
        }
    }
    Ok(found)
}

/// The definitions recorded in `dir`, by chaincode name ([`recorded`]).
pub fn definitions(dir: &Path) -> Result<BTreeMap<String, Definition>> {
    Ok(recorded(dir)?.definitions)
}

/// The channels recorded in `dir` ([`recorded`]).
pub fn channels(dir: &Path) -> Result<Vec<ChannelRecord>> {
    Ok(recorded(dir)?.channels)
}

/// Every value of the annotations `keys` on the objects of `dir`, with the file and the key.
fn annotations<'k>(dir: &Path, keys: &[&'k str]) -> Result<Vec<(PathBuf, &'k str, String)>> {
    let mut found = Vec::new();
    if !dir.join(MARKER).is_file() {
        return Ok(found);
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("failed to read '{}'", dir.display()))?;
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let text = std::fs::read_to_string(path).with_context(|| format!("failed to read '{}'", path.display()))?;
        for key in keys.iter().filter(|k| text.contains(**k)) {
            for line in text.lines().filter(|l| l.contains(key)) {
                let value =
                    annotation_of_line(line, key).with_context(|| format!("'{}': unreadable {key}", path.display()))?;
                found.push((path.to_path_buf(), *key, value));
            }
        }
    }
    Ok(found)
}

/// The value of annotation `key` on one line of a manifest or a chart template.
fn annotation_of_line(line: &str, key: &str) -> Result<String> {
    match line.split_once("fromJson ") {
        // A chart template: the annotations are a JSON string literal that Helm merges with
        // the chart's common annotations.
        Some((_, literal)) => {
            let annotations: String =
                serde_json::Deserializer::from_str(literal).into_iter::<String>().next().context("no literal")??;
            let annotations: BTreeMap<String, String> = serde_json::from_str(&annotations)?;
            annotations.get(key).cloned().context("not among the annotations")
        }
        // A manifest: `<key>: "<JSON>"`.
        None => {
            let value = line.trim().strip_prefix(key).and_then(|v| v.strip_prefix(':')).context("not a key")?;
            Ok(serde_yaml::from_str(value.trim())?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lifecycle::Definition;

    fn job(org: &str, package: Option<&str>) -> String {
        let definition = Definition {
            channel: "ch".into(),
            name: "basic".into(),
            version: "1.0".into(),
            sequence: 1,
            init_required: false,
            signature_policy: None,
            channel_config_policy: None,
            collections: None,
            package_ids: package.map(|p| (org.to_string(), p.to_string())).into_iter().collect(),
        };
        let json = serde_json::to_string(&definition).unwrap();
        let mut annotations = serde_yaml::Mapping::new();
        annotations.insert(DEFINITION_ANNOTATION.into(), json.into());
        let mut metadata = serde_yaml::Mapping::new();
        metadata.insert("name".into(), format!("job-{org}").into());
        metadata.insert("annotations".into(), annotations.into());
        let mut job = serde_yaml::Mapping::new();
        job.insert("kind".into(), "Job".into());
        job.insert("metadata".into(), metadata.into());
        serde_yaml::to_string(&job).unwrap()
    }

    #[test]
    fn joins_the_package_ids_each_job_records_for_its_org() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MARKER), "generated\n").unwrap();
        std::fs::write(dir.path().join("job-a.yaml"), job("org1", Some("basic_1.0:aa"))).unwrap();
        std::fs::write(dir.path().join("job-b.yaml"), job("org2", None)).unwrap();
        std::fs::write(dir.path().join("job-c.yaml"), job("org3", Some("basic_1.0:cc"))).unwrap();
        let found = definitions(dir.path()).unwrap();
        assert_eq!(
            found["basic"].package_ids,
            BTreeMap::from([
                ("org1".to_string(), "basic_1.0:aa".to_string()),
                ("org3".to_string(), "basic_1.0:cc".to_string())
            ])
        );
    }

    #[test]
    fn reads_nothing_from_a_directory_fabgen_did_not_write() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("job-a.yaml"), job("org1", Some("basic_1.0:aa"))).unwrap();
        assert!(definitions(dir.path()).unwrap().is_empty());
    }
}
