//! Operator knobs: everything an operator may turn after the topology is fixed (images, pull
//! policy and Secrets, replicas, resources, storage, Services, scheduling, extra metadata).
//!
//! The same values feed both outputs. `fabgen render` resolves every knob to its default;
//! `fabgen chart` turns each knob into a Helm expression over `values.yaml`, whose defaults are
//! exactly these values and whose `values.schema.json` comes from these types.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Affinity, Toleration};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::spec::{Launcher, NetworkSpec, PullPolicy, ResourcesSpec, SchedulingSpec};

/// Every knob of a network (or, for a per-org chart, of one organisation).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChartValues {
    /// The network's Namespace object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<NamespaceValues>,
    /// Settings for every object.
    pub global: GlobalValues,
    /// All peers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peers: Option<NodeValues>,
    /// All orderers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orderers: Option<OrdererValues>,
    /// All Fabric CAs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cas: Option<NodeValues>,
    /// All CouchDB sidecars.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub couchdb: Option<ContainerValues>,
    /// Per peer organisation.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub orgs: BTreeMap<String, OrgValues>,
    /// Per chaincode (applies to its Deployment in every org).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub chaincodes: BTreeMap<String, ChaincodeValues>,
    /// Images of the Kubernetes-native launchers in use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launchers: Option<LauncherValues>,
    /// The ServiceMonitors (when the spec has `monitoring.serviceMonitor`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitoring: Option<MonitoringValues>,
}

/// ServiceMonitor knobs.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MonitoringValues {
    /// Scrape interval (a Prometheus duration such as `30s`); null for the Prometheus's own.
    #[schemars(regex(
        pattern = r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"
    ))]
    pub interval: Option<String>,
}

/// Launcher images.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LauncherValues {
    /// hlfabric-k8scc: the image an init container copies `externalcc` from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k8scc: Option<K8sccValues>,
    /// fabric-builder-k8s: the peer image with the builder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k8s_builder: Option<K8sBuilderValues>,
}

/// hlfabric-k8scc knobs.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct K8sccValues {
    /// Image holding `/opt/k8scc/bin/externalcc`.
    pub image: ImageValues,
}

/// fabric-builder-k8s knobs.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct K8sBuilderValues {
    /// Peer image with the builder, for the orgs that run `k8s-builder` chaincodes.
    pub peer_image: ImageValues,
}

/// The Namespace object.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NamespaceValues {
    /// Render the Namespace (with its Pod Security labels). Turn off when the namespace is
    /// created before the release, e.g. because Helm stores the release in it.
    pub create: bool,
}

/// Settings applied to every object.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GlobalValues {
    /// Names of `kubernetes.io/dockerconfigjson` Secrets added to every pod.
    pub image_pull_secrets: Vec<String>,
    /// Extra labels on every object and pod (fabgen's own labels win on conflict).
    pub labels: BTreeMap<String, String>,
    /// Extra annotations on every object.
    pub annotations: BTreeMap<String, String>,
    /// How strictly each ordering organisation's orderers and each organisation's peers spread
    /// across nodes (`topologySpreadConstraints[].whenUnsatisfiable` on
    /// `kubernetes.io/hostname`); the spec's `placement.spread` gives the default.
    pub spread: SpreadWhen,
}

/// `whenUnsatisfiable` of a topology spread constraint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum SpreadWhen {
    /// Spread where possible; a pod still schedules (`placement.spread: preferred`).
    #[default]
    ScheduleAnyway,
    /// A pod waits rather than break the spread (`placement.spread: required`).
    DoNotSchedule,
}

/// A container image.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ImageValues {
    /// Repository.
    pub repository: String,
    /// Tag.
    pub tag: String,
    /// Digest (`sha256:…`); when set the image is pulled by digest.
    pub digest: Option<String>,
    /// Pull policy.
    pub pull_policy: PullPolicy,
}

/// A Service in front of a kind of node.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceValues {
    /// Service type.
    #[serde(rename = "type")]
    pub kind: ServiceType,
    /// Extra annotations (e.g. for a load balancer controller).
    pub annotations: BTreeMap<String, String>,
}

/// Kubernetes Service types fabgen supports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ServiceType {
    /// Reachable inside the cluster.
    #[default]
    ClusterIP,
    /// Also on a port of every node.
    NodePort,
    /// Also through a cloud load balancer.
    LoadBalancer,
}

/// Knobs of a kind of Fabric node (peers, CAs).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeValues {
    /// Image.
    pub image: ImageValues,
    /// Container resources.
    pub resources: ResourcesSpec,
    /// Service settings.
    pub service: ServiceValues,
    /// Node labels the pods require.
    pub node_selector: BTreeMap<String, String>,
    /// Taints the pods tolerate.
    pub tolerations: Vec<Toleration>,
    /// Node and pod (anti-)affinity.
    pub affinity: Option<Affinity>,
    /// PriorityClass of the pods (it must exist); null for the cluster's default priority.
    pub priority_class_name: Option<String>,
}

/// Knobs of the orderers.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OrdererValues {
    /// Image.
    pub image: ImageValues,
    /// Container resources.
    pub resources: ResourcesSpec,
    /// Service settings.
    pub service: ServiceValues,
    /// Node labels the pods require.
    pub node_selector: BTreeMap<String, String>,
    /// Taints the pods tolerate.
    pub tolerations: Vec<Toleration>,
    /// Node and pod (anti-)affinity.
    pub affinity: Option<Affinity>,
    /// PriorityClass of the pods (it must exist); null for the cluster's default priority.
    pub priority_class_name: Option<String>,
    /// Ledger volume of every orderer.
    #[serde(skip_serializing_if = "StorageValues::is_per_org")]
    pub storage: StorageValues,
}

/// A sidecar container's knobs.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ContainerValues {
    /// Image.
    pub image: ImageValues,
    /// Container resources.
    pub resources: ResourcesSpec,
}

/// Knobs of one peer organisation.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OrgValues {
    /// Volumes of the org's peers (ledger, CouchDB) and CA.
    pub storage: StorageValues,
}

/// PersistentVolumeClaim knobs.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StorageValues {
    /// StorageClass; null means the cluster default.
    pub storage_class: Option<String>,
    /// Size of each ledger volume.
    pub size: String,
}

impl StorageValues {
    /// With several ordering organisations, each has its own orderer storage
    /// (`orgs.<org>.storage`): `orderers.storage` is then left out of the values.
    pub fn per_org() -> Self {
        StorageValues { storage_class: None, size: String::new() }
    }

    /// Whether this stands for [`StorageValues::per_org`].
    pub fn is_per_org(&self) -> bool {
        self.size.is_empty()
    }
}

/// Knobs of one chaincode.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChaincodeValues {
    /// Chaincode server image reference.
    pub image: String,
    /// Pull policy.
    pub image_pull_policy: PullPolicy,
    /// Replicas of each org's Deployment.
    pub replicas: u32,
    /// Service settings of each org's chaincode Service.
    pub service: ServiceValues,
    /// Container resources.
    pub resources: ResourcesSpec,
    /// Extra environment variables.
    pub env: BTreeMap<String, String>,
    /// Node labels the pods require.
    pub node_selector: BTreeMap<String, String>,
    /// Taints the pods tolerate.
    pub tolerations: Vec<Toleration>,
    /// Node and pod (anti-)affinity.
    pub affinity: Option<Affinity>,
    /// PriorityClass of the pods (it must exist); null for the cluster's default priority.
    pub priority_class_name: Option<String>,
}

/// The default values of a spec: exactly what `fabgen render` produces.
pub fn defaults(spec: &NetworkSpec) -> ChartValues {
    let f = &spec.fabric;
    let image = |img: &crate::spec::ImageSpec, default_tag: &str| ImageValues {
        repository: img.repository.clone(),
        tag: if img.tag.is_empty() { default_tag.to_string() } else { img.tag.clone() },
        digest: img.digest.clone(),
        pull_policy: f.image_pull_policy,
    };
    let node = |img: ImageValues, resources: &ResourcesSpec, at: &SchedulingSpec| NodeValues {
        image: img,
        resources: resources.clone(),
        service: ServiceValues { kind: ServiceType::ClusterIP, annotations: BTreeMap::new() },
        node_selector: at.node_selector.clone(),
        tolerations: tolerations(at),
        affinity: None,
        priority_class_name: at.priority_class_name.clone(),
    };
    let placement = &spec.placement;
    let any_ca = spec.orgs.iter().any(|o| o.ca);
    let any_couchdb = spec.orgs.iter().any(|o| o.peers.iter().any(|p| p.couchdb));
    let uses = |l: Launcher| spec.chaincodes.iter().any(|c| c.launcher == l);
    let (k8scc, k8s_builder) = (uses(Launcher::K8scc), uses(Launcher::K8sBuilder));
    ChartValues {
        launchers: (k8scc || k8s_builder).then(|| LauncherValues {
            k8scc: k8scc.then(|| K8sccValues { image: image(&spec.launchers.k8scc.image, "") }),
            k8s_builder: k8s_builder
                .then(|| K8sBuilderValues { peer_image: image(&spec.launchers.k8s_builder.peer_image, "") }),
        }),
        monitoring: spec
            .monitoring
            .service_monitor
            .then(|| MonitoringValues { interval: spec.monitoring.interval.clone() }),
        namespace: Some(NamespaceValues { create: true }),
        global: GlobalValues {
            image_pull_secrets: f.image_pull_secrets.clone(),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            spread: match spec.placement.spread {
                crate::spec::Spread::Preferred => SpreadWhen::ScheduleAnyway,
                crate::spec::Spread::Required => SpreadWhen::DoNotSchedule,
            },
        },
        peers: Some(node(image(&f.peer_image, &f.version), &spec.resources.peer, &placement.peers)),
        orderers: Some({
            let n = node(image(&f.orderer_image, &f.version), &spec.resources.orderer, &placement.orderers);
            OrdererValues {
                image: n.image,
                resources: n.resources,
                service: n.service,
                node_selector: n.node_selector,
                tolerations: n.tolerations,
                affinity: n.affinity,
                priority_class_name: n.priority_class_name,
                storage: match spec.ordering_orgs().as_slice() {
                    [(_, only)] => StorageValues {
                        storage_class: only.storage.storage_class.clone(),
                        size: only.storage.size.clone(),
                    },
                    _ => StorageValues::per_org(),
                },
            }
        }),
        cas: any_ca.then(|| node(image(&f.ca_image, &f.ca_version), &spec.resources.ca, &placement.cas)),
        couchdb: any_couchdb
            .then(|| ContainerValues { image: image(&f.couchdb_image, ""), resources: spec.resources.couchdb.clone() }),
        orgs: spec
            .orgs
            .iter()
            .map(|o| (o.name.clone(), &o.storage))
            .chain(
                // Several ordering organisations: each one's orderer storage.
                (spec.ordering_orgs().len() > 1)
                    .then(|| spec.ordering_orgs().into_iter().map(|(_, o)| (o.name.clone(), &o.storage)))
                    .into_iter()
                    .flatten(),
            )
            .map(|(name, storage)| {
                let storage =
                    StorageValues { storage_class: storage.storage_class.clone(), size: storage.size.clone() };
                (name, OrgValues { storage })
            })
            .collect(),
        chaincodes: spec
            .chaincodes
            .iter()
            .filter(|c| c.launcher == Launcher::Ccaas)
            .map(|c| {
                let values = ChaincodeValues {
                    image: c.image.clone().unwrap_or_default(),
                    image_pull_policy: f.image_pull_policy,
                    replicas: c.replicas,
                    service: ServiceValues { kind: ServiceType::ClusterIP, annotations: BTreeMap::new() },
                    resources: c.resources.clone(),
                    env: c.env.clone(),
                    node_selector: placement.chaincodes.node_selector.clone(),
                    tolerations: tolerations(&placement.chaincodes),
                    affinity: None,
                    priority_class_name: placement.chaincodes.priority_class_name.clone(),
                };
                (c.name.clone(), values)
            })
            .collect(),
    }
}

/// A kind of pod's tolerations as the Pod API has them (the spec's type has the same fields).
fn tolerations(at: &SchedulingSpec) -> Vec<Toleration> {
    let json = serde_json::to_value(&at.tolerations).expect("tolerations serialise");
    serde_json::from_value(json).expect("the spec's tolerations are Pod API tolerations")
}

/// The image reference an `ImageValues` stands for: `repo[:tag][@digest]`.
pub fn image_reference(image: &ImageValues) -> String {
    let mut out = image.repository.clone();
    if !image.tag.is_empty() {
        out.push(':');
        out.push_str(&image.tag);
    }
    if let Some(d) = &image.digest {
        out.push('@');
        out.push_str(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(tag: &str, digest: Option<&str>) -> ImageValues {
        ImageValues {
            repository: "hyperledger/fabric-peer".into(),
            tag: tag.into(),
            digest: digest.map(str::to_string),
            pull_policy: PullPolicy::IfNotPresent,
        }
    }

    #[test]
    fn image_reference_joins_tag_and_digest() {
        assert_eq!(image_reference(&image("2.5.16", None)), "hyperledger/fabric-peer:2.5.16");
        let digest = format!("sha256:{}", "a".repeat(64));
        assert_eq!(image_reference(&image("", Some(&digest))), format!("hyperledger/fabric-peer@{digest}"));
        assert_eq!(
            image_reference(&image("2.5.16", Some(&digest))),
            format!("hyperledger/fabric-peer:2.5.16@{digest}")
        );
    }

    #[test]
    fn schema_is_closed_everywhere_fabgen_defines_it() {
        let schema = serde_json::to_value(schemars::schema_for!(ChartValues)).unwrap();
        for name in ["ChartValues", "NodeValues", "OrdererValues", "ChaincodeValues", "ImageValues", "StorageValues"] {
            let def = if name == "ChartValues" { &schema } else { &schema["$defs"][name] };
            assert_eq!(def["additionalProperties"], false, "{name}");
        }
    }
}
