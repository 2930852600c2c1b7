//! The PDF writer (issue 9): the pages are rendered to images with poppler's `pdftoppm`
//! and checked for their number and for ink; the text is extracted with `pdftotext` and
//! checked for the headings, the last rows of a long table and the texts holding markup
//! characters and non-ASCII letters. poppler-utils is required: scripts/test-all.sh
//! installs it, and the tests fail (never skip) when it is missing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use medsec_report::build::{AssessmentDetails, Variant};
use medsec_report::doc::{Block, Document, Inline, Section, plain};
use medsec_report::pdf::{self, PdfError};

const TRICKY: &str = r#"Markup #*_$@<>[]\" stays text"#;
const INJECTION: &str = r#"")] #panic("injected") [ $x^2$ <label> @ref"#;
const GERMAN: &str = "Bewertung – Übersicht µg";
const ROWS: usize = 300;
const COLUMNS: usize = 10;

fn section(id: &str, title: &str, blocks: Vec<Block>, subsections: Vec<Section>) -> Section {
    Section {
        id: id.into(),
        title: title.into(),
        blocks,
        subsections,
    }
}

const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="300" height="150" viewBox="0 0 300 150">
<rect x="0" y="0" width="300" height="150" fill="#ffffff"/>
<rect x="20" y="20" width="80" height="110" fill="#c0392b"/>
<rect x="120" y="60" width="80" height="70" fill="#e67e22"/>
<rect x="220" y="100" width="60" height="30" fill="#27ae60"/>
</svg>"##;

fn document() -> Document {
    let header: Vec<String> = (1..=COLUMNS).map(|c| format!("Column {c}")).collect();
    let rows: Vec<Vec<String>> = (1..=ROWS)
        .map(|r| {
            (1..=COLUMNS)
                .map(|c| match c {
                    1 => format!("R-{r:03}"),
                    2 => format!("Failure mode {r} of the infusion pump's dose controller"),
                    _ => format!("v{r}.{c}"),
                })
                .collect()
        })
        .collect();
    Document {
        title: format!("Infusion pump X 2.1 {GERMAN}"),
        subtitle: vec![
            "ACME Medical GmbH".into(),
            "Report date 2026-03-31, medsec 0.1.0".into(),
        ],
        sections: vec![
            section(
                "device",
                "Device identity",
                vec![
                    Block::Facts {
                        rows: vec![
                            ("Manufacturer".into(), "ACME Medical GmbH".into()),
                            ("Version".into(), "2.1".into()),
                            ("Notes".into(), TRICKY.into()),
                        ],
                    },
                    Block::Paragraph {
                        text: vec![
                            Inline::Plain("The device ".into()),
                            Inline::Strong("must".into()),
                            Inline::Plain(" patch ".into()),
                            Inline::Code("CVE-2021-44228".into()),
                            Inline::Plain(format!(". {GERMAN}.")),
                        ],
                    },
                    Block::Paragraph {
                        text: plain(INJECTION),
                    },
                ],
                vec![section(
                    "interfaces",
                    "Interfaces and ports",
                    vec![Block::List {
                        items: vec![plain("Wi-Fi 802.11ac"), plain(TRICKY)],
                    }],
                    vec![],
                )],
            ),
            section(
                "fmea",
                "FMEA register",
                vec![
                    Block::Note {
                        text: plain("Decision support only: a person decides."),
                    },
                    Block::Table {
                        caption: Some("Failure modes and their controls".into()),
                        header,
                        rows,
                    },
                ],
                vec![],
            ),
            section(
                "charts",
                "Risk matrix",
                vec![Block::Figure {
                    svg: SVG.into(),
                    caption: format!("Risk before and after controls {GERMAN}"),
                }],
                vec![section(
                    "small-table",
                    "Coverage per framework",
                    vec![Block::Table {
                        caption: None,
                        header: vec!["Framework".into(), "Covered".into()],
                        rows: vec![
                            vec!["IEC 81001-5-1".into(), "12 / 14".into()],
                            vec![TRICKY.into(), GERMAN.into()],
                        ],
                    }],
                    vec![],
                )],
            ),
        ],
    }
}

/// The document rendered once for all the tests of this file.
fn rendered() -> &'static Vec<u8> {
    static PDF: OnceLock<Vec<u8>> = OnceLock::new();
    PDF.get_or_init(|| pdf::render(&document()).expect("render"))
}

/// A poppler tool; the test fails when it is missing.
fn tool(name: &str) -> Command {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|p| p.join(name).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "`{name}` not found: install poppler-utils (scripts/test-all.sh does)"
    );
    Command::new(name)
}

fn run(mut cmd: Command) -> String {
    let out = cmd.output().expect("run poppler tool");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn write_pdf(dir: &Path) -> PathBuf {
    let path = dir.join("report.pdf");
    std::fs::write(&path, rendered()).unwrap();
    path
}

/// Width, height and the gray bytes of a binary PGM (`P5`, maxval < 256).
fn read_pgm(path: &Path) -> (usize, usize, Vec<u8>) {
    let data = std::fs::read(path).unwrap();
    // Header: magic, width, height, maxval, separated by whitespace (no comments from
    // pdftoppm), then one byte of whitespace and the pixels.
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while data[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !data[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8(data[start..i].to_vec()).unwrap());
    }
    i += 1;
    assert_eq!(fields[0], "P5", "{}: not a binary PGM", path.display());
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let maxval: usize = fields[3].parse().unwrap();
    assert!(maxval < 256);
    let pixels = data[i..].to_vec();
    assert_eq!(pixels.len(), w * h, "{}: truncated", path.display());
    (w, h, pixels)
}

#[test]
fn pages_are_rendered_counted_and_not_blank() {
    let dir = tempfile::tempdir().unwrap();
    let pdf_path = write_pdf(dir.path());

    let info = run({
        let mut c = tool("pdfinfo");
        c.arg(&pdf_path);
        c
    });
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .expect("pdfinfo reports the pages")
        .trim()
        .parse()
        .unwrap();
    // A title page with the contents, the first section, the register (300 rows at about
    // 40 rows a landscape page) and the figure: well more than one page, and not
    // hundreds.
    assert!(
        (ROWS / 60 + 2..=ROWS / 10).contains(&pages),
        "{pages} pages for a {ROWS}-row register"
    );
    assert!(
        info.contains("Title:") && info.contains("Infusion pump X 2.1"),
        "{info}"
    );
    assert!(
        info.contains("2026"),
        "creation date from the subtitle: {info}"
    );

    let prefix = dir.path().join("page");
    run({
        let mut c = tool("pdftoppm");
        c.args(["-r", "40", "-gray"]).arg(&pdf_path).arg(&prefix);
        c
    });
    let mut images: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pgm"))
        .collect();
    images.sort();
    assert_eq!(images.len(), pages, "one image per page");
    let mut landscape = 0;
    for image in &images {
        let (w, h, pixels) = read_pgm(image);
        if w > h {
            landscape += 1;
        }
        let ink = pixels.iter().filter(|&&p| p < 200).count();
        let share = ink as f64 / pixels.len() as f64;
        assert!(
            share > 0.003,
            "{}: blank page ({ink} dark pixels of {})",
            image.display(),
            pixels.len()
        );
    }
    // The ten-column register is set on landscape pages, the rest in portrait.
    assert!(landscape >= ROWS / 60, "{landscape} landscape pages");
    assert!(landscape < pages, "portrait pages remain");
}

#[test]
fn text_carries_headings_rows_and_tricky_strings() {
    let dir = tempfile::tempdir().unwrap();
    let pdf_path = write_pdf(dir.path());
    let text = run({
        let mut c = tool("pdftotext");
        c.args(["-enc", "UTF-8"]).arg(&pdf_path).arg("-");
        c
    });
    // Line breaks and column layout differ from the source: compare with the whitespace
    // collapsed.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for heading in [
        "1 Device identity",
        "1.1 Interfaces and ports",
        "2 FMEA register",
        "3 Risk matrix",
        "3.1 Coverage per framework",
    ] {
        assert!(flat.contains(heading), "heading {heading:?} missing");
    }
    for needle in [
        "R-001",
        "R-299",
        "R-300",
        "v300.10",
        "Column 10",
        "Failure modes and their controls",
        "CVE-2021-44228",
        "ACME Medical GmbH",
        "Report date 2026-03-31, medsec 0.1.0",
        "Decision support only: a person decides.",
        TRICKY,
        INJECTION,
        GERMAN,
        "Risk before and after controls",
        "IEC 81001-5-1",
    ] {
        assert!(
            flat.contains(needle),
            "{needle:?} missing from the PDF text"
        );
    }
    // The header row repeats on every page the register runs over.
    let repeats = flat.matches("Column 1 Column 2").count();
    assert!(repeats >= ROWS / 60, "header row printed {repeats} times");
}

#[test]
fn the_same_tree_gives_the_same_bytes() {
    let again = pdf::render(&document()).unwrap();
    assert!(again.starts_with(b"%PDF-"));
    assert!(*rendered() == again, "two renders differ");
}

#[test]
fn a_ragged_table_is_refused() {
    let mut doc = document();
    doc.sections[2].subsections[0].blocks.push(Block::Table {
        caption: None,
        header: vec!["a".into(), "b".into()],
        rows: vec![vec!["only one".into()]],
    });
    let err = pdf::render(&doc).unwrap_err();
    assert!(matches!(err, PdfError::Malformed(_)), "{err}");
}

#[test]
fn a_broken_figure_is_an_error_not_a_panic() {
    let mut doc = document();
    doc.sections[2].blocks.push(Block::Figure {
        svg: "<svg this is not".into(),
        caption: "broken".into(),
    });
    let err = pdf::render(&doc).unwrap_err();
    assert!(matches!(err, PdfError::Typeset(_)), "{err}");
}

/// A bundled example's full report: every section heading is in the PDF text and no page
/// is blank.
#[test]
fn the_report_of_a_bundled_example() {
    let report = support::report_of("insulin-pump", Variant::Full, AssessmentDetails::default());
    let dir = tempfile::tempdir().unwrap();
    let pdf_path = dir.path().join("insulin-pump.pdf");
    std::fs::write(&pdf_path, pdf::render(&report.document).unwrap()).unwrap();
    let text = run({
        let mut c = tool("pdftotext");
        c.args(["-enc", "UTF-8"]).arg(&pdf_path).arg("-");
        c
    });
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for (number, section) in report.document.numbered() {
        let heading = format!("{number} {}", section.title);
        let heading = heading.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&heading), "heading {heading:?} missing");
    }
    let prefix = dir.path().join("page");
    run({
        let mut c = tool("pdftoppm");
        c.args(["-r", "20", "-gray"]).arg(&pdf_path).arg(&prefix);
        c
    });
    let mut pages = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "pgm") {
            pages += 1;
            let (_, _, pixels) = read_pgm(&path);
            let ink = pixels.iter().filter(|&&p| p < 200).count();
            assert!(ink * 1000 > pixels.len(), "{}: blank page", path.display());
        }
    }
    assert!(pages > 10, "{pages} pages");
}

/// Hashes and other long values with no break opportunity wrap inside their cell: every
/// word pdftotext finds lies on the page, and the hash reads back whole once the line
/// breaks inside it are joined (no invisible characters in the extracted text).
#[test]
fn long_unbroken_values_wrap_inside_their_cells() {
    let hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let header: Vec<String> = (1..=9).map(|c| format!("column {c}")).collect();
    let rows = vec![
        (1..=9)
            .map(|c| {
                if c == 1 {
                    "T-13".to_owned()
                } else {
                    hash.to_owned()
                }
            })
            .collect(),
    ];
    let doc = Document {
        title: "Wrapping".into(),
        subtitle: vec![],
        sections: vec![section(
            "evidence",
            "Evidence",
            vec![Block::Table {
                caption: Some("Evidence files".into()),
                header,
                rows,
            }],
            vec![],
        )],
    };
    let dir = tempfile::tempdir().unwrap();
    let pdf_path = dir.path().join("wrap.pdf");
    std::fs::write(&pdf_path, pdf::render(&doc).unwrap()).unwrap();
    let bbox = run({
        let mut c = tool("pdftotext");
        c.args(["-enc", "UTF-8", "-bbox"]).arg(&pdf_path).arg("-");
        c
    });
    let attr = |tag: &str, name: &str| -> f64 {
        let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        let end = start + tag[start..].find('"').unwrap();
        tag[start..end].parse().unwrap()
    };
    let mut page_width = 0.0;
    let mut narrowest = f64::MAX;
    let mut words = String::new();
    for line in bbox.lines() {
        if line.contains("<page ") {
            page_width = attr(line, "width");
            narrowest = narrowest.min(page_width);
        }
        if !line.contains("<word ") {
            continue;
        }
        assert!(
            attr(line, "xMax") <= page_width,
            "a word runs off the page: {line}"
        );
        let text = &line[line.find('>').unwrap() + 1..line.rfind("</word>").unwrap()];
        assert!(
            !text.contains('\u{200b}'),
            "invisible break copied: {text:?}"
        );
        words.push_str(text);
    }
    assert_eq!(words.matches(hash).count(), 8, "{words}");
    let longest = bbox
        .lines()
        .filter(|l| l.contains("<word "))
        .map(|l| attr(l, "xMax") - attr(l, "xMin"))
        .fold(0.0, f64::max);
    assert!(
        longest < narrowest / 4.0,
        "the hash was not broken inside its cell ({longest} of {narrowest})"
    );
}
