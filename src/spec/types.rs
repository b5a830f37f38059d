//! The network spec exactly as the user writes it: serde + schemars types, unknown fields
//! rejected, every default explicit. Nothing here is derived; see `crate::model` for that.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Fabric release whose stock images fabgen targets by default: the newest Fabric 2.5 LTS
/// release (fabric release_notes/v2.5.16.md, see docs/fabric-facts.md §e).
pub const DEFAULT_FABRIC_VERSION: &str = "2.5.16";
/// Fabric CA release that pairs with the default Fabric version.
pub const DEFAULT_CA_VERSION: &str = "1.5.22";
/// CouchDB release used by fabric-samples' test network for Fabric 2.5.
pub const DEFAULT_COUCHDB_IMAGE: &str = "couchdb:3.4.2";

/// A Hyperledger Fabric network: orderers, peer organisations, channels and chaincodes,
/// all deployed into one Kubernetes namespace.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "fabgen network spec")]
pub struct NetworkSpec {
    /// Name of the network (DNS-1123 label). Used as `app.kubernetes.io/part-of` and as the
    /// chart name.
    pub name: String,
    /// Kubernetes namespace that holds every object of the network (DNS-1123 label).
    pub namespace: String,
    /// Fabric versions and container images.
    #[serde(default)]
    pub fabric: FabricSpec,
    /// Compute resources per kind of Fabric node; chaincodes carry their own.
    #[serde(default)]
    pub resources: NodeResourcesSpec,
    /// The ordering service organisation and its orderers, when one organisation runs them
    /// all. Give this or `ordererOrgs`, not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "OrdererOrgSpec")]
    pub orderer_org: Option<OrdererOrgSpec>,
    /// The ordering organisations, when several run the ordering service together (each with
    /// its own MSP ID, CAs and orderers; the consenters of a channel are the orderers of every
    /// ordering organisation it names). Give this or `ordererOrg`, not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<OrdererOrgSpec>")]
    pub orderer_orgs: Option<Vec<OrdererOrgSpec>>,
    /// Peer organisations.
    pub orgs: Vec<PeerOrgSpec>,
    /// The Kubernetes clusters, when the organisations run in several: each names the
    /// domain of its nodes' external names and how they are exposed. Omitted: one cluster.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<ClusterSpec>,
    /// Application channels and their member organisations.
    #[serde(default)]
    pub channels: Vec<ChannelSpec>,
    /// Chaincodes run as a service (one Deployment and Service per chaincode and org).
    #[serde(default)]
    pub chaincodes: Vec<ChaincodeSpec>,
    /// NetworkPolicies: default deny, then exactly the flows the topology needs.
    #[serde(default)]
    pub network_policies: NetworkPoliciesSpec,
    /// Where the certificates for chaincode mutual TLS come from.
    #[serde(default)]
    pub chaincode_tls: ChaincodeTlsSpec,
    /// Where pods run: how the orderers, and each organisation's peers, spread across nodes
    /// and zones.
    #[serde(default)]
    pub placement: PlacementSpec,
    /// Prometheus scraping of the peers', orderers' and CAs' metrics.
    #[serde(default)]
    pub monitoring: MonitoringSpec,
    /// Settings of the Kubernetes-native launchers, used by chaincodes that name them.
    #[serde(default)]
    pub launchers: LaunchersSpec,
    /// Directory of the spec file, against which chaincode sources resolve (not part of the
    /// YAML: set when the file is read).
    #[serde(skip)]
    #[schemars(skip)]
    pub base_dir: Option<std::path::PathBuf>,
}

impl NetworkSpec {
    /// The ordering organisations with the spec path each was written at (`ordererOrg` or
    /// `ordererOrgs[i]`), in spec order.
    pub fn ordering_orgs(&self) -> Vec<(String, &OrdererOrgSpec)> {
        match (&self.orderer_org, &self.orderer_orgs) {
            (Some(org), _) => vec![("ordererOrg".to_string(), org)],
            (None, Some(orgs)) => orgs.iter().enumerate().map(|(i, o)| (format!("ordererOrgs[{i}]"), o)).collect(),
            (None, None) => Vec::new(),
        }
    }

    /// The namespace organisation `org` runs in: its own `namespace`, else the network's.
    pub fn namespace_of(&self, org: &str) -> &str {
        let placement = self.placements().into_iter().find(|p| p.org == org);
        placement.and_then(|p| p.namespace).unwrap_or(&self.namespace)
    }

    /// Where every organisation runs, ordering ones first, as its spec says.
    pub fn placements(&self) -> Vec<Placement<'_>> {
        let ordering = self.ordering_orgs().into_iter().map(|(path, o)| Placement {
            path,
            org: &o.name,
            cluster: o.cluster.as_deref(),
            namespace: o.namespace.as_deref(),
        });
        let peers = self.orgs.iter().enumerate().map(|(i, o)| Placement {
            path: format!("orgs[{i}]"),
            org: &o.name,
            cluster: o.cluster.as_deref(),
            namespace: o.namespace.as_deref(),
        });
        ordering.chain(peers).collect()
    }

    /// The organisations whose namespace is not the network's, with theirs.
    pub fn own_namespaces(&self) -> Vec<(&str, &str)> {
        let given = self.placements().into_iter();
        given.filter_map(|p| p.namespace.filter(|ns| *ns != self.namespace).map(|ns| (p.org, ns))).collect()
    }

    /// The spec as organisation `org` renders its part: the network's namespace is `org`'s.
    pub fn seen_by(&self, org: &str) -> NetworkSpec {
        let mut spec = self.clone();
        spec.namespace = self.namespace_of(org).to_string();
        spec
    }

    /// The ordering organisations a channel names (`channels[].ordererOrgs`), else all of them.
    pub fn channel_ordering_orgs(&self, channel: &ChannelSpec) -> Vec<&OrdererOrgSpec> {
        let all: Vec<&OrdererOrgSpec> = self.ordering_orgs().into_iter().map(|(_, o)| o).collect();
        match &channel.orderer_orgs {
            Some(names) => names.iter().filter_map(|n| all.iter().find(|o| &o.name == n).copied()).collect(),
            None => all,
        }
    }

    /// The consensus of every channel: the ordering organisations' (validation makes them agree).
    pub fn consensus(&self) -> Consensus {
        self.ordering_orgs().first().map(|(_, o)| o.consensus).unwrap_or_default()
    }

    /// The orgs that run a chaincode: as listed, else every member of its channel.
    pub fn chaincode_orgs(&self, cc: &ChaincodeSpec) -> Vec<String> {
        match &cc.orgs {
            Some(orgs) => orgs.clone(),
            None => self.channels.iter().find(|c| c.name == cc.channel).map(|c| c.orgs.clone()).unwrap_or_default(),
        }
    }
}

/// The Kubernetes-native chaincode launchers.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LaunchersSpec {
    /// hlfabric-k8scc (postfinance).
    #[serde(default)]
    pub k8scc: K8sccSpec,
    /// fabric-builder-k8s (hyperledger-labs).
    #[serde(default)]
    pub k8s_builder: K8sBuilderSpec,
}

/// hlfabric-k8scc settings.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct K8sccSpec {
    /// Image holding the static `externalcc` binary at `/opt/k8scc/bin/externalcc`; an init
    /// container copies it into the stock peer.
    #[serde(default = "default_k8scc_image")]
    pub image: ImageSpec,
    /// The transfer volume shared by the peer and its build and launch pods.
    #[serde(default)]
    pub transfer: TransferSpec,
    /// Limits of every build pod.
    #[serde(default = "default_k8scc_limits")]
    pub build_limits: CpuMemory,
    /// Limits of every chaincode pod it launches.
    #[serde(default = "default_k8scc_limits")]
    pub launch_limits: CpuMemory,
}

impl Default for K8sccSpec {
    fn default() -> Self {
        K8sccSpec {
            image: default_k8scc_image(),
            transfer: TransferSpec::default(),
            build_limits: default_k8scc_limits(),
            launch_limits: default_k8scc_limits(),
        }
    }
}

/// k8scc's transfer PersistentVolumeClaim.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TransferSpec {
    /// A StorageClass that provides ReadWriteMany volumes (NFS, CephFS, EFS, Azure Files…):
    /// build and chaincode pods may run on other nodes than the peer. Required with k8scc.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
    /// Size of the volume.
    #[serde(default = "default_transfer_size")]
    pub size: String,
}

impl Default for TransferSpec {
    fn default() -> Self {
        TransferSpec { storage_class: None, size: default_transfer_size() }
    }
}

/// fabric-builder-k8s settings.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct K8sBuilderSpec {
    /// Peer image with the builder at `/opt/hyperledger/k8s_builder` (fabric-builder-k8s's
    /// `k8s-fabric-peer`, built on fabric-peer 2.5); used for the peers of orgs that run a
    /// `k8s-builder` chaincode.
    #[serde(default = "default_k8s_builder_image")]
    pub peer_image: ImageSpec,
    /// How long the peer waits for a chaincode Job to become ready (Go duration).
    #[serde(default = "default_start_timeout")]
    pub start_timeout: String,
}

impl Default for K8sBuilderSpec {
    fn default() -> Self {
        K8sBuilderSpec { peer_image: default_k8s_builder_image(), start_timeout: default_start_timeout() }
    }
}

/// Certificates for mutual TLS between peers and chaincode servers.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChaincodeTlsSpec {
    /// `secrets`: you create the Secrets (names in the README); `cert-manager`: fabgen renders
    /// cert-manager Certificates that create them.
    #[serde(default)]
    pub provider: TlsProvider,
    /// With `cert-manager`: an existing issuer to sign with. Omitted: fabgen renders a
    /// self-signed CA per organisation (a SelfSigned Issuer, a CA Certificate, a CA Issuer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<IssuerRefSpec>,
}

/// Who provides chaincode TLS Secrets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TlsProvider {
    /// Secrets created by you (or your secret manager).
    #[default]
    Secrets,
    /// cert-manager Certificates rendered by fabgen.
    CertManager,
}

/// A cert-manager issuer reference.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IssuerRefSpec {
    /// Issuer name.
    pub name: String,
    /// `Issuer` (in the network's namespace) or `ClusterIssuer`.
    #[serde(default)]
    pub kind: IssuerKind,
}

/// cert-manager issuer kinds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum IssuerKind {
    /// A namespaced Issuer.
    #[default]
    Issuer,
    /// A cluster-wide ClusterIssuer.
    ClusterIssuer,
}

/// Placement of the Fabric nodes.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PlacementSpec {
    /// How strictly each ordering organisation's orderers, and each organisation's peers,
    /// spread across nodes (`kubernetes.io/hostname`), at most one more on any node than on
    /// another: `preferred` (`ScheduleAnyway`: a one-node cluster still schedules them all) or
    /// `required` (`DoNotSchedule`: a pod waits rather than share a node, for production).
    /// Across zones (`topology.kubernetes.io/zone`) they spread as preferred either way: a
    /// required zone spread would keep them off every node without a zone label.
    #[serde(default)]
    pub spread: Spread,
    /// Which nodes the orderers run on, and their priority.
    #[serde(default)]
    pub orderers: SchedulingSpec,
    /// Which nodes the peers run on, and their priority.
    #[serde(default)]
    pub peers: SchedulingSpec,
    /// Which nodes the Fabric CAs run on, and their priority.
    #[serde(default)]
    pub cas: SchedulingSpec,
    /// Which nodes the chaincode Deployments (`launcher: ccaas`) run on, and their priority.
    #[serde(default)]
    pub chaincodes: SchedulingSpec,
}

/// Where one kind of pod may run, and its priority. Each becomes the default of the chart
/// value of the same name.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SchedulingSpec {
    /// Node labels the pods require (`nodeSelector`), e.g. `{node-role/fabric: "true"}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: BTreeMap<String, String>,
    /// Taints the pods tolerate, e.g. of nodes kept for the network.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<TolerationSpec>,
    /// A PriorityClass the pods get (it must exist in the cluster, or the API server refuses
    /// the pods), so that under pressure the scheduler evicts others first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_class_name: Option<String>,
}

/// A pod toleration, as the Kubernetes API accepts it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TolerationSpec {
    /// The taint key; omitted (with `operator: Exists`) tolerates every taint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// `Equal` (the default: key and value match) or `Exists` (any value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<TolerationOperator>,
    /// The taint value, with `Equal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The taint effect; omitted tolerates every effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<TaintEffect>,
    /// With `NoExecute`: how long the pod stays after the taint appears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toleration_seconds: Option<i64>,
}

/// `tolerations[].operator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum TolerationOperator {
    /// Key and value match.
    Equal,
    /// The key exists, with any value.
    Exists,
}

/// `tolerations[].effect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum TaintEffect {
    /// New pods are not scheduled there.
    NoSchedule,
    /// New pods avoid it.
    PreferNoSchedule,
    /// Running pods are evicted.
    NoExecute,
}

/// Prometheus: what tells one where to scrape.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MonitoringSpec {
    /// Render a prometheus-operator `ServiceMonitor` per organisation, for its peers, orderers
    /// and CA on their operations port (9443, `/metrics`). It needs the operator's CRDs in the
    /// cluster, and, with NetworkPolicies on, `networkPolicies.monitoring` selecting the
    /// Prometheus pods.
    #[serde(default)]
    pub service_monitor: bool,
    /// Labels on the ServiceMonitors, for the Prometheus's `serviceMonitorSelector` (for
    /// kube-prometheus-stack: `release: <its release name>`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// How often Prometheus scrapes (a Prometheus duration such as `30s`); omitted: the
    /// Prometheus's own `scrapeInterval`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
}

/// How strictly pods spread (`topologySpreadConstraints[].whenUnsatisfiable`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Spread {
    /// `ScheduleAnyway`.
    #[default]
    Preferred,
    /// `DoNotSchedule`.
    Required,
}

/// NetworkPolicies derived from the topology.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NetworkPoliciesSpec {
    /// Render the policies. Turning this off leaves every flow open.
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// Where the cluster DNS runs; every pod may send DNS queries (UDP and TCP 53) there.
    #[serde(default = "default_dns")]
    pub dns: SelectorSpec,
    /// Who may reach the operations endpoints (9443: /healthz, /metrics), e.g. Prometheus.
    /// Omitted: nobody (kubelet probes are not subject to NetworkPolicies on common CNIs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring: Option<SelectorSpec>,
    /// Application clients outside the network's namespace allowed to reach every peer (7051)
    /// and orderer (7050), e.g. a gateway's namespace. Pods inside the namespace become
    /// clients of an org with the label `fabgen.io/client-of: <org>`.
    #[serde(default)]
    pub clients: Vec<SelectorSpec>,
}

impl Default for NetworkPoliciesSpec {
    fn default() -> Self {
        NetworkPoliciesSpec { enabled: true, dns: default_dns(), monitoring: None, clients: Vec::new() }
    }
}

/// Pods selected by namespace labels and/or pod labels (both must match when both are given).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SelectorSpec {
    /// Labels of the namespaces; omitted means the network's own namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_labels: Option<BTreeMap<String, String>>,
    /// Labels of the pods; omitted means every pod of the selected namespaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_labels: Option<BTreeMap<String, String>>,
}

/// Fabric versions and the images of every Fabric component.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FabricSpec {
    /// Fabric version of the peer and orderer images (2.4.1 or later: the external builder
    /// wiring and `ccaas_builder` need it).
    #[serde(default = "default_fabric_version")]
    pub version: String,
    /// Fabric CA version of the CA image.
    #[serde(default = "default_ca_version")]
    pub ca_version: String,
    /// Peer image; the tag defaults to `version`. Stock `hyperledger/fabric-peer` works.
    #[serde(default = "default_peer_image")]
    pub peer_image: ImageSpec,
    /// Orderer image; the tag defaults to `version`.
    #[serde(default = "default_orderer_image")]
    pub orderer_image: ImageSpec,
    /// Fabric CA image; the tag defaults to `caVersion`.
    #[serde(default = "default_ca_image")]
    pub ca_image: ImageSpec,
    /// CouchDB image for peers with `couchdb: true`.
    #[serde(default = "default_couchdb_image")]
    pub couchdb_image: ImageSpec,
    /// Image of the channel Jobs (`configtxgen`, `osnadmin`, `peer`); the tag defaults to
    /// `version`. Fixed at render time: a Job's name carries a digest of its pod template, so
    /// a new image makes a new Job instead of an immutable-field error.
    #[serde(default = "default_tools_image")]
    pub tools_image: ImageSpec,
    /// Image pull policy of every container fabgen renders.
    #[serde(default)]
    pub image_pull_policy: PullPolicy,
    /// Names of existing `kubernetes.io/dockerconfigjson` Secrets used to pull every image.
    #[serde(default)]
    pub image_pull_secrets: Vec<String>,
}

impl Default for FabricSpec {
    fn default() -> Self {
        FabricSpec {
            version: default_fabric_version(),
            ca_version: default_ca_version(),
            peer_image: default_peer_image(),
            orderer_image: default_orderer_image(),
            ca_image: default_ca_image(),
            couchdb_image: default_couchdb_image(),
            tools_image: default_tools_image(),
            image_pull_policy: PullPolicy::default(),
            image_pull_secrets: Vec::new(),
        }
    }
}

/// A container image: repository plus tag, optionally pinned by digest.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ImageSpec {
    /// Repository, e.g. `hyperledger/fabric-peer` or `registry.example.com/fabric/peer`.
    pub repository: String,
    /// Tag; empty means the Fabric (or Fabric CA) version from `fabric`.
    #[serde(default)]
    pub tag: String,
    /// Optional digest (`sha256:<64 hex>`); when set the image is pulled by digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// When the kubelet pulls an image.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum PullPolicy {
    /// Pull only when the image is not on the node.
    #[default]
    IfNotPresent,
    /// Pull on every container start.
    Always,
    /// Never pull.
    Never,
}

/// CPU and memory requests and limits (Kubernetes quantities, e.g. `250m`, `512Mi`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourcesSpec {
    /// Requests: what the scheduler reserves.
    pub requests: CpuMemory,
    /// Limits: the ceiling enforced at run time.
    pub limits: CpuMemory,
}

/// A CPU and a memory quantity.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CpuMemory {
    /// CPU quantity, e.g. `500m` or `1`.
    pub cpu: String,
    /// Memory quantity, e.g. `512Mi` or `2Gi`.
    pub memory: String,
}

/// Resources of each kind of Fabric node.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeResourcesSpec {
    /// Every peer container.
    #[serde(default = "default_peer_resources")]
    pub peer: ResourcesSpec,
    /// Every orderer container.
    #[serde(default = "default_orderer_resources")]
    pub orderer: ResourcesSpec,
    /// Every Fabric CA container.
    #[serde(default = "default_small_resources")]
    pub ca: ResourcesSpec,
    /// Every CouchDB container.
    #[serde(default = "default_couchdb_resources")]
    pub couchdb: ResourcesSpec,
}

impl Default for NodeResourcesSpec {
    fn default() -> Self {
        NodeResourcesSpec {
            peer: default_peer_resources(),
            orderer: default_orderer_resources(),
            ca: default_small_resources(),
            couchdb: default_couchdb_resources(),
        }
    }
}

/// Persistent storage for a kind of node.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StorageSpec {
    /// StorageClass of the PersistentVolumeClaims; omitted means the cluster default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
    /// Size of each ledger volume.
    #[serde(default = "default_ledger_size")]
    pub size: String,
}

impl Default for StorageSpec {
    fn default() -> Self {
        StorageSpec { storage_class: None, size: default_ledger_size() }
    }
}

/// The ordering service organisation.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OrdererOrgSpec {
    /// Organisation name (DNS-1123 label).
    pub name: String,
    /// MSP ID of the organisation, e.g. `OrdererMSP`.
    pub msp_id: String,
    /// Orderer nodes. Raft: an odd count of 3 or more tolerates crashes; BFT: at least 4
    /// (3f + 1 nodes tolerate f faulty ones).
    pub orderers: Vec<OrdererSpec>,
    /// Consensus of every channel: `etcdraft` (Raft, crash fault tolerant) or `BFT` (SmartBFT,
    /// Byzantine fault tolerant; Fabric 3.0 or later, at least 4 consenters per channel). With
    /// several ordering organisations, all give the same.
    #[serde(default)]
    pub consensus: Consensus,
    /// Ledger storage of every orderer.
    #[serde(default)]
    pub storage: StorageSpec,
    /// The cluster (of `clusters`) the organisation runs in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// Kubernetes namespace of the organisation's part (`render --org`, `crypto --org`) in its
    /// cluster; default the network's `namespace`. Organisations of one cluster may each have
    /// their own. Not `default` or `kube-*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Where an organisation runs: its spec path (`ordererOrgs[1]`, `orgs[0]`), name, and the
/// `cluster` and `namespace` it gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement<'a> {
    pub path: String,
    pub org: &'a str,
    pub cluster: Option<&'a str>,
    pub namespace: Option<&'a str>,
}

/// The ordering service's consensus type, spelled as configtx.yaml `OrdererType` spells it
/// (fabric internal/configtxgen/genesisconfig/config.go: `etcdraft`, `BFT`; case matters).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Consensus {
    /// Raft.
    #[default]
    #[serde(rename = "etcdraft")]
    Etcdraft,
    /// SmartBFT.
    #[serde(rename = "BFT")]
    Bft,
}

/// One orderer node.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OrdererSpec {
    /// Node name (DNS-1035 label); also the name of its Service, e.g. `orderer0`.
    pub name: String,
    /// External name other clusters reach it at; default `<name>.<cluster domain>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_name: Option<String>,
    /// Its fixed node port, when its cluster exposes nodes by `nodePort`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_port: Option<u16>,
}

/// A peer organisation.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PeerOrgSpec {
    /// Organisation name (DNS-1123 label), e.g. `org1`; part of every derived object name.
    pub name: String,
    /// MSP ID of the organisation, e.g. `org1MSP`.
    pub msp_id: String,
    /// The organisation's peers.
    pub peers: Vec<PeerSpec>,
    /// Run a Fabric CA for this organisation.
    #[serde(default)]
    pub ca: bool,
    /// Storage of the peers' ledgers (and CouchDB data, CA database).
    #[serde(default)]
    pub storage: StorageSpec,
    /// The cluster (of `clusters`) the organisation runs in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// Kubernetes namespace of the organisation's part (`render --org`, `crypto --org`) in its
    /// cluster; default the network's `namespace`. Organisations of one cluster may each have
    /// their own. Not `default` or `kube-*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// One peer.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PeerSpec {
    /// Peer name (DNS-1123 label), e.g. `peer0`; its Service is `<peer>-<org>`.
    pub name: String,
    /// Keep world state in a CouchDB sidecar instead of LevelDB.
    #[serde(default)]
    pub couchdb: bool,
    /// External name other clusters reach it at; default `<peer>-<org>.<cluster domain>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_name: Option<String>,
    /// Its fixed node port, when its cluster exposes nodes by `nodePort`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_port: Option<u16>,
}

/// An application channel.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChannelSpec {
    /// Channel name (`^[a-z][a-z0-9.-]*$`, at most 249 characters).
    pub name: String,
    /// Names of the member peer organisations.
    pub orgs: Vec<String>,
    /// Names of the ordering organisations whose orderers are the channel's consenters; the
    /// first creates the channel. Default: every ordering organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<String>")]
    pub orderer_orgs: Option<Vec<String>>,
}

/// How a chaincode is built and run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Launcher {
    /// Chaincode as a service: a Deployment and Service fabgen renders; the peer dials it.
    #[default]
    Ccaas,
    /// hlfabric-k8scc: the peer builds the source in a pod and launches the chaincode pod.
    K8scc,
    /// fabric-builder-k8s: the peer runs a prebuilt image, pinned by digest, as a Job.
    K8sBuilder,
}

/// Chaincode source for the `k8scc` launcher.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SourceSpec {
    /// Directory with the chaincode, relative to the spec file. A `META-INF` directory in it
    /// (CouchDB indexes) goes to the top of the package, as `peer lifecycle chaincode
    /// package` puts it.
    pub path: String,
    /// Chaincode language, the package `type`.
    pub language: Language,
}

/// Chaincode languages the Fabric build images support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Go (module mode); built in fabric-ccenv.
    Golang,
    /// Node.js; built in fabric-nodeenv.
    Node,
    /// Java; built in fabric-javaenv.
    Java,
}

impl Language {
    /// The package `type` and the key in k8scc's `images`.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Golang => "golang",
            Language::Node => "node",
            Language::Java => "java",
        }
    }
}

/// An endorsement policy, as `peer lifecycle chaincode approveformyorg` takes it: exactly one
/// of a signature policy or a channel config policy.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub enum EndorsementPolicySpec {
    /// A signature policy over member MSP IDs, e.g. `OR('Org1MSP.peer','Org2MSP.peer')`
    /// (`--signature-policy`; roles member, admin, client, peer, orderer).
    SignaturePolicy(String),
    /// A policy of the channel configuration, e.g. `/Channel/Application/Endorsement`
    /// (`--channel-config-policy`).
    ChannelConfigPolicy(String),
}

/// A private data collection (one entry of the `--collections-config` JSON).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CollectionSpec {
    /// Collection name.
    pub name: String,
    /// Which orgs' peers hold the private data: a signature policy over member MSP IDs, e.g.
    /// `OR('Org1MSP.member','Org2MSP.member')`.
    pub policy: String,
    /// Peers the endorsing peer must disseminate the data to before it endorses.
    #[serde(default)]
    pub required_peer_count: u32,
    /// Peers the endorsing peer tries to disseminate the data to.
    #[serde(default = "default_max_peer_count")]
    pub max_peer_count: u32,
    /// Blocks after which the private data is purged; 0 keeps it forever.
    #[serde(default)]
    pub block_to_live: u64,
    /// Only members of the collection may read it.
    #[serde(default = "default_true")]
    pub member_only_read: bool,
    /// Only members of the collection may write it.
    #[serde(default = "default_true")]
    pub member_only_write: bool,
    /// Endorsement policy of writes to the collection, instead of the chaincode's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement_policy: Option<EndorsementPolicySpec>,
}

fn default_max_peer_count() -> u32 {
    1
}

/// A chaincode run as an external service.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChaincodeSpec {
    /// Chaincode name as committed on the channel; also part of Kubernetes names, so it must
    /// be a lowercase DNS-1123 label.
    pub name: String,
    /// Chaincode definition version.
    pub version: String,
    /// Package label; defaults to `<name>_<version>`. The package ID is `<label>:<sha256>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// How the chaincode runs: `ccaas` (a Deployment fabgen renders; the peer dials it),
    /// `k8scc` (hlfabric-k8scc builds it from `source` and launches a pod) or `k8s-builder`
    /// (fabric-builder-k8s runs `image` as a Job).
    #[serde(default)]
    pub launcher: Launcher,
    /// Chaincode image: for `ccaas` the chaincode server (pinned by tag or digest); for
    /// `k8s-builder` an image pinned by digest (`repo@sha256:…`). Not used by `k8scc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// For `k8scc`: the chaincode source to package and build in the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceSpec>,
    /// Channel the chaincode is defined on.
    pub channel: String,
    /// Organisations that run the chaincode; defaults to every member of the channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orgs: Option<Vec<String>>,
    /// Replicas of each org's chaincode Deployment.
    #[serde(default = "default_replicas")]
    pub replicas: u32,
    /// Port the chaincode server listens on.
    #[serde(default = "default_chaincode_port")]
    pub port: u16,
    /// How long the peer waits to connect to the chaincode server (Go duration).
    #[serde(default = "default_dial_timeout")]
    pub dial_timeout: String,
    /// Whether the definition requires `--init-required` (the chaincode has an Init call).
    /// The committing org's lifecycle Job then makes the init invocation.
    #[serde(default)]
    pub init_required: bool,
    /// Arguments of the init invocation (`peer chaincode invoke --isInit -c
    /// '{"Args":[...]}'`), the function name first, e.g. `[InitLedger]`; only with
    /// `initRequired`. Empty: `{"Args":[]}`, which a legacy shim `Init` accepts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub init_args: Vec<String>,
    /// Sequence of the chaincode definition on the channel: 1 at first, then one more for
    /// every change of the definition (version, package, endorsement policy, collections,
    /// initRequired). `fabgen render -o DIR` refuses a change that keeps the sequence of what
    /// it wrote to DIR before.
    #[serde(default = "default_sequence")]
    #[schemars(range(min = 1))]
    pub sequence: u64,
    /// Endorsement policy of the chaincode; default: the channel's
    /// `/Channel/Application/Endorsement` (a MAJORITY of the member orgs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement_policy: Option<EndorsementPolicySpec>,
    /// Private data collections (`--collections-config`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collections: Vec<CollectionSpec>,
    /// Mutual TLS between the org's peers and the chaincode server.
    #[serde(default = "default_true")]
    pub tls: bool,
    /// Container resources of the chaincode server.
    #[serde(default = "default_small_resources")]
    pub resources: ResourcesSpec,
    /// Extra environment variables of the chaincode container.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

fn default_sequence() -> u64 {
    1
}
fn default_k8scc_image() -> ImageSpec {
    ImageSpec { repository: "postfinance/hlfabric-k8scc".into(), tag: "2.2.1-k8scc0.0.5".into(), digest: None }
}
fn default_k8scc_limits() -> CpuMemory {
    CpuMemory { cpu: "500m".into(), memory: "512Mi".into() }
}
fn default_transfer_size() -> String {
    "5Gi".to_string()
}
/// The Fabric release line the default k8s-builder peer image is built on.
pub const K8S_BUILDER_PEER_IMAGE_FABRIC_LINE: &str = "2.5";
fn default_k8s_builder_image() -> ImageSpec {
    ImageSpec {
        repository: "ghcr.io/hyperledger-labs/fabric-builder-k8s/k8s-fabric-peer".into(),
        tag: "0.15.2".into(),
        digest: None,
    }
}
fn default_start_timeout() -> String {
    "3m".to_string()
}
fn default_true() -> bool {
    true
}
fn default_dns() -> SelectorSpec {
    SelectorSpec {
        namespace_labels: Some(BTreeMap::from([(
            "kubernetes.io/metadata.name".to_string(),
            "kube-system".to_string(),
        )])),
        pod_labels: Some(BTreeMap::from([("k8s-app".to_string(), "kube-dns".to_string())])),
    }
}
fn default_fabric_version() -> String {
    DEFAULT_FABRIC_VERSION.to_string()
}
fn default_ca_version() -> String {
    DEFAULT_CA_VERSION.to_string()
}
fn image(repository: &str) -> ImageSpec {
    ImageSpec { repository: repository.to_string(), tag: String::new(), digest: None }
}
fn default_peer_image() -> ImageSpec {
    image("hyperledger/fabric-peer")
}
fn default_orderer_image() -> ImageSpec {
    image("hyperledger/fabric-orderer")
}
fn default_tools_image() -> ImageSpec {
    image("hyperledger/fabric-tools")
}
fn default_ca_image() -> ImageSpec {
    image("hyperledger/fabric-ca")
}
fn default_couchdb_image() -> ImageSpec {
    let (repository, tag) = DEFAULT_COUCHDB_IMAGE.split_once(':').expect("default has a tag");
    ImageSpec { repository: repository.to_string(), tag: tag.to_string(), digest: None }
}
fn resources(req_cpu: &str, req_mem: &str, lim_cpu: &str, lim_mem: &str) -> ResourcesSpec {
    ResourcesSpec {
        requests: CpuMemory { cpu: req_cpu.into(), memory: req_mem.into() },
        limits: CpuMemory { cpu: lim_cpu.into(), memory: lim_mem.into() },
    }
}
fn default_peer_resources() -> ResourcesSpec {
    resources("500m", "1Gi", "2", "2Gi")
}
fn default_orderer_resources() -> ResourcesSpec {
    resources("250m", "512Mi", "1", "1Gi")
}
fn default_couchdb_resources() -> ResourcesSpec {
    resources("250m", "512Mi", "1", "1Gi")
}
fn default_small_resources() -> ResourcesSpec {
    resources("100m", "128Mi", "500m", "512Mi")
}
fn default_ledger_size() -> String {
    "10Gi".to_string()
}
fn default_replicas() -> u32 {
    1
}
fn default_chaincode_port() -> u16 {
    7052
}
fn default_dial_timeout() -> String {
    "10s".to_string()
}

// Clusters of a network whose organisations run in several Kubernetes clusters, and how each
// exposes its peers and orderers to the others: TLS passed through to the node (Fabric pins the
// certificate a node presents, and node-to-node traffic has no hostname override), routed by
// SNI on the node's external name.

/// One Kubernetes cluster of the network.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterSpec {
    /// Cluster name (DNS-1123 label), as `orgs[].cluster` names it.
    pub name: String,
    /// DNS domain of its nodes' external names: `<service>.<domain>`, e.g.
    /// `peer0-org1.east.example.com` (a wildcard DNS record for the domain pointing at the
    /// Gateway serves them all).
    pub domain: String,
    /// Port the other clusters dial: the Gateway listener's.
    #[serde(default = "default_port")]
    pub port: u16,
    /// How its nodes are reached from the other clusters.
    pub expose: ExposeSpec,
}

fn default_port() -> u16 {
    443
}

/// How a cluster's peers and orderers are reached from other clusters: exactly one way, each
/// passing TLS through to the node.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExposeSpec {
    /// A Gateway API `TLSRoute` per node on a Gateway listener in TLS passthrough mode
    /// (`protocol: TLS`, `tls.mode: Passthrough`, routes admitted from the network's
    /// namespace).
    #[serde(rename = "gatewayTLSRoute", default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "GatewayTlsRouteSpec")]
    pub gateway_tls_route: Option<GatewayTlsRouteSpec>,
    /// An ingress-nginx `Ingress` per node with SSL passthrough (the controller runs with
    /// `--enable-ssl-passthrough`; routes by SNI on its HTTPS port).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "IngressPassthroughSpec")]
    pub ingress_passthrough: Option<IngressPassthroughSpec>,
    /// A Service of type LoadBalancer per node (`<service>-external`) on the cluster's port;
    /// DNS must resolve each node's external name to its load balancer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "LoadBalancerSpec")]
    pub load_balancer: Option<LoadBalancerSpec>,
    /// A Service of type NodePort per node (`<service>-external`) on the node's own `nodePort`,
    /// reached at `address` (a DNS name of the cluster's nodes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "NodePortSpec")]
    pub node_port: Option<NodePortSpec>,
}

/// ingress-nginx with SSL passthrough.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressPassthroughSpec {
    /// `ingressClassName` of the controller.
    pub ingress_class_name: String,
    /// The controller's pods: what the NetworkPolicies admit to the exposed ports.
    pub from: SelectorSpec,
}

/// A LoadBalancer Service per node.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LoadBalancerSpec {
    /// Annotations of each Service (a cloud's load balancer settings, external-dns names).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// A NodePort Service per node.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodePortSpec {
    /// DNS name of the cluster's nodes (in every exposed node's TLS SANs; an IP literal
    /// carries no SNI and no certificate here names one).
    pub address: String,
}

/// The Gateway a cluster's TLSRoutes attach to.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GatewayTlsRouteSpec {
    /// Name of the Gateway.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// Name of its TLS passthrough listener.
    pub section_name: String,
    /// The Gateway's data-plane pods: what the NetworkPolicies admit to the exposed ports.
    pub from: SelectorSpec,
}
