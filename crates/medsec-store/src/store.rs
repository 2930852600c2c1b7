//! [`Store`]: opening, importing, querying and exporting.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use medsec_core::advisory::Advisory;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::db::{Arg, Conn, Pool, Row, in_list};
use crate::epss::EpssScore;
use crate::error::{Result, StoreError};
use crate::import::{self, ImportObserver, ImportOptions};
use crate::kev::KevEntry;
use crate::model::{
    BatchInfo, EpssInfo, ExportFilter, ExportSummary, ImportSummary, KevInfo, RecordCounts,
    SourceCount, Stats, StoreState, StoredAdvisory, StoredAlias, StoredScore, Vulnerability,
    VulnerabilityFacts,
};
use crate::prepare::decode_body;
use crate::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS, export};

/// Which database a store lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The vulnerability store. Cheap to clone (a pool handle).
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: Pool,
    /// Who the changes to regulated records made through this handle are attributed to
    /// ([`Store::acting_as`]).
    pub(crate) attribution: Option<std::sync::Arc<crate::regulated::Attribution>>,
}

/// Keys looked up per `IN (…)` list.
const KEYS_PER_QUERY: usize = 500;

/// Columns of a record as [`StoredAdvisory`] needs them, in this order.
const RECORD_COLUMNS: &str =
    "r.id, r.source, r.record_key, r.vuln, r.modified, r.batch_id, r.encoding, r.body";

fn stored(row: &Row) -> Result<StoredAdvisory> {
    let record_key = row.text(2)?;
    let body = decode_body(&row.text(6)?, row.blob(7)?, &record_key)?;
    let advisory: Advisory = serde_json::from_slice(&body).map_err(|e| StoreError::Corrupt {
        record: record_key.clone(),
        message: format!("body is not an advisory: {e}"),
    })?;
    Ok(StoredAdvisory {
        record_id: row.i64(0)?,
        source: row.text(1)?,
        record_key,
        vulnerability: row.text(3)?,
        modified: row.opt_text(4)?,
        batch_id: row.i64(5)?,
        advisory,
    })
}

fn kev_entry(row: &Row) -> Result<KevEntry> {
    let cve_id = row.text(0)?;
    let cwes = row.text(10)?;
    let cwes = serde_json::from_str(&cwes).map_err(|e| StoreError::Corrupt {
        record: format!("KEV {cve_id}"),
        message: format!("cwes: {e}"),
    })?;
    Ok(KevEntry {
        cve_id,
        vendor_project: row.text(1)?,
        product: row.text(2)?,
        vulnerability_name: row.text(3)?,
        date_added: row.text(4)?,
        short_description: row.text(5)?,
        required_action: row.text(6)?,
        due_date: row.text(7)?,
        known_ransomware_campaign_use: row.opt_text(8)?,
        notes: row.opt_text(9)?,
        cwes,
    })
}

const KEV_COLUMNS: &str = "cve_id, vendor_project, product, vulnerability_name, date_added, short_description, required_action, due_date, known_ransomware, notes, cwes";

fn u(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl Store {
    /// Opens (and creates, or migrates to the current schema) the store at `url`:
    /// `postgres://…`/`postgresql://…` for PostgreSQL, `sqlite://PATH` or a plain path
    /// for a SQLite file (created if missing).
    pub async fn open(url: &str) -> Result<Store> {
        let open_err = |source| StoreError::Open {
            url: url.to_owned(),
            source,
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url).map_err(open_err)?;
            let pool = PgPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(60))
                .connect_with(options)
                .await
                .map_err(open_err)?;
            POSTGRES_MIGRATIONS.run(&pool).await?;
            return Ok(Store {
                pool: Pool::Postgres(pool),
                attribution: None,
            });
        }
        let options = if url.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url).map_err(open_err)?
        } else {
            SqliteConnectOptions::new().filename(url)
        };
        // See the crate documentation, "Durability", for WAL + synchronous=NORMAL.
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            // 16 MiB of page cache per connection (4 connections): reads lean on the
            // operating system's file cache; a bigger per-process cache shows up in the
            // scanning process's memory (the 2 GiB budget of issue 6).
            .pragma("cache_size", "-16384")
            .pragma("temp_store", "memory")
            .statement_cache_capacity(512);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options)
            .await
            .map_err(open_err)?;
        SQLITE_MIGRATIONS.run(&pool).await?;
        Ok(Store {
            pool: Pool::Sqlite(pool),
            attribution: None,
        })
    }

    pub fn backend(&self) -> Backend {
        match &self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Closes the pool, waiting for connections to finish (SQLite then checkpoints).
    pub async fn close(self) {
        match self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }

    /// Runs `f` on one pooled connection.
    pub(crate) async fn with_conn<T>(
        &self,
        f: impl AsyncFnOnce(&mut Conn<'_>) -> Result<T>,
    ) -> Result<T> {
        match &self.pool {
            Pool::Sqlite(p) => {
                let mut c = p.acquire().await?;
                f(&mut Conn::Sqlite(&mut c)).await
            }
            Pool::Postgres(p) => {
                let mut c = p.acquire().await?;
                f(&mut Conn::Postgres(&mut c)).await
            }
        }
    }

    /// Imports files, directories and archives as one batch, in one transaction: on any
    /// error nothing of the batch is stored. See the crate documentation.
    pub async fn import(
        &self,
        sources: &[PathBuf],
        options: &ImportOptions,
        observer: &dyn ImportObserver,
    ) -> Result<ImportSummary> {
        self.import_with_keys(sources, options, observer, crate::index_keys)
            .await
    }

    pub(crate) async fn import_with_keys(
        &self,
        sources: &[PathBuf],
        options: &ImportOptions,
        observer: &dyn ImportObserver,
        keys: fn(&Advisory) -> Vec<String>,
    ) -> Result<ImportSummary> {
        match &self.pool {
            Pool::Sqlite(p) => {
                // IMMEDIATE: take the write lock now, so the ids chosen at the start stay free.
                let mut tx = p.begin_with("BEGIN IMMEDIATE").await?;
                // A larger page cache for this connection while it writes the batch.
                sqlx::query("PRAGMA cache_size = -131072")
                    .execute(&mut *tx)
                    .await?;
                let result =
                    import::run(&mut Conn::Sqlite(&mut tx), sources, options, observer, keys).await;
                match result {
                    Ok(summary) => {
                        tx.commit().await?;
                        let mut c = p.acquire().await?;
                        sqlx::query("PRAGMA cache_size = -16384")
                            .execute(&mut *c)
                            .await?;
                        Ok(summary)
                    }
                    Err(e) => {
                        tx.rollback().await?;
                        Err(e)
                    }
                }
            }
            Pool::Postgres(p) => {
                let mut tx = p.begin().await?;
                // One import at a time: the ids chosen at the start must stay free.
                sqlx::query("SELECT pg_advisory_xact_lock(7306)")
                    .execute(&mut *tx)
                    .await?;
                let result = import::run(
                    &mut Conn::Postgres(&mut tx),
                    sources,
                    options,
                    observer,
                    keys,
                )
                .await;
                match result {
                    Ok(summary) => {
                        tx.commit().await?;
                        Ok(summary)
                    }
                    Err(e) => {
                        tx.rollback().await?;
                        Err(e)
                    }
                }
            }
        }
    }

    /// The records whose match index keys intersect `keys`, each once, ordered by
    /// record id.
    pub async fn candidates(&self, keys: &[String]) -> Result<Vec<StoredAdvisory>> {
        self.with_conn(async |conn| {
            let ids = ids_for_keys(conn, keys).await?;
            let ids: Vec<i64> = ids.into_iter().collect();
            records_by_id(conn, &ids).await
        })
        .await
    }

    /// The ids of the records whose match index keys intersect `keys`, each once,
    /// ordered: cheaper than [`Store::candidates`] when the caller loads records itself
    /// ([`Store::advisories`]) or shares them between components.
    pub async fn candidate_ids(&self, keys: &[String]) -> Result<Vec<i64>> {
        self.with_conn(async |conn| Ok(ids_for_keys(conn, keys).await?.into_iter().collect()))
            .await
    }

    /// For each key, the ids of the records indexed under it (keys without records
    /// left out): what a scan needs to tell which component found which record.
    pub async fn key_hits(&self, keys: &[String]) -> Result<BTreeMap<String, Vec<i64>>> {
        let mut unique: Vec<&str> = keys.iter().map(String::as_str).collect();
        unique.sort_unstable();
        unique.dedup();
        self.with_conn(async |conn| {
            let mut out: BTreeMap<String, Vec<i64>> = BTreeMap::new();
            for part in unique.chunks(KEYS_PER_QUERY) {
                let sql = format!(
                    "SELECT key, record_id FROM match_key WHERE key IN {} ORDER BY key, record_id",
                    in_list(part.len())
                );
                let args: Vec<Arg<'_>> = part.iter().map(|k| Arg::Text(k)).collect();
                for row in conn.fetch_all(&sql, &args).await? {
                    out.entry(row.text(0)?).or_default().push(row.i64(1)?);
                }
            }
            Ok(out)
        })
        .await
    }

    /// The records with these ids (as [`StoredAdvisory::record_id`] and
    /// [`Store::for_each_key`] give them), ordered by id; unknown ids are left out.
    pub async fn advisories(&self, record_ids: &[i64]) -> Result<Vec<StoredAdvisory>> {
        let mut ids = record_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        self.with_conn(async |conn| records_by_id(conn, &ids).await)
            .await
    }

    /// The merged vulnerability named by `id` (any of its ids, case-insensitive). An
    /// advisory document's id (ICSMA-…), which may cover several vulnerabilities, gives
    /// the first of them; [`Store::vulnerabilities_named`] gives all.
    pub async fn vulnerability(&self, id: &str) -> Result<Option<Vulnerability>> {
        Ok(self.vulnerabilities_named(id).await?.into_iter().next())
    }

    /// Every merged vulnerability that `id` names: one for a vulnerability id, several
    /// for an advisory document's id. Ordered by name.
    pub async fn vulnerabilities_named(&self, id: &str) -> Result<Vec<Vulnerability>> {
        let id = id.trim().to_ascii_uppercase();
        self.with_conn(async |conn| {
            let rows = conn
                .fetch_all(
                    "SELECT DISTINCT r.vuln FROM alias a JOIN record r ON r.id = a.record_id WHERE a.alias = ? ORDER BY r.vuln",
                    &[Arg::Text(&id)],
                )
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                out.push(merged(conn, &row.text(0)?).await?);
            }
            Ok(out)
        })
        .await
    }

    /// A cheap view of what the store holds (for a scan's header): backend, record
    /// count and when the last import batch finished. `stats` counts much more.
    pub async fn state(&self) -> Result<StoreState> {
        let backend = self.backend();
        self.with_conn(async |conn| {
            let records = u(conn.scalar_i64("SELECT COUNT(*) FROM record", &[]).await?);
            let last_import = match conn
                .fetch_optional(
                    "SELECT finished FROM import_batch ORDER BY id DESC LIMIT 1",
                    &[],
                )
                .await?
            {
                Some(r) => r.opt_text(0)?,
                None => None,
            };
            Ok(StoreState {
                backend: backend.as_str().to_owned(),
                records,
                last_import,
            })
        })
        .await
    }

    /// The records an import batch wrote (new or replacing an older version), ordered
    /// by id: what changed, for an incremental re-match after an update.
    pub async fn records_in_batch(&self, batch_id: i64) -> Result<Vec<StoredAdvisory>> {
        self.with_conn(async |conn| {
            let sql =
                format!("SELECT {RECORD_COLUMNS} FROM record r WHERE r.batch_id = ? ORDER BY r.id");
            let mut out = Vec::new();
            for row in conn.fetch_all(&sql, &[Arg::I64(batch_id)]).await? {
                out.push(stored(&row)?);
            }
            Ok(out)
        })
        .await
    }

    /// What a scan needs to know of many merged vulnerabilities at once, by group name
    /// ([`StoredAdvisory::vulnerability`]): their ids, scores, CWEs, KEV entries and EPSS
    /// scores, without loading the records' bodies. Unknown names are left out.
    pub async fn vulnerability_facts(
        &self,
        names: &[String],
    ) -> Result<BTreeMap<String, VulnerabilityFacts>> {
        let mut unique: Vec<&str> = names.iter().map(String::as_str).collect();
        unique.sort_unstable();
        unique.dedup();
        self.with_conn(async |conn| {
            let mut out: BTreeMap<String, VulnerabilityFacts> = BTreeMap::new();
            for part in unique.chunks(KEYS_PER_QUERY) {
                let args: Vec<Arg<'_>> = part.iter().map(|k| Arg::Text(k)).collect();
                let list = in_list(part.len());
                let sql = format!(
                    "SELECT r.vuln, a.alias, a.kind, a.links FROM alias a JOIN record r ON r.id = a.record_id WHERE r.vuln IN {list}"
                );
                let mut aliases: BTreeMap<String, BTreeMap<String, StoredAlias>> = BTreeMap::new();
                for row in conn.fetch_all(&sql, &args).await? {
                    let a = StoredAlias {
                        id: row.text(1)?,
                        kind: row.text(2)?,
                        links: row.i64(3)? != 0,
                    };
                    let group = aliases.entry(row.text(0)?).or_default();
                    match group.get_mut(&a.id) {
                        Some(e) => e.links |= a.links,
                        None => {
                            group.insert(a.id.clone(), a);
                        }
                    }
                }
                for (vuln, group) in aliases {
                    out.entry(vuln.clone())
                        .or_insert_with(|| VulnerabilityFacts::named(vuln))
                        .aliases = group.into_values().collect();
                }
                let sql = format!(
                    "SELECT r.vuln, r.source, r.record_key, s.kind, s.version, s.vector, s.base_score, s.computed_score, s.severity, s.scheme, s.scorer_role, s.scorer_name FROM score s JOIN record r ON r.id = s.record_id WHERE r.vuln IN {list} ORDER BY r.vuln, r.source, r.record_key, s.seq"
                );
                for row in conn.fetch_all(&sql, &args).await? {
                    let vuln = row.text(0)?;
                    out.entry(vuln.clone())
                        .or_insert_with(|| VulnerabilityFacts::named(vuln))
                        .scores
                        .push(StoredScore {
                            source: row.text(1)?,
                            record_key: row.text(2)?,
                            kind: row.text(3)?,
                            version: row.opt_text(4)?,
                            vector: row.opt_text(5)?,
                            base_score: row.opt_f64(6)?,
                            computed_score: row.opt_f64(7)?,
                            severity: row.opt_text(8)?,
                            scheme: row.opt_text(9)?,
                            scorer_role: row.text(10)?,
                            scorer_name: row.opt_text(11)?,
                        });
                }
                let sql = format!(
                    "SELECT DISTINCT r.vuln, c.cwe FROM cwe c JOIN record r ON r.id = c.record_id WHERE r.vuln IN {list} ORDER BY r.vuln, c.cwe"
                );
                for row in conn.fetch_all(&sql, &args).await? {
                    let vuln = row.text(0)?;
                    out.entry(vuln.clone())
                        .or_insert_with(|| VulnerabilityFacts::named(vuln))
                        .cwes
                        .push(row.text(1)?);
                }
            }
            // KEV and EPSS by the groups' CVE ids.
            let mut cve_group: BTreeMap<String, String> = BTreeMap::new();
            for (vuln, f) in &out {
                for a in f.aliases.iter().filter(|a| a.kind == "cve") {
                    cve_group.insert(a.id.clone(), vuln.clone());
                }
            }
            let cves: Vec<&str> = cve_group.keys().map(String::as_str).collect();
            for part in cves.chunks(KEYS_PER_QUERY) {
                let args: Vec<Arg<'_>> = part.iter().map(|c| Arg::Text(c)).collect();
                let list = in_list(part.len());
                let sql = format!("SELECT {KEV_COLUMNS} FROM kev WHERE cve_id IN {list} ORDER BY cve_id");
                for row in conn.fetch_all(&sql, &args).await? {
                    let entry = kev_entry(&row)?;
                    if let Some(f) = cve_group.get(&entry.cve_id).and_then(|g| out.get_mut(g)) {
                        f.kev.push(entry);
                    }
                }
                let sql = format!("SELECT cve, epss, percentile FROM epss WHERE cve IN {list} ORDER BY cve");
                for row in conn.fetch_all(&sql, &args).await? {
                    let score = EpssScore {
                        cve: row.text(0)?,
                        epss: row.f64(1)?,
                        percentile: row.f64(2)?,
                    };
                    if let Some(f) = cve_group.get(&score.cve).and_then(|g| out.get_mut(g)) {
                        f.epss.push(score);
                    }
                }
            }
            Ok(out)
        })
        .await
    }

    /// The KEV entry of a CVE.
    pub async fn kev(&self, cve: &str) -> Result<Option<KevEntry>> {
        let cve = cve.trim().to_ascii_uppercase();
        self.with_conn(async |conn| {
            let sql = format!("SELECT {KEV_COLUMNS} FROM kev WHERE cve_id = ?");
            match conn.fetch_optional(&sql, &[Arg::Text(&cve)]).await? {
                Some(row) => Ok(Some(kev_entry(&row)?)),
                None => Ok(None),
            }
        })
        .await
    }

    /// The EPSS score of a CVE.
    pub async fn epss(&self, cve: &str) -> Result<Option<EpssScore>> {
        let cve = cve.trim().to_ascii_uppercase();
        self.with_conn(async |conn| {
            match conn
                .fetch_optional(
                    "SELECT cve, epss, percentile FROM epss WHERE cve = ?",
                    &[Arg::Text(&cve)],
                )
                .await?
            {
                Some(row) => Ok(Some(EpssScore {
                    cve: row.text(0)?,
                    epss: row.f64(1)?,
                    percentile: row.f64(2)?,
                })),
                None => Ok(None),
            }
        })
        .await
    }

    pub async fn stats(&self) -> Result<Stats> {
        let backend = self.backend();
        self.with_conn(async |conn| {
            let mut records = Vec::new();
            let mut total_records = 0;
            for row in conn
                .fetch_all(
                    "SELECT source, format, COUNT(*) FROM record GROUP BY source, format ORDER BY source, format",
                    &[],
                )
                .await?
            {
                let n = u(row.i64(2)?);
                total_records += n;
                records.push(SourceCount {
                    source: row.text(0)?,
                    format: row.text(1)?,
                    records: n,
                });
            }
            let count = async |conn: &mut Conn<'_>, sql: &str| -> Result<u64> {
                Ok(u(conn.scalar_i64(sql, &[]).await?))
            };
            let vulnerabilities = count(conn, "SELECT COUNT(DISTINCT vuln) FROM record").await?;
            let aliases = count(conn, "SELECT COUNT(DISTINCT alias) FROM alias").await?;
            let index_keys = count(conn, "SELECT COUNT(DISTINCT key) FROM match_key").await?;
            let index_entries = count(conn, "SELECT COUNT(*) FROM match_key").await?;
            let scores = count(conn, "SELECT COUNT(*) FROM score").await?;
            let batches = count(conn, "SELECT COUNT(*) FROM import_batch").await?;
            let kev = match conn
                .fetch_optional(
                    "SELECT catalog_version, date_released, entries FROM kev_catalog WHERE id = 1",
                    &[],
                )
                .await?
            {
                Some(r) => Some(KevInfo {
                    catalog_version: r.text(0)?,
                    date_released: r.text(1)?,
                    entries: u(r.i64(2)?),
                }),
                None => None,
            };
            let epss = match conn
                .fetch_optional(
                    "SELECT model_version, score_date, scores FROM epss_snapshot WHERE id = 1",
                    &[],
                )
                .await?
            {
                Some(r) => Some(EpssInfo {
                    model_version: r.opt_text(0)?,
                    score_date: r.opt_text(1)?,
                    scores: u(r.i64(2)?),
                }),
                None => None,
            };
            let last_batch = match conn
                .fetch_optional(
                    "SELECT id, started, finished, outcome, files, records_new, records_replaced, records_unchanged, records_older, skipped FROM import_batch ORDER BY id DESC LIMIT 1",
                    &[],
                )
                .await?
            {
                Some(r) => {
                    let (new, replaced, unchanged, older) =
                        (u(r.i64(5)?), u(r.i64(6)?), u(r.i64(7)?), u(r.i64(8)?));
                    Some(BatchInfo {
                        id: r.i64(0)?,
                        started: r.text(1)?,
                        finished: r.opt_text(2)?,
                        outcome: r.text(3)?,
                        files: u(r.i64(4)?),
                        records: RecordCounts {
                            read: new + replaced + unchanged + older,
                            new,
                            replaced,
                            unchanged,
                            older,
                        },
                        skipped: u(r.i64(9)?),
                    })
                }
                None => None,
            };
            let size_bytes = match backend {
                Backend::Sqlite => count(
                    conn,
                    "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
                )
                .await?,
                Backend::Postgres => {
                    count(conn, "SELECT pg_database_size(current_database())").await?
                }
            };
            Ok(Stats {
                backend: backend.as_str().to_owned(),
                records,
                total_records,
                vulnerabilities,
                aliases,
                index_keys,
                index_entries,
                scores,
                kev,
                epss,
                last_batch,
                batches,
                size_bytes,
            })
        })
        .await
    }

    /// Writes the store as JSON lines (see [`crate::export`]'s format): advisories
    /// ordered by record key and source, then the KEV catalog in catalog order, then
    /// the EPSS scores by CVE. Deterministic: the same content gives the same bytes.
    pub async fn export(
        &self,
        writer: &mut dyn Write,
        filter: &ExportFilter,
    ) -> Result<ExportSummary> {
        let mut summary = ExportSummary::default();
        writeln!(writer, "{}", export::HEADER).map_err(StoreError::Write)?;
        self.with_conn(async |conn| {
            if filter.advisories {
                let (sql, args): (String, Vec<Arg<'_>>) = if filter.sources.is_empty() {
                    (
                        "SELECT record_key, encoding, body FROM record ORDER BY record_key, source"
                            .into(),
                        Vec::new(),
                    )
                } else {
                    (
                        format!(
                            "SELECT record_key, encoding, body FROM record WHERE source IN {} ORDER BY record_key, source",
                            in_list(filter.sources.len())
                        ),
                        filter.sources.iter().map(|s| Arg::Text(s)).collect(),
                    )
                };
                conn.for_each(&sql, &args, |row| {
                    let key = row.text(0)?;
                    let body = decode_body(&row.text(1)?, row.blob(2)?, &key)?;
                    writer
                        .write_all(br#"{"kind":"advisory","advisory":"#)
                        .and_then(|()| writer.write_all(&body))
                        .and_then(|()| writer.write_all(b"}\n"))
                        .map_err(StoreError::Write)?;
                    summary.advisories += 1;
                    Ok(true)
                })
                .await?;
            }
            if filter.kev
                && let Some(row) = conn
                    .fetch_optional(
                        "SELECT title, catalog_version, date_released FROM kev_catalog WHERE id = 1",
                        &[],
                    )
                    .await?
            {
                let catalog = crate::kev::KevCatalog {
                    title: row.opt_text(0)?,
                    catalog_version: row.text(1)?,
                    date_released: row.text(2)?,
                    entries: Vec::new(),
                };
                line(writer, &serde_json::json!({"kind": "kev_catalog", "catalog": catalog}))?;
                let sql = format!("SELECT {KEV_COLUMNS} FROM kev ORDER BY seq");
                conn.for_each(&sql, &[], |row| {
                    let entry = kev_entry(&row)?;
                    line(writer, &serde_json::json!({"kind": "kev", "entry": entry}))?;
                    summary.kev_entries += 1;
                    Ok(true)
                })
                .await?;
            }
            if filter.epss
                && let Some(row) = conn
                    .fetch_optional(
                        "SELECT model_version, score_date FROM epss_snapshot WHERE id = 1",
                        &[],
                    )
                    .await?
            {
                let snapshot = crate::epss::EpssSnapshot {
                    model_version: row.opt_text(0)?,
                    score_date: row.opt_text(1)?,
                    scores: Vec::new(),
                };
                line(
                    writer,
                    &serde_json::json!({"kind": "epss_snapshot", "snapshot": snapshot}),
                )?;
                conn.for_each("SELECT cve, epss, percentile FROM epss ORDER BY cve", &[], |row| {
                    let score = EpssScore {
                        cve: row.text(0)?,
                        epss: row.f64(1)?,
                        percentile: row.f64(2)?,
                    };
                    line(writer, &serde_json::json!({"kind": "epss", "score": score}))?;
                    summary.epss_scores += 1;
                    Ok(true)
                })
                .await?;
            }
            Ok(())
        })
        .await?;
        writer.flush().map_err(StoreError::Write)?;
        Ok(summary)
    }

    /// Every (index key, record id) pair, ordered by key: for a caller building an
    /// in-memory index (then [`Store::advisories`] for the records it needs).
    pub async fn all_keys(&self) -> Result<Vec<(String, i64)>> {
        let mut out = Vec::new();
        self.for_each_key(|k, id| {
            out.push((k.to_owned(), id));
            true
        })
        .await?;
        Ok(out)
    }

    /// Streams every (index key, record id) pair, ordered by key, without holding them;
    /// `f` returns `false` to stop.
    pub async fn for_each_key(&self, mut f: impl FnMut(&str, i64) -> bool) -> Result<()> {
        self.with_conn(async |conn| {
            conn.for_each(
                "SELECT key, record_id FROM match_key ORDER BY key, record_id",
                &[],
                |row| Ok(f(&row.text(0)?, row.i64(1)?)),
            )
            .await
        })
        .await
    }

    /// Streams every stored record, ordered by record key and source; `f` returns
    /// `false` to stop.
    pub async fn for_each_advisory(&self, mut f: impl FnMut(StoredAdvisory) -> bool) -> Result<()> {
        self.with_conn(async |conn| {
            let sql =
                format!("SELECT {RECORD_COLUMNS} FROM record r ORDER BY r.record_key, r.source");
            conn.for_each(&sql, &[], |row| Ok(f(stored(&row)?))).await
        })
        .await
    }

    /// SQLite's `PRAGMA integrity_check` and `foreign_key_check` (empty: sound); on
    /// PostgreSQL, which checks as it writes, empty.
    pub async fn integrity_check(&self) -> Result<Vec<String>> {
        match &self.pool {
            Pool::Sqlite(p) => {
                let mut out = Vec::new();
                let mut c = p.acquire().await?;
                let mut conn = Conn::Sqlite(&mut c);
                for row in conn.fetch_all("PRAGMA integrity_check", &[]).await? {
                    let s = row.text(0)?;
                    if s != "ok" {
                        out.push(s);
                    }
                }
                for row in conn.fetch_all("PRAGMA foreign_key_check", &[]).await? {
                    out.push(format!("foreign key: {}", row.text(0)?));
                }
                Ok(out)
            }
            Pool::Postgres(_) => Ok(Vec::new()),
        }
    }
}

fn line(writer: &mut dyn Write, value: &serde_json::Value) -> Result<()> {
    serde_json::to_writer(&mut *writer, value)
        .map_err(|e| StoreError::Write(std::io::Error::other(e)))?;
    writer.write_all(b"\n").map_err(StoreError::Write)
}

async fn ids_for_keys(conn: &mut Conn<'_>, keys: &[String]) -> Result<BTreeSet<i64>> {
    let mut unique: Vec<&str> = keys.iter().map(String::as_str).collect();
    unique.sort_unstable();
    unique.dedup();
    let mut ids: BTreeSet<i64> = BTreeSet::new();
    for part in unique.chunks(KEYS_PER_QUERY) {
        let sql = format!(
            "SELECT DISTINCT record_id FROM match_key WHERE key IN {}",
            in_list(part.len())
        );
        let args: Vec<Arg<'_>> = part.iter().map(|k| Arg::Text(k)).collect();
        for row in conn.fetch_all(&sql, &args).await? {
            ids.insert(row.i64(0)?);
        }
    }
    Ok(ids)
}

async fn records_by_id(conn: &mut Conn<'_>, ids: &[i64]) -> Result<Vec<StoredAdvisory>> {
    let mut out = Vec::with_capacity(ids.len());
    for part in ids.chunks(KEYS_PER_QUERY) {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM record r WHERE r.id IN {} ORDER BY r.id",
            in_list(part.len())
        );
        let args: Vec<Arg<'_>> = part.iter().map(|&i| Arg::I64(i)).collect();
        for row in conn.fetch_all(&sql, &args).await? {
            out.push(stored(&row)?);
        }
    }
    Ok(out)
}

/// The merged view of the vulnerability named `vuln`.
async fn merged(conn: &mut Conn<'_>, vuln: &str) -> Result<Vulnerability> {
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM record r WHERE r.vuln = ? ORDER BY r.source, r.record_key"
    );
    let mut records = Vec::new();
    for row in conn.fetch_all(&sql, &[Arg::Text(vuln)]).await? {
        records.push(stored(&row)?);
    }
    let mut aliases: BTreeMap<String, StoredAlias> = BTreeMap::new();
    for row in conn
        .fetch_all(
            "SELECT a.alias, a.kind, a.links FROM alias a JOIN record r ON r.id = a.record_id WHERE r.vuln = ?",
            &[Arg::Text(vuln)],
        )
        .await?
    {
        let a = StoredAlias {
            id: row.text(0)?,
            kind: row.text(1)?,
            links: row.i64(2)? != 0,
        };
        // An id that links in any record links the group.
        match aliases.get_mut(&a.id) {
            Some(e) => e.links |= a.links,
            None => {
                aliases.insert(a.id.clone(), a);
            }
        }
    }
    let mut scores = Vec::new();
    for row in conn
        .fetch_all(
            "SELECT r.source, r.record_key, s.kind, s.version, s.vector, s.base_score, s.computed_score, s.severity, s.scheme, s.scorer_role, s.scorer_name FROM score s JOIN record r ON r.id = s.record_id WHERE r.vuln = ? ORDER BY r.source, r.record_key, s.seq",
            &[Arg::Text(vuln)],
        )
        .await?
    {
        scores.push(StoredScore {
            source: row.text(0)?,
            record_key: row.text(1)?,
            kind: row.text(2)?,
            version: row.opt_text(3)?,
            vector: row.opt_text(4)?,
            base_score: row.opt_f64(5)?,
            computed_score: row.opt_f64(6)?,
            severity: row.opt_text(7)?,
            scheme: row.opt_text(8)?,
            scorer_role: row.text(9)?,
            scorer_name: row.opt_text(10)?,
        });
    }
    let mut cwes = Vec::new();
    for row in conn
        .fetch_all(
            "SELECT DISTINCT c.cwe FROM cwe c JOIN record r ON r.id = c.record_id WHERE r.vuln = ? ORDER BY c.cwe",
            &[Arg::Text(vuln)],
        )
        .await?
    {
        cwes.push(row.text(0)?);
    }
    let cves: Vec<&str> = aliases
        .values()
        .filter(|a| a.kind == "cve")
        .map(|a| a.id.as_str())
        .collect();
    let mut kev = Vec::new();
    let mut epss = Vec::new();
    if !cves.is_empty() {
        let args: Vec<Arg<'_>> = cves.iter().map(|c| Arg::Text(c)).collect();
        let sql = format!(
            "SELECT {KEV_COLUMNS} FROM kev WHERE cve_id IN {} ORDER BY cve_id",
            in_list(cves.len())
        );
        for row in conn.fetch_all(&sql, &args).await? {
            kev.push(kev_entry(&row)?);
        }
        let sql = format!(
            "SELECT cve, epss, percentile FROM epss WHERE cve IN {} ORDER BY cve",
            in_list(cves.len())
        );
        for row in conn.fetch_all(&sql, &args).await? {
            epss.push(EpssScore {
                cve: row.text(0)?,
                epss: row.f64(1)?,
                percentile: row.f64(2)?,
            });
        }
    }
    Ok(Vulnerability {
        id: vuln.to_owned(),
        records,
        aliases: aliases.into_values().collect(),
        scores,
        cwes,
        kev,
        epss,
    })
}
