//! Applicability conditions, shared by frameworks, requirements and tests, and the device
//! facts they are judged on.
//!
//! A condition is a small tree, never evaluated code: every key given must hold; a list
//! holds when the device has any of its entries; `any` holds when one of its conditions
//! does; `not` inverts one. Judging a condition also says why it held, so that
//! `medsec requirements` and `medsec testplan` can show the reason for every line.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use medsec_device::model::Device;
use serde::{Deserialize, Serialize};

/// When something applies to a device.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Markets (`eu-mdr`, `eu-ivdr`, `fda`, `health-canada`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub markets: Vec<String>,
    /// Classes per market (`{eu-mdr: [IIa, IIb, III]}`): holds when the device is placed
    /// in one of the markets named with one of the classes listed for it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub classes: BTreeMap<String, Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functionalities: Vec<String>,
    /// Technologies of the device or of any of its elements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub technologies: Vec<String>,
    /// Protocols of any of its flows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub protocols: Vec<String>,
    /// The device's target security level (IEC 62443 SL 1–4) is at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_level: Option<u8>,
    /// One of these conditions holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any: Vec<Condition>,
    /// This condition does not hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<Condition>>,
}

/// What a condition is judged on: the device's markets, classes and terms, gathered once.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeviceFacts {
    /// Market id → class.
    pub markets: BTreeMap<String, String>,
    pub categories: BTreeSet<String>,
    pub functionalities: BTreeSet<String>,
    pub technologies: BTreeSet<String>,
    pub protocols: BTreeSet<String>,
    /// Target security level, from the device file or the test policy.
    pub security_level: Option<u8>,
}

impl DeviceFacts {
    /// The facts of a checked device. The security level is the device's own when it
    /// declares one; the caller may set it from the policy otherwise.
    pub fn of(device: &Device) -> DeviceFacts {
        let mut technologies: BTreeSet<String> = device.technologies.iter().cloned().collect();
        for element in &device.elements {
            technologies.extend(element.technologies.iter().cloned());
        }
        DeviceFacts {
            markets: device
                .device
                .markets
                .iter()
                .map(|m| (m.market.as_str().to_owned(), m.class.clone()))
                .collect(),
            categories: device.device.categories.iter().cloned().collect(),
            functionalities: device.functionalities.iter().cloned().collect(),
            technologies,
            protocols: device.flows.iter().map(|f| f.protocol.clone()).collect(),
            security_level: device.device.security_level,
        }
    }
}

/// One reason a condition held.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Reason(pub String);

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Condition {
    pub fn is_empty(&self) -> bool {
        *self == Condition::default()
    }

    /// `Some(reasons)` when the condition holds for the device, `None` when it does not.
    /// An empty condition holds with no reason.
    pub fn judge(&self, facts: &DeviceFacts) -> Option<Vec<Reason>> {
        let mut reasons = Vec::new();
        if !self.markets.is_empty() {
            let hit: Vec<&String> = self
                .markets
                .iter()
                .filter(|m| facts.markets.contains_key(*m))
                .collect();
            if hit.is_empty() {
                return None;
            }
            for market in hit {
                reasons.push(Reason(format!("market {market}")));
            }
        }
        if !self.classes.is_empty() {
            let mut held = false;
            for (market, classes) in &self.classes {
                if let Some(class) = facts.markets.get(market)
                    && classes.iter().any(|c| c == class)
                {
                    held = true;
                    reasons.push(Reason(format!("{market} class {class}")));
                }
            }
            if !held {
                return None;
            }
        }
        any_of(
            "category",
            &self.categories,
            &facts.categories,
            &mut reasons,
        )?;
        any_of(
            "functionality",
            &self.functionalities,
            &facts.functionalities,
            &mut reasons,
        )?;
        any_of(
            "technology",
            &self.technologies,
            &facts.technologies,
            &mut reasons,
        )?;
        any_of("protocol", &self.protocols, &facts.protocols, &mut reasons)?;
        if let Some(level) = self.security_level {
            match facts.security_level {
                Some(device) if device >= level => {
                    reasons.push(Reason(format!(
                        "target security level SL{device} (needs SL{level} or higher)"
                    )));
                }
                _ => return None,
            }
        }
        if !self.any.is_empty() {
            let first = self.any.iter().find_map(|c| c.judge(facts))?;
            reasons.extend(first);
        }
        if let Some(not) = &self.not {
            if not.judge(facts).is_some() {
                return None;
            }
            reasons.push(Reason(format!("not ({})", not.describe())));
        }
        Some(reasons)
    }

    /// The condition in words, for reasons and for not-applicable lines.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let list = |noun: &str, items: &[String]| format!("{noun} {}", items.join(" or "));
        if !self.markets.is_empty() {
            parts.push(list("market", &self.markets));
        }
        if !self.classes.is_empty() {
            let classes: Vec<String> = self
                .classes
                .iter()
                .map(|(m, c)| format!("{m} class {}", c.join("/")))
                .collect();
            parts.push(classes.join(" or "));
        }
        if !self.categories.is_empty() {
            parts.push(list("category", &self.categories));
        }
        if !self.functionalities.is_empty() {
            parts.push(list("functionality", &self.functionalities));
        }
        if !self.technologies.is_empty() {
            parts.push(list("technology", &self.technologies));
        }
        if !self.protocols.is_empty() {
            parts.push(list("protocol", &self.protocols));
        }
        if let Some(level) = self.security_level {
            parts.push(format!("target security level SL{level} or higher"));
        }
        if !self.any.is_empty() {
            let any: Vec<String> = self
                .any
                .iter()
                .map(|c| format!("({})", c.describe()))
                .collect();
            parts.push(format!("any of {}", any.join(", ")));
        }
        if let Some(not) = &self.not {
            parts.push(format!("not ({})", not.describe()));
        }
        if parts.is_empty() {
            "always".to_owned()
        } else {
            parts.join(" and ")
        }
    }

    /// Every vocabulary term the condition names, by kind, for validation.
    pub fn terms(&self, out: &mut Vec<(&'static str, String)>) {
        for m in &self.markets {
            out.push(("market", m.clone()));
        }
        for (m, classes) in &self.classes {
            out.push(("market", m.clone()));
            for c in classes {
                out.push(("class", format!("{m} {c}")));
            }
        }
        for c in &self.categories {
            out.push(("categories", c.clone()));
        }
        for c in &self.functionalities {
            out.push(("functionalities", c.clone()));
        }
        for c in &self.technologies {
            out.push(("technologies", c.clone()));
        }
        for c in &self.protocols {
            out.push(("protocols", c.clone()));
        }
        if let Some(level) = self.security_level {
            out.push(("security-level", level.to_string()));
        }
        for c in &self.any {
            c.terms(out);
        }
        if let Some(not) = &self.not {
            not.terms(out);
        }
    }
}

fn any_of(
    noun: &str,
    wanted: &[String],
    have: &BTreeSet<String>,
    reasons: &mut Vec<Reason>,
) -> Option<()> {
    if wanted.is_empty() {
        return Some(());
    }
    let hit: Vec<&String> = wanted.iter().filter(|w| have.contains(*w)).collect();
    if hit.is_empty() {
        return None;
    }
    for term in hit {
        reasons.push(Reason(format!("{noun} {term}")));
    }
    Some(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn facts() -> DeviceFacts {
        DeviceFacts {
            markets: [("eu-mdr".to_owned(), "IIb".to_owned())].into(),
            categories: ["wearable".to_owned()].into(),
            functionalities: ["remote-update".to_owned()].into(),
            technologies: ["ble".to_owned()].into(),
            protocols: ["ble-gatt".to_owned()].into(),
            security_level: Some(2),
        }
    }

    fn parse(text: &str) -> Condition {
        serde_saphyr::from_str(text).unwrap()
    }

    #[test]
    fn every_key_must_hold_and_says_why() {
        let c = parse("{ markets: [eu-mdr, fda], technologies: [wifi, ble] }");
        let reasons = c.judge(&facts()).unwrap();
        let text: Vec<String> = reasons.iter().map(|r| r.to_string()).collect();
        assert_eq!(text, ["market eu-mdr", "technology ble"]);
        let c = parse("{ markets: [eu-mdr], technologies: [wifi] }");
        assert_eq!(c.judge(&facts()), None);
    }

    #[test]
    fn classes_compare_per_market() {
        let c = parse("{ classes: { eu-mdr: [IIa, IIb, III], eu-ivdr: [B, C, D] } }");
        assert!(c.judge(&facts()).is_some());
        let c = parse("{ classes: { eu-mdr: [III], fda: [II] } }");
        assert_eq!(c.judge(&facts()), None);
    }

    #[test]
    fn any_not_and_security_level() {
        let c = parse("{ any: [{ technologies: [wifi] }, { protocols: [ble-gatt] }] }");
        assert!(c.judge(&facts()).is_some());
        let c = parse("{ not: { categories: [implantable] } }");
        assert_eq!(
            c.judge(&facts()).unwrap()[0].0,
            "not (category implantable)"
        );
        let c = parse("{ security_level: 3 }");
        assert_eq!(c.judge(&facts()), None);
        let c = parse("{ security_level: 2 }");
        assert!(c.judge(&facts()).is_some());
        let mut no_level = facts();
        no_level.security_level = None;
        assert_eq!(c.judge(&no_level), None);
    }

    #[test]
    fn empty_condition_always_holds() {
        assert_eq!(Condition::default().judge(&facts()), Some(vec![]));
        assert_eq!(Condition::default().describe(), "always");
    }
}
