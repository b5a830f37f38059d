//! The one way fabgen writes a SHA-256 digest: lower-case hex of its first bytes. Package IDs
//! use all 32 bytes (Fabric's rule); names and keys derived from content use a prefix.

use sha2::{Digest, Sha256};

/// Lower-case hex of the first `bytes` bytes (at most 32) of the SHA-256 of `data`.
pub fn sha256_hex(data: &[u8], bytes: usize) -> String {
    hex(&Sha256::digest(data), bytes)
}

/// Lower-case hex of the first `bytes` bytes of a digest.
pub fn hex(digest: &[u8], bytes: usize) -> String {
    digest.iter().take(bytes).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_the_hex_of_the_digest_prefix() {
        // sha256("abc"), FIPS 180-2 appendix B.1.
        let full = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(sha256_hex(b"abc", 32), full);
        assert_eq!(sha256_hex(b"abc", 4), &full[..8]);
    }
}
