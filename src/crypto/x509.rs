//! ECDSA P-256 keys and X.509 certificates, through rcgen (on ring) and x509-parser: CAs that
//! fabgen creates or loads back, and leaves they sign. Nothing here knows Fabric; `plan` says
//! which certificates a network needs.

use anyhow::{Context, Result, anyhow};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, SanType, SerialNumber,
};
use ring::rand::{SecureRandom, SystemRandom};

use super::low_s::LowSKey;
use time::OffsetDateTime;

/// When a certificate is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    /// First instant of validity.
    pub not_before: OffsetDateTime,
    /// Last instant of validity.
    pub not_after: OffsetDateTime,
}

/// What a leaf certificate is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// An MSP signing identity: digital signature only, no extended key usage (as cryptogen
    /// and Fabric CA issue them).
    Signing,
    /// A TLS identity, server and/or client.
    Tls {
        /// `serverAuth`.
        server: bool,
        /// `clientAuth`.
        client: bool,
    },
}

/// A leaf certificate to issue.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LeafRequest {
    /// Subject CN.
    pub common_name: String,
    /// Subject O.
    pub organization: String,
    /// Subject OU: the Fabric NodeOU role (`peer`, `orderer`, `admin`, `client`), if any.
    pub organizational_unit: Option<String>,
    /// DNS subject alternative names.
    pub dns_names: Vec<String>,
    /// Key usages.
    pub purpose: Purpose,
}

/// A certificate authority: its certificate, its key, and the issuer that signs with it.
pub struct Authority {
    /// The CA certificate (PEM).
    pub cert_pem: String,
    /// Its private key (PKCS#8 PEM).
    pub key_pem: String,
    issuer: Issuer<'static, LowSKey>,
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authority").field("cert_pem", &self.cert_pem).finish_non_exhaustive()
    }
}

/// A fresh ECDSA P-256 key pair, the curve Fabric's default BCCSP (SW, SHA2-256) uses.
pub fn new_key() -> Result<KeyPair> {
    KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(|e| anyhow!("failed to generate a P-256 key: {e}"))
}

/// A P-256 key from PKCS#8 PEM.
pub fn load_key(pem: &str) -> Result<KeyPair> {
    let key = KeyPair::from_pem(pem).map_err(|e| anyhow!("not a readable private key: {e}"))?;
    if !key.is_compatible(&PKCS_ECDSA_P256_SHA256) {
        anyhow::bail!("the private key is not an ECDSA P-256 key");
    }
    Ok(key)
}

/// A random positive 128-bit serial number (RFC 5280 allows up to 20 octets).
fn random_serial() -> Result<SerialNumber> {
    let mut bytes = [0u8; 16];
    SystemRandom::new().fill(&mut bytes).map_err(|_| anyhow!("the system random source failed"))?;
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    Ok(SerialNumber::from_slice(&bytes))
}

fn name(organization: &str, organizational_unit: Option<&str>, common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, organization);
    if let Some(ou) = organizational_unit {
        dn.push(DnType::OrganizationalUnitName, ou);
    }
    dn.push(DnType::CommonName, common_name);
    dn
}

impl Authority {
    /// A new self-signed root CA. Fabric's MSP requires the CA flag and a Subject Key
    /// Identifier on CA certificates (fabric msp/mspimplsetup.go `setupCAs`); rcgen writes the
    /// SKI for every CA.
    pub fn create(organization: &str, common_name: &str, validity: Validity) -> Result<Self> {
        let key = new_key()?;
        let mut params = CertificateParams::default();
        params.distinguished_name = name(organization, None, common_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages =
            vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
        params.not_before = validity.not_before;
        params.not_after = validity.not_after;
        params.serial_number = Some(random_serial()?);
        let key = LowSKey(key);
        let cert = params.self_signed(&key).map_err(|e| anyhow!("failed to sign CA {common_name}: {e}"))?;
        let key_pem = key.0.serialize_pem();
        Ok(Authority { cert_pem: cert.pem(), key_pem, issuer: Issuer::new(params, key) })
    }

    /// A CA written earlier: its certificate and key, which must belong together.
    pub fn load(cert_pem: &str, key_pem: &str) -> Result<Self> {
        let key = load_key(key_pem)?;
        let info = CertInfo::parse(cert_pem)?;
        if !info.is_ca {
            anyhow::bail!("the certificate is not a CA certificate");
        }
        if info.public_key != key.public_key_raw() {
            anyhow::bail!("the private key does not belong to the CA certificate");
        }
        let issuer = Issuer::from_ca_cert_pem(cert_pem, LowSKey(key))
            .map_err(|e| anyhow!("failed to read the CA certificate: {e}"))?;
        Ok(Authority { cert_pem: cert_pem.to_string(), key_pem: key_pem.to_string(), issuer })
    }

    /// Signs a leaf certificate for `key` (PEM), low-S like every signature Fabric makes
    /// (`super::low_s`). It carries the Authority Key Identifier, so
    /// verifiers find its CA by key as well as by name.
    pub fn issue(&self, request: &LeafRequest, key: &KeyPair, validity: Validity) -> Result<String> {
        let mut params = CertificateParams::default();
        params.distinguished_name =
            name(&request.organization, request.organizational_unit.as_deref(), &request.common_name);
        params.subject_alt_names = request
            .dns_names
            .iter()
            .map(|n| {
                let name = n.clone().try_into().map_err(|e| anyhow!("invalid DNS name {n:?}: {e}"))?;
                Ok(SanType::DnsName(name))
            })
            .collect::<Result<_>>()?;
        params.is_ca = IsCa::ExplicitNoCa;
        match request.purpose {
            Purpose::Signing => params.key_usages = vec![KeyUsagePurpose::DigitalSignature],
            Purpose::Tls { server, client } => {
                params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
                if server {
                    params.extended_key_usages.push(ExtendedKeyUsagePurpose::ServerAuth);
                }
                if client {
                    params.extended_key_usages.push(ExtendedKeyUsagePurpose::ClientAuth);
                }
            }
        }
        params.use_authority_key_identifier_extension = true;
        params.not_before = validity.not_before;
        params.not_after = validity.not_after;
        params.serial_number = Some(random_serial()?);
        let cert = params
            .signed_by(key, &self.issuer)
            .map_err(|e| anyhow!("failed to sign the certificate of {}: {e}", request.common_name))?;
        Ok(cert.pem())
    }
}

/// What fabgen needs to know of a certificate it wrote before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// Validity window.
    pub validity: Validity,
    /// Whether it is a CA.
    pub is_ca: bool,
    /// The raw public key (uncompressed EC point), to match it with a private key.
    pub public_key: Vec<u8>,
}

impl CertInfo {
    /// Parses the first certificate of a PEM text.
    pub fn parse(pem: &str) -> Result<Self> {
        let (_, block) =
            x509_parser::pem::parse_x509_pem(pem.as_bytes()).map_err(|e| anyhow!("not a PEM certificate: {e}"))?;
        let cert = block.parse_x509().map_err(|e| anyhow!("not an X.509 certificate: {e}"))?;
        let validity = cert.validity();
        let at = |t: x509_parser::time::ASN1Time| -> Result<OffsetDateTime> {
            OffsetDateTime::from_unix_timestamp(t.timestamp()).context("certificate date out of range")
        };
        Ok(CertInfo {
            validity: Validity { not_before: at(validity.not_before)?, not_after: at(validity.not_after)? },
            is_ca: cert.is_ca(),
            public_key: cert.public_key().subject_public_key.data.to_vec(),
        })
    }
}

/// A random password of 24 URL-safe characters (144 bits).
pub fn random_password() -> Result<String> {
    use base64::Engine;
    let mut bytes = [0u8; 18];
    SystemRandom::new().fill(&mut bytes).map_err(|_| anyhow!("the system random source failed"))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    fn validity() -> Validity {
        let not_before = rcgen::date_time_ymd(2026, 1, 1);
        Validity { not_before, not_after: not_before + Duration::days(365) }
    }

    fn request() -> LeafRequest {
        LeafRequest {
            common_name: "peer0-org1".into(),
            organization: "org1".into(),
            organizational_unit: Some("peer".into()),
            dns_names: vec!["peer0-org1".into(), "peer0-org1.ns".into()],
            purpose: Purpose::Tls { server: true, client: true },
        }
    }

    #[test]
    fn a_loaded_authority_signs_like_the_one_created() {
        let ca = Authority::create("org1", "org1 CA", validity()).unwrap();
        let again = Authority::load(&ca.cert_pem, &ca.key_pem).unwrap();
        let key = new_key().unwrap();
        let leaf = again.issue(&request(), &key, validity()).unwrap();
        let (_, block) = x509_parser::pem::parse_x509_pem(leaf.as_bytes()).unwrap();
        let cert = block.parse_x509().unwrap();
        let (_, ca_block) = x509_parser::pem::parse_x509_pem(ca.cert_pem.as_bytes()).unwrap();
        let ca_cert = ca_block.parse_x509().unwrap();
        assert_eq!(cert.issuer(), ca_cert.subject());
        cert.verify_signature(Some(ca_cert.public_key())).expect("signed by the CA's key");
    }

    #[test]
    fn refuses_a_key_that_does_not_belong_to_the_ca() {
        let ca = Authority::create("org1", "org1 CA", validity()).unwrap();
        let other = new_key().unwrap().serialize_pem();
        let err = Authority::load(&ca.cert_pem, &other).unwrap_err().to_string();
        assert!(err.contains("does not belong"), "{err}");
    }

    #[test]
    fn reads_back_validity_and_public_key() {
        let ca = Authority::create("org1", "org1 CA", validity()).unwrap();
        let key = new_key().unwrap();
        let leaf = ca.issue(&request(), &key, validity()).unwrap();
        let info = CertInfo::parse(&leaf).unwrap();
        assert_eq!(info.validity, validity());
        assert!(!info.is_ca);
        assert_eq!(info.public_key, key.public_key_raw());
        assert!(CertInfo::parse(&ca.cert_pem).unwrap().is_ca);
    }

    #[test]
    fn passwords_are_random_and_url_safe() {
        let a = random_password().unwrap();
        assert_eq!(a.len(), 24);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{a}");
        assert_ne!(a, random_password().unwrap());
    }
}
