//! The report model: everything medsec knows about a device version, gathered by the
//! caller into a [`ReportInput`], turned into one [`Document`] (what the HTML, Markdown
//! and PDF writers render) and one [`ReportData`] (what `report.json` holds).
//!
//! Nothing here opens the vulnerability store: the caller scans and passes the findings
//! (or says why there are none). SBOM files named by the device are read here
//! ([`read_software`]), relative to the device file, as `medsec trace` reads them.
//!
//! Every section says where its data came from and what was not assessed; nothing is
//! filled in that the inputs do not hold.

mod figures;
mod sections;
mod software;
mod variants;

use std::fmt;
use std::str::FromStr;

use medsec_catalog::Catalog;
use medsec_catalog::coverage::Coverage;
use medsec_catalog::plan::TestPlan;
use medsec_catalog::policy::TestPolicy;
use medsec_catalog::results::TestResult;
use medsec_device::LoadedDevice;
use medsec_device::summary::DeviceSummary;
use medsec_postmarket::trace::Trace;
use medsec_threat::{Policy, Register, ThreatModel};
use serde::Serialize;

use crate::doc::{Block, Document, Inline, Section, plain};

pub use software::{ElementSoftware, SoftwareComponent, read_software};

/// Which report to write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// Every section.
    #[default]
    Full,
    /// The manufacturer's premarket cybersecurity section: the FDA content list and the
    /// EU MDR/IVDR technical documentation items, each pointing at the section that
    /// holds it, followed by the sections.
    Premarket,
    /// The assessment report of a laboratory or notified body: who assessed what, under
    /// which accreditation, the findings and the verdict, followed by the sections.
    Assessment,
    /// An MDS2-style security disclosure for hospitals.
    Mds2,
}

impl Variant {
    pub const ALL: [Variant; 4] = [
        Variant::Full,
        Variant::Premarket,
        Variant::Assessment,
        Variant::Mds2,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Full => "full",
            Variant::Premarket => "premarket",
            Variant::Assessment => "assessment",
            Variant::Mds2 => "mds2",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Variant::Full => "cybersecurity report",
            Variant::Premarket => "premarket cybersecurity documentation",
            Variant::Assessment => "cybersecurity assessment report",
            Variant::Mds2 => "security disclosure for healthcare providers (MDS2-style)",
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A variant name that is not one of `full`, `premarket`, `assessment`, `mds2`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown report variant `{0}`: use full, premarket, assessment or mds2")]
pub struct UnknownVariant(pub String);

impl FromStr for Variant {
    type Err = UnknownVariant;
    fn from_str(s: &str) -> Result<Variant, UnknownVariant> {
        Variant::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownVariant(s.to_owned()))
    }
}

/// Who assessed the device, as given by the assessor (`medsec report --assessor …`).
/// Nothing here is ever filled in by medsec: a missing item is reported as not given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AssessmentDetails {
    pub assessor: Option<String>,
    pub laboratory: Option<String>,
    pub accreditation: Option<String>,
    /// What the assessment covered, in the assessor's words.
    pub scope: Option<String>,
    /// The verdict, in the assessor's words.
    pub verdict: Option<String>,
}

/// The recorded test results, or why none were read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Results {
    Read {
        from: String,
        results: Vec<TestResult>,
    },
    NotRead {
        reason: String,
    },
}

/// The vulnerability scan of each element's software, or why it did not run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Vulnerabilities {
    NotRun {
        reason: String,
    },
    Scanned {
        /// The store scanned against (backend and number of records).
        store: String,
        elements: Vec<ElementFindings>,
    },
}

/// One element's software scanned against the store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElementFindings {
    pub element: String,
    /// The SBOM file, `(inline)`, or both.
    pub source: String,
    pub components: usize,
    /// Components without purl, CPE or curated CPE: not looked up.
    pub not_looked_up: usize,
    pub findings: Vec<VulnerabilityFinding>,
}

/// One finding of a scan (the fields of `medsec scan` the report shows).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VulnerabilityFinding {
    pub vulnerability: String,
    pub aliases: Vec<String>,
    pub component: String,
    pub version: Option<String>,
    pub purl: Option<String>,
    /// `affected`, `unknown`, `not-affected`, `fixed` …: the matcher's verdict.
    pub status: String,
    pub affected: bool,
    pub confidence: String,
    pub severity: String,
    /// The CVSS vector and base score when the records give one.
    pub cvss_vector: Option<String>,
    pub cvss_score: Option<f64>,
    pub known_exploited: bool,
    pub epss: Option<f64>,
    pub fixed_in: Vec<String>,
    pub title: Option<String>,
}

/// A triage decision in force for a finding (own or inherited), from the portfolio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriageState {
    pub vulnerability: String,
    pub component: String,
    /// The VEX state: in_triage, affected, not_affected, fixed, false_positive.
    pub state: String,
    pub justification: Option<String>,
    pub rationale: String,
    /// The medical-device CVSS rubric score recorded with the decision, if any.
    pub rubric_score: Option<String>,
    /// Inherited from an earlier version (named) rather than decided for this one.
    pub inherited_from: Option<String>,
}

/// One event of a portfolio finding, for the severity timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingEvent {
    pub component: String,
    pub vulnerability: String,
    /// RFC 3339.
    pub at: String,
    /// `new`, `changed`, `resolved` or `reopened`.
    pub kind: String,
    /// The finding's severity now (the store keeps the current one).
    pub severity: String,
}

/// The monitoring history of the device version in the portfolio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingsHistory {
    /// `organisation / product / version`.
    pub version: String,
    /// Oldest first.
    pub events: Vec<FindingEvent>,
}

/// Everything the report is built from. The caller computes each part with the same
/// library functions as the other commands (`medsec assess`, `threats`, `risk`,
/// `testplan`, `coverage`, `scan`).
pub struct ReportInput<'a> {
    pub loaded: &'a LoadedDevice,
    pub summary: DeviceSummary,
    pub model: &'a ThreatModel<'a>,
    /// The FMEA register after `results::reopen_failed`.
    pub register: &'a Register<'a>,
    /// The risk policy the register was scored with (its scales and matrix are drawn).
    pub risk_policy: &'a Policy,
    /// How many FMEA rows were reopened by failed tests.
    pub reopened: usize,
    pub catalog: &'a Catalog,
    pub test_policy: &'a TestPolicy,
    pub plan: &'a TestPlan,
    pub coverage: &'a Coverage,
    pub results: Results,
    /// Each element's software (see [`read_software`]).
    pub software: Vec<ElementSoftware>,
    pub vulnerabilities: Vulnerabilities,
    /// Triage decisions in force, when the device version is in the portfolio; `None`
    /// when no portfolio was consulted.
    pub triage: Option<Vec<TriageState>>,
    /// The monitoring history, when the device version is in the portfolio.
    pub findings_history: Option<FindingsHistory>,
    /// The medsec version that wrote the report.
    pub tool_version: String,
    /// When the report was generated (passed in so that output is reproducible).
    pub generated_at: jiff::Timestamp,
    pub variant: Variant,
    pub assessment: AssessmentDetails,
}

/// What `report.json` holds: the data behind the document, and the document itself.
#[derive(Debug, Clone, Serialize)]
pub struct ReportData {
    pub report: ReportMeta,
    pub device: DeviceSummary,
    pub intended_use: String,
    pub threats: Vec<ThreatRow>,
    pub fmea: serde_json::Value,
    pub test_plan: serde_json::Value,
    pub coverage: serde_json::Value,
    pub results: Results,
    pub software: Vec<ElementSoftware>,
    pub vulnerabilities: Vulnerabilities,
    pub triage: Option<Vec<TriageState>>,
    pub findings_history: Option<FindingsHistory>,
    pub traces: Vec<Trace>,
    pub anomalies: Vec<Anomaly>,
    pub not_assessed: Vec<String>,
    pub document: Document,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportMeta {
    pub variant: Variant,
    pub generated_at: String,
    pub tool: String,
    pub device_file: String,
    pub threat_rules: usize,
    pub risk_policy: String,
    pub catalogue_digest: String,
    pub test_policy: String,
    pub test_policy_sha256: String,
    pub assessment: AssessmentDetails,
}

/// One threat of the model, flattened for the table and the JSON.
#[derive(Debug, Clone, Serialize)]
pub struct ThreatRow {
    pub id: String,
    pub rule: String,
    pub title: String,
    pub stride: String,
    pub target: String,
    pub target_kind: String,
    pub worst_harm: Option<String>,
    pub mitigated_by: Vec<String>,
}

/// Something left unresolved: a failed test, a reopened FMEA row, an unmitigated threat,
/// an open vulnerability, a problem met while reading the inputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Anomaly {
    pub kind: String,
    pub id: String,
    pub description: String,
}

/// The report of a device: the document every writer renders, and its data.
#[derive(Debug, Clone)]
pub struct Report {
    pub document: Document,
    pub data: ReportData,
    /// The figures of the document, with their file names (`figures/NAME.svg`), in
    /// document order: the Markdown writer links them.
    pub figures: Vec<(String, String)>,
}

/// Builds the report.
pub fn build(input: &ReportInput<'_>) -> Report {
    let ctx = sections::Context::new(input);
    let document = variants::document(&ctx);
    let figures = figures_of(&document);
    let data = ReportData {
        report: ReportMeta {
            variant: input.variant,
            generated_at: input.generated_at.to_string(),
            tool: format!("medsec {}", input.tool_version),
            device_file: input.loaded.path.display().to_string(),
            threat_rules: input.model.rules_in_catalogue,
            risk_policy: input.register.policy.to_owned(),
            catalogue_digest: input.catalog.digest.clone(),
            test_policy: format!("{} {}", input.test_policy.policy, input.test_policy.version),
            test_policy_sha256: input.test_policy.sha256.clone(),
            assessment: input.assessment.clone(),
        },
        device: input.summary.clone(),
        intended_use: input.loaded.device.device.intended_use.clone(),
        threats: ctx.threat_rows.clone(),
        fmea: serde_json::to_value(input.register).unwrap_or(serde_json::Value::Null),
        test_plan: serde_json::to_value(input.plan).unwrap_or(serde_json::Value::Null),
        coverage: serde_json::to_value(input.coverage).unwrap_or(serde_json::Value::Null),
        results: input.results.clone(),
        software: input.software.clone(),
        vulnerabilities: input.vulnerabilities.clone(),
        triage: input.triage.clone(),
        findings_history: input.findings_history.clone(),
        traces: ctx.traces.iter().map(|(_, t)| t.clone()).collect(),
        anomalies: ctx.anomalies.clone(),
        not_assessed: ctx.not_assessed.clone(),
        document: document.clone(),
    };
    Report {
        document,
        data,
        figures,
    }
}

/// The file name of each figure: `figures/<section id>-<n>.svg`.
pub fn figures_of(document: &Document) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (_, section) in document.numbered() {
        let mut n = 0;
        for block in &section.blocks {
            if let Block::Figure { svg, .. } = block {
                n += 1;
                out.push((format!("figures/{}-{n}.svg", section.id), svg.clone()));
            }
        }
    }
    out
}

/// The kebab-case name serde gives a unit enum value (`information-disclosure`).
pub(crate) fn name_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::from("?"),
    }
}

pub(crate) fn section(id: &str, title: &str, blocks: Vec<Block>) -> Section {
    Section {
        id: id.to_owned(),
        title: title.to_owned(),
        blocks,
        subsections: Vec::new(),
    }
}

pub(crate) fn para(text: impl Into<String>) -> Block {
    Block::Paragraph { text: plain(text) }
}

pub(crate) fn note(text: impl Into<String>) -> Block {
    Block::Note { text: plain(text) }
}

pub(crate) fn list(items: Vec<String>) -> Block {
    Block::List {
        items: items.into_iter().map(plain).collect(),
    }
}

pub(crate) fn table(caption: Option<&str>, header: &[&str], rows: Vec<Vec<String>>) -> Block {
    Block::Table {
        caption: caption.map(str::to_owned),
        header: header.iter().map(|h| (*h).to_owned()).collect(),
        rows,
    }
}

pub(crate) fn facts(rows: Vec<(&str, String)>) -> Block {
    Block::Facts {
        rows: rows.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
    }
}

/// "Source: …" as a paragraph with the label in bold.
pub(crate) fn source(text: impl Into<String>) -> Block {
    Block::Paragraph {
        text: vec![
            Inline::Strong("Source:".into()),
            Inline::Plain(format!(" {}", text.into())),
        ],
    }
}

/// "Not assessed: …" as a note.
pub(crate) fn not_assessed(text: impl Into<String>) -> Block {
    Block::Note {
        text: vec![
            Inline::Strong("Not assessed:".into()),
            Inline::Plain(format!(" {}", text.into())),
        ],
    }
}

pub(crate) fn or_dash(value: Option<&str>) -> String {
    value.map_or_else(|| "-".to_owned(), str::to_owned)
}
