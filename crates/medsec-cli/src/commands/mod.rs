//! One module per subcommand: its arguments and what it does.

pub mod account;
pub mod advisory;
pub mod assess;
pub mod audit;
pub mod backup;
pub mod catalog;
pub mod check;
pub mod cpe;
pub mod cvss;
pub mod db;
pub mod diagram;
pub mod diff;
pub mod evidence;
pub mod import;
pub mod init;
pub mod input_error;
pub mod portfolio;
pub mod postmarket;
pub mod purl;
pub mod report;
pub mod risk;
pub mod rubric;
pub mod sbom;
pub mod scan;
pub mod schema;
pub mod selfsbom;
pub mod serve;
pub mod sign;
pub mod store;
pub mod threats;
pub mod vocabulary;

use std::path::Path;

use medsec_device::diagnostic::FileReport;
use medsec_device::{LoadError, LoadedDevice};

use crate::output::{Format, Rows, print, print_json};

/// Show the diagnostics of checked files in the chosen format. In table format they go
/// to stderr as annotated snippets; JSON and Markdown go to stdout for tools and documents.
pub fn render_reports(reports: &[FileReport], format: Format) -> miette::Result<()> {
    match format {
        Format::Table => {
            for report in reports {
                for diagnostic in report.renderable() {
                    eprintln!("{:?}", miette::Report::new(diagnostic));
                }
            }
            Ok(())
        }
        Format::Json => print_json(reports),
        Format::Markdown => {
            let mut rows = Rows::new(["file:line:column", "level", "code", "message", "help"]);
            for report in reports {
                for d in &report.diagnostics {
                    rows.push([
                        format!("{}:{}:{}", report.file.display(), d.line, d.column),
                        format!("{:?}", d.level).to_lowercase(),
                        d.code.to_owned(),
                        d.message.clone(),
                        d.help.clone().unwrap_or_default(),
                    ]);
                }
            }
            print(&rows.to_markdown()).map_err(crate::output::io_error)
        }
    }
}

/// Loads and checks a device (its folder or its device.yaml). Errors are shown with their
/// locations and give `Err(exit code)`; warnings are shown and the device is returned.
pub fn load_device(path: &Path) -> miette::Result<Result<LoadedDevice, u8>> {
    let loaded = match medsec_device::load(path) {
        Ok(loaded) => loaded,
        Err(LoadError::Invalid(report)) => {
            render_reports(std::slice::from_ref(&*report), Format::Table)?;
            eprintln!(
                "{}: invalid ({} error(s)); fix them and run again",
                report.file.display(),
                report.error_count()
            );
            return Ok(Err(crate::exit::BAD_INPUT));
        }
        Err(other) => return Err(miette::miette!("{other}")),
    };
    if loaded.report.warning_count() > 0 {
        render_reports(std::slice::from_ref(&loaded.report), Format::Table)?;
    }
    Ok(Ok(loaded))
}

/// Shows a refusal of bad input as a diagnostic with its code, and gives exit code 2.
pub fn refuse(code: &'static str, message: String) -> u8 {
    let diagnostic = miette::MietteDiagnostic::new(message).with_code(code);
    eprintln!("{:?}", miette::Report::new(diagnostic));
    crate::exit::BAD_INPUT
}
