//! The variants: which sections, in which order, with which front matter.

use std::collections::BTreeSet;

use medsec_device::model::{Authentication, DataClass, Encryption, Stride};

use super::sections::{self as s, Context};
use super::{
    Variant, Vulnerabilities, facts, list, name_of, not_assessed, note, para, section, source,
    table,
};
use crate::doc::{Document, Section};

pub(crate) fn document(ctx: &Context<'_, '_>) -> Document {
    let input = ctx.input;
    let d = &input.loaded.device.device;
    let title = format!("{} {} — {}", d.name, d.version, input.variant.title());
    let subtitle = vec![
        format!("Manufacturer: {}", d.manufacturer),
        format!(
            "Generated {} by medsec {}",
            input.generated_at, input.tool_version
        ),
        format!(
            "Requirements catalogue {}; test policy {} {}; risk policy {}",
            input.catalog.digest,
            input.test_policy.policy,
            input.test_policy.version,
            input.register.policy
        ),
    ];
    let core = || {
        vec![
            s::overview(ctx),
            s::architecture(ctx),
            s::threat_model(ctx),
            s::fmea(ctx),
            s::requirements(ctx),
            s::tests(ctx),
            s::sbom(ctx),
            s::vulnerabilities(ctx),
            s::traceability(ctx),
            s::anomalies(ctx),
        ]
    };
    let sections = match input.variant {
        Variant::Full => {
            let mut v = core();
            v.push(s::not_assessed_section(ctx, &[]));
            v
        }
        Variant::Premarket => {
            let mut v = vec![premarket_index(ctx)];
            v.extend(core());
            v.push(s::not_assessed_section(
                ctx,
                &[
                    "Labelling (cybersecurity information for users), the cybersecurity management plan and the post-market surveillance plan are documents the manufacturer writes; this report points to where they are needed but does not contain them.",
                ],
            ));
            v
        }
        Variant::Assessment => {
            let mut v = vec![assessment_front(ctx)];
            v.extend(core());
            v.push(s::not_assessed_section(
                ctx,
                &[
                    "The assessor's own observations, interviews and document review are not in medsec's data; only the details given on the command line are shown.",
                ],
            ));
            v
        }
        Variant::Mds2 => {
            let mut v = mds2(ctx);
            v.push(s::not_assessed_section(
                ctx,
                &[
                    "This is an MDS2-style disclosure drawn from the device model; it is not the HIMSS/NEMA MDS2 form and does not answer its questions on malware protection, backup and recovery, emergency access, physical locks, de-identification, or the operating system's hardening. The manufacturer must answer those.",
                ],
            ));
            v
        }
    };
    Document {
        title,
        subtitle,
        sections,
    }
}

/// The FDA premarket content list (Cybersecurity in Medical Devices, final guidance,
/// 2023, and section 524B of the FD&C Act) and the EU MDR/IVDR technical documentation
/// items, each pointing at the section of this report that holds it.
fn premarket_index(ctx: &Context<'_, '_>) -> Section {
    let scanned = !matches!(ctx.input.vulnerabilities, Vulnerabilities::NotRun { .. });
    let vuln_state = if scanned {
        "provided"
    } else {
        "not provided: no vulnerability scan ran"
    };
    let fda: Vec<[&str; 3]> = vec![
        [
            "Security risk management report",
            "threat-model, fmea",
            "provided (threat model and FMEA)",
        ],
        ["Threat model", "threat-model", "provided"],
        ["Cybersecurity risk assessment", "fmea", "provided"],
        [
            "Software bill of materials (524B(b)(3))",
            "sbom",
            "provided (summary; the SBOM files are separate)",
        ],
        [
            "Component support level and end-of-support date",
            "sbom",
            "provided where the SBOMs state them",
        ],
        [
            "Assessment of known vulnerabilities",
            "vulnerabilities, traceability",
            vuln_state,
        ],
        [
            "Assessment of unresolved anomalies",
            "anomalies",
            "partly: anomalies found by medsec; the defect tracker is not read",
        ],
        [
            "Architecture views (global system, multi-patient harm, updatability, security use case views)",
            "architecture",
            "provided (global system, multi-patient harm, updatability/patchability and security use-case views drawn from the device model; each caption states what the view infers)",
        ],
        [
            "Security controls",
            "requirements",
            "provided (harmonised controls and their states)",
        ],
        [
            "Traceability between threat model, controls and tests",
            "tests, requirements",
            "provided",
        ],
        [
            "Cybersecurity testing",
            "tests",
            "provided (plan, results and evidence hashes as recorded)",
        ],
        ["Total product life cycle metrics", "-", "not provided"],
        [
            "Cybersecurity management plan (524B(b)(1))",
            "-",
            "not provided: manufacturer's document",
        ],
        [
            "Labelling recommendations",
            "-",
            "not provided: manufacturer's document",
        ],
    ];
    let mdr: Vec<[&str; 3]> = vec![
        [
            "Annex I 17.2 (IVDR 16.2): state of the art, information security",
            "requirements, tests",
            "provided",
        ],
        [
            "Annex I 17.4 (IVDR 16.4): minimum IT security requirements",
            "requirements",
            "provided (coverage per framework)",
        ],
        [
            "Annex I 18.8 (IVDR 14.5): protection against unauthorised access",
            "threat-model, fmea, requirements",
            "provided",
        ],
        [
            "Annex I 3 and 4: risk management, residual risk",
            "fmea",
            "provided (the acceptability decision is the manufacturer's)",
        ],
        [
            "Annex II 6.1: verification and validation",
            "tests",
            "provided as recorded",
        ],
        [
            "Annex III: post-market surveillance of vulnerabilities",
            "vulnerabilities",
            vuln_state,
        ],
        [
            "Annex I 23.4 (IVDR 20.4): information to users on IT security",
            "-",
            "not provided: manufacturer's document",
        ],
    ];
    let rows = |items: Vec<[&str; 3]>| {
        items
            .into_iter()
            .map(|[a, b, c]| vec![a.to_owned(), b.to_owned(), c.to_owned()])
            .collect()
    };
    section(
        "premarket-index",
        "Premarket content index",
        vec![
            para(
                "Where each item of the FDA premarket cybersecurity content list and of the EU MDR/IVDR technical documentation is found in this report (by section anchor), and which items medsec does not produce.",
            ),
            table(
                Some(
                    "FDA premarket submission (Cybersecurity in Medical Devices, 2023; FD&C Act 524B)",
                ),
                &["item", "section", "status"],
                rows(fda),
            ),
            table(
                Some("EU MDR 2017/745 / IVDR 2017/746 technical documentation (MDCG 2019-16)"),
                &["item", "section", "status"],
                rows(mdr),
            ),
            note(
                "The item lists are medsec's reading of the guidance; check them against the current text of the guidance and the notified body's expectations.",
            ),
        ],
    )
}

fn assessment_front(ctx: &Context<'_, '_>) -> Section {
    let a = &ctx.input.assessment;
    let given = |v: &Option<String>| v.clone().unwrap_or_else(|| "not given".into());
    let mut blocks = vec![facts(vec![
        ("Assessor", given(&a.assessor)),
        ("Laboratory", given(&a.laboratory)),
        ("Accreditation", given(&a.accreditation)),
        ("Scope", given(&a.scope)),
        ("Verdict", given(&a.verdict)),
    ])];
    blocks.push(source(
        "the assessor, as given on the command line (`--assessor`, `--laboratory`, `--accreditation`, `--scope`, `--verdict`); medsec does not fill these in.",
    ));
    if a.verdict.is_none() {
        blocks.push(note(
            "No verdict was given: this report is not an assessment verdict.",
        ));
    }
    let lab_tests: Vec<String> = ctx
        .input
        .plan
        .tests
        .iter()
        .filter(|t| t.laboratory)
        .map(|t| {
            let by = t
                .result
                .as_ref()
                .map_or("no result recorded".to_owned(), |r| {
                    format!(
                        "{} by {} ({}, {})",
                        r.outcome.as_str(),
                        r.tester,
                        r.laboratory.as_deref().unwrap_or("laboratory not recorded"),
                        r.accreditation
                            .as_deref()
                            .unwrap_or("accreditation not recorded")
                    )
                });
            format!("{} {}: {by}", t.id, t.title)
        })
        .collect();
    blocks.push(para(
        "What was assessed: the sections below, computed from the device model, the catalogues and the recorded results. Findings are the unresolved anomalies (section \"Unresolved anomalies\").",
    ));
    if lab_tests.is_empty() {
        blocks.push(para("The test plan assigns no test to a laboratory."));
    } else {
        blocks.push(para("Tests the plan assigns to a laboratory:"));
        blocks.push(list(lab_tests));
    }
    blocks.push(para(format!(
        "Findings: {} unresolved anomal{} (listed in full below).",
        ctx.anomalies.len(),
        if ctx.anomalies.len() == 1 { "y" } else { "ies" }
    )));
    section("assessment", "Assessment", blocks)
}

fn mds2(ctx: &Context<'_, '_>) -> Vec<Section> {
    let input = ctx.input;
    let device = &input.loaded.device;
    let mut out = vec![s::overview(ctx)];

    // Data stored and transmitted.
    let stored: Vec<Vec<String>> = device
        .assets
        .iter()
        .map(|a| {
            vec![
                a.id.clone(),
                a.name.clone(),
                name_of(&a.kind),
                if a.data_classes.is_empty() {
                    "-".into()
                } else {
                    a.data_classes
                        .iter()
                        .map(name_of)
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            ]
        })
        .collect();
    let personal = device
        .assets
        .iter()
        .any(|a| a.data_classes.contains(&DataClass::PhiPii));
    let stores: Vec<String> = device
        .elements
        .iter()
        .filter(|e| e.kind == medsec_device::model::ElementKind::DataStore)
        .map(|e| {
            format!(
                "{} ({}): holds {}",
                e.name,
                e.id,
                if e.assets.is_empty() {
                    "no declared asset".into()
                } else {
                    e.assets.join(", ")
                }
            )
        })
        .collect();
    let mut blocks = vec![table(
        Some("Assets and the classes of data they hold"),
        &["asset", "name", "kind", "data classes"],
        stored,
    )];
    blocks.push(para(format!(
        "The device model {} assets holding personal or health information (data class phi-pii).",
        if personal {
            "declares"
        } else {
            "does not declare"
        }
    )));
    if stores.is_empty() {
        blocks.push(para("The device model declares no data store."));
    } else {
        blocks.push(para("Data stores:"));
        blocks.push(list(stores));
    }
    blocks.push(source("the device model's assets and data stores."));
    out.push(section("mds2-data", "Data stored and transmitted", blocks));

    // Connectivity.
    let crossing: BTreeSet<&str> = input
        .summary
        .boundary_crossings
        .iter()
        .map(|c| c.flow.as_str())
        .collect();
    let flows: Vec<Vec<String>> = device
        .flows
        .iter()
        .map(|f| {
            vec![
                f.id.clone(),
                format!("{} → {}", f.from, f.to),
                f.protocol.clone(),
                f.data.join(", "),
                name_of(&f.authentication),
                name_of(&f.encryption),
                if crossing.contains(f.id.as_str()) {
                    "yes"
                } else {
                    "no"
                }
                .into(),
            ]
        })
        .collect();
    let protocols: BTreeSet<&str> = device.flows.iter().map(|f| f.protocol.as_str()).collect();
    let unauthenticated = device
        .flows
        .iter()
        .filter(|f| f.authentication == Authentication::None)
        .count();
    let clear = device
        .flows
        .iter()
        .filter(|f| f.encryption == Encryption::None)
        .count();
    out.push(section(
        "mds2-connectivity",
        "Connectivity, protocols, authentication and encryption",
        vec![
            para(format!(
                "Protocols: {}. {} of {} flows authenticate neither end; {} are not encrypted.",
                protocols.into_iter().collect::<Vec<_>>().join(", "),
                unauthenticated,
                device.flows.len(),
                clear
            )),
            table(
                Some("Data flows"),
                &[
                    "flow",
                    "from → to",
                    "protocol",
                    "data",
                    "authentication",
                    "encryption",
                    "crosses a trust boundary",
                ],
                flows,
            ),
            source("the device model's flows."),
            not_assessed(
                "network ports: the device model names protocols, not port numbers; the manufacturer must list the ports.",
            ),
        ],
    ));

    // Logging and audit: controls declared against repudiation.
    let audit: Vec<String> = device
        .controls
        .iter()
        .filter(|c| {
            c.mitigates
                .iter()
                .any(|m| m.stride.contains(&Stride::Repudiation))
        })
        .map(|c| format!("{} ({})", c.name, c.id))
        .collect();
    let mut blocks = Vec::new();
    if audit.is_empty() {
        blocks.push(para(
            "The device model declares no control against repudiation (audit logging).",
        ));
    } else {
        blocks.push(para(
            "Controls declared against repudiation (audit logging):",
        ));
        blocks.push(list(audit));
    }
    let update = device
        .functionalities
        .iter()
        .filter(|f| f.contains("update"))
        .cloned()
        .collect::<Vec<_>>();
    blocks.push(para(if update.is_empty() {
        "Software updates: the device model declares no update functionality.".to_owned()
    } else {
        format!(
            "Software updates: the device model declares {}.",
            update.join(", ")
        )
    }));
    blocks.push(source("the device model's controls and functionalities."));
    out.push(section(
        "mds2-controls",
        "Audit logging and updates",
        blocks,
    ));

    out.push(s::sbom(ctx));
    out.push(s::vulnerabilities(ctx));
    out
}
