//! Version comparators (issue 11): for every scheme, three texts from the input (the
//! first byte picks the scheme, the rest splits at newlines). Parsing never panics, and
//! the versions that parse are ordered: reflexive, antisymmetric (a < b exactly when
//! b > a) and, except for Maven, transitive; a version's printed form parses back to an
//! equal version. Maven's own ComparableVersion is not transitive for some unknown
//! qualifiers (`1.0.M0.RELEASE` ≤ `1.0-final` ≤ `1-alpha,1` but `1.0.M0.RELEASE` >
//! `1-alpha,1`, as Maven's reference port agrees): medsec follows Maven there, and
//! `maven::tests::follows_maven_where_its_order_is_not_transitive` pins it.
#![no_main]

use std::cmp::Ordering;

use libfuzzer_sys::fuzz_target;
use medsec_match::{Scheme, Version};

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let scheme = Scheme::ALL[usize::from(first) % Scheme::ALL.len()];
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let versions: Vec<Version> = text
        .split('\n')
        .take(3)
        .filter_map(|t| scheme.parse(t).ok())
        .collect();
    for a in &versions {
        assert_eq!(
            a.cmp(a),
            Ordering::Equal,
            "{scheme:?}: {a} is not equal to itself"
        );
        let printed = a.to_string();
        match scheme.parse(&printed) {
            Ok(again) => assert_eq!(
                again.cmp(a),
                Ordering::Equal,
                "{scheme:?}: {a} prints as {printed}, which reads back as another version"
            ),
            Err(e) => panic!("{scheme:?}: {a} prints as {printed}, which does not parse: {e}"),
        }
        for b in &versions {
            assert_eq!(
                a.cmp(b),
                b.cmp(a).reverse(),
                "{scheme:?}: {a} vs {b} is not antisymmetric"
            );
            for c in &versions {
                if scheme != Scheme::Maven && a <= b && b <= c {
                    assert!(a <= c, "{scheme:?}: {a} <= {b} <= {c} but not {a} <= {c}");
                }
            }
        }
    }
});
