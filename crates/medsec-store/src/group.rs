//! Merging records into vulnerabilities: records that share a linking id (their own id
//! or an alias that names the vulnerability itself) are one vulnerability, transitively.
//!
//! Recomputed over the whole alias table at the end of every batch that wrote records,
//! in memory (union-find), and only records whose group name changed are updated. So
//! the grouping never depends on the order records arrived in, and a record whose
//! aliases changed leaves its old group correctly.

use std::collections::HashMap;

use crate::db::{Arg, Conn};
use crate::error::StoreError;
use crate::prepare::kind_rank;

struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller root wins: deterministic, whatever the row order.
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi as usize] = lo;
        }
    }
}

/// Recomputes every record's vulnerability; returns how many records changed group.
pub(crate) async fn regroup(conn: &mut Conn<'_>) -> Result<u64, StoreError> {
    // Records, densely numbered.
    let mut index: HashMap<i64, u32> = HashMap::new();
    let mut records: Vec<(i64, String)> = Vec::new();
    conn.for_each("SELECT id, vuln FROM record", &[], |row| {
        let id = row.i64(0)?;
        index.insert(id, records.len() as u32);
        records.push((id, row.text(1)?));
        Ok(true)
    })
    .await?;
    let mut uf = UnionFind {
        parent: (0..records.len() as u32).collect(),
    };
    // Per id: the first record holding it, and its rank for naming.
    let mut first: HashMap<String, u32> = HashMap::new();
    let mut ids: Vec<(u32, u8, String)> = Vec::new();
    conn.for_each(
        "SELECT alias, record_id, kind FROM alias WHERE links = 1",
        &[],
        |row| {
            let alias = row.text(0)?;
            let Some(&r) = index.get(&row.i64(1)?) else {
                return Ok(true);
            };
            let rank = kind_rank(&row.text(2)?);
            match first.get(&alias) {
                Some(&other) => uf.union(r, other),
                None => {
                    first.insert(alias.clone(), r);
                }
            }
            ids.push((r, rank, alias));
            Ok(true)
        },
    )
    .await?;
    drop(first);
    // Each group's name: its best id by (rank, text).
    let mut names: HashMap<u32, (u8, String)> = HashMap::new();
    for (r, rank, alias) in ids {
        let root = uf.find(r);
        match names.get_mut(&root) {
            Some(best) if (rank, &alias) < (best.0, &best.1) => *best = (rank, alias),
            Some(_) => {}
            None => {
                names.insert(root, (rank, alias));
            }
        }
    }
    let mut updates: Vec<(i64, String)> = Vec::new();
    for (i, (id, vuln)) in records.iter().enumerate() {
        let root = uf.find(i as u32);
        if let Some((_, name)) = names.get(&root)
            && name != vuln
        {
            updates.push((*id, name.clone()));
        }
    }
    let changed = updates.len() as u64;
    // One statement per 256 records: `CASE id WHEN … THEN …` works on both backends.
    for part in updates.chunks(256) {
        let mut sql = String::from("UPDATE record SET vuln = CASE id");
        let mut args: Vec<Arg<'_>> = Vec::with_capacity(part.len() * 3);
        for (id, name) in part {
            sql.push_str(" WHEN ? THEN ?");
            args.push(Arg::I64(*id));
            args.push(Arg::Text(name));
        }
        sql.push_str(" END WHERE id IN ");
        sql.push_str(&crate::db::in_list(part.len()));
        for (id, _) in part {
            args.push(Arg::I64(*id));
        }
        conn.execute(&sql, &args).await?;
    }
    Ok(changed)
}
