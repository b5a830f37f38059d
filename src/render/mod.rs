//! Stage 3, rendering: (templates, model) -> Kubernetes objects. Pure: no IO, and the same
//! inputs always give the same bytes.
//!
//! Owns the template set (`templates`: embedded files, the override directory, the minijinja
//! environment), the knob functions templates call (`knobs`: defaults for manifests, tokens for
//! charts), and the objects it produces (`objects`). Templates see `crate::model::Network`
//! only, never the spec.
//!
//! Hands to the next stages (`crate::check`, then `crate::output`) a [`Rendered`]: one parsed
//! object per output file name, or (with [`render_each`]) whatever the caller keeps of each.

pub mod defaults;
mod job_name;
pub mod knobs;
pub mod long_text;
pub mod node;
pub mod objects;
pub mod reader;
mod split;
pub mod templates;
pub mod yaml;

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use minijinja::{Environment, Value, context};
use rayon::prelude::*;

pub use self::knobs::{Knobs, Mode};
pub use self::objects::{Document, Entry, Kinded, Object, Rendered, TreeObject};
use self::split::Read;
pub use self::templates::TemplateSet;
use self::templates::describe_template_error;
use crate::model::Network;
use crate::model::fabric::{ORDERER_PORT, PEER_PORT};

/// Renders every object of `network`, with knobs as `knobs` says (defaults or chart tokens).
pub fn render(templates: &TemplateSet, network: &Network, knobs: &Arc<Knobs>) -> Result<Rendered> {
    render_each(templates, network, knobs, |_, object| Ok(object))
}

/// Renders every object of `network` and hands each, with its file name, to `keep` as soon as
/// it is rendered; what `keep` returns is what the result holds of it (so a caller can check
/// and serialise each object and drop its tree at once). Template instances render in
/// parallel; objects, and the first error, come out in the same order every time.
pub fn render_each<T, F>(templates: &TemplateSet, network: &Network, knobs: &Arc<Knobs>, keep: F) -> Result<Rendered<T>>
where
    T: Send,
    F: Fn(&str, Object) -> Result<T> + Sync,
{
    render_reading(templates, network, knobs, None, keep)
}

/// What a caller of [`render_each_tree`] makes of an object read as a tree, given its file
/// name: what it keeps of it, or the object given back, which its `keep` takes as an
/// [`Object`].
pub type KeepTree<'k, T> = dyn for<'t> Fn(&str, TreeObject<'t>) -> Result<Taken<'t, T>> + Sync + 'k;

/// `keep`, as a [`KeepTree`]: a closure handed here gets the signature that ties the object it
/// may give back to the one it was given.
pub fn keeping_trees<T, F>(keep: F) -> F
where
    F: for<'t> Fn(&str, TreeObject<'t>) -> Result<Taken<'t, T>> + Sync,
{
    keep
}

/// What [`KeepTree`] does with an object.
pub enum Taken<'t, T> {
    /// Kept: this is what is kept of it.
    Kept(T),
    /// Given back, unchanged.
    Left(TreeObject<'t>),
}

/// [`render_each`], handing each document the fast reader reads as a tree (`node`) to `tree`
/// first, which keeps what it can without a `serde_yaml::Value`; the others, and those it
/// leaves, go to `keep` as objects, their values what serde_yaml reads.
pub fn render_each_tree<T, F>(
    templates: &TemplateSet,
    network: &Network,
    knobs: &Arc<Knobs>,
    tree: &KeepTree<T>,
    keep: F,
) -> Result<Rendered<T>>
where
    T: Send,
    F: Fn(&str, Object) -> Result<T> + Sync,
{
    render_reading(templates, network, knobs, Some(tree), keep)
}

fn render_reading<T, F>(
    templates: &TemplateSet,
    network: &Network,
    knobs: &Arc<Knobs>,
    tree: Option<&KeepTree<T>>,
    keep: F,
) -> Result<Rendered<T>>
where
    T: Send,
    F: Fn(&str, Object) -> Result<T> + Sync,
{
    let values = Converted::of(network)?;
    let env = environment(templates, network, &values, knobs)?;
    let instances = instances(network, &values);
    check_scale(instances.len())?;
    let batches: Vec<Result<Vec<Kept<T>>>> = instances
        .into_par_iter()
        // Each rendering thread calls the knob functions through its own copies: a template
        // clones the function it calls, and two threads counting references on one copy
        // took turns for its cache line.
        .map_init(|| thread_environment(&env, knobs), |env, instance| rendered_instance(env, &instance, tree, &keep))
        .collect();
    in_order(batches)
}

/// The objects one template instance renders, each kept as it is read.
fn rendered_instance<T>(
    env: &Environment<'static>,
    instance: &Instance,
    tree: Option<&KeepTree<T>>,
    keep: impl Fn(&str, Object) -> Result<T>,
) -> Result<Vec<Kept<T>>> {
    let Instance { template, origin, .. } = instance;
    let (text, long_texts) = long_text::collecting(|| render_one(env, template, instance.context()));
    let text = text.with_context(|| format!("failed to render {origin}"))?;
    let mut kept = Vec::new();
    split::each_object(&text, &long_texts, origin, tree.is_some(), |read| {
        let (file, what, value) = match read {
            Read::Tree(object) => kept_tree(object, origin, tree, &keep)?,
            Read::Object(object) => kept_object(object, &keep)?,
        };
        kept.push(Kept { file, what, origin: origin.clone(), value });
        Ok(())
    })?;
    Ok(kept)
}

/// An object read as a tree, named (a Job) and kept: by `tree` if it keeps it, else by `keep`.
fn kept_tree<T>(
    mut object: TreeObject,
    origin: &str,
    tree: Option<&KeepTree<T>>,
    keep: impl Fn(&str, Object) -> Result<T>,
) -> Result<(String, String, T)> {
    if object.kind == "Job" {
        job_name::name_tree_by_content(&mut object, origin)?;
    }
    let file = object.file_name();
    let what = format!("{} {}", object.kind, object.name);
    let left = match tree {
        Some(tree) => tree(&file, object)?,
        None => Taken::Left(object),
    };
    let value = match left {
        Taken::Kept(value) => value,
        Taken::Left(object) => keep(&file, object.into_object(origin))?,
    };
    Ok((file, what, value))
}

/// An object read as a value, named (a Job) and kept.
fn kept_object<T>(mut object: Object, keep: impl Fn(&str, Object) -> Result<T>) -> Result<(String, String, T)> {
    if object.kind == "Job" {
        job_name::name_by_content(&mut object)?;
    }
    let file = object.file_name();
    let what = format!("{} {}", object.kind, object.name);
    let value = keep(&file, object)?;
    Ok((file, what, value))
}

/// The kept objects by file name, each file rendered once; else the first error in rendering
/// order: a batch that failed, or an object whose file an earlier object has.
fn in_order<T>(batches: Vec<Result<Vec<Kept<T>>>>) -> Result<Rendered<T>> {
    let mut kept = Vec::new();
    let mut failed = None;
    for batch in batches {
        match batch {
            Ok(batch) => kept.extend(batch),
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    // Sorted by file, stably: the objects of one file lie side by side, in rendering order.
    let mut sorted: Vec<(usize, Kept<T>)> = kept.into_iter().enumerate().collect();
    sorted.sort_by(|(_, a), (_, b)| a.file.cmp(&b.file));
    let again = sorted.windows(2).filter(|w| w[0].1.file == w[1].1.file).min_by_key(|w| w[1].0);
    if let Some([(_, first), (_, Kept { what, origin, .. })]) = again {
        bail!("{origin} renders {what} which {} already rendered", first.origin);
    }
    if let Some(e) = failed {
        return Err(e);
    }
    Ok(Rendered { objects: sorted.into_iter().map(|(_, k)| (k.file, k.value)).collect() })
}

/// The most template instances (about one object each) fabgen renders for one network: a
/// 1000-org network has 32 000 objects.
pub const MAX_INSTANCES: usize = 250_000;

fn check_scale(instances: usize) -> Result<()> {
    if instances > MAX_INSTANCES {
        bail!(
            "the network would render {instances} template instances; fabgen renders at most {MAX_INSTANCES} for one network (split it into several specs)"
        );
    }
    Ok(())
}

/// The network as templates see it, converted once: the whole, and its organisations,
/// ordering organisations and chaincodes as parts of that whole (each template instance and
/// the lookup globals share them rather than converting them again).
struct Converted {
    network: Value,
    orgs: Vec<Value>,
    orderer_orgs: Vec<Value>,
    chaincodes: Vec<Value>,
}

impl Converted {
    fn of(network: &Network) -> Result<Self> {
        let whole = to_value(network);
        let items = |field: &str, expected: usize| -> Result<Vec<Value>> {
            let items: Vec<Value> = whole.get_attr(field)?.try_iter()?.collect();
            if items.len() != expected {
                bail!("the network's {field} converted to {} template values, not {expected}", items.len());
            }
            Ok(items)
        };
        Ok(Converted {
            orgs: items("orgs", network.orgs.len())?,
            orderer_orgs: items("orderer_orgs", network.orderer_orgs.len())?,
            chaincodes: items("chaincodes", network.chaincodes.len())?,
            network: whole,
        })
    }
}

/// The template environment of one network: knobs, and the globals templates share.
fn environment(
    templates: &TemplateSet,
    network: &Network,
    values: &Converted,
    knobs: &Arc<Knobs>,
) -> Result<Environment<'static>> {
    let mut env = templates.environment()?;
    knobs.register(&mut env);
    // Templates look orgs up by name here: filtering `network.orgs` per Job would make the
    // cost of the Jobs grow with the square of the number of orgs.
    env.add_global("orgs_by_name", by_name(network.orgs.iter().map(|o| o.name.as_str()), &values.orgs));
    env.add_global(
        "ordering_by_name",
        by_name(network.orderer_orgs.iter().map(|o| o.name.as_str()), &values.orderer_orgs),
    );
    Ok(env)
}

/// `env` with knob functions of its own (one per rendering thread, [`Knobs::register`]).
fn thread_environment(env: &Environment<'static>, knobs: &Arc<Knobs>) -> Environment<'static> {
    let mut env = env.clone();
    knobs.register(&mut env);
    env
}

/// Converted organisations keyed by their names.
fn by_name<'a>(names: impl Iterator<Item = &'a str>, items: &[Value]) -> Value {
    let map: BTreeMap<String, Value> = names.map(str::to_string).zip(items.iter().cloned()).collect();
    Value::from(map)
}

/// What [`render_each`] keeps of one object until the objects are put in order.
struct Kept<T> {
    file: String,
    what: String,
    origin: String,
    value: T,
}

/// One template rendered with one context.
struct Instance<'a> {
    template: &'static str,
    origin: String,
    /// What instances share (the network, an org, a chaincode), converted once.
    shared: Value,
    /// What only this instance sees (a peer, a Deployment, a policy...), converted as it
    /// renders, so the template values of a large network are never all in memory at once.
    own: Option<(&'static str, Lazy<'a>)>,
}

type Lazy<'a> = Box<dyn Fn() -> Value + Send + Sync + 'a>;

impl Instance<'_> {
    /// The instance's context: its own value beside the shared ones, in one map (a template
    /// looks names up in it dozens of times; merged maps are searched one after the other).
    fn context(&self) -> Value {
        let Some((key, value)) = &self.own else { return self.shared.clone() };
        let shared = self.shared.try_iter().into_iter().flatten();
        let mut map: BTreeMap<Value, Value> =
            shared.filter_map(|name| Some((name.clone(), self.shared.get_item(&name).ok()?))).collect();
        map.insert(Value::from(*key), value());
        Value::from(map)
    }
}

fn own<'a, T: serde::Serialize + Sync>(key: &'static str, value: &'a T) -> Option<(&'static str, Lazy<'a>)> {
    Some((key, Box::new(move || to_value(value))))
}

/// Every template instance of `network`, in a fixed order.
fn instances<'a>(network: &'a Network, values: &Converted) -> Vec<Instance<'a>> {
    let net = values.network.clone();
    let mut instances = Vec::new();
    let mut emit = |template: &'static str, origin: String, shared: Value, own: Option<(&'static str, Lazy<'a>)>| {
        instances.push(Instance { template, origin, shared, own });
    };

    emit("namespace.yaml", "namespace.yaml".into(), context! { network => net.clone() }, None);
    for (ordering, org_value) in network.orderer_orgs.iter().zip(&values.orderer_orgs) {
        for orderer in &ordering.orderers {
            emit(
                "orderer.yaml",
                format!("orderer.yaml for {}", orderer.name),
                context! { network => net.clone(), org => org_value.clone() },
                own("orderer", orderer),
            );
            if ordering.exposure.is_some() {
                let context = context! { network => net.clone(), org => org_value.clone(), port => ORDERER_PORT, component => "orderer" };
                emit("exposure.yaml", format!("exposure.yaml for {}", orderer.name), context, own("node", orderer));
            }
        }
    }
    for (org, org_value) in network.orgs.iter().zip(&values.orgs) {
        emit(
            "org.yaml",
            format!("org.yaml for {}", org.name),
            context! { network => net.clone(), org => org_value.clone() },
            None,
        );
        for peer in &org.peers {
            emit(
                "peer.yaml",
                format!("peer.yaml for {}", peer.name),
                context! { network => net.clone(), org => org_value.clone() },
                own("peer", peer),
            );
            if org.exposure.is_some() {
                let context = context! { network => net.clone(), org => org_value.clone(), port => PEER_PORT, component => "peer" };
                emit("exposure.yaml", format!("exposure.yaml for {}", peer.name), context, own("node", peer));
            }
        }
        if org.k8scc.is_some() {
            emit(
                "k8scc.yaml",
                format!("k8scc.yaml for {}", org.name),
                context! { network => net.clone(), org => org_value.clone() },
                None,
            );
        }
        if org.k8s_builder.is_some() {
            emit(
                "k8s-builder.yaml",
                format!("k8s-builder.yaml for {}", org.name),
                context! { network => net.clone(), org => org_value.clone() },
                None,
            );
        }
        if let Some(ca) = &org.ca {
            emit(
                "ca.yaml",
                format!("ca.yaml for {}", ca.name),
                context! { network => net.clone(), org => org_value.clone() },
                own("ca", ca),
            );
        }
    }
    if network.configtx.is_some() {
        emit("channels.yaml", "channels.yaml".into(), context! { network => net.clone() }, None);
    }
    for public in network.custody.iter().flat_map(|c| &c.public) {
        emit(
            "public.yaml",
            format!("public.yaml for {}", public.org),
            context! { network => net.clone() },
            own("public", public),
        );
    }
    for channel in &network.channels {
        emit(
            "channel-jobs.yaml",
            format!("channel-jobs.yaml for {}", channel.name),
            context! { network => net.clone() },
            own("channel", channel),
        );
        if channel.update.is_some() {
            emit(
                "channel-update.yaml",
                format!("channel-update.yaml for {}", channel.name),
                context! { network => net.clone() },
                own("channel", channel),
            );
        }
    }
    for (chaincode, chaincode_value) in network.chaincodes.iter().zip(&values.chaincodes) {
        emit(
            "chaincode-lifecycle.yaml",
            format!("chaincode-lifecycle.yaml for {}", chaincode.name),
            context! { network => net.clone(), chaincode => chaincode_value.clone() },
            None,
        );
        for deployment in &chaincode.deployments {
            emit(
                "chaincode.yaml",
                format!("chaincode.yaml for {}", deployment.name),
                context! { network => net.clone(), chaincode => chaincode_value.clone() },
                own("deployment", deployment),
            );
        }
    }
    for budget in &network.disruption_budgets {
        emit(
            "pdb.yaml",
            format!("pdb.yaml for {}", budget.name),
            context! { network => net.clone() },
            own("budget", budget),
        );
    }
    for monitor in &network.service_monitors {
        emit(
            "servicemonitor.yaml",
            format!("servicemonitor.yaml for {}", monitor.name),
            context! { network => net.clone() },
            own("monitor", monitor),
        );
    }
    for policy in &network.network_policies {
        emit(
            "networkpolicy.yaml",
            format!("networkpolicy.yaml for {}", policy.name),
            context! { network => net.clone() },
            own("policy", policy),
        );
    }
    instances
}

fn to_value<T: serde::Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

fn render_one(env: &Environment<'_>, name: &str, ctx: Value) -> Result<String> {
    let template = env.get_template(name).map_err(|e| anyhow!("{}", describe_template_error(&e)))?;
    template.render(ctx).map_err(|e| anyhow!("{}", describe_template_error(&e)))
}

/// Numbers below `n`, one per call, from a fixed xorshift seeded with `state` (the tests'
/// mutated texts and generated values: deterministic, so their counts are too).
#[cfg(test)]
pub(crate) fn xorshift(mut state: u64) -> impl FnMut(usize) -> usize {
    move |n| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    }
}

/// Values nested from `leaf`: sequences and mappings whose keys match the regex `key`, four
/// deep (the property tests of the reader and of a Job's digest).
#[cfg(test)]
pub(crate) fn nested_values(
    leaf: impl proptest::strategy::Strategy<Value = serde_yaml::Value> + 'static,
    key: &'static str,
) -> impl proptest::strategy::Strategy<Value = serde_yaml::Value> {
    use proptest::prelude::*;
    leaf.prop_recursive(4, 40, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(serde_yaml::Value::Sequence),
            proptest::collection::vec((key, inner), 0..5).prop_map(|entries| {
                serde_yaml::Value::Mapping(
                    entries.into_iter().map(|(k, v)| (serde_yaml::Value::String(k), v)).collect(),
                )
            }),
        ]
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    /// Batches of kept objects: each object `(file, origin)`, a batch `None` when it failed.
    fn batches(batches: &[Option<&[(&str, &str)]>]) -> Vec<Result<Vec<Kept<usize>>>> {
        let mut n = 0;
        let mut batch = |objects: &[(&str, &str)]| -> Vec<Kept<usize>> {
            let mut kept = Vec::new();
            for (file, origin) in objects {
                n += 1;
                let (file, origin, what) = (file.to_string(), origin.to_string(), format!("object {n}"));
                kept.push(Kept { file, what, origin, value: n });
            }
            kept
        };
        batches.iter().map(|b| b.map(&mut batch).ok_or_else(|| anyhow!("batch failed"))).collect()
    }

    fn in_order_of(b: &[Option<&[(&str, &str)]>]) -> Result<Vec<(String, usize)>, String> {
        in_order(batches(b)).map(|r| r.objects.into_iter().collect()).map_err(|e| e.to_string())
    }

    #[test]
    fn objects_come_out_by_file_and_the_first_error_in_rendering_order_wins() {
        let ok = in_order_of(&[Some(&[("b", "t1"), ("c", "t1")]), Some(&[]), Some(&[("a", "t2")])]);
        assert_eq!(ok.unwrap(), [("a".to_string(), 3), ("b".to_string(), 1), ("c".to_string(), 2)]);
        // Twice "b", then twice "a": "b" is found again first, and named with its first origin.
        let twice = [Some(&[("b", "t1"), ("a", "t1")][..]), Some(&[("b", "t2"), ("a", "t3"), ("b", "t4")][..])];
        assert_eq!(in_order_of(&twice).unwrap_err(), "t2 renders object 3 which t1 already rendered");
        // A file rendered again before a failed batch is the first error; after it, the failure is.
        let before = [Some(&[("x", "t1"), ("x", "t2")][..]), None, Some(&[("y", "t3"), ("y", "t4")][..])];
        assert_eq!(in_order_of(&before).unwrap_err(), "t2 renders object 2 which t1 already rendered");
        let after = [Some(&[("x", "t1")][..]), None, Some(&[("x", "t2")][..])];
        assert_eq!(in_order_of(&after).unwrap_err(), "batch failed");
    }

    #[test]
    fn refuses_networks_beyond_the_object_limit() {
        assert!(check_scale(MAX_INSTANCES).is_ok());
        let err = check_scale(MAX_INSTANCES + 1).unwrap_err().to_string();
        assert!(err.contains("250001 template instances") && err.contains("at most 250000"), "{err}");
    }

    /// The parts taken from the converted network are what converting each part alone gives,
    /// and the lookup globals hold every organisation under its name.
    #[test]
    fn converted_parts_equal_the_parts_converted_alone() {
        let spec = crate::spec::SpecSource::read(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("values/multi-org.yaml"),
        )
        .unwrap()
        .load()
        .unwrap();
        let (network, _) = crate::model::resolve(&spec).unwrap();
        let values = Converted::of(&network).unwrap();
        assert!(network.orgs.len() > 1 && !network.chaincodes.is_empty() && !network.orderer_orgs.is_empty());
        for (org, value) in network.orgs.iter().zip(&values.orgs) {
            assert_eq!(&to_value(org), value);
        }
        for (ordering, value) in network.orderer_orgs.iter().zip(&values.orderer_orgs) {
            assert_eq!(&to_value(ordering), value);
        }
        for (chaincode, value) in network.chaincodes.iter().zip(&values.chaincodes) {
            assert_eq!(&to_value(chaincode), value);
        }
        let by_name: BTreeMap<&str, &crate::model::Org> = network.orgs.iter().map(|o| (o.name.as_str(), o)).collect();
        assert_eq!(super::by_name(network.orgs.iter().map(|o| o.name.as_str()), &values.orgs), to_value(by_name));
    }

    /// `reader` reads every template instance of every example (in manifests and in chart
    /// mode, with long strings kept aside as rendering keeps them), and reads it exactly as
    /// serde_yaml does: no instance falls back.
    #[test]
    fn the_fast_reader_reads_every_instance_of_every_example_as_serde_yaml_does() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("values");
        let mut read = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let spec = crate::spec::SpecSource::read(&path).unwrap().load().unwrap();
            let (network, _) = crate::model::resolve(&spec).unwrap();
            let values = Converted::of(&network).unwrap();
            for mode in [Mode::Manifests, Mode::Chart] {
                let env = environment(&TemplateSet::embedded(), &network, &values, &Knobs::new(mode, &network.values))
                    .unwrap();
                for instance in instances(&network, &values) {
                    let (template, origin) = (instance.template, &instance.origin);
                    let (text, _) = long_text::collecting(|| render_one(&env, template, instance.context()));
                    let text = text.unwrap();
                    let fast = reader::documents(&text).unwrap_or_else(|| {
                        let doc = text.split("\n---\n").find(|d| reader::documents(d).is_none()).unwrap_or(&text);
                        let lines: Vec<&str> = doc.lines().collect();
                        let upto = (1..=lines.len())
                            .find(|n| reader::documents(&lines[..*n].join("\n")).is_none())
                            .unwrap_or(0);
                        panic!("{origin} falls back at line {upto} of:\n{doc}")
                    });
                    let slow: Vec<serde_yaml::Value> = serde_yaml::Deserializer::from_str(&text)
                        .map(|d| serde_yaml::Value::deserialize(d).unwrap())
                        .filter(|v| !v.is_null())
                        .collect();
                    assert_eq!(fast, slow, "{}: {origin}", path.display());
                    read += 1;
                }
            }
        }
        assert!(read > 500, "{read} instances");
    }

    #[test]
    fn every_template_of_the_example_reads_its_long_strings_the_fast_way() {
        let spec = crate::spec::SpecSource::embedded().load().unwrap();
        let (network, _) = crate::model::resolve(&spec).unwrap();
        let values = Converted::of(&network).unwrap();
        let env =
            environment(&TemplateSet::embedded(), &network, &values, &Knobs::new(Mode::Manifests, &network.values))
                .unwrap();
        let mut kept_aside = 0;
        for instance in instances(&network, &values) {
            let (template, origin, ctx) = (instance.template, &instance.origin, instance.context());
            let (text, long_texts) = long_text::collecting(|| render_one(&env, template, ctx.clone()));
            let text = text.unwrap();
            kept_aside += long_texts.len();
            let fast = reader::documents_restoring(&text, &long_texts).unwrap_or_else(|| panic!("{origin} falls back"));
            let trees = reader::trees_restoring(&text, &long_texts).unwrap_or_else(|| panic!("{origin} is no tree"));
            assert_eq!(fast, trees.iter().map(node::Tree::to_value).collect::<Vec<_>>(), "{origin}");
            let plain = render_one(&env, template, ctx).unwrap();
            let expected: Vec<serde_yaml::Value> = serde_yaml::Deserializer::from_str(&plain)
                .map(|d| serde_yaml::Value::deserialize(d).unwrap())
                .collect();
            assert_eq!(fast, expected, "{origin}");
        }
        assert!(kept_aside > 10, "only {kept_aside} long strings kept aside");
    }
}
