//! Reader throughput on large generated documents (issue 4, part 8): a 50 MB CycloneDX 1.6
//! JSON SBOM through `sbom::read` and a ≥ 50 MB NVD CVE API 2.0 page through
//! `advisory::read`, each beside a plain `serde_json::Value` parse of the same bytes.
//!
//! Besides criterion's figures, `main` prints a summary measured in one run, alternating
//! the reader and the `Value` parse so that both see the same machine load: the median
//! MB/s (10^6 bytes per second) of each and the reader's throughput as a ratio to the
//! `Value` parse. The reader's time includes dropping what it returned (as the `Value`
//! parse's includes dropping the `Value`); the summary also shows the reading alone, up to
//! the return, as freeing a large result is the allocator's work and the caller's choice.
//! `MEDSEC_BENCH_MB` changes the document size (default 50).

#[path = "synthetic/mod.rs"]
mod synthetic;

// The allocator of the medsec binary, so that the figures are the binary's. Without it
// (glibc's allocator) the figures are in BENCHMARKS.md too.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use medsec_formats::{advisory, sbom};

struct Doc {
    name: &'static str,
    bytes: Vec<u8>,
    read: fn(&[u8]) -> usize,
    /// The time to read, and the time to read and drop the result.
    timed: fn(&[u8]) -> (Duration, Duration),
}

fn read_sbom(bytes: &[u8]) -> usize {
    match sbom::read(bytes) {
        Ok(r) => r.sbom.components.len(),
        Err(e) => panic!("the synthetic SBOM must read: {e}"),
    }
}

fn timed_sbom(bytes: &[u8]) -> (Duration, Duration) {
    let start = Instant::now();
    let reading = sbom::read(bytes);
    let read = start.elapsed();
    drop(black_box(reading));
    (read, start.elapsed())
}

fn timed_nvd(bytes: &[u8]) -> (Duration, Duration) {
    let start = Instant::now();
    let document = advisory::read(bytes, &advisory::ReadOptions::default());
    let read = start.elapsed();
    drop(black_box(document));
    (read, start.elapsed())
}

fn read_nvd(bytes: &[u8]) -> usize {
    match advisory::read(bytes, &advisory::ReadOptions::default()) {
        Ok(d) => d.advisories.len(),
        Err(e) => panic!("the synthetic NVD page must read: {e}"),
    }
}

fn value_parse(bytes: &[u8]) -> usize {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(v) => usize::from(v.is_object()),
        Err(e) => panic!("the synthetic document must be JSON: {e}"),
    }
}

fn docs() -> Vec<Doc> {
    let mb: usize = std::env::var("MEDSEC_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    vec![
        Doc {
            name: "cyclonedx-1.6-json",
            bytes: synthetic::cyclonedx_json(mb * 1_000_000, 1),
            read: read_sbom,
            timed: timed_sbom,
        },
        Doc {
            name: "nvd-api-2.0-page",
            bytes: synthetic::nvd_page(mb * 1_000_000, 2),
            read: read_nvd,
            timed: timed_nvd,
        },
    ]
}

fn time(f: impl Fn() -> usize) -> Duration {
    let start = Instant::now();
    black_box(f());
    start.elapsed()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The same-run comparison the issue asks for.
fn summary(docs: &[Doc]) {
    const ROUNDS: usize = 7;
    println!("\nsummary (median of {ROUNDS} alternating rounds, MB = 10^6 bytes)");
    for doc in docs {
        let mut reader = Vec::new();
        let mut reading = Vec::new();
        let mut value = Vec::new();
        // One warm-up of each, then alternate.
        time(|| (doc.read)(&doc.bytes));
        time(|| value_parse(&doc.bytes));
        for _ in 0..ROUNDS {
            let (read, total) = (doc.timed)(&doc.bytes);
            reading.push(read);
            reader.push(total);
            value.push(time(|| value_parse(&doc.bytes)));
        }
        let mbs = |d: Duration| doc.bytes.len() as f64 / 1e6 / d.as_secs_f64();
        let (r, v) = (mbs(median(reader)), mbs(median(value)));
        println!(
            "{:<20} {:>6.1} MB  reader {:>7.1} MB/s  serde_json::Value {:>7.1} MB/s  ratio {:.2}  ({} items)",
            doc.name,
            doc.bytes.len() as f64 / 1e6,
            r,
            v,
            r / v,
            (doc.read)(&doc.bytes),
        );
        println!(
            "{:<20} {:>6}     reading alone, before its result is dropped: {:>7.1} MB/s",
            "",
            "",
            mbs(median(reading)),
        );
    }
}

fn main() {
    let docs = docs();
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    for doc in &docs {
        let mut g = c.benchmark_group(doc.name);
        g.throughput(Throughput::Bytes(doc.bytes.len() as u64));
        g.bench_function("reader", |b| b.iter(|| (doc.read)(black_box(&doc.bytes))));
        g.bench_function("serde_json_value", |b| {
            b.iter(|| value_parse(black_box(&doc.bytes)))
        });
        g.finish();
    }
    summary(&docs);
    c.final_summary();
}
