//! `medsec clock` (the regulatory clock of a finding, as decision support) and
//! `medsec trace` (a finding's chain from component to patient harm).

use std::path::PathBuf;

use medsec_postmarket::clock::{ClockPolicy, FindingFacts, classify};
use medsec_postmarket::trace::{TraceInput, trace};

use crate::exit;
use crate::output::{Format, Rows, print, print_json};

use super::refuse as bad;

/// What is due, and when, for one finding under FDA postmarket guidance and EU MDR/IVDR
/// vigilance: decision support from a policy, each rule with its source.
#[derive(Debug, clap::Args)]
pub struct ClockArgs {
    /// The finding's facts (YAML or JSON): markets, affected, identified date, risk to
    /// essential clinical performance, serious incident, FSCA, ISAO membership, what is
    /// done. See examples/postmarket/clock-facts.yaml.
    pub facts: PathBuf,
    /// A regulatory clock policy instead of the built-in one
    /// (crates/medsec-postmarket/policy/regulatory-clock.yaml).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Judge the deadlines as of this day (YYYY-MM-DD; default today, UTC).
    #[arg(long)]
    pub today: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run_clock(args: ClockArgs) -> miette::Result<u8> {
    let policy = match &args.policy {
        None => ClockPolicy::default_policy().map_err(|e| {
            miette::miette!(code = "medsec::internal", "built-in clock policy: {e}")
        })?,
        Some(path) => match ClockPolicy::load(path) {
            Ok(p) => p,
            Err(e) => return Ok(bad("medsec::clock::policy", e.to_string())),
        },
    };
    let text = match std::fs::read_to_string(&args.facts) {
        Ok(t) => t,
        Err(e) => {
            return Ok(bad(
                "medsec::clock::facts",
                format!("cannot read {}: {e}", args.facts.display()),
            ));
        }
    };
    let facts: FindingFacts = match serde_saphyr::from_str(&text) {
        Ok(f) => f,
        Err(e) => {
            return Ok(bad(
                "medsec::clock::facts",
                format!("{}: {e}", args.facts.display()),
            ));
        }
    };
    let today = match &args.today {
        Some(t) => match t.parse::<jiff::civil::Date>() {
            Ok(d) => d,
            Err(e) => {
                return Ok(bad(
                    "medsec::clock::facts",
                    format!("--today `{t}` is not a date (YYYY-MM-DD): {e}"),
                ));
            }
        },
        None => jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date(),
    };
    let c = classify(&policy, &facts, today);
    match args.format {
        Format::Json => print_json(&c)?,
        format => {
            let mut out = format!(
                "Regulatory clock as of {} — DECISION SUPPORT. {}\nPolicy {} {} (sha256 {}).\n\n",
                c.today,
                c.disclaimer,
                c.policy.name,
                c.policy.version,
                c.policy.sha256.get(..12).unwrap_or(&c.policy.sha256)
            );
            let mut rows = Rows::new(["market", "rule", "what", "due", "status", "source"]);
            for o in &c.obligations {
                rows.push([
                    o.market.as_str().to_owned(),
                    o.rule.clone(),
                    o.title.clone(),
                    o.due_text.clone(),
                    o.status_text.clone(),
                    format!(
                        "{}{}",
                        o.source.requirement,
                        if o.verified {
                            ""
                        } else {
                            " (UNCONFIRMED limit)"
                        }
                    ),
                ]);
            }
            out.push_str(&if format == Format::Markdown {
                rows.to_markdown()
            } else {
                rows.to_table()
            });
            out.push('\n');
            if let Some(d) = &c.fda_806_discretion {
                let v = serde_json::to_value(d).unwrap_or_default();
                out.push_str(&format!(
                    "FDA enforcement discretion for the 21 CFR 806 report ({}): {}\n",
                    v["outcome"].as_str().unwrap_or("?"),
                    v["summary"].as_str().unwrap_or("")
                ));
                for cond in v["conditions"].as_array().into_iter().flatten() {
                    out.push_str(&format!(
                        "  {}. {} — {}: {}\n",
                        cond["number"],
                        cond["condition"].as_str().unwrap_or(""),
                        cond["state"].as_str().unwrap_or(""),
                        cond["reason"].as_str().unwrap_or("")
                    ));
                }
            }
            for s in &c.if_risk {
                out.push_str(&format!(
                    "If the risk is judged {}: {}\n",
                    serde_json::to_value(s.risk)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    s.obligations
                        .iter()
                        .map(|o| format!("{} ({})", o.title, o.due_text))
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
            for n in &c.notes {
                out.push_str(&format!("note: {n}\n"));
            }
            print(&out).map_err(crate::output::io_error)?;
        }
    }
    Ok(exit::OK)
}

/// Trace a finding through the device model: the elements that run the component, the
/// STRIDE threats on them, their FMEA rows and the patient harm; with rubric answers
/// proposed from the device model when a CVSS vector is given.
#[derive(Debug, clap::Args)]
pub struct TraceArgs {
    #[command(flatten)]
    pub common: super::catalog::Common,
    /// The component's name.
    #[arg(long)]
    pub component: String,
    #[arg(long = "component-version")]
    pub component_version: Option<String>,
    /// The component's package URL (compared without qualifiers).
    #[arg(long)]
    pub purl: Option<String>,
    /// The vulnerability id.
    #[arg(long)]
    pub vulnerability: String,
    /// The finding's CVSS v3 vector, for the rubric proposal.
    #[arg(long)]
    pub vector: Option<String>,
}

pub fn run_trace(args: TraceArgs) -> miette::Result<u8> {
    let inputs = match super::catalog::prepare(&args.common)? {
        Ok(i) => i,
        Err(code) => return Ok(code),
    };
    let model = medsec_threat::analyse(&inputs.loaded, &inputs.rules);
    let register = medsec_threat::register(&model, &inputs.risk_policy);
    let input = TraceInput {
        name: args.component.clone(),
        version: args.component_version.clone(),
        purl: args.purl.clone(),
        cpe: None,
        vulnerability: args.vulnerability.clone(),
        cvss_vector: args.vector.clone(),
        base_score: None,
    };
    let t = trace(&inputs.loaded, &model, &register, &input);
    match args.common.format {
        Format::Json => print_json(&t)?,
        format => {
            let value = serde_json::to_value(&t).unwrap_or_default();
            let sm = &value["summary"];
            let mut out = format!(
                "{} in {} {}: {} element(s), {} threat(s), {} FMEA row(s); worst harm {}; {} safety-relevant row(s); worst risk {} before and {} after controls\n\n",
                args.vulnerability,
                args.component,
                args.component_version.as_deref().unwrap_or(""),
                sm["elements"],
                sm["threats"],
                sm["rows"],
                sm["worst_severity"].as_str().unwrap_or("-"),
                sm["safety_rows"].as_array().map_or(0, Vec::len),
                sm["worst_risk"].as_str().unwrap_or("-"),
                sm["worst_residual_risk"].as_str().unwrap_or("-"),
            );
            let mut rows = Rows::new([
                "element", "threat", "via", "risk", "residual", "safety", "harm",
            ]);
            for e in value["elements"].as_array().into_iter().flatten() {
                for th in e["threats"].as_array().into_iter().flatten() {
                    rows.push([
                        e["element"].as_str().unwrap_or("").to_owned(),
                        th["threat"].as_str().unwrap_or("").to_owned(),
                        th["via"].as_str().unwrap_or("").to_owned(),
                        th["row"]["risk"].as_str().unwrap_or("-").to_owned(),
                        th["row"]["residual_risk"]
                            .as_str()
                            .unwrap_or("-")
                            .to_owned(),
                        if th["row"]["safety"] == true {
                            "SAFETY"
                        } else {
                            ""
                        }
                        .to_owned(),
                        th["harm"]["harm"].as_str().unwrap_or("-").to_owned(),
                    ]);
                }
            }
            if let Some(reason) = value["unplaced_reason"].as_str() {
                out.push_str(&format!("Not placed in the device model: {reason}\n"));
            }
            out.push_str(&if format == Format::Markdown {
                rows.to_markdown()
            } else {
                rows.to_table()
            });
            let rubric = &value["rubric"];
            match rubric["status"].as_str() {
                Some("proposed") => {
                    out.push_str("\nRubric answers proposed from the device model (confirm or change each, with a rationale):\n");
                    for e in rubric["elements"].as_array().into_iter().flatten() {
                        for a in e["answers"].as_array().into_iter().flatten() {
                            out.push_str(&format!(
                                "  {} {}: {} — {}\n",
                                e["element"].as_str().unwrap_or(""),
                                a["question"].as_str().unwrap_or(""),
                                a["answer"].as_str().unwrap_or(""),
                                a["rationale"].as_str().unwrap_or("")
                            ));
                        }
                    }
                }
                _ => out.push_str(&format!(
                    "\nNo rubric proposal: {}\n",
                    rubric["reason"].as_str().unwrap_or("")
                )),
            }
            print(&out).map_err(crate::output::io_error)?;
        }
    }
    Ok(exit::OK)
}
