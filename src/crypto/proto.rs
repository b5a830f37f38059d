//! The protobuf messages of a channel configuration update, field for field as Fabric publishes
//! them (fabric-protos `common/common.proto`, `common/configtx.proto`, `common/policies.proto`,
//! `msp/identities.proto`; `google/protobuf/timestamp.proto`), encoded and decoded by prost.
//!
//! An update travels as an `Envelope` whose `Payload` has a `CONFIG_UPDATE` `ChannelHeader` and
//! carries a `ConfigUpdateEnvelope`: the marshalled `ConfigUpdate`, kept as the exact bytes every
//! signature covers, and one `ConfigSignature` per signer.

use std::collections::BTreeMap;

/// `common.HeaderType.CONFIG_UPDATE` (common/common.proto).
pub const HEADER_TYPE_CONFIG_UPDATE: i32 = 2;

/// `common.Envelope`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Envelope {
    /// A marshalled [`Payload`].
    #[prost(bytes = "vec", tag = "1")]
    pub payload: Vec<u8>,
    /// The creator's signature over `payload`.
    #[prost(bytes = "vec", tag = "2")]
    pub signature: Vec<u8>,
}

/// `common.Payload`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Payload {
    #[prost(message, optional, tag = "1")]
    pub header: Option<Header>,
    /// For `CONFIG_UPDATE`, a marshalled [`ConfigUpdateEnvelope`].
    #[prost(bytes = "vec", tag = "2")]
    pub data: Vec<u8>,
}

/// `common.Header`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Header {
    /// A marshalled [`ChannelHeader`].
    #[prost(bytes = "vec", tag = "1")]
    pub channel_header: Vec<u8>,
    /// A marshalled [`SignatureHeader`].
    #[prost(bytes = "vec", tag = "2")]
    pub signature_header: Vec<u8>,
}

/// `google.protobuf.Timestamp`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Timestamp {
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

/// `common.ChannelHeader`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ChannelHeader {
    /// A `common.HeaderType`.
    #[prost(int32, tag = "1")]
    pub r#type: i32,
    #[prost(int32, tag = "2")]
    pub version: i32,
    #[prost(message, optional, tag = "3")]
    pub timestamp: Option<Timestamp>,
    #[prost(string, tag = "4")]
    pub channel_id: String,
    #[prost(string, tag = "5")]
    pub tx_id: String,
    #[prost(uint64, tag = "6")]
    pub epoch: u64,
    #[prost(bytes = "vec", tag = "7")]
    pub extension: Vec<u8>,
    #[prost(bytes = "vec", tag = "8")]
    pub tls_cert_hash: Vec<u8>,
}

/// `common.SignatureHeader`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SignatureHeader {
    /// A marshalled [`SerializedIdentity`].
    #[prost(bytes = "vec", tag = "1")]
    pub creator: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    pub nonce: Vec<u8>,
}

/// `msp.SerializedIdentity`: an MSP ID and the identity's certificate as PEM.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SerializedIdentity {
    #[prost(string, tag = "1")]
    pub mspid: String,
    #[prost(bytes = "vec", tag = "2")]
    pub id_bytes: Vec<u8>,
}

/// `common.ConfigUpdateEnvelope`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ConfigUpdateEnvelope {
    /// A marshalled [`ConfigUpdate`]: the bytes every signature covers, never re-encoded.
    #[prost(bytes = "vec", tag = "1")]
    pub config_update: Vec<u8>,
    #[prost(message, repeated, tag = "2")]
    pub signatures: Vec<ConfigSignature>,
}

/// `common.ConfigSignature`: a signature over `signature_header ‖ config_update`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ConfigSignature {
    /// A marshalled [`SignatureHeader`].
    #[prost(bytes = "vec", tag = "1")]
    pub signature_header: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    pub signature: Vec<u8>,
}

/// `common.ConfigUpdate` (field 4 is reserved).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ConfigUpdate {
    #[prost(string, tag = "1")]
    pub channel_id: String,
    #[prost(message, optional, tag = "2")]
    pub read_set: Option<ConfigGroup>,
    #[prost(message, optional, tag = "3")]
    pub write_set: Option<ConfigGroup>,
    #[prost(btree_map = "string, bytes", tag = "5")]
    pub isolated_data: BTreeMap<String, Vec<u8>>,
}

/// `common.ConfigGroup`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ConfigGroup {
    #[prost(uint64, tag = "1")]
    pub version: u64,
    #[prost(btree_map = "string, message", tag = "2")]
    pub groups: BTreeMap<String, ConfigGroup>,
    #[prost(btree_map = "string, message", tag = "3")]
    pub values: BTreeMap<String, ConfigValue>,
    #[prost(btree_map = "string, message", tag = "4")]
    pub policies: BTreeMap<String, ConfigPolicy>,
    #[prost(string, tag = "5")]
    pub mod_policy: String,
}

/// `common.ConfigValue`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ConfigValue {
    #[prost(uint64, tag = "1")]
    pub version: u64,
    #[prost(bytes = "vec", tag = "2")]
    pub value: Vec<u8>,
    #[prost(string, tag = "3")]
    pub mod_policy: String,
}

/// `common.ConfigPolicy`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ConfigPolicy {
    #[prost(uint64, tag = "1")]
    pub version: u64,
    #[prost(message, optional, tag = "2")]
    pub policy: Option<Policy>,
    #[prost(string, tag = "3")]
    pub mod_policy: String,
}

/// `common.Policy` (common/policies.proto): a `PolicyType` and its marshalled value.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Policy {
    #[prost(int32, tag = "1")]
    pub r#type: i32,
    #[prost(bytes = "vec", tag = "2")]
    pub value: Vec<u8>,
}
