//! Drawing pieces the views share: the document frame with prefixed markers, element
//! and zone boxes in the data-flow diagram's style, numbered badges, the legend and
//! text tables.

use std::fmt::Write as _;

use medsec_device::model::{Element, ElementKind, TrustLevel};

use crate::model::trust_str;
use crate::text::{num, one_line, width, wrap, xml};

pub const FONT: &str = "DejaVu Sans, Helvetica, Arial, sans-serif";
pub const MONO: &str = "DejaVu Sans Mono, Menlo, Consolas, monospace";
pub const MARGIN: f64 = 24.0;
pub const TITLE_H: f64 = 74.0;

pub const COLOR_NORMAL: &str = "#455a64";
pub const COLOR_PARTIAL: &str = "#e65100";
pub const COLOR_UNPROTECTED: &str = "#c62828";
pub const COLOR_BOUNDARY: &str = "#6a1b9a";
pub const COLOR_UPDATE: &str = "#1565c0";
pub const COLOR_REACH: &str = "#ad1457";
pub const COLOR_OK: &str = "#2e7d32";
pub const COLOR_TEXT: &str = "#212121";
pub const COLOR_MUTED: &str = "#607d8b";

/// How a flow line is drawn; `marker` names its arrowheads within the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stroke {
    pub marker: &'static str,
    pub color: &'static str,
    pub width: &'static str,
    pub dash: Option<&'static str>,
}

pub const NORMAL: Stroke = Stroke {
    marker: "normal",
    color: COLOR_NORMAL,
    width: "1.3",
    dash: None,
};
pub const PARTIAL: Stroke = Stroke {
    marker: "partial",
    color: COLOR_PARTIAL,
    width: "2",
    dash: Some("6 3"),
};
pub const UNPROTECTED: Stroke = Stroke {
    marker: "unprotected",
    color: COLOR_UNPROTECTED,
    width: "2",
    dash: Some("3 3"),
};
pub const UPDATE: Stroke = Stroke {
    marker: "update",
    color: COLOR_UPDATE,
    width: "2.2",
    dash: None,
};
pub const UPDATE_UNCHECKED: Stroke = Stroke {
    marker: "partial",
    color: COLOR_PARTIAL,
    width: "2.2",
    dash: Some("6 3"),
};
pub const REACH: Stroke = Stroke {
    marker: "reach",
    color: COLOR_REACH,
    width: "2.4",
    dash: None,
};

const MARKERS: [(&str, &str); 5] = [
    ("normal", COLOR_NORMAL),
    ("partial", COLOR_PARTIAL),
    ("unprotected", COLOR_UNPROTECTED),
    ("update", COLOR_UPDATE),
    ("reach", COLOR_REACH),
];

impl Stroke {
    /// The attributes of a line or path drawn in this stroke.
    pub fn attributes(&self, prefix: &str, both_ends: bool) -> String {
        let mut out = format!(
            r#"fill="none" stroke="{}" stroke-width="{}""#,
            self.color, self.width
        );
        if let Some(dash) = self.dash {
            let _ = write!(out, r#" stroke-dasharray="{dash}""#);
        }
        if both_ends {
            let _ = write!(
                out,
                r#" marker-start="url(#{prefix}-start-{})""#,
                self.marker
            );
        }
        let _ = write!(out, r#" marker-end="url(#{prefix}-end-{})""#, self.marker);
        out
    }
}

/// The whole SVG document around a body drawn at absolute coordinates.
pub fn document(
    prefix: &str,
    size: (f64, f64),
    title: &str,
    subtitle: &str,
    desc: &str,
    body: &str,
) -> String {
    let (w, h) = size;
    let mut out = String::new();
    let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT}" role="img" aria-labelledby="{prefix}-title" aria-describedby="{prefix}-desc">"#,
        w = num(w),
        h = num(h),
    );
    let _ = writeln!(out, r#"<title id="{prefix}-title">{}</title>"#, xml(title));
    let _ = writeln!(out, r#"<desc id="{prefix}-desc">{}</desc>"#, xml(desc));
    out.push_str("<defs>\n");
    for (name, color) in MARKERS {
        let _ = writeln!(
            out,
            r#"<marker id="{prefix}-end-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto" markerUnits="userSpaceOnUse"><path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>"#
        );
        let _ = writeln!(
            out,
            r#"<marker id="{prefix}-start-{name}" viewBox="0 0 10 10" refX="1" refY="5" markerWidth="8" markerHeight="8" orient="auto" markerUnits="userSpaceOnUse"><path d="M10,0 L0,5 L10,10 z" fill="{color}"/></marker>"#
        );
    }
    out.push_str("</defs>\n");
    let _ = writeln!(
        out,
        r##"<rect x="0" y="0" width="{}" height="{}" fill="#ffffff"/>"##,
        num(w),
        num(h)
    );
    let _ = writeln!(
        out,
        r##"<text x="{}" y="34" font-size="20" font-weight="bold" fill="{COLOR_TEXT}">{}</text>"##,
        num(MARGIN),
        xml(&truncate(
            title,
            ((w - 2.0 * MARGIN) / (20.0 * 0.6)).max(20.0) as usize
        ))
    );
    let max_chars = ((w - 2.0 * MARGIN) / (12.0 * 0.58)).max(20.0) as usize;
    let _ = writeln!(
        out,
        r##"<text x="{}" y="56" font-size="12" fill="#455a64">{}</text>"##,
        num(MARGIN),
        xml(&truncate(subtitle, max_chars))
    );
    out.push_str(body);
    out.push_str("</svg>\n");
    out
}

pub fn zone_fill(level: TrustLevel) -> &'static str {
    match level {
        TrustLevel::Untrusted => "#fdecea",
        TrustLevel::Low => "#fff3e0",
        TrustLevel::Medium => "#fffde7",
        TrustLevel::High => "#e8f5e9",
    }
}

/// A zone box with its name and id in a two-line header.
pub fn zone_box(
    out: &mut String,
    id: &str,
    zone: &medsec_device::model::TrustZone,
    rect: (f64, f64, f64, f64),
    header_w: f64,
) {
    let (x, y, w, h) = rect;
    let max = ((header_w - 16.0) / (11.5 * 0.58)).max(8.0) as usize;
    let _ = writeln!(
        out,
        r##"<g class="zone" id="{id}"><title>{tooltip}</title><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="{fill}" stroke="#546e7a" stroke-width="1.5" stroke-dasharray="7 4"/><text x="{tx}" y="{ty1}" font-size="11.5" font-weight="bold" fill="#37474f">{name}</text><text x="{tx}" y="{ty2}" font-size="9.5" fill="#37474f"><tspan font-family="{MONO}">{zid}</tspan> · trust: {trust}</text></g>"##,
        tooltip = xml(&format!(
            "trust zone {} ({}), trust {}",
            zone.id,
            one_line(&zone.name),
            trust_str(zone.trust)
        )),
        x = num(x),
        y = num(y),
        w = num(w),
        h = num(h),
        fill = zone_fill(zone.trust),
        tx = num(x + 8.0),
        ty1 = num(y + 16.0),
        ty2 = num(y + 29.0),
        name = xml(&truncate(&one_line(&zone.name), max)),
        zid = xml(&truncate(&zone.id, max.saturating_sub(14).max(6))),
        trust = trust_str(zone.trust),
    );
}

/// An extra line of text inside an element box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub text: String,
    pub color: &'static str,
    pub bold: bool,
}

impl Note {
    pub fn new(text: impl Into<String>, color: &'static str, bold: bool) -> Self {
        Note {
            text: text.into(),
            color,
            bold,
        }
    }
}

pub const NAME_LINE: f64 = 13.5;
pub const NOTE_LINE: f64 = 12.5;

/// Lines of the element's name at a box width.
pub fn name_lines(element: &Element, w: f64) -> Vec<String> {
    let mut max_chars = ((w - 14.0) / (11.0 * 0.58)).max(8.0) as usize;
    if element.human {
        max_chars = max_chars.saturating_sub(4);
    }
    wrap(&one_line(&element.name), max_chars, 2)
}

/// The height an element box needs for its text.
pub fn element_height(element: &Element, w: f64, notes: usize) -> f64 {
    let lines = name_lines(element, w).len().max(1) as f64;
    (12.0 + lines * NAME_LINE + 12.0 + notes as f64 * NOTE_LINE + 8.0).max(58.0)
}

/// An element box in the data-flow diagram's style, with optional outline colour,
/// notes under its id, and a threat count.
#[allow(clippy::too_many_arguments)]
pub fn element_box(
    out: &mut String,
    id: &str,
    element: &Element,
    zone: &str,
    rect: (f64, f64, f64, f64),
    outline: Option<&'static str>,
    notes: &[Note],
    threats: Option<usize>,
) {
    let (x, y, w, h) = rect;
    let mut tooltip = format!(
        "{} {} ({}) in zone {}",
        element.kind.as_str(),
        element.id,
        one_line(&element.name),
        zone
    );
    if element.human {
        tooltip.push_str("; a person");
    }
    for note in notes {
        tooltip.push_str("; ");
        tooltip.push_str(&note.text);
    }
    let _ = write!(
        out,
        r#"<g class="element {kind}" id="{id}"><title>{tooltip}</title>"#,
        kind = element.kind.as_str(),
        tooltip = xml(&tooltip),
    );
    let (fill, stroke) = match element.kind {
        ElementKind::Process => ("#e3f2fd", "#1565c0"),
        ElementKind::DataStore => ("#f1f8e9", "#2e7d32"),
        ElementKind::ExternalEntity => ("#f5f5f5", "#424242"),
    };
    match element.kind {
        ElementKind::Process => {
            let _ = write!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" rx="16" fill="{fill}" stroke="{stroke}" stroke-width="1.6"/>"#,
                num(x),
                num(y),
                num(w),
                num(h)
            );
        }
        ElementKind::DataStore => {
            let _ = write!(
                out,
                r#"<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}" stroke="none"/><line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" stroke="{stroke}" stroke-width="2"/><line x1="{x}" y1="{y2}" x2="{x2}" y2="{y2}" stroke="{stroke}" stroke-width="2"/>"#,
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
                r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}" stroke="{stroke}" stroke-width="1.6"/>"#,
                num(x),
                num(y),
                num(w),
                num(h)
            );
        }
    }
    if let Some(color) = outline {
        let _ = write!(
            out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" rx="{}" fill="none" stroke="{color}" stroke-width="3"/>"#,
            num(x - 3.0),
            num(y - 3.0),
            num(w + 6.0),
            num(h + 6.0),
            if element.kind == ElementKind::Process {
                "18"
            } else {
                "2"
            }
        );
    }
    let mut text_x = x + w / 2.0;
    if element.human {
        person(out, x + 14.0, y + 24.0, "#424242");
        text_x += 10.0;
    }
    let lines = name_lines(element, w);
    let mut ty = y + 20.0;
    for line in &lines {
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="{COLOR_TEXT}">{}</text>"#,
            num(text_x),
            num(ty),
            xml(line)
        );
        ty += NAME_LINE;
    }
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" font-size="9.5" font-family="{MONO}" text-anchor="middle" fill="{COLOR_MUTED}">{}</text>"#,
        num(x + w / 2.0),
        num(ty),
        xml(&element.id)
    );
    let max_chars = ((w - 10.0) / (9.5 * 0.58)).max(8.0) as usize;
    for note in notes {
        ty += NOTE_LINE;
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" font-size="9.5" text-anchor="middle" fill="{}"{}>{}</text>"#,
            num(x + w / 2.0),
            num(ty),
            note.color,
            if note.bold {
                r#" font-weight="bold""#
            } else {
                ""
            },
            xml(&truncate(&note.text, max_chars))
        );
    }
    if let Some(count) = threats {
        let (bx, by) = (x + w - 4.0, y + 4.0);
        let _ = write!(
            out,
            r##"<g class="threat-count"><title>{count} threat(s) on {eid}</title><circle cx="{cx}" cy="{cy}" r="12" fill="{COLOR_UNPROTECTED}" stroke="#ffffff" stroke-width="1.5"/><text x="{cx}" y="{ty}" font-size="10" font-weight="bold" text-anchor="middle" fill="#ffffff">{count}</text></g>"##,
            eid = xml(&element.id),
            cx = num(bx),
            cy = num(by),
            ty = num(by + 3.5),
        );
    }
    out.push_str("</g>\n");
}

/// A small person glyph centred at (x, y), marking a human external entity.
pub fn person(out: &mut String, x: f64, y: f64, stroke: &str) {
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

pub const BADGE_H: f64 = 13.0;

pub fn badge_width(text: &str) -> f64 {
    width(text, 9.0) + 8.0
}

/// A numbered badge centred at (cx, cy) that ties a flow line to its table row.
pub fn badge(out: &mut String, text: &str, (cx, cy): (f64, f64), color: &str) {
    let w = badge_width(text);
    let _ = write!(
        out,
        r##"<g class="badge"><rect x="{}" y="{}" width="{}" height="{BADGE_H}" rx="6" fill="#ffffff" stroke="{color}" stroke-width="1.2"/><text x="{}" y="{}" font-size="9" font-weight="bold" text-anchor="middle" fill="{color}">{}</text></g>"##,
        num(cx - w / 2.0),
        num(cy - BADGE_H / 2.0),
        num(w),
        num(cx),
        num(cy + 3.2),
        xml(text)
    );
}

/// One legend entry.
pub enum Swatch {
    Kind(ElementKind),
    Person,
    Zone(TrustLevel),
    Line(Stroke),
    Outline(&'static str),
    Badge,
    Threats,
}

const LEGEND_COLUMN: f64 = 310.0;
const LEGEND_ROW: f64 = 30.0;

pub fn legend_height(items: usize, width: f64) -> f64 {
    let per_row = ((width / LEGEND_COLUMN).floor() as usize).max(1);
    34.0 + items.div_ceil(per_row) as f64 * LEGEND_ROW + 6.0
}

/// The legend box at (x0, y0), `width` wide.
pub fn legend(
    out: &mut String,
    prefix: &str,
    items: &[(Swatch, String)],
    x0: f64,
    y0: f64,
    width: f64,
) {
    let height = legend_height(items.len(), width);
    let _ = writeln!(
        out,
        r##"<g id="{prefix}-legend"><rect x="{}" y="{}" width="{}" height="{}" rx="6" fill="#fafafa" stroke="#b0bec5"/><text x="{}" y="{}" font-size="13" font-weight="bold" fill="#263238">Legend</text>"##,
        num(x0),
        num(y0),
        num(width),
        num(height - 6.0),
        num(x0 + 12.0),
        num(y0 + 20.0)
    );
    let per_row = ((width / LEGEND_COLUMN).floor() as usize).max(1);
    for (slot, (swatch, text)) in items.iter().enumerate() {
        let (col, row) = (slot % per_row, slot / per_row);
        let x = x0 + 14.0 + col as f64 * LEGEND_COLUMN;
        let y = y0 + 30.0 + row as f64 * LEGEND_ROW;
        match swatch {
            Swatch::Kind(kind) => {
                let (fill, stroke, rx) = match kind {
                    ElementKind::Process => ("#e3f2fd", "#1565c0", "10"),
                    ElementKind::DataStore => ("#f1f8e9", "#2e7d32", "0"),
                    ElementKind::ExternalEntity => ("#f5f5f5", "#424242", "0"),
                };
                if *kind == ElementKind::DataStore {
                    let _ = write!(
                        out,
                        r#"<rect x="{x}" y="{y}" width="56" height="22" fill="{fill}"/><line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" stroke="{stroke}" stroke-width="2"/><line x1="{x}" y1="{y2}" x2="{x2}" y2="{y2}" stroke="{stroke}" stroke-width="2"/>"#,
                        x = num(x),
                        y = num(y),
                        x2 = num(x + 56.0),
                        y2 = num(y + 22.0)
                    );
                } else {
                    let _ = write!(
                        out,
                        r#"<rect x="{}" y="{}" width="56" height="22" rx="{rx}" fill="{fill}" stroke="{stroke}" stroke-width="1.6"/>"#,
                        num(x),
                        num(y)
                    );
                }
            }
            Swatch::Person => {
                let _ = write!(
                    out,
                    r##"<rect x="{}" y="{}" width="56" height="22" fill="#f5f5f5" stroke="#424242" stroke-width="1.6"/>"##,
                    num(x),
                    num(y)
                );
                person(out, x + 28.0, y + 11.0, "#424242");
            }
            Swatch::Zone(level) => {
                let _ = write!(
                    out,
                    r##"<rect x="{}" y="{}" width="56" height="22" rx="4" fill="{}" stroke="#546e7a" stroke-width="1.5" stroke-dasharray="7 4"/>"##,
                    num(x),
                    num(y),
                    zone_fill(*level)
                );
            }
            Swatch::Line(stroke) => {
                let _ = write!(
                    out,
                    r#"<line x1="{}" y1="{}" x2="{}" y2="{}" {}/>"#,
                    num(x + 2.0),
                    num(y + 11.0),
                    num(x + 54.0),
                    num(y + 11.0),
                    stroke.attributes(prefix, false)
                );
            }
            Swatch::Outline(color) => {
                let _ = write!(
                    out,
                    r##"<rect x="{}" y="{}" width="56" height="22" rx="8" fill="#e3f2fd" stroke="{color}" stroke-width="3"/>"##,
                    num(x),
                    num(y)
                );
            }
            Swatch::Badge => badge(out, "n", (x + 28.0, y + 11.0), COLOR_NORMAL),
            Swatch::Threats => {
                let _ = write!(
                    out,
                    r##"<circle cx="{cx}" cy="{cy}" r="11" fill="{COLOR_UNPROTECTED}"/><text x="{cx}" y="{ty}" font-size="10" font-weight="bold" text-anchor="middle" fill="#ffffff">n</text>"##,
                    cx = num(x + 28.0),
                    cy = num(y + 11.0),
                    ty = num(y + 14.5),
                );
            }
        }
        let _ = write!(
            out,
            r##"<text x="{}" y="{}" font-size="11" fill="#263238">{}</text>"##,
            num(x + 66.0),
            num(y + 15.0),
            xml(&truncate(
                text,
                ((LEGEND_COLUMN - 72.0) / (11.0 * 0.58)) as usize
            ))
        );
    }
    out.push_str("</g>\n");
}

/// The usual shape and zone entries.
pub fn shape_legend() -> Vec<(Swatch, String)> {
    vec![
        (Swatch::Kind(ElementKind::Process), "process".into()),
        (Swatch::Kind(ElementKind::DataStore), "data store".into()),
        (
            Swatch::Kind(ElementKind::ExternalEntity),
            "external entity".into(),
        ),
        (Swatch::Person, "person (external entity)".into()),
        (
            Swatch::Zone(TrustLevel::Untrusted),
            "zone, trust untrusted".into(),
        ),
        (Swatch::Zone(TrustLevel::Low), "zone, trust low".into()),
        (
            Swatch::Zone(TrustLevel::Medium),
            "zone, trust medium".into(),
        ),
        (Swatch::Zone(TrustLevel::High), "zone, trust high".into()),
    ]
}

/// A cell of a text table.
#[derive(Debug, Clone)]
pub struct Cell {
    pub text: String,
    pub color: &'static str,
    pub bold: bool,
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell {
            text,
            color: COLOR_TEXT,
            bold: false,
        }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Cell::from(text.to_owned())
    }
}

impl Cell {
    pub fn colored(text: impl Into<String>, color: &'static str) -> Self {
        Cell {
            text: text.into(),
            color,
            bold: color != COLOR_TEXT,
        }
    }
}

/// A table drawn as text rows under a drawing.
pub struct Table {
    pub heading: String,
    /// Header text and width in characters of each column.
    pub columns: Vec<(&'static str, usize)>,
    pub rows: Vec<Vec<Cell>>,
    /// Shown instead of rows when there are none.
    pub empty: String,
}

const TABLE_SIZE: f64 = 10.5;
const TABLE_ROW: f64 = 16.0;

impl Table {
    fn column_px(chars: usize) -> f64 {
        chars as f64 * TABLE_SIZE * 0.6 + 12.0
    }

    pub fn width(&self) -> f64 {
        self.columns
            .iter()
            .map(|&(_, chars)| Table::column_px(chars))
            .sum::<f64>()
            + 16.0
    }

    pub fn height(&self) -> f64 {
        28.0 + (self.rows.len().max(1) + 1) as f64 * TABLE_ROW + 12.0
    }

    pub fn draw(&self, out: &mut String, id: &str, x0: f64, y0: f64) {
        let _ = write!(
            out,
            r##"<g class="table" id="{id}"><text x="{}" y="{}" font-size="13" font-weight="bold" fill="#263238">{}</text>"##,
            num(x0),
            num(y0 + 18.0),
            xml(&self.heading)
        );
        let mut y = y0 + 28.0;
        let _ = write!(
            out,
            r##"<rect x="{}" y="{}" width="{}" height="{TABLE_ROW}" fill="#eceff1"/>"##,
            num(x0),
            num(y),
            num(self.width())
        );
        let mut x = x0 + 6.0;
        for &(header, chars) in &self.columns {
            let _ = write!(
                out,
                r##"<text x="{}" y="{}" font-size="{TABLE_SIZE}" font-weight="bold" fill="#263238">{}</text>"##,
                num(x),
                num(y + 12.0),
                xml(header)
            );
            x += Table::column_px(chars);
        }
        y += TABLE_ROW;
        if self.rows.is_empty() {
            let _ = write!(
                out,
                r##"<text x="{}" y="{}" font-size="{TABLE_SIZE}" font-style="italic" fill="#37474f">{}</text>"##,
                num(x0 + 6.0),
                num(y + 12.0),
                xml(&self.empty)
            );
        }
        for (index, row) in self.rows.iter().enumerate() {
            if index % 2 == 1 {
                let _ = write!(
                    out,
                    r##"<rect x="{}" y="{}" width="{}" height="{TABLE_ROW}" fill="#f7f9fa"/>"##,
                    num(x0),
                    num(y),
                    num(self.width())
                );
            }
            let mut x = x0 + 6.0;
            for (cell, &(_, chars)) in row.iter().zip(&self.columns) {
                let _ = write!(
                    out,
                    r#"<text x="{}" y="{}" font-size="{TABLE_SIZE}" fill="{}"{}>{}</text>"#,
                    num(x),
                    num(y + 12.0),
                    cell.color,
                    if cell.bold {
                        r#" font-weight="bold""#
                    } else {
                        ""
                    },
                    xml(&truncate(&one_line(&cell.text), chars))
                );
                x += Table::column_px(chars);
            }
            y += TABLE_ROW;
        }
        out.push_str("</g>\n");
    }
}

/// Cut text to `max` characters, marking the cut with an ellipsis.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        text.chars().take(max.saturating_sub(1)).collect::<String>() + "…"
    }
}
