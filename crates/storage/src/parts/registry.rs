//! Where the parts meet the engines: every part's registrations, one line each. An
//! engine declares what it takes (a `#[distributed_slice]`); a part registers here, and
//! no engine ever names a part. Adding a part adds its own files and its lines here.
use crate::engines::indicators::{FactSource, NodeFactSource, FACT_SOURCES, NODE_FACT_SOURCES};
use crate::engines::templates::{PartTemplate, PART_TEMPLATES};
use crate::engines::workflow::{CaseHooks, CASE_HOOKS};
use linkme::distributed_slice;

/// `facts!(NAME, "part", its facts function, "SQL listing the organisations it has facts for")`.
macro_rules! facts {
    ($name:ident, $part:literal, $facts:path, $orgs:expr) => {
        #[distributed_slice(FACT_SOURCES)]
        static $name: FactSource = FactSource {
            part: $part,
            facts: |c, id, f| Box::pin($facts(c, id, f)),
            orgs: $orgs,
        };
    };
}

/// `template!(NAME, "kind", check_row, write_row, export)`: an import template of a part.
macro_rules! template {
    ($name:ident, $kind:literal, $check:path, $write:path, $export:path) => {
        #[distributed_slice(PART_TEMPLATES)]
        static $name: PartTemplate = PartTemplate {
            kind: $kind,
            check: |svc, c, actor, f| Box::pin($check(svc, c, actor, f)),
            write: |c, actor, row, now| Box::pin($write(c, actor, row, now)),
            export: |svc, actor, region| Box::pin($export(svc, actor, region)),
        };
    };
}

/// A case hook that keeps the part's record in step with its case.
macro_rules! sync {
    ($f:path) => {
        Some(|c, case, subject, actor, now| Box::pin($f(c, case, subject, actor, now)))
    };
}

/// A case hook for a record under its parent that only takes its case's status:
/// `follows!("<subject prefix>", "<table>")` (`workflow::follow_subject`).
macro_rules! follows {
    ($prefix:literal, $table:literal) => {
        Some(|c, case, subject, _actor, now| {
            Box::pin(crate::workflow::follow_subject(
                c, case, subject, $prefix, $table, now,
            ))
        })
    };
}

/// A case hook that writes what an approval decides.
macro_rules! on_approve {
    ($f:path) => {
        Some(|svc, c, actor, case, data, now| Box::pin($f(svc, c, actor, case, data, now)))
    };
}

// ----- the indicator engine: each part's facts -----

facts!(
    PILOTS,
    "pilots",
    crate::pilots::facts,
    "SELECT DISTINCT org_id FROM pilots"
);

facts!(
    REPORTS,
    "reports",
    crate::reports::facts,
    "SELECT DISTINCT org_id FROM reports"
);

facts!(
    LIUYOU,
    "liuyou",
    crate::liuyou::facts,
    "SELECT DISTINCT org_id FROM liuyou"
);

facts!(
    WORKERS,
    "workers",
    crate::parts::worker_facts::facts,
    "SELECT DISTINCT org_id FROM workers"
);

facts!(
    DESIGNATIONS,
    "designations",
    crate::designations::facts,
    "SELECT DISTINCT holder_org_id FROM designations"
);

facts!(
    CONTACTS,
    "contacts",
    crate::contacts::facts,
    "SELECT DISTINCT org_id FROM contact_visits UNION SELECT DISTINCT org_id FROM contact_problems"
);

facts!(
    TASKS,
    "tasks",
    crate::tasks::facts,
    "SELECT DISTINCT owner_org_id FROM tasks"
);

facts!(TRAINING, "training", crate::training::facts,
    "SELECT DISTINCT org_id FROM training_classes UNION SELECT id FROM orgs WHERE college_type IS NOT NULL");

facts!(CONTESTS, "contests", crate::contests::facts,
    "SELECT organiser_org_id FROM contests WHERE organiser_org_id IS NOT NULL UNION SELECT org_id FROM contest_results");

facts!(
    STUDIOS,
    "studios",
    crate::studios::facts,
    "SELECT DISTINCT org_id FROM studios"
);

facts!(
    INNOVATIONS,
    "innovations",
    crate::innovations::facts,
    "SELECT DISTINCT org_id FROM innovations"
);

#[distributed_slice(NODE_FACT_SOURCES)]
static ASSESSMENT_SCORES: NodeFactSource = NodeFactSource {
    part: "assessment",
    measure: crate::assessment::SCORE_MEASURE,
    facts: |c| Box::pin(crate::assessment::score_facts(c)),
};

// ----- the importer: each part's templates -----

template!(
    CLASSES,
    "classes",
    crate::training::template::check,
    crate::training::template::write,
    crate::training::template::export
);

template!(
    CONTESTS_TEMPLATE,
    "contests",
    crate::contests::template::check_contest_row,
    crate::contests::template::write_contest_row,
    crate::contests::template::export_contests
);

template!(
    CONTEST_RESULTS_TEMPLATE,
    "contest_results",
    crate::contests::template::check_result_row,
    crate::contests::template::write_result_row,
    crate::contests::template::export_results
);

template!(
    INNOVATIONS_TEMPLATE,
    "innovations",
    crate::innovations::template::check,
    crate::innovations::template::write,
    crate::innovations::template::export
);

// ----- the workflow engine: each part's case hooks -----

#[distributed_slice(CASE_HOOKS)]
static CONTEST_PLANS: CaseHooks = CaseHooks {
    part: "contests",
    processes: &["contest_plan", "contest_plan_city"],
    subject: Some(("contest", crate::contests::plan_subject_page)),
    sync: sync!(crate::contests::sync_plan),
    ..CaseHooks::NONE
};

#[distributed_slice(CASE_HOOKS)]
static CONTEST_RESULTS: CaseHooks = CaseHooks {
    part: "contests",
    processes: &["contest_results"],
    sync: sync!(crate::contests::results::sync_results),
    on_approve: on_approve!(crate::contests::results::approve_results),
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
    on_approve: on_approve!(crate::contests::results::approve_promotion),
    ..CaseHooks::NONE
};

#[distributed_slice(CASE_HOOKS)]
static STUDIO_REVIEWS: CaseHooks = CaseHooks {
    part: "studios",
    processes: &["studio_review"],
    subject: Some(("studio_review", crate::studios::subject_page)),
    sync: follows!("studio_review", "studio_reviews"),
    on_approve: on_approve!(crate::studios::approve_review),
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
    sync: follows!("craftsman", "craftsman_nominations"),
    on_approve: on_approve!(crate::craftsmen::approve_nomination),
    ..CaseHooks::NONE
};

#[distributed_slice(CASE_HOOKS)]
static INNOVATION_RESULTS: CaseHooks = CaseHooks {
    part: "innovations",
    processes: &[crate::innovations::PROCESS],
    subject: Some(("innovation", crate::innovations::subject_page)),
    sync: sync!(crate::innovations::sync_case),
    on_approve: on_approve!(crate::innovations::approve),
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
    on_approve: on_approve!(crate::parts::pilot_cases::approve_application),
    ..CaseHooks::NONE
};

#[distributed_slice(CASE_HOOKS)]
static BENCHMARK_SELECTION: CaseHooks = CaseHooks {
    part: "pilots",
    processes: &["benchmark_selection"],
    on_approve: on_approve!(crate::parts::pilot_cases::mark_benchmark),
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
    sync: sync!(crate::parts::self_report_cases::sync_self_report),
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
    sync: sync!(crate::task_completion::sync_task_completion),
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
