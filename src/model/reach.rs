//! Who reaches whom, at which address, in a network whose organisations run in several
//! clusters. Inside a cluster a node is reached at its Service (`<service>.<namespace>:port`),
//! as in a one-cluster network; from another cluster at its external name (`<service>.<cluster
//! domain>`, or the name the spec gives, or the nodes' address with a node port) through the
//! cluster's exposure (a Gateway, an ingress controller, a load balancer or a node port), TLS
//! passed through. What every organisation reads the same way (a peer's gossip
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

/// How an organisation's nodes are exposed to the other clusters (its cluster's `expose`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Exposure {
    /// `gatewayTLSRoute`, `ingressPassthrough`, `loadBalancer` or `nodePort`.
    pub kind: &'static str,
    /// The cluster it serves.
    pub cluster: String,
    /// The pods that pass connections on to the nodes (a Gateway's, an ingress controller's),
    /// which the NetworkPolicies admit to the exposed ports; none for load balancers and node
    /// ports, whose connections come from anywhere.
    pub from: Option<crate::spec::SelectorSpec>,
    /// gatewayTLSRoute: the Gateway's name, namespace and listener.
    pub gateway: Option<(String, String, String)>,
    /// ingressPassthrough: the controller's class.
    pub ingress_class_name: Option<String>,
    /// loadBalancer: the Services' annotations.
    pub annotations: std::collections::BTreeMap<String, String>,
    /// The port of each exposed Service (loadBalancer: the cluster's port).
    pub service_port: u16,
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

    /// How `org`'s nodes are exposed, when the network spans clusters.
    pub fn exposure(&self, org: &str) -> Option<Exposure> {
        if !self.spans {
            return None;
        }
        let cluster = self.cluster_of(org)?;
        let e = &cluster.expose;
        let mut exposure = Exposure {
            kind: "gatewayTLSRoute",
            cluster: cluster.name.clone(),
            from: None,
            gateway: None,
            ingress_class_name: None,
            annotations: Default::default(),
            service_port: cluster.port,
        };
        if let Some(g) = &e.gateway_tls_route {
            exposure.from = Some(g.from.clone());
            exposure.gateway = Some((g.name.clone(), g.namespace.clone(), g.section_name.clone()));
        } else if let Some(i) = &e.ingress_passthrough {
            exposure.kind = "ingressPassthrough";
            exposure.from = Some(i.from.clone());
            exposure.ingress_class_name = Some(i.ingress_class_name.clone());
        } else if let Some(lb) = &e.load_balancer {
            exposure.kind = "loadBalancer";
            exposure.annotations = lb.annotations.clone();
        } else {
            exposure.kind = "nodePort";
        }
        Some(exposure)
    }

    /// The ports pods dial other clusters on (their exposed ports), when the network spans
    /// clusters.
    pub fn remote_ports(&self) -> Vec<u16> {
        if !self.spans {
            return Vec::new();
        }
        let mut ports: Vec<u16> = Vec::new();
        for cluster in &self.spec.clusters {
            if cluster.expose.node_port.is_some() {
                ports.extend(self.node_ports_in(&cluster.name));
            } else {
                ports.push(cluster.port);
            }
        }
        ports.sort_unstable();
        ports.dedup();
        ports
    }

    /// The node ports the spec gives the nodes of `cluster`'s organisations.
    fn node_ports_in(&self, cluster: &str) -> Vec<u16> {
        let orderers = self
            .spec
            .ordering_orgs()
            .into_iter()
            .filter(|(_, o)| o.cluster.as_deref() == Some(cluster))
            .flat_map(|(_, o)| o.orderers.iter().filter_map(|n| n.node_port));
        let peers = self
            .spec
            .orgs
            .iter()
            .filter(|o| o.cluster.as_deref() == Some(cluster))
            .flat_map(|o| o.peers.iter().filter_map(|p| p.node_port));
        orderers.chain(peers).collect()
    }

    /// The external name and address of `service` (a peer or orderer of `org`), when the network
    /// spans clusters: `name` if the spec gives one, else `<service>.<cluster domain>` on the
    /// cluster's port, or, for a cluster exposing node ports, its nodes' `address` on the node's
    /// own `nodePort`.
    pub fn external(&self, org: &str, service: &str, name: Option<&str>, node_port: Option<u16>) -> Option<External> {
        if !self.spans {
            return None;
        }
        let cluster = self.cluster_of(org)?;
        let (default_host, port) = match &cluster.expose.node_port {
            // Every node of the cluster at the nodes' name, each on its own port.
            Some(np) => (np.address.clone(), node_port?),
            None => (format!("{service}.{}", cluster.domain), cluster.port),
        };
        let host = name.map(str::to_string).unwrap_or(default_host);
        Some(External { address: format!("{host}:{port}"), host })
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
        assert_eq!(reach.external("org1", "p0-org1", None, None), None);
    }
}
