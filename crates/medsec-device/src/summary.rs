//! The facts `medsec assess` reports about a checked device before any analysis:
//! identity, markets, the shape of the data-flow model and where flows cross trust
//! boundaries.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::check::LoadedDevice;
use crate::model::{Authentication, Device, ElementKind, Encryption, Severity};

#[derive(Debug, Clone, Serialize)]
pub struct DeviceSummary {
    pub name: String,
    pub manufacturer: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub udi_di: Option<String>,
    pub categories: Vec<String>,
    /// "market class" pairs, e.g. ("eu-mdr", "IIb").
    pub markets: Vec<(String, String)>,
    pub functionalities: usize,
    /// Device-level and element-level technologies, deduplicated.
    pub technologies: Vec<String>,
    pub assets: usize,
    /// The worst harm declared on any asset property.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worst_severity: Option<Severity>,
    pub trust_zones: usize,
    pub processes: usize,
    pub data_stores: usize,
    pub external_entities: usize,
    pub flows: usize,
    pub boundary_crossings: Vec<BoundaryCrossing>,
    pub controls: usize,
    /// Software components per element (SBOM components counted where the format allows,
    /// plus inline components).
    pub software: BTreeMap<String, SoftwareSummary>,
    pub warnings: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct SoftwareSummary {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sbom: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sbom_format: Option<String>,
    pub components: Option<usize>,
}

/// A flow whose ends sit in different trust zones.
#[derive(Debug, Clone, Serialize)]
pub struct BoundaryCrossing {
    pub flow: String,
    pub from_zone: String,
    pub to_zone: String,
    /// The named boundary, if the file names one for this pair of zones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boundary: Option<String>,
    pub authenticated: bool,
    pub encrypted: bool,
}

pub fn summarise(loaded: &LoadedDevice) -> DeviceSummary {
    let device = &loaded.device;
    let count = |kind| device.elements.iter().filter(|e| e.kind == kind).count();
    let mut technologies: Vec<String> = device
        .technologies
        .iter()
        .chain(device.elements.iter().flat_map(|e| e.technologies.iter()))
        .cloned()
        .collect();
    technologies.sort();
    technologies.dedup();
    let worst_severity = device
        .assets
        .iter()
        .flat_map(|a| [&a.confidentiality, &a.integrity, &a.availability])
        .filter_map(|need| need.severity)
        .max();
    let software = device
        .elements
        .iter()
        .filter_map(|element| {
            let software = element.software.as_ref()?;
            let sbom = loaded.sboms.get(&element.id);
            let inline = software.components.len();
            let components = match (sbom, software.sbom.is_some()) {
                (Some(summary), _) => summary.components.map(|n| n + inline),
                (None, false) => Some(inline),
                (None, true) => None,
            };
            Some((
                element.id.clone(),
                SoftwareSummary {
                    sbom: software.sbom.clone(),
                    sbom_format: sbom
                        .map(|s| format!("{} {} {}", s.format, s.spec_version, s.encoding)),
                    components,
                },
            ))
        })
        .collect();
    DeviceSummary {
        name: device.device.name.clone(),
        manufacturer: device.device.manufacturer.clone(),
        version: device.device.version.clone(),
        udi_di: device.device.udi_di.clone(),
        categories: device.device.categories.clone(),
        markets: device
            .device
            .markets
            .iter()
            .map(|m| (m.market.as_str().to_owned(), m.class.clone()))
            .collect(),
        functionalities: device.functionalities.len(),
        technologies,
        assets: device.assets.len(),
        worst_severity,
        trust_zones: device.trust_zones.len(),
        processes: count(ElementKind::Process),
        data_stores: count(ElementKind::DataStore),
        external_entities: count(ElementKind::ExternalEntity),
        flows: device.flows.len(),
        boundary_crossings: boundary_crossings(device),
        controls: device.controls.len(),
        software,
        warnings: loaded.report.warning_count(),
    }
}

/// Flows whose two ends are in different zones, in file order.
pub fn boundary_crossings(device: &Device) -> Vec<BoundaryCrossing> {
    let zone_of: BTreeMap<&str, &str> = device
        .elements
        .iter()
        .map(|e| (e.id.as_str(), e.zone.as_str()))
        .collect();
    device
        .flows
        .iter()
        .filter_map(|flow| {
            let from_zone = *zone_of.get(flow.from.as_str())?;
            let to_zone = *zone_of.get(flow.to.as_str())?;
            if from_zone == to_zone {
                return None;
            }
            let boundary = device
                .boundaries
                .iter()
                .find(|b| {
                    b.between.iter().any(|z| z == from_zone)
                        && b.between.iter().any(|z| z == to_zone)
                })
                .map(|b| b.id.clone());
            Some(BoundaryCrossing {
                flow: flow.id.clone(),
                from_zone: from_zone.to_owned(),
                to_zone: to_zone.to_owned(),
                boundary,
                authenticated: flow.authentication != Authentication::None,
                encrypted: flow.encryption != Encryption::None,
            })
        })
        .collect()
}
