//! `Store::findings_page` on both backends: every combination of the filters, offsets
//! and limits gives exactly what filtering and paging `Store::findings` in memory gives
//! (what the server's findings list did before), with the total before paging.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use medsec_store::{ObservedFinding, StoredFinding, VersionFacts, VersionRef};
use support::{Kind, TestDb};

fn name(version: &str) -> VersionRef {
    VersionRef {
        organisation: "Northwind Diabetes Systems Ltd".into(),
        product: "Equa Pump".into(),
        version: version.into(),
    }
}

const SEVERITIES: [&str; 5] = ["critical", "High", "medium", "low", "unknown"];

fn seen(i: usize) -> ObservedFinding {
    let severity = SEVERITIES[i % SEVERITIES.len()];
    ObservedFinding {
        // Components repeat, so the order by vulnerability within one counts too.
        component: format!("pkg:generic/acme/lib{}@1.{}", i % 7, i % 3),
        vulnerability: format!("CVE-2026-{:05}", 1000 + (i * 37) % 500),
        status: "affected".into(),
        severity: severity.into(),
        score: Some(5.0),
        kev: i.is_multiple_of(4),
        detail: serde_json::json!({"n": i}),
    }
}

/// The server's former in-memory filter: the expected result.
fn expected(
    all: &[StoredFinding],
    open: Option<bool>,
    kev: Option<bool>,
    severities: Option<&[String]>,
) -> Vec<StoredFinding> {
    all.iter()
        .filter(|f| open.is_none_or(|o| f.open == o))
        .filter(|f| kev.is_none_or(|k| f.kev == k))
        .filter(|f| severities.is_none_or(|s| s.contains(&f.severity.to_ascii_lowercase())))
        .cloned()
        .collect()
}

async fn findings_page_matches_memory(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.open().await;
    let (v1, _) = store
        .portfolio_add(
            &name("1.0"),
            &VersionFacts::default(),
            "2026-11-01T00:00:00Z",
        )
        .await
        .unwrap();
    let (v2, _) = store
        .portfolio_add(
            &name("2.0"),
            &VersionFacts::default(),
            "2026-11-01T00:00:00Z",
        )
        .await
        .unwrap();
    let mut first: Vec<ObservedFinding> = (0..60).map(seen).collect();
    first.sort_by(|a, b| (&a.component, &a.vulnerability).cmp(&(&b.component, &b.vulnerability)));
    first.dedup_by(|a, b| a.component == b.component && a.vulnerability == b.vulnerability);
    // Another version's findings must never show.
    let other: Vec<ObservedFinding> = (100..110).map(seen).collect();
    store
        .record_monitor_run(
            "2026-11-02T00:00:00Z",
            "2026-11-02T00:00:00Z",
            (0, 0),
            &[(v1.id, first.clone()), (v2.id, other)],
        )
        .await
        .unwrap();
    // A second run resolves every third finding.
    let kept: Vec<ObservedFinding> = first
        .iter()
        .enumerate()
        .filter(|(i, _)| !i.is_multiple_of(3))
        .map(|(_, f)| f.clone())
        .collect();
    store
        .record_monitor_run(
            "2026-11-03T00:00:00Z",
            "2026-11-03T00:00:00Z",
            (0, 0),
            &[(v1.id, kept)],
        )
        .await
        .unwrap();
    let all = store.findings(v1.id, false).await.unwrap();
    assert_eq!(all.len(), first.len());
    assert!(all.iter().any(|f| !f.open) && all.iter().any(|f| f.open));

    let severity_lists: Vec<Option<Vec<String>>> = vec![
        None,
        Some(vec![]),
        Some(vec!["critical".into()]),
        Some(vec!["high".into(), "LOW".into()]),
        Some(vec!["none".into()]),
    ];
    let mut checked = 0;
    for open in [None, Some(true), Some(false)] {
        for kev in [None, Some(true), Some(false)] {
            for severities in &severity_lists {
                let lowered: Option<Vec<String>> = severities
                    .as_ref()
                    .map(|s| s.iter().map(|x| x.to_ascii_lowercase()).collect());
                let want = expected(&all, open, kev, lowered.as_deref());
                for (offset, limit) in [(0, 100), (0, 1), (3, 5), (10, 1000), (59, 10), (500, 10)] {
                    let (total, page) = store
                        .findings_page(v1.id, open, kev, severities.as_deref(), offset, limit)
                        .await
                        .unwrap();
                    let want_page: Vec<StoredFinding> = want
                        .iter()
                        .skip(offset as usize)
                        .take(limit as usize)
                        .cloned()
                        .collect();
                    let what = format!(
                        "open {open:?} kev {kev:?} severities {severities:?} offset {offset} limit {limit}"
                    );
                    assert_eq!(total as usize, want.len(), "total, {what}");
                    assert_eq!(page, want_page, "page, {what}");
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 3 * 3 * 5 * 6);

    // A version without findings, and one that does not exist.
    let (v3, _) = store
        .portfolio_add(
            &name("3.0"),
            &VersionFacts::default(),
            "2026-11-04T00:00:00Z",
        )
        .await
        .unwrap();
    for id in [v3.id, 999_999] {
        let (total, page) = store
            .findings_page(id, None, None, None, 0, 100)
            .await
            .unwrap();
        assert_eq!((total, page.len()), (0, 0));
    }
}

scenarios!(findings_page_matches_memory);
