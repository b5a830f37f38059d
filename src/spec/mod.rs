//! Stage 1, the spec: what the user wrote, read and checked.
//!
//! Owns the spec types (`types`), where each node stands in the file (`source_map`), the JSON
//! Schema (`schema`), the problems found and how they print (`diagnostic`), the rules a schema
//! cannot express (`validate`), and the Kubernetes names the spec's names become (`names`), so
//! validation checks exactly the names rendering uses.
//!
//! Hands to the next stage (`crate::model`) a [`NetworkSpec`] that is known to be valid, or
//! [`SpecErrors`] listing every problem with its `file:line:col`. Nothing here derives or
//! renders anything; the only disk access is reading the spec file.

pub mod diagnostic;
pub mod explain;
pub mod init;
pub mod names;
pub mod policy_dsl;
pub mod quantity;
pub mod release;
pub mod schema;
pub mod source_map;
pub mod types;
pub mod validate;

use std::path::Path;

use anyhow::{Context, Result};

pub use self::diagnostic::{Diagnostic, SpecErrors};
pub use self::schema::json_schema;
pub use self::types::*;

/// The example network used when no spec is given (seed 004's tutorial network).
pub const EMBEDDED_EXAMPLE: &str = include_str!("../../values/tutorial.yaml");
/// How the embedded example is named in messages.
pub const EMBEDDED_EXAMPLE_NAME: &str = "<embedded>/values/tutorial.yaml";

/// A spec's text and the name it is reported under.
#[derive(Debug, Clone)]
pub struct SpecSource {
    /// Path as given, or the embedded example's name.
    pub name: String,
    /// YAML text.
    pub text: String,
}

impl SpecSource {
    /// Reads a spec file.
    pub fn read(path: &Path) -> Result<Self> {
        let size = std::fs::metadata(path).with_context(|| format!("failed to read spec '{}'", path.display()))?.len();
        check_size(&path.display().to_string(), size)?;
        let text =
            std::fs::read_to_string(path).with_context(|| format!("failed to read spec '{}'", path.display()))?;
        Ok(SpecSource { name: path.display().to_string(), text })
    }

    /// The embedded example network.
    pub fn embedded() -> Self {
        SpecSource { name: EMBEDDED_EXAMPLE_NAME.to_string(), text: EMBEDDED_EXAMPLE.to_string() }
    }

    /// The spec file at `path`, or the embedded example when there is none.
    pub fn read_or_embedded(path: Option<&Path>) -> Result<Self> {
        match path {
            Some(path) => Self::read(path),
            None => Ok(Self::embedded()),
        }
    }

    /// Parses and validates the spec, reporting every problem at once.
    pub fn load(&self) -> Result<NetworkSpec> {
        Ok(load_spec(&self.name, &self.text)?)
    }

    /// Problems found after validation (e.g. against an earlier output), located in this
    /// spec's text like validation's own.
    pub fn errors(&self, diagnostics: Vec<Diagnostic>) -> SpecErrors {
        SpecErrors::new(&self.name, &self.text, &source_map::SourceMap::from_yaml(&self.text), diagnostics)
    }
}

/// The largest spec fabgen reads: a 1000-org network's spec is about 110 KB.
pub const MAX_SPEC_BYTES: u64 = 16 * 1024 * 1024;

fn check_size(file: &str, size: u64) -> Result<(), SpecErrors> {
    if size > MAX_SPEC_BYTES {
        // Not read, so not quoted.
        return Err(SpecErrors::at(
            file,
            "",
            source_map::Position { line: 1, col: 1 },
            format!("the spec is {size} bytes; fabgen reads specs of at most {MAX_SPEC_BYTES} bytes (16 MiB)"),
        ));
    }
    Ok(())
}

/// Parses, schema-checks and semantically validates a spec. `file` names it in messages.
pub fn load_spec(file: &str, text: &str) -> Result<NetworkSpec, SpecErrors> {
    check_size(file, text.len() as u64)?;
    let value: serde_json::Value = serde_yaml::from_str(text).map_err(|e| {
        let pos = e
            .location()
            .map(|l| source_map::Position { line: l.line(), col: l.column() })
            .unwrap_or(source_map::Position { line: 1, col: 1 });
        // serde_yaml's own limits, said plainly.
        let hint = match e.to_string() {
            m if m.contains("repetition limit exceeded") => {
                " (its aliases expand to more nodes than fabgen reads: a spec needs no alias that repeats others many times)"
            }
            m if m.contains("recursion limit exceeded") => " (it nests deeper than the 128 levels fabgen reads)",
            _ => "",
        };
        SpecErrors::at(file, text, pos, format!("invalid YAML: {e}{hint}"))
    })?;
    let map = source_map::SourceMap::from_yaml(text);

    let schema = json_schema();
    let mut diagnostics = duplicate_keys(&map);
    diagnostics.extend(schema::diagnostics(&schema, &value));
    if !diagnostics.is_empty() {
        return Err(SpecErrors::new(file, text, &map, diagnostics));
    }
    let mut spec: NetworkSpec = serde_json::from_value(value)
        .map_err(|e| SpecErrors::new(file, text, &map, vec![Diagnostic::at("", e.to_string())]))?;
    spec.base_dir = (!file.starts_with('<')).then(|| {
        let parent = Path::new(file).parent().unwrap_or(Path::new(""));
        if parent.as_os_str().is_empty() { Path::new(".").to_path_buf() } else { parent.to_path_buf() }
    });
    let diagnostics = validate::validate(&spec, spec.base_dir.as_deref());
    if diagnostics.is_empty() { Ok(spec) } else { Err(SpecErrors::new(file, text, &map, diagnostics)) }
}

/// Every key written twice in one mapping: one of the two would be dropped without a word.
fn duplicate_keys(map: &source_map::SourceMap) -> Vec<Diagnostic> {
    map.duplicates()
        .iter()
        .map(|d| Diagnostic {
            path: d.path.clone(),
            message: format!(
                "duplicate key \"{}\" (first at line {}, column {}); YAML forbids repeated keys and the first would be silently dropped",
                d.key, d.first.line, d.first.col
            ),
            anchor: diagnostic::Anchor::At(d.again),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_duplicate_keys_with_both_positions_alongside_other_problems() {
        let text = "name: n\nnamespace: ns\nordererOrg: {name: o, mspId: O, orderers: [{name: o0}]}\norgs: []\nchaincodes: []\nnamespace: other\nchaincodes: []\nreplica: 2\n";
        let err = load_spec("n.yaml", text).unwrap_err();
        let lines = err.lines();
        assert_eq!(lines.len(), 3, "{err}");
        assert_eq!(
            lines[0],
            "n.yaml:6:1 namespace: duplicate key \"namespace\" (first at line 2, column 1); YAML forbids repeated keys and the first would be silently dropped"
        );
        assert_eq!(
            lines[1],
            "n.yaml:7:1 chaincodes: duplicate key \"chaincodes\" (first at line 5, column 1); YAML forbids repeated keys and the first would be silently dropped"
        );
        assert!(lines[2].starts_with("n.yaml:8:1 replica: unknown field \"replica\""), "{err}");
    }

    #[test]
    fn refuses_specs_beyond_the_limits_with_what_the_limit_is() {
        let big = format!("name: n\n# {}\n", "x".repeat(MAX_SPEC_BYTES as usize));
        let err = load_spec("big.yaml", &big).unwrap_err().to_string();
        assert!(err.contains("big.yaml:1:1 the spec is") && err.contains("at most 16777216 bytes"), "{err}");
        let mut bomb = vec!["a0: &a0 [x, x, x, x, x, x, x, x, x, x]".to_string()];
        for i in 1..10 {
            bomb.push(format!("a{i}: &a{i} [{}]", vec![format!("*a{}", i - 1); 10].join(", ")));
        }
        let err = load_spec("bomb.yaml", &bomb.join("\n")).unwrap_err().to_string();
        assert!(err.contains("repetition limit exceeded (its aliases expand"), "{err}");
        let deep = format!("name: {}{}\n", "[".repeat(300), "]".repeat(300));
        let err = load_spec("deep.yaml", &deep).unwrap_err().to_string();
        assert!(err.contains("deep.yaml:1:") && err.contains("deeper than the 128 levels"), "{err}");
    }

    #[test]
    fn reports_yaml_syntax_errors_with_position() {
        let err = load_spec("bad.yaml", "name: [unclosed\n").unwrap_err();
        assert!(err.lines()[0].starts_with("bad.yaml:"), "{}", err.lines()[0]);
        assert!(err.lines()[0].contains("invalid YAML"));
    }

    #[test]
    fn names_the_allowed_values_of_enums() {
        let text = "name: n\nnamespace: ns\nordererOrg: {name: o, mspId: O, orderers: [{name: o0}]}\norgs: []\nchaincodes: [{name: c, version: '1', channel: x, launcher: k8sbuilder}]\n";
        let err = load_spec("n.yaml", text).unwrap_err().to_string();
        assert!(
            err.contains("chaincodes[0].launcher: \"k8sbuilder\" is not one of: ccaas, k8scc, k8s-builder"),
            "{err}"
        );
    }

    #[test]
    fn reports_every_unknown_field_with_known_ones() {
        let text = "name: n\nnamespace: ns\nordererOrg: {name: o, mspId: O, orderers: [{name: o0}], colour: x}\norgs: []\nreplica: 2\n";
        let err = load_spec("n.yaml", text).unwrap_err();
        let all = err.to_string();
        assert!(all.contains("n.yaml:5:1 replica: unknown field \"replica\""), "{all}");
        assert!(
            all.contains(
                "ordererOrg.colour: unknown field \"colour\" (expected one of: cluster, consensus, mspId, name, namespace, orderers, storage)"
            ),
            "{all}"
        );
    }
}
