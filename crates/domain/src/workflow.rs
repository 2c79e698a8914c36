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
}

impl Reviewer {
    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (Reviewer::Town, false) => "镇(街道)审核",
            (Reviewer::District, false) => "区产改办审核",
            (Reviewer::City, false) => "市产改办审核",
            (Reviewer::Town, true) => "Town review",
            (Reviewer::District, true) => "District review",
            (Reviewer::City, true) => "City review",
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

/// What approval does besides closing the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Nothing else: the approved case is the record.
    None,
    /// Adds the applicant to the pilot register (fields `level`, `year`, `feature`).
    CreatePilot,
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
    pub effect: Effect,
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    InReview,
    Returned,
    Notice,
    Approved,
    Rejected,
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Draft,
        Status::InReview,
        Status::Returned,
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
    /// The reviewer of the current step passes it on (or, at the end, approves).
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
            Reviewer::City => true,
        })
    }

    /// The label of a position's step (a review step, or the notice).
    pub fn step_label(&self, step: Option<usize>, en: bool) -> &'static str {
        match step {
            Some(i) if i < self.steps.len() => self.steps[i].reviewer.label(en),
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
                            "{}“{v}”无效,应为2000至{}之间的年份",
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
                            format!("{}“{v}”无效,应为:{}", f.label_zh, list.join("、")),
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
    let notice_or_decision = |p: &Process| match p.notice_days {
        Some(_) => Position {
            status: Status::Notice,
            step: Some(p.steps.len()),
        },
        None => Position {
            status: Status::Approved,
            step: None,
        },
    };
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
        (Status::Notice, Action::Accept) => Ok(Position {
            status: Status::Approved,
            step: None,
        }),
        (Status::InReview | Status::Notice, Action::Return) => Ok(Position {
            status: Status::Returned,
            step: None,
        }),
        (Status::InReview | Status::Notice, Action::Reject) => Ok(Position {
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
        (Status::Notice, _) => Reviewer::City,
        _ => return false,
    };
    match reviewer {
        Reviewer::City => matches!(role, Role::City | Role::Sysadmin),
        Reviewer::District => role == Role::District && region == path.district.as_deref(),
        Reviewer::Town => role == Role::Town && region == path.town.as_deref(),
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
        label_zh: "特色(一企一特色/一园一品牌)",
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

/// Every process the engine runs.
pub static PROCESSES: &[Process] = &[
    Process {
        code: "pilot_application",
        name_zh: "试点申报",
        name_en: "Pilot application",
        fields: APPLICATION_FIELDS,
        steps: REVIEW_STEPS,
        notice_days: Some(5),
        effect: Effect::CreatePilot,
    },
    Process {
        code: "pilot_yearly_check",
        name_zh: "试点年度检查",
        name_en: "Pilot yearly check",
        fields: CHECK_FIELDS,
        steps: REVIEW_STEPS,
        notice_days: None,
        effect: Effect::None,
    },
    Process {
        code: "pilot_acceptance",
        name_zh: "试点验收",
        name_en: "Pilot final acceptance",
        fields: CHECK_FIELDS,
        steps: REVIEW_STEPS,
        notice_days: Some(5),
        effect: Effect::None,
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
