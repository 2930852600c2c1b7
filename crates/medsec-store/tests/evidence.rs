//! Test results and evidence files on both backends: append, read back in order, files
//! stored once by SHA-256, history kept, changes behind the tool's back refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use medsec_catalog::results::{DeviceKey, Outcome};
use medsec_store::{NewEvidence, NewTestResult};
use sha2::{Digest, Sha256};
use support::{Kind, TestDb};

fn device(version: &str) -> DeviceKey {
    DeviceKey {
        manufacturer: "Northwind Diabetes Systems Ltd".into(),
        name: "Northwind Equa Insulin Pump System".into(),
        version: version.into(),
    }
}

fn new(test: &str, outcome: Outcome, files: &[(&str, &[u8])]) -> NewTestResult {
    NewTestResult {
        device: device("4.2.1"),
        test: test.into(),
        outcome,
        tester: "R. Roe".into(),
        laboratory: Some("Example Test Lab".into()),
        accreditation: Some("D-PL-12345-01-00".into()),
        performed_on: "2026-11-20".into(),
        tools: vec!["nmap 7.94".into(), "Burp Suite 2024.1".into()],
        notes: Some("scope: BLE and cloud API".into()),
        evidence: files
            .iter()
            .map(|(name, bytes)| NewEvidence {
                name: (*name).into(),
                bytes: bytes.to_vec(),
            })
            .collect(),
        recorded_at: "2026-11-21T10:00:00Z".into(),
    }
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn results_round_trip(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.open().await;
    let report: &[u8] = b"%PDF-1.7 pentest report";
    let pcap: &[u8] = &[0xd4, 0xc3, 0xb2, 0xa1, 0, 0, 0xff];
    let first = store
        .record_test_result(&new(
            "T-13",
            Outcome::Fail,
            &[("report.pdf", report), ("ble.pcap", pcap)],
        ))
        .await
        .unwrap();
    assert_eq!(first.evidence[0].sha256, sha(report));
    assert_eq!(first.evidence[1].size, pcap.len() as u64);
    // The same report attached again is stored once.
    let second = store
        .record_test_result(&new("T-13", Outcome::Pass, &[("report-v2.pdf", report)]))
        .await
        .unwrap();
    assert!(second.id > first.id);
    let mut other = new("T-01", Outcome::NotApplicable, &[]);
    other.laboratory = None;
    other.accreditation = None;
    other.notes = None;
    other.tools.clear();
    store.record_test_result(&other).await.unwrap();
    let mut elsewhere = new("T-13", Outcome::Pass, &[]);
    elsewhere.device = device("4.3.0");
    store.record_test_result(&elsewhere).await.unwrap();

    let history = store.test_results(&device("4.2.1")).await.unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[0], first);
    assert_eq!(history[1], second);
    assert_eq!(history[2].outcome, Outcome::NotApplicable);
    assert_eq!(history[2].laboratory, None);
    assert!(history[2].tools.is_empty());
    let latest = medsec_catalog::results::latest(&history);
    assert_eq!(latest["T-13"].outcome, Outcome::Pass);
    assert_eq!(store.test_results(&device("4.3.0")).await.unwrap().len(), 1);
    assert_eq!(store.test_results(&device("9.9")).await.unwrap().len(), 0);

    assert_eq!(
        store.evidence_file(&sha(report)).await.unwrap().as_deref(),
        Some(report)
    );
    assert_eq!(
        store.evidence_file(&sha(pcap)).await.unwrap().as_deref(),
        Some(pcap)
    );
    assert_eq!(
        store.evidence_file(&sha(b"never stored")).await.unwrap(),
        None
    );
    store.close().await;
    // Reopening keeps everything.
    let store = db.open().await;
    assert_eq!(store.test_results(&device("4.2.1")).await.unwrap().len(), 3);
}

/// Results, their evidence links and the files are append-only: the database refuses
/// changes and deletions even from a client that bypasses medsec.
async fn results_are_append_only(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.open().await;
    store
        .record_test_result(&new("T-13", Outcome::Fail, &[("report.pdf", b"x")]))
        .await
        .unwrap();
    store.close().await;
    for statement in [
        "UPDATE test_result SET outcome = 'pass'",
        "DELETE FROM test_result",
        "UPDATE test_result_evidence SET name = 'other.pdf'",
        "DELETE FROM test_result_evidence",
        "UPDATE evidence_blob SET content = 'y'",
        "DELETE FROM evidence_blob",
    ] {
        let refused = match kind {
            Kind::Sqlite => {
                use sqlx::Connection;
                let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
                sqlx::query(statement).execute(&mut c).await.is_err()
            }
            Kind::Postgres => {
                use sqlx::Connection;
                let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
                sqlx::query(statement).execute(&mut c).await.is_err()
            }
        };
        assert!(refused, "{statement} was allowed");
    }
    let store = db.open().await;
    let history = store.test_results(&device("4.2.1")).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].outcome, Outcome::Fail);
}

scenarios!(results_round_trip, results_are_append_only);
