//! The audit trail of regulated records (issue 11; 21 CFR Part 11 and EU GMP Annex 11
//! practice): every write of a product version, a version document (device model, SBOM),
//! a triage decision, a test result with its evidence, or a deployment snapshot appends
//! an audit entry in the same transaction: who (the store's [`Attribution`]), when,
//! what (record kind and id), why (the attribution's reason) and the record before and
//! after, as the store holds it. The audit log itself is hash-chained (`audit.rs`).
//!
//! [`Store::verify_records`] reads every regulated record and compares it with the
//! `after` of its latest audit entry: a record edited, added or deleted behind medsec's
//! back (the append-only triggers dropped, the file edited) no longer matches. Stored
//! file contents (documents, evidence files) are checked against their SHA-256.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::audit::NewAuditEntry;
use crate::db::{Arg, Conn, Row};
use crate::error::Result;
use crate::store::Store;

/// Who changes regulated records through this store handle, and why. Set with
/// [`Store::acting_as`]; without it entries name the actor `unattributed`, which
/// `medsec audit verify` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    /// `cli:USER`, `account:ID EMAIL`, `token:ID NAME` …
    pub actor: String,
    pub reason: Option<String>,
}

/// The actor recorded when the store handle carries no attribution.
pub const UNATTRIBUTED: &str = "unattributed";

#[derive(Debug, Clone, Copy)]
enum Col {
    Text,
    OptText,
    I64,
    OptI64,
    OptF64,
}

/// A kind of regulated record: its table and the columns that make it up, in order.
struct Spec {
    kind: &'static str,
    table: &'static str,
    columns: &'static [(&'static str, Col)],
}

const PRODUCT_VERSION: Spec = Spec {
    kind: "product-version",
    table: "product_version",
    columns: &[
        ("id", Col::I64),
        ("product_id", Col::I64),
        ("version", Col::Text),
        ("release_date", Col::OptText),
        ("end_of_support", Col::OptText),
        ("installed_base", Col::OptI64),
        ("created_at", Col::Text),
    ],
};

const DOCUMENT: Spec = Spec {
    kind: "document",
    table: "version_document",
    columns: &[
        ("id", Col::I64),
        ("product_version_id", Col::I64),
        ("kind", Col::Text),
        ("name", Col::Text),
        ("revision", Col::I64),
        ("format", Col::Text),
        ("sha256", Col::Text),
        ("size", Col::I64),
        ("added_at", Col::Text),
    ],
};

const TRIAGE_DECISION: Spec = Spec {
    kind: "triage-decision",
    table: "triage_decision",
    columns: &[
        ("id", Col::I64),
        ("product_version_id", Col::I64),
        ("component", Col::Text),
        ("vulnerability", Col::Text),
        ("state", Col::Text),
        ("justification", Col::OptText),
        ("impact", Col::OptText),
        ("action", Col::OptText),
        ("author", Col::Text),
        ("rationale", Col::Text),
        ("at", Col::Text),
        ("adjusted_vector", Col::OptText),
        ("adjusted_score", Col::OptF64),
    ],
};

const TEST_RESULT: Spec = Spec {
    kind: "test-result",
    table: "test_result",
    columns: &[
        ("id", Col::I64),
        ("manufacturer", Col::Text),
        ("device", Col::Text),
        ("version", Col::Text),
        ("test_id", Col::Text),
        ("outcome", Col::Text),
        ("tester", Col::Text),
        ("laboratory", Col::OptText),
        ("accreditation", Col::OptText),
        ("performed_on", Col::Text),
        ("tools", Col::Text),
        ("notes", Col::OptText),
        ("recorded_at", Col::Text),
    ],
};

const DEPLOYMENT: Spec = Spec {
    kind: "deployment",
    table: "deployment_snapshot",
    columns: &[
        ("id", Col::I64),
        ("product_version_id", Col::I64),
        ("on_day", Col::Text),
        ("installed", Col::I64),
        ("recorded_at", Col::Text),
    ],
};

const SPECS: [&Spec; 5] = [
    &PRODUCT_VERSION,
    &DOCUMENT,
    &TRIAGE_DECISION,
    &TEST_RESULT,
    &DEPLOYMENT,
];

/// The kinds of regulated record, as audit entries name them.
pub const KINDS: [&str; 5] = [
    "product-version",
    "document",
    "triage-decision",
    "test-result",
    "deployment",
];

fn spec_of(kind: &str) -> Option<&'static Spec> {
    SPECS.into_iter().find(|s| s.kind == kind)
}

fn value_of(row: &Row, i: usize, col: Col) -> Result<Value> {
    Ok(match col {
        Col::Text => Value::from(row.text(i)?),
        Col::OptText => row.opt_text(i)?.map_or(Value::Null, Value::from),
        Col::I64 => Value::from(row.i64(i)?),
        Col::OptI64 => row.opt_i64(i)?.map_or(Value::Null, Value::from),
        Col::OptF64 => row.opt_f64(i)?.map_or(Value::Null, Value::from),
    })
}

fn select_of(spec: &Spec) -> String {
    let names: Vec<&str> = spec.columns.iter().map(|(n, _)| *n).collect();
    format!("SELECT {} FROM {}", names.join(", "), spec.table)
}

fn object_of(spec: &Spec, row: &Row) -> Result<Map<String, Value>> {
    let mut object = Map::new();
    for (i, (name, col)) in spec.columns.iter().enumerate() {
        object.insert((*name).to_owned(), value_of(row, i, *col)?);
    }
    Ok(object)
}

/// A test result's evidence list, which is part of the record.
async fn evidence_of(c: &mut Conn<'_>, result_id: i64) -> Result<Value> {
    let rows = c
        .fetch_all(
            "SELECT seq, name, sha256 FROM test_result_evidence WHERE result_id = ? ORDER BY seq",
            &[Arg::I64(result_id)],
        )
        .await?;
    let mut list = Vec::with_capacity(rows.len());
    for r in rows {
        list.push(serde_json::json!({
            "seq": r.i64(0)?,
            "name": r.text(1)?,
            "sha256": r.text(2)?,
        }));
    }
    Ok(Value::Array(list))
}

/// The record as the audit trail keeps it, or `None` when there is no such record.
async fn record_json(c: &mut Conn<'_>, spec: &Spec, id: i64) -> Result<Option<Value>> {
    let Some(row) = c
        .fetch_optional(
            &format!("{} WHERE id = ?", select_of(spec)),
            &[Arg::I64(id)],
        )
        .await?
    else {
        return Ok(None);
    };
    let mut object = object_of(spec, &row)?;
    if spec.kind == TEST_RESULT.kind {
        object.insert("evidence".into(), evidence_of(c, id).await?);
    }
    Ok(Some(Value::Object(object)))
}

async fn organisation_of_version(c: &mut Conn<'_>, version: i64) -> Result<Option<i64>> {
    let sql = "SELECT p.organisation_id FROM product_version v JOIN product p ON p.id = v.product_id WHERE v.id = ?";
    match c.fetch_optional(sql, &[Arg::I64(version)]).await? {
        Some(row) => Ok(Some(row.i64(0)?)),
        None => Ok(None),
    }
}

/// The organisation a record belongs to, where the store can tell.
async fn organisation_of(c: &mut Conn<'_>, spec: &Spec, record: &Value) -> Result<Option<i64>> {
    if spec.kind == PRODUCT_VERSION.kind {
        return match record["id"].as_i64() {
            Some(id) => organisation_of_version(c, id).await,
            None => Ok(None),
        };
    }
    if let Some(version) = record["product_version_id"].as_i64() {
        return organisation_of_version(c, version).await;
    }
    if let Some(manufacturer) = record["manufacturer"].as_str() {
        return match c
            .fetch_optional(
                "SELECT id FROM organisation WHERE name = ?",
                &[Arg::Text(manufacturer)],
            )
            .await?
        {
            Some(row) => Ok(Some(row.i64(0)?)),
            None => Ok(None),
        };
    }
    Ok(None)
}

/// Reads a record as it is before a change (inside the writing transaction).
pub(crate) async fn before(c: &mut Conn<'_>, kind: &str, id: i64) -> Result<Option<Value>> {
    match spec_of(kind) {
        Some(spec) => record_json(c, spec, id).await,
        None => Ok(None),
    }
}

/// Appends the audit entry of a change to a regulated record, inside the transaction
/// that made it (which holds the audit chain's lock: see `portfolio::in_transaction`).
pub(crate) async fn audit_change(
    c: &mut Conn<'_>,
    attribution: Option<&Arc<Attribution>>,
    kind: &str,
    id: i64,
    action: &str,
    before: Option<Value>,
    at: &str,
) -> Result<()> {
    let Some(spec) = spec_of(kind) else {
        return Ok(());
    };
    let after = record_json(c, spec, id).await?;
    let organisation_id = match after.as_ref().or(before.as_ref()) {
        Some(record) => organisation_of(c, spec, record).await?,
        None => None,
    };
    let entry = NewAuditEntry {
        actor: attribution.map_or_else(|| UNATTRIBUTED.to_owned(), |a| a.actor.clone()),
        organisation_id,
        action: action.to_owned(),
        record_kind: kind.to_owned(),
        record_id: id.to_string(),
        reason: attribution.and_then(|a| a.reason.clone()),
        before,
        after,
    };
    crate::audit::append_in(c, &entry, at).await?;
    Ok(())
}

/// One regulated record that does not match its audit trail.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecordProblem {
    pub record_kind: String,
    pub record_id: String,
    pub problem: String,
}

/// What [`Store::verify_records`] found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecordVerification {
    /// Regulated records read.
    pub records: u64,
    /// Audit entries made without an attribution.
    pub unattributed: u64,
    pub problems: Vec<RecordProblem>,
}

/// The fields in which two records differ, as `field: old → new`.
fn differences(audited: &Value, stored: &Value) -> String {
    let empty = Map::new();
    let a = audited.as_object().unwrap_or(&empty);
    let s = stored.as_object().unwrap_or(&empty);
    let keys: BTreeSet<&String> = a.keys().chain(s.keys()).collect();
    let mut out = Vec::new();
    for k in keys {
        let (x, y) = (
            a.get(k).unwrap_or(&Value::Null),
            s.get(k).unwrap_or(&Value::Null),
        );
        if x != y {
            let short = |v: &Value| {
                let text = v.to_string();
                if text.chars().count() > 80 {
                    format!("{}…", text.chars().take(80).collect::<String>())
                } else {
                    text
                }
            };
            out.push(format!("{k}: {} → {}", short(x), short(y)));
        }
    }
    out.join("; ")
}

impl Store {
    /// A handle on the same store whose changes to regulated records are attributed to
    /// `actor` (with an optional reason) in the audit trail.
    pub fn acting_as(&self, actor: impl Into<String>, reason: Option<String>) -> Store {
        let mut store = self.clone();
        store.attribution = Some(Arc::new(Attribution {
            actor: actor.into(),
            reason,
        }));
        store
    }

    pub fn attribution(&self) -> Option<&Attribution> {
        self.attribution.as_deref()
    }

    /// Compares every regulated record with its latest audit entry, and every stored
    /// file with its SHA-256 (see the module documentation).
    pub async fn verify_records(&self) -> Result<RecordVerification> {
        self.with_conn(async |c| {
            // The latest `after` of every audited record, and who made the entries.
            let mut audited: BTreeMap<(String, String), (i64, Option<String>)> = BTreeMap::new();
            let mut unattributed = 0u64;
            let kinds = crate::db::in_list(KINDS.len());
            let args: Vec<Arg<'_>> = KINDS.iter().map(|k| Arg::Text(k)).collect();
            for row in c
                .fetch_all(
                    &format!(
                        "SELECT seq, record_kind, record_id, after_json, actor FROM audit_log WHERE record_kind IN {kinds} ORDER BY seq"
                    ),
                    &args,
                )
                .await?
            {
                if row.text(4)? == UNATTRIBUTED {
                    unattributed += 1;
                }
                audited.insert((row.text(1)?, row.text(2)?), (row.i64(0)?, row.opt_text(3)?));
            }
            let mut problems = Vec::new();
            let mut records = 0u64;
            let mut present: BTreeSet<(String, String)> = BTreeSet::new();
            for spec in SPECS {
                let rows = c
                    .fetch_all(&format!("{} ORDER BY id", select_of(spec)), &[])
                    .await?;
                for row in rows {
                    records += 1;
                    let mut object = object_of(spec, &row)?;
                    let id = row.i64(0)?;
                    if spec.kind == TEST_RESULT.kind {
                        object.insert("evidence".into(), evidence_of(c, id).await?);
                    }
                    let stored = Value::Object(object);
                    let key = (spec.kind.to_owned(), id.to_string());
                    present.insert(key.clone());
                    let problem = match audited.get(&key) {
                        None => Some("no audit entry: written before the audit trail existed, or behind medsec's back".to_owned()),
                        Some((seq, None)) => Some(format!(
                            "audit entry {seq} says it was removed, but the record is there"
                        )),
                        Some((seq, Some(after))) => match serde_json::from_str::<Value>(after) {
                            Err(e) => Some(format!("audit entry {seq} is not JSON: {e}")),
                            Ok(after) if after != stored => Some(format!(
                                "differs from audit entry {seq}: {}",
                                differences(&after, &stored)
                            )),
                            Ok(_) => None,
                        },
                    };
                    if let Some(problem) = problem {
                        problems.push(RecordProblem {
                            record_kind: key.0,
                            record_id: key.1,
                            problem,
                        });
                    }
                }
            }
            for ((kind, id), (seq, after)) in &audited {
                if after.is_some() && !present.contains(&(kind.clone(), id.clone())) {
                    problems.push(RecordProblem {
                        record_kind: kind.clone(),
                        record_id: id.clone(),
                        problem: format!(
                            "deleted: audit entry {seq} records it, the store no longer holds it"
                        ),
                    });
                }
            }
            // Stored contents against their hashes.
            for (kind, sql) in [
                (
                    "document",
                    "SELECT id, sha256, size, content FROM version_document ORDER BY id",
                ),
                (
                    "evidence-file",
                    "SELECT sha256, sha256, size, content FROM evidence_blob ORDER BY sha256",
                ),
            ] {
                let rows = c.fetch_all(sql, &[]).await?;
                for row in rows {
                    let id = if kind == "document" {
                        row.i64(0)?.to_string()
                    } else {
                        row.text(0)?
                    };
                    let content = row.blob(3)?;
                    let actual = crate::input::hex(&Sha256::digest(&content));
                    if actual != row.text(1)? || content.len() as i64 != row.i64(2)? {
                        problems.push(RecordProblem {
                            record_kind: kind.to_owned(),
                            record_id: id,
                            problem: format!(
                                "content changed: it now hashes to {actual} ({} bytes)",
                                content.len()
                            ),
                        });
                    }
                }
            }
            Ok(RecordVerification {
                records,
                unattributed,
                problems,
            })
        })
        .await
    }
}
