//! Rules of `clusters` and of the organisations and nodes placed in them: every organisation of
//! a network with clusters names a known one, external names are DNS names (SNI routes by
//! name: an IP literal carries none) that fit and are unique, and each Gateway's pods live in a
//! namespace the NetworkPolicies can name.

use super::super::names;
use super::super::types::NetworkSpec;
use super::{Validator, index_path, known_list};

impl Validator {
    pub(super) fn clusters(&mut self, spec: &NetworkSpec) {
        self.unique("clusters", spec.clusters.iter().map(|c| c.name.as_str()), "cluster");
        for (i, cluster) in spec.clusters.iter().enumerate() {
            let path = index_path("clusters", i);
            self.dns1123(&format!("{path}.name"), &cluster.name, "cluster name");
            self.dns_name(&format!("{path}.domain"), &cluster.domain, "domain");
            if cluster.port == 0 {
                self.error(&format!("{path}.port"), "port 0 is no port");
            }
            let g = &cluster.expose.gateway_tls_route;
            let at = format!("{path}.expose.gatewayTLSRoute");
            self.dns1123_subdomain(&format!("{at}.name"), &g.name, "Gateway name");
            self.dns1123(&format!("{at}.namespace"), &g.namespace, "namespace");
            self.dns1123_subdomain(&format!("{at}.sectionName"), &g.section_name, "listener name");
            if g.from.namespace_labels.as_ref().is_none_or(|l| l.is_empty()) {
                self.error(
                    &format!("{at}.from"),
                    "name the Gateway pods' namespace in namespaceLabels (e.g. kubernetes.io/metadata.name: <namespace>): the NetworkPolicies admit them from there",
                );
            }
        }
        self.placements(spec);
        self.external_names(spec);
    }

    /// With clusters, every organisation names a known one; without, none does.
    fn placements(&mut self, spec: &NetworkSpec) {
        let known: Vec<&str> = spec.clusters.iter().map(|c| c.name.as_str()).collect();
        let placed = spec
            .ordering_orgs()
            .into_iter()
            .map(|(path, o)| (path, o.cluster.as_deref()))
            .chain(spec.orgs.iter().enumerate().map(|(i, o)| (index_path("orgs", i), o.cluster.as_deref())));
        for (path, cluster) in placed {
            match cluster {
                None if !known.is_empty() => self.error(
                    &format!("{path}.name"),
                    format!(
                        "names no cluster; with clusters every organisation runs in one ({})",
                        known_list(known.iter().copied())
                    ),
                ),
                Some(c) if known.is_empty() => {
                    self.error(&format!("{path}.cluster"), format!("cluster \"{c}\", but the spec lists no clusters"))
                }
                Some(c) if !known.contains(&c) => self.error(
                    &format!("{path}.cluster"),
                    format!("unknown cluster \"{c}\" ({})", known_list(known.iter().copied())),
                ),
                _ => {}
            }
        }
    }

    /// Every peer's and orderer's external name: given or derived, a DNS name that fits, once.
    fn external_names(&mut self, spec: &NetworkSpec) {
        let domain = |cluster: Option<&str>| {
            spec.clusters.iter().find(|c| Some(c.name.as_str()) == cluster).map(|c| c.domain.as_str())
        };
        let mut nodes: Vec<(String, String, Option<&str>, Option<&str>)> = Vec::new();
        for (path, org) in spec.ordering_orgs() {
            for (i, o) in org.orderers.iter().enumerate() {
                let at = format!("{path}.orderers[{i}]");
                nodes.push((at, names::orderer(&o.name), o.external_name.as_deref(), domain(org.cluster.as_deref())));
            }
        }
        for (j, org) in spec.orgs.iter().enumerate() {
            for (i, p) in org.peers.iter().enumerate() {
                let at = format!("{}.peers[{i}]", index_path("orgs", j));
                nodes.push((
                    at,
                    names::peer(&org.name, &p.name),
                    p.external_name.as_deref(),
                    domain(org.cluster.as_deref()),
                ));
            }
        }
        let mut seen: Vec<(String, String)> = Vec::new();
        for (at, service, given, domain) in nodes {
            let (path, name) = match (given, domain) {
                (Some(name), _) if spec.clusters.is_empty() => {
                    self.error(&format!("{at}.externalName"), format!("\"{name}\": external names need clusters"));
                    continue;
                }
                (Some(name), _) => (format!("{at}.externalName"), name.to_string()),
                (None, Some(domain)) => (format!("{at}.name"), format!("{service}.{domain}")),
                (None, None) => continue,
            };
            if !self.dns_name(&path, &name, "external name") {
                continue;
            }
            if let Some((other, _)) = seen.iter().find(|(_, n)| *n == name) {
                self.error(&path, format!("external name \"{name}\" is also {other}'s"));
            }
            seen.push((at, name));
        }
    }

    /// A DNS name a TLS client sends as SNI: a DNS-1123 subdomain of at most 253 characters,
    /// not an IP address (an IP literal carries no SNI).
    fn dns_name(&mut self, path: &str, value: &str, what: &str) -> bool {
        let labels_ok = value.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
        let numeric_tail = value.rsplit('.').next().is_some_and(|l| l.chars().all(|c| c.is_ascii_digit()));
        let ok = !value.is_empty() && value.len() <= 253 && labels_ok && !numeric_tail;
        if !ok {
            self.error(
                path,
                format!("invalid {what} \"{value}\": a DNS name (lowercase labels of at most 63 characters, 253 in all), not an IP address: routing by SNI needs a name"),
            );
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    fn problems(text: &str) -> Vec<String> {
        match crate::spec::load_spec("n.yaml", text) {
            Ok(_) => Vec::new(),
            Err(e) => e.located().iter().map(|l| format!("{}: {}", l.path, l.message)).collect(),
        }
    }

    const BASE: &str = "name: n\nnamespace: n\nordererOrg: {name: o, mspId: OMSP, orderers: [{name: o0}]}\n";

    #[test]
    fn external_names_need_clusters_and_every_org_a_known_cluster() {
        let no_clusters =
            format!("{BASE}orgs: [{{name: org1, mspId: O1, peers: [{{name: p0, externalName: p0.example.com}}]}}]\n");
        assert_eq!(
            problems(&no_clusters),
            ["orgs[0].peers[0].externalName: \"p0.example.com\": external names need clusters"]
        );
        let clusters = "clusters: [{name: a, domain: a.example.com, expose: {gatewayTLSRoute: {name: g, namespace: g, sectionName: t, from: {namespaceLabels: {x: y}}}}}]\n";
        let placed = format!("{BASE}{clusters}orgs: [{{name: org1, mspId: O1, cluster: a, peers: [{{name: p0}}]}}]\n")
            .replace("orderers: [{name: o0}]}", "cluster: a, orderers: [{name: o0}]}");
        assert_eq!(problems(&placed), Vec::<String>::new());
        let unplaced = placed.replace(", cluster: a, peers", ", peers");
        assert_eq!(
            problems(&unplaced),
            ["orgs[0].name: names no cluster; with clusters every organisation runs in one (known: a)"]
        );
    }
}
