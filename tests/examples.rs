//! Properties every example network in values/ must have, checked on the full render.

mod common;

use std::collections::BTreeMap;

use base64::Engine;
use flate2::read::GzDecoder;
use sha2::{Digest, Sha256};
use std::io::Read;

fn objects(generated: &fabgen::Generated) -> BTreeMap<String, serde_json::Value> {
    generated.rendered.objects.iter().map(|(file, o)| (file.clone(), o.to_json().unwrap())).collect()
}

fn for_each_example(check: impl Fn(&str, &fabgen::Generated, &BTreeMap<String, serde_json::Value>)) {
    for path in common::examples() {
        let generated = common::generate(&path);
        let objs = objects(&generated);
        check(&path.file_name().unwrap().to_string_lossy(), &generated, &objs);
    }
}

#[test]
fn snapshots_of_every_example() {
    insta::glob!("../values", "*.yaml", |path| {
        let generated = common::generate(path);
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(fabgen::output::manifests::stream(&generated.rendered));
        });
    });
}

#[test]
fn rendering_is_deterministic() {
    for path in common::examples() {
        let a = fabgen::output::manifests::stream(&common::generate(&path).rendered);
        let b = fabgen::output::manifests::stream(&common::generate(&path).rendered);
        assert_eq!(a, b, "{}", path.display());
    }
}

#[test]
fn every_object_is_written_by_the_fast_writer_exactly_as_serde_yaml_writes_it() {
    for_each_example(|name, generated, _| {
        for (file, document) in &generated.rendered.objects {
            let value: serde_yaml::Value = serde_yaml::from_str(&document.yaml).unwrap();
            assert_eq!(serde_yaml::to_string(&value).unwrap(), document.yaml, "{name} {file}");
            // Left to serde_yaml would be right too, but slow: every shape fabgen renders is written here.
            assert_eq!(
                fabgen::render::yaml::written_here(&value).as_deref(),
                Some(document.yaml.as_str()),
                "{name} {file}"
            );
        }
    });
}

/// `render -o` reads most documents as trees of borrowed strings and checks and writes them
/// without a `serde_yaml::Value` (`fabgen::generate_writing`): the bytes are those of the
/// values' way (`fabgen::generate`), object for object.
#[test]
fn the_trees_way_writes_what_the_values_way_writes() {
    for path in common::examples() {
        let spec = fabgen::spec::SpecSource::read(&path).unwrap().load().unwrap();
        let written = std::sync::Mutex::new(BTreeMap::new());
        fabgen::generate_writing(&spec, &fabgen::render::TemplateSet::embedded(), |file, bytes| {
            written.lock().unwrap().insert(file.to_string(), bytes.to_vec());
            Ok(())
        })
        .unwrap();
        let mut written = written.into_inner().unwrap();
        assert!(written.remove("kustomization.yaml").is_some() && written.remove("README.md").is_some());
        let generated = common::generate(&path);
        let expected: BTreeMap<String, Vec<u8>> =
            generated.rendered.objects.iter().map(|(file, d)| (file.clone(), d.yaml.clone().into_bytes())).collect();
        assert_eq!(written.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>(), "{}", path.display());
        for (file, bytes) in &expected {
            assert!(written[file] == *bytes, "{} {file}", path.display());
        }
    }
}

#[test]
fn every_object_carries_the_network_selector_and_the_prune_command_covers_every_kind() {
    for_each_example(|name, generated, objs| {
        let network = &generated.network.name;
        for (file, obj) in objs {
            let labels = &obj["metadata"]["labels"];
            assert_eq!(labels["app.kubernetes.io/part-of"], network.as_str(), "{name} {file}");
            assert_eq!(labels["app.kubernetes.io/managed-by"], "fabgen", "{name} {file}");
        }
        let command = fabgen::output::manifests::prune_command(&generated.rendered, network);
        assert!(
            command.contains(&format!("-l app.kubernetes.io/part-of={network},app.kubernetes.io/managed-by=fabgen ")),
            "{command}"
        );
        for obj in objs.values() {
            let (api_version, kind) = (obj["apiVersion"].as_str().unwrap(), obj["kind"].as_str().unwrap());
            let group_version =
                if api_version.contains('/') { api_version.to_string() } else { format!("core/{api_version}") };
            let listed = command.contains(&format!("--prune-allowlist={group_version}/{kind}"));
            assert_eq!(listed, !matches!(kind, "Namespace" | "Secret"), "{name}: {kind} in {command}");
        }
    });
}

#[test]
fn nothing_mounts_the_docker_socket_or_the_host() {
    for_each_example(|name, generated, objs| {
        let stream = fabgen::output::manifests::stream(&generated.rendered);
        assert!(!stream.contains("docker.sock"), "{name} mentions docker.sock");
        assert!(!stream.contains("hostPath"), "{name} uses hostPath");
        for (file, obj) in objs {
            for pod in common::pod_specs(obj) {
                for flag in ["hostNetwork", "hostPID", "hostIPC"] {
                    assert!(pod.get(flag).is_none_or(|v| v == false), "{name} {file}: {flag}");
                }
                for c in pod["containers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .chain(pod["initContainers"].as_array().into_iter().flatten())
                {
                    assert_ne!(c["securityContext"]["privileged"], true, "{name} {file} privileged");
                }
            }
        }
    });
}

#[test]
fn every_pod_meets_pod_security_restricted() {
    for_each_example(|name, generated, objs| {
        let mut pods = 0;
        for (file, obj) in objs {
            for pod in common::pod_specs(obj) {
                pods += 1;
                let sc = &pod["securityContext"];
                assert_eq!(sc["runAsNonRoot"], true, "{name} {file}");
                assert!(sc["runAsUser"].as_u64().unwrap() >= 10000, "{name} {file}");
                assert_eq!(sc["seccompProfile"]["type"], "RuntimeDefault", "{name} {file}");
                // Only peers whose launcher drives the Kubernetes API get a token.
                let launcher_peer = obj["kind"] == "StatefulSet"
                    && generated
                        .network
                        .orgs
                        .iter()
                        .any(|o| o.api_access && o.peers.iter().any(|p| p.name == obj["metadata"]["name"]));
                assert_eq!(pod["automountServiceAccountToken"], launcher_peer, "{name} {file}");
                for volume in pod["volumes"].as_array().into_iter().flatten() {
                    let kinds: Vec<&String> = volume.as_object().unwrap().keys().filter(|k| *k != "name").collect();
                    let allowed = ["configMap", "secret", "emptyDir", "persistentVolumeClaim", "projected"];
                    assert!(kinds.iter().all(|k| allowed.contains(&k.as_str())), "{name} {file}: volume {volume}");
                }
                let init = pod["initContainers"].as_array().cloned().unwrap_or_default();
                for c in pod["containers"].as_array().unwrap().iter().chain(&init) {
                    let csc = &c["securityContext"];
                    assert_eq!(csc["allowPrivilegeEscalation"], false, "{name} {file} {}", c["name"]);
                    assert_eq!(csc["readOnlyRootFilesystem"], true, "{name} {file} {}", c["name"]);
                    assert_eq!(csc["capabilities"]["drop"], serde_json::json!(["ALL"]), "{name} {file}");
                    assert!(csc["capabilities"].get("add").is_none(), "{name} {file}");
                    for kind in ["requests", "limits"] {
                        for res in ["cpu", "memory"] {
                            assert!(
                                c["resources"][kind][res].is_string(),
                                "{name} {file} {} lacks {kind}.{res}",
                                c["name"]
                            );
                        }
                    }
                }
                // Init containers and Jobs run to completion; probes belong to long-running
                // containers.
                let long_running = obj["kind"] != "Job";
                for c in pod["containers"].as_array().unwrap().iter().filter(|_| long_running) {
                    assert!(
                        c.get("readinessProbe").is_some() && c.get("livenessProbe").is_some(),
                        "{name} {file} probes"
                    );
                }
            }
        }
        assert!(pods > 0, "{name} renders pods");
    });
}

#[test]
fn service_accounts_get_no_api_token() {
    for_each_example(|name, _, objs| {
        for (file, obj) in objs.iter().filter(|(_, o)| o["kind"] == "ServiceAccount") {
            assert_eq!(obj["automountServiceAccountToken"], false, "{name} {file}");
        }
        assert!(!objs.values().any(|o| matches!(o["kind"].as_str(), Some("ClusterRole" | "ClusterRoleBinding"))));
    });
}

#[test]
fn namespace_enforces_pod_security_restricted() {
    for_each_example(|name, generated, objs| {
        let ns = &objs[&format!("namespace-{}.yaml", generated.network.namespace)];
        // k8scc launches pods without a securityContext into the network's namespace.
        let k8scc = generated.network.orgs.iter().any(|o| o.k8scc.is_some());
        let level = if k8scc { "baseline" } else { "restricted" };
        assert_eq!(ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"], level, "{name}");
        assert_eq!(ns["metadata"]["labels"]["pod-security.kubernetes.io/warn"], "restricted", "{name}");
        assert_eq!(ns["metadata"]["labels"]["pod-security.kubernetes.io/audit"], "restricted", "{name}");
        let chaincode_namespaces: Vec<&str> = generated
            .network
            .orgs
            .iter()
            .filter_map(|o| o.k8s_builder.as_ref())
            .map(|b| b.namespace.as_str())
            .collect();
        for obj in objs.values().filter(|o| o["kind"] != "Namespace") {
            let namespace = obj["metadata"]["namespace"].as_str().unwrap();
            assert!(
                namespace == generated.network.namespace || chaincode_namespaces.contains(&namespace),
                "{name}: {namespace}"
            );
        }
        for cc_ns in chaincode_namespaces {
            let ns = &objs[&format!("namespace-{cc_ns}.yaml")];
            assert_eq!(ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"], "baseline", "{name}");
            assert_eq!(ns["metadata"]["labels"]["pod-security.kubernetes.io/warn"], "restricted", "{name}");
        }
    });
}

/// core.yaml as the peer will read it.
fn core_yaml(objs: &BTreeMap<String, serde_json::Value>, org: &str) -> serde_yaml::Value {
    let cm = &objs[&format!("configmap-{org}-peer-config.yaml")];
    serde_yaml::from_str(cm["data"]["core.yaml"].as_str().unwrap()).unwrap()
}

#[test]
fn core_yaml_lists_exactly_the_builders_each_org_needs_and_no_docker_endpoint() {
    for_each_example(|name, generated, objs| {
        for org in &generated.network.orgs {
            let core = core_yaml(objs, &org.name);
            assert!(core["vm"].get("endpoint").is_none(), "{name} {}: vm.endpoint must be removed", org.name);
            let builders = core["chaincode"]["externalBuilders"].as_sequence().unwrap();
            let summary: Vec<(String, String, Vec<String>)> = builders
                .iter()
                .map(|b| {
                    let keys: Vec<&str> = b.as_mapping().unwrap().keys().map(|k| k.as_str().unwrap()).collect();
                    // The peer silently ignores unknown keys such as environmentWhitelist or a typo.
                    assert_eq!(keys, ["name", "path", "propagateEnvironment"], "{name}");
                    let env = b["propagateEnvironment"]
                        .as_sequence()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap().to_string())
                        .collect();
                    (b["name"].as_str().unwrap().to_string(), b["path"].as_str().unwrap().to_string(), env)
                })
                .collect();
            let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<String>>();
            let mut expected =
                vec![("fabgen".to_string(), "/opt/fabgen/builder".to_string(), strings(&["FABGEN_CHAINCODE_TLS_DIR"]))];
            if org.k8scc.is_some() {
                expected.push((
                    "k8scc".into(),
                    "/opt/k8scc".into(),
                    strings(&["KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT", "K8SCC_CFGFILE"]),
                ));
            }
            if org.k8s_builder.is_some() {
                expected.push((
                    "k8s_builder".into(),
                    "/opt/hyperledger/k8s_builder".into(),
                    strings(&[
                        "CORE_PEER_ID",
                        "KUBERNETES_SERVICE_HOST",
                        "KUBERNETES_SERVICE_PORT",
                        "FABRIC_K8S_BUILDER_NAMESPACE",
                        "FABRIC_K8S_BUILDER_SERVICE_ACCOUNT",
                        "FABRIC_K8S_BUILDER_OBJECT_NAME_PREFIX",
                        "FABRIC_K8S_BUILDER_START_TIMEOUT",
                    ]),
                ));
            }
            expected.push((
                "ccaas_builder".into(),
                "/opt/hyperledger/ccaas_builder".into(),
                strings(&["CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG"]),
            ));
            assert_eq!(summary, expected, "{name} {}: exactly the builders its chaincodes need", org.name);
            // Every propagated variable is set on the peer (the kubelet sets KUBERNETES_SERVICE_*
            // itself; FABGEN_CHAINCODE_TLS_DIR only where chaincode TLS is used).
            for peer in &org.peers {
                let sts = &objs[&format!("statefulset-{}.yaml", peer.name)];
                let container = &sts["spec"]["template"]["spec"]["containers"][0];
                let set: Vec<&str> =
                    container["env"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
                for (builder, _, env) in &summary {
                    for var in env {
                        let optional = var.starts_with("KUBERNETES_SERVICE_")
                            || (var == "FABGEN_CHAINCODE_TLS_DIR" && !org.chaincode_tls);
                        assert!(optional || set.contains(&var.as_str()), "{name} {}: {builder} needs {var}", peer.name);
                    }
                }
                if let Some(k8scc) = &org.k8scc {
                    let pod = &sts["spec"]["template"]["spec"];
                    assert_eq!(mount(container, "k8scc-bin").unwrap()["mountPath"], "/opt/k8scc/bin");
                    assert!(pod["initContainers"].as_array().unwrap().iter().any(|c| c["name"] == "install-k8scc"));
                    let transfer = volume(pod, "k8scc-transfer").unwrap();
                    assert_eq!(transfer["persistentVolumeClaim"]["claimName"], k8scc.transfer_claim.as_str());
                }
                if org.k8s_builder.is_some() {
                    let image = container["image"].as_str().unwrap();
                    assert!(image.contains("fabric-builder-k8s/k8s-fabric-peer"), "{name}: {image} lacks the builder");
                }
            }
            // Every peer mounts the builder ConfigMap at <path>/bin, executable.
            for peer in &org.peers {
                let sts = &objs[&format!("statefulset-{}.yaml", peer.name)];
                let pod = &sts["spec"]["template"]["spec"];
                let mount = pod["containers"][0]["volumeMounts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|m| m["name"] == "builder")
                    .unwrap();
                assert_eq!(mount["mountPath"], "/opt/fabgen/builder/bin");
                let volume = pod["volumes"].as_array().unwrap().iter().find(|v| v["name"] == "builder").unwrap();
                assert_eq!(volume["configMap"]["name"], org.builder_config_map.as_str());
                assert_eq!(volume["configMap"]["defaultMode"], 0o555);
                let env = pod["containers"][0]["env"].as_array().unwrap();
                let cfg = env.iter().find(|e| e["name"] == "FABRIC_CFG_PATH").unwrap();
                let config_mount = pod["containers"][0]["volumeMounts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|m| m["name"] == "config")
                    .unwrap();
                assert_eq!(cfg["value"], config_mount["mountPath"], "{name}: the peer reads our core.yaml");
            }
            let scripts = &objs[&format!("configmap-{}.yaml", org.builder_config_map)]["data"];
            for script in ["detect", "build", "release"] {
                assert!(scripts[script].as_str().unwrap().starts_with("#!/bin/sh\n"), "{name} {script}");
            }
        }
    });
}

fn untar(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = tar::Archive::new(GzDecoder::new(bytes));
    archive
        .entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            (e.path().unwrap().to_string_lossy().into_owned(), data)
        })
        .collect()
}

fn env_value(container: &serde_json::Value, name: &str) -> String {
    container["env"].as_array().unwrap().iter().find(|e| e["name"] == name).unwrap_or_else(|| panic!("no {name}"))["value"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn chaincode_deployments_carry_the_id_of_the_package_their_org_installs() {
    for_each_example(|name, generated, objs| {
        let mut checked = 0;
        for cc in &generated.network.chaincodes {
            for d in &cc.deployments {
                let cm = &objs[&format!("configmap-{}-chaincode-packages.yaml", d.org)];
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(cm["binaryData"][&d.package_file].as_str().unwrap())
                    .unwrap();
                let hex: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
                let expected_id = format!("{}:{hex}", cc.label);
                let deployment = &objs[&format!("deployment-{}.yaml", d.name)];
                let container = &deployment["spec"]["template"]["spec"]["containers"][0];
                for var in ["CHAINCODE_ID", "CORE_CHAINCODE_ID", "CORE_CHAINCODE_ID_NAME"] {
                    assert_eq!(env_value(container, var), expected_id, "{name} {} {var}", d.name);
                }
                for var in ["CHAINCODE_SERVER_ADDRESS", "CORE_CHAINCODE_ADDRESS"] {
                    assert_eq!(env_value(container, var), format!("0.0.0.0:{}", d.port), "{name} {var}");
                }

                // The package points the peer at this Deployment's Service.
                let outer = untar(&bytes);
                let meta: serde_json::Value = serde_json::from_slice(&outer["metadata.json"]).unwrap();
                assert_eq!(meta["label"], cc.label.as_str());
                assert_eq!(meta["type"], "fabgen-ccaas");
                let code = untar(&outer["code.tar.gz"]);
                let conn: serde_json::Value = serde_json::from_slice(&code["connection.json"]).unwrap();
                let service = &objs[&format!("service-{}.yaml", d.name)];
                assert_eq!(service["spec"]["ports"][0]["port"], d.port);
                assert_eq!(conn["address"], format!("{}.{}:{}", d.name, generated.network.namespace, d.port));
                assert!(conn["tls_required"].is_boolean() && conn["client_auth_required"].is_boolean());
                checked += 1;
            }
        }
        let expected: usize = generated.network.chaincodes.iter().map(|c| c.deployments.len()).sum();
        assert_eq!(checked, expected, "{name}");
    });
}

#[test]
fn tutorial_matches_the_seed_network() {
    let generated = common::generate(&common::root().join("values/tutorial.yaml"));
    let objs = objects(&generated);
    assert_eq!(generated.network.namespace, "hyperledger");
    for file in [
        "statefulset-orderer0.yaml",
        "statefulset-orderer1.yaml",
        "statefulset-orderer2.yaml",
        "statefulset-peer0-org1.yaml",
        "statefulset-peer0-org2.yaml",
        "deployment-ca-org1.yaml",
        "deployment-ca-org2.yaml",
    ] {
        assert!(objs.contains_key(file), "{file}");
    }
    let addresses: Vec<String> =
        generated.network.chaincodes.iter().flat_map(|c| c.deployments.iter().map(|d| d.address.clone())).collect();
    assert_eq!(
        addresses,
        [
            "chaincode-marbles-org1.hyperledger:7052",
            "chaincode-marbles-org2.hyperledger:7052",
            "chaincode-fabcar-org1.hyperledger:7052",
            "chaincode-fabcar-org2.hyperledger:7052"
        ]
    );
}

fn mount<'a>(container: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    container["volumeMounts"].as_array().unwrap().iter().find(|m| m["name"] == name)
}

fn volume<'a>(pod: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    pod["volumes"].as_array().unwrap().iter().find(|v| v["name"] == name)
}

#[test]
fn chaincode_tls_is_mutual_and_wired_on_both_sides() {
    for_each_example(|name, generated, objs| {
        for cc in &generated.network.chaincodes {
            for d in &cc.deployments {
                let pod = &objs[&format!("deployment-{}.yaml", d.name)]["spec"]["template"]["spec"];
                let container = &pod["containers"][0];
                let has_env = |var: &str| container["env"].as_array().unwrap().iter().any(|e| e["name"] == var);
                if d.tls {
                    assert_eq!(env_value(container, "CHAINCODE_TLS_DISABLED"), "false", "{name} {}", d.name);
                    let m = mount(container, "chaincode-tls").unwrap();
                    assert_eq!(m["readOnly"], true);
                    let dir = m["mountPath"].as_str().unwrap();
                    for (var, file) in [
                        ("CHAINCODE_TLS_CERT", "tls.crt"),
                        ("CHAINCODE_TLS_KEY", "tls.key"),
                        ("CHAINCODE_CLIENT_CA_CERT", "ca.crt"),
                        ("CORE_CHAINCODE_TLS_CERT_FILE", "tls.crt"),
                        ("CORE_CHAINCODE_TLS_KEY_FILE", "tls.key"),
                        ("CORE_CHAINCODE_TLS_CLIENT_CACERT_FILE", "ca.crt"),
                    ] {
                        assert_eq!(env_value(container, var), format!("{dir}/{file}"), "{name} {var}");
                    }
                    assert_eq!(volume(pod, "chaincode-tls").unwrap()["secret"]["secretName"], d.tls_secret.as_str());
                    // The org's peers carry the client side and tell the builder where it is.
                    let org = generated.network.orgs.iter().find(|o| o.name == d.org).unwrap();
                    for peer in &org.peers {
                        let ppod = &objs[&format!("statefulset-{}.yaml", peer.name)]["spec"]["template"]["spec"];
                        let pc = &ppod["containers"][0];
                        let m = mount(pc, "chaincode-tls")
                            .unwrap_or_else(|| panic!("{name} {} lacks client TLS", peer.name));
                        assert_eq!(env_value(pc, "FABGEN_CHAINCODE_TLS_DIR"), m["mountPath"].as_str().unwrap());
                        assert_eq!(
                            volume(ppod, "chaincode-tls").unwrap()["secret"]["secretName"],
                            org.chaincode_client_tls_secret.as_str()
                        );
                    }
                } else {
                    assert_eq!(env_value(container, "CHAINCODE_TLS_DISABLED"), "true");
                    assert!(mount(container, "chaincode-tls").is_none() && !has_env("CHAINCODE_TLS_CERT"));
                }
            }
        }
    });
}

#[test]
fn cert_manager_certificates_cover_every_tls_secret_the_pods_mount() {
    let with_cert_manager = std::cell::Cell::new(0);
    for_each_example(|name, generated, objs| {
        let certs: Vec<&serde_json::Value> = objs.values().filter(|o| o["kind"] == "Certificate").collect();
        let uses_cert_manager = !certs.is_empty();
        for org in &generated.network.orgs {
            assert_eq!(org.certificates.is_some(), uses_cert_manager && org.chaincode_tls, "{name} {}", org.name);
        }
        if !uses_cert_manager {
            return;
        }
        with_cert_manager.set(with_cert_manager.get() + 1);
        let secrets: BTreeMap<&str, &serde_json::Value> =
            certs.iter().map(|c| (c["spec"]["secretName"].as_str().unwrap(), *c)).collect();
        for d in generated.network.chaincodes.iter().flat_map(|c| &c.deployments).filter(|d| d.tls) {
            let cert = secrets[d.tls_secret.as_str()];
            let sans = cert["spec"]["dnsNames"].as_array().unwrap();
            let host = d.address.rsplit_once(':').unwrap().0;
            assert!(sans.iter().any(|s| s == host), "{name}: {host} not in {sans:?}");
            assert!(cert["spec"]["usages"].as_array().unwrap().iter().any(|u| u == "server auth"));
            let client = secrets[format!("{}-chaincode-client-tls", d.org).as_str()];
            assert!(client["spec"]["usages"].as_array().unwrap().iter().any(|u| u == "client auth"));
            // Both sides are signed by the same issuer, so each ca.crt verifies the other.
            assert_eq!(cert["spec"]["issuerRef"], client["spec"]["issuerRef"]);
        }
    });
    assert!(with_cert_manager.get() > 0, "an example uses cert-manager");
}

/// Gossip inside an org: each peer bootstraps from its org-mates only, never from itself; an
/// only peer is its org's static leader, several peers elect one (fabric docs/source/gossip.rst:
/// `useLeaderElection`/`orgLeader` true together is an error).
#[test]
fn gossip_bootstraps_from_other_peers_and_leads_as_fabric_recommends() {
    for_each_example(|name, generated, objs| {
        for org in &generated.network.orgs {
            let addresses: Vec<String> = org.peers.iter().map(|p| p.address.clone()).collect();
            for peer in &org.peers {
                let set = &objs[&format!("statefulset-{}.yaml", peer.name)];
                let env = &set["spec"]["template"]["spec"]["containers"][0]["env"];
                let value = |key: &str| {
                    env.as_array()
                        .unwrap()
                        .iter()
                        .find(|e| e["name"] == key)
                        .map(|e| e["value"].as_str().unwrap().to_string())
                };
                let mut others: Vec<String> = addresses.iter().filter(|a| **a != peer.address).cloned().collect();
                let bootstrap: Vec<String> = value("CORE_PEER_GOSSIP_BOOTSTRAP")
                    .map(|b| b.split_whitespace().map(str::to_string).collect())
                    .unwrap_or_default();
                others.sort();
                let mut got = bootstrap.clone();
                got.sort();
                assert_eq!(got, others, "{name} {}", peer.name);
                // Leader election among several peers of an org where the release gossips blocks
                // (2.5); from Fabric 3 on (block gossip off, release_notes/v3.0.0.md) every peer
                // leads and pulls blocks from the orderers itself.
                let fabric3 = generated.network.fabric_version.starts_with("3.");
                let several = addresses.len() > 1 && !fabric3;
                assert_eq!(
                    value("CORE_PEER_GOSSIP_USELEADERELECTION").as_deref(),
                    Some(if several { "true" } else { "false" })
                );
                assert_eq!(
                    value("CORE_PEER_GOSSIP_ORGLEADER").as_deref(),
                    Some(if several { "false" } else { "true" })
                );
            }
            // With no env override the peer reads core.yaml, whose bootstrap names nobody.
            let config = &objs[&format!("configmap-{}.yaml", org.peer_config_map)];
            let core: serde_yaml::Value = serde_yaml::from_str(config["data"]["core.yaml"].as_str().unwrap()).unwrap();
            assert_eq!(core["peer"]["gossip"]["bootstrap"], serde_yaml::Value::String(String::new()), "{name}");
        }
        assert!(
            generated.network.orgs.iter().any(|o| o.peers.len() > 1)
                || !["multi-org.yaml", "fabric3.yaml"].contains(&name)
        );
    });
}

/// Every empty list and map in `value`, by path (`/spec/egress`).
fn empties(value: &serde_json::Value, at: &str, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Array(items) if items.is_empty() => out.push(at.to_string()),
        serde_json::Value::Object(map) if map.is_empty() => out.push(at.to_string()),
        serde_json::Value::Array(items) => {
            items.iter().enumerate().for_each(|(i, v)| empties(v, &format!("{at}/{i}"), out))
        }
        serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| empties(v, &format!("{at}/{k}"), out)),
        _ => {}
    }
}

/// A second `kubectl apply` (and a GitOps diff) sees nothing to do only if each manifest is what
/// the API server stores: no empty list or map, which it drops (Go's omitempty, or a nil slice
/// or map after etcd; a real 1.28 server dropped `egress: []` and every apply put it back), and,
/// inside a StatefulSet's volumeClaimTemplates, which kubectl replaces whole, every field the
/// server defaults there (what a real server returned: apiVersion, kind, a null
/// creationTimestamp, volumeMode, status.phase). The empty objects left are structs, which the
/// server keeps.
#[test]
fn every_object_is_what_the_api_server_stores() {
    let structs = ["emptyDir", "podSelector", "selfSigned"];
    let claims = std::cell::Cell::new(0);
    for_each_example(|name, _, objects| {
        for (file, object) in objects {
            let mut found = Vec::new();
            empties(object, "", &mut found);
            found.retain(|path| !structs.iter().any(|s| path.ends_with(&format!("/{s}"))));
            assert!(found.is_empty(), "{name} {file}: empty {found:?}");
            for claim in object["spec"]["volumeClaimTemplates"].as_array().into_iter().flatten() {
                assert_eq!(claim["apiVersion"], "v1", "{name} {file}");
                assert_eq!(claim["kind"], "PersistentVolumeClaim", "{name} {file}");
                assert!(claim["metadata"].as_object().unwrap().contains_key("creationTimestamp"), "{name} {file}");
                assert_eq!(claim["metadata"]["creationTimestamp"], serde_json::Value::Null, "{name} {file}");
                assert_eq!(claim["spec"]["volumeMode"], "Filesystem", "{name} {file}");
                assert_eq!(claim["status"], serde_json::json!({"phase": "Pending"}), "{name} {file}");
                claims.set(claims.get() + 1);
            }
        }
    });
    // Every peer and orderer of every example has a ledger claim; CouchDB peers have two.
    assert!(claims.get() >= 30, "{} claims", claims.get());
}

/// `(module, version)` of every requirement of a go.mod, in both the one-line and the block form.
fn go_requirements(go_mod: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in go_mod.lines().map(|l| l.split("//").next().unwrap().trim()) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["require", "("] => in_block = true,
            [")"] => in_block = false,
            ["require", module, version] => out.push((module.to_string(), version.to_string())),
            [module, version] if in_block => out.push((module.to_string(), version.to_string())),
            _ => {}
        }
    }
    out
}

/// Fabric builds Go chaincode with `go build -mod=readonly` (core/chaincode/platforms/golang
/// platform.go), which fails on any module go.mod requires without a go.sum line: `h1:` for its
/// content and `/go.mod h1:` for its go.mod (the module graph). Every Go source an example
/// packages has both for every requirement, each a SHA-256 in base64.
#[test]
fn every_go_chaincode_source_has_go_sum_entries_for_every_requirement() {
    let hash = regex::Regex::new(r"^h1:[A-Za-z0-9+/]{43}=$").unwrap();
    let mut sources = 0;
    for entry in walkdir::WalkDir::new(common::root().join("values/chaincode")) {
        let entry = entry.unwrap();
        if entry.file_name() != "go.mod" {
            continue;
        }
        let dir = entry.path().parent().unwrap();
        let go_mod = std::fs::read_to_string(entry.path()).unwrap();
        let go_sum = std::fs::read_to_string(dir.join("go.sum"))
            .unwrap_or_else(|_| panic!("{}: go.mod without go.sum", dir.display()));
        let lines: BTreeMap<(String, String), String> = go_sum
            .lines()
            .map(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                assert_eq!(w.len(), 3, "{}: {l}", dir.display());
                assert!(hash.is_match(w[2]), "{}: {l}", dir.display());
                ((w[0].to_string(), w[1].to_string()), w[2].to_string())
            })
            .collect();
        let required = go_requirements(&go_mod);
        assert!(required.iter().any(|(m, _)| m == "github.com/hyperledger/fabric-contract-api-go/v2"), "{go_mod}");
        for (module, version) in required {
            for v in [version.clone(), format!("{version}/go.mod")] {
                assert!(
                    lines.contains_key(&(module.clone(), v.clone())),
                    "{}: no go.sum line for {module} {v}",
                    dir.display()
                );
            }
        }
        sources += 1;
    }
    assert!(sources >= 1);
}

#[test]
fn go_requirements_are_read_in_both_forms() {
    let reqs = go_requirements("module m\n\nrequire a.b/c v1.0.0\nrequire (\n\tx.y/z v0.1.0 // indirect\n)\n");
    assert_eq!(reqs, [("a.b/c".into(), "v1.0.0".into()), ("x.y/z".into(), "v0.1.0".into())]);
}

/// In a network across clusters one list of external names feeds every place that names a
/// node to other organisations: each peer's gossip external endpoint, its org's anchor peers,
/// each orderer's `OrdererEndpoints` and consenter `Host:Port`, and each node's TLSRoute
/// hostname; no Service name (`<service>.<namespace>`) is left in the channel config or among
/// anchor peers, where other clusters could not resolve it.
#[test]
fn across_clusters_every_place_names_a_node_by_its_external_name() {
    let example = common::root().join("values/consortium.yaml");
    let generated = common::generate(&example);
    let network = &generated.network;
    let objects = objects(&generated);
    let env = |object: &serde_json::Value, name: &str| -> Option<String> {
        object["spec"]["template"]["spec"]["containers"][0]["env"]
            .as_array()?
            .iter()
            .find(|e| e["name"] == name)
            .and_then(|e| e["value"].as_str().map(str::to_string))
    };
    // The host a node's exposure routes (by SNI), or, for a load balancer or node port, none:
    // its Service `<node>-external` must then exist.
    let route_host = |service: &str| -> serde_json::Value {
        if let Some(route) = objects.get(&format!("tlsroute-{service}.yaml")) {
            return route["spec"]["hostnames"][0].clone();
        }
        if let Some(ingress) = objects.get(&format!("ingress-{service}.yaml")) {
            return ingress["spec"]["rules"][0]["host"].clone();
        }
        assert!(objects.contains_key(&format!("service-{service}-external.yaml")), "{service} is exposed");
        serde_json::Value::Null
    };
    let routes = |service: &str, host: &str| {
        let routed = route_host(service);
        assert!(routed.is_null() || routed == host, "{service}: {routed} for {host}");
    };
    let internal = format!(".{}:", network.namespace);
    for org in &network.orgs {
        let mut anchors = Vec::new();
        for peer in &org.peers {
            let external = peer.external.as_ref().expect("every node has an external name across clusters");
            let sts = &objects[&format!("statefulset-{}.yaml", peer.name)];
            assert_eq!(env(sts, "CORE_PEER_GOSSIP_EXTERNALENDPOINT").as_deref(), Some(external.address.as_str()));
            routes(&peer.name, &external.host);
            anchors.push(external.address.clone());
        }
        for (file, job) in
            objects.iter().filter(|(f, _)| f.starts_with("job-channel-") && f.contains(&format!("-join-{}-", org.name)))
        {
            assert_eq!(env(job, "ANCHOR_PEERS"), Some(anchors.join(" ")), "{file}");
        }
    }
    let configtx = objects[&format!("configmap-{}-configtx.yaml", network.name)]["data"]["configtx.yaml"]
        .as_str()
        .unwrap()
        .to_string();
    for ordering in &network.orderer_orgs {
        for orderer in &ordering.orderers {
            let external = orderer.external.as_ref().unwrap();
            routes(&orderer.name, &external.host);
            assert!(
                configtx.contains(&format!("- \"{}\"", external.address)),
                "{} in OrdererEndpoints",
                external.address
            );
            let (host, port) = external.address.rsplit_once(':').unwrap();
            assert!(configtx.contains(&format!("Host: \"{host}\"\n          Port: {port}")), "{host} as a consenter");
        }
    }
    assert!(!configtx.contains(&internal), "a Service name in the channel config:\n{configtx}");
}
