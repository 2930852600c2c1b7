//! Answers to the FDA/MITRE CVSS rubric proposed from the device model and a finding.
//!
//! A finding here is a vulnerability's CVSS v3.x vector (as its advisory gives it) and the
//! element of the device that runs the vulnerable component. The device model says how an
//! attacker can reach that element (the protocols of the flows that arrive at it) and what
//! it holds; the vector says what the vulnerability itself needs (network or physical
//! access, complexity, user interaction, scope). Each proposal carries a rationale that
//! names the flows or vector metrics it rests on, and is marked as proposed: a person
//! confirms or changes it. Questions the model cannot decide are left for that person.

use medsec_score::Vector;
use medsec_score::rubric::{Answer, Answers, Response};

use crate::model::{Asset, DataClass, Device, Direction, Flow, NeedLevel};

/// Marks every proposed rationale, so that the record shows which answers a person gave.
pub const PROPOSED: &str = "Proposed from the device model";

/// Protocols carried over IP (routable, OSI layer 3/4): an attacker may be hops away.
const IP_PROTOCOLS: &[&str] = &[
    "https",
    "http",
    "websocket",
    "mqtt",
    "amqp",
    "grpc",
    "hl7-mllp",
    "fhir-rest",
    "dicom-dimse",
    "dicomweb",
    "ieee-11073-sdc",
    "ssh",
    "sftp",
    "smb",
    "rdp",
    "vnc",
    "sql",
    "ldap",
    "ntp",
    "dns",
    "syslog",
    "snmp",
    "smtp",
];

/// Radio protocols whose usable range is about three metres (ten feet) or less: NFC,
/// inductive wands, and MICS/MedRadio implant telemetry (designed for a couple of metres).
const SHORT_RANGE_RADIO: &[&str] = &["nfc", "inductive", "mics-telemetry"];

/// Radio protocols that reach further than ten feet (Bluetooth class 2 reaches about 10 m).
const LONG_RANGE_RADIO: &[&str] = &["ble-gatt", "bluetooth-spp", "proprietary-rf"];

/// Why a proposal could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProposalError {
    #[error("the device has no element '{0}'")]
    UnknownElement(String),
    #[error("the rubric is defined on CVSS v3; the finding's vector is CVSS {0}")]
    NotV3(String),
}

/// Propose answers for `element` of `device` exposed to a vulnerability with `vector`.
pub fn propose(device: &Device, element: &str, vector: &Vector) -> Result<Answers, ProposalError> {
    if !device.elements.iter().any(|e| e.id == element) {
        return Err(ProposalError::UnknownElement(element.to_owned()));
    }
    let metrics = v3_base_metrics(vector)?;
    let metric = |name: &str| {
        metrics
            .iter()
            .find(|(m, _)| *m == name)
            .map(|(_, v)| *v)
            .unwrap_or_default()
    };
    let mut answers = Answers::new();
    let mut put = |id: &str, answer: Answer, why: String| {
        answers.insert(
            id.to_owned(),
            Response {
                answer,
                rationale: format!("{PROPOSED}: {why}"),
            },
        );
    };

    // Attack vector: the vulnerability's own vector says whether it needs a protocol at
    // all; the device's flows into the element say which protocols can carry it.
    let inbound: Vec<&Flow> = device
        .flows
        .iter()
        .filter(|f| {
            f.to == element || (f.direction == Direction::Bidirectional && f.from == element)
        })
        .collect();
    let over = |set: &[&str]| -> Vec<String> {
        inbound
            .iter()
            .filter(|f| set.contains(&f.protocol.as_str()))
            .map(|f| format!("{} ({})", f.id, f.protocol))
            .collect()
    };
    match metric("AV") {
        "N" | "A" => {
            put(
                "XAVN",
                Answer::Yes,
                format!(
                    "the vulnerability's vector has AV:{}, so it is exploited through a protocol",
                    metric("AV")
                ),
            );
            let ip = over(IP_PROTOCOLS);
            let short = over(SHORT_RANGE_RADIO);
            let long = over(LONG_RANGE_RADIO);
            if !ip.is_empty() {
                put(
                    "XAVT",
                    Answer::Yes,
                    format!("IP protocols reach '{element}': {}", ip.join(", ")),
                );
            } else {
                put(
                    "XAVT",
                    Answer::No,
                    format!("no flow into '{element}' uses an IP protocol"),
                );
                if short.is_empty() && long.is_empty() {
                    put(
                        "XAVW",
                        Answer::No,
                        format!("no flow into '{element}' uses a radio protocol"),
                    );
                } else {
                    let mut radio = long.clone();
                    radio.extend(short.iter().cloned());
                    put(
                        "XAVW",
                        Answer::Yes,
                        format!("radio flows reach '{element}': {}", radio.join(", ")),
                    );
                    if long.is_empty() {
                        put(
                            "XAVR",
                            Answer::Yes,
                            format!(
                                "only short-range radio reaches it (about 3 m or less): {}",
                                short.join(", ")
                            ),
                        );
                    } else {
                        put(
                            "XAVR",
                            Answer::No,
                            format!(
                                "radio reaching it has a range beyond 10 feet: {}",
                                long.join(", ")
                            ),
                        );
                    }
                }
            }
        }
        "L" | "P" => {
            put(
                "XAVN",
                Answer::No,
                format!(
                    "the vulnerability's vector has AV:{}: it is not exploited through a network protocol",
                    metric("AV")
                ),
            );
            if metric("AV") == "P" {
                put(
                    "XAVP",
                    Answer::Yes,
                    "the vulnerability's vector has AV:P: the attacker must touch the device"
                        .into(),
                );
            }
        }
        _ => {}
    }

    // Complexity, user interaction and scope are properties of the vulnerability itself.
    match metric("AC") {
        "L" => put(
            "XACL",
            Answer::Yes,
            "the vulnerability's vector has AC:L".into(),
        ),
        "H" => put(
            "XACL",
            Answer::No,
            "the vulnerability's vector has AC:H".into(),
        ),
        _ => {}
    }
    match metric("UI") {
        "N" => put(
            "XUI",
            Answer::No,
            "the vulnerability's vector has UI:N".into(),
        ),
        "R" => put(
            "XUI",
            Answer::Yes,
            "the vulnerability's vector has UI:R".into(),
        ),
        _ => {}
    }
    match metric("S") {
        "U" => put(
            "XS",
            Answer::No,
            "the vulnerability's vector has S:U".into(),
        ),
        "C" => put(
            "XS",
            Answer::Yes,
            "the vulnerability's vector has S:C".into(),
        ),
        _ => {}
    }

    // Privileges: whether the device has a multi-role authorisation model (XPRL) is for
    // a person to say; whether an attacker must be authorised first follows from the
    // flows that reach the element.
    let unauthenticated: Vec<String> = inbound
        .iter()
        .filter(|f| f.authentication == crate::model::Authentication::None)
        .filter(|f| !matches!(f.protocol.as_str(), "user-interface" | "physical"))
        .map(|f| f.id.clone())
        .collect();
    if !unauthenticated.is_empty() {
        put(
            "XPRZ",
            Answer::No,
            format!(
                "flows reach '{element}' without authentication: {}",
                unauthenticated.join(", ")
            ),
        );
    } else if metric("PR") == "H" {
        put(
            "XPRZ",
            Answer::Yes,
            "the vulnerability's vector has PR:H and every flow into the element is authenticated"
                .into(),
        );
        put(
            "XPRS",
            Answer::Yes,
            "the vulnerability's vector has PR:H".into(),
        );
    } else if metric("PR") == "L" {
        put(
            "XPRZ",
            Answer::Yes,
            "the vulnerability's vector has PR:L and every flow into the element is authenticated"
                .into(),
        );
        put(
            "XPRS",
            Answer::No,
            "the vulnerability's vector has PR:L".into(),
        );
    }

    propose_impacts(device, element, &inbound, &metric, &mut answers);
    Ok(answers)
}

/// The rubric's impact questions: per property (C, I, A) and per data class, does the
/// vulnerability affect that kind of data or function? The vector says whether the
/// property is hit at all; the assets the element holds or exchanges say which classes
/// are there. A class is answered "no" only when every such asset has its classes
/// declared; otherwise the question is left for a person.
fn propose_impacts(
    device: &Device,
    element: &str,
    inbound: &[&Flow],
    metric: &dyn Fn(&str) -> &'static str,
    answers: &mut Answers,
) {
    let mut asset_ids: Vec<&str> = device
        .elements
        .iter()
        .filter(|e| e.id == element)
        .flat_map(|e| e.assets.iter().map(String::as_str))
        .collect();
    asset_ids.extend(
        inbound
            .iter()
            .flat_map(|f| f.data.iter().map(String::as_str)),
    );
    asset_ids.extend(
        device
            .flows
            .iter()
            .filter(|f| f.from == element)
            .flat_map(|f| f.data.iter().map(String::as_str)),
    );
    asset_ids.sort_unstable();
    asset_ids.dedup();
    let assets: Vec<&Asset> = device
        .assets
        .iter()
        .filter(|a| asset_ids.contains(&a.id.as_str()))
        .collect();
    let all_classified = !assets.is_empty() && assets.iter().all(|a| !a.data_classes.is_empty());
    const CLASSES: [(DataClass, char, &str); 6] = [
        (DataClass::PhiPii, 'P', "PHI/PII"),
        (
            DataClass::DiagnosisMonitoring,
            'D',
            "diagnosis or monitoring",
        ),
        (DataClass::TherapyDelivery, 'T', "therapy delivery"),
        (DataClass::ClinicalWorkflow, 'W', "clinical workflow"),
        (DataClass::SystemSecrets, 'S', "private system data"),
        (DataClass::OtherCritical, 'O', "other critical data"),
    ];
    for (property, letter) in [("C", 'C'), ("I", 'I'), ("A", 'A')] {
        let hit = metric(property);
        for (class, suffix, label) in CLASSES {
            let id = format!("X{letter}{suffix}");
            if hit == "N" {
                put(
                    answers,
                    &id,
                    Answer::No,
                    format!("the vulnerability's vector has {property}:N"),
                );
                continue;
            }
            if hit.is_empty() {
                continue;
            }
            let holding: Vec<&str> = assets
                .iter()
                .filter(|a| a.data_classes.contains(&class))
                .filter(|a| need_of(a, letter) > NeedLevel::None)
                .map(|a| a.id.as_str())
                .collect();
            if !holding.is_empty() {
                put(
                    answers,
                    &id,
                    Answer::Yes,
                    format!(
                        "the vulnerability's vector has {property}:{hit} and '{element}' handles {label} assets: {}",
                        holding.join(", ")
                    ),
                );
            } else if all_classified {
                put(
                    answers,
                    &id,
                    Answer::No,
                    format!(
                        "no asset '{element}' handles is of the {label} class (with a need for this property)"
                    ),
                );
            }
        }
    }
}

fn need_of(asset: &Asset, property: char) -> NeedLevel {
    match property {
        'C' => asset.confidentiality.need,
        'I' => asset.integrity.need,
        _ => asset.availability.need,
    }
}

fn put(answers: &mut Answers, id: &str, answer: Answer, why: String) {
    answers.insert(
        id.to_owned(),
        Response {
            answer,
            rationale: format!("{PROPOSED}: {why}"),
        },
    );
}

/// The base metrics of a v3.x vector as (metric, value) pairs.
fn v3_base_metrics(vector: &Vector) -> Result<Vec<(&'static str, &'static str)>, ProposalError> {
    let version = vector.version();
    if !matches!(
        version,
        medsec_score::Version::V3_0 | medsec_score::Version::V3_1
    ) {
        return Err(ProposalError::NotV3(version.as_str().to_owned()));
    }
    Ok(vector
        .explain()
        .into_iter()
        .filter(|m| m.group == medsec_score::Group::Base)
        .map(|m| (m.metric, m.value))
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::sync::Arc;

    fn device(template: &str) -> Device {
        let text = crate::templates::find(template).unwrap().text;
        let dir = std::env::temp_dir();
        crate::check::check_text(&dir.join("device.yaml"), &dir, Arc::new(text.to_owned()))
            .unwrap()
            .device
    }

    fn answer(answers: &Answers, id: &str) -> Option<Answer> {
        answers.get(id).map(|r| r.answer)
    }

    #[test]
    fn ble_only_element_is_adjacent_beyond_ten_feet() {
        let vector = medsec_score::parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
        let answers = propose(&device("minimal"), "phone-app", &vector).unwrap();
        assert_eq!(answer(&answers, "XAVN"), Some(Answer::Yes));
        assert_eq!(answer(&answers, "XAVT"), Some(Answer::No));
        assert_eq!(answer(&answers, "XAVW"), Some(Answer::Yes));
        assert_eq!(answer(&answers, "XAVR"), Some(Answer::No));
        assert_eq!(answer(&answers, "XACL"), Some(Answer::Yes));
        assert_eq!(answer(&answers, "XUI"), Some(Answer::No));
        assert_eq!(answer(&answers, "XS"), Some(Answer::No));
        // Whether the device has a role model is for a person to say.
        assert_eq!(answer(&answers, "XPRL"), None);
        assert!(answers.values().all(|r| r.rationale.starts_with(PROPOSED)));
        assert!(
            answers["XAVW"]
                .rationale
                .contains("readings-to-app (ble-gatt)")
        );
    }

    #[test]
    fn ip_reachable_element_is_network_and_unauthenticated_flows_need_no_privilege() {
        let vector = medsec_score::parse("CVSS:3.0/AV:N/AC:H/PR:L/UI:R/S:C/C:L/I:L/A:N").unwrap();
        // The hospital template's HL7 interface receives an unauthenticated MLLP feed.
        let answers = propose(&device("hospital-networked"), "hl7-interface", &vector).unwrap();
        assert_eq!(answer(&answers, "XAVT"), Some(Answer::Yes));
        assert!(
            answers["XAVT"]
                .rationale
                .contains("results-to-hl7 (hl7-mllp)")
        );
        assert_eq!(answer(&answers, "XPRZ"), Some(Answer::No));
        assert_eq!(answer(&answers, "XACL"), Some(Answer::No));
        assert_eq!(answer(&answers, "XUI"), Some(Answer::Yes));
        assert_eq!(answer(&answers, "XS"), Some(Answer::Yes));
    }

    #[test]
    fn physical_vulnerability_needs_contact() {
        let vector = medsec_score::parse("CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
        let answers = propose(&device("minimal"), "firmware", &vector).unwrap();
        assert_eq!(answer(&answers, "XAVN"), Some(Answer::No));
        assert_eq!(answer(&answers, "XAVP"), Some(Answer::Yes));
        assert_eq!(answer(&answers, "XAVT"), None);
    }

    #[test]
    fn impacts_follow_the_vector_and_the_declared_data_classes() {
        // The minimal template's measurement data is diagnosis-monitoring and PHI/PII.
        let vector = medsec_score::parse("CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N").unwrap();
        let answers = propose(&device("minimal"), "firmware", &vector).unwrap();
        assert_eq!(answer(&answers, "XCD"), Some(Answer::Yes));
        assert_eq!(answer(&answers, "XID"), Some(Answer::Yes));
        assert_eq!(answer(&answers, "XCP"), Some(Answer::Yes));
        assert_eq!(answer(&answers, "XIT"), Some(Answer::No));
        assert_eq!(answer(&answers, "XCS"), Some(Answer::No));
        // A:N in the vector answers every availability question.
        for id in ["XAP", "XAD", "XAT", "XAW", "XAS", "XAO"] {
            assert_eq!(answer(&answers, id), Some(Answer::No), "{id}");
        }
        // Unclassified assets leave the class questions to a person.
        let text = crate::templates::find("minimal")
            .unwrap()
            .text
            .replace("    data_classes: [diagnosis-monitoring, phi-pii]\n", "");
        let dir = std::env::temp_dir();
        let plain = crate::check::check_text(&dir.join("device.yaml"), &dir, Arc::new(text))
            .unwrap()
            .device;
        let plain = propose(&plain, "firmware", &vector).unwrap();
        assert_eq!(answer(&plain, "XCD"), None);
        assert_eq!(answer(&plain, "XIT"), None);
        assert_eq!(answer(&plain, "XAD"), Some(Answer::No));
    }

    #[test]
    fn unknown_element_and_non_v3_vectors_are_refused() {
        let v3 = medsec_score::parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
        assert!(matches!(
            propose(&device("minimal"), "nope", &v3),
            Err(ProposalError::UnknownElement(_))
        ));
        let v4 =
            medsec_score::parse("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
                .unwrap();
        assert!(matches!(
            propose(&device("minimal"), "firmware", &v4),
            Err(ProposalError::NotV3(_))
        ));
    }
}
