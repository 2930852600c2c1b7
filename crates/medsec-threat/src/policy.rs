//! The risk policy: severity scale, exploitability derivation, detectability defaults,
//! acceptability matrix and safety rule. `policy/default-risk-policy.yaml` is the
//! default and documents every choice with its source.

use std::collections::BTreeMap;
use std::path::Path;

use medsec_device::model::{Severity, Stride, TrustLevel};
use serde::Deserialize;

use crate::catalogue::{
    AttackComplexity, AttackVector, PrivilegesRequired, Profile, UserInteraction,
};
use crate::engine::Property;
use crate::fmea::RiskLevel;

pub const DEFAULT_POLICY: &str = include_str!("../policy/default-risk-policy.yaml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[serde(rename = "medsec-risk-policy")]
    pub format: u32,
    pub name: String,
    pub severity: SeverityScale,
    pub exploitability: ExploitabilityScale,
    pub detectability: Detectability,
    /// Severity level id → risk level per exploitability level.
    pub matrix: BTreeMap<String, Vec<RiskLevel>>,
    pub safety: Safety,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityScale {
    pub levels: Vec<SeverityLevel>,
    #[serde(default)]
    pub caps: BTreeMap<Stride, Severity>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityLevel {
    pub id: String,
    pub from: Vec<Severity>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExploitabilityScale {
    pub levels: Vec<String>,
    pub scale: f64,
    pub weights: Weights,
    pub thresholds: Vec<f64>,
    pub exposure: ExposureShifts,
    pub control_reduction: u8,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub attack_vector: VectorWeights,
    pub attack_complexity: ComplexityWeights,
    pub privileges_required: PrivilegeWeights,
    pub user_interaction: InteractionWeights,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorWeights {
    pub network: f64,
    pub adjacent: f64,
    pub local: f64,
    pub physical: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplexityWeights {
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivilegeWeights {
    pub none: f64,
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InteractionWeights {
    pub none: f64,
    pub required: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExposureShifts {
    pub zone_trust: TrustShifts,
    pub physical_access: AccessShifts,
    pub physical_vectors: Vec<AttackVector>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustShifts {
    pub untrusted: i8,
    pub low: i8,
    pub medium: i8,
    pub high: i8,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessShifts {
    pub none: i8,
    pub restricted: i8,
    pub patient: i8,
    pub public: i8,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detectability {
    pub by_stride: BTreeMap<Stride, u8>,
    pub logging_credit: u8,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Safety {
    pub min_severity: Severity,
    pub properties: Vec<Property>,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    #[error("cannot read policy file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("policy {file} is not valid YAML for a risk policy: {message}")]
    Syntax { file: String, message: String },
    #[error("policy {file} is inconsistent:\n{}", problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid { file: String, problems: Vec<String> },
}

impl Policy {
    /// The built-in default policy.
    pub fn default_policy() -> Result<Policy, PolicyError> {
        Policy::from_text("builtin:default-risk-policy.yaml", DEFAULT_POLICY)
    }

    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Policy::from_text(&path.display().to_string(), &text)
    }

    /// Parse and check a policy; every inconsistency is reported at once.
    pub fn from_text(file: &str, text: &str) -> Result<Policy, PolicyError> {
        let policy: Policy = serde_saphyr::from_str(text).map_err(|e| PolicyError::Syntax {
            file: file.to_owned(),
            message: e.to_string(),
        })?;
        let problems = policy.problems();
        if problems.is_empty() {
            Ok(policy)
        } else {
            Err(PolicyError::Invalid {
                file: file.to_owned(),
                problems,
            })
        }
    }

    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.format != 1 {
            problems.push(format!(
                "medsec-risk-policy: {} is not a format this build reads (1)",
                self.format
            ));
        }
        if self.severity.levels.is_empty() {
            problems.push("severity.levels is empty".into());
        }
        for severity in Severity::ALL {
            let n = self
                .severity
                .levels
                .iter()
                .filter(|l| l.from.contains(&severity))
                .count();
            if n != 1 {
                problems.push(format!(
                    "device severity '{}' is taken in by {n} severity levels; it must be exactly one",
                    severity.as_str()
                ));
            }
        }
        // Levels must keep the order of the device scale, or the matrix reads backwards.
        let mut previous_max: Option<Severity> = None;
        for level in &self.severity.levels {
            let min = level.from.iter().min().copied();
            if let (Some(prev), Some(min)) = (previous_max, min)
                && min <= prev
            {
                problems.push(format!(
                    "severity level '{}' takes in a severity not above the previous level's",
                    level.id
                ));
            }
            previous_max = level.from.iter().max().copied().or(previous_max);
        }
        let n = self.exploitability.levels.len();
        if n < 2 {
            problems.push("exploitability.levels needs at least two levels".into());
        }
        if self.exploitability.thresholds.len() + 1 != n {
            problems.push(format!(
                "exploitability.thresholds has {} values; {} levels need {}",
                self.exploitability.thresholds.len(),
                n,
                n.saturating_sub(1)
            ));
        }
        if self
            .exploitability
            .thresholds
            .windows(2)
            .any(|w| w[0] >= w[1])
        {
            problems.push("exploitability.thresholds must rise strictly".into());
        }
        if usize::from(self.exploitability.control_reduction) >= n.max(1) {
            problems
                .push("exploitability.control_reduction must be below the number of levels".into());
        }
        for level in &self.severity.levels {
            match self.matrix.get(&level.id) {
                None => problems.push(format!(
                    "matrix has no row for severity level '{}'",
                    level.id
                )),
                Some(row) if row.len() != n => problems.push(format!(
                    "matrix row '{}' has {} entries; there are {n} exploitability levels",
                    level.id,
                    row.len()
                )),
                Some(row) if row.contains(&RiskLevel::NotAssessed) => problems.push(format!(
                    "matrix row '{}' uses not-assessed, which is kept for rows without a severity",
                    level.id
                )),
                Some(_) => {}
            }
        }
        for row in self.matrix.keys() {
            if !self.severity.levels.iter().any(|l| &l.id == row) {
                problems.push(format!("matrix row '{row}' is not a severity level"));
            }
        }
        for (stride, value) in &self.detectability.by_stride {
            if !(1..=5).contains(value) {
                problems.push(format!(
                    "detectability of {} is {value}; it must be 1 to 5",
                    stride.as_str()
                ));
            }
        }
        problems
    }

    /// The policy level (0-based rank) a device severity falls in, after any cap for
    /// the STRIDE category.
    pub fn severity_rank(&self, severity: Severity, stride: Stride) -> (usize, &str) {
        let capped = self
            .severity
            .caps
            .get(&stride)
            .map_or(severity, |cap| severity.min(*cap));
        self.severity
            .levels
            .iter()
            .enumerate()
            .find(|(_, l)| l.from.contains(&capped))
            .map_or((0, "unmapped"), |(i, l)| (i, l.id.as_str()))
    }

    /// CVSS-style exploitability score of a profile.
    pub fn score(&self, p: &Profile) -> f64 {
        let w = &self.exploitability.weights;
        let av = match p.attack_vector {
            AttackVector::Network => w.attack_vector.network,
            AttackVector::Adjacent => w.attack_vector.adjacent,
            AttackVector::Local => w.attack_vector.local,
            AttackVector::Physical => w.attack_vector.physical,
        };
        let ac = match p.attack_complexity {
            AttackComplexity::Low => w.attack_complexity.low,
            AttackComplexity::High => w.attack_complexity.high,
        };
        let pr = match p.privileges_required {
            PrivilegesRequired::None => w.privileges_required.none,
            PrivilegesRequired::Low => w.privileges_required.low,
            PrivilegesRequired::High => w.privileges_required.high,
        };
        let ui = match p.user_interaction {
            UserInteraction::None => w.user_interaction.none,
            UserInteraction::Required => w.user_interaction.required,
        };
        self.exploitability.scale * av * ac * pr * ui
    }

    /// 0-based level of a score before exposure.
    pub fn level_of_score(&self, score: f64) -> usize {
        self.exploitability
            .thresholds
            .iter()
            .filter(|t| score >= **t)
            .count()
    }

    pub fn trust_shift(&self, trust: TrustLevel) -> i8 {
        let s = &self.exploitability.exposure.zone_trust;
        match trust {
            TrustLevel::Untrusted => s.untrusted,
            TrustLevel::Low => s.low,
            TrustLevel::Medium => s.medium,
            TrustLevel::High => s.high,
        }
    }

    pub fn access_shift(&self, access: medsec_device::model::PhysicalAccess) -> i8 {
        use medsec_device::model::PhysicalAccess;
        let s = &self.exploitability.exposure.physical_access;
        match access {
            PhysicalAccess::None => s.none,
            PhysicalAccess::Restricted => s.restricted,
            PhysicalAccess::Patient => s.patient,
            PhysicalAccess::Public => s.public,
        }
    }

    pub fn risk(&self, severity_level: &str, exploitability_rank: usize) -> RiskLevel {
        self.matrix
            .get(severity_level)
            .and_then(|row| row.get(exploitability_rank))
            .copied()
            .unwrap_or(RiskLevel::NotAssessed)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn default_policy_is_consistent() {
        let policy = Policy::default_policy().unwrap();
        assert_eq!(policy.severity.levels.len(), 5);
        assert_eq!(policy.exploitability.levels.len(), 5);
    }

    #[test]
    fn cvss_weights_give_the_documented_levels() {
        let policy = Policy::default_policy().unwrap();
        let p = |av, ac, pr, ui| Profile {
            attack_vector: av,
            attack_complexity: ac,
            privileges_required: pr,
            user_interaction: ui,
        };
        use AttackComplexity as C;
        use AttackVector as V;
        use PrivilegesRequired as P;
        use UserInteraction as U;
        let nlnn = policy.score(&p(V::Network, C::Low, P::None, U::None));
        assert!((nlnn - 3.887).abs() < 0.01, "{nlnn}");
        assert_eq!(policy.level_of_score(nlnn), 4);
        assert_eq!(
            policy.level_of_score(policy.score(&p(V::Adjacent, C::Low, P::None, U::None))),
            3
        );
        assert_eq!(
            policy.level_of_score(policy.score(&p(V::Network, C::High, P::None, U::None))),
            2
        );
        assert_eq!(
            policy.level_of_score(policy.score(&p(V::Physical, C::Low, P::None, U::None))),
            1
        );
        assert_eq!(
            policy.level_of_score(policy.score(&p(V::Physical, C::High, P::High, U::Required))),
            0
        );
    }

    #[test]
    fn inconsistent_policies_are_refused_with_every_problem() {
        let text = DEFAULT_POLICY
            .replace(
                "- { id: minor, from: [minor] }",
                "- { id: minor, from: [] }",
            )
            .replace(
                "thresholds: [0.7, 1.5, 2.3, 3.1]",
                "thresholds: [0.7, 1.5, 1.5]",
            );
        let Err(PolicyError::Invalid { problems, .. }) = Policy::from_text("t", &text) else {
            panic!("accepted");
        };
        assert!(
            problems.iter().any(|p| p.contains("'minor'")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("thresholds has 3")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("rise strictly")),
            "{problems:?}"
        );
    }

    #[test]
    fn three_level_scale() {
        let text = DEFAULT_POLICY
            .replace(
                "    - { id: negligible, from: [negligible] }\n    - { id: minor, from: [minor] }\n    - { id: serious, from: [serious] }\n    - { id: critical, from: [critical] }\n    - { id: catastrophic, from: [catastrophic] }\n",
                "    - { id: low, from: [negligible, minor] }\n    - { id: medium, from: [serious] }\n    - { id: high, from: [critical, catastrophic] }\n",
            )
            .replace(
                "  negligible:   [acceptable, acceptable, acceptable, acceptable, alarp-review]\n  minor:        [acceptable, acceptable, acceptable, alarp-review, alarp-review]\n  serious:      [acceptable, acceptable, alarp-review, alarp-review, unacceptable]\n  critical:     [acceptable, alarp-review, alarp-review, unacceptable, unacceptable]\n  catastrophic: [alarp-review, alarp-review, unacceptable, unacceptable, unacceptable]\n",
                "  low: [acceptable, acceptable, acceptable, acceptable, alarp-review]\n  medium: [acceptable, acceptable, alarp-review, alarp-review, unacceptable]\n  high: [alarp-review, alarp-review, unacceptable, unacceptable, unacceptable]\n",
            );
        let policy = Policy::from_text("t", &text).unwrap();
        assert_eq!(
            policy.severity_rank(Severity::Critical, Stride::Tampering),
            (2, "high")
        );
        assert_eq!(
            policy.severity_rank(Severity::Catastrophic, Stride::Repudiation),
            (1, "medium")
        );
    }
}
