//! The import: a reader thread (walk, decompress, detect, parse, prepare rows) feeding
//! the writer (one transaction for the whole batch) through a bounded channel.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use jiff::Timestamp;
use medsec_core::advisory::Advisory;
use medsec_formats::advisory::{ReadError, ReadOptions};
use tokio::sync::mpsc;

use crate::db::{Arg, Conn, ROWS_PER_INSERT, in_list, insert_rows, insert_sql};
use crate::epss::{self, EpssSnapshot};
use crate::error::{Origin, StoreError};
use crate::input::{self, Limits, Planned, Sink};
use crate::kev::{self, KevCatalog};
use crate::model::{ImportSummary, InputSummary, RecordCounts, Skipped, SnapshotOutcome};
use crate::prepare::{self, Decision, Prepared};
use crate::{export, group};

/// How an import reads its inputs.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Decompression limits per input.
    pub limits: Limits,
    /// The largest advisory document the readers take (bytes).
    pub max_document_bytes: usize,
    /// Records per write round (one lookup, one set of multi-row INSERTs).
    pub chunk_records: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            limits: Limits::default(),
            max_document_bytes: medsec_formats::advisory::DEFAULT_MAX_BYTES,
            chunk_records: 2_000,
        }
    }
}

/// Where an import is: for a progress display. Called from the importing task; every
/// method has an empty default.
pub trait ImportObserver: Send + Sync {
    /// The inputs are listed: how many, and their size on disk.
    fn planned(&self, _inputs: usize, _bytes: u64) {}
    /// An input is being read.
    fn input(&self, _path: &Path) {}
    /// On-disk bytes of the inputs consumed so far (ends at `planned`'s `bytes`).
    fn progress(&self, _bytes: u64) {}
    /// Something that is not an advisory was skipped.
    fn skipped(&self, _skipped: &Skipped) {}
    /// Records written so far.
    fn records(&self, _counts: &RecordCounts) {}
    fn phase(&self, _phase: ImportPhase) {}
}

/// The steps of an import after reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportPhase {
    Reading,
    /// Recomputing which records form one vulnerability.
    Grouping,
    Committing,
}

/// An observer that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl ImportObserver for NoProgress {}

enum Msg {
    Planned { inputs: usize, bytes: u64 },
    Input(PathBuf),
    Progress(u64),
    Records(Vec<Prepared>),
    Documents { documents: u64, warnings: u64 },
    Kev(Box<KevCatalog>, Origin),
    Epss(Box<EpssSnapshot>, Origin),
    Skipped(Skipped),
    InputDone(InputSummary),
}

/// Channel depth, in messages: a few chunks in flight bound the reader's lead (memory).
const CHANNEL: usize = 8;

type KeysFn = fn(&Advisory) -> Vec<String>;

fn spawn_reader(
    sources: Vec<PathBuf>,
    options: ImportOptions,
    keys: KeysFn,
    tx: mpsc::Sender<Msg>,
) -> std::thread::JoinHandle<Result<(), StoreError>> {
    std::thread::spawn(move || {
        let mut skipped_early = Vec::new();
        let planned = input::plan(&sources, |origin, reason| {
            skipped_early.push(Skipped { origin, reason })
        })?;
        let total: u64 = planned.iter().map(|p| p.len).sum();
        let mut reader = Reader {
            tx,
            options,
            keys,
            chunk: Vec::new(),
            done_before: 0,
            last_progress: 0,
            documents: 0,
            warnings: 0,
            input_records: 0,
            input_skipped: 0,
            explicit: false,
        };
        reader.send(Msg::Planned {
            inputs: planned.len(),
            bytes: total,
        })?;
        for s in skipped_early {
            reader.send(Msg::Skipped(s))?;
        }
        for p in &planned {
            reader.read_input(p)?;
        }
        reader.flush()?;
        Ok(())
    })
}

struct Reader {
    tx: mpsc::Sender<Msg>,
    options: ImportOptions,
    keys: KeysFn,
    chunk: Vec<Prepared>,
    done_before: u64,
    last_progress: u64,
    documents: u64,
    warnings: u64,
    input_records: u64,
    input_skipped: u64,
    explicit: bool,
}

impl Reader {
    fn send(&self, msg: Msg) -> Result<(), StoreError> {
        // The writer stopped (it failed or was dropped): its error is the one reported.
        self.tx
            .blocking_send(msg)
            .map_err(|_| StoreError::Internal("the writer stopped".into()))
    }

    fn read_input(&mut self, p: &Planned) -> Result<(), StoreError> {
        self.send(Msg::Input(p.path.clone()))?;
        self.input_records = 0;
        self.input_skipped = 0;
        self.explicit = p.explicit;
        let limits = self.options.limits;
        let opened = input::open(p, &limits, self)?;
        self.flush_docs()?;
        self.done_before += p.len;
        self.send(Msg::Progress(self.done_before))?;
        self.last_progress = self.done_before;
        self.send(Msg::InputDone(InputSummary {
            path: p.path.clone(),
            sha256: opened.sha256,
            bytes: opened.bytes,
            records: self.input_records,
            skipped: self.input_skipped,
        }))
    }

    fn push(&mut self, advisory: Advisory) -> Result<(), StoreError> {
        self.chunk.push(prepare::prepare(advisory, self.keys)?);
        self.input_records += 1;
        if self.chunk.len() >= self.options.chunk_records {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        self.flush_docs()?;
        if !self.chunk.is_empty() {
            let chunk = std::mem::take(&mut self.chunk);
            self.send(Msg::Records(chunk))?;
        }
        Ok(())
    }

    fn flush_docs(&mut self) -> Result<(), StoreError> {
        if self.documents > 0 || self.warnings > 0 {
            self.send(Msg::Documents {
                documents: self.documents,
                warnings: self.warnings,
            })?;
            self.documents = 0;
            self.warnings = 0;
        }
        Ok(())
    }

    fn export_item(&mut self, item: export::Item, origin: &Origin) -> Result<(), StoreError> {
        match item {
            export::Item::Advisory(a) => self.push(*a),
            export::Item::Kev(c) => {
                self.flush()?;
                self.send(Msg::Kev(Box::new(c), origin.clone()))
            }
            export::Item::Epss(s) => {
                self.flush()?;
                self.send(Msg::Epss(Box::new(s), origin.clone()))
            }
        }
    }

    fn skip(&mut self, origin: Origin, reason: String) {
        self.input_skipped += 1;
        // A closed channel is noticed at the next send.
        let _ = self.send(Msg::Skipped(Skipped { origin, reason }));
    }
}

/// KEV is recognised before the advisory readers: its top level also has
/// `vulnerabilities`.
fn looks_like_kev(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
        && head.windows(16).any(|w| w == b"\"catalogVersion\"")
}

impl Sink for Reader {
    fn document(&mut self, doc: input::Document) -> Result<(), StoreError> {
        let lower = doc.name.to_ascii_lowercase();
        if epss::looks_like(&doc.bytes) {
            let snapshot = epss::read(&doc.bytes, &doc.origin)?;
            self.flush()?;
            self.documents += 1;
            return self.send(Msg::Epss(Box::new(snapshot), doc.origin));
        }
        if lower.ends_with(".csv") {
            if doc.explicit {
                return Err(StoreError::NotAnAdvisory {
                    origin: doc.origin,
                    reason: "a CSV file that is not an EPSS score file".into(),
                });
            }
            self.skip(
                doc.origin,
                "a CSV file that is not an EPSS score file".into(),
            );
            return Ok(());
        }
        if export::looks_like(&doc.bytes) {
            self.documents += 1;
            let origin = doc.origin.clone();
            let max = doc.bytes.len() as u64;
            return export::read(&mut &doc.bytes[..], &doc.origin, max, |item| {
                self.export_item(item, &origin)
            });
        }
        if looks_like_kev(&doc.bytes) {
            let catalog = kev::read(&doc.bytes, &doc.origin)?;
            self.flush()?;
            self.documents += 1;
            return self.send(Msg::Kev(Box::new(catalog), doc.origin));
        }
        let options = ReadOptions {
            max_bytes: self.options.max_document_bytes,
            file_name: doc.origin.file_name(),
        };
        match medsec_formats::advisory::read(&doc.bytes, &options) {
            Ok(read) => {
                drop(doc.bytes);
                self.documents += 1;
                self.warnings += read.warnings.len() as u64;
                for a in read.advisories {
                    self.push(a)?;
                }
                Ok(())
            }
            Err(e @ (ReadError::UnknownFormat { .. } | ReadError::Unsupported { .. }))
                if !doc.explicit =>
            {
                self.skip(doc.origin, e.to_string());
                Ok(())
            }
            Err(e @ (ReadError::UnknownFormat { .. } | ReadError::Unsupported { .. })) => {
                Err(StoreError::NotAnAdvisory {
                    origin: doc.origin,
                    reason: e.to_string(),
                })
            }
            Err(source) => Err(StoreError::Read {
                origin: doc.origin,
                source,
            }),
        }
    }

    fn lines(
        &mut self,
        origin: Origin,
        reader: &mut dyn std::io::BufRead,
    ) -> Result<(), StoreError> {
        self.documents += 1;
        let max = self.options.limits.max_member_bytes;
        let o = origin.clone();
        export::read(reader, &origin, max, |item| self.export_item(item, &o))
    }

    fn skipped(&mut self, origin: Origin, reason: String) {
        self.skip(origin, reason);
    }

    fn progress(&mut self, bytes: u64) {
        let at = self.done_before + bytes;
        // Throttled: a message per MiB at most.
        if at >= self.last_progress + (1 << 20) {
            self.last_progress = at;
            let _ = self.send(Msg::Progress(at));
        }
    }
}

/// The state of one stored record as the writer knows it during the batch.
struct Current {
    id: i64,
    modified: Option<Timestamp>,
    hash: String,
    /// Index into this chunk's rows to write, when this chunk writes it.
    pending: Option<usize>,
}

pub(crate) struct Writer<'a, 'c> {
    pub conn: &'a mut Conn<'c>,
    pub batch_id: i64,
    pub next_id: i64,
    pub counts: RecordCounts,
    pub changed: bool,
    /// Records written: aliases must be regrouped.
    pub dirty: bool,
}

pub(crate) fn parse_ts(text: Option<String>) -> Option<Timestamp> {
    text.and_then(|t| t.parse().ok())
}

impl Writer<'_, '_> {
    pub(crate) async fn chunk(&mut self, chunk: Vec<Prepared>) -> Result<(), StoreError> {
        // What is stored for these keys.
        let mut keys: Vec<&str> = chunk.iter().map(|p| p.record_key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        let mut state: HashMap<(String, String), Current> = HashMap::with_capacity(chunk.len());
        for part in keys.chunks(500) {
            let sql = format!(
                "SELECT id, source, record_key, modified, content_hash FROM record WHERE record_key IN {}",
                in_list(part.len())
            );
            let args: Vec<Arg<'_>> = part.iter().map(|k| Arg::Text(k)).collect();
            for row in self.conn.fetch_all(&sql, &args).await? {
                state.insert(
                    (row.text(1)?, row.text(2)?),
                    Current {
                        id: row.i64(0)?,
                        modified: parse_ts(row.opt_text(3)?),
                        hash: row.text(4)?,
                        pending: None,
                    },
                );
            }
        }

        // Decide record by record, in input order, as if written one at a time.
        let mut rows: Vec<(i64, Prepared)> = Vec::with_capacity(chunk.len());
        let mut replaced_ids: Vec<i64> = Vec::new();
        for p in chunk {
            self.counts.read += 1;
            let key = (p.source.to_owned(), p.record_key.clone());
            match state.get_mut(&key) {
                None => {
                    let id = self.next_id;
                    self.next_id += 1;
                    self.counts.new += 1;
                    state.insert(
                        key,
                        Current {
                            id,
                            modified: p.modified,
                            hash: p.hash.clone(),
                            pending: Some(rows.len()),
                        },
                    );
                    rows.push((id, p));
                }
                Some(cur) => match prepare::decide(cur.modified, &cur.hash, p.modified, &p.hash) {
                    Decision::Unchanged => self.counts.unchanged += 1,
                    Decision::Older => self.counts.older += 1,
                    Decision::Replace => {
                        self.counts.replaced += 1;
                        cur.modified = p.modified;
                        cur.hash = p.hash.clone();
                        match cur.pending {
                            Some(i) => rows[i].1 = p,
                            None => {
                                replaced_ids.push(cur.id);
                                cur.pending = Some(rows.len());
                                rows.push((cur.id, p));
                            }
                        }
                    }
                },
            }
        }
        if rows.is_empty() {
            return Ok(());
        }
        self.changed = true;
        self.dirty = true;
        for part in replaced_ids.chunks(500) {
            let list = in_list(part.len());
            let args: Vec<Arg<'_>> = part.iter().map(|&i| Arg::I64(i)).collect();
            for table in ["alias", "match_key", "score", "cwe"] {
                let sql = format!("DELETE FROM {table} WHERE record_id IN {list}");
                self.conn.execute(&sql, &args).await?;
            }
            let sql = format!("DELETE FROM record WHERE id IN {list}");
            self.conn.execute(&sql, &args).await?;
        }
        self.write_rows(&rows).await
    }

    async fn write_rows(&mut self, rows: &[(i64, Prepared)]) -> Result<(), StoreError> {
        const RECORD: &str = "INSERT INTO record (id, source, record_key, advisory_id, format, vuln, published, modified, withdrawn, content_hash, encoding, body, batch_id)";
        let batch = self.batch_id;
        let mut args: Vec<Arg<'_>> = Vec::with_capacity(rows.len() * 13);
        for (id, p) in rows {
            args.extend([
                Arg::I64(*id),
                Arg::Text(p.source),
                Arg::Text(&p.record_key),
                Arg::Text(&p.advisory_id),
                Arg::Text(p.format),
                Arg::Text(&p.vuln),
                Arg::OptText(p.published.as_deref()),
                Arg::OptText(p.modified_text.as_deref()),
                Arg::I64(i64::from(p.withdrawn)),
                Arg::Text(&p.hash),
                Arg::Text(p.encoding),
                Arg::Blob(&p.body),
                Arg::I64(batch),
            ]);
        }
        let full = insert_sql(RECORD, 13, ROWS_PER_INSERT);
        insert_rows(self.conn, RECORD, 13, &args, &full).await?;

        const ALIAS: &str = "INSERT INTO alias (alias, record_id, kind, links)";
        let mut args: Vec<Arg<'_>> = Vec::new();
        for (id, p) in rows {
            for r in &p.ids {
                args.extend([
                    Arg::Text(&r.id),
                    Arg::I64(*id),
                    Arg::Text(r.kind),
                    Arg::I64(i64::from(r.links)),
                ]);
            }
        }
        let full = insert_sql(ALIAS, 4, ROWS_PER_INSERT);
        insert_rows(self.conn, ALIAS, 4, &args, &full).await?;

        const KEY: &str = "INSERT INTO match_key (key, record_id)";
        let mut args: Vec<Arg<'_>> = Vec::new();
        for (id, p) in rows {
            for k in &p.keys {
                args.extend([Arg::Text(k), Arg::I64(*id)]);
            }
        }
        let full = insert_sql(KEY, 2, ROWS_PER_INSERT);
        insert_rows(self.conn, KEY, 2, &args, &full).await?;

        const SCORE: &str = "INSERT INTO score (record_id, seq, kind, version, vector, base_score, computed_score, severity, scheme, scorer_role, scorer_name)";
        let mut args: Vec<Arg<'_>> = Vec::new();
        for (id, p) in rows {
            for (seq, s) in p.scores.iter().enumerate() {
                args.extend([
                    Arg::I64(*id),
                    Arg::I64(seq as i64),
                    Arg::Text(s.kind),
                    Arg::OptText(s.version.as_deref()),
                    Arg::OptText(s.vector.as_deref()),
                    Arg::OptF64(s.base_score),
                    Arg::OptF64(s.computed_score),
                    Arg::OptText(s.severity.as_deref()),
                    Arg::OptText(s.scheme.as_deref()),
                    Arg::Text(s.scorer_role),
                    Arg::OptText(s.scorer_name.as_deref()),
                ]);
            }
        }
        let full = insert_sql(SCORE, 11, ROWS_PER_INSERT);
        insert_rows(self.conn, SCORE, 11, &args, &full).await?;

        const CWE: &str = "INSERT INTO cwe (record_id, cwe)";
        let mut args: Vec<Arg<'_>> = Vec::new();
        for (id, p) in rows {
            for c in &p.cwes {
                args.extend([Arg::I64(*id), Arg::Text(c)]);
            }
        }
        let full = insert_sql(CWE, 2, ROWS_PER_INSERT);
        insert_rows(self.conn, CWE, 2, &args, &full).await?;
        Ok(())
    }

    pub(crate) async fn kev(&mut self, catalog: KevCatalog) -> Result<SnapshotOutcome, StoreError> {
        let hash = kev_hash(&catalog)?;
        let stored = self
            .conn
            .fetch_optional(
                "SELECT date_released, content_hash FROM kev_catalog WHERE id = 1",
                &[],
            )
            .await?;
        if let Some(row) = stored {
            let (date, stored_hash) = (row.text(0)?, row.text(1)?);
            let d = prepare::decide(
                kev::parse_released(&date),
                &stored_hash,
                kev::parse_released(&catalog.date_released),
                &hash,
            );
            match d {
                Decision::Unchanged => return Ok(SnapshotOutcome::Unchanged),
                Decision::Older => return Ok(SnapshotOutcome::Older),
                Decision::Replace => {}
            }
        }
        self.changed = true;
        self.conn.execute("DELETE FROM kev", &[]).await?;
        self.conn.execute("DELETE FROM kev_catalog", &[]).await?;
        let entries = catalog.entries.len() as i64;
        self.conn
            .execute(
                "INSERT INTO kev_catalog (id, title, catalog_version, date_released, entries, content_hash, batch_id) VALUES (1, ?, ?, ?, ?, ?, ?)",
                &[
                    Arg::OptText(catalog.title.as_deref()),
                    Arg::Text(&catalog.catalog_version),
                    Arg::Text(&catalog.date_released),
                    Arg::I64(entries),
                    Arg::Text(&hash),
                    Arg::I64(self.batch_id),
                ],
            )
            .await?;
        const KEV: &str = "INSERT INTO kev (cve_id, vendor_project, product, vulnerability_name, date_added, short_description, required_action, due_date, known_ransomware, notes, cwes, seq)";
        let cwes: Vec<String> = catalog
            .entries
            .iter()
            .map(|e| serde_json::to_string(&e.cwes).unwrap_or_else(|_| "[]".into()))
            .collect();
        let mut args: Vec<Arg<'_>> = Vec::with_capacity(catalog.entries.len() * 12);
        for (i, e) in catalog.entries.iter().enumerate() {
            args.extend([
                Arg::Text(&e.cve_id),
                Arg::Text(&e.vendor_project),
                Arg::Text(&e.product),
                Arg::Text(&e.vulnerability_name),
                Arg::Text(&e.date_added),
                Arg::Text(&e.short_description),
                Arg::Text(&e.required_action),
                Arg::Text(&e.due_date),
                Arg::OptText(e.known_ransomware_campaign_use.as_deref()),
                Arg::OptText(e.notes.as_deref()),
                Arg::Text(&cwes[i]),
                Arg::I64(i as i64),
            ]);
        }
        let full = insert_sql(KEV, 12, ROWS_PER_INSERT);
        insert_rows(self.conn, KEV, 12, &args, &full).await?;
        Ok(SnapshotOutcome::Imported {
            entries: entries as u64,
        })
    }

    pub(crate) async fn epss(
        &mut self,
        snapshot: EpssSnapshot,
    ) -> Result<SnapshotOutcome, StoreError> {
        let hash = epss_hash(&snapshot)?;
        let stored = self
            .conn
            .fetch_optional(
                "SELECT score_date, content_hash FROM epss_snapshot WHERE id = 1",
                &[],
            )
            .await?;
        if let Some(row) = stored {
            let (date, stored_hash) = (row.opt_text(0)?, row.text(1)?);
            let d = prepare::decide(
                date.as_deref().and_then(epss::parse_date),
                &stored_hash,
                snapshot.score_date.as_deref().and_then(epss::parse_date),
                &hash,
            );
            match d {
                Decision::Unchanged => return Ok(SnapshotOutcome::Unchanged),
                Decision::Older => return Ok(SnapshotOutcome::Older),
                Decision::Replace => {}
            }
        }
        self.changed = true;
        self.conn.execute("DELETE FROM epss", &[]).await?;
        self.conn.execute("DELETE FROM epss_snapshot", &[]).await?;
        let scores = snapshot.scores.len() as i64;
        self.conn
            .execute(
                "INSERT INTO epss_snapshot (id, model_version, score_date, scores, content_hash, batch_id) VALUES (1, ?, ?, ?, ?, ?)",
                &[
                    Arg::OptText(snapshot.model_version.as_deref()),
                    Arg::OptText(snapshot.score_date.as_deref()),
                    Arg::I64(scores),
                    Arg::Text(&hash),
                    Arg::I64(self.batch_id),
                ],
            )
            .await?;
        const EPSS: &str = "INSERT INTO epss (cve, epss, percentile)";
        let mut args: Vec<Arg<'_>> = Vec::with_capacity(snapshot.scores.len() * 3);
        for s in &snapshot.scores {
            args.extend([
                Arg::Text(&s.cve),
                Arg::OptF64(Some(s.epss)),
                Arg::OptF64(Some(s.percentile)),
            ]);
        }
        let full = insert_sql(EPSS, 3, ROWS_PER_INSERT);
        insert_rows(self.conn, EPSS, 3, &args, &full).await?;
        Ok(SnapshotOutcome::Imported {
            entries: scores as u64,
        })
    }
}

fn kev_hash(catalog: &KevCatalog) -> Result<String, StoreError> {
    let mut json = serde_json::to_vec(catalog).map_err(|e| StoreError::Internal(e.to_string()))?;
    for e in &catalog.entries {
        json.extend(serde_json::to_vec(e).map_err(|e| StoreError::Internal(e.to_string()))?);
    }
    Ok(input::sha256_hex(&json))
}

fn epss_hash(snapshot: &EpssSnapshot) -> Result<String, StoreError> {
    let mut json = serde_json::to_vec(snapshot).map_err(|e| StoreError::Internal(e.to_string()))?;
    for s in &snapshot.scores {
        json.extend(serde_json::to_vec(s).map_err(|e| StoreError::Internal(e.to_string()))?);
    }
    Ok(input::sha256_hex(&json))
}

/// Runs one import inside the transaction behind `conn`; the caller commits on `Ok`.
pub(crate) async fn run(
    conn: &mut Conn<'_>,
    sources: &[PathBuf],
    options: &ImportOptions,
    observer: &dyn ImportObserver,
    keys: KeysFn,
) -> Result<ImportSummary, StoreError> {
    let start = Instant::now();
    let started = Timestamp::now().to_string();
    // The batch row first: on SQLite the transaction already holds the write lock
    // (BEGIN IMMEDIATE); on PostgreSQL the advisory lock taken by the caller serialises
    // imports, so the ids chosen below are free.
    let batch_id = conn
        .scalar_i64("SELECT COALESCE(MAX(id), 0) + 1 FROM import_batch", &[])
        .await?;
    conn.execute(
        "INSERT INTO import_batch (id, started, outcome) VALUES (?, ?, 'running')",
        &[Arg::I64(batch_id), Arg::Text(&started)],
    )
    .await?;
    let next_id = conn
        .scalar_i64("SELECT COALESCE(MAX(id), 0) + 1 FROM record", &[])
        .await?;

    let (tx, mut rx) = mpsc::channel(CHANNEL);
    let handle = spawn_reader(sources.to_vec(), options.clone(), keys, tx);
    let mut writer = Writer {
        conn,
        batch_id,
        next_id,
        counts: RecordCounts::default(),
        changed: false,
        dirty: false,
    };
    let mut summary = ImportSummary {
        batch_id,
        inputs: Vec::new(),
        documents: 0,
        records: RecordCounts::default(),
        skipped: Vec::new(),
        warnings: 0,
        kev: Vec::new(),
        epss: Vec::new(),
        regrouped: 0,
        changed: false,
        seconds: 0.0,
    };
    observer.phase(ImportPhase::Reading);
    while let Some(msg) = rx.recv().await {
        match msg {
            Msg::Planned { inputs, bytes } => observer.planned(inputs, bytes),
            Msg::Input(path) => observer.input(&path),
            Msg::Progress(bytes) => observer.progress(bytes),
            Msg::Records(chunk) => {
                writer.chunk(chunk).await?;
                observer.records(&writer.counts);
            }
            Msg::Documents {
                documents,
                warnings,
            } => {
                summary.documents += documents;
                summary.warnings += warnings;
            }
            Msg::Kev(catalog, _origin) => {
                let outcome = writer.kev(*catalog).await?;
                summary.kev.push(outcome);
            }
            Msg::Epss(snapshot, _origin) => {
                let outcome = writer.epss(*snapshot).await?;
                summary.epss.push(outcome);
            }
            Msg::Skipped(s) => {
                observer.skipped(&s);
                summary.skipped.push(s);
            }
            Msg::InputDone(input) => summary.inputs.push(input),
        }
    }
    // The channel closed: the reader is done, or failed.
    match handle.join() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(e),
        Err(_) => return Err(StoreError::Internal("the reader thread panicked".into())),
    }
    if writer.dirty {
        observer.phase(ImportPhase::Grouping);
        summary.regrouped = group::regroup(writer.conn).await?;
    }
    observer.phase(ImportPhase::Committing);
    summary.records = writer.counts;
    summary.changed = writer.changed;
    let conn = writer.conn;
    for (seq, input) in summary.inputs.iter().enumerate() {
        let path = input.path.to_string_lossy();
        conn.execute(
            "INSERT INTO import_file (batch_id, seq, path, sha256, bytes, records, skipped) VALUES (?, ?, ?, ?, ?, ?, ?)",
            &[
                Arg::I64(batch_id),
                Arg::I64(seq as i64),
                Arg::Text(&path),
                Arg::Text(&input.sha256),
                Arg::I64(input.bytes as i64),
                Arg::I64(input.records as i64),
                Arg::I64(input.skipped as i64),
            ],
        )
        .await?;
    }
    let c = &summary.records;
    let kev_entries: u64 = summary
        .kev
        .iter()
        .map(|o| match o {
            SnapshotOutcome::Imported { entries } => *entries,
            _ => 0,
        })
        .sum();
    let epss_scores: u64 = summary
        .epss
        .iter()
        .map(|o| match o {
            SnapshotOutcome::Imported { entries } => *entries,
            _ => 0,
        })
        .sum();
    let finished = Timestamp::now().to_string();
    conn.execute(
        "UPDATE import_batch SET finished = ?, outcome = ?, files = ?, records_new = ?, records_replaced = ?, records_unchanged = ?, records_older = ?, skipped = ?, kev_entries = ?, epss_scores = ? WHERE id = ?",
        &[
            Arg::Text(&finished),
            Arg::Text(if summary.changed { "changed" } else { "unchanged" }),
            Arg::I64(summary.inputs.len() as i64),
            Arg::I64(c.new as i64),
            Arg::I64(c.replaced as i64),
            Arg::I64(c.unchanged as i64),
            Arg::I64(c.older as i64),
            Arg::I64(summary.skipped.len() as i64),
            Arg::I64(kev_entries as i64),
            Arg::I64(epss_scores as i64),
            Arg::I64(batch_id),
        ],
    )
    .await?;
    summary.seconds = start.elapsed().as_secs_f64();
    Ok(summary)
}
