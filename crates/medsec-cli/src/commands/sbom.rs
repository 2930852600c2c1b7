//! `medsec sbom inspect FILE…`: read SBOMs (CycloneDX 1.2–1.6 JSON/XML, SPDX 2.2/2.3
//! JSON/tag-value) and show what they say, or every problem with its place.

use std::fmt;
use std::path::{Path, PathBuf};

use medsec_core::component::Sbom;
use medsec_formats::sbom::{self as reader, Problem, Severity};
use miette::{LabeledSpan, NamedSource, SourceCode};
use serde::Serialize;

use super::input_error::snippet_fits;
use crate::exit;
use crate::output::{Format, Rows, print, print_json};

/// Read software bills of materials (SBOMs).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: SbomCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum SbomCommand {
    /// Show an SBOM's format, version, metadata and component count; `--format json` prints
    /// the normalised components. Problems are shown with file, line and column; the exit
    /// code is 2 if a file is invalid (warnings alone exit 0).
    Inspect(InspectArgs),
}

#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// SBOM files: CycloneDX 1.2–1.6 (JSON, XML) or SPDX 2.2/2.3 (JSON, tag-value).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: Args) -> miette::Result<u8> {
    match args.command {
        SbomCommand::Inspect(args) => inspect(args),
    }
}

/// One file's outcome, as `--format json` prints it.
#[derive(Serialize)]
struct Inspected {
    file: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    sbom: Option<Sbom>,
    problems: Vec<Problem>,
}

fn inspect(args: InspectArgs) -> miette::Result<u8> {
    let mut results = Vec::new();
    for file in &args.files {
        results.push(inspect_one(file));
    }
    let failed = results.iter().any(|r| !r.ok);
    // Diagnostics go to stderr in every format, so that a JSON consumer still sees them
    // in a terminal; the JSON output carries them too.
    for (file, result) in args.files.iter().zip(&results) {
        render_problems(file, &result.problems);
    }
    match args.format {
        Format::Json => print_json(&results)?,
        Format::Table => {
            for r in results.iter() {
                if let Some(sbom) = &r.sbom {
                    print(&summary(&r.file, sbom).to_table()).map_err(crate::output::io_error)?;
                }
            }
        }
        Format::Markdown => {
            let mut text = String::new();
            for r in results.iter() {
                if let Some(sbom) = &r.sbom {
                    text.push_str(&format!("## {}\n\n", r.file));
                    text.push_str(&summary(&r.file, sbom).to_markdown());
                    text.push('\n');
                    text.push_str(&components(sbom).to_markdown());
                    text.push('\n');
                }
            }
            if !text.is_empty() {
                print(&text).map_err(crate::output::io_error)?;
            }
        }
    }
    for r in &results {
        let errors = r.problems.iter().filter(|p| p.is_error()).count();
        let warnings = r.problems.len() - errors;
        tracing::info!(file = %r.file, ok = r.ok, errors, warnings, "sbom read");
    }
    Ok(if failed { exit::BAD_INPUT } else { exit::OK })
}

fn inspect_one(file: &Path) -> Inspected {
    let name = file.display().to_string();
    // A file over the reader's limit is refused from its length, before it is read.
    let limit = reader::Limits::default().max_bytes;
    if let Some(size) = too_large(file, limit) {
        return Inspected {
            file: name,
            ok: false,
            sbom: None,
            problems: vec![io_problem(&std::io::Error::other(format!(
                "the file is {size} bytes, over the {limit}-byte limit for SBOMs"
            )))],
        };
    }
    let bytes = match read_limited(file, limit) {
        Ok(b) => b,
        Err(e) => {
            return Inspected {
                file: name,
                ok: false,
                sbom: None,
                problems: vec![io_problem(&e)],
            };
        }
    };
    match reader::read(&bytes) {
        Ok(reading) => Inspected {
            file: name,
            ok: true,
            sbom: Some(reading.sbom),
            problems: reading.warnings,
        },
        Err(e) => Inspected {
            file: name,
            ok: false,
            sbom: None,
            problems: e.problems(),
        },
    }
}

/// Reads a file named on the command line: only a regular file (a device such as
/// /dev/zero never ends, a FIFO may never deliver) and never past `limit` bytes (it may
/// grow while it is read).
pub(crate) fn read_limited(path: &Path, limit: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    if !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    let over = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    std::fs::File::open(path)?
        .take(over)
        .read_to_end(&mut bytes)?;
    if bytes.len() > limit {
        return Err(std::io::Error::other(format!(
            "over the {limit}-byte limit"
        )));
    }
    Ok(bytes)
}

/// The file's size when it is over `limit`.
pub(crate) fn too_large(file: &Path, limit: usize) -> Option<u64> {
    let size = std::fs::metadata(file).ok()?.len();
    (size > u64::try_from(limit).unwrap_or(u64::MAX)).then_some(size)
}

fn io_problem(e: &std::io::Error) -> Problem {
    let mut p = Problem::error(
        reader::ProblemKind::Syntax,
        "",
        format!("cannot read the file: {e}"),
    );
    // Not a problem in the document: shown with the general I/O code.
    p.code = "medsec::io";
    p
}

fn summary(file: &str, sbom: &Sbom) -> Rows {
    let mut rows = Rows::new(["field", "value"]);
    let m = &sbom.metadata;
    let subject = m.component.as_ref().map(|c| {
        let mut s = c.name.clone();
        if let Some(v) = &c.version {
            s.push_str(&format!(" {v}"));
        }
        s.push_str(&format!(" ({})", c.kind));
        s
    });
    let tools: Vec<String> = m
        .tools
        .iter()
        .map(|t| {
            [t.vendor.as_deref(), t.name.as_deref(), t.version.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let authors: Vec<String> = m
        .authors
        .iter()
        .filter_map(|a| a.name.clone().or(a.email.clone()))
        .chain(m.organizations.iter().filter_map(|o| o.name.clone()))
        .collect();
    let org = |o: &Option<medsec_core::component::Organization>| {
        o.as_ref().and_then(|o| o.name.clone()).unwrap_or_default()
    };
    let pairs: Vec<(&str, String)> = vec![
        ("file", file.to_owned()),
        ("format", sbom.format.to_string()),
        ("spec version", sbom.spec_version.clone()),
        ("encoding", sbom.encoding.to_string()),
        (
            "serial number / namespace",
            sbom.serial_number.clone().unwrap_or_default(),
        ),
        (
            "version",
            sbom.version.map(|v| v.to_string()).unwrap_or_default(),
        ),
        ("name", sbom.name.clone().unwrap_or_default()),
        ("subject", subject.unwrap_or_default()),
        ("supplier", org(&m.supplier)),
        ("manufacturer", org(&m.manufacturer)),
        ("timestamp", m.timestamp.clone().unwrap_or_default()),
        ("tools", tools.join(", ")),
        ("authors", authors.join(", ")),
        ("components", sbom.components.len().to_string()),
        (
            "dependencies",
            format!(
                "{} node(s), {} edge(s)",
                sbom.dependencies.len(),
                sbom.dependency_edge_count()
            ),
        ),
        ("sha256", sbom.original.sha256.clone()),
        ("size", format!("{} bytes", sbom.original.size)),
    ];
    for (k, v) in pairs {
        if !v.is_empty() {
            rows.push([k.to_owned(), v]);
        }
    }
    rows
}

fn components(sbom: &Sbom) -> Rows {
    let mut rows = Rows::new(["name", "version", "type", "purl", "licences"]);
    for c in &sbom.components {
        let name = match &c.group {
            Some(g) => format!("{g}/{}", c.name),
            None => c.name.clone(),
        };
        rows.push([
            name,
            c.version.clone().unwrap_or_default(),
            c.kind.to_string(),
            c.purl.as_ref().map(ToString::to_string).unwrap_or_default(),
            c.licences
                .iter()
                .map(|l| l.value.clone())
                .collect::<Vec<_>>()
                .join(", "),
        ]);
    }
    rows
}

/// Problems as annotated snippets of the file, on stderr.
fn render_problems(file: &Path, problems: &[Problem]) {
    if problems.is_empty() {
        return;
    }
    // The text is read again only when there is something to show, and never past the limit.
    let text = if too_large(file, reader::Limits::default().max_bytes).is_some() {
        String::new()
    } else {
        read_limited(file, reader::Limits::default().max_bytes)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    let source = NamedSource::new(file.display().to_string(), text);
    for p in problems {
        let d = SbomDiagnostic {
            problem: p.clone(),
            source: source.clone(),
        };
        eprintln!("{:?}", miette::Report::new(d));
    }
}

#[derive(Debug)]
struct SbomDiagnostic {
    problem: Problem,
    source: NamedSource<String>,
}

impl fmt::Display for SbomDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = &self.problem;
        // With a position the snippet names file, line and column; without one, say the file.
        match (p.offset, p.line, p.column) {
            (Some(o), _, _) if snippet_fits(self.source.inner(), o) => {}
            (_, Some(l), Some(c)) => write!(f, "{}:{l}:{c}: ", self.source.name())?,
            (Some(o), _, _) => write!(f, "{}, byte {o}: ", self.source.name())?,
            _ => write!(f, "{}: ", self.source.name())?,
        }
        if !p.path.is_empty() {
            write!(f, "{}: ", p.path)?;
        }
        f.write_str(&p.message)
    }
}

impl std::error::Error for SbomDiagnostic {}

impl miette::Diagnostic for SbomDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.problem.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.problem.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.problem
            .offset
            .filter(|o| snippet_fits(self.source.inner(), *o))
            .map(|_| &self.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let offset = self
            .problem
            .offset
            .filter(|o| snippet_fits(self.source.inner(), *o))?;
        let len = self.source.inner().len();
        let start = offset.min(len);
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some("here".to_owned()), start..start),
        )))
    }
}
