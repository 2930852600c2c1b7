//! NuGet package versions.
//!
//! Rules from the NuGet documentation "Package versioning" (learn.microsoft.com,
//! `nuget/concepts/package-versioning`) and the reference implementation's
//! `NuGet.Versioning.VersionComparer`:
//! - `Major.Minor[.Patch[.Revision]]`: one to four numbers; missing ones are 0, so
//!   `1.0` = `1.0.0` = `1.0.0.0` ("Normalized version numbers": leading zeros and a zero
//!   fourth part are dropped).
//! - A pre-release follows `-` (SemVer 2.0.0 identifiers, or a SemVer 1.0.0 label);
//!   labels compare case-insensitively ("Pre-release versions … compared
//!   case-insensitively"), numeric labels numerically and below alphanumeric ones.
//! - Build metadata after `+` is ignored for ordering.

use std::cmp::Ordering;
use std::fmt;

use crate::Scheme;
use crate::error::{ParseError, offset_in};
use crate::num::{all_digits, canonical};
use crate::semver::{Ident, cmp_pre};

#[derive(Debug, Clone)]
pub struct NugetVersion {
    pub numbers: [u64; 4],
    pub pre: Vec<Ident>,
    pub build: Option<String>,
}

impl PartialEq for NugetVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for NugetVersion {}
impl PartialOrd for NugetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for NugetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers
            .cmp(&other.numbers)
            .then_with(|| cmp_pre(&self.pre, &other.pre, true))
    }
}

impl fmt::Display for NugetVersion {
    /// The normalised form: three numbers, the fourth only when not zero.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.numbers;
        write!(f, "{a}.{b}.{c}")?;
        if d != 0 {
            write!(f, ".{d}")?;
        }
        for (i, p) in self.pre.iter().enumerate() {
            f.write_str(if i == 0 { "-" } else { "." })?;
            write!(f, "{p}")?;
        }
        if let Some(b) = &self.build {
            write!(f, "+{b}")?;
        }
        Ok(())
    }
}

pub fn parse(input: &str) -> Result<NugetVersion, ParseError> {
    let scheme = Scheme::Nuget;
    let s = input.trim();
    if s.is_empty() {
        return Err(ParseError::Empty { scheme });
    }
    let err = |part, text: &str, reason| {
        ParseError::invalid(scheme, input, part, text, offset_in(input, text), reason)
    };
    let (rest, build) = match s.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (s, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() > 4 {
        return Err(err(
            "version core",
            core,
            "at most four numbers (Major.Minor.Patch.Revision)",
        ));
    }
    let mut numbers = [0u64; 4];
    for (i, p) in parts.iter().enumerate() {
        if !all_digits(p) {
            return Err(err("version number", p, "expected digits"));
        }
        numbers[i] = canonical(p).parse().map_err(|_| ParseError::TooLarge {
            scheme,
            input: input.to_owned(),
            part: "version number",
            text: (*p).to_owned(),
            limit: "2^64-1",
        })?;
    }
    let pre = match pre {
        None => Vec::new(),
        Some(p) => p
            .split('.')
            .map(|id| {
                if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                    Err(err(
                        "pre-release label",
                        id,
                        "non-empty [0-9A-Za-z-] labels required",
                    ))
                } else if all_digits(id) {
                    if id.len() > 1 && id.starts_with('0') {
                        // SemVer 2.0.0 §9, which NuGet 4.3+ follows for labels.
                        return Err(err(
                            "pre-release label",
                            id,
                            "numeric label with leading zero (SemVer 2.0.0 §9)",
                        ));
                    }
                    Ok(Ident::Numeric(id.to_owned()))
                } else {
                    Ok(Ident::AlphaNumeric(id.to_owned()))
                }
            })
            .collect::<Result<_, _>>()?,
    };
    if let Some(b) = build
        && (b.is_empty()
            || b.split('.').any(|id| {
                id.is_empty() || !id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
            }))
    {
        return Err(err(
            "build metadata",
            b,
            "non-empty [0-9A-Za-z-] identifiers required",
        ));
    }
    Ok(NugetVersion {
        numbers,
        pre,
        build: build.map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn documented_orderings() {
        let p = |s| parse(s).unwrap();
        // "Pre-release versions": 1.0.0-alpha < … < 1.0.0 (the documentation's list).
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.0.1",
            "1.0.1",
        ];
        for w in chain.windows(2) {
            assert!(p(w[0]) < p(w[1]), "{} < {}", w[0], w[1]);
        }
        // Normalisation: leading zeros, a zero revision, case of labels, metadata.
        assert_eq!(p("1.00"), p("1.0.0.0"));
        assert_eq!(p("1.0.0-BETA"), p("1.0.0-beta"));
        assert_eq!(p("1.0.0+abc"), p("1.0.0"));
        assert_eq!(p("01.2.3.0-RC.1").to_string(), "1.2.3-RC.1");
        assert!(parse("1.2.3.4.5").is_err());
        assert!(parse("1.x").is_err());
    }
}
