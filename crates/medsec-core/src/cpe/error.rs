//! Errors of CPE parsing.

use std::fmt;

use super::Attribute;

/// What is wrong with a CPE name.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CpeErrorKind {
    /// Neither `cpe:2.3:` (formatted string), `cpe:/` (URI) nor `wfn:[` (WFN text).
    UnknownPrefix,
    /// A formatted string has 11 components after `cpe:2.3:`; a URI at most 7 after `cpe:/`.
    ComponentCount {
        /// How many were found.
        found: usize,
        /// What the binding allows.
        expected: &'static str,
    },
    /// An attribute value is empty where the binding does not allow it.
    Empty,
    /// A character outside printable ASCII, or not allowed in this binding.
    InvalidChar(char),
    /// Punctuation that must be quoted with `\` (NISTIR 7695 §5.3.2, §6.2.2).
    UnquotedPunctuation(char),
    /// An unquoted `*` or `?` not at the beginning or end of the value (NISTIR 7695 §5.3.2).
    EmbeddedWildcard(char),
    /// A `\` at the end of a value.
    TrailingEscape,
    /// A quoted letter, digit or `_`, which WFNs write unquoted (NISTIR 7695 §5.3.2).
    NeedlessQuote(char),
    /// A percent-encoding that the URI binding does not define (NISTIR 7695 §6.1.3.2).
    InvalidPercentEncoding,
    /// `part` must be `a`, `o` or `h` (NISTIR 7695 §5.3.3.1).
    InvalidPart,
    /// A value made only of `*` wildcards: that is the logical value ANY.
    OnlyWildcards,
    /// A packed URI edition is `~edition~sw_edition~target_sw~target_hw~other`
    /// (NISTIR 7695 §6.1.3.2).
    PackedEdition,
    /// WFN text syntax: what was expected.
    WfnSyntax(&'static str),
    /// An attribute named twice in WFN text.
    DuplicateAttribute,
    /// An unknown attribute name in WFN text.
    UnknownAttribute(String),
}

impl fmt::Display for CpeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownPrefix => f.write_str("expected `cpe:2.3:`, `cpe:/` or `wfn:[`"),
            Self::ComponentCount { found, expected } => {
                write!(f, "found {found} components, expected {expected}")
            }
            Self::Empty => f.write_str("the value is empty"),
            Self::InvalidChar(c) => write!(f, "character {c:?} is not allowed here"),
            Self::UnquotedPunctuation(c) => {
                write!(f, "punctuation {c:?} must be quoted with a backslash")
            }
            Self::EmbeddedWildcard(c) => write!(
                f,
                "unquoted wildcard {c:?} is only allowed at the beginning or end of a value"
            ),
            Self::TrailingEscape => f.write_str("the value ends with an unfinished `\\`"),
            Self::NeedlessQuote(c) => write!(f, "{c:?} must not be quoted"),
            Self::InvalidPercentEncoding => {
                f.write_str("percent-encoding not defined by the URI binding")
            }
            Self::InvalidPart => f.write_str("part must be `a`, `o` or `h`"),
            Self::OnlyWildcards => f.write_str("a value of only `*` is the logical value ANY"),
            Self::PackedEdition => {
                f.write_str("a packed edition is `~edition~sw_edition~target_sw~target_hw~other`")
            }
            Self::WfnSyntax(what) => write!(f, "WFN syntax: expected {what}"),
            Self::DuplicateAttribute => f.write_str("attribute given twice"),
            Self::UnknownAttribute(a) => write!(f, "unknown attribute {a:?}"),
        }
    }
}

/// An invalid CPE name: which attribute (when known), where (byte offset in the input, when
/// parsing), and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error("invalid CPE{}{}: {kind}", attr(*.attribute), at(*.offset))]
pub struct CpeError {
    /// The attribute the error is in, if any.
    pub attribute: Option<Attribute>,
    /// Byte offset in the parsed string.
    pub offset: Option<usize>,
    /// What is wrong.
    pub kind: CpeErrorKind,
}

fn attr(a: Option<Attribute>) -> String {
    a.map_or_else(String::new, |a| format!(" {}", a.name()))
}

fn at(offset: Option<usize>) -> String {
    offset.map_or_else(String::new, |o| format!(" at byte {o}"))
}

impl CpeError {
    pub(crate) fn new(
        attribute: Option<Attribute>,
        offset: Option<usize>,
        kind: CpeErrorKind,
    ) -> Self {
        Self {
            attribute,
            offset,
            kind,
        }
    }
}
