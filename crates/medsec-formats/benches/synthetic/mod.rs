//! Deterministic synthetic documents for the format benchmarks: a CycloneDX 1.6 JSON SBOM
//! and an NVD CVE API 2.0 JSON page of a requested size. Shared by `benches/formats.rs` and
//! `examples/gen_formats.rs` (which writes them to files for profiling).
//!
//! The documents are valid (the readers accept them without errors) and shaped like real
//! ones: every field a real SBOM or NVD record carries often is present, with varied values,
//! so that the readers do their full work (purl, CPE, licence and CVSS parsing).

// `dead_code`: each user includes its own copy of the module and may leave an item unused;
// `\n` kept explicit so that the layout of the generated text reads from the format strings.
#![allow(dead_code, clippy::write_with_newline)]

use std::fmt::Write;

/// xorshift64*: deterministic, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn hex(&mut self, out: &mut String, digits: usize) {
        let mut left = digits;
        while left > 0 {
            let word = self.next();
            for i in 0..16.min(left) {
                let d = ((word >> (i * 4)) & 0xF) as u32;
                out.push(char::from_digit(d, 16).unwrap_or('0'));
            }
            left = left.saturating_sub(16);
        }
    }
}

const ECOSYSTEMS: &[(&str, &str)] = &[
    ("npm", "node"),
    ("pypi", "python"),
    ("maven", "java"),
    ("cargo", "rust"),
    ("golang", "go"),
    ("nuget", "dotnet"),
    ("deb", "debian"),
    ("generic", "firmware"),
];
const WORDS: &[&str] = &[
    "alpha", "beta", "core", "crypto", "data", "engine", "format", "gateway", "http", "infusion",
    "json", "kernel", "log", "monitor", "net", "parser", "queue", "rpc", "sensor", "tls", "usb",
    "vital", "web", "xml", "zlib",
];
const LICENCES: &[&str] = &[
    "MIT",
    "Apache-2.0",
    "BSD-3-Clause",
    "GPL-2.0-only",
    "LGPL-2.1-or-later",
    "MPL-2.0",
    "ISC",
];
const EXPRESSIONS: &[&str] = &[
    "MIT OR Apache-2.0",
    "Apache-2.0 WITH LLVM-exception",
    "(MIT AND BSD-3-Clause) OR GPL-2.0-or-later",
];
const TYPES: &[&str] = &[
    "library",
    "library",
    "library",
    "framework",
    "firmware",
    "application",
];
const SCOPES: &[&str] = &["required", "required", "optional", "excluded"];

fn name(rng: &mut Rng) -> String {
    format!("{}-{}", rng.pick(WORDS), rng.pick(WORDS))
}

fn version(rng: &mut Rng) -> String {
    format!("{}.{}.{}", rng.below(12), rng.below(40), rng.below(100))
}

fn json_str(out: &mut String, s: &str) {
    // Our generated text never needs escaping except for the quote and backslash.
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// A CycloneDX 1.6 JSON SBOM of at least `target_bytes`.
pub fn cyclonedx_json(target_bytes: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(target_bytes + 1_000_000);
    out.push_str(
        "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.6\",\n  \
         \"serialNumber\": \"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79\",\n  \"version\": 1,\n  \
         \"metadata\": {\n    \"timestamp\": \"2026-11-28T12:00:00Z\",\n    \
         \"tools\": {\"components\": [{\"type\": \"application\", \"name\": \"medsec-bench\", \"version\": \"0.1.0\"}]},\n    \
         \"component\": {\"type\": \"device\", \"bom-ref\": \"device\", \"name\": \"Infusion pump\", \"version\": \"4.2.0\"},\n    \
         \"manufacturer\": {\"name\": \"Example Medical\", \"url\": [\"https://example.invalid\"]}\n  },\n  \
         \"components\": [\n",
    );
    let mut refs: Vec<String> = Vec::new();
    // Leave room for the dependencies (about a tenth of the document).
    let components_budget = target_bytes - target_bytes / 10;
    let mut i = 0usize;
    while out.len() < components_budget {
        if i > 0 {
            out.push_str(",\n");
        }
        component(&mut out, &mut rng, i, &mut refs, 0);
        i += 1;
    }
    out.push_str("\n  ],\n  \"dependencies\": [\n");
    for (k, r) in refs.iter().enumerate() {
        if k > 0 {
            out.push_str(",\n");
        }
        out.push_str("    {\"ref\": ");
        json_str(&mut out, r);
        out.push_str(", \"dependsOn\": [");
        let n = if k == 0 { 0 } else { rng.below(5) };
        for d in 0..n {
            if d > 0 {
                out.push_str(", ");
            }
            let target = rng.below(k as u64) as usize;
            json_str(&mut out, &refs[target]);
        }
        out.push_str("]}");
    }
    out.push_str("\n  ]\n}\n");
    out.into_bytes()
}

fn component(out: &mut String, rng: &mut Rng, i: usize, refs: &mut Vec<String>, depth: usize) {
    let (purl_type, language) = ECOSYSTEMS[rng.below(ECOSYSTEMS.len() as u64) as usize];
    let group = rng.pick(WORDS);
    let name = name(rng);
    let version = version(rng);
    let bom_ref = format!("pkg:{purl_type}/{group}/{name}@{version}?n={i}-{depth}");
    refs.push(bom_ref.clone());
    let indent = "    ";
    let _ = write!(
        out,
        "{indent}{{\n{indent}  \"type\": \"{}\",\n",
        rng.pick(TYPES)
    );
    out.push_str(indent);
    out.push_str("  \"bom-ref\": ");
    json_str(out, &bom_ref);
    let _ = write!(
        out,
        ",\n{indent}  \"supplier\": {{\"name\": \"{} {} Ltd\", \"url\": [\"https://{}.example.invalid\"]}},\n",
        rng.pick(WORDS),
        rng.pick(WORDS),
        group
    );
    let _ = write!(
        out,
        "{indent}  \"group\": \"{group}\",\n{indent}  \"name\": \"{name}\",\n{indent}  \"version\": \"{version}\",\n"
    );
    let _ = write!(
        out,
        "{indent}  \"description\": \"The {name} {language} package: {} {} {} for the {} subsystem.\",\n",
        rng.pick(WORDS),
        rng.pick(WORDS),
        rng.pick(WORDS),
        rng.pick(WORDS)
    );
    let _ = write!(out, "{indent}  \"scope\": \"{}\",\n", rng.pick(SCOPES));
    out.push_str(indent);
    out.push_str("  \"hashes\": [\n");
    out.push_str(indent);
    out.push_str("    {\"alg\": \"SHA-256\", \"content\": \"");
    rng.hex(out, 64);
    out.push_str("\"},\n");
    out.push_str(indent);
    out.push_str("    {\"alg\": \"SHA-1\", \"content\": \"");
    rng.hex(out, 40);
    out.push_str("\"}\n");
    out.push_str(indent);
    out.push_str("  ],\n");
    if rng.below(3) == 0 {
        let _ = write!(
            out,
            "{indent}  \"licenses\": [{{\"expression\": \"{}\"}}],\n",
            rng.pick(EXPRESSIONS)
        );
    } else {
        let _ = write!(
            out,
            "{indent}  \"licenses\": [{{\"license\": {{\"id\": \"{}\"}}}}],\n",
            rng.pick(LICENCES)
        );
    }
    let _ = write!(
        out,
        "{indent}  \"copyright\": \"Copyright (c) 20{:02} {} contributors\",\n",
        rng.below(26),
        group
    );
    let _ = write!(
        out,
        "{indent}  \"cpe\": \"cpe:2.3:a:{group}:{}:{version}:*:*:*:*:*:*:*\",\n",
        name.replace('-', "_")
    );
    let purl = if purl_type == "deb" {
        format!("pkg:deb/debian/{name}@{version}?arch=amd64")
    } else if purl_type == "maven" || purl_type == "golang" || purl_type == "npm" {
        format!("pkg:{purl_type}/{group}/{name}@{version}")
    } else {
        format!("pkg:{purl_type}/{name}@{version}")
    };
    let _ = write!(out, "{indent}  \"purl\": \"{purl}\",\n");
    let _ = write!(
        out,
        "{indent}  \"externalReferences\": [\n{indent}    {{\"type\": \"vcs\", \"url\": \"https://git.example.invalid/{group}/{name}.git\"}},\n{indent}    {{\"type\": \"website\", \"url\": \"https://{name}.example.invalid/\"}}\n{indent}  ],\n"
    );
    let _ = write!(
        out,
        "{indent}  \"properties\": [\n{indent}    {{\"name\": \"medsec:language\", \"value\": \"{language}\"}},\n{indent}    {{\"name\": \"medsec:build-id\", \"value\": \"{}\"}},\n{indent}    {{\"name\": \"cdx:device:safety-class\", \"value\": \"{}\"}}\n{indent}  ]",
        rng.next(),
        rng.pick(&["A", "B", "C"])
    );
    // One component in twenty bundles two sub-components, as firmware images do.
    if depth == 0 && rng.below(20) == 0 {
        out.push_str(",\n");
        out.push_str(indent);
        out.push_str("  \"components\": [\n");
        for k in 0..2 {
            if k > 0 {
                out.push_str(",\n");
            }
            component(out, rng, i, refs, depth + 1 + k);
        }
        out.push('\n');
        out.push_str(indent);
        out.push_str("  ]");
    }
    out.push('\n');
    out.push_str(indent);
    out.push('}');
}

/// CVSS vectors with their correct base scores and severities.
const V40: &[(&str, f64, &str)] = &[
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        9.3,
        "CRITICAL",
    ),
    (
        "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        8.5,
        "HIGH",
    ),
];
const V31: &[(&str, f64, &str)] = &[
    (
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        9.8,
        "CRITICAL",
    ),
    ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8, "HIGH"),
    (
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        6.1,
        "MEDIUM",
    ),
];
const V30: &[(&str, f64, &str)] = &[
    ("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8, "HIGH"),
    (
        "CVSS:3.0/AV:A/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N",
        5.3,
        "MEDIUM",
    ),
];
const V2: &[(&str, f64, &str)] = &[
    ("AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, "HIGH"),
    ("AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3, "MEDIUM"),
];

fn metric(out: &mut String, rng: &mut Rng, list: &[(&str, f64, &str)], version: &str, v2: bool) {
    let (vector, score, severity) = list[rng.below(list.len() as u64) as usize];
    let primary = rng.below(2) == 0;
    let source = if primary {
        "nvd@nist.gov"
    } else {
        "134c704f-9b21-4f2e-91b3-4a467353bcc0"
    };
    let kind = if primary { "Primary" } else { "Secondary" };
    let _ = write!(
        out,
        "{{\"source\": \"{source}\", \"type\": \"{kind}\", \"cvssData\": {{\"version\": \"{version}\", \"vectorString\": \"{vector}\", \"baseScore\": {score:.1}"
    );
    if v2 {
        out.push_str(", \"accessVector\": \"NETWORK\", \"accessComplexity\": \"LOW\", \"authentication\": \"NONE\", \"confidentialityImpact\": \"PARTIAL\", \"integrityImpact\": \"PARTIAL\", \"availabilityImpact\": \"PARTIAL\"}");
        let _ = write!(
            out,
            ", \"baseSeverity\": \"{severity}\", \"exploitabilityScore\": 10.0, \"impactScore\": 6.4, \"acInsufInfo\": false, \"obtainAllPrivilege\": false, \"obtainUserPrivilege\": false, \"obtainOtherPrivilege\": false, \"userInteractionRequired\": false}}"
        );
    } else {
        let _ = write!(
            out,
            ", \"baseSeverity\": \"{severity}\", \"attackVector\": \"NETWORK\", \"attackComplexity\": \"LOW\", \"privilegesRequired\": \"NONE\", \"userInteraction\": \"NONE\", \"scope\": \"UNCHANGED\", \"confidentialityImpact\": \"HIGH\", \"integrityImpact\": \"HIGH\", \"availabilityImpact\": \"HIGH\"}}, \"exploitabilityScore\": 3.9, \"impactScore\": 5.9}}"
        );
    }
}

/// An NVD CVE API 2.0 response page of at least `target_bytes`.
pub fn nvd_page(target_bytes: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut items = String::with_capacity(target_bytes + 1_000_000);
    let mut count = 0usize;
    while items.len() < target_bytes {
        if count > 0 {
            items.push_str(",\n");
        }
        nvd_item(&mut items, &mut rng, count);
        count += 1;
    }
    let mut out = String::with_capacity(items.len() + 300);
    let _ = write!(
        out,
        "{{\n  \"resultsPerPage\": {count},\n  \"startIndex\": 0,\n  \"totalResults\": {count},\n  \"format\": \"NVD_CVE\",\n  \"version\": \"2.0\",\n  \"timestamp\": \"2026-11-28T12:00:00.000\",\n  \"vulnerabilities\": [\n"
    );
    out.push_str(&items);
    out.push_str("\n  ]\n}\n");
    out.into_bytes()
}

fn nvd_item(out: &mut String, rng: &mut Rng, n: usize) {
    let year = 2000 + rng.below(27);
    let _ = write!(
        out,
        "    {{\"cve\": {{\n      \"id\": \"CVE-{year}-{:05}\",\n      \"sourceIdentifier\": \"cve@mitre.org\",\n      \"published\": \"{year}-0{}-1{}T00:17:00.000\",\n      \"lastModified\": \"2025-04-09T00:30:58.490\",\n      \"vulnStatus\": \"{}\",\n      \"cveTags\": [],\n",
        n % 100_000,
        1 + rng.below(9),
        rng.below(10),
        rng.pick(&["Analyzed", "Modified", "Deferred"])
    );
    let product = rng.pick(WORDS);
    let vendor = rng.pick(WORDS);
    let _ = write!(
        out,
        "      \"descriptions\": [\n        {{\"lang\": \"en\", \"value\": \"A buffer overflow in the {product} {} of {vendor} {product} before 2.{} allows remote attackers to cause a denial of service or execute arbitrary code via a crafted {} request. NOTE: this issue exists because of an incomplete fix for an earlier \\\"{}\\\" vulnerability.\"}},\n        {{\"lang\": \"es\", \"value\": \"Un desbordamiento de b\\u00fafer en {product} permite a atacantes remotos causar una denegaci\\u00f3n de servicio.\"}}\n      ],\n",
        rng.pick(WORDS),
        rng.below(20),
        rng.pick(WORDS),
        rng.pick(WORDS)
    );
    out.push_str("      \"metrics\": {\n");
    let mut groups = Vec::new();
    if rng.below(3) == 0 {
        groups.push(("cvssMetricV40", V40, "4.0", false));
    }
    groups.push(("cvssMetricV31", V31, "3.1", false));
    if rng.below(2) == 0 {
        groups.push(("cvssMetricV30", V30, "3.0", false));
    }
    groups.push(("cvssMetricV2", V2, "2.0", true));
    for (g, (key, list, version, v2)) in groups.iter().enumerate() {
        if g > 0 {
            out.push_str(",\n");
        }
        let _ = write!(out, "        \"{key}\": [");
        let n = 1 + rng.below(2);
        for k in 0..n {
            if k > 0 {
                out.push_str(", ");
            }
            metric(out, rng, list, version, *v2);
        }
        out.push(']');
    }
    out.push_str("\n      },\n");
    let _ = write!(
        out,
        "      \"weaknesses\": [{{\"source\": \"nvd@nist.gov\", \"type\": \"Primary\", \"description\": [{{\"lang\": \"en\", \"value\": \"CWE-{}\"}}]}}],\n",
        rng.pick(&["79", "119", "120", "787", "20", "400"])
    );
    out.push_str("      \"configurations\": [\n");
    let configs = 1 + rng.below(2);
    for c in 0..configs {
        if c > 0 {
            out.push_str(",\n");
        }
        let two_nodes = rng.below(2) == 0;
        out.push_str("        {");
        if two_nodes {
            out.push_str("\"operator\": \"AND\", ");
        }
        out.push_str("\"nodes\": [\n");
        let nodes = if two_nodes { 2 } else { 1 };
        for k in 0..nodes {
            if k > 0 {
                out.push_str(",\n");
            }
            out.push_str("          {\"operator\": \"OR\", \"negate\": false, \"cpeMatch\": [\n");
            let matches = 1 + rng.below(5);
            for m in 0..matches {
                if m > 0 {
                    out.push_str(",\n");
                }
                let id = {
                    let mut s = String::new();
                    rng.hex(&mut s, 8);
                    s.push('-');
                    rng.hex(&mut s, 4);
                    s.push_str("-4");
                    rng.hex(&mut s, 3);
                    s.push_str("-8");
                    rng.hex(&mut s, 3);
                    s.push('-');
                    rng.hex(&mut s, 12);
                    s.to_uppercase()
                };
                if k == 1 {
                    let _ = write!(
                        out,
                        "            {{\"vulnerable\": false, \"criteria\": \"cpe:2.3:o:{vendor}:{}_os:-:*:*:*:*:*:*:*\", \"matchCriteriaId\": \"{id}\"}}",
                        rng.pick(WORDS)
                    );
                } else if rng.below(2) == 0 {
                    let _ = write!(
                        out,
                        "            {{\"vulnerable\": true, \"criteria\": \"cpe:2.3:a:{vendor}:{product}:*:*:*:*:*:*:*:*\", \"versionStartIncluding\": \"{}.0\", \"versionEndExcluding\": \"{}.{}.{}\", \"matchCriteriaId\": \"{id}\"}}",
                        rng.below(3),
                        3 + rng.below(5),
                        rng.below(10),
                        rng.below(30)
                    );
                } else {
                    let _ = write!(
                        out,
                        "            {{\"vulnerable\": true, \"criteria\": \"cpe:2.3:a:{vendor}:{product}:{}.{}.{}:*:*:*:*:*:*:*\", \"matchCriteriaId\": \"{id}\"}}",
                        rng.below(5),
                        rng.below(20),
                        rng.below(40)
                    );
                }
            }
            out.push_str("\n          ]}");
        }
        out.push_str("\n        ]}");
    }
    out.push_str("\n      ],\n      \"references\": [\n");
    let refs = 2 + rng.below(5);
    for r in 0..refs {
        if r > 0 {
            out.push_str(",\n");
        }
        let _ = write!(
            out,
            "        {{\"url\": \"https://{vendor}.example.invalid/security/advisories/{n}-{r}\", \"source\": \"cve@mitre.org\", \"tags\": [\"{}\", \"{}\"]}}",
            rng.pick(&["Vendor Advisory", "Third Party Advisory", "Exploit"]),
            rng.pick(&["Patch", "Mailing List", "Issue Tracking"])
        );
    }
    out.push_str("\n      ]\n    }}");
}
