//! The FDA/MITRE "Rubric for Applying CVSS to Medical Devices" (placeholder).
