//! Reading a document from a file or a stream within the size limit: the limit is checked
//! before anything is read where the size is known (a file's length), and a stream is never
//! read past it, so a 1 GB input costs at most the limit in memory, not 1 GB.

use std::io::Read;

/// Why a document from a file or a stream could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError<E: std::error::Error + 'static> {
    #[error("cannot read the input: {0}")]
    Io(#[from] std::io::Error),
    /// A stream (whose length is not known beforehand) went past the limit; reading stopped
    /// at the first byte over it.
    #[error("the input is over the limit of {limit} bytes (reading stopped there)")]
    TooLarge { limit: usize },
    /// The bytes were read; the reader refused them (a file whose known length is over the
    /// limit is refused here too, before being read).
    #[error(transparent)]
    Read(E),
}

/// Reads at most `limit` bytes; `Ok(None)` if the stream has more. `size_hint` (a file's
/// length) sizes the buffer once instead of letting it double its way up.
pub(crate) fn read_bounded(
    reader: impl Read,
    limit: usize,
    size_hint: Option<u64>,
) -> std::io::Result<Option<Vec<u8>>> {
    let cap = size_hint
        .and_then(|s| usize::try_from(s).ok())
        .map_or(0, |s| s.min(limit).saturating_add(1));
    let mut buf = Vec::with_capacity(cap);
    let over = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    reader.take(over).read_to_end(&mut buf)?;
    Ok((buf.len() <= limit).then_some(buf))
}

/// A file's length, if the file system knows it.
pub(crate) fn file_len(file: &std::fs::File) -> Option<u64> {
    file.metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len())
}
