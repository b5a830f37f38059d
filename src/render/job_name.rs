//! A Job's name by content: Kubernetes refuses changes to a Job's pod template, so a Job that
//! does something else must be a new Job, and fabgen appends to each Job's name a digest of
//! its `spec` (the SHA-256 of the spec's compact JSON text, as serde_json writes it).
//!
//! The text is hashed as serde_json writes it, never held whole: a lifecycle Job's spec runs to
//! tens of kB, and holding it meant growing a string through every Job of a large network.

use std::io::{self, Write};

use anyhow::{Context, Result, bail};
use memchr::memmem;
use sha2::{Digest, Sha256};

use super::knobs::TOKEN_PREFIX;
use super::objects::Object;

/// Appends to a Job's name a digest of its `spec`. Knobs would make the digest differ between
/// manifests and charts, so a Job may use none.
pub(super) fn name_by_content(object: &mut Object) -> Result<()> {
    let mut text = SpecText::new();
    serde_json::to_writer(&mut text, &object.value["spec"])
        .with_context(|| format!("{} has a Job spec that is not JSON", object.origin))?;
    let (digest, token) = text.finish();
    if token {
        bail!(
            "{}: Job {} uses a knob; a Job's name digests its spec, so Jobs take their values from the model",
            object.origin,
            object.name
        );
    }
    let name = format!("{}-{}", object.name, crate::model::digest::hex(&digest, 4));
    if name.len() > 63 {
        bail!("{}: Job name {name} is longer than 63 characters", object.origin);
    }
    object.value["metadata"]["name"] = serde_yaml::Value::String(name.clone());
    object.name = name;
    Ok(())
}

/// How much text is hashed and searched at a time.
const CHUNK: usize = 16 * 1024;

/// A text written in pieces: its SHA-256, and whether it contains [`TOKEN_PREFIX`], as if it
/// were one string.
struct SpecText {
    hasher: Sha256,
    /// Written, not yet hashed; after each chunk, the last bytes, which may begin a token.
    pending: Vec<u8>,
    token: bool,
}

impl SpecText {
    fn new() -> Self {
        SpecText { hasher: Sha256::new(), pending: Vec::with_capacity(CHUNK * 2), token: false }
    }

    /// Searches and hashes what is pending but its last `keep` bytes: a token that starts in
    /// them is found with the bytes that follow.
    fn settle(&mut self, keep: usize) {
        self.token |= memmem::find(&self.pending, TOKEN_PREFIX.as_bytes()).is_some();
        let cut = self.pending.len().saturating_sub(keep);
        self.hasher.update(&self.pending[..cut]);
        self.pending.drain(..cut);
    }

    /// The text's SHA-256, and whether it holds a token.
    fn finish(mut self) -> (Vec<u8>, bool) {
        self.settle(0);
        (self.hasher.finalize().to_vec(), self.token)
    }
}

impl Write for SpecText {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        if self.pending.len() >= CHUNK {
            self.settle(TOKEN_PREFIX.len() - 1);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn written(pieces: &[Vec<u8>]) -> (Vec<u8>, bool) {
        let mut text = SpecText::new();
        for piece in pieces {
            text.write_all(piece).unwrap();
        }
        text.finish()
    }

    /// Pieces of a text that may hold tokens, cut anywhere: a token may straddle pieces and
    /// chunks.
    fn pieces() -> impl Strategy<Value = Vec<Vec<u8>>> {
        let piece = prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..40),
            proptest::collection::vec(any::<u8>(), 0..(3 * CHUNK)),
            Just(TOKEN_PREFIX.as_bytes()[..5].to_vec()),
            Just(TOKEN_PREFIX.as_bytes()[5..].to_vec()),
            Just(TOKEN_PREFIX.as_bytes().to_vec()),
        ];
        proptest::collection::vec(piece, 0..12)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Hashing and searching as the text comes is hashing and searching it whole.
        #[test]
        fn equals_the_whole_text(pieces in pieces()) {
            let whole = pieces.concat();
            let (digest, token) = written(&pieces);
            prop_assert_eq!(digest, Sha256::digest(&whole).to_vec());
            prop_assert_eq!(token, memmem::find(&whole, TOKEN_PREFIX.as_bytes()).is_some());
        }
    }

    /// A token found only across the line between two chunks.
    #[test]
    fn finds_a_token_across_chunks() {
        let mut text = vec![b'x'; CHUNK - 3];
        text.extend_from_slice(TOKEN_PREFIX.as_bytes());
        let pieces: Vec<Vec<u8>> = text.chunks(7).map(<[u8]>::to_vec).collect();
        assert!(written(&pieces).1);
        assert!(!written(&[vec![b'x'; 3 * CHUNK]]).1);
    }

    /// The name of a Job is its name and the first 4 bytes, in hex, of the SHA-256 of its
    /// spec's compact JSON.
    #[test]
    fn names_a_job_by_the_digest_of_its_spec() {
        let value: serde_yaml::Value = serde_yaml::from_str(
            "metadata: {name: j}\nspec: {template: {spec: {containers: [{name: c, command: [\"a\\nb\"]}]}}}",
        )
        .unwrap();
        let expected = crate::model::digest::sha256_hex(serde_json::to_string(&value["spec"]).unwrap().as_bytes(), 4);
        let mut object = Object {
            api_version: "batch/v1".into(),
            kind: "Job".into(),
            name: "j".into(),
            namespace: None,
            value,
            origin: "test".into(),
        };
        name_by_content(&mut object).unwrap();
        assert_eq!(object.name, format!("j-{expected}"));
        assert_eq!(object.value["metadata"]["name"].as_str(), Some(object.name.as_str()));
        let mut with_knob = object.clone();
        with_knob.value["spec"]["template"]["spec"]["containers"][0]["image"] = format!("{TOKEN_PREFIX}image").into();
        assert!(name_by_content(&mut with_knob).unwrap_err().to_string().contains("uses a knob"));
    }
}
