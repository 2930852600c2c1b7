//! Snapshots of the normalised model: the small fixtures (one per format, written for
//! these tests, every mapping row of the range table exercised) and one real CISA
//! medical advisory from the corpus.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use medsec_formats::advisory::{ReadOptions, read};

fn snapshot_of(bytes: &[u8], name: &str) -> serde_json::Value {
    let options = ReadOptions {
        file_name: Some(name.to_owned()),
        ..ReadOptions::default()
    };
    let doc = read(bytes, &options).unwrap_or_else(|e| panic!("{name}: {:#?}", e.problems()));
    serde_json::to_value(&doc).unwrap()
}

#[test]
fn fixtures() {
    for name in [
        "osv-min.json",
        "nvd-min.json",
        "cve5-min.json",
        "csaf-min.json",
    ] {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/advisory")
            .join(name);
        let value = snapshot_of(&std::fs::read(&path).unwrap(), name);
        insta::assert_json_snapshot!(name, value);
    }
}

#[test]
fn icsma_real_advisory() {
    let corpus = match std::env::var_os("MEDSEC_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    };
    assert!(corpus.is_dir(), "corpus missing at {}", corpus.display());
    let name = "icsma-24-023-01.json";
    let value = snapshot_of(
        &std::fs::read(corpus.join("csaf-icsma").join(name)).unwrap(),
        name,
    );
    insta::assert_json_snapshot!(name, value);
}
