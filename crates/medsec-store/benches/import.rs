//! Import benchmark: NVD API 2.0 pages into a fresh store, then the candidate lookup.
//!
//! ```text
//! MEDSEC_BENCH_NVD_DIR=/path/to/pages cargo bench -p medsec-store --bench import
//! ```
//!
//! - `MEDSEC_BENCH_NVD_DIR`: a directory of NVD pages to import. When it is missing or
//!   empty, it is filled first with `medsec-synth`'s generator (default: the issue's
//!   scale, 400,000 CVEs with 1,500,000 cpeMatch entries; `MEDSEC_BENCH_CVES` and
//!   `MEDSEC_BENCH_CPE_MATCHES` change it). Without the variable a temporary directory
//!   is used.
//! - `MEDSEC_BENCH_DB`: the store URL or path (default: a SQLite file in a temporary
//!   directory; it must not exist yet). A `postgres://` URL benchmarks PostgreSQL (the
//!   database should be empty).
//! - `MEDSEC_BENCH_QUERY_ONLY`: skip the imports, only query an existing store.
//!
//! Reports seconds, records/s, MB/s of input, the peak RSS of the process (VmHWM, which
//! includes the generator when it ran in this process), the store's size, a second
//! (unchanged) import, and the time to serve the candidates of 1,000 components.
//! Run without `--bench` (as `cargo test --all-targets` does) it imports 2,000 CVEs as a
//! smoke test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use medsec_store::{ImportObserver, ImportOptions, ImportPhase, RecordCounts, Store};

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn env_usize(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// Prints phase changes with their time, to stderr.
struct Phases {
    start: Instant,
    records: AtomicU64,
}

impl ImportObserver for Phases {
    fn records(&self, counts: &RecordCounts) {
        let before = self.records.swap(counts.read, Ordering::Relaxed);
        if counts.read / 50_000 != before / 50_000 {
            eprintln!(
                "  {:>7.1} s  {} records",
                self.start.elapsed().as_secs_f64(),
                counts.read
            );
        }
    }
    fn phase(&self, phase: ImportPhase) {
        eprintln!("  {:>7.1} s  {phase:?}", self.start.elapsed().as_secs_f64());
    }
}

fn input_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let scratch = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("MEDSEC_BENCH_NVD_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| scratch.path().join("nvd"));
    let empty = std::fs::read_dir(&dir)
        .map(|mut d| d.next().is_none())
        .unwrap_or(true);
    if empty {
        let opts = medsec_synth::nvd::NvdOptions {
            cves: if full {
                env_usize("MEDSEC_BENCH_CVES", 400_000) as usize
            } else {
                2_000
            },
            cpe_matches: if full {
                env_usize("MEDSEC_BENCH_CPE_MATCHES", 1_500_000)
            } else {
                7_500
            },
            ..medsec_synth::nvd::NvdOptions::default()
        };
        eprintln!(
            "generating {} CVEs with {} cpeMatch entries into {}",
            opts.cves,
            opts.cpe_matches,
            dir.display()
        );
        std::fs::create_dir_all(&dir).unwrap();
        let t = Instant::now();
        medsec_synth::nvd::generate(&dir, &opts).unwrap();
        eprintln!("generated in {:.1} s", t.elapsed().as_secs_f64());
    }
    let url = std::env::var("MEDSEC_BENCH_DB")
        .unwrap_or_else(|_| scratch.path().join("bench.db").display().to_string());
    let bytes = input_bytes(&dir);

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = Store::open(&url).await.unwrap();
        let observer = Phases {
            start: Instant::now(),
            records: AtomicU64::new(0),
        };
        let query_only = std::env::var_os("MEDSEC_BENCH_QUERY_ONLY").is_some();
        if !query_only {
        let t = Instant::now();
        let s = store
            .import(std::slice::from_ref(&dir), &ImportOptions::default(), &observer)
            .await
            .unwrap();
        let secs = t.elapsed().as_secs_f64();
        let stats = store.stats().await.unwrap();
        println!("import: {} ({})", dir.display(), stats.backend);
        println!(
            "  records {} (new {}), index entries {}, vulnerabilities {}",
            s.records.read, s.records.new, stats.index_entries, stats.vulnerabilities
        );
        println!(
            "  {secs:.1} s, {:.0} records/s, {:.1} MB/s of input ({:.0} MB)",
            s.records.read as f64 / secs,
            bytes as f64 / 1e6 / secs,
            bytes as f64 / 1e6
        );
        println!(
            "  store {:.0} MB, peak RSS {:.0} MiB",
            stats.size_bytes as f64 / 1e6,
            peak_rss_mib()
        );

        let t = Instant::now();
        let again = store
            .import(std::slice::from_ref(&dir), &ImportOptions::default(), &observer)
            .await
            .unwrap();
        println!(
            "second import (unchanged {}): {:.1} s",
            again.records.unchanged,
            t.elapsed().as_secs_f64()
        );
        }
        let stats = store.stats().await.unwrap();

        // 1,000 components: each looks up three keys, one of them indexed (distinct
        // keys sampled evenly, so heavy keys are not favoured).
        let mut keys: Vec<String> = Vec::new();
        let mut distinct = 0u64;
        let mut last = String::new();
        let stride = (stats.index_keys / 1_000).max(1);
        store
            .for_each_key(|k, _| {
                if k != last {
                    if distinct.is_multiple_of(stride) && keys.len() < 1_000 {
                        keys.push(k.to_owned());
                    }
                    distinct += 1;
                    last = k.to_owned();
                }
                true
            })
            .await
            .unwrap();
        let hits = keys.len();
        for i in 0..2 * hits {
            keys.push(format!("purl:npm/absent-{i}"));
        }
        let t = Instant::now();
        let ids = store.candidate_ids(&keys).await.unwrap();
        let ids_ms = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        let found = store.candidates(&keys).await.unwrap();
        println!(
            "sampled keys: {} keys ({hits} indexed) → {} candidate ids in {ids_ms:.0} ms, {} records loaded in {:.0} ms",
            keys.len(),
            ids.len(),
            found.len(),
            t.elapsed().as_secs_f64() * 1e3
        );

        // A realistic query: the 1,000 components of a generated medical-device SBOM
        // (the generator's product pool is the NVD data's), keyed as the scan keys them.
        let sbom_path = scratch.path().join("device.cdx.json");
        medsec_synth::sbom::generate(&sbom_path, 1, 1_000, 1).unwrap();
        let sbom = medsec_formats::sbom::read(&std::fs::read(&sbom_path).unwrap())
            .unwrap()
            .sbom;
        let mut keys: Vec<String> = Vec::new();
        for c in &sbom.components {
            let q = medsec_match::keys::ComponentQuery::from(c);
            keys.extend(medsec_match::keys::component_keys(&q).into_iter().map(|k| k.key));
        }
        let t = Instant::now();
        let ids = store.candidate_ids(&keys).await.unwrap();
        let ids_ms = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        let found = store.candidates(&keys).await.unwrap();
        println!(
            "SBOM of {} components: {} keys → {} candidate ids in {ids_ms:.0} ms, {} records loaded in {:.0} ms",
            sbom.components.len(),
            keys.len(),
            ids.len(),
            found.len(),
            t.elapsed().as_secs_f64() * 1e3
        );
        println!("peak RSS {:.0} MiB", peak_rss_mib());
        store.close().await;
    });
}
