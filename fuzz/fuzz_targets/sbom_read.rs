//! Any bytes as an SBOM (CycloneDX JSON/XML, SPDX JSON/tag-value, or anything else):
//! reading never panics, and every problem reported lies inside the input: its byte offset
//! is within the bytes and its line and column are 1-based and within the text's lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medsec_formats::sbom::{self, Limits, Problem};

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
            "offset {offset} past {} bytes: {problem}",
            data.len()
        );
    }
    let lines = line_breaks(data) + 1;
    if let Some(line) = problem.line {
        assert!(
            line >= 1 && line <= lines,
            "line {line} of {lines}: {problem}"
        );
    }
    if let Some(column) = problem.column {
        assert!(column >= 1, "column {column}: {problem}");
    }
}

fuzz_target!(|data: &[u8]| {
    // A small nesting limit keeps deep inputs quick; the size limit is the input's own.
    let limits = Limits::new(1 << 20, 64);
    match sbom::read_with(data, limits) {
        Ok(reading) => {
            for p in &reading.warnings {
                check(p, data);
            }
            for c in &reading.sbom.components {
                if let Some(parent) = c.parent {
                    assert!(parent < reading.sbom.components.len());
                }
            }
        }
        Err(error) => {
            for p in &error.problems() {
                check(p, data);
            }
        }
    }
});
