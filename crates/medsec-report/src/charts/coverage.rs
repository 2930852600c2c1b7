//! Requirements coverage per framework: one horizontal bar per framework, split into
//! covered, partly covered and open clauses, each bar the 100 % of its applicable
//! clauses so that frameworks of different sizes compare at a glance; the counts are
//! written beside every bar.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::draw::{
    AXIS, GRID, INK, MUTED, Text, bold_width, document, fit, full_title, hatch, heading,
    heading_width, no_data, num, pattern_fill, percentages, plural, width, xml,
};

/// Fill of covered clauses: Okabe-Ito blue (dark; white text).
pub const COVERED_FILL: &str = "#0072b2";
/// Fill of partly covered clauses: Okabe-Ito sky blue, with white hatching.
pub const PARTLY_FILL: &str = "#56b4e9";
/// Fill of open clauses: Okabe-Ito yellow (light; the gap stands out against blue).
pub const OPEN_FILL: &str = "#f0e442";

const KIND: &str = "framework-coverage";
const TITLE: &str = "Requirements coverage per framework";
const MARGIN: f64 = 16.0;
const BAR_W: f64 = 360.0;
const ROW_H: f64 = 26.0;
const BAR_H: f64 = 16.0;
const LABEL: f64 = 11.0;
const SMALL: f64 = 10.0;
/// Longest framework name drawn in full (the rest is in the tooltip and `<desc>`).
const MAX_NAME_CHARS: usize = 40;

/// Clause counts of one framework.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkRow {
    /// Short name, as the reports use it ("IEC 81001-5-1").
    pub name: String,
    pub covered: u64,
    pub partly: u64,
    pub open: u64,
    /// Clauses that do not apply to the device: written beside the bar, not drawn, as
    /// they are neither a gap nor evidence.
    pub not_applicable: u64,
}

/// What the coverage chart shows: frameworks in the order given (the report decides
/// the order; the chart does not re-sort).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkCoverage {
    /// What the chart is about (device and version), shown under the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub frameworks: Vec<FrameworkRow>,
}

struct Part {
    name: &'static str,
    fill: &'static str,
    ink: &'static str,
    pattern: Option<&'static str>,
}

const PARTS: [Part; 3] = [
    Part {
        name: "covered",
        fill: COVERED_FILL,
        ink: "#ffffff",
        pattern: None,
    },
    Part {
        name: "partly",
        fill: PARTLY_FILL,
        ink: INK,
        pattern: Some("partly"),
    },
    Part {
        name: "open",
        fill: OPEN_FILL,
        ink: INK,
        pattern: None,
    },
];

impl FrameworkRow {
    fn parts(&self) -> [u64; 3] {
        [self.covered, self.partly, self.open]
    }

    fn applicable(&self) -> u128 {
        self.parts().iter().map(|c| u128::from(*c)).sum()
    }

    /// "covered 0 (0%) · partly 17 (55%) · open 14 (45%)": every count on paper,
    /// whether or not its segment is wide enough to hold it.
    fn summary(&self) -> String {
        let shares = percentages(&self.parts());
        let mut text = if self.applicable() == 0 {
            "no applicable clauses".to_owned()
        } else {
            PARTS
                .iter()
                .zip(self.parts())
                .zip(&shares)
                .map(|((part, count), share)| format!("{} {count} ({share}%)", part.name))
                .collect::<Vec<_>>()
                .join(" · ")
        };
        if self.not_applicable > 0 {
            let _ = write!(text, " · not applicable {}", self.not_applicable);
        }
        text
    }
}

impl FrameworkCoverage {
    /// The chart as a standalone SVG document: legend on top, a percentage scale, one
    /// bar per framework with its counts on the right. Same input, same bytes.
    pub fn to_svg(&self) -> String {
        let subject = self.subject.as_deref();
        if self.frameworks.is_empty() {
            return no_data(
                KIND,
                TITLE,
                subject,
                &["No data: no framework applies or none was assessed.".to_owned()],
                "",
            );
        }
        let names: Vec<String> = self
            .frameworks
            .iter()
            .map(|f| fit(&f.name, MAX_NAME_CHARS))
            .collect();
        let summaries: Vec<String> = self.frameworks.iter().map(FrameworkRow::summary).collect();
        let name_w = names
            .iter()
            .map(|name| width(name, LABEL))
            .fold(40.0, f64::max);
        let summary_w = summaries
            .iter()
            .map(|s| width(s, SMALL))
            .fold(0.0, f64::max);

        let mut body = String::new();
        let head = heading(&mut body, TITLE, subject);
        let bar_x = MARGIN + name_w + 10.0;

        // Legend.
        let legend_y = head + 14.0;
        let mut x = bar_x;
        for part in &PARTS {
            swatch(&mut body, x, legend_y - 11.0, part);
            let label = match part.name {
                "partly" => "partly covered",
                other => other,
            };
            Text {
                x: x + 28.0,
                y: legend_y,
                size: LABEL,
                anchor: "start",
                bold: false,
                fill: INK,
            }
            .write(&mut body, label);
            x += 28.0 + width(label, LABEL) + 22.0;
        }
        let legend_w = x - bar_x;

        // Percentage scale and grid.
        let scale_y = legend_y + 26.0;
        let rows_y = scale_y + 8.0;
        let rows_h = self.frameworks.len() as f64 * ROW_H;
        for quarter in 0..=4u32 {
            let gx = bar_x + f64::from(quarter) * BAR_W / 4.0;
            Text {
                x: gx,
                y: scale_y,
                size: SMALL,
                anchor: "middle",
                bold: false,
                fill: MUTED,
            }
            .write(&mut body, &format!("{}%", quarter * 25));
            let _ = writeln!(
                body,
                r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{GRID}" stroke-width="1"/>"#,
                num(rows_y),
                num(rows_y + rows_h),
                x = num(gx)
            );
        }

        for (index, ((framework, name), summary)) in self
            .frameworks
            .iter()
            .zip(&names)
            .zip(&summaries)
            .enumerate()
        {
            let top = rows_y + index as f64 * ROW_H + (ROW_H - BAR_H) / 2.0;
            let text_y = top + BAR_H / 2.0 + 4.0;
            let _ = writeln!(
                body,
                "<g><title>{}</title>",
                xml(&format!("{}: {summary}", framework.name))
            );
            Text {
                x: bar_x - 10.0,
                y: text_y,
                size: LABEL,
                anchor: "end",
                bold: false,
                fill: INK,
            }
            .write(&mut body, &xml(name));
            let total = framework.applicable();
            if total == 0 {
                let _ = writeln!(
                    body,
                    r#"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{AXIS}" stroke-width="1" stroke-dasharray="4 3"/>"#,
                    num(bar_x),
                    num(top),
                    num(BAR_W),
                    num(BAR_H)
                );
            } else {
                let shares = percentages(&framework.parts());
                let mut before = 0u128;
                for ((part, count), share) in PARTS.iter().zip(framework.parts()).zip(&shares) {
                    if count == 0 {
                        continue;
                    }
                    let after = before + u128::from(count);
                    let x0 = bar_x + before as f64 / total as f64 * BAR_W;
                    let x1 = bar_x + after as f64 / total as f64 * BAR_W;
                    let _ = writeln!(
                        body,
                        r##"<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#ffffff" stroke-width="0.5"/>"##,
                        num(x0),
                        num(top),
                        num(x1 - x0),
                        num(BAR_H),
                        part.fill
                    );
                    if let Some(pattern) = part.pattern {
                        let _ = writeln!(
                            body,
                            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
                            num(x0),
                            num(top),
                            num(x1 - x0),
                            num(BAR_H),
                            pattern_fill(pattern)
                        );
                    }
                    let label = format!("{share}%");
                    if x1 - x0 >= bold_width(&label, SMALL) + 6.0 {
                        Text {
                            x: (x0 + x1) / 2.0,
                            y: text_y - 0.5,
                            size: SMALL,
                            anchor: "middle",
                            bold: true,
                            fill: part.ink,
                        }
                        .write(&mut body, &label);
                    }
                    before = after;
                }
            }
            let _ = writeln!(
                body,
                r#"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{AXIS}" stroke-width="0.5"/>"#,
                num(bar_x),
                num(top),
                num(BAR_W),
                num(BAR_H)
            );
            Text {
                x: bar_x + BAR_W + 10.0,
                y: text_y - 0.5,
                size: SMALL,
                anchor: "start",
                bold: false,
                fill: INK,
            }
            .write(&mut body, &xml(summary));
            body.push_str("</g>\n");
        }

        let notes = [
            "Each bar: the framework's applicable clauses (covered + partly + open = 100%, rounded so that the parts add up).",
            "Clauses that do not apply are counted beside the bar, not drawn.",
        ];
        let mut note_y = rows_y + rows_h + 4.0;
        for note in notes {
            note_y += 16.0;
            Text {
                x: MARGIN,
                y: note_y,
                size: LABEL,
                anchor: "start",
                bold: false,
                fill: MUTED,
            }
            .write(&mut body, note);
        }
        let notes_w = notes.iter().map(|n| width(n, LABEL)).fold(0.0, f64::max);

        let w = (bar_x + BAR_W + 10.0 + summary_w + MARGIN)
            .max(bar_x + legend_w + MARGIN)
            .max(heading_width(TITLE, subject))
            .max(2.0 * MARGIN + notes_w);
        let mut desc = format!(
            "Requirements coverage of {}, in the order given; percentages of applicable clauses.",
            plural(self.frameworks.len() as u128, "framework", "frameworks")
        );
        for (framework, summary) in self.frameworks.iter().zip(&summaries) {
            let _ = write!(desc, " {}: {summary}.", framework.name);
        }
        let defs = hatch("partly", 6.0, false, "#ffffff", 0.75) + "\n";
        document(
            KIND,
            w,
            note_y + 14.0,
            &full_title(TITLE, subject),
            &desc,
            &defs,
            &body,
        )
    }
}

fn swatch(out: &mut String, x: f64, y: f64, part: &Part) {
    let _ = writeln!(
        out,
        r#"<rect x="{}" y="{}" width="22" height="14" fill="{}" stroke="{AXIS}" stroke-width="1"/>"#,
        num(x),
        num(y),
        part.fill
    );
    if let Some(pattern) = part.pattern {
        let _ = writeln!(
            out,
            r#"<rect x="{}" y="{}" width="22" height="14" fill="{}"/>"#,
            num(x),
            num(y),
            pattern_fill(pattern)
        );
    }
}
