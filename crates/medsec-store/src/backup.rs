//! Logical backup and restore of the whole store (issue 11), portable between SQLite and
//! PostgreSQL.
//!
//! # Format (`medsec-backup/1`)
//!
//! One gzip-compressed UTF-8 text file, one JSON value per line:
//!
//! 1. the header: `{"format":"medsec-backup/1","medsec_version":…,"backend":…,
//!    "schema_version":N,"migrations":[{"version","description"}…],"created":…,
//!    "tables":[{"name","columns":[{"name","type"}]}…]}`, column types being the
//!    logical `integer`, `real`, `text` and `blob`;
//! 2. for every table, in migration order (so that a row's foreign keys are restored
//!    before it): a line `{"table":NAME}`, then one JSON array per row, its values in
//!    column order: integers as numbers, reals as strings (Rust's shortest form that
//!    parses back to the same `f64`, so no JSON number parser can round them), text as
//!    strings, blobs as standard base64, NULL as `null`;
//! 3. the manifest, the last line: `{"manifest":{…}}` with the header's facts again, the
//!    rows and the SHA-256 of each table's row lines (bytes with their newlines), and
//!    `sha256`, the SHA-256 of every byte before the manifest line.
//!
//! # Backup
//!
//! [`Store::backup`] reads every table inside one read transaction: on SQLite (WAL) a
//! deferred transaction whose first read fixes the snapshot, on PostgreSQL `REPEATABLE
//! READ READ ONLY`. Imports, monitoring and triage may go on meanwhile; the backup is
//! the state at its start. Rows are streamed, never all held.
//!
//! # Restore
//!
//! [`Store::restore`] reads the file twice. The first pass ([`verify`]) checks the
//! format, every value against its column type, every row count and SHA-256 and the
//! whole file's SHA-256, before the store is touched. Then, in one write transaction:
//! the backup's schema (migrations, tables, columns) must be the store's, every table
//! must be empty, the rows are inserted and hashed again as they go (the file could
//! have changed since the first pass), and only when everything agrees is the
//! transaction committed. Any error rolls back: the store is as it was.
//!
//! The append-only triggers (test results, evidence, documents, finding events, triage
//! decisions, deployments, the audit log) refuse UPDATE and DELETE only; a restore only
//! INSERTs into empty tables, so they stay in force and nothing is switched off. The
//! audit log is restored byte for byte, so its hash chain verifies as before.
//!
//! Ids are restored as they were. PostgreSQL identity columns then have their sequence
//! set past the largest id (`setval`), so the next row gets the next id; SQLite's
//! `INTEGER PRIMARY KEY` continues from the largest rowid by itself (the schema has no
//! `AUTOINCREMENT`, so there is no `sqlite_sequence` to restore).
//!
//! A backup restores only into a store of the same schema version: a newer backup needs
//! the newer medsec; an older one is restored with the medsec version that wrote it,
//! which the newer one then migrates on open.
//!
//! The file holds everything the store holds, including password hashes and the
//! SHA-256 of session and API tokens: keep it as safe as the database.

use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row as _;

use crate::db::{Conn, Pool, Row};
use crate::error::StoreError;
use crate::store::Store;

/// The format name in a backup's header.
pub const FORMAT: &str = "medsec-backup/1";

/// Every table of the schema, in migration order: each table's foreign keys point only to
/// tables before it. A schema change that adds a table must add it here (the backup
/// refuses a store holding a table it does not know, and a test checks this list
/// against both backends).
pub const TABLES: &[&str] = &[
    // 0001
    "import_batch",
    "import_file",
    "record",
    "alias",
    "match_key",
    "score",
    "cwe",
    "kev_catalog",
    "kev",
    "epss_snapshot",
    "epss",
    // 0002
    "evidence_blob",
    "test_result",
    "test_result_evidence",
    // 0003
    "organisation",
    "product",
    "product_version",
    "version_document",
    "finding",
    "finding_event",
    "monitor_run",
    "triage_decision",
    "deployment_snapshot",
    // 0004
    "account",
    "membership",
    "login_session",
    "api_token",
    "login_attempt",
    "audit_log",
];

/// The longest line read back (a row holding a large evidence file, in base64).
const MAX_LINE: u64 = 1 << 30;

/// Rows per INSERT statement, bounded by SQLite's 32,766 bound parameters.
fn rows_per_insert(columns: usize) -> usize {
    (30_000 / columns.max(1)).clamp(1, 256)
}

/// A column's logical type, the same on both backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Integer,
    Real,
    Text,
    Blob,
}

impl ColumnType {
    fn from_declared(declared: &str) -> Option<ColumnType> {
        match declared.to_ascii_lowercase().as_str() {
            "integer" | "bigint" => Some(ColumnType::Integer),
            "real" | "double precision" => Some(ColumnType::Real),
            "text" => Some(ColumnType::Text),
            "blob" | "bytea" => Some(ColumnType::Blob),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ColumnType,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSchema {
    pub name: String,
    pub columns: Vec<Column>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Migration {
    pub version: i64,
    pub description: String,
}

/// The first line of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub medsec_version: String,
    /// The backend the backup was taken from (`sqlite`, `postgres`).
    pub backend: String,
    /// The highest migration applied to the store.
    pub schema_version: i64,
    pub migrations: Vec<Migration>,
    /// RFC 3339 time the backup was started.
    pub created: String,
    pub tables: Vec<TableSchema>,
}

/// A table's rows in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSum {
    pub name: String,
    pub rows: u64,
    /// SHA-256 (hex) of the table's row lines, newlines included.
    pub sha256: String,
}

/// The last line of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub medsec_version: String,
    pub backend: String,
    pub schema_version: i64,
    pub created: String,
    pub tables: Vec<TableSum>,
    /// SHA-256 (hex) of every byte of the (uncompressed) file before the manifest line.
    pub sha256: String,
}

impl Manifest {
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

/// Why a backup or restore failed. A restore that fails has changed nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not a medsec backup ({reason})", path.display())]
    NotABackup { path: PathBuf, reason: String },
    #[error("{}, line {line}: {message}", path.display())]
    Malformed {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{}: the backup is incomplete ({reason}); it was cut short or damaged", path.display())]
    Truncated { path: PathBuf, reason: String },
    #[error("{}: {what} does not match its checksum (SHA-256 {found}, the manifest says {expected}); the backup was altered or damaged", path.display())]
    Checksum {
        path: PathBuf,
        what: String,
        expected: String,
        found: String,
    },
    #[error("{}: written by a newer medsec (schema version {backup}; this medsec knows up to {here}); restore it with that version", path.display())]
    NewerSchema {
        path: PathBuf,
        backup: i64,
        here: i64,
    },
    #[error("{}: schema version {backup} is older than this store's ({here}); restore it with the medsec version that wrote it ({medsec}), which migrates on the next open by this one", path.display())]
    OlderSchema {
        path: PathBuf,
        backup: i64,
        here: i64,
        medsec: String,
    },
    #[error("{}: the backup's schema differs from this store's: {message}", path.display())]
    SchemaMismatch { path: PathBuf, message: String },
    #[error(
        "the store is not empty: table {table} has {rows} row(s); restore only into an empty store"
    )]
    NotEmpty { table: String, rows: i64 },
    #[error("the store holds a table this medsec does not know how to back up: {0}")]
    UnknownTable(String),
}

pub type Result<T, E = BackupError> = std::result::Result<T, E>;

/// Progress of a backup or a restore; the library prints nothing.
pub trait BackupObserver: Sync {
    /// The work ahead: rows in all tables, and what is being done (`backup`, `verify`,
    /// `restore`).
    fn planned(&self, _phase: &str, _rows: u64) {}
    /// A table started.
    fn table(&self, _name: &str) {}
    /// Rows done so far in this phase.
    fn rows(&self, _done: u64) {}
}

/// An observer that ignores everything.
pub struct NoBackupProgress;
impl BackupObserver for NoBackupProgress {}

/// A stored value.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

fn hex(digest: &[u8]) -> String {
    crate::input::hex(digest)
}

fn write_err(e: std::io::Error) -> StoreError {
    StoreError::Write(e)
}

/// Hashes what passes through, and counts it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Hashing<W> {
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.hash.update(bytes);
        self.inner.write_all(bytes)
    }
}

fn get(row: &Row, i: usize, kind: ColumnType) -> Result<Val, StoreError> {
    macro_rules! opt {
        ($t:ty) => {
            match row {
                Row::Sqlite(r) => r.try_get::<Option<$t>, _>(i)?,
                Row::Postgres(r) => r.try_get::<Option<$t>, _>(i)?,
            }
        };
    }
    Ok(match kind {
        ColumnType::Integer => opt!(i64).map_or(Val::Null, Val::Int),
        ColumnType::Real => opt!(f64).map_or(Val::Null, Val::Real),
        ColumnType::Text => opt!(String).map_or(Val::Null, Val::Text),
        ColumnType::Blob => opt!(Vec<u8>).map_or(Val::Null, Val::Blob),
    })
}

fn to_json(v: &Val) -> serde_json::Value {
    match v {
        Val::Null => serde_json::Value::Null,
        Val::Int(i) => serde_json::Value::from(*i),
        Val::Real(f) => serde_json::Value::String(f.to_string()),
        Val::Text(s) => serde_json::Value::String(s.clone()),
        Val::Blob(b) => serde_json::Value::String(BASE64.encode(b)),
    }
}

fn from_json(v: serde_json::Value, column: &Column) -> std::result::Result<Val, String> {
    use serde_json::Value as J;
    let bad = |v: &J| format!("column {}: {v} is not {}", column.name, column.kind);
    match (column.kind, v) {
        (_, J::Null) => Ok(Val::Null),
        (ColumnType::Integer, J::Number(n)) => n
            .as_i64()
            .map(Val::Int)
            .ok_or_else(|| format!("column {}: {n} is not a 64-bit integer", column.name)),
        (ColumnType::Real, J::String(s)) => s
            .parse::<f64>()
            .map(Val::Real)
            .map_err(|_| format!("column {}: {s:?} is not a real number", column.name)),
        (ColumnType::Text, J::String(s)) => Ok(Val::Text(s)),
        (ColumnType::Blob, J::String(s)) => BASE64
            .decode(s.as_bytes())
            .map(Val::Blob)
            .map_err(|e| format!("column {}: not base64: {e}", column.name)),
        (_, other) => Err(bad(&other)),
    }
}

/// The store's tables and columns as the database describes them, in [`TABLES`] order.
async fn live_schema(conn: &mut Conn<'_>) -> Result<Vec<TableSchema>> {
    let names_sql = match conn {
        Conn::Sqlite(_) => {
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'"
        }
        Conn::Postgres(_) => {
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'"
        }
    };
    let mut present = Vec::new();
    for row in conn.fetch_all(names_sql, &[]).await? {
        present.push(row.text(0)?);
    }
    if let Some(unknown) = present.iter().find(|t| !TABLES.contains(&t.as_str())) {
        return Err(BackupError::UnknownTable(unknown.clone()));
    }
    let mut out = Vec::new();
    for &table in TABLES {
        if !present.iter().any(|t| t == table) {
            return Err(BackupError::Store(StoreError::Corrupt {
                record: format!("table {table}"),
                message: "missing from the store's schema".into(),
            }));
        }
        let sql = match conn {
            Conn::Sqlite(_) => "SELECT name, type FROM pragma_table_info(?) ORDER BY cid",
            Conn::Postgres(_) => {
                "SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position"
            }
        };
        let mut columns = Vec::new();
        for row in conn.fetch_all(sql, &[crate::db::Arg::Text(table)]).await? {
            let name = row.text(0)?;
            let declared = row.text(1)?;
            let kind = ColumnType::from_declared(&declared).ok_or_else(|| {
                BackupError::Store(StoreError::Corrupt {
                    record: format!("table {table}"),
                    message: format!(
                        "column {name} has type {declared}, which a backup cannot carry"
                    ),
                })
            })?;
            columns.push(Column { name, kind });
        }
        out.push(TableSchema {
            name: table.to_owned(),
            columns,
        });
    }
    Ok(out)
}

async fn migrations(conn: &mut Conn<'_>) -> Result<Vec<Migration>> {
    let mut out = Vec::new();
    for row in conn
        .fetch_all(
            "SELECT version, description FROM _sqlx_migrations WHERE success ORDER BY version",
            &[],
        )
        .await?
    {
        out.push(Migration {
            version: row.i64(0)?,
            description: row.text(1)?,
        });
    }
    Ok(out)
}

fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

fn select_sql(t: &TableSchema) -> String {
    let cols: Vec<String> = t.columns.iter().map(|c| quoted(&c.name)).collect();
    let order: Vec<String> = (1..=t.columns.len()).map(|i| i.to_string()).collect();
    format!(
        "SELECT {} FROM {} ORDER BY {}",
        cols.join(", "),
        quoted(&t.name),
        order.join(", ")
    )
}

async fn write_tables(
    conn: &mut Conn<'_>,
    backend: &str,
    out: &mut dyn Write,
    observer: &dyn BackupObserver,
) -> Result<Manifest> {
    let schema = live_schema(conn).await?;
    let migrations = migrations(conn).await?;
    let mut total = 0u64;
    for t in &schema {
        let n = conn
            .scalar_i64(&format!("SELECT COUNT(*) FROM {}", quoted(&t.name)), &[])
            .await?;
        total += u64::try_from(n).unwrap_or(0);
    }
    observer.planned("backup", total);
    let header = Header {
        format: FORMAT.to_owned(),
        medsec_version: env!("CARGO_PKG_VERSION").to_owned(),
        backend: backend.to_owned(),
        schema_version: migrations.last().map_or(0, |m| m.version),
        migrations,
        created: jiff::Timestamp::now().to_string(),
        tables: schema.clone(),
    };
    let mut w = Hashing {
        inner: out,
        hash: Sha256::new(),
    };
    let mut line = serde_json::to_vec(&header).map_err(|e| write_err(std::io::Error::other(e)))?;
    line.push(b'\n');
    w.put(&line).map_err(write_err)?;
    let mut sums = Vec::new();
    let mut done = 0u64;
    for t in &schema {
        observer.table(&t.name);
        let mut marker = serde_json::to_vec(&serde_json::json!({ "table": t.name }))
            .map_err(|e| write_err(std::io::Error::other(e)))?;
        marker.push(b'\n');
        w.put(&marker).map_err(write_err)?;
        let mut table_hash = Sha256::new();
        let mut rows = 0u64;
        let mut buf = Vec::new();
        conn.for_each(&select_sql(t), &[], |row| {
            let values: Vec<serde_json::Value> = t
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| get(&row, i, c.kind).map(|v| to_json(&v)))
                .collect::<Result<_, StoreError>>()?;
            buf.clear();
            serde_json::to_writer(&mut buf, &values)
                .map_err(|e| write_err(std::io::Error::other(e)))?;
            buf.push(b'\n');
            table_hash.update(&buf);
            w.put(&buf).map_err(write_err)?;
            rows += 1;
            done += 1;
            if done.is_multiple_of(1024) {
                observer.rows(done);
            }
            Ok(true)
        })
        .await?;
        sums.push(TableSum {
            name: t.name.clone(),
            rows,
            sha256: hex(&table_hash.finalize()),
        });
    }
    observer.rows(done);
    let manifest = Manifest {
        format: header.format,
        medsec_version: header.medsec_version,
        backend: header.backend,
        schema_version: header.schema_version,
        created: header.created,
        tables: sums,
        sha256: hex(&w.hash.finalize()),
    };
    let mut last = serde_json::to_vec(&serde_json::json!({ "manifest": manifest }))
        .map_err(|e| write_err(std::io::Error::other(e)))?;
    last.push(b'\n');
    w.inner.write_all(&last).map_err(write_err)?;
    w.inner.flush().map_err(write_err)?;
    Ok(manifest)
}

impl Store {
    /// Writes a backup of the whole store to `out` (gzip-compressed; see the module
    /// documentation), from one consistent snapshot. Returns its manifest.
    pub async fn backup(
        &self,
        out: &mut dyn Write,
        observer: &dyn BackupObserver,
    ) -> Result<Manifest> {
        let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::new(6));
        let manifest = match &self.pool {
            Pool::Sqlite(p) => {
                let mut tx = p.begin().await.map_err(StoreError::from)?;
                let m = write_tables(&mut Conn::Sqlite(&mut tx), "sqlite", &mut gz, observer).await;
                // A read transaction: nothing to keep, whatever happened.
                tx.rollback().await.map_err(StoreError::from)?;
                m?
            }
            Pool::Postgres(p) => {
                let mut tx = p
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await
                    .map_err(StoreError::from)?;
                let m =
                    write_tables(&mut Conn::Postgres(&mut tx), "postgres", &mut gz, observer).await;
                tx.rollback().await.map_err(StoreError::from)?;
                m?
            }
        };
        gz.finish().map_err(write_err)?.flush().map_err(write_err)?;
        Ok(manifest)
    }

    /// Restores a backup into this store, which must be empty; one transaction, every
    /// checksum verified before it commits (see the module documentation).
    pub async fn restore(&self, path: &Path, observer: &dyn BackupObserver) -> Result<Manifest> {
        // A backup of another schema is refused from its first line, before reading it all.
        let first = read_header(path)?;
        self.with_conn(async |c| Ok(check_schema(c, path, &first).await))
            .await??;
        let (header, manifest) = verify(path, observer)?;
        match &self.pool {
            Pool::Sqlite(p) => {
                let mut c = p.acquire().await.map_err(StoreError::from)?;
                // Regulated records (evidence, triage, audit) arrive: as durable as when
                // they were first written.
                sqlx::query("PRAGMA synchronous = FULL")
                    .execute(&mut *c)
                    .await
                    .map_err(StoreError::from)?;
                // IMMEDIATE: the write lock at once, so no writer slips in between the
                // emptiness check and the inserts.
                let mut tx = sqlx::Connection::begin_with(&mut *c, "BEGIN IMMEDIATE")
                    .await
                    .map_err(StoreError::from)?;
                let r = load(
                    &mut Conn::Sqlite(&mut tx),
                    path,
                    &header,
                    &manifest,
                    observer,
                )
                .await;
                let out = match r {
                    Ok(()) => tx
                        .commit()
                        .await
                        .map_err(StoreError::from)
                        .map_err(Into::into),
                    Err(e) => {
                        tx.rollback().await.map_err(StoreError::from)?;
                        Err(e)
                    }
                };
                sqlx::query("PRAGMA synchronous = NORMAL")
                    .execute(&mut *c)
                    .await
                    .map_err(StoreError::from)?;
                out.map(|()| manifest)
            }
            Pool::Postgres(p) => {
                let mut tx = p.begin().await.map_err(StoreError::from)?;
                // No other writer while the store is checked empty and filled.
                let all: Vec<String> = TABLES.iter().map(|t| quoted(t)).collect();
                sqlx::query(&format!("LOCK TABLE {} IN EXCLUSIVE MODE", all.join(", ")))
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::from)?;
                let r = load(
                    &mut Conn::Postgres(&mut tx),
                    path,
                    &header,
                    &manifest,
                    observer,
                )
                .await;
                match r {
                    Ok(()) => {
                        tx.commit().await.map_err(StoreError::from)?;
                        Ok(manifest)
                    }
                    Err(e) => {
                        tx.rollback().await.map_err(StoreError::from)?;
                        Err(e)
                    }
                }
            }
        }
    }
}

/// Reads a backup line by line, decompressing; `None` at the end of the file.
struct Lines {
    path: PathBuf,
    reader: BufReader<flate2::read::GzDecoder<BufReader<std::fs::File>>>,
    line: u64,
    buf: Vec<u8>,
}

impl Lines {
    fn open(path: &Path) -> Result<Lines> {
        let io = |source| BackupError::Io {
            path: path.to_owned(),
            source,
        };
        // Looked at before opening: opening a FIFO blocks, and a device such as
        // /dev/zero never ends.
        let meta = std::fs::metadata(path).map_err(io)?;
        if !meta.is_file() {
            return Err(BackupError::NotABackup {
                path: path.to_owned(),
                reason: "not a regular file".into(),
            });
        }
        if meta.len() == 0 {
            return Err(BackupError::NotABackup {
                path: path.to_owned(),
                reason: "the file is empty".into(),
            });
        }
        let file = std::fs::File::open(path).map_err(io)?;
        Ok(Lines {
            path: path.to_owned(),
            reader: BufReader::with_capacity(
                1 << 16,
                flate2::read::GzDecoder::new(BufReader::new(file)),
            ),
            line: 0,
            buf: Vec::new(),
        })
    }

    /// The next line with its newline, or `None` at a clean end.
    fn next(&mut self) -> Result<Option<&[u8]>> {
        self.buf.clear();
        self.line += 1;
        let n = (&mut self.reader)
            .take(MAX_LINE)
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| {
                if self.line == 1 && e.kind() == std::io::ErrorKind::InvalidInput {
                    BackupError::NotABackup {
                        path: self.path.clone(),
                        reason: format!("not gzip-compressed: {e}"),
                    }
                } else {
                    BackupError::Truncated {
                        path: self.path.clone(),
                        reason: format!("line {}: {e}", self.line),
                    }
                }
            })?;
        if n == 0 {
            return Ok(None);
        }
        if self.buf.last() != Some(&b'\n') {
            return Err(if n as u64 >= MAX_LINE {
                self.malformed(format!("longer than {MAX_LINE} bytes"))
            } else {
                BackupError::Truncated {
                    path: self.path.clone(),
                    reason: format!("line {} ends without a newline", self.line),
                }
            });
        }
        Ok(Some(&self.buf))
    }

    fn malformed(&self, message: impl Into<String>) -> BackupError {
        BackupError::Malformed {
            path: self.path.clone(),
            line: self.line,
            message: message.into(),
        }
    }
}

/// What one line of the body is.
enum Item {
    Table(String),
    Row(Vec<Val>),
    Manifest(Box<Manifest>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableLine {
    table: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestLine {
    manifest: Manifest,
}

/// Walks a backup: the header, then every body line through `f`, checking structure
/// and checksums as it goes. Returns the header and the manifest once all agree.
fn walk(
    path: &Path,
    mut on_header: impl FnMut(&Header) -> Result<()>,
    mut f: impl FnMut(&TableSchema, Vec<Val>) -> Result<()>,
    observer: &dyn BackupObserver,
) -> Result<(Header, Manifest)> {
    let mut lines = Lines::open(path)?;
    let mut whole = Sha256::new();
    let first = lines.next()?.ok_or_else(|| BackupError::NotABackup {
        path: path.to_owned(),
        reason: "empty".into(),
    })?;
    whole.update(first);
    let header: Header = serde_json::from_slice(first).map_err(|e| BackupError::NotABackup {
        path: path.to_owned(),
        reason: format!("line 1 is not a backup header: {e}"),
    })?;
    if header.format != FORMAT {
        return Err(BackupError::NotABackup {
            path: path.to_owned(),
            reason: format!("format {:?}, expected {FORMAT:?}", header.format),
        });
    }
    on_header(&header)?;
    let mut sums: Vec<TableSum> = Vec::new();
    let mut current: Option<(usize, Sha256)> = None;
    let mut done = 0u64;
    let finish = |current: &mut Option<(usize, Sha256)>, sums: &mut Vec<TableSum>| {
        if let Some((i, h)) = current.take()
            && let Some(s) = sums.get_mut(i)
        {
            s.sha256 = hex(&h.finalize());
        }
    };
    let manifest = loop {
        let Some(bytes) = lines.next()? else {
            return Err(BackupError::Truncated {
                path: path.to_owned(),
                reason: "the manifest line is missing".into(),
            });
        };
        let item = if bytes.first() == Some(&b'[') {
            let values: Vec<serde_json::Value> =
                serde_json::from_slice(bytes).map_err(|e| lines.malformed(e.to_string()))?;
            let Some((i, _)) = &current else {
                return Err(lines.malformed("a row before any table"));
            };
            let t = &header.tables[*i];
            if values.len() != t.columns.len() {
                return Err(lines.malformed(format!(
                    "{} values for the {} columns of {}",
                    values.len(),
                    t.columns.len(),
                    t.name
                )));
            }
            let row = values
                .into_iter()
                .zip(&t.columns)
                .map(|(v, c)| from_json(v, c))
                .collect::<std::result::Result<Vec<Val>, String>>()
                .map_err(|m| lines.malformed(format!("table {}: {m}", t.name)))?;
            Item::Row(row)
        } else if let Ok(t) = serde_json::from_slice::<TableLine>(bytes) {
            Item::Table(t.table)
        } else if let Ok(m) = serde_json::from_slice::<ManifestLine>(bytes) {
            Item::Manifest(Box::new(m.manifest))
        } else {
            return Err(lines.malformed("neither a table, a row nor the manifest"));
        };
        match item {
            Item::Row(row) => {
                if let Some((i, h)) = current.as_mut() {
                    h.update(&lines.buf);
                    whole.update(&lines.buf);
                    if let Some(s) = sums.get_mut(*i) {
                        s.rows += 1;
                    }
                    f(&header.tables[*i], row)?;
                    done += 1;
                    if done.is_multiple_of(1024) {
                        observer.rows(done);
                    }
                }
            }
            Item::Table(name) => {
                whole.update(&lines.buf);
                finish(&mut current, &mut sums);
                let expected = header.tables.get(sums.len());
                if expected.map(|t| &t.name) != Some(&name) {
                    return Err(lines.malformed(format!(
                        "table {name} where the header announces {}",
                        expected.map_or("no more tables", |t| t.name.as_str())
                    )));
                }
                observer.table(&name);
                sums.push(TableSum {
                    name,
                    rows: 0,
                    sha256: String::new(),
                });
                current = Some((sums.len() - 1, Sha256::new()));
            }
            Item::Manifest(m) => {
                finish(&mut current, &mut sums);
                if lines.next()?.is_some() {
                    return Err(lines.malformed("data after the manifest"));
                }
                break *m;
            }
        }
    };
    observer.rows(done);
    let found = hex(&whole.finalize());
    if found != manifest.sha256 {
        return Err(BackupError::Checksum {
            path: path.to_owned(),
            what: "the whole file".into(),
            expected: manifest.sha256.clone(),
            found,
        });
    }
    if sums.len() != header.tables.len() {
        return Err(BackupError::Truncated {
            path: path.to_owned(),
            reason: format!(
                "{} of the header's {} tables present",
                sums.len(),
                header.tables.len()
            ),
        });
    }
    let agree = manifest.format == header.format
        && manifest.medsec_version == header.medsec_version
        && manifest.backend == header.backend
        && manifest.schema_version == header.schema_version
        && manifest.created == header.created
        && manifest.tables.len() == sums.len();
    if !agree {
        return Err(BackupError::SchemaMismatch {
            path: path.to_owned(),
            message: "the manifest and the header disagree".into(),
        });
    }
    for (want, got) in manifest.tables.iter().zip(&sums) {
        if want.name != got.name {
            return Err(BackupError::SchemaMismatch {
                path: path.to_owned(),
                message: format!(
                    "the manifest lists {} where the file has {}",
                    want.name, got.name
                ),
            });
        }
        if want.rows != got.rows {
            return Err(BackupError::Checksum {
                path: path.to_owned(),
                what: format!("the row count of table {}", got.name),
                expected: want.rows.to_string(),
                found: got.rows.to_string(),
            });
        }
        if want.sha256 != got.sha256 {
            return Err(BackupError::Checksum {
                path: path.to_owned(),
                what: format!("table {}", got.name),
                expected: want.sha256.clone(),
                found: got.sha256.clone(),
            });
        }
    }
    Ok((header, manifest))
}

/// Checks a backup file completely (format, types, counts, checksums) without a store.
pub fn verify(path: &Path, observer: &dyn BackupObserver) -> Result<(Header, Manifest)> {
    observer.planned("verify", 0);
    walk(path, |_| Ok(()), |_, _| Ok(()), observer)
}

/// The header of a backup, read from its first line only (to refuse a wrong schema early).
pub fn read_header(path: &Path) -> Result<Header> {
    let mut lines = Lines::open(path)?;
    let first = lines.next()?.ok_or_else(|| BackupError::NotABackup {
        path: path.to_owned(),
        reason: "empty".into(),
    })?;
    serde_json::from_slice(first).map_err(|e| BackupError::NotABackup {
        path: path.to_owned(),
        reason: format!("line 1 is not a backup header: {e}"),
    })
}

/// Checks that a backup fits this store's schema.
async fn check_schema(conn: &mut Conn<'_>, path: &Path, header: &Header) -> Result<()> {
    let here = migrations(conn).await?;
    let here_version = here.last().map_or(0, |m| m.version);
    if header.schema_version > here_version {
        return Err(BackupError::NewerSchema {
            path: path.to_owned(),
            backup: header.schema_version,
            here: here_version,
        });
    }
    if header.schema_version < here_version {
        return Err(BackupError::OlderSchema {
            path: path.to_owned(),
            backup: header.schema_version,
            here: here_version,
            medsec: header.medsec_version.clone(),
        });
    }
    if header.migrations != here {
        return Err(BackupError::SchemaMismatch {
            path: path.to_owned(),
            message: "the migrations applied differ".into(),
        });
    }
    let live = live_schema(conn).await?;
    if header.tables != live {
        let message = live
            .iter()
            .zip(&header.tables)
            .find(|(a, b)| a != b)
            .map_or_else(
                || "the tables differ".to_owned(),
                |(a, b)| format!("table {} has other columns than table {}", b.name, a.name),
            );
        return Err(BackupError::SchemaMismatch {
            path: path.to_owned(),
            message,
        });
    }
    Ok(())
}

/// Inside the restore transaction: schema, emptiness, rows, sequences.
async fn load(
    conn: &mut Conn<'_>,
    path: &Path,
    header: &Header,
    manifest: &Manifest,
    observer: &dyn BackupObserver,
) -> Result<()> {
    check_schema(conn, path, header).await?;
    for &t in TABLES {
        let rows = conn
            .scalar_i64(&format!("SELECT COUNT(*) FROM {}", quoted(t)), &[])
            .await?;
        if rows > 0 {
            return Err(BackupError::NotEmpty {
                table: t.to_owned(),
                rows,
            });
        }
    }
    observer.planned("restore", manifest.total_rows());
    // The walk (decompress, parse, hash) runs on a blocking thread and hands over one
    // INSERT statement's rows at a time; a short channel keeps it a few batches ahead.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Batch>(4);
    let walk_path = path.to_owned();
    let tables = header.tables.clone();
    let reader = tokio::task::spawn_blocking(move || {
        let mut pending: Option<Batch> = None;
        let result = walk(
            &walk_path,
            |_| Ok(()),
            |t, row| {
                let full = match &mut pending {
                    Some(b) if b.table == t.name => {
                        b.rows.push(row);
                        b.rows.len() >= rows_per_insert(t.columns.len())
                    }
                    _ => {
                        if let Some(b) = pending.take() {
                            send(&tx, b)?;
                        }
                        pending = Some(Batch {
                            table: t.name.clone(),
                            rows: vec![row],
                        });
                        false
                    }
                };
                if full && let Some(b) = pending.take() {
                    send(&tx, b)?;
                }
                Ok(())
            },
            &NoBackupProgress,
        );
        if let Some(b) = pending.take() {
            send(&tx, b)?;
        }
        result
    });
    let mut done = 0u64;
    let mut write_error = None;
    while let Some(batch) = rx.recv().await {
        let Some(t) = tables.iter().find(|t| t.name == batch.table) else {
            continue;
        };
        if let Err(e) = insert(conn, t, &batch.rows).await {
            write_error = Some(e);
            break;
        }
        done += batch.rows.len() as u64;
        observer.rows(done);
    }
    drop(rx);
    let walked = reader
        .await
        .map_err(|e| BackupError::Store(StoreError::Internal(e.to_string())))?;
    if let Some(e) = write_error {
        return Err(e);
    }
    let (_, second) = walked?;
    if &second != manifest {
        return Err(BackupError::Checksum {
            path: path.to_owned(),
            what: "the file (it changed while it was restored)".into(),
            expected: manifest.sha256.clone(),
            found: second.sha256,
        });
    }
    if let Conn::Postgres(_) = conn {
        reset_sequences(conn).await?;
    }
    Ok(())
}

struct Batch {
    table: String,
    rows: Vec<Vec<Val>>,
}

fn send(tx: &tokio::sync::mpsc::Sender<Batch>, b: Batch) -> Result<()> {
    // A closed channel means the writer stopped on an error, which it reports.
    tx.blocking_send(b)
        .map_err(|_| BackupError::Store(StoreError::Internal("the restore writer stopped".into())))
}

async fn insert(conn: &mut Conn<'_>, t: &TableSchema, rows: &[Vec<Val>]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let cols: Vec<String> = t.columns.iter().map(|c| quoted(&c.name)).collect();
    let head = format!("INSERT INTO {} ({})", quoted(&t.name), cols.join(", "));
    let sql = crate::db::insert_sql(&head, t.columns.len(), rows.len());
    let sql = match conn {
        Conn::Postgres(_) => crate::db::pg_sql(&sql),
        Conn::Sqlite(_) => sql,
    };
    macro_rules! run {
        ($c:expr) => {{
            let mut q = sqlx::query(&sql);
            for row in rows {
                for (v, c) in row.iter().zip(&t.columns) {
                    q = match (v, c.kind) {
                        (Val::Int(i), _) => q.bind(*i),
                        (Val::Real(f), _) => q.bind(*f),
                        (Val::Text(s), _) => q.bind(s.as_str()),
                        (Val::Blob(b), _) => q.bind(b.as_slice()),
                        (Val::Null, ColumnType::Integer) => q.bind(None::<i64>),
                        (Val::Null, ColumnType::Real) => q.bind(None::<f64>),
                        (Val::Null, ColumnType::Text) => q.bind(None::<String>),
                        (Val::Null, ColumnType::Blob) => q.bind(None::<Vec<u8>>),
                    };
                }
            }
            q.execute(&mut **$c).await.map_err(StoreError::from)?;
        }};
    }
    match conn {
        Conn::Sqlite(c) => run!(c),
        Conn::Postgres(c) => run!(c),
    }
    Ok(())
}

/// PostgreSQL identity columns: the next value after the largest restored id.
async fn reset_sequences(conn: &mut Conn<'_>) -> Result<()> {
    let rows = conn
        .fetch_all(
            "SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'",
            &[],
        )
        .await?;
    for row in rows {
        let table = row.text(0)?;
        let column = row.text(1)?;
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX({c}), 0) + 1, false) FROM {t}",
            c = quoted(&column),
            t = quoted(&table)
        );
        conn.fetch_all(
            &sql,
            &[crate::db::Arg::Text(&table), crate::db::Arg::Text(&column)],
        )
        .await?;
    }
    Ok(())
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ColumnType::Integer => "integer",
            ColumnType::Real => "real",
            ColumnType::Text => "text",
            ColumnType::Blob => "blob",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_round_trip_exactly_through_their_text() {
        let column = Column {
            name: "x".into(),
            kind: ColumnType::Real,
        };
        for f in [
            0.1,
            9.8,
            1e-300,
            f64::MAX,
            f64::MIN_POSITIVE,
            -0.0,
            0.30000000000000004,
        ] {
            let back = from_json(to_json(&Val::Real(f)), &column);
            assert_eq!(back, Ok(Val::Real(f)), "{f}");
            if let Ok(Val::Real(b)) = back {
                assert_eq!(b.to_bits(), f.to_bits());
            }
        }
    }

    #[test]
    fn values_of_the_wrong_type_are_refused() {
        let int = Column {
            name: "n".into(),
            kind: ColumnType::Integer,
        };
        assert!(from_json(serde_json::json!("1"), &int).is_err());
        assert!(from_json(serde_json::json!(1.5), &int).is_err());
        let blob = Column {
            name: "b".into(),
            kind: ColumnType::Blob,
        };
        assert!(from_json(serde_json::json!("!!"), &blob).is_err());
    }
}
