//! CVSS v4.0.
//!
//! Sources: FIRST, "CVSS v4.0 Specification Document" (2023, rev. 1.2): section 7 (vector
//! string: "A vector string must contain metrics in the order shown in Table 23, every
//! other ordering is invalid"), section 8 (MacroVectors, EQ1-EQ6 in Tables 24-29, and
//! the interpolation), section 6 (ratings). The spec names FIRST's calculator
//! (FIRSTdotorg/cvss-v4-calculator, `cvss_score.js`) the reference for the scoring
//! algorithm; the floating-point steps below follow it operation by operation, so that
//! the final half-up rounding sees the same value.

use crate::metric::{self, Group, MetricDef, Syntax, v};
use crate::v4_data::MACROVECTOR_SCORES;
use crate::{CvssError, MetricExplanation, Nomenclature, Rated, Score, Scores, Severity, Version};
use std::fmt;

const X: crate::ValueDef = v("X", "Not Defined", "not assessed; the default applies");

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

macro_rules! imp {
    ($sys:literal, $what:literal) => {
        &[
            v(
                "H",
                "High",
                concat!("total loss of ", $what, " of the ", $sys, " system"),
            ),
            v(
                "L",
                "Low",
                concat!("some loss of ", $what, " of the ", $sys, " system"),
            ),
            v(
                "N",
                "None",
                concat!("no loss of ", $what, " of the ", $sys, " system"),
            ),
        ]
    };
}
macro_rules! mimp {
    ($sys:literal, $what:literal) => {
        &[
            X,
            v(
                "H",
                "High",
                concat!("total loss of ", $what, " of the ", $sys, " system here"),
            ),
            v(
                "L",
                "Low",
                concat!("some loss of ", $what, " of the ", $sys, " system here"),
            ),
            v(
                "N",
                "None",
                concat!("no loss of ", $what, " of the ", $sys, " system here"),
            ),
        ]
    };
}
macro_rules! msafety {
    ($what:literal) => {
        &[
            X,
            v(
                "S",
                "Safety",
                concat!(
                    "loss of ",
                    $what,
                    " of a subsequent system can hurt people (IEC 61508)"
                ),
            ),
            v(
                "H",
                "High",
                concat!("total loss of ", $what, " of the subsequent system here"),
            ),
            v(
                "L",
                "Low",
                concat!("some loss of ", $what, " of the subsequent system here"),
            ),
            v(
                "N",
                "None",
                concat!("no loss of ", $what, " of the subsequent system here"),
            ),
        ]
    };
}
macro_rules! req {
    ($what:literal) => {
        &[
            X,
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

const AV: usize = 0;
const AC: usize = 1;
const AT: usize = 2;
const PR: usize = 3;
const UI: usize = 4;
const VC: usize = 5;
const VI: usize = 6;
const VA: usize = 7;
const SC: usize = 8;
const SI: usize = 9;
const SA: usize = 10;
const E: usize = 11;
const CR: usize = 12;
const IR: usize = 13;
const AR: usize = 14;
const MAV: usize = 15;
const MAC: usize = 16;
const MAT: usize = 17;
const MPR: usize = 18;
const MUI: usize = 19;
const MVC: usize = 20;
const MVI: usize = 21;
const MVA: usize = 22;
const MSC: usize = 23;
const MSI: usize = 24;
const MSA: usize = 25;
const N_METRICS: usize = 32;

/// The v4.0 metrics in the order of Table 23 of the spec (the order vectors must use).
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
                "attacker must share a local network, link or radio range",
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
            v("L", "Low", "no security measure has to be evaded"),
            v(
                "H",
                "High",
                "attacker must evade or defeat a security measure",
            ),
        ],
    ),
    m(
        "AT",
        "Attack Requirements",
        Group::Base,
        true,
        &[
            v("N", "None", "works regardless of deployment conditions"),
            v(
                "P",
                "Present",
                "depends on deployment or execution conditions",
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
            v(
                "P",
                "Passive",
                "a user must do something ordinary, unknowingly",
            ),
            v("A", "Active", "a user must knowingly take specific actions"),
        ],
    ),
    m(
        "VC",
        "Vulnerable System Confidentiality",
        Group::Base,
        true,
        imp!("vulnerable", "confidentiality"),
    ),
    m(
        "VI",
        "Vulnerable System Integrity",
        Group::Base,
        true,
        imp!("vulnerable", "integrity"),
    ),
    m(
        "VA",
        "Vulnerable System Availability",
        Group::Base,
        true,
        imp!("vulnerable", "availability"),
    ),
    m(
        "SC",
        "Subsequent System Confidentiality",
        Group::Base,
        true,
        imp!("subsequent", "confidentiality"),
    ),
    m(
        "SI",
        "Subsequent System Integrity",
        Group::Base,
        true,
        imp!("subsequent", "integrity"),
    ),
    m(
        "SA",
        "Subsequent System Availability",
        Group::Base,
        true,
        imp!("subsequent", "availability"),
    ),
    m(
        "E",
        "Exploit Maturity",
        Group::Threat,
        false,
        &[
            X,
            v(
                "A",
                "Attacked",
                "attacks or easy exploit tools are reported",
            ),
            v(
                "P",
                "POC",
                "proof-of-concept exploit public, no attacks reported",
            ),
            v("U", "Unreported", "no exploit or attack known"),
        ],
    ),
    m(
        "CR",
        "Confidentiality Requirements",
        Group::Environmental,
        false,
        req!("confidentiality"),
    ),
    m(
        "IR",
        "Integrity Requirements",
        Group::Environmental,
        false,
        req!("integrity"),
    ),
    m(
        "AR",
        "Availability Requirements",
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
            X,
            v("N", "Network", "reachable across routed networks here"),
            v(
                "A",
                "Adjacent",
                "reachable only from the local network here",
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
            X,
            v("L", "Low", "no security measure to evade here"),
            v("H", "High", "a security measure must be defeated here"),
        ],
    ),
    m(
        "MAT",
        "Modified Attack Requirements",
        Group::Environmental,
        false,
        &[
            X,
            v("N", "None", "no deployment conditions needed here"),
            v("P", "Present", "deployment conditions needed here"),
        ],
    ),
    m(
        "MPR",
        "Modified Privileges Required",
        Group::Environmental,
        false,
        &[
            X,
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
            X,
            v("N", "None", "no user action needed here"),
            v("P", "Passive", "an ordinary user action is needed here"),
            v("A", "Active", "a deliberate user action is needed here"),
        ],
    ),
    m(
        "MVC",
        "Modified Vulnerable System Confidentiality",
        Group::Environmental,
        false,
        mimp!("vulnerable", "confidentiality"),
    ),
    m(
        "MVI",
        "Modified Vulnerable System Integrity",
        Group::Environmental,
        false,
        mimp!("vulnerable", "integrity"),
    ),
    m(
        "MVA",
        "Modified Vulnerable System Availability",
        Group::Environmental,
        false,
        mimp!("vulnerable", "availability"),
    ),
    m(
        "MSC",
        "Modified Subsequent System Confidentiality",
        Group::Environmental,
        false,
        mimp!("subsequent", "confidentiality"),
    ),
    m(
        "MSI",
        "Modified Subsequent System Integrity",
        Group::Environmental,
        false,
        msafety!("integrity"),
    ),
    m(
        "MSA",
        "Modified Subsequent System Availability",
        Group::Environmental,
        false,
        msafety!("availability"),
    ),
    m(
        "S",
        "Safety",
        Group::Supplemental,
        false,
        &[
            X,
            v("N", "Negligible", "consequences to people are negligible"),
            v(
                "P",
                "Present",
                "consequences to people could be more than negligible",
            ),
        ],
    ),
    m(
        "AU",
        "Automatable",
        Group::Supplemental,
        false,
        &[
            X,
            v("N", "No", "attack steps cannot all be automated"),
            v("Y", "Yes", "attack can be automated across many targets"),
        ],
    ),
    m(
        "R",
        "Recovery",
        Group::Supplemental,
        false,
        &[
            X,
            v("A", "Automatic", "the system recovers by itself"),
            v("U", "User", "a person must act to recover"),
            v("I", "Irrecoverable", "the system cannot be recovered"),
        ],
    ),
    m(
        "V",
        "Value Density",
        Group::Supplemental,
        false,
        &[
            X,
            v("D", "Diffuse", "each target holds few resources"),
            v("C", "Concentrated", "each target holds many resources"),
        ],
    ),
    m(
        "RE",
        "Vulnerability Response Effort",
        Group::Supplemental,
        false,
        &[
            X,
            v("L", "Low", "little effort to respond"),
            v("M", "Moderate", "some effort to respond"),
            v("H", "High", "significant effort to respond"),
        ],
    ),
    m(
        "U",
        "Provider Urgency",
        Group::Supplemental,
        false,
        &[
            X,
            v("Clear", "Clear", "provider rates it informational"),
            v("Green", "Green", "provider rates urgency reduced"),
            v("Amber", "Amber", "provider rates urgency moderate"),
            v("Red", "Red", "provider rates urgency highest"),
        ],
    ),
];

fn index_of(key: &[u8]) -> Option<usize> {
    Some(match key {
        b"AV" => AV,
        b"AC" => AC,
        b"AT" => AT,
        b"PR" => PR,
        b"UI" => UI,
        b"VC" => VC,
        b"VI" => VI,
        b"VA" => VA,
        b"SC" => SC,
        b"SI" => SI,
        b"SA" => SA,
        b"E" => E,
        b"CR" => CR,
        b"IR" => IR,
        b"AR" => AR,
        b"MAV" => MAV,
        b"MAC" => MAC,
        b"MAT" => MAT,
        b"MPR" => MPR,
        b"MUI" => MUI,
        b"MVC" => MVC,
        b"MVI" => MVI,
        b"MVA" => MVA,
        b"MSC" => MSC,
        b"MSI" => MSI,
        b"MSA" => MSA,
        b"S" => 26,
        b"AU" => 27,
        b"R" => 28,
        b"V" => 29,
        b"RE" => 30,
        b"U" => 31,
        _ => return None,
    })
}

pub(crate) static SYNTAX: Syntax<N_METRICS> = Syntax {
    version: Version::V4_0,
    defs: &METRICS,
    ordered: true,
    index_of,
    packed: metric::Packed::new(&DEFS),
};

/// A v4.0 vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct V4Vector {
    vals: [u8; N_METRICS],
}

/// The values that enter the score after the environmental overrides and the defaults
/// (E:X → A, CR/IR/AR:X → H; reference calculator, function `m`). Indices: AV N,A,L,P;
/// AC L,H; AT N,P; PR N,L,H; UI N,P,A; VC/VI/VA H,L,N; SC H,L,N; SI/SA S,H,L,N;
/// E A,P,U; CR/IR/AR H,M,L.
#[derive(Debug, Clone, Copy)]
struct Eff {
    av: usize,
    ac: usize,
    at: usize,
    pr: usize,
    ui: usize,
    vc: usize,
    vi: usize,
    va: usize,
    sc: usize,
    si: usize,
    sa: usize,
    e: usize,
    cr: usize,
    ir: usize,
    ar: usize,
}

// Severity levels of each value, as in the reference calculator's cvss_score.js
// (`AV_levels` etc.); kept as the same binary64 constants so that sums round alike.
const L_AV: [f64; 4] = [0.0, 0.1, 0.2, 0.3];
const L_PR: [f64; 3] = [0.0, 0.1, 0.2];
const L_UI: [f64; 3] = [0.0, 0.1, 0.2];
const L_AC: [f64; 2] = [0.0, 0.1];
const L_AT: [f64; 2] = [0.0, 0.1];
const L_VCIA: [f64; 3] = [0.0, 0.1, 0.2];
const L_SC: [f64; 3] = [0.1, 0.2, 0.3];
const L_SIA: [f64; 4] = [0.0, 0.1, 0.2, 0.3];
const L_REQ: [f64; 3] = [0.0, 0.1, 0.2];

// Highest-severity vectors of each EQ level (reference calculator, max_composed.js), as
// effective-value indices. EQ1: (AV, PR, UI).
const EQ1_MAX: [&[[usize; 3]]; 3] = [
    &[[0, 0, 0]],
    &[[1, 0, 0], [0, 1, 0], [0, 0, 1]],
    &[[3, 0, 0], [1, 1, 1]],
];
// EQ2: (AC, AT).
const EQ2_MAX: [&[[usize; 2]]; 2] = [&[[0, 0]], &[[1, 0], [0, 1]]];
// EQ3+EQ6 joint: [eq3][eq6] → (VC, VI, VA, CR, IR, AR); EQ3=2 with EQ6=0 cannot occur.
const EQ3EQ6_MAX: [[&[[usize; 6]]; 2]; 3] = [
    [
        &[[0, 0, 0, 0, 0, 0]],
        &[[0, 0, 1, 1, 1, 0], [0, 0, 0, 1, 1, 1]],
    ],
    [
        &[[1, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0]],
        &[
            [1, 0, 1, 0, 1, 0],
            [1, 0, 0, 0, 1, 1],
            [0, 1, 0, 1, 0, 1],
            [0, 1, 1, 1, 0, 0],
            [1, 1, 0, 0, 0, 1],
        ],
    ],
    [&[], &[[1, 1, 1, 0, 0, 0]]],
];
// EQ4: (SC, SI, SA).
const EQ4_MAX: [[usize; 3]; 3] = [[0, 0, 0], [0, 1, 1], [1, 2, 2]];

// Depth of each EQ level in steps of 0.1 (reference calculator, max_severity.js).
const MAX_SEV_EQ1: [f64; 3] = [1.0, 4.0, 5.0];
const MAX_SEV_EQ2: [f64; 2] = [1.0, 2.0];
const MAX_SEV_EQ3EQ6: [[f64; 2]; 3] = [[7.0, 6.0], [8.0, 8.0], [f64::NAN, 10.0]];
const MAX_SEV_EQ4: [f64; 3] = [6.0, 5.0, 4.0];

/// Dense MacroVector table: index eq1*108 + eq2*54 + eq3*18 + eq4*6 + eq5*2 + eq6; NaN
/// where no MacroVector exists (as the reference treats a missing lower MacroVector).
static LOOKUP: [f64; 324] = build_lookup();

const fn build_lookup() -> [f64; 324] {
    let mut t = [f64::NAN; 324];
    let mut i = 0;
    while i < MACROVECTOR_SCORES.len() {
        let (k, score) = MACROVECTOR_SCORES[i];
        let b = k.as_bytes();
        let idx = (b[0] - b'0') as usize * 108
            + (b[1] - b'0') as usize * 54
            + (b[2] - b'0') as usize * 18
            + (b[3] - b'0') as usize * 6
            + (b[4] - b'0') as usize * 2
            + (b[5] - b'0') as usize;
        t[idx] = score;
        i += 1;
    }
    t
}

fn lookup(eq: [usize; 6]) -> f64 {
    if eq[0] > 2 || eq[1] > 1 || eq[2] > 2 || eq[3] > 2 || eq[4] > 2 || eq[5] > 1 {
        return f64::NAN;
    }
    LOOKUP[eq[0] * 108 + eq[1] * 54 + eq[2] * 18 + eq[3] * 6 + eq[4] * 2 + eq[5]]
}

impl Eff {
    /// EQ1..EQ6 levels (spec Tables 24-29).
    fn macrovector(&self) -> [usize; 6] {
        let eq1 = if self.av == 0 && self.pr == 0 && self.ui == 0 {
            0
        } else if (self.av == 0 || self.pr == 0 || self.ui == 0) && self.av != 3 {
            1
        } else {
            2
        };
        let eq2 = if self.ac == 0 && self.at == 0 { 0 } else { 1 };
        let eq3 = if self.vc == 0 && self.vi == 0 {
            0
        } else if self.vc == 0 || self.vi == 0 || self.va == 0 {
            1
        } else {
            2
        };
        // SI/SA index 0 is Safety, only reachable through MSI/MSA:S.
        let eq4 = if self.si == 0 || self.sa == 0 {
            0
        } else if self.sc == 0 || self.si == 1 || self.sa == 1 {
            1
        } else {
            2
        };
        let eq5 = self.e;
        let eq6 = if (self.cr == 0 && self.vc == 0)
            || (self.ir == 0 && self.vi == 0)
            || (self.ar == 0 && self.va == 0)
        {
            0
        } else {
            1
        };
        [eq1, eq2, eq3, eq4, eq5, eq6]
    }

    /// Score in tenths (reference calculator `cvss_score`).
    fn score(&self) -> u8 {
        // No impact at all scores 0 (spec section 8).
        if self.vc == 2
            && self.vi == 2
            && self.va == 2
            && self.sc == 2
            && self.si == 3
            && self.sa == 3
        {
            return 0;
        }
        let mv = self.macrovector();
        let value = lookup(mv);
        let [eq1, eq2, eq3, eq4, eq5, eq6] = mv;

        let lower_eq1 = lookup([eq1 + 1, eq2, eq3, eq4, eq5, eq6]);
        let lower_eq2 = lookup([eq1, eq2 + 1, eq3, eq4, eq5, eq6]);
        let lower_eq3eq6 = match (eq3, eq6) {
            (1, 1) | (0, 1) => lookup([eq1, eq2, eq3 + 1, eq4, eq5, eq6]),
            (1, 0) => lookup([eq1, eq2, eq3, eq4, eq5, eq6 + 1]),
            (0, 0) => {
                // Two lower neighbours; the higher-scoring one counts.
                let left = lookup([eq1, eq2, eq3, eq4, eq5, eq6 + 1]);
                let right = lookup([eq1, eq2, eq3 + 1, eq4, eq5, eq6]);
                if left > right { left } else { right }
            }
            _ => lookup([eq1, eq2, eq3 + 1, eq4, eq5, eq6 + 1]),
        };
        let lower_eq4 = lookup([eq1, eq2, eq3, eq4 + 1, eq5, eq6]);
        let lower_eq5 = lookup([eq1, eq2, eq3, eq4, eq5 + 1, eq6]);

        // Severity distances from a highest-severity vector of the MacroVector. The
        // reference tries the combinations of the per-EQ maxima in order and keeps the
        // first with no negative distance; since each distance belongs to one EQ, that is
        // the first fitting maximum of each EQ, or, if some EQ has none, the last of each.
        let d1 = |mx: &[usize; 3]| {
            [
                L_AV[self.av] - L_AV[mx[0]],
                L_PR[self.pr] - L_PR[mx[1]],
                L_UI[self.ui] - L_UI[mx[2]],
            ]
        };
        let d2 = |mx: &[usize; 2]| [L_AC[self.ac] - L_AC[mx[0]], L_AT[self.at] - L_AT[mx[1]]];
        let d36 = |mx: &[usize; 6]| {
            [
                L_VCIA[self.vc] - L_VCIA[mx[0]],
                L_VCIA[self.vi] - L_VCIA[mx[1]],
                L_VCIA[self.va] - L_VCIA[mx[2]],
                L_REQ[self.cr] - L_REQ[mx[3]],
                L_REQ[self.ir] - L_REQ[mx[4]],
                L_REQ[self.ar] - L_REQ[mx[5]],
            ]
        };
        let mx4 = EQ4_MAX[eq4];
        let dist4 = [
            L_SC[self.sc] - L_SC[mx4[0]],
            L_SIA[self.si] - L_SIA[mx4[1]],
            L_SIA[self.sa] - L_SIA[mx4[2]],
        ];
        let fits = |d: &[f64]| d.iter().all(|&x| x >= 0.0);
        let c1 = EQ1_MAX[eq1];
        let c2 = EQ2_MAX[eq2];
        let c36 = EQ3EQ6_MAX[eq3][eq6];
        let f1 = c1.iter().map(d1).find(|d| fits(d));
        let f2 = c2.iter().map(d2).find(|d| fits(d));
        let f36 = c36.iter().map(d36).find(|d| fits(d));
        let (dist1, dist2, dist36) = match (f1, f2, f36, fits(&dist4)) {
            (Some(a), Some(b), Some(c), true) => (a, b, c),
            _ => (
                c1.last().map(d1).unwrap_or([0.0; 3]),
                c2.last().map(d2).unwrap_or([0.0; 2]),
                c36.last().map(d36).unwrap_or([0.0; 6]),
            ),
        };
        // Sums in the reference's order.
        let cur1 = dist1[0] + dist1[1] + dist1[2];
        let cur2 = dist2[0] + dist2[1];
        let cur36 = dist36[0] + dist36[1] + dist36[2] + dist36[3] + dist36[4] + dist36[5];
        let cur4 = dist4[0] + dist4[1] + dist4[2];

        let step = 0.1;
        let mut n = 0u32;
        let mut norm = [0.0f64; 5];
        let parts = [
            (value - lower_eq1, cur1, MAX_SEV_EQ1[eq1] * step),
            (value - lower_eq2, cur2, MAX_SEV_EQ2[eq2] * step),
            (value - lower_eq3eq6, cur36, MAX_SEV_EQ3EQ6[eq3][eq6] * step),
            (value - lower_eq4, cur4, MAX_SEV_EQ4[eq4] * step),
        ];
        for (slot, (available, current, max_sev)) in norm.iter_mut().zip(parts) {
            if !available.is_nan() {
                n += 1;
                *slot = available * (current / max_sev);
            }
        }
        // EQ5 counts towards the mean but its proportion is always 0.
        if !(value - lower_eq5).is_nan() {
            n += 1;
            norm[4] = (value - lower_eq5) * 0.0;
        }
        let mean = if n == 0 {
            0.0
        } else {
            (norm[0] + norm[1] + norm[2] + norm[3] + norm[4]) / f64::from(n)
        };
        let v = (value - mean).clamp(0.0, 10.0);
        // Half-up rounding after lifting by 1e-6, as the reference does, so that values one
        // ULP below an x.x5 tie round up.
        ((v + 1e-6) * 10.0).round() as u8
    }
}

impl V4Vector {
    /// Parses a vector with the `CVSS:4.0/` prefix, metrics in Table 23's order.
    pub fn parse(s: &str) -> Result<V4Vector, CvssError> {
        let Some(body) = s.strip_prefix("CVSS:4.0/") else {
            if s.is_empty() {
                return Err(CvssError::Empty);
            }
            return Err(CvssError::WrongPrefix {
                found: s.split('/').next().unwrap_or(s).to_string(),
                offset: 0,
                hint: "a CVSS v4.0 vector starts with \"CVSS:4.0/\"",
            });
        };
        if body.is_empty() {
            return Err(CvssError::Malformed {
                component: String::new(),
                offset: 9,
            });
        }
        let vals = metric::parse_body(&SYNTAX, s, body, 9)?;
        Ok(V4Vector { vals })
    }

    pub fn get(&self, abbr: &str) -> Option<&'static str> {
        let i = index_of(abbr.as_bytes())?;
        Some(METRICS[i].values[usize::from(self.vals[i])].abbr)
    }

    pub fn explain(&self) -> Vec<MetricExplanation> {
        metric::explain(&METRICS, &self.vals)
    }

    fn eff(&self, with_threat_env: bool) -> Eff {
        let val = |i: usize| usize::from(self.vals[i]);
        let pick = |mi: usize, bi: usize| {
            if with_threat_env && val(mi) != 0 {
                val(mi) - 1
            } else {
                val(bi)
            }
        };
        // SI/SA live on the scale S,H,L,N, where the base value H,L,N is one up.
        let pick_s = |mi: usize, bi: usize| {
            if with_threat_env && val(mi) != 0 {
                val(mi) - 1
            } else {
                val(bi) + 1
            }
        };
        let dflt = |i: usize| {
            if with_threat_env && val(i) != 0 {
                val(i) - 1
            } else {
                0
            }
        };
        Eff {
            av: pick(MAV, AV),
            ac: pick(MAC, AC),
            at: pick(MAT, AT),
            pr: pick(MPR, PR),
            ui: pick(MUI, UI),
            vc: pick(MVC, VC),
            vi: pick(MVI, VI),
            va: pick(MVA, VA),
            sc: pick(MSC, SC),
            si: pick_s(MSI, SI),
            sa: pick_s(MSA, SA),
            e: dflt(E),
            cr: dflt(CR),
            ir: dflt(IR),
            ar: dflt(AR),
        }
    }

    fn nomenclature(&self) -> Nomenclature {
        let t = self.vals[E] != 0;
        let e = self.vals[CR..=MSA].iter().any(|&x| x != 0);
        match (t, e) {
            (false, false) => Nomenclature::B,
            (true, false) => Nomenclature::Bt,
            (false, true) => Nomenclature::Be,
            (true, true) => Nomenclature::Bte,
        }
    }

    /// The vector's score (tenths), all groups applied.
    pub fn score_tenths(&self) -> u8 {
        self.eff(true).score()
    }

    pub fn scores(&self) -> Scores {
        let nomenclature = self.nomenclature();
        let overall = self.eff(true).score();
        let base = if nomenclature == Nomenclature::B {
            overall
        } else {
            self.eff(false).score()
        };
        let rate = |t: u8| {
            let score = Score::from_tenths(t);
            Rated {
                score,
                severity: Severity::v3_v4(score),
            }
        };
        Scores {
            version: Version::V4_0,
            base: rate(base),
            temporal: None,
            environmental: None,
            overall: rate(overall),
            nomenclature: Some(nomenclature),
        }
    }
}

impl fmt::Display for V4Vector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(128);
        s.push_str("CVSS:4.0/");
        metric::write_body(&METRICS, &self.vals, &mut s);
        f.write_str(&s)
    }
}
