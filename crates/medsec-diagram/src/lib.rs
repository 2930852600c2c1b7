//! The data-flow diagram of a device as SVG, Mermaid or Graphviz DOT text.
//!
//! Every function here is pure: a [`Device`] (normally one that `medsec check` passed)
//! and an optional threat count per element id go in, text comes out, and the same
//! input always gives the same bytes, so a diagram in a technical file can be
//! regenerated and compared. A device that did not pass the checks is still drawn as
//! far as it can be (an element in an unknown zone sits outside every zone; a flow to
//! an unknown element is left out) rather than refused, because a picture helps to
//! find what is wrong.

use std::collections::HashMap;

use medsec_device::Device;

mod dot;
mod mermaid;
mod model;
mod svg;
mod text;
pub mod views;

pub use views::{
    ArchitectureView, ComponentCounts, ViewKind, architecture_views,
    architecture_views_with_components,
};

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// A self-contained SVG drawing with its own layout.
    #[default]
    Svg,
    /// Mermaid `flowchart` text (rendered by GitHub, GitLab, many wikis).
    Mermaid,
    /// Graphviz DOT text (`dot -Tsvg`).
    Dot,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Mermaid => "mermaid",
            Format::Dot => "dot",
        }
    }
}

/// Threat counts per element id, as the threat engine reports them. An empty map
/// draws no counts at all (not zeros): "not analysed" must not read as "no threats".
pub type ThreatCounts = HashMap<String, usize>;

/// Draw the device in the chosen format.
pub fn render(device: &Device, format: Format, threat_counts: &ThreatCounts) -> String {
    match format {
        Format::Svg => to_svg(device, threat_counts),
        Format::Mermaid => to_mermaid(device, threat_counts),
        Format::Dot => to_dot(device, threat_counts),
    }
}

/// The data-flow diagram as a standalone SVG document.
pub fn to_svg(device: &Device, threat_counts: &ThreatCounts) -> String {
    svg::render(&model::Diagram::new(device, threat_counts))
}

/// The data-flow diagram as a Mermaid flowchart.
pub fn to_mermaid(device: &Device, threat_counts: &ThreatCounts) -> String {
    mermaid::render(&model::Diagram::new(device, threat_counts))
}

/// The data-flow diagram as a Graphviz digraph.
pub fn to_dot(device: &Device, threat_counts: &ThreatCounts) -> String {
    dot::render(&model::Diagram::new(device, threat_counts))
}
