//! The invariants ARCHITECTURE.md states, checked on the source itself: stages import only
//! earlier stages, modules within a stage form no circle, templates see the model only,
//! rendering does no IO and only the writer writes.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The stages in pipeline order; a stage may use itself and the ones before it.
const STAGES: &[&str] = &["spec", "model", "render", "check", "crypto", "output"];

/// A source file of a stage, without its `#[cfg(test)]` part (tests may reach anywhere).
struct SourceFile {
    stage: String,
    /// Module name within the stage (`mod` for the stage's mod.rs).
    module: String,
    path: String,
    code: String,
}

fn stage_files() -> Vec<SourceFile> {
    let src = common::root().join("src");
    let mut out = Vec::new();
    for stage in STAGES {
        let dir = src.join(stage);
        assert!(dir.join("mod.rs").is_file(), "stage {stage} has no mod.rs");
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.path().extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let code = match text.find("#[cfg(test)]") {
                Some(i) => text[..i].to_string(),
                None => text,
            };
            let code: String =
                code.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
            let module = entry.path().file_stem().unwrap().to_string_lossy().to_string();
            out.push(SourceFile {
                stage: stage.to_string(),
                module,
                path: entry.path().strip_prefix(common::root()).unwrap().display().to_string(),
                code,
            });
        }
    }
    out
}

/// The first path segments after each occurrence of `prefix` (`prefix{a, b::c}` gives a, b).
fn segments_after(code: &str, prefix: &str) -> Vec<String> {
    let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    let mut out = Vec::new();
    for (i, _) in code.match_indices(prefix) {
        // `super::` inside `crate::x::super::` does not occur; skip identifiers that merely end so.
        if i > 0 && code[..i].chars().last().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[i + prefix.len()..];
        if let Some(list) = rest.strip_prefix('{') {
            let inner = &list[..list.find('}').unwrap_or(list.len())];
            out.extend(inner.split(',').map(|s| ident(s.trim())).filter(|s| !s.is_empty()));
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                out.push(name);
            }
        }
    }
    out
}

#[test]
fn stages_use_only_earlier_stages() {
    let mut violations = Vec::new();
    for file in stage_files() {
        let own = STAGES.iter().position(|s| *s == file.stage).unwrap();
        for target in segments_after(&file.code, "crate::") {
            match STAGES.iter().position(|s| *s == target) {
                Some(rank) if rank <= own => {}
                Some(_) => violations.push(format!("{} uses the later stage `{target}`", file.path)),
                // `crate::generate` and friends compose the stages; a stage must not call back.
                None => violations.push(format!("{} uses `crate::{target}`, which is no stage", file.path)),
            }
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn modules_within_a_stage_form_no_circle() {
    let files = stage_files();
    for stage in STAGES {
        let modules: BTreeSet<String> = files.iter().filter(|f| f.stage == *stage).map(|f| f.module.clone()).collect();
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for file in files.iter().filter(|f| f.stage == *stage) {
            let mut targets = segments_after(&file.code, "super::");
            targets.extend(segments_after(&file.code, "self::"));
            targets.extend(segments_after(&file.code, &format!("crate::{stage}::")));
            let from = edges.entry(file.module.clone()).or_default();
            for target in targets {
                // A name that is no module is an item re-exported by the stage's mod.rs.
                let to = if modules.contains(&target) { target } else { "mod".to_string() };
                if to != file.module {
                    from.insert(to);
                }
            }
        }
        // Depth-first search for a back edge.
        fn visit(
            node: &str,
            edges: &BTreeMap<String, BTreeSet<String>>,
            path: &mut Vec<String>,
            done: &mut BTreeSet<String>,
        ) -> Option<Vec<String>> {
            if let Some(i) = path.iter().position(|p| p == node) {
                let mut cycle = path[i..].to_vec();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            if done.contains(node) {
                return None;
            }
            path.push(node.to_string());
            for next in edges.get(node).into_iter().flatten() {
                if let Some(cycle) = visit(next, edges, path, done) {
                    return Some(cycle);
                }
            }
            path.pop();
            done.insert(node.to_string());
            None
        }
        let mut done = BTreeSet::new();
        for module in &modules {
            if let Some(cycle) = visit(module, &edges, &mut Vec::new(), &mut done) {
                panic!("stage {stage} has an import circle: {}", cycle.join(" -> "));
            }
        }
    }
}

#[test]
fn templates_see_the_model_only() {
    for file in stage_files().iter().filter(|f| f.stage == "render") {
        assert!(!segments_after(&file.code, "crate::").contains(&"spec".to_string()), "{} reads the spec", file.path);
    }
}

/// Calls that change the disk.
const WRITES: &[&str] = &[
    "fs::write",
    "File::create",
    "OpenOptions",
    "create_dir",
    "fs::rename",
    "remove_dir",
    "remove_file",
    "set_permissions",
    "fs::copy",
];

#[test]
fn only_the_writer_writes_and_rendering_does_no_io() {
    let mut all = stage_files();
    // The crate root and the binary: src/lib.rs, src/main.rs, src/cli.rs and src/cli/*.
    let mut binary = vec!["src/lib.rs".to_string(), "src/cli.rs".to_string(), "src/main.rs".to_string()];
    for entry in std::fs::read_dir(common::root().join("src/cli")).unwrap() {
        binary.push(format!("src/cli/{}", entry.unwrap().file_name().to_string_lossy()));
    }
    assert!(binary.len() > 3, "the binary's channel commands live in src/cli/");
    for extra in binary {
        let code = std::fs::read_to_string(common::root().join(&extra)).unwrap();
        all.push(SourceFile { stage: String::new(), module: String::new(), path: extra, code });
    }
    for file in &all {
        if file.path == Path::new("src/output/write.rs").display().to_string() {
            assert!(file.code.contains("fs::rename"), "the writer swaps trees in by renaming");
            continue;
        }
        for call in WRITES {
            assert!(!file.code.contains(call), "{} writes to the disk ({call})", file.path);
        }
    }
    // Rendering is pure: templates are loaded (and overrides read) before it starts.
    for file in all.iter().filter(|f| f.stage == "render" && f.module != "templates") {
        for io in ["std::fs", "fs::", "std::io", "std::env", "std::process"] {
            assert!(!file.code.contains(io), "{} does IO ({io})", file.path);
        }
    }
}
