//! Threats and risk for a medical device: STRIDE per element and per interaction from a
//! rule catalogue kept as data, folded into an FMEA register judged against a
//! configurable acceptability matrix (ISO 14971, with exploitability in place of
//! probability as FDA premarket guidance §V.A.2 and IMDRF N60 §5.2 advise).
//!
//! ```text
//! LoadedDevice ─► engine::analyse(catalogue) ─► ThreatModel (threats with stable ids)
//!                                                   │
//!                                 policy ─► fmea::register ─► FMEA rows (severity,
//!                                            exploitability, RPN, risk, residual risk)
//! ```
//!
//! The crate does no terminal I/O; only reading project rule and policy files touches
//! the file system.

pub mod catalogue;
pub mod diff;
pub mod engine;
pub mod fmea;
pub mod policy;
pub mod requirements;
pub mod synthetic;

pub use catalogue::{Catalogue, CatalogueError, Rule};
pub use engine::{Threat, ThreatModel, analyse};
pub use fmea::{Register, RiskLevel, RiskRow, register};
pub use policy::{Policy, PolicyError};
