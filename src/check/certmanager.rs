//! The part of cert-manager's `cert-manager.io/v1` API that fabgen renders, as closed types,
//! so the output check covers Issuers and Certificates like built-in kinds. Field names follow
//! cert-manager's v1 API reference; any field fabgen does not use is rejected.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use schemars::JsonSchema;
use serde::Deserialize;

/// `cert-manager.io/v1` Issuer (only the SelfSigned and CA kinds).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Issuer {
    /// Always `cert-manager.io/v1`.
    pub api_version: String,
    /// Always `Issuer`.
    pub kind: String,
    /// Standard object metadata.
    pub metadata: ObjectMeta,
    /// What signs.
    pub spec: IssuerSpec,
}

/// Issuer `spec`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IssuerSpec {
    /// Self-signed: no fields.
    #[serde(default)]
    pub self_signed: Option<SelfSigned>,
    /// Signs with the CA key pair in a Secret.
    #[serde(default)]
    pub ca: Option<CaIssuer>,
}

/// `selfSigned: {}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfSigned {}

/// `ca: {secretName}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CaIssuer {
    /// Secret holding `tls.crt` and `tls.key` of the CA.
    pub secret_name: String,
}

/// `cert-manager.io/v1` Certificate.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Certificate {
    /// Always `cert-manager.io/v1`.
    pub api_version: String,
    /// Always `Certificate`.
    pub kind: String,
    /// Standard object metadata.
    pub metadata: ObjectMeta,
    /// The certificate requested.
    pub spec: CertificateSpec,
}

/// Certificate `spec`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CertificateSpec {
    /// Secret the key pair is written to (`tls.crt`, `tls.key`, `ca.crt`).
    pub secret_name: String,
    /// Subject common name.
    #[serde(default)]
    pub common_name: Option<String>,
    /// DNS subject alternative names.
    #[serde(default)]
    pub dns_names: Option<Vec<String>>,
    /// Whether this is a CA certificate.
    #[serde(default, rename = "isCA")]
    pub is_ca: Option<bool>,
    /// Key usages, e.g. `server auth`, `client auth`, `digital signature`.
    #[serde(default)]
    pub usages: Option<Vec<KeyUsage>>,
    /// Lifetime, a Go duration.
    #[serde(default)]
    pub duration: Option<String>,
    /// Renew this long before expiry, a Go duration.
    #[serde(default)]
    pub renew_before: Option<String>,
    /// Private key settings.
    #[serde(default)]
    pub private_key: Option<PrivateKey>,
    /// Who signs.
    pub issuer_ref: IssuerRef,
}

/// Key usages cert-manager accepts that fabgen uses.
#[derive(Debug, Deserialize, JsonSchema)]
pub enum KeyUsage {
    /// TLS server.
    #[serde(rename = "server auth")]
    ServerAuth,
    /// TLS client.
    #[serde(rename = "client auth")]
    ClientAuth,
    /// Digital signature.
    #[serde(rename = "digital signature")]
    DigitalSignature,
    /// Key encipherment.
    #[serde(rename = "key encipherment")]
    KeyEncipherment,
    /// Certificate signing (CAs).
    #[serde(rename = "cert sign")]
    CertSign,
}

/// `privateKey`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PrivateKey {
    /// `RSA`, `ECDSA` or `Ed25519`.
    pub algorithm: KeyAlgorithm,
    /// Key size (ECDSA: 256, 384 or 521).
    #[serde(default)]
    pub size: Option<u32>,
    /// `Always` (a new key on every renewal) or `Never`.
    #[serde(default)]
    pub rotation_policy: Option<RotationPolicy>,
}

/// Key algorithms.
#[derive(Debug, Deserialize, JsonSchema)]
pub enum KeyAlgorithm {
    /// RSA.
    #[serde(rename = "RSA")]
    Rsa,
    /// ECDSA.
    #[serde(rename = "ECDSA")]
    Ecdsa,
    /// Ed25519.
    Ed25519,
}

/// Private key rotation policies.
#[derive(Debug, Deserialize, JsonSchema)]
pub enum RotationPolicy {
    /// New key on renewal.
    Always,
    /// Keep the key.
    Never,
}

/// `issuerRef`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IssuerRef {
    /// Issuer name.
    pub name: String,
    /// `Issuer` or `ClusterIssuer`.
    pub kind: IssuerKindRef,
    /// Always `cert-manager.io`.
    pub group: String,
}

/// Issuer kinds an `issuerRef` may name.
#[derive(Debug, Deserialize, JsonSchema)]
pub enum IssuerKindRef {
    /// Namespaced.
    Issuer,
    /// Cluster-wide.
    ClusterIssuer,
}
