//! Property tests: normalisation round-trips, scores stay within 0-10, and the v3.1
//! Roundup never goes below its input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use medsec_score::{MetricDef, parse, v2, v3, v4};
use proptest::prelude::*;

/// A strategy for a valid vector of a version: choices index into each metric's values;
/// for optional metrics, an extra choice means "absent".
fn vector(
    prefix: &'static str,
    defs: &'static [MetricDef],
    shuffle: bool,
) -> impl Strategy<Value = String> {
    let choices: Vec<_> = defs
        .iter()
        .map(|d| 0..(d.values.len() + usize::from(!d.mandatory)))
        .collect();
    (choices, any::<u64>()).prop_map(move |(picks, seed)| {
        let mut parts: Vec<String> = defs
            .iter()
            .zip(picks)
            .filter_map(|(d, p)| d.values.get(p).map(|v| format!("{}:{}", d.abbr, v.abbr)))
            .collect();
        if shuffle && seed % 3 == 0 {
            // Deterministic shuffle from the seed.
            let mut s = seed;
            for i in (1..parts.len()).rev() {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                parts.swap(i, (s >> 33) as usize % (i + 1));
            }
        }
        format!("{prefix}{}", parts.join("/"))
    })
}

fn any_vector() -> impl Strategy<Value = String> {
    prop_oneof![
        vector("", &v2::METRICS, false),
        vector("CVSS:3.0/", &v3::METRICS, true),
        vector("CVSS:3.1/", &v3::METRICS, true),
        vector("CVSS:4.0/", &v4::METRICS, false),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn normalise_round_trips(v in any_vector()) {
        let parsed = parse(&v).unwrap();
        let norm = parsed.normalise();
        let reparsed = parse(&norm).unwrap();
        prop_assert_eq!(reparsed.normalise(), norm.clone());
        prop_assert_eq!(reparsed.score(), parsed.score());
        // Normalising drops only Not Defined metrics, so scores and explanations agree.
        prop_assert_eq!(reparsed.explain(), parsed.explain());
    }

    #[test]
    fn scores_within_range(v in any_vector()) {
        let s = parse(&v).unwrap().score();
        for r in [Some(s.base), s.temporal, s.environmental, Some(s.overall)].into_iter().flatten() {
            prop_assert!(r.score.tenths() <= 100);
            prop_assert!((0.0..=10.0).contains(&r.score.value()));
        }
    }

    #[test]
    fn v31_roundup_never_below_input(x in 0.0f64..10.0) {
        let r = f64::from(v3::roundup_v31(x)) / 10.0;
        // Appendix A rounds to 5 decimals first, so it may sit up to 5e-6 below x.
        prop_assert!(r + 0.000005 >= x, "roundup({x}) = {r}");
        prop_assert!(r - x < 0.1 + 1e-9);
        // On inputs with at most 5 decimals it is never below.
        let q = (x * 100_000.0).round() / 100_000.0;
        prop_assert!(f64::from(v3::roundup_v31(q)) / 10.0 >= q - 1e-12);
        let r30 = f64::from(v3::roundup_v30(x)) / 10.0;
        prop_assert!(r30 + 1e-9 >= x);
    }

    #[test]
    fn parser_never_panics(s in "\\PC{0,80}") {
        let _ = parse(&s);
    }

    #[test]
    fn parser_never_panics_on_near_vectors(v in any_vector(), cut in 0usize..120, junk in "[A-Za-z:/()0-9.]{0,6}") {
        let mut s = v.clone();
        let cut = cut.min(s.len());
        s.insert_str(cut, &junk);
        let _ = parse(&s);
    }
}
