//! SBOM readers: conformance over the real corpus (`../shared/corpus`), our own fixtures for
//! the versions and encodings the corpus lacks, hostile inputs, properties and snapshots.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use medsec_core::component::{ComponentKind, Encoding, LicenceKind, SbomFormat};
use medsec_formats::sbom::{self, Limits, ProblemKind, SbomError, Severity};

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

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sbom")
            .join(name),
    )
    .unwrap()
}

fn files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with(prefix) && (n.ends_with(".json") || n.ends_with(".xml"))
            })
        })
        .collect();
    out.sort();
    out
}

fn read_path(path: &Path) -> Result<sbom::Reading, SbomError> {
    sbom::read(&std::fs::read(path).unwrap())
}

fn describe(e: &SbomError) -> String {
    e.problems()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n  ")
}

// ---------------------------------------------------------------- CycloneDX spec corpus

#[test]
fn every_valid_cyclonedx_spec_file_reads() {
    let mut count = 0;
    let mut failures = Vec::new();
    for version in ["1.4", "1.5", "1.6"] {
        for path in files(&corpus().join("cyclonedx-spec").join(version), "valid-") {
            count += 1;
            match read_path(&path) {
                Ok(r) => {
                    assert_eq!(r.sbom.format, SbomFormat::CycloneDx);
                    assert_eq!(r.sbom.spec_version, version, "{}", path.display());
                    let errors: Vec<_> = r.warnings.iter().filter(|w| w.is_error()).collect();
                    assert!(errors.is_empty());
                }
                Err(e) => failures.push(format!("{}:\n  {}", path.display(), describe(&e))),
            }
        }
    }
    assert!(
        count >= 110,
        "only {count} valid files: is the corpus complete?"
    );
    assert!(
        failures.is_empty(),
        "valid files rejected:\n{}",
        failures.join("\n")
    );
}

/// Invalid spec files that we accept, each with the reason. Empty: every one is rejected.
const ACCEPTED_INVALID: &[(&str, &str)] = &[];

#[test]
fn every_invalid_cyclonedx_spec_file_is_rejected_with_a_located_reason() {
    let mut count = 0;
    let mut accepted = Vec::new();
    for version in ["1.4", "1.5", "1.6"] {
        for path in files(&corpus().join("cyclonedx-spec").join(version), "invalid-") {
            count += 1;
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            match read_path(&path) {
                Ok(_) if ACCEPTED_INVALID.iter().any(|(n, _)| *n == name) => {}
                Ok(_) => accepted.push(name),
                Err(e) => {
                    let problems = e.problems();
                    let first = problems.iter().find(|p| p.is_error()).unwrap();
                    assert!(!first.message.is_empty());
                    // Every problem of the spec's invalid files is a semantic one with a path
                    // and a position in the file.
                    assert!(first.line.is_some(), "{name}: no position for {first}");
                    assert!(!first.path.is_empty(), "{name}: no path for {first}");
                }
            }
        }
    }
    assert!(count >= 65, "only {count} invalid files");
    assert!(accepted.is_empty(), "invalid files accepted: {accepted:#?}");
}

#[test]
fn cyclonedx_1_7_is_refused_as_unsupported() {
    for path in files(&corpus().join("cyclonedx-spec/1.7"), "valid-") {
        match read_path(&path) {
            Err(SbomError::UnsupportedVersion { version, .. }) => assert_eq!(version, "1.7"),
            other => panic!("{}: {other:?}", path.display()),
        }
    }
}

#[test]
fn specific_invalid_files_give_the_expected_code_and_path() {
    let cases = [
        (
            "1.6/invalid-component-type-1.6.json",
            ProblemKind::BadValue,
            "components[0].type",
        ),
        (
            "1.6/invalid-license-id-1.6.json",
            ProblemKind::BadLicence,
            "components[0].licenses[0].license.id",
        ),
        (
            "1.6/invalid-missing-component-type-1.6.json",
            ProblemKind::MissingField,
            "components[0].type",
        ),
        (
            "1.5/invalid-component-ref-1.5.json",
            ProblemKind::DuplicateRef,
            "components[1].bom-ref",
        ),
        (
            "1.6/invalid-metadata-timestamp-1.6.json",
            ProblemKind::BadValue,
            "metadata.timestamp",
        ),
        (
            "1.6/invalid-properties-1.6.json",
            ProblemKind::UnknownField,
            "metadata.properties[1].unexpected-property",
        ),
    ];
    for (file, kind, path) in cases {
        let e = read_path(&corpus().join("cyclonedx-spec").join(file)).unwrap_err();
        let problems = e.problems();
        assert!(
            problems.iter().any(|p| p.kind == kind && p.path == path),
            "{file}: expected {kind:?} at {path}, got:\n  {}",
            describe(&e)
        );
    }
}

// ---------------------------------------------------------------- real SBOMs

#[test]
fn real_medical_device_and_product_sboms_read() {
    let root = corpus().join("sbom-real");
    let narrow = read_path(&root.join("spacelab-medical-device/narrow.sbom.json")).unwrap();
    assert_eq!(narrow.sbom.components.len(), 55);
    let extended = read_path(&root.join("spacelab-medical-device/extended.sbom.json")).unwrap();
    assert_eq!(extended.sbom.components.len(), 65);
    // Each component of the medical-device SBOM has a purl and a CPE (sbom-real/SOURCES.md).
    assert!(
        narrow
            .sbom
            .components
            .iter()
            .all(|c| c.purl.is_some() && !c.cpes.is_empty())
    );

    let mut count = 0;
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                count += 1;
                if let Err(e) = read_path(&path) {
                    panic!("{}:\n  {}", path.display(), describe(&e));
                }
            }
        }
    }
    assert!(count >= 50, "only {count} real SBOMs");
}

#[test]
fn our_examples_read_with_their_documented_component_counts() {
    // examples/SBOM-NOTES.md, "Devices, fictional manufacturers, elements".
    let expected = [
        ("insulin-pump/sbom/pump-firmware.cdx.json", 9),
        ("insulin-pump/sbom/mobile-app.cdx.json", 124),
        ("insulin-pump/sbom/cloud-api.cdx.json", 139),
        ("insulin-pump/sbom/web-portal.cdx.json", 158),
        ("patient-monitor/sbom/monitor-firmware.cdx.json", 72),
        ("patient-monitor/sbom/hl7-gateway.cdx.json", 107),
        ("patient-monitor/sbom/central-station.cdx.json", 84),
        ("cardiac-implant/sbom/implant-firmware.cdx.json", 5),
        ("cardiac-implant/sbom/programmer.cdx.json", 53),
        ("cardiac-implant/sbom/home-monitor.cdx.json", 33),
        ("cardiac-implant/sbom/remote-service.cdx.json", 70),
        ("ivd-analyser/sbom/analyser-controller.cdx.json", 33),
        ("ivd-analyser/sbom/analyser-firmware.cdx.json", 7),
        ("ivd-analyser/sbom/lis-interface.cdx.json", 36),
    ];
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut total = 0;
    for (file, count) in expected {
        let r = read_path(&examples.join(file)).unwrap();
        assert_eq!(r.sbom.components.len(), count, "{file}");
        assert!(r.warnings.is_empty(), "{file}: {:?}", r.warnings);
        assert!(r.sbom.metadata.component.is_some(), "{file}");
        total += count;
    }
    assert_eq!(total, 930);
}

// ---------------------------------------------------------------- our fixtures

#[test]
fn cyclonedx_1_2_json_flattens_nested_components_with_parent_links() {
    let r = sbom::read(&fixture("cdx-1.2.json")).unwrap();
    let s = &r.sbom;
    assert_eq!(
        (s.spec_version.as_str(), s.encoding),
        ("1.2", Encoding::Json)
    );
    assert_eq!(s.version, Some(2));
    let names: Vec<_> = s.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["FreeRTOS-Kernel", "FreeRTOS-Plus-TCP", "mbedtls"]);
    assert_eq!(s.components[1].parent, Some(0));
    assert_eq!(s.components[0].kind, ComponentKind::OperatingSystem);
    assert_eq!(s.components[2].cpes.len(), 1);
    assert_eq!(s.dependency_edge_count(), 3);
    assert_eq!(s.metadata.tools[0].name.as_deref(), Some("bom-maker"));
}

#[test]
fn cyclonedx_1_2_requires_component_versions() {
    let e = sbom::read(&fixture("invalid-cdx-1.2-no-version.json")).unwrap_err();
    let p = e.problems();
    assert!(
        p.iter()
            .any(|p| p.kind == ProblemKind::MissingField && p.path == "components[1].version")
    );
}

#[test]
fn a_field_from_a_later_version_and_a_dangling_ref_are_errors() {
    let e = sbom::read(&fixture("invalid-cdx-1.5-manufacturer.json")).unwrap_err();
    let p = e.problems();
    let unknown = p
        .iter()
        .find(|p| p.kind == ProblemKind::UnknownField)
        .unwrap();
    assert_eq!(unknown.path, "components[1].manufacturer");
    assert!(
        unknown.message.contains("added in 1.6"),
        "{}",
        unknown.message
    );
    assert!(unknown.line.is_some());
    let dangling = p
        .iter()
        .find(|p| p.kind == ProblemKind::DanglingRef)
        .unwrap();
    assert_eq!(dangling.path, "dependencies[4].dependsOn[0]");
}

#[test]
fn cyclonedx_1_3_keeps_properties_in_order_and_warns_on_a_bad_purl() {
    let r = sbom::read(&fixture("cdx-1.3.json")).unwrap();
    let requests = &r.sbom.components[0];
    let values: Vec<_> = requests.property_values("medsec:support-level").collect();
    assert_eq!(values, ["community", "pinned"]);
    assert_eq!(requests.licences[0].kind, LicenceKind::Expression);
    let broken = &r.sbom.components[1];
    assert!(broken.purl.is_none());
    assert_eq!(r.warnings.len(), 1);
    let w = &r.warnings[0];
    assert_eq!(
        (w.severity, w.kind),
        (Severity::Warning, ProblemKind::BadPurl)
    );
    assert_eq!(w.path, "components[1].purl");
    assert_eq!(w.line, Some(31));
}

#[test]
fn cyclonedx_xml_1_4_and_1_6_read_like_json() {
    let r = sbom::read(&fixture("cdx-1.4.xml")).unwrap();
    let s = &r.sbom;
    assert_eq!(
        (s.spec_version.as_str(), s.encoding),
        ("1.4", Encoding::Xml)
    );
    assert_eq!(s.components.len(), 2);
    let zlib = &s.components[0];
    assert_eq!(
        zlib.description.as_deref(),
        Some("Compression & decompression")
    );
    assert_eq!(zlib.hashes[0].alg, "SHA-1");
    assert_eq!(zlib.supplier.as_ref().unwrap().urls, ["https://zlib.net"]);
    assert_eq!(zlib.licences[0].value, "Zlib");
    assert_eq!(zlib.external_references[0].kind, "website");
    assert_eq!(
        s.components[1].properties[0].value.as_deref(),
        Some("used by the HL7 link")
    );
    assert_eq!(s.dependencies.len(), 2);
    assert_eq!(s.dependencies[0].depends_on, ["zlib", "openssl"]);
    assert_eq!(
        s.metadata.manufacturer.as_ref().unwrap().name.as_deref(),
        Some("Example Monitoring AG")
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);

    let r = sbom::read(&fixture("cdx-1.6.xml")).unwrap();
    let s = &r.sbom;
    assert_eq!((s.spec_version.as_str(), s.version), ("1.6", Some(3)));
    let names: Vec<_> = s.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["linux", "iwlwifi", "log4j-core"]);
    assert_eq!(s.components[1].kind, ComponentKind::DeviceDriver);
    assert_eq!(s.components[1].parent, Some(0));
    assert_eq!(
        s.components[0].licences[0].acknowledgement.as_deref(),
        Some("declared")
    );
    assert_eq!(s.metadata.tools[0].name.as_deref(), Some("sbom-generator"));
    assert_eq!(
        s.metadata.authors[0].email.as_deref(),
        Some("psirt@gateway.invalid")
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn xml_problems_are_located() {
    let text = String::from_utf8(fixture("cdx-1.4.xml"))
        .unwrap()
        .replace("<scope>required</scope>", "<scope>sometimes</scope>");
    let e = sbom::read(text.as_bytes()).unwrap_err();
    let p = e.problems();
    assert_eq!(p[0].path, "components[0].scope");
    assert_eq!(p[0].line, Some(32));
}

#[test]
fn spdx_json_and_tag_value_read_into_the_same_model() {
    for (json, tv, version) in [
        ("spdx-2.2.json", "spdx-2.2.spdx", "2.2"),
        ("spdx-2.3.json", "spdx-2.3.spdx", "2.3"),
    ] {
        let a = sbom::read(&fixture(json)).unwrap();
        let b = sbom::read(&fixture(tv)).unwrap();
        assert!(a.warnings.is_empty(), "{json}: {:?}", a.warnings);
        assert!(b.warnings.is_empty(), "{tv}: {:?}", b.warnings);
        for r in [&a, &b] {
            let s = &r.sbom;
            assert_eq!(
                (s.format, s.spec_version.as_str()),
                (SbomFormat::Spdx, version)
            );
            assert_eq!(s.components.len(), 3);
            let curl = s.component_by_ref("SPDXRef-curl").unwrap();
            assert_eq!(
                curl.purl.as_ref().unwrap().to_string(),
                "pkg:generic/curl@7.79.1"
            );
            assert_eq!(curl.cpes.len(), 1);
            assert_eq!(curl.hashes[0].alg, "SHA-256");
            assert_eq!(curl.publisher.as_deref(), Some("Daniel Stenberg"));
            assert_eq!(
                s.metadata.component.as_ref().unwrap().name,
                "glucose-reader"
            );
            assert_eq!(s.metadata.tools[0].version.as_deref(), Some("3.2.1"));
            assert_eq!(s.dependency_edge_count(), 2);
        }
        assert_eq!(a.sbom.encoding, Encoding::Json);
        assert_eq!(b.sbom.encoding, Encoding::TagValue);
        assert_eq!(a.sbom.components, b.sbom.components, "{json} vs {tv}");
        assert_eq!(a.sbom.dependencies, b.sbom.dependencies);
    }
    let r = sbom::read(&fixture("spdx-2.3.json")).unwrap();
    assert_eq!(r.sbom.components[0].kind, ComponentKind::Firmware);
}

#[test]
fn spdx_2_2_knows_its_rules() {
    let e = sbom::read(&fixture("invalid-spdx-2.2-purpose.json")).unwrap_err();
    let p = e.problems();
    assert!(p.iter().any(|p| p.kind == ProblemKind::UnknownField
        && p.path == "packages[0].primaryPackagePurpose"
        && p.line.is_some()));
    assert!(p.iter().any(|p| p.kind == ProblemKind::MissingField && p.path == "packages[2].licenseDeclared"));
}

#[test]
fn spdx_tag_value_problems_carry_lines() {
    let text = String::from_utf8(fixture("spdx-2.3.spdx"))
        .unwrap()
        .replace(
            "Relationship: SPDXRef-reader DEPENDS_ON SPDXRef-curl",
            "Relationship: SPDXRef-reader DEPENDS_ON SPDXRef-wget",
        )
        .replace(
            "PackageVersion: 7.79.1",
            "PackageVersion: 7.79.1\nPackageColour: blue",
        );
    let e = sbom::read(text.as_bytes()).unwrap_err();
    let p = e.problems();
    let unknown = p
        .iter()
        .find(|p| p.kind == ProblemKind::UnknownField)
        .unwrap();
    assert_eq!(unknown.line, Some(30));
    let dangling = p
        .iter()
        .find(|p| p.kind == ProblemKind::DanglingRef)
        .unwrap();
    assert!(dangling.line.is_some());
}

#[test]
fn the_original_is_kept_with_its_digest() {
    let bytes = fixture("cdx-1.2.json");
    let r = sbom::read(&bytes).unwrap();
    assert_eq!(r.sbom.original.bytes, bytes);
    assert_eq!(r.sbom.original.size, bytes.len());
    assert_eq!(r.sbom.original.sha256.len(), 64);
}

// ---------------------------------------------------------------- hostile input

#[test]
fn xml_external_entities_are_refused() {
    let e = sbom::read(&fixture("hostile-xxe.xml")).unwrap_err();
    let p = e.problems();
    assert_eq!(p[0].kind, ProblemKind::XmlDtd);
    assert_eq!(p[0].line, Some(2));
    assert!(
        !format!("{e}").contains("root:"),
        "must not read /etc/passwd"
    );
}

#[test]
fn billion_laughs_is_refused() {
    let e = sbom::read(&fixture("hostile-billion-laughs.xml")).unwrap_err();
    assert_eq!(e.problems()[0].kind, ProblemKind::XmlDtd);
    // Without a DTD an undeclared entity is refused too.
    let text = r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library"><name>&lol;</name></component></components></bom>"#;
    let e = sbom::read(text.as_bytes()).unwrap_err();
    assert_eq!(e.problems()[0].kind, ProblemKind::XmlDtd);
}

#[test]
fn deep_nesting_is_refused() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let e = sbom::read(deep.as_bytes()).unwrap_err();
    assert!(matches!(e, SbomError::UnknownFormat { .. }));
    let deep = format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","components":{}1{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let e = sbom::read(deep.as_bytes()).unwrap_err();
    assert_eq!(e.problems()[0].kind, ProblemKind::TooDeep);
    let xml = format!(
        r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.6">{}{}</bom>"#,
        "<a>".repeat(10_000),
        "</a>".repeat(10_000)
    );
    let e = sbom::read(xml.as_bytes()).unwrap_err();
    assert_eq!(e.problems()[0].kind, ProblemKind::TooDeep);
}

#[test]
fn invalid_utf8_and_utf16_are_refused_with_a_position() {
    let mut bytes = b"{\n  \"bomFormat\": \"Cyclone".to_vec();
    bytes.push(0xFF);
    bytes.extend_from_slice(b"DX\"\n}");
    let e = sbom::read(&bytes).unwrap_err();
    let p = &e.problems()[0];
    assert_eq!(p.kind, ProblemKind::Encoding);
    assert_eq!((p.line, p.column), (Some(2), Some(24)));
    let e = sbom::read(&[0xFF, 0xFE, b'{', 0]).unwrap_err();
    assert_eq!(e.problems()[0].kind, ProblemKind::Encoding);
}

#[test]
fn size_limit_is_enforced_before_parsing() {
    let bytes = fixture("cdx-1.2.json");
    let e = sbom::read_with(&bytes, Limits::new(100, 100)).unwrap_err();
    assert!(matches!(e, SbomError::TooLarge { limit: 100, .. }));
    assert_eq!(e.problems()[0].kind, ProblemKind::TooLarge);
}

#[test]
fn truncated_and_foreign_documents_give_clear_errors() {
    let bytes = fixture("cdx-1.2.json");
    let e = sbom::read(&bytes[..bytes.len() / 2]).unwrap_err();
    let p = &e.problems()[0];
    assert_eq!(p.kind, ProblemKind::Syntax);
    assert!(p.line.is_some());
    let e = sbom::read(b"{\"hello\": 1}").unwrap_err();
    assert!(matches!(e, SbomError::UnknownFormat { .. }));
    let e = sbom::read(b"").unwrap_err();
    assert!(matches!(e, SbomError::UnknownFormat { .. }));
    let e = sbom::read(b"{\"spdxVersion\": \"SPDX-3.0\"}").unwrap_err();
    assert!(matches!(e, SbomError::UnsupportedVersion { .. }));
}

// ---------------------------------------------------------------- properties

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Reading never panics on arbitrary bytes.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = sbom::read(&bytes);
        }

        /// Nor on a valid document with bytes changed, cut or inserted: whatever comes out is
        /// either a model or located problems.
        #[test]
        fn mutated_documents_never_panic(
            which in 0usize..4,
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            cut in any::<prop::sample::Index>(),
        ) {
            let name = ["cdx-1.2.json", "cdx-1.6.xml", "spdx-2.3.spdx", "spdx-2.3.json"][which];
            let mut bytes = fixture(name);
            for (at, byte) in edits {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            match sbom::read(&bytes) {
                Ok(r) => prop_assert!(r.warnings.iter().all(|w| !w.is_error())),
                Err(e) => prop_assert!(!e.problems().is_empty()),
            }
        }
    }
}

// ---------------------------------------------------------------- snapshots and docs

#[test]
fn normalised_models_snapshot() {
    for name in ["cdx-1.2.json", "cdx-1.6.xml", "spdx-2.3.spdx"] {
        let r = sbom::read(&fixture(name)).unwrap();
        // Kept beside the fixtures they come from.
        insta::with_settings!({ snapshot_path => "fixtures/sbom/snapshots" }, {
            insta::assert_json_snapshot!(name.replace('.', "_"), r.sbom);
        });
    }
}

#[test]
fn every_sbom_code_is_documented() {
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/diagnostics.md"),
    )
    .unwrap();
    for kind in ProblemKind::ALL {
        assert!(
            docs.contains(&format!("`{}`", kind.code())),
            "{} is not in docs/diagnostics.md",
            kind.code()
        );
    }
}

/// SPDX 2.3 `validUntilDate` (§7.27) is kept as the component property
/// `spdx:validUntilDate`, in JSON and in tag-value, so end-of-support tooling can read it.
#[test]
fn spdx_valid_until_date_is_kept_as_a_property() {
    let json = String::from_utf8(fixture("spdx-2.3.json"))
        .unwrap()
        .replacen(
            "\"primaryPackagePurpose\": \"LIBRARY\"",
            "\"primaryPackagePurpose\": \"LIBRARY\", \"validUntilDate\": \"2027-06-30T00:00:00Z\"",
            1,
        );
    let tag = String::from_utf8(fixture("spdx-2.3.spdx"))
        .unwrap()
        .replacen(
            "PrimaryPackagePurpose: LIBRARY",
            "PrimaryPackagePurpose: LIBRARY\nValidUntilDate: 2027-06-30T00:00:00Z",
            1,
        );
    for text in [json, tag] {
        let reading = sbom::read(text.as_bytes()).unwrap_or_else(|e| panic!("{}", describe(&e)));
        let with: Vec<_> = reading
            .sbom
            .components
            .iter()
            .filter(|c| {
                c.properties.iter().any(|p| {
                    p.name == "spdx:validUntilDate"
                        && p.value.as_deref() == Some("2027-06-30T00:00:00Z")
                })
            })
            .collect();
        assert_eq!(with.len(), 1, "{text}");
    }
}
