//! WFN attribute values (NISTIR 7695 §5.3).

use std::fmt;

use super::error::{CpeError, CpeErrorKind};

/// One attribute value: the logical values ANY and NA, or a value string (NISTIR 7695 §5.3.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Value {
    /// ANY: no constraint (`*` in the formatted string, empty in the URI).
    Any,
    /// NA: not applicable (`-` in both bindings).
    Na,
    /// A value string.
    Str(AvString),
}

impl Value {
    /// A value string from WFN form (`8\.0\.6001`, `8\.*`).
    pub fn wfn(s: &str) -> Result<Self, CpeError> {
        AvString::new(s).map(Value::Str)
    }

    /// A value string holding `s` literally: punctuation, `*` and `?` are quoted, so it
    /// carries no wildcards. Fails only for characters outside printable ASCII or an empty
    /// string.
    pub fn literal(s: &str) -> Result<Self, CpeError> {
        AvString::literal(s).map(Value::Str)
    }

    /// The value string, if this is one.
    pub fn as_str(&self) -> Option<&AvString> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    /// As in WFN text: `ANY`, `NA` or the quoted string in double quotes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("ANY"),
            Self::Na => f.write_str("NA"),
            Self::Str(s) => write!(f, "\"{}\"", s.as_wfn()),
        }
    }
}

/// A WFN value string (NISTIR 7695 §5.3.2): printable ASCII; letters, digits and `_` unquoted;
/// every other character quoted with `\`; unquoted `?` (any one character) and `*` (any
/// sequence) only at the beginning or end — a run of `?` or a single `*` at each end.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AvString(String);

/// One logical character of a value string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// A character, quoted or not; its meaning is literal.
    Lit(u8),
    /// Unquoted `*`.
    Star,
    /// Unquoted `?`.
    Question,
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Printable, non-space ASCII that is not a letter, digit or `_`: what WFN quotes.
pub(crate) fn is_quotable(b: u8) -> bool {
    (0x21..=0x7e).contains(&b) && !is_unreserved(b)
}

/// The first character of `s` at byte `i`, for error messages.
pub(crate) fn char_at(s: &str, i: usize) -> char {
    s.get(i..)
        .and_then(|r| r.chars().next())
        .unwrap_or(char::REPLACEMENT_CHARACTER)
}

impl AvString {
    /// Validates a value string in WFN form. Error offsets are relative to `s`.
    pub fn new(s: &str) -> Result<Self, CpeError> {
        let units = tokenize(s)?;
        check_wildcards(&units, s)?;
        Ok(Self(s.to_owned()))
    }

    /// Quotes `s` so that every character is literal.
    pub fn literal(s: &str) -> Result<Self, CpeError> {
        if s.is_empty() {
            return Err(CpeError::new(None, Some(0), CpeErrorKind::Empty));
        }
        let mut out = String::with_capacity(s.len() + 4);
        for (i, b) in s.bytes().enumerate() {
            if is_unreserved(b) {
                out.push(char::from(b));
            } else if is_quotable(b) {
                out.push('\\');
                out.push(char::from(b));
            } else {
                return Err(CpeError::new(
                    None,
                    Some(i),
                    CpeErrorKind::InvalidChar(char_at(s, i)),
                ));
            }
        }
        Ok(Self(out))
    }

    /// The WFN form, quoting included.
    pub fn as_wfn(&self) -> &str {
        &self.0
    }

    /// The value with quoting removed; wildcards shown as `*` and `?`. Lossy: for display.
    pub fn unquoted(&self) -> String {
        self.units()
            .map(|u| match u {
                Unit::Lit(b) => char::from(b),
                Unit::Star => '*',
                Unit::Question => '?',
            })
            .collect()
    }

    /// True if the value holds an unquoted `*` or `?`.
    pub fn has_wildcards(&self) -> bool {
        self.units().any(|u| !matches!(u, Unit::Lit(_)))
    }

    /// Logical characters; the string was validated, so quoting is well-formed.
    pub(crate) fn units(&self) -> impl Iterator<Item = Unit> + '_ {
        let mut bytes = self.0.bytes();
        std::iter::from_fn(move || {
            let b = bytes.next()?;
            Some(match b {
                b'\\' => Unit::Lit(bytes.next().unwrap_or(b'\\')),
                b'*' => Unit::Star,
                b'?' => Unit::Question,
                _ => Unit::Lit(b),
            })
        })
    }
}

impl fmt::Display for AvString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Splits WFN form into units, rejecting what the grammar of NISTIR 7695 §5.3.2 forbids
/// outside wildcard placement.
fn tokenize(s: &str) -> Result<Vec<(usize, Unit)>, CpeError> {
    use CpeErrorKind as K;
    let e = |i: usize, k: K| Err(CpeError::new(None, Some(i), k));
    if s.is_empty() {
        return e(0, K::Empty);
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\\' => {
                let Some(&q) = b.get(i + 1) else {
                    return e(i, K::TrailingEscape);
                };
                if is_unreserved(q) {
                    return e(i, K::NeedlessQuote(char::from(q)));
                }
                if !is_quotable(q) {
                    return e(i + 1, K::InvalidChar(char_at(s, i + 1)));
                }
                out.push((i, Unit::Lit(q)));
                i += 2;
            }
            b'*' => {
                out.push((i, Unit::Star));
                i += 1;
            }
            b'?' => {
                out.push((i, Unit::Question));
                i += 1;
            }
            _ if is_unreserved(c) => {
                out.push((i, Unit::Lit(c)));
                i += 1;
            }
            _ if is_quotable(c) => return e(i, K::UnquotedPunctuation(char::from(c))),
            _ => return e(i, K::InvalidChar(char_at(s, i))),
        }
    }
    Ok(out)
}

/// Wildcards: a single `*` or a run of `?` at the beginning, the same at the end, none in
/// between (NISTIR 7695 §5.3.2, `avstring` grammar). A value of only `*` is ANY.
pub(crate) fn check_wildcards(units: &[(usize, Unit)], s: &str) -> Result<(), CpeError> {
    let n = units.len();
    let lead = match units.first() {
        Some((_, Unit::Star)) => 1,
        _ => units
            .iter()
            .take_while(|(_, u)| *u == Unit::Question)
            .count(),
    };
    let trail = if lead == n {
        0
    } else {
        match units.last() {
            Some((_, Unit::Star)) => 1,
            _ => units
                .iter()
                .rev()
                .take_while(|(_, u)| *u == Unit::Question)
                .count(),
        }
    };
    for &(i, u) in &units[lead..n - trail] {
        if !matches!(u, Unit::Lit(_)) {
            let c = char_at(s, i);
            return Err(CpeError::new(
                None,
                Some(i),
                CpeErrorKind::EmbeddedWildcard(c),
            ));
        }
    }
    if units.iter().all(|(_, u)| *u == Unit::Star) {
        return Err(CpeError::new(None, Some(0), CpeErrorKind::OnlyWildcards));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn wildcard_placement() {
        for ok in [
            "8\\.*",
            "*abc",
            "??abc?",
            "sp?",
            "?",
            "???",
            "?*",
            "foo\\\\bar",
            "big\\$money",
        ] {
            AvString::new(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        for (bad, kind) in [
            ("8\\.*\\.1", CpeErrorKind::EmbeddedWildcard('*')),
            ("*?abc", CpeErrorKind::EmbeddedWildcard('?')),
            ("a?b", CpeErrorKind::EmbeddedWildcard('?')),
            ("8.0", CpeErrorKind::UnquotedPunctuation('.')),
            ("\\a", CpeErrorKind::NeedlessQuote('a')),
            ("ab\\", CpeErrorKind::TrailingEscape),
            ("*", CpeErrorKind::OnlyWildcards),
            ("a b", CpeErrorKind::InvalidChar(' ')),
            ("é", CpeErrorKind::InvalidChar('é')),
            ("", CpeErrorKind::Empty),
        ] {
            assert_eq!(AvString::new(bad).unwrap_err().kind, kind, "{bad}");
        }
    }

    #[test]
    fn literal_quotes_everything() {
        assert_eq!(
            AvString::literal("8.0*?_x").unwrap().as_wfn(),
            "8\\.0\\*\\?_x"
        );
        assert!(!AvString::literal("8.*").unwrap().has_wildcards());
        assert!(AvString::new("8\\.*").unwrap().has_wildcards());
    }
}
