//! The committed JSON Schema is current, and every bundled example device passes the
//! check cleanly and validates against that schema with a JSON Schema validator.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn committed_schema_is_current() {
    let path = workspace_root().join("schemas/device.schema.json");
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        committed,
        medsec_device::schema::device_schema(),
        "schemas/device.schema.json is stale: run `medsec schema device > schemas/device.schema.json`"
    );
}

fn example_devices() -> Vec<PathBuf> {
    let mut devices: Vec<PathBuf> = std::fs::read_dir(workspace_root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path().join("device.yaml"))
        .filter(|p| p.exists())
        .collect();
    devices.sort();
    devices
}

#[test]
fn examples_pass_the_check_without_warnings() {
    let devices = example_devices();
    assert_eq!(
        devices.len(),
        4,
        "four example devices expected: {devices:?}"
    );
    for path in devices {
        let loaded = medsec_device::load(&path).unwrap_or_else(|e| match e {
            medsec_device::LoadError::Invalid(report) => {
                panic!("{}: {:#?}", path.display(), report.diagnostics)
            }
            other => panic!("{other}"),
        });
        assert!(
            loaded.report.diagnostics.is_empty(),
            "{}: {:#?}",
            path.display(),
            loaded.report.diagnostics
        );
    }
}

#[test]
fn examples_validate_against_the_committed_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(workspace_root().join("schemas/device.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for path in example_devices() {
        let text = std::fs::read_to_string(&path).unwrap();
        let (document, problems) = medsec_device::located::parse(&text).unwrap();
        assert!(problems.is_empty(), "{}: {problems:?}", path.display());
        let errors: Vec<String> = validator
            .iter_errors(&document.value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
}

#[test]
fn the_schema_rejects_what_the_check_rejects_structurally() {
    // The validator must not be trivially permissive: a misspelt key fails it.
    let schema = medsec_device::schema::device_schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut device: serde_json::Value = serde_json::from_str(
        r#"{"medsec":1,"device":{"name":"x","manufacturer":"y","version":"1","intended_use":"z",
            "categories":["wearable"],"markets":[{"market":"fda","class":"II"}]}}"#,
    )
    .unwrap();
    assert!(validator.is_valid(&device));
    device["device"]["colour"] = "blue".into();
    assert!(!validator.is_valid(&device));
}
