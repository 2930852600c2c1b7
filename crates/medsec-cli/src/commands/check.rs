use std::path::PathBuf;

use medsec_device::diagnostic::{Diagnostic, FileReport};
use medsec_device::{LoadError, load};

use crate::exit;
use crate::output::Format;

/// Check device files: YAML syntax, the schema, references between ids, vocabularies
/// and SBOM files. Every problem is reported with file, line and column. Exits 2 if any
/// file has an error; warnings alone exit 0.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Device files, or folders holding a device.yaml.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: Args) -> miette::Result<u8> {
    let mut reports = Vec::new();
    for file in &args.files {
        reports.push(check_one(file));
    }
    super::render_reports(&reports, args.format)?;
    let errors: usize = reports.iter().map(FileReport::error_count).sum();
    let warnings: usize = reports.iter().map(FileReport::warning_count).sum();
    if args.format == Format::Table {
        for report in &reports {
            let verdict = if report.has_errors() { "invalid" } else { "ok" };
            eprintln!(
                "{}: {verdict} ({} error(s), {} warning(s))",
                report.file.display(),
                report.error_count(),
                report.warning_count()
            );
        }
    }
    tracing::info!(errors, warnings, files = reports.len(), "check finished");
    Ok(if errors > 0 {
        exit::BAD_INPUT
    } else {
        exit::OK
    })
}

/// Load one file and turn every outcome, including an unreadable file, into a report.
pub fn check_one(file: &std::path::Path) -> FileReport {
    match load(file) {
        Ok(loaded) => loaded.report,
        Err(LoadError::Invalid(report)) => *report,
        Err(other) => {
            let path = medsec_device::check::resolve_device_path(file);
            let mut report = FileReport::new(&path, Default::default());
            report.push(Diagnostic::error("medsec::io", other.to_string()), 0..0);
            report
        }
    }
}
