//! The ordering side of the model: the ordering organisations and their orderers, and for each
//! channel its consenters (the orderers of every ordering organisation it names) and the Jobs
//! that put it on them, one per ordering organisation, each as that organisation's admin: an
//! orderer's admin endpoint trusts only its own organisation's client certificates.

use super::fabric::{CONSENTERS_DIR, ORDERER_ADMIN_PORT, ORDERER_PORT, ORGANIZATIONS_DIR};
use super::network::{Orderer, OrdererJob, OrdererOrg, Storage};
use crate::spec::{ChannelSpec, NetworkSpec, names};

/// Every ordering organisation, in spec order. Consenter IDs (SmartBFT) number the orderers of
/// all of them from 1, in spec order, so an orderer has one ID in every channel.
pub fn orderer_orgs(spec: &NetworkSpec, host: &dyn Fn(&str, &str) -> String) -> Vec<OrdererOrg> {
    let reach = super::reach::Reach::of(spec);
    let ordering = spec.ordering_orgs();
    let several = ordering.len() > 1;
    let mut next_id = 1;
    ordering
        .into_iter()
        .map(|(_, org)| {
            let orderers = org
                .orderers
                .iter()
                .map(|o| {
                    let name = names::orderer(&o.name);
                    next_id += 1;
                    let external = reach.external(&org.name, &name, o.external_name.as_deref(), o.node_port);
                    let (advertised_host, advertised_port) = match &external {
                        Some(e) => (
                            e.host.clone(),
                            e.address.rsplit_once(':').and_then(|(_, p)| p.parse().ok()).unwrap_or(ORDERER_PORT),
                        ),
                        None => (host(&org.name, &name), ORDERER_PORT),
                    };
                    Orderer {
                        advertised_address: format!("{advertised_host}:{advertised_port}"),
                        advertised_host,
                        advertised_port,
                        external,
                        node_port: o.node_port,
                        external_service: names::external_service(&name),
                        consenter_identity: format!("{CONSENTERS_DIR}/{name}/cert.pem"),
                        consenter_id: next_id - 1,
                        address: format!("{}:{ORDERER_PORT}", host(&org.name, &name)),
                        admin_address: format!("{}:{ORDERER_ADMIN_PORT}", host(&org.name, &name)),
                        port: ORDERER_PORT,
                        consenter_cert: format!("{CONSENTERS_DIR}/{name}/tls.crt"),
                        host: host(&org.name, &name),
                        msp_secret: names::msp_secret(&name),
                        tls_secret: names::tls_secret(&name),
                        public_config_map: None,
                        name,
                    }
                })
                .collect();
            OrdererOrg {
                name: org.name.clone(),
                msp_id: org.msp_id.clone(),
                service_account: names::orderer_service_account(&org.name),
                storage: Storage::from(&org.storage),
                // One ordering org keeps the chart's `orderers.storage`; with several, each has
                // its own under `orgs.<org>.storage`.
                storage_knob: if several { format!("orgs.{}.storage", org.name) } else { "orderers.storage".into() },
                configtx_msp_dir: format!("{ORGANIZATIONS_DIR}/{}/msp", org.name),
                org_msp_secret: names::org_msp_secret(&org.name),
                admin_msp_secret: names::admin_msp_secret(&org.name),
                admin_tls_secret: names::admin_tls_secret(&org.name),
                public_config_map: None,
                exposure: reach.exposure(&org.name),
                orderers,
            }
        })
        .collect()
}

/// The Jobs putting `channel` on the orderers of each of its ordering organisations. With one
/// organisation, its Job does it all (`channel-<ch>-create`, making the genesis block when no
/// orderer has the channel). With several, the first (the creator) makes the genesis block
/// unless another organisation's orderer serves the channel already; every other one waits
/// until an orderer of another organisation serves the channel, fetches block 0 there, checks
/// it and joins its own orderers.
pub fn orderer_jobs(spec: &NetworkSpec, channel: &ChannelSpec, orgs: &[OrdererOrg]) -> Vec<OrdererJob> {
    let reach = &super::reach::Reach::of(spec);
    let ordering: Vec<&OrdererOrg> = spec
        .channel_ordering_orgs(channel)
        .into_iter()
        .filter_map(|o| orgs.iter().find(|m| m.name == o.name))
        .collect();
    ordering
        .iter()
        .enumerate()
        .map(|(i, org)| {
            let others = ordering.iter().filter(|o| o.name != org.name);
            OrdererJob {
                job: if i == 0 {
                    names::channel_create_job(&channel.name)
                } else {
                    names::channel_orderers_job(&channel.name, &org.name)
                },
                org: org.name.clone(),
                creator: i == 0,
                block_sources: others
                    .flat_map(|o| {
                        let ca = format!("{}/tlscacerts/tlscacert.pem", o.configtx_msp_dir);
                        o.orderers.iter().map(move |orderer| {
                            let at = reach.dial(&org.name, &o.name, &orderer.address, orderer.external.as_ref());
                            format!("{at}={ca}")
                        })
                    })
                    .collect(),
                own_consenters: org.orderers.iter().map(|o| o.advertised_host.clone()).collect(),
                ordering_msp_ids: ordering.iter().map(|o| o.msp_id.clone()).collect(),
                member_msp_ids: spec
                    .orgs
                    .iter()
                    .filter(|o| channel.orgs.contains(&o.name))
                    .map(|o| o.msp_id.clone())
                    .collect(),
            }
        })
        .collect()
}
