//! Runs fabgen's external builder (`templates/builder/bin/{detect,build,release}`)
//! the way a Fabric peer does (core/container/externalbuilder):
//!
//! * `detect SRC META`, `build SRC META BLD`, `release BLD RELEASE`;
//! * SRC holds the unpacked `code.tar.gz`, META holds the package's raw
//!   `metadata.json`, BLD and RELEASE exist and are empty;
//! * only `PATH` is passed through from the environment;
//! * exit 0 is success and only stderr is logged.
//!
//! The scripts run under `dash` (what `/bin/sh` is on Ubuntu-based Fabric 2.5+
//! peer images) and are checked with `shellcheck -s sh`. Both tools are
//! required: a missing tool fails the tests instead of skipping them.
//!
//! Inputs are made read-only (0555 directories, 0444 files) as a package may
//! be. Root ignores those modes, so every run also compares a snapshot of the
//! inputs (paths, modes, mtimes, contents) before and after.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::SystemTime;

use tempfile::TempDir;

const SCRIPTS: [&str; 3] = ["detect", "build", "release"];

/// Pretty-printed, with escaped PEM line breaks and no final newline, so that
/// any rewriting by the scripts shows up in a byte comparison.
const CONNECTION_JSON: &str = r#"{
  "address": "marbles-org1.fabric.svc.cluster.local:9999",
  "dial_timeout": "10s",
  "tls_required": true,
  "client_auth_required": false,
  "root_cert": "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\tZmFiZ2Vu\n-----END CERTIFICATE-----\n"
}"#;

const INDEX_JSON: &str =
    r#"{"index":{"fields":["docType","owner"]},"ddoc":"indexOwnerDoc","name":"indexOwner","type":"json"}"#;
const COLLECTION_INDEX_JSON: &str = r#"{
    "index": {"fields": ["docType", "size"]},
    "ddoc": "indexSizeDoc",
    "name": "indexSize",
    "type": "json"
}
"#;
const INDEX_PATH: &str = "META-INF/statedb/couchdb/indexes/indexOwner.json";
const COLLECTION_INDEX_PATH: &str = "META-INF/statedb/couchdb/collections/collectionMarbles/indexes/indexSize.json";

const COMPACT_METADATA: &str = r#"{"type":"fabgen-ccaas","label":"marbles","path":""}"#;

// ---------------------------------------------------------------------------
// Tools

fn require_tool(tool: &str, probe: &[&str], debian_package: &str) {
    match Command::new(tool).args(probe).stdin(Stdio::null()).output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            panic!("`{tool} {}` failed: {}\n{}", probe.join(" "), out.status, String::from_utf8_lossy(&out.stderr))
        }
        Err(e) if e.kind() == ErrorKind::NotFound => panic!(
            "`{tool}` is not installed but these tests need it; \
             install it with `apt-get install -y {debian_package}`"
        ),
        Err(e) => panic!("cannot run `{tool}`: {e}"),
    }
}

fn require_dash() {
    require_tool("dash", &["-c", "exit 0"], "dash");
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/builder/bin").join(name)
}

fn describe(out: &Output) -> String {
    format!(
        "{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

// ---------------------------------------------------------------------------
// Snapshots of directory trees

#[derive(Debug, PartialEq, Eq)]
enum Node {
    Dir { mode: u32, modified: SystemTime },
    File { mode: u32, modified: SystemTime, bytes: Vec<u8> },
    Other { mode: u32 },
}

/// Every path under `root` (relative; "" is `root` itself) with its kind,
/// permission bits, mtime and, for files, contents.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Node> {
    fn walk(root: &Path, path: &Path, out: &mut BTreeMap<PathBuf, Node>) {
        let md = match fs::symlink_metadata(path) {
            Ok(md) => md,
            Err(e) if e.kind() == ErrorKind::NotFound => return,
            Err(e) => panic!("stat {}: {e}", path.display()),
        };
        let mode = md.permissions().mode() & 0o7777;
        let rel = path.strip_prefix(root).unwrap().to_path_buf();
        if md.is_dir() {
            out.insert(rel, Node::Dir { mode, modified: md.modified().unwrap() });
            for entry in fs::read_dir(path).unwrap() {
                walk(root, &entry.unwrap().path(), out);
            }
        } else if md.is_file() {
            let bytes = fs::read(path).unwrap();
            out.insert(rel, Node::File { mode, modified: md.modified().unwrap(), bytes });
        } else {
            out.insert(rel, Node::Other { mode });
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Paths under `root`, directories with a trailing `/`, `root` itself omitted.
fn listing(root: &Path) -> BTreeSet<String> {
    snapshot(root)
        .into_iter()
        .filter(|(p, _)| !p.as_os_str().is_empty())
        .map(|(p, node)| {
            let p = p.to_str().unwrap().to_owned();
            if matches!(node, Node::Dir { .. }) { p + "/" } else { p }
        })
        .collect()
}

fn set_modes(root: &Path, dir_mode: u32, file_mode: u32) {
    let Ok(md) = fs::symlink_metadata(root) else {
        return;
    };
    if md.is_dir() {
        let _ = fs::set_permissions(root, fs::Permissions::from_mode(dir_mode));
        if let Ok(entries) = fs::read_dir(root) {
            for entry in entries.flatten() {
                set_modes(&entry.path(), dir_mode, file_mode);
            }
        }
    } else if md.is_file() {
        let _ = fs::set_permissions(root, fs::Permissions::from_mode(file_mode));
    }
}

/// What the peer needs from builder output: it can read everything and can
/// delete it later (owner rwx on directories, owner rw on files).
fn assert_usable_by_peer(root: &Path) {
    for (path, node) in snapshot(root) {
        match node {
            Node::Dir { mode, .. } => {
                assert_eq!(mode & 0o700, 0o700, "directory {:?} under {} has mode {mode:o}", path, root.display())
            }
            Node::File { mode, .. } => {
                assert_eq!(mode & 0o600, 0o600, "file {:?} under {} has mode {mode:o}", path, root.display())
            }
            Node::Other { .. } => panic!("unexpected non-regular entry {path:?} under {}", root.display()),
        }
    }
}

// ---------------------------------------------------------------------------
// The directories a peer prepares for one chaincode package

struct Peer {
    root: TempDir,
    src: PathBuf,
    meta: PathBuf,
    bld: PathBuf,
    rel: PathBuf,
}

impl Peer {
    fn new() -> Self {
        // Spaces and glob characters in every path catch unquoted expansions.
        let root = tempfile::Builder::new().prefix("fabgen builder [*] ").tempdir().expect("create temp dir");
        let dir = |name: &str| {
            let p = root.path().join(name);
            fs::create_dir(&p).unwrap();
            p
        };
        let (src, meta, bld, rel) =
            (dir("chaincode source"), dir("chaincode metadata"), dir("build output"), dir("release output"));
        Peer { root, src, meta, bld, rel }
    }

    fn write(dir: &Path, rel: &str, contents: impl AsRef<[u8]>) {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
    }

    fn write_source(&self, rel: &str, contents: impl AsRef<[u8]>) {
        Self::write(&self.src, rel, contents);
    }

    fn write_metadata(&self, contents: impl AsRef<[u8]>) {
        Self::write(&self.meta, "metadata.json", contents);
    }

    /// A complete package: connection.json, both kinds of CouchDB index, an
    /// unrelated source file, and the given metadata.json.
    fn with_package(metadata: &str, meta_inf: bool) -> Self {
        let peer = Peer::new();
        peer.write_source("connection.json", CONNECTION_JSON);
        peer.write_source("README.md", "not part of the build output\n");
        if meta_inf {
            peer.write_source(INDEX_PATH, INDEX_JSON);
            peer.write_source(COLLECTION_INDEX_PATH, COLLECTION_INDEX_JSON);
        }
        peer.write_metadata(metadata);
        peer
    }

    /// Makes the read-only inputs read-only.
    fn seal_inputs(&self) {
        set_modes(&self.src, 0o555, 0o444);
        set_modes(&self.meta, 0o555, 0o444);
    }

    /// Runs `bin/<step>` under dash with a peer-like environment and an empty
    /// working directory, and checks that `inputs` and the working directory
    /// are left exactly as they were.
    fn run(&self, step: &str, args: &[&Path], inputs: &[&Path]) -> Output {
        require_dash();
        let cwd = tempfile::tempdir().unwrap();
        let before: Vec<_> = inputs.iter().map(|p| snapshot(p)).collect();
        let out = Command::new("dash")
            .arg(script(step))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()))
            .current_dir(cwd.path())
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run dash {}: {e}", script(step).display()));
        for (input, before) in inputs.iter().zip(before) {
            assert!(before == snapshot(input), "{step} modified its input {}\n{}", input.display(), describe(&out));
        }
        assert!(fs::read_dir(cwd.path()).unwrap().next().is_none(), "{step} wrote into its working directory");
        out
    }

    fn detect(&self) -> Output {
        self.run("detect", &[&self.src, &self.meta], &[&self.src, &self.meta])
    }

    fn build(&self) -> Output {
        self.run("build", &[&self.src, &self.meta, &self.bld], &[&self.src, &self.meta])
    }

    fn release(&self) -> Output {
        self.run("release", &[&self.bld, &self.rel], &[&self.bld])
    }
}

impl Drop for Peer {
    /// Restores write permission so that TempDir can delete the tree when the
    /// tests do not run as root.
    fn drop(&mut self) {
        set_modes(self.root.path(), 0o755, 0o644);
    }
}

fn assert_success(step: &str, out: &Output) {
    assert!(out.status.success(), "{step} failed: {}", describe(out));
    assert!(out.stdout.is_empty(), "{step} wrote to stdout: {}", describe(out));
}

/// Failure as the peer sees it: non-zero exit, a prefixed message on stderr,
/// nothing on stdout.
fn assert_failure(step: &str, out: &Output, case: &str) {
    assert!(!out.status.success(), "{step} succeeded for {case}: {}", describe(out));
    assert!(out.stdout.is_empty(), "{step} wrote to stdout for {case}: {}", describe(out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("fabgen-builder {step}: ")),
        "{step} gave no prefixed message on stderr for {case}: {}",
        describe(out)
    );
}

fn read(path: impl AsRef<Path>) -> Vec<u8> {
    let path = path.as_ref();
    fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn detect_with(metadata: Option<&str>) -> Output {
    let peer = Peer::new();
    peer.write_source("connection.json", CONNECTION_JSON);
    if let Some(metadata) = metadata {
        peer.write_metadata(metadata);
    }
    peer.seal_inputs();
    peer.detect()
}

// ---------------------------------------------------------------------------
// Static checks

#[test]
fn scripts_are_executable_posix_sh_with_set_eu() {
    for name in SCRIPTS {
        let path = script(name);
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        assert_eq!(text.lines().next(), Some("#!/bin/sh"), "{name}: shebang must be #!/bin/sh");
        assert!(text.lines().any(|l| l.trim() == "set -eu"), "{name}: missing `set -eu`");
        // dash rejects `set -o pipefail` before 0.5.12, which made detect fail
        // on Ubuntu-based peers and silently sent packages to Docker.
        assert!(!text.contains("pipefail"), "{name}: pipefail is not POSIX sh");
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "{name}: must be executable by everyone (mode {mode:o})");
    }
}

#[test]
fn shellcheck_reports_nothing() {
    require_tool("shellcheck", &["--version"], "shellcheck");
    for name in SCRIPTS {
        let path = script(name);
        let out = Command::new("shellcheck").args(["-s", "sh"]).arg(&path).output().expect("run shellcheck");
        assert!(out.status.success(), "shellcheck -s sh {}: {}", path.display(), describe(&out));
    }
}

// ---------------------------------------------------------------------------
// detect

#[test]
fn detect_accepts_compact_metadata() {
    let out = detect_with(Some(COMPACT_METADATA));
    assert_success("detect", &out);
}

#[test]
fn detect_accepts_pretty_printed_metadata() {
    let cases = [
        // `type` not first, spaces around the colon, final newline
        "{\n  \"label\": \"marbles\",\n  \"path\": \"\",\n  \"type\" : \"fabgen-ccaas\"\n}\n",
        // newlines between key, colon and value; tabs
        "{\n\t\"label\":\"marbles\",\n\t\"type\"\n\t:\n\t\"fabgen-ccaas\"\n}",
        // CRLF line ends, type in the middle, trailing whitespace
        "{\r\n  \"path\": \"\",\r\n  \"type\":   \"fabgen-ccaas\"  ,\r\n  \"label\": \"marbles_1.0\"\r\n}\r\n",
        // no path key, everything on one line with spaces
        "{ \"label\" : \"marbles\" , \"type\" : \"fabgen-ccaas\" }",
        // label that merely contains the text "type"
        r#"{"label":"type","type":"fabgen-ccaas"}"#,
    ];
    for metadata in cases {
        let out = detect_with(Some(metadata));
        assert!(out.status.success(), "detect rejected {metadata:?}: {}", describe(&out));
        assert!(out.stdout.is_empty(), "detect wrote to stdout: {}", describe(&out));
    }
}

#[test]
fn detect_rejects_other_types() {
    let types = [
        "ccaas",
        "CCAAS",
        "Ccaas",
        "external",
        "golang",
        "node",
        "java",
        "k8s",
        "K8S",
        "FABGEN-CCAAS",
        "Fabgen-Ccaas",
        "fabgen-ccaas2",
        "fabgen-ccaas ",
        " fabgen-ccaas",
        "my-fabgen-ccaas",
        "fabgen",
        "",
    ];
    for ty in types {
        let metadata = format!(r#"{{"type":"{ty}","label":"marbles","path":""}}"#);
        assert_failure("detect", &detect_with(Some(&metadata)), &metadata);
    }
}

#[test]
fn detect_rejects_our_type_outside_the_type_key() {
    let cases = [
        r#"{"label":"fabgen-ccaas","type":"ccaas"}"#,
        "{\n  \"type\": \"k8s\",\n  \"label\": \"fabgen-ccaas\"\n}",
        r#"{"type":"ccaas","label":"x","path":"{\"type\":\"fabgen-ccaas\"}"}"#,
        r#"{"type":"ccaas","label":"x","path":"a, \"type\": \"fabgen-ccaas\""}"#,
        r#"{"type":"external","fabgen-ccaas":"fabgen-ccaas"}"#,
        r#"{"types":"fabgen-ccaas","label":"x"}"#,
        r#"{"chaincode_type":"fabgen-ccaas","label":"x"}"#,
        // the key is matched exactly as fabgen writes it (lower case)
        r#"{"Type":"fabgen-ccaas","label":"x"}"#,
        r#"{"type":["fabgen-ccaas"],"label":"x"}"#,
        r#"{"type":"fabgen-\u0063caas","label":"x"}"#,
        // ambiguous: a duplicated key is not claimed
        r#"{"type":"ccaas","label":"x","type":"fabgen-ccaas"}"#,
    ];
    for metadata in cases {
        assert_failure("detect", &detect_with(Some(metadata)), metadata);
    }
}

#[test]
fn detect_rejects_missing_empty_or_unusable_metadata() {
    assert_failure("detect", &detect_with(None), "a missing metadata.json");
    for metadata in
        ["", "\n", "   \n\t", "{}", r#"{"label":"marbles","path":""}"#, "fabgen-ccaas\n", "type=fabgen-ccaas\n"]
    {
        assert_failure("detect", &detect_with(Some(metadata)), &format!("metadata.json {metadata:?}"));
    }

    // metadata.json is a directory
    let peer = Peer::new();
    fs::create_dir(peer.meta.join("metadata.json")).unwrap();
    peer.seal_inputs();
    assert_failure("detect", &peer.detect(), "a directory named metadata.json");

    // the metadata directory itself is missing
    let peer = Peer::new();
    let gone = peer.root.path().join("no such dir");
    let out = peer.run("detect", &[&peer.src, &gone], &[&peer.src]);
    assert_failure("detect", &out, "a missing metadata directory");
}

#[test]
fn steps_reject_wrong_argument_counts() {
    let peer = Peer::with_package(COMPACT_METADATA, false);
    peer.seal_inputs();
    let cases: [(&str, Vec<&Path>); 6] = [
        ("detect", vec![&peer.src]),
        ("detect", vec![&peer.src, &peer.meta, &peer.bld]),
        ("build", vec![&peer.src, &peer.meta]),
        ("build", vec![]),
        ("release", vec![&peer.bld]),
        ("release", vec![&peer.bld, &peer.rel, &peer.src]),
    ];
    for (step, args) in cases {
        let out = peer.run(step, &args, &[&peer.src, &peer.meta]);
        assert_failure(step, &out, &format!("{} argument(s)", args.len()));
        assert!(String::from_utf8_lossy(&out.stderr).contains("usage:"), "{}", describe(&out));
    }
    assert!(listing(&peer.bld).is_empty() && listing(&peer.rel).is_empty());
}

// ---------------------------------------------------------------------------
// build

#[test]
fn build_copies_connection_json_and_meta_inf() {
    let peer = Peer::with_package(COMPACT_METADATA, true);
    peer.seal_inputs();
    assert_success("build", &peer.build());

    assert_eq!(read(peer.bld.join("connection.json")), CONNECTION_JSON.as_bytes());
    assert_eq!(read(peer.bld.join(INDEX_PATH)), INDEX_JSON.as_bytes());
    assert_eq!(read(peer.bld.join(COLLECTION_INDEX_PATH)), COLLECTION_INDEX_JSON.as_bytes());
    assert_eq!(
        listing(&peer.bld),
        set(&[
            "META-INF/",
            "META-INF/statedb/",
            "META-INF/statedb/couchdb/",
            "META-INF/statedb/couchdb/collections/",
            "META-INF/statedb/couchdb/collections/collectionMarbles/",
            "META-INF/statedb/couchdb/collections/collectionMarbles/indexes/",
            COLLECTION_INDEX_PATH,
            "META-INF/statedb/couchdb/indexes/",
            INDEX_PATH,
            "connection.json",
        ])
    );
    assert_usable_by_peer(&peer.bld);
}

#[test]
fn build_without_meta_inf_copies_only_connection_json() {
    let peer = Peer::with_package(COMPACT_METADATA, false);
    peer.seal_inputs();
    assert_success("build", &peer.build());
    assert_eq!(listing(&peer.bld), set(&["connection.json"]));
    assert_eq!(read(peer.bld.join("connection.json")), CONNECTION_JSON.as_bytes());
    assert_usable_by_peer(&peer.bld);
}

#[test]
fn build_accepts_address_split_across_lines() {
    let connection = "{\r\n\t\"dial_timeout\": \"10s\",\r\n\t\"address\"\r\n\t:\r\n\t\"cc:9999\"\r\n}";
    let peer = Peer::new();
    peer.write_source("connection.json", connection);
    peer.write_metadata(COMPACT_METADATA);
    peer.seal_inputs();
    assert_success("build", &peer.build());
    assert_eq!(read(peer.bld.join("connection.json")), connection.as_bytes());
}

#[test]
fn build_fails_without_usable_connection_json() {
    // (case, contents, expected words in the message)
    let bad = [
        ("empty", "", "is empty"),
        ("no address key", r#"{"dial_timeout":"10s","tls_required":false}"#, "address"),
        ("empty address", r#"{"address":"","dial_timeout":"10s"}"#, "address"),
        ("address as a value only", r#"{"addr":"address"}"#, "address"),
        ("address not a string", r#"{"address":9999}"#, "address"),
    ];
    for (case, connection, words) in bad {
        let peer = Peer::with_package(COMPACT_METADATA, true);
        fs::write(peer.src.join("connection.json"), connection).unwrap();
        peer.seal_inputs();
        let out = peer.build();
        assert_failure("build", &out, case);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("connection.json") && stderr.contains(words),
            "{case}: message should name connection.json and say {words:?}: {}",
            describe(&out)
        );
        assert!(listing(&peer.bld).is_empty(), "{case}: build left output behind");
    }

    // missing, and a directory in its place
    for as_dir in [false, true] {
        let peer = Peer::new();
        if as_dir {
            fs::create_dir(peer.src.join("connection.json")).unwrap();
        }
        peer.write_source(INDEX_PATH, INDEX_JSON);
        peer.write_metadata(COMPACT_METADATA);
        peer.seal_inputs();
        let out = peer.build();
        let case = if as_dir { "connection.json is a directory" } else { "missing connection.json" };
        assert_failure("build", &out, case);
        assert!(String::from_utf8_lossy(&out.stderr).contains("connection.json"), "{}", describe(&out));
        assert!(listing(&peer.bld).is_empty(), "{case}: build left output behind");
    }
}

// ---------------------------------------------------------------------------
// release

/// Lays out BUILD_OUTPUT_DIR as `build` leaves it, plus a META-INF file that
/// release must not copy, and makes it read-only.
fn peer_with_build_output(statedb: bool) -> Peer {
    let peer = Peer::new();
    Peer::write(&peer.bld, "connection.json", CONNECTION_JSON);
    Peer::write(&peer.bld, "META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n");
    if statedb {
        Peer::write(&peer.bld, INDEX_PATH, INDEX_JSON);
        Peer::write(&peer.bld, COLLECTION_INDEX_PATH, COLLECTION_INDEX_JSON);
    }
    set_modes(&peer.bld, 0o555, 0o444);
    peer
}

#[test]
fn release_writes_server_connection_json_and_statedb() {
    let peer = peer_with_build_output(true);
    assert_success("release", &peer.release());

    assert_eq!(read(peer.rel.join("chaincode/server/connection.json")), CONNECTION_JSON.as_bytes());
    assert_eq!(read(peer.rel.join("statedb/couchdb/indexes/indexOwner.json")), INDEX_JSON.as_bytes());
    assert_eq!(
        read(peer.rel.join("statedb/couchdb/collections/collectionMarbles/indexes/indexSize.json")),
        COLLECTION_INDEX_JSON.as_bytes()
    );
    assert_eq!(
        listing(&peer.rel),
        set(&[
            "chaincode/",
            "chaincode/server/",
            "chaincode/server/connection.json",
            "statedb/",
            "statedb/couchdb/",
            "statedb/couchdb/collections/",
            "statedb/couchdb/collections/collectionMarbles/",
            "statedb/couchdb/collections/collectionMarbles/indexes/",
            "statedb/couchdb/collections/collectionMarbles/indexes/indexSize.json",
            "statedb/couchdb/indexes/",
            "statedb/couchdb/indexes/indexOwner.json",
        ])
    );
    assert_usable_by_peer(&peer.rel);
}

#[test]
fn release_without_statedb_writes_only_connection_json() {
    let peer = peer_with_build_output(false);
    assert_success("release", &peer.release());
    assert_eq!(listing(&peer.rel), set(&["chaincode/", "chaincode/server/", "chaincode/server/connection.json"]));
    assert_eq!(read(peer.rel.join("chaincode/server/connection.json")), CONNECTION_JSON.as_bytes());
    assert_usable_by_peer(&peer.rel);
}

#[test]
fn release_fails_without_connection_json() {
    let peer = Peer::new();
    Peer::write(&peer.bld, INDEX_PATH, INDEX_JSON);
    let out = peer.release();
    assert_failure("release", &out, "a build output without connection.json");
    assert!(String::from_utf8_lossy(&out.stderr).contains("connection.json"), "{}", describe(&out));
    assert!(listing(&peer.rel).is_empty(), "release left output behind");

    let peer = Peer::new();
    assert_failure("release", &peer.release(), "an empty build output");
    assert!(listing(&peer.rel).is_empty(), "release left output behind");
}

// ---------------------------------------------------------------------------
// The whole chain

#[test]
fn detect_build_release_chain() {
    let metadata = "{\n  \"path\": \"\",\n  \"label\": \"marbles_1.0\",\n  \"type\": \"fabgen-ccaas\"\n}\n";
    let peer = Peer::with_package(metadata, true);
    peer.seal_inputs();
    let src_before = snapshot(&peer.src);

    assert_success("detect", &peer.detect());
    assert_success("build", &peer.build());
    assert_usable_by_peer(&peer.bld);
    assert_success("release", &peer.release());
    assert_usable_by_peer(&peer.rel);

    assert_eq!(src_before, snapshot(&peer.src));
    assert_eq!(read(peer.rel.join("chaincode/server/connection.json")), CONNECTION_JSON.as_bytes());
    for (from, to) in [
        (INDEX_PATH, "statedb/couchdb/indexes/indexOwner.json"),
        (COLLECTION_INDEX_PATH, "statedb/couchdb/collections/collectionMarbles/indexes/indexSize.json"),
    ] {
        assert_eq!(read(peer.rel.join(to)), read(peer.src.join(from)), "{to}");
    }
    assert!(!peer.rel.join("README.md").exists() && !peer.bld.join("README.md").exists());
}
