//! RPM package versions: `[epoch:]version[-release]`, compared by `rpmvercmp`.
//!
//! Rules from rpm's `rpmio/rpmvercmp.c` and the RPM documentation
//! ("Dependencies: Versioning", the `~` and `^` operators of rpm 4.10 / 4.15):
//! - epoch: an unsigned integer before `:`; absent means 0; compared numerically first.
//! - version, then release, each compared by `rpmvercmp`: separators (anything not
//!   alphanumeric, `~` or `^`) only split; runs of digits compare numerically (leading
//!   zeros ignored) and runs of letters in ASCII order; a numeric run is newer than an
//!   alphabetic one; `~` sorts before everything, even the end (`1.0~rc1 < 1.0`); `^`
//!   sorts after the end but before anything else (`1.0 < 1.0^git1 < 1.0.1`); when all
//!   runs agree, the version with characters left over is newer.
//! - A missing release compares as an empty one, which is older than any release. (rpm
//!   itself skips the release when one side has none, for dependency matching; that is
//!   not an order, and an order is what range evaluation needs.)

use std::cmp::Ordering;
use std::fmt;

use crate::Scheme;
use crate::error::{ParseError, offset_in};
use crate::num::cmp_digits;

#[derive(Debug, Clone)]
pub struct RpmVersion {
    pub epoch: Option<String>,
    pub version: String,
    pub release: Option<String>,
}

/// `rpmvercmp`.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0usize, 0usize);
    let sep = |c: u8| !(c.is_ascii_alphanumeric() || c == b'~' || c == b'^');
    while i < a.len() || j < b.len() {
        while i < a.len() && sep(a[i]) {
            i += 1;
        }
        while j < b.len() && sep(b[j]) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(x), Some(_)) = (ca, cb) else {
            break;
        };
        let (si, sj) = (i, j);
        let numeric = x.is_ascii_digit();
        let class = |c: u8| {
            if numeric {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        while i < a.len() && class(a[i]) {
            i += 1;
        }
        while j < b.len() && class(b[j]) {
            j += 1;
        }
        // `b` has a run of the other type here: numeric is newer than alphabetic.
        if j == sj {
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let (ra, rb) = (&a[si..i], &b[sj..j]);
        let c = if numeric {
            cmp_digits(
                std::str::from_utf8(ra).unwrap_or(""),
                std::str::from_utf8(rb).unwrap_or(""),
            )
        } else {
            ra.cmp(rb)
        };
        if c != Ordering::Equal {
            return c;
        }
    }
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (false, _) => Ordering::Greater,
        (true, false) => Ordering::Less,
    }
}

impl PartialEq for RpmVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for RpmVersion {}
impl PartialOrd for RpmVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for RpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(
            self.epoch.as_deref().unwrap_or("0"),
            other.epoch.as_deref().unwrap_or("0"),
        )
        .then_with(|| rpmvercmp(&self.version, &other.version))
        .then_with(|| {
            rpmvercmp(
                self.release.as_deref().unwrap_or(""),
                other.release.as_deref().unwrap_or(""),
            )
        })
    }
}

impl fmt::Display for RpmVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(e) = &self.epoch {
            write!(f, "{e}:")?;
        }
        f.write_str(&self.version)?;
        if let Some(r) = &self.release {
            write!(f, "-{r}")?;
        }
        Ok(())
    }
}

pub fn parse(input: &str) -> Result<RpmVersion, ParseError> {
    let scheme = Scheme::Rpm;
    let s = input.trim();
    if s.is_empty() {
        return Err(ParseError::Empty { scheme });
    }
    let err = |part, text: &str, reason| {
        ParseError::invalid(scheme, input, part, text, offset_in(input, text), reason)
    };
    if let Some((i, c)) = s
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || c.is_control())
    {
        return Err(err(
            "character",
            &s[i..i + c.len_utf8()],
            "whitespace or control character inside a version",
        ));
    }
    let (epoch, rest) = match s.split_once(':') {
        Some((e, r)) => {
            if e.is_empty() || !e.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err("epoch", e, "the epoch is an unsigned integer"));
            }
            (Some(e.to_owned()), r)
        }
        None => (None, s),
    };
    let (version, release) = match rest.rsplit_once('-') {
        Some((v, r)) => {
            if r.is_empty() {
                return Err(err("release", r, "empty release after '-'"));
            }
            (v, Some(r.to_owned()))
        }
        None => (rest, None),
    };
    if version.is_empty() {
        return Err(err("version", version, "empty version"));
    }
    if let Some(c) = version.find([':', '-']) {
        return Err(err(
            "version",
            &version[c..c + 1],
            "':' and '-' are not allowed in an RPM version",
        ));
    }
    Ok(RpmVersion {
        epoch,
        version: version.to_owned(),
        release,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use Ordering::{Equal as E, Greater as G, Less as L};

    /// rpm's own test table, tests/rpmvercmp.at (RPMVERCMP(a, b, result)).
    #[test]
    fn rpmvercmp_at_cases() {
        let cases: &[(&str, &str, Ordering)] = &[
            ("1.0", "1.0", E),
            ("1.0", "2.0", L),
            ("2.0", "1.0", G),
            ("2.0.1", "2.0.1", E),
            ("2.0", "2.0.1", L),
            ("2.0.1", "2.0", G),
            ("2.0.1a", "2.0.1a", E),
            ("2.0.1a", "2.0.1", G),
            ("2.0.1", "2.0.1a", L),
            ("5.5p1", "5.5p1", E),
            ("5.5p1", "5.5p2", L),
            ("5.5p2", "5.5p1", G),
            ("5.5p10", "5.5p10", E),
            ("5.5p1", "5.5p10", L),
            ("5.5p10", "5.5p1", G),
            ("10xyz", "10.1xyz", L),
            ("10.1xyz", "10xyz", G),
            ("xyz10", "xyz10", E),
            ("xyz10", "xyz10.1", L),
            ("xyz10.1", "xyz10", G),
            ("xyz.4", "xyz.4", E),
            ("xyz.4", "8", L),
            ("8", "xyz.4", G),
            ("xyz.4", "2", L),
            ("2", "xyz.4", G),
            ("5.5p2", "5.6p1", L),
            ("5.6p1", "5.5p2", G),
            ("5.6p1", "6.5p1", L),
            ("6.5p1", "5.6p1", G),
            ("6.0.rc1", "6.0", G),
            ("6.0", "6.0.rc1", L),
            ("10b2", "10a1", G),
            ("10a2", "10b2", L),
            ("1.0aa", "1.0aa", E),
            ("1.0a", "1.0aa", L),
            ("1.0aa", "1.0a", G),
            ("10.0001", "10.0001", E),
            ("10.0001", "10.1", E),
            ("10.1", "10.0001", E),
            ("10.0001", "10.0039", L),
            ("10.0039", "10.0001", G),
            ("4.999.9", "5.0", L),
            ("5.0", "4.999.9", G),
            ("20101121", "20101121", E),
            ("20101121", "20101122", L),
            ("20101122", "20101121", G),
            ("2_0", "2_0", E),
            ("2.0", "2_0", E),
            ("2_0", "2.0", E),
            ("a", "a", E),
            ("a+", "a+", E),
            ("a+", "a_", E),
            ("a_", "a+", E),
            ("+a", "+a", E),
            ("+a", "_a", E),
            ("_a", "+a", E),
            ("+_", "+_", E),
            ("_+", "+_", E),
            ("_+", "_+", E),
            ("+", "_", E),
            ("_", "+", E),
            ("1.0~rc1", "1.0~rc1", E),
            ("1.0~rc1", "1.0", L),
            ("1.0", "1.0~rc1", G),
            ("1.0~rc1", "1.0~rc2", L),
            ("1.0~rc2", "1.0~rc1", G),
            ("1.0~rc1~git123", "1.0~rc1~git123", E),
            ("1.0~rc1~git123", "1.0~rc1", L),
            ("1.0~rc1", "1.0~rc1~git123", G),
            ("1.0^", "1.0^", E),
            ("1.0^", "1.0", G),
            ("1.0", "1.0^", L),
            ("1.0^git1", "1.0^git1", E),
            ("1.0^git1", "1.0", G),
            ("1.0", "1.0^git1", L),
            ("1.0^git1", "1.0^git2", L),
            ("1.0^git2", "1.0^git1", G),
            ("1.0^git1", "1.01", L),
            ("1.01", "1.0^git1", G),
            ("1.0^20160101", "1.0^20160101", E),
            ("1.0^20160101", "1.0.1", L),
            ("1.0.1", "1.0^20160101", G),
            ("1.0^20160101^git1", "1.0^20160101^git1", E),
            ("1.0^20160102", "1.0^20160101^git1", G),
            ("1.0^20160101^git1", "1.0^20160102", L),
            ("1.0~rc1^git1", "1.0~rc1^git1", E),
            ("1.0~rc1^git1", "1.0~rc1", G),
            ("1.0~rc1", "1.0~rc1^git1", L),
            ("1.0^git1~pre", "1.0^git1~pre", E),
            ("1.0^git1", "1.0^git1~pre", G),
            ("1.0^git1~pre", "1.0^git1", L),
        ];
        for (a, b, want) in cases {
            assert_eq!(rpmvercmp(a, b), *want, "rpmvercmp({a}, {b})");
        }
    }

    #[test]
    fn evr() {
        let r = |s| parse(s).unwrap();
        assert!(r("1:1.0-1") > r("2.0-1"));
        assert_eq!(r("0:1.0-1"), r("1.0-1"));
        assert!(r("1.0-1.el8") < r("1.0-2.el8"));
        assert!(r("1.0") < r("1.0-1"));
        assert_eq!(r("1:2.3-4.fc30").to_string(), "1:2.3-4.fc30");
        for bad in ["", "x:1.0", "1.0-", "-1", "1 0"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
