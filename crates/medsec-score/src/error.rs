//! Typed errors for invalid vectors. Every variant names the offending part of the
//! vector and its byte offset, so a diagnostic renderer can point at it.

use crate::Version;

/// Why a vector string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CvssError {
    /// The input was empty (or only parentheses).
    #[error("empty CVSS vector")]
    Empty,
    /// No `CVSS:x.y/` prefix, and the text is not a v2 vector either.
    #[error(
        "missing prefix at byte {offset}: {found:?} is not a CVSS v2 vector and has no \"CVSS:3.0/\", \"CVSS:3.1/\" or \"CVSS:4.0/\" prefix"
    )]
    MissingPrefix { found: String, offset: usize },
    /// A prefix that names no supported version, or one that the version does not use
    /// (v2.0 vectors carry no prefix).
    #[error("wrong prefix {found:?} at byte {offset}: {hint}")]
    WrongPrefix {
        found: String,
        offset: usize,
        hint: &'static str,
    },
    /// A component that is not `METRIC:VALUE` (or is empty, e.g. `//` or a trailing `/`).
    #[error("malformed component {component:?} at byte {offset}: expected METRIC:VALUE")]
    Malformed { component: String, offset: usize },
    /// A metric abbreviation the version does not define.
    #[error("unknown metric {metric:?} at byte {offset} for CVSS {version}")]
    UnknownMetric {
        metric: String,
        offset: usize,
        version: Version,
    },
    /// The same metric given twice.
    #[error("duplicate metric {metric:?} at byte {offset} (first given at byte {first_offset})")]
    DuplicateMetric {
        metric: String,
        offset: usize,
        first_offset: usize,
    },
    /// A mandatory (base) metric is absent; `offset` is the end of the vector, where it is missing.
    #[error(
        "missing mandatory metric {metric:?} (vector ends at byte {offset}) for CVSS {version}"
    )]
    MissingMetric {
        metric: &'static str,
        offset: usize,
        version: Version,
    },
    /// A value the metric does not take.
    #[error(
        "bad value {value:?} for metric {metric:?} at byte {offset}; expected one of {expected}"
    )]
    BadValue {
        metric: String,
        value: String,
        offset: usize,
        expected: String,
    },
    /// The version prescribes an order (v2.0, v4.0) and this metric breaks it.
    #[error(
        "metric {metric:?} at byte {offset} is out of order: CVSS {version} requires it before {after:?}"
    )]
    OutOfOrder {
        metric: String,
        offset: usize,
        after: String,
        version: Version,
    },
}

impl CvssError {
    /// A stable code per kind, for documentation and machine-readable output.
    pub fn code(&self) -> &'static str {
        match self {
            CvssError::Empty => "cvss::empty",
            CvssError::MissingPrefix { .. } => "cvss::missing-prefix",
            CvssError::WrongPrefix { .. } => "cvss::wrong-prefix",
            CvssError::Malformed { .. } => "cvss::malformed",
            CvssError::UnknownMetric { .. } => "cvss::unknown-metric",
            CvssError::DuplicateMetric { .. } => "cvss::duplicate-metric",
            CvssError::MissingMetric { .. } => "cvss::missing-metric",
            CvssError::BadValue { .. } => "cvss::bad-value",
            CvssError::OutOfOrder { .. } => "cvss::out-of-order",
        }
    }

    /// Byte offset into the vector string of the offending part (0 for an empty vector).
    pub fn offset(&self) -> usize {
        match self {
            CvssError::Empty => 0,
            CvssError::MissingPrefix { offset, .. }
            | CvssError::WrongPrefix { offset, .. }
            | CvssError::Malformed { offset, .. }
            | CvssError::UnknownMetric { offset, .. }
            | CvssError::DuplicateMetric { offset, .. }
            | CvssError::MissingMetric { offset, .. }
            | CvssError::BadValue { offset, .. }
            | CvssError::OutOfOrder { offset, .. } => *offset,
        }
    }
}
