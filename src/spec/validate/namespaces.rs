//! Rules of `orgs[].namespace` and `ordererOrgs[].namespace`: each is a DNS-1123 label, and
//! organisations of one cluster share one namespace. Inside a cluster nodes reach each other at
//! `<service>.<namespace>` under one set of NetworkPolicies (default deny, the flows between
//! the network's pods), which name the pods of their own namespace; organisations in one
//! cluster but different namespaces would need policies across namespaces that fabgen does not
//! render, so the spec says so instead of rendering parts that cannot talk.

use super::super::types::{NetworkSpec, Placement};
use super::Validator;

impl Validator {
    /// Each organisation's own namespace is a label, and the one of its cluster.
    pub(super) fn namespaces(&mut self, spec: &NetworkSpec) {
        // Per cluster (None: the one implicit cluster), the first namespace and whose it is.
        let mut first: Vec<(Option<&str>, &str, String)> = Vec::new();
        if spec.clusters.is_empty() {
            first.push((None, spec.namespace.as_str(), "the network's".to_string()));
        }
        for Placement { path, org, cluster, namespace } in spec.placements() {
            if let Some(ns) = namespace
                && !self.dns1123(&format!("{path}.namespace"), ns, "namespace")
            {
                continue;
            }
            let ns = namespace.unwrap_or(&spec.namespace);
            match first.iter().find(|(c, _, _)| *c == cluster) {
                Some((_, other, whose)) if *other != ns => {
                    let at = if namespace.is_some() { format!("{path}.namespace") } else { format!("{path}.name") };
                    let within = cluster.map_or_else(|| "one cluster".to_string(), |c| format!("cluster {c}"));
                    self.error(
                        &at,
                        format!(
                            "{org} runs in namespace \"{ns}\", but {whose} in {within} is \"{other}\"; organisations of one cluster share one namespace (their nodes reach each other at <service>.<namespace> under one set of NetworkPolicies)"
                        ),
                    );
                }
                Some(_) => {}
                None => first.push((cluster, ns, format!("{org}'s"))),
            }
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
    fn organisations_of_one_cluster_share_its_namespace() {
        let shared = format!(
            "{CLUSTERS}orgs:\n  - {{name: org1, mspId: O1, cluster: a, namespace: x, peers: [{{name: p0}}]}}\n  - {{name: org2, mspId: O2, cluster: b, namespace: Bad_NS, peers: [{{name: p0}}]}}\n"
        );
        let p = problems(&shared);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(
            p[0],
            "orgs[0].namespace: org1 runs in namespace \"x\", but o's in cluster a is \"n\"; organisations of one cluster share one namespace (their nodes reach each other at <service>.<namespace> under one set of NetworkPolicies)"
        );
        assert!(p[1].starts_with("orgs[1].namespace: invalid namespace \"Bad_NS\""), "{p:?}");
        let one_cluster = "name: n\nnamespace: n\nordererOrg: {name: o, mspId: OMSP, orderers: [{name: o0}]}\norgs: [{name: org1, mspId: O1, namespace: m, peers: [{name: p0}]}]\n";
        assert_eq!(
            problems(one_cluster),
            [
                "orgs[0].namespace: org1 runs in namespace \"m\", but the network's in one cluster is \"n\"; organisations of one cluster share one namespace (their nodes reach each other at <service>.<namespace> under one set of NetworkPolicies)"
            ]
        );
        assert_eq!(problems(&one_cluster.replace("namespace: m", "namespace: n")), Vec::<String>::new());
    }
}
