//! `medsec self sbom`: medsec's own CycloneDX 1.6 SBOM, from the workspace's Cargo.lock
//! as it was when this binary was built (embedded with `include_str!`).
//!
//! What it lists: every package the lock file resolves that is not a workspace member,
//! as a `library` component with purl `pkg:cargo/NAME@VERSION`, bom-ref the purl, and the
//! registry's SHA-256 checksum as its hash; the workspace itself is the metadata
//! component `medsec` (an application; its member crates named in a property), and the
//! dependency graph is the lock's, each workspace member's edges folded into medsec's.
//! The lock covers every target and platform of the workspace (build-, dev- and
//! platform-specific dependencies included), so this is a superset of what the binary
//! links; the metadata component says so in the property `medsec:sbom:scope`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;

use medsec_core::component::{
    Component, ComponentKind, Dependency, Encoding, Hash, Metadata, Original, Property, Sbom,
    SbomFormat, Tool,
};
use medsec_core::purl::Purl;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::exit;

/// The workspace's lock file at build time.
const CARGO_LOCK: &str = include_str!("../../../../Cargo.lock");

/// medsec about itself.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: SelfCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum SelfCommand {
    /// Write medsec's own CycloneDX 1.6 JSON SBOM (from the Cargo.lock it was built
    /// with); scan it with `medsec scan`.
    Sbom(SbomArgs),
}

#[derive(Debug, clap::Args)]
pub struct SbomArgs {
    /// Write here instead of standard output.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A serial number that is a function of the lock file: the same build gives the same
/// document (the writer takes no clock and no random number either). The UUID's version
/// nibble says 8 (custom, RFC 9562 §5.8), its variant bits are RFC 9562's.
fn serial_number(lock: &str) -> String {
    let d = Sha256::digest(lock.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The SBOM model of a lock file. Errors name what in the lock is not understood.
pub fn sbom_of_lock(lock_text: &str, medsec_version: &str) -> Result<Sbom, String> {
    let lock: Lock = toml::from_str(lock_text).map_err(|e| format!("Cargo.lock: {e}"))?;
    let registries: BTreeSet<&str> = lock
        .package
        .iter()
        .filter_map(|p| p.source.as_deref())
        .collect();
    // One registry: its packages are `pkg:cargo/NAME@VERSION` without a repository
    // qualifier. A second registry or a git source would need qualifiers that say
    // where each package came from; refuse rather than write an ambiguous purl.
    if registries.len() > 1
        || registries
            .iter()
            .any(|s| !s.starts_with("registry+") && !s.starts_with("sparse+"))
    {
        return Err(format!(
            "Cargo.lock: packages come from {} sources ({}); only one registry is supported",
            registries.len(),
            registries.iter().copied().collect::<Vec<_>>().join(", ")
        ));
    }
    let members: Vec<&Package> = lock.package.iter().filter(|p| p.source.is_none()).collect();
    let main_ref = format!("medsec@{medsec_version}");
    // name → versions present, to resolve the lock's "name" / "name version" references.
    let mut by_name: BTreeMap<&str, Vec<&Package>> = BTreeMap::new();
    for p in &lock.package {
        by_name.entry(p.name.as_str()).or_default().push(p);
    }
    // Each package's purl in its canonical form (a `+` in a version is written `%2B`),
    // which is also its bom-ref and its name in the dependency graph.
    let mut purls: BTreeMap<(&str, &str), Purl> = BTreeMap::new();
    for p in lock.package.iter().filter(|p| p.source.is_some()) {
        let raw = format!("pkg:cargo/{}@{}", p.name, p.version);
        let purl: Purl = raw.parse().map_err(|e| {
            format!(
                "Cargo.lock: package {} {}: purl {raw}: {e}",
                p.name, p.version
            )
        })?;
        purls.insert((p.name.as_str(), p.version.as_str()), purl);
    }
    let reference = |p: &Package| -> String {
        match purls.get(&(p.name.as_str(), p.version.as_str())) {
            Some(purl) => purl.to_string(),
            None => main_ref.clone(),
        }
    };
    let resolve = |dep: &str| -> Result<String, String> {
        let mut parts = dep.split(' ');
        let name = parts.next().unwrap_or_default();
        let version = parts.next();
        let candidates = by_name
            .get(name)
            .ok_or_else(|| format!("Cargo.lock: dependency {dep:?} names no package"))?;
        let found: Vec<&&Package> = candidates
            .iter()
            .filter(|p| version.is_none_or(|v| p.version == v))
            .collect();
        match found.as_slice() {
            [one] => Ok(reference(one)),
            _ => Err(format!(
                "Cargo.lock: dependency {dep:?} matches {} packages",
                found.len()
            )),
        }
    };

    let mut components = Vec::new();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in &lock.package {
        let from = reference(p);
        let edges = graph.entry(from.clone()).or_default();
        for d in &p.dependencies {
            let to = resolve(d)?;
            // Edges between workspace members fold into medsec itself: no self-loop.
            if to != from {
                edges.insert(to);
            }
        }
        if p.source.is_none() {
            continue;
        }
        let Some(purl) = purls.get(&(p.name.as_str(), p.version.as_str())).cloned() else {
            continue;
        };
        let mut c = Component::new(ComponentKind::Library, p.name.clone());
        c.version = Some(p.version.clone());
        c.bom_ref = Some(from.clone());
        c.purl = Some(purl);
        let checksum = p.checksum.as_deref().ok_or_else(|| {
            format!(
                "Cargo.lock: package {} {} has no checksum",
                p.name, p.version
            )
        })?;
        c.hashes.push(Hash {
            alg: "SHA-256".into(),
            value: checksum.to_owned(),
        });
        components.push(c);
    }

    let mut main = Component::new(ComponentKind::Application, "medsec");
    main.version = Some(medsec_version.to_owned());
    main.bom_ref = Some(main_ref.clone());
    main.description =
        Some("medsec, cybersecurity of medical devices: the command and its library crates".into());
    let mut names: Vec<String> = members
        .iter()
        .map(|m| format!("{} {}", m.name, m.version))
        .collect();
    names.sort();
    main.properties.push(Property {
        name: "medsec:workspace:members".into(),
        value: Some(names.join(", ")),
    });
    main.properties.push(Property {
        name: "medsec:sbom:scope".into(),
        value: Some(
            "every package of the workspace's Cargo.lock at build time, for all targets and platforms (build-, dev- and platform-specific dependencies included): a superset of what this binary links".into(),
        ),
    });
    let mut metadata = Metadata::default();
    metadata.tools.push(Tool::new(
        None,
        Some("medsec".into()),
        Some(medsec_version.to_owned()),
    ));
    metadata.component = Some(Box::new(main));

    let lock_sha = hex(&Sha256::digest(lock_text.as_bytes()));
    let mut sbom = Sbom::new(
        SbomFormat::CycloneDx,
        "1.6",
        Encoding::Json,
        Original {
            bytes: Vec::new(),
            sha256: lock_sha,
            size: lock_text.len(),
        },
    );
    sbom.version = Some(1);
    sbom.metadata = metadata;
    sbom.components = components;
    sbom.dependencies = graph
        .into_iter()
        .map(|(reference, on)| Dependency {
            reference,
            depends_on: on.into_iter().collect(),
        })
        .collect();
    Ok(sbom)
}

pub fn run(args: Args) -> miette::Result<u8> {
    let SelfCommand::Sbom(a) = args.command;
    let version = env!("CARGO_PKG_VERSION");
    let sbom = sbom_of_lock(CARGO_LOCK, version)
        .map_err(|e| miette::miette!(code = "medsec::internal", "{e}"))?;
    let written = medsec_formats::write::cyclonedx::write_sbom(&sbom, &serial_number(CARGO_LOCK))
        .map_err(|e| miette::miette!(code = "medsec::internal", "{e}"))?;
    for n in &written.normalisations {
        eprintln!("note: {}: {}", n.path, n.message);
    }
    match &a.out {
        Some(path) => {
            let mut tmp_name = path.as_os_str().to_owned();
            tmp_name.push(".partial");
            let tmp = PathBuf::from(tmp_name);
            std::fs::write(&tmp, written.json.as_bytes())
                .and_then(|()| std::fs::rename(&tmp, path))
                .map_err(|e| miette::miette!(code = "medsec::io", "{}: {e}", path.display()))?;
            eprintln!(
                "wrote {}: {} components from Cargo.lock",
                path.display(),
                sbom.components.len()
            );
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = stdout.lock();
            w.write_all(written.json.as_bytes())
                .and_then(|()| w.flush())
                .map_err(crate::output::io_error)?;
        }
    }
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_number_is_a_valid_urn_uuid_and_stable() {
        let a = serial_number("x");
        assert_eq!(a, serial_number("x"));
        assert_ne!(a, serial_number("y"));
        assert_eq!(a.len(), "urn:uuid:".len() + 36);
        assert_eq!(&a[9 + 14..9 + 15], "8");
    }

    #[test]
    fn lock_references_resolve_by_name_and_version() {
        let lock = r#"
version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["dep 1.0.0", "dep 2.0.0", "other"]

[[package]]
name = "dep"
version = "1.0.0"
source = "registry+https://example.invalid/index"
checksum = "aa"

[[package]]
name = "dep"
version = "2.0.0"
source = "registry+https://example.invalid/index"
checksum = "bb"

[[package]]
name = "other"
version = "0.3.0"
source = "registry+https://example.invalid/index"
checksum = "cc"
dependencies = ["dep 2.0.0"]
"#;
        let sbom = sbom_of_lock(lock, "0.1.0").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sbom.components.len(), 3);
        let main = sbom
            .dependencies
            .iter()
            .find(|d| d.reference == "medsec@0.1.0")
            .unwrap_or_else(|| panic!("no entry for medsec"));
        assert_eq!(
            main.depends_on,
            [
                "pkg:cargo/dep@1.0.0",
                "pkg:cargo/dep@2.0.0",
                "pkg:cargo/other@0.3.0"
            ]
        );
        // An ambiguous reference is refused, never guessed.
        let bad = lock.replace("\"dep 1.0.0\", ", "\"dep\", ");
        assert!(sbom_of_lock(&bad, "0.1.0").is_err());
    }
}
