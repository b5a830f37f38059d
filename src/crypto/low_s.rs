//! ECDSA signatures in Fabric's canonical low-S form.
//!
//! An ECDSA signature (r, s) is equally valid as (r, n - s). Fabric signs with s ≤ n/2 only
//! (bccsp/sw/ecdsa.go `signECDSA` calls `utils.ToLowS`), cryptogen's certificates carry low-S
//! signatures, and the MSP rewrites a high-S certificate signature when it loads one (fabric
//! msp/cert.go `sanitizeECDSASignedCert`), so the bytes it works with differ from the file.
//! ring leaves s as it falls, high about half the time; this wraps a key so every certificate
//! fabgen signs is low-S, as Fabric itself would have written it.

use rcgen::{KeyPair, PublicKeyData, SignatureAlgorithm, SigningKey};

/// Order n of the P-256 group, big-endian.
const P256_N: [u8; 32] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xBC, 0xE6, 0xFA,
    0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
];

/// A P-256 key whose signatures are low-S.
pub struct LowSKey(pub KeyPair);

impl PublicKeyData for LowSKey {
    fn der_bytes(&self) -> &[u8] {
        self.0.der_bytes()
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        self.0.algorithm()
    }
}

impl SigningKey for LowSKey {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let der = self.0.sign(msg)?;
        to_low_s(&der).ok_or(rcgen::Error::RemoteKeyError)
    }
}

/// `SEQUENCE { INTEGER r, INTEGER s }` -> (r, s) as 32-byte big-endian numbers.
fn parse(der: &[u8]) -> Option<([u8; 32], [u8; 32])> {
    fn integer(b: &[u8]) -> Option<([u8; 32], &[u8])> {
        let (&tag, rest) = b.split_first()?;
        let (&len, rest) = rest.split_first()?;
        let value = rest.get(..len as usize)?;
        let digits = value.strip_prefix(&[0]).filter(|v| !v.is_empty()).unwrap_or(value);
        if tag != 0x02 || digits.len() > 32 {
            return None;
        }
        let mut out = [0u8; 32];
        out[32 - digits.len()..].copy_from_slice(digits);
        Some((out, &rest[len as usize..]))
    }
    // P-256 signatures are at most 72 bytes: short-form lengths only.
    let (&tag, rest) = der.split_first()?;
    let (&len, body) = rest.split_first()?;
    if tag != 0x30 || len as usize != body.len() {
        return None;
    }
    let (r, rest) = integer(body)?;
    let (s, rest) = integer(rest)?;
    rest.is_empty().then_some((r, s))
}

fn encode_integer(v: &[u8; 32], out: &mut Vec<u8>) {
    let start = v.iter().position(|&b| b != 0).unwrap_or(31);
    let digits = &v[start..];
    let pad = digits[0] & 0x80 != 0;
    out.push(0x02);
    out.push((digits.len() + usize::from(pad)) as u8);
    if pad {
        out.push(0);
    }
    out.extend_from_slice(digits);
}

/// n / 2, rounded down.
fn half_n() -> [u8; 32] {
    let mut half = [0u8; 32];
    let mut carry = 0;
    for (h, n) in half.iter_mut().zip(P256_N) {
        *h = (n >> 1) | carry;
        carry = (n & 1) << 7;
    }
    half
}

/// a - b for big-endian a ≥ b.
fn subtract(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = d as u8;
    }
    out
}

/// Whether a DER signature's s is above n/2 (byte arrays compare as big-endian numbers).
pub fn is_high_s(der: &[u8]) -> Option<bool> {
    parse(der).map(|(_, s)| s > half_n())
}

/// The same signature with s replaced by n - s when s > n/2.
pub fn to_low_s(der: &[u8]) -> Option<Vec<u8>> {
    let (r, mut s) = parse(der)?;
    if s > half_n() {
        s = subtract(&P256_N, &s);
    }
    let mut body = Vec::with_capacity(70);
    encode_integer(&r, &mut body);
    encode_integer(&s, &mut body);
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::PKCS_ECDSA_P256_SHA256;
    use ring::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};

    #[test]
    fn every_signature_is_low_s_and_still_verifies() {
        let key = LowSKey(KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap());
        let public = UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, key.0.public_key_raw().to_vec());
        let mut raw_high = 0;
        for i in 0..64u32 {
            let msg = i.to_be_bytes();
            raw_high += usize::from(is_high_s(&key.0.sign(&msg).unwrap()).unwrap());
            let sig = key.sign(&msg).unwrap();
            assert_eq!(is_high_s(&sig), Some(false));
            public.verify(&msg, &sig).expect("n - s verifies as s does");
        }
        assert!(raw_high > 0, "ring alone gives high-S signatures, so the wrapper is doing work");
    }

    #[test]
    fn keeps_r_and_low_s_untouched_and_rejects_garbage() {
        let mut s = [0u8; 32];
        s[31] = 5;
        let mut r = [0u8; 32];
        r[0] = 0x80;
        let mut body = Vec::new();
        encode_integer(&r, &mut body);
        encode_integer(&s, &mut body);
        let mut der = vec![0x30, body.len() as u8];
        der.extend(body);
        assert_eq!(to_low_s(&der).unwrap(), der);
        assert_eq!(parse(&der), Some((r, s)));
        assert_eq!(to_low_s(&[0x30, 0x01, 0x02]), None);
        assert_eq!(subtract(&P256_N, &subtract(&P256_N, &s)), s);
    }
}
