//! The vulnerability store (issue 6): advisories from NVD, CVE 5, OSV and CSAF with
//! merged aliases, a match index, scores, CISA KEV and FIRST EPSS, kept in SQLite or
//! PostgreSQL through sqlx.
//!
//! ```no_run
//! # async fn demo() -> Result<(), medsec_store::StoreError> {
//! use medsec_store::{ImportOptions, NoProgress, Store};
//! let store = Store::open("vulns.db").await?; // or postgres://user@host/db
//! let summary = store
//!     .import(&["feeds/".into()], &ImportOptions::default(), &NoProgress)
//!     .await?;
//! println!("{} new, {} unchanged", summary.records.new, summary.records.unchanged);
//! let found = store.candidates(&["cpe:a:apache:log4j".to_owned()]).await?;
//! # Ok(()) }
//! ```
//!
//! # Backends
//!
//! [`Store::open`] takes `postgres://…` (PostgreSQL) or `sqlite://PATH` / a plain path
//! (a SQLite file, created if missing). Both run the same statements (written once, in
//! `db.rs`, with `?` placeholders renumbered for PostgreSQL) against the same schema:
//! `migrations/sqlite/` and `migrations/postgres/` hold the same versions, embedded with
//! `sqlx::migrate!` ([`SQLITE_MIGRATIONS`], [`POSTGRES_MIGRATIONS`]) and applied on
//! open. Queries are runtime `sqlx::query`, so building needs no database. The scenario
//! tests run against both.
//!
//! # Schema
//!
//! | table | holds |
//! |---|---|
//! | `record` | one advisory record per (`source`, `record_key`): the record key is the advisory id (for CSAF `TRACKING-ID/id`, as two publishers may both describe CVE-X); the whole [`Advisory`](medsec_core::advisory::Advisory) as JSON in `body` (deflated, `encoding = json+deflate`: 2.4× smaller on NVD-shaped records, 2,127 → 888 bytes on average); `modified` (the source's modification time), `content_hash` (SHA-256 of the JSON without the provenance file name and pointer), `batch_id`, and `vuln`, the merged vulnerability |
//! | `alias` | every id of a record (its own and its aliases), uppercase, with its kind and `links` |
//! | `match_key` | (key, record): the match index, keys from `medsec_match::keys::index_keys` |
//! | `score` | every severity statement of a record: CVSS of every version (version, vector, stated and computed base score, severity, scorer role and name) and qualitative ratings |
//! | `cwe` | (record, CWE id) |
//! | `kev_catalog`, `kev` | the last CISA KEV catalog imported (one row) and its entries, fields as in the feed |
//! | `epss_snapshot`, `epss` | the last FIRST EPSS file imported (model version, score date) and its scores |
//! | `import_batch`, `import_file` | each committed import: start, end, outcome, counts; its inputs with SHA-256, size, records and skips |
//! | `account`, `membership`, `login_session`, `api_token`, `login_attempt` | local accounts (argon2id hashes), roles per organisation, sessions and API tokens kept by SHA-256 only, login attempts for the rate limit (issue 10, [`accounts`]) |
//! | `audit_log` | every change made through the server or the account commands, hash-chained, append-only ([`audit`]) |
//! | `test_result`, `test_result_evidence`, `evidence_blob` | recorded security test results per device version (issue 7, [`evidence`]): append-only, triggers refuse UPDATE and DELETE; evidence files stored once by SHA-256 |
//!
//! **Merged vulnerabilities.** Records sharing a *linking* id are one vulnerability,
//! transitively: NVD `CVE-X`, CVE 5 `CVE-X`, an OSV `GHSA-…` aliasing `CVE-X` and an
//! ICSMA CSAF entry naming `CVE-X` share `record.vuln`. Ids are compared uppercase.
//! Document ids do not link, because one document covers several vulnerabilities: a
//! CSAF tracking id and ICSMA/ICSA ids are stored with `links = 0` (they still find their
//! vulnerabilities through [`Store::vulnerabilities_named`]). A group is named by its
//! smallest CVE id, else GHSA, else OSV id, else other id. The grouping is recomputed
//! in memory over the whole alias table at the end of each batch that wrote records
//! (union-find; only changed rows are updated), so it never depends on arrival order.
//!
//! # Queries
//!
//! [`Store::candidates`] (records whose index keys intersect a component's keys; one
//! `IN (…)` query per 500 keys), [`Store::candidate_ids`] and [`Store::key_hits`] (the
//! same without loading records), [`Store::advisories`] (records by id),
//! [`Store::vulnerability`] and [`Store::vulnerabilities_named`] (the merged view:
//! records, ids, scores, CWEs, KEV, EPSS), [`Store::kev`], [`Store::epss`],
//! [`Store::stats`], [`Store::export`] (JSON lines, deterministic; importing an export
//! into an empty store and exporting again gives the same bytes), and streaming
//! iteration ([`Store::for_each_key`], [`Store::all_keys`],
//! [`Store::for_each_advisory`]) for callers that build an in-memory index.
//!
//! # Import
//!
//! [`Store::import`] walks files and directories (sorted by name; hidden entries
//! skipped), reads `.json`, `.yaml`/`.yml` (OSV), `.csv` (EPSS), `.jsonl` (a store
//! export), `.gz` single files and `.zip`, `.tar`, `.tar.gz`/`.tgz` archives (members in
//! archive order, `.gz` members decompressed, nested archives skipped). The format is
//! detected from the content: EPSS by its first line, a store export by its header,
//! the KEV catalog by `catalogVersion`, advisories by `medsec_formats::advisory::read`.
//! In directories and archives, a document that is not an advisory is reported in
//! [`ImportSummary::skipped`] and passed over; a named file that is not one, and any
//! advisory document that is malformed, fails the import with the file and member
//! named.
//!
//! A reader thread decompresses, parses and prepares rows (JSON body, hash, ids, keys,
//! scores) while the writer inserts them in multi-row statements; a bounded channel
//! of chunks keeps the reader at most a few thousand records ahead.
//!
//! **Versions of a record.** The same content is *unchanged*; otherwise, when both the
//! stored and the incoming record have `modified`, a later one replaces the stored one
//! (its index rows, aliases, scores and CWEs rewritten) and an older or equally dated
//! one is ignored (counted as `older`); when either lacks `modified`, a different
//! content replaces. Within one batch records are decided in input order, as if
//! imported one at a time. KEV catalogs (by `dateReleased`) and EPSS files (by
//! `score_date`) follow the same rule as whole snapshots.
//!
//! # Transactions
//!
//! One import is one transaction: the whole batch commits, or nothing of it is stored
//! (an error rolls back; a process killed mid-import leaves an uncommitted transaction
//! that SQLite's WAL and PostgreSQL discard). SQLite opens it with `BEGIN IMMEDIATE`
//! (the write lock is taken at once); PostgreSQL takes a transaction-scoped advisory
//! lock, so concurrent imports wait for each other. Readers keep reading the previous
//! state meanwhile.
//!
//! # Durability
//!
//! SQLite runs in WAL mode with `synchronous=NORMAL`: the file stays consistent after a
//! process crash (a committed batch is never lost then), but a *power* loss may lose the
//! last committed batches. That fits this store: its content is re-derivable from the
//! public feeds by importing again (see `shared/research/scale-and-peers.md`,
//! "Durability": regulated records such as triage and audit evidence deserve `FULL`;
//! re-derivable imports can use `NORMAL`). Foreign keys are on, and a busy timeout of
//! 30 s lets a reader wait out a commit.
//!
//! # Performance
//!
//! `MEDSEC_BENCH_NVD_DIR=DIR cargo bench -p medsec-store --bench import` (DIR filled by
//! `medsec-synth` when empty) on a 2-core machine: 400,000 NVD CVEs with 1,500,000
//! cpeMatch entries (200 pages, 935 MB) import in 30 s into SQLite (peak RSS 447 MiB,
//! store 707 MB) and in 33 s into PostgreSQL 15; an unchanged re-import takes 17–19 s;
//! the candidates of a generated 1,000-component SBOM (1,534 keys, 1,470 records) load
//! in 80 ms from SQLite (ids alone: 6 ms). The reader thread (parse, serialise, hash,
//! deflate) is the bottleneck, the writer keeps up.
//!
//! # Limits
//!
//! [`Limits`] bound decompression per input: uncompressed bytes per member (256 MiB,
//! also the advisory reader's limit), per archive (64 GiB, skipped members included),
//! the ratio of uncompressed to compressed bytes (200, checked past the first MiB), and
//! members per archive (5,000,000). Decompression is streamed; at most one member is
//! held in memory. Going over a limit fails the import with
//! [`StoreError::Limit`] naming the input and the limit.

pub mod accounts;
pub mod audit;
pub mod backup;
mod db;
pub mod epss;
mod error;
pub mod evidence;
mod export;
mod group;
mod import;
mod input;
pub mod kev;
mod model;
mod portfolio;
mod prepare;
pub mod regulated;
mod store;

pub use epss::{EpssScore, EpssSnapshot};
pub use error::{LimitKind, Origin, Result, StoreError};
pub use evidence::{NewEvidence, NewTestResult};
pub use import::{ImportObserver, ImportOptions, ImportPhase, NoProgress};
pub use input::Limits;
pub use kev::{KevCatalog, KevEntry};
pub use model::{
    BatchInfo, EpssInfo, ExportFilter, ExportSummary, ImportSummary, InputSummary, KevInfo,
    RecordCounts, Skipped, SnapshotOutcome, SourceCount, Stats, StoreState, StoredAdvisory,
    StoredAlias, StoredScore, Vulnerability, VulnerabilityFacts,
};
pub use portfolio::{
    DocumentInfo, Expect, FindingChange, MonitorRun, ObservedFinding, StoredFinding, VersionFacts,
    VersionInfo, VersionRef,
};
pub use store::{Backend, Store};

/// The embedded migrations of the SQLite backend.
pub static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
/// The embedded migrations of the PostgreSQL backend.
pub static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The match index keys of an advisory: `medsec_match::keys::index_keys`, the same
/// function the scan uses to make a component's lookup keys agree with the index.
pub fn index_keys(advisory: &medsec_core::advisory::Advisory) -> Vec<String> {
    medsec_match::keys::index_keys(advisory)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both backends must have the same schema history: same versions, same
    /// descriptions, in the same order.
    #[test]
    fn migration_folders_match() {
        let list = |m: &sqlx::migrate::Migrator| -> Vec<(i64, String)> {
            m.iter()
                .map(|m| (m.version, m.description.to_string()))
                .collect()
        };
        let sqlite = list(&SQLITE_MIGRATIONS);
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, list(&POSTGRES_MIGRATIONS));
    }
}
