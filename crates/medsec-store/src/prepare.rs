//! An advisory turned into the rows the store writes, on the reader thread, so that the
//! writer only binds.

use std::io::Write;

use jiff::Timestamp;
use medsec_core::advisory::{
    Advisory, AliasKind, Format, ScorerRole, Severity, SeverityKind, Source,
};

use crate::error::StoreError;

/// Record bodies are stored deflated at the fastest level: the advisory JSON of the
/// full-scale generated NVD set averages 2,127 bytes and 888 deflated (2.4×), 355 MB
/// instead of 850 MB of bodies for 400,000 records.
pub(crate) const COMPRESS_BODIES: bool = true;

pub(crate) struct Prepared {
    pub source: &'static str,
    pub record_key: String,
    pub advisory_id: String,
    pub format: &'static str,
    pub published: Option<String>,
    pub modified: Option<Timestamp>,
    pub modified_text: Option<String>,
    pub withdrawn: bool,
    pub hash: String,
    pub encoding: &'static str,
    pub body: Vec<u8>,
    pub ids: Vec<IdRow>,
    pub keys: Vec<String>,
    pub scores: Vec<ScoreRow>,
    pub cwes: Vec<String>,
    /// The vulnerability id the record would have alone; the regrouping at the end of
    /// the batch corrects it where aliases join records.
    pub vuln: String,
}

pub(crate) struct IdRow {
    pub id: String,
    pub kind: &'static str,
    pub links: bool,
}

pub(crate) struct ScoreRow {
    pub kind: &'static str,
    pub version: Option<String>,
    pub vector: Option<String>,
    pub base_score: Option<f64>,
    pub computed_score: Option<f64>,
    pub severity: Option<String>,
    pub scheme: Option<String>,
    pub scorer_role: &'static str,
    pub scorer_name: Option<String>,
}

pub(crate) fn source_name(source: &Source) -> &'static str {
    source.name()
}

pub(crate) fn format_name(format: Format) -> &'static str {
    match format {
        Format::Nvd2 => "nvd2",
        Format::Cve5 => "cve5",
        Format::Osv => "osv",
        Format::Csaf2 => "csaf2",
        _ => "other",
    }
}

pub(crate) fn kind_name(kind: AliasKind) -> &'static str {
    match kind {
        AliasKind::Cve => "cve",
        AliasKind::Ghsa => "ghsa",
        AliasKind::Icsma => "icsma",
        AliasKind::Icsa => "icsa",
        AliasKind::Osv => "osv",
        _ => "other",
    }
}

/// Which id names a merged vulnerability: CVE first, then GHSA, OSV ids, others.
pub(crate) fn kind_rank(kind: &str) -> u8 {
    match kind {
        "cve" => 0,
        "ghsa" => 1,
        "osv" => 2,
        "other" => 3,
        "icsma" => 4,
        "icsa" => 5,
        _ => 6,
    }
}

fn role_name(role: ScorerRole) -> &'static str {
    match role {
        ScorerRole::NvdPrimary => "nvd_primary",
        ScorerRole::NvdSecondary => "nvd_secondary",
        ScorerRole::Cna => "cna",
        ScorerRole::Adp => "adp",
        ScorerRole::Database => "database",
        ScorerRole::Publisher => "publisher",
        _ => "other",
    }
}

/// The record's key within its source: the advisory id, and for CSAF the document's
/// tracking id before it (two publishers' documents may both describe CVE-X).
pub(crate) fn record_key(advisory: &Advisory) -> String {
    match &advisory.source {
        Source::Csaf { tracking_id, .. } => format!("{tracking_id}/{}", advisory.id),
        _ => advisory.id.clone(),
    }
}

/// SHA-256 of the advisory's JSON without where it was read from (file name and
/// pointer), so that the same record read from another file is "unchanged".
pub(crate) fn content_hash(advisory: &mut Advisory) -> Result<String, StoreError> {
    let file = advisory.provenance.file.take();
    let pointer = advisory.provenance.pointer.take();
    let json = serde_json::to_vec(&*advisory);
    advisory.provenance.file = file;
    advisory.provenance.pointer = pointer;
    let json = json.map_err(|e| StoreError::Internal(format!("serialising an advisory: {e}")))?;
    Ok(crate::input::sha256_hex(&json))
}

pub(crate) fn encode_body(json: &[u8]) -> Result<(&'static str, Vec<u8>), StoreError> {
    if !COMPRESS_BODIES {
        return Ok(("json", json.to_vec()));
    }
    let mut enc = flate2::write::DeflateEncoder::new(
        Vec::with_capacity(json.len() / 4),
        flate2::Compression::fast(),
    );
    enc.write_all(json)
        .and_then(|()| enc.finish())
        .map(|v| ("json+deflate", v))
        .map_err(|e| StoreError::Internal(format!("compressing a record: {e}")))
}

pub(crate) fn decode_body(
    encoding: &str,
    body: Vec<u8>,
    record: &str,
) -> Result<Vec<u8>, StoreError> {
    match encoding {
        "json" => Ok(body),
        "json+deflate" => {
            let mut out = Vec::with_capacity(body.len() * 6);
            let mut dec = flate2::write::DeflateDecoder::new(&mut out);
            dec.write_all(&body)
                .and_then(|()| dec.finish().map(|_| ()))
                .map_err(|e| StoreError::Corrupt {
                    record: record.to_owned(),
                    message: format!("body does not inflate: {e}"),
                })?;
            Ok(out)
        }
        other => Err(StoreError::Corrupt {
            record: record.to_owned(),
            message: format!("unknown body encoding {other:?}"),
        }),
    }
}

pub(crate) fn prepare(
    mut advisory: Advisory,
    keys: impl Fn(&Advisory) -> Vec<String>,
) -> Result<Prepared, StoreError> {
    let hash = content_hash(&mut advisory)?;
    let json = serde_json::to_vec(&advisory)
        .map_err(|e| StoreError::Internal(format!("serialising an advisory: {e}")))?;
    let (encoding, body) = encode_body(&json)?;
    drop(json);

    let source = source_name(&advisory.source);
    let tracking = match &advisory.source {
        Source::Csaf { tracking_id, .. } => Some(tracking_id.to_ascii_uppercase()),
        _ => None,
    };
    let mut ids: Vec<IdRow> = Vec::with_capacity(1 + advisory.aliases.len());
    let primary = advisory.id.trim().to_ascii_uppercase();
    ids.push(IdRow {
        kind: kind_name(AliasKind::of(&primary)),
        id: primary,
        // The record's own id always names its vulnerability (a CSAF entry without a
        // CVE is `TRACKING#N`, unique to it).
        links: true,
    });
    for alias in &advisory.aliases {
        let id = alias.id.trim().to_ascii_uppercase();
        if id.is_empty() || ids.iter().any(|r| r.id == id) {
            continue;
        }
        let kind = AliasKind::of(&id);
        // Advisory documents cover several vulnerabilities; their ids must not join them.
        let document = matches!(kind, AliasKind::Icsma | AliasKind::Icsa)
            || tracking.as_deref() == Some(id.as_str());
        ids.push(IdRow {
            id,
            kind: kind_name(kind),
            links: !document,
        });
    }
    let vuln = ids
        .iter()
        .filter(|r| r.links)
        .min_by(|a, b| (kind_rank(a.kind), &a.id).cmp(&(kind_rank(b.kind), &b.id)))
        .map(|r| r.id.clone())
        .unwrap_or_else(|| advisory.id.to_ascii_uppercase());

    let scores = advisory.severities.iter().filter_map(score_row).collect();
    let mut cwes: Vec<String> = Vec::with_capacity(advisory.cwes.len());
    for c in &advisory.cwes {
        let c = c.trim().to_ascii_uppercase();
        if !c.is_empty() && !cwes.contains(&c) {
            cwes.push(c);
        }
    }
    let keys = keys(&advisory);
    Ok(Prepared {
        source,
        record_key: record_key(&advisory),
        advisory_id: advisory.id.clone(),
        format: format_name(advisory.provenance.format),
        published: advisory.published.map(|t| t.to_string()),
        modified: advisory.modified,
        modified_text: advisory.modified.map(|t| t.to_string()),
        withdrawn: advisory.withdrawn.is_some(),
        hash,
        encoding,
        body,
        ids,
        keys,
        scores,
        cwes,
        vuln,
    })
}

fn score_row(s: &Severity) -> Option<ScoreRow> {
    let (kind, version, vector, base_score, computed_score, severity, scheme) = match &s.kind {
        SeverityKind::Cvss(c) => (
            "cvss",
            Some(c.version.clone()),
            Some(c.vector.clone()),
            c.stated_base_score,
            c.computed_base_score,
            c.stated_severity.clone(),
            None,
        ),
        SeverityKind::Qualitative { scheme, rating } => (
            "qualitative",
            None,
            None,
            None,
            None,
            Some(rating.clone()),
            scheme.clone(),
        ),
        _ => return None,
    };
    Some(ScoreRow {
        kind,
        version,
        vector,
        base_score,
        computed_score,
        severity,
        scheme,
        scorer_role: role_name(s.scored_by.role),
        scorer_name: s.scored_by.name.clone(),
    })
}

/// What happens to an incoming record given the stored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Unchanged,
    Older,
    Replace,
}

/// Same content: unchanged. Both dated: the later one wins, an older or equally dated
/// one is ignored. Otherwise (a side without `modified`) a different content replaces.
pub(crate) fn decide(
    stored_modified: Option<Timestamp>,
    stored_hash: &str,
    incoming_modified: Option<Timestamp>,
    incoming_hash: &str,
) -> Decision {
    if stored_hash == incoming_hash {
        return Decision::Unchanged;
    }
    match (stored_modified, incoming_modified) {
        (Some(a), Some(b)) if b <= a => Decision::Older,
        _ => Decision::Replace,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Option<Timestamp> {
        s.parse().ok()
    }

    #[test]
    fn decisions() {
        let old = ts("2024-01-01T00:00:00Z");
        let new = ts("2024-02-01T00:00:00Z");
        assert_eq!(decide(old, "a", new, "a"), Decision::Unchanged);
        assert_eq!(decide(old, "a", new, "b"), Decision::Replace);
        assert_eq!(decide(new, "a", old, "b"), Decision::Older);
        assert_eq!(decide(new, "a", new, "b"), Decision::Older);
        assert_eq!(decide(None, "a", None, "b"), Decision::Replace);
        assert_eq!(decide(None, "a", None, "a"), Decision::Unchanged);
    }

    #[test]
    fn bodies_round_trip() {
        let json = br#"{"id":"CVE-1","x":[1,2,3]}"#;
        let (enc, body) = encode_body(json).unwrap_or(("json", json.to_vec()));
        assert_eq!(decode_body(enc, body, "t").ok().as_deref(), Some(&json[..]));
    }
}
