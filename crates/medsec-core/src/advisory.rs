//! The format-independent advisory model, with one range model for every source.
//!
//! Readers in `medsec-formats` turn NVD CVE API 2.0, CVE JSON 5.x, OSV 1.x and CSAF 2.0
//! documents into [`Advisory`] values. Nothing here compares versions: this module only
//! represents, exactly, what each source says. The matcher (one place) evaluates ranges.
//!
//! # The range model
//!
//! A [`VersionRange`] is a list of [`RangeEvent`]s in one [`VersionScheme`]. Each event
//! says: from this [`Point`] upward, versions are in this [`RangeState`]. The evaluator
//! sorts the events by version in the range's scheme; a version takes the state of the
//! last event at or below it, and versions below every event are [`RangeState::Outside`].
//! This is the OSV evaluation rule (OSV 1.x, "Evaluation": the events are sorted and a
//! version is affected when the last event not above it is an `introduced`),
//! generalised to the states CVE JSON 5 can express (`changes[]` may switch a range to
//! `unaffected` or `unknown` and back). When two events sit at the same point, the later
//! one in the list wins.
//!
//! | source | wire data | events / other fields |
//! |---|---|---|
//! | NVD 2.0 `cpeMatch` | `versionStartIncluding: V` | `At(V) → Affected` |
//! | | `versionStartExcluding: V` | `After(V) → Affected` |
//! | | no start bound, but an end bound | `Earliest → Affected` |
//! | | `versionEndExcluding: V` | `At(V) → Outside` |
//! | | `versionEndIncluding: V` | `After(V) → Outside` |
//! | | no bounds, criterion version `*` | `Earliest → Affected` (every version) |
//! | | no bounds, criterion version V (incl. `-`) | `Affected::versions = [V]`, no range |
//! | | scheme | [`VersionScheme::Generic`] (NVD states none) |
//! | CVE 5 `versions[]` | `{version: V, status: S}` without `lessThan*` | `Affected::versions = [V]` in the [`Affected`] of status S |
//! | | `{version: V, lessThan: L, status: S}` | `At(V) → S`, `At(L) → Outside` |
//! | | `{version: V, lessThanOrEqual: L, status: S}` | `At(V) → S`, `After(L) → Outside` |
//! | | `version: "0"` at a range start | `Earliest` (CVE 5 schema: "0" denotes the earliest version) |
//! | | `lessThan`/`lessThanOrEqual: "*"` | no end event (unbounded) |
//! | | `changes: [{at: X, status: T}]` | `At(X) → T` |
//! | | `versionType` | `semver` → Semver, `git` → Git, other → `Custom(t)`, absent → Generic |
//! | | `defaultStatus` | [`Affected::default_status`] |
//! | OSV `ranges[]` | `introduced: "0"` | `Earliest → Affected` (OSV: "0" sorts before every version) |
//! | | `introduced: V` | `At(V) → Affected` |
//! | | `fixed: V` | `At(V) → Unaffected` |
//! | | `last_affected: V` | `After(V) → Unaffected` |
//! | | `limit: V` | [`VersionRange::limits`] (GIT ranges only) |
//! | | `type` | `SEMVER` → Semver, `ECOSYSTEM` → `Ecosystem(name)`, `GIT` → Git with `repo` |
//! | | `versions[]` | [`Affected::versions`] |
//! | CSAF 2.0 | branch `product_version` name V | `Affected::versions = [V]` |
//! | | branch `product_version_range` `vers:S/…` | parsed by the vers rules below, scheme from S |
//! | | branch `product_version_range`, other text | `VersionRange::text` only, `events` empty, [`VersionRange::uninterpreted`] |
//! | vers (purl spec, `VERSION-RANGE-SPEC.rst`) | `>=V` / `>V` | `At(V) → Affected` / `After(V) → Affected` |
//! | | `<V` / `<=V` | `At(V) → Outside` / `After(V) → Outside` |
//! | | `=V` (or bare `V`) | `At(V) → Affected`, `After(V) → Outside` |
//! | | `!=V` | `At(V) → Outside`, `After(V) → Affected` |
//! | | first constraint `<`, `<=` or `!=` | `Earliest → Affected` first (vers constraints are written in ascending order, so nothing lies below) |
//! | | `*` | `Earliest → Affected` |
//! | | scheme | `semver` → Semver, `generic`/`all` → Generic, other → `Vers(scheme)` |
//!
//! Every range also keeps its source text where the source wrote it as text (vers and
//! CSAF range names), so an auditor can see what the model was made from.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::cpe::Cpe;
use crate::purl::Purl;

/// One vulnerability as one source describes it.
///
/// NVD, CVE 5 and OSV records describe one vulnerability each. A CSAF document may
/// describe several; the reader makes one `Advisory` per entry of its
/// `vulnerabilities[]`, each carrying the document's ids in [`Source`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// The record's primary id: the CVE id (NVD, CVE 5, CSAF when it names one), the OSV
    /// id, or `TRACKING-ID#N` for a CSAF vulnerability without a CVE.
    pub id: String,
    pub source: Source,
    /// Other ids of the same vulnerability (CVE, GHSA, ICSMA/ICSA, vendor ids), merged
    /// and deduplicated, without `id` itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Alias>,
    /// Related but not identical vulnerabilities (OSV `related`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<Timestamp>,
    /// The source's last modification: NVD `lastModified`, CVE 5 `dateUpdated`, OSV
    /// `modified`, CSAF `current_release_date`. Incremental import compares this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<Timestamp>,
    /// When the source withdrew (OSV `withdrawn`) or rejected (CVE/NVD `REJECTED`) it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<Withdrawn>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severities: Vec<Severity>,
    /// CWE ids as written (`CWE-79`), deduplicated; `NVD-CWE-Other`/`NVD-CWE-noinfo` kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<Affected>,
    /// NVD configurations: how the [`Affected`] entries combine (AND/OR, negation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub configurations: Vec<Configuration>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remediations: Vec<Remediation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threats: Vec<Threat>,
    /// CSAF `flags[]`: VEX justifications (`component_not_present` …) per product.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
    /// Free-text notes (CSAF notes, CVE 5 workarounds), with their category.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// CISA KEV data carried by NVD records (`cisaExploitAdd` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_exploited: Option<KnownExploited>,
    pub provenance: Provenance,
}

/// Which source the record came from, with that document's own identifiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
#[non_exhaustive]
pub enum Source {
    Nvd {
        /// `sourceIdentifier`: who submitted the CVE to NVD (a CNA e-mail or UUID).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source_identifier: Option<String>,
        /// `vulnStatus` (Analyzed, Modified, Awaiting Analysis, Rejected …).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<String>,
    },
    Cve5 {
        /// `cveMetadata.state`: PUBLISHED or REJECTED.
        state: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assigner_org_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assigner_short_name: Option<String>,
    },
    Osv {
        /// `database_specific.source` or the id's prefix database (GO, PYSEC, GHSA …).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        database: Option<String>,
    },
    Csaf {
        /// `document.tracking.id`, e.g. `ICSMA-24-065-01`.
        tracking_id: String,
        /// `document.tracking.version`.
        tracking_version: String,
        /// `document.publisher.name`.
        publisher: String,
        /// `document.category`, e.g. `csaf_security_advisory`, `csaf_vex`.
        category: String,
        /// Position in `vulnerabilities[]`.
        vulnerability_index: usize,
    },
}

impl Source {
    pub fn name(&self) -> &'static str {
        match self {
            Source::Nvd { .. } => "nvd",
            Source::Cve5 { .. } => "cve5",
            Source::Osv { .. } => "osv",
            Source::Csaf { .. } => "csaf",
        }
    }
}

/// Another id of the same vulnerability.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Alias {
    pub id: String,
    pub kind: AliasKind,
}

impl Alias {
    /// Classifies an id by its shape.
    pub fn new(id: impl Into<String>) -> Self {
        let id = id.into();
        let kind = AliasKind::of(&id);
        Alias { id, kind }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AliasKind {
    Cve,
    Ghsa,
    /// CISA ICS medical advisory (`ICSMA-…`).
    Icsma,
    /// CISA ICS advisory (`ICSA-…`).
    Icsa,
    /// An OSV database id (GO-, PYSEC-, RUSTSEC- …).
    Osv,
    /// A vendor's or another system's id.
    Other,
}

impl AliasKind {
    pub fn of(id: &str) -> Self {
        let upper = id.to_ascii_uppercase();
        if upper.starts_with("CVE-") {
            AliasKind::Cve
        } else if upper.starts_with("GHSA-") {
            AliasKind::Ghsa
        } else if upper.starts_with("ICSMA-") {
            AliasKind::Icsma
        } else if upper.starts_with("ICSA-") {
            AliasKind::Icsa
        } else if [
            "GO-", "PYSEC-", "RUSTSEC-", "OSV-", "MAL-", "GSD-", "UVI-", "PSF-",
        ]
        .iter()
        .any(|p| upper.starts_with(p))
        {
            AliasKind::Osv
        } else {
            AliasKind::Other
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawn {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One severity statement: a CVSS vector with its scores, or a qualitative rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Severity {
    pub kind: SeverityKind,
    pub scored_by: Scorer,
    /// CSAF: the product ids the score applies to (empty: every affected product).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SeverityKind {
    Cvss(Cvss),
    /// A rating without a vector: CVE 5 `metrics[].other`, OSV `database_specific`
    /// severities, CSAF threat `impact` text …
    Qualitative {
        /// What scale the rating is on, as the source names it (e.g. `GHSA`, `Ubuntu`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scheme: Option<String>,
        rating: String,
    },
}

/// A CVSS vector as stated, with what medsec computes from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    /// `2.0`, `3.0`, `3.1` or `4.0`.
    pub version: String,
    /// The vector exactly as the source wrote it.
    pub vector: String,
    /// The base score the source states, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated_base_score: Option<f64>,
    /// The severity rating the source states, if any (`HIGH`, `Critical` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated_severity: Option<String>,
    /// The base score medsec-score computes from the vector; `None` when the vector
    /// does not parse (the reader then reports why).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub computed_base_score: Option<f64>,
    /// The vector in canonical form, when it parses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalised_vector: Option<String>,
}

/// Who stated a severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scorer {
    pub role: ScorerRole,
    /// The scorer's own name or id where the source gives one (`nvd@nist.gov`, a CNA
    /// short name, the CSAF publisher).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ScorerRole {
    /// NVD metric of `type: Primary` (NVD's own analysis or the primary source).
    NvdPrimary,
    /// NVD metric of `type: Secondary` (usually the CNA's score as NVD carries it).
    NvdSecondary,
    /// CVE 5 `containers.cna`.
    Cna,
    /// CVE 5 `containers.adp[]` (e.g. CISA-ADP).
    Adp,
    /// The OSV database that published the record.
    Database,
    /// The CSAF document's publisher.
    Publisher,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub url: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A package or product and its status in some versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    pub what: Package,
    /// The status of [`versions`](Self::versions) and of the ranges' `Affected` states.
    pub status: Status,
    /// Explicit versions, exactly as written. An entry with neither versions nor ranges
    /// is about every version of the package (a CVE 5 product with only a
    /// `defaultStatus`, a CSAF product without a version branch).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<VersionRange>,
    /// CVE 5 `defaultStatus`: the status of versions neither listed nor in a range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_status: Option<Status>,
    /// CVE 5 `platforms`, OSV `ecosystem_specific` imports … (free text).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    /// NVD: the index in [`Advisory::configurations`] this entry belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<usize>,
}

/// The status of a product in some versions. CSAF `known_affected` and
/// `known_not_affected`, CVE 5 `affected`/`unaffected`, NVD `vulnerable: true/false` and
/// OSV's implicit "affected" map to the variants below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Status {
    Affected,
    NotAffected,
    Fixed,
    UnderInvestigation,
    Unknown,
    /// CSAF `first_affected`: this is the first affected version.
    FirstAffected,
    /// CSAF `last_affected`.
    LastAffected,
    /// CSAF `first_fixed`.
    FirstFixed,
    /// CSAF `recommended`: the vendor recommends this version.
    Recommended,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Affected => "affected",
            Status::NotAffected => "not_affected",
            Status::Fixed => "fixed",
            Status::UnderInvestigation => "under_investigation",
            Status::Unknown => "unknown",
            Status::FirstAffected => "first_affected",
            Status::LastAffected => "last_affected",
            Status::FirstFixed => "first_fixed",
            Status::Recommended => "recommended",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an [`Affected`] entry is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Package {
    Purl {
        #[serde(with = "purl_text")]
        purl: Purl,
    },
    /// An NVD CPE match criterion (version attribute included as written).
    Cpe {
        #[serde(with = "cpe_text")]
        cpe: Cpe,
        /// NVD `matchCriteriaId`, which the NVD CPE match API resolves.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        match_criteria_id: Option<String>,
    },
    /// An OSV package: ecosystem (`Go`, `PyPI`, `Debian:12` …) and name.
    Ecosystem {
        ecosystem: String,
        name: String,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "opt_purl_text"
        )]
        purl: Option<Purl>,
    },
    /// A CVE 5 product: vendor and product names, or a package in a collection.
    VendorProduct(Box<VendorProduct>),
    /// A CSAF product from the product tree.
    CsafProduct(Box<CsafProduct>),
    /// A source repository alone (an OSV entry with only a GIT range and no package).
    Repository { url: String },
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct VendorProduct {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "cpe_list")]
    pub cpes: Vec<Cpe>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modules: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub program_files: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
}

/// A product of a CSAF product tree, resolved: its full name, id, where it sits in
/// the branches, and its identification helpers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CsafProduct {
    pub product_id: String,
    /// The full product name (`product.name`).
    pub name: String,
    /// Branch names from the root to the product (vendor, product name, version …),
    /// each with its branch category.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branch_path: Vec<BranchStep>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helper: Option<IdentificationHelper>,
    /// For products defined by a relationship (`installed_on` …): the two parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<ProductRelationship>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchStep {
    pub category: String,
    pub name: String,
}

/// CSAF `product_identification_helper`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IdentificationHelper {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "opt_purl_text"
    )]
    pub purl: Option<Purl>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "opt_cpe_text"
    )]
    pub cpe: Option<Cpe>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub model_numbers: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skus: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serial_numbers: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<FileHash>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sbom_urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub generic_uris: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileHash {
    pub filename: String,
    pub algorithm: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRelationship {
    /// `default_component_of`, `external_component_of`, `installed_on`,
    /// `installed_with`, `optional_component_of`.
    pub category: String,
    pub product_reference: String,
    pub relates_to_product_reference: String,
}

/// Ranges of versions in one scheme; see the module documentation for how each
/// format maps into it and how it is evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRange {
    pub scheme: VersionScheme,
    /// In source order; the evaluator sorts them by version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<RangeEvent>,
    /// OSV `limit` events (GIT ranges): commits past which history is not walked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<String>,
    /// The repository of a GIT range (OSV `repo`, CVE 5 `repo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The range as the source wrote it as text (a vers string, a CSAF range name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// True when the source's text could not be turned into events (a free-text CSAF
    /// range such as `A10 < A11`): the matcher must report it, never guess.
    #[serde(default, skip_serializing_if = "is_false")]
    pub uninterpreted: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl VersionRange {
    pub fn new(scheme: VersionScheme) -> Self {
        VersionRange {
            scheme,
            events: Vec::new(),
            limits: Vec::new(),
            repo: None,
            text: None,
            uninterpreted: false,
        }
    }

    pub fn with_event(mut self, point: Point, state: RangeState) -> Self {
        self.events.push(RangeEvent { point, state });
        self
    }
}

/// From `point` upward, versions are in `state` (until a higher event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeEvent {
    pub point: Point,
    pub state: RangeState,
}

/// Where an event takes effect.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Point {
    /// Before every version (OSV `introduced: "0"`, no NVD start bound).
    Earliest,
    /// At this version: the version itself takes the new state.
    At(String),
    /// Just above this version: the version itself keeps the previous state.
    After(String),
}

/// The state versions enter at an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RangeState {
    /// Affected (in the [`Affected::status`] of the entry that holds the range).
    Affected,
    /// Not affected: OSV `fixed`/`last_affected`, CVE 5 `unaffected`.
    Unaffected,
    /// CVE 5 `unknown`.
    Unknown,
    /// Past the end of the range: the range says nothing about these versions (NVD,
    /// CVE 5 and vers upper bounds; CVE 5 `defaultStatus` then applies).
    Outside,
}

/// How the versions of a range are ordered.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "name", rename_all = "snake_case")]
#[non_exhaustive]
pub enum VersionScheme {
    /// Semantic Versioning 2.0 (OSV `SEMVER`, CVE 5 `semver`, vers `semver`).
    Semver,
    /// An OSV ecosystem's own ordering (OSV `ECOSYSTEM`; the name is the ecosystem).
    Ecosystem(String),
    /// Git commits (OSV `GIT`, CVE 5 `git`): ordered by history, not by text.
    Git,
    /// A vers versioning scheme (a purl type or a vers scheme such as `intdot`).
    Vers(String),
    /// A CVE 5 `versionType` other than `semver`/`git` (`custom`, `rpm`, `maven` …).
    Custom(String),
    /// No scheme stated (NVD, CVE 5 without `versionType`, vers `generic`).
    Generic,
}

impl fmt::Display for VersionScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionScheme::Semver => f.write_str("semver"),
            VersionScheme::Ecosystem(e) => write!(f, "ecosystem:{e}"),
            VersionScheme::Git => f.write_str("git"),
            VersionScheme::Vers(s) => write!(f, "vers:{s}"),
            VersionScheme::Custom(s) => write!(f, "custom:{s}"),
            VersionScheme::Generic => f.write_str("generic"),
        }
    }
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Point::Earliest => f.write_str("earliest"),
            Point::At(v) => write!(f, "{v}"),
            Point::After(v) => write!(f, "after {v}"),
        }
    }
}

impl fmt::Display for VersionRange {
    /// A compact text form for tables, e.g. `[semver] >=1.0 → affected; >=1.2 → unaffected`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.scheme)?;
        if self.uninterpreted {
            if let Some(text) = &self.text {
                write!(f, " {text:?} (uninterpreted)")?;
            }
            return Ok(());
        }
        for (i, e) in self.events.iter().enumerate() {
            let sep = if i == 0 { " " } else { "; " };
            let state = match e.state {
                RangeState::Affected => "affected",
                RangeState::Unaffected => "unaffected",
                RangeState::Unknown => "unknown",
                RangeState::Outside => "end",
            };
            match &e.point {
                Point::Earliest => write!(f, "{sep}from earliest: {state}")?,
                Point::At(v) => write!(f, "{sep}>={v}: {state}")?,
                Point::After(v) => write!(f, "{sep}>{v}: {state}")?,
            }
        }
        for l in &self.limits {
            write!(f, "; limit {l}")?;
        }
        Ok(())
    }
}

/// An NVD configuration: nodes joined by `operator` (AND when an application is
/// vulnerable only on some platform).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Configuration {
    pub operator: Operator,
    #[serde(default, skip_serializing_if = "is_false")]
    pub negate: bool,
    pub nodes: Vec<ConfigNode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigNode {
    pub operator: Operator,
    #[serde(default, skip_serializing_if = "is_false")]
    pub negate: bool,
    /// Indexes into [`Advisory::affected`]; vulnerable matches have status `affected`,
    /// platform matches (`vulnerable: false`) status `not_affected`.
    pub matches: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Operator {
    And,
    Or,
}

/// CSAF `remediations[]` (and CVE 5 `solutions` as `vendor_fix` text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remediation {
    /// `mitigation`, `no_fix_planned`, `none_available`, `vendor_fix`, `workaround` …
    pub category: String,
    pub details: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Timestamp>,
}

/// CSAF `threats[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threat {
    /// `exploit_status`, `impact`, `target_set`.
    pub category: String,
    pub details: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Timestamp>,
}

/// CSAF `flags[]` entry, product groups expanded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// `component_not_present`, `inline_mitigations_already_exist`,
    /// `vulnerable_code_cannot_be_controlled_by_adversary`,
    /// `vulnerable_code_not_in_execute_path`, `vulnerable_code_not_present`.
    pub label: String,
    pub product_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub category: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownExploited {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_added: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_due: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vulnerability_name: Option<String>,
}

/// Where the record came from, for audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    pub format: Format,
    /// The spec version the document declares (`2.0`, `5.1`, `1.6.0` …), when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_version: Option<String>,
    /// The file name it was read from (no directory), when read from a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// JSON Pointer of the record inside the document (`/vulnerabilities/3/cve`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Format {
    /// NVD CVE API 2.0 JSON.
    Nvd2,
    /// CVE JSON 5.x record.
    Cve5,
    /// OSV 1.x (JSON or YAML).
    Osv,
    /// CSAF 2.0.
    Csaf2,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Nvd2 => "NVD CVE API 2.0",
            Format::Cve5 => "CVE JSON 5",
            Format::Osv => "OSV",
            Format::Csaf2 => "CSAF 2.0",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Advisory {
    /// Adds an alias unless it is the id itself or already present (ids compared
    /// case-insensitively, as CVE and GHSA ids are).
    pub fn add_alias(&mut self, id: &str) {
        let id = id.trim();
        if id.is_empty()
            || id.eq_ignore_ascii_case(&self.id)
            || self.aliases.iter().any(|a| a.id.eq_ignore_ascii_case(id))
        {
            return;
        }
        self.aliases.push(Alias::new(id));
    }

    /// Adds a CWE unless already present.
    pub fn add_cwe(&mut self, cwe: &str) {
        let cwe = cwe.trim();
        if !cwe.is_empty() && !self.cwes.iter().any(|c| c.eq_ignore_ascii_case(cwe)) {
            self.cwes.push(cwe.to_owned());
        }
    }

    /// An empty record to be filled by a reader.
    pub fn new(id: impl Into<String>, source: Source, provenance: Provenance) -> Self {
        Advisory {
            id: id.into(),
            source,
            aliases: Vec::new(),
            related: Vec::new(),
            published: None,
            modified: None,
            withdrawn: None,
            title: None,
            details: None,
            severities: Vec::new(),
            cwes: Vec::new(),
            references: Vec::new(),
            affected: Vec::new(),
            configurations: Vec::new(),
            remediations: Vec::new(),
            threats: Vec::new(),
            flags: Vec::new(),
            notes: Vec::new(),
            known_exploited: None,
            provenance,
        }
    }
}

// Purl and Cpe serialise as their canonical strings; these read them back.
mod purl_text {
    use super::*;
    pub fn serialize<S: Serializer>(p: &Purl, s: S) -> Result<S::Ok, S::Error> {
        p.serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Purl, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

mod opt_purl_text {
    use super::*;
    pub fn serialize<S: Serializer>(p: &Option<Purl>, s: S) -> Result<S::Ok, S::Error> {
        p.serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Purl>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|t| t.parse().map_err(serde::de::Error::custom))
            .transpose()
    }
}

mod cpe_text {
    use super::*;
    pub fn serialize<S: Serializer>(c: &Cpe, s: S) -> Result<S::Ok, S::Error> {
        c.serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Cpe, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

mod opt_cpe_text {
    use super::*;
    pub fn serialize<S: Serializer>(c: &Option<Cpe>, s: S) -> Result<S::Ok, S::Error> {
        c.serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Cpe>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|t| t.parse().map_err(serde::de::Error::custom))
            .transpose()
    }
}

mod cpe_list {
    use super::*;
    pub fn serialize<S: Serializer>(c: &[Cpe], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(c.iter())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Cpe>, D::Error> {
        Vec::<String>::deserialize(d)?
            .into_iter()
            .map(|t| t.parse().map_err(serde::de::Error::custom))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn alias_kinds() {
        assert_eq!(AliasKind::of("CVE-2021-44228"), AliasKind::Cve);
        assert_eq!(AliasKind::of("GHSA-jfh8-c2jp-5v3q"), AliasKind::Ghsa);
        assert_eq!(AliasKind::of("ICSMA-24-065-01"), AliasKind::Icsma);
        assert_eq!(AliasKind::of("ICSA-24-065-01"), AliasKind::Icsa);
        assert_eq!(AliasKind::of("GO-2021-0001"), AliasKind::Osv);
        assert_eq!(AliasKind::of("BSI-2022-0001"), AliasKind::Other);
    }

    #[test]
    fn aliases_deduplicated() {
        let prov = Provenance {
            format: Format::Osv,
            spec_version: None,
            file: None,
            pointer: None,
        };
        let mut a = Advisory::new("GO-2021-0001", Source::Osv { database: None }, prov);
        a.add_alias("CVE-2021-1");
        a.add_alias("cve-2021-1");
        a.add_alias("GO-2021-0001");
        a.add_alias(" ");
        assert_eq!(a.aliases.len(), 1);
    }

    #[test]
    fn model_round_trips_through_json() {
        let prov = Provenance {
            format: Format::Nvd2,
            spec_version: Some("2.0".into()),
            file: Some("x.json".into()),
            pointer: None,
        };
        let mut a = Advisory::new(
            "CVE-1",
            Source::Nvd {
                source_identifier: None,
                status: None,
            },
            prov,
        );
        a.published = Some("2021-12-10T10:15:09.143Z".parse().unwrap());
        a.affected.push(Affected {
            what: Package::Cpe {
                cpe: "cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*".parse().unwrap(),
                match_criteria_id: None,
            },
            status: Status::Affected,
            versions: vec![],
            ranges: vec![
                VersionRange::new(VersionScheme::Generic)
                    .with_event(Point::At("2.0.1".into()), RangeState::Affected)
                    .with_event(Point::At("2.3.1".into()), RangeState::Outside),
            ],
            default_status: None,
            platforms: vec![],
            configuration: Some(0),
        });
        let json = serde_json::to_string(&a).unwrap();
        let back: Advisory = serde_json::from_str(&json).unwrap();
        assert_eq!(a, back);
        assert_eq!(
            a.affected[0].ranges[0].to_string(),
            "[generic] >=2.0.1: affected; >=2.3.1: end"
        );
    }
}
