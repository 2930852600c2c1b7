//! The regulatory clock against the default policy: exact deadlines, states relative to
//! the day, the unconfirmed IVDR limit, unassessed risk, FDA's enforcement discretion,
//! broken policies, and two properties of the dates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use jiff::civil::Date;
use medsec_device::model::MarketId;
use medsec_postmarket::clock::{
    ClockPolicy, ClockPolicyError, ClockStart, ConditionState, DiscretionOutcome, FindingFacts,
    FscaPlan, IncidentKind, Obligation, RiskControl, SeriousIncident, Status, Timing, classify,
};
use proptest::prelude::*;

const COMMUNICATE: &str = "fda-postmarket-2016:VII.B-communicate-30d";
const REMEDIATE: &str = "fda-postmarket-2016:VII.B-remediate-60d";
const REPORT_806: &str = "fda-postmarket-2016:VII.B-806-report";
const ROUTINE: &str = "fda-postmarket-2016:VII.A-routine-update";

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn policy() -> ClockPolicy {
    ClockPolicy::default_policy().unwrap()
}

fn facts(markets: &[MarketId]) -> FindingFacts {
    FindingFacts {
        markets: markets.to_vec(),
        affected: true,
        ..FindingFacts::default()
    }
}

fn incident(kind: IncidentKind, aware: &str) -> Option<SeriousIncident> {
    Some(SeriousIncident {
        kind,
        aware: Some(d(aware)),
    })
}

fn find<'a>(obligations: &'a [Obligation], rule: &str) -> &'a Obligation {
    obligations
        .iter()
        .find(|o| o.rule == rule)
        .unwrap_or_else(|| panic!("no obligation {rule} in {obligations:#?}"))
}

fn ids(obligations: &[Obligation]) -> Vec<&str> {
    obligations.iter().map(|o| o.rule.as_str()).collect()
}

// ---- exact deadlines ------------------------------------------------------------------

#[test]
fn mdr_limits_count_2_10_and_15_days_from_awareness_across_year_end() {
    let p = policy();
    let today = d("2025-12-24");
    for (kind, rule, due) in [
        (
            IncidentKind::PublicHealthThreat,
            "eu-mdr:Art87(4)-2d",
            "2026-01-01",
        ),
        (IncidentKind::Death, "eu-mdr:Art87(5)-10d", "2026-01-09"),
        (
            IncidentKind::SeriousDeterioration,
            "eu-mdr:Art87(5)-10d",
            "2026-01-09",
        ),
        (IncidentKind::Other, "eu-mdr:Art87(3)-15d", "2026-01-14"),
    ] {
        let f = FindingFacts {
            serious_incident: incident(kind, "2025-12-30"),
            ..facts(&[MarketId::EuMdr])
        };
        let c = classify(&p, &f, today);
        // Exactly one vigilance limit per incident: the shortest that fits.
        assert_eq!(ids(&c.obligations), vec![rule], "{kind:?}");
        let o = &c.obligations[0];
        assert_eq!(o.clock, ClockStart::Aware);
        assert_eq!(o.clock_date, Some(d("2025-12-30")));
        assert_eq!(o.due, Some(d(due)), "{kind:?}");
        assert!(o.verified);
        assert!(o.decision_support);
        assert_eq!(o.source.requirement, "eu-mdr:Art87");
    }
}

#[test]
fn fda_time_frames_count_30_and_60_days_from_identification_across_month_ends() {
    let p = policy();
    let f = FindingFacts {
        risk: RiskControl::Uncontrolled,
        identified: Some(d("2024-01-31")),
        ..facts(&[MarketId::Fda])
    };
    let c = classify(&p, &f, d("2024-02-01"));
    // 2024 is a leap year: 31 Jan + 30 days = 1 Mar, + 60 days = 31 Mar.
    assert_eq!(find(&c.obligations, COMMUNICATE).due, Some(d("2024-03-01")));
    assert_eq!(find(&c.obligations, REMEDIATE).due, Some(d("2024-03-31")));
    let f = FindingFacts {
        identified: Some(d("2025-11-15")),
        ..f
    };
    let c = classify(&p, &f, d("2025-11-15"));
    assert_eq!(find(&c.obligations, COMMUNICATE).due, Some(d("2025-12-15")));
    assert_eq!(find(&c.obligations, REMEDIATE).due, Some(d("2026-01-14")));
    // Sorted by due date, undated last.
    assert_eq!(
        ids(&c.obligations),
        vec![COMMUNICATE, REMEDIATE, REPORT_806]
    );
    assert_eq!(find(&c.obligations, REPORT_806).status, Status::NoFixedDate);
}

#[test]
fn ivdr_limits_and_the_unconfirmed_10_day_fallback() {
    let p = policy();
    let today = d("2026-03-01");
    let on = |kind| FindingFacts {
        serious_incident: incident(kind, "2026-03-01"),
        ..facts(&[MarketId::EuIvdr])
    };
    let c = classify(&p, &on(IncidentKind::PublicHealthThreat), today);
    assert_eq!(ids(&c.obligations), vec!["eu-ivdr:Art82(4)-2d"]);
    assert_eq!(c.obligations[0].due, Some(d("2026-03-03")));
    assert!(c.obligations[0].verified);

    let c = classify(&p, &on(IncidentKind::Other), today);
    assert_eq!(ids(&c.obligations), vec!["eu-ivdr:Art82(3)-15d"]);
    assert_eq!(c.obligations[0].due, Some(d("2026-03-16")));

    for kind in [IncidentKind::Death, IncidentKind::SeriousDeterioration] {
        let c = classify(&p, &on(kind), today);
        assert_eq!(ids(&c.obligations), vec!["eu-ivdr:Art82(5)-15d-fallback"]);
        let o = &c.obligations[0];
        // Falls back to the general 15 days, flagged, with the 10-day date beside it.
        assert_eq!(o.due, Some(d("2026-03-16")));
        assert_eq!(o.days, Some(15));
        assert_eq!(o.stricter_due, Some(d("2026-03-11")));
        assert!(!o.verified);
        let notes = o.notes.join(" ");
        assert!(notes.contains("UNCONFIRMED"), "{notes}");
        assert!(notes.contains("2026-03-11"), "{notes}");
    }
}

#[test]
fn fsca_is_reported_before_it_starts() {
    let p = policy();
    let f = FindingFacts {
        fsca: Some(FscaPlan {
            start: Some(d("2026-05-10")),
        }),
        ..facts(&[MarketId::EuMdr, MarketId::EuIvdr])
    };
    let c = classify(&p, &f, d("2026-05-01"));
    assert_eq!(
        ids(&c.obligations),
        vec!["eu-ivdr:Art82(1)-fsca", "eu-mdr:Art87(1)-fsca"]
    );
    let mdr = find(&c.obligations, "eu-mdr:Art87(1)-fsca");
    assert_eq!(mdr.timing, Timing::Before);
    assert_eq!(mdr.due, Some(d("2026-05-10")));
    assert_eq!(mdr.status, Status::DueIn { days: 9 });
    assert_eq!(mdr.source.clause, "Art. 87(1)");
    assert!(
        mdr.due_text
            .contains("before the FSCA is undertaken, unless urgent")
    );
    assert!(mdr.verified);
    // The IVDR timing is assumed from the MDR's and flagged.
    assert!(!find(&c.obligations, "eu-ivdr:Art82(1)-fsca").verified);

    // Planned, but not yet dated.
    let f = FindingFacts {
        fsca: Some(FscaPlan { start: None }),
        ..f
    };
    let c = classify(&p, &f, d("2026-05-01"));
    let mdr = find(&c.obligations, "eu-mdr:Art87(1)-fsca");
    assert_eq!(mdr.status, Status::StartDateUnknown);
    assert_eq!(mdr.due, None);
    assert!(mdr.notes[0].contains("planned start date of the FSCA"));
}

// ---- states relative to today ------------------------------------------------------------

#[test]
fn due_in_due_today_overdue_and_not_started() {
    let p = policy();
    let f = FindingFacts {
        serious_incident: incident(IncidentKind::PublicHealthThreat, "2026-02-27"),
        ..facts(&[MarketId::EuMdr])
    };
    // 27 Feb + 2 days = 1 Mar (2026 is not a leap year).
    let status = |today| classify(&p, &f, d(today)).obligations[0].status;
    assert_eq!(status("2026-02-27"), Status::DueIn { days: 2 });
    assert_eq!(status("2026-02-28"), Status::DueIn { days: 1 });
    assert_eq!(status("2026-03-01"), Status::DueToday);
    assert_eq!(status("2026-03-02"), Status::Overdue { days: 1 });
    assert_eq!(status("2026-04-01"), Status::Overdue { days: 31 });
    assert_eq!(status("2026-02-26"), Status::NotStarted);
    let c = classify(&p, &f, d("2026-03-04"));
    assert_eq!(c.obligations[0].status_text, "overdue by 3 days");
}

#[test]
fn done_obligations_show_when_and_whether_late() {
    let p = policy();
    let mut done = BTreeMap::new();
    done.insert("eu-mdr:Art87(3)-15d".to_owned(), d("2026-01-20"));
    let f = FindingFacts {
        serious_incident: incident(IncidentKind::Other, "2026-01-01"),
        done,
        ..facts(&[MarketId::EuMdr])
    };
    let c = classify(&p, &f, d("2026-06-01"));
    assert_eq!(
        c.obligations[0].status,
        Status::Done {
            on: d("2026-01-20"),
            late_by_days: Some(4)
        }
    );
    assert_eq!(
        c.obligations[0].status_text,
        "done on 2026-01-20, 4 days late"
    );
}

// ---- FDA controlled, uncontrolled and unassessed risk ------------------------------------

#[test]
fn controlled_risk_has_no_806_report_and_no_30_or_60_day_time_frames() {
    let p = policy();
    let f = FindingFacts {
        risk: RiskControl::Controlled,
        identified: Some(d("2026-01-10")),
        ..facts(&[MarketId::Fda])
    };
    let c = classify(&p, &f, d("2026-03-30"));
    assert_eq!(ids(&c.obligations), vec![ROUTINE]);
    assert_eq!(c.obligations[0].status, Status::NoFixedDate);
    assert!(
        c.obligations[0]
            .action
            .contains("No report under 21 CFR 806")
    );
    assert!(c.fda_806_discretion.is_none());
    assert!(c.if_risk.is_empty());
}

#[test]
fn unassessed_risk_shows_both_outcomes_instead_of_guessing() {
    let p = policy();
    let f = FindingFacts {
        identified: Some(d("2026-01-10")),
        ..facts(&[MarketId::Fda])
    };
    let c = classify(&p, &f, d("2026-01-20"));
    assert_eq!(c.risk, RiskControl::NotAssessed);
    assert!(c.obligations.is_empty());
    assert!(c.fda_806_discretion.is_none());
    assert_eq!(c.if_risk.len(), 2);
    let controlled = &c.if_risk[0];
    assert_eq!(controlled.risk, RiskControl::Controlled);
    assert_eq!(ids(&controlled.obligations), vec![ROUTINE]);
    assert!(controlled.fda_806_discretion.is_none());
    let uncontrolled = &c.if_risk[1];
    assert_eq!(uncontrolled.risk, RiskControl::Uncontrolled);
    assert_eq!(
        ids(&uncontrolled.obligations),
        vec![COMMUNICATE, REMEDIATE, REPORT_806]
    );
    // The clock runs whatever the outcome: the dates are real.
    let communicate = find(&uncontrolled.obligations, COMMUNICATE);
    assert_eq!(communicate.due, Some(d("2026-02-09")));
    assert_eq!(communicate.status, Status::DueIn { days: 20 });
    let assessment = uncontrolled.fda_806_discretion.as_ref().unwrap();
    assert!(assessment.hypothetical);
    assert!(c.notes.iter().any(|n| n.contains("not assessed")));
}

#[test]
fn enforcement_discretion_condition_by_condition() {
    let p = policy();
    let mut f = FindingFacts {
        risk: RiskControl::Uncontrolled,
        identified: Some(d("2026-01-01")),
        isao_member: true,
        ..facts(&[MarketId::Fda])
    };
    // Day 10: nothing done yet, nothing failed.
    let a = classify(&p, &f, d("2026-01-11"))
        .fda_806_discretion
        .unwrap();
    assert!(!a.hypothetical);
    assert!(a.decision_support);
    let states: Vec<ConditionState> = a.conditions.iter().map(|c| c.state).collect();
    assert_eq!(
        states,
        vec![
            ConditionState::Holds,
            ConditionState::Open,
            ConditionState::Open,
            ConditionState::Holds
        ]
    );
    assert_eq!(a.outcome, DiscretionOutcome::Open);
    assert_eq!(a.source.requirement, "fda-postmarket-2016:VII.B");

    // Both done in time: all four hold.
    f.done.insert(COMMUNICATE.to_owned(), d("2026-01-20"));
    f.done.insert(REMEDIATE.to_owned(), d("2026-03-02"));
    let a = classify(&p, &f, d("2026-04-01"))
        .fda_806_discretion
        .unwrap();
    assert_eq!(a.outcome, DiscretionOutcome::AllHold);

    // Fix distributed a day after the 60 days (1 Jan + 60 = 2 Mar).
    f.done.insert(REMEDIATE.to_owned(), d("2026-03-03"));
    let a = classify(&p, &f, d("2026-04-01"))
        .fda_806_discretion
        .unwrap();
    assert_eq!(a.conditions[2].state, ConditionState::Fails);
    assert_eq!(a.outcome, DiscretionOutcome::NotAvailable);

    // Not recorded and overdue; serious adverse events; no ISAO.
    let f = FindingFacts {
        serious_adverse_events: true,
        isao_member: false,
        done: BTreeMap::new(),
        ..f
    };
    let a = classify(&p, &f, d("2026-02-15"))
        .fda_806_discretion
        .unwrap();
    let states: Vec<ConditionState> = a.conditions.iter().map(|c| c.state).collect();
    assert_eq!(
        states,
        vec![
            ConditionState::Fails,
            ConditionState::Fails,
            ConditionState::Open,
            ConditionState::Fails
        ]
    );
    assert!(
        a.summary.starts_with("Conditions 1, 2 and 4 do not hold"),
        "{}",
        a.summary
    );

    // Identification not dated: conditions 2 and 3 are unknown.
    let f = FindingFacts {
        identified: None,
        serious_adverse_events: false,
        isao_member: true,
        ..f
    };
    let a = classify(&p, &f, d("2026-02-15"))
        .fda_806_discretion
        .unwrap();
    assert_eq!(a.conditions[1].state, ConditionState::Unknown);
    assert_eq!(a.outcome, DiscretionOutcome::Open);
}

// ---- scope ---------------------------------------------------------------------------------

#[test]
fn unaffected_findings_have_no_obligations_and_say_so() {
    let p = policy();
    let f = FindingFacts {
        affected: false,
        risk: RiskControl::Uncontrolled,
        identified: Some(d("2026-01-01")),
        serious_incident: incident(IncidentKind::Death, "2026-01-01"),
        ..facts(&[MarketId::Fda, MarketId::EuMdr])
    };
    let c = classify(&p, &f, d("2026-01-02"));
    assert!(c.obligations.is_empty());
    assert!(c.if_risk.is_empty());
    assert!(c.fda_806_discretion.is_none());
    assert!(c.decision_support);
    assert!(c.notes[0].contains("does not affect"));
}

#[test]
fn markets_not_in_the_facts_do_not_apply() {
    let p = policy();
    let f = FindingFacts {
        risk: RiskControl::Uncontrolled,
        identified: Some(d("2026-01-01")),
        serious_incident: incident(IncidentKind::Death, "2026-01-01"),
        ..facts(&[MarketId::EuMdr, MarketId::HealthCanada])
    };
    let c = classify(&p, &f, d("2026-01-02"));
    assert_eq!(ids(&c.obligations), vec!["eu-mdr:Art87(5)-10d"]);
    assert!(c.fda_806_discretion.is_none());
    let notes = c.notes.join("\n");
    assert!(notes.contains("not applied: eu-ivdr"), "{notes}");
    assert!(
        notes.contains("no rule for market health-canada"),
        "{notes}"
    );

    // EU market, vulnerability only: nothing runs, and the note says why.
    let f = FindingFacts {
        serious_incident: None,
        ..facts(&[MarketId::EuMdr])
    };
    let c = classify(&p, &f, d("2026-01-02"));
    assert!(c.obligations.is_empty());
    assert!(c.notes.iter().any(|n| n.contains("neither is recorded")));
    // A market listed twice is one market.
    let twice = classify(
        &p,
        &facts(&[MarketId::EuMdr, MarketId::EuMdr]),
        d("2026-01-02"),
    );
    assert_eq!(twice.notes, c.notes);
}

#[test]
fn classification_serialises_with_its_policy_and_marker() {
    let p = policy();
    let f = FindingFacts {
        serious_incident: incident(IncidentKind::Other, "2026-01-01"),
        ..facts(&[MarketId::EuMdr])
    };
    let json = serde_json::to_value(classify(&p, &f, d("2026-01-20"))).unwrap();
    assert_eq!(json["decision_support"], true);
    assert_eq!(json["policy"]["sha256"], p.sha256.as_str());
    let o = &json["obligations"][0];
    assert_eq!(o["rule"], "eu-mdr:Art87(3)-15d");
    assert_eq!(o["market"], "eu-mdr");
    assert_eq!(o["due"], "2026-01-16");
    assert_eq!(o["status"]["state"], "overdue");
    assert_eq!(o["status"]["days"], 4);
    assert_eq!(o["source"]["tag"], "S2");
}

#[test]
fn facts_read_from_yaml() {
    let text = "markets: [fda, eu-ivdr]\naffected: true\nidentified: 2026-01-05\n\
                risk: uncontrolled\nserious_incident: { kind: death, aware: 2026-01-06 }\n\
                done: { \"fda-postmarket-2016:VII.B-communicate-30d\": 2026-01-30 }\n";
    let f: FindingFacts = serde_saphyr::from_str(text).unwrap();
    assert_eq!(f.risk, RiskControl::Uncontrolled);
    assert_eq!(f.identified, Some(d("2026-01-05")));
    assert_eq!(f.serious_incident.unwrap().aware, Some(d("2026-01-06")));
    assert_eq!(f.done[COMMUNICATE], d("2026-01-30"));
}

// ---- policies ------------------------------------------------------------------------------

const SMALL: &str = "\
medsec-regulatory-clock: 1
name: test
version: \"1\"
rules:
  - id: eu-mdr:Art87(3)-15d
    market: eu-mdr
    basis: regulation
    title: Report a serious incident
    action: Report it.
    when: { serious_incident: [any] }
    clock: aware
    timing: within
    days: 15
    source: { requirement: eu-mdr:Art87, clause: Art. 87(3), tag: S2 }
";

#[test]
fn a_users_policy_can_change_the_rules() {
    let p = ClockPolicy::from_text("mine.yaml", SMALL).unwrap();
    assert_eq!(p.rules[0].line, 5);
    let f = FindingFacts {
        serious_incident: incident(IncidentKind::Death, "2026-01-01"),
        ..facts(&[MarketId::EuMdr])
    };
    let c = classify(&p, &f, d("2026-01-01"));
    assert_eq!(c.policy.file, "mine.yaml");
    assert_eq!(c.obligations[0].due, Some(d("2026-01-16")));
    assert_eq!(
        c.obligations[0].due_text,
        "within 15 days of the date the manufacturer became aware of the serious incident"
    );
}

#[test]
fn a_broken_rule_is_reported_with_the_file_and_line() {
    let path =
        std::env::temp_dir().join(format!("medsec-clock-broken-{}.yaml", std::process::id()));
    let broken = SMALL.replace("timing: within", "timing: whenever");
    std::fs::write(&path, &broken).unwrap();
    let err = ClockPolicy::load(&path).unwrap_err();
    std::fs::remove_file(&path).ok();
    let ClockPolicyError::Syntax { file, line, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(file, &path.display().to_string());
    assert_eq!(*line, 12);
    let text = err.to_string();
    assert!(text.contains(&format!("{}:12:", path.display())), "{text}");
    assert!(text.contains("whenever"), "{text}");
}

#[test]
fn rule_problems_are_all_reported_with_their_lines() {
    let mut text = SMALL.replace("    days: 15\n", "");
    text.push_str(
        "  - id: eu-mdr:Art87(3)-15d
    market: eu-mdr
    basis: regulation
    title: Report an FSCA
    action: Report it.
    clock: fsca-planned
    timing: before
    days: 3
    source: { requirement: Art87, clause: Art. 87(1), tag: S2 }
",
    );
    let err = ClockPolicy::from_text("broken.yaml", &text).unwrap_err();
    let ClockPolicyError::Invalid { problems, .. } = &err else {
        panic!("{err}");
    };
    let rendered = err.to_string();
    let expect = [
        (5, "timing `within` needs `days`"),
        (14, "days is only used with timing `within`"),
        (14, "not a requirement id"),
        (14, "needs `when.fsca: true`"),
        (14, "used twice (first at line 5)"),
    ];
    for (line, message) in expect {
        assert!(
            problems
                .iter()
                .any(|p| p.line == line && p.message.contains(message)),
            "{line}: {message} not in\n{rendered}"
        );
    }
    assert!(rendered.starts_with("regulatory clock policy broken.yaml has"));
    assert!(rendered.contains("broken.yaml:14: rule `eu-mdr:Art87(3)-15d`"));
}

#[test]
fn discretion_must_name_rules_of_the_policy() {
    let text = format!(
        "{SMALL}fda_806_discretion:
  report_rule: nope
  communicate_rule: eu-mdr:Art87(3)-15d
  remediate_rule: eu-mdr:Art87(3)-15d
  source: {{ requirement: fda-postmarket-2016:VII.B, clause: VII.B, tag: S7 }}
"
    );
    let err = ClockPolicy::from_text("d.yaml", &text)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("d.yaml:16: fda_806_discretion.report_rule: no rule `nope`"),
        "{err}"
    );
    assert!(err.contains("is not an fda rule"), "{err}");
}

#[test]
fn unknown_fields_and_formats_are_refused() {
    let err = ClockPolicy::from_text("x.yaml", &SMALL.replace("days: 15", "dayz: 15"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("x.yaml:13"), "{err}");
    let err = ClockPolicy::from_text(
        "x.yaml",
        &SMALL.replace("medsec-regulatory-clock: 1", "medsec-regulatory-clock: 2"),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("not a format this build reads"), "{err}");
    // Not YAML at all: an unclosed flow sequence.
    let err = ClockPolicy::from_text("y.yaml", &SMALL.replace("[any] }", "[any }")).unwrap_err();
    assert!(
        matches!(err, ClockPolicyError::Syntax { line: 10, .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("regulatory clock policy y.yaml:10:"),
        "{err}"
    );
}

// ---- properties ----------------------------------------------------------------------------

fn arb_date() -> impl Strategy<Value = Date> {
    // 2000-01-01 plus up to ~60 years.
    (0i64..22_000).prop_map(|n| {
        d("2000-01-01")
            .checked_add(jiff::Span::new().days(n))
            .unwrap()
    })
}

fn arb_facts() -> impl Strategy<Value = FindingFacts> {
    let markets = proptest::sample::subsequence(
        vec![MarketId::Fda, MarketId::EuMdr, MarketId::EuIvdr],
        0..=3,
    );
    let risk = prop_oneof![
        Just(RiskControl::Controlled),
        Just(RiskControl::Uncontrolled),
        Just(RiskControl::NotAssessed)
    ];
    let kind = prop_oneof![
        Just(IncidentKind::Death),
        Just(IncidentKind::SeriousDeterioration),
        Just(IncidentKind::PublicHealthThreat),
        Just(IncidentKind::Other)
    ];
    let incident = proptest::option::of((kind, proptest::option::of(arb_date())))
        .prop_map(|o| o.map(|(kind, aware)| SeriousIncident { kind, aware }));
    let fsca = proptest::option::of(proptest::option::of(arb_date()))
        .prop_map(|o| o.map(|start| FscaPlan { start }));
    (
        markets,
        risk,
        proptest::option::of(arb_date()),
        incident,
        fsca,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(markets, risk, identified, serious_incident, fsca, sae, isao)| FindingFacts {
                markets,
                affected: true,
                identified,
                risk,
                serious_adverse_events: sae,
                serious_incident,
                fsca,
                isao_member: isao,
                done: BTreeMap::new(),
            },
        )
}

fn all_obligations(c: &medsec_postmarket::clock::Classification) -> Vec<Obligation> {
    let mut all = c.obligations.clone();
    for s in &c.if_risk {
        all.extend(s.obligations.iter().cloned());
    }
    all
}

/// How late an obligation is, on one scale: not started is before any countdown.
fn lateness(status: Status) -> Option<i64> {
    match status {
        Status::NotStarted => Some(i64::MIN),
        other => other.days_late(),
    }
}

proptest! {
    #[test]
    fn a_later_day_never_makes_an_obligation_less_overdue(
        facts in arb_facts(),
        today in arb_date(),
        later in 0i64..400,
    ) {
        let p = policy();
        let later_day = today.checked_add(jiff::Span::new().days(later)).unwrap();
        let early = all_obligations(&classify(&p, &facts, today));
        let late = all_obligations(&classify(&p, &facts, later_day));
        prop_assert_eq!(early.len(), late.len());
        for (a, b) in early.iter().zip(&late) {
            prop_assert_eq!(&a.rule, &b.rule);
            prop_assert_eq!(a.due, b.due);
            match (lateness(a.status), lateness(b.status)) {
                (Some(x), Some(y)) => {
                    prop_assert!(y >= x, "{}: {:?} then {:?}", a.rule, a.status, b.status);
                    if x != i64::MIN && y != i64::MIN {
                        prop_assert_eq!(y - x, later, "{}", a.rule);
                    }
                }
                (None, None) => prop_assert_eq!(a.status, b.status),
                _ => prop_assert!(false, "{}: {:?} then {:?}", a.rule, a.status, b.status),
            }
        }
    }

    #[test]
    fn due_dates_never_precede_their_clock_start(facts in arb_facts(), today in arb_date()) {
        let p = policy();
        let c = classify(&p, &facts, today);
        for o in all_obligations(&c) {
            prop_assert!(o.decision_support);
            if let Some(due) = o.due {
                let start = o.clock_date.unwrap();
                prop_assert!(due >= start, "{}: due {} before start {}", o.rule, due, start);
                if let Some(days) = o.days {
                    let expected = start
                        .checked_add(jiff::Span::new().days(i64::from(days)))
                        .unwrap();
                    prop_assert_eq!(due, expected);
                }
            }
            if let Some(stricter) = o.stricter_due {
                prop_assert!(o.due.is_some_and(|due| stricter < due));
                prop_assert!(stricter >= o.clock_date.unwrap());
            }
        }
        // Sorted by due date (undated last), then id.
        let keys: Vec<_> = c.obligations.iter().map(|o| (o.due.is_none(), o.due, o.rule.clone())).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        prop_assert_eq!(keys, sorted);
    }
}
