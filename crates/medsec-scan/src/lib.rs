//! Scans SBOM components against the vulnerability store.
//!
//! ```text
//! Sbom ──prepare──▶ components with candidate keys (purl, eco, cpe, vp; declared or derived)
//!        └─ all keys ──▶ Store::candidates ──▶ stored records sharing a key
//! CandidateIndex + match_indexed: each component × each record sharing a key ──▶ medsec_match::match_component
//!        (one verdict per record: its most severe match) grouped per merged vulnerability
//! findings: the verdict of the most confident records, severity from the scores,
//!        KEV and EPSS from the merged vulnerability ──▶ Finding (with all evidence)
//! ```
//!
//! Nothing is dropped silently: records that disagree with a finding's verdict are
//! listed in it; matches cleared as fixed or not affected are counted in the report.

mod engine;
mod finding;
pub mod monitor;
mod portfolio;
mod report;
mod sarif;

pub use engine::{
    CandidateIndex, Matched, Prepared, PreparedComponent, findings, match_component_indexed,
    match_indexed, match_query_indexed, match_query_restricted, prepare, prepare_components,
    severity_of, sort_findings, verdict,
};
pub use finding::{ComponentRef, Epss, Evidence, Finding, ScoreRef, Severity};
pub use portfolio::{Portfolio, Verdict, verdicts};
pub use report::{ScanOptions, ScanReport, Source, StoreState, load_index, scan, scan_prepared};
pub use sarif::to_sarif;
