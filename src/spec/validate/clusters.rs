//! Rules of `clusters` and of the organisations and nodes placed in them: every organisation of
//! a network with clusters names a known one, external names are DNS names (SNI routes by
//! name: an IP literal carries none) that fit and are unique, and each Gateway's pods live in a
//! namespace the NetworkPolicies can name.

use super::super::names;
use super::super::types::NetworkSpec;
use super::{Validator, index_path, known_list};

/// A node as the external-name rules see it: its spec path, Service, given external name and
/// node port, and its organisation's cluster.
type Node<'a> = (String, String, Option<&'a str>, Option<u16>, Option<&'a super::super::types::ClusterSpec>);

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
            self.expose(&format!("{path}.expose"), &cluster.expose);
        }
        self.placements(spec);
        self.external_names(spec);
    }

    /// Exactly one way of exposing, each with what it needs.
    fn expose(&mut self, path: &str, expose: &super::super::types::ExposeSpec) {
        let given = [
            expose.gateway_tls_route.is_some(),
            expose.ingress_passthrough.is_some(),
            expose.load_balancer.is_some(),
            expose.node_port.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            self.error(path, "give exactly one of gatewayTLSRoute, ingressPassthrough, loadBalancer, nodePort");
        }
        if let Some(g) = &expose.gateway_tls_route {
            let at = format!("{path}.gatewayTLSRoute");
            self.dns1123_subdomain(&format!("{at}.name"), &g.name, "Gateway name");
            self.dns1123(&format!("{at}.namespace"), &g.namespace, "namespace");
            self.dns1123_subdomain(&format!("{at}.sectionName"), &g.section_name, "listener name");
            self.forwarders(&format!("{at}.from"), &g.from, "the Gateway");
        }
        if let Some(i) = &expose.ingress_passthrough {
            let at = format!("{path}.ingressPassthrough");
            self.dns1123_subdomain(&format!("{at}.ingressClassName"), &i.ingress_class_name, "ingress class");
            self.forwarders(&format!("{at}.from"), &i.from, "the ingress controller");
        }
        if let Some(np) = &expose.node_port {
            self.dns_name(&format!("{path}.nodePort.address"), &np.address, "node address");
        }
    }

    /// The pods that pass connections on live in a namespace the policies can name.
    fn forwarders(&mut self, path: &str, from: &super::super::types::SelectorSpec, what: &str) {
        if from.namespace_labels.as_ref().is_none_or(|l| l.is_empty()) {
            self.error(
                path,
                format!("name the namespace of {what}'s pods in namespaceLabels (e.g. kubernetes.io/metadata.name: <namespace>): the NetworkPolicies admit them from there"),
            );
        }
    }

    /// With clusters, every organisation names a known one; without, none does.
    fn placements(&mut self, spec: &NetworkSpec) {
        let known: Vec<&str> = spec.clusters.iter().map(|c| c.name.as_str()).collect();
        for placement in spec.placements() {
            let path = placement.path;
            match placement.cluster {
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

    /// Every peer's and orderer's external address: its name given or derived, a DNS name that
    /// fits, and, in a cluster exposing node ports, its own node port; no address twice.
    fn external_names(&mut self, spec: &NetworkSpec) {
        let cluster = |name: Option<&str>| spec.clusters.iter().find(|c| Some(c.name.as_str()) == name);
        let mut nodes: Vec<Node> = Vec::new();
        for (path, org) in spec.ordering_orgs() {
            for (i, o) in org.orderers.iter().enumerate() {
                let at = format!("{path}.orderers[{i}]");
                nodes.push((
                    at,
                    names::orderer(&o.name),
                    o.external_name.as_deref(),
                    o.node_port,
                    cluster(org.cluster.as_deref()),
                ));
            }
        }
        for (j, org) in spec.orgs.iter().enumerate() {
            for (i, p) in org.peers.iter().enumerate() {
                let at = format!("{}.peers[{i}]", index_path("orgs", j));
                let service = names::peer(&org.name, &p.name);
                nodes.push((at, service, p.external_name.as_deref(), p.node_port, cluster(org.cluster.as_deref())));
            }
        }
        let mut seen: Vec<(String, String)> = Vec::new();
        for (at, service, given, node_port, cluster) in nodes {
            if given.is_some() && spec.clusters.is_empty() {
                self.error(
                    &format!("{at}.externalName"),
                    format!("\"{}\": external names need clusters", given.unwrap_or_default()),
                );
                continue;
            }
            let Some(cluster) = cluster else { continue };
            let node_ports = cluster.expose.node_port.as_ref();
            match (node_ports, node_port) {
                (Some(_), None) => self.error(
                    &format!("{at}.name"),
                    format!("needs a nodePort: cluster {} exposes nodes by node port", cluster.name),
                ),
                (None, Some(_)) => {
                    self.error(&format!("{at}.nodePort"), format!("cluster {} exposes no node ports", cluster.name))
                }
                (Some(_), Some(0)) => self.error(&format!("{at}.nodePort"), "port 0 is no port"),
                _ => {}
            }
            if node_ports.is_some() || cluster.expose.load_balancer.is_some() {
                self.service(&format!("{at}.name"), &names::external_service(&service));
            }
            let (path, host) = match (given, node_ports) {
                (Some(name), _) => (format!("{at}.externalName"), name.to_string()),
                (None, Some(np)) => (format!("{at}.name"), np.address.clone()),
                (None, None) => (format!("{at}.name"), format!("{service}.{}", cluster.domain)),
            };
            if !self.dns_name(&path, &host, "external name") {
                continue;
            }
            let address =
                format!("{host}:{}", if node_ports.is_some() { node_port.unwrap_or_default() } else { cluster.port });
            if let Some((other, _)) = seen.iter().find(|(_, a)| *a == address) {
                self.error(&path, format!("external address {address} is also {other}'s"));
            }
            seen.push((at, address));
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
    use super::super::problems_of as problems;

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
