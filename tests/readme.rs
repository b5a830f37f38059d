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

/// The README's pictures and error report are what fabgen prints today.
#[test]
fn readme_examples_are_current_output() {
    let readme = readme();
    let network = common::generate(&common::root().join("values/k8scc.yaml")).network;
    let mermaid = fabgen::output::graph::mermaid(&fabgen::model::topology::of(&network));
    assert!(readme.contains(&format!("```mermaid\n{mermaid}```\n")), "README's graph of values/k8scc.yaml is stale");

    let fixture = common::root().join("tests/fixtures/err_unknown_references.yaml");
    let o = common::fabgen().args(["validate", fixture.to_str().unwrap()]).output().unwrap();
    let report = String::from_utf8(o.stderr).unwrap().replace(fixture.to_str().unwrap(), "network.yaml");
    assert!(readme.contains(&format!("```\n{report}```\n")), "README's error report is stale:\n{report}");
}
