//! A scan against the store, and its report.

use std::collections::{BTreeMap, HashMap};

use medsec_core::component::Sbom;
use medsec_match::{CpeProductMap, MatchContext};
use medsec_store::{Store, StoreError};
use serde::Serialize;

use crate::engine::{CandidateIndex, Prepared, findings, match_indexed, prepare};
use crate::finding::{ComponentRef, Finding, Severity};

#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    pub context: MatchContext,
    /// The curated name → CPE map for components without purl or CPE (`None`: the
    /// built-in one).
    pub products: Option<CpeProductMap>,
}

pub use medsec_store::StoreState;

#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    /// The SBOM as the user named it (or what the components came from).
    pub sbom: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sbom_format: Option<String>,
    /// SHA-256 of the SBOM file as read, for traceability.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sbom_sha256: Option<String>,
    pub store: StoreState,
    pub components: usize,
    pub components_scanned: usize,
    /// Components that could not be looked up at all: no purl, no CPE, and not in the
    /// curated map. They are not "clean": nothing is known about them.
    pub components_without_identity: Vec<ComponentRef>,
    /// Candidate records the store returned.
    pub candidates: usize,
    /// Component–vulnerability pairs the records cleared (fixed or not affected).
    pub cleared: usize,
    /// Affected findings per severity.
    pub affected_by_severity: BTreeMap<Severity, usize>,
    pub findings: Vec<Finding>,
}

impl ScanReport {
    /// Affected findings at or above `threshold`.
    pub fn affected_at_least(&self, threshold: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| {
                f.is_affected() && f.severity >= threshold && f.severity != Severity::Unknown
            })
            .count()
    }
}

/// Scans one SBOM against the store.
pub async fn scan(
    store: &Store,
    sbom: &Sbom,
    sbom_name: &str,
    options: &ScanOptions,
) -> Result<ScanReport, StoreError> {
    let products = options.products.clone().unwrap_or_default();
    let prepared = prepare(sbom, &products);
    let source = Source {
        name: sbom_name.to_string(),
        format: Some(format!("{} {}", sbom.format, sbom.spec_version)),
        sha256: Some(sbom.original.sha256.clone()),
        components: sbom.components.len(),
    };
    scan_prepared(store, &source, &prepared, options).await
}

/// Where scanned components came from.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub format: Option<String>,
    pub sha256: Option<String>,
    /// Components in the source (before files and unnamed entries are left out).
    pub components: usize,
}

/// [`scan`] with the components already prepared.
pub async fn scan_prepared(
    store: &Store,
    source: &Source,
    prepared: &Prepared,
    options: &ScanOptions,
) -> Result<ScanReport, StoreError> {
    let state = store.state().await?;
    let keys = prepared.all_keys();
    let candidates = store.candidates(&keys).await?;
    let candidate_count = candidates.len();
    let index = CandidateIndex::new(candidates, &options.context);
    let matched = match_indexed(prepared, &index, &options.context);
    let mut names: Vec<&str> = matched.iter().map(|m| m.vulnerability.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let names: Vec<String> = names.into_iter().map(str::to_string).collect();
    let vulnerabilities: HashMap<String, _> = store
        .vulnerability_facts(&names)
        .await?
        .into_iter()
        .collect();
    let (findings, cleared) = findings(prepared, matched, &vulnerabilities);
    let mut affected_by_severity = BTreeMap::new();
    for f in findings.iter().filter(|f| f.is_affected()) {
        *affected_by_severity.entry(f.severity).or_insert(0) += 1;
    }
    let components_without_identity = prepared
        .components
        .iter()
        .filter(|c| c.keys.is_empty())
        .map(|c| c.reference.clone())
        .collect();
    Ok(ScanReport {
        sbom: source.name.clone(),
        sbom_format: source.format.clone(),
        sbom_sha256: source.sha256.clone(),
        store: state,
        components: source.components,
        components_scanned: prepared.components.len(),
        components_without_identity,
        candidates: candidate_count,
        cleared,
        affected_by_severity,
        findings,
    })
}

/// Builds the candidate index of a whole portfolio's keys, loading the records in
/// chunks so that only one chunk is ever held undecoded-and-unstripped at a time.
pub async fn load_index(
    store: &Store,
    keys: &[String],
    ctx: &MatchContext,
) -> Result<CandidateIndex, StoreError> {
    const CHUNK: usize = 5_000;
    let ids = store.candidate_ids(keys).await?;
    let mut index = CandidateIndex::default();
    for part in ids.chunks(CHUNK) {
        index.extend(store.advisories(part).await?, ctx);
    }
    Ok(index)
}
