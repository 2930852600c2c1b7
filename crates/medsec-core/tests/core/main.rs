//! Integration tests of medsec-core: one binary, one module per concern.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod corpus;
mod cpe_examples;
mod properties;
mod purl_spec;
