//! Component support level and end of support: SBOM properties, the curated file, precedence,
//! conflicts and alerts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use jiff::civil::{Date, date};
use medsec_core::component::{Component, Sbom};
use medsec_formats::sbom;
use medsec_postmarket::support::{
    Alert, AlertKind, ComponentId, ComponentSupport, Curated, CuratedError, Source, SupportField,
    SupportInfo, SupportLevel, SupportProblemKind, VersionRange, alerts, compare_versions, resolve,
    resolve_sbom,
};

/// A test component: name, version, purl (empty for none) and properties.
type TestComponent<'a> = (&'a str, &'a str, &'a str, &'a [(&'a str, Option<&'a str>)]);

/// A CycloneDX 1.6 document with these components.
fn cyclonedx(components: &[TestComponent<'_>]) -> Sbom {
    let components: Vec<serde_json::Value> = components
        .iter()
        .enumerate()
        .map(|(i, (name, version, purl, props))| {
            let properties: Vec<serde_json::Value> = props
                .iter()
                .map(|(n, v)| match v {
                    Some(v) => serde_json::json!({ "name": n, "value": v }),
                    None => serde_json::json!({ "name": n }),
                })
                .collect();
            let mut c = serde_json::json!({
                "type": "library",
                "bom-ref": format!("c{i}"),
                "name": name,
                "version": version,
                "properties": properties,
            });
            if !purl.is_empty() {
                c["purl"] = serde_json::json!(purl);
            }
            c
        })
        .collect();
    let doc = serde_json::json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "components": components,
    });
    let reading = sbom::read(serde_json::to_string_pretty(&doc).unwrap().as_bytes()).unwrap();
    reading.sbom
}

fn component<'a>(sbom: &'a Sbom, name: &str) -> &'a Component {
    sbom.components.iter().find(|c| c.name == name).unwrap()
}

fn info(sbom: &Sbom, name: &str, curated: Option<&Curated>) -> SupportInfo {
    let c = component(sbom, name);
    resolve(c, &c.properties, curated)
}

fn curated(text: &str) -> Curated {
    Curated::parse("component-support.yaml", text).unwrap()
}

fn sbom_source(property: &str, value: &str) -> Source {
    Source::Sbom {
        property: property.to_owned(),
        value: value.to_owned(),
    }
}

#[test]
fn properties_are_read_from_a_cyclonedx_sbom() {
    let sbom = cyclonedx(&[
        (
            "registered",
            "1.0",
            "pkg:generic/registered@1.0",
            &[
                (
                    "cdx:lifecycle:milestone:endOfSupport",
                    Some("2027-01-31T00:00:00Z"),
                ),
                ("cdx:fda:level-of-support", Some("actively maintained")),
            ],
        ),
        (
            "ours",
            "1.1.1k",
            "pkg:generic/ours@1.1.1k",
            &[
                ("medsec:support:level", Some("no-longer-maintained")),
                ("medsec:support:end", Some("2023-09-11")),
            ],
        ),
        (
            "spdx-words",
            "2",
            "",
            &[("cdx:fda:level-of-support", Some("limitedSupport"))],
        ),
        ("silent", "1", "", &[("other:property", Some("x"))]),
    ]);

    let registered = info(&sbom, "registered", None);
    assert_eq!(registered.level, SupportLevel::ActivelyMaintained);
    assert_eq!(
        registered.level_source,
        sbom_source("cdx:fda:level-of-support", "actively maintained")
    );
    // A timestamp gives its date as written.
    assert_eq!(registered.end_of_support, Some(date(2027, 1, 31)));
    assert_eq!(
        registered.end_of_support_source,
        sbom_source(
            "cdx:lifecycle:milestone:endOfSupport",
            "2027-01-31T00:00:00Z"
        )
    );
    assert!(registered.problems.is_empty() && registered.conflicts.is_empty());

    let ours = info(&sbom, "ours", None);
    assert_eq!(ours.level, SupportLevel::NoLongerMaintained);
    assert_eq!(ours.end_of_support, Some(date(2023, 9, 11)));
    assert_eq!(
        ours.end_of_support_source,
        sbom_source("medsec:support:end", "2023-09-11")
    );

    assert_eq!(
        info(&sbom, "spdx-words", None).level,
        SupportLevel::LimitedSupport
    );

    let silent = info(&sbom, "silent", None);
    assert_eq!(silent.level, SupportLevel::Unknown);
    assert_eq!(silent.level_source, Source::Unknown);
    assert_eq!(silent.end_of_support, None);
    assert_eq!(silent.end_of_support_source, Source::Unknown);
    assert!(silent.problems.is_empty());
}

#[test]
fn unreadable_properties_are_problems_not_panics() {
    let sbom = cyclonedx(&[
        (
            "odd-level",
            "1",
            "",
            &[("medsec:support:level", Some("kind of maintained"))],
        ),
        (
            "odd-date",
            "1",
            "",
            &[
                ("medsec:support:end", Some("September 2025")),
                ("cdx:fda:end-of-support-date", Some("2025-09")),
            ],
        ),
        ("empty", "1", "", &[("medsec:support:level", None)]),
        (
            "disagreeing",
            "1",
            "",
            &[
                ("medsec:support:level", Some("actively-maintained")),
                ("cdx:fda:level-of-support", Some("abandoned")),
            ],
        ),
    ]);

    let odd = info(&sbom, "odd-level", None);
    assert_eq!(odd.level, SupportLevel::Unknown);
    assert_eq!(odd.level_source, Source::Unknown);
    assert_eq!(odd.problems.len(), 1);
    let p = &odd.problems[0];
    assert_eq!(p.kind, SupportProblemKind::UnparseableLevel);
    assert_eq!(p.property.as_deref(), Some("medsec:support:level"));
    assert_eq!(p.value.as_deref(), Some("kind of maintained"));
    assert!(
        p.message.contains("not a level of support"),
        "{}",
        p.message
    );

    let odd_date = info(&sbom, "odd-date", None);
    assert_eq!(odd_date.end_of_support, None);
    let kinds: Vec<_> = odd_date.problems.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [
            SupportProblemKind::UnparseableDate,
            SupportProblemKind::UnparseableDate
        ]
    );
    // The preferred (proposed taxonomy) name is reported first.
    assert_eq!(
        odd_date.problems[0].property.as_deref(),
        Some("cdx:fda:end-of-support-date")
    );

    let empty = info(&sbom, "empty", None);
    assert_eq!(empty.problems[0].kind, SupportProblemKind::EmptyValue);

    // The proposed taxonomy name comes before ours, whatever the document order.
    let disagreeing = info(&sbom, "disagreeing", None);
    assert_eq!(disagreeing.level, SupportLevel::Abandoned);
    assert_eq!(disagreeing.problems.len(), 1);
    assert_eq!(
        disagreeing.problems[0].kind,
        SupportProblemKind::Disagreement
    );
    assert_eq!(
        disagreeing.problems[0].property.as_deref(),
        Some("medsec:support:level")
    );
}

#[test]
fn levels_parse_leniently_and_serialise_canonically() {
    for (text, level) in [
        ("Actively Maintained", SupportLevel::ActivelyMaintained),
        ("actively_maintained", SupportLevel::ActivelyMaintained),
        ("support", SupportLevel::ActivelyMaintained),
        ("security fixes only", SupportLevel::LimitedSupport),
        ("No longer maintained", SupportLevel::NoLongerMaintained),
        ("EOL", SupportLevel::NoLongerMaintained),
        ("noSupport", SupportLevel::NoLongerMaintained),
        ("abandoned", SupportLevel::Abandoned),
        ("NOASSERTION", SupportLevel::Unknown),
    ] {
        assert_eq!(SupportLevel::parse(text), Some(level), "{text}");
    }
    for text in ["", "development", "endOfSupport", "maybe"] {
        assert_eq!(SupportLevel::parse(text), None, "{text}");
    }
    for level in SupportLevel::ALL {
        assert_eq!(SupportLevel::parse(level.as_str()), Some(level));
        assert_eq!(
            serde_json::to_value(level).unwrap(),
            serde_json::json!(level.as_str())
        );
    }
}

const CURATED: &str = "\
# test file
components:
  - purl: pkg:generic/openssl@1.1.1k
    level: no-longer-maintained
    end_of_support: 2023-09-11
    source: https://example.invalid/exact
  - purl: pkg:generic/openssl
    versions: \"3.0.*\"
    level: actively-maintained
    end_of_support: 2026-09-07
    source: https://example.invalid/openssl-3.0
    note: LTS
  - purl: pkg:generic/openssl
    level: unknown
    source: https://example.invalid/any-openssl
  - name: Python
    versions: \">=3.8, <3.9\"
    level: limited-support
    end_of_support: 2024-10-07
    source: https://example.invalid/python
  - name: zephyr
    versions: \"<=3.4.0\"
    level: no-longer-maintained
    source: https://example.invalid/zephyr
";

#[test]
fn curated_entries_match_by_purl_with_and_without_version_and_by_name_and_range() {
    let curated = curated(CURATED);
    assert_eq!(curated.entries.len(), 5);
    assert_eq!(curated.entries[0].line, 3);
    let sbom = cyclonedx(&[
        ("openssl", "1.1.1k", "pkg:generic/openssl@1.1.1k", &[]),
        ("openssl", "1.1.1w", "pkg:generic/openssl@1.1.1w", &[]),
        ("openssl", "3.0.2", "pkg:generic/openssl@3.0.2", &[]),
        ("python", "3.8.17", "pkg:generic/python@3.8.17", &[]),
        ("python", "3.9.17", "pkg:generic/python@3.9.17", &[]),
        (
            "zephyr",
            "3.4.0",
            "pkg:github/zephyrproject-rtos/zephyr@v3.4.0",
            &[],
        ),
        (
            "zephyr",
            "3.5.0",
            "pkg:github/zephyrproject-rtos/zephyr@v3.5.0",
            &[],
        ),
        ("libopenssl", "1.1.1k", "pkg:generic/libopenssl@1.1.1k", &[]),
    ]);
    let numbers = |i: usize| -> Vec<usize> {
        curated
            .matching(&sbom.components[i])
            .map(|(n, _)| n)
            .collect()
    };
    // purl with version: that version only; purl without version: every version.
    assert_eq!(numbers(0), [1, 3]);
    assert_eq!(numbers(1), [3]);
    assert_eq!(numbers(2), [2, 3]);
    // name (ASCII case ignored) with a range of two constraints.
    assert_eq!(numbers(3), [4]);
    assert!(numbers(4).is_empty());
    // `<=` includes its bound; the purl's `v` does not matter.
    assert_eq!(numbers(5), [5]);
    assert!(numbers(6).is_empty());
    // Another purl name is another package.
    assert!(numbers(7).is_empty());

    let exact = resolve(&sbom.components[0], &[], Some(&curated));
    assert_eq!(exact.level, SupportLevel::NoLongerMaintained);
    assert_eq!(exact.end_of_support, Some(date(2023, 9, 11)));
    assert_eq!(
        exact.level_source,
        Source::Curated {
            file: "component-support.yaml".to_owned(),
            entry: 1,
            line: 3,
            reference: "https://example.invalid/exact".to_owned(),
            note: None,
        }
    );
    // The first matching entry is used; the others are reported.
    assert_eq!(exact.problems.len(), 1);
    assert_eq!(
        exact.problems[0].kind,
        SupportProblemKind::SeveralCuratedEntries
    );
    assert!(
        exact.problems[0]
            .message
            .contains("component-support.yaml:13 (entry 3) also matches"),
        "{}",
        exact.problems[0].message
    );

    let any = resolve(&sbom.components[1], &[], Some(&curated));
    assert_eq!(any.level, SupportLevel::Unknown);
    assert_eq!(any.end_of_support, None);
    assert_eq!(any.end_of_support_source, Source::Unknown);
    assert!(any.problems.is_empty());
}

#[test]
fn version_ranges_and_comparison() {
    let r = |t: &str| VersionRange::parse(t).unwrap();
    assert!(r("*").matches("anything"));
    assert!(r("3.8.*").matches("3.8.17"));
    assert!(r("3.8.*").matches("3.8"));
    assert!(!r("3.8.*").matches("3.80"));
    assert!(r("1.1.1*").matches("1.1.1k"));
    assert!(r("=10.4.3").matches("10.4.3"));
    assert!(r("10.4.3").matches("V10.4.3"));
    assert!(!r("10.4.3").matches("10.4.30"));
    assert!(r("<2.9.10.5").matches("2.9.10.4"));
    assert!(!r("<2.9.10.4").matches("2.9.10.4"));
    assert!(r("<=2.9.10.4").matches("2.9.10.4"));
    assert!(r(">9, <10").matches("9.4.41.v20210516"));
    assert!(!r(">9, <10").matches("10.0.1"));
    for bad in ["", "<", "1.*.2", "3.*, ", "=3.*", "*3"] {
        assert!(VersionRange::parse(bad).is_err(), "{bad:?}");
    }

    use std::cmp::Ordering::*;
    assert_eq!(compare_versions("1.1.1k", "1.1.1"), Greater);
    assert_eq!(compare_versions("1.1.1k", "1.1.1l"), Less);
    assert_eq!(compare_versions("v3.4.0", "3.4.0"), Equal);
    assert_eq!(compare_versions("10.0", "9.9"), Greater);
    assert_eq!(compare_versions("2019.04", "2019.4"), Equal);
    assert_eq!(compare_versions("8.9p1", "8.9"), Greater);
}

#[test]
fn the_sbom_wins_and_a_contradicting_curated_entry_is_a_conflict() {
    let curated = curated(CURATED);
    let sbom = cyclonedx(&[
        (
            "openssl",
            "3.0.2",
            "pkg:generic/openssl@3.0.2",
            &[
                ("medsec:support:level", Some("no-longer-maintained")),
                ("medsec:support:end", Some("2026-09-01")),
            ],
        ),
        (
            "python",
            "3.8.17",
            "pkg:generic/python@3.8.17",
            &[("medsec:support:level", Some("limited-support"))],
        ),
        (
            "zephyr",
            "3.4.0",
            "",
            &[("cdx:fda:level-of-support", Some("unknown"))],
        ),
    ]);

    let openssl = info(&sbom, "openssl", Some(&curated));
    assert_eq!(openssl.level, SupportLevel::NoLongerMaintained);
    assert_eq!(openssl.end_of_support, Some(date(2026, 9, 1)));
    assert_eq!(
        openssl.level_source,
        sbom_source("medsec:support:level", "no-longer-maintained")
    );
    let fields: Vec<_> = openssl.conflicts.iter().map(|c| c.field).collect();
    assert_eq!(fields, [SupportField::Level, SupportField::EndOfSupport]);
    let level = &openssl.conflicts[0];
    assert_eq!(level.sbom_value, "no-longer-maintained");
    assert_eq!(level.curated_value, "actively-maintained");
    assert_eq!(level.curated_line, 7);
    assert_eq!(
        level.to_string(),
        "level of support: the SBOM says no-longer-maintained (medsec:support:level) but \
         component-support.yaml:7 says actively-maintained; the SBOM's is used"
    );
    assert_eq!(openssl.conflicts[1].curated_value, "2026-09-07");

    // The SBOM gives the level, the curated file the date: no conflict, two sources.
    let python = info(&sbom, "python", Some(&curated));
    assert_eq!(python.level, SupportLevel::LimitedSupport);
    assert!(matches!(python.level_source, Source::Sbom { .. }));
    assert_eq!(python.end_of_support, Some(date(2024, 10, 7)));
    assert!(matches!(
        python.end_of_support_source,
        Source::Curated { entry: 4, .. }
    ));
    assert!(python.conflicts.is_empty());

    // An explicit `unknown` in the SBOM is kept and contradicts nothing.
    let zephyr = info(&sbom, "zephyr", Some(&curated));
    assert_eq!(zephyr.level, SupportLevel::Unknown);
    assert!(matches!(zephyr.level_source, Source::Sbom { .. }));
    assert!(zephyr.conflicts.is_empty());
}

fn supported(name: &str, level: SupportLevel, end: Option<Date>) -> ComponentSupport {
    let mut c = Component::new(medsec_core::component::ComponentKind::Library, name);
    c.version = Some("1.0".to_owned());
    ComponentSupport {
        component: ComponentId::of(&c),
        support: SupportInfo {
            level,
            level_source: Source::Unknown,
            end_of_support: end,
            end_of_support_source: Source::Unknown,
            conflicts: Vec::new(),
            problems: Vec::new(),
        },
    }
}

#[test]
fn alerts_have_kinds_and_are_sorted_by_urgency_then_name() {
    use SupportLevel::*;
    let today = date(2026, 6, 1);
    let components = [
        supported("zz-unknown", Unknown, None),
        supported("beyond-lead", ActivelyMaintained, Some(date(2026, 8, 31))),
        supported("at-lead", ActivelyMaintained, Some(date(2026, 8, 30))),
        supported("soon", LimitedSupport, Some(date(2026, 6, 30))),
        supported("tomorrow", ActivelyMaintained, Some(date(2026, 6, 2))),
        supported("ends-today", ActivelyMaintained, Some(today)),
        supported("long-gone", NoLongerMaintained, Some(date(2023, 9, 11))),
        supported("recently-gone", ActivelyMaintained, Some(date(2026, 5, 1))),
        supported("abandoned", Abandoned, None),
        supported(
            "eol-level-future-date",
            NoLongerMaintained,
            Some(date(2027, 1, 1)),
        ),
        supported("fine", ActivelyMaintained, None),
        supported("a-unknown", Unknown, Some(date(2030, 1, 1))),
    ];
    let got = alerts(&components, today, 90);
    let summary: Vec<(&str, AlertKind)> = got
        .iter()
        .map(|a| (a.component.name.as_str(), a.kind))
        .collect();
    assert_eq!(
        summary,
        [
            ("long-gone", AlertKind::PastEndOfSupport { days_past: 994 }),
            (
                "recently-gone",
                AlertKind::PastEndOfSupport { days_past: 31 }
            ),
            ("ends-today", AlertKind::PastEndOfSupport { days_past: 0 }),
            ("abandoned", AlertKind::NoLongerSupported),
            ("eol-level-future-date", AlertKind::NoLongerSupported),
            ("tomorrow", AlertKind::EndingSoon { days_left: 1 }),
            ("soon", AlertKind::EndingSoon { days_left: 29 }),
            ("at-lead", AlertKind::EndingSoon { days_left: 90 }),
            ("a-unknown", AlertKind::SupportUnknown),
            ("zz-unknown", AlertKind::SupportUnknown),
        ]
    );
    // Exactly `lead_days` left is inside the lead time; one more is not.
    assert!(alerts(&components[1..2], today, 90).is_empty());
    assert_eq!(alerts(&components[1..2], today, 91).len(), 1);
    // A lead time of zero still reports the day itself as past.
    let none_soon = alerts(&components, today, 0);
    assert!(
        !none_soon
            .iter()
            .any(|a| matches!(a.kind, AlertKind::EndingSoon { .. }))
    );
}

#[test]
fn alerts_serialise_flat_and_read_well() {
    let today = date(2026, 6, 1);
    let got = alerts(
        &[supported(
            "openssl",
            SupportLevel::NoLongerMaintained,
            Some(date(2026, 5, 31)),
        )],
        today,
        30,
    );
    let alert: &Alert = &got[0];
    assert_eq!(
        serde_json::to_value(alert).unwrap(),
        serde_json::json!({
            "kind": "past-end-of-support",
            "days_past": 1,
            "component": { "name": "openssl", "version": "1.0" },
            "level": "no-longer-maintained",
            "end_of_support": "2026-05-31",
        })
    );
    assert_eq!(
        alert.to_string(),
        "openssl 1.0: end of support 2026-05-31 passed 1 day(s) ago"
    );
}

fn invalid(text: &str) -> (Option<u64>, String) {
    match Curated::parse("support.yaml", text) {
        Err(e @ CuratedError::Invalid { .. }) => {
            let CuratedError::Invalid { line, .. } = &e else {
                unreachable!()
            };
            (*line, e.to_string())
        }
        other => panic!("expected an invalid-file error, got {other:?}"),
    }
}

#[test]
fn a_malformed_curated_file_is_an_error_naming_file_and_line() {
    // Not the expected shape: an unknown key.
    let (line, message) =
        invalid("components:\n  - purl: pkg:generic/x\n    levle: unknown\n    source: s\n");
    assert_eq!(line, Some(3));
    assert!(message.starts_with("support.yaml:3:5: "), "{message}");
    assert!(message.contains("levle"), "{message}");

    // Not YAML.
    let (line, message) = invalid("components:\n  - purl: [\n");
    assert!(line.is_some(), "{message}");
    assert!(message.starts_with("support.yaml:"), "{message}");

    // A value that cannot be read: the line of the value.
    let (line, message) =
        invalid("components:\n  - purl: pkg:generic/x\n    source: s\n    level: sort of\n");
    assert_eq!(line, Some(4));
    assert!(message.contains("unknown level \"sort of\""), "{message}");

    let (line, message) = invalid(
        "components:\n  - name: x\n    level: unknown\n    source: s\n    end_of_support: 2025-10\n",
    );
    assert_eq!(line, Some(5));
    assert!(message.contains("not a date"), "{message}");

    let (line, _) = invalid(
        "components:\n  - name: x\n    versions: \"3.*.1\"\n    level: unknown\n    source: s\n",
    );
    assert_eq!(line, Some(3));

    let (line, _) = invalid("components:\n  - purl: \"pkg:\"\n    level: unknown\n    source: s\n");
    assert_eq!(line, Some(2));

    // Entry-level mistakes point at the entry.
    let (line, message) = invalid(
        "components:\n  - name: a\n    level: unknown\n    source: s\n  - level: unknown\n    source: s\n",
    );
    assert_eq!(line, Some(5));
    assert!(message.contains("needs `purl` or `name`"), "{message}");
    let (line, message) = invalid(
        "components:\n  - purl: pkg:generic/a@1\n    versions: \"<2\"\n    level: unknown\n    source: s\n",
    );
    assert_eq!(line, Some(3));
    assert!(message.contains("already names one version"), "{message}");
    let (_, message) = invalid("components:\n  - name: a\n    level: unknown\n");
    assert!(message.contains("needs a `source`"), "{message}");

    // A missing file names the file.
    let missing = Curated::load(std::path::Path::new("/nonexistent/support.yaml")).unwrap_err();
    assert!(matches!(missing, CuratedError::Io { .. }));
    assert!(
        missing
            .to_string()
            .starts_with("/nonexistent/support.yaml: "),
        "{missing}"
    );
}

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_example_curated_file_reads_and_fills_the_example_sboms() {
    let curated =
        Curated::load(&repository().join("examples/support/component-support.yaml")).unwrap();
    assert!(curated.entries.len() >= 5);
    for e in &curated.entries {
        assert!(e.source.starts_with("https://"), "line {}", e.line);
        // Without a sourced date the level stays unknown.
        if e.end_of_support.is_none() {
            assert_eq!(e.level, SupportLevel::Unknown, "line {}", e.line);
        }
    }

    // lis-interface: the SBOM gives a level for Python 3.9 but no date.
    let reading = sbom::read_from_path(
        repository().join("examples/ivd-analyser/sbom/lis-interface.cdx.json"),
        sbom::Limits::DEFAULT,
    )
    .unwrap();
    let all = resolve_sbom(&reading.sbom, Some(&curated));
    let python = all.iter().find(|c| c.component.name == "python").unwrap();
    assert_eq!(python.support.end_of_support, Some(date(2025, 10, 31)));
    assert!(matches!(
        python.support.end_of_support_source,
        Source::Curated { .. }
    ));
    assert_eq!(python.support.conflicts.len(), 1);
    assert_eq!(python.support.conflicts[0].field, SupportField::Level);

    // analyser-firmware: FreeRTOS has no sourced date, so its level stays unknown.
    let reading = sbom::read_from_path(
        repository().join("examples/ivd-analyser/sbom/analyser-firmware.cdx.json"),
        sbom::Limits::DEFAULT,
    )
    .unwrap();
    let all = resolve_sbom(&reading.sbom, Some(&curated));
    let freertos = all
        .iter()
        .find(|c| c.component.name == "FreeRTOS-Kernel")
        .unwrap();
    assert_eq!(freertos.support.level, SupportLevel::Unknown);
    assert!(matches!(
        freertos.support.level_source,
        Source::Curated { .. }
    ));
    assert_eq!(freertos.support.end_of_support, None);
    let today = date(2026, 11, 29);
    let found = alerts(&all, today, 90);
    assert!(
        found
            .iter()
            .any(|a| a.component.name == "FreeRTOS-Kernel" && a.kind == AlertKind::SupportUnknown)
    );
    // Mbed TLS 2.16.9 says no-longer-maintained in the SBOM, without a date.
    assert!(
        found
            .iter()
            .any(|a| a.component.name == "mbedtls" && a.kind == AlertKind::NoLongerSupported)
    );
}

/// An SPDX 2.3 package's `validUntilDate` reaches the support module as its end of support.
#[test]
fn spdx_valid_until_date_is_an_end_of_support() {
    let text = r#"{
  "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
  "name": "pump", "documentNamespace": "https://pump.invalid/spdx/1",
  "creationInfo": {"created": "2026-01-01T00:00:00Z", "creators": ["Tool: test"]},
  "packages": [{"SPDXID": "SPDXRef-zlib", "name": "zlib", "versionInfo": "1.2.11",
    "downloadLocation": "NOASSERTION", "validUntilDate": "2026-03-01T00:00:00Z"}]
}"#;
    let sbom = medsec_formats::sbom::read(text.as_bytes()).unwrap().sbom;
    let resolved = medsec_postmarket::support::resolve_sbom(&sbom, None);
    let zlib = resolved
        .iter()
        .find(|c| c.component.name == "zlib")
        .unwrap();
    assert_eq!(
        zlib.support
            .end_of_support
            .map(|d| d.to_string())
            .as_deref(),
        Some("2026-03-01")
    );
}
