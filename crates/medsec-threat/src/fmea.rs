//! The FMEA register: one row per threat, scored with the risk policy.
//!
//! | column | from |
//! |---|---|
//! | failure mode | the rule's title on the target |
//! | cause | the rule's description (the threat) |
//! | local effect | the asset properties the STRIDE category puts at stake |
//! | end effect | the worst harm declared on those properties |
//! | severity | that harm's ISO 14971 severity, mapped onto the policy's scale |
//! | exploitability | the rule's AV/AC/PR/UI profile scored as CVSS v3.1 exploitability, put on the policy's levels, shifted for exposure (zone trust; physical access for hands-on attacks) |
//! | detectability | the rule's value or the policy default for the category, better by the logging credit where a control covers repudiation on the target |
//! | RPN | severity rank × exploitability rank × detectability (ranks from 1) |
//! | risk | the policy's acceptability matrix at severity × exploitability |
//! | residual | exploitability lowered by the policy's control reduction when a control of the model mitigates the threat; the same matrix |
//! | safety | a property in `safety.properties` of an asset at stake has a harm of at least `safety.min_severity` (never for repudiation) |

use std::collections::HashSet;

use medsec_device::model::{Severity, Stride};
use serde::{Deserialize, Serialize};

use crate::engine::{Harm, Property, Threat, ThreatModel, properties_at_stake};
use crate::policy::Policy;

/// The verdict of the acceptability matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RiskLevel {
    /// No asset at stake declares a harm, so the row cannot be judged. Shown, never
    /// silently counted as acceptable.
    NotAssessed,
    Acceptable,
    /// Acceptable only after review: reduce as far as possible and justify.
    AlarpReview,
    Unacceptable,
}

impl RiskLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::NotAssessed => "not-assessed",
            RiskLevel::Acceptable => "acceptable",
            RiskLevel::AlarpReview => "alarp-review",
            RiskLevel::Unacceptable => "unacceptable",
        }
    }

    pub const ALL: [RiskLevel; 4] = [
        RiskLevel::NotAssessed,
        RiskLevel::Acceptable,
        RiskLevel::AlarpReview,
        RiskLevel::Unacceptable,
    ];
}

/// A level on one of the policy's scales.
#[derive(Debug, Clone, Serialize)]
pub struct Level {
    pub level: String,
    /// 1 = lowest.
    pub rank: u32,
}

/// How the exploitability of a row was reached.
#[derive(Debug, Clone, Serialize)]
pub struct ExploitabilityBasis {
    pub attack_vector: crate::catalogue::AttackVector,
    pub attack_complexity: crate::catalogue::AttackComplexity,
    pub privileges_required: crate::catalogue::PrivilegesRequired,
    pub user_interaction: crate::catalogue::UserInteraction,
    /// CVSS v3.1-style exploitability score of the profile.
    pub score: f64,
    /// Shift for the zone's trust.
    pub zone_shift: i8,
    /// Shift for physical access (hands-on attack vectors only).
    pub access_shift: i8,
}

/// One FMEA row.
#[derive(Debug, Clone, Serialize)]
pub struct RiskRow<'a> {
    pub id: &'a str,
    pub rule: &'a str,
    pub target: &'a str,
    pub target_kind: &'static str,
    pub stride: Stride,
    pub failure_mode: String,
    pub cause: &'a str,
    pub local_effect: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_effect: Option<Harm<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Level>,
    pub exploitability: Level,
    pub exploitability_basis: ExploitabilityBasis,
    pub detectability: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rpn: Option<u32>,
    pub risk: RiskLevel,
    pub controls: Vec<&'a str>,
    pub suggested_controls: Vec<&'a str>,
    pub residual_exploitability: Level,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residual_rpn: Option<u32>,
    pub residual_risk: RiskLevel,
    pub safety: bool,
    /// Failed security tests that verify this row's threat: while any is listed, the
    /// row's controls are not taken as effective (see [`RiskRow::reopen`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reopened_by: Vec<String>,
}

impl RiskRow<'_> {
    /// Reopens the row because tests that verify its threat failed: the residual values
    /// return to those before controls, since the controls were shown not to work.
    pub fn reopen(&mut self, failed_tests: Vec<String>) {
        self.residual_exploitability = self.exploitability.clone();
        self.residual_rpn = self.rpn;
        self.residual_risk = self.risk;
        self.reopened_by = failed_tests;
    }
}

/// The register and its policy.
#[derive(Debug, Clone, Serialize)]
pub struct Register<'a> {
    pub policy: &'a str,
    pub rows: Vec<RiskRow<'a>>,
}

impl Register<'_> {
    /// Rows per risk level, before and after controls, in [`RiskLevel::ALL`] order.
    pub fn counts(&self) -> Vec<(RiskLevel, usize, usize)> {
        RiskLevel::ALL
            .iter()
            .map(|level| {
                (
                    *level,
                    self.rows.iter().filter(|r| r.risk == *level).count(),
                    self.rows
                        .iter()
                        .filter(|r| r.residual_risk == *level)
                        .count(),
                )
            })
            .collect()
    }

    pub fn safety_rows(&self) -> usize {
        self.rows.iter().filter(|r| r.safety).count()
    }
}

/// Build the register of a threat model.
pub fn register<'a>(model: &'a ThreatModel<'a>, policy: &'a Policy) -> Register<'a> {
    // Targets whose events are recorded: a control covers repudiation there.
    let logged: HashSet<&str> = model
        .device
        .controls
        .iter()
        .flat_map(|c| c.mitigates.iter())
        .filter(|m| m.stride.contains(&Stride::Repudiation))
        .map(|m| m.target.as_str())
        .collect();
    Register {
        policy: &policy.name,
        rows: model
            .threats
            .iter()
            .map(|t| row(t, policy, logged.contains(t.target.id())))
            .collect(),
    }
}

fn row<'a>(threat: &'a Threat<'a>, policy: &'a Policy, logged: bool) -> RiskRow<'a> {
    let rule = threat.rule;
    let stride = rule.stride;
    let levels = &policy.exploitability.levels;
    let top = levels.len().saturating_sub(1);
    let profile = &rule.exploitability;
    let score = policy.score(profile);
    let zone_shift = policy.trust_shift(threat.exposure.zone_trust);
    let access_shift = if policy
        .exploitability
        .exposure
        .physical_vectors
        .contains(&profile.attack_vector)
    {
        policy.access_shift(threat.exposure.physical_access)
    } else {
        0
    };
    let base = policy.level_of_score(score) as i64;
    let expl =
        (base + i64::from(zone_shift) + i64::from(access_shift)).clamp(0, top as i64) as usize;
    let residual = if threat.mitigated() {
        expl.saturating_sub(usize::from(policy.exploitability.control_reduction))
    } else {
        expl
    };
    let level = |rank: usize| Level {
        level: levels.get(rank).cloned().unwrap_or_default(),
        rank: rank as u32 + 1,
    };

    let base_detect = rule
        .detectability
        .or_else(|| policy.detectability.by_stride.get(&stride).copied())
        .unwrap_or(3);
    let detectability = if logged {
        base_detect
            .saturating_sub(policy.detectability.logging_credit)
            .max(1)
    } else {
        base_detect
    };

    let severity = threat
        .worst_harm
        .as_ref()
        .map(|h| policy.severity_rank(h.severity, stride));
    let (risk, residual_risk, rpn, residual_rpn) = match severity {
        Some((rank, id)) => {
            let s = rank as u32 + 1;
            (
                policy.risk(id, expl),
                policy.risk(id, residual),
                Some(s * (expl as u32 + 1) * u32::from(detectability)),
                Some(s * (residual as u32 + 1) * u32::from(detectability)),
            )
        }
        None => (RiskLevel::NotAssessed, RiskLevel::NotAssessed, None, None),
    };

    let lost: Vec<Property> = properties_at_stake(stride).to_vec();
    let local_effect = if threat.assets.is_empty() {
        format!(
            "{} of {} (no asset declared)",
            join_properties(&lost),
            threat.target.name()
        )
    } else {
        format!(
            "loss of {} of {}",
            join_properties(&lost),
            threat
                .assets
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )
    };
    // A repudiation hides who acted but does not itself create a hazardous situation;
    // the tampering it would hide is its own row.
    let safety = stride != Stride::Repudiation
        && threat.assets.iter().any(|asset| {
            lost.iter()
                .filter(|p| policy.safety.properties.contains(p))
                .any(|p| {
                    let need = match p {
                        Property::Confidentiality => &asset.confidentiality,
                        Property::Integrity => &asset.integrity,
                        Property::Availability => &asset.availability,
                    };
                    need.severity
                        .is_some_and(|s: Severity| s >= policy.safety.min_severity)
                })
        });

    RiskRow {
        id: &threat.id,
        rule: &rule.id,
        target: threat.target.id(),
        target_kind: threat.target.kind(),
        stride,
        failure_mode: format!("{} — {}", rule.title, threat.target.name()),
        cause: &rule.description,
        local_effect,
        end_effect: threat.worst_harm.clone(),
        severity: severity.map(|(rank, id)| Level {
            level: id.to_owned(),
            rank: rank as u32 + 1,
        }),
        exploitability: level(expl),
        exploitability_basis: ExploitabilityBasis {
            attack_vector: profile.attack_vector,
            attack_complexity: profile.attack_complexity,
            privileges_required: profile.privileges_required,
            user_interaction: profile.user_interaction,
            score: (score * 1000.0).round() / 1000.0,
            zone_shift,
            access_shift,
        },
        detectability,
        rpn,
        risk,
        controls: threat.mitigated_by.clone(),
        suggested_controls: rule.controls.iter().map(|c| c.control.as_str()).collect(),
        residual_exploitability: level(residual),
        residual_rpn,
        residual_risk,
        safety,
        reopened_by: Vec::new(),
    }
}

fn join_properties(properties: &[Property]) -> String {
    properties
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(" and ")
}
