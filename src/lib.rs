//! fabgen turns one declarative Hyperledger Fabric network spec into Kubernetes manifests,
//! chaincode packages and Helm charts. The crate is the pipeline, one folder per stage, data
//! flowing one way (see ARCHITECTURE.md):
//!
//! [`spec`] (read, locate, schema-check, validate) -> [`model`] (resolve, derive names, build
//! packages, compute NetworkPolicies) -> [`render`] (templates -> objects, pure) -> [`check`]
//! (Kubernetes schemas) -> [`output`] (manifests, charts, atomic writes). [`crypto`] is a side
//! branch: model -> MSP and TLS Secrets -> check -> output, never into the rendered tree.
//!
//! Each stage is a plain function a test or another tool can call; [`generate`] runs the
//! stages that every command shares. The command line lives in the binary (`src/cli.rs`).

pub mod check;
pub mod crypto;
pub mod model;
pub mod output;
pub mod render;
pub mod spec;

use anyhow::Result;

use crate::model::{BuiltPackage, Network};
use crate::render::{Document, Entry, Knobs, Mode, Object, Rendered, Taken, TemplateSet, TreeObject};
use crate::spec::NetworkSpec;

/// Everything a spec produces.
#[derive(Debug)]
pub struct Generated {
    /// The resolved model.
    pub network: Network,
    /// Chaincode packages, one per (chaincode, org).
    pub packages: Vec<BuiltPackage>,
    /// Rendered and checked Kubernetes objects, as written.
    pub rendered: Rendered<Document>,
}

/// Resolves, renders and checks a validated spec. Fails before anything is written.
pub fn generate(spec: &NetworkSpec, templates: &TemplateSet) -> Result<Generated> {
    let (network, packages) = model::resolve(spec)?;
    let rendered = render_checked(&network, templates, Object::into_document)?;
    Ok(Generated { network, packages, rendered })
}

/// Like [`generate`], handing each object's file name and bytes to `write` as soon as the
/// object passed its check (`render -o` writes them into its staging directory, from every
/// rendering thread) and keeping only its type, then `kustomization.yaml` and `README.md`
/// (`output::manifests::index`, its picture drawn while the objects render): the documents of
/// a large network are never all in memory. Nothing `write` got may be used if this fails.
pub fn generate_writing(
    spec: &NetworkSpec,
    templates: &TemplateSet,
    write: impl Fn(&str, &[u8]) -> Result<()> + Sync,
) -> Result<(Network, Vec<BuiltPackage>, Rendered<Entry>)> {
    // The schemas compile while the model resolves.
    let (resolved, checker) = rayon::join(|| model::resolve(spec), check::Checker::shared);
    let (network, packages) = resolved?;
    let (rendered, picture) = rayon::join(
        || {
            let tree = render::keeping_trees(|file, o| {
                let Some(yaml) = o.to_yaml() else { return Ok(Taken::Left(o)) };
                write(file, yaml.as_bytes())?;
                Ok(Taken::Kept(Entry { api_version: o.api_version, kind: o.kind }))
            });
            render_checked_trees(checker, &network, templates, tree, |o| {
                write(&o.file_name(), o.to_yaml()?.as_bytes())?;
                Ok(Entry { api_version: o.api_version, kind: o.kind })
            })
        },
        || output::manifests::picture(&network),
    );
    let rendered = rendered?;
    for (file, bytes) in output::manifests::index_with(&rendered, &network, &picture) {
        write(&file, &bytes)?;
    }
    Ok((network, packages, rendered))
}

/// Like [`generate`], for commands that need the model of a network whose manifests pass the
/// check but not the manifests themselves (`validate`, `crypto`, `package`; `chart` checks its
/// own render, `output::chart`).
pub fn verify(spec: &NetworkSpec, templates: &TemplateSet) -> Result<(Network, Vec<BuiltPackage>)> {
    let (network, packages) = model::resolve(spec)?;
    // A tree that passes unread is all it takes.
    let tree = render::keeping_trees(|_, _| Ok(Taken::Kept(())));
    render_checked_trees(check::Checker::shared(), &network, templates, tree, |_| Ok(()))?;
    Ok((network, packages))
}

/// One organisation's part of a consortium (`render --org ORG --cards DIR`): the objects ORG
/// runs (labelled `fabgen.io/org: ORG`, its public ConfigMaps of the others' cards among them)
/// and the network-wide ones (no org label: Namespace, default deny, DNS, configtx.yaml), all
/// in ORG's namespace (`orgs[].namespace`, default the network's), rendered with every other
/// organisation's public material from its card (`model::custody`).
pub fn generate_part(
    spec: &NetworkSpec,
    templates: &TemplateSet,
    org: &str,
    cards: &std::path::Path,
) -> Result<Generated> {
    let (network, packages) = resolve_part(spec, org, cards)?;
    let kept = render_checked(&network, templates, |o| {
        let owner = o.value["metadata"]["labels"].get("fabgen.io/org").and_then(|v| v.as_str());
        if owner.is_none_or(|owner| owner == org) { o.into_document().map(Some) } else { Ok(None) }
    })?;
    let objects = kept.objects.into_iter().filter_map(|(file, d)| Some((file, d?))).collect();
    let packages = packages.into_iter().filter(|p| p.org == org).collect();
    Ok(Generated { network, packages, rendered: Rendered { objects } })
}

/// The network as organisation `org` sees it, with every other organisation's public material
/// from its card in `cards` (`model::custody`), and its packages.
pub fn resolve_part(spec: &NetworkSpec, org: &str, cards: &std::path::Path) -> Result<(Network, Vec<BuiltPackage>)> {
    let (mut network, packages) = model::resolve_part(spec, org)?;
    model::custody::apply(&mut network, org, cards)?;
    Ok((network, packages))
}

/// Like [`verify`], keeping the Namespace objects as written: `fabgen crypto` puts them beside
/// its Secrets, byte-identical to the render's, so `kubectl apply -f` of its tree alone works
/// on an empty cluster. With `org`, the network as that organisation sees it (`crypto --org`).
pub fn verify_keeping_namespaces(
    spec: &NetworkSpec,
    templates: &TemplateSet,
    org: Option<&str>,
) -> Result<(Network, Vec<BuiltPackage>, Rendered<Document>)> {
    let (network, packages) = match org {
        Some(org) => model::resolve_part(spec, org)?,
        None => model::resolve(spec)?,
    };
    let kept = render_checked(&network, templates, |o| {
        if o.kind == "Namespace" { o.into_document().map(Some) } else { Ok(None) }
    })?;
    let objects = kept.objects.into_iter().filter_map(|(file, d)| Some((file, d?))).collect();
    Ok((network, packages, Rendered { objects }))
}

/// Renders the manifests of `network`, checking each object as it is rendered and keeping what
/// `keep` makes of it; fails listing every problem.
fn render_checked<T: Send>(
    network: &Network,
    templates: &TemplateSet,
    keep: impl Fn(Object) -> Result<T> + Sync,
) -> Result<Rendered<T>> {
    render_checked_with(check::Checker::shared(), network, templates, keep)
}

/// [`render_checked`] with the schemas already compiled.
fn render_checked_with<T: Send>(
    checker: &check::Checker,
    network: &Network,
    templates: &TemplateSet,
    keep: impl Fn(Object) -> Result<T> + Sync,
) -> Result<Rendered<T>> {
    let knobs = Knobs::new(Mode::Manifests, &network.values);
    let checked =
        render::render_each(templates, network, &knobs, |file, object| checked(checker, file, object, &keep))?;
    check::passed(checked)
}

/// [`render_checked_with`], where each document read as a tree that passes the check unread
/// (`check::Checker::passes_unread`) goes to `tree`, which keeps what it makes of it or gives
/// it back for `keep`, as an object.
fn render_checked_trees<T: Send>(
    checker: &check::Checker,
    network: &Network,
    templates: &TemplateSet,
    tree: impl for<'t> Fn(&str, TreeObject<'t>) -> Result<Taken<'t, T>> + Sync,
    keep: impl Fn(Object) -> Result<T> + Sync,
) -> Result<Rendered<T>> {
    let knobs = Knobs::new(Mode::Manifests, &network.values);
    let passed = render::keeping_trees(|file, object| {
        if !checker.passes_unread(&object.api_version, &object.kind, &object.tree) {
            return Ok(Taken::Left(object));
        }
        Ok(match tree(file, object)? {
            Taken::Kept(kept) => Taken::Kept((Vec::new(), Some(kept))),
            Taken::Left(object) => Taken::Left(object),
        })
    });
    let checked = render::render_each_tree(templates, network, &knobs, &passed, |file, object| {
        checked(checker, file, object, &keep)
    })?;
    check::passed(checked)
}

/// An object's problems, and what `keep` makes of it when it has none.
fn checked<T>(
    checker: &check::Checker,
    file: &str,
    object: Object,
    keep: impl Fn(Object) -> Result<T>,
) -> Result<(Vec<String>, Option<T>)> {
    let problems = checker.problems(file, &object)?;
    let kept = if problems.is_empty() { Some(keep(object)?) } else { None };
    Ok((problems, kept))
}
