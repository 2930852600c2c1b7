//! SBOM readers: CycloneDX 1.2–1.6 (JSON, XML) and SPDX 2.2/2.3 (JSON, tag-value).
//!
//! [`read`] detects the format, the encoding and the specification version from the content,
//! reads the document into wire structs of that format, validates them against the rules of
//! that specification version, and converts them at one seam into
//! [`medsec_core::component::Sbom`].
//!
//! ```text
//! bytes ─► limits, UTF-8 ─► detect ─┬─ CycloneDX JSON ───────────────► cyclonedx::Bom ─┐
//!                                   ├─ CycloneDX XML ─► xml::to_json ─► cyclonedx::Bom ─┤─► validate + convert ─► Sbom
//!                                   ├─ SPDX JSON ──────────────────────► spdx::Document ┤
//!                                   └─ SPDX tag-value ─► tagvalue ─────► spdx::Document ┘
//! ```
//!
//! Every problem is collected, not only the first, each keyed by a path into the document
//! (`components[3].purl`) and, where it can be found, a line and column. An [`Severity::Error`]
//! makes the document unusable ([`SbomError::Invalid`]); a [`Severity::Warning`] (an
//! unparseable purl, say) keeps the document and drops only the bad value.
//!
//! Hostile input: the size is capped before parsing ([`read_from_path`] refuses a file over
//! the limit from its length, before reading it; [`read_from_reader`] never reads past it),
//! nesting depth is capped (JSON while reading, or by a pre-scan on the general path; XML
//! while reading), XML DTDs are refused
//! outright (so no external entity is resolved and no entity can expand), and bytes that are
//! not UTF-8 are refused with their position.

mod cyclonedx;
mod locate;
mod source;
mod spdx;
mod xml;

use medsec_core::component::{Original, Sbom, SbomFormat};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use locate::LineIndex;
pub use source::SourceError;
pub(crate) use source::{file_len, read_bounded};

/// Limits that protect against hostile documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest document read, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of JSON arrays/objects or XML elements.
    pub max_depth: usize,
}

impl Limits {
    /// 512 MiB: ten times the largest real SBOMs we have seen; nesting 100: real CycloneDX
    /// documents nest components a handful of levels.
    pub const DEFAULT: Limits = Limits {
        max_bytes: 512 * 1024 * 1024,
        max_depth: 100,
    };

    pub fn new(max_bytes: usize, max_depth: usize) -> Self {
        Limits {
            max_bytes,
            max_depth,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// What kind of problem, with a stable diagnostic code (documented in `docs/diagnostics.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ProblemKind {
    /// Not well-formed JSON, XML or tag-value, or a value of the wrong JSON type.
    Syntax,
    /// Not UTF-8 (or UTF-16, which we do not read).
    Encoding,
    TooLarge,
    TooDeep,
    /// An XML document type declaration (DTD) or an entity that is not predefined.
    XmlDtd,
    /// Neither CycloneDX nor SPDX.
    UnknownFormat,
    UnsupportedVersion,
    /// A field the specification requires is absent.
    MissingField,
    /// A field that does not exist in this specification version.
    UnknownField,
    /// A value outside the values the specification allows (an enum, a pattern).
    BadValue,
    /// Two components (or services) share a bom-ref / SPDXID.
    DuplicateRef,
    /// A dependency or relationship names a ref that no element has.
    DanglingRef,
    /// A purl that does not parse; the component is kept without it.
    BadPurl,
    /// A CPE that does not parse; the component is kept without it.
    BadCpe,
    /// A licence id that is not on the SPDX licence list, or an expression that does not parse.
    BadLicence,
}

impl ProblemKind {
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::Syntax => "medsec::sbom::syntax",
            ProblemKind::Encoding => "medsec::sbom::encoding",
            ProblemKind::TooLarge => "medsec::sbom::too-large",
            ProblemKind::TooDeep => "medsec::sbom::too-deep",
            ProblemKind::XmlDtd => "medsec::sbom::xml-dtd",
            ProblemKind::UnknownFormat => "medsec::sbom::unknown-format",
            ProblemKind::UnsupportedVersion => "medsec::sbom::unsupported-version",
            ProblemKind::MissingField => "medsec::sbom::missing-field",
            ProblemKind::UnknownField => "medsec::sbom::unknown-field",
            ProblemKind::BadValue => "medsec::sbom::bad-value",
            ProblemKind::DuplicateRef => "medsec::sbom::duplicate-ref",
            ProblemKind::DanglingRef => "medsec::sbom::dangling-ref",
            ProblemKind::BadPurl => "medsec::sbom::bad-purl",
            ProblemKind::BadCpe => "medsec::sbom::bad-cpe",
            ProblemKind::BadLicence => "medsec::sbom::bad-licence",
        }
    }

    /// Every kind, for documentation tests.
    pub const ALL: [ProblemKind; 15] = [
        ProblemKind::Syntax,
        ProblemKind::Encoding,
        ProblemKind::TooLarge,
        ProblemKind::TooDeep,
        ProblemKind::XmlDtd,
        ProblemKind::UnknownFormat,
        ProblemKind::UnsupportedVersion,
        ProblemKind::MissingField,
        ProblemKind::UnknownField,
        ProblemKind::BadValue,
        ProblemKind::DuplicateRef,
        ProblemKind::DanglingRef,
        ProblemKind::BadPurl,
        ProblemKind::BadCpe,
        ProblemKind::BadLicence,
    ];
}

/// One problem in a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Problem {
    pub severity: Severity,
    pub kind: ProblemKind,
    pub code: &'static str,
    /// Where in the document: `components[3].purl`, `packages[0].SPDXID`; empty for the whole
    /// document.
    pub path: String,
    pub message: String,
    /// Byte offset in the original document, where known.
    pub offset: Option<usize>,
    /// 1-based line and column (in characters), where known.
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl Problem {
    pub fn new(
        severity: Severity,
        kind: ProblemKind,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            severity,
            kind,
            code: kind.code(),
            path: path.into(),
            message: message.into(),
            offset: None,
            line: None,
            column: None,
        }
    }

    pub fn error(kind: ProblemKind, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, kind, path, message)
    }

    pub fn warning(kind: ProblemKind, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, kind, path, message)
    }

    /// Sets the position from a byte offset in `text`.
    pub fn at(mut self, index: &LineIndex<'_>, offset: usize) -> Self {
        let (line, column) = index.line_column(offset);
        self.offset = Some(offset);
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, "{l}:{c}: ")?;
        }
        write!(f, "{level}[{}]", self.code)?;
        if !self.path.is_empty() {
            write!(f, " at {}", self.path)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Why a document could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SbomError {
    #[error("the document is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("not a CycloneDX or SPDX document: {reason}")]
    UnknownFormat { reason: String },
    #[error("unsupported {format} spec version {version} (medsec reads {supported})")]
    UnsupportedVersion {
        format: SbomFormat,
        version: String,
        supported: &'static str,
    },
    /// The document has errors; `problems` holds every error and warning found, in document
    /// order.
    #[error("invalid {format} document: {} error(s), first: {}", count_errors(.problems), first_error(.problems))]
    Invalid {
        format: String,
        problems: Vec<Problem>,
    },
}

fn count_errors(problems: &[Problem]) -> usize {
    problems.iter().filter(|p| p.is_error()).count()
}

fn first_error(problems: &[Problem]) -> String {
    problems
        .iter()
        .find(|p| p.is_error())
        .map(ToString::to_string)
        .unwrap_or_default()
}

impl SbomError {
    /// The error as located problems, for uniform rendering.
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            SbomError::Invalid { problems, .. } => problems.clone(),
            SbomError::TooLarge { .. } => {
                vec![Problem::error(ProblemKind::TooLarge, "", self.to_string())]
            }
            SbomError::UnknownFormat { .. } => {
                vec![Problem::error(
                    ProblemKind::UnknownFormat,
                    "",
                    self.to_string(),
                )]
            }
            SbomError::UnsupportedVersion { .. } => vec![Problem::error(
                ProblemKind::UnsupportedVersion,
                "",
                self.to_string(),
            )],
        }
    }

    fn invalid(format: impl Into<String>, problem: Problem) -> Self {
        SbomError::Invalid {
            format: format.into(),
            problems: vec![problem],
        }
    }
}

/// A document read, with the warnings found on the way.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Reading {
    pub sbom: Sbom,
    pub warnings: Vec<Problem>,
}

/// Reads an SBOM with the [`Limits::DEFAULT`] limits.
pub fn read(bytes: &[u8]) -> Result<Reading, SbomError> {
    read_with(bytes, Limits::DEFAULT)
}

/// Reads an SBOM: detects the format, validates, converts.
pub fn read_with(bytes: &[u8], limits: Limits) -> Result<Reading, SbomError> {
    read_with_json(bytes, limits, read_json)
}

/// [`read_with`] with the reader of JSON documents given (the tests compare the fast path
/// with the general one).
fn read_with_json(
    bytes: &[u8],
    limits: Limits,
    read_json: fn(&Context<'_>, Original) -> Result<Reading, SbomError>,
) -> Result<Reading, SbomError> {
    if bytes.len() > limits.max_bytes {
        return Err(SbomError::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    // A UTF-8 byte order mark is allowed (Windows tools write one) but no parser wants it.
    let text = decode_utf8(bytes)?.trim_start_matches('\u{feff}');
    let index = LineIndex::new(text);
    let original = Original {
        bytes: bytes.to_vec(),
        sha256: sha256_hex(bytes),
        size: bytes.len(),
    };
    let trimmed = text.trim_start();
    let ctx = Context {
        text,
        index: &index,
        limits,
    };
    let result = match trimmed.as_bytes().first() {
        Some(b'{') => read_json(&ctx, original),
        Some(b'<') => xml::read(&ctx, original),
        Some(_) if looks_like_tag_value(trimmed) => spdx::read_tag_value(&ctx, original),
        Some(_) => Err(SbomError::UnknownFormat {
            reason: "it is neither JSON, XML nor SPDX tag-value (no `SPDXVersion:` line)"
                .to_owned(),
        }),
        None => Err(SbomError::UnknownFormat {
            reason: "the document is empty".to_owned(),
        }),
    };
    result.map(|mut reading| {
        reading.warnings.sort_by_key(|p| p.offset);
        reading
    })
}

/// Reads an SBOM from a stream, reading no more than `limits.max_bytes` (plus one byte to
/// know that there is more).
pub fn read_from_reader(
    reader: impl std::io::Read,
    limits: Limits,
) -> Result<Reading, SourceError<SbomError>> {
    match read_bounded(reader, limits.max_bytes, None)? {
        Some(bytes) => read_with(&bytes, limits).map_err(SourceError::Read),
        None => Err(SourceError::TooLarge {
            limit: limits.max_bytes,
        }),
    }
}

/// Reads an SBOM file: a file longer than `limits.max_bytes` is refused from its length,
/// before any of it is read; a file that grows while being read is still cut at the limit.
pub fn read_from_path(
    path: impl AsRef<std::path::Path>,
    limits: Limits,
) -> Result<Reading, SourceError<SbomError>> {
    let file = std::fs::File::open(path)?;
    let len = file_len(&file);
    if let Some(size) = len.and_then(|l| usize::try_from(l).ok())
        && size > limits.max_bytes
    {
        return Err(SourceError::Read(SbomError::TooLarge {
            size,
            limit: limits.max_bytes,
        }));
    }
    match read_bounded(file, limits.max_bytes, len)? {
        Some(bytes) => read_with(&bytes, limits).map_err(SourceError::Read),
        None => Err(SourceError::TooLarge {
            limit: limits.max_bytes,
        }),
    }
}

/// What every reader gets.
pub(crate) struct Context<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex<'a>,
    pub limits: Limits,
}

fn looks_like_tag_value(text: &str) -> bool {
    text.lines()
        .map(str::trim_start)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .take(20)
        .any(|l| l.starts_with("SPDXVersion:"))
}

fn decode_utf8(bytes: &[u8]) -> Result<&str, SbomError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(SbomError::invalid(
            "SBOM",
            Problem::error(
                ProblemKind::Encoding,
                "",
                "the document is UTF-16 (it starts with a UTF-16 byte order mark); \
                 SBOM formats are read as UTF-8: convert it",
            ),
        ));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let good = e.valid_up_to();
        // The valid prefix is UTF-8, so its line index gives the position of the bad byte.
        let prefix = std::str::from_utf8(&bytes[..good]).unwrap_or_default();
        let index = LineIndex::new(prefix);
        SbomError::invalid(
            "SBOM",
            Problem::error(
                ProblemKind::Encoding,
                "",
                format!(
                    "the document is not valid UTF-8: byte 0x{:02X} at offset {good}",
                    bytes[good]
                ),
            )
            .at(&index, good),
        )
    })
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Probe of a JSON document's top level: enough to tell CycloneDX from SPDX and the version.
#[derive(serde::Deserialize)]
struct Probe {
    #[serde(rename = "bomFormat")]
    bom_format: Option<serde_json::Value>,
    #[serde(rename = "specVersion")]
    spec_version: Option<serde_json::Value>,
    #[serde(rename = "spdxVersion")]
    spdx_version: Option<serde_json::Value>,
    #[serde(rename = "$schema")]
    schema: Option<serde_json::Value>,
}

fn read_json(ctx: &Context<'_>, original: Original) -> Result<Reading, SbomError> {
    // The common case, a well-formed CycloneDX document, is read in one pass into borrowed
    // wire structs, the depth counted on the way. Anything that pass does not take exactly
    // as the general path below would goes to the general path, which reads the document
    // again from the start and places every problem.
    match cyclonedx::read_json_fast(ctx, original) {
        Ok(reading) => reading,
        Err((original, why)) => read_json_general(ctx, original, why),
    }
}

/// Reads a JSON document that the fast path did not take (`why`).
fn read_json_general(
    ctx: &Context<'_>,
    original: Original,
    why: cyclonedx::GiveUp,
) -> Result<Reading, SbomError> {
    locate::check_json_depth(ctx)?;
    // A CycloneDX document is parsed once instead of twice (probe, then wire structs): the
    // wire structs keep every top-level key, which is all the probe looks at. Where the
    // answer could differ from the probe's (an SPDX key, no CycloneDX key, anything that
    // does not deserialise), the probe decides. The fast path has already seen an SPDX key
    // or the lack of both CycloneDX keys, where this attempt would give up too.
    let original = match why {
        cyclonedx::GiveUp::NotCycloneDx => original,
        cyclonedx::GiveUp::Other => match cyclonedx::read_json_direct(ctx, original) {
            Ok(reading) => return reading,
            Err(original) => original,
        },
    };
    let probe: Probe = serde_json::from_str(ctx.text)
        .map_err(|e| SbomError::invalid("JSON", json_syntax_problem(ctx, &e)))?;
    if let Some(v) = &probe.spdx_version {
        let version = v.as_str().unwrap_or_default();
        return match version {
            "SPDX-2.2" | "SPDX-2.3" => spdx::read_json(ctx, original, &version[5..]),
            _ => Err(SbomError::UnsupportedVersion {
                format: SbomFormat::Spdx,
                version: version.strip_prefix("SPDX-").unwrap_or(version).to_owned(),
                supported: spdx::SUPPORTED,
            }),
        };
    }
    let is_cdx_schema = probe
        .schema
        .as_ref()
        .and_then(|s| s.as_str())
        .is_some_and(|s| s.contains("cyclonedx.org/schema/bom-"));
    if probe.bom_format.is_none() && probe.spec_version.is_none() && !is_cdx_schema {
        return Err(SbomError::UnknownFormat {
            reason: "a JSON document with neither `bomFormat` (CycloneDX) nor `spdxVersion` (SPDX)"
                .to_owned(),
        });
    }
    cyclonedx::read_json(ctx, original, probe.spec_version.as_ref())
}

pub(crate) fn json_syntax_problem(ctx: &Context<'_>, e: &serde_json::Error) -> Problem {
    let mut p = Problem::error(ProblemKind::Syntax, "", strip_position(&e.to_string()));
    if e.line() > 0 {
        p.line = Some(e.line());
        p.column = Some(e.column());
        p.offset = ctx.index.offset(e.line(), e.column());
        // serde_json counts a newline it has just read as column 0 of the next line (a raw
        // newline inside a string, say); the problem is at that newline, the end of the
        // line before, and columns are 1-based.
        if e.column() == 0
            && let Some(newline) = ctx
                .index
                .offset(e.line(), 1)
                .and_then(|start| start.checked_sub(1))
        {
            p = p.at(ctx.index, newline);
        }
    }
    p
}

/// serde_json appends " at line L column C"; we keep the position in fields instead.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Collects problems and decides the outcome.
pub(crate) struct Problems {
    pub list: Vec<Problem>,
}

impl Problems {
    pub fn new() -> Self {
        Problems { list: Vec::new() }
    }

    pub fn error(&mut self, kind: ProblemKind, path: impl Into<String>, msg: impl Into<String>) {
        self.list.push(Problem::error(kind, path, msg));
    }

    pub fn warning(&mut self, kind: ProblemKind, path: impl Into<String>, msg: impl Into<String>) {
        self.list.push(Problem::warning(kind, path, msg));
    }

    pub fn has_errors(&self) -> bool {
        self.list.iter().any(Problem::is_error)
    }

    /// The reading if there are no errors, else every problem.
    pub fn finish(
        mut self,
        sbom: Sbom,
        format: &str,
        positions: &dyn Fn(&mut [Problem]),
    ) -> Result<Reading, SbomError> {
        positions(&mut self.list);
        self.list.sort_by_key(|p| (p.offset.is_none(), p.offset));
        if self.has_errors() {
            Err(SbomError::Invalid {
                format: format.to_owned(),
                problems: self.list,
            })
        } else {
            Ok(Reading {
                sbom,
                warnings: self.list,
            })
        }
    }
}

/// `a.b` / `a[3]` path building.
// Both are called for every element of a document: built by hand, as `format!` was a
// tenth of the reading time.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        let mut out = String::with_capacity(path.len() + 1 + key.len());
        out.push_str(path);
        out.push('.');
        out.push_str(key);
        out
    }
}

pub(crate) fn idx(path: &str, i: usize) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    out.push_str(path);
    out.push('[');
    push_decimal(&mut out, i);
    out.push(']');
    out
}

fn push_decimal(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in digits[..len].iter().rev() {
        out.push(char::from(d));
    }
}

/// RFC 3339 `date-time` (the JSON Schema `format: date-time` both CycloneDX and SPDX use):
/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
pub(crate) fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let num =
        |r: std::ops::Range<usize>| -> u32 { s.get(r).and_then(|d| d.parse().ok()).unwrap_or(99) };
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || !matches!(b[10], b'T' | b't' | b' ')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    if !(1..=12).contains(&num(5..7))
        || !(1..=31).contains(&num(8..10))
        || num(11..13) > 23
        || num(14..16) > 59
        || num(17..19) > 60
    {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match &b[i..] {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', ..] if b.len() - i == 6 => {
            digits(i + 1..i + 3) && b[i + 3] == b':' && digits(i + 4..i + 6)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn rfc3339() {
        assert!(is_rfc3339("2020-04-13T20:20:39+00:00"));
        assert!(is_rfc3339("2020-04-13T20:20:39Z"));
        assert!(is_rfc3339("2020-04-13T20:20:39.123Z"));
        assert!(!is_rfc3339("2020-04-13"));
        assert!(!is_rfc3339("2020-13-13T20:20:39Z"));
        assert!(!is_rfc3339("2020-04-13T20:20:39"));
        assert!(!is_rfc3339("2020-04-13T20:20:39.Z"));
    }

    fn corpus() -> std::path::PathBuf {
        std::env::var_os("MEDSEC_CORPUS").map_or_else(
            || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
            std::path::PathBuf::from,
        )
    }

    /// Every JSON document of the CycloneDX spec corpus, the real SBOMs and our fixtures.
    fn json_documents() -> Vec<(String, Vec<u8>)> {
        let mut dirs = vec![
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sbom"),
            corpus().join("sbom-real"),
        ];
        for version in ["1.4", "1.5", "1.6", "1.7"] {
            dirs.push(corpus().join("cyclonedx-spec").join(version));
        }
        let mut out = Vec::new();
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "json") {
                    out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    /// Edits that take a document down the paths where the fast path must agree with the
    /// general one or give way to it.
    const EDITS: &[(&str, &str)] = &[
        ("\"name\"", "\"name\": null, \"name\""),
        ("\"name\"", "\"nme\""),
        ("\"name\":", "\"name\": 5, \"x\":"),
        ("\"type\"", "\"type\": \"library\", \"type\""),
        ("\"version\"", "\"version\": [[[[[[1]]]]]], \"zz\""),
        ("\"bom-ref\"", "\"bom-ref\": \"dup\", \"x-bom-ref\""),
        (
            "\"components\": [",
            "\"components\": [{\"type\": \"library\", \"name\": \"a\", \"bom-ref\": \"d\"}, {\"type\": \"library\", \"name\": \"b\", \"bom-ref\": \"d\"},",
        ),
        (
            "\"specVersion\"",
            "\"spdxVersion\": \"SPDX-2.3\", \"specVersion\"",
        ),
        (
            "\"hashes\"",
            "\"hashes\": [], \"evidence\": {\"a\": [1, 2e400]}, \"h\"",
        ),
        (
            "\"hashes\"",
            "\"unknown\": {\"a\": {\"b\": [[[[[[[[[1]]]]]]]]]}}, \"hashes\"",
        ),
        (
            "\"metadata\"",
            "\"metadata\": {\"tools\": [{\"name\": 5}]}, \"m2\"",
        ),
        (
            "\"metadata\"",
            "\"metadata\": {\"tools\": {\"components\": [{\"type\": \"application\", \"name\": \"t\", \"bom-ref\": \"t1\"}], \"services\": [{\"name\": \"s\", \"bom-ref\": \"t1\"}]}}, \"m2\"",
        ),
        (
            "{",
            "{\"services\": [{\"name\": \"s\", \"data\": [[\"inbound\", \"PII\"]]}],",
        ),
        (
            "{",
            "{\"services\": [{\"name\": \"s\", \"data\": [{\"flow\": \"x\", \"classification\": null}], \"x\": 1e999}],",
        ),
        ("{", "{\"version\": 99999999999999999999,"),
        ("\"name\": \"", "\"name\": \"esc\\u0061ped\\n"),
        ("\"n", "\"\\u006e"),
    ];

    #[test]
    fn the_fast_path_reads_as_the_general_path_does() {
        let documents = json_documents();
        assert!(documents.len() > 100, "the corpus is missing");
        let mut fast_taken = 0;
        for (name, bytes) in &documents {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let mut variants = vec![("as is".to_owned(), text.clone())];
            for (k, (from, to)) in EDITS.iter().enumerate() {
                if let Some(i) = text.find(from) {
                    let mut t = text.clone();
                    t.replace_range(i..i + from.len(), to);
                    variants.push((format!("edit {k}"), t));
                }
            }
            for (variant, text) in variants {
                for limits in [Limits::DEFAULT, Limits::new(Limits::DEFAULT.max_bytes, 6)] {
                    let general = read_with_json(text.as_bytes(), limits, |ctx, original| {
                        read_json_general(ctx, original, cyclonedx::GiveUp::Other)
                    });
                    let fast = read_with(text.as_bytes(), limits);
                    assert_eq!(
                        format!("{fast:?}"),
                        format!("{general:?}"),
                        "{name}, {variant}, depth {}",
                        limits.max_depth
                    );
                    fast_taken += usize::from(fast.is_ok());
                }
            }
        }
        assert!(fast_taken > 100);
    }

    #[test]
    fn nested_components_up_to_the_depth_limit_read_both_ways() {
        // Each level of nesting is an array and an object: components at level k are at
        // depth 2k + 1, so 49 levels are 99 deep and 50 are 101.
        let nested = |levels: usize| {
            let mut text = String::new();
            for k in 0..levels {
                text.push_str(&format!(
                    r#"{{"type": "library", "name": "c{k}", "bom-ref": "r{k}", "components": ["#
                ));
            }
            text.push_str(&"]}".repeat(levels));
            format!(
                r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": {{}},
                "components": [{text}]}}"#
            )
        };
        for levels in [49, 50] {
            let text = nested(levels);
            let fast = read(text.as_bytes());
            let general = read_with_json(text.as_bytes(), Limits::DEFAULT, |ctx, original| {
                read_json_general(ctx, original, cyclonedx::GiveUp::Other)
            });
            assert_eq!(format!("{fast:?}"), format!("{general:?}"));
            match levels {
                49 => assert_eq!(fast.unwrap().sbom.components.len(), 49),
                _ => assert_eq!(fast.unwrap_err().problems()[0].kind, ProblemKind::TooDeep),
            }
        }
    }

    #[test]
    fn sha256_of_empty() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
