//! Any bytes as an advisory (NVD API 2.0, CVE JSON 5, OSV JSON/YAML, CSAF 2.0, or anything
//! else): reading never panics, and every problem reported lies inside the input: its byte
//! offset is within the bytes and its line and column are 1-based and within the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medsec_formats::advisory::{self, Problem, ReadOptions};

/// Line breaks as YAML counts them (`\n`, `\r\n` and a lone `\r`), the most any of the
/// parsers counts: JSON counts `\n` only, tag-value and XML likewise.
fn line_breaks(data: &[u8]) -> usize {
    data.iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n')))
        .count()
}

fn check(problem: &Problem, data: &[u8]) {
    if let Some(offset) = problem.offset {
        assert!(
            offset <= data.len(),
            "offset {offset} past {} bytes: {problem:?}",
            data.len()
        );
    }
    let lines = line_breaks(data) + 1;
    if let Some(line) = problem.line {
        assert!(
            line >= 1 && line <= lines,
            "line {line} of {lines}: {problem:?}"
        );
    }
    if let Some(column) = problem.column {
        assert!(column >= 1, "column {column}: {problem:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let options = ReadOptions {
        max_bytes: 1 << 20,
        file_name: Some("fuzz.json".to_owned()),
    };
    match advisory::read(data, &options) {
        Ok(document) => {
            for p in &document.warnings {
                check(p, data);
            }
        }
        Err(error) => {
            for p in &error.problems() {
                check(p, data);
            }
        }
    }
});
