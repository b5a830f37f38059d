//! What fabgen wrote to an output directory before, as far as the next render must know it:
//! the chaincode definitions recorded on the lifecycle Jobs (`model::lifecycle`), so a
//! changed definition that keeps its sequence is refused before anything is replaced.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};

use super::write::MARKER;
use crate::model::lifecycle::{DEFINITION_ANNOTATION, Definition};

/// The definitions recorded in `dir` (a `render -o` tree or a chart), by chaincode name; none
/// when `dir` does not exist or is not fabgen's.
pub fn definitions(dir: &Path) -> Result<BTreeMap<String, Definition>> {
    let mut found = BTreeMap::new();
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
        if !text.contains(DEFINITION_ANNOTATION) {
            continue;
        }
        let unreadable = || format!("'{}': unreadable {DEFINITION_ANNOTATION}", path.display());
        for line in text.lines().filter(|l| l.contains(DEFINITION_ANNOTATION)) {
            let json = match line.split_once("fromJson ") {
                // A chart template: the annotations are a JSON string literal that Helm merges
                // with the chart's common annotations.
                Some((_, literal)) => {
                    let annotations: String = serde_json::Deserializer::from_str(literal)
                        .into_iter::<String>()
                        .next()
                        .with_context(unreadable)?
                        .with_context(unreadable)?;
                    let annotations: BTreeMap<String, String> =
                        serde_json::from_str(&annotations).with_context(unreadable)?;
                    annotations.get(DEFINITION_ANNOTATION).cloned().with_context(unreadable)?
                }
                // A manifest: `fabgen.io/chaincode-definition: "<JSON>"`.
                None => {
                    let value = line.trim().strip_prefix(DEFINITION_ANNOTATION).and_then(|v| v.strip_prefix(':'));
                    serde_yaml::from_str(value.with_context(unreadable)?.trim()).with_context(unreadable)?
                }
            };
            let definition: Definition = serde_json::from_str(&json).with_context(unreadable)?;
            found.entry(definition.name.clone()).or_insert(definition);
        }
    }
    Ok(found)
}
