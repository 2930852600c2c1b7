//! What the store hands out: stored records, the merged view of a vulnerability, the
//! statistics, and the summaries of an import and an export.

use std::path::PathBuf;

use medsec_core::advisory::Advisory;
use serde::Serialize;

use crate::epss::EpssScore;
use crate::error::Origin;
use crate::kev::KevEntry;

/// One stored advisory record with where it sits in the store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredAdvisory {
    /// The row id; stable while the record is not replaced by a newer version.
    pub record_id: i64,
    /// `nvd`, `cve5`, `osv` or `csaf`.
    pub source: String,
    /// The record's key within its source (the advisory id; for CSAF `TRACKING-ID/id`).
    pub record_key: String,
    /// The merged vulnerability the record belongs to.
    pub vulnerability: String,
    /// The source's modification time, RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// The import batch that wrote this version.
    pub batch_id: i64,
    pub advisory: Advisory,
}

/// An id of a vulnerability, uppercase as the store compares them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct StoredAlias {
    pub id: String,
    /// `cve`, `ghsa`, `icsma`, `icsa`, `osv` or `other`.
    pub kind: String,
    /// False for an advisory document's id (a CSAF tracking id, ICSMA/ICSA), which
    /// names a document covering several vulnerabilities, not this one alone.
    pub links: bool,
}

/// One severity statement of one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredScore {
    pub source: String,
    pub record_key: String,
    /// `cvss` or `qualitative`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
    /// As the source states it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_score: Option<f64>,
    /// As medsec-score computes it from the vector.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub computed_score: Option<f64>,
    /// The stated severity, or the qualitative rating.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// `nvd_primary`, `nvd_secondary`, `cna`, `adp`, `database` or `publisher`.
    pub scorer_role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scorer_name: Option<String>,
}

/// A vulnerability as all sources describe it: the records joined by shared ids (NVD
/// CVE-X, CVE 5 CVE-X, an OSV GHSA aliasing CVE-X and an ICSMA CSAF naming CVE-X are
/// one), with their ids, scores, CWEs, and the KEV and EPSS data of its CVE ids.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Vulnerability {
    /// The group's name: its smallest CVE id, else GHSA id, else OSV id, else other id.
    pub id: String,
    /// Ordered by source, then record key.
    pub records: Vec<StoredAdvisory>,
    pub aliases: Vec<StoredAlias>,
    pub scores: Vec<StoredScore>,
    pub cwes: Vec<String>,
    pub kev: Vec<KevEntry>,
    pub epss: Vec<EpssScore>,
}

/// A merged vulnerability's ids, scores, CWEs, KEV entries and EPSS scores, without
/// its records ([`crate::Store::vulnerability_facts`]: what a scan needs, in one batch).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VulnerabilityFacts {
    pub id: String,
    pub aliases: Vec<StoredAlias>,
    pub scores: Vec<StoredScore>,
    pub cwes: Vec<String>,
    pub kev: Vec<KevEntry>,
    pub epss: Vec<EpssScore>,
}

impl VulnerabilityFacts {
    pub(crate) fn named(id: String) -> Self {
        VulnerabilityFacts {
            id,
            aliases: Vec::new(),
            scores: Vec::new(),
            cwes: Vec::new(),
            kev: Vec::new(),
            epss: Vec::new(),
        }
    }
}

impl From<&Vulnerability> for VulnerabilityFacts {
    fn from(v: &Vulnerability) -> Self {
        VulnerabilityFacts {
            id: v.id.clone(),
            aliases: v.aliases.clone(),
            scores: v.scores.clone(),
            cwes: v.cwes.clone(),
            kev: v.kev.clone(),
            epss: v.epss.clone(),
        }
    }
}

/// What the store held when something was read from it: a scan is only as good as
/// its data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreState {
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub records: u64,
    /// When the last import batch finished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_import: Option<String>,
}

/// Records per source and format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceCount {
    pub source: String,
    pub format: String,
    pub records: u64,
}

/// The KEV catalog in the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KevInfo {
    pub catalog_version: String,
    pub date_released: String,
    pub entries: u64,
}

/// The EPSS snapshot in the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EpssInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score_date: Option<String>,
    pub scores: u64,
}

/// One committed import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchInfo {
    pub id: i64,
    pub started: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished: Option<String>,
    /// `changed` or `unchanged`.
    pub outcome: String,
    pub files: u64,
    pub records: RecordCounts,
    pub skipped: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub records: Vec<SourceCount>,
    pub total_records: u64,
    pub vulnerabilities: u64,
    /// Distinct ids over all records.
    pub aliases: u64,
    /// Distinct match index keys, and (key, record) entries.
    pub index_keys: u64,
    pub index_entries: u64,
    pub scores: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kev: Option<KevInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epss: Option<EpssInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_batch: Option<BatchInfo>,
    pub batches: u64,
    /// The database's size in bytes (SQLite: main file pages; PostgreSQL: the database).
    pub size_bytes: u64,
}

/// Advisory records of an import by what happened to them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RecordCounts {
    /// Records read from the inputs.
    pub read: u64,
    /// Not stored before.
    pub new: u64,
    /// Stored before, replaced by a newer version.
    pub replaced: u64,
    /// Stored before with the same content.
    pub unchanged: u64,
    /// Stored before with a later or equal modification time: ignored.
    pub older: u64,
}

/// What became of a KEV catalog or an EPSS snapshot in an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SnapshotOutcome {
    /// Stored, replacing the previous one.
    Imported { entries: u64 },
    /// The same as the stored one.
    Unchanged,
    /// Released before (or at the same time as) the stored one: ignored.
    Older,
}

/// An input of an import as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputSummary {
    pub path: PathBuf,
    pub sha256: String,
    /// Bytes as stored on disk (compressed for archives).
    pub bytes: u64,
    /// Advisory records read from it.
    pub records: u64,
    /// Members or documents skipped as not advisories.
    pub skipped: u64,
}

/// Something found in the inputs that is not an advisory, and why it was skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub origin: Origin,
    pub reason: String,
}

/// The outcome of one import (one transaction).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportSummary {
    pub batch_id: i64,
    pub inputs: Vec<InputSummary>,
    /// Advisory documents read (an NVD page or a CSAF document is one).
    pub documents: u64,
    pub records: RecordCounts,
    pub skipped: Vec<Skipped>,
    /// Reader warnings (problems that did not stop a document).
    pub warnings: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kev: Vec<SnapshotOutcome>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub epss: Vec<SnapshotOutcome>,
    /// Records whose merged vulnerability changed when aliases were regrouped.
    pub regrouped: u64,
    /// Whether the store changed.
    pub changed: bool,
    pub seconds: f64,
}

/// What an export writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFilter {
    /// Only these sources (`nvd`, `cve5`, `osv`, `csaf`); empty: all.
    pub sources: Vec<String>,
    pub advisories: bool,
    pub kev: bool,
    pub epss: bool,
}

impl Default for ExportFilter {
    fn default() -> Self {
        ExportFilter {
            sources: Vec::new(),
            advisories: true,
            kev: true,
            epss: true,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    pub advisories: u64,
    pub kev_entries: u64,
    pub epss_scores: u64,
}
