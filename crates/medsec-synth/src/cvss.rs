//! CVSS vectors drawn from realistic marginal distributions, scored with `medsec-score`,
//! and written in NVD's metric shapes (`cvssMetricV2`, `V30`, `V31`, `V40`).
//!
//! Marginals (our assumption, close to the shares seen in NVD v3.1 data: network attack
//! vector ~70 %, low complexity ~85–90 %, no privileges ~50 %, high confidentiality
//! impact ~55 %); each metric is drawn independently and a vector with no impact at all
//! is drawn again.

use std::collections::HashMap;
use std::rc::Rc;

use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde_json::json;
use serde_json::value::RawValue;

use crate::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CvssVersion {
    V2,
    V30,
    V31,
    V40,
}

/// A scored vector with its pre-serialised `cvssData` (the same vector always gives the
/// same bytes, so each distinct vector is scored and serialised once).
#[derive(Debug)]
pub struct Scored {
    pub version: CvssVersion,
    pub vector: String,
    pub base_score: f64,
    pub severity: &'static str,
    pub exploitability: Option<f64>,
    pub impact: Option<f64>,
    pub data: Box<RawValue>,
}

/// One entry of a `cvssMetricV*` list.
#[derive(Debug, Clone)]
pub struct Metric {
    pub source: String,
    pub primary: bool,
    pub scored: Rc<Scored>,
}

impl Serialize for Metric {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let sc = &self.scored;
        let v2 = sc.version == CvssVersion::V2;
        let mut n = 3;
        if sc.exploitability.is_some() {
            n += 2;
        }
        if v2 {
            n += 6;
        }
        let mut st = s.serialize_struct("Metric", n)?;
        st.serialize_field("source", &self.source)?;
        st.serialize_field("type", if self.primary { "Primary" } else { "Secondary" })?;
        st.serialize_field("cvssData", &sc.data)?;
        if v2 {
            st.serialize_field("baseSeverity", sc.severity)?;
        }
        if let (Some(e), Some(i)) = (sc.exploitability, sc.impact) {
            st.serialize_field("exploitabilityScore", &e)?;
            st.serialize_field("impactScore", &i)?;
        }
        if v2 {
            st.serialize_field("acInsufInfo", &false)?;
            st.serialize_field("obtainAllPrivilege", &false)?;
            st.serialize_field("obtainUserPrivilege", &false)?;
            st.serialize_field("obtainOtherPrivilege", &false)?;
            st.serialize_field("userInteractionRequired", &sc.vector.contains("AC:M"))?;
        }
        st.end()
    }
}

/// Scores vectors once each.
#[derive(Default)]
pub struct Scorer {
    cache: HashMap<String, Rc<Scored>>,
}

fn round1(x: f64) -> f64 {
    (x * 10.0 + 1e-9).round() / 10.0
}

fn upper_severity(s: medsec_score::Severity) -> &'static str {
    use medsec_score::Severity::*;
    match s {
        None => "NONE",
        Low => "LOW",
        Medium => "MEDIUM",
        High => "HIGH",
        Critical => "CRITICAL",
    }
}

/// The value of metric `key` in a vector (`AV` of `…/AV:N/…` is `N`).
fn get<'a>(vector: &'a str, key: &str) -> &'a str {
    vector
        .split('/')
        .find_map(|part| {
            let (k, v) = part.split_once(':')?;
            (k == key).then_some(v)
        })
        .unwrap_or("X")
}

impl Scorer {
    pub fn new() -> Scorer {
        Scorer::default()
    }

    pub fn distinct(&self) -> usize {
        self.cache.len()
    }

    /// Scores a vector this module generated (so it is valid; an invalid one is an
    /// internal error reported as `None`).
    pub fn score(&mut self, vector: &str) -> Option<Rc<Scored>> {
        if let Some(s) = self.cache.get(vector) {
            return Some(Rc::clone(s));
        }
        let parsed = medsec_score::parse(vector).ok()?;
        let base = parsed.score().base;
        let version = match parsed.version() {
            medsec_score::Version::V2_0 => CvssVersion::V2,
            medsec_score::Version::V3_0 => CvssVersion::V30,
            medsec_score::Version::V3_1 => CvssVersion::V31,
            medsec_score::Version::V4_0 => CvssVersion::V40,
        };
        let score = base.score.value();
        let severity = upper_severity(base.severity);
        let (data, exploitability, impact) = match version {
            CvssVersion::V2 => v2_data(vector, score),
            CvssVersion::V30 | CvssVersion::V31 => v3_data(vector, version, score, severity),
            CvssVersion::V40 => (v4_data(vector, score, severity), None, None),
        };
        let raw = RawValue::from_string(data).ok()?;
        let s = Rc::new(Scored {
            version,
            vector: vector.to_owned(),
            base_score: score,
            severity,
            exploitability,
            impact,
            data: raw,
        });
        self.cache.insert(vector.to_owned(), Rc::clone(&s));
        Some(s)
    }
}

fn v3_data(
    vector: &str,
    version: CvssVersion,
    score: f64,
    severity: &str,
) -> (String, Option<f64>, Option<f64>) {
    let av = get(vector, "AV");
    let ac = get(vector, "AC");
    let pr = get(vector, "PR");
    let ui = get(vector, "UI");
    let s = get(vector, "S");
    let cia = |k| match get(vector, k) {
        "H" => ("HIGH", 0.56),
        "L" => ("LOW", 0.22),
        _ => ("NONE", 0.0),
    };
    let (c, cw) = cia("C");
    let (i, iw) = cia("I");
    let (a, aw) = cia("A");
    let changed = s == "C";
    let (av_n, av_w) = match av {
        "N" => ("NETWORK", 0.85),
        "A" => ("ADJACENT_NETWORK", 0.62),
        "L" => ("LOCAL", 0.55),
        _ => ("PHYSICAL", 0.2),
    };
    let (ac_n, ac_w) = if ac == "L" {
        ("LOW", 0.77)
    } else {
        ("HIGH", 0.44)
    };
    let (pr_n, pr_w) = match (pr, changed) {
        ("N", _) => ("NONE", 0.85),
        ("L", false) => ("LOW", 0.62),
        ("L", true) => ("LOW", 0.68),
        (_, false) => ("HIGH", 0.27),
        (_, true) => ("HIGH", 0.5),
    };
    let (ui_n, ui_w) = if ui == "N" {
        ("NONE", 0.85)
    } else {
        ("REQUIRED", 0.62)
    };
    let iss = 1.0 - (1.0 - cw) * (1.0 - iw) * (1.0 - aw);
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02f64).powi(15)
    } else {
        6.42 * iss
    };
    let expl = 8.22 * av_w * ac_w * pr_w * ui_w;
    let data = object(&[
        (
            "version",
            json!(if version == CvssVersion::V30 {
                "3.0"
            } else {
                "3.1"
            }),
        ),
        ("vectorString", json!(vector)),
        ("baseScore", json!(score)),
        ("baseSeverity", json!(severity)),
        ("attackVector", json!(av_n)),
        ("attackComplexity", json!(ac_n)),
        ("privilegesRequired", json!(pr_n)),
        ("userInteraction", json!(ui_n)),
        (
            "scope",
            json!(if changed { "CHANGED" } else { "UNCHANGED" }),
        ),
        ("confidentialityImpact", json!(c)),
        ("integrityImpact", json!(i)),
        ("availabilityImpact", json!(a)),
    ]);
    (data, Some(round1(expl)), Some(round1(impact.max(0.0))))
}

fn v2_data(vector: &str, score: f64) -> (String, Option<f64>, Option<f64>) {
    let cia = |k| match get(vector, k) {
        "C" => ("COMPLETE", 0.660),
        "P" => ("PARTIAL", 0.275),
        _ => ("NONE", 0.0),
    };
    let (c, cw) = cia("C");
    let (i, iw) = cia("I");
    let (a, aw) = cia("A");
    let (av, av_w) = match get(vector, "AV") {
        "N" => ("NETWORK", 1.0),
        "A" => ("ADJACENT_NETWORK", 0.646),
        _ => ("LOCAL", 0.395),
    };
    let (ac, ac_w) = match get(vector, "AC") {
        "L" => ("LOW", 0.71),
        "M" => ("MEDIUM", 0.61),
        _ => ("HIGH", 0.35),
    };
    let (au, au_w) = match get(vector, "Au") {
        "N" => ("NONE", 0.704),
        "S" => ("SINGLE", 0.56),
        _ => ("MULTIPLE", 0.45),
    };
    let impact = 10.41 * (1.0 - (1.0 - cw) * (1.0 - iw) * (1.0 - aw));
    let expl = 20.0 * av_w * ac_w * au_w;
    let data = object(&[
        ("version", json!("2.0")),
        ("vectorString", json!(vector)),
        ("baseScore", json!(score)),
        ("accessVector", json!(av)),
        ("accessComplexity", json!(ac)),
        ("authentication", json!(au)),
        ("confidentialityImpact", json!(c)),
        ("integrityImpact", json!(i)),
        ("availabilityImpact", json!(a)),
    ]);
    (data, Some(round1(expl)), Some(round1(impact)))
}

fn v4_data(vector: &str, score: f64, severity: &str) -> String {
    let lvl = |k| match get(vector, k) {
        "H" => "HIGH",
        "L" => "LOW",
        _ => "NONE",
    };
    let mut f: Vec<(&str, serde_json::Value)> = vec![
        ("version", json!("4.0")),
        ("vectorString", json!(vector)),
        ("baseScore", json!(score)),
        ("baseSeverity", json!(severity)),
        (
            "attackVector",
            json!(match get(vector, "AV") {
                "N" => "NETWORK",
                "A" => "ADJACENT",
                "L" => "LOCAL",
                _ => "PHYSICAL",
            }),
        ),
        (
            "attackComplexity",
            json!(if get(vector, "AC") == "L" {
                "LOW"
            } else {
                "HIGH"
            }),
        ),
        (
            "attackRequirements",
            json!(if get(vector, "AT") == "N" {
                "NONE"
            } else {
                "PRESENT"
            }),
        ),
        (
            "privilegesRequired",
            json!(match get(vector, "PR") {
                "N" => "NONE",
                "L" => "LOW",
                _ => "HIGH",
            }),
        ),
        (
            "userInteraction",
            json!(match get(vector, "UI") {
                "N" => "NONE",
                "P" => "PASSIVE",
                _ => "ACTIVE",
            }),
        ),
        ("vulnConfidentialityImpact", json!(lvl("VC"))),
        ("vulnIntegrityImpact", json!(lvl("VI"))),
        ("vulnAvailabilityImpact", json!(lvl("VA"))),
        ("subConfidentialityImpact", json!(lvl("SC"))),
        ("subIntegrityImpact", json!(lvl("SI"))),
        ("subAvailabilityImpact", json!(lvl("SA"))),
    ];
    for k in [
        "exploitMaturity",
        "confidentialityRequirement",
        "integrityRequirement",
        "availabilityRequirement",
        "modifiedAttackVector",
        "modifiedAttackComplexity",
        "modifiedAttackRequirements",
        "modifiedPrivilegesRequired",
        "modifiedUserInteraction",
        "modifiedVulnConfidentialityImpact",
        "modifiedVulnIntegrityImpact",
        "modifiedVulnAvailabilityImpact",
        "modifiedSubConfidentialityImpact",
        "modifiedSubIntegrityImpact",
        "modifiedSubAvailabilityImpact",
        "Safety",
        "Automatable",
        "Recovery",
        "valueDensity",
        "vulnerabilityResponseEffort",
        "providerUrgency",
    ] {
        f.push((k, json!("NOT_DEFINED")));
    }
    object(&f)
}

/// A JSON object with its keys in the given order (NVD's order, which a `Value` map
/// would sort).
fn object(fields: &[(&str, serde_json::Value)]) -> String {
    let mut s = String::from("{");
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&json!(k).to_string());
        s.push(':');
        s.push_str(&v.to_string());
    }
    s.push('}');
    s
}

fn pick(rng: &mut Rng, t: &[(f64, &'static str)]) -> &'static str {
    rng.table(t).unwrap_or("N")
}

/// A v3.x vector (`severe`: network, high impact, as for known-exploited CVEs).
pub fn v3_vector(rng: &mut Rng, minor: u8, severe: bool) -> String {
    loop {
        let av = if severe {
            pick(rng, &[(0.9, "N"), (0.1, "L")])
        } else {
            pick(rng, &[(0.70, "N"), (0.05, "A"), (0.22, "L"), (0.03, "P")])
        };
        let ac = pick(rng, &[(0.88, "L"), (0.12, "H")]);
        let pr = pick(rng, &[(0.50, "N"), (0.37, "L"), (0.13, "H")]);
        let ui = pick(rng, &[(0.62, "N"), (0.38, "R")]);
        let s = pick(rng, &[(0.82, "U"), (0.18, "C")]);
        let hi = if severe { 0.9 } else { 0.52 };
        let c = pick(rng, &[(hi, "H"), (0.22, "L"), (0.26, "N")]);
        let i = pick(rng, &[(hi, "H"), (0.22, "L"), (0.28, "N")]);
        let a = pick(rng, &[(hi, "H"), (0.08, "L"), (0.40, "N")]);
        if c == "N" && i == "N" && a == "N" {
            continue;
        }
        return format!("CVSS:3.{minor}/AV:{av}/AC:{ac}/PR:{pr}/UI:{ui}/S:{s}/C:{c}/I:{i}/A:{a}");
    }
}

pub fn v2_vector(rng: &mut Rng, severe: bool) -> String {
    loop {
        let av = if severe {
            "N"
        } else {
            pick(rng, &[(0.75, "N"), (0.05, "A"), (0.20, "L")])
        };
        let ac = pick(rng, &[(0.60, "L"), (0.33, "M"), (0.07, "H")]);
        let au = pick(rng, &[(0.85, "N"), (0.14, "S"), (0.01, "M")]);
        let hi = if severe { 0.6 } else { 0.2 };
        let c = pick(rng, &[(hi, "C"), (0.55, "P"), (0.25, "N")]);
        let i = pick(rng, &[(hi, "C"), (0.55, "P"), (0.25, "N")]);
        let a = pick(rng, &[(hi, "C"), (0.50, "P"), (0.30, "N")]);
        if c == "N" && i == "N" && a == "N" {
            continue;
        }
        return format!("AV:{av}/AC:{ac}/Au:{au}/C:{c}/I:{i}/A:{a}");
    }
}

/// A v4.0 vector; `expanded` appends every other metric as `X` (as some CNAs submit).
pub fn v4_vector(rng: &mut Rng, severe: bool, expanded: bool) -> String {
    loop {
        let av = if severe {
            "N"
        } else {
            pick(rng, &[(0.70, "N"), (0.05, "A"), (0.22, "L"), (0.03, "P")])
        };
        let ac = pick(rng, &[(0.85, "L"), (0.15, "H")]);
        let at = pick(rng, &[(0.85, "N"), (0.15, "P")]);
        let pr = pick(rng, &[(0.50, "N"), (0.38, "L"), (0.12, "H")]);
        let ui = pick(rng, &[(0.60, "N"), (0.25, "P"), (0.15, "A")]);
        let hi = if severe { 0.9 } else { 0.45 };
        let vc = pick(rng, &[(hi, "H"), (0.30, "L"), (0.25, "N")]);
        let vi = pick(rng, &[(hi, "H"), (0.30, "L"), (0.25, "N")]);
        let va = pick(rng, &[(hi, "H"), (0.15, "L"), (0.40, "N")]);
        let sc = pick(rng, &[(0.05, "H"), (0.15, "L"), (0.80, "N")]);
        let si = pick(rng, &[(0.05, "H"), (0.15, "L"), (0.80, "N")]);
        let sa = pick(rng, &[(0.05, "H"), (0.10, "L"), (0.85, "N")]);
        if [vc, vi, va, sc, si, sa].iter().all(|x| *x == "N") {
            continue;
        }
        let mut v = format!(
            "CVSS:4.0/AV:{av}/AC:{ac}/AT:{at}/PR:{pr}/UI:{ui}/VC:{vc}/VI:{vi}/VA:{va}/SC:{sc}/SI:{si}/SA:{sa}"
        );
        if expanded {
            v.push_str(
                "/E:X/CR:X/IR:X/AR:X/MAV:X/MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:X/AU:X/R:X/V:X/RE:X/U:X",
            );
        }
        return v;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn known_scores() {
        let mut s = Scorer::new();
        let v = s
            .score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
            .unwrap();
        assert_eq!(v.base_score, 9.8);
        assert_eq!(v.severity, "CRITICAL");
        assert_eq!(v.exploitability, Some(3.9));
        assert_eq!(v.impact, Some(5.9));
        let v = s.score("AV:N/AC:L/Au:N/C:P/I:P/A:P").unwrap();
        assert_eq!(v.base_score, 7.5);
        assert_eq!(v.severity, "HIGH");
        assert_eq!(v.exploitability, Some(10.0));
        assert_eq!(v.impact, Some(6.4));
        let v = s
            .score("CVSS:3.1/AV:A/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:L")
            .unwrap();
        assert_eq!((v.exploitability, v.impact), (Some(2.1), Some(1.4)));
        let v = s.score("AV:A/AC:L/Au:S/C:N/I:N/A:P").unwrap();
        assert_eq!(
            (v.base_score, v.exploitability, v.impact),
            (2.7, Some(5.1), Some(2.9))
        );
    }

    #[test]
    fn generated_vectors_parse() {
        let mut s = Scorer::new();
        let mut r = Rng::new(3);
        for i in 0..2000 {
            let sev = i % 7 == 0;
            assert!(s.score(&v3_vector(&mut r, 1, sev)).is_some());
            assert!(s.score(&v3_vector(&mut r, 0, sev)).is_some());
            assert!(s.score(&v2_vector(&mut r, sev)).is_some());
            let v4 = v4_vector(&mut r, sev, i % 2 == 0);
            assert!(s.score(&v4).is_some(), "{v4}");
        }
    }
}
