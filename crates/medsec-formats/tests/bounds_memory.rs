//! Peak memory when refusing inputs over the limit, measured from the kernel's record of
//! this process's peak resident set (`VmHWM`). One test in its own binary, so that no other
//! test's allocations share the process.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;

use medsec_formats::advisory::{self, ReadOptions};
use medsec_formats::sbom::{self, Limits, SbomError, SourceError};

const MB: usize = 1_000_000;

/// Peak resident set so far, in bytes; `None` where /proc does not say.
fn peak() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Resets the peak to the current resident set (Linux 4.0+); false where not allowed.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

struct Spaces(usize);

impl Read for Spaces {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.0);
        buf[..n].fill(b' ');
        self.0 -= n;
        Ok(n)
    }
}

#[test]
fn inputs_over_the_limit_are_refused_in_bounded_memory() {
    let Some(start) = peak() else {
        eprintln!("no /proc/self/status here: peak memory not measured");
        return;
    };
    // A 100 MB stream against a 50 MB limit: at most the limit is held.
    reset_peak();
    let before = peak().unwrap();
    assert!(matches!(
        sbom::read_from_reader(Spaces(100 * MB), Limits::new(50 * MB, 100)),
        Err(SourceError::TooLarge { .. })
    ));
    let grown = peak().unwrap().saturating_sub(before);
    eprintln!(
        "100 MB stream, 50 MB limit: peak grew by {:.1} MB",
        grown as f64 / 1e6
    );
    assert!(grown <= 50 * MB + 4 * MB, "grew {grown} bytes");

    // A 100 MB document already in memory against a 50 MB limit: refused without growth.
    let input = vec![b' '; 100 * MB];
    reset_peak();
    let before = peak().unwrap();
    assert!(matches!(
        sbom::read_with(&input, Limits::new(50 * MB, 100)),
        Err(SbomError::TooLarge { .. })
    ));
    let options = ReadOptions {
        max_bytes: 50 * MB,
        file_name: None,
    };
    assert!(advisory::read(&input, &options).is_err());
    let grown = peak().unwrap().saturating_sub(before);
    eprintln!(
        "100 MB slice, 50 MB limit: peak grew by {:.1} MB",
        grown as f64 / 1e6
    );
    assert!(grown <= MB, "grew {grown} bytes");
    drop(input);
    let _ = start;
}
