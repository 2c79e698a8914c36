//! The annual task list (年度任务清单 / 重点工作) and the joint meetings (联席会议):
//! validation of what users type, the computed status of a task, who may act on it
//! by level, and attendance codes. Pure: "today" is passed in as `YYYY-MM-DD`.
use crate::error::{text, FieldError, Rule};
use crate::Role;

/// The status of a task, computed (never stored): done when marked done; cancelled
/// (撤销) when withdrawn with a reason; overdue when its deadline has passed and it is
/// not done; in progress once a report was filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStatus {
    NotStarted,
    InProgress,
    Done,
    Overdue,
    Cancelled,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 5] = [
        TaskStatus::NotStarted,
        TaskStatus::InProgress,
        TaskStatus::Done,
        TaskStatus::Overdue,
        TaskStatus::Cancelled,
    ];

    pub fn compute(done: bool, deadline: &str, reports: i64, today: &str) -> TaskStatus {
        TaskStatus::of(done, false, deadline, reports, today)
    }

    /// As [`TaskStatus::compute`], for a task that may have been cancelled. A cancelled
    /// task counts neither as open nor as done (it leaves the completion rate).
    pub fn of(
        done: bool,
        cancelled: bool,
        deadline: &str,
        reports: i64,
        today: &str,
    ) -> TaskStatus {
        if cancelled && !done {
            TaskStatus::Cancelled
        } else if done {
            TaskStatus::Done
        } else if deadline < today {
            TaskStatus::Overdue
        } else if reports > 0 {
            TaskStatus::InProgress
        } else {
            TaskStatus::NotStarted
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "not_started",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Done => "done",
            TaskStatus::Overdue => "overdue",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<TaskStatus> {
        TaskStatus::ALL.into_iter().find(|t| t.code() == s)
    }

    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (TaskStatus::NotStarted, false) => "未启动",
            (TaskStatus::InProgress, false) => "推进中",
            (TaskStatus::Done, false) => "已完成",
            (TaskStatus::Overdue, false) => "已逾期",
            (TaskStatus::Cancelled, false) => "已撤销",
            (TaskStatus::NotStarted, true) => "Not started",
            (TaskStatus::InProgress, true) => "In progress",
            (TaskStatus::Done, true) => "Done",
            (TaskStatus::Overdue, true) => "Overdue",
            (TaskStatus::Cancelled, true) => "Cancelled",
        }
    }
}

/// The administrative rank of a role, for "the creator's level or above" (0 = none).
pub fn level_rank(role: Role) -> u8 {
    match role {
        Role::Sysadmin => 4,
        Role::City => 3,
        Role::District => 2,
        Role::Town => 1,
        _ => 0,
    }
}

/// The level name of a region staff role (`city`, `district`, `town`); the platform
/// operator counts as the city.
pub fn creator_level(role: Role) -> Option<&'static str> {
    match role {
        Role::Sysadmin | Role::City => Some("city"),
        Role::District => Some("district"),
        Role::Town => Some("town"),
        _ => None,
    }
}

/// May an actor of `role` mark done or supervise (督办) a task created at `level`?
/// Only the creator's level or a level above it.
pub fn may_close(role: Role, level: &str) -> bool {
    let need = match level {
        "city" => 3,
        "district" => 2,
        _ => 1,
    };
    level_rank(role) >= need
}

/// The label of a region level (`city`, `district`, `town`).
pub fn level_label(level: &str, en: bool) -> &'static str {
    match (level, en) {
        ("city", false) => "市级",
        ("district", false) => "区级",
        ("town", false) => "镇（街道）级",
        ("city", true) => "City",
        ("district", true) => "District",
        ("town", true) => "Town",
        _ => "",
    }
}

/// Checks `YYYY-MM-DD` (a real calendar date).
pub fn date(field: &str, label: (&str, &str), value: &str) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::required(field, label.0, label.1));
    }
    match chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) if v.len() == 10 => Ok(d.format("%Y-%m-%d").to_string()),
        _ => Err(FieldError::new(
            field,
            Rule::BadFormat,
            format!(
                "{}须为有效日期，格式 YYYY-MM-DD（如 2024-12-31），收到“{v}”",
                label.0
            ),
            format!(
                "{} must be a real date as YYYY-MM-DD (e.g. 2024-12-31), got '{v}'",
                label.1
            ),
        )),
    }
}

fn year(value: i64) -> Result<i64, FieldError> {
    if (2000..=2100).contains(&value) {
        Ok(value)
    } else {
        Err(FieldError::new(
            "year",
            Rule::BadFormat,
            format!("年度须在 2000–2100 之间，收到 {value}"),
            format!("year must be between 2000 and 2100, got {value}"),
        ))
    }
}

fn non_negative(
    field: &str,
    label: (&str, &str),
    v: Option<i64>,
) -> Result<Option<i64>, FieldError> {
    match v {
        Some(n) if n < 0 => Err(FieldError::new(
            field,
            Rule::BadFormat,
            format!("{}不能为负数", label.0),
            format!("{} cannot be negative", label.1),
        )),
        _ => Ok(v),
    }
}

/// An http(s) link, or nothing.
pub fn link(field: &str, label: (&str, &str), value: &str) -> Result<Option<String>, FieldError> {
    let Some(v) = text(field, label, value, false, 500)? else {
        return Ok(None);
    };
    if !(v.starts_with("http://") || v.starts_with("https://") || v.starts_with('/'))
        || v.contains(' ')
    {
        return Err(FieldError::new(
            field,
            Rule::BadFormat,
            format!("{}须为以 http:// 或 https:// 开头的链接", label.0),
            format!(
                "{} must be a link starting with http:// or https://",
                label.1
            ),
        ));
    }
    Ok(Some(v))
}

/// A task as typed, before the owner unit and region are resolved.
#[derive(Debug, Clone, Default)]
pub struct TaskDraft {
    pub year: i64,
    pub title: String,
    pub description: String,
    pub deadline: String,
    pub target_text: String,
    pub target_value: Option<i64>,
    pub target_unit: String,
}

/// A valid task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFields {
    pub year: i64,
    pub title: String,
    pub description: String,
    pub deadline: String,
    pub target_text: String,
    pub target_value: Option<i64>,
    pub target_unit: Option<String>,
}

/// Checks a new task; a deadline before `today` is refused (`deadline`, forbidden_value).
pub fn check_task(d: &TaskDraft, today: &str) -> Result<TaskFields, Vec<FieldError>> {
    let mut errs = Vec::new();
    let y = year(d.year).map_err(|e| errs.push(e)).ok();
    let title = text("title", ("任务名称", "Title"), &d.title, true, 200)
        .map_err(|e| errs.push(e))
        .ok()
        .flatten();
    let description = text(
        "description",
        ("任务内容", "Description"),
        &d.description,
        false,
        4000,
    )
    .map_err(|e| errs.push(e))
    .ok()
    .flatten();
    let deadline = match date("deadline", ("完成时限", "Deadline"), &d.deadline) {
        Ok(v) if v.as_str() < today => {
            errs.push(FieldError::new(
                "deadline",
                Rule::Forbidden,
                format!("完成时限 {v} 已过（今天是 {today}），请填写今天或以后的日期"),
                format!("the deadline {v} is in the past (today is {today})"),
            ));
            None
        }
        Ok(v) => Some(v),
        Err(e) => {
            errs.push(e);
            None
        }
    };
    let target_text = text(
        "target_text",
        ("量化目标", "Measurable target"),
        &d.target_text,
        true,
        500,
    )
    .map_err(|e| errs.push(e))
    .ok()
    .flatten();
    let target_value = non_negative("target_value", ("目标值", "Target value"), d.target_value)
        .map_err(|e| errs.push(e))
        .ok()
        .flatten();
    let target_unit = text(
        "target_unit",
        ("目标单位", "Target unit"),
        &d.target_unit,
        false,
        20,
    )
    .map_err(|e| errs.push(e))
    .ok()
    .flatten();
    match (y, title, deadline, target_text) {
        (Some(year), Some(title), Some(deadline), Some(target_text)) if errs.is_empty() => {
            Ok(TaskFields {
                year,
                title,
                description: description.unwrap_or_default(),
                deadline,
                target_text,
                target_value,
                target_unit,
            })
        }
        _ => Err(errs),
    }
}

/// A progress report as typed.
#[derive(Debug, Clone, Default)]
pub struct ProgressDraft {
    pub date: String,
    pub percent: Option<i64>,
    pub value: Option<i64>,
    pub note: String,
    pub evidence_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressFields {
    pub date: String,
    pub percent: Option<i64>,
    pub value: Option<i64>,
    pub note: String,
    pub evidence_url: Option<String>,
}

/// Checks a progress report: a date not after `today`, a percent 0–100 or a value
/// achieved (at least one of them), a text.
pub fn check_progress(d: &ProgressDraft, today: &str) -> Result<ProgressFields, Vec<FieldError>> {
    let mut errs = Vec::new();
    let date = match date("date", ("报告日期", "Report date"), &d.date) {
        Ok(v) if v.as_str() > today => {
            errs.push(FieldError::new(
                "date",
                Rule::Forbidden,
                format!("报告日期 {v} 晚于今天（{today}）"),
                format!("the report date {v} is after today ({today})"),
            ));
            None
        }
        Ok(v) => Some(v),
        Err(e) => {
            errs.push(e);
            None
        }
    };
    if let Some(p) = d.percent {
        if !(0..=100).contains(&p) {
            errs.push(FieldError::new(
                "percent",
                Rule::BadFormat,
                format!("完成进度须在 0–100 之间，收到 {p}"),
                format!("percent must be between 0 and 100, got {p}"),
            ));
        }
    }
    let value = non_negative("value", ("已完成值", "Value achieved"), d.value)
        .map_err(|e| errs.push(e))
        .ok()
        .flatten();
    if d.percent.is_none() && d.value.is_none() {
        errs.push(FieldError::new(
            "percent",
            Rule::Required,
            "请填写完成进度（%）或已完成值",
            "give a percent complete or a value achieved",
        ));
    }
    let note = text("note", ("进展情况", "Progress note"), &d.note, true, 2000)
        .map_err(|e| errs.push(e))
        .ok()
        .flatten();
    let evidence_url = link(
        "evidence_url",
        ("佐证材料链接", "Evidence link"),
        &d.evidence_url,
    )
    .map_err(|e| errs.push(e))
    .ok()
    .flatten();
    match (date, note) {
        (Some(date), Some(note)) if errs.is_empty() => Ok(ProgressFields {
            date,
            percent: d.percent,
            value,
            note,
            evidence_url,
        }),
        _ => Err(errs),
    }
}

/// Attendance of a member unit at a meeting.
pub const ATTENDANCE: &[(&str, &str, &str)] = &[
    ("present", "出席", "Present"),
    ("deputy", "委托出席", "Deputy"),
    ("absent", "缺席", "Absent"),
];

pub fn attendance_label(code: &str, en: bool) -> &'static str {
    ATTENDANCE
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, zh, e)| if en { *e } else { *zh })
        .unwrap_or("")
}

/// Checks an attendance code.
pub fn check_attendance(field: &str, code: &str) -> Result<&'static str, FieldError> {
    ATTENDANCE
        .iter()
        .find(|(c, _, _)| *c == code.trim())
        .map(|(c, _, _)| *c)
        .ok_or_else(|| {
            FieldError::new(
                field,
                Rule::UnknownValue,
                format!(
                    "出席情况须为 出席（present）、委托出席（deputy） 或 缺席（absent），收到“{code}”"
                ),
                format!("attendance must be present, deputy or absent, got '{code}'"),
            )
        })
}

/// A meeting as typed.
#[derive(Debug, Clone, Default)]
pub struct MeetingDraft {
    pub title: String,
    pub date: String,
    pub place: String,
    pub agenda: Vec<String>,
    pub minutes: String,
    pub decisions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingFields {
    pub title: String,
    pub date: String,
    pub place: String,
    pub agenda: Vec<String>,
    pub minutes: String,
    pub decisions: Vec<String>,
}

/// Checks a meeting: title, date, place, at least one agenda item; minutes and
/// decisions may follow later.
pub fn check_meeting(d: &MeetingDraft) -> Result<MeetingFields, Vec<FieldError>> {
    let mut errs = Vec::new();
    let title = text("title", ("会议名称", "Title"), &d.title, true, 200)
        .map_err(|e| errs.push(e))
        .ok()
        .flatten();
    let date = date("date", ("会议日期", "Date"), &d.date)
        .map_err(|e| errs.push(e))
        .ok();
    let place = text("place", ("会议地点", "Place"), &d.place, true, 200)
        .map_err(|e| errs.push(e))
        .ok()
        .flatten();
    let mut list = |field: &str, label: (&str, &str), items: &[String], need: bool| {
        let mut out = Vec::new();
        for it in items {
            match text(field, label, it, false, 500) {
                Ok(Some(v)) => out.push(v),
                Ok(None) => {}
                Err(e) => errs.push(e),
            }
        }
        if need && out.is_empty() {
            errs.push(FieldError::required(field, label.0, label.1));
        }
        out
    };
    let agenda = list("agenda", ("会议议程", "Agenda"), &d.agenda, true);
    let decisions = list("decisions", ("议定事项", "Decisions"), &d.decisions, false);
    let minutes = text(
        "minutes",
        ("会议纪要", "Minutes"),
        &d.minutes,
        false,
        20_000,
    )
    .map_err(|e| errs.push(e))
    .ok()
    .flatten();
    match (title, date, place) {
        (Some(title), Some(date), Some(place)) if errs.is_empty() => Ok(MeetingFields {
            title,
            date,
            place,
            agenda,
            minutes: minutes.unwrap_or_default(),
            decisions,
        }),
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_is_computed() {
        assert_eq!(
            TaskStatus::compute(true, "2020-01-01", 0, "2024-06-01"),
            TaskStatus::Done
        );
        assert_eq!(
            TaskStatus::compute(false, "2024-05-31", 3, "2024-06-01"),
            TaskStatus::Overdue
        );
        assert_eq!(
            TaskStatus::compute(false, "2024-06-01", 1, "2024-06-01"),
            TaskStatus::InProgress
        );
        assert_eq!(
            TaskStatus::compute(false, "2024-12-31", 0, "2024-06-01"),
            TaskStatus::NotStarted
        );
        assert_eq!(
            TaskStatus::of(false, true, "2024-05-31", 1, "2024-06-01"),
            TaskStatus::Cancelled
        );
        assert_eq!(TaskStatus::parse("cancelled"), Some(TaskStatus::Cancelled));
    }

    #[test]
    fn past_deadline_is_refused() {
        let d = TaskDraft {
            year: 2024,
            title: "培育高技能人才".into(),
            deadline: "2024-05-31".into(),
            target_text: "新增 500 名".into(),
            ..Default::default()
        };
        let e = check_task(&d, "2024-06-01").unwrap_err();
        assert_eq!(e[0].field, "deadline");
        assert!(check_task(
            &TaskDraft {
                deadline: "2024-06-01".into(),
                ..d.clone()
            },
            "2024-06-01"
        )
        .is_ok());
        let e = check_task(
            &TaskDraft {
                deadline: "2024-02-30".into(),
                ..d
            },
            "2024-01-01",
        )
        .unwrap_err();
        assert_eq!(e[0].rule, Rule::BadFormat);
    }

    #[test]
    fn levels() {
        assert!(may_close(Role::City, "district"));
        assert!(!may_close(Role::District, "city"));
        assert!(may_close(Role::Town, "town"));
        assert!(!may_close(Role::Department, "town"));
    }

    #[test]
    fn progress_needs_a_measure() {
        let d = ProgressDraft {
            date: "2024-03-01".into(),
            note: "已开班".into(),
            ..Default::default()
        };
        assert_eq!(
            check_progress(&d, "2024-06-01").unwrap_err()[0].field,
            "percent"
        );
        let ok = ProgressDraft {
            percent: Some(40),
            evidence_url: "https://x.cn/a".into(),
            ..d
        };
        assert!(check_progress(&ok, "2024-06-01").is_ok());
        assert_eq!(
            check_attendance("a", "late").unwrap_err().rule,
            Rule::UnknownValue
        );
    }
}
