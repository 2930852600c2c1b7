//! What an import says about itself: everything it could not carry over, assumed, or
//! left for a person to assess; and the errors that stop it.

use serde::Serialize;

/// How an item of the report affects the imported device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    /// Left out: the device format has no place for it, or it was unusable.
    NotCarried,
    /// Filled in by a stated rule because the source does not say; review it.
    Assumed,
    /// Carried over through a mapping table (the report names the mapping).
    Mapped,
    /// A person must assess it before the device file passes `medsec check`.
    ToAssess,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::NotCarried => "not carried",
            ItemKind::Assumed => "assumed",
            ItemKind::Mapped => "mapped",
            ItemKind::ToAssess => "to assess",
        }
    }
}

/// One entry of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportItem {
    pub kind: ItemKind,
    /// A stable code, explained in docs/diagnostics.md.
    pub code: &'static str,
    /// Where in the source, as a path (`technical_assets/Web Server/communication_links/…`
    /// or a JSON Pointer for Threat Dragon).
    pub source: String,
    /// What it means for the device file (ids there, if any).
    pub message: String,
}

/// The report of one import.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    /// "threat-dragon" or "threagile".
    pub format: String,
    pub items: Vec<ReportItem>,
}

impl ImportReport {
    pub fn new(format: &str) -> Self {
        ImportReport {
            format: format.to_owned(),
            items: Vec::new(),
        }
    }

    pub fn push(
        &mut self,
        kind: ItemKind,
        code: &'static str,
        source: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.items.push(ReportItem {
            kind,
            code,
            source: source.into(),
            message: message.into(),
        });
    }

    pub fn count(&self, kind: ItemKind) -> usize {
        self.items.iter().filter(|i| i.kind == kind).count()
    }

    pub fn with_code(&self, code: &str) -> impl Iterator<Item = &ReportItem> {
        self.items.iter().filter(move |i| i.code == code)
    }
}

/// Why an import failed: the source is not readable as the format says.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub struct ImportError {
    pub code: &'static str,
    pub message: String,
    /// Path in the source where the problem is, if known.
    pub source_path: Option<String>,
    /// 1-based line and column, if known.
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl ImportError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        ImportError {
            code,
            message: message.into(),
            source_path: None,
            line: None,
            column: None,
        }
    }

    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.source_path = Some(path.into());
        self
    }

    pub fn at_line(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// "line 3, column 7, at /detail/diagrams/0: message" — whatever is known.
    pub fn located(&self) -> String {
        let mut place = Vec::new();
        if let (Some(line), Some(column)) = (self.line, self.column) {
            place.push(format!("line {line}, column {column}"));
        }
        if let Some(path) = &self.source_path {
            place.push(format!("at {path}"));
        }
        if place.is_empty() {
            self.message.clone()
        } else {
            format!("{}: {}", place.join(", "), self.message)
        }
    }
}
