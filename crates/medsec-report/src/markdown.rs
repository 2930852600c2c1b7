//! The Markdown writer (GitHub-flavoured): tables as pipe tables, figures as links to
//! separate SVG files written beside the report (`figures/<section>-<n>.svg`, the names
//! [`crate::build::figures_of`] gives).

use crate::doc::{Block, Document, Inline, Section};

/// Renders the document as Markdown. Figures are linked, not embedded: write the files
/// named by [`crate::build::figures_of`] next to the Markdown.
pub fn render(doc: &Document) -> String {
    let figures = crate::build::figures_of(doc);
    let mut figure_files = figures.iter().map(|(name, _)| name.as_str());
    let mut out = String::new();
    out.push_str(&format!("# {}\n\n", text(&doc.title)));
    for line in &doc.subtitle {
        out.push_str(&format!("{}  \n", text(line)));
    }
    out.push_str("\n## Contents\n\n");
    for (number, s) in doc.numbered() {
        if !number.contains('.') {
            out.push_str(&format!("- [{number} {}](#{})\n", text(&s.title), s.id));
        }
    }
    for (i, s) in doc.sections.iter().enumerate() {
        section(&mut out, s, &format!("{}", i + 1), 2, &mut figure_files);
    }
    out
}

fn section<'f>(
    out: &mut String,
    s: &Section,
    number: &str,
    level: usize,
    figures: &mut impl Iterator<Item = &'f str>,
) {
    out.push('\n');
    out.push_str(&format!("<a id=\"{}\"></a>\n\n", s.id));
    out.push_str(&format!(
        "{} {number} {}\n\n",
        "#".repeat(level.min(6)),
        text(&s.title)
    ));
    for b in &s.blocks {
        block(out, b, figures);
    }
    for (i, sub) in s.subsections.iter().enumerate() {
        section(out, sub, &format!("{number}.{}", i + 1), level + 1, figures);
    }
}

fn block<'f>(out: &mut String, b: &Block, figures: &mut impl Iterator<Item = &'f str>) {
    match b {
        Block::Paragraph { text } => out.push_str(&format!("{}\n\n", inlines(text))),
        Block::Note { text } => out.push_str(&format!("> {}\n\n", inlines(text))),
        Block::Facts { rows } => {
            out.push_str("| item | value |\n|---|---|\n");
            for (k, v) in rows {
                out.push_str(&format!("| {} | {} |\n", cell(k), cell(v)));
            }
            out.push('\n');
        }
        Block::Table {
            caption,
            header,
            rows,
        } => {
            if let Some(c) = caption {
                out.push_str(&format!("**{}**\n\n", text(c)));
            }
            out.push_str(&format!(
                "| {} |\n|{}\n",
                header
                    .iter()
                    .map(|h| cell(h))
                    .collect::<Vec<_>>()
                    .join(" | "),
                "---|".repeat(header.len())
            ));
            if rows.is_empty() {
                let mut empty = vec!["(none)".to_owned()];
                empty.resize(header.len().max(1), String::new());
                out.push_str(&format!("| {} |\n", empty.join(" | ")));
            }
            for r in rows {
                out.push_str(&format!(
                    "| {} |\n",
                    r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
                ));
            }
            out.push('\n');
        }
        Block::List { items } => {
            for item in items {
                out.push_str(&format!("- {}\n", inlines(item)));
            }
            out.push('\n');
        }
        Block::Figure { caption, .. } => {
            let file = figures.next().unwrap_or("figures/missing.svg");
            out.push_str(&format!("![{}]({file})\n\n", text(caption)));
            out.push_str(&format!("*Figure: {}*\n\n", text(caption)));
        }
    }
}

fn inlines(runs: &[Inline]) -> String {
    runs.iter()
        .map(|r| match r {
            Inline::Plain(t) => text(t),
            Inline::Strong(t) => format!("**{}**", text(t)),
            Inline::Code(t) => code(t),
        })
        .collect()
}

/// Escapes the characters Markdown would read as markup, keeping text in backticks
/// (commands, ids) as code.
fn text(t: &str) -> String {
    escape(t, false)
}

/// As [`text`], for a table cell: a pipe is escaped even inside code (GFM tables split
/// on it there too).
fn cell(t: &str) -> String {
    escape(t, true)
}

fn escape(t: &str, in_table: bool) -> String {
    // Backticks pair into code spans only when they are balanced.
    let code_spans = t.chars().filter(|c| *c == '`').count() % 2 == 0;
    let mut out = String::with_capacity(t.len());
    let mut in_code = false;
    for c in t.chars() {
        match c {
            '`' if code_spans => {
                in_code = !in_code;
                out.push(c);
            }
            '|' if in_code && in_table => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            c if in_code => out.push(c),
            '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '`' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn code(t: &str) -> String {
    if t.contains('`') {
        format!("`` {t} ``")
    } else {
        format!("`{t}`")
    }
}
