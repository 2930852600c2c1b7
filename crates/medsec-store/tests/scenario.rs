//! The scenario suite, run against SQLite (a temporary file) and PostgreSQL (a
//! throwaway cluster, see `support/pg.rs`): every scenario is one async function taking
//! the backend, and the macro at the end makes one test per backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use std::path::PathBuf;

use medsec_store::{ExportFilter, ImportOptions, NoProgress, SnapshotOutcome, Store, StoreError};
use support::{Kind, TestDb, archive, export_text, fixture, nvdgen};

async fn import(store: &Store, paths: &[PathBuf]) -> medsec_store::ImportSummary {
    store
        .import(paths, &ImportOptions::default(), &NoProgress)
        .await
        .unwrap_or_else(|e| panic!("import failed: {e}"))
}

fn advisory_dirs() -> Vec<PathBuf> {
    ["nvd", "cve5", "osv", "csaf"]
        .iter()
        .map(|d| fixture(d))
        .collect()
}

/// NVD + CVE 5 + OSV + CSAF fixtures: counts, merged aliases, scores, candidates.
async fn import_all_formats(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.open().await;
    let s = import(&store, &advisory_dirs()).await;
    assert_eq!(s.records.read, 7, "{s:#?}");
    assert_eq!(s.records.new, 7);
    assert!(s.changed);
    assert!(s.skipped.is_empty(), "{:?}", s.skipped);
    assert_eq!(s.inputs.len(), 7);
    assert!(s.inputs.iter().all(|i| i.sha256.len() == 64));

    let stats = store.stats().await.unwrap();
    let per: Vec<(String, String, u64)> = stats
        .records
        .iter()
        .map(|c| (c.source.clone(), c.format.clone(), c.records))
        .collect();
    assert_eq!(
        per,
        [
            ("csaf".into(), "csaf2".into(), 1),
            ("cve5".into(), "cve5".into(), 1),
            ("nvd".into(), "nvd2".into(), 2),
            ("osv".into(), "osv".into(), 3),
        ]
    );
    assert_eq!(stats.total_records, 7);
    // CVE-2024-3094 (NVD, CVE 5, GHSA, ICSMA), CVE-2022-37434, PYSEC-2019-26 under its
    // CVE, GO-2020-0001 under its CVE.
    assert_eq!(stats.vulnerabilities, 4);
    assert!(stats.index_entries > 0 && stats.index_keys > 0);
    assert!(stats.scores > 0);
    assert!(stats.size_bytes > 0);
    assert_eq!(stats.last_batch.as_ref().map(|b| b.records.new), Some(7));

    // One vulnerability, whichever id names it.
    for name in ["CVE-2024-3094", "ghsa-rxwq-x6h5-x525", "cve-2024-3094"] {
        let v = store.vulnerability(name).await.unwrap().expect(name);
        assert_eq!(v.id, "CVE-2024-3094");
        let sources: Vec<&str> = v.records.iter().map(|r| r.source.as_str()).collect();
        assert_eq!(sources, ["csaf", "cve5", "nvd", "osv"], "{name}");
        assert!(
            v.aliases
                .iter()
                .any(|a| a.id == "GHSA-RXWQ-X6H5-X525" && a.links)
        );
        assert!(
            v.aliases
                .iter()
                .any(|a| a.id == "ICSMA-18-240-01" && !a.links)
        );
        assert!(
            v.scores
                .iter()
                .any(|s| s.kind == "cvss" && s.source == "nvd")
        );
        assert!(v.scores.iter().any(|s| s.source == "osv"));
        assert!(v.cwes.iter().any(|c| c == "CWE-506"), "{:?}", v.cwes);
    }
    // The advisory document's id finds the vulnerabilities it covers.
    let by_doc = store
        .vulnerabilities_named("ICSMA-18-240-01")
        .await
        .unwrap();
    assert_eq!(by_doc.len(), 1);
    assert_eq!(by_doc[0].id, "CVE-2024-3094");
    let pysec = store.vulnerability("PYSEC-2019-26").await.unwrap().unwrap();
    assert_eq!(pysec.id, "CVE-2019-1020019");
    assert!(
        store
            .vulnerability("CVE-1900-0001")
            .await
            .unwrap()
            .is_none()
    );

    // Candidates by the index keys the matcher uses.
    let nvd = store
        .for_each_advisory_collect()
        .await
        .into_iter()
        .find(|a| a.source == "nvd" && a.record_key == "CVE-2024-3094")
        .unwrap();
    let keys = medsec_store::index_keys(&nvd.advisory);
    assert!(!keys.is_empty());
    let found = store.candidates(&keys).await.unwrap();
    assert!(
        found
            .iter()
            .any(|a| a.record_key == "CVE-2024-3094" && a.source == "nvd")
    );
    assert!(found.iter().all(|a| {
        medsec_store::index_keys(&a.advisory)
            .iter()
            .any(|k| keys.contains(k))
    }));
    let ids = store.candidate_ids(&keys).await.unwrap();
    assert_eq!(ids, found.iter().map(|a| a.record_id).collect::<Vec<_>>());
    let hits = store.key_hits(&keys).await.unwrap();
    assert!(hits.values().flatten().any(|id| *id == nvd.record_id));
    assert!(hits.keys().all(|k| keys.contains(k)));
    let none = store
        .candidates(&["cpe:a:nobody:nothing".to_owned()])
        .await
        .unwrap();
    assert!(none.is_empty());
    // All keys, streamed, agree with the candidates.
    let all = store.all_keys().await.unwrap();
    assert_eq!(all.len() as u64, stats.index_entries);
    let ids: Vec<i64> = all
        .iter()
        .filter(|(k, _)| keys.contains(k))
        .map(|(_, id)| *id)
        .collect();
    let again = store.advisories(&ids).await.unwrap();
    assert_eq!(
        again.iter().map(|a| a.record_id).collect::<Vec<_>>(),
        found.iter().map(|a| a.record_id).collect::<Vec<_>>()
    );
    assert!(store.integrity_check().await.unwrap().is_empty());
}

/// A second import of the same files changes nothing.
async fn idempotent_second_import(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.open().await;
    let mut inputs = advisory_dirs();
    inputs.push(fixture("kev"));
    inputs.push(fixture("epss"));
    import(&store, &inputs).await;
    let before = export_text(&store).await;
    let stats_before = store.stats().await.unwrap();
    let s = import(&store, &inputs).await;
    assert_eq!(s.records.unchanged, 7, "{s:#?}");
    assert_eq!(
        (s.records.new, s.records.replaced, s.records.older),
        (0, 0, 0)
    );
    assert_eq!(s.kev, [SnapshotOutcome::Unchanged]);
    assert_eq!(s.epss, [SnapshotOutcome::Unchanged]);
    assert!(!s.changed);
    assert_eq!(s.regrouped, 0);
    assert_eq!(export_text(&store).await, before);
    let stats_after = store.stats().await.unwrap();
    assert_eq!(stats_after.records, stats_before.records);
    assert_eq!(stats_after.vulnerabilities, stats_before.vulnerabilities);
    assert_eq!(stats_after.batches, stats_before.batches + 1);
    assert_eq!(
        stats_after.last_batch.as_ref().map(|b| b.outcome.as_str()),
        Some("unchanged")
    );
}

/// A newer `lastModified` replaces (index rewritten), an older or equal one is ignored.
async fn newer_and_older_versions(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.open().await;
    let v1 = nvdgen::write_pages(&db.path("v1"), 0, 20, 8, "2030-02-01T00:00:00.000", 1, 2);
    let s = import(&store, &v1).await;
    assert_eq!(s.records.new, 20);
    let entries_v1 = store.stats().await.unwrap().index_entries;

    // Records 0..5 again, later, with more cpeMatch entries (new index keys).
    let v2 = nvdgen::write_pages(&db.path("v2"), 0, 5, 8, "2030-03-01T00:00:00.000", 2, 3);
    let s = import(&store, &v2).await;
    assert_eq!((s.records.replaced, s.records.new), (5, 0), "{s:#?}");
    let v = store
        .vulnerability(&nvdgen::cve_id(3))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.records.len(), 1);
    let details = v.records[0].advisory.details.clone().unwrap_or_default();
    assert!(details.contains("version 2"), "{details}");
    assert_eq!(
        v.records[0].modified.as_deref(),
        Some("2030-03-01T00:00:00Z")
    );
    let keys = medsec_store::index_keys(&v.records[0].advisory);
    assert!(keys.iter().any(|k| k.ends_with("_2")), "{keys:?}");
    let found = store.candidates(&keys).await.unwrap();
    assert!(found.iter().any(|a| a.record_key == nvdgen::cve_id(3)));
    let entries_v2 = store.stats().await.unwrap().index_entries;
    assert_eq!(
        entries_v2,
        entries_v1 + 5,
        "one more key per replaced record"
    );
    let after_v2 = export_text(&store).await;

    // Older, and equally dated with other content: ignored.
    let v0 = nvdgen::write_pages(&db.path("v0"), 0, 20, 8, "2030-01-01T00:00:00.000", 0, 1);
    let s = import(&store, &v0).await;
    assert_eq!(s.records.older, 20, "{s:#?}");
    assert!(!s.changed);
    let same = nvdgen::write_pages(&db.path("same"), 0, 5, 8, "2030-03-01T00:00:00.000", 9, 3);
    let s = import(&store, &same).await;
    assert_eq!(s.records.older, 5);
    assert_eq!(export_text(&store).await, after_v2);

    // Within one batch: decided in input order, as if imported one at a time.
    let both = vec![v0[0].clone(), v2[0].clone(), v1[0].clone()];
    let db2 = db.sibling().await;
    let fresh = db2.open().await;
    let s = fresh
        .import(
            &both,
            &ImportOptions {
                chunk_records: 3,
                ..ImportOptions::default()
            },
            &NoProgress,
        )
        .await
        .unwrap();
    assert_eq!(s.records.new, 8);
    // v0: 8 new; v2: 5 replace them; v1: 5 older than v2, 3 newer than v0.
    assert_eq!(s.records.replaced, 5 + 3, "{s:#?}");
    assert_eq!(s.records.older, 5);
}

/// KEV and EPSS: import, lookup, merged view, unchanged, newer, older.
async fn kev_and_epss(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.open().await;
    let mut inputs = advisory_dirs();
    inputs.push(fixture("kev/known_exploited_vulnerabilities.json"));
    inputs.push(fixture("epss/epss_scores-2025-03-16.csv"));
    let s = import(&store, &inputs).await;
    assert_eq!(s.kev, [SnapshotOutcome::Imported { entries: 2 }]);
    assert_eq!(s.epss, [SnapshotOutcome::Imported { entries: 4 }]);

    let k = store.kev("cve-2024-3094").await.unwrap().unwrap();
    assert_eq!(k.vendor_project, "Tukaani");
    assert_eq!(k.cwes, ["CWE-506"]);
    assert!(store.kev("CVE-2022-37434").await.unwrap().is_none());
    let e = store.epss("CVE-2021-44228").await.unwrap().unwrap();
    assert_eq!((e.epss, e.percentile), (0.94358, 0.99957));
    let v = store
        .vulnerability("GHSA-rxwq-x6h5-x525")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.kev.len(), 1);
    assert_eq!(v.epss.len(), 1);
    assert_eq!(v.epss[0].epss, 0.84269);
    let stats = store.stats().await.unwrap();
    assert_eq!(stats.kev.as_ref().map(|k| k.entries), Some(2));
    assert_eq!(
        stats
            .epss
            .as_ref()
            .and_then(|e| e.score_date.clone())
            .as_deref(),
        Some("2025-03-16T00:00:00+0000")
    );

    // A later catalog without the log4j entry replaces the old one.
    let text =
        std::fs::read_to_string(fixture("kev/known_exploited_vulnerabilities.json")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["dateReleased"] = "2025-03-20T17:00:00.000Z".into();
    json["catalogVersion"] = "2025.03.20".into();
    json["vulnerabilities"].as_array_mut().unwrap().pop();
    let newer = db.path("kev-newer.json");
    std::fs::write(&newer, serde_json::to_vec(&json).unwrap()).unwrap();
    json["dateReleased"] = "2025-01-01T00:00:00.000Z".into();
    let older = db.path("kev-older.json");
    std::fs::write(&older, serde_json::to_vec(&json).unwrap()).unwrap();
    let s = import(&store, &[newer]).await;
    assert_eq!(s.kev, [SnapshotOutcome::Imported { entries: 1 }]);
    assert!(store.kev("CVE-2021-44228").await.unwrap().is_none());
    let s = import(&store, &[older]).await;
    assert_eq!(s.kev, [SnapshotOutcome::Older]);
    assert_eq!(
        store.stats().await.unwrap().kev.map(|k| k.catalog_version),
        Some("2025.03.20".into())
    );

    // EPSS: a later day replaces, gzipped as FIRST ships it.
    let csv = "#model_version:v2025.03.14,score_date:2025-03-17T00:00:00+0000\ncve,epss,percentile\nCVE-2024-3094,0.9,0.999\n";
    let gz = db.path("epss_scores-2025-03-17.csv.gz");
    archive::gz(&gz, csv.as_bytes());
    let s = import(&store, &[gz]).await;
    assert_eq!(s.epss, [SnapshotOutcome::Imported { entries: 1 }]);
    assert!(store.epss("CVE-2021-44228").await.unwrap().is_none());
    assert_eq!(
        store.epss("CVE-2024-3094").await.unwrap().unwrap().epss,
        0.9
    );
}

/// Export → import into an empty store → export is byte-identical, also gzipped and
/// with generated data; and an export filtered by source.
async fn export_round_trip(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.open().await;
    let mut inputs = advisory_dirs();
    inputs.push(fixture("kev"));
    inputs.push(fixture("epss"));
    inputs.extend(nvdgen::write_pages(
        &db.path("gen"),
        0,
        30,
        10,
        "2030-02-01T00:00:00.000",
        1,
        3,
    ));
    import(&store, &inputs).await;
    let first = export_text(&store).await;
    assert!(first.starts_with("{\"kind\":\"medsec-store-export\",\"version\":1}\n"));
    assert_eq!(
        first
            .lines()
            .filter(|l| l.contains("\"kind\":\"advisory\""))
            .count(),
        37
    );
    let path = db.path("export.jsonl");
    std::fs::write(&path, &first).unwrap();

    let db2 = db.sibling().await;
    let copy = db2.open().await;
    let s = import(&copy, std::slice::from_ref(&path)).await;
    assert_eq!(s.records.new, 37);
    assert_eq!(s.kev, [SnapshotOutcome::Imported { entries: 2 }]);
    let second = export_text(&copy).await;
    assert!(first == second, "the export changed after a round trip");
    assert_eq!(
        copy.stats().await.unwrap().vulnerabilities,
        store.stats().await.unwrap().vulnerabilities
    );
    // Importing the export into the original changes nothing.
    let s = import(&store, &[path]).await;
    assert_eq!(s.records.unchanged, 37);
    assert!(!s.changed);

    // Gzipped, into a third store.
    let gz = db.path("export.jsonl.gz");
    archive::gz(&gz, first.as_bytes());
    let db3 = db.sibling().await;
    let third = db3.open().await;
    import(&third, &[gz]).await;
    assert!(export_text(&third).await == first);

    // Filtered.
    let mut out = Vec::new();
    let n = store
        .export(
            &mut out,
            &ExportFilter {
                sources: vec!["osv".into()],
                kev: false,
                epss: false,
                ..ExportFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((n.advisories, n.kev_entries, n.epss_scores), (3, 0, 0));
}

/// A malformed advisory inside an archive fails the import naming archive and member;
/// the store is unchanged. Members that are not advisories are skipped.
async fn malformed_member_rejected(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.open().await;
    import(&store, &advisory_dirs()).await;
    let before = export_text(&store).await;
    let batches = store.stats().await.unwrap().batches;

    let good = nvdgen::page(vec![nvdgen::cve(1, "2030-01-01T00:00:00.000", 1, 2)]);
    let bad = br#"{"cve": {"id": "CVE-2030-99999", "published": "#;
    let osv = std::fs::read(fixture("osv/GO-2020-0001.json")).unwrap();
    for (name, build) in [
        (
            "feed.tar.gz",
            archive::tar_gz as fn(&std::path::Path, &[(&str, &[u8])]),
        ),
        ("feed.zip", archive::zip),
    ] {
        let path = db.path(name);
        build(
            &path,
            &[
                ("feed/README.txt", b"not an advisory"),
                ("feed/a.json", &good),
                ("feed/osv/GO-2020-0001.json", &osv),
                ("feed/broken/CVE-2030-99999.json", bad),
            ],
        );
        let err = store
            .import(
                std::slice::from_ref(&path),
                &ImportOptions::default(),
                &NoProgress,
            )
            .await
            .expect_err("a malformed member must fail the import");
        let text = err.to_string();
        assert!(text.contains(name), "{text}");
        assert!(text.contains("feed/broken/CVE-2030-99999.json"), "{text}");
        match &err {
            StoreError::Read { origin, .. } => {
                assert_eq!(
                    origin.member.as_deref(),
                    Some("feed/broken/CVE-2030-99999.json")
                );
            }
            other => panic!("expected a read error, got {other:?}"),
        }
        assert_eq!(export_text(&store).await, before);
        assert_eq!(store.stats().await.unwrap().batches, batches);
    }

    // Without the broken member the same archives import, skipping what is no advisory.
    let path = db.path("ok.zip");
    archive::zip(
        &path,
        &[
            ("feed/README.txt", b"not an advisory"),
            ("feed/package.json", br#"{"name": "x", "version": "1.0.0"}"#),
            ("feed/a.json", &good),
            ("feed/osv/GO-2020-0001.json", &osv),
        ],
    );
    let s = import(&store, &[path]).await;
    assert_eq!(s.records.new, 1, "{s:#?}");
    assert_eq!(s.records.unchanged, 1);
    let skipped: Vec<&str> = s
        .skipped
        .iter()
        .filter_map(|k| k.origin.member.as_deref())
        .collect();
    assert_eq!(skipped, ["feed/README.txt", "feed/package.json"]);
    assert_eq!(s.inputs[0].skipped, 2);
}

/// `.json.gz`, `.tar.gz` and `.zip` archives of NVD pages and OSV records, as the feeds
/// ship them, give the same store as the plain files.
async fn archives_equal_plain_files(kind: Kind) {
    let db = TestDb::new(kind).await;
    let pages = nvdgen::write_pages(&db.path("plain"), 0, 12, 5, "2030-02-01T00:00:00.000", 1, 2);
    let osv = fixture("osv");
    let plain = db.open().await;
    let mut inputs = pages.clone();
    inputs.push(osv.clone());
    import(&plain, &inputs).await;
    let expected = export_text(&plain).await;

    let db2 = db.sibling().await;
    let packed = db2.open().await;
    let gz = db.path("nvdcve-2.0-000000.json.gz");
    archive::gz(&gz, &std::fs::read(&pages[0]).unwrap());
    let members: Vec<(String, Vec<u8>)> = pages[1..]
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(p).unwrap(),
            )
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = members
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let tgz = db.path("nvd.tar.gz");
    archive::tar_gz(&tgz, &refs);
    let mut osv_members = Vec::new();
    for e in std::fs::read_dir(&osv).unwrap() {
        let p = e.unwrap().path();
        osv_members.push((
            p.file_name().unwrap().to_string_lossy().into_owned(),
            std::fs::read(&p).unwrap(),
        ));
    }
    osv_members.sort();
    let refs: Vec<(&str, &[u8])> = osv_members
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let zip = db.path("osv-all.zip");
    archive::zip(&zip, &refs);
    let s = import(&packed, &[gz, tgz, zip]).await;
    assert_eq!(s.records.new, 15, "{s:#?}");
    // The same records; only the file name in the provenance differs for the `.gz`.
    assert!(without_file_names(&export_text(&packed).await) == without_file_names(&expected));
}

/// An export with every advisory's `provenance.file` removed.
fn without_file_names(export: &str) -> Vec<serde_json::Value> {
    export
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            if let Some(p) = v.pointer_mut("/advisory/provenance")
                && let Some(o) = p.as_object_mut()
            {
                o.remove("file");
            }
            v
        })
        .collect()
}

/// A record whose aliases change leaves its old vulnerability (regrouping is
/// recomputed, not only merged).
async fn aliases_regroup(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.open().await;
    let osv = |modified: &str, aliases: &[&str]| {
        serde_json::json!({
            "schema_version": "1.6.0",
            "id": "GHSA-aaaa-bbbb-cccc",
            "modified": modified,
            "aliases": aliases,
            "affected": [{"package": {"ecosystem": "PyPI", "name": "demo"}, "versions": ["1.0"]}]
        })
    };
    let nvd = nvdgen::write_pages(&db.path("nvd"), 0, 2, 2, "2030-01-01T00:00:00.000", 1, 1);
    let a = db.path("a/GHSA-aaaa-bbbb-cccc.json");
    std::fs::create_dir_all(a.parent().unwrap()).unwrap();
    std::fs::write(
        &a,
        serde_json::to_vec(&osv(
            "2030-01-01T00:00:00Z",
            &[&nvdgen::cve_id(0), &nvdgen::cve_id(1)],
        ))
        .unwrap(),
    )
    .unwrap();
    let mut inputs = nvd.clone();
    inputs.push(a);
    import(&store, &inputs).await;
    // The GHSA aliasing both CVEs makes them one vulnerability.
    assert_eq!(store.stats().await.unwrap().vulnerabilities, 1);
    let v = store
        .vulnerability(&nvdgen::cve_id(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.id, nvdgen::cve_id(0));
    assert_eq!(v.records.len(), 3);

    // A later version aliases only the first: the second CVE is on its own again.
    let b = db.path("b/GHSA-aaaa-bbbb-cccc.json");
    std::fs::create_dir_all(b.parent().unwrap()).unwrap();
    std::fs::write(
        &b,
        serde_json::to_vec(&osv("2030-02-01T00:00:00Z", &[&nvdgen::cve_id(0)])).unwrap(),
    )
    .unwrap();
    let s = import(&store, &[b]).await;
    assert_eq!(s.records.replaced, 1);
    assert_eq!(s.regrouped, 1);
    assert_eq!(store.stats().await.unwrap().vulnerabilities, 2);
    let v = store
        .vulnerability(&nvdgen::cve_id(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.id, nvdgen::cve_id(1));
    assert_eq!(v.records.len(), 1);
}

/// Named inputs that are not advisories fail; in directories they are skipped.
async fn not_an_advisory(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.open().await;
    let odd = db.path("dir/notes.json");
    std::fs::create_dir_all(odd.parent().unwrap()).unwrap();
    std::fs::write(&odd, br#"{"hello": "world"}"#).unwrap();
    std::fs::write(db.path("dir/readme.txt"), b"text").unwrap();
    let err = store
        .import(
            std::slice::from_ref(&odd),
            &ImportOptions::default(),
            &NoProgress,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotAnAdvisory { .. }), "{err:?}");
    let s = import(&store, &[db.path("dir")]).await;
    assert_eq!(s.skipped.len(), 2, "{s:#?}");
    assert!(!s.changed);
    let missing = store
        .import(
            &[db.path("missing.json")],
            &ImportOptions::default(),
            &NoProgress,
        )
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::Io { .. }), "{missing:?}");
}

/// Reopening keeps everything (the migrations are not re-applied).
async fn reopen(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.open().await;
    import(&store, &advisory_dirs()).await;
    let before = export_text(&store).await;
    store.close().await;
    let again = db.open().await;
    assert_eq!(export_text(&again).await, before);
}

/// `Store::for_each_advisory` collected, for the assertions above.
trait CollectAll {
    async fn for_each_advisory_collect(&self) -> Vec<medsec_store::StoredAdvisory>;
}

impl CollectAll for Store {
    async fn for_each_advisory_collect(&self) -> Vec<medsec_store::StoredAdvisory> {
        let mut out = Vec::new();
        self.for_each_advisory(|a| {
            out.push(a);
            true
        })
        .await
        .unwrap();
        out
    }
}

scenarios!(
    import_all_formats,
    idempotent_second_import,
    newer_and_older_versions,
    kev_and_epss,
    export_round_trip,
    malformed_member_rejected,
    archives_equal_plain_files,
    aliases_regroup,
    not_an_advisory,
    reopen,
);

/// The same inputs give the same export on both backends (bytewise ordering on both).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_export_the_same_bytes() {
    let mut exports = Vec::new();
    for kind in [Kind::Sqlite, Kind::Postgres] {
        let db = TestDb::new(kind).await;
        let store = db.open().await;
        let mut inputs = advisory_dirs();
        inputs.push(fixture("kev"));
        inputs.push(fixture("epss"));
        inputs.extend(nvdgen::write_pages(
            &db.path("gen"),
            0,
            25,
            10,
            "2030-02-01T00:00:00.000",
            1,
            3,
        ));
        import(&store, &inputs).await;
        exports.push(without_file_names(&export_text(&store).await));
    }
    assert!(
        exports[0] == exports[1],
        "SQLite and PostgreSQL exports differ"
    );
}
