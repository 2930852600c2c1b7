//! Wire formats read into (and written from) the domain models of `medsec-core`:
//! SBOMs (CycloneDX, SPDX) and advisories (NVD API 2.0, CVE JSON 5, OSV, CSAF).
//! Wire structs stay in this crate; one conversion seam per format.

pub mod advisory;
pub mod sbom;
pub mod write;
