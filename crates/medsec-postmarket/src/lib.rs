//! Post-market cybersecurity: what happens to a device's findings after release.
//!
//! - `triage`: decisions with VEX states, kept as an append-only history, and their
//!   inheritance by later product versions that ship the same component version.
//! - `clock`: the regulatory clock, a policy-driven classification of affected findings
//!   against FDA postmarket and EU MDR/IVDR vigilance time frames (decision support).
//! - `metrics`: the FDA's post-market metrics per product (share patched, time to patch).
//! - `notify`: webhook (HMAC-signed JSON) and e-mail notices of new affected findings.
//! - `trace`: the chain from a finding's component to the elements that run it, the
//!   STRIDE threats on those elements, their FMEA rows and the patient harm.
//! - `support`: each component's level of support and end-of-support date, from SBOM
//!   properties or a curated file, with alerts before the end of support.
//!
//! The crate does no terminal I/O; `notify` is the only part that talks to the network.

pub mod clock;
pub mod metrics;
pub mod notify;
pub mod support;
pub mod trace;
pub mod triage;
