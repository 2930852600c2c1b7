//! Hostile and broken inputs: clear errors, never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use medsec_formats::advisory::{ReadError, ReadOptions, codes, read};
use proptest::prelude::*;

fn problems(bytes: &[u8]) -> Vec<medsec_formats::advisory::Problem> {
    match read(bytes, &ReadOptions::default()) {
        Ok(d) => panic!("accepted: {:?}", d.format),
        Err(e) => e.problems(),
    }
}

#[test]
fn truncated_json_is_located() {
    let p = problems(b"{\n  \"id\": \"GO-2020-0001\",\n  \"modified\": \"2023");
    assert_eq!(p[0].code, codes::SYNTAX);
    assert_eq!(p[0].line, Some(3));
}

#[test]
fn deep_nesting_is_refused() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let p = problems(deep.as_bytes());
    assert_eq!(p[0].code, codes::SYNTAX);
    assert!(p[0].message.contains("recursion"), "{}", p[0].message);
    let deep_obj = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    assert_eq!(problems(deep_obj.as_bytes())[0].code, codes::SYNTAX);
    let deep_yaml = format!(
        "id: x\nmodified: y\na: {}1{}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert_eq!(problems(deep_yaml.as_bytes())[0].code, codes::SYNTAX);
}

#[test]
fn wrong_types_are_located_by_path() {
    let text = br#"{
  "id": "GO-2020-0001",
  "modified": "2023-01-01T00:00:00Z",
  "affected": [ { "package": { "ecosystem": "Go", "name": "x" }, "versions": "1.0" } ]
}"#;
    let p = problems(text);
    assert_eq!(p[0].code, codes::WRONG_TYPE);
    assert_eq!(p[0].pointer, "/affected/0/versions");
    assert_eq!(p[0].line, Some(4));
}

#[test]
fn every_problem_is_collected() {
    // Three independent errors in one OSV record: all reported, each with its place.
    let text = br#"{
  "id": "GO-2020-0001",
  "modified": "yesterday",
  "severity": [ { "type": "CVSS_V3", "score": "CVSS:3.1/AV:X" } ],
  "affected": [ { "package": { "ecosystem": "Go", "name": "x" },
                  "ranges": [ { "type": "SEMVER", "events": [ { "fixed": "1.0.0" } ] } ] } ]
}"#;
    let p = problems(text);
    let found: Vec<(&str, &str, Option<usize>)> = p
        .iter()
        .map(|p| (p.code, p.pointer.as_str(), p.line))
        .collect();
    assert!(
        found.contains(&(codes::BAD_TIMESTAMP, "/modified", Some(3))),
        "{found:?}"
    );
    assert!(
        found.contains(&(codes::BAD_CVSS, "/severity/0/score", Some(4))),
        "{found:?}"
    );
    assert!(
        found.contains(&(codes::BAD_RANGE, "/affected/0/ranges/0/events", Some(6))),
        "{found:?}"
    );
}

#[test]
fn score_mismatch_is_a_warning_keeping_both() {
    let text = br#"{"cve": {"id": "CVE-2099-0001", "sourceIdentifier": "x",
      "published": "2099-01-01T00:00:00.000", "lastModified": "2099-01-02T00:00:00.000",
      "descriptions": [{"lang": "en", "value": "x"}],
      "metrics": {"cvssMetricV31": [{"source": "nvd@nist.gov", "type": "Primary",
        "cvssData": {"version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                     "baseScore": 7.5, "baseSeverity": "HIGH"}}]}}}"#;
    let d = read(text, &ReadOptions::default()).unwrap();
    assert_eq!(d.warnings[0].code, codes::SCORE_MISMATCH);
    let medsec_core::advisory::SeverityKind::Cvss(c) = &d.advisories[0].severities[0].kind else {
        panic!()
    };
    assert_eq!(c.stated_base_score, Some(7.5));
    assert_eq!(c.computed_base_score, Some(9.8));
}

#[test]
fn odd_inputs() {
    assert!(matches!(
        read(b"", &ReadOptions::default()),
        Err(ReadError::UnknownFormat { .. })
    ));
    assert!(matches!(
        read(b"null", &ReadOptions::default()),
        Err(ReadError::UnknownFormat { .. })
    ));
    assert!(matches!(
        read(b"[]", &ReadOptions::default()),
        Err(ReadError::UnknownFormat { .. })
    ));
    assert!(matches!(
        read(b"\xff\xfe{}", &ReadOptions::default()),
        Err(ReadError::Syntax(_))
    ));
    assert!(matches!(
        read(
            b"{\"document\": {\"csaf_version\": 2}}",
            &ReadOptions::default()
        ),
        Err(ReadError::Invalid { .. })
    ));
    let limited = ReadOptions {
        max_bytes: 10,
        file_name: None,
    };
    assert!(matches!(
        read(&[b' '; 11], &limited),
        Err(ReadError::TooLarge { .. })
    ));
    // A YAML alias bomb is bounded by the parser's budget.
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
    assert!(read(bomb.as_bytes(), &ReadOptions::default()).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = read(&bytes, &ReadOptions::default());
    }

    #[test]
    fn mutated_real_documents_never_panic(cut in 0usize..4000, byte in any::<u8>(), which in 0usize..4) {
        let docs: [&str; 4] = [
            include_str!("fixtures/advisory/osv-min.json"),
            include_str!("fixtures/advisory/nvd-min.json"),
            include_str!("fixtures/advisory/cve5-min.json"),
            include_str!("fixtures/advisory/csaf-min.json"),
        ];
        let mut bytes = docs[which].as_bytes().to_vec();
        let at = cut % bytes.len();
        bytes[at] = byte;
        let _ = read(&bytes, &ReadOptions::default());
        let _ = read(&bytes[..at], &ReadOptions::default());
    }
}
