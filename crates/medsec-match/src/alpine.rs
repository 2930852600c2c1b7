//! Alpine Linux package versions (apk).
//!
//! Grammar, from apk-tools `src/version.c` ("Alpine version:
//! digit{.digit}...{letter}{_suf{#}}...{-r#}") and the Alpine package format docs
//! (APKBUILD reference, `pkgver` and `pkgrel`):
//! - numbers separated by `.`; one optional lower-case letter; any number of suffixes
//!   `_alpha`, `_beta`, `_pre`, `_rc` (pre-releases) or `_cvs`, `_svn`, `_git`, `_hg`,
//!   `_p` (post-releases), each with an optional number; an optional `-rN` package
//!   release. (apk-tools 2.12 adds a `~hash` commit part; it is refused here with that
//!   reason, since nothing in the advisory sources writes it.)
//!
//! Order: apk derives its comparison from Gentoo's, which the Package Manager
//! Specification §3.3 "Version comparison" states exactly, and that is what is
//! implemented:
//! - the first numbers compare as integers; later numbers compare as integers unless
//!   either starts with `0`, when they compare as strings with trailing zeros removed
//!   (so `1.01 < 1.1` and `1.1 < 1.10`); more numbers win when all shared ones agree;
//! - then the letters (none is lowest);
//! - then the suffixes pairwise by kind `alpha < beta < pre < rc < (none) < cvs < svn
//!   < git < hg < p` and then by number (missing is 0); when one version has more
//!   suffixes, the next one decides: a post-release suffix makes its version newer, a
//!   pre-release one older;
//! - then the revisions numerically (missing is `-r0`).

use std::cmp::Ordering;
use std::fmt;

use crate::Scheme;
use crate::error::{ParseError, offset_in};
use crate::num::{all_digits, cmp_digits};

/// Suffix kinds, in order; `None` (no suffix) sits between `Rc` and `Cvs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Suffix {
    Alpha,
    Beta,
    Pre,
    Rc,
    Cvs,
    Svn,
    Git,
    Hg,
    P,
}

impl Suffix {
    const ALL: [(&'static str, Suffix); 9] = [
        ("alpha", Suffix::Alpha),
        ("beta", Suffix::Beta),
        ("pre", Suffix::Pre),
        ("rc", Suffix::Rc),
        ("cvs", Suffix::Cvs),
        ("svn", Suffix::Svn),
        ("git", Suffix::Git),
        ("hg", Suffix::Hg),
        ("p", Suffix::P),
    ];

    fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, s)| *s == self)
            .map_or("", |(n, _)| n)
    }

    fn is_pre(self) -> bool {
        self <= Suffix::Rc
    }
}

#[derive(Debug, Clone)]
pub struct ApkVersion {
    pub numbers: Vec<String>,
    pub letter: Option<u8>,
    pub suffixes: Vec<(Suffix, String)>,
    pub revision: Option<String>,
}

fn cmp_later_number(a: &str, b: &str) -> Ordering {
    if a.starts_with('0') || b.starts_with('0') {
        a.trim_end_matches('0').cmp(b.trim_end_matches('0'))
    } else {
        cmp_digits(a, b)
    }
}

impl Ord for ApkVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (&self.numbers, &other.numbers);
        let mut c = cmp_digits(&a[0], &b[0]);
        for (x, y) in a.iter().zip(b.iter()).skip(1) {
            if c != Ordering::Equal {
                break;
            }
            c = cmp_later_number(x, y);
        }
        c.then_with(|| a.len().cmp(&b.len()))
            .then_with(|| self.letter.cmp(&other.letter))
            .then_with(|| {
                for (x, y) in self.suffixes.iter().zip(&other.suffixes) {
                    let c = x.0.cmp(&y.0).then_with(|| cmp_digits(&x.1, &y.1));
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                let n = self.suffixes.len().min(other.suffixes.len());
                match (self.suffixes.get(n), other.suffixes.get(n)) {
                    (Some((s, _)), None) => {
                        if s.is_pre() {
                            Ordering::Less
                        } else {
                            Ordering::Greater
                        }
                    }
                    (None, Some((s, _))) => {
                        if s.is_pre() {
                            Ordering::Greater
                        } else {
                            Ordering::Less
                        }
                    }
                    _ => Ordering::Equal,
                }
            })
            .then_with(|| {
                cmp_digits(
                    self.revision.as_deref().unwrap_or("0"),
                    other.revision.as_deref().unwrap_or("0"),
                )
            })
    }
}
impl PartialOrd for ApkVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for ApkVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for ApkVersion {}

impl fmt::Display for ApkVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.numbers.join("."))?;
        if let Some(l) = self.letter {
            write!(f, "{}", char::from(l))?;
        }
        for (s, n) in &self.suffixes {
            write!(f, "_{}{n}", s.name())?;
        }
        if let Some(r) = &self.revision {
            write!(f, "-r{r}")?;
        }
        Ok(())
    }
}

pub fn parse(input: &str) -> Result<ApkVersion, ParseError> {
    let scheme = Scheme::Alpine;
    let s = input.trim();
    if s.is_empty() {
        return Err(ParseError::Empty { scheme });
    }
    let err = |part, text: &str, reason| {
        ParseError::invalid(scheme, input, part, text, offset_in(input, text), reason)
    };
    if let Some(i) = s.find('~') {
        return Err(err(
            "commit hash",
            &s[i..],
            "the apk-tools 2.12 `~hash` part is not supported",
        ));
    }
    let (main, revision) = match s.rsplit_once("-r") {
        Some((m, r)) => {
            if !all_digits(r) {
                return Err(err("revision", r, "-r must be followed by digits"));
            }
            (m, Some(r.to_owned()))
        }
        None => (s, None),
    };
    let mut parts = main.split('_');
    let head = parts.next().unwrap_or("");
    let (nums, letter) = match head.as_bytes().last() {
        Some(l) if l.is_ascii_lowercase() => (&head[..head.len() - 1], Some(*l)),
        _ => (head, None),
    };
    let mut numbers = Vec::new();
    for n in nums.split('.') {
        if !all_digits(n) {
            return Err(err(
                "number",
                n,
                "expected digits separated by '.' (then one optional lower-case letter)",
            ));
        }
        numbers.push(n.to_owned());
    }
    let mut suffixes = Vec::new();
    for part in parts {
        let name_len = part.bytes().take_while(u8::is_ascii_lowercase).count();
        let (name, num) = part.split_at(name_len);
        let Some((_, kind)) = Suffix::ALL.iter().find(|(n, _)| *n == name) else {
            return Err(err(
                "suffix",
                part,
                "expected _alpha, _beta, _pre, _rc, _cvs, _svn, _git, _hg or _p",
            ));
        };
        if !num.is_empty() && !all_digits(num) {
            return Err(err("suffix number", num, "expected digits"));
        }
        suffixes.push((*kind, num.to_owned()));
    }
    Ok(ApkVersion {
        numbers,
        letter,
        suffixes,
        revision,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn a(s: &str) -> ApkVersion {
        parse(s).unwrap()
    }

    /// Cases in the style of apk-tools' test/version.data (`a < b` lines) and PMS §3.3.
    #[test]
    fn apk_orderings() {
        for (x, y) in [
            ("1.0", "1.0.1"),
            ("1.0_alpha", "1.0"),
            ("1.0_alpha1", "1.0_alpha2"),
            ("1.0_alpha9", "1.0_beta1"),
            ("1.0_beta", "1.0_pre"),
            ("1.0_pre", "1.0_rc"),
            ("1.0_rc99", "1.0"),
            ("1.0", "1.0_cvs"),
            ("1.0_cvs", "1.0_svn"),
            ("1.0_svn", "1.0_git"),
            ("1.0_git", "1.0_hg"),
            ("1.0_hg", "1.0_p"),
            ("1.0_p1", "1.0_p2"),
            ("1.0", "1.0a"),
            ("1.0a", "1.0b"),
            ("1.0z", "1.0.1"),
            ("1.0", "1.0-r1"),
            ("1.0-r1", "1.0-r10"),
            ("1.0_rc1-r5", "1.0"),
            ("1.01", "1.1"),
            ("1.1", "1.10"),
            ("1.0_alpha_p1", "1.0_alpha1"),
            ("1.0_p1_alpha", "1.0_p1"),
            ("2.9", "10"),
            ("0.9.12", "0.10"),
        ] {
            assert!(a(x) < a(y), "{x} < {y}");
        }
        assert_eq!(a("1.0-r0"), a("1.0"));
        assert_eq!(a("1.0_p"), a("1.0_p0"));
        assert_eq!(a("1.2.3_rc1-r2").to_string(), "1.2.3_rc1-r2");
        for bad in ["", "a1.0", "1.0_foo", "1.0-r", "1.0~abc", "1..0", "1.0AB"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
