//! The part of prometheus-operator's `monitoring.coreos.com/v1` `ServiceMonitor` that fabgen
//! renders, as closed types, so the output check covers it like built-in kinds. Fields follow
//! the operator's `pkg/apis/monitoring/v1/servicemonitor_types.go` and the CRD it generates
//! (`example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml`, operator
//! 0.93): `selector` and `endpoints` are required; `scheme` is one of `http`, `https` (or their
//! upper case); `interval` is the operator's `Duration` pattern; the CRD defaults none of
//! these fields, so what fabgen writes is what the server stores.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use schemars::JsonSchema;
use serde::Deserialize;

/// `monitoring.coreos.com/v1` ServiceMonitor.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceMonitor {
    /// Always `monitoring.coreos.com/v1`.
    pub api_version: String,
    /// Always `ServiceMonitor`.
    pub kind: String,
    /// Standard object metadata.
    pub metadata: ObjectMeta,
    /// Which Services, and how their endpoints are scraped.
    pub spec: ServiceMonitorSpec,
}

/// ServiceMonitor `spec`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceMonitorSpec {
    /// The Service label whose value becomes the `job` label.
    pub job_label: Option<String>,
    /// Service labels copied onto every scraped series.
    pub target_labels: Option<Vec<String>>,
    /// The Services (in the ServiceMonitor's namespace: fabgen writes no `namespaceSelector`).
    pub selector: LabelSelector,
    /// How each selected Service is scraped.
    #[schemars(length(min = 1))]
    pub endpoints: Vec<Endpoint>,
}

/// `endpoints[]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Endpoint {
    /// The name of the Service port.
    #[schemars(length(min = 1))]
    pub port: String,
    /// `http` or `https`.
    pub scheme: Scheme,
    /// The HTTP path of the metrics.
    #[schemars(regex(pattern = r"^/"))]
    pub path: String,
    /// How often to scrape; the Prometheus's `scrapeInterval` when omitted.
    #[schemars(regex(
        pattern = r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"
    ))]
    pub interval: Option<String>,
}

/// `endpoints[].scheme`, as the CRD's enum has it.
#[derive(Debug, Deserialize, JsonSchema)]
pub enum Scheme {
    /// Plain HTTP.
    #[serde(rename = "http", alias = "HTTP")]
    Http,
    /// HTTP over TLS.
    #[serde(rename = "https", alias = "HTTPS")]
    Https,
}
