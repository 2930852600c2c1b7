use std::path::PathBuf;

use medsec_device::summary::{DeviceSummary, summarise};
use medsec_device::{LoadError, load};
use medsec_threat::{Catalogue, Policy};
use serde::Serialize;

use crate::exit;
use crate::output::{Format, Rows, print, print_json};

/// Assess a device: check its description and summarise it. Later stages (threats,
/// risk, requirements, test plan, vulnerabilities, report) join this command as they
/// are built; the output lists the stages that ran.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The device folder, or its device.yaml.
    pub device: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Serialize)]
struct Assessment<'a> {
    device_file: String,
    stages: &'a [&'a str],
    summary: &'a DeviceSummary,
    threats: ThreatStage,
    risk: RiskStage,
}

/// The threat stage: counts by STRIDE category and how many no control mitigates.
#[derive(Serialize)]
struct ThreatStage {
    rules: usize,
    threats: usize,
    unmitigated: usize,
    by_stride: Vec<super::threats::StrideCount>,
}

/// The risk stage: FMEA rows per risk level before and after the model's controls.
#[derive(Serialize)]
struct RiskStage {
    policy: String,
    rows: usize,
    safety_relevant: usize,
    /// `[level, before controls, after controls]`.
    levels: Vec<(&'static str, usize, usize)>,
}

const STAGES: &[&str] = &["validate", "threats", "risk"];

pub fn run(args: Args) -> miette::Result<u8> {
    let loaded = match load(&args.device) {
        Ok(loaded) => loaded,
        Err(LoadError::Invalid(report)) => {
            super::render_reports(std::slice::from_ref(&*report), Format::Table)?;
            eprintln!(
                "{}: invalid ({} error(s)); fix them and run again",
                report.file.display(),
                report.error_count()
            );
            return Ok(exit::BAD_INPUT);
        }
        Err(other) => return Err(miette::miette!("{other}")),
    };
    if loaded.report.warning_count() > 0 {
        super::render_reports(std::slice::from_ref(&loaded.report), Format::Table)?;
    }
    let summary = summarise(&loaded);
    let catalogue = Catalogue::builtin()
        .map_err(|e| miette::miette!(code = "medsec::internal", "built-in threat rules: {e}"))?;
    let policy = Policy::default_policy()
        .map_err(|e| miette::miette!(code = "medsec::internal", "built-in risk policy: {e}"))?;
    let model = medsec_threat::analyse(&loaded, &catalogue);
    let register = medsec_threat::register(&model, &policy);
    let assessment = Assessment {
        device_file: loaded.path.display().to_string(),
        stages: STAGES,
        summary: &summary,
        threats: ThreatStage {
            rules: model.rules_in_catalogue,
            threats: model.threats.len(),
            unmitigated: model.unmitigated(),
            by_stride: super::threats::stride_counts(&model),
        },
        risk: RiskStage {
            policy: register.policy.to_owned(),
            rows: register.rows.len(),
            safety_relevant: register.safety_rows(),
            levels: register
                .counts()
                .into_iter()
                .map(|(level, before, after)| (level.as_str(), before, after))
                .collect(),
        },
    };
    match args.format {
        Format::Json => print_json(&assessment)?,
        Format::Table => print(&render(&assessment, false)).map_err(crate::output::io_error)?,
        Format::Markdown => print(&render(&assessment, true)).map_err(crate::output::io_error)?,
    }
    Ok(exit::OK)
}

fn render(assessment: &Assessment<'_>, markdown: bool) -> String {
    let s = assessment.summary;
    let finish = |rows: Rows| {
        if markdown {
            rows.to_markdown()
        } else {
            rows.to_table()
        }
    };
    let mut out = String::new();
    let heading = |out: &mut String, text: &str| {
        if markdown {
            out.push_str(&format!("\n## {text}\n\n"));
        } else {
            out.push_str(&format!("\n{text}\n"));
        }
    };
    if markdown {
        out.push_str(&format!("# {} {} — assessment\n", s.name, s.version));
    } else {
        out.push_str(&format!("{} {} — assessment\n", s.name, s.version));
    }
    heading(&mut out, "Device");
    let mut rows = Rows::new(["item", "value"]);
    rows.push(["device file".into(), assessment.device_file.clone()]);
    rows.push(["manufacturer", &s.manufacturer]);
    if let Some(udi) = &s.udi_di {
        rows.push(["UDI-DI", udi]);
    }
    rows.push(["categories".into(), s.categories.join(", ")]);
    let markets: Vec<String> = s
        .markets
        .iter()
        .map(|(m, c)| format!("{m} class {c}"))
        .collect();
    rows.push(["markets".into(), markets.join("; ")]);
    rows.push(["functionalities".into(), s.functionalities.to_string()]);
    rows.push(["technologies".into(), s.technologies.join(", ")]);
    rows.push(["assets".into(), s.assets.to_string()]);
    rows.push([
        "worst harm severity".into(),
        s.worst_severity
            .map_or("-".into(), |v| v.as_str().to_owned()),
    ]);
    rows.push(["trust zones".into(), s.trust_zones.to_string()]);
    rows.push([
        "elements".into(),
        format!(
            "{} processes, {} data stores, {} external entities",
            s.processes, s.data_stores, s.external_entities
        ),
    ]);
    rows.push(["data flows".into(), s.flows.to_string()]);
    rows.push(["controls".into(), s.controls.to_string()]);
    rows.push(["stages run".into(), assessment.stages.join(", ")]);
    out.push_str(&finish(rows));
    out.push('\n');

    heading(&mut out, "Flows crossing trust boundaries");
    let mut rows = Rows::new([
        "flow",
        "from zone",
        "to zone",
        "boundary",
        "authenticated",
        "encrypted",
    ]);
    for crossing in &s.boundary_crossings {
        rows.push([
            crossing.flow.clone(),
            crossing.from_zone.clone(),
            crossing.to_zone.clone(),
            crossing
                .boundary
                .clone()
                .unwrap_or_else(|| "(unnamed)".into()),
            yes_no(crossing.authenticated),
            yes_no(crossing.encrypted),
        ]);
    }
    out.push_str(&finish(rows));
    out.push('\n');

    if !s.software.is_empty() {
        heading(&mut out, "Software");
        let mut rows = Rows::new(["element", "SBOM", "format", "components"]);
        for (element, software) in &s.software {
            rows.push([
                element.clone(),
                software.sbom.clone().unwrap_or_else(|| "(inline)".into()),
                software.sbom_format.clone().unwrap_or_default(),
                software.components.map_or("-".into(), |n| n.to_string()),
            ]);
        }
        out.push_str(&finish(rows));
        out.push('\n');
    }
    heading(&mut out, "Threats (STRIDE)");
    let t = &assessment.threats;
    let mut rows = Rows::new(["STRIDE category", "threats", "unmitigated"]);
    for c in &t.by_stride {
        rows.push([
            c.stride.as_str().to_owned(),
            c.threats.to_string(),
            c.unmitigated.to_string(),
        ]);
    }
    rows.push([
        "all".to_owned(),
        t.threats.to_string(),
        t.unmitigated.to_string(),
    ]);
    out.push_str(&finish(rows));
    out.push('\n');

    heading(&mut out, "Risk (FMEA)");
    let r = &assessment.risk;
    let mut rows = Rows::new(["risk level", "before controls", "after controls"]);
    for (level, before, after) in &r.levels {
        rows.push([(*level).to_owned(), before.to_string(), after.to_string()]);
    }
    rows.push([
        "safety-relevant rows".to_owned(),
        r.safety_relevant.to_string(),
        String::new(),
    ]);
    out.push_str(&finish(rows));
    out.push_str(&format!(
        "\n{} FMEA rows from {} rules; policy: {}. `medsec threats` and `medsec risk` list them.\n",
        r.rows, t.rules, r.policy
    ));
    out
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "NO" }.to_owned()
}
