//! The export format: JSON lines, read back by the import.
//!
//! ```text
//! {"kind":"medsec-store-export","version":1}
//! {"kind":"advisory","advisory":{…the stored Advisory…}}            ordered by record key, source
//! {"kind":"kev_catalog","catalog":{"title":…,"catalogVersion":…,"dateReleased":…}}
//! {"kind":"kev","entry":{…one KEV entry, field names as in the feed…}}   catalog order
//! {"kind":"epss_snapshot","snapshot":{"model_version":…,"score_date":…}}
//! {"kind":"epss","score":{"cve":…,"epss":…,"percentile":…}}        ordered by CVE id
//! ```
//!
//! Advisory lines carry the stored JSON bytes as they are, so an export imported into an
//! empty store exports again byte for byte.

use std::io::BufRead;

use medsec_core::advisory::Advisory;
use serde::Deserialize;

use crate::epss::{EpssScore, EpssSnapshot};
use crate::error::{Origin, StoreError};
use crate::kev::{KevCatalog, KevEntry};

pub(crate) const HEADER: &str = r#"{"kind":"medsec-store-export","version":1}"#;

/// True when the bytes start with the export header line.
pub(crate) fn looks_like(bytes: &[u8]) -> bool {
    bytes.starts_with(br#"{"kind":"medsec-store-export""#)
}

/// One item read from an export.
pub(crate) enum Item {
    Advisory(Box<Advisory>),
    Kev(KevCatalog),
    Epss(EpssSnapshot),
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum Line {
    #[serde(rename = "medsec-store-export")]
    Header {
        version: u32,
    },
    Advisory {
        advisory: Box<Advisory>,
    },
    KevCatalog {
        catalog: KevCatalog,
    },
    Kev {
        entry: KevEntry,
    },
    EpssSnapshot {
        snapshot: EpssSnapshot,
    },
    Epss {
        score: EpssScore,
    },
}

/// Reads an export line by line, handing each advisory, and each KEV catalog and EPSS
/// snapshot once complete, to `f`. `max_line` bounds one line.
pub(crate) fn read(
    reader: &mut dyn BufRead,
    origin: &Origin,
    max_line: u64,
    mut f: impl FnMut(Item) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let err = |line: usize, message: String| StoreError::Export {
        origin: origin.clone(),
        line,
        message,
    };
    let mut kev: Option<KevCatalog> = None;
    let mut epss: Option<EpssSnapshot> = None;
    let mut buf = Vec::new();
    let mut n = 0;
    loop {
        buf.clear();
        let read = std::io::Read::take(&mut *reader, max_line + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| err(n + 1, e.to_string()))?;
        if read == 0 {
            break;
        }
        n += 1;
        if buf.len() as u64 > max_line {
            return Err(err(n, format!("line longer than {max_line} bytes")));
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line: Line = serde_json::from_slice(&buf).map_err(|e| err(n, e.to_string()))?;
        if n == 1 && !matches!(line, Line::Header { .. }) {
            return Err(err(n, "the first line is not the export header".into()));
        }
        // A KEV or EPSS block ends at the first line of another kind.
        if !matches!(line, Line::Kev { .. })
            && let Some(c) = kev.take()
        {
            f(Item::Kev(c))?;
        }
        if !matches!(line, Line::Epss { .. })
            && let Some(s) = epss.take()
        {
            f(Item::Epss(s))?;
        }
        match line {
            Line::Header { version } => {
                if n != 1 {
                    return Err(err(n, "a second export header".into()));
                }
                if version != 1 {
                    return Err(err(n, format!("export version {version} is not supported")));
                }
            }
            Line::Advisory { advisory } => f(Item::Advisory(advisory))?,
            Line::KevCatalog { mut catalog } => {
                catalog.entries.clear();
                kev = Some(catalog);
            }
            Line::Kev { entry } => match &mut kev {
                Some(c) => c.entries.push(entry),
                None => return Err(err(n, "a KEV entry before its catalog line".into())),
            },
            Line::EpssSnapshot { mut snapshot } => {
                snapshot.scores.clear();
                epss = Some(snapshot);
            }
            Line::Epss { score } => match &mut epss {
                Some(s) => s.scores.push(score),
                None => return Err(err(n, "an EPSS score before its snapshot line".into())),
            },
        }
    }
    if n == 0 {
        return Err(err(1, "empty export".into()));
    }
    if let Some(c) = kev.take() {
        f(Item::Kev(c))?;
    }
    if let Some(s) = epss.take() {
        f(Item::Epss(s))?;
    }
    Ok(())
}
