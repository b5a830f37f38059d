//! The part of Gateway API's `gateway.networking.k8s.io/v1` `TLSRoute` that fabgen renders, as
//! closed types, so the output check covers it like built-in kinds. Fields and limits follow
//! kubernetes-sigs/gateway-api `apis/v1/tlsroute_types.go` and `shared_types.go` (v1.5 and
//! later, where TLSRoute v1 is in the standard channel): `hostnames` 1 to 1024 DNS names (no IP),
//! exactly one rule with 1 to 16 backends, and the server defaults written out (see
//! docs/exposure-facts.md).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use schemars::JsonSchema;
use serde::Deserialize;

/// `gateway.networking.k8s.io/v1` TLSRoute.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TlsRoute {
    /// Always `gateway.networking.k8s.io/v1`.
    pub api_version: String,
    /// Always `TLSRoute`.
    pub kind: String,
    /// Standard object metadata.
    pub metadata: ObjectMeta,
    /// Where it attaches and what it routes to.
    pub spec: TlsRouteSpec,
}

/// TLSRoute `spec`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TlsRouteSpec {
    /// The Gateway listeners it attaches to (at most 32).
    #[schemars(length(min = 1, max = 32))]
    pub parent_refs: Vec<ParentReference>,
    /// SNI names it routes (DNS names, no IP literals).
    #[schemars(length(min = 1, max = 1024))]
    pub hostnames: Vec<Hostname>,
    /// Exactly one rule in v1.
    #[schemars(length(min = 1, max = 1))]
    pub rules: Vec<TlsRouteRule>,
}

/// A DNS name as Gateway API's `Hostname` pattern allows it (lowercase, no IP literal: an IP
/// is rejected by v1's CEL rule, and carries no SNI anyway).
#[derive(Debug, Deserialize, JsonSchema)]
pub struct Hostname(
    #[schemars(
        length(min = 1, max = 253),
        regex(
            pattern = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\.[a-z]([-a-z0-9]*[a-z0-9])?$"
        )
    )]
    pub String,
);

/// `parentRefs[]`, with the group and kind the API server would default written out.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ParentReference {
    /// `gateway.networking.k8s.io`.
    #[schemars(regex(pattern = r"^gateway\.networking\.k8s\.io$"))]
    pub group: String,
    /// `Gateway`.
    #[schemars(regex(pattern = r"^Gateway$"))]
    pub kind: String,
    /// The Gateway's name.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// The Gateway's namespace.
    #[schemars(length(min = 1, max = 63))]
    pub namespace: String,
    /// The listener's name.
    #[schemars(length(min = 1, max = 253))]
    pub section_name: String,
}

/// `rules[]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TlsRouteRule {
    /// The Services the connection goes to (1 to 16).
    #[schemars(length(min = 1, max = 16))]
    pub backend_refs: Vec<BackendRef>,
}

/// `backendRefs[]`: a Service and port, with the defaults written out.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BackendRef {
    /// `""`: the core group.
    #[schemars(regex(pattern = r"^$"))]
    pub group: String,
    /// `Service`.
    #[schemars(regex(pattern = r"^Service$"))]
    pub kind: String,
    /// Service name.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// Service port.
    #[schemars(range(min = 1, max = 65535))]
    pub port: u16,
    /// `1`.
    #[schemars(range(min = 0, max = 1000000))]
    pub weight: u32,
}
