//! Chaincode packages, byte for byte, and their package IDs.
//!
//! Fabric's peer (core/chaincode/persistence, `ParseChaincodePackage`) accepts a gzipped tar
//! whose entries are regular files, of which it reads exactly `metadata.json` and
//! `code.tar.gz`; directory entries are rejected. The package ID is
//! `<label>:<lowercase hex sha256 of the whole package file>` (persistence `PackageID`,
//! `fmt.Sprintf("%s:%x", label, hash)`). Every header field that could vary (mtime, uid, gid,
//! owner names, mode, gzip timestamp, entry order) is fixed here, so the ID is known before
//! anything is installed.

use std::io::Write;

use anyhow::{Context, Result};
use flate2::{Compression, GzBuilder};
use serde::Serialize;
use sha2::{Digest, Sha256};

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

/// Builds the package for `metadata` with the given files in `code.tar.gz`.
pub fn build(metadata: &PackageMetadata<'_>, code_files: &[(&str, Vec<u8>)]) -> Result<Package> {
    let code = tar_gz(code_files).context("failed to build code.tar.gz")?;
    let metadata_json = serde_json::to_vec(metadata).context("failed to encode metadata.json")?;
    let bytes = tar_gz(&[("metadata.json", metadata_json), ("code.tar.gz", code)])
        .context("failed to build the chaincode package")?;
    let id = package_id(metadata.label, &bytes);
    Ok(Package { bytes, id })
}

/// The package ID Fabric computes for a package file.
pub fn package_id(label: &str, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{label}:{hex}")
}

/// `connection.json` bytes, compact, with a trailing newline.
pub fn connection_json(connection: &Connection<'_>) -> Result<Vec<u8>> {
    let mut out = serde_json::to_vec(connection).context("failed to encode connection.json")?;
    out.push(b'\n');
    Ok(out)
}

/// A deterministic gzipped ustar archive of regular files, in the order given.
fn tar_gz(files: &[(&str, Vec<u8>)]) -> Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut header = tar::Header::new_ustar();
        header.set_path(name).with_context(|| format!("bad entry name {name:?}"))?;
        header.set_size(data.len() as u64);
        // The peer CLI writes regular files as 0o100644; a zero mode would make unpacked
        // files unreadable, so never write it.
        header.set_mode(0o100644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        tar.append(&header, data.as_slice())?;
    }
    let tar_bytes = tar.into_inner()?;
    // No file name and a zero mtime in the gzip header: nothing depends on when or where.
    let mut gz = GzBuilder::new().mtime(0).write(Vec::new(), Compression::default());
    gz.write_all(&tar_bytes)?;
    Ok(gz.finish()?)
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
        let files = [("connection.json", connection_json(&connection).unwrap())];
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
        let files = [("connection.json", connection_json(&connection).unwrap())];
        let meta = PackageMetadata { path: "", kind: "fabgen-ccaas", label: "marbles" };
        assert_ne!(build(&meta, &files).unwrap().id, sample().id);
    }
}
