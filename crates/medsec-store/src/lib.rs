//! The vulnerability store (issue 6): advisories from NVD, CVE 5, OSV and CSAF with
//! merged aliases, a match index, scores, CISA KEV and FIRST EPSS, kept in SQLite or
//! PostgreSQL through sqlx.

/// The embedded migrations of the SQLite backend.
pub static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
/// The embedded migrations of the PostgreSQL backend.
pub static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");
