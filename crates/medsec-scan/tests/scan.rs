//! The scan engine on real advisories (the bundled NVD and PyPA OSV records) and the
//! example SBOMs: verdicts, severity choice, and incremental re-matching equal to a
//! full one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use medsec_core::advisory::Advisory;
use medsec_match::{
    ComponentMatch, Confidence, CpeProductMap, KeyOrigin, MatchContext, MatchStatus, Via,
};
use medsec_scan::{
    CandidateIndex, Evidence, Portfolio, Severity, Verdict, match_indexed, prepare, severity_of,
    verdict,
};
use medsec_store::{StoredAdvisory, StoredScore};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if matches!(
            p.extension().and_then(|x| x.to_str()),
            Some("json" | "yaml")
        ) {
            out.push(p);
        }
    }
}

/// Every bundled advisory as a stored record (each its own vulnerability group, named
/// by its first CVE alias or its id, as the store names groups).
fn records() -> Vec<StoredAdvisory> {
    let mut paths = Vec::new();
    files(&root().join("examples/advisories"), &mut paths);
    paths.sort();
    let mut out = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        let bytes = std::fs::read(p).unwrap();
        let doc = medsec_formats::advisory::read(&bytes, &Default::default()).unwrap();
        for a in doc.advisories {
            out.push(stored(i as i64, a));
        }
    }
    out
}

fn stored(id: i64, a: Advisory) -> StoredAdvisory {
    let source = if a.id.starts_with("CVE-") {
        "nvd"
    } else {
        "osv"
    };
    let vulnerability = std::iter::once(a.id.clone())
        .chain(a.aliases.iter().map(|x| x.id.clone()))
        .find(|x| x.starts_with("CVE-"))
        .unwrap_or_else(|| a.id.clone());
    StoredAdvisory {
        record_id: id,
        source: source.into(),
        record_key: a.id.clone(),
        vulnerability,
        modified: None,
        batch_id: 1,
        advisory: a,
    }
}

fn sboms() -> Vec<(String, medsec_core::component::Sbom)> {
    let mut paths = Vec::new();
    for device in [
        "insulin-pump",
        "patient-monitor",
        "cardiac-implant",
        "ivd-analyser",
    ] {
        for e in std::fs::read_dir(root().join("examples").join(device).join("sbom")).unwrap() {
            paths.push(e.unwrap().path());
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let sbom = medsec_formats::sbom::read(&std::fs::read(&p).unwrap())
                .unwrap()
                .sbom;
            (p.display().to_string(), sbom)
        })
        .collect()
}

fn evidence(status: MatchStatus, confidence: Confidence, record: &str) -> Evidence {
    Evidence {
        source: "osv".into(),
        record: record.into(),
        modified: None,
        matched: ComponentMatch {
            advisory_id: record.into(),
            status,
            confidence,
            via: Via::Ecosystem,
            affected_index: 0,
            configuration: None,
            key: "purl:pypi/x".into(),
            key_origin: KeyOrigin::Declared,
            reasons: vec![],
            fixed_in: vec![],
            assumptions: vec![],
        },
    }
}

#[test]
fn the_most_confident_records_decide_and_the_rest_are_listed() {
    let e = [
        evidence(MatchStatus::Affected, Confidence::Low, "CVE-derived"),
        evidence(MatchStatus::Fixed, Confidence::High, "PYSEC-1"),
    ];
    let (status, confidence, disagreements) = verdict(&e);
    assert_eq!((status, confidence), (MatchStatus::Fixed, Confidence::High));
    assert_eq!(disagreements.len(), 1);
    assert!(disagreements[0].contains("CVE-derived says affected (low confidence, outranked"));
    // Equal confidence: affected wins over fixed.
    let e = [
        evidence(MatchStatus::Fixed, Confidence::High, "A"),
        evidence(MatchStatus::Affected, Confidence::High, "B"),
    ];
    assert_eq!(verdict(&e).0, MatchStatus::Affected);
}

fn score(role: &str, version: &str, base: f64) -> StoredScore {
    StoredScore {
        source: "nvd".into(),
        record_key: "CVE-1".into(),
        kind: "cvss".into(),
        version: Some(version.into()),
        vector: None,
        base_score: Some(base),
        computed_score: Some(base),
        severity: None,
        scheme: None,
        scorer_role: role.into(),
        scorer_name: None,
    }
}

#[test]
fn severity_comes_from_nvd_first_then_the_newest_version() {
    let scores = [
        score("cna", "4.0", 9.3),
        score("nvd_primary", "2.0", 7.5),
        score("nvd_primary", "3.1", 5.3),
    ];
    let (sev, s) = severity_of(&scores);
    assert_eq!(sev, Severity::Medium);
    assert_eq!(s.unwrap().version.as_deref(), Some("3.1"));
    // v2 has no critical: 10.0 is high.
    assert_eq!(
        severity_of(&[score("nvd_primary", "2.0", 10.0)]).0,
        Severity::High
    );
    // A qualitative rating when nothing is scored; unknown when nothing at all.
    let mut q = score("database", "x", 0.0);
    q.kind = "qualitative".into();
    q.base_score = None;
    q.computed_score = None;
    q.severity = Some("MODERATE".into());
    assert_eq!(severity_of(&[q]).0, Severity::Medium);
    assert_eq!(severity_of(&[]).0, Severity::Unknown);
}

#[test]
fn real_findings_on_the_examples() {
    let ctx = MatchContext::default();
    let index = CandidateIndex::new(records(), &ctx);
    let products = CpeProductMap::default();
    let all: HashMap<String, Vec<(String, MatchStatus)>> = sboms()
        .into_iter()
        .map(|(name, sbom)| {
            let p = prepare(&sbom, &products);
            let m = match_indexed(&p, &index, &ctx);
            let v = m
                .iter()
                .map(|m| {
                    (
                        format!(
                            "{}@{}",
                            p.components[m.component].reference.name, m.vulnerability
                        ),
                        verdict(&m.evidence).0,
                    )
                })
                .collect();
            (name, v)
        })
        .collect();
    let firmware = all
        .iter()
        .find(|(k, _)| k.ends_with("monitor-firmware.cdx.json"))
        .unwrap()
        .1;
    assert!(firmware.contains(&("zlib@CVE-2022-37434".into(), MatchStatus::Affected)));
    assert!(firmware.contains(&("curl@CVE-2023-38545".into(), MatchStatus::Affected)));
}

/// Everything the portfolio decided, as a comparable set.
fn decided(
    p: &Portfolio,
    r: &HashMap<u32, Vec<Verdict>>,
) -> HashSet<(String, u32, String, String)> {
    let mut out = HashSet::new();
    for (name, ids) in p.sboms() {
        for id in ids {
            for v in r.get(id).into_iter().flatten() {
                out.insert((
                    name.clone(),
                    *id,
                    v.vulnerability.clone(),
                    format!("{:?}/{:?}", v.status, v.confidence),
                ));
            }
        }
    }
    out
}

#[test]
fn an_incremental_rematch_equals_a_full_one() {
    let ctx = MatchContext::default();
    let mut portfolio = Portfolio::new(CpeProductMap::default());
    for (name, sbom) in sboms() {
        portfolio.add(name, &sbom);
    }
    // Sharing: the same component in several SBOMs is matched once.
    assert!(portfolio.len() < portfolio.component_count());
    let before = records();
    let mut index = CandidateIndex::new(before.clone(), &ctx);
    let withdrawn_before = index.withdrawn();
    let mut results = portfolio.match_components(None, &index, &ctx);
    assert!(!decided(&portfolio, &results).is_empty());

    // An update: zlib's record now says nothing is affected (its ranges end at once),
    // and urllib3's first PYSEC record is replaced by one about every version.
    let mut changed = Vec::new();
    for r in &before {
        if r.record_key == "CVE-2022-37434" {
            let mut r = r.clone();
            r.advisory.affected.clear();
            r.advisory.configurations.clear();
            changed.push(r);
        }
    }
    let urllib = before
        .iter()
        .find(|r| {
            r.advisory
                .affected
                .iter()
                .any(|a| format!("{:?}", a.what).contains("urllib3"))
        })
        .unwrap()
        .clone();
    let mut u = urllib.clone();
    for a in &mut u.advisory.affected {
        a.ranges.clear();
        a.versions.clear();
    }
    changed.push(u);
    // And the curl record is withdrawn: its findings must go.
    let mut w = before
        .iter()
        .find(|r| r.record_key == "CVE-2023-38545")
        .unwrap()
        .clone();
    w.advisory.withdrawn = Some(medsec_core::advisory::Withdrawn {
        at: None,
        reason: Some("test".into()),
    });
    changed.push(w);
    assert_eq!(changed.len(), 3);
    let changed_vulns: HashSet<String> = changed.iter().map(|r| r.vulnerability.clone()).collect();
    let mut changed_keys: HashSet<String> = HashSet::new();
    for r in before
        .iter()
        .filter(|r| changed_vulns.contains(&r.vulnerability))
        .chain(changed.iter())
    {
        changed_keys.extend(medsec_match::index_keys(&r.advisory));
    }
    index.upsert(changed.clone(), &ctx);
    let (changes, looked_at) =
        portfolio.rematch_changed(&changed_keys, &changed_vulns, &index, &ctx, &mut results);
    assert!(changes > 0 && looked_at > 0);

    // The same from scratch.
    let mut after = before.clone();
    for c in &changed {
        let slot = after
            .iter_mut()
            .find(|r| r.record_key == c.record_key)
            .unwrap();
        *slot = c.clone();
    }
    let fresh = CandidateIndex::new(after, &ctx);
    let full = portfolio.match_components(None, &fresh, &ctx);
    assert_eq!(decided(&portfolio, &results), decided(&portfolio, &full));
    assert!(
        !decided(&portfolio, &results)
            .iter()
            .any(|(_, _, v, _)| v == "CVE-2023-38545")
    );
    assert_eq!(index.withdrawn(), withdrawn_before + 1);
    // And zlib is no longer affected anywhere.
    assert!(
        !decided(&portfolio, &results)
            .iter()
            .any(|(_, _, v, s)| v == "CVE-2022-37434" && s.starts_with("Affected"))
    );
}
