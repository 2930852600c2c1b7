//! The format-independent VEX model: what a manufacturer states about a vulnerability in its
//! products, written out by `medsec-formats` as CycloneDX VEX, CSAF 2.0 VEX and OpenVEX.
//!
//! # Rules
//!
//! The constructors and [`VexStatement::validate`] enforce the minimum elements of a VEX
//! statement that CISA sets out (CISA, *Minimum Requirements for Vulnerability Exploitability
//! eXchange (VEX)*, April 2023, §3.2) and that OpenVEX 0.2 (`OPENVEX-SPEC.md`, "Status
//! Justifications") and CSAF 2.0 (§6.1.27.9 and §6.1.27.10) check:
//!
//! * a statement names a vulnerability and at least one product;
//! * `not_affected` needs a justification or an impact statement;
//! * `affected` needs an action statement;
//! * a justification belongs only to `not_affected`.
//!
//! [`VexDocument::validate`] adds that no product has two statements about the same
//! vulnerability (CSAF 2.0 §6.1.6 "Contradicting Product Status" would reject the document).
//! Writers validate again before writing, so a statement changed after construction cannot
//! reach a regulator in an invalid state.
//!
//! # Two justification vocabularies
//!
//! CISA's five status justifications (CISA, *Vulnerability Exploitability eXchange (VEX) —
//! Status Justifications*, June 2022; the same labels in OpenVEX 0.2 and in CSAF 2.0 §3.2.3.5
//! `flags[].label`) and CycloneDX's nine `impactAnalysisJustification` codes (CycloneDX 1.6,
//! `bom-1.6.schema.json`, `definitions.impactAnalysisJustification`) overlap but do not line
//! up one to one. A [`Justification`] keeps the code the person chose, in the vocabulary they
//! chose it from; a format that speaks the other vocabulary gets the mapped code from
//! [`Justification::cisa`] or [`Justification::cyclonedx`]. No standard publishes this
//! mapping; it is medsec's, made from the definitions of each code:
//!
//! | CycloneDX code | definition (CycloneDX 1.6) | CISA label |
//! |---|---|---|
//! | `code_not_present` | the code has been removed or tree-shaked | `vulnerable_code_not_present` |
//! | `code_not_reachable` | the vulnerable code is not invoked at runtime | `vulnerable_code_not_in_execute_path` |
//! | `requires_configuration` | exploitability requires a configurable option to be set/unset | `vulnerable_code_cannot_be_controlled_by_adversary` |
//! | `requires_dependency` | exploitability requires a dependency that is not present | `component_not_present` |
//! | `requires_environment` | exploitability requires a certain environment which is not present | `vulnerable_code_cannot_be_controlled_by_adversary` |
//! | `protected_by_compiler` | exploitability requires a compiler flag to be set/unset | `inline_mitigations_already_exist` |
//! | `protected_at_runtime` | exploits are prevented at runtime | `inline_mitigations_already_exist` |
//! | `protected_at_perimeter` | attacks are blocked at physical, logical, or network perimeter | `inline_mitigations_already_exist` |
//! | `protected_by_mitigating_control` | preventative measures … reduce the likelihood and/or impact | `inline_mitigations_already_exist` |
//!
//! | CISA label | definition (CISA 2022) | CycloneDX code |
//! |---|---|---|
//! | `component_not_present` | the vulnerable component is not included in the product | `code_not_present` |
//! | `vulnerable_code_not_present` | the component is included but the vulnerable code is not | `code_not_present` |
//! | `vulnerable_code_not_in_execute_path` | the vulnerable code cannot be executed | `code_not_reachable` |
//! | `vulnerable_code_cannot_be_controlled_by_adversary` | the vulnerable code cannot be controlled by an attacker | `requires_configuration` |
//! | `inline_mitigations_already_exist` | built-in inline controls or mitigations prevent exploitation | `protected_by_mitigating_control` |
//!
//! The two directions are not inverses (several CycloneDX codes collapse onto one CISA
//! label); a round trip through the other vocabulary therefore loses precision, which is why
//! the model keeps the original code.

use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::component::ComponentKind;
use crate::cpe::Cpe;
use crate::purl::Purl;

/// A VEX document: who states, when, and the statements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VexDocument {
    /// The document's identifier: an IRI (`https://…`, `urn:…`). OpenVEX `@id`, CSAF
    /// `tracking.id`; CycloneDX takes a `urn:uuid` serial number from the caller instead.
    pub id: String,
    pub author: VexAuthor,
    /// When this version of the document was issued (OpenVEX `timestamp`, CSAF
    /// `current_release_date`, CycloneDX `metadata.timestamp`).
    pub timestamp: Timestamp,
    /// When the first version was issued (CSAF `initial_release_date`); `timestamp` when
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_issued: Option<Timestamp>,
    /// The document version, from 1 (OpenVEX `version`, CSAF `tracking.version`, CycloneDX
    /// BOM `version`).
    pub version: u32,
    /// What made the document, e.g. `medsec 0.1.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tooling: Option<String>,
    /// A title (CSAF requires one; a neutral one is made when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// CSAF `tracking.status`.
    #[serde(default)]
    pub status: DocumentStatus,
    /// Earlier versions (CSAF `revision_history`). Empty means "only version 1": writers
    /// that need a history then write one entry for version 1 at `timestamp`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<Revision>,
    pub statements: Vec<VexStatement>,
}

impl VexDocument {
    /// A version-1 final document; fails when a statement breaks a rule.
    pub fn new(
        id: impl Into<String>,
        author: VexAuthor,
        timestamp: Timestamp,
        statements: Vec<VexStatement>,
    ) -> Result<Self, VexError> {
        let doc = VexDocument {
            id: id.into(),
            author,
            timestamp,
            first_issued: None,
            version: 1,
            tooling: None,
            title: None,
            status: DocumentStatus::Final,
            revisions: Vec::new(),
            statements,
        };
        doc.validate()?;
        Ok(doc)
    }

    /// Checks the document and every statement; the first rule broken is returned.
    pub fn validate(&self) -> Result<(), VexError> {
        if self.id.trim().is_empty() || self.id.trim() != self.id {
            return Err(VexError::BadDocumentId(self.id.clone()));
        }
        if self.author.name.trim().is_empty() {
            return Err(VexError::NoAuthor);
        }
        if self.version == 0 {
            return Err(VexError::VersionZero);
        }
        if self.statements.is_empty() {
            return Err(VexError::NoStatements);
        }
        let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
        for (i, s) in self.statements.iter().enumerate() {
            s.validate()
                .map_err(|e| VexError::Statement(i, Box::new(e)))?;
            for key in s.product_keys() {
                let vuln = s.vulnerability.id.clone();
                if let Some(first) = seen.insert((vuln.clone(), key.clone()), i) {
                    return Err(VexError::Contradiction {
                        vulnerability: vuln,
                        product: key,
                        first,
                        second: i,
                    });
                }
            }
        }
        Ok(())
    }
}

/// Who issues the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VexAuthor {
    /// Organisation or person, e.g. `Acme Medical GmbH`.
    pub name: String,
    /// A URL of the author's namespace (CSAF `publisher.namespace`, required there),
    /// e.g. `https://psirt.acme.example`.
    pub namespace: String,
    /// CSAF `publisher.category`.
    #[serde(default)]
    pub category: AuthorCategory,
    /// How to reach the author (CSAF `publisher.contact_details`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

impl VexAuthor {
    pub fn new(name: impl Into<String>, namespace: impl Into<String>) -> Self {
        VexAuthor {
            name: name.into(),
            namespace: namespace.into(),
            category: AuthorCategory::Vendor,
            contact: None,
        }
    }
}

/// CSAF 2.0 §3.2.1.8.1 `publisher.category`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuthorCategory {
    Coordinator,
    Discoverer,
    Other,
    Translator,
    User,
    #[default]
    Vendor,
}

impl AuthorCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorCategory::Coordinator => "coordinator",
            AuthorCategory::Discoverer => "discoverer",
            AuthorCategory::Other => "other",
            AuthorCategory::Translator => "translator",
            AuthorCategory::User => "user",
            AuthorCategory::Vendor => "vendor",
        }
    }
}

/// CSAF 2.0 §3.2.1.12.6 `tracking.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DocumentStatus {
    Draft,
    Interim,
    #[default]
    Final,
}

impl DocumentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentStatus::Draft => "draft",
            DocumentStatus::Interim => "interim",
            DocumentStatus::Final => "final",
        }
    }
}

/// One entry of the revision history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub number: u32,
    pub date: Timestamp,
    pub summary: String,
}

/// One statement: the status of one vulnerability in some products.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VexStatement {
    pub vulnerability: VulnerabilityRef,
    pub products: Vec<ProductRef>,
    pub status: VexStatus,
    /// Why not affected (only with [`VexStatus::NotAffected`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<Justification>,
    /// How the vulnerability does (or does not) affect the product, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact_statement: Option<String>,
    /// What users should do (required with [`VexStatus::Affected`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_statement: Option<String>,
    /// Remediations with their categories (CSAF `remediations`, CycloneDX `response`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remediations: Vec<Remediation>,
    /// When the statement was first made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_issued: Option<Timestamp>,
    /// When the statement last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<Timestamp>,
    /// Who decided the status (a person or team), for the audit trail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
}

impl VexStatement {
    fn bare(vulnerability: VulnerabilityRef, products: Vec<ProductRef>, status: VexStatus) -> Self {
        VexStatement {
            vulnerability,
            products,
            status,
            justification: None,
            impact_statement: None,
            action_statement: None,
            remediations: Vec::new(),
            first_issued: None,
            last_updated: None,
            decided_by: None,
        }
    }

    /// `not_affected`, with a justification, an impact statement, or both.
    pub fn not_affected(
        vulnerability: VulnerabilityRef,
        products: Vec<ProductRef>,
        justification: Option<Justification>,
        impact_statement: Option<String>,
    ) -> Result<Self, VexError> {
        let mut s = Self::bare(vulnerability, products, VexStatus::NotAffected);
        s.justification = justification;
        s.impact_statement = impact_statement;
        s.validate()?;
        Ok(s)
    }

    /// `affected`, with what users should do.
    pub fn affected(
        vulnerability: VulnerabilityRef,
        products: Vec<ProductRef>,
        action_statement: impl Into<String>,
    ) -> Result<Self, VexError> {
        let mut s = Self::bare(vulnerability, products, VexStatus::Affected);
        s.action_statement = Some(action_statement.into());
        s.validate()?;
        Ok(s)
    }

    /// `fixed`.
    pub fn fixed(
        vulnerability: VulnerabilityRef,
        products: Vec<ProductRef>,
    ) -> Result<Self, VexError> {
        let s = Self::bare(vulnerability, products, VexStatus::Fixed);
        s.validate()?;
        Ok(s)
    }

    /// `under_investigation`.
    pub fn under_investigation(
        vulnerability: VulnerabilityRef,
        products: Vec<ProductRef>,
    ) -> Result<Self, VexError> {
        let s = Self::bare(vulnerability, products, VexStatus::UnderInvestigation);
        s.validate()?;
        Ok(s)
    }

    pub fn with_impact_statement(mut self, text: impl Into<String>) -> Self {
        self.impact_statement = Some(text.into());
        self
    }

    pub fn with_remediation(mut self, r: Remediation) -> Self {
        self.remediations.push(r);
        self
    }

    pub fn with_times(mut self, first_issued: Timestamp, last_updated: Option<Timestamp>) -> Self {
        self.first_issued = Some(first_issued);
        self.last_updated = last_updated;
        self
    }

    pub fn decided_by(mut self, who: impl Into<String>) -> Self {
        self.decided_by = Some(who.into());
        self
    }

    /// Checks the rules of the module documentation.
    pub fn validate(&self) -> Result<(), VexError> {
        let v = &self.vulnerability;
        if v.id.trim().is_empty() || v.id.trim() != v.id {
            return Err(VexError::BadVulnerabilityId(v.id.clone()));
        }
        if self.products.is_empty() {
            return Err(VexError::NoProducts);
        }
        let mut keys = std::collections::BTreeSet::new();
        for p in &self.products {
            if p.name.trim().is_empty() {
                return Err(VexError::ProductWithoutName);
            }
            if !keys.insert(p.key()) {
                return Err(VexError::DuplicateProduct(p.key()));
            }
            let mut subs = std::collections::BTreeSet::new();
            for s in &p.subcomponents {
                if !subs.insert(s) {
                    return Err(VexError::DuplicateProduct(format!("{} in {}", s, p.key())));
                }
            }
        }
        let blank = |t: &Option<String>| t.as_deref().is_none_or(|t| t.trim().is_empty());
        match self.status {
            VexStatus::NotAffected => {
                if self.justification.is_none() && blank(&self.impact_statement) {
                    return Err(VexError::NotAffectedWithoutReason);
                }
            }
            VexStatus::Affected => {
                if blank(&self.action_statement) {
                    return Err(VexError::AffectedWithoutAction);
                }
            }
            VexStatus::Fixed | VexStatus::UnderInvestigation => {}
        }
        if self.justification.is_some() && self.status != VexStatus::NotAffected {
            return Err(VexError::JustificationWithoutNotAffected(self.status));
        }
        for r in &self.remediations {
            if r.details.trim().is_empty() {
                return Err(VexError::EmptyRemediation);
            }
        }
        if let (Some(first), Some(last)) = (self.first_issued, self.last_updated)
            && last < first
        {
            return Err(VexError::UpdatedBeforeIssued);
        }
        Ok(())
    }

    /// The identity of each (product, subcomponent) pair this statement is about, used to
    /// find contradictions.
    fn product_keys(&self) -> Vec<String> {
        let mut out = Vec::new();
        for p in &self.products {
            if p.subcomponents.is_empty() {
                out.push(p.key());
            } else {
                for s in &p.subcomponents {
                    out.push(format!("{} in {}", s, p.key()));
                }
            }
        }
        out
    }
}

/// The vulnerability a statement is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VulnerabilityRef {
    /// The primary id: a CVE id where there is one, else the advisory's own id.
    pub id: String,
    /// Other ids of the same vulnerability, without `id`, each once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl VulnerabilityRef {
    pub fn new(id: impl Into<String>) -> Self {
        VulnerabilityRef {
            id: id.into(),
            aliases: Vec::new(),
            description: None,
        }
    }

    /// Adds an alias unless it is the id or already there (compared case-insensitively,
    /// as CVE and GHSA ids are).
    pub fn with_alias(mut self, alias: impl Into<String>) -> Self {
        let alias = alias.into();
        let alias = alias.trim();
        if !alias.is_empty()
            && !alias.eq_ignore_ascii_case(&self.id)
            && !self.aliases.iter().any(|a| a.eq_ignore_ascii_case(alias))
        {
            self.aliases.push(alias.to_owned());
        }
        self
    }

    pub fn with_description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }
}

/// A product (a device software version) a statement is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProductRef {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<Purl>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpe: Option<Cpe>,
    /// What the product is (CycloneDX component type); `application` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "kind_text")]
    pub kind: Option<ComponentKind>,
    /// The bom-ref of this product in the SBOM the VEX accompanies, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
    /// The components of the product the statement is about (the component carrying the
    /// vulnerable code); empty: the statement is about the product as a whole.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subcomponents: Vec<Purl>,
}

impl ProductRef {
    pub fn new(name: impl Into<String>) -> Self {
        ProductRef {
            name: name.into(),
            version: None,
            purl: None,
            cpe: None,
            kind: None,
            bom_ref: None,
            subcomponents: Vec::new(),
        }
    }

    pub fn with_version(mut self, v: impl Into<String>) -> Self {
        self.version = Some(v.into());
        self
    }

    pub fn with_purl(mut self, p: Purl) -> Self {
        self.purl = Some(p);
        self
    }

    pub fn with_cpe(mut self, c: Cpe) -> Self {
        self.cpe = Some(c);
        self
    }

    pub fn with_kind(mut self, k: ComponentKind) -> Self {
        self.kind = Some(k);
        self
    }

    pub fn with_subcomponent(mut self, p: Purl) -> Self {
        self.subcomponents.push(p);
        self
    }

    /// A stable identity: the purl, else the CPE, else name and version.
    pub fn key(&self) -> String {
        match (&self.purl, &self.cpe, &self.version) {
            (Some(p), _, _) => p.to_string(),
            (None, Some(c), _) => c.to_string(),
            (None, None, Some(v)) => format!("{} {v}", self.name),
            (None, None, None) => self.name.clone(),
        }
    }

    /// The name with the version, for titles.
    pub fn display_name(&self) -> String {
        match &self.version {
            Some(v) => format!("{} {v}", self.name),
            None => self.name.clone(),
        }
    }
}

// `ComponentKind` serialises as its kebab-case name but has no `Deserialize`; this reads it
// back by that name.
mod kind_text {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::component::ComponentKind;

    const ALL: [ComponentKind; 18] = [
        ComponentKind::Application,
        ComponentKind::Framework,
        ComponentKind::Library,
        ComponentKind::Container,
        ComponentKind::Platform,
        ComponentKind::OperatingSystem,
        ComponentKind::Device,
        ComponentKind::DeviceDriver,
        ComponentKind::Firmware,
        ComponentKind::File,
        ComponentKind::MachineLearningModel,
        ComponentKind::Data,
        ComponentKind::CryptographicAsset,
        ComponentKind::Source,
        ComponentKind::Archive,
        ComponentKind::Install,
        ComponentKind::Other,
        ComponentKind::Unspecified,
    ];

    pub fn serialize<S: Serializer>(k: &Option<ComponentKind>, s: S) -> Result<S::Ok, S::Error> {
        k.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ComponentKind>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|t| {
                ALL.into_iter().find(|k| k.as_str() == t).ok_or_else(|| {
                    serde::de::Error::custom(format!("unknown component kind {t:?}"))
                })
            })
            .transpose()
    }
}

/// The four VEX statuses (CISA minimum requirements §3.2; OpenVEX `status`). Exhaustive on
/// purpose: every format writes exactly these four, and a new one must be mapped in each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VexStatus {
    NotAffected,
    Affected,
    Fixed,
    UnderInvestigation,
}

impl VexStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Affected => "affected",
            VexStatus::Fixed => "fixed",
            VexStatus::UnderInvestigation => "under_investigation",
        }
    }

    pub const ALL: [VexStatus; 4] = [
        VexStatus::NotAffected,
        VexStatus::Affected,
        VexStatus::Fixed,
        VexStatus::UnderInvestigation,
    ];
}

impl fmt::Display for VexStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A justification, in the vocabulary it was chosen from (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "vocabulary", content = "code", rename_all = "snake_case")]
pub enum Justification {
    Cisa(CisaJustification),
    #[serde(rename = "cyclonedx")]
    CycloneDx(CdxJustification),
}

impl Justification {
    /// The CISA/OpenVEX/CSAF label.
    pub fn cisa(self) -> CisaJustification {
        match self {
            Justification::Cisa(c) => c,
            Justification::CycloneDx(c) => c.to_cisa(),
        }
    }

    /// The CycloneDX code.
    pub fn cyclonedx(self) -> CdxJustification {
        match self {
            Justification::Cisa(c) => c.to_cyclonedx(),
            Justification::CycloneDx(c) => c,
        }
    }

    /// The code as chosen.
    pub fn as_str(self) -> &'static str {
        match self {
            Justification::Cisa(c) => c.as_str(),
            Justification::CycloneDx(c) => c.as_str(),
        }
    }
}

/// CISA's status justifications (CISA, *VEX Status Justifications*, 2022), as OpenVEX 0.2
/// and CSAF 2.0 `flags[].label` spell them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CisaJustification {
    ComponentNotPresent,
    VulnerableCodeNotPresent,
    VulnerableCodeNotInExecutePath,
    VulnerableCodeCannotBeControlledByAdversary,
    InlineMitigationsAlreadyExist,
}

impl CisaJustification {
    pub const ALL: [CisaJustification; 5] = [
        CisaJustification::ComponentNotPresent,
        CisaJustification::VulnerableCodeNotPresent,
        CisaJustification::VulnerableCodeNotInExecutePath,
        CisaJustification::VulnerableCodeCannotBeControlledByAdversary,
        CisaJustification::InlineMitigationsAlreadyExist,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CisaJustification::ComponentNotPresent => "component_not_present",
            CisaJustification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            CisaJustification::VulnerableCodeNotInExecutePath => {
                "vulnerable_code_not_in_execute_path"
            }
            CisaJustification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            CisaJustification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }

    /// The mapping table of the module documentation.
    pub fn to_cyclonedx(self) -> CdxJustification {
        match self {
            CisaJustification::ComponentNotPresent => CdxJustification::CodeNotPresent,
            CisaJustification::VulnerableCodeNotPresent => CdxJustification::CodeNotPresent,
            CisaJustification::VulnerableCodeNotInExecutePath => CdxJustification::CodeNotReachable,
            CisaJustification::VulnerableCodeCannotBeControlledByAdversary => {
                CdxJustification::RequiresConfiguration
            }
            CisaJustification::InlineMitigationsAlreadyExist => {
                CdxJustification::ProtectedByMitigatingControl
            }
        }
    }
}

/// CycloneDX 1.6 `impactAnalysisJustification`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CdxJustification {
    CodeNotPresent,
    CodeNotReachable,
    RequiresConfiguration,
    RequiresDependency,
    RequiresEnvironment,
    ProtectedByCompiler,
    ProtectedAtRuntime,
    ProtectedAtPerimeter,
    ProtectedByMitigatingControl,
}

impl CdxJustification {
    pub const ALL: [CdxJustification; 9] = [
        CdxJustification::CodeNotPresent,
        CdxJustification::CodeNotReachable,
        CdxJustification::RequiresConfiguration,
        CdxJustification::RequiresDependency,
        CdxJustification::RequiresEnvironment,
        CdxJustification::ProtectedByCompiler,
        CdxJustification::ProtectedAtRuntime,
        CdxJustification::ProtectedAtPerimeter,
        CdxJustification::ProtectedByMitigatingControl,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CdxJustification::CodeNotPresent => "code_not_present",
            CdxJustification::CodeNotReachable => "code_not_reachable",
            CdxJustification::RequiresConfiguration => "requires_configuration",
            CdxJustification::RequiresDependency => "requires_dependency",
            CdxJustification::RequiresEnvironment => "requires_environment",
            CdxJustification::ProtectedByCompiler => "protected_by_compiler",
            CdxJustification::ProtectedAtRuntime => "protected_at_runtime",
            CdxJustification::ProtectedAtPerimeter => "protected_at_perimeter",
            CdxJustification::ProtectedByMitigatingControl => "protected_by_mitigating_control",
        }
    }

    /// The mapping table of the module documentation.
    pub fn to_cisa(self) -> CisaJustification {
        match self {
            CdxJustification::CodeNotPresent => CisaJustification::VulnerableCodeNotPresent,
            CdxJustification::CodeNotReachable => CisaJustification::VulnerableCodeNotInExecutePath,
            CdxJustification::RequiresConfiguration | CdxJustification::RequiresEnvironment => {
                CisaJustification::VulnerableCodeCannotBeControlledByAdversary
            }
            CdxJustification::RequiresDependency => CisaJustification::ComponentNotPresent,
            CdxJustification::ProtectedByCompiler
            | CdxJustification::ProtectedAtRuntime
            | CdxJustification::ProtectedAtPerimeter
            | CdxJustification::ProtectedByMitigatingControl => {
                CisaJustification::InlineMitigationsAlreadyExist
            }
        }
    }
}

/// A remediation, in CSAF 2.0's categories (§3.2.3.12.1), the richest of the three formats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Remediation {
    pub category: RemediationCategory,
    pub details: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Remediation {
    pub fn new(category: RemediationCategory, details: impl Into<String>) -> Self {
        Remediation {
            category,
            details: details.into(),
            url: None,
        }
    }
}

/// CSAF 2.0 `remediations[].category`. CycloneDX `analysis.response` is derived from it:
/// `vendor_fix` → `update`, `workaround` and `mitigation` → `workaround_available`,
/// `no_fix_planned` → `will_not_fix`, `none_available` → `can_not_fix` (definitions in
/// CSAF 2.0 §3.2.3.12.1 and CycloneDX 1.6 `analysis.response`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RemediationCategory {
    Mitigation,
    NoFixPlanned,
    NoneAvailable,
    VendorFix,
    Workaround,
}

impl RemediationCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            RemediationCategory::Mitigation => "mitigation",
            RemediationCategory::NoFixPlanned => "no_fix_planned",
            RemediationCategory::NoneAvailable => "none_available",
            RemediationCategory::VendorFix => "vendor_fix",
            RemediationCategory::Workaround => "workaround",
        }
    }

    /// The CycloneDX `analysis.response` value.
    pub fn cyclonedx_response(self) -> &'static str {
        match self {
            RemediationCategory::VendorFix => "update",
            RemediationCategory::Workaround | RemediationCategory::Mitigation => {
                "workaround_available"
            }
            RemediationCategory::NoFixPlanned => "will_not_fix",
            RemediationCategory::NoneAvailable => "can_not_fix",
        }
    }
}

/// A VEX rule broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VexError {
    #[error(
        "a not_affected statement needs a justification or an impact statement (CISA VEX minimum requirements; OpenVEX 0.2)"
    )]
    NotAffectedWithoutReason,
    #[error(
        "an affected statement needs an action statement (CISA VEX minimum requirements; OpenVEX 0.2)"
    )]
    AffectedWithoutAction,
    #[error("a justification belongs only to a not_affected statement, not to {0}")]
    JustificationWithoutNotAffected(VexStatus),
    #[error("a statement names no product")]
    NoProducts,
    #[error("a product has no name")]
    ProductWithoutName,
    #[error("product {0} is named twice in one statement")]
    DuplicateProduct(String),
    #[error("vulnerability id {0:?} is empty or has surrounding spaces")]
    BadVulnerabilityId(String),
    #[error("a remediation has no details")]
    EmptyRemediation,
    #[error("a statement was last updated before it was first issued")]
    UpdatedBeforeIssued,
    #[error("document id {0:?} is empty or has surrounding spaces")]
    BadDocumentId(String),
    #[error("the document has no author")]
    NoAuthor,
    #[error("document versions start at 1")]
    VersionZero,
    #[error("the document has no statements")]
    NoStatements,
    #[error("statement {0}: {1}")]
    Statement(usize, Box<VexError>),
    #[error(
        "{vulnerability} in {product} is stated twice, in statements {first} and {second} (CSAF 2.0 §6.1.6)"
    )]
    Contradiction {
        vulnerability: String,
        product: String,
        first: usize,
        second: usize,
    },
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn product() -> ProductRef {
        ProductRef::new("Pump firmware")
            .with_version("2.1.0")
            .with_purl("pkg:generic/acme/pump-firmware@2.1.0".parse().unwrap())
    }

    #[test]
    fn not_affected_needs_a_reason() {
        let v = VulnerabilityRef::new("CVE-2024-0001");
        assert_eq!(
            VexStatement::not_affected(v.clone(), vec![product()], None, None),
            Err(VexError::NotAffectedWithoutReason)
        );
        assert_eq!(
            VexStatement::not_affected(v.clone(), vec![product()], None, Some("  ".into())),
            Err(VexError::NotAffectedWithoutReason)
        );
        assert!(VexStatement::not_affected(v, vec![product()], None, Some("x".into())).is_ok());
    }

    #[test]
    fn affected_needs_an_action() {
        let v = VulnerabilityRef::new("CVE-2024-0001");
        assert_eq!(
            VexStatement::affected(v.clone(), vec![product()], ""),
            Err(VexError::AffectedWithoutAction)
        );
        assert!(VexStatement::affected(v, vec![product()], "Update to 2.2").is_ok());
    }

    #[test]
    fn justification_only_with_not_affected() {
        let mut s =
            VexStatement::fixed(VulnerabilityRef::new("CVE-2024-0001"), vec![product()]).unwrap();
        s.justification = Some(Justification::Cisa(CisaJustification::ComponentNotPresent));
        assert_eq!(
            s.validate(),
            Err(VexError::JustificationWithoutNotAffected(VexStatus::Fixed))
        );
    }

    #[test]
    fn no_products_and_duplicates_rejected() {
        let v = VulnerabilityRef::new("CVE-2024-0001");
        assert_eq!(
            VexStatement::fixed(v.clone(), vec![]),
            Err(VexError::NoProducts)
        );
        assert!(matches!(
            VexStatement::fixed(v, vec![product(), product()]),
            Err(VexError::DuplicateProduct(_))
        ));
    }

    #[test]
    fn contradictions_rejected() {
        let v = VulnerabilityRef::new("CVE-2024-0001");
        let a = VexStatement::fixed(v.clone(), vec![product()]).unwrap();
        let b = VexStatement::under_investigation(v, vec![product()]).unwrap();
        let err = VexDocument::new(
            "https://example.com/vex/1",
            VexAuthor::new("Acme", "https://acme.example"),
            "2024-01-01T00:00:00Z".parse().unwrap(),
            vec![a, b],
        )
        .unwrap_err();
        assert!(matches!(
            err,
            VexError::Contradiction {
                first: 0,
                second: 1,
                ..
            }
        ));
    }

    #[test]
    fn justification_mapping_is_total_and_consistent() {
        // Every CISA label maps to a CycloneDX code that maps back to a label; for the
        // labels with a one-to-one counterpart the round trip is exact.
        for c in CisaJustification::ALL {
            let back = c.to_cyclonedx().to_cisa();
            if c != CisaJustification::ComponentNotPresent {
                assert_eq!(back, c, "{c:?}");
            }
        }
        for c in CdxJustification::ALL {
            let j = Justification::CycloneDx(c);
            assert_eq!(j.cyclonedx(), c);
            assert_eq!(j.cisa(), c.to_cisa());
        }
    }

    #[test]
    fn aliases_deduplicated() {
        let v = VulnerabilityRef::new("CVE-1")
            .with_alias("cve-1")
            .with_alias("GHSA-x")
            .with_alias("ghsa-X")
            .with_alias(" ");
        assert_eq!(v.aliases, vec!["GHSA-x".to_owned()]);
    }
}
