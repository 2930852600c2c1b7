//! Ids for the device file: one namespace (as `medsec check` demands), made from the
//! source's ids or names, and never reused.

use std::collections::HashSet;

#[derive(Debug, Default)]
pub struct Ids {
    used: HashSet<String>,
}

/// Lower-case, `[a-z0-9.-]`, starting with a letter or digit; `fallback` if nothing is left.
pub fn slug(text: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out
        .trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
        .trim_end_matches(['-', '.']);
    let mut result: String = trimmed.chars().take(60).collect();
    while result.ends_with(['-', '.']) {
        result.pop();
    }
    if result.is_empty() {
        fallback.to_owned()
    } else {
        result
    }
}

impl Ids {
    /// A fresh id made from `wanted`; a suffix `-2`, `-3`, … when it is taken.
    pub fn claim(&mut self, wanted: &str, fallback: &str) -> String {
        let base = slug(wanted, fallback);
        let mut candidate = base.clone();
        let mut n = 2;
        while !self.used.insert(candidate.clone()) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Web Server (Apache)", "x"), "web-server-apache");
        assert_eq!(slug("  --", "element"), "element");
        assert_eq!(slug("Größe", "x"), "gr-e");
        assert_eq!(slug("customer-client", "x"), "customer-client");
    }

    #[test]
    fn claims_are_unique() {
        let mut ids = Ids::default();
        assert_eq!(ids.claim("db", "x"), "db");
        assert_eq!(ids.claim("DB", "x"), "db-2");
        assert_eq!(ids.claim("", "flow"), "flow");
        assert_eq!(ids.claim("", "flow"), "flow-2");
    }
}
