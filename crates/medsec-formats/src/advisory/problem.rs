//! Problems found while reading an advisory: code, level, place, message.

use serde::Serialize;

/// Stable codes of advisory problems, each explained in `docs/diagnostics.md`.
pub mod codes {
    /// The file could not be read (used by callers that read files).
    pub const IO: &str = "medsec::advisory::io";
    pub const TOO_LARGE: &str = "medsec::advisory::too-large";
    pub const ENCODING: &str = "medsec::advisory::encoding";
    pub const SYNTAX: &str = "medsec::advisory::syntax";
    pub const UNKNOWN_FORMAT: &str = "medsec::advisory::unknown-format";
    pub const UNSUPPORTED_FORMAT: &str = "medsec::advisory::unsupported-format";
    pub const WRONG_TYPE: &str = "medsec::advisory::wrong-type";
    pub const MISSING: &str = "medsec::advisory::missing";
    pub const SPEC_VERSION: &str = "medsec::advisory::spec-version";
    pub const BAD_TIMESTAMP: &str = "medsec::advisory::bad-timestamp";
    pub const BAD_CVSS: &str = "medsec::advisory::bad-cvss";
    pub const CVSS_VERSION_MISMATCH: &str = "medsec::advisory::cvss-version-mismatch";
    pub const SCORE_MISMATCH: &str = "medsec::advisory::score-mismatch";
    pub const BAD_CPE: &str = "medsec::advisory::bad-cpe";
    pub const BAD_PURL: &str = "medsec::advisory::bad-purl";
    pub const BAD_RANGE: &str = "medsec::advisory::bad-range";
    pub const UNINTERPRETED_RANGE: &str = "medsec::advisory::uninterpreted-range";
    pub const BAD_VALUE: &str = "medsec::advisory::bad-value";
    pub const UNKNOWN_PRODUCT: &str = "medsec::advisory::unknown-product";
    pub const DUPLICATE_PRODUCT: &str = "medsec::advisory::duplicate-product";
    pub const CIRCULAR_PRODUCT: &str = "medsec::advisory::circular-product";
    pub const CONTRADICTING_STATUS: &str = "medsec::advisory::contradicting-status";
    pub const DUPLICATE_CVE: &str = "medsec::advisory::duplicate-cve";
    pub const NO_ADVISORY: &str = "medsec::advisory::empty";

    /// Every code, for documentation checks.
    pub const ALL: &[&str] = &[
        IO,
        TOO_LARGE,
        ENCODING,
        SYNTAX,
        UNKNOWN_FORMAT,
        UNSUPPORTED_FORMAT,
        WRONG_TYPE,
        MISSING,
        SPEC_VERSION,
        BAD_TIMESTAMP,
        BAD_CVSS,
        CVSS_VERSION_MISMATCH,
        SCORE_MISMATCH,
        BAD_CPE,
        BAD_PURL,
        BAD_RANGE,
        UNINTERPRETED_RANGE,
        BAD_VALUE,
        UNKNOWN_PRODUCT,
        DUPLICATE_PRODUCT,
        CIRCULAR_PRODUCT,
        CONTRADICTING_STATUS,
        DUPLICATE_CVE,
        NO_ADVISORY,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Warning,
    Error,
}

/// One problem in one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub code: &'static str,
    pub level: Level,
    /// JSON Pointer of the node concerned ("" for the whole document).
    pub pointer: String,
    pub message: String,
    /// 1-based line and column, where known (JSON text; YAML syntax errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// Byte offset of the node in the text, where known.
    #[serde(skip)]
    pub offset: Option<usize>,
}

impl Problem {
    pub fn error(code: &'static str, pointer: &str, message: impl Into<String>) -> Self {
        Problem {
            code,
            level: Level::Error,
            pointer: pointer.to_owned(),
            message: message.into(),
            line: None,
            column: None,
            offset: None,
        }
    }

    pub fn warning(code: &'static str, pointer: &str, message: impl Into<String>) -> Self {
        Problem {
            level: Level::Warning,
            ..Problem::error(code, pointer, message)
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, "{l}:{c}: ")?
        }
        write!(f, "{level}[{}]", self.code)?;
        if !self.pointer.is_empty() {
            write!(f, " at {}", self.pointer)?;
        }
        write!(f, ": {}", self.message)
    }
}
