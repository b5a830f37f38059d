//! The template set: files embedded from `templates/` at build time, optionally overridden by
//! relative path from a user directory, and the minijinja environment that renders them.
//!
//! Two kinds of files live there. Templates (`*.yaml`) are rendered with strict undefined
//! behaviour and JSON auto-escaping: every `{{ value }}` becomes a JSON literal, which is
//! also a correctly quoted YAML scalar, so no spec value can break or inject YAML. Assets
//! (everything under `builder/` and `jobs/`: the builder's and the Jobs' shell scripts) are never parsed as
//! templates — shell's `${#x}` would read as a template comment — and reach templates
//! verbatim through the `asset(name)` function.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_templates.rs"));
}

/// Directory prefixes of files that are assets, not templates: the builder's and the Jobs'
/// shell scripts.
const ASSET_PREFIXES: &[&str] = &["builder/", "jobs/"];

fn is_asset(name: &str) -> bool {
    ASSET_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// All template and asset sources by relative path.
#[derive(Debug, Clone)]
pub struct TemplateSet {
    files: BTreeMap<String, String>,
}

impl TemplateSet {
    /// The templates built into the binary.
    pub fn embedded() -> Self {
        TemplateSet {
            files: embedded::EMBEDDED.iter().map(|(name, text)| (name.to_string(), text.to_string())).collect(),
        }
    }

    /// The embedded templates with every file under `dir` replacing the one at the same
    /// relative path. A file with no embedded counterpart is an error (likely a typo).
    pub fn with_overrides(dir: &Path) -> Result<Self> {
        let mut set = Self::embedded();
        if !dir.is_dir() {
            bail!("template directory '{}' does not exist", dir.display());
        }
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.with_context(|| format!("failed to read template directory '{}'", dir.display()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(dir).expect("walkdir yields paths under dir");
            let name = rel.to_string_lossy().replace('\\', "/");
            if !set.files.contains_key(&name) {
                let known: Vec<&str> = set.files.keys().map(String::as_str).collect();
                bail!(
                    "'{}' overrides no template: '{name}' is not one of {}",
                    entry.path().display(),
                    known.join(", ")
                );
            }
            let text = std::fs::read_to_string(entry.path())
                .with_context(|| format!("failed to read template '{}'", entry.path().display()))?;
            set.files.insert(name, text);
        }
        Ok(set)
    }

    /// Relative paths of every file, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Source of one file.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(String::as_str)
    }

    /// A minijinja environment with every template compiled and `asset()` available.
    pub fn environment(&self) -> Result<Environment<'static>> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_formatter(super::long_text::formatter);
        env.set_auto_escape_callback(|name| if name.ends_with(".yaml") { AutoEscape::Json } else { AutoEscape::None });
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .keep_trailing_newline(true)
                .build()
                .expect("default delimiters are valid"),
        );
        let assets: Arc<BTreeMap<String, String>> =
            Arc::new(self.files.iter().filter(|(n, _)| is_asset(n)).map(|(n, t)| (n.clone(), t.clone())).collect());
        env.add_function("asset", move |name: &str| -> Result<String, minijinja::Error> {
            assets.get(name).cloned().ok_or_else(|| {
                minijinja::Error::new(minijinja::ErrorKind::TemplateNotFound, format!("no asset named '{name}'"))
            })
        });
        for (name, text) in &self.files {
            if is_asset(name) {
                continue;
            }
            env.add_template_owned(name.clone(), text.clone())
                .map_err(|e| anyhow::anyhow!("{}", describe_template_error(&e)))
                .with_context(|| format!("template '{name}' does not compile"))?;
        }
        Ok(env)
    }
}

/// A template error with minijinja's debug info (template name, line, the source around it
/// with the failing expression marked) and its causes.
pub fn describe_template_error(err: &minijinja::Error) -> String {
    let mut out = format!("{err:#}");
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        out.push_str(&format!("\ncaused by: {s}"));
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embeds_templates_and_builder_assets() {
        let set = TemplateSet::embedded();
        let names: Vec<&str> = set.names().collect();
        for expected in
            ["peer.yaml", "builder/bin/detect", "builder/bin/build", "builder/bin/release", "peer/core.yaml"]
        {
            assert!(names.contains(&expected), "{expected} missing from {names:?}");
        }
        set.environment().expect("embedded templates compile");
    }

    #[test]
    fn override_directory_replaces_by_relative_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("namespace.yaml"), "overridden: {{ network.name }}\n").unwrap();
        let set = TemplateSet::with_overrides(dir.path()).unwrap();
        assert_eq!(set.get("namespace.yaml"), Some("overridden: {{ network.name }}\n"));
    }

    #[test]
    fn override_of_unknown_template_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("peers.yaml"), "x").unwrap();
        let err = TemplateSet::with_overrides(dir.path()).unwrap_err().to_string();
        assert!(err.contains("'peers.yaml' is not one of"), "{err}");
    }

    #[test]
    fn values_are_json_escaped_in_yaml_templates() {
        let mut env = TemplateSet::embedded().environment().unwrap();
        env.add_template("t.yaml", "v: {{ s }}\nn: {{ n }}").unwrap();
        let out = env.get_template("t.yaml").unwrap().render(minijinja::context! { s => "a: b\nc", n => 3 }).unwrap();
        assert_eq!(out, "v: \"a: b\\nc\"\nn: 3");
    }

    #[test]
    fn undefined_values_are_errors() {
        let mut env = TemplateSet::embedded().environment().unwrap();
        env.add_template("t.yaml", "v: {{ missing.field }}").unwrap();
        assert!(env.get_template("t.yaml").unwrap().render(minijinja::context! {}).is_err());
    }
}
