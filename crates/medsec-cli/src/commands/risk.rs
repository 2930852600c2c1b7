//! `medsec risk DEVICE`: the FMEA register, one row per threat, scored with the risk
//! policy (severity, exploitability, detectability, RPN, risk before and after the
//! controls of the model, safety flag).

use medsec_threat::fmea::RiskRow;
use medsec_threat::{analyse, register};
use serde::Serialize;

use super::threats::{Common, Format, keep, prepare, to_csv};
use crate::output::{Rows, print, print_json};

/// The FMEA register of a device (its folder or its device.yaml).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: Common,
    /// Apply the device's recorded test results from the store: rows whose threat a
    /// failed test verifies are reopened (their controls no longer count).
    #[arg(long)]
    pub test_results: bool,
    #[command(flatten)]
    pub store: super::store::StoreArgs,
    /// The test policy the plan linking tests to threats is made with (with
    /// --test-results).
    #[arg(long, value_name = "FILE", requires = "test_results")]
    pub test_policy: Option<std::path::PathBuf>,
}

#[derive(Serialize)]
struct RiskOutput<'a> {
    device_file: String,
    device: &'a str,
    version: &'a str,
    policy: &'a str,
    rows_total: usize,
    rows_shown: usize,
    safety_rows: usize,
    /// `[level, before controls, after controls]`.
    risk_levels: Vec<(&'static str, usize, usize)>,
    rows: Vec<&'a RiskRow<'a>>,
}

pub fn run(args: Args) -> miette::Result<u8> {
    let common = &args.common;
    let inputs = match prepare(common)? {
        Ok(inputs) => inputs,
        Err(code) => return Ok(code),
    };
    let model = analyse(&inputs.loaded, &inputs.catalogue);
    let mut register = register(&model, &inputs.policy);
    if args.test_results {
        let (catalog, test_policy) =
            match super::catalog::load_catalog(&[], args.test_policy.as_ref())? {
                Ok(x) => x,
                Err(code) => return Ok(code),
            };
        let results = super::catalog::read_results(&args.store, &inputs.loaded.device)?;
        let plan = medsec_catalog::plan::plan(
            &catalog,
            &test_policy,
            &inputs.loaded.device,
            &model,
            &register,
            &results,
        );
        medsec_catalog::results::reopen_failed(&mut register, &plan);
    }
    let shown: Vec<&RiskRow<'_>> = register
        .rows
        .iter()
        .filter(|r| keep(common, r.stride, !r.controls.is_empty(), r.residual_risk))
        .collect();
    let device = &inputs.loaded.device;
    let levels: Vec<(&'static str, usize, usize)> = register
        .counts()
        .into_iter()
        .map(|(level, before, after)| (level.as_str(), before, after))
        .collect();
    match common.format {
        Format::Json => print_json(&RiskOutput {
            device_file: inputs.loaded.path.display().to_string(),
            device: &device.device.name,
            version: &device.device.version,
            policy: register.policy,
            rows_total: register.rows.len(),
            rows_shown: shown.len(),
            safety_rows: register.safety_rows(),
            risk_levels: levels,
            rows: shown,
        })?,
        Format::Csv => print(&to_csv(&full_rows(&shown))).map_err(crate::output::io_error)?,
        format => {
            let mut rows = Rows::new([
                "threat",
                "failure mode",
                "end effect",
                "S",
                "E",
                "D",
                "RPN",
                "risk",
                "controls",
                "residual",
                "safety",
            ]);
            let reopened = register
                .rows
                .iter()
                .filter(|r| !r.reopened_by.is_empty())
                .count();
            for r in &shown {
                rows.push([
                    r.id.to_owned(),
                    r.failure_mode.clone(),
                    r.end_effect
                        .as_ref()
                        .map_or_else(|| "-".to_owned(), |h| h.harm.to_owned()),
                    r.severity
                        .as_ref()
                        .map_or_else(|| "-".to_owned(), |s| s.level.clone()),
                    r.exploitability.level.clone(),
                    r.detectability.to_string(),
                    r.rpn.map_or_else(|| "-".to_owned(), |n| n.to_string()),
                    r.risk.as_str().to_owned(),
                    if r.controls.is_empty() {
                        "UNMITIGATED".to_owned()
                    } else {
                        r.controls.join(", ")
                    },
                    format!(
                        "{} ({})",
                        r.residual_risk.as_str(),
                        r.residual_exploitability.level
                    ),
                    if r.safety { "SAFETY" } else { "-" }.to_owned(),
                ]);
                if !r.reopened_by.is_empty() {
                    let last = rows.rows.len() - 1;
                    rows.rows[last][9]
                        .push_str(&format!(" REOPENED by failed {}", r.reopened_by.join(", ")));
                }
            }
            let reopened_note = if reopened > 0 {
                format!(
                    "{reopened} row(s) reopened by failed tests: their controls are not counted.\n"
                )
            } else {
                String::new()
            };
            let summary = format!(
                "{} rows, {} shown, {} safety-relevant; policy: {}\nrisk before → after controls: {}\n{reopened_note}",
                register.rows.len(),
                shown.len(),
                register.safety_rows(),
                register.policy,
                levels
                    .iter()
                    .map(|(l, b, a)| format!("{l} {b} → {a}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            let text = if format == Format::Markdown {
                format!(
                    "# {} {} — FMEA register\n\n{}\n{}",
                    device.device.name,
                    device.device.version,
                    summary,
                    rows.to_markdown()
                )
            } else {
                format!("{}\n{}", rows.to_table(), summary)
            };
            print(&text).map_err(crate::output::io_error)?;
        }
    }
    Ok(super::threats::exit_code(common, &register))
}

/// Every FMEA column, for spreadsheets.
fn full_rows(rows: &[&RiskRow<'_>]) -> Rows {
    let mut out = Rows::new([
        "id",
        "rule",
        "target",
        "target_kind",
        "stride",
        "failure_mode",
        "cause",
        "local_effect",
        "end_effect",
        "end_effect_asset",
        "end_effect_property",
        "severity",
        "severity_rank",
        "exploitability",
        "exploitability_rank",
        "attack_vector",
        "attack_complexity",
        "privileges_required",
        "user_interaction",
        "exploitability_score",
        "zone_shift",
        "access_shift",
        "detectability",
        "rpn",
        "risk",
        "controls",
        "suggested_controls",
        "residual_exploitability",
        "residual_rpn",
        "residual_risk",
        "safety",
    ]);
    for r in rows {
        let b = &r.exploitability_basis;
        let json = |v: &dyn erased::Str| v.text();
        out.push([
            r.id.to_owned(),
            r.rule.to_owned(),
            r.target.to_owned(),
            r.target_kind.to_owned(),
            r.stride.as_str().to_owned(),
            r.failure_mode.clone(),
            r.cause.trim().to_owned(),
            r.local_effect.clone(),
            r.end_effect
                .as_ref()
                .map_or_else(String::new, |h| h.harm.to_owned()),
            r.end_effect
                .as_ref()
                .map_or_else(String::new, |h| h.asset.to_owned()),
            r.end_effect
                .as_ref()
                .map_or_else(String::new, |h| h.property.as_str().to_owned()),
            r.severity
                .as_ref()
                .map_or_else(String::new, |s| s.level.clone()),
            r.severity
                .as_ref()
                .map_or_else(String::new, |s| s.rank.to_string()),
            r.exploitability.level.clone(),
            r.exploitability.rank.to_string(),
            json(&b.attack_vector),
            json(&b.attack_complexity),
            json(&b.privileges_required),
            json(&b.user_interaction),
            format!("{:.3}", b.score),
            b.zone_shift.to_string(),
            b.access_shift.to_string(),
            r.detectability.to_string(),
            r.rpn.map_or_else(String::new, |n| n.to_string()),
            r.risk.as_str().to_owned(),
            r.controls.join("; "),
            r.suggested_controls.join("; "),
            r.residual_exploitability.level.clone(),
            r.residual_rpn.map_or_else(String::new, |n| n.to_string()),
            r.residual_risk.as_str().to_owned(),
            r.safety.to_string(),
        ]);
    }
    out
}

/// The kebab-case name serde gives a unit enum value, for CSV cells.
mod erased {
    pub trait Str {
        fn text(&self) -> String;
    }

    impl<T: serde::Serialize> Str for T {
        fn text(&self) -> String {
            serde_json::to_value(self)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        }
    }
}
