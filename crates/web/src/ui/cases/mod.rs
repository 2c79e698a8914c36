//! Console pages of the workflow engine: applications and other cases, the form, the
//! history, the reviewer's actions, the inbox with bulk actions and their progress, and
//! notifications.
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;

mod detail;
mod form;
mod list;

use detail::{act, answer, assign_expert, attach, edit, object, score, show};
pub use detail::{item_badge, status_badge, time, AsMs};
use form::{create, new};
pub use form::{start_page, FieldView};
use list::{bulk, bulk_progress, inbox, list, notifications, read_all};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list).post(create))
        .route("/cases/new", get(new))
        .route("/cases/{id}", get(show).post(edit))
        .route("/cases/{id}/act", post(act))
        .route("/cases/{id}/objections", post(object))
        .route("/cases/{id}/experts", post(assign_expert))
        .route("/cases/{id}/score", post(score))
        .route("/cases/{id}/objections/{objection}", post(answer))
        .route(
            "/cases/{id}/files",
            post(attach).layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .route("/inbox", get(inbox))
        .route("/inbox/bulk", post(bulk))
        .route("/inbox/bulk/{id}", get(bulk_progress))
        .route("/notifications", get(notifications).post(read_all))
}

/// A pilot level's name (省级 / Provincial …).
pub fn pilot_level_label(code: &str, en: bool) -> &'static str {
    gongjiang_domain::PilotLevel::from_any(code)
        .map(|l| if en { l.label_en() } else { l.label_zh() })
        .unwrap_or("")
}
