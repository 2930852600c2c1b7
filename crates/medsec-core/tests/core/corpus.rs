//! Locates the shared corpus (`../shared/corpus` beside the workspace; `MEDSEC_CORPUS`
//! overrides). A missing corpus fails the test run: conformance is never skipped.

use std::path::PathBuf;

pub fn root() -> PathBuf {
    let dir = match std::env::var_os("MEDSEC_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    };
    assert!(
        dir.is_dir(),
        "conformance corpus not found at {} — set MEDSEC_CORPUS or place the corpus at \
         ../shared/corpus beside the workspace; these tests never skip",
        dir.display()
    );
    dir
}

pub fn read_json(rel: &str) -> serde_json::Value {
    let path = root().join(rel);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read corpus file {}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("corpus file {} is not JSON: {e}", path.display()))
}

pub fn list_dir(rel: &str) -> Vec<PathBuf> {
    let dir = root().join(rel);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list corpus dir {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}
