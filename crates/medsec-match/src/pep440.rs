//! Python package versions, PEP 440 ("Version Identification and Dependency
//! Specification"), as the Python Packaging Authority's version specifier
//! specification keeps it.
//!
//! - Public version scheme: `[N!]N(.N)*[{a|b|rc}N][.postN][.devN]`, local `+label`.
//! - "Normalization": case-insensitive; leading/trailing whitespace and a leading `v`
//!   are ignored; `alpha`/`beta`/`c`/`pre`/`preview` spell `a`/`b`/`rc`; `-`, `_` or
//!   `.` (or nothing) may separate a pre-, post- or dev-release and its number; a
//!   missing number is 0; `rev`/`r` spell `post`, and `1.0-1` is an implicit post-release;
//!   local separators `-`/`_` become `.`; integers lose leading zeros.
//! - "Final releases": release segments compare numerically, the shorter padded with
//!   zeros (`1.0` == `1.0.0`).
//! - "Summary of permitted suffixes and relative ordering": within a release,
//!   `.devN` < `aN` < `bN` < `rcN` < release < `.postN`; a pre- or post-release's own
//!   dev release sorts before it; epochs compare first.
//! - "Local version identifiers": a local version sorts after the same public version;
//!   segments compare numerically when both are numeric, alphanumeric ones
//!   lexicographically (case-insensitive), numeric above alphanumeric, and the longer
//!   label wins when one is a prefix of the other.

use std::cmp::Ordering;
use std::fmt;

use crate::Scheme;
use crate::error::ParseError;
use crate::num::{canonical, cmp_digits};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PreKind {
    A,
    B,
    Rc,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LocalPart {
    Num(String),
    Text(String),
}

#[derive(Debug, Clone)]
pub struct Pep440 {
    pub epoch: String,
    pub release: Vec<String>,
    pub pre: Option<(PreKind, String)>,
    pub post: Option<String>,
    pub dev: Option<String>,
    pub local: Vec<LocalPart>,
}

fn cmp_release(a: &[String], b: &[String]) -> Ordering {
    let n = a.len().max(b.len());
    for i in 0..n {
        let x = a.get(i).map_or("0", String::as_str);
        let y = b.get(i).map_or("0", String::as_str);
        let c = cmp_digits(x, y);
        if c != Ordering::Equal {
            return c;
        }
    }
    Ordering::Equal
}

/// Sort rank of the pre-release slot: a bare dev release of the final release sorts
/// before every pre-release of it ("1.0.dev0 < 1.0a0").
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum PreKey<'a> {
    DevOnly,
    Pre(PreKind, Num<'a>),
    None,
}

/// A number compared by value.
#[derive(Debug, PartialEq, Eq)]
struct Num<'a>(&'a str);
impl PartialOrd for Num<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Num<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(self.0, other.0)
    }
}

fn cmp_local(a: &[LocalPart], b: &[LocalPart]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let c = match (x, y) {
            (LocalPart::Num(p), LocalPart::Num(q)) => cmp_digits(p, q),
            (LocalPart::Num(_), LocalPart::Text(_)) => Ordering::Greater,
            (LocalPart::Text(_), LocalPart::Num(_)) => Ordering::Less,
            (LocalPart::Text(p), LocalPart::Text(q)) => p.cmp(q),
        };
        if c != Ordering::Equal {
            return c;
        }
    }
    a.len().cmp(&b.len())
}

impl Pep440 {
    fn pre_key(&self) -> PreKey<'_> {
        match &self.pre {
            Some((k, n)) => PreKey::Pre(*k, Num(n)),
            None if self.post.is_none() && self.dev.is_some() => PreKey::DevOnly,
            None => PreKey::None,
        }
    }
}

impl PartialEq for Pep440 {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Pep440 {}
impl PartialOrd for Pep440 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pep440 {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(&self.epoch, &other.epoch)
            .then_with(|| cmp_release(&self.release, &other.release))
            .then_with(|| self.pre_key().cmp(&other.pre_key()))
            // No post-release sorts below any post-release.
            .then_with(|| match (&self.post, &other.post) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(a), Some(b)) => cmp_digits(a, b),
            })
            // No dev release sorts above any dev release.
            .then_with(|| match (&self.dev, &other.dev) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => cmp_digits(a, b),
            })
            .then_with(|| cmp_local(&self.local, &other.local))
    }
}

impl fmt::Display for Pep440 {
    /// The normalised form PEP 440 defines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.epoch != "0" {
            write!(f, "{}!", self.epoch)?;
        }
        f.write_str(&self.release.join("."))?;
        if let Some((k, n)) = &self.pre {
            let k = match k {
                PreKind::A => "a",
                PreKind::B => "b",
                PreKind::Rc => "rc",
            };
            write!(f, "{k}{n}")?;
        }
        if let Some(p) = &self.post {
            write!(f, ".post{p}")?;
        }
        if let Some(d) = &self.dev {
            write!(f, ".dev{d}")?;
        }
        for (i, l) in self.local.iter().enumerate() {
            f.write_str(if i == 0 { "+" } else { "." })?;
            match l {
                LocalPart::Num(n) | LocalPart::Text(n) => f.write_str(n)?,
            }
        }
        Ok(())
    }
}

/// A cursor over the lower-cased input.
struct Cur<'a> {
    s: &'a str,
    pos: usize,
    input: &'a str,
    /// Offset of `s` inside `input` (after trimming).
    base: usize,
}

impl<'a> Cur<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }
    fn digits(&mut self) -> Option<&'a str> {
        let r = self.rest();
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        self.pos += n;
        Some(&r[..n])
    }
    fn eat(&mut self, word: &str) -> bool {
        if self.rest().starts_with(word) {
            self.pos += word.len();
            true
        } else {
            false
        }
    }
    fn sep(&mut self) -> bool {
        matches!(self.rest().as_bytes().first(), Some(b'-' | b'_' | b'.')) && {
            self.pos += 1;
            true
        }
    }
    fn err(&self, part: &'static str, reason: &'static str) -> ParseError {
        let text = self.rest();
        ParseError::invalid(
            Scheme::Pep440,
            self.input,
            part,
            &self.input[self.base + self.pos..self.base + self.pos + text.len()],
            self.base + self.pos,
            reason,
        )
    }
}

/// Tries `[sep] word [sep] [N]` for the first matching spelling; restores on failure.
fn suffix<'a>(c: &mut Cur<'a>, words: &[&str]) -> Option<(usize, &'a str)> {
    let start = c.pos;
    c.sep();
    for (i, w) in words.iter().enumerate() {
        if c.eat(w) {
            let before_sep = c.pos;
            let had_sep = c.sep();
            match c.digits() {
                Some(d) => return Some((i, d)),
                None => {
                    if had_sep {
                        c.pos = before_sep;
                    }
                    return Some((i, "0"));
                }
            }
        }
    }
    c.pos = start;
    None
}

pub fn parse(input: &str) -> Result<Pep440, ParseError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(ParseError::Empty {
            scheme: Scheme::Pep440,
        });
    }
    let lower = trimmed.to_ascii_lowercase();
    let base = crate::error::offset_in(input, trimmed);
    let mut c = Cur {
        s: &lower,
        pos: 0,
        input,
        base,
    };
    c.eat("v");
    let mut first = c
        .digits()
        .ok_or_else(|| c.err("release", "a release starts with a number"))?;
    let mut epoch = "0";
    if c.eat("!") {
        epoch = first;
        first = c
            .digits()
            .ok_or_else(|| c.err("release", "a release number must follow the epoch"))?;
    }
    let mut release = vec![canonical(first).to_owned()];
    loop {
        let save = c.pos;
        if c.eat(".")
            && let Some(d) = c.digits()
        {
            release.push(canonical(d).to_owned());
            continue;
        }
        c.pos = save;
        break;
    }
    // Longer spellings first so that `alpha` is not read as `a` + `lpha`.
    let pre = suffix(
        &mut c,
        &["alpha", "beta", "preview", "pre", "rc", "a", "b", "c"],
    )
    .map(|(i, n)| {
        let k = match i {
            0 | 5 => PreKind::A,
            1 | 6 => PreKind::B,
            _ => PreKind::Rc,
        };
        (k, canonical(n).to_owned())
    });
    let mut post = None;
    {
        let save = c.pos;
        // Implicit post-release: `1.0-1`.
        if c.eat("-")
            && let Some(d) = c.digits()
        {
            post = Some(canonical(d).to_owned());
        } else {
            c.pos = save;
            if let Some((_, n)) = suffix(&mut c, &["post", "rev", "r"]) {
                post = Some(canonical(n).to_owned());
            }
        }
    }
    let dev = suffix(&mut c, &["dev"]).map(|(_, n)| canonical(n).to_owned());
    let mut local = Vec::new();
    if c.eat("+") {
        let text = c.rest();
        for part in text.split(['.', '-', '_']) {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(c.err(
                    "local version label",
                    "segments of [a-z0-9] separated by '.', '-' or '_'",
                ));
            }
            local.push(if part.bytes().all(|b| b.is_ascii_digit()) {
                LocalPart::Num(canonical(part).to_owned())
            } else {
                LocalPart::Text(part.to_owned())
            });
        }
        c.pos = c.s.len();
    }
    if !c.rest().is_empty() {
        return Err(c.err(
            "suffix",
            "not a pre-, post-, dev-release or local label of PEP 440",
        ));
    }
    Ok(Pep440 {
        epoch: canonical(epoch).to_owned(),
        release,
        pre,
        post,
        dev,
        local,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn p(s: &str) -> Pep440 {
        parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    /// PEP 440 "Summary of permitted suffixes and relative ordering": its example list,
    /// in ascending order.
    #[test]
    fn pep440_ordering_example() {
        let chain = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ];
        for w in chain.windows(2) {
            assert!(p(w[0]) < p(w[1]), "{} < {}", w[0], w[1]);
        }
        assert!(p("2013.10") < p("1!1.0"), "epochs first");
    }

    /// PEP 440 "Normalization": each spelling and its normal form.
    #[test]
    fn pep440_normalisation_examples() {
        for (raw, norm) in [
            ("1.0A1", "1.0a1"),
            ("1.1RC1", "1.1rc1"),
            ("1.0+ubuntu-1", "1.0+ubuntu.1"),
            ("1.1.0-a1", "1.1.0a1"),
            ("1.1.0.a.1", "1.1.0a1"),
            ("1.0a", "1.0a0"),
            ("1.1alpha1", "1.1a1"),
            ("1.1beta2", "1.1b2"),
            ("1.1c3", "1.1rc3"),
            ("1.0-post1", "1.0.post1"),
            ("1.0post", "1.0.post0"),
            ("1.0.post", "1.0.post0"),
            ("1.0-r4", "1.0.post4"),
            ("1.0-rev4", "1.0.post4"),
            ("1.0-1", "1.0.post1"),
            ("1.2-dev2", "1.2.dev2"),
            ("1.2.dev", "1.2.dev0"),
            ("1.2dev2", "1.2.dev2"),
            ("01.02", "1.2"),
            ("v1.0", "1.0"),
            (" 1.0 ", "1.0"),
            ("1!1.0_pre1", "1!1.0rc1"),
        ] {
            assert_eq!(p(raw).to_string(), norm, "{raw}");
            assert_eq!(p(raw), p(norm));
        }
        assert_eq!(p("1.0"), p("1.0.0"));
        for bad in [
            "1.0+",
            "1.0+abc..d",
            "1.0-",
            "a1.0",
            "1.0foo",
            "1.0.post1.post2",
            "1!",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
