//! A throwaway PostgreSQL cluster for tests: one per test binary, a database per test.
//!
//! The cluster is started on first use (`cluster()`), in a temporary directory, on a
//! free loopback port, with a Unix socket in the same directory. PostgreSQL refuses to
//! run as root, so when the tests run as root the directory is given to `nobody` and
//! `initdb`/`pg_ctl` run through `runuser -u nobody`.
//!
//! Stopping it: Rust runs no destructor for statics and libtest ends the process with
//! `exit`, so no `Drop` can be relied on, and a test that panics or a binary that is
//! killed must not leak the server either. Before the server starts, a watchdog is
//! spawned in its own session (`setsid`, ignoring SIGINT/SIGTERM/SIGHUP, standard
//! streams closed so that nothing waits on its output): it polls the test process's pid
//! and, once that process is gone — however it ended — runs `pg_ctl stop -m immediate`
//! and removes the directory. The server therefore outlives its test binary by at most
//! half a second.
//!
//! If the server binaries are missing the tests fail (never skip) and say what to
//! install. `MEDSEC_PG_BIN` names another directory holding `initdb` and `pg_ctl`.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

pub struct Cluster {
    pub port: u16,
    pub root: PathBuf,
    bin: PathBuf,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static NEXT_DB: AtomicU32 = AtomicU32::new(1);

/// The binary's cluster, started on first use. Panics (fails the test) when it cannot
/// be started, with what to do.
pub fn cluster() -> &'static Cluster {
    match CLUSTER.get_or_init(start) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

impl Cluster {
    /// A URL to the cluster's maintenance database.
    pub fn admin_url(&self) -> String {
        format!("postgres://medsec@127.0.0.1:{}/postgres", self.port)
    }

    /// Creates an empty database and returns its URL.
    pub async fn create_database(&self) -> String {
        use sqlx::Connection;
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::SeqCst)
        );
        let mut conn = sqlx::PgConnection::connect(&self.admin_url())
            .await
            .unwrap_or_else(|e| panic!("connecting to the test cluster: {e}"));
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("creating database {name}: {e}"));
        let _ = conn.close().await;
        format!("postgres://medsec@127.0.0.1:{}/{name}", self.port)
    }

    pub fn bin(&self) -> &Path {
        &self.bin
    }
}

fn find_bin() -> Result<PathBuf, String> {
    let has = |d: &Path| d.join("initdb").is_file() && d.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("MEDSEC_PG_BIN") {
        let dir = PathBuf::from(dir);
        return if has(&dir) {
            Ok(dir)
        } else {
            Err(format!(
                "MEDSEC_PG_BIN={} holds no initdb and pg_ctl",
                dir.display()
            ))
        };
    }
    let mut found: Vec<(u32, PathBuf)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        for e in entries.flatten() {
            let bin = e.path().join("bin");
            if let Some(v) = e.file_name().to_str().and_then(|v| v.parse().ok())
                && has(&bin)
            {
                found.push((v, bin));
            }
        }
    }
    found.sort();
    found.pop().map(|(_, b)| b).ok_or_else(|| {
        "the PostgreSQL tests need the PostgreSQL server binaries (initdb, pg_ctl, postgres), \
         looked for in /usr/lib/postgresql/*/bin: install them (Debian: \
         `apt-get install postgresql`) or set MEDSEC_PG_BIN to their directory"
            .to_owned()
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn id_of(user: &str, flag: &str) -> Result<u32, String> {
    let out = Command::new("id")
        .args([flag, user])
        .output()
        .map_err(|e| format!("id {flag} {user}: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| format!("no user {user}"))
}

/// A command run as the cluster's owner.
fn as_owner(root: bool, program: &Path) -> Command {
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "nobody", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn sh_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

fn start() -> Result<Cluster, String> {
    let bin = find_bin()?;
    let root_user = is_root();
    let root = std::env::temp_dir().join(format!("medsec-store-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let data = root.join("data");
    std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    if root_user {
        let (uid, gid) = (id_of("nobody", "-u")?, id_of("nobody", "-g")?);
        std::os::unix::fs::chown(&root, Some(uid), Some(gid))
            .map_err(|e| format!("chown {}: {e}", root.display()))?;
    }
    // The watchdog first: from here on, whatever happens, the server goes with us.
    let pg_ctl = bin.join("pg_ctl");
    let stop = if root_user {
        format!(
            "runuser -u nobody -- {} -D {} stop -m immediate",
            sh_quote(&pg_ctl),
            sh_quote(&data)
        )
    } else {
        format!(
            "{} -D {} stop -m immediate",
            sh_quote(&pg_ctl),
            sh_quote(&data)
        )
    };
    let script = format!(
        "trap '' INT TERM HUP; while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; \
         {stop} >/dev/null 2>&1; rm -rf {root}",
        pid = std::process::id(),
        root = sh_quote(&root),
    );
    Command::new("setsid")
        .args(["sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting the cluster's watchdog (setsid sh): {e}"))?;

    let out = as_owner(root_user, &bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args([
            "-A",
            "trust",
            "-U",
            "medsec",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ])
        .output()
        .map_err(|e| format!("initdb: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let port = free_port()?;
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
         -c full_page_writes=off -c max_connections=200",
        root.display()
    );
    let out = as_owner(root_user, &pg_ctl)
        .arg("-D")
        .arg(&data)
        .arg("-l")
        .arg(root.join("server.log"))
        .args(["-w", "-t", "60", "-o", &options, "start"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("pg_ctl start: {e}"))?;
    if !out.status.success() {
        let log = std::fs::read_to_string(root.join("server.log")).unwrap_or_default();
        return Err(format!(
            "pg_ctl start failed: {}{}\n{log}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(Cluster { port, root, bin })
}
