//! Test harness shared by the store's integration tests: stores on both backends,
//! fixtures, and generated NVD data. Reusable by other crates' tests with
//! `#[path = "…/medsec-store/tests/support/mod.rs"] mod support;`.

#![allow(dead_code)]

pub mod archive;
pub mod nvdgen;
pub mod pg;

use std::path::{Path, PathBuf};

use medsec_store::{ExportFilter, Store};

/// Which backend a scenario runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// An empty store location: a SQLite file in a temporary directory, or a fresh
/// database in the binary's PostgreSQL cluster.
pub struct TestDb {
    pub kind: Kind,
    pub url: String,
    /// Scratch space for the test's input files (and the SQLite file).
    pub dir: tempfile::TempDir,
}

impl TestDb {
    pub async fn new(kind: Kind) -> TestDb {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let url = match kind {
            Kind::Sqlite => format!("sqlite://{}", dir.path().join("store.db").display()),
            Kind::Postgres => pg::cluster().create_database().await,
        };
        TestDb { kind, url, dir }
    }

    pub async fn open(&self) -> Store {
        Store::open(&self.url)
            .await
            .unwrap_or_else(|e| panic!("opening {}: {e}", self.url))
    }

    /// Another empty store of the same kind.
    pub async fn sibling(&self) -> TestDb {
        TestDb::new(self.kind).await
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn fixture(rel: &str) -> PathBuf {
    fixtures().join(rel)
}

/// The whole export of a store, as text.
pub async fn export_text(store: &Store) -> String {
    let mut out = Vec::new();
    store
        .export(&mut out, &ExportFilter::default())
        .await
        .unwrap_or_else(|e| panic!("export: {e}"));
    String::from_utf8(out).unwrap_or_else(|e| panic!("export is not UTF-8: {e}"))
}

/// One test per backend for each scenario function (`async fn name(kind: Kind)`).
#[allow(unused_macros)]
macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Kind::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Kind::Postgres).await
                }
            )*
        }
    };
}
