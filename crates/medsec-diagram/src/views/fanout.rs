//! The multi-patient harm view: the elements that serve many device instances, the
//! flows by which they reach the devices, and the worst harm within that reach.
//!
//! The model has no count of device instances, so which elements are shared is inferred
//! by rules stated in the caption: the `cloud-service` technology, a zone that holds such
//! a service, being the origin of update packages, or a name that says it is a shared
//! server ([`SHARED_WORDS`]). People are never taken as shared, and reach stops at them.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use medsec_device::model::{DataClass, Severity};

use crate::text::one_line;

use super::analysis::{Facts, Harm, authentication, encryption, list};
use super::columns::{self, Mark, Scene, SceneEdge};
use super::draw::{
    self, COLOR_MUTED, COLOR_PARTIAL, COLOR_REACH, COLOR_UNPROTECTED, Cell, Note, Swatch, Table,
};
use super::global::stroke;
use super::{ArchitectureView, ViewKind, frame, prefix};

/// Words in an element's id or name that say it serves many devices or patients.
pub const SHARED_WORDS: [&str; 12] = [
    "cloud",
    "server",
    "central",
    "fleet",
    "hub",
    "gateway",
    "backend",
    "back end",
    "back-end",
    "repository",
    "middleware",
    "directory",
];

pub fn severity_color(severity: Severity) -> &'static str {
    match severity {
        Severity::Catastrophic | Severity::Critical => COLOR_UNPROTECTED,
        Severity::Serious => COLOR_PARTIAL,
        Severity::Minor | Severity::Negligible => COLOR_MUTED,
    }
}

fn harm_text(harm: &Harm<'_>) -> String {
    format!(
        "{} ({} {})",
        harm.severity.as_str(),
        harm.asset.id,
        harm.property
    )
}

/// A few words for an element box: why it is taken as shared.
fn short_reason(reason: &str) -> &'static str {
    if reason.starts_with("cloud-service") {
        "shared: cloud service"
    } else if reason.starts_with("in zone") {
        "shared: cloud zone"
    } else if reason.starts_with("origin") {
        "shared: update origin"
    } else {
        "shared: by its name"
    }
}

/// Why each element counts as shared, by element index (file order).
fn shared(facts: &Facts<'_>) -> BTreeMap<usize, String> {
    let diagram = facts.diagram;
    let cloud_zones: BTreeSet<usize> = diagram
        .elements
        .iter()
        .filter(|n| n.element.technologies.iter().any(|t| t == "cloud-service"))
        .filter_map(|n| n.zone)
        .collect();
    let mut receives_update = vec![false; diagram.elements.len()];
    let mut sends_update = vec![false; diagram.elements.len()];
    for (index, edge) in diagram.flows.iter().enumerate() {
        if facts.is_update_edge(index) {
            sends_update[edge.from] = true;
            receives_update[edge.to] = true;
        }
    }
    let mut out = BTreeMap::new();
    for (e, node) in diagram.elements.iter().enumerate() {
        let element = node.element;
        if element.human {
            continue;
        }
        let reason = if element.technologies.iter().any(|t| t == "cloud-service") {
            Some("cloud-service technology".to_owned())
        } else if let Some(zone) = node.zone.and_then(|z| {
            diagram
                .ancestry(z)
                .into_iter()
                .find(|a| cloud_zones.contains(a))
        }) {
            Some(format!(
                "in zone {} with a cloud service",
                diagram.zones[zone].zone.id
            ))
        } else if sends_update[e] && !receives_update[e] {
            Some("origin of update packages".to_owned())
        } else {
            let id = element.id.to_lowercase();
            let name = element.name.to_lowercase();
            SHARED_WORDS
                .iter()
                .find(|w| id.contains(*w) || name.contains(*w))
                .map(|w| format!("name says “{w}”"))
        };
        if let Some(reason) = reason {
            out.insert(e, reason);
        }
    }
    out
}

/// Elements reached from `start` along the flows (both ways on bidirectional flows), not
/// continuing past people; with the flow that first reached each (a breadth-first tree,
/// so the view shows one path to each element rather than every flow).
fn reach(facts: &Facts<'_>, start: usize) -> (BTreeSet<usize>, BTreeSet<usize>) {
    let diagram = facts.diagram;
    let mut seen = BTreeSet::from([start]);
    let mut used = BTreeSet::new();
    let mut queue = VecDeque::from([start]);
    while let Some(at) = queue.pop_front() {
        if at != start && diagram.elements[at].element.human {
            continue;
        }
        for (index, edge) in diagram.flows.iter().enumerate() {
            let next = if edge.from == at {
                edge.to
            } else if edge.to == at && edge.bidirectional() {
                edge.from
            } else {
                continue;
            };
            if seen.insert(next) {
                used.insert(index);
                queue.push_back(next);
            }
        }
    }
    seen.remove(&start);
    (seen, used)
}

pub fn view(facts: &Facts<'_>) -> ArchitectureView {
    let id = ViewKind::MultiPatientHarm.as_str();
    let prefix = prefix(id);
    let diagram = facts.diagram;
    let device = facts.device();
    let shared = shared(facts);

    // One-to-many flows: data can leave a shared element towards one that is not.
    let sends = |index: usize, e: usize| {
        let edge = facts.edge(index);
        edge.from == e || (edge.to == e && edge.bidirectional())
    };
    let fan_flows: Vec<usize> = (0..diagram.flows.len())
        .filter(|&index| {
            let edge = facts.edge(index);
            [edge.from, edge.to].iter().any(|&end| {
                let other = if end == edge.from { edge.to } else { edge.from };
                shared.contains_key(&end) && !shared.contains_key(&other) && sends(index, end)
            })
        })
        .collect();

    let title = format!(
        "{} {} — multi-patient harm view",
        one_line(&device.device.name),
        device.device.version
    );
    if fan_flows.is_empty() {
        return fallback(facts, &prefix, title, &shared);
    }

    let mut reached: BTreeSet<usize> = BTreeSet::new();
    let mut used: BTreeSet<usize> = BTreeSet::new();
    let mut per_shared: BTreeMap<usize, (BTreeSet<usize>, Option<Harm<'_>>)> = BTreeMap::new();
    for &e in shared.keys() {
        let (seen, edges) = reach(facts, e);
        let worst = element_harm(facts, e, &edges)
            .into_iter()
            .chain(seen.iter().filter_map(|&r| element_harm(facts, r, &edges)))
            .fold(None::<Harm<'_>>, |best, h| match best {
                Some(b) if b.severity >= h.severity => Some(b),
                _ => Some(h),
            });
        reached.extend(seen.iter().copied());
        used.extend(edges.iter().copied());
        used.extend(fan_flows.iter().copied());
        per_shared.insert(e, (seen, worst));
    }

    let mut included = vec![false; diagram.elements.len()];
    for &e in shared.keys().chain(reached.iter()) {
        included[e] = true;
    }
    let badge_of: BTreeMap<usize, usize> = fan_flows
        .iter()
        .enumerate()
        .map(|(n, &index)| (index, n + 1))
        .collect();
    let edges: Vec<SceneEdge> = used
        .iter()
        .map(|&index| match badge_of.get(&index) {
            Some(n) => SceneEdge {
                edge: index,
                stroke: draw::REACH,
                badge: Some(n.to_string()),
            },
            None => SceneEdge {
                edge: index,
                stroke: stroke(facts.edge(index).exposure),
                badge: None,
            },
        })
        .collect();
    let mut marks: BTreeMap<usize, Mark> = BTreeMap::new();
    for (&e, reason) in &shared {
        let count = per_shared.get(&e).map_or(0, |(seen, _)| seen.len());
        marks.insert(
            e,
            Mark {
                outline: Some(COLOR_REACH),
                notes: vec![
                    Note::new(short_reason(reason), COLOR_REACH, true),
                    Note::new(format!("reaches {count} element(s)"), COLOR_REACH, false),
                ],
            },
        );
    }
    for &e in &reached {
        if shared.contains_key(&e) {
            continue;
        }
        if let Some(harm) = element_harm(facts, e, &used) {
            marks.insert(
                e,
                Mark {
                    outline: None,
                    notes: vec![
                        Note::new(
                            format!("worst harm: {}", harm.severity.as_str()),
                            severity_color(harm.severity),
                            true,
                        ),
                        Note::new(
                            format!("{} ({})", harm.asset.id, harm.property),
                            COLOR_MUTED,
                            false,
                        ),
                    ],
                },
            );
        }
    }
    let scene = Scene {
        facts,
        prefix: &prefix,
        elements: included,
        edges,
        marks,
        threats: diagram.show_counts,
    };
    let drawn = columns::draw(&scene, draw::MARGIN, draw::TITLE_H);

    let shared_rows: Vec<Vec<Cell>> = shared
        .iter()
        .map(|(&e, reason)| {
            let (seen, worst) = &per_shared[&e];
            vec![
                Cell::from(diagram.elements[e].element.id.as_str()),
                Cell::from(reason.as_str()),
                Cell::from(seen.len().to_string()),
                match worst {
                    Some(h) => Cell::colored(harm_text(h), severity_color(h.severity)),
                    None => Cell::from("no harm stated"),
                },
                Cell::from(worst.and_then(|h| h.text).unwrap_or("")),
            ]
        })
        .collect();
    let flow_rows: Vec<Vec<Cell>> = fan_flows
        .iter()
        .enumerate()
        .map(|(n, &index)| {
            let edge = facts.edge(index);
            let flow = edge.flow;
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
                Cell::from(flow.data.join(", ")),
            ]
        })
        .collect();
    let tables = [
        Table {
            heading: "Elements taken as shared by many devices or patients (inferred; see caption)"
                .into(),
            columns: vec![
                ("element", 24),
                ("why", 34),
                ("reaches", 8),
                ("worst harm within reach", 46),
                ("harm stated in the model", 70),
            ],
            rows: shared_rows,
            empty: String::new(),
        },
        Table {
            heading: "One-to-many flows (numbers as on the lines)".into(),
            columns: vec![
                ("#", 3),
                ("flow", 30),
                ("from → to", 46),
                ("protocol", 15),
                ("authentication", 26),
                ("encryption", 28),
                ("assets carried", 50),
            ],
            rows: flow_rows,
            empty: String::new(),
        },
    ];
    let mut legend = draw::shape_legend();
    legend.extend([
        (
            Swatch::Outline(COLOR_REACH),
            "shared by many devices (inferred)".into(),
        ),
        (
            Swatch::Line(draw::REACH),
            "one-to-many flow (numbered)".into(),
        ),
        (
            Swatch::Line(draw::NORMAL),
            "first flow reaching an element".into(),
        ),
        (
            Swatch::Line(draw::PARTIAL),
            "the same, crossing half protected".into(),
        ),
        (
            Swatch::Line(draw::UNPROTECTED),
            "the same, crossing unprotected".into(),
        ),
    ]);

    let overall =
        per_shared
            .values()
            .filter_map(|(_, worst)| *worst)
            .fold(None::<Harm<'_>>, |best, h| match best {
                Some(b) if b.severity >= h.severity => Some(b),
                _ => Some(h),
            });
    let shared_list: Vec<String> = shared
        .iter()
        .map(|(&e, reason)| format!("{} ({reason})", diagram.elements[e].element.id))
        .collect();
    let fan_ids: Vec<String> = fan_flows
        .iter()
        .map(|&i| facts.edge(i).flow.id.clone())
        .collect();
    let mut caption = format!(
        "Multi-patient harm view (FDA premarket guidance, section V.B.2): the paths by which one compromise can reach many devices or patients. The model states no number of device instances, so an element is taken as shared by many when it uses the cloud-service technology, sits in a zone holding such a service, is the origin of update packages, or its id or name says {}; people are never taken as shared. Taken as shared: {}. {} one-to-many flow(s) leave them ({}); following the flows from them (both ways where a flow is bidirectional, stopping at people) reaches {} element(s); the view draws the first flow that reaches each.",
        SHARED_WORDS.join(", "),
        list(&shared_list, 8),
        fan_flows.len(),
        list(&fan_ids, 8),
        reached.iter().filter(|e| !shared.contains_key(e)).count(),
    );
    if let Some(h) = overall {
        caption.push_str(&format!(
            " The worst harm within reach is {} ({} of {}){}.",
            h.severity.as_str(),
            h.property,
            h.asset.id,
            h.text
                .map(|t| format!(": {}", one_line(t)))
                .unwrap_or_default()
        ));
    }
    let secrets: BTreeSet<&str> = fan_flows
        .iter()
        .flat_map(|&i| facts.edge(i).flow.data.iter())
        .chain(
            shared
                .keys()
                .flat_map(|&e| diagram.elements[e].element.assets.iter()),
        )
        .map(String::as_str)
        .filter(|a| {
            facts
                .asset(a)
                .is_some_and(|asset| asset.data_classes.contains(&DataClass::SystemSecrets))
        })
        .collect();
    if secrets.is_empty() {
        caption.push_str(" No asset of the system-secrets class is held by a shared element or carried on a one-to-many flow.");
    } else {
        caption.push_str(&format!(
            " Secrets held by shared elements or carried on one-to-many flows: {}.",
            secrets.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    caption.push_str(" Not stated by the model: how many devices each shared element serves, and whether credentials are shared between devices; confirm both against the design.");
    let subtitle = format!(
        "FDA premarket guidance V.B.2 · {} element(s) taken as shared, {} one-to-many flow(s), worst harm within reach: {}",
        shared.len(),
        fan_flows.len(),
        overall.map_or("none stated", |h| h.severity.as_str())
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
        kind: ViewKind::MultiPatientHarm,
        title,
        caption,
        svg,
    }
}

/// The worst harm of what an element holds or receives over the given edges.
fn element_harm<'a>(facts: &Facts<'a>, e: usize, edges: &BTreeSet<usize>) -> Option<Harm<'a>> {
    let diagram = facts.diagram;
    let held = diagram.elements[e].element.assets.iter();
    let received = edges
        .iter()
        .map(|&i| facts.edge(i))
        .filter(|edge| edge.to == e || (edge.from == e && edge.bidirectional()))
        .flat_map(|edge| edge.flow.data.iter());
    facts.worst_of(held.chain(received).map(String::as_str))
}

/// No one-to-many path: the device with its external connections (the flows that cross
/// a trust boundary), and a caption that says so.
fn fallback(
    facts: &Facts<'_>,
    prefix: &str,
    title: String,
    shared: &BTreeMap<usize, String>,
) -> ArchitectureView {
    let diagram = facts.diagram;
    let crossing: Vec<usize> = (0..diagram.flows.len())
        .filter(|&i| facts.edge(i).crossing)
        .collect();
    let mut included = vec![false; diagram.elements.len()];
    for &i in &crossing {
        included[facts.edge(i).from] = true;
        included[facts.edge(i).to] = true;
    }
    let edges: Vec<SceneEdge> = crossing
        .iter()
        .enumerate()
        .map(|(n, &i)| SceneEdge {
            edge: i,
            stroke: stroke(facts.edge(i).exposure),
            badge: Some((n + 1).to_string()),
        })
        .collect();
    let scene = Scene {
        facts,
        prefix,
        elements: included,
        edges,
        marks: BTreeMap::new(),
        threats: diagram.show_counts,
    };
    let drawn = columns::draw(&scene, draw::MARGIN, draw::TITLE_H);
    let rows: Vec<Vec<Cell>> = crossing
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let edge = facts.edge(i);
            vec![
                Cell::from((n + 1).to_string()),
                Cell::from(edge.flow.id.as_str()),
                Cell::from(format!(
                    "{} → {}",
                    diagram.elements[edge.from].element.id, diagram.elements[edge.to].element.id
                )),
                Cell::from(edge.flow.protocol.as_str()),
                Cell::from(authentication(edge.flow)),
                Cell::from(encryption(edge.flow)),
            ]
        })
        .collect();
    let table = Table {
        heading: "External connections (flows crossing a trust boundary)".into(),
        columns: vec![
            ("#", 3),
            ("flow", 30),
            ("from → to", 46),
            ("protocol", 15),
            ("authentication", 26),
            ("encryption", 28),
        ],
        rows,
        empty: "The model has no flow crossing a trust boundary.".into(),
    };
    let mut legend = draw::shape_legend();
    legend.extend([
        (
            Swatch::Line(draw::NORMAL),
            "crossing, authenticated and encrypted".into(),
        ),
        (
            Swatch::Line(draw::PARTIAL),
            "crossing, half protected".into(),
        ),
        (
            Swatch::Line(draw::UNPROTECTED),
            "crossing, unprotected".into(),
        ),
    ]);
    let mut caption = String::from(
        "Multi-patient harm view (FDA premarket guidance, section V.B.2): the model states no one-to-many path. No element uses the cloud-service technology, sits in a zone holding such a service, originates update packages or is named as a shared server",
    );
    if !shared.is_empty() {
        let ids: Vec<String> = shared
            .keys()
            .map(|&e| diagram.elements[e].element.id.clone())
            .collect();
        caption.push_str(&format!(
            " with a flow to an element that is not shared (taken as shared but reaching nothing: {})",
            list(&ids, 6)
        ));
    }
    caption.push_str(&format!(
        ", so the view draws the device with its {} external connection(s) instead. Not stated by the model: how many devices share a server, network or credential; if any do, model that element and its flows.",
        crossing.len()
    ));
    let subtitle = "FDA premarket guidance V.B.2 · no one-to-many path in the model; external connections shown".to_owned();
    let svg = frame(
        prefix,
        (&title, &subtitle, &caption),
        drawn,
        &legend,
        &[table],
    );
    ArchitectureView {
        id: ViewKind::MultiPatientHarm.as_str().to_owned(),
        kind: ViewKind::MultiPatientHarm,
        title,
        caption,
        svg,
    }
}
