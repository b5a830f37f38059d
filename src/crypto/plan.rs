//! Which Secrets a network needs, read off the model: per organisation its CAs, its public MSP,
//! an admin identity; per peer and orderer an MSP and a TLS identity; per Fabric CA its TLS
//! identity and bootstrap login; per CouchDB its login; and the chaincode TLS pairs the builder
//! and the chaincode Deployments mount (unless cert-manager makes them). Names come from
//! `crate::spec::names`, the ones the rendered pods reference.

use super::x509::{LeafRequest, Purpose};
use crate::model::Network;
use crate::spec::names;

/// The CAs fabgen keeps for one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CaRole {
    /// Signs MSP identities (`cacerts/`).
    Identity,
    /// Signs TLS identities (`tlscacerts/`, `ca.crt`).
    Tls,
    /// Signs the chaincode servers' and the peers' chaincode client certificates.
    Chaincode,
}

impl CaRole {
    /// File stem under `authorities/<org>/`.
    pub fn file_stem(self) -> &'static str {
        match self {
            CaRole::Identity => "ca",
            CaRole::Tls => "tlsca",
            CaRole::Chaincode => "chaincode-ca",
        }
    }

    /// Subject CN of the CA certificate.
    pub fn common_name(self, org: &str) -> String {
        match self {
            CaRole::Identity => format!("{org} CA"),
            CaRole::Tls => format!("{org} TLS CA"),
            CaRole::Chaincode => format!("{org} chaincode CA"),
        }
    }
}

/// NodeOU roles, as Fabric CA writes them into the certificate's OU and the MSP's config.yaml
/// names them (fabric-samples test-network-k8s `config.yaml`; fabric msp/mspimplsetup.go).
pub const NODE_OUS: [(&str, &str); 4] = [
    ("ClientOUIdentifier", "client"),
    ("PeerOUIdentifier", "peer"),
    ("AdminOUIdentifier", "admin"),
    ("OrdererOUIdentifier", "orderer"),
];

/// What one Secret holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// A signing identity's MSP: `cert.pem`, `key.pem`, `cacert.pem`, `tlscacert.pem`,
    /// `config.yaml`.
    Msp(LeafRequest),
    /// A TLS key pair in the `kubernetes.io/tls` layout: `tls.crt`, `tls.key`, `ca.crt` (the CA
    /// that signed the other side).
    Tls(LeafRequest, CaRole),
    /// An org's public MSP: `cacert.pem`, `tlscacert.pem`, `config.yaml`.
    OrgMsp,
    /// A login: `username`, `password`.
    Login {
        /// The user name.
        username: &'static str,
    },
}

/// One Secret to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretPlan {
    /// Secret name.
    pub name: String,
    /// Organisation whose CAs sign it.
    pub org: String,
    /// Its content.
    pub content: Content,
}

/// One organisation's CAs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgPlan {
    /// Organisation name.
    pub name: String,
    /// The CAs it needs.
    pub cas: Vec<CaRole>,
}

/// Every CA and Secret of a network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Organisations, the orderer organisation first.
    pub orgs: Vec<OrgPlan>,
    /// Secrets, in the order planned.
    pub secrets: Vec<SecretPlan>,
}

impl Plan {
    /// Only what organisation `org` makes and keeps: its CAs and its Secrets.
    pub fn only(self, org: &str) -> Plan {
        Plan {
            orgs: self.orgs.into_iter().filter(|o| o.name == org).collect(),
            secrets: self.secrets.into_iter().filter(|s| s.org == org).collect(),
        }
    }
}

/// The DNS names clients use for a Service: short, namespaced, and fully qualified.
pub fn service_dns_names(service: &str, namespace: &str) -> Vec<String> {
    vec![
        service.to_string(),
        format!("{service}.{namespace}"),
        format!("{service}.{namespace}.svc"),
        format!("{service}.{namespace}.svc.cluster.local"),
    ]
}

fn leaf(common_name: &str, org: &str, ou: Option<&str>, dns_names: Vec<String>, purpose: Purpose) -> LeafRequest {
    LeafRequest {
        common_name: common_name.to_string(),
        organization: org.to_string(),
        organizational_unit: ou.map(str::to_string),
        dns_names,
        purpose,
    }
}

const SERVER_AND_CLIENT: Purpose = Purpose::Tls { server: true, client: true };
const CLIENT: Purpose = Purpose::Tls { server: false, client: true };
const SERVER: Purpose = Purpose::Tls { server: true, client: false };

/// A node's MSP (role `ou`) and TLS identity (server, and client for Raft and gossip). Its TLS
/// certificate names its Service and, when the network spans clusters, its external name: the
/// host other clusters dial, which a gRPC client checks (no node-to-node hostname override).
fn node(out: &mut Vec<SecretPlan>, org: &str, service: &str, ou: &str, namespace: &str, external: Option<&str>) {
    let mut dns_names = service_dns_names(service, namespace);
    dns_names.extend(external.map(str::to_string));
    out.push(SecretPlan {
        name: names::msp_secret(service),
        org: org.to_string(),
        content: Content::Msp(leaf(service, org, Some(ou), Vec::new(), Purpose::Signing)),
    });
    out.push(SecretPlan {
        name: names::tls_secret(service),
        org: org.to_string(),
        content: Content::Tls(leaf(service, org, None, dns_names, SERVER_AND_CLIENT), CaRole::Tls),
    });
}

/// An org's public MSP and its admin's MSP and TLS client identity.
fn org_identities(out: &mut Vec<SecretPlan>, org: &str) {
    let admin = format!("{org}-admin");
    out.push(SecretPlan { name: names::org_msp_secret(org), org: org.to_string(), content: Content::OrgMsp });
    out.push(SecretPlan {
        name: names::admin_msp_secret(org),
        org: org.to_string(),
        content: Content::Msp(leaf(&admin, org, Some("admin"), Vec::new(), Purpose::Signing)),
    });
    out.push(SecretPlan {
        name: names::admin_tls_secret(org),
        org: org.to_string(),
        content: Content::Tls(leaf(&admin, org, None, Vec::new(), CLIENT), CaRole::Tls),
    });
}

/// The plan of `network`.
pub fn plan(network: &Network) -> Plan {
    let ns = &network.namespace;
    let mut orgs = Vec::new();
    let mut secrets = Vec::new();

    for ordering in &network.orderer_orgs {
        orgs.push(OrgPlan { name: ordering.name.clone(), cas: vec![CaRole::Identity, CaRole::Tls] });
        org_identities(&mut secrets, &ordering.name);
        for orderer in &ordering.orderers {
            let external = orderer.external.as_ref().map(|e| e.host.as_str());
            node(&mut secrets, &ordering.name, &orderer.name, "orderer", ns, external);
        }
    }

    for org in &network.orgs {
        let name = &org.name;
        // cert-manager makes the chaincode TLS Secrets itself when it is the provider.
        let chaincode_tls = org.chaincode_tls && org.certificates.is_none();
        let mut cas = vec![CaRole::Identity, CaRole::Tls];
        if chaincode_tls {
            cas.push(CaRole::Chaincode);
        }
        orgs.push(OrgPlan { name: name.clone(), cas });
        org_identities(&mut secrets, name);
        for peer in &org.peers {
            node(&mut secrets, name, &peer.name, "peer", ns, peer.external.as_ref().map(|e| e.host.as_str()));
            if peer.couchdb {
                secrets.push(SecretPlan {
                    name: peer.couchdb_secret.clone(),
                    org: name.clone(),
                    content: Content::Login { username: "admin" },
                });
            }
        }
        if let Some(ca) = &org.ca {
            secrets.push(SecretPlan {
                name: ca.tls_secret.clone(),
                org: name.clone(),
                content: Content::Tls(leaf(&ca.name, name, None, service_dns_names(&ca.name, ns), SERVER), CaRole::Tls),
            });
            secrets.push(SecretPlan {
                name: ca.admin_secret.clone(),
                org: name.clone(),
                content: Content::Login { username: "admin" },
            });
        }
        if chaincode_tls {
            let deployments = network.chaincodes.iter().flat_map(|c| &c.deployments);
            for d in deployments.filter(|d| &d.org == name && d.tls) {
                // The names a peer dials (connection.json uses `<service>.<namespace>`).
                let dns = service_dns_names(&d.name, ns);
                secrets.push(SecretPlan {
                    name: d.tls_secret.clone(),
                    org: name.clone(),
                    content: Content::Tls(leaf(&d.name, name, None, dns, SERVER), CaRole::Chaincode),
                });
            }
            secrets.push(SecretPlan {
                name: org.chaincode_client_tls_secret.clone(),
                org: name.clone(),
                content: Content::Tls(
                    leaf(&format!("{name}-peer-chaincode-client"), name, None, Vec::new(), CLIENT),
                    CaRole::Chaincode,
                ),
            });
        }
    }
    Plan { orgs, secrets }
}

/// An MSP's `config.yaml`: NodeOUs on, every role identified by the org's CA as mounted at
/// `cacerts/cacert.pem`.
pub fn node_ou_config() -> String {
    let mut out = String::from("NodeOUs:\n  Enable: true\n");
    for (key, ou) in NODE_OUS {
        out.push_str(&format!(
            "  {key}:\n    Certificate: cacerts/cacert.pem\n    OrganizationalUnitIdentifier: {ou}\n"
        ));
    }
    out
}
