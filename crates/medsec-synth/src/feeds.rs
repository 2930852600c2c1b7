//! The CISA KEV catalog and the EPSS score file for a generated NVD set.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde::Serialize;

use crate::Error;
use crate::nvd::{self, Ctx, NvdOptions, Status};
use crate::pool::Pool;
use crate::rng::Rng;
use crate::time::{self, DAY_MS};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Catalog {
    title: &'static str,
    catalog_version: String,
    date_released: String,
    count: usize,
    vulnerabilities: Vec<KevEntry>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KevEntry {
    #[serde(rename = "cveID")]
    cve_id: String,
    vendor_project: String,
    product: String,
    vulnerability_name: String,
    date_added: String,
    short_description: String,
    required_action: String,
    due_date: String,
    known_ransomware_campaign_use: &'static str,
    notes: String,
    cwes: Vec<String>,
}

/// Writes the KEV catalog: one entry per CVE the NVD set marks with `cisaExploitAdd`
/// (the same CVEs, names, dates and CWEs), newest first as CISA lists them. Returns the
/// entry count.
pub fn kev(out: &Path, opts: &NvdOptions) -> Result<usize, Error> {
    let pool = Pool::new(opts.seed);
    let plan = nvd::plan(&pool, opts);
    let mut ctx = Ctx::new(&pool, opts.seed);
    let mut entries = Vec::new();
    for (i, c) in plan.cves.iter().enumerate().filter(|(_, c)| c.kev) {
        let cve = ctx.cve(i, c);
        let p = pool.get(c.product as usize);
        let mut r = Rng::derive(opts.seed, 0x4E7, i as u64);
        let Some(added) = cve.cisa_exploit_add.clone() else {
            continue;
        };
        entries.push(KevEntry {
            cve_id: cve.id.clone(),
            vendor_project: p.vendor_title(),
            product: p.title(),
            vulnerability_name: cve.cisa_vulnerability_name.clone().unwrap_or_default(),
            date_added: added,
            short_description: cve.description().to_owned(),
            required_action: nvd::KEV_ACTION.to_owned(),
            due_date: cve.cisa_action_due.clone().unwrap_or_default(),
            // ~20 % of KEV entries are marked "Known" (CISA's catalog, 2025).
            known_ransomware_campaign_use: if r.chance(0.2) { "Known" } else { "Unknown" },
            notes: format!(
                "{} ; https://nvd.example.invalid/vuln/detail/{}",
                cve.references
                    .first()
                    .map_or("https://vendor.example.invalid/advisory", |r| r
                        .url
                        .as_str()),
                cve.id
            ),
            cwes: cve.cwes(),
        });
    }
    entries.sort_by(|a, b| {
        b.date_added
            .cmp(&a.date_added)
            .then(a.cve_id.cmp(&b.cve_id))
    });
    let now = nvd::now();
    let catalog = Catalog {
        title: "CISA Catalog of Known Exploited Vulnerabilities",
        catalog_version: time::date(now).replace('-', "."),
        date_released: format!("{}T15:00:00.000Z", time::date(now)),
        count: entries.len(),
        vulnerabilities: entries,
    };
    let n = catalog.count;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let text = serde_json::to_string_pretty(&catalog).map_err(Error::Json)?;
    fs::write(out, text).map_err(|e| Error::io(out, e))?;
    Ok(n)
}

/// The EPSS score of one CVE (our assumption after the shape of published EPSS files:
/// log-normal around 0.001 for most CVEs, a few percent between 0.1 and 0.95, known
/// exploited ones mostly high).
fn epss_score(r: &mut Rng, kev: bool, age_days: i64) -> f64 {
    let x = if kev {
        0.3 + 0.67 * r.f64().sqrt()
    } else if r.chance(0.03) {
        0.1 + 0.85 * r.f64().powi(2)
    } else {
        // Fresh CVEs start a little higher (EPSS weighs recent activity).
        let mu = if age_days < 30 { -2.6 } else { -3.0 };
        10f64.powf(mu + 0.75 * r.normal())
    };
    x.clamp(0.00004, 0.97)
}

/// Writes the EPSS CSV: the model/score-date line, the header, then one row per
/// published CVE (rejected ones are not scored by EPSS), in CVE order. Returns the row
/// count.
pub fn epss(out: &Path, opts: &NvdOptions) -> Result<usize, Error> {
    let pool = Pool::new(opts.seed);
    let plan = nvd::plan(&pool, opts);
    let now = nvd::now();
    let rows: Vec<(usize, f64)> = plan
        .cves
        .iter()
        .enumerate()
        .filter(|(_, c)| c.status != Status::Rejected)
        .map(|(i, c)| {
            let mut r = Rng::derive(opts.seed, 0xE955, i as u64);
            (i, epss_score(&mut r, c.kev, (now - c.published) / DAY_MS))
        })
        .collect();
    // Percentile: the share of scored CVEs with a score at or below this one.
    let mut sorted: Vec<f64> = rows.iter().map(|(_, s)| (s * 1e5).round() / 1e5).collect();
    sorted.sort_by(f64::total_cmp);
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let file = fs::File::create(out).map_err(|e| Error::io(out, e))?;
    let mut w = BufWriter::new(file);
    let n = rows.len().max(1) as f64;
    let mut body = String::with_capacity(64 * rows.len() + 128);
    body.push_str(&format!(
        "#model_version:v2025.03.14,score_date:{}T00:00:00+0000\ncve,epss,percentile\n",
        time::date(now)
    ));
    for (i, s) in &rows {
        let s = (s * 1e5).round() / 1e5;
        let rank = sorted.partition_point(|&x| x <= s);
        let pct = rank as f64 / n;
        body.push_str(&format!("{},{s:.5},{pct:.5}\n", plan.cves[*i].id()));
    }
    w.write_all(body.as_bytes())
        .map_err(|e| Error::io(out, e))?;
    w.flush().map_err(|e| Error::io(out, e))?;
    Ok(rows.len())
}
