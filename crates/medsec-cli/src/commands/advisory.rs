//! `medsec advisory inspect`: read advisory documents (NVD CVE API 2.0, CVE JSON 5,
//! OSV, CSAF 2.0) and show what medsec understood, or every problem with its place.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use medsec_core::advisory::{Advisory, Package, Severity, SeverityKind, Source, VersionRange};
use medsec_formats::advisory::{Document, Level, Problem, ReadOptions, codes, read};
use miette::{LabeledSpan, NamedSource, SourceCode};
use serde::Serialize;

use super::input_error::snippet_fits;
use crate::exit;
use crate::output::{Format, Rows, io_error, print, print_json};

/// Read security advisories and show what they say.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Show format, ids, dates, severities, CWEs and affected products of advisory files
    /// (NVD CVE API 2.0 JSON, CVE JSON 5, OSV JSON/YAML, CSAF 2.0). Exits 2 if any file
    /// is invalid; warnings alone exit 0.
    Inspect(InspectArgs),
}

#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// Advisory files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: Args) -> miette::Result<u8> {
    match args.command {
        Command::Inspect(args) => inspect(args),
    }
}

/// One file's outcome, as `--format json` prints it.
#[derive(Serialize)]
struct Outcome {
    file: PathBuf,
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    document: Option<Document>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    problems: Vec<Problem>,
    #[serde(skip)]
    text: Arc<String>,
}

fn read_one(path: &Path) -> Outcome {
    // A file over the reader's limit is refused from its length, before it is read.
    let limit = ReadOptions::default().max_bytes;
    if let Some(size) = super::sbom::too_large(path, limit) {
        return Outcome {
            file: path.to_path_buf(),
            valid: false,
            document: None,
            problems: vec![Problem::error(
                codes::IO,
                "",
                format!(
                    "{} is {size} bytes, over the {limit}-byte limit for advisories",
                    path.display()
                ),
            )],
            text: Arc::new(String::new()),
        };
    }
    let bytes = match super::sbom::read_limited(path, limit) {
        Ok(b) => b,
        Err(e) => {
            return Outcome {
                file: path.to_path_buf(),
                valid: false,
                document: None,
                problems: vec![Problem::error(
                    codes::IO,
                    "",
                    format!("cannot read {}: {e}", path.display()),
                )],
                text: Arc::new(String::new()),
            };
        }
    };
    let text = Arc::new(String::from_utf8_lossy(&bytes).into_owned());
    let options = ReadOptions {
        file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
        ..ReadOptions::default()
    };
    match read(&bytes, &options) {
        Ok(mut document) => {
            let problems = std::mem::take(&mut document.warnings);
            Outcome {
                file: path.to_path_buf(),
                valid: true,
                document: Some(document),
                problems,
                text,
            }
        }
        Err(e) => Outcome {
            file: path.to_path_buf(),
            valid: false,
            document: None,
            problems: e.problems(),
            text,
        },
    }
}

fn inspect(args: InspectArgs) -> miette::Result<u8> {
    let outcomes: Vec<Outcome> = args.files.iter().map(|f| read_one(f)).collect();
    match args.format {
        Format::Json => print_json(&outcomes)?,
        Format::Table | Format::Markdown => {
            let markdown = args.format == Format::Markdown;
            let mut text = String::new();
            for o in &outcomes {
                if let Some(d) = &o.document {
                    text.push_str(&describe(&o.file, d, markdown));
                }
            }
            if !text.is_empty() {
                print(&text).map_err(io_error)?;
            }
        }
    }
    // Problems go to stderr as located snippets, whatever the format (JSON carries
    // them in its output too).
    for o in &outcomes {
        for p in &o.problems {
            eprintln!("{:?}", miette::Report::new(Located::new(o, p)));
        }
        if args.format != Format::Json {
            let errors = o
                .problems
                .iter()
                .filter(|p| p.level == Level::Error)
                .count();
            let warnings = o.problems.len() - errors;
            let verdict = if o.valid { "ok" } else { "invalid" };
            eprintln!(
                "{}: {verdict} ({errors} error(s), {warnings} warning(s))",
                o.file.display()
            );
        }
    }
    Ok(if outcomes.iter().all(|o| o.valid) {
        exit::OK
    } else {
        exit::BAD_INPUT
    })
}

fn render(rows: &Rows, markdown: bool) -> String {
    if markdown {
        rows.to_markdown()
    } else {
        rows.to_table()
    }
}

fn describe(file: &Path, d: &Document, markdown: bool) -> String {
    let mut out = String::new();
    let mut head = Rows::new(["document", "value"]);
    head.push(["file".to_owned(), file.display().to_string()]);
    head.push(["format".to_owned(), d.format.to_string()]);
    head.push([
        "spec version".to_owned(),
        d.spec_version.clone().unwrap_or_else(|| "-".into()),
    ]);
    if let Some(id) = &d.document_id {
        head.push(["document id".to_owned(), id.clone()]);
    }
    head.push(["advisories".to_owned(), d.advisories.len().to_string()]);
    out.push_str(&render(&head, markdown));
    out.push('\n');
    for a in &d.advisories {
        out.push_str(&render(&summary(a), markdown));
        out.push('\n');
        if !a.affected.is_empty() {
            out.push_str(&render(&affected(a), markdown));
            out.push('\n');
        }
    }
    out
}

fn summary(a: &Advisory) -> Rows {
    let mut rows = Rows::new(["advisory", a.id.as_str()]);
    rows.push(["source".to_owned(), source(&a.source)]);
    if !a.aliases.is_empty() {
        rows.push([
            "aliases".to_owned(),
            a.aliases
                .iter()
                .map(|x| x.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ]);
    }
    fn ts<T: ToString>(t: &Option<T>) -> String {
        t.as_ref()
            .map_or_else(|| "-".to_owned(), ToString::to_string)
    }
    rows.push(["published".to_owned(), ts(&a.published)]);
    rows.push(["modified".to_owned(), ts(&a.modified)]);
    if let Some(w) = &a.withdrawn {
        rows.push([
            "withdrawn".to_owned(),
            format!("{} {}", ts(&w.at), w.reason.clone().unwrap_or_default())
                .trim()
                .to_owned(),
        ]);
    }
    if let Some(t) = &a.title {
        rows.push(["title".to_owned(), t.clone()]);
    }
    for s in &a.severities {
        rows.push(["severity".to_owned(), severity(s)]);
    }
    if !a.cwes.is_empty() {
        rows.push(["CWE".to_owned(), a.cwes.join(", ")]);
    }
    if a.known_exploited.is_some() {
        rows.push(["known exploited".to_owned(), "yes (CISA KEV)".to_owned()]);
    }
    if !a.configurations.is_empty() {
        let ands = a
            .configurations
            .iter()
            .filter(|c| c.operator == medsec_core::advisory::Operator::And)
            .count();
        rows.push([
            "configurations".to_owned(),
            format!("{} ({ands} AND)", a.configurations.len()),
        ]);
    }
    if !a.remediations.is_empty() {
        rows.push(["remediations".to_owned(), a.remediations.len().to_string()]);
    }
    rows.push(["references".to_owned(), a.references.len().to_string()]);
    rows
}

fn source(s: &Source) -> String {
    match s {
        Source::Nvd { status, .. } => format!("NVD ({})", status.as_deref().unwrap_or("-")),
        Source::Cve5 {
            state,
            assigner_short_name,
            ..
        } => format!(
            "CVE 5, {state}, CNA {}",
            assigner_short_name.as_deref().unwrap_or("-")
        ),
        Source::Osv { database } => format!("OSV ({})", database.as_deref().unwrap_or("-")),
        Source::Csaf {
            tracking_id,
            publisher,
            vulnerability_index,
            ..
        } => format!("CSAF {tracking_id} by {publisher}, vulnerability {vulnerability_index}"),
        other => other.name().to_owned(),
    }
}

fn severity(s: &Severity) -> String {
    let by = format!(
        "{:?}{}",
        s.scored_by.role,
        s.scored_by
            .name
            .as_deref()
            .map(|n| format!(" {n}"))
            .unwrap_or_default()
    );
    match &s.kind {
        SeverityKind::Cvss(c) => {
            let computed = c
                .computed_base_score
                .map_or_else(|| "?".to_owned(), |v| format!("{v:.1}"));
            let stated = match c.stated_base_score {
                Some(v) if c.computed_base_score.is_some_and(|x| (x - v).abs() > 0.05) => {
                    format!(" (stated {v:.1}: mismatch)")
                }
                _ => String::new(),
            };
            format!("CVSS {} {computed}{stated} {} — {by}", c.version, c.vector)
        }
        SeverityKind::Qualitative { scheme, rating } => format!(
            "{rating} ({}) — {by}",
            scheme.as_deref().unwrap_or("qualitative")
        ),
        _ => by,
    }
}

fn package(p: &Package) -> String {
    match p {
        Package::Purl { purl } => purl.to_string(),
        Package::Cpe { cpe, .. } => cpe.to_formatted_string(),
        Package::Ecosystem {
            ecosystem, name, ..
        } => format!("{ecosystem}/{name}"),
        Package::VendorProduct(v) => {
            let base = match (&v.vendor, &v.product, &v.package_name) {
                (Some(vendor), Some(product), _) => format!("{vendor} {product}"),
                (_, _, Some(package)) => package.clone(),
                (vendor, product, _) => format!(
                    "{} {}",
                    vendor.as_deref().unwrap_or(""),
                    product.as_deref().unwrap_or("")
                ),
            };
            base.trim().to_owned()
        }
        Package::CsafProduct(c) => format!("{} [{}]", c.name, c.product_id),
        Package::Repository { url } => url.clone(),
        _ => "?".to_owned(),
    }
}

fn ranges(list: &[VersionRange]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn affected(a: &Advisory) -> Rows {
    let mut rows = Rows::new(["product", "status", "versions", "ranges"]);
    for af in &a.affected {
        let mut versions = af.versions.join(", ");
        if versions.is_empty() && af.ranges.is_empty() {
            versions = "(all)".to_owned();
        }
        let mut status = af.status.to_string();
        if let Some(d) = af.default_status {
            status.push_str(&format!(" (default {d})"));
        }
        rows.push([package(&af.what), status, versions, ranges(&af.ranges)]);
    }
    rows
}

/// A problem shown as miette renders it: code, message, snippet with a label.
#[derive(Debug)]
struct Located {
    problem: Problem,
    file: PathBuf,
    source: NamedSource<Arc<String>>,
    offset: Option<usize>,
}

impl Located {
    fn new(o: &Outcome, p: &Problem) -> Self {
        let offset = p.offset.or_else(|| match (p.line, p.column) {
            (Some(line), Some(column)) => offset_of(&o.text, line, column),
            _ => None,
        });
        Located {
            problem: p.clone(),
            file: o.file.clone(),
            source: NamedSource::new(o.file.display().to_string(), o.text.clone()),
            offset,
        }
    }
}

/// Byte offset of a 1-based line and column (characters).
fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let start = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2).map(|(i, _)| i + 1)?
    };
    let rest = text.get(start..)?;
    let within = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(rest.len(), |(i, _)| i);
    Some(start + within)
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let (Some(l), Some(c)) = (self.problem.line, self.problem.column) {
            write!(f, ":{l}:{c}")?;
        }
        if !self.problem.pointer.is_empty() {
            write!(f, " ({})", self.problem.pointer)?;
        }
        write!(f, ": {}", self.problem.message)
    }
}

impl std::error::Error for Located {}

impl miette::Diagnostic for Located {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.problem.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.problem.level {
            Level::Error => miette::Severity::Error,
            Level::Warning => miette::Severity::Warning,
        })
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.offset
            .filter(|o| snippet_fits(self.source.inner(), *o))
            .map(|_| &self.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let offset = self
            .offset
            .filter(|o| snippet_fits(self.source.inner(), *o))?;
        let len = self.source.inner().len();
        let start = offset.min(len);
        let end = self.source.inner()[start..]
            .find(['\n', ','])
            .map_or(len, |i| start + i.max(1));
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some("here".to_owned()), start..end),
        )))
    }
}
