//! The medical-device rubric flow: every branch of every metric, unknown answers,
//! missing answers and the prompter API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use medsec_score::rubric::{Answer, Answers, Response, Rubric, RubricError};

fn r(answer: Answer) -> Response {
    Response {
        answer,
        rationale: format!("because {answer:?}"),
    }
}

/// Every question answered "no": AV:L (no protocol, no physical contact), AC:H, PR:N,
/// UI:N, S:U, no impact.
fn all_no(rubric: &Rubric) -> Answers {
    rubric
        .questions()
        .iter()
        .map(|q| (q.id.clone(), r(Answer::No)))
        .collect()
}

fn with(mut a: Answers, changes: &[(&str, Answer)]) -> Answers {
    for (id, ans) in changes {
        a.insert((*id).to_string(), r(*ans));
    }
    a
}

fn value(rubric: &Rubric, a: &Answers, metric: &str) -> String {
    let res = rubric.evaluate(a).unwrap();
    res.metrics
        .iter()
        .find(|m| m.metric == metric)
        .unwrap()
        .value
        .clone()
}

use Answer::{No, Unknown, Yes};

#[test]
fn standard_flow_loads_and_has_sources() {
    let rubric = Rubric::standard().unwrap();
    assert_eq!(rubric.cvss_version(), "3.0");
    assert!(rubric.questions().len() >= 31);
    for q in rubric.questions() {
        assert!(!q.source.is_empty(), "{} has no source note", q.id);
    }
}

#[test]
fn attack_vector_branches() {
    let rb = Rubric::standard().unwrap();
    let base = all_no(&rb);
    let cases: &[(&[(&str, Answer)], &str)] = &[
        (&[("XAVN", Yes), ("XAVT", Yes)], "N"),
        (&[("XAVN", Yes), ("XAVT", No), ("XAVW", No)], "A"),
        (
            &[("XAVN", Yes), ("XAVT", No), ("XAVW", Yes), ("XAVR", Yes)],
            "L",
        ),
        (
            &[("XAVN", Yes), ("XAVT", No), ("XAVW", Yes), ("XAVR", No)],
            "A",
        ),
        (&[("XAVN", No), ("XAVP", No)], "L"),
        (&[("XAVN", No), ("XAVP", Yes), ("XAVPA", Yes)], "L"),
        (&[("XAVN", No), ("XAVP", Yes), ("XAVPA", No)], "P"),
        // Unknown takes the worse branch.
        (&[("XAVN", Unknown), ("XAVT", Unknown)], "N"),
        (&[("XAVN", Yes), ("XAVT", No), ("XAVW", Unknown)], "A"),
    ];
    for (changes, want) in cases {
        assert_eq!(
            value(&rb, &with(base.clone(), changes), "AV"),
            *want,
            "{changes:?}"
        );
    }
}

#[test]
fn attack_complexity_privileges_interaction_scope() {
    let rb = Rubric::standard().unwrap();
    let base = all_no(&rb);
    assert_eq!(value(&rb, &base, "AC"), "H");
    assert_eq!(value(&rb, &with(base.clone(), &[("XACL", Yes)]), "AC"), "L");
    assert_eq!(
        value(&rb, &with(base.clone(), &[("XACL", Unknown)]), "AC"),
        "L"
    );

    assert_eq!(value(&rb, &base, "PR"), "N");
    assert_eq!(
        value(
            &rb,
            &with(base.clone(), &[("XPRL", Yes), ("XPRZ", No)]),
            "PR"
        ),
        "N"
    );
    assert_eq!(
        value(
            &rb,
            &with(base.clone(), &[("XPRL", Yes), ("XPRZ", Yes), ("XPRS", No)]),
            "PR"
        ),
        "L"
    );
    assert_eq!(
        value(
            &rb,
            &with(base.clone(), &[("XPRL", Yes), ("XPRZ", Yes), ("XPRS", Yes)]),
            "PR"
        ),
        "H"
    );
    assert_eq!(
        value(&rb, &with(base.clone(), &[("XPRL", Unknown)]), "PR"),
        "N"
    );

    assert_eq!(value(&rb, &base, "UI"), "N");
    assert_eq!(value(&rb, &with(base.clone(), &[("XUI", Yes)]), "UI"), "R");
    assert_eq!(
        value(&rb, &with(base.clone(), &[("XUI", Unknown)]), "UI"),
        "N"
    );

    assert_eq!(value(&rb, &base, "S"), "U");
    assert_eq!(value(&rb, &with(base.clone(), &[("XS", Yes)]), "S"), "C");
    assert_eq!(
        value(&rb, &with(base.clone(), &[("XS", Unknown)]), "S"),
        "C"
    );
}

#[test]
fn impact_takes_the_worst_class() {
    let rb = Rubric::standard().unwrap();
    let base = all_no(&rb);
    assert_eq!(value(&rb, &base, "C"), "N");
    // PHI exposure: few patients → Low, many → High.
    assert_eq!(
        value(&rb, &with(base.clone(), &[("XCP", Yes), ("XCPM", No)]), "C"),
        "L"
    );
    assert_eq!(
        value(
            &rb,
            &with(base.clone(), &[("XCP", Yes), ("XCPM", Yes)]),
            "C"
        ),
        "H"
    );
    // Low from PHI, High from private system data: the maximum wins.
    assert_eq!(
        value(
            &rb,
            &with(base.clone(), &[("XCP", Yes), ("XCPM", No), ("XCS", Yes)]),
            "C"
        ),
        "H"
    );
    assert_eq!(value(&rb, &with(base.clone(), &[("XIT", Yes)]), "I"), "H");
    assert_eq!(value(&rb, &with(base.clone(), &[("XAD", Yes)]), "A"), "H");
    assert_eq!(
        value(&rb, &with(base.clone(), &[("XAW", Unknown)]), "A"),
        "H"
    );
}

#[test]
fn full_result_records_every_answer_and_scores() {
    let rb = Rubric::standard().unwrap();
    let a = with(
        all_no(&rb),
        &[
            ("XAVN", Yes),
            ("XAVT", Yes),
            ("XACL", Yes),
            ("XIT", Yes),
            ("XAT", Yes),
        ],
    );
    let res = rb.evaluate(&a).unwrap();
    assert_eq!(res.vector, "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H");
    assert_eq!(res.scores.base.score.to_string(), "9.1");
    let av = &res.metrics[0];
    assert_eq!(av.path.len(), 2);
    assert_eq!(av.path[0].id, "XAVN");
    assert_eq!(av.path[0].rationale, "because Yes");
    let json = serde_json::to_value(&res).unwrap();
    assert_eq!(json["metrics"][0]["path"][1]["id"], "XAVT");
    assert_eq!(json["scores"]["base"]["score"], 9.1);
}

#[test]
fn missing_answer_names_the_next_question() {
    let rb = Rubric::standard().unwrap();
    let mut a = Answers::new();
    assert_eq!(rb.next_question(&a).unwrap().id, "XAVN");
    let e = rb.evaluate(&a).unwrap_err();
    assert!(
        matches!(&e, RubricError::MissingAnswer { question, .. } if question == "XAVN"),
        "{e:?}"
    );
    a.insert("XAVN".into(), r(Yes));
    assert_eq!(rb.next_question(&a).unwrap().id, "XAVT");
    a.insert("XAVT".into(), r(Yes));
    assert_eq!(rb.next_question(&a).unwrap().id, "XACL");
    let e = rb.evaluate(&a).unwrap_err();
    assert!(e.to_string().contains("XACL"), "{e}");
}

#[test]
fn prompter_loop_terminates_with_complete_answers() {
    let rb = Rubric::standard().unwrap();
    let mut a = Answers::new();
    let mut asked = 0;
    while let Some(q) = rb.next_question(&a) {
        a.insert(q.id.clone(), r(Unknown));
        asked += 1;
        assert!(asked < 100);
    }
    // All unknown: the worst case everywhere.
    let res = rb.evaluate(&a).unwrap();
    assert_eq!(res.vector, "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H");
    assert_eq!(res.scores.base.score.to_string(), "10.0");
}

#[test]
fn unknown_question_id_is_rejected() {
    let rb = Rubric::standard().unwrap();
    let a = with(all_no(&rb), &[("XAVQ", Yes)]);
    assert_eq!(
        rb.evaluate(&a).unwrap_err(),
        RubricError::UnknownQuestion("XAVQ".into())
    );
}

#[test]
fn answers_deserialize_from_json() {
    let a: Answers = serde_json::from_str(
        r#"{"XAVN": {"answer": "yes", "rationale": "Wi-Fi telemetry"}, "XAVT": {"answer": "unknown"}}"#,
    )
    .unwrap();
    assert_eq!(a["XAVN"].answer, Yes);
    assert_eq!(a["XAVT"].rationale, "");
}

#[test]
fn broken_flows_are_rejected() {
    assert!(matches!(
        Rubric::from_json("{}"),
        Err(RubricError::InvalidData(_))
    ));
    let bad = medsec_score::rubric::STANDARD_RUBRIC_JSON
        .replace("\"next\": \"XAVT\"", "\"next\": \"NOPE\"");
    assert!(matches!(
        Rubric::from_json(&bad),
        Err(RubricError::InvalidData(_))
    ));
    let bad =
        medsec_score::rubric::STANDARD_RUBRIC_JSON.replace("\"value\": \"P\"", "\"value\": \"Z\"");
    assert!(matches!(
        Rubric::from_json(&bad),
        Err(RubricError::InvalidData(_))
    ));
}
