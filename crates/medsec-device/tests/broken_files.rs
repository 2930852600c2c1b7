//! The corpus of broken device files: each file marks the lines where a diagnostic is
//! expected with `#! CODE @text`, and the check must report exactly those (code, line)
//! pairs, with the column pointing at `text`. Nothing more, nothing less.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::Path;

use medsec_device::LoadError;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Expected {
    line: usize,
    code: String,
    anchor: String,
}

fn expectations(text: &str) -> Vec<Expected> {
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if let Some((_, marker)) = line.split_once("#! ") {
            let (code, anchor) = marker.split_once(" @").expect("marker needs ' @text'");
            out.push(Expected {
                line: index + 1,
                code: code.trim().to_owned(),
                anchor: anchor.trim().to_owned(),
            });
        }
    }
    out
}

#[test]
fn every_broken_file_reports_exactly_its_marked_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "the corpus must hold at least 20 files");
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let expected = expectations(&text);
        assert!(
            !expected.is_empty(),
            "{} marks no expected error",
            file.display()
        );
        let report = match medsec_device::load(file) {
            Err(LoadError::Invalid(report)) => *report,
            Ok(loaded) => loaded.report,
            Err(other) => panic!("{}: {other}", file.display()),
        };
        let got: BTreeSet<(usize, String)> = report
            .diagnostics
            .iter()
            .map(|d| (d.line, d.code.to_owned()))
            .collect();
        let want: BTreeSet<(usize, String)> =
            expected.iter().map(|e| (e.line, e.code.clone())).collect();
        if got != want {
            failures.push(format!(
                "{}:\n  expected {want:?}\n  got      {got:?}\n  messages: {:#?}",
                file.display(),
                report
                    .diagnostics
                    .iter()
                    .map(|d| format!("{}:{} {} {}", d.line, d.column, d.code, d.message))
                    .collect::<Vec<_>>()
            ));
            continue;
        }
        let lines: Vec<&str> = text.lines().collect();
        for e in &expected {
            let d = report
                .diagnostics
                .iter()
                .find(|d| d.line == e.line && d.code == e.code)
                .unwrap();
            let at: String = lines[e.line - 1].chars().skip(d.column - 1).collect();
            if !at.starts_with(&e.anchor) {
                failures.push(format!(
                    "{}:{}: {} points at column {} ('{at}'), expected '{}'",
                    file.display(),
                    e.line,
                    e.code,
                    d.column,
                    e.anchor
                ));
            }
            assert!(
                d.help.is_some()
                    || e.code.starts_with("medsec::yaml::")
                    || e.code == "medsec::device::duplicate-id",
                "{}:{}: {} has no help",
                file.display(),
                e.line,
                e.code
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
