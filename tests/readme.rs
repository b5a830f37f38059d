//! The README promises stay true: its commands are the ones CI runs, its spec reference
//! covers every field of the schema.

mod common;

fn readme() -> String {
    std::fs::read_to_string(common::root().join("README.md")).unwrap()
}

#[test]
fn ci_runs_the_test_command_the_readme_documents() {
    let readme = readme();
    assert!(readme.contains("bash scripts/test.sh                         # every test"));
    let ci = std::fs::read_to_string(common::root().join(".ci/run")).unwrap();
    assert!(ci.lines().any(|l| l.trim() == "exec bash scripts/test.sh"), "{ci}");
}

fn collect_fields(schema: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    match schema {
        serde_json::Value::Object(map) => {
            if let Some(props) = map.get("properties").and_then(|p| p.as_object()) {
                out.extend(props.keys().cloned());
            }
            map.values().for_each(|v| collect_fields(v, out));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_fields(v, out)),
        _ => {}
    }
}

#[test]
fn spec_reference_mentions_every_field() {
    let readme = readme();
    let mut fields = std::collections::BTreeSet::new();
    collect_fields(&fabgen::spec::json_schema(), &mut fields);
    assert!(fields.len() > 30);
    let missing: Vec<&String> = fields.iter().filter(|f| !readme.contains(f.as_str())).collect();
    assert!(missing.is_empty(), "README spec reference lacks {missing:?}");
}
