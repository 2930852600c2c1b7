//! The four architecture views of the FDA premarket cybersecurity guidance (section
//! V.B.2), drawn as SVG from the device model alone.
//!
//! The guidance asks for views that together show the whole system, the paths by which
//! one compromise can harm many patients, how software is updated, and the security of
//! the main use cases. Each view here is derived only from what `device.yaml` states:
//!
//! - [`ViewKind::GlobalSystem`]: every element grouped by trust zone, every flow, each
//!   flow marked by its authentication and encryption (numbered, with a table).
//! - [`ViewKind::MultiPatientHarm`]: the elements that serve many device instances
//!   (found by stated rules, since the model has no instance counts), what each can reach
//!   by following the flows, and the worst harm of the assets within that reach.
//! - [`ViewKind::Updatability`]: the update chain: where update packages come from, the
//!   flows that carry them, the elements that run software, the integrity controls on
//!   the chain, and the software that no update flow reaches.
//! - [`ViewKind::SecurityUseCase`]: one sequence diagram per significant flow sequence
//!   that carries a protected asset across a trust boundary, with the controls declared
//!   on each step; at most [`MAX_USE_CASES`], the most severe first.
//!
//! Every view comes with a caption that says what it shows and what the model did not
//! say. Output is deterministic (same model, same bytes). Every `id` attribute and every
//! `url(#…)` reference in a view starts with that view's prefix (`av-<view id>-`), so
//! several views can be inlined into one HTML page.
//!
//! The drawings share one layout (`columns`): trust zones become columns of stacked
//! element boxes, and flows are routed orthogonally through the gaps between columns
//! and through corridors above and below them, so no flow line crosses an element box.

use std::collections::HashMap;

use medsec_device::Device;

use crate::ThreatCounts;
use crate::model::Diagram;

mod analysis;
mod columns;
mod draw;
mod fanout;
mod global;
mod update;
mod usecase;

/// The most security use case views drawn for one device.
pub const MAX_USE_CASES: usize = 4;

/// Software components per element id, as counted from each element's SBOM (for example
/// `medsec_device::summary::summarise(..).software`). Inline components listed in the
/// device file are always counted; this adds the SBOM files, which this crate does not
/// read.
pub type ComponentCounts = HashMap<String, usize>;

/// Which of the guidance's views a drawing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViewKind {
    GlobalSystem,
    MultiPatientHarm,
    Updatability,
    SecurityUseCase,
}

impl ViewKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ViewKind::GlobalSystem => "global-system",
            ViewKind::MultiPatientHarm => "multi-patient-harm",
            ViewKind::Updatability => "updatability",
            ViewKind::SecurityUseCase => "security-use-case",
        }
    }
}

/// One architecture view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchitectureView {
    /// `global-system`, `multi-patient-harm`, `updatability`, `security-use-case-<n>`
    /// (n from 1), or `security-use-cases` when the model supports none.
    pub id: String,
    pub kind: ViewKind,
    pub title: String,
    /// What the view shows and what the model did not say, in plain sentences.
    pub caption: String,
    /// A standalone SVG document; its ids all start with `av-<id>-`.
    pub svg: String,
}

/// The architecture views of a device: global system, multi-patient harm, updatability,
/// then the security use cases. Element boxes carry threat counts where given (an empty
/// map draws none). SBOM files are not read here, so their components are not counted;
/// use [`architecture_views_with_components`] to add those counts.
pub fn architecture_views(device: &Device, threat_counts: &ThreatCounts) -> Vec<ArchitectureView> {
    architecture_views_with_components(device, threat_counts, &ComponentCounts::new())
}

/// As [`architecture_views`], with the number of components of each element's SBOM
/// (by element id) shown in the updatability view.
pub fn architecture_views_with_components(
    device: &Device,
    threat_counts: &ThreatCounts,
    components: &ComponentCounts,
) -> Vec<ArchitectureView> {
    let diagram = Diagram::new(device, threat_counts);
    let facts = analysis::Facts::new(&diagram);
    let mut views = vec![
        global::view(&facts),
        fanout::view(&facts),
        update::view(&facts, components),
    ];
    views.extend(usecase::views(&facts));
    views
}

/// The prefix of every id in a view.
fn prefix(id: &str) -> String {
    format!("av-{id}")
}

/// Put a drawn scene, its legend and its tables into one document.
fn frame(
    prefix: &str,
    text: (&str, &str, &str),
    drawn: columns::Drawn,
    legend: &[(draw::Swatch, String)],
    tables: &[draw::Table],
) -> String {
    let (title, subtitle, caption) = text;
    let content_w = tables
        .iter()
        .map(draw::Table::width)
        .fold(drawn.width, f64::max)
        .max(4.0 * 310.0);
    let mut body = drawn.body;
    let mut y = draw::TITLE_H + drawn.height + 16.0;
    draw::legend(&mut body, prefix, legend, draw::MARGIN, y, content_w);
    y += draw::legend_height(legend.len(), content_w) + 8.0;
    for (index, table) in tables.iter().enumerate() {
        table.draw(
            &mut body,
            &format!("{prefix}-table-{index}"),
            draw::MARGIN,
            y,
        );
        y += table.height() + 8.0;
    }
    draw::document(
        prefix,
        (content_w + 2.0 * draw::MARGIN, y + draw::MARGIN),
        title,
        subtitle,
        caption,
        &body,
    )
}
