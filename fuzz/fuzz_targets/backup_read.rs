//! A backup file (`medsec db restore` reads it before touching the store): first byte odd,
//! the rest is gzip-compressed here so that the JSON-lines reader behind the gzip layer is
//! reached; even, the rest is the file as it is (the gzip layer itself). Reading the header
//! and verifying the whole file never panic; an error names the file.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use medsec_store::backup::{NoBackupProgress, read_header, verify};

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let bytes = if first % 2 == 1 {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        if gz.write_all(rest).is_err() {
            return;
        }
        match gz.finish() {
            Ok(b) => b,
            Err(_) => return,
        }
    } else {
        rest.to_vec()
    };
    let path = std::env::temp_dir().join(format!("medsec-fuzz-backup-{}.gz", std::process::id()));
    if std::fs::write(&path, &bytes).is_err() {
        return;
    }
    let name = path.display().to_string();
    if let Err(e) = read_header(&path) {
        assert!(
            e.to_string().contains(&name),
            "the error does not name the file: {e}"
        );
    }
    if let Err(e) = verify(&path, &NoBackupProgress) {
        assert!(
            e.to_string().contains(&name),
            "the error does not name the file: {e}"
        );
    }
});
