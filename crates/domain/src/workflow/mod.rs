//! One workflow engine for every "apply or submit → review by one or more levels →
//! optional public notice (公示) → decision" process (domain.md, "Work system").
//!
//! A process is data: its form fields, its review steps (which role at which level of the
//! applicant's region path acts, the deadline, what the reviewer may change), whether a
//! public notice precedes the decision, and what approval does (e.g. create a pilot).
//! This module is pure: the state machine ([`advance`]), the reviewer rule
//! ([`may_review`]) and the form check ([`Process::check`]). Storage keeps cases, their
//! history and the inbox; later modules (contests, 揭榜挂帅, craftsmen, studios,
//! subsidies) add a [`Process`] to [`PROCESSES`] and reuse everything else.
use serde::Serialize;

mod process;
mod processes;
mod rules;
#[cfg(test)]
mod tests;

pub use process::{advance, may_review, Action, Path, Position, Process, Refusal, Status};
pub use processes::{task_completion_process, PROCESSES};
pub use rules::{
    check_case_score, check_notice_decision, check_objection_text, check_scoring_close,
    items_outcome, CheckItem, ItemStatus, ObjectionOutcome, Scoring, OBJECTION_MAX,
};

/// Who acts at a review step, relative to the applicant's place in the region tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reviewer {
    /// Town (镇/街道) staff of the applicant's town; skipped when the applicant sits
    /// directly under a district.
    Town,
    /// District (区) staff of the applicant's district.
    District,
    /// The city reform office.
    City,
    /// The applicant's district, or the city for an applicant directly under the city
    /// (never skipped).
    Area,
    /// A member department's staff (人社: skill levels and certificates); never skipped.
    Department,
}

impl Reviewer {
    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (Reviewer::Town, false) => "镇（街道）审核",
            (Reviewer::District, false) => "区产改办审核",
            (Reviewer::City, false) => "市产改办审核",
            (Reviewer::Town, true) => "Town review",
            (Reviewer::District, true) => "District review",
            (Reviewer::City, true) => "City review",
            (Reviewer::Area, false) => "属地审核（区产改办）",
            (Reviewer::Area, true) => "Review by the district",
            (Reviewer::Department, false) => "人社部门审核",
            (Reviewer::Department, true) => "Review by human resources (人社)",
        }
    }
}

/// One review step.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Step {
    pub code: &'static str,
    pub reviewer: Reviewer,
    /// Calendar days the reviewer has, from the moment the case reaches the step.
    pub deadline_days: i64,
    /// Form fields the reviewer may correct while reviewing (e.g. the pilot level).
    pub may_edit: &'static [&'static str],
}

impl Step {
    /// A review step: who reviews, and in how many calendar days.
    pub const fn new(code: &'static str, reviewer: Reviewer, deadline_days: i64) -> Step {
        Step {
            code,
            reviewer,
            deadline_days,
            may_edit: &[],
        }
    }
    /// The form fields the reviewer may correct at this step.
    pub const fn may_edit(self, fields: &'static [&'static str]) -> Step {
        Step {
            may_edit: fields,
            ..self
        }
    }
}

/// A form field of a process.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Field {
    pub key: &'static str,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    pub required: bool,
    pub kind: FieldKind,
    pub help_zh: &'static str,
}

impl Field {
    /// A field the applicant must fill in, with its label `(zh, en)`.
    pub const fn required(
        key: &'static str,
        label: (&'static str, &'static str),
        kind: FieldKind,
    ) -> Field {
        Field {
            key,
            label_zh: label.0,
            label_en: label.1,
            required: true,
            kind,
            help_zh: "",
        }
    }
    /// A field the applicant may leave empty.
    pub const fn optional(
        key: &'static str,
        label: (&'static str, &'static str),
        kind: FieldKind,
    ) -> Field {
        Field {
            required: false,
            ..Field::required(key, label, kind)
        }
    }
    /// The help line under the field.
    pub const fn help(self, help_zh: &'static str) -> Field {
        Field { help_zh, ..self }
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// One line, at most this many characters.
    Text(usize),
    /// Several paragraphs, at most this many characters.
    LongText(usize),
    /// A year from 2000 to the current year + 1.
    Year,
    /// One of (code, 中文, English).
    Choice(&'static [(&'static str, &'static str, &'static str)]),
}

/// The record a case drives, kept by the part whose process it is. The part registers
/// its hooks with the engine (storage `engines::workflow::CaseHooks`), which keeps the
/// record in step on every transition; here is only what a user sees: the part's page,
/// where such a case is started instead of on the case list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Subject {
    /// The page where such a case starts (e.g. `/liuyou`).
    pub page: &'static str,
    /// Label key of that page (e.g. `nav.liuyou`).
    pub page_label: &'static str,
    /// Label key of the name under which the page's processes are listed together
    /// (the three 销号 processes share one); `None`: each process by its own name.
    pub listed_as: Option<&'static str>,
}

/// A pilot unit's 六有 checklist for a year (`liuyou:<org>:<year>`).
pub const LIUYOU_SUBJECT: Subject = Subject {
    page: "/liuyou",
    page_label: "nav.liuyou",
    listed_as: None,
};

/// A target's self-report in an assessment round (`self_report:<round>:<target>`).
pub const SELF_REPORT_SUBJECT: Subject = Subject {
    page: "/assessment/self",
    page_label: "nav.selfreport",
    listed_as: None,
};

/// A task the owner unit reports as completed (销号, `task:<id>`).
/// A skill promotion (晋级) of a registered worker, from a class's completion with its
/// certificate (`promotion:<trainee id>`), kept by the training part.
pub const PROMOTION_SUBJECT: Subject = Subject {
    page: "/training",
    page_label: "nav.training",
    listed_as: None,
};

/// A contest (`contest:<id>`): its plan and its results' 公示, kept by the contests
/// part; and a winner's 以赛促评 promotion (`contest_promotion:<contest>:<result>`).
pub const STUDIO_SUBJECT: Subject = Subject {
    page: "/studios",
    page_label: "nav.studios",
    listed_as: None,
};

/// An innovation result (`innovation:<id>`), filed by its enterprise.
pub const INNOVATION_SUBJECT: Subject = Subject {
    page: "/innovations",
    page_label: "nav.innovations",
    listed_as: None,
};

pub const CRAFTSMAN_SUBJECT: Subject = Subject {
    page: "/craftsmen",
    page_label: "nav.craftsmen",
    listed_as: None,
};

pub const CONTEST_SUBJECT: Subject = Subject {
    page: "/contests",
    page_label: "nav.contests",
    listed_as: None,
};

pub const TASK_COMPLETION_SUBJECT: Subject = Subject {
    page: "/tasks",
    page_label: "nav.tasks",
    listed_as: Some("cases.task_completion"),
};
