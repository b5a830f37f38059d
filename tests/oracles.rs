//! fabgen's output judged by independent tools, not by fabgen's own code: the pinned
//! `kubernetes-validate --strict` (PyPI) and Python's own tarfile/gzip modules.
//! `bash scripts/test.sh` installs the tools into .venv.

mod common;

use std::process::Command;

/// A cert-manager, Gateway API or prometheus-operator object, which kubernetes-validate has
/// no schema for.
fn custom_kind(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    ["cert-manager.io/", "gateway.networking.k8s.io/", "monitoring.coreos.com/"]
        .iter()
        .any(|group| text.starts_with(&format!("apiVersion: {group}")))
}

/// The Kubernetes version fabgen's k8s-openapi types target (feature v1_33).
const KUBERNETES_VERSION: &str = "1.33.0";

/// Every rendered tree the oracles read: each example's render, the tutorial after a member
/// joined and an orderer came, and each organisation's part of values/consortium.yaml (the
/// creators' with their channel update Jobs) and of the one-cluster, several-namespace network
/// (`common::one_cluster_namespaces`), rendered from the others' cards. Keys are made in `keys`,
/// trees written under `dir` (checkov reads only rendered trees there).
fn rendered_trees(dir: &std::path::Path, keys: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut trees = Vec::new();
    for example in common::examples() {
        let out = dir.join(example.file_stem().unwrap());
        let o =
            common::fabgen().args(["render", example.to_str().unwrap(), "-o", out.to_str().unwrap()]).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        trees.push(out);
    }
    // The tutorial changed as a running network changes: org3 joins the channel and a fourth
    // orderer comes (a new update Job, with org3's signer and join Jobs).
    let tutorial = std::fs::read_to_string(common::root().join("values/tutorial.yaml")).unwrap();
    let org3 = "  - name: org3\n    mspId: org3MSP\n    peers:\n      - name: peer0\nchannels:\n";
    let changed = tutorial
        .replacen("channels:\n", org3, 1)
        .replacen("orgs: [org1, org2]", "orgs: [org1, org2, org3]", 1)
        .replacen("    - name: orderer2\n", "    - name: orderer2\n    - name: orderer3\n", 1);
    assert!(changed.contains("orderer3") && changed.matches("org3").count() == 3, "the tutorial's shape changed");
    let spec = keys.join("tutorial-changed.yaml");
    std::fs::write(&spec, changed).unwrap();
    let out = dir.join("tutorial-changed");
    let o = common::fabgen().args(["render", spec.to_str().unwrap(), "-o", out.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(common::read_tree(&out).keys().any(|f| f.starts_with("job-channel-mychannel-update-")));
    trees.push(out);
    let consortium = common::root().join("values/consortium.yaml");
    let one_cluster = common::one_cluster_namespaces(keys);
    let networks = [
        ("consortium", consortium, vec!["ord-a", "ord-b", "org1", "org2", "org3"]),
        ("one-cluster", one_cluster, common::ONE_CLUSTER_NAMESPACES.iter().map(|(o, _)| *o).collect()),
    ];
    for (name, spec, orgs) in networks {
        let cards = common::cards(&spec, &orgs, &keys.join(name));
        for org in orgs {
            let out = dir.join(format!("{name}-part-{org}"));
            common::render_part(&spec, org, &cards, &out);
            trees.push(out);
        }
    }
    trees
}

#[test]
fn kubernetes_validate_strict_accepts_every_rendered_file_of_every_example() {
    let bin = common::oracle_bin();
    let dir = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    for out in rendered_trees(dir.path(), keys.path()) {
        // cert-manager, Gateway API and prometheus-operator kinds have no schema in
        // kubernetes-validate; fabgen checks them against its own closed types (src/check/).
        let files: Vec<String> = common::read_tree(&out)
            .into_iter()
            .filter(|(f, bytes)| f.ends_with(".yaml") && f != "kustomization.yaml" && !custom_kind(bytes))
            .map(|(f, _)| out.join(f).display().to_string())
            .collect();
        assert!(files.len() > 10);
        let result = Command::new(bin.join("kubernetes-validate"))
            .args(["--strict", "--kubernetes-version", KUBERNETES_VERSION, "--no-warn"])
            .args(&files)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&result.stdout).into_owned() + &String::from_utf8_lossy(&result.stderr);
        assert!(result.status.success(), "{}: kubernetes-validate failed:\n{report}", out.display());
        let passed = report.lines().filter(|l| l.starts_with("INFO") && l.contains("passed")).count();
        assert_eq!(passed, files.len(), "{}: every file passes:\n{report}", out.display());
    }
}

/// Reads each package with Python's tarfile, applying the rules of Fabric's
/// persistence.ParseChaincodePackage and externalbuilder.Untar.
const PACKAGE_ORACLE: &str = r#"
import gzip, io, json, sys, tarfile
for path in sys.argv[1:]:
    raw = open(path, "rb").read()
    assert raw[4:8] == b"\0\0\0\0", f"{path}: gzip mtime set"
    outer = tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz")
    members = outer.getmembers()
    assert [m.name for m in members] == ["metadata.json", "code.tar.gz"], [m.name for m in members]
    for m in members:
        assert m.isreg(), f"{path}: {m.name} is not a regular file"
        assert (m.mtime, m.uid, m.gid, m.uname, m.gname) == (0, 0, 0, "", ""), f"{path}: {m.name} header varies"
        assert m.mode & 0o777 == 0o644, oct(m.mode)
    meta = json.load(outer.extractfile("metadata.json"))
    assert sorted(meta) == ["label", "path", "type"], meta
    code = tarfile.open(fileobj=outer.extractfile("code.tar.gz"), mode="r:gz")
    inner = code.getmembers()
    names = [m.name for m in inner]
    for m in inner:
        # externalbuilder.Untar: regular files, relative, no "..", a usable mode
        assert m.isreg() and not m.name.startswith("/") and ".." not in m.name.split("/"), m.name
        assert m.mode & 0o777 == 0o644, oct(m.mode)
    if meta["type"] == "fabgen-ccaas":
        assert names == ["connection.json"], names
        conn = json.load(code.extractfile("connection.json"))
        assert isinstance(conn["tls_required"], bool) and isinstance(conn["client_auth_required"], bool), conn
        assert not any(k in conn for k in ("client_key", "client_cert", "root_cert")), "no key material"
        assert conn["address"].rsplit(":", 1)[1].isdigit(), conn
    elif meta["type"] == "k8s":
        assert names == ["image.json"], names
        image = json.load(code.extractfile("image.json"))
        assert sorted(image) == ["digest", "name"] and image["digest"].startswith("sha256:") and "@" not in image["name"], image
    else:
        assert meta["type"] in ("golang", "node", "java"), meta
        assert meta["path"], "source packages name their path"
        assert names and all(n.startswith("src/") or n.startswith("META-INF/") for n in names), names
        if meta["type"] == "golang":
            assert "src/go.mod" in names, names
    print("ok", path, meta["type"], meta["label"])
"#;

#[test]
fn python_tarfile_reads_every_package_as_the_peer_does() {
    let bin = common::oracle_bin();
    for example in common::examples() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("packages");
        let o = common::fabgen()
            .args(["package", example.to_str().unwrap(), "-o", out.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let files: Vec<String> = common::read_tree(&out)
            .into_keys()
            .filter(|f| f.ends_with(".tgz"))
            .map(|f| out.join(f).display().to_string())
            .collect();
        let lines = String::from_utf8(o.stdout).unwrap().lines().count();
        assert_eq!(files.len(), lines, "one package per printed ID");
        let result = Command::new(bin.join("python")).arg("-c").arg(PACKAGE_ORACLE).args(&files).output().unwrap();
        assert!(result.status.success(), "{}: {}", example.display(), String::from_utf8_lossy(&result.stderr));
        assert_eq!(String::from_utf8_lossy(&result.stdout).lines().count(), files.len());
    }
}

/// checkov over every rendered tree of [`rendered_trees`].
#[test]
fn checkov_reports_no_failed_checks_on_any_example() {
    let bin = common::oracle_bin();
    // checkov skips hidden directories, and tempdir() names start with a dot.
    let dir = tempfile::Builder::new().prefix("checkov-").tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let rendered: usize = rendered_trees(dir.path(), keys.path()).iter().map(|t| common::read_tree(t).len()).sum();
    let config = common::root().join("scripts/checkov.yaml");
    let result = Command::new(bin.join("checkov"))
        // --skip-download: no network; the checks themselves ship with checkov.
        .args([
            "--config-file",
            config.to_str().unwrap(),
            "-d",
            dir.path().to_str().unwrap(),
            "-o",
            "json",
            "--skip-download",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&result.stdout);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("checkov output is not JSON ({e}): {stdout}\n{}", String::from_utf8_lossy(&result.stderr))
    });
    let reports = if report.is_array() { report.as_array().unwrap().clone() } else { vec![report] };
    let mut passed = 0;
    for r in &reports {
        let failed: Vec<String> = r["results"]["failed_checks"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| format!("{} {} in {}", f["check_id"], f["check_name"], f["file_path"]))
            .collect();
        assert!(failed.is_empty(), "checkov failed checks:\n{}", failed.join("\n"));
        // Checks skipped on single objects (checkov.io/skip annotations) are listed in the
        // config too, with their reason.
        for skipped in r["results"]["skipped_checks"].as_array().into_iter().flatten() {
            let id = skipped["check_id"].as_str().unwrap();
            let config = std::fs::read_to_string(&config).unwrap();
            assert!(
                config.lines().any(|l| l.starts_with("# inline: ") && l.contains(id)),
                "{id} skipped but not listed"
            );
        }
        assert_eq!(r["summary"]["parsing_errors"], 0, "{r}");
        passed += r["summary"]["passed"].as_u64().unwrap();
    }
    assert!(passed > 1000, "checkov ran its Kubernetes checks over {rendered} files: {passed} passed");
}

#[test]
fn every_skipped_checkov_check_has_a_reason() {
    let config = std::fs::read_to_string(common::root().join("scripts/checkov.yaml")).unwrap();
    let skips: Vec<&str> =
        config.lines().filter(|l| l.trim_start().starts_with("- CKV") || l.starts_with("# inline: CKV")).collect();
    assert!(!skips.is_empty());
    for line in skips {
        let line = line.trim_start_matches("# inline: ");
        let (check, reason) = line.split_once('#').unwrap_or_else(|| panic!("no reason: {line}"));
        assert!(check.trim().trim_start_matches("- ").starts_with("CKV_"), "{line}");
        assert!(reason.trim().len() > 20, "reason too thin: {line}");
    }
}

/// `fabgen crypto` of every example, judged by Python's `cryptography` (chains, CA flags and
/// SKIs, P-256 PKCS#8 keys matching their certificates, low-S signatures, NodeOU roles, the
/// Service names in TLS SANs) and by `kubernetes-validate --strict`.
#[test]
fn crypto_material_of_every_example_passes_an_independent_x509_check() {
    let bin = common::oracle_bin();
    for example in common::examples() {
        let dir = tempfile::tempdir().unwrap();
        let (deploy, secrets) = (dir.path().join("deploy"), dir.path().join("secrets"));
        for (command, out) in [("render", &deploy), ("crypto", &secrets)] {
            let o = common::fabgen()
                .args([command, example.to_str().unwrap(), "-o", out.to_str().unwrap()])
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        let result = Command::new(bin.join("python"))
            .arg(common::root().join("tests/oracles/crypto.py"))
            .args([&secrets, &deploy])
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&result.stdout).into_owned() + &String::from_utf8_lossy(&result.stderr);
        assert!(result.status.success(), "{}:\n{report}", example.display());
        let summary = report.lines().last().unwrap_or_default();
        assert!(summary.ends_with(" 0 problems"), "{summary}");
        let chains: usize = summary.split(", ").nth(2).and_then(|s| s.split(' ').next()?.parse().ok()).unwrap();
        assert!(chains >= 10, "{}: {summary}", example.display());

        let files: Vec<String> = common::read_tree(&secrets)
            .into_keys()
            .filter(|f| f.ends_with(".yaml"))
            .map(|f| secrets.join(f).display().to_string())
            .collect();
        let result = Command::new(bin.join("kubernetes-validate"))
            .args(["--strict", "--kubernetes-version", KUBERNETES_VERSION, "--no-warn"])
            .args(&files)
            .output()
            .unwrap();
        assert!(result.status.success(), "{}: {}", example.display(), String::from_utf8_lossy(&result.stdout));
    }
}

/// Custody: in a consortium each organisation runs `fabgen crypto --org ORG` at home. What it
/// writes holds ORG's private keys only (every PEM key found, in .pem files and Secret data,
/// matched by Python's `cryptography` against the certificates of every organisation), and its
/// public card (`public/ORG.yaml`) holds no key, only ORG's certificates, issued by the CAs the
/// card names. Together the organisations write exactly the Secrets one operator's run writes,
/// none twice; an `--org` the spec lacks is refused with the known ones.
#[test]
fn each_organisation_keys_only_itself_and_its_card_is_public() {
    let spec = common::root().join("values/consortium.yaml");
    let network = common::generate(&spec).network;
    let orgs: Vec<String> = fabgen::crypto::org_names(&network).into_iter().map(str::to_string).collect();
    assert_eq!(orgs, ["ord-a", "ord-b", "org1", "org2", "org3"]);
    let dir = tempfile::tempdir().unwrap();
    let out = |org: &str| dir.path().join(org);
    let crypto = |extra: &[&str], to: &std::path::Path| {
        let mut args = vec!["crypto", spec.to_str().unwrap(), "-o", to.to_str().unwrap()];
        args.extend(extra);
        common::fabgen().args(&args).output().unwrap()
    };
    for org in &orgs {
        let o = crypto(&["--org", org], &out(org));
        assert!(o.status.success(), "{org}: {}", String::from_utf8_lossy(&o.stderr));
    }
    let all_dirs: Vec<String> = orgs.iter().map(|o| out(o).display().to_string()).collect();
    for org in &orgs {
        let result = Command::new(common::oracle_bin().join("python"))
            .arg(common::root().join("tests/oracles/custody.py"))
            .arg(out(org))
            .arg(org)
            .args(&all_dirs)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&result.stdout).into_owned() + &String::from_utf8_lossy(&result.stderr);
        assert!(result.status.success(), "{org}:\n{report}");
        let keys: usize = report.split(": ").nth(1).and_then(|s| s.split(' ').next()?.parse().ok()).unwrap();
        assert!(keys >= 4, "{org}: {report}");
        assert!(report.contains(" endpoints in SANs") && !report.contains("; 0 endpoints in SANs"), "{org}: {report}");

        let text = std::fs::read_to_string(out(org).join(format!("public/{org}.yaml"))).unwrap();
        let card: fabgen::crypto::card::Card = serde_yaml::from_str(&text).unwrap();
        let ca = std::fs::read_to_string(out(org).join(format!("authorities/{org}/ca.pem"))).unwrap();
        assert_eq!(card.msp.cacert, ca, "{org}: the card names the CA kept at home");
    }

    // The organisations' Secrets together are one operator's, none written twice.
    let secrets = |tree: &std::path::Path| -> Vec<String> {
        common::read_tree(tree).into_keys().filter(|f| f.starts_with("secret-")).collect()
    };
    let mut split: Vec<String> = orgs.iter().flat_map(|o| secrets(&out(o))).collect();
    split.sort();
    let whole = dir.path().join("whole");
    assert!(crypto(&[], &whole).status.success());
    assert_eq!(split, secrets(&whole));

    // Each organisation renders its part from the others' cards: its own objects and the
    // network-wide ones, the others' public material as ConfigMaps equal to their cards, no
    // Secret and no key; network-wide objects as the one-operator render has them.
    let cards = dir.path().join("cards");
    std::fs::create_dir(&cards).unwrap();
    for org in &orgs {
        std::fs::copy(out(org).join(format!("public/{org}.yaml")), cards.join(format!("{org}.yaml"))).unwrap();
    }
    let full = dir.path().join("full");
    assert!(
        common::fabgen()
            .args(["render", spec.to_str().unwrap(), "-o", full.to_str().unwrap()])
            .status()
            .unwrap()
            .success()
    );
    let full = common::read_tree(&full);
    let mut jobs = 0;
    for org in &orgs {
        let part = dir.path().join(format!("part-{org}"));
        for (file, bytes) in common::render_part(&spec, org, &cards, &part)
            .into_iter()
            .filter(|(f, _)| f.ends_with(".yaml") && f != "kustomization.yaml")
        {
            let text = String::from_utf8(bytes.clone()).unwrap();
            assert!(!text.contains("PRIVATE KEY") && !file.starts_with("secret-"), "{org}: {file}");
            let object: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
            let owner = object["metadata"]["labels"]["fabgen.io/org"].as_str();
            assert!(owner.is_none_or(|o| o == org), "{org}'s part holds {file} of {owner:?}");
            if let Some(of) = object["metadata"]["labels"]["fabgen.io/card-of"].as_str() {
                let card: fabgen::crypto::card::Card =
                    serde_yaml::from_str(&std::fs::read_to_string(cards.join(format!("{of}.yaml"))).unwrap()).unwrap();
                assert_eq!(object["data"]["cacert.pem"].as_str(), Some(card.msp.cacert.as_str()), "{org}: {file}");
                assert_eq!(
                    object["data"]["tlscacert.pem"].as_str(),
                    Some(card.msp.tlscacert.as_str()),
                    "{org}: {file}"
                );
            } else if file.starts_with("job-") {
                jobs += 1;
                // Other members act on their own schedule: a part's Jobs wait a year for them.
                let env = object["spec"]["template"]["spec"]["containers"][0]["env"].as_sequence().unwrap();
                let value = |name: &str| env.iter().find(|e| e["name"] == name).and_then(|e| e["value"].as_str());
                assert_eq!(
                    (value("WAIT_SECONDS"), value("RETRY_SECONDS")),
                    (Some("31536000"), Some("30")),
                    "{org}: {file}"
                );
            } else {
                assert_eq!(Some(&bytes), full.get(&file), "{org}: {file} differs from the one-operator render");
            }
        }
    }
    assert_eq!(jobs, full.keys().filter(|f| f.starts_with("job-")).count(), "every Job in exactly one part");
    // A part renders again over itself (its sequence records are its own package's) and
    // `diff --org` sees no drift.
    for command in ["render", "diff"] {
        let part = dir.path().join("part-org1");
        let mut args = vec![command, spec.to_str().unwrap(), "--org", "org1", "--cards", cards.to_str().unwrap()];
        if command == "render" {
            args.push("-o");
        }
        args.push(part.to_str().unwrap());
        let o = common::fabgen().args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{command}: {}", String::from_utf8_lossy(&o.stderr));
    }
    // Every part is valid Kubernetes by an independent judge too.
    let files: Vec<String> = orgs
        .iter()
        .flat_map(|org| {
            let part = dir.path().join(format!("part-{org}"));
            common::read_tree(&part)
                .into_iter()
                .filter(|(f, bytes)| f.ends_with(".yaml") && f != "kustomization.yaml" && !custom_kind(bytes))
                .map(move |(f, _)| part.join(f).display().to_string())
        })
        .collect();
    let result = Command::new(common::oracle_bin().join("kubernetes-validate"))
        .args(["--strict", "--kubernetes-version", KUBERNETES_VERSION, "--no-warn"])
        .args(&files)
        .output()
        .unwrap();
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stdout));

    let o = crypto(&["--org", "org9"], &dir.path().join("none"));
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("--org org9: the spec has no organisation \"org9\" (known: ord-a, ord-b, org1, org2, org3)"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!dir.path().join("none").exists(), "nothing written");
}
