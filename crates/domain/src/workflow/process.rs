//! A process and its state machine: statuses, actions, where a case stands, the
//! refusals, [`advance`] and the reviewer rule [`may_review`].
use super::processes::PROCESSES;
use super::rules::{CheckItem, Scoring};
use super::{Field, FieldKind, Reviewer, Step, Subject};
use crate::error::{FieldError, Rule};
use crate::role::Role;
use serde::Serialize;
use std::collections::BTreeMap;

/// A process definition.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Process {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub fields: &'static [Field],
    pub steps: &'static [Step],
    /// Days of public notice (公示) after the last review, before the city decides.
    pub notice_days: Option<i64>,
    /// Checklist items reviewed one by one; empty when the case is reviewed as a whole.
    pub items: &'static [CheckItem],
    /// The record the case drives, kept by its part; `None` when the case is the
    /// record. What approval does besides closing the case is the part's too (its
    /// `on_approve` hook).
    pub subject: Option<Subject>,
    /// Expert scoring between the reviews and the notice.
    pub scoring: Option<Scoring>,
    /// Who runs the expert stage and decides at the end of the notice: the city for
    /// most processes; a district's or a town's own selection is decided there.
    pub decider: Reviewer,
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    InReview,
    Returned,
    Scoring,
    Notice,
    Approved,
    Rejected,
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Draft,
        Status::InReview,
        Status::Returned,
        Status::Scoring,
        Status::Notice,
        Status::Approved,
        Status::Rejected,
        Status::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::InReview => "in_review",
            Status::Returned => "returned",
            Status::Scoring => "scoring",
            Status::Notice => "notice",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.code() == s)
    }

    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (Status::Draft, false) => "草稿",
            (Status::InReview, false) => "审核中",
            (Status::Returned, false) => "已退回修改",
            (Status::Scoring, false) => "专家评审中",
            (Status::Scoring, true) => "Expert scoring",
            (Status::Notice, false) => "公示中",
            (Status::Approved, false) => "已通过",
            (Status::Rejected, false) => "未通过",
            (Status::Withdrawn, false) => "已撤回",
            (Status::Draft, true) => "Draft",
            (Status::InReview, true) => "In review",
            (Status::Returned, true) => "Returned for correction",
            (Status::Notice, true) => "Public notice",
            (Status::Approved, true) => "Approved",
            (Status::Rejected, true) => "Rejected",
            (Status::Withdrawn, true) => "Withdrawn",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Approved | Status::Rejected | Status::Withdrawn
        )
    }
}

/// What someone does to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The applicant sends a draft or a returned case (again) for review.
    Submit,
    /// The reviewer of the current step passes it on (or, at the end, approves; after
    /// expert scoring, the city closes the scoring and passes it on).
    Accept,
    /// The reviewer sends it back to the applicant with a reason.
    Return,
    /// The reviewer refuses it (final), with a reason.
    Reject,
    /// The applicant takes it back before a decision.
    Withdraw,
}

impl Action {
    pub const ALL: [Action; 5] = [
        Action::Submit,
        Action::Accept,
        Action::Return,
        Action::Reject,
        Action::Withdraw,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Accept => "accept",
            Action::Return => "return",
            Action::Reject => "reject",
            Action::Withdraw => "withdraw",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|x| x.code() == s)
    }

    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (Action::Submit, false) => "提交",
            (Action::Accept, false) => "审核通过",
            (Action::Return, false) => "退回修改",
            (Action::Reject, false) => "不予通过",
            (Action::Withdraw, false) => "撤回",
            (Action::Submit, true) => "Submit",
            (Action::Accept, true) => "Accept",
            (Action::Return, true) => "Return for correction",
            (Action::Reject, true) => "Reject",
            (Action::Withdraw, true) => "Withdraw",
        }
    }

    /// Return and reject need a written reason.
    pub fn needs_comment(self) -> bool {
        matches!(self, Action::Return | Action::Reject)
    }

    /// Actions of the applicant (the others are the reviewer's).
    pub fn by_applicant(self) -> bool {
        matches!(self, Action::Submit | Action::Withdraw)
    }
}

/// The position of a case: its status and, while in review, the index of its step
/// (`steps.len()` means the public notice / final decision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub status: Status,
    pub step: Option<usize>,
}

/// The applicant's region path: which of the levels exist (town may be absent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Path {
    pub district: Option<String>,
    pub town: Option<String>,
}

/// A process is declared in [`PROCESSES`] with these: what a reader needs to see
/// (code, names, form, steps) and, added one by one, what departs from the usual —
/// reviewed as a whole, no notice, no expert stage, decided by the city, the case is
/// the record.
///
/// ```ignore
/// Process::new("contest_plan", ("竞赛计划审批", "Contest plan approval"), FIELDS, STEPS)
///     .subject(CONTEST_SUBJECT)
///     .notice(5)
/// ```
impl Process {
    pub const fn new(
        code: &'static str,
        (name_zh, name_en): (&'static str, &'static str),
        fields: &'static [Field],
        steps: &'static [Step],
    ) -> Process {
        Process {
            code,
            name_zh,
            name_en,
            fields,
            steps,
            notice_days: None,
            items: &[],
            subject: None,
            scoring: None,
            decider: Reviewer::City,
        }
    }

    /// Days of public notice (公示) before the decision.
    pub const fn notice(self, days: i64) -> Process {
        Process {
            notice_days: Some(days),
            ..self
        }
    }

    /// The part's record the case drives.
    pub const fn subject(self, subject: Subject) -> Process {
        Process {
            subject: Some(subject),
            ..self
        }
    }

    /// An expert stage between the reviews and the notice.
    pub const fn scoring(self, scoring: Scoring) -> Process {
        Process {
            scoring: Some(scoring),
            ..self
        }
    }

    /// Checklist items reviewed one by one.
    pub const fn items(self, items: &'static [CheckItem]) -> Process {
        Process { items, ..self }
    }

    /// Who runs the expert stage and decides, when not the city.
    pub const fn decided_by(self, decider: Reviewer) -> Process {
        Process { decider, ..self }
    }
}

impl Process {
    pub fn find(code: &str) -> Option<&'static Process> {
        PROCESSES.iter().find(|p| p.code == code)
    }

    pub fn name(&self, en: bool) -> &'static str {
        if en {
            self.name_en
        } else {
            self.name_zh
        }
    }

    /// The first step at or after `from` that applies to this applicant.
    fn next_step(&self, from: usize, path: &Path) -> Option<usize> {
        (from..self.steps.len()).find(|&i| match self.steps[i].reviewer {
            Reviewer::Town => path.town.is_some(),
            Reviewer::District => path.district.is_some(),
            Reviewer::City | Reviewer::Area | Reviewer::Department => true,
        })
    }

    /// The label of a position's step (a review step, or the notice).
    pub fn step_label(&self, step: Option<usize>, en: bool) -> &'static str {
        match step {
            Some(i) if i < self.steps.len() => self.steps[i].reviewer.label(en),
            Some(_) if self.scoring.is_some() && self.notice_days.is_none() => {
                if en {
                    "Expert scoring and decision"
                } else {
                    "专家评审与决定"
                }
            }
            Some(_) => {
                if en {
                    "Public notice and decision"
                } else {
                    "公示与决定"
                }
            }
            None => "",
        }
    }

    /// Deadline in days for a position (review step or notice).
    pub fn deadline_days(&self, step: Option<usize>) -> Option<i64> {
        match step {
            Some(i) if i < self.steps.len() => Some(self.steps[i].deadline_days),
            Some(_) => self.notice_days,
            None => None,
        }
    }

    /// Deadline in days for a position, the expert scoring included.
    pub fn deadline_at(&self, at: Position) -> Option<i64> {
        match (at.status, self.scoring) {
            (Status::Scoring, Some(s)) => Some(s.days),
            _ => self.deadline_days(at.step),
        }
    }

    /// Checks a form: required fields, lengths, years, choices. Unknown keys are refused.
    /// Returns the normalised values.
    pub fn check(
        &self,
        data: &BTreeMap<String, String>,
        this_year: i32,
    ) -> Result<BTreeMap<String, String>, Vec<FieldError>> {
        let (out, errors) = self.normalise(data, this_year);
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    /// The values that passed, normalised (choices as codes), and every problem.
    pub fn normalise(
        &self,
        data: &BTreeMap<String, String>,
        this_year: i32,
    ) -> (BTreeMap<String, String>, Vec<FieldError>) {
        let mut errors = Vec::new();
        let mut out = BTreeMap::new();
        for k in data.keys() {
            if !self.fields.iter().any(|f| f.key == k) {
                errors.push(FieldError::new(
                    k.clone(),
                    Rule::UnknownValue,
                    format!("“{}”申请没有字段“{k}”", self.name_zh),
                    format!("{} has no field '{k}'", self.name_en),
                ));
            }
        }
        for f in self.fields {
            let v = data.get(f.key).map(|s| s.trim()).unwrap_or("");
            if v.is_empty() {
                if f.required {
                    errors.push(FieldError::required(f.key, f.label_zh, f.label_en));
                }
                continue;
            }
            let checked = match f.kind {
                FieldKind::Text(max) | FieldKind::LongText(max) => {
                    if v.chars().count() > max {
                        Err(FieldError::new(
                            f.key,
                            Rule::TooLong,
                            format!("{}不能超过{max}个字", f.label_zh),
                            format!("{} is longer than {max} characters", f.label_en),
                        ))
                    } else {
                        Ok(v.to_string())
                    }
                }
                FieldKind::Year => match v.parse::<i32>() {
                    Ok(y) if (2000..=this_year + 1).contains(&y) => Ok(y.to_string()),
                    _ => Err(FieldError::new(
                        f.key,
                        Rule::BadFormat,
                        format!(
                            "{}“{v}”无效，应为2000至{}之间的年份",
                            f.label_zh,
                            this_year + 1
                        ),
                        format!(
                            "{} '{v}' must be a year from 2000 to {}",
                            f.label_en,
                            this_year + 1
                        ),
                    )),
                },
                FieldKind::Choice(choices) => choices
                    .iter()
                    .find(|(c, zh, en)| *c == v || *zh == v || en.eq_ignore_ascii_case(v))
                    .map(|(c, _, _)| c.to_string())
                    .ok_or_else(|| {
                        let list: Vec<&str> = choices.iter().map(|(_, zh, _)| *zh).collect();
                        FieldError::new(
                            f.key,
                            Rule::UnknownValue,
                            format!("{}“{v}”无效，应为：{}", f.label_zh, list.join("、")),
                            format!("{} '{v}' is not one of the choices", f.label_en),
                        )
                    }),
            };
            match checked {
                Ok(v) => {
                    out.insert(f.key.to_string(), v);
                }
                Err(e) => errors.push(e),
            }
        }
        (out, errors)
    }
}

/// Why an action is not possible now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The action does not apply in this status (e.g. accept a draft).
    WrongState,
    /// A reason is required.
    CommentRequired,
    /// The public notice has not run its days yet.
    NoticeRunning,
    /// An objection lodged during the notice has no answer yet.
    ObjectionsOpen,
    /// An objection was upheld: return or reject instead.
    ObjectionUpheld,
    /// Expert scoring cannot close yet: an assigned expert has not scored, or too few.
    ScoringIncomplete,
}

/// The state machine: where `action` takes a case at `at`.
pub fn advance(
    p: &Process,
    at: Position,
    action: Action,
    path: &Path,
    comment: &str,
) -> Result<Position, Refusal> {
    if action.needs_comment() && comment.trim().is_empty() {
        return Err(Refusal::CommentRequired);
    }
    let review = |step: Option<usize>| Position {
        status: Status::InReview,
        step,
    };
    let scoring_or_next = |p: &Process, from_scoring: bool| {
        if !from_scoring && p.scoring.is_some() {
            return Position {
                status: Status::Scoring,
                step: Some(p.steps.len()),
            };
        }
        match p.notice_days {
            Some(_) => Position {
                status: Status::Notice,
                step: Some(p.steps.len()),
            },
            None => Position {
                status: Status::Approved,
                step: None,
            },
        }
    };
    let notice_or_decision = |p: &Process| scoring_or_next(p, false);
    match (at.status, action) {
        (Status::Draft | Status::Returned, Action::Submit) => Ok(match p.next_step(0, path) {
            Some(i) => review(Some(i)),
            None => notice_or_decision(p),
        }),
        (Status::Draft | Status::Returned | Status::InReview, Action::Withdraw) => Ok(Position {
            status: Status::Withdrawn,
            step: None,
        }),
        (Status::InReview, Action::Accept) => {
            let cur = at.step.unwrap_or(0);
            Ok(match p.next_step(cur + 1, path) {
                Some(i) => review(Some(i)),
                None => notice_or_decision(p),
            })
        }
        (Status::Scoring, Action::Accept) => Ok(scoring_or_next(p, true)),
        (Status::Notice, Action::Accept) => Ok(Position {
            status: Status::Approved,
            step: None,
        }),
        (Status::InReview | Status::Scoring | Status::Notice, Action::Return) => Ok(Position {
            status: Status::Returned,
            step: None,
        }),
        (Status::InReview | Status::Scoring | Status::Notice, Action::Reject) => Ok(Position {
            status: Status::Rejected,
            step: None,
        }),
        _ => Err(Refusal::WrongState),
    }
}

/// Who may act for the reviewer of a position: the city (and the system administrator)
/// at city steps and the notice; district staff of the applicant's district; town staff
/// of its town. Never the person who submitted the case.
pub fn may_review(
    p: &Process,
    at: Position,
    role: Role,
    region: Option<&str>,
    path: &Path,
) -> bool {
    let reviewer = match (at.status, at.step) {
        (Status::InReview, Some(i)) if i < p.steps.len() => p.steps[i].reviewer,
        (Status::Notice | Status::Scoring, _) => p.decider,
        _ => return false,
    };
    match reviewer {
        Reviewer::City => matches!(role, Role::City | Role::Sysadmin),
        Reviewer::District => role == Role::District && region == path.district.as_deref(),
        Reviewer::Town => role == Role::Town && region == path.town.as_deref(),
        Reviewer::Department => role == Role::Department,
        Reviewer::Area => match path.district.as_deref() {
            Some(d) => role == Role::District && region == Some(d),
            None => matches!(role, Role::City | Role::Sysadmin),
        },
    }
}
