//! The security model, checked on every example: NetworkPolicies evaluated as Kubernetes
//! evaluates them, and the paths each image writes.

mod common;

use std::collections::BTreeMap;

use fabgen::render::TemplateSet;
use serde_json::{Value, json};

/// A pod's labels; the pseudo-label `@namespace` (no real label can have that key) says
/// which namespace it is in, when not the network's.
type Labels = BTreeMap<String, String>;

const NAMESPACE_KEY: &str = "@namespace";

fn labels(v: &Value) -> Labels {
    v.as_object().into_iter().flatten().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())).collect()
}

/// A pod with `labels` in namespace `ns`.
fn in_ns(ns: &str, mut labels: Labels) -> Labels {
    labels.insert(NAMESPACE_KEY.to_string(), ns.to_string());
    labels
}

/// A label selector: every `matchLabels` pair and every `matchExpressions` requirement
/// (`In`, `NotIn`, `Exists`, `DoesNotExist`, as apimachinery's labels.Selector) must hold.
fn matches(selector: &Value, pod: &Labels) -> bool {
    let by_labels = labels(&selector["matchLabels"]).iter().all(|(k, v)| pod.get(k) == Some(v));
    let by_expressions = selector["matchExpressions"].as_array().into_iter().flatten().all(|e| {
        let value = pod.get(e["key"].as_str().unwrap());
        let values: Vec<&str> = e["values"].as_array().into_iter().flatten().map(|v| v.as_str().unwrap()).collect();
        match e["operator"].as_str().unwrap() {
            "In" => value.is_some_and(|v| values.contains(&v.as_str())),
            "NotIn" => value.is_none_or(|v| !values.contains(&v.as_str())),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            other => panic!("unknown selector operator {other}"),
        }
    });
    by_labels && by_expressions
}

struct Policies {
    namespace: String,
    /// (namespace, spec) of every NetworkPolicy.
    specs: Vec<(String, Value)>,
}

impl Policies {
    fn of(generated: &fabgen::Generated) -> Self {
        let specs = generated
            .rendered
            .objects
            .values()
            .filter(|o| o.kind == "NetworkPolicy")
            .map(|o| {
                let json = o.to_json().unwrap();
                (json["metadata"]["namespace"].as_str().unwrap().to_string(), json["spec"].clone())
            })
            .collect();
        Policies { namespace: generated.network.namespace.clone(), specs }
    }

    fn namespace_of<'a>(&'a self, pod: &'a Labels) -> &'a str {
        pod.get(NAMESPACE_KEY).map_or(self.namespace.as_str(), String::as_str)
    }

    /// Whether a NetworkPolicy peer of a policy in `policy_ns` admits `other`: with a
    /// namespaceSelector, by the other pod's namespace name label; without one, only pods of
    /// the policy's own namespace.
    fn peer_admits(&self, peer: &Value, other: &Labels, policy_ns: &str) -> bool {
        let other_ns = self.namespace_of(other);
        match peer.get("namespaceSelector") {
            Some(ns) => {
                let ns_labels = Labels::from([("kubernetes.io/metadata.name".to_string(), other_ns.to_string())]);
                if !matches(ns, &ns_labels) {
                    return false;
                }
            }
            None if other_ns != policy_ns => return false,
            None => {}
        }
        peer.get("podSelector").is_none_or(|p| matches(p, other))
    }

    /// Kubernetes semantics: a direction is open unless some policy of that type in the pod's
    /// namespace selects the pod; then some rule of such a policy must admit the other side.
    fn allows(&self, direction: &str, pod: &Labels, other: &Labels, port: u16) -> bool {
        let kind = if direction == "ingress" { "Ingress" } else { "Egress" };
        let key = if direction == "ingress" { "from" } else { "to" };
        let pod_ns = self.namespace_of(pod);
        let selecting: Vec<&(String, Value)> = self
            .specs
            .iter()
            .filter(|(ns, s)| ns == pod_ns && s["policyTypes"].as_array().unwrap().iter().any(|t| t == kind))
            .filter(|(_, s)| matches(&s["podSelector"], pod))
            .collect();
        if selecting.is_empty() {
            return true;
        }
        selecting.iter().any(|(ns, s)| {
            s[direction].as_array().into_iter().flatten().any(|rule| {
                let port_ok = rule["ports"].as_array().is_none_or(|ports| ports.iter().any(|p| p["port"] == port));
                let peer_ok =
                    rule[key].as_array().is_none_or(|peers| peers.iter().any(|p| self.peer_admits(p, other, ns)));
                port_ok && peer_ok
            })
        })
    }

    fn flow(&self, from: &Labels, to: &Labels, port: u16) -> bool {
        self.allows("egress", from, to, port) && self.allows("ingress", to, from, port)
    }
}

/// Pod labels of every workload, by workload name.
fn workloads(generated: &fabgen::Generated) -> BTreeMap<String, Labels> {
    generated
        .rendered
        .objects
        .values()
        .filter(|o| matches!(o.kind.as_str(), "Deployment" | "StatefulSet"))
        .map(|o| (o.name.clone(), labels(&o.to_json().unwrap()["spec"]["template"]["metadata"]["labels"])))
        .collect()
}

fn client_of(org: &str) -> Labels {
    Labels::from([("fabgen.io/client-of".to_string(), org.to_string())])
}

const THREE_ORGS: &str = r#"
name: policies
namespace: policies
ordererOrg: {name: ord, mspId: OrdMSP, orderers: [{name: orderer0}, {name: orderer1}]}
orgs:
  - {name: org1, mspId: Org1MSP, ca: true, peers: [{name: peer0, couchdb: true}, {name: peer1}]}
  - {name: org2, mspId: Org2MSP, peers: [{name: peer0}]}
  - {name: org3, mspId: Org3MSP, peers: [{name: peer0}]}
channels:
  - {name: ab, orgs: [org1, org2]}
  - {name: bc, orgs: [org2, org3]}
chaincodes:
  - {name: cc1, version: "1", image: "x/cc1:1", channel: ab}
  - {name: cc3, version: "1", image: "x/cc3:1", channel: bc, orgs: [org3], port: 9999,
     endorsementPolicy: {signaturePolicy: "OR('Org3MSP.peer')"}}
"#;

fn generate_text(text: &str) -> fabgen::Generated {
    let spec = fabgen::spec::load_spec("policies.yaml", text).unwrap();
    fabgen::generate(&spec, &TemplateSet::embedded()).unwrap()
}

#[test]
fn flows_follow_the_topology() {
    let generated = generate_text(THREE_ORGS);
    let p = Policies::of(&generated);
    let w = workloads(&generated);
    let (o1p0, o1p1, o2, o3) = (&w["peer0-org1"], &w["peer1-org1"], &w["peer0-org2"], &w["peer0-org3"]);

    // Gossip and endorsement only between orgs that share a channel.
    assert!(p.flow(o1p0, o1p1, 7051), "peers of one org");
    assert!(p.flow(o1p0, o2, 7051) && p.flow(o2, o1p0, 7051), "org1 and org2 share ab");
    assert!(p.flow(o2, o3, 7051) && p.flow(o3, o2, 7051), "org2 and org3 share bc");
    assert!(!p.flow(o1p0, o3, 7051) && !p.flow(o3, o1p0, 7051), "org1 and org3 share no channel");
    // Peers reach every orderer; orderers reach each other; nobody else reaches orderers.
    for peer in [o1p0, o2, o3] {
        assert!(p.flow(peer, &w["orderer0"], 7050));
        assert!(!p.flow(peer, &w["orderer0"], 7053), "admin port only for orderer-org clients");
    }
    assert!(p.flow(&w["orderer0"], &w["orderer1"], 7050));
    assert!(!p.flow(&w["chaincode-cc1-org1"], &w["orderer0"], 7050));
    // A chaincode accepts only its own org's peers.
    assert!(p.flow(o1p0, &w["chaincode-cc1-org1"], 7052));
    assert!(!p.flow(o2, &w["chaincode-cc1-org1"], 7052));
    assert!(p.flow(o2, &w["chaincode-cc1-org2"], 7052));
    assert!(p.flow(o3, &w["chaincode-cc3-org3"], 9999));
    assert!(!p.flow(o3, &w["chaincode-cc3-org3"], 7052), "only its port");
    assert!(!p.flow(&w["chaincode-cc1-org1"], o1p0, 7051), "chaincode as a service dials nobody");
    // Clients: their org's CA, peers of their channels, orderers; admin port for the orderer org.
    assert!(p.flow(&client_of("org1"), &w["ca-org1"], 7054));
    assert!(!p.flow(&client_of("org2"), &w["ca-org1"], 7054));
    assert!(p.flow(&client_of("org1"), o2, 7051));
    assert!(!p.flow(&client_of("org1"), o3, 7051));
    assert!(p.flow(&client_of("ord"), &w["orderer1"], 7053));
    assert!(!p.flow(&client_of("org1"), &w["orderer1"], 7053));
    // CouchDB is a sidecar on localhost: nothing admits its port.
    for (name, pod) in &w {
        for (other, from) in &w {
            assert!(!p.flow(from, pod, 5984), "{other} -> {name}:5984");
        }
    }
    // Operations endpoints are closed without a monitoring selector.
    assert!(!p.flow(&client_of("org1"), o1p0, 9443));
}

#[test]
fn monitoring_and_outside_clients_are_admitted_only_where_configured() {
    let text = format!(
        "{THREE_ORGS}networkPolicies:\n  monitoring: {{namespaceLabels: {{kubernetes.io/metadata.name: monitoring}}, podLabels: {{app: prometheus}}}}\n  clients: [{{namespaceLabels: {{kubernetes.io/metadata.name: gateway}}}}]\n"
    );
    let generated = generate_text(&text);
    let p = Policies::of(&generated);
    let w = workloads(&generated);
    let prometheus = in_ns("monitoring", Labels::from([("app".to_string(), "prometheus".to_string())]));
    let gateway = in_ns("gateway", Labels::from([("app".to_string(), "dashboard".to_string())]));
    let stranger = in_ns("elsewhere", Labels::from([("app".to_string(), "prometheus".to_string())]));
    // Both sit outside the network's namespace; their own egress is their namespace's business,
    // so judge what the network admits.
    assert!(p.allows("ingress", &w["peer0-org1"], &prometheus, 9443));
    assert!(p.allows("ingress", &w["orderer0"], &prometheus, 9443));
    assert!(p.allows("ingress", &w["ca-org1"], &prometheus, 9443));
    assert!(!p.allows("ingress", &w["chaincode-cc1-org1"], &prometheus, 9443));
    assert!(p.allows("ingress", &w["peer0-org3"], &gateway, 7051));
    assert!(p.allows("ingress", &w["orderer1"], &gateway, 7050));
    assert!(!p.allows("ingress", &w["ca-org1"], &gateway, 7054));
    assert!(!p.allows("ingress", &w["peer0-org1"], &gateway, 9443));
    // The same pod labels in another namespace are not the configured monitoring.
    assert!(!p.allows("ingress", &w["peer0-org1"], &stranger, 9443));
    assert!(!p.allows("ingress", &w["peer0-org1"], &stranger, 7051));
    // A pod of the network's namespace labelled like Prometheus is not in "monitoring".
    let local = Labels::from([("app".to_string(), "prometheus".to_string())]);
    assert!(!p.allows("ingress", &w["peer0-org1"], &local, 9443));
}

#[test]
fn every_namespace_has_a_default_deny_policy_and_dns_egress() {
    for spec in common::examples() {
        let generated = common::generate(&spec);
        let p = Policies::of(&generated);
        let mut namespaces = vec![generated.network.namespace.clone()];
        namespaces
            .extend(generated.network.orgs.iter().filter_map(|o| o.k8s_builder.as_ref()).map(|b| b.namespace.clone()));
        for ns in &namespaces {
            let specs: Vec<&Value> = p.specs.iter().filter(|(n, _)| n == ns).map(|(_, s)| s).collect();
            let deny = specs.iter().find(|s| {
                s["podSelector"] == serde_json::json!({}) && s.get("ingress").is_none() && s.get("egress").is_none()
            });
            let deny = deny.unwrap_or_else(|| panic!("{}: no default deny in {ns}", spec.display()));
            assert_eq!(deny["policyTypes"], serde_json::json!(["Ingress", "Egress"]));
            let any_pod = in_ns(ns, Labels::new());
            let kube_dns = Labels::from([("k8s-app".to_string(), "kube-dns".to_string())]);
            assert!(p.allows("egress", &any_pod, &in_ns("kube-system", kube_dns.clone()), 53), "{ns}: DNS");
            assert!(!p.allows("egress", &any_pod, &in_ns(ns, kube_dns), 53), "{ns}: DNS lives in kube-system");
            assert!(!p.allows("egress", &any_pod, &in_ns("kube-system", Labels::new()), 443), "{ns}: only DNS");
        }
        // Every workload is selected by a policy of its own.
        let w = workloads(&generated);
        for (name, pod) in &w {
            let own = p
                .specs
                .iter()
                .filter(|(ns, s)| *ns == generated.network.namespace && s["podSelector"] != serde_json::json!({}))
                .any(|(_, s)| matches(&s["podSelector"], pod));
            assert!(own, "{}: {name} has no policy of its own", spec.display());
        }
    }
}

/// Where each image writes at run time (docs/fabric-facts.md §d), and the env that points
/// the process there. Every such path must be a writable volume; the root filesystem is
/// read-only.
const WRITES: &[(&str, &[&str])] = &[
    ("peer", &["/var/hyperledger/production", "/tmp"]),
    ("orderer", &["/var/hyperledger/production", "/tmp"]),
    ("ca", &["/var/hyperledger/fabric-ca", "/tmp"]),
    ("couchdb", &["/opt/couchdb/data", "/opt/couchdb/etc/local.d", "/tmp"]),
    ("chaincode", &["/tmp"]),
];

const PATH_ENV: &[&str] = &[
    "CORE_PEER_FILESYSTEMPATH",
    "CORE_LEDGER_SNAPSHOTS_ROOTDIR",
    "ORDERER_FILELEDGER_LOCATION",
    "ORDERER_CONSENSUS_WALDIR",
    "ORDERER_CONSENSUS_SNAPDIR",
    "FABRIC_CA_HOME",
    "HOME",
];

#[test]
fn every_path_an_image_writes_is_a_writable_volume() {
    for spec in common::examples() {
        let generated = common::generate(&spec);
        let mut seen = BTreeMap::new();
        for o in generated.rendered.objects.values().filter(|o| matches!(o.kind.as_str(), "Deployment" | "StatefulSet"))
        {
            let json = o.to_json().unwrap();
            for c in json["spec"]["template"]["spec"]["containers"].as_array().unwrap() {
                let name = c["name"].as_str().unwrap();
                let writable: Vec<&str> = c["volumeMounts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|m| m["readOnly"] != true)
                    .map(|m| m["mountPath"].as_str().unwrap())
                    .collect();
                let (_, paths) =
                    WRITES.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("unknown container {name}"));
                for path in *paths {
                    assert!(writable.contains(path), "{} {}: {name} writes {path}", spec.display(), o.name);
                }
                for env in c["env"].as_array().unwrap() {
                    if PATH_ENV.contains(&env["name"].as_str().unwrap()) {
                        let value = env["value"].as_str().unwrap();
                        assert!(
                            writable.iter().any(|w| value == *w || value.starts_with(&format!("{w}/"))),
                            "{} {}: {} = {value} is not on a writable volume",
                            spec.display(),
                            o.name,
                            env["name"]
                        );
                    }
                }
                *seen.entry(name.to_string()).or_insert(0) += 1;
            }
        }
        assert!(seen.contains_key("peer") && seen.contains_key("orderer"), "{}", spec.display());
    }
}

#[test]
fn rbac_is_least_privilege_and_only_for_launcher_peers() {
    for spec in common::examples() {
        let generated = common::generate(&spec);
        let objs: Vec<Value> = generated.rendered.objects.values().map(|o| o.to_json().unwrap()).collect();
        let kinds: Vec<&str> = objs.iter().map(|o| o["kind"].as_str().unwrap()).collect();
        assert!(!kinds.contains(&"ClusterRole") && !kinds.contains(&"ClusterRoleBinding"), "{}", spec.display());
        let roles: BTreeMap<(String, String), &Value> = objs
            .iter()
            .filter(|o| o["kind"] == "Role")
            .map(|o| {
                (
                    (
                        o["metadata"]["namespace"].as_str().unwrap().into(),
                        o["metadata"]["name"].as_str().unwrap().into(),
                    ),
                    o,
                )
            })
            .collect();
        for role in roles.values() {
            for rule in role["rules"].as_array().unwrap() {
                for field in ["apiGroups", "resources", "verbs"] {
                    assert!(
                        !rule[field].as_array().unwrap().iter().any(|v| v == "*"),
                        "{}: wildcard in {role}",
                        spec.display()
                    );
                }
                assert!(rule.get("resourceNames").is_none() || !rule["resourceNames"].as_array().unwrap().is_empty());
            }
        }
        let mut bound_roles = Vec::new();
        for binding in objs.iter().filter(|o| o["kind"] == "RoleBinding") {
            let ns = binding["metadata"]["namespace"].as_str().unwrap().to_string();
            let role = &roles[&(ns.clone(), binding["roleRef"]["name"].as_str().unwrap().to_string())];
            bound_roles.push((ns.clone(), role["metadata"]["name"].as_str().unwrap().to_string()));
            let subjects = binding["subjects"].as_array().unwrap();
            assert_eq!(subjects.len(), 1, "{}: one subject per binding", spec.display());
            let sa = subjects[0]["name"].as_str().unwrap();
            // The subject is the peer ServiceAccount of the org that uses the launcher.
            let org =
                generated.network.orgs.iter().find(|o| o.peer_service_account == sa).expect("a peer ServiceAccount");
            assert!(org.api_access, "{}: {sa} is bound but needs no API", spec.display());
            assert_eq!(subjects[0]["namespace"], generated.network.namespace.as_str());
            let rules: Vec<(String, Vec<String>, Vec<String>)> = role["rules"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let list = |f: &str| {
                        r[f].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect::<Vec<_>>()
                    };
                    (list("apiGroups").join(","), list("resources"), list("verbs"))
                })
                .collect();
            let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<String>>();
            if org.k8scc.as_ref().is_some_and(|k| k.role == role["metadata"]["name"]) {
                assert_eq!(ns, generated.network.namespace);
                assert_eq!(
                    rules,
                    vec![
                        (String::new(), s(&["pods"]), s(&["get", "list", "watch", "create", "delete"])),
                        (String::new(), s(&["pods/log"]), s(&["get"])),
                    ]
                );
            } else {
                let b = org.k8s_builder.as_ref().expect("a launcher role");
                assert_eq!(ns, b.namespace, "the builder's Role lives where its Jobs run");
                assert_eq!(
                    rules,
                    vec![
                        ("batch".to_string(), s(&["jobs"]), s(&["create", "list", "watch"])),
                        (String::new(), s(&["secrets"]), s(&["create", "patch"]))
                    ]
                );
            }
        }
        assert_eq!(bound_roles.len(), roles.len(), "{}: every Role is bound", spec.display());
        // Peers of orgs without launchers get no token and no binding.
        for org in generated.network.orgs.iter().filter(|o| !o.api_access) {
            for peer in &org.peers {
                let sts = objs
                    .iter()
                    .find(|o| o["kind"] == "StatefulSet" && o["metadata"]["name"] == peer.name.as_str())
                    .unwrap();
                assert_eq!(sts["spec"]["template"]["spec"]["automountServiceAccountToken"], false);
            }
        }
    }
}

#[test]
fn launched_chaincode_reaches_only_its_own_peers_chaincode_port() {
    let generated = common::generate(&common::root().join("values/mixed.yaml"));
    let p = Policies::of(&generated);
    let w = workloads(&generated);
    // k8scc's chaincode pods (in the network's namespace) dial the k8scc org's peers only.
    let launched = Labels::from([("externalcc-type".to_string(), "launcher".to_string())]);
    assert!(p.flow(&launched, &w["peer0-org2"], 7052));
    assert!(!p.flow(&launched, &w["peer0-org1"], 7052), "org1 runs no k8scc chaincode");
    assert!(!p.flow(&launched, &w["peer0-org2"], 7051));
    assert!(!p.flow(&w["peer0-org1"], &w["peer0-org2"], 7052), "peers do not use each other's chaincode port");
    // k8scc's build pods may fetch dependencies over HTTPS, nothing else.
    let build = Labels::from([("externalcc-type".to_string(), "builder".to_string())]);
    assert!(p.allows("egress", &build, &Labels::new(), 443));
    assert!(!p.flow(&build, &w["peer0-org2"], 7051));
    // Only launcher peers reach the API server's ports.
    assert!(p.allows("egress", &w["peer0-org2"], &Labels::new(), 443));
    assert!(p.allows("egress", &w["peer0-org3"], &Labels::new(), 6443));
    assert!(!p.allows("egress", &w["peer0-org1"], &Labels::new(), 443));

    // fabric-builder-k8s Jobs live in org3's chaincode namespace: they reach org3's peers on
    // 7052 and nothing else; pods with the same labels elsewhere do not.
    let jobs_labels = Labels::from([("app.kubernetes.io/created-by".to_string(), "fabric-builder-k8s".to_string())]);
    let job = in_ns("fabric-mixed-org3-cc", jobs_labels.clone());
    assert!(p.flow(&job, &w["peer0-org3"], 7052));
    assert!(!p.flow(&job, &w["peer0-org2"], 7052), "org3's Jobs reach org3's peers only");
    assert!(!p.flow(&job, &w["peer0-org3"], 7051));
    assert!(!p.flow(&job, &w["orderer0"], 7050));
    let impostor = in_ns("fabric-mixed", jobs_labels);
    assert!(!p.flow(&impostor, &w["peer0-org3"], 7052), "the label alone, in the network's namespace, is not enough");
    // Nothing reaches into the chaincode namespace.
    let cc_pod = in_ns("fabric-mixed-org3-cc", Labels::new());
    assert!(!p.flow(&w["peer0-org3"], &cc_pod, 7052));
}

/// The channel Jobs' pods are clients of their org: the create Job (orderer org) reaches every
/// orderer's admin and client ports; a join Job reaches its own org's peers and the orderers,
/// never the admin port.
#[test]
fn bootstrap_jobs_reach_exactly_what_they_call() {
    let generated = generate_text(THREE_ORGS);
    let p = Policies::of(&generated);
    let w = workloads(&generated);
    let jobs: BTreeMap<String, Labels> = generated
        .rendered
        .objects
        .values()
        .filter(|o| o.kind == "Job")
        .map(|o| {
            let json = o.to_json().unwrap();
            (
                json["metadata"]["labels"]["app.kubernetes.io/instance"].as_str().unwrap().to_string(),
                labels(&json["spec"]["template"]["metadata"]["labels"]),
            )
        })
        .collect();
    // 2 creates, 2 updates and 4 joins; per chaincode a Job per channel member.
    assert_eq!(jobs.len(), 2 + 2 + 4 + 2 + 2, "{:?}", jobs.keys());
    for channel in ["ab", "bc"] {
        // The update Job fetches and submits (7050) and asks each orderer's status (7053).
        for job in ["create", "update"] {
            let job = &jobs[&format!("channel-{channel}-{job}")];
            for orderer in ["orderer0", "orderer1"] {
                assert!(p.flow(job, &w[orderer], 7053), "osnadmin");
                assert!(p.flow(job, &w[orderer], 7050), "peer channel fetch");
            }
            assert!(!p.flow(job, &w["peer0-org2"], 7051));
        }
    }
    let join = &jobs["channel-ab-join-org1"];
    assert!(p.flow(join, &w["peer0-org1"], 7051) && p.flow(join, &w["peer1-org1"], 7051));
    assert!(p.flow(join, &w["orderer0"], 7050));
    assert!(!p.flow(join, &w["orderer0"], 7053));
    assert!(!p.flow(join, &w["peer0-org3"], 7051), "org1 shares no channel with org3");

    // Lifecycle Jobs: the committer (org3 for cc3) reaches a peer of every member of the
    // channel and the orderers; an approving member's Job reaches its own peers.
    let commit = &jobs["chaincode-cc3-lifecycle-org3"];
    assert!(p.flow(commit, &w["peer0-org3"], 7051) && p.flow(commit, &w["peer0-org2"], 7051));
    assert!(p.flow(commit, &w["orderer1"], 7050) && !p.flow(commit, &w["orderer1"], 7053));
    assert!(!p.flow(commit, &w["peer0-org1"], 7051), "org1 is not on channel bc");
    let approve = &jobs["chaincode-cc3-approve-org2"];
    assert!(p.flow(approve, &w["peer0-org2"], 7051) && p.flow(approve, &w["orderer0"], 7050));
    assert!(!p.flow(approve, &w["chaincode-cc3-org3"], 9999), "Jobs never call chaincode servers");
}

/// Every pod a network's policies could concern: each workload and each Job's pod (by
/// instance), clients of each org and of a name no org has, a plain pod of the namespace, the
/// configured monitoring and outside clients, pods of other namespaces, and the pods the
/// launchers create.
fn population(generated: &fabgen::Generated, spec: &fabgen::spec::NetworkSpec) -> BTreeMap<String, Labels> {
    let mut pods = workloads(generated);
    for o in generated.rendered.objects.values().filter(|o| o.kind == "Job") {
        let json = o.to_json().unwrap();
        let template = labels(&json["spec"]["template"]["metadata"]["labels"]);
        pods.insert(format!("job/{}", template["app.kubernetes.io/instance"]), template);
    }
    let network = &generated.network;
    for org in network
        .orgs
        .iter()
        .map(|o| o.name.as_str())
        .chain(network.orderer_orgs.iter().map(|o| o.name.as_str()))
        .chain(["no-such-org"])
    {
        pods.insert(format!("client-of/{org}"), client_of(org));
    }
    pods.insert("plain-pod".into(), Labels::new());
    pods.insert("other-namespace".into(), in_ns("elsewhere", Labels::new()));
    let np = &spec.network_policies;
    for (i, s) in np.monitoring.iter().chain(&np.clients).enumerate() {
        let mut pod = s.pod_labels.clone().unwrap_or_default();
        if let Some(ns) = s.namespace_labels.as_ref().and_then(|l| l.get("kubernetes.io/metadata.name")) {
            pod.insert(NAMESPACE_KEY.into(), ns.clone());
        }
        pods.insert(format!("configured/{i}"), pod);
    }
    pods.insert("k8scc-launched".into(), Labels::from([("externalcc-type".into(), "launcher".into())]));
    pods.insert("k8scc-build".into(), Labels::from([("externalcc-type".into(), "builder".into())]));
    for org in network.orgs.iter().filter_map(|o| o.k8s_builder.as_ref()) {
        let job = Labels::from([("app.kubernetes.io/created-by".into(), "fabric-builder-k8s".into())]);
        pods.insert(format!("k8s-builder-job/{}", org.namespace), in_ns(&org.namespace, job));
    }
    pods
}

/// Every (source, destination, port) the policies allow among the population, on the ports
/// any component listens on: the network's reachability, independent of how the policies
/// are written. Snapshotted per example, so a rewrite of the policies that changes a flow
/// shows in review.
#[test]
fn allowed_flows_of_every_example() {
    for path in common::examples() {
        let spec = fabgen::spec::SpecSource::read(&path).unwrap().load().unwrap();
        let generated = fabgen::generate(&spec, &TemplateSet::embedded()).unwrap();
        let p = Policies::of(&generated);
        let pods = population(&generated, &spec);
        let mut ports: std::collections::BTreeSet<u16> =
            [53, 443, 5984, 6443, 7050, 7051, 7052, 7053, 7054, 9443].into();
        ports.extend(generated.network.chaincodes.iter().flat_map(|c| &c.deployments).map(|d| d.port));
        ports.extend(&generated.network.remote_ports);
        let mut lines = String::new();
        for (from, from_labels) in &pods {
            for (to, to_labels) in &pods {
                let open: Vec<String> = ports
                    .iter()
                    .filter(|port| from != to && p.flow(from_labels, to_labels, **port))
                    .map(u16::to_string)
                    .collect();
                if !open.is_empty() {
                    lines.push_str(&format!("{from} -> {to}: {}\n", open.join(" ")));
                }
            }
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("allowed_flows@{name}"), lines);
        });
    }
}

/// The pods a node of the picture stands for: its workload's pods, or pods with its labels in
/// its namespace (any address: a pod of a namespace without policies). The clients of an org
/// include the channel and lifecycle Jobs that carry its client label.
fn node_pods(
    node: &fabgen::model::topology::Node,
    workloads: &BTreeMap<String, Labels>,
    jobs: &[Labels],
) -> Vec<Labels> {
    use fabgen::model::topology::NodeKind;
    if let Some(workload) = &node.workload {
        return vec![workloads[workload].clone()];
    }
    let labels: Labels = node.pod_labels.clone();
    let mut pods = vec![match (&node.namespace, node.kind) {
        (_, NodeKind::Anywhere) => in_ns("elsewhere", labels.clone()),
        (Some(ns), _) => in_ns(ns, labels.clone()),
        (None, _) => labels.clone(),
    }];
    if node.kind == NodeKind::Clients {
        let org = &labels["fabgen.io/client-of"];
        pods.extend(jobs.iter().filter(|j| j.get("fabgen.io/client-of") == Some(org)).cloned());
    }
    pods
}

/// The flows `fabgen graph` draws are exactly those the rendered NetworkPolicies allow: for
/// every two groups of the picture and every port anything listens on, either every pod of one
/// reaches every pod of the other and an arrow says so, or none does and no arrow is drawn.
/// Pods the picture leaves out (a pod without labels, a client of no org) reach nothing.
#[test]
fn the_graph_draws_exactly_the_flows_the_policies_allow() {
    let mut specs: Vec<(String, fabgen::spec::NetworkSpec)> = common::examples()
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fabgen::spec::SpecSource::read(p).unwrap().load().unwrap())
        })
        .collect();
    let configured = [
        ("three-orgs", String::new()),
        ("configured", "networkPolicies:\n  monitoring: {namespaceLabels: {kubernetes.io/metadata.name: monitoring}, podLabels: {app: prometheus}}\n  clients: [{namespaceLabels: {kubernetes.io/metadata.name: gateway}}, {podLabels: {app: gateway}}]\n".to_string()),
        ("local-monitoring", "networkPolicies:\n  monitoring: {podLabels: {app: prometheus}}\n".to_string()),
    ];
    for (name, policies) in configured {
        specs.push((name.to_string(), fabgen::spec::load_spec(name, &format!("{THREE_ORGS}{policies}")).unwrap()));
    }
    for (name, spec) in &specs {
        let generated = fabgen::generate(spec, &TemplateSet::embedded()).unwrap();
        let topology = fabgen::model::topology::of(&generated.network);
        assert!(topology.policies, "{name}");
        let p = Policies::of(&generated);
        let w = workloads(&generated);
        let jobs: Vec<Labels> = generated
            .rendered
            .objects
            .values()
            .filter(|o| o.kind == "Job")
            .map(|o| labels(&o.to_json().unwrap()["spec"]["template"]["metadata"]["labels"]))
            .collect();
        let drawn_workloads: std::collections::BTreeSet<&String> =
            topology.groups().flat_map(|g| &g.nodes).filter_map(|n| n.workload.as_ref()).collect();
        assert_eq!(drawn_workloads, w.keys().collect(), "{name}: every workload is drawn");

        let mut governed: Vec<&str> = vec![generated.network.namespace.as_str()];
        governed
            .extend(generated.network.orgs.iter().filter_map(|o| o.k8s_builder.as_ref()).map(|b| b.namespace.as_str()));
        let groups: Vec<(&str, Vec<Labels>)> = topology
            .groups()
            .map(|g| (g.id.as_str(), g.nodes.iter().flat_map(|n| node_pods(n, &w, &jobs)).collect()))
            .collect();
        let mut ports: std::collections::BTreeSet<u16> =
            [53, 443, 5984, 6443, 7050, 7051, 7052, 7053, 7054, 9443].into();
        ports.extend(generated.network.chaincodes.iter().flat_map(|c| &c.deployments).map(|d| d.port));
        ports.extend(&generated.network.remote_ports);
        let drawn = |from: &str, to: &str, port: u16| {
            topology.flows.iter().any(|f| {
                f.ports.contains(&port)
                    && ((*f.from == *from && *f.to == *to) || (f.both_ways && *f.from == *to && *f.to == *from))
            })
        };
        for (a, a_pods) in &groups {
            for (b, b_pods) in &groups {
                let pairs: Vec<(&Labels, &Labels)> = a_pods
                    .iter()
                    .flat_map(|x| b_pods.iter().map(move |y| (x, y)))
                    .filter(|(x, y)| !std::ptr::eq(*x, *y) && x != y)
                    .collect();
                let inside = |pod: &Labels| governed.contains(&p.namespace_of(pod));
                if pairs.is_empty() || !pairs.iter().all(|(x, y)| inside(x) || inside(y)) {
                    continue;
                }
                for &port in &ports {
                    let open = pairs.iter().filter(|(x, y)| p.flow(x, y, port)).count();
                    let want = if drawn(a, b, port) { pairs.len() } else { 0 };
                    assert_eq!(
                        open,
                        want,
                        "{name}: {a} -> {b}:{port}: {open} of {} pod pairs may connect",
                        pairs.len()
                    );
                }
            }
        }
        // Pods of the network's namespace that are nothing of the picture.
        for stranger in [Labels::new(), client_of("no-such-org")] {
            for (g, pods) in &groups {
                for pod in pods {
                    for &port in &ports {
                        assert!(!p.flow(&stranger, pod, port), "{name}: {stranger:?} -> {g}:{port}");
                        assert!(!p.flow(pod, &stranger, port), "{name}: {g} -> {stranger:?}:{port}");
                    }
                }
            }
        }
    }
}

/// Organisations of one cluster in three namespaces, each with its own part: the union of the
/// parts' NetworkPolicies, evaluated across namespaces, admits every flow the network needs
/// between the namespaces and nothing an organisation's neighbours or strangers should have.
#[test]
fn parts_in_one_cluster_talk_across_their_namespaces_and_only_as_needed() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::one_cluster_namespaces(dir.path());
    let spec = fabgen::spec::SpecSource::read(&path).unwrap().load().unwrap();
    let namespaces = BTreeMap::from(common::ONE_CLUSTER_NAMESPACES);
    let orgs: Vec<&str> = namespaces.keys().copied().collect();
    let cards = common::cards(&path, &orgs, dir.path());
    let mut p = Policies { namespace: "unused".into(), specs: Vec::new() };
    let mut pods: BTreeMap<String, Labels> = BTreeMap::new();
    for org in &orgs {
        let part = fabgen::generate_part(&spec, &TemplateSet::embedded(), org, &cards).unwrap();
        assert_eq!(part.network.namespace, namespaces[org]);
        p.specs.extend(Policies::of(&part).specs);
        for (name, labels) in workloads(&part) {
            pods.insert(name, in_ns(namespaces[org], labels));
        }
        for o in part.rendered.objects.values().filter(|o| o.kind == "Job") {
            let labels = labels(&o.to_json().unwrap()["spec"]["template"]["metadata"]["labels"]);
            pods.insert(format!("job/{}", labels["app.kubernetes.io/instance"]), in_ns(namespaces[org], labels));
        }
        pods.insert(format!("client-of/{org}"), in_ns(namespaces[org], client_of(org)));
    }
    let flow = |from: &str, to: &str, port: u16| p.flow(&pods[from], &pods[to], port);
    for (a, b) in [("peer0-org1", "peer0-org2"), ("peer0-org2", "peer0-org1")] {
        assert!(flow(a, b, 7051), "gossip {a} -> {b}");
        assert!(flow(a, "orderer0", 7050) && !flow(a, "orderer0", 7053), "{a} delivers and broadcasts only");
    }
    assert!(flow("orderer0", "orderer2", 7050), "consensus");
    assert!(flow("job/channel-mychannel-create", "orderer1", 7053), "osnadmin, in the ordering namespace");
    for org in ["org1", "org2"] {
        let join = format!("job/channel-mychannel-join-{org}");
        assert!(flow(&join, "orderer0", 7050) && !flow(&join, "orderer0", 7053), "{join} fetches block 0");
        assert!(flow(&join, &format!("peer0-{org}"), 7051), "{join} joins its own peer");
        assert!(flow(&format!("client-of/{org}"), &format!("ca-{org}"), 7054), "{org} enrols at its CA");
        assert!(flow(&format!("peer0-{org}"), &format!("chaincode-marbles-{org}"), 7052));
    }
    assert!(flow("job/chaincode-marbles-lifecycle-org1", "peer0-org2", 7051), "the committer reaches org2");
    // What neighbours and strangers must not reach.
    assert!(!flow("peer0-org1", "chaincode-marbles-org2", 7052), "another org's chaincode server");
    assert!(!flow("peer0-org2", "chaincode-marbles-org1", 7052), "another org's chaincode server");
    assert!(!flow("client-of/org2", "ca-org1", 7054), "another org's CA");
    assert!(!flow("client-of/org1", "orderer0", 7053), "the orderers' admin endpoint");
    let stranger = in_ns("elsewhere", client_of("org1"));
    assert!(!p.flow(&stranger, &pods["peer0-org1"], 7051), "a client in a namespace of no organisation");
    let unlabelled = in_ns("fabric-org1", Labels::new());
    assert!(!p.flow(&unlabelled, &pods["orderer0"], 7050), "a pod no policy names");
}

/// values/multi-org.yaml's ServiceMonitors, followed as prometheus-operator and Prometheus
/// follow them: each selects Services in its own namespace (no `namespaceSelector`); each
/// endpoint's `port` names a Service port whose target is a container port of the pods behind
/// it, where the metrics provider is `prometheus` and the operations listener serves plain
/// HTTP. Every peer, orderer and CA Service is scraped by exactly one, nothing else is, and
/// the Prometheus that `networkPolicies.monitoring` selects may reach each target.
#[test]
fn service_monitors_scrape_every_node_once_through_the_policies() {
    let path = common::root().join("values/multi-org.yaml");
    let spec = fabgen::spec::SpecSource::read(&path).unwrap().load().unwrap();
    let generated = common::generate(&path);
    let p = Policies::of(&generated);
    let objects: Vec<Value> = generated.rendered.objects.values().map(|o| o.to_json().unwrap()).collect();
    let of_kind = |kind: &'static str| objects.iter().filter(move |o| o["kind"] == kind);
    let monitors: Vec<&Value> = of_kind("ServiceMonitor").collect();
    assert_eq!(monitors.len(), generated.network.orderer_orgs.len() + generated.network.orgs.len());
    let selector = spec.network_policies.monitoring.as_ref().unwrap();
    let prometheus = in_ns("monitoring", selector.pod_labels.clone().unwrap());
    let mut scraped: BTreeMap<String, usize> = BTreeMap::new();
    for m in &monitors {
        assert_eq!(m["metadata"]["labels"]["release"], "kube-prometheus-stack");
        assert!(m["spec"].get("namespaceSelector").is_none());
        let [endpoint] = m["spec"]["endpoints"].as_array().unwrap().as_slice() else { panic!("one endpoint") };
        assert_eq!((endpoint["scheme"].as_str(), endpoint["path"].as_str()), (Some("http"), Some("/metrics")));
        assert_eq!(endpoint["interval"], "30s");
        let services = of_kind("Service").filter(|s| {
            s["metadata"]["namespace"] == m["metadata"]["namespace"]
                && matches(&m["spec"]["selector"], &labels(&s["metadata"]["labels"]))
        });
        for service in services {
            let name = service["metadata"]["name"].as_str().unwrap();
            *scraped.entry(name.to_string()).or_default() += 1;
            assert_eq!(service["metadata"]["labels"]["fabgen.io/org"], m["metadata"]["labels"]["fabgen.io/org"]);
            let ports = service["spec"]["ports"].as_array().unwrap();
            let port = ports.iter().find(|p| p["name"] == endpoint["port"]).expect("the endpoint's port");
            let workload = of_kind("StatefulSet")
                .chain(of_kind("Deployment"))
                .find(|w| {
                    matches(
                        &json!({"matchLabels": service["spec"]["selector"]}),
                        &labels(&w["spec"]["template"]["metadata"]["labels"]),
                    )
                })
                .expect("pods behind the Service");
            let pod = &workload["spec"]["template"];
            let container = &pod["spec"]["containers"][0];
            let target =
                container["ports"].as_array().unwrap().iter().find(|c| c["name"] == port["targetPort"]).unwrap();
            let number = target["containerPort"].as_u64().unwrap() as u16;
            let env: BTreeMap<&str, &str> = container["env"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|e| Some((e["name"].as_str()?, e["value"].as_str()?)))
                .collect();
            // core.yaml metrics.provider, orderer.yaml Metrics.Provider, fabric-ca's
            // metrics.provider; operations TLS is off unless enabled (…_OPERATIONS_TLS_ENABLED).
            let provider = env.iter().find(|(k, _)| k.ends_with("METRICS_PROVIDER")).map(|(_, v)| *v);
            assert_eq!(provider, Some("prometheus"), "{name}");
            let listen = env.iter().find(|(k, _)| k.ends_with("OPERATIONS_LISTENADDRESS")).map(|(_, v)| *v);
            assert_eq!(listen, Some(format!("0.0.0.0:{number}").as_str()), "{name}");
            assert!(!env.iter().any(|(k, v)| k.ends_with("OPERATIONS_TLS_ENABLED") && *v == "true"), "{name}");
            let pod_labels = labels(&pod["metadata"]["labels"]);
            assert!(p.allows("ingress", &pod_labels, &prometheus, number), "{name}: Prometheus is refused");
        }
    }
    let nodes: Vec<&str> = of_kind("Service")
        .filter(|s| {
            ["peer", "orderer", "ca"]
                .contains(&s["metadata"]["labels"]["app.kubernetes.io/component"].as_str().unwrap())
        })
        .map(|s| s["metadata"]["name"].as_str().unwrap())
        .collect();
    assert!(nodes.len() >= 10, "{nodes:?}");
    assert_eq!(scraped.keys().map(String::as_str).collect::<Vec<_>>(), {
        let mut n = nodes.clone();
        n.sort();
        n
    });
    assert!(scraped.values().all(|k| *k == 1), "{scraped:?}");
}

/// Without `monitoring.serviceMonitor` no ServiceMonitor is rendered, and with it but no
/// Prometheus admitted by the NetworkPolicies the spec is refused at the line of the switch.
#[test]
fn service_monitors_need_a_prometheus_the_policies_admit() {
    assert!(!generate_text(THREE_ORGS).rendered.objects.values().any(|o| o.kind == "ServiceMonitor"));
    let text = format!("{THREE_ORGS}monitoring: {{serviceMonitor: true}}\n");
    let errors = fabgen::spec::load_spec("policies.yaml", &text).unwrap_err().to_string();
    let line = text.lines().position(|l| l.starts_with("monitoring:")).unwrap() + 1;
    assert!(errors.contains(&format!("policies.yaml:{line}:")), "{errors}");
    assert!(errors.contains("monitoring.serviceMonitor") && errors.contains("networkPolicies.monitoring"), "{errors}");
    let off = format!("{THREE_ORGS}monitoring: {{serviceMonitor: true}}\nnetworkPolicies: {{enabled: false}}\n");
    let generated = generate_text(&off);
    let monitors = generated.rendered.objects.values().filter(|o| o.kind == "ServiceMonitor").count();
    assert_eq!(monitors, 4, "the ordering organisation and three peer organisations");
}
