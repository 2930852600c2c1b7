//! Open affected findings by severity over time: stacked bars on a true date axis.
//!
//! Bars rather than a stacked area: each point is a snapshot taken on one day, and an
//! area would draw made-up values across the days between snapshots. On a date axis a
//! gap in the data stays visible as a gap.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::draw::{
    AXIS, GRID, INK, MUTED, Text, bold_width, document, fit, full_title, hatch, heading,
    heading_width, int_axis, no_data, num, pattern_fill, plural, width, xml,
};

const KIND: &str = "severity-timeline";
const TITLE: &str = "Open affected findings by severity over time";
const MARGIN: f64 = 16.0;
const PLOT_H: f64 = 240.0;
const MIN_PLOT_W: f64 = 480.0;
const MAX_PLOT_W: f64 = 1200.0;
const LABEL: f64 = 11.0;
const SMALL: f64 = 10.0;
const MAX_BAR_W: f64 = 36.0;
/// Unreadable dates listed in the picture; all of them are in `<desc>`.
const LISTED_BAD_DATES: usize = 5;

/// Open affected findings per severity on one date (the CVSS v3 bands, plus `none` and
/// `unknown` so that no finding drops out of the picture).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    pub critical: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    pub none: u64,
    /// No score known: shown as its own band, never folded into another.
    pub unknown: u64,
}

impl SeverityCounts {
    /// Counts in stacking order, bottom first.
    fn in_order(&self) -> [u64; 6] {
        [
            self.critical,
            self.high,
            self.medium,
            self.low,
            self.none,
            self.unknown,
        ]
    }

    fn total(&self) -> u128 {
        self.in_order().iter().map(|c| u128::from(*c)).sum()
    }
}

/// One snapshot: the counts of open affected findings on a date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelinePoint {
    /// `YYYY-MM-DD`. A point with any other form is listed as unreadable, not drawn.
    pub date: String,
    pub counts: SeverityCounts,
}

/// What the severity timeline shows: snapshots of open affected findings, in any order.
/// For a date given twice the last point given is drawn (and a note says so).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityTimeline {
    /// What the chart is about (device, portfolio), shown under the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub points: Vec<TimelinePoint>,
}

/// A severity band: name, fill, text colour on the fill, hatch pattern.
struct Band {
    name: &'static str,
    fill: &'static str,
    ink: &'static str,
    pattern: Option<&'static str>,
}

/// Bottom to top. Lightness falls steadily from low to critical (a sequential scale of
/// Okabe-Ito yellow, orange and vermillion, then dark brown), so the order reads in
/// grey and for every kind of colour vision; `none` is a mid grey (darker than `low`,
/// so the two neighbours differ in print) and `unknown` a dark grey with hatching, as
/// neither is on the scale.
const BANDS: [Band; 6] = [
    Band {
        name: "critical",
        fill: "#7a2a04",
        ink: "#ffffff",
        pattern: None,
    },
    Band {
        name: "high",
        fill: "#d55e00",
        ink: INK,
        pattern: None,
    },
    Band {
        name: "medium",
        fill: "#e69f00",
        ink: INK,
        pattern: None,
    },
    Band {
        name: "low",
        fill: "#f0e442",
        ink: INK,
        pattern: None,
    },
    Band {
        name: "none",
        fill: "#a6a6a6",
        ink: INK,
        pattern: None,
    },
    Band {
        name: "unknown",
        fill: "#595959",
        ink: "#ffffff",
        pattern: Some("unknown"),
    },
];

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (proleptic Gregorian), or `None` when
/// the text is not such a date. Done here to keep the module free of a date library.
pub(crate) fn parse_date(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = bytes.get(range)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's `days_from_civil`.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Howard Hinnant's `civil_from_days`: (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Spacing of the date ticks. Days count from the first date (weekly data gets ticks on
/// its own days); months and years start on the 1st of a month and of January.
#[derive(Clone, Copy)]
enum Step {
    Days(i64),
    Months(i64),
    Years(i64),
}

const STEPS: [Step; 20] = [
    Step::Days(1),
    Step::Days(2),
    Step::Days(7),
    Step::Days(14),
    Step::Months(1),
    Step::Months(2),
    Step::Months(3),
    Step::Months(6),
    Step::Years(1),
    Step::Years(2),
    Step::Years(5),
    Step::Years(10),
    Step::Years(20),
    Step::Years(50),
    Step::Years(100),
    Step::Years(200),
    Step::Years(500),
    Step::Years(1000),
    Step::Years(2000),
    Step::Years(5000),
];

impl Step {
    /// The fewest days between two ticks.
    fn min_days(self) -> f64 {
        match self {
            Step::Days(k) => k as f64,
            Step::Months(k) => 28.0 * k as f64,
            Step::Years(k) => 365.0 * k as f64,
        }
    }

    fn sample_label(self) -> &'static str {
        match self {
            Step::Days(_) => "0000-00-00",
            Step::Months(_) => "0000-00",
            Step::Years(_) => "0000",
        }
    }

    /// Tick days and labels in `first..=last`.
    fn ticks(self, first: i64, last: i64) -> Vec<(i64, String)> {
        let mut ticks = Vec::new();
        match self {
            Step::Days(k) => {
                let mut day = first;
                while day <= last {
                    let (y, m, d) = civil_from_days(day);
                    ticks.push((day, format!("{y:04}-{m:02}-{d:02}")));
                    day += k;
                }
            }
            Step::Months(k) => {
                let (y, m, d) = civil_from_days(first);
                let mut index = y * 12 + (m - 1) + i64::from(d > 1);
                index = index.div_euclid(k) * k + if index.rem_euclid(k) > 0 { k } else { 0 };
                loop {
                    let (y, m) = (index.div_euclid(12), index.rem_euclid(12) + 1);
                    let day = days_from_civil(y, m, 1);
                    if day > last {
                        break;
                    }
                    ticks.push((day, format!("{y:04}-{m:02}")));
                    index += k;
                }
            }
            Step::Years(k) => {
                let (y, m, d) = civil_from_days(first);
                let mut year = y + i64::from(m > 1 || d > 1);
                year = year.div_euclid(k) * k + if year.rem_euclid(k) > 0 { k } else { 0 };
                loop {
                    let day = days_from_civil(year, 1, 1);
                    if day > last {
                        break;
                    }
                    ticks.push((day, format!("{year:04}")));
                    year += k;
                }
            }
        }
        ticks
    }
}

/// Date ticks whose labels do not overlap: the finest step whose ticks are at least a
/// label's width apart. If no tick of that step falls in the range, the first date is
/// labelled, so the axis is never bare.
fn date_ticks(first: i64, last: i64, px_per_day: f64) -> Vec<(i64, String)> {
    let step = STEPS
        .iter()
        .copied()
        .find(|step| step.min_days() * px_per_day >= width(step.sample_label(), SMALL) + 14.0)
        .unwrap_or(Step::Years(5000));
    let mut ticks = step.ticks(first, last);
    if ticks.is_empty() {
        let (y, m, d) = civil_from_days(first);
        ticks.push((first, format!("{y:04}-{m:02}-{d:02}")));
    }
    ticks
}

impl SeverityTimeline {
    /// The chart as a standalone SVG document: one stacked bar per date, critical at
    /// the bottom, on a date axis; a legend on the right. Same input, same bytes.
    pub fn to_svg(&self) -> String {
        let subject = self.subject.as_deref();
        let mut by_day: BTreeMap<i64, &TimelinePoint> = BTreeMap::new();
        let mut repeated = 0usize;
        let mut unreadable: Vec<&str> = Vec::new();
        for point in &self.points {
            match parse_date(&point.date) {
                Some(day) => {
                    if by_day.insert(day, point).is_some() {
                        repeated += 1;
                    }
                }
                None => unreadable.push(&point.date),
            }
        }
        // Notes under the chart (unreadable dates shortened), and what `<desc>` adds to
        // them (every unreadable date in full).
        let mut notes: Vec<String> = Vec::new();
        let mut desc_notes = String::new();
        if repeated > 0 {
            let note = format!(
                "{} given more than once: the last point given for a date is drawn.",
                plural(repeated as u128, "date was", "dates were")
            );
            let _ = write!(desc_notes, " {note}");
            notes.push(note);
        }
        if !unreadable.is_empty() {
            let listed: Vec<String> = unreadable
                .iter()
                .take(LISTED_BAD_DATES)
                .map(|date| format!("\"{}\"", fit(date, 24)))
                .collect();
            let more = unreadable.len().saturating_sub(LISTED_BAD_DATES);
            let mut note = format!(
                "{} not drawn, the date not being YYYY-MM-DD: {}",
                plural(unreadable.len() as u128, "point", "points"),
                listed.join(", ")
            );
            if more > 0 {
                let _ = write!(note, " and {more} more");
            }
            note.push('.');
            notes.push(note);
            let _ = write!(
                desc_notes,
                " Unreadable dates: {}.",
                unreadable
                    .iter()
                    .map(|date| format!("\"{date}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let (Some(first), Some(last)) = (
            by_day.keys().next().copied(),
            by_day.keys().next_back().copied(),
        ) else {
            let mut lines =
                vec!["No data: no snapshot of open findings with a readable date.".to_owned()];
            // No readable date means no repeated one either: the notes are about
            // unreadable dates only.
            lines.extend(notes);
            return no_data(KIND, TITLE, subject, &lines, &desc_notes);
        };

        let span = (last - first).max(1) as f64;
        let plot_w = (by_day.len() as f64 * 18.0).clamp(MIN_PLOT_W, MAX_PLOT_W);
        // Bars are as wide as the closest two snapshots allow (monthly data gets broad
        // bars, daily data thin ones), and the axis is padded by half a bar so that the
        // first and last bars stay inside the plot.
        let closest = by_day
            .keys()
            .zip(by_day.keys().skip(1))
            .map(|(a, b)| b - a)
            .min();
        let rough_bar = match closest {
            Some(days) => (days as f64 * plot_w / span * 0.6).clamp(1.0, MAX_BAR_W),
            None => MAX_BAR_W,
        };
        let pad = rough_bar / 2.0 + 6.0;
        let px_per_day = (plot_w - 2.0 * pad) / span;
        let slot = closest.map_or(plot_w, |days| days as f64 * px_per_day);
        let bar_w = rough_bar.min(slot * 0.8).max(1.0);
        let max_total = by_day.values().map(|p| p.counts.total()).max().unwrap_or(0);
        let (step, top) = int_axis(max_total);
        let mut y_ticks = Vec::new();
        let mut value = 0u128;
        while value <= top {
            y_ticks.push(value);
            match value.checked_add(step) {
                Some(next) => value = next,
                None => break,
            }
        }
        let y_label_w = y_ticks
            .iter()
            .map(|v| width(&v.to_string(), SMALL))
            .fold(0.0, f64::max);
        let x_ticks = date_ticks(first, last, px_per_day);
        let x_label_w = x_ticks
            .iter()
            .map(|(_, label)| width(label, SMALL))
            .fold(0.0, f64::max);

        let mut body = String::new();
        let head = heading(&mut body, TITLE, subject);
        let plot_x = MARGIN + 18.0 + y_label_w + 8.0;
        let plot_y = head + 24.0;
        let bottom = plot_y + PLOT_H;
        let scale = |v: u128| bottom - v as f64 / top as f64 * PLOT_H;
        let x_of = |day: i64| {
            if first == last {
                plot_x + plot_w / 2.0
            } else {
                plot_x + pad + (day - first) as f64 * px_per_day
            }
        };

        // Axes, grid and y ticks.
        for tick in &y_ticks {
            let y = scale(*tick);
            let _ = writeln!(
                body,
                r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{GRID}" stroke-width="1"/>"#,
                num(plot_x),
                num(y),
                num(plot_x + plot_w),
                num(y)
            );
            Text {
                x: plot_x - 6.0,
                y: y + 3.5,
                size: SMALL,
                anchor: "end",
                bold: false,
                fill: MUTED,
            }
            .write(&mut body, &tick.to_string());
        }
        let _ = writeln!(
            body,
            r#"<text x="{x}" y="{y}" font-size="{LABEL}" font-weight="bold" text-anchor="middle" fill="{INK}" transform="rotate(-90 {x} {y})">Open affected findings</text>"#,
            x = num(MARGIN + 10.0),
            y = num(plot_y + PLOT_H / 2.0),
        );

        // Bars.
        let all_zero = max_total == 0;
        for (day, point) in &by_day {
            let cx = x_of(*day);
            let x = cx - bar_w / 2.0;
            let counts = point.counts.in_order();
            let total = point.counts.total();
            let parts: Vec<String> = BANDS
                .iter()
                .zip(counts)
                .map(|(band, count)| format!("{count} {}", band.name))
                .collect();
            let _ = writeln!(
                body,
                "<g><title>{}</title>",
                xml(&format!(
                    "{}: {}; {total} open",
                    point.date,
                    parts.join(", ")
                ))
            );
            if total == 0 {
                // A mark on the axis: data on this date, none open (no bar means no data).
                let _ = writeln!(
                    body,
                    r#"<rect x="{}" y="{}" width="{}" height="3" fill="{MUTED}"/>"#,
                    num(x),
                    num(bottom - 3.0),
                    num(bar_w)
                );
            }
            let mut below = 0u128;
            for (band, count) in BANDS.iter().zip(counts) {
                if count == 0 {
                    continue;
                }
                let above = below + u128::from(count);
                let (y0, y1) = (scale(above), scale(below));
                let stroke = if bar_w >= 4.0 {
                    r##" stroke="#ffffff" stroke-width="0.5""##
                } else {
                    ""
                };
                let _ = writeln!(
                    body,
                    r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"{stroke}/>"#,
                    num(x),
                    num(y0),
                    num(bar_w),
                    num(y1 - y0),
                    band.fill
                );
                if let Some(pattern) = band.pattern {
                    let _ = writeln!(
                        body,
                        r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
                        num(x),
                        num(y0),
                        num(bar_w),
                        num(y1 - y0),
                        pattern_fill(pattern)
                    );
                }
                let label = count.to_string();
                if y1 - y0 >= 14.0 && bar_w >= width(&label, SMALL) + 4.0 {
                    Text {
                        x: cx,
                        y: (y0 + y1) / 2.0 + 3.5,
                        size: SMALL,
                        anchor: "middle",
                        bold: false,
                        fill: band.ink,
                    }
                    .write(&mut body, &label);
                }
                below = above;
            }
            let label = total.to_string();
            if slot * 0.95 >= bold_width(&label, SMALL) {
                Text {
                    x: cx,
                    y: scale(total) - 5.0,
                    size: SMALL,
                    anchor: "middle",
                    bold: true,
                    fill: INK,
                }
                .write(&mut body, &label);
            }
            body.push_str("</g>\n");
        }
        if all_zero {
            Text {
                x: plot_x + plot_w / 2.0,
                y: plot_y + PLOT_H / 2.0,
                size: 13.0,
                anchor: "middle",
                bold: false,
                fill: MUTED,
            }
            .write(
                &mut body,
                &format!(
                    "No open affected findings on any of the {}.",
                    plural(by_day.len() as u128, "date", "dates")
                ),
            );
        }
        let _ = writeln!(
            body,
            r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{AXIS}" stroke-width="1"/>"#,
            num(plot_y),
            num(bottom),
            x = num(plot_x)
        );
        let _ = writeln!(
            body,
            r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{AXIS}" stroke-width="1"/>"#,
            num(plot_x),
            num(plot_x + plot_w),
            y = num(bottom)
        );
        for (day, label) in &x_ticks {
            let x = x_of(*day);
            let _ = writeln!(
                body,
                r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{AXIS}" stroke-width="1"/>"#,
                num(bottom),
                num(bottom + 4.0),
                x = num(x)
            );
            Text {
                x,
                y: bottom + 16.0,
                size: SMALL,
                anchor: "middle",
                bold: false,
                fill: INK,
            }
            .write(&mut body, label);
        }
        Text {
            x: plot_x + plot_w / 2.0,
            y: bottom + 34.0,
            size: LABEL,
            anchor: "middle",
            bold: true,
            fill: INK,
        }
        .write(&mut body, "Date");

        // Legend, in the order of the stack (top band first).
        let legend_x = plot_x + plot_w + x_label_w / 2.0 + 16.0;
        Text {
            x: legend_x,
            y: plot_y + 4.0,
            size: LABEL,
            anchor: "start",
            bold: true,
            fill: INK,
        }
        .write(&mut body, "Severity");
        let mut legend_w = bold_width("Severity", LABEL);
        for (row, band) in BANDS.iter().rev().enumerate() {
            let y = plot_y + 14.0 + row as f64 * 20.0;
            let _ = writeln!(
                body,
                r#"<rect x="{}" y="{}" width="22" height="14" fill="{}" stroke="{AXIS}" stroke-width="1"/>"#,
                num(legend_x),
                num(y),
                band.fill
            );
            if let Some(pattern) = band.pattern {
                let _ = writeln!(
                    body,
                    r#"<rect x="{}" y="{}" width="22" height="14" fill="{}"/>"#,
                    num(legend_x),
                    num(y),
                    pattern_fill(pattern)
                );
            }
            Text {
                x: legend_x + 30.0,
                y: y + 11.0,
                size: LABEL,
                anchor: "start",
                bold: false,
                fill: INK,
            }
            .write(&mut body, band.name);
            legend_w = legend_w.max(30.0 + width(band.name, LABEL));
        }

        let mut lines = vec![
            "Each bar: the findings open on that date, stacked by severity with critical at the bottom.".to_owned(),
            "No bar: no data for that date. A grey mark on the axis: data, but nothing open.".to_owned(),
        ];
        lines.extend(notes.iter().cloned());
        let mut y = bottom + 40.0;
        let mut notes_w: f64 = 0.0;
        for line in &lines {
            y += 16.0;
            Text {
                x: MARGIN,
                y,
                size: LABEL,
                anchor: "start",
                bold: false,
                fill: MUTED,
            }
            .write(&mut body, &xml(line));
            notes_w = notes_w.max(width(line, LABEL));
        }

        let w = (legend_x + legend_w + MARGIN)
            .max(heading_width(TITLE, subject))
            .max(2.0 * MARGIN + notes_w);
        let mut desc = format!(
            "Stacked bars of open affected findings by severity (critical, high, medium, low, none, unknown) on {} from {} to {}.",
            plural(by_day.len() as u128, "date", "dates"),
            by_day
                .values()
                .next()
                .map(|p| p.date.as_str())
                .unwrap_or(""),
            by_day
                .values()
                .next_back()
                .map(|p| p.date.as_str())
                .unwrap_or(""),
        );
        for point in by_day.values() {
            let c = &point.counts;
            let _ = write!(
                desc,
                " {}: {} critical, {} high, {} medium, {} low, {} none, {} unknown; {} open.",
                point.date,
                c.critical,
                c.high,
                c.medium,
                c.low,
                c.none,
                c.unknown,
                c.total()
            );
        }
        desc.push_str(&desc_notes);
        let defs = hatch("unknown", 5.0, false, "#ffffff", 0.4) + "\n";
        document(
            KIND,
            w,
            y + 14.0,
            &full_title(TITLE, subject),
            &desc,
            &defs,
            &body,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for text in [
            "1970-01-01",
            "2000-02-29",
            "2024-12-31",
            "0000-01-01",
            "9999-12-31",
        ] {
            let day = parse_date(text).unwrap_or(i64::MIN);
            let (y, m, d) = civil_from_days(day);
            assert_eq!(format!("{y:04}-{m:02}-{d:02}"), text);
        }
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2024-03-01"), Some(19_783));
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "2024-01-0a",
            "",
            "２０２４-01-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn ticks_do_not_crowd() {
        let first = parse_date("2023-01-15").unwrap_or(0);
        let last = parse_date("2024-06-30").unwrap_or(0);
        let px = 600.0 / (last - first + 1) as f64;
        let ticks = date_ticks(first, last, px);
        assert!(ticks.len() >= 2);
        for pair in ticks.windows(2) {
            if let [a, b] = pair {
                assert!((b.0 - a.0) as f64 * px >= width(&a.1, SMALL));
            }
        }
        assert_eq!(
            ticks.iter().map(|t| t.1.as_str()).collect::<Vec<_>>(),
            [
                "2023-03", "2023-05", "2023-07", "2023-09", "2023-11", "2024-01", "2024-03",
                "2024-05"
            ]
        );
    }
}
