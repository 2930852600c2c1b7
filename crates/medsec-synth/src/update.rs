//! An N-day NVD update to a generated set: the CVEs published in the window and the
//! existing CVEs NVD modified in it, in the same page shape, ordered by `lastModified`
//! (as the API answers a `lastModStartDate`/`lastModEndDate` query), so that an
//! incremental import adds the new ids and replaces the modified ones.
//!
//! Rates:
//! - new CVEs: the base set's 2026 publication rate per day × the days (at full scale
//!   ~139 a day, ~1,100 in 8 days: ~51,000 a year, FIRST's forecast);
//! - modified CVEs: 0.21 % of the set per day (~840 a day, ~6,700 in 8 days at full
//!   scale). Our assumption: NVD modifies several times more records than it adds (CNA
//!   updates, NVD analysis of the backlog, added references and CPEs, CISA ADP data), so
//!   we take six modified for every new one.
//! - of the modified: every one still awaiting analysis gets analysed (metrics, CWE,
//!   configurations); analysed ones get a later fixed version (a range end moved), a new
//!   distribution configuration, a reference, or a CNA CVSS v4.0 score; 2 % are rejected;
//!   0.1 % join the KEV catalog.

use std::collections::HashSet;
use std::path::Path;

use serde::Serialize;

use crate::Error;
use crate::cvss::{self, CvssVersion, Metric};
use crate::nvd::{
    self, Ctx, Cve, LangString, Manifest, NvdOptions, PageWriter, Planned, Status, Weakness,
};
use crate::pool::Pool;
use crate::rng::Rng;
use crate::time::{self, DAY_MS, Millis};

/// Existing CVEs modified per day, as a share of the set.
pub const MODIFIED_PER_DAY: f64 = 0.0021;

#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateSummary {
    pub files: usize,
    pub cves: usize,
    pub new: usize,
    pub modified: usize,
    pub newly_analysed: usize,
    pub newly_rejected: usize,
    pub newly_kev: usize,
    pub range_extended: usize,
    pub configuration_added: usize,
    pub reference_added: usize,
    pub v40_added: usize,
    pub cpe_matches: u64,
    pub json_bytes: u64,
    pub file_bytes: u64,
    pub window_start: String,
    pub window_end: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateManifest {
    pub generator: String,
    pub kind: String,
    pub base: NvdOptions,
    pub days: u32,
    pub seed: u64,
    pub summary: UpdateSummary,
}

/// Mean of [`nvd::raw_k`] (estimated once by sampling).
fn raw_mean(seed: u64) -> f64 {
    let mut r = Rng::derive(seed, 0x3EA7, 0);
    let n = 20_000;
    (0..n).map(|_| f64::from(nvd::raw_k(&mut r))).sum::<f64>() / f64::from(n)
}

pub fn generate(base: &Path, out: &Path, days: u32, seed: u64) -> Result<UpdateSummary, Error> {
    let manifest: Manifest = nvd::read_manifest(base)?;
    let opts = manifest.options;
    let pool = Pool::new(opts.seed);
    let plan = nvd::plan(&pool, &opts);
    let mut ctx = Ctx::new(&pool, opts.seed);
    let mut rng = Rng::derive(seed, 0x0DA7E, u64::from(days));
    let start = nvd::now();
    let end = start + i64::from(days) * DAY_MS;
    let mut s = UpdateSummary {
        window_start: time::nvd(start),
        window_end: time::nvd(end),
        ..UpdateSummary::default()
    };

    let configured: Vec<&Planned> = plan.cves.iter().filter(|c| c.k > 0).collect();
    let plan_mean = plan.cpe_total as f64 / configured.len().max(1) as f64;
    let k_factor = plan_mean / raw_mean(opts.seed);
    let k_new = |rng: &mut Rng| ((f64::from(nvd::raw_k(rng)) * k_factor).round() as u32).max(1);

    let mut records: Vec<(Millis, Cve)> = Vec::new();

    // New CVEs.
    let in_2026 = plan.cves.iter().filter(|c| c.year == 2026).count();
    let days_2026 = ((start - time::year_start(2026)) / DAY_MS).max(1);
    let new_n = (in_2026 as f64 / days_2026 as f64 * f64::from(days)).round() as usize;
    let mut seq = plan
        .cves
        .iter()
        .filter(|c| c.year == 2026)
        .map(|c| c.seq)
        .max()
        .unwrap_or(0);
    for j in 0..new_n {
        seq += 1 + rng.below(2) as u32;
        let published =
            start + ((j as f64 + rng.f64()) / new_n as f64 * (end - start) as f64) as Millis;
        use Status::*;
        let status = rng
            .table(&[
                (0.35, Received),
                (0.35, AwaitingAnalysis),
                (0.05, UndergoingAnalysis),
                (0.22, Analyzed),
                (0.03, Rejected),
            ])
            .unwrap_or(Received);
        let k = if status == Analyzed {
            k_new(&mut rng)
        } else {
            0
        };
        let planned = Planned {
            year: 2026,
            seq,
            published,
            status,
            k,
            product: pool.sample(&mut rng) as u32,
            kev: false,
        };
        ctx.now = end;
        let mut cve = ctx.cve(plan.cves.len() + j, &planned);
        ctx.now = start;
        let modified = published + rng.range(0, 2 * DAY_MS as u64) as Millis;
        let modified = modified.min(end - 1);
        cve.last_modified = time::nvd(modified);
        records.push((modified, cve));
        s.new += 1;
    }

    // Modified CVEs: 60 % from 2024 on, the rest from any year; not rejected ones.
    let want = (plan.cves.len() as f64 * MODIFIED_PER_DAY * f64::from(days)).round() as usize;
    let recent_from = plan.cves.partition_point(|c| c.year < 2024);
    let mut chosen = HashSet::new();
    let mut guard = 0;
    while chosen.len() < want && guard < want * 20 + 100 {
        guard += 1;
        let i = if rng.chance(0.6) && recent_from < plan.cves.len() {
            recent_from + rng.below(plan.cves.len() - recent_from)
        } else {
            rng.below(plan.cves.len())
        };
        if plan.cves[i].status != Status::Rejected {
            chosen.insert(i);
        }
    }
    let mut chosen: Vec<usize> = chosen.into_iter().collect();
    chosen.sort_unstable();
    for i in chosen {
        let c = plan.cves[i];
        let mut cve = ctx.cve(i, &c);
        let mut r = Rng::derive(seed, 0x30D1, i as u64);
        let modified = start + rng.range(0, (end - start - 1) as u64) as Millis;
        let k = k_new(&mut r);
        modify(&mut ctx, &mut r, &c, &mut cve, k, modified, &mut s);
        cve.last_modified = time::nvd(modified);
        records.push((modified, cve));
        s.modified += 1;
    }

    records.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
    let mut pages = PageWriter::new(
        out,
        "nvdcve-2.0",
        records.len(),
        opts.page_size,
        opts.gzip,
        end,
    )?;
    for (_, cve) in &records {
        s.cves += 1;
        s.cpe_matches += cve.cpe_match_count();
        pages.push(cve)?;
    }
    let pages = pages.finish()?;
    s.files = pages.files.len();
    s.json_bytes = pages.json_bytes;
    s.file_bytes = pages.file_bytes;
    let m = UpdateManifest {
        generator: format!("medsec-synth {}", env!("CARGO_PKG_VERSION")),
        kind: "nvd-update".to_owned(),
        base: opts,
        days,
        seed,
        summary: s.clone(),
    };
    let path = out.join(nvd::MANIFEST);
    let text = serde_json::to_string_pretty(&m).map_err(Error::Json)?;
    std::fs::write(&path, text + "\n").map_err(|e| Error::io(&path, e))?;
    Ok(s)
}

fn push_metric(ctx: &mut Ctx<'_>, cve: &mut Cve, vector: String, source: &str, primary: bool) {
    if let Some(scored) = ctx.scorer.score(&vector) {
        let m = Metric {
            source: source.to_owned(),
            primary,
            scored,
        };
        match m.scored.version {
            CvssVersion::V2 => cve.metrics.v2.push(m),
            CvssVersion::V30 => cve.metrics.v30.push(m),
            CvssVersion::V31 => cve.metrics.v31.push(m),
            CvssVersion::V40 => cve.metrics.v40.push(m),
        }
    }
}

fn modify(
    ctx: &mut Ctx<'_>,
    r: &mut Rng,
    c: &Planned,
    cve: &mut Cve,
    k: u32,
    when: Millis,
    s: &mut UpdateSummary,
) {
    let pool = ctx.pool;
    let p = pool.get(c.product as usize);
    if r.chance(0.02) {
        cve.vuln_status = Status::Rejected.as_str();
        cve.descriptions = vec![LangString {
            lang: "en",
            value: "** REJECT ** DO NOT USE THIS CANDIDATE NUMBER. ConsultIDs: none. Reason: This candidate was withdrawn by its CNA. Further investigation showed that it was not a security issue. Notes: none.".to_owned(),
        }];
        cve.metrics = nvd::Metrics::default();
        cve.weaknesses.clear();
        cve.configurations.clear();
        cve.references.clear();
        cve.cisa_exploit_add = None;
        cve.cisa_action_due = None;
        cve.cisa_required_action = None;
        cve.cisa_vulnerability_name = None;
        s.newly_rejected += 1;
        return;
    }
    if !c.status.analysed() {
        // NVD analyses a record of its backlog.
        cve.vuln_status = Status::Analyzed.as_str();
        push_metric(ctx, cve, cvss::v3_vector(r, 1, false), "nvd@nist.gov", true);
        let weak = nvd::weakness(r, c.year, p);
        cve.weaknesses.insert(
            0,
            Weakness {
                source: "nvd@nist.gov".to_owned(),
                ty: "Primary",
                description: vec![LangString {
                    lang: "en",
                    value: weak.cwe.to_owned(),
                }],
            },
        );
        cve.configurations = ctx.configurations(r, c.product as usize, c.year, k as usize);
        let source = cve.source_identifier.clone();
        cve.references = nvd::references(r, c, p, &source, true);
        s.newly_analysed += 1;
        return;
    }
    cve.vuln_status = Status::Modified.as_str();
    let mut changed = false;
    if r.chance(0.35) {
        // A later fixed version: the first range end moves up one to three releases.
        'outer: for config in &mut cve.configurations {
            for node in &mut config.nodes {
                for m in &mut node.cpe_match {
                    let Some(end) = m.version_end_excluding.clone() else {
                        continue;
                    };
                    let mut parts = m.criteria.split(':');
                    let (Some(v), Some(pr)) = (parts.nth(3), parts.next()) else {
                        continue;
                    };
                    let Some(pi) = pool.find(v, pr) else {
                        continue;
                    };
                    let rel = &pool.get(pi).releases;
                    if let Some(at) = rel.iter().position(|x| *x == end) {
                        let to = (at + r.range(1, 3) as usize).min(rel.len() - 1);
                        if to > at {
                            m.version_end_excluding = Some(rel[to].clone());
                            *m = nvd::with_id(m.clone());
                            s.range_extended += 1;
                            changed = true;
                            break 'outer;
                        }
                    }
                }
            }
        }
    }
    if r.chance(0.3) && !ctx.downstream.is_empty() && !cve.configurations.is_empty() {
        let d = ctx.downstream[r.below(ctx.downstream.len())];
        let n = r.range(1, 3) as usize;
        let mut es = nvd::product_entries(r, pool.get(d), c.year.max(2024), n, true);
        es.truncate(n);
        cve.configurations.push(nvd::or_config(es));
        s.configuration_added += 1;
        changed = true;
    }
    if cve.metrics.v40.is_empty() && c.year >= 2023 && r.chance(0.15) {
        let source = cve.source_identifier.clone();
        push_metric(ctx, cve, cvss::v4_vector(r, false, false), &source, false);
        s.v40_added += 1;
        changed = true;
    }
    if r.chance(0.001) && cve.cisa_exploit_add.is_none() {
        let day = when - when.rem_euclid(DAY_MS);
        cve.cisa_exploit_add = Some(time::date(day));
        cve.cisa_action_due = Some(time::date(day + 21 * DAY_MS));
        cve.cisa_required_action = Some(nvd::KEV_ACTION.to_owned());
        cve.cisa_vulnerability_name = Some(nvd::kev_name(p, nvd::weak_of(cve)));
        s.newly_kev += 1;
        changed = true;
    }
    if !changed || r.chance(0.25) {
        let source = cve.source_identifier.clone();
        let mut more = nvd::references(r, c, p, &source, true);
        more.truncate(1);
        cve.references.extend(more);
        s.reference_added += 1;
    }
}
