//! A device file of arbitrary text: reading and checking it must never panic, and every
//! diagnostic must point inside the text.
#![no_main]

use std::path::Path;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let dir = Path::new("/nonexistent-fuzz-dir");
    let result =
        medsec_device::check::check_text(&dir.join("device.yaml"), dir, Arc::new(text.to_owned()));
    let report = match result {
        Ok(loaded) => loaded.report,
        Err(medsec_device::LoadError::Invalid(report)) => *report,
        Err(other) => panic!("unexpected error kind: {other}"),
    };
    for diagnostic in &report.diagnostics {
        assert!(diagnostic.span.end <= text.len(), "span past the end");
        assert!(text.is_char_boundary(diagnostic.span.start));
        assert!(text.is_char_boundary(diagnostic.span.end));
        assert!(diagnostic.line >= 1 && diagnostic.column >= 1);
    }
});
