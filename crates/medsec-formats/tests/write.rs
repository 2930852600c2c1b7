//! Writers: every document written validates against its format's official JSON Schema
//! (resolved locally, no network), SBOMs round-trip through our reader, CSAF VEX is read back
//! by our advisory reader with the same statuses, snapshots of each format, and a property
//! test over generated statements.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use jsonschema::{Retrieve, Uri, Validator};
use medsec_core::advisory::{Package, Status};
use medsec_core::component::{ComponentKind, Sbom};
use medsec_core::vex::{
    CdxJustification, CisaJustification, Justification, ProductRef, Remediation,
    RemediationCategory, Revision, VexAuthor, VexDocument, VexError, VexStatement, VexStatus,
    VulnerabilityRef,
};
use medsec_formats::advisory::{self, ReadOptions};
use medsec_formats::sbom;
use medsec_formats::write::{WriteError, csaf, cyclonedx, openvex, sarif};
use serde_json::Value;

// ---------- harness ----------

fn corpus() -> PathBuf {
    let path = std::env::var_os("MEDSEC_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
        PathBuf::from,
    );
    assert!(
        path.join("cyclonedx-spec").is_dir(),
        "the shared corpus is missing at {} (set MEDSEC_CORPUS)",
        path.display()
    );
    path
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(
        &std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

/// Resolves the schemas' external `$ref`s to local files; anything else is refused, so a
/// test never reaches the network.
struct Local(BTreeMap<String, PathBuf>);

impl Retrieve for Local {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let key = uri.as_str().split('#').next().unwrap_or_default();
        match self.0.get(key) {
            Some(p) => Ok(read_json(p)),
            None => Err(format!("no local copy of {key}; refusing to fetch it").into()),
        }
    }
}

fn validator(schema: &Path, refs: &[(&str, PathBuf)]) -> Validator {
    let local = Local(
        refs.iter()
            .map(|(u, p)| ((*u).to_owned(), p.clone()))
            .collect(),
    );
    jsonschema::options()
        .should_validate_formats(true)
        .with_retriever(local)
        .build(&read_json(schema))
        .unwrap_or_else(|e| panic!("schema {}: {e}", schema.display()))
}

static CDX: LazyLock<Validator> = LazyLock::new(|| {
    let dir = corpus().join("cyclonedx-spec/schema");
    validator(
        &dir.join("bom-1.6.schema.json"),
        &[
            (
                "http://cyclonedx.org/schema/spdx.schema.json",
                dir.join("spdx.schema.json"),
            ),
            (
                "http://cyclonedx.org/schema/jsf-0.82.schema.json",
                dir.join("jsf-0.82.schema.json"),
            ),
        ],
    )
});

static CSAF: LazyLock<Validator> = LazyLock::new(|| {
    let dir = corpus().join("csaf-spec/csaf_2.0");
    let first = dir.join("referenced_schema/first");
    validator(
        &dir.join("json_schema/csaf_json_schema.json"),
        &[
            (
                "https://www.first.org/cvss/cvss-v2.0.json",
                first.join("cvss-v2.0.json"),
            ),
            (
                "https://www.first.org/cvss/cvss-v3.0.json",
                first.join("cvss-v3.0.json"),
            ),
            (
                "https://www.first.org/cvss/cvss-v3.1.json",
                first.join("cvss-v3.1.json"),
            ),
        ],
    )
});

static OPENVEX: LazyLock<Validator> = LazyLock::new(|| {
    validator(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/schemas/openvex_json_schema.json"),
        &[],
    )
});

fn errors(v: &Validator, json: &str) -> Vec<String> {
    let value: Value = serde_json::from_str(json).unwrap();
    v.iter_errors(&value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn assert_valid(v: &Validator, json: &str, what: &str) {
    let errs = errors(v, json);
    assert!(
        errs.is_empty(),
        "{what}: {} schema errors:\n{}\n{json}",
        errs.len(),
        errs.join("\n")
    );
}

const SERIAL: &str = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79";

fn snapshot(name: &str, json: &str) {
    insta::with_settings!({
        snapshot_path => "fixtures/write/snapshots",
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, json);
    });
}

// ---------- a small VEX fixture ----------

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

fn pump() -> ProductRef {
    ProductRef::new("Acme Insulin Pump firmware")
        .with_version("4.2.0")
        .with_purl("pkg:generic/acme/pump-firmware@4.2.0".parse().unwrap())
        .with_cpe(
            "cpe:2.3:o:acme:pump_firmware:4.2.0:*:*:*:*:*:*:*"
                .parse()
                .unwrap(),
        )
        .with_kind(ComponentKind::Firmware)
}

fn portal() -> ProductRef {
    ProductRef::new("Acme Web Portal").with_version("1.9")
}

fn fixture_doc() -> VexDocument {
    let openssl: medsec_core::Purl = "pkg:generic/openssl@3.0.7".parse().unwrap();
    let zlib: medsec_core::Purl = "pkg:generic/zlib@1.2.13".parse().unwrap();
    let s1 = VexStatement::not_affected(
        VulnerabilityRef::new("CVE-2023-0286")
            .with_alias("GHSA-x4qr-2fvf-3mr5")
            .with_description("X.400 address type confusion in X.509 GeneralName"),
        vec![pump().with_subcomponent(openssl.clone())],
        Some(Justification::Cisa(
            CisaJustification::VulnerableCodeNotInExecutePath,
        )),
        Some("The firmware never processes CRLs or X.400 names.".into()),
    )
    .unwrap()
    .with_times(ts("2024-03-01T09:00:00Z"), Some(ts("2024-03-05T12:00:00Z")))
    .decided_by("Acme PSIRT (J. Doe)");
    let s2 = VexStatement::affected(
        VulnerabilityRef::new("CVE-2022-37434"),
        vec![pump().with_subcomponent(zlib)],
        "Update the pump firmware to 4.2.1 at the next service visit.",
    )
    .unwrap()
    .with_remediation(Remediation::new(
        RemediationCategory::VendorFix,
        "Firmware 4.2.1 ships zlib 1.2.13 with the fix.",
    ))
    .with_impact_statement("A crafted compressed log upload could crash the logging task.");
    let s3 = VexStatement::fixed(VulnerabilityRef::new("CVE-2023-0286"), vec![portal()]).unwrap();
    let s4 = VexStatement::under_investigation(
        VulnerabilityRef::new("ICSMA-24-001-01").with_alias("CVE-2024-1234"),
        vec![pump()],
    )
    .unwrap();
    let s5 = VexStatement::not_affected(
        VulnerabilityRef::new("GHSA-abcd-efgh-ijkl"),
        vec![pump()],
        Some(Justification::CycloneDx(
            CdxJustification::ProtectedAtPerimeter,
        )),
        None,
    )
    .unwrap();
    let mut doc = VexDocument::new(
        "https://psirt.acme.example/vex/2024-001",
        VexAuthor::new("Acme Medical", "https://psirt.acme.example"),
        ts("2024-03-05T12:00:00Z"),
        vec![s1, s2, s3, s4, s5],
    )
    .unwrap();
    doc.tooling = Some("medsec".into());
    doc.first_issued = Some(ts("2024-03-01T09:00:00Z"));
    doc.version = 2;
    doc.revisions = vec![
        Revision {
            number: 1,
            date: ts("2024-03-01T09:00:00Z"),
            summary: "Initial version.".into(),
        },
        Revision {
            number: 2,
            date: ts("2024-03-05T12:00:00Z"),
            summary: "CVE-2022-37434 assessed.".into(),
        },
    ];
    doc
}

// ---------- CycloneDX SBOM ----------

fn cdx_inputs() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(repo().join("examples")).unwrap() {
        let dir = entry.unwrap().path().join("sbom");
        if dir.is_dir() {
            for f in std::fs::read_dir(dir).unwrap() {
                let p = f.unwrap().path();
                if p.to_string_lossy().ends_with(".cdx.json") {
                    files.push(p);
                }
            }
        }
    }
    for v in ["1.4", "1.5", "1.6"] {
        for f in std::fs::read_dir(corpus().join("cyclonedx-spec").join(v)).unwrap() {
            let p = f.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("valid-") && name.ends_with(".json") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// The model with what necessarily differs between two documents of the same content.
fn comparable(mut s: Sbom, like: &Sbom) -> Sbom {
    s.format = like.format;
    s.spec_version = like.spec_version.clone();
    s.encoding = like.encoding;
    s.serial_number = like.serial_number.clone();
    s.original = like.original.clone();
    s
}

#[test]
fn sbom_round_trip_and_schema_over_examples_and_corpus() {
    let files = cdx_inputs();
    assert!(files.len() > 100, "only {} inputs", files.len());
    let mut written = 0;
    let mut identical = 0;
    let mut failures = Vec::new();
    for path in &files {
        let Ok(reading) = sbom::read(&std::fs::read(path).unwrap()) else {
            // The reader rejects a few `valid-*` files it does not model; the reader's own
            // tests cover that. Nothing to write for them.
            continue;
        };
        let out = cyclonedx::write_sbom(&reading.sbom, SERIAL).unwrap();
        let errs = errors(&CDX, &out.json);
        if !errs.is_empty() {
            failures.push(format!("{}: schema: {}", path.display(), errs.join("; ")));
            continue;
        }
        let back = match sbom::read(out.json.as_bytes()) {
            Ok(r) => r.sbom,
            Err(e) => {
                failures.push(format!("{}: read back: {e}", path.display()));
                continue;
            }
        };
        let (expected, notes) = cyclonedx::normalise(&reading.sbom);
        assert_eq!(notes, out.normalisations);
        if comparable(expected, &back) != back {
            failures.push(format!(
                "{}: model differs after round trip",
                path.display()
            ));
            continue;
        }
        if notes.is_empty() {
            identical += 1;
        }
        written += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(written > 100, "only {written} written");
    eprintln!("{written} SBOMs written and read back, {identical} without normalisation");
}

#[test]
fn example_sboms_need_no_normalisation() {
    for path in cdx_inputs()
        .iter()
        .filter(|p| p.starts_with(repo().join("examples")))
    {
        let reading = sbom::read(&std::fs::read(path).unwrap()).unwrap();
        let out = cyclonedx::write_sbom(&reading.sbom, SERIAL).unwrap();
        assert!(
            out.normalisations.is_empty(),
            "{}: {:?}",
            path.display(),
            out.normalisations
        );
    }
}

/// SPDX (JSON and tag-value), CycloneDX XML and CycloneDX 1.2/1.3 inputs (the reader's own
/// fixtures) written as CycloneDX 1.6 JSON: valid, and read back as the normalised model.
#[test]
fn other_formats_written_as_cyclonedx_validate_and_round_trip() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sbom");
    let mut n = 0;
    for name in [
        "spdx-2.2.json",
        "spdx-2.2.spdx",
        "spdx-2.3.json",
        "spdx-2.3.spdx",
        "cdx-1.2.json",
        "cdx-1.3.json",
        "cdx-1.4.xml",
        "cdx-1.6.xml",
    ] {
        let p = dir.join(name);
        let reading = sbom::read(&std::fs::read(&p).unwrap()).unwrap();
        let out = cyclonedx::write_sbom(&reading.sbom, SERIAL).unwrap();
        assert_valid(&CDX, &out.json, name);
        let back = sbom::read(out.json.as_bytes()).unwrap().sbom;
        let (expected, notes) = cyclonedx::normalise(&reading.sbom);
        assert_eq!(comparable(expected, &back), back, "{name}");
        if name.starts_with("spdx") {
            // The SPDX document name and creators have no CycloneDX place; it is said.
            assert!(notes.iter().any(|n| n.path == "name"), "{name}: {notes:?}");
        }
        n += 1;
    }
    assert_eq!(n, 8);
}

#[test]
fn sbom_output_is_deterministic_and_snapshotted() {
    let path = repo().join("examples/insulin-pump/sbom/pump-firmware.cdx.json");
    let reading = sbom::read(&std::fs::read(&path).unwrap()).unwrap();
    let a = cyclonedx::write_sbom(&reading.sbom, SERIAL).unwrap();
    let b = cyclonedx::write_sbom(&reading.sbom, SERIAL).unwrap();
    assert_eq!(a, b);
    snapshot("cyclonedx_sbom_pump_firmware", &a.json);
}

#[test]
fn bad_serial_number_refused() {
    let path = repo().join("examples/insulin-pump/sbom/pump-firmware.cdx.json");
    let reading = sbom::read(&std::fs::read(&path).unwrap()).unwrap();
    for bad in [
        "3e671687-395b-41f5-a30f-a58921a69b79",
        "urn:uuid:3E671687-395B-41F5-A30F-A58921A69B79",
        "urn:uuid:nope",
    ] {
        assert!(matches!(
            cyclonedx::write_sbom(&reading.sbom, bad),
            Err(WriteError::BadSerialNumber(_))
        ));
    }
}

// ---------- VEX ----------

#[test]
fn cyclonedx_vex_validates_and_snapshots() {
    let doc = fixture_doc();
    let out = cyclonedx::write_vex(&doc, SERIAL).unwrap();
    assert_valid(&CDX, &out.json, "CycloneDX VEX");
    // Our SBOM reader accepts it too (the products and their nested subcomponents).
    let back = sbom::read(out.json.as_bytes()).unwrap().sbom;
    assert_eq!(back.components.len(), 4);
    let v: Value = serde_json::from_str(&out.json).unwrap();
    let states: Vec<&str> = v["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["analysis"]["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        [
            "not_affected",
            "exploitable",
            "resolved",
            "in_triage",
            "not_affected"
        ]
    );
    // Every affects ref names a bom-ref of the document.
    let refs: Vec<String> = back
        .components
        .iter()
        .filter_map(|c| c.bom_ref.clone())
        .collect();
    for vuln in v["vulnerabilities"].as_array().unwrap() {
        for a in vuln["affects"].as_array().unwrap() {
            assert!(refs.contains(&a["ref"].as_str().unwrap().to_owned()));
        }
    }
    snapshot("cyclonedx_vex", &out.json);
}

#[test]
fn csaf_vex_validates_reads_back_and_snapshots() {
    let doc = fixture_doc();
    let out = csaf::write_vex(&doc).unwrap();
    assert_valid(&CSAF, &out.json, "CSAF VEX");
    snapshot("csaf_vex", &out.json);
    check_csaf_read_back(&doc, &out.json);
}

/// Our advisory reader (which runs the CSAF mandatory tests it implements) reads the
/// document, and every product of every statement has the statement's status.
fn check_csaf_read_back(doc: &VexDocument, json: &str) {
    let read = advisory::read(json.as_bytes(), &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{e}: {:?}\n{json}", e.problems()));
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
    let mut got: BTreeMap<(String, String), Status> = BTreeMap::new();
    for a in &read.advisories {
        for aff in &a.affected {
            let Package::CsafProduct(p) = &aff.what else {
                panic!("not a CSAF product")
            };
            got.insert((a.id.clone(), p.name.clone()), aff.status);
        }
    }
    let mut expected: BTreeMap<(String, String), Status> = BTreeMap::new();
    let v: Value = serde_json::from_str(json).unwrap();
    for (vi, s) in doc.statements.iter().enumerate() {
        let status = match s.status {
            VexStatus::NotAffected => Status::NotAffected,
            VexStatus::Affected => Status::Affected,
            VexStatus::Fixed => Status::Fixed,
            VexStatus::UnderInvestigation => Status::UnderInvestigation,
        };
        // The advisory id the reader gives: the CVE of the entry, else the first id.
        let entry = v["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| {
                e["ids"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|i| i["text"] == s.vulnerability.id.as_str())
                    || e["cve"] == s.vulnerability.id.as_str()
            })
            .unwrap_or_else(|| panic!("statement {vi} not written"));
        let id = entry["cve"]
            .as_str()
            .or(entry["ids"][0]["text"].as_str())
            .unwrap()
            .to_owned();
        for p in &s.products {
            if p.subcomponents.is_empty() {
                expected.insert((id.clone(), p.display_name()), status);
            } else {
                for sc in &p.subcomponents {
                    let n = match sc.version() {
                        Some(ver) => format!("{} {ver}", sc.name()),
                        None => sc.name().to_owned(),
                    };
                    expected.insert(
                        (
                            id.clone(),
                            format!("{n} as a component of {}", p.display_name()),
                        ),
                        status,
                    );
                }
            }
        }
    }
    assert_eq!(got, expected);
}

#[test]
fn openvex_validates_and_snapshots() {
    let doc = fixture_doc();
    let out = openvex::write(&doc).unwrap_err();
    // The portal has neither purl nor CPE: OpenVEX cannot identify it.
    assert!(matches!(out, WriteError::NoIdentifier(ref n) if n == "Acme Web Portal 1.9"));
    let mut doc = doc;
    for s in &mut doc.statements {
        for p in &mut s.products {
            if p.purl.is_none() && p.cpe.is_none() {
                p.purl = Some("pkg:generic/acme/web-portal@1.9".parse().unwrap());
            }
        }
    }
    let out = openvex::write(&doc).unwrap();
    assert_valid(&OPENVEX, &out.json, "OpenVEX");
    let v: Value = serde_json::from_str(&out.json).unwrap();
    // Both a justification and an impact statement: the statement goes to status_notes.
    assert_eq!(
        v["statements"][0]["justification"],
        "vulnerable_code_not_in_execute_path"
    );
    assert!(v["statements"][0].get("impact_statement").is_none());
    assert!(
        v["statements"][0]["status_notes"]
            .as_str()
            .unwrap()
            .contains("CRLs")
    );
    // A CycloneDX justification is written as its CISA label.
    assert_eq!(
        v["statements"][4]["justification"],
        "inline_mitigations_already_exist"
    );
    snapshot("openvex", &out.json);
}

#[test]
fn writers_enforce_the_vex_rules_on_changed_statements() {
    let mut doc = fixture_doc();
    doc.statements[1].action_statement = None;
    let err = Some(VexError::Statement(
        1,
        Box::new(VexError::AffectedWithoutAction),
    ));
    assert_eq!(csaf::write_vex(&doc).err().and_then(vex_err), err);
    assert_eq!(
        cyclonedx::write_vex(&doc, SERIAL).err().and_then(vex_err),
        err
    );
    assert_eq!(openvex::write(&doc).err().and_then(vex_err), err);

    let mut doc = fixture_doc();
    doc.statements[0].justification = None;
    doc.statements[0].impact_statement = None;
    assert_eq!(
        csaf::write_vex(&doc).err().and_then(vex_err),
        Some(VexError::Statement(
            0,
            Box::new(VexError::NotAffectedWithoutReason)
        ))
    );
}

fn vex_err(e: WriteError) -> Option<VexError> {
    match e {
        WriteError::Vex(v) => Some(v),
        _ => None,
    }
}

#[test]
fn csaf_revision_history_checked() {
    let mut doc = fixture_doc();
    doc.revisions.pop();
    assert!(matches!(
        csaf::write_vex(&doc),
        Err(WriteError::RevisionHistory(_))
    ));
    let mut doc = fixture_doc();
    doc.revisions[1].date = ts("2023-01-01T00:00:00Z");
    assert!(matches!(
        csaf::write_vex(&doc),
        Err(WriteError::RevisionHistory(_))
    ));
    let mut doc = fixture_doc();
    doc.revisions.clear();
    assert!(matches!(
        csaf::write_vex(&doc),
        Err(WriteError::RevisionHistory(_))
    ));
    doc.version = 1;
    let out = csaf::write_vex(&doc).unwrap();
    assert_valid(&CSAF, &out.json, "CSAF VEX v1");
}

#[test]
fn bad_ids_refused() {
    let mut doc = fixture_doc();
    doc.author.namespace = "psirt".into();
    assert!(matches!(
        csaf::write_vex(&doc),
        Err(WriteError::BadNamespace(_))
    ));
    let mut doc = fixture_doc();
    doc.id = "VEX-2024-001".into();
    assert!(matches!(openvex::write(&doc), Err(WriteError::IdNotIri(_))));
    // CSAF takes any tracking id.
    assert_valid(
        &CSAF,
        &csaf::write_vex(&doc).unwrap().json,
        "CSAF with plain id",
    );
}

// ---------- SARIF ----------

fn sarif_fixture() -> (sarif::Tool, Vec<sarif::Rule>, Vec<sarif::Finding>) {
    let tool = sarif::Tool::new(
        Some("0.1.0".into()),
        Some("https://example.invalid/medsec".into()),
    );
    let rules = vec![
        sarif::Rule::new("medsec::device::unknown-field")
            .described("A key the device format does not define."),
        sarif::Rule::new("medsec::vuln::affected")
            .described("A component is affected by a known vulnerability.")
            .with_help_uri("https://example.invalid/medsec/docs/diagnostics#affected"),
    ];
    let findings = vec![
        sarif::Finding::new(
            "medsec::vuln::affected",
            sarif::Level::Error,
            "openssl 3.0.7 is affected by CVE-2023-0286 (CVSS 7.4).",
        )
        .at(sarif::Location::new(
            "examples/insulin-pump/sbom/pump-firmware.cdx.json",
            Some(sarif::Region::span(12, 5, 12, 40)),
        ))
        .with_property("cve", Value::from("CVE-2023-0286"))
        .with_property("purl", Value::from("pkg:generic/openssl@3.0.7")),
        sarif::Finding::new(
            "medsec::device::unknown-field",
            sarif::Level::Warning,
            "`colour` is not a field of an element.",
        )
        .at(sarif::Location::new(
            "examples/insulin-pump/device.yaml",
            Some(sarif::Region::line(7)),
        )),
        sarif::Finding::new(
            "medsec::sbom::stale",
            sarif::Level::Note,
            "The SBOM is 400 days old.",
        ),
    ];
    (tool, rules, findings)
}

/// Targeted checks from `sarif-schema-2.1.0.json` (OASIS; not shipped, see
/// `tests/fixtures/schemas/README.md`) for every object medsec writes.
fn check_sarif(json: &str) {
    let v: Value = serde_json::from_str(json).unwrap();
    let keys = |o: &Value, allowed: &[&str], required: &[&str], at: &str| {
        let m = o
            .as_object()
            .unwrap_or_else(|| panic!("{at} is not an object"));
        for k in m.keys() {
            assert!(
                allowed.contains(&k.as_str()),
                "{at}: `{k}` is not a property the schema allows here"
            );
        }
        for r in required {
            assert!(m.contains_key(*r), "{at}: `{r}` is required");
        }
    };
    keys(
        &v,
        &[
            "$schema",
            "version",
            "runs",
            "inlineExternalProperties",
            "properties",
        ],
        &["version", "runs"],
        "sarifLog",
    );
    assert_eq!(v["version"], "2.1.0");
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    keys(run, &["tool", "results"], &["tool"], "run");
    keys(
        &run["tool"],
        &["driver", "extensions", "properties"],
        &["driver"],
        "tool",
    );
    let driver = &run["tool"]["driver"];
    keys(
        driver,
        &["name", "version", "informationUri", "rules"],
        &["name"],
        "toolComponent",
    );
    let rules = driver["rules"].as_array().unwrap();
    let mut ids = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        keys(
            r,
            &["id", "name", "shortDescription", "helpUri"],
            &["id"],
            &format!("rules[{i}]"),
        );
        if let Some(sd) = r.get("shortDescription") {
            keys(sd, &["text"], &["text"], "multiformatMessageString");
        }
        ids.push(r["id"].as_str().unwrap().to_owned());
    }
    let mut sorted = ids.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "rule ids are unique");
    for (i, res) in run["results"].as_array().unwrap().iter().enumerate() {
        let at = format!("results[{i}]");
        keys(
            res,
            &[
                "ruleId",
                "ruleIndex",
                "level",
                "message",
                "locations",
                "properties",
            ],
            &["message"],
            &at,
        );
        assert!(["none", "note", "warning", "error"].contains(&res["level"].as_str().unwrap()));
        keys(&res["message"], &["text"], &["text"], "message");
        let idx = usize::try_from(res["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(
            ids[idx],
            res["ruleId"].as_str().unwrap(),
            "{at}: ruleIndex points at its rule"
        );
        for l in res["locations"].as_array().into_iter().flatten() {
            keys(l, &["physicalLocation"], &[], "location");
            let pl = &l["physicalLocation"];
            keys(pl, &["artifactLocation", "region"], &[], "physicalLocation");
            keys(&pl["artifactLocation"], &["uri"], &[], "artifactLocation");
            if let Some(r) = pl.get("region") {
                keys(
                    r,
                    &["startLine", "startColumn", "endLine", "endColumn"],
                    &[],
                    "region",
                );
                for k in ["startLine", "startColumn", "endLine", "endColumn"] {
                    if let Some(n) = r.get(k) {
                        assert!(n.as_u64().unwrap() >= 1, "{k} minimum 1");
                    }
                }
            }
        }
        if let Some(p) = res.get("properties") {
            assert!(p.is_object(), "propertyBag is an object");
        }
    }
}

#[test]
fn sarif_structure_and_snapshot() {
    let (tool, rules, findings) = sarif_fixture();
    let out = sarif::write(&tool, &rules, &findings).unwrap();
    check_sarif(&out.json);
    let v: Value = serde_json::from_str(&out.json).unwrap();
    // The undescribed rule a finding names is added; rules are sorted by id.
    assert_eq!(
        v["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    snapshot("sarif", &out.json);
}

#[test]
fn sarif_rejects_what_the_schema_would() {
    let tool = sarif::Tool::new(None, None);
    let f = sarif::Finding::new("r", sarif::Level::Error, "m")
        .at(sarif::Location::new("a.json", Some(sarif::Region::line(0))));
    assert!(sarif::write(&tool, &[], &[f]).is_err());
    let f = sarif::Finding::new("r", sarif::Level::Error, "m")
        .at(sarif::Location::new("C:\\x y.json", None));
    assert!(sarif::write(&tool, &[], &[f]).is_err());
    let f = sarif::Finding::new("", sarif::Level::Error, "m");
    assert!(sarif::write(&tool, &[], &[f]).is_err());
    assert!(sarif::write(&tool, &[sarif::Rule::new("a"), sarif::Rule::new("a")], &[]).is_err());
    let f = sarif::Finding::new("r", sarif::Level::Note, "m")
        .with_property("tags", serde_json::json!(["a", "a"]));
    assert!(sarif::write(&tool, &[], &[f]).is_err());
}
