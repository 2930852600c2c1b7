//! The global system view: every element and every flow, grouped by trust zone, each
//! flow numbered and marked by its authentication and encryption.

use std::collections::BTreeSet;

use medsec_device::model::{Authentication, Encryption};

use crate::model::Exposure;
use crate::text::one_line;

use super::analysis::{Facts, authentication, encryption, list};
use super::columns::{self, Scene, SceneEdge};
use super::draw::{self, COLOR_PARTIAL, COLOR_UNPROTECTED, Cell, Swatch, Table};
use super::{ArchitectureView, ViewKind, frame, prefix};

pub fn stroke(exposure: Exposure) -> draw::Stroke {
    match exposure {
        Exposure::Normal => draw::NORMAL,
        Exposure::Partial => draw::PARTIAL,
        Exposure::Unprotected => draw::UNPROTECTED,
    }
}

pub fn view(facts: &Facts<'_>) -> ArchitectureView {
    let id = ViewKind::GlobalSystem.as_str();
    let prefix = prefix(id);
    let diagram = facts.diagram;
    let device = facts.device();

    let edges: Vec<SceneEdge> = diagram
        .flows
        .iter()
        .enumerate()
        .map(|(index, edge)| SceneEdge {
            edge: index,
            stroke: stroke(edge.exposure),
            badge: Some((index + 1).to_string()),
        })
        .collect();
    let scene = Scene {
        facts,
        prefix: &prefix,
        elements: vec![true; diagram.elements.len()],
        edges,
        marks: Default::default(),
        threats: diagram.show_counts,
    };
    let drawn = columns::draw(&scene, draw::MARGIN, draw::TITLE_H);

    let rows: Vec<Vec<Cell>> = diagram
        .flows
        .iter()
        .enumerate()
        .map(|(index, edge)| {
            let flow = edge.flow;
            let gap = |missing: bool, text: String| {
                if edge.crossing && missing {
                    Cell::colored(text, COLOR_UNPROTECTED)
                } else {
                    Cell::from(text)
                }
            };
            vec![
                Cell::from((index + 1).to_string()),
                Cell::from(flow.id.as_str()),
                Cell::from(format!(
                    "{} {} {}",
                    diagram.elements[edge.from].element.id,
                    if edge.bidirectional() { "⇄" } else { "→" },
                    diagram.elements[edge.to].element.id
                )),
                Cell::from(flow.protocol.as_str()),
                gap(
                    flow.authentication == Authentication::None,
                    authentication(flow),
                ),
                gap(flow.encryption == Encryption::None, encryption(flow)),
                match (edge.boundary, edge.crossing) {
                    (Some(boundary), _) => Cell::from(boundary.id.as_str()),
                    (None, true) => Cell::colored("crossing, unnamed", COLOR_PARTIAL),
                    (None, false) => Cell::from("—"),
                },
            ]
        })
        .collect();
    let table = Table {
        heading: "Flows (numbers as on the lines)".into(),
        columns: vec![
            ("#", 3),
            ("flow", 30),
            ("from → to", 46),
            ("protocol", 15),
            ("authentication", 26),
            ("encryption", 28),
            ("trust boundary", 26),
        ],
        rows,
        empty: "The model has no flows.".into(),
    };

    let mut legend = draw::shape_legend();
    legend.extend([
        (
            Swatch::Line(draw::NORMAL),
            "flow: inside a zone, or protected".into(),
        ),
        (
            Swatch::Line(draw::PARTIAL),
            "boundary crossing, half protected".into(),
        ),
        (
            Swatch::Line(draw::UNPROTECTED),
            "boundary crossing, unprotected".into(),
        ),
        (
            Swatch::Badge,
            "flow number (table below); ⇄ both ways".into(),
        ),
    ]);
    if diagram.show_counts {
        legend.push((Swatch::Threats, "threats found on the element".into()));
    }

    let crossings: Vec<_> = diagram.flows.iter().filter(|e| e.crossing).collect();
    let unprotected = crossings
        .iter()
        .filter(|e| e.exposure == Exposure::Unprotected)
        .count();
    let partial = crossings
        .iter()
        .filter(|e| e.exposure == Exposure::Partial)
        .count();
    let mut caption = format!(
        "Global system view (FDA premarket guidance, section V.B.2): the {} elements of the device and its environment as the model states them, grouped by their {} trust zones, with all {} flows between them, numbered as in the table. {} flows cross a trust boundary: {} with neither authentication nor encryption, {} with only one of the two.",
        diagram.elements.len(),
        device.trust_zones.len(),
        diagram.flows.len(),
        crossings.len(),
        unprotected,
        partial,
    );
    let mut missing: Vec<String> = Vec::new();
    let drawn_ids: BTreeSet<&str> = diagram.flows.iter().map(|e| e.flow.id.as_str()).collect();
    let dropped: Vec<String> = device
        .flows
        .iter()
        .filter(|f| !drawn_ids.contains(f.id.as_str()))
        .map(|f| f.id.clone())
        .collect();
    if !dropped.is_empty() {
        missing.push(format!(
            "flows that name an unknown element or loop back to their source are not drawn ({})",
            list(&dropped, 6)
        ));
    }
    let orphans: Vec<String> = diagram
        .orphans
        .iter()
        .map(|&e| diagram.elements[e].element.id.clone())
        .collect();
    if !orphans.is_empty() {
        missing.push(format!(
            "elements in an unknown zone are drawn outside every zone ({})",
            list(&orphans, 6)
        ));
    }
    let isolated: Vec<String> = (0..diagram.elements.len())
        .filter(|&e| !diagram.flows.iter().any(|f| f.from == e || f.to == e))
        .map(|e| diagram.elements[e].element.id.clone())
        .collect();
    if !isolated.is_empty() {
        missing.push(format!("no flow is modelled for {}", list(&isolated, 6)));
    }
    let mut unnamed: Vec<String> = crossings
        .iter()
        .filter(|e| e.boundary.is_none())
        .map(|e| {
            let mut pair = [
                diagram.elements[e.from].element.zone.as_str(),
                diagram.elements[e.to].element.zone.as_str(),
            ];
            pair.sort_unstable();
            format!("{} ↔ {}", pair[0], pair[1])
        })
        .collect();
    unnamed.sort();
    unnamed.dedup();
    if !unnamed.is_empty() {
        missing.push(format!("no named boundary between {}", list(&unnamed, 4)));
    }
    let silent: Vec<String> = diagram
        .flows
        .iter()
        .filter(|e| e.flow.data.is_empty())
        .map(|e| e.flow.id.clone())
        .collect();
    if !silent.is_empty() {
        missing.push(format!(
            "flows that name no asset they carry: {}",
            list(&silent, 6)
        ));
    }
    if missing.is_empty() {
        caption.push_str(
            " Every element has at least one flow, and every boundary crossing has a named boundary.",
        );
    } else {
        caption.push_str(" Not stated by the model: ");
        caption.push_str(&missing.join("; "));
        caption.push('.');
    }
    caption.push_str(
        " The model does not give network addresses, ports or the number of device instances; the view shows none.",
    );

    let title = format!(
        "{} {} — global system view",
        one_line(&device.device.name),
        device.device.version
    );
    let subtitle = format!(
        "FDA premarket guidance V.B.2 · {} elements, {} trust zones, {} flows ({} crossing a trust boundary)",
        diagram.elements.len(),
        device.trust_zones.len(),
        diagram.flows.len(),
        crossings.len()
    );
    let svg = frame(
        &prefix,
        (&title, &subtitle, &caption),
        drawn,
        &legend,
        &[table],
    );
    ArchitectureView {
        id: id.to_owned(),
        kind: ViewKind::GlobalSystem,
        title,
        caption,
        svg,
    }
}
