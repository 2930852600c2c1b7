//! Score values and qualitative ratings.

use serde::{Serialize, Serializer};
use std::fmt;

/// A CVSS score, kept as an integer number of tenths so that comparisons are exact.
/// Serialises as a JSON number with one decimal (e.g. `9.8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Score(u8);

impl Score {
    pub const ZERO: Score = Score(0);
    pub const MAX: Score = Score(100);

    /// From tenths, clamped to 0..=100.
    pub fn from_tenths(tenths: u8) -> Score {
        Score(tenths.min(100))
    }
    pub fn tenths(self) -> u8 {
        self.0
    }
    pub fn value(self) -> f64 {
        f64::from(self.0) / 10.0
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

impl Serialize for Score {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.value())
    }
}

/// Qualitative severity rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Severity {
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// The v3.x and v4.0 rating scale (v3.1 spec Table 14 / v4.0 spec section 6: None 0.0,
    /// Low 0.1-3.9, Medium 4.0-6.9, High 7.0-8.9, Critical 9.0-10.0).
    pub fn v3_v4(score: Score) -> Severity {
        match score.tenths() {
            0 => Severity::None,
            1..=39 => Severity::Low,
            40..=69 => Severity::Medium,
            70..=89 => Severity::High,
            _ => Severity::Critical,
        }
    }

    /// CVSS v2.0 defines no rating scale. We use NVD's bands for v2 (Low 0.0-3.9,
    /// Medium 4.0-6.9, High 7.0-10.0; NVD "Vulnerability Metrics" page), as NVD and the
    /// reference implementation do; note that 0.0 rates Low, not None.
    pub fn v2_nvd(score: Score) -> Severity {
        match score.tenths() {
            0..=39 => Severity::Low,
            40..=69 => Severity::Medium,
            _ => Severity::High,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::None => "None",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A score with its rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rated {
    pub score: Score,
    pub severity: Severity,
}

/// CVSS v4.0 nomenclature (v4.0 spec section 1.3): which groups the score reflects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Nomenclature {
    #[serde(rename = "CVSS-B")]
    B,
    #[serde(rename = "CVSS-BT")]
    Bt,
    #[serde(rename = "CVSS-BE")]
    Be,
    #[serde(rename = "CVSS-BTE")]
    Bte,
}

impl Nomenclature {
    pub fn as_str(self) -> &'static str {
        match self {
            Nomenclature::B => "CVSS-B",
            Nomenclature::Bt => "CVSS-BT",
            Nomenclature::Be => "CVSS-BE",
            Nomenclature::Bte => "CVSS-BTE",
        }
    }
}

/// Every score of a vector.
///
/// - v2.0: `base`; `temporal` / `environmental` only when the vector defines a metric of
///   that group (as the v2 guide treats them as optional).
/// - v3.x: `base`, `temporal` and `environmental` are always computed by the formulas
///   (undefined metrics count as Not Defined), as FIRST's calculator shows them.
/// - v4.0: `base` is CVSS-B (threat and environmental metrics ignored); `temporal` and
///   `environmental` are `None`; `overall` is the vector's score, named by `nomenclature`.
///
/// `overall` is the score to report: for v2/v3 the environmental score if the vector
/// defines an environmental metric, else the temporal if it defines a temporal metric,
/// else the base score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Scores {
    pub version: crate::Version,
    pub base: Rated,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temporal: Option<Rated>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environmental: Option<Rated>,
    pub overall: Rated,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nomenclature: Option<Nomenclature>,
}
