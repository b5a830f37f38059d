//! Rules of `placement` (node selectors, tolerations and priority per kind of pod) and of
//! `monitoring`, as the Kubernetes API server and prometheus-operator would judge the objects
//! they become: label keys are qualified names and values label values
//! (apimachinery `validation.IsQualifiedName`, `IsValidLabelValue`), tolerations follow the
//! Pod API's rules (a toleration of every key needs `Exists`, `Exists` takes no value,
//! `tolerationSeconds` only with `NoExecute`), a PriorityClass name is a DNS-1123 subdomain,
//! and a scrape interval matches the ServiceMonitor CRD's `Duration` pattern.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::super::source_map::index_path;
use super::super::types::{NetworkSpec, SchedulingSpec, TaintEffect, TolerationOperator, TolerationSpec};
use super::Validator;

/// The name part of a qualified name (and a non-empty label value).
static NAME_PART: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$").unwrap());
/// prometheus-operator's `monitoringv1.Duration` (the CRD's pattern for `interval`).
static PROMETHEUS_DURATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$").unwrap()
});

impl Validator {
    /// Each kind of pod's node selector, tolerations and PriorityClass.
    pub(super) fn placement(&mut self, spec: &NetworkSpec) {
        let p = &spec.placement;
        for (kind, s) in
            [("orderers", &p.orderers), ("peers", &p.peers), ("cas", &p.cas), ("chaincodes", &p.chaincodes)]
        {
            self.scheduling(&format!("placement.{kind}"), s);
        }
    }

    /// The ServiceMonitors' labels and interval, and a Prometheus the NetworkPolicies admit.
    pub(super) fn monitoring(&mut self, spec: &NetworkSpec) {
        let m = &spec.monitoring;
        self.labels("monitoring.labels", &m.labels);
        for key in m.labels.keys().filter(|k| k.starts_with("app.kubernetes.io/") || k.starts_with("fabgen.io/")) {
            self.error(
                &format!("monitoring.labels.{key}"),
                format!("fabgen sets the {key} label itself; choose another key"),
            );
        }
        if let Some(interval) = &m.interval
            && (!PROMETHEUS_DURATION.is_match(interval) || !interval.chars().any(|c| c.is_ascii_digit() && c != '0'))
        {
            self.error(
                "monitoring.interval",
                format!("\"{interval}\" is not a positive Prometheus duration like 15s, 1m or 1m30s"),
            );
        }
        let policies = &spec.network_policies;
        if m.service_monitor && policies.enabled && policies.monitoring.is_none() {
            self.error(
                "monitoring.serviceMonitor",
                "the ServiceMonitors send Prometheus to port 9443, but no NetworkPolicy admits it: set networkPolicies.monitoring to its pods, e.g. {namespaceLabels: {kubernetes.io/metadata.name: monitoring}, podLabels: {app.kubernetes.io/name: prometheus}}",
            );
        }
    }

    fn scheduling(&mut self, path: &str, s: &SchedulingSpec) {
        self.labels(&format!("{path}.nodeSelector"), &s.node_selector);
        for (i, t) in s.tolerations.iter().enumerate() {
            self.toleration(&index_path(&format!("{path}.tolerations"), i), t);
        }
        if let Some(class) = &s.priority_class_name {
            self.dns1123_subdomain(&format!("{path}.priorityClassName"), class, "PriorityClass name");
        }
    }

    fn toleration(&mut self, path: &str, t: &TolerationSpec) {
        let exists = t.operator == Some(TolerationOperator::Exists);
        match &t.key {
            Some(key) => self.label_key(&format!("{path}.key"), key),
            None if !exists => {
                self.error(path, "a toleration without a key tolerates every taint, which needs `operator: Exists`")
            }
            None => {}
        }
        match &t.value {
            Some(_) if exists => {
                self.error(&format!("{path}.value"), "`operator: Exists` matches any value; leave `value` out")
            }
            Some(value) => self.label_value(&format!("{path}.value"), value),
            None => {}
        }
        if t.toleration_seconds.is_some() && t.effect != Some(TaintEffect::NoExecute) {
            self.error(
                &format!("{path}.tolerationSeconds"),
                "tolerationSeconds applies to `effect: NoExecute` only (the API server refuses it otherwise)",
            );
        }
    }

    fn labels(&mut self, path: &str, labels: &BTreeMap<String, String>) {
        for (key, value) in labels {
            let at = format!("{path}.{key}");
            self.label_key(&at, key);
            self.label_value(&at, value);
        }
    }

    /// A qualified name: `[prefix/]name`, the prefix a DNS-1123 subdomain, the name at most 63
    /// characters.
    fn label_key(&mut self, path: &str, key: &str) {
        let (prefix, name) = key.rsplit_once('/').map_or((None, key), |(p, n)| (Some(p), n));
        let prefix_ok = prefix.is_none_or(|p| p.len() <= 253 && !p.is_empty() && p.split('.').all(is_dns_label));
        if !prefix_ok || name.len() > 63 || !NAME_PART.is_match(name) {
            self.error(path, format!("invalid label key \"{key}\": [a DNS subdomain prefix/]a name of at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit"));
        }
    }

    fn label_value(&mut self, path: &str, value: &str) {
        if value.len() > 63 || !(value.is_empty() || NAME_PART.is_match(value)) {
            self.error(path, format!("invalid label value \"{value}\": at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit"));
        }
    }
}

fn is_dns_label(label: &str) -> bool {
    label.len() <= 63 && super::DNS1123_LABEL.is_match(label)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{BASE, messages};

    #[test]
    fn scheduling_follows_the_pod_api() {
        let yaml = format!(
            "{BASE}placement:\n  orderers:\n    nodeSelector: {{kubernetes.io/os: linux, \"bad key!\": x, pool: \"-x\"}}\n    priorityClassName: Fabric_High\n    tolerations:\n      - {{operator: Equal, value: a}}\n      - {{key: k, operator: Exists, value: v}}\n      - {{key: k, effect: NoSchedule, tolerationSeconds: 30}}\n      - {{operator: Exists}}\n      - {{key: dedicated, value: fabric, effect: NoExecute, tolerationSeconds: 60}}\n"
        );
        let found = messages(&yaml);
        let expected = [
            "placement.orderers.nodeSelector.bad key!: invalid label key",
            "placement.orderers.nodeSelector.pool: invalid label value \"-x\"",
            "placement.orderers.tolerations[0]: a toleration without a key",
            "placement.orderers.tolerations[1].value: `operator: Exists`",
            "placement.orderers.tolerations[2].tolerationSeconds: tolerationSeconds applies to `effect: NoExecute`",
            "placement.orderers.priorityClassName: invalid PriorityClass name \"Fabric_High\"",
        ];
        for e in expected {
            assert!(found.iter().any(|m| m.starts_with(e)), "{e}\n{found:#?}");
        }
        assert_eq!(found.len(), expected.len(), "{found:#?}");
    }

    #[test]
    fn service_monitors_need_an_admitted_prometheus_and_labels_of_their_own() {
        let on = "monitoring: {serviceMonitor: true, interval: 1m30s, labels: {release: prom}}\n";
        let admitted = "networkPolicies: {monitoring: {podLabels: {app: prometheus}}}\n";
        assert_eq!(messages(&format!("{BASE}{on}{admitted}")), Vec::<String>::new());
        assert_eq!(messages(&format!("{BASE}{on}networkPolicies: {{enabled: false}}\n")), Vec::<String>::new());
        let refused = messages(&format!("{BASE}{on}"));
        assert!(refused.len() == 1 && refused[0].starts_with("monitoring.serviceMonitor: "), "{refused:?}");
        let bad = "monitoring: {interval: 0s, labels: {app.kubernetes.io/name: x, fabgen.io/org: y}}\n";
        let found = messages(&format!("{BASE}{bad}"));
        for e in [
            "monitoring.interval: \"0s\" is not a positive Prometheus duration",
            "monitoring.labels.app.kubernetes.io/name: fabgen sets",
            "monitoring.labels.fabgen.io/org: fabgen sets",
        ] {
            assert!(found.iter().any(|m| m.starts_with(e)), "{e}\n{found:#?}");
        }
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(messages(&format!("{BASE}monitoring: {{interval: 30 s}}\n"))[0].starts_with("monitoring.interval"));
    }
}
