//! CVSS v2.0.
//!
//! Source: Mell, Scarfone, Romanosky, "A Complete Guide to the Common Vulnerability
//! Scoring System Version 2.0" (FIRST, 2007), section 3.2 (equations) and 2.4 (vectors:
//! "the vector lists these metrics in a predetermined order", so order is enforced).
//!
//! Scores are computed in exact integer arithmetic: every v2 constant has at most three
//! decimals and the equations have no powers, so `round_to_1_decimal` (half up) is
//! decided on the exact value, never on a binary floating-point approximation.

use crate::metric::{self, Group, MetricDef, Syntax, v};
use crate::{CvssError, MetricExplanation, Rated, Score, Scores, Severity, Version};
use std::fmt;

const ND: crate::ValueDef = v(
    "ND",
    "Not Defined",
    "not assessed; the neutral value applies",
);

const fn m(
    abbr: &'static str,
    name: &'static str,
    group: Group,
    mandatory: bool,
    values: &'static [crate::ValueDef],
) -> MetricDef {
    MetricDef {
        abbr,
        name,
        group,
        mandatory,
        values,
    }
}

macro_rules! impact {
    ($what:literal) => {
        &[
            v("N", "None", concat!("no impact on ", $what)),
            v(
                "P",
                "Partial",
                concat!("considerable but limited impact on ", $what),
            ),
            v("C", "Complete", concat!("total compromise of ", $what)),
        ]
    };
}
macro_rules! req {
    ($what:literal) => {
        &[
            ND,
            v(
                "L",
                "Low",
                concat!("loss of ", $what, " has limited effect here"),
            ),
            v(
                "M",
                "Medium",
                concat!("loss of ", $what, " is serious here"),
            ),
            v(
                "H",
                "High",
                concat!("loss of ", $what, " is catastrophic here"),
            ),
        ]
    };
}

const AV: usize = 0;
const AC: usize = 1;
const AU: usize = 2;
const C: usize = 3;
const I: usize = 4;
const A: usize = 5;
const E: usize = 6;
const RL: usize = 7;
const RC: usize = 8;
const CDP: usize = 9;
const TD: usize = 10;
const CR: usize = 11;
const IR: usize = 12;
const AR: usize = 13;
const N_METRICS: usize = 14;

/// The v2 metrics in the guide's order (Tables 12-14, section 2.4).
pub static METRICS: [MetricDef; N_METRICS] = DEFS;

const DEFS: [MetricDef; N_METRICS] = [
    m(
        "AV",
        "Access Vector",
        Group::Base,
        true,
        &[
            v(
                "L",
                "Local",
                "attacker needs local access or a local account",
            ),
            v(
                "A",
                "Adjacent Network",
                "attacker must be on the same broadcast or collision domain",
            ),
            v("N", "Network", "exploitable remotely"),
        ],
    ),
    m(
        "AC",
        "Access Complexity",
        Group::Base,
        true,
        &[
            v("H", "High", "specialised conditions must exist"),
            v("M", "Medium", "somewhat specialised conditions"),
            v("L", "Low", "no specialised conditions"),
        ],
    ),
    m(
        "Au",
        "Authentication",
        Group::Base,
        true,
        &[
            v(
                "M",
                "Multiple",
                "attacker must authenticate two or more times",
            ),
            v("S", "Single", "attacker must authenticate once"),
            v("N", "None", "no authentication needed"),
        ],
    ),
    m(
        "C",
        "Confidentiality Impact",
        Group::Base,
        true,
        impact!("confidentiality"),
    ),
    m(
        "I",
        "Integrity Impact",
        Group::Base,
        true,
        impact!("integrity"),
    ),
    m(
        "A",
        "Availability Impact",
        Group::Base,
        true,
        impact!("availability"),
    ),
    m(
        "E",
        "Exploitability",
        Group::Temporal,
        false,
        &[
            ND,
            v("U", "Unproven", "no exploit code known"),
            v("POC", "Proof-of-Concept", "proof-of-concept code only"),
            v("F", "Functional", "working exploit code exists"),
            v(
                "H",
                "High",
                "reliable exploit widely available or none needed",
            ),
        ],
    ),
    m(
        "RL",
        "Remediation Level",
        Group::Temporal,
        false,
        &[
            ND,
            v("OF", "Official Fix", "a complete vendor fix exists"),
            v("TF", "Temporary Fix", "an official interim fix exists"),
            v("W", "Workaround", "an unofficial workaround exists"),
            v("U", "Unavailable", "no fix or workaround"),
        ],
    ),
    m(
        "RC",
        "Report Confidence",
        Group::Temporal,
        false,
        &[
            ND,
            v("UC", "Unconfirmed", "a single unconfirmed report"),
            v("UR", "Uncorroborated", "several reports that disagree"),
            v("C", "Confirmed", "confirmed by the vendor or reproduced"),
        ],
    ),
    m(
        "CDP",
        "Collateral Damage Potential",
        Group::Environmental,
        false,
        &[
            ND,
            v(
                "N",
                "None",
                "no potential for loss of life, property or revenue",
            ),
            v(
                "L",
                "Low",
                "slight physical or property damage, or loss of revenue",
            ),
            v(
                "LM",
                "Low-Medium",
                "moderate physical or property damage, or loss",
            ),
            v(
                "MH",
                "Medium-High",
                "significant physical or property damage, or loss",
            ),
            v("H", "High", "catastrophic damage or loss"),
        ],
    ),
    m(
        "TD",
        "Target Distribution",
        Group::Environmental,
        false,
        &[
            ND,
            v("N", "None", "no vulnerable systems in the environment"),
            v("L", "Low", "1-25% of the environment is vulnerable"),
            v("M", "Medium", "26-75% of the environment is vulnerable"),
            v("H", "High", "76-100% of the environment is vulnerable"),
        ],
    ),
    m(
        "CR",
        "Confidentiality Requirement",
        Group::Environmental,
        false,
        req!("confidentiality"),
    ),
    m(
        "IR",
        "Integrity Requirement",
        Group::Environmental,
        false,
        req!("integrity"),
    ),
    m(
        "AR",
        "Availability Requirement",
        Group::Environmental,
        false,
        req!("availability"),
    ),
];

fn index_of(key: &[u8]) -> Option<usize> {
    Some(match key {
        b"AV" => AV,
        b"AC" => AC,
        b"Au" => AU,
        b"C" => C,
        b"I" => I,
        b"A" => A,
        b"E" => E,
        b"RL" => RL,
        b"RC" => RC,
        b"CDP" => CDP,
        b"TD" => TD,
        b"CR" => CR,
        b"IR" => IR,
        b"AR" => AR,
        _ => return None,
    })
}

pub(crate) static SYNTAX: Syntax<N_METRICS> = Syntax {
    version: Version::V2_0,
    defs: &METRICS,
    ordered: true,
    index_of,
    packed: metric::Packed::new(&DEFS),
};

// Weights from the guide, section 3.2, as integers: thousandths (AV, AC, Au, impacts) and
// hundredths (temporal and environmental).
const AV1000: [i128; 3] = [395, 646, 1000];
const AC1000: [i128; 3] = [350, 610, 710];
const AU1000: [i128; 3] = [450, 560, 704];
const IMP1000: [i128; 3] = [0, 275, 660];
const E100: [i128; 5] = [100, 85, 90, 95, 100];
const RL100: [i128; 5] = [100, 87, 90, 95, 100];
const RC100: [i128; 4] = [100, 90, 95, 100];
const CDP100: [i128; 6] = [0, 0, 10, 30, 40, 50];
const TD100: [i128; 5] = [100, 0, 25, 75, 100];
const REQ100: [i128; 4] = [100, 50, 100, 151];

/// A v2.0 vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct V2Vector {
    vals: [u8; N_METRICS],
}

/// Rounds `num / den` (den > 0) to the nearest integer, halves away from zero (the
/// guide's round_to_1_decimal is applied to tenths; ties occur with these constants).
fn round_half_away(num: i128, den: i128) -> i128 {
    let q = (num.abs() * 2 + den) / (den * 2);
    if num < 0 { -q } else { q }
}

impl V2Vector {
    /// Parses a v2.0 vector (no prefix; optional surrounding parentheses).
    pub fn parse(s: &str) -> Result<V2Vector, CvssError> {
        if s.is_empty() {
            return Err(CvssError::Empty);
        }
        let (body, base) = match s.strip_prefix('(').and_then(|b| b.strip_suffix(')')) {
            Some(b) => (b, 1),
            None => (s, 0),
        };
        if body.is_empty() {
            return Err(CvssError::Empty);
        }
        if body.starts_with("CVSS:") {
            return Err(CvssError::WrongPrefix {
                found: body.split('/').next().unwrap_or(body).to_string(),
                offset: base,
                hint: "CVSS v2.0 vectors have no prefix",
            });
        }
        let vals = metric::parse_body(&SYNTAX, s, body, base)?;
        Ok(V2Vector { vals })
    }

    pub fn get(&self, abbr: &str) -> Option<&'static str> {
        let i = index_of(abbr.as_bytes())?;
        Some(METRICS[i].values[usize::from(self.vals[i])].abbr)
    }

    pub fn explain(&self) -> Vec<MetricExplanation> {
        metric::explain(&METRICS, &self.vals)
    }

    fn w(&self, i: usize) -> usize {
        usize::from(self.vals[i])
    }

    /// Exploitability = 20 × AV × AC × Au, scaled by 10^9.
    fn exploitability(&self) -> i128 {
        20 * AV1000[self.w(AV)] * AC1000[self.w(AC)] * AU1000[self.w(AU)]
    }

    /// BaseScore equation with a given impact (scaled by `scale`), in tenths, unclamped.
    fn base_equation(&self, impact: i128, scale: i128) -> i128 {
        if impact == 0 {
            // f(Impact) = 0
            return 0;
        }
        // Bring impact and exploitability (10^9) to a common scale of 10^17.
        let imp = impact * (100_000_000_000_000_000 / scale);
        let ex = self.exploitability() * 100_000_000;
        let one = 100_000_000_000_000_000i128;
        // ((0.6 × Impact) + (0.4 × Exploitability) − 1.5) × 1.176, scaled by 10^21.
        let raw = (6 * imp + 4 * ex - 15 * one) * 1176;
        // round_to_1_decimal → tenths: divide by 10^20.
        round_half_away(raw, 100_000_000_000_000_000_000)
    }

    /// Impact = 10.41 × (1 − (1−C)(1−I)(1−A)), scaled by 10^11.
    fn impact(&self) -> i128 {
        let p =
            (1000 - IMP1000[self.w(C)]) * (1000 - IMP1000[self.w(I)]) * (1000 - IMP1000[self.w(A)]);
        1041 * (1_000_000_000 - p)
    }

    /// AdjustedImpact = min(10, 10.41 × (1 − (1−C×CR)(1−I×IR)(1−A×AR))), scaled by 10^17.
    fn adjusted_impact(&self) -> i128 {
        let f = |imp: usize, req: usize| 100_000 - IMP1000[self.w(imp)] * REQ100[self.w(req)];
        let p = f(C, CR) * f(I, IR) * f(A, AR);
        let v = 1041 * (1_000_000_000_000_000 - p);
        v.min(10 * 100_000_000_000_000_000)
    }

    /// TemporalScore equation on a base score in tenths, in tenths, unclamped.
    fn temporal_equation(&self, base: i128) -> i128 {
        let p = base * E100[self.w(E)] * RL100[self.w(RL)] * RC100[self.w(RC)];
        round_half_away(p, 1_000_000)
    }

    pub fn scores(&self) -> Scores {
        let base = self.base_equation(self.impact(), 100_000_000_000).max(0);
        let has_temporal = self.vals[E..=RC].iter().any(|&x| x != 0);
        let has_env = self.vals[CDP..=AR].iter().any(|&x| x != 0);
        let temporal = has_temporal.then(|| self.temporal_equation(base).max(0));
        let environmental = has_env.then(|| {
            // AdjustedTemporal: the temporal equation on the base equation with the
            // adjusted impact. The guide clamps neither; a negative adjusted base (possible
            // with low requirements) is carried through, and only the final score is
            // floored at 0 (the scale is 0-10), as the reference implementation does.
            let adj_base = self.base_equation(self.adjusted_impact(), 100_000_000_000_000_000);
            let adj_temporal = self.temporal_equation(adj_base);
            // (AdjustedTemporal + (10 − AdjustedTemporal) × CDP) × TD; tenths × 10^4.
            let raw = (adj_temporal * 100 + (100 - adj_temporal) * CDP100[self.w(CDP)])
                * TD100[self.w(TD)];
            round_half_away(raw, 10_000).max(0)
        });
        let rate = |t: i128| {
            let score = Score::from_tenths(u8::try_from(t.clamp(0, 100)).unwrap_or(100));
            Rated {
                score,
                severity: Severity::v2_nvd(score),
            }
        };
        let overall = environmental.or(temporal).unwrap_or(base);
        Scores {
            version: Version::V2_0,
            base: rate(base),
            temporal: temporal.map(rate),
            environmental: environmental.map(rate),
            overall: rate(overall),
            nomenclature: None,
        }
    }
}

impl fmt::Display for V2Vector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(64);
        metric::write_body(&METRICS, &self.vals, &mut s);
        f.write_str(&s)
    }
}
