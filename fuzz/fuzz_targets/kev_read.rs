//! Any bytes as the CISA KEV catalog (JSON): reading never panics; an error names the
//! origin (and an entry's index lies inside `vulnerabilities[]`); a catalog read keeps the
//! reader's rules: a non-empty `catalogVersion` and `dateReleased`, and entries with the
//! required fields non-empty, a `CVE-` id, no id twice (case-insensitive).
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use medsec_store::{Origin, StoreError, kev};

const FILE: &str = "fuzz.json";

fuzz_target!(|data: &[u8]| {
    let origin = Origin::file(FILE);
    match kev::read(data, &origin) {
        Ok(catalog) => {
            assert!(!catalog.catalog_version.trim().is_empty(), "{catalog:?}");
            assert!(!catalog.date_released.trim().is_empty(), "{catalog:?}");
            let mut seen = HashSet::new();
            for (i, e) in catalog.entries.iter().enumerate() {
                for (name, v) in [
                    ("cveID", &e.cve_id),
                    ("vendorProject", &e.vendor_project),
                    ("product", &e.product),
                    ("vulnerabilityName", &e.vulnerability_name),
                    ("dateAdded", &e.date_added),
                    ("requiredAction", &e.required_action),
                    ("dueDate", &e.due_date),
                ] {
                    assert!(!v.trim().is_empty(), "entry {i}: `{name}` empty: {e:?}");
                }
                let id = e.cve_id.to_ascii_uppercase();
                assert!(id.starts_with("CVE-"), "entry {i}: {:?}", e.cve_id);
                assert!(seen.insert(id), "entry {i}: {:?} twice", e.cve_id);
            }
            // Every entry of the input is kept, in order.
            let value: serde_json::Value =
                serde_json::from_slice(data).unwrap_or_else(|e| panic!("read but {e}"));
            let items = value["vulnerabilities"].as_array().map_or(0, Vec::len);
            assert_eq!(items, catalog.entries.len());
        }
        Err(error) => {
            let text = error.to_string();
            assert!(
                text.contains(FILE),
                "the error does not name the origin: {text}"
            );
            match &error {
                StoreError::Kev {
                    origin: o, record, ..
                } => {
                    assert_eq!(o, &origin, "{text}");
                    if let Some(r) = record {
                        let value: serde_json::Value = serde_json::from_slice(data)
                            .unwrap_or_else(|e| panic!("entry {r} of no JSON ({e}): {text}"));
                        let items = value["vulnerabilities"].as_array().map_or(0, Vec::len);
                        assert!(*r < items, "entry {r} of {items}: {text}");
                    }
                }
                other => panic!("not a KEV error: {other:?}"),
            }
        }
    }
});
