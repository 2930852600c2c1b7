//! CycloneDX 1.6 JSON SBOMs of medical-device software.
//!
//! Each SBOM is one software element of a fictional device, of one of six archetypes
//! (shares our assumption, after the example devices in `examples/`):
//!
//! | archetype | share | components |
//! | --- | --- | --- |
//! | embedded Linux firmware | 25 % | Debian packages 45 %, C libraries without purl 30 %, PyPI 12 %, npm 13 % |
//! | Java back end | 20 % | Maven 75 %, Debian 15 %, npm 10 % |
//! | web front end | 20 % | npm 85 %, Debian 15 % |
//! | Python service | 15 % | PyPI 70 %, Debian 25 %, C libraries 5 % |
//! | .NET workstation | 10 % | NuGet 70 %, npm 20 %, C libraries 10 % |
//! | RTOS gateway | 10 % | C libraries 50 %, Debian 30 %, PyPI 20 % |
//!
//! A component is a product of the CVE pool (same vendor:product, a release of its
//! version list, biased to 2019–2023 as device software is held back) with probability
//! [`POOL_SHARE`], otherwise a "clean" package whose name no CVE names. C libraries carry
//! a name and a supplier but no purl; some components carry a CPE (C libraries 60 %,
//! Debian 30 %, others 15 % of the pool ones; 3 % of the clean ones). The same `--seed` as
//! the NVD set must be used for the components to hit its CVEs.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};

use crate::Error;
use crate::pool::{Eco, Ident, Pool, Product};
use crate::real::Part;
use crate::rng::{Rng, uuid_lower};
use crate::time;

/// Share of components drawn from the CVE pool (tuned so that ~3–10 % of components are
/// affected by at least one generated CVE; see the README for the measured share).
pub const POOL_SHARE: f64 = 0.075;

#[derive(Debug, Clone, Copy)]
struct Archetype {
    name: &'static str,
    weight: f64,
    kind: &'static str,
    element: &'static str,
    mix: &'static [(f64, Eco)],
}

const ARCHETYPES: &[Archetype] = &[
    Archetype {
        name: "embedded Linux firmware",
        weight: 0.25,
        kind: "firmware",
        element: "firmware",
        mix: &[
            (0.45, Eco::Deb),
            (0.30, Eco::Generic),
            (0.12, Eco::Pypi),
            (0.13, Eco::Npm),
        ],
    },
    Archetype {
        name: "Java back end",
        weight: 0.20,
        kind: "application",
        element: "cloud-api",
        mix: &[(0.75, Eco::Maven), (0.15, Eco::Deb), (0.10, Eco::Npm)],
    },
    Archetype {
        name: "web front end",
        weight: 0.20,
        kind: "application",
        element: "web-portal",
        mix: &[(0.85, Eco::Npm), (0.15, Eco::Deb)],
    },
    Archetype {
        name: "Python service",
        weight: 0.15,
        kind: "application",
        element: "data-service",
        mix: &[(0.70, Eco::Pypi), (0.25, Eco::Deb), (0.05, Eco::Generic)],
    },
    Archetype {
        name: ".NET workstation",
        weight: 0.10,
        kind: "application",
        element: "workstation",
        mix: &[(0.70, Eco::Nuget), (0.20, Eco::Npm), (0.10, Eco::Generic)],
    },
    Archetype {
        name: "RTOS gateway",
        weight: 0.10,
        kind: "firmware",
        element: "gateway-firmware",
        mix: &[(0.50, Eco::Generic), (0.30, Eco::Deb), (0.20, Eco::Pypi)],
    },
];

const DEVICES: &[&str] = &[
    "infusion-pump",
    "patient-monitor",
    "ventilator",
    "insulin-pump",
    "dialysis-system",
    "ultrasound-scanner",
    "ecg-monitor",
    "pacs-gateway",
    "lab-analyser",
    "defibrillator",
    "anaesthesia-workstation",
    "glucose-monitor",
    "mri-console",
    "telemetry-hub",
];

const LICENCES: &[&str] = &[
    "MIT",
    "MIT",
    "Apache-2.0",
    "Apache-2.0",
    "BSD-3-Clause",
    "BSD-2-Clause",
    "ISC",
    "GPL-2.0-only",
    "LGPL-2.1-or-later",
    "MPL-2.0",
];

#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SbomSummary {
    pub sboms: usize,
    pub components: usize,
    pub from_pool: usize,
    pub with_cpe: usize,
    pub without_purl: usize,
    pub bytes: u64,
    pub by_ecosystem: BTreeMap<String, usize>,
    pub by_archetype: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SbomManifest {
    pub generator: String,
    pub kind: String,
    pub seed: u64,
    pub count: usize,
    pub components: usize,
    pub summary: SbomSummary,
}

/// Names of pool identities per ecosystem, which clean components must avoid.
pub struct Generator<'a> {
    pool: &'a Pool,
    seed: u64,
    taken: Vec<HashSet<String>>,
}

fn eco_name(e: Eco) -> &'static str {
    match e {
        Eco::Npm => "npm",
        Eco::Pypi => "pypi",
        Eco::Maven => "maven",
        Eco::Nuget => "nuget",
        Eco::Deb => "deb",
        Eco::Generic => "generic (no purl)",
    }
}

/// A purl path segment: percent-encodes what the purl spec does not allow bare.
fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

const SYL: &[&str] = &[
    "al", "be", "ci", "do", "ef", "fu", "ga", "hi", "jo", "ki", "lu", "ma", "no", "pi", "qu", "ro",
    "sa", "te", "uv", "wa", "xy", "yo", "zu", "bri", "cla", "dro", "fle", "gri", "plo", "sti",
];
const SUFFIX: &[&str] = &[
    "util", "core", "kit", "lib", "ify", "js", "py", "io", "x", "er", "ly", "box", "wrap", "lite",
];

impl<'a> Generator<'a> {
    pub fn new(pool: &'a Pool, seed: u64) -> Generator<'a> {
        let mut taken = vec![HashSet::new(); Eco::ALL.len()];
        for p in &pool.products {
            for id in &p.ids {
                taken[id.eco.index()].insert(id.name.to_ascii_lowercase());
            }
            taken[Eco::Generic.index()].insert(p.product.to_ascii_lowercase());
        }
        Generator { pool, seed, taken }
    }

    /// A clean package name of an ecosystem: one of 40,000 per ecosystem, so that SBOMs
    /// share common packages as real ones do.
    fn clean_name(&self, rng: &mut Rng, eco: Eco) -> String {
        loop {
            // Popular clean packages recur: a Zipf-like draw over the name space.
            let id = (40_000f64.powf(rng.f64()) as u64).min(39_999);
            let mut r = Rng::derive(self.seed, 0xC1EA + eco.index() as u64, id);
            let mut name = String::new();
            for _ in 0..r.range(2, 3) {
                name.push_str(r.pick(SYL).copied().unwrap_or("al"));
            }
            let sep = match eco {
                Eco::Npm | Eco::Maven | Eco::Deb => "-",
                Eco::Pypi => "-",
                Eco::Nuget => ".",
                Eco::Generic => "",
            };
            name.push_str(sep);
            name.push_str(r.pick(SUFFIX).copied().unwrap_or("kit"));
            if eco == Eco::Nuget {
                name = crate::pool::title_case(&name.replace('.', "_")).replace(' ', ".");
            }
            if eco == Eco::Generic {
                name = format!("lib{name}");
            }
            if !self.taken[eco.index()].contains(&name.to_ascii_lowercase()) {
                return name;
            }
        }
    }

    /// A pool product with an identity in `eco`: half the time one of the real
    /// (widely used) products, else a synthetic one.
    fn pool_pick(&self, rng: &mut Rng, eco: Eco) -> Option<usize> {
        let list = &self.pool.by_eco[eco.index()];
        let real = self.pool.real_by_eco[eco.index()];
        if list.is_empty() {
            return None;
        }
        let i = if real > 0 && (rng.chance(0.5) || real == list.len()) {
            rng.below(real)
        } else {
            real + rng.below(list.len() - real)
        };
        list.get(i).map(|&x| x as usize)
    }

    /// One SBOM as a JSON value, and what it holds.
    pub fn sbom(&self, index: usize, components: usize, s: &mut SbomSummary) -> Value {
        self.sbom_of(index, components, None, s)
    }

    /// One SBOM, of a given archetype (index into the table above) or a drawn one.
    pub fn sbom_of(
        &self,
        index: usize,
        components: usize,
        archetype: Option<usize>,
        s: &mut SbomSummary,
    ) -> Value {
        let mut rng = Rng::derive(self.seed, 0x5B0E, index as u64);
        let weights: Vec<f64> = ARCHETYPES.iter().map(|a| a.weight).collect();
        let drawn = rng.weighted(&weights);
        let arch = ARCHETYPES[archetype.unwrap_or(drawn).min(ARCHETYPES.len() - 1)];
        *s.by_archetype.entry(arch.name.to_owned()).or_default() += 1;
        let device = rng.pick(DEVICES).copied().unwrap_or("infusion-pump");
        let stem = format!(
            "{}{}",
            [
                "Nor", "Hal", "Bright", "Lind", "Ced", "Ost", "Vel", "Ard", "Mer", "Tal"
            ][rng.below(10)],
            [
                "vik", "dor", "line", "qvist", "ara", "wen", "mont", "ris", "ford", "heim"
            ][rng.below(10)]
        );
        let maker = format!("{stem} Medical Systems");
        let slug = stem.to_ascii_lowercase();
        let maker_url = format!("https://{slug}-medical.example.invalid");
        let element_version = format!(
            "{}.{}.{}",
            rng.range(1, 9),
            rng.range(0, 20),
            rng.range(0, 9)
        );
        let root_ref = format!("{slug}/{device}/{}@{element_version}", arch.element);
        let released = time::ms_of(2026, 1, 1)
            + rng.range(0, 320) as i64 * time::DAY_MS
            + rng.range(0, 86_399) as i64 * 1000;

        let mut comps: Vec<Value> = Vec::with_capacity(components);
        let mut refs: Vec<String> = Vec::with_capacity(components);
        let mut seen: HashSet<String> = HashSet::new();
        let mut used_products: HashSet<(usize, Eco)> = HashSet::new();
        while comps.len() < components {
            let eco = rng.table(arch.mix).unwrap_or(Eco::Npm);
            let from_pool = rng.chance(POOL_SHARE);
            let picked = if from_pool {
                let mut got = None;
                for _ in 0..4 {
                    if let Some(pi) = self.pool_pick(&mut rng, eco)
                        && used_products.insert((pi, eco))
                    {
                        got = Some(pi);
                        break;
                    }
                }
                got
            } else {
                None
            };
            let comp = match picked {
                Some(pi) => {
                    let p = self.pool.get(pi);
                    let Some(id) = p.ids.iter().find(|i| i.eco == eco) else {
                        continue;
                    };
                    let version = pool_version(&mut rng, p);
                    s.from_pool += 1;
                    let cpe_p = match eco {
                        Eco::Generic => 0.6,
                        Eco::Deb => 0.3,
                        _ => 0.15,
                    };
                    let cpe = rng.chance(cpe_p).then(|| {
                        format!(
                            "cpe:2.3:{}:{}:{}:{version}:*:*:*:*:{}:*:*",
                            p.part.letter(),
                            p.vendor,
                            p.product,
                            p.target_sw.unwrap_or("*")
                        )
                    });
                    component(&mut rng, id, &version, cpe, p.part)
                }
                None => {
                    let name = self.clean_name(&mut rng, eco);
                    let version = match eco {
                        Eco::Generic | Eco::Deb => format!(
                            "{}.{}.{}",
                            rng.range(0, 4),
                            rng.range(0, 30),
                            rng.range(0, 12)
                        ),
                        _ => format!(
                            "{}.{}.{}",
                            rng.range(0, 12),
                            rng.range(0, 40),
                            rng.range(0, 20)
                        ),
                    };
                    let id = Ident {
                        eco,
                        group: (eco == Eco::Maven)
                            .then(|| format!("org.{}", name.split('-').next().unwrap_or("org"))),
                        name: name.clone(),
                        supplier: (eco == Eco::Generic)
                            .then(|| format!("{} Project", crate::pool::title_case(&name))),
                    };
                    let cpe = rng.chance(0.03).then(|| {
                        let n = name.to_ascii_lowercase().replace(['.', '-'], "_");
                        format!("cpe:2.3:a:{n}_project:{n}:{version}:*:*:*:*:*:*:*")
                    });
                    component(&mut rng, &id, &version, cpe, Part::A)
                }
            };
            let Some(bom_ref) = comp
                .get("bom-ref")
                .and_then(Value::as_str)
                .map(str::to_owned)
            else {
                continue;
            };
            if !seen.insert(bom_ref.clone()) {
                continue;
            }
            *s.by_ecosystem.entry(eco_name(eco).to_owned()).or_default() += 1;
            if comp.get("cpe").is_some() {
                s.with_cpe += 1;
            }
            if comp.get("purl").is_none() {
                s.without_purl += 1;
            }
            refs.push(bom_ref);
            comps.push(comp);
        }
        s.components += comps.len();
        s.sboms += 1;

        // Dependencies: the element depends on the first ~15 %; each component on up to
        // three later ones (a tree-like graph, every ref defined).
        let direct = (comps.len() / 7).max(1).min(comps.len());
        let mut deps = Vec::with_capacity(comps.len() + 1);
        deps.push(json!({"ref": root_ref, "dependsOn": refs[..direct]}));
        for i in 0..refs.len() {
            let mut on = Vec::new();
            let later = refs.len() - i - 1;
            if later > 0 {
                for _ in 0..rng.below(4) {
                    let j = i + 1 + rng.below(later);
                    if !on.contains(&refs[j]) {
                        on.push(refs[j].clone());
                    }
                }
            }
            deps.push(json!({"ref": refs[i], "dependsOn": on}));
        }
        let a = rng.next_u64();
        let b = rng.next_u64();
        json!({
            "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "serialNumber": format!("urn:uuid:{}", uuid_lower(a, b)),
            "version": 1,
            "metadata": {
                "timestamp": time::rfc3339(released),
                "lifecycles": [{"phase": "build"}],
                "tools": {"components": [{
                    "type": "application",
                    "group": "medsec",
                    "name": "medsec-synth",
                    "version": env!("CARGO_PKG_VERSION"),
                    "description": "Synthetic SBOM for medsec benchmarks (deterministic, seed-driven)"
                }]},
                "authors": [{"name": format!("{maker} product security team")}],
                "component": {
                    "type": arch.kind,
                    "bom-ref": root_ref,
                    "supplier": {"name": maker, "url": [maker_url]},
                    "manufacturer": {"name": maker, "url": [maker_url]},
                    "name": format!("{device}-{}", arch.element),
                    "version": element_version,
                    "description": format!("{} of a {} ({})", arch.element, device.replace('-', " "), arch.name),
                    "licenses": [{"license": {"name": format!("Proprietary ({maker})")}}]
                },
                "manufacturer": {"name": maker, "url": [maker_url]},
                "supplier": {"name": maker, "url": [maker_url]}
            },
            "components": comps,
            "dependencies": deps
        })
    }
}

/// A release of `p` as a device would ship it: mostly 2019–2023, some older, few newer.
fn pool_version(rng: &mut Rng, p: &Product) -> String {
    let year = (2021.0 + 2.0 * rng.normal()).round().clamp(2012.0, 2026.0) as u16;
    let n = p.releases.len();
    let i = p
        .release_at(year)
        .saturating_sub(rng.below(3))
        .min(n.saturating_sub(1));
    p.releases
        .get(i)
        .cloned()
        .unwrap_or_else(|| "1.0".to_owned())
}

fn component(rng: &mut Rng, id: &Ident, version: &str, cpe: Option<String>, part: Part) -> Value {
    let (purl, version) = match id.eco {
        Eco::Npm => (
            Some(format!("pkg:npm/{}@{}", enc(&id.name), enc(version))),
            version.to_owned(),
        ),
        Eco::Pypi => (
            Some(format!(
                "pkg:pypi/{}@{}",
                enc(&id.name.to_ascii_lowercase().replace('_', "-")),
                enc(version)
            )),
            version.to_owned(),
        ),
        Eco::Maven => (
            Some(format!(
                "pkg:maven/{}/{}@{}",
                enc(id.group.as_deref().unwrap_or("org.example")),
                enc(&id.name),
                enc(version)
            )),
            version.to_owned(),
        ),
        Eco::Nuget => (
            Some(format!("pkg:nuget/{}@{}", enc(&id.name), enc(version))),
            version.to_owned(),
        ),
        Eco::Deb => {
            let rev = if rng.chance(0.4) {
                format!("-{}+deb11u{}", rng.range(1, 6), rng.range(1, 9))
            } else {
                format!("-{}", rng.range(1, 6))
            };
            let v = format!("{version}{rev}");
            (
                Some(format!(
                    "pkg:deb/debian/{}@{}?arch=amd64&distro=debian-11",
                    enc(&id.name),
                    enc(&v)
                )),
                v,
            )
        }
        Eco::Generic => (None, version.to_owned()),
    };
    let bom_ref = purl
        .clone()
        .unwrap_or_else(|| format!("generic/{}@{}", id.name, version));
    let kind = match (id.eco, part) {
        (Eco::Generic, Part::O) => "operating-system",
        (Eco::Generic, _) if id.name.contains("boot") || id.name.contains("freertos") => "firmware",
        _ => "library",
    };
    let mut c = serde_json::Map::new();
    c.insert("type".into(), json!(kind));
    c.insert("bom-ref".into(), json!(bom_ref));
    if let Some(s) = &id.supplier {
        c.insert("supplier".into(), json!({"name": s}));
    }
    if let Some(g) = &id.group {
        c.insert("group".into(), json!(g));
    }
    c.insert("name".into(), json!(id.name));
    c.insert("version".into(), json!(version));
    let licence = rng.pick(LICENCES).copied().unwrap_or("MIT");
    c.insert("licenses".into(), json!([{"license": {"id": licence}}]));
    if matches!(id.eco, Eco::Npm | Eco::Maven | Eco::Pypi) && rng.chance(0.5) {
        c.insert(
            "hashes".into(),
            json!([{"alg": "SHA-256", "content": rng.hex(64)}]),
        );
    }
    if let Some(cpe) = cpe {
        c.insert("cpe".into(), json!(cpe));
    }
    if let Some(p) = purl {
        c.insert("purl".into(), json!(p));
    }
    Value::Object(c)
}

/// Writes `count` SBOMs of `components` components as `sbom-NNNNN.cdx.json` into `out`
/// (with a manifest), or one SBOM into `out` itself when it ends in `.json` and `count`
/// is 1.
pub fn generate(
    out: &Path,
    count: usize,
    components: usize,
    seed: u64,
) -> Result<SbomSummary, Error> {
    let pool = Pool::new(seed);
    let g = Generator::new(&pool, seed);
    let mut s = SbomSummary::default();
    let single = out.extension().is_some_and(|e| e == "json");
    if single && count != 1 {
        return Err(Error::Invalid(format!(
            "{}: a .json path takes exactly one SBOM (--count 1)",
            out.display()
        )));
    }
    if single {
        if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        // The single SBOM (the single-scan benchmark's) is an embedded Linux firmware,
        // the archetype that mixes every kind of component, and a different document
        // from those of a directory (index 1,000,000 + its size).
        let v = g.sbom_of(1_000_000 + components, components, Some(0), &mut s);
        let text = serde_json::to_vec(&v).map_err(Error::Json)?;
        s.bytes += text.len() as u64;
        fs::write(out, text).map_err(|e| Error::io(out, e))?;
        return Ok(s);
    }
    fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    for i in 0..count {
        let v = g.sbom(i, components, &mut s);
        let text = serde_json::to_vec(&v).map_err(Error::Json)?;
        s.bytes += text.len() as u64;
        let path = out.join(format!("sbom-{i:05}.cdx.json"));
        fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    }
    let m = SbomManifest {
        generator: format!("medsec-synth {}", env!("CARGO_PKG_VERSION")),
        kind: "sbom".to_owned(),
        seed,
        count,
        components,
        summary: s.clone(),
    };
    let path = out.join(crate::nvd::MANIFEST);
    let text = serde_json::to_string_pretty(&m).map_err(Error::Json)?;
    fs::write(&path, text + "\n").map_err(|e| Error::io(&path, e))?;
    Ok(s)
}
