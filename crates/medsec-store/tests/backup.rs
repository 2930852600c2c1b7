//! `Store::backup` and `Store::restore` on both backends and across them: a full store
//! (advisories, KEV, EPSS, portfolio, findings, triage, test results with evidence,
//! accounts, tokens, the audit log) round-trips exactly; ids continue after a restore;
//! a truncated, altered, foreign-schema backup or a non-empty target is refused with a
//! clear error and leaves the target as it was; a backup taken while an import commits
//! is the state at its start.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use std::io::{Read, Write};
use std::path::Path;

use medsec_catalog::results::{DeviceKey, Outcome};
use medsec_postmarket::triage::{Decision, TriageState};
use medsec_store::accounts::Role;
use medsec_store::audit::{Actor, NewAuditEntry};
use medsec_store::backup::{
    BackupError, BackupObserver, Manifest, NoBackupProgress, TABLES, TableSum,
};
use medsec_store::{ImportOptions, NewEvidence, NewTestResult, NoProgress, ObservedFinding, Store};
use medsec_store::{VersionFacts, VersionRef};
use sha2::{Digest, Sha256};
use support::{Kind, TestDb, export_text, fixture};

const ORG: &str = "Northwind Diabetes Systems Ltd";

fn version(v: &str) -> VersionRef {
    VersionRef {
        organisation: ORG.into(),
        product: "Equa Pump".into(),
        version: v.into(),
    }
}

fn device(v: &str) -> DeviceKey {
    DeviceKey {
        manufacturer: ORG.into(),
        name: "Northwind Equa Insulin Pump System".into(),
        version: v.into(),
    }
}

fn actor() -> Actor<'static> {
    Actor {
        name: "cli:tester",
        reason: Some("backup test"),
    }
}

fn decision(v: &str, at: &str) -> Decision {
    Decision {
        id: 0,
        version: v.into(),
        component: "pkg:generic/zlib@1.2.11".into(),
        vulnerability: "CVE-2022-37434".into(),
        state: TriageState::NotAffected,
        justification: Some(
            medsec_postmarket::triage::parse_justification("vulnerable_code_not_in_execute_path")
                .unwrap(),
        ),
        impact: Some("inflate is never called on untrusted data".into()),
        action: None,
        author: "psirt@example.invalid".into(),
        rationale: "not reachable".into(),
        at: at.parse().unwrap(),
        adjusted_vector: Some("CVSS:3.1/AV:A/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L".into()),
        // A real that has no short decimal form must come back bit for bit.
        adjusted_score: Some(0.1 + 0.2),
    }
}

/// A store with something in every kind of table.
async fn fill(store: &Store) {
    store
        .import(
            &[
                fixture("nvd"),
                fixture("cve5"),
                fixture("osv"),
                fixture("csaf"),
                fixture("kev"),
                fixture("epss"),
            ],
            &ImportOptions::default(),
            &NoProgress,
        )
        .await
        .unwrap();
    let facts = VersionFacts {
        release_date: Some("2025-01-10".into()),
        end_of_support: Some("2030-12-31".into()),
        installed_base: Some(4200),
    };
    let (v1, _) = store
        .portfolio_add(&version("4.2.1"), &facts, "2026-11-01T00:00:00Z")
        .await
        .unwrap();
    let (v2, _) = store
        .portfolio_add(
            &version("4.3.0"),
            &VersionFacts::default(),
            "2026-11-02T00:00:00Z",
        )
        .await
        .unwrap();
    for (bytes, at) in [(&b"sbom one"[..], "t1"), (&b"sbom \x00\xff two"[..], "t2")] {
        store
            .add_document(
                v1.id,
                "sbom",
                "firmware.cdx.json",
                "CycloneDX 1.6",
                bytes,
                at,
            )
            .await
            .unwrap();
    }
    store
        .record_deployment(v1.id, "2026-03-01", 3000, "t")
        .await
        .unwrap();
    let marks = store.monitor_marks().await.unwrap();
    let seen = ObservedFinding {
        component: "pkg:generic/zlib@1.2.11".into(),
        vulnerability: "CVE-2022-37434".into(),
        status: "affected".into(),
        severity: "critical".into(),
        score: Some(9.8),
        kev: false,
        detail: serde_json::json!({"fixed_in": ["1.2.13"], "note": "ünïcödé ✓"}),
    };
    store
        .record_monitor_run("s1", "f1", marks, &[(v1.id, vec![seen])])
        .await
        .unwrap();
    store
        .record_decision(v1.id, &decision("4.2.1", "2026-11-05T10:00:00Z"))
        .await
        .unwrap();
    let pdf: &[u8] = b"%PDF-1.7 pentest report";
    let pcap: &[u8] = &[0xd4, 0xc3, 0xb2, 0xa1, 0, 0, 0xff];
    store
        .record_test_result(&NewTestResult {
            device: device("4.2.1"),
            test: "T-13".into(),
            outcome: Outcome::Fail,
            tester: "R. Roe".into(),
            laboratory: Some("Example Test Lab".into()),
            accreditation: None,
            performed_on: "2026-11-20".into(),
            tools: vec!["nmap 7.94".into()],
            notes: None,
            evidence: vec![
                NewEvidence {
                    name: "report.pdf".into(),
                    bytes: pdf.to_vec(),
                },
                NewEvidence {
                    name: "ble.pcap".into(),
                    bytes: pcap.to_vec(),
                },
            ],
            recorded_at: "2026-11-21T10:00:00Z".into(),
        })
        .await
        .unwrap();
    let (org, _) = store
        .organisation_ensure(ORG, actor(), "2026-11-01T00:00:00Z")
        .await
        .unwrap();
    let account = store
        .account_create(
            "Admin@Example.invalid",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
            actor(),
            "2026-11-01T00:00:00Z",
        )
        .await
        .unwrap()
        .unwrap();
    store
        .membership_set(
            account.id,
            org.id,
            Role::Admin,
            actor(),
            "2026-11-01T00:00:00Z",
        )
        .await
        .unwrap();
    store
        .token_create(
            &"ab".repeat(32),
            "ci",
            org.id,
            Role::Viewer,
            actor(),
            "2026-11-01T00:00:00Z",
        )
        .await
        .unwrap();
    store
        .session_create(
            &"cd".repeat(32),
            account.id,
            "2026-11-01T00:00:00Z",
            1_900_000_000,
        )
        .await
        .unwrap();
    store
        .login_attempt_record("admin@example.invalid", "127.0.0.1", 1_800_000_000, true)
        .await
        .unwrap();
    store
        .audit_append(
            &NewAuditEntry {
                actor: "cli:tester".into(),
                organisation_id: Some(org.id),
                action: "update".into(),
                record_kind: "product-version".into(),
                record_id: v2.id.to_string(),
                reason: Some("release date corrected".into()),
                before: Some(serde_json::json!({"release_date": null})),
                after: Some(serde_json::json!({"release_date": "2026-02-01"})),
            },
            "2026-11-06T00:00:00Z",
        )
        .await
        .unwrap();
}

/// What the public API shows of the portfolio, evidence, accounts and audit log.
async fn views(store: &Store) -> String {
    let mut out = String::new();
    let versions = store.portfolio_versions().await.unwrap();
    out += &format!("{versions:?}\n");
    for v in &versions {
        let docs = store.documents(v.id, true).await.unwrap();
        out += &format!("{docs:?}\n");
        for d in &docs {
            out += &format!("{:?}\n", store.document_content(d.id).await.unwrap());
        }
        out += &format!("{:?}\n", store.findings(v.id, false).await.unwrap());
        out += &format!("{:?}\n", store.finding_events(v.id).await.unwrap());
        out += &format!("{:?}\n", store.product_decisions(v.id).await.unwrap());
        out += &format!("{:?}\n", store.deployments(v.id).await.unwrap());
    }
    out += &format!("{:?}\n", store.last_monitor_run().await.unwrap());
    for d in ["4.2.1", "4.3.0"] {
        let results = store.test_results(&device(d)).await.unwrap();
        out += &format!("{results:?}\n");
        for r in &results {
            for e in &r.evidence {
                out += &format!("{:?}\n", store.evidence_file(&e.sha256).await.unwrap());
            }
        }
    }
    out += &format!(
        "{:?}\n",
        store
            .account_by_email("admin@example.invalid")
            .await
            .unwrap()
    );
    out += &format!(
        "{:?}\n",
        store.audit_entries(None, 0, 10_000).await.unwrap()
    );
    let verification = store.audit_verify().await.unwrap();
    assert!(verification.is_intact(), "{verification:?}");
    out += &format!("{verification:?}\n");
    out
}

async fn backup_bytes(store: &Store) -> (Vec<u8>, Manifest) {
    let mut out = Vec::new();
    let manifest = store.backup(&mut out, &NoBackupProgress).await.unwrap();
    (out, manifest)
}

/// Rows and SHA-256 of every table: the whole content, compared row by row.
async fn digest(store: &Store) -> Vec<TableSum> {
    backup_bytes(store).await.1.tables
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn round_trip(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.open().await;
    fill(&store).await;
    let (bytes, manifest) = backup_bytes(&store).await;
    assert_eq!(manifest.backend, store.backend().as_str());
    assert_eq!(
        manifest
            .tables
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        TABLES
    );
    // The fill reaches every table, so a table the backup dropped could not pass.
    for t in &manifest.tables {
        assert!(t.rows > 0, "table {} is empty in the test store", t.name);
    }
    let path = db.path("store.medsec-backup");
    write(&path, &bytes);

    let target_db = db.sibling().await;
    let target = target_db.open().await;
    let restored = target.restore(&path, &NoBackupProgress).await.unwrap();
    assert_eq!(restored, manifest);
    assert_eq!(export_text(&target).await, export_text(&store).await);
    assert_eq!(views(&target).await, views(&store).await);
    assert_eq!(digest(&target).await, manifest.tables);
    assert!(target.integrity_check().await.unwrap().is_empty());

    // Ids continue after the largest restored one (PostgreSQL: the identity sequences).
    let v1 = store
        .portfolio_version(&version("4.2.1"))
        .await
        .unwrap()
        .unwrap();
    let a = store
        .record_decision(v1.id, &decision("4.2.1", "2026-11-07T10:00:00Z"))
        .await
        .unwrap();
    let b = target
        .record_decision(v1.id, &decision("4.2.1", "2026-11-07T10:00:00Z"))
        .await
        .unwrap();
    assert_eq!(a, b);
    let (v3, _) = target
        .portfolio_add(
            &version("5.0.0"),
            &VersionFacts::default(),
            "2026-11-08T00:00:00Z",
        )
        .await
        .unwrap();
    let (v3_source, _) = store
        .portfolio_add(
            &version("5.0.0"),
            &VersionFacts::default(),
            "2026-11-08T00:00:00Z",
        )
        .await
        .unwrap();
    assert_eq!(v3.id, v3_source.id);
    // A new import batch gets the id it gets on the source.
    let on_target = target
        .import(&[fixture("nvd")], &ImportOptions::default(), &NoProgress)
        .await
        .unwrap();
    let on_source = store
        .import(&[fixture("nvd")], &ImportOptions::default(), &NoProgress)
        .await
        .unwrap();
    assert_eq!(on_target.batch_id, on_source.batch_id);
    // The append-only triggers still hold on the restored store.
    assert!(
        target
            .record_decision(v1.id, &decision("4.2.1", "2026-11-09T10:00:00Z"))
            .await
            .is_ok()
    );
    target.close().await;
    store.close().await;
}

async fn cross(from: Kind, to: Kind) {
    let db = TestDb::new(from).await;
    let store = db.open().await;
    fill(&store).await;
    let (bytes, manifest) = backup_bytes(&store).await;
    let path = db.path("cross.medsec-backup");
    write(&path, &bytes);
    let target_db = TestDb::new(to).await;
    let target = target_db.open().await;
    target.restore(&path, &NoBackupProgress).await.unwrap();
    assert_eq!(export_text(&target).await, export_text(&store).await);
    assert_eq!(views(&target).await, views(&store).await);
    // Same rows in the same order, same values: the table checksums agree across
    // backends too.
    assert_eq!(digest(&target).await, manifest.tables);
    target.close().await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_backup_restores_into_postgres() {
    cross(Kind::Sqlite, Kind::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_backup_restores_into_sqlite() {
    cross(Kind::Postgres, Kind::Sqlite).await;
}

/// A backup of a filled store, and an empty target.
async fn setup(kind: Kind) -> (TestDb, Vec<u8>, TestDb, Store) {
    let db = TestDb::new(kind).await;
    let store = db.open().await;
    fill(&store).await;
    let (bytes, _) = backup_bytes(&store).await;
    store.close().await;
    let target_db = db.sibling().await;
    let target = target_db.open().await;
    (db, bytes, target_db, target)
}

/// Restoring `bytes` fails; the target is exactly as before. Returns the error's text.
async fn refused(db: &TestDb, target: &Store, bytes: &[u8], name: &str) -> BackupError {
    let before = (digest(target).await, export_text(target).await);
    let path = db.path(name);
    write(&path, bytes);
    let err = target
        .restore(&path, &NoBackupProgress)
        .await
        .expect_err("the restore must be refused");
    let text = err.to_string();
    assert!(text.contains(name), "the error names the file: {text}");
    assert_eq!((digest(target).await, export_text(target).await), before);
    err
}

async fn truncated_backup_is_refused(kind: Kind) {
    let (db, bytes, _t, target) = setup(kind).await;
    for cut in [bytes.len() / 2, bytes.len() - 9, 20] {
        let err = refused(&db, &target, &bytes[..cut], "cut.medsec-backup").await;
        assert!(
            matches!(err, BackupError::Truncated { .. }),
            "cut at {cut}: {err}"
        );
    }
    // Cut at a line boundary inside the (valid) gzip stream: no manifest.
    let text = gunzip(&bytes);
    let lines: Vec<&[u8]> = text.split_inclusive(|b| *b == b'\n').collect();
    let shorter: Vec<u8> = lines[..lines.len() - 1].concat();
    let err = refused(&db, &target, &gzip(&shorter), "nomanifest.medsec-backup").await;
    assert!(matches!(err, BackupError::Truncated { .. }), "{err}");
    assert!(err.to_string().contains("manifest"), "{err}");
    let err = refused(&db, &target, b"", "empty.medsec-backup").await;
    assert!(matches!(err, BackupError::NotABackup { .. }), "{err}");
    target.close().await;
}

async fn altered_backup_is_refused(kind: Kind) {
    let (db, bytes, _t, target) = setup(kind).await;
    // A flipped byte in the compressed stream: gzip's own check or ours catches it.
    let mut flipped = bytes.clone();
    let at = flipped.len() / 2;
    flipped[at] ^= 0x01;
    let err = refused(&db, &target, &flipped, "flipped.medsec-backup").await;
    assert!(
        matches!(
            err,
            BackupError::Truncated { .. }
                | BackupError::Checksum { .. }
                | BackupError::Malformed { .. }
        ),
        "{err}"
    );
    // A value changed and the file compressed again (valid gzip): only the SHA-256s
    // can tell. Change the author of the triage decision.
    let text = String::from_utf8(gunzip(&bytes)).unwrap();
    let needle = "\"psirt@example.invalid\"";
    assert!(text.contains(needle));
    let altered = text.replacen(needle, "\"psirt@example.invalie\"", 1);
    let err = refused(
        &db,
        &target,
        &gzip(altered.as_bytes()),
        "altered.medsec-backup",
    )
    .await;
    match &err {
        BackupError::Checksum { what, .. } => {
            assert!(
                what.contains("whole file") || what.contains("triage_decision"),
                "{err}"
            )
        }
        other => panic!("expected a checksum error, got {other}"),
    }
    // A row dropped and every checksum forged but the row count: the manifest's count
    // and hash of that table disagree.
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let row = lines.iter().position(|l| l.contains(needle)).unwrap();
    let mut kept: Vec<&str> = lines.clone();
    kept.remove(row);
    let body: String = kept[..kept.len() - 1].concat();
    let mut manifest: serde_json::Value =
        serde_json::from_str(kept[kept.len() - 1].trim_end()).unwrap();
    manifest["manifest"]["sha256"] = hex(&Sha256::digest(body.as_bytes())).into();
    let forged = format!("{body}{manifest}\n");
    let err = refused(
        &db,
        &target,
        &gzip(forged.as_bytes()),
        "dropped.medsec-backup",
    )
    .await;
    assert!(matches!(err, BackupError::Checksum { .. }), "{err}");
    assert!(err.to_string().contains("triage_decision"), "{err}");
    target.close().await;
}

async fn non_empty_target_is_refused(kind: Kind) {
    let (db, bytes, _t, target) = setup(kind).await;
    target
        .import(&[fixture("osv")], &ImportOptions::default(), &NoProgress)
        .await
        .unwrap();
    let path = db.path("ok.medsec-backup");
    write(&path, &bytes);
    let before = (digest(&target).await, export_text(&target).await);
    let err = target.restore(&path, &NoBackupProgress).await.unwrap_err();
    assert!(matches!(err, BackupError::NotEmpty { .. }), "{err}");
    assert!(err.to_string().contains("not empty"), "{err}");
    assert_eq!((digest(&target).await, export_text(&target).await), before);
    target.close().await;
}

/// Rewrites the header and manifest as a newer medsec would, checksums made valid.
fn with_schema(bytes: &[u8], version: i64) -> Vec<u8> {
    let text = String::from_utf8(gunzip(bytes)).unwrap();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut header: serde_json::Value = serde_json::from_str(lines[0].trim_end()).unwrap();
    header["schema_version"] = version.into();
    header["migrations"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"version": version, "description": "future"}));
    let body = format!("{header}\n{}", lines[1..lines.len() - 1].concat());
    let mut manifest: serde_json::Value =
        serde_json::from_str(lines[lines.len() - 1].trim_end()).unwrap();
    manifest["manifest"]["schema_version"] = version.into();
    manifest["manifest"]["sha256"] = hex(&Sha256::digest(body.as_bytes())).into();
    gzip(format!("{body}{manifest}\n").as_bytes())
}

async fn newer_schema_is_refused(kind: Kind) {
    let (db, bytes, _t, target) = setup(kind).await;
    let err = refused(
        &db,
        &target,
        &with_schema(&bytes, 99),
        "newer.medsec-backup",
    )
    .await;
    assert!(
        matches!(err, BackupError::NewerSchema { backup: 99, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("newer medsec"), "{err}");
    // The same file with the right version restores (the rewrite itself is sound).
    let current = medsec_store::SQLITE_MIGRATIONS
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap();
    let text = String::from_utf8(gunzip(&bytes)).unwrap();
    let header: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(header["schema_version"], current);
    target.close().await;
}

/// Runs an import from another thread (its own runtime and pool) when the backup reaches
/// the `alias` table, after `record` was read.
struct ImportMidway {
    url: String,
    done: std::sync::atomic::AtomicBool,
}

impl BackupObserver for ImportMidway {
    fn table(&self, name: &str) {
        if name != "alias" || self.done.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let url = self.url.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(async {
                let other = Store::open(&url).await.unwrap();
                let s = other
                    .import(&[fixture("osv")], &ImportOptions::default(), &NoProgress)
                    .await
                    .unwrap();
                assert!(s.records.new > 0);
                other.close().await;
            });
        })
        .join()
        .unwrap();
    }
}

async fn backup_is_one_snapshot_while_an_import_commits(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.open().await;
    store
        .import(
            &[fixture("nvd"), fixture("kev")],
            &ImportOptions::default(),
            &NoProgress,
        )
        .await
        .unwrap();
    let before = export_text(&store).await;
    let observer = ImportMidway {
        url: db.url.clone(),
        done: false.into(),
    };
    let mut bytes = Vec::new();
    store.backup(&mut bytes, &observer).await.unwrap();
    assert!(observer.done.load(std::sync::atomic::Ordering::SeqCst));
    // The import committed meanwhile …
    assert_ne!(export_text(&store).await, before);
    // … and the backup is the state at its start, consistent (the OSV records' aliases
    // and keys are not in it either, else the restore would fail on foreign keys).
    let path = db.path("snapshot.medsec-backup");
    write(&path, &bytes);
    let target_db = db.sibling().await;
    let target = target_db.open().await;
    target.restore(&path, &NoBackupProgress).await.unwrap();
    assert_eq!(export_text(&target).await, before);
    assert!(target.integrity_check().await.unwrap().is_empty());
    target.close().await;
    store.close().await;
}

scenarios!(
    round_trip,
    truncated_backup_is_refused,
    altered_backup_is_refused,
    non_empty_target_is_refused,
    newer_schema_is_refused,
    backup_is_one_snapshot_while_an_import_commits,
);
