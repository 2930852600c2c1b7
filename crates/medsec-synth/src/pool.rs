//! The vendor:product pool shared by the NVD and SBOM generators: the real products of
//! [`crate::real`] plus synthetic ones up to [`POOL_SIZE`], with Zipf weights, release
//! lists and ecosystem identities. Depends on the seed only (not on the CVE count), so that
//! SBOMs and CVEs generated separately with the same seed name the same products.

use std::collections::HashSet;

use crate::real::{self, Id, Part, REAL, Style};
use crate::rng::{Rng, hash_str};

/// Vendor:product pairs in the pool (the brief's figure; the real NVD names ~150,000
/// products in CVE configurations, most of them with one or two CVEs).
pub const POOL_SIZE: usize = 20_000;

/// Zipf exponent of the synthetic products' weights (our assumption: with 0.9 the most
/// frequent synthetic product gets ~1 % of the synthetic CVEs and the 20,000th a few).
pub const ZIPF_S: f64 = 0.9;

/// The CVE count the weights are expressed in (full scale).
const FULL_SCALE: f64 = 400_000.0;

/// The newest year releases are dated in.
pub const LAST_YEAR: u16 = 2026;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Eco {
    Npm,
    Pypi,
    Maven,
    Nuget,
    Deb,
    Generic,
}

impl Eco {
    pub const ALL: [Eco; 6] = [
        Eco::Npm,
        Eco::Pypi,
        Eco::Maven,
        Eco::Nuget,
        Eco::Deb,
        Eco::Generic,
    ];

    pub fn index(self) -> usize {
        self as usize
    }
}

/// A product's identity in an ecosystem.
#[derive(Debug, Clone)]
pub struct Ident {
    pub eco: Eco,
    pub group: Option<String>,
    pub name: String,
    pub supplier: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Product {
    pub vendor: String,
    pub product: String,
    pub part: Part,
    /// Expected CVEs at full scale.
    pub weight: f64,
    pub releases: Vec<String>,
    pub first_year: u16,
    pub ids: Vec<Ident>,
    pub target_sw: Option<&'static str>,
    pub real: bool,
    /// For a device: its firmware (`o`) ↔ hardware (`h`) counterpart.
    pub twin: Option<u32>,
    pub vendor_index: u32,
}

impl Product {
    /// The year release `i` came out (releases are spread evenly from `first_year`).
    pub fn release_year(&self, i: usize) -> u16 {
        let n = self.releases.len().max(1) as u64;
        let span = u64::from(LAST_YEAR.saturating_sub(self.first_year)) + 1;
        self.first_year + ((i as u64 * span) / n) as u16
    }

    /// The first release dated `year` or later (the release a CVE of that year is
    /// typically fixed in), or the last release.
    pub fn release_at(&self, year: u16) -> usize {
        let n = self.releases.len();
        (0..n)
            .find(|&i| self.release_year(i) >= year)
            .unwrap_or(n.saturating_sub(1))
    }

    pub fn has_versions(&self) -> bool {
        !(self.releases.len() == 1 && self.releases[0] == "-")
    }

    pub fn title(&self) -> String {
        title_case(&self.product)
    }

    pub fn vendor_title(&self) -> String {
        title_case(&self.vendor)
    }
}

pub fn title_case(s: &str) -> String {
    s.split(['_', '-'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub struct Pool {
    pub products: Vec<Product>,
    /// Cumulative weights for sampling a CVE's product.
    cumulative: Vec<f64>,
    /// Product indices of each vendor.
    pub vendors: Vec<Vec<u32>>,
    /// Products with an identity in each ecosystem (by [`Eco::index`]), real ones first.
    pub by_eco: Vec<Vec<u32>>,
    /// How many of each `by_eco` list are real products.
    pub real_by_eco: Vec<usize>,
    /// Every vendor:product key, so that clean (CVE-free) SBOM names avoid them.
    pub names: HashSet<String>,
    /// `vendor:product` → product index.
    pub index: std::collections::HashMap<String, u32>,
}

impl Pool {
    pub fn new(seed: u64) -> Pool {
        build(seed)
    }

    /// A product index drawn by weight.
    pub fn sample(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.f64() * total;
        self.cumulative
            .partition_point(|&c| c <= x)
            .min(self.products.len().saturating_sub(1))
    }

    pub fn find(&self, vendor: &str, product: &str) -> Option<usize> {
        self.index
            .get(&format!("{vendor}:{product}"))
            .map(|&i| i as usize)
    }

    pub fn get(&self, i: usize) -> &Product {
        &self.products[i.min(self.products.len().saturating_sub(1))]
    }

    /// The pool's weight for a product relative to a CVE total.
    pub fn total_weight(&self) -> f64 {
        self.cumulative.last().copied().unwrap_or(0.0)
    }
}

const SYL_A: &[&str] = &[
    "ka", "lo", "mi", "ne", "ra", "so", "ti", "ve", "za", "bo", "du", "fe", "gi", "ha", "jo", "ku",
    "le", "mo", "nu", "pa", "qui", "ri", "su", "ta", "vo", "wi", "xe", "yo", "ze", "cor", "dan",
    "el", "fin", "gar", "hel", "ist", "jen", "kor", "lum", "mar", "nor", "om", "pel", "quar",
    "ros", "sel", "tor", "ul", "ven", "wes",
];
const SYL_B: &[&str] = &[
    "tec", "net", "soft", "tron", "dyn", "ware", "lab", "sys", "ics", "ix", "on", "ar", "io", "us",
    "en", "is", "ex", "um", "ia", "ent",
];
const WORDS: &[&str] = &[
    "gateway",
    "portal",
    "manager",
    "server",
    "client",
    "cms",
    "router",
    "camera",
    "player",
    "viewer",
    "editor",
    "suite",
    "cloud",
    "hub",
    "monitor",
    "agent",
    "studio",
    "console",
    "parser",
    "proxy",
    "cache",
    "mail",
    "shop",
    "forms",
    "booking",
    "gallery",
    "crm",
    "erp",
    "wiki",
    "forum",
    "blog",
    "backup",
    "sync",
    "vpn",
    "firewall",
    "switch",
    "nas",
    "printer",
    "scanner",
    "controller",
    "pump",
    "imaging",
    "pacs",
    "lis",
    "ehr",
    "telemetry",
    "dicom",
    "hl7",
    "fhir",
    "json",
    "xml",
    "yaml",
    "http",
    "auth",
    "token",
    "crypto",
    "image",
    "video",
    "audio",
    "pdf",
    "zip",
    "csv",
    "markdown",
    "template",
    "logger",
    "config",
    "schema",
    "validator",
    "router",
    "stream",
    "queue",
    "event",
    "socket",
    "graph",
    "query",
    "orm",
    "date",
    "color",
    "path",
    "url",
    "cookie",
    "session",
    "upload",
    "mailer",
    "cli",
    "test",
];
const DEVICE_PREFIX: &[&str] = &[
    "dir", "rt", "ac", "wr", "nv", "ipc", "ds", "sg", "xr", "ts", "mx", "gw", "hc", "pm", "ip",
];

fn vendor_name(rng: &mut Rng) -> String {
    let n = rng.range(1, 2) as usize;
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(rng.pick(SYL_A).copied().unwrap_or("ka"));
    }
    s.push_str(rng.pick(SYL_B).copied().unwrap_or("tec"));
    if rng.chance(0.12) {
        s.push_str("_project");
    }
    s
}

fn app_name(rng: &mut Rng, eco: Option<Eco>) -> String {
    let a = rng.pick(WORDS).copied().unwrap_or("app");
    let b = rng.pick(WORDS).copied().unwrap_or("kit");
    let stem = format!(
        "{}{}",
        rng.pick(SYL_A).copied().unwrap_or("ka"),
        rng.pick(SYL_B).copied().unwrap_or("ix")
    );
    match (eco, rng.below(3)) {
        (Some(Eco::Npm | Eco::Maven | Eco::Deb), 0) => format!("{stem}-{a}"),
        (Some(Eco::Npm | Eco::Maven | Eco::Deb), 1) => format!("{a}-{b}"),
        (Some(Eco::Npm | Eco::Maven | Eco::Deb), _) => format!("{stem}-{a}-{b}"),
        (Some(Eco::Pypi), 0) => format!("{stem}{a}"),
        (Some(Eco::Pypi), _) => format!("{a}-{stem}"),
        (Some(Eco::Nuget | Eco::Generic), 0) => format!("lib{stem}"),
        (Some(Eco::Nuget | Eco::Generic), _) => format!("{stem}{a}"),
        (None, 0) => format!("{stem}_{a}"),
        (None, 1) => format!("{a}_{b}"),
        (None, _) => stem,
    }
}

fn style_for(rng: &mut Rng) -> Style {
    match rng.below(10) {
        0..=5 => Style::Sem(
            rng.range(0, 3) as u16,
            rng.range(1, 5) as u16,
            rng.range(2, 12) as u16,
            rng.range(0, 12) as u16,
        ),
        6 | 7 => Style::Two(rng.range(1, 4) as u16, rng.range(4, 9) as u16, 12),
        8 => Style::Date(rng.range(2008, 2020) as u16),
        _ => Style::Num(rng.range(1, 100) as u16, rng.range(110, 200) as u16),
    }
}

/// Up to this many releases are kept per product (evenly thinned).
const MAX_RELEASES: usize = 120;

fn releases(style: Style, rng: &mut Rng, real: bool) -> Vec<String> {
    let mut out = Vec::new();
    match style {
        Style::Sem(lo, hi, mi, pa) => {
            for major in lo..=hi {
                let minors = if real {
                    mi
                } else {
                    rng.range(0, u64::from(mi)) as u16
                };
                for minor in 0..=minors {
                    let patches = rng.range(0, u64::from(pa)) as u16;
                    for patch in 0..=patches {
                        out.push(format!("{major}.{minor}.{patch}"));
                    }
                }
            }
        }
        Style::Two(lo, hi, mi) => {
            for major in lo..=hi {
                let minors = if real {
                    mi
                } else {
                    rng.range(1, u64::from(mi)) as u16
                };
                for minor in 0..=minors {
                    out.push(format!("{major}.{minor}"));
                }
            }
        }
        Style::Letter(bases) => {
            for b in bases {
                out.push((*b).to_owned());
                let letters = rng.range(3, 22) as u8;
                for l in 0..letters {
                    out.push(format!("{b}{}", char::from(b'a' + l)));
                }
            }
        }
        Style::Date(first) => {
            for y in first..LAST_YEAR {
                for m in ["01", "04", "07", "10"] {
                    if rng.chance(0.6) {
                        out.push(format!("{y}.{m}"));
                    }
                }
            }
        }
        Style::Num(lo, hi) => {
            for n in lo..=hi {
                out.push(n.to_string());
            }
        }
        Style::List(list) => out.extend(list.iter().map(|s| (*s).to_owned())),
    }
    if out.is_empty() {
        out.push("1.0".to_owned());
    }
    if out.len() > MAX_RELEASES {
        let n = out.len();
        out = (0..MAX_RELEASES)
            .map(|i| std::mem::take(&mut out[i * (n - 1) / (MAX_RELEASES - 1)]))
            .collect();
    }
    out
}

fn ident(id: &Id) -> Ident {
    let (eco, group, name, supplier) = match *id {
        Id::Npm(n) => (Eco::Npm, None, n, None),
        Id::Pypi(n) => (Eco::Pypi, None, n, None),
        Id::Maven(g, a) => (Eco::Maven, Some(g.to_owned()), a, None),
        Id::Nuget(n) => (Eco::Nuget, None, n, None),
        Id::Deb(n) => (Eco::Deb, None, n, None),
        Id::Generic(n, s) => (Eco::Generic, None, n, Some(s.to_owned())),
    };
    Ident {
        eco,
        group,
        name: name.to_owned(),
        supplier,
    }
}

fn build(seed: u64) -> Pool {
    let mut rng = Rng::derive(seed, 0x500C, 0);
    let mut products: Vec<Product> = Vec::with_capacity(POOL_SIZE);
    let mut keys: HashSet<String> = HashSet::new();
    let mut vendor_ids: std::collections::HashMap<String, u32> = Default::default();
    let mut vendors: Vec<Vec<u32>> = Vec::new();
    fn vendor_of(
        name: &str,
        vendors: &mut Vec<Vec<u32>>,
        ids: &mut std::collections::HashMap<String, u32>,
    ) -> u32 {
        if let Some(&v) = ids.get(name) {
            return v;
        }
        let v = vendors.len() as u32;
        vendors.push(Vec::new());
        ids.insert(name.to_owned(), v);
        v
    }

    let mut real_weight = 0.0;
    for (i, r) in REAL.iter().enumerate() {
        let mut prng = Rng::derive(seed, 0x5EA1, i as u64);
        let mut ids: Vec<Ident> = r.ids.iter().map(ident).collect();
        if ids.is_empty() && r.target_sw == Some("node.js") {
            ids.push(ident(&Id::Npm(r.product)));
        }
        let v = vendor_of(r.vendor, &mut vendors, &mut vendor_ids);
        keys.insert(format!("{}:{}", r.vendor, r.product));
        real_weight += f64::from(r.cves);
        products.push(Product {
            vendor: r.vendor.to_owned(),
            product: r.product.to_owned(),
            part: r.part,
            weight: f64::from(r.cves),
            releases: releases(r.style, &mut prng, true),
            first_year: 1999,
            ids,
            target_sw: r.target_sw,
            real: true,
            twin: None,
            vendor_index: v,
        });
        let idx = (products.len() - 1) as u32;
        vendors[v as usize].push(idx);
    }

    // Synthetic vendors with Zipf-like product counts, until the pool is full.
    while products.len() < POOL_SIZE {
        let vendor = vendor_name(&mut rng);
        if vendor_ids.contains_key(&vendor) {
            continue;
        }
        let v = vendor_of(&vendor, &mut vendors, &mut vendor_ids);
        // Products per vendor: mostly 1-2, a few vendors with dozens.
        let count = (1.0 / rng.f64().max(1e-3).powf(0.8)).min(60.0) as usize;
        let device_vendor = rng.chance(0.12);
        for _ in 0..count.max(1) {
            if products.len() >= POOL_SIZE {
                break;
            }
            let mut prng = Rng::derive(seed, 0x5A1E, products.len() as u64);
            let first_year = rng.range(1999, 2023) as u16;
            if device_vendor && products.len() + 1 < POOL_SIZE {
                // A device: hardware `h` and its firmware `o`.
                let model = format!(
                    "{}-{}{}",
                    rng.pick(DEVICE_PREFIX).copied().unwrap_or("dx"),
                    rng.range(100, 9999),
                    ["", "", "n", "s", "pro", "v2"][rng.below(6)]
                );
                if !keys.insert(format!("{vendor}:{model}")) {
                    continue;
                }
                keys.insert(format!("{vendor}:{model}_firmware"));
                let hw = products.len() as u32;
                let style = style_for(&mut prng);
                products.push(Product {
                    vendor: vendor.clone(),
                    product: model.clone(),
                    part: Part::H,
                    weight: 0.0,
                    releases: vec!["-".to_owned()],
                    first_year,
                    ids: Vec::new(),
                    target_sw: None,
                    real: false,
                    twin: Some(hw + 1),
                    vendor_index: v,
                });
                products.push(Product {
                    vendor: vendor.clone(),
                    product: format!("{model}_firmware"),
                    part: Part::O,
                    weight: 0.0,
                    releases: releases(style, &mut prng, false),
                    first_year,
                    ids: Vec::new(),
                    target_sw: None,
                    real: false,
                    twin: Some(hw),
                    vendor_index: v,
                });
                vendors[v as usize].extend([hw, hw + 1]);
                continue;
            }
            let eco = rng.table(&[
                (20.0, Some(Eco::Npm)),
                (12.0, Some(Eco::Pypi)),
                (12.0, Some(Eco::Maven)),
                (3.0, Some(Eco::Nuget)),
                (10.0, Some(Eco::Deb)),
                (8.0, Some(Eco::Generic)),
                (35.0, None),
            ]);
            let eco = eco.flatten();
            let product = app_name(&mut rng, eco);
            if !keys.insert(format!("{vendor}:{product}")) {
                continue;
            }
            let (part, target_sw) = match eco {
                Some(Eco::Npm) => (Part::A, rng.chance(0.7).then_some("node.js")),
                Some(Eco::Pypi) => (Part::A, rng.chance(0.3).then_some("python")),
                None if rng.chance(0.08) => (Part::O, None),
                _ => (Part::A, None),
            };
            let ids = match eco {
                None => Vec::new(),
                Some(e) => vec![synthetic_ident(e, &vendor, &product)],
            };
            let style = style_for(&mut prng);
            let idx = products.len() as u32;
            products.push(Product {
                vendor: vendor.clone(),
                product,
                part,
                weight: 0.0,
                releases: releases(style, &mut prng, false),
                first_year,
                ids,
                target_sw,
                real: false,
                twin: None,
                vendor_index: v,
            });
            vendors[v as usize].push(idx);
        }
    }

    // Zipf weights over the synthetic products in a shuffled rank order; hardware gets
    // no CVEs of its own (its firmware carries them, with the hardware as platform).
    let synthetic: Vec<usize> = (REAL.len()..products.len())
        .filter(|&i| products[i].part != Part::H)
        .collect();
    let mut ranks: Vec<usize> = (1..=synthetic.len()).collect();
    for i in (1..ranks.len()).rev() {
        let j = rng.below(i + 1);
        ranks.swap(i, j);
    }
    let h: f64 = (1..=synthetic.len())
        .map(|r| (r as f64).powf(-ZIPF_S))
        .sum();
    let c = (FULL_SCALE - real_weight).max(0.0) / h.max(1e-9);
    for (k, &i) in synthetic.iter().enumerate() {
        products[i].weight = c * (ranks[k] as f64).powf(-ZIPF_S);
    }
    let mut acc = 0.0;
    let cumulative = products
        .iter()
        .map(|p| {
            acc += p.weight;
            acc
        })
        .collect();
    let mut by_eco = vec![Vec::new(); Eco::ALL.len()];
    let mut real_by_eco = vec![0; Eco::ALL.len()];
    for (i, p) in products.iter().enumerate() {
        for id in &p.ids {
            let list = &mut by_eco[id.eco.index()];
            if list.last() != Some(&(i as u32)) {
                list.push(i as u32);
                if p.real {
                    real_by_eco[id.eco.index()] += 1;
                }
            }
        }
    }
    let index = products
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("{}:{}", p.vendor, p.product), i as u32))
        .collect();
    Pool {
        index,
        products,
        cumulative,
        vendors,
        by_eco,
        real_by_eco,
        names: keys,
    }
}

/// The ecosystem identity of a synthetic product.
pub fn synthetic_ident(eco: Eco, vendor: &str, product: &str) -> Ident {
    let base = vendor.trim_end_matches("_project");
    match eco {
        Eco::Maven => Ident {
            eco,
            group: Some(format!("com.{}", base.replace('_', ""))),
            name: product.replace('_', "-"),
            supplier: None,
        },
        Eco::Nuget => Ident {
            eco,
            group: None,
            name: format!(
                "{}.{}",
                title_case(base).replace(' ', ""),
                title_case(product)
            )
            .replace(' ', ""),
            supplier: None,
        },
        Eco::Generic => Ident {
            eco,
            group: None,
            name: product.replace('_', "-"),
            supplier: Some(format!("{} Ltd", title_case(base))),
        },
        _ => Ident {
            eco,
            group: None,
            name: product.replace('_', "-"),
            supplier: None,
        },
    }
}

/// A stable hash of a product for derived ids.
pub fn product_hash(p: &Product) -> u64 {
    hash_str(&format!("{}:{}", p.vendor, p.product))
}

/// The distribution products of [`real::DOWNSTREAM`] found in the pool.
pub fn downstream(pool: &Pool) -> Vec<usize> {
    real::DOWNSTREAM
        .iter()
        .filter_map(|(v, p)| pool.find(v, p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_is_deterministic_and_full() {
        let a = Pool::new(1);
        let b = Pool::new(1);
        assert_eq!(a.products.len(), POOL_SIZE);
        assert_eq!(a.products[5000].product, b.products[5000].product);
        assert!(a.find("openssl", "openssl").is_some());
        let total = a.total_weight();
        assert!((total - FULL_SCALE).abs() / FULL_SCALE < 0.01, "{total}");
        for p in &a.products {
            assert!(!p.releases.is_empty());
            assert!(
                p.product
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b)),
                "{}",
                p.product
            );
        }
    }
}
