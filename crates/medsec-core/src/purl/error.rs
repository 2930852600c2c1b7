//! Errors of purl parsing and building.

use std::fmt;

/// The purl component an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PurlComponent {
    /// The `pkg:` scheme.
    Scheme,
    /// The package type (`npm`, `maven`, ...).
    Type,
    /// The namespace (`@angular`, `org.apache.commons`, ...).
    Namespace,
    /// The package name.
    Name,
    /// The version after `@`.
    Version,
    /// The qualifiers after `?`.
    Qualifiers,
    /// The subpath after `#`.
    Subpath,
}

impl fmt::Display for PurlComponent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Scheme => "scheme",
            Self::Type => "type",
            Self::Namespace => "namespace",
            Self::Name => "name",
            Self::Version => "version",
            Self::Qualifiers => "qualifiers",
            Self::Subpath => "subpath",
        })
    }
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PurlErrorKind {
    /// The string does not start with `pkg:`.
    MissingScheme,
    /// The scheme is something other than `pkg`.
    WrongScheme(String),
    /// No type was given.
    MissingType,
    /// The type holds a character outside `[A-Za-z0-9.+-]`.
    InvalidTypeChar(char),
    /// The type starts with a digit.
    TypeStartsWithDigit,
    /// No name was given.
    MissingName,
    /// A `%` not followed by two hexadecimal digits.
    InvalidPercentEncoding,
    /// Percent-decoded bytes are not UTF-8.
    InvalidUtf8,
    /// A namespace segment decodes to a string containing `/`.
    SlashInNamespaceSegment,
    /// A qualifier key is empty or holds a character outside `[a-z0-9.-_]`, or starts with a digit.
    InvalidQualifierKey(String),
    /// The same qualifier key appears twice.
    DuplicateQualifier(String),
    /// This package type requires a namespace.
    NamespaceRequired,
    /// This package type has no namespace.
    NamespaceProhibited,
    /// This package type requires a qualifier that is missing.
    MissingRequiredQualifier(&'static str),
    /// A type-specific rule is broken; the text says which.
    TypeRule(&'static str),
}

impl fmt::Display for PurlErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingScheme => f.write_str("the scheme `pkg:` is missing"),
            Self::WrongScheme(s) => write!(f, "the scheme is `{s}`, expected `pkg`"),
            Self::MissingType => f.write_str("the type is missing"),
            Self::InvalidTypeChar(c) => write!(
                f,
                "the type holds {c:?}; only ASCII letters, digits, '.', '+' and '-' are allowed"
            ),
            Self::TypeStartsWithDigit => f.write_str("the type starts with a digit"),
            Self::MissingName => f.write_str("the name is missing"),
            Self::InvalidPercentEncoding => {
                f.write_str("'%' is not followed by two hexadecimal digits")
            }
            Self::InvalidUtf8 => f.write_str("percent-decoded bytes are not UTF-8"),
            Self::SlashInNamespaceSegment => {
                f.write_str("a namespace segment decodes to a string containing '/'")
            }
            Self::InvalidQualifierKey(k) => write!(
                f,
                "qualifier key {k:?} is invalid; keys are lowercase ASCII letters, digits, '.', '-' and '_', not starting with a digit"
            ),
            Self::DuplicateQualifier(k) => write!(f, "qualifier key {k:?} appears twice"),
            Self::NamespaceRequired => f.write_str("this package type requires a namespace"),
            Self::NamespaceProhibited => f.write_str("this package type has no namespace"),
            Self::MissingRequiredQualifier(k) => {
                write!(f, "this package type requires the qualifier {k:?}")
            }
            Self::TypeRule(r) => f.write_str(r),
        }
    }
}

/// An invalid package URL: which component, where (byte offset in the parsed string; `None`
/// when the purl was built from components), and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error("invalid purl {component}{}: {kind}", at(*.offset))]
pub struct PurlError {
    /// The offending component.
    pub component: PurlComponent,
    /// Byte offset in the input string, when parsing.
    pub offset: Option<usize>,
    /// What is wrong.
    pub kind: PurlErrorKind,
}

fn at(offset: Option<usize>) -> String {
    offset.map_or_else(String::new, |o| format!(" at byte {o}"))
}

impl PurlError {
    pub(crate) fn new(
        component: PurlComponent,
        offset: Option<usize>,
        kind: PurlErrorKind,
    ) -> Self {
        Self {
            component,
            offset,
            kind,
        }
    }
}
