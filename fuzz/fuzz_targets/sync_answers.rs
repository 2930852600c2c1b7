//! Any bytes as a server's answer: a CSAF `changes.csv` listing and an NVD CVE API 2.0
//! page. Neither check panics; a listing accepted names only relative `.json` paths that
//! stay in the directory (no `..`, no leading `/`, no `://`, no backslash).
#![no_main]

use libfuzzer_sys::fuzz_target;
use medsec_sync::{csaf, nvd};

const URL: &str = "https://provider.example/csaf/white/changes.csv";

fuzz_target!(|data: &[u8]| {
    // The first byte picks the `startIndex` asked for (0, 2000, …) so both sides of the
    // index check are reached; the whole input is the page.
    let start = u64::from(data.first().copied().unwrap_or(0) % 4) * 2000;
    let _ = nvd::check_page_envelope(data, start);
    let _ = nvd::check_page_envelope(data, 0);

    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match csaf::parse_changes(URL, text) {
        Ok(changes) => {
            let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
            assert_eq!(changes.len(), lines, "{changes:?}");
            for (path, _) in &changes {
                assert!(
                    !path.is_empty()
                        && !path.contains("..")
                        && !path.starts_with('/')
                        && !path.contains("://")
                        && !path.contains('\\')
                        && path.ends_with(".json"),
                    "accepted {path:?}"
                );
            }
        }
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.contains(URL),
                "the error does not name the URL: {text}"
            );
        }
    }
});
