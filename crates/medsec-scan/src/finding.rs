//! What a scan reports.

use std::fmt;
use std::str::FromStr;

use medsec_match::{ComponentMatch, Confidence, MatchStatus};
use serde::Serialize;

/// A qualitative severity (CVSS v3.x/v4.0 rating scale, FIRST specification section
/// 5 of v3.1 and of v4.0: none 0.0, low 0.1–3.9, medium 4.0–6.9, high 7.0–8.9,
/// critical 9.0–10.0), or unknown when no source scores the vulnerability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Unknown,
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::None => "none",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The rating of a CVSS v3.x/v4.0 base score.
    pub fn of_score(score: f64) -> Self {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::None
        }
    }

    /// The rating of a CVSS v2 base score (NVD's v2 scale: low 0–3.9, medium 4–6.9,
    /// high 7–10; v2 has no critical).
    pub fn of_v2_score(score: f64) -> Self {
        if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else {
            Severity::Low
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "critical" => Ok(Severity::Critical),
            "high" | "important" => Ok(Severity::High),
            "medium" | "moderate" => Ok(Severity::Medium),
            "low" => Ok(Severity::Low),
            "none" => Ok(Severity::None),
            "unknown" => Ok(Severity::Unknown),
            other => Err(format!(
                "{other:?} is not a severity (critical, high, medium, low, none)"
            )),
        }
    }
}

/// The score a finding's severity comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreRef {
    /// `cvss` or `qualitative`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Who scored it: the record and the scorer's role and name.
    pub source: String,
    pub scorer_role: String,
}

/// The component a finding is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentRef {
    /// Index in the SBOM's flattened component list.
    pub index: usize,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
}

/// One record's match, with the store record it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// `nvd`, `cve5`, `osv` or `csaf`.
    pub source: String,
    pub record: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    #[serde(flatten)]
    pub matched: ComponentMatch,
}

/// One vulnerability in one component: every record that spoke about it, merged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The merged vulnerability's id (its CVE when it has one).
    pub vulnerability: String,
    /// Every other id of the vulnerability (GHSA, OSV, ICSMA …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    pub component: ComponentRef,
    /// The verdict: from the records of the highest confidence; among those, affected
    /// wins over unknown, unknown over fixed and not affected.
    pub status: MatchStatus,
    pub confidence: Confidence,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<ScoreRef>,
    /// In the CISA Known Exploited Vulnerabilities catalog.
    pub known_exploited: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epss: Option<Epss>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixed_in: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Records whose verdict differs from the finding's, said plainly.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub disagreements: Vec<String>,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Epss {
    pub probability: f64,
    pub percentile: f64,
}

impl Finding {
    /// True for findings that count against a `--fail-on` threshold: affected ones.
    pub fn is_affected(&self) -> bool {
        self.status == MatchStatus::Affected
    }
}
