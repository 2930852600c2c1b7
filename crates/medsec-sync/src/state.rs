//! What the last successful sync reached, so the next one asks only for what changed.
//! Written only after the store has imported a fetch (see [`crate`] docs).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::SyncError;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    /// The end of the NVD modification window last imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nvd_until: Option<Timestamp>,
    /// Per CSAF directory URL, the newest `changes.csv` timestamp imported.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub csaf: BTreeMap<String, Timestamp>,
}

impl SyncState {
    /// The state in `path`, or the empty state when the file does not exist.
    pub fn load(path: &Path) -> Result<Self, SyncError> {
        match fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| SyncError::BadAnswer {
                url: path.display().to_string(),
                message: format!(
                    "unreadable sync state: {e} (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SyncState::default()),
            Err(e) => Err(SyncError::io(path, e)),
        }
    }

    /// Writes beside the file and renames, so a crash leaves the old state or the new.
    pub fn save(&self, path: &Path) -> Result<(), SyncError> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| SyncError::io(parent, e))?;
        }
        let tmp = path.with_extension("tmp");
        let text = serde_json::to_vec_pretty(self)
            .map_err(|e| SyncError::Config(format!("cannot write the sync state: {e}")))?;
        fs::write(&tmp, text).map_err(|e| SyncError::io(&tmp, e))?;
        fs::rename(&tmp, path).map_err(|e| SyncError::io(path, e))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn state_round_trips_and_starts_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert_eq!(SyncState::load(&path).unwrap(), SyncState::default());
        let mut s = SyncState {
            nvd_until: Some("2026-11-01T00:00:00Z".parse().unwrap()),
            ..Default::default()
        };
        s.csaf.insert(
            "https://a.invalid/csaf/".into(),
            "2026-10-01T00:00:00Z".parse().unwrap(),
        );
        s.save(&path).unwrap();
        assert_eq!(SyncState::load(&path).unwrap(), s);
        fs::write(&path, "{").unwrap();
        assert!(SyncState::load(&path).is_err());
    }
}
