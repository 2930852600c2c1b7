//! Parses arbitrary UTF-8 as a purl; any purl that parses must print to a canonical string
//! that parses back to the same value and prints identically.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medsec_core::purl::Purl;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    for parsed in [s.parse::<Purl>(), Purl::parse_lenient(s)] {
        if let Ok(p) = parsed {
            let canonical = p.to_string();
            let back: Purl = match canonical.parse() {
                Ok(b) => b,
                Err(e) => panic!("canonical form {canonical:?} of {s:?} does not parse: {e}"),
            };
            assert_eq!(back, p, "round trip of {s:?} via {canonical:?}");
            assert_eq!(back.to_string(), canonical);
        }
    }
});
