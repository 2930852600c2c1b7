//! Recorded test results and their evidence, and what they change: a plan shows each
//! test's latest result, coverage counts passed tests as evidence, and a failed test
//! reopens the FMEA rows of the threats it verifies (its controls are not taken as
//! effective until the test passes again).

use std::collections::BTreeMap;

use medsec_threat::Register;
use serde::{Deserialize, Serialize};

/// The outcome of one run of one test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Pass,
    Fail,
    NotApplicable,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::NotApplicable => "not-applicable",
        }
    }

    pub fn parse(text: &str) -> Option<Outcome> {
        match text {
            "pass" => Some(Outcome::Pass),
            "fail" => Some(Outcome::Fail),
            "not-applicable" | "n/a" | "na" => Some(Outcome::NotApplicable),
            _ => None,
        }
    }
}

/// Which device version a result belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DeviceKey {
    pub manufacturer: String,
    pub name: String,
    pub version: String,
}

impl DeviceKey {
    pub fn of(device: &medsec_device::model::Device) -> DeviceKey {
        DeviceKey {
            manufacturer: device.device.manufacturer.clone(),
            name: device.device.name.clone(),
            version: device.device.version.clone(),
        }
    }
}

/// An evidence file, stored once by its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceFile {
    /// The file's name as given (without any directory).
    pub name: String,
    pub sha256: String,
    pub size: u64,
}

/// One recorded run of one test. Results are never changed or deleted: a later result
/// for the same test supersedes an earlier one, and both stay in the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    /// Order of recording in the store (higher is later).
    pub id: i64,
    pub device: DeviceKey,
    pub test: String,
    pub outcome: Outcome,
    pub tester: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub laboratory: Option<String>,
    /// The laboratory's accreditation number (ISO/IEC 17025).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accreditation: Option<String>,
    /// When the test was performed (YYYY-MM-DD).
    pub performed_on: String,
    /// Tools and their versions (`nmap 7.94`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceFile>,
    /// When it was recorded (RFC 3339, UTC).
    pub recorded_at: String,
}

/// The latest result of each test, from a history in recording order.
pub fn latest(results: &[TestResult]) -> BTreeMap<&str, &TestResult> {
    let mut map: BTreeMap<&str, &TestResult> = BTreeMap::new();
    for r in results {
        match map.get(r.test.as_str()) {
            Some(existing) if existing.id > r.id => {}
            _ => {
                map.insert(r.test.as_str(), r);
            }
        }
    }
    map
}

/// Reopens the FMEA rows of threats verified by a failed test: the row's controls no
/// longer count, so its residual exploitability and risk return to the values before
/// controls, and the row says which tests reopened it. Returns the number of rows
/// reopened.
pub fn reopen_failed(register: &mut Register<'_>, plan: &crate::plan::TestPlan) -> usize {
    let mut failed_by_threat: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for t in &plan.tests {
        if t.result
            .as_ref()
            .is_some_and(|r| r.outcome == Outcome::Fail)
        {
            for threat in &t.threats {
                failed_by_threat
                    .entry(threat.as_str())
                    .or_default()
                    .push(t.id.as_str());
            }
        }
    }
    let mut reopened = 0;
    for row in &mut register.rows {
        if let Some(tests) = failed_by_threat.get(row.id) {
            row.reopen(tests.iter().map(|t| (*t).to_owned()).collect());
            reopened += 1;
        }
    }
    reopened
}
