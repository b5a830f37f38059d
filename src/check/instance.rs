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
use jsonschema::json::{Array, Json, Node, NodeIdentity, Object, cmp};
use serde_yaml::{Mapping, Value};

/// `serde_yaml::Value` as a jsonschema representation.
pub(super) struct Yaml;

impl Json for Yaml {
    type Node<'a> = &'a Value;
    type PreparedKey = String;
    type StringBuffer = Value;

    // A mapping's entries lie in one vector, so reading a few keys beats hashing one.
    const KEYS_PER_LOOKUP: usize = 4;

    fn prepare_key(key: &str) -> String {
        key.to_owned()
    }

    fn with_string_node<T>(buffer: &mut Value, string: &str, f: impl FnOnce(&Value) -> T) -> T {
        match buffer {
            Value::String(existing) => {
                existing.clear();
                existing.push_str(string);
            }
            _ => *buffer = Value::String(string.to_owned()),
        }
        f(buffer)
    }
}

/// The number JSON would hold: what `serde_json` makes of the YAML number.
fn number(n: &serde_yaml::Number) -> Option<serde_json::Number> {
    match (n.as_u64(), n.as_i64()) {
        (Some(u), _) => Some(u.into()),
        (None, Some(i)) => Some(i.into()),
        (None, None) => n.as_f64().and_then(serde_json::Number::from_f64),
    }
}

impl<'a> Node<'a, Yaml> for &'a Value {
    type Object = &'a Mapping;
    type Array = &'a [Value];
    type Number = serde_json::Number;

    fn as_object(&self) -> Option<&'a Mapping> {
        match self {
            Value::Mapping(map) => Some(map),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<&'a [Value]> {
        match self {
            Value::Sequence(items) => Some(items),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match self {
            Value::String(s) => Some(Cow::Borrowed(s)),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<serde_json::Number> {
        match self {
            Value::Number(n) => number(n),
            _ => None,
        }
    }

    fn is_number(&self) -> bool {
        matches!(self, Value::Number(_))
    }

    fn as_boolean(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    fn json_type(&self) -> JsonType {
        match self {
            Value::Null => JsonType::Null,
            Value::Bool(_) => JsonType::Boolean,
            Value::Number(_) => JsonType::Number,
            Value::String(_) => JsonType::String,
            Value::Sequence(_) => JsonType::Array,
            // Not plain: never walked; an object is what JSON would make of it.
            Value::Mapping(_) | Value::Tagged(_) => JsonType::Object,
        }
    }

    fn equals_value(&self, expected: &serde_json::Value) -> bool {
        match (self, expected) {
            (Value::String(s), serde_json::Value::String(e)) => s == e,
            (Value::String(_), _) | (_, serde_json::Value::String(_)) => false,
            _ => cmp::equal(&self.to_value(), expected),
        }
    }

    fn to_value(&self) -> Cow<'a, serde_json::Value> {
        Cow::Owned(crate::render::objects::json_of(self).unwrap_or(serde_json::Value::Null))
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::new(std::ptr::from_ref::<Value>(self) as usize))
    }
}

impl<'a> Object<'a, Yaml> for &'a Mapping {
    type Node = &'a Value;
    type MemberName = &'a str;
    type MembersIter = Members<'a>;

    fn len(&self) -> usize {
        Mapping::len(self)
    }

    fn get(&self, key: &String) -> Option<&'a Value> {
        if Mapping::len(self) <= 8 {
            self.iter().find(|(k, _)| k.as_str() == Some(key.as_str())).map(|(_, v)| v)
        } else {
            Mapping::get(self, key.as_str())
        }
    }

    fn members(&self) -> Members<'a> {
        Members(self.iter())
    }
}

/// A mapping's entries as (name, value); a plain value's keys are all strings.
pub(super) struct Members<'a>(serde_yaml::mapping::Iter<'a>);

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, &'a Value);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(key, value)| (key.as_str().unwrap_or_default(), value))
    }
}

impl<'a> Array<'a, Yaml> for &'a [Value] {
    type Node = &'a Value;
    type ElementsIter = std::slice::Iter<'a, Value>;

    fn len(&self) -> usize {
        <[Value]>::len(self)
    }

    fn elements(&self) -> std::slice::Iter<'a, Value> {
        self.iter()
    }
}
