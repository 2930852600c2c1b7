//! The post-market metrics the FDA premarket guidance (§V.A.6, 2025 text) names for a
//! product: the share of vulnerabilities patched, the time from identification to patch,
//! and the time from patch to deployment.
//!
//! Counted over the product's findings (one per version, component and vulnerability)
//! that were affected when found. A finding decided `not_affected` or `false_positive`
//! is not a vulnerability of the product and is left out (and counted apart). A finding
//! is patched when monitoring no longer finds it (a new SBOM revision dropped or upgraded
//! the component) or when its decision is `fixed`, whichever came first.
//!
//! **Deployment** is measured from installed-base snapshots of the vulnerable version
//! (`medsec portfolio deploy`): a patch counts as deployed on the first snapshot after the
//! patch at which the vulnerable version's installed base has fallen to `1 − share` of
//! its last count before the patch (default share 0.9: nine devices in ten moved on).
//! This definition is medsec's: the guidance names the metric without defining it. A
//! patched finding without the snapshots to decide is counted as not measured, never as
//! zero days.

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
    /// Installed-base snapshots of the version the finding is in: (day, devices), by day.
    pub deployment: Vec<(jiff::civil::Date, i64)>,
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
    /// Days from patch to deployment (see the module docs), over the measured ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_to_deploy: Option<Spread>,
    /// Patched findings whose deployment could be measured, and those that could not.
    pub deployment_measured: usize,
    pub deployment_not_measured: usize,
    /// The share of the vulnerable version's devices that must have moved on.
    pub deployed_share: f64,
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

/// Days from `patched` to deployment, from the snapshots; `None` when they cannot say.
fn days_to_deploy(
    patched: Timestamp,
    snapshots: &[(jiff::civil::Date, i64)],
    share: f64,
) -> Option<f64> {
    let patch_day = patched.to_zoned(jiff::tz::TimeZone::UTC).date();
    let before = snapshots.iter().rev().find(|(d, _)| *d <= patch_day)?.1;
    if before <= 0 {
        return None;
    }
    // The share of devices that moved on, compared with a tolerance for the binary
    // fraction (0.9 of 1000 is not exactly 900 in floating point).
    let moved_on = |n: i64| (before - n) as f64 / before as f64 + 1e-9 >= share;
    let (day, _) = snapshots
        .iter()
        .find(|(d, n)| *d > patch_day && moved_on(*n))?;
    let days = patch_day.until(*day).ok()?.get_days();
    Some(f64::from(days))
}

pub fn metrics(findings: &[FindingTimes], now: Timestamp, deployed_share: f64) -> Metrics {
    let counted: Vec<&FindingTimes> = findings.iter().filter(|f| !f.excluded).collect();
    let mut to_patch: Vec<f64> = counted
        .iter()
        .filter_map(|f| f.patched.map(|p| days(f.first_seen, p).max(0.0)))
        .collect();
    to_patch.sort_by(f64::total_cmp);
    let open: Vec<&&FindingTimes> = counted.iter().filter(|f| f.patched.is_none()).collect();
    let share = deployed_share.clamp(0.0, 1.0);
    let mut to_deploy: Vec<f64> = Vec::new();
    let mut not_measured = 0;
    for f in &counted {
        if let Some(p) = f.patched {
            match days_to_deploy(p, &f.deployment, share) {
                Some(d) => to_deploy.push(d),
                None => not_measured += 1,
            }
        }
    }
    to_deploy.sort_by(f64::total_cmp);
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
        days_to_deploy: (!to_deploy.is_empty()).then(|| Spread {
            median: percentile(&to_deploy, 50.0),
            p90: percentile(&to_deploy, 90.0),
            max: to_deploy.last().copied().unwrap_or(0.0),
        }),
        deployment_measured: to_deploy.len(),
        deployment_not_measured: not_measured,
        deployed_share: share,
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
                deployment: fleet(),
            },
            FindingTimes {
                first_seen: t(0),
                patched: Some(t(30)),
                excluded: false,
                deployment: vec![],
            },
            FindingTimes {
                first_seen: t(5),
                patched: None,
                excluded: false,
                deployment: vec![],
            },
            FindingTimes {
                first_seen: t(1),
                patched: None,
                excluded: true,
                deployment: vec![],
            },
        ];
        let m = metrics(&f, t(20), 0.9);
        assert_eq!(m.vulnerabilities, 3);
        assert_eq!(m.patched, 2);
        assert_eq!(m.share_patched, Some(0.667));
        let s = m.days_to_patch.unwrap();
        assert_eq!((s.median, s.p90, s.max), (10.0, 30.0, 30.0));
        assert_eq!(m.open, 1);
        assert_eq!(m.oldest_open_days, Some(15.0));
        assert_eq!(m.excluded, 1);
        // Patched on day 10 with 1000 devices; 90 % moved on by the day-40 snapshot.
        let d = m.days_to_deploy.unwrap();
        assert_eq!(d.median, 30.0);
        assert_eq!((m.deployment_measured, m.deployment_not_measured), (1, 1));
    }

    fn day(n: i64) -> jiff::civil::Date {
        t(n).to_zoned(jiff::tz::TimeZone::UTC).date()
    }

    fn fleet() -> Vec<(jiff::civil::Date, i64)> {
        vec![
            (day(5), 1000),
            (day(20), 400),
            (day(40), 100),
            (day(60), 20),
        ]
    }

    #[test]
    fn deployment_needs_snapshots_on_both_sides_of_the_patch() {
        assert_eq!(days_to_deploy(t(10), &fleet(), 0.9), Some(30.0));
        assert_eq!(days_to_deploy(t(10), &fleet(), 0.5), Some(10.0));
        // No snapshot before the patch: nothing to measure against.
        assert_eq!(days_to_deploy(t(1), &fleet(), 0.9), None);
        // Never fell far enough.
        assert_eq!(days_to_deploy(t(10), &fleet(), 0.99), None);
        assert_eq!(days_to_deploy(t(10), &[], 0.9), None);
    }

    #[test]
    fn nothing_to_count_is_not_zero_percent() {
        let m = metrics(&[], t(0), 0.9);
        assert_eq!(m.share_patched, None);
        assert_eq!(m.days_to_patch, None);
        assert_eq!(m.days_to_deploy, None);
    }
}
