//! Threat models from other tools (`medsec import threat-dragon`, `medsec import
//! threagile`): the first byte picks the importer, the rest is the file (non-UTF-8
//! skipped). Importing never panics; a model imported gives a device file that medsec's
//! own check reads without panicking, and leaves only the errors an import may leave for
//! a person to resolve (`EXPECTED_CHECK_CODES`: missing severities, markets …), which
//! are the errors the check finds.
#![no_main]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use medsec_device::import::{Options, threagile, threat_dragon};

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let options = Options {
        source_name: "fuzz-input".into(),
        ..Options::default()
    };
    let imported = if first % 2 == 0 {
        threat_dragon::import(text, &options)
    } else {
        threagile::import(text, &options)
    };
    let Ok(imported) = imported else {
        return;
    };
    assert!(
        !imported.yaml.is_empty(),
        "an import gave an empty device file"
    );
    for code in imported.check.keys() {
        assert!(
            medsec_device::import::EXPECTED_CHECK_CODES.contains(&code.as_str()),
            "the import wrote a device file with the error {code}"
        );
    }
    let dir = Path::new("");
    let report = match medsec_device::check::check_text(
        &dir.join("device.yaml"),
        dir,
        Arc::new(imported.yaml.clone()),
    ) {
        Ok(loaded) => loaded.report,
        Err(medsec_device::LoadError::Invalid(report)) => *report,
        Err(other) => panic!("the imported device file cannot be read: {other}"),
    };
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    for d in &report.diagnostics {
        if format!("{:?}", d.level).eq_ignore_ascii_case("error") {
            *errors.entry(d.code.to_string()).or_default() += 1;
        }
    }
    assert_eq!(
        errors, imported.check,
        "the import's own check differs from medsec check on its output"
    );
});
