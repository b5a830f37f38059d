//! A Job's name by content: Kubernetes refuses changes to a Job's pod template, so a Job that
//! does something else must be a new Job, and fabgen appends to each Job's name a digest of
//! its `spec` (the SHA-256 of the spec's compact JSON text, as serde_json writes it).
//!
//! The text is hashed as serde_json writes it (`model::digest::TextDigest`), never held whole:
//! a lifecycle Job's spec runs to tens of kB, and holding it meant growing a string through
//! every Job of a large network.

use anyhow::{Context, Result, bail};

use super::knobs::TOKEN_PREFIX;
use super::objects::Object;
use crate::model::digest::{TextDigest, hex};

/// Appends to a Job's name a digest of its `spec`. Knobs would make the digest differ between
/// manifests and charts, so a Job may use none.
pub(super) fn name_by_content(object: &mut Object) -> Result<()> {
    let mut text = TextDigest::new(TOKEN_PREFIX);
    serde_json::to_writer(&mut text, &object.value["spec"])
        .with_context(|| format!("{} has a Job spec that is not JSON", object.origin))?;
    let (digest, token) = text.finish();
    if token {
        bail!(
            "{}: Job {} uses a knob; a Job's name digests its spec, so Jobs take their values from the model",
            object.origin,
            object.name
        );
    }
    let name = format!("{}-{}", object.name, hex(&digest, 4));
    if name.len() > 63 {
        bail!("{}: Job name {name} is longer than 63 characters", object.origin);
    }
    object.value["metadata"]["name"] = serde_yaml::Value::String(name.clone());
    object.name = name;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The name of a Job is its name and the first 4 bytes, in hex, of the SHA-256 of its
    /// spec's compact JSON.
    #[test]
    fn names_a_job_by_the_digest_of_its_spec() {
        let value: serde_yaml::Value = serde_yaml::from_str(
            "metadata: {name: j}\nspec: {template: {spec: {containers: [{name: c, command: [\"a\\nb\"]}]}}}",
        )
        .unwrap();
        let expected = crate::model::digest::sha256_hex(serde_json::to_string(&value["spec"]).unwrap().as_bytes(), 4);
        let mut object = Object {
            api_version: "batch/v1".into(),
            kind: "Job".into(),
            name: "j".into(),
            namespace: None,
            value,
            origin: "test".into(),
        };
        name_by_content(&mut object).unwrap();
        assert_eq!(object.name, format!("j-{expected}"));
        assert_eq!(object.value["metadata"]["name"].as_str(), Some(object.name.as_str()));
        let mut with_knob = object.clone();
        with_knob.value["spec"]["template"]["spec"]["containers"][0]["image"] = format!("{TOKEN_PREFIX}image").into();
        assert!(name_by_content(&mut with_knob).unwrap_err().to_string().contains("uses a knob"));
    }
}
