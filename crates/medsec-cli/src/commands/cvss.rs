use medsec_score::{MetricExplanation, Scores, Vector};
use serde::Serialize;

use super::input_error::ArgumentError;
use crate::exit;
use crate::output::{Format, Rows, print, print_json};

/// Score CVSS vectors (v2.0, v3.0, v3.1, v4.0): scores of every group, severities and
/// what each metric value means. Invalid vectors are reported with the offending part.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Vectors, e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H
    #[arg(required = true)]
    pub vectors: Vec<String>,
    /// Exit 1 when any vector's overall score is at or above this value.
    #[arg(long, value_name = "SCORE", value_parser = parse_threshold)]
    pub fail_at: Option<f64>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

fn parse_threshold(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if (0.0..=10.0).contains(&value) => Ok(value),
        _ => Err(format!("'{text}' is not a score between 0.0 and 10.0")),
    }
}

#[derive(Serialize)]
struct Scored {
    input: String,
    vector: String,
    scores: Scores,
    metrics: Vec<MetricExplanation>,
}

pub fn run(args: Args) -> miette::Result<u8> {
    let mut failed = false;
    let mut scored = Vec::new();
    for input in &args.vectors {
        match medsec_score::parse(input) {
            Ok(vector) => scored.push(score(input, &vector)),
            Err(error) => {
                failed = true;
                let report = ArgumentError::new(
                    "medsec::cvss::invalid",
                    input,
                    Some(error.offset()),
                    error.to_string(),
                )
                .with_help("vectors start with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/; a v2 vector has no prefix");
                eprintln!("{:?}", miette::Report::new(report));
            }
        }
    }
    match args.format {
        Format::Json => print_json(&scored)?,
        Format::Table | Format::Markdown => {
            let markdown = args.format == Format::Markdown;
            let mut text = String::new();
            for s in &scored {
                text.push_str(&render(s, markdown));
            }
            if !text.is_empty() {
                print(&text).map_err(crate::output::io_error)?;
            }
        }
    }
    if failed {
        return Ok(exit::BAD_INPUT);
    }
    let over = args.fail_at.is_some_and(|threshold| {
        scored
            .iter()
            .any(|s| s.scores.overall.score.value() >= threshold)
    });
    Ok(if over { exit::FINDINGS } else { exit::OK })
}

fn score(input: &str, vector: &Vector) -> Scored {
    Scored {
        input: input.to_owned(),
        vector: vector.normalise(),
        scores: vector.score(),
        metrics: vector.explain(),
    }
}

fn render(s: &Scored, markdown: bool) -> String {
    let finish = |rows: Rows| {
        if markdown {
            rows.to_markdown()
        } else {
            rows.to_table()
        }
    };
    let overall = &s.scores.overall;
    let mut out = if markdown {
        format!(
            "## `{}`\n\n**{} {}**\n\n",
            s.vector,
            overall.score,
            overall.severity.as_str()
        )
    } else {
        format!(
            "{}\n{} {}\n",
            s.vector,
            overall.score,
            overall.severity.as_str()
        )
    };
    let mut rows = Rows::new(["score", "value", "severity"]);
    let mut add = |name: &str, rated: Option<&medsec_score::Rated>| {
        if let Some(r) = rated {
            rows.push([
                name.to_owned(),
                r.score.to_string(),
                r.severity.as_str().to_owned(),
            ]);
        }
    };
    add("base", Some(&s.scores.base));
    add("temporal", s.scores.temporal.as_ref());
    add("environmental", s.scores.environmental.as_ref());
    let overall_name = s.scores.nomenclature.map_or("overall".to_owned(), |n| {
        format!("overall ({})", n.as_str())
    });
    add(&overall_name, Some(&s.scores.overall));
    out.push_str(&finish(rows));
    out.push('\n');
    let mut rows = Rows::new(["group", "metric", "value", "meaning"]);
    for m in &s.metrics {
        rows.push([
            format!("{:?}", m.group).to_lowercase(),
            format!("{} ({})", m.metric_name, m.metric),
            format!("{} ({})", m.value_name, m.value),
            m.meaning.to_owned(),
        ]);
    }
    out.push_str(&finish(rows));
    out.push('\n');
    out
}
