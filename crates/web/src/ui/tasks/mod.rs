//! Console pages of the annual task list (年度任务清单) and the joint meetings (联席会议):
//! the year's board (status chart, completion by unit, overdue and 督办 tasks), the
//! list with filters, the task page with progress reports, done and 督办; meetings
//! filtered by level, region and year, the meeting page with agenda, attendance chart,
//! minutes and decisions that turn into tasks.
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;

mod bodies;
mod detail;
mod form;
mod list;
mod meeting_edit;
mod meetings;

use bodies::{body_page, create_body, new_body, save_body};
use detail::{cancel, done, progress, request_completion, show, supervise};
use form::{create, edit, new, save_edit};
pub use list::dashboard_board;
use list::list;
use meeting_edit::{correct_decision, edit_meeting, save_meeting};
use meetings::{create_meeting, decision_task, meeting, meetings, new_meeting};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(list).post(create))
        .route("/tasks/new", get(new))
        .route("/tasks/{id}", get(show))
        .route("/tasks/{id}/edit", get(edit).post(save_edit))
        .route("/tasks/{id}/cancel", post(cancel))
        .route("/tasks/{id}/progress", post(progress))
        .route("/tasks/{id}/done", post(done))
        .route("/tasks/{id}/completion", post(request_completion))
        .route("/tasks/{id}/supervise", post(supervise))
        .route("/meetings", get(meetings).post(create_meeting))
        .route("/meetings/new", get(new_meeting))
        .route("/meetings/{id}", get(meeting))
        .route("/meetings/{id}/edit", get(edit_meeting).post(save_meeting))
        .route("/meetings/{id}/decisions/{did}", post(correct_decision))
        .route("/meetings/{id}/decisions/{did}/task", post(decision_task))
        .route("/meetings/bodies/new", get(new_body).post(create_body))
        .route("/meetings/bodies/{id}", get(body_page).post(save_body))
}

fn int(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

/// The badge colour of a task status.
pub fn task_badge<S: AsRef<str>>(status: S) -> &'static str {
    match status.as_ref() {
        "done" => "badge-green",
        "cancelled" => "badge-gray",
        "overdue" => "badge-red",
        "in_progress" => "badge-blue",
        _ => "badge-gray",
    }
}

/// `12.5` → `12.5%`, none → `—`.
pub fn pct(v: &Option<f64>) -> String {
    match v {
        Some(x) => format!("{:.1}%", x),
        None => "—".into(),
    }
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
