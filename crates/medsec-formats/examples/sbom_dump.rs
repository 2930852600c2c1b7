//! Differential check of the SBOM reader: reads every file given (and deterministic
//! mutations of each JSON file) and prints one line per case with a digest of the
//! `Debug` form of the outcome (and the error itself), so that two builds of the reader
//! can be compared with `diff`:
//! `cargo run --release -p medsec-formats --example sbom_dump -- FILE... > out.txt`.

use sha2::{Digest, Sha256};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn outcome(bytes: &[u8], limits: medsec_formats::sbom::Limits) -> String {
    match medsec_formats::sbom::read_with(bytes, limits) {
        Ok(r) => {
            let debug = format!("{:?} {:?}", r.sbom, r.warnings);
            let digest = Sha256::digest(debug.as_bytes());
            let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
            let first = r
                .warnings
                .first()
                .map(ToString::to_string)
                .unwrap_or_default();
            format!(
                "ok {hex} components={} warnings={} {first}",
                r.sbom.components.len(),
                r.warnings.len()
            )
        }
        Err(e) => format!("err {e:?}"),
    }
}

/// Mutations that exercise the reader's paths: byte changes, cuts, and JSON-aware edits.
fn mutations(text: &[u8], rng: &mut Rng) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let s = String::from_utf8_lossy(text).into_owned();
    let edits: &[(&str, &str)] = &[
        ("\"name\"", "\"name\": null, \"name\""),
        ("\"name\"", "\"nme\""),
        ("\"name\":", "\"name\": 5, \"x\":"),
        ("\"type\"", "\"type\": \"library\", \"type\""),
        ("\"version\"", "\"version\": [[[[[[1]]]]]], \"zz\""),
        ("\"bom-ref\"", "\"bom-ref\": \"dup\", \"x-bom-ref\""),
        ("\"components\"", "\"components\": null, \"components2\""),
        (
            "\"components\": [",
            "\"components\": [{\"type\": \"library\", \"name\": \"a\", \"bom-ref\": \"dup\"}, {\"type\": \"library\", \"name\": \"b\", \"bom-ref\": \"dup\"},",
        ),
        (
            "\"specVersion\"",
            "\"spdxVersion\": \"SPDX-2.3\", \"specVersion\"",
        ),
        (
            "\"bomFormat\"",
            "\"bomFormat\": \"CycloneDX\", \"bomFormat\"",
        ),
        (
            "\"hashes\"",
            "\"hashes\": [], \"evidence\": {\"a\": [1, 2e400]}, \"h\"",
        ),
        (
            "\"hashes\"",
            "\"unknownx\": {\"a\": {\"b\": {\"c\": [[[[[[[[[[[[1]]]]]]]]]]]]}}}, \"hashes\"",
        ),
        ("\"purl\"", "\"purl\": \"not a purl\", \"purl2\""),
        ("\"cpe\"", "\"cpe\": \"cpe:bad\", \"cpe2\""),
        (
            "\"licenses\"",
            "\"licenses\": [{\"expression\": \"MIT OR\"}], \"l2\"",
        ),
        (
            "\"dependencies\"",
            "\"dependencies\": [{\"ref\": \"nowhere\", \"dependsOn\": [\"x\"]}], \"d2\"",
        ),
        (
            "\"metadata\"",
            "\"metadata\": {\"tools\": [{\"name\": 5}]}, \"m2\"",
        ),
        (
            "\"metadata\"",
            "\"metadata\": {\"tools\": {\"components\": [{\"type\": \"application\", \"name\": \"t\", \"bom-ref\": \"t1\"}], \"services\": [{\"name\": \"s\", \"bom-ref\": \"t1\"}]}}, \"m2\"",
        ),
        (
            "\"services\"",
            "\"services\": [{\"name\": \"s\", \"data\": [[\"inbound\", \"PII\"]], \"services\": [{\"bom-ref\": \"\"}]}], \"s2\"",
        ),
        (
            "{",
            "{\"services\": [{\"name\": \"s\", \"data\": [{\"flow\": \"sideways\", \"classification\": null}], \"x\": 1e999}],",
        ),
        ("{", "{\"version\": 0,"),
        ("{", "{\"version\": 1.5,"),
        ("{", "{\"version\": 99999999999999999999,"),
        (
            "{",
            "{\"serialNumber\": \"urn:uuid:3E671687-395B-41F5-A30F-A58921A69B79\",",
        ),
        ("\"name\": \"", "\"name\": \"esc\\u0061ped\\n"),
        ("\"n", "\"\\u006e"),
        ("\"type\": \"", "\"type\": \"device-driver"),
        ("}", "}   \n  "),
        ("[", "[ "),
    ];
    for (k, (from, to)) in edits.iter().enumerate() {
        let count = s.matches(from).count();
        if count == 0 {
            continue;
        }
        for which in [0, count / 2, count - 1] {
            if let Some((i, _)) = s.match_indices(from).nth(which) {
                let mut t = s.clone();
                t.replace_range(i..i + from.len(), to);
                out.push((format!("edit{k}@{which}"), t.into_bytes()));
            }
        }
    }
    for m in 0..24 {
        let mut b = text.to_vec();
        for _ in 0..1 + rng.below(3) {
            let i = rng.below(b.len());
            let choices = b"{}[],:\"\\ 0a-.ne";
            b[i] = choices[rng.below(choices.len())];
        }
        out.push((format!("flip{m}"), b));
    }
    for m in 0..6 {
        let cut = rng.below(text.len());
        out.push((format!("cut{m}"), text[..cut].to_vec()));
    }
    out
}

fn main() -> std::io::Result<()> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let small = medsec_formats::sbom::Limits::new(512 * 1024 * 1024, 6);
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path)?;
        println!("{path}: {}", outcome(&bytes, Default::default()));
        println!("{path} depth6: {}", outcome(&bytes, small));
        if path.ends_with(".json") && bytes.len() < 4_000_000 {
            for (name, m) in mutations(&bytes, &mut rng) {
                println!("{path} {name}: {}", outcome(&m, Default::default()));
            }
        }
    }
    Ok(())
}
