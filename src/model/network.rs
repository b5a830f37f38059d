//! The resolved network, the one input of rendering: defaults applied, names derived,
//! packages built. Templates see only these types, never the raw spec.

use std::collections::BTreeMap;

use serde::Serialize;

pub use super::lifecycle::Definition;
use super::package;
use super::values::ChartValues;
use crate::spec::release::Release;
use crate::spec::{K8sccSpec, Launcher, StorageSpec};

/// The whole network, resolved.
#[derive(Debug, Serialize)]
pub struct Network {
    /// Network name.
    pub name: String,
    /// Namespace of every object.
    pub namespace: String,
    /// In one organisation's part (`--org`), when the organisations of its cluster run in
    /// several namespaces: each of them (itself included) and its namespace. The
    /// NetworkPolicies then select an organisation's pods in its namespace. Empty otherwise.
    pub namespaces: BTreeMap<String, String>,
    /// Fabric version of peers and orderers.
    pub fabric_version: String,
    /// What differs between Fabric release lines (`spec::release`).
    pub release: Release,
    /// Labels on every object.
    pub labels: BTreeMap<String, String>,
    /// Operator knobs with their defaults (templates read them through `knob()`).
    #[serde(skip)]
    pub values: ChartValues,
    /// UID, GID and fsGroup of every pod.
    pub run_as_user: u32,
    /// fabgen's external builder.
    pub builder: Builder,
    /// The ordering organisations, in spec order.
    pub orderer_orgs: Vec<OrdererOrg>,
    /// With `render --org ORG --cards DIR`: ORG's part of a consortium (`custody`).
    pub custody: Option<Custody>,
    /// How long the Jobs wait for what they need, and how often they look.
    pub job_waits: JobWaits,
    /// When the network spans clusters: the ports its pods dial other clusters on.
    pub remote_ports: Vec<u16>,
    /// configtx.yaml, when the network has channels.
    pub configtx: Option<Configtx>,
    /// Peer organisations.
    pub orgs: Vec<Org>,
    /// Channels.
    pub channels: Vec<Channel>,
    /// Chaincodes with one deployment per org.
    pub chaincodes: Vec<Chaincode>,
    /// PodDisruptionBudgets of the ordering organisations and the peer organisations
    /// (`budget`); each is handed to pdb.yaml on its own.
    #[serde(skip)]
    pub disruption_budgets: Vec<Budget>,
    /// prometheus-operator ServiceMonitors (`monitoring`), one per organisation, or none.
    #[serde(skip)]
    pub service_monitors: Vec<ServiceMonitor>,
    /// NetworkPolicies derived from the topology. Each is handed to networkpolicy.yaml on its
    /// own; `network` in templates leaves them out, so memory holds no second copy of them.
    #[serde(skip)]
    pub network_policies: Vec<Policy>,
    /// The spec's `networkPolicies`, which the picture of the flows (`topology::of`) follows.
    #[serde(skip)]
    pub network_policies_spec: crate::spec::NetworkPoliciesSpec,
    /// Pod Security level the namespace enforces: `restricted`, or `baseline` when k8scc
    /// launches chaincode pods (it sets no securityContext) in it.
    pub pod_security: &'static str,
    /// k8scc settings for its k8scc.yaml.
    pub k8scc: K8sccSpec,
    /// fabric-builder-k8s start timeout.
    pub k8s_builder_start_timeout: String,
    /// Image of the channel Jobs (fabric-tools), as a reference.
    pub tools_image: String,
    /// Pull policy of every container.
    pub image_pull_policy: crate::spec::PullPolicy,
    /// Image pull Secrets of every pod.
    pub image_pull_secrets: Vec<String>,
}

/// ORG's part: who renders, and the public material of everyone else.
#[derive(Debug, Serialize)]
pub struct Custody {
    /// The organisation rendering its part.
    pub org: String,
    /// Every other organisation's public material, a ConfigMap each.
    pub public: Vec<PublicOrg>,
}

/// One other organisation's public material, as a ConfigMap of ORG's tree.
#[derive(Debug, Serialize)]
pub struct PublicOrg {
    /// The organisation.
    pub org: String,
    /// ConfigMap name.
    pub config_map: String,
    /// Its keys: `cacert.pem`, `tlscacert.pem`, `config.yaml`, and per orderer
    /// `<orderer>.tls.crt` and `<orderer>.cert.pem`.
    pub data: BTreeMap<String, String>,
}

/// How long the channel and lifecycle Jobs wait (`WAIT_SECONDS`, then the Job fails and
/// Kubernetes retries it) and how often they look (`RETRY_SECONDS`), as env values.
#[derive(Debug, Serialize)]
pub struct JobWaits {
    /// Seconds.
    pub wait_seconds: String,
    /// Seconds.
    pub retry_seconds: String,
}

impl JobWaits {
    /// One operator brings the whole network up at once: ten minutes, looking every 5 s.
    pub fn one_operator() -> Self {
        JobWaits { wait_seconds: "600".into(), retry_seconds: "5".into() }
    }

    /// In a consortium the other members create, join and approve on their own schedule:
    /// a part's Jobs wait a year, looking every 30 s.
    pub fn consortium_part() -> Self {
        JobWaits { wait_seconds: "31536000".into(), retry_seconds: "30".into() }
    }
}

/// fabgen's builder, as the peer sees it.
#[derive(Debug, Serialize)]
pub struct Builder {
    /// Name in `externalBuilders`.
    pub name: &'static str,
    /// Directory holding `bin/`.
    pub path: &'static str,
    /// Package type its `detect` accepts.
    pub package_type: &'static str,
}

/// One entry of core.yaml `chaincode.externalBuilders`.
#[derive(Debug, Serialize)]
pub struct ExternalBuilder {
    /// Builder name.
    pub name: &'static str,
    /// Directory containing `bin/detect` etc.
    pub path: &'static str,
    /// Environment passed through to the builder's programs.
    pub propagate_environment: Vec<&'static str>,
}

/// PersistentVolumeClaim settings.
#[derive(Debug, Serialize)]
pub struct Storage {
    /// StorageClass, or null for the cluster default.
    pub storage_class: Option<String>,
    /// Requested size.
    pub size: String,
}

impl From<&StorageSpec> for Storage {
    fn from(spec: &StorageSpec) -> Self {
        Storage { storage_class: spec.storage_class.clone(), size: spec.size.clone() }
    }
}

/// The orderer organisation.
#[derive(Debug, Serialize)]
pub struct OrdererOrg {
    /// Organisation name.
    pub name: String,
    /// MSP ID.
    pub msp_id: String,
    /// ServiceAccount of the orderers.
    pub service_account: String,
    /// Ledger storage.
    pub storage: Storage,
    /// Knob of its orderers' ledger volume.
    pub storage_knob: String,
    /// Its orderers.
    pub orderers: Vec<Orderer>,
    /// When the network spans clusters: the Gateway its orderers are exposed on.
    pub exposure: Option<super::reach::Exposure>,
    /// `MSPDir` of the org in configtx.yaml (where the channel Jobs mount its public MSP).
    pub configtx_msp_dir: String,
    /// Secret with the org's public MSP.
    pub org_msp_secret: String,
    /// Secret with the org admin's MSP.
    pub admin_msp_secret: String,
    /// Secret with the org admin's TLS client pair.
    pub admin_tls_secret: String,
    /// In another organisation's part of a consortium: the ConfigMap (from this org's card)
    /// its Jobs mount this org's public MSP from, instead of the Secret.
    pub public_config_map: Option<String>,
}

/// One orderer node.
#[derive(Debug, Serialize)]
pub struct Orderer {
    /// StatefulSet and Service name.
    pub name: String,
    /// `host:port` clients and other orderers use.
    pub address: String,
    /// Cluster DNS name of its Service.
    pub host: String,
    /// Client (and Raft cluster) port.
    pub port: u16,
    /// From other clusters, when the network spans clusters.
    pub external: Option<super::reach::External>,
    /// Its fixed node port, when its cluster exposes node ports.
    pub node_port: Option<u16>,
    /// The Service exposing it by load balancer or node port (`<service>-external`).
    pub external_service: String,
    /// Its endpoint in channel configs (`OrdererEndpoints`, consenter `Host`/`Port`): the
    /// external one when the network spans clusters, else the Service's.
    pub advertised_address: String,
    /// Host of `advertised_address`.
    pub advertised_host: String,
    /// Port of `advertised_address`.
    pub advertised_port: u16,
    /// `host:7053`, the channel participation API.
    pub admin_address: String,
    /// Where the channel Jobs mount its TLS certificate (the consenter's `ClientTLSCert` and
    /// `ServerTLSCert`).
    pub consenter_cert: String,
    /// Where the channel Jobs mount its signing certificate (its MSP `signcerts`): a BFT
    /// consenter's `Identity`, by which each orderer finds its own ID in the mapping (fabric
    /// orderer/consensus/smartbft/consenter.go `detectSelfID`).
    pub consenter_identity: String,
    /// SmartBFT consenter ID: its position in the spec, from 1.
    pub consenter_id: u32,
    /// MSP Secret.
    pub msp_secret: String,
    /// TLS Secret.
    pub tls_secret: String,
    /// In another organisation's part of a consortium: the ConfigMap (from its org's card)
    /// holding its TLS and signing certificates as `<name>.tls.crt` and `<name>.cert.pem`.
    pub public_config_map: Option<String>,
}

/// A peer organisation.
#[derive(Debug, Serialize)]
pub struct Org {
    /// Organisation name.
    pub name: String,
    /// MSP ID.
    pub msp_id: String,
    /// Ledger storage of its peers.
    pub storage: Storage,
    /// ServiceAccount of its peers.
    pub peer_service_account: String,
    /// ConfigMap with the builder scripts.
    pub builder_config_map: String,
    /// ConfigMap with core.yaml.
    pub peer_config_map: String,
    /// ConfigMap with chaincode packages (absent when the org runs no chaincode).
    pub packages_config_map: Option<String>,
    /// core.yaml `chaincode.externalBuilders`, in detection order.
    pub external_builders: Vec<ExternalBuilder>,
    /// The org's peers.
    pub peers: Vec<Peer>,
    /// When the network spans clusters: the Gateway its peers are exposed on.
    pub exposure: Option<super::reach::Exposure>,
    /// Its Fabric CA, if any.
    pub ca: Option<Ca>,
    /// Channels the org is a member of.
    pub channels: Vec<String>,
    /// `channel.fabgen.io/<channel>: member` for each of them, on its peer pods: what the
    /// NetworkPolicies select channel members by.
    pub channel_labels: BTreeMap<String, String>,
    /// `MSPDir` of the org in configtx.yaml (where the channel Jobs mount its public MSP).
    pub configtx_msp_dir: String,
    /// Secret with the org's public MSP.
    pub org_msp_secret: String,
    /// Secret with the org admin's MSP.
    pub admin_msp_secret: String,
    /// In another organisation's part of a consortium: the ConfigMap (from this org's card)
    /// its Jobs mount this org's public MSP from, instead of the Secret.
    pub public_config_map: Option<String>,
    /// Packages this org installs, one per chaincode it runs.
    pub packages: Vec<PackageRef>,
    /// Whether any chaincode the org runs uses TLS (its peers then mount client TLS).
    pub chaincode_tls: bool,
    /// Secret with the peers' chaincode client key pair and the chaincode CA.
    pub chaincode_client_tls_secret: String,
    /// cert-manager objects, when cert-manager provides the chaincode TLS Secrets.
    pub certificates: Option<OrgCertificates>,
    /// hlfabric-k8scc, when a chaincode of the org uses it.
    pub k8scc: Option<OrgK8scc>,
    /// fabric-builder-k8s, when a chaincode of the org uses it.
    pub k8s_builder: Option<OrgK8sBuilder>,
    /// Whether the org's peers call the Kubernetes API (only launchers need it).
    pub api_access: bool,
    /// Knob path of the peers' image.
    pub peer_image_knob: &'static str,
}

/// hlfabric-k8scc wiring of one org.
#[derive(Debug, Serialize)]
pub struct OrgK8scc {
    /// ConfigMap with k8scc.yaml.
    pub config_map: String,
    /// ReadWriteMany transfer volume claim.
    pub transfer_claim: String,
    /// Role and RoleBinding for the peers.
    pub role: String,
    /// Build image per language (and the image chaincode pods run).
    pub images: BTreeMap<&'static str, String>,
}

/// fabric-builder-k8s wiring of one org.
#[derive(Debug, Serialize)]
pub struct OrgK8sBuilder {
    /// Namespace its chaincode Jobs run in.
    pub namespace: String,
    /// ServiceAccount of the Jobs.
    pub job_service_account: String,
    /// Role and RoleBinding (in `namespace`) for the peers.
    pub role: String,
}

/// A package as an org's install step sees it.
#[derive(Debug, Serialize)]
pub struct PackageRef {
    /// Chaincode name.
    pub chaincode: String,
    /// Key in the packages ConfigMap / file name.
    pub file: String,
    /// Package ID.
    pub id: String,
    /// Base64 of the package bytes, for ConfigMap `binaryData`.
    pub base64: String,
}

/// One peer.
#[derive(Debug, Serialize)]
pub struct Peer {
    /// StatefulSet and Service name, `<peer>-<org>`.
    pub name: String,
    /// Name within the org, e.g. `peer0`; `CORE_PEER_ID` is the full name.
    pub short_name: String,
    /// Cluster DNS name of its Service.
    pub host: String,
    /// `host:7051`.
    pub address: String,
    /// From other clusters, when the network spans clusters.
    pub external: Option<super::reach::External>,
    /// Its fixed node port, when its cluster exposes node ports.
    pub node_port: Option<u16>,
    /// The Service exposing it by load balancer or node port (`<service>-external`).
    pub external_service: String,
    /// What other organisations learn it by (its gossip external endpoint, an anchor peer):
    /// the external address when the network spans clusters, else `address`.
    pub advertised_address: String,
    /// `host:7052`: where launched or external chaincode reaches the peer.
    pub chaincode_address: String,
    /// Gossip bootstrap: the org's other peers, space-separated (`peer.gossip.bootstrap`);
    /// none for an org's only peer, which has nobody in its org to learn from.
    pub gossip_bootstrap: Option<String>,
    /// Dynamic leader election among the org's peers (`useLeaderElection: true, orgLeader:
    /// false`) when it has several; an only peer is its org's static leader (`false`, `true`),
    /// as fabric docs/source/gossip.rst describes the two modes.
    pub gossip_leader_election: bool,
    /// CouchDB sidecar.
    pub couchdb: bool,
    /// MSP Secret.
    pub msp_secret: String,
    /// TLS Secret.
    pub tls_secret: String,
    /// CouchDB credentials Secret.
    pub couchdb_secret: String,
    /// `FABRIC_K8S_BUILDER_OBJECT_NAME_PREFIX`.
    pub k8s_builder_prefix: String,
}

/// An org's Fabric CA.
#[derive(Debug, Serialize)]
pub struct Ca {
    /// Deployment and Service name.
    pub name: String,
    /// ServiceAccount.
    pub service_account: String,
    /// PVC holding its database and keys.
    pub data_claim: String,
    /// Secret with the bootstrap admin.
    pub admin_secret: String,
    /// TLS Secret.
    pub tls_secret: String,
}

/// A channel.
#[derive(Debug, Serialize)]
pub struct Channel {
    /// Channel name.
    pub name: String,
    /// Member orgs, as the spec lists them.
    pub orgs: Vec<String>,
    /// Member orgs in the network's order (of `orgs` in the spec), the order configtx.yaml
    /// and the Jobs list them in.
    pub members: Vec<String>,
    /// Its ordering organisations, the creator first: their orderers are its consenters.
    pub ordering: Vec<String>,
    /// The Jobs putting it on the orderers, one per ordering organisation (run as that
    /// organisation's admin), the creator's first.
    pub orderer_jobs: Vec<OrdererJob>,
    /// One Job per member org joining the org's peers.
    pub joins: Vec<ChannelJoin>,
    /// The Job keeping the running channel's configuration at the spec's (`channel_update`);
    /// absent in one organisation's part of a consortium, whose cluster holds its own admin
    /// only.
    pub update: Option<ChannelUpdate>,
}

/// The Job that brings a running channel's configuration to what the spec says: members,
/// ordering organisations and their endpoints, consenters (with BFT's `BlockValidation`). One
/// pod: `propose` (as the submitting ordering organisation's admin), one `sign-<org>` init
/// container per other organisation whose admin may have to sign, each mounting its own admin
/// MSP and nobody else's, then `submit`.
#[derive(Debug, Serialize)]
pub struct ChannelUpdate {
    /// Job name before its content digest (`render` appends it).
    pub job: String,
    /// The ordering organisation that proposes and submits (the channel's creator).
    pub submitter: String,
    /// Every other organisation that may have to sign, in the network's order: the channel's
    /// other ordering organisations, then every peer organisation (a member leaving the
    /// channel may have to sign its removal).
    pub signers: Vec<UpdateSigner>,
    /// The submitter's orderers' client endpoints (fetch the config, submit the update).
    pub orderers: Vec<String>,
    /// What the spec wants of the channel, in words: in the Job's environment, so a change of
    /// it is a new Job (the name digests the spec) and `kubectl describe` shows it.
    pub wanted: String,
    /// In the creator's part of a consortium, where no other organisation's admin is: the
    /// ConfigMap (created by the operator, optional) whose `<channel>.tx` holds the update
    /// signed offline (`fabgen channel sign`, `fabgen channel envelope`), which `submit` waits
    /// for. `None` when every admin signs in the pod.
    pub signed_updates: Option<String>,
}

/// An organisation signing a channel's configuration updates with its own admin identity.
#[derive(Debug, Serialize)]
pub struct UpdateSigner {
    /// Organisation name.
    pub org: String,
    /// MSP ID.
    pub msp_id: String,
    /// Secret with the org admin's MSP.
    pub admin_msp_secret: String,
}

/// The Job putting a channel on one ordering organisation's orderers.
#[derive(Debug, Serialize)]
pub struct OrdererJob {
    /// Job name before its content digest (`render` appends it).
    pub job: String,
    /// The ordering organisation.
    pub org: String,
    /// It makes the genesis block when no orderer serves the channel yet.
    pub creator: bool,
    /// With several ordering organisations: the other organisations' orderers, as
    /// `host:port=<their TLS CA file>`, which may serve the channel's genesis block.
    pub block_sources: Vec<String>,
    /// Hosts of the organisation's own orderers, which a fetched genesis block must name as
    /// consenters.
    pub own_consenters: Vec<String>,
    /// MSP IDs of the channel's ordering organisations, which a fetched block must have.
    pub ordering_msp_ids: Vec<String>,
    /// MSP IDs of the channel's member organisations, which a fetched block must have.
    pub member_msp_ids: Vec<String>,
}

/// The Job joining one org's peers to a channel.
#[derive(Debug, Serialize)]
pub struct ChannelJoin {
    /// Job name before its content digest (`render` appends it).
    pub job: String,
    /// Org name.
    pub org: String,
    /// MSP ID.
    pub msp_id: String,
    /// The org's peers' addresses.
    pub peers: Vec<String>,
    /// The channel creator's orderers, as this org's pods dial them.
    pub orderers: Vec<String>,
    /// The org's anchor peers on the channel: every peer of the org, so other orgs still find
    /// the org through gossip while one of them is down (fabric docs/source/gossip.rst
    /// recommends several anchor peers per org for high availability).
    pub anchor_peers: Vec<String>,
}

/// The channel configuration source: configtx.yaml with one profile per channel.
#[derive(Debug, Serialize)]
pub struct Configtx {
    /// ConfigMap holding `configtx.yaml`.
    pub config_map: String,
    /// Every channel's `model::channel_record::ChannelRecord`, as the JSON the ConfigMap
    /// records (`fabgen.io/channels`).
    pub records: String,
    /// `OrdererType`: `etcdraft` or `BFT`. Capabilities and whether the global orderer
    /// addresses are written come from `Network::release`.
    pub orderer_type: &'static str,
    /// SmartBFT options, in configtx.yaml's keys (the Go field names of smartbft.Options).
    pub smart_bft: Vec<(&'static str, String)>,
}

/// A chaincode.
#[derive(Debug, Serialize)]
pub struct Chaincode {
    /// Chaincode name.
    pub name: String,
    /// Definition version.
    pub version: String,
    /// Package label.
    pub label: String,
    /// Channel.
    pub channel: String,
    /// The ordering organisation whose orderers its lifecycle Jobs send transactions to: the
    /// channel's first (its creator).
    pub ordering_org: String,
    /// `--init-required`.
    pub init_required: bool,
    /// How it is built and run.
    pub launcher: Launcher,
    /// Orgs that run it.
    pub orgs: Vec<String>,
    /// Package ID per org (the same for every org with a launcher).
    pub package_ids: BTreeMap<String, String>,
    /// `ccaas` only: one Deployment per org that runs it.
    pub deployments: Vec<ChaincodeDeployment>,
    /// The definition its lifecycle Jobs approve and commit.
    pub definition: Definition,
    /// `-c` of the init invocation: `{"Args":[...]}`.
    pub init_input: String,
    /// One lifecycle Job per channel member, in spec order.
    pub lifecycle: Vec<LifecycleJob>,
}

/// The Job that installs (where the org runs the chaincode), approves and, for one org,
/// commits a chaincode definition.
#[derive(Debug, Serialize)]
pub struct LifecycleJob {
    /// Job name before its content digest.
    pub job: String,
    /// Org name.
    pub org: String,
    /// MSP ID.
    pub msp_id: String,
    /// The org's peers: each installs the package.
    pub peers: Vec<String>,
    /// The channel creator's orderers, as this org's pods dial them.
    pub orderers: Vec<String>,
    /// The package the org installs and approves; none for a member that does not run it
    /// (it approves without a package, which still counts towards the majority).
    pub package: Option<LifecyclePackage>,
    /// For the committing org only (the first that runs the chaincode).
    pub commit: Option<LifecycleCommit>,
    /// The definition as this Job approves it, as JSON, recorded on the Job
    /// (`DEFINITION_ANNOTATION`): with this org's package ID only, so a Job's size does not
    /// grow with the number of orgs; `output::previous` joins the Jobs' records again.
    pub definition_json: String,
}

/// A package an org installs.
#[derive(Debug, Serialize)]
pub struct LifecyclePackage {
    /// Package ID.
    pub id: String,
    /// Key in the org's packages ConfigMap.
    pub file: String,
    /// The org's packages ConfigMap.
    pub config_map: String,
}

/// What the committing org's Job needs beyond its approval.
#[derive(Debug, Serialize)]
pub struct LifecycleCommit {
    /// One peer per channel member with its TLS CA: the commit's endorsers.
    pub endorsers: Vec<PeerEndpoint>,
    /// One peer per org that runs the chaincode: the init invocation's endorsers.
    pub init_endorsers: Vec<PeerEndpoint>,
    /// Orgs whose public MSPs the Job mounts (for their TLS CAs).
    pub orgs: Vec<String>,
}

/// A peer as `--peerAddresses` / `--tlsRootCertFiles` name it.
#[derive(Debug, Serialize)]
pub struct PeerEndpoint {
    /// `host:port`.
    pub address: String,
    /// Its org's TLS CA certificate, where the Job mounts the org's public MSP.
    pub tls_root_cert: String,
    /// `address=tls_root_cert`, as the lifecycle script's ENDORSERS lists take it.
    pub pair: String,
}

/// A chaincode served for one org.
#[derive(Debug, Serialize)]
pub struct ChaincodeDeployment {
    /// Deployment and Service name.
    pub name: String,
    /// Chaincode name.
    pub chaincode: String,
    /// Org name.
    pub org: String,
    /// MSP ID of the org.
    pub msp_id: String,
    /// Server port.
    pub port: u16,
    /// `host:port` in `connection.json`.
    pub address: String,
    /// Package ID, injected as `CHAINCODE_ID` and `CORE_CHAINCODE_ID_NAME`.
    pub package_id: String,
    /// Package file name.
    pub package_file: String,
    /// ServiceAccount.
    pub service_account: String,
    /// Replicas the spec asks for (the chart's default).
    pub replicas: u32,
    /// Mutual TLS with the org's peers.
    pub tls: bool,
    /// Secret with the server's key pair and the peers' CA.
    pub tls_secret: String,
}

/// cert-manager objects of one org's chaincode TLS.
#[derive(Debug, Serialize)]
pub struct OrgCertificates {
    /// Issuer signing the org's chaincode certificates.
    pub issuer_name: String,
    /// `Issuer` or `ClusterIssuer`.
    pub issuer_kind: String,
    /// When fabgen bootstraps the CA: the SelfSigned Issuer's name.
    pub selfsigned_issuer: Option<String>,
    /// When fabgen bootstraps the CA: the CA Certificate (and its Secret).
    pub ca_certificate: Option<String>,
    /// Leaf certificates.
    pub certificates: Vec<CertificateModel>,
}

/// One cert-manager Certificate.
#[derive(Debug, Serialize)]
pub struct CertificateModel {
    /// Certificate and Secret name.
    pub name: String,
    /// Subject common name.
    pub common_name: String,
    /// DNS SANs.
    pub dns_names: Vec<String>,
    /// Key usages (`server auth` or `client auth`, plus signature and key encipherment).
    pub usages: Vec<&'static str>,
}

/// A built package with its location in the output.
#[derive(Debug, Clone)]
pub struct BuiltPackage {
    /// Org that installs it.
    pub org: String,
    /// Chaincode.
    pub chaincode: String,
    /// File name.
    pub file: String,
    /// Bytes and ID.
    pub package: package::Package,
}

/// One NetworkPolicy, ready for the template.
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    /// Object name.
    pub name: String,
    /// Namespace, when not the network's (fabric-builder-k8s chaincode namespaces).
    pub namespace: Option<String>,
    /// Org whose chart holds it (none: the orderer org's).
    pub org: Option<String>,
    /// `app.kubernetes.io/component` of what it protects.
    pub component: String,
    /// The NetworkPolicy `spec`, as compact JSON (which YAML reads as a flow mapping).
    pub spec: String,
}

/// One prometheus-operator ServiceMonitor (`monitoring`).
#[derive(Debug, Serialize)]
pub struct ServiceMonitor {
    /// Object name.
    pub name: String,
    /// The organisation whose Services it selects.
    pub org: String,
    /// The kinds of node it scrapes (`app.kubernetes.io/component` of their Services).
    pub components: Vec<&'static str>,
    /// The spec's extra labels (`monitoring.labels`), for a Prometheus's selector.
    pub labels: BTreeMap<String, String>,
}

/// One PodDisruptionBudget.
#[derive(Debug, Serialize)]
pub struct Budget {
    /// Object name.
    pub name: String,
    /// The organisation whose nodes it selects.
    pub org: String,
    /// `orderer`, `peer` or `chaincode`: the pods' `app.kubernetes.io/component`.
    pub component: &'static str,
    /// The chaincode, for a chaincode Deployment's budget.
    pub chaincode: Option<String>,
    /// The labels its selector matches.
    pub selector: BTreeMap<String, String>,
    /// Pods that must stay available (a group of StatefulSets).
    pub min_available: Option<usize>,
    /// Pods that may be unavailable at once (a Deployment whose replicas are a chart knob: 1
    /// never blocks a drain, whatever the replicas).
    pub max_unavailable: Option<usize>,
    /// Why, in words (an annotation on the object).
    pub reason: String,
}
