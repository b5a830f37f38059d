//! Stage 3, rendering: (templates, model) -> Kubernetes objects. Pure: no IO, and the same
//! inputs always give the same bytes.
//!
//! Owns the template set (`templates`: embedded files, the override directory, the minijinja
//! environment), the knob functions templates call (`knobs`: defaults for manifests, tokens for
//! charts), and the objects it produces (`objects`). Templates see `crate::model::Network`
//! only, never the spec.
//!
//! Hands to the next stages (`crate::check`, then `crate::output`) a [`Rendered`]: one parsed
//! object per output file name.

pub mod knobs;
pub mod objects;
pub mod templates;

use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use minijinja::{Environment, Value, context};
use serde::Deserialize;

pub use self::knobs::{Knobs, Mode};
pub use self::objects::{Object, Rendered};
pub use self::templates::TemplateSet;
use self::templates::describe_template_error;
use crate::model::Network;

/// Renders every object of `network`, with knobs as `knobs` says (defaults or chart tokens).
pub fn render(templates: &TemplateSet, network: &Network, knobs: &Arc<Knobs>) -> Result<Rendered> {
    let mut env = templates.environment()?;
    knobs.register(&mut env);
    let net = to_value(network);
    let mut rendered = Rendered::default();

    let mut emit = |template: &str, origin: String, ctx: Value| -> Result<()> {
        let text = render_one(&env, template, ctx).with_context(|| format!("failed to render {origin}"))?;
        for object in split_documents(&text, &origin)? {
            let file = object.file_name();
            if let Some(previous) = rendered.objects.get(&file) {
                bail!("{origin} renders {} {} which {} already rendered", object.kind, object.name, previous.origin);
            }
            rendered.objects.insert(file, object);
        }
        Ok(())
    };

    emit("namespace.yaml", "namespace.yaml".into(), context! { network => net.clone() })?;
    for orderer in &network.orderer_org.orderers {
        emit(
            "orderer.yaml",
            format!("orderer.yaml for {}", orderer.name),
            context! { network => net.clone(), org => to_value(&network.orderer_org), orderer => to_value(orderer) },
        )?;
    }
    for org in &network.orgs {
        let org_value = to_value(org);
        emit(
            "org.yaml",
            format!("org.yaml for {}", org.name),
            context! { network => net.clone(), org => org_value.clone() },
        )?;
        for peer in &org.peers {
            emit(
                "peer.yaml",
                format!("peer.yaml for {}", peer.name),
                context! { network => net.clone(), org => org_value.clone(), peer => to_value(peer) },
            )?;
        }
        if org.k8scc.is_some() {
            emit(
                "k8scc.yaml",
                format!("k8scc.yaml for {}", org.name),
                context! { network => net.clone(), org => org_value.clone() },
            )?;
        }
        if org.k8s_builder.is_some() {
            emit(
                "k8s-builder.yaml",
                format!("k8s-builder.yaml for {}", org.name),
                context! { network => net.clone(), org => org_value.clone() },
            )?;
        }
        if let Some(ca) = &org.ca {
            emit(
                "ca.yaml",
                format!("ca.yaml for {}", ca.name),
                context! { network => net.clone(), org => org_value.clone(), ca => to_value(ca) },
            )?;
        }
    }
    for chaincode in &network.chaincodes {
        for deployment in &chaincode.deployments {
            emit(
                "chaincode.yaml",
                format!("chaincode.yaml for {}", deployment.name),
                context! { network => net.clone(), chaincode => to_value(chaincode), deployment => to_value(deployment) },
            )?;
        }
    }
    for policy in &network.network_policies {
        emit(
            "networkpolicy.yaml",
            format!("networkpolicy.yaml for {}", policy.name),
            context! { network => net.clone(), policy => to_value(policy) },
        )?;
    }
    Ok(rendered)
}

fn to_value<T: serde::Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

fn render_one(env: &Environment<'_>, name: &str, ctx: Value) -> Result<String> {
    let template = env.get_template(name).map_err(|e| anyhow!("{}", describe_template_error(&e)))?;
    template.render(ctx).map_err(|e| anyhow!("{}", describe_template_error(&e)))
}

/// Splits a rendered template into objects; empty documents (from conditionals) are skipped.
fn split_documents(text: &str, origin: &str) -> Result<Vec<Object>> {
    let mut out = Vec::new();
    for (i, doc) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let value = serde_yaml::Value::deserialize(doc).map_err(|e| {
            anyhow!(
                "{origin} produced invalid YAML in document {}: {e}\n--- rendered text ---\n{}",
                i + 1,
                numbered(text)
            )
        })?;
        if value.is_null() {
            continue;
        }
        let field = |path: &[&str]| -> Option<String> {
            let mut v = &value;
            for p in path {
                v = v.get(*p)?;
            }
            v.as_str().map(str::to_string)
        };
        let (Some(api_version), Some(kind), Some(name)) =
            (field(&["apiVersion"]), field(&["kind"]), field(&["metadata", "name"]))
        else {
            bail!("{origin} document {} lacks apiVersion, kind or metadata.name", i + 1);
        };
        out.push(Object {
            namespace: field(&["metadata", "namespace"]),
            api_version,
            kind,
            name,
            value,
            origin: origin.to_string(),
        });
    }
    Ok(out)
}

fn numbered(text: &str) -> String {
    text.lines().enumerate().map(|(i, l)| format!("{:4} | {l}\n", i + 1)).collect()
}
