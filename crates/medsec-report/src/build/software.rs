//! Each element's software as the report shows it: the SBOM file (format, SHA-256) and
//! inline components, with licences and support status read from the SBOM's own
//! properties (`medsec-postmarket::support`, no curated file).

use std::path::Path;

use medsec_core::component::{Component, ComponentKind, Organization};
use medsec_device::LoadedDevice;
use medsec_postmarket::support;
use serde::Serialize;

/// One element's software.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElementSoftware {
    pub element: String,
    /// The SBOM file as the device names it (relative to the device file).
    pub sbom: Option<String>,
    /// Format, specification version and encoding of the SBOM.
    pub sbom_format: Option<String>,
    pub sbom_sha256: Option<String>,
    /// Why the SBOM could not be read (its components are then missing here).
    pub sbom_error: Option<String>,
    pub components: Vec<SoftwareComponent>,
}

/// One component, from the SBOM or listed inline in the device file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SoftwareComponent {
    pub name: String,
    pub version: Option<String>,
    pub purl: Option<String>,
    pub supplier: Option<String>,
    /// Licences as the SBOM states them (ids, names or expressions); empty if none.
    pub licences: Vec<String>,
    /// `sbom` or `inline`.
    pub from: &'static str,
    /// The level of support the SBOM states (`unknown` when it states none).
    pub support: String,
    pub end_of_support: Option<String>,
}

/// Reads the software of every element that declares some, in file order.
pub fn read_software(loaded: &LoadedDevice) -> Vec<ElementSoftware> {
    let base = loaded.path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for element in &loaded.device.elements {
        let Some(declared) = &element.software else {
            continue;
        };
        let mut entry = ElementSoftware {
            element: element.id.clone(),
            sbom: declared.sbom.clone(),
            sbom_format: None,
            sbom_sha256: None,
            sbom_error: None,
            components: Vec::new(),
        };
        if let Some(relative) = &declared.sbom {
            match medsec_formats::sbom::read_from_path(
                base.join(relative),
                medsec_formats::sbom::Limits::DEFAULT,
            ) {
                Ok(reading) => {
                    let sbom = reading.sbom;
                    entry.sbom_format = Some(format!(
                        "{} {} {}",
                        sbom.format,
                        sbom.spec_version,
                        super::name_of(&sbom.encoding)
                    ));
                    entry.sbom_sha256 = Some(sbom.original.sha256.clone());
                    let supports = support::resolve_sbom(&sbom, None);
                    for (c, s) in sbom.components.iter().zip(supports) {
                        entry.components.push(component(c, "sbom", &s.support));
                    }
                }
                Err(error) => entry.sbom_error = Some(error.to_string()),
            }
        }
        for c in &declared.components {
            let mut component_model = Component::new(ComponentKind::Library, c.name.clone());
            component_model.version = Some(c.version.clone());
            component_model.supplier = c.supplier.as_ref().map(|n| Organization::named(n.clone()));
            let info = support::resolve(&component_model, &[], None);
            let mut shown = component(&component_model, "inline", &info);
            shown.purl = c.purl.clone();
            shown.licences = c.license.iter().cloned().collect();
            entry.components.push(shown);
        }
        out.push(entry);
    }
    out
}

fn component(c: &Component, from: &'static str, info: &support::SupportInfo) -> SoftwareComponent {
    SoftwareComponent {
        name: match &c.group {
            Some(group) if !group.is_empty() => format!("{group}/{}", c.name),
            _ => c.name.clone(),
        },
        version: c.version.clone(),
        purl: c.purl.as_ref().map(|p| p.to_string()),
        supplier: c.supplier.as_ref().and_then(|s| s.name.clone()),
        licences: c.licences.iter().map(|l| l.value.clone()).collect(),
        from,
        support: info.level.as_str().to_owned(),
        end_of_support: info.end_of_support.map(|d| d.to_string()),
    }
}
