//! Deterministic generator of full-scale benchmark data for medsec (issue 6): NVD CVE API
//! 2.0 response pages, an 8-day NVD update, CycloneDX 1.6 SBOMs of medical-device
//! software, a CISA KEV catalog and an EPSS score file. The same seed gives the same
//! bytes. See the crate's README.md for the commands, the distributions and where each
//! figure comes from.
//!
//! | generator | function |
//! | --- | --- |
//! | NVD pages | [`nvd::generate`] |
//! | 8-day update | [`update::generate`] |
//! | SBOMs | [`sbom::generate`] |
//! | KEV catalog | [`feeds::kev`] |
//! | EPSS scores | [`feeds::epss`] |
//!
//! Distributions (figures with their sources; "our assumption" where no public figure
//! was at hand):
//! - CVE years 1999–2026 after the shape of NVD's counts by publication year; 12 % in
//!   2025 (48,000 of 400,000) and 11.5 % in 2026 up to 2026-11-27 (~51,000 a year,
//!   FIRST's forecast), both from `shared/research/scale-and-peers.md`.
//! - Products: a pool of 20,000 vendor:product pairs ([`pool`]): 114 real ones (the
//!   components medical-device SBOMs contain, the distributions NVD configurations name,
//!   the heaviest NVD products) weighted by our rough estimate of their real CVE counts,
//!   and synthetic ones with Zipf weights (exponent 0.9, our assumption), among them
//!   device makers with `h` hardware and `o` firmware twins. At full scale the cpeMatch
//!   criteria are 67 % `a`, 27 % `o` and 6 % `h` (`h` only as `vulnerable: false`
//!   platforms; `o` includes the Linux kernel, Android and the distributions).
//! - cpeMatch entries: 3.75 per CVE on average (1,500,000 / 400,000, the figure),
//!   a long tail up to hundreds per CVE (real: CVE-2016-7434 has 492); the total is hit
//!   exactly. Bound styles: exact versions, `versionEndExcluding`, `versionEndIncluding`,
//!   start+end ranges per branch, `*`, `-` (shares our assumption).
//! - ~10 % of configured CVEs with an `AND` configuration (firmware on its hardware,
//!   or an application running on a platform; `vulnerable: false` platform entries).
//! - Statuses by year (rejected 3–5 %; a third to a half of 2024–2026 awaiting analysis:
//!   our assumption after NVD's backlog), CVSS versions by year (v2 until July 2022, v3.0
//!   2016–2018, v3.1 from 2019, v4.0 from CNAs since 2023).
//! - KEV: 0.35 % of CVEs (~1,400 of 400,000; CISA's catalog size).

pub mod cvss;
pub mod feeds;
pub mod nvd;
pub mod pool;
pub mod real;
pub mod rng;
pub mod sbom;
pub mod stats;
pub mod text;
pub mod time;
pub mod update;

use std::path::{Path, PathBuf};

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("JSON: {0}")]
    Json(serde_json::Error),
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_owned(),
            source,
        }
    }
}
