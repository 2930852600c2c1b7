//! CSAF 2.0 documents (OASIS CSAF Version 2.0, `csaf_json_schema.json`; the mandatory
//! tests of §6.1 that our model depends on are checked here, each noted by number).

use std::collections::{BTreeMap, BTreeSet};

use medsec_core::advisory::{
    Advisory, Affected, BranchStep, CsafProduct, FileHash, Flag, Format, IdentificationHelper,
    Note, Package, Point, ProductRelationship, Provenance, RangeState, Reference, Remediation,
    Scorer, ScorerRole, Source, Status, Threat, VersionRange, VersionScheme,
};
use medsec_core::cpe::Cpe;
use medsec_core::purl::Purl;
use serde_json::Value;

use super::cvss::{Stated, severity};
use super::nvd::timestamp;
use super::{Context, Document, Problems, ReadError, codes, ptr, vers, wire};

mod w {
    use serde::Deserialize;

    #[derive(Deserialize)]
    pub struct Doc {
        pub document: Option<Meta>,
        pub product_tree: Option<ProductTree>,
        #[serde(default)]
        pub vulnerabilities: Vec<Vulnerability>,
    }

    #[derive(Deserialize)]
    pub struct Meta {
        pub category: Option<String>,
        pub csaf_version: Option<String>,
        pub title: Option<String>,
        pub publisher: Option<Publisher>,
        pub tracking: Option<Tracking>,
        #[serde(default)]
        pub notes: Vec<NoteW>,
        #[serde(default)]
        pub references: Vec<ReferenceW>,
    }

    #[derive(Deserialize)]
    pub struct Publisher {
        pub name: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct Tracking {
        pub id: Option<String>,
        pub version: Option<String>,
        pub initial_release_date: Option<String>,
        pub current_release_date: Option<String>,
        #[serde(default)]
        pub aliases: Vec<String>,
    }

    #[derive(Deserialize)]
    pub struct NoteW {
        pub category: Option<String>,
        pub title: Option<String>,
        pub text: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct ReferenceW {
        pub url: Option<String>,
        pub summary: Option<String>,
        pub category: Option<String>,
    }

    #[derive(Deserialize, Default)]
    pub struct ProductTree {
        #[serde(default)]
        pub branches: Vec<Branch>,
        #[serde(default)]
        pub full_product_names: Vec<FullProductName>,
        #[serde(default)]
        pub relationships: Vec<Relationship>,
        #[serde(default)]
        pub product_groups: Vec<ProductGroup>,
    }

    #[derive(Deserialize)]
    pub struct Branch {
        pub category: Option<String>,
        pub name: Option<String>,
        #[serde(default)]
        pub branches: Vec<Branch>,
        pub product: Option<FullProductName>,
    }

    #[derive(Deserialize)]
    pub struct FullProductName {
        pub name: Option<String>,
        pub product_id: Option<String>,
        pub product_identification_helper: Option<Helper>,
    }

    #[derive(Deserialize)]
    pub struct Helper {
        pub cpe: Option<String>,
        pub purl: Option<String>,
        #[serde(default)]
        pub hashes: Vec<Hashes>,
        #[serde(default)]
        pub model_numbers: Vec<String>,
        #[serde(default)]
        pub sbom_urls: Vec<String>,
        #[serde(default)]
        pub serial_numbers: Vec<String>,
        #[serde(default)]
        pub skus: Vec<String>,
        #[serde(default)]
        pub x_generic_uris: Vec<GenericUri>,
    }

    #[derive(Deserialize)]
    pub struct Hashes {
        #[serde(default)]
        pub file_hashes: Vec<FileHash>,
        pub filename: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct FileHash {
        pub algorithm: Option<String>,
        pub value: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct GenericUri {
        pub uri: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct Relationship {
        pub category: Option<String>,
        pub product_reference: Option<String>,
        pub relates_to_product_reference: Option<String>,
        pub full_product_name: Option<FullProductName>,
    }

    #[derive(Deserialize)]
    pub struct ProductGroup {
        pub group_id: Option<String>,
        #[serde(default)]
        pub product_ids: Vec<String>,
    }

    #[derive(Deserialize)]
    pub struct Vulnerability {
        pub cve: Option<String>,
        pub cwe: Option<Cwe>,
        #[serde(default)]
        pub ids: Vec<Id>,
        pub title: Option<String>,
        #[serde(default)]
        pub notes: Vec<NoteW>,
        pub release_date: Option<String>,
        pub product_status: Option<ProductStatus>,
        #[serde(default)]
        pub references: Vec<ReferenceW>,
        #[serde(default)]
        pub remediations: Vec<RemediationW>,
        #[serde(default)]
        pub scores: Vec<ScoreW>,
        #[serde(default)]
        pub threats: Vec<ThreatW>,
        #[serde(default)]
        pub flags: Vec<FlagW>,
    }

    #[derive(Deserialize)]
    pub struct FlagW {
        pub label: Option<String>,
        #[serde(default)]
        pub product_ids: Vec<String>,
        #[serde(default)]
        pub group_ids: Vec<String>,
        pub date: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct Cwe {
        pub id: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct Id {
        pub text: Option<String>,
    }

    #[derive(Deserialize, Default)]
    pub struct ProductStatus {
        #[serde(default)]
        pub first_affected: Vec<String>,
        #[serde(default)]
        pub first_fixed: Vec<String>,
        #[serde(default)]
        pub fixed: Vec<String>,
        #[serde(default)]
        pub known_affected: Vec<String>,
        #[serde(default)]
        pub known_not_affected: Vec<String>,
        #[serde(default)]
        pub last_affected: Vec<String>,
        #[serde(default)]
        pub recommended: Vec<String>,
        #[serde(default)]
        pub under_investigation: Vec<String>,
    }

    #[derive(Deserialize)]
    pub struct RemediationW {
        pub category: Option<String>,
        pub details: Option<String>,
        #[serde(default)]
        pub product_ids: Vec<String>,
        #[serde(default)]
        pub group_ids: Vec<String>,
        pub url: Option<String>,
        pub date: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct ThreatW {
        pub category: Option<String>,
        pub details: Option<String>,
        #[serde(default)]
        pub product_ids: Vec<String>,
        #[serde(default)]
        pub group_ids: Vec<String>,
        pub date: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct ScoreW {
        #[serde(default)]
        pub products: Vec<String>,
        pub cvss_v2: Option<Cvss>,
        pub cvss_v3: Option<Cvss>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Cvss {
        pub version: Option<String>,
        pub vector_string: Option<String>,
        pub base_score: Option<f64>,
        pub base_severity: Option<String>,
    }
}

/// A product of the tree, with where it was defined and what versions it names.
struct Defined {
    product: CsafProduct,
    pointer: String,
    versions: Vec<String>,
    ranges: Vec<VersionRange>,
}

pub fn read(value: &Value, ctx: &Context<'_>) -> Result<Document, ReadError> {
    let mut problems = Problems::new(ctx);
    let Some(doc) = wire::<w::Doc>(value, "", &mut problems) else {
        return problems.finish(Format::Csaf2, None, None, Vec::new());
    };
    let Some(meta) = doc.document else {
        problems.error(codes::MISSING, "/document", "no `document`");
        return problems.finish(Format::Csaf2, None, None, Vec::new());
    };
    let spec_version = meta.csaf_version.clone();
    if spec_version.as_deref() != Some("2.0") {
        problems.error(
            codes::SPEC_VERSION,
            "/document/csaf_version",
            format!(
                "csaf_version {:?}: this reader knows CSAF 2.0",
                spec_version.as_deref().unwrap_or("")
            ),
        );
        return problems.finish(Format::Csaf2, spec_version, None, Vec::new());
    }
    let tracking_id = meta
        .tracking
        .as_ref()
        .and_then(|t| t.id.clone())
        .unwrap_or_default();
    let has_tree = doc.product_tree.is_some();
    let advisories = convert(
        &meta,
        doc.product_tree.unwrap_or_default(),
        has_tree,
        &doc.vulnerabilities,
        ctx,
        &mut problems,
    );
    problems.finish(
        Format::Csaf2,
        spec_version,
        Some(tracking_id).filter(|t| !t.is_empty()),
        advisories,
    )
}

/// The conversion seam: one CSAF document → one advisory per vulnerability.
fn convert(
    meta: &w::Meta,
    tree: w::ProductTree,
    has_tree: bool,
    vulnerabilities: &[w::Vulnerability],
    ctx: &Context<'_>,
    problems: &mut Problems<'_>,
) -> Vec<Advisory> {
    for (key, missing) in [
        ("category", meta.category.is_none()),
        ("title", meta.title.is_none()),
        ("publisher", meta.publisher.is_none()),
        ("tracking", meta.tracking.is_none()),
    ] {
        if missing {
            problems.error(
                codes::MISSING,
                &ptr("/document", key),
                format!("no `{key}`"),
            );
        }
    }
    let tracking = meta.tracking.as_ref();
    let tracking_id = tracking.and_then(|t| t.id.clone()).unwrap_or_default();
    if tracking.is_some() && tracking_id.is_empty() {
        problems.error(codes::MISSING, "/document/tracking/id", "no tracking `id`");
    }
    let published = timestamp(
        tracking.and_then(|t| t.initial_release_date.as_deref()),
        "/document/tracking/initial_release_date",
        tracking.is_some(),
        problems,
    );
    let modified = timestamp(
        tracking.and_then(|t| t.current_release_date.as_deref()),
        "/document/tracking/current_release_date",
        tracking.is_some(),
        problems,
    );
    let publisher = meta
        .publisher
        .as_ref()
        .and_then(|p| p.name.clone())
        .unwrap_or_default();

    // Product tree → every product id defined, once (6.1.2).
    let mut products: BTreeMap<String, Defined> = BTreeMap::new();
    for (i, b) in tree.branches.iter().enumerate() {
        branch(
            b,
            &format!("/product_tree/branches/{i}"),
            &mut Vec::new(),
            &mut products,
            problems,
        );
    }
    for (i, f) in tree.full_product_names.iter().enumerate() {
        let p = format!("/product_tree/full_product_names/{i}");
        define(f, &p, Vec::new(), None, &mut products, problems);
    }
    let mut relationship_ids = Vec::new();
    for (i, r) in tree.relationships.iter().enumerate() {
        let p = format!("/product_tree/relationships/{i}");
        let (Some(category), Some(reference), Some(relates), Some(fpn)) = (
            r.category.clone(),
            r.product_reference.clone(),
            r.relates_to_product_reference.clone(),
            r.full_product_name.as_ref(),
        ) else {
            problems.error(
                codes::MISSING,
                &p,
                "a relationship needs category, product_reference, relates_to_product_reference and full_product_name",
            );
            continue;
        };
        let rel = ProductRelationship {
            category,
            product_reference: reference,
            relates_to_product_reference: relates,
        };
        if let Some(id) = define(
            fpn,
            &ptr(&p, "full_product_name"),
            Vec::new(),
            Some(rel),
            &mut products,
            problems,
        ) {
            relationship_ids.push((id, p));
        }
    }
    // Relationships refer to defined products (6.1.1) and not to themselves (6.1.3).
    for (id, p) in &relationship_ids {
        let Some(rel) = products
            .get(id)
            .and_then(|d| d.product.relationship.clone())
        else {
            continue;
        };
        for (key, target) in [
            ("product_reference", &rel.product_reference),
            (
                "relates_to_product_reference",
                &rel.relates_to_product_reference,
            ),
        ] {
            if target == id {
                problems.error(
                    codes::CIRCULAR_PRODUCT,
                    &ptr(p, key),
                    format!("product {id:?} is defined by a relationship to itself (CSAF 6.1.3)"),
                );
            } else if !products.contains_key(target) {
                problems.error(
                    codes::UNKNOWN_PRODUCT,
                    &ptr(p, key),
                    format!(
                        "product id {target:?} is not defined in the product tree (CSAF 6.1.1)"
                    ),
                );
            } else if key == "product_reference" {
                // The component's versions are those of the combined product.
                let (versions, ranges) = products
                    .get(target)
                    .map(|d| (d.versions.clone(), d.ranges.clone()))
                    .unwrap_or_default();
                if let Some(d) = products.get_mut(id) {
                    d.versions = versions;
                    d.ranges = ranges;
                }
            }
        }
    }
    // Product groups (6.1.4 missing, 6.1.5 duplicate, members defined 6.1.1).
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (i, g) in tree.product_groups.iter().enumerate() {
        let p = format!("/product_tree/product_groups/{i}");
        let Some(gid) = g.group_id.clone() else {
            problems.error(codes::MISSING, &ptr(&p, "group_id"), "no `group_id`");
            continue;
        };
        for (j, id) in g.product_ids.iter().enumerate() {
            check_ref(id, &ptr(&ptr(&p, "product_ids"), j), &products, problems);
        }
        if groups.insert(gid.clone(), g.product_ids.clone()).is_some() {
            problems.error(
                codes::DUPLICATE_PRODUCT,
                &ptr(&p, "group_id"),
                format!("product group {gid:?} is defined twice (CSAF 6.1.5)"),
            );
        }
    }

    let mut notes: Vec<Note> = Vec::new();
    for n in &meta.notes {
        notes.push(note(n));
    }
    let doc_refs: Vec<Reference> = meta.references.iter().filter_map(reference).collect();

    let mut seen_cves: BTreeMap<String, usize> = BTreeMap::new();
    let mut advisories = Vec::new();
    // 6.1.27.11 and 6.1.27.4: security advisories and VEX documents are about
    // vulnerabilities of products; without either there is nothing to read.
    let category = meta.category.as_deref().unwrap_or_default();
    let needs_both = matches!(category, "csaf_security_advisory" | "csaf_vex");
    if vulnerabilities.is_empty() {
        if needs_both {
            problems.error(
                codes::NO_ADVISORY,
                "/vulnerabilities",
                format!("a {category} document needs `vulnerabilities` (CSAF 6.1.27.11)"),
            );
        } else {
            problems.warn(
                codes::NO_ADVISORY,
                "",
                "the document has no `vulnerabilities`: nothing to import",
            );
        }
    }
    if needs_both && !has_tree {
        problems.error(
            codes::MISSING,
            "/product_tree",
            format!("a {category} document needs a `product_tree` (CSAF 6.1.27.4)"),
        );
    }
    for (vi, v) in vulnerabilities.iter().enumerate() {
        let vp = format!("/vulnerabilities/{vi}");
        if let Some(cve) = &v.cve
            && let Some(first) = seen_cves.insert(cve.clone(), vi)
        {
            problems.error(
                codes::DUPLICATE_CVE,
                &ptr(&vp, "cve"),
                format!("{cve} is also vulnerability {first} (CSAF 6.1.23)"),
            );
        }
        let id = v
            .cve
            .clone()
            .or_else(|| v.ids.iter().find_map(|i| i.text.clone()))
            .unwrap_or_else(|| format!("{tracking_id}#{vi}"));
        let mut a = Advisory::new(
            id,
            Source::Csaf {
                tracking_id: tracking_id.clone(),
                tracking_version: tracking.and_then(|t| t.version.clone()).unwrap_or_default(),
                publisher: publisher.clone(),
                category: meta.category.clone().unwrap_or_default(),
                vulnerability_index: vi,
            },
            Provenance {
                format: Format::Csaf2,
                spec_version: Some("2.0".into()),
                file: ctx.file_name.clone(),
                pointer: Some(vp.clone()),
            },
        );
        a.add_alias(&tracking_id);
        for alias in tracking.map(|t| t.aliases.as_slice()).unwrap_or_default() {
            a.add_alias(alias);
        }
        if let Some(cve) = &v.cve {
            a.add_alias(cve);
        }
        for i in &v.ids {
            if let Some(t) = &i.text {
                a.add_alias(t);
            }
        }
        a.published = match &v.release_date {
            Some(d) => timestamp(Some(d), &ptr(&vp, "release_date"), false, problems),
            None => published,
        };
        a.modified = modified;
        a.title = match (&meta.title, &v.title) {
            (Some(d), Some(t)) => Some(format!("{d}: {t}")),
            (Some(d), None) => Some(d.clone()),
            (None, t) => t.clone(),
        };
        a.notes = v.notes.iter().map(note).collect();
        a.notes.extend(notes.iter().cloned());
        a.details = v
            .notes
            .iter()
            .find(|n| matches!(n.category.as_deref(), Some("description") | Some("summary")))
            .and_then(|n| n.text.clone());
        if let Some(cwe) = v.cwe.as_ref().and_then(|c| c.id.clone()) {
            a.add_cwe(&cwe);
        }
        a.references = v.references.iter().filter_map(reference).collect();
        for r in &doc_refs {
            if !a.references.iter().any(|x| x.url == r.url) {
                a.references.push(r.clone());
            }
        }

        // Product status → affected entries; contradictions rejected (6.1.6).
        let status = v.product_status.as_ref();
        let lists: Vec<(&str, Status, u8, &[String])> = match status {
            Some(s) => vec![
                (
                    "first_affected",
                    Status::FirstAffected,
                    0,
                    &s.first_affected,
                ),
                ("known_affected", Status::Affected, 0, &s.known_affected),
                ("last_affected", Status::LastAffected, 0, &s.last_affected),
                (
                    "known_not_affected",
                    Status::NotAffected,
                    1,
                    &s.known_not_affected,
                ),
                ("first_fixed", Status::FirstFixed, 2, &s.first_fixed),
                ("fixed", Status::Fixed, 2, &s.fixed),
                (
                    "under_investigation",
                    Status::UnderInvestigation,
                    3,
                    &s.under_investigation,
                ),
                ("recommended", Status::Recommended, 4, &s.recommended),
            ],
            None => Vec::new(),
        };
        let mut class_of: BTreeMap<&str, (u8, &str)> = BTreeMap::new();
        for (key, st, class, ids) in lists {
            for (i, pid) in ids.iter().enumerate() {
                let p = ptr(&ptr(&ptr(&vp, "product_status"), key), i);
                if !check_ref(pid, &p, &products, problems) {
                    continue;
                }
                // "recommended" may accompany any other status.
                if class < 4
                    && let Some((other, other_key)) = class_of.insert(pid, (class, key))
                    && other != class
                {
                    problems.error(
                        codes::CONTRADICTING_STATUS,
                        &p,
                        format!("product {pid:?} is both {other_key} and {key} (CSAF 6.1.6)"),
                    );
                }
                if let Some(d) = products.get(pid.as_str()) {
                    a.affected.push(Affected {
                        what: Package::CsafProduct(Box::new(d.product.clone())),
                        status: st,
                        versions: d.versions.clone(),
                        ranges: d.ranges.clone(),
                        default_status: None,
                        platforms: Vec::new(),
                        configuration: None,
                    });
                }
            }
        }
        let expand = |ids: &[String], gids: &[String], base: &str, problems: &mut Problems<'_>| {
            let mut out: BTreeSet<String> = BTreeSet::new();
            for (i, id) in ids.iter().enumerate() {
                check_ref(id, &ptr(&ptr(base, "product_ids"), i), &products, problems);
                out.insert(id.clone());
            }
            for (i, g) in gids.iter().enumerate() {
                match groups.get(g) {
                    Some(members) => out.extend(members.iter().cloned()),
                    None => problems.error(
                        codes::UNKNOWN_PRODUCT,
                        &ptr(&ptr(base, "group_ids"), i),
                        format!("product group {g:?} is not defined (CSAF 6.1.4)"),
                    ),
                }
            }
            out.into_iter().collect::<Vec<_>>()
        };
        let mut flagged: BTreeMap<String, usize> = BTreeMap::new();
        for (fi, f) in v.flags.iter().enumerate() {
            let fp = ptr(&ptr(&vp, "flags"), fi);
            // 6.1.32: a flag applies to products; without any it says nothing.
            if f.product_ids.is_empty() && f.group_ids.is_empty() {
                problems.error(
                    codes::MISSING,
                    &fp,
                    "a flag names no product_ids or group_ids (CSAF 6.1.32)",
                );
            }
            let product_ids = expand(&f.product_ids, &f.group_ids, &fp, problems);
            // 6.1.33: one VEX justification per product, or a VEX statement is ambiguous.
            for pid in &product_ids {
                if let Some(first) = flagged.insert(pid.clone(), fi) {
                    problems.error(
                        codes::CONTRADICTING_STATUS,
                        &fp,
                        format!("product {pid:?} already has flag {first} (CSAF 6.1.33)"),
                    );
                }
            }
            a.flags.push(Flag {
                label: f.label.clone().unwrap_or_default(),
                product_ids,
                date: timestamp(f.date.as_deref(), &ptr(&fp, "date"), false, problems),
            });
        }
        for (ri, r) in v.remediations.iter().enumerate() {
            let rp = ptr(&ptr(&vp, "remediations"), ri);
            // 6.1.29: a remediation must say which products it is for.
            if r.product_ids.is_empty() && r.group_ids.is_empty() {
                problems.error(
                    codes::MISSING,
                    &rp,
                    "a remediation names no product_ids or group_ids (CSAF 6.1.29)",
                );
            }
            let product_ids = expand(&r.product_ids, &r.group_ids, &rp, problems);
            a.remediations.push(Remediation {
                category: r.category.clone().unwrap_or_default(),
                details: r.details.clone().unwrap_or_default(),
                product_ids,
                url: r.url.clone(),
                date: timestamp(r.date.as_deref(), &ptr(&rp, "date"), false, problems),
            });
        }
        for (ti, t) in v.threats.iter().enumerate() {
            let tp = ptr(&ptr(&vp, "threats"), ti);
            let product_ids = expand(&t.product_ids, &t.group_ids, &tp, problems);
            a.threats.push(Threat {
                category: t.category.clone().unwrap_or_default(),
                details: t.details.clone().unwrap_or_default(),
                product_ids,
                date: timestamp(t.date.as_deref(), &ptr(&tp, "date"), false, problems),
            });
        }
        for (si, s) in v.scores.iter().enumerate() {
            let sp = ptr(&ptr(&vp, "scores"), si);
            for (i, pid) in s.products.iter().enumerate() {
                check_ref(pid, &ptr(&ptr(&sp, "products"), i), &products, problems);
            }
            for (key, cv) in [("cvss_v3", &s.cvss_v3), ("cvss_v2", &s.cvss_v2)] {
                let Some(cv) = cv else { continue };
                let cp = ptr(&sp, key);
                // 6.1.8: the CVSS objects must be valid against FIRST's schemas, which
                // require version, vectorString and baseScore, and for v3 baseSeverity.
                let mut required = vec![
                    ("version", cv.version.is_none()),
                    ("vectorString", cv.vector_string.is_none()),
                    ("baseScore", cv.base_score.is_none()),
                ];
                if key == "cvss_v3" {
                    required.push(("baseSeverity", cv.base_severity.is_none()));
                }
                for (field, missing) in required {
                    if missing {
                        problems.error(
                            codes::MISSING,
                            &cp,
                            format!("`{key}` has no `{field}` (CSAF 6.1.8, FIRST CVSS schema)"),
                        );
                    }
                }
                let Some(vector) = cv.vector_string.as_deref() else {
                    continue;
                };
                let mut sev = severity(
                    Stated {
                        version: cv.version.as_deref(),
                        vector,
                        base_score: cv.base_score,
                        severity: cv.base_severity.as_deref(),
                        pointer: &cp,
                        vector_key: "vectorString",
                    },
                    Scorer {
                        role: ScorerRole::Publisher,
                        name: Some(publisher.clone()).filter(|p| !p.is_empty()),
                    },
                    problems,
                );
                sev.products = s.products.clone();
                a.severities.push(sev);
            }
        }
        advisories.push(a);
    }
    advisories
}

fn check_ref(
    id: &str,
    pointer: &str,
    products: &BTreeMap<String, Defined>,
    problems: &mut Problems<'_>,
) -> bool {
    if products.contains_key(id) {
        true
    } else {
        problems.error(
            codes::UNKNOWN_PRODUCT,
            pointer,
            format!("product id {id:?} is not defined in the product tree (CSAF 6.1.1)"),
        );
        false
    }
}

fn note(n: &w::NoteW) -> Note {
    Note {
        category: n.category.clone().unwrap_or_default(),
        title: n.title.clone(),
        text: n.text.clone().unwrap_or_default(),
    }
}

fn reference(r: &w::ReferenceW) -> Option<Reference> {
    Some(Reference {
        url: r.url.clone()?,
        tags: r.category.iter().cloned().collect(),
        name: r.summary.clone(),
    })
}

/// Walks a branch: the path of (category, name) down to each product.
fn branch(
    b: &w::Branch,
    pointer: &str,
    path: &mut Vec<BranchStep>,
    products: &mut BTreeMap<String, Defined>,
    problems: &mut Problems<'_>,
) {
    let (Some(category), Some(name)) = (b.category.clone(), b.name.clone()) else {
        problems.error(
            codes::MISSING,
            pointer,
            "a branch needs `category` and `name`",
        );
        return;
    };
    path.push(BranchStep { category, name });
    if let Some(product) = &b.product {
        define(
            product,
            &ptr(pointer, "product"),
            path.clone(),
            None,
            products,
            problems,
        );
    }
    for (i, child) in b.branches.iter().enumerate() {
        branch(
            child,
            &ptr(&ptr(pointer, "branches"), i),
            path,
            products,
            problems,
        );
    }
    path.pop();
}

/// Defines a product id (6.1.2: once only). Returns the id when defined.
fn define(
    f: &w::FullProductName,
    pointer: &str,
    branch_path: Vec<BranchStep>,
    relationship: Option<ProductRelationship>,
    products: &mut BTreeMap<String, Defined>,
    problems: &mut Problems<'_>,
) -> Option<String> {
    let (Some(id), Some(name)) = (f.product_id.clone(), f.name.clone()) else {
        problems.error(
            codes::MISSING,
            pointer,
            "a product needs `name` and `product_id`",
        );
        return None;
    };
    if let Some(first) = products.get(&id) {
        problems.error(
            codes::DUPLICATE_PRODUCT,
            &ptr(pointer, "product_id"),
            format!(
                "product id {id:?} is already defined at {} (CSAF 6.1.2)",
                first.pointer
            ),
        );
        return None;
    }
    let helper = f
        .product_identification_helper
        .as_ref()
        .map(|h| helper(h, &ptr(pointer, "product_identification_helper"), problems));
    let find = |cat: &str| {
        branch_path
            .iter()
            .rev()
            .find(|s| s.category == cat)
            .map(|s| s.name.clone())
    };
    let vendor = find("vendor");
    let product_name = find("product_name");
    let mut versions = Vec::new();
    let mut ranges = Vec::new();
    // The version information is the deepest version branch on the path.
    if let Some((i, step)) = branch_path
        .iter()
        .enumerate()
        .rev()
        .find(|(_, s)| s.category == "product_version" || s.category == "product_version_range")
    {
        let depth_ptr = branch_pointer(pointer, branch_path.len(), i);
        if step.category == "product_version" {
            if looks_like_range(&step.name) {
                // CSAF 6.1.31 forbids ranges in product_version; CISA writes them there
                // often. Read it as the range it is, and say so.
                problems.warn(
                    codes::UNINTERPRETED_RANGE,
                    &depth_ptr,
                    format!(
                        "product_version {:?} is a version range (CSAF 6.1.31): read as a range",
                        step.name
                    ),
                );
                ranges.push(range_text(&step.name, &depth_ptr, problems));
            } else {
                versions.push(step.name.clone());
            }
        } else {
            ranges.push(range_text(&step.name, &depth_ptr, problems));
        }
    }
    products.insert(
        id.clone(),
        Defined {
            product: CsafProduct {
                product_id: id.clone(),
                name,
                branch_path,
                vendor,
                product_name,
                helper,
                relationship,
            },
            pointer: pointer.to_owned(),
            versions,
            ranges,
        },
    );
    Some(id)
}

/// Pointer of the branch `i` levels down a path ending at `product_pointer`
/// (…/branches/a/branches/b/product), for locating range problems.
fn branch_pointer(product_pointer: &str, depth: usize, i: usize) -> String {
    let mut p = product_pointer
        .strip_suffix("/product")
        .unwrap_or(product_pointer)
        .to_owned();
    for _ in i + 1..depth {
        if let Some(cut) = p.rfind("/branches/") {
            p.truncate(cut);
        }
    }
    ptr(&p, "name")
}

/// CSAF 6.1.31's list of what marks a version range: comparison operators and the
/// words after, all, before, earlier, later, prior, versions.
fn looks_like_range(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower.starts_with("vers:")
        || lower.contains(['<', '>'])
        || lower.split(|c: char| !c.is_alphanumeric()).any(|w| {
            [
                "after", "all", "before", "earlier", "later", "prior", "versions",
            ]
            .contains(&w)
        })
}

/// A range written as text: a vers string is parsed by the vers rules; CISA's plain
/// comparator lists (`<=1.9.4.1`, `>= 1.0.0 | <= 1.1.1`) are read the same way in the
/// generic scheme when every constraint is one comparator and one version token; any
/// other text is kept uninterpreted for the matcher to report.
fn range_text(text: &str, pointer: &str, problems: &mut Problems<'_>) -> VersionRange {
    let trimmed = text.trim();
    if trimmed.starts_with("vers:") {
        match vers::parse(trimmed) {
            Ok(r) => return r,
            Err(e) => {
                problems.warn(
                    codes::UNINTERPRETED_RANGE,
                    pointer,
                    format!("invalid vers string {trimmed:?}: {e}; kept as text"),
                );
                return uninterpreted(text);
            }
        }
    }
    if let Some(r) = plain_comparators(trimmed) {
        let mut r = r;
        r.text = Some(text.to_owned());
        return r;
    }
    problems.warn(
        codes::UNINTERPRETED_RANGE,
        pointer,
        format!("version range {text:?} has no defined syntax; kept as text"),
    );
    uninterpreted(text)
}

fn uninterpreted(text: &str) -> VersionRange {
    let mut r = VersionRange::new(VersionScheme::Generic);
    r.text = Some(text.to_owned());
    r.uninterpreted = true;
    r
}

/// `op version (| op version)*` with one lower bound before one upper bound at most.
fn plain_comparators(text: &str) -> Option<VersionRange> {
    let parts: Vec<&str> = text.split('|').map(str::trim).collect();
    if parts.is_empty() || parts.len() > 2 {
        return None;
    }
    let mut constraints = Vec::new();
    for part in &parts {
        let op = [">=", "<=", ">", "<"]
            .into_iter()
            .find(|op| part.starts_with(op))?;
        let version = part[op.len()..].trim();
        if version.is_empty()
            || version.contains(char::is_whitespace)
            || version.contains(['<', '>', '='])
        {
            return None;
        }
        constraints.push((op, version));
    }
    if let [(a, _), (b, _)] = constraints.as_slice()
        && !(a.starts_with('>') && b.starts_with('<'))
    {
        return None;
    }
    let mut r = VersionRange::new(VersionScheme::Generic);
    for (i, (op, v)) in constraints.iter().enumerate() {
        let v = (*v).to_owned();
        if i == 0 && op.starts_with('<') {
            r = r.with_event(Point::Earliest, RangeState::Affected);
        }
        r = match *op {
            ">=" => r.with_event(Point::At(v), RangeState::Affected),
            ">" => r.with_event(Point::After(v), RangeState::Affected),
            "<" => r.with_event(Point::At(v), RangeState::Outside),
            _ => r.with_event(Point::After(v), RangeState::Outside),
        };
    }
    Some(r)
}

fn helper(h: &w::Helper, pointer: &str, problems: &mut Problems<'_>) -> IdentificationHelper {
    let purl = h.purl.as_deref().and_then(|t| match t.parse::<Purl>() {
        Ok(p) => Some(p),
        Err(e) => {
            problems.error(
                codes::BAD_PURL,
                &ptr(pointer, "purl"),
                format!("invalid purl {t:?} (CSAF 6.1.13): {e}"),
            );
            None
        }
    });
    let cpe = h.cpe.as_deref().and_then(|t| {
        let parsed = if t.starts_with("cpe:/") {
            Cpe::from_uri(t)
        } else {
            Cpe::from_formatted_string(t)
        };
        match parsed {
            Ok(c) => Some(c),
            Err(e) => {
                problems.error(
                    codes::BAD_CPE,
                    &ptr(pointer, "cpe"),
                    format!("invalid CPE {t:?}: {e}"),
                );
                None
            }
        }
    });
    let mut hashes = Vec::new();
    for hs in &h.hashes {
        for fh in &hs.file_hashes {
            hashes.push(FileHash {
                filename: hs.filename.clone().unwrap_or_default(),
                algorithm: fh.algorithm.clone().unwrap_or_default(),
                value: fh.value.clone().unwrap_or_default(),
            });
        }
    }
    IdentificationHelper {
        purl,
        cpe,
        model_numbers: h.model_numbers.clone(),
        skus: h.skus.clone(),
        serial_numbers: h.serial_numbers.clone(),
        hashes,
        sbom_urls: h.sbom_urls.clone(),
        generic_uris: h
            .x_generic_uris
            .iter()
            .filter_map(|u| u.uri.clone())
            .collect(),
    }
}
