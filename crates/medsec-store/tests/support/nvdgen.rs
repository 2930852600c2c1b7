//! Generated NVD API 2.0 data in the shape of real records (see
//! `tests/fixtures/nvd/`), small enough for tests.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// The CVE id of generated record `n`.
pub fn cve_id(n: usize) -> String {
    format!("CVE-2030-{:05}", n)
}

/// One NVD `cve` object. `version` changes the description (so the content differs
/// between versions); `last_modified` is NVD's form (`2024-01-02T03:04:05.678`).
pub fn cve(n: usize, last_modified: &str, version: u32, cpe_matches: usize) -> Value {
    let vendor = format!("vendor{}", n % 37);
    let product = format!("product{}", n % 211);
    let matches: Vec<Value> = (0..cpe_matches)
        .map(|i| {
            let mut m = json!({
                "vulnerable": true,
                "criteria": format!("cpe:2.3:a:{vendor}:{product}{}:*:*:*:*:*:*:*:*", if i % 3 == 2 { format!("_{i}") } else { String::new() }),
                "matchCriteriaId": format!("00000000-0000-4000-8000-{:012}", n * 100 + i),
            });
            match i % 4 {
                0 => m["versionEndExcluding"] = json!(format!("{}.{}.0", 1 + i, n % 10)),
                1 => {
                    m["versionStartIncluding"] = json!(format!("{}.0", i));
                    m["versionEndIncluding"] = json!(format!("{}.9", i));
                }
                2 => {}
                _ => m["versionEndExcluding"] = json!(format!("{}.{}", n % 7, i)),
            }
            m
        })
        .collect();
    let mut c = json!({
        "id": cve_id(n),
        "sourceIdentifier": "cve@mitre.org",
        "published": "2030-01-01T00:00:00.000",
        "lastModified": last_modified,
        "vulnStatus": "Analyzed",
        "descriptions": [{"lang": "en", "value": format!("Generated vulnerability {n} in {vendor} {product}, version {version} of this record.")}],
        "metrics": {
            "cvssMetricV31": [{
                "source": "nvd@nist.gov",
                "type": "Primary",
                "cvssData": {
                    "version": "3.1",
                    "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                    "baseScore": 9.8,
                    "baseSeverity": "CRITICAL"
                },
                "exploitabilityScore": 3.9,
                "impactScore": 5.9
            }]
        },
        "weaknesses": [{"source": "nvd@nist.gov", "type": "Primary", "description": [{"lang": "en", "value": format!("CWE-{}", 20 + n % 50)}]}],
        "references": [{"url": format!("https://example.invalid/advisory/{n}"), "source": "cve@mitre.org", "tags": ["Vendor Advisory"]}]
    });
    if cpe_matches > 0 {
        c["configurations"] =
            json!([{"nodes": [{"operator": "OR", "negate": false, "cpeMatch": matches}]}]);
    }
    c
}

/// An NVD CVE API 2.0 response page holding `cves`.
pub fn page(cves: Vec<Value>) -> Vec<u8> {
    let n = cves.len();
    let items: Vec<Value> = cves.into_iter().map(|c| json!({ "cve": c })).collect();
    let page = json!({
        "resultsPerPage": n,
        "startIndex": 0,
        "totalResults": n,
        "format": "NVD_CVE",
        "version": "2.0",
        "timestamp": "2030-06-01T00:00:00.000",
        "vulnerabilities": items
    });
    serde_json::to_vec(&page).unwrap_or_default()
}

/// Writes `count` records (ids `first..first+count`) as pages of `per_page` into `dir`;
/// returns the files.
pub fn write_pages(
    dir: &Path,
    first: usize,
    count: usize,
    per_page: usize,
    last_modified: &str,
    version: u32,
    cpe_matches: usize,
) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files = Vec::new();
    let mut start = first;
    while start < first + count {
        let end = (start + per_page).min(first + count);
        let cves = (start..end)
            .map(|n| cve(n, last_modified, version, cpe_matches))
            .collect();
        let path = dir.join(format!("nvdcve-2.0-{start:06}.json"));
        std::fs::write(&path, page(cves)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        files.push(path);
        start = end;
    }
    files
}
