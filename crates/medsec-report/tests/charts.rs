//! SVG charts: golden files for realistic inputs, well-formed XML for every input, names
//! always present and escaped, same input → same bytes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use medsec_report::charts::{
    FrameworkCoverage, FrameworkRow, RiskMatrix, SeverityCounts, SeverityTimeline, TimelinePoint,
    Verdict,
};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// The default risk policy's matrix (crates/medsec-threat/policy/default-risk-policy.yaml).
fn default_policy_verdicts() -> Vec<Vec<Verdict>> {
    use Verdict::{Acceptable as A, AlarpReview as R, Unacceptable as U};
    vec![
        vec![A, A, A, A, R],
        vec![A, A, A, R, R],
        vec![A, A, R, R, U],
        vec![A, R, R, U, U],
        vec![R, R, U, U, U],
    ]
}

/// The insulin-pump example: 334 FMEA rows, 124/145/65 acceptable/alarp-review/
/// unacceptable before controls and 137/149/48 after (the assessment's totals); the
/// split over cells is made up to match them, with the same rows per severity before
/// and after (controls lower exploitability, not severity).
fn insulin_pump_matrix() -> RiskMatrix {
    RiskMatrix {
        subject: Some("Northwind Equa Insulin Pump System 4.2.1".into()),
        severity_levels: names(&["negligible", "minor", "serious", "critical", "catastrophic"]),
        exploitability_levels: names(&["very-low", "low", "medium", "high", "very-high"]),
        verdicts: default_policy_verdicts(),
        before: vec![
            vec![10, 12, 14, 9, 6],
            vec![8, 11, 16, 12, 5],
            vec![9, 15, 30, 22, 9],
            vec![20, 18, 25, 14, 8],
            vec![10, 17, 16, 11, 7],
        ],
        after: vec![
            vec![14, 14, 12, 7, 4],
            vec![13, 14, 12, 9, 4],
            vec![17, 15, 25, 19, 9],
            vec![19, 22, 24, 12, 8],
            vec![23, 19, 10, 6, 3],
        ],
        not_assessed_before: 0,
        not_assessed_after: 0,
    }
}

fn counts(
    critical: u64,
    high: u64,
    medium: u64,
    low: u64,
    none: u64,
    unknown: u64,
) -> SeverityCounts {
    SeverityCounts {
        critical,
        high,
        medium,
        low,
        none,
        unknown,
    }
}

fn point(date: &str, counts: SeverityCounts) -> TimelinePoint {
    TimelinePoint {
        date: date.into(),
        counts,
    }
}

/// Monthly snapshots of a fielded device, with two months missing (2024-05 and 2024-06)
/// and a month where everything was closed.
fn monthly_timeline() -> SeverityTimeline {
    SeverityTimeline {
        subject: Some("Northwind Equa Insulin Pump System 4.2.1".into()),
        points: vec![
            point("2024-01-15", counts(0, 2, 5, 3, 0, 1)),
            point("2024-02-15", counts(1, 3, 6, 3, 0, 1)),
            point("2024-03-15", counts(1, 4, 8, 2, 1, 2)),
            point("2024-04-15", counts(0, 2, 7, 2, 1, 0)),
            point("2024-07-15", counts(0, 1, 3, 1, 0, 0)),
            point("2024-08-15", counts(0, 0, 0, 0, 0, 0)),
            point("2024-09-15", counts(2, 1, 2, 1, 0, 3)),
            point("2024-10-15", counts(0, 1, 2, 1, 0, 0)),
        ],
    }
}

fn framework(
    name: &str,
    covered: u64,
    partly: u64,
    open: u64,
    not_applicable: u64,
) -> FrameworkRow {
    FrameworkRow {
        name: name.into(),
        covered,
        partly,
        open,
        not_applicable,
    }
}

/// The insulin-pump assessment's coverage table (and its not-applicable clauses).
fn insulin_pump_coverage() -> FrameworkCoverage {
    FrameworkCoverage {
        subject: Some("Northwind Equa Insulin Pump System 4.2.1".into()),
        frameworks: vec![
            framework("EU MDR", 0, 3, 5, 0),
            framework("MDCG 2019-16", 0, 10, 8, 0),
            framework("IMDRF N60", 0, 6, 9, 0),
            framework("IMDRF N70", 0, 1, 16, 0),
            framework("IMDRF N73", 0, 0, 4, 0),
            framework("FDA premarket", 0, 17, 14, 0),
            framework("FD&C Act 524B", 0, 1, 2, 0),
            framework("FDA postmarket", 0, 5, 2, 1),
            framework("Health Canada", 0, 2, 4, 0),
            framework("ANSM", 0, 2, 4, 0),
            framework("BSI-CS 132", 0, 1, 1, 0),
            framework("IEC 81001-5-1", 0, 12, 46, 0),
            framework("IEC 62443-4-2", 0, 60, 11, 25),
            framework("IEC TR 60601-4-5", 0, 9, 2, 0),
            framework("NIST CSF 2.0", 0, 7, 15, 0),
            framework("ETSI EN 303 645", 0, 16, 2, 0),
            framework("Singapore CLS(MD)", 0, 4, 0, 0),
        ],
    }
}

// ---------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------

/// What the document says: the text of every element (entity references resolved) and
/// every attribute value, after checking that quick-xml reads it without error, that
/// elements balance, that the root is an accessible SVG and that nothing points
/// outside the document.
struct Parsed {
    texts: Vec<String>,
    ids: BTreeSet<String>,
    title: String,
    desc: String,
}

fn parse(svg: &str) -> Parsed {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut texts = Vec::new();
    let mut ids = BTreeSet::new();
    let mut refs = Vec::new();
    let mut current = String::new();
    let mut stack: Vec<String> = Vec::new();
    let mut order: Vec<String> = Vec::new();
    let mut roots = 0;
    let (mut title, mut desc) = (String::new(), String::new());
    loop {
        let event = reader.read_event().unwrap_or_else(|e| {
            panic!(
                "not well-formed at {}: {e}\n{svg}",
                reader.buffer_position()
            )
        });
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if !current.is_empty() {
                    texts.push(std::mem::take(&mut current));
                }
                let name = e.name().as_ref().to_owned();
                assert!(
                    !matches!(
                        name.as_str(),
                        "script" | "foreignObject" | "image" | "use" | "a" | "style"
                    ),
                    "forbidden element <{name}>"
                );
                if stack.is_empty() {
                    roots += 1;
                    assert_eq!(name, "svg", "root element");
                }
                order.push(name.clone());
                let mut seen = BTreeSet::new();
                for attribute in e.attributes().with_checks(true) {
                    let attribute =
                        attribute.unwrap_or_else(|e| panic!("bad attribute: {e}\n{svg}"));
                    let key = attribute.key.as_ref().to_owned();
                    assert!(seen.insert(key.clone()), "attribute {key} repeated");
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap()
                        .into_owned();
                    assert!(!key.contains("href"), "reference attribute {key}");
                    if matches!(
                        key.as_str(),
                        "x" | "y"
                            | "width"
                            | "height"
                            | "x1"
                            | "x2"
                            | "y1"
                            | "y2"
                            | "font-size"
                            | "stroke-width"
                    ) {
                        let number: f64 =
                            value.parse().unwrap_or_else(|_| panic!("{key}={value:?}"));
                        assert!(
                            number.is_finite() && (-1.0e6..=1.0e7).contains(&number),
                            "{key}={value}"
                        );
                    }
                    if key == "id" {
                        assert!(ids.insert(value.clone()), "id {value} repeated");
                    }
                    if let Some(rest) = value.strip_prefix("url(#") {
                        refs.push(rest.trim_end_matches(')').to_owned());
                    } else {
                        assert!(!value.contains("url("), "external reference {value}");
                    }
                    if key == "xmlns" {
                        assert_eq!(value, "http://www.w3.org/2000/svg");
                    } else {
                        assert!(!value.contains("://"), "external reference {value}");
                    }
                    texts.push(value);
                }
                if matches!(event, Event::Start(_)) {
                    stack.push(name);
                }
            }
            Event::End(e) => {
                let name = e.name().as_ref().to_owned();
                if stack.len() == 2 && name == "title" && title.is_empty() {
                    title = current.clone();
                }
                if stack.len() == 2 && name == "desc" && desc.is_empty() {
                    desc = current.clone();
                }
                if !current.is_empty() {
                    texts.push(std::mem::take(&mut current));
                }
                assert_eq!(
                    stack.pop().as_deref(),
                    Some(name.as_str()),
                    "unbalanced </{name}>"
                );
            }
            Event::Text(t) => current.push_str(&t.html_content()),
            Event::GeneralRef(r) => {
                let name = r.html_content().into_owned();
                let c = match name.as_str() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    _ => r
                        .resolve_char_ref()
                        .unwrap()
                        .expect("only the five XML entities"),
                };
                current.push(c);
            }
            Event::CData(_) | Event::PI(_) | Event::DocType(_) => panic!("unexpected {event:?}"),
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
    assert_eq!(roots, 1, "one root element");
    assert_eq!(
        order.get(1).map(String::as_str),
        Some("title"),
        "title first"
    );
    assert_eq!(
        order.get(2).map(String::as_str),
        Some("desc"),
        "desc second"
    );
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\""));
    assert!(svg.contains(" role=\"img\""));
    assert!(svg.contains(" viewBox=\"0 0 "));
    for reference in refs {
        assert!(ids.contains(&reference), "url(#{reference}) points nowhere");
    }
    assert!(
        !title.is_empty() && !desc.is_empty(),
        "title and desc say something"
    );
    Parsed {
        texts,
        ids,
        title,
        desc,
    }
}

/// A name as the charts show it: whitespace runs collapsed, and characters XML cannot
/// carry (or that reorder text) replaced by U+FFFD.
fn shown(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .map(|c| {
            let u = c as u32;
            if u < 0x20
                || (0x7f..=0x9f).contains(&u)
                || (0x202a..=0x202e).contains(&u)
                || (0x2066..=0x2069).contains(&u)
                || u == 0xfffe
                || u == 0xffff
            {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

fn assert_names_present(svg: &str, parsed: &Parsed, names: &[&str]) {
    for name in names {
        let expected = shown(name);
        assert!(
            parsed.texts.iter().any(|t| t.contains(&expected)),
            "{expected:?} not in the chart:\n{svg}"
        );
    }
}

// ---------------------------------------------------------------------------------
// Golden files
// ---------------------------------------------------------------------------------

#[test]
fn golden_risk_matrix() {
    let svg = insulin_pump_matrix().to_svg();
    parse(&svg);
    insta::assert_snapshot!("risk-matrix-insulin-pump.svg", svg);
}

#[test]
fn golden_severity_timeline() {
    let svg = monthly_timeline().to_svg();
    parse(&svg);
    insta::assert_snapshot!("severity-timeline-monthly.svg", svg);
}

#[test]
fn golden_framework_coverage() {
    let svg = insulin_pump_coverage().to_svg();
    parse(&svg);
    insta::assert_snapshot!("framework-coverage-insulin-pump.svg", svg);
}

#[test]
fn golden_empty_inputs() {
    let svgs = [
        RiskMatrix::default().to_svg(),
        SeverityTimeline::default().to_svg(),
        FrameworkCoverage::default().to_svg(),
    ];
    for svg in &svgs {
        parse(svg);
        assert!(svg.contains("No data"), "{svg}");
    }
    insta::assert_snapshot!("empty-inputs.svg", svgs.join("\n"));
}

/// Odd but legal inputs: one level per axis, a missing verdict, counts outside the
/// levels and rows not assessed; one snapshot date; a framework with no applicable
/// clause and a long, hostile name.
#[test]
fn golden_edge_cases() {
    let matrix = RiskMatrix {
        subject: None,
        severity_levels: names(&["only <severity> & \"level\""]),
        exploitability_levels: names(&["any"]),
        verdicts: vec![],
        before: vec![vec![3, 9], vec![1]],
        after: vec![vec![u64::MAX]],
        not_assessed_before: 2,
        not_assessed_after: 2,
    };
    let timeline = SeverityTimeline {
        subject: None,
        points: vec![
            point("2025-02-28", counts(1, 0, 0, 0, 0, 0)),
            point("2025-02-30", counts(9, 9, 9, 9, 9, 9)),
            point("2025-02-28", counts(1, 1, 0, 0, 0, 0)),
        ],
    };
    let coverage = FrameworkCoverage {
        subject: Some("Ünïcødé device 医疗设备 <v2>".into()),
        frameworks: vec![
            framework("EU IVDR", 0, 0, 0, 15),
            framework(
                "A framework with a very long name that goes on & on <and on> 'and' \"on\"",
                1,
                1,
                1,
                0,
            ),
        ],
    };
    let svgs = [matrix.to_svg(), timeline.to_svg(), coverage.to_svg()];
    for svg in &svgs {
        parse(svg);
    }
    assert!(svgs[0].contains("outside the policy&apos;s levels: 10 rows"));
    assert!(svgs[0].contains("no verdict"));
    assert!(svgs[0].contains(&u64::MAX.to_string()));
    assert!(svgs[1].contains("1 date was given more than once"));
    assert!(svgs[1].contains("1 point not drawn"));
    assert!(svgs[2].contains("no applicable clauses · not applicable 15"));
    insta::assert_snapshot!("edge-cases.svg", svgs.join("\n"));
}

// ---------------------------------------------------------------------------------
// Properties of the realistic charts
// ---------------------------------------------------------------------------------

#[test]
fn risk_matrix_states_every_total() {
    let svg = insulin_pump_matrix().to_svg();
    let parsed = parse(&svg);
    let desc = &parsed.desc;
    assert_eq!(
        parsed.title,
        "Risk matrix before and after controls: Northwind Equa Insulin Pump System 4.2.1"
    );
    for expected in [
        "Before controls: 124 acceptable, 145 alarp-review, 65 unacceptable, 0 not assessed; 334 rows in all.",
        "After controls: 137 acceptable, 149 alarp-review, 48 unacceptable, 0 not assessed; 334 rows in all.",
    ] {
        assert!(desc.contains(expected), "{desc}");
    }
    // Every cell carries its verdict as a word (readable in black and white); the
    // legend adds one "acceptable" and one "unacceptable".
    assert_eq!(svg.matches(">alarp-review</text>").count(), 2 * 9);
    assert_eq!(svg.matches(">unacceptable</text>").count(), 2 * 6 + 1);
    assert_eq!(svg.matches(">acceptable</text>").count(), 2 * 10 + 1);
    assert!(svg.contains("not assessed (no harm declared): 0 rows"));
}

#[test]
fn timeline_axis_and_gaps() {
    let svg = monthly_timeline().to_svg();
    parse(&svg);
    // Integer y ticks 0, 5, 10, 15, 20 for a maximum of 18 open findings.
    for tick in ["0", "5", "10", "15", "20"] {
        assert!(
            svg.contains(&format!(
                r##"text-anchor="end" fill="#4d4d4d">{tick}</text>"##
            )),
            "tick {tick}"
        );
    }
    // Eight bars, one of them an all-zero mark; no bar for May and June.
    assert_eq!(svg.matches("<g><title>").count(), 8);
    assert!(
        svg.contains("2024-08-15: 0 critical, 0 high, 0 medium, 0 low, 0 none, 0 unknown; 0 open")
    );
}

#[test]
fn timeline_single_point_and_all_zero() {
    let one = SeverityTimeline {
        subject: None,
        points: vec![point("2024-06-01", counts(0, 0, 0, 0, 0, 0))],
    }
    .to_svg();
    parse(&one);
    assert!(one.contains("No open affected findings on any of the 1 date."));
    assert!(
        one.contains(">2024-06-01</text>"),
        "the one date is on the axis"
    );

    let many = SeverityTimeline {
        subject: None,
        points: (0..1000)
            .map(|day| {
                let year = 2020 + day / 336;
                let month = day / 28 % 12 + 1;
                let dom = day % 28 + 1;
                point(
                    &format!("{year:04}-{month:02}-{dom:02}"),
                    counts(day % 7, 1, 0, 0, 0, 0),
                )
            })
            .collect(),
    }
    .to_svg();
    parse(&many);
    // Tick labels never overlap: consecutive label centres at least a label apart.
    let xs: Vec<f64> = many
        .lines()
        .filter(|l| {
            l.starts_with("<text")
                && l.contains(r##"font-size="10" text-anchor="middle" fill="#1a1a1a">20"##)
        })
        .map(|l| {
            let x = l.split("x=\"").nth(1).unwrap();
            x[..x.find('"').unwrap()].parse::<f64>().unwrap()
        })
        .collect();
    assert!(xs.len() >= 3, "{xs:?}");
    for pair in xs.windows(2) {
        assert!(pair[1] - pair[0] >= 50.0, "{xs:?}");
    }
}

#[test]
fn coverage_counts_and_percentages() {
    let svg = insulin_pump_coverage().to_svg();
    let parsed = parse(&svg);
    assert!(svg.contains("FD&amp;C Act 524B"));
    assert!(svg.contains("covered 0 (0%) · partly 17 (55%) · open 14 (45%)"));
    assert!(svg.contains("covered 0 (0%) · partly 60 (85%) · open 11 (15%) · not applicable 25"));
    assert!(svg.contains("covered 0 (0%) · partly 3 (38%) · open 5 (62%)"));
    assert_names_present(&svg, &parsed, &["FD&C Act 524B", "Singapore CLS(MD)"]);
    // Frameworks stay in the order given.
    let eu = svg.find(">EU MDR</text>").unwrap();
    let sg = svg.find(">Singapore CLS(MD)</text>").unwrap();
    assert!(eu < sg);
}

/// Width and height of a chart, from its root element.
fn size(svg: &str) -> (f64, f64) {
    let attribute = |name: &str| -> f64 {
        let start = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        let end = start + svg[start..].find('"').unwrap();
        svg[start..end].parse().unwrap()
    };
    (attribute("width"), attribute("height"))
}

#[test]
fn sizes_follow_the_content() {
    // Longer framework names widen the chart, and no name is cut below 40 characters.
    let mut coverage = insulin_pump_coverage();
    let narrow = size(&coverage.to_svg()).0;
    coverage.frameworks[0].name = "Regulation (EU) 2017/745 Annex I GSPR".into();
    let svg = coverage.to_svg();
    assert!(size(&svg).0 > narrow);
    assert!(svg.contains(">Regulation (EU) 2017/745 Annex I GSPR</text>"));

    // More severity levels make the matrix taller; longer level names make it wider.
    let mut matrix = insulin_pump_matrix();
    let (w, h) = size(&matrix.to_svg());
    matrix.severity_levels.push("beyond catastrophic".into());
    let (w2, h2) = size(&matrix.to_svg());
    assert!(h2 > h && w2 > w, "{w}x{h} then {w2}x{h2}");
    matrix.exploitability_levels[0] = "requires physical access and a lab".into();
    assert!(size(&matrix.to_svg()).0 > w2);
}

#[test]
fn ids_differ_between_charts() {
    let a = parse(&insulin_pump_matrix().to_svg()).ids;
    let b = parse(&insulin_pump_coverage().to_svg()).ids;
    assert!(a.is_disjoint(&b), "{a:?} {b:?}");
}

// ---------------------------------------------------------------------------------
// Any input
// ---------------------------------------------------------------------------------

/// Names: mostly markup characters, quotes, non-ASCII and emoji, sometimes anything.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9 <>&\"'éüßÆ中文医疗😀\\-]{0,30}",
        1 => any::<String>(),
    ]
}

fn count() -> impl Strategy<Value = u64> {
    prop_oneof![4 => 0u64..50, 1 => any::<u64>()]
}

fn verdict() -> impl Strategy<Value = Verdict> {
    prop_oneof![
        Just(Verdict::Acceptable),
        Just(Verdict::AlarpReview),
        Just(Verdict::Unacceptable)
    ]
}

fn grid<T: std::fmt::Debug + Clone>(
    cell: impl Strategy<Value = T>,
) -> impl Strategy<Value = Vec<Vec<T>>> {
    prop::collection::vec(prop::collection::vec(cell, 0..7), 0..7)
}

fn risk_matrix() -> impl Strategy<Value = RiskMatrix> {
    (
        prop::option::of(name()),
        prop::collection::vec(name(), 0..6),
        prop::collection::vec(name(), 0..6),
        grid(verdict()),
        grid(count()),
        grid(count()),
        count(),
        count(),
    )
        .prop_map(
            |(
                subject,
                severity_levels,
                exploitability_levels,
                verdicts,
                before,
                after,
                na_before,
                na_after,
            )| {
                RiskMatrix {
                    subject,
                    severity_levels,
                    exploitability_levels,
                    verdicts,
                    before,
                    after,
                    not_assessed_before: na_before,
                    not_assessed_after: na_after,
                }
            },
        )
}

fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (1990u32..2035, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        1 => (0u32..10000, 1u32..13, 1u32..32).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        1 => name(),
    ]
}

fn timeline() -> impl Strategy<Value = SeverityTimeline> {
    (
        prop::option::of(name()),
        prop::collection::vec(
            (date(), count(), count(), count(), count(), count(), count()).prop_map(
                |(date, critical, high, medium, low, none, unknown)| TimelinePoint {
                    date,
                    counts: counts(critical, high, medium, low, none, unknown),
                },
            ),
            0..25,
        ),
    )
        .prop_map(|(subject, points)| SeverityTimeline { subject, points })
}

fn coverage() -> impl Strategy<Value = FrameworkCoverage> {
    (
        prop::option::of(name()),
        prop::collection::vec(
            (name(), count(), count(), count(), count()).prop_map(
                |(name, covered, partly, open, not_applicable)| FrameworkRow {
                    name,
                    covered,
                    partly,
                    open,
                    not_applicable,
                },
            ),
            0..20,
        ),
    )
        .prop_map(|(subject, frameworks)| FrameworkCoverage {
            subject,
            frameworks,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_risk_matrix(matrix in risk_matrix()) {
        let svg = matrix.to_svg();
        let parsed = parse(&svg);
        let mut all: Vec<&str> = matrix.severity_levels.iter().map(String::as_str).collect();
        all.extend(matrix.exploitability_levels.iter().map(String::as_str));
        if !matrix.severity_levels.is_empty() && !matrix.exploitability_levels.is_empty() {
            assert_names_present(&svg, &parsed, &all);
        }
        assert_names_present(&svg, &parsed, &matrix.subject.iter().map(String::as_str).collect::<Vec<_>>());
        prop_assert_eq!(svg, matrix.to_svg());
    }

    #[test]
    fn any_timeline(timeline in timeline()) {
        let svg = timeline.to_svg();
        let parsed = parse(&svg);
        let dates: Vec<&str> = timeline.points.iter().map(|p| p.date.as_str()).collect();
        assert_names_present(&svg, &parsed, &dates);
        assert_names_present(&svg, &parsed, &timeline.subject.iter().map(String::as_str).collect::<Vec<_>>());
        prop_assert_eq!(svg, timeline.to_svg());
    }

    #[test]
    fn any_coverage(coverage in coverage()) {
        let svg = coverage.to_svg();
        let parsed = parse(&svg);
        let names: Vec<&str> = coverage.frameworks.iter().map(|f| f.name.as_str()).collect();
        assert_names_present(&svg, &parsed, &names);
        assert_names_present(&svg, &parsed, &coverage.subject.iter().map(String::as_str).collect::<Vec<_>>());
        prop_assert_eq!(svg, coverage.to_svg());
    }
}
