//! CPE tests taken from the specifications' own examples. Each case names its source:
//! NISTIR 7695 (CPE Naming 2.3) section and example number, NISTIR 7696 (CPE Name Matching
//! 2.3) table and row. The example texts were located through public transcriptions of the
//! NISTIR 7695 examples (test tables of several CPE libraries quoting §5.5, §6.1.2.4,
//! §6.1.3.3, §6.2.2.3, §6.2.3.3) and checked against each other.

use medsec_core::cpe::{Attribute, AttributeRelation as R, Cpe, CpeErrorKind, Value};

fn wfn(s: &str) -> Cpe {
    Cpe::from_wfn_string(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

// NISTIR 7695 §6.1.2.4: binding a WFN to a URI, examples 1-5.
#[test]
fn nistir7695_6_1_2_4_bind_to_uri() {
    let cases = [
        (
            r#"wfn:[part="a",vendor="microsoft",product="internet_explorer",version="8\.0\.6001",update="beta",edition=ANY]"#,
            "cpe:/a:microsoft:internet_explorer:8.0.6001:beta",
        ),
        (
            r#"wfn:[part="a",vendor="microsoft",product="internet_explorer",version="8\.*",update="sp?"]"#,
            "cpe:/a:microsoft:internet_explorer:8.%02:sp%01",
        ),
        (
            r#"wfn:[part="a",vendor="hp",product="insight_diagnostics",version="7\.4\.0\.1570",update=NA,sw_edition="online",target_sw="win2003",target_hw="x64"]"#,
            "cpe:/a:hp:insight_diagnostics:7.4.0.1570:-:~~online~win2003~x64~",
        ),
        (
            r#"wfn:[part="a",vendor="hp",product="openview_network_manager",version="7\.51",target_sw="linux"]"#,
            "cpe:/a:hp:openview_network_manager:7.51::~~~linux~~",
        ),
        (
            r#"wfn:[part="a",vendor="foo\\bar",product="big\$money_manager_2010",sw_edition="special",target_sw="ipod_touch",target_hw="80gb"]"#,
            "cpe:/a:foo%5cbar:big%24money_manager_2010:::~~special~ipod_touch~80gb~",
        ),
    ];
    for (w, uri) in cases {
        assert_eq!(wfn(w).to_uri(), uri, "{w}");
    }
}

// NISTIR 7695 §6.1.3.3: unbinding a URI, examples 1-8.
#[test]
fn nistir7695_6_1_3_3_unbind_uri() {
    let ok = [
        (
            "cpe:/a:microsoft:internet_explorer:8.0.6001:beta",
            r#"wfn:[part="a",vendor="microsoft",product="internet_explorer",version="8\.0\.6001",update="beta",edition=ANY,language=ANY]"#,
        ),
        (
            "cpe:/a:microsoft:internet_explorer:8.%2a:sp%3f",
            r#"wfn:[part="a",vendor="microsoft",product="internet_explorer",version="8\.\*",update="sp\?",edition=ANY,language=ANY]"#,
        ),
        (
            "cpe:/a:microsoft:internet_explorer:8.%02:sp%01",
            r#"wfn:[part="a",vendor="microsoft",product="internet_explorer",version="8\.*",update="sp?",edition=ANY,language=ANY]"#,
        ),
        (
            "cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~",
            r#"wfn:[part="a",vendor="hp",product="insight_diagnostics",version="7\.4\.0\.1570",update=ANY,edition=ANY,sw_edition="online",target_sw="win2003",target_hw="x64",other=ANY,language=ANY]"#,
        ),
        (
            "cpe:/a:hp:openview_network_manager:7.51:-:~~~linux~~",
            r#"wfn:[part="a",vendor="hp",product="openview_network_manager",version="7\.51",update=NA,edition=ANY,sw_edition=ANY,target_sw="linux",target_hw=ANY,other=ANY,language=ANY]"#,
        ),
        // Example 7: a tilde outside the edition is an ordinary (quoted) character.
        (
            "cpe:/a:foo~bar:big%7emoney_2010",
            r#"wfn:[part="a",vendor="foo\~bar",product="big\~money_2010",version=ANY,update=ANY,edition=ANY,language=ANY]"#,
        ),
    ];
    for (uri, w) in ok {
        assert_eq!(
            Cpe::from_uri(uri).unwrap_or_else(|e| panic!("{uri}: {e}")),
            wfn(w),
            "{uri}"
        );
    }
    // Example 6: "%07" is not a percent-encoding the binding defines.
    let e = Cpe::from_uri("cpe:/a:foo%5cbar:big%24money_2010%07:::~~special~ipod_touch~80gb~")
        .unwrap_err();
    assert_eq!(
        (e.kind, e.attribute),
        (
            CpeErrorKind::InvalidPercentEncoding,
            Some(Attribute::Product)
        )
    );
    // Example 8: "%02" (unquoted *) embedded in the middle of a value.
    let e = Cpe::from_uri("cpe:/a:foo:bar:12.%02.1234").unwrap_err();
    assert_eq!(e.kind, CpeErrorKind::EmbeddedWildcard('*'));
    assert_eq!(e.offset, Some(18));
}

// NISTIR 7695 §6.2.2.3: binding a WFN to a formatted string, examples 1-5.
#[test]
fn nistir7695_6_2_2_3_bind_to_formatted_string() {
    let cases = [
        (
            r#"wfn:[part="a",vendor="microsoft",product="internet_explorer",version="8\.0\.6001",update="beta",edition=ANY]"#,
            "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*",
        ),
        (
            r#"wfn:[part="a",vendor="microsoft",product="internet_explorer",version="8\.*",update="sp?",edition=ANY]"#,
            "cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*",
        ),
        (
            r#"wfn:[part="a",vendor="hp",product="insight_diagnostics",version="7\.4\.0\.1570",update=NA,sw_edition="online",target_sw="win2003",target_hw="x64"]"#,
            "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*",
        ),
        (
            r#"wfn:[part="a",vendor="hp",product="openview_network_manager",version="7\.51",target_sw="linux"]"#,
            "cpe:2.3:a:hp:openview_network_manager:7.51:*:*:*:*:linux:*:*",
        ),
        (
            r#"wfn:[part="a",vendor="foo\\bar",product="big\$money_2010",sw_edition="special",target_sw="ipod_touch",target_hw="80gb"]"#,
            r"cpe:2.3:a:foo\\bar:big\$money_2010:*:*:*:*:special:ipod_touch:80gb:*",
        ),
    ];
    for (w, fs) in cases {
        assert_eq!(wfn(w).to_formatted_string(), fs, "{w}");
    }
}

// NISTIR 7695 §6.2.3.3: unbinding a formatted string, examples 1-4.
#[test]
fn nistir7695_6_2_3_3_unbind_formatted_string() {
    let ok = [
        (
            "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*",
            r#"wfn:[part="a",vendor="microsoft",product="internet_explorer",version="8\.0\.6001",update="beta",edition=ANY,language=ANY,sw_edition=ANY,target_sw=ANY,target_hw=ANY,other=ANY]"#,
        ),
        (
            "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*",
            r#"wfn:[part="a",vendor="hp",product="insight_diagnostics",version="7\.4\.0\.1570",update=NA,edition=ANY,language=ANY,sw_edition="online",target_sw="win2003",target_hw="x64",other=ANY]"#,
        ),
        (
            r"cpe:2.3:a:foo\\bar:big\$money:2010:*:*:*:special:ipod_touch:80gb:*",
            r#"wfn:[part="a",vendor="foo\\bar",product="big\$money",version="2010",update=ANY,edition=ANY,language=ANY,sw_edition="special",target_sw="ipod_touch",target_hw="80gb",other=ANY]"#,
        ),
    ];
    for (fs, w) in ok {
        assert_eq!(
            Cpe::from_formatted_string(fs).unwrap_or_else(|e| panic!("{fs}: {e}")),
            wfn(w),
            "{fs}"
        );
    }
    // Example 3: an unquoted asterisk embedded in the version is an error.
    let e = Cpe::from_formatted_string(
        "cpe:2.3:a:hp:insight_diagnostics:7.4.*.1570:-:*:*:online:win2003:x64:*",
    )
    .unwrap_err();
    assert_eq!(e.kind, CpeErrorKind::EmbeddedWildcard('*'));
    assert_eq!(e.attribute, Some(Attribute::Version));
    assert_eq!(e.offset, Some(37));
}

// NISTIR 7695 §5.5: WFN examples, read and written back.
#[test]
fn nistir7695_5_5_wfn_examples_round_trip() {
    for w in [
        r#"wfn:[part="a",vendor="microsoft",product="internet_explorer",version="8\.0\.6001",update="beta",edition=NA]"#,
        r#"wfn:[part="a",vendor="microsoft",product="internet_explorer",version="8\.*",update="sp?",edition=NA,language=ANY]"#,
        r#"wfn:[part="a",vendor="hp",product="insight_diagnostics",version="7\.4\.0\.1570",sw_edition="online",target_sw="windows_2003",target_hw="x64"]"#,
        r#"wfn:[part="a",vendor="hp",product="openview_network_manager",version="7\.51",update=NA,target_sw="linux"]"#,
        r#"wfn:[part="a",vendor="foo\\bar",product="big\$money_2010",sw_edition="special",target_sw="ipod_touch"]"#,
    ] {
        let c = wfn(w);
        assert_eq!(Cpe::from_wfn_string(&c.to_wfn_string()).unwrap(), c);
        assert_eq!(
            Cpe::from_formatted_string(&c.to_formatted_string()).unwrap(),
            c
        );
        assert_eq!(Cpe::from_uri(&c.to_uri()).unwrap(), c);
    }
}

fn v(s: &str) -> Value {
    match s {
        "ANY" => Value::Any,
        "NA" => Value::Na,
        _ => Value::wfn(s).unwrap(),
    }
}

// NISTIR 7696 §6.1.2, Table 6-2: the attribute comparison relations, all 17 rows.
// (Row numbers as the table gives them; cross-checked against the row numbers cited in
// stevespringett/cpe-parser issue #30 and DependencyTrack/dependency-track issue #2988.)
#[test]
fn nistir7696_table_6_2_attribute_relations() {
    let rows = [
        (1, "ANY", "ANY", R::Equal),
        (2, "ANY", "NA", R::Superset),
        (3, "ANY", "windows_7", R::Superset),
        (4, "ANY", "7\\.*", R::Undefined),
        (5, "NA", "ANY", R::Subset),
        (6, "NA", "NA", R::Equal),
        (7, "NA", "windows_7", R::Disjoint),
        (8, "NA", "7\\.*", R::Undefined),
        (9, "windows_7", "windows_7", R::Equal),
        (10, "windows_7", "windows_8", R::Disjoint),
        (11, "windows_7", "7\\.*", R::Undefined),
        (12, "windows_7", "NA", R::Disjoint),
        (13, "windows_7", "ANY", R::Subset),
        (14, "7\\.*", "7\\.?", R::Undefined),
        (15, "7\\.*", "ANY", R::Subset),
        (16, "7\\.*", "NA", R::Disjoint),
        (17, "7\\.*", "7\\.1", R::Superset),
    ];
    for (row, s, t, want) in rows {
        assert_eq!(
            medsec_core::cpe::compare_attributes(&v(s), &v(t)),
            want,
            "row {row}: {s} vs {t}"
        );
    }
    // Row 17, the other outcome: "m + wild cards" that does not match "i" is DISJOINT.
    assert_eq!(
        medsec_core::cpe::compare_attributes(&v("7\\.*"), &v("8\\.1")),
        R::Disjoint
    );
}

// NISTIR 7696 §6.1.3.2 (compare): values compare case-insensitively; wildcard semantics of
// compareStrings: `*` any run, `?` (at the ends) up to one character each.
#[test]
fn nistir7696_6_1_3_2_string_comparison() {
    let cases = [
        ("Microsoft", "microsoft", R::Equal),
        ("8\\.0\\.*", "8\\.0\\.6001", R::Superset),
        ("*\\.6001", "8\\.0\\.6001", R::Superset),
        ("*0\\.6*", "8\\.0\\.6001", R::Superset),
        ("sp?", "sp1", R::Superset),
        ("sp?", "sp12", R::Disjoint),
        ("??1", "sp1", R::Superset),
        ("8\\.\\*", "8\\.0", R::Disjoint),
        ("8\\.\\*", "8\\.\\*", R::Equal),
    ];
    for (s, t, want) in cases {
        assert_eq!(
            medsec_core::cpe::compare_attributes(&v(s), &v(t)),
            want,
            "{s} vs {t}"
        );
    }
}

// NISTIR 7696 §6.2: CPE_Name_Compare and the four set relations, on a vulnerability-style
// source (version wildcard, other attributes ANY) and a component-style target.
#[test]
fn nistir7696_6_2_name_relations() {
    let source: Cpe = "cpe:2.3:a:microsoft:internet_explorer:8.*:*:*:*:*:*:*:*"
        .parse()
        .unwrap();
    let target: Cpe = "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:-:en:*:*:*:*"
        .parse()
        .unwrap();
    let c = source.compare(&target);
    assert_eq!(c.get(Attribute::Part), R::Equal);
    assert_eq!(c.get(Attribute::Version), R::Superset);
    assert_eq!(c.get(Attribute::Update), R::Superset);
    assert_eq!(c.get(Attribute::Edition), R::Superset);
    assert!(source.is_superset_of(&target));
    assert!(!source.is_subset_of(&target) && !source.is_equal_to(&target));
    assert!(!source.is_disjoint_from(&target));
    assert_eq!(c.relation(), R::Superset);
    assert!(
        target.is_subset_of(
            &"cpe:2.3:a:microsoft:internet_explorer:*:*:*:*:*:*:*:*"
                .parse()
                .unwrap()
        )
    );

    let other: Cpe = "cpe:2.3:a:microsoft:internet_explorer:9.0:*:*:*:*:*:*:*"
        .parse()
        .unwrap();
    assert!(source.is_disjoint_from(&other));
    // A target with wildcards makes the comparison undefined, not a match.
    assert_eq!(target.compare(&source).relation(), R::Undefined);
    assert!(
        Cpe::from_uri("cpe:/A:MICROSOFT:IE")
            .unwrap()
            .is_equal_to(&Cpe::from_uri("cpe:/a:microsoft:ie").unwrap())
    );
}
