//! Objects to YAML text, fast, and to the byte what `serde_yaml::to_string` writes.
//!
//! serde_yaml drives libyaml's emitter event by event, which at a few thousand objects is most
//! of fabgen's time. The shapes Kubernetes objects take — block mappings and sequences of
//! strings, integers, booleans and nulls — are written here directly, following the rules
//! libyaml's emitter applies to them (`yaml_emitter_analyze_scalar` and
//! `yaml_emitter_select_scalar_style` in unsafe-libyaml's emitter.rs, serde_yaml's
//! `serialize_str` for the style it asks for). Anything else (floats, tags, non-ASCII or
//! control characters, keys that are not short one-line strings, block scalars that need an
//! indentation or keep indicator) is left to serde_yaml for the whole object, so the result is
//! serde_yaml's in every case; the tests compare the two on generated values and on every
//! object of every example.

use serde_yaml::Value;

use super::long_text::{RECENT_MIN_LEN, Recent};
use super::node::{Entries, Items, Node, View};
use super::reader::byte_set;

/// An object as `serde_yaml::to_string` writes it.
pub fn to_string(value: &Value) -> Result<String, serde_yaml::Error> {
    match written_here(value) {
        Some(text) => Ok(text),
        None => serde_yaml::to_string(value),
    }
}

/// The text, when `value` has a shape this writer knows.
pub fn written_here(value: &Value) -> Option<String> {
    written(Node::Yaml(value))
}

/// The text of a value of either form ([`Node`]), when it has a shape this writer knows.
pub fn written(value: Node) -> Option<String> {
    let View::Map(map) = value.view() else { return None };
    if map.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(4096);
    write_mapping(&mut out, map, 0)?;
    Some(out)
}

/// `None`: a shape this writer leaves to serde_yaml.
type Written = Option<()>;

/// A non-empty mapping whose keys start at column `indent`; the first key goes where the
/// cursor is (after `- ` in a sequence), the others on lines of their own.
fn write_mapping(out: &mut String, map: Entries, indent: usize) -> Written {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            push_indent(out, indent);
        }
        write_key(out, key?)?;
        out.push(':');
        match value.view() {
            View::Map(m) if !m.is_empty() => {
                push_indent(out, indent + 2);
                write_mapping(out, m, indent + 2)?;
            }
            // libyaml writes a mapping's block sequence at the mapping's own indentation.
            View::Seq(s) if !s.is_empty() => {
                push_indent(out, indent);
                write_sequence(out, s, indent)?;
            }
            scalar => {
                out.push(' ');
                write_scalar(out, scalar, indent + 2)?;
                out.push('\n');
            }
        }
    }
    Some(())
}

/// A non-empty block sequence whose dashes are at column `indent`, the first where the cursor is.
fn write_sequence(out: &mut String, items: Items, indent: usize) -> Written {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            push_indent(out, indent);
        }
        out.push_str("- ");
        match item.view() {
            View::Map(m) if !m.is_empty() => write_mapping(out, m, indent + 2)?,
            View::Seq(s) if !s.is_empty() => write_sequence(out, s, indent + 2)?,
            scalar => {
                write_scalar(out, scalar, indent + 2)?;
                out.push('\n');
            }
        }
    }
    Some(())
}

/// A new line's indentation (the previous line ended with its `\n`, or a key with `:`).
fn push_indent(out: &mut String, indent: usize) {
    if !out.ends_with('\n') {
        out.push('\n');
    }
    push_spaces(out, indent);
}

/// `n` spaces, copied from a line of them rather than pushed one character at a time.
fn push_spaces(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > SPACES.len() {
        out.push_str(SPACES);
        n -= SPACES.len();
    }
    out.push_str(&SPACES[..n]);
}

/// A mapping key: libyaml writes a key as a simple key only while it is one line of at most
/// 128 bytes; the others (`? ` keys) are serde_yaml's.
fn write_key(out: &mut String, key: &str) -> Written {
    if key.is_empty() || key.len() > 128 || key.contains('\n') {
        return None;
    }
    write_string(out, key, 0)
}

/// A scalar, or an empty collection in flow style, after `key: ` or `- `; a block scalar's
/// lines start at column `indent`.
fn write_scalar(out: &mut String, value: View, indent: usize) -> Written {
    use std::fmt::Write;
    match value {
        View::Null => out.push_str("null"),
        View::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        View::Int(n) => write!(out, "{n}").ok()?,
        View::UInt(n) => write!(out, "{n}").ok()?,
        View::Str(s) => write_string(out, s, indent)?,
        View::Map(m) if m.is_empty() => out.push_str("{}"),
        View::Seq(s) if s.is_empty() => out.push_str("[]"),
        _ => return None,
    }
    Some(())
}

/// A string: a literal block when it has line breaks (serde_yaml asks for one), else plain
/// when libyaml allows it and the text would not read back as another type, else single-quoted.
fn write_string(out: &mut String, s: &str, indent: usize) -> Written {
    // A literal block takes printable ASCII, line feeds and the Unicode libyaml's emitter
    // writes as it is (`IS_PRINTABLE`, less the breaks U+0085, U+2028, U+2029 and the BOM,
    // which it treats apart); a single line printable ASCII only. The rest (tabs, CR, other
    // Unicode) takes paths not written here.
    // Printable ASCII has no line break: most strings are told by this one pass.
    let (printable, colon_or_hash) = scan(s.as_bytes());
    if !printable {
        if !s.contains('\n') {
            return None;
        }
        if s.len() >= RECENT_MIN_LEN {
            return write_long_literal(out, s, indent);
        }
        return if literal_text(s) { write_literal(out, s, indent) } else { None };
    }
    if plain_allowed(s, colon_or_hash) && !reads_as_other_type(s)? {
        out.push_str(s);
    } else {
        out.push('\'');
        for (i, part) in s.split('\'').enumerate() {
            if i > 0 {
                out.push_str("''");
            }
            out.push_str(part);
        }
        out.push('\'');
    }
    Some(())
}

thread_local! {
    /// The long strings written last on this thread as literal blocks: each string and the
    /// column its lines start at, with its text.
    static WRITTEN: std::cell::RefCell<Recent<(String, usize), String>> = const { std::cell::RefCell::new(Recent::new()) };
}

/// A long string with line breaks as a literal block: the Jobs of a kind share their script,
/// written once per thread at each indentation and copied after ([`Recent`]).
fn write_long_literal(out: &mut String, s: &str, indent: usize) -> Written {
    WRITTEN.with_borrow_mut(|written| {
        let made = || {
            let mut text = String::new();
            if !literal_text(s) {
                return None;
            }
            write_literal(&mut text, s, indent)?;
            Some(((s.to_string(), indent), text))
        };
        out.push_str(written.text(|(original, at)| *at == indent && original == s, made)?);
        Some(())
    })
}

/// Whether every character of `s` is one a literal block holds as it is ([`literal_char`]):
/// ASCII text is read 64 bytes at a time, without stopping early inside them, so the compiler
/// compares whole vectors.
fn literal_text(s: &str) -> bool {
    if s.is_ascii() {
        s.as_bytes()
            .chunks(64)
            .all(|chunk| chunk.iter().fold(true, |ok, &b| ok & ((b' '..=b'~').contains(&b) | (b == b'\n'))))
    } else {
        s.chars().all(literal_char)
    }
}

/// A character a literal block holds as it is: libyaml's `IS_PRINTABLE` (unsafe-libyaml
/// macros) without tab and CR, and without the characters it reads as breaks or a BOM.
fn literal_char(c: char) -> bool {
    matches!(c, '\n' | ' '..='~')
        || matches!(c as u32, 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x1_0000..=0x10_FFFF)
            && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

/// A literal block scalar (`|` or `|-`) of a string with line breaks.
fn write_literal(out: &mut String, s: &str, indent: usize) -> Written {
    let bytes = s.as_bytes();
    // A leading space or break needs an indentation indicator; a space at the end of the text
    // or before a break makes libyaml double-quote it; two final breaks need `|+`.
    // (Each line is tested for a final space as it is written.)
    if bytes[0] == b' ' || bytes[0] == b'\n' || s.ends_with("\n\n") {
        return None;
    }
    let (body, hint) = match s.strip_suffix('\n') {
        Some(body) => (body, "|"),
        None => (s, "|-"),
    };
    out.reserve(hint.len() + body.len() + 1 + indent * (body.len() / 16 + 1));
    out.push_str(hint);
    for line in body.split('\n') {
        if line.ends_with(' ') {
            return None;
        }
        out.push('\n');
        if !line.is_empty() {
            push_spaces(out, indent);
            out.push_str(line);
        }
    }
    Some(())
}

/// libyaml's `block_plain_allowed` for one line of printable ASCII; `colon_or_hash`: whether
/// a `:` or `#` may stand in it (its [`scan`]), else it is not looked for.
fn plain_allowed(s: &str, colon_or_hash: bool) -> bool {
    let bytes = s.as_bytes();
    let Some(&first) = bytes.first() else { return false };
    if first == b' ' || s.ends_with(' ') || s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    // Whitespace in libyaml's sense here: a space, or the end of the text.
    let blank_at = |i: usize| bytes.get(i).is_none_or(|b| *b == b' ');
    if PLAIN_FIRST_STOP[usize::from(first)] || (matches!(first, b'?' | b':' | b'-') && blank_at(1)) {
        return false;
    }
    // Most strings hold neither `:` nor `#`: their scan told them.
    if !colon_or_hash {
        return true;
    }
    (1..bytes.len()).all(|i| match bytes[i] {
        b':' => !blank_at(i + 1),
        b'#' => bytes[i - 1] != b' ',
        _ => true,
    })
}

/// Whether every byte is printable ASCII, and if so whether a `:` or a `#` stands among them:
/// one pass, 32 bytes at a time without stopping early inside them, so the compiler compares
/// whole vectors (as [`literal_text`]).
fn scan(bytes: &[u8]) -> (bool, bool) {
    let (mut printable, mut colon_or_hash) = (true, false);
    for chunk in bytes.chunks(32) {
        let (p, c) = chunk
            .iter()
            .fold((true, false), |(p, c), &b| (p & (b' '..=b'~').contains(&b), c | (b == b':') | (b == b'#')));
        printable &= p;
        colon_or_hash |= c;
        if !printable {
            break;
        }
    }
    (printable, colon_or_hash)
}

/// Whether a plain scalar would read back as something other than this string, or is one
/// serde_yaml quotes all the same (digits with a leading zero); `None` when this writer cannot
/// tell. Only text that starts like a number, or is a null or boolean word, can read back as
/// another type; serde_yaml's own reading of the text decides those.
fn reads_as_other_type(s: &str) -> Option<bool> {
    if matches!(s, "~" | "null" | "Null" | "NULL" | "true" | "True" | "TRUE" | "false" | "False" | "FALSE") {
        return Some(true);
    }
    let first = *s.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return Some(false);
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(true);
    }
    if never_a_number(s) {
        return Some(false);
    }
    match serde_yaml::from_str::<Value>(s).ok()? {
        Value::String(read) if read == s => Some(false),
        Value::String(_) => None,
        _ => Some(true),
    }
}

/// Whether no number form serde_yaml reads (decimal, `0x`, `0o`, `0b` and signed integers;
/// finite floats as Rust parses them, and `.inf`, `.nan` with their signs and spellings) can
/// be this text, so it stays a string without asking serde_yaml: a sign followed by a letter
/// (`-c`, `--tls`: the special forms put a digit or a dot there, and Rust's `inf`, `nan`
/// parse to values serde_yaml does not take), or a character none of those forms uses
/// (`10m`, `1Gi`, `0.0.0.0:7051`).
fn never_a_number(s: &str) -> bool {
    let bytes = s.as_bytes();
    let signed_word = matches!(bytes, [b'-' | b'+', next, ..] if next.is_ascii_alphabetic());
    signed_word || bytes.iter().any(|b| !NUMBER_BYTES[usize::from(*b)])
}

/// The bytes a plain scalar does not start with, whatever follows.
const PLAIN_FIRST_STOP: [bool; 256] = byte_set(b"#,[]{}&*!|>'\"%@`");

/// The bytes a number form serde_yaml reads may hold (see [`never_a_number`]).
const NUMBER_BYTES: [bool; 256] = byte_set(b"0123456789abcdefABCDEF.+-xXoOiInNtTyY");

#[cfg(test)]
mod tests {
    use super::*;
    use serde_yaml::Mapping;

    /// The chunked scan answers as the plain byte loops, for lengths around the chunk size and
    /// each kind of byte at every place.
    #[test]
    fn chunked_scans_answer_as_byte_loops() {
        for len in [0, 1, 2, 31, 32, 33, 63, 64, 65, 100] {
            for at in 0..len {
                for b in [0u8, b'\t', b'\n', b' ', b'#', b':', b'a', b'~', 0x7f, 0x80, 0xff] {
                    let mut bytes = vec![b'x'; len];
                    bytes[at] = b;
                    let printable = bytes.iter().all(|b| (b' '..=b'~').contains(b));
                    let (scanned, colon_or_hash) = scan(&bytes);
                    assert_eq!(scanned, printable, "{bytes:?}");
                    if printable {
                        assert_eq!(colon_or_hash, bytes.iter().any(|b| b":#".contains(b)), "{bytes:?}");
                    }
                }
            }
            assert_eq!(scan(&vec![b'x'; len]), (true, false));
        }
    }

    fn same_as_serde_yaml(yaml: &str) -> String {
        let value: Value = serde_yaml::from_str(yaml).unwrap();
        let ours = to_string(&value).unwrap();
        assert_eq!(ours, serde_yaml::to_string(&value).unwrap(), "for {yaml:?}");
        ours
    }

    #[test]
    fn writes_block_collections_as_libyaml_does() {
        for yaml in [
            "a: 1\nb: x\nc: null\nd: true\ne: -3\n",
            "a:\n  b: 1\n  c:\n    d: e\n",
            "a:\n- 1\n- 2\n",
            "a:\n- b: 1\n  c: 2\n- d: [x, y]\n",
            "a:\n- - 1\n  - 2\n- - - 3\n",
            "a: {}\nb: []\nc:\n- {}\n- []\n",
        ] {
            same_as_serde_yaml(yaml);
        }
    }

    /// The vectorised test of a literal block's text agrees with the test of each character,
    /// for every ASCII byte at every place in its chunk, and for text with other characters.
    #[test]
    fn tests_literal_text_as_each_character_is_tested() {
        for byte in 0..=0x7fu8 {
            for at in [0, 1, 63, 64, 65, 128, 199] {
                let mut text = vec![b'a'; 200];
                text[at] = byte;
                let text = String::from_utf8(text).unwrap();
                assert_eq!(literal_text(&text), text.chars().all(literal_char), "byte {byte:#x} at {at}");
            }
        }
        for odd in ["é\nx", "\u{2028}\n", "a\u{feff}\n", "\u{1f600}\n\t"] {
            assert_eq!(literal_text(odd), odd.chars().all(literal_char), "{odd:?}");
        }
        let ours = same_as_serde_yaml("a: \"x \\ny\\n\"\nb: \"x\\ny \"\nc: \"x\\ny\\n \"\n");
        assert!(!ours.contains('|'), "{ours}");
    }

    /// Long literal blocks, written anew or copied from those kept, at several indentations,
    /// are serde_yaml's; one that cannot be a literal block is left to serde_yaml every time.
    #[test]
    fn long_literal_blocks_kept_per_thread_are_written_as_serde_yaml_writes_them() {
        let script = format!("#!/bin/sh\nset -eu\n{}echo done\n", "echo 'a line of the script'\n\n".repeat(100));
        assert!(script.len() >= RECENT_MIN_LEN);
        let trailing_space = script.replace("done", "done ");
        for s in [&script, &trailing_space, &script, &trailing_space] {
            let value = Value::Mapping(Mapping::from_iter([
                (Value::from("a"), Value::from(s.as_str())),
                (Value::from("b"), Value::Sequence(vec![Value::from(s.as_str()), Value::from(s.as_str())])),
                (Value::from("c"), Value::Mapping(Mapping::from_iter([(Value::from("d"), Value::from(s.as_str()))]))),
            ]));
            assert_eq!(to_string(&value).unwrap(), serde_yaml::to_string(&value).unwrap());
            assert_eq!(written_here(&value).is_some(), s == &script);
        }
    }

    #[test]
    fn writes_line_broken_strings_as_literal_blocks() {
        let ours = same_as_serde_yaml("a: \"x\\ny\"\nb: \"x\\ny\\n\"\ne: \"x\\n\\ny\"\nf:\n- g: \"p\\n q\\n\"\n");
        assert!(ours.contains("a: |-\n  x\n  y\n") && ours.contains("- g: |\n    p\n     q\n"), "{ours}");
    }

    #[test]
    fn quotes_what_would_read_back_as_something_else() {
        let ours = same_as_serde_yaml(
            "a: ''\nb: ' x'\nc: 'x '\nd: '1.0'\ne: '0123'\nf: 'true'\ng: 'a: b'\nh: 'a #b'\ni: 'a#b'\nj: '- x'\nk: '-x'\nl: ':x'\nm: 'x:'\nn: \"it's\"\no: '@x'\np: '%x'\nq: '---'\nr: 'a,b'\nu: 'x?'\nv: '?x'\nw: '*'\nx: 'null'\ny: '~'\nz: '-'\naa: '1e3'\nab: '0x1F'\nac: '1_000'\nad: '12:30'\nae: '.inf'\naf: 'inf'\nag: '-0'\nah: '1.2.3'\nai: \"'q'\"\n",
        );
        assert!(ours.contains("d: '1.0'\n") && ours.contains("i: a#b\n") && ours.contains("ai: '''q'''\n"), "{ours}");
    }

    #[test]
    fn leaves_other_shapes_to_serde_yaml() {
        for yaml in [
            "a: 1.5\n",
            "a: \"tab\\there\"\n",
            "a: é\n",
            "\"x\\ny\": 1\n",
            "1: a\n",
            "a: \"x\\n\\n\"\n",
            "a: \" x\\ny\"\n",
            "a: \"x \\ny\"\n",
            "a: !tag x\n",
        ] {
            same_as_serde_yaml(yaml);
        }
    }

    use proptest::prelude::*;

    /// Strings made of the pieces that decide libyaml's style: indicators, spaces, breaks,
    /// quotes, number and keyword look-alikes, and a few characters this writer leaves alone.
    fn nasty_string() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "a", "x", "Z", "0", "1", "07", "1.5", "-", "+", ".", ":", ": ", "#", " #", "?", ",", "[", "]", "{", "}",
            "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`", " ", "  ", "\n", "\n\n", "---", "...", "true", "null",
            "~", "0x1F", "1e3", ".inf", "=", "0o7", "-1", "+.5", "False", "Null", "’", "é", "\u{a0}", "😀", "\u{e000}",
            "\u{85}", "\u{2028}", "\u{2029}", "\u{feff}", "\u{fffe}", "\u{7f}", "\u{9f}",
        ]);
        // Now and then a character this writer leaves to serde_yaml.
        let rare = prop::sample::select(vec!["", "", "", "", "", "", "", "", "é", "\t", "\r"]);
        (prop::collection::vec(pieces, 0..8), rare).prop_map(|(p, r)| p.concat() + r)
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| Value::Number(n.into())),
            any::<u64>().prop_map(|n| Value::Number(n.into())),
            nasty_string().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Sequence),
                prop::collection::vec((nasty_string(), inner), 0..5)
                    .prop_map(|pairs| Value::Mapping(pairs.into_iter().map(|(k, v)| (Value::String(k), v)).collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn what_is_never_a_number_reads_back_as_the_same_string(
            s in "[-+.0-9][-+.0-9a-zA-Z:/_]{0,8}|[-+][a-zA-Z][-a-zA-Z.=]{0,8}|[-+.]?(inf|Inf|INF|nan|NaN|NAN|infinity|Infinity)",
        ) {
            if never_a_number(&s) && plain_allowed(&s, scan(s.as_bytes()).1) {
                prop_assert_eq!(serde_yaml::from_str::<Value>(&s).unwrap(), Value::String(s.clone()));
            }
        }

        #[test]
        fn writes_what_serde_yaml_writes(value in value()) {
            let expected = serde_yaml::to_string(&value).unwrap();
            prop_assert_eq!(to_string(&value).unwrap(), expected.clone());
            // Top-level mappings of supported shapes are written here, not left to serde_yaml.
            if let Some(ours) = written_here(&value) {
                prop_assert_eq!(ours, expected);
            }
        }

        #[test]
        fn writes_mappings_of_supported_strings_itself(
            pairs in prop::collection::vec(("[a-z]{1,8}", "[ -~]{0,20}(\n[ -~]{0,20}){0,3}"), 1..6),
        ) {
            let value = Value::Mapping(pairs.into_iter().map(|(k, v)| (Value::String(k), Value::String(v))).collect());
            let expected = serde_yaml::to_string(&value).unwrap();
            if let Some(ours) = written_here(&value) {
                prop_assert_eq!(ours, expected);
            } else {
                // Only what the module documents as left to serde_yaml.
                let Value::Mapping(map) = &value else { unreachable!() };
                prop_assert!(map.values().any(|v| {
                    let s = v.as_str().unwrap();
                    s.contains('\n') && (s.starts_with([' ', '\n']) || s.ends_with(' ') || s.contains(" \n") || s.ends_with("\n\n"))
                        || (!s.contains('\n') && matches!(s.as_bytes().first(), Some(b'0'..=b'9' | b'+' | b'-' | b'.')))
                }), "left {:?} to serde_yaml", map);
            }
        }
    }
}
