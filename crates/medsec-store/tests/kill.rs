//! A `kill -9` in the middle of an import leaves the store as it was before the batch.
//!
//! The test runs this test binary again as a child (`child_import`, which does nothing
//! unless the environment asks it to) importing a large generated batch; once the
//! child has written a few chunks inside its transaction it creates a marker file, and
//! the parent kills it with SIGKILL. The store must then hold exactly what it held
//! before, open cleanly, pass SQLite's integrity check, and take the batch again.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use medsec_store::{ImportObserver, ImportOptions, NoProgress, RecordCounts, Store};
use support::{Kind, TestDb, export_text, fixture, nvdgen};

const URL: &str = "MEDSEC_STORE_KILL_URL";
const INPUT: &str = "MEDSEC_STORE_KILL_INPUT";
const MARKER: &str = "MEDSEC_STORE_KILL_MARKER";

/// Records the child writes before it signals (a few chunks, inside the transaction).
const SIGNAL_AFTER: u64 = 1_000;

struct Signal {
    marker: PathBuf,
    sent: AtomicBool,
    chunks: AtomicU64,
}

impl ImportObserver for Signal {
    fn records(&self, counts: &RecordCounts) {
        self.chunks.fetch_add(1, Ordering::SeqCst);
        if counts.read >= SIGNAL_AFTER && !self.sent.swap(true, Ordering::SeqCst) {
            std::fs::write(&self.marker, b"writing").unwrap();
        }
        if self.sent.load(Ordering::SeqCst) {
            // Keep the transaction open (and still writing) until the parent's kill.
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The child's side; a no-op when run as an ordinary test.
#[test]
fn child_import() {
    let (Ok(url), Ok(input), Ok(marker)) = (
        std::env::var(URL),
        std::env::var(INPUT),
        std::env::var(MARKER),
    ) else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = Store::open(&url).await.unwrap();
        let signal = Signal {
            marker: PathBuf::from(&marker),
            sent: AtomicBool::new(false),
            chunks: AtomicU64::new(0),
        };
        let options = ImportOptions {
            chunk_records: 250,
            ..ImportOptions::default()
        };
        store
            .import(&[PathBuf::from(input)], &options, &signal)
            .await
            .unwrap();
        // Reaching this line means the kill came too late: the parent checks for it.
        std::fs::write(format!("{marker}.finished"), b"done").unwrap();
    });
}

async fn killed_mid_import(kind: Kind) {
    let db = TestDb::new(kind).await;
    let store = db.open().await;
    let inputs: Vec<PathBuf> = ["nvd", "cve5", "osv", "csaf", "kev", "epss"]
        .iter()
        .map(|d| fixture(d))
        .collect();
    store
        .import(&inputs, &ImportOptions::default(), &NoProgress)
        .await
        .unwrap();
    let before = export_text(&store).await;
    let stats_before = store.stats().await.unwrap();
    store.close().await;

    let big = db.path("big");
    nvdgen::write_pages(&big, 0, 20_000, 1_000, "2030-01-01T00:00:00.000", 1, 3);
    let marker = db.path("marker");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_import",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(URL, &db.url)
        .env(INPUT, &big)
        .env(MARKER, &marker)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !marker.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the child import ended ({status}) before writing its marker");
        }
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "the child import never signalled"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // SIGKILL: no destructor, no rollback, no checkpoint.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !db.path("marker.finished").exists(),
        "the import finished before the kill; the test proves nothing"
    );

    let store = db.open().await;
    assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());
    let stats_after = store.stats().await.unwrap();
    assert_eq!(stats_after.records, stats_before.records);
    assert_eq!(stats_after.batches, stats_before.batches);
    assert_eq!(stats_after.index_entries, stats_before.index_entries);
    assert_eq!(stats_after.aliases, stats_before.aliases);
    assert!(
        export_text(&store).await == before,
        "the store changed after a killed import"
    );
    // The lock is gone and the batch imports normally.
    let s = store
        .import(&[big], &ImportOptions::default(), &NoProgress)
        .await
        .unwrap();
    assert_eq!(s.records.new, 20_000);
    assert!(store.integrity_check().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_killed_mid_import_leaves_store_unchanged() {
    killed_mid_import(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_killed_mid_import_leaves_store_unchanged() {
    killed_mid_import(Kind::Postgres).await;
}
