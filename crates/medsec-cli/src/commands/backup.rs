//! `medsec db backup FILE` and `medsec db restore FILE`: a logical, checksummed backup of
//! the whole store (format in `medsec_store::backup`), portable between SQLite and
//! PostgreSQL.

use std::io::Write;
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;
use medsec_store::Store;
use medsec_store::backup::{BackupError, BackupObserver, Manifest};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::store::{bar, store_error};
use crate::exit;
use crate::output::{Format, Rows, print, print_json};

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The backup file to write (gzip-compressed JSON lines with a checksummed manifest).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Replace FILE when it exists.
    #[arg(long)]
    pub force: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// A backup written by `medsec db backup`.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Rows done, on a progress bar.
struct Progress {
    bar: ProgressBar,
}

impl BackupObserver for Progress {
    fn planned(&self, phase: &str, rows: u64) {
        self.bar.set_position(0);
        if rows > 0 {
            self.bar.set_length(rows);
        }
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} {prefix} [{bar:30}] {pos}/{len} rows {per_sec} eta {eta} {msg}",
        ) {
            self.bar.set_style(style.progress_chars("=> "));
        }
        self.bar.set_prefix(phase.to_owned());
    }

    fn table(&self, name: &str) {
        self.bar.set_message(name.to_owned());
    }

    fn rows(&self, done: u64) {
        self.bar.set_position(done);
    }
}

#[derive(Serialize)]
struct Outcome<'a> {
    file: &'a Path,
    /// SHA-256 of the file as written (compressed): keep it to check the copy later.
    file_sha256: Option<String>,
    manifest: &'a Manifest,
}

fn show(outcome: &Outcome<'_>, verb: &str, format: Format) -> miette::Result<()> {
    if format == Format::Json {
        return print_json(outcome);
    }
    let m = outcome.manifest;
    let mut rows = Rows::new(["table", "rows", "SHA-256"]);
    for t in &m.tables {
        rows.push([t.name.clone(), t.rows.to_string(), t.sha256.clone()]);
    }
    let mut text = if format == Format::Markdown {
        rows.to_markdown()
    } else {
        rows.to_table()
    };
    text.push_str(&format!(
        "\n{verb} {}: {} rows in {} tables; schema version {}, from {} (medsec {}, {})\ncontent SHA-256 {}\n",
        outcome.file.display(),
        m.total_rows(),
        m.tables.len(),
        m.schema_version,
        m.backend,
        m.medsec_version,
        m.created,
        m.sha256
    ));
    if let Some(s) = &outcome.file_sha256 {
        text.push_str(&format!("file SHA-256 {s}\n"));
    }
    print(&text).map_err(crate::output::io_error)
}

fn backup_error(e: BackupError) -> miette::Report {
    match e {
        BackupError::Store(e) => store_error(e),
        BackupError::NotEmpty { .. } => miette::miette!(
            code = "medsec::backup",
            help = "restore into a new, empty store (another --database-url or MEDSEC_HOME); nothing was changed",
            "{e}"
        ),
        other => miette::miette!(
            code = "medsec::backup",
            help = "nothing was restored: the store is as it was before",
            "{other}"
        ),
    }
}

fn io(path: &Path, e: std::io::Error) -> miette::Report {
    miette::miette!(code = "medsec::io", "{}: {e}", path.display())
}

/// SHA-256 of a file, read in pieces (a backup can be large).
fn file_sha256(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
    }
    Ok(hash.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

pub fn run_backup(
    rt: &tokio::runtime::Runtime,
    store: &Store,
    args: BackupArgs,
    quiet: bool,
) -> miette::Result<u8> {
    if args.file.exists() && !args.force {
        eprintln!(
            "{:?}",
            miette::miette!(
                code = "medsec::backup",
                help = "choose another name, or add --force to replace it",
                "{} exists",
                args.file.display()
            )
        );
        return Ok(exit::BAD_INPUT);
    }
    // Written beside the target and renamed at the end: a backup cut short never
    // carries the final name.
    let mut tmp_name = args.file.as_os_str().to_owned();
    tmp_name.push(".partial");
    let tmp = PathBuf::from(tmp_name);
    let file = std::fs::File::create(&tmp).map_err(|e| io(&tmp, e))?;
    let mut w = std::io::BufWriter::new(file);
    let progress = Progress { bar: bar(quiet) };
    let result = rt.block_on(store.backup(&mut w, &progress));
    progress.bar.finish_and_clear();
    let manifest = match result.and_then(|m| {
        w.flush()
            .and_then(|()| w.get_ref().sync_all())
            .map_err(|source| BackupError::Io {
                path: tmp.clone(),
                source,
            })?;
        Ok(m)
    }) {
        Ok(m) => m,
        Err(e) => {
            drop(w);
            let _ = std::fs::remove_file(&tmp);
            return Err(backup_error(e));
        }
    };
    drop(w);
    std::fs::rename(&tmp, &args.file).map_err(|e| io(&args.file, e))?;
    let digest = file_sha256(&args.file).map_err(|e| io(&args.file, e))?;
    show(
        &Outcome {
            file: &args.file,
            file_sha256: Some(digest),
            manifest: &manifest,
        },
        "backed up to",
        args.format,
    )?;
    Ok(exit::OK)
}

pub fn run_restore(
    rt: &tokio::runtime::Runtime,
    store: &Store,
    args: RestoreArgs,
    quiet: bool,
) -> miette::Result<u8> {
    let progress = Progress { bar: bar(quiet) };
    let result = rt.block_on(store.restore(&args.file, &progress));
    progress.bar.finish_and_clear();
    match result {
        Ok(manifest) => {
            show(
                &Outcome {
                    file: &args.file,
                    file_sha256: None,
                    manifest: &manifest,
                },
                "restored from",
                args.format,
            )?;
            Ok(exit::OK)
        }
        Err(BackupError::Store(e)) => Err(store_error(e)),
        Err(e) => {
            eprintln!("{:?}", backup_error(e));
            Ok(exit::BAD_INPUT)
        }
    }
}
