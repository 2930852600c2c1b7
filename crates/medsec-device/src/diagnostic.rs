//! Located diagnostics: what is wrong, where (file, line, column), and how to fix it.
//! Every diagnostic has a stable code, listed with an explanation in
//! `docs/diagnostics.md`, so scripts and people can look it up.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{LabeledSpan, NamedSource, SourceCode};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Warning,
    Error,
}

/// One problem in one file.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub level: Level,
    pub message: String,
    /// What would fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// JSON Pointer to the node concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// Byte range in the file.
    #[serde(skip)]
    pub span: Range<usize>,
    pub line: usize,
    pub column: usize,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            level: Level::Error,
            message: message.into(),
            help: None,
            pointer: None,
            span: 0..0,
            line: 0,
            column: 0,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            level: Level::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    pub fn at(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }
}

/// The diagnostics for one file, with its text so they can be shown in context.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub file: PathBuf,
    pub diagnostics: Vec<Diagnostic>,
    #[serde(skip)]
    pub text: Arc<String>,
}

impl FileReport {
    pub fn new(file: &Path, text: Arc<String>) -> Self {
        FileReport {
            file: file.to_path_buf(),
            diagnostics: Vec::new(),
            text,
        }
    }

    /// Add a diagnostic at a byte range; line and column are computed from it.
    pub fn push(&mut self, mut diagnostic: Diagnostic, span: Range<usize>) {
        let span = first_line(&self.text, span);
        let (line, column) = line_column(&self.text, span.start);
        diagnostic.span = span;
        diagnostic.line = line;
        diagnostic.column = column;
        self.diagnostics.push(diagnostic);
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.level == Level::Error)
            .count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    /// Sort by position so the output reads top to bottom.
    pub fn sort(&mut self) {
        self.diagnostics.sort_by_key(|d| (d.span.start, d.level));
    }

    /// Each diagnostic as a miette report carrying the file's text.
    pub fn renderable(&self) -> impl Iterator<Item = RenderableDiagnostic> + '_ {
        let source = NamedSource::new(self.file.display().to_string(), self.text.clone());
        self.diagnostics
            .iter()
            .map(move |diagnostic| RenderableDiagnostic {
                diagnostic: diagnostic.clone(),
                file: self.file.clone(),
                source: source.clone(),
            })
    }
}

/// Long spans (a whole mapping) are cut to their first line: the label then points at
/// the start of the node instead of painting half the file.
fn first_line(text: &str, span: Range<usize>) -> Range<usize> {
    let start = span.start.min(text.len());
    let end = span.end.clamp(start, text.len());
    match text.get(start..end).and_then(|s| s.find('\n')) {
        Some(newline) => start..start + newline,
        None => start..end,
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

/// Whether a snippet of `text` around `offset` is short enough to show. miette prints
/// the whole line of a span and its neighbours, so a document on one long line (minified
/// JSON, 100,000 levels of nesting) would be echoed in full; past this the message gives
/// the place as file:line:column (or byte offset) without the snippet.
fn snippet_fits(text: &str, offset: usize) -> bool {
    const MAX_SNIPPET_BYTES: usize = 4096;
    let bytes = text.as_bytes();
    let offset = offset.min(bytes.len());
    let newline_before = |at: usize| {
        bytes[..at]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1)
    };
    let newline_after = |at: usize| {
        bytes[at..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |i| at + i + 1)
    };
    // From the start of the line before the span's to the end of the line after it.
    let start = newline_before(newline_before(offset).saturating_sub(1));
    let end = newline_after(newline_after(offset));
    end - start <= MAX_SNIPPET_BYTES
}

/// A diagnostic in the shape miette renders (snippet, label, help, code).
#[derive(Debug)]
pub struct RenderableDiagnostic {
    diagnostic: Diagnostic,
    file: PathBuf,
    source: NamedSource<Arc<String>>,
}

impl fmt::Display for RenderableDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.diagnostic.line,
            self.diagnostic.column,
            self.diagnostic.message
        )
    }
}

impl std::error::Error for RenderableDiagnostic {}

impl miette::Diagnostic for RenderableDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.level {
            Level::Error => miette::Severity::Error,
            Level::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        snippet_fits(self.source.inner(), self.diagnostic.span.start)
            .then_some(&self.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = &self.diagnostic.span;
        if !snippet_fits(self.source.inner(), span.start) {
            return None;
        }
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some("here".to_owned()), span.start..span.end),
        )))
    }
}

/// The closest candidates to a misspelt word, for "did you mean …?".
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(word, candidate);
        if score > 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, candidate)| format!("did you mean '{candidate}'?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, text.len() - 1), (3, 1));
        assert_eq!(line_column(text, 7), (2, 4));
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("zonee", ["zone", "name", "kind"]).as_deref(),
            Some("did you mean 'zone'?")
        );
        assert_eq!(did_you_mean("xyz", ["zone", "name"]), None);
    }
}
