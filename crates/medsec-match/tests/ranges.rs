//! Range evaluation: the model's rule case by case, then real advisories of the corpus
//! read by medsec-formats (NVD, OSV Go, OSV PyPI).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use medsec_core::advisory::{
    Advisory, Affected, Package, Point, RangeState, Status, VersionRange, VersionScheme,
};
use medsec_formats::advisory::{ReadOptions, read};
use medsec_match::{Answer, Scheme, Unevaluable, Why, affects, evaluate};

fn at(v: &str) -> Point {
    Point::At(v.into())
}
fn after(v: &str) -> Point {
    Point::After(v.into())
}

fn semver_range() -> VersionRange {
    // OSV: introduced 1.0.0, fixed 1.2.0, introduced 2.0.0, last_affected 2.3.0.
    VersionRange::new(VersionScheme::Semver)
        .with_event(at("1.0.0"), RangeState::Affected)
        .with_event(at("1.2.0"), RangeState::Unaffected)
        .with_event(at("2.0.0"), RangeState::Affected)
        .with_event(after("2.3.0"), RangeState::Unaffected)
}

#[test]
fn the_models_rule() {
    let r = semver_range();
    for (v, want) in [
        ("0.9.0", RangeState::Outside),
        ("1.0.0-rc.1", RangeState::Outside),
        ("1.0.0", RangeState::Affected),
        ("1.1.9", RangeState::Affected),
        ("1.2.0-alpha", RangeState::Affected),
        ("1.2.0", RangeState::Unaffected),
        ("1.9.9", RangeState::Unaffected),
        ("2.0.0", RangeState::Affected),
        ("2.3.0", RangeState::Affected),
        ("2.3.0+build", RangeState::Affected),
        ("2.3.1-0", RangeState::Unaffected),
        ("9.0.0", RangeState::Unaffected),
    ] {
        let e = evaluate(&r, v);
        assert_eq!(e.state, want, "{v}: {e}");
        assert_eq!(e.scheme, Some(Scheme::Semver));
        assert!(e.assumption.is_none());
    }
    // The reason names the deciding event and the next one.
    let e = evaluate(&r, "1.1.0");
    match &e.why {
        Why::Event { index, next, .. } => {
            assert_eq!(*index, 0);
            assert_eq!(next.as_ref().map(|n| n.0), Some(1));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("event 0"), "{e}");
}

#[test]
fn events_in_any_order_and_ties_to_the_later() {
    // The same range with its events shuffled evaluates the same.
    let mut r = semver_range();
    r.events.reverse();
    assert_eq!(evaluate(&r, "1.1.0").state, RangeState::Affected);
    assert_eq!(evaluate(&r, "1.5.0").state, RangeState::Unaffected);
    // Two events at one point (1.0.0 and its equal spelling with build metadata):
    // the later in the list wins, and the overridden one is named.
    let r = VersionRange::new(VersionScheme::Semver)
        .with_event(at("1.0.0"), RangeState::Affected)
        .with_event(at("1.0.0+b"), RangeState::Unknown);
    let e = evaluate(&r, "1.5.0");
    assert_eq!(e.state, RangeState::Unknown);
    assert!(matches!(&e.why, Why::Event { index: 1, overridden, .. } if overridden == &vec![0]));
    // Earliest is below everything; NVD end bounds: excluding = At, including = After.
    let r = VersionRange::new(VersionScheme::Generic)
        .with_event(Point::Earliest, RangeState::Affected)
        .with_event(after("7.3.2"), RangeState::Outside);
    assert_eq!(evaluate(&r, "0").state, RangeState::Affected);
    assert_eq!(evaluate(&r, "7.3.2").state, RangeState::Affected);
    assert_eq!(evaluate(&r, "7.3.3").state, RangeState::Outside);
    let r = VersionRange::new(VersionScheme::Generic)
        .with_event(after("2.0"), RangeState::Affected)
        .with_event(at("3.0"), RangeState::Outside);
    assert_eq!(evaluate(&r, "2.0").state, RangeState::Outside);
    assert_eq!(evaluate(&r, "2.0.1").state, RangeState::Affected);
    assert_eq!(evaluate(&r, "3.0").state, RangeState::Outside);
}

#[test]
fn what_cannot_be_decided_is_unknown_with_its_reason() {
    let mut git =
        VersionRange::new(VersionScheme::Git).with_event(at("abc123"), RangeState::Affected);
    git.repo = Some("https://example.invalid/repo".into());
    let e = evaluate(&git, "def456");
    assert_eq!(e.state, RangeState::Unknown);
    assert!(matches!(e.why, Why::NotEvaluated(Unevaluable::Git { .. })));

    let mut text = VersionRange::new(VersionScheme::Generic);
    text.text = Some("A10 < A11".into());
    text.uninterpreted = true;
    let e = evaluate(&text, "A10");
    assert_eq!(e.state, RangeState::Unknown);
    assert!(e.to_string().contains("A10 < A11"), "{e}");

    let gems = VersionRange::new(VersionScheme::Ecosystem("RubyGems".into()))
        .with_event(Point::Earliest, RangeState::Affected);
    let e = evaluate(&gems, "1.0");
    assert!(
        matches!(e.why, Why::NotEvaluated(Unevaluable::NoOrdering { .. })),
        "{e}"
    );

    let bad = evaluate(&semver_range(), "1.0");
    assert!(
        matches!(bad.why, Why::NotEvaluated(Unevaluable::Version(_))),
        "{bad}"
    );
    assert!(bad.to_string().contains("version core"), "{bad}");

    let bad_event =
        VersionRange::new(VersionScheme::Semver).with_event(at("one"), RangeState::Affected);
    assert!(matches!(
        evaluate(&bad_event, "1.0.0").why,
        Why::NotEvaluated(Unevaluable::EventVersion { index: 0, .. })
    ));
    for v in ["*", "-", ""] {
        assert_eq!(evaluate(&semver_range(), v).state, RangeState::Unknown);
    }
}

#[test]
fn osv_limit_ends_the_range() {
    let mut r = VersionRange::new(VersionScheme::Ecosystem("PyPI".into()))
        .with_event(Point::Earliest, RangeState::Affected);
    r.limits.push("2.0".into());
    assert_eq!(evaluate(&r, "1.9").state, RangeState::Affected);
    let e = evaluate(&r, "2.0.0");
    assert_eq!(e.state, RangeState::Outside);
    assert!(matches!(e.why, Why::Limit { .. }));
}

#[test]
fn generic_assumptions_are_reported() {
    let r = VersionRange::new(VersionScheme::Generic)
        .with_event(Point::Earliest, RangeState::Affected)
        .with_event(after("2023.3_Build_9342"), RangeState::Outside);
    let e = evaluate(&r, "2023.3_Build_9000");
    assert_eq!(e.state, RangeState::Affected);
    assert!(e.assumption.is_none(), "{e}");
    let e = evaluate(&r, "2023.3");
    assert_eq!(e.state, RangeState::Affected);
    assert!(e.assumption.is_some(), "{e}");
    assert!(e.to_string().contains("not certain"), "{e}");
}

fn entry(what: Package, status: Status) -> Affected {
    Affected {
        what,
        status,
        versions: Vec::new(),
        ranges: Vec::new(),
        default_status: None,
        platforms: Vec::new(),
        configuration: None,
    }
}

fn pypi(name: &str) -> Package {
    Package::Purl {
        purl: format!("pkg:pypi/{name}").parse().unwrap(),
    }
}

#[test]
fn affects_lists_defaults_and_every_version() {
    // No versions, no ranges: every version.
    let a = entry(pypi("x"), Status::Affected);
    let v = affects(&a, "1.0");
    assert_eq!(v.affected, Answer::Yes);
    assert!(v.reason.contains("every version"), "{}", v.reason);

    // Listed versions compare in the package's order: 1.0 == 1.0.0 in PEP 440.
    let mut a = entry(pypi("x"), Status::Affected);
    a.versions = vec!["1.0.0".into(), "1.1".into()];
    assert_eq!(affects(&a, "1.0").affected, Answer::Yes);
    let v = affects(&a, "1.2");
    assert_eq!(v.affected, Answer::No);
    assert!(v.reason.contains("listed versions"), "{}", v.reason);

    // `*` lists every version; `-` (CPE NA) cannot place one.
    a.versions = vec!["*".into()];
    assert_eq!(affects(&a, "7").affected, Answer::Yes);
    a.versions = vec!["-".into()];
    let v = affects(&a, "7");
    assert_eq!(v.affected, Answer::Unknown);
    assert!(v.reason.contains("CPE NA"), "{}", v.reason);

    // CVE 5: a range of status `unaffected`, and a default status.
    let mut a = entry(pypi("x"), Status::NotAffected);
    a.ranges.push(
        VersionRange::new(VersionScheme::Custom("python".into()))
            .with_event(at("2.0"), RangeState::Affected),
    );
    a.default_status = Some(Status::Affected);
    assert_eq!(affects(&a, "2.1").affected, Answer::No);
    let v = affects(&a, "1.9");
    assert_eq!(v.affected, Answer::Yes);
    assert!(v.reason.contains("default status"), "{}", v.reason);

    // An unknown versionType falls back to the package's order, and says so.
    let mut a = entry(pypi("x"), Status::Affected);
    a.ranges.push(
        VersionRange::new(VersionScheme::Custom("custom".into()))
            .with_event(at("1.0"), RangeState::Affected)
            .with_event(at("1.5"), RangeState::Outside),
    );
    let v = affects(&a, "1.2");
    assert_eq!(v.affected, Answer::Yes);
    assert!(
        v.assumption
            .as_deref()
            .unwrap_or("")
            .contains("versionType"),
        "{v:?}"
    );

    // The component's version unspecified.
    assert_eq!(affects(&a, "*").affected, Answer::Unknown);
    // A GIT range only: unknown, never silently "no".
    let mut a = entry(
        Package::Repository {
            url: "https://example.invalid/r".into(),
        },
        Status::Affected,
    );
    a.ranges
        .push(VersionRange::new(VersionScheme::Git).with_event(at("abc"), RangeState::Affected));
    let v = affects(&a, "1.0");
    assert_eq!(v.affected, Answer::Unknown);
    assert!(v.reason.contains("GIT"), "{}", v.reason);

    // A GIT range beside an ECOSYSTEM range (PYSEC records): the ECOSYSTEM range
    // decides for a released version; the commits do not make it unknown.
    let mut a = entry(pypi("urllib3"), Status::Affected);
    a.ranges.push(
        VersionRange::new(VersionScheme::Git)
            .with_event(Point::Earliest, RangeState::Affected)
            .with_event(
                at("adb358f8e06865406d1f05e581a16cbea2136fbc"),
                RangeState::Unaffected,
            ),
    );
    a.ranges.push(
        VersionRange::new(VersionScheme::Ecosystem("PyPI".into()))
            .with_event(Point::Earliest, RangeState::Affected)
            .with_event(at("1.24.2"), RangeState::Unaffected),
    );
    assert_eq!(affects(&a, "1.26.16").affected, Answer::No);
    assert_eq!(affects(&a, "1.24.1").affected, Answer::Yes);
}

fn corpus() -> PathBuf {
    let dir = std::env::var_os("MEDSEC_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
        PathBuf::from,
    );
    assert!(
        dir.is_dir(),
        "the shared corpus is missing at {} (set MEDSEC_CORPUS to its path); these tests read real advisories from it",
        dir.display()
    );
    dir
}

fn advisory(rel: &str) -> Advisory {
    let path = corpus().join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc = read(&bytes, &ReadOptions::default()).unwrap_or_else(|e| panic!("{rel}: {e}"));
    doc.advisories.into_iter().next().unwrap()
}

/// The verdict over every entry about a product: yes if any entry says yes.
fn any_entry(adv: &Advisory, pick: impl Fn(&Affected) -> bool, version: &str) -> (Answer, String) {
    let mut unknown = None;
    let mut seen = false;
    for a in adv.affected.iter().filter(|a| pick(a)) {
        seen = true;
        let v = affects(a, version);
        match v.affected {
            Answer::Yes => return (Answer::Yes, v.reason),
            Answer::Unknown => unknown = Some(v.reason),
            Answer::No => {}
        }
    }
    assert!(seen, "{}: no entry for the product", adv.id);
    match unknown {
        Some(r) => (Answer::Unknown, r),
        None => (Answer::No, String::new()),
    }
}

fn cpe_of(product: &'static str) -> impl Fn(&Affected) -> bool {
    move |a| matches!(&a.what, Package::Cpe { cpe, .. } if cpe.to_string().contains(product))
}

#[test]
fn nvd_log4shell() {
    let adv = advisory("nvd-records/CVE-2021-44228.json");
    let log4j = cpe_of(":apache:log4j:");
    let (a, why) = any_entry(&adv, &log4j, "2.14.1");
    assert_eq!(a, Answer::Yes, "{why}");
    assert!(why.contains("2.13.0") && why.contains("2.15.0"), "{why}");
    assert_eq!(any_entry(&adv, &log4j, "2.17.1").0, Answer::No);
    assert_eq!(any_entry(&adv, &log4j, "2.15.0").0, Answer::No);
    assert_eq!(any_entry(&adv, &log4j, "2.12.1").0, Answer::Yes);
    assert_eq!(any_entry(&adv, &log4j, "2.12.2").0, Answer::No);
    assert_eq!(any_entry(&adv, &log4j, "1.2.17").0, Answer::No);
}

#[test]
fn nvd_heartbleed() {
    let adv = advisory("nvd-records/CVE-2014-0160.json");
    let openssl = cpe_of(":openssl:openssl:");
    let (a, why) = any_entry(&adv, &openssl, "1.0.1f");
    assert_eq!(a, Answer::Yes, "{why}");
    assert_eq!(any_entry(&adv, &openssl, "1.0.1g").0, Answer::No);
    assert_eq!(any_entry(&adv, &openssl, "1.0.1a").0, Answer::Yes);
    assert_eq!(any_entry(&adv, &openssl, "1.0.2").0, Answer::No);
    assert_eq!(any_entry(&adv, &openssl, "1.0.0").0, Answer::No);
    // 1.0.1f sits above the start bound 1.0.1 only if a letter after a release means
    // later, which the generic order assumes and says.
    let entry = adv.affected.iter().find(|a| openssl(a)).unwrap();
    let v = affects(entry, "1.0.1f");
    assert!(v.assumption.is_some(), "{v:?}");
}

#[test]
fn osv_go_gin() {
    // GO-2020-0001: github.com/gin-gonic/gin, introduced 0, fixed 1.6.0 (SEMVER).
    let adv = advisory("osv-golang-vulndb/GO-2020-0001.json");
    let gin = |a: &Affected| matches!(&a.what, Package::Ecosystem { name, .. } if name == "github.com/gin-gonic/gin");
    assert_eq!(any_entry(&adv, gin, "1.5.0").0, Answer::Yes);
    assert_eq!(
        any_entry(&adv, gin, "v1.5.0").0,
        Answer::Yes,
        "Go's v prefix"
    );
    assert_eq!(
        any_entry(&adv, gin, "v0.0.0-20190301021747-ccb9e902956d").0,
        Answer::Yes
    );
    let (a, why) = any_entry(&adv, gin, "1.6.0");
    assert_eq!(a, Answer::No, "{why}");
    assert_eq!(any_entry(&adv, gin, "v1.9.1").0, Answer::No);
}

#[test]
fn osv_pypi_django() {
    // PYSEC-2024-69: django, introduced 5.0 fixed 5.0.8, introduced 4.2 fixed 4.2.15
    // (events not in version order in the record).
    let adv = advisory("osv-pypa/vulns/django/PYSEC-2024-69.yaml");
    let django =
        |a: &Affected| matches!(&a.what, Package::Ecosystem { name, .. } if name == "django");
    for (v, want) in [
        ("4.1.13", Answer::No),
        ("4.2", Answer::Yes),
        ("4.2.14", Answer::Yes),
        ("4.2.15", Answer::No),
        ("4.2.15.post1", Answer::No),
        ("5.0rc1", Answer::No),
        ("5.0", Answer::Yes),
        ("5.0.7", Answer::Yes),
        ("5.0.8", Answer::No),
        ("5.1", Answer::No),
    ] {
        let (a, why) = any_entry(&adv, django, v);
        assert_eq!(a, want, "django {v}: {why}");
    }
}
