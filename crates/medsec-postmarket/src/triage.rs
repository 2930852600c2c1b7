//! Triage decisions with VEX states, and their inheritance across product versions.
//!
//! A decision is about one component version (its key: purl with version, else
//! `name@version`) and one vulnerability, made in one product version. Decisions are
//! never changed: a new decision supersedes the older one and the history stays.
//!
//! **Inheritance.** A later version of the same product that ships the same component
//! version inherits the decision of the nearest earlier version that has one, shown as
//! inherited (with the version it comes from) until someone decides in the later version
//! itself. Dependency-Track users re-triage every release because each release is a new
//! project (DependencyTrack/dependency-track#2183, #4462); inheritance answers that.

use jiff::Timestamp;
use medsec_core::vex::{
    CisaJustification, Justification, ProductRef, VexError, VexStatement, VexStatus,
    VulnerabilityRef,
};
use serde::{Deserialize, Serialize};

/// The triage states (CycloneDX 1.6 `analysis.state` names where they exist).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriageState {
    /// Being analysed.
    InTriage,
    Affected,
    NotAffected,
    Fixed,
    /// The finding was a wrong match: the vulnerability is not about this component.
    FalsePositive,
}

impl TriageState {
    pub const ALL: [TriageState; 5] = [
        TriageState::InTriage,
        TriageState::Affected,
        TriageState::NotAffected,
        TriageState::Fixed,
        TriageState::FalsePositive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TriageState::InTriage => "in_triage",
            TriageState::Affected => "affected",
            TriageState::NotAffected => "not_affected",
            TriageState::Fixed => "fixed",
            TriageState::FalsePositive => "false_positive",
        }
    }

    pub fn parse(text: &str) -> Option<TriageState> {
        let t = text.trim().replace('-', "_");
        TriageState::ALL.into_iter().find(|s| s.as_str() == t)
    }

    /// The VEX status a state is published as. A false positive is published as
    /// `not_affected` (OpenVEX and CSAF have no false-positive status).
    pub fn vex_status(self) -> VexStatus {
        match self {
            TriageState::InTriage => VexStatus::UnderInvestigation,
            TriageState::Affected => VexStatus::Affected,
            TriageState::NotAffected | TriageState::FalsePositive => VexStatus::NotAffected,
            TriageState::Fixed => VexStatus::Fixed,
        }
    }

    /// Whether the finding still needs work (it counts as open).
    pub fn is_open(self) -> bool {
        matches!(self, TriageState::InTriage | TriageState::Affected)
    }
}

/// One decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Order of recording (higher is later).
    pub id: i64,
    /// The product version the decision was made in.
    pub version: String,
    /// Component key: purl with version, else `name@version`.
    pub component: String,
    pub vulnerability: String,
    pub state: TriageState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<Justification>,
    /// How the vulnerability does or does not affect the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    /// What users should do (required for `affected`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    pub author: String,
    /// Why, in the author's words.
    pub rationale: String,
    pub at: Timestamp,
    /// The score the author confirms for this device: the rubric-adjusted CVSS vector
    /// (FDA/MITRE medical-device rubric; `medsec trace` proposes the answers,
    /// `medsec rubric` turns them into a vector) and its overall score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjusted_vector: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjusted_score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TriageError {
    #[error("a decision needs a rationale: say why")]
    NoRationale,
    #[error("a decision needs an author")]
    NoAuthor,
    #[error(
        "not_affected needs a justification (--justification) or an impact statement (--impact), as CISA's VEX minimum requires"
    )]
    NotAffectedUnjustified,
    #[error(
        "affected needs an action statement (--action): what users should do, as CISA's VEX minimum requires"
    )]
    AffectedWithoutAction,
    #[error("a justification belongs only to not_affected or false_positive, not to {0}")]
    JustificationMisplaced(&'static str),
    #[error(
        "unknown justification `{0}`: use a CISA label (component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist) or a CycloneDX code"
    )]
    UnknownJustification(String),
}

/// Reads a justification code from either vocabulary (CISA labels first).
pub fn parse_justification(text: &str) -> Result<Justification, TriageError> {
    let quoted = format!("\"{}\"", text.trim().replace('-', "_"));
    if let Ok(c) = serde_json::from_str(&quoted) {
        return Ok(Justification::Cisa(c));
    }
    if let Ok(c) = serde_json::from_str(&quoted) {
        return Ok(Justification::CycloneDx(c));
    }
    Err(TriageError::UnknownJustification(text.to_owned()))
}

impl Decision {
    /// The rules a decision must meet before it is recorded (the VEX minimum of CISA,
    /// April 2023, which the VEX writers enforce again).
    pub fn validate(&self) -> Result<(), TriageError> {
        if self.rationale.trim().is_empty() {
            return Err(TriageError::NoRationale);
        }
        if self.author.trim().is_empty() {
            return Err(TriageError::NoAuthor);
        }
        match self.state {
            TriageState::NotAffected
                if self.justification.is_none()
                    && self.impact.as_deref().is_none_or(|i| i.trim().is_empty()) =>
            {
                Err(TriageError::NotAffectedUnjustified)
            }
            TriageState::Affected if self.action.as_deref().is_none_or(|a| a.trim().is_empty()) => {
                Err(TriageError::AffectedWithoutAction)
            }
            TriageState::InTriage | TriageState::Affected | TriageState::Fixed
                if self.justification.is_some() =>
            {
                Err(TriageError::JustificationMisplaced(self.state.as_str()))
            }
            _ => Ok(()),
        }
    }

    /// The VEX statement of this decision for one product.
    pub fn to_vex(
        &self,
        vulnerability: VulnerabilityRef,
        product: ProductRef,
    ) -> Result<VexStatement, VexError> {
        let statement = match self.state {
            TriageState::InTriage => {
                VexStatement::under_investigation(vulnerability, vec![product])?
            }
            TriageState::Affected => VexStatement::affected(
                vulnerability,
                vec![product],
                self.action.clone().unwrap_or_default(),
            )?,
            TriageState::Fixed => VexStatement::fixed(vulnerability, vec![product])?,
            TriageState::NotAffected => VexStatement::not_affected(
                vulnerability,
                vec![product],
                self.justification,
                self.impact.clone(),
            )?,
            TriageState::FalsePositive => VexStatement::not_affected(
                vulnerability,
                vec![product],
                Some(
                    self.justification
                        .unwrap_or(Justification::Cisa(CisaJustification::ComponentNotPresent)),
                ),
                Some(self.impact.clone().unwrap_or_else(|| {
                    format!("The finding was a false match: {}", self.rationale)
                })),
            )?,
        };
        let statement = match (&self.impact, self.state) {
            (Some(impact), TriageState::Affected | TriageState::Fixed | TriageState::InTriage) => {
                statement.with_impact_statement(impact.clone())
            }
            _ => statement,
        };
        Ok(statement
            .with_times(self.at, None)
            .decided_by(self.author.clone()))
    }
}

/// The decision that holds for a finding, and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effective<'a> {
    pub decision: &'a Decision,
    /// The earlier product version it is inherited from; `None` when decided in this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inherited_from: Option<&'a str>,
}

/// The decision in force for `component` × `vulnerability` in `version`: the latest made
/// in that version, else the latest made in the nearest earlier version (in `versions`,
/// the product's versions oldest first) that has one. `history` is every decision of the
/// product, in any order.
pub fn effective<'a>(
    history: &'a [Decision],
    versions: &[String],
    version: &str,
    component: &str,
    vulnerability: &str,
) -> Option<Effective<'a>> {
    let latest_in = |v: &str| {
        history
            .iter()
            .filter(|d| {
                d.version == v && d.component == component && d.vulnerability == vulnerability
            })
            .max_by_key(|d| d.id)
    };
    if let Some(own) = latest_in(version) {
        return Some(Effective {
            decision: own,
            inherited_from: None,
        });
    }
    let position = versions.iter().position(|v| v == version)?;
    versions[..position].iter().rev().find_map(|earlier| {
        latest_in(earlier).map(|d| Effective {
            decision: d,
            inherited_from: Some(d.version.as_str()),
        })
    })
}

/// One finding of a product version with the decision in force for it.
#[derive(Debug, Clone)]
pub struct FindingDecision<'a> {
    /// Component key (purl with version, else `name@version`).
    pub component: String,
    pub vulnerability: String,
    pub aliases: Vec<String>,
    pub effective: Option<Effective<'a>>,
}

/// The VEX statements of one product version: one per vulnerability, about the device
/// version as the product, with the affected components as subcomponents.
///
/// When one vulnerability concerns several components with different decisions, the
/// device's status is the one that asks most of its users: affected, else under
/// investigation, else fixed, else not affected; every component's own decision is kept
/// in the impact statement. Findings without a decision are under investigation.
pub fn device_statements(
    product: &str,
    version: &str,
    findings: &[FindingDecision<'_>],
) -> Result<Vec<VexStatement>, VexError> {
    let mut by_vulnerability: std::collections::BTreeMap<&str, Vec<&FindingDecision<'_>>> =
        std::collections::BTreeMap::new();
    for f in findings {
        by_vulnerability
            .entry(f.vulnerability.as_str())
            .or_default()
            .push(f);
    }
    let rank = |s: Option<TriageState>| match s.map(TriageState::vex_status) {
        Some(VexStatus::Affected) => 3,
        None | Some(VexStatus::UnderInvestigation) => 2,
        Some(VexStatus::Fixed) => 1,
        Some(VexStatus::NotAffected) => 0,
    };
    let mut statements = Vec::new();
    for (vulnerability, items) in by_vulnerability {
        let mut reference = VulnerabilityRef::new(vulnerability);
        let mut aliases: Vec<&String> = items.iter().flat_map(|f| f.aliases.iter()).collect();
        aliases.sort();
        aliases.dedup();
        for a in aliases {
            if a != vulnerability {
                reference = reference.with_alias(a.clone());
            }
        }
        let mut product_ref = ProductRef::new(product).with_version(version);
        for f in &items {
            if let Ok(purl) = f.component.parse::<medsec_core::purl::Purl>() {
                product_ref = product_ref.with_subcomponent(purl);
            }
        }
        let worst = items
            .iter()
            .max_by_key(|f| rank(f.effective.as_ref().map(|e| e.decision.state)))
            .and_then(|f| f.effective.as_ref());
        let statement = match worst {
            None => VexStatement::under_investigation(reference, vec![product_ref])?,
            Some(e) if items.len() == 1 => match e.inherited_from {
                None => e.decision.to_vex(reference, product_ref)?,
                Some(from) => {
                    // Say where the decision was made, so a reader of this version's VEX
                    // knows it was carried over.
                    let mut carried = e.decision.clone();
                    carried.impact = Some(format!(
                        "{}Decided for version {from}, which ships the same component version.",
                        carried
                            .impact
                            .as_deref()
                            .map(|i| format!("{i} "))
                            .unwrap_or_default()
                    ));
                    carried.to_vex(reference, product_ref)?
                }
            },
            Some(e) => {
                let per_component: Vec<String> = items
                    .iter()
                    .map(|f| match &f.effective {
                        Some(x) => format!(
                            "{}: {}{} ({})",
                            f.component,
                            x.decision.state.as_str(),
                            x.inherited_from
                                .map(|v| format!(", decided in {v}"))
                                .unwrap_or_default(),
                            x.decision.rationale
                        ),
                        None => format!("{}: not yet triaged", f.component),
                    })
                    .collect();
                let all_same = items.iter().all(|f| {
                    f.effective
                        .as_ref()
                        .map(|x| (x.decision.state, x.decision.justification))
                        == Some((e.decision.state, e.decision.justification))
                });
                let mut combined = e.decision.clone();
                if !all_same && combined.state == TriageState::NotAffected {
                    combined.justification = None;
                }
                combined.impact = Some(format!(
                    "{}Per component: {}",
                    combined
                        .impact
                        .as_deref()
                        .map(|i| format!("{i} "))
                        .unwrap_or_default(),
                    per_component.join("; ")
                ));
                combined.to_vex(reference, product_ref)?
            }
        };
        statements.push(statement);
    }
    Ok(statements)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    fn decision(id: i64, version: &str, state: TriageState) -> Decision {
        Decision {
            id,
            version: version.into(),
            component: "pkg:generic/openssl@3.0.13".into(),
            vulnerability: "CVE-2024-0727".into(),
            state,
            justification: None,
            impact: None,
            action: (state == TriageState::Affected).then(|| "Update to 4.3.0".to_owned()),
            author: "psirt@example.invalid".into(),
            rationale: "PKCS12 parsing is not reachable".into(),
            at: Timestamp::from_second(1_700_000_000 + id).unwrap(),
            adjusted_vector: None,
            adjusted_score: None,
        }
    }

    fn versions() -> Vec<String> {
        ["4.0.0", "4.1.0", "4.2.1", "4.3.0"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn own_decision_wins_then_nearest_earlier_is_inherited() {
        let history = vec![
            decision(1, "4.0.0", TriageState::InTriage),
            decision(2, "4.0.0", TriageState::Affected),
            decision(3, "4.1.0", TriageState::Fixed),
        ];
        let e = effective(
            &history,
            &versions(),
            "4.0.0",
            "pkg:generic/openssl@3.0.13",
            "CVE-2024-0727",
        )
        .unwrap();
        assert_eq!(e.decision.id, 2);
        assert_eq!(e.inherited_from, None);
        let e = effective(
            &history,
            &versions(),
            "4.3.0",
            "pkg:generic/openssl@3.0.13",
            "CVE-2024-0727",
        )
        .unwrap();
        assert_eq!(e.decision.id, 3);
        assert_eq!(e.inherited_from, Some("4.1.0"));
        // Other component version: nothing to inherit.
        assert!(
            effective(
                &history,
                &versions(),
                "4.3.0",
                "pkg:generic/openssl@3.0.14",
                "CVE-2024-0727"
            )
            .is_none()
        );
        // An unknown version inherits nothing.
        assert!(
            effective(
                &history,
                &versions(),
                "9.9",
                "pkg:generic/openssl@3.0.13",
                "CVE-2024-0727"
            )
            .is_none()
        );
    }

    #[test]
    fn validation_follows_the_vex_minimum() {
        let mut d = decision(1, "4.0.0", TriageState::NotAffected);
        assert_eq!(d.validate(), Err(TriageError::NotAffectedUnjustified));
        d.justification = Some(parse_justification("vulnerable_code_not_in_execute_path").unwrap());
        assert_eq!(d.validate(), Ok(()));
        let mut a = decision(1, "4.0.0", TriageState::Affected);
        a.action = None;
        assert_eq!(a.validate(), Err(TriageError::AffectedWithoutAction));
        let mut f = decision(1, "4.0.0", TriageState::Fixed);
        f.justification = Some(parse_justification("code_not_present").unwrap());
        assert!(matches!(
            f.validate(),
            Err(TriageError::JustificationMisplaced("fixed"))
        ));
        let mut r = decision(1, "4.0.0", TriageState::InTriage);
        r.rationale = "  ".into();
        assert_eq!(r.validate(), Err(TriageError::NoRationale));
        assert!(parse_justification("because").is_err());
        assert_eq!(
            parse_justification("protected-at-runtime")
                .unwrap()
                .as_str(),
            "protected_at_runtime"
        );
    }

    #[test]
    fn false_positives_are_published_as_not_affected() {
        let d = decision(1, "4.0.0", TriageState::FalsePositive);
        let s = d
            .to_vex(
                VulnerabilityRef::new("CVE-2024-0727"),
                ProductRef::new("Equa Pump").with_version("4.0.0"),
            )
            .unwrap();
        assert_eq!(s.status, VexStatus::NotAffected);
        assert!(s.justification.is_some());
        assert!(
            s.impact_statement
                .as_deref()
                .unwrap()
                .contains("false match")
        );
    }

    fn state() -> impl Strategy<Value = TriageState> {
        proptest::sample::select(TriageState::ALL.to_vec())
    }

    proptest! {
        /// Whatever the history, a version's own latest decision wins, and an inherited
        /// decision always comes from an earlier version.
        #[test]
        fn inheritance_invariants(entries in proptest::collection::vec((0usize..4, state()), 0..12), at in 0usize..4) {
            let vs = versions();
            let history: Vec<Decision> = entries
                .iter()
                .enumerate()
                .map(|(i, (v, s))| decision(i as i64, &vs[*v], *s))
                .collect();
            let e = effective(&history, &vs, &vs[at], "pkg:generic/openssl@3.0.13", "CVE-2024-0727");
            let own = history.iter().filter(|d| d.version == vs[at]).max_by_key(|d| d.id);
            match (own, e) {
                (Some(own), Some(e)) => {
                    prop_assert_eq!(e.decision.id, own.id);
                    prop_assert!(e.inherited_from.is_none());
                }
                (None, Some(e)) => {
                    let from = e.inherited_from.unwrap();
                    let pos = vs.iter().position(|v| v == from).unwrap();
                    prop_assert!(pos < at);
                    // Nothing was decided in a version between the source and this one.
                    for between in &vs[pos + 1..at] {
                        prop_assert!(history.iter().all(|d| &d.version != between));
                    }
                }
                (None, None) => {
                    prop_assert!(history.iter().all(|d| vs[..at].iter().all(|v| *v != d.version)));
                }
                (Some(_), None) => prop_assert!(false, "own decision not found"),
            }
        }
    }
}
