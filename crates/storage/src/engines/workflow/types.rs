//! The wire types of the workflow engine: a case with its experts, items, objections
//! and history, the inputs to create and act on one, the list filter, a bulk job.

use gongjiang_domain::workflow::{Path, Position, Process, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Case {
    pub id: i64,
    pub process: String,
    pub process_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    /// draft, in_review, returned, notice, approved, rejected, withdrawn
    pub status: String,
    pub status_label: String,
    /// Index of the review step; the number of steps means the public notice.
    pub step: Option<i64>,
    /// Who acts now (e.g. 区产改办审核).
    pub step_label: String,
    pub data: BTreeMap<String, String>,
    /// When the current step is due (ms since the epoch).
    pub due_at: Option<i64>,
    pub overdue: bool,
    /// What approval produced, e.g. `pilot:42`.
    pub result_ref: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// Attached material (filled on the detail; empty in lists).
    pub files: Vec<crate::files::FileMeta>,
    #[serde(skip)]
    pub file_ids: Vec<i64>,
    #[serde(skip)]
    pub submitted_by: Option<i64>,
    #[serde(skip)]
    pub created_by: Option<i64>,
    /// The module record the case drives, e.g. `liuyou:17:2023`.
    pub subject: Option<String>,
    /// Checklist items and their decisions (filled on the detail; empty in lists).
    pub items: Vec<CaseItem>,
    /// Objections lodged during the public notice (filled on the detail).
    pub objections: Vec<Objection>,
    /// The experts' aggregate score, once the city closed the scoring.
    pub score: Option<f64>,
    /// Assigned experts and their scores as the caller may see them (filled on the
    /// detail): all of them for the city, an expert's own row for that expert.
    pub experts: Vec<CaseExpert>,
    #[serde(skip)]
    pub(crate) path: Path,
}

/// An expert assigned to score a case.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseExpert {
    pub user_id: i64,
    /// The expert's name (the city and the expert); 专家A/B/C for everyone else.
    pub name: String,
    pub score: Option<f64>,
    pub comment: Option<String>,
    pub scored_at: Option<i64>,
    /// Far from the other experts (see the assessment's outlier rule).
    pub outlier: bool,
}

/// A checklist item of a case and its decision.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseItem {
    pub item: String,
    pub name: String,
    /// draft, submitted, accepted, returned
    pub status: String,
    pub status_label: String,
    pub reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
}

/// An objection lodged during the public notice, with the city's answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Objection {
    pub id: i64,
    /// Who lodged it: shown to the city and to the objector only (公示异议人信息保密).
    pub by: Option<String>,
    /// Who raised it, when the office recorded an objection received by letter or phone.
    pub raised_by: Option<String>,
    pub body: String,
    /// open, upheld, dismissed
    pub outcome: String,
    pub outcome_label: String,
    pub response: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<i64>,
    pub created_at: i64,
    /// Lodged by the caller.
    pub mine: bool,
}

impl Case {
    pub fn position(&self) -> Position {
        Position {
            status: Status::parse(&self.status).unwrap_or(Status::Draft),
            step: self.step.and_then(|s| usize::try_from(s).ok()),
        }
    }

    pub fn def(&self) -> Option<&'static Process> {
        Process::find(&self.process)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub action: String,
    pub action_label: String,
    pub from_status: String,
    pub to_status: String,
    pub step_label: String,
    pub username: String,
    pub display_name: String,
    pub comment: Option<String>,
    /// Fields a reviewer corrected: {"field": ["before", "after"]}.
    #[schema(value_type = Option<Object>)]
    pub changes: Option<serde_json::Value>,
    pub at: i64,
}

/// A new case: the process, the applicant (units: their own organisation) and the form.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// pilot_application, pilot_yearly_check, pilot_acceptance
    pub process: String,
    /// The applicant organisation (credit code or id); a unit's own by default.
    #[serde(default)]
    pub org: Option<String>,
    #[serde(default)]
    pub data: BTreeMap<String, String>,
}

/// An action on a case.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActInput {
    /// submit, accept, return, reject, withdraw
    pub action: String,
    /// Required to return or reject.
    #[serde(default)]
    pub comment: Option<String>,
    /// The version the actor saw; a different current version is a conflict.
    #[serde(default)]
    pub version: Option<i64>,
    /// Corrections by the reviewer (only the fields the step may edit).
    #[serde(default)]
    pub changes: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub process: Option<String>,
    pub status: Option<String>,
    pub region: Option<String>,
    pub org_id: Option<i64>,
    pub q: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// A bulk action over many cases: chunked, resumable after a restart, never acting twice
/// (each case is acted on at the version it had when the job started).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BulkJob {
    pub id: String,
    pub action: String,
    pub total: i64,
    pub done: i64,
    pub succeeded: i64,
    pub skipped: i64,
    /// running, done, failed
    pub status: String,
}
