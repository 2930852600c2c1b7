//! The charts of the report, filled from the report's inputs: the risk matrix before and
//! after controls (FMEA section), coverage per framework (requirements section) and open
//! findings by severity over time (vulnerability section, from the portfolio's
//! monitoring history).

use std::collections::BTreeMap;

use medsec_threat::RiskLevel;

use super::{FindingEvent, ReportInput};
use crate::charts::{
    FrameworkCoverage, FrameworkRow, RiskMatrix, SeverityCounts, SeverityTimeline, TimelinePoint,
    Verdict,
};
use crate::doc::Block;

fn subject(input: &ReportInput<'_>) -> String {
    let d = &input.loaded.device.device;
    format!("{} {}", d.name, d.version)
}

fn verdict(level: RiskLevel) -> Option<Verdict> {
    match level {
        RiskLevel::Acceptable => Some(Verdict::Acceptable),
        RiskLevel::AlarpReview => Some(Verdict::AlarpReview),
        RiskLevel::Unacceptable => Some(Verdict::Unacceptable),
        RiskLevel::NotAssessed => None,
    }
}

/// The risk policy's matrix with the FMEA rows counted into it, before and after
/// controls. Rows without a severity (no harm declared) are counted beside the matrix.
pub(crate) fn risk_matrix(input: &ReportInput<'_>) -> Block {
    let policy = input.risk_policy;
    let severity_levels: Vec<String> = policy
        .severity
        .levels
        .iter()
        .map(|l| l.id.clone())
        .collect();
    let exploitability_levels = policy.exploitability.levels.clone();
    let verdicts: Vec<Vec<Verdict>> = severity_levels
        .iter()
        .map(|s| {
            policy
                .matrix
                .get(s)
                // Stops at a cell with no verdict, so that later cells are drawn as "no
                // verdict" rather than shifted.
                .map(|row| row.iter().map_while(|l| verdict(*l)).collect())
                .unwrap_or_default()
        })
        .collect();
    let empty = vec![vec![0u64; exploitability_levels.len()]; severity_levels.len()];
    let (mut before, mut after) = (empty.clone(), empty);
    let (mut not_assessed_before, mut not_assessed_after) = (0u64, 0u64);
    let index = |levels: &[String], name: &str| levels.iter().position(|l| l == name);
    for row in &input.register.rows {
        let Some(s) = row
            .severity
            .as_ref()
            .and_then(|l| index(&severity_levels, &l.level))
        else {
            not_assessed_before += 1;
            not_assessed_after += 1;
            continue;
        };
        match index(&exploitability_levels, &row.exploitability.level) {
            Some(e) => before[s][e] += 1,
            None => not_assessed_before += 1,
        }
        match index(&exploitability_levels, &row.residual_exploitability.level) {
            Some(e) => after[s][e] += 1,
            None => not_assessed_after += 1,
        }
    }
    let chart = RiskMatrix {
        subject: Some(subject(input)),
        severity_levels,
        exploitability_levels,
        verdicts,
        before,
        after,
        not_assessed_before,
        not_assessed_after,
    };
    Block::Figure {
        svg: chart.to_svg(),
        caption: format!(
            "FMEA rows in the acceptability matrix of the risk policy `{}`, before and after the declared controls ({} rows; rows with no harm declared are counted beside the matrix).",
            policy.name,
            input.register.rows.len()
        ),
    }
}

/// Clause counts per applicable framework, in the coverage's order.
pub(crate) fn coverage(input: &ReportInput<'_>) -> Block {
    let frameworks: Vec<FrameworkRow> = input
        .coverage
        .frameworks
        .iter()
        .filter(|f| f.applies)
        .map(|f| FrameworkRow {
            name: f.short.clone(),
            covered: f.covered as u64,
            partly: f.partly as u64,
            open: f.open as u64,
            not_applicable: f.not_applicable as u64,
        })
        .collect();
    let chart = FrameworkCoverage {
        subject: Some(subject(input)),
        frameworks,
    };
    Block::Figure {
        svg: chart.to_svg(),
        caption: "Requirements coverage per applicable framework: clauses covered (controls declared and their tests passed), partly covered (declared, not yet verified) and open.".into(),
    }
}

/// Open findings by severity after each monitoring event of the portfolio version, and
/// on the report's date. Each finding is counted under its current severity.
pub(crate) fn timeline(input: &ReportInput<'_>) -> Option<Block> {
    let history = input.findings_history.as_ref()?;
    let points = timeline_points(&history.events, &input.generated_at.to_string());
    let chart = SeverityTimeline {
        subject: Some(format!("{} (portfolio)", history.version)),
        points,
    };
    Some(Block::Figure {
        svg: chart.to_svg(),
        caption: format!(
            "Open findings of {} by severity, from the portfolio's monitoring history ({} events); each finding is counted under its severity today.",
            history.version,
            history.events.len()
        ),
    })
}

/// The open findings per severity at the end of each day on which an event happened,
/// and on `today` (an RFC 3339 time). A finding is open from `new` or `reopened` until
/// `resolved`; `changed` keeps it as it was.
pub(crate) fn timeline_points(events: &[FindingEvent], today: &str) -> Vec<TimelinePoint> {
    let mut by_day: BTreeMap<String, Vec<&FindingEvent>> = BTreeMap::new();
    for e in events {
        by_day.entry(day(&e.at)).or_default().push(e);
    }
    let mut open: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    let mut points = Vec::new();
    let count = |open: &BTreeMap<(&str, &str), &str>| {
        let mut c = SeverityCounts::default();
        for severity in open.values() {
            match severity.to_ascii_lowercase().as_str() {
                "critical" => c.critical += 1,
                "high" => c.high += 1,
                "medium" => c.medium += 1,
                "low" => c.low += 1,
                "none" => c.none += 1,
                _ => c.unknown += 1,
            }
        }
        c
    };
    for (date, day_events) in &by_day {
        for e in day_events {
            let key = (e.component.as_str(), e.vulnerability.as_str());
            match e.kind.as_str() {
                "new" | "reopened" => {
                    open.insert(key, e.severity.as_str());
                }
                "resolved" => {
                    open.remove(&key);
                }
                _ => {}
            }
        }
        points.push(TimelinePoint {
            date: date.clone(),
            counts: count(&open),
        });
    }
    let today = day(today);
    if !by_day.contains_key(&today) && by_day.keys().all(|d| *d < today) {
        points.push(TimelinePoint {
            date: today,
            counts: count(&open),
        });
    }
    points
}

/// The date part of an RFC 3339 time.
fn day(at: &str) -> String {
    at.get(..10).unwrap_or(at).to_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn event(at: &str, vulnerability: &str, kind: &str, severity: &str) -> FindingEvent {
        FindingEvent {
            component: "pkg:generic/zlib@1.2.11".into(),
            vulnerability: vulnerability.into(),
            at: at.into(),
            kind: kind.into(),
            severity: severity.into(),
        }
    }

    #[test]
    fn findings_open_between_new_and_resolved() {
        let events = [
            event("2025-01-02T10:00:00Z", "CVE-1", "new", "high"),
            event("2025-01-02T11:00:00Z", "CVE-2", "new", "critical"),
            event("2025-01-05T10:00:00Z", "CVE-1", "resolved", "high"),
            event("2025-01-05T10:00:00Z", "CVE-2", "changed", "critical"),
            event("2025-01-09T10:00:00Z", "CVE-1", "reopened", "high"),
        ];
        let points = timeline_points(&events, "2025-01-15T09:30:00Z");
        let dates: Vec<&str> = points.iter().map(|p| p.date.as_str()).collect();
        assert_eq!(
            dates,
            ["2025-01-02", "2025-01-05", "2025-01-09", "2025-01-15"]
        );
        let totals: Vec<(u64, u64)> = points
            .iter()
            .map(|p| (p.counts.critical, p.counts.high))
            .collect();
        assert_eq!(totals, [(1, 1), (1, 0), (1, 1), (1, 1)]);
    }

    #[test]
    fn unknown_severity_is_its_own_band_and_today_is_not_repeated() {
        let events = [event("2025-01-15T08:00:00Z", "CVE-1", "new", "unscored")];
        let points = timeline_points(&events, "2025-01-15T09:30:00Z");
        assert_eq!(points.len(), 1);
        assert_eq!(points[0].counts.unknown, 1);
    }
}
