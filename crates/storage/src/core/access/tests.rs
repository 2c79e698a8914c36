//! The access policy's test table: every rule, role by role.
use super::*;

fn actor(role: Role, region: Option<&str>) -> Actor {
    Actor {
        user_id: Some(1),
        username: "t".into(),
        display_name: "t".into(),
        role,
        region_code: region.map(str::to_string),
        org_id: None,
        ip: String::new(),
    }
}

fn dept_worker() -> Actor {
    actor(Role::Worker, None)
}

fn path(p: &[&str]) -> Vec<String> {
    p.iter().map(|s| s.to_string()).collect()
}

/// The workflow engine's rules: who starts a case, who is its applicant, who scores
/// and who decides for the city.
#[test]
fn the_workflow_rules() {
    let city = actor(Role::City, Some("320400"));
    let district = actor(Role::District, Some("320402"));
    let mut unit = actor(Role::Unit, None);
    unit.org_id = Some(7);
    let mut staff = actor(Role::Town, Some("320402001"));
    staff.user_id = Some(42);
    let expert = actor(Role::Expert, None);
    let worker = actor(Role::Worker, None);
    for (a, ok) in [
        (&city, true),
        (&staff, true),
        (&unit, true),
        (&expert, false),
        (&worker, false),
    ] {
        assert_eq!(may(a, Permission::StartCase), ok, "{:?}", a.role);
    }
    let applicant = |org_id, started_by| Permission::ActAsApplicant { org_id, started_by };
    assert!(may(&unit, applicant(7, None)));
    assert!(!may(&unit, applicant(8, None)));
    assert!(may(&staff, applicant(8, Some(42))));
    assert!(!may(&staff, applicant(8, Some(43))));
    assert!(!may(&district, applicant(7, None)));
    assert!(may(&expert, Permission::ScoreAsExpert));
    assert!(!may(&city, Permission::ScoreAsExpert));
    assert!(may(&city, Permission::DecideForCity));
    assert!(!may(&district, Permission::DecideForCity));
    assert!(!may(&expert, Permission::DecideForCity));
    let dept = actor(Role::Department, None);
    for (a, review, lock, complete, liuyou) in [
        (&city, true, true, true, true),
        (&district, true, false, true, true),
        (&staff, true, false, true, true),
        (&dept, false, false, true, false),
        (&unit, false, false, false, true),
        (&expert, false, false, false, false),
        (&worker, false, false, false, false),
    ] {
        assert_eq!(may(a, Permission::ReviewReports), review, "{:?}", a.role);
        assert_eq!(may(a, Permission::LockReports), lock, "{:?}", a.role);
        assert_eq!(
            may(a, Permission::ReadCompleteness),
            complete,
            "{:?}",
            a.role
        );
        assert_eq!(may(a, Permission::WorkOnLiuyou), liuyou, "{:?}", a.role);
    }
}

/// Every rule of this module as a table: (who, what, expected).
#[test]
fn personal_data_imports_and_task_closing() {
    let city = actor(Role::City, Some("320400"));
    let mut unit = actor(Role::Unit, None);
    unit.org_id = Some(7);
    let mut dept = actor(Role::Department, None);
    dept.org_id = Some(9);
    let expert = actor(Role::Expert, None);
    let pd = |org_id| Permission::SeePersonalData { org_id };
    assert!(may(&city, pd(7)));
    assert!(may(&unit, pd(7)));
    assert!(!may(&unit, pd(8)));
    assert!(!may(&dept, pd(9)));
    assert!(!may(&expert, pd(7)));
    let import = |reports_only| Permission::ImportFile { reports_only };
    assert!(may(&city, import(false)));
    assert!(may(&unit, import(true)));
    assert!(!may(&unit, import(false)));
    assert!(!may(&expert, import(true)));
    let close = |owner| Permission::CompleteTask { owner };
    assert!(may(&unit, close(7)));
    assert!(may(&dept, close(9)));
    assert!(!may(&unit, close(9)));
    assert!(!may(&city, close(7)));
    assert!(may(&city, Permission::VisitUnits));
    assert!(may(&dept, Permission::VisitUnits));
    assert!(!may(&unit, Permission::VisitUnits));
    let raise = |official| Permission::RaiseProblem { official };
    assert!(may(&unit, raise(false)));
    assert!(!may(&unit, raise(true)));
    assert!(may(&dept, raise(true)));
    assert!(!may(&expert, raise(false)));
    let target = |kind, key| Permission::ActForTarget { kind, key };
    assert!(may(&unit, target("pilot_unit", "7")));
    assert!(!may(&unit, target("pilot_unit", "8")));
    assert!(!may(&unit, target("member_unit", "7")));
    assert!(may(&dept, target("member_unit", "9")));
    assert!(may(
        &actor(Role::District, Some("320402")),
        target("district", "320402")
    ));
    assert!(!may(&city, target("district", "320402")));
    assert!(!may(&unit, Permission::EditOrganisation));
    assert!(may(&city, Permission::EditOrganisation));
    let progress = |owner| Permission::ReportTaskProgress { owner };
    assert!(may(&unit, progress(7)));
    assert!(!may(&unit, progress(8)));
    assert!(may(&dept, progress(9)));
    assert!(may(&city, progress(7)));
    assert!(!may(&expert, progress(7)));
    let round = |published| Permission::SeeRound { published };
    assert!(may(&city, round(false)));
    assert!(!may(&dept, round(false)));
    assert!(may(&dept, round(true)));
    assert!(!may(&unit, round(true)));
    assert_eq!(own_org(&unit), Some(7));
    assert_eq!(own_org(&dept), None);
    assert_eq!(own_org(&city), None);
}

#[test]
fn the_rules() {
    let city = actor(Role::City, Some("320400"));
    let tianning = actor(Role::District, Some("320402"));
    let wujin = actor(Role::District, Some("320412"));
    let town = actor(Role::Town, Some("320402001"));
    let unit = actor(Role::Unit, None);
    let admin = actor(Role::Sysadmin, None);
    let city_doc = path(&["320400"]);
    let tianning_doc = path(&["320400", "320402"]);
    let town_doc = path(&["320400", "320402", "320402001"]);
    use Decision::*;
    let publish = |a: &Actor, level: &str| decide(a, Permission::PublishPolicy { level });
    let change = |a: &Actor, p: &Vec<String>| decide(a, Permission::ChangePolicy { owner_path: p });
    // Publishing: by level.
    assert_eq!(publish(&city, "national"), Allow);
    assert_eq!(publish(&city, "provincial"), Allow);
    assert_eq!(publish(&city, "city"), Allow);
    assert!(matches!(publish(&city, "district"), Invalid(_)));
    assert!(matches!(publish(&tianning, "city"), Invalid(_)));
    assert!(matches!(publish(&tianning, "national"), Invalid(_)));
    assert_eq!(publish(&tianning, "district"), Allow);
    assert_eq!(publish(&tianning, "town"), Allow);
    assert_eq!(publish(&town, "town"), Allow);
    assert!(matches!(publish(&town, "district"), Invalid(_)));
    assert_eq!(publish(&unit, "city"), Forbidden);
    assert_eq!(publish(&admin, "national"), Allow);
    // Changing: the owner's subtree only; others' documents do not exist.
    assert_eq!(change(&city, &city_doc), Allow);
    assert_eq!(change(&city, &tianning_doc), Allow);
    assert_eq!(change(&tianning, &city_doc), Hidden);
    assert_eq!(change(&tianning, &tianning_doc), Allow);
    assert_eq!(change(&tianning, &town_doc), Allow);
    assert_eq!(change(&wujin, &tianning_doc), Hidden);
    assert_eq!(change(&town, &tianning_doc), Hidden);
    assert_eq!(change(&town, &town_doc), Allow);
    assert_eq!(change(&unit, &city_doc), Forbidden);
    assert_eq!(change(&admin, &town_doc), Allow);
    if let Invalid(e) = publish(&tianning, "city") {
        assert_eq!(e.field, "level");
    }
    // 六有: the unit keeps its own; staff only for a unit without an account.
    let keep = |a: &Actor, own_org, unit_has_account| {
        decide(
            a,
            Permission::KeepLiuyou {
                own_org,
                unit_has_account,
            },
        )
        .allowed()
    };
    assert!(keep(&unit, true, true));
    assert!(!keep(&unit, false, true));
    assert!(
        !keep(&tianning, false, true),
        "a reviewer does not edit the unit's checklist"
    );
    assert!(
        keep(&tianning, false, false),
        "staff keep it for a unit without an account"
    );
    // Reading, searching, inbox, acting for one's own organisation.
    let expert = actor(Role::Expert, Some("320400"));
    assert!(may(&unit, Permission::ReadRegisters) && !may(&expert, Permission::ReadRegisters));
    assert!(
        may(&expert, Permission::ReviewCases) && !may(&dept_worker(), Permission::ReadPolicies)
    );
    assert!(!may(&tianning, Permission::ActForOwnOrg));
    assert!(import_history_scope(&unit).is_none() && import_history_scope(&city).is_some());
    // Registers, workers, statistics, assessment: by role; the record's place in
    // the tree is then the scope's business.
    let dept = actor(Role::Department, None);
    for (who, registers, workers, assessment) in [
        (&admin, true, true, true),
        (&city, true, true, true),
        (&tianning, true, true, false),
        (&town, true, true, false),
        (&unit, false, true, false),
        (&dept, false, false, false),
        (&expert, false, false, false),
    ] {
        assert_eq!(
            decide(who, Permission::EditRegisters).allowed(),
            registers,
            "{:?}",
            who.role
        );
        assert_eq!(
            decide(who, Permission::RegisterWorkers).allowed(),
            workers,
            "{:?}",
            who.role
        );
        assert_eq!(
            decide(who, Permission::FileReports).allowed(),
            workers,
            "{:?}",
            who.role
        );
        assert_eq!(
            decide(who, Permission::ManageAssessment).allowed(),
            assessment,
            "{:?}",
            who.role
        );
    }
}

/// Contests and craftsman rounds: who plans, runs, enters, judges, opens, nominates.
#[test]
fn contests_and_craftsmen() {
    let op = actor(Role::Sysadmin, None);
    let city = actor(Role::City, Some("320400"));
    let district = actor(Role::District, Some("320402"));
    let town = actor(Role::Town, Some("320402001"));
    let dept = actor(Role::Department, Some("320400"));
    let mut unit = actor(Role::Unit, None);
    unit.org_id = Some(7);
    let expert = actor(Role::Expert, None);
    // Contests: planned at one's own level; run by the owning region or above, or
    // the organiser enterprise; entered by staff and units; judged by the panel.
    let plan = |a: &Actor, level| decide(a, Permission::PlanContest { level });
    assert!(plan(&op, "town").allowed() && plan(&city, "city").allowed());
    assert!(matches!(plan(&district, "city"), Decision::Invalid(_)));
    assert!(plan(&unit, "enterprise").allowed());
    assert_eq!(plan(&expert, "city"), Decision::Forbidden);
    let path = ["320400".to_string(), "320402".to_string()];
    let run = |a: &Actor, organiser| {
        may(
            a,
            Permission::RunContest {
                owner_path: &path,
                organiser,
            },
        )
    };
    assert!(run(&city, None) && run(&district, None) && !run(&town, None));
    assert!(!run(&unit, None) && run(&unit, unit.org_id) && !run(&dept, unit.org_id));
    assert!(may(&unit, Permission::EnterContest) && !may(&expert, Permission::EnterContest));
    assert!(may(&expert, Permission::JudgeContest { on_panel: true }));
    assert!(!may(&city, Permission::JudgeContest { on_panel: false }));
    // Craftsman rounds: opened at one's own level, nominated by the level below.
    let open = |a: &Actor, level| decide(a, Permission::OpenCraftsmanRound { level });
    assert!(open(&city, "city").allowed() && open(&unit, "enterprise").allowed());
    assert!(matches!(open(&town, "district"), Decision::Invalid(_)));
    assert_eq!(open(&expert, "city"), Decision::Forbidden);
    let nominate = |a: &Actor, round_level| may(a, Permission::NominateCraftsman { round_level });
    assert!(nominate(&district, "city") && !nominate(&city, "city"));
    assert!(nominate(&town, "district") && !nominate(&district, "district"));
    assert!(nominate(&unit, "town") && nominate(&unit, "enterprise") && !nominate(&town, "town"));
    let acts = |a: &Actor, round_level, district, town| {
        may(
            a,
            Permission::ActForNomination {
                round_level,
                district,
                town,
                org_id: 7,
            },
        )
    };
    assert!(acts(&district, "city", Some("320402"), None));
    assert!(!acts(&district, "city", Some("320412"), None));
    assert!(acts(&unit, "town", Some("320402"), None) && !acts(&city, "city", None, None));
    // Studios: kept by their enterprise or region staff.
    assert!(may(&unit, Permission::KeepStudio { org_id: 7 }));
    assert!(!may(&unit, Permission::KeepStudio { org_id: 8 }));
    assert!(may(&district, Permission::KeepStudio { org_id: 8 }));
    assert!(
        !may(&expert, Permission::KeepStudio { org_id: 7 })
            && !may(&dept, Permission::KeepStudio { org_id: 7 })
    );
    // Innovation results: filed by their enterprise or region staff; showcased by the city.
    assert!(may(&unit, Permission::FileInnovation { org_id: 7 }));
    assert!(!may(&unit, Permission::FileInnovation { org_id: 8 }));
    assert!(may(&district, Permission::FileInnovation { org_id: 8 }));
    assert!(!may(&expert, Permission::FileInnovation { org_id: 7 }));
    assert!(may(&city, Permission::ShowcaseInnovation));
    assert!(
        !may(&district, Permission::ShowcaseInnovation)
            && !may(&unit, Permission::ShowcaseInnovation)
    );
}

/// The staff capabilities, the assessment's conflict declarations, task closing by
/// level, inboxes and where accounts sit.
#[test]
fn staff_capabilities_inboxes_and_accounts() {
    let op = actor(Role::Sysadmin, None);
    let city = actor(Role::City, Some("320400"));
    let district = actor(Role::District, Some("320402"));
    let town = actor(Role::Town, Some("320402001"));
    let dept = actor(Role::Department, Some("320400"));
    let mut unit = actor(Role::Unit, None);
    unit.org_id = Some(7);
    let expert = actor(Role::Expert, None);
    let worker = actor(Role::Worker, None);
    // (who, coordinate, read registers, accounts, audit, assessment pages)
    for (a, co, rr, acc, au, sa) in [
        (&op, true, true, true, true, true),
        (&city, true, true, false, true, true),
        (&district, true, true, false, false, true),
        (&town, true, true, false, false, false),
        (&dept, false, true, false, false, false),
        (&unit, false, true, false, false, false),
        (&expert, false, false, false, false, true),
        (&worker, false, false, false, false, false),
    ] {
        let r = a.role;
        assert_eq!(may(a, Permission::Coordinate), co, "{r:?}");
        assert_eq!(may(a, Permission::EditRegisters), co, "{r:?}");
        assert_eq!(may(a, Permission::ReadRegisters), rr, "{r:?}");
        assert_eq!(may(a, Permission::ManageAccounts), acc, "{r:?}");
        assert_eq!(may(a, Permission::ReadAudit), au, "{r:?}");
        assert_eq!(may(a, Permission::SeeAssessment), sa, "{r:?}");
    }
    // Conflicts of interest: an expert for themselves only; the city for anyone.
    let conflict = |expert| Permission::DeclareConflict { expert };
    assert!(may(&expert, conflict(None)));
    assert!(may(&expert, conflict(Some(1))));
    assert!(!may(&expert, conflict(Some(2))));
    assert!(may(&city, conflict(Some(2))));
    assert!(!may(&city, conflict(None)));
    assert!(!may(&district, conflict(Some(2))));
    // Tasks close at the creator's level or above.
    let close = |level| Permission::CloseTask { level };
    assert!(may(&city, close("city")) && may(&op, close("town")));
    assert!(!may(&district, close("city")) && may(&district, close("district")));
    assert!(!may(&town, close("district")) && may(&town, close("town")));
    assert!(!may(&dept, close("town")) && !may(&unit, close("town")));
    // Training classes: region staff and units (for themselves, by scope).
    for (a, ok) in [
        (&op, true),
        (&town, true),
        (&unit, true),
        (&dept, false),
        (&expert, false),
        (&worker, false),
    ] {
        assert_eq!(may(a, Permission::KeepClasses), ok, "{:?}", a.role);
    }
    assert_eq!(office_level(&op), Some("city"));
    assert_eq!(office_level(&town), Some("town"));
    assert_eq!(office_level(&dept), None);
    // Inboxes.
    assert_eq!(inbox(&unit), Inbox::OwnDrafts { org_id: 7 });
    assert_eq!(inbox(&actor(Role::Unit, None)), Inbox::Nothing);
    assert_eq!(inbox(&op), Inbox::Everything);
    assert_eq!(
        inbox(&district),
        Inbox::InReviewUnder {
            level: 2,
            code: "320402".into()
        }
    );
    assert_eq!(
        inbox(&town),
        Inbox::InReviewUnder {
            level: 3,
            code: "320402001".into()
        }
    );
    assert_eq!(inbox(&expert), Inbox::ToScore { user_id: 1 });
    assert_eq!(inbox(&dept), Inbox::DepartmentReview);
    assert_eq!(inbox(&worker), Inbox::Nothing);
    // Accounts.
    assert_eq!(attachment(Role::District), Attachment::Region);
    assert_eq!(attachment(Role::Department), Attachment::Organisation);
    assert_eq!(attachment(Role::Expert), Attachment::Either);
    assert!(administers(Role::Sysadmin) && !administers(Role::City));
    assert!(serves_as_official(Role::Department) && !serves_as_official(Role::Sysadmin));
    assert!(!serves_as_official(Role::Unit));
}
