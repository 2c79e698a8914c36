//! Where the parts meet the engines: every part's registrations, one line each. An
//! engine declares what it takes (a `#[distributed_slice]`); a part registers here, and
//! no engine ever names a part. Adding a part adds its own files and its lines here.
use crate::engines::indicators::{FactSource, NodeFactSource, FACT_SOURCES, NODE_FACT_SOURCES};
use crate::engines::templates::{PartTemplate, PART_TEMPLATES};
use crate::engines::workflow::{CaseHooks, CASE_HOOKS};
use linkme::distributed_slice;

// ----- the indicator engine: each part's facts -----

#[distributed_slice(FACT_SOURCES)]
static PILOTS: FactSource = FactSource {
    part: "pilots",
    facts: |c, id, f| Box::pin(crate::pilots::facts(c, id, f)),
    orgs: "SELECT DISTINCT org_id FROM pilots",
};

#[distributed_slice(FACT_SOURCES)]
static REPORTS: FactSource = FactSource {
    part: "reports",
    facts: |c, id, f| Box::pin(crate::reports::facts(c, id, f)),
    orgs: "SELECT DISTINCT org_id FROM reports",
};

#[distributed_slice(FACT_SOURCES)]
static LIUYOU: FactSource = FactSource {
    part: "liuyou",
    facts: |c, id, f| Box::pin(crate::liuyou::facts(c, id, f)),
    orgs: "SELECT DISTINCT org_id FROM liuyou",
};

#[distributed_slice(FACT_SOURCES)]
static WORKERS: FactSource = FactSource {
    part: "workers",
    facts: |c, id, f| Box::pin(crate::parts::worker_facts::facts(c, id, f)),
    orgs: "SELECT DISTINCT org_id FROM workers",
};

#[distributed_slice(FACT_SOURCES)]
static DESIGNATIONS: FactSource = FactSource {
    part: "designations",
    facts: |c, id, f| Box::pin(crate::designations::facts(c, id, f)),
    orgs: "SELECT DISTINCT holder_org_id FROM designations",
};

#[distributed_slice(FACT_SOURCES)]
static CONTACTS: FactSource = FactSource {
    part: "contacts",
    facts: |c, id, f| Box::pin(crate::contacts::facts(c, id, f)),
    orgs: "SELECT DISTINCT org_id FROM contact_visits UNION SELECT DISTINCT org_id FROM contact_problems",
};

#[distributed_slice(FACT_SOURCES)]
static TASKS: FactSource = FactSource {
    part: "tasks",
    facts: |c, id, f| Box::pin(crate::tasks::facts(c, id, f)),
    orgs: "SELECT DISTINCT owner_org_id FROM tasks",
};

#[distributed_slice(FACT_SOURCES)]
static TRAINING: FactSource = FactSource {
    part: "training",
    facts: |c, id, f| Box::pin(crate::training::facts(c, id, f)),
    orgs: "SELECT DISTINCT org_id FROM training_classes UNION SELECT id FROM orgs WHERE college_type IS NOT NULL",
};

#[distributed_slice(FACT_SOURCES)]
static CONTESTS: FactSource = FactSource {
    part: "contests",
    facts: |c, id, f| Box::pin(crate::contests::facts(c, id, f)),
    orgs: "SELECT organiser_org_id FROM contests WHERE organiser_org_id IS NOT NULL UNION SELECT org_id FROM contest_results",
};

#[distributed_slice(NODE_FACT_SOURCES)]
static ASSESSMENT_SCORES: NodeFactSource = NodeFactSource {
    part: "assessment",
    measure: crate::assessment::SCORE_MEASURE,
    facts: |c| Box::pin(crate::assessment::score_facts(c)),
};

// ----- the importer: each part's templates -----

#[distributed_slice(PART_TEMPLATES)]
static CLASSES: PartTemplate = PartTemplate {
    kind: "classes",
    check: |svc, c, actor, f| Box::pin(crate::training::template::check(svc, c, actor, f)),
    write: |c, actor, row, now| Box::pin(crate::training::template::write(c, actor, row, now)),
    export: |svc, actor, region| Box::pin(crate::training::template::export(svc, actor, region)),
};

#[distributed_slice(PART_TEMPLATES)]
static CONTESTS_TEMPLATE: PartTemplate = PartTemplate {
    kind: "contests",
    check: |svc, c, actor, f| {
        Box::pin(crate::contests::template::check_contest_row(
            svc, c, actor, f,
        ))
    },
    write: |c, actor, row, now| {
        Box::pin(crate::contests::template::write_contest_row(
            c, actor, row, now,
        ))
    },
    export: |svc, actor, region| {
        Box::pin(crate::contests::template::export_contests(
            svc, actor, region,
        ))
    },
};

#[distributed_slice(PART_TEMPLATES)]
static CONTEST_RESULTS_TEMPLATE: PartTemplate = PartTemplate {
    kind: "contest_results",
    check: |svc, c, actor, f| {
        Box::pin(crate::contests::template::check_result_row(
            svc, c, actor, f,
        ))
    },
    write: |c, actor, row, now| {
        Box::pin(crate::contests::template::write_result_row(
            c, actor, row, now,
        ))
    },
    export: |svc, actor, region| {
        Box::pin(crate::contests::template::export_results(
            svc, actor, region,
        ))
    },
};

#[distributed_slice(FACT_SOURCES)]
static STUDIOS: FactSource = FactSource {
    part: "studios",
    facts: |c, id, f| Box::pin(crate::studios::facts(c, id, f)),
    orgs: "SELECT DISTINCT org_id FROM studios",
};

#[distributed_slice(FACT_SOURCES)]
static INNOVATIONS: FactSource = FactSource {
    part: "innovations",
    facts: |c, id, f| Box::pin(crate::innovations::facts(c, id, f)),
    orgs: "SELECT DISTINCT org_id FROM innovations",
};

#[distributed_slice(PART_TEMPLATES)]
static INNOVATIONS_TEMPLATE: PartTemplate = PartTemplate {
    kind: "innovations",
    check: |svc, c, actor, f| Box::pin(crate::innovations::template::check(svc, c, actor, f)),
    write: |c, actor, row, now| Box::pin(crate::innovations::template::write(c, actor, row, now)),
    export: |svc, actor, region| Box::pin(crate::innovations::template::export(svc, actor, region)),
};

// ----- the workflow engine: each part's case hooks -----

#[distributed_slice(CASE_HOOKS)]
static CONTEST_PLANS: CaseHooks = CaseHooks {
    part: "contests",
    processes: &["contest_plan", "contest_plan_city"],
    subject: Some(("contest", crate::contests::plan_subject_page)),
    sync: Some(|c, case, subject, actor, now| {
        Box::pin(crate::contests::sync_plan(c, case, subject, actor, now))
    }),
    ..CaseHooks::NONE
};

#[distributed_slice(CASE_HOOKS)]
static CONTEST_RESULTS: CaseHooks = CaseHooks {
    part: "contests",
    processes: &["contest_results"],
    sync: Some(|c, case, subject, actor, now| {
        Box::pin(crate::contests::results::sync_results(
            c, case, subject, actor, now,
        ))
    }),
    on_approve: Some(|svc, c, actor, case, data, now| {
        Box::pin(crate::contests::results::approve_results(
            svc, c, actor, case, data, now,
        ))
    }),
    ..CaseHooks::NONE
};

#[distributed_slice(CASE_HOOKS)]
static CONTEST_PROMOTIONS: CaseHooks = CaseHooks {
    part: "contests",
    processes: &["contest_promotion"],
    subject: Some((
        "contest_promotion",
        crate::contests::results::promotion_page,
    )),
    on_approve: Some(|svc, c, actor, case, data, now| {
        Box::pin(crate::contests::results::approve_promotion(
            svc, c, actor, case, data, now,
        ))
    }),
    ..CaseHooks::NONE
};

#[distributed_slice(CASE_HOOKS)]
static STUDIO_REVIEWS: CaseHooks = CaseHooks {
    part: "studios",
    processes: &["studio_review"],
    subject: Some(("studio_review", crate::studios::subject_page)),
    sync: Some(|c, case, subject, actor, now| {
        Box::pin(crate::studios::sync_review(c, case, subject, actor, now))
    }),
    on_approve: Some(|svc, c, actor, case, data, now| {
        Box::pin(crate::studios::approve_review(
            svc, c, actor, case, data, now,
        ))
    }),
    ..CaseHooks::NONE
};

#[distributed_slice(CASE_HOOKS)]
static CRAFTSMAN_NOMINATIONS: CaseHooks = CaseHooks {
    part: "craftsmen",
    processes: &[
        "craftsman_city",
        "craftsman_district",
        "craftsman_town",
        "craftsman_enterprise",
    ],
    subject: Some(("craftsman", crate::craftsmen::subject_page)),
    acts_for: Some(crate::craftsmen::acts_for_case),
    sync: Some(|c, case, subject, actor, now| {
        Box::pin(crate::craftsmen::sync_nomination(
            c, case, subject, actor, now,
        ))
    }),
    on_approve: Some(|svc, c, actor, case, data, now| {
        Box::pin(crate::craftsmen::approve_nomination(
            svc, c, actor, case, data, now,
        ))
    }),
    ..CaseHooks::NONE
};

#[distributed_slice(CASE_HOOKS)]
static INNOVATION_RESULTS: CaseHooks = CaseHooks {
    part: "innovations",
    processes: &[crate::innovations::PROCESS],
    subject: Some(("innovation", crate::innovations::subject_page)),
    sync: Some(|c, case, subject, actor, now| {
        Box::pin(crate::innovations::sync_case(c, case, subject, actor, now))
    }),
    on_approve: Some(|svc, c, actor, case, data, now| {
        Box::pin(crate::innovations::approve(svc, c, actor, case, data, now))
    }),
    ..CaseHooks::NONE
};

#[distributed_slice(CASE_HOOKS)]
static PILOT_APPLICATION: CaseHooks = CaseHooks {
    part: "pilots",
    processes: &["pilot_application"],
    check_start: Some(|c, org, data| {
        Box::pin(crate::parts::pilot_cases::check_application_start(
            c, org, data,
        ))
    }),
    check_move: Some(|c, case, data| {
        Box::pin(crate::parts::pilot_cases::check_application_move(
            c, case, data,
        ))
    }),
    on_approve: Some(|svc, c, actor, case, data, now| {
        Box::pin(crate::parts::pilot_cases::approve_application(
            svc, c, actor, case, data, now,
        ))
    }),
    ..CaseHooks::NONE
};

#[distributed_slice(CASE_HOOKS)]
static BENCHMARK_SELECTION: CaseHooks = CaseHooks {
    part: "pilots",
    processes: &["benchmark_selection"],
    on_approve: Some(|svc, c, actor, case, data, now| {
        Box::pin(crate::parts::pilot_cases::mark_benchmark(
            svc, c, actor, case, data, now,
        ))
    }),
    ..CaseHooks::NONE
};

#[distributed_slice(CASE_HOOKS)]
static LIUYOU_CASES: CaseHooks = CaseHooks {
    part: "liuyou",
    processes: &["liuyou"],
    subject: Some(("liuyou", crate::liuyou::subject_page)),
    check_submit: Some(|c, case, subject| {
        Box::pin(crate::liuyou::check_submit(c, case.id, subject))
    }),
    sync: Some(|c, case, subject, actor, now| {
        Box::pin(crate::liuyou::sync_from_case(
            c, case.id, subject, actor, now,
        ))
    }),
    ..CaseHooks::NONE
};

#[distributed_slice(CASE_HOOKS)]
static SELF_REPORTS: CaseHooks = CaseHooks {
    part: "assessment",
    processes: &["assessment_self_report"],
    subject: Some((
        "self_report",
        crate::parts::self_report_cases::self_report_page,
    )),
    acts_for: Some(crate::parts::self_report_cases::acts_for_case),
    sync: Some(|c, case, subject, actor, now| {
        Box::pin(crate::parts::self_report_cases::sync_self_report(
            c, case, subject, actor, now,
        ))
    }),
    ..CaseHooks::NONE
};

#[distributed_slice(CASE_HOOKS)]
static TASK_COMPLETION: CaseHooks = CaseHooks {
    part: "tasks",
    processes: &[
        "task_completion_city",
        "task_completion_district",
        "task_completion_town",
    ],
    subject: Some(("task", crate::task_completion::task_page)),
    sync: Some(|c, case, subject, actor, now| {
        Box::pin(crate::task_completion::sync_task_completion(
            c, case, subject, actor, now,
        ))
    }),
    ..CaseHooks::NONE
};

#[distributed_slice(CASE_HOOKS)]
static SKILL_PROMOTION: CaseHooks = CaseHooks {
    part: "training",
    processes: &[crate::training::promotion::PROCESS],
    subject: Some(("promotion", crate::training::promotion::subject_page)),
    on_approve: Some(|_svc, c, actor, case, data, now| {
        Box::pin(crate::training::promotion::approve(
            c, actor, case, data, now,
        ))
    }),
    ..CaseHooks::NONE
};

#[cfg(test)]
mod tests {
    use super::*;
    use gongjiang_domain::workflow::PROCESSES;

    /// Every process that drives a part's record has that part's hooks, and no process
    /// is claimed twice.
    #[test]
    fn every_process_is_registered_once() {
        for p in PROCESSES {
            let n = CASE_HOOKS
                .iter()
                .filter(|h| h.processes.contains(&p.code))
                .count();
            assert!(n <= 1, "{} registered {n} times", p.code);
            if p.subject.is_some() {
                assert_eq!(n, 1, "{} drives a record but has no hooks", p.code);
            }
        }
        for h in CASE_HOOKS {
            for code in h.processes {
                assert!(
                    PROCESSES.iter().any(|p| p.code == *code),
                    "{}: unknown process {code}",
                    h.part
                );
            }
        }
    }

    #[test]
    fn every_part_contributes_facts() {
        let parts: Vec<&str> = FACT_SOURCES.iter().map(|s| s.part).collect();
        for p in [
            "pilots",
            "reports",
            "liuyou",
            "workers",
            "designations",
            "contacts",
            "tasks",
            "training",
        ] {
            assert!(parts.contains(&p), "{p} has no fact source");
        }
        assert_eq!(NODE_FACT_SOURCES.len(), 1);
    }

    #[test]
    fn subject_pages_come_from_the_parts() {
        use crate::workflow::subject_page;
        assert_eq!(
            subject_page(Some("liuyou:7:2024")).as_deref(),
            Some("/liuyou/7/2024")
        );
        assert_eq!(subject_page(Some("task:12")).as_deref(), Some("/tasks/12"));
        assert_eq!(
            subject_page(Some("self_report:3:44:320402")).as_deref(),
            Some("/assessment/self/3/320402")
        );
        assert_eq!(subject_page(Some("unknown:1")), None);
        assert_eq!(subject_page(None), None);
    }
}
