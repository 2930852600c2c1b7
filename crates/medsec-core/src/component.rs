//! The version-independent SBOM component model.
//!
//! Every SBOM format medsec reads (CycloneDX 1.2–1.6 in JSON and XML, SPDX 2.2/2.3 in JSON and
//! tag-value) is converted into [`Sbom`] at one seam in `medsec-formats`. The model keeps what
//! vulnerability matching, reports and audits need, as the document gave it: strings are not
//! rewritten, except where a closed vocabulary is mapped onto one enum ([`ComponentKind`],
//! [`Scope`]) or a hash algorithm name onto the CycloneDX spelling ([`Hash::alg`]).
//!
//! # Nested components
//!
//! CycloneDX lets a component contain components (`components[i].components`); SPDX has no
//! nesting. The model **flattens**: [`Sbom::components`] lists every component in document order,
//! depth first, a parent before its children, and a nested component names its enclosing one in
//! [`Component::parent`] (an index into [`Sbom::components`]). Matching wants a flat list; the tree
//! can be rebuilt from the parent links.
//!
//! # The original document
//!
//! [`Sbom::original`] holds the bytes exactly as read, with their SHA-256, so that a report can
//! name the very document a finding came from and an auditor can check it.

use serde::Serialize;

use crate::Purl;
use crate::cpe::Cpe;

/// A software bill of materials, normalised.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Sbom {
    pub format: SbomFormat,
    /// The specification version the document declares, e.g. `1.6` or `2.3`.
    pub spec_version: String,
    pub encoding: Encoding,
    /// CycloneDX `serialNumber` (a `urn:uuid:`), or SPDX `documentNamespace`.
    pub serial_number: Option<String>,
    /// CycloneDX `version` (the BOM's revision); SPDX has none.
    pub version: Option<u64>,
    /// SPDX document `name`; CycloneDX has none.
    pub name: Option<String>,
    pub metadata: Metadata,
    /// Every component, nested ones flattened (see the module documentation).
    pub components: Vec<Component>,
    /// The dependency graph: each entry is a ref and the refs it depends on, in document order.
    pub dependencies: Vec<Dependency>,
    pub original: Original,
}

impl Sbom {
    /// A document with no components and empty metadata; the readers fill it in.
    pub fn new(
        format: SbomFormat,
        spec_version: impl Into<String>,
        encoding: Encoding,
        original: Original,
    ) -> Self {
        Sbom {
            format,
            spec_version: spec_version.into(),
            encoding,
            serial_number: None,
            version: None,
            name: None,
            metadata: Metadata::default(),
            components: Vec::new(),
            dependencies: Vec::new(),
            original,
        }
    }

    /// The component with this bom-ref (CycloneDX) or SPDXID (SPDX).
    pub fn component_by_ref(&self, bom_ref: &str) -> Option<&Component> {
        self.components
            .iter()
            .find(|c| c.bom_ref.as_deref() == Some(bom_ref))
    }

    /// The number of dependency edges (ref → one of its `depends_on`).
    pub fn dependency_edge_count(&self) -> usize {
        self.dependencies.iter().map(|d| d.depends_on.len()).sum()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum SbomFormat {
    #[serde(rename = "CycloneDX")]
    CycloneDx,
    #[serde(rename = "SPDX")]
    Spdx,
}

impl std::fmt::Display for SbomFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SbomFormat::CycloneDx => "CycloneDX",
            SbomFormat::Spdx => "SPDX",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Encoding {
    Json,
    Xml,
    TagValue,
}

impl std::fmt::Display for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Encoding::Json => "json",
            Encoding::Xml => "xml",
            Encoding::TagValue => "tag-value",
        })
    }
}

/// The document exactly as read, kept for audit.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Original {
    /// Not serialised: `--format json` prints the model, not the input again.
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`, lowercase hex.
    pub sha256: String,
    pub size: usize,
}

impl std::fmt::Debug for Original {
    // The bytes can be hundreds of megabytes; a debug print shows the digest instead.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Original")
            .field("sha256", &self.sha256)
            .field("size", &self.size)
            .finish()
    }
}

/// Facts about the document and the product it describes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Metadata {
    /// When the document was made, as written (RFC 3339 in both formats).
    pub timestamp: Option<String>,
    /// Tools that made the document.
    pub tools: Vec<Tool>,
    /// Persons who wrote the document (CycloneDX `metadata.authors`, SPDX `Person:` creators).
    pub authors: Vec<Contact>,
    /// The subject: the product the SBOM describes (CycloneDX `metadata.component`, SPDX the
    /// package the document DESCRIBES, which also stays in [`Sbom::components`]).
    pub component: Option<Box<Component>>,
    pub supplier: Option<Organization>,
    /// CycloneDX 1.6 `metadata.manufacturer` (or 1.2–1.5 `metadata.manufacture`).
    pub manufacturer: Option<Organization>,
    /// Organisations that wrote the document (SPDX `Organization:` creators).
    pub organizations: Vec<Organization>,
    pub licences: Vec<Licence>,
    pub properties: Vec<Property>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Tool {
    pub vendor: Option<String>,
    pub name: Option<String>,
    pub version: Option<String>,
}

impl Tool {
    pub fn new(vendor: Option<String>, name: Option<String>, version: Option<String>) -> Self {
        Tool {
            vendor,
            name,
            version,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Organization {
    pub name: Option<String>,
    pub urls: Vec<String>,
    pub contacts: Vec<Contact>,
}

impl Organization {
    pub fn named(name: impl Into<String>) -> Self {
        Organization {
            name: Some(name.into()),
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Contact {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl Contact {
    pub fn new(name: Option<String>, email: Option<String>, phone: Option<String>) -> Self {
        Contact { name, email, phone }
    }
}

/// One component: a package, a firmware image, a file, a device.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Component {
    /// CycloneDX `bom-ref` or SPDX `SPDXID`: what dependencies refer to.
    pub bom_ref: Option<String>,
    pub kind: ComponentKind,
    pub name: String,
    /// CycloneDX `group` (Maven group id, npm scope, ...); SPDX has none.
    pub group: Option<String>,
    pub version: Option<String>,
    /// The package URL, parsed leniently. An unparseable one is left out and reported.
    pub purl: Option<Purl>,
    pub cpes: Vec<Cpe>,
    pub hashes: Vec<Hash>,
    pub supplier: Option<Organization>,
    /// CycloneDX `author` (1.2–1.6) or the names of `authors` (1.6).
    pub author: Option<String>,
    /// CycloneDX `publisher`, or SPDX `originator`.
    pub publisher: Option<String>,
    pub licences: Vec<Licence>,
    pub copyright: Option<String>,
    pub description: Option<String>,
    pub scope: Option<Scope>,
    /// Name–value pairs in document order; a name may repeat.
    pub properties: Vec<Property>,
    pub external_references: Vec<ExternalReference>,
    /// Index in [`Sbom::components`] of the component this one is nested in (CycloneDX).
    pub parent: Option<usize>,
}

impl Component {
    /// A component with only a kind and a name.
    pub fn new(kind: ComponentKind, name: impl Into<String>) -> Self {
        Component {
            bom_ref: None,
            kind,
            name: name.into(),
            group: None,
            version: None,
            purl: None,
            cpes: Vec::new(),
            hashes: Vec::new(),
            supplier: None,
            author: None,
            publisher: None,
            licences: Vec::new(),
            copyright: None,
            description: None,
            scope: None,
            properties: Vec::new(),
            external_references: Vec::new(),
            parent: None,
        }
    }

    /// The values of every property with this name, in document order.
    pub fn property_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.properties
            .iter()
            .filter(move |p| p.name == name)
            .filter_map(|p| p.value.as_deref())
    }
}

/// What a component is. CycloneDX `component.type` (1.6 §"Component Type", the `type` enum of
/// `bom-1.6.schema.json`) and SPDX 2.3 `primaryPackagePurpose` (§7.24) map onto it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ComponentKind {
    Application,
    Framework,
    Library,
    Container,
    Platform,
    OperatingSystem,
    Device,
    DeviceDriver,
    Firmware,
    File,
    MachineLearningModel,
    Data,
    CryptographicAsset,
    /// SPDX `SOURCE`.
    Source,
    /// SPDX `ARCHIVE`.
    Archive,
    /// SPDX `INSTALL`.
    Install,
    /// SPDX `OTHER`.
    Other,
    /// SPDX packages without `primaryPackagePurpose` (it is optional, and absent in 2.2).
    Unspecified,
}

impl ComponentKind {
    /// The CycloneDX spelling, or for SPDX-only kinds the kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Application => "application",
            ComponentKind::Framework => "framework",
            ComponentKind::Library => "library",
            ComponentKind::Container => "container",
            ComponentKind::Platform => "platform",
            ComponentKind::OperatingSystem => "operating-system",
            ComponentKind::Device => "device",
            ComponentKind::DeviceDriver => "device-driver",
            ComponentKind::Firmware => "firmware",
            ComponentKind::File => "file",
            ComponentKind::MachineLearningModel => "machine-learning-model",
            ComponentKind::Data => "data",
            ComponentKind::CryptographicAsset => "cryptographic-asset",
            ComponentKind::Source => "source",
            ComponentKind::Archive => "archive",
            ComponentKind::Install => "install",
            ComponentKind::Other => "other",
            ComponentKind::Unspecified => "unspecified",
        }
    }
}

impl std::fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// CycloneDX `component.scope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Scope {
    Required,
    Optional,
    Excluded,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Required => "required",
            Scope::Optional => "optional",
            Scope::Excluded => "excluded",
        }
    }
}

/// A digest of the component's artefact.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Hash {
    /// In the CycloneDX spelling (`SHA-256`, `SHA3-512`, `BLAKE2b-256`, ...); SPDX names
    /// (`SHA256`) are mapped onto it so both formats compare.
    pub alg: String,
    /// The digest as given (hex).
    pub value: String,
}

/// A licence as the document gives it: an SPDX id, a free-text name, or an SPDX expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct Licence {
    pub kind: LicenceKind,
    pub value: String,
    /// CycloneDX 1.6 `acknowledgement`, or for SPDX which field it came from: `declared` or
    /// `concluded`.
    pub acknowledgement: Option<String>,
}

impl Licence {
    pub fn new(
        kind: LicenceKind,
        value: impl Into<String>,
        acknowledgement: Option<String>,
    ) -> Self {
        Licence {
            kind,
            value: value.into(),
            acknowledgement,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum LicenceKind {
    /// An SPDX licence identifier.
    Id,
    /// A licence name that is not an SPDX identifier.
    Name,
    /// An SPDX licence expression.
    Expression,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Property {
    pub name: String,
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct ExternalReference {
    /// CycloneDX `type` (`vcs`, `website`, `advisories`, ...) or SPDX `referenceType`.
    pub kind: String,
    /// CycloneDX `url` or SPDX `referenceLocator`.
    pub url: String,
    pub comment: Option<String>,
}

impl ExternalReference {
    pub fn new(kind: impl Into<String>, url: impl Into<String>, comment: Option<String>) -> Self {
        ExternalReference {
            kind: kind.into(),
            url: url.into(),
            comment,
        }
    }
}

/// One node of the dependency graph and its direct dependencies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dependency {
    #[serde(rename = "ref")]
    pub reference: String,
    pub depends_on: Vec<String>,
}
