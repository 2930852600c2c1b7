//! Maven versions: `org.apache.maven.artifact.versioning.ComparableVersion`, whose
//! Javadoc is the specification (maven-artifact 3.8/3.9: with the fix of MNG-6964,
//! comparing a whole sub-list with a missing item, and the qualifier alias `release`).
//!
//! From the Javadoc:
//! - "mixing of '-' (hyphen) and '.' (dot) separators": a `-` starts a sub-list, a `.`
//!   continues the current list; the transition between digits and letters is a
//!   separator too ("1.0alpha1" = "1-0-alpha-1"), and such a transition counts as `-`.
//! - "unlimited number of version components"; numbers compare numerically, of any size.
//! - "strings are checked for well-known qualifiers and the qualifier ordering is used
//!   for version ordering. Well-known qualifiers (case insensitive) are: alpha or a,
//!   beta or b, milestone or m, rc or cr, snapshot, (the empty string) or ga or final
//!   (or release), sp. Unknown qualifiers are considered after known qualifiers, with
//!   lexical order (always case insensitive)"; `a`, `b`, `m` are aliases only when a
//!   digit follows directly.
//! - "a hyphen usually precedes a qualifier, and is always less important than
//!   something preceded with a dot": a number beats a sub-list, a sub-list beats a
//!   qualifier (`1.1` > `1-1` > `1.sp`).
//! - Trailing "null" values (0, "", "final", "ga") are trimmed from each list, so
//!   `1.0.0` = `1`, `1-ga` = `1`.
//!
//! Not transitive everywhere: because a zero is trimmed only when nothing but sub-lists
//! follows it, ComparableVersion orders `1.0.0.RC1 < 1 < 1-jre` and yet
//! `1.0.0.RC1 > 1-jre`. medsec follows Maven exactly (a range must mean what Maven
//! means), so it inherits this; range evaluation compares the version with each event
//! directly and never relies on transitivity, but two events of such mixed shapes in
//! one range may place each other inconsistently. The property tests check
//! transitivity on the conventional shapes (numbers ending non-zero, `-qualifier`).

use std::cmp::Ordering;
use std::fmt;

use crate::Scheme;
use crate::error::ParseError;
use crate::num::{canonical, cmp_digits};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Item {
    /// A number, as canonical digits (any size).
    Int(String),
    /// A qualifier after aliasing (`cr` → `rc`, `ga`/`final`/`release` → "").
    Str(String),
    List(Vec<Item>),
}

/// The qualifiers known to Maven, oldest first; "" is the release.
const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE_INDEX: usize = 5;

/// Rank of a qualifier: known ones by position, unknown ones after every known one and
/// among themselves lexically (Maven compares `"7-" + q`, which is this order).
fn qualifier_rank(q: &str) -> (usize, &str) {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => (i, ""),
        None => (QUALIFIERS.len(), q),
    }
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(n) => n == "0",
            Item::Str(s) => qualifier_rank(s).0 == RELEASE_INDEX,
            Item::List(l) => l.is_empty(),
        }
    }

    /// `ComparableVersion.Item.compareTo`; `None` stands for a missing item.
    fn cmp_opt(&self, other: Option<&Item>) -> Ordering {
        match (self, other) {
            (Item::Int(n), None) => {
                if n == "0" {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            (Item::Int(a), Some(Item::Int(b))) => cmp_digits(a, b),
            (Item::Int(_), Some(_)) => Ordering::Greater,
            (Item::Str(s), None) => qualifier_rank(s).cmp(&(RELEASE_INDEX, "")),
            (Item::Str(_), Some(Item::Int(_) | Item::List(_))) => Ordering::Less,
            (Item::Str(a), Some(Item::Str(b))) => qualifier_rank(a).cmp(&qualifier_rank(b)),
            // MNG-6964 (Maven 3.8.x and later): the whole list is compared with the
            // missing item, not only its first element, so `1-0.beta` < `1`.
            (Item::List(l), None) => l
                .iter()
                .map(|i| i.cmp_opt(None))
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal),
            (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
            (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
            (Item::List(a), Some(Item::List(b))) => cmp_lists(a, b),
        }
    }
}

/// The order before MNG-6964 (a sub-list compared with a missing item by its first
/// element only), which older Maven releases and univers use; kept so that the
/// differential test can name that difference instead of hiding it.
#[doc(hidden)]
pub fn cmp_before_mng6964(a: &MavenVersion, b: &MavenVersion) -> Ordering {
    fn item(x: &Item, y: Option<&Item>) -> Ordering {
        match (x, y) {
            (Item::List(l), None) => l.first().map_or(Ordering::Equal, |f| item(f, None)),
            (Item::List(a), Some(Item::List(b))) => list(a, b),
            _ => x.cmp_opt(y),
        }
    }
    fn list(a: &[Item], b: &[Item]) -> Ordering {
        for i in 0..a.len().max(b.len()) {
            let c = match (a.get(i), b.get(i)) {
                (Some(x), y) => item(x, y),
                (None, Some(y)) => item(y, None).reverse(),
                (None, None) => Ordering::Equal,
            };
            if c != Ordering::Equal {
                return c;
            }
        }
        Ordering::Equal
    }
    list(&a.items, &b.items)
}

fn cmp_lists(a: &[Item], b: &[Item]) -> Ordering {
    let n = a.len().max(b.len());
    for i in 0..n {
        let c = match (a.get(i), b.get(i)) {
            (Some(x), y) => x.cmp_opt(y),
            (None, Some(y)) => y.cmp_opt(None).reverse(),
            (None, None) => Ordering::Equal,
        };
        if c != Ordering::Equal {
            return c;
        }
    }
    Ordering::Equal
}

/// `ListItem.normalize`: trailing null items are removed, looking past sub-lists.
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if list[i].is_null() {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

#[derive(Debug, Clone)]
pub struct MavenVersion {
    /// The version as written (Maven keeps it for display; order uses `items`).
    text: String,
    items: Vec<Item>,
}

impl MavenVersion {
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// Maven's `getCanonical()`: the parsed items joined with `.` and `-`.
    pub fn canonical(&self) -> String {
        fn write(items: &[Item], out: &mut String) {
            for (i, it) in items.iter().enumerate() {
                match it {
                    Item::List(l) => {
                        if i > 0 || !out.is_empty() {
                            out.push('-');
                        }
                        write(l, out);
                    }
                    Item::Int(n) => {
                        if i > 0 {
                            out.push('.');
                        }
                        out.push_str(n);
                    }
                    Item::Str(s) => {
                        if i > 0 {
                            out.push('.');
                        }
                        out.push_str(s);
                    }
                }
            }
        }
        let mut s = String::new();
        write(&self.items, &mut s);
        s
    }
}

impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for MavenVersion {}
impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_lists(&self.items, &other.items)
    }
}

impl fmt::Display for MavenVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn parse_item(buf: &str, is_digit: bool, followed_by_digit: bool) -> Item {
    if is_digit {
        return Item::Int(canonical(buf).to_owned());
    }
    let s = match (followed_by_digit, buf) {
        (true, "a") => "alpha",
        (true, "b") => "beta",
        (true, "m") => "milestone",
        (_, "ga" | "final" | "release") => "",
        (_, "cr") => "rc",
        _ => buf,
    };
    Item::Str(s.to_owned())
}

/// `ComparableVersion.parseVersion`, with the list stack made explicit.
pub fn parse(input: &str) -> Result<MavenVersion, ParseError> {
    let scheme = Scheme::Maven;
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(ParseError::Empty { scheme });
    }
    if let Some((i, c)) = trimmed
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || c.is_control())
    {
        return Err(ParseError::invalid(
            scheme,
            input,
            "character",
            &trimmed[i..i + c.len_utf8()],
            crate::error::offset_in(input, trimmed) + i,
            "whitespace or control character inside a version",
        ));
    }
    // Maven lower-cases with Locale.ENGLISH; digits are ASCII only here (Java's
    // Character.isDigit accepts other scripts' digits, which no repository uses).
    let v = trimmed.to_lowercase();
    // stack[0] is the root; the last element is the list being filled.
    let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
    let mut is_digit = false;
    let mut start = 0usize;
    let push_list = |stack: &mut Vec<Vec<Item>>| stack.push(Vec::new());
    let bytes = v.as_bytes();
    let mut i = 0usize;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'.' || c == b'-' {
            let cur = stack.last_mut().ok_or(ParseError::Empty { scheme })?;
            if i == start {
                cur.push(Item::Int("0".into()));
            } else {
                cur.push(parse_item(&v[start..i], is_digit, false));
            }
            start = i + 1;
            if c == b'-' {
                push_list(&mut stack);
            }
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                let cur = stack.last_mut().ok_or(ParseError::Empty { scheme })?;
                cur.push(parse_item(&v[start..i], false, true));
                start = i;
                push_list(&mut stack);
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                let cur = stack.last_mut().ok_or(ParseError::Empty { scheme })?;
                cur.push(parse_item(&v[start..i], true, false));
                start = i;
                push_list(&mut stack);
            }
            is_digit = false;
        }
        i += 1;
    }
    if v.len() > start {
        let cur = stack.last_mut().ok_or(ParseError::Empty { scheme })?;
        cur.push(parse_item(&v[start..], is_digit, false));
    }
    // Close the lists innermost first, normalising each, as Maven pops its stack.
    while stack.len() > 1 {
        let mut inner = stack.pop().unwrap_or_default();
        normalize(&mut inner);
        if let Some(parent) = stack.last_mut() {
            parent.push(Item::List(inner));
        }
    }
    let mut items = stack.pop().unwrap_or_default();
    normalize(&mut items);
    Ok(MavenVersion {
        text: trimmed.to_owned(),
        items,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn m(s: &str) -> MavenVersion {
        parse(s).unwrap()
    }

    fn ascending(list: &[&str]) {
        for (i, a) in list.iter().enumerate() {
            for b in &list[i + 1..] {
                assert!(m(a) < m(b), "{a} < {b}");
                assert!(m(b) > m(a), "{b} > {a}");
            }
        }
    }

    /// maven-artifact ComparableVersionTest: VERSIONS_QUALIFIER, ascending.
    #[test]
    fn comparable_version_test_qualifiers() {
        ascending(&[
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ]);
    }

    /// maven-artifact ComparableVersionTest: VERSIONS_NUMBER, ascending.
    #[test]
    fn comparable_version_test_numbers() {
        ascending(&[
            "2.0", "2-1", "2.0.a", "2.0.0.a", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b",
            "2.1-c", "2.1-1", "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11",
            "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m",
        ]);
    }

    /// ComparableVersionTest.testVersionsEqual (a selection of its pairs).
    #[test]
    fn comparable_version_test_equal() {
        for (a, b) in [
            ("1", "1"),
            ("1", "1.0"),
            ("1", "1.0.0"),
            ("1.0", "1.0.0"),
            ("1", "1-0"),
            ("1", "1.0-0"),
            ("1.0", "1.0-0"),
            ("1a", "1-a"),
            ("1a", "1.0-a"),
            ("1a", "1.0.0-a"),
            ("1.0a", "1-a"),
            ("1.0.0a", "1-a"),
            ("1x", "1-x"),
            ("1x", "1.0-x"),
            ("1.0.0x", "1-x"),
            ("1cr", "1rc"),
            ("1m3", "1milestone3"),
            ("1b2", "1beta2"),
            ("1a1", "1alpha1"),
            ("1-ga", "1"),
            ("1-final", "1"),
            ("1-release", "1"),
            ("1.0.0-ga", "1"),
            ("1X", "1x"),
            ("1A", "1a"),
            ("1-SNAPSHOT", "1-snapshot"),
        ] {
            assert_eq!(m(a), m(b), "{a} == {b}");
        }
        assert_eq!(m("1.0.0").canonical(), "1");
        assert_eq!(m("1-1.foo-bar1baz-.1").canonical(), "1-1.foo-bar-1-baz-0.1");
    }

    /// Maven's ComparableVersion is not transitive for some inputs with unknown
    /// qualifiers (found by the `version_order` fuzz target): medsec follows Maven (and
    /// the reference port in univers agrees on all three comparisons) rather than
    /// inventing an order Maven does not use.
    #[test]
    fn follows_maven_where_its_order_is_not_transitive() {
        use std::cmp::Ordering;
        let (a, b, c) = (m("1.0.M0.RELEASE"), m("1.0-final"), m("1-alpha,1"));
        assert_ne!(a.cmp(&b), Ordering::Greater);
        assert_ne!(b.cmp(&c), Ordering::Greater);
        assert_eq!(a.cmp(&c), Ordering::Greater);
    }
}
