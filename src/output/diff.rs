//! `fabgen diff`: what writing a tree would change in a directory, as a unified diff, for CI
//! checks that a GitOps repository holds exactly what its spec renders.
//!
//! Compares the files a command would write (relative path -> bytes) with the files under the
//! directory that fabgen wrote there (its marker lists them; files others put there are kept by
//! a re-render, so they are no drift): files only rendered are added, files only on disk are
//! removed (a re-render would drop them), others differ or not.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::write::{owned_files, tree_files};

/// What would change.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drift {
    /// Files the render has and the directory lacks.
    pub added: Vec<String>,
    /// Files the directory has and the render would not write.
    pub removed: Vec<String>,
    /// Files whose contents differ.
    pub changed: Vec<String>,
    /// The unified diff of all of them, `a/` the directory and `b/` the render.
    pub patch: String,
}

impl Drift {
    /// Whether the directory holds exactly what would be written.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// One line: how many files would be added, removed and changed.
    pub fn summary(&self) -> String {
        format!("{} added, {} removed, {} changed", self.added.len(), self.removed.len(), self.changed.len())
    }
}

/// Compares `files` with the tree at `dir` (which need not exist).
pub fn diff(files: &BTreeMap<String, Vec<u8>>, dir: &Path) -> Result<Drift> {
    let on_disk = read_tree(dir)?;
    let paths: BTreeSet<&String> = files.keys().chain(on_disk.keys()).collect();
    let mut drift = Drift::default();
    for path in paths {
        let (old, new) = (on_disk.get(path), files.get(path));
        if old == new {
            continue;
        }
        match (old, new) {
            (None, Some(_)) => drift.added.push(path.clone()),
            (Some(_), None) => drift.removed.push(path.clone()),
            _ => drift.changed.push(path.clone()),
        }
        drift.patch.push_str(&patch(path, old.map(Vec::as_slice), new.map(Vec::as_slice)));
    }
    Ok(drift)
}

/// Every file fabgen wrote under `dir` (all but the marker, for a tree whose marker lists
/// none), by relative path; nothing when `dir` does not exist.
fn read_tree(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return Ok(files);
    }
    let owned = owned_files(dir)?;
    for rel in tree_files(dir)? {
        if owned.as_ref().is_some_and(|owned| !owned.contains(&rel)) {
            continue;
        }
        let path = dir.join(&rel);
        let bytes = std::fs::read(&path).with_context(|| format!("failed to read '{}'", path.display()))?;
        files.insert(rel, bytes);
    }
    Ok(files)
}

/// The unified diff of one file (`/dev/null` for a side that has none).
fn patch(path: &str, old: Option<&[u8]>, new: Option<&[u8]>) -> String {
    let old_text = old.map(String::from_utf8_lossy).unwrap_or_default();
    let new_text = new.map(String::from_utf8_lossy).unwrap_or_default();
    let old_name = if old.is_some() { format!("a/{path}") } else { "/dev/null".to_string() };
    let new_name = if new.is_some() { format!("b/{path}") } else { "/dev/null".to_string() };
    let diff = similar::TextDiff::from_lines(old_text.as_ref(), new_text.as_ref());
    let mut out = String::new();
    let _ = write!(
        out,
        "{}",
        diff.unified_diff().context_radius(3).header(&old_name, &new_name).missing_newline_hint(true)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.as_bytes().to_vec())).collect()
    }

    #[test]
    fn reports_added_removed_and_changed_files_as_a_unified_diff() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("deploy");
        crate::output::write_tree(&dest, &files(&[("a.yaml", "x: 1\ny: 2\n"), ("gone.yaml", "g\n")])).unwrap();
        let drift = diff(&files(&[("a.yaml", "x: 1\ny: 3\n"), ("new.yaml", "n\n")]), &dest).unwrap();
        assert_eq!(drift.added, ["new.yaml"]);
        assert_eq!(drift.removed, ["gone.yaml"]);
        assert_eq!(drift.changed, ["a.yaml"]);
        assert!(
            drift.patch.contains("--- a/a.yaml\n+++ b/a.yaml\n@@ -1,2 +1,2 @@\n x: 1\n-y: 2\n+y: 3\n"),
            "{}",
            drift.patch
        );
        assert!(drift.patch.contains("--- /dev/null\n+++ b/new.yaml\n"), "{}", drift.patch);
        assert!(drift.patch.contains("--- a/gone.yaml\n+++ /dev/null\n"), "{}", drift.patch);
        assert_eq!(drift.summary(), "1 added, 1 removed, 1 changed");
    }

    #[test]
    fn the_same_tree_has_no_drift_and_the_marker_is_not_content() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("deploy");
        let tree = files(&[("a.yaml", "a\n"), ("sub/b.yaml", "b\n")]);
        crate::output::write_tree(&dest, &tree).unwrap();
        let drift = diff(&tree, &dest).unwrap();
        assert!(drift.is_empty() && drift.patch.is_empty(), "{drift:?}");
        let missing = diff(&tree, &dir.path().join("nothing-here")).unwrap();
        assert_eq!(missing.added, ["a.yaml", "sub/b.yaml"]);
    }
}
