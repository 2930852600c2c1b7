//! The updatability and patchability view: where update packages come from, the flows
//! that carry them, the elements that run software, the integrity controls on that
//! chain, and the software no update flow reaches.
//!
//! An update package is an asset whose id or name says so ([`UPDATE_WORDS`]); the model
//! has no field for it. An element "has an update path" when an update flow reaches it.

use std::collections::{BTreeMap, BTreeSet};

use medsec_device::model::{Element, ElementKind, Stride};

use crate::text::one_line;

use super::analysis::{Facts, UPDATE_WORDS, authentication, encryption, list, stride_letters};
use super::columns::{self, Mark, Scene, SceneEdge};
use super::draw::{
    self, COLOR_MUTED, COLOR_OK, COLOR_UNPROTECTED, COLOR_UPDATE, Cell, Note, Swatch, Table,
};
use super::{ArchitectureView, ComponentCounts, ViewKind, frame, prefix};

/// What an element runs, in a few words.
fn software_text(element: &Element, components: &ComponentCounts) -> Option<String> {
    let software = element.software.as_ref()?;
    let inline = software.components.len();
    let text = match (&software.sbom, components.get(&element.id)) {
        (Some(sbom), Some(n)) if inline > 0 => {
            format!("SBOM {sbom} ({n} components) + {inline} inline")
        }
        (Some(sbom), Some(n)) => format!("SBOM {sbom} ({n} components)"),
        (Some(sbom), None) if inline > 0 => format!("SBOM {sbom} + {inline} inline"),
        (Some(sbom), None) => format!("SBOM {sbom}"),
        (None, _) => format!("{inline} inline component(s)"),
    };
    Some(text)
}

pub fn view(facts: &Facts<'_>, components: &ComponentCounts) -> ArchitectureView {
    let id = ViewKind::Updatability.as_str();
    let prefix = prefix(id);
    let diagram = facts.diagram;
    let device = facts.device();

    let update_edges: Vec<usize> = (0..diagram.flows.len())
        .filter(|&i| facts.is_update_edge(i))
        .collect();
    let mut receives: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut sends: BTreeSet<usize> = BTreeSet::new();
    for &i in &update_edges {
        let edge = facts.edge(i);
        receives.entry(edge.to).or_default().push(i);
        sends.insert(edge.from);
        if edge.bidirectional() {
            sends.insert(edge.to);
        }
    }
    let sources: Vec<usize> = sends
        .iter()
        .copied()
        .filter(|e| !receives.contains_key(e))
        .collect();
    let chain: BTreeSet<usize> = sends.iter().chain(receives.keys()).copied().collect();
    let software: Vec<usize> = (0..diagram.elements.len())
        .filter(|&e| diagram.elements[e].element.software.is_some())
        .collect();

    // Integrity (tampering) controls on the chain, and which update flows have one.
    let tampering = |target: &str| -> Vec<String> {
        facts
            .controls_on(target)
            .into_iter()
            .filter(|(_, stride)| stride.contains(&Stride::Tampering))
            .map(|(control, _)| control.id.clone())
            .collect()
    };
    let edge_controls: BTreeMap<usize, Vec<String>> = update_edges
        .iter()
        .map(|&i| {
            let edge = facts.edge(i);
            let mut ids = tampering(&edge.flow.id);
            for id in tampering(&diagram.elements[edge.to].element.id) {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            (i, ids)
        })
        .collect();
    let chain_targets: BTreeSet<&str> = update_edges
        .iter()
        .map(|&i| facts.edge(i).flow.id.as_str())
        .chain(
            chain
                .iter()
                .map(|&e| diagram.elements[e].element.id.as_str()),
        )
        .collect();
    let integrity_controls: Vec<(String, String, Vec<String>)> = device
        .controls
        .iter()
        .filter_map(|control| {
            let targets: Vec<String> = control
                .mitigates
                .iter()
                .filter(|m| {
                    chain_targets.contains(m.target.as_str())
                        && m.stride.contains(&Stride::Tampering)
                })
                .map(|m| format!("{} ({})", m.target, stride_letters(&m.stride)))
                .collect();
            (!targets.is_empty()).then(|| (control.id.clone(), one_line(&control.name), targets))
        })
        .collect();

    let mut included = vec![false; diagram.elements.len()];
    for &e in chain.iter().chain(&software) {
        included[e] = true;
    }
    let edges: Vec<SceneEdge> = update_edges
        .iter()
        .enumerate()
        .map(|(n, &i)| SceneEdge {
            edge: i,
            stroke: if edge_controls.get(&i).is_some_and(|c| !c.is_empty()) {
                draw::UPDATE
            } else {
                draw::UPDATE_UNCHECKED
            },
            badge: Some((n + 1).to_string()),
        })
        .collect();
    let mut marks: BTreeMap<usize, Mark> = BTreeMap::new();
    let no_path: Vec<usize> = software
        .iter()
        .copied()
        .filter(|e| !receives.contains_key(e))
        .collect();
    for (e, _) in included.iter().enumerate().filter(|(_, shown)| **shown) {
        let element = diagram.elements[e].element;
        let mut mark = Mark::default();
        if sources.contains(&e) {
            mark.outline = Some(COLOR_UPDATE);
            mark.notes
                .push(Note::new("update source", COLOR_UPDATE, true));
        }
        if let Some(text) = software_text(element, components) {
            mark.notes.push(Note::new(text, COLOR_MUTED, false));
        }
        if no_path.contains(&e) {
            mark.outline = Some(COLOR_UNPROTECTED);
            mark.notes.push(Note::new(
                "no update path modelled",
                COLOR_UNPROTECTED,
                true,
            ));
        }
        let controls = tampering(&element.id);
        if chain.contains(&e) && !controls.is_empty() {
            mark.notes.push(Note::new(
                format!("integrity: {}", controls.join(", ")),
                COLOR_OK,
                false,
            ));
        }
        if mark.outline.is_some() || !mark.notes.is_empty() {
            marks.insert(e, mark);
        }
    }
    let scene = Scene {
        facts,
        prefix: &prefix,
        elements: included,
        edges,
        marks,
        threats: false,
    };
    let drawn = columns::draw(&scene, draw::MARGIN, draw::TITLE_H);

    let flow_rows: Vec<Vec<Cell>> = update_edges
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let edge = facts.edge(i);
            let flow = edge.flow;
            let controls = edge_controls.get(&i).cloned().unwrap_or_default();
            vec![
                Cell::from((n + 1).to_string()),
                Cell::from(flow.id.as_str()),
                Cell::from(format!(
                    "{} {} {}",
                    diagram.elements[edge.from].element.id,
                    if edge.bidirectional() { "⇄" } else { "→" },
                    diagram.elements[edge.to].element.id
                )),
                Cell::from(flow.protocol.as_str()),
                Cell::from(authentication(flow)),
                Cell::from(encryption(flow)),
                if controls.is_empty() {
                    Cell::colored("none on flow or receiver", COLOR_UNPROTECTED)
                } else {
                    Cell::colored(controls.join(", "), COLOR_OK)
                },
            ]
        })
        .collect();
    let software_rows: Vec<Vec<Cell>> = software
        .iter()
        .map(|&e| {
            let element = diagram.elements[e].element;
            vec![
                Cell::from(element.id.as_str()),
                Cell::from(element.kind.as_str()),
                Cell::from(software_text(element, components).unwrap_or_default()),
                match receives.get(&e) {
                    Some(flows) => Cell::colored(
                        format!(
                            "via {}",
                            flows
                                .iter()
                                .map(|&i| facts.edge(i).flow.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        COLOR_OK,
                    ),
                    None => Cell::colored("none modelled", COLOR_UNPROTECTED),
                },
            ]
        })
        .collect();
    let control_rows: Vec<Vec<Cell>> = integrity_controls
        .iter()
        .map(|(id, name, targets)| {
            vec![
                Cell::from(id.as_str()),
                Cell::from(name.as_str()),
                Cell::from(targets.join(", ")),
            ]
        })
        .collect();
    let tables = [
        Table {
            heading: "Flows carrying update packages (numbers as on the lines)".into(),
            columns: vec![
                ("#", 3),
                ("flow", 30),
                ("from → to", 46),
                ("protocol", 15),
                ("authentication", 24),
                ("encryption", 26),
                ("integrity controls", 40),
            ],
            rows: flow_rows,
            empty: "No flow carries an update package.".into(),
        },
        Table {
            heading: "Software and its update path".into(),
            columns: vec![
                ("element", 24),
                ("kind", 15),
                ("software", 60),
                ("update path", 60),
            ],
            rows: software_rows,
            empty: "No element states the software it runs.".into(),
        },
        Table {
            heading: "Integrity controls on the update chain (targets, STRIDE letters)".into(),
            columns: vec![("control", 24), ("name", 70), ("targets on the chain", 80)],
            rows: control_rows,
            empty: "No control mitigates tampering on the update chain.".into(),
        },
    ];
    let mut legend = draw::shape_legend();
    legend.extend([
        (
            Swatch::Line(draw::UPDATE),
            "update flow with an integrity control".into(),
        ),
        (
            Swatch::Line(draw::UPDATE_UNCHECKED),
            "update flow, no integrity control".into(),
        ),
        (Swatch::Outline(COLOR_UPDATE), "update source".into()),
        (
            Swatch::Outline(COLOR_UNPROTECTED),
            "runs software, no update path".into(),
        ),
    ]);

    // Caption.
    let ids = |set: &mut dyn Iterator<Item = usize>| -> Vec<String> {
        set.map(|e| diagram.elements[e].element.id.clone())
            .collect()
    };
    let mut caption = String::from(
        "Updatability and patchability view (FDA premarket guidance, section V.B.2): ",
    );
    let declared: Vec<&str> = device
        .functionalities
        .iter()
        .map(String::as_str)
        .filter(|f| *f == "remote-update" || *f == "local-update")
        .collect();
    let rule = format!(
        "an asset counts as an update package when its id or name says {} and it is not of the system-secrets class",
        UPDATE_WORDS.join(", ")
    );
    if update_edges.is_empty() {
        caption.push_str("No update path is modelled: ");
        if facts.update_assets.is_empty() {
            caption.push_str(&format!("no asset is an update package ({rule})"));
        } else {
            caption.push_str(&format!(
                "the update package assets ({}) are carried by no flow",
                facts.update_assets.join(", ")
            ));
        }
        caption.push_str(", so no update server is modelled either.");
        if !declared.is_empty() {
            caption.push_str(&format!(
                " The device declares {} all the same.",
                declared.join(" and ")
            ));
        }
    } else {
        let source_ids = ids(&mut sources.iter().copied());
        caption.push_str(&format!(
            "update packages ({}; {rule}) travel over {} flow(s) between {} element(s).",
            facts.update_assets.join(", "),
            update_edges.len(),
            chain.len()
        ));
        if sources.is_empty() {
            caption.push_str(" No update server is modelled: every element on the chain also receives packages, so the model does not say where they come from.");
        } else {
            caption.push_str(&format!(" They start at {}.", list(&source_ids, 6)));
            let unsaid: Vec<String> = sources
                .iter()
                .filter(|&&e| {
                    let element = diagram.elements[e].element;
                    element.human || element.kind != ElementKind::Process
                })
                .map(|&e| diagram.elements[e].element.id.clone())
                .collect();
            if !unsaid.is_empty() {
                caption.push_str(&format!(
                    " The model does not say where {} obtains the packages.",
                    list(&unsaid, 4)
                ));
            }
        }
        let unchecked: Vec<String> = update_edges
            .iter()
            .filter(|i| edge_controls.get(i).is_none_or(Vec::is_empty))
            .map(|&i| facts.edge(i).flow.id.clone())
            .collect();
        if unchecked.is_empty() {
            caption.push_str(" Every update flow has an integrity (tampering) control on the flow or its receiving element.");
        } else {
            caption.push_str(&format!(
                " Update flows with no integrity (tampering) control on the flow or its receiving element: {}.",
                list(&unchecked, 8)
            ));
        }
        if declared.is_empty() {
            caption.push_str(" The device declares neither remote-update nor local-update.");
        }
    }
    caption.push_str(&format!(
        " {} element(s) state the software they run",
        software.len()
    ));
    if no_path.is_empty() {
        caption.push('.');
    } else {
        caption.push_str(&format!(
            "; no update flow reaches {}.",
            list(&ids(&mut no_path.iter().copied()), 8)
        ));
    }
    if !update_edges.is_empty() {
        caption.push_str(" The model does not say which element's software each package updates: an element reached by an update flow may only relay it.");
    }
    if components.is_empty()
        && software.iter().any(|&e| {
            diagram.elements[e]
                .element
                .software
                .as_ref()
                .is_some_and(|s| s.sbom.is_some())
        })
    {
        caption.push_str(" SBOM components are not counted in this view.");
    }

    let title = format!(
        "{} {} — updatability and patchability view",
        one_line(&device.device.name),
        device.device.version
    );
    let subtitle = format!(
        "FDA premarket guidance V.B.2 · {} update flow(s), {} source(s), {} element(s) with software, {} without an update path",
        update_edges.len(),
        sources.len(),
        software.len(),
        no_path.len()
    );
    let svg = frame(
        &prefix,
        (&title, &subtitle, &caption),
        drawn,
        &legend,
        &tables,
    );
    ArchitectureView {
        id: id.to_owned(),
        kind: ViewKind::Updatability,
        title,
        caption,
        svg,
    }
}
