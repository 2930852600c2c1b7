//! Charts of the documentation pack, drawn as SVG in Rust (issue 9): the risk matrix
//! before and after controls, open findings by severity over time, and requirements
//! coverage per framework.
//!
//! Why drawn here rather than with a chart library: the output goes into submissions to
//! notified bodies and the FDA, so it must be byte-for-byte reproducible, self-contained
//! (no scripts, fonts, images or other references to fetch) and readable without
//! colour. Each chart is a standalone SVG 1.1 document with `role="img"`, a `<title>`
//! and a `<desc>` that states every number in words (the text alternative), and
//! tooltips (`<title>` per cell or bar) with full names.
//!
//! Inputs are plain data structs that the report builder fills; the module depends on
//! no other medsec crate. Names come from user files and are escaped everywhere; empty
//! inputs give a valid SVG that says there is no data.
//!
//! Colours come from the Okabe-Ito palette (safe for the common colour vision
//! deficiencies). None of the charts relies on colour alone: risk cells carry their
//! verdict as a word and as hatching, severity bands are stacked in a fixed order with
//! lightness falling towards critical, and coverage bars carry their counts as text.

mod coverage;
mod draw;
mod risk_matrix;
mod timeline;

pub use coverage::{COVERED_FILL, FrameworkCoverage, FrameworkRow, OPEN_FILL, PARTLY_FILL};
pub use risk_matrix::{
    ACCEPTABLE_FILL, ALARP_FILL, NO_VERDICT_FILL, RiskMatrix, UNACCEPTABLE_FILL, Verdict,
};
pub use timeline::{SeverityCounts, SeverityTimeline, TimelinePoint};
