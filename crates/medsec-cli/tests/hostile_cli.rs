//! The hostile-input corpus (issue 11), end to end through the real binary: every case
//! of `tests/hostile/cases.toml` runs against a store that already holds data (the
//! bundled advisories, a portfolio version, a test result with evidence), in a fresh
//! MEDSEC_HOME, and must end with the expected exit code (never a panic, a crash or a
//! hang), a short error that names the file and the place, and the store exactly as it
//! was (every table's rows and SHA-256, from `medsec db backup`).
//!
//! A new case is a file under `tests/hostile/files/` (or a `generate` recipe, for
//! inputs too big to commit) and an entry in the manifest; see `tests/hostile/README.md`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde::Deserialize;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

/// No case may take longer: a hang is a failure, not a stuck CI job.
const TIMEOUT: Duration = Duration::from_secs(120);
/// An error message longer than this is not a clear error (an input echoed back).
const MAX_STDERR: usize = 64 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    case: Vec<Case>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// What the input is and what it attacks.
    what: String,
    /// The input, relative to `tests/hostile/files/` …
    file: Option<String>,
    /// … or made at test time.
    generate: Option<Generate>,
    /// The command line; `{file}` is the input, `{examples}` the bundled examples,
    /// `{out}` a fresh path for anything the command writes.
    args: Vec<String>,
    /// The exit code expected (1 or 2).
    exit: i32,
    /// Fragments the error output must contain.
    #[serde(default)]
    stderr: Vec<String>,
    /// How the error names the input, when not by the input's file name (a path given
    /// on the command line instead).
    names: Option<String>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Generate {
    /// The file name to write (its extension tells the reader the format).
    name: String,
    /// Content: `prefix`, `unit` × `count`, `middle`, `close` × `count`, `suffix`.
    #[serde(default)]
    prefix: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    count: usize,
    #[serde(default)]
    middle: String,
    #[serde(default)]
    close: String,
    #[serde(default)]
    suffix: String,
    /// `gz`, `zip` or `tar.gz`: the content packed as one member named `member`.
    pack: Option<String>,
    member: Option<String>,
    /// A copy of this device folder (relative to the repository) with `put` files
    /// replaced by corpus files and `replace` edits to its device.yaml; `{file}` is then
    /// the folder.
    device: Option<String>,
    #[serde(default)]
    put: Vec<[String; 2]>,
    #[serde(default)]
    replace: Vec<[String; 2]>,
    /// The seeded store's backup cut to this fraction of its bytes.
    backup_cut: Option<f64>,
    /// A named pipe (FIFO) that nobody writes to.
    #[serde(default)]
    fifo: bool,
}

fn content(g: &Generate) -> Vec<u8> {
    let mut s = Vec::with_capacity(
        g.prefix.len() + g.count * (g.unit.len() + g.close.len()) + g.middle.len() + 64,
    );
    s.extend_from_slice(g.prefix.as_bytes());
    for _ in 0..g.count {
        s.extend_from_slice(g.unit.as_bytes());
    }
    s.extend_from_slice(g.middle.as_bytes());
    for _ in 0..g.count {
        s.extend_from_slice(g.close.as_bytes());
    }
    s.extend_from_slice(g.suffix.as_bytes());
    s
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Writes a case's input into `dir`; returns its path.
fn generate(g: &Generate, dir: &Path, seed_backup: &Path) -> PathBuf {
    if let Some(device) = &g.device {
        let target = dir.join(&g.name);
        copy_dir(&root().join(device), &target);
        for [to, from] in &g.put {
            std::fs::copy(corpus().join("files").join(from), target.join(to)).unwrap();
        }
        let yaml = target.join("device.yaml");
        let mut text = std::fs::read_to_string(&yaml).unwrap();
        for [from, to] in &g.replace {
            assert!(text.contains(from.as_str()), "{from:?} is not in {device}");
            text = text.replace(from.as_str(), to);
        }
        std::fs::write(&yaml, text).unwrap();
        return target;
    }
    let path = dir.join(&g.name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    if g.fifo {
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap();
        assert!(made.success(), "mkfifo {}", path.display());
        return path;
    }
    if let Some(cut) = g.backup_cut {
        let bytes = std::fs::read(seed_backup).unwrap();
        let n = (bytes.len() as f64 * cut) as usize;
        std::fs::write(&path, &bytes[..n]).unwrap();
        return path;
    }
    let data = content(g);
    let member = g.member.clone().unwrap_or_else(|| "member.json".into());
    let file = std::fs::File::create(&path).unwrap();
    match g.pack.as_deref() {
        None => {
            let mut f = file;
            f.write_all(&data).unwrap();
        }
        Some("gz") => {
            let mut e = flate2::write::GzEncoder::new(file, flate2::Compression::default());
            e.write_all(&data).unwrap();
            e.finish().unwrap();
        }
        Some("zip") => {
            let mut z = zip::ZipWriter::new(file);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            z.start_file(member, options).unwrap();
            z.write_all(&data).unwrap();
            z.finish().unwrap();
        }
        Some("tar.gz") => {
            let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
            let mut t = tar::Builder::new(gz);
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            t.append_data(&mut header, member, data.as_slice()).unwrap();
            t.into_inner().unwrap().finish().unwrap();
        }
        Some(other) => panic!("unknown pack {other}"),
    }
    path
}

/// `medsec` with its own data folder and store.
fn medsec(home: &Path) -> Command {
    let mut c = Command::cargo_bin("medsec").unwrap();
    c.env("MEDSEC_HOME", home)
        .env_remove("MEDSEC_DATABASE_URL")
        .env_remove("NVD_API_KEY")
        // No colours: an escape character in the output can only come from the input.
        .env("NO_COLOR", "1")
        .timeout(TIMEOUT);
    c
}

fn run_ok(home: &Path, args: &[&str]) -> Vec<u8> {
    let out = medsec(home).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "medsec {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Every table's rows and SHA-256, as `medsec db backup` records them.
fn digest(home: &Path) -> serde_json::Value {
    let file = home.join(format!(
        "digest-{}.medsec-backup",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let out = run_ok(
        home,
        &["db", "backup", file.to_str().unwrap(), "--format", "json"],
    );
    std::fs::remove_file(&file).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let tables = v["manifest"]["tables"].clone();
    assert!(tables.as_array().is_some_and(|t| !t.is_empty()), "{v}");
    tables
}

/// A store with data: advisories, a portfolio version, a test result with evidence.
fn seed(home: &Path) -> PathBuf {
    let examples = root().join("examples");
    run_ok(
        home,
        &[
            "db",
            "import",
            examples.join("advisories").to_str().unwrap(),
        ],
    );
    run_ok(
        home,
        &[
            "portfolio",
            "add",
            "--device",
            examples.join("patient-monitor").to_str().unwrap(),
            "--release-date",
            "2025-03-01",
            "--installed-base",
            "1200",
        ],
    );
    run_ok(
        home,
        &[
            "evidence",
            "add",
            examples.join("insulin-pump").to_str().unwrap(),
            "--test",
            "T-13",
            "--result",
            "fail",
            "--tester",
            "R. Roe",
            "--file",
            corpus().join("files/evidence/report.pdf").to_str().unwrap(),
        ],
    );
    let backup = home.join("seed.medsec-backup");
    run_ok(home, &["db", "backup", backup.to_str().unwrap()]);
    backup
}

fn store_files(home: &Path) -> Vec<PathBuf> {
    ["store.db", "store.db-wal", "store.db-shm"]
        .iter()
        .map(|n| home.join(n))
        .filter(|p| p.exists())
        .collect()
}

/// Runs one case in a fresh home holding a copy of the seeded store; returns what went
/// wrong, if anything.
fn run_case(case: &Case, seed_home: &Path, seed_backup: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let home = tempfile::tempdir().unwrap();
    for f in store_files(seed_home) {
        std::fs::copy(&f, home.path().join(f.file_name().unwrap())).unwrap();
    }
    let inputs = tempfile::tempdir().unwrap();
    let input = match (&case.file, &case.generate) {
        (Some(f), None) => corpus().join("files").join(f),
        (None, Some(g)) => generate(g, inputs.path(), seed_backup),
        // The command names its input itself (/dev/zero).
        (None, None) => inputs.path().join("none"),
        _ => return vec!["give at most one of `file` and `generate`".into()],
    };
    let before = digest(home.path());
    let out_path = inputs.path().join("out");
    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| {
            a.replace("{file}", input.to_str().unwrap())
                .replace("{examples}", root().join("examples").to_str().unwrap())
                .replace("{out}", out_path.to_str().unwrap())
        })
        .collect();
    let started = std::time::Instant::now();
    let out = medsec(home.path()).args(&args).output();
    let out = match out {
        Ok(o) => o,
        Err(e) => return vec![format!("did not finish: {e}")],
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        None => problems.push(format!("killed by a signal: {:?}", out.status)),
        Some(101) => problems.push("panicked (exit 101)".into()),
        Some(c) if c != case.exit => {
            problems.push(format!("exit {c}, expected {}", case.exit));
        }
        Some(_) => {}
    }
    if stderr.contains("panicked") {
        problems.push("`panicked` in stderr".into());
    }
    // A terminal escape taken from the input would reach the user's terminal.
    if stderr.contains('\u{1b}') {
        problems.push("an escape character (ESC) in stderr".into());
    }
    if stderr.len() > MAX_STDERR {
        problems.push(format!("{} bytes of stderr", stderr.len()));
    }
    let shown = case
        .names
        .clone()
        .unwrap_or_else(|| input.file_name().unwrap().to_string_lossy().into_owned());
    // miette wraps long lines in a frame ("│ "); the text is compared with the wrapping
    // undone, both with and without the space a break may have taken.
    let mut tight = String::new();
    let mut spaced = String::new();
    for (i, line) in stderr.lines().enumerate() {
        let t = line.trim_start();
        let t = t
            .strip_prefix("│ ")
            .or_else(|| t.strip_prefix('│'))
            .unwrap_or(t)
            .trim_end();
        if i > 0 {
            spaced.push(' ');
        }
        tight.push_str(t);
        spaced.push_str(t);
    }
    let has = |fragment: &str| {
        stderr.contains(fragment) || tight.contains(fragment) || spaced.contains(fragment)
    };
    if !has(&shown) {
        problems.push(format!("the error does not name the file {shown:?}"));
    }
    for fragment in &case.stderr {
        if !has(fragment) {
            problems.push(format!("stderr lacks {fragment:?}"));
        }
    }
    let after = digest(home.path());
    if after != before {
        problems.push("the store changed".into());
    }
    if !problems.is_empty() {
        problems.push(format!(
            "after {:.1} s; stderr was:\n{}",
            started.elapsed().as_secs_f64(),
            stderr.chars().take(4000).collect::<String>()
        ));
    }
    problems
}

fn manifest() -> Manifest {
    let text = std::fs::read_to_string(corpus().join("cases.toml")).unwrap();
    toml::from_str(&text).unwrap_or_else(|e| panic!("tests/hostile/cases.toml: {e}"))
}

#[test]
fn every_hostile_case_is_refused_cleanly_and_leaves_the_store_unchanged() {
    let manifest = manifest();
    let only = std::env::var("MEDSEC_HOSTILE_CASE").ok();
    let seed_home = tempfile::tempdir().unwrap();
    let seed_backup = seed(seed_home.path());
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in &manifest.case {
        if only.as_deref().is_some_and(|o| o != case.name) {
            continue;
        }
        ran += 1;
        let problems = run_case(case, seed_home.path(), &seed_backup);
        if !problems.is_empty() {
            failures.push(format!(
                "{} ({}):\n  {}",
                case.name,
                case.what,
                problems.join("\n  ")
            ));
        }
    }
    assert!(ran > 0, "no case ran");
    assert!(
        failures.is_empty(),
        "{} of {ran} hostile cases failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The manifest itself: unique names, every committed file used, every case explained
/// and expecting a refusal (an exit code of 1 or 2, never success).
#[test]
fn the_manifest_is_sound() {
    let manifest = manifest();
    assert!(manifest.case.len() >= 30, "{} cases", manifest.case.len());
    let mut names = std::collections::BTreeSet::new();
    let mut used = std::collections::BTreeSet::new();
    for c in &manifest.case {
        assert!(names.insert(c.name.clone()), "{} twice", c.name);
        assert!(!c.what.trim().is_empty(), "{}: say what it is", c.name);
        assert!(matches!(c.exit, 1 | 2), "{}: exit {}", c.name, c.exit);
        assert!(
            c.args.iter().any(|a| a.contains("{file}")) || c.names.is_some(),
            "{}: the command does not read the input",
            c.name
        );
        if let Some(f) = &c.file {
            assert!(corpus().join("files").join(f).is_file(), "{}: {f}", c.name);
            used.insert(f.clone());
        }
        if let Some(g) = &c.generate {
            for [_, from] in &g.put {
                used.insert(from.clone());
            }
        }
    }
    used.insert("evidence/report.pdf".into());
    let mut committed = Vec::new();
    for dir in std::fs::read_dir(corpus().join("files")).unwrap() {
        let dir = dir.unwrap();
        for f in std::fs::read_dir(dir.path()).unwrap() {
            let f = f.unwrap();
            committed.push(format!(
                "{}/{}",
                dir.file_name().to_string_lossy(),
                f.file_name().to_string_lossy()
            ));
        }
    }
    for f in committed {
        assert!(used.contains(&f), "files/{f} is in no case");
    }
}

/// `medsec db backup` then `medsec db restore` into a fresh home: every table the same
/// (rows and SHA-256), the export the same; a second restore into the now filled store
/// and a backup over an existing file are refused with exit 2.
#[test]
fn backup_and_restore_round_trip_through_the_cli() {
    let seed_home = tempfile::tempdir().unwrap();
    let backup = seed(seed_home.path());
    let target = tempfile::tempdir().unwrap();
    let restored = run_ok(
        target.path(),
        &[
            "db",
            "restore",
            backup.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let restored: serde_json::Value = serde_json::from_slice(&restored).unwrap();
    assert_eq!(restored["manifest"]["tables"], digest(seed_home.path()));
    assert_eq!(digest(target.path()), digest(seed_home.path()));
    assert_eq!(
        run_ok(target.path(), &["db", "export"]),
        run_ok(seed_home.path(), &["db", "export"])
    );
    let again = medsec(target.path())
        .args(["db", "restore", backup.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));
    let over = medsec(seed_home.path())
        .args(["db", "backup", backup.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(over.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&over.stderr).contains("--force"));
}
