//! Reads generated data back with medsec's own readers (`medsec_formats::advisory` and
//! `medsec_formats::sbom`) and measures how many SBOM components the CVEs affect, with
//! `medsec_match::affects` on each vulnerable cpeMatch entry of the component's product.
//!
//! A component is mapped to a vendor:product by its CPE when it has one, else by its
//! ecosystem identity in the pool (the generator's own knowledge; a real scanner has to
//! find that mapping itself). Debian versions are compared by their upstream part.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use medsec_core::advisory::{Affected, Package, Status};
use medsec_core::cpe::{Attribute, Value as CpeValue};
use serde::Serialize;

use crate::Error;
use crate::nvd::{self, MANIFEST};
use crate::pool::{Eco, Pool};

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckReport {
    pub pages: usize,
    pub cves: usize,
    pub withdrawn: usize,
    /// Affected entries the reader produced (one per cpeMatch).
    pub cpe_matches: u64,
    /// What the manifest says was written.
    pub manifest_cpe_matches: Option<u64>,
    pub manifest_cves: Option<usize>,
    pub reader_warnings: usize,
    pub read_seconds: f64,
    pub sboms_read: usize,
    pub components: usize,
    pub components_mapped: usize,
    pub components_affected: usize,
    pub affected_share: f64,
    pub affected_by_ecosystem: BTreeMap<String, (usize, usize)>,
    pub unknown_verdicts: usize,
}

fn files_in(dir: &Path, suffixes: &[&str]) -> Result<Vec<PathBuf>, Error> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| suffixes.iter().any(|s| n.ends_with(s)))
        })
        .collect();
    out.sort();
    Ok(out)
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, Error> {
    let raw = fs::read(path).map_err(|e| Error::io(path, e))?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| Error::io(path, e))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

fn cpe_text(v: &CpeValue) -> String {
    match v {
        CpeValue::Any => "*".to_owned(),
        CpeValue::Na => "-".to_owned(),
        CpeValue::Str(s) => s.unquoted(),
    }
}

/// Reads every page in `nvd_dir` (and, with `sboms`, up to `max_sboms` SBOMs) back.
pub fn check(nvd_dir: &Path, sboms: Option<&Path>, max_sboms: usize) -> Result<CheckReport, Error> {
    let started = Instant::now();
    let mut r = CheckReport::default();
    if let Ok(m) = nvd::read_manifest(nvd_dir) {
        r.manifest_cpe_matches = Some(m.summary.cpe_matches);
        r.manifest_cves = Some(m.summary.cves);
    }
    // vendor:product → vulnerable entries (kept only when SBOMs are to be matched).
    let mut index: HashMap<String, Vec<Affected>> = HashMap::new();
    let options = medsec_formats::advisory::ReadOptions::default();
    for page in files_in(nvd_dir, &[".json", ".json.gz"])? {
        let bytes = read_bytes(&page)?;
        let doc = medsec_formats::advisory::read(&bytes, &options).map_err(|e| {
            Error::Invalid(format!(
                "{}: {e}: {:?}",
                page.display(),
                e.problems().first()
            ))
        })?;
        r.pages += 1;
        r.reader_warnings += doc.warnings.len();
        for a in doc.advisories {
            r.cves += 1;
            r.cpe_matches += a.affected.len() as u64;
            if a.withdrawn.is_some() {
                r.withdrawn += 1;
                continue;
            }
            if sboms.is_none() {
                continue;
            }
            for aff in a.affected {
                if aff.status != Status::Affected {
                    continue;
                }
                if let Package::Cpe { cpe, .. } = &aff.what {
                    let key = format!(
                        "{}:{}",
                        cpe_text(cpe.get(Attribute::Vendor)),
                        cpe_text(cpe.get(Attribute::Product))
                    );
                    index.entry(key).or_default().push(aff);
                }
            }
        }
    }
    r.read_seconds = started.elapsed().as_secs_f64();
    let Some(sbom_dir) = sboms else {
        return Ok(r);
    };
    let seed = fs::read_to_string(sbom_dir.join(MANIFEST))
        .ok()
        .and_then(|t| serde_json::from_str::<crate::sbom::SbomManifest>(&t).ok())
        .map_or(1, |m| m.seed);
    let pool = Pool::new(seed);
    let mut ident: HashMap<(Eco, String), usize> = HashMap::new();
    for (i, p) in pool.products.iter().enumerate() {
        for id in &p.ids {
            let name = match &id.group {
                Some(g) => format!("{g}/{}", id.name),
                None => id.name.clone(),
            };
            ident
                .entry((id.eco, name.to_ascii_lowercase()))
                .or_insert(i);
        }
    }
    for path in files_in(sbom_dir, &[".cdx.json"])?
        .into_iter()
        .take(max_sboms)
    {
        let bytes = read_bytes(&path)?;
        let reading = medsec_formats::sbom::read(&bytes)
            .map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?;
        r.sboms_read += 1;
        for c in &reading.sbom.components {
            if c.parent.is_some() {
                continue;
            }
            r.components += 1;
            let Some(version) = c.version.clone() else {
                continue;
            };
            let eco = match c.purl.as_ref().map(|p| p.ty()) {
                Some("npm") => Eco::Npm,
                Some("pypi") => Eco::Pypi,
                Some("maven") => Eco::Maven,
                Some("nuget") => Eco::Nuget,
                Some("deb") => Eco::Deb,
                _ => Eco::Generic,
            };
            let eco_label = format!("{eco:?}");
            let entry = r.affected_by_ecosystem.entry(eco_label).or_default();
            entry.1 += 1;
            let (key, version) = if let Some(cpe) = c.cpes.first() {
                (
                    format!(
                        "{}:{}",
                        cpe_text(cpe.get(Attribute::Vendor)),
                        cpe_text(cpe.get(Attribute::Product))
                    ),
                    cpe_text(cpe.get(Attribute::Version)),
                )
            } else {
                let name = match (&c.purl, eco) {
                    (Some(p), Eco::Maven) => {
                        format!("{}/{}", p.namespace().unwrap_or(""), p.name())
                    }
                    (Some(p), _) => p.name().to_owned(),
                    (None, _) => c.name.clone(),
                };
                let Some(&pi) = ident.get(&(eco, name.to_ascii_lowercase())) else {
                    continue;
                };
                let p = pool.get(pi);
                let v = if eco == Eco::Deb {
                    version
                        .rsplit_once('-')
                        .map_or(version.clone(), |(up, _)| up.to_owned())
                } else {
                    version
                };
                (format!("{}:{}", p.vendor, p.product), v)
            };
            let Some(entries) = index.get(&key) else {
                continue;
            };
            r.components_mapped += 1;
            let mut hit = false;
            for aff in entries {
                match medsec_match::affects(aff, &version).affected {
                    medsec_match::Answer::Yes => {
                        hit = true;
                        break;
                    }
                    medsec_match::Answer::Unknown => r.unknown_verdicts += 1,
                    medsec_match::Answer::No => {}
                }
            }
            if hit {
                r.components_affected += 1;
                entry.0 += 1;
            }
        }
    }
    r.affected_share = r.components_affected as f64 / r.components.max(1) as f64;
    r.read_seconds = started.elapsed().as_secs_f64();
    Ok(r)
}
