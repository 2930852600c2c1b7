//! The post-market files a person writes or receives: the regulatory clock policy
//! (`medsec clock --policy`), the curated component-support file (`medsec portfolio
//! support --curated`) and the version ranges inside it. The first byte picks which; the
//! rest is the text (non-UTF-8 skipped). Reading never panics, and an error names the
//! file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medsec_postmarket::clock::ClockPolicy;
use medsec_postmarket::support::{Curated, VersionRange};

const FILE: &str = "fuzz-input.yaml";

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match first % 3 {
        0 => {
            if let Err(e) = ClockPolicy::from_text(FILE, text) {
                assert!(
                    e.to_string().contains(FILE),
                    "the error does not name the file: {e}"
                );
            }
        }
        1 => {
            if let Err(e) = Curated::parse(FILE, text) {
                assert!(
                    e.to_string().contains(FILE),
                    "the error does not name the file: {e}"
                );
            }
        }
        _ => {
            let _ = VersionRange::parse(text);
        }
    }
});
