//! FIRST EPSS scores (the daily CSV).
//!
//! Shape: an optional first comment line
//! `#model_version:v2025.03.14,score_date:2025-03-16T00:00:00+0000` (files before 2022
//! have none), the header `cve,epss,percentile`, then one line per CVE with two
//! probabilities in [0, 1]. Errors carry the line number.

use serde::{Deserialize, Serialize};

use crate::error::{Origin, StoreError};

/// One day's scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpssSnapshot {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_version: Option<String>,
    /// As written (`2025-03-16T00:00:00+0000`); compared as a timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_date: Option<String>,
    #[serde(default, skip_serializing)]
    pub scores: Vec<EpssScore>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpssScore {
    pub cve: String,
    /// The probability of exploitation in the next 30 days.
    pub epss: f64,
    /// The score's percentile among all scored CVEs.
    pub percentile: f64,
}

/// True when the text starts like an EPSS file (comment line or header).
pub(crate) fn looks_like(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(256)];
    let head = String::from_utf8_lossy(head);
    let head = head.trim_start_matches('\u{feff}');
    head.starts_with("#model_version") || head.starts_with("cve,epss")
}

/// Reads an EPSS CSV.
pub fn read(bytes: &[u8], origin: &Origin) -> Result<EpssSnapshot, StoreError> {
    let err = |line: usize, message: String| StoreError::Epss {
        origin: origin.clone(),
        line,
        message,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        err(line, "not UTF-8".into())
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let mut model_version = None;
    let mut score_date = None;
    let mut header = lines.next();
    if let Some((n, first)) = header
        && let Some(comment) = first.strip_prefix('#')
    {
        for part in comment.split(',') {
            match part.split_once(':') {
                Some(("model_version", v)) => model_version = Some(v.trim().to_owned()),
                Some(("score_date", v)) => {
                    let v = v.trim();
                    if parse_date(v).is_none() {
                        return Err(err(n, format!("score_date {v:?} is not a timestamp")));
                    }
                    score_date = Some(v.to_owned());
                }
                _ => {}
            }
        }
        header = lines.next();
    }
    match header {
        Some((_, h)) if h.trim().eq_ignore_ascii_case("cve,epss,percentile") => {}
        Some((n, h)) => {
            return Err(err(
                n,
                format!("expected the header `cve,epss,percentile`, found {h:?}"),
            ));
        }
        None => return Err(err(1, "empty file: no header".into())),
    }
    let mut scores = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (n, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split(',');
        let (Some(cve), Some(epss), Some(pct), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(err(n, format!("expected 3 fields, found {line:?}")));
        };
        let cve = cve.trim();
        if !cve.to_ascii_uppercase().starts_with("CVE-") {
            return Err(err(n, format!("{cve:?} is not a CVE id")));
        }
        let prob = |name: &str, v: &str| -> Result<f64, StoreError> {
            match v.trim().parse::<f64>() {
                Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
                _ => Err(err(n, format!("{name} {v:?} is not a number in [0, 1]"))),
            }
        };
        let epss = prob("epss", epss)?;
        let percentile = prob("percentile", pct)?;
        if !seen.insert(cve.to_ascii_uppercase()) {
            return Err(err(n, format!("{cve} appears twice")));
        }
        scores.push(EpssScore {
            cve: cve.to_owned(),
            epss,
            percentile,
        });
    }
    Ok(EpssSnapshot {
        model_version,
        score_date,
        scores,
    })
}

/// `2025-03-16T00:00:00+0000` (the feed's form) or RFC 3339.
pub(crate) fn parse_date(text: &str) -> Option<jiff::Timestamp> {
    text.parse::<jiff::Timestamp>().ok().or_else(|| {
        jiff::fmt::strtime::parse("%Y-%m-%dT%H:%M:%S%z", text)
            .ok()?
            .to_timestamp()
            .ok()
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const SAMPLE: &str = "#model_version:v2025.03.14,score_date:2025-03-16T00:00:00+0000\n\
cve,epss,percentile\n\
CVE-1999-0001,0.01297,0.78586\n\
CVE-2021-44228,0.94358,0.99957\n\
CVE-2014-0160,0.94468,0.99981\n";

    fn origin() -> Origin {
        Origin::file("epss_scores-2025-03-16.csv")
    }

    #[test]
    fn reads_the_documented_shape() {
        let s = read(SAMPLE.as_bytes(), &origin()).unwrap();
        assert_eq!(s.model_version.as_deref(), Some("v2025.03.14"));
        assert_eq!(s.score_date.as_deref(), Some("2025-03-16T00:00:00+0000"));
        assert_eq!(s.scores.len(), 3);
        assert_eq!(s.scores[1].cve, "CVE-2021-44228");
        assert_eq!(s.scores[1].epss, 0.94358);
        assert_eq!(s.scores[1].percentile, 0.99957);
        assert!(looks_like(SAMPLE.as_bytes()));
        assert!(parse_date("2025-03-16T00:00:00+0000").is_some());
    }

    #[test]
    fn old_files_without_the_comment_line() {
        let s = read(b"cve,epss,percentile\nCVE-2020-1,0.5,0.5\n", &origin()).unwrap();
        assert_eq!(s.model_version, None);
        assert_eq!(s.scores.len(), 1);
    }

    #[test]
    fn errors_carry_the_line() {
        let bad = SAMPLE.replace("0.94358", "high");
        let e = read(bad.as_bytes(), &origin()).unwrap_err().to_string();
        assert!(e.contains("line 4"), "{e}");
        assert!(e.contains("epss_scores-2025-03-16.csv"), "{e}");
        let bad = SAMPLE.replace("0.99981", "1.5");
        assert!(
            read(bad.as_bytes(), &origin())
                .unwrap_err()
                .to_string()
                .contains("line 5")
        );
        let bad = SAMPLE.replace("cve,epss,percentile", "id,score");
        assert!(
            read(bad.as_bytes(), &origin())
                .unwrap_err()
                .to_string()
                .contains("line 2")
        );
        let bad = SAMPLE.replace("CVE-1999-0001,0.01297,0.78586", "CVE-1999-0001,0.1");
        assert!(
            read(bad.as_bytes(), &origin())
                .unwrap_err()
                .to_string()
                .contains("expected 3 fields")
        );
        let dup = format!("{SAMPLE}CVE-1999-0001,0.1,0.1\n");
        assert!(
            read(dup.as_bytes(), &origin())
                .unwrap_err()
                .to_string()
                .contains("appears twice")
        );
    }
}
