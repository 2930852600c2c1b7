use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use medsec_device::diagnostic::{Diagnostic, FileReport, did_you_mean};
use medsec_score::rubric::{Answer, Answers, Response, Rubric, RubricError, RubricResult};
use miette::IntoDiagnostic;
use serde::Serialize;

use crate::exit;
use crate::output::{Format, Rows, print, print_json};

/// Apply the FDA/MITRE "Rubric for Applying CVSS to Medical Devices": answer its questions
/// (each with a rationale) and get the rubric's CVSS v3.0 vector and score, with every
/// answer recorded. Interactive on a terminal; `--answers FILE.yaml` for a file of answers.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Answers as YAML: `XAVN: { answer: yes|no|unknown, rationale: "…" }` per question.
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// Ask on standard input even when it is not a terminal (for scripts).
    #[arg(long, conflicts_with = "answers")]
    pub interactive: bool,
    /// After an interactive session, save the answers to this YAML file.
    #[arg(long, value_name = "FILE", conflicts_with = "answers")]
    pub save: Option<PathBuf>,
    /// List the questions with their source notes and exit.
    #[arg(long)]
    pub questions: bool,
    /// Propose answers from this device model (its folder or device.yaml)…
    #[arg(long, value_name = "DEVICE", requires_all = ["element", "vector"])]
    pub device: Option<PathBuf>,
    /// … for the vulnerable component running on this element …
    #[arg(long, value_name = "ID", requires = "device")]
    pub element: Option<String>,
    /// … and the vulnerability's CVSS v3.x vector. Proposals are marked as such; an
    /// answers file or the person at the terminal confirms or overrides them.
    #[arg(long, value_name = "CVSS", requires = "device")]
    pub vector: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Serialize)]
struct Outcome<'a> {
    rubric: &'a str,
    #[serde(flatten)]
    result: &'a RubricResult,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
}

pub fn run(args: Args) -> miette::Result<u8> {
    let rubric = Rubric::standard().map_err(|e| miette::miette!("{e}"))?;
    if args.questions {
        return list_questions(&rubric, args.format);
    }
    let proposals = match propose(&args)? {
        Ok(proposals) => proposals,
        Err(code) => return Ok(code),
    };
    let (answers, warnings) = match &args.answers {
        Some(path) => match read_answers(path, &rubric) {
            Ok(given) => {
                // What the person wrote overrides what the model proposed.
                let mut answers = proposals.clone();
                answers.extend(given);
                (answers, Vec::new())
            }
            Err(report) => {
                super::render_reports(std::slice::from_ref(&report), Format::Table)?;
                eprintln!(
                    "{}: invalid ({} error(s))",
                    report.file.display(),
                    report.error_count()
                );
                return Ok(exit::BAD_INPUT);
            }
        },
        None if !args.interactive && !std::io::stdin().is_terminal() => {
            if proposals.is_empty() {
                return Err(miette::miette!(
                    help = "give --answers FILE.yaml, or --interactive to read answers from standard input",
                    "standard input is not a terminal"
                ));
            }
            (proposals.clone(), Vec::new())
        }
        None => {
            let answers = ask(&rubric, &proposals)?;
            if let Some(path) = &args.save {
                std::fs::write(path, answers_to_yaml(&answers)).into_diagnostic()?;
                eprintln!("answers saved to {}", path.display());
            }
            (answers, Vec::new())
        }
    };
    let result = match rubric.evaluate(&answers) {
        Ok(result) => result,
        Err(RubricError::MissingAnswer {
            question,
            metric,
            text,
        }) if args.answers.is_none() && !proposals.is_empty() => {
            eprintln!(
                "error[medsec::rubric::incomplete]: the device model answers {} question(s); \
                 {question} ({metric}) needs a person: {text}\n  \
                 run on a terminal (or with --interactive) to answer the rest, or give --answers FILE",
                proposals.len()
            );
            return Ok(exit::BAD_INPUT);
        }
        Err(RubricError::MissingAnswer {
            question,
            metric,
            text,
        }) => {
            eprintln!(
                "error[medsec::rubric::incomplete]: question {question} ({metric}) is not answered: {text}"
            );
            return Ok(exit::BAD_INPUT);
        }
        Err(other) => return Err(miette::miette!("{other}")),
    };
    let mut warnings = warnings;
    let used: Vec<&str> = result
        .metrics
        .iter()
        .flat_map(|m| m.path.iter().map(|q| q.id.as_str()))
        .collect();
    for (id, response) in &answers {
        // A proposal the flow did not need is no mistake of the person's.
        let proposed_only = proposals.get(id) == Some(response);
        if !used.contains(&id.as_str()) && !proposed_only {
            warnings.push(format!(
                "the answer to {id} was not used: earlier answers led the flow elsewhere"
            ));
        }
    }
    for warning in &warnings {
        eprintln!("warning[medsec::rubric::unused-answer]: {warning}");
    }
    let outcome = Outcome {
        rubric: rubric.title(),
        result: &result,
        warnings,
    };
    match args.format {
        Format::Json => print_json(&outcome)?,
        Format::Table => print(&render(&result, false)).map_err(crate::output::io_error)?,
        Format::Markdown => print(&render(&result, true)).map_err(crate::output::io_error)?,
    }
    Ok(exit::OK)
}

fn list_questions(rubric: &Rubric, format: Format) -> miette::Result<u8> {
    if format == Format::Json {
        print_json(rubric.questions())?;
        return Ok(exit::OK);
    }
    let mut rows = Rows::new(["id", "metric", "question", "source"]);
    for q in rubric.questions() {
        rows.push([
            q.id.clone(),
            q.metric.clone(),
            q.text.clone(),
            q.source.clone(),
        ]);
    }
    let text = if format == Format::Markdown {
        rows.to_markdown()
    } else {
        rows.to_table()
    };
    print(&text).map_err(crate::output::io_error)?;
    Ok(exit::OK)
}

/// Read an answers file with located errors: unknown question ids (with a suggestion),
/// malformed answers and missing rationales are all reported at once.
fn read_answers(path: &Path, rubric: &Rubric) -> Result<Answers, FileReport> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            let mut report = FileReport::new(path, Arc::default());
            report.push(
                Diagnostic::error(
                    "medsec::io",
                    format!("cannot read {}: {error}", path.display()),
                ),
                0..0,
            );
            return Err(report);
        }
    };
    let text = Arc::new(text);
    let mut report = FileReport::new(path, text.clone());
    let (document, problems) = match medsec_device::located::parse(&text) {
        Ok(parsed) => parsed,
        Err(problem) => {
            report.push(
                Diagnostic::error(problem.code, problem.message).with_help_opt(problem.help),
                problem.span,
            );
            return Err(report);
        }
    };
    for problem in problems {
        report.push(
            Diagnostic::error(problem.code, problem.message).with_help_opt(problem.help),
            problem.span,
        );
    }
    let mut answers = Answers::new();
    let Some(entries) = document.value.as_object() else {
        report.push(
            Diagnostic::error(
                "medsec::rubric::bad-answer",
                "the answers file must be a mapping of question ids",
            )
            .with_help("write e.g. 'XAVN: { answer: yes, rationale: \"reachable over Wi-Fi\" }'"),
            document.span_of(""),
        );
        return Err(report);
    };
    let ids: Vec<&str> = rubric.questions().iter().map(|q| q.id.as_str()).collect();
    for (id, value) in entries {
        let pointer = format!("/{}", medsec_device::located::escape_segment(id));
        if rubric.question(id).is_none() {
            let help = did_you_mean(id, ids.iter().copied())
                .unwrap_or_else(|| "see 'medsec rubric --questions' for the ids".into());
            report.push(
                Diagnostic::error(
                    "medsec::rubric::unknown-question",
                    format!("the rubric has no question '{id}'"),
                )
                .with_help(help)
                .at(pointer.clone()),
                document.key_span_of(&pointer),
            );
            continue;
        }
        match serde_json::from_value::<Response>(value.clone()) {
            Ok(response) if response.rationale.trim().is_empty() => {
                report.push(
                    Diagnostic::error(
                        "medsec::rubric::missing-rationale",
                        format!("the answer to {id} has no rationale"),
                    )
                    .with_help(
                        "say why, in a 'rationale:' entry: the record must show the reasoning",
                    )
                    .at(pointer.clone()),
                    document.span_of(&pointer),
                );
            }
            Ok(response) => {
                answers.insert(id.clone(), response);
            }
            Err(error) => {
                report.push(
                    Diagnostic::error(
                        "medsec::rubric::bad-answer",
                        format!("the answer to {id} is malformed: {error}"),
                    )
                    .with_help("write '{ answer: yes|no|unknown, rationale: \"…\" }'")
                    .at(pointer.clone()),
                    document.span_of(&pointer),
                );
            }
        }
    }
    report.sort();
    if report.has_errors() {
        Err(report)
    } else {
        Ok(answers)
    }
}

/// Proposals from the device model, when `--device` is given. `Err(code)` ends the
/// command after the problem has been shown.
fn propose(args: &Args) -> miette::Result<Result<Answers, u8>> {
    let (Some(device), Some(element), Some(vector)) = (&args.device, &args.element, &args.vector)
    else {
        return Ok(Ok(Answers::new()));
    };
    let loaded = match medsec_device::load(device) {
        Ok(loaded) => loaded,
        Err(medsec_device::LoadError::Invalid(report)) => {
            super::render_reports(std::slice::from_ref(&*report), Format::Table)?;
            return Ok(Err(exit::BAD_INPUT));
        }
        Err(other) => return Err(miette::miette!("{other}")),
    };
    let parsed = match medsec_score::parse(vector) {
        Ok(parsed) => parsed,
        Err(error) => {
            let report = super::input_error::ArgumentError::new(
                "medsec::cvss::invalid",
                vector,
                Some(error.offset()),
                error.to_string(),
            );
            eprintln!("{:?}", miette::Report::new(report));
            return Ok(Err(exit::BAD_INPUT));
        }
    };
    match medsec_device::rubric_context::propose(&loaded.device, element, &parsed) {
        Ok(proposals) => Ok(Ok(proposals)),
        Err(error) => Err(miette::miette!("{error}")),
    }
}

/// Ask each question the flow needs, in order, with a rationale for every answer. A
/// proposal from the device model is offered as the default (Enter accepts it).
fn ask(rubric: &Rubric, proposals: &Answers) -> miette::Result<Answers> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut stderr = std::io::stderr();
    let mut answers = Answers::new();
    writeln!(
        stderr,
        "{}\nAnswer y(es), n(o) or u(nknown: the worse branch is taken), then give a rationale.\n",
        rubric.title()
    )
    .into_diagnostic()?;
    while let Some(question) = rubric.next_question(&answers) {
        writeln!(
            stderr,
            "[{}] {} — {}",
            question.metric, question.id, question.text
        )
        .into_diagnostic()?;
        if let Some(help) = &question.help {
            writeln!(stderr, "    {help}").into_diagnostic()?;
        }
        let proposal = proposals.get(&question.id);
        if let Some(p) = proposal {
            writeln!(stderr, "  proposed: {:?} — {}", p.answer, p.rationale).into_diagnostic()?;
        }
        let answer = loop {
            let prompt = if proposal.is_some() {
                "  answer (y/n/u, Enter accepts the proposal): "
            } else {
                "  answer (y/n/u): "
            };
            write!(stderr, "{prompt}").into_diagnostic()?;
            stderr.flush().into_diagnostic()?;
            let line = next_line(&mut lines)?;
            if line.trim().is_empty()
                && let Some(p) = proposal
            {
                break p.answer;
            }
            match line.trim().to_lowercase().as_str() {
                "y" | "yes" => break Answer::Yes,
                "n" | "no" => break Answer::No,
                "u" | "unknown" => break Answer::Unknown,
                _ => writeln!(stderr, "  please answer y, n or u").into_diagnostic()?,
            }
        };
        let accepted = proposal.filter(|p| p.answer == answer);
        let rationale = loop {
            if accepted.is_some() {
                write!(stderr, "  rationale (Enter keeps the proposed one): ").into_diagnostic()?;
            } else {
                write!(stderr, "  rationale: ").into_diagnostic()?;
            }
            stderr.flush().into_diagnostic()?;
            let line = next_line(&mut lines)?;
            if !line.trim().is_empty() {
                break line.trim().to_owned();
            }
            if let Some(p) = accepted {
                break p.rationale.clone();
            }
            writeln!(
                stderr,
                "  a rationale is required: the record must show why"
            )
            .into_diagnostic()?;
        };
        answers.insert(question.id.clone(), Response { answer, rationale });
    }
    Ok(answers)
}

fn next_line(lines: &mut impl Iterator<Item = std::io::Result<String>>) -> miette::Result<String> {
    match lines.next() {
        Some(line) => line.into_diagnostic(),
        None => Err(miette::miette!(
            "input ended before the rubric was complete"
        )),
    }
}

/// YAML that `--answers` reads back. Rationales are written as JSON strings, which are
/// valid YAML double-quoted scalars.
fn answers_to_yaml(answers: &Answers) -> String {
    let mut out = String::from("# medsec rubric answers\n");
    for (id, response) in answers {
        let answer = match response.answer {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::Unknown => "unknown",
        };
        let rationale = serde_json::Value::String(response.rationale.clone()).to_string();
        out.push_str(&format!(
            "{id}: {{ answer: {answer}, rationale: {rationale} }}\n"
        ));
    }
    out
}

fn render(result: &RubricResult, markdown: bool) -> String {
    let overall = &result.scores.overall;
    let mut out = if markdown {
        format!(
            "## `{}`\n\n**{} {}**\n\n",
            result.vector,
            overall.score,
            overall.severity.as_str()
        )
    } else {
        format!(
            "{}\n{} {}\n",
            result.vector,
            overall.score,
            overall.severity.as_str()
        )
    };
    let mut rows = Rows::new(["metric", "value", "question", "answer", "rationale"]);
    for metric in &result.metrics {
        for q in &metric.path {
            let answer = if q.answer == q.taken_as {
                format!("{:?}", q.answer).to_lowercase()
            } else {
                format!("{:?} (taken as {:?})", q.answer, q.taken_as).to_lowercase()
            };
            rows.push([
                metric.metric.clone(),
                metric.value.clone(),
                format!("{}: {}", q.id, q.text),
                answer,
                q.rationale.clone(),
            ]);
        }
    }
    out.push_str(&if markdown {
        rows.to_markdown()
    } else {
        rows.to_table()
    });
    out.push_str("\nThe rubric rates exploitability and technical impact; patient harm belongs in the risk file (FMEA).\n");
    out
}
