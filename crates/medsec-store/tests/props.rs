//! Property: the order in which dated versions of records arrive — within a batch,
//! across batches, whatever the chunk size — does not change the final store: each
//! record ends at its latest version, and aliases group the same way.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::PathBuf;

use medsec_store::{ImportOptions, NoProgress, Store};
use proptest::prelude::*;
use support::export_text;

/// Record `n` at version `v`: an OSV record modified at day `v`, aliasing a CVE shared by
/// records of the same parity at some versions (so the grouping changes with versions).
fn osv(n: usize, v: u32) -> serde_json::Value {
    let mut aliases = vec![format!("CVE-2031-{:04}", n)];
    if v % 2 == 1 {
        aliases.push(format!("CVE-2031-9{:03}", n % 2));
    }
    serde_json::json!({
        "schema_version": "1.6.0",
        "id": format!("GHSA-prop-{n:04}-{n:04}"),
        "modified": format!("2031-01-{:02}T00:00:00Z", v + 1),
        "aliases": aliases,
        "details": format!("record {n} version {v}"),
        "affected": [{"package": {"ecosystem": "PyPI", "name": format!("pkg{}", (n + v as usize) % 3)}, "versions": [format!("1.{v}")]}]
    })
}

async fn import_sequence(
    dir: &std::path::Path,
    items: &[(usize, u32)],
    batches: &[usize],
    chunk: usize,
) -> (String, Vec<(String, String)>) {
    let store = Store::open(&format!("sqlite://{}", dir.join("store.db").display()))
        .await
        .unwrap();
    // Files named by position so that the walk (sorted) keeps the order given.
    let mut files: Vec<PathBuf> = Vec::new();
    for (i, (n, v)) in items.iter().enumerate() {
        let path = dir.join(format!("{i:04}-{n}-{v}.json"));
        std::fs::write(&path, serde_json::to_vec(&osv(*n, *v)).unwrap()).unwrap();
        files.push(path);
    }
    let options = ImportOptions {
        chunk_records: chunk,
        ..ImportOptions::default()
    };
    let mut start = 0;
    for &end in batches.iter().chain(std::iter::once(&files.len())) {
        let end = end.clamp(start, files.len());
        if end > start {
            store
                .import(&files[start..end], &options, &NoProgress)
                .await
                .unwrap();
        }
        start = end;
    }
    let mut groups = Vec::new();
    store
        .for_each_advisory(|a| {
            groups.push((a.record_key, a.vulnerability));
            true
        })
        .await
        .unwrap();
    (export_text(&store).await, groups)
}

fn scenario() -> impl Strategy<Value = (Vec<(usize, u32)>, Vec<usize>, usize)> {
    // Up to 5 records with up to 4 distinct versions each, shuffled.
    proptest::collection::btree_set((0usize..5, 0u32..4), 1..12)
        .prop_flat_map(|set| {
            let items: Vec<(usize, u32)> = set.into_iter().collect();
            let n = items.len();
            (
                Just(items).prop_shuffle(),
                proptest::collection::vec(0..=n, 0..3),
                1usize..5,
            )
        })
        .prop_map(|(items, mut cuts, chunk)| {
            cuts.sort_unstable();
            (items, cuts, chunk)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn arrival_order_does_not_change_the_final_state((items, cuts, chunk) in scenario()) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        // The reference: only each record's latest version, in one batch.
        let mut latest: std::collections::BTreeMap<usize, u32> = Default::default();
        for (n, v) in &items {
            let e = latest.entry(*n).or_insert(*v);
            *e = (*e).max(*v);
        }
        let reference: Vec<(usize, u32)> = latest.into_iter().collect();
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let (got, want) = rt.block_on(async {
            (
                import_sequence(a.path(), &items, &cuts, chunk).await,
                import_sequence(b.path(), &reference, &[], 100).await,
            )
        });
        // Provenance names the file, which differs between the runs: compare without it.
        let strip = |s: &str| s.lines().map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            if let Some(p) = v.pointer_mut("/advisory/provenance").and_then(|p| p.as_object_mut()) {
                p.remove("file");
            }
            v
        }).collect::<Vec<_>>();
        prop_assert_eq!(strip(&got.0), strip(&want.0));
        prop_assert_eq!(got.1.len(), reference.len());
        prop_assert_eq!(got.1, want.1);
    }
}
