//! The server under load (issue 10, item 5): `GET /api/v1/versions/{id}/findings` at a
//! fixed request rate on loopback, alone and while an import runs, with the latency
//! distribution, errors and the server process's memory.
//!
//! ```text
//! cargo bench -p medsec-server --bench load -- --store /work/load-data/store.db \
//!     --nvd /work/synth-full [--kev FILE] [--epss FILE] [--versions 10000] \
//!     [--rate 200] [--seconds 60] [--batch DIR] [--batch-cves 400000] [--no-import]
//! ```
//!
//! - `--store PATH`: the SQLite store. Missing or without records, the NVD pages of
//!   `--nvd DIR` (with `--kev`/`--epss` when given) are imported into it first; when
//!   `--nvd` is missing or empty it is generated with `medsec-synth` (full scale:
//!   400,000 CVEs, 1,500,000 cpeMatch; `--cves`/`--cpe-matches` change it). A store
//!   holding fewer than `--versions` load versions gets the portfolio added (see
//!   [`build_portfolio`]); an existing one is reused as it is.
//! - The concurrent import: `--batch DIR` (NVD pages), generated when missing with
//!   `medsec-synth` (seed 2, `--batch-cves` CVEs: the same CVE ids as the base set with
//!   other content, so the import rewrites records instead of skipping them; a later
//!   run needs a new batch, `--batch-seed 3` and so on, or it finds them unchanged). It runs
//!   in a child process (this binary again), as `medsec db import` would beside
//!   `medsec serve`, so the server's memory is measured without the importer's.
//! - The store is built in a child process too, for the same reason.
//!
//! The server runs in this process on its own two-worker runtime, bound to
//! 127.0.0.1:0, with one viewer API token per organisation. The request generator runs
//! on a single-threaded runtime in another thread: open loop, one request due every
//! 1/rate s whatever the previous ones do (at most 512 in flight, more count as
//! errors), each to a random version with the token of its organisation; latency is
//! measured from the time the request was due (so a stalled server is not hidden by a
//! generator that waits for it), over raw HTTP/1.1 keep-alive connections.
//!
//! Run without `--bench` (as `cargo test --all-targets` would) it does nothing, so a
//! test run never builds a store.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use medsec_postmarket::triage::{Decision, TriageState};
use medsec_store::accounts::Role;
use medsec_store::audit::Actor;
use medsec_store::{ImportOptions, NoProgress, ObservedFinding, Store, VersionFacts, VersionRef};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

// As in the `medsec` binary, so memory and speed are the served binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ORGANISATIONS: usize = 20;
const MAX_IN_FLIGHT: u64 = 512;

struct Args {
    store: PathBuf,
    nvd: Option<PathBuf>,
    kev: Option<PathBuf>,
    epss: Option<PathBuf>,
    cves: usize,
    cpe_matches: u64,
    versions: usize,
    rate: f64,
    seconds: f64,
    batch: Option<PathBuf>,
    batch_cves: usize,
    batch_seed: u64,
    import: bool,
    child: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        store: PathBuf::from("/work/load-data/store.db"),
        nvd: None,
        kev: None,
        epss: None,
        cves: 400_000,
        cpe_matches: 1_500_000,
        versions: 10_000,
        rate: 200.0,
        seconds: 60.0,
        batch: None,
        batch_cves: 400_000,
        batch_seed: 2,
        import: true,
        child: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--bench" => {}
            "--store" => a.store = value().into(),
            "--nvd" => a.nvd = Some(value().into()),
            "--kev" => a.kev = Some(value().into()),
            "--epss" => a.epss = Some(value().into()),
            "--cves" => a.cves = value().parse().unwrap(),
            "--cpe-matches" => a.cpe_matches = value().parse().unwrap(),
            "--versions" => a.versions = value().parse().unwrap(),
            "--rate" => a.rate = value().parse().unwrap(),
            "--seconds" => a.seconds = value().parse().unwrap(),
            "--batch" => a.batch = Some(value().into()),
            "--batch-cves" => a.batch_cves = value().parse().unwrap(),
            "--batch-seed" => a.batch_seed = value().parse().unwrap(),
            "--no-import" => a.import = false,
            "--child" => a.child = Some(value()),
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

/// `VmRSS` and `VmHWM` of a process, in MiB.
fn memory_mib(pid: &str) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// CPU seconds (user + system) this process has used: server and request generator
/// together (`/proc/self/stat`, at 100 ticks per second, Linux's USER_HZ).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn non_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some())
}

fn generate_nvd(dir: &Path, cves: usize, cpe_matches: u64, seed: u64) {
    eprintln!(
        "generating {cves} CVEs ({cpe_matches} cpeMatch, seed {seed}) into {}",
        dir.display()
    );
    std::fs::create_dir_all(dir).unwrap();
    let t = Instant::now();
    let opts = medsec_synth::nvd::NvdOptions {
        cves,
        cpe_matches,
        seed,
        ..medsec_synth::nvd::NvdOptions::default()
    };
    medsec_synth::nvd::generate(dir, &opts).unwrap();
    eprintln!("  generated in {:.1} s", t.elapsed().as_secs_f64());
}

fn organisation_name(i: usize) -> String {
    format!("Load Manufacturer {i:02}")
}

/// The bench's token secret of an organisation (a throw-away store: predictable is fine).
fn token_secret(organisation: &str) -> String {
    format!("medsec-load-bench {organisation}")
}

fn main() {
    let args = args();
    match args.child.as_deref() {
        Some("build") => return child_build(&args),
        Some("import") => return child_import(&args),
        Some(other) => panic!("unknown child {other}"),
        None => {}
    }
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("load bench: run with `cargo bench -p medsec-server --bench load`");
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let forwarded: Vec<String> = std::env::args().skip(1).collect();
    let run_child = |which: &str| {
        let status = std::process::Command::new(&exe)
            .args(&forwarded)
            .args(["--child", which])
            .status()
            .unwrap();
        assert!(status.success(), "child {which} failed: {status}");
    };
    run_child("build");

    let batch = args
        .batch
        .clone()
        .unwrap_or_else(|| args.store.parent().unwrap_or(Path::new(".")).join("batch"));
    if args.import && !non_empty_dir(&batch) {
        generate_nvd(
            &batch,
            args.batch_cves,
            args.batch_cves as u64 * 15 / 4,
            args.batch_seed,
        );
    }

    // The server: its own runtime, two workers (the machine has two cores).
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let url = args.store.display().to_string();
    let (store, targets, addr, stop_tx, served) = server_rt.block_on(async {
        let store = Store::open(&url).await.unwrap();
        let mut orgs: BTreeMap<i64, String> = BTreeMap::new();
        let mut targets = Vec::new();
        for v in store.portfolio_versions().await.unwrap() {
            if !v.name.organisation.starts_with("Load Manufacturer ") {
                continue;
            }
            let org = store.version_organisation(v.id).await.unwrap().unwrap();
            orgs.insert(org, v.name.organisation.clone());
            targets.push((v.id, org));
        }
        let tokens: BTreeMap<i64, String> = orgs
            .iter()
            .map(|(id, name)| (*id, token_secret(name)))
            .collect();
        let targets: Vec<(i64, String)> = targets
            .into_iter()
            .map(|(v, o)| (v, tokens[&o].clone()))
            .collect();
        let settings = medsec_server::Settings {
            secure_cookies: false,
            ..medsec_server::Settings::default()
        };
        let state = medsec_server::AppState::new(store.clone(), settings).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
        let served = tokio::spawn(medsec_server::serve_on(listener, state, async move {
            let _ = stop_rx.changed().await;
        }));
        (store, targets, addr, stop_tx, served)
    });
    assert!(!targets.is_empty(), "no load versions in the store");
    let targets = Arc::new(targets);
    let pid = std::process::id().to_string();
    println!(
        "server on {addr}; {} versions; rate {} /s; load average {}",
        targets.len(),
        args.rate,
        load_average()
    );
    let (rss, hwm) = memory_mib(&pid);
    println!("memory after start: VmRSS {rss:.0} MiB, VmHWM {hwm:.0} MiB");

    let _ = run_load(addr, &targets, args.rate, 5.0, None, 1);
    let (rss, hwm) = memory_mib(&pid);
    println!(
        "after a 5 s warm-up: VmRSS {rss:.0} MiB, VmHWM {hwm:.0} MiB; load average {}",
        load_average()
    );

    let cpu = cpu_seconds();
    let alone = run_load(addr, &targets, args.rate, args.seconds, None, 2);
    alone.print("findings list, alone");
    println!(
        "  process CPU (server and generator): {:.2} ms per request",
        (cpu_seconds() - cpu) * 1000.0 / alone.sent as f64
    );
    let (rss, hwm) = memory_mib(&pid);
    println!(
        "memory: VmRSS {rss:.0} MiB, VmHWM {hwm:.0} MiB; load average {}",
        load_average()
    );

    if args.import {
        let mut child = std::process::Command::new(&exe)
            .args(&forwarded)
            .args(["--child", "import", "--batch"])
            .arg(&batch)
            .spawn()
            .unwrap();
        let child_pid = child.id().to_string();
        let running = Arc::new(AtomicBool::new(true));
        let child_hwm = Arc::new(AtomicU64::new(0));
        let watcher = {
            let running = running.clone();
            let child_hwm = child_hwm.clone();
            std::thread::spawn(move || {
                // The child's peak memory is read here while it lives (its VmHWM).
                loop {
                    let (_, h) = memory_mib(&child_pid);
                    child_hwm.fetch_max(h as u64, Ordering::Relaxed);
                    if let Some(status) = child.try_wait().unwrap() {
                        running.store(false, Ordering::Relaxed);
                        return status;
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
            })
        };
        let t = Instant::now();
        let cpu = cpu_seconds();
        // The window closes when the import ends (every request overlaps it), or after
        // twice the plain window.
        let during = run_load(
            addr,
            &targets,
            args.rate,
            args.seconds * 2.0,
            Some(running.clone()),
            3,
        );
        let window = t.elapsed().as_secs_f64();
        let status = watcher.join().unwrap();
        let import_seconds = t.elapsed().as_secs_f64();
        assert!(status.success(), "the import failed: {status}");
        during.print("findings list, during the import");
        println!(
            "  process CPU (server and generator): {:.2} ms per request",
            (cpu_seconds() - cpu) * 1000.0 / during.sent as f64
        );
        println!(
            "import: {import_seconds:.1} s in a child process (peak RSS {} MiB); load window {window:.1} s",
            child_hwm.load(Ordering::Relaxed)
        );
        let (rss, hwm) = memory_mib(&pid);
        println!(
            "memory: VmRSS {rss:.0} MiB, VmHWM {hwm:.0} MiB; load average {}",
            load_average()
        );
    }

    // /metrics, /healthz and graceful shutdown, checked once.
    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (metrics_status, metrics) =
        client_rt.block_on(async { get_once(addr, "/metrics").await.unwrap() });
    let text = String::from_utf8_lossy(&metrics);
    let findings_count = text
        .lines()
        .find(|l| {
            l.starts_with("medsec_http_request_duration_seconds_count")
                && l.contains("/api/v1/versions/{version}/findings")
        })
        .unwrap_or("(missing)")
        .to_owned();
    let (health_status, _) =
        client_rt.block_on(async { get_once(addr, "/healthz").await.unwrap() });
    println!("/metrics {metrics_status}: {findings_count}");
    println!("/healthz {health_status}");
    let t = Instant::now();
    stop_tx.send(true).unwrap();
    server_rt.block_on(async {
        served.await.unwrap().unwrap();
        store.close().await;
    });
    println!(
        "graceful shutdown and store closed in {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let (rss, hwm) = memory_mib(&pid);
    println!("memory at the end: VmRSS {rss:.0} MiB, VmHWM {hwm:.0} MiB");
}

// ---- the request generator ---------------------------------------------------------

struct Outcome {
    latencies: Vec<Duration>,
    errors: BTreeMap<String, u64>,
    sent: u64,
    seconds: f64,
}

impl Outcome {
    fn print(&self, what: &str) {
        let mut l = self.latencies.clone();
        l.sort_unstable();
        let q = |p: f64| {
            if l.is_empty() {
                return 0.0;
            }
            let i = ((l.len() as f64 * p).ceil() as usize).clamp(1, l.len()) - 1;
            l[i].as_secs_f64() * 1000.0
        };
        let errors: u64 = self.errors.values().sum();
        println!(
            "{what}: {} requests in {:.1} s ({:.1} /s achieved), {} ok, {errors} errors {:?}",
            self.sent,
            self.seconds,
            self.sent as f64 / self.seconds,
            l.len(),
            self.errors
        );
        println!(
            "  latency ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
            q(0.50),
            q(0.90),
            q(0.99),
            q(0.999),
            l.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        );
    }
}

/// Requests at `rate` per second for `seconds` (or until `running` turns false).
fn run_load(
    addr: std::net::SocketAddr,
    targets: &Arc<Vec<(i64, String)>>,
    rate: f64,
    seconds: f64,
    running: Option<Arc<AtomicBool>>,
    seed: u64,
) -> Outcome {
    let targets = targets.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(load(addr, targets, rate, seconds, running, seed))
    })
    .join()
    .unwrap()
}

type Pool = Arc<std::sync::Mutex<Vec<TcpStream>>>;

async fn load(
    addr: std::net::SocketAddr,
    targets: Arc<Vec<(i64, String)>>,
    rate: f64,
    seconds: f64,
    running: Option<Arc<AtomicBool>>,
    seed: u64,
) -> Outcome {
    let mut rng = StdRng::seed_from_u64(seed);
    let interval = Duration::from_secs_f64(1.0 / rate);
    let pool: Pool = Arc::default();
    let in_flight = Arc::new(AtomicU64::new(0));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Result<Duration, String>>();
    let start = tokio::time::Instant::now();
    let end = start + Duration::from_secs_f64(seconds);
    let mut sent = 0u64;
    let mut dropped = 0u64;
    loop {
        let due = start + interval * u32::try_from(sent).unwrap();
        if due >= end || running.as_ref().is_some_and(|r| !r.load(Ordering::Relaxed)) {
            break;
        }
        tokio::time::sleep_until(due).await;
        sent += 1;
        if in_flight.load(Ordering::Relaxed) >= MAX_IN_FLIGHT {
            dropped += 1;
            continue;
        }
        let (version, token) = &targets[rng.random_range(0..targets.len())];
        // The mix of views a findings page is asked for: mostly the default (open,
        // first 100), then severity filters, later pages of everything, KEV only.
        let query = match rng.random_range(0..20) {
            0..14 => String::new(),
            14..17 => "?severity=critical,high".to_owned(),
            17..19 => "?status=all&limit=50&offset=50".to_owned(),
            _ => "?kev=true".to_owned(),
        };
        let path = format!("/api/v1/versions/{version}/findings{query}");
        let token = token.clone();
        let pool = pool.clone();
        let tx = tx.clone();
        let in_flight = in_flight.clone();
        in_flight.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(async move {
            let result = request(addr, &pool, &path, &token).await;
            let outcome = match result {
                Ok(200) => Ok(due.elapsed()),
                Ok(status) => Err(format!("status {status}")),
                Err(e) => Err(e.kind().to_string()),
            };
            in_flight.fetch_sub(1, Ordering::Relaxed);
            let _ = tx.send(outcome);
        });
    }
    let seconds = start.elapsed().as_secs_f64();
    drop(tx);
    let mut latencies = Vec::with_capacity(usize::try_from(sent).unwrap_or(0));
    let mut errors = BTreeMap::new();
    if dropped > 0 {
        errors.insert("over 512 in flight".to_owned(), dropped);
    }
    while let Some(r) = rx.recv().await {
        match r {
            Ok(d) => latencies.push(d),
            Err(e) => *errors.entry(e).or_default() += 1,
        }
    }
    Outcome {
        latencies,
        errors,
        sent,
        seconds,
    }
}

/// One GET over a pooled keep-alive connection; the status code.
async fn request(
    addr: std::net::SocketAddr,
    pool: &Pool,
    path: &str,
    token: &str,
) -> std::io::Result<u16> {
    let pooled = pool.lock().unwrap().pop();
    let mut stream = match pooled {
        Some(s) => s,
        None => {
            let s = TcpStream::connect(addr).await?;
            s.set_nodelay(true)?;
            s
        }
    };
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nAccept: application/json\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await?;
    let (status, _body) = read_response(&mut stream).await?;
    pool.lock().unwrap().push(stream);
    Ok(status)
}

async fn get_once(addr: std::net::SocketAddr, path: &str) -> std::io::Result<(u16, Vec<u8>)> {
    let mut s = TcpStream::connect(addr).await?;
    let head = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    s.write_all(head.as_bytes()).await?;
    read_response(&mut s).await
}

/// Reads one HTTP/1.1 response with a Content-Length body (what axum sends for these
/// routes); a chunked or unframed response is an error here.
async fn read_response(s: &mut TcpStream) -> std::io::Result<(u16, Vec<u8>)> {
    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_owned());
    let mut buf = Vec::with_capacity(16 * 1024);
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| bad("head not UTF-8"))?;
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| bad("no status"))?;
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .ok_or_else(|| bad("no content-length"))?;
    while buf.len() < head_end + length {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok((status, buf[head_end..head_end + length].to_vec()))
}

// ---- the children -------------------------------------------------------------------

fn child_import(args: &Args) {
    let batch = args.batch.clone().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = Store::open(&args.store.display().to_string())
            .await
            .unwrap();
        let t = Instant::now();
        let summary = store
            .import(&[batch], &ImportOptions::default(), &NoProgress)
            .await
            .unwrap();
        eprintln!(
            "  import child: batch {} with {:?} in {:.1} s",
            summary.batch_id,
            summary.records,
            t.elapsed().as_secs_f64()
        );
        store.close().await;
    });
}

fn child_build(args: &Args) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let url = args.store.display().to_string();
        if let Some(parent) = args.store.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        let store = Store::open(&url).await.unwrap();
        if store.state().await.unwrap().records == 0 {
            let nvd = args
                .nvd
                .clone()
                .unwrap_or_else(|| args.store.parent().unwrap_or(Path::new(".")).join("nvd"));
            if !non_empty_dir(&nvd) {
                generate_nvd(&nvd, args.cves, args.cpe_matches, 1);
            }
            let mut sources = vec![nvd];
            sources.extend(args.kev.clone());
            sources.extend(args.epss.clone());
            eprintln!("importing {sources:?}");
            let t = Instant::now();
            let summary = store
                .import(&sources, &ImportOptions::default(), &NoProgress)
                .await
                .unwrap();
            eprintln!(
                "  imported {:?} in {:.1} s",
                summary.records,
                t.elapsed().as_secs_f64()
            );
        }
        let have = store
            .portfolio_versions()
            .await
            .unwrap()
            .iter()
            .filter(|v| v.name.organisation.starts_with("Load Manufacturer "))
            .count();
        if have >= args.versions {
            eprintln!("reusing the store's {have} load versions");
        } else {
            build_portfolio(&store, args.versions).await;
        }
        store.close().await;
    });
}

const SEVERITIES: [(&str, u32, f64); 5] = [
    ("critical", 10, 9.8),
    ("high", 35, 7.5),
    ("medium", 40, 5.3),
    ("low", 10, 3.1),
    ("unknown", 5, 0.0),
];

fn finding(rng: &mut StdRng, component: &str, vulnerability: &str) -> ObservedFinding {
    let mut pick = rng.random_range(0..100u32);
    let (severity, _, score) = SEVERITIES
        .iter()
        .find(|(_, weight, _)| {
            let hit = pick < *weight;
            pick = pick.saturating_sub(*weight);
            hit
        })
        .copied()
        .unwrap_or(SEVERITIES[2]);
    let kev = rng.random_range(0..50) == 0;
    let status = if rng.random_range(0..10) == 0 {
        "possibly affected"
    } else {
        "affected"
    };
    let score = (score > 0.0).then_some(score);
    // The shape of a scan finding (medsec_scan::Finding) as monitoring stores it.
    let detail = serde_json::json!({
        "vulnerability": vulnerability,
        "aliases": [format!("GHSA-{:04x}-{:04x}-{:04x}", rng.random::<u16>(), rng.random::<u16>(), rng.random::<u16>())],
        "component": {"key": component, "purl": component},
        "status": status,
        "confidence": "high",
        "severity": severity,
        "score": score.map(|s| serde_json::json!({"version": "3.1", "value": s, "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"})),
        "known_exploited": kev,
        "epss": {"probability": 0.0012, "percentile": 0.41},
        "fixed_in": ["2.4.1"],
        "title": format!("An out-of-bounds write in {component} allows remote attackers to execute code"),
        "evidence": [{"record": format!("nvd:{vulnerability}"), "source": "nvd", "range": "< 2.4.1", "matched_on": "cpe"}],
    });
    ObservedFinding {
        component: component.to_owned(),
        vulnerability: vulnerability.to_owned(),
        status: status.to_owned(),
        severity: severity.to_owned(),
        score,
        kev,
        detail,
    }
}

/// 10,000 versions by default: 20 organisations × 50 products × 10 versions, each with
/// an SBOM document and findings recorded by a monitoring run: 95 % of versions have
/// 10–80 findings, 5 % (large firmware) 200–500; severities 10 % critical, 35 % high,
/// 40 % medium, 10 % low, 5 % unknown; 2 % in KEV. A second run resolves about a
/// tenth of the findings of 1,000 versions; 2,000 triage decisions are recorded. Written
/// with the store's own functions, as `medsec portfolio add`, `sbom add` and `monitor`
/// write them.
async fn build_portfolio(store: &Store, versions: usize) {
    let mut rng = StdRng::seed_from_u64(10);
    let now = "2026-11-29T00:00:00Z";
    let products = versions.div_ceil(ORGANISATIONS * 10).max(1);
    let t = Instant::now();
    eprintln!(
        "adding {versions} versions ({ORGANISATIONS} organisations × {products} products × 10 versions)"
    );
    let mut ids: Vec<(i64, String)> = Vec::with_capacity(versions);
    for o in 0..ORGANISATIONS {
        if ids.len() >= versions {
            break;
        }
        let org = organisation_name(o);
        'org: for p in 0..products {
            for v in 0..10 {
                if ids.len() >= versions {
                    break 'org;
                }
                let name = VersionRef {
                    organisation: org.clone(),
                    product: format!("Infusion System {p:03}"),
                    version: format!("{}.{v}.0", 1 + p % 4),
                };
                let facts = VersionFacts {
                    release_date: Some(format!("{}-{:02}-15", 2016 + v, 1 + p % 12)),
                    end_of_support: None,
                    installed_base: Some(rng.random_range(10..50_000)),
                };
                let (info, _) = store.portfolio_add(&name, &facts, now).await.unwrap();
                ids.push((info.id, name.version.clone()));
                if ids.len().is_multiple_of(1000) {
                    eprintln!(
                        "  {} versions, {:.0} s",
                        ids.len(),
                        t.elapsed().as_secs_f64()
                    );
                }
            }
        }
        let org_id = store
            .version_organisation(ids[ids.len() - 1].0)
            .await
            .unwrap()
            .unwrap();
        store
            .token_create(
                &medsec_server::auth::secret_hash(&token_secret(&org)),
                "load bench",
                org_id,
                Role::Viewer,
                Actor {
                    name: "cli:load-bench",
                    reason: None,
                },
                now,
            )
            .await
            .unwrap();
    }
    // Components and vulnerabilities of each version.
    let mut observed: Vec<(i64, Vec<ObservedFinding>)> = Vec::with_capacity(ids.len());
    for (id, _) in &ids {
        let n = if rng.random_range(0..20) == 0 {
            rng.random_range(200..=500)
        } else {
            rng.random_range(10..=80)
        };
        let mut fs = Vec::with_capacity(n);
        for _ in 0..n {
            let component = format!(
                "pkg:generic/vendor{:03}/lib{:04}@{}.{}.{}",
                rng.random_range(0..300),
                rng.random_range(0..3000),
                rng.random_range(0..5),
                rng.random_range(0..20),
                rng.random_range(0..10)
            );
            let vulnerability = format!(
                "CVE-{}-{}",
                rng.random_range(2010..=2026),
                rng.random_range(1000..60_000)
            );
            fs.push(finding(&mut rng, &component, &vulnerability));
        }
        fs.sort_by(|a, b| (&a.component, &a.vulnerability).cmp(&(&b.component, &b.vulnerability)));
        fs.dedup_by(|a, b| a.component == b.component && a.vulnerability == b.vulnerability);
        let sbom = serde_json::json!({
            "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "components": fs.iter().map(|f| serde_json::json!({"type": "library", "name": f.component, "purl": f.component})).collect::<Vec<_>>(),
        });
        store
            .add_document(
                *id,
                "sbom",
                "firmware.cdx.json",
                "cyclonedx-json",
                sbom.to_string().as_bytes(),
                now,
            )
            .await
            .unwrap();
        observed.push((*id, fs));
    }
    eprintln!("  documents added, {:.0} s", t.elapsed().as_secs_f64());
    let mut total = 0;
    for chunk in observed.chunks(500) {
        let (run, _) = store
            .record_monitor_run(now, now, (0, 0), chunk)
            .await
            .unwrap();
        total += run.new;
    }
    eprintln!(
        "  {total} findings recorded, {:.0} s",
        t.elapsed().as_secs_f64()
    );
    let later = "2026-11-29T01:00:00Z";
    let mut resolved = 0;
    let again: Vec<(i64, Vec<ObservedFinding>)> = observed
        .iter()
        .step_by(10)
        .map(|(id, fs)| {
            let kept: Vec<_> = fs
                .iter()
                .filter(|_| rng.random_range(0..10) != 0)
                .cloned()
                .collect();
            (*id, kept)
        })
        .collect();
    for chunk in again.chunks(500) {
        let (run, _) = store
            .record_monitor_run(later, later, (0, 0), chunk)
            .await
            .unwrap();
        resolved += run.resolved;
    }
    eprintln!("  {resolved} resolved, {:.0} s", t.elapsed().as_secs_f64());
    for i in 0..2000 {
        let k = rng.random_range(0..observed.len());
        let (id, fs) = &observed[k];
        let f = &fs[rng.random_range(0..fs.len())];
        let d = Decision {
            id: 0,
            version: ids[k].1.clone(),
            component: f.component.clone(),
            vulnerability: f.vulnerability.clone(),
            state: TriageState::InTriage,
            justification: None,
            impact: None,
            action: None,
            author: "cli:load-bench".into(),
            rationale: format!("triage {i}: under review by the security team"),
            at: jiff::Timestamp::now(),
            adjusted_vector: None,
            adjusted_score: None,
        };
        store.record_decision(*id, &d).await.unwrap();
    }
    eprintln!("  portfolio built in {:.0} s", t.elapsed().as_secs_f64());
}
