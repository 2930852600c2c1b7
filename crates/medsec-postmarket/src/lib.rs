//! Post-market cybersecurity: what happens to a device's findings after release.
//!
//! - `triage`: decisions with VEX states, kept as an append-only history, and their
//!   inheritance by later product versions that ship the same component version.
//! - `clock`: the regulatory clock, a policy-driven classification of affected findings
//!   against FDA postmarket and EU MDR/IVDR vigilance time frames (decision support).
//! - `notify`: webhook (HMAC-signed JSON) and e-mail notices of new affected findings.
//!
//! The crate does no terminal I/O; `notify` is the only part that talks to the network.

pub mod clock;
pub mod notify;
pub mod triage;
