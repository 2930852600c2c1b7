//! Version ordering per ecosystem and evaluation of medsec's one range model.
//!
//! Pure: no I/O, no database. The store, the scan command and CPE/CSAF matching call
//! into this crate; nothing else in medsec compares versions.
//!
//! - [`Scheme`]: the orderings (SemVer 2.0.0, npm, PEP 440, Maven, NuGet, Go, crates,
//!   Debian, RPM, Alpine and a documented generic fallback), each a parser with a typed
//!   [`ParseError`] and a total order written from the scheme's own specification (the
//!   source of each rule sits beside it in the scheme's module). The mapping from purl
//!   types, OSV ecosystems, CVE 5 `versionType`s and vers schemes is the table in
//!   [`scheme`].
//! - [`evaluate`]: the state of one version in one [`VersionRange`], by exactly the rule
//!   documented in [`medsec_core::advisory`], with the event(s) that decided it.
//! - [`affects`]: whether one [`Affected`] entry of an advisory covers a version (its
//!   explicit versions, its ranges, its default status, or every version when it lists
//!   neither), as yes / no / unknown with the reason. Anything that cannot be decided
//!   exactly (GIT ranges, uninterpreted text, a version that does not parse, an
//!   ecosystem without an ordering) is `Unknown` with its reason, never a silent "no".
//! - [`keys`]: the index keys of an advisory ([`index_keys`]) and the candidate keys of an
//!   SBOM component ([`component_keys`]: declared from its purl and CPEs, or derived
//!   through the curated [`CpeProductMap`] and supplier + name); the key forms are
//!   tabled in the module.
//! - [`component_match`]: [`match_component`] decides whether one advisory affects one
//!   component through each route (purl, OSV ecosystem, NVD CPE configurations, CSAF
//!   product, CVE 5 vendor/product), as a [`ComponentMatch`] with status, confidence,
//!   reasons, fixed versions and assumptions.
//! - [`range_text`]: [`interpret_range_text`] reads the free-text CSAF ranges medical
//!   vendors write (`All versions`, `prior to 2.0`, `versions 1.0 through 1.4`, `2.x`);
//!   the forms read and those left uninterpreted are tabled in the module.
//!
//! # Keys and confidence
//!
//! The store indexes every advisory under the keys of its entries
//! (`purl:TYPE/NAMESPACE/NAME`, `eco:ECOSYSTEM/NAME`, `cpe:PART:VENDOR:PRODUCT`,
//! `vp:VENDOR/PRODUCT`) and looks candidates up by the component's keys; a key only finds
//! candidates, the matcher decides. A component's key is *declared* when it comes from
//! the SBOM's own purl or CPE, *derived* when medsec made it (the curated CPE product
//! map, supplier + name, a Maven group + name); no key is ever made from a bare name.
//! Confidence starts High for a declared purl or CPE and Medium for vendor/product
//! routes, and drops one step for each thing the match had to assume: a derived key, an
//! application CPE for a library, a criterion naming every version, an unspecified
//! component version, a comparison resting on the generic order's assumption, a range
//! read from free text, a platform the product may not have. Every step is named in
//! [`ComponentMatch::assumptions`]; a match is never dropped for being uncertain.
//!
//! [`VersionRange`]: medsec_core::advisory::VersionRange
//! [`Affected`]: medsec_core::advisory::Affected

pub mod alpine;
pub mod component_match;
pub mod debian;
mod error;
pub mod generic;
pub mod keys;
pub mod maven;
pub mod nuget;
mod num;
pub mod pep440;
mod range;
pub mod range_text;
pub mod rpm;
pub mod scheme;
pub mod semver;

use std::cmp::Ordering;
use std::fmt;

pub use component_match::{
    ComponentMatch, Confidence, MatchContext, MatchStatus, Via, match_component,
    match_component_with, most_severe,
};
pub use error::ParseError;
pub use generic::Assumption;
pub use keys::{
    CandidateKey, ComponentQuery, CpeProductMap, KeyOrigin, Registries, component_keys,
    component_keys_with, index_keys, index_keys_with,
};
pub use range::{
    Answer, Evaluation, Unevaluable, Verdict, Why, affects, evaluate, evaluate_in,
    scheme_of_package,
};
pub use range_text::interpret_range_text;
pub use scheme::Scheme;

/// A parsed version of some scheme.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Version {
    Semver(semver::SemVer),
    Npm(semver::SemVer),
    Pep440(pep440::Pep440),
    Maven(maven::MavenVersion),
    Nuget(nuget::NugetVersion),
    Golang(semver::SemVer),
    Cargo(semver::SemVer),
    Debian(debian::DebVersion),
    Rpm(rpm::RpmVersion),
    Alpine(alpine::ApkVersion),
    Generic(generic::GenericVersion),
}

impl Version {
    pub fn scheme(&self) -> Scheme {
        match self {
            Version::Semver(_) => Scheme::Semver,
            Version::Npm(_) => Scheme::Npm,
            Version::Pep440(_) => Scheme::Pep440,
            Version::Maven(_) => Scheme::Maven,
            Version::Nuget(_) => Scheme::Nuget,
            Version::Golang(_) => Scheme::Golang,
            Version::Cargo(_) => Scheme::Cargo,
            Version::Debian(_) => Scheme::Debian,
            Version::Rpm(_) => Scheme::Rpm,
            Version::Alpine(_) => Scheme::Alpine,
            Version::Generic(_) => Scheme::Generic,
        }
    }

    /// The order, and the assumption it rested on when it was not certain (only the
    /// generic order makes assumptions). Versions of different schemes order by scheme,
    /// which only keeps `Ord` total: evaluation never compares across schemes.
    pub fn compare(&self, other: &Version) -> (Ordering, Option<Assumption>) {
        use Version as V;
        let o = match (self, other) {
            (V::Semver(a), V::Semver(b))
            | (V::Npm(a), V::Npm(b))
            | (V::Golang(a), V::Golang(b))
            | (V::Cargo(a), V::Cargo(b)) => a.cmp(b),
            (V::Pep440(a), V::Pep440(b)) => a.cmp(b),
            (V::Maven(a), V::Maven(b)) => a.cmp(b),
            (V::Nuget(a), V::Nuget(b)) => a.cmp(b),
            (V::Debian(a), V::Debian(b)) => a.cmp(b),
            (V::Rpm(a), V::Rpm(b)) => a.cmp(b),
            (V::Alpine(a), V::Alpine(b)) => a.cmp(b),
            (V::Generic(a), V::Generic(b)) => return a.compare(b),
            _ => self.scheme().cmp(&other.scheme()),
        };
        (o, None)
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Version {}
impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.compare(other).0
    }
}

impl fmt::Display for Version {
    /// The canonical form where the scheme defines one (SemVer, PEP 440, NuGet, Alpine),
    /// the text as written otherwise (Maven, Debian, RPM, generic compare the text
    /// itself); parsing it again gives an equal version.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Semver(v) | Version::Npm(v) | Version::Golang(v) | Version::Cargo(v) => {
                v.fmt(f)
            }
            Version::Pep440(v) => v.fmt(f),
            Version::Maven(v) => v.fmt(f),
            Version::Nuget(v) => v.fmt(f),
            Version::Debian(v) => v.fmt(f),
            Version::Rpm(v) => v.fmt(f),
            Version::Alpine(v) => v.fmt(f),
            Version::Generic(v) => v.fmt(f),
        }
    }
}
