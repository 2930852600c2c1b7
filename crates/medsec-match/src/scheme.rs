//! The orderings, and which one a purl type, an OSV ecosystem, a CVE 5 `versionType`
//! or a vers scheme names.
//!
//! | ordering | purl type | OSV ecosystem | CVE 5 `versionType` | vers scheme |
//! |---|---|---|---|---|
//! | [`Scheme::Semver`] | — | (range type `SEMVER`) | `semver` | `semver` |
//! | [`Scheme::Npm`] | `npm` | `npm` | `npm` | `npm` |
//! | [`Scheme::Pep440`] | `pypi` | `PyPI` | `python`, `pypi`, `pep440` | `pypi` |
//! | [`Scheme::Maven`] | `maven` | `Maven` | `maven` | `maven` |
//! | [`Scheme::Nuget`] | `nuget` | `NuGet` | `nuget` | `nuget` |
//! | [`Scheme::Golang`] | `golang` | `Go` | `go`, `golang` | `golang` |
//! | [`Scheme::Cargo`] | `cargo` | `crates.io` | `cargo`, `crates` | `cargo` |
//! | [`Scheme::Debian`] | `deb` | `Debian`, `Debian:*`, `Ubuntu`, `Ubuntu:*` | `deb`, `debian`, `dpkg` | `deb` |
//! | [`Scheme::Rpm`] | `rpm` | `Red Hat`, `Rocky Linux`, `AlmaLinux`, `openSUSE`, `SUSE`, `Mageia`, `openEuler`, `Photon OS` (each also `:*`) | `rpm` | `rpm` |
//! | [`Scheme::Alpine`] | `apk`, `alpine` | `Alpine`, `Alpine:*`, `Wolfi`, `Chainguard` | `apk`, `alpine` | `alpine`, `apk` |
//! | [`Scheme::Generic`] | `generic` and every type without an ordering here (CPE, CSAF, vendor firmware) | — | `custom`, absent | `generic`, `all`, `intdot` |
//!
//! An OSV ecosystem or a purl type not in the table has no ordering here: the caller
//! gets `None`, and range evaluation reports `Unknown` with that reason rather than
//! comparing versions by a rule the ecosystem does not use (RubyGems, Packagist, Hex,
//! Pub, Hackage, CRAN, Bioconductor, SwiftURL, GitHub Actions, Android, Linux, OSS-Fuzz,
//! Bitnami, MinimOS). CVE 5 `versionType`s not in the table are compared by the
//! package's scheme if it has one, else by the generic order, and the evaluation says so.

use std::cmp::Ordering;
use std::fmt;

use crate::Version;
use crate::error::ParseError;
use crate::{alpine, debian, generic, maven, nuget, pep440, rpm, semver};

/// A version ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// Semantic Versioning 2.0.0, strict.
    Semver,
    /// npm: node-semver, loose.
    Npm,
    /// PyPI: PEP 440.
    Pep440,
    /// Maven: ComparableVersion.
    Maven,
    /// NuGet: NuGet.Versioning.
    Nuget,
    /// Go modules: golang.org/x/mod/semver.
    Golang,
    /// crates.io: SemVer 2.0.0.
    Cargo,
    /// Debian: dpkg.
    Debian,
    /// RPM: rpmvercmp with epoch and release.
    Rpm,
    /// Alpine: apk.
    Alpine,
    /// medsec's documented fallback for vendor versions; see [`crate::generic`].
    Generic,
}

impl Scheme {
    pub const ALL: [Scheme; 11] = [
        Scheme::Semver,
        Scheme::Npm,
        Scheme::Pep440,
        Scheme::Maven,
        Scheme::Nuget,
        Scheme::Golang,
        Scheme::Cargo,
        Scheme::Debian,
        Scheme::Rpm,
        Scheme::Alpine,
        Scheme::Generic,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scheme::Semver => "semver",
            Scheme::Npm => "npm",
            Scheme::Pep440 => "pep440",
            Scheme::Maven => "maven",
            Scheme::Nuget => "nuget",
            Scheme::Golang => "golang",
            Scheme::Cargo => "cargo",
            Scheme::Debian => "deb",
            Scheme::Rpm => "rpm",
            Scheme::Alpine => "apk",
            Scheme::Generic => "generic",
        }
    }

    /// Parses `text` as a version of this scheme.
    pub fn parse(self, text: &str) -> Result<Version, ParseError> {
        Ok(match self {
            Scheme::Semver => Version::Semver(semver::parse_strict(text, self)?),
            Scheme::Cargo => Version::Cargo(semver::parse_strict(text, self)?),
            Scheme::Npm => Version::Npm(semver::parse_npm(text)?),
            Scheme::Golang => Version::Golang(semver::parse_go(text)?),
            Scheme::Pep440 => Version::Pep440(pep440::parse(text)?),
            Scheme::Maven => Version::Maven(maven::parse(text)?),
            Scheme::Nuget => Version::Nuget(nuget::parse(text)?),
            Scheme::Debian => Version::Debian(debian::parse(text)?),
            Scheme::Rpm => Version::Rpm(rpm::parse(text)?),
            Scheme::Alpine => Version::Alpine(alpine::parse(text)?),
            Scheme::Generic => Version::Generic(generic::parse(text)?),
        })
    }

    /// Parses both and compares them.
    pub fn compare(self, a: &str, b: &str) -> Result<Ordering, ParseError> {
        Ok(self.parse(a)?.cmp(&self.parse(b)?))
    }

    /// The ordering of a purl type (purl spec `PURL-TYPES.rst`), if medsec has one.
    pub fn from_purl_type(ty: &str) -> Option<Scheme> {
        Some(match ty.to_ascii_lowercase().as_str() {
            "npm" => Scheme::Npm,
            "pypi" => Scheme::Pep440,
            "maven" => Scheme::Maven,
            "nuget" => Scheme::Nuget,
            "golang" => Scheme::Golang,
            "cargo" => Scheme::Cargo,
            "deb" => Scheme::Debian,
            "rpm" => Scheme::Rpm,
            "apk" | "alpine" => Scheme::Alpine,
            "generic" => Scheme::Generic,
            _ => return None,
        })
    }

    /// The ordering of an OSV ecosystem (osv-schema `ecosystems.txt`; a `:release`
    /// suffix such as `Debian:12` names the same ordering).
    pub fn from_osv_ecosystem(ecosystem: &str) -> Option<Scheme> {
        let base = ecosystem.split(':').next().unwrap_or(ecosystem).trim();
        Some(match base {
            "npm" => Scheme::Npm,
            "PyPI" => Scheme::Pep440,
            "Maven" => Scheme::Maven,
            "NuGet" => Scheme::Nuget,
            "Go" => Scheme::Golang,
            "crates.io" => Scheme::Cargo,
            "Debian" | "Ubuntu" => Scheme::Debian,
            "Red Hat" | "Rocky Linux" | "AlmaLinux" | "openSUSE" | "SUSE" | "Mageia"
            | "openEuler" | "Photon OS" => Scheme::Rpm,
            "Alpine" | "Wolfi" | "Chainguard" => Scheme::Alpine,
            _ => return None,
        })
    }

    /// The ordering of a CVE 5 `versionType`; `None` for types that are not an ordering
    /// medsec knows (`custom` and vendor names are the caller's to fall back on).
    pub fn from_cve5_version_type(version_type: &str) -> Option<Scheme> {
        Some(match version_type.to_ascii_lowercase().as_str() {
            "semver" => Scheme::Semver,
            "npm" => Scheme::Npm,
            "python" | "pypi" | "pep440" => Scheme::Pep440,
            "maven" => Scheme::Maven,
            "nuget" => Scheme::Nuget,
            "go" | "golang" => Scheme::Golang,
            "cargo" | "crates" => Scheme::Cargo,
            "deb" | "debian" | "dpkg" => Scheme::Debian,
            "rpm" => Scheme::Rpm,
            "apk" | "alpine" => Scheme::Alpine,
            _ => return None,
        })
    }

    /// The ordering of a vers versioning scheme (purl spec `VERSION-RANGE-SPEC.rst`).
    pub fn from_vers_scheme(scheme: &str) -> Option<Scheme> {
        Some(match scheme.to_ascii_lowercase().as_str() {
            "semver" => Scheme::Semver,
            "generic" | "all" | "intdot" => Scheme::Generic,
            "alpine" => Scheme::Alpine,
            other => return Scheme::from_purl_type(other),
        })
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_table() {
        assert_eq!(Scheme::from_purl_type("pypi"), Some(Scheme::Pep440));
        assert_eq!(Scheme::from_purl_type("gem"), None);
        assert_eq!(
            Scheme::from_osv_ecosystem("Debian:12"),
            Some(Scheme::Debian)
        );
        assert_eq!(
            Scheme::from_osv_ecosystem("Alpine:v3.19"),
            Some(Scheme::Alpine)
        );
        assert_eq!(
            Scheme::from_osv_ecosystem("Rocky Linux:9"),
            Some(Scheme::Rpm)
        );
        assert_eq!(Scheme::from_osv_ecosystem("AlmaLinux"), Some(Scheme::Rpm));
        assert_eq!(Scheme::from_osv_ecosystem("Red Hat"), Some(Scheme::Rpm));
        assert_eq!(Scheme::from_osv_ecosystem("crates.io"), Some(Scheme::Cargo));
        assert_eq!(Scheme::from_osv_ecosystem("RubyGems"), None);
        assert_eq!(Scheme::from_cve5_version_type("Maven"), Some(Scheme::Maven));
        assert_eq!(Scheme::from_cve5_version_type("custom"), None);
        assert_eq!(Scheme::from_vers_scheme("intdot"), Some(Scheme::Generic));
        assert_eq!(Scheme::from_vers_scheme("deb"), Some(Scheme::Debian));
    }
}
