//! Any bytes as a test policy file: reading never panics; an error names the file; a
//! policy that loads has ranks 1…n, a security level for every rank, and gives every
//! device market a rank within them.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use medsec_catalog::TestPolicy;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match TestPolicy::from_text("fuzz-policy.yaml", text) {
        Ok(policy) => {
            let top = policy.levels.len() as u8;
            assert!((1..=4).contains(&top));
            for (i, l) in policy.levels.iter().enumerate() {
                assert_eq!(usize::from(l.rank), i + 1);
                assert!(policy.security_level.contains_key(&l.rank));
            }
            for (market, classes) in &policy.class_ranks {
                for class in classes.keys() {
                    let markets: BTreeMap<String, String> =
                        [(market.clone(), class.clone())].into();
                    let (rank, _) = policy.device_rank(&markets);
                    assert!((1..=top).contains(&rank));
                }
            }
            assert_eq!(policy.sha256.len(), 64);
        }
        Err(e) => {
            let message = e.to_string();
            assert!(message.contains("fuzz-policy.yaml"), "{message}");
        }
    }
});
