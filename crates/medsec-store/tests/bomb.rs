//! Decompression bombs get a clear error in bounded memory, and leave the store as it
//! was. One test (this binary's only one), so that the peak memory it reads is its own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Write;
use std::path::Path;

use medsec_store::{ImportOptions, LimitKind, Limits, NoProgress, Store, StoreError};
use support::{Kind, TestDb, archive};

/// Peak resident memory of this process so far (VmHWM), in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .expect("VmHWM in /proc/self/status")
}

const MIB: u64 = 1024 * 1024;

/// 1 GiB of zeros as a gzip file of ~1 MB: 1,024 gzip members of 1 MiB of zeros each
/// (a gzip file may be a concatenation of members; every decoder reads them all).
fn gigabyte_of_zeros_gz(path: &Path) {
    let mut one = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    one.write_all(&vec![0u8; MIB as usize]).unwrap();
    let one = one.finish().unwrap();
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for _ in 0..1024 {
        f.write_all(&one).unwrap();
    }
    f.flush().unwrap();
}

fn zeros_deflated(len: usize) -> Vec<u8> {
    vec![0u8; len]
}

async fn expect_limit(
    store: &Store,
    path: &Path,
    options: &ImportOptions,
    kind: LimitKind,
) -> String {
    let err = store
        .import(&[path.to_path_buf()], options, &NoProgress)
        .await
        .expect_err("a bomb must not import");
    match &err {
        StoreError::Limit { kind: k, .. } => assert_eq!(*k, kind, "{err}"),
        other => panic!("expected a {kind} limit, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains(&path.file_name().unwrap().to_string_lossy().into_owned()),
        "{text}"
    );
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decompression_bombs_are_refused_in_bounded_memory() {
    let db = TestDb::new(Kind::Sqlite).await;
    let store = db.open().await;
    let defaults = ImportOptions::default();

    // 1 GiB of zeros, gzipped: the ratio stops it after the first MiB.
    let gz = db.path("nvdcve-2.0-bomb.json.gz");
    gigabyte_of_zeros_gz(&gz);
    assert!(std::fs::metadata(&gz).unwrap().len() < 16 * MIB);
    let before = peak_rss();
    let text = expect_limit(&store, &gz, &defaults, LimitKind::Ratio).await;
    assert!(text.contains("compression ratio"), "{text}");
    let grew = peak_rss().saturating_sub(before);
    assert!(grew < 64 * MIB, "peak memory grew by {} MiB", grew / MIB);

    // Without the ratio check the member limit stops it, still in bounded memory.
    let no_ratio = ImportOptions {
        limits: Limits {
            max_ratio: u64::MAX,
            max_member_bytes: 64 * MIB,
            ..Limits::default()
        },
        ..ImportOptions::default()
    };
    let before = peak_rss();
    expect_limit(&store, &gz, &no_ratio, LimitKind::MemberBytes).await;
    let grew = peak_rss().saturating_sub(before);
    assert!(grew < 200 * MIB, "peak memory grew by {} MiB", grew / MIB);

    // The same inside a zip and a tar.gz.
    let zeros = zeros_deflated(32 * MIB as usize);
    let zip = db.path("osv-bomb.zip");
    archive::zip(&zip, &[("a.json", b"{}"), ("zeros.json", &zeros)]);
    expect_limit(&store, &zip, &defaults, LimitKind::Ratio).await;
    let small_members = ImportOptions {
        limits: Limits {
            max_ratio: u64::MAX,
            max_member_bytes: 8 * MIB,
            ..Limits::default()
        },
        ..ImportOptions::default()
    };
    expect_limit(&store, &zip, &small_members, LimitKind::MemberBytes).await;
    let tgz = db.path("feed-bomb.tar.gz");
    archive::tar_gz(&tgz, &[("zeros.json", &zeros)]);
    expect_limit(&store, &tgz, &defaults, LimitKind::Ratio).await;
    let small_archive = ImportOptions {
        limits: Limits {
            max_ratio: u64::MAX,
            max_archive_bytes: 4 * MIB,
            ..Limits::default()
        },
        ..ImportOptions::default()
    };
    expect_limit(&store, &tgz, &small_archive, LimitKind::ArchiveBytes).await;

    // Too many members.
    let many: Vec<(String, Vec<u8>)> = (0..50)
        .map(|i| (format!("m{i}.txt"), b"x".to_vec()))
        .collect();
    let refs: Vec<(&str, &[u8])> = many
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let crowded = db.path("crowded.zip");
    archive::zip(&crowded, &refs);
    let few = ImportOptions {
        limits: Limits {
            max_members: 10,
            ..Limits::default()
        },
        ..ImportOptions::default()
    };
    expect_limit(&store, &crowded, &few, LimitKind::Members).await;
    let crowded_tgz = db.path("crowded.tar.gz");
    archive::tar_gz(&crowded_tgz, &refs);
    expect_limit(&store, &crowded_tgz, &few, LimitKind::Members).await;

    // Nothing was stored.
    let stats = store.stats().await.unwrap();
    assert_eq!((stats.total_records, stats.batches), (0, 0));
}
