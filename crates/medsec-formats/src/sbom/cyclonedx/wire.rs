//! CycloneDX wire structs, one set for 1.2–1.6: every field is optional and loosely typed
//! here, so that reading never stops at the first missing field; `validate.rs` then checks
//! each against the rules of the declared spec version and collects every problem.
//!
//! Field names are those of the JSON encoding; the XML reader (`../xml.rs`) produces the same
//! shape. Fields we do not model land in `other` and are checked against the list of fields
//! that exist in the declared version (`fields.rs`).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

pub type Other = BTreeMap<String, IgnoredAny>;

#[derive(Debug, Deserialize)]
pub struct Bom {
    #[serde(rename = "bomFormat")]
    pub bom_format: Option<String>,
    #[serde(rename = "specVersion")]
    pub spec_version: Option<String>,
    #[serde(rename = "serialNumber")]
    pub serial_number: Option<String>,
    pub version: Option<i64>,
    pub metadata: Option<Metadata>,
    pub components: Option<Vec<Component>>,
    pub services: Option<Vec<Service>>,
    pub dependencies: Option<Vec<Dependency>>,
    #[serde(rename = "externalReferences")]
    pub external_references: Option<Vec<ExternalReference>>,
    pub properties: Option<Vec<Property>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Deserialize)]
pub struct Metadata {
    pub timestamp: Option<String>,
    /// An array of tools (1.2–1.4, deprecated from 1.5) or an object with `components` and
    /// `services` (1.5+): read as a value and told apart in `validate.rs`.
    pub tools: Option<serde_json::Value>,
    pub authors: Option<Vec<Contact>>,
    pub component: Option<Box<Component>>,
    pub manufacture: Option<Organization>,
    pub manufacturer: Option<Organization>,
    pub supplier: Option<Organization>,
    pub licenses: Option<Vec<LicenseChoice>>,
    pub properties: Option<Vec<Property>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Deserialize)]
pub struct ToolsObject {
    pub components: Option<Vec<Component>>,
    pub services: Option<Vec<Service>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Deserialize)]
pub struct Tool {
    pub vendor: Option<String>,
    pub name: Option<String>,
    pub version: Option<String>,
    pub hashes: Option<Vec<Hash>>,
    #[serde(rename = "externalReferences")]
    pub external_references: Option<Vec<ExternalReference>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Deserialize)]
pub struct Organization {
    pub name: Option<String>,
    pub url: Option<Vec<String>>,
    pub contact: Option<Vec<Contact>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Deserialize)]
pub struct Contact {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Deserialize)]
pub struct Component {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[serde(rename = "bom-ref")]
    pub bom_ref: Option<String>,
    pub supplier: Option<Organization>,
    pub manufacturer: Option<Organization>,
    pub author: Option<String>,
    pub authors: Option<Vec<Contact>>,
    pub publisher: Option<String>,
    pub group: Option<String>,
    pub name: Option<String>,
    pub version: Option<String>,
    pub description: Option<String>,
    pub scope: Option<String>,
    pub hashes: Option<Vec<Hash>>,
    pub licenses: Option<Vec<LicenseChoice>>,
    pub copyright: Option<String>,
    pub cpe: Option<String>,
    pub purl: Option<String>,
    pub swid: Option<Swid>,
    pub pedigree: Option<Pedigree>,
    #[serde(rename = "externalReferences")]
    pub external_references: Option<Vec<ExternalReference>>,
    pub properties: Option<Vec<Property>>,
    pub components: Option<Vec<Component>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Deserialize)]
pub struct Hash {
    pub alg: Option<String>,
    pub content: Option<String>,
    #[serde(flatten)]
    pub other: Other,
}

/// One entry of `licenses`: `{ "license": {...} }` or `{ "expression": "..." }`.
#[derive(Debug, Deserialize)]
pub struct LicenseChoice {
    pub license: Option<License>,
    pub expression: Option<String>,
    pub acknowledgement: Option<String>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Deserialize)]
pub struct License {
    pub id: Option<String>,
    pub name: Option<String>,
    pub text: Option<Attachment>,
    pub url: Option<String>,
    pub acknowledgement: Option<String>,
    pub properties: Option<Vec<Property>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Deserialize)]
pub struct Attachment {
    #[serde(rename = "contentType")]
    pub content_type: Option<String>,
    pub encoding: Option<String>,
    pub content: Option<String>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Deserialize)]
pub struct Property {
    pub name: Option<String>,
    pub value: Option<String>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Deserialize)]
pub struct ExternalReference {
    pub url: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub comment: Option<String>,
    pub hashes: Option<Vec<Hash>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Deserialize)]
pub struct Swid {
    #[serde(rename = "tagId")]
    pub tag_id: Option<String>,
    pub name: Option<String>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Deserialize)]
pub struct Pedigree {
    pub ancestors: Option<Vec<Component>>,
    pub descendants: Option<Vec<Component>>,
    pub variants: Option<Vec<Component>>,
    pub patches: Option<Vec<Patch>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Deserialize)]
pub struct Patch {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub resolves: Option<Vec<Issue>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Deserialize)]
pub struct Issue {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Deserialize)]
pub struct Service {
    #[serde(rename = "bom-ref")]
    pub bom_ref: Option<String>,
    pub name: Option<String>,
    /// 1.2–1.4: `[{flow, classification}]`; 1.5+: `[{flow, classification, name, ...}]`.
    pub data: Option<Vec<ServiceData>>,
    pub properties: Option<Vec<Property>>,
    pub services: Option<Vec<Service>>,
}

#[derive(Debug, Deserialize)]
pub struct ServiceData {
    pub flow: Option<String>,
    pub classification: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub struct Dependency {
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    #[serde(rename = "dependsOn")]
    pub depends_on: Option<Vec<String>>,
    pub provides: Option<Vec<String>>,
    #[serde(flatten)]
    pub other: Other,
}
