//! What every format draws, worked out once: the zone tree, the elements of each zone,
//! and for each flow whether it crosses a trust boundary unprotected.

use std::collections::HashMap;

use medsec_device::model::{
    Authentication, Boundary, Device, Direction, Element, Encryption, Flow, TrustLevel, TrustZone,
};

use crate::ThreatCounts;

pub struct Diagram<'a> {
    pub device: &'a Device,
    pub zones: Vec<ZoneNode<'a>>,
    /// Zones with no (usable) parent, in file order.
    pub roots: Vec<usize>,
    pub elements: Vec<ElementNode<'a>>,
    /// Elements whose zone is unknown: drawn outside every zone.
    pub orphans: Vec<usize>,
    pub flows: Vec<FlowEdge<'a>>,
    /// Whether threat counts were given at all.
    pub show_counts: bool,
}

pub struct ZoneNode<'a> {
    pub zone: &'a TrustZone,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    pub elements: Vec<usize>,
}

pub struct ElementNode<'a> {
    pub element: &'a Element,
    pub zone: Option<usize>,
    pub threats: Option<usize>,
}

/// How a flow is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure {
    /// Stays inside one zone, or crosses with both authentication and encryption.
    Normal,
    /// Crosses a trust boundary without authentication or without encryption.
    Partial,
    /// Crosses a trust boundary with neither authentication nor encryption.
    Unprotected,
}

pub struct FlowEdge<'a> {
    pub flow: &'a Flow,
    pub from: usize,
    pub to: usize,
    pub crossing: bool,
    pub boundary: Option<&'a Boundary>,
    pub exposure: Exposure,
}

impl FlowEdge<'_> {
    pub fn bidirectional(&self) -> bool {
        self.flow.direction == Direction::Bidirectional
    }

    /// Short markers for what a crossing flow lacks, e.g. "no auth, no encryption".
    pub fn gaps(&self) -> Option<String> {
        if !self.crossing {
            return None;
        }
        let mut gaps = Vec::new();
        if self.flow.authentication == Authentication::None {
            gaps.push("no auth");
        }
        if self.flow.encryption == Encryption::None {
            gaps.push("no encryption");
        }
        (!gaps.is_empty()).then(|| gaps.join(", "))
    }
}

impl<'a> Diagram<'a> {
    pub fn new(device: &'a Device, threat_counts: &ThreatCounts) -> Self {
        let mut zone_index: HashMap<&str, usize> = HashMap::new();
        for (index, zone) in device.trust_zones.iter().enumerate() {
            zone_index.entry(zone.id.as_str()).or_insert(index);
        }
        let mut zones: Vec<ZoneNode<'a>> = device
            .trust_zones
            .iter()
            .map(|zone| ZoneNode {
                zone,
                parent: None,
                children: Vec::new(),
                elements: Vec::new(),
            })
            .collect();
        // A duplicate zone id keeps only its first declaration as a box.
        let first = |index: usize| {
            zone_index
                .get(device.trust_zones[index].id.as_str())
                .is_some_and(|&i| i == index)
        };
        for (index, node) in zones.iter_mut().enumerate() {
            if !first(index) {
                continue;
            }
            let parent = node
                .zone
                .parent
                .as_deref()
                .and_then(|p| zone_index.get(p).copied());
            if let Some(parent) = parent
                && !leads_back(device, &zone_index, parent, index)
            {
                node.parent = Some(parent);
            }
        }
        let mut roots = Vec::new();
        for index in 0..zones.len() {
            if !first(index) {
                continue;
            }
            match zones[index].parent {
                Some(parent) => zones[parent].children.push(index),
                None => roots.push(index),
            }
        }

        let mut element_index: HashMap<&str, usize> = HashMap::new();
        let mut elements = Vec::new();
        let mut orphans = Vec::new();
        for (index, element) in device.elements.iter().enumerate() {
            element_index.entry(element.id.as_str()).or_insert(index);
            let zone = zone_index.get(element.zone.as_str()).copied();
            match zone {
                Some(zone) => zones[zone].elements.push(index),
                None => orphans.push(index),
            }
            elements.push(ElementNode {
                element,
                zone,
                threats: threat_counts.get(&element.id).copied(),
            });
        }

        let flows = device
            .flows
            .iter()
            .filter_map(|flow| {
                let from = *element_index.get(flow.from.as_str())?;
                let to = *element_index.get(flow.to.as_str())?;
                if from == to {
                    return None;
                }
                let from_zone = &device.elements[from].zone;
                let to_zone = &device.elements[to].zone;
                let crossing = from_zone != to_zone;
                let boundary = crossing
                    .then(|| {
                        device.boundaries.iter().find(|b| {
                            b.between.iter().any(|z| z == from_zone)
                                && b.between.iter().any(|z| z == to_zone)
                        })
                    })
                    .flatten();
                let unauthenticated = flow.authentication == Authentication::None;
                let unencrypted = flow.encryption == Encryption::None;
                let exposure = match (crossing, unauthenticated, unencrypted) {
                    (true, true, true) => Exposure::Unprotected,
                    (true, true, false) | (true, false, true) => Exposure::Partial,
                    _ => Exposure::Normal,
                };
                Some(FlowEdge {
                    flow,
                    from,
                    to,
                    crossing,
                    boundary,
                    exposure,
                })
            })
            .collect();

        Diagram {
            device,
            zones,
            roots,
            elements,
            orphans,
            flows,
            show_counts: !threat_counts.is_empty(),
        }
    }

    pub fn title(&self) -> String {
        format!(
            "{} {} — data-flow diagram",
            self.device.device.name, self.device.device.version
        )
    }

    /// The zone and its ancestors, innermost first.
    pub fn ancestry(&self, zone: usize) -> Vec<usize> {
        let mut chain = vec![zone];
        let mut current = zone;
        while let Some(parent) = self.zones[current].parent {
            if chain.contains(&parent) {
                break;
            }
            chain.push(parent);
            current = parent;
        }
        chain
    }
}

/// Whether following parents from `start` reaches `target` (a cycle, if `target` is
/// the zone whose parent is `start`). Bounded by the number of zones.
fn leads_back(
    device: &Device,
    zone_index: &HashMap<&str, usize>,
    start: usize,
    target: usize,
) -> bool {
    let mut current = start;
    for _ in 0..=device.trust_zones.len() {
        if current == target {
            return true;
        }
        match device.trust_zones[current]
            .parent
            .as_deref()
            .and_then(|p| zone_index.get(p))
        {
            Some(&next) => current = next,
            None => return false,
        }
    }
    true
}

pub fn trust_str(level: TrustLevel) -> &'static str {
    match level {
        TrustLevel::Untrusted => "untrusted",
        TrustLevel::Low => "low",
        TrustLevel::Medium => "medium",
        TrustLevel::High => "high",
    }
}
