//! The PDF writer: the report tree typeset with the Typst compiler used as a library.
//!
//! The [`Document`] is translated into Typst markup ([`typst_markup`]) in which every
//! text of the report is a Typst *string literal* (`#"…"`, `strong("…")`, table cells
//! `"…"`), never markup: a title, a cell or a CVE description holding `#`, `*`, `_`,
//! `$`, `@`, `<`, `[` or `\` is printed as written and cannot inject markup or code.
//! The SVG figures are in-memory files of a minimal [`World`] (`fig-1.svg`, …); the fonts
//! are the ones embedded in `typst-assets` (Libertinus Serif for the text, DejaVu Sans
//! Mono for code), so the output does not depend on the fonts of the machine.
//!
//! Layout: a header block with the title and the subtitle lines, a table of contents,
//! the numbered sections (the numbers of [`Document::numbered`], the same as in the HTML
//! and Markdown), tables whose header row repeats on every page they run over (wide
//! tables, eight columns or more, on landscape pages and in a smaller type), figures
//! scaled to the text width, and a footer with the report title and the page number.
//!
//! The output is deterministic: no wall clock is read; the PDF creation date is the first
//! ISO date (`YYYY-MM-DD`) of the subtitle lines, or absent when there is none. The same
//! tree gives the same bytes.

use std::fmt::Write as _;
use std::sync::OnceLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::doc::{Block, Document, Inline, Section};

/// Why a PDF could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The tree itself is broken (duplicate anchors, ragged tables): see
    /// [`Document::check`].
    #[error("the report cannot be typeset: {}", .0.join("; "))]
    Malformed(Vec<String>),
    /// The typesetter refused the generated markup or a figure (an SVG it cannot read).
    #[error("typesetting the report failed: {}", .0.join("; "))]
    Typeset(Vec<String>),
    /// The typeset pages could not be written as PDF.
    #[error("writing the PDF failed: {}", .0.join("; "))]
    Export(Vec<String>),
}

/// The report as PDF bytes.
pub fn render(doc: &Document) -> Result<Vec<u8>, PdfError> {
    let problems = doc.check();
    if !problems.is_empty() {
        return Err(PdfError::Malformed(problems));
    }
    let (markup, figures) = translate(doc);
    let world = ReportWorld::new(markup, figures);
    let paged = typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|errors| PdfError::Typeset(messages(&errors)))?;
    let options = typst_pdf::PdfOptions {
        // A stable identifier derived from the title: the same report keeps its PDF id.
        ident: Smart::Custom(&doc.title),
        timestamp: None,
        ..typst_pdf::PdfOptions::default()
    };
    typst_pdf::pdf(&paged, &options).map_err(|errors| PdfError::Export(messages(&errors)))
}

/// The Typst markup [`render`] typesets (figures are referred to as `fig-N.svg`, numbered
/// from 1 in document order). For inspection and debugging.
pub fn typst_markup(doc: &Document) -> String {
    translate(doc).0
}

fn messages(errors: &[SourceDiagnostic]) -> Vec<String> {
    errors
        .iter()
        .map(|e| {
            let mut m = e.message.to_string();
            for hint in &e.hints {
                let _ = write!(m, " (hint: {hint})");
            }
            m
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Markup generation
// ---------------------------------------------------------------------------------------

/// Body text size, and the table text sizes by number of columns.
const BODY_SIZE: &str = "10pt";
/// Tables with this many columns or more go on landscape pages.
const LANDSCAPE_COLUMNS: usize = 8;

/// A Typst string literal holding `text` exactly: quotes, backslashes and control
/// characters escaped; everything else (including markup characters) is inert inside a
/// string.
fn lit(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Runs of this many characters or more with no break opportunity (hashes, purls,
/// CVSS vectors) are set as a row of short boxes, so that they wrap inside a narrow
/// table cell instead of widening it off the page.
const UNBROKEN: usize = 20;
/// The length of each box.
const BREAK_EVERY: usize = 8;

/// A table cell as a Typst code expression. A line may break between two inline boxes,
/// and nothing is added to the text: copying or extracting a hash gives the hash (an
/// invisible break character such as U+200B would be copied with it).
fn breakable(text: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut plain = String::new();
    for token in text.split_inclusive(|c: char| c.is_whitespace() || "/:-.,;".contains(c)) {
        let chars: Vec<char> = token.chars().collect();
        if chars.len() < UNBROKEN {
            plain.push_str(token);
            continue;
        }
        if !plain.is_empty() {
            parts.push(lit(&std::mem::take(&mut plain)));
        }
        for chunk in chars.chunks(BREAK_EVERY) {
            let chunk: String = chunk.iter().collect();
            parts.push(format!("box({})", lit(&chunk)));
        }
    }
    if !plain.is_empty() || parts.is_empty() {
        parts.push(lit(&plain));
    }
    if parts.len() == 1 {
        parts.remove(0)
    } else {
        format!("[#{}]", parts.join("#"))
    }
}

/// Inline runs as a Typst code expression yielding content.
fn inlines(runs: &[Inline]) -> String {
    if runs.is_empty() {
        return "[]".into();
    }
    let parts: Vec<String> = runs
        .iter()
        .map(|r| match r {
            Inline::Plain(t) => format!("text({})", lit(t)),
            Inline::Strong(t) => format!("strong({})", lit(t)),
            Inline::Code(t) => format!("raw({})", lit(t)),
        })
        .collect();
    format!("({})", parts.join(" + "))
}

fn translate(doc: &Document) -> (String, Vec<Vec<u8>>) {
    let mut out = String::new();
    let mut figures = Vec::new();
    preamble(&mut out, doc);
    let numbered = doc.numbered();
    let mut numbers = numbered.iter().map(|(n, _)| n.as_str());
    for s in &doc.sections {
        section(&mut out, s, 1, &mut numbers, &mut figures);
    }
    (out, figures)
}

fn preamble(out: &mut String, doc: &Document) {
    let title = lit(&doc.title);
    let date = iso_date(&doc.subtitle)
        .map(|(y, m, d)| format!("datetime(year: {y}, month: {m}, day: {d})"))
        .unwrap_or_else(|| "none".into());
    let _ = writeln!(out, "#set document(title: {title}, date: {date})");
    let _ = writeln!(
        out,
        "#set text(font: (\"Libertinus Serif\", \"New Computer Modern\", \"DejaVu Sans Mono\"), \
         size: {BODY_SIZE}, lang: \"en\", fallback: true)"
    );
    let template = r#"#set par(justify: false, leading: 0.6em, spacing: 0.9em)
#show raw: set text(font: "DejaVu Sans Mono", size: 0.9em)
#set page(
  paper: "a4",
  margin: (x: 2cm, top: 2cm, bottom: 2.2cm),
  footer: context {
    set text(size: 8pt, fill: luma(90))
    line(length: 100%, stroke: 0.4pt + luma(160))
    v(-0.5em)
    box(width: 80%, TITLE)
    h(1fr)
    counter(page).display("1 / 1", both: true)
  },
)
#set heading(numbering: none)
#show heading: set block(above: 1.3em, below: 0.7em)
#show heading.where(level: 1): set text(size: 15pt)
#show heading.where(level: 2): set text(size: 12.5pt)
#show heading.where(level: 3): set text(size: 11pt)
#set table(inset: (x: 4pt, y: 3pt), stroke: 0.4pt + luma(150))
#show table.cell.where(y: 0): set table.cell(fill: luma(225))
#show figure: set block(breakable: true)
#show figure.where(kind: table): set figure.caption(position: top)
#set figure.caption(separator: [ — ])
#show figure.caption: set text(size: 9pt)
#set list(indent: 0.8em)
"#;
    // The title is inserted as a string literal; the template holds no other `TITLE`.
    out.push_str(&template.replace("TITLE", &title));
    // The header block: title, subtitle lines, contents.
    let _ = writeln!(
        out,
        "#block(width: 100%, below: 1.5em, text(size: 20pt, weight: \"bold\", {title}))"
    );
    for line in &doc.subtitle {
        let _ = writeln!(
            out,
            "#block(above: 0.4em, below: 0.4em, text(size: 11pt, {}))",
            lit(line)
        );
    }
    out.push_str("#v(1.5em)\n#outline(title: \"Contents\", depth: 3)\n#pagebreak(weak: true)\n\n");
}

fn section<'a>(
    out: &mut String,
    s: &Section,
    level: usize,
    numbers: &mut impl Iterator<Item = &'a str>,
    figures: &mut Vec<Vec<u8>>,
) {
    // `numbered` walks the tree in the same depth-first order as this function.
    let number = numbers.next().unwrap_or("");
    let _ = writeln!(
        out,
        "#heading(level: {level}, {})\n",
        lit(&format!("{number}  {}", s.title))
    );
    for b in &s.blocks {
        block(out, b, figures);
    }
    for sub in &s.subsections {
        section(out, sub, level + 1, numbers, figures);
    }
}

fn block(out: &mut String, b: &Block, figures: &mut Vec<Vec<u8>>) {
    match b {
        Block::Paragraph { text } => {
            let _ = writeln!(out, "#par({})\n", inlines(text));
        }
        Block::Facts { rows } => {
            out.push_str(
                "#table(columns: (auto, 1fr), stroke: none, inset: (x: 0pt, y: 2pt), \
                 column-gutter: 1.2em, fill: none,\n",
            );
            for (label, value) in rows {
                let _ = writeln!(out, "  strong({}), {},", lit(label), lit(value));
            }
            out.push_str(")\n\n");
        }
        Block::Table {
            caption,
            header,
            rows,
        } => table(out, caption.as_deref(), header, rows),
        Block::List { items } => {
            out.push_str("#list(\n");
            for item in items {
                let _ = writeln!(out, "  {},", inlines(item));
            }
            out.push_str(")\n\n");
        }
        Block::Figure { svg, caption } => {
            figures.push(svg.as_bytes().to_vec());
            let name = format!("fig-{}.svg", figures.len());
            let size = match svg_aspect(svg) {
                // Tall drawings are limited by the page height, the rest by its width.
                Some(ratio) if ratio > 1.2 => "height: 19cm",
                _ => "width: 100%",
            };
            let _ = writeln!(
                out,
                "#figure(kind: image, image({}, {size}, alt: {}), caption: {})\n",
                lit(&name),
                lit(caption),
                lit(caption)
            );
        }
        Block::Note { text } => {
            let _ = writeln!(
                out,
                "#block(width: 100%, breakable: true, inset: (x: 8pt, y: 6pt), \
                 fill: luma(242), stroke: (left: 2pt + luma(120)), {})\n",
                inlines(text)
            );
        }
    }
}

fn table(out: &mut String, caption: Option<&str>, header: &[String], rows: &[Vec<String>]) {
    let columns = header.len().max(1);
    let landscape = columns >= LANDSCAPE_COLUMNS;
    let size = match columns {
        0..=4 => "9pt",
        5..=7 => "8pt",
        _ => "7pt",
    };
    if landscape {
        out.push_str("#page(flipped: true)[\n");
    }
    let _ = write!(
        out,
        "#figure(kind: table, supplement: \"Table\", caption: {}, {{\nset text(size: {size})\n\
         table(columns: {columns}, align: left,\n  table.header(",
        caption.map(lit).unwrap_or_else(|| "none".into()),
    );
    for h in header {
        let _ = write!(out, "strong({}), ", lit(h));
    }
    out.push_str("),\n");
    for row in rows {
        out.push_str("  ");
        for cell in row {
            out.push_str(&breakable(cell));
            out.push_str(", ");
        }
        out.push('\n');
    }
    out.push_str(")})\n");
    if landscape {
        out.push_str("]\n");
    }
    out.push('\n');
}

/// Height over width of an SVG, from its `viewBox` or its `width`/`height` attributes.
fn svg_aspect(svg: &str) -> Option<f64> {
    let start = svg.find("<svg")?;
    let tag = &svg[start..start + svg[start..].find('>')?];
    let attr = |name: &str| -> Option<&str> {
        let key = format!(" {name}=");
        let i = tag.find(&key)? + key.len();
        let quote = tag[i..].chars().next()?;
        let rest = &tag[i + 1..];
        Some(&rest[..rest.find(quote)?])
    };
    let number = |s: &str| -> Option<f64> {
        let digits: String = s
            .trim()
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        digits.parse().ok()
    };
    let (w, h) = if let Some(vb) = attr("viewBox") {
        let v: Vec<f64> = vb
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect();
        (*v.get(2)?, *v.get(3)?)
    } else {
        (number(attr("width")?)?, number(attr("height")?)?)
    };
    (w > 0.0 && h > 0.0).then_some(h / w)
}

/// The first `YYYY-MM-DD` date in the subtitle lines (the report's date).
fn iso_date(lines: &[String]) -> Option<(i16, i8, i8)> {
    lines
        .iter()
        .flat_map(|line| line.split(|c: char| !(c.is_ascii_digit() || c == '-')))
        .filter(|token| token.len() == 10 && token.as_bytes()[4] == b'-')
        .find_map(|token| token.parse::<jiff::civil::Date>().ok())
        .map(|d| (d.year(), d.month(), d.day()))
}

// ---------------------------------------------------------------------------------------
// The Typst world: one in-memory source, the figures, the embedded fonts, no clock.
// ---------------------------------------------------------------------------------------

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        Fonts {
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    })
}

fn library() -> &'static LazyHash<Library> {
    static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIBRARY.get_or_init(|| LazyHash::new(Library::default()))
}

struct ReportWorld {
    main: Source,
    figures: Vec<(FileId, Bytes)>,
}

impl ReportWorld {
    fn new(markup: String, figures: Vec<Vec<u8>>) -> Self {
        let main = Source::new(FileId::new(None, VirtualPath::new("main.typ")), markup);
        let figures = figures
            .into_iter()
            .enumerate()
            .map(|(i, svg)| {
                let id = FileId::new(None, VirtualPath::new(format!("fig-{}.svg", i + 1)));
                (id, Bytes::new(svg))
            })
            .collect();
        Self { main, figures }
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &fonts().book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.figures
            .iter()
            .find(|(fid, _)| *fid == id)
            .map(|(_, bytes)| bytes.clone())
            .ok_or_else(|| FileError::NotFound(id.vpath().as_rootless_path().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        fonts().fonts.get(index).cloned()
    }

    /// No clock: `datetime.today()` is unavailable, so the output depends on the tree only.
    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        None
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn long_unbroken_runs_are_set_as_boxes() {
        let hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let cell = breakable(&format!("sha256 {hash}"));
        assert!(
            cell.starts_with(r##"[#"sha256 "#box("9f86d081")#box("##),
            "{cell}"
        );
        assert_eq!(cell.matches("box(").count(), 8);
        assert_eq!(
            breakable("pkg:npm/left-pad@1.3.0"),
            lit("pkg:npm/left-pad@1.3.0")
        );
        assert_eq!(breakable(""), lit(""));
    }

    #[test]
    fn literals_escape_quotes_backslashes_and_controls() {
        assert_eq!(lit(r#"a "b" \c #*_$@<>[]"#), r#""a \"b\" \\c #*_$@<>[]""#);
        assert_eq!(lit("x\ny\u{7}"), r#""x\ny\u{7}""#);
    }

    #[test]
    fn svg_aspect_from_viewbox_or_size() {
        assert_eq!(svg_aspect(r#"<svg viewBox="0 0 200 100">"#), Some(0.5));
        assert_eq!(svg_aspect(r#"<svg width="100px" height='300'>"#), Some(3.0));
        assert_eq!(svg_aspect("<svg>"), None);
    }

    #[test]
    fn date_from_subtitle() {
        let lines = vec![
            "ACME Medical".to_string(),
            "Report of 2026-03-31, medsec 0.1".into(),
        ];
        assert_eq!(iso_date(&lines), Some((2026, 3, 31)));
        assert_eq!(iso_date(&["2026-13-01".to_string()]), None);
        assert_eq!(iso_date(&["12026-01-01".to_string()]), None);
    }
}
