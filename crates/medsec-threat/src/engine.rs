//! STRIDE per element and per interaction: every rule of the catalogue is evaluated on
//! every element and every flow of the device; a match is a threat.
//!
//! A threat's id is `RULE@TARGET` (`BLE-S-001@app-pump-control`). It depends only on
//! the rule and on the target's own id, never on file order or on other elements, so
//! the same threat keeps its id from one device version to the next and a diff between
//! versions means something.

use std::collections::{BTreeSet, HashMap, HashSet};

use medsec_device::check::{LoadedDevice, stride_per_element};
use medsec_device::model::{
    Asset, Device, Direction, Element, ElementKind, Flow, NeedLevel, PhysicalAccess, Severity,
    Stride, TrustLevel,
};
use serde::{Deserialize, Serialize};

use crate::catalogue::{
    Catalogue, Flag, Rule, Strength, TargetKind, When, authentication_class, encryption_class,
    flow_stride,
};

/// A security property of an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Property {
    Confidentiality,
    Integrity,
    Availability,
}

impl Property {
    pub fn as_str(self) -> &'static str {
        match self {
            Property::Confidentiality => "confidentiality",
            Property::Integrity => "integrity",
            Property::Availability => "availability",
        }
    }
}

/// The asset properties a STRIDE category puts at stake. Tampering, information
/// disclosure and denial of service threaten integrity, confidentiality and
/// availability (the usual pairing of STRIDE with the properties it violates).
/// Spoofing lets the impostor both act (integrity) and receive (confidentiality);
/// repudiation undermines the trustworthiness of records (integrity); elevation of
/// privilege grants whatever the gained rights reach (all three).
pub fn properties_at_stake(stride: Stride) -> &'static [Property] {
    use Property::*;
    match stride {
        Stride::Spoofing => &[Confidentiality, Integrity],
        Stride::Tampering => &[Integrity],
        Stride::Repudiation => &[Integrity],
        Stride::InformationDisclosure => &[Confidentiality],
        Stride::DenialOfService => &[Availability],
        Stride::ElevationOfPrivilege => &[Confidentiality, Integrity, Availability],
    }
}

/// What a threat is about.
#[derive(Debug, Clone)]
pub enum Target<'a> {
    Element(&'a Element),
    Flow(FlowFacts<'a>),
}

/// A flow with its ends resolved.
#[derive(Debug, Clone)]
pub struct FlowFacts<'a> {
    pub flow: &'a Flow,
    pub from: &'a Element,
    pub to: &'a Element,
    pub from_trust: TrustLevel,
    pub to_trust: TrustLevel,
    pub crossing: bool,
    /// The named boundary between the two zones, if the file names one.
    pub boundary: Option<&'a str>,
}

impl<'a> Target<'a> {
    pub fn id(&self) -> &'a str {
        match self {
            Target::Element(e) => &e.id,
            Target::Flow(f) => &f.flow.id,
        }
    }

    pub fn name(&self) -> &'a str {
        match self {
            Target::Element(e) => &e.name,
            Target::Flow(f) => f.flow.name.as_deref().unwrap_or(&f.flow.id),
        }
    }

    /// `process`, `data-store`, `external-entity` or `flow`.
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Element(e) => e.kind.as_str(),
            Target::Flow(_) => "flow",
        }
    }
}

/// The harm a threat can lead to: the worst declared on the properties it puts at stake.
#[derive(Debug, Clone, Serialize)]
pub struct Harm<'a> {
    pub asset: &'a str,
    pub asset_name: &'a str,
    pub property: Property,
    pub harm: &'a str,
    pub severity: Severity,
}

/// Where an attacker would have to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Exposure {
    /// Trust of the target's zone (for a flow, of the less trusted end).
    pub zone_trust: TrustLevel,
    /// Who can touch the target (for a flow, the most exposed end).
    pub physical_access: PhysicalAccess,
}

/// One rule applied to one target.
#[derive(Debug, Clone)]
pub struct Threat<'a> {
    pub id: String,
    pub rule: &'a Rule,
    pub target: Target<'a>,
    /// Assets at stake, by id order.
    pub assets: Vec<&'a Asset>,
    /// True when the element declares no asset of its own and the assets are those its
    /// flows carry.
    pub assets_from_flows: bool,
    pub worst_harm: Option<Harm<'a>>,
    /// Controls of the model that name this target and this STRIDE category.
    pub mitigated_by: Vec<&'a str>,
    pub exposure: Exposure,
}

/// How a threat reads in JSON output.
#[derive(Serialize)]
struct ThreatRecord<'r, 'a> {
    id: &'r str,
    rule: &'a str,
    title: &'a str,
    stride: Stride,
    target: &'a str,
    target_kind: &'static str,
    target_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    crossing: Option<CrossingRecord<'a>>,
    description: &'a str,
    assets: Vec<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    assets_from_flows: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    worst_harm: Option<&'r Harm<'a>>,
    mitigated: bool,
    mitigated_by: &'r [&'a str],
    exposure: Exposure,
    capec: &'a [String],
    cwe: &'a [String],
    suggested_controls: &'a [crate::catalogue::SuggestedControl],
}

#[derive(Serialize)]
struct CrossingRecord<'a> {
    from: &'a str,
    to: &'a str,
    from_zone: &'a str,
    to_zone: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    boundary: Option<&'a str>,
}

impl Serialize for Threat<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let crossing = match &self.target {
            Target::Flow(f) if f.crossing => Some(CrossingRecord {
                from: &f.from.id,
                to: &f.to.id,
                from_zone: &f.from.zone,
                to_zone: &f.to.zone,
                boundary: f.boundary,
            }),
            _ => None,
        };
        ThreatRecord {
            id: &self.id,
            rule: &self.rule.id,
            title: &self.rule.title,
            stride: self.rule.stride,
            target: self.target.id(),
            target_kind: self.target.kind(),
            target_name: self.target.name(),
            crossing,
            description: &self.rule.description,
            assets: self.assets.iter().map(|a| a.id.as_str()).collect(),
            assets_from_flows: self.assets_from_flows,
            worst_harm: self.worst_harm.as_ref(),
            mitigated: self.mitigated(),
            mitigated_by: &self.mitigated_by,
            exposure: self.exposure,
            capec: &self.rule.capec,
            cwe: &self.rule.cwe,
            suggested_controls: &self.rule.controls,
        }
        .serialize(serializer)
    }
}

impl Threat<'_> {
    pub fn stride(&self) -> Stride {
        self.rule.stride
    }

    pub fn mitigated(&self) -> bool {
        !self.mitigated_by.is_empty()
    }
}

/// A control's claim that matched no threat: a target and category it names where no
/// rule produced a threat. Shown so that reviewers see controls the model does not use.
#[derive(Debug, Clone, Serialize)]
pub struct UnmatchedMitigation<'a> {
    pub control: &'a str,
    pub target: &'a str,
    pub stride: Stride,
}

/// Every threat of one device.
#[derive(Debug, Clone)]
pub struct ThreatModel<'a> {
    pub device: &'a Device,
    /// Sorted by target id, then STRIDE order, then rule id.
    pub threats: Vec<Threat<'a>>,
    pub unmatched_mitigations: Vec<UnmatchedMitigation<'a>>,
    pub rules_in_catalogue: usize,
}

/// Analyse a checked device.
pub fn analyse<'a>(loaded: &'a LoadedDevice, catalogue: &'a Catalogue) -> ThreatModel<'a> {
    analyse_device(&loaded.device, catalogue)
}

struct ElementFacts<'a> {
    element: &'a Element,
    trust: TrustLevel,
    /// Technologies sorted, for matching.
    technologies: Vec<&'a str>,
}

/// Analyse a device model. The model should have passed `medsec_device::check`; flows
/// whose ends are unknown are skipped rather than guessed.
pub fn analyse_device<'a>(device: &'a Device, catalogue: &'a Catalogue) -> ThreatModel<'a> {
    let zone_trust: HashMap<&str, TrustLevel> = device
        .trust_zones
        .iter()
        .map(|z| (z.id.as_str(), z.trust))
        .collect();
    let assets: HashMap<&str, &Asset> = device.assets.iter().map(|a| (a.id.as_str(), a)).collect();
    let elements: HashMap<&str, ElementFacts<'a>> = device
        .elements
        .iter()
        .map(|e| {
            let mut technologies: Vec<&str> = e.technologies.iter().map(String::as_str).collect();
            technologies.sort_unstable();
            technologies.dedup();
            (
                e.id.as_str(),
                ElementFacts {
                    element: e,
                    // A zone id the checker would have rejected: treat as untrusted.
                    trust: zone_trust
                        .get(e.zone.as_str())
                        .copied()
                        .unwrap_or(TrustLevel::Untrusted),
                    technologies,
                },
            )
        })
        .collect();

    // Device-level conditions are the same for every target: settle them once.
    let functionalities: HashSet<&str> =
        device.functionalities.iter().map(String::as_str).collect();
    let categories: HashSet<&str> = device
        .device
        .categories
        .iter()
        .map(String::as_str)
        .collect();
    let device_technologies: HashSet<&str> = device
        .technologies
        .iter()
        .chain(device.elements.iter().flat_map(|e| e.technologies.iter()))
        .map(String::as_str)
        .collect();
    let device_ok = |w: &When| {
        any_in(&w.functionalities, &functionalities)
            && any_in(&w.categories, &categories)
            && any_in(&w.device_technologies, &device_technologies)
    };
    let element_rules: Vec<&Rule> = catalogue
        .rules
        .iter()
        .filter(|r| r.target == TargetKind::Element && device_ok(&r.when))
        .collect();
    let flow_rules: Vec<&Rule> = catalogue
        .rules
        .iter()
        .filter(|r| r.target != TargetKind::Element && device_ok(&r.when))
        .collect();

    // Data carried by the flows touching each element, for elements without assets.
    let mut flow_data: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for flow in &device.flows {
        for end in [&flow.from, &flow.to] {
            flow_data
                .entry(end.as_str())
                .or_default()
                .extend(flow.data.iter().map(String::as_str));
        }
    }

    let mut mitigations: HashMap<(&str, Stride), Vec<&str>> = HashMap::new();
    for control in &device.controls {
        for m in &control.mitigates {
            for stride in &m.stride {
                let list = mitigations.entry((m.target.as_str(), *stride)).or_default();
                if !list.contains(&control.id.as_str()) {
                    list.push(control.id.as_str());
                }
            }
        }
    }

    let mut threats = Vec::new();
    let mut matched: Vec<&Rule> = Vec::new();
    for facts in elements.values() {
        let element = facts.element;
        matched.clear();
        let applicable = stride_per_element(element.kind);
        select(&element_rules, &mut matched, |rule| {
            applicable.contains(&rule.stride) && element_matches(&rule.when, facts)
        });
        if matched.is_empty() {
            continue;
        }
        let (ids, from_flows) = if element.assets.is_empty() {
            let ids: Vec<&str> = flow_data
                .get(element.id.as_str())
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default();
            (ids, true)
        } else {
            let mut ids: Vec<&str> = element.assets.iter().map(String::as_str).collect();
            ids.sort_unstable();
            ids.dedup();
            (ids, false)
        };
        let at_stake: Vec<&Asset> = ids
            .iter()
            .filter_map(|id| assets.get(id).copied())
            .collect();
        let exposure = Exposure {
            zone_trust: facts.trust,
            physical_access: element.physical_access,
        };
        for rule in &matched {
            threats.push(make_threat(
                rule,
                Target::Element(element),
                &at_stake,
                from_flows && !at_stake.is_empty(),
                exposure,
                &mitigations,
            ));
        }
    }

    for flow in &device.flows {
        let (Some(from), Some(to)) = (
            elements.get(flow.from.as_str()),
            elements.get(flow.to.as_str()),
        ) else {
            continue;
        };
        let crossing = from.element.zone != to.element.zone;
        let flow_facts = FlowFacts {
            flow,
            from: from.element,
            to: to.element,
            from_trust: from.trust,
            to_trust: to.trust,
            crossing,
            boundary: if crossing {
                device
                    .boundaries
                    .iter()
                    .find(|b| {
                        b.between.contains(&from.element.zone)
                            && b.between.contains(&to.element.zone)
                    })
                    .map(|b| b.id.as_str())
            } else {
                None
            },
        };
        matched.clear();
        select(&flow_rules, &mut matched, |rule| {
            (rule.target == TargetKind::Flow || crossing)
                && flow_stride(rule.target).contains(&rule.stride)
                && flow_matches(&rule.when, &flow_facts, from, to)
        });
        if matched.is_empty() {
            continue;
        }
        let mut ids: Vec<&str> = flow.data.iter().map(String::as_str).collect();
        ids.sort_unstable();
        ids.dedup();
        let at_stake: Vec<&Asset> = ids
            .iter()
            .filter_map(|id| assets.get(id).copied())
            .collect();
        let exposure = Exposure {
            zone_trust: from.trust.min(to.trust),
            physical_access: if exposure_rank(to.element.physical_access)
                > exposure_rank(from.element.physical_access)
            {
                to.element.physical_access
            } else {
                from.element.physical_access
            },
        };
        for rule in &matched {
            threats.push(make_threat(
                rule,
                Target::Flow(flow_facts.clone()),
                &at_stake,
                false,
                exposure,
                &mitigations,
            ));
        }
    }

    threats.sort_by(|a, b| {
        (a.target.id(), a.rule.stride, a.rule.id.as_str()).cmp(&(
            b.target.id(),
            b.rule.stride,
            b.rule.id.as_str(),
        ))
    });

    let produced: HashSet<(&str, Stride)> = threats
        .iter()
        .map(|t| (t.target.id(), t.stride()))
        .collect();
    let mut unmatched_mitigations = Vec::new();
    for control in &device.controls {
        for m in &control.mitigates {
            for stride in &m.stride {
                if !produced.contains(&(m.target.as_str(), *stride)) {
                    unmatched_mitigations.push(UnmatchedMitigation {
                        control: &control.id,
                        target: &m.target,
                        stride: *stride,
                    });
                }
            }
        }
    }

    ThreatModel {
        device,
        threats,
        unmatched_mitigations,
        rules_in_catalogue: catalogue.rules.len(),
    }
}

/// Specific rules first; a fallback only where no specific rule of its category matched.
fn select<'r>(rules: &[&'r Rule], out: &mut Vec<&'r Rule>, matches: impl Fn(&Rule) -> bool) {
    let mut covered = [false; 6];
    for rule in rules.iter().filter(|r| !r.fallback) {
        if matches(rule) {
            covered[stride_index(rule.stride)] = true;
            out.push(rule);
        }
    }
    for rule in rules.iter().filter(|r| r.fallback) {
        if !covered[stride_index(rule.stride)] && matches(rule) {
            out.push(rule);
        }
    }
}

fn stride_index(stride: Stride) -> usize {
    match stride {
        Stride::Spoofing => 0,
        Stride::Tampering => 1,
        Stride::Repudiation => 2,
        Stride::InformationDisclosure => 3,
        Stride::DenialOfService => 4,
        Stride::ElevationOfPrivilege => 5,
    }
}

/// Physical access ordered by exposure (none < restricted < patient < public).
pub fn exposure_rank(access: PhysicalAccess) -> u8 {
    match access {
        PhysicalAccess::None => 0,
        PhysicalAccess::Restricted => 1,
        PhysicalAccess::Patient => 2,
        PhysicalAccess::Public => 3,
    }
}

fn make_threat<'a>(
    rule: &'a Rule,
    target: Target<'a>,
    at_stake: &[&'a Asset],
    assets_from_flows: bool,
    exposure: Exposure,
    mitigations: &HashMap<(&str, Stride), Vec<&'a str>>,
) -> Threat<'a> {
    let target_id = target.id();
    let mut mitigated_by = mitigations
        .get(&(target_id, rule.stride))
        .cloned()
        .unwrap_or_default();
    mitigated_by.sort_unstable();
    Threat {
        id: format!("{}@{}", rule.id, target_id),
        rule,
        worst_harm: worst_harm(at_stake, rule.stride),
        assets: at_stake.to_vec(),
        assets_from_flows,
        target,
        mitigated_by,
        exposure,
    }
}

/// The worst harm over the assets and properties at stake; ties go to the first asset
/// by id, then to confidentiality, integrity, availability in that order.
pub fn worst_harm<'a>(assets: &[&'a Asset], stride: Stride) -> Option<Harm<'a>> {
    let mut worst: Option<Harm<'a>> = None;
    for asset in assets {
        for property in properties_at_stake(stride) {
            let need = match property {
                Property::Confidentiality => &asset.confidentiality,
                Property::Integrity => &asset.integrity,
                Property::Availability => &asset.availability,
            };
            // `need: none` is a declaration that losing this property harms nobody: the
            // row is judged at the lowest severity rather than left unassessed.
            let severity = match (need.severity, need.need) {
                (Some(severity), _) => severity,
                (None, NeedLevel::None) => Severity::Negligible,
                (None, _) => continue,
            };
            if worst.as_ref().is_none_or(|w| severity > w.severity) {
                worst = Some(Harm {
                    asset: &asset.id,
                    asset_name: &asset.name,
                    property: *property,
                    harm: match (need.harm.as_deref(), need.need) {
                        (Some(harm), _) => harm,
                        (None, NeedLevel::None) => "none: no protection need declared",
                        (None, _) => "",
                    },
                    severity,
                });
            }
        }
    }
    worst
}

fn any_in(wanted: &[String], have: &HashSet<&str>) -> bool {
    wanted.is_empty() || wanted.iter().any(|w| have.contains(w.as_str()))
}

fn any_sorted(wanted: &[String], have: &[&str]) -> bool {
    wanted.is_empty()
        || wanted
            .iter()
            .any(|w| have.binary_search(&w.as_str()).is_ok())
}

fn element_matches(w: &When, facts: &ElementFacts<'_>) -> bool {
    let e = facts.element;
    (w.kinds.is_empty() || w.kinds.contains(&e.kind))
        && any_sorted(&w.technologies, &facts.technologies)
        && (w.zone_trust.is_empty() || w.zone_trust.contains(&facts.trust))
        && (w.physical_access.is_empty() || w.physical_access.contains(&e.physical_access))
        && w.human.is_none_or(|h| h == e.human)
}

fn flow_matches(
    w: &When,
    f: &FlowFacts<'_>,
    from: &ElementFacts<'_>,
    to: &ElementFacts<'_>,
) -> bool {
    let flow = f.flow;
    (w.protocols.is_empty() || w.protocols.contains(&flow.protocol))
        && (w.authentication.is_empty() || w.authentication.contains(&flow.authentication))
        && (w.encryption.is_empty() || w.encryption.contains(&flow.encryption))
        && w.flags.iter().all(|flag| flag_holds(*flag, f))
        && (w.from_kinds.is_empty() || w.from_kinds.contains(&f.from.kind))
        && (w.to_kinds.is_empty() || w.to_kinds.contains(&f.to.kind))
        && (w.technologies.is_empty()
            || any_sorted(&w.technologies, &from.technologies)
            || any_sorted(&w.technologies, &to.technologies))
        && any_sorted(&w.to_technologies, &to.technologies)
        && (w.zone_trust.is_empty() || w.zone_trust.contains(&f.from_trust.min(f.to_trust)))
        && (w.physical_access.is_empty()
            || w.physical_access.contains(&f.from.physical_access)
            || w.physical_access.contains(&f.to.physical_access))
        && w.human.is_none_or(|h| h == (f.from.human || f.to.human))
        && w.crosses_boundary.is_none_or(|c| c == f.crossing)
}

fn flag_holds(flag: Flag, f: &FlowFacts<'_>) -> bool {
    let auth = authentication_class(f.flow.authentication);
    let enc = encryption_class(f.flow.encryption);
    match flag {
        Flag::Unauthenticated => auth == Strength::Absent,
        Flag::WeakAuthentication => auth == Strength::Weak,
        Flag::StrongAuthentication => auth == Strength::Strong,
        Flag::Unencrypted => enc == Strength::Absent,
        Flag::WeakEncryption => enc == Strength::Weak,
        Flag::StrongEncryption => enc == Strength::Strong,
        Flag::Bidirectional => f.flow.direction == Direction::Bidirectional,
        Flag::Inbound => {
            f.to_trust > f.from_trust
                || (f.flow.direction == Direction::Bidirectional && f.to_trust != f.from_trust)
        }
    }
}

impl ThreatModel<'_> {
    /// Threat counts by STRIDE category, in STRIDE order, with the unmitigated count.
    pub fn counts_by_stride(&self) -> Vec<(Stride, usize, usize)> {
        let all = [
            Stride::Spoofing,
            Stride::Tampering,
            Stride::Repudiation,
            Stride::InformationDisclosure,
            Stride::DenialOfService,
            Stride::ElevationOfPrivilege,
        ];
        all.iter()
            .map(|s| {
                let of: Vec<&Threat<'_>> =
                    self.threats.iter().filter(|t| t.stride() == *s).collect();
                (*s, of.len(), of.iter().filter(|t| !t.mitigated()).count())
            })
            .collect()
    }

    pub fn unmitigated(&self) -> usize {
        self.threats.iter().filter(|t| !t.mitigated()).count()
    }
}

/// The element kind a STRIDE category may target (for documentation and tests).
pub fn kinds_for(stride: Stride) -> Vec<ElementKind> {
    [
        ElementKind::Process,
        ElementKind::DataStore,
        ElementKind::ExternalEntity,
    ]
    .into_iter()
    .filter(|k| stride_per_element(*k).contains(&stride))
    .collect()
}
