//! The audit log (issue 10): every change to the store made through the server or the
//! account commands, appended as one entry: who, when, what (record kind and id), why
//! (an optional reason), and the record before and after as JSON.
//!
//! # The hash chain
//!
//! Entries are numbered from 1 without gaps (`seq`). Each entry's `hash` is the SHA-256
//! (lowercase hex) of the previous entry's hash, a newline, and the entry's canonical
//! content: the JSON array `[seq, at, actor, organisation_id, action, record_kind,
//! record_id, reason, before_json, after_json]`, where `before_json` and `after_json`
//! are the stored texts (so the hash never depends on how a JSON library orders keys).
//! The first entry's previous hash is 64 zeros ([`GENESIS`]).
//!
//! [`Store::audit_verify`] walks the chain and reports every entry whose content was
//! altered (its hash no longer matches), every entry removed from the middle (a gap in
//! `seq`, or a `prev_hash` that does not name the entry before), and an entry inserted
//! with a forged hash (the next entry's `prev_hash` no longer matches). Removing the
//! *last* entries leaves a shorter, consistent chain: only a copy of the head hash
//! kept elsewhere ([`AuditVerification::head`]) shows that; issue 11 builds on it.
//!
//! Appending holds the write lock (SQLite `BEGIN IMMEDIATE`; a PostgreSQL advisory
//! lock), so concurrent writers, in one process or several, extend one chain.
//! Triggers refuse UPDATE and DELETE on the table.

use sha2::{Digest, Sha256};

use crate::db::{Arg, Conn, Pool, Row};
use crate::error::{Result, StoreError};
use crate::store::Store;

/// The previous hash of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who makes a change and why; recorded with every entry.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// `account:ID EMAIL`, `token:ID NAME` or `cli:USER`.
    pub name: &'a str,
    pub reason: Option<&'a str>,
}

/// An entry to append.
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub actor: String,
    pub organisation_id: Option<i64>,
    /// `create`, `update`, `delete`, `add`, `record`, `revoke` …
    pub action: String,
    /// The kind of record changed (`product-version`, `document`, `triage-decision` …).
    pub record_kind: String,
    pub record_id: String,
    pub reason: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation_id: Option<i64>,
    pub action: String,
    pub record_kind: String,
    pub record_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The stored JSON text of the record before the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before_json: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// What is wrong with one entry of the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditProblem {
    pub seq: i64,
    pub message: String,
}

/// The result of [`Store::audit_verify`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditVerification {
    pub entries: i64,
    /// The last entry's hash ([`GENESIS`] for an empty log): keep it elsewhere to detect
    /// a truncated log later.
    pub head: String,
    pub problems: Vec<AuditProblem>,
}

impl AuditVerification {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The hash of an entry from the previous hash and its stored fields.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at: &str,
    actor: &str,
    organisation_id: Option<i64>,
    action: &str,
    record_kind: &str,
    record_id: &str,
    reason: Option<&str>,
    before_json: Option<&str>,
    after_json: Option<&str>,
) -> String {
    let canonical = serde_json::json!([
        seq,
        at,
        actor,
        organisation_id,
        action,
        record_kind,
        record_id,
        reason,
        before_json,
        after_json
    ]);
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical.to_string().as_bytes());
    crate::input::hex(&h.finalize())
}

fn to_text(v: &Option<serde_json::Value>) -> Option<String> {
    v.as_ref().map(|v| v.to_string())
}

/// Appends one entry on a connection that holds the write lock (see [`write_tx`]).
pub(crate) async fn append_in(
    c: &mut Conn<'_>,
    entry: &NewAuditEntry,
    at: &str,
) -> Result<AuditEntry> {
    let last = c
        .fetch_optional(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            &[],
        )
        .await?;
    let (seq, prev_hash) = match last {
        Some(row) => (row.i64(0)? + 1, row.text(1)?),
        None => (1, GENESIS.to_owned()),
    };
    let before_json = to_text(&entry.before);
    let after_json = to_text(&entry.after);
    let hash = entry_hash(
        &prev_hash,
        seq,
        at,
        &entry.actor,
        entry.organisation_id,
        &entry.action,
        &entry.record_kind,
        &entry.record_id,
        entry.reason.as_deref(),
        before_json.as_deref(),
        after_json.as_deref(),
    );
    c.execute(
        "INSERT INTO audit_log (seq, at, actor, organisation_id, action, record_kind, record_id, reason, before_json, after_json, prev_hash, hash) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            Arg::I64(seq),
            Arg::Text(at),
            Arg::Text(&entry.actor),
            Arg::OptI64(entry.organisation_id),
            Arg::Text(&entry.action),
            Arg::Text(&entry.record_kind),
            Arg::Text(&entry.record_id),
            Arg::OptText(entry.reason.as_deref()),
            Arg::OptText(before_json.as_deref()),
            Arg::OptText(after_json.as_deref()),
            Arg::Text(&prev_hash),
            Arg::Text(&hash),
        ],
    )
    .await?;
    Ok(AuditEntry {
        seq,
        at: at.to_owned(),
        actor: entry.actor.clone(),
        organisation_id: entry.organisation_id,
        action: entry.action.clone(),
        record_kind: entry.record_kind.clone(),
        record_id: entry.record_id.clone(),
        reason: entry.reason.clone(),
        before_json,
        after_json,
        prev_hash,
        hash,
    })
}

/// Runs `f` in one transaction holding the write lock: SQLite `BEGIN IMMEDIATE` (with
/// `synchronous=FULL`: accounts and the audit log are not re-derivable), PostgreSQL a
/// transaction-scoped advisory lock. Several processes extend one audit chain this way.
pub(crate) async fn write_tx<T>(
    store: &Store,
    f: impl AsyncFnOnce(&mut Conn<'_>) -> Result<T>,
) -> Result<T> {
    match &store.pool {
        Pool::Sqlite(p) => {
            let mut c = p.acquire().await?;
            sqlx::query("PRAGMA synchronous = FULL")
                .execute(&mut *c)
                .await?;
            let mut tx = sqlx::Connection::begin_with(&mut *c, "BEGIN IMMEDIATE").await?;
            let result = f(&mut Conn::Sqlite(&mut tx)).await;
            let out = match result {
                Ok(v) => {
                    tx.commit().await?;
                    Ok(v)
                }
                Err(e) => {
                    tx.rollback().await?;
                    Err(e)
                }
            };
            sqlx::query("PRAGMA synchronous = NORMAL")
                .execute(&mut *c)
                .await?;
            out
        }
        Pool::Postgres(p) => {
            let mut tx = p.begin().await?;
            // The audit chain's lock: one appender at a time across every process.
            sqlx::query("SELECT pg_advisory_xact_lock(7310)")
                .execute(&mut *tx)
                .await?;
            let result = f(&mut Conn::Postgres(&mut tx)).await;
            match result {
                Ok(v) => {
                    tx.commit().await?;
                    Ok(v)
                }
                Err(e) => {
                    tx.rollback().await?;
                    Err(e)
                }
            }
        }
    }
}

const ENTRY_COLUMNS: &str = "seq, at, actor, organisation_id, action, record_kind, record_id, reason, before_json, after_json, prev_hash, hash";

fn entry_row(row: &Row) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: row.i64(0)?,
        at: row.text(1)?,
        actor: row.text(2)?,
        organisation_id: row.opt_i64(3)?,
        action: row.text(4)?,
        record_kind: row.text(5)?,
        record_id: row.text(6)?,
        reason: row.opt_text(7)?,
        before_json: row.opt_text(8)?,
        after_json: row.opt_text(9)?,
        prev_hash: row.text(10)?,
        hash: row.text(11)?,
    })
}

impl Store {
    /// Appends one entry to the audit log. `at` is an RFC 3339 time.
    pub async fn audit_append(&self, entry: &NewAuditEntry, at: &str) -> Result<AuditEntry> {
        write_tx(self, async |c| append_in(c, entry, at).await).await
    }

    /// Entries after `after_seq`, oldest first, at most `limit`; only one organisation's
    /// when `organisation_id` is given.
    pub async fn audit_entries(
        &self,
        organisation_id: Option<i64>,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        self.with_conn(async |c| {
            let rows = match organisation_id {
                Some(org) => {
                    c.fetch_all(
                        &format!(
                            "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE organisation_id = ? AND seq > ? ORDER BY seq LIMIT ?"
                        ),
                        &[Arg::I64(org), Arg::I64(after_seq), Arg::I64(limit)],
                    )
                    .await?
                }
                None => {
                    c.fetch_all(
                        &format!(
                            "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?"
                        ),
                        &[Arg::I64(after_seq), Arg::I64(limit)],
                    )
                    .await?
                }
            };
            rows.iter().map(entry_row).collect()
        })
        .await
    }

    /// Walks the whole chain and reports every break (see the module documentation).
    pub async fn audit_verify(&self) -> Result<AuditVerification> {
        self.with_conn(async |c| {
            let mut expected_seq = 1i64;
            let mut prev = GENESIS.to_owned();
            let mut entries = 0i64;
            let mut problems = Vec::new();
            let mut failure: Option<StoreError> = None;
            c.for_each(
                &format!("SELECT {ENTRY_COLUMNS} FROM audit_log ORDER BY seq"),
                &[],
                |row| {
                    let e = match entry_row(&row) {
                        Ok(e) => e,
                        Err(err) => {
                            failure = Some(err);
                            return Ok(false);
                        }
                    };
                    entries += 1;
                    if e.seq != expected_seq {
                        problems.push(AuditProblem {
                            seq: e.seq,
                            message: format!(
                                "entry {} follows entry {}: {} entr{} missing",
                                e.seq,
                                expected_seq - 1,
                                e.seq - expected_seq,
                                if e.seq - expected_seq == 1 { "y is" } else { "ies are" }
                            ),
                        });
                    }
                    if e.prev_hash != prev {
                        problems.push(AuditProblem {
                            seq: e.seq,
                            message: "its previous hash does not name the entry before it (an entry was removed, inserted or altered)".into(),
                        });
                    }
                    let actual = entry_hash(
                        &e.prev_hash,
                        e.seq,
                        &e.at,
                        &e.actor,
                        e.organisation_id,
                        &e.action,
                        &e.record_kind,
                        &e.record_id,
                        e.reason.as_deref(),
                        e.before_json.as_deref(),
                        e.after_json.as_deref(),
                    );
                    if actual != e.hash {
                        problems.push(AuditProblem {
                            seq: e.seq,
                            message: format!(
                                "its content hashes to {actual}, recorded as {}: the entry was altered",
                                e.hash
                            ),
                        });
                    }
                    expected_seq = e.seq + 1;
                    prev = e.hash;
                    Ok(true)
                },
            )
            .await?;
            if let Some(err) = failure {
                return Err(err);
            }
            Ok(AuditVerification {
                entries,
                head: prev,
                problems,
            })
        })
        .await
    }
}
