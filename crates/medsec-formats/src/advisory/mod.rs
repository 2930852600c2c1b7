//! Advisory readers: NVD CVE API 2.0, CVE JSON 5.x, OSV 1.x, CSAF 2.0.
