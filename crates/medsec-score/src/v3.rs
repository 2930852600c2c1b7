//! CVSS v3.0 and v3.1.
//!
//! Sources: FIRST, "CVSS v3.0 Specification Document" (2015) section 8 and "CVSS v3.1
//! Specification Document" (rev. 1, 2019) section 7 and Appendix A. Metric order: any
//! ("Programs reading CVSS v3.x vector strings must accept metrics in any order", both
//! specs, section "Vector String"); we write Table 15's order.

use crate::metric::{self, Group, MetricDef, Syntax, v};
use crate::{CvssError, MetricExplanation, Nomenclature, Rated, Score, Scores, Severity, Version};
use std::fmt;

const NOT_DEFINED: crate::ValueDef = v(
    "X",
    "Not Defined",
    "not assessed; the neutral/base value applies",
);

macro_rules! cia {
    ($what:literal) => {
        &[
            v("H", "High", concat!("total loss of ", $what)),
            v("L", "Low", concat!("some loss of ", $what)),
            v("N", "None", concat!("no loss of ", $what)),
        ]
    };
}
macro_rules! mcia {
    ($what:literal) => {
        &[
            NOT_DEFINED,
            v(
                "H",
                "High",
                concat!("total loss of ", $what, " in this environment"),
            ),
            v(
                "L",
                "Low",
                concat!("some loss of ", $what, " in this environment"),
            ),
            v(
                "N",
                "None",
                concat!("no loss of ", $what, " in this environment"),
            ),
        ]
    };
}
macro_rules! req {
    ($what:literal) => {
        &[
            NOT_DEFINED,
            v(
                "H",
                "High",
                concat!("loss of ", $what, " is catastrophic here"),
            ),
            v(
                "M",
                "Medium",
                concat!("loss of ", $what, " is serious here"),
            ),
            v(
                "L",
                "Low",
                concat!("loss of ", $what, " has limited effect here"),
            ),
        ]
    };
}

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

// Index of each metric in `METRICS` (the order of Table 15 of the v3.1 spec).
const AV: usize = 0;
const AC: usize = 1;
const PR: usize = 2;
const UI: usize = 3;
const S: usize = 4;
const C: usize = 5;
const I: usize = 6;
const A: usize = 7;
const E: usize = 8;
const RL: usize = 9;
const RC: usize = 10;
const CR: usize = 11;
const IR: usize = 12;
const AR: usize = 13;
const MAV: usize = 14;
const MAC: usize = 15;
const MPR: usize = 16;
const MUI: usize = 17;
const MS: usize = 18;
const MC: usize = 19;
const MI: usize = 20;
const MA: usize = 21;
const N_METRICS: usize = 22;

/// The v3.x metrics in the order of the v3.1 spec's Table 15. Modified-metric value lists
/// are "X" followed by the base metric's list, so index−1 is the base index.
pub static METRICS: [MetricDef; N_METRICS] = DEFS;

const DEFS: [MetricDef; N_METRICS] = [
    m(
        "AV",
        "Attack Vector",
        Group::Base,
        true,
        &[
            v(
                "N",
                "Network",
                "exploitable remotely across routed networks",
            ),
            v(
                "A",
                "Adjacent",
                "attacker must share a local network segment or link",
            ),
            v(
                "L",
                "Local",
                "attacker needs local access or a user to open something",
            ),
            v("P", "Physical", "attacker must touch or handle the device"),
        ],
    ),
    m(
        "AC",
        "Attack Complexity",
        Group::Base,
        true,
        &[
            v("L", "Low", "no special conditions; repeatable at will"),
            v(
                "H",
                "High",
                "success depends on conditions beyond the attacker's control",
            ),
        ],
    ),
    m(
        "PR",
        "Privileges Required",
        Group::Base,
        true,
        &[
            v("N", "None", "no authentication needed"),
            v("L", "Low", "ordinary user privileges needed"),
            v("H", "High", "administrative privileges needed"),
        ],
    ),
    m(
        "UI",
        "User Interaction",
        Group::Base,
        true,
        &[
            v("N", "None", "no user action needed"),
            v("R", "Required", "a user must take some action"),
        ],
    ),
    m(
        "S",
        "Scope",
        Group::Base,
        true,
        &[
            v(
                "U",
                "Unchanged",
                "impact stays within the vulnerable component's authority",
            ),
            v(
                "C",
                "Changed",
                "impact reaches components under another authority",
            ),
        ],
    ),
    m(
        "C",
        "Confidentiality",
        Group::Base,
        true,
        cia!("confidentiality"),
    ),
    m("I", "Integrity", Group::Base, true, cia!("integrity")),
    m("A", "Availability", Group::Base, true, cia!("availability")),
    m(
        "E",
        "Exploit Code Maturity",
        Group::Temporal,
        false,
        &[
            NOT_DEFINED,
            v(
                "H",
                "High",
                "reliable, widely available exploit or none needed",
            ),
            v("F", "Functional", "working exploit code exists"),
            v("P", "Proof-of-Concept", "proof-of-concept code only"),
            v("U", "Unproven", "no exploit code known"),
        ],
    ),
    m(
        "RL",
        "Remediation Level",
        Group::Temporal,
        false,
        &[
            NOT_DEFINED,
            v("U", "Unavailable", "no fix or workaround"),
            v("W", "Workaround", "an unofficial workaround exists"),
            v("T", "Temporary Fix", "an official interim fix exists"),
            v("O", "Official Fix", "a complete vendor fix exists"),
        ],
    ),
    m(
        "RC",
        "Report Confidence",
        Group::Temporal,
        false,
        &[
            NOT_DEFINED,
            v("C", "Confirmed", "confirmed by the vendor or reproduced"),
            v(
                "R",
                "Reasonable",
                "significant details published, root cause unconfirmed",
            ),
            v("U", "Unknown", "reports disagree on cause or impact"),
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
    m(
        "MAV",
        "Modified Attack Vector",
        Group::Environmental,
        false,
        &[
            NOT_DEFINED,
            v(
                "N",
                "Network",
                "reachable across routed networks in this deployment",
            ),
            v(
                "A",
                "Adjacent",
                "reachable only from the local segment here",
            ),
            v("L", "Local", "reachable only locally here"),
            v("P", "Physical", "reachable only by physical access here"),
        ],
    ),
    m(
        "MAC",
        "Modified Attack Complexity",
        Group::Environmental,
        false,
        &[
            NOT_DEFINED,
            v("L", "Low", "no special conditions in this deployment"),
            v(
                "H",
                "High",
                "deployment adds conditions the attacker cannot control",
            ),
        ],
    ),
    m(
        "MPR",
        "Modified Privileges Required",
        Group::Environmental,
        false,
        &[
            NOT_DEFINED,
            v("N", "None", "no authentication needed here"),
            v("L", "Low", "user privileges needed here"),
            v("H", "High", "administrative privileges needed here"),
        ],
    ),
    m(
        "MUI",
        "Modified User Interaction",
        Group::Environmental,
        false,
        &[
            NOT_DEFINED,
            v("N", "None", "no user action needed here"),
            v("R", "Required", "a user must act here"),
        ],
    ),
    m(
        "MS",
        "Modified Scope",
        Group::Environmental,
        false,
        &[
            NOT_DEFINED,
            v("U", "Unchanged", "impact stays within the component here"),
            v("C", "Changed", "impact crosses an authority boundary here"),
        ],
    ),
    m(
        "MC",
        "Modified Confidentiality",
        Group::Environmental,
        false,
        mcia!("confidentiality"),
    ),
    m(
        "MI",
        "Modified Integrity",
        Group::Environmental,
        false,
        mcia!("integrity"),
    ),
    m(
        "MA",
        "Modified Availability",
        Group::Environmental,
        false,
        mcia!("availability"),
    ),
];

fn index_of(key: &[u8]) -> Option<usize> {
    Some(match key {
        b"AV" => AV,
        b"AC" => AC,
        b"PR" => PR,
        b"UI" => UI,
        b"S" => S,
        b"C" => C,
        b"I" => I,
        b"A" => A,
        b"E" => E,
        b"RL" => RL,
        b"RC" => RC,
        b"CR" => CR,
        b"IR" => IR,
        b"AR" => AR,
        b"MAV" => MAV,
        b"MAC" => MAC,
        b"MPR" => MPR,
        b"MUI" => MUI,
        b"MS" => MS,
        b"MC" => MC,
        b"MI" => MI,
        b"MA" => MA,
        _ => return None,
    })
}

static SYNTAX_30: Syntax<N_METRICS> = Syntax {
    version: Version::V3_0,
    defs: &METRICS,
    ordered: false,
    index_of,
    packed: metric::Packed::new(&DEFS),
};
pub(crate) static SYNTAX_31: Syntax<N_METRICS> = Syntax {
    version: Version::V3_1,
    defs: &METRICS,
    ordered: false,
    index_of,
    packed: metric::Packed::new(&DEFS),
};

// Weights: v3.1 spec section 7.4 "Metric Values" (same in the v3.0 spec, section 8.4).
const W_AV: [f64; 4] = [0.85, 0.62, 0.55, 0.2];
const W_AC: [f64; 2] = [0.77, 0.44];
const W_PR_UNCHANGED: [f64; 3] = [0.85, 0.62, 0.27];
// PR weighs more when Scope (or Modified Scope) is Changed (same section).
const W_PR_CHANGED: [f64; 3] = [0.85, 0.68, 0.5];
const W_UI: [f64; 2] = [0.85, 0.62];
const W_CIA: [f64; 3] = [0.56, 0.22, 0.0];
// Temporal weights in hundredths so the temporal step is exact integer arithmetic
// (same section): E X/H/F/P/U, RL X/U/W/T/O, RC X/C/R/U.
const E100: [u32; 5] = [100, 100, 97, 94, 91];
const RL100: [u32; 5] = [100, 100, 97, 96, 95];
const RC100: [u32; 4] = [100, 100, 96, 92];
// Security requirements X/H/M/L (same section).
const W_REQ: [f64; 4] = [1.0, 1.5, 1.0, 0.5];

/// A v3.0 or v3.1 vector: one value index per metric of [`METRICS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct V3Vector {
    minor: u8,
    vals: [u8; N_METRICS],
}

impl V3Vector {
    /// Parses a vector with the `CVSS:3.0/` or `CVSS:3.1/` prefix.
    pub fn parse(s: &str) -> Result<V3Vector, CvssError> {
        let (minor, body) = if let Some(b) = s.strip_prefix("CVSS:3.1/") {
            (1, b)
        } else if let Some(b) = s.strip_prefix("CVSS:3.0/") {
            (0, b)
        } else {
            if s.is_empty() {
                return Err(CvssError::Empty);
            }
            let found = s.split('/').next().unwrap_or(s).to_string();
            return Err(CvssError::WrongPrefix {
                found,
                offset: 0,
                hint: "a CVSS v3 vector starts with \"CVSS:3.0/\" or \"CVSS:3.1/\"",
            });
        };
        if body.is_empty() {
            return Err(CvssError::Malformed {
                component: String::new(),
                offset: 9,
            });
        }
        let syntax = if minor == 1 { &SYNTAX_31 } else { &SYNTAX_30 };
        let vals = metric::parse_body(syntax, s, body, 9)?;
        Ok(V3Vector { minor, vals })
    }

    pub fn version(&self) -> Version {
        if self.minor == 1 {
            Version::V3_1
        } else {
            Version::V3_0
        }
    }

    /// Value index of metric `abbr` (0 = Not Defined for optional metrics).
    pub fn get(&self, abbr: &str) -> Option<&'static str> {
        let i = index_of(abbr.as_bytes())?;
        Some(METRICS[i].values[usize::from(self.vals[i])].abbr)
    }

    pub fn explain(&self) -> Vec<MetricExplanation> {
        metric::explain(&METRICS, &self.vals)
    }

    fn roundup(&self, x: f64) -> u8 {
        if self.minor == 1 {
            roundup_v31(x)
        } else {
            roundup_v30(x)
        }
    }

    /// Applies the temporal multipliers to a 1-decimal score, exactly.
    fn temporal_of(&self, tenths: u8) -> u8 {
        let p = u64::from(tenths)
            * u64::from(E100[usize::from(self.vals[E])])
            * u64::from(RL100[usize::from(self.vals[RL])])
            * u64::from(RC100[usize::from(self.vals[RC])]);
        // p is the product scaled by 10^7.
        if self.minor == 1 {
            roundup_v31_scaled(p)
        } else {
            // Exact ceiling to one decimal (v3.0 spec section 8.4 "Round up").
            p.div_ceil(1_000_000) as u8
        }
    }

    fn base_tenths(&self) -> u8 {
        self.base_raw().map_or(0, |x| self.roundup(x))
    }

    /// The base value before Roundup, `None` when the impact is not positive.
    fn base_raw(&self) -> Option<f64> {
        let vals = &self.vals;
        let changed = vals[S] == 1;
        let iss = 1.0
            - (1.0 - W_CIA[usize::from(vals[C])])
                * (1.0 - W_CIA[usize::from(vals[I])])
                * (1.0 - W_CIA[usize::from(vals[A])]);
        let impact = if changed {
            7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
        } else {
            6.42 * iss
        };
        if impact <= 0.0 {
            return None;
        }
        let pr = if changed {
            W_PR_CHANGED
        } else {
            W_PR_UNCHANGED
        };
        let expl = 8.22
            * W_AV[usize::from(vals[AV])]
            * W_AC[usize::from(vals[AC])]
            * pr[usize::from(vals[PR])]
            * W_UI[usize::from(vals[UI])];
        Some(if changed {
            (1.08 * (impact + expl)).min(10.0)
        } else {
            (impact + expl).min(10.0)
        })
    }

    fn environmental_tenths(&self) -> u8 {
        self.modified_raw()
            .map_or(0, |x| self.temporal_of(self.roundup(x)))
    }

    /// The modified (environmental) value before its inner Roundup, `None` when the
    /// modified impact is not positive.
    fn modified_raw(&self) -> Option<f64> {
        let vals = &self.vals;
        // Modified metrics fall back to the base metric when Not Defined.
        let eff = |mi: usize, bi: usize| -> usize {
            if vals[mi] == 0 {
                usize::from(vals[bi])
            } else {
                usize::from(vals[mi]) - 1
            }
        };
        let changed = eff(MS, S) == 1;
        let miss = (1.0
            - (1.0 - W_CIA[eff(MC, C)] * W_REQ[usize::from(vals[CR])])
                * (1.0 - W_CIA[eff(MI, I)] * W_REQ[usize::from(vals[IR])])
                * (1.0 - W_CIA[eff(MA, A)] * W_REQ[usize::from(vals[AR])]))
        .min(0.915);
        let impact = if !changed {
            6.42 * miss
        } else if self.minor == 1 {
            // v3.1 spec section 7.3 changed this term (erratum of v3.0's formula).
            7.52 * (miss - 0.029) - 3.25 * (miss * 0.9731 - 0.02).powi(13)
        } else {
            7.52 * (miss - 0.029) - 3.25 * (miss - 0.02).powi(15)
        };
        if impact <= 0.0 {
            return None;
        }
        let pr = if changed {
            W_PR_CHANGED
        } else {
            W_PR_UNCHANGED
        };
        let expl =
            8.22 * W_AV[eff(MAV, AV)] * W_AC[eff(MAC, AC)] * pr[eff(MPR, PR)] * W_UI[eff(MUI, UI)];
        Some(if changed {
            (1.08 * (impact + expl)).min(10.0)
        } else {
            (impact + expl).min(10.0)
        })
    }

    /// All scores (see [`Scores`] for what each field holds).
    pub fn scores(&self) -> Scores {
        let base = self.base_tenths();
        let temporal = self.temporal_of(base);
        let env = self.environmental_tenths();
        let rate = |t: u8| {
            let score = Score::from_tenths(t);
            Rated {
                score,
                severity: Severity::v3_v4(score),
            }
        };
        let has_temporal = self.vals[E..=RC].iter().any(|&x| x != 0);
        let has_env = self.vals[CR..=MA].iter().any(|&x| x != 0);
        let overall = if has_env {
            env
        } else if has_temporal {
            temporal
        } else {
            base
        };
        Scores {
            version: self.version(),
            base: rate(base),
            temporal: Some(rate(temporal)),
            environmental: Some(rate(env)),
            overall: rate(overall),
            nomenclature: None::<Nomenclature>,
        }
    }
}

/// v3.1 Appendix A "Roundup", on a floating-point input: round to 5 decimals first, so
/// that binary floating-point noise cannot push a value over a tenth.
pub fn roundup_v31(x: f64) -> u8 {
    let int_input = (x * 100_000.0).round();
    if int_input <= 0.0 {
        return 0;
    }
    // x ≤ 10 here, so int_input ≤ 1_000_000 and fits u64.
    let i = int_input as u64;
    if i.is_multiple_of(10_000) {
        (i / 10_000) as u8
    } else {
        (i / 10_000 + 1) as u8
    }
}

/// v3.1 Appendix A on an exact value given scaled by 10^7 (temporal products).
fn roundup_v31_scaled(p: u64) -> u8 {
    // round_to_nearest_integer(input × 100000), half up: p / 100 rounded.
    let i = (p + 50) / 100;
    if i.is_multiple_of(10_000) {
        (i / 10_000) as u8
    } else {
        (i / 10_000 + 1) as u8
    }
}

/// v3.0 "Round up" (spec section 8.4): the smallest one-decimal number ≥ x. Values within
/// 1e-9 of a tenth are taken as on it: that much is floating-point noise, and an
/// exhaustive enumeration of every reachable base and environmental input with exact
/// rational arithmetic found none closer than 2.5e-5 above a tenth (see tests/exhaustive.rs).
pub fn roundup_v30(x: f64) -> u8 {
    if x <= 0.0 {
        return 0;
    }
    let t = x * 10.0;
    let r = t.round();
    if (t - r).abs() < 1e-8 {
        r as u8
    } else {
        t.ceil() as u8
    }
}

impl fmt::Display for V3Vector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(96);
        s.push_str(if self.minor == 1 {
            "CVSS:3.1/"
        } else {
            "CVSS:3.0/"
        });
        metric::write_body(&METRICS, &self.vals, &mut s);
        f.write_str(&s)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// Every reachable pre-Roundup value, base (2,592 per version) and modified (every
    /// modified metric and requirement set: 69,984 per version), in binary64.
    fn all_raw_values(minor: u8) -> Vec<f64> {
        let mut out = Vec::new();
        let sizes = [4usize, 2, 3, 2, 2, 3, 3, 3];
        let mut idx = [0usize; 8];
        loop {
            let mut vals = [0u8; N_METRICS];
            for (k, &i) in idx.iter().enumerate() {
                vals[k] = i as u8;
            }
            let base = V3Vector { minor, vals };
            out.extend(base.base_raw());
            for req in 0..27usize {
                let mut env = base;
                // Modified metrics set explicitly (index + 1), requirements H/M/L.
                for (k, mi) in [MAV, MAC, MPR, MUI, MS, MC, MI, MA].into_iter().enumerate() {
                    env.vals[mi] = idx[k] as u8 + 1;
                }
                env.vals[CR] = (req % 3) as u8 + 1;
                env.vals[IR] = (req / 3 % 3) as u8 + 1;
                env.vals[AR] = (req / 9) as u8 + 1;
                out.extend(env.modified_raw());
            }
            let mut k = 0;
            while k < 8 {
                idx[k] += 1;
                if idx[k] < sizes[k] {
                    break;
                }
                idx[k] = 0;
                k += 1;
            }
            if k == 8 {
                break;
            }
        }
        out
    }

    /// Why `roundup_v30`'s tolerance and Appendix A are safe: no reachable value lies in
    /// the band where binary64 noise or the 5-decimal pre-rounding could change the result.
    /// (An exact rational enumeration of the same inputs, done when this was written,
    /// found the closest value 2.57e-5 above a tenth and 4.03e-6 below one.)
    #[test]
    fn no_reachable_value_near_a_tenth() {
        for minor in [0u8, 1] {
            let values = all_raw_values(minor);
            assert!(values.len() > 60_000, "{}", values.len());
            for x in values {
                let t = x * 10.0;
                let above = t - t.floor();
                assert!(
                    !(1e-9..=2e-4).contains(&above),
                    "3.{minor}: {x} is {above} tenths above a tenth"
                );
                assert_eq!(roundup_v30(x), roundup_v31(x), "3.{minor}: {x}");
            }
        }
    }

    #[test]
    fn appendix_a_examples() {
        // v3.1 spec Appendix A's motivating case: 4.000000000000001 rounds to 4.0.
        assert_eq!(roundup_v31(4.000_000_000_000_001), 40);
        assert_eq!(roundup_v31(4.02), 41);
        assert_eq!(roundup_v31(4.0), 40);
        assert_eq!(roundup_v30(4.02), 41);
        assert_eq!(roundup_v30(4.0), 40);
    }
}
