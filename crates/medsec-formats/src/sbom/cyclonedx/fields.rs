//! Which fields each CycloneDX object has in which spec version, and the closed vocabularies.
//!
//! Source: the `properties` and `enum`s of `bom-1.4.schema.json`, `bom-1.5.schema.json` and
//! `bom-1.6.schema.json` (CycloneDX/specification, in `shared/corpus/cyclonedx-spec/schema`),
//! and for 1.2/1.3 the `bom-1.2.schema.json`/`bom-1.3.schema.json` of the same repository
//! (1.3 added `properties`, `evidence`, `compositions` and `metadata.licenses`; 1.4 added
//! `releaseNotes`, `signature`, `vulnerabilities` and `externalReferences[].hashes`). Every
//! object in those schemas has `"additionalProperties": false`, so any other field is an error.
//! Each entry is (field, minor version that introduced it).

pub type Table = &'static [(&'static str, u8)];

/// Root `bom` object.
pub const BOM: Table = &[
    ("$schema", 2),
    ("bomFormat", 2),
    ("specVersion", 2),
    ("serialNumber", 2),
    ("version", 2),
    ("metadata", 2),
    ("components", 2),
    ("services", 2),
    ("externalReferences", 2),
    ("dependencies", 2),
    ("compositions", 3),
    ("vulnerabilities", 4),
    ("signature", 4),
    ("annotations", 5),
    ("formulation", 5),
    ("properties", 5),
    ("declarations", 6),
    ("definitions", 6),
];

pub const METADATA: Table = &[
    ("timestamp", 2),
    ("tools", 2),
    ("authors", 2),
    ("component", 2),
    ("manufacture", 2),
    ("supplier", 2),
    ("licenses", 3),
    ("properties", 3),
    ("lifecycles", 5),
    ("manufacturer", 6),
];

pub const COMPONENT: Table = &[
    ("type", 2),
    ("mime-type", 2),
    ("bom-ref", 2),
    ("supplier", 2),
    ("author", 2),
    ("publisher", 2),
    ("group", 2),
    ("name", 2),
    ("version", 2),
    ("description", 2),
    ("scope", 2),
    ("hashes", 2),
    ("licenses", 2),
    ("copyright", 2),
    ("cpe", 2),
    ("purl", 2),
    ("swid", 2),
    ("modified", 2),
    ("pedigree", 2),
    ("externalReferences", 2),
    ("components", 2),
    ("properties", 3),
    ("evidence", 3),
    ("releaseNotes", 4),
    ("signature", 4),
    ("modelCard", 5),
    ("data", 5),
    ("authors", 6),
    ("manufacturer", 6),
    ("omniborId", 6),
    ("swhid", 6),
    ("cryptoProperties", 6),
    ("tags", 6),
];

pub const HASH: Table = &[("alg", 2), ("content", 2)];

/// An entry of `licenses` (`licenseChoice`).
pub const LICENSE_CHOICE: Table = &[
    ("license", 2),
    ("expression", 2),
    ("bom-ref", 5),
    ("acknowledgement", 6),
];

pub const LICENSE: Table = &[
    ("id", 2),
    ("name", 2),
    ("text", 2),
    ("url", 2),
    ("bom-ref", 5),
    ("licensing", 5),
    ("properties", 5),
    ("acknowledgement", 6),
];

pub const ATTACHMENT: Table = &[("contentType", 2), ("encoding", 2), ("content", 2)];

pub const PROPERTY: Table = &[("name", 3), ("value", 3)];

pub const EXTERNAL_REFERENCE: Table = &[("url", 2), ("comment", 2), ("type", 2), ("hashes", 4)];

pub const ORGANIZATION: Table = &[
    ("name", 2),
    ("url", 2),
    ("contact", 2),
    ("bom-ref", 5),
    ("address", 6),
];

pub const CONTACT: Table = &[("name", 2), ("email", 2), ("phone", 2), ("bom-ref", 5)];

pub const TOOL: Table = &[
    ("vendor", 2),
    ("name", 2),
    ("version", 2),
    ("hashes", 2),
    ("externalReferences", 4),
];

pub const TOOLS_OBJECT: Table = &[("components", 5), ("services", 5)];

pub const DEPENDENCY: Table = &[("ref", 2), ("dependsOn", 2), ("provides", 6)];

pub const SWID: Table = &[
    ("tagId", 2),
    ("name", 2),
    ("version", 2),
    ("tagVersion", 2),
    ("patch", 2),
    ("text", 2),
    ("url", 2),
];

pub const PEDIGREE: Table = &[
    ("ancestors", 2),
    ("descendants", 2),
    ("variants", 2),
    ("commits", 2),
    ("patches", 2),
    ("notes", 2),
];

pub const PATCH: Table = &[("type", 2), ("diff", 2), ("resolves", 2)];

pub const ISSUE: Table = &[
    ("type", 2),
    ("id", 2),
    ("name", 2),
    ("description", 2),
    ("source", 2),
    ("references", 2),
];

/// `component.type` (§ "Component Type"; the `type` enum of `definitions.component`).
pub const COMPONENT_TYPES: Table = &[
    ("application", 2),
    ("framework", 2),
    ("library", 2),
    ("container", 2),
    ("operating-system", 2),
    ("device", 2),
    ("firmware", 2),
    ("file", 2),
    ("platform", 5),
    ("device-driver", 5),
    ("machine-learning-model", 5),
    ("data", 5),
    ("cryptographic-asset", 6),
];

/// `hash-alg`, unchanged from 1.2 to 1.6.
pub const HASH_ALGS: Table = &[
    ("MD5", 2),
    ("SHA-1", 2),
    ("SHA-256", 2),
    ("SHA-384", 2),
    ("SHA-512", 2),
    ("SHA3-256", 2),
    ("SHA3-384", 2),
    ("SHA3-512", 2),
    ("BLAKE2b-256", 2),
    ("BLAKE2b-384", 2),
    ("BLAKE2b-512", 2),
    ("BLAKE3", 2),
];

/// `externalReference.type`.
pub const EXTERNAL_REFERENCE_TYPES: Table = &[
    ("vcs", 2),
    ("issue-tracker", 2),
    ("website", 2),
    ("advisories", 2),
    ("bom", 2),
    ("mailing-list", 2),
    ("social", 2),
    ("chat", 2),
    ("documentation", 2),
    ("support", 2),
    ("distribution", 2),
    ("license", 2),
    ("build-meta", 2),
    ("build-system", 2),
    ("other", 2),
    ("release-notes", 4),
    ("distribution-intake", 5),
    ("security-contact", 5),
    ("model-card", 5),
    ("log", 5),
    ("configuration", 5),
    ("evidence", 5),
    ("formulation", 5),
    ("attestation", 5),
    ("threat-model", 5),
    ("adversary-model", 5),
    ("risk-assessment", 5),
    ("vulnerability-assertion", 5),
    ("exploitability-statement", 5),
    ("pentest-report", 5),
    ("static-analysis-report", 5),
    ("dynamic-analysis-report", 5),
    ("runtime-analysis-report", 5),
    ("component-analysis-report", 5),
    ("maturity-report", 5),
    ("certification-report", 5),
    ("codified-infrastructure", 5),
    ("quality-metrics", 5),
    ("poam", 5),
    ("source-distribution", 6),
    ("electronic-signature", 6),
    ("digital-signature", 6),
    ("rfc-9116", 6),
];

pub const SCOPES: Table = &[("required", 2), ("optional", 2), ("excluded", 2)];

/// `patch.type`.
pub const PATCH_TYPES: Table = &[
    ("unofficial", 2),
    ("monkey", 2),
    ("backport", 2),
    ("cherry-pick", 2),
];

/// `issue.type`.
pub const ISSUE_TYPES: Table = &[("defect", 2), ("enhancement", 2), ("security", 2)];

/// `dataFlow` (1.2–1.4 `dataClassification.flow`, 1.5+ `serviceData.flow`).
pub const DATA_FLOWS: Table = &[
    ("inbound", 2),
    ("outbound", 2),
    ("bi-directional", 2),
    ("unknown", 2),
];

/// `license.acknowledgement` (1.6).
pub const ACKNOWLEDGEMENTS: Table = &[("declared", 6), ("concluded", 6)];

/// Whether `name` is in `table` for spec minor version `minor`; `Err(Some(since))` when it
/// came later, `Err(None)` when it never exists.
pub fn lookup(table: Table, name: &str, minor: u8) -> Result<(), Option<u8>> {
    // Called for every field and enumerated value of a document: the length and the first
    // byte rule out most entries without a call to `memcmp` (a twentieth of the reading).
    let first = name.as_bytes().first();
    match table
        .iter()
        .find(|(n, _)| n.len() == name.len() && n.as_bytes().first() == first && *n == name)
    {
        Some((_, since)) if *since <= minor => Ok(()),
        Some((_, since)) => Err(Some(*since)),
        None => Err(None),
    }
}

/// The values allowed in `minor`, for messages.
pub fn allowed(table: Table, minor: u8) -> String {
    table
        .iter()
        .filter(|(_, since)| *since <= minor)
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}
