//! An object as a Helm template: each knob token replaced by the Helm expression that reads
//! its path of `values.yaml` (the knobs every object shares added first, `super::shared`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};

use crate::render::knobs::{Knob, KnobKind, Knobs, TOKEN_PREFIX, token_at};

/// Where a token's knob is found: among an object's own shared knobs, or the network's; and
/// the lines of one chart run already turned into Helm.
pub(super) struct Lookup<'a> {
    pub(super) shared: &'a BTreeMap<String, Arc<Knob>>,
    pub(super) knobs: &'a Knobs,
    pub(super) lines: &'a Lines,
}

impl Lookup<'_> {
    fn knob(&self, key: &str) -> Option<Arc<Knob>> {
        self.shared.get(key).cloned().or_else(|| self.knobs.recorded_knob(key))
    }

    /// [`token_line`] pushed to `out`, each line made once per chart run (and the values it
    /// reads added to `read` each time), but for a line holding one of the object's own
    /// knobs: that line is the object's alone.
    fn push_line(&self, out: &mut String, line: &str, what: &str, read: &mut BTreeSet<Vec<String>>) -> Result<()> {
        if self.shared.keys().any(|key| line.contains(key.as_str())) {
            out.push_str(&token_line(line, what, self, read)?);
        } else {
            out.push_str(&self.line(line, what, read)?.helm);
        }
        Ok(())
    }

    /// [`token_line`], made once per chart run.
    fn line(&self, line: &str, what: &str, read: &mut BTreeSet<Vec<String>>) -> Result<Arc<HelmLine>> {
        let made = self.lines.0.lock().expect("the Helm lines").get(line).cloned();
        let made = match made {
            Some(made) => made,
            None => {
                let mut reads = BTreeSet::new();
                let helm = token_line(line, what, self, &mut reads)?;
                let made = Arc::new(HelmLine { helm, reads: reads.into_iter().collect() });
                self.lines.0.lock().expect("the Helm lines").insert(line.to_string(), Arc::clone(&made));
                made
            }
        };
        for path in &made.reads {
            if !read.contains(path) {
                read.insert(path.clone());
            }
        }
        Ok(made)
    }
}

/// The lines holding knob tokens that one chart run turned into Helm, by their text: a token
/// names one knob wherever it stands (its key is a digest of the knob), so a line is the same
/// Helm in every object (the shared labels and annotations, a kind's replicas, images and
/// resources: tens of thousands of lines at 300 orgs, a few hundred of them different).
#[derive(Default)]
pub(super) struct Lines(Mutex<HashMap<String, Arc<HelmLine>>>);

/// A line in Helm, and the paths of the values it reads.
pub(super) struct HelmLine {
    helm: String,
    reads: Vec<Vec<String>>,
}

/// The paths of the values a knob reads.
fn reads(knob: &Knob) -> Vec<Vec<String>> {
    match &knob.kind {
        KnobKind::Merge { extra, .. } => extra.clone(),
        KnobKind::OptionalMerge { sources, .. } => sources.clone(),
        _ => vec![knob.path.clone()],
    }
}

/// `(index .Values "a" "b")`.
fn values_expr(path: &[String]) -> String {
    let mut expr = String::from("(index .Values");
    for key in path {
        write!(expr, " {key:?}").expect("writing to a string");
    }
    expr.push(')');
    expr
}

/// A Go template string literal.
fn go_string(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

/// The Helm text for a token used inline (as a scalar).
fn inline_expr(knob: &Knob) -> Result<String> {
    Ok(match &knob.kind {
        KnobKind::Value => format!("{{{{ {} | toJson }}}}", values_expr(&knob.path)),
        KnobKind::Image => format!("{{{{ include \"fabgen.image\" {} | toJson }}}}", values_expr(&knob.path)),
        KnobKind::Merge { base, extra } => {
            let sources: Vec<String> = extra.iter().map(|p| values_expr(p)).collect();
            format!("{{{{ merge (fromJson {}) {} | toJson }}}}", go_string(base), sources.join(" "))
        }
        KnobKind::Env { base } => format!(
            "{{{{ concat (fromJsonArray {}) (include \"fabgen.env\" {} | fromJsonArray) | toJson }}}}",
            go_string(base),
            values_expr(&knob.path)
        ),
        other => bail!("knob {other:?} must stand on a line of its own"),
    })
}

/// The Helm text replacing a whole `token: null` line (knobs that may vanish).
fn line_expr(indent: &str, knob: &Knob) -> Result<String> {
    Ok(match &knob.kind {
        KnobKind::Optional { key } => {
            format!("{indent}{{{{ with {} }}}}{key}: {{{{ toJson . }}}}{{{{ end }}}}", values_expr(&knob.path))
        }
        KnobKind::OptionalMerge { key, sources } => {
            let sources: Vec<String> = sources.iter().map(|p| values_expr(p)).collect();
            format!("{indent}{{{{ with merge (dict) {} }}}}{key}: {{{{ toJson . }}}}{{{{ end }}}}", sources.join(" "))
        }
        KnobKind::PullSecrets => format!(
            "{indent}{{{{ with {} }}}}imagePullSecrets: {{{{ include \"fabgen.pullSecrets\" . }}}}{{{{ end }}}}",
            values_expr(&knob.path)
        ),
        other => bail!("knob {other:?} cannot stand on a line of its own"),
    })
}

/// An object's YAML (`what` it is, for errors) with every token replaced by Helm; literal `{{`
/// escaped first.
pub(super) fn helm_template(
    mut yaml: String,
    what: &str,
    knobs: &Lookup,
    read: &mut BTreeSet<Vec<String>>,
) -> Result<String> {
    if memchr::memmem::find(yaml.as_bytes(), b"{{").is_some() {
        yaml = yaml.replace("{{", "{{ \"{{\" }}");
    }
    // Only the lines holding a token change: the text between them is copied as it is.
    let mut out = String::with_capacity(yaml.len());
    let mut rest = yaml.as_str();
    while let Some(at) = token_at(rest) {
        let start = rest[..at].rfind('\n').map_or(0, |i| i + 1);
        let end = rest[at..].find('\n').map_or(rest.len(), |i| at + i);
        push_lines(&mut out, &rest[..start]);
        let line = &rest[start..end];
        knobs.push_line(&mut out, line.strip_suffix('\r').unwrap_or(line), what, read)?;
        out.push('\n');
        rest = rest.get(end + 1..).unwrap_or_default();
    }
    push_lines(&mut out, rest);
    Ok(out)
}

/// `text`'s lines, each ended by a line feed (as `str::lines` reads them).
fn push_lines(out: &mut String, text: &str) {
    if text.contains('\r') {
        for line in text.lines() {
            out.push_str(line);
            out.push('\n');
        }
    } else {
        out.push_str(text);
        if !text.is_empty() && !text.ends_with('\n') {
            out.push('\n');
        }
    }
}

/// One line holding knob tokens, in Helm: a whole `token: null` line, or each token inline.
fn token_line(line: &str, what: &str, knobs: &Lookup, read: &mut BTreeSet<Vec<String>>) -> Result<String> {
    if let Some((indent, key)) = whole_token_line(line) {
        let knob = knobs.knob(key).context("unknown knob token")?;
        read.extend(reads(&knob));
        return line_expr(indent, &knob);
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some((at, key)) = next_token(rest) {
        out.push_str(&rest[..at]);
        let knob = knobs.knob(key).with_context(|| format!("unknown knob token {TOKEN_PREFIX}{key}"));
        let knob = knob.with_context(|| format!("in {what}"))?;
        read.extend(reads(&knob));
        out.push_str(&inline_expr(&knob).with_context(|| format!("in {what}"))?);
        rest = &rest[at + TOKEN_PREFIX.len() + key.len()..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Where the first token of `text` starts, and its key (a prefix not followed by a key is
/// text).
fn next_token(text: &str) -> Option<(usize, &str)> {
    let mut from = 0;
    loop {
        let at = from + token_at(&text[from..])?;
        match token_key(&text[at + TOKEN_PREFIX.len()..]) {
            Some(key) => return Some((at, key)),
            None => from = at + 1,
        }
    }
}

/// The key at the start of the text after a token's prefix: 16 lowercase hex digits.
fn token_key(text: &str) -> Option<&str> {
    let key = text.get(..16)?;
    key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')).then_some(key)
}

/// A line that is a whole `token: null` entry (whitespace, perhaps `- `, the token, `: null`):
/// what stands before the token, and its key.
fn whole_token_line(line: &str) -> Option<(&str, &str)> {
    let body = line.trim_start_matches(char::is_whitespace);
    let token = body.strip_prefix("- ").unwrap_or(body);
    let key = token_key(token.strip_prefix(TOKEN_PREFIX)?)?;
    let indent = &line[..line.len() - token.len()];
    (token[TOKEN_PREFIX.len() + key.len()..] == *": null").then_some((indent, key))
}

pub(super) fn helpers(namespace: &str) -> String {
    format!(
        r#"{{{{/* Generated by fabgen. */}}}}

{{{{/*
The objects name the namespace "{namespace}" and the chaincode packages (whose IDs are in the
Deployments) embed Service addresses in it, so the chart installs there only.
*/}}}}
{{{{- define "fabgen.guard" -}}}}
{{{{- if ne .Release.Namespace "{namespace}" -}}}}
{{{{- fail (printf "this chart must be installed into namespace %q (its chaincode packages embed addresses there), not %q: use -n {namespace}" "{namespace}" .Release.Namespace) -}}}}
{{{{- end -}}}}
{{{{- end -}}}}

{{{{/* An image reference from {{repository, tag, digest}}. */}}}}
{{{{- define "fabgen.image" -}}}}
{{{{- $ref := .repository -}}}}
{{{{- with .tag }}}}{{{{ $ref = printf "%s:%s" $ref . }}}}{{{{ end -}}}}
{{{{- with .digest }}}}{{{{ $ref = printf "%s@%s" $ref . }}}}{{{{ end -}}}}
{{{{- $ref -}}}}
{{{{- end -}}}}

{{{{/* imagePullSecrets entries from a list of Secret names, as JSON. */}}}}
{{{{- define "fabgen.pullSecrets" -}}}}
[{{{{ range $i, $name := . }}}}{{{{ if $i }}}}, {{{{ end }}}}{{"name": {{{{ toJson $name }}}}}}{{{{ end }}}}]
{{{{- end -}}}}

{{{{/* Container env entries from a map of name to value, in name order, as JSON. */}}}}
{{{{- define "fabgen.env" -}}}}
{{{{- $first := true -}}}}
[{{{{ range $name, $value := . }}}}{{{{ if not $first }}}}, {{{{ end }}}}{{"name": {{{{ toJson $name }}}}, "value": {{{{ toJson (toString $value) }}}}}}{{{{ $first = false }}}}{{{{ end }}}}]
{{{{- end -}}}}
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Object;
    use crate::render::knobs::Mode;

    /// Lines made of the parts a token line is read by, nasty ones included.
    fn token_lines() -> Vec<String> {
        let key = "0123456789abcdef";
        let indents = ["", "  ", "\t ", "\u{2003}", " x", "-"];
        let dashes = ["", "- ", "-", "- - "];
        let tokens = [
            format!("{TOKEN_PREFIX}{key}"),
            format!("{TOKEN_PREFIX}{}", key.to_uppercase()),
            format!("{TOKEN_PREFIX}{}", &key[1..]),
            format!("{TOKEN_PREFIX}{key}0"),
            format!("{TOKEN_PREFIX}{TOKEN_PREFIX}{key}"),
            format!("{}{key}", &TOKEN_PREFIX[1..]),
            format!("{TOKEN_PREFIX}g123456789abcdef"),
            format!("{TOKEN_PREFIX}é23456789abcdef"),
        ];
        let ends =
            [": null", ": null ", ":null", "", ": nullx", ": null: null", format!(" {TOKEN_PREFIX}{key}").leak()];
        let mut lines = Vec::new();
        for indent in indents {
            for dash in dashes {
                for token in &tokens {
                    for end in ends {
                        lines.push(format!("{indent}{dash}{token}{end}"));
                    }
                }
            }
        }
        lines
    }

    /// The token lines are read as the regular expressions the chart once used read them:
    /// `^(\s*)(- )?PREFIX([0-9a-f]{16}): null$` for a whole line, `PREFIX([0-9a-f]{16})` inline.
    #[test]
    fn token_lines_are_read_as_the_regular_expressions_read_them() {
        let whole = regex::Regex::new(&format!(r"^(\s*)(- )?{TOKEN_PREFIX}([0-9a-f]{{16}}): null$")).unwrap();
        let inline = regex::Regex::new(&format!(r"{TOKEN_PREFIX}([0-9a-f]{{16}})")).unwrap();
        let (mut whole_lines, mut inline_tokens) = (0, 0);
        for line in token_lines() {
            let expected = whole.captures(&line).map(|c| {
                (format!("{}{}", &c[1], c.get(2).map_or("", |m| m.as_str())), c.get(3).unwrap().as_str().to_string())
            });
            let read = whole_token_line(&line).map(|(indent, key)| (indent.to_string(), key.to_string()));
            assert_eq!(read, expected, "{line:?}");
            whole_lines += usize::from(expected.is_some());
            let expected: Vec<(usize, &str)> =
                inline.captures_iter(&line).map(|c| (c.get(0).unwrap().start(), c.get(1).unwrap().as_str())).collect();
            let (mut found, mut from) = (Vec::new(), 0);
            while let Some((at, key)) = next_token(&line[from..]) {
                found.push((from + at, key));
                from += at + TOKEN_PREFIX.len() + key.len();
            }
            assert_eq!(found, expected, "{line:?}");
            inline_tokens += expected.len();
        }
        assert!(whole_lines >= 8 && inline_tokens > 500, "{whole_lines} whole lines, {inline_tokens} tokens");
    }

    #[test]
    fn pushed_lines_are_the_lines_str_reads_each_ended() {
        for text in ["", "a", "a\n", "a\nb", "a\n\nb\n", "\n", "a\r\nb\r\n", "a\rb\n", "a\r"] {
            let mut expected = String::new();
            for line in text.lines() {
                expected.push_str(line);
                expected.push('\n');
            }
            let mut out = String::new();
            push_lines(&mut out, text);
            assert_eq!(out, expected, "{text:?}");
        }
    }

    #[test]
    fn values_expressions_index_every_key() {
        assert_eq!(
            values_expr(&["chaincodes".into(), "letters-of-credit".into(), "replicas".into()]),
            "(index .Values \"chaincodes\" \"letters-of-credit\" \"replicas\")"
        );
    }

    #[test]
    fn optional_knobs_become_with_blocks_on_their_line() {
        let knob = Knob {
            path: vec!["peers".into(), "nodeSelector".into()],
            kind: KnobKind::Optional { key: "nodeSelector".into() },
        };
        assert_eq!(
            line_expr("      ", &knob).unwrap(),
            "      {{ with (index .Values \"peers\" \"nodeSelector\") }}nodeSelector: {{ toJson . }}{{ end }}"
        );
    }

    /// A token line made once per chart run is the same Helm, reading the same values, in
    /// every object it stands in, and an unknown token is still refused in each.
    #[test]
    fn token_lines_made_once_per_run_are_what_each_object_would_make() {
        let spec = crate::spec::SpecSource::embedded().load().unwrap();
        let knobs = Knobs::new(Mode::Chart, &crate::model::values::defaults(&spec));
        let value = knobs.token(vec!["peers".into(), "service".into(), "type".into()], KnobKind::Value);
        let optional = Knob {
            path: vec!["peers".into(), "nodeSelector".into()],
            kind: KnobKind::Optional { key: "nodeSelector".into() },
        };
        let shared = BTreeMap::from([(
            knobs.unrecorded_token(&optional)[TOKEN_PREFIX.len()..].to_string(),
            Arc::new(optional.clone()),
        )]);
        let yaml =
            format!("spec:\n  type: {value}\n  {}: null\n  other: x-{value}-y\n", knobs.unrecorded_token(&optional));
        let (once, alone) = (Lines::default(), |yaml: &str| {
            let mut read = BTreeSet::new();
            let lookup = Lookup { shared: &shared, knobs: &knobs, lines: &Lines::default() };
            (helm_template(yaml.to_string(), "x", &lookup, &mut read).unwrap(), read)
        });
        for _ in 0..3 {
            let mut read = BTreeSet::new();
            let lookup = Lookup { shared: &shared, knobs: &knobs, lines: &once };
            let text = helm_template(yaml.clone(), "x", &lookup, &mut read).unwrap();
            assert_eq!((text, read), alone(&yaml));
        }
        // The line holding the object's own knob is made for it alone.
        assert_eq!(once.0.lock().unwrap().len(), 2);
        let unknown = format!("spec:\n  type: {TOKEN_PREFIX}0000000000000000\n");
        for _ in 0..2 {
            let lookup = Lookup { shared: &shared, knobs: &knobs, lines: &once };
            assert!(helm_template(unknown.clone(), "x", &lookup, &mut BTreeSet::new()).is_err());
        }
    }

    #[test]
    fn literal_braces_are_escaped_for_helm() {
        let object = Object {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            name: "x".into(),
            namespace: None,
            value: serde_yaml::from_str("data: {a: 'x {{.peername}} y'}").unwrap(),
            origin: "test".into(),
        };
        let spec = crate::spec::SpecSource::embedded().load().unwrap();
        let knobs = Knobs::new(Mode::Chart, &crate::model::values::defaults(&spec));
        let lookup = Lookup { shared: &BTreeMap::new(), knobs: &knobs, lines: &Lines::default() };
        let text = helm_template(object.to_yaml().unwrap(), "ConfigMap x", &lookup, &mut BTreeSet::new()).unwrap();
        assert!(text.contains("x {{ \"{{\" }}.peername}} y"), "{text}");
    }
}
