//! Stage 5, output: checked objects become files, and files reach the disk.
//!
//! Owns the output formats — plain manifests (`manifests`: file tree with kustomization, or a
//! YAML stream), Helm charts (`chart`: chart-mode render, Helm expressions, values, schema,
//! README), what an earlier run left in an output directory (`previous`: recorded chaincode
//! definitions), what writing would change in one (`diff`), the network's picture (`graph`: Mermaid and DOT) — and the one writer (`write`): every directory fabgen writes is built beside its
//! destination and swapped in atomically. No other module writes to the disk.
//!
//! Takes a `crate::render::Rendered` that passed `crate::check` (and, for charts, the
//! `crate::model::Network` it came from); it is the end of the pipeline.

pub mod chart;
pub mod diff;
pub mod graph;
pub mod manifests;
pub mod previous;
pub mod write;

pub use self::write::{TreeWriter, write_secret_tree, write_tree};
