//! A Job's name by content: Kubernetes refuses changes to a Job's pod template, so a Job that
//! does something else must be a new Job, and fabgen appends to each Job's name a digest of
//! its `spec` (the SHA-256 of the spec's compact JSON text, as serde_json writes it).
//!
//! The text is hashed as it is written (`model::digest::TextDigest`), never held whole: a
//! lifecycle Job's spec runs to tens of kB, most of it the Job's script, the same in every Job
//! of a kind. [`write_json`] writes the text serde_json writes, with each long string escaped
//! once per thread rather than once per Job; what it does not write (floats, tags, keys that are
//! not strings) serde_json writes.

use std::cell::RefCell;

use anyhow::{Context, Result, bail};

use super::knobs::TOKEN_PREFIX;
use super::long_text::{RECENT_MIN_LEN, Recent};
use super::node::{Node, Tree, View};
use super::objects::{Object, TreeObject};
use crate::model::digest::{TextDigest, hex};

/// Appends to a Job's name a digest of its `spec`. Knobs would make the digest differ between
/// manifests and charts, so a Job may use none.
pub(super) fn name_by_content(object: &mut Object) -> Result<()> {
    let name = named_by_content(Node::Yaml(&object.value["spec"]), &object.name, &object.origin)?;
    object.value["metadata"]["name"] = serde_yaml::Value::String(name.clone());
    object.name = name;
    Ok(())
}

/// [`name_by_content`] for a Job read as a tree.
pub(super) fn name_tree_by_content(object: &mut TreeObject, origin: &str) -> Result<()> {
    let spec = object.tree.get("spec").unwrap_or(&Tree::Null);
    let name = named_by_content(Node::Tree(spec), &object.name, origin)?;
    let Some(slot) = object.tree.get_mut("metadata").and_then(|m| m.get_mut("name")) else {
        bail!("{origin}: Job {} has no metadata.name", object.name);
    };
    *slot = Tree::Str(name.clone().into());
    object.name = name;
    Ok(())
}

/// The name of a Job named `name` whose `spec` is `spec`: `name` and a digest of the spec.
pub(super) fn named_by_content(spec: Node, name: &str, origin: &str) -> Result<String> {
    let mut text = TextDigest::new(TOKEN_PREFIX);
    if write_json(&mut text, spec).is_none() {
        text = TextDigest::new(TOKEN_PREFIX);
        serde_json::to_writer(&mut text, &spec.to_value())
            .with_context(|| format!("{origin} has a Job spec that is not JSON"))?;
    }
    let (digest, token) = text.finish();
    if token {
        bail!(
            "{origin}: Job {name} uses a knob; a Job's name digests its spec, so Jobs take their values from the model"
        );
    }
    let name = format!("{name}-{}", hex(&digest, 4));
    if name.len() > 63 {
        bail!("{origin}: Job name {name} is longer than 63 characters");
    }
    Ok(name)
}

/// `value` as `serde_json::to_writer` writes it (compact), into `out`; `None` for a value with
/// a float, a tag or a key that is not a string, which this writer leaves to serde_json (what
/// it wrote then is to be thrown away).
fn write_json(out: &mut TextDigest, value: Node) -> Option<()> {
    match value.view() {
        View::Null => out.extend(b"null"),
        View::Bool(b) => out.extend(if b { b"true" } else { b"false" }),
        View::Int(i) => out.extend(i.to_string().as_bytes()),
        View::UInt(u) => out.extend(u.to_string().as_bytes()),
        View::Float(_) | View::Tagged => return None,
        View::Str(s) => write_json_string(out, s),
        View::Seq(items) => {
            out.extend(b"[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.extend(b",");
                }
                write_json(out, item)?;
            }
            out.extend(b"]");
        }
        View::Map(entries) => {
            out.extend(b"{");
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.extend(b",");
                }
                write_json_string(out, key?);
                out.extend(b":");
                write_json(out, item)?;
            }
            out.extend(b"}");
        }
    }
    Some(())
}

thread_local! {
    /// The long strings escaped last on this thread, with their JSON text.
    static ESCAPED: RefCell<Recent<String, Vec<u8>>> = const { RefCell::new(Recent::new()) };
}

/// A string as serde_json writes it: quoted, with `"`, `\` and the control characters escaped
/// (`\b`, `\t`, `\n`, `\f`, `\r`, else `\u00xx`), everything else as it is; a long one escaped
/// once per thread ([`Recent`]).
fn write_json_string(out: &mut TextDigest, s: &str) {
    if s.len() < RECENT_MIN_LEN {
        escape_json(s, |bytes| out.extend(bytes));
        return;
    }
    ESCAPED.with_borrow_mut(|escaped| {
        let made = || {
            let mut text = Vec::with_capacity(s.len() + s.len() / 16 + 2);
            escape_json(s, |bytes| text.extend_from_slice(bytes));
            Some((s.to_string(), text))
        };
        if let Some(text) = escaped.text(|original| original == s, made) {
            out.extend(text);
        }
    });
}

/// `s` quoted and escaped as serde_json does (`format_escaped_str` in its ser.rs), handed to
/// `emit` in pieces.
fn escape_json(s: &str, mut emit: impl FnMut(&[u8])) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    emit(b"\"");
    let bytes = s.as_bytes();
    // Most strings need no escape: one pass over 32 bytes at a time tells them.
    if !bytes.chunks(32).any(|chunk| chunk.iter().fold(false, |any, &b| any | (b < 0x20) | (b == b'"') | (b == b'\\')))
    {
        emit(bytes);
        emit(b"\"");
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            0x08 => b'b',
            b'\t' => b't',
            b'\n' => b'n',
            0x0C => b'f',
            b'\r' => b'r',
            0x00..=0x1F => 0,
            _ => continue,
        };
        emit(&bytes[start..i]);
        start = i + 1;
        if short == 0 {
            emit(&[b'\\', b'u', b'0', b'0', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xF)]]);
        } else {
            emit(&[b'\\', short]);
        }
    }
    emit(&bytes[start..]);
    emit(b"\"");
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_yaml::Value;

    use super::*;

    /// The digest of `value` as [`write_json`] writes it, when it does.
    fn written(value: &Value) -> Option<Vec<u8>> {
        let mut text = TextDigest::new(TOKEN_PREFIX);
        write_json(&mut text, Node::Yaml(value))?;
        Some(text.finish().0)
    }

    fn serde_json_digest(value: &Value) -> Vec<u8> {
        let mut text = TextDigest::new(TOKEN_PREFIX);
        serde_json::to_writer(&mut text, value).unwrap();
        text.finish().0
    }

    /// Values a Job spec may hold, with strings of every kind of character, short and long.
    fn value() -> impl Strategy<Value = Value> {
        let text = || proptest::string::string_regex("[ -~\\x00-\\x1f\\x7fé\u{2028}\u{1f600}\"\\\\]{0,12}").unwrap();
        let string = prop_oneof![
            text(),
            (text(), 1..3usize).prop_map(|(s, n)| s.repeat(RECENT_MIN_LEN / s.len().max(1) * n + 1)),
        ]
        .prop_map(Value::String);
        let leaf = prop_oneof![
            string,
            any::<i64>().prop_map(|n| Value::Number(n.into())),
            any::<u64>().prop_map(|n| Value::Number(n.into())),
            any::<bool>().prop_map(Value::Bool),
            Just(Value::Null),
        ];
        crate::render::nested_values(leaf, "[a-z\"\\\\\n]{0,8}")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The text written here is serde_json's, to the byte (so every Job keeps its name),
        /// whether a long string is escaped anew or taken from those kept.
        #[test]
        fn writes_what_serde_json_writes(value in value()) {
            prop_assert_eq!(written(&value), Some(serde_json_digest(&value)));
            prop_assert_eq!(written(&value), Some(serde_json_digest(&value)));
        }
    }

    /// A string is escaped as serde_json escapes it, whether its one pass finds something to
    /// escape or not, for lengths around the pass's 32 bytes and each kind of character at
    /// every place.
    #[test]
    fn strings_escape_as_serde_json_escapes_them() {
        for len in [0, 1, 31, 32, 33, 64, 65] {
            for at in 0..len.max(1) {
                for c in ['x', '"', '\\', '\n', '\u{1}', '\u{1f}', ' ', '~', '\u{7f}', 'é', '\u{2028}'] {
                    let mut chars = vec!['x'; len];
                    if len > 0 {
                        chars[at] = c;
                    }
                    let s: String = chars.into_iter().collect();
                    let mut out = Vec::new();
                    escape_json(&s, |bytes| out.extend_from_slice(bytes));
                    assert_eq!(out, serde_json::to_vec(&s).unwrap(), "{s:?}");
                }
            }
        }
    }

    /// Floats, tags and keys that are not strings are left to serde_json.
    #[test]
    fn leaves_floats_tags_and_other_keys_to_serde_json() {
        for yaml in ["a: 1.5", "a: !t x", "1: x", "[1, {true: 2}]"] {
            let value: Value = serde_yaml::from_str(yaml).unwrap();
            assert_eq!(written(&value), None, "{yaml}");
        }
        let mut object = job("metadata: {name: j}\nspec: {backoffLimit: 1.5}");
        name_by_content(&mut object).unwrap();
        let expected = crate::model::digest::sha256_hex(br#"{"backoffLimit":1.5}"#, 4);
        assert_eq!(object.name, format!("j-{expected}"));
    }

    fn job(yaml: &str) -> Object {
        Object {
            api_version: "batch/v1".into(),
            kind: "Job".into(),
            name: "j".into(),
            namespace: None,
            value: serde_yaml::from_str(yaml).unwrap(),
            origin: "test".into(),
        }
    }

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
