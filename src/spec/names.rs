//! Every Kubernetes object name fabgen derives from the spec, in one place, so validation
//! checks exactly the names that rendering uses.
//!
//! They belong to the spec stage because they are part of the spec's contract: users create
//! and reference Secrets by these names, and `validate` checks their length and syntax before
//! anything is resolved. `crate::model` reads them from here; nothing here reads the model.

/// Service and StatefulSet of a peer: `<peer>-<org>` (seed 004 uses `peer0-org1`).
pub fn peer(org: &str, peer: &str) -> String {
    format!("{peer}-{org}")
}

/// Service and StatefulSet of an orderer: the orderer's own name (`orderer0`).
pub fn orderer(orderer: &str) -> String {
    orderer.to_string()
}

/// Deployment and Service of an organisation's Fabric CA: `ca-<org>`.
pub fn ca(org: &str) -> String {
    format!("ca-{org}")
}

/// Deployment and Service serving a chaincode for one org: `chaincode-<cc>-<org>` (seed 004).
pub fn chaincode(chaincode: &str, org: &str) -> String {
    format!("chaincode-{chaincode}-{org}")
}

/// ConfigMap with fabgen's external builder scripts for an org's peers.
pub fn builder_config_map(org: &str) -> String {
    format!("{org}-builder")
}

/// ConfigMap with the peers' `core.yaml` of an org.
pub fn peer_config_map(org: &str) -> String {
    format!("{org}-peer-config")
}

/// ConfigMap with the chaincode packages an org installs (`binaryData`).
pub fn packages_config_map(org: &str) -> String {
    format!("{org}-chaincode-packages")
}

/// ServiceAccount of an org's peers.
pub fn peer_service_account(org: &str) -> String {
    format!("{org}-peer")
}

/// ServiceAccount of the orderers.
pub fn orderer_service_account(org: &str) -> String {
    format!("{org}-orderer")
}

/// ServiceAccount of an org's CA.
pub fn ca_service_account(org: &str) -> String {
    format!("{org}-ca")
}

/// ServiceAccount of a chaincode Deployment.
pub fn chaincode_service_account(chaincode: &str, org: &str) -> String {
    self::chaincode(chaincode, org)
}

/// PersistentVolumeClaim holding an org's CA database and keys.
pub fn ca_data_claim(org: &str) -> String {
    format!("{}-data", ca(org))
}

/// Secret with a node's MSP (signing certificate, key, CA certificates, NodeOU config).
pub fn msp_secret(node: &str) -> String {
    format!("{node}-msp")
}

/// Secret with a node's TLS key pair and CA (`kubernetes.io/tls` layout).
pub fn tls_secret(node: &str) -> String {
    format!("{node}-tls")
}

/// Secret with a peer's CouchDB credentials.
pub fn couchdb_secret(peer: &str) -> String {
    format!("{peer}-couchdb")
}

/// Secret with a CA's bootstrap admin credentials.
pub fn ca_admin_secret(org: &str) -> String {
    format!("{}-admin", ca(org))
}

/// File name of a chaincode package for one org.
pub fn package_file(chaincode: &str, org: &str) -> String {
    format!("{}.tgz", self::chaincode(chaincode, org))
}

/// Secret with a chaincode server's TLS key pair and the CA that verifies peers.
pub fn chaincode_tls_secret(chaincode: &str, org: &str) -> String {
    tls_secret(&self::chaincode(chaincode, org))
}

/// Secret with an org's peers' client key pair for chaincode mutual TLS, and the CA that
/// verifies chaincode servers.
pub fn chaincode_client_tls_secret(org: &str) -> String {
    format!("{org}-chaincode-client-tls")
}

/// cert-manager SelfSigned Issuer that bootstraps an org's chaincode CA.
pub fn chaincode_selfsigned_issuer(org: &str) -> String {
    format!("{org}-chaincode-selfsigned")
}

/// An org's chaincode TLS CA: its Certificate, Secret and CA Issuer share this name.
pub fn chaincode_ca(org: &str) -> String {
    format!("{org}-chaincode-ca")
}

/// Namespace fabric-builder-k8s launches an org's chaincode Jobs in. Its pods meet only Pod
/// Security `baseline` (the builder sets no securityContext), so they live apart from the
/// network's `restricted` namespace.
pub fn chaincode_namespace(namespace: &str, org: &str) -> String {
    format!("{namespace}-{org}-cc")
}

/// `FABRIC_K8S_BUILDER_OBJECT_NAME_PREFIX` of a peer: its chaincode Jobs and Secrets start so.
pub fn k8s_builder_prefix(peer: &str) -> String {
    format!("{peer}-cc")
}

/// ServiceAccount fabric-builder-k8s runs an org's chaincode Jobs under.
pub fn chaincode_job_service_account(org: &str) -> String {
    format!("{org}-chaincode")
}

/// Role (and RoleBinding) letting an org's peers drive a launcher.
pub fn launcher_role(org: &str, launcher: &str) -> String {
    format!("{org}-peer-{launcher}")
}

/// ConfigMap with an org's `k8scc.yaml`.
pub fn k8scc_config_map(org: &str) -> String {
    format!("{org}-k8scc")
}

/// k8scc's ReadWriteMany transfer volume claim for an org's peers.
pub fn k8scc_transfer_claim(org: &str) -> String {
    format!("{org}-k8scc-transfer")
}

/// Secret with an org admin's MSP (`cert.pem` with the `admin` NodeOU), for the bootstrap and
/// lifecycle Jobs that act as the org.
pub fn admin_msp_secret(org: &str) -> String {
    format!("{org}-admin-msp")
}

/// Secret with an org admin's TLS client key pair (`osnadmin` authenticates with it to the
/// orderers' admin endpoint, whose client CAs are the orderer org's TLS CA).
pub fn admin_tls_secret(org: &str) -> String {
    format!("{org}-admin-tls")
}

/// Secret with an org's public MSP (CA and TLS CA certificates, NodeOU `config.yaml`): what the
/// channel configuration and other orgs' clients need to know of the org, no private key.
pub fn org_msp_secret(org: &str) -> String {
    format!("{org}-org-msp")
}

/// ConfigMap with the network's `configtx.yaml` (one profile per channel).
pub fn configtx_config_map(network: &str) -> String {
    format!("{network}-configtx")
}

/// PodDisruptionBudget of an organisation's orderers or peers (`component`: `orderers`,
/// `peers`).
pub fn disruption_budget(org: &str, component: &str) -> String {
    format!("{org}-{component}")
}

/// ServiceMonitor of one organisation's peers, orderers and CA.
pub fn service_monitor(org: &str) -> String {
    format!("{org}-metrics")
}

/// ConfigMap, made by the operator of a consortium's channel creator, holding each channel's
/// update signed offline as `<channel>.tx` (`model::channel_update::in_part_of`).
pub fn signed_updates_config_map(network: &str) -> String {
    format!("{network}-signed-updates")
}

/// Job keeping a running channel's configuration at the spec's (`model::channel_update`); a
/// digest is appended, as for the other channel Jobs.
pub fn channel_update_job(channel: &str) -> String {
    format!("channel-{}-update", channel.replace('.', "-"))
}

/// Job creating a channel on the orderers; `render` appends a digest of its pod template, so a
/// changed Job gets a new name (Job templates are immutable).
pub fn channel_create_job(channel: &str) -> String {
    format!("channel-{}-create", channel.replace('.', "-"))
}

/// Service exposing a node to other clusters by load balancer or node port.
pub fn external_service(service: &str) -> String {
    format!("{service}-external")
}

/// ConfigMap of another organisation's public material (its card) in one organisation's part
/// of a consortium.
pub fn public_config_map(org: &str) -> String {
    format!("{org}-public")
}

/// Job of a further ordering organisation of a channel: joins the organisation's orderers to
/// the channel the first one created (a digest is appended, as for the create Job).
pub fn channel_orderers_job(channel: &str, org: &str) -> String {
    format!("channel-{}-orderers-{org}", channel.replace('.', "-"))
}

/// Job joining an org's peers to a channel (a digest is appended, as for the create Job).
pub fn channel_join_job(channel: &str, org: &str) -> String {
    format!("channel-{}-join-{org}", channel.replace('.', "-"))
}

/// Job installing (where the org runs it), approving and, for the committing org, committing
/// a chaincode definition for one org (a digest is appended, as for the channel Jobs).
pub fn chaincode_lifecycle_job(chaincode: &str, org: &str) -> String {
    format!("chaincode-{chaincode}-lifecycle-{org}")
}

/// Job approving a chaincode definition for a channel member that does not run it (its
/// approval counts towards the channel's LifecycleEndorsement majority).
pub fn chaincode_approve_job(chaincode: &str, org: &str) -> String {
    format!("chaincode-{chaincode}-approve-{org}")
}

/// Characters `render` appends to a Job name: `-` and eight hex digits of its pod template.
pub const JOB_DIGEST_LEN: usize = 9;
