//! What the store commands share: where the store is, the async runtime, progress bars
//! and how store errors are shown.

use std::path::PathBuf;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use medsec_store::{ImportObserver, ImportPhase, RecordCounts, Store, StoreError};

/// Where the vulnerability store is.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArgs {
    /// The vulnerability store: a SQLite file (path or sqlite://PATH; created when
    /// missing) or postgres://USER@HOST:PORT/DB. Default: $MEDSEC_HOME/store.db, with
    /// MEDSEC_HOME defaulting to ~/.local/share/medsec.
    #[arg(long, env = "MEDSEC_DATABASE_URL", value_name = "URL", global = true)]
    pub database_url: Option<String>,
}

/// medsec's data folder: `$MEDSEC_HOME`, else `$XDG_DATA_HOME/medsec`, else
/// `~/.local/share/medsec`.
pub fn home() -> PathBuf {
    if let Some(h) = std::env::var_os("MEDSEC_HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(h);
    }
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(x).join("medsec");
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".local/share/medsec")
}

impl StoreArgs {
    pub fn url(&self) -> String {
        match &self.database_url {
            Some(u) => u.clone(),
            None => home().join("store.db").display().to_string(),
        }
    }

    /// Opens the store (creating the SQLite file and its folder when missing).
    pub fn open(&self, rt: &tokio::runtime::Runtime) -> miette::Result<Store> {
        let url = self.url();
        if !url.starts_with("postgres") {
            let path = PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(&url));
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| {
                    miette::miette!(
                        code = "medsec::store",
                        "cannot create the store's folder {}: {e}",
                        parent.display()
                    )
                })?;
            }
        }
        let store = rt.block_on(Store::open(&url)).map_err(store_error)?;
        Ok(store.acting_as(cli_actor(), audit_reason()))
    }
}

/// Who the audit trail names for changes made with the command line: the operating
/// system's user (`cli:USER`). The tool cannot authenticate it; the system's login did.
pub fn cli_actor() -> String {
    let user = ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.trim().is_empty()));
    format!("cli:{}", user.as_deref().unwrap_or("unknown-user").trim())
}

/// The reason recorded with changes, from `MEDSEC_AUDIT_REASON` (optional).
pub fn audit_reason() -> Option<String> {
    std::env::var("MEDSEC_AUDIT_REASON")
        .ok()
        .map(|r| r.trim().chars().take(1000).collect::<String>())
        .filter(|r| !r.is_empty())
}

pub fn runtime() -> miette::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| miette::miette!("cannot start the async runtime: {e}"))
}

/// A store error as a diagnostic. Problems in the inputs (a malformed feed, a bomb)
/// name the file and member; the caller exits 2 for them.
pub fn store_error(e: StoreError) -> miette::Report {
    let help = match &e {
        StoreError::Limit { .. } => Some(
            "the input decompresses to more than medsec accepts; nothing of this import was stored",
        ),
        StoreError::Read { .. }
        | StoreError::NotAnAdvisory { .. }
        | StoreError::Archive { .. }
        | StoreError::Epss { .. }
        | StoreError::Kev { .. } => {
            Some("the whole import was rolled back: the store is as it was before")
        }
        _ => None,
    };
    // An invalid advisory's message counts its errors; name each with its place.
    let mut text = e.to_string();
    if let StoreError::Read { source, .. } = &e {
        for p in source
            .problems()
            .iter()
            .filter(|p| p.level == medsec_formats::advisory::Level::Error)
            .take(20)
        {
            text.push_str("\n  ");
            if let (Some(l), Some(c)) = (p.line, p.column) {
                text.push_str(&format!("{l}:{c} "));
            }
            if !p.pointer.is_empty() {
                text.push_str(&format!("({}) ", p.pointer));
            }
            text.push_str(&p.message);
        }
    }
    match help {
        Some(h) => miette::miette!(code = "medsec::store", help = h, "{text}"),
        None => miette::miette!(code = "medsec::store", "{text}"),
    }
}

/// A progress bar on stderr when it is a terminal (hidden otherwise and with --quiet).
pub fn bar(quiet: bool) -> ProgressBar {
    let target = if quiet {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(None, target);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Renders an import's progress: bytes of the inputs consumed, records written.
pub struct ImportProgress {
    bar: ProgressBar,
}

impl ImportProgress {
    pub fn new(quiet: bool) -> Self {
        ImportProgress { bar: bar(quiet) }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl ImportObserver for ImportProgress {
    fn planned(&self, inputs: usize, bytes: u64) {
        self.bar.set_length(bytes);
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} importing [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta} {msg}",
        ) {
            self.bar.set_style(style.progress_chars("=> "));
        }
        self.bar.set_message(format!("{inputs} input(s)"));
    }

    fn input(&self, path: &std::path::Path) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.bar.set_message(name);
    }

    fn progress(&self, bytes: u64) {
        self.bar.set_position(bytes);
    }

    fn records(&self, counts: &RecordCounts) {
        self.bar.set_message(format!(
            "{} read, {} new, {} replaced",
            counts.read, counts.new, counts.replaced
        ));
    }

    fn phase(&self, phase: ImportPhase) {
        match phase {
            ImportPhase::Grouping => self.bar.set_message("grouping aliases"),
            ImportPhase::Committing => self.bar.set_message("committing"),
            _ => {}
        }
    }
}
