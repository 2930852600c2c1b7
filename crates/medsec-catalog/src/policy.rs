//! The test policy: everything about a test plan that is a choice rather than a fact.
//! Rigour levels, the mapping from each market's risk classes to a level, the default
//! target security level per level, when a threat brings a test in below its level, and
//! which tests an ISO/IEC 17025-accredited laboratory must perform. Two laboratories with
//! the same policy file get the same plan for the same device.

use std::collections::BTreeMap;
use std::path::Path;

use medsec_threat::RiskLevel;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::Independence;

/// The policy medsec uses unless told otherwise.
pub const DEFAULT_POLICY: &str = include_str!("../policy/default-test-policy.yaml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestPolicy {
    /// Name of the policy.
    pub policy: String,
    /// Version of the policy; a plan names both.
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Rigour levels, lowest first; ranks 1 to 4.
    pub levels: Vec<RigourLevel>,
    /// Market → class → rank.
    pub class_ranks: BTreeMap<String, BTreeMap<String, u8>>,
    /// Rank for a device with no market the policy knows.
    pub default_rank: u8,
    /// Target security level (IEC 62443 SL 1–4) per rank, used when the device file does
    /// not declare one.
    pub security_level: BTreeMap<u8, u8>,
    /// A test below its rank is still planned when it verifies a threat whose risk before
    /// controls is at least this (`acceptable`, `alarp-review`, `unacceptable`); absent:
    /// threats never bring a test in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threat_driven_from: Option<RiskLevel>,
    /// The laboratory rule.
    pub laboratory: LaboratoryRule,
    /// Per-test changes: a different lowest rank, or a different independence.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tests: BTreeMap<String, TestOverride>,
    /// Frameworks to assess against; absent: all in the catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frameworks: Option<Vec<String>>,
    /// Set on loading: SHA-256 of the policy file's bytes.
    #[serde(skip_deserializing, default)]
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RigourLevel {
    pub rank: u8,
    pub id: String,
    pub description: String,
}

/// Which tests an accredited laboratory must perform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaboratoryRule {
    /// What the laboratory must hold (shown in plans).
    pub accreditation: String,
    /// Market → classes for which the rule applies (default: EU MDR IIa, IIb, III and
    /// IVDR B, C, D).
    pub classes: BTreeMap<String, Vec<String>>,
    /// Tests planned at one of these independence levels are marked for the laboratory.
    pub independence: Vec<Independence>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_rank: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub independence: Option<Independence>,
    /// Leave the test out of every plan, with this reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excluded: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read test policy {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("test policy {file} is not valid: {message}")]
    Invalid { file: String, message: String },
}

impl TestPolicy {
    pub fn default_policy() -> Result<TestPolicy, PolicyError> {
        TestPolicy::from_text("default-test-policy.yaml", DEFAULT_POLICY)
    }

    pub fn load(path: &Path) -> Result<TestPolicy, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        TestPolicy::from_text(&path.display().to_string(), &text)
    }

    pub fn from_text(file: &str, text: &str) -> Result<TestPolicy, PolicyError> {
        let invalid = |message: String| PolicyError::Invalid {
            file: file.to_owned(),
            message,
        };
        let mut policy: TestPolicy =
            serde_saphyr::from_str(text).map_err(|e| invalid(e.to_string()))?;
        policy.sha256 = crate::hex(&Sha256::digest(text.as_bytes()));
        policy.check().map_err(invalid)?;
        Ok(policy)
    }

    /// The rule checks a file cannot express in its shape.
    fn check(&self) -> Result<(), String> {
        let ranks: Vec<u8> = self.levels.iter().map(|l| l.rank).collect();
        if ranks.is_empty()
            || ranks
                .iter()
                .enumerate()
                .any(|(i, r)| usize::from(*r) != i + 1)
        {
            return Err("levels: ranks must be 1, 2, … in order, at most 4".into());
        }
        if ranks.len() > 4 {
            return Err("levels: at most 4 rigour levels (tests give ranks 1 to 4)".into());
        }
        let top = ranks.len() as u8;
        let rank_ok = |r: u8| (1..=top).contains(&r);
        if !rank_ok(self.default_rank) {
            return Err(format!("default_rank {} is not a level", self.default_rank));
        }
        for (market, classes) in &self.class_ranks {
            let Some(known) = crate::market(market) else {
                return Err(format!("class_ranks: unknown market `{market}`"));
            };
            for (class, rank) in classes {
                if !known.classes().contains(&class.as_str()) {
                    return Err(format!("class_ranks: `{class}` is not a class of {market}"));
                }
                if !rank_ok(*rank) {
                    return Err(format!(
                        "class_ranks: {market} {class}: rank {rank} is not a level"
                    ));
                }
            }
        }
        for (market, classes) in &self.laboratory.classes {
            let Some(known) = crate::market(market) else {
                return Err(format!("laboratory: unknown market `{market}`"));
            };
            for class in classes {
                if !known.classes().contains(&class.as_str()) {
                    return Err(format!("laboratory: `{class}` is not a class of {market}"));
                }
            }
        }
        for rank in 1..=top {
            match self.security_level.get(&rank) {
                Some(sl) if (1..=4).contains(sl) => {}
                Some(sl) => {
                    return Err(format!(
                        "security_level: SL{sl} for rank {rank} is not 1 to 4"
                    ));
                }
                None => return Err(format!("security_level: no level for rank {rank}")),
            }
        }
        for (test, o) in &self.tests {
            if let Some(r) = o.min_rank
                && !rank_ok(r)
            {
                return Err(format!("tests: {test}: min_rank {r} is not a level"));
            }
        }
        Ok(())
    }

    /// The rank of a device: the highest over its markets (a device sold where its class is
    /// highest is tested for that market), and the market and class that set it.
    pub fn device_rank(
        &self,
        markets: &BTreeMap<String, String>,
    ) -> (u8, Option<(String, String)>) {
        let mut best: Option<(u8, (String, String))> = None;
        for (market, class) in markets {
            if let Some(rank) = self.class_ranks.get(market).and_then(|c| c.get(class))
                && best.as_ref().is_none_or(|(b, _)| rank > b)
            {
                best = Some((*rank, (market.clone(), class.clone())));
            }
        }
        match best {
            Some((rank, why)) => (rank, Some(why)),
            None => (self.default_rank, None),
        }
    }

    pub fn level(&self, rank: u8) -> Option<&RigourLevel> {
        self.levels.iter().find(|l| l.rank == rank)
    }

    /// Whether the laboratory rule applies to a device, and the market/class that make it.
    pub fn laboratory_applies(
        &self,
        markets: &BTreeMap<String, String>,
    ) -> Option<(String, String)> {
        self.laboratory
            .classes
            .iter()
            .find_map(|(market, classes)| {
                markets
                    .get(market)
                    .filter(|class| classes.contains(class))
                    .map(|class| (market.clone(), class.clone()))
            })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn default_policy_loads() {
        let p = TestPolicy::default_policy().unwrap();
        assert_eq!(p.levels.len(), 4);
        let markets: BTreeMap<String, String> = [
            ("eu-mdr".to_owned(), "IIb".to_owned()),
            ("fda".to_owned(), "II".to_owned()),
        ]
        .into();
        let (rank, why) = p.device_rank(&markets);
        assert_eq!(rank, 3);
        assert_eq!(why, Some(("eu-mdr".into(), "IIb".into())));
        assert_eq!(
            p.laboratory_applies(&markets),
            Some(("eu-mdr".into(), "IIb".into()))
        );
        let us_only: BTreeMap<String, String> = [("fda".to_owned(), "II".to_owned())].into();
        assert_eq!(p.laboratory_applies(&us_only), None);
    }

    #[test]
    fn bad_policies_are_refused_with_the_reason() {
        let good = DEFAULT_POLICY;
        let bad = good.replace("IIb: 3", "IIc: 3");
        let e = TestPolicy::from_text("p.yaml", &bad)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`IIc` is not a class of eu-mdr"), "{e}");
        let bad = good.replace("default_rank: 1", "default_rank: 9");
        let e = TestPolicy::from_text("p.yaml", &bad)
            .unwrap_err()
            .to_string();
        assert!(e.contains("default_rank 9"), "{e}");
    }
}
