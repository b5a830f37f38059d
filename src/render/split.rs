//! A template's rendered text to objects: document by document, read the fast way
//! (`reader`, as trees or as values) where it can be, else the whole text through serde_yaml,
//! its long strings put back (`long_text`).

use anyhow::{Result, anyhow, bail};
use serde::Deserialize;

use super::objects::{Object, TreeObject};
use super::{long_text, reader};

/// An object as [`each_object`] hands it on: read as a tree where it lies, or as a value.
pub(super) enum Read<'t> {
    Tree(TreeObject<'t>),
    Object(Object),
}

/// Hands each object of a template's rendered text (its long strings kept aside) to `take` as
/// soon as its document is read, so a template that prints hundreds of Jobs never holds all
/// their trees at once: document by document while the fast reader reads them (it reads each
/// alone as it reads the whole; as a tree when `trees` asks for it and the document fits one),
/// and from the first one it leaves to serde_yaml, the whole text as [`split_rendered`] splits
/// it, the objects already handed on skipped.
pub(super) fn each_object<'t>(
    text: &'t str,
    long_texts: &'t [String],
    origin: &str,
    trees: bool,
    mut take: impl FnMut(Read<'t>) -> Result<()>,
) -> Result<()> {
    let mut taken = 0;
    for piece in reader::document_texts(text) {
        if trees && let Some(read) = reader::trees_restoring(piece, long_texts) {
            for tree in read {
                let Some(object) = TreeObject::of(tree) else { return Err(whole_error(text, long_texts, origin)) };
                take(Read::Tree(object))?;
                taken += 1;
            }
            continue;
        }
        let Some(values) = reader::documents_restoring(piece, long_texts) else {
            let objects = split_rendered(text, long_texts, origin)?;
            return objects.into_iter().skip(taken).try_for_each(|object| take(Read::Object(object)));
        };
        for value in values {
            let Ok(Some(object)) = object_of(value, taken, origin) else {
                return Err(whole_error(text, long_texts, origin));
            };
            take(Read::Object(object))?;
            taken += 1;
        }
    }
    Ok(())
}

/// The error of a text one of whose documents is not an object alone, said as the whole
/// text's reading says it, which numbers documents its way.
fn whole_error(text: &str, long_texts: &[String], origin: &str) -> anyhow::Error {
    let whole = split_rendered(text, long_texts, origin).err();
    whole.unwrap_or_else(|| anyhow!("{origin}: a document is not an object alone"))
}

/// Splits a rendered template whose long strings were kept aside into objects: parsed with
/// the placeholders and the strings put back, or, when that cannot be done, from the text the
/// template would have printed (`long_text`).
pub(super) fn split_rendered(text: &str, long_texts: &[String], origin: &str) -> Result<Vec<Object>> {
    if long_texts.is_empty() {
        return split_documents(text, origin);
    }
    match read_with_long_texts(text, long_texts) {
        Some(values) => {
            values.into_iter().enumerate().filter_map(|(i, value)| object_of(value, i, origin).transpose()).collect()
        }
        None => split_documents(&long_text::expand(text, long_texts), origin),
    }
}

/// The documents of a template's text with placeholders, the long strings put back; `None`
/// when they cannot be read this way.
fn read_with_long_texts(text: &str, long_texts: &[String]) -> Option<Vec<serde_yaml::Value>> {
    if let Some(values) = reader::documents_restoring(text, long_texts) {
        return Some(values);
    }
    let mut values = serde_yaml::Deserializer::from_str(text)
        .map(serde_yaml::Value::deserialize)
        .collect::<Result<Vec<_>, _>>()
        .ok()?;
    values.iter_mut().all(|value| long_text::restore(value, long_texts)).then_some(values)
}

/// Splits a rendered template into objects; empty documents (from conditionals) are skipped.
fn split_documents(text: &str, origin: &str) -> Result<Vec<Object>> {
    if let Some(values) = reader::documents(text) {
        return values
            .into_iter()
            .enumerate()
            .filter_map(|(i, value)| object_of(value, i, origin).transpose())
            .collect();
    }
    let mut out = Vec::new();
    for (i, doc) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let value = serde_yaml::Value::deserialize(doc).map_err(|e| {
            anyhow!(
                "{origin} produced invalid YAML in document {}: {e}\n--- rendered text ---\n{}",
                i + 1,
                numbered(text)
            )
        })?;
        out.extend(object_of(value, i, origin)?);
    }
    Ok(out)
}

/// The object of document `i` of a template's output; none for an empty document.
fn object_of(value: serde_yaml::Value, i: usize, origin: &str) -> Result<Option<Object>> {
    if value.is_null() {
        return Ok(None);
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
    Ok(Some(Object {
        namespace: field(&["metadata", "namespace"]),
        api_version,
        kind,
        name,
        value,
        origin: origin.to_string(),
    }))
}

fn numbered(text: &str) -> String {
    text.lines().enumerate().map(|(i, l)| format!("{:4} | {l}\n", i + 1)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::xorshift;

    /// [`each_object`]'s objects, or its error.
    /// Read as trees where they fit one, the same objects as read as values.
    fn one_by_one(text: &str, long_texts: &[String]) -> Result<Vec<Object>> {
        let mut by_mode = Vec::new();
        for trees in [false, true] {
            let mut objects = Vec::new();
            let outcome = each_object(text, long_texts, "t.yaml", trees, |read| {
                objects.push(match read {
                    Read::Tree(tree) => tree.into_object("t.yaml"),
                    Read::Object(object) => object,
                });
                Ok(())
            });
            by_mode.push(outcome.map(|()| objects));
        }
        let as_trees = by_mode.pop().unwrap();
        let as_values = by_mode.pop().unwrap();
        match (&as_values, &as_trees) {
            (Ok(values), Ok(trees)) => assert_eq!(values, trees, "{text}"),
            (Err(values), Err(trees)) => assert_eq!(values.to_string(), trees.to_string(), "{text}"),
            _ => panic!("{text}\nas values: {as_values:?}\nas trees: {as_trees:?}"),
        }
        as_values
    }

    /// Objects handed on one document at a time are the objects of the whole text, and an
    /// error is the whole text's error, word for word.
    fn same_as_whole(text: &str, long_texts: &[String]) -> bool {
        match (one_by_one(text, long_texts), split_rendered(text, long_texts, "t.yaml")) {
            (Ok(ours), Ok(whole)) => {
                assert_eq!(ours, whole, "{text}");
                true
            }
            (Err(ours), Err(whole)) => {
                assert_eq!(ours.to_string(), whole.to_string(), "{text}");
                false
            }
            (ours, whole) => panic!("{text}\none by one: {ours:?}\nwhole: {whole:?}"),
        }
    }

    #[test]
    fn objects_handed_on_document_by_document_are_the_whole_texts_whatever_falls_back() {
        let mut env = minijinja::Environment::new();
        env.set_formatter(long_text::formatter);
        let long = format!("#!/bin/sh\necho \"it's\" {}\n", "x".repeat(3000));
        let object = |name: &str, data: &str| {
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n{data}")
        };
        let plain = object("a", "  s: {{ s }}\n");
        let docs = [
            // Read the fast way throughout.
            [plain.clone(), object("b", "  t: [x, {{ s }}]\n"), object("c", "  n: '1'\n")],
            // The second document leaves the fast reader (a block scalar), the third holds a
            // placeholder inside a longer scalar (the whole text is expanded).
            [plain.clone(), object("b", "  t: |\n    line\n"), object("c", "  t: pre{{ s }}\n")],
            // Empty documents, then one that lacks its name (as the fast reader numbers it).
            [String::new(), plain.clone(), "apiVersion: v1\nkind: ConfigMap\n".into()],
            // Invalid YAML after a document that was handed on.
            [plain.clone(), object("b", "  t: [unclosed\n"), object("c", "  n: '1'\n")],
            // A directive: the whole text goes to serde_yaml.
            [format!("%YAML 1.2\n---\n{plain}"), object("b", "  n: '1'\n"), String::new()],
        ];
        let mut outcomes = Vec::new();
        for parts in docs {
            let template = parts.join("---\n");
            let (text, kept) = long_text::collecting(|| {
                env.render_named_str("t.yaml", &template, minijinja::context! { s => long.as_str() }).unwrap()
            });
            assert!(!kept.is_empty());
            outcomes.push(same_as_whole(&text, &kept));
            outcomes.push(same_as_whole(&long_text::expand(&text, &kept), &[]));
        }
        assert_eq!(outcomes, [true, true, true, true, false, false, false, false, true, true]);
    }

    /// The same, on texts a few edits away from a three-object text, with characters that
    /// change what YAML means (a fixed xorshift: the counts are deterministic).
    #[test]
    fn objects_handed_on_document_by_document_are_the_whole_texts_on_mutated_texts() {
        const NASTY: &[&str] =
            &["---\n", "\n---\n", "%YAML 1.2\n", "|\n", ": ", "\n  ", "- ", "#", "'", "\"", "{", "[", "\n", " "];
        let base = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata: {x: '1'}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\nstringData:\n  k: v\n---\n---\napiVersion: v1\nkind: Service\nmetadata: {name: c}\n";
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let (mut same, mut failed) = (0, 0);
        for _ in 0..5_000 {
            let mut text = base.to_string();
            for _ in 0..1 + next(2) {
                let at = next(text.len() + 1);
                let what = NASTY[next(NASTY.len())];
                if next(2) == 0 {
                    text.insert_str(at, what);
                } else {
                    text.replace_range(at..(at + 1).min(text.len()), what);
                }
            }
            if same_as_whole(&text, &[]) { same += 1 } else { failed += 1 }
        }
        assert!(same > 500 && failed > 2_000, "{same} read, {failed} failed");
    }
}
