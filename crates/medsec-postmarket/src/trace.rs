//! Traceability of a finding to patient harm: from the component a vulnerability is in,
//! to the elements of the device model that run it, to the STRIDE threats on those
//! elements and on the flows that reach them, to their FMEA rows and the harm those rows
//! end in.
//!
//! # Where a component runs
//!
//! An element runs a component when its `software` lists it: in the element's SBOM file
//! (read with the formats crate, every component at any depth) or inline. A finding's
//! component matches one of them:
//!
//! - **by purl**, when both have one: the two purls are compared normalised (as the purl
//!   specification defines it) on type, namespace, name and version; qualifiers and
//!   subpath are ignored (`?arch=arm64`, `#subsys/bluetooth` name the same package
//!   version), the version is not (a different version is a different component);
//! - **by name and version** otherwise: both must have a version; name and version are
//!   compared without regard to case.
//!
//! CPE names are carried through but not used to place a component.
//!
//! A component found in no element is reported as [`Placement::Unplaced`], never as an
//! empty trace; SBOMs that could not be read are listed as problems, since a component
//! in them cannot have been found.
//!
//! # Which threats a software vulnerability can realise
//!
//! A vulnerability in the software of an element gives an attacker what that software
//! can do. The categories kept are ([`realisable_on_element`], [`REALISABLE_ON_FLOWS`]):
//!
//! - on a **process**, all six STRIDE categories: code that runs can be made to act as
//!   someone else, change or leak what it handles, stop, hide what it did, or grant
//!   rights;
//! - on a **data store**, tampering, information disclosure and denial of service: the
//!   store's software (a database engine, a file system) can be made to change, leak or
//!   lose the data at rest; repudiation is a property of the records kept, not of the
//!   software that keeps them;
//! - on an **external entity**, spoofing: a compromised third-party system speaks with
//!   its own identity; repudiation by an outside party is not realised through its
//!   software;
//! - on every **flow to or from** the element, tampering, information disclosure and
//!   denial of service: a compromised end can alter, read or drop what the flow carries.
//!   Spoofing of a flow's sender is an attacker outside the flow posing as one of its
//!   ends, not something a vulnerable end does, so it is left out.
//!
//! Threats of the model on the element or its flows in other categories are listed by id
//! as not realisable, so that a reviewer sees what was left out.
//!
//! # The rubric
//!
//! With a CVSS vector, the FDA/MITRE rubric answers are proposed for each element by
//! [`medsec_device::rubric_context::propose`] and marked as proposed: a person confirms
//! or changes each answer, with a rationale. Nothing is stored here.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use medsec_core::Purl;
use medsec_device::LoadedDevice;
use medsec_device::model::{Element, ElementKind, Severity, Stride};
use medsec_threat::engine::{Harm, Property, Target, Threat};
use medsec_threat::fmea::{Level, RiskRow};
use medsec_threat::{Register, RiskLevel, ThreatModel};
use serde::{Deserialize, Serialize};

/// The STRIDE categories a vulnerability in an element's software can realise on the
/// element itself (see the module documentation for the reasons).
pub fn realisable_on_element(kind: ElementKind) -> &'static [Stride] {
    match kind {
        ElementKind::Process => &[
            Stride::Spoofing,
            Stride::Tampering,
            Stride::Repudiation,
            Stride::InformationDisclosure,
            Stride::DenialOfService,
            Stride::ElevationOfPrivilege,
        ],
        ElementKind::DataStore => &[
            Stride::Tampering,
            Stride::InformationDisclosure,
            Stride::DenialOfService,
        ],
        ElementKind::ExternalEntity => &[Stride::Spoofing],
    }
}

/// The STRIDE categories a vulnerability in an element's software can realise on the
/// flows to and from the element.
pub const REALISABLE_ON_FLOWS: &[Stride] = &[
    Stride::Tampering,
    Stride::InformationDisclosure,
    Stride::DenialOfService,
];

/// What is traced: a finding's component and vulnerability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceInput {
    /// The component's name.
    pub name: String,
    /// The component's version, when the finding has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The component's package URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// The component's CPE name (carried through, not used to place the component).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpe: Option<String>,
    /// The vulnerability's id (a CVE, GHSA, …).
    pub vulnerability: String,
    /// The vulnerability's CVSS vector, as its advisory gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss_vector: Option<String>,
    /// The base score the advisory states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_score: Option<f64>,
}

/// The chain from a finding to patient harm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trace {
    /// The finding traced, as given.
    pub finding: TraceInput,
    pub placement: Placement,
    /// Why the component is unplaced, in plain words (only when it is).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unplaced_reason: Option<String>,
    /// Elements running the component, by element id.
    pub elements: Vec<ElementTrace>,
    pub summary: TraceSummary,
    /// The FDA/MITRE rubric answers proposed from the device model.
    pub rubric: RubricProposal,
    /// What may make the trace incomplete (an SBOM that could not be read, an invalid
    /// purl in the finding, a threat without an FMEA row).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<TraceProblem>,
}

/// Whether the component runs on any element of the device model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Placement {
    /// At least one element's software lists it.
    Placed,
    /// No element's software lists it: the device model does not say where it runs.
    Unplaced,
}

/// One element running the component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElementTrace {
    pub element: String,
    pub element_name: String,
    pub kind: ElementKind,
    /// The entries of the element's software that matched, and how.
    pub matched: Vec<ComponentMatch>,
    /// STRIDE categories kept for threats on the element itself.
    pub stride_on_element: Vec<Stride>,
    /// STRIDE categories kept for threats on its flows.
    pub stride_on_flows: Vec<Stride>,
    /// Threats the vulnerability can realise, by threat id.
    pub threats: Vec<TracedThreat>,
    /// Threats on the element or its flows in categories the vulnerability cannot
    /// realise, by id.
    pub not_realisable: Vec<String>,
}

/// An entry of an element's software that is the finding's component.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ComponentMatch {
    /// Where the entry is listed.
    pub source: ComponentSource,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    pub matched_by: MatchedBy,
}

/// Where an element's software lists a component.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum ComponentSource {
    /// The element's SBOM file, as the device file names it.
    Sbom { path: String },
    /// The `components` list of the element's `software`.
    Inline,
}

/// How a component was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchedBy {
    /// Normalised purls equal on type, namespace, name and version.
    Purl,
    /// Name and version equal without regard to case (one side had no purl).
    NameVersion,
}

/// How a threat relates to the element that runs the component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    /// The threat targets the element.
    Element,
    /// The threat targets a flow whose `from` is the element.
    FlowFromElement,
    /// The threat targets a flow whose `to` is the element.
    FlowToElement,
}

/// A threat of the model reached through the component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TracedThreat {
    pub threat: String,
    pub rule: String,
    pub title: String,
    pub stride: Stride,
    /// The element or flow the threat is about.
    pub target: String,
    /// `process`, `data-store`, `external-entity` or `flow`.
    pub target_kind: String,
    pub via: Via,
    /// The threat's FMEA row; `None` only when the register has no row for it (listed
    /// among the problems).
    pub row: Option<RowSummary>,
    /// The worst harm on the asset properties the threat puts at stake.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub harm: Option<TracedHarm>,
}

/// The parts of an FMEA row a trace needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowSummary {
    /// The row's id (the threat's id).
    pub id: String,
    /// Severity on the policy's scale; `None` when no harm is declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<ScaleLevel>,
    pub exploitability: ScaleLevel,
    /// Risk before controls.
    pub risk: RiskLevel,
    pub residual_exploitability: ScaleLevel,
    /// Risk after the controls of the model.
    pub residual_risk: RiskLevel,
    pub controls: Vec<String>,
    /// The row's harm reaches the policy's safety threshold.
    pub safety: bool,
}

/// A level on one of the policy's scales.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScaleLevel {
    pub level: String,
    /// 1 = lowest.
    pub rank: u32,
}

/// The harm to the patient (or user).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TracedHarm {
    pub asset: String,
    pub asset_name: String,
    pub property: Property,
    pub harm: String,
    /// ISO 14971 severity of the harm as declared on the asset.
    pub severity: Severity,
}

/// What the trace reaches, over every element.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceSummary {
    pub elements: usize,
    /// Distinct threats reached.
    pub threats: usize,
    /// Distinct FMEA rows reached.
    pub rows: usize,
    /// The worst harm severity reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worst_severity: Option<Severity>,
    /// The worst risk before controls among the rows reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worst_risk: Option<RiskLevel>,
    /// The worst risk after controls among the rows reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worst_residual_risk: Option<RiskLevel>,
    /// A safety-relevant row is reachable.
    pub safety_relevant: bool,
    /// The safety-relevant rows reached, by id.
    pub safety_rows: Vec<String>,
}

/// The rubric answers proposed from the device model.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
pub enum RubricProposal {
    /// Answers proposed for each element running the component. A person confirms or
    /// changes each one, with a rationale; nothing is recorded until then.
    Proposed { elements: Vec<ElementProposal> },
    /// No proposal, and why (no CVSS vector, an invalid one, no element).
    NotProposed { reason: String },
}

/// Proposed rubric answers for one element.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElementProposal {
    pub element: String,
    /// By question id.
    pub answers: Vec<ProposedAnswer>,
    /// Why nothing could be proposed for this element.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One proposed answer to a rubric question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProposedAnswer {
    pub question: String,
    pub answer: ProposedValue,
    /// Starts with [`medsec_device::rubric_context::PROPOSED`].
    pub rationale: String,
}

/// A rubric answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProposedValue {
    Yes,
    No,
    Unknown,
}

/// Something that may make a trace incomplete.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct TraceProblem {
    /// The element concerned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element: Option<String>,
    pub message: String,
}

/// The software of every element, read once for many traces.
#[derive(Debug, Clone, Default)]
pub struct DeviceSoftware {
    /// Element id → the components its software lists.
    components: BTreeMap<String, Vec<SoftwareComponent>>,
    problems: Vec<TraceProblem>,
}

#[derive(Debug, Clone)]
struct SoftwareComponent {
    source: ComponentSource,
    name: String,
    version: Option<String>,
    purl: Option<Purl>,
}

impl DeviceSoftware {
    /// Reads the SBOM file and the inline components of each element. SBOM paths are
    /// relative to the device file. An SBOM that cannot be read is kept as a problem.
    pub fn read(loaded: &LoadedDevice) -> DeviceSoftware {
        let base = loaded.path.parent().unwrap_or(Path::new("."));
        let mut software = DeviceSoftware::default();
        for element in &loaded.device.elements {
            let Some(declared) = &element.software else {
                continue;
            };
            let mut list = Vec::new();
            if let Some(relative) = &declared.sbom {
                let path = base.join(relative);
                match medsec_formats::sbom::read_from_path(
                    &path,
                    medsec_formats::sbom::Limits::DEFAULT,
                ) {
                    Ok(reading) => {
                        list.extend(reading.sbom.components.into_iter().map(|c| {
                            SoftwareComponent {
                                source: ComponentSource::Sbom {
                                    path: relative.clone(),
                                },
                                name: c.name,
                                version: c.version,
                                purl: c.purl,
                            }
                        }));
                    }
                    Err(error) => software.problems.push(TraceProblem {
                        element: Some(element.id.clone()),
                        message: format!(
                            "SBOM '{relative}' could not be read, so its components were not searched: {error}"
                        ),
                    }),
                }
            }
            list.extend(declared.components.iter().map(|c| SoftwareComponent {
                source: ComponentSource::Inline,
                name: c.name.clone(),
                version: Some(c.version.clone()),
                // The device check rejects an invalid purl; one that still fails here is
                // not used, and the name and version are compared instead.
                purl: c.purl.as_deref().and_then(|p| Purl::parse_lenient(p).ok()),
            }));
            software.components.insert(element.id.clone(), list);
        }
        software
    }

    /// Problems met while reading the software (SBOMs that could not be read).
    pub fn problems(&self) -> &[TraceProblem] {
        &self.problems
    }
}

/// Traces a finding through the device model. Reads the elements' SBOMs; to trace many
/// findings, read them once with [`DeviceSoftware::read`] and call [`trace_in`].
pub fn trace(
    loaded: &LoadedDevice,
    model: &ThreatModel<'_>,
    register: &Register<'_>,
    finding: &TraceInput,
) -> Trace {
    trace_in(
        &DeviceSoftware::read(loaded),
        loaded,
        model,
        register,
        finding,
    )
}

/// Traces a finding through the device model, with the software already read.
pub fn trace_in(
    software: &DeviceSoftware,
    loaded: &LoadedDevice,
    model: &ThreatModel<'_>,
    register: &Register<'_>,
    finding: &TraceInput,
) -> Trace {
    let mut problems: Vec<TraceProblem> = software.problems.clone();
    let finding_purl = match finding.purl.as_deref().map(Purl::parse_lenient) {
        Some(Ok(purl)) => Some(purl),
        Some(Err(error)) => {
            problems.push(TraceProblem {
                element: None,
                message: format!(
                    "the finding's purl {:?} is not a valid package URL ({error}); the component was looked for by name and version only",
                    finding.purl.as_deref().unwrap_or_default()
                ),
            });
            None
        }
        None => None,
    };

    let rows: HashMap<&str, &RiskRow<'_>> = register.rows.iter().map(|r| (r.id, r)).collect();
    let mut elements: Vec<&Element> = loaded.device.elements.iter().collect();
    elements.sort_by(|a, b| a.id.cmp(&b.id));

    let mut traced = Vec::new();
    for element in elements {
        let Some(components) = software.components.get(&element.id) else {
            continue;
        };
        let mut matched: Vec<ComponentMatch> = components
            .iter()
            .filter_map(|c| {
                component_matches(finding, finding_purl.as_ref(), c).map(|by| ComponentMatch {
                    source: c.source.clone(),
                    name: c.name.clone(),
                    version: c.version.clone(),
                    purl: c.purl.as_ref().map(ToString::to_string),
                    matched_by: by,
                })
            })
            .collect();
        if matched.is_empty() {
            continue;
        }
        matched.sort();
        matched.dedup();
        traced.push(trace_element(element, matched, model, &rows, &mut problems));
    }

    let placement = if traced.is_empty() {
        Placement::Unplaced
    } else {
        Placement::Placed
    };
    let unplaced_reason = (placement == Placement::Unplaced)
        .then(|| unplaced_reason(finding, finding_purl.as_ref(), software));
    let rubric = propose_rubric(loaded, finding, &traced);
    let summary = summarise(&traced);
    problems.sort();
    problems.dedup();
    Trace {
        finding: finding.clone(),
        placement,
        unplaced_reason,
        elements: traced,
        summary,
        rubric,
        problems,
    }
}

/// How `component` is the finding's component, if it is.
fn component_matches(
    finding: &TraceInput,
    finding_purl: Option<&Purl>,
    component: &SoftwareComponent,
) -> Option<MatchedBy> {
    if let (Some(wanted), Some(listed)) = (finding_purl, component.purl.as_ref()) {
        return (purl_key(wanted) == purl_key(listed)).then_some(MatchedBy::Purl);
    }
    let (Some(wanted), Some(listed)) = (finding.version.as_deref(), component.version.as_deref())
    else {
        return None;
    };
    (same_text(&finding.name, &component.name) && same_text(wanted, listed))
        .then_some(MatchedBy::NameVersion)
}

/// A normalised purl without qualifiers and subpath, version kept.
fn purl_key(purl: &Purl) -> (&str, Option<&str>, &str, Option<&str>) {
    (purl.ty(), purl.namespace(), purl.name(), purl.version())
}

fn same_text(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

fn trace_element(
    element: &Element,
    matched: Vec<ComponentMatch>,
    model: &ThreatModel<'_>,
    rows: &HashMap<&str, &RiskRow<'_>>,
    problems: &mut Vec<TraceProblem>,
) -> ElementTrace {
    let on_element = realisable_on_element(element.kind);
    let mut threats = Vec::new();
    let mut not_realisable = BTreeSet::new();
    for threat in &model.threats {
        let (via, kept) = match &threat.target {
            Target::Element(e) if e.id == element.id => (Via::Element, on_element),
            Target::Flow(f) if f.from.id == element.id => {
                (Via::FlowFromElement, REALISABLE_ON_FLOWS)
            }
            Target::Flow(f) if f.to.id == element.id => (Via::FlowToElement, REALISABLE_ON_FLOWS),
            _ => continue,
        };
        if !kept.contains(&threat.stride()) {
            not_realisable.insert(threat.id.clone());
            continue;
        }
        let row = rows.get(threat.id.as_str()).copied();
        if row.is_none() {
            problems.push(TraceProblem {
                element: Some(element.id.clone()),
                message: format!(
                    "threat '{}' has no row in the FMEA register given",
                    threat.id
                ),
            });
        }
        threats.push(traced_threat(threat, via, row));
    }
    threats.sort_by(|a, b| a.threat.cmp(&b.threat).then(a.via.cmp(&b.via)));
    ElementTrace {
        element: element.id.clone(),
        element_name: element.name.clone(),
        kind: element.kind,
        matched,
        stride_on_element: on_element.to_vec(),
        stride_on_flows: REALISABLE_ON_FLOWS.to_vec(),
        threats,
        not_realisable: not_realisable.into_iter().collect(),
    }
}

fn traced_threat(threat: &Threat<'_>, via: Via, row: Option<&RiskRow<'_>>) -> TracedThreat {
    // The row's end effect is the threat's worst harm; the row is preferred so that the
    // trace says what the register says.
    let harm = row
        .and_then(|r| r.end_effect.as_ref())
        .or(threat.worst_harm.as_ref())
        .map(traced_harm);
    TracedThreat {
        threat: threat.id.clone(),
        rule: threat.rule.id.clone(),
        title: threat.rule.title.clone(),
        stride: threat.stride(),
        target: threat.target.id().to_owned(),
        target_kind: threat.target.kind().to_owned(),
        via,
        row: row.map(row_summary),
        harm,
    }
}

fn traced_harm(harm: &Harm<'_>) -> TracedHarm {
    TracedHarm {
        asset: harm.asset.to_owned(),
        asset_name: harm.asset_name.to_owned(),
        property: harm.property,
        harm: harm.harm.to_owned(),
        severity: harm.severity,
    }
}

fn row_summary(row: &RiskRow<'_>) -> RowSummary {
    RowSummary {
        id: row.id.to_owned(),
        severity: row.severity.as_ref().map(scale_level),
        exploitability: scale_level(&row.exploitability),
        risk: row.risk,
        residual_exploitability: scale_level(&row.residual_exploitability),
        residual_risk: row.residual_risk,
        controls: row.controls.iter().map(|c| (*c).to_owned()).collect(),
        safety: row.safety,
    }
}

fn scale_level(level: &Level) -> ScaleLevel {
    ScaleLevel {
        level: level.level.clone(),
        rank: level.rank,
    }
}

fn summarise(elements: &[ElementTrace]) -> TraceSummary {
    let threats: Vec<&TracedThreat> = elements.iter().flat_map(|e| e.threats.iter()).collect();
    let threat_ids: BTreeSet<&str> = threats.iter().map(|t| t.threat.as_str()).collect();
    let rows: BTreeMap<&str, &RowSummary> = threats
        .iter()
        .filter_map(|t| t.row.as_ref())
        .map(|r| (r.id.as_str(), r))
        .collect();
    TraceSummary {
        elements: elements.len(),
        threats: threat_ids.len(),
        rows: rows.len(),
        worst_severity: threats
            .iter()
            .filter_map(|t| t.harm.as_ref())
            .map(|h| h.severity)
            .max(),
        worst_risk: rows.values().map(|r| r.risk).max(),
        worst_residual_risk: rows.values().map(|r| r.residual_risk).max(),
        safety_relevant: rows.values().any(|r| r.safety),
        safety_rows: rows
            .values()
            .filter(|r| r.safety)
            .map(|r| r.id.clone())
            .collect(),
    }
}

fn unplaced_reason(
    finding: &TraceInput,
    finding_purl: Option<&Purl>,
    software: &DeviceSoftware,
) -> String {
    let wanted = match (finding_purl, finding.version.as_deref()) {
        (Some(purl), Some(version)) => format!(
            "{purl} (by purl where a component has one, else as '{}' version '{version}')",
            finding.name
        ),
        (Some(purl), None) => format!(
            "{purl} (by purl; the finding has no version, so components without a purl cannot match)"
        ),
        (None, Some(version)) => format!("'{}' version '{version}'", finding.name),
        (None, None) => format!(
            "'{}' (the finding has neither a purl nor a version, so no component can match)",
            finding.name
        ),
    };
    let mut reason = format!("no element's software lists {wanted}");
    if !software.problems.is_empty() {
        reason.push_str(&format!(
            "; {} SBOM(s) could not be read and were not searched",
            software.problems.len()
        ));
    }
    reason
}

/// Proposes rubric answers for each traced element with the rubric context of the
/// device crate.
fn propose_rubric(
    loaded: &LoadedDevice,
    finding: &TraceInput,
    elements: &[ElementTrace],
) -> RubricProposal {
    let Some(text) = finding.cvss_vector.as_deref() else {
        return RubricProposal::NotProposed {
            reason: "the finding has no CVSS vector".into(),
        };
    };
    if elements.is_empty() {
        return RubricProposal::NotProposed {
            reason: "the component runs on no element of the device model".into(),
        };
    }
    // The vector type belongs to the scoring crate, which this crate does not depend on:
    // it is parsed through `FromStr`, its type inferred from `propose`'s signature.
    let proposals: Vec<ElementProposal> = match parse_text(text.trim()) {
        Ok(vector) => elements
            .iter()
            .map(|element| {
                match medsec_device::rubric_context::propose(
                    &loaded.device,
                    &element.element,
                    &vector,
                ) {
                    Ok(answers) => {
                        let mut proposed = Vec::with_capacity(answers.len());
                        let mut error = None;
                        for (question, response) in &answers {
                            let value = serde_json::to_value(response.answer)
                                .and_then(serde_json::from_value::<ProposedValue>);
                            match value {
                                Ok(answer) => proposed.push(ProposedAnswer {
                                    question: question.clone(),
                                    answer,
                                    rationale: response.rationale.clone(),
                                }),
                                Err(e) => {
                                    error = Some(format!(
                                        "the answer to {question} could not be read: {e}"
                                    ))
                                }
                            }
                        }
                        ElementProposal {
                            element: element.element.clone(),
                            answers: proposed,
                            error,
                        }
                    }
                    Err(error) => ElementProposal {
                        element: element.element.clone(),
                        answers: Vec::new(),
                        error: Some(error.to_string()),
                    },
                }
            })
            .collect(),
        Err(error) => {
            return RubricProposal::NotProposed {
                reason: format!("the CVSS vector {text:?} is not valid: {error}"),
            };
        }
    };
    // A refusal that holds for every element (a vector the rubric is not defined on) is
    // no proposal at all.
    if proposals
        .iter()
        .all(|p| p.answers.is_empty() && p.error.is_some())
    {
        let reasons: BTreeSet<&str> = proposals
            .iter()
            .filter_map(|p| p.error.as_deref())
            .collect();
        return RubricProposal::NotProposed {
            reason: reasons.into_iter().collect::<Vec<_>>().join("; "),
        };
    }
    RubricProposal::Proposed {
        elements: proposals,
    }
}

fn parse_text<T>(text: &str) -> Result<T, String>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    text.parse::<T>().map_err(|e| e.to_string())
}
