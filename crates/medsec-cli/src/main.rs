//! `medsec`: medical-device cybersecurity from the threat model to post-market
//! monitoring. This binary only parses arguments, calls the library crates and
//! renders their results; the work happens in the crates.

mod commands;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::commands::{
    account, advisory, assess, audit, catalog, check, cpe, cvss, db, diagram, diff, evidence,
    import, init, portfolio, postmarket, purl, report, risk, rubric, sbom, scan, schema, selfsbom,
    serve, sign, threats, vocabulary,
};

// mimalloc: SBOMs and advisories are millions of small allocations; it frees them
// faster and fragments less than glibc's allocator (BENCHMARKS.md, "Formats", "Scan").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes, documented in README.md and `medsec --help`.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// Findings over the threshold the command was given.
    pub const FINDINGS: u8 = 1;
    /// Bad input or usage: an invalid file, a wrong argument, a missing file.
    pub const BAD_INPUT: u8 = 2;
}

#[derive(Debug, Parser)]
#[command(
    name = "medsec",
    version,
    about = "Cybersecurity of medical devices: threat model, risk, requirements, tests, SBOM monitoring",
    after_help = "Exit codes: 0 ok; 1 findings over a threshold (where a command has one); 2 bad input or usage.\n\
                  Logs go to stderr; set MEDSEC_LOG (e.g. MEDSEC_LOG=debug) for more."
)]
struct Cli {
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// More log output (-v info, -vv debug, -vvv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Local accounts, their roles in organisations, and API tokens (for `medsec serve`).
    Account(account::Args),
    /// Read security advisories (NVD API 2.0, CVE JSON 5, OSV, CSAF 2.0) and show what they say.
    Advisory(advisory::Args),
    /// Run the assessment of a device (its folder or its device.yaml).
    Assess(assess::Args),
    /// The audit trail of regulated records: verify the chain and the records, list it.
    Audit(audit::Args),
    /// Check device files and report every problem with its location.
    Check(check::Args),
    /// The regulatory clock of a finding (FDA postmarket, EU MDR/IVDR vigilance): decision support.
    Clock(postmarket::ClockArgs),
    /// The harmonised controls and the crosswalk: every clause each control satisfies.
    Controls(catalog::ControlsArgs),
    /// Gap analysis: per framework, which applicable clauses are covered, partly covered or open.
    Coverage(catalog::CoverageArgs),
    /// The offline vulnerability store: import, sync, stats, export.
    Db(db::Args),
    /// Draw the data-flow diagram (SVG, Mermaid or Graphviz DOT).
    Diagram(diagram::Args),
    /// Threats and risks added, removed and changed between two versions of a device.
    Diff(diff::Args),
    /// Record test results with evidence files; list a device's results; get a file back.
    Evidence(evidence::Args),
    /// Import a Threat Dragon or threagile model into a device.yaml.
    Import(import::Args),
    /// Parse CPE names: both bindings, the attributes, and matching relations.
    Cpe(cpe::Args),
    /// Score CVSS v2.0, v3.0, v3.1 and v4.0 vectors and explain each metric.
    Cvss(cvss::Args),
    /// Write a commented starting device.yaml.
    Init(init::Args),
    /// Monitor the portfolio: re-match the versions whose SBOMs or matching records changed.
    Monitor(portfolio::MonitorArgs),
    /// The product portfolio: organisations, products, versions, their SBOMs and findings.
    Portfolio(portfolio::PortfolioArgs),
    /// Parse and normalise package URLs.
    Purl(purl::Args),
    /// Ed25519 key pairs for signing report folders.
    Key(sign::KeyArgs),
    /// Sign every file of a report folder with an Ed25519 key (writes medsec-signature.json).
    Sign(sign::SignArgs),
    /// Check a signed report folder against a public key you trust.
    Verify(sign::VerifyArgs),
    /// Write the report of a device as a folder: self-contained HTML, PDF, Markdown, JSON, SVG figures.
    Report(report::Args),
    /// The requirements that apply to a device, per framework, and why.
    Requirements(catalog::RequirementsArgs),
    /// The FMEA register of a device: severity, exploitability, RPN, risk before and after controls.
    Risk(risk::Args),
    /// Apply the FDA/MITRE medical-device CVSS rubric (interactive or from an answers file).
    Rubric(rubric::Args),
    /// Read SBOMs (CycloneDX, SPDX): format, metadata, components, problems.
    Sbom(sbom::Args),
    /// medsec about itself: its own CycloneDX SBOM (`medsec self sbom`).
    #[command(name = "self")]
    SelfInfo(selfsbom::Args),
    /// Serve the REST API and the web interface (accounts, roles, organisation isolation, audit log).
    Serve(serve::Args),
    /// Scan an SBOM against the vulnerability store: findings as a table, JSON or SARIF.
    Scan(scan::Args),
    /// Print a JSON Schema (for editors and other tools).
    Schema(schema::Args),
    /// The security test plan of a device: tests, rigour, laboratory, threats and requirements verified.
    Testplan(catalog::TestplanArgs),
    /// STRIDE threats of a device, per element and per interaction, with their controls.
    Threats(threats::Args),
    /// Trace a finding through the device model: elements, threats, FMEA rows, patient harm.
    Trace(Box<postmarket::TraceArgs>),
    /// Record a triage decision (VEX state) for a finding of a product version.
    Triage(Box<portfolio::TriageArgs>),
    /// Export a product version's triage state as CycloneDX VEX, CSAF VEX or OpenVEX.
    Vex(portfolio::VexArgs),
    /// List the controlled vocabularies a device file draws on.
    Vocabulary(vocabulary::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.quiet, cli.verbose);
    let result = match cli.command {
        Command::Account(args) => account::run(args),
        Command::Advisory(args) => advisory::run(args),
        Command::Assess(args) => assess::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Check(args) => check::run(args),
        Command::Clock(args) => postmarket::run_clock(args),
        Command::Controls(args) => catalog::run_controls(args),
        Command::Coverage(args) => catalog::run_coverage(args),
        Command::Db(args) => db::run(args, cli.quiet),
        Command::Cpe(args) => cpe::run(args),
        Command::Cvss(args) => cvss::run(args),
        Command::Diagram(args) => diagram::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Evidence(args) => evidence::run(args),
        Command::Import(args) => import::run(args),
        Command::Init(args) => init::run(args),
        Command::Monitor(args) => portfolio::run_monitor(args),
        Command::Portfolio(args) => portfolio::run_portfolio(args),
        Command::Purl(args) => purl::run(args),
        Command::Report(args) => report::run(args),
        Command::Key(args) => sign::run_key(args),
        Command::Sign(args) => sign::run_sign(args),
        Command::Verify(args) => sign::run_verify(args),
        Command::Requirements(args) => catalog::run_requirements(args),
        Command::Risk(args) => risk::run(args),
        Command::Rubric(args) => rubric::run(args),
        Command::Sbom(args) => sbom::run(args),
        Command::Scan(args) => scan::run(args),
        Command::SelfInfo(args) => selfsbom::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Testplan(args) => catalog::run_testplan(args),
        Command::Threats(args) => threats::run(args),
        Command::Trace(args) => postmarket::run_trace(*args),
        Command::Triage(args) => portfolio::run_triage(*args),
        Command::Vex(args) => portfolio::run_vex(args),
        Command::Vocabulary(args) => vocabulary::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) if output::is_broken_pipe(&error) => ExitCode::from(exit::OK),
        Err(error) => {
            eprintln!("{error:?}");
            ExitCode::from(exit::BAD_INPUT)
        }
    }
}

fn init_logging(quiet: bool, verbose: u8) {
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("MEDSEC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .init();
}
