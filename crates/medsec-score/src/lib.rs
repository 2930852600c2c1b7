//! CVSS v2.0, v3.0, v3.1 and v4.0 scoring and the FDA/MITRE medical-device rubric.
//!
//! ```
//! let v = medsec_score::parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
//! let s = v.score();
//! assert_eq!(s.base.score.to_string(), "9.8");
//! assert_eq!(v.to_string(), "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
//! ```
//!
//! Domain code only: no I/O. Every constant has its source noted beside it.

mod error;
mod metric;
pub mod rubric;
mod score;
pub mod v2;
pub mod v3;
pub mod v4;
mod v4_data;

pub use error::CvssError;
pub use metric::{Group, MetricDef, MetricExplanation, ValueDef};
pub use score::{Nomenclature, Rated, Score, Scores, Severity};

use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// A CVSS specification version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Version {
    #[serde(rename = "2.0")]
    V2_0,
    #[serde(rename = "3.0")]
    V3_0,
    #[serde(rename = "3.1")]
    V3_1,
    #[serde(rename = "4.0")]
    V4_0,
}

impl Version {
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2_0 => "2.0",
            Version::V3_0 => "3.0",
            Version::V3_1 => "3.1",
            Version::V4_0 => "4.0",
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed, validated vector of any version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vector {
    V2(v2::V2Vector),
    V3(v3::V3Vector),
    V4(v4::V4Vector),
}

/// Parses a vector, choosing the version by its prefix: `CVSS:3.0/`, `CVSS:3.1/`,
/// `CVSS:4.0/`, or none for v2.0. A v2 vector may be wrapped in parentheses as NVD's
/// older feeds write it, `(AV:N/AC:L/Au:N/C:P/I:P/A:P)`; `CVSS:2.0/` is rejected,
/// since the v2 guide defines no prefix.
pub fn parse(s: &str) -> Result<Vector, CvssError> {
    if s.is_empty() || s == "()" {
        return Err(CvssError::Empty);
    }
    if let Some(rest) = s.strip_prefix("CVSS:") {
        let ver_end = rest.find('/').unwrap_or(rest.len());
        return match &rest[..ver_end] {
            "3.0" | "3.1" => v3::V3Vector::parse(s).map(Vector::V3),
            "4.0" => v4::V4Vector::parse(s).map(Vector::V4),
            "2.0" => Err(CvssError::WrongPrefix {
                found: "CVSS:2.0".into(),
                offset: 0,
                hint: "CVSS v2.0 vectors have no prefix; drop \"CVSS:2.0/\"",
            }),
            other => Err(CvssError::WrongPrefix {
                found: format!("CVSS:{other}"),
                offset: 0,
                hint: "supported prefixes are CVSS:3.0, CVSS:3.1 and CVSS:4.0 (v2.0 has none)",
            }),
        };
    }
    // Every v2 vector has Au (mandatory, and unique to v2); without it the text is most
    // likely a v3/v4 vector that lost its prefix.
    if s.contains("Au:") {
        return v2::V2Vector::parse(s).map(Vector::V2);
    }
    let first = s.split('/').next().unwrap_or(s);
    Err(CvssError::MissingPrefix {
        found: first.to_string(),
        offset: 0,
    })
}

impl FromStr for Vector {
    type Err = CvssError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

impl Vector {
    pub fn version(&self) -> Version {
        match self {
            Vector::V2(_) => Version::V2_0,
            Vector::V3(v) => v.version(),
            Vector::V4(_) => Version::V4_0,
        }
    }

    /// All scores and ratings.
    pub fn score(&self) -> Scores {
        match self {
            Vector::V2(v) => v.scores(),
            Vector::V3(v) => v.scores(),
            Vector::V4(v) => v.scores(),
        }
    }

    /// One line per metric given in the vector (mandatory ones, and optional ones that
    /// are defined), in the specification's order.
    pub fn explain(&self) -> Vec<MetricExplanation> {
        match self {
            Vector::V2(v) => v.explain(),
            Vector::V3(v) => v.explain(),
            Vector::V4(v) => v.explain(),
        }
    }

    /// The canonical form: the specification's metric order, Not Defined metrics left
    /// out, v2 without parentheses. Same as `to_string()`.
    pub fn normalise(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Vector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Vector::V2(v) => v.fmt(f),
            Vector::V3(v) => v.fmt(f),
            Vector::V4(v) => v.fmt(f),
        }
    }
}
