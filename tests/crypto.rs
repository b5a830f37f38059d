//! `fabgen crypto`: every Secret the rendered pods reference is written, with every key they
//! mount; re-runs keep what exists; rotation, spec changes and validity dates do what they say;
//! the tree is owner-only and never mistaken for a rendered tree. The certificates themselves
//! are judged by Python's `cryptography` in tests/oracles.rs.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use fabgen::crypto::{self, CryptoOptions, Previous, x509::CertInfo};

/// Secrets (and the keys read from each) that the rendered pods reference, and the Secrets
/// cert-manager Certificates create.
fn references(generated: &fabgen::Generated) -> (BTreeMap<String, BTreeSet<String>>, BTreeSet<String>) {
    let mut wanted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut by_cert_manager = BTreeSet::new();
    for object in generated.rendered.objects.values() {
        let json = object.to_json().unwrap();
        if object.kind == "Certificate" {
            by_cert_manager.insert(json["spec"]["secretName"].as_str().unwrap().to_string());
        }
        for pod in common::pod_specs(&json) {
            for volume in pod["volumes"].as_array().into_iter().flatten() {
                let mut secrets = vec![volume["secret"].clone()];
                for source in volume["projected"]["sources"].as_array().into_iter().flatten() {
                    let s = &source["secret"];
                    secrets.push(serde_json::json!({"secretName": s["name"], "items": s["items"]}));
                }
                for secret in secrets.iter().filter(|s| s.is_object()) {
                    let keys = wanted.entry(secret["secretName"].as_str().unwrap().to_string()).or_default();
                    for item in secret["items"].as_array().into_iter().flatten() {
                        keys.insert(item["key"].as_str().unwrap().to_string());
                    }
                }
            }
            let containers = ["containers", "initContainers"].map(|k| pod[k].as_array().cloned().unwrap_or_default());
            for container in containers.iter().flatten() {
                for env in container["env"].as_array().into_iter().flatten() {
                    let r = &env["valueFrom"]["secretKeyRef"];
                    if let Some(name) = r["name"].as_str() {
                        wanted.entry(name.to_string()).or_default().insert(r["key"].as_str().unwrap().to_string());
                    }
                }
                for from in container["envFrom"].as_array().into_iter().flatten() {
                    if let Some(name) = from["secretRef"]["name"].as_str() {
                        wanted.entry(name.to_string()).or_default();
                    }
                }
            }
        }
    }
    (wanted, by_cert_manager)
}

fn options() -> CryptoOptions {
    CryptoOptions::at(crypto::parse_date("2026-06-01").unwrap())
}

#[test]
fn every_secret_the_pods_reference_is_written_with_the_keys_they_mount() {
    for example in common::examples() {
        let generated = common::generate(&example);
        let material = crypto::generate(&generated.network, &Previous::default(), &options()).unwrap();
        fabgen::check::Checker::new().check(&material.secrets).unwrap();
        let written: BTreeMap<String, serde_json::Value> =
            material.secrets.objects.values().map(|o| (o.name.clone(), o.to_json().unwrap())).collect();
        let (wanted, by_cert_manager) = references(&generated);
        assert!(wanted.len() >= 4, "{}: {wanted:?}", example.display());
        for (name, keys) in &wanted {
            if by_cert_manager.contains(name) {
                assert!(!written.contains_key(name), "{}: {name} is cert-manager's to make", example.display());
                continue;
            }
            let secret = written.get(name).unwrap_or_else(|| panic!("{}: no Secret {name}", example.display()));
            assert_eq!(secret["metadata"]["namespace"], generated.network.namespace.as_str());
            for key in keys {
                assert!(secret["data"].get(key).is_some(), "{}: {name} lacks {key}", example.display());
            }
            // TLS Secrets mounted whole are read as tls.crt / tls.key / ca.crt.
            if name.ends_with("-tls") {
                assert_eq!(secret["type"], "kubernetes.io/tls", "{name}");
                for key in ["tls.crt", "tls.key", "ca.crt"] {
                    assert!(secret["data"].get(key).is_some(), "{name} lacks {key}");
                }
            }
        }
        // Beyond what pods mount: each org's public MSP and admin identity, for the Jobs.
        let mut orgs: Vec<String> = generated.network.orderer_orgs.iter().map(|o| o.name.clone()).collect();
        orgs.extend(generated.network.orgs.iter().map(|o| o.name.clone()));
        for org in &orgs {
            for name in [format!("{org}-org-msp"), format!("{org}-admin-msp"), format!("{org}-admin-tls")] {
                assert!(written.contains_key(&name), "{}: no {name}", example.display());
            }
            for role in ["ca", "tlsca"] {
                assert!(material.authorities.contains_key(&format!("authorities/{org}/{role}.pem")));
                assert!(material.authorities.contains_key(&format!("authorities/{org}/{role}-key.pem")));
            }
        }
        let extra: Vec<&String> = written
            .keys()
            .filter(|n| !wanted.contains_key(*n) && !n.ends_with("-org-msp") && !n.contains("-admin-"))
            .collect();
        assert!(extra.is_empty(), "{}: Secrets nothing uses: {extra:?}", example.display());
    }
}

fn run_crypto(spec: &Path, out: &Path, extra: &[&str]) -> String {
    let o = common::fabgen()
        .args(["crypto", spec.to_str().unwrap(), "-o", out.to_str().unwrap()])
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn secret_data(dir: &Path, name: &str, key: &str) -> Vec<u8> {
    use base64::Engine;
    let text = std::fs::read_to_string(dir.join(format!("secret-{name}.yaml"))).unwrap();
    let value: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    base64::engine::general_purpose::STANDARD.decode(value["data"][key].as_str().unwrap()).unwrap()
}

/// The subject alternative names of `node`'s TLS certificate in a crypto directory, read with
/// x509-parser (`DNSName(…)`).
fn tls_sans(dir: &Path, node: &str) -> Vec<String> {
    let pem = String::from_utf8(secret_data(dir, &format!("{node}-tls"), "tls.crt")).unwrap();
    let cert = x509_parser::pem::parse_x509_pem(pem.as_bytes()).unwrap().1;
    let cert = cert.parse_x509().unwrap();
    let names = cert.subject_alternative_name().unwrap().unwrap().value.general_names.iter();
    names.map(|n| n.to_string()).collect()
}

fn cert_info(dir: &Path, name: &str, key: &str) -> CertInfo {
    CertInfo::parse(std::str::from_utf8(&secret_data(dir, name, key)).unwrap()).unwrap()
}

#[test]
fn a_rerun_keeps_every_file_byte_for_byte_and_the_tree_is_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("secrets");
    let spec = common::root().join("values/multi-org.yaml");
    let first = run_crypto(&spec, &out, &[]);
    assert!(first.contains("kept 0"), "{first}");
    let before = common::read_tree(&out);
    let second = run_crypto(&spec, &out, &[]);
    assert!(second.contains("created 0, renewed 0"), "{second}");
    assert_eq!(before, common::read_tree(&out));

    for entry in walkdir::WalkDir::new(&out) {
        let entry = entry.unwrap();
        let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
        let want = if entry.file_type().is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode, want, "{} is {mode:o}", entry.path().display());
    }
    // `kubectl apply -f DIR` takes the .yaml files of DIR only, in name order: the Namespace
    // first (the render's, byte for byte, so an empty cluster takes the tree), then Secrets;
    // the CA keys sit in a subdirectory as .pem.
    let render = common::generate(&spec);
    let namespace = render.rendered.objects.iter().find(|(_, d)| d.kind == "Namespace").unwrap();
    assert_eq!(before[namespace.0.as_str()], namespace.1.yaml.as_bytes());
    let yaml: Vec<&String> = before.keys().filter(|f| f.ends_with(".yaml")).collect();
    assert_eq!(yaml[0], namespace.0);
    for (file, bytes) in &before {
        if file == namespace.0 {
            continue;
        } else if file.ends_with(".yaml") {
            assert!(!file.contains('/'), "{file}");
            assert!(String::from_utf8_lossy(bytes).contains("kind: Secret\n"), "{file}");
        } else {
            assert!(file == ".fabgen" || (file.starts_with("authorities/") && file.ends_with(".pem")), "{file}");
        }
    }
}

#[test]
fn rotate_replaces_cas_and_keys_but_keeps_logins() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("secrets");
    let spec = common::root().join("values/multi-org.yaml");
    run_crypto(&spec, &out, &[]);
    let key = secret_data(&out, "peer0-bank-tls", "tls.key");
    let ca = std::fs::read(out.join("authorities/bank/ca.pem")).unwrap();
    let password = secret_data(&out, "peer0-bank-couchdb", "password");
    let report = run_crypto(&spec, &out, &["--rotate"]);
    assert!(report.contains("renewed 0"), "{report}");
    assert_ne!(key, secret_data(&out, "peer0-bank-tls", "tls.key"));
    assert_ne!(ca, std::fs::read(out.join("authorities/bank/ca.pem")).unwrap());
    assert_eq!(password, secret_data(&out, "peer0-bank-couchdb", "password"));
}

#[test]
fn a_spec_change_renews_only_what_it_touches() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("secrets");
    let original = std::fs::read_to_string(common::root().join("values/minimal.yaml")).unwrap();
    let spec = dir.path().join("net.yaml");
    std::fs::write(&spec, &original).unwrap();
    run_crypto(&spec, &out, &[]);
    let before = common::read_tree(&out);
    let first_peer = common::generate(&spec).network.orgs[0].peers[0].name.clone();
    let tls = format!("{first_peer}-tls");
    let key_before = secret_data(&out, &tls, "tls.key");
    let namespace =
        serde_yaml::from_str::<serde_yaml::Value>(&original).unwrap()["namespace"].as_str().unwrap().to_string();

    // A new namespace changes every Service name a TLS certificate carries, nothing else.
    let moved = original.replacen(&format!("namespace: {namespace}"), "namespace: moved", 1);
    assert_ne!(moved, original);
    std::fs::write(&spec, &moved).unwrap();
    let report = run_crypto(&spec, &out, &[]);
    assert!(report.contains("created 0,"), "{report}");
    let after = common::read_tree(&out);
    assert_eq!(key_before, secret_data(&out, &tls, "tls.key"), "re-signed with the key it had");
    let tls_file = format!("secret-{tls}.yaml");
    assert_ne!(before[&tls_file], after[&tls_file], "re-signed for the new names");
    let sans = String::from_utf8(secret_data(&out, &tls, "tls.crt")).unwrap();
    let info = x509_parser::pem::parse_x509_pem(sans.as_bytes()).unwrap().1;
    let cert = info.parse_x509().unwrap();
    let names: Vec<String> =
        cert.subject_alternative_name().unwrap().unwrap().value.general_names.iter().map(|n| n.to_string()).collect();
    assert!(names.contains(&format!("DNSName({first_peer}.moved)")), "{names:?}");
    let msp = format!("secret-{first_peer}-msp.yaml");
    let msp_before =
        String::from_utf8_lossy(&before[&msp]).replace(&format!("namespace: {namespace}"), "namespace: moved");
    assert_eq!(msp_before, String::from_utf8_lossy(&after[&msp]), "an MSP carries no Service name: kept");

    // A new peer gets new identities; nothing else changes.
    let grown = moved.replacen("    peers:\n", "    peers:\n      - name: peer9\n", 1);
    assert_ne!(grown, moved);
    std::fs::write(&spec, &grown).unwrap();
    let report = run_crypto(&spec, &out, &[]);
    assert!(report.contains("created 2, renewed 0"), "{report}");
    let grown_tree = common::read_tree(&out);
    // The marker lists the files written, so it gains the new peer's.
    for (file, bytes) in after.iter().filter(|(file, _)| file.as_str() != ".fabgen") {
        assert_eq!(Some(bytes), grown_tree.get(file), "{file} changed");
    }
    let marker = String::from_utf8(grown_tree[".fabgen"].clone()).unwrap();
    assert!(marker.lines().any(|l| l.starts_with("secret-peer9-")), "{marker}");
}

#[test]
fn validity_dates_are_the_ones_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("secrets");
    let spec = common::root().join("values/minimal.yaml");
    run_crypto(&spec, &out, &["--not-before", "2026-03-01", "--days", "90", "--ca-days", "1000"]);
    let generated = common::generate(&spec);
    let orderer = &generated.network.orderer_orgs[0].orderers[0].name;
    let leaf = cert_info(&out, &format!("{orderer}-tls"), "tls.crt");
    let start = crypto::parse_date("2026-03-01").unwrap();
    assert_eq!(leaf.validity.not_before, start);
    assert_eq!(leaf.validity.not_after, start + time::Duration::days(90));
    let ca = cert_info(&out, &format!("{orderer}-tls"), "ca.crt");
    assert_eq!(ca.validity.not_after, start + time::Duration::days(1000));

    // Other dates re-sign every leaf with the key it has.
    let report = run_crypto(&spec, &out, &["--not-before", "2026-04-01", "--days", "30"]);
    assert!(report.contains("created 0,"), "{report}");
    let leaf = cert_info(&out, &format!("{orderer}-tls"), "tls.crt");
    assert_eq!(leaf.validity.not_before, crypto::parse_date("2026-04-01").unwrap());

    // A leaf may not outlive its CA.
    let o = common::fabgen()
        .args(["crypto", spec.to_str().unwrap(), "-o", out.to_str().unwrap(), "--days", "2000"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("would outlive the") && err.contains("--rotate"), "{err}");

    let o = common::fabgen()
        .args(["crypto", spec.to_str().unwrap(), "-o", "x", "--not-before", "2026-13-01"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stderr).contains("no month 13"), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn crypto_and_render_trees_never_replace_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let spec = common::root().join("values/minimal.yaml");
    let secrets = dir.path().join("secrets");
    let deploy = dir.path().join("deploy");
    run_crypto(&spec, &secrets, &[]);
    let o = common::fabgen().args(["render", spec.to_str().unwrap(), "-o", deploy.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success());

    let o =
        common::fabgen().args(["render", spec.to_str().unwrap(), "-o", secrets.to_str().unwrap()]).output().unwrap();
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("it holds private keys"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(secrets.join("authorities").is_dir(), "the keys survive");

    let o = common::fabgen().args(["crypto", spec.to_str().unwrap(), "-o", deploy.to_str().unwrap()]).output().unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("it holds generated manifests"));
    // And the rendered tree holds no key material at all.
    for (file, bytes) in common::read_tree(&deploy) {
        assert!(!String::from_utf8_lossy(&bytes).contains("PRIVATE KEY"), "{file}");
        assert!(!file.starts_with("secret-"), "{file}");
    }
}

/// `orgs[].namespace`: an organisation of a consortium keys and renders its part in a namespace
/// of its own choosing (here org2 in fabric-org2 and ord-b in ordering-b, each alone in its
/// cluster). Its Secrets, their TLS SANs, its Namespace and every object of its part name that
/// namespace and never the network's; the other organisations' parts, rendered from the same
/// cards, are byte-identical to those of the spec without the field (across clusters nobody
/// sees another's namespace). One operator's run, which would put every Secret in one
/// namespace, is refused naming the organisations that live elsewhere, and writes nothing.
#[test]
fn an_organisation_keys_and_renders_its_part_in_its_own_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let original = common::root().join("values/consortium.yaml");
    let text = std::fs::read_to_string(&original).unwrap();
    let own = text.replacen("    cluster: west\n", "    cluster: west\n    namespace: fabric-org2\n", 1).replacen(
        "    cluster: south\n",
        "    cluster: south\n    namespace: ordering-b\n",
        1,
    );
    assert_eq!(own.matches("\n    namespace: ").count(), 2, "the example still places org2 in west, ord-b in south");
    let spec = dir.path().join("own.yaml");
    std::fs::write(&spec, &own).unwrap();
    let fabgen = |args: &[&str]| common::fabgen().args(args).output().unwrap();

    let whole = dir.path().join("whole");
    let o = fabgen(&["crypto", spec.to_str().unwrap(), "-o", whole.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("ord-b in ordering-b, org2 in fabric-org2 run outside the network's namespace fabric-consortium: make each organisation's keys in its own namespace with `fabgen crypto --org ORG`"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!whole.exists());

    let orgs = ["ord-a", "ord-b", "org1", "org2", "org3"];
    let cards = common::cards(&spec, &orgs, dir.path());
    for (org, namespace) in [("org2", "fabric-org2"), ("ord-b", "ordering-b"), ("org1", "fabric-consortium")] {
        let keys = dir.path().join(format!("crypto-{org}"));
        let tree = common::read_tree(&keys);
        assert!(tree.contains_key(&format!("namespace-{namespace}.yaml")), "{org}: {:?}", tree.keys());
        let secrets: Vec<&String> = tree.keys().filter(|f| f.starts_with("secret-")).collect();
        assert!(secrets.len() >= 4, "{org}: {secrets:?}");
        for file in &secrets {
            let value: serde_yaml::Value = serde_yaml::from_slice(&tree[*file]).unwrap();
            assert_eq!(value["metadata"]["namespace"].as_str(), Some(namespace), "{org}: {file}");
        }
        let node = if org.starts_with("ord") { format!("orderer0-{}", &org[4..]) } else { format!("peer0-{org}") };
        let sans = tls_sans(&keys, &node);
        assert!(sans.contains(&format!("DNSName({node}.{namespace}.svc.cluster.local)")), "{org}: {sans:?}");

        let part = dir.path().join(format!("part-{org}"));
        let rendered = common::render_part(&spec, org, &cards, &part);
        assert!(rendered.contains_key(&format!("namespace-{namespace}.yaml")), "{org}");
        let mut namespaced = 0;
        for (file, bytes) in rendered.iter().filter(|(f, _)| f.ends_with(".yaml") && !f.starts_with(".")) {
            let value: serde_yaml::Value = serde_yaml::from_slice(bytes).unwrap();
            if let Some(ns) = value["metadata"]["namespace"].as_str() {
                assert_eq!(ns, namespace, "{org}: {file}");
                namespaced += 1;
            }
        }
        assert!(namespaced >= 10, "{org}: {namespaced} namespaced objects");
        if namespace != "fabric-consortium" {
            for (file, bytes) in tree.iter().chain(rendered.iter()) {
                assert!(
                    !String::from_utf8_lossy(bytes).contains("fabric-consortium"),
                    "{org}: {file} names the network's namespace"
                );
            }
        }
    }

    // The others render exactly what they render without org2's and ord-b's namespaces.
    for org in ["ord-a", "org1", "org3"] {
        let parts: Vec<_> = [&spec, &original]
            .iter()
            .enumerate()
            .map(|(i, s)| common::render_part(s, org, &cards, &dir.path().join(format!("compare-{org}-{i}"))))
            .collect();
        assert_eq!(parts[0], parts[1], "{org}'s part");
    }
}

/// Organisations of one cluster in different namespaces, each keying and rendering its own
/// part: every `<service>.<namespace>` any part names is the namespace of the organisation that
/// runs the service, which is also a name in that node's TLS certificate; and the parts do
/// dial across namespaces (the join Jobs the orderers, the committer the other member's peer).
#[test]
fn parts_in_one_cluster_reach_each_other_in_their_own_namespaces() {
    let dir = tempfile::tempdir().unwrap();
    let spec = common::one_cluster_namespaces(dir.path());
    let namespaces = BTreeMap::from(common::ONE_CLUSTER_NAMESPACES);
    let orgs: Vec<&str> = namespaces.keys().copied().collect();
    let cards = common::cards(&spec, &orgs, dir.path());
    for (org, node) in [("orderer", "orderer0"), ("org1", "peer0-org1"), ("org2", "peer0-org2")] {
        let sans = tls_sans(&dir.path().join(format!("crypto-{org}")), node);
        assert!(sans.contains(&format!("DNSName({node}.{})", namespaces[org])), "{org}: {sans:?}");
    }
    let address = regex::Regex::new(
        r"\b(orderer\d|peer\d-(org\d)|ca-(org\d)|chaincode-[a-z]+-(org\d))\.(ordering|fabric-org1|hyperledger)\b",
    )
    .unwrap();
    let mut seen = BTreeSet::new();
    for org in &orgs {
        let part = common::render_part(&spec, org, &cards, &dir.path().join(format!("part-{org}")));
        for (file, bytes) in &part {
            for m in address.captures_iter(&String::from_utf8_lossy(bytes)) {
                let owner = (2..=4).find_map(|i| m.get(i)).map_or("orderer", |o| o.as_str());
                assert_eq!(&m[5], namespaces[owner], "{org}'s {file} names {}", &m[0]);
                seen.insert((org.to_string(), m[0].to_string()));
            }
        }
        assert!(!part.keys().any(|f| f.starts_with("secret-")), "{org}: no Secret in a rendered part");
    }
    for (org, other) in [
        ("org1", "orderer0.ordering"),
        ("org2", "orderer2.ordering"),
        ("org1", "peer0-org2.hyperledger"),
        ("org2", "peer0-org2.hyperledger"),
        ("orderer", "orderer1.ordering"),
    ] {
        assert!(seen.contains(&(org.to_string(), other.to_string())), "{org}'s part dials {other}: {seen:?}");
    }
}
