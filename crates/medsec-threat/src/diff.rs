//! What changed between two versions of a device, in threats and in risk. Threat ids
//! (`RULE@target`) do not depend on file order, so the same id in both versions is the
//! same threat, and a difference in its row is a real change.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::fmea::{Register, RiskLevel, RiskRow};
use medsec_device::model::{Device, Stride};

/// How a threat differs between the old and the new version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    Added,
    Removed,
    Changed,
}

/// The parts of an FMEA row that a diff compares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowState {
    pub target: String,
    pub stride: Stride,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    pub exploitability: String,
    pub risk: RiskLevel,
    pub controls: Vec<String>,
    pub residual_exploitability: String,
    pub residual_risk: RiskLevel,
    pub safety: bool,
}

impl RowState {
    fn of(row: &RiskRow<'_>) -> Self {
        let mut controls: Vec<String> = row.controls.iter().map(|c| (*c).to_owned()).collect();
        controls.sort();
        RowState {
            target: row.target.to_owned(),
            stride: row.stride,
            severity: row.severity.as_ref().map(|s| s.level.clone()),
            exploitability: row.exploitability.level.clone(),
            risk: row.risk,
            controls,
            residual_exploitability: row.residual_exploitability.level.clone(),
            residual_risk: row.residual_risk,
            safety: row.safety,
        }
    }
}

/// One field that differs between the two versions of a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

/// One threat that was added, removed or changed.
#[derive(Debug, Clone, Serialize)]
pub struct ThreatChange {
    pub id: String,
    pub change: Change,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<RowState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<RowState>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
}

impl ThreatChange {
    /// True when the residual risk is higher in the new version than in the old (or the
    /// threat is new). Rows that cannot be assessed count as worse than acceptable ones,
    /// so an unassessed change is never waved through.
    pub fn worsened(&self) -> bool {
        match (&self.before, &self.after) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(before), Some(after)) => {
                severity_rank(after.residual_risk) > severity_rank(before.residual_risk)
            }
        }
    }
}

/// Rank for "worse": not-assessed sits between acceptable and ALARP review, since an
/// unjudged risk must be looked at but is not known to be unacceptable.
fn severity_rank(level: RiskLevel) -> u8 {
    match level {
        RiskLevel::Acceptable => 0,
        RiskLevel::NotAssessed => 1,
        RiskLevel::AlarpReview => 2,
        RiskLevel::Unacceptable => 3,
    }
}

/// Ids added and removed in one section of the model.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IdChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

impl IdChanges {
    fn between<'a>(old: impl Iterator<Item = &'a str>, new: impl Iterator<Item = &'a str>) -> Self {
        let old: BTreeSet<&str> = old.collect();
        let new: BTreeSet<&str> = new.collect();
        IdChanges {
            added: new.difference(&old).map(|s| (*s).to_owned()).collect(),
            removed: old.difference(&new).map(|s| (*s).to_owned()).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// The model-level changes behind the threat changes.
#[derive(Debug, Clone, Serialize)]
pub struct ModelChanges {
    pub assets: IdChanges,
    pub trust_zones: IdChanges,
    pub elements: IdChanges,
    pub flows: IdChanges,
    pub controls: IdChanges,
}

/// Everything that changed from `old` to `new`.
#[derive(Debug, Clone, Serialize)]
pub struct DeviceDiff {
    pub old_version: String,
    pub new_version: String,
    pub model: ModelChanges,
    /// Sorted by id.
    pub threats: Vec<ThreatChange>,
    /// Residual-risk counts per level, old then new, in [`RiskLevel::ALL`] order.
    pub residual_risk: Vec<(RiskLevel, usize, usize)>,
}

impl DeviceDiff {
    pub fn count(&self, change: Change) -> usize {
        self.threats.iter().filter(|t| t.change == change).count()
    }
}

/// Compare two devices and their registers (built with the same catalogue and policy).
pub fn compare(
    old_device: &Device,
    old: &Register<'_>,
    new_device: &Device,
    new: &Register<'_>,
) -> DeviceDiff {
    let old_rows: BTreeMap<&str, RowState> =
        old.rows.iter().map(|r| (r.id, RowState::of(r))).collect();
    let new_rows: BTreeMap<&str, RowState> =
        new.rows.iter().map(|r| (r.id, RowState::of(r))).collect();
    let ids: BTreeSet<&str> = old_rows.keys().chain(new_rows.keys()).copied().collect();
    let mut threats = Vec::new();
    for id in ids {
        let change = match (old_rows.get(id), new_rows.get(id)) {
            (None, Some(after)) => ThreatChange {
                id: id.to_owned(),
                change: Change::Added,
                before: None,
                after: Some(after.clone()),
                fields: Vec::new(),
            },
            (Some(before), None) => ThreatChange {
                id: id.to_owned(),
                change: Change::Removed,
                before: Some(before.clone()),
                after: None,
                fields: Vec::new(),
            },
            (Some(before), Some(after)) => {
                let fields = field_changes(before, after);
                if fields.is_empty() {
                    continue;
                }
                ThreatChange {
                    id: id.to_owned(),
                    change: Change::Changed,
                    before: Some(before.clone()),
                    after: Some(after.clone()),
                    fields,
                }
            }
            (None, None) => continue,
        };
        threats.push(change);
    }
    let old_counts = old.counts();
    let new_counts = new.counts();
    let residual_risk = old_counts
        .iter()
        .zip(new_counts.iter())
        .map(|((level, _, before), (_, _, after))| (*level, *before, *after))
        .collect();
    DeviceDiff {
        old_version: old_device.device.version.clone(),
        new_version: new_device.device.version.clone(),
        model: ModelChanges {
            assets: IdChanges::between(
                old_device.assets.iter().map(|a| a.id.as_str()),
                new_device.assets.iter().map(|a| a.id.as_str()),
            ),
            trust_zones: IdChanges::between(
                old_device.trust_zones.iter().map(|z| z.id.as_str()),
                new_device.trust_zones.iter().map(|z| z.id.as_str()),
            ),
            elements: IdChanges::between(
                old_device.elements.iter().map(|e| e.id.as_str()),
                new_device.elements.iter().map(|e| e.id.as_str()),
            ),
            flows: IdChanges::between(
                old_device.flows.iter().map(|f| f.id.as_str()),
                new_device.flows.iter().map(|f| f.id.as_str()),
            ),
            controls: IdChanges::between(
                old_device.controls.iter().map(|c| c.id.as_str()),
                new_device.controls.iter().map(|c| c.id.as_str()),
            ),
        },
        threats,
        residual_risk,
    }
}

fn field_changes(before: &RowState, after: &RowState) -> Vec<FieldChange> {
    let mut fields = Vec::new();
    let mut compare = |field: &'static str, b: String, a: String| {
        if a != b {
            fields.push(FieldChange {
                field,
                before: b,
                after: a,
            });
        }
    };
    let none = || "-".to_owned();
    compare(
        "severity",
        before.severity.clone().unwrap_or_else(none),
        after.severity.clone().unwrap_or_else(none),
    );
    compare(
        "exploitability",
        before.exploitability.clone(),
        after.exploitability.clone(),
    );
    compare(
        "risk",
        before.risk.as_str().to_owned(),
        after.risk.as_str().to_owned(),
    );
    let list = |controls: &[String]| {
        if controls.is_empty() {
            none()
        } else {
            controls.join(", ")
        }
    };
    compare("controls", list(&before.controls), list(&after.controls));
    compare(
        "residual_exploitability",
        before.residual_exploitability.clone(),
        after.residual_exploitability.clone(),
    );
    compare(
        "residual_risk",
        before.residual_risk.as_str().to_owned(),
        after.residual_risk.as_str().to_owned(),
    );
    compare(
        "safety",
        before.safety.to_string(),
        after.safety.to_string(),
    );
    fields
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::engine::analyse_device;
    use crate::{Catalogue, Policy, register};

    #[test]
    fn a_device_compared_with_itself_or_reordered_has_no_changes() {
        let catalogue = Catalogue::builtin().unwrap();
        let policy = Policy::default_policy().unwrap();
        let device = crate::synthetic::device(60, 200, 7);
        let mut shuffled = device.clone();
        shuffled.elements.reverse();
        shuffled.flows.reverse();
        shuffled.controls.reverse();
        let (model_a, model_b) = (
            analyse_device(&device, &catalogue),
            analyse_device(&shuffled, &catalogue),
        );
        let (a, b) = (register(&model_a, &policy), register(&model_b, &policy));
        let diff = compare(&device, &a, &shuffled, &b);
        assert!(diff.threats.is_empty(), "{:?}", diff.threats.first());
        assert!(diff.model.elements.is_empty() && diff.model.controls.is_empty());
    }

    #[test]
    fn removing_a_control_changes_exactly_the_threats_it_mitigated() {
        let catalogue = Catalogue::builtin().unwrap();
        let policy = Policy::default_policy().unwrap();
        let device = crate::synthetic::device(60, 200, 11);
        let removed = device.controls.first().unwrap().id.clone();
        let mut newer = device.clone();
        newer.controls.retain(|c| c.id != removed);
        let (model_a, model_b) = (
            analyse_device(&device, &catalogue),
            analyse_device(&newer, &catalogue),
        );
        let (a, b) = (register(&model_a, &policy), register(&model_b, &policy));
        let diff = compare(&device, &a, &newer, &b);
        assert_eq!(diff.model.controls.removed, std::slice::from_ref(&removed));
        let mitigated: BTreeSet<&str> = a
            .rows
            .iter()
            .filter(|r| r.controls.contains(&removed.as_str()))
            .map(|r| r.id)
            .collect();
        assert!(
            !mitigated.is_empty(),
            "the removed control must have mitigated something"
        );
        let changed: BTreeSet<&str> = diff.threats.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(changed, mitigated);
        assert!(diff.threats.iter().all(|t| t.change == Change::Changed));
    }
}
