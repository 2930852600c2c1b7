//! Property tests: printing then parsing gives back the same value (purl; CPE in both
//! bindings and WFN text), and the NISTIR 7696 relations are consistent with each other.

use medsec_core::cpe::{Attribute, AttributeRelation as R, AvString, Cpe, Value};
use medsec_core::purl::Purl;
use proptest::prelude::*;

/// Any printable or non-ASCII text, including every character purls must percent-encode.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9._~-]{1,12}",
        "[ -~]{1,12}",
        "[a-z@%/?#&=+:,é€😀 ]{1,10}",
    ]
}

fn purl_type() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("npm".to_owned()),
        Just("maven".to_owned()),
        Just("pypi".to_owned()),
        Just("git".to_owned()),
        Just("golang".to_owned()),
        Just("generic".to_owned()),
        Just("deb".to_owned()),
        Just("docker".to_owned()),
        Just("huggingface".to_owned()),
        Just("mlflow".to_owned()),
        "[a-z][a-z0-9.+-]{0,8}",
    ]
}

prop_compose! {
    fn any_purl()(
        ty in purl_type(),
        ns in proptest::option::of(proptest::collection::vec(text(), 1..3)),
        name in text(),
        version in proptest::option::of(text()),
        quals in proptest::collection::vec(("[a-z][a-z0-9._-]{0,6}", text()), 0..4),
        subpath in proptest::option::of(text()),
    ) -> Option<Purl> {
        let mut b = Purl::builder().ty(ty).name(name);
        if let Some(ns) = ns { b = b.namespace(ns.join("/")); }
        if let Some(v) = version { b = b.version(v); }
        for (k, v) in quals { b = b.qualifier(k, v); }
        if let Some(s) = subpath { b = b.subpath(s); }
        // Per-type rules reject some combinations; those are not round-trip cases.
        b.build().ok()
    }
}

fn wfn_value() -> impl Strategy<Value = Value> {
    let literal = "[ -~]{1,10}".prop_map(|s| Value::literal(&s));
    let wild = ("[*?]?|\\?\\?", "[a-z0-9_.-]{1,8}", "[*?]?").prop_map(|(a, m, z)| {
        let body = AvString::literal(&m)
            .map(|s| s.as_wfn().to_owned())
            .unwrap_or_default();
        Value::wfn(&format!("{a}{body}{z}"))
    });
    prop_oneof![
        Just(Value::Any),
        Just(Value::Na),
        literal.prop_filter_map("valid", Result::ok),
        wild.prop_filter_map("valid", Result::ok),
    ]
}

fn any_cpe(values: impl Strategy<Value = Value>) -> impl Strategy<Value = Cpe> {
    (
        prop_oneof![
            Just(Value::Any),
            Just("a").prop_map(|p| Value::wfn(p).unwrap()),
            Just("o").prop_map(|p| Value::wfn(p).unwrap()),
            Just("h").prop_map(|p| Value::wfn(p).unwrap()),
        ],
        proptest::collection::vec(values, 10),
    )
        .prop_map(|(part, rest)| {
            let mut c = Cpe::new();
            let _ = c.set(Attribute::Part, part);
            for (a, v) in Attribute::ALL[1..].iter().zip(rest) {
                let _ = c.set(*a, v);
            }
            c
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn purl_round_trips(p in any_purl()) {
        if let Some(p) = p {
            let s = p.to_string();
            let back: Purl = s.parse().map_err(|e| TestCaseError::fail(format!("{s}: {e}")))?;
            prop_assert_eq!(&back, &p, "{}", s);
            prop_assert_eq!(back.to_string(), s);
            prop_assert_eq!(Purl::parse_lenient(&p.to_string()).ok(), Some(p));
        }
    }

    #[test]
    fn purl_parse_never_panics_and_is_idempotent(s in "pkg:[ -~é]{0,40}") {
        if let Ok(p) = s.parse::<Purl>() {
            let again: Purl = p.to_string().parse().map_err(|e| TestCaseError::fail(format!("{p}: {e}")))?;
            prop_assert_eq!(again, p);
        }
    }

    #[test]
    fn cpe_round_trips_through_both_bindings(c in any_cpe(wfn_value())) {
        let fs = c.to_formatted_string();
        prop_assert_eq!(&Cpe::from_formatted_string(&fs).map_err(|e| TestCaseError::fail(format!("{fs}: {e}")))?, &c, "{}", fs);
        let uri = c.to_uri();
        prop_assert_eq!(&Cpe::from_uri(&uri).map_err(|e| TestCaseError::fail(format!("{uri}: {e}")))?, &c, "{}", uri);
        let w = c.to_wfn_string();
        prop_assert_eq!(&Cpe::from_wfn_string(&w).map_err(|e| TestCaseError::fail(format!("{w}: {e}")))?, &c, "{}", w);
    }

    #[test]
    fn cpe_parse_never_panics_and_is_idempotent(s in prop_oneof!["cpe:2.3:[ -~]{0,40}", "cpe:/[ -~]{0,30}", "wfn:\\[[ -~]{0,30}\\]"]) {
        if let Ok(c) = s.parse::<Cpe>() {
            prop_assert_eq!(Cpe::from_formatted_string(&c.to_formatted_string()).ok(), Some(c.clone()));
            prop_assert_eq!(Cpe::from_uri(&c.to_uri()).ok(), Some(c));
        }
    }

    /// On wildcard-free names (the only targets NISTIR 7696 defines relations for):
    /// EQUAL is symmetric and SUPERSET(a, b) holds exactly when SUBSET(b, a) does, per
    /// attribute and per name; DISJOINT is symmetric.
    #[test]
    fn cpe_relations_are_consistent(
        a in any_cpe(wfn_value().prop_filter("no wildcards", |v| !v.as_str().is_some_and(|s| s.has_wildcards()))),
        b in any_cpe(wfn_value().prop_filter("no wildcards", |v| !v.as_str().is_some_and(|s| s.has_wildcards()))),
    ) {
        let ab = a.compare(&b);
        let ba = b.compare(&a);
        for ((attr, x), (_, y)) in ab.iter().zip(ba.iter()) {
            prop_assert_eq!(x == R::Equal, y == R::Equal, "{}", attr);
            prop_assert_eq!(x == R::Superset, y == R::Subset, "{}", attr);
            prop_assert_eq!(x == R::Disjoint, y == R::Disjoint, "{}", attr);
            prop_assert_ne!(x, R::Undefined);
        }
        prop_assert_eq!(a.is_equal_to(&b), b.is_equal_to(&a));
        prop_assert_eq!(a.is_superset_of(&b), b.is_subset_of(&a));
        prop_assert_eq!(a.is_disjoint_from(&b), b.is_disjoint_from(&a));
        prop_assert!(a.is_equal_to(&a));
    }

    /// A source with wildcards is a superset of every wildcard-free target it matches, and
    /// matching never reports SUBSET or EQUAL for such a pair.
    #[test]
    fn cpe_wildcard_source_is_superset_or_disjoint(m in "[a-z0-9]{1,6}", pre in "[a-z0-9]{0,3}", post in "[a-z0-9]{0,3}") {
        let source = Value::wfn(&format!("*{m}*")).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let target = Value::literal(&format!("{pre}{m}{post}")).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(medsec_core::cpe::compare_attributes(&source, &target), R::Superset);
    }
}
