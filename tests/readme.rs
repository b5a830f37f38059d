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

/// The schema of one field, `$ref`s followed: `a.b[].c` walks properties and, for `[]`, items.
fn field_schema<'a>(root: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    let resolve = |mut node: &'a serde_json::Value| {
        while let Some(r) = node.get("$ref").and_then(|r| r.as_str()) {
            node = root.pointer(r.strip_prefix('#')?)?;
        }
        Some(node)
    };
    let mut node = root;
    for segment in path.split('.') {
        let (name, items) = match segment.strip_suffix("[]") {
            Some(name) => (name, true),
            None => (segment, false),
        };
        node = resolve(resolve(node)?.get("properties")?.get(name)?)?;
        if items {
            node = resolve(node.get("items")?)?;
        }
    }
    Some(node)
}

/// The rows of the README's spec table: the fields each names (`a.b`, `c` is `a.b` and `a.c`)
/// and its Default cell.
fn spec_table_rows(readme: &str) -> Vec<(Vec<String>, String)> {
    let section = readme.split("\n## The spec\n").nth(1).unwrap().split("\n## ").next().unwrap();
    let code = regex::Regex::new(r"`([^`]+)`").unwrap();
    let mut rows = Vec::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split(" | ").collect();
        let names: Vec<String> = code.captures_iter(cells[0]).map(|c| c[1].to_string()).collect();
        let first = &names[0];
        let parent = first.rsplit_once('.').map(|(p, _)| format!("{p}.")).unwrap_or_default();
        let fields = names.iter().map(|n| if n.contains('.') { n.clone() } else { format!("{parent}{n}") }).collect();
        rows.push((fields, cells[1].to_string()));
    }
    rows
}

/// The README's spec table names real fields, and every default it gives as one YAML literal is
/// a valid value of that field, equal to the schema's default where the schema has one (the
/// table once showed image objects as strings, which validation refuses).
#[test]
fn the_spec_tables_fields_exist_and_their_defaults_validate() {
    let schema = fabgen::spec::json_schema();
    let literal = regex::Regex::new(r"^`([^`<…]+)`$").unwrap();
    let (mut checked, mut rows) = (0, 0);
    for (fields, default) in spec_table_rows(&readme()) {
        rows += 1;
        let value = literal.captures(default.trim()).map(|c| serde_yaml::from_str::<serde_json::Value>(&c[1]).unwrap());
        for field in &fields {
            let field_schema =
                field_schema(&schema, field).unwrap_or_else(|| panic!("README names {field}, not in the schema"));
            let Some(value) = &value else { continue };
            let mut with_defs = field_schema.clone();
            with_defs["$defs"] = schema["$defs"].clone();
            let validator = jsonschema::validator_for(&with_defs).unwrap();
            let errors: Vec<String> = validator.iter_errors(value).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "README default of {field}, {default}: {errors:?}");
            let documented = field_schema.get("default").or_else(|| {
                let (parent, name) = field.rsplit_once('.')?;
                field_schema_default(&schema, parent, name)
            });
            if let Some(documented) = documented {
                assert_eq!(documented, value, "README default of {field}");
            }
            checked += 1;
        }
    }
    assert!(rows > 40 && checked > 25, "{rows} rows, {checked} defaults checked");
}

/// The default a parent's property declares for `name` (schemars puts it beside the `$ref`).
fn field_schema_default<'a>(schema: &'a serde_json::Value, parent: &str, name: &str) -> Option<&'a serde_json::Value> {
    let parent = field_schema(schema, parent)?;
    parent.get("properties")?.get(name)?.get("default")
}

/// Deep-merges `fragment` into `base`: maps key by key, anything else replaced.
fn merge(base: &mut serde_yaml::Value, fragment: serde_yaml::Value) {
    match (base, fragment) {
        (serde_yaml::Value::Mapping(b), serde_yaml::Value::Mapping(f)) => {
            for (k, v) in f {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, f) => *slot = f,
    }
}

/// Every YAML block of the README is a spec or a part of one: a whole spec (it has `name`)
/// loads as it is; a part, merged into values/minimal.yaml, gives a spec that loads.
#[test]
fn every_yaml_block_of_the_readme_is_a_valid_spec_or_part_of_one() {
    let readme = readme();
    let blocks: Vec<&str> = readme.split("```yaml\n").skip(1).map(|rest| rest.split("```").next().unwrap()).collect();
    assert!(!blocks.is_empty());
    let base: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(common::root().join("values/minimal.yaml")).unwrap()).unwrap();
    for block in blocks {
        let fragment: serde_yaml::Value = serde_yaml::from_str(block).unwrap_or_else(|e| panic!("{e}:\n{block}"));
        let spec = if fragment.get("name").is_some() {
            fragment
        } else {
            let mut spec = base.clone();
            // `ordererOrgs` is the other form of the base's `ordererOrg`.
            if fragment.get("ordererOrgs").is_some() {
                spec.as_mapping_mut().unwrap().remove("ordererOrg");
            }
            merge(&mut spec, fragment);
            spec
        };
        let text = serde_yaml::to_string(&spec).unwrap();
        if let Err(e) = fabgen::spec::load_spec("README.md", &text) {
            panic!("README block does not validate:\n{block}\n{e}");
        }
    }
}

/// "Changing a running network" shows what `fabgen diff` prints when org3 joins the tutorial's
/// channel: the README's lines are the real output (`…` stands for the rest of a package ID).
#[test]
fn the_worked_example_of_a_changing_network_is_current_output() {
    let readme = readme();
    let section = &readme[readme.find("## Changing a running network").expect("the section")..];
    let block = section.split("$ fabgen diff network.yaml deploy/\n").nth(1).unwrap().split("```").next().unwrap();
    let documented: Vec<&str> = block.lines().collect();
    assert_eq!(documented.len(), 3, "{block}");

    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("network.yaml");
    let original = std::fs::read_to_string(common::root().join("values/tutorial.yaml")).unwrap();
    std::fs::write(&spec, &original).unwrap();
    let deploy = dir.path().join("deploy");
    let run = |args: &[&std::path::Path]| common::fabgen().args(args).output().unwrap();
    let (render, diff) = (std::path::Path::new("render"), std::path::Path::new("diff"));
    assert!(run(&[render, &spec, std::path::Path::new("-o"), &deploy]).status.success());
    let org3 = "  - name: org3\n    mspId: org3MSP\n    peers:\n      - name: peer0\nchannels:\n";
    let joined =
        original.replacen("channels:\n", org3, 1).replacen("orgs: [org1, org2]", "orgs: [org1, org2, org3]", 1);
    std::fs::write(&spec, joined).unwrap();
    let o = run(&[diff, &spec, &deploy]);
    let stdout = String::from_utf8(o.stdout).unwrap();
    let printed: Vec<&str> = stdout.lines().take_while(|l| !l.starts_with("--- ")).collect();
    assert_eq!(printed.len(), documented.len(), "{printed:#?}");
    for (doc, real) in documented.iter().zip(&printed) {
        let mut rest = *real;
        for (i, piece) in doc.split('…').enumerate() {
            let at = if i == 0 { rest.starts_with(piece).then_some(0) } else { rest.find(piece) };
            let at = at.unwrap_or_else(|| panic!("README: {doc}\nfabgen: {real}"));
            rest = &rest[at + piece.len()..];
        }
        assert!(rest.is_empty(), "README: {doc}\nfabgen: {real}");
    }
}

/// The README's alert example asks only for metrics its metrics table lists (a histogram by
/// its `_bucket` series) and only for the `job` values fabgen's ServiceMonitors give (the
/// kinds of node they select, `model::monitoring`).
#[test]
fn the_alert_example_uses_listed_metrics_and_real_jobs() {
    let readme = readme();
    let section = readme.split("## Metrics: what a Prometheus scrapes").nth(1).unwrap().split("\n## ").next().unwrap();
    let table: Vec<&str> = section.lines().filter(|l| l.starts_with("| `")).collect();
    let rule = section.split("kind: PrometheusRule").nth(1).expect("the alert example").split("```").next().unwrap();
    let selector = regex::Regex::new(r#"([a-z_]+)\{job="([a-z]+)"\}"#).unwrap();
    let mut seen = 0;
    for c in selector.captures_iter(rule) {
        let metric = c[1].strip_suffix("_bucket").unwrap_or(&c[1]);
        assert!(table.iter().any(|row| row.contains(&format!("`{metric}"))), "{metric} is not in the table");
        assert!(["peer", "orderer", "ca"].contains(&&c[2]), "job {}", &c[2]);
        seen += 1;
    }
    assert!(seen >= 5, "{seen} selectors");
}
