//! Rules of the ordering organisations (`ordererOrg`, or `ordererOrgs` when several run the
//! ordering service) and of the consenters each channel gets from them.

use super::super::names;
use super::super::types::{Consensus, NetworkSpec};
use super::{Diagnostic, Validator, index_path, known_list};

/// A consensus as configtx.yaml spells it.
fn consensus_name(consensus: Consensus) -> &'static str {
    match consensus {
        Consensus::Etcdraft => "etcdraft",
        Consensus::Bft => "BFT",
    }
}

impl Validator {
    /// One form or the other, each organisation's own rules, names unique across all of them,
    /// and one consensus.
    pub(super) fn ordering_orgs(&mut self, spec: &NetworkSpec) {
        match (&spec.orderer_org, &spec.orderer_orgs) {
            (Some(_), Some(_)) => self.diagnostics.push(Diagnostic::at_key(
                "ordererOrgs",
                "give ordererOrg (one ordering organisation) or ordererOrgs (several), not both",
            )),
            (None, None) => self.error("", "missing ordererOrg (or ordererOrgs, for several ordering organisations)"),
            (None, Some(orgs)) if orgs.is_empty() => {
                self.error("ordererOrgs", "at least one ordering organisation is needed")
            }
            _ => {}
        }
        let orgs = spec.ordering_orgs();
        let mut orderers: Vec<&str> = Vec::new();
        for (i, (path, org)) in orgs.iter().enumerate() {
            self.dns1123(&format!("{path}.name"), &org.name, "organisation name");
            if orgs[..i].iter().any(|(_, o)| o.name == org.name) {
                self.error(&format!("{path}.name"), format!("ordering organisation \"{}\" is listed twice", org.name));
            }
            self.msp_id(&format!("{path}.mspId"), &org.msp_id);
            if let Some((other, _)) = orgs[..i].iter().find(|(_, o)| o.msp_id == org.msp_id) {
                self.error(&format!("{path}.mspId"), format!("MSP ID \"{}\" is already used by {other}", org.msp_id));
            }
            self.storage(&format!("{path}.storage"), &org.storage.size, org.storage.storage_class.as_deref());
            if i > 0 && org.consensus != orgs[0].1.consensus {
                self.error(
                    &format!("{path}.consensus"),
                    format!(
                        "every ordering organisation runs one consensus: {} has {}, this one {}",
                        orgs[0].0,
                        consensus_name(orgs[0].1.consensus),
                        consensus_name(org.consensus)
                    ),
                );
            }
            self.orderers(path, org, &mut orderers);
        }
    }

    /// An organisation's orderers: at least one, names unique across every ordering
    /// organisation (each is a Service of the namespace), derived names valid.
    fn orderers<'a>(&mut self, path: &str, org: &'a super::super::types::OrdererOrgSpec, seen: &mut Vec<&'a str>) {
        if org.orderers.is_empty() {
            self.error(&format!("{path}.orderers"), "at least one orderer is needed");
        }
        self.unique(&format!("{path}.orderers"), org.orderers.iter().map(|o| o.name.as_str()), "orderer");
        for (i, o) in org.orderers.iter().enumerate() {
            let at = format!("{path}.orderers[{i}].name");
            // A bad or duplicate name is reported once, not again for every name derived from it.
            if !self.dns1035(&at, &o.name, "orderer name") || org.orderers[..i].iter().any(|p| p.name == o.name) {
                continue;
            }
            if seen.contains(&o.name.as_str()) {
                self.error(&at, format!("orderer \"{}\" is also an orderer of another ordering organisation", o.name));
                continue;
            }
            let name = names::orderer(&o.name);
            self.statefulset(&at, &name);
            self.service(&at, &name);
            self.derived(&at, &names::orderer_service_account(&org.name));
            self.derived(&at, &names::msp_secret(&name));
            self.derived(&at, &names::tls_secret(&name));
        }
        seen.extend(org.orderers.iter().map(|o| o.name.as_str()));
    }

    /// `channels[].ordererOrgs` names known ordering organisations, once each; with BFT every
    /// channel has at least 4 consenters (3f + 1 tolerate f faulty ones).
    pub(super) fn channel_consenters(&mut self, spec: &NetworkSpec) {
        let known: Vec<&str> = spec.ordering_orgs().into_iter().map(|(_, o)| o.name.as_str()).collect();
        for (i, channel) in spec.channels.iter().enumerate() {
            let path = index_path("channels", i);
            let Some(names) = &channel.orderer_orgs else { continue };
            if names.is_empty() {
                self.error(&format!("{path}.ordererOrgs"), "a channel needs at least one ordering organisation");
            }
            self.unique(&format!("{path}.ordererOrgs"), names.iter().map(String::as_str), "ordering organisation");
            for (j, name) in names.iter().enumerate() {
                if !known.contains(&name.as_str()) {
                    self.error(
                        &format!("{path}.ordererOrgs[{j}]"),
                        format!("unknown ordering organisation \"{name}\" ({})", known_list(known.iter().copied())),
                    );
                }
            }
        }
        if spec.consensus() != Consensus::Bft || spec.orderer_org.is_some() {
            return;
        }
        for (i, channel) in spec.channels.iter().enumerate() {
            // A channel naming an unknown ordering organisation is reported as that.
            if channel.orderer_orgs.iter().flatten().any(|n| !known.contains(&n.as_str())) {
                continue;
            }
            let n: usize = spec.channel_ordering_orgs(channel).iter().map(|o| o.orderers.len()).sum();
            if n < 4 {
                let at = if channel.orderer_orgs.is_some() { "ordererOrgs" } else { "name" };
                self.error(
                    &format!("{}.{at}", index_path("channels", i)),
                    format!(
                        "BFT needs at least 4 consenters (3f + 1 nodes tolerate f faulty ones); channel \"{}\" has {n}",
                        channel.name
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// Every problem of a spec whose ordering part is `ordering` (and channels `channels`).
    fn problems(ordering: &str, channels: &str) -> Vec<String> {
        let text = format!(
            "name: n\nnamespace: n\nfabric: {{version: 3.1.1, toolsImage: {{repository: r/tools, tag: \"3.1.1\"}}}}\n{ordering}\norgs:\n  - {{name: org1, mspId: Org1MSP, peers: [{{name: peer0}}]}}\nchannels:\n{channels}"
        );
        super::super::problems_of(&text)
    }

    const TWO: &str = "ordererOrgs:\n  - {name: a, mspId: AMSP, orderers: [{name: o0}, {name: o1}]}\n  - {name: b, mspId: BMSP, orderers: [{name: o2}, {name: o3}]}";
    const ONE_CHANNEL: &str = "  - {name: ch, orgs: [org1]}\n";

    #[test]
    fn accepts_several_ordering_orgs_and_channels_that_name_some() {
        assert_eq!(problems(TWO, ONE_CHANNEL), Vec::<String>::new());
        assert_eq!(problems(TWO, "  - {name: ch, orgs: [org1], ordererOrgs: [b]}\n"), Vec::<String>::new());
    }

    #[test]
    fn one_form_or_the_other() {
        let both = format!("ordererOrg: {{name: c, mspId: CMSP, orderers: [{{name: o9}}]}}\n{TWO}");
        assert_eq!(
            problems(&both, ONE_CHANNEL),
            ["ordererOrgs: give ordererOrg (one ordering organisation) or ordererOrgs (several), not both"]
        );
        assert_eq!(
            problems("", ONE_CHANNEL),
            [": missing ordererOrg (or ordererOrgs, for several ordering organisations)"]
        );
        assert_eq!(
            problems("ordererOrgs: []", ONE_CHANNEL),
            ["ordererOrgs: at least one ordering organisation is needed"]
        );
    }

    #[test]
    fn names_msp_ids_and_consensus_are_checked_across_ordering_orgs() {
        let clash = "ordererOrgs:\n  - {name: a, mspId: AMSP, orderers: [{name: o0}]}\n  - {name: a, mspId: AMSP, consensus: BFT, orderers: [{name: o0}]}";
        let found = problems(clash, ONE_CHANNEL);
        for want in [
            "ordererOrgs[1].name: ordering organisation \"a\" is listed twice",
            "ordererOrgs[1].mspId: MSP ID \"AMSP\" is already used by ordererOrgs[0]",
            "ordererOrgs[1].consensus: every ordering organisation runs one consensus: ordererOrgs[0] has etcdraft, this one BFT",
            "ordererOrgs[1].orderers[0].name: orderer \"o0\" is also an orderer of another ordering organisation",
        ] {
            assert!(found.iter().any(|f| f == want), "{want}\nin {found:?}");
        }
    }

    #[test]
    fn channels_name_known_ordering_orgs_and_bft_channels_have_four_consenters() {
        let found = problems(TWO, "  - {name: ch, orgs: [org1], ordererOrgs: [b, c, b]}\n");
        assert!(
            found
                .contains(&"channels[0].ordererOrgs[1]: unknown ordering organisation \"c\" (known: a, b)".to_string()),
            "{found:?}"
        );
        assert!(
            found.contains(&"channels[0].ordererOrgs[2]: duplicate ordering organisation \"b\"".to_string()),
            "{found:?}"
        );
        let bft = TWO
            .replace("orderers: [{name: o0}", "consensus: BFT, orderers: [{name: o0}")
            .replace("orderers: [{name: o2}", "consensus: BFT, orderers: [{name: o2}");
        assert_eq!(problems(&bft, ONE_CHANNEL), Vec::<String>::new(), "2 + 2 consenters");
        assert_eq!(
            problems(&bft, "  - {name: ch, orgs: [org1], ordererOrgs: [a]}\n"),
            [
                "channels[0].ordererOrgs: BFT needs at least 4 consenters (3f + 1 nodes tolerate f faulty ones); channel \"ch\" has 2"
            ]
        );
    }
}
