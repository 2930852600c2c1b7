//! Every diagnostic code used in the source is explained in docs/diagnostics.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

#[test]
fn every_code_is_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let docs = std::fs::read_to_string(root.join("docs/diagnostics.md")).unwrap();
    let mut missing = Vec::new();
    let mut found = 0;
    for dir in ["crates/medsec-device/src", "crates/medsec-cli/src"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap().chain(
            std::fs::read_dir(root.join(dir).join("commands"))
                .into_iter()
                .flatten(),
        ) {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for piece in text.split('"').skip(1).step_by(2) {
                if piece.starts_with("medsec::") && !piece.contains(' ') && !piece.contains('{') {
                    found += 1;
                    if !docs.contains(&format!("`{piece}`")) {
                        missing.push(format!("{piece} ({})", path.display()));
                    }
                }
            }
        }
    }
    assert!(found > 30, "found only {found} codes: is the scan broken?");
    assert!(missing.is_empty(), "undocumented codes: {missing:#?}");
}
