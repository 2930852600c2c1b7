//! Why a version did not parse.

use crate::Scheme;

/// A version string that is not valid in its scheme. Every variant names the scheme, the
/// input and the offending part, so a report can say exactly what was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    #[error("empty version (scheme {scheme})")]
    Empty { scheme: Scheme },
    /// A part of the version breaks the scheme's grammar.
    #[error("{scheme} version {input:?}: invalid {part} {text:?} at byte {offset}: {reason}")]
    Invalid {
        scheme: Scheme,
        input: String,
        /// Which part of the grammar: `major`, `pre-release identifier`, `epoch` …
        part: &'static str,
        /// The offending text.
        text: String,
        /// Its byte offset in `input`.
        offset: usize,
        reason: &'static str,
    },
    /// A number too large for the scheme's own implementation limit.
    #[error("{scheme} version {input:?}: {part} {text:?} is larger than {limit}")]
    TooLarge {
        scheme: Scheme,
        input: String,
        part: &'static str,
        text: String,
        limit: &'static str,
    },
}

impl ParseError {
    pub(crate) fn invalid(
        scheme: Scheme,
        input: &str,
        part: &'static str,
        text: &str,
        offset: usize,
        reason: &'static str,
    ) -> Self {
        ParseError::Invalid {
            scheme,
            input: input.to_owned(),
            part,
            text: text.to_owned(),
            offset,
            reason,
        }
    }

    /// The scheme the version was parsed in.
    pub fn scheme(&self) -> Scheme {
        match self {
            ParseError::Empty { scheme }
            | ParseError::Invalid { scheme, .. }
            | ParseError::TooLarge { scheme, .. } => *scheme,
        }
    }
}

/// Byte offset of `part` inside `whole` (both slices of the same string).
pub(crate) fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}
