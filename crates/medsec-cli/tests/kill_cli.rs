//! Crash safety (issue 11): `kill -9` at random points of `medsec db import`, `medsec
//! monitor` and `medsec triage`, at least 50 kills, on one SQLite store. After every
//! kill the store must open and pass SQLite's integrity check; at the end every write
//! the tool acknowledged (exit 0) must be there, and nothing of a killed one:
//!
//! - each acknowledged import is one batch, a killed import leaves none (the store's
//!   batch count equals the acknowledged imports exactly), and the records hold the
//!   content of the last acknowledged import;
//! - each acknowledged monitoring run is recorded, a killed one is not;
//! - each acknowledged triage decision is stored (found by its rationale), and no
//!   decision appears that was not asked for.
//!
//! The kill points come from a fixed-seed generator spread over each command's measured
//! run time, so a failure can be reproduced.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../medsec-store/tests/support/nvdgen.rs"]
mod nvdgen;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ORG: &str = "Halvard Vital Systems AG";
const PRODUCT: &str = "Halvard Vigil Patient Monitoring System";
const VERSION: &str = "5.1";
/// Records per generated import: enough for an import to take a good fraction of a
/// second in a debug build, so kills land inside its transaction.
const RECORDS: usize = 6_000;
const MIN_KILLS: usize = 50;
const MAX_ROUNDS: usize = 200;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn medsec(home: &Path) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("medsec"));
    cmd.current_dir(root())
        .env("MEDSEC_HOME", home)
        .env_remove("MEDSEC_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn ok(home: &Path, args: &[&str]) -> String {
    let out = medsec(home).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A small fixed-seed generator (SplitMix64), so kill points are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (bound > 0).
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Import,
    Monitor,
    Triage,
}

/// What one run was: its operation, its number among runs of that operation, and
/// whether it was acknowledged (exit 0) or killed.
struct Outcome {
    op: Op,
    attempt: usize,
    acknowledged: bool,
}

fn feed(dir: &Path, attempt: usize) -> PathBuf {
    let folder = dir.join(format!("feed-{attempt:03}"));
    // Each attempt carries new content (version and modification time), so each
    // acknowledged import changes records and is a batch of its own.
    let modified = format!(
        "2030-06-{:02}T{:02}:{:02}:00.000",
        1 + attempt / 1440,
        attempt / 60 % 24,
        attempt % 60
    );
    nvdgen::write_pages(&folder, 0, RECORDS, 2_000, &modified, attempt as u32 + 1, 2);
    folder
}

fn triage_args(attempt: usize) -> Vec<String> {
    [
        "triage",
        "--org",
        ORG,
        "--product",
        PRODUCT,
        "--version",
        VERSION,
        "--component",
        "pkg:generic/zlib@1.2.11",
        "--vulnerability",
        "CVE-2022-37434",
        "--state",
        "in_triage",
        "--author",
        "psirt@halvard.invalid",
        "--rationale",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain([format!("kill-test decision {attempt}")])
    .collect()
}

fn spawn(home: &Path, scratch: &Path, op: Op, attempt: usize) -> Child {
    let mut cmd = medsec(home);
    match op {
        Op::Import => {
            let folder = feed(scratch, attempt);
            cmd.args(["db", "import", "-q"]).arg(folder);
        }
        Op::Monitor => {
            cmd.args(["monitor", "--full"]);
        }
        Op::Triage => {
            cmd.args(triage_args(attempt));
        }
    }
    cmd.spawn().unwrap()
}

/// Runs `op` to its end and returns how long it took.
fn timed(home: &Path, scratch: &Path, op: Op, attempt: usize) -> Duration {
    let start = Instant::now();
    let out = spawn(home, scratch, op, attempt)
        .wait_with_output()
        .unwrap();
    assert!(
        out.status.success(),
        "{op:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    start.elapsed()
}

fn stats(home: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(home, &["db", "stats", "--format", "json"])).unwrap()
}

#[test]
fn kill_9_during_import_monitoring_and_triage_loses_no_acknowledged_write() {
    let home = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let h = home.path();
    ok(h, &["db", "import", "-q", "examples/advisories"]);
    ok(
        h,
        &["portfolio", "add", "--device", "examples/patient-monitor"],
    );
    ok(h, &["monitor"]);

    // One unkilled run of each, to spread the kill points over their run times.
    let mut attempts = [0usize; 3];
    let mut outcomes = Vec::new();
    let mut durations = [Duration::ZERO; 3];
    for (i, op) in [Op::Import, Op::Monitor, Op::Triage]
        .into_iter()
        .enumerate()
    {
        durations[i] = timed(h, scratch.path(), op, attempts[i]);
        outcomes.push(Outcome {
            op,
            attempt: attempts[i],
            acknowledged: true,
        });
        attempts[i] += 1;
    }
    let baseline_batches = stats(h)["batches"].as_u64().unwrap();
    // The set-up's run and the timed one.
    let baseline_runs = inspect(h).monitor_runs - 1;

    let mut rng = Rng(0x6d65_6473_6563);
    let mut kills = 0;
    let mut rounds = 0;
    while kills < MIN_KILLS {
        assert!(
            rounds < MAX_ROUNDS,
            "only {kills} kills in {rounds} rounds: the commands finish before the kill points"
        );
        rounds += 1;
        let i = rounds % 3;
        let op = [Op::Import, Op::Monitor, Op::Triage][i];
        let attempt = attempts[i];
        attempts[i] += 1;
        // Points from 0 to 150 % of the measured run time (start-up included): most
        // runs are killed somewhere inside, some finish and are acknowledged.
        let span = durations[i].as_micros() as u64 * 3 / 2;
        let delay = Duration::from_micros(rng.below(span));
        let mut child = spawn(h, scratch.path(), op, attempt);
        std::thread::sleep(delay);
        let acknowledged = match child.try_wait().unwrap() {
            Some(status) => {
                assert!(status.success(), "{op:?} {attempt} failed on its own");
                true
            }
            None => {
                child.kill().unwrap(); // SIGKILL on Unix
                let status = child.wait().unwrap();
                // It may have finished between the check and the kill.
                if status.success() {
                    true
                } else {
                    kills += 1;
                    false
                }
            }
        };
        outcomes.push(Outcome {
            op,
            attempt,
            acknowledged,
        });
        // After every run the store opens and is consistent.
        let problems = inspect(h).integrity;
        assert!(
            problems.is_empty(),
            "after {op:?} {attempt} (killed: {}): {problems:?}",
            !acknowledged
        );
    }

    // Imports: one batch per acknowledged import, none for a killed one; the records
    // hold the last acknowledged import's content.
    let acknowledged_imports: Vec<usize> = outcomes
        .iter()
        .filter(|o| o.op == Op::Import && o.acknowledged)
        .map(|o| o.attempt)
        .collect();
    let killed_imports = outcomes
        .iter()
        .filter(|o| o.op == Op::Import && !o.acknowledged)
        .count() as u64;
    // A run killed after its commit but before it exited did write: between the
    // acknowledged and the attempted, never fewer.
    let batches = stats(h)["batches"].as_u64().unwrap();
    let acknowledged_batches = baseline_batches + acknowledged_imports.len() as u64 - 1;
    assert!(
        (acknowledged_batches..=acknowledged_batches + killed_imports).contains(&batches),
        "{batches} batches for {} acknowledged and {killed_imports} killed imports",
        acknowledged_imports.len()
    );
    let last = *acknowledged_imports.last().unwrap();
    let seen = inspect(h);
    let held = (last..attempts[0]).find(|a| {
        seen.last_record
            .contains(&format!("version {} of this record", a + 1))
    });
    assert!(
        held.is_some(),
        "the store holds the last acknowledged import ({last}) or a later one"
    );

    // Monitoring: a run per acknowledged `monitor`, at most one more per killed one.
    let count = |op: Op, acknowledged: bool| {
        outcomes
            .iter()
            .filter(|o| o.op == op && o.acknowledged == acknowledged)
            .count() as i64
    };
    let runs = seen.monitor_runs - baseline_runs;
    assert!(
        (count(Op::Monitor, true)..=count(Op::Monitor, true) + count(Op::Monitor, false))
            .contains(&runs),
        "{runs} monitor runs recorded"
    );

    // Triage: every acknowledged decision is there, nothing else.
    for o in outcomes.iter().filter(|o| o.op == Op::Triage) {
        let rationale = format!("kill-test decision {}", o.attempt);
        let stored = seen.rationales.iter().filter(|r| **r == rationale).count();
        if o.acknowledged {
            assert_eq!(stored, 1, "acknowledged decision {} lost", o.attempt);
        } else {
            assert!(stored <= 1, "decision {} stored twice", o.attempt);
        }
    }
    assert!(
        seen.rationales.len() <= outcomes.iter().filter(|o| o.op == Op::Triage).count(),
        "decisions nobody asked for: {:?}",
        seen.rationales
    );

    // Monitoring still works and records its run.
    ok(h, &["monitor", "--full"]);
    eprintln!(
        "{kills} kills in {rounds} rounds; acknowledged: {} imports, {} monitor runs, {} triage decisions",
        acknowledged_imports.len(),
        outcomes
            .iter()
            .filter(|o| o.op == Op::Monitor && o.acknowledged)
            .count(),
        outcomes
            .iter()
            .filter(|o| o.op == Op::Triage && o.acknowledged)
            .count()
    );
}

/// What the store holds, read through the library.
struct Seen {
    integrity: Vec<String>,
    monitor_runs: i64,
    rationales: Vec<String>,
    /// The stored record of the last generated CVE, as JSON.
    last_record: String,
}

fn inspect(home: &Path) -> Seen {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = medsec_store::Store::open(home.join("store.db").to_str().unwrap())
            .await
            .unwrap();
        let integrity = store.integrity_check().await.unwrap();
        let version = store
            .portfolio_version(&medsec_store::VersionRef {
                organisation: ORG.into(),
                product: PRODUCT.into(),
                version: VERSION.into(),
            })
            .await
            .unwrap()
            .unwrap();
        let (_, decisions) = store.product_decisions(version.id).await.unwrap();
        let monitor_runs = store.last_monitor_run().await.unwrap().map_or(0, |r| r.id);
        let last_record = store
            .vulnerability(&nvdgen::cve_id(RECORDS - 1))
            .await
            .unwrap()
            .map(|v| serde_json::to_string(&v).unwrap())
            .unwrap_or_default();
        store.close().await;
        Seen {
            integrity,
            monitor_runs,
            rationales: decisions.into_iter().map(|d| d.rationale).collect(),
            last_record,
        }
    })
}
