//! CycloneDX wire structs, one set for 1.2–1.6: every field is optional and loosely typed
//! here, so that reading never stops at the first missing field; `validate.rs` then checks
//! each against the rules of the declared spec version and collects every problem.
//!
//! Strings are `Cow`: the JSON fast path (`fast.rs`) borrows them from the text (owned only
//! where the text has escapes); the derived `Deserialize` (the general path, and the XML
//! reader's `Value`) owns them. Rare, large members of a component are boxed to keep the
//! component small.
//!
//! Field names are those of the JSON encoding; the XML reader (`../xml.rs`) produces the same
//! shape. Fields we do not model land in `other` and are checked against the list of fields
//! that exist in the declared version (`fields.rs`).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

pub type Other = BTreeMap<String, IgnoredAny>;

#[derive(Debug, Default, Deserialize)]
pub struct Bom<'a> {
    #[serde(rename = "bomFormat")]
    pub bom_format: Option<Cow<'a, str>>,
    #[serde(rename = "specVersion")]
    pub spec_version: Option<Cow<'a, str>>,
    #[serde(rename = "serialNumber")]
    pub serial_number: Option<Cow<'a, str>>,
    pub version: Option<i64>,
    pub metadata: Option<Metadata<'a>>,
    pub components: Option<Vec<Component<'a>>>,
    pub services: Option<Vec<Service<'a>>>,
    pub dependencies: Option<Vec<Dependency<'a>>>,
    #[serde(rename = "externalReferences")]
    pub external_references: Option<Vec<ExternalReference<'a>>>,
    pub properties: Option<Vec<Property<'a>>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Default, Deserialize)]
pub struct Metadata<'a> {
    pub timestamp: Option<Cow<'a, str>>,
    /// An array of tools (1.2–1.4, deprecated from 1.5) or an object with `components` and
    /// `services` (1.5+): read as a value and told apart in `validate.rs`.
    pub tools: Option<serde_json::Value>,
    pub authors: Option<Vec<Contact<'a>>>,
    pub component: Option<Box<Component<'a>>>,
    pub manufacture: Option<Organization<'a>>,
    pub manufacturer: Option<Organization<'a>>,
    pub supplier: Option<Organization<'a>>,
    pub licenses: Option<Vec<LicenseChoice<'a>>>,
    pub properties: Option<Vec<Property<'a>>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Default, Deserialize)]
pub struct ToolsObject<'a> {
    pub components: Option<Vec<Component<'a>>>,
    pub services: Option<Vec<Service<'a>>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Default, Deserialize)]
pub struct Tool<'a> {
    pub vendor: Option<Cow<'a, str>>,
    pub name: Option<Cow<'a, str>>,
    pub version: Option<Cow<'a, str>>,
    pub hashes: Option<Vec<Hash<'a>>>,
    #[serde(rename = "externalReferences")]
    pub external_references: Option<Vec<ExternalReference<'a>>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Default, Deserialize)]
pub struct Organization<'a> {
    pub name: Option<Cow<'a, str>>,
    pub url: Option<Vec<Cow<'a, str>>>,
    pub contact: Option<Vec<Contact<'a>>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Default, Deserialize)]
pub struct Contact<'a> {
    pub name: Option<Cow<'a, str>>,
    pub email: Option<Cow<'a, str>>,
    pub phone: Option<Cow<'a, str>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Default, Deserialize)]
pub struct Component<'a> {
    #[serde(rename = "type")]
    pub kind: Option<Cow<'a, str>>,
    #[serde(rename = "bom-ref")]
    pub bom_ref: Option<Cow<'a, str>>,
    pub supplier: Option<Organization<'a>>,
    pub manufacturer: Option<Box<Organization<'a>>>,
    pub author: Option<Cow<'a, str>>,
    pub authors: Option<Vec<Contact<'a>>>,
    pub publisher: Option<Cow<'a, str>>,
    pub group: Option<Cow<'a, str>>,
    pub name: Option<Cow<'a, str>>,
    pub version: Option<Cow<'a, str>>,
    pub description: Option<Cow<'a, str>>,
    pub scope: Option<Cow<'a, str>>,
    pub hashes: Option<Vec<Hash<'a>>>,
    pub licenses: Option<Vec<LicenseChoice<'a>>>,
    pub copyright: Option<Cow<'a, str>>,
    pub cpe: Option<Cow<'a, str>>,
    pub purl: Option<Cow<'a, str>>,
    pub swid: Option<Box<Swid<'a>>>,
    pub pedigree: Option<Box<Pedigree<'a>>>,
    #[serde(rename = "externalReferences")]
    pub external_references: Option<Vec<ExternalReference<'a>>>,
    pub properties: Option<Vec<Property<'a>>>,
    pub components: Option<Vec<Component<'a>>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Default, Deserialize)]
pub struct Hash<'a> {
    pub alg: Option<Cow<'a, str>>,
    pub content: Option<Cow<'a, str>>,
    #[serde(flatten)]
    pub other: Other,
}

/// One entry of `licenses`: `{ "license": {...} }` or `{ "expression": "..." }`.
#[derive(Debug, Default, Deserialize)]
pub struct LicenseChoice<'a> {
    pub license: Option<License<'a>>,
    pub expression: Option<Cow<'a, str>>,
    pub acknowledgement: Option<Cow<'a, str>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Default, Deserialize)]
pub struct License<'a> {
    pub id: Option<Cow<'a, str>>,
    pub name: Option<Cow<'a, str>>,
    pub text: Option<Attachment<'a>>,
    pub url: Option<Cow<'a, str>>,
    pub acknowledgement: Option<Cow<'a, str>>,
    pub properties: Option<Vec<Property<'a>>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Default, Deserialize)]
pub struct Attachment<'a> {
    #[serde(rename = "contentType")]
    pub content_type: Option<Cow<'a, str>>,
    pub encoding: Option<Cow<'a, str>>,
    pub content: Option<Cow<'a, str>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Default, Deserialize)]
pub struct Property<'a> {
    pub name: Option<Cow<'a, str>>,
    pub value: Option<Cow<'a, str>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Default, Deserialize)]
pub struct ExternalReference<'a> {
    pub url: Option<Cow<'a, str>>,
    #[serde(rename = "type")]
    pub kind: Option<Cow<'a, str>>,
    pub comment: Option<Cow<'a, str>>,
    pub hashes: Option<Vec<Hash<'a>>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Default, Deserialize)]
pub struct Swid<'a> {
    #[serde(rename = "tagId")]
    pub tag_id: Option<Cow<'a, str>>,
    pub name: Option<Cow<'a, str>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Default, Deserialize)]
pub struct Pedigree<'a> {
    pub ancestors: Option<Vec<Component<'a>>>,
    pub descendants: Option<Vec<Component<'a>>>,
    pub variants: Option<Vec<Component<'a>>>,
    pub patches: Option<Vec<Patch<'a>>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Default, Deserialize)]
pub struct Patch<'a> {
    #[serde(rename = "type")]
    pub kind: Option<Cow<'a, str>>,
    pub resolves: Option<Vec<Issue<'a>>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Default, Deserialize)]
pub struct Issue<'a> {
    #[serde(rename = "type")]
    pub kind: Option<Cow<'a, str>>,
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Debug, Default, Deserialize)]
pub struct Service<'a> {
    #[serde(rename = "bom-ref")]
    pub bom_ref: Option<Cow<'a, str>>,
    pub name: Option<Cow<'a, str>>,
    /// 1.2–1.4: `[{flow, classification}]`; 1.5+: `[{flow, classification, name, ...}]`.
    pub data: Option<Vec<ServiceData<'a>>>,
    pub properties: Option<Vec<Property<'a>>>,
    pub services: Option<Vec<Service<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ServiceData<'a> {
    pub flow: Option<Cow<'a, str>>,
    pub classification: Option<serde_json::Value>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Dependency<'a> {
    #[serde(rename = "ref")]
    pub reference: Option<Cow<'a, str>>,
    #[serde(rename = "dependsOn")]
    pub depends_on: Option<Vec<Cow<'a, str>>>,
    pub provides: Option<Vec<Cow<'a, str>>>,
    #[serde(flatten)]
    pub other: Other,
}
