//! The `medsec-synth` command: writes full-scale benchmark data (see the crate README).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use medsec_synth::{Error, feeds, nvd, sbom, stats, update};

#[derive(Parser)]
#[command(
    name = "medsec-synth",
    version,
    about = "Deterministic full-scale benchmark data: NVD API 2.0 pages, an 8-day update, CycloneDX SBOMs, a KEV catalog, EPSS scores"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// NVD CVE API 2.0 response pages (nvdcve-2.0-NNNNN.json) and a manifest.
    Nvd {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 400_000)]
        cves: usize,
        #[arg(long = "cpe-matches", default_value_t = 1_500_000)]
        cpe_matches: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long = "page-size", default_value_t = 2000)]
        page_size: usize,
        #[arg(long)]
        gzip: bool,
    },
    /// An update of `--days` days to a set written by `nvd` (new and modified CVEs).
    Update {
        #[arg(long)]
        base: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 8)]
        days: u32,
        /// Seed of the update's own choices (the base's seed decides the CVEs).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// CycloneDX 1.6 JSON SBOMs of medical-device software (`--out` ending in .json
    /// with `--count 1` writes one file).
    Sbom {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 2000)]
        count: usize,
        #[arg(long, default_value_t = 500)]
        components: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value = "cyclonedx")]
        format: String,
    },
    /// A CISA KEV catalog (JSON) of the CVEs an `nvd` set marks as known exploited.
    Kev {
        #[arg(long)]
        out: PathBuf,
        /// An `nvd` output directory whose manifest gives the parameters.
        #[arg(long)]
        nvd: Option<PathBuf>,
        #[arg(long, default_value_t = 400_000)]
        cves: usize,
        #[arg(long = "cpe-matches", default_value_t = 1_500_000)]
        cpe_matches: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// An EPSS CSV with one row per published (not rejected) CVE of an `nvd` set.
    Epss {
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        nvd: Option<PathBuf>,
        #[arg(long, default_value_t = 400_000)]
        cves: usize,
        #[arg(long = "cpe-matches", default_value_t = 1_500_000)]
        cpe_matches: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Reads generated data back with medsec's readers: every page, every SBOM, and the
    /// share of SBOM components that the CVEs affect.
    Check {
        #[arg(long)]
        nvd: PathBuf,
        #[arg(long)]
        sboms: Option<PathBuf>,
        /// Read at most this many SBOMs.
        #[arg(long, default_value_t = 200)]
        max_sboms: usize,
    },
}

fn options(
    nvd_dir: &Option<PathBuf>,
    cves: usize,
    cpe_matches: u64,
    seed: u64,
) -> Result<nvd::NvdOptions, Error> {
    match nvd_dir {
        Some(dir) => Ok(nvd::read_manifest(dir)?.options),
        None => Ok(nvd::NvdOptions {
            cves,
            cpe_matches,
            seed,
            ..nvd::NvdOptions::default()
        }),
    }
}

fn run(cli: Cli) -> Result<(), Error> {
    let started = Instant::now();
    let report = match cli.command {
        Command::Nvd {
            out,
            cves,
            cpe_matches,
            seed,
            page_size,
            gzip,
        } => {
            let opts = nvd::NvdOptions {
                cves,
                cpe_matches,
                seed,
                page_size,
                gzip,
            };
            let s = nvd::generate(&out, &opts)?;
            let exact = if s.cpe_matches == s.requested_cpe_matches {
                "exact".to_owned()
            } else {
                format!(
                    "{:+.3} % of the {} requested",
                    (s.cpe_matches as f64 / s.requested_cpe_matches.max(1) as f64 - 1.0) * 100.0,
                    s.requested_cpe_matches
                )
            };
            format!(
                "{}: {} files, {} CVEs ({} rejected, {} KEV, {} with an AND configuration), {} cpeMatch entries ({exact}), {} JSON bytes, {} bytes on disk",
                out.display(),
                s.files,
                s.cves,
                s.rejected,
                s.kev,
                s.with_and_configuration,
                s.cpe_matches,
                s.json_bytes,
                s.file_bytes
            )
        }
        Command::Update {
            base,
            out,
            days,
            seed,
        } => {
            let s = update::generate(&base, &out, days, seed)?;
            format!(
                "{}: {} files, {} CVEs ({} new, {} modified, of which {} newly analysed, {} newly rejected, {} newly KEV), {} cpeMatch entries, {} JSON bytes",
                out.display(),
                s.files,
                s.cves,
                s.new,
                s.modified,
                s.newly_analysed,
                s.newly_rejected,
                s.newly_kev,
                s.cpe_matches,
                s.json_bytes
            )
        }
        Command::Sbom {
            out,
            count,
            components,
            seed,
            format,
        } => {
            if format != "cyclonedx" {
                return Err(Error::Invalid(format!(
                    "--format {format:?}: only cyclonedx is written"
                )));
            }
            let s = sbom::generate(&out, count, components, seed)?;
            format!(
                "{}: {} SBOMs, {} components ({} from the CVE pool, {} with a CPE, {} without a purl), {} bytes",
                out.display(),
                s.sboms,
                s.components,
                s.from_pool,
                s.with_cpe,
                s.without_purl,
                s.bytes
            )
        }
        Command::Kev {
            out,
            nvd,
            cves,
            cpe_matches,
            seed,
        } => {
            let opts = options(&nvd, cves, cpe_matches, seed)?;
            let n = feeds::kev(&out, &opts)?;
            format!("{}: {n} KEV entries", out.display())
        }
        Command::Epss {
            out,
            nvd,
            cves,
            cpe_matches,
            seed,
        } => {
            let opts = options(&nvd, cves, cpe_matches, seed)?;
            let n = feeds::epss(&out, &opts)?;
            format!("{}: {n} EPSS rows", out.display())
        }
        Command::Check {
            nvd,
            sboms,
            max_sboms,
        } => {
            let r = stats::check(&nvd, sboms.as_deref(), max_sboms)?;
            serde_json::to_string_pretty(&r).map_err(Error::Json)?
        }
    };
    // A closed pipe (`| head`) is not an error worth a panic.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{report}");
    let _ = writeln!(out, "took {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("medsec-synth: {e}");
            ExitCode::from(2)
        }
    }
}
