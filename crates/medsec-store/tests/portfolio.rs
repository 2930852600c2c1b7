//! The portfolio on both backends: versions and their facts, document revisions,
//! monitoring runs that record findings as new, changed, resolved and reopened, triage
//! decisions in product order, and append-only history.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use medsec_postmarket::triage::{Decision, TriageState, effective};
use medsec_store::{ObservedFinding, VersionFacts, VersionRef};
use support::{Kind, TestDb};

fn name(version: &str) -> VersionRef {
    VersionRef {
        organisation: "Northwind Diabetes Systems Ltd".into(),
        product: "Equa Pump".into(),
        version: version.into(),
    }
}

fn seen(component: &str, vulnerability: &str, severity: &str, kev: bool) -> ObservedFinding {
    ObservedFinding {
        component: component.into(),
        vulnerability: vulnerability.into(),
        status: "affected".into(),
        severity: severity.into(),
        score: Some(9.8),
        kev,
        detail: serde_json::json!({"vulnerability": vulnerability, "fixed_in": ["1.2.13"]}),
    }
}

async fn portfolio_lifecycle(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.open().await;
    let facts = VersionFacts {
        release_date: Some("2025-01-10".into()),
        end_of_support: None,
        installed_base: Some(4200),
    };
    let (v1, created) = store
        .portfolio_add(&name("4.2.1"), &facts, "2026-11-01T00:00:00Z")
        .await
        .unwrap();
    assert!(created);
    assert_eq!(v1.installed_base, Some(4200));
    // Adding again updates only what is given.
    let more = VersionFacts {
        end_of_support: Some("2030-12-31".into()),
        ..VersionFacts::default()
    };
    let (again, created) = store
        .portfolio_add(&name("4.2.1"), &more, "2026-11-02T00:00:00Z")
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(again.id, v1.id);
    assert_eq!(again.release_date.as_deref(), Some("2025-01-10"));
    assert_eq!(again.end_of_support.as_deref(), Some("2030-12-31"));
    assert_eq!(again.installed_base, Some(4200));
    let (v2, _) = store
        .portfolio_add(
            &name("4.3.0"),
            &VersionFacts {
                release_date: Some("2026-02-01".into()),
                ..Default::default()
            },
            "2026-11-03T00:00:00Z",
        )
        .await
        .unwrap();
    assert_eq!(store.portfolio_versions().await.unwrap().len(), 2);

    // Documents: a new revision only when the bytes change.
    let (d1, added) = store
        .add_document(
            v1.id,
            "sbom",
            "firmware.cdx.json",
            "CycloneDX 1.6",
            b"one",
            "t1",
        )
        .await
        .unwrap();
    assert!(added);
    assert_eq!(d1.revision, 1);
    let (same, added) = store
        .add_document(
            v1.id,
            "sbom",
            "firmware.cdx.json",
            "CycloneDX 1.6",
            b"one",
            "t2",
        )
        .await
        .unwrap();
    assert!(!added);
    assert_eq!(same.id, d1.id);
    let (d2, added) = store
        .add_document(
            v1.id,
            "sbom",
            "firmware.cdx.json",
            "CycloneDX 1.6",
            b"two",
            "t3",
        )
        .await
        .unwrap();
    assert!(added);
    assert_eq!(d2.revision, 2);
    assert_eq!(store.documents(v1.id, false).await.unwrap().len(), 1);
    assert_eq!(store.documents(v1.id, true).await.unwrap().len(), 2);
    assert_eq!(store.document_content(d1.id).await.unwrap(), b"one");
    assert_eq!(
        store.versions_with_documents_after(d1.id).await.unwrap(),
        vec![v1.id]
    );

    // Installed-base snapshots: by day, the latest count of a day wins, the newest day
    // becomes the version's installed base.
    store
        .record_deployment(v1.id, "2026-03-01", 3000, "t")
        .await
        .unwrap();
    store
        .record_deployment(v1.id, "2026-01-01", 4000, "t")
        .await
        .unwrap();
    store
        .record_deployment(v1.id, "2026-03-01", 2900, "t")
        .await
        .unwrap();
    assert_eq!(
        store.deployments(v1.id).await.unwrap(),
        [
            ("2026-01-01".to_owned(), 4000),
            ("2026-03-01".to_owned(), 2900)
        ]
    );
    let v1_now = store
        .portfolio_version(&name("4.2.1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v1_now.installed_base, Some(2900));

    // Monitoring runs.
    let marks = store.monitor_marks().await.unwrap();
    let (run, changes) = store
        .record_monitor_run(
            "s1",
            "f1",
            marks,
            &[(
                v1.id,
                vec![seen(
                    "pkg:generic/zlib@1.2.11",
                    "CVE-2022-37434",
                    "critical",
                    false,
                )],
            )],
        )
        .await
        .unwrap();
    assert_eq!((run.new, run.changed, run.resolved), (1, 0, 0));
    assert_eq!(changes[0].kind, "new");
    // The same again: nothing recorded.
    let (run, changes) = store
        .record_monitor_run(
            "s2",
            "f2",
            marks,
            &[(
                v1.id,
                vec![seen(
                    "pkg:generic/zlib@1.2.11",
                    "CVE-2022-37434",
                    "critical",
                    false,
                )],
            )],
        )
        .await
        .unwrap();
    assert_eq!((run.new, run.changed, run.resolved), (0, 0, 0));
    assert!(changes.is_empty());
    // Added to KEV: changed.
    let (_, changes) = store
        .record_monitor_run(
            "s3",
            "f3",
            marks,
            &[(
                v1.id,
                vec![seen(
                    "pkg:generic/zlib@1.2.11",
                    "CVE-2022-37434",
                    "critical",
                    true,
                )],
            )],
        )
        .await
        .unwrap();
    assert_eq!(changes[0].kind, "changed");
    assert!(
        changes[0].summary.contains("added to CISA KEV"),
        "{}",
        changes[0].summary
    );
    // Gone: resolved; back: reopened.
    let (_, changes) = store
        .record_monitor_run("s4", "f4", marks, &[(v1.id, vec![])])
        .await
        .unwrap();
    assert_eq!(changes[0].kind, "resolved");
    let f = store.findings(v1.id, false).await.unwrap();
    assert!(!f[0].open);
    assert_eq!(f[0].resolved_at.as_deref(), Some("f4"));
    assert!(store.findings(v1.id, true).await.unwrap().is_empty());
    let (_, changes) = store
        .record_monitor_run(
            "s5",
            "f5",
            marks,
            &[(
                v1.id,
                vec![seen(
                    "pkg:generic/zlib@1.2.11",
                    "CVE-2022-37434",
                    "critical",
                    true,
                )],
            )],
        )
        .await
        .unwrap();
    assert_eq!(changes[0].kind, "reopened");
    let events: Vec<String> = store
        .finding_events(v1.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.4)
        .collect();
    assert_eq!(events, ["new", "changed", "resolved", "reopened"]);
    let last = store.last_monitor_run().await.unwrap().unwrap();
    assert_eq!(last.finished_at, "f5");

    // Triage: decided in 4.2.1, inherited by 4.3.0.
    let decision = Decision {
        id: 0,
        version: "4.2.1".into(),
        component: "pkg:generic/zlib@1.2.11".into(),
        vulnerability: "CVE-2022-37434".into(),
        state: TriageState::NotAffected,
        justification: Some(
            medsec_postmarket::triage::parse_justification("vulnerable_code_not_in_execute_path")
                .unwrap(),
        ),
        impact: None,
        action: None,
        author: "psirt".into(),
        rationale: "not reachable".into(),
        at: "2026-11-05T10:00:00Z".parse().unwrap(),
        adjusted_vector: Some("CVSS:3.1/AV:A/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L".into()),
        adjusted_score: Some(3.1),
    };
    let id = store.record_decision(v1.id, &decision).await.unwrap();
    assert!(id > 0);
    let (order, history) = store.product_decisions(v2.id).await.unwrap();
    assert_eq!(order, ["4.2.1", "4.3.0"]);
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].justification, decision.justification);
    assert_eq!(history[0].adjusted_vector, decision.adjusted_vector);
    assert_eq!(history[0].adjusted_score, Some(3.1));
    let e = effective(
        &history,
        &order,
        "4.3.0",
        "pkg:generic/zlib@1.2.11",
        "CVE-2022-37434",
    )
    .unwrap();
    assert_eq!(e.inherited_from, Some("4.2.1"));
    assert_eq!(e.decision.at, decision.at);
    // Every write above appended its audit entry in its own transaction: the records
    // match their entries, the chain is intact; the handle had no attribution, so the
    // entries say so (the CLI and the server always set one).
    let records = store.verify_records().await.unwrap();
    assert!(records.problems.is_empty(), "{:?}", records.problems);
    assert!(records.records > 0 && records.unattributed > 0);
    assert!(store.audit_verify().await.unwrap().is_intact());
    let attributed = store.acting_as("cli:tester", Some("ticket 5".into()));
    attributed
        .record_deployment(v1.id, "2026-07-01", 900, "2026-07-02T00:00:00Z")
        .await
        .unwrap();
    let last = attributed.audit_entries(None, 0, 10_000).await.unwrap();
    let last = last
        .iter()
        .rev()
        .find(|e| e.record_kind == "deployment")
        .unwrap();
    assert_eq!(
        (last.actor.as_str(), last.reason.as_deref()),
        ("cli:tester", Some("ticket 5"))
    );
    assert!(store.verify_records().await.unwrap().problems.is_empty());
    store.close().await;

    // History cannot be changed behind medsec's back.
    for statement in [
        "UPDATE triage_decision SET state = 'fixed'",
        "DELETE FROM finding_event",
        "UPDATE version_document SET content = NULL",
        "DELETE FROM deployment_snapshot",
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
}

scenarios!(portfolio_lifecycle);
