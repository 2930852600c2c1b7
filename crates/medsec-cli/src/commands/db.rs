//! `medsec db import|sync|stats|export` (and `backup|restore`, in `backup.rs`): the
//! offline vulnerability store.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use medsec_store::{ExportFilter, ImportOptions, ImportSummary, SnapshotOutcome, Stats};
use medsec_sync::{
    CsafRequest, FetchPolicy, Fetcher, NvdRequest, SyncObserver, SyncPlan, SyncState, files,
};
use serde::Serialize;

use super::store::{ImportProgress, StoreArgs, bar, runtime, store_error};
use crate::exit;
use crate::output::{Format, Rows, print, print_json};

/// The vulnerability store: import feeds, sync from the public sources, statistics, export.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(subcommand)]
    pub command: DbCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum DbCommand {
    /// Import advisory files, folders and archives (.json, .yaml, .json.gz, .zip,
    /// .tar.gz) of NVD API 2.0, CVE JSON 5, OSV and CSAF 2.0, the CISA KEV catalog
    /// (JSON) and FIRST EPSS scores (CSV) as ONE batch: all or nothing. A second import
    /// of the same data changes nothing; a newer record replaces an older one.
    Import(ImportArgs),
    /// Fetch the public sources over HTTPS (NVD API 2.0, OSV bulk archives, CISA KEV,
    /// FIRST EPSS, CSAF providers) and import what changed as one batch. An error answer
    /// imports nothing and keeps the stored data.
    Sync(SyncArgs),
    /// What the store holds: records per source, vulnerabilities, KEV, EPSS, last import.
    Stats(StatsArgs),
    /// Write the store as JSON lines (deterministic; `medsec db import` reads it back).
    Export(ExportArgs),
    /// Back up the whole store (every table, one consistent snapshot) to a checksummed,
    /// compressed file that `medsec db restore` reads on SQLite or PostgreSQL.
    Backup(super::backup::BackupArgs),
    /// Restore a backup into an EMPTY store, in one transaction, after verifying every
    /// checksum: a damaged or altered file changes nothing.
    Restore(super::backup::RestoreArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// Skip NVD.
    #[arg(long)]
    pub no_nvd: bool,
    /// NVD API key (raises NVD's rate limit from 5 to 50 requests per 30 s).
    #[arg(long, env = "NVD_API_KEY", hide_env_values = true)]
    pub nvd_api_key: Option<String>,
    /// The NVD CVE API 2.0 endpoint.
    #[arg(long, default_value = medsec_sync::nvd::NVD_CVE_API)]
    pub nvd_url: String,
    /// Fetch CVEs modified since then (RFC 3339); default: since the last sync, or
    /// everything on the first.
    #[arg(long, value_name = "TIME")]
    pub nvd_since: Option<jiff::Timestamp>,
    /// OSV ecosystems to fetch (e.g. PyPI, npm, Maven, Go, crates.io, Debian).
    #[arg(long = "osv", value_name = "ECOSYSTEM")]
    pub osv: Vec<String>,
    #[arg(long, default_value = files::OSV_BULK_BASE)]
    pub osv_url: String,
    /// Skip the CISA KEV catalog.
    #[arg(long)]
    pub no_kev: bool,
    #[arg(long, default_value = files::CISA_KEV_URL)]
    pub kev_url: String,
    /// Skip the FIRST EPSS scores.
    #[arg(long)]
    pub no_epss: bool,
    #[arg(long, default_value = files::EPSS_URL)]
    pub epss_url: String,
    /// CSAF 2.0 providers: a provider-metadata.json URL or a directory URL ending in
    /// `/` (CISA's ICS medical advisories, a manufacturer's PSIRT …).
    #[arg(long = "csaf", value_name = "URL")]
    pub csaf: Vec<String>,
    /// Seconds to wait between requests (default: NVD's advice, 6 s without a key and
    /// 0.6 s with one).
    #[arg(long, value_name = "SECONDS")]
    pub pause: Option<f64>,
    /// Retries of a failing request.
    #[arg(long, default_value_t = 5)]
    pub retries: u32,
    /// Seconds before the first retry; doubled for each further one (a Retry-After
    /// answer is honoured instead).
    #[arg(long, value_name = "SECONDS", default_value_t = 6.0)]
    pub backoff: f64,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Write here instead of standard output.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Only these sources (nvd, cve5, osv, csaf).
    #[arg(long = "source")]
    pub sources: Vec<String>,
    #[arg(long)]
    pub no_kev: bool,
    #[arg(long)]
    pub no_epss: bool,
}

pub fn run(args: Args, quiet: bool) -> miette::Result<u8> {
    let rt = runtime()?;
    let store = args.store.open(&rt)?;
    let code = match args.command {
        DbCommand::Import(a) => {
            let progress = ImportProgress::new(quiet);
            let result = rt.block_on(store.import(&a.paths, &ImportOptions::default(), &progress));
            progress.finish();
            match result {
                Ok(summary) => {
                    show_import(&summary, a.format)?;
                    exit::OK
                }
                Err(e) => {
                    eprintln!("{:?}", store_error(e));
                    exit::BAD_INPUT
                }
            }
        }
        DbCommand::Sync(a) => sync(&rt, &store, &args.store, a, quiet)?,
        DbCommand::Backup(a) => super::backup::run_backup(&rt, &store, a, quiet)?,
        DbCommand::Restore(a) => super::backup::run_restore(&rt, &store, a, quiet)?,
        DbCommand::Stats(a) => {
            let stats = rt.block_on(store.stats()).map_err(store_error)?;
            show_stats(&stats, a.format)?;
            exit::OK
        }
        DbCommand::Export(a) => {
            let filter = ExportFilter {
                sources: a.sources,
                advisories: true,
                kev: !a.no_kev,
                epss: !a.no_epss,
            };
            let summary = match &a.out {
                Some(path) => {
                    let tmp = path.with_extension("partial");
                    let file = std::fs::File::create(&tmp).map_err(|e| {
                        miette::miette!(code = "medsec::io", "{}: {e}", tmp.display())
                    })?;
                    let mut w = std::io::BufWriter::new(file);
                    let s = rt
                        .block_on(store.export(&mut w, &filter))
                        .map_err(store_error)?;
                    w.flush().map_err(crate::output::io_error)?;
                    drop(w);
                    std::fs::rename(&tmp, path).map_err(|e| {
                        miette::miette!(code = "medsec::io", "{}: {e}", path.display())
                    })?;
                    s
                }
                None => {
                    let stdout = std::io::stdout();
                    let mut w = std::io::BufWriter::new(stdout.lock());
                    let s = rt
                        .block_on(store.export(&mut w, &filter))
                        .map_err(store_error)?;
                    w.flush().map_err(crate::output::io_error)?;
                    s
                }
            };
            if !quiet {
                eprintln!(
                    "exported {} advisories, {} KEV entries, {} EPSS scores",
                    summary.advisories, summary.kev_entries, summary.epss_scores
                );
            }
            exit::OK
        }
    };
    rt.block_on(store.close());
    Ok(code)
}

fn show_import(s: &ImportSummary, format: Format) -> miette::Result<()> {
    if format == Format::Json {
        return print_json(s);
    }
    let mut rows = Rows::new(["", "count"]);
    let r = &s.records;
    for (label, n) in [
        ("inputs", s.inputs.len() as u64),
        ("documents", s.documents),
        ("records read", r.read),
        ("new", r.new),
        ("replaced by a newer version", r.replaced),
        ("unchanged", r.unchanged),
        ("older than stored, ignored", r.older),
        ("skipped (not advisories)", s.skipped.len() as u64),
        ("reader warnings", s.warnings),
        ("records regrouped", s.regrouped),
    ] {
        rows.push([label.to_string(), n.to_string()]);
    }
    for (what, outcomes) in [("KEV catalog", &s.kev), ("EPSS scores", &s.epss)] {
        for o in outcomes {
            let text = match o {
                SnapshotOutcome::Imported { entries } => format!("imported ({entries} entries)"),
                SnapshotOutcome::Unchanged => "unchanged".into(),
                SnapshotOutcome::Older => "older than stored, ignored".into(),
                _ => "other".into(),
            };
            rows.push([what.to_string(), text]);
        }
    }
    let text = format!(
        "{}\nbatch {}: {} in {:.1} s\n",
        if format == Format::Markdown {
            rows.to_markdown()
        } else {
            rows.to_table()
        },
        s.batch_id,
        if s.changed {
            "committed"
        } else {
            "nothing changed"
        },
        s.seconds
    );
    print(&text).map_err(crate::output::io_error)?;
    for sk in s.skipped.iter().take(20) {
        eprintln!("skipped {}: {}", sk.origin, sk.reason);
    }
    if s.skipped.len() > 20 {
        eprintln!(
            "… and {} more skipped (see --format json)",
            s.skipped.len() - 20
        );
    }
    Ok(())
}

fn show_stats(s: &Stats, format: Format) -> miette::Result<()> {
    if format == Format::Json {
        return print_json(s);
    }
    let mut rows = Rows::new(["", "value"]);
    rows.push(["backend".to_string(), s.backend.clone()]);
    for c in &s.records {
        rows.push([
            format!("records: {} ({})", c.source, c.format),
            c.records.to_string(),
        ]);
    }
    for (label, n) in [
        ("records", s.total_records),
        ("vulnerabilities (aliases merged)", s.vulnerabilities),
        ("ids", s.aliases),
        ("index keys", s.index_keys),
        ("index entries", s.index_entries),
        ("scores", s.scores),
        ("import batches", s.batches),
        ("size (bytes)", s.size_bytes),
    ] {
        rows.push([label.to_string(), n.to_string()]);
    }
    match &s.kev {
        Some(k) => rows.push([
            "CISA KEV".to_string(),
            format!(
                "{} entries, catalog {} of {}",
                k.entries, k.catalog_version, k.date_released
            ),
        ]),
        None => rows.push(["CISA KEV".to_string(), "not imported".to_string()]),
    }
    match &s.epss {
        Some(e) => rows.push([
            "EPSS".to_string(),
            format!(
                "{} scores, {} {}",
                e.scores,
                e.score_date.as_deref().unwrap_or("no date"),
                e.model_version.as_deref().unwrap_or("")
            ),
        ]),
        None => rows.push(["EPSS".to_string(), "not imported".to_string()]),
    }
    if let Some(b) = &s.last_batch {
        rows.push([
            "last import".to_string(),
            format!(
                "batch {} finished {} ({})",
                b.id,
                b.finished.as_deref().unwrap_or("?"),
                b.outcome
            ),
        ]);
    }
    let text = if format == Format::Markdown {
        rows.to_markdown()
    } else {
        rows.to_table()
    };
    print(&text).map_err(crate::output::io_error)
}

/// Progress of a sync on a spinner.
struct SyncProgress {
    bar: indicatif::ProgressBar,
}

impl SyncObserver for SyncProgress {
    fn request(&mut self, url: &str, attempt: u32) {
        let short: String = url.chars().take(90).collect();
        if attempt > 1 {
            self.bar.set_message(format!("{short} (attempt {attempt})"));
        } else {
            self.bar.set_message(short);
        }
    }
    fn retry(&mut self, url: &str, problem: &str, wait: Duration) {
        self.bar
            .suspend(|| eprintln!("{url}: {problem}; retrying in {:.1} s", wait.as_secs_f64()));
    }
    fn progress(&mut self, source: &str, done: u64, total: u64) {
        self.bar.set_length(total);
        self.bar.set_position(done);
        self.bar.set_prefix(source.to_string());
    }
}

#[derive(Serialize)]
struct SyncReport {
    files: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    nvd_records: Option<u64>,
    notes: Vec<String>,
    import: ImportSummary,
}

fn sync(
    rt: &tokio::runtime::Runtime,
    store: &medsec_store::Store,
    store_args: &StoreArgs,
    a: SyncArgs,
    quiet: bool,
) -> miette::Result<u8> {
    // The sync state lives beside a SQLite store, or in MEDSEC_HOME for PostgreSQL;
    // one state per store URL.
    let url = store_args.url();
    let state_dir = super::store::home().join("sync");
    let state_path = state_dir.join(format!("{}.json", url_tag(&url)));
    let state = SyncState::load(&state_path).map_err(sync_error)?;
    let pause = a.pause.map(Duration::from_secs_f64);
    let mut plan = SyncPlan::default();
    if !a.no_nvd {
        let mut req = NvdRequest::new(jiff::Timestamp::now());
        req.base_url = a.nvd_url.clone();
        req.api_key = a.nvd_api_key.clone();
        req.modified_since = a.nvd_since;
        req.pause = pause;
        plan.nvd = Some(req);
    }
    if !a.osv.is_empty() {
        plan.osv = Some((a.osv_url.clone(), a.osv.clone()));
    }
    if !a.no_kev {
        plan.kev = Some(a.kev_url.clone());
    }
    if !a.no_epss {
        plan.epss = Some(a.epss_url.clone());
    }
    for provider in &a.csaf {
        plan.csaf.push(CsafRequest {
            provider: provider.clone(),
            since: Default::default(),
            pause: pause.unwrap_or(Duration::from_millis(200)),
        });
    }
    let fetcher = Fetcher::new(FetchPolicy {
        retries: a.retries,
        backoff: Duration::from_secs_f64(a.backoff.max(0.0)),
        ..FetchPolicy::default()
    });
    let mut observer = SyncProgress { bar: bar(quiet) };
    let fetched = medsec_sync::fetch_all(
        &fetcher,
        &plan,
        &state_dir.join("staging"),
        &state,
        &mut observer,
    );
    observer.bar.finish_and_clear();
    let fetched = match fetched {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{:?}", sync_error(e));
            eprintln!("nothing was imported; the store is unchanged");
            return Ok(exit::BAD_INPUT);
        }
    };
    let progress = ImportProgress::new(quiet);
    let imported = rt.block_on(store.import(&fetched.files, &ImportOptions::default(), &progress));
    progress.finish();
    let summary = match imported {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{:?}", store_error(e));
            let _ = fetched.discard();
            return Ok(exit::BAD_INPUT);
        }
    };
    // Only now that the batch is committed does the next sync start from here.
    fetched.next_state.save(&state_path).map_err(sync_error)?;
    let report = SyncReport {
        files: fetched.files.len(),
        nvd_records: fetched.nvd.as_ref().map(|n| n.records),
        notes: fetched.notes.clone(),
        import: summary,
    };
    fetched.discard().map_err(sync_error)?;
    if a.format == Format::Json {
        print_json(&report)?;
    } else {
        for n in &report.notes {
            eprintln!("note: {n}");
        }
        show_import(&report.import, a.format)?;
    }
    Ok(exit::OK)
}

fn sync_error(e: medsec_sync::SyncError) -> miette::Report {
    miette::miette!(code = "medsec::sync", "{e}")
}

/// A file-name-safe tag of a store URL (a short hash), so two stores keep two states.
fn url_tag(url: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(url.as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}
