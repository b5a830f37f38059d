//! Rendered template text to values, fast, and exactly as serde_yaml reads it.
//!
//! Parsing the text templates print with libyaml (through serde_yaml) was close to half of a
//! render's instructions. fabgen's templates print a small part of YAML: block mappings and
//! sequences indented with spaces, one-line flow mappings and sequences (the JSON that
//! templates print for values, and short `{name: x, value: y}` entries), one-line quoted
//! scalars, plain scalars, comments, and `---` between documents. This reader reads that part
//! and returns `None` for anything else, so the caller falls back to serde_yaml for the whole
//! text: the result is serde_yaml's whenever this reader gives one.
//!
//! It refuses rather than guesses: tabs, carriage returns and control characters anywhere;
//! anchors, aliases, tags, directives, `?` keys, block scalars (`|`, `>`), multi-line scalars
//! and flow collections, a `:` inside a plain scalar of a flow collection, duplicate keys, and
//! indentation that is not exactly a parent's or deeper. A plain scalar is resolved as
//! serde_yaml resolves untagged scalars (YAML 1.2 core schema: `null`, `~`, `true`, `false` in
//! their three spellings; integers; other scalars stay strings) only where the answer is
//! certain: a scalar starting with a letter or `/` is a string unless it is one of those
//! words, decimal digits are an integer; anything else that could be a number (`0x1F`, `1e5`,
//! `.5`, `+1`, `007`) is left to serde_yaml. Tests compare the two on every template instance
//! of every example, on values serde_yaml and `render::yaml` write, and on mutated texts.

use std::borrow::Cow;
use std::marker::PhantomData;

use serde_yaml::{Mapping, Number, Value};

use super::long_text;
use super::node::Tree;

/// The documents of `text` that are not empty (null), in order, as serde_yaml reads them;
/// `None` when the text leaves this reader's part of YAML.
pub fn documents(text: &str) -> Option<Vec<Value>> {
    documents_restoring(text, &[])
}

/// [`documents`] of a text whose long strings were kept aside (`long_text`): each scalar value
/// that is a whole placeholder is read as the string it stands for, as `long_text::restore`
/// puts it back. `None` also when a placeholder stands anywhere else (in a key, inside a longer
/// scalar, in a comment): that text is read the ordinary way.
pub fn documents_restoring(text: &str, long_texts: &[String]) -> Option<Vec<Value>> {
    read::<Values>(text, long_texts)
}

/// [`documents_restoring`] as [`Tree`]s, their strings borrowed from `text` and `long_texts`:
/// `None` also for a mapping key that is not a string (`1: x`), which the tree does not hold.
pub fn trees_restoring<'t>(text: &'t str, long_texts: &'t [String]) -> Option<Vec<Tree<'t>>> {
    read::<Trees>(text, long_texts)
}

fn read<'t, B: Build<'t>>(text: &'t str, long_texts: &'t [String]) -> Option<Vec<B::Node>> {
    if has_control(text) || (!text.is_ascii() && !printable_text(text)) {
        return None;
    }
    let long = Restorer { strings: long_texts, restored: 0 };
    let mut reader: Reader<'t, B> = Reader { lines: lines_of(text), at: 0, peeked: None, long, build: PhantomData };
    let mut out = Vec::new();
    while let Some((indent, content)) = reader.peek() {
        if content == "---" && indent == 0 {
            reader.at += 1;
            continue;
        }
        if indent != 0 || content.starts_with("---") || content.starts_with("...") {
            return None;
        }
        let value = reader.block(0)?;
        if let Some((indent, content)) = reader.peek()
            && (indent != 0 || content != "---")
        {
            return None;
        }
        if !B::is_null(&value) {
            out.push(value);
        }
    }
    (long_texts.is_empty() || reader.long.restored == long_text::placeholders_in(text)).then_some(out)
}

/// What the reader makes of what it reads: serde_yaml's values ([`Values`]) or trees of
/// borrowed strings ([`Trees`]).
trait Build<'t> {
    type Node;
    type Map;
    fn null() -> Self::Node;
    fn boolean(b: bool) -> Self::Node;
    fn int(n: i64) -> Self::Node;
    fn string(s: Cow<'t, str>) -> Self::Node;
    fn sequence(items: Vec<Self::Node>) -> Self::Node;
    fn new_map() -> Self::Map;
    /// Adds an entry; `None` when the key is there already, or is one this form cannot hold.
    fn insert(map: &mut Self::Map, key: Self::Node, value: Self::Node) -> Option<()>;
    fn mapping(map: Self::Map) -> Self::Node;
    fn as_str(node: &Self::Node) -> Option<&str>;
    fn is_null(node: &Self::Node) -> bool;
}

/// serde_yaml's values.
struct Values;

impl<'t> Build<'t> for Values {
    type Node = Value;
    type Map = Mapping;
    fn null() -> Value {
        Value::Null
    }
    fn boolean(b: bool) -> Value {
        Value::Bool(b)
    }
    fn int(n: i64) -> Value {
        Value::Number(Number::from(n))
    }
    fn string(s: Cow<'t, str>) -> Value {
        Value::String(s.into_owned())
    }
    fn sequence(items: Vec<Value>) -> Value {
        Value::Sequence(items)
    }
    fn new_map() -> Mapping {
        Mapping::new()
    }
    fn insert(map: &mut Mapping, key: Value, value: Value) -> Option<()> {
        map.insert(key, value).is_none().then_some(())
    }
    fn mapping(map: Mapping) -> Value {
        Value::Mapping(map)
    }
    fn as_str(node: &Value) -> Option<&str> {
        node.as_str()
    }
    fn is_null(node: &Value) -> bool {
        node.is_null()
    }
}

/// Trees of borrowed strings.
struct Trees;

/// A tree mapping being read: its entries, and once it has many, their keys' hashes, so a
/// key written twice is found without comparing every pair.
struct TreeMap<'t> {
    entries: Vec<(Cow<'t, str>, Tree<'t>)>,
    hashes: Option<foldhash::HashSet<u64>>,
}

/// The entries a tree mapping compares keys one by one below.
const FEW_KEYS: usize = 16;

impl TreeMap<'_> {
    fn has(&mut self, key: &str) -> bool {
        use std::hash::BuildHasher;
        let Some(hashes) = &mut self.hashes else {
            if self.entries.len() < FEW_KEYS {
                return self.entries.iter().any(|(k, _)| k == key);
            }
            let state = foldhash::fast::FixedState::default();
            self.hashes = Some(self.entries.iter().map(|(k, _)| state.hash_one(k.as_ref())).collect());
            return self.has(key);
        };
        let hash = foldhash::fast::FixedState::default().hash_one(key);
        !hashes.insert(hash) && self.entries.iter().any(|(k, _)| k == key)
    }
}

impl<'t> Build<'t> for Trees {
    type Node = Tree<'t>;
    type Map = TreeMap<'t>;
    fn null() -> Tree<'t> {
        Tree::Null
    }
    fn boolean(b: bool) -> Tree<'t> {
        Tree::Bool(b)
    }
    fn int(n: i64) -> Tree<'t> {
        Tree::Int(n)
    }
    fn string(s: Cow<'t, str>) -> Tree<'t> {
        Tree::Str(s)
    }
    fn sequence(items: Vec<Tree<'t>>) -> Tree<'t> {
        Tree::Seq(items)
    }
    fn new_map() -> TreeMap<'t> {
        TreeMap { entries: Vec::new(), hashes: None }
    }
    fn insert(map: &mut TreeMap<'t>, key: Tree<'t>, value: Tree<'t>) -> Option<()> {
        let Tree::Str(key) = key else { return None };
        if map.has(&key) {
            return None;
        }
        map.entries.push((key, value));
        Some(())
    }
    fn mapping(map: TreeMap<'t>) -> Tree<'t> {
        Tree::Map(map.entries)
    }
    fn as_str<'n>(node: &'n Tree<'t>) -> Option<&'n str> {
        node.as_str()
    }
    fn is_null(node: &Tree<'t>) -> bool {
        matches!(node, Tree::Null)
    }
}

/// The texts of `text`'s documents, cut at each line that is exactly `---` (the line itself
/// left out): what this reader reads document by document, as it reads the whole text. A line
/// with more (`--- x`, trailing spaces) stays in its piece, where it is read as ever.
pub fn document_texts(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut start = Some(0);
    let mut from = 0;
    std::iter::from_fn(move || {
        let begin = start?;
        while let Some(found) = memchr::memmem::find(&bytes[from..], b"---\n") {
            let at = from + found;
            from = at + 4;
            if at == 0 || bytes[at - 1] == b'\n' {
                start = Some(from);
                return Some(&text[begin..at]);
            }
        }
        start = None;
        Some(&text[begin..])
    })
}

/// The long strings a text's placeholders stand for, and how many were read back.
struct Restorer<'t> {
    strings: &'t [String],
    restored: usize,
}

impl<'t> Restorer<'t> {
    /// A scalar value as read, or the long string it stands for when it is a whole
    /// placeholder.
    fn value<B: Build<'t>>(&mut self, value: B::Node) -> B::Node {
        if !self.strings.is_empty()
            && let Some(original) =
                B::as_str(&value).and_then(long_text::placeholder).and_then(|index| self.strings.get(index))
        {
            self.restored += 1;
            return B::string(Cow::Borrowed(original));
        }
        value
    }
}

/// The lines of the text and the next one to read.
struct Reader<'a, B> {
    lines: Vec<&'a str>,
    at: usize,
    /// The last line peeked at: its number, indentation and content.
    peeked: Option<(usize, usize, &'a str)>,
    long: Restorer<'a>,
    build: PhantomData<B>,
}

impl<'a, B: Build<'a>> Reader<'a, B> {
    /// The next line with content (not blank, not a comment): its indentation and its content,
    /// trailing spaces removed. Skipped lines are consumed.
    fn peek(&mut self) -> Option<(usize, &'a str)> {
        // A line is peeked at two or three times (by its entry, then by the one before as it
        // ends): trimmed once.
        if let Some((at, indent, content)) = self.peeked
            && at == self.at
        {
            return Some((indent, content));
        }
        while let Some(line) = self.lines.get(self.at) {
            let content = line.trim_start_matches(' ');
            if content.trim_end_matches(' ').is_empty() || content.starts_with('#') {
                self.at += 1;
                continue;
            }
            let found = (line.len() - content.len(), content.trim_end_matches(' '));
            self.peeked = Some((self.at, found.0, found.1));
            return Some(found);
        }
        None
    }

    /// The block node whose first line is the next content line, at `indent`.
    fn block(&mut self, indent: usize) -> Option<B::Node> {
        let (_, content) = self.peek()?;
        if is_item(content) { self.sequence(indent) } else { self.mapping(indent, None) }
    }

    /// A block mapping whose keys sit at column `indent`; `first` is its first entry when it
    /// starts on a sequence item's line (already consumed).
    fn mapping(&mut self, indent: usize, first: Option<&'a str>) -> Option<B::Node> {
        let mut map = B::new_map();
        let mut pending = first;
        loop {
            let entry = match pending.take() {
                Some(entry) => entry,
                None => match self.peek() {
                    Some((0, "---")) => break,
                    Some((i, content)) if i == indent && !is_item(content) => {
                        self.at += 1;
                        content
                    }
                    Some((i, _)) if i >= indent => return None,
                    _ => break,
                },
            };
            let (key, rest) = key::<B>(entry)?;
            let value = self.value_of_entry(rest, indent)?;
            B::insert(&mut map, key, value)?;
        }
        Some(B::mapping(map))
    }

    /// The value after `key:` in a mapping at `indent`: on the same line, or the block below.
    fn value_of_entry(&mut self, rest: &'a str, indent: usize) -> Option<B::Node> {
        if rest.is_empty() || rest.starts_with('#') {
            return match self.peek() {
                Some((i, _)) if i > indent => self.block(i),
                // A block sequence may sit at its key's own indentation.
                Some((i, content)) if i == indent && is_item(content) => self.sequence(indent),
                _ => Some(B::null()),
            };
        }
        let value = inline::<B>(rest, &mut self.long)?;
        self.ends_at(indent)?;
        Some(value)
    }

    /// A block sequence whose `-` sit at column `indent`.
    fn sequence(&mut self, indent: usize) -> Option<B::Node> {
        let mut items = Vec::new();
        loop {
            match self.peek() {
                Some((i, content)) if i == indent && is_item(content) => {
                    self.at += 1;
                    let after = &content[1..];
                    let text = after.trim_start_matches(' ');
                    let column = indent + 1 + after.len() - text.len();
                    items.push(self.item(text, indent, column)?);
                }
                Some((i, _)) if i > indent => return None,
                _ => break,
            }
        }
        Some(B::sequence(items))
    }

    /// One sequence item: `text` follows its `-` at `column`.
    fn item(&mut self, text: &'a str, indent: usize, column: usize) -> Option<B::Node> {
        if text.is_empty() || text.starts_with('#') {
            return match self.peek() {
                Some((i, _)) if i > indent => self.block(i),
                _ => Some(B::null()),
            };
        }
        if is_item(text) {
            return None;
        }
        if key::<B>(text).is_some() {
            return self.mapping(column, Some(text));
        }
        let value = inline::<B>(text, &mut self.long)?;
        self.ends_at(indent)?;
        Some(value)
    }

    /// A value written on one line must not go on below it (that would be a multi-line scalar,
    /// or an error): the next content line sits at `indent` or less.
    fn ends_at(&mut self, indent: usize) -> Option<()> {
        match self.peek() {
            Some((i, _)) if i > indent => None,
            _ => Some(()),
        }
    }
}

/// The lines of `text`, as `text.split('\n')` gives them (line feeds found by memchr rather
/// than a char searcher).
fn lines_of(text: &str) -> Vec<&str> {
    let mut lines = Vec::with_capacity(text.len() / 32 + 1);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
        lines.push(&text[start..end]);
        start = end + 1;
    }
    lines.push(&text[start..]);
    lines
}

/// Where a comment starts in `text` after a scalar: the space before the first `#` that
/// follows a space (`text.find(" #")`).
fn comment_at(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'#', bytes).find(|&i| i > 0 && bytes[i - 1] == b' ').map(|i| i - 1)
}

/// Whether `text` holds a `:` followed by a space (`text.contains(": ")`).
fn has_colon_space(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b':', bytes).any(|i| bytes.get(i + 1) == Some(&b' '))
}

/// Whether a line's content is a block sequence item.
fn is_item(content: &str) -> bool {
    content == "-" || content.starts_with("- ")
}

/// The key of a mapping entry and what follows its `:` (spaces skipped); `None` when `text` is
/// not an entry this reader reads.
fn key<'t, B: Build<'t>>(text: &'t str) -> Option<(B::Node, &'t str)> {
    if text.starts_with(['"', '\'']) {
        let (key, rest) = quoted(text)?;
        let rest = rest.strip_prefix(':')?;
        if !(rest.is_empty() || rest.starts_with(' ')) {
            return None;
        }
        return Some((B::string(key), rest.trim_start_matches(' ')));
    }
    let colon =
        memchr::memchr_iter(b':', text.as_bytes()).find(|i| matches!(text.as_bytes().get(i + 1), None | Some(b' ')))?;
    let key = text[..colon].trim_end_matches(' ');
    if key.is_empty() || comment_at(key).is_some() || !plain_start(key) {
        return None;
    }
    Some((plain::<B>(key)?, text[colon + 1..].trim_start_matches(' ')))
}

/// A value that fills the rest of its line (a comment may follow).
fn inline<'t, B: Build<'t>>(text: &'t str, long: &mut Restorer<'t>) -> Option<B::Node> {
    let (value, rest) = match text.as_bytes()[0] {
        b'{' | b'[' => flow::<B>(text, 0, long)?,
        b'"' | b'\'' => {
            let (s, rest) = quoted(text)?;
            (long.value::<B>(B::string(s)), rest)
        }
        _ => {
            let end = comment_at(text).unwrap_or(text.len());
            let scalar = text[..end].trim_end_matches(' ');
            if !plain_start(scalar) || has_colon_space(scalar) || scalar.ends_with(':') {
                return None;
            }
            return plain::<B>(scalar).map(|value| long.value::<B>(value));
        }
    };
    let rest = rest.trim_start_matches(' ');
    (rest.is_empty()
        || (rest.starts_with('#') && text.len() > rest.len() && text.as_bytes()[text.len() - rest.len() - 1] == b' '))
        .then_some(value)
}

/// Whether a plain scalar may start this way (no indicator: YAML 1.2 `ns-plain-first`, less
/// the `-`, `?` and `:` forms this reader leaves to serde_yaml).
fn plain_start(scalar: &str) -> bool {
    match scalar.as_bytes() {
        [b'-', next, ..] => *next != b' ',
        [first, ..] => !PLAIN_START_STOP[usize::from(*first)],
        [] => false,
    }
}

/// The deepest flow nesting read here.
const MAX_DEPTH: usize = 32;

/// The bytes that end a plain scalar in a flow collection (or make it one this reader leaves
/// to serde_yaml): `,`, `]`, `}`, `:`, `#`, `[`, `{`.
const FLOW_STOP: [bool; 256] = byte_set(b",]}:#[{");

/// The bytes a plain scalar does not start with (`-` is told apart by what follows it).
const PLAIN_START_STOP: [bool; 256] = byte_set(b"-?:,[]{}#&*!|>'\"%@`");

/// The bytes a plain key of a flow mapping does not hold.
const FLOW_KEY_STOP: [bool; 256] = byte_set(b",[]{}#");

/// The bytes a number in any form serde_yaml reads may hold (see [`never_a_number`]).
const NUMBER_BYTES: [bool; 256] = byte_set(b"0123456789abcdefABCDEFxXoO.+-");

/// A set of bytes as a table (one lookup per byte, where `contains` on a list of them is a
/// search per byte).
pub(super) const fn byte_set(bytes: &[u8]) -> [bool; 256] {
    let mut set = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        set[bytes[i] as usize] = true;
        i += 1;
    }
    set
}

/// A one-line flow node at the start of `text`, and the text after it.
fn flow<'t, B: Build<'t>>(text: &'t str, depth: usize, long: &mut Restorer<'t>) -> Option<(B::Node, &'t str)> {
    if depth > MAX_DEPTH {
        return None;
    }
    let text = text.trim_start_matches(' ');
    match text.as_bytes().first()? {
        b'{' => flow_mapping::<B>(&text[1..], depth, long),
        b'[' => flow_sequence::<B>(&text[1..], depth, long),
        b'"' | b'\'' => quoted(text).map(|(s, rest)| (long.value::<B>(B::string(s)), rest)),
        _ => {
            let end = text.bytes().position(|b| FLOW_STOP[usize::from(b)]).unwrap_or(text.len());
            if text[end..].starts_with([':', '#', '[', '{']) {
                return None;
            }
            let scalar = text[..end].trim_end_matches(' ');
            if !plain_start(scalar) {
                return None;
            }
            Some((long.value::<B>(plain::<B>(scalar)?), &text[end..]))
        }
    }
}

/// The entries of a flow mapping after its `{`, and the text after its `}`.
fn flow_mapping<'t, B: Build<'t>>(
    mut text: &'t str,
    depth: usize,
    long: &mut Restorer<'t>,
) -> Option<(B::Node, &'t str)> {
    let mut map = B::new_map();
    loop {
        text = text.trim_start_matches(' ');
        if let Some(rest) = text.strip_prefix('}') {
            return Some((B::mapping(map), rest));
        }
        let (key, rest) = flow_key::<B>(text)?;
        let (value, rest) = flow::<B>(rest, depth + 1, long)?;
        B::insert(&mut map, key, value)?;
        text = after_entry(rest, '}')?;
    }
}

/// A flow mapping's key and the text after its `:` (a quoted key may touch its `:`, a plain
/// one is followed by a space).
fn flow_key<'t, B: Build<'t>>(text: &'t str) -> Option<(B::Node, &'t str)> {
    if text.starts_with(['"', '\'']) {
        let (key, rest) = quoted(text)?;
        let rest = rest.trim_start_matches(' ').strip_prefix(':')?;
        return Some((B::string(key), rest));
    }
    let colon = memchr::memchr(b':', text.as_bytes())?;
    let key = text[..colon].trim_end_matches(' ');
    if !text[colon + 1..].starts_with(' ') || key.bytes().any(|b| FLOW_KEY_STOP[usize::from(b)]) || !plain_start(key) {
        return None;
    }
    Some((plain::<B>(key)?, &text[colon + 1..]))
}

/// The items of a flow sequence after its `[`, and the text after its `]`.
fn flow_sequence<'t, B: Build<'t>>(
    mut text: &'t str,
    depth: usize,
    long: &mut Restorer<'t>,
) -> Option<(B::Node, &'t str)> {
    let mut items = Vec::new();
    loop {
        text = text.trim_start_matches(' ');
        if let Some(rest) = text.strip_prefix(']') {
            return Some((B::sequence(items), rest));
        }
        let (item, rest) = flow::<B>(text, depth + 1, long)?;
        items.push(item);
        text = after_entry(rest, ']')?;
    }
}

/// After a flow entry: a `,` (then possibly the end), or the closing bracket left in place.
fn after_entry(text: &str, close: char) -> Option<&str> {
    let text = text.trim_start_matches(' ');
    if let Some(rest) = text.strip_prefix(',') {
        let rest = rest.trim_start_matches(' ');
        // `[a, , b]` is an error; `[a, ]` ends the collection.
        return (!rest.starts_with(',')).then_some(rest);
    }
    text.starts_with(close).then_some(text)
}

/// A one-line quoted scalar at the start of `text` and the text after it.
fn quoted(text: &str) -> Option<(Cow<'_, str>, &str)> {
    let quote = text.as_bytes()[0];
    let body = &text[1..];
    // Most quoted scalars are printable ASCII up to their closing quote: taken as one slice.
    // The text holds no control character ([`read`] refused it), so ASCII is printable here.
    let plain = memchr::memchr2(quote, b'\\', body.as_bytes());
    if let Some(end) = plain
        && body.as_bytes()[end] == quote
        && !(quote == b'\'' && body.as_bytes().get(end + 1) == Some(&b'\''))
        && body[..end].is_ascii()
    {
        return Some((Cow::Borrowed(&body[..end]), &body[end + 1..]));
    }
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' if quote == b'\'' => {
                if body[i + 1..].starts_with('\'') {
                    chars.next();
                    out.push('\'');
                } else {
                    return Some((Cow::Owned(out), &body[i + 1..]));
                }
            }
            '"' if quote == b'"' => return Some((Cow::Owned(out), &body[i + 1..])),
            '\\' if quote == b'"' => out.push(escape(&mut chars)?),
            c if !printable(c) => return None,
            c => out.push(c),
        }
    }
    None
}

/// The character a double-quoted escape stands for (JSON's escapes and YAML's `\0`, `\e`);
/// `None` for the others, which serde_yaml reads.
fn escape(chars: &mut std::str::CharIndices) -> Option<char> {
    Some(match chars.next()?.1 {
        '"' => '"',
        '\\' => '\\',
        '/' => '/',
        'b' => '\u{8}',
        'f' => '\u{c}',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        '0' => '\0',
        'e' => '\u{1b}',
        'u' => {
            let hex: String = (0..4).map(|_| chars.next().map(|(_, c)| c)).collect::<Option<String>>()?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
        }
        _ => return None,
    })
}

/// Whether a character may stand in a quoted scalar as it is: printable ASCII, or a character
/// YAML calls printable that libyaml does not take for a line break or a byte order mark.
fn printable(c: char) -> bool {
    match c {
        ' '..='~' => true,
        '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'.. => {
            !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
        }
        _ => false,
    }
}

/// Whether `text` holds a control character other than the line feed, or DEL. Read 64 bytes
/// at a time without stopping early inside them, so the compiler compares whole vectors.
fn has_control(text: &str) -> bool {
    text.as_bytes()
        .chunks(64)
        .any(|chunk| chunk.iter().fold(false, |found, &b| found | ((b < 0x20) & (b != b'\n')) | (b == 0x7f)))
}

/// Whether every character of a text with non-ASCII ones is one libyaml reads as printable
/// and not as a line break (`\u{85}`, `\u{2028}`, `\u{2029}`) or a byte order mark: comments
/// are not read here, but libyaml reads them too.
fn printable_text(text: &str) -> bool {
    text.chars().all(|c| c.is_ascii() || printable(c))
}

/// Whether a scalar starting with a digit is certainly not a number in any form serde_yaml
/// reads (decimal, `0x`, `0o`, `0b` integers; Rust's `f64` syntax): it has a character none of
/// them uses (`87600h`, `10m`, `2Gi`, `0.0.0.0:7051`), or two dots (`2.5.16`).
fn never_a_number(scalar: &str) -> bool {
    scalar.bytes().any(|b| !NUMBER_BYTES[usize::from(b)]) || scalar.bytes().filter(|b| *b == b'.').count() > 1
}

/// An untagged plain scalar as serde_yaml resolves it, where that is certain.
/// The text holds no control character ([`read`] refused it): ASCII is printable here.
fn plain<'t, B: Build<'t>>(scalar: &'t str) -> Option<B::Node> {
    let bytes = scalar.as_bytes();
    if !scalar.is_ascii() {
        return None;
    }
    match scalar {
        "null" | "Null" | "NULL" | "~" => return Some(B::null()),
        "true" | "True" | "TRUE" => return Some(B::boolean(true)),
        "false" | "False" | "FALSE" => return Some(B::boolean(false)),
        _ => {}
    }
    let first = bytes[0];
    if first.is_ascii_alphabetic() || first == b'/' || (first.is_ascii_digit() && never_a_number(scalar)) {
        return Some(B::string(Cow::Borrowed(scalar)));
    }
    // Decimal integers without a leading zero, within 18 digits (they fit an i64 or u64).
    let (negative, digits) = match scalar.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, scalar),
    };
    let decimal = !digits.is_empty()
        && digits.len() <= 18
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if !decimal || (negative && digits == "0") {
        return None;
    }
    let n: i64 = digits.parse().ok()?;
    Some(B::int(if negative { -n } else { n }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A byte set's table holds exactly the bytes listed, wherever they stand in the list.
    #[test]
    fn byte_sets_hold_the_bytes_listed() {
        for list in [&b""[..], b",]}:#[{", b"-?:,[]{}#&*!|>'\"%@`", b"\x00\xff a"] {
            let set = byte_set(list);
            assert!((0..=255u8).all(|b| set[usize::from(b)] == list.contains(&b)), "{list:?}");
        }
    }
    use proptest::prelude::*;
    use serde::Deserialize;

    proptest! {
        /// The byte searches are the std searches they stand for.
        #[test]
        fn byte_searches_are_the_std_searches(text in "[a-c :#\n]{0,40}") {
            prop_assert_eq!(lines_of(&text), text.split('\n').collect::<Vec<_>>());
            prop_assert_eq!(comment_at(&text), text.find(" #"));
            prop_assert_eq!(has_colon_space(&text), text.contains(": "));
        }
    }

    #[test]
    fn finds_every_control_byte_wherever_it_sits_in_its_chunk() {
        for byte in 0..=0x7fu8 {
            for at in [0, 1, 62, 63, 64, 65, 127, 128, 199] {
                let mut text = vec![b'a'; 200];
                text[at] = byte;
                let text = String::from_utf8(text).unwrap();
                let expected = (byte < 0x20 && byte != b'\n') || byte == 0x7f;
                assert_eq!(has_control(&text), expected, "byte {byte:#x} at {at}");
                assert_eq!(has_control(&text[..=at]), expected, "byte {byte:#x} ending the text");
            }
        }
        assert!(!has_control(""));
    }

    /// serde_yaml's documents of `text`, nulls left out; `None` when it refuses the text.
    fn serde_yaml_documents(text: &str) -> Option<Vec<Value>> {
        let mut out = Vec::new();
        for doc in serde_yaml::Deserializer::from_str(text) {
            let value = Value::deserialize(doc).ok()?;
            if !value.is_null() {
                out.push(value);
            }
        }
        Some(out)
    }

    #[test]
    fn cuts_texts_at_lines_that_are_exactly_three_dashes() {
        fn pieces(text: &str) -> Vec<&str> {
            document_texts(text).collect()
        }
        assert_eq!(pieces(""), [""]);
        assert_eq!(pieces("a: 1\n"), ["a: 1\n"]);
        assert_eq!(pieces("---\na: 1\n---\n---\nb: 2"), ["", "a: 1\n", "", "b: 2"]);
        assert_eq!(pieces("a: 1\n---\n"), ["a: 1\n", ""]);
        assert_eq!(pieces("a: x---\n--- \n--- b\n ---\n---"), ["a: x---\n--- \n--- b\n ---\n---"]);
        assert_eq!(pieces("a: |\n  x\n---\nb: 2\n"), ["a: |\n  x\n", "b: 2\n"]);
    }

    /// This reader agrees with serde_yaml, or leaves the text to it.
    fn agrees(text: &str) {
        same_as_trees(text);
        if let Some(fast) = documents(text) {
            assert_eq!(Some(fast), serde_yaml_documents(text), "{text:?}");
        }
    }

    fn string_keys(v: &Value) -> bool {
        match v {
            Value::Mapping(map) => map.iter().all(|(k, v)| k.is_string() && string_keys(v)),
            Value::Sequence(items) => items.iter().all(string_keys),
            _ => true,
        }
    }

    /// Read as trees, `text` is what it is read as values, whenever a tree holds it (string
    /// keys only); whether it is read at all, the same.
    fn same_as_trees(text: &str) -> bool {
        let values = documents(text);
        let trees = trees_restoring(text, &[]);
        match (&values, &trees) {
            (Some(values), Some(trees)) => {
                assert_eq!(values, &trees.iter().map(Tree::to_value).collect::<Vec<_>>(), "{text:?}");
                true
            }
            (None, None) => false,
            (Some(values), None) => {
                assert!(!values.iter().all(string_keys), "read as values, not as trees: {text:?}");
                false
            }
            (None, Some(_)) => panic!("read as trees, not as values: {text:?}"),
        }
    }

    const SAMPLE: &str = r#"# A comment.
apiVersion: v1
kind: ConfigMap
metadata:
  name: x   # trailing comment
  labels: {"app.kubernetes.io/name": "fabric-peer", "n": 1, b: true, e: [], m: {}}
  annotations:
    fabgen.io/why: 'it''s 2 of 3: ok'
data:
  a: "tab\there \u00e9 \"q\" \\ \/"
  list:
  - one
  - {name: grpc, containerPort: 7051}
  nested:
    - name: peer
      args: ["node", "start"]
      env:
        - {name: A, value: "0.0.0.0:7051"}
    -
      deep: null
  n: -12
  z: 0
  d: 87600h
  v: 2.5.16
  q: 10m
  t: ~
  empty:
---
---
kind: Second
"#;

    #[test]
    fn reads_what_templates_print_as_serde_yaml_does() {
        let fast = documents(SAMPLE).expect("read here");
        assert_eq!(fast.len(), 2);
        assert_eq!(Some(fast), serde_yaml_documents(SAMPLE));
    }

    #[test]
    fn leaves_the_rest_of_yaml_to_serde_yaml() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: |\n  text\n",
            "a: >\n  text\n",
            "a: one\n  two\n",
            "a: [1,\n  2]\n",
            "a: 0x1F\n",
            "a: 1e5\n",
            "a: 007\n",
            "a: 0b101\n",
            "a: 1a\n",
            "a: 2.5\n",
            "a: .inf\n",
            "a: +1\n",
            "a: 1.5\n",
            "a: 1\na: 2\n",
            "{a: 1}: b\n",
            "? a\n: b\n",
            "a:\tb\n",
            "a: b\r\n",
            "%YAML 1.2\n---\na: b\n",
            "a:\n    b: 1\n  c: 2\n",
            "- - a\n",
            "a: {b: c:d}\n",
            "a: \"\\x41\"\n",
            "a: 99999999999999999999\n",
            "  a: 1\n",
        ] {
            assert_eq!(documents(text), None, "{text:?}");
            agrees(text);
        }
    }

    /// Values as serde_yaml writes them and as `render::yaml` writes them.
    fn value() -> impl Strategy<Value = Value> {
        let string =
            proptest::string::string_regex("[ -~]{0,12}|[a-z/][a-z0-9./:# -]{0,10}|null|true|-?[0-9]{1,4}|é…\"'")
                .unwrap()
                .prop_map(Value::String);
        let leaf = prop_oneof![
            string,
            any::<i32>().prop_map(|n| Value::Number(n.into())),
            any::<u64>().prop_map(|n| Value::Number(n.into())),
            any::<bool>().prop_map(Value::Bool),
            Just(Value::Null),
        ];
        crate::render::nested_values(leaf, "[a-z][a-z./-]{0,8}|[ -~]{1,6}")
    }

    /// Characters that change what YAML means.
    const NASTY: &[&str] = &[
        " ", ":", ": ", "#", " #", "-", "- ", "'", "\"", "\\", "{", "}", "[", "]", ",", "\n", "\n  ", "  ", "&", "*",
        "!", "|", "?", "---\n", "\t", "é", "0", "~",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn agrees_with_serde_yaml_on_written_values(v in value()) {
            if let Ok(text) = serde_yaml::to_string(&v) {
                agrees(&text);
            }
            if let Some(text) = crate::render::yaml::written_here(&v) {
                agrees(&text);
            }
        }
    }

    /// Texts a few edits away from one this reader reads, with characters that change what
    /// YAML means: wherever it still reads one, it reads what serde_yaml reads, and it refuses
    /// every text serde_yaml refuses. Deterministic (a fixed xorshift), so the counts are too.
    #[test]
    fn agrees_with_serde_yaml_on_mutated_texts() {
        let mut next = crate::render::xorshift(0x2545_f491_4f6c_dd1d);
        let (mut read, mut refused_by_both, mut trees) = (0, 0, 0);
        for _ in 0..20_000 {
            let mut text = SAMPLE.to_string();
            for _ in 0..1 + next(3) {
                let mut at = next(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let end = (at + 1..=text.len()).find(|e| text.is_char_boundary(*e)).unwrap_or(at);
                let what = NASTY[next(NASTY.len())];
                match next(3) {
                    0 => text.insert_str(at, what),
                    1 => text.replace_range(at..end, ""),
                    _ => text.replace_range(at..end, what),
                }
            }
            if same_as_trees(&text) {
                trees += 1;
            }
            match (documents(&text), serde_yaml_documents(&text)) {
                (Some(fast), slow) => {
                    assert_eq!(Some(fast), slow, "{text:?}");
                    read += 1;
                }
                (None, None) => refused_by_both += 1,
                (None, Some(_)) => {}
            }
        }
        assert!(read > 5_000 && refused_by_both > 1_000, "read {read}, refused by both {refused_by_both}");
        assert!(trees > 5_000, "read {trees} as trees");
    }
}
