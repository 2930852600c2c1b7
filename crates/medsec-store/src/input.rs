//! Finding and opening the inputs of an import: files, directories (walked in sorted
//! order), single-file `.gz` and `.zip`, `.tar`, `.tar.gz`/`.tgz` archives (members in
//! archive order), each member handed over as one byte buffer under the limits.
//!
//! Decompression is streamed: no more than one member (under
//! [`Limits::max_member_bytes`]) is held in memory, and every decompressed byte, of
//! members read or skipped, counts against the archive's limits.

use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use sha2::{Digest, Sha256};

use crate::error::{LimitKind, Origin, StoreError};

/// Decompression limits, per input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Uncompressed bytes of one member, or of one plain or `.gz` file.
    pub max_member_bytes: u64,
    /// Uncompressed bytes of one archive, all members together (skipped ones too).
    pub max_archive_bytes: u64,
    /// Uncompressed bytes per compressed byte, checked once a stream has produced
    /// [`Limits::ratio_floor`] bytes (small inputs may compress well legitimately).
    pub max_ratio: u64,
    /// The uncompressed size from which the ratio is checked.
    pub ratio_floor: u64,
    /// Members of one archive (directories included).
    pub max_members: u64,
}

impl Default for Limits {
    /// Sized for the public feeds: an NVD API page or a yearly feed stays under 256 MiB,
    /// OSV's largest `all.zip` holds ~500,000 members and a few GiB; JSON compresses ~10–30×,
    /// a run of zeros ~1000×.
    fn default() -> Self {
        Limits {
            max_member_bytes: 256 * 1024 * 1024,
            max_archive_bytes: 64 * 1024 * 1024 * 1024,
            max_ratio: 200,
            ratio_floor: 1024 * 1024,
            max_members: 5_000_000,
        }
    }
}

/// One input named or found by the walk.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    pub path: PathBuf,
    pub len: u64,
    /// Named on the command line (not found in a directory): an input that is not an
    /// advisory is then an error, not a skip.
    pub explicit: bool,
}

/// What a file is, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Container {
    Plain,
    Gzip,
    Zip,
    Tar,
    TarGz,
}

/// Plain documents the walk picks up from directories.
const DOCUMENT_SUFFIXES: [&str; 5] = [".json", ".yaml", ".yml", ".csv", ".jsonl"];

pub(crate) fn container_of(name: &str) -> Option<Container> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
        Some(Container::TarGz)
    } else if lower.ends_with(".tar") {
        Some(Container::Tar)
    } else if lower.ends_with(".zip") {
        Some(Container::Zip)
    } else if lower.ends_with(".gz") {
        Some(Container::Gzip)
    } else if DOCUMENT_SUFFIXES.iter().any(|s| lower.ends_with(s)) {
        Some(Container::Plain)
    } else {
        None
    }
}

/// Lists the inputs: named files as they are, directories walked depth-first in byte
/// order of names. Hidden entries (`.git` …) and symlinked directories are not entered.
pub(crate) fn plan(
    sources: &[PathBuf],
    mut skipped: impl FnMut(Origin, String),
) -> Result<Vec<Planned>, StoreError> {
    let mut out = Vec::new();
    for source in sources {
        let meta = std::fs::metadata(source).map_err(|e| StoreError::io(source, e))?;
        if meta.is_dir() {
            walk(source, &mut out, &mut skipped)?;
        } else if !meta.is_file() {
            // Opening a FIFO blocks until someone writes; a device such as /dev/zero
            // never ends.
            return Err(StoreError::io(
                source,
                std::io::Error::other("not a regular file"),
            ));
        } else {
            out.push(Planned {
                path: source.clone(),
                len: meta.len(),
                explicit: true,
            });
        }
    }
    Ok(out)
}

fn walk(
    dir: &Path,
    out: &mut Vec<Planned>,
    skipped: &mut impl FnMut(Origin, String),
) -> Result<(), StoreError> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| StoreError::io(dir, e))? {
        let entry = entry.map_err(|e| StoreError::io(dir, e))?;
        entries.push(entry.path());
    }
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        let link = std::fs::symlink_metadata(&path).map_err(|e| StoreError::io(&path, e))?;
        let meta = std::fs::metadata(&path).map_err(|e| StoreError::io(&path, e))?;
        if meta.is_dir() {
            if !link.file_type().is_symlink() {
                walk(&path, out, skipped)?;
            }
        } else if !meta.is_file() {
            skipped(Origin::file(path), "not a regular file".into());
        } else if container_of(&name).is_some() {
            out.push(Planned {
                path,
                len: meta.len(),
                explicit: false,
            });
        } else {
            skipped(
                Origin::file(path),
                "not a .json, .yaml, .csv, .jsonl, .gz, .zip or .tar.gz file".into(),
            );
        }
    }
    Ok(())
}

/// One document taken out of an input.
pub(crate) struct Document {
    pub origin: Origin,
    /// The name the document is recognised by (the member's or the file's, `.gz` removed).
    pub name: String,
    pub bytes: Vec<u8>,
    pub explicit: bool,
}

/// What the caller does with each thing found in an input.
pub(crate) trait Sink {
    fn document(&mut self, doc: Document) -> Result<(), StoreError>;
    /// A store export (JSON lines), streamed rather than held whole.
    fn lines(&mut self, origin: Origin, reader: &mut dyn io::BufRead) -> Result<(), StoreError>;
    fn skipped(&mut self, origin: Origin, reason: String);
    /// Compressed bytes of the input consumed so far (for progress).
    fn progress(&mut self, _bytes: u64) {}
}

/// An input's identity for the batch record.
#[derive(Debug, Clone)]
pub(crate) struct Opened {
    pub sha256: String,
    pub bytes: u64,
}

/// Reads one input, handing every document in it to `sink`.
pub(crate) fn open(
    planned: &Planned,
    limits: &Limits,
    sink: &mut dyn Sink,
) -> Result<Opened, StoreError> {
    let path = &planned.path;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match container_of(&name).unwrap_or(Container::Plain) {
        Container::Plain => plain(planned, &name, limits, sink),
        Container::Gzip => gzip(planned, &name, limits, sink),
        Container::Zip => zip_archive(planned, limits, sink),
        Container::Tar => tar_archive(planned, false, limits, sink),
        Container::TarGz => tar_archive(planned, true, limits, sink),
    }
}

pub(crate) fn hex(digest: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(digest.len() * 2);
    for b in digest {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The digest of a hasher shared with a (dropped) `Counting` reader.
fn finish(hasher: Rc<RefCell<Sha256>>) -> String {
    let h = hasher.replace(Sha256::new());
    hex(&h.finalize())
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn plain(
    planned: &Planned,
    name: &str,
    limits: &Limits,
    sink: &mut dyn Sink,
) -> Result<Opened, StoreError> {
    let path = &planned.path;
    let origin = Origin::file(path);
    if is_lines(name) {
        let file = File::open(path).map_err(|e| StoreError::io(path, e))?;
        let count = Rc::new(Cell::new(0));
        let hasher = Rc::new(RefCell::new(Sha256::new()));
        let mut reader = BufReader::with_capacity(
            256 * 1024,
            Counting {
                inner: file,
                count: count.clone(),
                hasher: Some(hasher.clone()),
            },
        );
        sink.lines(origin, &mut reader)?;
        // Hash to the end even if the reader stopped early.
        io::copy(&mut reader, &mut io::sink()).map_err(|e| StoreError::io(path, e))?;
        drop(reader);
        sink.progress(count.get());
        return Ok(Opened {
            sha256: finish(hasher),
            bytes: count.get(),
        });
    }
    if planned.len > limits.max_member_bytes {
        return Err(StoreError::Limit {
            origin,
            kind: LimitKind::MemberBytes,
            limit: limits.max_member_bytes,
        });
    }
    let file = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let mut bytes = Vec::with_capacity(usize::try_from(planned.len).unwrap_or(0));
    // The length was checked; `take` guards against a file growing meanwhile.
    file.take(limits.max_member_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| StoreError::io(path, e))?;
    if bytes.len() as u64 > limits.max_member_bytes {
        return Err(StoreError::Limit {
            origin,
            kind: LimitKind::MemberBytes,
            limit: limits.max_member_bytes,
        });
    }
    let opened = Opened {
        sha256: sha256_hex(&bytes),
        bytes: bytes.len() as u64,
    };
    sink.progress(opened.bytes);
    sink.document(Document {
        origin,
        name: name.to_owned(),
        bytes,
        explicit: planned.explicit,
    })?;
    Ok(opened)
}

/// Counts and hashes the compressed bytes read from a file.
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
    hasher: Option<Rc<RefCell<Sha256>>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        if let Some(h) = &self.hasher {
            h.borrow_mut().update(&buf[..n]);
        }
        Ok(n)
    }
}

/// The limit a decompressed stream went over, carried inside an `io::Error`.
#[derive(Debug)]
struct LimitHit {
    kind: LimitKind,
    limit: u64,
}

impl std::fmt::Display for LimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "over the limit of {} {}", self.limit, self.kind)
    }
}

impl std::error::Error for LimitHit {}

/// Enforces a byte limit and a ratio on a decompressed stream.
struct Limited<R> {
    inner: R,
    produced: u64,
    max: u64,
    kind: LimitKind,
    /// Compressed bytes consumed, for the ratio (shared with the `Counting` below).
    compressed: Option<Rc<Cell<u64>>>,
    /// Or a fixed compressed size (a zip member's header).
    compressed_fixed: u64,
    limits: Limits,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Ask for at most one byte past the limit, so that going over is seen without
        // decompressing further.
        let room = (self.max + 1).saturating_sub(self.produced);
        let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        if want == 0 {
            return Err(limit_error(self.kind, self.max));
        }
        let n = self.inner.read(&mut buf[..want])?;
        self.produced += n as u64;
        if self.produced > self.max {
            return Err(limit_error(self.kind, self.max));
        }
        if self.produced >= self.limits.ratio_floor {
            let compressed = match &self.compressed {
                Some(c) => c.get(),
                None => self.compressed_fixed,
            };
            if self.produced / compressed.max(1) > self.limits.max_ratio {
                return Err(limit_error(LimitKind::Ratio, self.limits.max_ratio));
            }
        }
        Ok(n)
    }
}

fn limit_error(kind: LimitKind, limit: u64) -> io::Error {
    io::Error::other(LimitHit { kind, limit })
}

/// An I/O error while decompressing: a limit hit becomes [`StoreError::Limit`].
fn stream_error(origin: Origin, e: io::Error) -> StoreError {
    if let Some(hit) = e.get_ref().and_then(|i| i.downcast_ref::<LimitHit>()) {
        return StoreError::Limit {
            origin,
            kind: hit.kind,
            limit: hit.limit,
        };
    }
    StoreError::Archive {
        origin,
        message: e.to_string(),
    }
}

fn gzip(
    planned: &Planned,
    name: &str,
    limits: &Limits,
    sink: &mut dyn Sink,
) -> Result<Opened, StoreError> {
    let path = &planned.path;
    let origin = Origin::file(path);
    let file = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let count = Rc::new(Cell::new(0));
    let hasher = Rc::new(RefCell::new(Sha256::new()));
    let counting = Counting {
        inner: BufReader::with_capacity(64 * 1024, file),
        count: count.clone(),
        hasher: Some(hasher.clone()),
    };
    let inner = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".GZ"))
        .unwrap_or(name);
    if is_lines(inner) {
        let limited = Limited {
            inner: flate2::read::MultiGzDecoder::new(counting),
            produced: 0,
            max: limits.max_archive_bytes,
            kind: LimitKind::ArchiveBytes,
            compressed: Some(count.clone()),
            compressed_fixed: 0,
            limits: *limits,
        };
        let mut reader = BufReader::with_capacity(256 * 1024, limited);
        sink.lines(origin.clone(), &mut reader)?;
        io::copy(&mut reader, &mut io::sink()).map_err(|e| stream_error(origin, e))?;
        drop(reader);
        sink.progress(count.get());
        return Ok(Opened {
            sha256: finish(hasher),
            bytes: count.get(),
        });
    }
    // Multi-member: gzip files may be concatenations, and each member counts.
    let mut limited = Limited {
        inner: flate2::read::MultiGzDecoder::new(counting),
        produced: 0,
        max: limits.max_member_bytes,
        kind: LimitKind::MemberBytes,
        compressed: Some(count.clone()),
        compressed_fixed: 0,
        limits: *limits,
    };
    let mut bytes = Vec::new();
    limited
        .read_to_end(&mut bytes)
        .map_err(|e| stream_error(origin.clone(), e))?;
    let mut counting = limited.inner.into_inner();
    io::copy(&mut counting, &mut io::sink()).map_err(|e| StoreError::io(path, e))?;
    drop(counting);
    let sha256 = finish(hasher);
    sink.progress(count.get());
    sink.document(Document {
        origin,
        name: inner.to_owned(),
        bytes,
        explicit: planned.explicit,
    })?;
    Ok(Opened {
        sha256,
        bytes: count.get(),
    })
}

/// A store export, streamed line by line.
fn is_lines(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".jsonl")
}

/// A member name that is itself an archive: not descended into.
fn nested_archive(name: &str) -> bool {
    matches!(
        container_of(name),
        Some(Container::Zip | Container::Tar | Container::TarGz)
    )
}

/// A member's name, and whether it is a document (`.gz` members are decompressed).
fn member_kind(name: &str) -> Option<(String, bool)> {
    let lower = name.to_ascii_lowercase();
    if nested_archive(&lower) {
        return None;
    }
    match container_of(&lower) {
        Some(Container::Gzip) => Some((name[..name.len() - 3].to_owned(), true)),
        Some(Container::Plain) => Some((name.to_owned(), false)),
        _ => None,
    }
}

fn zip_archive(
    planned: &Planned,
    limits: &Limits,
    sink: &mut dyn Sink,
) -> Result<Opened, StoreError> {
    let path = &planned.path;
    let file = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let mut archive =
        zip::ZipArchive::new(BufReader::new(file)).map_err(|e| StoreError::Archive {
            origin: Origin::file(path),
            message: format!("not a readable zip archive: {e}"),
        })?;
    if archive.len() as u64 > limits.max_members {
        return Err(StoreError::Limit {
            origin: Origin::file(path),
            kind: LimitKind::Members,
            limit: limits.max_members,
        });
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let member = archive.by_index(i).map_err(|e| StoreError::Archive {
            origin: Origin::file(path),
            message: format!("member {i}: {e}"),
        })?;
        let name = member
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| format!("#{i}"));
        let origin = Origin::member(path, &name);
        if member.is_dir() {
            continue;
        }
        let Some((doc_name, gz)) = member_kind(&name) else {
            sink.skipped(origin, "not an advisory document (by its name)".into());
            continue;
        };
        let compressed = member.compressed_size();
        sink.progress(compressed);
        let room = limits.max_archive_bytes.saturating_sub(total);
        let (max, kind) = if room < limits.max_member_bytes {
            (room, LimitKind::ArchiveBytes)
        } else {
            (limits.max_member_bytes, LimitKind::MemberBytes)
        };
        let mut bytes = Vec::new();
        if gz {
            let count = Rc::new(Cell::new(0));
            let mut limited = Limited {
                inner: flate2::read::MultiGzDecoder::new(Counting {
                    inner: member,
                    count: count.clone(),
                    hasher: None,
                }),
                produced: 0,
                max,
                kind,
                compressed: Some(count),
                compressed_fixed: 0,
                limits: *limits,
            };
            limited
                .read_to_end(&mut bytes)
                .map_err(|e| stream_error(origin.clone(), e))?;
        } else {
            let mut limited = Limited {
                inner: member,
                produced: 0,
                max,
                kind,
                compressed: None,
                compressed_fixed: compressed,
                limits: *limits,
            };
            limited
                .read_to_end(&mut bytes)
                .map_err(|e| stream_error(origin.clone(), e))?;
        }
        total += bytes.len() as u64;
        sink.document(Document {
            origin,
            name: doc_name,
            bytes,
            explicit: false,
        })?;
    }
    drop(archive);
    // Zip is read by random access; its hash is one more sequential pass.
    let file = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let count = Rc::new(Cell::new(0));
    let hasher = Rc::new(RefCell::new(Sha256::new()));
    let mut counting = Counting {
        inner: file,
        count: count.clone(),
        hasher: Some(hasher.clone()),
    };
    io::copy(&mut counting, &mut io::sink()).map_err(|e| StoreError::io(path, e))?;
    drop(counting);
    Ok(Opened {
        sha256: finish(hasher),
        bytes: count.get(),
    })
}

fn tar_archive(
    planned: &Planned,
    gz: bool,
    limits: &Limits,
    sink: &mut dyn Sink,
) -> Result<Opened, StoreError> {
    let path = &planned.path;
    let file = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let count = Rc::new(Cell::new(0));
    let hasher = Rc::new(RefCell::new(Sha256::new()));
    let counting = Counting {
        inner: BufReader::with_capacity(64 * 1024, file),
        count: count.clone(),
        hasher: Some(hasher.clone()),
    };
    let stream: Box<dyn Read> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(counting))
    } else {
        Box::new(counting)
    };
    // Every byte tar reads, of members read or skipped, counts for the archive.
    let limited = Limited {
        inner: stream,
        produced: 0,
        max: limits.max_archive_bytes,
        kind: LimitKind::ArchiveBytes,
        compressed: if gz { Some(count.clone()) } else { None },
        compressed_fixed: u64::MAX,
        limits: *limits,
    };
    let mut archive = tar::Archive::new(limited);
    let file_origin = Origin::file(path);
    let entries = archive
        .entries()
        .map_err(|e| stream_error(file_origin.clone(), e))?;
    let mut members: u64 = 0;
    for entry in entries {
        let entry = entry.map_err(|e| stream_error(file_origin.clone(), e))?;
        members += 1;
        if members > limits.max_members {
            return Err(StoreError::Limit {
                origin: file_origin,
                kind: LimitKind::Members,
                limit: limits.max_members,
            });
        }
        let name = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| format!("#{members}"));
        let origin = Origin::member(path, &name);
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let Some((doc_name, member_gz)) = member_kind(&name) else {
            sink.skipped(origin, "not an advisory document (by its name)".into());
            continue;
        };
        let mut bytes = Vec::new();
        if member_gz {
            let inner_count = Rc::new(Cell::new(0));
            let mut limited = Limited {
                inner: flate2::read::MultiGzDecoder::new(Counting {
                    inner: entry,
                    count: inner_count.clone(),
                    hasher: None,
                }),
                produced: 0,
                max: limits.max_member_bytes,
                kind: LimitKind::MemberBytes,
                compressed: Some(inner_count),
                compressed_fixed: 0,
                limits: *limits,
            };
            limited
                .read_to_end(&mut bytes)
                .map_err(|e| stream_error(origin.clone(), e))?;
        } else {
            let mut limited = Limited {
                inner: entry,
                produced: 0,
                max: limits.max_member_bytes,
                kind: LimitKind::MemberBytes,
                compressed: None,
                compressed_fixed: u64::MAX,
                limits: *limits,
            };
            limited
                .read_to_end(&mut bytes)
                .map_err(|e| stream_error(origin.clone(), e))?;
        }
        sink.progress(count.get());
        sink.document(Document {
            origin,
            name: doc_name,
            bytes,
            explicit: false,
        })?;
    }
    // Hash what tar did not need to read (the end-of-archive padding).
    let mut rest = archive.into_inner().inner;
    io::copy(&mut rest, &mut io::sink()).map_err(|e| stream_error(file_origin.clone(), e))?;
    drop(rest);
    let sha256 = finish(hasher);
    Ok(Opened {
        sha256,
        bytes: count.get(),
    })
}
