//! SVG with a layout of our own: zones are packed as nested boxes (a zone's elements in
//! a grid, its child zones packed beside or below them), flows are straight arrows
//! between element borders, and labels are placed greedily where they overlap least.
//! No randomness and no hash-order iteration, so the bytes are stable.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use medsec_device::model::{ElementKind, TrustLevel};

use crate::model::{Diagram, Exposure, FlowEdge, trust_str};
use crate::text::{num, one_line, width, wrap, xml};

const FONT: &str = "DejaVu Sans, Helvetica, Arial, sans-serif";
const MONO: &str = "DejaVu Sans Mono, Menlo, Consolas, monospace";

const EL_W: f64 = 178.0;
const EL_H: f64 = 64.0;
/// Room between elements for arrows and their labels.
const GAP_X: f64 = 150.0;
const GAP_Y: f64 = 78.0;
const PAD: f64 = 18.0;
const HEADER: f64 = 34.0;
const CHILD_GAP: f64 = 30.0;
const MARGIN: f64 = 24.0;
const TITLE_H: f64 = 56.0;
const LABEL_SIZE: f64 = 10.0;

const COLOR_NORMAL: &str = "#455a64";
const COLOR_PARTIAL: &str = "#e65100";
const COLOR_UNPROTECTED: &str = "#c62828";
const COLOR_BOUNDARY: &str = "#6a1b9a";

#[derive(Debug, Clone, Copy, PartialEq)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Rect {
    fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    fn overlap(&self, other: &Rect) -> f64 {
        let w = (self.x + self.w).min(other.x + other.w) - self.x.max(other.x);
        let h = (self.y + self.h).min(other.y + other.h) - self.y.max(other.y);
        if w > 0.0 && h > 0.0 { w * h } else { 0.0 }
    }

    fn contains(&self, (x, y): (f64, f64)) -> bool {
        x >= self.x && x <= self.x + self.w && y >= self.y && y <= self.y + self.h
    }
}

/// Sizes and relative positions of one zone's content.
#[derive(Debug, Clone, Default)]
struct ZoneBox {
    w: f64,
    h: f64,
    /// (element index, x, y) relative to the zone's top-left corner.
    elements: Vec<(usize, f64, f64)>,
    /// (zone index, x, y) relative to the zone's top-left corner.
    children: Vec<(usize, f64, f64)>,
}

struct Layout {
    zones: Vec<Option<Rect>>,
    elements: Vec<Option<Rect>>,
    width: f64,
    height: f64,
}

fn grid(count: usize) -> (usize, usize) {
    let cols = match count {
        0 => 0,
        1..=3 => count,
        4 => 2,
        5..=9 => 3,
        _ => 4,
    };
    let rows = if cols == 0 { 0 } else { count.div_ceil(cols) };
    (cols, rows)
}

/// Place boxes left to right in rows no wider than `max_w` (a box wider than that gets
/// a row of its own). Returns positions and the overall size.
fn shelf(sizes: &[(f64, f64)], max_w: f64, gap: f64) -> (Vec<(f64, f64)>, f64, f64) {
    let mut positions = Vec::with_capacity(sizes.len());
    let (mut x, mut y, mut row_h, mut total_w) = (0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64);
    for &(w, h) in sizes {
        if x > 0.0 && x + w > max_w {
            y += row_h + gap;
            x = 0.0;
            row_h = 0.0;
        }
        positions.push((x, y));
        x += w + gap;
        row_h = row_h.max(h);
        total_w = total_w.max(x - gap);
    }
    let total_h = if sizes.is_empty() { 0.0 } else { y + row_h };
    (positions, total_w, total_h)
}

/// A row width that packs boxes into a roughly 3:2 landscape block.
fn target_width(sizes: &[(f64, f64)], at_least: f64) -> f64 {
    let area: f64 = sizes
        .iter()
        .map(|(w, h)| (w + CHILD_GAP) * (h + CHILD_GAP))
        .sum();
    let widest = sizes.iter().map(|s| s.0).fold(0.0, f64::max);
    (area * 1.5).sqrt().max(widest).max(at_least)
}

fn zone_label(diagram: &Diagram<'_>, zone: usize) -> String {
    let z = diagram.zones[zone].zone;
    format!(
        "{} · {} · trust: {}",
        one_line(&z.name),
        z.id,
        trust_str(z.trust)
    )
}

fn measure(diagram: &Diagram<'_>, zone: usize, boxes: &mut Vec<ZoneBox>, depth: usize) {
    let node = &diagram.zones[zone];
    // Depth is bounded by the zone count (cycles were cut when the tree was built); the
    // guard only protects the stack from a pathological file.
    let children: Vec<usize> = if depth > 64 {
        Vec::new()
    } else {
        node.children.clone()
    };
    for &child in &children {
        measure(diagram, child, boxes, depth + 1);
    }
    let (cols, rows) = grid(node.elements.len());
    let grid_w = if cols == 0 {
        0.0
    } else {
        cols as f64 * EL_W + (cols - 1) as f64 * GAP_X
    };
    let grid_h = if rows == 0 {
        0.0
    } else {
        rows as f64 * EL_H + (rows - 1) as f64 * GAP_Y
    };
    let element_positions: Vec<(usize, f64, f64)> = node
        .elements
        .iter()
        .enumerate()
        .map(|(i, &e)| {
            let (c, r) = (i % cols.max(1), i / cols.max(1));
            (e, c as f64 * (EL_W + GAP_X), r as f64 * (EL_H + GAP_Y))
        })
        .collect();
    let sizes: Vec<(f64, f64)> = children.iter().map(|&c| (boxes[c].w, boxes[c].h)).collect();

    // Two candidates: child zones below the element grid, or to its right. The more
    // compact one (smaller perimeter) wins; a tie keeps "below".
    let (below_pos, below_w, below_h) = shelf(&sizes, target_width(&sizes, grid_w), CHILD_GAP);
    let below_gap = if grid_h > 0.0 && !sizes.is_empty() {
        GAP_Y
    } else {
        0.0
    };
    let below = (
        grid_w.max(below_w),
        grid_h + below_gap + below_h,
        below_pos
            .iter()
            .map(|&(x, y)| (x, y + grid_h + below_gap))
            .collect::<Vec<_>>(),
    );
    let widest = sizes.iter().map(|s| s.0).fold(0.0, f64::max);
    let (right_pos, right_w, right_h) = shelf(&sizes, widest.max(1.0), CHILD_GAP);
    let right_gap = if grid_w > 0.0 && !sizes.is_empty() {
        GAP_X
    } else {
        0.0
    };
    let right = (
        grid_w + right_gap + right_w,
        grid_h.max(right_h),
        right_pos
            .iter()
            .map(|&(x, y)| (x + grid_w + right_gap, y))
            .collect::<Vec<_>>(),
    );
    let (content_w, content_h, child_pos) = if right.0 + right.1 < below.0 + below.1 - 1.0 {
        right
    } else {
        below
    };

    let label_w = width(&zone_label(diagram, zone), 12.0) + 8.0;
    let inner_w = content_w.max(label_w).max(EL_W);
    // Centre the content when the label is wider than it.
    let shift = (inner_w - content_w) / 2.0;
    let zone_box = &mut boxes[zone];
    zone_box.w = inner_w + 2.0 * PAD;
    zone_box.h = HEADER + content_h.max(EL_H / 2.0) + PAD;
    zone_box.elements = element_positions
        .into_iter()
        .map(|(e, x, y)| (e, x + PAD + shift, y + HEADER))
        .collect();
    zone_box.children = children
        .iter()
        .zip(child_pos)
        .map(|(&c, (x, y))| (c, x + PAD + shift, y + HEADER))
        .collect();
}

fn place(boxes: &[ZoneBox], zone: usize, x: f64, y: f64, layout: &mut Layout, depth: usize) {
    let zone_box = &boxes[zone];
    layout.zones[zone] = Some(Rect {
        x,
        y,
        w: zone_box.w,
        h: zone_box.h,
    });
    for &(e, ex, ey) in &zone_box.elements {
        layout.elements[e] = Some(Rect {
            x: x + ex,
            y: y + ey,
            w: EL_W,
            h: EL_H,
        });
    }
    if depth > 64 {
        return;
    }
    for &(c, cx, cy) in &zone_box.children {
        place(boxes, c, x + cx, y + cy, layout, depth + 1);
    }
}

fn layout(diagram: &Diagram<'_>) -> Layout {
    let mut boxes = vec![ZoneBox::default(); diagram.zones.len()];
    for &root in &diagram.roots {
        measure(diagram, root, &mut boxes, 0);
    }
    // Top level: the root zones, then any element whose zone is unknown.
    enum Item {
        Zone(usize),
        Element(usize),
    }
    let mut items: Vec<(Item, (f64, f64))> = diagram
        .roots
        .iter()
        .map(|&z| (Item::Zone(z), (boxes[z].w, boxes[z].h)))
        .collect();
    items.extend(
        diagram
            .orphans
            .iter()
            .map(|&e| (Item::Element(e), (EL_W, EL_H))),
    );
    let sizes: Vec<(f64, f64)> = items.iter().map(|i| i.1).collect();
    let (positions, w, h) = shelf(&sizes, target_width(&sizes, 900.0), CHILD_GAP * 1.5);
    let mut layout = Layout {
        zones: vec![None; diagram.zones.len()],
        elements: vec![None; diagram.elements.len()],
        width: w + 2.0 * MARGIN,
        height: h + TITLE_H + MARGIN,
    };
    for ((item, _), (x, y)) in items.iter().zip(positions) {
        let (x, y) = (x + MARGIN, y + TITLE_H);
        match item {
            Item::Zone(z) => place(&boxes, *z, x, y, &mut layout, 0),
            Item::Element(e) => {
                layout.elements[*e] = Some(Rect {
                    x,
                    y,
                    w: EL_W,
                    h: EL_H,
                })
            }
        }
    }
    layout
}

/// Where the ray from the centre of `rect` towards `toward` leaves the rectangle.
fn border_point(rect: &Rect, toward: (f64, f64)) -> (f64, f64) {
    let (cx, cy) = rect.center();
    let (dx, dy) = (toward.0 - cx, toward.1 - cy);
    if dx.abs() < f64::EPSILON && dy.abs() < f64::EPSILON {
        return (cx, cy);
    }
    let sx = if dx.abs() > f64::EPSILON {
        (rect.w / 2.0) / dx.abs()
    } else {
        f64::INFINITY
    };
    let sy = if dy.abs() > f64::EPSILON {
        (rect.h / 2.0) / dy.abs()
    } else {
        f64::INFINITY
    };
    let s = sx.min(sy);
    (cx + dx * s, cy + dy * s)
}

/// The first point where segment a→b crosses the border of `rect`, if it does.
fn crossing_point(rect: &Rect, a: (f64, f64), b: (f64, f64)) -> Option<(f64, f64)> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let mut best: Option<f64> = None;
    let mut consider = |t: f64, inside: bool| {
        if (0.0..=1.0).contains(&t) && inside && best.is_none_or(|b| t < b) {
            best = Some(t);
        }
    };
    for x in [rect.x, rect.x + rect.w] {
        if dx.abs() > f64::EPSILON {
            let t = (x - a.0) / dx;
            let y = a.1 + t * dy;
            consider(t, y >= rect.y - 0.01 && y <= rect.y + rect.h + 0.01);
        }
    }
    for y in [rect.y, rect.y + rect.h] {
        if dy.abs() > f64::EPSILON {
            let t = (y - a.1) / dy;
            let x = a.0 + t * dx;
            consider(t, x >= rect.x - 0.01 && x <= rect.x + rect.w + 0.01);
        }
    }
    best.map(|t| (a.0 + t * dx, a.1 + t * dy))
}

struct Placed {
    obstacles: Vec<Rect>,
}

impl Placed {
    /// The candidate box that overlaps least with what is already drawn (the first
    /// such, so the choice is deterministic), then reserve it.
    fn choose(&mut self, candidates: &[Rect]) -> Rect {
        let mut best = candidates[0];
        let mut best_cost = f64::INFINITY;
        for candidate in candidates {
            let cost: f64 = self.obstacles.iter().map(|o| candidate.overlap(o)).sum();
            if cost < best_cost - 0.5 {
                best = *candidate;
                best_cost = cost;
                if cost == 0.0 {
                    break;
                }
            }
        }
        self.obstacles.push(best);
        best
    }
}

fn marker_id(exposure: Exposure) -> &'static str {
    match exposure {
        Exposure::Normal => "normal",
        Exposure::Partial => "partial",
        Exposure::Unprotected => "unprotected",
    }
}

fn color(exposure: Exposure) -> &'static str {
    match exposure {
        Exposure::Normal => COLOR_NORMAL,
        Exposure::Partial => COLOR_PARTIAL,
        Exposure::Unprotected => COLOR_UNPROTECTED,
    }
}

fn zone_fill(level: TrustLevel) -> &'static str {
    match level {
        TrustLevel::Untrusted => "#fdecea",
        TrustLevel::Low => "#fff3e0",
        TrustLevel::Medium => "#fffde7",
        TrustLevel::High => "#e8f5e9",
    }
}

fn flow_label(edge: &FlowEdge<'_>) -> String {
    format!("{} · {}", edge.flow.id, edge.flow.protocol)
}

pub fn render(diagram: &Diagram<'_>) -> String {
    let layout = layout(diagram);
    let legend = Legend::new(diagram, layout.width);
    let canvas_w = layout.width.max(legend.width + 2.0 * MARGIN);
    let canvas_h = layout.height + legend.height + MARGIN;

    let mut out = String::new();
    let title = diagram.title();
    let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT}" role="img" aria-labelledby="diagram-title">"#,
        w = num(canvas_w),
        h = num(canvas_h)
    );
    let _ = writeln!(out, r#"<title id="diagram-title">{}</title>"#, xml(&title));
    let _ = writeln!(
        out,
        "<desc>Generated by medsec from the device description. Trust zones are dashed boxes; flows that cross a trust boundary without authentication or encryption are drawn in red (neither) or orange (one missing).</desc>"
    );
    defs(&mut out);
    let _ = writeln!(
        out,
        r##"<rect x="0" y="0" width="{}" height="{}" fill="#ffffff"/>"##,
        num(canvas_w),
        num(canvas_h)
    );
    let _ = writeln!(
        out,
        r##"<text x="{}" y="34" font-size="20" font-weight="bold" fill="#212121">{}</text>"##,
        num(MARGIN),
        xml(&title)
    );

    // Zones, outermost first so that inner boxes are drawn over their parents.
    out.push_str("<g id=\"zones\">\n");
    let mut order: Vec<usize> = diagram.roots.clone();
    let mut next = 0;
    while next < order.len() {
        let zone = order[next];
        next += 1;
        if order.len() <= diagram.zones.len() {
            order.extend(diagram.zones[zone].children.iter().copied());
        }
    }
    for &zone in &order {
        let Some(rect) = layout.zones[zone] else {
            continue;
        };
        let z = diagram.zones[zone].zone;
        let _ = writeln!(
            out,
            r##"<g class="zone" id="zone-{index}"><title>{tooltip}</title><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="{fill}" stroke="#546e7a" stroke-width="1.5" stroke-dasharray="7 4"/><text x="{tx}" y="{ty}" font-size="12" fill="#37474f"><tspan font-weight="bold">{name}</tspan> · <tspan font-family="{MONO}">{id}</tspan> · trust: {trust}</text></g>"##,
            index = zone,
            tooltip = xml(&format!(
                "trust zone {} ({}), trust {}",
                z.id,
                one_line(&z.name),
                trust_str(z.trust)
            )),
            x = num(rect.x),
            y = num(rect.y),
            w = num(rect.w),
            h = num(rect.h),
            fill = zone_fill(z.trust),
            tx = num(rect.x + 10.0),
            ty = num(rect.y + 21.0),
            name = xml(&one_line(&z.name)),
            id = xml(&z.id),
            trust = trust_str(z.trust),
        );
    }
    out.push_str("</g>\n");

    // Element boxes are obstacles for labels.
    let mut placed = Placed {
        obstacles: layout.elements.iter().flatten().copied().collect(),
    };
    // Zone titles too: a label over a zone's name hides which zone it is.
    for (zone, rect) in layout.zones.iter().enumerate() {
        if let Some(rect) = rect {
            placed.obstacles.push(Rect {
                x: rect.x,
                y: rect.y + 6.0,
                w: width(&zone_label(diagram, zone), 12.0) + 16.0,
                h: 20.0,
            });
        }
    }

    // Flows: lines first (under the elements' labels), labels after.
    let mut pair_count: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for edge in &diagram.flows {
        *pair_count
            .entry((edge.from.min(edge.to), edge.from.max(edge.to)))
            .or_default() += 1;
    }
    let mut pair_seen: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut lines = String::new();
    let mut labels = String::new();
    let mut labelled_boundaries: Vec<&str> = Vec::new();
    for (index, edge) in diagram.flows.iter().enumerate() {
        let (Some(from_rect), Some(to_rect)) =
            (layout.elements[edge.from], layout.elements[edge.to])
        else {
            continue;
        };
        let key = (edge.from.min(edge.to), edge.from.max(edge.to));
        let total = pair_count.get(&key).copied().unwrap_or(1);
        let seen = pair_seen.entry(key).or_default();
        let slot = *seen as f64 - (total as f64 - 1.0) / 2.0;
        *seen += 1;
        // Parallel flows between one pair are spread apart, perpendicular to the line.
        let (c1, c2) = (from_rect.center(), to_rect.center());
        let (dx, dy) = (c2.0 - c1.0, c2.1 - c1.1);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let sign = if edge.from <= edge.to { 1.0 } else { -1.0 };
        let (nx, ny) = (-dy / len * sign, dx / len * sign);
        let offset = slot * 14.0;
        let c1 = (c1.0 + nx * offset, c1.1 + ny * offset);
        let c2 = (c2.0 + nx * offset, c2.1 + ny * offset);
        let a = border_point(&from_rect, c2);
        let b = border_point(&to_rect, c1);
        let a = (a.0 + nx * offset, a.1 + ny * offset);
        let b = (b.0 + nx * offset, b.1 + ny * offset);
        let stroke = color(edge.exposure);
        let dash = match edge.exposure {
            Exposure::Normal => "",
            Exposure::Partial => r#" stroke-dasharray="6 3""#,
            Exposure::Unprotected => r#" stroke-dasharray="3 3""#,
        };
        let width_attr = if edge.exposure == Exposure::Normal {
            "1.3"
        } else {
            "2"
        };
        let start = if edge.bidirectional() {
            format!(
                r#" marker-start="url(#start-{})""#,
                marker_id(edge.exposure)
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            lines,
            r#"<g class="flow" id="flow-{index}"><title>{tooltip}</title><line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{stroke}" stroke-width="{width_attr}"{dash}{start} marker-end="url(#end-{m})"/></g>"#,
            tooltip = xml(&flow_tooltip(diagram, edge)),
            x1 = num(a.0),
            y1 = num(a.1),
            x2 = num(b.0),
            y2 = num(b.1),
            m = marker_id(edge.exposure),
        );

        // The label: id and protocol, and what a crossing flow lacks.
        let main = flow_label(edge);
        let gaps = edge.gaps();
        let text_w = width(&main, LABEL_SIZE)
            .max(gaps.as_deref().map_or(0.0, |g| width(g, LABEL_SIZE - 1.0)));
        let (lw, lh) = (text_w + 8.0, if gaps.is_some() { 26.0 } else { 15.0 });
        let candidates: Vec<Rect> = [
            0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82, 0.12, 0.88,
        ]
        .iter()
        .flat_map(|&t| {
            let (px, py) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
            [0.0, 10.0, -10.0].map(|shift| Rect {
                x: px - lw / 2.0 + nx * shift,
                y: py - lh / 2.0 + ny * shift,
                w: lw,
                h: lh,
            })
        })
        .collect();
        let spot = placed.choose(&candidates);
        let _ = write!(
            labels,
            r##"<g class="flow-label"><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="3" fill="#ffffff" fill-opacity="0.92" stroke="{stroke}" stroke-width="0.6"/><text x="{cx}" y="{ty}" font-size="{LABEL_SIZE}" text-anchor="middle" fill="#263238">{main}</text>"##,
            x = num(spot.x),
            y = num(spot.y),
            w = num(spot.w),
            h = num(spot.h),
            cx = num(spot.x + spot.w / 2.0),
            ty = num(spot.y + 11.0),
            main = xml(&main),
        );
        if let Some(gaps) = &gaps {
            let _ = write!(
                labels,
                r#"<text x="{cx}" y="{ty}" font-size="{size}" text-anchor="middle" fill="{stroke}" font-weight="bold">{gaps}</text>"#,
                cx = num(spot.x + spot.w / 2.0),
                ty = num(spot.y + 22.0),
                size = LABEL_SIZE - 1.0,
                gaps = xml(gaps),
            );
        }
        labels.push_str("</g>\n");

        // A named boundary is labelled where its first flow crosses it.
        if let Some(boundary) = edge.boundary
            && !labelled_boundaries.contains(&boundary.id.as_str())
            && let Some(point) = boundary_point(diagram, &layout, edge, a, b)
        {
            labelled_boundaries.push(boundary.id.as_str());
            let text = format!("⟂ {}", boundary.id);
            let (bw, bh) = (width(&text, 9.5) + 10.0, 15.0);
            let candidates: Vec<Rect> = [(6.0, -bh - 4.0), (6.0, 4.0), (-bw - 6.0, -bh - 4.0)]
                .iter()
                .map(|&(ox, oy)| Rect {
                    x: point.0 + ox,
                    y: point.1 + oy,
                    w: bw,
                    h: bh,
                })
                .collect();
            let spot = placed.choose(&candidates);
            let _ = writeln!(
                labels,
                r##"<g class="boundary"><title>{tooltip}</title><circle cx="{px}" cy="{py}" r="4" fill="{COLOR_BOUNDARY}"/><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="7" fill="#f3e5f5" stroke="{COLOR_BOUNDARY}" stroke-width="1"/><text x="{tx}" y="{ty}" font-size="9.5" font-family="{MONO}" fill="{COLOR_BOUNDARY}">{text}</text></g>"##,
                tooltip = xml(&format!(
                    "trust boundary {}: {} (between {})",
                    boundary.id,
                    one_line(&boundary.name),
                    boundary.between.join(" and ")
                )),
                px = num(point.0),
                py = num(point.1),
                x = num(spot.x),
                y = num(spot.y),
                w = num(spot.w),
                h = num(spot.h),
                tx = num(spot.x + 5.0),
                ty = num(spot.y + 11.0),
                text = xml(&text),
            );
        }
    }
    out.push_str("<g id=\"flows\">\n");
    out.push_str(&lines);
    out.push_str("</g>\n");

    out.push_str("<g id=\"elements\">\n");
    for (index, node) in diagram.elements.iter().enumerate() {
        let Some(rect) = layout.elements[index] else {
            continue;
        };
        element(&mut out, diagram, index, node, &rect);
    }
    out.push_str("</g>\n");

    out.push_str("<g id=\"labels\">\n");
    out.push_str(&labels);
    out.push_str("</g>\n");

    legend.draw(&mut out, MARGIN, layout.height + MARGIN / 2.0);
    out.push_str("</svg>\n");
    out
}

/// Where to mark the named boundary on a crossing flow: the border of the inner of the
/// two zones if one holds the other, else where the flow leaves its own zone.
fn boundary_point(
    diagram: &Diagram<'_>,
    layout: &Layout,
    edge: &FlowEdge<'_>,
    a: (f64, f64),
    b: (f64, f64),
) -> Option<(f64, f64)> {
    let from_zone = diagram.elements[edge.from].zone?;
    let to_zone = diagram.elements[edge.to].zone?;
    let zone = if diagram.ancestry(from_zone).contains(&to_zone) {
        from_zone
    } else {
        to_zone
    };
    let rect = layout.zones[zone]?;
    // The flow runs from inside the zone to outside (or the reverse); either way the
    // segment crosses the border once.
    if rect.contains(a) == rect.contains(b) {
        return None;
    }
    crossing_point(&rect, a, b)
}

fn flow_tooltip(diagram: &Diagram<'_>, edge: &FlowEdge<'_>) -> String {
    let flow = edge.flow;
    let mut text = format!(
        "flow {}{}: {} {} {} over {}; authentication {}, encryption {}",
        flow.id,
        flow.name
            .as_deref()
            .map(|n| format!(" ({})", one_line(n)))
            .unwrap_or_default(),
        diagram.elements[edge.from].element.id,
        if edge.bidirectional() { "⇄" } else { "→" },
        diagram.elements[edge.to].element.id,
        flow.protocol,
        serde_name(&flow.authentication),
        serde_name(&flow.encryption),
    );
    if let Some(boundary) = edge.boundary {
        text.push_str(&format!("; crosses {}", boundary.id));
    } else if edge.crossing {
        text.push_str("; crosses a trust boundary");
    }
    text
}

/// The kebab-case name serde gives a unit enum variant ("mutual-tls").
fn serde_name<T: std::fmt::Debug>(value: &T) -> String {
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

fn element(
    out: &mut String,
    diagram: &Diagram<'_>,
    index: usize,
    node: &crate::model::ElementNode<'_>,
    rect: &Rect,
) {
    let e = node.element;
    let (x, y, w, h) = (rect.x, rect.y, rect.w, rect.h);
    let zone = node
        .zone
        .map(|z| diagram.zones[z].zone.id.as_str())
        .unwrap_or("?");
    let mut tooltip = format!(
        "{} {} ({}) in zone {}",
        e.kind.as_str(),
        e.id,
        one_line(&e.name),
        zone
    );
    if e.human {
        tooltip.push_str("; a person");
    }
    if !e.technologies.is_empty() {
        tooltip.push_str(&format!("; technologies: {}", e.technologies.join(", ")));
    }
    let _ = write!(
        out,
        r#"<g class="element {kind}" id="element-{index}"><title>{tooltip}</title>"#,
        kind = e.kind.as_str(),
        tooltip = xml(&tooltip),
    );
    match e.kind {
        ElementKind::Process => {
            let _ = write!(
                out,
                r##"<rect x="{}" y="{}" width="{}" height="{}" rx="16" fill="#e3f2fd" stroke="#1565c0" stroke-width="1.6"/>"##,
                num(x),
                num(y),
                num(w),
                num(h)
            );
        }
        ElementKind::DataStore => {
            // The data-flow diagram convention: two parallel lines, open at the sides.
            let _ = write!(
                out,
                r##"<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="#f1f8e9" stroke="none"/><line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" stroke="#2e7d32" stroke-width="2"/><line x1="{x}" y1="{y2}" x2="{x2}" y2="{y2}" stroke="#2e7d32" stroke-width="2"/>"##,
                x = num(x),
                y = num(y),
                w = num(w),
                h = num(h),
                x2 = num(x + w),
                y2 = num(y + h),
            );
        }
        ElementKind::ExternalEntity => {
            let _ = write!(
                out,
                r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#f5f5f5" stroke="#424242" stroke-width="1.6"/>"##,
                num(x),
                num(y),
                num(w),
                num(h)
            );
        }
    }
    let mut text_x = x + w / 2.0;
    let mut max_chars = 27;
    if e.human {
        person(out, x + 14.0, y + h / 2.0 - 2.0, "#424242");
        text_x += 10.0;
        max_chars = 24;
    }
    let lines = wrap(&one_line(&e.name), max_chars, 2);
    let first_y = if lines.len() > 1 { y + 22.0 } else { y + 28.0 };
    for (i, line) in lines.iter().enumerate() {
        let _ = write!(
            out,
            r##"<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#212121">{}</text>"##,
            num(text_x),
            num(first_y + i as f64 * 13.5),
            xml(line)
        );
    }
    let _ = write!(
        out,
        r##"<text x="{}" y="{}" font-size="9.5" font-family="{MONO}" text-anchor="middle" fill="#607d8b">{}</text>"##,
        num(text_x),
        num(y + h - 9.0),
        xml(&e.id)
    );
    if diagram.show_counts
        && let Some(count) = node.threats
    {
        let (bx, by) = (x + w - 4.0, y + 4.0);
        let _ = write!(
            out,
            r##"<g class="threat-count"><title>{count} threat(s) on {id}</title><circle cx="{cx}" cy="{cy}" r="12" fill="{COLOR_UNPROTECTED}" stroke="#ffffff" stroke-width="1.5"/><text x="{cx}" y="{ty}" font-size="10" font-weight="bold" text-anchor="middle" fill="#ffffff">{count}</text></g>"##,
            id = xml(&e.id),
            cx = num(bx),
            cy = num(by),
            ty = num(by + 3.5),
        );
    }
    out.push_str("</g>\n");
}

/// A small person glyph centred at (x, y), marking a human external entity.
fn person(out: &mut String, x: f64, y: f64, stroke: &str) {
    let _ = write!(
        out,
        r#"<g class="person" stroke="{stroke}" stroke-width="1.4" fill="none"><circle cx="{x}" cy="{hy}" r="3.5"/><line x1="{x}" y1="{b1}" x2="{x}" y2="{b2}"/><line x1="{l}" y1="{ay}" x2="{r}" y2="{ay}"/><line x1="{x}" y1="{b2}" x2="{l}" y2="{f}"/><line x1="{x}" y1="{b2}" x2="{r}" y2="{f}"/></g>"#,
        x = num(x),
        hy = num(y - 8.0),
        b1 = num(y - 4.5),
        b2 = num(y + 4.0),
        ay = num(y - 1.5),
        l = num(x - 5.0),
        r = num(x + 5.0),
        f = num(y + 10.0),
    );
}

fn defs(out: &mut String) {
    out.push_str("<defs>\n");
    for (id, stroke) in [
        ("normal", COLOR_NORMAL),
        ("partial", COLOR_PARTIAL),
        ("unprotected", COLOR_UNPROTECTED),
    ] {
        let _ = writeln!(
            out,
            r#"<marker id="end-{id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto" markerUnits="userSpaceOnUse"><path d="M0,0 L10,5 L0,10 z" fill="{stroke}"/></marker>"#
        );
        let _ = writeln!(
            out,
            r#"<marker id="start-{id}" viewBox="0 0 10 10" refX="1" refY="5" markerWidth="8" markerHeight="8" orient="auto" markerUnits="userSpaceOnUse"><path d="M10,0 L0,5 L10,10 z" fill="{stroke}"/></marker>"#
        );
    }
    out.push_str("</defs>\n");
}

/// The legend under the diagram: shapes, zone colours, flow markings, and the named
/// trust boundaries with the zones each separates.
struct Legend {
    width: f64,
    height: f64,
    boundaries: Vec<String>,
    show_counts: bool,
}

const LEGEND_ROW: f64 = 40.0;
const LEGEND_COLUMN: f64 = 250.0;

impl Legend {
    fn new(diagram: &Diagram<'_>, available: f64) -> Self {
        let boundaries: Vec<String> = diagram
            .device
            .boundaries
            .iter()
            .map(|b| {
                format!(
                    "{} — {} ({})",
                    b.id,
                    one_line(&b.name),
                    b.between.join(" ↔ ")
                )
            })
            .collect();
        let width = (available - 2.0 * MARGIN).max(4.0 * LEGEND_COLUMN);
        let per_row = ((width / LEGEND_COLUMN).floor() as usize).max(1);
        let items = 11 + usize::from(diagram.show_counts);
        let rows = items.div_ceil(per_row);
        let boundary_height = if boundaries.is_empty() {
            0.0
        } else {
            28.0 + boundaries.len().div_ceil(2) as f64 * 16.0
        };
        Legend {
            width,
            height: 36.0 + rows as f64 * LEGEND_ROW + boundary_height + 8.0,
            boundaries,
            show_counts: diagram.show_counts,
        }
    }

    fn draw(&self, out: &mut String, x0: f64, y0: f64) {
        let _ = writeln!(
            out,
            r##"<g id="legend"><rect x="{}" y="{}" width="{}" height="{}" rx="6" fill="#fafafa" stroke="#b0bec5"/><text x="{}" y="{}" font-size="13" font-weight="bold" fill="#263238">Legend</text>"##,
            num(x0),
            num(y0),
            num(self.width),
            num(self.height - 8.0),
            num(x0 + 12.0),
            num(y0 + 22.0)
        );
        let per_row = ((self.width / LEGEND_COLUMN).floor() as usize).max(1);
        let mut slot = 0;
        let mut next = |out: &mut String, draw: &dyn Fn(&mut String, f64, f64), text: &str| {
            let (col, row) = (slot % per_row, slot / per_row);
            slot += 1;
            let x = x0 + 14.0 + col as f64 * LEGEND_COLUMN;
            let y = y0 + 36.0 + row as f64 * LEGEND_ROW;
            draw(out, x, y);
            let _ = write!(
                out,
                r##"<text x="{}" y="{}" font-size="11" fill="#263238">{}</text>"##,
                num(x + 66.0),
                num(y + 18.0),
                xml(text)
            );
        };
        next(
            out,
            &|out, x, y| {
                let _ = write!(
                    out,
                    r##"<rect x="{}" y="{}" width="56" height="28" rx="10" fill="#e3f2fd" stroke="#1565c0" stroke-width="1.6"/>"##,
                    num(x),
                    num(y)
                );
            },
            "process",
        );
        next(
            out,
            &|out, x, y| {
                let _ = write!(
                    out,
                    r##"<rect x="{x}" y="{y}" width="56" height="28" fill="#f1f8e9"/><line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" stroke="#2e7d32" stroke-width="2"/><line x1="{x}" y1="{y2}" x2="{x2}" y2="{y2}" stroke="#2e7d32" stroke-width="2"/>"##,
                    x = num(x),
                    y = num(y),
                    x2 = num(x + 56.0),
                    y2 = num(y + 28.0)
                );
            },
            "data store",
        );
        next(
            out,
            &|out, x, y| {
                let _ = write!(
                    out,
                    r##"<rect x="{}" y="{}" width="56" height="28" fill="#f5f5f5" stroke="#424242" stroke-width="1.6"/>"##,
                    num(x),
                    num(y)
                );
            },
            "external entity",
        );
        next(
            out,
            &|out, x, y| {
                let _ = write!(
                    out,
                    r##"<rect x="{}" y="{}" width="56" height="28" fill="#f5f5f5" stroke="#424242" stroke-width="1.6"/>"##,
                    num(x),
                    num(y)
                );
                person(out, x + 28.0, y + 14.0, "#424242");
            },
            "person (external entity)",
        );
        for level in [
            TrustLevel::Untrusted,
            TrustLevel::Low,
            TrustLevel::Medium,
            TrustLevel::High,
        ] {
            next(
                out,
                &|out, x, y| {
                    let _ = write!(
                        out,
                        r##"<rect x="{}" y="{}" width="56" height="28" rx="4" fill="{}" stroke="#546e7a" stroke-width="1.5" stroke-dasharray="7 4"/>"##,
                        num(x),
                        num(y),
                        zone_fill(level)
                    );
                },
                &format!("trust zone, trust {}", trust_str(level)),
            );
        }
        for (exposure, text) in [
            (Exposure::Normal, "flow (id · protocol); ⇄ both ends"),
            (Exposure::Partial, "boundary crossing, half protected"),
            (Exposure::Unprotected, "boundary crossing, unprotected"),
        ] {
            next(
                out,
                &|out, x, y| {
                    let dash = match exposure {
                        Exposure::Normal => "",
                        Exposure::Partial => r#" stroke-dasharray="6 3""#,
                        Exposure::Unprotected => r#" stroke-dasharray="3 3""#,
                    };
                    let start = if exposure == Exposure::Normal {
                        r#" marker-start="url(#start-normal)""#
                    } else {
                        ""
                    };
                    let _ = write!(
                        out,
                        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2"{dash}{start} marker-end="url(#end-{})"/>"#,
                        num(x + 2.0),
                        num(y + 14.0),
                        num(x + 54.0),
                        num(y + 14.0),
                        color(exposure),
                        marker_id(exposure)
                    );
                },
                text,
            );
        }
        if self.show_counts {
            next(
                out,
                &|out, x, y| {
                    let _ = write!(
                        out,
                        r##"<circle cx="{}" cy="{}" r="12" fill="{COLOR_UNPROTECTED}"/><text x="{}" y="{}" font-size="10" font-weight="bold" text-anchor="middle" fill="#ffffff">n</text>"##,
                        num(x + 28.0),
                        num(y + 14.0),
                        num(x + 28.0),
                        num(y + 17.5)
                    );
                },
                "threats found on the element",
            );
        }
        let rows = slot.div_ceil(per_row);
        if !self.boundaries.is_empty() {
            let y = y0 + 36.0 + rows as f64 * LEGEND_ROW + 6.0;
            let _ = write!(
                out,
                r##"<circle cx="{}" cy="{}" r="4" fill="{COLOR_BOUNDARY}"/><text x="{}" y="{}" font-size="11" font-weight="bold" fill="{COLOR_BOUNDARY}">⟂ named trust boundaries (marked where a flow first crosses them)</text>"##,
                num(x0 + 18.0),
                num(y - 4.0),
                num(x0 + 28.0),
                num(y)
            );
            let column = self.width / 2.0;
            for (i, text) in self.boundaries.iter().enumerate() {
                let (col, row) = (i % 2, i / 2);
                let _ = write!(
                    out,
                    r##"<text x="{}" y="{}" font-size="10.5" fill="#37474f">{}</text>"##,
                    num(x0 + 14.0 + col as f64 * column),
                    num(y + 18.0 + row as f64 * 16.0),
                    xml(&truncate(text, (column / 6.0) as usize))
                );
            }
        }
        out.push_str("</g>\n");
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        text.chars().take(max.saturating_sub(1)).collect::<String>() + "…"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shelf_wraps_rows() {
        let (pos, w, h) = shelf(&[(10.0, 5.0), (10.0, 8.0), (10.0, 4.0)], 25.0, 2.0);
        assert_eq!(pos, [(0.0, 0.0), (12.0, 0.0), (0.0, 10.0)]);
        assert_eq!((w, h), (22.0, 14.0));
    }

    #[test]
    fn border_points_lie_on_the_rectangle() {
        let r = Rect {
            x: 0.0,
            y: 0.0,
            w: 100.0,
            h: 50.0,
        };
        assert_eq!(border_point(&r, (200.0, 25.0)), (100.0, 25.0));
        assert_eq!(border_point(&r, (50.0, -100.0)), (50.0, 0.0));
        assert_eq!(
            crossing_point(&r, (50.0, 25.0), (150.0, 25.0)),
            Some((100.0, 25.0))
        );
        assert_eq!(crossing_point(&r, (150.0, 25.0), (250.0, 25.0)), None);
    }

    #[test]
    fn serde_names_are_kebab_case() {
        assert_eq!(
            serde_name(&medsec_device::model::Authentication::MutualTls),
            "mutual-tls"
        );
        assert_eq!(
            serde_name(&medsec_device::model::Encryption::Tls12),
            "tls12"
        );
    }
}
