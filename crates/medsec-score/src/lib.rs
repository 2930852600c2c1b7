//! CVSS v2.0, v3.0, v3.1 and v4.0 scoring and the FDA/MITRE medical-device rubric.
