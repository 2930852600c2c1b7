//! Any text as a free-text CSAF version range (CISA ICSMA advisories): reading never
//! panics; a range returned is generic, keeps the text, is interpreted, has at least one
//! event, and its events alternate affected / outside from an affected start, in the
//! evaluator's order (`Earliest` < `At(v)` < `After(v)` < `At(w)` for `v < w`; equal keys
//! allowed, the later event wins a tie), so no interval ends below its start or overlaps the
//! one before.
#![no_main]

use std::cmp::Ordering;

use libfuzzer_sys::fuzz_target;
use medsec_core::advisory::{Point, RangeState, VersionScheme};
use medsec_match::{Scheme, interpret_range_text};

/// The evaluator's key order of two points; `None` when a version does not parse.
fn order(a: &Point, b: &Point) -> Option<Ordering> {
    let key = |p: &Point| match p {
        Point::Earliest => None,
        Point::At(v) => Some((v.clone(), false)),
        Point::After(v) => Some((v.clone(), true)),
    };
    Some(match (key(a), key(b)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some((v, va)), Some((w, wa))) => Scheme::Generic.compare(&v, &w).ok()?.then(va.cmp(&wa)),
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(range) = interpret_range_text(text) else {
        return;
    };
    assert!(!range.events.is_empty(), "no events: {range:?}");
    assert_eq!(range.scheme, VersionScheme::Generic, "{range:?}");
    assert_eq!(range.text.as_deref(), Some(text), "{range:?}");
    assert!(!range.uninterpreted, "{range:?}");
    for (i, e) in range.events.iter().enumerate() {
        let want = if i % 2 == 0 {
            RangeState::Affected
        } else {
            RangeState::Outside
        };
        assert_eq!(e.state, want, "event {i} of {range:?}");
        if let Point::At(v) | Point::After(v) = &e.point {
            assert!(Scheme::Generic.parse(v).is_ok(), "event {i} of {range:?}");
        }
        if i > 0 {
            let prev = &range.events[i - 1].point;
            // Equal keys are fine: the evaluator lets the later event win a tie, so
            // `>= 1 | < 1` is an empty interval and `< 2 | 2.x` joins two.
            let o = order(prev, &e.point);
            assert!(
                matches!(o, Some(Ordering::Less | Ordering::Equal)),
                "events {} and {i} out of order ({o:?}): {range:?}",
                i - 1
            );
        }
    }
});
