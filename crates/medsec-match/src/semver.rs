//! Semantic Versioning 2.0.0 and the schemes built on it: npm (node-semver's loose
//! forms), Go modules and crates.io.
//!
//! Rules, each from <https://semver.org/spec/v2.0.0.html> unless marked:
//! - §2: `MAJOR.MINOR.PATCH`, non-negative integers without leading zeros.
//! - §9: a pre-release follows `-`: dot-separated identifiers of `[0-9A-Za-z-]`, none
//!   empty, numeric ones without leading zeros.
//! - §10: build metadata follows `+`: dot-separated non-empty identifiers of
//!   `[0-9A-Za-z-]`; it is ignored when determining precedence.
//! - §11: precedence compares major, minor, patch numerically; a pre-release version has
//!   lower precedence than the normal version; pre-release identifiers are compared left
//!   to right: numeric ones numerically, alphanumeric ones in ASCII order, numeric lower
//!   than alphanumeric, and a larger set of identifiers wins when all before are equal.
//! - npm (node-semver `semver.parse(v, {loose: true})`, `re.js` `LOOSE`): leading `v`,
//!   `=` and whitespace are skipped, numbers may have leading zeros, and the `-` before a
//!   pre-release may be left out (`1.2.3beta`). Precedence is SemVer's.
//! - Go (`golang.org/x/mod/semver`): the `v` prefix (optional here, because OSV's Go
//!   records write versions without it); `vMAJOR` and `vMAJOR.MINOR` are shorthands for
//!   `.0` without pre-release or build; pseudo-versions
//!   (`v0.0.0-20191109021931-daa7c04131f5`) are ordinary pre-releases and need no rule
//!   of their own; `+incompatible` is build metadata.
//! - crates.io: Cargo uses SemVer 2.0.0 exactly (the `semver` crate's grammar).

use std::cmp::Ordering;
use std::fmt;

use crate::Scheme;
use crate::error::{ParseError, offset_in};
use crate::num::{all_digits, canonical, cmp_digits};

/// A pre-release identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ident {
    /// Digits only, kept as text so that numbers of any size compare exactly.
    Numeric(String),
    AlphaNumeric(String),
}

impl Ident {
    /// SemVer §11.4: numeric < alphanumeric; numbers numerically; text in ASCII order.
    /// `fold_case` makes text comparison case-insensitive (NuGet).
    pub(crate) fn cmp_with(&self, other: &Ident, fold_case: bool) -> Ordering {
        match (self, other) {
            (Ident::Numeric(a), Ident::Numeric(b)) => cmp_digits(a, b),
            (Ident::Numeric(_), Ident::AlphaNumeric(_)) => Ordering::Less,
            (Ident::AlphaNumeric(_), Ident::Numeric(_)) => Ordering::Greater,
            (Ident::AlphaNumeric(a), Ident::AlphaNumeric(b)) => {
                if fold_case {
                    a.bytes()
                        .map(|c| c.to_ascii_lowercase())
                        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
                } else {
                    a.cmp(b)
                }
            }
        }
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ident::Numeric(n) => f.write_str(n),
            Ident::AlphaNumeric(s) => f.write_str(s),
        }
    }
}

/// Compares two pre-release lists by SemVer §11 (an empty list is a release and ranks
/// above every pre-release).
pub(crate) fn cmp_pre(a: &[Ident], b: &[Ident], fold_case: bool) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        (false, false) => {}
    }
    for (x, y) in a.iter().zip(b) {
        let c = x.cmp_with(y, fold_case);
        if c != Ordering::Equal {
            return c;
        }
    }
    a.len().cmp(&b.len())
}

/// A SemVer 2.0.0 version (also npm, Go and crates versions once parsed).
#[derive(Debug, Clone)]
pub struct SemVer {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: Vec<Ident>,
    /// Kept for display; never used for ordering (§10).
    pub build: Vec<String>,
    /// Go versions display with their `v`.
    go: bool,
}

impl PartialEq for SemVer {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for SemVer {}
impl PartialOrd for SemVer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for SemVer {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| cmp_pre(&self.pre, &other.pre, false))
    }
}

impl fmt::Display for SemVer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.go {
            f.write_str("v")?;
        }
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        for (i, p) in self.pre.iter().enumerate() {
            f.write_str(if i == 0 { "-" } else { "." })?;
            write!(f, "{p}")?;
        }
        for (i, b) in self.build.iter().enumerate() {
            f.write_str(if i == 0 { "+" } else { "." })?;
            f.write_str(b)?;
        }
        Ok(())
    }
}

fn ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

struct Ctx<'a> {
    scheme: Scheme,
    input: &'a str,
}

impl Ctx<'_> {
    fn err(&self, part: &'static str, text: &str, reason: &'static str) -> ParseError {
        ParseError::invalid(
            self.scheme,
            self.input,
            part,
            text,
            offset_in(self.input, text),
            reason,
        )
    }

    /// A core number: digits; leading zeros refused unless `loose`.
    fn number(&self, part: &'static str, text: &str, loose: bool) -> Result<u64, ParseError> {
        if !all_digits(text) {
            return Err(self.err(part, text, "expected digits"));
        }
        if !loose && text.len() > 1 && text.starts_with('0') {
            return Err(self.err(part, text, "leading zero (SemVer §2)"));
        }
        let digits = canonical(text);
        digits.parse::<u64>().map_err(|_| ParseError::TooLarge {
            scheme: self.scheme,
            input: self.input.to_owned(),
            part,
            text: text.to_owned(),
            limit: "2^64-1",
        })
    }

    fn pre(&self, text: &str, loose: bool) -> Result<Vec<Ident>, ParseError> {
        text.split('.')
            .map(|id| {
                if id.is_empty() {
                    return Err(self.err(
                        "pre-release identifier",
                        id,
                        "empty identifier (SemVer §9)",
                    ));
                }
                if !id.bytes().all(ident_char) {
                    return Err(self.err(
                        "pre-release identifier",
                        id,
                        "only [0-9A-Za-z-] allowed (SemVer §9)",
                    ));
                }
                if all_digits(id) {
                    if !loose && id.len() > 1 && id.starts_with('0') {
                        return Err(self.err(
                            "pre-release identifier",
                            id,
                            "numeric identifier with leading zero (SemVer §9)",
                        ));
                    }
                    Ok(Ident::Numeric(canonical(id).to_owned()))
                } else {
                    Ok(Ident::AlphaNumeric(id.to_owned()))
                }
            })
            .collect()
    }

    fn build(&self, text: &str) -> Result<Vec<String>, ParseError> {
        text.split('.')
            .map(|id| {
                if id.is_empty() || !id.bytes().all(ident_char) {
                    Err(self.err(
                        "build identifier",
                        id,
                        "non-empty [0-9A-Za-z-] identifiers required (SemVer §10)",
                    ))
                } else {
                    Ok(id.to_owned())
                }
            })
            .collect()
    }
}

/// Splits `core[-pre][+build]`; the first `+` ends the pre-release, the first `-`
/// before it starts it.
fn split_parts(s: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, build) = match s.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (s, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    (core, pre, build)
}

/// SemVer 2.0.0, strict (schemes `semver` and `cargo`).
pub fn parse_strict(input: &str, scheme: Scheme) -> Result<SemVer, ParseError> {
    if input.is_empty() {
        return Err(ParseError::Empty { scheme });
    }
    let ctx = Ctx { scheme, input };
    let (core, pre, build) = split_parts(input);
    let nums: Vec<&str> = core.split('.').collect();
    if nums.len() != 3 {
        return Err(ctx.err(
            "version core",
            core,
            "expected MAJOR.MINOR.PATCH (SemVer §2)",
        ));
    }
    Ok(SemVer {
        major: ctx.number("major", nums[0], false)?,
        minor: ctx.number("minor", nums[1], false)?,
        patch: ctx.number("patch", nums[2], false)?,
        pre: match pre {
            Some(p) => ctx.pre(p, false)?,
            None => Vec::new(),
        },
        build: match build {
            Some(b) => ctx.build(b)?,
            None => Vec::new(),
        },
        go: false,
    })
}

/// npm: node-semver's loose grammar (see the module docs).
pub fn parse_npm(input: &str) -> Result<SemVer, ParseError> {
    let scheme = Scheme::Npm;
    let ctx = Ctx { scheme, input };
    // node-semver LOOSE: `^[v=\s]*` before the version, whitespace after it.
    let s = input
        .trim_start_matches(|c: char| c == 'v' || c == '=' || c.is_whitespace())
        .trim_end();
    if s.is_empty() {
        return Err(ParseError::Empty { scheme });
    }
    let (rest, build) = match s.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (s, None),
    };
    // The core is the leading run of digits and dots; in loose mode a pre-release may
    // follow without its `-` (`1.2.3beta`).
    let core_end = rest
        .bytes()
        .position(|b| !(b.is_ascii_digit() || b == b'.'))
        .unwrap_or(rest.len());
    let (core, tail) = rest.split_at(core_end);
    let core = if tail.is_empty() || tail.starts_with('-') {
        core
    } else if let Some(c) = core.strip_suffix('.') {
        // `1.2.3.beta` is not a loose form: the dot belongs to neither part.
        return Err(ctx.err(
            "pre-release",
            &rest[c.len()..],
            "a pre-release starts with '-' (or directly after the patch number)",
        ));
    } else {
        core
    };
    let pre = tail.strip_prefix('-').unwrap_or(tail);
    let nums: Vec<&str> = core.split('.').collect();
    if nums.len() != 3 {
        return Err(ctx.err(
            "version core",
            core,
            "expected MAJOR.MINOR.PATCH (node-semver)",
        ));
    }
    Ok(SemVer {
        major: ctx.number("major", nums[0], true)?,
        minor: ctx.number("minor", nums[1], true)?,
        patch: ctx.number("patch", nums[2], true)?,
        pre: if pre.is_empty() && !tail.starts_with('-') {
            Vec::new()
        } else {
            ctx.pre(pre, true)?
        },
        build: match build {
            Some(b) => ctx.build(b)?,
            None => Vec::new(),
        },
        go: false,
    })
}

/// Go modules: `golang.org/x/mod/semver` with the `v` prefix optional.
pub fn parse_go(input: &str) -> Result<SemVer, ParseError> {
    let scheme = Scheme::Golang;
    let ctx = Ctx { scheme, input };
    let s = input.strip_prefix('v').unwrap_or(input);
    if s.is_empty() {
        return Err(ParseError::Empty { scheme });
    }
    let (core, pre, build) = split_parts(s);
    let nums: Vec<&str> = core.split('.').collect();
    if nums.len() > 3 || (nums.len() < 3 && (pre.is_some() || build.is_some())) {
        return Err(ctx.err(
            "version core",
            core,
            "expected vMAJOR.MINOR.PATCH, or the shorthands vMAJOR and vMAJOR.MINOR without pre-release or build",
        ));
    }
    let get = |i: usize, part| match nums.get(i) {
        Some(t) => ctx.number(part, t, false),
        None => Ok(0),
    };
    Ok(SemVer {
        major: get(0, "major")?,
        minor: get(1, "minor")?,
        patch: get(2, "patch")?,
        pre: match pre {
            Some(p) => ctx.pre(p, false)?,
            None => Vec::new(),
        },
        build: match build {
            Some(b) => ctx.build(b)?,
            None => Vec::new(),
        },
        go: true,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn sv(s: &str) -> SemVer {
        parse_strict(s, Scheme::Semver).unwrap()
    }

    /// SemVer 2.0.0 §11's own examples, in ascending order.
    #[test]
    fn semver_spec_precedence_examples() {
        let chains: [&[&str]; 2] = [
            &["1.0.0", "2.0.0", "2.1.0", "2.1.1"],
            &[
                "1.0.0-alpha",
                "1.0.0-alpha.1",
                "1.0.0-alpha.beta",
                "1.0.0-beta",
                "1.0.0-beta.2",
                "1.0.0-beta.11",
                "1.0.0-rc.1",
                "1.0.0",
            ],
        ];
        for chain in chains {
            for w in chain.windows(2) {
                assert!(sv(w[0]) < sv(w[1]), "{} < {}", w[0], w[1]);
            }
        }
        // §10: build metadata is ignored; §9 examples parse.
        assert_eq!(sv("1.0.0-alpha+001"), sv("1.0.0-alpha"));
        assert_eq!(sv("1.0.0+20130313144700"), sv("1.0.0+exp.sha.5114f85"));
        for ok in [
            "1.0.0-0.3.7",
            "1.0.0-x.7.z.92",
            "1.0.0-x-y-z.--",
            "1.0.0-beta+exp.sha.5114f85",
        ] {
            sv(ok);
        }
    }

    #[test]
    fn semver_rejects_with_the_offending_part() {
        let e = parse_strict("01.2.3", Scheme::Semver).unwrap_err();
        assert!(
            matches!(e, ParseError::Invalid { part: "major", .. }),
            "{e}"
        );
        let e = parse_strict("1.2.3-01", Scheme::Semver).unwrap_err();
        assert!(
            matches!(e, ParseError::Invalid { part: "pre-release identifier", ref text, .. } if text == "01"),
            "{e}"
        );
        for bad in [
            "1.2",
            "1.2.3-",
            "1.2.3+",
            "1.2.3-a..b",
            "v1.2.3",
            "1.2.3-a_b",
            "",
        ] {
            assert!(parse_strict(bad, Scheme::Semver).is_err(), "{bad}");
        }
    }

    #[test]
    fn npm_loose_forms() {
        let n = |s| parse_npm(s).unwrap();
        assert_eq!(n("v1.2.3"), n("1.2.3"));
        assert_eq!(n("=v1.2.3 "), n("1.2.3"));
        assert_eq!(n("1.2.3beta"), n("1.2.3-beta"));
        assert_eq!(n("01.02.03"), n("1.2.3"));
        assert!(n("1.2.3-beta.2") < n("1.2.3-beta.11"));
        assert_eq!(n("v1.2.3-beta.2+b").to_string(), "1.2.3-beta.2+b");
        assert!(parse_npm("1.2").is_err());
        assert!(parse_npm("1.2.3.4").is_err());
    }

    #[test]
    fn go_versions() {
        let g = |s| parse_go(s).unwrap();
        assert_eq!(g("v1"), g("v1.0.0"));
        assert_eq!(g("v1.2"), g("1.2.0"));
        // A pseudo-version sorts before the release it precedes, after the base.
        assert!(g("v0.0.0-20191109021931-daa7c04131f5") < g("v0.0.1"));
        assert!(g("v1.2.4-0.20191109021931-daa7c04131f5") > g("v1.2.3"));
        assert!(g("v1.2.4-0.20191109021931-daa7c04131f5") < g("v1.2.4"));
        assert_eq!(g("v2.0.0+incompatible"), g("v2.0.0"));
        assert_eq!(g("1.16.5").to_string(), "v1.16.5");
        assert!(parse_go("v1.2-pre").is_err());
        assert!(parse_go("v1.02.0").is_err());
    }
}
