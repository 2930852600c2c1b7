//! Timestamps as the advisory formats write them.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

/// Parses an RFC 3339 timestamp. Without an offset the time is taken as UTC: the CVE
/// JSON 5 schema says so (`timestamp`: "If timezone offset is not given, GMT (+00:00) is
/// assumed"), and NVD API 2.0 writes `published`/`lastModified` without one, in UTC.
/// A bare date (`2024-01-31`) is midnight UTC.
pub fn parse(text: &str) -> Result<Timestamp, String> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Ok(ts);
    }
    if let Ok(dt) = text.parse::<DateTime>() {
        return dt
            .to_zoned(TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string());
    }
    match text.parse::<Timestamp>() {
        Ok(ts) => Ok(ts),
        Err(e) => Err(format!("{text:?} is not an RFC 3339 timestamp: {e}")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(
            parse("2021-12-10T10:15:09.143").unwrap().to_string(),
            "2021-12-10T10:15:09.143Z"
        );
        assert_eq!(
            parse("2023-01-01T00:00:00+02:00").unwrap().to_string(),
            "2022-12-31T22:00:00Z"
        );
        assert_eq!(
            parse("2024-01-31").unwrap().to_string(),
            "2024-01-31T00:00:00Z"
        );
        assert!(parse("yesterday").is_err());
    }
}
