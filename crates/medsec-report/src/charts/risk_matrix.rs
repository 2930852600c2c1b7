//! The risk matrix before and after controls: two grids of the policy's acceptability
//! matrix side by side, each cell holding the number of FMEA rows that land in it.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::draw::{
    AXIS, INK, MUTED, Text, bold_width, document, fit, full_title, hatch, heading, heading_width,
    no_data, num, pattern_fill, plural, width, xml,
};

/// Fill of an acceptable cell: light sky blue (Okabe-Ito sky blue, lightened).
pub const ACCEPTABLE_FILL: &str = "#a6d4f2";
/// Fill of an alarp-review cell: Okabe-Ito orange, with single hatching.
pub const ALARP_FILL: &str = "#e69f00";
/// Fill of an unacceptable cell: Okabe-Ito vermillion, with cross hatching.
pub const UNACCEPTABLE_FILL: &str = "#d55e00";
/// Fill of a cell the policy's matrix does not define.
pub const NO_VERDICT_FILL: &str = "#d9d9d9";

const KIND: &str = "risk-matrix";
const TITLE: &str = "Risk matrix before and after controls";
const CELL_H: f64 = 48.0;
const MIN_CELL_W: f64 = 84.0;
const LABEL: f64 = 11.0;
const COUNT: f64 = 15.0;
const VERDICT: f64 = 9.5;
const PANEL_GAP: f64 = 40.0;
const MARGIN: f64 = 16.0;
/// Longest level name drawn in full; longer ones are shortened (full in tooltips and
/// `<desc>`) so one verbose policy cannot make the chart unreadably wide.
const MAX_SEVERITY_CHARS: usize = 32;
const MAX_EXPLOITABILITY_CHARS: usize = 24;

/// The verdict of the policy's acceptability matrix for one cell, with the words the
/// policy file and the FMEA register use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Acceptable,
    /// Acceptable only after review: reduce as far as possible and justify.
    AlarpReview,
    Unacceptable,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Acceptable => "acceptable",
            Verdict::AlarpReview => "alarp-review",
            Verdict::Unacceptable => "unacceptable",
        }
    }
}

/// What the risk matrix chart shows: the policy's two scales and acceptability matrix,
/// and how many FMEA rows sit in each cell before and after controls. Plain data, so the
/// report builder fills it from the register and policy and this module depends on
/// neither.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskMatrix {
    /// What the chart is about (device and version), shown under the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The policy's severity levels, lowest first. Drawn as rows, highest at the top.
    pub severity_levels: Vec<String>,
    /// The policy's exploitability levels, lowest first. Drawn as columns.
    pub exploitability_levels: Vec<String>,
    /// `verdicts[severity][exploitability]`, indices as in the level lists. A cell with
    /// no entry is drawn as "no verdict" rather than guessed.
    pub verdicts: Vec<Vec<Verdict>>,
    /// FMEA rows per cell before controls, `[severity][exploitability]`. Counts at
    /// indices outside the level lists are shown as a separate total, never dropped.
    pub before: Vec<Vec<u64>>,
    /// FMEA rows per cell after controls (residual risk), indexed like `before`.
    pub after: Vec<Vec<u64>>,
    /// Rows that could not be judged before controls (no harm declared on the assets
    /// at stake): shown beside the matrix, since counting them anywhere would mislead.
    pub not_assessed_before: u64,
    /// Rows that could not be judged after controls.
    pub not_assessed_after: u64,
}

/// Totals of one panel, in u128 so that no input can overflow them.
#[derive(Default)]
struct Tally {
    /// acceptable, alarp-review, unacceptable, no verdict.
    by_verdict: [u128; 4],
    outside: u128,
    not_assessed: u128,
}

impl Tally {
    fn total(&self) -> u128 {
        self.by_verdict.iter().sum::<u128>() + self.outside + self.not_assessed
    }
}

fn verdict_index(verdict: Option<Verdict>) -> usize {
    match verdict {
        Some(Verdict::Acceptable) => 0,
        Some(Verdict::AlarpReview) => 1,
        Some(Verdict::Unacceptable) => 2,
        None => 3,
    }
}

/// Fill, hatch pattern and the word written in the cell: the word and the hatching make
/// the verdict readable without colour.
fn style(verdict: Option<Verdict>) -> (&'static str, Option<&'static str>, &'static str) {
    match verdict {
        Some(Verdict::Acceptable) => (ACCEPTABLE_FILL, None, "acceptable"),
        Some(Verdict::AlarpReview) => (ALARP_FILL, Some("alarp"), "alarp-review"),
        Some(Verdict::Unacceptable) => (UNACCEPTABLE_FILL, Some("unacceptable"), "unacceptable"),
        None => (NO_VERDICT_FILL, None, "no verdict"),
    }
}

fn count_at(grid: &[Vec<u64>], severity: usize, exploitability: usize) -> u64 {
    grid.get(severity)
        .and_then(|row| row.get(exploitability))
        .copied()
        .unwrap_or(0)
}

struct Panel<'a> {
    name: &'a str,
    grid: &'a [Vec<u64>],
    tally: Tally,
}

impl RiskMatrix {
    fn verdict(&self, severity: usize, exploitability: usize) -> Option<Verdict> {
        self.verdicts
            .get(severity)
            .and_then(|row| row.get(exploitability))
            .copied()
    }

    fn tally(&self, grid: &[Vec<u64>], not_assessed: u64) -> Tally {
        let mut tally = Tally {
            not_assessed: u128::from(not_assessed),
            ..Tally::default()
        };
        for (s, row) in grid.iter().enumerate() {
            for (e, count) in row.iter().enumerate() {
                let count = u128::from(*count);
                if s < self.severity_levels.len() && e < self.exploitability_levels.len() {
                    if let Some(slot) = tally.by_verdict.get_mut(verdict_index(self.verdict(s, e)))
                    {
                        *slot += count;
                    }
                } else {
                    tally.outside += count;
                }
            }
        }
        tally
    }

    /// The chart as a standalone SVG document: "before controls" on the left, "after
    /// controls" on the right, a legend below. Same input, same bytes.
    pub fn to_svg(&self) -> String {
        let subject = self.subject.as_deref();
        let panels = [
            Panel {
                name: "before controls",
                grid: &self.before,
                tally: self.tally(&self.before, self.not_assessed_before),
            },
            Panel {
                name: "after controls",
                grid: &self.after,
                tally: self.tally(&self.after, self.not_assessed_after),
            },
        ];
        let n_s = self.severity_levels.len();
        let n_e = self.exploitability_levels.len();
        if n_s == 0 || n_e == 0 {
            let missing = match (n_s, n_e) {
                (0, 0) => "no severity levels and no exploitability levels",
                (0, _) => "no severity levels",
                _ => "no exploitability levels",
            };
            let mut lines = vec![format!(
                "No data: the risk policy has {missing}, so there is no matrix to draw."
            )];
            for panel in &panels {
                let t = &panel.tally;
                if t.total() > 0 {
                    lines.push(format!(
                        "{}: {} ({} not assessed, {} outside the policy's levels).",
                        capitalised(panel.name),
                        plural(t.total(), "FMEA row", "FMEA rows"),
                        t.not_assessed,
                        t.total() - t.not_assessed
                    ));
                }
            }
            return no_data(KIND, TITLE, subject, &lines, "");
        }

        let severity_labels: Vec<String> = self
            .severity_levels
            .iter()
            .map(|name| fit(name, MAX_SEVERITY_CHARS))
            .collect();
        let exploitability_labels: Vec<String> = self
            .exploitability_levels
            .iter()
            .map(|name| fit(name, MAX_EXPLOITABILITY_CHARS))
            .collect();
        let row_label_w = severity_labels
            .iter()
            .map(|label| width(label, LABEL))
            .fold(20.0, f64::max);
        let mut cell_w = exploitability_labels
            .iter()
            .map(|label| width(label, LABEL) + 12.0)
            .fold(MIN_CELL_W, f64::max);
        for panel in &panels {
            for s in 0..n_s {
                for e in 0..n_e {
                    let count = count_at(panel.grid, s, e).to_string();
                    cell_w = cell_w.max(bold_width(&count, COUNT) + 14.0);
                }
            }
        }
        for verdict in [
            None,
            Some(Verdict::Unacceptable),
            Some(Verdict::AlarpReview),
        ] {
            cell_w = cell_w.max(width(style(verdict).2, VERDICT) + 10.0);
        }
        let any_outside = panels.iter().any(|panel| panel.tally.outside > 0);
        let notes: Vec<Vec<String>> = panels
            .iter()
            .map(|panel| {
                let t = &panel.tally;
                let mut notes = vec![format!(
                    "not assessed (no harm declared): {}",
                    plural(t.not_assessed, "row", "rows")
                )];
                if any_outside {
                    notes.push(format!(
                        "outside the policy's levels: {}",
                        plural(t.outside, "row", "rows")
                    ));
                }
                notes.push(format!(
                    "total: {}",
                    plural(t.total(), "FMEA row", "FMEA rows")
                ));
                notes
            })
            .collect();

        // Panel geometry, relative to the panel's left edge and top.
        let label_right = 22.0 + row_label_w;
        let grid_dx = label_right + 8.0;
        let grid_w = n_e as f64 * cell_w;
        let grid_h = n_s as f64 * CELL_H;
        let grid_dy = 24.0;
        let notes_dy = grid_dy + grid_h + 54.0;
        let panel_w = notes
            .iter()
            .flatten()
            .map(|note| width(note, LABEL))
            .fold(grid_dx + grid_w, f64::max)
            .max(grid_dx + width("Exploitability", LABEL));
        let note_lines = notes.first().map(Vec::len).unwrap_or(0) as f64;
        let panel_h = notes_dy + (note_lines - 1.0) * 16.0 + 6.0;

        let mut body = String::new();
        let top = heading(&mut body, TITLE, subject) + 12.0;
        let mut has_no_verdict = false;
        for (index, panel) in panels.iter().enumerate() {
            let px = MARGIN + index as f64 * (panel_w + PANEL_GAP);
            let grid_x = px + grid_dx;
            let grid_y = top + grid_dy;
            let _ = writeln!(body, r#"<g class="panel">"#);
            Text {
                x: grid_x,
                y: top + 14.0,
                size: 13.0,
                anchor: "start",
                bold: true,
                fill: INK,
            }
            .write(&mut body, &capitalised(panel.name));
            // Axis titles.
            let cy = grid_y + grid_h / 2.0;
            let _ = writeln!(
                body,
                r#"<text x="{x}" y="{y}" font-size="{LABEL}" font-weight="bold" text-anchor="middle" fill="{INK}" transform="rotate(-90 {x} {y})">Severity</text>"#,
                x = num(px + 12.0),
                y = num(cy),
            );
            Text {
                x: grid_x + grid_w / 2.0,
                y: grid_y + grid_h + 34.0,
                size: LABEL,
                anchor: "middle",
                bold: true,
                fill: INK,
            }
            .write(&mut body, "Exploitability");
            // Row labels, highest severity at the top.
            for (row, label) in severity_labels.iter().rev().enumerate() {
                Text {
                    x: px + label_right,
                    y: grid_y + row as f64 * CELL_H + CELL_H / 2.0 + 4.0,
                    size: LABEL,
                    anchor: "end",
                    bold: false,
                    fill: INK,
                }
                .write(&mut body, &xml(label));
            }
            for (column, label) in exploitability_labels.iter().enumerate() {
                Text {
                    x: grid_x + (column as f64 + 0.5) * cell_w,
                    y: grid_y + grid_h + 16.0,
                    size: LABEL,
                    anchor: "middle",
                    bold: false,
                    fill: INK,
                }
                .write(&mut body, &xml(label));
            }
            // Cells.
            for row in 0..n_s {
                let s = n_s - 1 - row;
                let y = grid_y + row as f64 * CELL_H;
                for e in 0..n_e {
                    let x = grid_x + e as f64 * cell_w;
                    let verdict = self.verdict(s, e);
                    has_no_verdict |= verdict.is_none();
                    let (fill, pattern, word) = style(verdict);
                    let count = count_at(panel.grid, s, e);
                    let severity = self
                        .severity_levels
                        .get(s)
                        .map(String::as_str)
                        .unwrap_or("");
                    let exploitability = self
                        .exploitability_levels
                        .get(e)
                        .map(String::as_str)
                        .unwrap_or("");
                    let _ = writeln!(
                        body,
                        "<g><title>{}</title>",
                        xml(&format!(
                            "severity {severity}, exploitability {exploitability}, {}: {}; {word}",
                            panel.name,
                            plural(u128::from(count), "FMEA row", "FMEA rows"),
                        ))
                    );
                    cell_rect(&mut body, x, y, cell_w, fill);
                    if let Some(pattern) = pattern {
                        cell_rect(&mut body, x, y, cell_w, &pattern_fill(pattern));
                    }
                    Text {
                        x: x + cell_w / 2.0,
                        y: y + 22.0,
                        size: COUNT,
                        anchor: "middle",
                        bold: count > 0,
                        fill: if count > 0 { INK } else { MUTED },
                    }
                    .write(&mut body, &count.to_string());
                    // The word sits on a light chip, legible over fill and hatching.
                    let chip_w = width(word, VERDICT) + 6.0;
                    let _ = writeln!(
                        body,
                        r##"<rect x="{}" y="{}" width="{}" height="13" rx="2" fill="#ffffff" fill-opacity="0.85"/>"##,
                        num(x + (cell_w - chip_w) / 2.0),
                        num(y + 29.0),
                        num(chip_w)
                    );
                    Text {
                        x: x + cell_w / 2.0,
                        y: y + 39.0,
                        size: VERDICT,
                        anchor: "middle",
                        bold: false,
                        fill: INK,
                    }
                    .write(&mut body, word);
                    body.push_str("</g>\n");
                }
            }
            let _ = writeln!(
                body,
                r#"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{AXIS}" stroke-width="1"/>"#,
                num(grid_x),
                num(grid_y),
                num(grid_w),
                num(grid_h)
            );
            if let Some(notes) = notes.get(index) {
                for (line, note) in notes.iter().enumerate() {
                    Text {
                        x: px,
                        y: top + notes_dy + line as f64 * 16.0,
                        size: LABEL,
                        anchor: "start",
                        bold: line + 1 == notes.len(),
                        fill: INK,
                    }
                    .write(&mut body, &xml(note));
                }
            }
            body.push_str("</g>\n");
        }

        // Legend: one line per verdict, with the swatch drawn like the cells.
        let mut legend_y = top + panel_h + 20.0;
        Text {
            x: MARGIN,
            y: legend_y,
            size: LABEL,
            anchor: "start",
            bold: true,
            fill: INK,
        }
        .write(
            &mut body,
            "Verdict of the policy's acceptability matrix (fill, hatching and the word in each cell)",
        );
        let mut legend_w = bold_width(
            "Verdict of the policy's acceptability matrix (fill, hatching and the word in each cell)",
            LABEL,
        );
        let mut entries = vec![
            (Some(Verdict::Acceptable), "acceptable"),
            (
                Some(Verdict::AlarpReview),
                "alarp-review: acceptable only after review; reduce as far as possible and justify",
            ),
            (Some(Verdict::Unacceptable), "unacceptable"),
        ];
        if has_no_verdict {
            entries.push((
                None,
                "no verdict: the policy's matrix has no entry for the cell",
            ));
        }
        for (verdict, label) in entries {
            legend_y += 20.0;
            let (fill, pattern, _) = style(verdict);
            swatch(&mut body, MARGIN, legend_y - 11.0, fill, pattern);
            Text {
                x: MARGIN + 30.0,
                y: legend_y,
                size: LABEL,
                anchor: "start",
                bold: false,
                fill: INK,
            }
            .write(&mut body, label);
            legend_w = legend_w.max(30.0 + width(label, LABEL));
        }
        legend_y += 20.0;
        let reading = "Rows: severity, highest at the top. Columns: exploitability, lowest at the left. Each cell: the FMEA rows at that severity and exploitability.";
        Text {
            x: MARGIN,
            y: legend_y,
            size: LABEL,
            anchor: "start",
            bold: false,
            fill: MUTED,
        }
        .write(&mut body, reading);
        legend_w = legend_w.max(width(reading, LABEL));

        let w = (2.0 * MARGIN + 2.0 * panel_w + PANEL_GAP)
            .max(heading_width(TITLE, subject))
            .max(2.0 * MARGIN + legend_w);
        let h = legend_y + 16.0;
        let defs = [
            hatch("alarp", 8.0, false, "#000000", 0.3),
            hatch("unacceptable", 8.0, true, "#000000", 0.3),
        ]
        .join("\n")
            + "\n";
        document(
            KIND,
            w,
            h,
            &full_title(TITLE, subject),
            &self.describe(&panels),
            &defs,
            &body,
        )
    }

    /// The text alternative: the whole matrix in words, for screen readers and for a
    /// reader who cannot see the colours.
    fn describe(&self, panels: &[Panel<'_>]) -> String {
        let mut desc = format!(
            "Counts of FMEA rows in each cell of the risk policy's acceptability matrix, before and after controls. Rows: severity ({}), drawn highest at the top. Columns: exploitability ({}), lowest at the left.",
            self.severity_levels.join(", "),
            self.exploitability_levels.join(", ")
        );
        for panel in panels {
            let t = &panel.tally;
            let [acceptable, alarp, unacceptable, none] = t.by_verdict;
            let _ = write!(
                desc,
                " {}: {acceptable} acceptable, {alarp} alarp-review, {unacceptable} unacceptable",
                capitalised(panel.name)
            );
            if none > 0 {
                let _ = write!(desc, ", {none} in cells with no verdict");
            }
            if t.outside > 0 {
                let _ = write!(desc, ", {} outside the policy's levels", t.outside);
            }
            let _ = write!(
                desc,
                ", {} not assessed; {} in all.",
                t.not_assessed,
                plural(t.total(), "row", "rows")
            );
            let mut cells = Vec::new();
            for (s, severity) in self.severity_levels.iter().enumerate().rev() {
                for (e, exploitability) in self.exploitability_levels.iter().enumerate() {
                    let count = count_at(panel.grid, s, e);
                    if count > 0 {
                        cells.push(format!(
                            "{severity} × {exploitability}: {count} ({})",
                            style(self.verdict(s, e)).2
                        ));
                    }
                }
            }
            if !cells.is_empty() {
                let _ = write!(
                    desc,
                    " Cells with rows {}: {}.",
                    panel.name,
                    cells.join("; ")
                );
            }
        }
        desc
    }
}

/// A matrix cell: white borders separate neighbours of the same verdict in print.
fn cell_rect(out: &mut String, x: f64, y: f64, w: f64, fill: &str) {
    let _ = writeln!(
        out,
        r##"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}" stroke="#ffffff" stroke-width="2"/>"##,
        num(x),
        num(y),
        num(w),
        num(CELL_H)
    );
}

fn swatch(out: &mut String, x: f64, y: f64, fill: &str, pattern: Option<&str>) {
    let _ = writeln!(
        out,
        r#"<rect x="{}" y="{}" width="22" height="14" fill="{fill}" stroke="{AXIS}" stroke-width="1"/>"#,
        num(x),
        num(y)
    );
    if let Some(pattern) = pattern {
        let _ = writeln!(
            out,
            r#"<rect x="{}" y="{}" width="22" height="14" fill="{}"/>"#,
            num(x),
            num(y),
            pattern_fill(pattern)
        );
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
