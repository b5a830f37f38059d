//! Long strings kept away from the YAML parser.
//!
//! Templates print values as JSON (`crate::render::templates`), and the longest ones — Job
//! scripts, core.yaml, builder programs — are most of the text libyaml would scan character
//! by character, once per object. While a template renders, [`formatter`] prints each long
//! string as a short placeholder (`"fabgen-long-text-<n>"`, itself a JSON string) and keeps the
//! string aside; once the text is parsed, [`restore`] puts every string back where its
//! placeholder is a whole scalar — exactly the string that parsing the JSON would have given.
//! A placeholder anywhere else (inside a longer scalar, in a key, changed by a filter) means
//! the text cannot be read this way, and [`expand`] gives back the text the template would have
//! printed, for the ordinary parse: the result is the same in every case, only faster in the
//! common one.

use std::cell::RefCell;
use std::sync::LazyLock;

use minijinja::{AutoEscape, Error, Output, State, Value};

/// Strings at least this long are kept aside.
const MIN_LEN: usize = 512;

/// The placeholders' prefix, with a nonce of this process so no template text can hold one by
/// chance. The output never contains it.
static PREFIX: LazyLock<String> = LazyLock::new(|| {
    use std::hash::{BuildHasher, Hasher};
    let nonce = std::collections::hash_map::RandomState::new().build_hasher().finish();
    format!("fabgen-long-text-{nonce:016x}-")
});

thread_local! {
    /// The strings kept aside by the template rendering on this thread, when one is collecting.
    static KEPT: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// The environment's formatter: minijinja's, except that long strings printed as JSON become
/// placeholders while [`collecting`] runs.
pub fn formatter(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    if matches!(state.auto_escape(), AutoEscape::Json)
        && !value.is_safe()
        && let Some(text) = value.as_str()
        && text.len() >= MIN_LEN
        && reads_back_as_itself(text)
    {
        let index = KEPT.with(|kept| {
            kept.borrow_mut().as_mut().map(|kept| {
                kept.push(text.to_string());
                kept.len() - 1
            })
        });
        if let Some(index) = index {
            return write!(out, "\"{}{index}\"", *PREFIX).map_err(Error::from);
        }
    }
    minijinja::escape_formatter(out, state, value)
}

/// Whether YAML reads the JSON printing of `text` (a double-quoted scalar) back as exactly
/// `text`. Not so for what JSON leaves unescaped and YAML treats otherwise: the line breaks
/// U+0085, U+2028 and U+2029 (folded with the spaces around them), and what libyaml's reader
/// refuses (DEL, the C1 controls, U+FEFF, U+FFFE, U+FFFF: unsafe-libyaml reader.rs).
fn reads_back_as_itself(text: &str) -> bool {
    // ASCII text (scripts, certificates, packages) needs only DEL looked for.
    if text.is_ascii() {
        return memchr::memchr(0x7f, text.as_bytes()).is_none();
    }
    text.chars().all(reads_back)
}

/// Whether YAML reads a character of a JSON string back as itself ([`reads_back_as_itself`]).
fn reads_back(c: char) -> bool {
    match c as u32 {
        0..=0x7E => true,
        0xA0..=0xFFFD => !matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}'),
        n => n >= 0x10000,
    }
}

/// Strings at least this long are turned into text once per thread ([`Recent`]).
pub const RECENT_MIN_LEN: usize = 2048;

/// How many long strings a [`Recent`] keeps.
const RECENT: usize = 8;

/// The last long strings a thread turned into some text (a Job's script escaped for JSON, or
/// written as a literal block at one indentation), each with its text: the Jobs of a kind share
/// their script, so the text is made once and copied after.
pub struct Recent<K, T> {
    kept: Vec<(K, T)>,
}

impl<K, T> Default for Recent<K, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K, T> Recent<K, T> {
    pub const fn new() -> Self {
        Recent { kept: Vec::new() }
    }

    /// The text kept under a key `matches` takes, else the key and text `make` makes (kept,
    /// the oldest dropped past [`RECENT`]); `None` when `make` makes none.
    pub fn text(&mut self, matches: impl Fn(&K) -> bool, make: impl FnOnce() -> Option<(K, T)>) -> Option<&T> {
        if let Some(at) = self.kept.iter().position(|(key, _)| matches(key)) {
            return Some(&self.kept[at].1);
        }
        let made = make()?;
        if self.kept.len() == RECENT {
            self.kept.remove(0);
        }
        self.kept.push(made);
        self.kept.last().map(|(_, text)| text)
    }
}

/// Runs `render` (one template on this thread) with long strings kept aside; returns its result
/// and the strings, in placeholder order.
pub fn collecting<R>(render: impl FnOnce() -> R) -> (R, Vec<String>) {
    KEPT.with(|kept| *kept.borrow_mut() = Some(Vec::new()));
    let result = render();
    let kept = KEPT.with(|kept| kept.borrow_mut().take()).unwrap_or_default();
    (result, kept)
}

/// How many placeholders `text` holds, wherever they stand.
pub fn placeholders_in(text: &str) -> usize {
    memchr::memmem::find_iter(text.as_bytes(), PREFIX.as_bytes()).count()
}

/// The index of a whole placeholder.
pub fn placeholder(s: &str) -> Option<usize> {
    let digits = s.strip_prefix(PREFIX.as_str())?;
    let index: usize = digits.parse().ok()?;
    (digits == index.to_string()).then_some(index)
}

/// Puts the kept strings back into a parsed document. `false` when a placeholder is anywhere
/// but a whole untagged string scalar (the document must then be parsed from [`expand`]ed text).
pub fn restore(value: &mut serde_yaml::Value, kept: &[String]) -> bool {
    use serde_yaml::Value as Y;
    match value {
        Y::String(s) => match placeholder(s).and_then(|index| kept.get(index)) {
            Some(original) => {
                *s = original.clone();
                true
            }
            None => !s.contains(PREFIX.as_str()),
        },
        Y::Sequence(items) => items.iter_mut().all(|item| restore(item, kept)),
        Y::Mapping(map) => {
            map.keys().all(|key| match key {
                Y::String(key) => !key.contains(PREFIX.as_str()),
                Y::Bool(_) | Y::Number(_) | Y::Null => true,
                _ => false,
            }) && map.iter_mut().all(|(_, v)| restore(v, kept))
        }
        Y::Tagged(_) => false,
        Y::Null | Y::Bool(_) | Y::Number(_) => true,
    }
}

/// The text as the template would have printed it without placeholders (minijinja's own JSON
/// printing of each kept string).
pub fn expand(text: &str, kept: &[String]) -> String {
    let env = minijinja::Environment::new();
    let print =
        |s: &str| env.render_named_str("kept.json", "{{ s }}", minijinja::context! { s }).expect("strings print");
    let mut out = String::with_capacity(text.len() + kept.iter().map(String::len).sum::<usize>());
    let mut rest = text;
    let opening = format!("\"{}", *PREFIX);
    while let Some(at) = rest.find(&opening) {
        let after = &rest[at + opening.len()..];
        let end = after.find(|c: char| !c.is_ascii_digit()).unwrap_or(after.len());
        let original =
            after[..end].parse::<usize>().ok().filter(|i| after[..end] == i.to_string()).and_then(|i| kept.get(i));
        match original {
            Some(original) if after[end..].starts_with('"') => {
                out.push_str(&rest[..at]);
                out.push_str(&print(original));
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str(&rest[..at + 1]);
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;

    fn environment() -> minijinja::Environment<'static> {
        let mut env = minijinja::Environment::new();
        env.set_formatter(formatter);
        env
    }

    /// (documents read the fast way when that is possible, the text printed with placeholders
    /// expanded, the documents and the text printed without them).
    fn both_ways(template: &str, s: &str) -> (Option<Vec<serde_yaml::Value>>, String, Vec<serde_yaml::Value>, String) {
        let (fast, expanded, expected, plain, _) = three_ways(template, s);
        (fast, expanded, expected, plain)
    }

    /// [`both_ways`], and the documents `reader` reads with the long strings put back as it
    /// reads (`None` when it leaves the text to the ordinary way).
    #[allow(clippy::type_complexity)]
    fn three_ways(
        template: &str,
        s: &str,
    ) -> (Option<Vec<serde_yaml::Value>>, String, Vec<serde_yaml::Value>, String, Option<Vec<serde_yaml::Value>>) {
        let env = environment();
        let print = || env.render_named_str("t.yaml", template, minijinja::context! { s, n => 3 }).unwrap();
        let plain = print();
        let (text, kept) = collecting(print);
        let parse = |text: &str| -> Result<Vec<serde_yaml::Value>, serde_yaml::Error> {
            serde_yaml::Deserializer::from_str(text).map(serde_yaml::Value::deserialize).collect()
        };
        let fast = parse(&text).ok().and_then(|mut docs| docs.iter_mut().all(|d| restore(d, &kept)).then_some(docs));
        let expected = parse(&plain).unwrap_or_default();
        let read = super::super::reader::documents_restoring(&text, &kept);
        (fast, expand(&text, &kept), expected, plain, read)
    }

    #[test]
    fn long_strings_in_whole_scalars_are_read_without_the_parser_seeing_them() {
        let long = format!("#!/bin/sh\necho \"it's\" \\ {}\n", "x".repeat(600));
        let (fast, expanded, expected, plain) =
            both_ways("a: {{ s }}\nb: [x, {{ s }}]\nc: {k: {{ s }}}\n---\nd:\n- {{ s }}\n", &long);
        assert_eq!(fast.as_deref(), Some(expected.as_slice()));
        assert_eq!(expected[0]["a"].as_str(), Some(long.as_str()));
        assert_eq!(expanded, plain);
    }

    #[test]
    fn placeholders_anywhere_else_fall_back_to_the_printed_text() {
        let long = "y".repeat(700);
        for template in
            ["a: pre{{ s }}\n", "a: '{{ s }}'\n", "{{ s }}: 1\n", "a: !t {{ s }}\n", "a: {{ s | length }}\n"]
        {
            let (fast, expanded, _, plain) = both_ways(template, &long);
            assert_eq!(expanded, plain, "{template}");
            if template.contains("length") {
                // A filter sees the string itself, never a placeholder.
                assert!(fast.is_some(), "{template}");
            } else {
                assert!(fast.is_none(), "{template}: the fast reading must refuse");
            }
        }
    }

    #[test]
    fn strings_yaml_reads_otherwise_than_json_are_printed_as_they_are() {
        // libyaml folds the space before a raw U+2028 in a double-quoted scalar.
        for odd in ['\u{2028}', '\u{2029}', '\u{85}', '\u{7f}', '\u{feff}'] {
            let s = format!("{} {odd}x", "a".repeat(600));
            assert!(!reads_back_as_itself(&s), "{odd:?}");
            let env = environment();
            let (text, kept) =
                collecting(|| env.render_named_str("t.yaml", "a: {{ s }}", minijinja::context! { s }).unwrap());
            assert!(kept.is_empty() && !text.contains(PREFIX.as_str()), "{odd:?} kept aside");
        }
    }

    /// The search of ASCII text for DEL agrees with the test of each character, for every ASCII
    /// byte anywhere.
    #[test]
    fn ascii_text_reads_back_as_each_character_does() {
        for byte in 0..=0x7fu8 {
            for at in [0, 1, 31, 32, 33, 599] {
                let mut text = vec![b'a'; 600];
                text[at] = byte;
                let text = String::from_utf8(text).unwrap();
                assert_eq!(reads_back_as_itself(&text), text.chars().all(reads_back), "byte {byte:#x} at {at}");
            }
        }
    }

    #[test]
    fn short_strings_and_templates_outside_collecting_print_as_minijinja_does() {
        let env = environment();
        let out = env.render_named_str("t.yaml", "a: {{ s }}", minijinja::context! { s => "x".repeat(800) }).unwrap();
        assert_eq!(out, format!("a: \"{}\"", "x".repeat(800)));
        let (_, kept) =
            collecting(|| env.render_named_str("t.yaml", "a: {{ s }}", minijinja::context! { s => "short" }).unwrap());
        assert!(kept.is_empty());
    }

    proptest! {
        #[test]
        fn reads_what_the_printed_text_reads(
            s in prop_oneof![
                "[ -~\\n\\t\\ré\u{1f600}\"'\\\\]{500,700}",
                "[ -~\\n\\t\\ré\u{2028}\u{85}\u{7f}\u{feff}\u{1f600}\"'\\\\]{500,700}",
            ],
            template in prop::sample::select(vec![
                "a: {{ s }}\n", "a: [{{ s }}, {{ s }}]\n", "a: x{{ s }}\n", "a: '{{ s }}'\n", "a: |\n  {{ s }}\n",
                "{{ s }}: b\n", "# {{ s }}\na: 1\n", "a: \"{{ s }}\"\n", "- {{ s }}\n- {k: {{ s }}}\n",
            ]),
        ) {
            let (fast, expanded, expected, plain, read) = three_ways(template, &s);
            prop_assert_eq!(expanded, plain);
            // The reader puts back whole scalar values as it reads; a placeholder anywhere else,
            // even in a comment, leaves the text to the ordinary way.
            let read_here = ["a: {{ s }}\n", "a: [{{ s }}, {{ s }}]\n", "- {{ s }}\n- {k: {{ s }}}\n"];
            if reads_back_as_itself(&s) {
                prop_assert_eq!(read.is_some(), read_here.contains(&template), "{}", template);
            }
            if let Some(read) = read {
                let documents: Vec<serde_yaml::Value> = expected.iter().filter(|d| !d.is_null()).cloned().collect();
                prop_assert_eq!(read, documents);
            }
            // Whole scalars are read the fast way, and so is a comment (its placeholder vanishes as the text would).
            let fast_way = ["a: {{ s }}\n", "a: [{{ s }}, {{ s }}]\n", "- {{ s }}\n- {k: {{ s }}}\n", "# {{ s }}\na: 1\n"];
            prop_assert_eq!(fast.is_some(), fast_way.contains(&template) && reads_back_as_itself(&s), "{}", template);
            if let Some(fast) = fast {
                prop_assert_eq!(fast, expected);
            }
        }
    }
}
