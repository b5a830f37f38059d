//! Who reaches whom, at which address, in a network whose organisations run in several
//! clusters. Inside a cluster a node is reached at its Service (`<service>.<namespace>:port`),
//! as in a one-cluster network; from another cluster at its external name (`<service>.<cluster
//! domain>`, or the name the spec gives) on the cluster's exposed port, through the cluster's
//! Gateway with TLS passed through. What every organisation reads the same way (a peer's gossip
//! external endpoint, anchor peers, orderer endpoints, consenters) is the external address
//! whenever the network spans clusters. The one list of external names here feeds all of them
//! and the TLS certificates' SANs.

use crate::spec::ClusterSpec;
use crate::spec::NetworkSpec;

/// A node's name and address from other clusters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct External {
    /// DNS name (in its TLS certificate's SANs).
    pub host: String,
    /// `host:port`.
    pub address: String,
}

/// The Gateway listener an organisation's TLSRoutes attach to (its cluster's exposure).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Gateway {
    /// Gateway name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// Its TLS passthrough listener.
    pub section_name: String,
    /// Its data-plane pods, which the NetworkPolicies admit to the exposed ports.
    pub from: crate::spec::SelectorSpec,
    /// The cluster it serves.
    pub cluster: String,
}

/// The clusters of a network and which organisation runs in which.
pub struct Reach<'a> {
    spec: &'a NetworkSpec,
    /// The organisations run in more than one cluster.
    spans: bool,
}

impl<'a> Reach<'a> {
    /// The reach of `spec`'s network.
    pub fn of(spec: &'a NetworkSpec) -> Self {
        let mut clusters: Vec<&str> = spec
            .orgs
            .iter()
            .filter_map(|o| o.cluster.as_deref())
            .chain(spec.ordering_orgs().into_iter().filter_map(|(_, o)| o.cluster.as_deref()))
            .collect();
        clusters.sort_unstable();
        clusters.dedup();
        Reach { spec, spans: clusters.len() > 1 }
    }

    /// Whether the organisations run in more than one cluster.
    pub fn spans_clusters(&self) -> bool {
        self.spans
    }

    fn cluster_of(&self, org: &str) -> Option<&'a ClusterSpec> {
        let name = self.spec.orgs.iter().find(|o| o.name == org).and_then(|o| o.cluster.as_deref()).or_else(|| {
            self.spec.ordering_orgs().into_iter().find(|(_, o)| o.name == org).and_then(|(_, o)| o.cluster.as_deref())
        })?;
        self.spec.clusters.iter().find(|c| c.name == name)
    }

    /// The Gateway `org`'s nodes are exposed on, when the network spans clusters.
    pub fn gateway(&self, org: &str) -> Option<Gateway> {
        if !self.spans {
            return None;
        }
        let g = &self.cluster_of(org)?.expose.gateway_tls_route;
        Some(Gateway {
            name: g.name.clone(),
            namespace: g.namespace.clone(),
            section_name: g.section_name.clone(),
            from: g.from.clone(),
            cluster: self.cluster_of(org)?.name.clone(),
        })
    }

    /// The ports pods dial other clusters on (their exposed ports), when the network spans
    /// clusters.
    pub fn remote_ports(&self) -> Vec<u16> {
        let mut ports: Vec<u16> =
            if self.spans { self.spec.clusters.iter().map(|c| c.port).collect() } else { Vec::new() };
        ports.sort_unstable();
        ports.dedup();
        ports
    }

    /// The external name and address of `service` (a peer or orderer of `org`), when the network
    /// spans clusters: `name` if the spec gives one, else `<service>.<cluster domain>`.
    pub fn external(&self, org: &str, service: &str, name: Option<&str>) -> Option<External> {
        if !self.spans {
            return None;
        }
        let cluster = self.cluster_of(org)?;
        let host = name.map(str::to_string).unwrap_or_else(|| format!("{service}.{}", cluster.domain));
        Some(External { address: format!("{host}:{}", cluster.port), host })
    }

    /// The address a pod of `from` dials to reach a node of `to`: the Service inside one
    /// cluster, the external address across clusters.
    pub fn dial(&self, from: &str, to: &str, internal: &str, external: Option<&External>) -> String {
        match external {
            Some(e) if self.cluster_of(from).map(|c| &c.name) != self.cluster_of(to).map(|c| &c.name) => {
                e.address.clone()
            }
            _ => internal.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "name: n\nnamespace: n\nordererOrg: {name: o, mspId: OMSP, orderers: [{name: o0}]}\n";

    #[test]
    fn a_network_in_one_listed_cluster_keeps_its_service_names() {
        let clusters = "clusters: [{name: a, domain: a.example.com, expose: {gatewayTLSRoute: {name: g, namespace: g, sectionName: t, from: {namespaceLabels: {x: y}}}}}]\n";
        let text = format!("{BASE}{clusters}orgs: [{{name: org1, mspId: O1, cluster: a, peers: [{{name: p0}}]}}]\n")
            .replace("orderers: [{name: o0}]}", "cluster: a, orderers: [{name: o0}]}");
        let spec = crate::spec::load_spec("n.yaml", &text).unwrap();
        let reach = Reach::of(&spec);
        assert!(!reach.spans_clusters());
        assert_eq!(reach.external("org1", "p0-org1", None), None);
    }
}
