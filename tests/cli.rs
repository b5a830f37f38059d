//! The command-line interface end to end: the binary, real files, real exit codes.

mod common;

use std::path::Path;
use std::process::Output;

fn run(args: &[&str]) -> Output {
    common::fabgen().args(args).output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// Copies the spec `example` to `dir/net.yaml` and renders it into `dir/deploy`, which must
/// work; returns (the copy, its text, the output directory).
fn rendered_copy(dir: &std::path::Path, example: &str) -> (std::path::PathBuf, String, std::path::PathBuf) {
    let (spec, out) = (dir.join("net.yaml"), dir.join("deploy"));
    let original = std::fs::read_to_string(example).unwrap();
    std::fs::write(&spec, &original).unwrap();
    let o = run(&["render", spec.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    (spec, original, out)
}

fn tutorial() -> String {
    common::root().join("values/tutorial.yaml").display().to_string()
}

#[test]
fn render_twice_gives_byte_identical_trees() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let o = run(&["render", &tutorial(), "-o", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let (ta, tb) = (common::read_tree(&a), common::read_tree(&b));
    assert!(ta.len() > 30, "one file per object: {}", ta.len());
    assert_eq!(ta, tb);

    // Rendering again over an existing output replaces it and changes nothing.
    let o = run(&["render", &tutorial(), "-o", a.to_str().unwrap()]);
    assert!(o.status.success());
    assert_eq!(common::read_tree(&a), tb);
}

#[test]
fn kustomization_lists_every_object_file_namespace_first() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    assert!(run(&["render", &tutorial(), "-o", out.to_str().unwrap()]).status.success());
    let tree = common::read_tree(&out);
    let kustomization: serde_yaml::Value = serde_yaml::from_slice(&tree["kustomization.yaml"]).unwrap();
    let listed: Vec<&str> =
        kustomization["resources"].as_sequence().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(listed[0], "namespace-hyperledger.yaml");
    let mut listed_sorted = listed.clone();
    listed_sorted.sort();
    let mut on_disk: Vec<&str> = tree
        .keys()
        .map(String::as_str)
        .filter(|f| !["kustomization.yaml", ".fabgen", "README.md"].contains(f))
        .collect();
    on_disk.sort();
    assert_eq!(listed_sorted, on_disk);
}

#[test]
fn render_without_a_spec_uses_the_embedded_example() {
    let o = run(&["render"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let docs: Vec<serde_yaml::Value> =
        serde_yaml::Deserializer::from_str(&text).map(|d| serde::Deserialize::deserialize(d).unwrap()).collect();
    assert_eq!(docs[0]["kind"], "Namespace");
    assert_eq!(docs[0]["metadata"]["name"], "hyperledger");
    assert!(docs.iter().any(|d| d["metadata"]["name"] == "chaincode-marbles-org1" && d["kind"] == "Deployment"));
    // Same objects as the file output of the same spec.
    let file = run(&["render", &tutorial()]);
    assert_eq!(stdout(&file), text);
}

#[test]
fn package_ids_printed_match_the_files_and_the_deployments() {
    let dir = tempfile::tempdir().unwrap();
    let (p1, p2, deploy) = (dir.path().join("p1"), dir.path().join("p2"), dir.path().join("deploy"));
    let o = run(&["package", &tutorial(), "-o", p1.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(run(&["package", &tutorial(), "-o", p2.to_str().unwrap()]).status.success());
    assert_eq!(common::read_tree(&p1), common::read_tree(&p2), "packages are byte-identical across runs");
    assert!(run(&["render", &tutorial(), "-o", deploy.to_str().unwrap()]).status.success());

    let lines: Vec<String> = stdout(&o).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    for line in lines {
        let cols: Vec<&str> = line.split('\t').collect();
        let [org, cc, id, file] = cols[..] else { panic!("bad line {line}") };
        // Independent oracle: coreutils sha256sum over the written file.
        let sum = std::process::Command::new("sha256sum").arg(p1.join(file)).output().unwrap();
        let hex = String::from_utf8(sum.stdout).unwrap().split_whitespace().next().unwrap().to_string();
        let label = id.split(':').next().unwrap();
        assert_eq!(id, format!("{label}:{hex}"));
        let deployment = std::fs::read_to_string(deploy.join(format!("deployment-chaincode-{cc}-{org}.yaml"))).unwrap();
        assert!(deployment.contains(id), "{id} missing from the {cc} Deployment of {org}");
    }
}

fn assert_no_output(path: &Path) {
    assert!(!path.exists(), "{} was written", path.display());
}

#[test]
fn broken_specs_fail_with_positions_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    insta::glob!("fixtures", "err_*.yaml", |path| {
        let out = dir.path().join(path.file_stem().unwrap());
        let o = run(&["render", path.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1));
        assert_no_output(&out);
        assert!(stdout(&o).is_empty());
        let fixture = path.file_name().unwrap().to_string_lossy().into_owned();
        let message = stderr(&o).replace(&path.display().to_string(), &fixture);
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(message);
        });
    });
}

#[test]
fn a_failed_render_leaves_previous_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    assert!(run(&["render", &tutorial(), "-o", out.to_str().unwrap()]).status.success());
    let before = common::read_tree(&out);
    let broken = common::root().join("tests/fixtures/err_unknown_references.yaml");
    let o = run(&["render", broken.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(common::read_tree(&out), before);
}

#[test]
fn validate_reports_all_problems_at_once() {
    let broken = common::root().join("tests/fixtures/err_unknown_references.yaml");
    let o = run(&["validate", broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains(
            "err_unknown_references.yaml:25:18 chaincodes[0].orgs[1]: unknown org \"org3\" (known: org1, org2)"
        ),
        "{err}"
    );
    assert!(err.contains("err_unknown_references.yaml:29:14 chaincodes[1].channel: unknown channel \"otherchannel\" (known: mychannel)"), "{err}");
    let ok = run(&["validate", &tutorial()]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("ok (2 orgs, 2 peers, 3 orderers, 1 channels, 2 chaincodes)"));
}

/// What fabgen prints with its stderr on a terminal: run under script(1) (util-linux), which
/// gives it a pseudo-terminal, with `NO_COLOR` set to `no_color` or removed.
fn on_a_terminal(args: &str, no_color: Option<&str>) -> String {
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_fabgen"));
    let mut script = std::process::Command::new("script");
    script.args(["-qec", &command, "/dev/null"]).env_remove("NO_COLOR");
    if let Some(value) = no_color {
        script.env("NO_COLOR", value);
    }
    let o = script.output().expect("script(1) from util-linux runs fabgen on a pseudo-terminal");
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn errors_quote_the_spec_line_with_a_caret_in_colour_only_on_a_terminal() {
    let broken = common::root().join("tests/fixtures/err_unknown_references.yaml");
    let broken = broken.to_str().unwrap();
    let caret = "25 |     orgs: [org1, org3]\n   |                  ^^^^\n   |\n   = help: known: org1, org2\n";
    // Into a pipe: the snippet, no escapes.
    let piped = stderr(&run(&["validate", broken]));
    assert!(piped.contains(caret) && !piped.contains('\x1b'), "{piped}");
    assert!(piped.ends_with("error: invalid spec: 2 problems found\n"), "{piped}");
    // On a terminal: coloured, unless NO_COLOR is set to anything but the empty string.
    let tty = on_a_terminal(&format!("validate {broken}"), None);
    assert!(tty.contains("\x1b["), "{tty:?}");
    let escapes = regex::Regex::new("\x1b\\[[0-9;]*m").unwrap();
    assert_eq!(escapes.replace_all(&tty.replace("\r\n", "\n"), ""), piped);
    assert!(!on_a_terminal(&format!("validate {broken}"), Some("1")).contains('\x1b'));
    assert!(on_a_terminal(&format!("validate {broken}"), Some("")).contains('\x1b'));
    assert!(!on_a_terminal(&format!("--color never validate {broken}"), None).contains('\x1b'));
    // Asked for: coloured into a pipe too, over NO_COLOR.
    let mut always = common::fabgen();
    always.args(["validate", broken, "--color", "always"]).env("NO_COLOR", "1");
    assert!(stderr(&always.output().unwrap()).contains("\x1b["));
    // Errors that are no spec problem follow the same choice.
    let missing = on_a_terminal("validate /no/such/network.yaml", None);
    assert!(missing.contains("\x1b[") && missing.contains("failed to read spec"), "{missing:?}");
}

#[test]
fn templates_can_be_overridden_by_relative_path() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    let original = std::fs::read_to_string(common::root().join("templates/namespace.yaml")).unwrap();
    let changed = original
        .replace("app.kubernetes.io/managed-by: fabgen", "app.kubernetes.io/managed-by: fabgen\n    team: platform");
    std::fs::write(templates.join("namespace.yaml"), changed).unwrap();
    let o = run(&["render", &tutorial(), "--templates", templates.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("team: platform"));

    // An override that renders an invalid object is refused by the Kubernetes check.
    std::fs::write(templates.join("namespace.yaml"), original.replace("labels:", "labelz:")).unwrap();
    let out = dir.path().join("deploy");
    let o = run(&["render", &tutorial(), "--templates", templates.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("labelz"), "{}", stderr(&o));
    assert_no_output(&out);

    // `chart` checks what it renders too (once, in chart mode, its knobs at their defaults):
    // an object without knobs, and one with them.
    let chart = dir.path().join("chart");
    let o = run(&["chart", &tutorial(), "--templates", templates.to_str().unwrap(), "-o", chart.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("labelz") && stderr(&o).contains("not valid Kubernetes"), "{}", stderr(&o));
    assert_no_output(&chart);
    std::fs::write(templates.join("namespace.yaml"), &original).unwrap();
    let peer = std::fs::read_to_string(common::root().join("templates/peer.yaml")).unwrap();
    std::fs::write(templates.join("peer.yaml"), peer.replace("  serviceName:", "  serviceNam:")).unwrap();
    let o = run(&["chart", &tutorial(), "--templates", templates.to_str().unwrap(), "-o", chart.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("serviceNam"), "{}", stderr(&o));
    assert_no_output(&chart);
}

#[test]
fn schema_is_json_and_closed() {
    let o = run(&["schema"]);
    assert!(o.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(schema["additionalProperties"], false);
    assert!(schema["properties"]["chaincodes"].is_object());
    assert!(schema["$defs"]["ChaincodeSpec"]["properties"]["image"]["description"].is_string());
}

/// `render -o DIR` reads the definitions it recorded in DIR: a changed chaincode must take the
/// next sequence, and the refusal names the chaincode, what changed and the sequence to use,
/// at the chaincode's line in the spec, leaving DIR as it was. Charts are read the same way.
#[test]
fn a_changed_chaincode_without_the_next_sequence_is_refused_against_the_last_render() {
    let dir = tempfile::tempdir().unwrap();
    let (spec, original, out) = rendered_copy(dir.path(), &tutorial());
    let (spec_arg, out_arg) = (spec.to_str().unwrap(), out.to_str().unwrap());
    let before = common::read_tree(&out);
    // Re-rendering the same spec is fine.
    assert!(run(&["render", spec_arg, "-o", out_arg]).status.success());

    let bumped_version =
        original.replacen("version: \"1.0\"\n    label: marbles", "version: \"1.1\"\n    label: marbles", 1);
    assert_ne!(bumped_version, original);
    std::fs::write(&spec, &bumped_version).unwrap();
    let o = run(&["render", spec_arg, "-o", out_arg]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let line = original.lines().position(|l| l.contains("- name: marbles")).unwrap() + 1;
    // The tutorial's label is fixed, so the package (and its ID) stays; the version changed.
    assert!(err.contains(&format!("net.yaml:{line}:5 chaincodes[0].sequence: chaincode \"marbles\" changed its definition (version 1.0 -> 1.1) but keeps sequence 1; Fabric approves new parameters only under the next sequence: set `sequence: 2`, which every member approves again (a package change alone needs only its org's approval at sequence 1)")), "{err}");
    assert_eq!(common::read_tree(&out), before, "nothing is replaced");

    // Skipping ahead is refused too; the next sequence is taken, and the Jobs are new ones.
    let with_sequence = |n: u32| {
        bumped_version.replacen("    label: marbles\n", &format!("    label: marbles\n    sequence: {n}\n"), 1)
    };
    std::fs::write(&spec, with_sequence(3)).unwrap();
    let o = run(&["render", spec_arg, "-o", out_arg]);
    assert!(stderr(&o).contains("sequence 3 skips ahead of 1, which was rendered before; Fabric approves only the committed or the next sequence: set `sequence: 2`"), "{}", stderr(&o));
    std::fs::write(&spec, with_sequence(2)).unwrap();
    let o = run(&["render", spec_arg, "-o", out_arg]);
    assert!(o.status.success(), "{}", stderr(&o));
    let after = common::read_tree(&out);
    let lifecycle = |tree: &std::collections::BTreeMap<String, Vec<u8>>| -> Vec<String> {
        tree.keys().filter(|f| f.starts_with("job-chaincode-marbles-lifecycle-")).cloned().collect()
    };
    assert_eq!(lifecycle(&after).len(), 2);
    assert!(lifecycle(&after).iter().all(|f| !before.contains_key(f)), "new definition, new Job names");
    assert_eq!(lifecycle(&before).iter().filter(|f| after.contains_key(*f)).count(), 0);
    // Going back is refused as well.
    std::fs::write(&spec, &original).unwrap();
    let o = run(&["render", spec_arg, "-o", out_arg]);
    assert!(stderr(&o).contains("sequence 1 is below 2, which was rendered before"), "{}", stderr(&o));

    // A chart directory records the definitions the same way.
    let chart = dir.path().join("chart");
    let chart_arg = chart.to_str().unwrap();
    std::fs::write(&spec, with_sequence(2)).unwrap();
    assert!(run(&["chart", spec_arg, "-o", chart_arg]).status.success());
    std::fs::write(&spec, with_sequence(2).replace("version: \"1.1\"", "version: \"1.2\"")).unwrap();
    let o = run(&["chart", spec_arg, "-o", chart_arg]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("set `sequence: 3`"), "{}", stderr(&o));
}

/// A member that starts running a chaincode changes no parameter of its definition: the
/// re-render keeps the committed sequence (Fabric takes the new member's approval there), only
/// the new member's Job is new, and `diff` says what the change asks of the channel.
#[test]
fn a_new_member_of_a_chaincode_needs_no_new_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let (spec, original, out) = rendered_copy(dir.path(), &tutorial());
    let (spec_arg, out_arg) = (spec.to_str().unwrap(), out.to_str().unwrap());
    let before = common::read_tree(&out);
    let org3 = "  - name: org3\n    mspId: org3MSP\n    peers:\n      - name: peer0\nchannels:\n";
    let joined =
        original.replacen("channels:\n", org3, 1).replacen("orgs: [org1, org2]", "orgs: [org1, org2, org3]", 1);
    assert_eq!(joined.matches("org3").count(), 3, "the tutorial still has one channel of org1 and org2");
    std::fs::write(&spec, &joined).unwrap();

    let o = run(&["diff", spec_arg, out_arg]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let said: Vec<String> = stdout(&o).lines().take_while(|l| !l.starts_with("--- ")).map(String::from).collect();
    assert_eq!(said.len(), 3, "{said:#?}");
    assert_eq!(
        said[0],
        "mychannel: org3 (org3MSP) joins: /Channel/Application (needs /Channel/Application Admins: 2 of 2 admin signatures (org1MSP, org2MSP); its update Job gathers them and makes it)"
    );
    for (line, cc) in said[1..].iter().zip(["marbles", "fabcar"]) {
        assert!(line.starts_with(&format!("chaincode {cc} on mychannel: org3 approves committed sequence 1 with its new package (package of org3 (none) -> {cc}")), "{line}");
        assert!(line.ends_with("); nothing is committed"), "{line}");
    }

    // The update Job makes the change: render asks nothing by hand, and a new update Job
    // (its name digests what the spec wants of the channel) replaces the old one.
    let o = run(&["render", spec_arg, "-o", out_arg]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&o).contains("must change first"), "{}", stdout(&o));
    let after = common::read_tree(&out);
    let updates = |tree: &std::collections::BTreeMap<String, Vec<u8>>| -> Vec<String> {
        tree.keys().filter(|f| f.starts_with("job-channel-mychannel-update-")).cloned().collect()
    };
    assert_eq!(updates(&before).len(), 1);
    assert_eq!(updates(&after).len(), 1);
    assert_ne!(updates(&before), updates(&after));
    assert!(String::from_utf8_lossy(&after[&updates(&after)[0]]).contains("- name: sign-org3\n"));
    let jobs = |tree: &std::collections::BTreeMap<String, Vec<u8>>, org: &str| -> Vec<String> {
        let prefix = "job-chaincode-";
        tree.keys().filter(|f| f.starts_with(prefix) && f.contains(&format!("-{org}-"))).cloned().collect()
    };
    assert_eq!(jobs(&after, "org3").len(), 2, "org3 installs and approves each chaincode");
    assert_eq!(jobs(&before, "org2"), jobs(&after, "org2"), "org2 has nothing new to approve");
    for job in jobs(&after, "org3") {
        assert!(String::from_utf8_lossy(&after[&job]).contains("name: SEQUENCE\n          value: '1'"), "{job}");
    }

    // Another peer of org3 changes its anchor peers, which its own join Job sets: diff tells
    // it, render asks nothing of anyone.
    let grown =
        joined.replacen("      - name: peer0\nchannels:", "      - name: peer0\n      - name: peer1\nchannels:", 1);
    assert_ne!(grown, joined);
    std::fs::write(&spec, &grown).unwrap();
    let o = run(&["diff", spec_arg, out_arg]);
    assert!(stdout(&o).starts_with("mychannel: org3's anchor peers peer0-org3.hyperledger:7051 -> peer0-org3.hyperledger:7051 peer1-org3.hyperledger:7051: /Channel/Application/org3MSP/AnchorPeers (needs org3MSP Admins: org3's admin signature; its join Job makes it)\n"), "{}", stdout(&o));
    let o = run(&["render", spec_arg, "-o", out_arg]);
    assert!(o.status.success() && !stdout(&o).contains("must change first"), "{}", stdout(&o));
}

/// Nodes stop processing a channel whose capabilities their release does not support, so a
/// render that moves the network back to a release older than a recorded channel's capability
/// is refused at `fabric.version`, and nothing is replaced.
#[test]
fn a_release_older_than_the_channels_capabilities_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let example = common::root().join("values/fabric3.yaml");
    let (spec, original, out) = rendered_copy(dir.path(), example.to_str().unwrap());
    let (spec_arg, out_arg) = (spec.to_str().unwrap(), out.to_str().unwrap());
    let before = common::read_tree(&out);
    let back = original.replacen("  version: \"3.1.1\"", "  version: \"2.5.16\"", 1);
    assert_ne!(back, original);
    std::fs::write(&spec, &back).unwrap();
    for command in [&["render", spec_arg, "-o", out_arg][..], &["diff", spec_arg, out_arg]] {
        let o = run(command);
        assert_ne!(o.status.code(), Some(0), "{command:?}");
        assert!(
            stderr(&o).contains("net.yaml:8:12 fabric.version: channel mychannel has the Channel capability V3_0, which nodes of this Fabric release refuse (\"Channel capability V3_0 is required but not supported\"; they support up to V2_0): keep a Fabric release that supports V3_0"),
            "{command:?}: {}",
            stderr(&o)
        );
    }
    assert_eq!(common::read_tree(&out), before, "nothing is replaced");
}

/// `fabgen init` prints a spec that validates and renders as printed, for every launcher and
/// option, with the schema modeline first; the same counts always give the same text.
#[test]
fn init_prints_a_valid_commented_spec_for_every_option() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[&[&str]] = &[
        &[],
        &["--orgs", "5", "--peers", "2", "--channels", "3", "--chaincodes", "2", "--couchdb", "--ca"],
        &["--orgs", "3", "--launcher", "k8s-builder", "--orderers", "5", "--name", "bank-net"],
        &["--orgs", "2", "--channels", "2", "--launcher", "k8scc"],
        &["--orgs", "1", "--channels", "0", "--chaincodes", "0", "--orderers", "1"],
        &["--fabric", "3.1.1", "--bft"],
        &["--fabric", "3.0.0", "--orderers", "1", "--couchdb"],
    ];
    for (i, args) in cases.iter().enumerate() {
        let mut full = vec!["init"];
        full.extend_from_slice(args);
        let o = run(&full);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let text = stdout(&o);
        assert!(text.starts_with("# yaml-language-server: $schema=fabgen.schema.json\n"), "{text}");
        assert_eq!(stdout(&run(&full)), text, "deterministic");
        let spec = dir.path().join(format!("spec{i}.yaml"));
        std::fs::write(&spec, &text).unwrap();
        if args.contains(&"k8scc") {
            for cc in ["cc1-channel1", "cc1-channel2"] {
                let src = dir.path().join("chaincode").join(cc);
                std::fs::create_dir_all(&src).unwrap();
                std::fs::write(src.join("go.mod"), "module example.com/cc\n\ngo 1.22\n").unwrap();
            }
        }
        let v = run(&["validate", spec.to_str().unwrap()]);
        assert!(v.status.success(), "{args:?}: {}\n{text}", stderr(&v));
        let out = dir.path().join(format!("deploy{i}"));
        let r = run(&["render", spec.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        assert!(r.status.success(), "{args:?}: {}", stderr(&r));
    }
    // Five orgs over three channels: the first has all, the others split them.
    let text = stdout(&run(&["init", "--orgs", "5", "--channels", "3"]));
    assert!(text.contains("  - name: channel1\n    orgs: [org1, org2, org3, org4, org5]\n"), "{text}");
    assert!(text.contains("  - name: channel2\n    orgs: [org1, org3, org5]\n"), "{text}");
    assert!(text.contains("  - name: channel3\n    orgs: [org2, org4]\n"), "{text}");
    let bad = run(&["init", "--name", "Bad_Name"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("invalid network name \"Bad_Name\""), "{}", stderr(&bad));
}

#[test]
fn diff_exits_0_on_no_change_1_on_drift_and_2_on_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    let deploy = out.to_str().unwrap();
    assert!(run(&["render", &tutorial(), "-o", deploy]).status.success());

    let same = run(&["diff", &tutorial(), deploy]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    assert!(stdout(&same).is_empty());

    // A hand edit, a file fabgen no longer renders, and a file it renders gone missing.
    let service = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|f| f.starts_with("service-"))
        .unwrap();
    let edited = std::fs::read_to_string(out.join(&service)).unwrap().replacen("port: ", "port: 1", 1);
    std::fs::write(out.join(&service), edited).unwrap();
    // As if an earlier render had written it: listed in the marker.
    std::fs::write(out.join("configmap-stale.yaml"), "kind: ConfigMap\n").unwrap();
    let marker = std::fs::read_to_string(out.join(".fabgen")).unwrap();
    std::fs::write(out.join(".fabgen"), format!("{marker}configmap-stale.yaml\n")).unwrap();
    // Not fabgen's: a re-render keeps it, so it is no drift.
    std::fs::write(out.join("NOTES.md"), "ours\n").unwrap();
    std::fs::remove_file(out.join("namespace-hyperledger.yaml")).ok();
    let drift = run(&["diff", &tutorial(), deploy]);
    assert_eq!(drift.status.code(), Some(1), "{}", stderr(&drift));
    let patch = stdout(&drift);
    assert!(patch.contains(&format!("--- a/{service}\n+++ b/{service}\n")), "{patch}");
    assert!(patch.contains("--- a/configmap-stale.yaml\n+++ /dev/null\n@@ -1 +0,0 @@\n-kind: ConfigMap\n"), "{patch}");
    assert!(stderr(&drift).contains("removed, 1 changed"), "{}", stderr(&drift));
    assert!(!patch.contains("NOTES.md"), "{patch}");
    // diff writes nothing.
    assert!(out.join("configmap-stale.yaml").exists());

    let broken = common::root().join("tests/fixtures/err_unknown_references.yaml");
    let error = run(&["diff", broken.to_str().unwrap(), deploy]);
    assert_eq!(error.status.code(), Some(2));
    assert!(stderr(&error).contains("unknown org"), "{}", stderr(&error));
}

#[test]
fn diff_of_a_chart_compares_with_what_chart_writes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chart");
    let chart_dir = out.to_str().unwrap();
    assert!(run(&["chart", &tutorial(), "-o", chart_dir]).status.success());
    assert_eq!(run(&["diff", &tutorial(), chart_dir, "--chart"]).status.code(), Some(0));
    let other_version = run(&["diff", &tutorial(), chart_dir, "--chart", "--chart-version", "0.2.0"]);
    assert_eq!(other_version.status.code(), Some(1));
    assert!(stdout(&other_version).contains("-version: 0.1.0\n+version: 0.2.0\n"), "{}", stdout(&other_version));
    // The manifests are not the chart.
    assert_eq!(run(&["diff", &tutorial(), chart_dir]).status.code(), Some(1));
}

/// Every file of a tree, by relative path.
fn tree_of(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().display().to_string(), std::fs::read(e.path()).unwrap()))
        .collect()
}

#[test]
fn a_render_killed_at_any_point_leaves_the_old_tree_or_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("big.yaml");
    let init = run(&["init", "--orgs", "12", "--peers", "2", "--channels", "3", "--chaincodes", "2"]);
    std::fs::write(&spec, &init.stdout).unwrap();
    let spec = spec.to_str().unwrap();
    // The two trees, rendered in full, and how long the new one takes.
    let (old_ref, new_ref) = (dir.path().join("old"), dir.path().join("new"));
    assert!(run(&["render", &tutorial(), "-o", old_ref.to_str().unwrap()]).status.success());
    let started = std::time::Instant::now();
    assert!(run(&["render", spec, "-o", new_ref.to_str().unwrap()]).status.success());
    let full = started.elapsed();
    let (old_tree, new_tree) = (tree_of(&old_ref), tree_of(&new_ref));

    let dest = dir.path().join("deploy");
    let mut outcomes = std::collections::BTreeSet::new();
    // Kills from the start to well past the end of a full render (the machine may be busy).
    for step in 0..16u32 {
        assert!(run(&["render", &tutorial(), "-o", dest.to_str().unwrap()]).status.success());
        let mut child = common::fabgen().args(["render", spec, "-o", dest.to_str().unwrap()]).spawn().unwrap();
        std::thread::sleep(full * step / 5);
        let _ = child.kill();
        child.wait().unwrap();
        let now = tree_of(&dest);
        let outcome = if now == old_tree {
            "old"
        } else if now == new_tree {
            "new"
        } else {
            panic!("killed after {:?}: the tree is a mix ({} files)", full * step / 5, now.len())
        };
        outcomes.insert(outcome);
    }
    // The kills landed on both sides of the swap.
    assert_eq!(outcomes.len(), 2, "{outcomes:?}");
}

#[test]
fn completions_and_man_page_cover_every_command() {
    let commands =
        ["init", "schema", "validate", "render", "package", "crypto", "chart", "diff", "explain", "completions", "man"];
    let bash = run(&["completions", "bash"]);
    assert!(bash.status.success());
    let script = stdout(&bash);
    for command in commands {
        assert!(script.contains(command), "bash completion lacks {command}");
    }
    // The script is valid bash.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fabgen.bash");
    std::fs::write(&file, &script).unwrap();
    let parsed = std::process::Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(parsed.status.success(), "{}", String::from_utf8_lossy(&parsed.stderr));
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let o = run(&["completions", shell]);
        assert!(o.status.success() && stdout(&o).contains("fabgen"), "{shell}");
    }
    let man = stdout(&run(&["man"]));
    assert!(man.contains(".TH fabgen 1"), "{man}");
    // The page per command that the main page refers to (fabgen\-diff(1)...) is written too.
    let pages = dir.path().join("man1");
    assert!(run(&["man", "-o", pages.to_str().unwrap()]).status.success());
    for command in commands {
        assert!(man.contains(&format!("fabgen\\-{command}(1)")), "man page lacks {command}");
        let page = std::fs::read_to_string(pages.join(format!("fabgen-{command}.1"))).unwrap();
        assert!(
            page.contains(&format!(".TH fabgen-{command} 1  \"fabgen-{command} {}\"", env!("CARGO_PKG_VERSION"))),
            "{page}"
        );
    }
}

#[test]
fn validate_reports_machine_readable_diagnostics_as_json() {
    let broken = common::root().join("tests/fixtures/err_unknown_references.yaml");
    let o = run(&["validate", broken.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let problems: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        problems[0],
        serde_json::json!({
            "file": broken.to_str().unwrap(),
            "line": 25,
            "column": 18,
            "path": "chaincodes[0].orgs[1]",
            "message": "unknown org \"org3\" (known: org1, org2)",
            "hint": "known: org1, org2",
        })
    );
    assert_eq!(problems.as_array().unwrap().len(), 2);
    // A YAML syntax error is located too; a valid spec gives an empty list.
    let syntax = common::root().join("tests/fixtures/err_syntax.yaml");
    let o = run(&["validate", syntax.to_str().unwrap(), "--format", "json"]);
    let problems: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(
        problems[0]["line"].as_u64().unwrap() > 1
            && problems[0]["message"].as_str().unwrap().starts_with("invalid YAML"),
        "{problems}"
    );
    let ok = run(&["validate", &tutorial(), "--format", "json"]);
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(stdout(&ok).trim(), "[]");
}

/// Runs fabgen with its stdout on a pipe whose reader has already gone (as `| head` leaves it
/// once it has read enough): every write fails with EPIPE, whatever the output's size.
fn run_into_closed_pipe(args: &[&str]) -> Output {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0; 2];
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let (reader, writer) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(reader);
    let child = common::fabgen()
        .args(args)
        .stdout(std::process::Stdio::from(writer))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Every command that prints ends quietly when its reader leaves: no panic, no error line, and
/// the exit status it has with a reader (0; `diff` 1 for drift, which it reports on stderr).
#[test]
fn every_printing_command_ends_quietly_when_the_reader_closes_the_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str| dir.path().join(name).display().to_string();
    let (render_dir, stale) = (out("render"), out("stale"));
    assert!(run(&["render", &tutorial(), "-o", &stale]).status.success());
    std::fs::remove_file(Path::new(&stale).join("README.md")).unwrap();
    let t = tutorial();
    let mut commands: Vec<Vec<String>> = [
        vec!["init"],
        vec!["schema"],
        vec!["validate", &t],
        vec!["validate", &t, "--format", "json"],
        vec!["render", &t],
        vec!["render"],
        vec!["render", &t, "-o", &render_dir],
        vec!["chart", &t, "-o", &out("chart")],
        vec!["crypto", &t, "-o", &out("crypto")],
        vec!["package", &t, "-o", &out("packages")],
        vec!["graph", &t],
        vec!["graph", &t, "--format", "dot"],
        vec!["explain", "orgs"],
        vec!["man"],
        vec!["man", "-o", &out("man")],
        vec!["diff", &t, &render_dir],
        vec!["--help"],
        vec!["render", "--help"],
        vec!["--version"],
    ]
    .iter()
    .map(|c| c.iter().map(|s| s.to_string()).collect())
    .collect();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        commands.push(vec!["completions".into(), shell.into()]);
    }
    for command in &commands {
        let args: Vec<&str> = command.iter().map(String::as_str).collect();
        let o = run_into_closed_pipe(&args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o), "", "{args:?}");
    }
    let drift = run_into_closed_pipe(&["diff", &t, &stale]);
    assert_eq!(drift.status.code(), Some(1), "{}", stderr(&drift));
    assert!(stderr(&drift).starts_with(&format!("{stale}: ")), "{}", stderr(&drift));
    assert!(!stderr(&drift).contains("rror"), "{}", stderr(&drift));
}

/// `render --org` checks every card against the spec before anything is written, and reports
/// every problem at once: a missing card (naming the file expected), an MSP ID and an endpoint
/// the spec does not give.
#[test]
fn a_part_from_missing_or_contradicting_cards_is_refused_with_every_problem_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let spec = common::root().join("values/consortium.yaml");
    let cards = dir.path().join("cards");
    std::fs::create_dir(&cards).unwrap();
    for org in ["ord-a", "ord-b", "org2"] {
        let out = dir.path().join(org);
        assert!(run(&["crypto", spec.to_str().unwrap(), "--org", org, "-o", out.to_str().unwrap()]).status.success());
        let card = std::fs::read_to_string(out.join(format!("public/{org}.yaml"))).unwrap();
        let card = card
            .replace("mspId: Org2MSP", "mspId: Org9MSP")
            .replace("orderer0-a.east.consortium.example.com:443", "orderer0-a.elsewhere:7050");
        std::fs::write(cards.join(format!("{org}.yaml")), card).unwrap();
    }
    let out = dir.path().join("part");
    let o = run(&[
        "render",
        spec.to_str().unwrap(),
        "--org",
        "org1",
        "--cards",
        cards.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    for want in [
        "the card of ord-a contradicts the spec: orderer0-a at orderer0-a.elsewhere:7050 (the spec: orderer0-a.east.consortium.example.com:443)",
        "the card of org2 contradicts the spec: MSP ID Org9MSP (the spec: Org2MSP)",
        &format!("no card of org3: expected {}/org3.yaml", cards.display()),
    ] {
        assert!(err.contains(want), "{want}\nin {err}");
    }
    assert!(!out.exists());
    let o = run(&["render", spec.to_str().unwrap(), "--org", "org1"]);
    assert_eq!(o.status.code(), Some(2), "--org needs --cards: {}", stderr(&o));
}
