//! The report as a format-independent document: sections of headings, paragraphs,
//! tables, lists, key–value facts and SVG figures. The HTML, Markdown and PDF writers
//! render this one tree, so the three carry the same content; JSON carries the data
//! behind it.

use serde::Serialize;

/// A whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    /// The report's title (the device, its version and the variant).
    pub title: String,
    /// Lines under the title: manufacturer, date, tool and catalogue versions.
    pub subtitle: Vec<String>,
    pub sections: Vec<Section>,
}

/// A numbered section; sections nest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// A stable anchor (`threat-model`), unique in the document.
    pub id: String,
    pub title: String,
    pub blocks: Vec<Block>,
    pub subsections: Vec<Section>,
}

/// One block of content.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Block {
    /// Running text; may hold inline emphasis only through [`Inline`] runs.
    Paragraph { text: Vec<Inline> },
    /// Facts as label–value pairs (device identity, policy versions).
    Facts { rows: Vec<(String, String)> },
    /// A table with a header row; every row has as many cells as the header.
    Table {
        caption: Option<String>,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A bulleted list.
    List { items: Vec<Vec<Inline>> },
    /// A figure drawn as SVG (a complete, standalone `<svg>` document).
    Figure { svg: String, caption: String },
    /// A highlighted note (decision support, unconfirmed items, what was not checked).
    Note { text: Vec<Inline> },
}

/// A run of text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "style", content = "text", rename_all = "kebab-case")]
pub enum Inline {
    Plain(String),
    Strong(String),
    /// Code, ids and hashes (`CVE-2021-44228`, a SHA-256).
    Code(String),
}

impl Inline {
    pub fn text(&self) -> &str {
        match self {
            Inline::Plain(t) | Inline::Strong(t) | Inline::Code(t) => t,
        }
    }
}

/// Plain text as one run.
pub fn plain(text: impl Into<String>) -> Vec<Inline> {
    vec![Inline::Plain(text.into())]
}

impl Document {
    /// Every section, depth first, with its number (`2.1`).
    pub fn numbered(&self) -> Vec<(String, &Section)> {
        fn walk<'a>(prefix: &str, sections: &'a [Section], out: &mut Vec<(String, &'a Section)>) {
            for (i, s) in sections.iter().enumerate() {
                let number = if prefix.is_empty() {
                    format!("{}", i + 1)
                } else {
                    format!("{prefix}.{}", i + 1)
                };
                out.push((number.clone(), s));
                walk(&number, &s.subsections, out);
            }
        }
        let mut out = Vec::new();
        walk("", &self.sections, &mut out);
        out
    }

    /// Problems that would make a writer produce a broken document: duplicate anchors,
    /// ragged tables.
    pub fn check(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (number, s) in self.numbered() {
            if !seen.insert(s.id.as_str()) {
                problems.push(format!("section {number}: anchor `{}` used twice", s.id));
            }
            for b in &s.blocks {
                if let Block::Table { header, rows, .. } = b {
                    for (i, r) in rows.iter().enumerate() {
                        if r.len() != header.len() {
                            problems.push(format!(
                                "section {number}: table row {} has {} cells for {} columns",
                                i + 1,
                                r.len(),
                                header.len()
                            ));
                        }
                    }
                }
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn section(id: &str, subsections: Vec<Section>) -> Section {
        Section {
            id: id.into(),
            title: id.into(),
            blocks: vec![],
            subsections,
        }
    }

    #[test]
    fn numbering_and_checks() {
        let mut doc = Document {
            title: "t".into(),
            subtitle: vec![],
            sections: vec![
                section("a", vec![section("b", vec![]), section("c", vec![])]),
                section("d", vec![]),
            ],
        };
        let numbers: Vec<String> = doc.numbered().into_iter().map(|(n, _)| n).collect();
        assert_eq!(numbers, ["1", "1.1", "1.2", "2"]);
        assert!(doc.check().is_empty());
        doc.sections[1].id = "b".into();
        doc.sections[1].blocks.push(Block::Table {
            caption: None,
            header: vec!["x".into(), "y".into()],
            rows: vec![vec!["1".into()]],
        });
        let problems = doc.check();
        assert_eq!(problems.len(), 2, "{problems:?}");
    }
}
