//! Debian package versions: `[epoch:]upstream_version[-debian_revision]`.
//!
//! Rules from Debian Policy §5.6.12 "Version" and deb-version(7) (dpkg):
//! - epoch: a single unsigned integer before the first `:`; absent means 0.
//! - debian_revision: after the last `-`, of `[A-Za-z0-9+.~]`; absent means the
//!   version has none, which compares equal to an empty revision (dpkg's `verrevcmp`
//!   treats "" as "0": "absence is equivalent to 0").
//! - upstream_version: `[A-Za-z0-9.+~-]` (`-` only when a revision is present, which the
//!   split at the last `-` ensures; `:` too when an epoch is present, as dpkg splits the
//!   epoch at the first `:`); it "should start with a digit" — dpkg warns and
//!   still compares such versions, so they are accepted here too.
//! - Comparison (Policy §5.6.12, deb-version(7) "Sorting algorithm"): epochs
//!   numerically, then upstream, then revision, each by alternating runs: the longest
//!   initial run of non-digits compared character by character where letters sort
//!   before non-letters and `~` before everything, even the end of the part; then the
//!   longest run of digits compared numerically (an empty run is 0).

use std::cmp::Ordering;
use std::fmt;

use crate::Scheme;
use crate::error::{ParseError, offset_in};
use crate::num::cmp_digits;

#[derive(Debug, Clone)]
pub struct DebVersion {
    pub epoch: Option<String>,
    pub upstream: String,
    pub revision: Option<String>,
}

/// dpkg `order()`: `~` lowest (below the end of the string), then the end / digits,
/// then letters, then everything else.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg `verrevcmp`.
pub(crate) fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        // Non-digit run, character by character.
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ac = order(a.get(i).copied().filter(|c| !c.is_ascii_digit()));
            let bc = order(b.get(j).copied().filter(|c| !c.is_ascii_digit()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            if i < a.len() && !a[i].is_ascii_digit() {
                i += 1;
            }
            if j < b.len() && !b[j].is_ascii_digit() {
                j += 1;
            }
        }
        let si = i;
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        let sj = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        // Both runs are ASCII digits.
        let da = std::str::from_utf8(&a[si..i]).unwrap_or("");
        let db = std::str::from_utf8(&b[sj..j]).unwrap_or("");
        let c = cmp_digits(da, db);
        if c != Ordering::Equal {
            return c;
        }
    }
    Ordering::Equal
}

impl PartialEq for DebVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for DebVersion {}
impl PartialOrd for DebVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for DebVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(
            self.epoch.as_deref().unwrap_or("0"),
            other.epoch.as_deref().unwrap_or("0"),
        )
        .then_with(|| verrevcmp(&self.upstream, &other.upstream))
        .then_with(|| {
            verrevcmp(
                self.revision.as_deref().unwrap_or(""),
                other.revision.as_deref().unwrap_or(""),
            )
        })
    }
}

impl fmt::Display for DebVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(e) = &self.epoch {
            write!(f, "{e}:")?;
        }
        f.write_str(&self.upstream)?;
        if let Some(r) = &self.revision {
            write!(f, "-{r}")?;
        }
        Ok(())
    }
}

pub fn parse(input: &str) -> Result<DebVersion, ParseError> {
    let scheme = Scheme::Debian;
    // dpkg strips leading and trailing spaces and refuses embedded ones.
    let s = input.trim();
    if s.is_empty() {
        return Err(ParseError::Empty { scheme });
    }
    let err = |part, text: &str, reason| {
        ParseError::invalid(scheme, input, part, text, offset_in(input, text), reason)
    };
    let (epoch, rest) = match s.split_once(':') {
        Some((e, r)) => {
            if e.is_empty() || !e.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err("epoch", e, "the epoch is an unsigned integer"));
            }
            // dpkg keeps the epoch in an int and refuses larger ones.
            if e.parse::<i32>().is_err() {
                return Err(ParseError::TooLarge {
                    scheme,
                    input: input.to_owned(),
                    part: "epoch",
                    text: e.to_owned(),
                    limit: "2^31-1 (dpkg)",
                });
            }
            (Some(e.to_owned()), r)
        }
        None => (None, s),
    };
    let (upstream, revision) = match rest.rsplit_once('-') {
        // dpkg accepts an empty revision after a final `-` (`0:0-` = `0:0`).
        Some((u, r)) => {
            if let Some(bad) = r
                .char_indices()
                .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '~')))
            {
                return Err(err(
                    "revision",
                    &r[bad.0..bad.0 + bad.1.len_utf8()],
                    "only [A-Za-z0-9+.~] allowed in a revision",
                ));
            }
            (u, Some(r.to_owned()))
        }
        None => (rest, None),
    };
    if upstream.is_empty() {
        return Err(err("upstream version", upstream, "empty upstream version"));
    }
    // A `:` may appear in the upstream version only when an epoch is given (dpkg
    // splits at the first `:`).
    let colon_ok = epoch.is_some();
    if let Some(bad) = upstream.char_indices().find(|(_, c)| {
        !(c.is_ascii_alphanumeric()
            || matches!(c, '+' | '.' | '~' | '-')
            || (colon_ok && *c == ':'))
    }) {
        return Err(err(
            "upstream version",
            &upstream[bad.0..bad.0 + bad.1.len_utf8()],
            "only [A-Za-z0-9.+~-] allowed in an upstream version",
        ));
    }
    Ok(DebVersion {
        epoch,
        upstream: upstream.to_owned(),
        // An empty revision is kept (not dropped) so that display re-parses to the same
        // split: `1-a-` has upstream `1-a`, whereas `1-a` has upstream `1`.
        revision,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn d(s: &str) -> DebVersion {
        parse(s).unwrap()
    }

    /// deb-version(7) and Policy §5.6.12's own examples, plus dpkg's
    /// lib/dpkg/t/t-version.c comparisons.
    #[test]
    fn dpkg_documented_cases() {
        // "~~ < ~~a < ~ < (empty) < a" from deb-version(7).
        let chain = ["1.0~~", "1.0~~a", "1.0~", "1.0", "1.0a"];
        for w in chain.windows(2) {
            assert!(d(w[0]) < d(w[1]), "{} < {}", w[0], w[1]);
        }
        assert!(d("1.0~rc1-1") < d("1.0-1"));
        assert!(d("1:0.1") > d("2.0"), "epoch wins");
        assert_eq!(d("0:1.0"), d("1.0"));
        assert_eq!(d("1.0-0"), d("1.0"), "absent revision is 0");
        assert_eq!(d("1.0"), d("1.00"));
        assert!(d("1.2-5") < d("1.2-10"));
        assert!(d("1.2.3-1") < d("1.2.3-1+b1"));
        assert!(d("2.30-1") < d("2.30.1-1"));
        assert!(d("1.0-1ubuntu1") > d("1.0-1"));
        assert!(d("1.0-1~bpo1") < d("1.0-1"));
        assert!(d("1.0+dfsg-1") > d("1.0-1"));
        assert!(d("1:2.0-1-2") > d("1:2.0-1"));
        assert_eq!(d("1:2.0-1-2").upstream, "2.0-1");
    }

    /// dpkg's lib/dpkg/t/t-version.c, test_version_compare and test_version_parse.
    #[test]
    fn dpkg_t_version_c() {
        let dv = |e: u32, v: &str, r: &str| DebVersion {
            epoch: Some(e.to_string()),
            upstream: v.into(),
            revision: Some(r.into()),
        };
        assert_eq!(dv(0, "0", "00"), dv(0, "00", "0"));
        assert!(dv(0, "0", "0") < dv(1, "0", "0"));
        assert!(dv(0, "a", "0") < dv(0, "b", "0"));
        assert!(dv(0, "0", "a") < dv(0, "0", "b"));
        for (text, e, v, r) in [
            ("0", 0, "0", ""),
            ("0:0", 0, "0", ""),
            ("0:0-", 0, "0", ""),
            ("0:0-0", 0, "0", "0"),
            ("0:0.0-0.0", 0, "0.0", "0.0"),
            ("1:0", 1, "0", ""),
            ("5:1", 5, "1", ""),
            ("0:0-0-0", 0, "0-0", "0"),
            ("0:0-0-0-0", 0, "0-0-0", "0"),
            ("0:0:0-0", 0, "0:0", "0"),
            ("0:0:0:0-0", 0, "0:0:0", "0"),
            ("0:0:0-0-0", 0, "0:0-0", "0"),
            ("0:0-0:0-0", 0, "0-0:0", "0"),
            ("0:09azAZ.-+~:-0", 0, "09azAZ.-+~:", "0"),
            ("0:0-azAZ09.+~", 0, "0", "azAZ09.+~"),
            ("  \t0:0-1", 0, "0", "1"),
            ("0:0-1\t  ", 0, "0", "1"),
        ] {
            assert_eq!(d(text), dv(e, v, r), "{text:?}");
        }
        for bad in [
            "",
            "  ",
            "0:",
            "0:0 0-1",
            "-1:0-1",
            "999999999999999999999999:0-1",
            "a:0-0",
            "A:0-0",
            "-0",
            "0:-0",
            "0:0-0:0",
            "0:0_-0",
            "0:0-0_",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        // dpkg warns about "0:abc3-0" (upstream not starting with a digit) and still
        // compares it; so does medsec.
        assert!(parse("0:abc3-0").is_ok());
        for bad in ["", "a:1.0", "1.0-a_b", "1.0 2", ":1.0"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
