//! Output in the three formats every data command offers.

use std::io::Write;

use clap::ValueEnum;
use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for people.
    #[default]
    Table,
    /// JSON for programs.
    Json,
    /// Markdown for documents and pull requests.
    Markdown,
}

/// Rows of text with a header, rendered as a terminal table or a Markdown table.
pub struct Rows {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Rows {
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Self {
        Rows {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    pub fn push<S: Into<String>>(&mut self, row: impl IntoIterator<Item = S>) {
        self.rows.push(row.into_iter().map(Into::into).collect());
    }

    pub fn to_table(&self) -> String {
        let mut table = Table::new();
        table
            .load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(&self.header);
        // Without a terminal (a pipe, a file) there is no width to wrap to; pick one
        // that reads well in a log or a text file.
        if table.width().is_none() {
            table.set_width(120);
        }
        for row in &self.rows {
            table.add_row(row);
        }
        table.to_string()
    }

    pub fn to_markdown(&self) -> String {
        let escape = |cell: &str| cell.replace('|', "\\|").replace('\n', "<br>");
        let mut out = String::new();
        out.push_str(&format!(
            "| {} |\n",
            self.header
                .iter()
                .map(|h| escape(h))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
        out.push_str(&format!("|{}\n", "---|".repeat(self.header.len())));
        for row in &self.rows {
            out.push_str(&format!(
                "| {} |\n",
                row.iter()
                    .map(|c| escape(c))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
        }
        out
    }
}

/// Write to stdout; a closed pipe (`medsec … | head`) ends quietly.
pub fn print(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        stdout.write_all(b"\n")?;
    }
    stdout.flush()
}

pub fn print_json<T: Serialize + ?Sized>(value: &T) -> miette::Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| miette::miette!("cannot write JSON: {e}"))?;
    print(&text).map_err(io_error)
}

pub fn io_error(error: std::io::Error) -> miette::Report {
    miette::Report::new(IoReport(error))
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot write output: {0}")]
struct IoReport(#[source] std::io::Error);

pub fn is_broken_pipe(report: &miette::Report) -> bool {
    report
        .chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
        || report
            .downcast_ref::<IoReport>()
            .is_some_and(|r| r.0.kind() == std::io::ErrorKind::BrokenPipe)
}
