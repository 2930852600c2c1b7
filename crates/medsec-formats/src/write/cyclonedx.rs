//! CycloneDX 1.6 JSON: SBOMs from [`Sbom`] and VEX BOMs from [`VexDocument`].
//!
//! # SBOM: what is normalised
//!
//! [`normalise`] returns the model exactly as the written document will say it (reading the
//! output back with `sbom::read` gives that model, apart from the spec version, encoding,
//! serial number and original bytes), with one [`Normalisation`] per change:
//!
//! | model | CycloneDX 1.6 | change |
//! |---|---|---|
//! | `version: None` or `0` | `version` (`minimum: 1`, default 1) | written as 1 |
//! | `name` (SPDX document name) | — | left out |
//! | `metadata.organizations` (SPDX creators) | — | left out |
//! | `metadata.timestamp` not RFC 3339 | `format: date-time` | left out |
//! | a tool without a name | tools object needs component `name` | the legacy (deprecated, still valid) tools array is written instead |
//! | kinds `source`, `archive`, `install`, `other`, `unspecified` (SPDX) | not in `component.type` | `library` |
//! | more than one CPE | one `cpe` | the first is kept |
//! | a hash algorithm outside `hash-alg`, or a digest outside `hash-content` | enum / pattern | left out |
//! | a licence `id` not on the SPDX licence list | `spdx.schema.json` enum | written as `name` |
//! | several licences including an expression | "EITHER licenses OR exactly one expression" | one expression, distinct operands joined by `AND` (names left out; the acknowledgement kept only when all agree) |
//! | an external reference type outside the enum (SPDX `referenceType`) | enum | `other`, the original type kept in `comment` |
//! | a dependency on a ref no component has (services, SPDX document ids) | — | left out (our reader rejects dangling refs) |
//! | duplicate dependency entries or targets | `uniqueItems` | written once |
//! | an empty bom-ref | `refType` `minLength: 1` | left out |
//! | the subject also in the component list (SPDX: the described package) | "every bom-ref must be unique" | written once, as `metadata.component` |
//!
//! Nested components are rebuilt from [`Component::parent`]: a component is written inside
//! its parent, in list order.
//!
//! # VEX
//!
//! [`write_vex`] writes a standalone VEX BOM (CycloneDX "independent BOM and VEX BOM"): the
//! products as `components` (their subcomponents nested inside them), and one
//! `vulnerabilities[]` entry per statement whose `affects` name those components by bom-ref.
//! A product's bom-ref is [`ProductRef::bom_ref`] when given (the ref in the SBOM it
//! accompanies), else its purl, else `product-N`; a subcomponent's is
//! `<product ref>|<purl>`, so that the same library inside two products stays two elements.
//!
//! | VEX status | `analysis.state` (CycloneDX 1.6 `impactAnalysisState`) |
//! |---|---|
//! | not_affected | `not_affected` |
//! | affected | `exploitable` |
//! | fixed | `resolved` |
//! | under_investigation | `in_triage` |
//!
//! The justification is written as its CycloneDX code (mapping in `medsec_core::vex`); when
//! it was chosen as a CISA label, that label is kept in the property
//! `medsec:vex:justification`. The impact statement goes to `analysis.detail`, the action
//! statement to `recommendation`, workaround remediations to `workaround`, remediation
//! categories to `analysis.response`, the statement's times to `analysis.firstIssued` and
//! `lastUpdated`, aliases to `references` and who decided to the property
//! `medsec:vex:decided_by`.

use std::collections::{BTreeMap, BTreeSet};

use medsec_core::component::{
    Component, ComponentKind, Contact, Dependency, Hash, Licence, LicenceKind, Organization,
    Property, Sbom,
};
use medsec_core::vex::{Justification, ProductRef, VexDocument, VexStatus};
use serde::Serialize;

use super::{Normalisation, WriteError, Written, is_urn_uuid, timestamp, to_json};

/// CycloneDX 1.6 `hash-alg` enum.
const HASH_ALGS: [&str; 12] = [
    "MD5",
    "SHA-1",
    "SHA-256",
    "SHA-384",
    "SHA-512",
    "SHA3-256",
    "SHA3-384",
    "SHA3-512",
    "BLAKE2b-256",
    "BLAKE2b-384",
    "BLAKE2b-512",
    "BLAKE3",
];

/// CycloneDX 1.6 `externalReference.type` enum.
const EXTERNAL_REFERENCE_TYPES: [&str; 43] = [
    "vcs",
    "issue-tracker",
    "website",
    "advisories",
    "bom",
    "mailing-list",
    "social",
    "chat",
    "documentation",
    "support",
    "source-distribution",
    "distribution",
    "distribution-intake",
    "license",
    "build-meta",
    "build-system",
    "release-notes",
    "security-contact",
    "model-card",
    "log",
    "configuration",
    "evidence",
    "formulation",
    "attestation",
    "threat-model",
    "adversary-model",
    "risk-assessment",
    "vulnerability-assertion",
    "exploitability-statement",
    "pentest-report",
    "static-analysis-report",
    "dynamic-analysis-report",
    "runtime-analysis-report",
    "component-analysis-report",
    "maturity-report",
    "certification-report",
    "codified-infrastructure",
    "quality-metrics",
    "poam",
    "electronic-signature",
    "digital-signature",
    "rfc-9116",
    "other",
];

const SPEC_VERSION: &str = "1.6";

/// Writes a CycloneDX 1.6 JSON SBOM with the caller's serial number.
pub fn write_sbom(sbom: &Sbom, serial_number: &str) -> Result<Written, WriteError> {
    if !is_urn_uuid(serial_number) {
        return Err(WriteError::BadSerialNumber(serial_number.to_owned()));
    }
    let (model, normalisations) = normalise(sbom);
    let bom = sbom_wire(&model, serial_number);
    Ok(Written {
        json: to_json(&bom)?,
        normalisations,
    })
}

/// The model as the written document states it; see the module documentation.
pub fn normalise(sbom: &Sbom) -> (Sbom, Vec<Normalisation>) {
    let mut out = sbom.clone();
    let mut notes = Vec::new();
    if out.version.unwrap_or(0) == 0 {
        if out.version == Some(0) {
            notes.push(Normalisation::new("version", "version 0 written as 1"));
        }
        out.version = Some(1);
    }
    if let Some(name) = out.name.take() {
        notes.push(Normalisation::new(
            "name",
            format!("document name {name:?} has no place in CycloneDX; left out"),
        ));
    }
    let m = &mut out.metadata;
    if !m.organizations.is_empty() {
        notes.push(Normalisation::new(
            "metadata.organizations",
            "creator organisations have no place in CycloneDX metadata; left out",
        ));
        m.organizations.clear();
    }
    if let Some(ts) = &m.timestamp
        && !crate::sbom::is_rfc3339(ts)
    {
        notes.push(Normalisation::new(
            "metadata.timestamp",
            format!("{ts:?} is not an RFC 3339 date-time; left out"),
        ));
        m.timestamp = None;
    }
    m.licences = licences(&m.licences, "metadata.licences", &mut notes);
    if let Some(c) = m.component.as_mut() {
        component(c, "metadata.component", &mut notes);
    }
    // SPDX models keep the described package both as the subject and in the list; in
    // CycloneDX every bom-ref is unique, so the list entry goes and the subject stays.
    if let Some(subject_ref) = out
        .metadata
        .component
        .as_ref()
        .and_then(|c| c.bom_ref.clone())
    {
        remove_subject_duplicates(&mut out.components, &subject_ref, &mut notes);
    }
    let len = out.components.len();
    for (i, c) in out.components.iter_mut().enumerate() {
        component(c, &format!("components[{i}]"), &mut notes);
        // A parent must come before its child (the readers flatten depth first); anything
        // else cannot be nested and is written at the top level.
        if let Some(p) = c.parent
            && (p >= i || p >= len)
        {
            notes.push(Normalisation::new(
                format!("components[{i}].parent"),
                "parent index does not precede the component; written at the top level",
            ));
            c.parent = None;
        }
    }
    let mut refs: BTreeSet<String> = out
        .components
        .iter()
        .filter_map(|c| c.bom_ref.clone())
        .collect();
    if let Some(r) = out
        .metadata
        .component
        .as_ref()
        .and_then(|c| c.bom_ref.clone())
    {
        refs.insert(r);
    }
    let known = |r: &str| r.starts_with("urn:cdx:") || refs.contains(r);
    let mut deps: Vec<Dependency> = Vec::new();
    let mut seen_refs: BTreeSet<String> = BTreeSet::new();
    for (i, d) in out.dependencies.iter().enumerate() {
        let path = format!("dependencies[{i}]");
        if !known(&d.reference) {
            notes.push(Normalisation::new(
                &path,
                format!(
                    "{:?} is not the bom-ref of a component; the entry is left out",
                    d.reference
                ),
            ));
            continue;
        }
        let mut targets: Vec<String> = Vec::new();
        for t in &d.depends_on {
            if !known(t) {
                notes.push(Normalisation::new(
                    &path,
                    format!("dependency on {t:?}, not the bom-ref of a component, left out"),
                ));
            } else if targets.contains(t) {
                notes.push(Normalisation::new(
                    &path,
                    format!("dependency on {t:?} written once"),
                ));
            } else {
                targets.push(t.clone());
            }
        }
        if !seen_refs.insert(d.reference.clone()) {
            // Merge into the first entry for the same ref: `dependencies` is `uniqueItems`
            // and one entry per ref is what the specification describes.
            notes.push(Normalisation::new(
                &path,
                format!("second entry for {:?} merged into the first", d.reference),
            ));
            if let Some(first) = deps.iter_mut().find(|x| x.reference == d.reference) {
                for t in targets {
                    if !first.depends_on.contains(&t) {
                        first.depends_on.push(t);
                    }
                }
            }
            continue;
        }
        deps.push(Dependency {
            reference: d.reference.clone(),
            depends_on: targets,
        });
    }
    out.dependencies = deps;
    (out, notes)
}

fn remove_subject_duplicates(
    components: &mut Vec<Component>,
    subject_ref: &str,
    notes: &mut Vec<Normalisation>,
) {
    let removed: Vec<usize> = components
        .iter()
        .enumerate()
        .filter(|(_, c)| c.bom_ref.as_deref() == Some(subject_ref))
        .map(|(i, _)| i)
        .collect();
    if removed.is_empty() {
        return;
    }
    for &i in &removed {
        notes.push(Normalisation::new(
            format!("components[{i}]"),
            format!(
                "the subject (bom-ref {subject_ref:?}) is written once, as metadata.component; \
                 its copy in the component list is left out"
            ),
        ));
    }
    // New index of each kept component; children of a removed one move to the top level.
    let mut new_index: Vec<Option<usize>> = Vec::with_capacity(components.len());
    let mut next = 0;
    for i in 0..components.len() {
        if removed.contains(&i) {
            new_index.push(None);
        } else {
            new_index.push(Some(next));
            next += 1;
        }
    }
    let old = std::mem::take(components);
    for (i, mut c) in old.into_iter().enumerate() {
        if removed.contains(&i) {
            continue;
        }
        c.parent = c.parent.and_then(|p| new_index.get(p).copied().flatten());
        components.push(c);
    }
}

fn component(c: &mut Component, path: &str, notes: &mut Vec<Normalisation>) {
    if matches!(
        c.kind,
        ComponentKind::Source
            | ComponentKind::Archive
            | ComponentKind::Install
            | ComponentKind::Other
            | ComponentKind::Unspecified
    ) {
        notes.push(Normalisation::new(
            format!("{path}.kind"),
            format!(
                "kind {} is not a CycloneDX component type; written as library",
                c.kind
            ),
        ));
        c.kind = ComponentKind::Library;
    }
    if c.bom_ref.as_deref() == Some("") {
        notes.push(Normalisation::new(
            format!("{path}.bom_ref"),
            "empty bom-ref left out",
        ));
        c.bom_ref = None;
    }
    if c.cpes.len() > 1 {
        notes.push(Normalisation::new(
            format!("{path}.cpes"),
            format!(
                "CycloneDX has one `cpe`; the first is kept, {} left out",
                c.cpes.len() - 1
            ),
        ));
        c.cpes.truncate(1);
    }
    let hashes = std::mem::take(&mut c.hashes);
    for (i, h) in hashes.into_iter().enumerate() {
        if !HASH_ALGS.contains(&h.alg.as_str()) {
            notes.push(Normalisation::new(
                format!("{path}.hashes[{i}]"),
                format!("hash algorithm {} is not a CycloneDX one; left out", h.alg),
            ));
        } else if !hash_content_ok(&h.value) {
            notes.push(Normalisation::new(
                format!("{path}.hashes[{i}]"),
                "digest is not 32, 40, 64, 96 or 128 hex digits; left out",
            ));
        } else {
            c.hashes.push(h);
        }
    }
    c.licences = licences(&c.licences, &format!("{path}.licences"), notes);
    for (i, r) in c.external_references.iter_mut().enumerate() {
        if !EXTERNAL_REFERENCE_TYPES.contains(&r.kind.as_str()) {
            notes.push(Normalisation::new(
                format!("{path}.external_references[{i}]"),
                format!(
                    "type {:?} is not a CycloneDX one; written as `other`, the type kept in the comment",
                    r.kind
                ),
            ));
            let comment = match &r.comment {
                Some(c) => format!("{}: {c}", r.kind),
                None => r.kind.clone(),
            };
            r.kind = "other".to_owned();
            r.comment = Some(comment);
        }
    }
}

/// `hash-content` pattern: 32, 40, 64, 96 or 128 hex digits.
fn hash_content_ok(v: &str) -> bool {
    matches!(v.len(), 32 | 40 | 64 | 96 | 128) && v.bytes().all(|b| b.is_ascii_hexdigit())
}

fn licences(list: &[Licence], path: &str, notes: &mut Vec<Normalisation>) -> Vec<Licence> {
    let mut out: Vec<Licence> = list
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if l.kind == LicenceKind::Id && spdx::license_id(&l.value).is_none() {
                notes.push(Normalisation::new(
                    format!("{path}[{i}]"),
                    format!(
                        "{:?} is not on the SPDX licence list; written as a licence name",
                        l.value
                    ),
                ));
                Licence::new(
                    LicenceKind::Name,
                    l.value.clone(),
                    l.acknowledgement.clone(),
                )
            } else {
                l.clone()
            }
        })
        .collect();
    let has_expression = out.iter().any(|l| l.kind == LicenceKind::Expression);
    if has_expression && out.len() > 1 {
        // 1.6 `licenseChoice`: either licences or exactly one expression.
        let mut operands = Vec::new();
        let mut acks = BTreeSet::new();
        for l in &out {
            match l.kind {
                LicenceKind::Name => notes.push(Normalisation::new(
                    path,
                    format!(
                        "licence name {:?} cannot join an SPDX expression; left out",
                        l.value
                    ),
                )),
                _ => {
                    let operand = if l.kind == LicenceKind::Expression && l.value.contains(' ') {
                        format!("({})", l.value)
                    } else {
                        l.value.clone()
                    };
                    // SPDX gives the same licence as declared and as concluded; once is
                    // enough in an AND.
                    if !operands.contains(&operand) {
                        operands.push(operand);
                    }
                }
            }
            acks.insert(l.acknowledgement.clone());
        }
        let ack = if acks.len() == 1 {
            acks.into_iter().next().flatten()
        } else {
            None
        };
        notes.push(Normalisation::new(
            path,
            "several licences with an expression joined into one expression with AND",
        ));
        out = vec![Licence::new(
            LicenceKind::Expression,
            operands.join(" AND "),
            ack,
        )];
    }
    out
}

// ---- wire structs (field order is the order written) ----

#[derive(Serialize)]
struct Bom {
    #[serde(rename = "$schema")]
    schema: &'static str,
    #[serde(rename = "bomFormat")]
    bom_format: &'static str,
    #[serde(rename = "specVersion")]
    spec_version: &'static str,
    #[serde(rename = "serialNumber")]
    serial_number: String,
    version: u64,
    metadata: WMetadata,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<WComponent>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    dependencies: Vec<WDependency>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    vulnerabilities: Vec<WVulnerability>,
}

#[derive(Serialize, Default)]
struct WMetadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tools: Option<WTools>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<WContact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    component: Option<WComponent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    manufacturer: Option<WOrganization>,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplier: Option<WOrganization>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<WLicenseChoice>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<WProperty>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum WTools {
    Object { components: Vec<WComponent> },
    Legacy(Vec<WLegacyTool>),
}

#[derive(Serialize)]
struct WLegacyTool {
    #[serde(skip_serializing_if = "Option::is_none")]
    vendor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
}

#[derive(Serialize)]
struct WContact {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<String>,
}

#[derive(Serialize)]
struct WOrganization {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    url: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    contact: Vec<WContact>,
}

#[derive(Serialize)]
struct WComponent {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplier: Option<WOrganization>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    publisher: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<WHash>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<WLicenseChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    copyright: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cpe: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(rename = "externalReferences", skip_serializing_if = "Vec::is_empty")]
    external_references: Vec<WExternalReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<WProperty>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<WComponent>,
}

#[derive(Serialize)]
struct WHash {
    alg: String,
    content: String,
}

#[derive(Serialize)]
#[serde(untagged)]
enum WLicenseChoice {
    License {
        license: WLicense,
    },
    Expression {
        expression: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        acknowledgement: Option<String>,
    },
}

#[derive(Serialize)]
struct WLicense {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    acknowledgement: Option<String>,
}

#[derive(Serialize)]
struct WExternalReference {
    url: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

#[derive(Serialize)]
struct WProperty {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<String>,
}

#[derive(Serialize)]
struct WDependency {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(rename = "dependsOn", skip_serializing_if = "Vec::is_empty")]
    depends_on: Vec<String>,
}

const SCHEMA: &str = "http://cyclonedx.org/schema/bom-1.6.schema.json";

fn sbom_wire(m: &Sbom, serial_number: &str) -> Bom {
    let md = &m.metadata;
    let tools = if md.tools.is_empty() {
        None
    } else if md.tools.iter().all(|t| t.name.is_some()) {
        Some(WTools::Object {
            components: md
                .tools
                .iter()
                .map(|t| {
                    let mut c = Component::new(
                        ComponentKind::Application,
                        t.name.clone().unwrap_or_default(),
                    );
                    c.version = t.version.clone();
                    c.supplier = t.vendor.clone().map(Organization::named);
                    wire_component(&c, &[])
                })
                .collect(),
        })
    } else {
        Some(WTools::Legacy(
            md.tools
                .iter()
                .map(|t| WLegacyTool {
                    vendor: t.vendor.clone(),
                    name: t.name.clone(),
                    version: t.version.clone(),
                })
                .collect(),
        ))
    };
    // Children by parent index, in list order.
    let mut children: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut top = Vec::new();
    for (i, c) in m.components.iter().enumerate() {
        match c.parent {
            Some(p) => children.entry(p).or_default().push(i),
            None => top.push(i),
        }
    }
    let components = top.into_iter().map(|i| nested(m, i, &children)).collect();
    Bom {
        schema: SCHEMA,
        bom_format: "CycloneDX",
        spec_version: SPEC_VERSION,
        serial_number: serial_number.to_owned(),
        version: m.version.unwrap_or(1).max(1),
        metadata: WMetadata {
            timestamp: md.timestamp.clone(),
            tools,
            authors: md.authors.iter().map(contact).collect(),
            component: md.component.as_deref().map(|c| wire_component(c, &[])),
            manufacturer: md.manufacturer.as_ref().map(organization),
            supplier: md.supplier.as_ref().map(organization),
            licenses: license_choices(&md.licences),
            properties: properties(&md.properties),
        },
        components,
        dependencies: m
            .dependencies
            .iter()
            .map(|d| WDependency {
                reference: d.reference.clone(),
                depends_on: d.depends_on.clone(),
            })
            .collect(),
        vulnerabilities: Vec::new(),
    }
}

fn nested(m: &Sbom, i: usize, children: &BTreeMap<usize, Vec<usize>>) -> WComponent {
    let kids: Vec<WComponent> = children
        .get(&i)
        .map(|k| k.iter().map(|&j| nested(m, j, children)).collect())
        .unwrap_or_default();
    match m.components.get(i) {
        Some(c) => {
            let mut w = wire_component(c, &[]);
            w.components = kids;
            w
        }
        // Indexes come from enumerating the same list, so this arm is unreachable; an
        // empty library keeps the function total without a panic.
        None => wire_component(&Component::new(ComponentKind::Library, ""), &[]),
    }
}

fn wire_component(c: &Component, extra_properties: &[Property]) -> WComponent {
    let mut props = properties(&c.properties);
    props.extend(properties(extra_properties));
    WComponent {
        kind: c.kind.as_str(),
        bom_ref: c.bom_ref.clone(),
        supplier: c.supplier.as_ref().map(organization),
        author: c.author.clone(),
        publisher: c.publisher.clone(),
        group: c.group.clone(),
        name: c.name.clone(),
        version: c.version.clone(),
        description: c.description.clone(),
        scope: c.scope.map(|s| s.as_str()),
        hashes: c.hashes.iter().map(hash).collect(),
        licenses: license_choices(&c.licences),
        copyright: c.copyright.clone(),
        cpe: c.cpes.first().map(ToString::to_string),
        purl: c.purl.as_ref().map(ToString::to_string),
        external_references: c
            .external_references
            .iter()
            .map(|r| WExternalReference {
                url: r.url.clone(),
                kind: r.kind.clone(),
                comment: r.comment.clone(),
            })
            .collect(),
        properties: props,
        components: Vec::new(),
    }
}

fn hash(h: &Hash) -> WHash {
    WHash {
        alg: h.alg.clone(),
        content: h.value.clone(),
    }
}

fn contact(c: &Contact) -> WContact {
    WContact {
        name: c.name.clone(),
        email: c.email.clone(),
        phone: c.phone.clone(),
    }
}

fn organization(o: &Organization) -> WOrganization {
    WOrganization {
        name: o.name.clone(),
        url: o.urls.clone(),
        contact: o.contacts.iter().map(contact).collect(),
    }
}

fn properties(p: &[Property]) -> Vec<WProperty> {
    p.iter()
        .map(|p| WProperty {
            name: p.name.clone(),
            value: p.value.clone(),
        })
        .collect()
}

fn license_choices(list: &[Licence]) -> Vec<WLicenseChoice> {
    list.iter()
        .map(|l| match l.kind {
            LicenceKind::Expression => WLicenseChoice::Expression {
                expression: l.value.clone(),
                acknowledgement: l.acknowledgement.clone(),
            },
            LicenceKind::Id => WLicenseChoice::License {
                license: WLicense {
                    id: Some(l.value.clone()),
                    name: None,
                    acknowledgement: l.acknowledgement.clone(),
                },
            },
            _ => WLicenseChoice::License {
                license: WLicense {
                    id: None,
                    name: Some(l.value.clone()),
                    acknowledgement: l.acknowledgement.clone(),
                },
            },
        })
        .collect()
}

// ---- VEX ----

#[derive(Serialize)]
struct WVulnerability {
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<WVulnReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recommendation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    workaround: Option<String>,
    analysis: WAnalysis,
    affects: Vec<WAffects>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<WProperty>,
}

#[derive(Serialize)]
struct WVulnReference {
    id: String,
    source: WSource,
}

#[derive(Serialize)]
struct WSource {
    name: String,
}

#[derive(Serialize)]
struct WAnalysis {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    response: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(rename = "firstIssued", skip_serializing_if = "Option::is_none")]
    first_issued: Option<String>,
    #[serde(rename = "lastUpdated", skip_serializing_if = "Option::is_none")]
    last_updated: Option<String>,
}

#[derive(Serialize)]
struct WAffects {
    #[serde(rename = "ref")]
    reference: String,
}

/// CycloneDX 1.6 `impactAnalysisState` for a VEX status.
pub fn analysis_state(s: VexStatus) -> &'static str {
    match s {
        VexStatus::NotAffected => "not_affected",
        VexStatus::Affected => "exploitable",
        VexStatus::Fixed => "resolved",
        VexStatus::UnderInvestigation => "in_triage",
    }
}

/// The name of the database an id comes from, for `references[].source.name`.
pub(crate) fn id_source(id: &str) -> &'static str {
    use medsec_core::advisory::AliasKind;
    match AliasKind::of(id) {
        AliasKind::Cve => "CVE",
        AliasKind::Ghsa => "GitHub Advisory Database",
        AliasKind::Icsma => "CISA ICS Medical Advisories",
        AliasKind::Icsa => "CISA ICS Advisories",
        AliasKind::Osv => "OSV",
        _ => "other",
    }
}

/// Products (and subcomponents) of a document, each once, with their bom-refs.
pub(crate) struct ProductIndex<'a> {
    /// Distinct products in first-appearance order, with their ref.
    pub products: Vec<(&'a ProductRef, String)>,
    by_key: BTreeMap<String, usize>,
}

impl<'a> ProductIndex<'a> {
    pub fn new(doc: &'a VexDocument) -> Self {
        let mut products: Vec<(&'a ProductRef, String)> = Vec::new();
        let mut by_key = BTreeMap::new();
        let mut used: BTreeSet<String> = BTreeSet::new();
        for s in &doc.statements {
            for p in &s.products {
                let key = p.key();
                if by_key.contains_key(&key) {
                    continue;
                }
                let mut r = p
                    .bom_ref
                    .clone()
                    .filter(|r| !r.is_empty())
                    .or_else(|| p.purl.as_ref().map(ToString::to_string))
                    .unwrap_or_else(|| format!("product-{}", products.len() + 1));
                if used.contains(&r) {
                    r = format!("product-{}", products.len() + 1);
                }
                used.insert(r.clone());
                by_key.insert(key, products.len());
                products.push((p, r));
            }
        }
        ProductIndex { products, by_key }
    }

    pub fn reference(&self, p: &ProductRef) -> String {
        self.by_key
            .get(&p.key())
            .and_then(|&i| self.products.get(i))
            .map(|(_, r)| r.clone())
            .unwrap_or_default()
    }

    /// Subcomponents of a product across every statement, each once, in first-appearance
    /// order.
    pub fn subcomponents(&self, doc: &VexDocument, product_key: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &doc.statements {
            for p in s.products.iter().filter(|p| p.key() == product_key) {
                for sc in &p.subcomponents {
                    let t = sc.to_string();
                    if !out.contains(&t) {
                        out.push(t);
                    }
                }
            }
        }
        out
    }
}

fn sub_ref(product_ref: &str, purl: &str) -> String {
    format!("{product_ref}|{purl}")
}

/// Writes a CycloneDX 1.6 VEX BOM with the caller's serial number.
pub fn write_vex(doc: &VexDocument, serial_number: &str) -> Result<Written, WriteError> {
    if !is_urn_uuid(serial_number) {
        return Err(WriteError::BadSerialNumber(serial_number.to_owned()));
    }
    doc.validate()?;
    if !super::is_iri(&doc.author.namespace) {
        return Err(WriteError::BadNamespace(doc.author.namespace.clone()));
    }
    let index = ProductIndex::new(doc);
    let mut components = Vec::new();
    for (p, r) in &index.products {
        let mut c = Component::new(p.kind.unwrap_or(ComponentKind::Application), &p.name);
        c.bom_ref = Some(r.clone());
        c.version = p.version.clone();
        c.purl = p.purl.clone();
        c.cpes = p.cpe.iter().cloned().collect();
        let mut w = wire_component(&c, &[]);
        for sc in index.subcomponents(doc, &p.key()) {
            let name = sc
                .parse::<medsec_core::Purl>()
                .map(|x| x.name().to_owned())
                .unwrap_or_else(|_| sc.clone());
            let version = sc
                .parse::<medsec_core::Purl>()
                .ok()
                .and_then(|x| x.version().map(str::to_owned));
            w.components.push(WComponent {
                kind: "library",
                bom_ref: Some(sub_ref(r, &sc)),
                supplier: None,
                author: None,
                publisher: None,
                group: None,
                name,
                version,
                description: None,
                scope: None,
                hashes: Vec::new(),
                licenses: Vec::new(),
                copyright: None,
                cpe: None,
                purl: Some(sc),
                external_references: Vec::new(),
                properties: Vec::new(),
                components: Vec::new(),
            });
        }
        components.push(w);
    }
    let mut vulnerabilities = Vec::new();
    for (i, s) in doc.statements.iter().enumerate() {
        let mut affects = Vec::new();
        for p in &s.products {
            let r = index.reference(p);
            if p.subcomponents.is_empty() {
                affects.push(WAffects { reference: r });
            } else {
                for sc in &p.subcomponents {
                    affects.push(WAffects {
                        reference: sub_ref(&r, &sc.to_string()),
                    });
                }
            }
        }
        let mut props = Vec::new();
        if let Some(Justification::Cisa(c)) = s.justification {
            props.push(WProperty {
                name: "medsec:vex:justification".into(),
                value: Some(c.as_str().into()),
            });
        }
        if let Some(who) = &s.decided_by {
            props.push(WProperty {
                name: "medsec:vex:decided_by".into(),
                value: Some(who.clone()),
            });
        }
        let mut response: Vec<&'static str> = Vec::new();
        for r in &s.remediations {
            let x = r.category.cyclonedx_response();
            if !response.contains(&x) {
                response.push(x);
            }
        }
        let workarounds: Vec<&str> = s
            .remediations
            .iter()
            .filter(|r| {
                matches!(
                    r.category,
                    medsec_core::vex::RemediationCategory::Workaround
                        | medsec_core::vex::RemediationCategory::Mitigation
                )
            })
            .map(|r| r.details.as_str())
            .collect();
        vulnerabilities.push(WVulnerability {
            bom_ref: format!("vex-{}", i + 1),
            id: s.vulnerability.id.clone(),
            references: s
                .vulnerability
                .aliases
                .iter()
                .map(|a| WVulnReference {
                    id: a.clone(),
                    source: WSource {
                        name: id_source(a).to_owned(),
                    },
                })
                .collect(),
            description: s.vulnerability.description.clone(),
            recommendation: s.action_statement.clone(),
            workaround: (!workarounds.is_empty()).then(|| workarounds.join("\n\n")),
            analysis: WAnalysis {
                state: analysis_state(s.status),
                justification: s.justification.map(|j| j.cyclonedx().as_str()),
                response,
                detail: s.impact_statement.clone(),
                first_issued: s.first_issued.map(timestamp),
                last_updated: s.last_updated.map(timestamp),
            },
            affects,
            properties: props,
        });
    }
    let tools = doc.tooling.as_ref().map(|t| WTools::Object {
        components: vec![wire_component(
            &Component::new(ComponentKind::Application, t),
            &[],
        )],
    });
    let bom = Bom {
        schema: SCHEMA,
        bom_format: "CycloneDX",
        spec_version: SPEC_VERSION,
        serial_number: serial_number.to_owned(),
        version: u64::from(doc.version),
        metadata: WMetadata {
            timestamp: Some(timestamp(doc.timestamp)),
            tools,
            authors: Vec::new(),
            supplier: Some(WOrganization {
                name: Some(doc.author.name.clone()),
                url: vec![doc.author.namespace.clone()],
                contact: Vec::new(),
            }),
            ..WMetadata::default()
        },
        components,
        dependencies: Vec::new(),
        vulnerabilities,
    };
    Ok(Written {
        json: to_json(&bom)?,
        normalisations: Vec::new(),
    })
}
