//! Rules a JSON Schema cannot express: unique names, references that resolve, Kubernetes name
//! rules on every derived name, Fabric's own naming rules, quantities and durations.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;

use std::path::{Path, PathBuf};

use super::diagnostic::{Diagnostic, known_list};

mod clusters;
mod namespaces;
mod ordering;
mod placement;

/// Every problem of the spec `text`, as `path: message` (none when it loads).
#[cfg(test)]
fn problems_of(text: &str) -> Vec<String> {
    match super::load_spec("n.yaml", text) {
        Ok(_) => Vec::new(),
        Err(e) => e.located().iter().map(|l| format!("{}: {}", l.path, l.message)).collect(),
    }
}
use super::names;
use super::policy_dsl;
use super::source_map::{field_path, index_path};
use super::types::{
    ChaincodeSpec, ChannelSpec, EndorsementPolicySpec, ImageSpec, Language, Launcher, NetworkSpec, ResourcesSpec,
    TlsProvider,
};

/// RFC 1123 label: what namespaces and most object names must be.
static DNS1123_LABEL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$").unwrap());
/// RFC 1035 label: what Service names must be (starts with a letter).
static DNS1035_LABEL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z]([-a-z0-9]*[a-z0-9])?$").unwrap());
/// Fabric package label rule, `persistence.LabelRegexp` in fabric core/chaincode/persistence.
static FABRIC_LABEL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[[:alnum:]][[:alnum:]_.+-]*$").unwrap());
/// Chaincode name rule of the lifecycle (`ChaincodeNameRegExp`, fabric core/chaincode/lifecycle).
static FABRIC_CC_NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*$").unwrap());
/// Chaincode version rule of the lifecycle (`ChaincodeVersionRegExp`).
static FABRIC_CC_VERSION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Za-z0-9_.+-]+$").unwrap());
/// Channel name rule (fabric common/configtx `validateChannelID`): at most 249 characters.
static CHANNEL_NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z][a-z0-9.-]*$").unwrap());
/// MSP IDs end up in env values and in the policies of configtx.yaml and chaincode
/// definitions, whose principals allow `[[:alnum:].-]` only (fabric common/policydsl
/// policyparser.go), so no `_`.
static MSP_ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Za-z0-9][A-Za-z0-9.-]*$").unwrap());
/// Collection names (`collectionNameRegExp`, fabric core/chaincode/lifecycle/scc.go), with a
/// letter or digit first: the peer accepts a leading '-', but it names nothing sensibly.
static COLLECTION_NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Za-z0-9][A-Za-z0-9_-]*$").unwrap());
/// Go `time.ParseDuration` syntax, as the peer parses `dial_timeout`.
static GO_DURATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$").unwrap());
/// Environment variable names Kubernetes and shells accept.
static ENV_NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*$").unwrap());
static DIGEST: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^sha256:[a-f0-9]{64}$").unwrap());

/// Env names fabgen sets on chaincode containers; a user value would silently fight them.
pub const RESERVED_CHAINCODE_ENV: &[&str] = &[
    "CHAINCODE_ID",
    "CORE_CHAINCODE_ID_NAME",
    "CORE_CHAINCODE_ID",
    "CHAINCODE_SERVER_ADDRESS",
    "CORE_CHAINCODE_ADDRESS",
    "CORE_PEER_LOCALMSPID",
    "CHAINCODE_TLS_DISABLED",
    "CHAINCODE_TLS_KEY",
    "CHAINCODE_TLS_CERT",
    "CHAINCODE_CLIENT_CA_CERT",
    "CORE_CHAINCODE_TLS_CERT_FILE",
    "CORE_CHAINCODE_TLS_KEY_FILE",
    "CORE_CHAINCODE_TLS_CLIENT_CACERT_FILE",
    "CORE_PEER_TLS_ENABLED",
    "CORE_TLS_CLIENT_KEY_FILE",
    "CORE_TLS_CLIENT_CERT_FILE",
    "CORE_PEER_TLS_ROOTCERT_FILE",
];

/// A StatefulSet's pods carry `controller-revision-hash: <name>-<hash>`, which must fit a
/// 63-character label value, so StatefulSet names must be shorter than other names.
const MAX_STATEFULSET_NAME: usize = 52;

/// Every semantic problem of the spec. `base_dir` is the spec file's directory, against
/// which chaincode source paths resolve (none for the embedded example).
pub fn validate(spec: &NetworkSpec, base_dir: Option<&Path>) -> Vec<Diagnostic> {
    let mut v = Validator { base_dir: base_dir.map(Path::to_path_buf), ..Validator::default() };
    v.network(spec);
    v.diagnostics
}

#[derive(Default)]
struct Validator {
    base_dir: Option<PathBuf>,
    diagnostics: Vec<Diagnostic>,
    /// Derived Service names, to catch two objects with one name.
    services: BTreeMap<String, String>,
}

impl Validator {
    fn error(&mut self, path: &str, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::at(path, message));
    }

    fn network(&mut self, spec: &NetworkSpec) {
        self.dns1123(&field_path("", "name"), &spec.name, "network name");
        self.dns1123(&field_path("", "namespace"), &spec.namespace, "namespace");
        self.fabric(spec);
        for (kind, r) in [
            ("peer", &spec.resources.peer),
            ("orderer", &spec.resources.orderer),
            ("ca", &spec.resources.ca),
            ("couchdb", &spec.resources.couchdb),
        ] {
            self.resources(&format!("resources.{kind}"), r);
        }
        let np = &spec.network_policies;
        let selectors = std::iter::once(("networkPolicies.dns".to_string(), &np.dns))
            .chain(np.monitoring.iter().map(|m| ("networkPolicies.monitoring".to_string(), m)))
            .chain(np.clients.iter().enumerate().map(|(i, c)| (index_path("networkPolicies.clients", i), c)));
        for (path, selector) in selectors {
            let empty = |labels: &Option<BTreeMap<String, String>>| labels.as_ref().is_none_or(|l| l.is_empty());
            if empty(&selector.namespace_labels) && empty(&selector.pod_labels) {
                self.error(
                    &path,
                    "an empty selector admits every pod (or every namespace); name namespaceLabels and/or podLabels",
                );
            } else if selector.namespace_labels.as_ref().is_some_and(|l| l.is_empty()) {
                self.error(&format!("{path}.namespaceLabels"), "empty namespaceLabels select every namespace; name the namespace's labels, or leave it out for this network's namespace");
            }
        }
        if let Some(issuer) = &spec.chaincode_tls.issuer {
            self.dns1123_subdomain("chaincodeTls.issuer.name", &issuer.name, "issuer name");
            if spec.chaincode_tls.provider != TlsProvider::CertManager {
                self.error("chaincodeTls.issuer", "an issuer applies only with `provider: cert-manager`");
            }
        }
        self.storage(
            "launchers.k8scc.transfer",
            &spec.launchers.k8scc.transfer.size,
            spec.launchers.k8scc.transfer.storage_class.as_deref(),
        );
        self.image_spec("launchers.k8scc.image", &spec.launchers.k8scc.image);
        self.image_spec("launchers.k8sBuilder.peerImage", &spec.launchers.k8s_builder.peer_image);
        for (field, limits) in
            [("buildLimits", &spec.launchers.k8scc.build_limits), ("launchLimits", &spec.launchers.k8scc.launch_limits)]
        {
            // k8scc reads these itself for the pods it creates; no object of fabgen's holds them.
            for (what, q) in [("cpu", &limits.cpu), ("memory", &limits.memory)] {
                if let Some(problem) = super::quantity::not_positive(q) {
                    self.error(&format!("launchers.k8scc.{field}.{what}"), problem);
                }
            }
        }
        self.ordering_orgs(spec);
        self.orgs(spec);
        self.channels(spec);
        self.channel_consenters(spec);
        self.clusters(spec);
        self.namespaces(spec);
        self.placement(spec);
        self.monitoring(spec);
        self.chaincodes(spec);
    }

    fn fabric(&mut self, spec: &NetworkSpec) {
        let f = &spec.fabric;
        let release = super::release::release(&f.version);
        if release.is_none() {
            self.error(
                "fabric.version",
                format!(
                    "unsupported Fabric version \"{}\": fabgen renders Fabric {} (a version like 2.5.16 or 3.1.1)",
                    f.version,
                    super::release::supported()
                ),
            );
        }
        if let Some(r) = release.filter(|r| !r.tools_image_published)
            && f.tools_image.repository == "hyperledger/fabric-tools"
        {
            // At the key: usually the image is the default, and `fabric:` is what is written.
            self.diagnostics.push(Diagnostic::at_key(
                "fabric.toolsImage",
                format!(
                    "Fabric {} publishes no hyperledger/fabric-tools image (fabric release_notes/v3.0.0.md); set \
                     fabric.toolsImage to an image with that release's peer, configtxgen, configtxlator and osnadmin \
                     and jq on PATH (README: \"Fabric 3\")",
                    r.line
                ),
            ));
        }
        // fabric-builder-k8s's peer image is built on fabric-peer 2.5: a Fabric 3 network would
        // run 2.5 peers for the orgs that use it, which cannot join V3_0 channels.
        let uses_k8s_builder = spec.chaincodes.iter().any(|c| c.launcher == super::types::Launcher::K8sBuilder);
        if release.is_some_and(|r| r.line != super::types::K8S_BUILDER_PEER_IMAGE_FABRIC_LINE) && uses_k8s_builder && {
            let (image, default) = (&spec.launchers.k8s_builder.peer_image, super::types::K8sBuilderSpec::default());
            image.repository == default.peer_image.repository && image.tag == default.peer_image.tag
        } {
            self.diagnostics.push(Diagnostic::at_key(
                "launchers.k8sBuilder.peerImage",
                format!(
                    "the default k8s-builder peer image is built on Fabric 2.5, but fabric.version is {}; set \
                     launchers.k8sBuilder.peerImage to a Fabric {} peer image with the builder",
                    f.version,
                    release.map_or("3", |r| r.line)
                ),
            ));
        }
        if spec.consensus() == super::types::Consensus::Bft {
            let (path, first) = spec.ordering_orgs().into_iter().next().expect("BFT was given by an ordering org");
            match release {
                Some(r) if !r.bft => self.error(
                    &format!("{path}.consensus"),
                    format!(
                        "BFT ordering needs Fabric 3.0 or later (its V3_0 channel capability); fabric.version is {}",
                        f.version
                    ),
                ),
                _ => {}
            }
            // One ordering organisation: its orderers are every channel's consenters.
            let n = first.orderers.len();
            if spec.orderer_org.is_some() && n < 4 {
                self.diagnostics.push(Diagnostic::at_key(
                    "ordererOrg.orderers",
                    format!(
                        "BFT needs at least 4 orderers (3f + 1 nodes tolerate f faulty ones; with {n} none may fail)"
                    ),
                ));
            }
        }
        if !super::release::VERSION.is_match(&f.ca_version) {
            self.error("fabric.caVersion", format!("\"{}\" is not a version like 1.5.15", f.ca_version));
        }
        for (field, image) in [
            ("peerImage", &f.peer_image),
            ("ordererImage", &f.orderer_image),
            ("caImage", &f.ca_image),
            ("couchdbImage", &f.couchdb_image),
        ] {
            self.image_spec(&format!("fabric.{field}"), image);
        }
        if field_is_empty(&f.couchdb_image.tag) && f.couchdb_image.digest.is_none() {
            self.error("fabric.couchdbImage.tag", "CouchDB has no Fabric version to default to: give a tag or digest");
        }
        for (i, s) in f.image_pull_secrets.iter().enumerate() {
            self.dns1123_subdomain(&index_path("fabric.imagePullSecrets", i), s, "Secret name");
        }
    }

    fn image_spec(&mut self, path: &str, image: &ImageSpec) {
        let last = image.repository.rsplit('/').next().unwrap_or_default();
        if image.repository.is_empty() || last.contains(':') || last.contains('@') || image.repository.contains(' ') {
            self.error(
                &field_path(path, "repository"),
                format!(
                    "\"{}\" is not a bare repository (put the tag in `tag`, the digest in `digest`)",
                    image.repository
                ),
            );
        }
        if image.tag.contains([':', '@', '/', ' ']) {
            self.error(&field_path(path, "tag"), format!("\"{}\" is not a valid tag", image.tag));
        }
        if let Some(d) = &image.digest
            && !DIGEST.is_match(d)
        {
            self.error(&field_path(path, "digest"), format!("\"{d}\" is not a digest like sha256:<64 hex digits>"));
        }
    }

    fn orgs(&mut self, spec: &NetworkSpec) {
        if spec.orgs.is_empty() {
            self.error("orgs", "at least one peer organisation is needed");
        }
        self.unique("orgs", spec.orgs.iter().map(|o| o.name.as_str()), "organisation");
        let mut msp_ids: BTreeMap<&str, String> = BTreeMap::new();
        for (path, org) in spec.ordering_orgs() {
            msp_ids.entry(&org.msp_id).or_insert(path);
        }
        for (i, org) in spec.orgs.iter().enumerate() {
            let path = index_path("orgs", i);
            let name_path = field_path(&path, "name");
            // Names derived from a bad or duplicate org name would only repeat the problem.
            let derive = self.dns1123(&name_path, &org.name, "organisation name")
                && !spec.orgs[..i].iter().any(|o| o.name == org.name);
            if spec.ordering_orgs().iter().any(|(_, o)| o.name == org.name) {
                self.error(&name_path, format!("\"{}\" is also the orderer organisation's name", org.name));
            }
            let msp_path = field_path(&path, "mspId");
            self.msp_id(&msp_path, &org.msp_id);
            if let Some(other) = msp_ids.insert(&org.msp_id, path.clone()) {
                self.error(&msp_path, format!("MSP ID \"{}\" is already used by {other}", org.msp_id));
            }
            self.storage(&field_path(&path, "storage"), &org.storage.size, org.storage.storage_class.as_deref());
            if org.peers.is_empty() {
                self.error(&field_path(&path, "peers"), "an organisation needs at least one peer");
            }
            self.unique(&field_path(&path, "peers"), org.peers.iter().map(|p| p.name.as_str()), "peer");
            for (j, p) in org.peers.iter().enumerate() {
                let ppath = format!("{path}.peers[{j}].name");
                if !self.dns1123(&ppath, &p.name, "peer name")
                    || !derive
                    || org.peers[..j].iter().any(|q| q.name == p.name)
                {
                    continue;
                }
                let name = names::peer(&org.name, &p.name);
                self.statefulset(&ppath, &name);
                self.service(&ppath, &name);
                for derived in [names::msp_secret(&name), names::tls_secret(&name), names::couchdb_secret(&name)] {
                    self.derived(&ppath, &derived);
                }
            }
            if !derive {
                continue;
            }
            for derived in [
                names::builder_config_map(&org.name),
                names::peer_config_map(&org.name),
                names::packages_config_map(&org.name),
                names::peer_service_account(&org.name),
            ] {
                self.derived(&name_path, &derived);
            }
            if org.ca {
                let ca = names::ca(&org.name);
                self.service(&field_path(&path, "ca"), &ca);
                for derived in
                    [names::ca_admin_secret(&org.name), names::ca_data_claim(&org.name), names::tls_secret(&ca)]
                {
                    self.derived(&field_path(&path, "ca"), &derived);
                }
            }
        }
    }

    fn channels(&mut self, spec: &NetworkSpec) {
        let known: Vec<&str> = spec.orgs.iter().map(|o| o.name.as_str()).collect();
        self.unique("channels", spec.channels.iter().map(|c| c.name.as_str()), "channel");
        for (i, ch) in spec.channels.iter().enumerate() {
            let path = index_path("channels", i);
            if !CHANNEL_NAME.is_match(&ch.name) || ch.name.len() > 249 {
                self.error(
                    &field_path(&path, "name"),
                    format!("invalid channel name \"{}\": lowercase letters, digits, '.' and '-', starting with a letter, at most 249 characters", ch.name),
                );
            }
            if ch.name.ends_with(['.', '-']) {
                // Its members' peer pods carry the label `channel.fabgen.io/<name>`, whose name
                // part must end with a letter or digit.
                self.error(
                    &field_path(&path, "name"),
                    format!("channel name \"{}\" must end with a letter or digit (it names a pod label)", ch.name),
                );
            }
            if ch.orgs.is_empty() {
                self.error(&field_path(&path, "orgs"), "a channel needs at least one member organisation");
            }
            self.unique(&field_path(&path, "orgs"), ch.orgs.iter().map(String::as_str), "member");
            // Job names carry a digest and name their pods' `job-name` label (63 characters);
            // bad characters are reported on the channel and org names themselves.
            let max = 63 - names::JOB_DIGEST_LEN;
            let ordering = spec.channel_ordering_orgs(ch);
            let jobs = std::iter::once(names::channel_create_job(&ch.name))
                .chain(ordering.iter().skip(1).map(|o| names::channel_orderers_job(&ch.name, &o.name)))
                .chain(std::iter::once(names::channel_update_job(&ch.name)))
                .chain(ch.orgs.iter().map(|org| names::channel_join_job(&ch.name, org)));
            for job in jobs.filter(|job| job.len() > max) {
                self.error(
                    &field_path(&path, "name"),
                    format!(
                        "derived Job name \"{job}\" is longer than {max} characters; shorten the channel or org name"
                    ),
                );
            }
            for (j, org) in ch.orgs.iter().enumerate() {
                if !known.contains(&org.as_str()) {
                    self.error(
                        &format!("{path}.orgs[{j}]"),
                        format!("unknown org \"{org}\" ({})", known_list(known.iter().copied())),
                    );
                }
            }
        }
    }

    fn chaincodes(&mut self, spec: &NetworkSpec) {
        let channels: Vec<&str> = spec.channels.iter().map(|c| c.name.as_str()).collect();
        let orgs: Vec<&str> = spec.orgs.iter().map(|o| o.name.as_str()).collect();
        self.unique("chaincodes", spec.chaincodes.iter().map(|c| c.name.as_str()), "chaincode");
        for (i, cc) in spec.chaincodes.iter().enumerate() {
            let path = index_path("chaincodes", i);
            let name_path = field_path(&path, "name");
            if !FABRIC_CC_NAME.is_match(&cc.name) {
                self.error(&name_path, format!("invalid chaincode name \"{}\": Fabric allows letters and digits separated by single '-' or '_'", cc.name));
            } else if !DNS1123_LABEL.is_match(&cc.name) {
                self.error(
                    &name_path,
                    format!(
                        "chaincode name \"{}\" is part of Kubernetes object names, so it must be lowercase without '_'",
                        cc.name
                    ),
                );
            }
            if !FABRIC_CC_VERSION.is_match(&cc.version) {
                self.error(
                    &field_path(&path, "version"),
                    format!(
                        "invalid chaincode version \"{}\": letters, digits, '_', '.', '+' and '-' only",
                        cc.version
                    ),
                );
            }
            let label = cc.label.clone().unwrap_or_else(|| format!("{}_{}", cc.name, cc.version));
            if !FABRIC_LABEL.is_match(&label) {
                let at = if cc.label.is_some() { field_path(&path, "label") } else { name_path.clone() };
                self.error(
                    &at,
                    format!("invalid package label \"{label}\": Fabric requires ^[[:alnum:]][[:alnum:]_.+-]*$"),
                );
            }
            self.launcher(spec, &path, cc, &label);
            let channel = spec.channels.iter().find(|c| c.name == cc.channel);
            if channel.is_none() {
                self.error(
                    &field_path(&path, "channel"),
                    format!("unknown channel \"{}\" ({})", cc.channel, known_list(channels.iter().copied())),
                );
            }
            match &cc.orgs {
                Some(list) => {
                    let list_path = field_path(&path, "orgs");
                    if list.is_empty() {
                        self.error(
                            &list_path,
                            "list at least one org, or leave `orgs` out to use every channel member",
                        );
                    }
                    self.unique(&list_path, list.iter().map(String::as_str), "org");
                    for (j, org) in list.iter().enumerate() {
                        let org_path = index_path(&list_path, j);
                        if !orgs.contains(&org.as_str()) {
                            self.error(
                                &org_path,
                                format!("unknown org \"{org}\" ({})", known_list(orgs.iter().copied())),
                            );
                        } else if let Some(ch) = channel
                            && !ch.orgs.contains(org)
                        {
                            self.error(
                                &org_path,
                                format!(
                                    "org \"{org}\" is not a member of channel \"{}\" (members: {})",
                                    ch.name,
                                    ch.orgs.join(", ")
                                ),
                            );
                        }
                    }
                }
                None => {
                    if channel.is_some_and(|c| c.orgs.is_empty()) {
                        self.error(&field_path(&path, "channel"), "the channel has no members to run the chaincode");
                    }
                }
            }
            if let Some(channel) = channel {
                self.definition(spec, &path, cc, channel);
            }
            if cc.port == 0 {
                self.error(&field_path(&path, "port"), "port must be between 1 and 65535");
            }
            self.duration(&field_path(&path, "dialTimeout"), &cc.dial_timeout);
            self.resources(&field_path(&path, "resources"), &cc.resources);
            for name in cc.env.keys() {
                let env_path = field_path(&field_path(&path, "env"), name);
                if !ENV_NAME.is_match(name) {
                    self.diagnostics
                        .push(Diagnostic::at_key(&env_path, format!("invalid environment variable name \"{name}\"")));
                } else if RESERVED_CHAINCODE_ENV.contains(&name.as_str()) {
                    self.diagnostics.push(Diagnostic::at_key(
                        &env_path,
                        format!("\"{name}\" is set by fabgen from the package; remove it"),
                    ));
                }
            }
            if cc.launcher == Launcher::Ccaas && FABRIC_CC_NAME.is_match(&cc.name) && DNS1123_LABEL.is_match(&cc.name) {
                for org in spec.chaincode_orgs(cc) {
                    let name = names::chaincode(&cc.name, &org);
                    self.service(&name_path, &name);
                }
            }
        }
    }

    /// The chaincode definition the lifecycle Jobs approve and commit: sequence, init call,
    /// endorsement policy, collections, and the Job names it derives.
    fn definition(&mut self, spec: &NetworkSpec, path: &str, cc: &ChaincodeSpec, channel: &ChannelSpec) {
        if cc.sequence == 0 {
            self.error(&field_path(path, "sequence"), "sequences start at 1");
        }
        if !cc.init_args.is_empty() && !cc.init_required {
            self.error(
                &field_path(path, "initArgs"),
                "initArgs are the arguments of the init invocation; set `initRequired: true` or remove them",
            );
        }
        let members: Vec<(&str, &str)> = spec
            .orgs
            .iter()
            .filter(|o| channel.orgs.contains(&o.name))
            .map(|o| (o.name.as_str(), o.msp_id.as_str()))
            .collect();
        let running = spec.chaincode_orgs(cc);
        let running_msps: Vec<&str> =
            members.iter().filter(|(name, _)| running.iter().any(|r| r == name)).map(|(_, msp)| *msp).collect();
        let policy_path = field_path(path, "endorsementPolicy");
        match &cc.endorsement_policy {
            None => {
                // The channel's Endorsement policy is a MAJORITY of the members' Endorsement
                // policies (templates/channel/configtx.yaml), met only by peers that run it.
                let needed = members.len() / 2 + 1;
                let resolved = running.iter().all(|r| channel.orgs.contains(r));
                if resolved && !running.is_empty() && running_msps.len() < needed {
                    self.error(
                        &field_path(path, "orgs"),
                        format!(
                            "the default endorsement policy (a MAJORITY of channel \"{}\"'s {} members) needs {needed} orgs to endorse, but only {} run{} the chaincode; run it on more orgs or set endorsementPolicy",
                            channel.name,
                            members.len(),
                            running_msps.len(),
                            if running_msps.len() == 1 { "s" } else { "" }
                        ),
                    );
                }
            }
            Some(policy) => self.endorsement_policy(&policy_path, policy, &members, Some(&running_msps)),
        }
        let collections_path = field_path(path, "collections");
        self.unique(&collections_path, cc.collections.iter().map(|c| c.name.as_str()), "collection");
        for (i, collection) in cc.collections.iter().enumerate() {
            let at = index_path(&collections_path, i);
            if !COLLECTION_NAME.is_match(&collection.name) {
                self.error(
                    &field_path(&at, "name"),
                    format!(
                        "invalid collection name \"{}\": letters, digits, '_' and '-', starting with a letter or digit",
                        collection.name
                    ),
                );
            }
            let member_path = field_path(&at, "policy");
            if let Some(policy) = self.signature_policy(&member_path, &collection.policy, &members)
                && !policy.is_or_only()
            {
                self.error(
                    &member_path,
                    "a collection's member policy must combine its members with OR only (the peer refuses AND and OutOf with more than one)",
                );
            }
            if collection.max_peer_count < collection.required_peer_count {
                self.error(
                    &field_path(&at, "maxPeerCount"),
                    format!(
                        "maxPeerCount ({}) is below requiredPeerCount ({})",
                        collection.max_peer_count, collection.required_peer_count
                    ),
                );
            }
            if let Some(policy) = &collection.endorsement_policy {
                self.endorsement_policy(&field_path(&at, "endorsementPolicy"), policy, &members, None);
            }
        }
        let max = 63 - names::JOB_DIGEST_LEN;
        for org in &running {
            let job = names::chaincode_lifecycle_job(&cc.name, org);
            if job.len() > max {
                self.error(
                    &field_path(path, "name"),
                    format!(
                        "derived Job name \"{job}\" is longer than {max} characters; shorten the chaincode or org name"
                    ),
                );
            }
        }
        for org in channel.orgs.iter().filter(|o| !running.contains(o)) {
            let job = names::chaincode_approve_job(&cc.name, org);
            if job.len() > max {
                self.error(
                    &field_path(path, "name"),
                    format!(
                        "derived Job name \"{job}\" is longer than {max} characters; shorten the chaincode or org name"
                    ),
                );
            }
        }
    }

    /// An endorsement policy: a signature policy over channel members that the orgs running
    /// the chaincode (`running`, when known) can meet, or an absolute channel config policy.
    fn endorsement_policy(
        &mut self,
        path: &str,
        policy: &EndorsementPolicySpec,
        members: &[(&str, &str)],
        running: Option<&[&str]>,
    ) {
        match policy {
            EndorsementPolicySpec::SignaturePolicy(text) => {
                let at = field_path(path, "signaturePolicy");
                if let Some(parsed) = self.signature_policy(&at, text, members)
                    && let Some(running) = running
                    && !parsed.satisfiable_by(running)
                {
                    self.error(
                        &at,
                        format!(
                            "only peers of orgs that run the chaincode endorse ({}), and their signatures (roles peer and member) cannot meet this policy",
                            running.join(", ")
                        ),
                    );
                }
            }
            EndorsementPolicySpec::ChannelConfigPolicy(reference) => {
                // Absolute references resolve from the channel root (fabric common/policies
                // policy.go `GetPolicy`); relative ones are easy to get wrong.
                if !reference.starts_with("/Channel/") || reference.ends_with('/') {
                    self.error(
                        &field_path(path, "channelConfigPolicy"),
                        format!("\"{reference}\" is not an absolute channel policy path such as /Channel/Application/Endorsement"),
                    );
                }
            }
        }
    }

    /// A signature policy naming only channel members; the parsed policy when it is one.
    fn signature_policy(&mut self, path: &str, text: &str, members: &[(&str, &str)]) -> Option<policy_dsl::Policy> {
        let policy = match policy_dsl::parse(text) {
            Ok(policy) => policy,
            Err(e) => {
                self.error(path, format!("invalid signature policy \"{text}\": {e}"));
                return None;
            }
        };
        let mut ok = true;
        for principal in policy.principals() {
            if !members.iter().any(|(_, msp)| *msp == principal.msp_id) {
                ok = false;
                self.error(
                    path,
                    format!(
                        "policy names MSP ID \"{}\", which is no member of the channel ({})",
                        principal.msp_id,
                        known_list(members.iter().map(|(_, msp)| *msp))
                    ),
                );
            }
        }
        ok.then_some(policy)
    }

    /// What each launcher needs: an image or a source, and the names it derives.
    fn launcher(&mut self, spec: &NetworkSpec, path: &str, cc: &ChaincodeSpec, label: &str) {
        let image_path = field_path(path, "image");
        match cc.launcher {
            Launcher::Ccaas => {
                match &cc.image {
                    Some(image) => self.chaincode_image(&image_path, image),
                    None => self.error(path, "a `ccaas` chaincode needs `image`, its chaincode server"),
                }
                if cc.source.is_some() {
                    self.error(
                        &field_path(path, "source"),
                        "`source` is for the k8scc launcher; a `ccaas` chaincode runs `image`",
                    );
                }
            }
            Launcher::K8sBuilder => {
                match &cc.image {
                    Some(image)
                        if !image.contains('@') || !DIGEST.is_match(image.rsplit('@').next().unwrap_or_default()) =>
                    {
                        self.error(
                            &image_path,
                            format!(
                                "fabric-builder-k8s runs images pinned by digest: use {}@sha256:<64 hex digits>",
                                image.split('@').next().unwrap_or(image)
                            ),
                        )
                    }
                    Some(image) => self.chaincode_image(&image_path, image),
                    None => self.error(path, "a `k8s-builder` chaincode needs `image`, pinned by digest"),
                }
                if cc.source.is_some() {
                    self.error(
                        &field_path(path, "source"),
                        "`source` is for the k8scc launcher; fabric-builder-k8s runs `image`",
                    );
                }
                // fabric-builder-k8s's build step refuses labels that are not DNS-1035 labels.
                if !DNS1035_LABEL.is_match(label) || label.len() > 63 {
                    let at = if cc.label.is_some() { field_path(path, "label") } else { field_path(path, "name") };
                    self.error(&at, format!("fabric-builder-k8s requires the package label to be a DNS-1035 label (lowercase letters, digits, '-', starting with a letter): \"{label}\""));
                }
                self.duration("launchers.k8sBuilder.startTimeout", &spec.launchers.k8s_builder.start_timeout);
                for org in spec.chaincode_orgs(cc) {
                    for peer in spec.orgs.iter().filter(|o| o.name == org).flat_map(|o| &o.peers) {
                        let prefix = names::k8s_builder_prefix(&names::peer(&org, &peer.name));
                        if prefix.len() > 30 || !DNS1035_LABEL.is_match(&prefix) {
                            self.error(&field_path(path, "launcher"), format!("fabric-builder-k8s object name prefix \"{prefix}\" (from peer {} of {org}) must be a DNS-1035 label of at most 30 characters; shorten the peer or org name", peer.name));
                        }
                    }
                    let ns = names::chaincode_namespace(spec.namespace_of(&org), &org);
                    if ns.len() > 63 {
                        self.error(&field_path(path, "launcher"), format!("the chaincode namespace \"{ns}\" for {org} is longer than 63 characters; shorten the namespace or org name"));
                    }
                }
            }
            Launcher::K8scc => {
                if cc.image.is_some() {
                    self.error(&image_path, "k8scc builds from `source` in the Fabric build images; remove `image`");
                }
                match &cc.source {
                    None => self.error(path, "a `k8scc` chaincode needs `source: {path, language}`"),
                    Some(source) => {
                        if source.path.is_empty() || Path::new(&source.path).is_absolute() {
                            self.error(
                                &format!("{path}.source.path"),
                                "give the source directory relative to the spec file",
                            );
                        } else if let Some(base) = self.base_dir.clone() {
                            let dir = base.join(&source.path);
                            if !dir.is_dir() {
                                self.error(
                                    &format!("{path}.source.path"),
                                    format!("no chaincode directory at {}", dir.display()),
                                );
                            } else if source.language == Language::Golang && !dir.join("go.mod").is_file() {
                                self.error(
                                    &format!("{path}.source.path"),
                                    format!("{} has no go.mod: Go chaincode is packaged in module mode", dir.display()),
                                );
                            }
                        }
                    }
                }
                if spec.launchers.k8scc.transfer.storage_class.is_none() {
                    self.error(
                        &field_path(path, "launcher"),
                        "k8scc needs `launchers.k8scc.transfer.storageClass`: a StorageClass that provides ReadWriteMany volumes, because the peer and the build and chaincode pods it starts (possibly on other nodes) share the transfer volume",
                    );
                }
                // k8scc names the chaincode pod <peer pod>-cc-<label, '_' -> '-'>-<8 hex>, keeping
                // the label's case (hlfabric-k8scc run.go).
                for org in spec.chaincode_orgs(cc) {
                    for peer in spec.orgs.iter().filter(|o| o.name == org).flat_map(|o| &o.peers) {
                        let pod = format!(
                            "{}-0-cc-{}-{}",
                            names::peer(&org, &peer.name),
                            label.replace('_', "-"),
                            "0".repeat(8)
                        );
                        if pod.len() > 63 || !DNS1123_LABEL.is_match(&pod) {
                            let at =
                                if cc.label.is_some() { field_path(path, "label") } else { field_path(path, "name") };
                            let hint = if cc.label.is_none() {
                                format!("; the default label is \"{label}\", so set `label`")
                            } else {
                                String::new()
                            };
                            self.error(&at, format!("k8scc would name the chaincode pod \"{pod}\" (hash shown as zeros), which is not a valid pod name: use a lowercase label without '.' or '+', and short peer and org names{hint}"));
                        }
                    }
                }
            }
        }
    }

    /// A positive Go duration.
    fn duration(&mut self, path: &str, value: &str) {
        if !GO_DURATION.is_match(value) {
            self.error(path, format!("\"{value}\" is not a Go duration like 10s, 3m or 1m30s"));
        } else if !value.chars().any(|c| c.is_ascii_digit() && c != '0') {
            self.error(path, format!("\"{value}\" is zero; give a positive duration"));
        }
    }

    fn chaincode_image(&mut self, path: &str, image: &str) {
        if let Some((_, digest)) = image.rsplit_once('@')
            && !DIGEST.is_match(digest)
        {
            self.error(
                path,
                format!("image \"{image}\" has a malformed digest; expected sha256:<64 lowercase hex digits>"),
            );
            return;
        }
        let last = image.rsplit('/').next().unwrap_or_default();
        if image.is_empty() || image.contains(char::is_whitespace) {
            self.error(path, format!("\"{image}\" is not an image reference"));
        } else if !last.contains(':') && !last.contains('@') {
            self.error(
                path,
                format!("image \"{image}\" has no tag or digest; pin it (e.g. {image}:1.0 or {image}@sha256:...)"),
            );
        } else if last.ends_with(":latest") {
            self.error(path, format!("image \"{image}\" uses the mutable tag \"latest\"; pin a version or digest"));
        }
    }

    fn resources(&mut self, path: &str, r: &ResourcesSpec) {
        for (kind, cm) in [("requests", &r.requests), ("limits", &r.limits)] {
            self.quantity(&format!("{path}.{kind}.cpu"), &cm.cpu);
            self.quantity(&format!("{path}.{kind}.memory"), &cm.memory);
        }
    }

    fn storage(&mut self, path: &str, size: &str, class: Option<&str>) {
        self.quantity(&field_path(path, "size"), size);
        if let Some(class) = class {
            self.dns1123_subdomain(&field_path(path, "storageClass"), class, "StorageClass name");
        }
    }

    /// A quantity fabgen writes into an object: positive, and in the form the API server
    /// stores (`spec::quantity`).
    fn quantity(&mut self, path: &str, q: &str) {
        if let Some(problem) = super::quantity::problem(q) {
            self.error(path, problem);
        }
    }

    fn msp_id(&mut self, path: &str, id: &str) {
        if !MSP_ID.is_match(id) {
            self.error(
                path,
                format!("invalid MSP ID \"{id}\": letters, digits, '.' and '-' (Fabric policies allow no '_')"),
            );
        }
    }

    /// Reports a name that is not a DNS-1123 label; returns whether it is one.
    fn dns1123(&mut self, path: &str, value: &str, what: &str) -> bool {
        let ok = DNS1123_LABEL.is_match(value) && value.len() <= 63;
        if !ok {
            self.error(path, format!("invalid {what} \"{value}\": lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters (DNS-1123 label)"));
        }
        ok
    }

    /// Reports a name that is not a DNS-1035 label; returns whether it is one.
    fn dns1035(&mut self, path: &str, value: &str, what: &str) -> bool {
        let ok = DNS1035_LABEL.is_match(value) && value.len() <= 63;
        if !ok {
            self.error(path, format!("invalid {what} \"{value}\": it names a Service, so lowercase letters, digits and '-', starting with a letter, at most 63 characters (DNS-1035 label)"));
        }
        ok
    }

    fn dns1123_subdomain(&mut self, path: &str, value: &str, what: &str) {
        let ok = value.len() <= 253 && !value.is_empty() && value.split('.').all(|l| DNS1123_LABEL.is_match(l));
        if !ok {
            self.error(path, format!("invalid {what} \"{value}\" (DNS-1123 subdomain)"));
        }
    }

    /// A derived object name: must be a DNS-1123 label that fits.
    fn derived(&mut self, path: &str, name: &str) {
        if !DNS1123_LABEL.is_match(name) || name.len() > 63 {
            self.error(path, format!("derived name \"{name}\" is not a valid Kubernetes name (DNS-1123 label, at most 63 characters); shorten the names it is built from"));
        }
    }

    fn statefulset(&mut self, path: &str, name: &str) {
        if name.len() > MAX_STATEFULSET_NAME {
            self.error(path, format!("derived StatefulSet name \"{name}\" has {} characters; at most {MAX_STATEFULSET_NAME} fit its pods' controller-revision-hash label", name.len()));
        }
    }

    /// A derived Service name: DNS-1035 and unique across the network.
    fn service(&mut self, path: &str, name: &str) {
        if !DNS1035_LABEL.is_match(name) || name.len() > 63 {
            self.error(path, format!("derived Service name \"{name}\" must be a DNS-1035 label (start with a letter, at most 63 characters); shorten the names it is built from"));
        }
        if let Some(first) = self.services.insert(name.to_string(), path.to_string())
            && first != path
        {
            self.error(path, format!("derived Service name \"{name}\" is also derived at {first}"));
        }
    }

    fn unique<'a>(&mut self, path: &str, names: impl Iterator<Item = &'a str>, what: &str) {
        let mut seen = BTreeSet::new();
        for (i, name) in names.enumerate() {
            if !seen.insert(name) {
                self.error(&index_path(path, i), format!("duplicate {what} \"{name}\""));
            }
        }
    }
}

fn field_is_empty(s: &str) -> bool {
    s.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As `load_spec` reads a spec: YAML to JSON values, then the types (externally tagged
    /// enums such as `endorsementPolicy` are single-key maps there, not YAML tags).
    pub(super) fn spec(yaml: &str) -> NetworkSpec {
        serde_json::from_value(serde_yaml::from_str::<serde_json::Value>(yaml).unwrap()).unwrap()
    }

    pub(super) const BASE: &str = r#"
name: net
namespace: fabric
ordererOrg: {name: orderer, mspId: OrdererMSP, orderers: [{name: orderer0}]}
orgs:
  - {name: org1, mspId: Org1MSP, peers: [{name: peer0}]}
  - {name: org2, mspId: Org2MSP, peers: [{name: peer0}]}
channels: [{name: mychannel, orgs: [org1, org2]}]
chaincodes:
  - {name: basic, version: "1.0", image: "example/basic:1.0", channel: mychannel}
"#;

    pub(super) fn messages(yaml: &str) -> Vec<String> {
        validate(&spec(yaml), None).into_iter().map(|d| format!("{}: {}", d.path, d.message)).collect()
    }

    #[test]
    fn rejects_channel_names_whose_job_names_do_not_fit() {
        let long = "a".repeat(38);
        let yaml = BASE
            .replace("{name: mychannel, orgs", &format!("{{name: {long}, orgs"))
            .replace("channel: mychannel", &format!("channel: {long}"));
        let m = messages(&yaml);
        let job = format!("channel-{long}-join-org1");
        assert!(m.iter().any(|e| e.starts_with("channels[0].name: derived Job name") && e.contains(&job)), "{m:?}");
        // 38 characters pass the Job limit with the create Job but not the join Jobs.
        assert!(!m.iter().any(|e| e.contains("-create\"")), "{m:?}");
        assert!(messages(BASE).is_empty());
    }

    #[test]
    fn chaincode_definitions_must_be_approvable_and_endorsable() {
        let with = |fields: &str| BASE.replace("channel: mychannel}", &format!("channel: mychannel, {fields}}}"));
        // One of two members runs it: the default MAJORITY needs both.
        let m = messages(&with("orgs: [org1]"));
        assert_eq!(
            m,
            [
                "chaincodes[0].orgs: the default endorsement policy (a MAJORITY of channel \"mychannel\"'s 2 members) needs 2 orgs to endorse, but only 1 runs the chaincode; run it on more orgs or set endorsementPolicy"
            ]
        );
        assert!(
            messages(&with("orgs: [org1], endorsementPolicy: {signaturePolicy: \"OR('Org1MSP.peer')\"}")).is_empty()
        );
        for (fields, error) in [
            (
                "orgs: [org1], endorsementPolicy: {signaturePolicy: \"AND('Org1MSP.peer','Org2MSP.peer')\"}",
                "chaincodes[0].endorsementPolicy.signaturePolicy: only peers of orgs that run the chaincode endorse (Org1MSP), and their signatures (roles peer and member) cannot meet this policy",
            ),
            (
                "endorsementPolicy: {signaturePolicy: \"OR('Org9MSP.peer')\"}",
                "chaincodes[0].endorsementPolicy.signaturePolicy: policy names MSP ID \"Org9MSP\", which is no member of the channel (known: Org1MSP, Org2MSP)",
            ),
            (
                "endorsementPolicy: {signaturePolicy: \"OR('Org1MSP.peer'\"}",
                "chaincodes[0].endorsementPolicy.signaturePolicy: invalid signature policy \"OR('Org1MSP.peer'\": expected ')'",
            ),
            (
                "endorsementPolicy: {channelConfigPolicy: Endorsement}",
                "chaincodes[0].endorsementPolicy.channelConfigPolicy: \"Endorsement\" is not an absolute channel policy path",
            ),
            ("initArgs: [InitLedger]", "chaincodes[0].initArgs: initArgs are the arguments of the init invocation"),
            (
                "collections: [{name: c1, policy: \"AND('Org1MSP.member','Org2MSP.member')\"}]",
                "chaincodes[0].collections[0].policy: a collection's member policy must combine its members with OR only",
            ),
            (
                "collections: [{name: c1, policy: \"OR('Org1MSP.member')\", requiredPeerCount: 2}]",
                "chaincodes[0].collections[0].maxPeerCount: maxPeerCount (1) is below requiredPeerCount (2)",
            ),
            (
                "collections: [{name: _c, policy: \"OR('Org1MSP.member')\"}, {name: _c, policy: \"OR('Org1MSP.member')\"}]",
                "chaincodes[0].collections[1]: duplicate collection \"_c\"",
            ),
            (
                "collections: [{name: _c, policy: \"OR('Org1MSP.member')\"}]",
                "chaincodes[0].collections[0].name: invalid collection name \"_c\"",
            ),
        ] {
            let m = messages(&with(fields));
            assert!(m.iter().any(|e| e.starts_with(error)), "{fields}: {m:?}");
        }
    }

    #[test]
    fn channel_names_end_with_a_letter_or_digit() {
        let yaml = BASE
            .replace("{name: mychannel, orgs", "{name: mychannel-, orgs")
            .replace("channel: mychannel}", "channel: mychannel-}");
        let m = messages(&yaml);
        assert_eq!(
            m,
            ["channels[0].name: channel name \"mychannel-\" must end with a letter or digit (it names a pod label)"]
        );
    }

    #[test]
    fn msp_ids_follow_the_policy_principal_grammar() {
        let m = messages(&BASE.replace("mspId: Org2MSP", "mspId: Org_2MSP"));
        assert!(m.iter().any(|e| e.starts_with("orgs[1].mspId: invalid MSP ID \"Org_2MSP\"")), "{m:?}");
    }

    #[test]
    fn accepts_a_valid_network() {
        assert_eq!(messages(BASE), Vec::<String>::new());
    }

    #[test]
    fn rejects_unknown_org_reference_with_known_list() {
        let m = messages(&BASE.replace("channel: mychannel}", "channel: mychannel, orgs: [org3]}"));
        assert_eq!(m, ["chaincodes[0].orgs[0]: unknown org \"org3\" (known: org1, org2)"]);
    }

    #[test]
    fn rejects_duplicate_peer_names() {
        let m = messages(&BASE.replace(
            "peers: [{name: peer0}]}\n  - {name: org2",
            "peers: [{name: peer0}, {name: peer0}]}\n  - {name: org2",
        ));
        assert!(m.iter().any(|e| e.starts_with("orgs[0].peers[1]: duplicate peer \"peer0\"")), "{m:?}");
    }

    #[test]
    fn rejects_labels_fabric_refuses() {
        let m = messages(&BASE.replace("version: \"1.0\"", "version: \"1.0\", label: \"_bad\""));
        assert!(m.iter().any(|e| e.contains("invalid package label \"_bad\"")), "{m:?}");
    }

    #[test]
    fn rejects_chaincode_names_kubernetes_refuses() {
        let m = messages(&BASE.replace("name: basic", "name: Basic_CC"));
        assert!(m.iter().any(|e| e.contains("must be lowercase without '_'")), "{m:?}");
    }

    #[test]
    fn rejects_derived_names_that_are_too_long() {
        let long = "p".repeat(60);
        let m = messages(&BASE.replace(
            "peers: [{name: peer0}]}\n  - {name: org2",
            &format!("peers: [{{name: {long}}}]}}\n  - {{name: org2"),
        ));
        assert!(m.iter().any(|e| e.contains("derived StatefulSet name")), "{m:?}");
        assert!(m.iter().any(|e| e.contains("derived Service name")), "{m:?}");
    }

    #[test]
    fn rejects_org_not_on_the_chaincode_channel() {
        let yaml = BASE
            .replace("channels: [{name: mychannel, orgs: [org1, org2]}]", "channels: [{name: mychannel, orgs: [org1]}]")
            .replace("channel: mychannel}", "channel: mychannel, orgs: [org2]}");
        let m = messages(&yaml);
        assert_eq!(m, ["chaincodes[0].orgs[0]: org \"org2\" is not a member of channel \"mychannel\" (members: org1)"]);
    }

    #[test]
    fn rejects_unpinned_images_and_bad_quantities() {
        let yaml = BASE.replace("example/basic:1.0", "example/basic").replace(
            "channel: mychannel}",
            "channel: mychannel, resources: {requests: {cpu: lots, memory: 1Gi}, limits: {cpu: '1', memory: 1Gi}}}",
        );
        let m = messages(&yaml);
        assert!(m.iter().any(|e| e.contains("has no tag or digest")), "{m:?}");
        assert!(m.iter().any(|e| e.starts_with("chaincodes[0].resources.requests.cpu: \"lots\"")), "{m:?}");
    }

    #[test]
    fn rejects_reserved_env_and_bad_durations() {
        let yaml =
            BASE.replace("channel: mychannel}", "channel: mychannel, dialTimeout: 10 seconds, env: {CHAINCODE_ID: x}}");
        let m = messages(&yaml);
        assert!(m.iter().any(|e| e.contains("is set by fabgen")), "{m:?}");
        assert!(m.iter().any(|e| e.contains("not a Go duration")), "{m:?}");
    }

    #[test]
    fn rejects_colliding_service_names() {
        // Peer "chaincode-basic" of org1 derives the Service name the chaincode needs for org1.
        let yaml = BASE.replace(
            "{name: org1, mspId: Org1MSP, peers: [{name: peer0}]}",
            "{name: org1, mspId: Org1MSP, peers: [{name: peer0}, {name: chaincode-basic}]}",
        );
        let m = messages(&yaml);
        assert!(m.iter().any(|e| e.contains("derived Service name \"chaincode-basic-org1\" is also derived")), "{m:?}");
    }

    #[test]
    fn rejects_unsupported_fabric_versions() {
        let m = messages(&format!("{BASE}fabric: {{version: 2.2.0}}\n"));
        assert!(m.iter().any(|e| e.starts_with("fabric.version: unsupported Fabric version")), "{m:?}");
    }

    #[test]
    fn k8scc_needs_a_read_write_many_storage_class_and_a_source() {
        let yaml = BASE.replace(
            "{name: basic, version: \"1.0\", image: \"example/basic:1.0\", channel: mychannel}",
            "{name: basic, version: \"1.0\", label: basic, launcher: k8scc, channel: mychannel}",
        );
        let m = messages(&yaml);
        assert!(
            m.iter()
                .any(|e| e.starts_with("chaincodes[0].launcher: k8scc needs `launchers.k8scc.transfer.storageClass`")),
            "{m:?}"
        );
        assert!(m.iter().any(|e| e.contains("needs `source: {path, language}`")), "{m:?}");
    }

    #[test]
    fn k8s_builder_needs_a_digest_and_a_dns1035_label() {
        let yaml = BASE.replace("channel: mychannel}", "channel: mychannel, launcher: k8s-builder}");
        let m = messages(&yaml);
        assert!(m.iter().any(|e| e.contains("runs images pinned by digest: use example/basic:1.0@sha256:")), "{m:?}");
        assert!(m.iter().any(|e| e.contains("DNS-1035 label") && e.contains("basic_1.0")), "{m:?}");
        let pinned = BASE.replace(
            "image: \"example/basic:1.0\", channel: mychannel}",
            &format!(
                "image: \"example/basic@sha256:{}\", label: basic-v1, channel: mychannel, launcher: k8s-builder}}",
                "a".repeat(64)
            ),
        );
        assert_eq!(messages(&pinned), Vec::<String>::new());
    }

    #[test]
    fn k8scc_pod_names_must_be_valid() {
        let yaml = format!(
            "{}launchers: {{k8scc: {{transfer: {{storageClass: nfs}}}}}}\n",
            BASE.replace(
                "{name: basic, version: \"1.0\", image: \"example/basic:1.0\", channel: mychannel}",
                "{name: basic, version: \"1.0\", launcher: k8scc, source: {path: cc, language: golang}, channel: mychannel}",
            )
        );
        let m = messages(&yaml);
        assert!(
            m.iter().any(|e| e.contains("k8scc would name the chaincode pod \"peer0-org1-0-cc-basic-1.0-00000000\"")
                && e.contains("set `label`")),
            "{m:?}"
        );
    }

    #[test]
    fn rejects_selectors_that_admit_everything_and_bad_digests_and_zero_timeouts() {
        let yaml = format!(
            "{}networkPolicies: {{clients: [{{}}, {{namespaceLabels: {{}}, podLabels: {{app: x}}}}]}}\n",
            BASE.replace("example/basic:1.0", "example/basic@sha256:abc")
                .replace("channel: mychannel}", "channel: mychannel, dialTimeout: 0s}")
        );
        let m = messages(&yaml);
        assert!(
            m.iter().any(|e| e.starts_with("networkPolicies.clients[0]: an empty selector admits every pod")),
            "{m:?}"
        );
        assert!(
            m.iter().any(|e| e.starts_with("networkPolicies.clients[1].namespaceLabels: empty namespaceLabels")),
            "{m:?}"
        );
        assert!(m.iter().any(|e| e.contains("has a malformed digest")), "{m:?}");
        assert!(m.iter().any(|e| e.starts_with("chaincodes[0].dialTimeout: \"0s\" is zero")), "{m:?}");
    }

    #[test]
    fn fabric_versions_and_bft_are_checked_against_the_release_table() {
        let orderers = |n: usize| {
            let list: Vec<String> = (0..n).map(|i| format!("{{name: orderer{i}}}")).collect();
            format!("orderers: [{}]", list.join(", "))
        };
        let with = |version: &str, consensus: &str, n: usize, tools: &str| {
            BASE.replace("orderers: [{name: orderer0}]", &format!("consensus: {consensus}, {}", orderers(n)))
                .replace("name: net\n", &format!("name: net\nfabric: {{version: \"{version}\"{tools}}}\n"))
        };
        let tools = ", toolsImage: {repository: registry.example.com/tools, tag: \"3.1.1\"}";
        assert_eq!(messages(&with("3.1.1", "BFT", 4, tools)), Vec::<String>::new());
        assert_eq!(messages(&with("3.0.0", "etcdraft", 1, tools)), Vec::<String>::new());
        assert_eq!(messages(&with("2.5.16", "etcdraft", 3, "")), Vec::<String>::new());
        let m = messages(&with("2.5.16", "BFT", 4, ""));
        assert_eq!(
            m,
            [
                "ordererOrg.consensus: BFT ordering needs Fabric 3.0 or later (its V3_0 channel capability); fabric.version is 2.5.16"
            ]
        );
        let m = messages(&with("3.1.1", "BFT", 3, tools));
        assert_eq!(
            m,
            [
                "ordererOrg.orderers: BFT needs at least 4 orderers (3f + 1 nodes tolerate f faulty ones; with 3 none may fail)"
            ]
        );
        let m = messages(&with("3.1.1", "etcdraft", 3, ""));
        assert!(
            m.len() == 1
                && m[0].starts_with("fabric.toolsImage: Fabric 3.1 publishes no hyperledger/fabric-tools image"),
            "{m:?}"
        );
        let m = messages(&with("3.2.0", "etcdraft", 3, tools));
        assert_eq!(
            m,
            [
                "fabric.version: unsupported Fabric version \"3.2.0\": fabgen renders Fabric 2.5.x, 3.0.x, 3.1.x (a version like 2.5.16 or 3.1.1)"
            ]
        );
    }
}
