//! `medsec evidence`: record test results with their evidence files, list a device's
//! result history, and take an evidence file back out of the store by its SHA-256.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use medsec_catalog::plan::plan;
use medsec_catalog::results::{DeviceKey, Outcome, TestResult, reopen_failed};
use medsec_store::{NewEvidence, NewTestResult};
use serde::Serialize;

use super::catalog::{Common, prepare};
use super::store::{StoreArgs, runtime, store_error};
use crate::exit;
use crate::output::{Format, Rows, print, print_json};

/// The largest evidence file accepted (a pentest report with captures fits; a disk image
/// belongs in the laboratory's archive, referenced from the notes).
pub const MAX_EVIDENCE_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: EvidenceCommand,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Record a test result (pass, fail, not-applicable) with its evidence files.
    Add(Box<AddArgs>),
    /// List the recorded results of a device, oldest first.
    List(ListArgs),
    /// Write an evidence file from the store, checked against its SHA-256.
    Get(GetArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutcomeArg {
    Pass,
    Fail,
    NotApplicable,
}

impl OutcomeArg {
    fn outcome(self) -> Outcome {
        match self {
            OutcomeArg::Pass => Outcome::Pass,
            OutcomeArg::Fail => Outcome::Fail,
            OutcomeArg::NotApplicable => Outcome::NotApplicable,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    #[command(flatten)]
    pub common: Common,
    /// The test (`T-13`), as the catalogue and `medsec testplan` name it.
    #[arg(long)]
    pub test: String,
    #[arg(long, value_enum)]
    pub result: OutcomeArg,
    /// Who performed the test.
    #[arg(long)]
    pub tester: String,
    /// The laboratory that performed it.
    #[arg(long)]
    pub lab: Option<String>,
    /// The laboratory's ISO/IEC 17025 accreditation number.
    #[arg(long)]
    pub accreditation: Option<String>,
    /// When the test was performed (YYYY-MM-DD; default today, UTC).
    #[arg(long)]
    pub date: Option<String>,
    /// A tool and its version (`"nmap 7.94"`; repeatable).
    #[arg(long)]
    pub tool: Vec<String>,
    #[arg(long)]
    pub notes: Option<String>,
    /// An evidence file (report, capture, log; repeatable). Stored once by its SHA-256.
    #[arg(long, value_name = "PATH")]
    pub file: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// The device folder, or its device.yaml.
    pub device: PathBuf,
    /// Only this test.
    #[arg(long)]
    pub test: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct GetArgs {
    /// The file's SHA-256, as `medsec evidence list` shows it.
    pub sha256: String,
    /// Where to write it (refused if it exists).
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
}

pub fn run(args: Args) -> miette::Result<u8> {
    match args.command {
        EvidenceCommand::Add(add) => run_add(*add, &args.store),
        EvidenceCommand::List(list) => run_list(list, &args.store),
        EvidenceCommand::Get(get) => run_get(get, &args.store),
    }
}

use super::refuse as bad;

/// A plain name for a stored file: the last path component, without control characters.
pub fn evidence_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_string_lossy();
    let clean: String = name.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim().to_owned();
    if clean.is_empty() || clean == "." || clean == ".." {
        None
    } else {
        Some(clean)
    }
}

fn read_evidence(path: &Path) -> Result<NewEvidence, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a regular file", path.display()));
    }
    if meta.len() > MAX_EVIDENCE_BYTES {
        return Err(format!(
            "{} is {} bytes; evidence files are limited to {} bytes (keep larger artefacts in the laboratory archive and reference them in --notes)",
            path.display(),
            meta.len(),
            MAX_EVIDENCE_BYTES
        ));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // Read at most one byte past the limit, in case the file grows while being read.
    file.take(MAX_EVIDENCE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_EVIDENCE_BYTES {
        return Err(format!(
            "{} grew past the evidence size limit while being read",
            path.display()
        ));
    }
    // Debug-quoted: a name of control characters must not reach the terminal raw.
    let name = evidence_name(path).ok_or_else(|| format!("{path:?} has no file name"))?;
    Ok(NewEvidence { name, bytes })
}

fn check_date(text: &str) -> Result<String, String> {
    let date: jiff::civil::Date = text
        .parse()
        .map_err(|e| format!("--date `{text}` is not a date (YYYY-MM-DD): {e}"))?;
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    if date > today {
        return Err(format!(
            "--date {date} is in the future (today is {today}, UTC)"
        ));
    }
    Ok(date.to_string())
}

#[derive(Serialize)]
struct AddOutput<'a> {
    recorded: &'a TestResult,
    /// The test is in the device's plan.
    planned: bool,
    /// The plan gives this test to an accredited laboratory.
    laboratory_required: bool,
    /// FMEA rows reopened by this device's failed tests (after this result).
    reopened_rows: Vec<String>,
}

fn run_add(args: AddArgs, store_args: &StoreArgs) -> miette::Result<u8> {
    let inputs = match prepare(&args.common)? {
        Ok(i) => i,
        Err(code) => return Ok(code),
    };
    if inputs.catalog.test(&args.test).is_none() {
        return Ok(bad(
            "medsec::evidence::unknown-test",
            format!(
                "unknown test `{}`; `medsec testplan DEVICE --all` lists the tests",
                args.test
            ),
        ));
    }
    for (flag, value) in [
        ("--tester", Some(&args.tester)),
        ("--lab", args.lab.as_ref()),
        ("--accreditation", args.accreditation.as_ref()),
    ] {
        if value.is_some_and(|v| v.trim().is_empty()) {
            return Ok(bad("medsec::evidence::empty", format!("{flag} is empty")));
        }
    }
    if args.accreditation.is_some() && args.lab.is_none() {
        return Ok(bad(
            "medsec::evidence::lab",
            "--accreditation needs --lab: name the laboratory the accreditation belongs to".into(),
        ));
    }
    let performed_on = match &args.date {
        Some(d) => match check_date(d) {
            Ok(d) => d,
            Err(e) => return Ok(bad("medsec::evidence::date", e)),
        },
        None => jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
            .to_string(),
    };
    let mut evidence = Vec::new();
    for path in &args.file {
        match read_evidence(path) {
            Ok(e) => evidence.push(e),
            Err(e) => return Ok(bad("medsec::evidence::file", e)),
        }
    }
    let device = &inputs.loaded.device;
    let rt = runtime()?;
    let store = store_args.open(&rt)?;
    let key = DeviceKey::of(device);
    let new = NewTestResult {
        device: key.clone(),
        test: args.test.clone(),
        outcome: args.result.outcome(),
        tester: args.tester.trim().to_owned(),
        laboratory: args.lab.as_ref().map(|s| s.trim().to_owned()),
        accreditation: args.accreditation.as_ref().map(|s| s.trim().to_owned()),
        performed_on,
        tools: args
            .tool
            .iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect(),
        notes: args.notes.clone(),
        evidence,
        recorded_at: jiff::Timestamp::now().to_string(),
    };
    let recorded = rt
        .block_on(store.record_test_result(&new))
        .map_err(store_error)?;
    let results = rt.block_on(store.test_results(&key)).map_err(store_error)?;
    rt.block_on(store.close());

    let model = medsec_threat::analyse(&inputs.loaded, &inputs.rules);
    let mut register = medsec_threat::register(&model, &inputs.risk_policy);
    let test_plan = plan(
        &inputs.catalog,
        &inputs.test_policy,
        device,
        &model,
        &register,
        &results,
    );
    reopen_failed(&mut register, &test_plan);
    let planned = test_plan.tests.iter().find(|t| t.id == args.test);
    let laboratory_required = planned.is_some_and(|t| t.laboratory);
    if laboratory_required && recorded.accreditation.is_none() {
        eprintln!(
            "warning: the test policy gives {} to an ISO/IEC 17025-accredited laboratory; this result names no accreditation, so coverage does not count it as evidence",
            args.test
        );
    }
    if planned.is_none() {
        eprintln!(
            "warning: {} is not in this device's test plan; the result is kept and counts as evidence for its controls",
            args.test
        );
    }
    let reopened: Vec<String> = register
        .rows
        .iter()
        .filter(|r| !r.reopened_by.is_empty())
        .map(|r| r.id.to_owned())
        .collect();
    let output = AddOutput {
        recorded: &recorded,
        planned: planned.is_some(),
        laboratory_required,
        reopened_rows: reopened,
    };
    match args.common.format {
        Format::Json => print_json(&output)?,
        _ => {
            let mut out = format!(
                "Recorded result #{}: {} {} on {} by {} for {} {}.\n",
                recorded.id,
                recorded.test,
                recorded.outcome.as_str(),
                recorded.performed_on,
                recorded.tester,
                key.name,
                key.version
            );
            for e in &recorded.evidence {
                out.push_str(&format!(
                    "  evidence {} ({} bytes) sha256 {}\n",
                    e.name, e.size, e.sha256
                ));
            }
            if !output.reopened_rows.is_empty() {
                out.push_str(&format!(
                    "{} FMEA row(s) reopened by failed tests (controls not counted until the test passes): {}\n",
                    output.reopened_rows.len(),
                    output.reopened_rows.join(", ")
                ));
            }
            print(&out).map_err(crate::output::io_error)?;
        }
    }
    Ok(exit::OK)
}

fn run_list(args: ListArgs, store_args: &StoreArgs) -> miette::Result<u8> {
    let loaded = match super::load_device(&args.device)? {
        Ok(loaded) => loaded,
        Err(code) => return Ok(code),
    };
    let key = DeviceKey::of(&loaded.device);
    let rt = runtime()?;
    let store = store_args.open(&rt)?;
    let mut results = rt.block_on(store.test_results(&key)).map_err(store_error)?;
    rt.block_on(store.close());
    if let Some(test) = &args.test {
        results.retain(|r| r.test == *test);
    }
    match args.format {
        Format::Json => print_json(&results)?,
        format => {
            let mut rows = Rows::new([
                "#",
                "test",
                "result",
                "performed",
                "tester",
                "laboratory",
                "tools",
                "evidence (sha256)",
            ]);
            for r in &results {
                rows.push([
                    r.id.to_string(),
                    r.test.clone(),
                    r.outcome.as_str().to_owned(),
                    r.performed_on.clone(),
                    r.tester.clone(),
                    match (&r.laboratory, &r.accreditation) {
                        (Some(l), Some(a)) => format!("{l} ({a})"),
                        (Some(l), None) => l.clone(),
                        _ => String::new(),
                    },
                    r.tools.join(", "),
                    r.evidence
                        .iter()
                        .map(|e| format!("{} {}", e.name, e.sha256))
                        .collect::<Vec<_>>()
                        .join("\n"),
                ]);
            }
            let text = if format == Format::Markdown {
                rows.to_markdown()
            } else {
                rows.to_table()
            };
            print(&format!(
                "{}\n{} result(s) for {} {}\n",
                text,
                results.len(),
                key.name,
                key.version
            ))
            .map_err(crate::output::io_error)?;
        }
    }
    Ok(exit::OK)
}

fn run_get(args: GetArgs, store_args: &StoreArgs) -> miette::Result<u8> {
    let hash = args.sha256.to_ascii_lowercase();
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(bad(
            "medsec::evidence::hash",
            format!("`{}` is not a SHA-256 (64 hexadecimal digits)", args.sha256),
        ));
    }
    if args.out.exists() {
        return Ok(bad(
            "medsec::evidence::exists",
            format!(
                "{} exists; medsec does not overwrite it",
                args.out.display()
            ),
        ));
    }
    let rt = runtime()?;
    let store = store_args.open(&rt)?;
    let bytes = rt
        .block_on(store.evidence_file(&hash))
        .map_err(store_error)?;
    rt.block_on(store.close());
    let Some(bytes) = bytes else {
        return Ok(bad(
            "medsec::evidence::unknown",
            format!("no evidence file with SHA-256 {hash} in the store"),
        ));
    };
    std::fs::write(&args.out, &bytes).map_err(|e| {
        miette::miette!(
            code = "medsec::evidence::write",
            "cannot write {}: {e}",
            args.out.display()
        )
    })?;
    eprintln!(
        "wrote {} ({} bytes, sha256 {hash})",
        args.out.display(),
        bytes.len()
    );
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn evidence_names_lose_directories_and_control_characters() {
        assert_eq!(
            evidence_name(Path::new("../../etc/passwd")).as_deref(),
            Some("passwd")
        );
        assert_eq!(
            evidence_name(Path::new("a/b/report\u{7}.pdf")).as_deref(),
            Some("report.pdf")
        );
        assert_eq!(evidence_name(Path::new("..")), None);
        assert_eq!(evidence_name(Path::new("/")), None);
    }

    #[test]
    fn dates_are_checked() {
        assert!(check_date("2026-02-30").is_err());
        assert!(check_date("3026-01-01").unwrap_err().contains("future"));
        assert_eq!(check_date("2025-06-01").unwrap(), "2025-06-01");
    }
}
