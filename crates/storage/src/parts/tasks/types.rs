//! The wire types of tasks and joint meetings: what the API returns, the inputs it
//! takes (new, progress, edits) and the list filters.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Task {
    pub id: i64,
    pub year: i64,
    pub title: String,
    pub description: String,
    pub owner_org_id: i64,
    pub owner_name: String,
    /// The lead region (牵头区域).
    pub region_code: String,
    pub region_name: String,
    /// YYYY-MM-DD
    pub deadline: String,
    pub target_text: String,
    pub target_value: Option<i64>,
    pub target_unit: Option<String>,
    /// Latest reported percent (0–100).
    pub progress: i64,
    /// Latest reported value achieved.
    pub achieved: Option<i64>,
    /// Number of progress reports.
    pub reports: i64,
    /// not_started, in_progress, done, overdue (computed from the deadline), cancelled.
    pub status: String,
    pub status_label: String,
    pub done_at: Option<i64>,
    pub done_by: Option<String>,
    /// Cancelled (撤销): when, by whom, why. A cancelled task leaves the completion rate.
    pub cancelled_at: Option<i64>,
    pub cancelled_by: Option<String>,
    pub cancel_reason: Option<String>,
    /// Flagged for 督办.
    pub supervised: bool,
    pub supervise_note: Option<String>,
    pub supervised_at: Option<i64>,
    pub supervised_by: Option<String>,
    /// The meeting whose decision created the task.
    pub meeting_id: Option<i64>,
    pub meeting_title: Option<String>,
    /// city, district or town: this level or above marks it done or 督办.
    pub creator_level: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Progress {
    pub id: i64,
    /// YYYY-MM-DD
    pub date: String,
    pub percent: Option<i64>,
    pub achieved: Option<i64>,
    pub note: String,
    pub evidence_url: Option<String>,
    pub username: String,
    pub display_name: String,
    pub created_at: i64,
}

/// A new task. `owner`: the owner unit's id or 统一社会信用代码; `region`: the lead
/// region (default: the creator's region).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    pub year: i64,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub owner: String,
    #[serde(default)]
    pub region: Option<String>,
    /// YYYY-MM-DD, today or later.
    pub deadline: String,
    pub target_text: String,
    #[serde(default)]
    pub target_value: Option<i64>,
    #[serde(default)]
    pub target_unit: Option<String>,
}

/// A progress report: a percent (0–100) or a value achieved, or both.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressInput {
    /// YYYY-MM-DD, not after today.
    pub date: String,
    #[serde(default)]
    pub percent: Option<i64>,
    #[serde(default)]
    pub value: Option<i64>,
    pub note: String,
    #[serde(default)]
    pub evidence_url: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub year: Option<i64>,
    pub status: Option<String>,
    pub region: Option<String>,
    pub owner_org_id: Option<i64>,
    pub supervised: bool,
    pub meeting_id: Option<i64>,
    pub q: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// Completion by owner unit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitRow {
    pub org_id: i64,
    pub org_name: String,
    pub total: i64,
    pub done: i64,
    pub overdue: i64,
    pub supervised: i64,
    /// done ÷ total × 100
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatusCount {
    pub code: String,
    pub label: String,
    pub count: i64,
}

/// The task list of a year at a glance: counts by status, completion by unit, and the
/// tasks that need attention (overdue or 督办, not done).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub year: i64,
    /// Counts in the order not_started, in_progress, done, overdue, cancelled.
    pub by_status: Vec<StatusCount>,
    pub supervised: i64,
    pub by_unit: Vec<UnitRow>,
    pub alerts: Vec<Task>,
}

// ----- joint meetings -----

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Body {
    pub id: i64,
    pub region_code: String,
    pub region_name: String,
    /// city, district or town
    pub level: String,
    pub level_label: String,
    pub name: String,
    pub members: Vec<Member>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Member {
    pub org_id: i64,
    pub org_name: String,
}

/// A joint-meeting body: one per region; `members` are organisation ids or 统一社会信用代码.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyInput {
    pub region: String,
    pub name: String,
    #[serde(default)]
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Meeting {
    pub id: i64,
    pub body_id: i64,
    pub body_name: String,
    pub level: String,
    pub level_label: String,
    pub region_code: String,
    pub region_name: String,
    pub title: String,
    /// YYYY-MM-DD
    pub date: String,
    pub place: String,
    pub agenda: Vec<String>,
    pub minutes: String,
    /// Members present or represented by a deputy, of all members recorded.
    pub present: i64,
    pub members: i64,
    pub decisions: i64,
    pub version: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Attendance {
    pub org_id: i64,
    pub org_name: String,
    /// present, deputy, absent
    pub status: String,
    pub status_label: String,
    pub attendee: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Decision {
    pub id: i64,
    pub seq: i64,
    pub text: String,
    /// The task it became, with its current status.
    pub task_id: Option<i64>,
    pub task_title: Option<String>,
    pub task_status: Option<String>,
    pub task_status_label: Option<String>,
    pub task_owner: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceInput {
    pub org_id: i64,
    /// present, deputy, absent
    pub status: String,
    #[serde(default)]
    pub attendee: Option<String>,
}

/// A meeting of a body. Members without an attendance entry are recorded absent.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingInput {
    pub body_id: i64,
    pub title: String,
    /// YYYY-MM-DD
    pub date: String,
    pub place: String,
    pub agenda: Vec<String>,
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub attendance: Vec<AttendanceInput>,
    #[serde(default)]
    pub decisions: Vec<String>,
}

/// Turns a decision into a task: the owner unit and the deadline; the title and target
/// default to the decision's text and the year to the meeting's.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionTaskInput {
    pub owner: String,
    /// YYYY-MM-DD, today or later.
    pub deadline: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub target_text: Option<String>,
    #[serde(default)]
    pub year: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct MeetingFilter {
    pub body_id: Option<i64>,
    pub level: Option<String>,
    pub region: Option<String>,
    pub year: Option<i64>,
    pub page: i64,
    pub per_page: i64,
}

// ----- corrections -----

/// For optional values that can be cleared: absent = keep, `null` = clear.
fn some_or_null<'de, D, T>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Changes to a task. Fields left out keep their value. `version`: the version the client
/// last saw (another current version answers 409 `stale_version`). A changed deadline
/// must be today or later, as on creation; an unchanged one stays even if it has passed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskEdit {
    #[serde(default)]
    pub version: Option<i64>,
    #[serde(default)]
    pub year: Option<i64>,
    #[serde(default)]
    pub title: Option<String>,
    /// Empty clears it.
    #[serde(default)]
    pub description: Option<String>,
    /// The owner unit: id or 统一社会信用代码, in the caller's area.
    #[serde(default)]
    pub owner: Option<String>,
    /// The lead region's code, in the caller's area.
    #[serde(default)]
    pub region: Option<String>,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub deadline: Option<String>,
    #[serde(default)]
    pub target_text: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<i64>)]
    pub target_value: Option<Option<i64>>,
    /// Empty clears it.
    #[serde(default)]
    pub target_unit: Option<String>,
}

/// Cancels (撤销) a task.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelInput {
    /// 撤销理由 (required).
    pub reason: String,
    /// The version the client last saw.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Changes to a joint-meeting body: its name and member units (ids or 统一社会信用代码).
/// Left out = unchanged.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyEdit {
    #[serde(default)]
    pub version: Option<i64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub members: Option<Vec<String>>,
}

/// Changes to a meeting. Left out = unchanged; `attendance` sets the listed member units
/// only; `add_decisions` are appended after the existing decisions.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingEdit {
    /// The version the client last saw (another answers 409 `stale_version`).
    #[serde(default)]
    pub version: Option<i64>,
    #[serde(default)]
    pub title: Option<String>,
    /// YYYY-MM-DD
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub agenda: Option<Vec<String>>,
    #[serde(default)]
    pub minutes: Option<String>,
    #[serde(default)]
    pub attendance: Option<Vec<AttendanceInput>>,
    #[serde(default)]
    pub add_decisions: Vec<String>,
}

/// Corrects the text of a decision that has not become a task.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionEdit {
    pub text: String,
    /// The meeting's version the client last saw.
    #[serde(default)]
    pub version: Option<i64>,
}
