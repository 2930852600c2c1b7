//! `medsec self sbom`: medsec's own CycloneDX 1.6 SBOM is valid against the official
//! schema, lists every package of the workspace's Cargo.lock but the workspace's own
//! crates (each with its purl, checksum and dependencies), reads back with our reader,
//! and `medsec scan` runs on it against a store holding the bundled advisories.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use jsonschema::{Retrieve, Uri};
use serde::Deserialize;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus() -> PathBuf {
    let path = std::env::var_os("MEDSEC_CORPUS")
        .map_or_else(|| root().join("../shared/corpus"), PathBuf::from);
    assert!(
        path.join("cyclonedx-spec/schema").is_dir(),
        "the shared corpus is missing at {} (set MEDSEC_CORPUS)",
        path.display()
    );
    path
}

fn medsec(home: &Path) -> Command {
    let mut c = Command::cargo_bin("medsec").unwrap();
    c.env("MEDSEC_HOME", home)
        .env_remove("MEDSEC_DATABASE_URL")
        .env_remove("NVD_API_KEY");
    c
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The CycloneDX schema's `$ref`s resolved to the corpus copies, never fetched.
struct Local(BTreeMap<String, PathBuf>);

impl Retrieve for Local {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let key = uri.as_str().split('#').next().unwrap_or_default();
        match self.0.get(key) {
            Some(p) => Ok(read_json(p)),
            None => Err(format!("no local copy of {key}; refusing to fetch it").into()),
        }
    }
}

#[derive(Deserialize)]
struct Lock {
    package: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

#[test]
fn own_sbom_is_valid_complete_and_scannable() {
    let home = tempfile::tempdir().unwrap();
    let sbom_path = home.path().join("medsec.cdx.json");
    medsec(home.path())
        .args(["self", "sbom", "--out"])
        .arg(&sbom_path)
        .assert()
        .success();
    let doc = read_json(&sbom_path);

    // Valid CycloneDX 1.6.
    let dir = corpus().join("cyclonedx-spec/schema");
    let local = Local(
        [
            (
                "http://cyclonedx.org/schema/spdx.schema.json",
                "spdx.schema.json",
            ),
            (
                "http://cyclonedx.org/schema/jsf-0.82.schema.json",
                "jsf-0.82.schema.json",
            ),
        ]
        .into_iter()
        .map(|(u, f)| (u.to_owned(), dir.join(f)))
        .collect(),
    );
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .with_retriever(local)
        .build(&read_json(&dir.join("bom-1.6.schema.json")))
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema errors:\n{}", errors.join("\n"));
    assert_eq!(doc["specVersion"], "1.6");
    assert_eq!(doc["metadata"]["component"]["name"], "medsec");

    // Every package of the lock file but the workspace members, exactly.
    let lock: Lock =
        toml::from_str(&std::fs::read_to_string(root().join("Cargo.lock")).unwrap()).unwrap();
    let members: BTreeSet<&str> = lock
        .package
        .iter()
        .filter(|p| p.source.is_none())
        .map(|p| p.name.as_str())
        .collect();
    assert!(members.contains("medsec-cli") && members.contains("medsec-store"));
    let external: Vec<&Package> = lock.package.iter().filter(|p| p.source.is_some()).collect();
    assert!(external.len() > 100, "{} packages", external.len());
    let components = doc["components"].as_array().unwrap();
    assert_eq!(components.len(), lock.package.len() - members.len());
    let by_purl: BTreeMap<&str, &Value> = components
        .iter()
        .map(|c| (c["purl"].as_str().expect("every component has a purl"), c))
        .collect();
    assert_eq!(by_purl.len(), components.len(), "purls are unique");
    // The purl specification percent-encodes the version: `+` (SemVer build metadata) is
    // written `%2B`.
    let purl_of =
        |name: &str, version: &str| format!("pkg:cargo/{name}@{}", version.replace('+', "%2B"));
    for p in &external {
        let purl = purl_of(&p.name, &p.version);
        let c = by_purl
            .get(purl.as_str())
            .unwrap_or_else(|| panic!("{purl} is missing"));
        assert_eq!(c["bom-ref"], purl.as_str());
        assert_eq!(c["hashes"][0]["alg"], "SHA-256");
        assert_eq!(c["hashes"][0]["content"], p.checksum.as_deref().unwrap());
    }

    // The dependency graph: each package's lock dependencies, by purl (workspace
    // members folded into medsec itself).
    let version_of = |name: &str, version: Option<&str>| -> String {
        let found: Vec<&Package> = lock
            .package
            .iter()
            .filter(|p| p.name == name && version.is_none_or(|v| p.version == v))
            .collect();
        assert_eq!(found.len(), 1, "{name} {version:?}");
        if found[0].source.is_none() {
            format!("medsec@{}", env!("CARGO_PKG_VERSION"))
        } else {
            purl_of(&found[0].name, &found[0].version)
        }
    };
    let graph: BTreeMap<&str, BTreeSet<&str>> = doc["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["ref"].as_str().unwrap(),
                d["dependsOn"]
                    .as_array()
                    .map(|a| a.iter().map(|v| v.as_str().unwrap()).collect())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let mut edges = 0;
    for p in &external {
        let want: BTreeSet<String> = p
            .dependencies
            .iter()
            .map(|d| {
                let mut parts = d.split(' ');
                let name = parts.next().unwrap();
                version_of(name, parts.next())
            })
            .collect();
        edges += want.len();
        let purl = purl_of(&p.name, &p.version);
        let got: BTreeSet<String> = graph
            .get(purl.as_str())
            .map(|s| s.iter().map(|x| (*x).to_owned()).collect())
            .unwrap_or_default();
        assert_eq!(got, want, "dependencies of {purl}");
    }
    assert!(edges > 100, "{edges} dependency edges");
    let main = &graph[format!("medsec@{}", env!("CARGO_PKG_VERSION")).as_str()];
    assert!(main.contains(version_of("sqlx", None).as_str()));

    // Our own reader takes it back.
    let inspected = medsec(home.path())
        .args(["sbom", "inspect", "--format", "json"])
        .arg(&sbom_path)
        .output()
        .unwrap();
    assert!(
        inspected.status.success(),
        "{}",
        String::from_utf8_lossy(&inspected.stderr)
    );

    // Scan it against a store holding the bundled advisories.
    medsec(home.path())
        .args(["db", "import"])
        .arg(root().join("examples/advisories"))
        .assert()
        .success();
    let scanned = medsec(home.path())
        .args(["scan", "--format", "json"])
        .arg(&sbom_path)
        .output()
        .unwrap();
    assert!(
        matches!(scanned.status.code(), Some(0 | 1)),
        "scan: {:?} {}",
        scanned.status,
        String::from_utf8_lossy(&scanned.stderr)
    );
    let report: Value = serde_json::from_slice(&scanned.stdout).unwrap();
    assert!(
        report["store"]["records"].as_u64().unwrap() > 0,
        "{}",
        report["store"]
    );
    assert!(
        report["components_scanned"].as_u64().unwrap() >= components.len() as u64,
        "{}",
        report["components_scanned"]
    );
    assert_eq!(
        report["components_without_identity"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    assert!(report["findings"].is_array());
}
