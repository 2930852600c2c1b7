//! SBOM readers: CycloneDX 1.2–1.6 (JSON, XML) and SPDX 2.2/2.3 (JSON, tag-value).
