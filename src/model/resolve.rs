//! Resolution: a validated spec becomes the [`Network`] model. Every default is applied and
//! every name derived here (names from `crate::spec::names`), every chaincode package is built
//! (reading k8scc sources from disk), and the NetworkPolicies are computed last, from the
//! finished topology.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use base64::Engine;

use super::fabric::*;
use super::network::*;
use super::package::{self, CodeFile, Connection, Package, PackageMetadata};
use super::{policy, values};
use rayon::prelude::*;
use serde::Serialize;

use crate::spec::release::Release;
use crate::spec::{
    ChaincodeSpec, CollectionSpec, EndorsementPolicySpec, Language, Launcher, NetworkSpec, TlsProvider, names,
};

/// Resolves a validated spec into the model, building every chaincode package: the whole
/// network, every organisation's objects in the network's namespace.
pub fn resolve(spec: &NetworkSpec) -> Result<(Network, Vec<BuiltPackage>)> {
    resolve_in(spec, &|_| spec.namespace.clone(), BTreeMap::new())
}

/// Organisation `org`'s view of the network (`--org`): the network's namespace is `org`'s
/// ([`NetworkSpec::seen_by`]), and every other organisation's nodes are reached in their own
/// namespace (`<service>.<namespace>`). When organisations of `org`'s cluster run in several
/// namespaces, the model says which runs where, and the NetworkPolicies select each one's pods
/// in its namespace.
pub fn resolve_part(spec: &NetworkSpec, org: &str) -> Result<(Network, Vec<BuiltPackage>)> {
    let placements = spec.placements();
    let cluster = placements.iter().find(|p| p.org == org).map(|p| p.cluster);
    let neighbours: BTreeMap<String, String> = placements
        .iter()
        .filter(|p| Some(p.cluster) == cluster)
        .map(|p| (p.org.to_string(), spec.namespace_of(p.org).to_string()))
        .collect();
    let several = neighbours.values().any(|ns| Some(ns) != neighbours.values().next());
    let namespaces = if several { neighbours } else { BTreeMap::new() };
    let (mut network, packages) =
        resolve_in(&spec.seen_by(org), &|other| spec.namespace_of(other).to_string(), namespaces)?;
    // Each organisation's cluster holds its own admin only: the creator's part proposes and
    // submits, the others sign offline (`fabgen channel sign`).
    for channel in &mut network.channels {
        channel.update = super::channel_update::in_part_of(channel.update.take(), org, &spec.name);
    }
    Ok((network, packages))
}

/// [`resolve`] with `namespace_of(org)` the namespace of `org`'s nodes, and `namespaces` where
/// the organisations of this cluster run, when they run in several.
fn resolve_in(
    spec: &NetworkSpec,
    namespace_of: &(dyn Fn(&str) -> String + Sync),
    namespaces: BTreeMap<String, String>,
) -> Result<(Network, Vec<BuiltPackage>)> {
    let host = |org: &str, service: &str| format!("{service}.{}", namespace_of(org));
    let fabric = &spec.fabric;
    let release = crate::spec::release::release(&fabric.version).with_context(|| {
        format!("Fabric {} is not a release fabgen renders (validation refuses it)", fabric.version)
    })?;

    let orderer_orgs = super::ordering::orderer_orgs(spec, &host);

    let (chaincodes, packages, org_packages) = chaincodes(spec, &orderer_orgs, &host)?;
    let orgs = peer_orgs(spec, release, &chaincodes, org_packages, &host);

    let mut network = Network {
        name: spec.name.clone(),
        namespace: spec.namespace.clone(),
        namespaces,
        fabric_version: fabric.version.clone(),
        release: *release,
        labels: BTreeMap::from([
            ("app.kubernetes.io/managed-by".to_string(), "fabgen".to_string()),
            ("app.kubernetes.io/part-of".to_string(), spec.name.clone()),
        ]),
        values: values::defaults(spec),
        run_as_user: RUN_AS_USER,
        builder: Builder { name: BUILDER_NAME, path: BUILDER_PATH, package_type: PACKAGE_TYPE },
        configtx: (!spec.channels.is_empty()).then(|| {
            let bft = spec.consensus() == crate::spec::Consensus::Bft;
            Configtx {
                config_map: names::configtx_config_map(&spec.name),
                records: String::new(),
                orderer_type: if bft { "BFT" } else { "etcdraft" },
                smart_bft: if bft {
                    SMART_BFT_OPTIONS.iter().map(|(k, v)| (*k, v.to_string())).collect()
                } else {
                    Vec::new()
                },
            }
        }),
        orgs,
        channels: channels(spec, &orderer_orgs, &host),
        chaincodes,
        orderer_orgs,
        custody: None,
        job_waits: JobWaits::one_operator(),
        remote_ports: super::reach::Reach::of(spec).remote_ports(),
        network_policies: Vec::new(),
        disruption_budgets: Vec::new(),
        service_monitors: Vec::new(),
        network_policies_spec: spec.network_policies.clone(),
        pod_security: if spec.chaincodes.iter().any(|c| c.launcher == Launcher::K8scc) {
            "baseline"
        } else {
            "restricted"
        },
        k8scc: spec.launchers.k8scc.clone(),
        k8s_builder_start_timeout: spec.launchers.k8s_builder.start_timeout.clone(),
        tools_image: values::image_reference(&values::ImageValues {
            repository: fabric.tools_image.repository.clone(),
            tag: if fabric.tools_image.tag.is_empty() {
                fabric.version.clone()
            } else {
                fabric.tools_image.tag.clone()
            },
            digest: fabric.tools_image.digest.clone(),
            pull_policy: fabric.image_pull_policy,
        }),
        image_pull_policy: fabric.image_pull_policy,
        image_pull_secrets: fabric.image_pull_secrets.clone(),
    };
    network.network_policies = policy::policies(&network, &spec.network_policies);
    let bft = spec.consensus() == crate::spec::Consensus::Bft;
    network.disruption_budgets = super::budget::budgets(&network, bft);
    network.service_monitors = super::monitoring::service_monitors(&network, &spec.monitoring);
    let records = serde_json::to_string(&super::channel_record::records(&network))
        .context("failed to encode the channel records")?;
    if let Some(configtx) = network.configtx.as_mut() {
        configtx.records = records;
    }
    Ok((network, packages))
}

/// Every channel: members, ordering organisations, and the Jobs that create it and join the
/// members' peers.
fn channels(spec: &NetworkSpec, orderer_orgs: &[OrdererOrg], host: &dyn Fn(&str, &str) -> String) -> Vec<Channel> {
    spec.channels
        .iter()
        .map(|c| Channel {
            name: c.name.clone(),
            orgs: c.orgs.clone(),
            members: channel_members(spec, c).iter().map(|o| o.name.clone()).collect(),
            ordering: spec.channel_ordering_orgs(c).iter().map(|o| o.name.clone()).collect(),
            orderer_jobs: super::ordering::orderer_jobs(spec, c, orderer_orgs),
            joins: channel_members(spec, c).into_iter().map(|o| channel_join(spec, c, o, orderer_orgs, host)).collect(),
            update: super::channel_update::channel_update(spec, c, orderer_orgs),
        })
        .collect()
}

/// The Job joining `org`'s peers to `channel`: it fetches block 0 from the channel creator's
/// orderers and names every peer of the org as an anchor peer, at the address other
/// organisations reach it.
fn channel_join(
    spec: &NetworkSpec,
    channel: &crate::spec::ChannelSpec,
    org: &crate::spec::PeerOrgSpec,
    orderer_orgs: &[OrdererOrg],
    host: &dyn Fn(&str, &str) -> String,
) -> ChannelJoin {
    let reach = super::reach::Reach::of(spec);
    let creator =
        spec.channel_ordering_orgs(channel).first().and_then(|c| orderer_orgs.iter().find(|o| o.name == c.name));
    let services: Vec<(String, Option<&str>, Option<u16>)> =
        org.peers.iter().map(|p| (names::peer(&org.name, &p.name), p.external_name.as_deref(), p.node_port)).collect();
    ChannelJoin {
        job: names::channel_join_job(&channel.name, &org.name),
        org: org.name.clone(),
        msp_id: org.msp_id.clone(),
        peers: services.iter().map(|(s, _, _)| format!("{}:{PEER_PORT}", host(&org.name, s))).collect(),
        orderers: creator
            .iter()
            .flat_map(|creator| {
                creator.orderers.iter().map(|o| reach.dial(&org.name, &creator.name, &o.address, o.external.as_ref()))
            })
            .collect(),
        anchor_peers: services
            .iter()
            .map(|(s, name, node_port)| {
                reach
                    .external(&org.name, s, *name, *node_port)
                    .map_or_else(|| format!("{}:{PEER_PORT}", host(&org.name, s)), |e| e.address)
            })
            .collect(),
    }
}

/// Every chaincode with its packages (one per org that runs it) and lifecycle Jobs; also the
/// packages by org, for the orgs' packages ConfigMaps.
type ResolvedChaincodes = (Vec<Chaincode>, Vec<BuiltPackage>, BTreeMap<String, Vec<PackageRef>>);

/// Where `org`'s service `service` is reached (`<service>.<namespace>`), from any thread.
type Host<'a> = dyn Fn(&str, &str) -> String + Sync + 'a;

fn chaincodes(spec: &NetworkSpec, orderer_orgs: &[OrdererOrg], host: &Host) -> Result<ResolvedChaincodes> {
    // Each chaincode depends on the spec only: resolved in parallel (its packages too), kept in
    // the spec's order.
    let resolved: Vec<OneChaincode> =
        spec.chaincodes.par_iter().map(|cc| chaincode(spec, cc, orderer_orgs, host)).collect::<Result<_>>()?;
    let mut packages = Vec::new();
    let mut chaincodes = Vec::new();
    let mut org_packages: BTreeMap<String, Vec<PackageRef>> = BTreeMap::new();
    for one in resolved {
        chaincodes.push(one.chaincode);
        packages.extend(one.packages);
        for (org, package) in one.refs {
            org_packages.entry(org).or_default().push(package);
        }
    }
    Ok((chaincodes, packages, org_packages))
}

/// One chaincode, its packages, and each package as its org's ConfigMap lists it.
struct OneChaincode {
    chaincode: Chaincode,
    packages: Vec<BuiltPackage>,
    refs: Vec<(String, PackageRef)>,
}

fn chaincode(spec: &NetworkSpec, cc: &ChaincodeSpec, orderer_orgs: &[OrdererOrg], host: &Host) -> Result<OneChaincode> {
    let mut packages = Vec::new();
    let mut refs = Vec::new();
    let label = cc.label.clone().unwrap_or_else(|| format!("{}_{}", cc.name, cc.version));
    let orgs = spec.chaincode_orgs(cc);
    // Launcher packages do not depend on the org: one package, one ID, for every org.
    let shared = match cc.launcher {
        Launcher::Ccaas => None,
        Launcher::K8scc => Some(source_package(spec, cc, &label)?),
        Launcher::K8sBuilder => Some(k8s_package(cc, &label)?),
    };
    let mut deployments = Vec::new();
    let mut package_ids = BTreeMap::new();
    let addresses: Vec<String> =
        orgs.iter().map(|org| format!("{}:{}", host(org, &names::chaincode(&cc.name, org)), cc.port)).collect();
    // A chaincode run as a service has one package per org (its address differs), built
    // in parallel.
    let built: Vec<Package> = match &shared {
        Some(p) => vec![p.clone(); orgs.len()],
        None => addresses.par_iter().map(|address| service_package(cc, &label, address)).collect::<Result<_>>()?,
    };
    let msp_ids: BTreeMap<&str, &str> = spec.orgs.iter().map(|o| (o.name.as_str(), o.msp_id.as_str())).collect();
    for ((org, address), built) in orgs.iter().zip(addresses).zip(built) {
        let msp_id = msp_ids.get(org.as_str()).expect("validated org reference");
        let name = names::chaincode(&cc.name, org);
        let file = names::package_file(&cc.name, org);
        refs.push((
            org.clone(),
            PackageRef {
                chaincode: cc.name.clone(),
                file: file.clone(),
                id: built.id.clone(),
                base64: base64::engine::general_purpose::STANDARD.encode(&built.bytes),
            },
        ));
        package_ids.insert(org.clone(), built.id.clone());
        if cc.launcher == Launcher::Ccaas {
            deployments.push(ChaincodeDeployment {
                service_account: names::chaincode_service_account(&cc.name, org),
                chaincode: cc.name.clone(),
                org: org.clone(),
                msp_id: msp_id.to_string(),
                port: cc.port,
                address,
                package_id: built.id.clone(),
                package_file: file.clone(),
                replicas: cc.replicas,
                tls: cc.tls,
                tls_secret: names::chaincode_tls_secret(&cc.name, org),
                name,
            });
        }
        packages.push(BuiltPackage { org: org.clone(), chaincode: cc.name.clone(), file, package: built });
    }
    let definition = definition(cc, &package_ids)?;
    let lifecycle = lifecycle_jobs(spec, cc, &orgs, &definition, orderer_orgs, host)?;
    let chaincode = Chaincode {
        name: cc.name.clone(),
        version: cc.version.clone(),
        label,
        channel: cc.channel.clone(),
        ordering_org: spec
            .channels
            .iter()
            .find(|c| c.name == cc.channel)
            .and_then(|c| spec.channel_ordering_orgs(c).first().map(|o| o.name.clone()))
            .context("validated: a chaincode's channel has an ordering organisation")?,
        init_required: cc.init_required,
        launcher: cc.launcher,
        orgs,
        package_ids,
        deployments,
        definition,
        init_input: serde_json::to_string(&serde_json::json!({ "Args": cc.init_args }))
            .context("failed to encode the init arguments")?,
        lifecycle,
    };
    Ok(OneChaincode { chaincode, packages, refs })
}

/// The package of a chaincode run as a service at `address`: its `connection.json` only. Mutual
/// TLS or none; the builder adds the PEM material on the peer, so the package (and its ID)
/// never depends on a certificate.
fn service_package(cc: &ChaincodeSpec, label: &str, address: &str) -> Result<Package> {
    let connection =
        Connection { address, dial_timeout: &cc.dial_timeout, tls_required: cc.tls, client_auth_required: cc.tls };
    let metadata = PackageMetadata { path: "", kind: PACKAGE_TYPE, label };
    let conn = package::connection_json(&connection)?;
    package::build(&metadata, &[CodeFile::new("connection.json", conn)])
}

/// Every peer organisation, with its peers, CA, packages, launchers and chaincode TLS.
fn peer_orgs(
    spec: &NetworkSpec,
    release: &Release,
    chaincodes: &[Chaincode],
    mut org_packages: BTreeMap<String, Vec<PackageRef>>,
    host: &dyn Fn(&str, &str) -> String,
) -> Vec<Org> {
    let reach = super::reach::Reach::of(spec);
    spec.orgs
        .iter()
        .map(|org| {
            let peer_names: Vec<String> = org.peers.iter().map(|p| names::peer(&org.name, &p.name)).collect();
            let peers = org
                .peers
                .iter()
                .zip(&peer_names)
                .map(|(p, name)| {
                    let others: Vec<String> = peer_names
                        .iter()
                        .filter(|n| *n != name)
                        .map(|n| format!("{}:{PEER_PORT}", host(&org.name, n)))
                        .collect();
                    let address = format!("{}:{PEER_PORT}", host(&org.name, name));
                    let external = reach.external(&org.name, name, p.external_name.as_deref(), p.node_port);
                    Peer {
                        short_name: p.name.clone(),
                        host: host(&org.name, name),
                        advertised_address: external.as_ref().map_or_else(|| address.clone(), |e| e.address.clone()),
                        external,
                        node_port: p.node_port,
                        external_service: names::external_service(name),
                        address,
                        chaincode_address: format!("{}:{PEER_CHAINCODE_PORT}", host(&org.name, name)),
                        // Elect a leader among org-mates only where blocks gossip to the others.
                        gossip_leader_election: !others.is_empty() && release.block_gossip,
                        gossip_bootstrap: (!others.is_empty()).then(|| others.join(" ")),
                        couchdb: p.couchdb,
                        msp_secret: names::msp_secret(name),
                        tls_secret: names::tls_secret(name),
                        couchdb_secret: names::couchdb_secret(name),
                        k8s_builder_prefix: names::k8s_builder_prefix(name),
                        name: name.clone(),
                    }
                })
                .collect();
            let packages = org_packages.remove(&org.name).unwrap_or_default();
            let tls_deployments: Vec<&ChaincodeDeployment> = chaincodes
                .iter()
                .flat_map(|c: &Chaincode| &c.deployments)
                .filter(|d| d.org == org.name && d.tls)
                .collect();
            let chaincode_tls = !tls_deployments.is_empty();
            let certificates = (chaincode_tls && spec.chaincode_tls.provider == TlsProvider::CertManager)
                .then(|| org_certificates(&org.name, &tls_deployments, spec));
            let uses = |launcher: Launcher| {
                chaincodes.iter().any(|c: &Chaincode| c.launcher == launcher && c.orgs.contains(&org.name))
            };
            let k8scc = uses(Launcher::K8scc).then(|| OrgK8scc {
                config_map: names::k8scc_config_map(&org.name),
                transfer_claim: names::k8scc_transfer_claim(&org.name),
                role: names::launcher_role(&org.name, "k8scc"),
                images: build_images(&spec.fabric.version, release),
            });
            let k8s_builder = uses(Launcher::K8sBuilder).then(|| OrgK8sBuilder {
                namespace: names::chaincode_namespace(&spec.namespace, &org.name),
                job_service_account: names::chaincode_job_service_account(&org.name),
                role: names::launcher_role(&org.name, "k8s-builder"),
            });
            Org {
                name: org.name.clone(),
                msp_id: org.msp_id.clone(),
                storage: Storage::from(&org.storage),
                peer_service_account: names::peer_service_account(&org.name),
                builder_config_map: names::builder_config_map(&org.name),
                peer_config_map: names::peer_config_map(&org.name),
                packages_config_map: (!packages.is_empty()).then(|| names::packages_config_map(&org.name)),
                external_builders: external_builders(k8scc.is_some(), k8s_builder.is_some()),
                peers,
                exposure: reach.exposure(&org.name),
                ca: org.ca.then(|| Ca {
                    name: names::ca(&org.name),
                    service_account: names::ca_service_account(&org.name),
                    data_claim: names::ca_data_claim(&org.name),
                    admin_secret: names::ca_admin_secret(&org.name),
                    tls_secret: names::tls_secret(&names::ca(&org.name)),
                }),
                channel_labels: spec
                    .channels
                    .iter()
                    .filter(|c| c.orgs.contains(&org.name))
                    .map(|c| (policy::channel_label(&c.name), "member".to_string()))
                    .collect(),
                channels: spec.channels.iter().filter(|c| c.orgs.contains(&org.name)).map(|c| c.name.clone()).collect(),
                configtx_msp_dir: format!("{ORGANIZATIONS_DIR}/{}/msp", org.name),
                org_msp_secret: names::org_msp_secret(&org.name),
                admin_msp_secret: names::admin_msp_secret(&org.name),
                public_config_map: None,
                packages,
                chaincode_tls,
                chaincode_client_tls_secret: names::chaincode_client_tls_secret(&org.name),
                certificates,
                api_access: k8scc.is_some() || k8s_builder.is_some(),
                peer_image_knob: if k8s_builder.is_some() { "launchers.k8sBuilder.peerImage" } else { "peers.image" },
                k8scc,
                k8s_builder,
            }
        })
        .collect()
}

/// The definition the lifecycle Jobs approve and commit.
fn definition(cc: &ChaincodeSpec, package_ids: &BTreeMap<String, String>) -> Result<Definition> {
    let (signature_policy, channel_config_policy) = endorsement_flags(cc.endorsement_policy.as_ref());
    let collections = if cc.collections.is_empty() {
        None
    } else {
        let entries: Vec<CollectionConfig<'_>> = cc.collections.iter().map(CollectionConfig::from).collect();
        Some(serde_json::to_string(&entries).context("failed to encode the collections config")?)
    };
    Ok(Definition {
        channel: cc.channel.clone(),
        name: cc.name.clone(),
        version: cc.version.clone(),
        sequence: cc.sequence,
        init_required: cc.init_required,
        signature_policy,
        channel_config_policy,
        collections,
        package_ids: package_ids.clone(),
    })
}

/// (`--signature-policy`, `--channel-config-policy`) of an endorsement policy.
fn endorsement_flags(policy: Option<&EndorsementPolicySpec>) -> (Option<String>, Option<String>) {
    match policy {
        None => (None, None),
        Some(EndorsementPolicySpec::SignaturePolicy(p)) => (Some(p.clone()), None),
        Some(EndorsementPolicySpec::ChannelConfigPolicy(p)) => (None, Some(p.clone())),
    }
}

/// One entry of `--collections-config`, with the field names and types of fabric
/// internal/peer/chaincode/common.go `collectionConfigJson`. Every field is written, so the
/// CLI's defaults for missing ones (0 required, 1 max, not member-only) never apply silently.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CollectionConfig<'a> {
    name: &'a str,
    policy: &'a str,
    required_peer_count: u32,
    max_peer_count: u32,
    block_to_live: u64,
    member_only_read: bool,
    member_only_write: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    endorsement_policy: Option<CollectionEndorsement>,
}

/// `endorsementPolicy` of a collection: exactly one of the two.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CollectionEndorsement {
    #[serde(skip_serializing_if = "Option::is_none")]
    signature_policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel_config_policy: Option<String>,
}

impl<'a> From<&'a CollectionSpec> for CollectionConfig<'a> {
    fn from(c: &'a CollectionSpec) -> Self {
        CollectionConfig {
            name: &c.name,
            policy: &c.policy,
            required_peer_count: c.required_peer_count,
            max_peer_count: c.max_peer_count,
            block_to_live: c.block_to_live,
            member_only_read: c.member_only_read,
            member_only_write: c.member_only_write,
            endorsement_policy: c.endorsement_policy.as_ref().map(|p| {
                let (signature_policy, channel_config_policy) = endorsement_flags(Some(p));
                CollectionEndorsement { signature_policy, channel_config_policy }
            }),
        }
    }
}

/// A channel's member orgs, in spec order (not the channel's own order: configtx and the Jobs
/// list orgs as the network does).
fn channel_members<'a>(spec: &'a NetworkSpec, channel: &crate::spec::ChannelSpec) -> Vec<&'a crate::spec::PeerOrgSpec> {
    spec.orgs.iter().filter(|o| channel.orgs.contains(&o.name)).collect()
}

/// One lifecycle Job per channel member, in spec order: members that run the chaincode install
/// and approve their package, the others approve without one (their approval counts towards
/// the channel's LifecycleEndorsement majority), and the first org that runs it commits:
/// endorsed by a peer of every member, then, with `initRequired`, the init invocation endorsed
/// by a peer of every org that runs it.
fn lifecycle_jobs(
    spec: &NetworkSpec,
    cc: &ChaincodeSpec,
    running: &[String],
    definition: &Definition,
    orderer_orgs: &[OrdererOrg],
    host: &dyn Fn(&str, &str) -> String,
) -> Result<Vec<LifecycleJob>> {
    let package_ids = &definition.package_ids;
    let channel = spec.channels.iter().find(|c| c.name == cc.channel).expect("validated channel reference");
    let members = channel_members(spec, channel);
    let reach = super::reach::Reach::of(spec);
    let peers_of = |org: &crate::spec::PeerOrgSpec| -> Vec<String> {
        org.peers.iter().map(|p| format!("{}:{PEER_PORT}", host(&org.name, &names::peer(&org.name, &p.name)))).collect()
    };
    let committer = members.iter().find(|o| running.contains(&o.name)).map(|o| o.name.clone());
    // One peer of `org`, as the committer's pod dials it, with the org's TLS CA.
    let endpoint = |org: &crate::spec::PeerOrgSpec| {
        let peer = &org.peers[0];
        let service = names::peer(&org.name, &peer.name);
        let external = reach.external(&org.name, &service, peer.external_name.as_deref(), peer.node_port);
        let from = committer.as_deref().unwrap_or(&org.name);
        let address = reach.dial(from, &org.name, &peers_of(org)[0], external.as_ref());
        let tls_root_cert = format!("{ORGANIZATIONS_DIR}/{}/msp/tlscacerts/tlscacert.pem", org.name);
        PeerEndpoint { pair: format!("{address}={tls_root_cert}"), address, tls_root_cert }
    };
    // The channel creator's orderers, where the Jobs send transactions.
    let creator =
        spec.channel_ordering_orgs(channel).first().and_then(|c| orderer_orgs.iter().find(|o| o.name == c.name));
    let orderers_from = |org: &str| -> Vec<String> {
        creator
            .iter()
            .flat_map(|c| c.orderers.iter().map(|o| reach.dial(org, &c.name, &o.address, o.external.as_ref())))
            .collect()
    };
    members
        .iter()
        .map(|org| {
            let package = package_ids.get(&org.name).map(|id| LifecyclePackage {
                id: id.clone(),
                file: names::package_file(&cc.name, &org.name),
                config_map: names::packages_config_map(&org.name),
            });
            let commit = (committer.as_ref() == Some(&org.name)).then(|| LifecycleCommit {
                endorsers: members.iter().map(|o| endpoint(o)).collect(),
                init_endorsers: members.iter().filter(|o| running.contains(&o.name)).map(|o| endpoint(o)).collect(),
                orgs: members.iter().map(|o| o.name.clone()).collect(),
            });
            let approved = Definition {
                package_ids: package_ids
                    .get_key_value(&org.name)
                    .map(|(o, id)| (o.clone(), id.clone()))
                    .into_iter()
                    .collect(),
                ..definition.clone()
            };
            Ok(LifecycleJob {
                job: if package.is_some() {
                    names::chaincode_lifecycle_job(&cc.name, &org.name)
                } else {
                    names::chaincode_approve_job(&cc.name, &org.name)
                },
                org: org.name.clone(),
                msp_id: org.msp_id.clone(),
                peers: peers_of(org),
                orderers: orderers_from(&org.name),
                package,
                commit,
                definition_json: serde_json::to_string(&approved).context("failed to encode a chaincode definition")?,
            })
        })
        .collect()
}

/// The source package k8scc builds: `metadata.json` type = the language; `path` = the Go
/// module path (module mode) or, for Node and Java, the source path as given, as
/// `peer lifecycle chaincode package` writes them.
fn source_package(spec: &NetworkSpec, cc: &ChaincodeSpec, label: &str) -> Result<package::Package> {
    let source = cc.source.as_ref().expect("validated: k8scc chaincodes have a source");
    let base = spec.base_dir.as_deref().context("a k8scc chaincode's source is read relative to the spec file")?;
    let dir = base.join(&source.path);
    let files = package::source_files(&dir, source.language)
        .with_context(|| format!("failed to package chaincode {}", cc.name))?;
    let path = match source.language {
        Language::Golang => {
            let go_mod = std::fs::read_to_string(dir.join("go.mod"))
                .with_context(|| format!("failed to read {}", dir.join("go.mod").display()))?;
            package::go_module_path(&go_mod)
                .with_context(|| format!("{} names no module", dir.join("go.mod").display()))?
        }
        Language::Node | Language::Java => source.path.clone(),
    };
    let metadata = PackageMetadata { path: &path, kind: source.language.as_str(), label };
    package::build(&metadata, &files)
}

/// The fabric-builder-k8s package: `image.json` naming the image by digest.
fn k8s_package(cc: &ChaincodeSpec, label: &str) -> Result<package::Package> {
    let image = cc.image.as_deref().expect("validated: k8s-builder chaincodes have an image");
    let (name, digest) = image.rsplit_once('@').expect("validated: pinned by digest");
    let name = name.rsplit_once(':').filter(|(_, tag)| !tag.contains('/')).map_or(name, |(n, _)| n);
    let image_json = serde_json::to_vec(&package::K8sImage { name, digest })?;
    let metadata = PackageMetadata { path: "", kind: "k8s", label };
    package::build(&metadata, &[CodeFile::new("image.json", image_json)])
}

/// The cert-manager objects that create an org's chaincode TLS Secrets: a server certificate
/// per chaincode Deployment (its Service names as SANs) and a client certificate for the
/// org's peers, all from one issuer, so each Secret's `ca.crt` verifies the other side.
fn org_certificates(org: &str, deployments: &[&ChaincodeDeployment], spec: &NetworkSpec) -> OrgCertificates {
    let ns = &spec.namespace;
    let mut certificates: Vec<CertificateModel> = deployments
        .iter()
        .map(|d| CertificateModel {
            name: d.tls_secret.clone(),
            common_name: d.name.clone(),
            dns_names: vec![d.name.clone(), format!("{}.{ns}", d.name), format!("{}.{ns}.svc", d.name)],
            usages: vec!["server auth", "digital signature", "key encipherment"],
        })
        .collect();
    certificates.push(CertificateModel {
        name: names::chaincode_client_tls_secret(org),
        common_name: format!("{org}-peer-chaincode-client"),
        dns_names: vec![],
        usages: vec!["client auth", "digital signature", "key encipherment"],
    });
    match &spec.chaincode_tls.issuer {
        Some(issuer) => OrgCertificates {
            issuer_name: issuer.name.clone(),
            issuer_kind: format!("{:?}", issuer.kind),
            selfsigned_issuer: None,
            ca_certificate: None,
            certificates,
        },
        None => OrgCertificates {
            issuer_name: names::chaincode_ca(org),
            issuer_kind: "Issuer".to_string(),
            selfsigned_issuer: Some(names::chaincode_selfsigned_issuer(org)),
            ca_certificate: Some(names::chaincode_ca(org)),
            certificates,
        },
    }
}

/// k8scc's build images: Fabric's Go build image of the Fabric line in use, and the Java and
/// Node.js ones of the tag the release's core.yaml names (docs/launcher-facts.md A6: javaenv and
/// nodeenv are published under two-digit tags only).
fn build_images(fabric_version: &str, release: &Release) -> BTreeMap<&'static str, String> {
    let two_digit: String = fabric_version.split('.').take(2).collect::<Vec<_>>().join(".");
    BTreeMap::from([
        ("golang", format!("hyperledger/fabric-ccenv:{two_digit}")),
        ("java", format!("hyperledger/fabric-javaenv:{}", release.java_node_env_tag)),
        ("node", format!("hyperledger/fabric-nodeenv:{}", release.java_node_env_tag)),
    ])
}

/// The builders an org's peers list, in detection order: fabgen's and Fabric's
/// `ccaas_builder` always (they need nothing from the cluster; `ccaas_builder` keeps standard
/// `ccaas` packages installable), a launcher only where one of the org's chaincodes uses it.
/// Package types are disjoint, so the order only decides who is asked first. A builder sees
/// only the variables named here (plus PATH, LD_LIBRARY_PATH, LIBPATH, TMPDIR).
fn external_builders(k8scc: bool, k8s_builder: bool) -> Vec<ExternalBuilder> {
    let mut out = vec![ExternalBuilder {
        name: BUILDER_NAME,
        path: BUILDER_PATH,
        propagate_environment: vec![CHAINCODE_TLS_DIR_ENV],
    }];
    if k8scc {
        // hlfabric-k8scc core.yaml.patch; K8SCC_CFGFILE defaults to a relative path.
        out.push(ExternalBuilder {
            name: "k8scc",
            path: K8SCC_BUILDER_PATH,
            propagate_environment: vec!["KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT", "K8SCC_CFGFILE"],
        });
    }
    if k8s_builder {
        out.push(ExternalBuilder {
            name: "k8s_builder",
            path: K8S_BUILDER_PATH,
            propagate_environment: vec![
                "CORE_PEER_ID",
                "KUBERNETES_SERVICE_HOST",
                "KUBERNETES_SERVICE_PORT",
                "FABRIC_K8S_BUILDER_NAMESPACE",
                "FABRIC_K8S_BUILDER_SERVICE_ACCOUNT",
                "FABRIC_K8S_BUILDER_OBJECT_NAME_PREFIX",
                "FABRIC_K8S_BUILDER_START_TIMEOUT",
            ],
        });
    }
    out.push(ExternalBuilder {
        name: "ccaas_builder",
        path: CCAAS_BUILDER_PATH,
        propagate_environment: vec!["CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG"],
    });
    out
}
