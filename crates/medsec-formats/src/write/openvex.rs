//! OpenVEX 0.2.0 from a [`VexDocument`] (`OPENVEX-SPEC.md` v0.2.0 and
//! `openvex_json_schema.json` of openvex/spec).
//!
//! * `@context` is `https://openvex.dev/ns/v0.2.0`; `@id` the document id (an IRI);
//!   `author` the author's name; `role` the CSAF-style author category; `tooling` as given.
//! * One statement per model statement, in order; products identified by `@id` (the purl)
//!   and `identifiers` (`purl`, `cpe23`), subcomponents by their purl.
//! * The justification is written as the CISA label (mapping in `medsec_core::vex`).
//! * The schema lets a not_affected statement carry a justification **or** an impact
//!   statement, not both (`allOf[0].then.oneOf`). When the model has both, the
//!   justification is written and the impact statement goes to `status_notes`.
//! * Statement times: `timestamp` is when the statement was first issued and
//!   `last_updated` when it last changed. Who decided has no field; it is not written.

use medsec_core::vex::{ProductRef, VexDocument, VexStatus};
use serde::Serialize;

use super::{WriteError, Written, is_iri, timestamp, to_json};

pub const CONTEXT: &str = "https://openvex.dev/ns/v0.2.0";

#[derive(Serialize)]
struct Doc {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@id")]
    id: String,
    author: String,
    role: &'static str,
    timestamp: String,
    version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    tooling: Option<String>,
    statements: Vec<Statement>,
}

#[derive(Serialize)]
struct Statement {
    vulnerability: Vulnerability,
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_updated: Option<String>,
    products: Vec<Product>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    impact_statement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    action_statement: Option<String>,
}

#[derive(Serialize)]
struct Vulnerability {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
}

#[derive(Serialize)]
struct Product {
    #[serde(rename = "@id", skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    identifiers: Identifiers,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    subcomponents: Vec<Subcomponent>,
}

#[derive(Serialize)]
struct Identifiers {
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(rename = "@cpe23", skip_serializing_if = "Option::is_none")]
    cpe23: Option<String>,
}

#[derive(Serialize)]
struct Subcomponent {
    #[serde(rename = "@id")]
    id: String,
    identifiers: Identifiers,
}

fn nonblank(t: &Option<String>) -> Option<String> {
    t.as_ref().filter(|t| !t.trim().is_empty()).cloned()
}

fn product(p: &ProductRef) -> Result<Product, WriteError> {
    if p.purl.is_none() && p.cpe.is_none() {
        return Err(WriteError::NoIdentifier(p.display_name()));
    }
    let purl = p.purl.as_ref().map(ToString::to_string);
    Ok(Product {
        // A purl is an IRI (`pkg:` scheme); a CPE formatted string may hold `\` escapes,
        // which an IRI may not, so a CPE is given only as an identifier.
        id: purl.clone(),
        identifiers: Identifiers {
            purl,
            cpe23: p.cpe.as_ref().map(ToString::to_string),
        },
        subcomponents: p
            .subcomponents
            .iter()
            .map(|s| Subcomponent {
                id: s.to_string(),
                identifiers: Identifiers {
                    purl: Some(s.to_string()),
                    cpe23: None,
                },
            })
            .collect(),
    })
}

/// Writes an OpenVEX 0.2.0 document.
pub fn write(doc: &VexDocument) -> Result<Written, WriteError> {
    doc.validate()?;
    if !is_iri(&doc.id) {
        return Err(WriteError::IdNotIri(doc.id.clone()));
    }
    let mut statements = Vec::new();
    for s in &doc.statements {
        let products = s.products.iter().map(product).collect::<Result<_, _>>()?;
        let impact = nonblank(&s.impact_statement);
        let (justification, impact_statement, status_notes) = match s.status {
            VexStatus::NotAffected => match s.justification {
                Some(j) => (Some(j.cisa().as_str()), None, impact),
                None => (None, impact, None),
            },
            _ => (None, None, impact),
        };
        let mut aliases: Vec<String> = Vec::new();
        for a in &s.vulnerability.aliases {
            if !aliases.contains(a) && *a != s.vulnerability.id {
                aliases.push(a.clone());
            }
        }
        statements.push(Statement {
            vulnerability: Vulnerability {
                name: s.vulnerability.id.clone(),
                description: nonblank(&s.vulnerability.description),
                aliases,
            },
            timestamp: s.first_issued.map(timestamp),
            last_updated: s.last_updated.map(timestamp),
            products,
            status: s.status.as_str(),
            status_notes,
            justification,
            impact_statement,
            action_statement: nonblank(&s.action_statement),
        });
    }
    let out = Doc {
        context: CONTEXT,
        id: doc.id.clone(),
        author: doc.author.name.clone(),
        role: doc.author.category.as_str(),
        timestamp: timestamp(doc.timestamp),
        version: doc.version,
        tooling: nonblank(&doc.tooling),
        statements,
    };
    Ok(Written {
        json: to_json(&out)?,
        normalisations: Vec::new(),
    })
}
