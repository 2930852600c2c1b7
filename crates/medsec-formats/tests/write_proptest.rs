//! Property test: for generated VEX documents that the model accepts, every VEX writer's
//! output validates against the official schema (CycloneDX 1.6, CSAF 2.0, OpenVEX 0.2), and
//! CSAF output is read back by our advisory reader without errors or warnings.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use jsonschema::{Retrieve, Uri, Validator};
use medsec_core::vex::{
    CdxJustification, CisaJustification, Justification, ProductRef, Remediation,
    RemediationCategory, VexAuthor, VexDocument, VexStatement, VexStatus, VulnerabilityRef,
};
use medsec_formats::advisory::{self, ReadOptions};
use medsec_formats::write::{csaf, cyclonedx, openvex};
use proptest::prelude::*;
use serde_json::Value;

fn corpus() -> PathBuf {
    std::env::var_os("MEDSEC_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
        PathBuf::from,
    )
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

struct Local(BTreeMap<String, PathBuf>);

impl Retrieve for Local {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let key = uri.as_str().split('#').next().unwrap_or_default();
        self.0
            .get(key)
            .map(|p| read_json(p))
            .ok_or_else(|| format!("no local copy of {key}").into())
    }
}

fn validator(schema: PathBuf, refs: &[(&str, PathBuf)]) -> Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .with_retriever(Local(
            refs.iter()
                .map(|(u, p)| ((*u).to_owned(), p.clone()))
                .collect(),
        ))
        .build(&read_json(&schema))
        .unwrap()
}

static CDX: LazyLock<Validator> = LazyLock::new(|| {
    let d = corpus().join("cyclonedx-spec/schema");
    validator(
        d.join("bom-1.6.schema.json"),
        &[
            (
                "http://cyclonedx.org/schema/spdx.schema.json",
                d.join("spdx.schema.json"),
            ),
            (
                "http://cyclonedx.org/schema/jsf-0.82.schema.json",
                d.join("jsf-0.82.schema.json"),
            ),
        ],
    )
});

static CSAF: LazyLock<Validator> = LazyLock::new(|| {
    let d = corpus().join("csaf-spec/csaf_2.0");
    let f = d.join("referenced_schema/first");
    validator(
        d.join("json_schema/csaf_json_schema.json"),
        &[
            (
                "https://www.first.org/cvss/cvss-v2.0.json",
                f.join("cvss-v2.0.json"),
            ),
            (
                "https://www.first.org/cvss/cvss-v3.0.json",
                f.join("cvss-v3.0.json"),
            ),
            (
                "https://www.first.org/cvss/cvss-v3.1.json",
                f.join("cvss-v3.1.json"),
            ),
        ],
    )
});

static OPENVEX: LazyLock<Validator> = LazyLock::new(|| {
    validator(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/schemas/openvex_json_schema.json"),
        &[],
    )
});

fn check(v: &Validator, json: &str, what: &str) -> Result<(), TestCaseError> {
    let value: Value = serde_json::from_str(json).unwrap();
    let errs: Vec<String> = v
        .iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    prop_assert!(errs.is_empty(), "{what}: {}\n{json}", errs.join("\n"));
    Ok(())
}

/// Free text, including characters JSON must escape and non-ASCII.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 .,;:'\"\\\\/<>&äöüé€\n\t-]{1,40}".prop_filter("not blank", |s| !s.trim().is_empty())
}

fn vuln_id() -> impl Strategy<Value = String> {
    prop_oneof![
        (1999u32..2030, 1u32..99_999).prop_map(|(y, n)| format!("CVE-{y}-{n:04}")),
        "GHSA-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}",
        (10u32..30, 1u32..400).prop_map(|(y, n)| format!("ICSMA-{y}-{n:03}-01")),
    ]
}

fn product() -> impl Strategy<Value = ProductRef> {
    (
        "[a-z][a-z0-9-]{0,12}",
        "[0-9]{1,2}\\.[0-9]{1,2}(\\.[0-9]{1,2})?",
        any::<bool>(),
        any::<bool>(),
        prop::collection::btree_set("[a-z][a-z0-9]{0,8}", 0..3),
    )
        .prop_map(|(name, version, with_purl, with_cpe, subs)| {
            let mut p = ProductRef::new(format!("Acme {name}")).with_version(version.clone());
            // OpenVEX needs a purl or CPE; give one of them always, both sometimes.
            if with_purl || !with_cpe {
                p = p.with_purl(
                    format!("pkg:generic/acme/{name}@{version}")
                        .parse()
                        .unwrap(),
                );
            }
            if with_cpe {
                p = p.with_cpe(
                    format!(
                        "cpe:2.3:a:acme:{}:{version}:*:*:*:*:*:*:*",
                        name.replace('-', "_")
                    )
                    .parse()
                    .unwrap(),
                );
            }
            for s in subs {
                p = p.with_subcomponent(format!("pkg:generic/{s}@1.0").parse().unwrap());
            }
            p
        })
}

fn justification() -> impl Strategy<Value = Justification> {
    prop_oneof![
        prop::sample::select(CisaJustification::ALL.to_vec()).prop_map(Justification::Cisa),
        prop::sample::select(CdxJustification::ALL.to_vec()).prop_map(Justification::CycloneDx),
    ]
}

fn category() -> impl Strategy<Value = RemediationCategory> {
    prop::sample::select(vec![
        RemediationCategory::Mitigation,
        RemediationCategory::NoFixPlanned,
        RemediationCategory::NoneAvailable,
        RemediationCategory::VendorFix,
        RemediationCategory::Workaround,
    ])
}

fn statement() -> impl Strategy<Value = Option<VexStatement>> {
    (
        vuln_id(),
        prop::collection::vec(vuln_id(), 0..3),
        prop::option::of(text()),
        prop::collection::vec(product(), 1..3),
        prop::sample::select(VexStatus::ALL.to_vec()),
        prop::option::of(justification()),
        prop::option::of(text()),
        text(),
        prop::collection::vec((category(), text()), 0..3),
    )
        .prop_map(
            |(id, aliases, desc, products, status, just, impact, action, rems)| {
                let mut v = VulnerabilityRef::new(id);
                for a in aliases {
                    v = v.with_alias(a);
                }
                if let Some(d) = desc {
                    v = v.with_description(d);
                }
                let s = match status {
                    VexStatus::NotAffected => {
                        // At least one of the two reasons, sometimes both.
                        let impact = if just.is_none() && impact.is_none() {
                            Some(action.clone())
                        } else {
                            impact
                        };
                        VexStatement::not_affected(v, products, just, impact)
                    }
                    VexStatus::Affected => VexStatement::affected(v, products, action),
                    VexStatus::Fixed => VexStatement::fixed(v, products),
                    VexStatus::UnderInvestigation => VexStatement::under_investigation(v, products),
                };
                // Duplicate products inside one statement are rejected by the model; the
                // generator then drops the statement.
                s.ok().map(|mut s| {
                    for (c, d) in rems {
                        s = s.with_remediation(Remediation::new(c, d));
                    }
                    s
                })
            },
        )
}

fn document() -> impl Strategy<Value = VexDocument> {
    prop::collection::vec(statement(), 1..6).prop_filter_map("no valid document", |statements| {
        // Keep the statements the model accepts together (no product stated twice for one
        // vulnerability).
        let mut kept: Vec<VexStatement> = Vec::new();
        for s in statements.into_iter().flatten() {
            let mut trial = kept.clone();
            trial.push(s.clone());
            if VexDocument::new(
                "https://psirt.acme.example/vex/1",
                VexAuthor::new("Acme", "https://psirt.acme.example"),
                "2024-05-01T10:00:00Z".parse().unwrap(),
                trial,
            )
            .is_ok()
            {
                kept.push(s);
            }
        }
        VexDocument::new(
            "https://psirt.acme.example/vex/1",
            VexAuthor::new("Acme", "https://psirt.acme.example"),
            "2024-05-01T10:00:00Z".parse().unwrap(),
            kept,
        )
        .ok()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn every_vex_writer_output_validates(doc in document()) {
        let cdx = cyclonedx::write_vex(&doc, "urn:uuid:00000000-0000-4000-8000-000000000001").unwrap();
        check(&CDX, &cdx.json, "CycloneDX VEX")?;
        let c = csaf::write_vex(&doc).unwrap();
        check(&CSAF, &c.json, "CSAF VEX")?;
        let read = advisory::read(c.json.as_bytes(), &ReadOptions::default());
        prop_assert!(read.is_ok(), "{:?}", read.err().map(|e| e.problems()));
        if let Ok(r) = read {
            prop_assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        }
        let o = openvex::write(&doc).unwrap();
        check(&OPENVEX, &o.json, "OpenVEX")?;
        // Deterministic.
        prop_assert_eq!(csaf::write_vex(&doc).unwrap(), c);
    }
}
