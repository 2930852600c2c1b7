//! Findings as SARIF 2.1.0, for CI annotations: one rule per vulnerability, one result
//! per finding, located at the SBOM file.

use medsec_formats::write::WriteError;
use medsec_formats::write::sarif::{Finding as SarifFinding, Level, Location, Rule, Tool, write};
use medsec_match::MatchStatus;

use crate::engine::confidence_str;
use crate::finding::Severity;
use crate::report::ScanReport;

/// SARIF levels: critical and high are errors, medium a warning, the rest notes; a
/// finding that is not (yet) known to be affected is a note whatever its severity.
fn level(status: MatchStatus, severity: Severity) -> Level {
    if status != MatchStatus::Affected {
        return Level::Note;
    }
    match severity {
        Severity::Critical | Severity::High => Level::Error,
        Severity::Medium => Level::Warning,
        _ => Level::Note,
    }
}

/// The SARIF log of a scan; `sbom_uri` is the SBOM's path as the user gave it
/// (relative, forward slashes).
pub fn to_sarif(report: &ScanReport, sbom_uri: &str) -> Result<String, WriteError> {
    let mut rules: Vec<Rule> = Vec::new();
    let mut results = Vec::new();
    for f in &report.findings {
        if !rules.iter().any(|r| r.id == f.vulnerability) {
            let mut rule = Rule::new(f.vulnerability.clone());
            if let Some(title) = &f.title {
                rule = rule.described(title.clone());
            }
            rules.push(rule);
        }
        let component = match (&f.component.purl, &f.component.version) {
            (Some(purl), _) => purl.clone(),
            (None, Some(v)) => format!("{} {v}", f.component.name),
            (None, None) => f.component.name.clone(),
        };
        let mut message = format!(
            "{} in {component}: {} ({} severity, {} confidence)",
            f.vulnerability,
            f.status.as_str().replace('_', " "),
            f.severity,
            confidence_str(f.confidence)
        );
        if !f.fixed_in.is_empty() {
            message.push_str(&format!("; fixed in {}", f.fixed_in.join(", ")));
        }
        if f.known_exploited {
            message.push_str("; in CISA KEV");
        }
        let mut result = SarifFinding::new(
            f.vulnerability.clone(),
            level(f.status, f.severity),
            message,
        )
        .at(Location::new(sbom_uri.to_string(), None))
        .with_property("component", serde_json::json!(f.component))
        .with_property("severity", serde_json::json!(f.severity))
        .with_property("confidence", serde_json::json!(f.confidence))
        .with_property("status", serde_json::json!(f.status))
        .with_property("knownExploited", serde_json::json!(f.known_exploited));
        if let Some(score) = &f.score {
            result = result.with_property("score", serde_json::json!(score));
        }
        if !f.aliases.is_empty() {
            result = result.with_property("aliases", serde_json::json!(f.aliases));
        }
        results.push(result);
    }
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let tool = Tool::new(Some(env!("CARGO_PKG_VERSION").to_string()), None);
    Ok(write(&tool, &rules, &results)?.json)
}
