//! vers version-range strings (purl specification, `VERSION-RANGE-SPEC.rst`):
//! `vers:<scheme>/<constraint>|<constraint>…`, each constraint a comparator
//! (`=`, `!=`, `<`, `<=`, `>`, `>=`; none means `=`) and a version, or `*` alone.
//! Mapped into the event model as the table in `medsec_core::advisory` says.

use medsec_core::advisory::{Point, RangeState, VersionRange, VersionScheme};

/// Parses a vers string into a range, or says why it is not one.
pub fn parse(text: &str) -> Result<VersionRange, String> {
    let rest = text
        .strip_prefix("vers:")
        .ok_or_else(|| "a vers string starts with \"vers:\"".to_owned())?;
    let (scheme, constraints) = rest
        .split_once('/')
        .ok_or_else(|| "missing \"/\" after the versioning scheme".to_owned())?;
    let scheme_lc = scheme.trim().to_ascii_lowercase();
    if scheme_lc.is_empty()
        || !scheme_lc
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
    {
        return Err(format!("{scheme:?} is not a versioning scheme name"));
    }
    let mut range = VersionRange::new(match scheme_lc.as_str() {
        "semver" => VersionScheme::Semver,
        "generic" | "all" => VersionScheme::Generic,
        other => VersionScheme::Vers(other.to_owned()),
    });
    range.text = Some(text.to_owned());
    let constraints: Vec<&str> = constraints.split('|').map(str::trim).collect();
    if constraints.iter().any(|c| c.is_empty()) {
        return Err("an empty constraint (\"||\", or \"|\" at an end)".into());
    }
    if constraints == ["*"] {
        range.events.push(earliest());
        return Ok(range);
    }
    if constraints.contains(&"*") {
        return Err("\"*\" must be the only constraint".into());
    }
    for (i, c) in constraints.iter().enumerate() {
        let (op, version) = split_comparator(c);
        let version = version.trim();
        if version.is_empty() {
            return Err(format!("constraint {c:?} has no version"));
        }
        if version.contains(['<', '>', '=', '!', '*']) {
            return Err(format!(
                "constraint {c:?}: the version contains a comparator"
            ));
        }
        let v = version.to_owned();
        // Constraints are written in ascending version order (vers spec, "Normalized,
        // canonical representation"), so an upper bound or an exclusion first means
        // nothing lies below it: every lower version is in the range.
        if i == 0 && matches!(op, "<" | "<=" | "!=") {
            range.events.push(earliest());
        }
        match op {
            ">=" => push(&mut range, Point::At(v), RangeState::Affected),
            ">" => push(&mut range, Point::After(v), RangeState::Affected),
            "<" => push(&mut range, Point::At(v), RangeState::Outside),
            "<=" => push(&mut range, Point::After(v), RangeState::Outside),
            "=" => {
                push(&mut range, Point::At(v.clone()), RangeState::Affected);
                push(&mut range, Point::After(v), RangeState::Outside);
            }
            "!=" => {
                push(&mut range, Point::At(v.clone()), RangeState::Outside);
                push(&mut range, Point::After(v), RangeState::Affected);
            }
            other => return Err(format!("unknown comparator {other:?} in {c:?}")),
        }
    }
    Ok(range)
}

fn earliest() -> medsec_core::advisory::RangeEvent {
    medsec_core::advisory::RangeEvent {
        point: Point::Earliest,
        state: RangeState::Affected,
    }
}

fn push(range: &mut VersionRange, point: Point, state: RangeState) {
    range
        .events
        .push(medsec_core::advisory::RangeEvent { point, state });
}

fn split_comparator(c: &str) -> (&str, &str) {
    for op in [">=", "<=", "!=", "<>", ">", "<", "="] {
        if let Some(rest) = c.strip_prefix(op) {
            return (op, rest);
        }
    }
    ("=", c)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn show(s: &str) -> String {
        parse(s)
            .map(|r| r.to_string())
            .unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn mappings() {
        assert_eq!(show("vers:all/*"), "[generic] from earliest: affected");
        assert_eq!(
            show("vers:intdot/>2.1.0|<4.2.0"),
            "[vers:intdot] >2.1.0: affected; >=4.2.0: end"
        );
        assert_eq!(
            show("vers:generic/>=2.9|<=4.1"),
            "[generic] >=2.9: affected; >4.1: end"
        );
        assert_eq!(
            show("vers:semver/<2.1.0|>4.2.0|<=5.4.18"),
            "[semver] from earliest: affected; >=2.1.0: end; >4.2.0: affected; >5.4.18: end"
        );
        assert_eq!(
            show("vers:npm/1.2.3|!=1.4"),
            "[vers:npm] >=1.2.3: affected; >1.2.3: end; >=1.4: end; >1.4: affected"
        );
        assert!(
            show("vers:somecoolunknownversionscheme/||>Jo_3,16|<=2.Ko_5,20").starts_with("error")
        );
        assert!(show("vers:x/<>3.2.0").starts_with("error"));
        assert!(show("vers:/1.0").starts_with("error"));
        assert!(show("1.0").starts_with("error"));
        assert!(show("vers:all/*|1.0").starts_with("error"));
    }
}
