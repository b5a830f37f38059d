//! What Helm renders of a chart-mode object with the chart's default values: each knob token
//! replaced by what its Helm expression (`crate::output::chart`) makes of the value at its
//! path, that value being the default the manifests render prints (`knobs` computes both). A
//! token stands for a whole scalar (`knob`, `image`, `env_with`) or a whole `token: null`
//! entry (`knob_opt`, `pull_secrets`), which is left out when the value is empty, as Helm's
//! `with` leaves it out.
//!
//! `fabgen chart` checks these objects, so the templates render once, in chart mode; tests
//! prove them equal to the manifests render of every example.

use std::borrow::Cow;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use serde_yaml::{Mapping, Value};

use super::Object;
use super::knobs::{Knob, KnobKind, Knobs, TOKEN_PREFIX, env_entries, is_empty, pull_secret_refs, token_at};
use super::node::{Node, Tree, View};
use crate::model::values::{ImageValues, image_reference};

/// `object` with every knob token replaced by its default (the object itself when it has none).
pub fn with_defaults<'a>(object: &'a Object, knobs: &Knobs) -> Result<Cow<'a, Object>> {
    if !has_token(Node::Yaml(&object.value)) {
        return Ok(Cow::Borrowed(object));
    }
    let value =
        resolve(&object.value, knobs).with_context(|| format!("{}: {} {}", object.origin, object.kind, object.name))?;
    Ok(Cow::Owned(Object {
        api_version: object.api_version.clone(),
        kind: object.kind.clone(),
        name: object.name.clone(),
        namespace: object.namespace.clone(),
        value,
        origin: object.origin.clone(),
    }))
}

/// A tree's [`with_defaults`]: `tree` with every knob token replaced by its default as it is
/// replaced in a value; `None` when that is the value way's to say: a token it refuses, or a
/// default a tree does not hold (a float).
pub fn tree_with_defaults<'t>(tree: &Tree<'t>, knobs: &Knobs) -> Option<Tree<'t>> {
    Some(match tree {
        Tree::Str(s) if token_at(s).is_some() => Tree::owned(scalar(s, knobs).ok()?)?,
        Tree::Seq(items) => Tree::Seq(items.iter().map(|item| tree_with_defaults(item, knobs)).collect::<Option<_>>()?),
        Tree::Map(entries) => Tree::Map(tree_mapping(entries, knobs)?),
        other => other.clone(),
    })
}

fn tree_mapping<'t>(entries: &[(Cow<'t, str>, Tree<'t>)], knobs: &Knobs) -> Option<Vec<(Cow<'t, str>, Tree<'t>)>> {
    let mut out: Vec<(Cow<'t, str>, Tree<'t>)> = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        let (key, value) = if token_at(key).is_some() {
            if !matches!(value, Tree::Null) {
                return None;
            }
            let Some((key, value)) = entry(&*knob(key, knobs).ok()?, knobs).ok()? else { continue };
            (Cow::Owned(key), Tree::owned(value)?)
        } else {
            (key.clone(), tree_with_defaults(value, knobs)?)
        };
        // A key written twice keeps its first place and its last value, as in a serde_yaml mapping.
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, slot)) => *slot = value,
            None => out.push((key, value)),
        }
    }
    Some(out)
}

/// Whether a knob token stands anywhere in `value`, keys included.
pub fn has_token(value: Node) -> bool {
    match value {
        Node::Yaml(Value::Tagged(tagged)) => has_token(Node::Yaml(&tagged.value)),
        Node::Yaml(Value::Mapping(map)) => {
            map.iter().any(|(key, value)| has_token(Node::Yaml(key)) || has_token(Node::Yaml(value)))
        }
        _ => match value.view() {
            View::Str(s) => token_at(s).is_some(),
            View::Seq(items) => items.iter().any(has_token),
            View::Map(entries) => {
                entries.iter().any(|(key, value)| key.is_some_and(|k| token_at(k).is_some()) || has_token(value))
            }
            _ => false,
        },
    }
}

fn resolve(value: &Value, knobs: &Knobs) -> Result<Value> {
    Ok(match value {
        Value::String(s) if s.contains(TOKEN_PREFIX) => scalar(s, knobs)?,
        Value::Sequence(items) => {
            Value::Sequence(items.iter().map(|item| resolve(item, knobs)).collect::<Result<_>>()?)
        }
        Value::Mapping(map) => Value::Mapping(mapping(map, knobs)?),
        Value::Tagged(tagged) => Value::Tagged(Box::new(serde_yaml::value::TaggedValue {
            tag: tagged.tag.clone(),
            value: resolve(&tagged.value, knobs)?,
        })),
        other => other.clone(),
    })
}

fn mapping(map: &Mapping, knobs: &Knobs) -> Result<Mapping> {
    let mut out = Mapping::with_capacity(map.len());
    for (key, value) in map {
        match key.as_str().filter(|k| k.contains(TOKEN_PREFIX)) {
            Some(token) if value.is_null() => {
                if let Some((key, value)) = entry(&*knob(token, knobs)?, knobs)? {
                    out.insert(Value::String(key), value);
                }
            }
            Some(token) => bail!("the knob {token} is a key with a value; a knob key stands alone (`knob_opt`)"),
            None => {
                out.insert(resolve(key, knobs)?, resolve(value, knobs)?);
            }
        }
    }
    Ok(out)
}

/// The knob a whole token stands for.
fn knob(token: &str, knobs: &Knobs) -> Result<Arc<Knob>> {
    let key = token
        .strip_prefix(TOKEN_PREFIX)
        .filter(|key| key.len() == 16 && key.bytes().all(|b| b.is_ascii_hexdigit()))
        .with_context(|| format!("{token:?} holds a knob inside a longer text; a knob stands for a whole value"))?;
    knobs.recorded_knob(key).with_context(|| format!("no knob was recorded for {token}"))
}

/// The default a knob reads.
fn default_of<'a>(knob: &Knob, knobs: &'a Knobs) -> Result<&'a serde_json::Value> {
    knobs.at(&knob.path).with_context(|| format!("no value at {}", knob.path.join(".")))
}

/// A scalar token's value: `{{ … | toJson }}` of the default.
fn scalar(token: &str, knobs: &Knobs) -> Result<Value> {
    let knob = knob(token, knobs)?;
    let default = default_of(&knob, knobs)?;
    Ok(match &knob.kind {
        KnobKind::Value => serde_yaml::to_value(default)?,
        KnobKind::Image => Value::String(image_reference(&serde_json::from_value::<ImageValues>(default.clone())?)),
        KnobKind::Env { base } => serde_yaml::to_value(env_entries(serde_json::from_str(base)?, default))?,
        other => bail!("the knob {other:?} stands on a line of its own, not as a value"),
    })
}

/// A `token: null` entry's key and value, or none when Helm's `with` leaves it out.
fn entry(knob: &Knob, knobs: &Knobs) -> Result<Option<(String, Value)>> {
    let default = default_of(knob, knobs)?;
    if is_empty(default) {
        return Ok(None);
    }
    Ok(Some(match &knob.kind {
        KnobKind::Optional { key } => (key.clone(), serde_yaml::to_value(default)?),
        KnobKind::PullSecrets => ("imagePullSecrets".to_string(), serde_yaml::to_value(pull_secret_refs(default))?),
        other => bail!("the knob {other:?} is a value, not a line of its own"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::knobs::{Mode, split};

    fn knobs() -> std::sync::Arc<Knobs> {
        let spec = crate::spec::SpecSource::embedded().load().unwrap();
        Knobs::new(Mode::Chart, &crate::model::values::defaults(&spec))
    }

    fn object(yaml: &str) -> Object {
        Object {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            name: "x".into(),
            namespace: None,
            value: serde_yaml::from_str(yaml).unwrap(),
            origin: "test".into(),
        }
    }

    /// The value way's defaults, held against the tree way's: the same where the tree way
    /// resolves them, and it leaves to the value way every text the value way refuses.
    fn resolved(yaml: &str, knobs: &Knobs) -> Result<Value> {
        let resolved = with_defaults(&object(yaml), knobs).map(|o| o.value.clone());
        let value: Value = serde_yaml::from_str(yaml).unwrap();
        let tree = Tree::owned(value.clone()).unwrap();
        match (tree_with_defaults(&tree, knobs), &resolved) {
            (Some(tree), Ok(value)) => assert_eq!(&tree.to_value(), value, "{yaml}"),
            (Some(_), Err(e)) => panic!("{yaml}: the tree way resolves what the value way refuses: {e:#}"),
            (None, _) => {}
        }
        resolved
    }

    /// The tree way resolves the defaults of the example's chart-mode objects as the value way.
    #[test]
    fn defaults_on_trees_are_the_defaults_on_values() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let spec = crate::spec::SpecSource::embedded().load().unwrap();
        let (network, _) = crate::model::resolve(&spec).unwrap();
        let knobs = Knobs::new(Mode::Chart, &network.values);
        let resolved = AtomicUsize::new(0);
        let tree = crate::render::keeping_trees(|_, object| {
            if has_token(Node::Tree(&object.tree)) {
                let value = object.tree.to_value();
                let as_object = Object { value, ..object.clone().into_object("test") };
                let expected = with_defaults(&as_object, &knobs).unwrap().value.clone();
                let tree = tree_with_defaults(&object.tree, &knobs).expect("the example's defaults fit a tree");
                assert_eq!(tree.to_value(), expected, "{} {}", object.kind, object.name);
                resolved.fetch_add(1, Ordering::Relaxed);
            }
            Ok(crate::render::Taken::Kept(()))
        });
        crate::render::render_each_tree(
            &crate::render::TemplateSet::embedded(),
            &network,
            &knobs,
            &tree,
            |_, _| Ok(()),
        )
        .unwrap();
        assert!(resolved.into_inner() > 20, "too few objects with knobs");
    }

    #[test]
    fn values_images_and_lines_take_their_defaults_and_empty_lines_go() {
        let knobs = knobs();
        let image = knobs.token(split("cas.image"), KnobKind::Image);
        let resources = knobs.token(split("cas.resources"), KnobKind::Value);
        let selector = knobs.token(split("cas.nodeSelector"), KnobKind::Optional { key: "nodeSelector".into() });
        let replicas = knobs.token(split("chaincodes.fabcar.replicas"), KnobKind::Optional { key: "replicas".into() });
        let text = format!("a: {image}\nb: {resources}\nc: {{{selector}: null, {replicas}: null, d: 1}}\n");
        let expected: Value = serde_yaml::from_str(
            "a: hyperledger/fabric-ca:1.5.22\nb: {limits: {cpu: 500m, memory: 512Mi}, requests: {cpu: 100m, memory: 128Mi}}\nc: {replicas: 1, d: 1}\n",
        )
        .unwrap();
        assert_eq!(resolved(&text, &knobs).unwrap(), expected);
    }

    #[test]
    fn an_object_without_knobs_is_checked_as_it_is() {
        let knobs = knobs();
        let plain = object("a: b\n");
        assert!(matches!(with_defaults(&plain, &knobs).unwrap(), Cow::Borrowed(_)));
    }

    #[test]
    fn a_knob_inside_a_longer_text_or_never_recorded_is_refused() {
        let knobs = knobs();
        let token = knobs.token(split("cas.image"), KnobKind::Image);
        let inside = resolved(&format!("a: x-{token}\n"), &knobs).unwrap_err();
        assert!(format!("{inside:#}").contains("inside a longer text"), "{inside:#}");
        let unknown = resolved(&format!("a: {TOKEN_PREFIX}0123456789abcdef\n"), &knobs).unwrap_err();
        assert!(format!("{unknown:#}").contains("no knob was recorded"), "{unknown:#}");
        let keyed = resolved(&format!("{token}: 1\n"), &knobs).unwrap_err();
        assert!(format!("{keyed:#}").contains("stands alone"), "{keyed:#}");
    }
}
