//! Knob slots in templates, so one template set serves both outputs.
//!
//! Templates never print an operator knob directly; they call
//! - `knob("peers.resources")`: the value at that path of the chart values;
//! - `image("peers.image")`: the image reference built from an image's knobs;
//! - `knob_opt("storageClassName", "orgs.org1.storage.storageClass")`: a whole `key: value`
//!   line that is left out when the value is empty.
//!
//! When rendering manifests each call yields the default value. When rendering a chart it
//! yields a token (`fabgen-knob-<key>`), a plain YAML scalar that survives parsing and
//! re-serialisation; `chart` later replaces every token with the Helm expression reading the
//! same path of `values.yaml`. Both outputs therefore come from one template and one model.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
use std::sync::{Arc, Mutex, RwLock};

use minijinja::{Environment, Error, ErrorKind, Value};

use crate::model::values::{ChartValues, ImageValues, image_reference};

/// What a template renders knobs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Default values: plain manifests.
    Manifests,
    /// Tokens to be replaced by Helm expressions.
    Chart,
}

/// How a token is turned into a Helm expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KnobKind {
    /// The value itself, as JSON (scalars and structures alike: JSON is YAML).
    Value,
    /// An image reference assembled from `{repository, tag, digest}`.
    Image,
    /// A `key: value` line omitted when the value is empty.
    Optional {
        /// The mapping key.
        key: String,
    },
    /// A mapping merged with extra entries from values (fabgen's entries win).
    Merge {
        /// fabgen's own entries, as JSON.
        base: String,
        /// Paths of the maps whose entries are added.
        extra: Vec<Vec<String>>,
    },
    /// An optional `key:` line whose value merges several maps; omitted when all are empty.
    OptionalMerge {
        /// The mapping key.
        key: String,
        /// Paths of the maps merged, earlier ones winning.
        sources: Vec<Vec<String>>,
    },
    /// An optional `imagePullSecrets:` line built from a list of Secret names.
    PullSecrets,
    /// A container's `env` list: fabgen's entries, then one entry per key of a map.
    Env {
        /// fabgen's own entries, as a JSON array.
        base: String,
    },
}

/// One knob used while rendering a chart.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Knob {
    /// Path in the values, e.g. `["chaincodes", "marbles", "replicas"]`.
    pub path: Vec<String>,
    /// How it becomes a Helm expression.
    pub kind: KnobKind,
}

/// Prefix of every token; tokens are `fabgen-knob-<key>`, the key 16 hex digits of a hash of
/// the knob, so a knob's token does not depend on the order objects are rendered in (they are
/// rendered in parallel). Tokens never reach the output (the chart replaces each one), so the
/// hash need only be the same within one run; two knobs with one key stop the run.
pub const TOKEN_PREFIX: &str = "fabgen-knob-";

/// Where the first knob token of `text` starts (a Job's script is tens of kB searched for one:
/// memchr's searcher, built once).
pub fn token_at(text: &str) -> Option<usize> {
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(TOKEN_PREFIX));
    FINDER.find(text.as_bytes())
}

/// The knob functions of one render, and the knobs a chart render used.
#[derive(Debug)]
pub struct Knobs {
    mode: Mode,
    values: serde_json::Value,
    /// The knobs recorded, by token key (read far more often than added to, by every thread).
    recorded: RwLock<BTreeMap<u64, Arc<Knob>>>,
}

impl Knobs {
    /// Knobs over `values`, rendered as `mode` says.
    pub fn new(mode: Mode, values: &ChartValues) -> Arc<Self> {
        let values = serde_json::to_value(values).expect("values serialise");
        Arc::new(Knobs { mode, values, recorded: RwLock::default() })
    }

    /// The render mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The values as JSON.
    pub fn values(&self) -> &serde_json::Value {
        &self.values
    }

    /// Adds `knob`, `image`, `knob_opt`, `env_with` and `pull_secrets` to a template
    /// environment; each of them but `env_with` (whose list differs per container) remembers
    /// what it gave for its arguments ([`Memo`]).
    pub fn register(self: &Arc<Self>, env: &mut Environment<'static>) {
        let (k, memo) = (Arc::clone(self), Memo::default());
        env.add_function("knob", move |path: &str| memo.get_or(path, || k.knob(path)));
        let (k, memo) = (Arc::clone(self), Memo::default());
        env.add_function("image", move |path: &str| memo.get_or(path, || k.image(path)));
        let (k, memo) = (Arc::clone(self), Memo::default());
        env.add_function("knob_opt", move |key: &str, path: &str| {
            memo.get_or(&format!("{key}\n{path}"), || k.knob_opt(key, path))
        });
        let k = Arc::clone(self);
        env.add_function("env_with", move |base: Value, path: &str| k.env_with(base, path));
        let (k, memo) = (Arc::clone(self), Memo::default());
        env.add_function("pull_secrets", move |path: &str| memo.get_or(path, || k.pull_secrets(path)));
    }

    /// Records a knob and returns its token.
    pub fn token(&self, path: Vec<String>, kind: KnobKind) -> String {
        let knob = Knob { path, kind };
        let key = key_of(&knob);
        let known = self.recorded.read().expect("knob registry").get(&key).cloned();
        let known = known.unwrap_or_else(|| {
            let mut recorded = self.recorded.write().expect("knob registry");
            Arc::clone(recorded.entry(key).or_insert_with(|| Arc::new(knob.clone())))
        });
        assert_eq!(*known, knob, "two knobs share the token key {key:016x}");
        token_of(key)
    }

    /// The token of a knob its caller keeps (one object's own); fails the run if a recorded
    /// knob has its key.
    pub fn unrecorded_token(&self, knob: &Knob) -> String {
        let key = key_of(knob);
        assert!(
            !self.recorded.read().expect("knob registry").contains_key(&key),
            "two knobs share the token key {key:016x}"
        );
        token_of(key)
    }

    /// The knob a token key (16 hex digits) stands for, if one was recorded.
    pub fn recorded_knob(&self, key: &str) -> Option<Arc<Knob>> {
        let key = u64::from_str_radix(key, 16).ok().filter(|_| key.len() == 16)?;
        self.recorded.read().expect("knob registry").get(&key).cloned()
    }

    /// The value at `path`, if there is one.
    pub fn at(&self, path: &[String]) -> Option<&serde_json::Value> {
        path.iter().try_fold(&self.values, |node, segment| node.get(segment))
    }

    /// The value at a dotted path, or a template error naming the path.
    pub fn lookup(&self, path: &str) -> Result<&serde_json::Value, Error> {
        let mut node = &self.values;
        for segment in path.split('.') {
            node = node.get(segment).ok_or_else(|| {
                Error::new(ErrorKind::UndefinedError, format!("no knob `{path}` (no `{segment}` there)"))
            })?;
        }
        Ok(node)
    }

    fn knob(&self, path: &str) -> Result<Value, Error> {
        let value = self.lookup(path)?;
        Ok(match self.mode {
            Mode::Manifests => Value::from(minijinja::value::Serde(value)),
            Mode::Chart => Value::from(self.token(split(path), KnobKind::Value)),
        })
    }

    fn image(&self, path: &str) -> Result<Value, Error> {
        let value = self.lookup(path)?;
        let image: ImageValues = serde_json::from_value(value.clone())
            .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("`{path}` is not an image: {e}")))?;
        Ok(match self.mode {
            Mode::Manifests => Value::from(image_reference(&image)),
            Mode::Chart => Value::from(self.token(split(path), KnobKind::Image)),
        })
    }

    fn knob_opt(&self, key: &str, path: &str) -> Result<Value, Error> {
        let value = self.lookup(path)?;
        Ok(match self.mode {
            Mode::Manifests if is_empty(value) => Value::from_safe_string(String::new()),
            Mode::Manifests => Value::from_safe_string(format!("{key}: {value}")),
            Mode::Chart => {
                let token = self.token(split(path), KnobKind::Optional { key: key.to_string() });
                Value::from_safe_string(format!("{token}: null"))
            }
        })
    }
}

impl Knobs {
    /// `base` (a list of `{name, value}`) followed by one entry per key of the map at `path`,
    /// in key order.
    fn env_with(&self, base: Value, path: &str) -> Result<Value, Error> {
        let extra = self.lookup(path)?;
        if self.mode == Mode::Manifests && is_empty(extra) {
            // Nothing to add (most containers): the list as the template made it, not converted
            // to JSON and back (half of a chaincode Deployment's template time).
            return Ok(base);
        }
        let base: serde_json::Value = serde_json::to_value(&base)
            .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("env_with: {e}")))?;
        Ok(match self.mode {
            Mode::Manifests => Value::from(minijinja::value::Serde(env_entries(base, extra))),
            Mode::Chart => Value::from(self.token(split(path), KnobKind::Env { base: base.to_string() })),
        })
    }

    /// An `imagePullSecrets:` line from the list of Secret names at `path`; empty if none.
    fn pull_secrets(&self, path: &str) -> Result<Value, Error> {
        let names = self.lookup(path)?;
        Ok(match self.mode {
            Mode::Manifests if is_empty(names) => Value::from_safe_string(String::new()),
            Mode::Manifests => Value::from_safe_string(format!("imagePullSecrets: {}", pull_secret_refs(names))),
            Mode::Chart => Value::from_safe_string(format!("{}: null", self.token(split(path), KnobKind::PullSecrets))),
        })
    }
}

/// What a knob function gave, by its arguments: the same knob gives the same value (or token,
/// which records the knob the first time) every time, and a template calls the same knobs for
/// every object of its kind. Each environment registers its own (one per rendering thread), so
/// the lock is its thread's alone; errors are not remembered.
#[derive(Default)]
struct Memo(Mutex<std::collections::HashMap<String, Value>>);

impl Memo {
    fn get_or(&self, key: &str, make: impl FnOnce() -> Result<Value, Error>) -> Result<Value, Error> {
        if let Some(value) = self.0.lock().expect("knob memo").get(key) {
            return Ok(value.clone());
        }
        let value = make()?;
        self.0.lock().expect("knob memo").insert(key.to_string(), value.clone());
        Ok(value)
    }
}

/// A container's `env` list: `base` (a list of `{name, value}`), then `{name, value}` for each
/// key of the map `extra`, in key order.
pub fn env_entries(base: serde_json::Value, extra: &serde_json::Value) -> serde_json::Value {
    let mut list = match base {
        serde_json::Value::Array(list) => list,
        _ => Vec::new(),
    };
    for (name, value) in extra.as_object().into_iter().flatten() {
        list.push(serde_json::json!({"name": name, "value": value}));
    }
    serde_json::Value::Array(list)
}

/// `imagePullSecrets` entries from a list of Secret names.
pub fn pull_secret_refs(names: &serde_json::Value) -> serde_json::Value {
    names.as_array().into_iter().flatten().map(|n| serde_json::json!({"name": n})).collect()
}

/// A knob's token key: a hash of it (16 hex digits in its token).
fn key_of(knob: &Knob) -> u64 {
    BuildHasherDefault::<DefaultHasher>::default().hash_one(knob)
}

/// The token of a knob key.
fn token_of(key: u64) -> String {
    format!("{TOKEN_PREFIX}{key:016x}")
}

/// `a.b.c` -> `["a", "b", "c"]`.
pub fn split(path: &str) -> Vec<String> {
    path.split('.').map(str::to_string).collect()
}

/// Whether Helm's `with` would skip the value.
pub fn is_empty(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Null => true,
        serde_json::Value::Bool(b) => !b,
        serde_json::Value::String(s) => s.is_empty(),
        serde_json::Value::Array(a) => a.is_empty(),
        serde_json::Value::Object(o) => o.is_empty(),
        serde_json::Value::Number(n) => n.as_f64() == Some(0.0),
    }
}

#[cfg(test)]
mod tests {
    use minijinja::value::Serde;
    use serde_json::json;

    use super::*;

    /// A knob function gives what it gave before for the same arguments, and calls its maker
    /// again after an error; in chart mode the first call records the knob.
    #[test]
    fn knob_functions_remember_values_and_tokens_but_not_errors() {
        let values = json!({"a": {"b": [1, 2]}});
        for mode in [Mode::Manifests, Mode::Chart] {
            let knobs = Arc::new(Knobs { mode, values: values.clone(), recorded: RwLock::default() });
            let mut env = super::super::TemplateSet::embedded().environment().unwrap();
            knobs.register(&mut env);
            let out =
                env.render_named_str("t.yaml", "{{ knob('a.b') }}|{{ knob('a.b') }}|{{ knob_opt('k', 'a') }}", ());
            let out = out.unwrap();
            let parts: Vec<&str> = out.split('|').collect();
            assert_eq!(parts[0], parts[1], "{mode:?}");
            assert_eq!(parts[0] == "[1,2]", mode == Mode::Manifests, "{out}");
            assert_eq!(knobs.recorded.read().unwrap().len(), if mode == Mode::Chart { 2 } else { 0 });
            for _ in 0..2 {
                assert!(env.render_named_str("t.yaml", "{{ knob('a.c') }}", ()).is_err());
            }
        }
        let memo = Memo::default();
        let calls = std::cell::Cell::new(0);
        let make = |fail: bool| {
            calls.set(calls.get() + 1);
            if fail { Err(Error::new(ErrorKind::InvalidOperation, "no")) } else { Ok(Value::from(calls.get())) }
        };
        assert!(memo.get_or("k", || make(true)).is_err());
        assert_eq!(memo.get_or("k", || make(false)).unwrap(), Value::from(2));
        assert_eq!(memo.get_or("k", || make(false)).unwrap(), Value::from(2));
        assert_eq!(calls.get(), 2);
    }

    /// With nothing to add, `env_with` gives the template's list as it is, which prints as the
    /// list converted to JSON and back (the way of a list with entries to add) prints.
    #[test]
    fn env_with_nothing_to_add_prints_as_the_converted_list_does() {
        let values = json!({"none": {}, "null": null, "empty": "", "some": {"B": "2"}});
        let knobs = Arc::new(Knobs { mode: Mode::Manifests, values, recorded: RwLock::default() });
        let mut env = super::super::TemplateSet::embedded().environment().unwrap();
        knobs.register(&mut env);
        env.add_function("converted", |base: Value| {
            let base = serde_json::to_value(&base).unwrap();
            Value::from(Serde(env_entries(base, &json!({}))))
        });
        let bases = [
            r#"[{"name": "A", "value": "x"}, {"name": "B", "value": "0.0.0.0:" ~ 7052}]"#,
            "[]",
            r#"[{"name": "N", "value": 7}, {"value": true, "name": "T"}, {"name": "F", "value": 1.5}]"#,
            r#"[{"name": "Q", "value": "a\"b'c\n\\ é"}, {"name": "S", "value": "{{ x }}" | safe}]"#,
            r#"[{"name": "L", "value": "x" * 300}]"#,
        ];
        for base in bases {
            for path in ["none", "null", "empty"] {
                let template = format!("{{{{ env_with({base}, {path:?}) }}}}|{{{{ converted({base}) }}}}");
                let out = env.render_named_str("t.yaml", &template, ()).unwrap();
                let (given, converted) = out.split_once('|').unwrap();
                assert_eq!(given, converted, "{base} {path}");
            }
        }
        let out = env.render_named_str("t.yaml", r#"{{ env_with([{"name": "A", "value": "1"}], "some") }}"#, ());
        assert_eq!(out.unwrap(), r#"[{"name":"A","value":"1"},{"name":"B","value":"2"}]"#);
    }
}
