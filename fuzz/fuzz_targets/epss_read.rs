//! Any bytes as a FIRST EPSS CSV: reading never panics; an error names the origin and its
//! line is 1-based and within the input's lines (`\n`-separated, as the reader counts
//! them); every score read is a `CVE-` id, met once, with finite probabilities in [0, 1],
//! and there are no more scores than lines.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use medsec_store::{Origin, StoreError, epss};

const FILE: &str = "fuzz.csv";

fuzz_target!(|data: &[u8]| {
    let origin = Origin::file(FILE);
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    match epss::read(data, &origin) {
        Ok(snapshot) => {
            assert!(
                snapshot.scores.len() <= lines,
                "{} scores",
                snapshot.scores.len()
            );
            let mut seen = HashSet::new();
            for s in &snapshot.scores {
                for (name, p) in [("epss", s.epss), ("percentile", s.percentile)] {
                    assert!(
                        p.is_finite() && (0.0..=1.0).contains(&p),
                        "{name} {p} of {s:?}"
                    );
                }
                let id = s.cve.to_ascii_uppercase();
                assert!(id.starts_with("CVE-"), "{s:?}");
                assert!(seen.insert(id), "{s:?} twice");
            }
        }
        Err(error) => {
            let text = error.to_string();
            assert!(
                text.contains(FILE),
                "the error does not name the origin: {text}"
            );
            match &error {
                StoreError::Epss {
                    origin: o, line, ..
                } => {
                    assert_eq!(o, &origin, "{text}");
                    assert!(
                        *line >= 1 && *line <= lines,
                        "line {line} of {lines}: {text}"
                    );
                }
                other => panic!("not an EPSS error: {other:?}"),
            }
        }
    }
});
