//! Civil dates without a time-zone library: days since 1970-01-01 ↔ (year, month, day)
//! by Howard Hinnant's `days_from_civil` / `civil_from_days` algorithms.

/// Milliseconds since the Unix epoch (UTC).
pub type Millis = i64;

pub const DAY_MS: Millis = 86_400_000;

pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn ms_of(y: i64, m: u32, d: u32) -> Millis {
    days_from_civil(y, m, d) * DAY_MS
}

pub fn year_start(y: i64) -> Millis {
    ms_of(y, 1, 1)
}

pub fn year_of(ms: Millis) -> i64 {
    civil_from_days(ms.div_euclid(DAY_MS)).0
}

/// NVD's timestamp form: `2022-08-05T07:15:07.240` (UTC, no zone designator).
pub fn nvd(ms: Millis) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    let t = ms.rem_euclid(DAY_MS);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}",
        t / 3_600_000,
        (t / 60_000) % 60,
        (t / 1000) % 60,
        t % 1000
    )
}

/// RFC 3339 with a `Z`: `2026-11-27T00:00:00Z`.
pub fn rfc3339(ms: Millis) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    let t = ms.rem_euclid(DAY_MS);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        t / 3_600_000,
        (t / 60_000) % 60,
        (t / 1000) % 60
    )
}

/// `2026-11-27`.
pub fn date(ms: Millis) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for z in [-1000, 0, 1, 59, 60, 10_957, 20_000, 20_784] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(
            nvd(ms_of(2022, 8, 5) + 25_507_240),
            "2022-08-05T07:05:07.240"
        );
        assert_eq!(date(ms_of(2026, 11, 27)), "2026-11-27");
        assert_eq!(year_of(ms_of(2025, 12, 31)), 2025);
    }
}
