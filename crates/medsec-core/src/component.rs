//! The version-independent SBOM component model.
