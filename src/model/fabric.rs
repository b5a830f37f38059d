//! Facts the model is built from that no spec chooses: the ports Fabric components listen on,
//! where builders live in the peer image, fabgen's own builder identity, and the identity every
//! container runs as. Every stage that needs one of these reads it from here.

/// Package type owned by fabgen's builder (`templates/builder/bin/detect`). Distinct from the
/// built-in `ccaas_builder`'s `ccaas`, so both can sit in one `externalBuilders` list.
pub const PACKAGE_TYPE: &str = "fabgen-ccaas";
/// Name of fabgen's builder in `chaincode.externalBuilders`.
pub const BUILDER_NAME: &str = "fabgen";
/// Where the builder ConfigMap's `bin/` is mounted in the peer.
pub const BUILDER_PATH: &str = "/opt/fabgen/builder";
/// Env var naming the directory with the peer's chaincode TLS client material; propagated to
/// fabgen's builder, which completes `connection.json` from it (templates/builder/bin/build).
pub const CHAINCODE_TLS_DIR_ENV: &str = "FABGEN_CHAINCODE_TLS_DIR";
/// Fabric's built-in chaincode-as-a-service builder, shipped in peer images since 2.4.1
/// (fabric `images/peer/Dockerfile` copies it to this path).
pub const CCAAS_BUILDER_PATH: &str = "/opt/hyperledger/ccaas_builder";

/// Ports every Fabric component listens on (Fabric defaults).
pub const PEER_PORT: u16 = 7051;
/// Port the peer serves chaincode connections on (`peer.chaincodeListenAddress`).
pub const PEER_CHAINCODE_PORT: u16 = 7052;
/// Orderer client port.
pub const ORDERER_PORT: u16 = 7050;
/// Orderer admin (channel participation) port.
pub const ORDERER_ADMIN_PORT: u16 = 7053;
/// Fabric CA port.
pub const CA_PORT: u16 = 7054;
/// Operations service (`/healthz`, `/metrics`) of peers, orderers and CAs.
pub const OPERATIONS_PORT: u16 = 9443;
/// CouchDB port (sidecar, reached on localhost).
pub const COUCHDB_PORT: u16 = 5984;

/// Non-root identity every Fabric container runs as (kube-score asks for ≥ 10000).
pub const RUN_AS_USER: u32 = 10000;

/// Path of k8scc's builder in the peer (its `bin/` is an emptyDir an init container fills).
pub const K8SCC_BUILDER_PATH: &str = "/opt/k8scc";
/// Path of fabric-builder-k8s in its `k8s-fabric-peer` image.
pub const K8S_BUILDER_PATH: &str = "/opt/hyperledger/k8s_builder";

/// Where the channel Jobs mount the ConfigMap holding `configtx.yaml` (configtxgen `-configPath`).
pub const CONFIGTX_DIR: &str = "/var/fabgen/configtx";
/// Where the channel Jobs mount each organisation's public MSP: `<dir>/<org>/msp`, the
/// `MSPDir` of configtx.yaml (absolute, so configtxgen does not resolve it against
/// configtx.yaml's directory: genesisconfig `translatePaths`).
pub const ORGANIZATIONS_DIR: &str = "/var/fabgen/organizations";
/// Where the channel Jobs mount each orderer's TLS certificate: `<dir>/<orderer>/tls.crt`, the
/// etcdraft consenter's `ClientTLSCert` and `ServerTLSCert`.
pub const CONSENTERS_DIR: &str = "/var/fabgen/consenters";

/// SmartBFT options of every BFT channel, as fabric-samples test-network/bft-config/configtx.yaml
/// sets them. Every number and duration is written: configtxgen fills in defaults only when
/// the whole `SmartBFT` block is absent, and the orderer refuses zero values (hyperledger-labs
/// SmartBFT pkg/types/config.go `Validate`). `LeaderRotation` stays unset (off): 3.x refuses it on.
pub const SMART_BFT_OPTIONS: &[(&str, &str)] = &[
    ("RequestBatchMaxCount", "100"),
    ("RequestBatchMaxBytes", "10485760"),
    ("RequestBatchMaxInterval", "50ms"),
    ("IncomingMessageBufferSize", "200"),
    ("RequestPoolSize", "100000"),
    ("RequestForwardTimeout", "2s"),
    ("RequestComplainTimeout", "20s"),
    ("RequestAutoRemoveTimeout", "3m0s"),
    ("ViewChangeResendInterval", "5s"),
    ("ViewChangeTimeout", "20s"),
    ("LeaderHeartbeatTimeout", "1m0s"),
    ("LeaderHeartbeatCount", "10"),
    ("CollectTimeout", "1s"),
];
