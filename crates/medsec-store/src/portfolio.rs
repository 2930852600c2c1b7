//! The product portfolio (issue 8): organisations → products → versions, each version's
//! documents (SBOMs and device models, kept and versioned), the findings monitoring
//! records for each version with their history, and triage decisions.
//!
//! Documents, finding events and triage decisions are append-only (triggers refuse
//! UPDATE and DELETE). A finding row holds the current state of one (version,
//! component, vulnerability); what happened to it is in `finding_event`.

use medsec_postmarket::triage::{Decision, TriageState};
use sha2::{Digest, Sha256};

use crate::db::{Arg, Conn, Pool, Row};
use crate::error::{Result, StoreError};
use crate::regulated;
use crate::store::Store;

/// Names a product version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct VersionRef {
    pub organisation: String,
    pub product: String,
    pub version: String,
}

/// What `portfolio add` sets on a version; `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub struct VersionFacts {
    pub release_date: Option<String>,
    pub end_of_support: Option<String>,
    pub installed_base: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VersionInfo {
    pub id: i64,
    #[serde(flatten)]
    pub name: VersionRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_of_support: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installed_base: Option<i64>,
    pub created_at: String,
}

/// A document of a version (its current revision unless asked otherwise).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DocumentInfo {
    pub id: i64,
    /// `sbom` or `device-model`.
    pub kind: String,
    pub name: String,
    pub revision: i64,
    pub format: String,
    pub sha256: String,
    pub size: i64,
    pub added_at: String,
}

/// A finding as monitoring recorded it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredFinding {
    pub id: i64,
    pub version_id: i64,
    pub component: String,
    pub vulnerability: String,
    pub open: bool,
    pub status: String,
    pub severity: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    pub kev: bool,
    pub content_hash: String,
    /// The scan finding, as JSON.
    pub detail: serde_json::Value,
    pub first_seen: String,
    pub last_changed: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<String>,
}

/// A finding as a monitoring run saw it now.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedFinding {
    pub component: String,
    pub vulnerability: String,
    pub status: String,
    pub severity: String,
    pub score: Option<f64>,
    pub kev: bool,
    pub detail: serde_json::Value,
}

impl ObservedFinding {
    /// What a change is judged on: status, severity, score, KEV and the fixed versions
    /// (the evidence's wording may change without the finding changing).
    pub fn content_hash(&self) -> String {
        let fixed = self.detail.get("fixed_in").cloned().unwrap_or_default();
        let key = serde_json::json!([self.status, self.severity, self.score, self.kev, fixed]);
        crate::input::hex(&Sha256::digest(key.to_string().as_bytes()))
    }
}

/// A change a run recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FindingChange {
    pub version_id: i64,
    pub component: String,
    pub vulnerability: String,
    /// `new`, `changed`, `resolved` or `reopened`.
    pub kind: String,
    pub summary: String,
    pub severity: String,
    pub status: String,
    pub kev: bool,
}

/// One monitoring run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MonitorRun {
    pub id: i64,
    pub started_at: String,
    pub finished_at: String,
    pub store_batch: i64,
    pub last_document: i64,
    pub versions: i64,
    pub new: i64,
    pub changed: i64,
    pub resolved: i64,
}

const VERSION_SELECT: &str = "SELECT v.id, o.name, p.name, v.version, v.release_date, v.end_of_support, v.installed_base, v.created_at \
     FROM product_version v JOIN product p ON p.id = v.product_id JOIN organisation o ON o.id = p.organisation_id";

const FINDING_COLUMNS: &str = "id, product_version_id, component, vulnerability, open, status, severity, score, kev, content_hash, detail, first_seen, last_changed, resolved_at";

fn version_row(row: &Row) -> Result<VersionInfo> {
    Ok(VersionInfo {
        id: row.i64(0)?,
        name: VersionRef {
            organisation: row.text(1)?,
            product: row.text(2)?,
            version: row.text(3)?,
        },
        release_date: row.opt_text(4)?,
        end_of_support: row.opt_text(5)?,
        installed_base: row.opt_i64(6)?,
        created_at: row.text(7)?,
    })
}

fn finding_row(row: &Row) -> Result<StoredFinding> {
    let detail_text = row.text(10)?;
    let detail = serde_json::from_str(&detail_text).map_err(|e| StoreError::Corrupt {
        record: format!("finding {}", row.i64(0).unwrap_or(0)),
        message: e.to_string(),
    })?;
    Ok(StoredFinding {
        id: row.i64(0)?,
        version_id: row.i64(1)?,
        component: row.text(2)?,
        vulnerability: row.text(3)?,
        open: row.i64(4)? != 0,
        status: row.text(5)?,
        severity: row.text(6)?,
        score: row.opt_f64(7)?,
        kev: row.i64(8)? != 0,
        content_hash: row.text(9)?,
        detail,
        first_seen: row.text(11)?,
        last_changed: row.text(12)?,
        resolved_at: row.opt_text(13)?,
    })
}

/// Runs `f` in one transaction (SQLite with `synchronous=FULL`: these are regulated
/// records that cannot be re-derived from public feeds).
pub(crate) async fn in_transaction<T>(
    store: &Store,
    f: impl AsyncFnOnce(&mut Conn<'_>) -> Result<T>,
) -> Result<T> {
    match &store.pool {
        Pool::Sqlite(p) => {
            let mut c = p.acquire().await?;
            sqlx::query("PRAGMA synchronous = FULL")
                .execute(&mut *c)
                .await?;
            // IMMEDIATE: the write lock from the start, as the audit chain's appends
            // need (regulated writes append their audit entry in this transaction).
            let mut tx = sqlx::Connection::begin_with(&mut *c, "BEGIN IMMEDIATE").await?;
            let result = f(&mut Conn::Sqlite(&mut tx)).await;
            match result {
                Ok(v) => {
                    tx.commit().await?;
                    sqlx::query("PRAGMA synchronous = NORMAL")
                        .execute(&mut *c)
                        .await?;
                    Ok(v)
                }
                Err(e) => {
                    tx.rollback().await?;
                    Err(e)
                }
            }
        }
        Pool::Postgres(p) => {
            let mut tx = p.begin().await?;
            // One writer of the portfolio at a time, so that ids and revisions chosen
            // inside the transaction stay free.
            sqlx::query("SELECT pg_advisory_xact_lock(7307)")
                .execute(&mut *tx)
                .await?;
            // The audit chain's lock (always taken after 7307, never before it, so the
            // two cannot deadlock): regulated writes append their audit entry here.
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

async fn insert_returning_id(c: &mut Conn<'_>, sql: &str, args: &[Arg<'_>]) -> Result<i64> {
    match c
        .fetch_optional(&format!("{sql} RETURNING id"), args)
        .await?
    {
        Some(row) => row.i64(0),
        None => Err(StoreError::Corrupt {
            record: "portfolio".into(),
            message: "an insert returned no id".into(),
        }),
    }
}

/// What an edit of a triage decision expects the latest decision to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// No check: append whatever was decided meanwhile.
    Any,
    /// The finding has no decision in this version yet.
    NoDecision,
    /// The latest decision in this version is this one.
    Latest(i64),
}

impl Store {
    /// Adds a product version (creating its organisation and product when new) or
    /// updates the facts given for an existing one. Returns the version and whether it
    /// was created.
    pub async fn portfolio_add(
        &self,
        name: &VersionRef,
        facts: &VersionFacts,
        now: &str,
    ) -> Result<(VersionInfo, bool)> {
        let (id, created) = in_transaction(self, async |c| {
            let org = match c
                .fetch_optional(
                    "SELECT id FROM organisation WHERE name = ?",
                    &[Arg::Text(&name.organisation)],
                )
                .await?
            {
                Some(row) => row.i64(0)?,
                None => {
                    insert_returning_id(
                        c,
                        "INSERT INTO organisation (name, created_at) VALUES (?, ?)",
                        &[Arg::Text(&name.organisation), Arg::Text(now)],
                    )
                    .await?
                }
            };
            let product = match c
                .fetch_optional(
                    "SELECT id FROM product WHERE organisation_id = ? AND name = ?",
                    &[Arg::I64(org), Arg::Text(&name.product)],
                )
                .await?
            {
                Some(row) => row.i64(0)?,
                None => {
                    insert_returning_id(
                        c,
                        "INSERT INTO product (organisation_id, name, created_at) VALUES (?, ?, ?)",
                        &[Arg::I64(org), Arg::Text(&name.product), Arg::Text(now)],
                    )
                    .await?
                }
            };
            let existing = c
                .fetch_optional(
                    "SELECT id FROM product_version WHERE product_id = ? AND version = ?",
                    &[Arg::I64(product), Arg::Text(&name.version)],
                )
                .await?;
            match existing {
                Some(row) => {
                    let id = row.i64(0)?;
                    let before = regulated::before(c, "product-version", id).await?;
                    if let Some(d) = &facts.release_date {
                        c.execute(
                            "UPDATE product_version SET release_date = ? WHERE id = ?",
                            &[Arg::Text(d), Arg::I64(id)],
                        )
                        .await?;
                    }
                    if let Some(d) = &facts.end_of_support {
                        c.execute(
                            "UPDATE product_version SET end_of_support = ? WHERE id = ?",
                            &[Arg::Text(d), Arg::I64(id)],
                        )
                        .await?;
                    }
                    if let Some(n) = facts.installed_base {
                        c.execute(
                            "UPDATE product_version SET installed_base = ? WHERE id = ?",
                            &[Arg::I64(n), Arg::I64(id)],
                        )
                        .await?;
                    }
                    let after = regulated::before(c, "product-version", id).await?;
                    if after != before {
                        regulated::audit_change(
                            c,
                            self.attribution.as_ref(),
                            "product-version",
                            id,
                            "update",
                            before,
                            now,
                        )
                        .await?;
                    }
                    Ok((id, false))
                }
                None => {
                    let id = insert_returning_id(
                        c,
                        "INSERT INTO product_version (product_id, version, release_date, end_of_support, installed_base, created_at) \
                         VALUES (?, ?, ?, ?, ?, ?)",
                        &[
                            Arg::I64(product),
                            Arg::Text(&name.version),
                            Arg::OptText(facts.release_date.as_deref()),
                            Arg::OptText(facts.end_of_support.as_deref()),
                            Arg::OptI64(facts.installed_base),
                            Arg::Text(now),
                        ],
                    )
                    .await?;
                    regulated::audit_change(
                        c,
                        self.attribution.as_ref(),
                        "product-version",
                        id,
                        "create",
                        None,
                        now,
                    )
                    .await?;
                    Ok((id, true))
                }
            }
        })
        .await?;
        let info = self
            .version_by_id(id)
            .await?
            .ok_or_else(|| StoreError::Corrupt {
                record: format!("product version {id}"),
                message: "not found after writing it".into(),
            })?;
        Ok((info, created))
    }

    async fn version_by_id(&self, id: i64) -> Result<Option<VersionInfo>> {
        self.with_conn(async |c| {
            match c
                .fetch_optional(&format!("{VERSION_SELECT} WHERE v.id = ?"), &[Arg::I64(id)])
                .await?
            {
                Some(row) => Ok(Some(version_row(&row)?)),
                None => Ok(None),
            }
        })
        .await
    }

    /// Every product version, by organisation, product and then version order.
    pub async fn portfolio_versions(&self) -> Result<Vec<VersionInfo>> {
        self.with_conn(async |c| {
            let rows = c
                .fetch_all(
                    &format!("{VERSION_SELECT} ORDER BY o.name, p.name, v.id"),
                    &[],
                )
                .await?;
            rows.iter().map(version_row).collect()
        })
        .await
    }

    /// One product version by name.
    pub async fn portfolio_version(&self, name: &VersionRef) -> Result<Option<VersionInfo>> {
        self.with_conn(async |c| {
            match c
                .fetch_optional(
                    &format!("{VERSION_SELECT} WHERE o.name = ? AND p.name = ? AND v.version = ?"),
                    &[
                        Arg::Text(&name.organisation),
                        Arg::Text(&name.product),
                        Arg::Text(&name.version),
                    ],
                )
                .await?
            {
                Some(row) => Ok(Some(version_row(&row)?)),
                None => Ok(None),
            }
        })
        .await
    }

    /// Keeps a document of a version as a new revision, unless its bytes equal the
    /// current revision's. Returns the document and whether a revision was added.
    pub async fn add_document(
        &self,
        version_id: i64,
        kind: &str,
        name: &str,
        format: &str,
        bytes: &[u8],
        now: &str,
    ) -> Result<(DocumentInfo, bool)> {
        self.add_document_expecting(version_id, kind, name, format, bytes, now, None)
            .await
    }

    /// [`Store::add_document`] if the current revision's SHA-256 is still `expected`
    /// (the revision the editor started from), else [`StoreError::Conflict`]: two people
    /// editing one device model (and so its risk rows) cannot overwrite each other.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_document_expecting(
        &self,
        version_id: i64,
        kind: &str,
        name: &str,
        format: &str,
        bytes: &[u8],
        now: &str,
        expected: Option<&str>,
    ) -> Result<(DocumentInfo, bool)> {
        let sha256 = crate::input::hex(&Sha256::digest(bytes));
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        let (id, added) = in_transaction(self, async |c| {
            let current = c
                .fetch_optional(
                    "SELECT id, revision, sha256 FROM version_document \
                     WHERE product_version_id = ? AND kind = ? AND name = ? ORDER BY revision DESC LIMIT 1",
                    &[Arg::I64(version_id), Arg::Text(kind), Arg::Text(name)],
                )
                .await?;
            if let Some(expected) = expected {
                let now_current = match &current {
                    Some(row) => Some(row.text(2)?),
                    None => None,
                };
                if now_current.as_deref() != Some(expected) {
                    return Err(StoreError::Conflict {
                        record: format!("{kind} `{name}`"),
                        message: format!(
                            "the edit starts from revision {expected}, but the current one is {}: someone else changed it meanwhile; read it and edit again",
                            now_current.as_deref().unwrap_or("(none)")
                        ),
                    });
                }
            }
            let next = match &current {
                Some(row) if row.text(2)? == sha256 => return Ok((row.i64(0)?, false)),
                Some(row) => row.i64(1)? + 1,
                None => 1,
            };
            let id = insert_returning_id(
                c,
                "INSERT INTO version_document (product_version_id, kind, name, revision, format, sha256, size, content, added_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &[
                    Arg::I64(version_id),
                    Arg::Text(kind),
                    Arg::Text(name),
                    Arg::I64(next),
                    Arg::Text(format),
                    Arg::Text(&sha256),
                    Arg::I64(size),
                    Arg::Blob(bytes),
                    Arg::Text(now),
                ],
            )
            .await?;
            regulated::audit_change(c, self.attribution.as_ref(), "document", id, "add", None, now)
                .await?;
            Ok((id, true))
        })
        .await?;
        let docs = self.documents(version_id, true).await?;
        let doc = docs
            .into_iter()
            .find(|d| d.id == id)
            .ok_or_else(|| StoreError::Corrupt {
                record: format!("document {id}"),
                message: "not found after writing it".into(),
            })?;
        Ok((doc, added))
    }

    /// A version's documents: every revision, or only the current one of each.
    pub async fn documents(
        &self,
        version_id: i64,
        all_revisions: bool,
    ) -> Result<Vec<DocumentInfo>> {
        self.with_conn(async |c| {
            let rows = c
                .fetch_all(
                    "SELECT id, kind, name, revision, format, sha256, size, added_at FROM version_document \
                     WHERE product_version_id = ? ORDER BY kind, name, revision",
                    &[Arg::I64(version_id)],
                )
                .await?;
            let mut docs: Vec<DocumentInfo> = Vec::with_capacity(rows.len());
            for row in rows {
                let d = DocumentInfo {
                    id: row.i64(0)?,
                    kind: row.text(1)?,
                    name: row.text(2)?,
                    revision: row.i64(3)?,
                    format: row.text(4)?,
                    sha256: row.text(5)?,
                    size: row.i64(6)?,
                    added_at: row.text(7)?,
                };
                if !all_revisions
                    && let Some(last) = docs.last_mut()
                    && last.kind == d.kind
                    && last.name == d.name
                {
                    *last = d;
                    continue;
                }
                docs.push(d);
            }
            Ok(docs)
        })
        .await
    }

    /// The bytes of a document revision, checked against its SHA-256.
    pub async fn document_content(&self, document_id: i64) -> Result<Vec<u8>> {
        let (bytes, sha256) = self
            .with_conn(async |c| {
                match c
                    .fetch_optional(
                        "SELECT content, sha256 FROM version_document WHERE id = ?",
                        &[Arg::I64(document_id)],
                    )
                    .await?
                {
                    Some(row) => Ok((row.blob(0)?, row.text(1)?)),
                    None => Err(StoreError::Corrupt {
                        record: format!("document {document_id}"),
                        message: "no such document".into(),
                    }),
                }
            })
            .await?;
        let actual = crate::input::hex(&Sha256::digest(&bytes));
        if actual != sha256 {
            return Err(StoreError::Corrupt {
                record: format!("document {document_id}"),
                message: format!("content hashes to {actual}, recorded as {sha256}"),
            });
        }
        Ok(bytes)
    }

    /// The newest document id and import batch id: where a monitoring run starts from.
    pub async fn monitor_marks(&self) -> Result<(i64, i64)> {
        self.with_conn(async |c| {
            let doc = c
                .scalar_i64("SELECT MAX(id) FROM version_document", &[])
                .await?;
            let batch = c
                .scalar_i64("SELECT MAX(id) FROM import_batch", &[])
                .await?;
            Ok((doc, batch))
        })
        .await
    }

    /// Versions whose documents changed after document id `since`.
    pub async fn versions_with_documents_after(&self, since: i64) -> Result<Vec<i64>> {
        self.with_conn(async |c| {
            let rows = c
                .fetch_all(
                    "SELECT DISTINCT product_version_id FROM version_document WHERE id > ? ORDER BY product_version_id",
                    &[Arg::I64(since)],
                )
                .await?;
            rows.iter().map(|r| r.i64(0)).collect()
        })
        .await
    }

    /// Import batch ids after `since`, oldest first.
    pub async fn batches_after(&self, since: i64) -> Result<Vec<i64>> {
        self.with_conn(async |c| {
            let rows = c
                .fetch_all(
                    "SELECT id FROM import_batch WHERE id > ? ORDER BY id",
                    &[Arg::I64(since)],
                )
                .await?;
            rows.iter().map(|r| r.i64(0)).collect()
        })
        .await
    }

    pub async fn last_monitor_run(&self) -> Result<Option<MonitorRun>> {
        self.with_conn(async |c| {
            match c
                .fetch_optional(
                    "SELECT id, started_at, finished_at, store_batch, last_document, versions, new, changed, resolved \
                     FROM monitor_run ORDER BY id DESC LIMIT 1",
                    &[],
                )
                .await?
            {
                Some(row) => Ok(Some(MonitorRun {
                    id: row.i64(0)?,
                    started_at: row.text(1)?,
                    finished_at: row.text(2)?,
                    store_batch: row.i64(3)?,
                    last_document: row.i64(4)?,
                    versions: row.i64(5)?,
                    new: row.i64(6)?,
                    changed: row.i64(7)?,
                    resolved: row.i64(8)?,
                })),
                None => Ok(None),
            }
        })
        .await
    }

    /// A version's findings (all, or only open ones), by component and vulnerability.
    pub async fn findings(&self, version_id: i64, open_only: bool) -> Result<Vec<StoredFinding>> {
        self.with_conn(async |c| {
            let rows = c
                .fetch_all(
                    &format!(
                        "SELECT {FINDING_COLUMNS} FROM finding WHERE product_version_id = ? {} \
                         ORDER BY component, vulnerability",
                        if open_only { "AND open = 1" } else { "" }
                    ),
                    &[Arg::I64(version_id)],
                )
                .await?;
            rows.iter().map(finding_row).collect()
        })
        .await
    }

    /// One page of a version's findings, by component and vulnerability, with how many
    /// match the filters before paging: the database filters, orders and pages, so a
    /// request reads only the rows it returns (the findings list of the server; issue 10,
    /// item 5). `open`: `Some(true)` open only, `Some(false)` resolved only, `None` all;
    /// `kev`: in KEV or not; `severities`: any of these, compared case-insensitively (an
    /// empty list matches nothing). A plain read: it takes no write lock, so an import
    /// or a monitoring run writing meanwhile does not hold it up (SQLite WAL readers).
    pub async fn findings_page(
        &self,
        version_id: i64,
        open: Option<bool>,
        kev: Option<bool>,
        severities: Option<&[String]>,
        offset: u64,
        limit: u64,
    ) -> Result<(u64, Vec<StoredFinding>)> {
        let lowered: Option<Vec<String>> =
            severities.map(|s| s.iter().map(|x| x.to_lowercase()).collect());
        let mut filter = String::from("product_version_id = ?");
        let mut args = vec![Arg::I64(version_id)];
        if let Some(open) = open {
            filter.push_str(" AND open = ?");
            args.push(Arg::I64(i64::from(open)));
        }
        if let Some(kev) = kev {
            filter.push_str(" AND kev = ?");
            args.push(Arg::I64(i64::from(kev)));
        }
        match &lowered {
            Some(list) if list.is_empty() => filter.push_str(" AND 1 = 0"),
            Some(list) => {
                filter.push_str(" AND lower(severity) IN (");
                filter.push_str(&vec!["?"; list.len()].join(", "));
                filter.push(')');
                args.extend(list.iter().map(|s| Arg::Text(s)));
            }
            None => {}
        }
        let count_args = args.clone();
        // Past the end of the list a page is empty: i64::MAX instead of an overflow.
        args.push(Arg::I64(i64::try_from(limit).unwrap_or(i64::MAX)));
        args.push(Arg::I64(i64::try_from(offset).unwrap_or(i64::MAX)));
        self.with_conn(async |c| {
            // The total comes with the page (one statement, one snapshot); only an empty
            // page past the first needs it counted on its own.
            let rows = c
                .fetch_all(
                    &format!(
                        "SELECT {FINDING_COLUMNS}, COUNT(*) OVER () FROM finding WHERE {filter} \
                         ORDER BY component, vulnerability LIMIT ? OFFSET ?"
                    ),
                    &args,
                )
                .await?;
            let total = match rows.first() {
                Some(row) => row.i64(14)?,
                None if offset == 0 => 0,
                None => c
                    .fetch_optional(
                        &format!("SELECT COUNT(*) FROM finding WHERE {filter}"),
                        &count_args,
                    )
                    .await?
                    .map_or(Ok(0), |row| row.i64(0))?,
            };
            let findings = rows.iter().map(finding_row).collect::<Result<Vec<_>>>()?;
            Ok((u64::try_from(total).unwrap_or(0), findings))
        })
        .await
    }

    /// The events of a version's findings, oldest first: (component, vulnerability,
    /// run, at, kind, summary).
    pub async fn finding_events(
        &self,
        version_id: i64,
    ) -> Result<Vec<(String, String, i64, String, String, String)>> {
        self.with_conn(async |c| {
            let rows = c
                .fetch_all(
                    "SELECT f.component, f.vulnerability, e.run_id, e.at, e.kind, e.summary \
                     FROM finding_event e JOIN finding f ON f.id = e.finding_id \
                     WHERE f.product_version_id = ? ORDER BY e.id",
                    &[Arg::I64(version_id)],
                )
                .await?;
            rows.iter()
                .map(|r| {
                    Ok((
                        r.text(0)?,
                        r.text(1)?,
                        r.i64(2)?,
                        r.text(3)?,
                        r.text(4)?,
                        r.text(5)?,
                    ))
                })
                .collect()
        })
        .await
    }

    /// Records one monitoring run in one transaction: for every version re-matched, the
    /// findings observed now are compared with the stored ones; new, changed, resolved
    /// and reopened findings are written with an event each. Returns the run and the
    /// changes.
    pub async fn record_monitor_run(
        &self,
        started_at: &str,
        finished_at: &str,
        marks: (i64, i64),
        observed: &[(i64, Vec<ObservedFinding>)],
    ) -> Result<(MonitorRun, Vec<FindingChange>)> {
        let (last_document, store_batch) = marks;
        in_transaction(self, async |c| {
            let run_id = insert_returning_id(
                c,
                "INSERT INTO monitor_run (started_at, finished_at, store_batch, last_document, versions, new, changed, resolved) \
                 VALUES (?, ?, ?, ?, ?, 0, 0, 0)",
                &[
                    Arg::Text(started_at),
                    Arg::Text(finished_at),
                    Arg::I64(store_batch),
                    Arg::I64(last_document),
                    Arg::I64(observed.len() as i64),
                ],
            )
            .await?;
            let mut changes = Vec::new();
            for (version_id, now) in observed {
                let rows = c
                    .fetch_all(
                        &format!("SELECT {FINDING_COLUMNS} FROM finding WHERE product_version_id = ?"),
                        &[Arg::I64(*version_id)],
                    )
                    .await?;
                let stored: Vec<StoredFinding> = rows.iter().map(finding_row).collect::<Result<_>>()?;
                let mut seen = std::collections::BTreeSet::new();
                for f in now {
                    seen.insert((f.component.as_str(), f.vulnerability.as_str()));
                    let hash = f.content_hash();
                    let detail = f.detail.to_string();
                    let previous = stored
                        .iter()
                        .find(|s| s.component == f.component && s.vulnerability == f.vulnerability);
                    let (finding_id, kind, summary) = match previous {
                        None => {
                            let id = insert_returning_id(
                                c,
                                "INSERT INTO finding (product_version_id, component, vulnerability, open, status, severity, score, kev, content_hash, detail, first_seen, last_changed) \
                                 VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)",
                                &[
                                    Arg::I64(*version_id),
                                    Arg::Text(&f.component),
                                    Arg::Text(&f.vulnerability),
                                    Arg::Text(&f.status),
                                    Arg::Text(&f.severity),
                                    Arg::OptF64(f.score),
                                    Arg::I64(i64::from(f.kev)),
                                    Arg::Text(&hash),
                                    Arg::Text(&detail),
                                    Arg::Text(finished_at),
                                    Arg::Text(finished_at),
                                ],
                            )
                            .await?;
                            (id, "new", format!("{} {} ({})", f.status, f.severity, f.vulnerability))
                        }
                        Some(s) if s.open && s.content_hash == hash => continue,
                        Some(s) => {
                            let kind = if s.open { "changed" } else { "reopened" };
                            let summary = describe_change(s, f);
                            c.execute(
                                "UPDATE finding SET open = 1, status = ?, severity = ?, score = ?, kev = ?, content_hash = ?, detail = ?, last_changed = ?, resolved_at = NULL WHERE id = ?",
                                &[
                                    Arg::Text(&f.status),
                                    Arg::Text(&f.severity),
                                    Arg::OptF64(f.score),
                                    Arg::I64(i64::from(f.kev)),
                                    Arg::Text(&hash),
                                    Arg::Text(&detail),
                                    Arg::Text(finished_at),
                                    Arg::I64(s.id),
                                ],
                            )
                            .await?;
                            (s.id, kind, summary)
                        }
                    };
                    c.execute(
                        "INSERT INTO finding_event (finding_id, run_id, at, kind, summary) VALUES (?, ?, ?, ?, ?)",
                        &[Arg::I64(finding_id), Arg::I64(run_id), Arg::Text(finished_at), Arg::Text(kind), Arg::Text(&summary)],
                    )
                    .await?;
                    changes.push(FindingChange {
                        version_id: *version_id,
                        component: f.component.clone(),
                        vulnerability: f.vulnerability.clone(),
                        kind: kind.to_owned(),
                        summary,
                        severity: f.severity.clone(),
                        status: f.status.clone(),
                        kev: f.kev,
                    });
                }
                for s in stored.iter().filter(|s| s.open) {
                    if seen.contains(&(s.component.as_str(), s.vulnerability.as_str())) {
                        continue;
                    }
                    c.execute(
                        "UPDATE finding SET open = 0, last_changed = ?, resolved_at = ? WHERE id = ?",
                        &[Arg::Text(finished_at), Arg::Text(finished_at), Arg::I64(s.id)],
                    )
                    .await?;
                    let summary = "no longer found: the component or the record changed".to_owned();
                    c.execute(
                        "INSERT INTO finding_event (finding_id, run_id, at, kind, summary) VALUES (?, ?, ?, 'resolved', ?)",
                        &[Arg::I64(s.id), Arg::I64(run_id), Arg::Text(finished_at), Arg::Text(&summary)],
                    )
                    .await?;
                    changes.push(FindingChange {
                        version_id: *version_id,
                        component: s.component.clone(),
                        vulnerability: s.vulnerability.clone(),
                        kind: "resolved".into(),
                        summary,
                        severity: s.severity.clone(),
                        status: s.status.clone(),
                        kev: s.kev,
                    });
                }
            }
            let count = |k: &str| changes.iter().filter(|c| c.kind == k).count() as i64;
            let (new, changed, resolved) = (count("new"), count("changed") + count("reopened"), count("resolved"));
            c.execute(
                "UPDATE monitor_run SET new = ?, changed = ?, resolved = ? WHERE id = ?",
                &[Arg::I64(new), Arg::I64(changed), Arg::I64(resolved), Arg::I64(run_id)],
            )
            .await?;
            Ok((
                MonitorRun {
                    id: run_id,
                    started_at: started_at.to_owned(),
                    finished_at: finished_at.to_owned(),
                    store_batch,
                    last_document,
                    versions: observed.len() as i64,
                    new,
                    changed,
                    resolved,
                },
                changes,
            ))
        })
        .await
    }

    /// Appends a triage decision (validated by the caller) made in a version.
    pub async fn record_decision(&self, version_id: i64, d: &Decision) -> Result<i64> {
        self.record_decision_expecting(version_id, d, Expect::Any)
            .await
    }

    /// Appends a triage decision if the latest decision of the version for the same
    /// finding is still the one the editor saw (optimistic locking: two people editing
    /// one decision, the second gets [`StoreError::Conflict`] instead of silently
    /// overriding the first).
    pub async fn record_decision_expecting(
        &self,
        version_id: i64,
        d: &Decision,
        expect: Expect,
    ) -> Result<i64> {
        let justification = match &d.justification {
            Some(j) => Some(serde_json::to_string(j).map_err(|e| StoreError::Corrupt {
                record: "triage decision".into(),
                message: e.to_string(),
            })?),
            None => None,
        };
        let at = d.at.to_string();
        in_transaction(self, async |c| {
            if expect != Expect::Any {
                let latest = match c
                    .fetch_optional(
                        "SELECT id FROM triage_decision WHERE product_version_id = ? AND component = ? AND vulnerability = ? ORDER BY id DESC LIMIT 1",
                        &[
                            Arg::I64(version_id),
                            Arg::Text(&d.component),
                            Arg::Text(&d.vulnerability),
                        ],
                    )
                    .await?
                {
                    Some(row) => Some(row.i64(0)?),
                    None => None,
                };
                let expected = match expect {
                    Expect::Latest(id) => Some(id),
                    _ => None,
                };
                if latest != expected {
                    let said = |v: Option<i64>| {
                        v.map_or_else(|| "no decision".to_owned(), |id| format!("decision {id}"))
                    };
                    return Err(StoreError::Conflict {
                        record: format!("the triage of {} in {}", d.vulnerability, d.component),
                        message: format!(
                            "the edit supersedes {}, but the latest is now {}: someone else decided meanwhile; read it and decide again",
                            said(expected),
                            said(latest)
                        ),
                    });
                }
            }
            let id = insert_returning_id(
                c,
                "INSERT INTO triage_decision (product_version_id, component, vulnerability, state, justification, impact, action, author, rationale, at, adjusted_vector, adjusted_score) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &[
                    Arg::I64(version_id),
                    Arg::Text(&d.component),
                    Arg::Text(&d.vulnerability),
                    Arg::Text(d.state.as_str()),
                    Arg::OptText(justification.as_deref()),
                    Arg::OptText(d.impact.as_deref()),
                    Arg::OptText(d.action.as_deref()),
                    Arg::Text(&d.author),
                    Arg::Text(&d.rationale),
                    Arg::Text(&at),
                    Arg::OptText(d.adjusted_vector.as_deref()),
                    Arg::OptF64(d.adjusted_score),
                ],
            )
            .await?;
            regulated::audit_change(
                c,
                self.attribution.as_ref(),
                "triage-decision",
                id,
                "record",
                None,
                &jiff::Timestamp::now().to_string(),
            )
            .await?;
            Ok(id)
        })
        .await
    }

    /// Every decision made in any version of the product a version belongs to, oldest
    /// first, with the product's versions in order (oldest first).
    pub async fn product_decisions(&self, version_id: i64) -> Result<(Vec<String>, Vec<Decision>)> {
        self.with_conn(async |c| {
            let versions = c
                .fetch_all(
                    "SELECT v.version FROM product_version v WHERE v.product_id = \
                     (SELECT product_id FROM product_version WHERE id = ?) \
                     ORDER BY COALESCE(v.release_date, v.created_at), v.id",
                    &[Arg::I64(version_id)],
                )
                .await?
                .iter()
                .map(|r| r.text(0))
                .collect::<Result<Vec<String>>>()?;
            let rows = c
                .fetch_all(
                    "SELECT d.id, v.version, d.component, d.vulnerability, d.state, d.justification, d.impact, d.action, d.author, d.rationale, d.at, d.adjusted_vector, d.adjusted_score \
                     FROM triage_decision d JOIN product_version v ON v.id = d.product_version_id \
                     WHERE v.product_id = (SELECT product_id FROM product_version WHERE id = ?) ORDER BY d.id",
                    &[Arg::I64(version_id)],
                )
                .await?;
            let mut decisions = Vec::with_capacity(rows.len());
            for r in rows {
                let corrupt = |message: String| StoreError::Corrupt {
                    record: "triage decision".into(),
                    message,
                };
                let state_text = r.text(4)?;
                let state = TriageState::parse(&state_text)
                    .ok_or_else(|| corrupt(format!("state `{state_text}`")))?;
                let justification = match r.opt_text(5)? {
                    Some(j) => Some(serde_json::from_str(&j).map_err(|e| corrupt(e.to_string()))?),
                    None => None,
                };
                let at_text = r.text(10)?;
                let at = at_text
                    .parse()
                    .map_err(|e| corrupt(format!("time `{at_text}`: {e}")))?;
                decisions.push(Decision {
                    id: r.i64(0)?,
                    version: r.text(1)?,
                    component: r.text(2)?,
                    vulnerability: r.text(3)?,
                    state,
                    justification,
                    impact: r.opt_text(6)?,
                    action: r.opt_text(7)?,
                    author: r.text(8)?,
                    rationale: r.text(9)?,
                    at,
                    adjusted_vector: r.opt_text(11)?,
                    adjusted_score: r.opt_f64(12)?,
                });
            }
            Ok((versions, decisions))
        })
        .await
    }
}

impl Store {
    /// Records how many devices of a version are in the field on a day (and makes it the
    /// version's current installed base when it is the newest snapshot).
    pub async fn record_deployment(
        &self,
        version_id: i64,
        on_day: &str,
        installed: i64,
        now: &str,
    ) -> Result<()> {
        in_transaction(self, async |c| {
            let id = insert_returning_id(
                c,
                "INSERT INTO deployment_snapshot (product_version_id, on_day, installed, recorded_at) VALUES (?, ?, ?, ?)",
                &[Arg::I64(version_id), Arg::Text(on_day), Arg::I64(installed), Arg::Text(now)],
            )
            .await?;
            regulated::audit_change(c, self.attribution.as_ref(), "deployment", id, "record", None, now)
                .await?;
            let before_version = regulated::before(c, "product-version", version_id).await?;
            let newest = c
                .fetch_optional(
                    "SELECT on_day, installed FROM deployment_snapshot WHERE product_version_id = ? ORDER BY on_day DESC, id DESC LIMIT 1",
                    &[Arg::I64(version_id)],
                )
                .await?;
            if let Some(row) = newest
                && row.text(0)? == on_day
            {
                c.execute(
                    "UPDATE product_version SET installed_base = ? WHERE id = ?",
                    &[Arg::I64(installed), Arg::I64(version_id)],
                )
                .await?;
                if regulated::before(c, "product-version", version_id).await? != before_version {
                    regulated::audit_change(
                        c,
                        self.attribution.as_ref(),
                        "product-version",
                        version_id,
                        "update",
                        before_version,
                        now,
                    )
                    .await?;
                }
            }
            Ok(())
        })
        .await
    }

    /// A version's installed-base snapshots, by day (the latest recorded for a day wins).
    pub async fn deployments(&self, version_id: i64) -> Result<Vec<(String, i64)>> {
        self.with_conn(async |c| {
            let rows = c
                .fetch_all(
                    "SELECT on_day, installed FROM deployment_snapshot WHERE product_version_id = ? ORDER BY on_day, id",
                    &[Arg::I64(version_id)],
                )
                .await?;
            let mut out: Vec<(String, i64)> = Vec::new();
            for r in rows {
                let (day, n) = (r.text(0)?, r.i64(1)?);
                match out.last_mut() {
                    Some(last) if last.0 == day => last.1 = n,
                    _ => out.push((day, n)),
                }
            }
            Ok(out)
        })
        .await
    }
}

fn describe_change(before: &StoredFinding, now: &ObservedFinding) -> String {
    let mut parts = Vec::new();
    if !before.open {
        parts.push("found again".to_owned());
    }
    if before.status != now.status {
        parts.push(format!("status {} → {}", before.status, now.status));
    }
    if before.severity != now.severity {
        parts.push(format!("severity {} → {}", before.severity, now.severity));
    }
    if before.score != now.score {
        let show = |s: Option<f64>| s.map_or("-".to_owned(), |v| format!("{v:.1}"));
        parts.push(format!(
            "score {} → {}",
            show(before.score),
            show(now.score)
        ));
    }
    if before.kev != now.kev {
        parts.push(if now.kev {
            "added to CISA KEV".to_owned()
        } else {
            "removed from CISA KEV".to_owned()
        });
    }
    if parts.is_empty() {
        parts.push("fixed versions changed".to_owned());
    }
    parts.join("; ")
}
