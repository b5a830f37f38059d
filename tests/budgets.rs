//! PodDisruptionBudgets of every example, read from the rendered objects: each selects pods
//! that exist and never blocks every drain; a peer organisation of two or more peers keeps
//! one; and for every channel, the disruptions the ordering organisations' budgets allow
//! together never exceed what its consenters tolerate (Raft ⌊(n−1)/2⌋, SmartBFT ⌊(n−1)/3⌋).

mod common;

use std::collections::BTreeMap;

use fabgen::render::TemplateSet;

struct Rendered {
    /// Pods by their labels (one per StatefulSet replica).
    pods: Vec<BTreeMap<String, String>>,
    /// Budgets: (org, component, disruptions allowed, pods its selector matches, the one
    /// workload it selects if it selects one).
    budgets: Vec<(String, String, usize, usize, Option<String>)>,
    network: fabgen::model::Network,
}

fn labels(v: &serde_json::Value) -> BTreeMap<String, String> {
    v.as_object().into_iter().flatten().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())).collect()
}

fn rendered(path: &std::path::Path) -> Rendered {
    let spec = fabgen::spec::SpecSource::read(path).unwrap().load().unwrap();
    let generated = fabgen::generate(&spec, &TemplateSet::embedded()).unwrap();
    let objects: Vec<serde_json::Value> = generated.rendered.objects.values().map(|o| o.to_json().unwrap()).collect();
    let mut pods = Vec::new();
    for o in objects.iter().filter(|o| o["kind"] == "StatefulSet" || o["kind"] == "Deployment") {
        let replicas = o["spec"]["replicas"].as_u64().unwrap_or(1);
        (0..replicas).for_each(|_| pods.push(labels(&o["spec"]["template"]["metadata"]["labels"])));
    }
    let budgets = objects
        .iter()
        .filter(|o| o["kind"] == "PodDisruptionBudget")
        .map(|o| {
            let selector = labels(&o["spec"]["selector"]["matchLabels"]);
            let matched = pods.iter().filter(|p| selector.iter().all(|(k, v)| p.get(k) == Some(v))).count();
            let allowed = match (o["spec"]["minAvailable"].as_u64(), o["spec"]["maxUnavailable"].as_u64()) {
                (Some(min), None) => matched.saturating_sub(min as usize),
                (None, Some(max)) => (max as usize).min(matched),
                other => panic!("{}: minAvailable or maxUnavailable, as an integer: {other:?}", o["metadata"]["name"]),
            };
            let own = labels(&o["metadata"]["labels"]);
            let instance = selector.get("app.kubernetes.io/instance").cloned();
            (own["fabgen.io/org"].clone(), own["app.kubernetes.io/component"].clone(), allowed, matched, instance)
        })
        .collect();
    Rendered { pods, budgets, network: generated.network }
}

#[test]
fn budgets_keep_each_channels_consenters_tolerance_and_never_block_a_drain() {
    let mut seen = 0;
    for path in common::examples() {
        let r = rendered(&path);
        for (org, component, allowed, matched, _) in &r.budgets {
            assert!(
                *allowed >= 1 && allowed < matched,
                "{}: {org} {component}: {allowed} of {matched} may go: none (a blocked drain) or all",
                path.display()
            );
        }
        for org in &r.network.orgs {
            let peers =
                r.pods.iter().filter(|p| p["app.kubernetes.io/component"] == "peer" && p["fabgen.io/org"] == org.name);
            let budget = r.budgets.iter().find(|b| b.0 == org.name && b.1 == "peer");
            match peers.count() {
                0 | 1 => assert!(budget.is_none(), "{}: {}", path.display(), org.name),
                n => assert_eq!(budget.map(|b| b.2), Some(n - 1), "{}: {}", path.display(), org.name),
            }
        }
        let bft = r.network.configtx.as_ref().is_some_and(|c| c.orderer_type == "BFT");
        for channel in &r.network.channels {
            let consenters: usize = r
                .network
                .orderer_orgs
                .iter()
                .filter(|o| channel.ordering.contains(&o.name))
                .map(|o| o.orderers.len())
                .sum();
            let tolerated = if bft { (consenters - 1) / 3 } else { (consenters - 1) / 2 };
            let allowed: usize = r
                .budgets
                .iter()
                .filter(|(org, component, ..)| component == "orderer" && channel.ordering.contains(org))
                .map(|b| b.2)
                .sum();
            assert!(allowed <= tolerated, "{}: channel {}: {allowed} > {tolerated}", path.display(), channel.name);
            if tolerated > 0 {
                assert!(
                    allowed > 0,
                    "{}: channel {} may lose {tolerated}: some budget allows it",
                    path.display(),
                    channel.name
                );
            }
            seen += 1;
        }
    }
    assert!(seen >= 8, "{seen} channels");
}

/// A chaincode Deployment of two or more replicas loses one at a time (`maxUnavailable: 1`,
/// which never blocks a drain, whatever the chart's replicas); one of a single replica, and a
/// Fabric CA (one replica, its own database), has no budget.
#[test]
fn chaincodes_of_several_replicas_lose_one_at_a_time_and_cas_have_no_budget() {
    let mut guarded = 0;
    for path in common::examples() {
        let spec = fabgen::spec::SpecSource::read(&path).unwrap().load().unwrap();
        let r = rendered(&path);
        for cc in r.network.chaincodes.iter().flat_map(|c| &c.deployments) {
            let replicas = spec.chaincodes.iter().find(|c| c.name == cc.chaincode).unwrap().replicas as usize;
            let budget = r.budgets.iter().find(|b| b.4.as_deref() == Some(cc.name.as_str()));
            if replicas >= 2 {
                let (org, component, allowed, matched, _) = budget.expect("a budget");
                assert_eq!((org, component.as_str()), (&cc.org, "chaincode"));
                assert_eq!((*allowed, *matched), (1, replicas), "{}: {}", path.display(), cc.name);
                guarded += 1;
            } else {
                assert!(budget.is_none(), "{}: {} has one replica", path.display(), cc.name);
            }
        }
        assert!(r.budgets.iter().all(|b| b.1 != "ca"), "{}", path.display());
    }
    assert!(guarded >= 2, "an example runs a chaincode of two replicas in two organisations");
}

/// Orderers and peers spread across nodes as `placement.spread` says and across zones as
/// preferred, each constraint selecting exactly its group: the organisation's orderers, or its
/// peers.
#[test]
fn orderers_and_peers_spread_across_nodes_and_zones() {
    for (spread, across_nodes) in [("", "ScheduleAnyway"), ("placement: {spread: required}\n", "DoNotSchedule")] {
        let text = std::fs::read_to_string(common::root().join("values/tutorial.yaml")).unwrap() + spread;
        let spec = fabgen::spec::load_spec("tutorial.yaml", &text).unwrap();
        let generated = fabgen::generate(&spec, &TemplateSet::embedded()).unwrap();
        let mut seen = 0;
        for o in generated.rendered.objects.values().filter(|o| o.kind == "StatefulSet") {
            let json = o.to_json().unwrap();
            let pod = labels(&json["spec"]["template"]["metadata"]["labels"]);
            let constraints = json["spec"]["template"]["spec"]["topologySpreadConstraints"].as_array().unwrap();
            let keys: Vec<(&str, &str)> = constraints
                .iter()
                .map(|c| (c["topologyKey"].as_str().unwrap(), c["whenUnsatisfiable"].as_str().unwrap()))
                .collect();
            assert_eq!(
                keys,
                [("kubernetes.io/hostname", across_nodes), ("topology.kubernetes.io/zone", "ScheduleAnyway")],
                "{}",
                o.name
            );
            // The API server refuses two constraints with the same topologyKey and
            // whenUnsatisfiable (ValidateSpreadConstraintNotRepeat, core validation.go).
            let mut pairs = keys.clone();
            pairs.sort();
            pairs.dedup();
            assert_eq!(pairs.len(), keys.len(), "{}: a repeated constraint", o.name);
            for c in constraints {
                assert_eq!(c["maxSkew"], 1);
                let selector = labels(&c["labelSelector"]["matchLabels"]);
                assert!(selector.iter().all(|(k, v)| pod.get(k) == Some(v)), "{}: selects itself", o.name);
                assert_eq!(selector["fabgen.io/org"], pod["fabgen.io/org"]);
                assert_eq!(selector["app.kubernetes.io/component"], pod["app.kubernetes.io/component"]);
            }
            seen += 1;
        }
        assert_eq!(seen, 3 + 2, "three orderers, a peer of each of two organisations");
    }
}

/// A 3-node cluster places each group (an ordering organisation's orderers, an organisation's
/// peers) as its hostname spread constraint asks, at most one more on any node than on another
/// (round robin, each group starting where the last left off). Then each node in turn is
/// drained as `kubectl drain` does it: one eviction request per pod on the node, all at once,
/// each granted only while its budget allows one more disruption, and no evicted pod back
/// before the drain ends. Every channel keeps what its consenters need, on every drain and
/// for every example. Losing a node outright (no budget guards that) costs a channel of one
/// ordering organisation at most ⌈n/3⌉ consenters, within its tolerance wherever 3 nodes can
/// give that.
#[test]
fn draining_any_node_of_three_keeps_every_channels_quorum() {
    const NODES: usize = 3;
    for path in common::examples() {
        let r = rendered(&path);
        let bft = r.network.configtx.as_ref().is_some_and(|c| c.orderer_type == "BFT");
        // (org, component) -> node of each pod, round robin across the groups.
        let mut placed: Vec<(String, String, usize)> = Vec::new();
        let mut next = 0;
        let mut groups: Vec<(String, String)> = r
            .pods
            .iter()
            .filter(|p| ["orderer", "peer"].contains(&p["app.kubernetes.io/component"].as_str()))
            .map(|p| (p["fabgen.io/org"].clone(), p["app.kubernetes.io/component"].clone()))
            .collect();
        groups.dedup();
        for (org, component) in &groups {
            let count = r
                .pods
                .iter()
                .filter(|p| &p["fabgen.io/org"] == org && &p["app.kubernetes.io/component"] == component)
                .count();
            for _ in 0..count {
                placed.push((org.clone(), component.clone(), next % NODES));
                next += 1;
            }
        }
        let consenters_down = |down: &dyn Fn(&(String, String, usize)) -> bool, channel: &fabgen::model::Channel| {
            placed.iter().filter(|p| p.1 == "orderer" && channel.ordering.contains(&p.0) && down(p)).count()
        };
        for node in 0..NODES {
            // The drain: each pod on the node asks once; its budget grants while it allows.
            let mut evicted: BTreeMap<(String, String), usize> = BTreeMap::new();
            for (org, component, _) in placed.iter().filter(|p| p.2 == node) {
                let budget = r.budgets.iter().find(|b| &b.0 == org && &b.1 == component);
                let allowed = budget.map_or(usize::MAX, |b| b.2);
                let count = evicted.entry((org.clone(), component.clone())).or_default();
                if *count < allowed {
                    *count += 1;
                }
            }
            for channel in &r.network.channels {
                let n = consenters_down(&|_| true, channel);
                let tolerated = if bft { (n - 1) / 3 } else { (n - 1) / 2 };
                let down: usize = evicted
                    .iter()
                    .filter(|((org, component), _)| component == "orderer" && channel.ordering.contains(org))
                    .map(|(_, k)| *k)
                    .sum();
                // An organisation without a budget (share 0) is not guarded by one: its pods
                // go; the budgets of the others leave room for them only if the spread did.
                let unguarded = r.network.orderer_orgs.iter().any(|o| {
                    channel.ordering.contains(&o.name) && !r.budgets.iter().any(|b| b.0 == o.name && b.1 == "orderer")
                });
                if !unguarded {
                    assert!(
                        down <= tolerated,
                        "{}: draining node {node} takes {down} of channel {}'s {n} consenters (tolerates {tolerated})",
                        path.display(),
                        channel.name
                    );
                }
                // Losing the node outright: spread across three nodes, one ordering organisation
                // loses at most ⌈n/3⌉, and so keeps quorum wherever that is within the
                // tolerance (three or five Raft orderers; four SmartBFT ones need four nodes).
                if channel.ordering.len() == 1 {
                    let lost = consenters_down(&|p| p.2 == node, channel);
                    assert!(lost <= n.div_ceil(NODES), "{}: node {node} holds {lost} of {n}", path.display());
                    if n.div_ceil(NODES) <= tolerated {
                        assert!(
                            lost <= tolerated,
                            "{}: losing node {node} costs channel {} {lost} of {n}",
                            path.display(),
                            channel.name
                        );
                    }
                }
            }
        }
    }
}

/// `placement.<kind>` reaches exactly the pods of that kind, as written, and never a Job's
/// (a Job's pod template is immutable); a kind left out gets no scheduling field at all.
#[test]
fn node_selectors_tolerations_and_priority_reach_each_kind_of_pod() {
    let placement = r#"placement:
  orderers: {nodeSelector: {pool: ordering}, priorityClassName: fabric-critical,
             tolerations: [{key: dedicated, operator: Equal, value: fabric, effect: NoSchedule}]}
  peers: {nodeSelector: {pool: peers}, tolerations: [{key: spot, operator: Exists}]}
  cas: {nodeSelector: {pool: cas}}
  chaincodes: {priorityClassName: fabric-chaincode}
"#;
    let text = std::fs::read_to_string(common::root().join("values/tutorial.yaml")).unwrap() + placement;
    let spec = fabgen::spec::load_spec("tutorial.yaml", &text).unwrap();
    let generated = fabgen::generate(&spec, &TemplateSet::embedded()).unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    for o in generated.rendered.objects.values().filter(|o| o.api_version != "v1" || o.kind != "Service") {
        let json = o.to_json().unwrap();
        for pod in common::pod_specs(&json) {
            let component = json["metadata"]["labels"]["app.kubernetes.io/component"].as_str().unwrap_or_default();
            let scheduling = |key: &str| pod.get(key).cloned();
            let (selector, tolerations, priority) = match (o.kind.as_str(), component) {
                ("Job", _) => (None, None, None),
                (_, "ca") => (Some(serde_json::json!({"pool": "cas"})), None, None),
                (_, "orderer") => (
                    Some(serde_json::json!({"pool": "ordering"})),
                    Some(
                        serde_json::json!([{"key": "dedicated", "operator": "Equal", "value": "fabric", "effect": "NoSchedule"}]),
                    ),
                    Some(serde_json::json!("fabric-critical")),
                ),
                (_, "peer") => (
                    Some(serde_json::json!({"pool": "peers"})),
                    Some(serde_json::json!([{"key": "spot", "operator": "Exists"}])),
                    None,
                ),
                (_, "chaincode") => (None, None, Some(serde_json::json!("fabric-chaincode"))),
                other => panic!("{}: a pod of {other:?}", o.name),
            };
            assert_eq!(scheduling("nodeSelector"), selector, "{}", o.name);
            assert_eq!(scheduling("tolerations"), tolerations, "{}", o.name);
            assert_eq!(scheduling("priorityClassName"), priority, "{}", o.name);
            assert_eq!(scheduling("affinity"), None, "{}", o.name);
            kinds.insert(format!("{} {component}", o.kind));
        }
    }
    let expected = ["Deployment ca", "Deployment chaincode", "Job ", "StatefulSet orderer", "StatefulSet peer"];
    assert!(expected.iter().all(|k| kinds.iter().any(|seen| seen.starts_with(k))), "{kinds:?}");
}
