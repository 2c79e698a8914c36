//! Console pages of the yearly assessment (评价考核): the scheme editor (an outline of
//! rows with levels, points and rules; add, add below, remove; validation messages next
//! to the rows), rounds (set-up, experts, recusals, close, publish), the targets'
//! self-report form, the experts' scoring sheet and the results page with a ranking
//! chart and every target's breakdown.
use crate::auth::Ctx;
use crate::i18n::T;
use crate::AppState;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use gongjiang_storage::StoreError;

mod outline;
mod results;
mod rounds;
mod schemes;
mod scoring;
mod self_report;

pub use outline::Row;
use results::{breakdown, results, results_publish};
pub use results::{opt, pts};
pub use rounds::ListItem;
use rounds::{results_list, round, round_post, scoring_list, self_list};
use schemes::{
    create_round, create_scheme, new_draft, new_scheme, publish_version, save_version, schemes,
    version,
};
use scoring::{scoring, scoring_save};
use self_report::{self_form, self_save};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assessment/schemes", get(schemes).post(create_round))
        .route(
            "/assessment/schemes/new",
            get(new_scheme).post(create_scheme),
        )
        .route("/assessment/versions/{id}", get(version).post(save_version))
        .route("/assessment/versions/{id}/publish", post(publish_version))
        .route("/assessment/versions/{id}/draft", post(new_draft))
        .route("/assessment/rounds/{id}", get(round).post(round_post))
        .route("/assessment/self", get(self_list))
        .route(
            "/assessment/self/{round}/{target}",
            get(self_form).post(self_save),
        )
        .route("/assessment/scoring", get(scoring_list))
        .route(
            "/assessment/scoring/{round}",
            get(scoring).post(scoring_save),
        )
        .route("/assessment/results", get(results_list))
        .route(
            "/assessment/results/{round}",
            get(results).post(results_publish),
        )
        .route("/assessment/results/{round}/{target}", get(breakdown))
}

/// A refusal the user can act on, as messages over the page; anything else is the
/// error page.
fn refusal(e: StoreError, en: bool) -> Result<Vec<String>, crate::error::UiError> {
    match crate::ui::Refusal::of(&e, en) {
        Some(r) => Ok(r.messages()),
        None => Err(e.into()),
    }
}

fn with_status(mut r: Response, failed: bool) -> Response {
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

fn is_city(ctx: &Ctx) -> bool {
    ctx.may(gongjiang_storage::access::Permission::ManageAssessment)
}

fn num(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

/// Status label of a round or a self-report.
pub fn status_label(t: &T, s: &str) -> String {
    t.s(&format!("asm.status.{s}"))
}

pub fn status_badge(s: &str) -> &'static str {
    match s {
        "published" | "accepted" => "badge-green",
        "submitted" => "badge-blue",
        "closed" => "badge-blue",
        "open" => "badge-orange",
        _ => "badge-gray",
    }
}
