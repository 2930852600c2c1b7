//! Component matching over real advisories of the shared corpus (NVD API 2.0, CVE 5,
//! OSV, CISA ICSMA CSAF), with hand-made component queries. Fails loudly when the corpus
//! is missing (`MEDSEC_CORPUS` overrides its path).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use medsec_core::advisory::{Advisory, Package};
use medsec_core::cpe::Cpe;
use medsec_formats::advisory::{ReadOptions, read};
use medsec_match::keys::{csaf_vendor_product, index_keys};
use medsec_match::{
    ComponentMatch, ComponentQuery, Confidence, KeyOrigin, MatchContext, MatchStatus, Via,
    component_keys, match_component, match_component_with,
};

fn corpus() -> PathBuf {
    let dir = std::env::var_os("MEDSEC_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
        PathBuf::from,
    );
    assert!(
        dir.is_dir(),
        "the shared corpus is missing at {} (set MEDSEC_CORPUS to its path); these tests read real advisories from it",
        dir.display()
    );
    dir
}

fn advisories(rel: &str) -> Vec<Advisory> {
    let path = corpus().join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    read(&bytes, &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .advisories
}

fn advisory(rel: &str) -> Advisory {
    advisories(rel).into_iter().next().unwrap()
}

fn cpe(s: &str) -> Cpe {
    s.parse().unwrap()
}

fn matches(c: &ComponentQuery, a: &Advisory) -> Vec<ComponentMatch> {
    let keys = component_keys(c);
    // The store finds the advisory by a shared key before the matcher runs.
    let index = index_keys(a);
    assert!(
        keys.iter().any(|k| index.contains(&k.key)),
        "{}: no shared key between {:?} and {index:?}",
        a.id,
        keys.iter().map(|k| &k.key).collect::<Vec<_>>()
    );
    match_component(c, a, &keys)
}

fn log4j_core(version: &str, with_cpe: bool) -> ComponentQuery {
    ComponentQuery {
        purl: Some(
            format!("pkg:maven/org.apache.logging.log4j/log4j-core@{version}")
                .parse()
                .unwrap(),
        ),
        cpes: if with_cpe {
            vec![cpe(&format!(
                "cpe:2.3:a:apache:log4j:{version}:*:*:*:*:*:*:*"
            ))]
        } else {
            vec![]
        },
        version: Some(version.into()),
        kind: Some("library".into()),
        ..ComponentQuery::named("log4j-core")
    }
}

#[test]
fn log4shell_nvd_declared_cpe() {
    let a = advisory("nvd-records/CVE-2021-44228.json");
    assert!(index_keys(&a).contains(&"cpe:a:apache:log4j".to_owned()));
    let m = matches(&log4j_core("2.14.1", true), &a);
    // Only the Apache Log4j configuration names this component.
    assert_eq!(m.len(), 1, "{m:#?}");
    let m = &m[0];
    assert_eq!(m.advisory_id, "CVE-2021-44228");
    assert_eq!(m.status, MatchStatus::Affected);
    assert_eq!(m.confidence, Confidence::High);
    assert_eq!(m.via, Via::Cpe);
    assert_eq!(m.key_origin, KeyOrigin::Declared);
    assert_eq!(m.configuration, Some(5));
    let entry = &a.affected[m.affected_index];
    assert_eq!(
        entry.ranges[0].to_string(),
        "[generic] >=2.13.0: affected; >=2.15.0: end"
    );
    assert!(m.assumptions.is_empty(), "{:?}", m.assumptions);

    let m = matches(&log4j_core("2.17.1", true), &a);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].status, MatchStatus::NotAffected);
    assert_eq!(m[0].confidence, Confidence::High);
    // Every range of the configuration was checked and named.
    assert!(
        m[0].reasons.iter().filter(|r| r.contains("2.17.1")).count() >= 3,
        "{:?}",
        m[0].reasons
    );
}

#[test]
fn log4shell_nvd_derived_from_purl() {
    // No CPE in the SBOM: the curated map derives cpe:a:apache:log4j from the purl.
    let a = advisory("nvd-records/CVE-2021-44228.json");
    let m = matches(&log4j_core("2.14.1", false), &a);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].status, MatchStatus::Affected);
    assert_eq!(m[0].confidence, Confidence::Medium);
    assert_eq!(m[0].key_origin, KeyOrigin::Derived);
    let m = matches(&log4j_core("2.17.1", false), &a);
    assert_eq!(m[0].status, MatchStatus::NotAffected);
}

#[test]
fn log4shell_cve5_vendor_product() {
    let a = advisory("cve-samples/cve5/osv-dev/cvelistV5/cves/2021/44xxx/CVE-2021-44228.json");
    let c = ComponentQuery {
        supplier: Some("Apache Software Foundation".into()),
        version: Some("2.14.1".into()),
        ..ComponentQuery::named("Apache Log4j2")
    };
    let m = matches(&c, &a);
    assert!(!m.is_empty());
    assert!(m.iter().all(|m| m.via == Via::VendorProduct));
    let best = medsec_match::most_severe(&m).unwrap();
    assert_eq!(best.status, MatchStatus::Affected, "{m:#?}");
    // CVE 5 `custom` versions: compared in the generic order, stated as an assumption.
    assert!(best.confidence <= Confidence::Medium);
}

#[test]
fn heartbleed_derived_openssl() {
    let a = advisory("nvd-records/CVE-2014-0160.json");
    let c = |v: &str| ComponentQuery {
        version: Some(v.into()),
        kind: Some("library".into()),
        ..ComponentQuery::named("openssl")
    };
    let m = matches(&c("1.0.1f"), &a);
    let hit: Vec<_> = m
        .iter()
        .filter(|m| m.status == MatchStatus::Affected)
        .collect();
    assert_eq!(hit.len(), 1, "{m:#?}");
    // Derived CPE, and `1.0.1f` above `1.0.1` rests on the generic order's assumption
    // that a letter suffix follows the bare number: two steps down.
    assert_eq!(hit[0].confidence, Confidence::Low);
    assert!(hit[0].assumptions[0].contains("derived"));
    assert!(
        hit[0].assumptions[1].contains("not certain"),
        "{:?}",
        hit[0].assumptions
    );
    let m = matches(&c("1.0.1g"), &a);
    assert!(
        m.iter().all(|m| m.status == MatchStatus::NotAffected),
        "{m:#?}"
    );
}

#[test]
fn zlib_and_running_on_firmware_and_configurations() {
    let a = advisory("nvd-records/CVE-2022-37434.json");
    let zlib = |v: &str| ComponentQuery {
        cpes: vec![cpe(&format!("cpe:2.3:a:zlib:zlib:{v}:*:*:*:*:*:*:*"))],
        version: Some(v.into()),
        ..ComponentQuery::named("zlib")
    };
    let m = matches(&zlib("1.2.12"), &a);
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].status, m[0].confidence),
        (MatchStatus::Affected, Confidence::High)
    );
    let m = matches(&zlib("1.2.13"), &a);
    assert_eq!(m[0].status, MatchStatus::NotAffected);
    // A NetApp firmware (version NA) on its hardware: AND configuration.
    let fw = ComponentQuery {
        cpes: vec![cpe("cpe:2.3:o:netapp:h300s_firmware:-:*:*:*:*:*:*:*")],
        ..ComponentQuery::named("h300s firmware")
    };
    let m = matches(&fw, &a);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].status, MatchStatus::Affected);
    assert_eq!(m[0].confidence, Confidence::Medium);
    assert!(
        m[0].reasons
            .iter()
            .any(|r| r.contains("only when running on/with cpe:2.3:h:netapp:h300s:-"))
    );
}

#[test]
fn running_on_hardware_and_context() {
    // CVE-2020-13595: ESP-IDF 4.0.0 to 4.2 AND running on ESP32 hardware.
    let a = advisory("cve-samples/nvd-api-2.0/osv-dev/CVE-2020-13595.json");
    let idf = |v: &str| ComponentQuery {
        cpes: vec![cpe(&format!(
            "cpe:2.3:a:espressif:esp-idf:{v}:*:*:*:*:*:*:*"
        ))],
        version: Some(v.into()),
        ..ComponentQuery::named("esp-idf")
    };
    let keys = component_keys(&idf("4.1"));
    let m = match_component(&idf("4.1"), &a, &keys);
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].status, m[0].confidence),
        (MatchStatus::Affected, Confidence::Medium)
    );
    assert!(
        m[0].reasons
            .iter()
            .any(|r| r.contains("cpe:2.3:h:espressif:esp32:-"))
    );

    let esp32 = MatchContext {
        platform_cpes: vec![cpe("cpe:2.3:h:espressif:esp32:-:*:*:*:*:*:*:*")],
        ..MatchContext::default()
    };
    let m = match_component_with(&idf("4.1"), &a, &keys, &esp32);
    assert_eq!(
        (m[0].status, m[0].confidence),
        (MatchStatus::Affected, Confidence::High)
    );
    let other = MatchContext {
        platform_cpes: vec![cpe("cpe:2.3:h:espressif:esp32-c3:-:*:*:*:*:*:*:*")],
        ..MatchContext::default()
    };
    let m = match_component_with(&idf("4.1"), &a, &keys, &other);
    assert_eq!(
        (m[0].status, m[0].confidence),
        (MatchStatus::NotAffected, Confidence::High)
    );
    // 4.2 is the inclusive end; 4.2.1 is past it.
    assert_eq!(
        match_component_with(&idf("4.2"), &a, &keys, &esp32)[0].status,
        MatchStatus::Affected
    );
    assert_eq!(
        match_component_with(&idf("4.2.1"), &a, &keys, &esp32)[0].status,
        MatchStatus::NotAffected
    );
}

#[test]
fn curl_cve5_vendor_product_derived() {
    let a = advisory("cve-samples/cve5/osv-dev/cve5/CVE-2024-7264.json");
    let c = |v: &str| ComponentQuery {
        version: Some(v.into()),
        ..ComponentQuery::named("libcurl")
    };
    let m = matches(&c("8.9.0"), &a);
    let best = medsec_match::most_severe(&m).unwrap();
    assert_eq!(best.status, MatchStatus::Affected, "{m:#?}");
    assert_eq!(best.via, Via::VendorProduct);
    assert_eq!(best.confidence, Confidence::Medium);
    let m = matches(&c("8.9.1"), &a);
    assert!(
        m.iter().all(|m| m.status == MatchStatus::NotAffected),
        "{m:#?}"
    );
}

#[test]
fn osv_pypi_django() {
    let a = advisory("osv-pypa/vulns/django/PYSEC-2024-69.yaml");
    let fixed = a.affected[0]
        .ranges
        .iter()
        .flat_map(|r| r.events.iter())
        .find_map(|e| match (&e.point, e.state) {
            (
                medsec_core::advisory::Point::At(v),
                medsec_core::advisory::RangeState::Unaffected,
            ) => Some(v.clone()),
            _ => None,
        })
        .unwrap();
    let c = |v: &str| ComponentQuery {
        purl: Some(format!("pkg:pypi/Django@{v}").parse().unwrap()),
        ..ComponentQuery::named("Django")
    };
    let m = matches(&c(&fixed), &a);
    assert_eq!(m[0].status, MatchStatus::Fixed);
    assert_eq!(m[0].confidence, Confidence::High);
    assert!(m[0].fixed_in.contains(&fixed));
}

fn hillrom(product: &str, version: &str) -> ComponentQuery {
    ComponentQuery {
        supplier: Some("Hillrom".into()),
        version: Some(version.into()),
        ..ComponentQuery::named(product)
    }
}

#[test]
fn icsma_csaf_product_versions() {
    // ICSMA-21-152-01: Welch Allyn Connex Spot Monitor "< 1.52".
    let all = advisories("csaf-icsma/icsma-21-152-01.json");
    let a = all.iter().find(|a| a.id == "CVE-2021-27410").unwrap();
    let csm = "Welch Allyn Connex Spot Monitor (CSM)";
    let m = matches(&hillrom(csm, "1.51"), a);
    assert_eq!(m.len(), 1, "{m:#?}");
    assert_eq!(m[0].status, MatchStatus::Affected);
    assert_eq!(m[0].confidence, Confidence::Medium);
    assert_eq!(m[0].via, Via::CsafProduct);
    assert_eq!(m[0].key, "vp:hillrom/welch allyn connex spot monitor (csm)");
    let m = matches(&hillrom(csm, "1.52"), a);
    assert_eq!(m[0].status, MatchStatus::NotAffected);
    assert_eq!(m[0].confidence, Confidence::Medium);
    // Another supplier of a product with the same name: no match.
    let other = ComponentQuery {
        supplier: Some("Other Medical".into()),
        ..hillrom(csm, "1.51")
    };
    assert!(match_component(&other, a, &component_keys(&other)).is_empty());

    // "< 1.8.4 Service Pack 01" is kept as text by the reader and read here.
    let cs = "Welch Allyn Connex Central Station (CS)";
    let m = matches(&hillrom(cs, "1.8.3"), a);
    assert_eq!(m[0].status, MatchStatus::Affected);
    assert_eq!(m[0].confidence, Confidence::Low);
    assert!(
        m[0].assumptions
            .iter()
            .any(|s| s.contains("< 1.8.4 Service Pack 01"))
    );
}

#[test]
fn icsma_listed_range_text() {
    // ICSMA-19-164-01 lists "2.3.6 and  below" as a product_version.
    let a = advisory("csaf-icsma/icsma-19-164-01.json");
    let bd = |product: &str, v: &str| ComponentQuery {
        supplier: Some("Becton, Dickinson and Company (BD)".into()),
        version: Some(v.into()),
        ..ComponentQuery::named(product)
    };
    let m = matches(&bd("Alaris Gateway Workstation Alaris GS", "2.3.5"), &a);
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].status, m[0].confidence),
        (MatchStatus::Affected, Confidence::Low)
    );
    let m = matches(&bd("Alaris Gateway Workstation Alaris GS", "2.4"), &a);
    assert_eq!(m[0].status, MatchStatus::NotAffected);
    // Exact versions with build words stay exact.
    let m = matches(&bd("Alaris Gateway Workstation", "1.3.1 Build 13"), &a);
    let hit: Vec<_> = m
        .iter()
        .filter(|m| m.status == MatchStatus::Affected)
        .collect();
    assert_eq!(hit.len(), 1);
    assert_eq!(hit[0].confidence, Confidence::Medium);
}

/// Every ICSMA product with a vendor, a product name and one listed version matches a
/// component made from exactly those, with the product's own status.
#[test]
fn every_icsma_product_matches_itself() {
    let dir = corpus().join("csaf-icsma");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 140, "{} ICSMA files", files.len());
    let mut checked = 0;
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let Ok(doc) = read(&bytes, &ReadOptions::default()) else {
            continue;
        };
        for a in &doc.advisories {
            for (i, e) in a.affected.iter().enumerate() {
                let Package::CsafProduct(p) = &e.what else {
                    continue;
                };
                let (Some(vendor), Some(product)) = csaf_vendor_product(p) else {
                    continue;
                };
                let [v] = e.versions.as_slice() else {
                    continue;
                };
                if !e.ranges.is_empty()
                    || v.contains(char::is_whitespace)
                    || v.contains(['x', 'X', '*'])
                {
                    continue;
                }
                let c = ComponentQuery {
                    supplier: Some(vendor.to_owned()),
                    version: Some(v.clone()),
                    ..ComponentQuery::named(product)
                };
                let m = matches(&c, a);
                let mine = m.iter().find(|m| m.affected_index == i).unwrap_or_else(|| {
                    panic!(
                        "{}: {} {product} {v}: no match for entry {i}",
                        f.display(),
                        a.id
                    )
                });
                let want = MatchStatus::of(e.status);
                assert_eq!(
                    mine.status,
                    want,
                    "{}: {} entry {i}: {:?}",
                    f.display(),
                    a.id,
                    mine.reasons
                );
                assert!(mine.confidence <= Confidence::Medium);
                checked += 1;
            }
        }
    }
    assert!(checked >= 150, "only {checked} products checked");
}
