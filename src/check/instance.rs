//! A rendered object as a JSON Schema instance where it stands: jsonschema validates any
//! representation that implements its `Json` trait, so [`Yaml`] lets it walk the
//! `serde_yaml::Value` the renderer made instead of a `serde_json::Value` copy of it. Only a
//! plain value (string keys, no tags, finite numbers: what JSON can hold unchanged;
//! `Shapes::plain_and_stored` tells) is walked this way; anything else goes the copying way,
//! whose conversion decides what it means.
//!
//! The walk answers pass or fail only: the problems of an object that fails are found again by
//! the copying way, so they read, and come in the order, as they always have.

use std::borrow::Cow;

use jsonschema::JsonType;
use jsonschema::json::{Array, Json, Node as JsonNode, NodeIdentity, Object, cmp};

use crate::render::node::{Entries, EntriesIter, Items, ItemsIter, Node, View};

/// A rendered value, as a `serde_yaml::Value` or a tree (`render::node`), as a jsonschema
/// representation.
pub(super) struct Yaml;

impl Json for Yaml {
    type Node<'a> = Node<'a>;
    type PreparedKey = String;
    type StringBuffer = serde_yaml::Value;

    // A mapping's entries lie in one vector, so reading a few keys beats hashing one.
    const KEYS_PER_LOOKUP: usize = 4;

    fn prepare_key(key: &str) -> String {
        key.to_owned()
    }

    fn with_string_node<T>(buffer: &mut serde_yaml::Value, string: &str, f: impl FnOnce(Node<'_>) -> T) -> T {
        match buffer {
            serde_yaml::Value::String(existing) => {
                existing.clear();
                existing.push_str(string);
            }
            _ => *buffer = serde_yaml::Value::String(string.to_owned()),
        }
        f(Node::Yaml(buffer))
    }
}

impl<'a> JsonNode<'a, Yaml> for Node<'a> {
    type Object = Entries<'a>;
    type Array = Items<'a>;
    type Number = serde_json::Number;

    fn as_object(&self) -> Option<Entries<'a>> {
        match self.view() {
            View::Map(entries) => Some(entries),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<Items<'a>> {
        match self.view() {
            View::Seq(items) => Some(items),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match self.view() {
            View::Str(s) => Some(Cow::Borrowed(s)),
            _ => None,
        }
    }

    /// The number JSON would hold: what `serde_json` makes of the YAML number.
    fn as_number(&self) -> Option<serde_json::Number> {
        match self.view() {
            View::Int(i) => Some(i.into()),
            View::UInt(u) => Some(u.into()),
            View::Float(f) => serde_json::Number::from_f64(f),
            _ => None,
        }
    }

    fn is_number(&self) -> bool {
        matches!(self.view(), View::Int(_) | View::UInt(_) | View::Float(_))
    }

    fn as_boolean(&self) -> Option<bool> {
        match self.view() {
            View::Bool(b) => Some(b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self.view(), View::Null)
    }

    fn json_type(&self) -> JsonType {
        match self.view() {
            View::Null => JsonType::Null,
            View::Bool(_) => JsonType::Boolean,
            View::Int(_) | View::UInt(_) | View::Float(_) => JsonType::Number,
            View::Str(_) => JsonType::String,
            View::Seq(_) => JsonType::Array,
            // Not plain: never walked; an object is what JSON would make of it.
            View::Map(_) | View::Tagged => JsonType::Object,
        }
    }

    fn equals_value(&self, expected: &serde_json::Value) -> bool {
        match (self.view(), expected) {
            (View::Str(s), serde_json::Value::String(e)) => s == e,
            (View::Str(_), _) | (_, serde_json::Value::String(_)) => false,
            _ => cmp::equal(&self.to_value(), expected),
        }
    }

    fn to_value(&self) -> Cow<'a, serde_json::Value> {
        Cow::Owned(crate::render::objects::json_of(&Node::to_value(*self)).unwrap_or(serde_json::Value::Null))
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::new(self.address()))
    }
}

impl<'a> Object<'a, Yaml> for Entries<'a> {
    type Node = Node<'a>;
    type MemberName = &'a str;
    type MembersIter = Members<'a>;

    fn len(&self) -> usize {
        Entries::len(*self)
    }

    fn get(&self, key: &String) -> Option<Node<'a>> {
        Entries::get(*self, key)
    }

    fn members(&self) -> Members<'a> {
        Members(self.iter())
    }
}

/// A mapping's entries as (name, value); a plain value's keys are all strings.
pub(super) struct Members<'a>(EntriesIter<'a>);

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, Node<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(key, value)| (key.unwrap_or_default(), value))
    }
}

impl<'a> Array<'a, Yaml> for Items<'a> {
    type Node = Node<'a>;
    type ElementsIter = ItemsIter<'a>;

    fn len(&self) -> usize {
        Items::len(*self)
    }

    fn elements(&self) -> ItemsIter<'a> {
        self.iter()
    }
}
