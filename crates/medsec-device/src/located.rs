//! YAML read into a JSON value while remembering where each node stood.
//!
//! The checks that follow (JSON Schema, references, vocabularies) work on JSON paths;
//! this map turns each path back into a byte range of the user's file, so every
//! diagnostic points at the text to fix. We build the tree from parser events rather
//! than a ready-made loader because we must see duplicate keys (a loader keeps the
//! last one silently) and refuse aliases (which allow exponential expansion).

use std::collections::HashMap;
use std::ops::Range;

use saphyr::{Scalar, ScalarStyle};
use saphyr_parser::{Event, Parser, Span};
use serde_json::{Map, Number, Value};

/// A JSON Pointer (RFC 6901) to a node, e.g. `/elements/3/zone`.
pub type Pointer = String;

/// Where a node is: its value, and for a mapping entry, its key too.
#[derive(Debug, Clone, Default)]
pub struct NodeSpans {
    pub value: Range<usize>,
    pub key: Option<Range<usize>>,
}

/// A YAML document as JSON with the source location of each node.
#[derive(Debug, Clone)]
pub struct LocatedDocument {
    pub value: Value,
    spans: HashMap<Pointer, NodeSpans>,
    /// Where an alias stood (it reads as null; later checks need not report it again).
    pub alias_pointers: Vec<Pointer>,
}

/// A problem found while reading the YAML itself.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlProblem {
    pub message: String,
    pub help: Option<String>,
    pub span: Range<usize>,
    pub code: &'static str,
}

impl LocatedDocument {
    /// The span of the value at `pointer`, or of its nearest ancestor that has one.
    pub fn span_of(&self, pointer: &str) -> Range<usize> {
        self.lookup(pointer).value.clone()
    }

    /// The span of the key at `pointer` (for "unknown key" errors), else of its value.
    pub fn key_span_of(&self, pointer: &str) -> Range<usize> {
        let spans = self.lookup(pointer);
        spans.key.clone().unwrap_or_else(|| spans.value.clone())
    }

    fn lookup(&self, pointer: &str) -> &NodeSpans {
        let mut current = pointer;
        loop {
            if let Some(spans) = self.spans.get(current) {
                return spans;
            }
            match current.rfind('/') {
                Some(cut) => current = &current[..cut],
                None => {
                    return self.spans.get("").unwrap_or(&EMPTY_SPANS);
                }
            }
        }
    }
}

static EMPTY_SPANS: NodeSpans = NodeSpans {
    value: 0..0,
    key: None,
};

/// Escape one path segment for a JSON Pointer.
pub fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Limits that keep a hostile file from exhausting memory or the stack.
const MAX_DEPTH: usize = 64;
const MAX_NODES: usize = 1_000_000;

/// Parse one YAML document. Syntax errors stop the read (the parser cannot go on);
/// other problems (duplicate keys, aliases, non-string keys) are all collected and
/// the document is still returned so later checks can report theirs too.
pub fn parse(text: &str) -> Result<(LocatedDocument, Vec<YamlProblem>), YamlProblem> {
    let offsets = CharToByte::new(text);
    let mut builder = Builder {
        offsets: &offsets,
        spans: HashMap::new(),
        problems: Vec::new(),
        stack: Vec::new(),
        root: None,
        documents: 0,
        nodes: 0,
        alias_pointers: Vec::new(),
    };
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|error| {
            let at = offsets.byte(error.marker().index());
            YamlProblem {
                message: format!("YAML syntax error: {}", error.info()),
                help: Some("check indentation, quoting and ':' after keys near this place".into()),
                span: at..at,
                code: "medsec::yaml::syntax",
            }
        })?;
        builder.event(event, span)?;
    }
    let value = builder.root.take().unwrap_or(Value::Null);
    Ok((
        LocatedDocument {
            value,
            spans: builder.spans,
            alias_pointers: builder.alias_pointers,
        },
        builder.problems,
    ))
}

/// Marker indices count characters; miette and slices want bytes.
struct CharToByte {
    /// Byte offset of each char index; empty when the text is ASCII (identity).
    table: Vec<usize>,
    len: usize,
}

impl CharToByte {
    fn new(text: &str) -> Self {
        let table = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .map(|(byte, _)| byte)
                .chain(std::iter::once(text.len()))
                .collect()
        };
        CharToByte {
            table,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.table.is_empty() {
            char_index.min(self.len)
        } else {
            self.table.get(char_index).copied().unwrap_or(self.len)
        }
    }

    fn range(&self, span: Span) -> Range<usize> {
        self.byte(span.start.index())..self.byte(span.end.index())
    }
}

enum Frame {
    Sequence {
        pointer: Pointer,
        items: Vec<Value>,
        start: usize,
    },
    Mapping {
        pointer: Pointer,
        entries: Map<String, Value>,
        start: usize,
        /// The key read, waiting for its value.
        pending_key: Option<(String, Range<usize>)>,
        /// Set when the pending key was a duplicate or unusable: its value is dropped.
        skip_value: bool,
    },
}

struct Builder<'a> {
    offsets: &'a CharToByte,
    spans: HashMap<Pointer, NodeSpans>,
    problems: Vec<YamlProblem>,
    stack: Vec<Frame>,
    root: Option<Value>,
    documents: usize,
    nodes: usize,
    alias_pointers: Vec<Pointer>,
}

impl Builder<'_> {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), YamlProblem> {
        let range = self.offsets.range(span);
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(YamlProblem {
                        message: "a second YAML document starts here; a device file holds one"
                            .into(),
                        help: Some("remove the '---' line or split the file".into()),
                        span: range,
                        code: "medsec::yaml::multiple-documents",
                    });
                }
            }
            Event::Alias(_) => {
                self.problems.push(YamlProblem {
                    message: "YAML aliases (*name) are not supported".into(),
                    help: Some(
                        "write the value out in full; aliases can hide very large expansions"
                            .into(),
                    ),
                    span: range.clone(),
                    code: "medsec::yaml::alias",
                });
                self.alias_pointers.push(self.child_pointer());
                self.value(Value::Null, range)?;
            }
            Event::Scalar(text, style, _anchor, tag) => {
                // A scalar may be a key of the mapping on top of the stack.
                if let Some(Frame::Mapping {
                    pending_key: pending @ None,
                    entries,
                    skip_value,
                    ..
                }) = self.stack.last_mut()
                {
                    let key = text.into_owned();
                    if entries.contains_key(&key) {
                        self.problems.push(YamlProblem {
                            message: format!("key '{key}' appears twice in this mapping"),
                            help: Some("keep one; YAML readers differ on which one wins".into()),
                            span: range.clone(),
                            code: "medsec::yaml::duplicate-key",
                        });
                        *skip_value = true;
                    }
                    *pending = Some((key, range));
                    return Ok(());
                }
                let value = scalar_to_json(&text, style, tag.as_ref());
                self.value(value, range)?;
            }
            Event::SequenceStart(_, _) => {
                let pointer = self.open_child(&range)?;
                self.stack.push(Frame::Sequence {
                    pointer,
                    items: Vec::new(),
                    start: range.start,
                });
            }
            Event::MappingStart(_, _) => {
                let pointer = self.open_child(&range)?;
                self.stack.push(Frame::Mapping {
                    pointer,
                    entries: Map::new(),
                    start: range.start,
                    pending_key: None,
                    skip_value: false,
                });
            }
            Event::SequenceEnd => {
                if let Some(Frame::Sequence {
                    pointer,
                    items,
                    start,
                }) = self.stack.pop()
                {
                    self.close(pointer, Value::Array(items), start..range.end.max(start))?;
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Mapping {
                    pointer,
                    entries,
                    start,
                    ..
                }) = self.stack.pop()
                {
                    self.close(pointer, Value::Object(entries), start..range.end.max(start))?;
                }
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// The pointer a new child node gets, checked against depth and size limits. A
    /// collection used as a mapping key is reported and given a throwaway pointer.
    fn open_child(&mut self, range: &Range<usize>) -> Result<Pointer, YamlProblem> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlProblem {
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
                help: None,
                span: range.clone(),
                code: "medsec::yaml::too-deep",
            });
        }
        if let Some(Frame::Mapping {
            pending_key: None,
            pointer,
            skip_value,
            ..
        }) = self.stack.last_mut()
        {
            self.problems.push(YamlProblem {
                message: "a mapping key must be a plain string".into(),
                help: None,
                span: range.clone(),
                code: "medsec::yaml::complex-key",
            });
            *skip_value = true;
            let pointer = format!("{pointer}/?");
            return Ok(pointer);
        }
        Ok(self.child_pointer())
    }

    fn child_pointer(&self) -> Pointer {
        match self.stack.last() {
            None => String::new(),
            Some(Frame::Sequence { pointer, items, .. }) => format!("{pointer}/{}", items.len()),
            Some(Frame::Mapping {
                pointer,
                pending_key,
                ..
            }) => match pending_key {
                Some((key, _)) => format!("{pointer}/{}", escape_segment(key)),
                None => format!("{pointer}/?"),
            },
        }
    }

    fn value(&mut self, value: Value, range: Range<usize>) -> Result<(), YamlProblem> {
        let pointer = self.child_pointer();
        self.close(pointer, value, range)
    }

    /// Attach a finished node to its parent and remember its span.
    fn close(
        &mut self,
        pointer: Pointer,
        value: Value,
        range: Range<usize>,
    ) -> Result<(), YamlProblem> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(YamlProblem {
                message: format!("more than {MAX_NODES} YAML nodes"),
                help: None,
                span: range,
                code: "medsec::yaml::too-large",
            });
        }
        match self.stack.last_mut() {
            None => {
                self.spans.insert(
                    pointer,
                    NodeSpans {
                        value: range,
                        key: None,
                    },
                );
                self.root = Some(value);
            }
            Some(Frame::Sequence { items, .. }) => {
                self.spans.insert(
                    pointer,
                    NodeSpans {
                        value: range,
                        key: None,
                    },
                );
                items.push(value);
            }
            Some(Frame::Mapping {
                entries,
                pending_key,
                skip_value,
                ..
            }) => {
                let Some((key, key_range)) = pending_key.take() else {
                    // A collection used as a key has already been reported.
                    return Ok(());
                };
                if std::mem::take(skip_value) {
                    return Ok(());
                }
                self.spans.insert(
                    pointer,
                    NodeSpans {
                        value: range,
                        key: Some(key_range),
                    },
                );
                entries.insert(key, value);
            }
        }
        Ok(())
    }
}

/// Resolve a scalar with the YAML 1.2 core schema, then express it as JSON. Values JSON
/// cannot hold (NaN, infinities) stay strings, so the schema check reports them.
fn scalar_to_json(
    text: &str,
    style: ScalarStyle,
    tag: Option<&std::borrow::Cow<'_, saphyr_parser::Tag>>,
) -> Value {
    match Scalar::parse_from_cow_and_metadata(text.into(), style, tag) {
        Some(Scalar::Null) => Value::Null,
        Some(Scalar::Boolean(b)) => Value::Bool(b),
        Some(Scalar::Integer(i)) => Value::Number(i.into()),
        Some(Scalar::FloatingPoint(f)) => Number::from_f64(f.into_inner())
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(text.to_owned())),
        Some(Scalar::String(s)) => Value::String(s.into_owned()),
        None => Value::String(text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn values_and_spans() {
        let text = "a: 1\nb:\n  - x\n  - {c: true}\n";
        let (doc, problems) = parse(text).unwrap();
        assert!(problems.is_empty());
        assert_eq!(doc.value["a"], 1);
        assert_eq!(doc.value["b"][1]["c"], true);
        assert_eq!(&text[doc.span_of("/b/0")], "x");
        assert_eq!(&text[doc.key_span_of("/b/1/c")], "c");
        assert_eq!(&text[doc.span_of("/a")], "1");
        // unknown path falls back to the nearest ancestor
        assert_eq!(&text[doc.span_of("/b/0/nothing")], "x");
    }

    #[test]
    fn duplicate_keys_and_aliases_are_reported_all() {
        let text = "a: &x 1\na: 2\nb: *x\nc: 3\nc: 4\n";
        let (doc, problems) = parse(text).unwrap();
        let codes: Vec<_> = problems.iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            [
                "medsec::yaml::duplicate-key",
                "medsec::yaml::alias",
                "medsec::yaml::duplicate-key"
            ]
        );
        assert_eq!(doc.value["a"], 1);
        assert_eq!(doc.value["c"], 3);
        assert_eq!(&text[problems[0].span.clone()], "a");
    }

    #[test]
    fn syntax_error_is_located() {
        let text = "a: [1, 2\nb: 3\n";
        let error = parse(text).unwrap_err();
        assert_eq!(error.code, "medsec::yaml::syntax");
    }

    #[test]
    fn non_ascii_offsets_are_bytes() {
        let text = "name: \"Gerät\"\nzone: x\n";
        let (doc, _) = parse(text).unwrap();
        assert_eq!(&text[doc.span_of("/zone")], "x");
    }

    #[test]
    fn quoted_numbers_stay_strings() {
        let (doc, _) = parse("v: \"2.10\"\nw: 2.10\n").unwrap();
        assert_eq!(doc.value["v"], "2.10");
        assert!(doc.value["w"].is_number());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(100) + &"]".repeat(100);
        assert_eq!(parse(&text).unwrap_err().code, "medsec::yaml::too-deep");
    }
}
