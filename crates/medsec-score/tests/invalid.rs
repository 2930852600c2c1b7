//! Invalid vectors: one test per error kind, each checking the offending part and its
//! byte offset.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use medsec_score::{CvssError, parse};

fn err(v: &str) -> CvssError {
    match parse(v) {
        Ok(x) => panic!("{v} was accepted as {x}"),
        Err(e) => e,
    }
}

#[test]
fn empty() {
    assert_eq!(err(""), CvssError::Empty);
    assert_eq!(err("()"), CvssError::Empty);
}

#[test]
fn missing_prefix() {
    let e = err("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    assert!(
        matches!(e, CvssError::MissingPrefix { offset: 0, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("AV:N"), "{e}");
}

#[test]
fn wrong_prefix() {
    for v in [
        "CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P",
        "CVSS:4.1/AV:N",
    ] {
        let e = err(v);
        assert!(
            matches!(e, CvssError::WrongPrefix { offset: 0, .. }),
            "{v}: {e:?}"
        );
        assert!(e.to_string().contains(&v[..8]), "{e}");
    }
    // Wrong prefix through the per-version entry points.
    assert!(matches!(
        medsec_score::v3::V3Vector::parse("CVSS:4.0/AV:N"),
        Err(CvssError::WrongPrefix { .. })
    ));
}

#[test]
fn unknown_metric() {
    let v = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:Y";
    let e = err(v);
    assert_eq!(
        e,
        CvssError::UnknownMetric {
            metric: "XX".into(),
            offset: v.find("XX").unwrap(),
            version: medsec_score::Version::V3_1
        }
    );
    assert!(
        e.to_string().contains("\"XX\"") && e.to_string().contains("byte 45"),
        "{e}"
    );
    // A v4 metric in a v3 vector.
    assert!(matches!(
        err("CVSS:3.0/AV:N/AC:L/AT:N/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        CvssError::UnknownMetric { offset: 19, .. }
    ));
}

#[test]
fn duplicate_metric() {
    let v = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:L";
    let e = err(v);
    assert_eq!(
        e,
        CvssError::DuplicateMetric {
            metric: "AV".into(),
            offset: 45,
            first_offset: 9
        }
    );
    assert!(matches!(
        err("AV:N/AC:L/Au:N/C:P/I:P/A:P/E:F/E:F"),
        CvssError::DuplicateMetric { offset: 31, .. }
    ));
}

#[test]
fn missing_metric() {
    let v = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H";
    let e = err(v);
    assert!(
        matches!(e, CvssError::MissingMetric { metric: "S", offset, .. } if offset == v.len()),
        "{e:?}"
    );
    assert!(e.to_string().contains("\"S\""), "{e}");
    assert!(matches!(
        err("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N"),
        CvssError::MissingMetric { metric: "SA", .. }
    ));
    assert!(matches!(
        err("AV:N/AC:L/Au:N/C:P/I:P"),
        CvssError::MissingMetric { metric: "A", .. }
    ));
}

#[test]
fn bad_value() {
    let v = "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    let e = err(v);
    assert!(
        matches!(&e, CvssError::BadValue { metric, value, offset: 12, expected } if metric == "AV" && value == "Q" && expected == "N, A, L, P"),
        "{e:?}"
    );
    // MSI:S exists in v4 but SI:S does not.
    assert!(matches!(
        err("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N"),
        CvssError::BadValue { offset: 57, .. }
    ));
    // Values are case-sensitive.
    assert!(matches!(
        err("AV:n/AC:L/Au:N/C:P/I:P/A:P"),
        CvssError::BadValue { offset: 3, .. }
    ));
}

#[test]
fn malformed() {
    for (v, off) in [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", 45),
        ("CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 14),
        ("CVSS:3.1/AVN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9),
        ("CVSS:3.1/", 9),
        ("CVSS:4.0/AV:N:N/AC:L", 9),
    ] {
        let e = err(v);
        assert!(
            matches!(e, CvssError::Malformed { offset, .. } if offset == off),
            "{v}: {e:?}"
        );
    }
}

#[test]
fn out_of_order_v4_and_v2() {
    // v4.0 spec section 7: Table 23's order is mandatory.
    let v = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/SC:N/VI:H/SI:N/VA:H/SA:N";
    let e = err(v);
    assert!(
        matches!(&e, CvssError::OutOfOrder { metric, offset: 44, after, .. } if metric == "VI" && after == "SC"),
        "{e:?}"
    );
    // Threat after environmental.
    assert!(matches!(
        err("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/CR:H/E:A"),
        CvssError::OutOfOrder { .. }
    ));
    // v2: the guide's predetermined order.
    assert!(matches!(
        err("AV:N/AC:L/Au:N/A:P/I:P/C:P"),
        CvssError::OutOfOrder { .. }
    ));
    // v3 accepts any order.
    assert!(parse("CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N").is_ok());
}

#[test]
fn every_error_has_a_code_and_offset() {
    let e = err("CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    assert_eq!(e.code(), "cvss::bad-value");
    assert_eq!(e.offset(), 12);
}
