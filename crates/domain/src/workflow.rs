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
use crate::error::{FieldError, Rule};
use crate::role::Role;
use serde::Serialize;
use std::collections::BTreeMap;

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

/// A checklist item of a process whose review goes item by item (e.g. the 六有): each
/// item carries its own evidence and is accepted or returned with a reason on its own.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CheckItem {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// What counts as evidence, shown on the form.
    pub guidance_zh: &'static str,
}

impl CheckItem {
    pub fn name(&self, en: bool) -> &'static str {
        if en {
            self.name_en
        } else {
            self.name_zh
        }
    }
}

/// Where a checklist item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Nothing yet, or being written.
    Draft,
    Submitted,
    Accepted,
    Returned,
}

impl ItemStatus {
    pub fn code(self) -> &'static str {
        match self {
            ItemStatus::Draft => "draft",
            ItemStatus::Submitted => "submitted",
            ItemStatus::Accepted => "accepted",
            ItemStatus::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<ItemStatus> {
        [
            ItemStatus::Draft,
            ItemStatus::Submitted,
            ItemStatus::Accepted,
            ItemStatus::Returned,
        ]
        .into_iter()
        .find(|x| x.code() == s)
    }

    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (ItemStatus::Draft, false) => "待提交",
            (ItemStatus::Submitted, false) => "待审核",
            (ItemStatus::Accepted, false) => "已通过",
            (ItemStatus::Returned, false) => "已退回",
            (ItemStatus::Draft, true) => "Not submitted",
            (ItemStatus::Submitted, true) => "Awaiting review",
            (ItemStatus::Accepted, true) => "Accepted",
            (ItemStatus::Returned, true) => "Returned",
        }
    }

    /// The applicant may edit the item's evidence.
    pub fn editable(self) -> bool {
        matches!(self, ItemStatus::Draft | ItemStatus::Returned)
    }

    /// Where a submit takes the item: drafts and returned items go to review; accepted
    /// items stay accepted (only what was returned is looked at again).
    pub fn on_submit(self) -> ItemStatus {
        match self {
            ItemStatus::Accepted => ItemStatus::Accepted,
            _ => ItemStatus::Submitted,
        }
    }
}

/// What the item decisions of a case mean for the case once none is pending: any item
/// returned → the case is returned; all accepted → the step is accepted. `None` while an
/// item still waits for its decision.
pub fn items_outcome(items: &[ItemStatus]) -> Option<Action> {
    if items.contains(&ItemStatus::Submitted) || items.contains(&ItemStatus::Draft) {
        None
    } else if items.contains(&ItemStatus::Returned) {
        Some(Action::Return)
    } else {
        Some(Action::Accept)
    }
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
pub const TASK_COMPLETION_SUBJECT: Subject = Subject {
    page: "/tasks",
    page_label: "nav.tasks",
    listed_as: Some("cases.task_completion"),
};

/// An objection lodged during the public notice (公示异议), and how the city answered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionOutcome {
    /// Not answered yet.
    Open,
    /// The objection holds: the case cannot be approved as it stands.
    Upheld,
    /// Looked into and found not to hold.
    Dismissed,
}

impl ObjectionOutcome {
    pub fn code(self) -> &'static str {
        match self {
            ObjectionOutcome::Open => "open",
            ObjectionOutcome::Upheld => "upheld",
            ObjectionOutcome::Dismissed => "dismissed",
        }
    }

    pub fn parse(s: &str) -> Option<ObjectionOutcome> {
        [
            ObjectionOutcome::Open,
            ObjectionOutcome::Upheld,
            ObjectionOutcome::Dismissed,
        ]
        .into_iter()
        .find(|x| x.code() == s)
    }

    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (ObjectionOutcome::Open, false) => "待处理",
            (ObjectionOutcome::Upheld, false) => "异议成立",
            (ObjectionOutcome::Dismissed, false) => "异议不成立",
            (ObjectionOutcome::Open, true) => "Open",
            (ObjectionOutcome::Upheld, true) => "Upheld",
            (ObjectionOutcome::Dismissed, true) => "Dismissed",
        }
    }
}

/// The longest objection or answer, in characters.
pub const OBJECTION_MAX: usize = 2000;

/// Checks the text of an objection or of its answer (`field` names it in the error).
pub fn check_objection_text(field: &str, text: &str) -> Result<String, FieldError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(FieldError::required(
            field,
            if field == "response" {
                "处理意见"
            } else {
                "异议内容"
            },
            if field == "response" {
                "Response"
            } else {
                "Objection"
            },
        ));
    }
    if t.chars().count() > OBJECTION_MAX {
        return Err(FieldError::new(
            field,
            Rule::TooLong,
            format!("不能超过{OBJECTION_MAX}个字"),
            format!("longer than {OBJECTION_MAX} characters"),
        ));
    }
    Ok(t.to_string())
}

/// May the decision after the public notice be taken now? Approval waits until the
/// notice period has run (`now >= notice_ends`) and every objection is answered, and is
/// impossible while an objection is upheld (the case is then returned or rejected).
/// Returning or rejecting during the notice is always possible.
pub fn check_notice_decision(
    action: Action,
    now: i64,
    notice_ends: Option<i64>,
    objections: &[ObjectionOutcome],
) -> Result<(), Refusal> {
    if action != Action::Accept {
        return Ok(());
    }
    if notice_ends.is_some_and(|end| now < end) {
        return Err(Refusal::NoticeRunning);
    }
    if objections.contains(&ObjectionOutcome::Open) {
        return Err(Refusal::ObjectionsOpen);
    }
    if objections.contains(&ObjectionOutcome::Upheld) {
        return Err(Refusal::ObjectionUpheld);
    }
    Ok(())
}

/// Expert scoring after the reviews (optional in a process): the city assigns experts,
/// who score independently (0 to `max`) against written criteria; the city closes the
/// scoring once every assigned expert has scored and at least `min_experts` have. The
/// aggregate is the mean, or the trimmed mean from five experts (as in the assessment).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Scoring {
    pub max: i64,
    pub min_experts: usize,
    pub days: i64,
    pub criteria_zh: &'static str,
    pub criteria_en: &'static str,
}

/// May the city close the scoring with `scored` of `assigned` experts having scored?
pub fn check_scoring_close(s: &Scoring, assigned: usize, scored: usize) -> Result<(), Refusal> {
    if scored < assigned || scored < s.min_experts {
        Err(Refusal::ScoringIncomplete)
    } else {
        Ok(())
    }
}

/// Checks an expert's score.
pub fn check_case_score(s: &Scoring, score: f64) -> Result<f64, FieldError> {
    if score.is_finite() && (0.0..=s.max as f64).contains(&score) {
        Ok((score * 100.0).round() / 100.0)
    } else {
        Err(FieldError::new(
            "score",
            Rule::BadFormat,
            format!("评分应在0至{}之间", s.max),
            format!("the score must be from 0 to {}", s.max),
        ))
    }
}

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
            Reviewer::City | Reviewer::Area => true,
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
        (Status::Notice | Status::Scoring, _) => Reviewer::City,
        _ => return false,
    };
    match reviewer {
        Reviewer::City => matches!(role, Role::City | Role::Sysadmin),
        Reviewer::District => role == Role::District && region == path.district.as_deref(),
        Reviewer::Town => role == Role::Town && region == path.town.as_deref(),
        Reviewer::Area => match path.district.as_deref() {
            Some(d) => role == Role::District && region == Some(d),
            None => matches!(role, Role::City | Role::Sysadmin),
        },
    }
}

const PILOT_LEVELS: &[(&str, &str, &str)] = &[
    ("province", "省级", "Provincial"),
    ("city", "市级", "City"),
    ("county", "县级", "County"),
    ("town", "镇级", "Town"),
];

const APPLICATION_FIELDS: &[Field] = &[
    Field {
        key: "level",
        label_zh: "申报级别",
        label_en: "Level applied for",
        required: true,
        kind: FieldKind::Choice(PILOT_LEVELS),
        help_zh: "通常先申报市级试点",
    },
    Field {
        key: "year",
        label_zh: "申报年度",
        label_en: "Year",
        required: true,
        kind: FieldKind::Year,
        help_zh: "",
    },
    Field {
        key: "feature",
        label_zh: "特色（一企一特色/一园一品牌）",
        label_en: "Feature",
        required: true,
        kind: FieldKind::Text(200),
        help_zh: "一句话概括本单位产改特色",
    },
    Field {
        key: "plan",
        label_zh: "试点工作方案",
        label_en: "Pilot plan",
        required: true,
        kind: FieldKind::LongText(5000),
        help_zh: "目标、举措、进度安排、保障措施",
    },
    Field {
        key: "contact",
        label_zh: "联系人及电话",
        label_en: "Contact",
        required: false,
        kind: FieldKind::Text(100),
        help_zh: "",
    },
];

const REVIEW_STEPS: &[Step] = &[
    Step {
        code: "town",
        reviewer: Reviewer::Town,
        deadline_days: 7,
        may_edit: &[],
    },
    Step {
        code: "district",
        reviewer: Reviewer::District,
        deadline_days: 10,
        may_edit: &["level"],
    },
    Step {
        code: "city",
        reviewer: Reviewer::City,
        deadline_days: 15,
        may_edit: &["level"],
    },
];

const CHECK_FIELDS: &[Field] = &[
    Field {
        key: "year",
        label_zh: "年度",
        label_en: "Year",
        required: true,
        kind: FieldKind::Year,
        help_zh: "",
    },
    Field {
        key: "summary",
        label_zh: "工作总结",
        label_en: "Summary",
        required: true,
        kind: FieldKind::LongText(5000),
        help_zh: "年度目标完成情况、主要做法、成效与问题",
    },
];

const LIUYOU_STEPS: &[Step] = &[Step {
    code: "area",
    reviewer: Reviewer::Area,
    deadline_days: 15,
    may_edit: &[],
}];

const TARGET_KINDS: &[(&str, &str, &str)] = &[
    ("district", "辖市区", "District"),
    ("member_unit", "成员单位", "Member unit"),
    ("pilot_unit", "试点单位", "Pilot unit"),
];

const SELF_REPORT_FIELDS: &[Field] = &[
    Field {
        key: "year",
        label_zh: "考核年度",
        label_en: "Year",
        required: true,
        kind: FieldKind::Year,
        help_zh: "",
    },
    Field {
        key: "round",
        label_zh: "考核轮次",
        label_en: "Round",
        required: true,
        kind: FieldKind::Text(200),
        help_zh: "",
    },
    Field {
        key: "target_kind",
        label_zh: "考核对象类型",
        label_en: "Target kind",
        required: true,
        kind: FieldKind::Choice(TARGET_KINDS),
        help_zh: "",
    },
    Field {
        key: "target_key",
        label_zh: "考核对象",
        label_en: "Target",
        required: true,
        kind: FieldKind::Text(20),
        help_zh: "",
    },
];

const SELF_REPORT_STEPS: &[Step] = &[Step {
    code: "city",
    reviewer: Reviewer::City,
    deadline_days: 10,
    may_edit: &[],
}];

const COMPLETION_FIELDS: &[Field] = &[
    Field {
        key: "summary",
        label_zh: "完成情况",
        label_en: "What was done",
        required: true,
        kind: FieldKind::LongText(2000),
        help_zh: "对照目标说明完成情况，佐证材料可作为附件上传",
    },
    Field {
        key: "achieved",
        label_zh: "完成值",
        label_en: "Value achieved",
        required: false,
        kind: FieldKind::Text(50),
        help_zh: "有量化目标的，填写实际完成值",
    },
];

const fn completion_step(reviewer: Reviewer) -> [Step; 1] {
    [Step {
        code: "creator",
        reviewer,
        deadline_days: 10,
        may_edit: &[],
    }]
}
const COMPLETION_CITY: &[Step] = &completion_step(Reviewer::City);
const COMPLETION_DISTRICT: &[Step] = &completion_step(Reviewer::Area);
const COMPLETION_TOWN: &[Step] = &completion_step(Reviewer::Town);

/// The completion process of a task created at `level` (city, district, town): the
/// level that set the task checks that it is done.
pub fn task_completion_process(level: &str) -> &'static str {
    match level {
        "town" => "task_completion_town",
        "district" => "task_completion_district",
        _ => "task_completion_city",
    }
}

const BENCHMARK_FIELDS: &[Field] = &[
    Field {
        key: "year",
        label_zh: "评选年度",
        label_en: "Year",
        required: true,
        kind: FieldKind::Year,
        help_zh: "",
    },
    Field {
        key: "achievements",
        label_zh: "试点成效与可复制经验",
        label_en: "Results and transferable practice",
        required: true,
        kind: FieldKind::LongText(5000),
        help_zh: "对照试点方案写明主要成效、数据和可推广的做法",
    },
];

const BENCHMARK_STEPS: &[Step] = &[
    Step {
        code: "district",
        reviewer: Reviewer::Area,
        deadline_days: 10,
        may_edit: &[],
    },
    Step {
        code: "city",
        reviewer: Reviewer::City,
        deadline_days: 15,
        may_edit: &[],
    },
];

/// Every process the engine runs.
pub static PROCESSES: &[Process] = &[
    Process {
        code: "benchmark_selection",
        name_zh: "标杆试点评选",
        name_en: "Benchmark pilot selection",
        fields: BENCHMARK_FIELDS,
        steps: BENCHMARK_STEPS,
        notice_days: Some(5),
        items: &[],
        subject: None,
        scoring: Some(Scoring {
            max: 100,
            min_experts: 3,
            days: 10,
            criteria_zh: "工作成效（40分）、创新做法（30分）、可复制推广价值（30分）",
            criteria_en: "results (40), innovation (30), transferability (30)",
        }),
    },
    Process {
        code: "task_completion_city",
        name_zh: "任务销号（市级任务）",
        name_en: "Task completion (city task)",
        fields: COMPLETION_FIELDS,
        steps: COMPLETION_CITY,
        notice_days: None,
        items: &[],
        subject: Some(TASK_COMPLETION_SUBJECT),
        scoring: None,
    },
    Process {
        code: "task_completion_district",
        name_zh: "任务销号（区级任务）",
        name_en: "Task completion (district task)",
        fields: COMPLETION_FIELDS,
        steps: COMPLETION_DISTRICT,
        notice_days: None,
        items: &[],
        subject: Some(TASK_COMPLETION_SUBJECT),
        scoring: None,
    },
    Process {
        code: "task_completion_town",
        name_zh: "任务销号（镇级任务）",
        name_en: "Task completion (town task)",
        fields: COMPLETION_FIELDS,
        steps: COMPLETION_TOWN,
        notice_days: None,
        items: &[],
        subject: Some(TASK_COMPLETION_SUBJECT),
        scoring: None,
    },
    Process {
        code: "assessment_self_report",
        name_zh: "考核自评审核",
        name_en: "Assessment self-report",
        fields: SELF_REPORT_FIELDS,
        steps: SELF_REPORT_STEPS,
        notice_days: None,
        items: &[],
        subject: Some(SELF_REPORT_SUBJECT),
        scoring: None,
    },
    Process {
        code: "liuyou",
        name_zh: "六有佐证审核",
        name_en: "六有 checklist review",
        fields: &[Field {
            key: "year",
            label_zh: "年度",
            label_en: "Year",
            required: true,
            kind: FieldKind::Year,
            help_zh: "",
        }],
        steps: LIUYOU_STEPS,
        notice_days: None,
        items: &crate::liuyou::ITEMS,
        subject: Some(LIUYOU_SUBJECT),
        scoring: None,
    },
    Process {
        code: "pilot_application",
        name_zh: "试点申报",
        name_en: "Pilot application",
        fields: APPLICATION_FIELDS,
        steps: REVIEW_STEPS,
        notice_days: Some(5),
        items: &[],
        subject: None,
        scoring: None,
    },
    Process {
        code: "pilot_yearly_check",
        name_zh: "试点年度检查",
        name_en: "Pilot yearly check",
        fields: CHECK_FIELDS,
        steps: REVIEW_STEPS,
        notice_days: None,
        items: &[],
        subject: None,
        scoring: None,
    },
    Process {
        code: "pilot_acceptance",
        name_zh: "试点验收",
        name_en: "Pilot final acceptance",
        fields: CHECK_FIELDS,
        steps: REVIEW_STEPS,
        notice_days: Some(5),
        items: &[],
        subject: None,
        scoring: None,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

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
}
