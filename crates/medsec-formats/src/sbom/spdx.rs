//! SPDX 2.2 and 2.3: JSON read with serde, tag-value read by a line parser into the same
//! wire structs; both validated and converted in one place ([`convert`]).
//!
//! Sources: SPDX specification 2.2.2 and 2.3 (spdx.github.io/spdx-spec), chapters 6
//! (document creation information), 7 (package information), 11 (relationships), and
//! `schemas/spdx-schema.json` of each version for the JSON field names.
//!
//! The model keeps SPDX **packages** as components; files and snippets are not components
//! (they are the contents of packages, and vulnerability matching works on packages).
//! `DEPENDS_ON` and the `*_DEPENDENCY_OF` relationships become the dependency graph;
//! `DESCRIBES` (or 2.2 JSON `documentDescribes`) names the subject.

use std::collections::{BTreeMap, HashMap};

use medsec_core::Purl;
use medsec_core::component::{
    Component, ComponentKind, Contact, Dependency, Encoding, ExternalReference, Hash, Licence,
    LicenceKind, Metadata, Organization, Original, Property, Sbom, SbomFormat, Tool,
};
use medsec_core::cpe::Cpe;
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{
    Context, Problem, ProblemKind, Problems, Reading, SbomError, idx, is_rfc3339, join,
    json_syntax_problem,
};

pub(crate) const SUPPORTED: &str = "SPDX 2.2 and 2.3";

type Other = BTreeMap<String, IgnoredAny>;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Document {
    #[serde(rename = "spdxVersion")]
    spdx_version: Option<String>,
    #[serde(rename = "dataLicense")]
    data_license: Option<String>,
    #[serde(rename = "SPDXID")]
    spdx_id: Option<String>,
    name: Option<String>,
    #[serde(rename = "documentNamespace")]
    document_namespace: Option<String>,
    #[serde(rename = "creationInfo")]
    creation_info: Option<CreationInfo>,
    packages: Option<Vec<Package>>,
    files: Option<Vec<Element>>,
    snippets: Option<Vec<Element>>,
    relationships: Option<Vec<Relationship>>,
    #[serde(rename = "documentDescribes")]
    document_describes: Option<Vec<String>>,
    #[serde(rename = "externalDocumentRefs")]
    external_document_refs: Option<Vec<ExternalDocumentRef>>,
    #[serde(flatten)]
    other: Other,
}

#[derive(Debug, Default, Deserialize)]
struct CreationInfo {
    created: Option<String>,
    creators: Option<Vec<String>>,
    #[serde(flatten)]
    other: Other,
}

#[derive(Debug, Default, Deserialize)]
struct Package {
    #[serde(rename = "SPDXID")]
    spdx_id: Option<String>,
    name: Option<String>,
    #[serde(rename = "versionInfo")]
    version_info: Option<String>,
    supplier: Option<String>,
    originator: Option<String>,
    #[serde(rename = "downloadLocation")]
    download_location: Option<String>,
    checksums: Option<Vec<Checksum>>,
    homepage: Option<String>,
    #[serde(rename = "licenseConcluded")]
    license_concluded: Option<String>,
    #[serde(rename = "licenseDeclared")]
    license_declared: Option<String>,
    #[serde(rename = "copyrightText")]
    copyright_text: Option<String>,
    summary: Option<String>,
    description: Option<String>,
    #[serde(rename = "externalRefs")]
    external_refs: Option<Vec<ExternalRef>>,
    #[serde(rename = "primaryPackagePurpose")]
    primary_package_purpose: Option<String>,
    /// SPDX 2.3 §7.27: the end of the package's support or use ("valid until").
    #[serde(rename = "validUntilDate")]
    valid_until_date: Option<String>,
    #[serde(flatten)]
    other: Other,
}

#[derive(Debug, Default, Deserialize)]
struct Checksum {
    algorithm: Option<String>,
    #[serde(rename = "checksumValue")]
    checksum_value: Option<String>,
    #[serde(flatten)]
    other: Other,
}

#[derive(Debug, Default, Deserialize)]
struct ExternalRef {
    #[serde(rename = "referenceCategory")]
    reference_category: Option<String>,
    #[serde(rename = "referenceType")]
    reference_type: Option<String>,
    #[serde(rename = "referenceLocator")]
    reference_locator: Option<String>,
    comment: Option<String>,
    #[serde(flatten)]
    other: Other,
}

/// A file or snippet: only its SPDXID matters to the model (relationships may name it).
#[derive(Debug, Default, Deserialize)]
struct Element {
    #[serde(rename = "SPDXID")]
    spdx_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Relationship {
    #[serde(rename = "spdxElementId")]
    element: Option<String>,
    #[serde(rename = "relationshipType")]
    kind: Option<String>,
    #[serde(rename = "relatedSpdxElement")]
    related: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct ExternalDocumentRef {
    #[serde(rename = "externalDocumentId")]
    id: Option<String>,
}

/// Fields of the document object (spdx-schema.json 2.2 / 2.3, `properties`), with the minor
/// version that introduced them. The JSON schema does not forbid other fields, so an unknown
/// one is a warning, not an error.
const DOCUMENT_FIELDS: &[(&str, u8)] = &[
    ("$schema", 2),
    ("SPDXID", 2),
    ("annotations", 2),
    ("comment", 2),
    ("creationInfo", 2),
    ("dataLicense", 2),
    ("documentDescribes", 2),
    ("documentNamespace", 2),
    ("externalDocumentRefs", 2),
    ("files", 2),
    ("hasExtractedLicensingInfos", 2),
    ("name", 2),
    ("packages", 2),
    ("relationships", 2),
    ("revieweds", 2),
    ("snippets", 2),
    ("spdxVersion", 2),
];

/// Package fields (spdx-schema.json `packages.items.properties`); 2.3 added
/// `primaryPackagePurpose`, `releaseDate`, `builtDate` and `validUntilDate` (SPDX 2.3 §7.24–7.27).
const PACKAGE_FIELDS: &[(&str, u8)] = &[
    ("SPDXID", 2),
    ("annotations", 2),
    ("attributionTexts", 2),
    ("checksums", 2),
    ("comment", 2),
    ("copyrightText", 2),
    ("description", 2),
    ("downloadLocation", 2),
    ("externalRefs", 2),
    ("filesAnalyzed", 2),
    ("hasFiles", 2),
    ("homepage", 2),
    ("licenseComments", 2),
    ("licenseConcluded", 2),
    ("licenseDeclared", 2),
    ("licenseInfoFromFiles", 2),
    ("name", 2),
    ("originator", 2),
    ("packageFileName", 2),
    ("packageVerificationCode", 2),
    ("sourceInfo", 2),
    ("summary", 2),
    ("supplier", 2),
    ("versionInfo", 2),
    ("primaryPackagePurpose", 3),
    ("releaseDate", 3),
    ("builtDate", 3),
    ("validUntilDate", 3),
];

/// `primaryPackagePurpose` values (SPDX 2.3 §7.24).
const PURPOSES: &[(&str, ComponentKind)] = &[
    ("APPLICATION", ComponentKind::Application),
    ("FRAMEWORK", ComponentKind::Framework),
    ("LIBRARY", ComponentKind::Library),
    ("CONTAINER", ComponentKind::Container),
    ("OPERATING-SYSTEM", ComponentKind::OperatingSystem),
    ("DEVICE", ComponentKind::Device),
    ("FIRMWARE", ComponentKind::Firmware),
    ("SOURCE", ComponentKind::Source),
    ("ARCHIVE", ComponentKind::Archive),
    ("FILE", ComponentKind::File),
    ("INSTALL", ComponentKind::Install),
    ("OTHER", ComponentKind::Other),
];

/// Checksum algorithms (SPDX 2.2 §7.10: SHA1, SHA224, SHA256, SHA384, SHA512, MD2, MD4, MD5,
/// MD6; 2.3 added SHA3-*, BLAKE2b-*, BLAKE3, ADLER32), with the CycloneDX spelling the model
/// uses where there is one.
const CHECKSUM_ALGS: &[(&str, &str, u8)] = &[
    ("SHA1", "SHA-1", 2),
    ("SHA224", "SHA-224", 2),
    ("SHA256", "SHA-256", 2),
    ("SHA384", "SHA-384", 2),
    ("SHA512", "SHA-512", 2),
    ("MD2", "MD2", 2),
    ("MD4", "MD4", 2),
    ("MD5", "MD5", 2),
    ("MD6", "MD6", 2),
    ("SHA3-256", "SHA3-256", 3),
    ("SHA3-384", "SHA3-384", 3),
    ("SHA3-512", "SHA3-512", 3),
    ("BLAKE2b-256", "BLAKE2b-256", 3),
    ("BLAKE2b-384", "BLAKE2b-384", 3),
    ("BLAKE2b-512", "BLAKE2b-512", 3),
    ("BLAKE3", "BLAKE3", 3),
    ("ADLER32", "ADLER32", 3),
];

/// Relationship types that mean "A depends on B" (`DEPENDS_ON`) or "A is a dependency of B"
/// (the others), SPDX 2.3 §11.1 Table 4.
const DEPENDS_ON: &str = "DEPENDS_ON";
const DEPENDENCY_OF: &[&str] = &[
    "DEPENDENCY_OF",
    "DEV_DEPENDENCY_OF",
    "BUILD_DEPENDENCY_OF",
    "RUNTIME_DEPENDENCY_OF",
    "OPTIONAL_DEPENDENCY_OF",
    "PROVIDED_DEPENDENCY_OF",
    "TEST_DEPENDENCY_OF",
];

/// Every relationship type of SPDX 2.3 §11.1 (2.2 lacks `REQUIREMENT_DESCRIPTION_FOR` and
/// `SPECIFICATION_FOR`).
const RELATIONSHIP_TYPES: &[(&str, u8)] = &[
    ("DESCRIBES", 2),
    ("DESCRIBED_BY", 2),
    ("CONTAINS", 2),
    ("CONTAINED_BY", 2),
    ("DEPENDS_ON", 2),
    ("DEPENDENCY_OF", 2),
    ("DEPENDENCY_MANIFEST_OF", 2),
    ("BUILD_DEPENDENCY_OF", 2),
    ("DEV_DEPENDENCY_OF", 2),
    ("OPTIONAL_DEPENDENCY_OF", 2),
    ("PROVIDED_DEPENDENCY_OF", 2),
    ("TEST_DEPENDENCY_OF", 2),
    ("RUNTIME_DEPENDENCY_OF", 2),
    ("EXAMPLE_OF", 2),
    ("GENERATES", 2),
    ("GENERATED_FROM", 2),
    ("ANCESTOR_OF", 2),
    ("DESCENDANT_OF", 2),
    ("VARIANT_OF", 2),
    ("DISTRIBUTION_ARTIFACT", 2),
    ("PATCH_FOR", 2),
    ("PATCH_APPLIED", 2),
    ("COPY_OF", 2),
    ("FILE_ADDED", 2),
    ("FILE_DELETED", 2),
    ("FILE_MODIFIED", 2),
    ("EXPANDED_FROM_ARCHIVE", 2),
    ("DYNAMIC_LINK", 2),
    ("STATIC_LINK", 2),
    ("DATA_FILE_OF", 2),
    ("TEST_CASE_OF", 2),
    ("BUILD_TOOL_OF", 2),
    ("DEV_TOOL_OF", 2),
    ("TEST_OF", 2),
    ("TEST_TOOL_OF", 2),
    ("DOCUMENTATION_OF", 2),
    ("OPTIONAL_COMPONENT_OF", 2),
    ("METAFILE_OF", 2),
    ("PACKAGE_OF", 2),
    ("AMENDS", 2),
    ("PREREQUISITE_FOR", 2),
    ("HAS_PREREQUISITE", 2),
    ("OTHER", 2),
    ("REQUIREMENT_DESCRIPTION_FOR", 3),
    ("SPECIFICATION_FOR", 3),
];

pub(crate) fn read_json(
    ctx: &Context<'_>,
    original: Original,
    version: &str,
) -> Result<Reading, SbomError> {
    let doc: Document = serde_json::from_str(ctx.text).map_err(|e| SbomError::Invalid {
        format: "SPDX JSON".to_owned(),
        problems: vec![json_syntax_problem(ctx, &e)],
    })?;
    convert(
        doc,
        version,
        Encoding::Json,
        original,
        "SPDX JSON",
        &|problems| super::locate::locate_json(ctx, problems),
    )
}

pub(crate) fn read_tag_value(ctx: &Context<'_>, original: Original) -> Result<Reading, SbomError> {
    let (doc, positions, mut early) = tagvalue::parse(ctx);
    let version = doc
        .spdx_version
        .clone()
        .unwrap_or_default()
        .strip_prefix("SPDX-")
        .map(str::to_owned);
    let version = match version.as_deref() {
        Some(v @ ("2.2" | "2.3")) => v.to_owned(),
        Some(v) => {
            return Err(SbomError::UnsupportedVersion {
                format: SbomFormat::Spdx,
                version: v.to_owned(),
                supported: SUPPORTED,
            });
        }
        None => {
            early.push(Problem::error(
                ProblemKind::BadValue,
                "spdxVersion",
                "`SPDXVersion` must be SPDX-2.2 or SPDX-2.3",
            ));
            "2.3".to_owned()
        }
    };
    let positions_fn = |problems: &mut [Problem]| {
        super::locate::apply_positions(ctx, problems, &positions);
    };
    match convert(
        doc,
        &version,
        Encoding::TagValue,
        original,
        "SPDX tag-value",
        &positions_fn,
    ) {
        Ok(mut reading) if early.is_empty() => {
            reading.warnings.sort_by_key(|p| p.offset);
            Ok(reading)
        }
        Ok(reading) => {
            let mut problems = early;
            problems.extend(reading.warnings);
            split(problems, reading.sbom)
        }
        Err(SbomError::Invalid { problems, format }) => {
            let mut all = early;
            all.extend(problems);
            all.sort_by_key(|p| (p.offset.is_none(), p.offset));
            Err(SbomError::Invalid {
                format,
                problems: all,
            })
        }
        Err(other) => Err(other),
    }
}

fn split(mut problems: Vec<Problem>, sbom: Sbom) -> Result<Reading, SbomError> {
    problems.sort_by_key(|p| (p.offset.is_none(), p.offset));
    if problems.iter().any(Problem::is_error) {
        Err(SbomError::Invalid {
            format: "SPDX tag-value".to_owned(),
            problems,
        })
    } else {
        Ok(Reading {
            sbom,
            warnings: problems,
        })
    }
}

fn convert(
    doc: Document,
    version: &str,
    encoding: Encoding,
    original: Original,
    format: &str,
    positions: &dyn Fn(&mut [Problem]),
) -> Result<Reading, SbomError> {
    let minor: u8 = if version == "2.2" { 2 } else { 3 };
    let mut p = Problems::new();
    let mut sbom = Sbom::new(SbomFormat::Spdx, version, encoding, original);
    let field_check = |p: &mut Problems,
                       table: &[(&str, u8)],
                       what: &str,
                       path: &str,
                       keys: &mut dyn Iterator<Item = &str>| {
        for key in keys {
            match table.iter().find(|(n, _)| *n == key) {
                Some((_, since)) if *since <= minor => {}
                Some((_, since)) => p.error(
                    ProblemKind::UnknownField,
                    join(path, key),
                    format!("`{key}` is not a field of {what} in SPDX 2.{minor}: it was added in 2.{since}"),
                ),
                None => p.warning(
                    ProblemKind::UnknownField,
                    join(path, key),
                    format!("`{key}` is not a field of {what} in SPDX 2.{minor}; it is ignored"),
                ),
            }
        }
    };
    field_check(
        &mut p,
        DOCUMENT_FIELDS,
        "the document",
        "",
        &mut doc.other.keys().map(String::as_str),
    );

    // Document creation information (SPDX 2.3 §6): all of these are mandatory.
    if doc.data_license.as_deref() != Some("CC0-1.0") {
        p.error(
            ProblemKind::BadValue,
            "dataLicense",
            format!(
                "`dataLicense` must be CC0-1.0 (SPDX 2.{minor} §6.2), not {}",
                doc.data_license
                    .as_deref()
                    .map_or("absent".to_owned(), |d| format!("\"{d}\""))
            ),
        );
    }
    if doc.spdx_id.as_deref() != Some("SPDXRef-DOCUMENT") {
        p.error(
            ProblemKind::BadValue,
            "SPDXID",
            "the document's `SPDXID` must be SPDXRef-DOCUMENT (§6.3)",
        );
    }
    match &doc.name {
        Some(name) => sbom.name = Some(name.clone()),
        None => p.error(
            ProblemKind::MissingField,
            "name",
            "the document needs a `name` (§6.4)",
        ),
    }
    match &doc.document_namespace {
        Some(ns) => {
            // §6.5: a unique absolute URI without a `#`.
            if ns.contains('#') || !ns.contains(':') {
                p.error(
                    ProblemKind::BadValue,
                    "documentNamespace",
                    format!(
                        "`documentNamespace` \"{ns}\" must be an absolute URI without `#` (§6.5)"
                    ),
                );
            }
            sbom.serial_number = Some(ns.clone());
        }
        None => p.error(
            ProblemKind::MissingField,
            "documentNamespace",
            "the document needs a `documentNamespace` (§6.5)",
        ),
    }
    match &doc.creation_info {
        None => p.error(
            ProblemKind::MissingField,
            "creationInfo",
            "the document needs `creationInfo` with `created` and `creators` (§6.8, §6.9)",
        ),
        Some(ci) => {
            for key in ci.other.keys() {
                if !matches!(key.as_str(), "comment" | "licenseListVersion") {
                    p.warning(
                        ProblemKind::UnknownField,
                        join("creationInfo", key),
                        format!("`{key}` is not a field of creationInfo; it is ignored"),
                    );
                }
            }
            match &ci.created {
                Some(c) if is_rfc3339(c) => {}
                Some(c) => p.error(
                    ProblemKind::BadValue,
                    "creationInfo.created",
                    format!(
                        "`created` \"{c}\" is not a date-time like 2024-05-01T12:00:00Z (§6.9)"
                    ),
                ),
                None => p.error(
                    ProblemKind::MissingField,
                    "creationInfo.created",
                    "`created` is required (§6.9)",
                ),
            }
            sbom.metadata.timestamp = ci.created.clone();
            let creators = ci.creators.as_deref().unwrap_or_default();
            if creators.is_empty() {
                p.error(
                    ProblemKind::MissingField,
                    "creationInfo.creators",
                    "at least one creator is required (§6.8)",
                );
            }
            for (i, c) in creators.iter().enumerate() {
                creator(
                    c,
                    &idx("creationInfo.creators", i),
                    &mut sbom.metadata,
                    &mut p,
                );
            }
        }
    }

    // Every SPDXID in the document, for relationships.
    let mut ids: HashMap<String, String> = HashMap::new();
    ids.insert("SPDXRef-DOCUMENT".to_owned(), String::new());
    let mut declare = |p: &mut Problems, id: &Option<String>, path: &str| match id {
        None => p.error(
            ProblemKind::MissingField,
            join(path, "SPDXID"),
            "an element needs an `SPDXID`",
        ),
        Some(id) => {
            // §3.2 / §7.2: "SPDXRef-" followed by letters, digits, `.` and `-`.
            let valid = id.strip_prefix("SPDXRef-").is_some_and(|rest| {
                !rest.is_empty()
                    && rest
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            });
            if !valid {
                p.error(
                    ProblemKind::BadValue,
                    join(path, "SPDXID"),
                    format!(
                        "SPDXID \"{id}\" must be SPDXRef- followed by letters, digits, `.` or `-`"
                    ),
                );
            }
            if let Some(first) = ids.get(id) {
                p.error(
                    ProblemKind::DuplicateRef,
                    join(path, "SPDXID"),
                    format!("SPDXID \"{id}\" is also used at {first}"),
                );
            } else {
                ids.insert(id.clone(), path.to_owned());
            }
        }
    };
    for (i, pkg) in doc.packages.iter().flatten().enumerate() {
        declare(&mut p, &pkg.spdx_id, &idx("packages", i));
    }
    for (i, f) in doc.files.iter().flatten().enumerate() {
        declare(&mut p, &f.spdx_id, &idx("files", i));
    }
    for (i, s) in doc.snippets.iter().flatten().enumerate() {
        declare(&mut p, &s.spdx_id, &idx("snippets", i));
    }
    let external_docs: Vec<String> = doc
        .external_document_refs
        .iter()
        .flatten()
        .filter_map(|r| r.id.clone())
        .collect();

    for (i, pkg) in doc.packages.iter().flatten().enumerate() {
        let path = idx("packages", i);
        field_check(
            &mut p,
            PACKAGE_FIELDS,
            "a package",
            &path,
            &mut pkg.other.keys().map(String::as_str),
        );
        for (field, present) in [(
            "primaryPackagePurpose",
            pkg.primary_package_purpose.is_some(),
        )] {
            if present && minor < 3 {
                p.error(
                    ProblemKind::UnknownField,
                    join(&path, field),
                    format!(
                        "`{field}` is not a field of a package in SPDX 2.2: it was added in 2.3"
                    ),
                );
            }
        }
        if let Some(c) = package(pkg, &path, minor, &mut p) {
            sbom.components.push(c);
        }
    }

    // Relationships (§11): both ends must exist (or be NONE/NOASSERTION on the related side,
    // or an element of an external document `DocumentRef-x:SPDXRef-y`).
    let exists = |id: &str| {
        ids.contains_key(id)
            || matches!(id, "NONE" | "NOASSERTION")
            || id.split_once(':').is_some_and(|(d, _)| {
                d.starts_with("DocumentRef-") && external_docs.iter().any(|e| e == d)
            })
    };
    let mut graph: Vec<Dependency> = Vec::new();
    let add_edge = |graph: &mut Vec<Dependency>, from: &str, to: &str| match graph
        .iter_mut()
        .find(|d| d.reference == from)
    {
        Some(d) => d.depends_on.push(to.to_owned()),
        None => graph.push(Dependency {
            reference: from.to_owned(),
            depends_on: vec![to.to_owned()],
        }),
    };
    let mut described: Vec<String> = doc.document_describes.clone().unwrap_or_default();
    for (i, d) in described.iter().enumerate() {
        if !exists(d) {
            p.error(
                ProblemKind::DanglingRef,
                idx("documentDescribes", i),
                format!("\"{d}\" is not the SPDXID of any element in this document"),
            );
        }
    }
    for (i, r) in doc.relationships.iter().flatten().enumerate() {
        let path = idx("relationships", i);
        let (Some(a), Some(kind), Some(b)) = (&r.element, &r.kind, &r.related) else {
            p.error(
                ProblemKind::MissingField,
                &path,
                "a relationship needs `spdxElementId`, `relationshipType` and `relatedSpdxElement`",
            );
            continue;
        };
        match RELATIONSHIP_TYPES.iter().find(|(n, _)| n == kind) {
            Some((_, since)) if *since <= minor => {}
            _ => p.error(
                ProblemKind::BadValue,
                join(&path, "relationshipType"),
                format!("\"{kind}\" is not an SPDX 2.{minor} relationship type (§11.1)"),
            ),
        }
        for (key, id) in [("spdxElementId", a), ("relatedSpdxElement", b)] {
            if !exists(id) {
                p.error(
                    ProblemKind::DanglingRef,
                    join(&path, key),
                    format!("\"{id}\" is not the SPDXID of any element in this document"),
                );
            }
        }
        let real = |id: &str| !matches!(id, "NONE" | "NOASSERTION");
        if kind == DEPENDS_ON && real(b) {
            add_edge(&mut graph, a, b);
        } else if DEPENDENCY_OF.contains(&kind.as_str()) && real(b) {
            add_edge(&mut graph, b, a);
        } else if kind == "DESCRIBES" && a == "SPDXRef-DOCUMENT" {
            described.push(b.clone());
        } else if kind == "DESCRIBED_BY" && b == "SPDXRef-DOCUMENT" {
            described.push(a.clone());
        }
    }
    sbom.dependencies = graph;
    described.dedup();
    // The subject: the one package the document describes. Several described packages have no
    // single subject.
    if let [one] = described.as_slice() {
        sbom.metadata.component = sbom.component_by_ref(one).cloned().map(Box::new);
    }
    if sbom.metadata.component.is_none() && described.is_empty() && !sbom.components.is_empty() {
        p.warning(
            ProblemKind::MissingField,
            "relationships",
            "no DESCRIBES relationship: the document does not say which package it is about (§11.1)",
        );
    }
    p.finish(sbom, format, positions)
}

fn creator(c: &str, path: &str, metadata: &mut Metadata, p: &mut Problems) {
    // §6.8: "Person: name (email)", "Organization: name (email)", "Tool: name-version".
    let Some((kind, rest)) = c.split_once(':') else {
        p.error(
            ProblemKind::BadValue,
            path,
            format!("creator \"{c}\" must start with Person:, Organization: or Tool: (§6.8)"),
        );
        return;
    };
    let rest = rest.trim();
    let (name, email) = match rest.rfind('(') {
        Some(i) if rest.ends_with(')') => (
            rest[..i].trim().to_owned(),
            Some(rest[i + 1..rest.len() - 1].trim().to_owned()).filter(|e| !e.is_empty()),
        ),
        _ => (rest.to_owned(), None),
    };
    match kind.trim() {
        "Person" => metadata.authors.push(Contact::new(Some(name), email, None)),
        "Organization" => {
            let mut org = Organization::named(name);
            if let Some(email) = email {
                org.contacts.push(Contact::new(None, Some(email), None));
            }
            metadata.organizations.push(org);
        }
        "Tool" => {
            // "Tool: name-version": the version is after the last `-` when it starts with a digit.
            let (tool, version) = match rest.rsplit_once('-') {
                Some((n, v)) if v.starts_with(|c: char| c.is_ascii_digit()) => {
                    (n.to_owned(), Some(v.to_owned()))
                }
                _ => (rest.to_owned(), None),
            };
            metadata.tools.push(Tool::new(None, Some(tool), version));
        }
        other => p.error(
            ProblemKind::BadValue,
            path,
            format!("creator kind \"{other}\" is not Person, Organization or Tool (§6.8)"),
        ),
    }
}

/// `NOASSERTION` and `NONE` say "no information"; the model keeps only information.
fn informative(s: &Option<String>) -> Option<String> {
    s.clone()
        .filter(|v| !matches!(v.trim(), "NOASSERTION" | "NONE" | ""))
}

fn package(pkg: &Package, path: &str, minor: u8, p: &mut Problems) -> Option<Component> {
    let name = match &pkg.name {
        Some(n) => n.clone(),
        None => {
            p.error(
                ProblemKind::MissingField,
                join(path, "name"),
                "a package needs a `name` (§7.1)",
            );
            return None;
        }
    };
    if pkg.download_location.is_none() {
        p.error(
            ProblemKind::MissingField,
            join(path, "downloadLocation"),
            "a package needs a `downloadLocation` (a URL, NONE or NOASSERTION; §7.7)",
        );
    }
    // SPDX 2.2 §7.13, §7.15, §7.17: licenseConcluded, licenseDeclared and copyrightText are
    // mandatory; 2.3 made them optional.
    if minor == 2 {
        for (field, present) in [
            ("licenseConcluded", pkg.license_concluded.is_some()),
            ("licenseDeclared", pkg.license_declared.is_some()),
            ("copyrightText", pkg.copyright_text.is_some()),
        ] {
            if !present {
                p.error(
                    ProblemKind::MissingField,
                    join(path, field),
                    format!("a package needs `{field}` in SPDX 2.2 (NOASSERTION if unknown; optional from 2.3)"),
                );
            }
        }
    }
    let kind = match pkg.primary_package_purpose.as_deref() {
        None => ComponentKind::Unspecified,
        Some(purpose) => match PURPOSES.iter().find(|(n, _)| *n == purpose) {
            Some((_, k)) => *k,
            None => {
                p.error(
                    ProblemKind::BadValue,
                    join(path, "primaryPackagePurpose"),
                    format!("\"{purpose}\" is not a package purpose (§7.24)"),
                );
                ComponentKind::Unspecified
            }
        },
    };
    let mut c = Component::new(kind, name);
    c.bom_ref = pkg.spdx_id.clone();
    c.version = pkg.version_info.clone();
    c.description = pkg.description.clone().or(pkg.summary.clone());
    c.copyright = informative(&pkg.copyright_text);
    // §7.5 supplier / §7.6 originator: "Person: …", "Organization: …" or NOASSERTION.
    c.supplier = informative(&pkg.supplier).map(|s| Organization::named(strip_actor(&s)));
    c.publisher = informative(&pkg.originator).map(|s| strip_actor(&s));
    // Kept as a property so that support tooling (end of support) can read it; the name
    // is the SPDX field's, prefixed.
    if let Some(until) = informative(&pkg.valid_until_date) {
        c.properties.push(Property {
            name: "spdx:validUntilDate".to_owned(),
            value: Some(until),
        });
    }
    for (field, value, ack) in [
        ("licenseConcluded", &pkg.license_concluded, "concluded"),
        ("licenseDeclared", &pkg.license_declared, "declared"),
    ] {
        if let Some(expr) = informative(value) {
            if spdx::Expression::parse_mode(&expr, spdx::ParseMode::LAX).is_err() {
                p.warning(
                    ProblemKind::BadLicence,
                    join(path, field),
                    format!("\"{expr}\" is not a valid SPDX licence expression"),
                );
            }
            c.licences.push(Licence::new(
                LicenceKind::Expression,
                expr,
                Some(ack.to_owned()),
            ));
        }
    }
    for (i, sum) in pkg.checksums.iter().flatten().enumerate() {
        let sp = idx(&join(path, "checksums"), i);
        let (Some(alg), Some(value)) = (&sum.algorithm, &sum.checksum_value) else {
            p.error(
                ProblemKind::MissingField,
                sp,
                "a checksum needs `algorithm` and `checksumValue`",
            );
            continue;
        };
        match CHECKSUM_ALGS.iter().find(|(n, _, _)| n == alg) {
            Some((_, model, since)) if *since <= minor => {
                if !value.bytes().all(|b| b.is_ascii_hexdigit()) || value.is_empty() {
                    p.error(
                        ProblemKind::BadValue,
                        join(&sp, "checksumValue"),
                        format!("checksum \"{value}\" is not hexadecimal"),
                    );
                } else {
                    c.hashes.push(Hash {
                        alg: (*model).to_owned(),
                        value: value.to_lowercase(),
                    });
                }
            }
            _ => p.error(
                ProblemKind::BadValue,
                join(&sp, "algorithm"),
                format!("\"{alg}\" is not an SPDX 2.{minor} checksum algorithm (§7.10)"),
            ),
        }
        if !sum.other.is_empty() {
            p.warning(
                ProblemKind::UnknownField,
                &sp,
                "a checksum has only `algorithm` and `checksumValue`",
            );
        }
    }
    if let Some(home) = informative(&pkg.homepage) {
        c.external_references
            .push(ExternalReference::new("website", home, None));
    }
    if let Some(dl) = informative(&pkg.download_location) {
        c.external_references
            .push(ExternalReference::new("distribution", dl, None));
    }
    for (i, r) in pkg.external_refs.iter().flatten().enumerate() {
        let rp = idx(&join(path, "externalRefs"), i);
        let (Some(category), Some(ty), Some(locator)) = (
            &r.reference_category,
            &r.reference_type,
            &r.reference_locator,
        ) else {
            p.error(
                ProblemKind::MissingField,
                &rp,
                "an external ref needs `referenceCategory`, `referenceType` and `referenceLocator` (§7.21)",
            );
            continue;
        };
        let _ = &r.other;
        // §7.21: categories SECURITY, PACKAGE-MANAGER (2.2 JSON also PACKAGE_MANAGER),
        // PERSISTENT-ID (2.3), OTHER.
        let category_ok = match category.as_str() {
            "SECURITY" | "PACKAGE-MANAGER" | "PACKAGE_MANAGER" | "OTHER" => true,
            "PERSISTENT-ID" | "PERSISTENT_ID" => minor >= 3,
            _ => false,
        };
        if !category_ok {
            p.error(
                ProblemKind::BadValue,
                join(&rp, "referenceCategory"),
                format!(
                    "\"{category}\" is not an SPDX 2.{minor} external reference category (§7.21)"
                ),
            );
        }
        match ty.as_str() {
            "purl" => match Purl::parse_lenient(locator) {
                Ok(purl) if c.purl.is_none() => c.purl = Some(purl),
                Ok(_) => c.external_references.push(ExternalReference::new(
                    "purl",
                    locator.clone(),
                    r.comment.clone(),
                )),
                Err(e) => p.warning(
                    ProblemKind::BadPurl,
                    join(&rp, "referenceLocator"),
                    format!(
                        "purl \"{locator}\" is not valid ({e}); the package is kept without it"
                    ),
                ),
            },
            "cpe23Type" | "cpe22Type" => match locator.parse::<Cpe>() {
                Ok(cpe) => c.cpes.push(cpe),
                Err(e) => p.warning(
                    ProblemKind::BadCpe,
                    join(&rp, "referenceLocator"),
                    format!("CPE \"{locator}\" is not valid ({e}); the package is kept without it"),
                ),
            },
            _ => c.external_references.push(ExternalReference::new(
                ty.clone(),
                locator.clone(),
                r.comment.clone(),
            )),
        }
    }
    Some(c)
}

fn strip_actor(s: &str) -> String {
    let rest = s
        .strip_prefix("Organization:")
        .or_else(|| s.strip_prefix("Person:"))
        .or_else(|| s.strip_prefix("Tool:"))
        .unwrap_or(s);
    rest.trim().to_owned()
}

mod tagvalue {
    //! SPDX tag-value (SPDX 2.3 Annex / §5 "tag:value" format): `Tag: value` lines, values
    //! that span lines wrapped in `<text>…</text>`, `#` comments. A `PackageName` starts a
    //! package, `FileName` a file, `SnippetSPDXID` a snippet, `LicenseID` an extracted
    //! licence; the `SPDXID` that follows belongs to that element.

    use std::collections::HashMap;

    use super::{
        Checksum, CreationInfo, Document, Element, ExternalDocumentRef, ExternalRef, Package,
        Relationship,
    };
    use crate::sbom::{Context, Problem, ProblemKind, idx, join};

    #[derive(Clone, Copy, PartialEq)]
    enum Section {
        Document,
        Package,
        File,
        Snippet,
        Licence,
        Other,
    }

    /// Tags of the document-creation, file, snippet, licence, relationship, annotation and
    /// review sections that the model does not need but a valid document may have
    /// (SPDX 2.3 §6, §8–§13).
    const ACCEPTED: &[&str] = &[
        "LicenseListVersion",
        "CreatorComment",
        "DocumentComment",
        "FileChecksum",
        "FileType",
        "LicenseConcluded",
        "LicenseInfoInFile",
        "LicenseComments",
        "FileCopyrightText",
        "FileComment",
        "FileNotice",
        "FileContributor",
        "FileAttributionText",
        "FileDependency",
        "ArtifactOfProjectName",
        "ArtifactOfProjectHomePage",
        "ArtifactOfProjectURI",
        "SnippetFromFileSPDXID",
        "SnippetByteRange",
        "SnippetLineRange",
        "SnippetLicenseConcluded",
        "LicenseInfoInSnippet",
        "SnippetLicenseComments",
        "SnippetCopyrightText",
        "SnippetComment",
        "SnippetName",
        "SnippetAttributionText",
        "ExtractedText",
        "LicenseName",
        "LicenseCrossReference",
        "LicenseComment",
        "RelationshipComment",
        "Annotator",
        "AnnotationDate",
        "AnnotationType",
        "SPDXREF",
        "AnnotationComment",
        "Reviewer",
        "ReviewDate",
        "ReviewComment",
        "PackageFileName",
        "FilesAnalyzed",
        "PackageVerificationCode",
        "PackageSourceInfo",
        "PackageLicenseInfoFromFiles",
        "PackageLicenseComments",
        "PackageComment",
        "ExternalRefComment",
        "PackageAttributionText",
    ];

    /// Package tags added in SPDX 2.3 (§7.24–§7.27).
    const PACKAGE_2_3: &[&str] = &[
        "PrimaryPackagePurpose",
        "ReleaseDate",
        "BuiltDate",
        "ValidUntilDate",
    ];

    pub(super) fn parse(ctx: &Context<'_>) -> (Document, HashMap<String, usize>, Vec<Problem>) {
        let mut doc = Document::default();
        let mut positions = HashMap::new();
        let mut problems = Vec::new();
        let mut section = Section::Document;
        let mut packages: Vec<Package> = Vec::new();
        let mut files: Vec<Element> = Vec::new();
        let mut snippets: Vec<Element> = Vec::new();
        let mut relationships: Vec<Relationship> = Vec::new();
        let mut creators: Vec<String> = Vec::new();
        let mut created: Option<String> = None;
        let mut describes: Vec<String> = Vec::new();
        let mut ext_docs: Vec<ExternalDocumentRef> = Vec::new();
        let is_2_2 = ctx
            .text
            .lines()
            .take(50)
            .any(|l| l.trim() == "SPDXVersion: SPDX-2.2");

        let text = ctx.text;
        let mut offset = 0usize;
        let mut lines = text.split_inclusive('\n').peekable();
        while let Some(raw) = lines.next() {
            let line_start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let Some((tag, value)) = trimmed.split_once(':') else {
                problems.push(
                    Problem::error(
                        ProblemKind::Syntax,
                        "",
                        format!("\"{}\" is not a `Tag: value` line", abbreviate(trimmed)),
                    )
                    .at(ctx.index, line_start),
                );
                continue;
            };
            let tag = tag.trim();
            let mut value = value.trim().to_owned();
            // Multi-line values: `<text>` … `</text>`, possibly over several lines.
            if let Some(rest) = value.strip_prefix("<text>") {
                let mut collected = rest.to_owned();
                while !collected.contains("</text>") {
                    match lines.next() {
                        Some(next) => {
                            offset += next.len();
                            collected.push_str(next);
                        }
                        None => {
                            problems.push(
                                Problem::error(
                                    ProblemKind::Syntax,
                                    "",
                                    format!("the <text> value of `{tag}` is not closed by </text>"),
                                )
                                .at(ctx.index, line_start),
                            );
                            break;
                        }
                    }
                }
                value = collected
                    .split("</text>")
                    .next()
                    .unwrap_or_default()
                    .to_owned();
            }
            let mut record = |path: String| {
                positions.entry(path).or_insert(line_start);
            };
            let pkg_path = idx("packages", packages.len().saturating_sub(1));
            match tag {
                "SPDXVersion" => {
                    record("spdxVersion".to_owned());
                    doc.spdx_version = Some(value);
                }
                "DataLicense" => {
                    record("dataLicense".to_owned());
                    doc.data_license = Some(value);
                }
                "DocumentName" => {
                    record("name".to_owned());
                    doc.name = Some(value);
                }
                "DocumentNamespace" => {
                    record("documentNamespace".to_owned());
                    doc.document_namespace = Some(value);
                }
                "ExternalDocumentRef" => ext_docs.push(ExternalDocumentRef {
                    id: value.split_whitespace().next().map(str::to_owned),
                }),
                "Creator" => {
                    record(idx("creationInfo.creators", creators.len()));
                    record("creationInfo".to_owned());
                    creators.push(value);
                }
                "Created" => {
                    record("creationInfo.created".to_owned());
                    created = Some(value);
                }
                "SPDXID" => match section {
                    Section::Document => {
                        record("SPDXID".to_owned());
                        doc.spdx_id = Some(value);
                    }
                    Section::Package => {
                        record(join(&pkg_path, "SPDXID"));
                        if let Some(p) = packages.last_mut() {
                            p.spdx_id = Some(value);
                        }
                    }
                    Section::File => {
                        record(join(&idx("files", files.len().saturating_sub(1)), "SPDXID"));
                        if let Some(f) = files.last_mut() {
                            f.spdx_id = Some(value);
                        }
                    }
                    Section::Snippet | Section::Licence | Section::Other => {}
                },
                "PackageName" => {
                    section = Section::Package;
                    packages.push(Package {
                        name: Some(value),
                        ..Default::default()
                    });
                    let path = idx("packages", packages.len() - 1);
                    record(join(&path, "name"));
                    record(path);
                }
                "FileName" => {
                    section = Section::File;
                    files.push(Element::default());
                    record(idx("files", files.len() - 1));
                }
                "SnippetSPDXID" => {
                    section = Section::Snippet;
                    snippets.push(Element {
                        spdx_id: Some(value),
                    });
                    record(join(&idx("snippets", snippets.len() - 1), "SPDXID"));
                }
                "LicenseID" => section = Section::Licence,
                "Relationship" => {
                    let parts: Vec<&str> = value.split_whitespace().collect();
                    record(idx("relationships", relationships.len()));
                    if parts.len() == 3 {
                        relationships.push(Relationship {
                            element: Some(parts[0].to_owned()),
                            kind: Some(parts[1].to_owned()),
                            related: Some(parts[2].to_owned()),
                        });
                    } else {
                        problems.push(
                            Problem::error(
                                ProblemKind::Syntax,
                                "",
                                format!("`Relationship: {value}` must be `ID TYPE ID` (§11.1)"),
                            )
                            .at(ctx.index, line_start),
                        );
                    }
                }
                _ if section == Section::Package && tag.starts_with("Package")
                    || matches!(
                        tag,
                        "ExternalRef"
                            | "PrimaryPackagePurpose"
                            | "ReleaseDate"
                            | "BuiltDate"
                            | "ValidUntilDate"
                    ) =>
                {
                    let path = pkg_path.clone();
                    let Some(pkg) = packages.last_mut() else {
                        problems.push(
                            Problem::error(
                                ProblemKind::Syntax,
                                "",
                                format!("`{tag}` comes before any `PackageName`"),
                            )
                            .at(ctx.index, line_start),
                        );
                        continue;
                    };
                    if is_2_2 && PACKAGE_2_3.contains(&tag) {
                        problems.push(
                            Problem::error(
                                ProblemKind::UnknownField,
                                "",
                                format!(
                                    "`{tag}` is not a package tag in SPDX 2.2: it was added in 2.3"
                                ),
                            )
                            .at(ctx.index, line_start),
                        );
                        continue;
                    }
                    let field = match tag {
                        "PackageVersion" => Some(("versionInfo", &mut pkg.version_info)),
                        "PackageSupplier" => Some(("supplier", &mut pkg.supplier)),
                        "PackageOriginator" => Some(("originator", &mut pkg.originator)),
                        "PackageDownloadLocation" => {
                            Some(("downloadLocation", &mut pkg.download_location))
                        }
                        "PackageHomePage" => Some(("homepage", &mut pkg.homepage)),
                        "PackageLicenseConcluded" => {
                            Some(("licenseConcluded", &mut pkg.license_concluded))
                        }
                        "PackageLicenseDeclared" => {
                            Some(("licenseDeclared", &mut pkg.license_declared))
                        }
                        "PackageCopyrightText" => Some(("copyrightText", &mut pkg.copyright_text)),
                        "PackageSummary" => Some(("summary", &mut pkg.summary)),
                        "PackageDescription" => Some(("description", &mut pkg.description)),
                        "PrimaryPackagePurpose" => {
                            Some(("primaryPackagePurpose", &mut pkg.primary_package_purpose))
                        }
                        "ValidUntilDate" => Some(("validUntilDate", &mut pkg.valid_until_date)),
                        _ => None,
                    };
                    if let Some((name, slot)) = field {
                        record(join(&path, name));
                        *slot = Some(value);
                        continue;
                    }
                    match tag {
                        "PackageChecksum" => {
                            let list = pkg.checksums.get_or_insert_with(Vec::new);
                            record(idx(&join(&path, "checksums"), list.len()));
                            let (alg, sum) = value.split_once(':').unwrap_or((value.as_str(), ""));
                            list.push(Checksum {
                                algorithm: Some(alg.trim().to_owned()),
                                checksum_value: Some(sum.trim().to_owned()),
                                ..Default::default()
                            });
                        }
                        "ExternalRef" => {
                            let list = pkg.external_refs.get_or_insert_with(Vec::new);
                            record(idx(&join(&path, "externalRefs"), list.len()));
                            let parts: Vec<&str> = value.split_whitespace().collect();
                            list.push(ExternalRef {
                                reference_category: parts.first().map(|s| (*s).to_owned()),
                                reference_type: parts.get(1).map(|s| (*s).to_owned()),
                                reference_locator: parts.get(2).map(|s| (*s).to_owned()),
                                ..Default::default()
                            });
                        }
                        t if ACCEPTED.contains(&t)
                            || t == "ReleaseDate"
                            || t == "BuiltDate"
                            || t == "ValidUntilDate" => {}
                        _ => problems.push(
                            Problem::error(
                                ProblemKind::UnknownField,
                                "",
                                format!("`{tag}` is not an SPDX package tag"),
                            )
                            .at(ctx.index, line_start),
                        ),
                    }
                }
                t if ACCEPTED.contains(&t) => {
                    if section == Section::Document && t.starts_with("Package") {
                        problems.push(
                            Problem::error(
                                ProblemKind::Syntax,
                                "",
                                format!("`{tag}` comes before any `PackageName`"),
                            )
                            .at(ctx.index, line_start),
                        );
                    }
                    if t == "LicenseID" {
                        section = Section::Licence;
                    }
                }
                _ => problems.push(
                    Problem::error(
                        ProblemKind::UnknownField,
                        "",
                        format!("`{tag}` is not an SPDX tag"),
                    )
                    .at(ctx.index, line_start),
                ),
            }
            let _ = Section::Other;
        }
        // `Relationship: SPDXRef-DOCUMENT DESCRIBES x` is how tag-value says what it describes.
        describes.clear();
        if !creators.is_empty() || created.is_some() {
            doc.creation_info = Some(CreationInfo {
                created,
                creators: Some(creators),
                ..Default::default()
            });
        }
        doc.packages = Some(packages);
        doc.files = Some(files);
        doc.snippets = Some(snippets);
        doc.relationships = Some(relationships);
        doc.external_document_refs = Some(ext_docs);
        (doc, positions, problems)
    }

    fn abbreviate(s: &str) -> String {
        if s.chars().count() > 60 {
            format!("{}…", s.chars().take(60).collect::<String>())
        } else {
            s.to_owned()
        }
    }
}
