//! CSAF 2.0 VEX (profile `csaf_vex`, CSAF 2.0 §4.5) from a [`VexDocument`].
//!
//! # Layout
//!
//! * `document`: category `csaf_vex`, `csaf_version` 2.0, the publisher from
//!   [`VexDocument::author`], the title (or `VEX: <products>`), `tracking` with the id, the
//!   status, the version as an integer, the revision history and the tool as `generator`.
//! * `product_tree`: one `full_product_names` entry per distinct product (`CSAFPID-0001` …
//!   in first-appearance order) with its purl and CPE as `product_identification_helper`;
//!   each subcomponent becomes a product of its own and a `default_component_of`
//!   relationship whose combined product (`CSAFPID-0001:1` …) the statuses then name
//!   (CSAF 2.0 §3.2.2.4, the way §4.5 expresses "component X in product Y").
//! * `vulnerabilities`: one entry per vulnerability id (statements about the same one are
//!   merged, as §6.1.23 forbids two entries with the same CVE), with `cve` when the id or an
//!   alias is a CVE id and `ids` for the others, a note (the description, or a generated
//!   summary when there is none, as §6.1.27.5 requires notes), `product_status`, `flags`
//!   with the CISA label for not_affected products that have a justification, `threats`
//!   of category `impact` carrying impact statements, and `remediations`: the action
//!   statement first (CSAF has no field of its own for it; §4.5 and CISA's minimum
//!   requirements put it among the remediations), in the category of the statement's first
//!   remediation, or `mitigation` when it has none, then the statement's remediations.
//!
//! # Mandatory tests (CSAF 2.0 §6.1) the writer satisfies by construction
//!
//! 6.1.1 and 6.1.2 (every product id defined once), 6.1.6 (no contradicting status: the model
//! rejects two statements for one product and vulnerability), 6.1.13 (purls from the parser),
//! 6.1.14, 6.1.16, 6.1.17, 6.1.18, 6.1.21, 6.1.22 (revision history checked against the
//! version; see [`write_vex`]), 6.1.23 (one entry per CVE), 6.1.27.4 (a product tree),
//! 6.1.27.5 (vulnerability notes), 6.1.27.6 and 6.1.27.7 (a VEX product status), 6.1.27.8
//! (`cve` or `ids`), 6.1.27.9 (each known_not_affected product has a flag or an impact
//! threat), 6.1.27.10 (each known_affected product has a remediation), 6.1.27.11
//! (vulnerabilities present), 6.1.29 and 6.1.32 (remediations and flags name products),
//! 6.1.30 (integer versioning only), 6.1.33 (one flag per product).

use std::collections::BTreeMap;

use medsec_core::vex::{DocumentStatus, Revision, VexDocument, VexStatement, VexStatus};
use serde::Serialize;

use super::cyclonedx::{ProductIndex, id_source};
use super::{WriteError, Written, is_iri, timestamp, to_json};

#[derive(Serialize)]
struct Csaf {
    document: WDocument,
    product_tree: WProductTree,
    vulnerabilities: Vec<WVulnerability>,
}

#[derive(Serialize)]
struct WDocument {
    category: &'static str,
    csaf_version: &'static str,
    publisher: WPublisher,
    title: String,
    tracking: WTracking,
}

#[derive(Serialize)]
struct WPublisher {
    category: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact_details: Option<String>,
    name: String,
    namespace: String,
}

#[derive(Serialize)]
struct WTracking {
    current_release_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    generator: Option<WGenerator>,
    id: String,
    initial_release_date: String,
    revision_history: Vec<WRevision>,
    status: &'static str,
    version: String,
}

#[derive(Serialize)]
struct WGenerator {
    engine: WEngine,
}

#[derive(Serialize)]
struct WEngine {
    name: String,
}

#[derive(Serialize)]
struct WRevision {
    date: String,
    number: String,
    summary: String,
}

#[derive(Serialize)]
struct WProductTree {
    full_product_names: Vec<WFullProductName>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    relationships: Vec<WRelationship>,
}

#[derive(Serialize)]
struct WFullProductName {
    name: String,
    product_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    product_identification_helper: Option<WHelper>,
}

#[derive(Serialize)]
struct WHelper {
    #[serde(skip_serializing_if = "Option::is_none")]
    cpe: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
}

#[derive(Serialize)]
struct WRelationship {
    category: &'static str,
    full_product_name: WFullProductName,
    product_reference: String,
    relates_to_product_reference: String,
}

#[derive(Serialize)]
struct WVulnerability {
    #[serde(skip_serializing_if = "Option::is_none")]
    cve: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    flags: Vec<WFlag>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ids: Vec<WId>,
    notes: Vec<WNote>,
    product_status: WProductStatus,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    remediations: Vec<WRemediation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    threats: Vec<WThreat>,
}

#[derive(Serialize)]
struct WFlag {
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    label: &'static str,
    product_ids: Vec<String>,
}

#[derive(Serialize)]
struct WId {
    system_name: String,
    text: String,
}

#[derive(Serialize)]
struct WNote {
    category: &'static str,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
}

#[derive(Serialize, Default)]
struct WProductStatus {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixed: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    known_affected: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    known_not_affected: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    under_investigation: Vec<String>,
}

#[derive(Serialize)]
struct WRemediation {
    category: &'static str,
    details: String,
    product_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct WThreat {
    category: &'static str,
    details: String,
    product_ids: Vec<String>,
}

/// A non-blank text, or nothing (CSAF strings have `minLength: 1`).
fn text(t: &Option<String>) -> Option<String> {
    t.as_ref().filter(|t| !t.trim().is_empty()).cloned()
}

/// `^CVE-[0-9]{4}-[0-9]{4,}$` (CSAF 2.0 `vulnerabilities[].cve`).
pub(crate) fn is_cve(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("CVE-") else {
        return false;
    };
    let Some((year, num)) = rest.split_once('-') else {
        return false;
    };
    year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && num.len() >= 4
        && num.bytes().all(|b| b.is_ascii_digit())
}

/// The revision history to write, checked against the document version: numbers 1..=version,
/// each once, in order, dates not decreasing (CSAF 2.0 §6.1.14 sorted, §6.1.16 latest =
/// version, §6.1.21 no missing item, §6.1.22 no duplicate). With no history given, a
/// version-1 document gets one entry at its timestamp; a later version without history is
/// an error, as the history cannot be invented.
fn revisions(doc: &VexDocument) -> Result<Vec<Revision>, WriteError> {
    if doc.revisions.is_empty() {
        if doc.version != 1 {
            return Err(WriteError::RevisionHistory(format!(
                "version {} needs the history of versions 1 to {}",
                doc.version, doc.version
            )));
        }
        return Ok(vec![Revision {
            number: 1,
            date: doc.timestamp,
            summary: "Initial version.".to_owned(),
        }]);
    }
    let mut revs = doc.revisions.clone();
    revs.sort_by_key(|r| r.number);
    for (i, r) in revs.iter().enumerate() {
        let expected = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if r.number != expected {
            return Err(WriteError::RevisionHistory(format!(
                "revision {expected} is missing or given twice (CSAF 2.0 §6.1.21, §6.1.22)"
            )));
        }
        if r.summary.trim().is_empty() {
            return Err(WriteError::RevisionHistory(format!(
                "revision {} has no summary",
                r.number
            )));
        }
        if let Some(prev) = i.checked_sub(1).and_then(|p| revs.get(p))
            && prev.date > r.date
        {
            return Err(WriteError::RevisionHistory(format!(
                "revision {} is dated before revision {} (CSAF 2.0 §6.1.14)",
                r.number, prev.number
            )));
        }
    }
    if revs.last().map(|r| r.number) != Some(doc.version) {
        return Err(WriteError::RevisionHistory(format!(
            "the latest revision must be the document version {} (CSAF 2.0 §6.1.16)",
            doc.version
        )));
    }
    Ok(revs)
}

/// Writes a CSAF 2.0 `csaf_vex` document.
pub fn write_vex(doc: &VexDocument) -> Result<Written, WriteError> {
    doc.validate()?;
    if !is_iri(&doc.author.namespace) {
        return Err(WriteError::BadNamespace(doc.author.namespace.clone()));
    }
    let revs = revisions(doc)?;
    let index = ProductIndex::new(doc);

    // Product tree: products, then subcomponents and their combined products.
    let mut full_product_names = Vec::new();
    let mut relationships = Vec::new();
    let mut product_ids: BTreeMap<String, String> = BTreeMap::new();
    // (product key, subcomponent purl) → combined product id.
    let mut combined: BTreeMap<(String, String), String> = BTreeMap::new();
    for (n, (p, _)) in index.products.iter().enumerate() {
        let pid = format!("CSAFPID-{:04}", n + 1);
        let helper = (p.purl.is_some() || p.cpe.is_some()).then(|| WHelper {
            cpe: p.cpe.as_ref().map(ToString::to_string),
            purl: p.purl.as_ref().map(ToString::to_string),
        });
        full_product_names.push(WFullProductName {
            name: p.display_name(),
            product_id: pid.clone(),
            product_identification_helper: helper,
        });
        for (k, sc) in index.subcomponents(doc, &p.key()).into_iter().enumerate() {
            let cid = format!("{pid}-C{:03}", k + 1);
            let sc_name = sc
                .parse::<medsec_core::Purl>()
                .map(|x| match x.version() {
                    Some(v) => format!("{} {v}", x.name()),
                    None => x.name().to_owned(),
                })
                .unwrap_or_else(|_| sc.clone());
            full_product_names.push(WFullProductName {
                name: sc_name.clone(),
                product_id: cid.clone(),
                product_identification_helper: Some(WHelper {
                    cpe: None,
                    purl: Some(sc.clone()),
                }),
            });
            let joint = format!("{pid}:{}", k + 1);
            relationships.push(WRelationship {
                category: "default_component_of",
                full_product_name: WFullProductName {
                    name: format!("{sc_name} as a component of {}", p.display_name()),
                    product_id: joint.clone(),
                    product_identification_helper: None,
                },
                product_reference: cid,
                relates_to_product_reference: pid.clone(),
            });
            combined.insert((p.key(), sc), joint);
        }
        product_ids.insert(p.key(), pid);
    }
    let ids_of = |s: &VexStatement| -> Vec<String> {
        let mut out = Vec::new();
        for p in &s.products {
            if p.subcomponents.is_empty() {
                if let Some(id) = product_ids.get(&p.key()) {
                    out.push(id.clone());
                }
            } else {
                for sc in &p.subcomponents {
                    if let Some(id) = combined.get(&(p.key(), sc.to_string())) {
                        out.push(id.clone());
                    }
                }
            }
        }
        out
    };

    // Vulnerabilities: statements grouped by vulnerability id, first appearance order.
    let mut order: Vec<&str> = Vec::new();
    let mut groups: BTreeMap<&str, Vec<&VexStatement>> = BTreeMap::new();
    for s in &doc.statements {
        let id = s.vulnerability.id.as_str();
        if !groups.contains_key(id) {
            order.push(id);
        }
        groups.entry(id).or_default().push(s);
    }
    let mut vulnerabilities = Vec::new();
    let mut cves_used: Vec<String> = Vec::new();
    for id in order {
        let statements = groups.get(id).cloned().unwrap_or_default();
        let mut aliases: Vec<String> = Vec::new();
        let mut description = None;
        for s in &statements {
            for a in &s.vulnerability.aliases {
                if !aliases.iter().any(|x| x.eq_ignore_ascii_case(a)) {
                    aliases.push(a.clone());
                }
            }
            if description.is_none() {
                description = text(&s.vulnerability.description);
            }
        }
        // The CVE: the id itself, else the first CVE alias not used by an earlier entry.
        let cve = std::iter::once(id.to_owned())
            .chain(aliases.iter().cloned())
            .find(|c| is_cve(c) && !cves_used.contains(c));
        if let Some(c) = &cve {
            cves_used.push(c.clone());
        }
        let ids: Vec<WId> = std::iter::once(id.to_owned())
            .chain(aliases.iter().cloned())
            .filter(|x| Some(x) != cve.as_ref())
            .map(|x| WId {
                system_name: id_source(&x).to_owned(),
                text: x,
            })
            .collect();
        let mut status = WProductStatus::default();
        let mut flags = Vec::new();
        let mut threats = Vec::new();
        let mut remediations = Vec::new();
        for s in &statements {
            let pids = ids_of(s);
            match s.status {
                VexStatus::NotAffected => status.known_not_affected.extend(pids.clone()),
                VexStatus::Affected => status.known_affected.extend(pids.clone()),
                VexStatus::Fixed => status.fixed.extend(pids.clone()),
                VexStatus::UnderInvestigation => status.under_investigation.extend(pids.clone()),
            }
            if let Some(j) = s.justification {
                flags.push(WFlag {
                    date: s.last_updated.or(s.first_issued).map(timestamp),
                    label: j.cisa().as_str(),
                    product_ids: pids.clone(),
                });
            }
            if let Some(t) = text(&s.impact_statement) {
                threats.push(WThreat {
                    category: "impact",
                    details: t,
                    product_ids: pids.clone(),
                });
            }
            // The action statement first, unless a remediation already says the same.
            if let Some(a) = text(&s.action_statement)
                && !s.remediations.iter().any(|r| r.details == a)
            {
                remediations.push(WRemediation {
                    category: s
                        .remediations
                        .first()
                        .map_or("mitigation", |r| r.category.as_str()),
                    details: a,
                    product_ids: pids.clone(),
                    url: None,
                });
            }
            for r in &s.remediations {
                remediations.push(WRemediation {
                    category: r.category.as_str(),
                    details: r.details.clone(),
                    product_ids: pids.clone(),
                    url: r.url.clone(),
                });
            }
        }
        let notes = match description {
            Some(d) => vec![WNote {
                category: "description",
                text: d,
                title: None,
            }],
            None => vec![WNote {
                category: "summary",
                text: summary(id, &statements),
                title: Some("VEX statement".to_owned()),
            }],
        };
        vulnerabilities.push(WVulnerability {
            cve,
            flags,
            ids,
            notes,
            product_status: status,
            remediations,
            threats,
        });
    }

    let title = doc
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| {
            let names: Vec<String> = index
                .products
                .iter()
                .map(|(p, _)| p.display_name())
                .collect();
            format!("VEX: {}", names.join(", "))
        });
    let csaf = Csaf {
        document: WDocument {
            category: "csaf_vex",
            csaf_version: "2.0",
            publisher: WPublisher {
                category: doc.author.category.as_str(),
                contact_details: text(&doc.author.contact),
                name: doc.author.name.clone(),
                namespace: doc.author.namespace.clone(),
            },
            title,
            tracking: WTracking {
                current_release_date: timestamp(doc.timestamp),
                generator: text(&doc.tooling).map(|name| WGenerator {
                    engine: WEngine { name },
                }),
                id: doc.id.clone(),
                initial_release_date: timestamp(doc.first_issued.unwrap_or(doc.timestamp)),
                revision_history: revs
                    .iter()
                    .map(|r| WRevision {
                        date: timestamp(r.date),
                        number: r.number.to_string(),
                        summary: r.summary.clone(),
                    })
                    .collect(),
                status: match doc.status {
                    DocumentStatus::Draft => "draft",
                    DocumentStatus::Interim => "interim",
                    _ => "final",
                },
                version: doc.version.to_string(),
            },
        },
        product_tree: WProductTree {
            full_product_names,
            relationships,
        },
        vulnerabilities,
    };
    Ok(Written {
        json: to_json(&csaf)?,
        normalisations: Vec::new(),
    })
}

/// A factual one-line summary for a vulnerability without a description.
fn summary(id: &str, statements: &[&VexStatement]) -> String {
    let parts: Vec<String> = statements
        .iter()
        .map(|s| {
            let names: Vec<String> = s.products.iter().map(|p| p.display_name()).collect();
            format!("{}: {}", s.status, names.join(", "))
        })
        .collect();
    format!(
        "Status of {id} in the products of this document. {}.",
        parts.join("; ")
    )
}
