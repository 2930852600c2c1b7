//! Advisory readers: NVD CVE API 2.0, CVE JSON 5.x, OSV 1.x, CSAF 2.0.
//!
//! [`read`] takes the bytes of one document, detects its format from the content,
//! deserialises it into that format's wire structs (kept private, one module per
//! format) and converts them, at one seam per format, into
//! [`medsec_core::advisory::Advisory`] values.
//!
//! Problems are collected, not stopped at: every problem carries a stable code (see
//! [`codes`]), a level (error or warning), the JSON Pointer of the node concerned and,
//! where the text is JSON, its line and column. A document with an error is rejected
//! ([`ReadError::Invalid`]) with all of them; warnings travel with the result.
//!
//! Limits: the input size ([`ReadOptions::max_bytes`]; [`read_from_path`] refuses a file
//! over it from its length, [`read_from_reader`] never reads past it); JSON nesting is
//! bounded by serde_json's recursion limit (128), YAML nesting by serde-saphyr's budget
//! (depth 64, 250,000 nodes, no alias expansion storms). No input panics (a property test
//! and the `advisory_read` fuzz target check).
//!
//! An NVD API page, the largest input, is deserialised straight from the text
//! (`nvd::read_fast`); every other input, and a page the fast path cannot take exactly as
//! the general path would, goes through a `serde_json::Value`.

mod csaf;
mod cve5;
mod cvss;
mod locate;
mod nvd;
mod osv;
mod problem;
mod time;
mod vers;

use medsec_core::advisory::{Advisory, Format};
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use crate::sbom::SourceError;
pub use problem::{Level, Problem, codes};

/// Default input limit: 256 MiB, above the largest NVD API page (2,000 CVEs).
pub const DEFAULT_MAX_BYTES: usize = 256 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Inputs longer than this are refused before parsing.
    pub max_bytes: usize,
    /// The file name recorded in each advisory's provenance (no directory).
    pub file_name: Option<String>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_bytes: DEFAULT_MAX_BYTES,
            file_name: None,
        }
    }
}

/// A document read: its format, the spec version it declares, its advisories and the
/// warnings found on the way.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Document {
    pub format: Format,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec_version: Option<String>,
    /// The document's own id where it has one beside its vulnerabilities (CSAF
    /// tracking id); the record id otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    pub advisories: Vec<Advisory>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Problem>,
}

/// Why a document was not read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    #[error("input is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("{}", .0.message)]
    Syntax(Box<Problem>),
    #[error("not a supported advisory format: {hint}")]
    UnknownFormat { hint: String },
    #[error("{what} is not supported: {help}")]
    Unsupported { what: String, help: String },
    #[error("invalid {format} document: {} error(s)", count_errors(.problems))]
    Invalid {
        format: Format,
        spec_version: Option<String>,
        /// Every problem found, errors and warnings, in document order.
        problems: Vec<Problem>,
    },
}

fn count_errors(problems: &[Problem]) -> usize {
    problems.iter().filter(|p| p.level == Level::Error).count()
}

impl ReadError {
    /// The error as located problems, for rendering.
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            ReadError::TooLarge { .. } => {
                vec![Problem::error(codes::TOO_LARGE, "", self.to_string())]
            }
            ReadError::Syntax(p) => vec![(**p).clone()],
            ReadError::UnknownFormat { .. } => {
                vec![Problem::error(codes::UNKNOWN_FORMAT, "", self.to_string())]
            }
            ReadError::Unsupported { .. } => vec![Problem::error(
                codes::UNSUPPORTED_FORMAT,
                "",
                self.to_string(),
            )],
            ReadError::Invalid { problems, .. } => problems.clone(),
        }
    }
}

/// Reads one advisory document of any supported format.
pub fn read(bytes: &[u8], options: &ReadOptions) -> Result<Document, ReadError> {
    if bytes.len() > options.max_bytes {
        return Err(ReadError::TooLarge {
            size: bytes.len(),
            limit: options.max_bytes,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = locate::line_column(bytes, e.valid_up_to());
        let mut p = Problem::error(
            codes::ENCODING,
            "",
            format!(
                "not UTF-8: invalid byte at offset {} (JSON and YAML advisories are UTF-8)",
                e.valid_up_to()
            ),
        );
        p.line = Some(line);
        p.column = Some(column);
        ReadError::Syntax(Box::new(p))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.trim_start().chars().next();
    if first == Some('{') {
        let ctx = Context {
            text,
            is_json: true,
            file_name: options.file_name.clone(),
        };
        if let Some(result) = nvd::read_fast(text, &ctx) {
            return result;
        }
    }
    let (value, is_json) = match first {
        Some('{') | Some('[') => (parse_json(text)?, true),
        None => {
            return Err(ReadError::UnknownFormat {
                hint: "the input is empty".into(),
            });
        }
        Some(_) => (parse_yaml(text)?, false),
    };
    let ctx = Context {
        text,
        is_json,
        file_name: options.file_name.clone(),
    };
    match detect(&value)? {
        Detected::Nvd => nvd::read(&value, &ctx),
        Detected::Cve5 => cve5::read(&value, &ctx),
        Detected::Osv => osv::read(&value, &ctx),
        Detected::Csaf => csaf::read(&value, &ctx),
    }
}

/// Reads one advisory document from a stream, reading no more than `options.max_bytes`
/// (plus one byte to know that there is more).
pub fn read_from_reader(
    reader: impl std::io::Read,
    options: &ReadOptions,
) -> Result<Document, SourceError<ReadError>> {
    match crate::sbom::read_bounded(reader, options.max_bytes, None)? {
        Some(bytes) => read(&bytes, options).map_err(SourceError::Read),
        None => Err(SourceError::TooLarge {
            limit: options.max_bytes,
        }),
    }
}

/// Reads one advisory file: a file longer than `options.max_bytes` is refused from its
/// length, before any of it is read.
pub fn read_from_path(
    path: impl AsRef<std::path::Path>,
    options: &ReadOptions,
) -> Result<Document, SourceError<ReadError>> {
    let file = std::fs::File::open(path)?;
    let len = crate::sbom::file_len(&file);
    if let Some(size) = len.and_then(|l| usize::try_from(l).ok())
        && size > options.max_bytes
    {
        return Err(SourceError::Read(ReadError::TooLarge {
            size,
            limit: options.max_bytes,
        }));
    }
    match crate::sbom::read_bounded(file, options.max_bytes, len)? {
        Some(bytes) => read(&bytes, options).map_err(SourceError::Read),
        None => Err(SourceError::TooLarge {
            limit: options.max_bytes,
        }),
    }
}

fn parse_json(text: &str) -> Result<Value, ReadError> {
    serde_json::from_str::<Value>(text).map_err(|e| {
        let mut p = Problem::error(
            codes::SYNTAX,
            "",
            format!("not well-formed JSON: {}", strip_position(&e.to_string())),
        );
        p.line = Some(e.line());
        p.column = Some(e.column());
        // serde_json counts a newline it has just read as column 0 of the next line (a raw
        // newline inside a string, say); the problem is at that newline, the end of the
        // line before, and columns are 1-based.
        if e.column() == 0
            && let Some(newline) = e
                .line()
                .checked_sub(2)
                .and_then(|n| text.match_indices('\n').nth(n))
                .map(|(i, _)| i)
        {
            let (line, column) = locate::line_column(text.as_bytes(), newline);
            p.line = Some(line);
            p.column = Some(column);
        }
        ReadError::Syntax(Box::new(p))
    })
}

fn parse_yaml(text: &str) -> Result<Value, ReadError> {
    serde_saphyr::from_str::<Value>(text).map_err(|e| {
        let mut p = Problem::error(
            codes::SYNTAX,
            "",
            format!("neither JSON nor well-formed YAML: {e}"),
        );
        if let Some(loc) = e.location() {
            p.line = usize::try_from(loc.line()).ok();
            p.column = usize::try_from(loc.column()).ok();
        }
        ReadError::Syntax(Box::new(p))
    })
}

/// serde_json appends " at line L column C"; we report those separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

enum Detected {
    Nvd,
    Cve5,
    Osv,
    Csaf,
}

/// Recognises the format by the keys each one requires at its top level.
fn detect(value: &Value) -> Result<Detected, ReadError> {
    let Some(obj) = value.as_object() else {
        return Err(ReadError::UnknownFormat {
            hint: "the top level is not an object".into(),
        });
    };
    // NVD CVE API 2.0 response page (`vulnerabilities[]` of `{cve}`), or one `cve` item
    // as the fkie-cad feeds store it (an object with `id`, `sourceIdentifier` and
    // `vulnStatus` or `descriptions`).
    if obj.contains_key("vulnerabilities")
        && obj.contains_key("format")
        && obj.get("format").and_then(Value::as_str) == Some("NVD_CVE")
    {
        return Ok(Detected::Nvd);
    }
    if obj.contains_key("cve") && obj.len() <= 2 {
        return Ok(Detected::Nvd);
    }
    if obj.contains_key("sourceIdentifier")
        && obj.contains_key("id")
        && (obj.contains_key("descriptions") || obj.contains_key("vulnStatus"))
    {
        return Ok(Detected::Nvd);
    }
    if obj.get("dataType").and_then(Value::as_str) == Some("CVE_RECORD")
        || obj.contains_key("cveMetadata")
    {
        return Ok(Detected::Cve5);
    }
    if let Some(doc) = obj.get("document").and_then(Value::as_object)
        && doc.contains_key("csaf_version")
    {
        return Ok(Detected::Csaf);
    }
    if obj.contains_key("CVE_Items") || obj.get("CVE_data_type").is_some() {
        return Err(ReadError::Unsupported {
            what: "the legacy NVD JSON 1.1 feed".into(),
            help: "NVD retired the 1.1 feeds in 2023; use NVD CVE API 2.0 responses".into(),
        });
    }
    if obj.contains_key("dataType") && obj.contains_key("CVE_data_meta") {
        return Err(ReadError::Unsupported {
            what: "CVE JSON 4.0".into(),
            help: "use the CVE JSON 5 record of the CVE".into(),
        });
    }
    if obj.contains_key("id") && obj.contains_key("modified") {
        return Ok(Detected::Osv);
    }
    if obj.contains_key("resultsPerPage") {
        return Err(ReadError::Unsupported {
            what:
                "this NVD API 2.0 response (not a CVE response: CPE, CPE match, history or source)"
                    .into(),
            help: "give a response of the CVE API (/cves/2.0), which carries `vulnerabilities[]`"
                .into(),
        });
    }
    Err(ReadError::UnknownFormat {
        hint: "expected an NVD CVE API 2.0 response or item, a CVE JSON 5 record, an OSV record or a CSAF 2.0 document".into(),
    })
}

/// What every reader needs beside the value: the text (to locate problems) and the
/// file name (for provenance).
pub(crate) struct Context<'a> {
    text: &'a str,
    is_json: bool,
    file_name: Option<String>,
}

/// Collects problems while converting.
pub(crate) struct Problems<'a> {
    ctx: &'a Context<'a>,
    list: Vec<Problem>,
}

impl<'a> Problems<'a> {
    pub(crate) fn new(ctx: &'a Context<'a>) -> Self {
        Problems {
            ctx,
            list: Vec::new(),
        }
    }

    pub(crate) fn error(&mut self, code: &'static str, pointer: &str, message: impl Into<String>) {
        self.list.push(Problem::error(code, pointer, message));
    }

    pub(crate) fn warn(&mut self, code: &'static str, pointer: &str, message: impl Into<String>) {
        self.list.push(Problem::warning(code, pointer, message));
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.list.iter().any(|p| p.level == Level::Error)
    }

    /// Fills in line and column from the pointers (JSON only) and ends the read.
    pub(crate) fn finish(
        mut self,
        format: Format,
        spec_version: Option<String>,
        document_id: Option<String>,
        advisories: Vec<Advisory>,
    ) -> Result<Document, ReadError> {
        // Locating walks the text once per problem; past a few thousand problems the
        // rest are reported without a position rather than spending minutes on them.
        if self.ctx.is_json {
            for p in self.list.iter_mut().take(2_000) {
                if p.line.is_none()
                    && let Some(offset) = locate::offset_of(self.ctx.text, &p.pointer)
                {
                    let (line, column) = locate::line_column(self.ctx.text.as_bytes(), offset);
                    p.offset = Some(offset);
                    p.line = Some(line);
                    p.column = Some(column);
                }
            }
        }
        if self.has_errors() {
            return Err(ReadError::Invalid {
                format,
                spec_version,
                problems: self.list,
            });
        }
        Ok(Document {
            format,
            spec_version,
            document_id,
            advisories,
            warnings: self.list,
        })
    }
}

/// Deserialises a value into a format's wire struct; a wrong type becomes one located
/// problem (serde stops at the first).
pub(crate) fn wire<T: DeserializeOwned>(
    value: &Value,
    base: &str,
    problems: &mut Problems<'_>,
) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(v) => Some(v),
        Err(e) => {
            let pointer = format!("{base}{}", path_to_pointer(e.path()));
            let message = e.into_inner().to_string();
            let code = if message.starts_with("missing field") {
                codes::MISSING
            } else {
                codes::WRONG_TYPE
            };
            problems.error(code, &pointer, message);
            None
        }
    }
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                out.push('/');
                out.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

/// `/a/b` + `c` → `/a/b/c`, escaped per RFC 6901.
pub(crate) fn ptr(base: &str, key: impl std::fmt::Display) -> String {
    use std::fmt::Write;
    // Called for every node of a large document: written into one buffer, and escaped only
    // when the key needs it (keys are field names and indices, which almost never do).
    let mut out = String::with_capacity(base.len() + 16);
    out.push_str(base);
    out.push('/');
    let start = out.len();
    let _ = write!(out, "{key}");
    if out[start..].contains(['~', '/']) {
        let escaped = out[start..].replace('~', "~0").replace('/', "~1");
        out.truncate(start);
        out.push_str(&escaped);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn empty_and_scalar_inputs_are_refused() {
        assert!(matches!(
            read(b"", &ReadOptions::default()),
            Err(ReadError::UnknownFormat { .. })
        ));
        assert!(matches!(
            read(b"42", &ReadOptions::default()),
            Err(ReadError::UnknownFormat { .. })
        ));
        assert!(matches!(
            read(b"{\"a\":", &ReadOptions::default()),
            Err(ReadError::Syntax(_))
        ));
    }

    #[test]
    fn size_limit() {
        let options = ReadOptions {
            max_bytes: 4,
            file_name: None,
        };
        assert!(matches!(
            read(b"{\"a\": 1}", &options),
            Err(ReadError::TooLarge { size: 8, limit: 4 })
        ));
    }
}
