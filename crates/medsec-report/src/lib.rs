//! The documentation pack of a medical device (issue 9): one report model built from the
//! device, its threat model and FMEA, requirements coverage, test plan and results, SBOMs
//! and vulnerabilities, written as self-contained HTML, Markdown and JSON, with charts
//! drawn as SVG in Rust.
//!
//! - `doc`: the report as a format-independent tree of sections and blocks; every
//!   writer renders this one tree, so HTML, Markdown and PDF carry the same content.
//! - `charts`: SVG charts (risk matrix before and after controls, findings by severity
//!   over time, coverage per framework), deterministic and self-contained.
//! - `html`, `markdown`: the writers (self-contained HTML: inline CSS, inline SVG).
//! - `pdf`: the PDF writer (typeset, same tree).
//! - `sign`: Ed25519 signatures over a report folder (`medsec sign`, `medsec verify`).
//! - `build`: the report model assembled from the device and everything medsec knows
//!   about it, and the variants (manufacturer's premarket section, laboratory or
//!   notified-body assessment report, MDS2-style disclosure for hospitals).

pub mod build;
pub mod charts;
pub mod doc;
pub mod html;
pub mod markdown;
pub mod pdf;
pub mod sign;
