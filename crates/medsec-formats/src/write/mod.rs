//! Writers: the models of `medsec-core` out as the documents regulators, hospitals and CI
//! systems read.
//!
//! | writer | format | from |
//! |---|---|---|
//! | [`cyclonedx::write_sbom`] | CycloneDX 1.6 JSON SBOM | [`medsec_core::component::Sbom`] |
//! | [`cyclonedx::write_vex`] | CycloneDX 1.6 JSON VEX (a BOM with `vulnerabilities`) | [`medsec_core::vex::VexDocument`] |
//! | [`csaf::write_vex`] | CSAF 2.0 JSON, profile `csaf_vex` | [`medsec_core::vex::VexDocument`] |
//! | [`openvex::write`] | OpenVEX 0.2 JSON | [`medsec_core::vex::VexDocument`] |
//! | [`sarif::write`] | SARIF 2.1.0 JSON, one run | [`sarif::Finding`]s |
//!
//! Every writer is deterministic: the same input gives the same bytes (fields in a fixed
//! order, lists in input order or sorted where the input has no order, no clock read, no
//! random identifiers: serial numbers and ids come from the caller). Output is pretty-printed
//! JSON with two-space indentation and a final newline.
//!
//! Nothing is written that the target schema would reject: each writer checks what it is
//! given and returns a [`WriteError`] instead. Where a model value has no place in the
//! target format, or a place with a narrower vocabulary, the writer changes it in a
//! documented way and lists the change as a [`Normalisation`] in [`Written::normalisations`],
//! so that the caller can show what the document does not say.

pub mod csaf;
pub mod cyclonedx;
pub mod openvex;
pub mod sarif;

use medsec_core::vex::VexError;
use serde::Serialize;

/// A document written.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Written {
    /// The document: UTF-8 JSON, pretty-printed, ending in a newline.
    pub json: String,
    /// What was changed or left out to fit the format, in document order.
    pub normalisations: Vec<Normalisation>,
}

/// One documented change made to fit the target format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Normalisation {
    /// Where in the model: `components[3].hashes[0]`.
    pub path: String,
    pub message: String,
}

impl Normalisation {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Normalisation {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Why a document was not written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// CycloneDX 1.6 `serialNumber` pattern `^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`.
    #[error(
        "serial number {0:?} is not a lowercase `urn:uuid:` UUID (CycloneDX 1.6 `serialNumber` pattern)"
    )]
    BadSerialNumber(String),
    /// The VEX document breaks a rule of the model.
    #[error("invalid VEX document: {0}")]
    Vex(#[from] VexError),
    /// The document id is not an IRI (OpenVEX `@id` is `format: uri`).
    #[error("document id {0:?} is not an IRI with a scheme (e.g. https://… or urn:…)")]
    IdNotIri(String),
    /// The author namespace is not an absolute URI (CSAF `publisher.namespace`).
    #[error("author namespace {0:?} is not an absolute URI (CSAF 2.0 §3.2.1.8.4)")]
    BadNamespace(String),
    /// OpenVEX identifies products by purl, CPE or IRI; this one has none.
    #[error("product {0:?} has neither a purl nor a CPE, and OpenVEX identifies products by them")]
    NoIdentifier(String),
    /// The revision history does not fit the document version (CSAF 2.0 §6.1.14, §6.1.16,
    /// §6.1.21, §6.1.22).
    #[error("revision history: {0}")]
    RevisionHistory(String),
    /// A SARIF finding or rule is unusable.
    #[error("SARIF: {0}")]
    Sarif(String),
    #[error("JSON serialisation failed: {0}")]
    Json(#[from] serde_json::Error),
}

/// Pretty JSON with a final newline.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<String, WriteError> {
    let mut s = serde_json::to_string_pretty(value)?;
    s.push('\n');
    Ok(s)
}

/// CycloneDX 1.6 `serialNumber` pattern (`bom-1.6.schema.json`, `properties.serialNumber`).
pub(crate) fn is_urn_uuid(s: &str) -> bool {
    let Some(uuid) = s.strip_prefix("urn:uuid:") else {
        return false;
    };
    let groups: Vec<&str> = uuid.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    groups.len() == 5
        && groups.iter().zip(lens).all(|(g, n)| {
            g.len() == n
                && g.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// An absolute IRI: a scheme (RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ))
/// followed by `:` and something, with no whitespace.
pub(crate) fn is_iri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && !s.contains(['<', '>', '"', '{', '}', '|', '\\', '^', '`'])
}

/// RFC 3339 text of a timestamp, in UTC with `Z` (what every schema's `date-time` accepts).
pub(crate) fn timestamp(t: jiff::Timestamp) -> String {
    t.to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn urn_uuid() {
        assert!(is_urn_uuid("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"));
        assert!(!is_urn_uuid(
            "urn:uuid:3E671687-395b-41f5-a30f-a58921a69b79"
        ));
        assert!(!is_urn_uuid("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b7"));
        assert!(!is_urn_uuid("3e671687-395b-41f5-a30f-a58921a69b79"));
    }

    #[test]
    fn iri() {
        assert!(is_iri("https://example.com/vex/1"));
        assert!(is_iri("urn:uuid:1"));
        assert!(!is_iri("vex-1"));
        assert!(!is_iri("1https://x"));
        assert!(!is_iri("https://a b"));
    }
}
