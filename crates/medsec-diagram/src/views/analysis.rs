//! What the views share about the model: assets and their worst harm, which assets are
//! update packages, the controls declared on a target, and short texts for a flow's
//! protection.

use std::collections::HashMap;
use std::fmt::Debug;

use medsec_device::model::{
    Asset, Authentication, Control, DataClass, Device, Encryption, Flow, SecurityNeed, Severity,
    Stride,
};

use crate::model::{Diagram, FlowEdge};

/// Words in an asset's id or name that make it an update package. The model has no
/// field for this, so the rule is stated in the updatability view's caption. Assets of
/// the system-secrets class (signing keys, say) are never update packages.
pub const UPDATE_WORDS: [&str; 5] = ["firmware", "software", "update", "patch", "package"];

/// The worst harm declared for one asset.
#[derive(Debug, Clone, Copy)]
pub struct Harm<'a> {
    pub asset: &'a Asset,
    pub property: &'static str,
    pub severity: Severity,
    pub text: Option<&'a str>,
}

pub struct Facts<'a> {
    pub diagram: &'a Diagram<'a>,
    assets: HashMap<&'a str, (usize, &'a Asset)>,
    /// Ids of the assets that are update packages, in file order.
    pub update_assets: Vec<&'a str>,
}

impl<'a> Facts<'a> {
    pub fn new(diagram: &'a Diagram<'a>) -> Self {
        let mut assets = HashMap::new();
        for (index, asset) in diagram.device.assets.iter().enumerate() {
            assets.entry(asset.id.as_str()).or_insert((index, asset));
        }
        let update_assets = diagram
            .device
            .assets
            .iter()
            .filter(|asset| is_update_asset(asset))
            .map(|asset| asset.id.as_str())
            .collect();
        Facts {
            diagram,
            assets,
            update_assets,
        }
    }

    pub fn device(&self) -> &'a Device {
        self.diagram.device
    }

    pub fn edge(&self, index: usize) -> &FlowEdge<'a> {
        &self.diagram.flows[index]
    }

    pub fn asset(&self, id: &str) -> Option<&'a Asset> {
        self.assets.get(id).map(|&(_, asset)| asset)
    }

    /// File position of an asset (unknown ids last).
    pub fn asset_rank(&self, id: &str) -> usize {
        self.assets.get(id).map_or(usize::MAX, |&(index, _)| index)
    }

    pub fn is_update_edge(&self, edge: usize) -> bool {
        self.diagram.flows[edge]
            .flow
            .data
            .iter()
            .any(|d| self.update_assets.contains(&d.as_str()))
    }

    /// The worst harm over the assets named (unknown ids ignored); ties keep the first.
    pub fn worst_of<'s>(&self, ids: impl IntoIterator<Item = &'s str>) -> Option<Harm<'a>> {
        let mut best: Option<Harm<'a>> = None;
        for id in ids {
            if let Some(harm) = self.asset(id).and_then(worst_harm)
                && best.is_none_or(|b| harm.severity > b.severity)
            {
                best = Some(harm);
            }
        }
        best
    }

    /// Controls declared on a target (element or flow id), with the STRIDE categories.
    pub fn controls_on(&self, target: &str) -> Vec<(&'a Control, Vec<Stride>)> {
        self.device()
            .controls
            .iter()
            .filter_map(|control| {
                let stride: Vec<Stride> = control
                    .mitigates
                    .iter()
                    .filter(|m| m.target == target)
                    .flat_map(|m| m.stride.iter().copied())
                    .collect();
                (!stride.is_empty()).then_some((control, stride))
            })
            .collect()
    }
}

pub fn is_update_asset(asset: &Asset) -> bool {
    if asset.data_classes.contains(&DataClass::SystemSecrets) {
        return false;
    }
    let id = asset.id.to_lowercase();
    let name = asset.name.to_lowercase();
    UPDATE_WORDS
        .iter()
        .any(|word| id.contains(word) || name.contains(word))
}

/// The asset's worst declared harm, integrity first on a tie (then availability, then
/// confidentiality), since that order follows patient safety.
pub fn worst_harm(asset: &Asset) -> Option<Harm<'_>> {
    let mut best: Option<Harm<'_>> = None;
    let needs: [(&'static str, &SecurityNeed); 3] = [
        ("integrity", &asset.integrity),
        ("availability", &asset.availability),
        ("confidentiality", &asset.confidentiality),
    ];
    for (property, need) in needs {
        if let Some(severity) = need.severity
            && best.is_none_or(|b| severity > b.severity)
        {
            best = Some(Harm {
                asset,
                property,
                severity,
                text: need.harm.as_deref(),
            });
        }
    }
    best
}

/// The kebab-case name serde gives a unit enum variant ("mutual-tls").
pub fn kebab<T: Debug>(value: &T) -> String {
    let debug = format!("{value:?}");
    let mut out = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

pub fn authentication(flow: &Flow) -> String {
    if flow.authentication == Authentication::None {
        "no auth".into()
    } else {
        format!("auth {}", kebab(&flow.authentication))
    }
}

pub fn encryption(flow: &Flow) -> String {
    if flow.encryption == Encryption::None {
        "no encryption".into()
    } else {
        format!("enc {}", kebab(&flow.encryption))
    }
}

/// One letter per STRIDE category ("T", "I"), joined.
pub fn stride_letters(stride: &[Stride]) -> String {
    let mut letters: Vec<char> = stride
        .iter()
        .map(|s| match s {
            Stride::Spoofing => 'S',
            Stride::Tampering => 'T',
            Stride::Repudiation => 'R',
            Stride::InformationDisclosure => 'I',
            Stride::DenialOfService => 'D',
            Stride::ElevationOfPrivilege => 'E',
        })
        .collect();
    letters.sort_by_key(|c| "STRIDE".find(*c));
    letters.dedup();
    letters.into_iter().collect()
}

/// "a, b and 3 more" for lists in captions.
pub fn list(items: &[String], max: usize) -> String {
    match items.len() {
        0 => String::new(),
        n if n <= max => items.join(", "),
        n => format!("{} and {} more", items[..max].join(", "), n - max),
    }
}
