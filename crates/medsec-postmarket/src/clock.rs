//! The regulatory clock: which postmarket time frames an affected finding sets running,
//! and what is due when.
//!
//! Everything here is **decision support**. The rules live in a policy file
//! (`policy/regulatory-clock.yaml` is the default), each with the text it derives from,
//! so that a regulatory engineer can read, change and extend them; the code only applies
//! them to a finding's facts and a date. The output never says "you must report": it says
//! which rule of which policy gives which date from which fact, and what is unknown.
//!
//! Dates are calendar dates ([`jiff::civil::Date`]): a limit of N days runs to the clock
//! date plus N. Weekends, holidays and an authority's own counting rules are not modelled.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use jiff::civil::Date;
use medsec_device::model::MarketId;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;
use sha2::{Digest, Sha256};

/// The built-in policy.
pub const DEFAULT_POLICY: &str = include_str!("../policy/regulatory-clock.yaml");

/// The name the built-in policy is reported under.
pub const DEFAULT_POLICY_FILE: &str = "builtin:regulatory-clock.yaml";

/// The policy format this build reads (`medsec-regulatory-clock: 1`).
pub const POLICY_FORMAT: u32 = 1;

/// The longest limit a rule may set. Nothing in the regimes modelled comes near; a larger
/// number is far more likely a typing error than a time frame.
const MAX_DAYS: u32 = 3650;

/// Shown with every classification.
pub const DISCLAIMER: &str = "Decision support, not a regulatory determination: the dates \
apply the policy's reading of the cited texts to the facts given. The manufacturer's \
regulatory function decides what to report and when; check the current texts and the \
authority's guidance.";

// ---------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------

/// The event a rule's time limit counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClockStart {
    /// The manufacturer learned of the vulnerability (FDA's 30 and 60 days count from here).
    Identified,
    /// The manufacturer became aware of the serious incident (EU vigilance limits).
    Aware,
    /// The planned start of a field safety corrective action (reported before it).
    FscaPlanned,
}

impl ClockStart {
    pub fn as_str(self) -> &'static str {
        match self {
            ClockStart::Identified => "identified",
            ClockStart::Aware => "aware",
            ClockStart::FscaPlanned => "fsca-planned",
        }
    }

    /// The event in words, for notes.
    pub fn describe(self) -> &'static str {
        match self {
            ClockStart::Identified => "the date the manufacturer learned of the vulnerability",
            ClockStart::Aware => "the date the manufacturer became aware of the serious incident",
            ClockStart::FscaPlanned => "the planned start date of the FSCA",
        }
    }
}

/// How a rule's deadline relates to its clock date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Timing {
    /// The clock date plus `days`.
    Within,
    /// The clock date itself: done before the event (an FSCA is reported before it starts).
    Before,
    /// The rule sets no time limit (a routine update, or a limit outside the sources).
    Open,
}

/// What kind of text makes a rule binding; shown so no one mistakes a guidance time frame
/// for a legal deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// A duty set by a regulation.
    Regulation,
    /// A recommendation of an authority's guidance.
    Guidance,
    /// A time frame that, when met, keeps an authority's stated enforcement discretion
    /// available; missing it is not in itself a breach.
    EnforcementDiscretion,
}

/// The risk a vulnerability poses to the device's essential clinical performance, in the
/// terms of FDA's 2016 postmarket guidance.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum RiskControl {
    /// Residual risk of patient harm acceptable (§VII.A).
    Controlled,
    /// Residual risk of patient harm unacceptable (§VII.B).
    Uncontrolled,
    /// Not yet assessed: the classification shows both outcomes instead of guessing.
    #[default]
    NotAssessed,
}

impl RiskControl {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskControl::Controlled => "controlled",
            RiskControl::Uncontrolled => "uncontrolled",
            RiskControl::NotAssessed => "not-assessed",
        }
    }
}

/// The kind of serious incident. When several apply (a death that is also a public health
/// threat), record the one with the shortest limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IncidentKind {
    Death,
    /// An unanticipated serious deterioration of a person's state of health.
    SeriousDeterioration,
    PublicHealthThreat,
    /// Any other serious incident.
    Other,
}

impl IncidentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentKind::Death => "death",
            IncidentKind::SeriousDeterioration => "serious-deterioration",
            IncidentKind::PublicHealthThreat => "public-health-threat",
            IncidentKind::Other => "other",
        }
    }
}

/// One value a rule's `serious_incident` condition accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IncidentMatch {
    /// No serious incident recorded.
    None,
    /// Any serious incident.
    Any,
    Death,
    SeriousDeterioration,
    PublicHealthThreat,
    Other,
}

impl IncidentMatch {
    fn matches(self, incident: Option<IncidentKind>) -> bool {
        matches!(
            (self, incident),
            (IncidentMatch::None, None)
                | (IncidentMatch::Any, Some(_))
                | (IncidentMatch::Death, Some(IncidentKind::Death))
                | (
                    IncidentMatch::SeriousDeterioration,
                    Some(IncidentKind::SeriousDeterioration)
                )
                | (
                    IncidentMatch::PublicHealthThreat,
                    Some(IncidentKind::PublicHealthThreat)
                )
                | (IncidentMatch::Other, Some(IncidentKind::Other))
        )
    }
}

/// Where a rule comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Catalogue requirement id (`eu-mdr:Art87`, `fda-postmarket-2016:VII.B`).
    pub requirement: String,
    /// The clause within it (`Art. 87(4)`).
    pub clause: String,
    /// Source tag of the research fact sheet (`S2`), or the user's own reference.
    pub tag: String,
    /// Anything a reader needs to weigh the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Policy
// ---------------------------------------------------------------------------------------

/// When a rule applies. Every condition given must hold; a list means "any of these".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<Vec<RiskControl>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serious_incident: Option<Vec<IncidentMatch>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serious_adverse_events: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fsca: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isao_member: Option<bool>,
}

/// How a condition meets the facts. An unassessed risk is not guessed: the rule then
/// applies "if the risk turns out to be" one of the outcomes it names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Applies {
    Yes,
    No,
    IfRisk(Vec<RiskControl>),
}

impl Condition {
    fn applies(&self, facts: &FindingFacts) -> Applies {
        let incident = facts.serious_incident.as_ref().map(|i| i.kind);
        let others_hold = self
            .serious_incident
            .as_ref()
            .is_none_or(|any| any.iter().any(|m| m.matches(incident)))
            && self
                .serious_adverse_events
                .is_none_or(|v| v == facts.serious_adverse_events)
            && self.fsca.is_none_or(|v| v == facts.fsca.is_some())
            && self.isao_member.is_none_or(|v| v == facts.isao_member);
        if !others_hold {
            return Applies::No;
        }
        let Some(risks) = &self.risk else {
            return Applies::Yes;
        };
        if risks.contains(&facts.risk) {
            return Applies::Yes;
        }
        if facts.risk == RiskControl::NotAssessed {
            let outcomes: Vec<RiskControl> = [RiskControl::Controlled, RiskControl::Uncontrolled]
                .into_iter()
                .filter(|o| risks.contains(o))
                .collect();
            if !outcomes.is_empty() {
                return Applies::IfRisk(outcomes);
            }
        }
        Applies::No
    }
}

/// One obligation of the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub market: MarketId,
    pub basis: Basis,
    /// In our words.
    pub title: String,
    /// What to do.
    pub action: String,
    #[serde(default)]
    pub when: Condition,
    pub clock: ClockStart,
    pub timing: Timing,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// A shorter limit the sources did not confirm; its date is shown beside the other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stricter_days: Option<u32>,
    /// The deadline in words; generated from the timing when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_text: Option<String>,
    pub source: Source,
    /// False when part of the rule is not confirmed by its sources.
    #[serde(default = "yes")]
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Line of the rule in its policy file (set on loading).
    #[serde(skip_deserializing, default)]
    pub line: u64,
}

fn yes() -> bool {
    true
}

impl Rule {
    /// The deadline in words.
    pub fn due_wording(&self) -> String {
        if let Some(text) = &self.due_text {
            return text.trim().to_owned();
        }
        match (self.timing, self.days) {
            (Timing::Within, Some(days)) => {
                format!("within {days} days of {}", self.clock.describe())
            }
            (Timing::Before, _) => format!("before {}", self.clock.describe()),
            _ => "no time limit set by this rule".to_owned(),
        }
    }
}

/// Which rules feed FDA's enforcement-discretion assessment for the 21 CFR 806 report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscretionSpec {
    /// The 806 report rule: the assessment is made whenever it applies.
    pub report_rule: String,
    /// Condition 2: customers told within its time frame.
    pub communicate_rule: String,
    /// Condition 3: fix validated and distributed within its time frame.
    pub remediate_rule: String,
    pub source: Source,
}

/// A validated regulatory clock policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockPolicy {
    pub name: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub rules: Vec<Rule>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fda_806_discretion: Option<DiscretionSpec>,
    /// The file the policy was read from (`builtin:…` for the default).
    pub file: String,
    /// SHA-256 of the policy text, so a report names exactly the rules it applied.
    pub sha256: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(rename = "medsec-regulatory-clock")]
    format: u32,
    name: String,
    version: String,
    #[serde(default)]
    description: Option<String>,
    rules: Vec<Spanned<Rule>>,
    #[serde(default)]
    fda_806_discretion: Option<Spanned<DiscretionSpec>>,
}

/// One problem found in a policy, at a line of its file (0 when no line is known).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyProblem {
    pub line: u64,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClockPolicyError {
    #[error("cannot read regulatory clock policy {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("regulatory clock policy {file}{}: not a valid policy: {message}", at(*line, *column))]
    Syntax {
        file: String,
        line: u64,
        column: u64,
        message: String,
    },
    #[error(
        "regulatory clock policy {file} has {} problem(s):\n{}",
        problems.len(),
        problems.iter().map(|p| format!("  {file}{}: {}", at(p.line, 0), p.message)).collect::<Vec<_>>().join("\n")
    )]
    Invalid {
        file: String,
        problems: Vec<PolicyProblem>,
    },
}

/// The parser's message without its own location and source snippet: the error shows
/// the location once, as `file:line:column`.
fn plain_message(error: &serde_saphyr::Error) -> String {
    let text = error.without_snippet().to_string();
    let text = text.trim();
    let text = text.strip_prefix("error: ").unwrap_or(text);
    let is_number = |n: &str| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
    // "line 12 column 13: message"
    let text = text
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(": "))
        .filter(|(position, _)| position.split(" column ").all(is_number))
        .map_or(text, |(_, message)| message);
    // "message at line 12, column 13"
    let text = text
        .rsplit_once(" at line ")
        .filter(|(_, position)| position.split(", column ").all(is_number))
        .map_or(text, |(message, _)| message);
    text.to_owned()
}

/// `:line:column` as compilers print it; nothing when unknown.
fn at(line: u64, column: u64) -> String {
    match (line, column) {
        (0, _) => String::new(),
        (l, 0) => format!(":{l}"),
        (l, c) => format!(":{l}:{c}"),
    }
}

impl ClockPolicy {
    /// The built-in policy.
    pub fn default_policy() -> Result<ClockPolicy, ClockPolicyError> {
        ClockPolicy::from_text(DEFAULT_POLICY_FILE, DEFAULT_POLICY)
    }

    /// Read a policy file; errors name the file and, where known, the line.
    pub fn load(path: &Path) -> Result<ClockPolicy, ClockPolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| ClockPolicyError::Io {
            path: path.display().to_string(),
            source,
        })?;
        ClockPolicy::from_text(&path.display().to_string(), &text)
    }

    /// Parse and check a policy; every problem is reported at once, each with its line.
    pub fn from_text(file: &str, text: &str) -> Result<ClockPolicy, ClockPolicyError> {
        let raw: RawPolicy = serde_saphyr::from_str(text).map_err(|e| {
            let location = e.location();
            ClockPolicyError::Syntax {
                file: file.to_owned(),
                line: location.map_or(0, |l| l.line()),
                column: location.map_or(0, |l| l.column()),
                message: plain_message(&e),
            }
        })?;
        let mut problems = Vec::new();
        if raw.format != POLICY_FORMAT {
            problems.push(PolicyProblem {
                line: 0,
                message: format!(
                    "medsec-regulatory-clock: {} is not a format this build reads ({POLICY_FORMAT})",
                    raw.format
                ),
            });
        }
        if raw.name.trim().is_empty() {
            problems.push(PolicyProblem {
                line: 0,
                message: "name is empty".into(),
            });
        }
        if raw.version.trim().is_empty() {
            problems.push(PolicyProblem {
                line: 0,
                message: "version is empty".into(),
            });
        }
        if raw.rules.is_empty() {
            problems.push(PolicyProblem {
                line: 0,
                message: "rules is empty".into(),
            });
        }
        let mut rules = Vec::with_capacity(raw.rules.len());
        let mut seen: BTreeMap<String, u64> = BTreeMap::new();
        for spanned in raw.rules {
            let line = spanned.referenced.line();
            let mut rule = spanned.value;
            rule.line = line;
            for message in rule_problems(&rule) {
                problems.push(PolicyProblem { line, message });
            }
            if let Some(first) = seen.get(&rule.id) {
                problems.push(PolicyProblem {
                    line,
                    message: format!(
                        "rule `{}`: the id is used twice (first at line {first})",
                        rule.id
                    ),
                });
            } else {
                seen.insert(rule.id.clone(), line);
            }
            rules.push(rule);
        }
        let discretion = raw.fda_806_discretion.map(|spanned| {
            let line = spanned.referenced.line();
            for message in discretion_problems(&spanned.value, &rules) {
                problems.push(PolicyProblem { line, message });
            }
            spanned.value
        });
        if !problems.is_empty() {
            problems.sort_by_key(|p| p.line);
            return Err(ClockPolicyError::Invalid {
                file: file.to_owned(),
                problems,
            });
        }
        Ok(ClockPolicy {
            name: raw.name,
            version: raw.version,
            description: raw.description,
            rules,
            fda_806_discretion: discretion,
            file: file.to_owned(),
            sha256: hex(&Sha256::digest(text.as_bytes())),
        })
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    fn info(&self) -> PolicyInfo {
        PolicyInfo {
            name: self.name.clone(),
            version: self.version.clone(),
            file: self.file.clone(),
            sha256: self.sha256.clone(),
        }
    }
}

/// What a rule's own fields cannot express in their types.
fn rule_problems(rule: &Rule) -> Vec<String> {
    let mut problems = Vec::new();
    let id = rule.id.trim();
    let name = if id.is_empty() { "(no id)" } else { id };
    let mut push = |message: String| problems.push(format!("rule `{name}`: {message}"));
    if id.is_empty() || id.chars().any(char::is_whitespace) {
        push("id must be non-empty and without spaces".into());
    }
    if rule.title.trim().is_empty() {
        push("title is empty".into());
    }
    if rule.action.trim().is_empty() {
        push("action is empty".into());
    }
    match (rule.timing, rule.days) {
        (Timing::Within, None) => push("timing `within` needs `days`".into()),
        (Timing::Within, Some(d)) if d > MAX_DAYS => {
            push(format!("days {d} is more than {MAX_DAYS}"));
        }
        (Timing::Before | Timing::Open, Some(_)) => push(format!(
            "days is only used with timing `within`, not `{}`",
            timing_str(rule.timing)
        )),
        _ => {}
    }
    if let Some(stricter) = rule.stricter_days {
        match (rule.timing, rule.days) {
            (Timing::Within, Some(days)) if stricter < days => {}
            (Timing::Within, Some(days)) => push(format!(
                "stricter_days {stricter} must be fewer than days {days}"
            )),
            _ => push("stricter_days is only used with timing `within` and `days`".into()),
        }
        if rule.verified {
            push("stricter_days marks an unconfirmed limit; set `verified: false`".into());
        }
    }
    if rule.source.requirement.trim().is_empty() || !rule.source.requirement.contains(':') {
        push(format!(
            "source.requirement `{}` is not a requirement id (framework:clause)",
            rule.source.requirement
        ));
    }
    if rule.source.clause.trim().is_empty() {
        push("source.clause is empty".into());
    }
    if rule.source.tag.trim().is_empty() {
        push("source.tag is empty".into());
    }
    let when = &rule.when;
    if when.risk.as_ref().is_some_and(Vec::is_empty) {
        push("when.risk is an empty list, so the rule never applies".into());
    }
    if when.serious_incident.as_ref().is_some_and(Vec::is_empty) {
        push("when.serious_incident is an empty list, so the rule never applies".into());
    }
    // A clock whose event the condition does not require would often have no date.
    match rule.clock {
        ClockStart::Aware => {
            let requires_incident = when
                .serious_incident
                .as_ref()
                .is_some_and(|m| !m.is_empty() && !m.contains(&IncidentMatch::None));
            if !requires_incident {
                push(
                    "clock `aware` needs `when.serious_incident` naming incidents (not `none`)"
                        .into(),
                );
            }
        }
        ClockStart::FscaPlanned => {
            if when.fsca != Some(true) {
                push("clock `fsca-planned` needs `when.fsca: true`".into());
            }
        }
        ClockStart::Identified => {}
    }
    problems
}

fn discretion_problems(spec: &DiscretionSpec, rules: &[Rule]) -> Vec<String> {
    let mut problems = Vec::new();
    let find = |id: &str| rules.iter().find(|r| r.id == id);
    for (field, id, needs_days) in [
        ("report_rule", &spec.report_rule, false),
        ("communicate_rule", &spec.communicate_rule, true),
        ("remediate_rule", &spec.remediate_rule, true),
    ] {
        match find(id) {
            None => problems.push(format!(
                "fda_806_discretion.{field}: no rule `{id}` in the policy"
            )),
            Some(rule) => {
                if rule.market != MarketId::Fda {
                    problems.push(format!(
                        "fda_806_discretion.{field}: rule `{id}` is not an fda rule"
                    ));
                }
                if needs_days && (rule.timing != Timing::Within || rule.days.is_none()) {
                    problems.push(format!(
                        "fda_806_discretion.{field}: rule `{id}` needs timing `within` with days"
                    ));
                }
            }
        }
    }
    if spec.source.requirement.trim().is_empty() || spec.source.tag.trim().is_empty() {
        problems.push("fda_806_discretion.source needs a requirement and a tag".into());
    }
    problems
}

fn timing_str(timing: Timing) -> &'static str {
    match timing {
        Timing::Within => "within",
        Timing::Before => "before",
        Timing::Open => "open",
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

// ---------------------------------------------------------------------------------------
// Facts
// ---------------------------------------------------------------------------------------

/// A serious incident linked to the finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriousIncident {
    pub kind: IncidentKind,
    /// When the manufacturer became aware of it, as its vigilance procedure dates it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aware: Option<Date>,
}

/// A planned field safety corrective action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FscaPlan {
    /// The planned start; absent while not fixed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Date>,
}

/// What the classification needs to know about one finding on one device. Each field is
/// a fact someone records; nothing is inferred.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingFacts {
    /// Markets the device is on; rules for other markets do not apply.
    #[serde(default)]
    pub markets: Vec<MarketId>,
    /// Whether triage found the device affected.
    #[serde(default)]
    pub affected: bool,
    /// When the manufacturer learned of the vulnerability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identified: Option<Date>,
    /// Risk to essential clinical performance.
    #[serde(default)]
    pub risk: RiskControl,
    /// Known serious adverse events or deaths associated with the vulnerability.
    #[serde(default)]
    pub serious_adverse_events: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serious_incident: Option<SeriousIncident>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fsca: Option<FscaPlan>,
    /// The manufacturer participates in an ISAO.
    #[serde(default)]
    pub isao_member: bool,
    /// Obligations already met: rule id → the date it was done.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub done: BTreeMap<String, Date>,
}

impl FindingFacts {
    /// The date a clock starts from, when the facts record it.
    pub fn clock_date(&self, clock: ClockStart) -> Option<Date> {
        match clock {
            ClockStart::Identified => self.identified,
            ClockStart::Aware => self.serious_incident.as_ref().and_then(|i| i.aware),
            ClockStart::FscaPlanned => self.fsca.as_ref().and_then(|f| f.start),
        }
    }

    fn on_market(&self, market: MarketId) -> bool {
        self.markets.contains(&market)
    }
}

// ---------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------

/// Where an obligation stands on the day of the classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Status {
    DueIn {
        days: i64,
    },
    DueToday,
    Overdue {
        days: i64,
    },
    /// The clock date is after the classification day.
    NotStarted,
    /// The clock's event is not dated in the facts.
    StartDateUnknown,
    /// The rule sets no time limit.
    NoFixedDate,
    /// Recorded as done; `late_by_days` is 0 when on time, absent when there was no date.
    Done {
        on: Date,
        #[serde(skip_serializing_if = "Option::is_none")]
        late_by_days: Option<i64>,
    },
}

impl Status {
    /// Days past the deadline (negative: days left), for statuses measured against one.
    pub fn days_late(self) -> Option<i64> {
        match self {
            Status::DueIn { days } => Some(-days),
            Status::DueToday => Some(0),
            Status::Overdue { days } => Some(days),
            _ => None,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: i64| if n == 1 { "" } else { "s" };
        match *self {
            Status::DueIn { days } => write!(f, "due in {days} day{}", plural(days)),
            Status::DueToday => f.write_str("due today"),
            Status::Overdue { days } => write!(f, "overdue by {days} day{}", plural(days)),
            Status::NotStarted => f.write_str("not started"),
            Status::StartDateUnknown => f.write_str("clock date not recorded"),
            Status::NoFixedDate => f.write_str("no fixed date"),
            Status::Done {
                on,
                late_by_days: Some(late),
            } if late > 0 => write!(f, "done on {on}, {late} day{} late", plural(late)),
            Status::Done { on, .. } => write!(f, "done on {on}"),
        }
    }
}

/// One thing due under one rule for one finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Obligation {
    /// Always true: a reading of the policy, not a determination.
    pub decision_support: bool,
    pub rule: String,
    pub market: MarketId,
    pub basis: Basis,
    pub title: String,
    pub action: String,
    pub clock: ClockStart,
    /// The clock's event date, when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock_date: Option<Date>,
    pub timing: Timing,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// The deadline, or for `before` the date the action must precede.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<Date>,
    /// The deadline in words ("no later than 15 days after awareness").
    pub due_text: String,
    /// The date under the stricter, unconfirmed limit, when the rule names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stricter_due: Option<Date>,
    pub status: Status,
    /// `status` in words.
    pub status_text: String,
    pub source: Source,
    /// False when part of the rule is not confirmed by its sources.
    pub verified: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The state of one condition of FDA's enforcement discretion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConditionState {
    Holds,
    Fails,
    /// Not met yet, but its time frame has not ended.
    Open,
    /// The facts do not tell.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiscretionCondition {
    /// 1 to 4, as the guidance orders them.
    pub number: u8,
    pub condition: String,
    pub state: ConditionState,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiscretionOutcome {
    /// All four hold on the facts recorded.
    AllHold,
    /// None fails, but some are open or unknown.
    Open,
    /// At least one fails: the 806 report is expected.
    NotAvailable,
}

/// Whether FDA's stated enforcement discretion on the 21 CFR 806 report is available for
/// an uncontrolled risk, condition by condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiscretionAssessment {
    pub decision_support: bool,
    /// True inside a risk scenario (the risk is not assessed yet).
    pub hypothetical: bool,
    pub conditions: Vec<DiscretionCondition>,
    pub outcome: DiscretionOutcome,
    pub summary: String,
    pub source: Source,
}

/// The obligations that would apply if the unassessed risk turned out one way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskScenario {
    /// The outcome assumed.
    pub risk: RiskControl,
    /// Obligations that apply only under this outcome (those that apply either way are in
    /// the classification's own list).
    pub obligations: Vec<Obligation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fda_806_discretion: Option<DiscretionAssessment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyInfo {
    pub name: String,
    pub version: String,
    pub file: String,
    pub sha256: String,
}

/// The regulatory clock for one finding on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Classification {
    pub decision_support: bool,
    pub disclaimer: String,
    pub policy: PolicyInfo,
    pub today: Date,
    pub affected: bool,
    /// Risk as recorded in the facts.
    pub risk: RiskControl,
    /// Sorted by due date (undated last), then rule id.
    pub obligations: Vec<Obligation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fda_806_discretion: Option<DiscretionAssessment>,
    /// When the risk is not assessed: what each outcome would add.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub if_risk: Vec<RiskScenario>,
    pub notes: Vec<String>,
}

// ---------------------------------------------------------------------------------------
// Classification
// ---------------------------------------------------------------------------------------

/// Apply `policy` to one finding's `facts` as of `today`.
pub fn classify(policy: &ClockPolicy, facts: &FindingFacts, today: Date) -> Classification {
    let mut out = Classification {
        decision_support: true,
        disclaimer: DISCLAIMER.to_owned(),
        policy: policy.info(),
        today,
        affected: facts.affected,
        risk: facts.risk,
        obligations: Vec::new(),
        fda_806_discretion: None,
        if_risk: Vec::new(),
        notes: Vec::new(),
    };
    if !facts.affected {
        out.notes.push(
            "The finding does not affect the device: no regulatory time frame runs for it. \
             Classify it again if triage finds it affected."
                .to_owned(),
        );
        return out;
    }

    let mut conditional: BTreeMap<RiskControl, Vec<&Rule>> = BTreeMap::new();
    let mut off_market: BTreeMap<&'static str, usize> = BTreeMap::new();
    for rule in &policy.rules {
        if !facts.on_market(rule.market) {
            *off_market.entry(rule.market.as_str()).or_default() += 1;
            continue;
        }
        match rule.when.applies(facts) {
            Applies::Yes => out.obligations.push(obligation(rule, facts, today)),
            Applies::No => {}
            Applies::IfRisk(outcomes) => {
                for outcome in outcomes {
                    conditional.entry(outcome).or_default().push(rule);
                }
            }
        }
    }
    sort(&mut out.obligations);
    out.fda_806_discretion = discretion(policy, facts, &out.obligations, today, false);

    for (risk, rules) in conditional {
        let assumed = FindingFacts {
            risk,
            ..facts.clone()
        };
        let mut obligations: Vec<Obligation> = rules
            .into_iter()
            .map(|r| obligation(r, &assumed, today))
            .collect();
        sort(&mut obligations);
        let fda_806_discretion = discretion(policy, &assumed, &obligations, today, true);
        out.if_risk.push(RiskScenario {
            risk,
            obligations,
            fda_806_discretion,
        });
    }

    notes(&mut out, policy, facts, &off_market);
    out
}

fn notes(
    out: &mut Classification,
    policy: &ClockPolicy,
    facts: &FindingFacts,
    off_market: &BTreeMap<&'static str, usize>,
) {
    if facts.markets.is_empty() {
        out.notes.push(
            "No market is recorded for the device, so no rule applies. Record its markets."
                .to_owned(),
        );
    }
    if !off_market.is_empty() {
        let list: Vec<String> = off_market
            .iter()
            .map(|(m, n)| format!("{m} ({n} rule{})", if *n == 1 { "" } else { "s" }))
            .collect();
        out.notes.push(format!(
            "Rules for markets the device is not on were not applied: {}.",
            list.join(", ")
        ));
    }
    let mut markets = facts.markets.clone();
    markets.sort_by_key(|m| m.as_str());
    markets.dedup();
    for market in &markets {
        let has_rules = policy.rules.iter().any(|r| r.market == *market);
        let applied = out.obligations.iter().any(|o| o.market == *market)
            || out
                .if_risk
                .iter()
                .any(|s| s.obligations.iter().any(|o| o.market == *market));
        if !has_rules {
            out.notes.push(format!(
                "The policy has no rule for market {}: its time frames are not shown.",
                market.as_str()
            ));
        } else if !applied {
            let why = match market {
                MarketId::EuMdr | MarketId::EuIvdr => {
                    " (its vigilance limits run from a serious incident or ahead of an \
                     FSCA; neither is recorded)"
                }
                _ => "",
            };
            out.notes.push(format!(
                "No rule for market {} applies to these facts{why}.",
                market.as_str()
            ));
        }
    }
    if facts.risk == RiskControl::NotAssessed && !out.if_risk.is_empty() {
        let since = facts
            .identified
            .map(|d| format!(" The FDA time frames count from {d} whatever the outcome."))
            .unwrap_or_default();
        out.notes.push(format!(
            "The risk to essential clinical performance is not assessed: the obligations \
             that depend on it are shown under each outcome in `if_risk`, not guessed.{since}"
        ));
    }
    for id in facts.done.keys() {
        if policy.rule(id).is_none() {
            out.notes.push(format!(
                "A completion is recorded for `{id}`, which is not a rule of this policy."
            ));
        }
    }
}

/// "condition 4 does" / "conditions 1, 2 and 4 do".
fn numbered(numbers: &[u8], singular_verb: &str, plural_verb: &str) -> String {
    match numbers {
        [one] => format!("condition {one} {singular_verb}"),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(u8::to_string).collect();
            format!("conditions {} and {last} {plural_verb}", init.join(", "))
        }
        [] => String::new(),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn sort(obligations: &mut [Obligation]) {
    obligations
        .sort_by(|a, b| (a.due.is_none(), a.due, &a.rule).cmp(&(b.due.is_none(), b.due, &b.rule)));
}

fn add_days(date: Date, days: u32) -> Option<Date> {
    let span = jiff::Span::new().try_days(i64::from(days)).ok()?;
    date.checked_add(span).ok()
}

/// `to - from` in days.
fn days_between(from: Date, to: Date) -> Option<i64> {
    from.until((jiff::Unit::Day, to))
        .ok()
        .map(|s| i64::from(s.get_days()))
}

fn obligation(rule: &Rule, facts: &FindingFacts, today: Date) -> Obligation {
    let clock_date = facts.clock_date(rule.clock);
    let mut notes = Vec::new();
    let (due, stricter_due) = match (rule.timing, clock_date) {
        (Timing::Within, Some(start)) => (
            rule.days.and_then(|d| add_days(start, d)),
            rule.stricter_days.and_then(|d| add_days(start, d)),
        ),
        (Timing::Before, Some(start)) => (Some(start), None),
        _ => (None, None),
    };
    if rule.timing != Timing::Open && clock_date.is_some() && due.is_none() {
        notes.push("The deadline falls outside the calendar range; check the dates.".to_owned());
    }
    let done = facts.done.get(&rule.id).copied();
    let status = match (done, rule.timing, clock_date, due) {
        (Some(on), _, _, due) => Status::Done {
            on,
            late_by_days: due.and_then(|d| days_between(d, on)).map(|n| n.max(0)),
        },
        (None, Timing::Open, _, _) => Status::NoFixedDate,
        (None, _, None, _) => Status::StartDateUnknown,
        (None, Timing::Within, Some(start), _) if start > today => Status::NotStarted,
        (None, _, Some(_), Some(due)) => match days_between(today, due) {
            Some(n) if n > 0 => Status::DueIn { days: n },
            Some(0) => Status::DueToday,
            Some(n) => Status::Overdue { days: -n },
            None => Status::NoFixedDate,
        },
        (None, _, Some(_), None) => Status::NoFixedDate,
    };
    if status == Status::StartDateUnknown {
        notes.push(format!(
            "No date: {} is not recorded. The deadline is {}.",
            rule.clock.describe(),
            rule.due_wording()
        ));
    }
    if let (Some(days), Some(date)) = (rule.stricter_days, stricter_due) {
        notes.push(format!(
            "Under the stricter {days}-day limit, which the sources did not confirm, the date \
             would be {date}."
        ));
    }
    if let Some(text) = &rule.notes {
        notes.push(text.trim().to_owned());
    }
    Obligation {
        decision_support: true,
        rule: rule.id.clone(),
        market: rule.market,
        basis: rule.basis,
        title: rule.title.clone(),
        action: rule.action.trim().to_owned(),
        clock: rule.clock,
        clock_date,
        timing: rule.timing,
        days: rule.days,
        due,
        due_text: rule.due_wording(),
        stricter_due,
        status_text: status.to_string(),
        status,
        source: rule.source.clone(),
        verified: rule.verified,
        notes,
    }
}

/// The enforcement-discretion assessment, made when the policy's 806 report rule is among
/// `obligations`.
fn discretion(
    policy: &ClockPolicy,
    facts: &FindingFacts,
    obligations: &[Obligation],
    today: Date,
    hypothetical: bool,
) -> Option<DiscretionAssessment> {
    let spec = policy.fda_806_discretion.as_ref()?;
    if !obligations.iter().any(|o| o.rule == spec.report_rule) {
        return None;
    }
    let mut conditions = Vec::with_capacity(4);
    conditions.push(if facts.serious_adverse_events {
        DiscretionCondition {
            number: 1,
            condition: "No known serious adverse events or deaths".to_owned(),
            state: ConditionState::Fails,
            reason: "Known serious adverse events or deaths are recorded.".to_owned(),
        }
    } else {
        DiscretionCondition {
            number: 1,
            condition: "No known serious adverse events or deaths".to_owned(),
            state: ConditionState::Holds,
            reason: "None are recorded.".to_owned(),
        }
    });
    for (number, id, what) in [
        (
            2u8,
            &spec.communicate_rule,
            "customers are told of the vulnerability, interim compensating controls and \
             the remediation plan",
        ),
        (
            3u8,
            &spec.remediate_rule,
            "the fix is validated and distributed",
        ),
    ] {
        let Some(rule) = policy.rule(id) else {
            continue;
        };
        let o = obligation(rule, facts, today);
        let days = rule.days.unwrap_or_default();
        let condition =
            format!("Within {days} days of learning of the vulnerability, {what} (rule `{id}`)");
        let due = o.due.map(|d| d.to_string()).unwrap_or_default();
        let (state, reason) = match o.status {
            Status::Done {
                on,
                late_by_days: Some(0),
            } => (
                ConditionState::Holds,
                format!("Done on {on}, by the deadline {due}."),
            ),
            Status::Done {
                on,
                late_by_days: Some(late),
            } => (
                ConditionState::Fails,
                format!(
                    "Done on {on}, {late} day{} after the deadline {due}.",
                    if late == 1 { "" } else { "s" }
                ),
            ),
            Status::DueIn { .. } | Status::DueToday | Status::NotStarted => (
                ConditionState::Open,
                format!("Not recorded as done; the deadline is {due}."),
            ),
            Status::Overdue { .. } => (
                ConditionState::Fails,
                format!(
                    "Not recorded as done and the deadline {due} has passed; if it was done \
                     in time, record the date."
                ),
            ),
            Status::Done { on, .. } => (
                ConditionState::Unknown,
                format!("Done on {on}, but the deadline cannot be dated."),
            ),
            Status::StartDateUnknown | Status::NoFixedDate => (
                ConditionState::Unknown,
                "The date the manufacturer learned of the vulnerability is not recorded."
                    .to_owned(),
            ),
        };
        conditions.push(DiscretionCondition {
            number,
            condition,
            state,
            reason,
        });
    }
    conditions.push(DiscretionCondition {
        number: 4,
        condition: "The manufacturer participates actively in an ISAO".to_owned(),
        state: if facts.isao_member {
            ConditionState::Holds
        } else {
            ConditionState::Fails
        },
        reason: if facts.isao_member {
            "ISAO participation is recorded. Active participation (§IX) also means sharing \
             vulnerability information and customer notices with the ISAO and acting on what \
             it shares; keep the evidence."
                .to_owned()
        } else {
            "No ISAO participation is recorded.".to_owned()
        },
    });
    let failing: Vec<u8> = conditions
        .iter()
        .filter(|c| c.state == ConditionState::Fails)
        .map(|c| c.number)
        .collect();
    let pending: Vec<u8> = conditions
        .iter()
        .filter(|c| matches!(c.state, ConditionState::Open | ConditionState::Unknown))
        .map(|c| c.number)
        .collect();
    let (outcome, summary) = if !failing.is_empty() {
        (
            DiscretionOutcome::NotAvailable,
            format!(
                "{} not hold: the 21 CFR 806 report is expected, unless the correction was \
                 already reported under 21 CFR 803 or 1004.",
                capitalised(&numbered(&failing, "does", "do"))
            ),
        )
    } else if !pending.is_empty() {
        (
            DiscretionOutcome::Open,
            format!(
                "No condition fails yet; {} open or unknown. If all four hold, FDA states it \
                 does not intend to enforce the 21 CFR 806 report.",
                numbered(&pending, "is", "are")
            ),
        )
    } else {
        (
            DiscretionOutcome::AllHold,
            "All four conditions hold on the facts recorded: FDA states it does not intend \
             to enforce the 21 CFR 806 report for this vulnerability."
                .to_owned(),
        )
    };
    Some(DiscretionAssessment {
        decision_support: true,
        hypothetical,
        conditions,
        outcome,
        summary,
        source: spec.source.clone(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn default_policy_loads_and_keeps_its_hash() {
        let policy = ClockPolicy::default_policy().unwrap();
        assert_eq!(policy.file, DEFAULT_POLICY_FILE);
        assert_eq!(policy.sha256.len(), 64);
        assert!(policy.rules.iter().all(|r| r.line > 0));
        assert!(policy.fda_806_discretion.is_some());
    }

    #[test]
    fn conditions_with_unassessed_risk_are_not_guessed() {
        let when = Condition {
            risk: Some(vec![RiskControl::Uncontrolled]),
            ..Condition::default()
        };
        let facts = FindingFacts::default();
        assert_eq!(
            when.applies(&facts),
            Applies::IfRisk(vec![RiskControl::Uncontrolled])
        );
        let facts = FindingFacts {
            risk: RiskControl::Controlled,
            ..FindingFacts::default()
        };
        assert_eq!(when.applies(&facts), Applies::No);
    }

    #[test]
    fn incident_matches() {
        assert!(IncidentMatch::None.matches(None));
        assert!(!IncidentMatch::Any.matches(None));
        assert!(IncidentMatch::Any.matches(Some(IncidentKind::Other)));
        assert!(!IncidentMatch::Death.matches(Some(IncidentKind::Other)));
    }

    #[test]
    fn day_arithmetic() {
        assert_eq!(add_days(date("2025-12-20"), 15), Some(date("2026-01-04")));
        assert_eq!(add_days(date("2024-02-28"), 2), Some(date("2024-03-01")));
        assert_eq!(
            days_between(date("2026-01-01"), date("2025-12-30")),
            Some(-2)
        );
        assert_eq!(add_days(date("9999-12-30"), 15), None);
    }

    #[test]
    fn status_text() {
        assert_eq!(Status::DueIn { days: 1 }.to_string(), "due in 1 day");
        assert_eq!(Status::Overdue { days: 3 }.to_string(), "overdue by 3 days");
        assert_eq!(Status::DueToday.to_string(), "due today");
    }
}
