//! `medsec audit verify` and `medsec audit log`: the audit trail of regulated records
//! (issue 11). `verify` checks the hash chain of the audit log and every regulated
//! record against its latest audit entry and every stored file against its SHA-256, so
//! an edit or deletion made behind medsec's back is reported.

use serde::Serialize;

use super::store::{StoreArgs, runtime, store_error};
use crate::exit;
use crate::output::{Rows, print_json};

/// The audit trail of regulated records.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Check the audit log's hash chain and every regulated record (product versions,
    /// documents, triage decisions, test results, deployments, stored files) against
    /// it. Exit 0 when intact, 1 naming every problem.
    Verify {
        /// A head `SEQ:HASH` printed by an earlier verify and kept elsewhere: also
        /// detects entries cut from the end of the log since then.
        #[arg(long, value_name = "SEQ:HASH")]
        expect_head: Option<String>,
        /// text or json.
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// The entries of the audit log, oldest first.
    Log {
        /// Entries after this sequence number.
        #[arg(long, default_value_t = 0)]
        after: i64,
        #[arg(long, default_value_t = 100)]
        limit: i64,
        /// text or json.
        #[arg(long, default_value = "text")]
        format: String,
    },
}

#[derive(Serialize)]
struct VerifyOutput {
    intact: bool,
    entries: i64,
    head: String,
    head_seq: i64,
    chain_problems: Vec<medsec_store::audit::AuditProblem>,
    records: u64,
    unattributed_entries: u64,
    record_problems: Vec<medsec_store::regulated::RecordProblem>,
    head_problem: Option<String>,
}

fn json_or_text(format: &str) -> Result<bool, u8> {
    match format {
        "text" => Ok(false),
        "json" => Ok(true),
        other => Err(super::refuse(
            "medsec::usage",
            format!("--format {other}: use text or json"),
        )),
    }
}

pub fn run(args: Args) -> miette::Result<u8> {
    match args.command {
        Command::Verify {
            expect_head,
            format,
        } => verify(&args.store, expect_head.as_deref(), &format),
        Command::Log {
            after,
            limit,
            format,
        } => log(&args.store, after, limit, &format),
    }
}

fn verify(store_args: &StoreArgs, expect_head: Option<&str>, format: &str) -> miette::Result<u8> {
    let json = match json_or_text(format) {
        Ok(j) => j,
        Err(code) => return Ok(code),
    };
    let expected = match expect_head {
        None => None,
        Some(text) => match text.split_once(':').and_then(|(seq, hash)| {
            let seq: i64 = seq.trim().parse().ok()?;
            let hash = hash.trim().to_ascii_lowercase();
            (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then_some((seq, hash))
        }) {
            Some(pair) => Some(pair),
            None => {
                return Ok(super::refuse(
                    "medsec::audit::head",
                    format!(
                        "--expect-head {text:?}: give SEQ:HASH as `medsec audit verify` prints it (e.g. 42:9f86…, 64 hex digits)"
                    ),
                ));
            }
        },
    };
    let rt = runtime()?;
    let store = store_args.open(&rt)?;
    let result = rt.block_on(async {
        let chain = store.audit_verify().await?;
        let records = store.verify_records().await?;
        let head_problem = match &expected {
            None => None,
            Some((seq, hash)) => {
                let entry = store.audit_entries(None, seq - 1, 1).await?;
                match entry.first() {
                    Some(e) if e.seq == *seq && e.hash == *hash => None,
                    Some(e) if e.seq == *seq => Some(format!(
                        "entry {seq} now hashes to {}, not the expected {hash}",
                        e.hash
                    )),
                    _ => Some(format!(
                        "entry {seq} is gone: the log holds {} entries (entries were cut from its end)",
                        chain.entries
                    )),
                }
            }
        };
        Ok::<_, medsec_store::StoreError>((chain, records, head_problem))
    });
    rt.block_on(store.close());
    let (chain, records, head_problem) = result.map_err(store_error)?;
    let intact = chain.is_intact() && records.problems.is_empty() && head_problem.is_none();
    let out = VerifyOutput {
        intact,
        entries: chain.entries,
        head: chain.head.clone(),
        head_seq: chain.entries,
        chain_problems: chain.problems,
        records: records.records,
        unattributed_entries: records.unattributed,
        record_problems: records.problems,
        head_problem,
    };
    if json {
        print_json(&out)?;
    } else {
        println!(
            "{}: {} audit entries, {} regulated records; head {}:{}",
            if intact { "intact" } else { "NOT intact" },
            out.entries,
            out.records,
            out.head_seq,
            out.head
        );
        if out.unattributed_entries > 0 {
            println!(
                "note: {} entries were made without an attribution",
                out.unattributed_entries
            );
        }
        for p in &out.chain_problems {
            println!("  audit entry {}: {}", p.seq, p.message);
        }
        for p in &out.record_problems {
            println!("  {} {}: {}", p.record_kind, p.record_id, p.problem);
        }
        if let Some(p) = &out.head_problem {
            println!("  head: {p}");
        }
        if intact {
            println!(
                "keep the head elsewhere; `--expect-head {}:{}` then detects entries cut from the end",
                out.head_seq, out.head
            );
        }
    }
    Ok(if intact { exit::OK } else { exit::FINDINGS })
}

fn log(store_args: &StoreArgs, after: i64, limit: i64, format: &str) -> miette::Result<u8> {
    let json = match json_or_text(format) {
        Ok(j) => j,
        Err(code) => return Ok(code),
    };
    if !(1..=100_000).contains(&limit) {
        return Ok(super::refuse(
            "medsec::usage",
            format!("--limit {limit}: give 1 to 100000"),
        ));
    }
    let rt = runtime()?;
    let store = store_args.open(&rt)?;
    let entries = rt.block_on(store.audit_entries(None, after, limit));
    rt.block_on(store.close());
    let entries = entries.map_err(store_error)?;
    if json {
        print_json(&entries)?;
    } else {
        let mut rows = Rows::new(["seq", "at", "actor", "action", "record", "reason"]);
        for e in &entries {
            rows.push([
                e.seq.to_string(),
                e.at.clone(),
                e.actor.clone(),
                e.action.clone(),
                format!("{} {}", e.record_kind, e.record_id),
                e.reason.clone().unwrap_or_default(),
            ]);
        }
        print!("{}", rows.to_table());
    }
    Ok(exit::OK)
}
