//! Runs fabgen's external builder (`templates/builder/bin/{detect,build,release}`)
//! the way a Fabric peer does (core/container/externalbuilder):
//!
//! * `detect SRC META`, `build SRC META BLD`, `release BLD RELEASE`;
//! * SRC holds the unpacked `code.tar.gz`, META holds the package's raw
//!   `metadata.json`, BLD and RELEASE exist and are empty;
//! * only `PATH` is passed through from the environment, plus
//!   `FABGEN_CHAINCODE_TLS_DIR` (core.yaml `propagateEnvironment`) where a
//!   test says so;
//! * exit 0 is success and only stderr is logged.
//!
//! Also runs `templates/builder/clear-cache BUILDS_DIR`, which the peer's init
//! container uses to drop fabgen's cached builds.
//!
//! The scripts run under `dash` (what `/bin/sh` is on Ubuntu-based Fabric 2.5+
//! peer images) and are checked with `shellcheck -s sh`. Both tools are
//! required: a missing tool fails the tests instead of skipping them.
//!
//! Inputs are made read-only (0555 directories, 0444 files) as a package may
//! be. Root ignores those modes, so every run also compares a snapshot of the
//! inputs (paths, modes, mtimes, contents) before and after.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::SystemTime;

use tempfile::TempDir;

const SCRIPTS: [&str; 3] = ["detect", "build", "release"];

/// Pretty-printed, with escapes in a string and no final newline, so that any
/// rewriting by the scripts shows up in a byte comparison. Without TLS, build
/// and release copy it unchanged.
const CONNECTION_JSON: &str = r#"{
  "address": "marbles-org1.fabric.svc.cluster.local:9999",
  "dial_timeout": "10s",
  "domain": "marbles \"org1\"\tfabric",
  "tls_required": false,
  "client_auth_required": false
}"#;

/// connection.json as fabgen writes it for a TLS chaincode server: compact,
/// one line, final newline, no key material.
const TLS_CONNECTION_JSON: &str = r#"{"address":"chaincode-cc-org1.ns:7052","dial_timeout":"10s","tls_required":true,"client_auth_required":true}
"#;

const TLS_DIR_ENV: &str = "FABGEN_CHAINCODE_TLS_DIR";

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

fn clear_cache_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/builder/clear-cache")
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
        run_script(&script(step), step, args, &[], inputs)
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

/// Runs `path` under dash with only `PATH` and `env` set and an empty working
/// directory, and checks that `inputs` and the working directory are left
/// exactly as they were.
fn run_script(path: &Path, step: &str, args: &[&Path], env: &[(&str, &OsStr)], inputs: &[&Path]) -> Output {
    require_dash();
    let cwd = tempfile::tempdir().unwrap();
    let before: Vec<_> = inputs.iter().map(|p| snapshot(p)).collect();
    let out = Command::new("dash")
        .arg(path)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()))
        .envs(env.iter().copied())
        .current_dir(cwd.path())
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run dash {}: {e}", path.display()));
    for (input, before) in inputs.iter().zip(before) {
        assert!(before == snapshot(input), "{step} modified its input {}\n{}", input.display(), describe(&out));
    }
    assert!(fs::read_dir(cwd.path()).unwrap().next().is_none(), "{step} wrote into its working directory");
    out
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

/// The builder's scripts and the clear-cache tool, by name.
fn all_scripts() -> Vec<(&'static str, PathBuf)> {
    let mut all: Vec<_> = SCRIPTS.iter().map(|name| (*name, script(name))).collect();
    all.push(("clear-cache", clear_cache_script()));
    all
}

#[test]
fn scripts_are_executable_posix_sh_with_set_eu() {
    for (name, path) in all_scripts() {
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
    for (_, path) in all_scripts() {
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
// build: TLS completion from FABGEN_CHAINCODE_TLS_DIR

/// Fake PEM text shaped like openssl's output (not a real certificate or key):
/// `lines` full 64-character lines of base64 characters derived from `seed`, a
/// shorter last line, and a final newline.
fn fake_pem(label: &str, seed: &str, lines: usize) -> String {
    const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut state =
        seed.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let mut next = || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        char::from(BASE64[(state >> 58) as usize])
    };
    let mut text = format!("-----BEGIN {label}-----\n");
    for _ in 0..lines {
        text.extend((0..64).map(|_| next()));
        text.push('\n');
    }
    text.extend((0..22).map(|_| next()));
    text.push_str("==\n");
    text.push_str(&format!("-----END {label}-----\n"));
    text
}

/// The files of the peer's chaincode TLS directory.
struct TlsFiles {
    ca: String,
    cert: String,
    key: String,
}

impl TlsFiles {
    fn new() -> Self {
        TlsFiles {
            ca: fake_pem("CERTIFICATE", "chaincode TLS CA", 10),
            cert: fake_pem("CERTIFICATE", "peer0-org1 client certificate", 11),
            key: fake_pem("PRIVATE KEY", "peer0-org1 client key", 3),
        }
    }

    fn all(&self) -> Vec<(&'static str, &str)> {
        vec![("ca.crt", &self.ca), ("tls.crt", &self.cert), ("tls.key", &self.key)]
    }
}

/// A package with `connection` as its connection.json and META-INF indexes,
/// and a read-only TLS directory holding `files`; all inputs are sealed.
fn tls_peer(connection: &str, files: &[(&str, &str)]) -> (Peer, PathBuf) {
    let peer = Peer::with_package(COMPACT_METADATA, true);
    fs::write(peer.src.join("connection.json"), connection).unwrap();
    let dir = peer.root.path().join("chaincode tls [*]");
    fs::create_dir(&dir).unwrap();
    for (name, contents) in files {
        fs::write(dir.join(name), contents).unwrap();
    }
    set_modes(&dir, 0o555, 0o444);
    peer.seal_inputs();
    (peer, dir)
}

impl Peer {
    /// Runs build with `FABGEN_CHAINCODE_TLS_DIR` set to `tls_env` (unset for
    /// None); `tls_dir` is checked to be left unchanged.
    fn build_tls(&self, tls_env: Option<&OsStr>, tls_dir: &Path) -> Output {
        let env: Vec<(&str, &OsStr)> = tls_env.map(|v| (TLS_DIR_ENV, v)).into_iter().collect();
        run_script(
            &script("build"),
            "build",
            &[&self.src, &self.meta, &self.bld],
            &env,
            &[&self.src, &self.meta, tls_dir],
        )
    }
}

fn parse_object(bytes: &[u8]) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::from_slice(bytes) {
        Ok(serde_json::Value::Object(map)) => map,
        Ok(other) => panic!("not a JSON object: {other}"),
        Err(e) => panic!("invalid JSON ({e}): {}", String::from_utf8_lossy(bytes)),
    }
}

/// The package's object plus the given PEM fields.
fn completed(connection: &str, fields: &[(&str, &str)]) -> serde_json::Map<String, serde_json::Value> {
    let mut expected = parse_object(connection.as_bytes());
    for (key, pem) in fields {
        assert!(expected.insert(key.to_string(), (*pem).into()).is_none(), "fixture already has {key}");
    }
    expected
}

fn mode(path: impl AsRef<Path>) -> u32 {
    fs::metadata(path.as_ref()).unwrap().permissions().mode() & 0o7777
}

/// Neither output stream shows any line of the private key.
fn assert_no_key_text(out: &Output, key: &str) {
    let streams = [String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)];
    for line in key.lines().filter(|l| !l.starts_with("-----")) {
        for stream in &streams {
            assert!(!stream.contains(line), "key text {line:?} leaked: {}", describe(out));
        }
    }
    assert!(streams.iter().all(|s| !s.contains("PRIVATE KEY")), "key text leaked: {}", describe(out));
}

#[test]
fn build_completes_tls_with_client_auth() {
    let tls = TlsFiles::new();
    let (peer, dir) = tls_peer(TLS_CONNECTION_JSON, &tls.all());
    let out = peer.build_tls(Some(dir.as_os_str()), &dir);
    assert_success("build", &out);
    assert_no_key_text(&out, &tls.key);

    let built = read(peer.bld.join("connection.json"));
    assert_eq!(
        parse_object(&built),
        completed(TLS_CONNECTION_JSON, &[("root_cert", &tls.ca), ("client_cert", &tls.cert), ("client_key", &tls.key)])
    );
    // A compact package stays one compact line: the package's text first.
    let prefix = TLS_CONNECTION_JSON.trim_end().strip_suffix('}').unwrap();
    let text = String::from_utf8(built.clone()).unwrap();
    assert!(text.starts_with(prefix) && text.ends_with("}\n") && text.lines().count() == 1, "{text}");
    assert_eq!(mode(peer.bld.join("connection.json")), 0o600, "BLD/connection.json holds a private key");
    assert_eq!(read(peer.bld.join(INDEX_PATH)), INDEX_JSON.as_bytes());
    assert_usable_by_peer(&peer.bld);

    let out = peer.release();
    assert_success("release", &out);
    let released = peer.rel.join("chaincode/server/connection.json");
    assert_eq!(read(&released), built);
    assert_eq!(mode(&released), 0o600, "RELEASE/chaincode/server/connection.json holds a private key");
    assert_eq!(read(peer.rel.join("statedb/couchdb/indexes/indexOwner.json")), INDEX_JSON.as_bytes());
    assert_usable_by_peer(&peer.rel);
}

#[test]
fn build_tls_without_client_auth_adds_only_root_cert() {
    let tls = TlsFiles::new();
    let connections = [
        r#"{"address":"chaincode-cc-org1.ns:7052","dial_timeout":"10s","tls_required":true,"client_auth_required":false}"#,
        "{\"address\":\"chaincode-cc-org1.ns:7052\",\"tls_required\":true}\n",
        "{\"address\":\"cc:7052\",\"tls_required\":true,\"client_auth_required\":null}\n",
    ];
    for connection in connections {
        // Only ca.crt: the client certificate and key are not needed.
        let (peer, dir) = tls_peer(connection, &[("ca.crt", &tls.ca)]);
        let out = peer.build_tls(Some(dir.as_os_str()), &dir);
        assert_success("build", &out);
        let built = read(peer.bld.join("connection.json"));
        assert_eq!(parse_object(&built), completed(connection, &[("root_cert", &tls.ca)]), "{connection}");
        assert_eq!(listing(&peer.bld).len(), listing(&peer.src).len() - 1, "everything but README.md");
        assert_usable_by_peer(&peer.bld);
        assert_success("release", &peer.release());
        assert_eq!(read(peer.rel.join("chaincode/server/connection.json")), built);
    }
}

#[test]
fn build_tls_accepts_pretty_printed_connection_json() {
    let tls = TlsFiles::new();
    let connections = [
        // serde_json / Go MarshalIndent style, final newline
        "{\n  \"address\": \"chaincode-cc-org1.ns:7052\",\n  \"dial_timeout\": \"10s\",\n  \"tls_required\": true,\n  \"client_auth_required\": true\n}\n",
        // CRLF and tabs, key, colon and value on separate lines, no final newline
        "{\r\n\t\"address\"\r\n\t:\r\n\t\"cc:7052\" ,\r\n\t\"tls_required\"\r\n\t:\r\n\ttrue\r\n\t,\r\n\t\"client_auth_required\" :\ttrue\r\n}",
        // one line, spaces everywhere, TLS keys first, a domain
        " { \"tls_required\" : true , \"client_auth_required\" : true , \"address\" : \"cc:7052\" , \"domain\" : \"cc.ns, \\\"x\\\"\" } \n\n",
    ];
    for connection in connections {
        let (peer, dir) = tls_peer(connection, &tls.all());
        let out = peer.build_tls(Some(dir.as_os_str()), &dir);
        assert_success("build", &out);
        assert_eq!(
            parse_object(&read(peer.bld.join("connection.json"))),
            completed(connection, &[("root_cert", &tls.ca), ("client_cert", &tls.cert), ("client_key", &tls.key)]),
            "{connection:?}"
        );
        assert_eq!(mode(peer.bld.join("connection.json")), 0o600);
    }
}

#[test]
fn build_tls_escapes_pem_text_for_json() {
    // Explanatory text before the PEM block (RFC 7468 allows it) with quotes
    // and backslashes, CRLF line ends, and a file without a final newline.
    let tls = TlsFiles::new();
    let ca = format!("Subject: \"CN=chaincode CA\\\\org1\"\n{}", tls.ca).replace('\n', "\r\n");
    let cert = tls.cert.trim_end().to_string();
    let files = [("ca.crt", ca.as_str()), ("tls.crt", cert.as_str()), ("tls.key", tls.key.as_str())];
    let (peer, dir) = tls_peer(TLS_CONNECTION_JSON, &files);
    let out = peer.build_tls(Some(dir.as_os_str()), &dir);
    assert_success("build", &out);
    let built = parse_object(&read(peer.bld.join("connection.json")));
    assert_eq!(built["root_cert"], ca.replace('\r', ""), "carriage returns are dropped");
    assert_eq!(built["client_cert"], cert, "no line feed is added");
    assert_eq!(built["client_key"], tls.key);
}

#[test]
fn build_tls_fails_without_usable_tls_material() {
    let tls = TlsFiles::new();
    let full = tls.all();
    let without =
        |name: &str| -> Vec<(&'static str, &str)> { full.iter().copied().filter(|(n, _)| *n != name).collect() };
    let escaped_key = serde_json::to_string(&tls.key).unwrap();
    let with_key = format!(
        r#"{{"address":"cc:7052","tls_required":true,"client_auth_required":true,"client_key":{escaped_key}}}"#
    );
    let root_only = r#"{"address":"cc:7052","tls_required":true}"#;
    let with_root = format!(r#"{{"address":"cc:7052","tls_required":true,"root_cert":{escaped_key}}}"#);
    let with_cert = r#"{"address":"cc:7052","tls_required":true,"Client_Cert":"x"}"#;

    enum Env {
        Unset,
        Empty,
        Dir,
    }
    /// (case, connection.json, FABGEN_CHAINCODE_TLS_DIR, files, words in the message)
    type Case<'a> = (&'a str, &'a str, Env, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        ("variable unset", TLS_CONNECTION_JSON, Env::Unset, full.clone(), TLS_DIR_ENV),
        ("variable empty", TLS_CONNECTION_JSON, Env::Empty, full.clone(), TLS_DIR_ENV),
        ("variable unset, no client auth", root_only, Env::Unset, full.clone(), TLS_DIR_ENV),
        ("missing ca.crt", TLS_CONNECTION_JSON, Env::Dir, without("ca.crt"), "ca.crt"),
        ("missing ca.crt, no client auth", root_only, Env::Dir, vec![], "ca.crt"),
        (
            "empty ca.crt",
            TLS_CONNECTION_JSON,
            Env::Dir,
            vec![("ca.crt", ""), ("tls.crt", &tls.cert), ("tls.key", &tls.key)],
            "ca.crt",
        ),
        (
            "ca.crt not PEM",
            TLS_CONNECTION_JSON,
            Env::Dir,
            vec![("ca.crt", "not a certificate\n"), ("tls.crt", &tls.cert), ("tls.key", &tls.key)],
            "ca.crt",
        ),
        ("missing tls.key", TLS_CONNECTION_JSON, Env::Dir, without("tls.key"), "tls.key"),
        (
            "empty tls.key",
            TLS_CONNECTION_JSON,
            Env::Dir,
            vec![("ca.crt", &tls.ca), ("tls.crt", &tls.cert), ("tls.key", "")],
            "tls.key",
        ),
        ("missing tls.crt", TLS_CONNECTION_JSON, Env::Dir, without("tls.crt"), "tls.crt"),
        ("package with client_key", &with_key, Env::Dir, full.clone(), "key material does not belong in the package"),
        ("package with root_cert", &with_root, Env::Dir, full.clone(), "key material does not belong in the package"),
        ("package with Client_Cert", with_cert, Env::Dir, full.clone(), "key material does not belong in the package"),
        (
            "tls_required as a string",
            r#"{"address":"cc:7052","tls_required":"true"}"#,
            Env::Dir,
            full.clone(),
            "boolean",
        ),
        (
            "client_auth_required as a string",
            r#"{"address":"cc:7052","tls_required":true,"client_auth_required":"true"}"#,
            Env::Dir,
            full.clone(),
            "boolean",
        ),
        (
            "tls_required twice",
            r#"{"address":"cc:7052","tls_required":false,"TLS_REQUIRED":true}"#,
            Env::Dir,
            full.clone(),
            "more than once",
        ),
    ];
    for (case, connection, env, files, words) in cases {
        let (peer, dir) = tls_peer(connection, &files);
        let value = match env {
            Env::Unset => None,
            Env::Empty => Some(OsStr::new("")),
            Env::Dir => Some(dir.as_os_str()),
        };
        let out = peer.build_tls(value, &dir);
        assert_failure("build", &out, case);
        assert_eq!(out.status.code(), Some(1), "{case}: {}", describe(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(words), "{case}: message should say {words:?}: {}", describe(&out));
        assert_no_key_text(&out, &tls.key);
        assert!(!peer.bld.join("connection.json").exists(), "{case}: build wrote connection.json");
        assert!(listing(&peer.bld).is_empty(), "{case}: build left output behind");
    }
}

#[test]
fn build_without_tls_copies_connection_json_byte_for_byte() {
    let tls = TlsFiles::new();
    let connections = [
        CONNECTION_JSON,
        "{\"address\":\"chaincode-cc-org1.ns:7052\",\"dial_timeout\":\"10s\"}\n",
        "{\"address\":\"cc:7052\",\"tls_required\":false,\"client_auth_required\":true}\n",
        "{ \"address\" : \"cc:7052\" ,\r\n \"tls_required\" : null }",
        // The peer ignores these without TLS; they are copied as before.
        r#"{"address":"cc:7052","tls_required":false,"root_cert":"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}"#,
    ];
    for connection in connections {
        // The TLS directory is ignored, whether the variable is set or not.
        for set in [false, true] {
            let (peer, dir) = tls_peer(connection, &tls.all());
            let out = peer.build_tls(set.then_some(dir.as_os_str()), &dir);
            assert_success("build", &out);
            assert_eq!(read(peer.bld.join("connection.json")), connection.as_bytes(), "{connection:?}");
            assert_usable_by_peer(&peer.bld);
        }
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

// ---------------------------------------------------------------------------
// clear-cache

/// `<peer.fileSystemPath>/externalbuilder/builds` with spaces and glob
/// characters in its path.
fn builds_dir() -> (TempDir, PathBuf) {
    let root = tempfile::Builder::new().prefix("fabgen builds [*] ").tempdir().expect("create temp dir");
    let builds = root.path().join("externalbuilder").join("builds");
    fs::create_dir_all(&builds).unwrap();
    (root, builds)
}

/// A cached build as the peer leaves it: bld/, release/ and, when given,
/// build-info.json.
fn write_cached_build(builds: &Path, ccid: &str, build_info: Option<&str>) {
    let dir = builds.join(ccid);
    Peer::write(&dir, "bld/connection.json", TLS_CONNECTION_JSON);
    Peer::write(&dir, "release/chaincode/server/connection.json", TLS_CONNECTION_JSON);
    if let Some(info) = build_info {
        fs::write(dir.join("build-info.json"), info).unwrap();
    }
}

fn clear_cache(args: &[&Path]) -> Output {
    run_script(&clear_cache_script(), "clear-cache", args, &[], &[])
}

#[test]
fn clear_cache_removes_only_fabgen_builds() {
    let (_root, builds) = builds_dir();
    let hex = "5f4dcc3b5aa765d61d8327deb882cf99e5c5d3d29c1f4a2b8e9d0c7f6a5b4c3d";
    let removed = [
        (format!("marbles_1.0:{hex}"), "{\"builder_name\":\"fabgen\"}"),
        (format!("assets:{hex}"), "{\n  \"builder_name\" : \"fabgen\"\n}\n"),
        ("marbles:abc".to_string(), "{ \"builder_name\": \"fabgen\" }"),
        ("with space:def".to_string(), "{\"builder_name\":\t\"fabgen\"}\r\n"),
    ];
    let kept = [
        (format!("basic_1.0:{hex}"), Some("{\"builder_name\":\"ccaas_builder\"}")),
        (format!("nobuildinfo:{hex}"), None),
        ("other space:abc".to_string(), Some("{\"builder_name\":\"k8s_builder\"}")),
        ("fabgen2:abc".to_string(), Some("{\"builder_name\":\"fabgen2\"}")),
        ("upper:abc".to_string(), Some("{\"builder_name\":\"Fabgen\"}")),
        ("garbled:abc".to_string(), Some("{\"builder_name\":")),
        ("empty:abc".to_string(), Some("")),
        ("name in value:abc".to_string(), Some("{\"builder\":\"builder_name\",\"x\":\"fabgen\"}")),
        ("twice:abc".to_string(), Some("{\"builder_name\":\"fabgen\",\"builder_name\":\"ccaas_builder\"}")),
    ];
    for (ccid, info) in &removed {
        write_cached_build(&builds, ccid, Some(info));
    }
    for (ccid, info) in &kept {
        write_cached_build(&builds, ccid, *info);
    }
    // build-info.json that is a directory, and a stray file
    write_cached_build(&builds, "infodir:abc", None);
    fs::create_dir(builds.join("infodir:abc/build-info.json")).unwrap();
    fs::write(builds.join("stray file"), "{\"builder_name\":\"fabgen\"}").unwrap();
    let kept_snapshots: Vec<_> =
        kept.iter().map(|(ccid, _)| builds.join(ccid)).map(|dir| (snapshot(&dir), dir)).collect();

    let out = clear_cache(&[&builds]);
    assert_success("clear-cache", &out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for (ccid, _) in &removed {
        assert!(!builds.join(ccid).exists(), "{ccid} was not removed");
        assert!(stderr.contains(&format!("fabgen-builder clear-cache: removed cached build {ccid}\n")), "{stderr}");
    }
    for (before, dir) in &kept_snapshots {
        assert!(*before == snapshot(dir), "{} was changed", dir.display());
    }
    let mut expected: BTreeSet<String> = kept.iter().map(|(ccid, _)| format!("{ccid}/")).collect();
    expected.extend(["infodir:abc/".to_string(), "stray file".to_string()]);
    let top: BTreeSet<String> =
        listing(&builds).into_iter().filter(|p| !p.trim_end_matches('/').contains('/')).collect();
    assert_eq!(top, expected);

    // Running again finds nothing more to remove.
    let before = snapshot(&builds);
    assert_success("clear-cache", &clear_cache(&[&builds]));
    assert!(before == snapshot(&builds), "a second run changed the cache");
}

#[test]
fn clear_cache_without_builds_dir_has_nothing_to_clear() {
    let (root, builds) = builds_dir();
    let out = clear_cache(&[&builds]);
    assert_success("clear-cache", &out);
    assert!(builds.is_dir() && listing(&builds).is_empty());

    let missing = root.path().join("never started");
    let out = clear_cache(&[&missing]);
    assert_success("clear-cache", &out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to clear"), "{}", describe(&out));
    assert!(!missing.exists(), "clear-cache created {}", missing.display());
}

#[test]
fn clear_cache_rejects_wrong_arguments() {
    let (root, builds) = builds_dir();
    write_cached_build(&builds, "marbles:abc", Some("{\"builder_name\":\"fabgen\"}"));
    let file = root.path().join("a file");
    fs::write(&file, "").unwrap();
    let before = snapshot(root.path());
    let cases: [(&str, Vec<&Path>); 4] = [
        ("no argument", vec![]),
        ("two arguments", vec![&builds, &builds]),
        ("an empty argument", vec![Path::new("")]),
        ("a file", vec![&file]),
    ];
    for (case, args) in cases {
        let out = clear_cache(&args);
        assert_failure("clear-cache", &out, case);
        assert_eq!(out.status.code(), Some(2), "{case}: {}", describe(&out));
        assert!(before == snapshot(root.path()), "{case}: clear-cache changed files");
    }
}

#[test]
fn clear_cache_reports_failed_removals() {
    let (root, builds) = builds_dir();
    write_cached_build(&builds, "stuck:abc", Some("{\"builder_name\":\"fabgen\"}"));
    write_cached_build(&builds, "free:abc", Some("{\"builder_name\":\"fabgen\"}"));
    let locked = builds.join("stuck:abc/release");
    set_modes(&locked, 0o555, 0o444);
    // Root ignores directory modes, so as root (as in CI) the script runs as the
    // unprivileged uid 65534 through setpriv, on a tree that uid owns, as the peer's
    // init container runs it as a non-root user.
    let privileged = fs::write(locked.join("probe"), "").is_ok();
    let out = if privileged {
        let _ = fs::remove_file(locked.join("probe"));
        chown_tree(root.path(), 65534);
        let out = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "dash"])
            .arg(clear_cache_script())
            .arg(&builds)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()))
            .stdin(Stdio::null())
            .output()
            .expect("setpriv (util-linux) runs the script unprivileged");
        chown_tree(root.path(), 0);
        out
    } else {
        clear_cache(&[&builds])
    };
    set_modes(&locked, 0o755, 0o644);
    assert_failure("clear-cache", &out, "an undeletable build");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stuck:abc"), "{}", describe(&out));
    assert!(!builds.join("free:abc").exists(), "the other build should still be removed");
}

/// Gives a whole tree to `uid` (same gid).
fn chown_tree(root: &Path, uid: u32) {
    std::os::unix::fs::chown(root, Some(uid), Some(uid)).unwrap();
    for entry in fs::read_dir(root).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() && !path.is_symlink() {
            chown_tree(&path, uid);
        } else {
            std::os::unix::fs::lchown(&path, Some(uid), Some(uid)).unwrap();
        }
    }
}
