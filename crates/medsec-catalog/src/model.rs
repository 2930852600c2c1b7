//! The catalogue as typed data: frameworks, their requirements, the harmonised controls
//! that group them (the crosswalk), and the security tests. Every file under `data/`
//! deserialises into these types; [`crate::Catalog::validate`] checks the references
//! between them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::condition::Condition;

/// A regulation, guidance document, standard or labelling scheme we map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// Stable id, also the prefix of its requirement ids (`eu-mdr`, `iec62443-4-2`).
    pub id: String,
    /// Short name for tables (`EU MDR`, `IEC 81001-5-1`).
    pub short: String,
    /// Full title and edition.
    pub title: String,
    pub publisher: String,
    /// Year or date of the edition mapped.
    pub edition: String,
    pub kind: FrameworkKind,
    /// When the framework is relevant to a device at all (for example: placed on the EU
    /// market). Absent: relevant to every device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies: Option<Condition>,
    /// Why it applies, in one line, for `medsec requirements` ("EU market").
    pub scope: String,
    /// Where the clause ids come from (fact-sheet source tags and what they are).
    pub sources: Vec<String>,
    /// What was left out because no source confirmed it, and other caveats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FrameworkKind {
    /// Binding law (EU MDR/IVDR, FD&C Act).
    Regulation,
    /// Regulator or coordination-group guidance (MDCG, FDA, Health Canada, IMDRF, ANSM, BSI).
    Guidance,
    /// A consensus standard (IEC, ETSI) or framework (NIST CSF).
    Standard,
    /// A certification or labelling scheme (Singapore CLS(MD)).
    Scheme,
}

/// One requirement: a clause (or an identifiable part of one) of one framework.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// `<framework>:<clause>`; once published, an id keeps its meaning.
    pub id: String,
    /// The clause or section as the framework numbers it (`Annex I 17.2`, `CR 1.1`).
    pub clause: String,
    /// A short title in our words.
    pub title: String,
    /// What it asks, summarised in our words (never the framework's text).
    pub summary: String,
    /// When it applies, beyond the framework's own scope. Absent: whenever the framework
    /// applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies: Option<Condition>,
    /// What shows it is met (documents, records, test reports).
    pub evidence: Vec<String>,
    /// The harmonised controls that satisfy it (the crosswalk).
    pub controls: Vec<String>,
    /// Equivalent or closely related requirements in other frameworks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    /// The source the clause id and its content were confirmed from.
    pub source: String,
    /// The file the entry was read from (set on loading).
    #[serde(skip_deserializing, default, skip_serializing_if = "String::is_empty")]
    pub file: String,
    /// The framework id (set on loading from the file).
    #[serde(skip_deserializing, default)]
    pub framework: String,
}

/// A requirements file: one framework's requirements.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequirementFile {
    pub framework: String,
    pub requirements: Vec<Requirement>,
}

/// A harmonised control: one security measure, with its evidence, that satisfies clauses
/// in several frameworks at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HarmonisedControl {
    /// `HC-NN`.
    pub id: String,
    pub title: String,
    /// What the control achieves, in our words.
    pub objective: String,
    /// What a manufacturer shows to prove it.
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlFile {
    pub controls: Vec<HarmonisedControl>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkFile {
    pub frameworks: Vec<Framework>,
}

/// What kind of test, after the FDA premarket guidance §V.C and IEC 81001-5-1 §5.7
/// groupings, with the technical families the issue names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TestKind {
    /// A security requirement is implemented as specified.
    SecurityRequirement,
    /// A threat's mitigation works and cannot be bypassed.
    ThreatMitigation,
    /// Known vulnerabilities in the software composition.
    CompositionAnalysis,
    /// Static analysis of source or binaries.
    StaticAnalysis,
    /// Fuzzing and malformed-input testing of a protocol or interface.
    Fuzzing,
    /// Scanning and other vulnerability testing.
    Vulnerability,
    /// Penetration testing.
    Penetration,
    /// Radio interfaces.
    Wireless,
    /// Hardware, debug ports and physical attacks.
    Hardware,
    /// Update integrity, authenticity and rollback.
    UpdateIntegrity,
    /// Review of documents, configuration or process records (NIST SP 800-115 review
    /// techniques).
    Review,
}

impl TestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TestKind::SecurityRequirement => "security-requirement",
            TestKind::ThreatMitigation => "threat-mitigation",
            TestKind::CompositionAnalysis => "composition-analysis",
            TestKind::StaticAnalysis => "static-analysis",
            TestKind::Fuzzing => "fuzzing",
            TestKind::Vulnerability => "vulnerability",
            TestKind::Penetration => "penetration",
            TestKind::Wireless => "wireless",
            TestKind::Hardware => "hardware",
            TestKind::UpdateIntegrity => "update-integrity",
            TestKind::Review => "review",
        }
    }
}

/// Who may run a test, lowest independence first (IEC 81001-5-1 §5.7.5 asks that
/// objectivity be documented; FDA premarket §V.C asks about tester independence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Independence {
    /// The development team may run it.
    Developer,
    /// A team independent of the developers, inside or outside the company.
    Independent,
    /// An independent third party.
    ThirdParty,
}

impl Independence {
    pub fn as_str(self) -> &'static str {
        match self {
            Independence::Developer => "developer",
            Independence::Independent => "independent",
            Independence::ThirdParty => "third-party",
        }
    }
}

/// Which threats of a device's threat model a test verifies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreatLink {
    /// Threat rule ids or patterns ending in `*` (`BLE-*`, `UPD-T-001`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    /// Threats whose rule names one of these CWE ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwe: Vec<String>,
    /// Threats whose rule names one of these CAPEC ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capec: Vec<String>,
}

impl ThreatLink {
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.cwe.is_empty() && self.capec.is_empty()
    }
}

/// One security test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// `T-NN`; once published, an id keeps its meaning.
    pub id: String,
    pub title: String,
    pub kind: TestKind,
    /// What the tester does and what passes, in our words.
    pub procedure: String,
    /// When the test is relevant to a device (technologies, protocols, functionalities).
    /// Absent: every device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies: Option<Condition>,
    /// The lowest rigour rank (1–4) at which the test is planned by default; a policy may
    /// override it, and a threat that the test verifies can bring it in below.
    pub min_rank: u8,
    /// Who may run it at its lowest rank.
    pub independence: Independence,
    /// Higher independence from a rigour rank on (`{3: third-party}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub independence_from_rank: BTreeMap<u8, Independence>,
    /// What more rigour means for this test, per rank from which it applies (our words;
    /// for example which ASVS or ISVS verification level to test against).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub depth: BTreeMap<u8, String>,
    /// Harmonised controls the test verifies.
    pub controls: Vec<String>,
    /// Threats it verifies.
    #[serde(default, skip_serializing_if = "ThreatLink::is_empty")]
    pub threats: ThreatLink,
    /// Where the test comes from (source ids such as `WSTG-ATHN-02`, `ISVS-4.3`,
    /// `NIST-SP-800-115`, `FDA-PRE:V.C`, `iec81001-5-1:5.7.3`, `CAPEC-615`).
    pub sources: Vec<String>,
    /// The file the test was read from (set on loading).
    #[serde(skip_deserializing, default, skip_serializing_if = "String::is_empty")]
    pub file: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestFile {
    /// Short name of the group (`wireless`, `web`).
    pub group: String,
    #[serde(default)]
    pub description: Option<String>,
    pub tests: Vec<TestCase>,
}
