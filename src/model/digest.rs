//! The one way fabgen writes a SHA-256 digest: lower-case hex of its first bytes. Package IDs
//! use all 32 bytes (Fabric's rule); names and keys derived from content use a prefix.

use std::io::{self, Write};

use memchr::memmem;
use sha2::{Digest, Sha256};

/// Lower-case hex of the first `bytes` bytes (at most 32) of the SHA-256 of `data`.
pub fn sha256_hex(data: &[u8], bytes: usize) -> String {
    hex(&Sha256::digest(data), bytes)
}

/// Lower-case hex of the first `bytes` bytes of a digest.
pub fn hex(digest: &[u8], bytes: usize) -> String {
    digest.iter().take(bytes).map(|b| format!("{b:02x}")).collect()
}

/// How much text is hashed and searched at a time.
const CHUNK: usize = 16 * 1024;

/// A text written in pieces (an `io::Write` of serde_json's, say): its SHA-256, and whether
/// it contains a needle, as if it were one string — without holding it whole.
pub struct TextDigest {
    hasher: Sha256,
    needle: &'static str,
    /// Written, not yet hashed; after each chunk, the last bytes, which may begin a needle.
    pending: Vec<u8>,
    found: bool,
}

impl TextDigest {
    /// A digest of the text to come, searched for `needle` (not empty).
    pub fn new(needle: &'static str) -> Self {
        assert!(!needle.is_empty(), "a needle to search for");
        TextDigest { hasher: Sha256::new(), needle, pending: Vec::with_capacity(CHUNK * 2), found: false }
    }

    /// Searches and hashes what is pending but its last `keep` bytes: a needle that starts in
    /// them is found with the bytes that follow.
    fn settle(&mut self, keep: usize) {
        self.found |= memmem::find(&self.pending, self.needle.as_bytes()).is_some();
        let cut = self.pending.len().saturating_sub(keep);
        self.hasher.update(&self.pending[..cut]);
        self.pending.drain(..cut);
    }

    /// Appends `bytes` to the text (what `io::Write` does, without its `Result`).
    pub fn extend(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        if self.pending.len() >= CHUNK {
            self.settle(self.needle.len() - 1);
        }
    }

    /// The text's SHA-256, and whether it holds the needle.
    pub fn finish(mut self) -> (Vec<u8>, bool) {
        self.settle(0);
        (self.hasher.finalize().to_vec(), self.found)
    }
}

impl Write for TextDigest {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.extend(bytes);
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

    const NEEDLE: &str = "fabgen-knob-";

    fn written(pieces: &[Vec<u8>]) -> (Vec<u8>, bool) {
        let mut text = TextDigest::new(NEEDLE);
        for piece in pieces {
            text.write_all(piece).unwrap();
        }
        text.finish()
    }

    /// Pieces of a text that may hold needles, cut anywhere: a needle may straddle pieces and
    /// chunks.
    fn pieces() -> impl Strategy<Value = Vec<Vec<u8>>> {
        let piece = prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..40),
            proptest::collection::vec(any::<u8>(), 0..(3 * CHUNK)),
            Just(NEEDLE.as_bytes()[..5].to_vec()),
            Just(NEEDLE.as_bytes()[5..].to_vec()),
            Just(NEEDLE.as_bytes().to_vec()),
            long_piece(),
        ];
        proptest::collection::vec(piece, 0..12)
    }

    /// A piece longer than a chunk: it may end a needle begun before it, hold
    /// one, and begin one that ends after it.
    fn long_piece() -> impl Strategy<Value = Vec<u8>> {
        let needle = NEEDLE.as_bytes();
        let middle = proptest::collection::vec(any::<u8>(), CHUNK..(2 * CHUNK));
        (0..=needle.len(), middle, any::<bool>(), 0..=needle.len()).prop_map(move |(end, mut middle, inside, start)| {
            if inside {
                let at = middle.len() / 2;
                middle.splice(at..at, needle.iter().copied());
            }
            [&needle[needle.len() - end..], &middle, &needle[..start]].concat()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Hashing and searching as the text comes is hashing and searching it whole.
        #[test]
        fn equals_the_whole_text(pieces in pieces()) {
            let whole = pieces.concat();
            let (digest, found) = written(&pieces);
            prop_assert_eq!(digest, Sha256::digest(&whole).to_vec());
            prop_assert_eq!(found, memmem::find(&whole, NEEDLE.as_bytes()).is_some());
        }
    }

    /// A needle found only across either edge of a long piece, for every place it is cut.
    #[test]
    fn finds_a_needle_across_a_long_pieces_edges() {
        let (needle, long) = (NEEDLE.as_bytes(), vec![b'x'; CHUNK + 7]);
        for cut in 1..needle.len() {
            let (head, tail) = needle.split_at(cut);
            for pieces in [
                vec![b"ab".to_vec(), head.to_vec(), [tail, &long].concat()],
                vec![[&long, head].concat(), tail.to_vec(), b"cd".to_vec()],
                vec![[&long, head].concat(), [tail, &long].concat()],
            ] {
                let whole = pieces.concat();
                assert_eq!(written(&pieces), (Sha256::digest(&whole).to_vec(), true), "cut at {cut}");
            }
        }
        let pieces = vec![b"fabgen-kno".to_vec(), [b"x".as_slice(), &long].concat(), b"b-".to_vec()];
        assert_eq!(written(&pieces), (Sha256::digest(pieces.concat()).to_vec(), false));
    }

    /// A needle found only across the line between two chunks.
    #[test]
    fn finds_a_needle_across_chunks() {
        let mut text = vec![b'x'; CHUNK - 3];
        text.extend_from_slice(NEEDLE.as_bytes());
        let pieces: Vec<Vec<u8>> = text.chunks(7).map(<[u8]>::to_vec).collect();
        assert!(written(&pieces).1);
        assert!(!written(&[vec![b'x'; 3 * CHUNK]]).1);
    }

    #[test]
    fn is_the_hex_of_the_digest_prefix() {
        // sha256("abc"), FIPS 180-2 appendix B.1.
        let full = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(sha256_hex(b"abc", 32), full);
        assert_eq!(sha256_hex(b"abc", 4), &full[..8]);
    }
}
