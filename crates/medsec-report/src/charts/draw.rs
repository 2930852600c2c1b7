//! Drawing helpers shared by the charts: escaping, text width estimates, number
//! formatting, integer axis ticks, fill patterns and the SVG document frame.

use std::fmt::Write as _;

/// Font stack: the reader's system sans-serif, so the SVG needs no font file.
pub(crate) const FONT: &str =
    "system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, Helvetica, Arial, sans-serif";

/// Text colour: near black, for contrast on every fill of the palettes.
pub(crate) const INK: &str = "#1a1a1a";
/// Secondary text (notes, axis ticks): still above 7:1 contrast on white.
pub(crate) const MUTED: &str = "#4d4d4d";
/// Axis and grid lines.
pub(crate) const AXIS: &str = "#666666";
pub(crate) const GRID: &str = "#d9d9d9";

/// Stands for the document's id prefix while the document is built; replaced by a
/// prefix derived from the content (see [`document`]). Escaped text can never contain
/// it, since [`xml`] replaces control characters.
pub(crate) const ID: &str = "\u{1}";

/// Escapes text for XML content and attribute values, on one line. Names come from
/// user files: characters XML 1.0 cannot carry (most C0 controls) and bidirectional
/// overrides (which could make a name display as another) become U+FFFD; runs of
/// whitespace (YAML folded lines) become one space.
pub(crate) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, word) in text.split_whitespace().enumerate() {
        if index > 0 {
            out.push(' ');
        }
        for c in word.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&apos;"),
                c if (c as u32) < 0x20
                    || ('\u{7f}'..='\u{9f}').contains(&c)
                    || ('\u{202a}'..='\u{202e}').contains(&c)
                    || ('\u{2066}'..='\u{2069}').contains(&c)
                    || c == '\u{fffe}'
                    || c == '\u{ffff}' =>
                {
                    out.push('\u{fffd}')
                }
                c => out.push(c),
            }
        }
    }
    out
}

/// Shortens a name to `max` characters with an ellipsis, so one very long name cannot
/// stretch a chart; the full name stays in the element's `<title>` and in `<desc>`.
pub(crate) fn fit(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut head: String = one_line.chars().take(max.saturating_sub(1)).collect();
    while head.ends_with(' ') {
        head.pop();
    }
    head.push('…');
    head
}

/// Approximate width in pixels of `text` at `size` px. No font metrics are available
/// (the SVG must not depend on a font), so this errs on the wide side: East Asian wide
/// characters and emoji count as a full em, combining marks as nothing.
pub(crate) fn width(text: &str, size: f64) -> f64 {
    let ems: f64 = text
        .chars()
        .map(|c| {
            let u = c as u32;
            if (0x300..=0x36f).contains(&u) || (0x200b..=0x200f).contains(&u) {
                0.0
            } else if (0x1100..=0x115f).contains(&u)
                || (0x2e80..=0xa4cf).contains(&u)
                || (0xac00..=0xd7a3).contains(&u)
                || (0xf900..=0xfaff).contains(&u)
                || (0xfe30..=0xfe4f).contains(&u)
                || (0xff00..=0xff60).contains(&u)
                || (0xffe0..=0xffe6).contains(&u)
                || (0x1f300..=0x1faff).contains(&u)
                || (0x20000..=0x3fffd).contains(&u)
            {
                1.0
            } else if c.is_ascii_uppercase() || c == 'm' || c == 'w' || c == '%' {
                0.72
            } else if c.is_ascii_digit() {
                // DejaVu Sans, the widest common fallback, has digits of 0.636 em.
                0.64
            } else {
                0.6
            }
        })
        .sum();
    ems * size
}

/// Width of bold text: a little wider than regular.
pub(crate) fn bold_width(text: &str, size: f64) -> f64 {
    width(text, size) * 1.1
}

/// A number for SVG attributes: one decimal, no trailing ".0", no "-0", so equal
/// inputs give equal bytes on every platform.
pub(crate) fn num(value: f64) -> String {
    if !value.is_finite() {
        return "0".into();
    }
    let rounded = (value * 10.0).round() / 10.0;
    if rounded == 0.0 {
        return "0".into();
    }
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// "1 row" / "2 rows": counts are read aloud by screen readers from `<desc>`.
pub(crate) fn plural(count: u128, one: &str, many: &str) -> String {
    if count == 1 {
        format!("{count} {one}")
    } else {
        format!("{count} {many}")
    }
}

/// Integer axis: a step of 1, 2 or 5 × 10^k giving at most five intervals, and the top
/// of the axis (a multiple of the step at or above `max`). Counts are whole findings,
/// so the ticks never show fractions; an all-zero series still gets an axis of 0..1.
pub(crate) fn int_axis(max: u128) -> (u128, u128) {
    if max == 0 {
        return (1, 1);
    }
    let mut power: u128 = 1;
    loop {
        for m in [1u128, 2, 5] {
            let step = power.saturating_mul(m);
            if max.div_ceil(step) <= 5 {
                return (step, max.div_ceil(step).saturating_mul(step));
            }
        }
        match power.checked_mul(10) {
            Some(next) => power = next,
            None => return (max, max),
        }
    }
}

/// Integer percentages of `parts` that add up to exactly 100 (largest remainder), so a
/// bar's labels never read 33 + 33 + 33. All zero gives all zero.
pub(crate) fn percentages(parts: &[u64]) -> Vec<u128> {
    let total: u128 = parts.iter().map(|p| u128::from(*p)).sum();
    if total == 0 {
        return vec![0; parts.len()];
    }
    let mut floors: Vec<u128> = Vec::with_capacity(parts.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(parts.len());
    for (index, part) in parts.iter().enumerate() {
        let scaled = u128::from(*part) * 100;
        floors.push(scaled / total);
        remainders.push((scaled % total, index));
    }
    let assigned: u128 = floors.iter().sum();
    let mut missing = 100u128.saturating_sub(assigned);
    // Largest remainder first; ties go to the earlier part, for stable output.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (remainder, index) in remainders {
        if missing == 0 {
            break;
        }
        if remainder > 0
            && let Some(floor) = floors.get_mut(index)
        {
            *floor += 1;
            missing -= 1;
        }
    }
    floors
}

/// A hatch pattern (lines at 45°, or crossed) laid over a colour fill, so categories
/// stay apart when printed in black and white or seen without colour vision.
pub(crate) fn hatch(name: &str, spacing: f64, crossed: bool, stroke: &str, opacity: f64) -> String {
    let s = num(spacing);
    let mid = num(spacing / 2.0);
    let opacity = num(opacity);
    let mut out = format!(
        r#"<pattern id="{ID}-{name}" patternUnits="userSpaceOnUse" width="{s}" height="{s}" patternTransform="rotate(45)">"#
    );
    let _ = write!(
        out,
        r#"<line x1="{mid}" y1="0" x2="{mid}" y2="{s}" stroke="{stroke}" stroke-width="1.2" stroke-opacity="{opacity}"/>"#
    );
    if crossed {
        let _ = write!(
            out,
            r#"<line x1="0" y1="{mid}" x2="{s}" y2="{mid}" stroke="{stroke}" stroke-width="1.2" stroke-opacity="{opacity}"/>"#
        );
    }
    out.push_str("</pattern>");
    out
}

/// `fill` attribute value pointing at a pattern of this document.
pub(crate) fn pattern_fill(name: &str) -> String {
    format!("url(#{ID}-{name})")
}

/// A text element; `content` must already be escaped.
pub(crate) struct Text<'a> {
    pub x: f64,
    pub y: f64,
    pub size: f64,
    pub anchor: &'a str,
    pub bold: bool,
    pub fill: &'a str,
}

impl Text<'_> {
    pub(crate) fn write(&self, out: &mut String, content: &str) {
        let weight = if self.bold {
            r#" font-weight="bold""#
        } else {
            ""
        };
        let anchor = if self.anchor == "start" {
            String::new()
        } else {
            format!(r#" text-anchor="{}""#, self.anchor)
        };
        let _ = writeln!(
            out,
            r#"<text x="{}" y="{}" font-size="{}"{anchor}{weight} fill="{}">{content}</text>"#,
            num(self.x),
            num(self.y),
            num(self.size),
            self.fill
        );
    }
}

/// The title block: chart title and, when given, its subject (a device, a version).
/// Returns the y below it.
pub(crate) fn heading(out: &mut String, title: &str, subject: Option<&str>) -> f64 {
    Text {
        x: 16.0,
        y: 26.0,
        size: 16.0,
        anchor: "start",
        bold: true,
        fill: INK,
    }
    .write(out, &xml(title));
    match subject.map(str::trim).filter(|s| !s.is_empty()) {
        Some(subject) => {
            Text {
                x: 16.0,
                y: 45.0,
                size: 12.0,
                anchor: "start",
                bold: false,
                fill: MUTED,
            }
            .write(out, &xml(&fit(subject, 120)));
            58.0
        }
        None => 40.0,
    }
}

/// Width the heading needs.
pub(crate) fn heading_width(title: &str, subject: Option<&str>) -> f64 {
    let subject = subject.map(|s| width(&fit(s, 120), 12.0)).unwrap_or(0.0);
    bold_width(title, 16.0).max(subject) + 32.0
}

/// Full title including the subject, for `<title>`.
pub(crate) fn full_title(title: &str, subject: Option<&str>) -> String {
    match subject.map(str::trim).filter(|s| !s.is_empty()) {
        Some(subject) => format!("{title}: {subject}"),
        None => title.to_owned(),
    }
}

/// Assembles the standalone SVG 1.1 document. `title` and `desc` are plain text (they
/// are escaped here); `defs` and `body` are markup that may use [`ID`]. The id prefix is
/// derived from the content (FNV-1a), so the same chart always has the same bytes and
/// two different charts inlined in one HTML page do not share pattern ids.
pub(crate) fn document(
    kind: &str,
    w: f64,
    h: f64,
    title: &str,
    desc: &str,
    defs: &str,
    body: &str,
) -> String {
    let (w, h) = (num(w.ceil()), num(h.ceil()));
    let mut out = String::with_capacity(body.len() + defs.len() + desc.len() + 512);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{ID}-title {ID}-desc" font-family="{FONT}">"#
    );
    let _ = writeln!(out, r#"<title id="{ID}-title">{}</title>"#, xml(title));
    let _ = writeln!(out, r#"<desc id="{ID}-desc">{}</desc>"#, xml(desc));
    if !defs.is_empty() {
        let _ = writeln!(out, "<defs>\n{defs}</defs>");
    }
    let _ = writeln!(
        out,
        r##"<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>"##
    );
    out.push_str(body);
    out.push_str("</svg>\n");
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in out.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    out.replace(ID, &format!("medsec-{kind}-{:08x}", hash >> 32))
}

/// The chart for an input with nothing to draw: still a valid, labelled SVG that says
/// so, because a report must show that a chart is empty rather than omit it. `lines`
/// are plain text; the first one is the main message. `more` is added to `<desc>` only
/// (full names that the lines shorten).
pub(crate) fn no_data(
    kind: &str,
    title: &str,
    subject: Option<&str>,
    lines: &[String],
    more: &str,
) -> String {
    let mut body = String::new();
    let mut y = heading(&mut body, title, subject) + 8.0;
    let mut w = heading_width(title, subject).max(320.0);
    for (index, line) in lines.iter().enumerate() {
        let size = if index == 0 { 13.0 } else { 11.0 };
        y += size + 7.0;
        Text {
            x: 16.0,
            y,
            size,
            anchor: "start",
            bold: false,
            fill: if index == 0 { INK } else { MUTED },
        }
        .write(&mut body, &xml(line));
        w = w.max(width(line, size) + 32.0);
    }
    let full = full_title(title, subject);
    let desc = std::iter::once(full.as_str())
        .chain(lines.iter().map(String::as_str))
        .map(|line| line.trim_end_matches('.'))
        .collect::<Vec<_>>()
        .join(". ")
        + "."
        + more;
    document(kind, w, y + 18.0, &full, &desc, "", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_controls_and_overrides() {
        assert_eq!(xml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml("x\u{1}y\u{202e}z"), "x\u{fffd}y\u{fffd}z");
        assert_eq!(xml("  two\n lines "), "two lines");
    }

    #[test]
    fn fits_long_names() {
        assert_eq!(fit("abcdef", 6), "abcdef");
        assert_eq!(fit("abc defgh", 6), "abc d…");
        assert_eq!(fit("abcd efgh", 6), "abcd…");
        assert_eq!(fit("ééééééé", 4), "ééé…");
    }

    #[test]
    fn integer_axis() {
        assert_eq!(int_axis(0), (1, 1));
        assert_eq!(int_axis(1), (1, 1));
        assert_eq!(int_axis(4), (1, 4));
        assert_eq!(int_axis(7), (2, 8));
        assert_eq!(int_axis(23), (5, 25));
        assert_eq!(int_axis(334), (100, 400));
        let huge = u128::from(u64::MAX) * 6;
        let (step, top) = int_axis(huge);
        assert!(top >= huge && top.div_ceil(step) <= 5);
    }

    #[test]
    fn percentages_sum_to_100() {
        assert_eq!(percentages(&[1, 1, 1]), [34, 33, 33]);
        assert_eq!(percentages(&[0, 17, 14]), [0, 55, 45]);
        assert_eq!(percentages(&[0, 0, 0]), [0, 0, 0]);
        assert_eq!(percentages(&[u64::MAX, u64::MAX, 1]), [50, 50, 0]);
    }

    #[test]
    fn numbers_are_fixed() {
        assert_eq!(num(0.04), "0");
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.25), "12.3");
        assert_eq!(num(f64::NAN), "0");
    }
}
