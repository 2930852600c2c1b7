//! A diagnostic for a bad command-line argument (a purl, a CPE, a vector): the argument
//! is shown with a marker under the offending place.

use std::fmt;

use miette::{LabeledSpan, NamedSource, SourceCode};

#[derive(Debug)]
pub struct ArgumentError {
    pub message: String,
    pub source: NamedSource<String>,
    pub offset: Option<usize>,
    pub code: &'static str,
    pub help: Option<String>,
}

impl ArgumentError {
    pub fn new(
        code: &'static str,
        argument: &str,
        offset: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        ArgumentError {
            message: message.into(),
            source: NamedSource::new("argument", argument.to_owned()),
            offset,
            code,
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for ArgumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ArgumentError {}

impl miette::Diagnostic for ArgumentError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let offset = self.offset?;
        let len = self.source.inner().len();
        let start = offset.min(len);
        let end = (start + 1).min(len);
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some("here".to_owned()), start..end),
        )))
    }
}

/// Whether a snippet of `text` around `offset` is short enough to show. miette prints
/// the whole line of a span and its neighbours, so a document on one long line (minified
/// JSON, 100,000 levels of nesting) would be echoed in full; past this the message gives
/// the place as file:line:column (or byte offset) without the snippet.
pub fn snippet_fits(text: &str, offset: usize) -> bool {
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
