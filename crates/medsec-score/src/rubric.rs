//! The FDA/MITRE "Rubric for Applying CVSS to Medical Devices" (MITRE, 2019; qualified by
//! the FDA as a Medical Device Development Tool in October 2020): a question flow per
//! CVSS v3.0 base metric that yields the rubric's vector and score, with every answer and
//! its rationale kept.
//!
//! The flow is data (`data/rubric.json`, questions summarised in our own words, each with
//! a source note saying what was verified and what is UNVERIFIED); this module only walks
//! it. The rubric rates exploitability and technical impact; patient harm stays in the
//! ISO 14971 risk file (FMEA), not in this score.

use crate::{Scores, v3::V3Vector};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The flow shipped with medsec.
pub const STANDARD_RUBRIC_JSON: &str = include_str!("../data/rubric.json");

/// An answer to a yes/no question of the rubric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    Yes,
    No,
    /// Not known: the flow takes the branch that gives the worse (more severe) value.
    Unknown,
}

/// An answer with the reason for it, as the user gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub answer: Answer,
    #[serde(default)]
    pub rationale: String,
}

/// Question id → response.
pub type Answers = BTreeMap<String, Response>;

/// Where an answer leads: another question, or a metric value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    Next(String),
    Value(String),
}

/// One question of the flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    /// The CVSS v3.0 base metric it decides (AV, AC, PR, UI, S, C, I, A).
    pub metric: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub yes: Step,
    pub no: Step,
    /// The branch an "unknown" answer takes (the one leading to the worse value).
    pub unknown_as: Answer,
    /// Where this question was verified, or why it is marked UNVERIFIED.
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
struct RubricData {
    title: String,
    cvss_version: String,
    sources: Vec<String>,
    metric_order: Vec<String>,
    starts: BTreeMap<String, Vec<String>>,
    questions: Vec<Question>,
}

/// Why a rubric could not be loaded or evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RubricError {
    #[error("rubric data is invalid: {0}")]
    InvalidData(String),
    #[error("question {question} ({metric}) must be answered next: {text}")]
    MissingAnswer {
        question: String,
        metric: String,
        text: String,
    },
    #[error("answer given for unknown question {0:?}")]
    UnknownQuestion(String),
}

/// One answered question on the path the flow took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnsweredQuestion {
    pub id: String,
    pub text: String,
    pub answer: Answer,
    /// The branch taken (differs from `answer` only for "unknown").
    pub taken_as: Answer,
    pub rationale: String,
    pub source: String,
}

/// A metric's value and the questions that decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetricOutcome {
    pub metric: String,
    pub value: String,
    pub path: Vec<AnsweredQuestion>,
}

/// The rubric's result: the CVSS v3.0 vector, its scores, and every answer with its
/// rationale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RubricResult {
    pub vector: String,
    pub scores: Scores,
    pub metrics: Vec<MetricOutcome>,
}

/// A loaded, checked question flow.
#[derive(Debug, Clone)]
pub struct Rubric {
    data: RubricData,
    index: HashMap<String, usize>,
}

/// Severity order of impact values, for the maximum over data classes.
fn impact_rank(v: &str) -> u8 {
    match v {
        "H" => 2,
        "L" => 1,
        _ => 0,
    }
}

impl Rubric {
    /// The flow shipped with medsec.
    pub fn standard() -> Result<Rubric, RubricError> {
        Rubric::from_json(STANDARD_RUBRIC_JSON)
    }

    /// Loads a flow and checks that every reference resolves and every path ends in a
    /// value the CVSS v3.0 metric accepts.
    pub fn from_json(json: &str) -> Result<Rubric, RubricError> {
        let data: RubricData =
            serde_json::from_str(json).map_err(|e| RubricError::InvalidData(e.to_string()))?;
        let mut index = HashMap::new();
        for (i, q) in data.questions.iter().enumerate() {
            if index.insert(q.id.clone(), i).is_some() {
                return Err(RubricError::InvalidData(format!(
                    "duplicate question {}",
                    q.id
                )));
            }
        }
        let r = Rubric { data, index };
        for q in &r.data.questions {
            for step in [&q.yes, &q.no] {
                match step {
                    Step::Next(n) => {
                        let target = r.question(n).ok_or_else(|| {
                            RubricError::InvalidData(format!("{} leads to unknown {n}", q.id))
                        })?;
                        if target.metric != q.metric {
                            return Err(RubricError::InvalidData(format!(
                                "{} leads to {n} of another metric",
                                q.id
                            )));
                        }
                    }
                    Step::Value(v) => {
                        let ok = crate::v3::METRICS
                            .iter()
                            .find(|d| d.abbr == q.metric)
                            .is_some_and(|d| d.values.iter().any(|x| x.abbr == v));
                        if !ok {
                            return Err(RubricError::InvalidData(format!(
                                "{} gives {v}, not a value of {}",
                                q.id, q.metric
                            )));
                        }
                    }
                }
            }
            if q.unknown_as == Answer::Unknown {
                return Err(RubricError::InvalidData(format!(
                    "{}: unknown_as must be yes or no",
                    q.id
                )));
            }
        }
        for m in &r.data.metric_order {
            let starts = r.data.starts.get(m).ok_or_else(|| {
                RubricError::InvalidData(format!("no start question for metric {m}"))
            })?;
            for s in starts {
                if r.question(s).is_none() {
                    return Err(RubricError::InvalidData(format!(
                        "unknown start question {s}"
                    )));
                }
            }
        }
        Ok(r)
    }

    pub fn title(&self) -> &str {
        &self.data.title
    }
    pub fn cvss_version(&self) -> &str {
        &self.data.cvss_version
    }
    /// The document-level source notes.
    pub fn sources(&self) -> &[String] {
        &self.data.sources
    }
    pub fn questions(&self) -> &[Question] {
        &self.data.questions
    }
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.index.get(id).map(|&i| &self.data.questions[i])
    }

    /// Walks one branch from `start` to a value. `Err(question)` names the first
    /// unanswered question on it.
    fn walk<'a>(
        &'a self,
        start: &'a str,
        answers: &Answers,
        path: &mut Vec<AnsweredQuestion>,
    ) -> Result<String, &'a Question> {
        let mut id = start;
        // A flow is acyclic when loaded; the bound guards against a hand-edited cycle.
        for _ in 0..=self.data.questions.len() {
            let Some(q) = self.question(id) else { break };
            let Some(resp) = answers.get(id) else {
                return Err(q);
            };
            let taken = match resp.answer {
                Answer::Unknown => q.unknown_as,
                a => a,
            };
            path.push(AnsweredQuestion {
                id: q.id.clone(),
                text: q.text.clone(),
                answer: resp.answer,
                taken_as: taken,
                rationale: resp.rationale.clone(),
                source: q.source.clone(),
            });
            match if taken == Answer::Yes { &q.yes } else { &q.no } {
                Step::Value(v) => return Ok(v.clone()),
                Step::Next(n) => id = n,
            }
        }
        // Unreachable for a checked flow; report the start question as unanswerable.
        self.question(start).map_or(Ok(String::from("N")), Err)
    }

    /// The next question the flow needs answered, in metric order, or `None` when the
    /// answers are complete. An interactive prompter asks this, records the response,
    /// and asks again.
    pub fn next_question(&self, answers: &Answers) -> Option<&Question> {
        for m in &self.data.metric_order {
            for s in self.data.starts.get(m).into_iter().flatten() {
                if let Err(q) = self.walk(s, answers, &mut Vec::new()) {
                    return Some(q);
                }
            }
        }
        None
    }

    /// Walks the whole flow and scores the resulting CVSS v3.0 vector.
    pub fn evaluate(&self, answers: &Answers) -> Result<RubricResult, RubricError> {
        for id in answers.keys() {
            if self.question(id).is_none() {
                return Err(RubricError::UnknownQuestion(id.clone()));
            }
        }
        let mut metrics = Vec::new();
        for m in &self.data.metric_order {
            let mut path = Vec::new();
            let mut value: Option<String> = None;
            for s in self.data.starts.get(m).into_iter().flatten() {
                let v =
                    self.walk(s, answers, &mut path)
                        .map_err(|q| RubricError::MissingAnswer {
                            question: q.id.clone(),
                            metric: q.metric.clone(),
                            text: q.text.clone(),
                        })?;
                // Several data classes decide C, I and A: the metric takes the worst.
                value = Some(match value {
                    Some(old) if impact_rank(&old) >= impact_rank(&v) => old,
                    _ => v,
                });
            }
            metrics.push(MetricOutcome {
                metric: m.clone(),
                value: value.unwrap_or_default(),
                path,
            });
        }
        let body: Vec<String> = metrics
            .iter()
            .map(|o| format!("{}:{}", o.metric, o.value))
            .collect();
        let vector = format!("CVSS:{}/{}", self.data.cvss_version, body.join("/"));
        let parsed = V3Vector::parse(&vector)
            .map_err(|e| RubricError::InvalidData(format!("flow produced {vector}: {e}")))?;
        Ok(RubricResult {
            vector: parsed.to_string(),
            scores: parsed.scores(),
            metrics,
        })
    }
}
