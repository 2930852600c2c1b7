//! The gap analysis: per framework, which applicable clauses are covered, partly covered
//! or open.
//!
//! A clause is satisfied through its harmonised controls. A control is *evidenced* when
//! at least one test that verifies it has passed (its latest result) and none has
//! failed; *declared* when a control of the device file says it implements it but no
//! passing test shows it yet; *failed* when a test verifying it failed; otherwise
//! *missing*. A clause is covered when all its controls are evidenced, partly covered
//! when at least one is evidenced or declared, and open otherwise.

use std::collections::{BTreeMap, BTreeSet};

use medsec_device::model::Device;
use serde::Serialize;

use crate::Catalog;
use crate::plan::TestPlan;
use crate::policy::TestPolicy;
use crate::requirements::applicability;
use crate::results::{Outcome, TestResult, latest};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ControlState {
    Missing,
    Failed,
    Declared,
    Evidenced,
}

impl ControlState {
    pub fn as_str(self) -> &'static str {
        match self {
            ControlState::Missing => "missing",
            ControlState::Failed => "failed",
            ControlState::Declared => "declared",
            ControlState::Evidenced => "evidenced",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClauseState {
    Open,
    Partly,
    Covered,
}

impl ClauseState {
    pub fn as_str(self) -> &'static str {
        match self {
            ClauseState::Open => "open",
            ClauseState::Partly => "partly covered",
            ClauseState::Covered => "covered",
        }
    }
}

/// A harmonised control's state for the device, with what shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlStatus {
    pub control: String,
    pub title: String,
    pub state: ControlState,
    /// Device controls that declare it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub declared_by: Vec<String>,
    /// Tests verifying it whose latest result passed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub passed: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<String>,
    /// Planned tests verifying it with no result yet.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<String>,
    /// Passing results that do not count: the plan gives the test to an accredited
    /// laboratory, and the result names no accreditation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unaccredited: Vec<String>,
    /// SHA-256 of the evidence files of the passing results.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClauseCoverage {
    pub requirement: String,
    pub clause: String,
    pub title: String,
    pub state: ClauseState,
    pub controls: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameworkCoverage {
    pub framework: String,
    pub short: String,
    pub applies: bool,
    pub covered: usize,
    pub partly: usize,
    pub open: usize,
    pub not_applicable: usize,
    pub clauses: Vec<ClauseCoverage>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    pub catalogue: String,
    pub frameworks: Vec<FrameworkCoverage>,
    pub controls: Vec<ControlStatus>,
}

/// The state of every harmonised control, from the device file's declarations, the plan
/// and every recorded result.
pub fn control_states(
    catalog: &Catalog,
    device: &Device,
    plan: &TestPlan,
    results: &[TestResult],
) -> Vec<ControlStatus> {
    let latest = latest(results);
    let planned: BTreeSet<&str> = plan.tests.iter().map(|t| t.id.as_str()).collect();
    let laboratory: BTreeSet<&str> = plan
        .tests
        .iter()
        .filter(|t| t.laboratory)
        .map(|t| t.id.as_str())
        .collect();
    catalog
        .controls
        .iter()
        .map(|control| {
            let declared_by: Vec<String> = device
                .controls
                .iter()
                .filter(|c| c.implements.contains(&control.id))
                .map(|c| c.id.clone())
                .collect();
            let mut status = ControlStatus {
                control: control.id.clone(),
                title: control.title.clone(),
                state: ControlState::Missing,
                declared_by,
                passed: Vec::new(),
                failed: Vec::new(),
                pending: Vec::new(),
                unaccredited: Vec::new(),
                evidence: Vec::new(),
            };
            for test in catalog
                .tests
                .iter()
                .filter(|t| t.controls.contains(&control.id))
            {
                match latest.get(test.id.as_str()).map(|r| (r.outcome, *r)) {
                    Some((Outcome::Pass, r))
                        if laboratory.contains(test.id.as_str()) && r.accreditation.is_none() =>
                    {
                        status.unaccredited.push(test.id.clone());
                    }
                    Some((Outcome::Pass, r)) => {
                        status.passed.push(test.id.clone());
                        status
                            .evidence
                            .extend(r.evidence.iter().map(|e| e.sha256.clone()));
                    }
                    Some((Outcome::Fail, _)) => status.failed.push(test.id.clone()),
                    Some((Outcome::NotApplicable, _)) => {}
                    None if planned.contains(test.id.as_str()) => {
                        status.pending.push(test.id.clone())
                    }
                    None => {}
                }
            }
            status.evidence.sort();
            status.evidence.dedup();
            status.state = if !status.failed.is_empty() {
                ControlState::Failed
            } else if !status.passed.is_empty() {
                ControlState::Evidenced
            } else if !status.declared_by.is_empty() {
                ControlState::Declared
            } else {
                ControlState::Missing
            };
            status
        })
        .collect()
}

pub fn coverage(
    catalog: &Catalog,
    policy: &TestPolicy,
    device: &Device,
    plan: &TestPlan,
    results: &[TestResult],
) -> Coverage {
    let (facts, _) = crate::plan::facts(device, policy);
    let controls = control_states(catalog, device, plan, results);
    let state_of: BTreeMap<&str, ControlState> = controls
        .iter()
        .map(|c| (c.control.as_str(), c.state))
        .collect();
    let frameworks = applicability(catalog, &facts, policy)
        .into_iter()
        .map(|f| {
            let mut out = FrameworkCoverage {
                framework: f.framework.id.clone(),
                short: f.framework.short.clone(),
                applies: f.applies,
                covered: 0,
                partly: 0,
                open: 0,
                not_applicable: 0,
                clauses: Vec::new(),
            };
            for a in &f.requirements {
                if !a.applies {
                    out.not_applicable += 1;
                    continue;
                }
                let states: Vec<ControlState> = a
                    .requirement
                    .controls
                    .iter()
                    .map(|c| {
                        state_of
                            .get(c.as_str())
                            .copied()
                            .unwrap_or(ControlState::Missing)
                    })
                    .collect();
                let state = clause_state(&states);
                match state {
                    ClauseState::Covered => out.covered += 1,
                    ClauseState::Partly => out.partly += 1,
                    ClauseState::Open => out.open += 1,
                }
                out.clauses.push(ClauseCoverage {
                    requirement: a.requirement.id.clone(),
                    clause: a.requirement.clause.clone(),
                    title: a.requirement.title.clone(),
                    state,
                    controls: a.requirement.controls.clone(),
                });
            }
            out
        })
        .collect();
    Coverage {
        catalogue: catalog.digest.clone(),
        frameworks,
        controls,
    }
}

/// A clause's state from its controls' states.
pub fn clause_state(controls: &[ControlState]) -> ClauseState {
    if !controls.is_empty() && controls.iter().all(|s| *s == ControlState::Evidenced) {
        ClauseState::Covered
    } else if controls
        .iter()
        .any(|s| matches!(s, ControlState::Evidenced | ControlState::Declared))
    {
        ClauseState::Partly
    } else {
        ClauseState::Open
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    fn state() -> impl Strategy<Value = ControlState> {
        prop_oneof![
            Just(ControlState::Missing),
            Just(ControlState::Failed),
            Just(ControlState::Declared),
            Just(ControlState::Evidenced),
        ]
    }

    #[test]
    fn clause_states() {
        use ControlState::*;
        assert_eq!(clause_state(&[Evidenced, Evidenced]), ClauseState::Covered);
        assert_eq!(clause_state(&[Evidenced, Missing]), ClauseState::Partly);
        assert_eq!(clause_state(&[Declared]), ClauseState::Partly);
        assert_eq!(clause_state(&[Failed, Missing]), ClauseState::Open);
        assert_eq!(clause_state(&[]), ClauseState::Open);
    }

    proptest! {
        /// Improving one control's state never makes a clause worse.
        #[test]
        fn coverage_is_monotone(mut states in proptest::collection::vec(state(), 1..6), i in 0usize..6, better in state()) {
            let i = i % states.len();
            let before = clause_state(&states);
            if better > states[i] {
                states[i] = better;
                prop_assert!(clause_state(&states) >= before);
            }
        }
    }
}
