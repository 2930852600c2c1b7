//! The post-market metrics the FDA premarket guidance (§V.A.6, 2025 text) names for a
//! product: the share of vulnerabilities patched, the time from identification to patch,
//! and the time from patch to deployment.
//!
//! Counted over the product's findings (one per version, component and vulnerability)
//! that were affected when found. A finding decided `not_affected` or `false_positive`
//! is not a vulnerability of the product and is left out (and counted apart). A finding
//! is patched when monitoring no longer finds it (a new SBOM revision dropped or upgraded
//! the component) or when its decision is `fixed`, whichever came first. Deployment
//! needs records of when devices in the field received the patch; medsec keeps none yet,
//! so that metric is reported as not available, with the reason, never as zero.

use jiff::Timestamp;
use serde::Serialize;

/// One finding's history, as the metrics need it.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingTimes {
    pub first_seen: Timestamp,
    /// When it was patched (resolved by monitoring or decided `fixed`), if it was.
    pub patched: Option<Timestamp>,
    /// Decided not_affected or false_positive: not counted.
    pub excluded: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// Findings counted (affected when found, not decided not_affected/false_positive).
    pub vulnerabilities: usize,
    pub patched: usize,
    /// Patched / vulnerabilities, when there is at least one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_patched: Option<f64>,
    /// Days from identification to patch, over the patched ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_to_patch: Option<Spread>,
    /// Open vulnerabilities and the age of the oldest, in days.
    pub open: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oldest_open_days: Option<f64>,
    /// Findings left out because they were decided not_affected or false_positive.
    pub excluded: usize,
    /// Why the patch-to-deployment time is not given.
    pub days_to_deploy: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    pub median: f64,
    pub p90: f64,
    pub max: f64,
}

fn days(from: Timestamp, to: Timestamp) -> f64 {
    let seconds = to.as_second() - from.as_second();
    (seconds as f64 / 86_400.0 * 10.0).round() / 10.0
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn metrics(findings: &[FindingTimes], now: Timestamp) -> Metrics {
    let counted: Vec<&FindingTimes> = findings.iter().filter(|f| !f.excluded).collect();
    let mut to_patch: Vec<f64> = counted
        .iter()
        .filter_map(|f| f.patched.map(|p| days(f.first_seen, p).max(0.0)))
        .collect();
    to_patch.sort_by(f64::total_cmp);
    let open: Vec<&&FindingTimes> = counted.iter().filter(|f| f.patched.is_none()).collect();
    Metrics {
        vulnerabilities: counted.len(),
        patched: to_patch.len(),
        share_patched: (!counted.is_empty())
            .then(|| (to_patch.len() as f64 / counted.len() as f64 * 1000.0).round() / 1000.0),
        days_to_patch: (!to_patch.is_empty()).then(|| Spread {
            median: percentile(&to_patch, 50.0),
            p90: percentile(&to_patch, 90.0),
            max: to_patch.last().copied().unwrap_or(0.0),
        }),
        open: open.len(),
        oldest_open_days: open
            .iter()
            .map(|f| days(f.first_seen, now))
            .max_by(f64::total_cmp),
        excluded: findings.len() - counted.len(),
        days_to_deploy: "not available: medsec keeps no record of when devices in the field \
                         received a patch (installed base per version over time)"
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn t(day: i64) -> Timestamp {
        Timestamp::from_second(1_767_225_600 + day * 86_400).unwrap()
    }

    #[test]
    fn share_and_spread() {
        let f = [
            FindingTimes {
                first_seen: t(0),
                patched: Some(t(10)),
                excluded: false,
            },
            FindingTimes {
                first_seen: t(0),
                patched: Some(t(30)),
                excluded: false,
            },
            FindingTimes {
                first_seen: t(5),
                patched: None,
                excluded: false,
            },
            FindingTimes {
                first_seen: t(1),
                patched: None,
                excluded: true,
            },
        ];
        let m = metrics(&f, t(20));
        assert_eq!(m.vulnerabilities, 3);
        assert_eq!(m.patched, 2);
        assert_eq!(m.share_patched, Some(0.667));
        let s = m.days_to_patch.unwrap();
        assert_eq!((s.median, s.p90, s.max), (10.0, 30.0, 30.0));
        assert_eq!(m.open, 1);
        assert_eq!(m.oldest_open_days, Some(15.0));
        assert_eq!(m.excluded, 1);
        assert!(m.days_to_deploy.starts_with("not available"));
    }

    #[test]
    fn nothing_to_count_is_not_zero_percent() {
        let m = metrics(&[], t(0));
        assert_eq!(m.share_patched, None);
        assert_eq!(m.days_to_patch, None);
    }
}
