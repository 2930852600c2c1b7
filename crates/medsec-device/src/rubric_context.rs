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

use crate::model::{Device, Direction, Flow};

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
    Ok(answers)
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
