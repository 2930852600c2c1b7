//! Reading a YAML file of another tool (threagile) into JSON values with the line and
//! column of each node. Unlike our own device files, these use anchors, aliases and
//! merge keys (`<<: *base`), so they are resolved here, within a node budget so that a
//! hostile file cannot expand exponentially ("billion laughs").

use std::collections::HashMap;

use saphyr::{Scalar, ScalarStyle};
use saphyr_parser::{Event, Parser, Span};
use serde_json::{Map, Number, Value};

use super::report::ImportError;

const MAX_DEPTH: usize = 64;
const MAX_NODES: usize = 1_000_000;

/// A document as JSON, with "path → (line, column)" for every node (1-based). Paths
/// join mapping keys and sequence indices with `/`, as the report shows them.
#[derive(Debug, Default)]
pub struct Located {
    pub value: Value,
    positions: HashMap<String, (usize, usize)>,
}

impl Located {
    /// The position of `path`, or of its nearest ancestor that has one.
    pub fn position(&self, path: &str) -> Option<(usize, usize)> {
        let mut current = path;
        loop {
            if let Some(position) = self.positions.get(current) {
                return Some(*position);
            }
            match current.rfind('/') {
                Some(cut) => current = &current[..cut],
                None => return self.positions.get("").copied(),
            }
        }
    }

    /// An error located at `path`.
    pub fn error(&self, code: &'static str, path: &str, message: impl Into<String>) -> ImportError {
        let error = ImportError::new(code, message).at(path.to_owned());
        match self.position(path) {
            Some((line, column)) => error.at_line(line, column),
            None => error,
        }
    }
}

enum Frame {
    Sequence {
        path: String,
        items: Vec<Value>,
        anchor: usize,
    },
    Mapping {
        path: String,
        entries: Map<String, Value>,
        merges: Vec<Value>,
        pending_key: Option<String>,
        anchor: usize,
    },
}

struct Builder {
    stack: Vec<Frame>,
    root: Option<Value>,
    anchors: HashMap<usize, (Value, usize)>,
    positions: HashMap<String, (usize, usize)>,
    nodes: usize,
    documents: usize,
}

fn syntax(message: String, span: &Span) -> ImportError {
    ImportError::new("medsec::import::syntax", message)
        .at_line(span.start.line(), span.start.col() + 1)
}

/// Parse one YAML document.
pub fn parse(text: &str) -> Result<Located, ImportError> {
    let mut builder = Builder {
        stack: Vec::new(),
        root: None,
        anchors: HashMap::new(),
        positions: HashMap::new(),
        nodes: 0,
        documents: 0,
    };
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|error| {
            ImportError::new(
                "medsec::import::syntax",
                format!("YAML syntax error: {}", error.info()),
            )
            .at_line(error.marker().line(), error.marker().col() + 1)
        })?;
        builder.event(event, &span)?;
    }
    Ok(Located {
        value: builder.root.unwrap_or(Value::Null),
        positions: builder.positions,
    })
}

/// Nodes in a value, to charge an alias's expansion against the budget.
fn size(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(size).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(size).sum::<usize>(),
        _ => 1,
    }
}

impl Builder {
    fn child_path(&self) -> String {
        match self.stack.last() {
            None => String::new(),
            Some(Frame::Sequence { path, items, .. }) => join(path, &items.len().to_string()),
            Some(Frame::Mapping {
                path, pending_key, ..
            }) => join(path, pending_key.as_deref().unwrap_or("?")),
        }
    }

    fn event(&mut self, event: Event<'_>, span: &Span) -> Result<(), ImportError> {
        let position = (span.start.line(), span.start.col() + 1);
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(syntax(
                        "a second YAML document starts here; one model per file".into(),
                        span,
                    ));
                }
            }
            Event::Alias(id) => {
                let Some((value, count)) = self.anchors.get(&id).cloned() else {
                    return Err(syntax("alias of an unknown anchor".into(), span));
                };
                self.charge(count, span)?;
                self.value(value, position, span)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                if let Some(Frame::Mapping {
                    pending_key: pending @ None,
                    entries,
                    path,
                    ..
                }) = self.stack.last_mut()
                {
                    let key = text.into_owned();
                    if key != "<<" && entries.contains_key(&key) {
                        return Err(syntax(
                            format!("key '{key}' appears twice in this mapping"),
                            span,
                        ));
                    }
                    self.positions.insert(join(path, &key), position);
                    *pending = Some(key);
                    return Ok(());
                }
                let value = scalar(&text, style, tag.as_deref());
                if anchor != 0 {
                    self.anchors.insert(anchor, (value.clone(), 1));
                }
                self.value(value, position, span)?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(syntax(
                        format!("nesting deeper than {MAX_DEPTH} levels"),
                        span,
                    ));
                }
                if let Some(Frame::Mapping {
                    pending_key: None, ..
                }) = self.stack.last()
                {
                    return Err(syntax("a mapping key must be a plain string".into(), span));
                }
                let path = self.child_path();
                self.positions.entry(path.clone()).or_insert(position);
                if matches!(event, Event::SequenceStart(..)) {
                    self.stack.push(Frame::Sequence {
                        path,
                        items: Vec::new(),
                        anchor,
                    });
                } else {
                    self.stack.push(Frame::Mapping {
                        path,
                        entries: Map::new(),
                        merges: Vec::new(),
                        pending_key: None,
                        anchor,
                    });
                }
            }
            Event::SequenceEnd => {
                if let Some(Frame::Sequence { items, anchor, .. }) = self.stack.pop() {
                    self.finish(Value::Array(items), anchor, position, span)?;
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Mapping {
                    mut entries,
                    merges,
                    anchor,
                    ..
                }) = self.stack.pop()
                {
                    // Merge keys: explicit keys win over merged ones, earlier merges
                    // over later ones (the YAML merge-key convention).
                    for merge in merges {
                        let sources = match merge {
                            Value::Array(items) => items,
                            other => vec![other],
                        };
                        for source in sources {
                            let Value::Object(map) = source else {
                                return Err(syntax(
                                    "a merge key ('<<') must name a mapping".into(),
                                    span,
                                ));
                            };
                            for (key, value) in map {
                                entries.entry(key).or_insert(value);
                            }
                        }
                    }
                    self.finish(Value::Object(entries), anchor, position, span)?;
                }
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn charge(&mut self, count: usize, span: &Span) -> Result<(), ImportError> {
        self.nodes = self.nodes.saturating_add(count);
        if self.nodes > MAX_NODES {
            return Err(ImportError::new(
                "medsec::import::too-large",
                format!("more than {MAX_NODES} YAML nodes (after expanding aliases)"),
            )
            .at_line(span.start.line(), span.start.col() + 1));
        }
        Ok(())
    }

    fn finish(
        &mut self,
        value: Value,
        anchor: usize,
        position: (usize, usize),
        span: &Span,
    ) -> Result<(), ImportError> {
        if anchor != 0 {
            let count = size(&value);
            self.anchors.insert(anchor, (value.clone(), count));
        }
        self.value(value, position, span)
    }

    fn value(
        &mut self,
        value: Value,
        position: (usize, usize),
        span: &Span,
    ) -> Result<(), ImportError> {
        self.charge(1, span)?;
        let path = self.child_path();
        self.positions.entry(path).or_insert(position);
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Sequence { items, .. }) => items.push(value),
            Some(Frame::Mapping {
                entries,
                merges,
                pending_key,
                ..
            }) => {
                if let Some(key) = pending_key.take() {
                    if key == "<<" {
                        merges.push(value);
                    } else {
                        entries.insert(key, value);
                    }
                }
            }
        }
        Ok(())
    }
}

fn join(path: &str, segment: &str) -> String {
    if path.is_empty() {
        segment.to_owned()
    } else {
        format!("{path}/{segment}")
    }
}

fn scalar(text: &str, style: ScalarStyle, tag: Option<&saphyr_parser::Tag>) -> Value {
    let tag = tag.map(|t| std::borrow::Cow::Owned(t.clone()));
    match Scalar::parse_from_cow_and_metadata(text.into(), style, tag.as_ref()) {
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
    fn anchors_aliases_and_merge_keys() {
        let text = "base: &b\n  x: 1\n  y: 2\nchild:\n  <<: *b\n  y: 3\nlist: [*b]\n";
        let doc = parse(text).unwrap();
        assert_eq!(doc.value["child"]["x"], 1);
        assert_eq!(doc.value["child"]["y"], 3);
        assert_eq!(doc.value["list"][0]["y"], 2);
        assert_eq!(doc.position("child/y"), Some((6, 3)));
        assert_eq!(doc.position("child/nothing/deeper"), Some((4, 1)));
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut previous = 'a';
        for name in "bcdefghij".chars() {
            text.push_str(&format!(
                "{name}: &{name} [{}]\n",
                vec![format!("*{previous}"); 10].join(", ")
            ));
            previous = name;
        }
        let error = parse(&text).unwrap_err();
        assert_eq!(error.code, "medsec::import::too-large");
    }

    #[test]
    fn errors_are_located() {
        let error = parse("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert_eq!(error.code, "medsec::import::syntax");
        assert!(error.line.is_some());
        let error = parse("a: 1\na: 2\n").unwrap_err();
        assert_eq!(error.line, Some(2));
        assert_eq!(
            parse(&"[".repeat(100)).unwrap_err().code,
            "medsec::import::syntax"
        );
    }
}
