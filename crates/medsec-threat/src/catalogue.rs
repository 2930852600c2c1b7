//! The threat rule catalogue: YAML files, one per area, each rule saying when it
//! applies to an element or a flow of the data-flow model, its STRIDE category, its
//! CAPEC and CWE references, the controls that answer it (with the requirement clauses
//! they satisfy) and a default exploitability profile for the FMEA.
//!
//! The built-in files under `rules/` are compiled in; a project adds its own with
//! [`Catalogue::load_dir`]. Every file is checked with [`Catalogue::validate`], which
//! collects all problems rather than stopping at the first.

use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use medsec_device::check::{FLOW_STRIDE, stride_per_element};
use medsec_device::model::{
    Authentication, ElementKind, Encryption, PhysicalAccess, Stride, TrustLevel,
    VocabularyExtension,
};
use medsec_device::vocabulary::VocabularyKind;
use serde::{Deserialize, Serialize};

/// The built-in rule files, by file name. Order does not matter: threats are sorted by
/// their ids.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    ("ble.yaml", include_str!("../rules/ble.yaml")),
    ("wifi.yaml", include_str!("../rules/wifi.yaml")),
    ("cellular.yaml", include_str!("../rules/cellular.yaml")),
    ("usb.yaml", include_str!("../rules/usb.yaml")),
    (
        "rf-telemetry.yaml",
        include_str!("../rules/rf-telemetry.yaml"),
    ),
    ("network.yaml", include_str!("../rules/network.yaml")),
    ("hl7.yaml", include_str!("../rules/hl7.yaml")),
    ("dicom.yaml", include_str!("../rules/dicom.yaml")),
    ("web-api.yaml", include_str!("../rules/web-api.yaml")),
    ("web-ui.yaml", include_str!("../rules/web-ui.yaml")),
    ("mobile-app.yaml", include_str!("../rules/mobile-app.yaml")),
    ("cloud.yaml", include_str!("../rules/cloud.yaml")),
    ("update.yaml", include_str!("../rules/update.yaml")),
    ("debug-port.yaml", include_str!("../rules/debug-port.yaml")),
    ("physical.yaml", include_str!("../rules/physical.yaml")),
    (
        "supply-chain.yaml",
        include_str!("../rules/supply-chain.yaml"),
    ),
    ("logging.yaml", include_str!("../rules/logging.yaml")),
    ("time.yaml", include_str!("../rules/time.yaml")),
    ("data-store.yaml", include_str!("../rules/data-store.yaml")),
    (
        "remote-access.yaml",
        include_str!("../rules/remote-access.yaml"),
    ),
    ("platform.yaml", include_str!("../rules/platform.yaml")),
    ("generic.yaml", include_str!("../rules/generic.yaml")),
];

/// One rule file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// Short name of the area the rules cover (`ble`, `hl7`, …).
    pub area: String,
    #[serde(default)]
    pub description: Option<String>,
    pub rules: Vec<Rule>,
}

/// A threat rule.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable id: `AREA-S-NNN` where the middle letter is the STRIDE category.
    pub id: String,
    pub title: String,
    pub stride: Stride,
    /// What the rule is evaluated on.
    pub target: TargetKind,
    /// Conditions; all that are given must hold. A list holds when any of its entries does.
    #[serde(default)]
    pub when: When,
    /// A fallback rule fires on a target only when no specific rule of the same STRIDE
    /// category fired there. Generic STRIDE-per-element rules are fallbacks, so every
    /// target is considered for every category that applies to it without repeating
    /// what a specific rule already says.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fallback: bool,
    /// What can go wrong, in our own words.
    pub description: String,
    #[serde(default)]
    pub capec: Vec<String>,
    #[serde(default)]
    pub cwe: Vec<String>,
    #[serde(default)]
    pub controls: Vec<SuggestedControl>,
    pub exploitability: Profile,
    /// 1 (an attack would almost certainly be noticed) to 5 (it would go unnoticed).
    /// Without it the policy's default for the STRIDE category applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detectability: Option<u8>,
    /// Where the rule comes from: incidents, advisories, peer catalogues (by id).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// The file the rule was read from (set on loading).
    #[serde(skip_deserializing, default)]
    pub file: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// A process, data store or external entity.
    Element,
    /// Any data flow.
    Flow,
    /// A data flow whose ends sit in different trust zones (STRIDE per interaction).
    CrossingFlow,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Element => "element",
            TargetKind::Flow => "flow",
            TargetKind::CrossingFlow => "crossing-flow",
        }
    }
}

/// A control that answers the threat, with the requirement clauses it satisfies
/// (ids from [`crate::requirements`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuggestedControl {
    pub control: String,
    #[serde(default)]
    pub satisfies: Vec<String>,
}

/// Conditions of a rule.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// Element rules: the element's kind. Flow rules: see `from_kinds` and `to_kinds`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<ElementKind>,
    /// Element rules: a technology of the element. Flow rules: a technology of either end.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub technologies: Vec<String>,
    /// Flow rules: a technology of the receiving end (`to`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to_technologies: Vec<String>,
    /// Flow rules: the flow's protocol.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub protocols: Vec<String>,
    /// Flow rules: the flow's authentication scheme.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authentication: Vec<Authentication>,
    /// Flow rules: the flow's encryption.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub encryption: Vec<Encryption>,
    /// Flow rules: every flag must hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
    /// Flow rules: kind of the sending end.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from_kinds: Vec<ElementKind>,
    /// Flow rules: kind of the receiving end.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to_kinds: Vec<ElementKind>,
    /// Element rules: trust of the element's zone. Flow rules: trust of the less
    /// trusted end's zone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zone_trust: Vec<TrustLevel>,
    /// Element rules: who can touch the element. Flow rules: who can touch either end.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub physical_access: Vec<PhysicalAccess>,
    /// Element rules: the element is (or is not) a person. Flow rules: either end is
    /// (or neither end is) a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub human: Option<bool>,
    /// Flow rules: the flow crosses (or stays within) a trust zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crosses_boundary: Option<bool>,
    /// A functionality of the device as a whole.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functionalities: Vec<String>,
    /// A technology of the device as a whole (device-level or any element's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub device_technologies: Vec<String>,
    /// A product category of the device.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
}

/// Facts about a flow that rules test by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flag {
    /// `authentication: none`.
    Unauthenticated,
    /// Authentication that an attacker can commonly defeat or that is shared: BLE Just
    /// Works, a short PIN, a static API key, a password, a pre-shared key, a vendor scheme.
    WeakAuthentication,
    /// Any other authentication scheme.
    StrongAuthentication,
    /// `encryption: none`.
    Unencrypted,
    /// Encryption with known weaknesses or unargued strength: legacy TLS/SSL, BLE legacy
    /// pairing, WPA2 with a shared passphrase, a vendor scheme.
    WeakEncryption,
    /// Any other encryption.
    StrongEncryption,
    /// Data reaches a zone more trusted than the one it comes from (either way for a
    /// bidirectional flow).
    Inbound,
    Bidirectional,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Unauthenticated => "unauthenticated",
            Flag::WeakAuthentication => "weak-authentication",
            Flag::StrongAuthentication => "strong-authentication",
            Flag::Unencrypted => "unencrypted",
            Flag::WeakEncryption => "weak-encryption",
            Flag::StrongEncryption => "strong-encryption",
            Flag::Inbound => "inbound",
            Flag::Bidirectional => "bidirectional",
        }
    }
}

/// How strong a flow's authentication is, for [`Flag`]s. The classes are medsec's
/// reading of the scheme names in the device format (see `model.rs`).
pub fn authentication_class(auth: Authentication) -> Strength {
    use Authentication::*;
    match auth {
        None => Strength::Absent,
        BleJustWorks | Pin | ApiKey | Password | PreSharedKey | Proprietary => Strength::Weak,
        BearerToken | Oauth2 | MutualTls | ServerCertificate | BlePasskey
        | BleNumericComparison | BleOutOfBand | PhysicalPresence | OperatingSystem => {
            Strength::Strong
        }
    }
}

/// How strong a flow's encryption is, for [`Flag`]s.
pub fn encryption_class(enc: Encryption) -> Strength {
    use Encryption::*;
    match enc {
        None => Strength::Absent,
        TlsLegacy | BleLegacyPairing | Wpa2Personal | Proprietary => Strength::Weak,
        Tls12 | Tls13 | Dtls | BleSecureConnections | WpaEnterprise | Wpa3Personal | Vpn | Ssh
        | ApplicationLayer => Strength::Strong,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    Absent,
    Weak,
    Strong,
}

/// The default exploitability of a threat, in CVSS v3.1 exploitability terms (FIRST,
/// CVSS v3.1 specification §2.1). The FMEA turns it into a level with the policy.
/// Written in rule files as a vector, `AV:A/AC:L/PR:N/UI:N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Profile {
    pub attack_vector: AttackVector,
    pub attack_complexity: AttackComplexity,
    pub privileges_required: PrivilegesRequired,
    pub user_interaction: UserInteraction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttackVector {
    Network,
    Adjacent,
    Local,
    Physical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttackComplexity {
    Low,
    High,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrivilegesRequired {
    None,
    Low,
    High,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UserInteraction {
    None,
    Required,
}

impl TryFrom<String> for Profile {
    type Error = String;

    fn try_from(text: String) -> Result<Profile, String> {
        let (mut av, mut ac, mut pr, mut ui) = (None, None, None, None);
        for part in text.split('/') {
            let slot_filled = match part {
                "AV:N" => av.replace(AttackVector::Network).is_some(),
                "AV:A" => av.replace(AttackVector::Adjacent).is_some(),
                "AV:L" => av.replace(AttackVector::Local).is_some(),
                "AV:P" => av.replace(AttackVector::Physical).is_some(),
                "AC:L" => ac.replace(AttackComplexity::Low).is_some(),
                "AC:H" => ac.replace(AttackComplexity::High).is_some(),
                "PR:N" => pr.replace(PrivilegesRequired::None).is_some(),
                "PR:L" => pr.replace(PrivilegesRequired::Low).is_some(),
                "PR:H" => pr.replace(PrivilegesRequired::High).is_some(),
                "UI:N" => ui.replace(UserInteraction::None).is_some(),
                "UI:R" => ui.replace(UserInteraction::Required).is_some(),
                other => {
                    return Err(format!(
                        "'{other}' is not AV, AC, PR or UI with a CVSS v3.1 value"
                    ));
                }
            };
            if slot_filled {
                return Err(format!("'{part}' repeats a metric"));
            }
        }
        match (av, ac, pr, ui) {
            (
                Some(attack_vector),
                Some(attack_complexity),
                Some(privileges_required),
                Some(user_interaction),
            ) => Ok(Profile {
                attack_vector,
                attack_complexity,
                privileges_required,
                user_interaction,
            }),
            _ => Err(format!(
                "'{text}' must give AV, AC, PR and UI, e.g. AV:A/AC:L/PR:N/UI:N"
            )),
        }
    }
}

impl From<Profile> for String {
    fn from(p: Profile) -> String {
        let av = match p.attack_vector {
            AttackVector::Network => 'N',
            AttackVector::Adjacent => 'A',
            AttackVector::Local => 'L',
            AttackVector::Physical => 'P',
        };
        let ac = match p.attack_complexity {
            AttackComplexity::Low => 'L',
            AttackComplexity::High => 'H',
        };
        let pr = match p.privileges_required {
            PrivilegesRequired::None => 'N',
            PrivilegesRequired::Low => 'L',
            PrivilegesRequired::High => 'H',
        };
        let ui = match p.user_interaction {
            UserInteraction::None => 'N',
            UserInteraction::Required => 'R',
        };
        format!("AV:{av}/AC:{ac}/PR:{pr}/UI:{ui}")
    }
}

impl AttackVector {
    pub fn as_str(self) -> &'static str {
        match self {
            AttackVector::Network => "network",
            AttackVector::Adjacent => "adjacent",
            AttackVector::Local => "local",
            AttackVector::Physical => "physical",
        }
    }
}

/// The rules in force for one run: built-in plus project files.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub rules: Vec<Rule>,
    /// `(file, area)` of every file read.
    pub files: Vec<(String, String)>,
}

/// A rule file that could not be read, or rules that break the catalogue's rules.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogueError {
    #[error("cannot read rule file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("rule file {file} is not valid: {message}")]
    Syntax { file: String, message: String },
    #[error("{} problem(s) in the threat rules:\n{}", problems.len(), ProblemList(problems))]
    Invalid { problems: Vec<Problem> },
}

struct ProblemList<'a>(&'a [Problem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for problem in self.0 {
            writeln!(f, "  {problem}")?;
        }
        Ok(())
    }
}

/// One problem found by [`Catalogue::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub rule: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rule {
            Some(rule) => write!(f, "{} {}: {}", self.file, rule, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Rule files larger than this are refused (the built-in files together are ~200 KB).
pub const MAX_RULE_FILE_BYTES: u64 = 4 * 1024 * 1024;

impl Catalogue {
    /// The built-in catalogue. It is validated by the crate's tests, so a failure here
    /// is a bug in medsec.
    pub fn builtin() -> Result<Catalogue, CatalogueError> {
        let mut catalogue = Catalogue {
            rules: Vec::new(),
            files: Vec::new(),
        };
        for (name, text) in BUILTIN_FILES {
            catalogue.add_text(&format!("builtin:{name}"), text)?;
        }
        Ok(catalogue)
    }

    /// Parse one rule file's text and add its rules.
    pub fn add_text(&mut self, file: &str, text: &str) -> Result<(), CatalogueError> {
        let parsed: RuleFile =
            serde_saphyr::from_str(text).map_err(|e| CatalogueError::Syntax {
                file: file.to_owned(),
                message: e.to_string(),
            })?;
        self.files.push((file.to_owned(), parsed.area.clone()));
        self.rules.extend(parsed.rules.into_iter().map(|mut rule| {
            rule.file = file.to_owned();
            rule
        }));
        Ok(())
    }

    /// Add every `*.yaml` / `*.yml` file of a folder (not recursive), in name order.
    pub fn load_dir(&mut self, dir: &Path) -> Result<(), CatalogueError> {
        let io = |source| CatalogueError::Io {
            path: dir.to_owned(),
            source,
        };
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && p.extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e == "yml")
            })
            .collect();
        paths.sort();
        for path in paths {
            let io = |source| CatalogueError::Io {
                path: path.clone(),
                source,
            };
            let size = std::fs::metadata(&path).map_err(io)?.len();
            if size > MAX_RULE_FILE_BYTES {
                return Err(CatalogueError::Syntax {
                    file: path.display().to_string(),
                    message: format!("file is larger than {MAX_RULE_FILE_BYTES} bytes"),
                });
            }
            let text = std::fs::read_to_string(&path).map_err(io)?;
            self.add_text(&path.display().to_string(), &text)?;
        }
        Ok(())
    }

    /// Check every rule; `extension` is the device's vocabulary additions, which project
    /// rules may use. Returns every problem found.
    pub fn validate(&self, extension: Option<&VocabularyExtension>) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        let known = |kind: VocabularyKind, id: &str| {
            kind.builtin().iter().any(|t| t.id == id)
                || extension.is_some_and(|ext| {
                    let list = match kind {
                        VocabularyKind::Categories => &ext.categories,
                        VocabularyKind::Functionalities => &ext.functionalities,
                        VocabularyKind::Technologies => &ext.technologies,
                        VocabularyKind::Protocols => &ext.protocols,
                    };
                    list.iter().any(|e| e.id == id)
                })
        };
        for rule in &self.rules {
            let mut problem = |message: String| {
                problems.push(Problem {
                    file: rule.file.clone(),
                    rule: Some(rule.id.clone()),
                    message,
                })
            };
            if !seen.insert(rule.id.as_str()) {
                problem("the id is used by another rule".into());
            }
            if !valid_rule_id(&rule.id, rule.stride) {
                problem(format!(
                    "the id must read AREA-{}-NNN (upper-case area, the STRIDE letter, three digits)",
                    stride_letter(rule.stride)
                ));
            }
            if rule.title.trim().is_empty() || rule.description.trim().is_empty() {
                problem("title and description must not be empty".into());
            }
            for id in &rule.capec {
                if !valid_ref(id, "CAPEC-") {
                    problem(format!("'{id}' is not a CAPEC id (CAPEC-<number>)"));
                }
            }
            for id in &rule.cwe {
                if !valid_ref(id, "CWE-") {
                    problem(format!("'{id}' is not a CWE id (CWE-<number>)"));
                }
            }
            if rule.controls.is_empty() {
                problem("no suggested control".into());
            }
            for control in &rule.controls {
                if control.satisfies.is_empty() {
                    problem(format!(
                        "control '{}' names no requirement clause",
                        control.control
                    ));
                }
                for clause in &control.satisfies {
                    if !crate::requirements::is_known(clause) {
                        problem(format!("unknown requirement clause '{clause}'"));
                    }
                }
            }
            if let Some(d) = rule.detectability
                && !(1..=5).contains(&d)
            {
                problem(format!("detectability {d} is outside 1..=5"));
            }
            let w = &rule.when;
            for (kind, list) in [
                (VocabularyKind::Technologies, &w.technologies),
                (VocabularyKind::Technologies, &w.to_technologies),
                (VocabularyKind::Technologies, &w.device_technologies),
                (VocabularyKind::Protocols, &w.protocols),
                (VocabularyKind::Functionalities, &w.functionalities),
                (VocabularyKind::Categories, &w.categories),
            ] {
                for id in list {
                    if !known(kind, id) {
                        problem(format!("unknown {} '{id}'", kind.singular()));
                    }
                }
            }
            match rule.target {
                TargetKind::Element => {
                    let flow_only = !w.to_technologies.is_empty()
                        || !w.protocols.is_empty()
                        || !w.authentication.is_empty()
                        || !w.encryption.is_empty()
                        || !w.flags.is_empty()
                        || !w.from_kinds.is_empty()
                        || !w.to_kinds.is_empty()
                        || w.crosses_boundary.is_some();
                    if flow_only {
                        problem("an element rule uses a flow condition".into());
                    }
                    let kinds: Vec<ElementKind> = if w.kinds.is_empty() {
                        vec![
                            ElementKind::Process,
                            ElementKind::DataStore,
                            ElementKind::ExternalEntity,
                        ]
                    } else {
                        w.kinds.clone()
                    };
                    if !kinds
                        .iter()
                        .any(|k| stride_per_element(*k).contains(&rule.stride))
                    {
                        problem(format!(
                            "{} applies to none of the element kinds it names (STRIDE per element)",
                            rule.stride.as_str()
                        ));
                    }
                }
                TargetKind::Flow | TargetKind::CrossingFlow => {
                    if !w.kinds.is_empty() {
                        problem("a flow rule uses `kinds`; use `from_kinds` or `to_kinds`".into());
                    }
                    let allowed = flow_stride(rule.target);
                    if !allowed.contains(&rule.stride) {
                        problem(format!(
                            "{} does not apply to {} targets (allowed: {})",
                            rule.stride.as_str(),
                            rule.target.as_str(),
                            allowed
                                .iter()
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                    }
                    if rule.target == TargetKind::CrossingFlow && w.crosses_boundary == Some(false)
                    {
                        problem(
                            "a crossing-flow rule cannot require `crosses_boundary: false`".into(),
                        );
                    }
                    let flags: BTreeSet<Flag> = w.flags.iter().copied().collect();
                    let contradictory = [
                        [Flag::Unauthenticated, Flag::WeakAuthentication],
                        [Flag::Unauthenticated, Flag::StrongAuthentication],
                        [Flag::WeakAuthentication, Flag::StrongAuthentication],
                        [Flag::Unencrypted, Flag::WeakEncryption],
                        [Flag::Unencrypted, Flag::StrongEncryption],
                        [Flag::WeakEncryption, Flag::StrongEncryption],
                    ];
                    for pair in contradictory {
                        if pair.iter().all(|f| flags.contains(f)) {
                            problem(format!(
                                "flags {} and {} can never hold together",
                                pair[0].as_str(),
                                pair[1].as_str()
                            ));
                        }
                    }
                }
            }
        }
        problems
    }
}

impl PartialOrd for Flag {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Flag {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

/// STRIDE categories for flow targets: tampering, information disclosure and denial of
/// service for every flow (STRIDE per element, [`FLOW_STRIDE`]); a flow that crosses a
/// trust boundary is also an interaction whose source can be spoofed (STRIDE per
/// interaction, Microsoft Threat Modeling Tool practice).
pub fn flow_stride(target: TargetKind) -> &'static [Stride] {
    const CROSSING: &[Stride] = &[
        Stride::Spoofing,
        Stride::Tampering,
        Stride::InformationDisclosure,
        Stride::DenialOfService,
    ];
    match target {
        TargetKind::CrossingFlow => CROSSING,
        _ => FLOW_STRIDE,
    }
}

pub fn stride_letter(stride: Stride) -> char {
    match stride {
        Stride::Spoofing => 'S',
        Stride::Tampering => 'T',
        Stride::Repudiation => 'R',
        Stride::InformationDisclosure => 'I',
        Stride::DenialOfService => 'D',
        Stride::ElevationOfPrivilege => 'E',
    }
}

fn valid_rule_id(id: &str, stride: Stride) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    let [area @ .., letter, number] = parts.as_slice() else {
        return false;
    };
    !area.is_empty()
        && area.iter().all(|a| {
            !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        })
        && *letter == stride_letter(stride).to_string()
        && number.len() == 3
        && number.chars().all(|c| c.is_ascii_digit())
}

fn valid_ref(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|n| {
        !n.is_empty() && !n.starts_with('0') && n.chars().all(|c| c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids() {
        assert!(valid_rule_id("BLE-S-001", Stride::Spoofing));
        assert!(valid_rule_id("RF-TEL-T-010", Stride::Tampering));
        assert!(!valid_rule_id("BLE-T-001", Stride::Spoofing));
        assert!(!valid_rule_id("ble-S-001", Stride::Spoofing));
        assert!(!valid_rule_id("BLE-S-01", Stride::Spoofing));
        assert!(!valid_rule_id("S-001", Stride::Spoofing));
    }

    #[test]
    fn references() {
        assert!(valid_ref("CWE-319", "CWE-"));
        assert!(!valid_ref("CWE-", "CWE-"));
        assert!(!valid_ref("CWE-0319", "CWE-"));
        assert!(!valid_ref("CAPEC-12", "CWE-"));
    }
}
