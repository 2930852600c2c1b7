//! Positions: byte offset ↔ line/column, the JSON depth pre-scan, and finding the position of
//! a path (`components[3].purl`) in a JSON text for problems found after parsing.

use std::collections::{HashMap, HashSet};

use super::{Context, Problem, ProblemKind, SbomError};

/// Line starts of a text, for offset → (line, column) in O(log n).
///
/// The line starts are found on first use: most documents read have no problem to place,
/// and scanning a 50 MB document for its line starts took a tenth of the reading time.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    starts: std::cell::OnceCell<Vec<usize>>,
    text_len: usize,
    /// Kept to count columns in characters, not bytes.
    text: &'a str,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        LineIndex {
            starts: std::cell::OnceCell::new(),
            text_len: text.len(),
            text,
        }
    }

    fn starts(&self) -> &[usize] {
        self.starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(self.text.match_indices('\n').map(|(i, _)| i + 1));
            starts
        })
    }

    /// 1-based line and column (column in characters) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text_len);
        let starts = self.starts();
        let line = starts.partition_point(|&s| s <= offset).max(1) - 1;
        let start = starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, column + 1)
    }

    /// The byte offset of a 1-based line and byte column (as serde_json reports them).
    pub fn offset(&self, line: usize, column: usize) -> Option<usize> {
        let start = *self.starts().get(line.checked_sub(1)?)?;
        Some((start + column.saturating_sub(1)).min(self.text_len))
    }
}

/// Refuses JSON nested deeper than the limit before serde sees it, so that a hostile
/// document gets a clear error instead of serde_json's recursion limit (or a stack overflow
/// in our own recursive conversion).
pub(crate) fn check_json_depth(ctx: &Context<'_>) -> Result<(), SbomError> {
    let bytes = ctx.text.as_bytes();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > ctx.limits.max_depth {
                    return Err(SbomError::Invalid {
                        format: "JSON".to_owned(),
                        problems: vec![
                            Problem::error(
                                ProblemKind::TooDeep,
                                "",
                                format!(
                                    "the document nests deeper than {} levels",
                                    ctx.limits.max_depth
                                ),
                            )
                            .at(ctx.index, i),
                        ],
                    });
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Sets the position of each problem that has none from its path in the JSON text: the
/// value at the path, or if the path is absent (a missing field), the nearest enclosing value.
pub(crate) fn locate_json(ctx: &Context<'_>, problems: &mut [Problem]) {
    let mut wanted = HashSet::new();
    for p in problems.iter().filter(|p| p.offset.is_none()) {
        for prefix in prefixes(&p.path) {
            wanted.insert(prefix.to_owned());
        }
    }
    if wanted.is_empty() {
        return;
    }
    let mut scanner = Scanner {
        bytes: ctx.text.as_bytes(),
        pos: 0,
        wanted: &wanted,
        found: HashMap::new(),
    };
    let mut path = String::new();
    scanner.skip_ws();
    scanner.value(&mut path);
    let found = scanner.found;
    apply_positions(ctx, problems, &found);
}

/// Sets positions from a path → offset map made while converting (XML, tag-value).
pub(crate) fn apply_positions(
    ctx: &Context<'_>,
    problems: &mut [Problem],
    found: &HashMap<String, usize>,
) {
    for p in problems.iter_mut().filter(|p| p.offset.is_none()) {
        if let Some(offset) = prefixes(&p.path).find_map(|prefix| found.get(prefix)) {
            let (line, column) = ctx.index.line_column(*offset);
            p.offset = Some(*offset);
            p.line = Some(line);
            p.column = Some(column);
        }
    }
}

/// `a.b[2].c`, `a.b[2]`, `a.b`, `a`, `` — longest first.
fn prefixes(path: &str) -> impl Iterator<Item = &str> {
    let cuts = path
        .char_indices()
        .filter(|&(_, c)| c == '.' || c == '[')
        .map(|(i, _)| i)
        .collect::<Vec<_>>();
    std::iter::once(path)
        .chain(cuts.into_iter().rev().map(move |i| &path[..i]))
        .chain(std::iter::once(""))
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    wanted: &'a HashSet<String>,
    found: HashMap<String, usize>,
}

impl Scanner<'_> {
    fn skip_ws(&mut self) {
        while self
            .bytes
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_whitespace())
        {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// The raw text of a string at `pos` (escapes kept), moving past it.
    fn string(&mut self) -> String {
        let start = self.pos + 1;
        self.pos += 1;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'"' => break,
                _ => {}
            }
        }
        let end = self.pos.saturating_sub(1).max(start);
        String::from_utf8_lossy(self.bytes.get(start..end).unwrap_or_default()).into_owned()
    }

    // The text was parsed by serde_json already, so it is well-formed and at most
    // `max_depth` deep: the recursion is bounded.
    fn value(&mut self, path: &mut String) {
        if self.wanted.contains(path.as_str()) {
            self.found.insert(path.clone(), self.pos);
        }
        match self.peek() {
            Some(b'{') => {
                self.pos += 1;
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some(b'"') => {}
                        Some(b'}') | None => {
                            self.pos += 1;
                            return;
                        }
                        Some(_) => {
                            self.pos += 1;
                            continue;
                        }
                    }
                    let key = self.string();
                    self.skip_ws();
                    if self.peek() == Some(b':') {
                        self.pos += 1;
                    }
                    self.skip_ws();
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&key);
                    self.value(path);
                    path.truncate(len);
                    self.skip_ws();
                    if self.peek() == Some(b',') {
                        self.pos += 1;
                    }
                }
            }
            Some(b'[') => {
                self.pos += 1;
                let mut i = 0;
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some(b']') | None => {
                            self.pos += 1;
                            return;
                        }
                        _ => {}
                    }
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    self.value(path);
                    path.truncate(len);
                    i += 1;
                    self.skip_ws();
                    if self.peek() == Some(b',') {
                        self.pos += 1;
                    }
                }
            }
            Some(b'"') => {
                self.string();
            }
            Some(_) => {
                while self
                    .peek()
                    .is_some_and(|b| !matches!(b, b',' | b']' | b'}') && !b.is_ascii_whitespace())
                {
                    self.pos += 1;
                }
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::sbom::Limits;

    #[test]
    fn finds_paths() {
        let text = "{\n  \"a\": [1, {\"b\": \"x\"}],\n  \"c\": {}\n}";
        let index = LineIndex::new(text);
        let ctx = Context {
            text,
            index: &index,
            limits: Limits::DEFAULT,
        };
        let mut problems = vec![
            Problem::error(ProblemKind::BadValue, "a[1].b", "m"),
            Problem::error(ProblemKind::MissingField, "c.name", "m"),
        ];
        locate_json(&ctx, &mut problems);
        assert_eq!((problems[0].line, problems[0].column), (Some(2), Some(18)));
        assert_eq!((problems[1].line, problems[1].column), (Some(3), Some(8)));
    }

    #[test]
    fn line_columns() {
        let index = LineIndex::new("ab\nçd\n");
        assert_eq!(index.line_column(0), (1, 1));
        assert_eq!(index.line_column(3), (2, 1));
        assert_eq!(index.line_column(5), (2, 2));
    }
}
