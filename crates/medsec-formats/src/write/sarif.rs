//! SARIF 2.1.0 (OASIS, *Static Analysis Results Interchange Format Version 2.1.0*, errata 01)
//! for CI annotations: one run, tool `medsec` with its rules, one result per finding.
//!
//! * `tool.driver.rules` holds every rule the caller describes plus every rule a finding
//!   names, sorted by id (§3.19.23); each result gives `ruleId` and `ruleIndex` into it
//!   (§3.27.5, §3.27.6).
//! * `level` is `error`, `warning`, `note` or `none` (§3.27.10).
//! * A location is an artifact URI (a relative reference such as `examples/x/device.yaml`,
//!   §3.4.3) with an optional region; lines and columns are 1-based (§3.30.5–§3.30.8), so
//!   0 is refused.
//! * `properties` is the result's property bag (§3.8), keys sorted.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{WriteError, Written, to_json};

pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// SARIF `result.level` (§3.27.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    None,
    Note,
    Warning,
    Error,
}

/// A rule: what a finding's `rule_id` means.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rule {
    pub id: String,
    pub name: Option<String>,
    pub short_description: Option<String>,
    pub help_uri: Option<String>,
}

impl Rule {
    pub fn new(id: impl Into<String>) -> Self {
        Rule {
            id: id.into(),
            name: None,
            short_description: None,
            help_uri: None,
        }
    }

    pub fn described(mut self, text: impl Into<String>) -> Self {
        self.short_description = Some(text.into());
        self
    }

    pub fn with_help_uri(mut self, uri: impl Into<String>) -> Self {
        self.help_uri = Some(uri.into());
        self
    }
}

/// A region in an artifact; 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Region {
    pub start_line: u32,
    pub start_column: Option<u32>,
    pub end_line: Option<u32>,
    pub end_column: Option<u32>,
}

impl Region {
    pub fn line(start_line: u32) -> Self {
        Region {
            start_line,
            ..Region::default()
        }
    }

    pub fn span(start_line: u32, start_column: u32, end_line: u32, end_column: u32) -> Self {
        Region {
            start_line,
            start_column: Some(start_column),
            end_line: Some(end_line),
            end_column: Some(end_column),
        }
    }
}

/// Where a finding is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Location {
    pub uri: String,
    pub region: Option<Region>,
}

impl Location {
    pub fn new(uri: impl Into<String>, region: Option<Region>) -> Self {
        Location {
            uri: uri.into(),
            region,
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Finding {
    pub rule_id: String,
    pub level: Level,
    pub message: String,
    pub location: Option<Location>,
    pub properties: BTreeMap<String, serde_json::Value>,
}

impl Finding {
    pub fn new(rule_id: impl Into<String>, level: Level, message: impl Into<String>) -> Self {
        Finding {
            rule_id: rule_id.into(),
            level,
            message: message.into(),
            location: None,
            properties: BTreeMap::new(),
        }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn with_property(mut self, key: impl Into<String>, value: serde_json::Value) -> Self {
        self.properties.insert(key.into(), value);
        self
    }
}

/// The tool that ran.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Tool {
    pub version: Option<String>,
    pub information_uri: Option<String>,
}

impl Tool {
    pub fn new(version: Option<String>, information_uri: Option<String>) -> Self {
        Tool {
            version,
            information_uri,
        }
    }
}

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
struct Run {
    tool: WTool,
    results: Vec<WResult>,
}

#[derive(Serialize)]
struct WTool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<String>,
    rules: Vec<WRule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WRule {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    short_description: Option<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WResult {
    rule_id: String,
    rule_index: usize,
    level: Level,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<WLocation>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    properties: BTreeMap<String, serde_json::Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<WRegion>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WRegion {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
}

fn check_region(r: &Region, what: &str) -> Result<(), WriteError> {
    let bad = |m: &str| Err(WriteError::Sarif(format!("{what}: {m}")));
    if r.start_line == 0
        || r.start_column == Some(0)
        || r.end_line == Some(0)
        || r.end_column == Some(0)
    {
        return bad("lines and columns are 1-based (SARIF 2.1.0 §3.30.5–§3.30.8)");
    }
    if r.end_line.is_some_and(|e| e < r.start_line) {
        return bad("the region ends before it starts");
    }
    Ok(())
}

/// An artifact URI: a URI reference without spaces, backslashes or control characters
/// (RFC 3986; Windows paths must be converted by the caller).
fn uri_ok(u: &str) -> bool {
    !u.is_empty()
        && !u.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '\\' | '<' | '>' | '"' | '{' | '}' | '|' | '^' | '`')
        })
}

/// Writes a SARIF 2.1.0 log with one run.
pub fn write(tool: &Tool, rules: &[Rule], findings: &[Finding]) -> Result<Written, WriteError> {
    let mut by_id: BTreeMap<String, Rule> = BTreeMap::new();
    for r in rules {
        if r.id.trim().is_empty() {
            return Err(WriteError::Sarif("a rule has an empty id".into()));
        }
        if by_id.insert(r.id.clone(), r.clone()).is_some() {
            return Err(WriteError::Sarif(format!(
                "rule {:?} is described twice",
                r.id
            )));
        }
    }
    for f in findings {
        if f.rule_id.trim().is_empty() {
            return Err(WriteError::Sarif("a finding has an empty rule id".into()));
        }
        by_id
            .entry(f.rule_id.clone())
            .or_insert_with(|| Rule::new(f.rule_id.clone()));
    }
    let index: BTreeMap<&str, usize> = by_id
        .keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let mut results = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        if f.message.trim().is_empty() {
            return Err(WriteError::Sarif(format!("finding {i} has no message")));
        }
        // §3.8.2: a property bag's `tags` is an array of unique strings.
        if let Some(tags) = f.properties.get("tags") {
            let ok = tags.as_array().is_some_and(|a| {
                let strings: Vec<&str> = a.iter().filter_map(serde_json::Value::as_str).collect();
                let unique: std::collections::BTreeSet<&str> = strings.iter().copied().collect();
                strings.len() == a.len() && unique.len() == a.len()
            });
            if !ok {
                return Err(WriteError::Sarif(format!(
                    "finding {i}: property `tags` must be an array of unique strings (§3.8.2)"
                )));
            }
        }
        let mut locations = Vec::new();
        if let Some(l) = &f.location {
            if !uri_ok(&l.uri) {
                return Err(WriteError::Sarif(format!(
                    "finding {i}: {:?} is not a URI reference",
                    l.uri
                )));
            }
            if let Some(r) = &l.region {
                check_region(r, &format!("finding {i}"))?;
            }
            locations.push(WLocation {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation { uri: l.uri.clone() },
                    region: l.region.map(|r| WRegion {
                        start_line: r.start_line,
                        start_column: r.start_column,
                        end_line: r.end_line,
                        end_column: r.end_column,
                    }),
                },
            });
        }
        results.push(WResult {
            rule_id: f.rule_id.clone(),
            rule_index: index.get(f.rule_id.as_str()).copied().unwrap_or_default(),
            level: f.level,
            message: Message {
                text: f.message.clone(),
            },
            locations,
            properties: f.properties.clone(),
        });
    }
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: WTool {
                driver: Driver {
                    name: "medsec",
                    version: tool.version.clone(),
                    information_uri: tool.information_uri.clone(),
                    rules: by_id
                        .into_values()
                        .map(|r| WRule {
                            id: r.id,
                            name: r.name,
                            short_description: r.short_description.map(|text| Message { text }),
                            help_uri: r.help_uri,
                        })
                        .collect(),
                },
            },
            results,
        }],
    };
    Ok(Written {
        json: to_json(&log)?,
        normalisations: Vec::new(),
    })
}
