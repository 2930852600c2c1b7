//! The store's errors: typed, with the file (and archive member, line or record) where
//! the input was wrong.

use std::fmt;
use std::path::PathBuf;

use medsec_formats::advisory::ReadError;

/// Where an input came from: a file, and the member inside it when it is an archive.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Origin {
    pub file: PathBuf,
    /// The member's path inside an archive (`.zip`, `.tar.gz`); `None` for a plain file or
    /// a single-file `.gz`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
}

impl Origin {
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Origin {
            file: file.into(),
            member: None,
        }
    }

    pub fn member(file: impl Into<PathBuf>, member: impl Into<String>) -> Self {
        Origin {
            file: file.into(),
            member: Some(member.into()),
        }
    }

    /// The name recorded in an advisory's provenance: the member's last path segment, or
    /// the file's name.
    pub fn file_name(&self) -> Option<String> {
        match &self.member {
            Some(m) => m.rsplit('/').next().map(str::to_owned),
            None => self
                .file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned()),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.member {
            Some(m) => write!(f, "{} (member {m})", self.file.display()),
            None => write!(f, "{}", self.file.display()),
        }
    }
}

/// Which decompression limit an input went over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LimitKind {
    /// Uncompressed bytes of one member (or of a single-file `.gz`).
    MemberBytes,
    /// Uncompressed bytes of all members of one archive.
    ArchiveBytes,
    /// Uncompressed bytes per compressed byte.
    Ratio,
    /// Members in one archive.
    Members,
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LimitKind::MemberBytes => "uncompressed bytes per member",
            LimitKind::ArchiveBytes => "uncompressed bytes per archive",
            LimitKind::Ratio => "compression ratio",
            LimitKind::Members => "members per archive",
        })
    }
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("cannot open the store at {url}: {source}")]
    Open {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot migrate the store's schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{origin}: {source}")]
    Read {
        origin: Origin,
        #[source]
        source: ReadError,
    },
    #[error("{origin}: not an advisory, KEV catalog, EPSS file or store export ({reason})")]
    NotAnAdvisory { origin: Origin, reason: String },
    #[error("{origin}: over the limit of {limit} {kind} (a decompression bomb?)")]
    Limit {
        origin: Origin,
        kind: LimitKind,
        limit: u64,
    },
    #[error("{origin}: {message}")]
    Archive { origin: Origin, message: String },
    #[error("{origin}, line {line}: {message}")]
    Epss {
        origin: Origin,
        line: usize,
        message: String,
    },
    #[error("{origin}{}: {message}", record.map(|r| format!(", vulnerabilities[{r}]")).unwrap_or_default())]
    Kev {
        origin: Origin,
        /// The index in `vulnerabilities[]`, when the problem is in one entry.
        record: Option<usize>,
        message: String,
    },
    #[error("{origin}, line {line}: {message}")]
    Export {
        origin: Origin,
        line: usize,
        message: String,
    },
    /// A stored value could not be decoded (a damaged or foreign database).
    #[error("stored record {record}: {message}")]
    Corrupt { record: String, message: String },
    #[error("cannot write the export: {0}")]
    Write(#[source] std::io::Error),
    #[error("the import reader stopped unexpectedly: {0}")]
    Internal(String),
    /// An optimistic-locking check failed: the record changed since the editor read it.
    #[error("conflict on {record}: {message}")]
    Conflict { record: String, message: String },
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
