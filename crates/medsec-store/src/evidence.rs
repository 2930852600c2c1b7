//! Test results and their evidence files (issue 7).
//!
//! A result is appended in one transaction with its evidence files; files are stored
//! once by their SHA-256, so the same report attached to two results is kept once.
//! Results are never updated or deleted (triggers refuse it): a newer result for the
//! same test supersedes an older one and the history stays. On SQLite the transaction
//! runs with `synchronous=FULL`, because a test result is a regulated record that cannot
//! be re-derived from public feeds (the vulnerability imports keep `NORMAL`).

use medsec_catalog::results::{DeviceKey, EvidenceFile, Outcome, TestResult};
use sha2::{Digest, Sha256};

use crate::db::{Arg, Conn};
use crate::error::{Result, StoreError};
use crate::store::Store;

/// An evidence file to attach: its name (without directories) and bytes.
#[derive(Debug, Clone)]
pub struct NewEvidence {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A result to record.
#[derive(Debug, Clone)]
pub struct NewTestResult {
    pub device: DeviceKey,
    pub test: String,
    pub outcome: Outcome,
    pub tester: String,
    pub laboratory: Option<String>,
    pub accreditation: Option<String>,
    pub performed_on: String,
    pub tools: Vec<String>,
    pub notes: Option<String>,
    pub evidence: Vec<NewEvidence>,
    /// RFC 3339 time of recording.
    pub recorded_at: String,
}

const RESULT_COLUMNS: &str = "id, manufacturer, device, version, test_id, outcome, tester, laboratory, accreditation, performed_on, tools, notes, recorded_at";

impl Store {
    /// Appends a test result and stores its evidence files, in one transaction.
    pub async fn record_test_result(&self, new: &NewTestResult) -> Result<TestResult> {
        let hashed: Vec<(String, &NewEvidence)> = new
            .evidence
            .iter()
            .map(|e| (crate::input::hex(&Sha256::digest(&e.bytes)), e))
            .collect();
        let tools = serde_json::to_string(&new.tools).map_err(|e| StoreError::Corrupt {
            record: "test result".into(),
            message: format!("tool list: {e}"),
        })?;
        let id = crate::portfolio::in_transaction(self, async |c| {
            let id = insert(c, new, &hashed, &tools).await?;
            crate::regulated::audit_change(
                c,
                self.attribution.as_ref(),
                "test-result",
                id,
                "record",
                None,
                &new.recorded_at,
            )
            .await?;
            Ok(id)
        })
        .await?;
        Ok(TestResult {
            id,
            device: new.device.clone(),
            test: new.test.clone(),
            outcome: new.outcome,
            tester: new.tester.clone(),
            laboratory: new.laboratory.clone(),
            accreditation: new.accreditation.clone(),
            performed_on: new.performed_on.clone(),
            tools: new.tools.clone(),
            notes: new.notes.clone(),
            evidence: hashed
                .iter()
                .map(|(sha256, e)| EvidenceFile {
                    name: e.name.clone(),
                    sha256: sha256.clone(),
                    size: e.bytes.len() as u64,
                })
                .collect(),
            recorded_at: new.recorded_at.clone(),
        })
    }

    /// Every result recorded for a device version, oldest first.
    pub async fn test_results(&self, device: &DeviceKey) -> Result<Vec<TestResult>> {
        self.with_conn(async |c| {
            let rows = c
                .fetch_all(
                    &format!(
                        "SELECT {RESULT_COLUMNS} FROM test_result \
                         WHERE manufacturer = ? AND device = ? AND version = ? ORDER BY id"
                    ),
                    &[
                        Arg::Text(&device.manufacturer),
                        Arg::Text(&device.name),
                        Arg::Text(&device.version),
                    ],
                )
                .await?;
            let mut results = Vec::with_capacity(rows.len());
            for row in rows {
                let outcome_text = row.text(5)?;
                let outcome = Outcome::parse(&outcome_text).ok_or_else(|| StoreError::Corrupt {
                    record: "test result".into(),
                    message: format!("test result outcome `{outcome_text}`"),
                })?;
                let tools_text = row.text(10)?;
                let tools: Vec<String> =
                    serde_json::from_str(&tools_text).map_err(|e| StoreError::Corrupt {
                        record: "test result".into(),
                        message: format!("test result tool list: {e}"),
                    })?;
                results.push(TestResult {
                    id: row.i64(0)?,
                    device: DeviceKey {
                        manufacturer: row.text(1)?,
                        name: row.text(2)?,
                        version: row.text(3)?,
                    },
                    test: row.text(4)?,
                    outcome,
                    tester: row.text(6)?,
                    laboratory: row.opt_text(7)?,
                    accreditation: row.opt_text(8)?,
                    performed_on: row.text(9)?,
                    tools,
                    notes: row.opt_text(11)?,
                    evidence: Vec::new(),
                    recorded_at: row.text(12)?,
                });
            }
            let files = c
                .fetch_all(
                    "SELECT e.result_id, e.name, e.sha256, b.size FROM test_result_evidence e \
                     JOIN test_result r ON r.id = e.result_id \
                     JOIN evidence_blob b ON b.sha256 = e.sha256 \
                     WHERE r.manufacturer = ? AND r.device = ? AND r.version = ? \
                     ORDER BY e.result_id, e.seq",
                    &[
                        Arg::Text(&device.manufacturer),
                        Arg::Text(&device.name),
                        Arg::Text(&device.version),
                    ],
                )
                .await?;
            for row in files {
                let result_id = row.i64(0)?;
                if let Ok(i) = results.binary_search_by_key(&result_id, |r| r.id) {
                    results[i].evidence.push(EvidenceFile {
                        name: row.text(1)?,
                        sha256: row.text(2)?,
                        size: u64::try_from(row.i64(3)?).unwrap_or(0),
                    });
                }
            }
            Ok(results)
        })
        .await
    }

    /// The bytes of an evidence file, checked against its SHA-256.
    pub async fn evidence_file(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        let bytes = self
            .with_conn(async |c| {
                match c
                    .fetch_optional(
                        "SELECT content FROM evidence_blob WHERE sha256 = ?",
                        &[Arg::Text(sha256)],
                    )
                    .await?
                {
                    Some(row) => Ok(Some(row.blob(0)?)),
                    None => Ok(None),
                }
            })
            .await?;
        if let Some(bytes) = &bytes {
            let actual = crate::input::hex(&Sha256::digest(bytes));
            if actual != sha256 {
                return Err(StoreError::Corrupt {
                    record: "test result".into(),
                    message: format!("evidence file {sha256} now hashes to {actual}"),
                });
            }
        }
        Ok(bytes)
    }
}

async fn insert(
    c: &mut Conn<'_>,
    new: &NewTestResult,
    hashed: &[(String, &NewEvidence)],
    tools: &str,
) -> Result<i64> {
    for (sha256, e) in hashed {
        let size = i64::try_from(e.bytes.len()).unwrap_or(i64::MAX);
        c.execute(
            "INSERT INTO evidence_blob (sha256, size, content) VALUES (?, ?, ?) \
             ON CONFLICT (sha256) DO NOTHING",
            &[Arg::Text(sha256), Arg::I64(size), Arg::Blob(&e.bytes)],
        )
        .await?;
    }
    let row = c
        .fetch_optional(
            "INSERT INTO test_result (manufacturer, device, version, test_id, outcome, tester, \
             laboratory, accreditation, performed_on, tools, notes, recorded_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                Arg::Text(&new.device.manufacturer),
                Arg::Text(&new.device.name),
                Arg::Text(&new.device.version),
                Arg::Text(&new.test),
                Arg::Text(new.outcome.as_str()),
                Arg::Text(&new.tester),
                Arg::OptText(new.laboratory.as_deref()),
                Arg::OptText(new.accreditation.as_deref()),
                Arg::Text(&new.performed_on),
                Arg::Text(tools),
                Arg::OptText(new.notes.as_deref()),
                Arg::Text(&new.recorded_at),
            ],
        )
        .await?;
    let id = match row {
        Some(row) => row.i64(0)?,
        None => {
            return Err(StoreError::Corrupt {
                record: "test result".into(),
                message: "the new test result got no id".into(),
            });
        }
    };
    for (seq, (sha256, e)) in hashed.iter().enumerate() {
        c.execute(
            "INSERT INTO test_result_evidence (result_id, seq, name, sha256) VALUES (?, ?, ?, ?)",
            &[
                Arg::I64(id),
                Arg::I64(seq as i64),
                Arg::Text(&e.name),
                Arg::Text(sha256),
            ],
        )
        .await?;
    }
    Ok(id)
}
