//! Property tests (proptest): generated specs — counts of orgs, peers, orderers, channels and
//! chaincodes, launchers, CouchDB and CAs, org names up to and past the length limits — and
//! mutations of them. Whatever validation accepts renders, passes the Kubernetes check, renders
//! to the same bytes twice and derives only names Kubernetes accepts; whatever it refuses is an
//! error with positions, never a panic.

use fabgen::render::TemplateSet;
use fabgen::spec::init::{InitOptions, scaffold};
use fabgen::spec::{Launcher, load_spec};
use proptest::prelude::*;
use regex::Regex;

/// A spec text from generated options, its orgs renamed to `names` (cycled).
fn spec_text(options: &InitOptions, names: &[String]) -> String {
    let text = scaffold(options);
    let org = Regex::new(r"\borg(\d+)\b").unwrap();
    org.replace_all(&text, |c: &regex::Captures| {
        let i: usize = c[1].parse().unwrap();
        // Distinct names even when the generated ones repeat.
        format!("{}{i}", names[(i - 1) % names.len()])
    })
    .into_owned()
}

fn options() -> impl Strategy<Value = InitOptions> {
    let counts = (1usize..4, 1usize..3, 1usize..5, 0usize..3, 0usize..3);
    let choices = (any::<bool>(), any::<bool>(), any::<bool>(), 0usize..3, any::<bool>());
    (counts, choices).prop_map(
        |((orgs, peers, orderers, channels, chaincodes), (k8s_builder, couchdb, ca, release, bft))| {
            let fabric_version = ["2.5.16", "3.0.0", "3.1.1"][release].to_string();
            let fabric3 = release > 0;
            // What validation asks of each: BFT on Fabric 3 with 4 or more orderers; the
            // k8s-builder peer image is built on 2.5.
            let bft = bft && fabric3;
            InitOptions {
                name: "prop".into(),
                orgs,
                peers,
                orderers: if bft { orderers.max(4) } else { orderers },
                channels,
                chaincodes,
                launcher: if k8s_builder && !fabric3 { Launcher::K8sBuilder } else { Launcher::Ccaas },
                couchdb,
                ca,
                fabric_version,
                bft,
            }
        },
    )
}

/// Org names from one letter to past what derived names allow.
fn org_names() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec("[a-z][a-z0-9]{0,40}", 1..4)
}

/// Every name and label value a Kubernetes object carries is within the API's limits.
fn assert_names_within_limits(file: &str, object: &serde_json::Value) {
    let metadata = &object["metadata"];
    let name = metadata["name"].as_str().unwrap();
    assert!(name.len() <= 63, "{file}: name {name} has {} characters", name.len());
    let label = Regex::new(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$").unwrap();
    for (key, value) in metadata["labels"].as_object().into_iter().flatten() {
        let value = value.as_str().unwrap();
        assert!(value.len() <= 63 && label.is_match(value), "{file}: label {key}={value}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn what_validation_accepts_renders_checks_and_is_reproducible(options in options(), names in org_names()) {
        let text = spec_text(&options, &names);
        let Ok(spec) = load_spec("prop.yaml", &text) else {
            // Refused (names too long for what they derive): an error, with positions.
            let err = load_spec("prop.yaml", &text).unwrap_err().to_string();
            prop_assert!(err.contains("prop.yaml:"), "{}", err);
            return Ok(());
        };
        let templates = TemplateSet::embedded();
        let first = fabgen::generate(&spec, &templates);
        prop_assert!(first.is_ok(), "a valid spec failed to render: {:#}\n{}", first.unwrap_err(), text);
        let first = first.unwrap();
        let second = fabgen::generate(&spec, &templates).unwrap();
        prop_assert_eq!(
            fabgen::output::manifests::stream(&first.rendered),
            fabgen::output::manifests::stream(&second.rendered)
        );
        for (file, document) in &first.rendered.objects {
            assert_names_within_limits(file, &document.to_json().unwrap());
        }
    }

    #[test]
    fn mutated_specs_give_errors_never_panics(
        options in options(),
        names in org_names(),
        line in any::<prop::sample::Index>(),
        mutation in 0usize..5,
        junk in "[ -~]{0,12}",
    ) {
        let text = spec_text(&options, &names);
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let at = line.index(lines.len());
        match mutation {
            0 => { lines.remove(at); }
            1 => { let copy = lines[at].clone(); lines.insert(at, copy); }
            2 => lines[at] = format!("{}{junk}", lines[at]),
            3 => lines[at] = lines[at].replace(':', &junk),
            _ => lines.truncate(at),
        }
        let mutated = lines.join("\n");
        if let Ok(spec) = load_spec("mutated.yaml", &mutated) {
            // Still valid (a comment changed, say): it must render like any valid spec.
            let generated = fabgen::generate(&spec, &TemplateSet::embedded());
            prop_assert!(generated.is_ok(), "accepted but failed to render: {:#}\n{}", generated.unwrap_err(), mutated);
        }
    }
}

#[test]
fn the_generator_makes_specs_validation_accepts_and_refuses() {
    let options = InitOptions { orgs: 3, peers: 2, channels: 2, chaincodes: 2, ..InitOptions::default() };
    assert!(load_spec("short.yaml", &spec_text(&options, &["a".into()])).is_ok());
    let long = load_spec("long.yaml", &spec_text(&options, &["x".repeat(41)]));
    assert!(long.is_err(), "a 42-character org name derives names Kubernetes refuses");
    assert!(long.unwrap_err().to_string().contains("characters"));
    // Somewhere between, names still fit: the property covers both sides.
    let fits = (1..=41).filter(|n| load_spec("n.yaml", &spec_text(&options, &["o".repeat(*n)])).is_ok()).count();
    assert!(fits > 10 && fits < 41, "{fits} of 41 name lengths accepted");
}
