//! Stage 2, the model: the network as it will be deployed.
//!
//! Takes a valid `crate::spec::NetworkSpec` and resolves it (`resolve`) into a [`Network`]
//! (`network`): defaults applied, every object name derived, every chaincode package built
//! (`package`: Fabric's package format and package IDs), the operator knobs and their defaults
//! (`values`), and the NetworkPolicies the topology needs (`policy`). Fixed Fabric facts such
//! as ports and builder paths live in `fabric`.
//!
//! Hands to the next stage (`crate::render`) the [`Network`], the only thing templates see,
//! and the [`BuiltPackage`]s for `fabgen package`. Within the stage data flows one way:
//! `fabric` and `package` know nothing of the model, `network` holds the types, `policy` reads
//! a finished `network`, and `resolve` builds it.

pub mod budget;
pub mod card;
pub mod channel_record;
pub mod channel_update;
pub mod custody;
pub mod digest;
pub mod fabric;
pub mod lifecycle;
pub mod monitoring;
pub mod network;
pub mod ordering;
pub mod package;
pub mod policy;
pub mod reach;
pub mod resolve;
pub mod topology;
pub mod values;

pub use self::network::*;
pub use self::resolve::{resolve, resolve_part};
