//! Bad input within bounded memory (issue 4, part 7), for both readers: truncated documents,
//! huge inputs (a 1 GB file and a 1 GB stream, refused without being read into memory), deep
//! nesting, wrong encodings and expansion bombs. Every case ends in a clear error, never a
//! panic, and where the error has a byte offset it lies inside the input.
//!
//! Decompression bombs (gzip, zip, xz) are not here because nothing reads an archive yet:
//! they come with `medsec db import` (issue 6), whose tests must cover them.
//! Peak memory is measured in `bounds_memory.rs` (its own process, one test).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::path::{Path, PathBuf};

use medsec_formats::advisory::{self, ReadError, ReadOptions, codes};
use medsec_formats::sbom::{self, Limits, ProblemKind, SbomError, SourceError};

fn corpus() -> PathBuf {
    let path = std::env::var_os("MEDSEC_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
        PathBuf::from,
    );
    assert!(
        path.join("cyclonedx-spec").is_dir(),
        "the shared corpus is missing at {} (set MEDSEC_CORPUS)",
        path.display()
    );
    path
}

fn fixture(dir: &str, name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(dir)
            .join(name),
    )
    .unwrap()
}

fn sbom_problems(bytes: &[u8], limits: Limits) -> Vec<sbom::Problem> {
    match sbom::read_with(bytes, limits) {
        Ok(r) => panic!("accepted {} components", r.sbom.components.len()),
        Err(e) => e.problems(),
    }
}

fn advisory_problems(bytes: &[u8]) -> Vec<advisory::Problem> {
    match advisory::read(bytes, &ReadOptions::default()) {
        Ok(d) => panic!("accepted: {:?}", d.format),
        Err(e) => e.problems(),
    }
}

fn sbom_documents() -> Vec<(String, Vec<u8>)> {
    let c = corpus().join("cyclonedx-spec/1.6");
    let mut docs = vec![
        (
            "valid-bom-1.6.json".to_owned(),
            std::fs::read(c.join("valid-bom-1.6.json")).unwrap(),
        ),
        (
            "valid-component-data-1.6.json".to_owned(),
            std::fs::read(c.join("valid-component-data-1.6.json")).unwrap(),
        ),
    ];
    for name in [
        "cdx-1.6.xml",
        "cdx-1.4.xml",
        "spdx-2.3.json",
        "cdx-1.3.json",
    ] {
        docs.push((name.to_owned(), fixture("sbom", name)));
    }
    docs
}

fn advisory_documents() -> Vec<(String, Vec<u8>)> {
    let c = corpus();
    let mut docs = Vec::new();
    for path in [
        c.join("nvd-records/CVE-2021-44228.json"),
        c.join("cve-samples/nvd-api-2.0/osv-dev/CVE-2024-3094.json"),
        c.join("csaf-icsma/icsma-17-009-01a.json"),
        c.join("osv-pypa/vulns/admesh/PYSEC-2022-182.yaml"),
    ] {
        docs.push((path.display().to_string(), std::fs::read(&path).unwrap()));
    }
    for name in [
        "osv-min.json",
        "cve5-min.json",
        "csaf-min.json",
        "nvd-min.json",
    ] {
        docs.push((name.to_owned(), fixture("advisory", name)));
    }
    docs
}

#[test]
fn truncated_sboms_are_refused_with_a_position_inside_the_input() {
    for (name, bytes) in sbom_documents() {
        sbom::read(&bytes).unwrap_or_else(|e| panic!("{name} must read whole: {e}"));
        for tenth in 1..10 {
            let cut = &bytes[..bytes.len() * tenth / 10];
            let problems = sbom_problems(cut, Limits::DEFAULT);
            assert!(problems[0].is_error(), "{name} cut at {tenth}/10");
            for p in &problems {
                if let Some(offset) = p.offset {
                    assert!(offset <= cut.len(), "{name} cut at {tenth}/10: {p}");
                }
            }
            // JSON and XML documents cut short are a syntax error, located.
            let syntax = problems.iter().find(|p| p.kind == ProblemKind::Syntax);
            if let Some(p) = syntax {
                assert!(p.line.is_some(), "{name} cut at {tenth}/10: {p}");
            }
        }
    }
}

#[test]
fn truncated_advisories_are_refused_with_a_position_inside_the_input() {
    for (name, bytes) in advisory_documents() {
        advisory::read(&bytes, &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{name} must read whole: {e}"));
        let is_json = bytes.first() == Some(&b'{');
        let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
        for tenth in 1..10 {
            let cut = &bytes[..bytes.len() * tenth / 10];
            // A YAML document cut between two keys can still be a well-formed (if
            // incomplete) record; JSON cut short never is.
            let problems = match advisory::read(cut, &ReadOptions::default()) {
                Ok(_) if !is_json => continue,
                Ok(_) => panic!("{name} cut at {tenth}/10 was accepted"),
                Err(e) => e.problems(),
            };
            if is_json {
                assert_eq!(problems[0].code, codes::SYNTAX, "{name} cut at {tenth}/10");
                let line = problems[0].line.expect("a syntax error has a line");
                assert!((1..=lines).contains(&line), "{name}: line {line}");
            }
            for p in &problems {
                if let Some(offset) = p.offset {
                    assert!(offset <= cut.len(), "{name} cut at {tenth}/10: {p:?}");
                }
            }
        }
    }
}

const GIB: u64 = 1 << 30;

/// A sparse 1 GiB file: its length says 1 GiB, it occupies no disk, and reading it all
/// would take 1 GiB of memory.
struct SparseFile(PathBuf);

impl SparseFile {
    fn new(name: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("medsec-bounds-{}-{name}", std::process::id()));
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(GIB).unwrap();
        SparseFile(path)
    }
}

impl Drop for SparseFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn a_one_gigabyte_sbom_file_is_refused_from_its_length() {
    let file = SparseFile::new("sbom.json");
    let start = std::time::Instant::now();
    match sbom::read_from_path(&file.0, Limits::DEFAULT) {
        Err(SourceError::Read(SbomError::TooLarge { size, limit })) => {
            assert_eq!(size as u64, GIB);
            assert_eq!(limit, Limits::DEFAULT.max_bytes);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    // Refused from the length: nothing was read (reading 1 GiB takes far longer).
    assert!(start.elapsed() < std::time::Duration::from_secs(1));
}

#[test]
fn a_one_gigabyte_advisory_file_is_refused_from_its_length() {
    let file = SparseFile::new("nvd.json");
    match advisory::read_from_path(&file.0, &ReadOptions::default()) {
        Err(SourceError::Read(ReadError::TooLarge { size, limit })) => {
            assert_eq!(size as u64, GIB);
            assert_eq!(limit, advisory::DEFAULT_MAX_BYTES);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

/// A 1 GiB stream made up on the fly (a JSON array of spaces that never ends), counting
/// what the reader takes from it.
struct Endless {
    left: u64,
    served: u64,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        for (i, b) in buf[..n].iter_mut().enumerate() {
            *b = if self.served == 0 && i == 0 {
                b'['
            } else {
                b' '
            };
        }
        self.left -= n as u64;
        self.served += n as u64;
        Ok(n)
    }
}

#[test]
fn a_one_gigabyte_stream_is_read_no_further_than_the_limit() {
    let limit = 4 << 20;
    let mut stream = Endless {
        left: GIB,
        served: 0,
    };
    match sbom::read_from_reader(&mut stream, Limits::new(limit, 100)) {
        Err(SourceError::TooLarge { limit: l }) => assert_eq!(l, limit),
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert_eq!(stream.served, limit as u64 + 1);

    let mut stream = Endless {
        left: GIB,
        served: 0,
    };
    let options = ReadOptions {
        max_bytes: limit,
        file_name: None,
    };
    match advisory::read_from_reader(&mut stream, &options) {
        Err(SourceError::TooLarge { limit: l }) => assert_eq!(l, limit),
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert_eq!(stream.served, limit as u64 + 1);
}

#[test]
fn streams_and_files_under_the_limit_read_as_the_bytes_do() {
    let bytes = fixture("sbom", "cdx-1.3.json");
    let from_reader = sbom::read_from_reader(&bytes[..], Limits::DEFAULT).unwrap();
    let from_bytes = sbom::read(&bytes).unwrap();
    assert_eq!(from_reader.sbom, from_bytes.sbom);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sbom/cdx-1.3.json");
    assert_eq!(
        sbom::read_from_path(&path, Limits::DEFAULT).unwrap().sbom,
        from_bytes.sbom
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/advisory/osv-min.json");
    let from_path = advisory::read_from_path(&path, &ReadOptions::default()).unwrap();
    assert_eq!(from_path.advisories.len(), 1);
    // A missing file is an I/O error, not a panic.
    assert!(matches!(
        sbom::read_from_path("/nonexistent/medsec.json", Limits::DEFAULT),
        Err(SourceError::Io(_))
    ));
}

#[test]
fn deep_nesting_is_refused_before_parsing() {
    for deep in [
        format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000)),
        format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000)),
        format!(
            "{{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":{}",
            "[".repeat(100_000)
        ),
    ] {
        let problems = sbom_problems(deep.as_bytes(), Limits::DEFAULT);
        assert_eq!(problems[0].kind, ProblemKind::TooDeep, "{}", problems[0]);
        // Refused at the first bracket over the limit, not at the end of the text.
        assert!(problems[0].offset.unwrap() <= 600, "{}", problems[0]);
    }
    let xml = format!(
        "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">{}",
        "<components>".repeat(100_000)
    );
    assert_eq!(
        sbom_problems(xml.as_bytes(), Limits::DEFAULT)[0].kind,
        ProblemKind::TooDeep
    );
    // Advisories: serde_json's recursion limit for JSON, serde-saphyr's budget for YAML.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(advisory_problems(deep.as_bytes())[0].code, codes::SYNTAX);
    let deep_nvd = format!(
        "{{\"format\":\"NVD_CVE\",\"vulnerabilities\":{}",
        "[".repeat(100_000)
    );
    assert_eq!(
        advisory_problems(deep_nvd.as_bytes())[0].code,
        codes::SYNTAX
    );
    let deep_yaml = format!("id: x\nmodified: y\na: {}", "- ".repeat(100_000));
    assert_eq!(
        advisory_problems(deep_yaml.as_bytes())[0].code,
        codes::SYNTAX
    );
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let units = bom
        .then_some(0xFEFF_u16)
        .into_iter()
        .chain(text.encode_utf16());
    for u in units {
        out.extend(if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

#[test]
fn wrong_encodings_are_refused_with_the_offending_byte() {
    let text = String::from_utf8(fixture("sbom", "cdx-1.3.json")).unwrap();
    for big_endian in [false, true] {
        let p = sbom_problems(&utf16(&text, big_endian, true), Limits::DEFAULT);
        assert_eq!(p[0].kind, ProblemKind::Encoding, "{}", p[0]);
        assert!(p[0].message.contains("UTF-16"), "{}", p[0]);
        let p = advisory_problems(&utf16(
            &String::from_utf8(fixture("advisory", "osv-min.json")).unwrap(),
            big_endian,
            true,
        ));
        assert_eq!(p[0].code, codes::ENCODING, "{:?}", p[0]);
        // Without a byte order mark, UTF-16 is NUL-riddled text: refused, not misread.
        assert!(sbom::read(&utf16(&text, big_endian, false)).is_err());
        assert!(
            advisory::read(
                &utf16(
                    &String::from_utf8(fixture("advisory", "nvd-min.json")).unwrap(),
                    big_endian,
                    false
                ),
                &ReadOptions::default()
            )
            .is_err()
        );
    }
    // Latin-1: "é" as the single byte 0xE9 inside a string.
    let latin1 = text.replacen("\"name\": \"", "\"name\": \"caf\u{e9}", 1);
    let at = latin1.find('\u{e9}').unwrap();
    let mut bytes = latin1.into_bytes();
    bytes.splice(at..at + 2, [0xE9]);
    let p = sbom_problems(&bytes, Limits::DEFAULT);
    assert_eq!(p[0].kind, ProblemKind::Encoding);
    assert_eq!(p[0].offset, Some(at), "{}", p[0]);
    let p = advisory_problems(&bytes);
    assert_eq!(p[0].code, codes::ENCODING);
    assert!(p[0].message.contains(&format!("offset {at}")), "{:?}", p[0]);
    // Invalid UTF-8: a lone continuation byte, an overlong encoding, a sequence cut at the end.
    for bad in [&[0x80][..], &[0xC0, 0xAF], &[0xE2, 0x82]] {
        let mut bytes = b"{\"bomFormat\": \"CycloneDX\", \"x\": \"".to_vec();
        let at = bytes.len();
        bytes.extend_from_slice(bad);
        let p = sbom_problems(&bytes, Limits::DEFAULT);
        assert_eq!(p[0].kind, ProblemKind::Encoding, "{bad:?}");
        assert_eq!(p[0].offset, Some(at), "{bad:?}");
        assert_eq!(
            advisory_problems(&bytes)[0].code,
            codes::ENCODING,
            "{bad:?}"
        );
    }
}

#[test]
fn expansion_bombs_are_refused() {
    // XML: entities are refused outright (no DTD is read), so nothing can expand.
    let p = sbom_problems(
        &fixture("sbom", "hostile-billion-laughs.xml"),
        Limits::DEFAULT,
    );
    assert_eq!(p[0].kind, ProblemKind::XmlDtd);
    // YAML: aliases expanding to a billion nodes are stopped by serde-saphyr's budget.
    let mut yaml = String::from(
        "id: x\nmodified: y\na0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        yaml.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            std::iter::repeat_n(prev.as_str(), 9)
                .collect::<Vec<_>>()
                .join(",")
        ));
    }
    let start = std::time::Instant::now();
    assert!(advisory::read(yaml.as_bytes(), &ReadOptions::default()).is_err());
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn the_size_limit_is_checked_before_anything_else() {
    // Over the limit by one byte: refused whatever the content.
    let bytes = vec![0xFF; 1025];
    assert!(matches!(
        sbom::read_with(&bytes, Limits::new(1024, 100)),
        Err(SbomError::TooLarge {
            size: 1025,
            limit: 1024
        })
    ));
    let options = ReadOptions {
        max_bytes: 1024,
        file_name: None,
    };
    assert!(matches!(
        advisory::read(&bytes, &options),
        Err(ReadError::TooLarge {
            size: 1025,
            limit: 1024
        })
    ));
}

/// The NVD page fast path (straight from the text into wire structs) must give what the
/// general path (through a `serde_json::Value`) gives. A duplicate top-level key, which the
/// fast path refuses and a `Value` resolves by keeping the last, sends the same page down
/// the general path; it is added at the end, so every offset before it stays the same.
#[test]
fn nvd_pages_read_the_same_on_the_fast_and_the_general_path() {
    let dir = corpus().join("cve-samples/nvd-api-2.0/osv-dev");
    let mut pages = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        if !text.contains("\"NVD_CVE\"") {
            continue;
        }
        let end = text.trim_end().len() - 1;
        let general = format!("{}, \"format\": \"NVD_CVE\"}}", &text[..end]);
        let options = ReadOptions::default();
        let fast =
            advisory::read(text.as_bytes(), &options).map(|d| serde_json::to_value(d).unwrap());
        let slow =
            advisory::read(general.as_bytes(), &options).map(|d| serde_json::to_value(d).unwrap());
        match (fast, slow) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{}", path.display()),
            (Err(a), Err(b)) => assert_eq!(
                serde_json::to_value(a.problems()).unwrap(),
                serde_json::to_value(b.problems()).unwrap()
            ),
            (a, b) => panic!("{}: {a:?} vs {b:?}", path.display()),
        }
        pages += 1;
    }
    assert!(pages >= 5, "only {pages} NVD pages in {}", dir.display());
}

// Regressions found by the fuzz targets (`fuzz/`), named after what they fix.

/// fuzz `sbom_read` and `advisory_read`: a raw newline inside a JSON string was reported at
/// column 0 of the next line (serde_json's count); columns are 1-based, and the problem is
/// the newline itself, at the end of the line before.
#[test]
fn regression_syntax_error_at_a_raw_newline_is_located_at_that_newline() {
    let text = b"{\n  \"bomFormat\": \"Cyclone\nDX\"\n}";
    let p = sbom_problems(text, Limits::DEFAULT);
    assert_eq!(p[0].kind, ProblemKind::Syntax, "{}", p[0]);
    assert_eq!((p[0].line, p[0].column), (Some(2), Some(24)), "{}", p[0]);
    assert_eq!(p[0].offset, Some(25), "{}", p[0]);
    assert_eq!(text[25], b'\n');

    let text = b"{\n  \"id\": \"GO-2020-\n0001\",\n  \"modified\": \"x\"\n}";
    let p = advisory_problems(text);
    assert_eq!(p[0].code, codes::SYNTAX, "{:?}", p[0]);
    assert_eq!((p[0].line, p[0].column), (Some(2), Some(18)), "{:?}", p[0]);
}
