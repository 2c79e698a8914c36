//! Unit tests of the workflow engine.
use super::*;
use crate::role::Role;
use std::collections::BTreeMap;

fn app() -> &'static Process {
    Process::find("pilot_application").unwrap_or(&PROCESSES[0])
}

fn path(town: bool) -> Path {
    Path {
        district: Some("320402".into()),
        town: town.then(|| "320402001".into()),
    }
}

#[test]
fn climbs_town_district_city_then_notice() {
    let p = app();
    let mut at = Position {
        status: Status::Draft,
        step: None,
    };
    let mut seen = Vec::new();
    at = advance(p, at, Action::Submit, &path(true), "").unwrap_or(at);
    while at.status == Status::InReview {
        seen.push(p.steps[at.step.unwrap_or(0)].code);
        at = advance(p, at, Action::Accept, &path(true), "").unwrap_or(at);
    }
    assert_eq!(seen, ["town", "district", "city"]);
    assert_eq!(at.status, Status::Notice);
    let done = advance(p, at, Action::Accept, &path(true), "");
    assert_eq!(done.map(|a| a.status), Ok(Status::Approved));
}

#[test]
fn no_town_skips_the_town_step() {
    let p = app();
    let at = advance(
        p,
        Position {
            status: Status::Draft,
            step: None,
        },
        Action::Submit,
        &path(false),
        "",
    );
    assert_eq!(at.map(|a| a.step), Ok(Some(1)));
}

#[test]
fn returns_need_a_reason_and_drafts_cannot_be_accepted() {
    let p = app();
    let review = Position {
        status: Status::InReview,
        step: Some(1),
    };
    assert_eq!(
        advance(p, review, Action::Return, &path(true), " "),
        Err(Refusal::CommentRequired)
    );
    assert_eq!(
        advance(
            p,
            Position {
                status: Status::Draft,
                step: None
            },
            Action::Accept,
            &path(true),
            ""
        ),
        Err(Refusal::WrongState)
    );
}

#[test]
fn only_the_right_level_reviews() {
    let p = app();
    let town_step = Position {
        status: Status::InReview,
        step: Some(0),
    };
    let pa = path(true);
    assert!(may_review(p, town_step, Role::Town, Some("320402001"), &pa));
    assert!(!may_review(
        p,
        town_step,
        Role::Town,
        Some("320402002"),
        &pa
    ));
    assert!(!may_review(
        p,
        town_step,
        Role::District,
        Some("320402"),
        &pa
    ));
    assert!(!may_review(p, town_step, Role::City, Some("320400"), &pa));
    let city_step = Position {
        status: Status::InReview,
        step: Some(2),
    };
    assert!(may_review(p, city_step, Role::City, Some("320400"), &pa));
    assert!(!may_review(p, city_step, Role::Unit, None, &pa));
}

#[test]
fn items_decide_the_case_once_none_is_pending() {
    use ItemStatus::*;
    assert_eq!(items_outcome(&[Accepted, Submitted]), None);
    assert_eq!(items_outcome(&[Accepted, Returned]), Some(Action::Return));
    assert_eq!(items_outcome(&[Accepted, Accepted]), Some(Action::Accept));
    assert_eq!(Accepted.on_submit(), Accepted);
    assert_eq!(Returned.on_submit(), Submitted);
}

#[test]
fn notice_decisions_wait_for_the_period_and_the_answers() {
    use ObjectionOutcome::*;
    let end = Some(1_000);
    assert_eq!(
        check_notice_decision(Action::Accept, 999, end, &[]),
        Err(Refusal::NoticeRunning)
    );
    assert_eq!(
        check_notice_decision(Action::Accept, 1_000, end, &[Dismissed, Open]),
        Err(Refusal::ObjectionsOpen)
    );
    assert_eq!(
        check_notice_decision(Action::Accept, 1_000, end, &[Upheld]),
        Err(Refusal::ObjectionUpheld)
    );
    assert_eq!(
        check_notice_decision(Action::Accept, 1_000, end, &[Dismissed]),
        Ok(())
    );
    assert_eq!(
        check_notice_decision(Action::Reject, 10, end, &[Open]),
        Ok(())
    );
    assert!(check_objection_text("body", "  ").is_err());
    assert!(check_objection_text("body", &"异".repeat(OBJECTION_MAX + 1)).is_err());
}

#[test]
fn the_area_step_falls_to_the_city_without_a_district() {
    let p = Process::find("liuyou").unwrap_or(&PROCESSES[0]);
    let at = advance(
        p,
        Position {
            status: Status::Draft,
            step: None,
        },
        Action::Submit,
        &Path::default(),
        "",
    )
    .unwrap_or(Position {
        status: Status::Draft,
        step: None,
    });
    assert_eq!(at.status, Status::InReview);
    assert!(may_review(
        p,
        at,
        Role::City,
        Some("320400"),
        &Path::default()
    ));
    assert!(may_review(
        p,
        at,
        Role::District,
        Some("320402"),
        &path(true)
    ));
    assert!(!may_review(p, at, Role::City, Some("320400"), &path(true)));
    assert_eq!(p.items.len(), 6);
}

#[test]
fn expert_scoring_sits_between_the_reviews_and_the_notice() {
    let p = Process::find("benchmark_selection").unwrap_or(&PROCESSES[0]);
    let s = p.scoring.unwrap_or(Scoring {
        max: 0,
        min_experts: 0,
        days: 0,
        criteria_zh: "",
        criteria_en: "",
    });
    let mut at = Position {
        status: Status::InReview,
        step: Some(1),
    };
    at = advance(p, at, Action::Accept, &path(true), "").unwrap_or(at);
    assert_eq!(at.status, Status::Scoring);
    assert!(may_review(p, at, Role::City, Some("320400"), &path(true)));
    assert!(!may_review(
        p,
        at,
        Role::District,
        Some("320402"),
        &path(true)
    ));
    assert_eq!(p.deadline_at(at), Some(s.days));
    assert_eq!(
        check_scoring_close(&s, 3, 2),
        Err(Refusal::ScoringIncomplete)
    );
    assert_eq!(
        check_scoring_close(&s, 2, 2),
        Err(Refusal::ScoringIncomplete)
    );
    assert_eq!(check_scoring_close(&s, 3, 3), Ok(()));
    assert!(check_case_score(&s, 101.0).is_err() && check_case_score(&s, -1.0).is_err());
    assert_eq!(check_case_score(&s, 88.456).ok(), Some(88.46));
    at = advance(p, at, Action::Accept, &path(true), "").unwrap_or(at);
    assert_eq!(at.status, Status::Notice);
}

#[test]
fn forms_are_checked_field_by_field() {
    let p = app();
    let mut d = BTreeMap::new();
    d.insert("level".to_string(), "市级".to_string());
    d.insert("year".to_string(), "1999".to_string());
    d.insert("bogus".to_string(), "x".to_string());
    let errs = p.check(&d, 2026).err().unwrap_or_default();
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert!(fields.contains(&"year") && fields.contains(&"bogus"));
    assert!(fields.contains(&"feature") && fields.contains(&"plan"));
    d.remove("bogus");
    d.insert("year".into(), "2024".into());
    d.insert("feature".into(), "数字工匠".into());
    d.insert("plan".into(), "方案".into());
    let ok = p.check(&d, 2026).unwrap_or_default();
    assert_eq!(ok.get("level").map(String::as_str), Some("city"));
}
