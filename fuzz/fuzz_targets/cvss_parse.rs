//! Any string: CVSS parsing never panics; what parses, scores within 0–10 and its
//! normalised form parses back to the same scores.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match medsec_score::parse(text) {
        Ok(vector) => {
            let scores = vector.score();
            assert!(scores.overall.score.tenths() <= 100);
            let again = medsec_score::parse(&vector.normalise()).expect("normalised form parses");
            assert_eq!(again.score(), scores);
        }
        Err(error) => assert!(error.offset() <= text.len()),
    }
});
