use std::path::PathBuf;

/// Why a sync step failed. Every variant names the URL or file concerned; none of them
/// leaves anything for the store to import (the caller imports only a complete fetch).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    #[error("{url}: the server answered HTTP {status} after {attempts} attempt(s){hint}")]
    Status {
        url: String,
        status: u16,
        attempts: u32,
        hint: String,
    },
    #[error("{url}: {message} (after {attempts} attempt(s))")]
    Transport {
        url: String,
        message: String,
        attempts: u32,
    },
    #[error("{url}: the answer is larger than the limit of {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: {message}")]
    BadAnswer { url: String, message: String },
    #[error(
        "{url}: the published SHA-256 {published} does not match the downloaded file's {computed}"
    )]
    HashMismatch {
        url: String,
        published: String,
        computed: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Config(String),
}

impl SyncError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        SyncError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn bad(url: &str, message: impl Into<String>) -> Self {
        SyncError::BadAnswer {
            url: url.to_string(),
            message: message.into(),
        }
    }
}
