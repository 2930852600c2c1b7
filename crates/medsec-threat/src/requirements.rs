//! The requirement clause ids a rule's suggested controls may cite.
//!
//! An id is `<framework>:<clause>`. Only clauses that our fact sheet
//! (`shared/research/frameworks.md`) confirms from a stored copy of the framework or its
//! table of contents are listed; titles are our own short paraphrases. The requirements
//! catalogue (issue 7) builds on these ids, so an id once published here keeps its
//! meaning.
//!
//! Sources, as tagged in the fact sheet: IEC 62443-4-2 CR numbers and titles [S12];
//! IEC 81001-5-1:2021 clause ids and titles [S11]; FDA premarket guidance "Cybersecurity
//! in Medical Devices" (2023, reissued 2025) §V and Appendix 1 control categories [S5];
//! ETSI EN 303 645 V2.1.1 provisions 5.1–5.13 [S15]; NIST CSF 2.0 category ids [S14];
//! IMDRF N60 §5.1 [S3]; MDCG 2019-16 rev.1 §3.3 Table 3 [S1].

/// `(id, short title)`, grouped by framework.
pub const CLAUSES: &[(&str, &str)] = &[
    // IEC 62443-4-2 (2019) component requirements. For CR 1.6, 1.13, 2.4, 2.13, 3.2,
    // 3.10–3.14, 5.2 and 5.3 the standard puts the requirement in the component-type
    // clauses (SAR/EDR/HDR/NDR) under the same number.
    (
        "iec62443-4-2:CR-1.1",
        "human user identification and authentication",
    ),
    (
        "iec62443-4-2:CR-1.2",
        "software process and device identification and authentication",
    ),
    ("iec62443-4-2:CR-1.3", "account management"),
    ("iec62443-4-2:CR-1.5", "authenticator management"),
    ("iec62443-4-2:CR-1.6", "wireless access management"),
    (
        "iec62443-4-2:CR-1.7",
        "strength of password-based authentication",
    ),
    (
        "iec62443-4-2:CR-1.8",
        "public key infrastructure certificates",
    ),
    (
        "iec62443-4-2:CR-1.9",
        "strength of public key-based authentication",
    ),
    ("iec62443-4-2:CR-1.11", "unsuccessful login attempts"),
    ("iec62443-4-2:CR-1.13", "access via untrusted networks"),
    (
        "iec62443-4-2:CR-1.14",
        "strength of symmetric key-based authentication",
    ),
    ("iec62443-4-2:CR-2.1", "authorization enforcement"),
    ("iec62443-4-2:CR-2.2", "wireless use control"),
    ("iec62443-4-2:CR-2.5", "session lock"),
    ("iec62443-4-2:CR-2.6", "remote session termination"),
    ("iec62443-4-2:CR-2.8", "auditable events"),
    ("iec62443-4-2:CR-2.9", "audit storage capacity"),
    (
        "iec62443-4-2:CR-2.10",
        "response to audit processing failures",
    ),
    ("iec62443-4-2:CR-2.11", "timestamps"),
    ("iec62443-4-2:CR-2.12", "non-repudiation"),
    (
        "iec62443-4-2:CR-2.13",
        "use of physical diagnostic and test interfaces",
    ),
    ("iec62443-4-2:CR-3.1", "communication integrity"),
    ("iec62443-4-2:CR-3.2", "protection from malicious code"),
    ("iec62443-4-2:CR-3.4", "software and information integrity"),
    ("iec62443-4-2:CR-3.5", "input validation"),
    ("iec62443-4-2:CR-3.6", "deterministic output"),
    ("iec62443-4-2:CR-3.7", "error handling"),
    ("iec62443-4-2:CR-3.8", "session integrity"),
    ("iec62443-4-2:CR-3.9", "protection of audit information"),
    ("iec62443-4-2:CR-3.10", "support for updates"),
    (
        "iec62443-4-2:CR-3.11",
        "physical tamper resistance and detection",
    ),
    (
        "iec62443-4-2:CR-3.12",
        "provisioning product supplier roots of trust",
    ),
    ("iec62443-4-2:CR-3.14", "integrity of the boot process"),
    ("iec62443-4-2:CR-4.1", "information confidentiality"),
    ("iec62443-4-2:CR-4.2", "information persistence"),
    ("iec62443-4-2:CR-4.3", "use of cryptography"),
    ("iec62443-4-2:CR-5.1", "network segmentation"),
    ("iec62443-4-2:CR-5.2", "zone boundary protection"),
    ("iec62443-4-2:CR-6.1", "audit log accessibility"),
    ("iec62443-4-2:CR-6.2", "continuous monitoring"),
    ("iec62443-4-2:CR-7.1", "denial of service protection"),
    ("iec62443-4-2:CR-7.2", "resource management"),
    ("iec62443-4-2:CR-7.3", "control system backup"),
    (
        "iec62443-4-2:CR-7.4",
        "control system recovery and reconstitution",
    ),
    (
        "iec62443-4-2:CR-7.6",
        "network and security configuration settings",
    ),
    ("iec62443-4-2:CR-7.7", "least functionality"),
    ("iec62443-4-2:CR-7.8", "control system component inventory"),
    // IEC 81001-5-1:2021.
    (
        "iec81001-5-1:4.1.5",
        "software items from third-party suppliers",
    ),
    ("iec81001-5-1:5.1.2", "development environment security"),
    (
        "iec81001-5-1:5.3.1",
        "defense-in-depth architecture and design",
    ),
    ("iec81001-5-1:5.3.2", "secure design best practices"),
    ("iec81001-5-1:5.4.3", "secure health software interfaces"),
    ("iec81001-5-1:5.7.3", "vulnerability testing"),
    ("iec81001-5-1:5.8.3", "file integrity"),
    ("iec81001-5-1:5.8.4", "controls for private keys"),
    ("iec81001-5-1:5.8.7", "secure decommissioning guidelines"),
    ("iec81001-5-1:6.1.1", "timely delivery of security updates"),
    ("iec81001-5-1:6.2.1", "monitoring public incident reports"),
    (
        "iec81001-5-1:6.3.3",
        "maintained software security update integrity",
    ),
    // FDA premarket guidance, Appendix 1 security control categories and §V.
    (
        "fda-premarket-2023:App1-Authentication",
        "authentication controls",
    ),
    (
        "fda-premarket-2023:App1-Authorization",
        "authorization controls",
    ),
    (
        "fda-premarket-2023:App1-Cryptography",
        "cryptography controls",
    ),
    (
        "fda-premarket-2023:App1-Integrity",
        "code, data and execution integrity controls",
    ),
    (
        "fda-premarket-2023:App1-Confidentiality",
        "confidentiality controls",
    ),
    (
        "fda-premarket-2023:App1-Logging",
        "event detection and logging controls",
    ),
    (
        "fda-premarket-2023:App1-Resiliency",
        "resiliency and recovery controls",
    ),
    (
        "fda-premarket-2023:App1-Updates",
        "firmware and software update controls",
    ),
    (
        "fda-premarket-2023:V.A.4",
        "third-party software components",
    ),
    ("fda-premarket-2023:V.B.2", "security architecture views"),
    // ETSI EN 303 645 V2.1.1 provisions.
    ("en303645:5.1", "no universal default passwords"),
    ("en303645:5.3", "keep software updated"),
    (
        "en303645:5.4",
        "securely store sensitive security parameters",
    ),
    ("en303645:5.5", "communicate securely"),
    ("en303645:5.6", "minimize exposed attack surfaces"),
    ("en303645:5.7", "ensure software integrity"),
    ("en303645:5.8", "ensure that personal data is secure"),
    ("en303645:5.9", "make systems resilient to outages"),
    ("en303645:5.13", "validate input data"),
    // NIST CSF 2.0 categories.
    (
        "nist-csf-2.0:PR.AA",
        "identity management, authentication and access control",
    ),
    ("nist-csf-2.0:PR.DS", "data security"),
    ("nist-csf-2.0:PR.PS", "platform security"),
    ("nist-csf-2.0:PR.IR", "technology infrastructure resilience"),
    ("nist-csf-2.0:DE.CM", "continuous monitoring"),
    (
        "nist-csf-2.0:GV.SC",
        "cybersecurity supply chain risk management",
    ),
    // IMDRF N60 and MDCG 2019-16.
    (
        "imdrf-n60:5.1",
        "security requirements and architecture design principles",
    ),
    ("mdcg-2019-16:3.3", "security capabilities (Table 3)"),
];

/// Whether a clause id is one medsec knows.
pub fn is_known(id: &str) -> bool {
    CLAUSES.iter().any(|(known, _)| *known == id)
}

/// The short title of a clause id.
pub fn title(id: &str) -> Option<&'static str> {
    CLAUSES
        .iter()
        .find(|(known, _)| *known == id)
        .map(|(_, title)| *title)
}
