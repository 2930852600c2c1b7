//! Domain types shared by every medsec crate: package identifiers (purl, CPE). No I/O.

pub mod advisory;
pub mod component;
pub mod cpe;
pub mod purl;
pub mod vex;

pub use purl::{Purl, PurlError};
