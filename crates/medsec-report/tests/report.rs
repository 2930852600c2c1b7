//! The report of every bundled example, without a store, at a fixed time: golden
//! Markdown (insta), and checks of the HTML (self-contained, no script, balanced, every
//! section anchor present) and the JSON.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medsec_report::build::{AssessmentDetails, Variant};
use support::report_of;

const DEVICES: [&str; 4] = [
    "insulin-pump",
    "patient-monitor",
    "cardiac-implant",
    "ivd-analyser",
];

#[test]
fn markdown_of_every_example() {
    for device in DEVICES {
        let report = report_of(device, Variant::Full, AssessmentDetails::default());
        assert!(
            report.document.check().is_empty(),
            "{:?}",
            report.document.check()
        );
        insta::assert_snapshot!(
            format!("report-full-{device}"),
            medsec_report::markdown::render(&report.document)
        );
    }
}

#[test]
fn markdown_of_every_variant() {
    for variant in [Variant::Premarket, Variant::Assessment, Variant::Mds2] {
        let details = if variant == Variant::Assessment {
            AssessmentDetails {
                assessor: Some("A. Assessor".into()),
                laboratory: Some("Example Test Laboratory".into()),
                accreditation: None,
                scope: None,
                verdict: None,
            }
        } else {
            AssessmentDetails::default()
        };
        let report = report_of("insulin-pump", variant, details);
        assert!(
            report.document.check().is_empty(),
            "{:?}",
            report.document.check()
        );
        insta::assert_snapshot!(
            format!("report-{variant}-insulin-pump"),
            medsec_report::markdown::render(&report.document)
        );
    }
}

#[test]
fn html_is_self_contained_and_complete() {
    for variant in Variant::ALL {
        for device in DEVICES {
            let report = report_of(device, variant, AssessmentDetails::default());
            let html = medsec_report::html::render(&report.document);
            let lower = html.to_lowercase();
            assert!(!lower.contains("<script"), "{device} {variant}: script");
            for attr in ["src=", "href=", "url("] {
                for (i, _) in lower.match_indices(attr) {
                    let after = &lower[i + attr.len()..];
                    let value = after.trim_start_matches(['"', '\'', ' ']);
                    assert!(
                        !value.starts_with("http://") && !value.starts_with("https://"),
                        "{device} {variant}: external {attr} at {i}"
                    );
                }
            }
            for tag in [
                "html", "head", "body", "main", "section", "table", "figure", "svg",
            ] {
                let open = html.matches(&format!("<{tag}>")).count()
                    + html.matches(&format!("<{tag} ")).count();
                let close = html.matches(&format!("</{tag}>")).count();
                assert_eq!(open, close, "{device} {variant}: <{tag}> unbalanced");
            }
            assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
            // One page: every id once, every reference to an id resolves.
            let mut ids = std::collections::BTreeSet::new();
            for (i, _) in html.match_indices(" id=\"") {
                let rest = &html[i + 5..];
                let id = &rest[..rest.find('"').unwrap()];
                assert!(
                    ids.insert(id.to_owned()),
                    "{device} {variant}: id {id} twice"
                );
            }
            for pattern in ["url(#", "href=\"#"] {
                for (i, _) in html.match_indices(pattern) {
                    let rest = &html[i + pattern.len()..];
                    let id = &rest[..rest.find([')', '"']).unwrap()];
                    assert!(
                        ids.contains(id),
                        "{device} {variant}: #{id} does not resolve"
                    );
                }
            }
            assert!(
                variant != Variant::Full || html.matches("<figure>").count() >= 3,
                "{device} {variant}: the charts are missing"
            );
            for (_, s) in report.document.numbered() {
                assert!(
                    html.contains(&format!("<section id=\"{}\">", s.id)),
                    "{device} {variant}: anchor {}",
                    s.id
                );
            }
            // Heading levels never skip (h1, then h2, h3 … one deeper at most).
            let mut last = 1;
            for (i, _) in html.match_indices("<h") {
                let Some(level) = html[i + 2..].chars().next().and_then(|c| c.to_digit(10)) else {
                    continue;
                };
                assert!(
                    level <= last + 1,
                    "{device} {variant}: heading h{level} after h{last}"
                );
                last = level;
            }
        }
    }
}

#[test]
fn json_parses_and_carries_the_document() {
    let report = report_of(
        "cardiac-implant",
        Variant::Full,
        AssessmentDetails::default(),
    );
    let text = serde_json::to_string_pretty(&report.data).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["report"]["variant"], "full");
    assert_eq!(value["report"]["generated_at"], "2025-01-15T09:30:00Z");
    assert_eq!(value["vulnerabilities"]["state"], "not-run");
    assert!(value["document"]["sections"].as_array().unwrap().len() >= 10);
    assert!(!value["not_assessed"].as_array().unwrap().is_empty());
}

#[test]
fn output_is_deterministic() {
    let a = report_of(
        "patient-monitor",
        Variant::Full,
        AssessmentDetails::default(),
    );
    let b = report_of(
        "patient-monitor",
        Variant::Full,
        AssessmentDetails::default(),
    );
    assert_eq!(
        medsec_report::html::render(&a.document),
        medsec_report::html::render(&b.document)
    );
    assert_eq!(
        serde_json::to_string(&a.data).unwrap(),
        serde_json::to_string(&b.data).unwrap()
    );
}

#[test]
fn assessment_without_details_says_not_given() {
    let report = report_of(
        "insulin-pump",
        Variant::Assessment,
        AssessmentDetails::default(),
    );
    let md = medsec_report::markdown::render(&report.document);
    assert!(md.contains("| Assessor | not given |"), "{md}");
    assert!(md.contains("No verdict was given"));
}

#[test]
fn variants_parse() {
    for v in Variant::ALL {
        assert_eq!(v.as_str().parse::<Variant>().unwrap(), v);
    }
    assert!("draft".parse::<Variant>().is_err());
}

#[test]
fn text_is_escaped() {
    use medsec_report::doc::{Block, Document, Section, plain};
    let doc = Document {
        title: "<b>&\"x\"</b>".into(),
        subtitle: vec![],
        sections: vec![Section {
            id: "s".into(),
            title: "a | b".into(),
            blocks: vec![
                Block::Table {
                    caption: None,
                    header: vec!["h".into()],
                    rows: vec![vec!["x | `a|b` <y>".into()]],
                },
                Block::Paragraph {
                    text: plain("<script>alert(1)</script>"),
                },
            ],
            subsections: vec![],
        }],
    };
    let html = medsec_report::html::render(&doc);
    assert!(!html.contains("<b>"));
    assert!(!html.contains("<script"));
    assert!(html.contains("&lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;"));
    let md = medsec_report::markdown::render(&doc);
    assert!(md.contains("| x \\| `a\\|b` \\<y\\> |"), "{md}");
}
