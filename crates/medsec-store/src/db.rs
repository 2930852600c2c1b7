//! The one seam between the store's logic and the two backends.
//!
//! Every statement is written once, with `?` placeholders, and run through [`Conn`],
//! which rewrites the placeholders for PostgreSQL (`$1`, `$2` …) and binds typed values
//! ([`Arg`]: PostgreSQL needs a NULL to carry its column's type). Rows come back as
//! [`Row`] with typed getters. Queries are runtime `sqlx::query`, so building needs no
//! database.

use std::borrow::Cow;

use futures_util::TryStreamExt;
use sqlx::postgres::{PgPool, PgRow};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{PgConnection, Row as _, SqliteConnection};

use crate::error::Result;

/// A bound value. Borrowed: rows are bound straight from the prepared records.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    I64(i64),
    OptI64(Option<i64>),
    OptF64(Option<f64>),
    Text(&'a str),
    OptText(Option<&'a str>),
    Blob(&'a [u8]),
}

/// A connection of either backend (a pooled one or one inside a transaction).
pub(crate) enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// A row of either backend.
pub(crate) enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

/// The backend a pool belongs to.
#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// `?` → `$n` for PostgreSQL. The store's statements hold no `?` in literals.
pub(crate) fn pg_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match *a {
                Arg::I64(v) => q.bind(v),
                Arg::OptI64(v) => q.bind(v),
                Arg::OptF64(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
                Arg::OptText(v) => q.bind(v),
                Arg::Blob(v) => q.bind(v),
            };
        }
        q
    }};
}

impl Conn<'_> {
    fn sql<'s>(&self, sql: &'s str) -> Cow<'s, str> {
        match self {
            Conn::Sqlite(_) => Cow::Borrowed(sql),
            Conn::Postgres(_) => Cow::Owned(pg_sql(sql)),
        }
    }

    /// Runs a statement; returns the rows affected.
    pub(crate) async fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64> {
        let sql = self.sql(sql);
        Ok(match self {
            Conn::Sqlite(c) => bind_all!(sqlx::query(&sql), args)
                .execute(&mut **c)
                .await?
                .rows_affected(),
            Conn::Postgres(c) => bind_all!(sqlx::query(&sql), args)
                .execute(&mut **c)
                .await?
                .rows_affected(),
        })
    }

    pub(crate) async fn fetch_all(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Row>> {
        let sql = self.sql(sql);
        Ok(match self {
            Conn::Sqlite(c) => bind_all!(sqlx::query(&sql), args)
                .fetch_all(&mut **c)
                .await?
                .into_iter()
                .map(Row::Sqlite)
                .collect(),
            Conn::Postgres(c) => bind_all!(sqlx::query(&sql), args)
                .fetch_all(&mut **c)
                .await?
                .into_iter()
                .map(Row::Postgres)
                .collect(),
        })
    }

    pub(crate) async fn fetch_optional(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Option<Row>> {
        let sql = self.sql(sql);
        Ok(match self {
            Conn::Sqlite(c) => bind_all!(sqlx::query(&sql), args)
                .fetch_optional(&mut **c)
                .await?
                .map(Row::Sqlite),
            Conn::Postgres(c) => bind_all!(sqlx::query(&sql), args)
                .fetch_optional(&mut **c)
                .await?
                .map(Row::Postgres),
        })
    }

    /// A single `i64` (a count, a maximum): 0 when the query gives no row or NULL.
    pub(crate) async fn scalar_i64(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<i64> {
        Ok(match self.fetch_optional(sql, args).await? {
            Some(row) => row.opt_i64(0)?.unwrap_or(0),
            None => 0,
        })
    }

    /// Streams rows to `f` without holding them all; `f` returns `false` to stop.
    pub(crate) async fn for_each(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
        mut f: impl FnMut(Row) -> Result<bool>,
    ) -> Result<()> {
        let sql = self.sql(sql);
        match self {
            Conn::Sqlite(c) => {
                let mut rows = bind_all!(sqlx::query(&sql), args).fetch(&mut **c);
                while let Some(row) = rows.try_next().await? {
                    if !f(Row::Sqlite(row))? {
                        break;
                    }
                }
            }
            Conn::Postgres(c) => {
                let mut rows = bind_all!(sqlx::query(&sql), args).fetch(&mut **c);
                while let Some(row) = rows.try_next().await? {
                    if !f(Row::Postgres(row))? {
                        break;
                    }
                }
            }
        }
        Ok(())
    }
}

macro_rules! get {
    ($self:ident, $t:ty, $i:expr) => {
        match $self {
            Row::Sqlite(r) => r.try_get::<$t, _>($i)?,
            Row::Postgres(r) => r.try_get::<$t, _>($i)?,
        }
    };
}

impl Row {
    pub(crate) fn i64(&self, i: usize) -> Result<i64> {
        Ok(get!(self, i64, i))
    }
    pub(crate) fn opt_i64(&self, i: usize) -> Result<Option<i64>> {
        Ok(get!(self, Option<i64>, i))
    }
    pub(crate) fn f64(&self, i: usize) -> Result<f64> {
        Ok(get!(self, f64, i))
    }
    pub(crate) fn opt_f64(&self, i: usize) -> Result<Option<f64>> {
        Ok(get!(self, Option<f64>, i))
    }
    pub(crate) fn text(&self, i: usize) -> Result<String> {
        Ok(get!(self, String, i))
    }
    pub(crate) fn opt_text(&self, i: usize) -> Result<Option<String>> {
        Ok(get!(self, Option<String>, i))
    }
    pub(crate) fn blob(&self, i: usize) -> Result<Vec<u8>> {
        Ok(get!(self, Vec<u8>, i))
    }
}

/// `INSERT INTO table (cols) VALUES (?,…),(?,…)…` for `rows` rows.
pub(crate) fn insert_sql(head: &str, columns: usize, rows: usize) -> String {
    let mut one = String::from("(");
    for i in 0..columns {
        if i > 0 {
            one.push(',');
        }
        one.push('?');
    }
    one.push(')');
    let mut sql = String::with_capacity(head.len() + 8 + rows * (one.len() + 1));
    sql.push_str(head);
    sql.push_str(" VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push_str(&one);
    }
    sql
}

/// `(?,?,…)` with `n` placeholders, for `IN` lists.
pub(crate) fn in_list(n: usize) -> String {
    let mut s = String::with_capacity(2 + n * 2);
    s.push('(');
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push('?');
    }
    s.push(')');
    s
}

/// Rows per multi-row INSERT: large enough to amortise each round trip through the
/// driver, small enough for SQLite's bound-parameter limit (32,766) at every width used.
pub(crate) const ROWS_PER_INSERT: usize = 256;

/// Inserts `rows` (each `columns` args, flattened) in multi-row statements.
pub(crate) async fn insert_rows(
    conn: &mut Conn<'_>,
    head: &str,
    columns: usize,
    args: &[Arg<'_>],
    full_sql: &str,
) -> Result<()> {
    debug_assert_eq!(args.len() % columns, 0);
    let per = ROWS_PER_INSERT * columns;
    let mut chunks = args.chunks_exact(per);
    for chunk in chunks.by_ref() {
        conn.execute(full_sql, chunk).await?;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let sql = insert_sql(head, columns, rest.len() / columns);
        conn.execute(&sql, rest).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_numbered_for_postgres() {
        assert_eq!(
            pg_sql("SELECT a FROM t WHERE b = ? AND c IN (?,?)"),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2,$3)"
        );
        assert_eq!(
            insert_sql("INSERT INTO t (a,b)", 2, 2),
            "INSERT INTO t (a,b) VALUES (?,?),(?,?)"
        );
        assert_eq!(in_list(3), "(?,?,?)");
    }
}
