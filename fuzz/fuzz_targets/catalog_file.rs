//! Any bytes as a project catalogue file (requirements or tests, chosen by the first
//! byte) added to the built-in catalogue: reading never panics; an error names the
//! file; a catalogue that loads still validates clean, keeps every built-in entry and
//! every id once.
#![no_main]

use std::collections::HashSet;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use medsec_catalog::Catalog;

fn builtin() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::builtin().unwrap_or_else(|e| panic!("{e}")))
}

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let file = if first % 2 == 0 {
        "requirements/fuzz.yaml"
    } else {
        "tests/fuzz.yaml"
    };
    match builtin().clone().with_file(file, text) {
        Ok(catalog) => {
            assert!(catalog.validate().is_empty());
            assert!(catalog.requirements.len() >= builtin().requirements.len());
            assert!(catalog.tests.len() >= builtin().tests.len());
            let mut ids = HashSet::new();
            for r in &catalog.requirements {
                assert!(ids.insert(r.id.as_str()), "{} twice", r.id);
            }
            let mut ids = HashSet::new();
            for t in &catalog.tests {
                assert!(ids.insert(t.id.as_str()), "{} twice", t.id);
            }
        }
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.contains("fuzz.yaml"),
                "the error does not name the file: {message}"
            );
        }
    }
});
