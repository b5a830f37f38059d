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
use crate::render::{Knobs, Mode, Rendered, TemplateSet};
use crate::spec::NetworkSpec;

/// Everything a spec produces.
#[derive(Debug)]
pub struct Generated {
    /// The resolved model.
    pub network: Network,
    /// Chaincode packages, one per (chaincode, org).
    pub packages: Vec<BuiltPackage>,
    /// Rendered and checked Kubernetes objects.
    pub rendered: Rendered,
}

/// Resolves, renders and checks a validated spec. Fails before anything is written.
pub fn generate(spec: &NetworkSpec, templates: &TemplateSet) -> Result<Generated> {
    let (network, packages) = model::resolve(spec)?;
    let knobs = Knobs::new(Mode::Manifests, &network.values);
    let rendered = render::render(templates, &network, &knobs)?;
    check::Checker::new().check(&rendered)?;
    Ok(Generated { network, packages, rendered })
}
