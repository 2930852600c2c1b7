//! The layout the drawn views share. Each top-level trust zone becomes a column (a large
//! one is split at its child zones into several side by side), nested zones are boxes
//! inside their column, and every element sits alone on its row. Flows leave an element
//! from the side facing their target and run orthogonally: along a lane in the gap
//! (channel) beside the column, and, when the target is more than one column away,
//! along a lane in a corridor above or below all columns. Channels and corridors hold no
//! boxes, so no flow line crosses an element. Lanes are assigned greedily in a fixed
//! order, so the same scene always gives the same drawing.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::model::Diagram;
use crate::text::{num, one_line, xml};

use super::analysis::{Facts, authentication, encryption};
use super::draw::{self, Note, Stroke, badge, badge_width, element_box, element_height, zone_box};

const EL_W: f64 = 184.0;
const PAD: f64 = 12.0;
const HEADER: f64 = 38.0;
const GAP_Y: f64 = 26.0;
const ZONE_GAP: f64 = 18.0;
/// Room beside a column for the first stretch of a flow and its badge.
const STUB: f64 = 34.0;
const LANE: f64 = 9.0;
const PORT_GAP: f64 = 16.0;
const CORRIDOR_PAD: f64 = 10.0;
/// Elements stacked in one column before a top-level zone is split.
const MAX_STACK: usize = 8;

/// A flow to draw.
pub struct SceneEdge {
    /// Index into `Diagram::flows`.
    pub edge: usize,
    pub stroke: Stroke,
    pub badge: Option<String>,
}

/// How an element is marked in a view.
#[derive(Debug, Clone, Default)]
pub struct Mark {
    pub outline: Option<&'static str>,
    pub notes: Vec<Note>,
}

pub struct Scene<'f, 'a> {
    pub facts: &'f Facts<'a>,
    pub prefix: &'f str,
    /// Per element index: drawn or not.
    pub elements: Vec<bool>,
    pub edges: Vec<SceneEdge>,
    pub marks: BTreeMap<usize, Mark>,
    /// Draw the threat counts the diagram holds.
    pub threats: bool,
}

pub struct Drawn {
    pub body: String,
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Clone, Copy)]
enum Item {
    Start(usize, usize),
    End(usize, usize),
    Element(usize, usize),
    /// Room for the header of a top-level zone split over several columns.
    Header,
}

#[derive(Debug, Clone, Default)]
struct Column {
    items: Vec<Item>,
    depth: usize,
    x: f64,
    w: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    Left,
    Right,
}

struct Route {
    scene_edge: usize,
    from: usize,
    to: usize,
    src_side: Side,
    dst_side: Side,
    ch_src: usize,
    ch_dst: usize,
    corridor: bool,
}

/// A zone box: zone, first and last column, depth, top, height.
struct ZoneBox {
    zone: usize,
    first: usize,
    last: usize,
    depth: usize,
    y: f64,
    h: f64,
}

fn subtree_counts(diagram: &Diagram<'_>, included: &[bool]) -> Vec<usize> {
    fn walk(
        diagram: &Diagram<'_>,
        included: &[bool],
        zone: usize,
        counts: &mut Vec<usize>,
        depth: usize,
    ) -> usize {
        let mut total = diagram.zones[zone]
            .elements
            .iter()
            .filter(|&&e| included[e])
            .count();
        if depth < 64 {
            for &child in &diagram.zones[zone].children {
                total += walk(diagram, included, child, counts, depth + 1);
            }
        }
        counts[zone] = total;
        total
    }
    let mut counts = vec![0; diagram.zones.len()];
    for &root in &diagram.roots {
        walk(diagram, included, root, &mut counts, 0);
    }
    counts
}

fn emit(
    diagram: &Diagram<'_>,
    included: &[bool],
    counts: &[usize],
    zone: usize,
    depth: usize,
    items: &mut Vec<Item>,
) {
    items.push(Item::Start(zone, depth));
    for &e in &diagram.zones[zone].elements {
        if included[e] {
            items.push(Item::Element(e, depth));
        }
    }
    if depth < 64 {
        for &child in &diagram.zones[zone].children {
            if counts[child] > 0 {
                emit(diagram, included, counts, child, depth + 1, items);
            }
        }
    }
    items.push(Item::End(zone, depth));
}

/// Columns, and the top-level zones split over several of them (zone, first, last).
fn columns(diagram: &Diagram<'_>, included: &[bool]) -> (Vec<Column>, Vec<(usize, usize, usize)>) {
    let counts = subtree_counts(diagram, included);
    let mut columns: Vec<Column> = Vec::new();
    let mut spans = Vec::new();
    for &root in &diagram.roots {
        let total = counts[root];
        if total == 0 {
            continue;
        }
        if total <= MAX_STACK || diagram.zones[root].children.is_empty() {
            let mut items = Vec::new();
            emit(diagram, included, &counts, root, 1, &mut items);
            columns.push(Column {
                items,
                ..Column::default()
            });
            continue;
        }
        let mut chunks: Vec<(Vec<Item>, usize)> = Vec::new();
        let own: Vec<Item> = diagram.zones[root]
            .elements
            .iter()
            .filter(|&&e| included[e])
            .map(|&e| Item::Element(e, 1))
            .collect();
        if !own.is_empty() {
            let size = own.len();
            chunks.push((own, size));
        }
        for &child in &diagram.zones[root].children {
            if counts[child] > 0 {
                let mut items = Vec::new();
                emit(diagram, included, &counts, child, 2, &mut items);
                chunks.push((items, counts[child]));
            }
        }
        let target = total.div_ceil(total.div_ceil(MAX_STACK));
        let first = columns.len();
        let mut current: Vec<Item> = vec![Item::Header];
        let mut size = 0;
        for (items, n) in chunks {
            if size > 0 && size + n > target {
                columns.push(Column {
                    items: std::mem::replace(&mut current, vec![Item::Header]),
                    ..Column::default()
                });
                size = 0;
            }
            current.extend(items);
            size += n;
        }
        columns.push(Column {
            items: current,
            ..Column::default()
        });
        spans.push((root, first, columns.len() - 1));
    }
    let orphans: Vec<usize> = diagram
        .orphans
        .iter()
        .copied()
        .filter(|&e| included[e])
        .collect();
    for chunk in orphans.chunks(MAX_STACK) {
        columns.push(Column {
            items: chunk.iter().map(|&e| Item::Element(e, 0)).collect(),
            ..Column::default()
        });
    }
    for column in &mut columns {
        column.depth = column
            .items
            .iter()
            .map(|item| match *item {
                Item::Start(_, d) | Item::End(_, d) | Item::Element(_, d) => d,
                Item::Header => 1,
            })
            .max()
            .unwrap_or(0);
        column.w = EL_W + 2.0 * PAD * column.depth as f64;
    }
    (columns, spans)
}

/// Greedy interval lanes: each (lo, hi, key) gets the first lane free over its span.
fn lanes(mut segments: Vec<(f64, f64, usize)>, gap: f64) -> (BTreeMap<usize, usize>, usize) {
    segments.sort_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then(a.1.total_cmp(&b.1))
            .then(a.2.cmp(&b.2))
    });
    let mut ends: Vec<f64> = Vec::new();
    let mut assigned = BTreeMap::new();
    for (lo, hi, key) in segments {
        let lane = match ends.iter().position(|&end| end + gap < lo) {
            Some(lane) => {
                ends[lane] = hi;
                lane
            }
            None => {
                ends.push(hi);
                ends.len() - 1
            }
        };
        assigned.insert(key, lane);
    }
    (assigned, ends.len())
}

pub fn draw(scene: &Scene<'_, '_>, x0: f64, y0: f64) -> Drawn {
    let facts = scene.facts;
    let diagram = facts.diagram;
    let (mut columns, spans) = columns(diagram, &scene.elements);
    let n_elements = diagram.elements.len();

    // Which column and depth each element has.
    let mut place: Vec<Option<(usize, usize)>> = vec![None; n_elements];
    for (c, column) in columns.iter().enumerate() {
        for item in &column.items {
            if let Item::Element(e, d) = *item {
                place[e] = Some((c, d));
            }
        }
    }

    // Routes at column level.
    let mut routes: Vec<Route> = Vec::new();
    for (index, scene_edge) in scene.edges.iter().enumerate() {
        let edge = facts.edge(scene_edge.edge);
        let (Some((ca, _)), Some((cb, _))) = (place[edge.from], place[edge.to]) else {
            continue;
        };
        let (src_side, dst_side, ch_src, ch_dst) = match ca.cmp(&cb) {
            std::cmp::Ordering::Less => (Side::Right, Side::Left, ca + 1, cb),
            std::cmp::Ordering::Greater => (Side::Left, Side::Right, ca, cb + 1),
            std::cmp::Ordering::Equal => (Side::Right, Side::Right, ca + 1, ca + 1),
        };
        routes.push(Route {
            scene_edge: index,
            from: edge.from,
            to: edge.to,
            src_side,
            dst_side,
            ch_src,
            ch_dst,
            corridor: ch_src != ch_dst,
        });
    }
    let mut ports: BTreeMap<(usize, Side), Vec<(usize, bool)>> = BTreeMap::new();
    for (r, route) in routes.iter().enumerate() {
        ports
            .entry((route.from, route.src_side))
            .or_default()
            .push((r, true));
        ports
            .entry((route.to, route.dst_side))
            .or_default()
            .push((r, false));
    }

    // Element sizes and vertical positions (relative to the top of the columns).
    let width_of = |c: usize, d: usize, columns: &[Column]| columns[c].w - 2.0 * PAD * d as f64;
    let mut rect: Vec<Option<(f64, f64, f64, f64)>> = vec![None; n_elements];
    let mut boxes: Vec<ZoneBox> = Vec::new();
    let mut bottoms = vec![0.0_f64; columns.len()];
    for (c, column) in columns.iter().enumerate() {
        let mut y_next = 0.0_f64;
        let mut last_bottom = 0.0_f64;
        let mut open: Vec<(usize, f64)> = Vec::new();
        for item in &column.items {
            match *item {
                Item::Header => {
                    y_next = HEADER;
                    last_bottom = HEADER;
                }
                Item::Start(zone, _) => {
                    open.push((zone, y_next));
                    y_next += HEADER;
                    last_bottom = y_next;
                }
                Item::Element(e, d) => {
                    let w = width_of(c, d, &columns);
                    let notes = scene.marks.get(&e).map_or(0, |m| m.notes.len());
                    let n_ports = [Side::Left, Side::Right]
                        .iter()
                        .map(|&s| ports.get(&(e, s)).map_or(0, Vec::len))
                        .max()
                        .unwrap_or(0);
                    let h = element_height(diagram.elements[e].element, w, notes)
                        .max(n_ports as f64 * PORT_GAP + 12.0);
                    rect[e] = Some((PAD * d as f64, y_next, w, h));
                    last_bottom = y_next + h;
                    y_next = last_bottom + GAP_Y;
                }
                Item::End(zone, depth) => {
                    let top = open.pop().map_or(0.0, |(_, top)| top);
                    let bottom = last_bottom.max(top + HEADER + 10.0) + PAD;
                    boxes.push(ZoneBox {
                        zone,
                        first: c,
                        last: c,
                        depth,
                        y: top,
                        h: bottom - top,
                    });
                    last_bottom = bottom;
                    y_next = bottom + ZONE_GAP;
                }
            }
        }
        bottoms[c] = last_bottom;
    }
    for &(zone, first, last) in &spans {
        let bottom = bottoms[first..=last].iter().copied().fold(0.0, f64::max) + PAD;
        for b in &mut bottoms[first..=last] {
            *b = bottom;
        }
        boxes.push(ZoneBox {
            zone,
            first,
            last,
            depth: 1,
            y: 0.0,
            h: bottom,
        });
    }
    let content_h = bottoms.iter().copied().fold(0.0, f64::max);

    // Ports: on each side, ordered by the height of the other end.
    let centre = |e: usize| rect[e].map_or(0.0, |(_, y, _, h)| y + h / 2.0);
    let mut port_y: BTreeMap<(usize, bool), f64> = BTreeMap::new();
    for (&(e, side), list) in &ports {
        let Some((_, y, _, h)) = rect[e] else {
            continue;
        };
        let mut list = list.clone();
        list.sort_by(|a, b| {
            let other = |&(r, is_src): &(usize, bool)| {
                let route = &routes[r];
                centre(if is_src { route.to } else { route.from })
            };
            other(a).total_cmp(&other(b)).then(a.cmp(b))
        });
        let n = list.len() as f64;
        let shift = if side == Side::Left { 3.0 } else { 0.0 };
        for (k, &(r, is_src)) in list.iter().enumerate() {
            port_y.insert((r, is_src), y + (k as f64 + 1.0) * h / (n + 1.0) + shift);
        }
    }
    let py = |r: usize, is_src: bool| port_y.get(&(r, is_src)).copied().unwrap_or(0.0);

    // Vertical lanes in the channels; corridor above or below.
    let mut top_corridor = vec![false; routes.len()];
    let mut channel_segments: Vec<Vec<(f64, f64, usize)>> = vec![Vec::new(); columns.len() + 1];
    for (r, route) in routes.iter().enumerate() {
        let (sy, dy) = (py(r, true), py(r, false));
        if route.corridor {
            let top = sy + dy <= content_h;
            top_corridor[r] = top;
            let far = if top { -1e9 } else { 1e9 };
            channel_segments[route.ch_src].push((sy.min(far), sy.max(far), 2 * r));
            channel_segments[route.ch_dst].push((dy.min(far), dy.max(far), 2 * r + 1));
        } else {
            channel_segments[route.ch_src].push((sy.min(dy), sy.max(dy), 2 * r));
        }
    }
    let mut lane_of: BTreeMap<usize, usize> = BTreeMap::new();
    let mut channel_w = Vec::with_capacity(columns.len() + 1);
    for (ch, segments) in channel_segments.into_iter().enumerate() {
        let (assigned, count) = lanes(segments, 10.0);
        lane_of.extend(assigned);
        let outer = ch == 0 || ch == columns.len();
        channel_w.push(match (count, outer) {
            (0, true) => 0.0,
            (0, false) => 36.0,
            (n, _) => 2.0 * STUB + n as f64 * LANE,
        });
    }
    let mut channel_x = Vec::with_capacity(channel_w.len());
    let mut x = x0;
    for (c, column) in columns.iter_mut().enumerate() {
        channel_x.push(x);
        x += channel_w[c];
        column.x = x;
        x += column.w;
    }
    channel_x.push(x);
    x += channel_w[columns.len()];
    let total_w = x - x0;
    let lane_x = |ch: usize, key: usize| {
        channel_x[ch] + STUB + (lane_of.get(&key).copied().unwrap_or(0) as f64 + 0.5) * LANE
    };

    let mut corridor_segments: [Vec<(f64, f64, usize)>; 2] = [Vec::new(), Vec::new()];
    for (r, route) in routes.iter().enumerate() {
        if route.corridor {
            let (a, b) = (lane_x(route.ch_src, 2 * r), lane_x(route.ch_dst, 2 * r + 1));
            corridor_segments[usize::from(!top_corridor[r])].push((a.min(b), a.max(b), r));
        }
    }
    let [top_segments, bottom_segments] = corridor_segments;
    let (top_lanes, top_count) = lanes(top_segments, 10.0);
    let (bottom_lanes, bottom_count) = lanes(bottom_segments, 10.0);
    let corridor_h = |count: usize| {
        if count == 0 {
            0.0
        } else {
            count as f64 * LANE + 2.0 * CORRIDOR_PAD
        }
    };
    let content_y = y0 + corridor_h(top_count);
    let bottom_y = content_y + content_h + 8.0;
    let total_h = corridor_h(top_count) + content_h + 8.0 + corridor_h(bottom_count);

    // Absolute element rectangles.
    let abs = |e: usize| -> Option<(f64, f64, f64, f64)> {
        let (c, _) = place[e]?;
        let (dx, y, w, h) = rect[e]?;
        Some((columns[c].x + dx, content_y + y, w, h))
    };

    let mut out = String::new();
    let prefix = scene.prefix;

    // Zones, outermost first.
    boxes.sort_by_key(|b| (b.depth, b.first, b.zone));
    out.push_str(&format!("<g id=\"{prefix}-zones\">\n"));
    for b in &boxes {
        let (first, last) = (&columns[b.first], &columns[b.last]);
        let inset = PAD * (b.depth.saturating_sub(1)) as f64;
        let x = first.x + inset;
        let w = last.x + last.w - inset - x;
        let header_w = if b.first == b.last { w } else { first.w };
        zone_box(
            &mut out,
            &format!("{prefix}-zone-{}", b.zone),
            diagram.zones[b.zone].zone,
            (x, content_y + b.y, w, b.h),
            header_w,
        );
    }
    out.push_str("</g>\n");

    // Flows.
    let mut badges = String::new();
    out.push_str(&format!("<g id=\"{prefix}-flows\">\n"));
    for (r, route) in routes.iter().enumerate() {
        let scene_edge = &scene.edges[route.scene_edge];
        let edge = facts.edge(scene_edge.edge);
        let (Some(a), Some(b)) = (abs(route.from), abs(route.to)) else {
            continue;
        };
        let side_x = |rect: (f64, f64, f64, f64), side: Side| match side {
            Side::Left => rect.0,
            Side::Right => rect.0 + rect.2,
        };
        let (sx, sy) = (side_x(a, route.src_side), content_y + py(r, true));
        let (dx, dy) = (side_x(b, route.dst_side), content_y + py(r, false));
        let l1 = lane_x(route.ch_src, 2 * r);
        let mut points = vec![(sx, sy), (l1, sy)];
        if route.corridor {
            let cy = if top_corridor[r] {
                y0 + CORRIDOR_PAD + (top_lanes.get(&r).copied().unwrap_or(0) as f64 + 0.5) * LANE
            } else {
                bottom_y
                    + CORRIDOR_PAD
                    + (bottom_lanes.get(&r).copied().unwrap_or(0) as f64 + 0.5) * LANE
            };
            let l2 = lane_x(route.ch_dst, 2 * r + 1);
            points.extend([(l1, cy), (l2, cy), (l2, dy)]);
        } else {
            points.push((l1, dy));
        }
        points.push((dx, dy));
        points.dedup();
        let d: Vec<String> = points
            .iter()
            .enumerate()
            .map(|(i, (x, y))| format!("{}{},{}", if i == 0 { "M" } else { "L" }, num(*x), num(*y)))
            .collect();
        let flow = edge.flow;
        let tooltip = format!(
            "flow {}{}: {} {} {} over {}; {}; {}",
            flow.id,
            flow.name
                .as_deref()
                .map(|n| format!(" ({})", one_line(n)))
                .unwrap_or_default(),
            diagram.elements[edge.from].element.id,
            if edge.bidirectional() { "⇄" } else { "→" },
            diagram.elements[edge.to].element.id,
            flow.protocol,
            authentication(flow),
            encryption(flow),
        );
        let _ = writeln!(
            out,
            r#"<g class="flow" id="{prefix}-flow-{index}"><title>{tooltip}</title><path d="{d}" {attrs}/></g>"#,
            index = scene_edge.edge,
            tooltip = xml(&tooltip),
            d = d.join(" "),
            attrs = scene_edge.stroke.attributes(prefix, edge.bidirectional()),
        );
        if let Some(text) = &scene_edge.badge {
            let half = badge_width(text) / 2.0;
            let cx = match route.src_side {
                Side::Right => sx + 4.0 + half,
                Side::Left => sx - 4.0 - half,
            };
            badge(&mut badges, text, (cx, sy), scene_edge.stroke.color);
        }
    }
    out.push_str("</g>\n");

    out.push_str(&format!("<g id=\"{prefix}-elements\">\n"));
    for (e, node) in diagram.elements.iter().enumerate() {
        let Some(r) = abs(e) else {
            continue;
        };
        let mark = scene.marks.get(&e);
        let zone = node
            .zone
            .map(|z| diagram.zones[z].zone.id.as_str())
            .unwrap_or("?");
        element_box(
            &mut out,
            &format!("{prefix}-element-{e}"),
            node.element,
            zone,
            r,
            mark.and_then(|m| m.outline),
            mark.map_or(&[][..], |m| &m.notes[..]),
            if scene.threats { node.threats } else { None },
        );
    }
    out.push_str("</g>\n");
    out.push_str(&format!("<g id=\"{prefix}-badges\">\n"));
    out.push_str(&badges);
    out.push_str("</g>\n");

    Drawn {
        body: out,
        width: total_w.max(draw::MARGIN),
        height: total_h,
    }
}
