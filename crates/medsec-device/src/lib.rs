//! The device description: one YAML file per device version (`device.yaml`).
//!
//! [`check::load`] reads a file and checks it in stages (YAML, JSON Schema, meaning),
//! collecting every problem with its location; [`model::Device`] is what a valid file
//! says. [`schema::device_schema`] is the JSON Schema editors use; it is generated from
//! the model types.

pub mod check;
pub mod diagnostic;
pub mod import;
pub mod located;
pub mod model;
pub mod rubric_context;
pub mod sbom;
pub mod schema;
pub mod summary;
pub mod templates;
pub mod vocabulary;

pub use check::{LoadError, LoadedDevice, load};
pub use model::Device;
