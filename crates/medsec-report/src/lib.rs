//! The documentation pack of a medical device (issue 9): one report model built from the
//! device, its threat model and FMEA, requirements coverage, test plan and results, SBOMs
//! and vulnerabilities, written as self-contained HTML, Markdown and JSON, with charts
//! drawn as SVG in Rust.
//!
//! - `charts`: SVG charts (risk matrix before and after controls, findings by severity
//!   over time, coverage per framework), deterministic and self-contained.

pub mod charts;
