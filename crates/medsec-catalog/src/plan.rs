//! The test plan of one device: which tests, at which rigour, by whom, verifying which
//! threats and requirements.
//!
//! The rigour rank is the highest rank the policy gives any of the device's market
//! classes. A test is planned when it is relevant to the device (its condition holds),
//! the policy does not exclude it, and either the device's rank reaches the test's
//! lowest rank or the test verifies a threat whose risk before controls reaches the
//! policy's threshold. Everything is sorted by id, so the same device, catalogue and
//! policy always give the same plan, byte for byte.

use std::collections::{BTreeMap, BTreeSet};

use medsec_device::model::Device;
use medsec_threat::{Register, RiskLevel, ThreatModel};
use serde::Serialize;

use crate::condition::DeviceFacts;
use crate::model::{Independence, TestCase, TestKind};
use crate::policy::TestPolicy;
use crate::requirements::{FrameworkApplicability, applicability};
use crate::results::{Outcome, TestResult, latest};
use crate::{Catalog, matches_pattern};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestPlan {
    pub device: PlanDevice,
    pub policy: PlanPolicy,
    /// SHA-256 of the catalogue files the plan was made from.
    pub catalogue: String,
    pub rigour: Rigour,
    /// Present when the laboratory rule applies to the device.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub laboratory: Option<LaboratoryRequirement>,
    pub tests: Vec<PlannedTest>,
    /// Relevant tests left out, with the reason (below the rank, excluded by policy).
    pub not_planned: Vec<NotPlanned>,
    pub summary: PlanSummary,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanDevice {
    pub manufacturer: String,
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanPolicy {
    pub name: String,
    pub version: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rigour {
    pub rank: u8,
    pub level: String,
    /// The market and class that set the rank; absent when the policy's default was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_by: Option<String>,
    pub security_level: u8,
    /// `device file` or `test policy`.
    pub security_level_from: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LaboratoryRequirement {
    pub accreditation: String,
    /// The market and class that make it necessary.
    pub because: String,
    pub tests: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedTest {
    pub id: String,
    pub title: String,
    pub kind: TestKind,
    pub procedure: String,
    pub independence: Independence,
    /// Must be performed by the accredited laboratory.
    pub laboratory: bool,
    /// Why the test is in the plan.
    pub why: Vec<String>,
    /// What the device's rigour asks of the test, lowest rank first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depth: Vec<String>,
    /// Threat ids (`RULE@target`) of the device the test verifies.
    pub threats: Vec<String>,
    /// Harmonised controls it verifies.
    pub controls: Vec<String>,
    /// Applicable requirements those controls satisfy.
    pub requirements: Vec<String>,
    pub sources: Vec<String>,
    /// The latest recorded result, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<TestResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotPlanned {
    pub id: String,
    pub title: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PlanSummary {
    pub planned: usize,
    pub laboratory: usize,
    pub passed: usize,
    pub failed: usize,
    pub not_applicable: usize,
    pub pending: usize,
    /// Threats of the model verified by at least one planned test.
    pub threats_verified: usize,
    pub threats_total: usize,
}

/// The facts a plan and the requirement judgements use: the device's own, with the
/// target security level taken from the policy when the device does not declare one.
pub fn facts(device: &Device, policy: &TestPolicy) -> (DeviceFacts, Rigour) {
    let mut facts = DeviceFacts::of(device);
    let (rank, set_by) = policy.device_rank(&facts.markets);
    let from_policy = policy.security_level.get(&rank).copied().unwrap_or(1);
    let (security_level, security_level_from) = match facts.security_level {
        Some(sl) => (sl, "device file"),
        None => (from_policy, "test policy"),
    };
    facts.security_level = Some(security_level);
    let rigour = Rigour {
        rank,
        level: policy
            .level(rank)
            .map(|l| l.id.clone())
            .unwrap_or_else(|| rank.to_string()),
        set_by: set_by.map(|(m, c)| format!("{m} class {c}")),
        security_level,
        security_level_from,
    };
    (facts, rigour)
}

/// Builds the plan.
pub fn plan(
    catalog: &Catalog,
    policy: &TestPolicy,
    device: &Device,
    model: &ThreatModel<'_>,
    register: &Register<'_>,
    results: &[TestResult],
) -> TestPlan {
    let (facts, rigour) = facts(device, policy);
    let frameworks = applicability(catalog, &facts, policy);
    let requirements_by_control = applicable_by_control(&frameworks);
    let risk_of: BTreeMap<&str, RiskLevel> = register.rows.iter().map(|r| (r.id, r.risk)).collect();
    let latest = latest(results);
    let lab_because = policy.laboratory_applies(&facts.markets);

    let mut tests = Vec::new();
    let mut not_planned = Vec::new();
    let mut verified_threats: BTreeSet<&str> = BTreeSet::new();
    for test in &catalog.tests {
        let Some(relevant) = test
            .applies
            .as_ref()
            .map_or(Some(Vec::new()), |c| c.judge(&facts))
        else {
            continue;
        };
        let overrides = policy.tests.get(&test.id);
        if let Some(reason) = overrides.and_then(|o| o.excluded.as_ref()) {
            not_planned.push(NotPlanned {
                id: test.id.clone(),
                title: test.title.clone(),
                reason: format!("excluded by the test policy: {reason}"),
            });
            continue;
        }
        let min_rank = overrides.and_then(|o| o.min_rank).unwrap_or(test.min_rank);
        let threats = threats_verified(test, model);
        let mut why: Vec<String> = relevant.iter().map(|r| r.to_string()).collect();
        if rigour.rank >= min_rank {
            why.push(format!(
                "rigour rank {} ({}) reaches the test's rank {min_rank}",
                rigour.rank, rigour.level
            ));
        } else {
            let driving: Vec<&str> = match policy.threat_driven_from {
                Some(threshold) => threats
                    .iter()
                    .copied()
                    .filter(|t| risk_of.get(t).is_some_and(|r| *r >= threshold))
                    .collect(),
                None => Vec::new(),
            };
            if driving.is_empty() {
                not_planned.push(NotPlanned {
                    id: test.id.clone(),
                    title: test.title.clone(),
                    reason: format!(
                        "rigour rank {} is below the test's rank {min_rank}, and no threat it verifies reaches the policy's risk threshold",
                        rigour.rank
                    ),
                });
                continue;
            }
            why.push(format!(
                "below its rank {min_rank}, but it verifies {} threat(s) with {} risk before controls: {}",
                driving.len(),
                policy
                    .threat_driven_from
                    .map(|r| r.as_str())
                    .unwrap_or("high"),
                driving.join(", ")
            ));
        }
        let independence = overrides
            .and_then(|o| o.independence)
            .unwrap_or_else(|| independence_at(test, rigour.rank));
        let laboratory =
            lab_because.is_some() && policy.laboratory.independence.contains(&independence);
        let depth = test
            .depth
            .iter()
            .filter(|(rank, _)| **rank <= rigour.rank)
            .map(|(rank, text)| {
                let level = policy.level(*rank).map(|l| l.id.as_str()).unwrap_or("?");
                format!("{level}: {text}")
            })
            .collect();
        let requirements: BTreeSet<&str> = test
            .controls
            .iter()
            .flat_map(|c| {
                requirements_by_control
                    .get(c.as_str())
                    .into_iter()
                    .flatten()
            })
            .copied()
            .collect();
        verified_threats.extend(threats.iter().copied());
        tests.push(PlannedTest {
            id: test.id.clone(),
            title: test.title.clone(),
            kind: test.kind,
            procedure: test.procedure.clone(),
            independence,
            laboratory,
            why,
            depth,
            threats: threats.iter().map(|t| (*t).to_owned()).collect(),
            controls: test.controls.clone(),
            requirements: requirements.into_iter().map(str::to_owned).collect(),
            sources: test.sources.clone(),
            result: latest.get(test.id.as_str()).map(|r| (*r).clone()),
        });
    }

    let mut summary = PlanSummary {
        planned: tests.len(),
        laboratory: tests.iter().filter(|t| t.laboratory).count(),
        threats_verified: verified_threats.len(),
        threats_total: model.threats.len(),
        ..PlanSummary::default()
    };
    for t in &tests {
        match t.result.as_ref().map(|r| r.outcome) {
            Some(Outcome::Pass) => summary.passed += 1,
            Some(Outcome::Fail) => summary.failed += 1,
            Some(Outcome::NotApplicable) => summary.not_applicable += 1,
            None => summary.pending += 1,
        }
    }
    TestPlan {
        device: PlanDevice {
            manufacturer: device.device.manufacturer.clone(),
            name: device.device.name.clone(),
            version: device.device.version.clone(),
        },
        policy: PlanPolicy {
            name: policy.policy.clone(),
            version: policy.version.clone(),
            sha256: policy.sha256.clone(),
        },
        catalogue: catalog.digest.clone(),
        laboratory: lab_because.map(|(m, c)| LaboratoryRequirement {
            accreditation: policy.laboratory.accreditation.clone(),
            because: format!("{m} class {c}"),
            tests: summary.laboratory,
        }),
        rigour,
        tests,
        not_planned,
        summary,
    }
}

/// The independence a test needs at a rank.
pub fn independence_at(test: &TestCase, rank: u8) -> Independence {
    test.independence_from_rank
        .range(..=rank)
        .next_back()
        .map(|(_, i)| *i)
        .unwrap_or(test.independence)
}

/// The threats of a model that a test verifies, by id, sorted.
pub fn threats_verified<'m>(test: &TestCase, model: &'m ThreatModel<'_>) -> Vec<&'m str> {
    let link = &test.threats;
    let mut ids: Vec<&str> = model
        .threats
        .iter()
        .filter(|t| {
            link.rules.iter().any(|p| matches_pattern(p, &t.rule.id))
                || t.rule.cwe.iter().any(|c| link.cwe.contains(c))
                || t.rule.capec.iter().any(|c| link.capec.contains(c))
        })
        .map(|t| t.id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Applicable requirement ids per harmonised control.
fn applicable_by_control<'c>(
    frameworks: &[FrameworkApplicability<'c>],
) -> BTreeMap<&'c str, Vec<&'c str>> {
    let mut map: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in frameworks {
        for a in f.requirements.iter().filter(|a| a.applies) {
            for c in &a.requirement.controls {
                map.entry(c.as_str())
                    .or_default()
                    .push(a.requirement.id.as_str());
            }
        }
    }
    map
}
