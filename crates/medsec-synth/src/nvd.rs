//! NVD CVE API 2.0 records: the plan (which CVE exists, its year, status, product and
//! cpeMatch count), the record built from it, and the page writer.
//!
//! Two passes keep memory bounded: the plan holds ~40 bytes per CVE (16 MB at 400,000);
//! the records are built and written one at a time.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::Error;
use crate::cvss::{self, Metric, Scorer};
use crate::pool::{self, Pool, Product};
use crate::real::Part;
use crate::rng::{Rng, hash_str, mix, uuid_upper};
use crate::text::{INPUTS, PARAMS, WEAKNESSES, Weak};
use crate::time::{self, DAY_MS, Millis};

/// The generator's "now": data is as of this instant (the EPSS score date).
pub fn now() -> Millis {
    time::ms_of(2026, 11, 27)
}

/// The first `dateAdded` of the CISA KEV catalog (2021-11-03).
pub fn kev_start() -> Millis {
    time::ms_of(2021, 11, 3)
}

/// Published CVEs per year, 1999–2024: the shape of NVD's counts by publication year
/// (approximate, our reading of NVD's statistics); only the shape is used.
const YEAR_SHAPE: &[(u16, f64)] = &[
    (1999, 1.5),
    (2000, 1.2),
    (2001, 1.6),
    (2002, 2.4),
    (2003, 1.5),
    (2004, 2.7),
    (2005, 4.8),
    (2006, 7.1),
    (2007, 6.6),
    (2008, 5.6),
    (2009, 5.7),
    (2010, 4.6),
    (2011, 4.2),
    (2012, 5.3),
    (2013, 5.2),
    (2014, 7.9),
    (2015, 6.5),
    (2016, 6.5),
    (2017, 14.6),
    (2018, 16.5),
    (2019, 17.3),
    (2020, 18.4),
    (2021, 20.2),
    (2022, 25.1),
    (2023, 29.1),
    (2024, 40.0),
];

/// Share of all CVEs published in 2025 (48,000 of 400,000: scale-and-peers research note).
pub const SHARE_2025: f64 = 0.12;
/// Share published in 2026 up to [`now`] (~51,000 a year forecast by FIRST, × 330/365
/// ≈ 46,000 of 400,000).
pub const SHARE_2026: f64 = 0.115;

/// Share of CVEs in the KEV catalog (~1,400 of 400,000: CISA's catalog size).
pub const KEV_SHARE: f64 = 0.0035;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Analyzed,
    Modified,
    Deferred,
    AwaitingAnalysis,
    UndergoingAnalysis,
    Received,
    Rejected,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Analyzed => "Analyzed",
            Status::Modified => "Modified",
            Status::Deferred => "Deferred",
            Status::AwaitingAnalysis => "Awaiting Analysis",
            Status::UndergoingAnalysis => "Undergoing Analysis",
            Status::Received => "Received",
            Status::Rejected => "Rejected",
        }
    }

    /// NVD has analysed the record (it carries NVD's own metrics, CWE and configurations).
    pub fn analysed(self) -> bool {
        matches!(self, Status::Analyzed | Status::Modified | Status::Deferred)
    }
}

/// Status shares by publication year (our assumption after NVD's 2024–2026 backlog:
/// roughly a third to a half of recent CVEs still await analysis; older ones are analysed
/// or modified; ~3–5 % of every year rejected).
fn status_table(year: u16) -> &'static [(f64, Status)] {
    use Status::*;
    match year {
        ..=2015 => &[
            (0.03, Rejected),
            (0.12, Deferred),
            (0.50, Modified),
            (0.35, Analyzed),
        ],
        2016..=2022 => &[
            (0.04, Rejected),
            (0.05, Deferred),
            (0.45, Modified),
            (0.46, Analyzed),
        ],
        2023 => &[
            (0.05, Rejected),
            (0.03, Deferred),
            (0.25, Modified),
            (0.62, Analyzed),
            (0.05, AwaitingAnalysis),
        ],
        2024 => &[
            (0.05, Rejected),
            (0.10, Deferred),
            (0.10, Modified),
            (0.40, Analyzed),
            (0.30, AwaitingAnalysis),
            (0.05, UndergoingAnalysis),
        ],
        2025 => &[
            (0.04, Rejected),
            (0.10, Deferred),
            (0.06, Modified),
            (0.35, Analyzed),
            (0.40, AwaitingAnalysis),
            (0.05, UndergoingAnalysis),
        ],
        _ => &[
            (0.03, Rejected),
            (0.05, Deferred),
            (0.02, Modified),
            (0.25, Analyzed),
            (0.50, AwaitingAnalysis),
            (0.05, UndergoingAnalysis),
            (0.10, Received),
        ],
    }
}

/// One CVE of the plan.
#[derive(Debug, Clone, Copy)]
pub struct Planned {
    pub year: u16,
    pub seq: u32,
    pub published: Millis,
    pub status: Status,
    /// cpeMatch entries in its configurations.
    pub k: u32,
    pub product: u32,
    pub kev: bool,
}

impl Planned {
    pub fn id(&self) -> String {
        format!("CVE-{}-{:04}", self.year, self.seq)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NvdOptions {
    pub cves: usize,
    pub cpe_matches: u64,
    pub seed: u64,
    pub page_size: usize,
    pub gzip: bool,
}

impl Default for NvdOptions {
    fn default() -> Self {
        NvdOptions {
            cves: 400_000,
            cpe_matches: 1_500_000,
            seed: 1,
            page_size: 2000,
            gzip: false,
        }
    }
}

pub struct Plan {
    pub cves: Vec<Planned>,
    pub cpe_total: u64,
}

/// cpeMatch entries of a configured CVE before scaling: a long tail (our assumption,
/// after NVD: most CVEs name one to three match strings, some name hundreds, e.g.
/// CVE-2016-7434 has 492 and CVE-2021-44228 408).
pub fn raw_k(rng: &mut Rng) -> u32 {
    let log_uniform = |rng: &mut Rng, lo: f64, hi: f64| (lo * (hi / lo).powf(rng.f64())) as u32;
    match rng.f64() {
        x if x < 0.48 => 1,
        x if x < 0.68 => 2,
        x if x < 0.80 => rng.range(3, 4) as u32,
        x if x < 0.92 => rng.range(5, 10) as u32,
        x if x < 0.985 => log_uniform(rng, 11.0, 40.0),
        x if x < 0.998 => log_uniform(rng, 41.0, 200.0),
        _ => log_uniform(rng, 201.0, 800.0),
    }
}

/// Whether a CVE of this status carries configurations at all.
fn configured(status: Status, rng: &mut Rng) -> bool {
    match status {
        Status::Analyzed | Status::Modified => true,
        Status::Deferred => rng.chance(0.5),
        _ => false,
    }
}

fn year_counts(total: usize) -> Vec<(u16, usize)> {
    let shape_sum: f64 = YEAR_SHAPE.iter().map(|(_, w)| w).sum();
    let rest = 1.0 - SHARE_2025 - SHARE_2026;
    let mut shares: Vec<(u16, f64)> = YEAR_SHAPE
        .iter()
        .map(|&(y, w)| (y, w / shape_sum * rest))
        .collect();
    shares.push((2025, SHARE_2025));
    shares.push((2026, SHARE_2026));
    // Largest remainder, so that the counts add up exactly.
    let exact: Vec<f64> = shares.iter().map(|(_, s)| s * total as f64).collect();
    let mut counts: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut left = total - counts.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by(|&a, &b| {
        let fa = exact[a] - exact[a].floor();
        let fb = exact[b] - exact[b].floor();
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        counts[i] += 1;
        left -= 1;
    }
    shares.iter().map(|(y, _)| *y).zip(counts).collect()
}

/// Builds the plan: every CVE's id, date, status, product, cpeMatch count and KEV flag,
/// with the cpeMatch counts adjusted so that they add up to `opts.cpe_matches`.
pub fn plan(pool: &Pool, opts: &NvdOptions) -> Plan {
    let mut rng = Rng::derive(opts.seed, 0x91A4, 0);
    let mut cves = Vec::with_capacity(opts.cves);
    let now = now();
    for (year, n) in year_counts(opts.cves) {
        let start = time::year_start(i64::from(year));
        let end = if year >= 2026 {
            now - DAY_MS / 4
        } else {
            time::year_start(i64::from(year) + 1)
        };
        let span = (end - start).max(1);
        let mut seq = 0u32;
        for i in 0..n {
            seq += 1 + rng.below(2) as u32;
            let published = start + ((i as f64 + rng.f64()) / n as f64 * span as f64) as Millis;
            // Round to NVD's habit of quarter-hour publication slots plus milliseconds.
            let published = published - published % 900_000 + rng.range(0, 59_999) as Millis;
            let mut status = rng.table(status_table(year)).unwrap_or(Status::Analyzed);
            if year >= 2026 && now - published < 5 * DAY_MS && status != Status::Rejected {
                status = Status::Received;
            }
            let product = pool.sample(&mut rng) as u32;
            let k = if configured(status, &mut rng) {
                raw_k(&mut rng)
            } else {
                0
            };
            cves.push(Planned {
                year,
                seq,
                published,
                status,
                k,
                product,
                kev: false,
            });
        }
    }
    let cpe_total = adjust(&mut cves, opts.cpe_matches, &mut rng);
    choose_kev(&mut cves, pool, opts.seed);
    Plan { cves, cpe_total }
}

/// Scales the configured CVEs' counts to the target, then moves single entries until the
/// total is exact (or as close as possible: every configured CVE keeps at least one).
fn adjust(cves: &mut [Planned], target: u64, rng: &mut Rng) -> u64 {
    let sum: u64 = cves.iter().map(|c| u64::from(c.k)).sum();
    let configured = cves.iter().filter(|c| c.k > 0).count();
    if sum == 0 || configured == 0 {
        return 0;
    }
    let f = target as f64 / sum as f64;
    for c in cves.iter_mut().filter(|c| c.k > 0) {
        let x = f64::from(c.k) * f;
        let k = (x.floor() + if rng.f64() < x.fract() { 1.0 } else { 0.0 }) as u32;
        c.k = k.max(1);
    }
    let mut total: u64 = cves.iter().map(|c| u64::from(c.k)).sum();
    let n = cves.len();
    // A stride co-prime with n visits every CVE once per pass in a scattered order.
    let mut stride = (n as u64 / 3 * 2 + 1) as usize;
    while gcd(stride, n) != 1 {
        stride += 1;
    }
    let mut pos = 0usize;
    let mut idle = 0usize;
    while total != target && idle < 2 * n {
        pos = (pos + stride) % n;
        let c = &mut cves[pos];
        if c.k == 0 {
            idle += 1;
            continue;
        }
        if total < target {
            c.k += 1;
            total += 1;
            idle = 0;
        } else if c.k > 1 {
            c.k -= 1;
            total -= 1;
            idle = 0;
        } else {
            idle += 1;
        }
    }
    total
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Marks `KEV_SHARE` of the CVEs as known exploited: configured, not rejected, weighted
/// towards recent years and real (widely deployed) products (weighted sampling without
/// replacement, Efraimidis–Spirakis keys).
fn choose_kev(cves: &mut [Planned], pool: &Pool, seed: u64) {
    let want = (cves.len() as f64 * KEV_SHARE).round() as usize;
    let mut keys: Vec<(f64, usize)> = cves
        .iter()
        .enumerate()
        .filter(|(_, c)| c.k > 0 && c.year >= 2002)
        .map(|(i, c)| {
            let mut r = Rng::derive(seed, 0x0CE7, i as u64);
            let year_w = match c.year {
                2019.. => 3.0,
                2010..=2018 => 1.0,
                _ => 0.3,
            };
            let p = pool.get(c.product as usize);
            let prod_w = if p.real { 6.0 } else { 1.0 };
            let key = r.f64().max(1e-300).ln() / (year_w * prod_w);
            (key, i)
        })
        .collect();
    keys.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in keys.iter().take(want) {
        cves[i].kev = true;
    }
}

// ---------------------------------------------------------------------------------------
// The record.

#[derive(Debug, Clone, Serialize)]
pub struct LangString {
    pub lang: &'static str,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CveTag {
    pub source_identifier: String,
    pub tags: Vec<&'static str>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Metrics {
    #[serde(rename = "cvssMetricV40", skip_serializing_if = "Vec::is_empty")]
    pub v40: Vec<Metric>,
    #[serde(rename = "cvssMetricV31", skip_serializing_if = "Vec::is_empty")]
    pub v31: Vec<Metric>,
    #[serde(rename = "cvssMetricV30", skip_serializing_if = "Vec::is_empty")]
    pub v30: Vec<Metric>,
    #[serde(rename = "cvssMetricV2", skip_serializing_if = "Vec::is_empty")]
    pub v2: Vec<Metric>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Weakness {
    pub source: String,
    #[serde(rename = "type")]
    pub ty: &'static str,
    pub description: Vec<LangString>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CpeMatch {
    pub vulnerable: bool,
    pub criteria: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_start_including: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_start_excluding: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_end_including: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_end_excluding: Option<String>,
    pub match_criteria_id: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    pub operator: &'static str,
    pub negate: bool,
    pub cpe_match: Vec<CpeMatch>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Config {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<&'static str>,
    pub nodes: Vec<Node>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reference {
    pub url: String,
    pub source: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cve {
    pub id: String,
    pub source_identifier: String,
    pub published: String,
    pub last_modified: String,
    pub vuln_status: &'static str,
    pub cve_tags: Vec<CveTag>,
    pub descriptions: Vec<LangString>,
    pub metrics: Metrics,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cisa_exploit_add: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cisa_action_due: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cisa_required_action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cisa_vulnerability_name: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub weaknesses: Vec<Weakness>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub configurations: Vec<Config>,
    pub references: Vec<Reference>,
}

impl Cve {
    pub fn cpe_match_count(&self) -> u64 {
        self.configurations
            .iter()
            .flat_map(|c| &c.nodes)
            .map(|n| n.cpe_match.len() as u64)
            .sum()
    }

    pub fn has_and(&self) -> bool {
        self.configurations
            .iter()
            .any(|c| c.operator == Some("AND"))
    }

    /// The first English description.
    pub fn description(&self) -> &str {
        self.descriptions
            .iter()
            .find(|d| d.lang == "en")
            .map_or("", |d| d.value.as_str())
    }

    pub fn cwes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for w in &self.weaknesses {
            for d in &w.description {
                if d.value.starts_with("CWE-") && !out.contains(&d.value) {
                    out.push(d.value.clone());
                }
            }
        }
        out
    }
}

pub const KEV_ACTION: &str = "Apply mitigations per vendor instructions, follow applicable BOD 22-01 guidance for cloud services, or discontinue use of the product if mitigations are unavailable.";

/// What every record generator needs: the pool, the seed, the vector scorer.
pub struct Ctx<'a> {
    pub pool: &'a Pool,
    pub seed: u64,
    pub scorer: Scorer,
    pub downstream: Vec<usize>,
    /// The instant the data is as of (records are modified no later).
    pub now: Millis,
}

impl<'a> Ctx<'a> {
    pub fn new(pool: &'a Pool, seed: u64) -> Ctx<'a> {
        Ctx {
            pool,
            seed,
            scorer: Scorer::new(),
            downstream: pool::downstream(pool),
            now: now(),
        }
    }
}

/// The CNA that assigned a CVE (real CNA identifiers; shares are our assumption after
/// the 2023 page in the corpus: MITRE, Patchstack, GitHub, vendor PSIRTs, VulDB, …).
fn source_identifier(rng: &mut Rng, year: u16, p: &Product) -> String {
    if p.product == "linux_kernel" && year >= 2024 {
        return "416baaa9-dc9f-4396-8d5f-8c081fb06d67".to_owned();
    }
    if year < 2016 {
        return if rng.chance(0.9) {
            "cve@mitre.org".to_owned()
        } else {
            "secalert@redhat.com".to_owned()
        };
    }
    let ecosystem = !p.ids.is_empty() && p.ids.iter().all(|i| i.eco != pool::Eco::Generic);
    let github = if ecosystem { 0.35 } else { 0.08 };
    let r = rng.f64();
    let table: &[(f64, &str)] = &[
        (github, "security-advisories@github.com"),
        (0.25, "cve@mitre.org"),
        (0.08, "cna@vuldb.com"),
        (0.07, "audit@patchstack.com"),
        (0.06, "security@wordfence.com"),
        (0.04, "secalert@redhat.com"),
        (0.03, "psirt@us.ibm.com"),
        (0.02, "security@android.com"),
        (0.02, "product-security@apple.com"),
        (0.02, "psirt@cisco.com"),
        (0.02, "ics-cert@hq.dhs.gov"),
        (0.02, "cve-coordination@incibe.es"),
    ];
    let total: f64 = table.iter().map(|(w, _)| w).sum::<f64>() + 0.10;
    let mut x = r * total;
    for (w, s) in table {
        if x < *w {
            return (*s).to_owned();
        }
        x -= w;
    }
    // A CNA known by its UUID (as NVD shows many newer CNAs), stable per vendor.
    let h = hash_str(&p.vendor);
    uuid_upper(h, mix(h)).to_ascii_lowercase()
}

pub fn weakness<'w>(rng: &mut Rng, year: u16, p: &Product) -> &'w Weak {
    let npm = p.target_sw == Some("node.js");
    let old = year < 2010;
    let weights: Vec<f64> = WEAKNESSES
        .iter()
        .map(|w| match w.cwe {
            "CWE-1321" if !npm => 0.0,
            "NVD-CWE-Other" | "NVD-CWE-noinfo" if old => 20.0,
            "CWE-119" if old => 10.0,
            _ => w.weight,
        })
        .collect();
    &WEAKNESSES[rng.weighted(&weights)]
}

fn criteria(part: Part, vendor: &str, product: &str, version: &str, target_sw: &str) -> String {
    format!(
        "cpe:2.3:{}:{vendor}:{product}:{version}:*:*:*:*:{target_sw}:*:*",
        part.letter()
    )
}

pub fn with_id(mut m: CpeMatch) -> CpeMatch {
    let key = format!(
        "{}|{:?}|{:?}|{:?}|{:?}",
        m.criteria,
        m.version_start_including,
        m.version_start_excluding,
        m.version_end_including,
        m.version_end_excluding
    );
    let h = hash_str(&key);
    m.match_criteria_id = uuid_upper(h, mix(h ^ 0xC0FF_EE00));
    m
}

fn entry(p: &Product, version: &str, vulnerable: bool) -> CpeMatch {
    with_id(CpeMatch {
        vulnerable,
        criteria: criteria(
            p.part,
            &p.vendor,
            &p.product,
            version,
            p.target_sw.unwrap_or("*"),
        ),
        version_start_including: None,
        version_start_excluding: None,
        version_end_including: None,
        version_end_excluding: None,
        match_criteria_id: String::new(),
    })
}

fn ranged(
    p: &Product,
    start: Option<&str>,
    start_excl: bool,
    end: Option<&str>,
    end_incl: bool,
) -> CpeMatch {
    let mut m = entry(p, "*", true);
    match (start, start_excl) {
        (Some(s), false) => m.version_start_including = Some(s.to_owned()),
        (Some(s), true) => m.version_start_excluding = Some(s.to_owned()),
        _ => {}
    }
    match (end, end_incl) {
        (Some(e), false) => m.version_end_excluding = Some(e.to_owned()),
        (Some(e), true) => m.version_end_including = Some(e.to_owned()),
        _ => {}
    }
    with_id(m)
}

/// The index of the release fixing a CVE of `year` (jittered), at least 1 when the
/// product has more than one release.
fn fix_index(rng: &mut Rng, p: &Product, year: u16) -> usize {
    let n = p.releases.len();
    if n <= 1 {
        return 0;
    }
    let base = p.release_at(year) as i64 + rng.range(0, 3) as i64 - 1;
    base.clamp(1, n as i64 - 1) as usize
}

/// The first release of the branch (same `major.minor`) as release `i`.
fn branch_start(p: &Product, i: usize) -> usize {
    let prefix = |s: &str| -> String { s.split('.').take(2).collect::<Vec<_>>().join(".") };
    let want = prefix(&p.releases[i]);
    let mut j = i;
    while j > 0 && prefix(&p.releases[j - 1]) == want {
        j -= 1;
    }
    j
}

/// Up to `m` vulnerable match entries for product `p` and a CVE of `year`, in one of
/// NVD's bound styles; fewer when the product has too few releases.
pub fn product_entries(
    rng: &mut Rng,
    p: &Product,
    year: u16,
    m: usize,
    exact: bool,
) -> Vec<CpeMatch> {
    let n = p.releases.len();
    if !p.has_versions() || n == 0 {
        return vec![entry(p, "-", true)];
    }
    let f = fix_index(rng, p, year);
    let rel = |i: usize| p.releases[i.min(n - 1)].as_str();
    if m == 1 && !exact {
        let x = rng.f64();
        let one = if x < 0.40 && f > 0 {
            ranged(p, None, false, Some(rel(f)), false)
        } else if x < 0.52 && f > 0 {
            ranged(p, None, false, Some(rel(f - 1)), true)
        } else if x < 0.67 && f > 0 {
            let s = branch_start(p, f - 1);
            if rng.chance(0.1) && s > 0 {
                ranged(p, Some(rel(s - 1)), true, Some(rel(f)), false)
            } else {
                ranged(p, Some(rel(s)), false, Some(rel(f)), false)
            }
        } else if x < 0.90 {
            entry(p, rel(f.saturating_sub(1)), true)
        } else if x < 0.95 {
            entry(p, "*", true)
        } else {
            entry(p, "-", true)
        };
        return vec![one];
    }
    if exact || rng.chance(0.5) || n < 4 {
        // An explicit list of the releases before the fix.
        let lo = f.saturating_sub(m);
        let hi = if f == 0 { n.min(m) } else { f };
        return (lo..hi).map(|i| entry(p, rel(i), true)).collect();
    }
    // Ranges over branches: disjoint [start, end) windows, newest first.
    let mut out = Vec::new();
    let mut end = f;
    while out.len() < m && end > 0 {
        let start = branch_start(p, end - 1);
        let first = out.len() + 1 == m || start == 0;
        let m_entry = if first && rng.chance(0.5) {
            ranged(p, None, false, Some(rel(end)), false)
        } else {
            ranged(p, Some(rel(start)), false, Some(rel(end)), false)
        };
        out.push(m_entry);
        if start == 0 {
            break;
        }
        // The fix of the previous branch: its last release or one before.
        end = start - 1 - rng.below(2).min(start - 1);
        end = end.max(1);
        if end >= start {
            break;
        }
    }
    out
}

impl Ctx<'_> {
    /// Exactly `k` cpeMatch entries for a CVE on product `pi`.
    pub fn configurations(&self, rng: &mut Rng, pi: usize, year: u16, k: usize) -> Vec<Config> {
        let pool = self.pool;
        let p = pool.get(pi);
        let mut configs = Vec::new();
        if k == 0 {
            return configs;
        }
        // Device firmware: AND of firmware (vulnerable) and its hardware (not).
        if p.part == Part::O && p.twin.is_some() && k >= 2 {
            let vendor = &pool.vendors[p.vendor_index as usize];
            let firmwares: Vec<usize> = vendor
                .iter()
                .map(|&i| i as usize)
                .filter(|&i| pool.get(i).part == Part::O && pool.get(i).twin.is_some())
                .collect();
            let start = firmwares.iter().position(|&i| i == pi).unwrap_or(0);
            let pairs = k / 2;
            let mut extra = k % 2;
            for j in 0..pairs {
                let fw_i = firmwares
                    .get((start + j) % firmwares.len().max(1))
                    .copied()
                    .unwrap_or(pi);
                let fw = pool.get(fw_i);
                let hw = pool.get(fw.twin.map_or(fw_i, |t| t as usize));
                let mut fw_entries = product_entries(rng, fw, year, 1, false);
                if extra > 0 {
                    let more = product_entries(rng, fw, year, 1, true);
                    fw_entries.extend(more);
                    extra = 0;
                }
                fw_entries.truncate(1 + usize::from(j == 0 && k % 2 == 1));
                while fw_entries.len() < 1 + usize::from(j == 0 && k % 2 == 1) {
                    fw_entries.push(entry(fw, "-", true));
                }
                configs.push(Config {
                    operator: Some("AND"),
                    nodes: vec![
                        Node {
                            operator: "OR",
                            negate: false,
                            cpe_match: fw_entries,
                        },
                        Node {
                            operator: "OR",
                            negate: false,
                            cpe_match: vec![entry(hw, "-", false)],
                        },
                    ],
                });
            }
            return configs;
        }
        // An application affected only when running on a platform.
        if p.part == Part::A && k >= 2 && rng.chance(0.12) {
            let platforms = if k >= 4 && rng.chance(0.4) { 2 } else { 1 };
            let apps = self.fill(rng, pi, year, k - platforms);
            let mut plat = Vec::new();
            let first = rng.below(crate::real::RUNNING_ON.len());
            for j in 0..platforms {
                let (_, v, prod) =
                    crate::real::RUNNING_ON[(first + j) % crate::real::RUNNING_ON.len()];
                let pp = pool.find(v, prod).map_or(p, |i| pool.get(i));
                plat.push(entry(pp, "-", false));
            }
            configs.push(Config {
                operator: Some("AND"),
                nodes: vec![
                    Node {
                        operator: "OR",
                        negate: false,
                        cpe_match: apps,
                    },
                    Node {
                        operator: "OR",
                        negate: false,
                        cpe_match: plat,
                    },
                ],
            });
            return configs;
        }
        // OR configurations: the product (and its vendor's others), then distributions.
        let main = if k <= 8 {
            k
        } else {
            (k as f64 * (0.6 + 0.4 * rng.f64())).round() as usize
        };
        configs.push(or_config(self.fill(rng, pi, year, main)));
        let mut left = k - main;
        let mut d = rng.below(self.downstream.len().max(1));
        while left > 0 {
            let take = if left <= 3 {
                left
            } else {
                rng.range(1, left.min(12) as u64) as usize
            };
            let di = self
                .downstream
                .get(d % self.downstream.len().max(1))
                .copied()
                .unwrap_or(pi);
            d += 1;
            let mut es = product_entries(rng, pool.get(di), year, take, true);
            es.truncate(take);
            if es.len() < take {
                es.extend(self.fill(rng, pi, year, take - es.len()));
            }
            left -= es.len();
            configs.push(or_config(es));
        }
        configs
    }

    /// Exactly `m` vulnerable entries: the product's own, then its vendor's other
    /// products, then other pool products.
    fn fill(&self, rng: &mut Rng, pi: usize, year: u16, m: usize) -> Vec<CpeMatch> {
        let pool = self.pool;
        let mut out = product_entries(rng, pool.get(pi), year, m, false);
        out.truncate(m);
        let vendor = &pool.vendors[pool.get(pi).vendor_index as usize];
        let mut vi = 0;
        let mut guard = 0;
        while out.len() < m && guard < 10_000 {
            guard += 1;
            let next = if vi < vendor.len() {
                vi += 1;
                vendor[vi - 1] as usize
            } else {
                pool.sample(rng)
            };
            if next == pi && vi <= vendor.len() {
                continue;
            }
            let p = pool.get(next);
            if p.part == Part::H {
                continue;
            }
            let mut more = product_entries(rng, p, year, m - out.len(), true);
            more.truncate(m - out.len());
            out.extend(more);
        }
        out
    }

    /// The record of planned CVE `index`.
    pub fn cve(&mut self, index: usize, c: &Planned) -> Cve {
        let mut rng = Rng::derive(self.seed, 0xC7E, index as u64);
        let pool = self.pool;
        let p = pool.get(c.product as usize);
        let id = c.id();
        let now = self.now.max(c.published + DAY_MS);
        let source = source_identifier(&mut rng, c.year, p);
        let published = c.published;
        if c.status == Status::Rejected {
            let modified = (published + rng.range(1, 400) as Millis * DAY_MS).min(now - 1000);
            return Cve {
                id,
                source_identifier: source,
                published: time::nvd(published),
                last_modified: time::nvd(modified.max(published)),
                vuln_status: Status::Rejected.as_str(),
                cve_tags: Vec::new(),
                descriptions: vec![LangString {
                    lang: "en",
                    value: "** REJECT ** DO NOT USE THIS CANDIDATE NUMBER. ConsultIDs: none. Reason: This candidate was withdrawn by its CNA. Further investigation showed that it was not a security issue. Notes: none.".to_owned(),
                }],
                metrics: Metrics::default(),
                cisa_exploit_add: None,
                cisa_action_due: None,
                cisa_required_action: None,
                cisa_vulnerability_name: None,
                weaknesses: Vec::new(),
                configurations: Vec::new(),
                references: Vec::new(),
            };
        }
        let weak = weakness(&mut rng, c.year, p);
        let configurations =
            self.configurations(&mut rng, c.product as usize, c.year, c.k as usize);
        let descriptions = describe(&mut rng, c.year, p, weak, &configurations);
        let metrics = self.metrics(&mut rng, c, &source);
        let analysed = c.status.analysed();
        let mut weaknesses = Vec::new();
        if analysed {
            weaknesses.push(Weakness {
                source: "nvd@nist.gov".to_owned(),
                ty: "Primary",
                description: vec![LangString {
                    lang: "en",
                    value: weak.cwe.to_owned(),
                }],
            });
        }
        if (c.year >= 2019 && rng.chance(0.45) && weak.cwe.starts_with("CWE-"))
            || (!analysed && weak.cwe.starts_with("CWE-") && rng.chance(0.6))
        {
            weaknesses.push(Weakness {
                source: source.clone(),
                ty: "Secondary",
                description: vec![LangString {
                    lang: "en",
                    value: weak.cwe.to_owned(),
                }],
            });
        }
        let last_modified = match c.status {
            Status::Analyzed => published + rng.range(1, 60) as Millis * DAY_MS,
            Status::Modified => {
                let age = (now - published).max(DAY_MS);
                published + (age as f64 * (0.2 + 0.8 * rng.f64().sqrt())) as Millis
            }
            Status::Deferred => time::ms_of(2025, 4, 2) + rng.range(0, 200) as Millis * DAY_MS,
            _ => published + rng.range(0, 3 * DAY_MS as u64) as Millis,
        };
        let last_modified =
            last_modified.min(now - 1000).max(published) + rng.range(0, 999) as Millis;
        let references = references(&mut rng, c, p, &source, analysed);
        let mut cve = Cve {
            id,
            source_identifier: source.clone(),
            published: time::nvd(published),
            last_modified: time::nvd(last_modified.min(now - 1)),
            vuln_status: c.status.as_str(),
            cve_tags: Vec::new(),
            descriptions,
            metrics,
            cisa_exploit_add: None,
            cisa_action_due: None,
            cisa_required_action: None,
            cisa_vulnerability_name: None,
            weaknesses,
            configurations,
            references,
        };
        if rng.chance(0.01) {
            cve.cve_tags.push(CveTag {
                source_identifier: source,
                tags: vec!["disputed"],
            });
        }
        if c.kev {
            let added = (published + rng.range(3, 400) as Millis * DAY_MS)
                .max(kev_start() + rng.range(0, 60) as Millis * DAY_MS)
                .min(now - DAY_MS);
            let added = added - added.rem_euclid(DAY_MS);
            cve.cisa_exploit_add = Some(time::date(added));
            cve.cisa_action_due = Some(time::date(added + 21 * DAY_MS));
            cve.cisa_required_action = Some(KEV_ACTION.to_owned());
            cve.cisa_vulnerability_name = Some(kev_name(p, weak));
        }
        cve
    }

    /// NVD's and the CNA's metrics, by year (v2 until NVD stopped it in July 2022, v3.0
    /// 2016–2019, v3.1 from 2019, v4.0 from CNAs from late 2023).
    fn metrics(&mut self, rng: &mut Rng, c: &Planned, cna: &str) -> Metrics {
        let mut m = Metrics::default();
        let severe = c.kev;
        let year = c.year;
        let analysed = c.status.analysed();
        let before_v2_end = c.published < time::ms_of(2022, 7, 13);
        let add =
            |m: &mut Metrics, vector: String, source: &str, primary: bool, scorer: &mut Scorer| {
                if let Some(scored) = scorer.score(&vector) {
                    let metric = Metric {
                        source: source.to_owned(),
                        primary,
                        scored,
                    };
                    match metric.scored.version {
                        cvss::CvssVersion::V2 => m.v2.push(metric),
                        cvss::CvssVersion::V30 => m.v30.push(metric),
                        cvss::CvssVersion::V31 => m.v31.push(metric),
                        cvss::CvssVersion::V40 => m.v40.push(metric),
                    }
                }
            };
        let scorer = &mut self.scorer;
        // The CNA's own scores (Secondary).
        if year >= 2017 && cna != "cve@mitre.org" {
            let p_v31 = if year >= 2020 { 0.55 } else { 0.3 };
            if rng.chance(p_v31) || !analysed {
                add(&mut m, cvss::v3_vector(rng, 1, severe), cna, false, scorer);
            }
            let p_v40 = match year {
                ..=2022 => 0.0,
                2023 => 0.05,
                2024 => 0.25,
                2025 => 0.45,
                _ => 0.55,
            };
            if rng.chance(p_v40) {
                let expanded = cna == "cna@vuldb.com";
                add(
                    &mut m,
                    cvss::v4_vector(rng, severe, expanded),
                    cna,
                    false,
                    scorer,
                );
            }
            if cna == "cna@vuldb.com" && rng.chance(0.8) {
                add(&mut m, cvss::v2_vector(rng, severe), cna, false, scorer);
            }
        }
        if !analysed {
            return m;
        }
        // NVD's own (Primary).
        match year {
            ..=2015 => {
                if rng.chance(0.15) {
                    add(
                        &mut m,
                        cvss::v3_vector(rng, 1, severe),
                        "nvd@nist.gov",
                        true,
                        scorer,
                    );
                }
            }
            2016..=2018 => {
                let minor = if rng.chance(0.75) { 0 } else { 1 };
                add(
                    &mut m,
                    cvss::v3_vector(rng, minor, severe),
                    "nvd@nist.gov",
                    true,
                    scorer,
                );
            }
            _ => add(
                &mut m,
                cvss::v3_vector(rng, 1, severe),
                "nvd@nist.gov",
                true,
                scorer,
            ),
        }
        if before_v2_end {
            add(
                &mut m,
                cvss::v2_vector(rng, severe),
                "nvd@nist.gov",
                true,
                scorer,
            );
        }
        m
    }
}

pub fn or_config(cpe_match: Vec<CpeMatch>) -> Config {
    Config {
        operator: None,
        nodes: vec![Node {
            operator: "OR",
            negate: false,
            cpe_match,
        }],
    }
}

pub fn kev_name(p: &Product, weak: &Weak) -> String {
    format!(
        "{} {} {} Vulnerability",
        p.vendor_title(),
        p.title(),
        weak.short
    )
}

/// The weakness of a generated record, recovered from its CWE (for KEV entries).
pub fn weak_of(cve: &Cve) -> &'static Weak {
    let cwe = cve.cwes().into_iter().next().unwrap_or_default();
    WEAKNESSES
        .iter()
        .find(|w| w.cwe == cwe)
        .unwrap_or(&WEAKNESSES[WEAKNESSES.len() - 1])
}

fn version_phrase(configs: &[Config]) -> String {
    let Some(m) = configs
        .first()
        .and_then(|c| c.nodes.first())
        .and_then(|n| n.cpe_match.first())
    else {
        return String::new();
    };
    let version = m.criteria.split(':').nth(5).unwrap_or("*");
    match (
        &m.version_start_including,
        &m.version_end_excluding,
        &m.version_end_including,
    ) {
        (Some(s), Some(e), _) => format!("{s} before {e}"),
        (None, Some(e), _) => format!("before {e}"),
        (_, None, Some(e)) => format!("through {e}"),
        _ if version != "*" && version != "-" => version.to_owned(),
        _ => String::new(),
    }
}

fn describe(
    rng: &mut Rng,
    year: u16,
    p: &Product,
    weak: &Weak,
    configs: &[Config],
) -> Vec<LangString> {
    let param = rng.pick(PARAMS).copied().unwrap_or("id");
    let input = rng.pick(INPUTS).copied().unwrap_or("file");
    let impact = weak
        .impact
        .replace("{param}", param)
        .replace("{input}", input);
    let attacker = *rng
        .pick(&[
            "remote attackers",
            "remote attackers",
            "authenticated users",
            "local users",
            "attackers",
        ])
        .unwrap_or(&"attackers");
    let versions = version_phrase(configs);
    let what = if versions.is_empty() {
        format!("{} {}", p.vendor_title(), p.title())
    } else {
        format!("{} {} {versions}", p.vendor_title(), p.title())
    };
    let mut out = vec![LangString {
        lang: "en",
        value: format!("{} in {what} allows {attacker} to {impact}.", weak.phrase),
    }];
    if year >= 2020 && rng.chance(0.6) {
        out.push(LangString {
            lang: "es",
            value: format!(
                "Se ha detectado {} en {what} que permite a los atacantes comprometer el sistema.",
                weak.es
            ),
        });
    }
    out
}

pub fn references(
    rng: &mut Rng,
    c: &Planned,
    p: &Product,
    source: &str,
    tagged: bool,
) -> Vec<Reference> {
    let n = 1 + (-(rng.f64().max(1e-9)).ln() * 1.3) as usize;
    let n = n.min(14);
    let id = c.id();
    let vendor = p.vendor.replace('_', "-");
    let product = p.product.replace(['_', '.'], "-");
    let mut out = Vec::with_capacity(n);
    for j in 0..n {
        let kind = if j == 0 { 0 } else { rng.below(8) };
        let (url, tags): (String, Vec<&'static str>) = match kind {
            0 => (
                format!(
                    "https://{vendor}.example.invalid/security/advisories/{}",
                    id.to_ascii_lowercase()
                ),
                vec!["Vendor Advisory"],
            ),
            1 => (
                format!(
                    "https://git.example.invalid/{vendor}/{product}/commit/{}",
                    rng.hex(40)
                ),
                vec!["Patch"],
            ),
            2 => (
                format!(
                    "https://git.example.invalid/{vendor}/{product}/issues/{}",
                    rng.range(1, 9000)
                ),
                vec!["Issue Tracking", "Third Party Advisory"],
            ),
            3 if c.year < 2018 => (
                format!(
                    "https://securityfocus.example.invalid/bid/{}",
                    rng.range(1000, 110_000)
                ),
                vec!["Third Party Advisory", "VDB Entry"],
            ),
            3 | 4 => (
                format!(
                    "https://lists.debian.example.invalid/debian-lts-announce/{}/{:02}/msg{:05}.html",
                    c.year,
                    rng.range(1, 12),
                    rng.range(0, 40)
                ),
                vec!["Mailing List", "Third Party Advisory"],
            ),
            5 => (
                format!(
                    "https://vuldb.example.invalid/?id.{}",
                    rng.range(100_000, 330_000)
                ),
                vec!["Third Party Advisory", "VDB Entry"],
            ),
            6 => (
                format!(
                    "https://exploits.example.invalid/exploits/{}",
                    rng.range(10_000, 52_000)
                ),
                vec!["Exploit", "Third Party Advisory", "VDB Entry"],
            ),
            _ => (
                format!("https://{vendor}.example.invalid/{product}/releases"),
                vec!["Release Notes"],
            ),
        };
        out.push(Reference {
            url,
            source: source.to_owned(),
            tags: if tagged { tags } else { Vec::new() },
        });
    }
    out
}

// ---------------------------------------------------------------------------------------
// Pages.

/// A page file being written (plain or gzip), counting the JSON bytes.
pub struct PageWriter {
    dir: PathBuf,
    gzip: bool,
    page_size: usize,
    total: usize,
    timestamp: String,
    prefix: String,
    current: Option<(PathBuf, Sink)>,
    in_page: usize,
    written: usize,
    pub files: Vec<PathBuf>,
    pub json_bytes: u64,
    pub file_bytes: u64,
}

enum Sink {
    Plain(BufWriter<fs::File>),
    // Boxed: the encoder's state is large, and its size depends on flate2's backend.
    Gz(Box<flate2::write::GzEncoder<BufWriter<fs::File>>>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(buf),
            Sink::Gz(w) => w.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Gz(w) => w.flush(),
        }
    }
}

impl Sink {
    fn finish(self) -> io::Result<()> {
        match self {
            Sink::Plain(mut w) => w.flush(),
            Sink::Gz(w) => w.finish()?.flush(),
        }
    }
}

impl PageWriter {
    pub fn new(
        dir: &Path,
        prefix: &str,
        total: usize,
        page_size: usize,
        gzip: bool,
        timestamp: Millis,
    ) -> Result<PageWriter, Error> {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        Ok(PageWriter {
            dir: dir.to_owned(),
            gzip,
            page_size: page_size.max(1),
            total,
            timestamp: time::nvd(timestamp),
            prefix: prefix.to_owned(),
            current: None,
            in_page: 0,
            written: 0,
            files: Vec::new(),
            json_bytes: 0,
            file_bytes: 0,
        })
    }

    fn out(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if let Some((path, sink)) = &mut self.current {
            sink.write_all(bytes).map_err(|e| Error::io(path, e))?;
            self.json_bytes += bytes.len() as u64;
        }
        Ok(())
    }

    fn open(&mut self) -> Result<(), Error> {
        let page = self.written / self.page_size;
        let ext = if self.gzip { "json.gz" } else { "json" };
        let path = self.dir.join(format!("{}-{page:05}.{ext}", self.prefix));
        let file = fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        let buf = BufWriter::with_capacity(1 << 20, file);
        let sink = if self.gzip {
            Sink::Gz(Box::new(flate2::write::GzEncoder::new(
                buf,
                flate2::Compression::fast(),
            )))
        } else {
            Sink::Plain(buf)
        };
        let in_this = self.page_size.min(self.total - self.written);
        self.current = Some((path, sink));
        self.in_page = 0;
        let head = format!(
            "{{\"resultsPerPage\":{in_this},\"startIndex\":{},\"totalResults\":{},\"format\":\"NVD_CVE\",\"version\":\"2.0\",\"timestamp\":\"{}\",\"vulnerabilities\":[",
            self.written, self.total, self.timestamp
        );
        self.out(head.as_bytes())
    }

    fn close(&mut self) -> Result<(), Error> {
        self.out(b"]}")?;
        if let Some((path, sink)) = self.current.take() {
            sink.finish().map_err(|e| Error::io(&path, e))?;
            self.file_bytes += fs::metadata(&path).map_err(|e| Error::io(&path, e))?.len();
            self.files.push(path);
        }
        Ok(())
    }

    /// Appends one record.
    pub fn push(&mut self, cve: &Cve) -> Result<(), Error> {
        if self.current.is_none() {
            self.open()?;
        }
        let mut buf = Vec::with_capacity(4096);
        if self.in_page > 0 {
            buf.push(b',');
        }
        buf.extend_from_slice(b"{\"cve\":");
        serde_json::to_writer(&mut buf, cve).map_err(Error::Json)?;
        buf.push(b'}');
        self.out(&buf)?;
        self.in_page += 1;
        self.written += 1;
        if self.in_page == self.page_size || self.written == self.total {
            self.close()?;
        }
        Ok(())
    }

    /// Closes the last page (and writes an empty page when there were no records).
    pub fn finish(mut self) -> Result<PageWriter, Error> {
        if self.written == 0 {
            self.open()?;
        }
        if self.current.is_some() {
            self.close()?;
        }
        Ok(self)
    }
}

// ---------------------------------------------------------------------------------------
// The full set.

/// What [`generate`] wrote.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NvdSummary {
    pub files: usize,
    pub cves: usize,
    pub cpe_matches: u64,
    pub requested_cpe_matches: u64,
    /// Uncompressed JSON bytes.
    pub json_bytes: u64,
    /// Bytes on disk (equal to `json_bytes` without `--gzip`).
    pub file_bytes: u64,
    pub configured: usize,
    pub with_and_configuration: usize,
    pub rejected: usize,
    pub kev: usize,
    pub max_cpe_matches_in_one_cve: u64,
    pub by_status: std::collections::BTreeMap<String, usize>,
    pub by_year: std::collections::BTreeMap<u16, usize>,
    pub metric_lists: std::collections::BTreeMap<String, usize>,
    pub distinct_cvss_vectors: usize,
}

/// The manifest written beside the pages (`medsec-synth.manifest`, JSON; not `*.json`
/// so that page globs do not take it).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub generator: String,
    pub kind: String,
    pub options: NvdOptions,
    pub summary: NvdSummary,
}

pub const MANIFEST: &str = "medsec-synth.manifest";

pub fn read_manifest(dir: &Path) -> Result<Manifest, Error> {
    let path = dir.join(MANIFEST);
    let text = fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    serde_json::from_str(&text).map_err(Error::Json)
}

pub fn write_manifest(dir: &Path, m: &Manifest) -> Result<(), Error> {
    let path = dir.join(MANIFEST);
    let text = serde_json::to_string_pretty(m).map_err(Error::Json)?;
    fs::write(&path, text + "\n").map_err(|e| Error::io(&path, e))
}

/// Counts one written record into a summary.
pub fn tally(s: &mut NvdSummary, cve: &Cve) {
    let k = cve.cpe_match_count();
    s.cves += 1;
    s.cpe_matches += k;
    s.max_cpe_matches_in_one_cve = s.max_cpe_matches_in_one_cve.max(k);
    if k > 0 {
        s.configured += 1;
    }
    if cve.has_and() {
        s.with_and_configuration += 1;
    }
    if cve.vuln_status == "Rejected" {
        s.rejected += 1;
    }
    if cve.cisa_exploit_add.is_some() {
        s.kev += 1;
    }
    *s.by_status.entry(cve.vuln_status.to_owned()).or_default() += 1;
    if let Some(y) = cve.id.get(4..8).and_then(|y| y.parse().ok()) {
        *s.by_year.entry(y).or_default() += 1;
    }
    for (name, n) in [
        ("cvssMetricV40", cve.metrics.v40.len()),
        ("cvssMetricV31", cve.metrics.v31.len()),
        ("cvssMetricV30", cve.metrics.v30.len()),
        ("cvssMetricV2", cve.metrics.v2.len()),
    ] {
        if n > 0 {
            *s.metric_lists.entry(name.to_owned()).or_default() += 1;
        }
    }
}

/// Writes the full set: `nvdcve-2.0-NNNNN.json[.gz]` pages of `page_size` CVEs in
/// publication order, and the manifest.
pub fn generate(out: &Path, opts: &NvdOptions) -> Result<NvdSummary, Error> {
    let pool = Pool::new(opts.seed);
    let plan = plan(&pool, opts);
    let mut ctx = Ctx::new(&pool, opts.seed);
    let mut pages = PageWriter::new(
        out,
        "nvdcve-2.0",
        plan.cves.len(),
        opts.page_size,
        opts.gzip,
        now(),
    )?;
    let mut s = NvdSummary {
        requested_cpe_matches: opts.cpe_matches,
        ..NvdSummary::default()
    };
    for (i, c) in plan.cves.iter().enumerate() {
        let cve = ctx.cve(i, c);
        tally(&mut s, &cve);
        pages.push(&cve)?;
    }
    let pages = pages.finish()?;
    s.files = pages.files.len();
    s.json_bytes = pages.json_bytes;
    s.file_bytes = pages.file_bytes;
    s.distinct_cvss_vectors = ctx.scorer.distinct();
    write_manifest(
        out,
        &Manifest {
            generator: format!("medsec-synth {}", env!("CARGO_PKG_VERSION")),
            kind: "nvd".to_owned(),
            options: *opts,
            summary: s.clone(),
        },
    )?;
    Ok(s)
}
