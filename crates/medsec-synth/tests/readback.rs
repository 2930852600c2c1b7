//! What the generators write is read back by medsec's own readers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use medsec_synth::{feeds, nvd, sbom, update};

fn small() -> nvd::NvdOptions {
    nvd::NvdOptions {
        cves: 3000,
        cpe_matches: 11_250,
        seed: 7,
        page_size: 400,
        gzip: false,
    }
}

fn pages(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".json"))
        .collect();
    v.sort();
    v
}

#[test]
fn nvd_pages_read_back_with_every_cve_and_cpe_match() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("nvd");
    let opts = small();
    let s = nvd::generate(&dir, &opts).unwrap();
    assert_eq!(s.cves, opts.cves);
    assert_eq!(s.cpe_matches, opts.cpe_matches, "the total is hit exactly");
    assert_eq!(s.files, 8);
    let mut cves = 0;
    let mut matches = 0u64;
    let mut ids = HashSet::new();
    let mut withdrawn = 0;
    for page in pages(&dir) {
        let bytes = fs::read(&page).unwrap();
        let doc = medsec_formats::advisory::read(&bytes, &Default::default())
            .unwrap_or_else(|e| panic!("{}: {e} {:?}", page.display(), e.problems()));
        assert!(doc.warnings.is_empty(), "{:?}", doc.warnings.first());
        for a in doc.advisories {
            cves += 1;
            matches += a.affected.len() as u64;
            withdrawn += usize::from(a.withdrawn.is_some());
            assert!(ids.insert(a.id.clone()), "duplicate {}", a.id);
        }
    }
    assert_eq!(cves, s.cves);
    assert_eq!(matches, s.cpe_matches);
    assert_eq!(withdrawn, s.rejected);
    assert!(s.rejected > 0 && s.kev > 0 && s.with_and_configuration > 0);
    // The page envelope is the API's.
    let first: serde_json::Value =
        serde_json::from_slice(&fs::read(&pages(&dir)[0]).unwrap()).unwrap();
    assert_eq!(first["format"], "NVD_CVE");
    assert_eq!(first["version"], "2.0");
    assert_eq!(first["resultsPerPage"], 400);
    assert_eq!(first["startIndex"], 0);
    assert_eq!(first["totalResults"], 3000);
}

#[test]
fn same_seed_same_bytes_and_gzip_reads_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let mut opts = small();
    opts.cves = 500;
    opts.cpe_matches = 1875;
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    nvd::generate(&a, &opts).unwrap();
    nvd::generate(&b, &opts).unwrap();
    for (x, y) in pages(&a).iter().zip(pages(&b)) {
        assert_eq!(fs::read(x).unwrap(), fs::read(&y).unwrap());
    }
    opts.gzip = true;
    let g = tmp.path().join("g");
    let s = nvd::generate(&g, &opts).unwrap();
    let r = medsec_synth::stats::check(&g, None, 0).unwrap();
    assert_eq!(r.cves, 500);
    assert_eq!(r.cpe_matches, s.cpe_matches);
    assert!(s.file_bytes < s.json_bytes);
}

#[test]
fn update_kev_and_epss() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("nvd");
    let opts = small();
    let s = nvd::generate(&base, &opts).unwrap();
    let out = tmp.path().join("upd");
    let u = update::generate(&base, &out, 8, 1).unwrap();
    assert!(u.new > 0 && u.modified > u.new, "{u:?}");
    let mut base_ids = HashSet::new();
    for page in pages(&base) {
        let doc =
            medsec_formats::advisory::read(&fs::read(&page).unwrap(), &Default::default()).unwrap();
        base_ids.extend(doc.advisories.into_iter().map(|a| (a.id, a.modified)));
    }
    let known: HashSet<String> = base_ids.iter().map(|(id, _)| id.clone()).collect();
    let (mut new, mut modified, mut matches) = (0, 0, 0u64);
    for page in pages(&out) {
        let doc =
            medsec_formats::advisory::read(&fs::read(&page).unwrap(), &Default::default()).unwrap();
        for a in doc.advisories {
            matches += a.affected.len() as u64;
            if known.contains(&a.id) {
                modified += 1;
                let before = base_ids
                    .iter()
                    .find(|(id, _)| *id == a.id)
                    .and_then(|(_, m)| *m);
                assert!(a.modified > before, "{} not modified later", a.id);
            } else {
                new += 1;
            }
        }
    }
    assert_eq!((new, modified), (u.new, u.modified));
    assert_eq!(matches, u.cpe_matches);

    let kev_path = tmp.path().join("kev.json");
    let n = feeds::kev(&kev_path, &opts).unwrap();
    assert_eq!(n, s.kev);
    let kev: serde_json::Value = serde_json::from_slice(&fs::read(&kev_path).unwrap()).unwrap();
    assert_eq!(kev["count"], n);
    for v in kev["vulnerabilities"].as_array().unwrap() {
        assert!(known.contains(v["cveID"].as_str().unwrap()));
        for key in [
            "vendorProject",
            "product",
            "vulnerabilityName",
            "dateAdded",
            "shortDescription",
            "requiredAction",
            "dueDate",
            "knownRansomwareCampaignUse",
            "notes",
        ] {
            assert!(v[key].as_str().is_some_and(|s| !s.is_empty()), "{key}");
        }
    }

    let epss_path = tmp.path().join("epss.csv");
    let rows = feeds::epss(&epss_path, &opts).unwrap();
    assert_eq!(rows, s.cves - s.rejected);
    let text = fs::read_to_string(&epss_path).unwrap();
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("#model_version:v2025.03.14,score_date:2026-11-27")
    );
    assert_eq!(lines.next(), Some("cve,epss,percentile"));
    let scores: Vec<f64> = lines
        .map(|l| {
            let mut f = l.split(',');
            assert!(known.contains(f.next().unwrap()));
            f.next().unwrap().parse().unwrap()
        })
        .collect();
    assert_eq!(scores.len(), rows);
    let below_1pc = scores.iter().filter(|s| **s < 0.01).count() as f64 / rows as f64;
    assert!(below_1pc > 0.75, "most scores are tiny: {below_1pc}");
}

#[test]
fn sboms_read_back() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sboms");
    let s = sbom::generate(&dir, 12, 500, 7).unwrap();
    assert_eq!((s.sboms, s.components), (12, 6000));
    assert!(s.without_purl > 0 && s.with_cpe > 0 && s.from_pool > 0);
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".cdx.json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 12);
    for f in &files {
        let r = medsec_formats::sbom::read(&fs::read(f).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert_eq!(r.sbom.components.len(), 500);
        assert!(
            r.warnings.is_empty(),
            "{}: {:?}",
            f.display(),
            r.warnings.first()
        );
    }
    let one = tmp.path().join("one.cdx.json");
    sbom::generate(&one, 1, 1000, 7).unwrap();
    let r = medsec_formats::sbom::read(&fs::read(&one).unwrap()).unwrap();
    assert_eq!(r.sbom.components.len(), 1000);
}

#[test]
fn full_scale_plan_has_the_stated_distributions() {
    let opts = nvd::NvdOptions::default();
    let pool = medsec_synth::pool::Pool::new(opts.seed);
    let plan = nvd::plan(&pool, &opts);
    assert_eq!(plan.cves.len(), 400_000);
    assert_eq!(plan.cpe_total, 1_500_000);
    let in_2025 = plan.cves.iter().filter(|c| c.year == 2025).count();
    assert_eq!(in_2025, 48_000);
    let per_year = |y| plan.cves.iter().filter(|c| c.year == y).count();
    assert!(per_year(2005) < per_year(2015) && per_year(2015) < per_year(2022));
    assert_eq!(plan.cves.iter().filter(|c| c.kev).count(), 1400);
    let max_k = plan.cves.iter().map(|c| c.k).max().unwrap();
    assert!(max_k >= 200, "a long tail: {max_k}");
    let rejected = plan
        .cves
        .iter()
        .filter(|c| c.status == nvd::Status::Rejected)
        .count() as f64;
    assert!((0.03..0.05).contains(&(rejected / 400_000.0)));
    // Real SBOM products are in the pool.
    for (v, p) in [
        ("openssl", "openssl"),
        ("zlib", "zlib"),
        ("apache", "log4j"),
        ("haxx", "libcurl"),
        ("busybox", "busybox"),
        ("linux", "linux_kernel"),
        ("sqlite", "sqlite"),
        ("libexpat_project", "libexpat"),
        ("xmlsoft", "libxml2"),
        ("lodash", "lodash"),
        ("fasterxml", "jackson-databind"),
        ("vmware", "spring_framework"),
        ("djangoproject", "django"),
        ("python", "requests"),
    ] {
        assert!(pool.find(v, p).is_some(), "{v}:{p}");
    }
}
