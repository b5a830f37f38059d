//! A rendered document read where it lies ([`Tree`]), and one way to look at it and at a
//! `serde_yaml::Value` alike ([`Node`]), so the writer, a Job's digest and the check walk
//! either without copying one into the other.
//!
//! `render -o` reads each document of the text templates print into a [`Tree`]: its strings
//! are slices of that text (or of the long strings kept aside, `long_text`), its mappings
//! vectors of entries, so reading allocates one vector per collection and nothing per scalar
//! or key, and hashes nothing. A tree holds what the fast reader reads (`reader`): string
//! keys, strings, decimal integers, booleans and nulls; an object that needs more, or that the
//! strict check leaves to the typed read, becomes the `serde_yaml::Value` it stands for
//! ([`Tree::to_value`]: what serde_yaml reads of the same text; tests compare the two).

use std::borrow::Cow;

use serde_yaml::{Mapping, Value};

/// A document as the fast reader reads it, its strings borrowed from the rendered text.
#[derive(Debug, Clone, PartialEq)]
pub enum Tree<'t> {
    /// `null`, `~`, or nothing after a key.
    Null,
    /// `true` or `false` in their three spellings.
    Bool(bool),
    /// A decimal integer of at most 18 digits (the fast reader reads no other).
    Int(i64),
    /// A string: a slice of the text when it is written as it reads, else made.
    Str(Cow<'t, str>),
    /// A sequence.
    Seq(Vec<Tree<'t>>),
    /// A mapping's entries in the order written, its keys distinct.
    Map(Vec<(Cow<'t, str>, Tree<'t>)>),
}

impl<'t> Tree<'t> {
    /// The value serde_yaml reads from the text this tree was read from.
    pub fn to_value(&self) -> Value {
        match self {
            Tree::Null => Value::Null,
            Tree::Bool(b) => Value::Bool(*b),
            Tree::Int(n) => Value::Number((*n).into()),
            Tree::Str(s) => Value::String(s.to_string()),
            Tree::Seq(items) => Value::Sequence(items.iter().map(Tree::to_value).collect()),
            Tree::Map(entries) => {
                let mut map = Mapping::with_capacity(entries.len());
                for (key, value) in entries {
                    map.insert(Value::String(key.to_string()), value.to_value());
                }
                Value::Mapping(map)
            }
        }
    }

    /// The tree of a value made elsewhere (a knob's default), owning its strings; `None` for a
    /// value a tree does not hold (a key that is not a string, a float, an integer beyond `i64`,
    /// a tag).
    pub fn owned(value: Value) -> Option<Tree<'static>> {
        Some(match value {
            Value::Null => Tree::Null,
            Value::Bool(b) => Tree::Bool(b),
            Value::Number(n) => Tree::Int(n.as_i64()?),
            Value::String(s) => Tree::Str(Cow::Owned(s)),
            Value::Sequence(items) => Tree::Seq(items.into_iter().map(Tree::owned).collect::<Option<_>>()?),
            Value::Mapping(map) => Tree::Map(
                map.into_iter()
                    .map(|(k, v)| match k {
                        Value::String(k) => Some((Cow::Owned(k), Tree::owned(v)?)),
                        _ => None,
                    })
                    .collect::<Option<_>>()?,
            ),
            Value::Tagged(_) => return None,
        })
    }

    /// The entry `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Self> {
        match self {
            Tree::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The entry `key` of a mapping, to change it.
    pub fn get_mut<'s>(&'s mut self, key: &str) -> Option<&'s mut Self> {
        match self {
            Tree::Map(entries) => entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Tree::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// A node of either representation.
#[derive(Clone, Copy, Debug)]
pub enum Node<'a> {
    /// A node of a `serde_yaml::Value`.
    Yaml(&'a Value),
    /// A node of a [`Tree`].
    Tree(&'a Tree<'a>),
}

/// What a [`Node`] is.
pub enum View<'a> {
    Null,
    Bool(bool),
    /// An integer that fits an `i64`.
    Int(i64),
    /// An integer above `i64::MAX`.
    UInt(u64),
    /// Any other number.
    Float(f64),
    Str(&'a str),
    Seq(Items<'a>),
    Map(Entries<'a>),
    /// A tagged value (`!tag x`): never in a tree.
    Tagged,
}

impl<'a> Node<'a> {
    /// What this node is.
    pub fn view(self) -> View<'a> {
        match self {
            Node::Yaml(value) => match value {
                Value::Null => View::Null,
                Value::Bool(b) => View::Bool(*b),
                Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                    (Some(i), _) => View::Int(i),
                    (None, Some(u)) => View::UInt(u),
                    (None, None) => View::Float(n.as_f64().unwrap_or(f64::NAN)),
                },
                Value::String(s) => View::Str(s),
                Value::Sequence(items) => View::Seq(Items::Yaml(items)),
                Value::Mapping(map) => View::Map(Entries::Yaml(map)),
                Value::Tagged(_) => View::Tagged,
            },
            Node::Tree(tree) => match tree {
                Tree::Null => View::Null,
                Tree::Bool(b) => View::Bool(*b),
                Tree::Int(n) => View::Int(*n),
                Tree::Str(s) => View::Str(s),
                Tree::Seq(items) => View::Seq(Items::Tree(items)),
                Tree::Map(entries) => View::Map(Entries::Tree(entries)),
            },
        }
    }

    /// The address of the node, which tells nodes apart while both live.
    pub fn address(self) -> usize {
        match self {
            Node::Yaml(value) => std::ptr::from_ref(value) as usize,
            Node::Tree(tree) => std::ptr::from_ref(tree) as usize,
        }
    }

    /// The node as a `serde_yaml::Value` (a copy, for the rare paths that need one).
    pub fn to_value(self) -> Value {
        match self {
            Node::Yaml(value) => value.clone(),
            Node::Tree(tree) => tree.to_value(),
        }
    }
}

/// A sequence's items.
#[derive(Clone, Copy)]
pub enum Items<'a> {
    Yaml(&'a [Value]),
    Tree(&'a [Tree<'a>]),
}

impl<'a> Items<'a> {
    pub fn len(self) -> usize {
        match self {
            Items::Yaml(items) => items.len(),
            Items::Tree(items) => items.len(),
        }
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The items, in order.
    pub fn iter(self) -> ItemsIter<'a> {
        match self {
            Items::Yaml(items) => ItemsIter::Yaml(items.iter()),
            Items::Tree(items) => ItemsIter::Tree(items.iter()),
        }
    }
}

/// [`Items::iter`].
pub enum ItemsIter<'a> {
    Yaml(std::slice::Iter<'a, Value>),
    Tree(std::slice::Iter<'a, Tree<'a>>),
}

impl<'a> Iterator for ItemsIter<'a> {
    type Item = Node<'a>;

    fn next(&mut self) -> Option<Node<'a>> {
        match self {
            ItemsIter::Yaml(items) => items.next().map(Node::Yaml),
            ItemsIter::Tree(items) => items.next().map(Node::Tree),
        }
    }
}

/// A mapping's entries.
#[derive(Clone, Copy)]
pub enum Entries<'a> {
    Yaml(&'a Mapping),
    Tree(&'a [(Cow<'a, str>, Tree<'a>)]),
}

impl<'a> Entries<'a> {
    pub fn len(self) -> usize {
        match self {
            Entries::Yaml(map) => map.len(),
            Entries::Tree(entries) => entries.len(),
        }
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The entries in order: each key as a string, or `None` for a key that is not one.
    pub fn iter(self) -> EntriesIter<'a> {
        match self {
            Entries::Yaml(map) => EntriesIter::Yaml(map.iter()),
            Entries::Tree(entries) => EntriesIter::Tree(entries.iter()),
        }
    }

    /// The value of the string key `key`.
    pub fn get(self, key: &str) -> Option<Node<'a>> {
        match self {
            Entries::Yaml(map) if map.len() <= 8 => {
                map.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| Node::Yaml(v))
            }
            Entries::Yaml(map) => map.get(key).map(Node::Yaml),
            Entries::Tree(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| Node::Tree(v)),
        }
    }
}

/// [`Entries::iter`].
pub enum EntriesIter<'a> {
    Yaml(serde_yaml::mapping::Iter<'a>),
    Tree(std::slice::Iter<'a, (Cow<'a, str>, Tree<'a>)>),
}

impl<'a> Iterator for EntriesIter<'a> {
    type Item = (Option<&'a str>, Node<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            EntriesIter::Yaml(entries) => entries.next().map(|(k, v)| (k.as_str(), Node::Yaml(v))),
            EntriesIter::Tree(entries) => entries.next().map(|(k, v)| (Some(k.as_ref()), Node::Tree(v))),
        }
    }
}
