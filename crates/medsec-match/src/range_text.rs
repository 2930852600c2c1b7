//! Reading the free-text version ranges vendors write in CSAF product trees.
//!
//! CSAF 2.0 §3.1.2.3.1 asks for `vers:` in `product_version_range` and forbids ranges in
//! `product_version` (§6.1.31), but medical-device advisories (CISA ICSMA) write plain
//! English and comparator lists. `medsec-formats` parses `vers:` and single comparator
//! pairs and keeps the rest as uninterpreted text; [`interpret_range_text`] reads the
//! common remaining forms, found in the ICSMA corpus (`../shared/corpus/csaf-icsma`):
//!
//! | form (corpus examples) | range (generic order) |
//! |---|---|
//! | `All versions`, `all`, `*`, `* (end-of-life 2011)` | every version |
//! | `prior to 2.0`, `versions prior to v1.52`, `All versions prior to 1.7.2`, `before V`, `earlier than V`, `below V` | `< V` |
//! | `2.3.6 and  below`, `V and earlier`, `V or prior`, `up to V` | `<= V` |
//! | `V and later`, `V or above`, `V and newer` | `>= V` |
//! | `Versions 5.01 through 6.3.1`, `V to W`, `between V and W`, `from V to W` | `>= V`, `<= W` |
//! | `2.X`, `5.x.x`, `14.1.x`, `<= 12.2.x.x`, `< 3.x` | `x` matches any tail: `14.1.x` is `>= 14.1, < 14.2` |
//! | `<= 1.54 (integrated into GE MobileLink)`, `<= 2.01 (end-of-life Nov 2017)` | the comparators; a trailing remark in parentheses is ignored |
//! | `5.0|5.1`, `4.X | 5.X`, `>= 1.0.0  | <= 1.3.1`, `< 1.8.4 Service Pack 01`, `<= 3.0 D15` | comparator / version lists joined by `|` (disjoint, ascending) |
//!
//! Left uninterpreted (`None`), because they are not version ranges or carry a condition
//! a version cannot express: dates (`distributed  < april 1, 2018`, `< august 28`,
//! `<May 2018`, `<8/30/2024`), conditions (`<=11.2 on Windows 8.1 with IIS 7.5`,
//! `v6.x (with Wireless Battery Modules v9 | …)`, `* running on old, unsupported
//! operating systems …`), product codes in versions' place (`A10 < A11`,
//! `A.01 <= C.0x | 4.0`, `053L000091 (global) / 054U000091 (U.S.) …`), lists joined by
//! `and` (`2131 and 2141`: models or versions?) and bare letters (`<= K`).
//!
//! Every range returned is in the generic order (vendors state no scheme) and keeps the
//! text in [`VersionRange::text`]; the matcher reports a verdict through it as resting on
//! medsec's reading.

use std::cmp::Ordering;

use medsec_core::advisory::{Point, RangeState, VersionRange, VersionScheme};

use crate::Scheme;

/// Reads a free-text CSAF range; `None` when the text is not one of the forms above.
pub fn interpret_range_text(text: &str) -> Option<VersionRange> {
    let norm = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let body = strip_remark(&norm)?;
    let lower = body.to_lowercase();
    let lower = strip_leading_words(&lower);
    let intervals = if is_every(lower) {
        vec![Interval {
            lo: Bound::Unbounded,
            hi: Bound::Unbounded,
        }]
    } else if let Some(i) = english(lower) {
        vec![i]
    } else {
        list(lower)?
    };
    let mut r = build(&intervals)?;
    r.text = Some(text.to_owned());
    Some(r)
}

/// Drops one trailing parenthesised remark (`(end-of-life Nov 2017)`); a remark that
/// states a condition (`(with …)`, `(on …)`) makes the text unreadable. Parentheses
/// anywhere else do too.
fn strip_remark(s: &str) -> Option<&str> {
    let t = s.trim();
    let Some(body) = t.strip_suffix(')') else {
        return (!t.contains(['(', ')'])).then_some(t);
    };
    let open = body.rfind('(')?;
    let remark = body.get(open + 1..)?.trim().to_lowercase();
    let head = body.get(..open)?.trim();
    let conditional = [
        "with",
        "when",
        "on",
        "running",
        "only",
        "for",
        "if",
        "except",
        "excluding",
        "model",
        "and",
        "or",
    ];
    let first = remark.split_whitespace().next().unwrap_or("");
    if conditional.contains(&first) || remark.contains(['<', '>', '|']) || head.contains(['(', ')'])
    {
        return None;
    }
    (!head.is_empty()).then_some(head)
}

/// Drops leading filler: `all`, `software`, `firmware`, `versions`, `version`, `release`.
fn strip_leading_words(s: &str) -> &str {
    let mut rest = s.trim();
    loop {
        let next = [
            "all ",
            "software ",
            "firmware ",
            "versions ",
            "version ",
            "releases ",
            "release ",
        ]
        .iter()
        .find_map(|w| rest.strip_prefix(w));
        match next {
            Some(r) => rest = r.trim_start(),
            None => return rest,
        }
    }
}

fn is_every(s: &str) -> bool {
    matches!(
        s,
        "all" | "all versions" | "versions" | "any" | "any version" | "every version" | "*"
    )
}

#[derive(Debug, Clone, PartialEq)]
enum Bound {
    Unbounded,
    Incl(String),
    Excl(String),
}

#[derive(Debug, Clone, PartialEq)]
struct Interval {
    lo: Bound,
    hi: Bound,
}

/// The English forms: `prior to V`, `V and below`, `V through W` …
fn english(s: &str) -> Option<Interval> {
    // `< V` ends below every version V denotes; `<= V` after the highest.
    let below = |v: &str, incl: bool| {
        let hi = if incl {
            version_bounds(v)?.1
        } else {
            Bound::Excl(wild_floor(v)?)
        };
        Some(Interval {
            lo: Bound::Unbounded,
            hi,
        })
    };
    for p in [
        "prior to ",
        "before ",
        "earlier than ",
        "older than ",
        "lower than ",
        "below ",
        "less than ",
    ] {
        if let Some(v) = s.strip_prefix(p) {
            return below(strip_version_word(v), false);
        }
    }
    if let Some(v) = s.strip_prefix("up to ") {
        return below(strip_version_word(v), true);
    }
    for p in ["after ", "later than ", "newer than ", "higher than "] {
        if let Some(v) = s.strip_prefix(p) {
            let (_, hi) = version_bounds(strip_version_word(v))?;
            // Above every version the text covers (`after 2.x` is `>= 3`).
            let lo = match hi {
                Bound::Incl(h) => Bound::Excl(h),
                Bound::Excl(h) => Bound::Incl(h),
                Bound::Unbounded => return None,
            };
            return Some(Interval {
                lo,
                hi: Bound::Unbounded,
            });
        }
    }
    for suffix in [
        " and below",
        " and earlier",
        " and prior",
        " and lower",
        " and older",
        " or below",
        " or earlier",
        " or prior",
        " or lower",
        " or older",
    ] {
        if let Some(v) = s.strip_suffix(suffix) {
            return below(strip_version_word(v), true);
        }
    }
    for suffix in [
        " and later",
        " and above",
        " and newer",
        " and higher",
        " or later",
        " or above",
        " or newer",
        " or higher",
    ] {
        if let Some(v) = s.strip_suffix(suffix) {
            let (lo, _) = version_bounds(strip_version_word(v))?;
            return Some(Interval {
                lo,
                hi: Bound::Unbounded,
            });
        }
    }
    let pair = |a: &str, b: &str| {
        let (lo, _) = version_bounds(strip_version_word(a))?;
        let (_, hi) = version_bounds(strip_version_word(b))?;
        Some(Interval { lo, hi })
    };
    if let Some(rest) = s.strip_prefix("between ")
        && let Some((a, b)) = rest.split_once(" and ")
    {
        return pair(a, b);
    }
    let s2 = s.strip_prefix("from ").unwrap_or(s);
    for sep in [" through ", " thru ", " to ", " until ", " - ", " – "] {
        if let Some((a, b)) = s2.split_once(sep) {
            return pair(a, b);
        }
    }
    None
}

fn strip_version_word(v: &str) -> &str {
    let v = v.trim();
    v.strip_prefix("version ")
        .or_else(|| v.strip_prefix("versions "))
        .unwrap_or(v)
        .trim()
}

/// Lists joined by `|`: each item a comparator with a version, or a version (exact or
/// `x`-wildcard). A lower bound is closed by the upper bound that follows it.
fn list(s: &str) -> Option<Vec<Interval>> {
    let mut out = Vec::new();
    let mut open: Option<Bound> = None;
    for item in s.split('|').map(str::trim) {
        let op = [">=", "<=", ">", "<", "="]
            .into_iter()
            .find(|op| item.starts_with(op));
        let v = strip_version_word(item.get(op.map_or(0, str::len)..)?);
        let (lo, hi) = version_bounds(v)?;
        match op {
            Some(">=") | Some(">") => {
                if open.is_some() {
                    return None;
                }
                open = Some(if op == Some(">") {
                    match hi {
                        Bound::Incl(h) => Bound::Excl(h),
                        Bound::Excl(h) => Bound::Incl(h),
                        Bound::Unbounded => return None,
                    }
                } else {
                    lo
                });
            }
            Some("<=") | Some("<") => {
                let hi = if op == Some("<") {
                    Bound::Excl(wild_floor(v)?)
                } else {
                    hi
                };
                out.push(Interval {
                    lo: open.take().unwrap_or(Bound::Unbounded),
                    hi,
                });
            }
            _ => {
                if open.is_some() {
                    return None;
                }
                out.push(Interval { lo, hi });
            }
        }
    }
    if let Some(lo) = open {
        out.push(Interval {
            lo,
            hi: Bound::Unbounded,
        });
    }
    (!out.is_empty()).then_some(out)
}

/// Words allowed inside a version written with spaces (`1.8.4 Service Pack 01`).
const VERSION_WORDS: [&str; 10] = [
    "sp", "service", "pack", "build", "rev", "release", "update", "patch", "hotfix", "r",
];

/// A version token: it holds a digit; its characters are letters, digits and `. _ - +`;
/// inner spaces only around numbers, single letters or [`VERSION_WORDS`].
fn is_version(v: &str) -> bool {
    let v = v.trim();
    !v.is_empty()
        && v.chars().any(|c| c.is_ascii_digit())
        && v.split(' ').all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+'))
                && (w.chars().any(|c| c.is_ascii_digit())
                    || w.len() == 1
                    || VERSION_WORDS.contains(&w))
        })
}

/// Splits an `x`-wildcard version (`14.1.x`, `5.x.x`, `2.X`, `v6.x`) into its fixed
/// prefix; `None` when the version has no wildcard tail.
fn wildcard_prefix(v: &str) -> Option<&str> {
    let mut end = v.len();
    let mut seen = false;
    loop {
        let head = v.get(..end)?;
        match head.strip_suffix(".x").or_else(|| head.strip_suffix(".*")) {
            Some(h) => {
                end = h.len();
                seen = true;
            }
            None => break,
        }
    }
    seen.then(|| v.get(..end)).flatten()
}

/// The next version after every version with this prefix: the last number plus one
/// (`14.1` → `14.2`, `v6` → `v7`).
fn bump(prefix: &str) -> Option<String> {
    let digits_start = prefix
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    let (head, num) = prefix.split_at(digits_start);
    if num.is_empty() || num.len() > 18 {
        return None;
    }
    let n: u64 = num.parse().ok()?;
    Some(format!("{head}{}", n.checked_add(1)?))
}

/// The lowest and the highest bound of the versions a token denotes: a plain version is
/// `[v, v]`; a wildcard `p.x` is `[p, bump(p))`.
fn version_bounds(v: &str) -> Option<(Bound, Bound)> {
    let v = v.trim();
    if let Some(p) = wildcard_prefix(v) {
        if !is_version(p) {
            return None;
        }
        return Some((Bound::Incl(p.to_owned()), Bound::Excl(bump(p)?)));
    }
    is_version(v).then(|| (Bound::Incl(v.to_owned()), Bound::Incl(v.to_owned())))
}

/// `< p.x` means below every version with the prefix: `< p`.
fn wild_floor(v: &str) -> Option<String> {
    let v = v.trim();
    match wildcard_prefix(v) {
        Some(p) => is_version(p).then(|| p.to_owned()),
        None => is_version(v).then(|| v.to_owned()),
    }
}

fn cmp(a: &str, b: &str) -> Option<Ordering> {
    Scheme::Generic.compare(a, b).ok()
}

/// Events for disjoint intervals in ascending order (the evaluator's rule needs no
/// overlap: a later interval's start would otherwise reopen an earlier one's end).
fn build(intervals: &[Interval]) -> Option<VersionRange> {
    let mut r = VersionRange::new(VersionScheme::Generic);
    let mut last_hi: Option<&Bound> = None;
    for (i, iv) in intervals.iter().enumerate() {
        // Ascending and disjoint: this start lies above the previous end.
        if let Some(prev) = last_hi {
            let ok = match (prev, &iv.lo) {
                (Bound::Unbounded, _) | (_, Bound::Unbounded) => false,
                (Bound::Incl(p), Bound::Incl(l)) => cmp(p, l)? == Ordering::Less,
                (Bound::Excl(p), Bound::Incl(l))
                | (Bound::Incl(p), Bound::Excl(l))
                | (Bound::Excl(p), Bound::Excl(l)) => cmp(p, l)? != Ordering::Greater,
            };
            if !ok {
                return None;
            }
        }
        if let (Bound::Incl(l) | Bound::Excl(l), Bound::Incl(h) | Bound::Excl(h)) = (&iv.lo, &iv.hi)
        {
            let order = cmp(l, h)?;
            // Start above end, or one version with either end excluded (`> 1 | < 1`):
            // empty or self-contradictory text, never a range (found by fuzzing).
            let single_version = matches!((&iv.lo, &iv.hi), (Bound::Incl(_), Bound::Incl(_)));
            if order == Ordering::Greater || (order == Ordering::Equal && !single_version) {
                return None;
            }
        }
        r = match &iv.lo {
            Bound::Unbounded if i == 0 => r.with_event(Point::Earliest, RangeState::Affected),
            Bound::Unbounded => return None,
            Bound::Incl(v) => r.with_event(Point::At(v.clone()), RangeState::Affected),
            Bound::Excl(v) => r.with_event(Point::After(v.clone()), RangeState::Affected),
        };
        r = match &iv.hi {
            Bound::Unbounded => r,
            Bound::Incl(v) => r.with_event(Point::After(v.clone()), RangeState::Outside),
            Bound::Excl(v) => r.with_event(Point::At(v.clone()), RangeState::Outside),
        };
        last_hi = Some(&iv.hi);
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn an_interval_empty_at_one_version_is_not_a_range() {
        // Regression (fuzz/artifacts/range_text): `> 1 | < 1` used to come out as every
        // version above 1 affected.
        assert!(interpret_range_text("> 1| < 1").is_none());
        assert!(interpret_range_text("> 1 | <= 1").is_none());
    }

    /// The range's compact form (see `VersionRange`'s Display), or "none".
    fn show(text: &str) -> String {
        interpret_range_text(text).map_or("none".into(), |r| {
            let mut s = r.to_string();
            s = s.replace("[generic] ", "");
            s
        })
    }

    #[test]
    fn every_version() {
        for t in [
            "All versions",
            "all",
            "*",
            "* (end-of-life 2011)",
            "  ALL  VERSIONS ",
        ] {
            assert_eq!(show(t), "from earliest: affected", "{t}");
        }
    }

    #[test]
    fn english_forms_from_the_corpus() {
        assert_eq!(show("prior to 2.0"), "from earliest: affected; >=2.0: end");
        assert_eq!(
            show("versions prior to v1.52"),
            "from earliest: affected; >=v1.52: end"
        );
        assert_eq!(
            show("All versions prior to 1.7.2"),
            "from earliest: affected; >=1.7.2: end"
        );
        assert_eq!(
            show("software versions prior to Version 012U000040"),
            "from earliest: affected; >=012u000040: end"
        );
        assert_eq!(
            show("prior to Version 1.7.15"),
            "from earliest: affected; >=1.7.15: end"
        );
        assert_eq!(
            show("2.3.6 and  below"),
            "from earliest: affected; >2.3.6: end"
        );
        assert_eq!(show("4.1 and later"), ">=4.1: affected");
        assert_eq!(
            show("Versions 5.01 through 6.3.1"),
            ">=5.01: affected; >6.3.1: end"
        );
        assert_eq!(
            show("versions 1.0 through 1.4"),
            ">=1.0: affected; >1.4: end"
        );
        assert_eq!(show("between 2.0 and 3.0"), ">=2.0: affected; >3.0: end");
        assert_eq!(
            show("versions prior to v1.8.4 Service Pack 01"),
            "from earliest: affected; >=v1.8.4 service pack 01: end"
        );
    }

    #[test]
    fn comparators_and_wildcards_from_the_corpus() {
        assert_eq!(show("<=4.1"), "from earliest: affected; >4.1: end");
        assert_eq!(
            show("<= 1.54 (integrated into GE MobileLink)"),
            "from earliest: affected; >1.54: end"
        );
        assert_eq!(
            show("<= 2.01 (end-of-life Nov 2017)"),
            "from earliest: affected; >2.01: end"
        );
        assert_eq!(show("2.X"), ">=2: affected; >=3: end");
        assert_eq!(show("5.x.x"), ">=5: affected; >=6: end");
        assert_eq!(show("14.1.x"), ">=14.1: affected; >=14.2: end");
        assert_eq!(show("<= 12.2.x.x"), "from earliest: affected; >=12.3: end");
        assert_eq!(show("< 3.x"), "from earliest: affected; >=3: end");
        assert_eq!(
            show("5.0|5.1"),
            ">=5.0: affected; >5.0: end; >=5.1: affected; >5.1: end"
        );
        assert_eq!(
            show("4.X | 5.X"),
            ">=4: affected; >=5: end; >=5: affected; >=6: end"
        );
        assert_eq!(
            show(">= 1.0.0  | <= 1.3.1"),
            ">=1.0.0: affected; >1.3.1: end"
        );
        assert_eq!(
            show("< 1.8.4 Service Pack 01"),
            "from earliest: affected; >=1.8.4 service pack 01: end"
        );
        assert_eq!(show("<= 3.0 D15"), "from earliest: affected; >3.0 d15: end");
        assert_eq!(show("vers:generic/<3.2"), "none");
    }

    #[test]
    fn left_uninterpreted() {
        for t in [
            "distributed  < april 1, 2018",
            "< august 28",
            "<  july 1 2017",
            "<May 2018",
            "<8/30/2024",
            "<=11.2 on Windows 8.1 with IIS 7.5",
            "v6.x (with Wireless Battery Modules v9 | v11 | v13 | >= v20D29 | <= v20D32)",
            "9.x (with Wireless Battery Modules >= 22D19 | <= v22D28)",
            "* running on old, unsupported operating systems such as Windows 2000",
            "A10 < A11",
            "A.01 <= C.0x | 4.0",
            "053L000091 (global) / 054U000091 (U.S.) and 053L000092 (global) / 054U000092 (U.S.)",
            "2131 and 2141",
            "<= K",
            "",
            "with wireless option (shipped between 26-June-2017 through 07-August 2018)",
        ] {
            assert_eq!(show(t), "none", "{t}");
        }
        // Overlapping or descending lists have no single reading under the range rule.
        assert_eq!(show("5.1|5.0"), "none");
        assert_eq!(show("5.x|5.1"), "none");
    }

    #[test]
    fn interpreted_ranges_evaluate() {
        let r = interpret_range_text("versions prior to v1.52").unwrap();
        assert_eq!(r.text.as_deref(), Some("versions prior to v1.52"));
        assert!(!r.uninterpreted);
        let e = crate::evaluate(&r, "1.51");
        assert_eq!(e.state, RangeState::Affected);
        let e = crate::evaluate(&r, "1.52");
        assert_eq!(e.state, RangeState::Outside);
        let r = interpret_range_text("14.1.x").unwrap();
        assert_eq!(crate::evaluate(&r, "14.1.7").state, RangeState::Affected);
        assert_eq!(crate::evaluate(&r, "14.2").state, RangeState::Outside);
        assert_eq!(crate::evaluate(&r, "14.0.9").state, RangeState::Outside);
    }
}
