//! Chaincode packages, byte for byte, and their package IDs.
//!
//! Fabric's peer (core/chaincode/persistence, `ParseChaincodePackage`) accepts a gzipped tar
//! whose entries are regular files, of which it reads exactly `metadata.json` and
//! `code.tar.gz`; directory entries are rejected. The package ID is
//! `<label>:<lowercase hex sha256 of the whole package file>` (persistence `PackageID`,
//! `fmt.Sprintf("%s:%x", label, hash)`). Every header field that could vary (mtime, uid, gid,
//! owner names, mode, gzip timestamp, entry order) is fixed here, so the ID is known before
//! anything is installed.

use std::cell::RefCell;

use anyhow::{Context, Result};
use flate2::{Compress, Compression, Crc, FlushCompress, Status};
use serde::Serialize;

/// `metadata.json` of a package, with fields in the order the peer CLI writes them.
#[derive(Debug, Serialize)]
pub struct PackageMetadata<'a> {
    /// Source path; empty for chaincode run as a service.
    pub path: &'a str,
    /// Package type, matched by the external builders' `detect`.
    #[serde(rename = "type")]
    pub kind: &'a str,
    /// Package label, the first half of the package ID.
    pub label: &'a str,
}

/// `connection.json`: how the peer dials a chaincode server (fabric
/// core/container/externalbuilder `ChaincodeServerUserData`). TLS flags are JSON booleans.
#[derive(Debug, Serialize)]
pub struct Connection<'a> {
    /// `host:port` of the chaincode Service.
    pub address: &'a str,
    /// Go duration the peer waits for the connection.
    pub dial_timeout: &'a str,
    /// Whether the peer uses TLS to the chaincode server.
    pub tls_required: bool,
    /// Whether the chaincode server requires a client certificate from the peer.
    pub client_auth_required: bool,
}

/// A built package: its bytes and its ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// The gzipped tar the peer installs.
    pub bytes: Vec<u8>,
    /// `<label>:<sha256 hex>`.
    pub id: String,
}

/// A file in `code.tar.gz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeFile {
    /// Path inside the archive, `/`-separated, relative.
    pub path: String,
    /// Contents.
    pub data: Vec<u8>,
}

impl CodeFile {
    /// A regular file.
    pub fn new(path: &str, data: Vec<u8>) -> Self {
        CodeFile { path: path.to_string(), data }
    }
}

/// Builds the package for `metadata` with the given files in `code.tar.gz`.
pub fn build(metadata: &PackageMetadata<'_>, code_files: &[CodeFile]) -> Result<Package> {
    let code = tar_gz(code_files).context("failed to build code.tar.gz")?;
    let metadata_json = serde_json::to_vec(metadata).context("failed to encode metadata.json")?;
    let bytes = tar_gz(&[CodeFile::new("metadata.json", metadata_json), CodeFile::new("code.tar.gz", code)])
        .context("failed to build the chaincode package")?;
    let id = package_id(metadata.label, &bytes);
    Ok(Package { bytes, id })
}

/// The package ID Fabric computes for a package file.
pub fn package_id(label: &str, bytes: &[u8]) -> String {
    format!("{label}:{}", super::digest::sha256_hex(bytes, 32))
}

/// `connection.json` bytes, compact, with a trailing newline.
pub fn connection_json(connection: &Connection<'_>) -> Result<Vec<u8>> {
    let mut out = serde_json::to_vec(connection).context("failed to encode connection.json")?;
    out.push(b'\n');
    Ok(out)
}

/// A deterministic gzipped ustar archive of regular files, in the order given.
fn tar_gz(files: &[CodeFile]) -> Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    for CodeFile { path: name, data } in files {
        let mut header = tar::Header::new_ustar();
        header.set_path(name).with_context(|| format!("bad entry name {name:?}"))?;
        header.set_size(data.len() as u64);
        // The peer CLI writes regular files as 0o100644; a zero mode would make unpacked
        // files unreadable, so never write it (fabric core/container/externalbuilder Untar
        // uses the header mode).
        header.set_mode(0o100644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        tar.append(&header, data.as_slice())?;
    }
    gzip(&tar.into_inner()?)
}

/// The gzip header flate2's `GzBuilder::new().mtime(0)` writes at the default level (RFC 1952):
/// magic, deflate, no flags, a zero mtime (nothing depends on when), no extra flags, OS 255.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];

thread_local! {
    /// One deflate state per thread, reset for each stream: making one zeroes a few hundred
    /// KiB, which was most of the cost of a connection-only package.
    static DEFLATE: RefCell<Compress> = RefCell::new(Compress::new(Compression::default(), false));
}

/// `data` gzipped: the bytes `GzBuilder::new().mtime(0)` writes at the default level, from a
/// reused deflate state (tests compare the two).
fn gzip(data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(GZIP_HEADER.len() + data.len() / 2 + 64);
    out.extend_from_slice(&GZIP_HEADER);
    DEFLATE.with_borrow_mut(|deflate| -> Result<()> {
        deflate.reset();
        loop {
            let read = usize::try_from(deflate.total_in())?;
            out.reserve(data.len() / 4 + 1024);
            if deflate.compress_vec(&data[read..], &mut out, FlushCompress::Finish)? == Status::StreamEnd {
                return Ok(());
            }
        }
    })?;
    let mut crc = Crc::new();
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    // ISIZE: the input's length modulo 2^32.
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    Ok(out)
}

/// `image.json` of a fabric-builder-k8s package: the image to run, pinned by digest.
#[derive(Debug, Serialize)]
pub struct K8sImage<'a> {
    /// Image name without the digest.
    pub name: &'a str,
    /// `sha256:<hex>`.
    pub digest: &'a str,
}

/// The files of a source package, laid out as `peer lifecycle chaincode package` does (fabric
/// core/chaincode/platforms, docs/launcher-facts.md C1): the chaincode under `src/`, a
/// `META-INF` directory (CouchDB indexes) at the top; hidden directories left out (hidden files
/// kept, except under `META-INF`), and per language what the peer CLI leaves out: Node's
/// `node_modules`, Java's `target`, `build`, `out` and `*.class`. Regular files only, sorted,
/// all mode 0644 as the CLI writes them (Node's package validator refuses more).
pub fn source_files(dir: &std::path::Path, language: crate::spec::Language) -> Result<Vec<CodeFile>> {
    use crate::spec::Language;
    let excluded_dirs: &[&str] = match language {
        Language::Golang => &[],
        Language::Node => &["node_modules"],
        Language::Java => &["target", "build", "out"],
    };
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().filter_entry(|e| {
        let name = e.file_name().to_string_lossy();
        e.depth() == 0
            || !e.file_type().is_dir()
            || !(name.starts_with('.') || (e.depth() == 1 && excluded_dirs.contains(&name.as_ref())))
    });
    for entry in walker {
        let entry = entry.with_context(|| format!("failed to read chaincode source '{}'", dir.display()))?;
        if entry.file_type().is_dir() {
            continue;
        }
        if !entry.file_type().is_file() {
            anyhow::bail!("'{}' is not a regular file; packages hold regular files only", entry.path().display());
        }
        let rel = entry.path().strip_prefix(dir).expect("walkdir yields paths under dir");
        let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if (rel.starts_with("META-INF/") && hidden) || (language == Language::Java && rel.ends_with(".class")) {
            continue;
        }
        let path = if rel.starts_with("META-INF/") { rel } else { format!("src/{rel}") };
        let data =
            std::fs::read(entry.path()).with_context(|| format!("failed to read '{}'", entry.path().display()))?;
        files.push(CodeFile::new(&path, data));
    }
    // In archive-path order: top-level META-INF before src/, as the peer CLI writes them.
    files.sort_by(|a, b| a.path.cmp(&b.path));
    if language == Language::Node && !files.iter().any(|f| f.path == "src/package.json") {
        anyhow::bail!("Node chaincode '{}' has no package.json at its root", dir.display());
    }
    if files.is_empty() {
        anyhow::bail!("chaincode source '{}' holds no files", dir.display());
    }
    Ok(files)
}

/// The module path in a `go.mod`: `metadata.json` `path` of a Go package in module mode.
pub fn go_module_path(go_mod: &str) -> Option<String> {
    go_mod
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("module "))
        .map(|m| m.trim().trim_matches('"').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::GzDecoder;
    use std::io::Read;

    fn sample() -> Package {
        let connection = Connection {
            address: "chaincode-marbles-org1.hyperledger:7052",
            dial_timeout: "10s",
            tls_required: false,
            client_auth_required: false,
        };
        let files = [CodeFile::new("connection.json", connection_json(&connection).unwrap())];
        let meta = PackageMetadata { path: "", kind: "fabgen-ccaas", label: "marbles" };
        build(&meta, &files).unwrap()
    }

    /// Reads a tar.gz the way `persistence.ParseChaincodePackage` does: regular files only.
    fn entries(bytes: &[u8]) -> Vec<(String, tar::Header, Vec<u8>)> {
        let mut archive = tar::Archive::new(GzDecoder::new(bytes));
        let mut out = Vec::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            let name = entry.path().unwrap().to_string_lossy().into_owned();
            out.push((name, entry.header().clone(), data));
        }
        out
    }

    /// What `gzip` must equal: flate2's own gzip writer.
    fn flate2_gzip(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut gz = flate2::GzBuilder::new().mtime(0).write(Vec::new(), Compression::default());
        gz.write_all(data).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn gzip_writes_what_flate2s_gzip_writer_writes_with_a_reused_state() {
        // Text-like (compressible) and xorshift (incompressible) data, from empty to several
        // of the writer's 32 KiB buffers, in one thread so the deflate state is reused.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for len in [0, 1, 2, 100, 4095, 32 * 1024, 32 * 1024 + 1, 100_000, 300_000] {
            let text: Vec<u8> = (0..len).map(|i| b"peer chaincode install\n"[i % 23]).collect();
            let noise: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            for data in [&text, &noise] {
                assert_eq!(gzip(data).unwrap(), flate2_gzip(data), "{len} bytes");
            }
        }
    }

    #[test]
    fn package_is_byte_identical_across_builds() {
        assert_eq!(sample(), sample());
    }

    #[test]
    fn outer_archive_has_exactly_the_two_entries_the_peer_reads() {
        let pkg = sample();
        let list = entries(&pkg.bytes);
        let names: Vec<&str> = list.iter().map(|(n, ..)| n.as_str()).collect();
        assert_eq!(names, ["metadata.json", "code.tar.gz"]);
        for (name, header, _) in &list {
            assert_eq!(header.entry_type(), tar::EntryType::Regular, "{name}");
            assert_eq!(header.mtime().unwrap(), 0);
            assert_eq!(header.uid().unwrap(), 0);
            assert_eq!(header.gid().unwrap(), 0);
            assert_eq!(header.mode().unwrap() & 0o777, 0o644);
        }
        let meta: serde_json::Value = serde_json::from_slice(&list[0].2).unwrap();
        assert_eq!(meta, serde_json::json!({"path": "", "type": "fabgen-ccaas", "label": "marbles"}));
    }

    #[test]
    fn connection_json_sits_at_the_root_of_code_tar_gz_with_real_booleans() {
        let pkg = sample();
        let list = entries(&pkg.bytes);
        let code = entries(&list[1].2);
        assert_eq!(code.len(), 1);
        assert_eq!(code[0].0, "connection.json");
        let conn: serde_json::Value = serde_json::from_slice(&code[0].2).unwrap();
        assert_eq!(conn["address"], "chaincode-marbles-org1.hyperledger:7052");
        assert_eq!(conn["tls_required"], serde_json::Value::Bool(false));
        assert_eq!(conn["client_auth_required"], serde_json::Value::Bool(false));
        assert_eq!(conn["dial_timeout"], "10s");
    }

    #[test]
    fn gzip_header_has_no_timestamp_or_name() {
        let pkg = sample();
        assert_eq!(&pkg.bytes[0..2], &[0x1f, 0x8b]);
        assert_eq!(pkg.bytes[3] & 0x08, 0, "FNAME flag must be clear");
        assert_eq!(&pkg.bytes[4..8], &[0, 0, 0, 0], "MTIME must be zero");
    }

    #[test]
    fn package_id_is_label_and_sha256_of_the_whole_file() {
        // sha256 of the empty input, a published test vector.
        assert_eq!(package_id("x", b""), "x:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        let pkg = sample();
        assert!(pkg.id.starts_with("marbles:"));
        assert_eq!(pkg.id, package_id("marbles", &pkg.bytes));
    }

    #[test]
    fn a_different_address_gives_a_different_package_id() {
        let connection = Connection {
            address: "chaincode-marbles-org2.hyperledger:7052",
            dial_timeout: "10s",
            tls_required: false,
            client_auth_required: false,
        };
        let files = [CodeFile::new("connection.json", connection_json(&connection).unwrap())];
        let meta = PackageMetadata { path: "", kind: "fabgen-ccaas", label: "marbles" };
        assert_ne!(build(&meta, &files).unwrap().id, sample().id);
    }
}

#[cfg(test)]
mod source_tests {
    use super::*;

    use crate::spec::Language;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    fn paths(dir: &tempfile::TempDir, language: Language) -> Vec<String> {
        source_files(dir.path(), language).unwrap().into_iter().map(|f| f.path).collect()
    }

    #[test]
    fn source_files_go_under_src_and_meta_inf_on_top() {
        let dir = tree(&[
            ("go.mod", "module example.com/cc\n"),
            ("main.go", "package main\n"),
            (".golangci.yml", "x"),
            (".git/HEAD", "x"),
            ("META-INF/statedb/couchdb/indexes/i.json", "{}"),
            ("META-INF/statedb/couchdb/indexes/.hidden", "x"),
        ]);
        assert_eq!(
            paths(&dir, Language::Golang),
            ["META-INF/statedb/couchdb/indexes/i.json", "src/.golangci.yml", "src/go.mod", "src/main.go"]
        );
    }

    #[test]
    fn leaves_out_what_the_peer_cli_leaves_out_per_language() {
        let node = tree(&[
            ("package.json", "{}"),
            ("index.js", ""),
            ("node_modules/x/index.js", ""),
            ("lib/node_modules/y", ""),
        ]);
        assert_eq!(paths(&node, Language::Node), ["src/index.js", "src/lib/node_modules/y", "src/package.json"]);
        let java = tree(&[
            ("build.gradle", ""),
            ("build/x.jar", ""),
            ("target/y", ""),
            ("src/A.java", ""),
            ("src/A.class", ""),
        ]);
        assert_eq!(paths(&java, Language::Java), ["src/build.gradle", "src/src/A.java"]);
        let no_manifest = tree(&[("index.js", "")]);
        let err = source_files(no_manifest.path(), Language::Node).unwrap_err().to_string();
        assert!(err.contains("no package.json"), "{err}");
    }

    #[test]
    fn reads_the_go_module_path() {
        assert_eq!(go_module_path("// c\nmodule github.com/x/y\n\ngo 1.22\n").as_deref(), Some("github.com/x/y"));
        assert_eq!(go_module_path("go 1.22\n"), None);
    }

    #[test]
    fn every_source_file_is_written_0644_whatever_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tree(&[("build.sh", "#!/bin/sh\n"), ("App.java", "class App {}\n")]);
        std::fs::set_permissions(dir.path().join("build.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
        let a = build(
            &PackageMetadata { path: "cc", kind: "java", label: "app" },
            &source_files(dir.path(), Language::Java).unwrap(),
        )
        .unwrap();
        std::fs::set_permissions(dir.path().join("build.sh"), std::fs::Permissions::from_mode(0o600)).unwrap();
        let b = build(
            &PackageMetadata { path: "cc", kind: "java", label: "app" },
            &source_files(dir.path(), Language::Java).unwrap(),
        )
        .unwrap();
        assert_eq!(a, b, "the package ID depends on content only, not on checkout modes");
    }
}
