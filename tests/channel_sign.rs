//! `fabgen channel sign` and `fabgen channel envelope`: each organisation signs a channel
//! configuration update with its own admin key, offline, and the signatures are gathered into
//! the envelope the submitter sends. Judged by Python's `cryptography` with a protobuf reader
//! of its own (tests/oracles/config_signatures.py).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fabgen::crypto::proto::{ConfigGroup, ConfigSignature, ConfigUpdate};
use prost::Message;

/// org3 joins `mychannel`: the Application group's membership changes (version 1 -> 2) and
/// org3's group is new, as configtxlator compute_update writes such an update.
fn org3_joins() -> Vec<u8> {
    let member = |version| ConfigGroup { version, ..Default::default() };
    let read_application = ConfigGroup {
        version: 1,
        groups: BTreeMap::from([("org1MSP".into(), member(0)), ("org2MSP".into(), member(0))]),
        ..Default::default()
    };
    let mut write_application = read_application.clone();
    write_application.version = 2;
    write_application.mod_policy = "Admins".into();
    write_application
        .groups
        .insert("org3MSP".into(), ConfigGroup { mod_policy: "Admins".into(), ..Default::default() });
    let channel = |application| ConfigGroup {
        groups: BTreeMap::from([("Application".to_string(), application)]),
        ..Default::default()
    };
    ConfigUpdate {
        channel_id: "mychannel".into(),
        read_set: Some(channel(read_application)),
        write_set: Some(channel(write_application)),
        isolated_data: BTreeMap::new(),
    }
    .encode_to_vec()
}

struct Setup {
    _dir: tempfile::TempDir,
    root: PathBuf,
    cards: PathBuf,
    update: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let spec = common::root().join("values/tutorial.yaml");
    let cards = common::cards(&spec, &["org1", "org2"], &root);
    let update = root.join("update.pb");
    std::fs::write(&update, org3_joins()).unwrap();
    Setup { _dir: dir, root, cards, update }
}

fn fabgen(args: &[&Path]) -> Output {
    common::fabgen().args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

fn sign(s: &Setup, org: &str) -> (Output, PathBuf) {
    let out = s.root.join(format!("{org}.sig"));
    let crypto = s.root.join(format!("crypto-{org}"));
    let o = fabgen(&[
        Path::new("channel"),
        Path::new("sign"),
        &s.update,
        Path::new("--crypto"),
        &crypto,
        Path::new("-o"),
        &out,
    ]);
    (o, out)
}

fn envelope(update: &Path, signatures: &[&Path], out: &Path) -> Output {
    let mut args: Vec<&Path> = vec![Path::new("channel"), Path::new("envelope"), update];
    for sig in signatures {
        args.extend([Path::new("--signature"), sig]);
    }
    args.extend([Path::new("-o"), out]);
    fabgen(&args)
}

fn judge(s: &Setup, envelope: &Path) -> serde_json::Value {
    let result = Command::new(common::oracle_bin().join("python"))
        .arg(common::root().join("tests/oracles/config_signatures.py"))
        .args([envelope, &s.update, &s.cards])
        .output()
        .unwrap();
    assert!(result.status.success(), "{}", text(&result));
    serde_json::from_slice(&result.stdout).unwrap()
}

#[test]
fn each_organisation_signs_with_its_own_admin_and_the_envelope_carries_both() {
    let s = setup();
    let (o, org1) = sign(&s, "org1");
    assert!(o.status.success(), "{}", text(&o));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(said.starts_with("update of channel mychannel writes:\n"), "{said}");
    assert!(
        said.contains(
            "  /Channel/Application: group, version 2, mod_policy Admins, groups [org1MSP, org2MSP, org3MSP]\n"
        ),
        "{said}"
    );
    assert!(
        said.contains("  /Channel/Application/org3MSP: new group, version 0, mod_policy Admins, groups []\n"),
        "{said}"
    );
    assert!(said.ends_with(&format!("org1 (org1MSP) signed; wrote {}\n", org1.display())), "{said}");
    let (o, org2) = sign(&s, "org2");
    assert!(o.status.success(), "{}", text(&o));

    let tx = s.root.join("update.tx");
    let o = envelope(&s.update, &[&org1, &org2], &tx);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("signed by org1MSP, org2MSP; wrote"), "{}", text(&o));
    let o = fabgen(&[Path::new("channel"), Path::new("inspect"), &tx]);
    assert!(o.status.success(), "{}", text(&o));
    let shown = String::from_utf8_lossy(&o.stdout);
    assert!(shown.starts_with("update of channel mychannel writes:\n"), "{shown}");
    assert!(shown.ends_with("\nsigned by org1MSP, org2MSP\n"), "{shown}");
    let o = fabgen(&[Path::new("channel"), Path::new("inspect"), &s.update]);
    assert!(String::from_utf8_lossy(&o.stdout).ends_with("\nsigned by nobody yet\n"), "{}", text(&o));
    let verdict = judge(&s, &tx);
    assert_eq!(verdict["channel"], "mychannel");
    assert_eq!(verdict["signers"], serde_json::json!(["org1MSP", "org2MSP"]));
    assert_eq!(verdict["problems"], serde_json::json!([]));
    // The judge is no rubber stamp: a flipped bit in a signature is a problem to it.
    use fabgen::crypto::proto::{ConfigUpdateEnvelope, Envelope, Payload};
    let mut outer = Envelope::decode(std::fs::read(&tx).unwrap().as_slice()).unwrap();
    let mut payload = Payload::decode(outer.payload.as_slice()).unwrap();
    let mut inner = ConfigUpdateEnvelope::decode(payload.data.as_slice()).unwrap();
    inner.signatures[1].signature[10] ^= 1;
    payload.data = inner.encode_to_vec();
    outer.payload = payload.encode_to_vec();
    let broken = s.root.join("broken.tx");
    std::fs::write(&broken, outer.encode_to_vec()).unwrap();
    assert_eq!(judge(&s, &broken)["problems"], serde_json::json!(["org2MSP: the signature does not verify"]));
    let o = fabgen(&[Path::new("channel"), Path::new("inspect"), &broken]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("the signature of org2MSP does not verify"), "{}", text(&o));

    // An envelope is an update too: a signature added to it keeps the ones it carries.
    let one = s.root.join("one.tx");
    assert!(envelope(&s.update, &[&org1], &one).status.success());
    let (crypto2, org2_of_one) = (s.root.join("crypto-org2"), s.root.join("org2-of-one.sig"));
    let o = fabgen(&[
        Path::new("channel"),
        Path::new("sign"),
        &one,
        Path::new("--crypto"),
        &crypto2,
        Path::new("-o"),
        &org2_of_one,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let both = s.root.join("both.tx");
    assert!(envelope(&one, &[&org2_of_one], &both).status.success());
    assert_eq!(judge(&s, &both)["signers"], serde_json::json!(["org1MSP", "org2MSP"]));
}

#[test]
fn nothing_unverifiable_or_twice_signed_goes_into_an_envelope() {
    let s = setup();
    let (_, org1) = sign(&s, "org1");
    let tx = s.root.join("update.tx");
    let o = envelope(&s.update, &[&org1, &org1], &tx);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("org1MSP signed twice; give one signature of each organisation"), "{}", text(&o));

    // A signature over another update does not verify.
    let mut signature = ConfigSignature::decode(std::fs::read(&org1).unwrap().as_slice()).unwrap();
    let last = signature.signature.len() - 1;
    signature.signature[last] ^= 1;
    let tampered = s.root.join("tampered.sig");
    std::fs::write(&tampered, signature.encode_to_vec()).unwrap();
    let o = envelope(&s.update, &[&tampered], &tx);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("the signature of org1MSP does not verify"), "{}", text(&o));
    assert!(!tx.exists(), "nothing written");

    let o = envelope(&s.update, &[], &tx);
    assert!(text(&o).contains("no signature: give each organisation's `fabgen channel sign` output"), "{}", text(&o));
    let junk = s.root.join("junk.pb");
    std::fs::write(&junk, b"not protobuf at all").unwrap();
    let o = envelope(&junk, &[&org1], &tx);
    assert!(text(&o).contains("neither a config update envelope nor a ConfigUpdate"), "{}", text(&o));
}

#[test]
fn a_signer_needs_its_own_admin_key_and_card() {
    let s = setup();
    let out = s.root.join("x.sig");
    // The card of org2 is not in org1's directory: org1 cannot sign as org2.
    let crypto1 = s.root.join("crypto-org1");
    let o = fabgen(&[
        Path::new("channel"),
        Path::new("sign"),
        &s.update,
        Path::new("--crypto"),
        &crypto1,
        Path::new("--org"),
        Path::new("org2"),
        Path::new("-o"),
        &out,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("no card of org2"), "{}", text(&o));
    // A directory whose admin Secret is another organisation's is refused.
    let mixed = s.root.join("mixed");
    std::fs::create_dir_all(mixed.join("public")).unwrap();
    std::fs::copy(crypto1.join("public/org1.yaml"), mixed.join("public/org1.yaml")).unwrap();
    let other = std::fs::read_to_string(s.root.join("crypto-org2/secret-org2-admin-msp.yaml")).unwrap();
    std::fs::write(
        mixed.join("secret-org1-admin-msp.yaml"),
        other.replace("name: org2-admin-msp", "name: org1-admin-msp"),
    )
    .unwrap();
    let o = fabgen(&[
        Path::new("channel"),
        Path::new("sign"),
        &s.update,
        Path::new("--crypto"),
        &mixed,
        Path::new("-o"),
        &out,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("Secret org1-admin-msp is not an admin identity of org1's CA"), "{}", text(&o));
    assert!(!out.exists());
}
