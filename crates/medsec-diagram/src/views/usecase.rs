//! Security use case views: for the most severe protected assets, the longest sequence
//! of flows that carries the asset across trust boundaries (in the flows' stated
//! direction), drawn as a sequence diagram with the controls declared on each step.
//!
//! Derivation, deterministic: for each asset with a declared harm, among the simple
//! paths along flows that carry it, take the one with the most boundary crossings, then
//! the most steps, then the first found (flows and elements in file order). Paths with
//! no crossing are dropped; a path contained in one already chosen adds its asset to that
//! one. Use cases are ordered by the asset's worst harm, then crossings, then steps,
//! then the asset's place in the file, and capped at [`MAX_USE_CASES`].

use std::fmt::Write as _;

use crate::model::Exposure;
use crate::text::{num, one_line, xml};

use super::analysis::{Facts, Harm, authentication, encryption, list, stride_letters, worst_harm};
use super::draw::{
    self, COLOR_BOUNDARY, COLOR_MUTED, COLOR_OK, COLOR_TEXT, COLOR_UNPROTECTED, Cell, Swatch,
    Table, element_box, element_height, truncate, zone_fill,
};
use super::global::stroke;
use super::{ArchitectureView, MAX_USE_CASES, ViewKind, prefix};

/// Bounds on the path search (a hostile model must not make it explode).
const MAX_DEPTH: usize = 12;
const MAX_EXPANSIONS: usize = 20_000;

struct UseCase<'a> {
    harm: Harm<'a>,
    steps: Vec<usize>,
    crossings: usize,
    also: Vec<&'a str>,
}

struct Search<'f, 'a> {
    facts: &'f Facts<'a>,
    edges: Vec<usize>,
    path: Vec<usize>,
    visited: Vec<bool>,
    best: Option<(usize, Vec<usize>)>,
    budget: usize,
}

impl Search<'_, '_> {
    fn key(&self, path: &[usize]) -> (usize, usize) {
        let crossings = path
            .iter()
            .filter(|&&i| self.facts.edge(i).crossing)
            .count();
        (crossings, path.len())
    }

    fn walk(&mut self, at: usize) {
        if self.budget == 0 {
            return;
        }
        self.budget -= 1;
        if !self.path.is_empty() {
            let key = self.key(&self.path);
            let better = match &self.best {
                None => true,
                Some((_, best)) => key > self.key(best),
            };
            if better {
                self.best = Some((key.0, self.path.clone()));
            }
        }
        if self.path.len() >= MAX_DEPTH {
            return;
        }
        for k in 0..self.edges.len() {
            let index = self.edges[k];
            let edge = self.facts.edge(index);
            if edge.from != at || self.visited[edge.to] {
                continue;
            }
            self.visited[edge.to] = true;
            self.path.push(index);
            self.walk(edge.to);
            self.path.pop();
            self.visited[edge.to] = false;
        }
    }
}

fn best_path(facts: &Facts<'_>, asset: &str) -> Option<(usize, Vec<usize>)> {
    let diagram = facts.diagram;
    let edges: Vec<usize> = (0..diagram.flows.len())
        .filter(|&i| facts.edge(i).flow.data.iter().any(|d| d == asset))
        .collect();
    let mut search = Search {
        facts,
        edges,
        path: Vec::new(),
        visited: vec![false; diagram.elements.len()],
        best: None,
        budget: MAX_EXPANSIONS,
    };
    for start in 0..diagram.elements.len() {
        if !search.edges.iter().any(|&i| facts.edge(i).from == start) {
            continue;
        }
        search.visited[start] = true;
        search.walk(start);
        search.visited[start] = false;
    }
    search.best.filter(|(crossings, _)| *crossings > 0)
}

fn contains(haystack: &[usize], needle: &[usize]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

fn use_cases<'a>(facts: &Facts<'a>) -> Vec<UseCase<'a>> {
    let mut candidates: Vec<UseCase<'a>> = facts
        .device()
        .assets
        .iter()
        .filter_map(|asset| {
            let harm = worst_harm(asset)?;
            let (crossings, steps) = best_path(facts, &asset.id)?;
            Some(UseCase {
                harm,
                steps,
                crossings,
                also: Vec::new(),
            })
        })
        .collect();
    candidates.sort_by(|a, b| {
        b.harm
            .severity
            .cmp(&a.harm.severity)
            .then(b.crossings.cmp(&a.crossings))
            .then(b.steps.len().cmp(&a.steps.len()))
            .then(
                facts
                    .asset_rank(&a.harm.asset.id)
                    .cmp(&facts.asset_rank(&b.harm.asset.id)),
            )
    });
    let mut chosen: Vec<UseCase<'a>> = Vec::new();
    for candidate in candidates {
        if let Some(host) = chosen
            .iter_mut()
            .find(|c| contains(&c.steps, &candidate.steps))
        {
            host.also.push(&candidate.harm.asset.id);
            continue;
        }
        if chosen.len() < MAX_USE_CASES {
            chosen.push(candidate);
        }
    }
    chosen
}

pub fn views(facts: &Facts<'_>) -> Vec<ArchitectureView> {
    let cases = use_cases(facts);
    if cases.is_empty() {
        return vec![none(facts)];
    }
    cases
        .iter()
        .enumerate()
        .map(|(n, case)| view(facts, n + 1, case))
        .collect()
}

fn none(facts: &Facts<'_>) -> ArchitectureView {
    let id = "security-use-cases";
    let prefix = prefix(id);
    let device = facts.device();
    let title = format!(
        "{} {} — security use case views",
        one_line(&device.device.name),
        device.device.version
    );
    let caption = "Security use case views (FDA premarket guidance, section V.B.2): the model supports none. No sequence of flows carries an asset with a declared harm across a trust boundary; name the assets each flow carries (flow data) and their harms to derive the use cases.".to_owned();
    let mut body = String::new();
    let _ = writeln!(
        body,
        r##"<text x="{}" y="{}" font-size="12" fill="{COLOR_TEXT}">No flow sequence in the model carries a protected asset across a trust boundary.</text>"##,
        num(draw::MARGIN),
        num(draw::TITLE_H + 20.0)
    );
    let svg = draw::document(
        &prefix,
        (900.0, draw::TITLE_H + 50.0),
        &title,
        "FDA premarket guidance V.B.2 · no use case derived",
        &caption,
        &body,
    );
    ArchitectureView {
        id: id.to_owned(),
        kind: ViewKind::SecurityUseCase,
        title,
        caption,
        svg,
    }
}

const COL_W: f64 = 210.0;
const BOX_W: f64 = 180.0;
const ROW: f64 = 62.0;
const DETAIL_W: f64 = 620.0;

fn view(facts: &Facts<'_>, n: usize, case: &UseCase<'_>) -> ArchitectureView {
    let id = format!("{}-{n}", ViewKind::SecurityUseCase.as_str());
    let prefix = prefix(&id);
    let diagram = facts.diagram;
    let device = facts.device();
    let asset = case.harm.asset;

    let mut participants: Vec<usize> = Vec::new();
    for &i in &case.steps {
        let edge = facts.edge(i);
        for e in [edge.from, edge.to] {
            if !participants.contains(&e) {
                participants.push(e);
            }
        }
    }
    let column = |e: usize| participants.iter().position(|&p| p == e).unwrap_or(0);
    let lifeline_x = |k: usize| draw::MARGIN + k as f64 * COL_W + BOX_W / 2.0;
    let canvas_w = (participants.len() as f64 * COL_W + 2.0 * draw::MARGIN)
        .max(DETAIL_W + 2.0 * draw::MARGIN)
        .max(4.0 * 310.0 + 2.0 * draw::MARGIN);
    let box_h = participants
        .iter()
        .map(|&e| element_height(diagram.elements[e].element, BOX_W, 0))
        .fold(0.0, f64::max);
    let zone_y = draw::TITLE_H;
    let box_y = zone_y + 36.0;
    let first_step = box_y + box_h + 40.0;
    let end_y = first_step + case.steps.len() as f64 * ROW;

    let mut body = String::new();
    // Participants with their zones.
    let _ = writeln!(body, r#"<g id="{prefix}-participants">"#);
    for (k, &e) in participants.iter().enumerate() {
        let node = &diagram.elements[e];
        let x = draw::MARGIN + k as f64 * COL_W;
        if let Some(z) = node.zone {
            let zone = diagram.zones[z].zone;
            let _ = write!(
                body,
                r##"<g class="zone-tag"><title>trust zone {zid} ({zname}), trust {trust}</title><rect x="{x}" y="{y}" width="{w}" height="30" rx="5" fill="{fill}" stroke="#546e7a" stroke-dasharray="7 4"/><text x="{tx}" y="{ty1}" font-size="10" font-weight="bold" fill="#37474f">{name}</text><text x="{tx}" y="{ty2}" font-size="9" fill="#37474f"><tspan font-family="{mono}">{zid}</tspan> · trust: {trust}</text></g>"##,
                zid = xml(&zone.id),
                zname = xml(&one_line(&zone.name)),
                trust = crate::model::trust_str(zone.trust),
                x = num(x),
                y = num(zone_y),
                w = num(BOX_W),
                fill = zone_fill(zone.trust),
                tx = num(x + 6.0),
                ty1 = num(zone_y + 12.0),
                ty2 = num(zone_y + 25.0),
                name = xml(&truncate(&one_line(&zone.name), 28)),
                mono = draw::MONO,
            );
        }
        let _ = write!(
            body,
            r##"<line x1="{lx}" y1="{y1}" x2="{lx}" y2="{y2}" stroke="#90a4ae" stroke-width="1.2" stroke-dasharray="4 4"/>"##,
            lx = num(lifeline_x(k)),
            y1 = num(box_y + box_h),
            y2 = num(end_y),
        );
        element_box(
            &mut body,
            &format!("{prefix}-participant-{k}"),
            node.element,
            node.zone
                .map(|z| diagram.zones[z].zone.id.as_str())
                .unwrap_or("?"),
            (x, box_y, BOX_W, box_h),
            None,
            &[],
            None,
        );
    }
    let _ = writeln!(body, "</g>");

    // Steps.
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut uncontrolled: Vec<String> = Vec::new();
    let _ = writeln!(body, r#"<g id="{prefix}-steps">"#);
    for (s, &i) in case.steps.iter().enumerate() {
        let edge = facts.edge(i);
        let flow = edge.flow;
        let (a, b) = (column(edge.from), column(edge.to));
        let y = first_step + s as f64 * ROW + 18.0;
        let (xa, xb) = (lifeline_x(a), lifeline_x(b));
        let st = stroke(edge.exposure);
        let to_id = &diagram.elements[edge.to].element.id;
        let on_flow: Vec<String> = facts
            .controls_on(&flow.id)
            .into_iter()
            .map(|(c, stride)| format!("{} ({})", c.id, stride_letters(&stride)))
            .collect();
        let at_receiver: Vec<String> = facts
            .controls_on(to_id)
            .into_iter()
            .map(|(c, stride)| format!("{} ({})", c.id, stride_letters(&stride)))
            .collect();
        let mut controls = Vec::new();
        if !on_flow.is_empty() {
            controls.push(format!("on the flow: {}", on_flow.join(", ")));
        }
        if !at_receiver.is_empty() {
            controls.push(format!("at {to_id}: {}", at_receiver.join(", ")));
        }
        let controls_text = if controls.is_empty() {
            uncontrolled.push(flow.id.clone());
            "no control declared on this flow or its receiver".to_owned()
        } else {
            format!("controls {}", controls.join(" · "))
        };
        let crossing = match (edge.boundary, edge.crossing) {
            (Some(boundary), _) => format!(" · crosses {}", boundary.id),
            (None, true) => " · crosses a trust boundary".to_owned(),
            (None, false) => String::new(),
        };
        let label = format!(
            "{}. {}",
            s + 1,
            flow.name
                .as_deref()
                .map(one_line)
                .unwrap_or_else(|| flow.id.clone())
        );
        let protection = format!(
            "{} · {} · {} · {}{crossing}",
            flow.id,
            flow.protocol,
            authentication(flow),
            encryption(flow)
        );
        let left = xa.min(xb) + 6.0;
        let text_x = left
            .min(canvas_w - draw::MARGIN - DETAIL_W)
            .max(draw::MARGIN);
        let chars = (DETAIL_W / (10.0 * 0.58)) as usize;
        let _ = write!(
            body,
            r##"<g class="step" id="{prefix}-step-{step}"><title>{tooltip}</title><line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" {attrs}/><rect x="{rx}" y="{ry}" width="{rw}" height="30" fill="#ffffff" fill-opacity="0.85"/><text x="{tx}" y="{ly}" font-size="11" font-weight="bold" fill="{COLOR_TEXT}">{label}</text><text x="{tx}" y="{d1}" font-size="10" fill="{pcolor}">{protection}</text><text x="{tx}" y="{d2}" font-size="10" fill="{ccolor}">{controls}</text></g>"##,
            step = s + 1,
            tooltip = xml(&format!(
                "step {}: flow {} from {} to {}",
                s + 1,
                flow.id,
                diagram.elements[edge.from].element.id,
                to_id
            )),
            x1 = num(xa),
            x2 = num(if xb > xa { xb - 1.0 } else { xb + 1.0 }),
            y = num(y),
            attrs = st.attributes(&prefix, edge.bidirectional()),
            rx = num(text_x - 3.0),
            ry = num(y + 4.0),
            rw = num(DETAIL_W),
            tx = num(text_x),
            ly = num(y - 6.0),
            label = xml(&truncate(&label, chars)),
            d1 = num(y + 16.0),
            d2 = num(y + 30.0),
            pcolor = if edge.crossing && edge.exposure != Exposure::Normal {
                st.color
            } else if edge.crossing {
                COLOR_BOUNDARY
            } else {
                COLOR_MUTED
            },
            protection = xml(&truncate(&protection, chars)),
            ccolor = if controls.is_empty() {
                COLOR_UNPROTECTED
            } else {
                COLOR_OK
            },
            controls = xml(&truncate(&controls_text, chars)),
        );
        rows.push(vec![
            Cell::from((s + 1).to_string()),
            Cell::from(flow.id.as_str()),
            Cell::from(format!(
                "{} {} {}",
                diagram.elements[edge.from].element.id,
                if edge.bidirectional() { "⇄" } else { "→" },
                to_id
            )),
            Cell::from(format!(
                "{} · {} · {}",
                flow.protocol,
                authentication(flow),
                encryption(flow)
            )),
            Cell::from(flow.data.join(", ")),
            if controls.is_empty() {
                Cell::colored("none declared", COLOR_UNPROTECTED)
            } else {
                Cell::from(controls.join(" · "))
            },
        ]);
    }
    let _ = writeln!(body, "</g>");

    let table = Table {
        heading: "Steps".into(),
        columns: vec![
            ("#", 3),
            ("flow", 30),
            ("from → to", 44),
            ("protection", 50),
            ("assets carried", 40),
            ("controls (STRIDE letters)", 70),
        ],
        rows,
        empty: String::new(),
    };
    let legend = vec![
        (
            Swatch::Line(draw::NORMAL),
            "step inside a zone, or crossing protected".into(),
        ),
        (
            Swatch::Line(draw::PARTIAL),
            "crossing, half protected".into(),
        ),
        (
            Swatch::Line(draw::UNPROTECTED),
            "crossing, unprotected".into(),
        ),
        (
            Swatch::Zone(medsec_device::model::TrustLevel::Low),
            "participant's trust zone".into(),
        ),
    ];
    let canvas_w = canvas_w.max(table.width() + 2.0 * draw::MARGIN);
    let mut y = end_y + 16.0;
    let content_w = canvas_w - 2.0 * draw::MARGIN;
    draw::legend(&mut body, &prefix, &legend, draw::MARGIN, y, content_w);
    y += draw::legend_height(legend.len(), content_w) + 8.0;
    table.draw(&mut body, &format!("{prefix}-table-0"), draw::MARGIN, y);
    y += table.height() + draw::MARGIN;

    let first = &diagram.elements[facts.edge(case.steps[0]).from].element.id;
    let last = case
        .steps
        .last()
        .map(|&i| diagram.elements[facts.edge(i).to].element.id.as_str())
        .unwrap_or(first);
    let title = format!(
        "{} {} — security use case {n}: {}",
        one_line(&device.device.name),
        device.device.version,
        one_line(&asset.name)
    );
    let step_list: Vec<String> = case
        .steps
        .iter()
        .enumerate()
        .map(|(s, &i)| {
            let edge = facts.edge(i);
            format!(
                "{}. {} ({} → {})",
                s + 1,
                edge.flow.id,
                diagram.elements[edge.from].element.id,
                diagram.elements[edge.to].element.id
            )
        })
        .collect();
    let mut caption = format!(
        "Security use case {n} (FDA premarket guidance, section V.B.2): {} ({}), whose worst declared harm is {} on loss of {}{}, carried in {} step(s) from {first} to {last}, crossing {} trust boundar{}. Steps: {}.",
        one_line(&asset.name),
        asset.id,
        case.harm.severity.as_str(),
        case.harm.property,
        case.harm
            .text
            .map(|t| format!(" ({})", one_line(t)))
            .unwrap_or_default(),
        case.steps.len(),
        case.crossings,
        if case.crossings == 1 { "y" } else { "ies" },
        step_list.join("; "),
    );
    if !case.also.is_empty() {
        caption.push_str(&format!(
            " The same steps also carry {}.",
            case.also.join(", ")
        ));
    }
    if uncontrolled.is_empty() {
        caption.push_str(" Every step has a control declared on the flow or its receiver.");
    } else {
        caption.push_str(&format!(
            " No control is declared on the flow or its receiver for: {}.",
            list(&uncontrolled, 8)
        ));
    }
    caption.push_str(" The order follows the flows that carry the asset in their stated direction; the model does not state timing, message contents or what starts the use case.");
    let subtitle = format!(
        "FDA premarket guidance V.B.2 · worst harm {} ({}) · {} steps, {} crossing(s)",
        case.harm.severity.as_str(),
        case.harm.property,
        case.steps.len(),
        case.crossings
    );
    let svg = draw::document(&prefix, (canvas_w, y), &title, &subtitle, &caption, &body);
    ArchitectureView {
        id,
        kind: ViewKind::SecurityUseCase,
        title,
        caption,
        svg,
    }
}
