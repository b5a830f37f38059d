//! Rules of `orgs[].namespace` and `ordererOrgs[].namespace` (and of the network's own
//! `namespace`): each is a DNS-1123 label, and none is a namespace Kubernetes keeps for itself.
//! fabgen writes a Namespace object for every one of them, with Pod Security labels: applying
//! a part relabels its namespace, and deleting the part (or a GitOps controller pruning it)
//! deletes the namespace. So `default` and the `kube-` prefix ("reserved for Kubernetes system
//! namespaces", the Kubernetes documentation's Namespaces page) are never one.
//!
//! Organisations of one cluster may run in different namespaces: each part reaches the others'
//! nodes at `<service>.<their namespace>`, and its NetworkPolicies select the network's pods in
//! every namespace of its cluster (`model::resolve_part`).

use super::super::types::NetworkSpec;
use super::Validator;

impl Validator {
    /// Each organisation's own namespace is a label, and no namespace is one Kubernetes keeps.
    pub(super) fn namespaces(&mut self, spec: &NetworkSpec) {
        self.not_reserved("namespace", &spec.namespace);
        for p in spec.placements() {
            let Some(ns) = p.namespace else { continue };
            let path = format!("{}.namespace", p.path);
            if self.dns1123(&path, ns, "namespace") {
                self.not_reserved(&path, ns);
            }
        }
    }

    /// Refuses `default` and any `kube-` namespace.
    fn not_reserved(&mut self, path: &str, namespace: &str) {
        if namespace == "default" || namespace.starts_with("kube-") {
            self.error(
                path,
                format!(
                    "namespace \"{namespace}\" belongs to Kubernetes (default, kube-*): fabgen writes the Namespace of every part, with its Pod Security labels, so applying the part would relabel it and deleting the part would delete it; choose a namespace of the network's own"
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::problems_of as problems;

    const CLUSTERS: &str = "name: n\nnamespace: n\nclusters:\n  - {name: a, domain: a.example.com, expose: {loadBalancer: {}}}\n  - {name: b, domain: b.example.com, expose: {loadBalancer: {}}}\nordererOrg: {name: o, mspId: OMSP, cluster: a, orderers: [{name: o0}]}\n";

    #[test]
    fn each_cluster_may_have_its_own_namespace() {
        let spec = format!(
            "{CLUSTERS}orgs:\n  - {{name: org1, mspId: O1, cluster: a, peers: [{{name: p0}}]}}\n  - {{name: org2, mspId: O2, cluster: b, namespace: fabric-org2, peers: [{{name: p0}}]}}\n"
        );
        assert_eq!(problems(&spec), Vec::<String>::new());
        let spec = crate::spec::load_spec("n.yaml", &spec).expect("valid spec");
        assert_eq!(spec.namespace_of("org2"), "fabric-org2");
        assert_eq!(spec.namespace_of("org1"), "n");
        assert_eq!(spec.namespace_of("o"), "n");
        assert_eq!(spec.seen_by("org2").namespace, "fabric-org2");
        assert_eq!(spec.seen_by("org1").namespace, "n");
    }

    #[test]
    fn organisations_of_one_cluster_may_run_in_different_namespaces() {
        let one_cluster = "name: n\nnamespace: n\nordererOrg: {name: o, mspId: OMSP, orderers: [{name: o0}]}\norgs: [{name: org1, mspId: O1, namespace: m, peers: [{name: p0}]}]\n";
        assert_eq!(problems(one_cluster), Vec::<String>::new());
        let listed = format!(
            "{CLUSTERS}orgs:\n  - {{name: org1, mspId: O1, cluster: a, namespace: x, peers: [{{name: p0}}]}}\n  - {{name: org2, mspId: O2, cluster: a, namespace: y, peers: [{{name: p0}}]}}\n"
        );
        assert_eq!(problems(&listed), Vec::<String>::new());
    }

    #[test]
    fn a_namespace_is_a_label_kubernetes_does_not_keep() {
        let spec = format!(
            "{CLUSTERS}orgs:\n  - {{name: org1, mspId: O1, cluster: a, namespace: kube-system, peers: [{{name: p0}}]}}\n  - {{name: org2, mspId: O2, cluster: b, namespace: Bad_NS, peers: [{{name: p0}}]}}\n  - {{name: org3, mspId: O3, cluster: b, namespace: default, peers: [{{name: p0}}]}}\n"
        );
        let p = problems(&spec);
        assert_eq!(p.len(), 3, "{p:?}");
        assert_eq!(
            p[0],
            "orgs[0].namespace: namespace \"kube-system\" belongs to Kubernetes (default, kube-*): fabgen writes the Namespace of every part, with its Pod Security labels, so applying the part would relabel it and deleting the part would delete it; choose a namespace of the network's own"
        );
        assert!(p[1].starts_with("orgs[1].namespace: invalid namespace \"Bad_NS\""), "{p:?}");
        assert!(p[2].starts_with("orgs[2].namespace: namespace \"default\" belongs to Kubernetes"), "{p:?}");
        let top = problems(
            "name: n\nnamespace: kube-fabric\nordererOrg: {name: o, mspId: OMSP, orderers: [{name: o0}]}\norgs: [{name: org1, mspId: O1, peers: [{name: p0}]}]\n",
        );
        assert!(
            top.iter().any(|e| e.starts_with("namespace: namespace \"kube-fabric\" belongs to Kubernetes")),
            "{top:?}"
        );
    }
}
