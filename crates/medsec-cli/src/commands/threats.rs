//! `medsec threats DEVICE`: STRIDE threats per element and per interaction, with the
//! controls of the model that mitigate them. Shares its options, loading and output
//! helpers with `medsec risk`.

use std::path::PathBuf;

use clap::ValueEnum;
use medsec_device::LoadedDevice;
use medsec_device::model::Stride;
use medsec_threat::fmea::{Register, RiskLevel};
use medsec_threat::{Catalogue, Policy, Threat, ThreatModel, analyse, register};
use serde::Serialize;

use crate::exit;
use crate::output::{Rows, print, print_json};

/// Output formats of the threat and risk commands: the shared three plus CSV, since
/// FMEA registers live in spreadsheets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for people.
    #[default]
    Table,
    /// JSON for programs.
    Json,
    /// Comma-separated values (RFC 4180) for spreadsheets.
    Csv,
    /// Markdown for documents and pull requests.
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StrideArg {
    Spoofing,
    Tampering,
    Repudiation,
    InformationDisclosure,
    DenialOfService,
    ElevationOfPrivilege,
}

impl StrideArg {
    fn stride(self) -> Stride {
        match self {
            StrideArg::Spoofing => Stride::Spoofing,
            StrideArg::Tampering => Stride::Tampering,
            StrideArg::Repudiation => Stride::Repudiation,
            StrideArg::InformationDisclosure => Stride::InformationDisclosure,
            StrideArg::DenialOfService => Stride::DenialOfService,
            StrideArg::ElevationOfPrivilege => Stride::ElevationOfPrivilege,
        }
    }
}

/// A risk threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Threshold {
    Acceptable,
    AlarpReview,
    Unacceptable,
}

impl Threshold {
    pub fn level(self) -> RiskLevel {
        match self {
            Threshold::Acceptable => RiskLevel::Acceptable,
            Threshold::AlarpReview => RiskLevel::AlarpReview,
            Threshold::Unacceptable => RiskLevel::Unacceptable,
        }
    }
}

/// Options shared by `medsec threats` and `medsec risk`.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// The device folder, or its device.yaml.
    pub device: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Only these STRIDE categories (repeatable).
    #[arg(long, value_enum)]
    pub stride: Vec<StrideArg>,
    /// Only threats no control of the model mitigates.
    #[arg(long)]
    pub unmitigated: bool,
    /// Only rows whose residual risk is at least this level (rows without a declared
    /// harm, "not-assessed", are then left out).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub min_risk: Option<Threshold>,
    /// Exit 1 when any residual risk of the device (before filters) is at least this level.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<Threshold>,
    /// A folder of project rule files (*.yaml) added to the built-in catalogue (repeatable).
    #[arg(long, value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// A risk policy file instead of the built-in default (see
    /// crates/medsec-threat/policy/default-risk-policy.yaml).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

/// List the STRIDE threats of a device (its folder or its device.yaml).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: Common,
}

/// What a command needs: the checked device, the rules and the policy.
pub struct Inputs {
    pub loaded: LoadedDevice,
    pub catalogue: Catalogue,
    pub policy: Policy,
}

/// Load the device, rules and policy; on bad input, report it and give the exit code.
pub fn prepare(common: &Common) -> miette::Result<Result<Inputs, u8>> {
    let loaded = match super::load_device(&common.device)? {
        Ok(loaded) => loaded,
        Err(code) => return Ok(Err(code)),
    };
    let (catalogue, policy) =
        match rules_and_policy(&loaded, &common.rules, common.policy.as_ref())? {
            Ok(x) => x,
            Err(code) => return Ok(Err(code)),
        };
    Ok(Ok(Inputs {
        loaded,
        catalogue,
        policy,
    }))
}

/// The built-in threat rules with a project's rule folders (checked against the device's
/// vocabulary), and the risk policy (the built-in one unless a file is given).
pub fn rules_and_policy(
    loaded: &LoadedDevice,
    rules: &[PathBuf],
    policy: Option<&PathBuf>,
) -> miette::Result<Result<(Catalogue, Policy), u8>> {
    let mut catalogue = Catalogue::builtin()
        .map_err(|e| miette::miette!(code = "medsec::internal", "built-in threat rules: {e}"))?;
    for dir in rules {
        if let Err(error) = catalogue.load_dir(dir) {
            report("medsec::threat::rules", error.to_string());
            return Ok(Err(exit::BAD_INPUT));
        }
    }
    let problems = catalogue.validate(Some(&loaded.device.vocabulary));
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        report(
            "medsec::threat::rules",
            format!(
                "{} problem(s) in the threat rules:\n{}",
                problems.len(),
                list.join("\n")
            ),
        );
        return Ok(Err(exit::BAD_INPUT));
    }
    let policy = match policy {
        None => Policy::default_policy()
            .map_err(|e| miette::miette!(code = "medsec::internal", "built-in risk policy: {e}"))?,
        Some(path) => match Policy::load(path) {
            Ok(policy) => policy,
            Err(error) => {
                report("medsec::threat::policy", error.to_string());
                return Ok(Err(exit::BAD_INPUT));
            }
        },
    };
    Ok(Ok((catalogue, policy)))
}

fn report(code: &'static str, message: String) {
    let diagnostic = miette::MietteDiagnostic::new(message).with_code(code);
    eprintln!("{:?}", miette::Report::new(diagnostic));
}

/// Whether a row passes the filters.
pub fn keep(common: &Common, stride: Stride, mitigated: bool, residual: RiskLevel) -> bool {
    (common.stride.is_empty() || common.stride.iter().any(|s| s.stride() == stride))
        && (!common.unmitigated || !mitigated)
        && common
            .min_risk
            .is_none_or(|min| residual != RiskLevel::NotAssessed && residual >= min.level())
}

/// The exit code for `--fail-on`, judged on every row of the device.
pub fn exit_code(common: &Common, register: &Register<'_>) -> u8 {
    match common.fail_on {
        Some(threshold)
            if register.rows.iter().any(|r| {
                r.residual_risk != RiskLevel::NotAssessed && r.residual_risk >= threshold.level()
            }) =>
        {
            exit::FINDINGS
        }
        _ => exit::OK,
    }
}

#[derive(Serialize)]
struct ThreatsOutput<'a> {
    device_file: String,
    device: &'a str,
    version: &'a str,
    rules_in_catalogue: usize,
    threats_total: usize,
    threats_shown: usize,
    by_stride: Vec<StrideCount>,
    unmatched_mitigations: &'a [medsec_threat::engine::UnmatchedMitigation<'a>],
    threats: Vec<&'a Threat<'a>>,
}

#[derive(Serialize)]
pub struct StrideCount {
    pub stride: Stride,
    pub threats: usize,
    pub unmitigated: usize,
}

pub fn stride_counts(model: &ThreatModel<'_>) -> Vec<StrideCount> {
    model
        .counts_by_stride()
        .into_iter()
        .map(|(stride, threats, unmitigated)| StrideCount {
            stride,
            threats,
            unmitigated,
        })
        .collect()
}

pub fn run(args: Args) -> miette::Result<u8> {
    let common = &args.common;
    let inputs = match prepare(common)? {
        Ok(inputs) => inputs,
        Err(code) => return Ok(code),
    };
    let model = analyse(&inputs.loaded, &inputs.catalogue);
    let register = register(&model, &inputs.policy);
    let shown: Vec<(&Threat<'_>, RiskLevel)> = model
        .threats
        .iter()
        .zip(&register.rows)
        .filter(|(t, r)| keep(common, t.stride(), t.mitigated(), r.residual_risk))
        .map(|(t, r)| (t, r.residual_risk))
        .collect();
    let device = &inputs.loaded.device;
    match common.format {
        Format::Json => print_json(&ThreatsOutput {
            device_file: inputs.loaded.path.display().to_string(),
            device: &device.device.name,
            version: &device.device.version,
            rules_in_catalogue: model.rules_in_catalogue,
            threats_total: model.threats.len(),
            threats_shown: shown.len(),
            by_stride: stride_counts(&model),
            unmatched_mitigations: &model.unmatched_mitigations,
            threats: shown.iter().map(|(t, _)| *t).collect(),
        })?,
        format => {
            let mut rows = Rows::new([
                "threat",
                "STRIDE",
                "target",
                "title",
                "worst harm",
                "mitigated by",
                "residual risk",
            ]);
            for (threat, residual) in &shown {
                rows.push([
                    threat.id.clone(),
                    threat.stride().as_str().to_owned(),
                    format!("{} ({})", threat.target.id(), threat.target.kind()),
                    threat.rule.title.clone(),
                    threat.worst_harm.as_ref().map_or_else(
                        || "-".to_owned(),
                        |h| {
                            format!(
                                "{} ({} of {})",
                                h.severity.as_str(),
                                h.property.as_str(),
                                h.asset
                            )
                        },
                    ),
                    if threat.mitigated() {
                        threat.mitigated_by.join(", ")
                    } else {
                        "UNMITIGATED".to_owned()
                    },
                    residual.as_str().to_owned(),
                ]);
            }
            let text = match format {
                Format::Csv => to_csv(&rows),
                Format::Markdown => format!(
                    "# {} {} — threats\n\n{}\n{}",
                    device.device.name,
                    device.device.version,
                    summary_line(&model, shown.len()),
                    rows.to_markdown()
                ),
                _ => format!("{}\n{}", rows.to_table(), summary_line(&model, shown.len())),
            };
            print(&text).map_err(crate::output::io_error)?;
        }
    }
    Ok(exit_code(common, &register))
}

fn summary_line(model: &ThreatModel<'_>, shown: usize) -> String {
    format!(
        "{} threats ({} unmitigated) from {} rules; {} shown\n",
        model.threats.len(),
        model.unmitigated(),
        model.rules_in_catalogue,
        shown
    )
}

/// RFC 4180 CSV: every field quoted when it holds a comma, quote or line break.
pub fn to_csv(rows: &Rows) -> String {
    let field = |cell: &str| {
        if cell.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", cell.replace('"', "\"\""))
        } else {
            cell.to_owned()
        }
    };
    let mut out = String::new();
    for line in std::iter::once(&rows.header).chain(rows.rows.iter()) {
        out.push_str(&line.iter().map(|c| field(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}
