//! The generic fallback for versions no scheme governs: NVD CPE versions, CSAF and
//! CVE 5 vendor versions (`2023.3_Build_9342`, `V2.1.0 SP3`, `1.0.1f`).
//!
//! No specification defines these versions, so this order is medsec's own, and every
//! comparison says whether it was *certain* or rested on an assumption:
//!
//! 1. The text is split into numeric runs and alphabetic runs (letters lower-cased);
//!    every other character only separates (`1.0-2` = `1.0.2` = `1_0_2`); a leading
//!    `v` before a digit is dropped; zeros directly before a word or the end are
//!    dropped (`1.0` = `1`, `2.0beta` = `2beta`).
//! 2. Runs compare pairwise, left to right. Two numbers compare numerically
//!    (**certain**). Two single letters compare alphabetically (**certain**: the
//!    OpenSSL-style `1.0.1f < 1.0.1g`); two identical words are equal.
//! 3. Everything else is **assumed**, with the rule used named in the result:
//!    - a known pre-release word (`dev`, `alpha`, `beta`… see [`PRE_WORDS`]) ranks below the
//!      end of the version, which ranks below any other word, which ranks below any
//!      number: `1.0beta < 1.0 < 1.0build7 < 1.0.1`;
//!    - two different words compare by pre-release rank, then alphabetically.
//!
//! The order is total and transitive (a lexicographic order over one ranked alphabet),
//! so ranges can be evaluated; the assumption is carried into the evaluation so that a
//! verdict resting on it is reported as such, never as a certain answer.

use std::cmp::Ordering;
use std::fmt;

use crate::Scheme;
use crate::error::{ParseError, offset_in};
use crate::num::{canonical, cmp_digits};

/// Words taken as pre-release markers, lowest first (rank = position).
/// Single letters are not among them: vendors (OpenSSL `1.0.1a`) use them for releases
/// after the bare number.
pub const PRE_WORDS: [&str; 8] = [
    "dev",
    "snapshot",
    "alpha",
    "beta",
    "milestone",
    "pre",
    "preview",
    "rc",
];

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Num(String),
    Word(String),
}

#[derive(Debug, Clone)]
pub struct GenericVersion {
    text: String,
    segs: Vec<Seg>,
}

/// Why a generic comparison was not certain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Assumption(pub &'static str);

impl fmt::Display for Assumption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

fn pre_rank(w: &str) -> Option<usize> {
    PRE_WORDS.iter().position(|p| *p == w)
}

/// Position class of a run (or of the end) in the ranked alphabet.
fn class(s: Option<&Seg>) -> u8 {
    match s {
        Some(Seg::Word(w)) if pre_rank(w).is_some() => 0,
        None => 1,
        Some(Seg::Word(_)) => 2,
        Some(Seg::Num(_)) => 3,
    }
}

impl GenericVersion {
    pub fn segments(&self) -> &[Seg] {
        &self.segs
    }

    /// The order, and the assumption it rested on if it was not certain.
    pub fn compare(&self, other: &Self) -> (Ordering, Option<Assumption>) {
        let n = self.segs.len().max(other.segs.len());
        for i in 0..n {
            let (x, y) = (self.segs.get(i), other.segs.get(i));
            match (x, y) {
                (Some(Seg::Num(a)), Some(Seg::Num(b))) => {
                    let c = cmp_digits(a, b);
                    if c != Ordering::Equal {
                        return (c, None);
                    }
                }
                (Some(Seg::Word(a)), Some(Seg::Word(b))) => {
                    if a == b {
                        continue;
                    }
                    let c = pre_rank(a)
                        .map_or(usize::MAX, |r| r)
                        .cmp(&pre_rank(b).map_or(usize::MAX, |r| r))
                        .then_with(|| a.cmp(b));
                    if a.len() == 1
                        && b.len() == 1
                        && pre_rank(a).is_none()
                        && pre_rank(b).is_none()
                    {
                        return (c, None);
                    }
                    return (
                        c,
                        Some(Assumption(
                            "two different words were ordered by pre-release rank, then alphabetically",
                        )),
                    );
                }
                _ => {
                    let c = class(x).cmp(&class(y));
                    let why = match (x, y) {
                        (None, _) | (_, None) => {
                            "one version ends where the other continues with a word: pre-release words are taken as earlier, other words as later"
                        }
                        _ => "a number and a word at the same place: the number is taken as later",
                    };
                    // Both ending was handled by the loop bound; here classes differ
                    // or one side is a pre-release word and the other ends.
                    if c == Ordering::Equal {
                        continue;
                    }
                    // A number against the end is certain (more parts = later, as
                    // trailing zeros were trimmed).
                    let certain = matches!(
                        (x, y),
                        (Some(Seg::Num(_)), None) | (None, Some(Seg::Num(_)))
                    );
                    return (c, if certain { None } else { Some(Assumption(why)) });
                }
            }
        }
        (Ordering::Equal, None)
    }
}

impl PartialEq for GenericVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for GenericVersion {}
impl PartialOrd for GenericVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for GenericVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.compare(other).0
    }
}

impl fmt::Display for GenericVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

pub fn parse(input: &str) -> Result<GenericVersion, ParseError> {
    let scheme = Scheme::Generic;
    let s = input.trim();
    if s.is_empty() {
        return Err(ParseError::Empty { scheme });
    }
    if let Some((i, c)) = s.char_indices().find(|(_, c)| c.is_control()) {
        return Err(ParseError::invalid(
            scheme,
            input,
            "character",
            &s[i..i + c.len_utf8()],
            offset_in(input, s) + i,
            "control character in a version",
        ));
    }
    let mut segs = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        if b[i].is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            segs.push(Seg::Num(canonical(&s[start..i]).to_owned()));
        } else if b[i].is_ascii_alphabetic() {
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            let w = s[start..i].to_ascii_lowercase();
            // `v1.2` / `V2.0`: the prefix names no part of the version.
            let at_start = segs.is_empty() && start == 0;
            if !(at_start && w == "v" && i < b.len() && b[i].is_ascii_digit()) {
                segs.push(Seg::Word(w));
            }
        } else {
            i += 1;
        }
    }
    if segs.is_empty() {
        return Err(ParseError::invalid(
            scheme,
            input,
            "version",
            s,
            offset_in(input, s),
            "no digits or letters",
        ));
    }
    // Zeros directly before a word or the end carry no order (`1.0` = `1`,
    // `1.0beta` = `1beta`); dropping them in the canonical form keeps the order a plain
    // lexicographic one, hence transitive.
    let mut canon: Vec<Seg> = Vec::with_capacity(segs.len());
    for seg in segs {
        if matches!(seg, Seg::Word(_)) {
            while matches!(canon.last(), Some(Seg::Num(n)) if n == "0") {
                canon.pop();
            }
        }
        canon.push(seg);
    }
    while matches!(canon.last(), Some(Seg::Num(n)) if n == "0") {
        canon.pop();
    }
    let segs = canon;
    Ok(GenericVersion {
        text: s.to_owned(),
        segs,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn g(s: &str) -> GenericVersion {
        parse(s).unwrap()
    }

    #[test]
    fn certain_and_assumed() {
        let cmp = |a, b| g(a).compare(&g(b));
        assert_eq!(cmp("1.0.1f", "1.0.1g"), (Ordering::Less, None));
        assert_eq!(cmp("2.14.1", "2.15.0"), (Ordering::Less, None));
        assert_eq!(cmp("1.0", "1.0.0"), (Ordering::Equal, None));
        assert_eq!(cmp("V2.1", "2.1"), (Ordering::Equal, None));
        assert_eq!(cmp("1.0", "1.0.1"), (Ordering::Less, None));
        assert_eq!(
            cmp("2023.3_Build_9342", "2023.3_Build_9400"),
            (Ordering::Less, None)
        );
        let (o, why) = cmp("2023.3", "2023.3_Build_9342");
        assert_eq!(o, Ordering::Less);
        assert!(why.is_some());
        let (o, why) = cmp("1.0beta2", "1.0");
        assert_eq!(o, Ordering::Less);
        assert!(why.is_some());
        let (o, why) = cmp("1.0.1", "1.0.1a");
        assert_eq!(o, Ordering::Less);
        assert!(why.is_some(), "a letter after a release could be either");
        assert!(parse("").is_err());
        assert!(parse("--").is_err());
    }
}
