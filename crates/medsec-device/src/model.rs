//! The device description as typed data: what a `device.yaml` says once it has been
//! checked. The JSON Schema that editors use is generated from these types, so the
//! schema and the reader cannot drift apart. Doc comments become schema descriptions.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One version of one medical device: its identity, what it does, what it protects,
/// how data flows between its parts, and the controls already in place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "medsec device description")]
pub struct Device {
    /// Version of the device description format. Always 1 for now.
    pub medsec: u32,
    /// Who makes the device, what it is and where it is sold.
    pub device: Identity,
    /// Project-specific additions to the controlled vocabularies (technologies,
    /// functionalities, protocols, product categories).
    #[serde(default, skip_serializing_if = "VocabularyExtension::is_empty")]
    pub vocabulary: VocabularyExtension,
    /// What the device does, from the functionality vocabulary (`medsec vocabulary functionalities`).
    #[serde(default)]
    pub functionalities: Vec<String>,
    /// Technologies of the device as a whole, from the technology vocabulary. The
    /// technologies of its elements are added to these.
    #[serde(default)]
    pub technologies: Vec<String>,
    /// Data and functions that need protecting, with the harm their loss causes.
    #[serde(default)]
    pub assets: Vec<Asset>,
    /// Trust zones; a zone may sit inside another (`parent`).
    #[serde(default)]
    pub trust_zones: Vec<TrustZone>,
    /// Named trust boundaries between two zones. Boundaries crossed by flows are found
    /// without this list; naming one gives it an id and a description for reports.
    #[serde(default)]
    pub boundaries: Vec<Boundary>,
    /// The data-flow model's nodes: processes, data stores and external entities.
    #[serde(default)]
    pub elements: Vec<Element>,
    /// The data-flow model's edges.
    #[serde(default)]
    pub flows: Vec<Flow>,
    /// Security controls already in place and what each mitigates.
    #[serde(default)]
    pub controls: Vec<Control>,
}

/// Identity of the device version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// Trade name of the device.
    pub name: String,
    /// Legal manufacturer.
    pub manufacturer: String,
    /// Version of the device (hardware and software release) this file describes.
    /// Quote it in YAML (`"2.10"`), or it may be read as a number.
    pub version: String,
    /// Device identifier part of the Unique Device Identifier (UDI-DI), if assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub udi_di: Option<String>,
    /// The intended use / intended purpose as in the labelling.
    pub intended_use: String,
    /// Product categories, from the category vocabulary (`medsec vocabulary categories`).
    pub categories: Vec<String>,
    /// Markets where the device is placed, with its regulatory class in each.
    pub markets: Vec<Market>,
    /// The security level (1–4) the device's capabilities are designed to meet, in the
    /// sense of IEC 62443-4-2 and IEC TR 60601-4-5 (SL-C). Requirements that apply only
    /// from a level on use it; without it the test policy's default for the device's
    /// risk class is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 4))]
    pub security_level: Option<u8>,
}

/// A market and the device's regulatory class there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Market {
    /// The regulatory regime.
    pub market: MarketId,
    /// The class under that regime: EU MDR I, IIa, IIb, III; EU IVDR A, B, C, D;
    /// FDA I, II, III; Health Canada I, II, III, IV.
    pub class: String,
}

/// Regulatory regimes whose classes medsec knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MarketId {
    /// European Union, Regulation (EU) 2017/745 (MDR).
    EuMdr,
    /// European Union, Regulation (EU) 2017/746 (IVDR).
    EuIvdr,
    /// United States, FDA device classes (21 CFR 860).
    Fda,
    /// Canada, Medical Devices Regulations (SOR/98-282).
    HealthCanada,
}

impl MarketId {
    pub fn as_str(self) -> &'static str {
        match self {
            MarketId::EuMdr => "eu-mdr",
            MarketId::EuIvdr => "eu-ivdr",
            MarketId::Fda => "fda",
            MarketId::HealthCanada => "health-canada",
        }
    }

    /// Classes each regime defines, lowest risk first. Sources: MDR Art. 51 and
    /// Annex VIII; IVDR Art. 47 and Annex VIII; 21 CFR 860.3(c); SOR/98-282 s. 6.
    pub fn classes(self) -> &'static [&'static str] {
        match self {
            MarketId::EuMdr => &["I", "IIa", "IIb", "III"],
            MarketId::EuIvdr => &["A", "B", "C", "D"],
            MarketId::Fda => &["I", "II", "III"],
            MarketId::HealthCanada => &["I", "II", "III", "IV"],
        }
    }
}

/// Project-specific vocabulary entries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VocabularyExtension {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub technologies: Vec<VocabularyEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functionalities: Vec<VocabularyEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub protocols: Vec<VocabularyEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<VocabularyEntry>,
}

impl VocabularyExtension {
    pub fn is_empty(&self) -> bool {
        self.technologies.is_empty()
            && self.functionalities.is_empty()
            && self.protocols.is_empty()
            && self.categories.is_empty()
    }
}

/// A term added to a vocabulary by the project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VocabularyEntry {
    /// Lower-case id, words joined by hyphens.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9.-]*$"))]
    pub id: String,
    /// What the term means.
    pub description: String,
}

/// Something of value: a kind of data or a function of the device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Asset {
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9.-]*$"))]
    pub id: String,
    pub name: String,
    pub kind: AssetKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What losing confidentiality means for the patient.
    pub confidentiality: SecurityNeed,
    /// What losing integrity means for the patient.
    pub integrity: SecurityNeed,
    /// What losing availability means for the patient.
    pub availability: SecurityNeed,
    /// The data classes of the FDA/MITRE CVSS rubric this asset belongs to. With them,
    /// `medsec rubric --device` can propose the confidentiality, integrity and
    /// availability answers for a vulnerability on an element holding the asset.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_classes: Vec<DataClass>,
}

/// The six kinds of data or function the FDA/MITRE rubric asks about for each of
/// confidentiality, integrity and availability (question ids XCP…XAO).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum DataClass {
    /// Protected health information or personally identifiable information.
    PhiPii,
    /// Data or functions used for diagnosis or monitoring.
    DiagnosisMonitoring,
    /// Data or functions that deliver therapy.
    TherapyDelivery,
    /// Data or functions of the clinical workflow.
    ClinicalWorkflow,
    /// Private system or system-user data: passwords, keys, certificates.
    SystemSecrets,
    /// Any other critical or sensitive data or function.
    OtherCritical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AssetKind {
    Data,
    Function,
}

/// The need to protect one property of an asset, and the harm if it is lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityNeed {
    pub need: NeedLevel,
    /// The harm to the patient (or user) if this property is lost. Required unless
    /// `need` is `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub harm: Option<String>,
    /// ISO 14971 severity of that harm. Required unless `need` is `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum NeedLevel {
    None,
    Low,
    Medium,
    High,
}

/// Severity of harm on a five-level qualitative scale, lowest first. The scale follows
/// the example of five severity levels that ISO 14971 has carried in its informative
/// annexes (ISO 14971:2007 Table D.3; ISO/TR 24971:2020 clause 5.5). A project may map
/// its own scale onto these levels.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Inconvenience or temporary discomfort.
    Negligible,
    /// Temporary injury or impairment not requiring professional medical intervention.
    Minor,
    /// Injury or impairment requiring professional medical intervention.
    Serious,
    /// Permanent impairment or life-threatening injury.
    Critical,
    /// Results in patient death.
    Catastrophic,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Negligible,
        Severity::Minor,
        Severity::Serious,
        Severity::Critical,
        Severity::Catastrophic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Negligible => "negligible",
            Severity::Minor => "minor",
            Severity::Serious => "serious",
            Severity::Critical => "critical",
            Severity::Catastrophic => "catastrophic",
        }
    }
}

/// A trust zone: a part of the system whose elements share one level of trust.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrustZone {
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9.-]*$"))]
    pub id: String,
    pub name: String,
    /// The zone this one sits inside, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub trust: TrustLevel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum TrustLevel {
    /// Anyone can reach it: the internet, a public radio channel.
    Untrusted,
    /// Reachable by people or systems the manufacturer does not control (a patient's
    /// phone, a hospital network).
    Low,
    /// Controlled by the manufacturer or an operator, but not hardened.
    Medium,
    /// Hardened and controlled: the device's own protected core.
    High,
}

/// A named trust boundary between two zones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Boundary {
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9.-]*$"))]
    pub id: String,
    pub name: String,
    /// The two zones it separates.
    #[schemars(length(min = 2, max = 2))]
    pub between: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A node of the data-flow model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Element {
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9.-]*$"))]
    pub id: String,
    pub name: String,
    pub kind: ElementKind,
    /// The trust zone it sits in.
    pub zone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Technologies this element uses, from the technology vocabulary.
    #[serde(default)]
    pub technologies: Vec<String>,
    /// Assets (ids) this element processes or stores.
    #[serde(default)]
    pub assets: Vec<String>,
    /// Who can touch it physically.
    #[serde(default)]
    pub physical_access: PhysicalAccess,
    /// True for a person (patient, clinician, technician) rather than a system.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub human: bool,
    /// The software it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software: Option<Software>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ElementKind {
    /// Code that runs: firmware, an application, a service.
    Process,
    /// Data at rest: a database, a file, flash memory, a log.
    DataStore,
    /// Outside the device's control: a person or a third-party system.
    ExternalEntity,
}

impl ElementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ElementKind::Process => "process",
            ElementKind::DataStore => "data-store",
            ElementKind::ExternalEntity => "external-entity",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PhysicalAccess {
    /// Not physically reachable (a cloud service, an implant's internals).
    #[default]
    None,
    /// Only trained staff in a controlled area.
    Restricted,
    /// The patient or a lay user at home.
    Patient,
    /// Anyone passing by.
    Public,
}

/// The software an element runs: an SBOM file or components listed inline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Software {
    /// Path of an SBOM (CycloneDX JSON/XML or SPDX JSON/tag-value), relative to the
    /// device file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sbom: Option<String>,
    /// Components listed here instead of (or besides) an SBOM.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<InlineComponent>,
}

/// A software component named inline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InlineComponent {
    pub name: String,
    pub version: String,
    /// Package URL, e.g. `pkg:generic/zlib@1.2.13`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// CPE 2.3 formatted string, e.g. `cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpe: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    /// SPDX licence expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
}

/// An edge of the data-flow model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9.-]*$"))]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Element the data comes from (or that opens the connection, if bidirectional).
    pub from: String,
    /// Element the data goes to.
    pub to: String,
    /// Protocol, from the protocol vocabulary (`medsec vocabulary protocols`).
    pub protocol: String,
    /// Assets (ids) the flow carries.
    #[serde(default)]
    pub data: Vec<String>,
    pub authentication: Authentication,
    pub encryption: Encryption,
    #[serde(default)]
    pub direction: Direction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Data moves from `from` to `to` only.
    #[default]
    OneWay,
    /// Data moves both ways.
    Bidirectional,
}

/// How the ends of a flow prove who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Authentication {
    /// Nobody is authenticated.
    None,
    /// A user name and password.
    Password,
    /// A short numeric PIN.
    Pin,
    /// A static API key or shared secret sent with requests.
    ApiKey,
    /// A bearer token (e.g. a JWT) issued by an identity provider.
    BearerToken,
    /// OAuth 2.0 / OpenID Connect.
    Oauth2,
    /// Both ends present X.509 certificates (mutual TLS).
    MutualTls,
    /// Only the server presents a certificate; the client is anonymous at this layer.
    ServerCertificate,
    /// A pre-shared symmetric key.
    PreSharedKey,
    /// Bluetooth LE pairing without MITM protection ("Just Works").
    BleJustWorks,
    /// Bluetooth LE passkey entry.
    BlePasskey,
    /// Bluetooth LE numeric comparison.
    BleNumericComparison,
    /// Bluetooth LE out-of-band pairing (e.g. NFC).
    BleOutOfBand,
    /// Physical presence (a magnet, a wand held on the skin, a button on the device).
    PhysicalPresence,
    /// The operating system's account of the logged-in user (local IPC, Windows login).
    OperatingSystem,
    /// A vendor scheme whose strength must be argued separately.
    Proprietary,
}

/// How a flow is protected in transit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Encryption {
    None,
    /// TLS 1.0 or 1.1, or SSL: deprecated.
    TlsLegacy,
    Tls12,
    Tls13,
    Dtls,
    /// Bluetooth LE legacy pairing (LE Legacy): key exchange known to be weak.
    BleLegacyPairing,
    /// Bluetooth LE Secure Connections (ECDH key exchange).
    BleSecureConnections,
    /// Wi-Fi WPA2 with a pre-shared key.
    Wpa2Personal,
    /// Wi-Fi WPA2/WPA3 with 802.1X.
    WpaEnterprise,
    Wpa3Personal,
    /// IPsec or another VPN tunnel.
    Vpn,
    /// SSH transport.
    Ssh,
    /// Payload encrypted by the application (e.g. AES-GCM) over a clear channel.
    ApplicationLayer,
    /// A vendor scheme whose strength must be argued separately.
    Proprietary,
}

/// A security control already in place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Control {
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9.-]*$"))]
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The elements or flows it protects and against which STRIDE categories.
    pub mitigates: Vec<Mitigation>,
    /// The harmonised controls of the requirements catalogue it puts in place
    /// (`HC-NN`, listed by `medsec controls`). Coverage counts a clause as partly
    /// covered once a control is declared, and covered when its tests pass.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub implements: Vec<String>,
}

/// One target of a control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mitigation {
    /// Id of an element or a flow.
    pub target: String,
    /// STRIDE categories it mitigates on that target.
    pub stride: Vec<Stride>,
}

/// The six STRIDE threat categories (Kohnfelder and Garg, Microsoft, 1999).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Stride {
    Spoofing,
    Tampering,
    Repudiation,
    InformationDisclosure,
    DenialOfService,
    ElevationOfPrivilege,
}

impl Stride {
    pub fn as_str(self) -> &'static str {
        match self {
            Stride::Spoofing => "spoofing",
            Stride::Tampering => "tampering",
            Stride::Repudiation => "repudiation",
            Stride::InformationDisclosure => "information-disclosure",
            Stride::DenialOfService => "denial-of-service",
            Stride::ElevationOfPrivilege => "elevation-of-privilege",
        }
    }
}
