//! `/training`: 技能形成 — training providers and classes, each class with its roster.
//! One file per page group: `classes.rs` (list and form), `detail.rs` (a class and its
//! roster).
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;
use gongjiang_domain::training::{ClassType, CollegeType, TraineeStatus};
use gongjiang_domain::SkillLevel;

use crate::ui::lists::{id_of, options};

mod classes;
mod dashboard;
mod detail;
mod professors;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/training", get(classes::list).post(classes::create))
        .route("/training/new", get(classes::new))
        .route("/training/dashboard", get(dashboard::show))
        .route("/training/{id}", get(detail::show))
        .route(
            "/training/{id}/edit",
            get(classes::edit).post(classes::update),
        )
        .route("/training/{id}/delete", post(classes::delete))
        .route("/training/{id}/trainees", post(detail::enrol))
        .route(
            "/training/{id}/trainees/{trainee}/complete",
            post(detail::complete),
        )
        .route(
            "/training/{id}/trainees/{trainee}/withdraw",
            post(detail::withdraw),
        )
        .route("/professors", get(professors::list))
        .route("/professors/{id}", get(professors::show))
        .route("/professors/{id}/engagements", post(professors::add))
        .route(
            "/professors/{id}/engagements/{engagement}",
            post(professors::update),
        )
}

pub fn college_type_label(code: &str, en: bool) -> String {
    CollegeType::from_any(code)
        .map(|x| x.label(en).to_string())
        .unwrap_or_else(|| code.to_string())
}

pub fn class_type_label(code: &str, en: bool) -> String {
    ClassType::from_any(code)
        .map(|x| x.label(en).to_string())
        .unwrap_or_else(|| code.to_string())
}

pub fn status_label(code: &str, en: bool) -> String {
    TraineeStatus::from_any(code)
        .map(|x| x.label(en).to_string())
        .unwrap_or_else(|| code.to_string())
}

pub fn case_status_label(code: &str, en: bool) -> String {
    gongjiang_domain::workflow::Status::parse(code)
        .map(|s| s.label(en).to_string())
        .unwrap_or_else(|| code.to_string())
}

pub fn review_label(code: &str, en: bool) -> String {
    gongjiang_domain::training::EngagementReview::from_any(code)
        .map(|x| x.label(en).to_string())
        .unwrap_or_else(|| code.to_string())
}

pub fn level_label(code: &str, en: bool) -> String {
    SkillLevel::parse(code)
        .map(|x| x.label(en).to_string())
        .unwrap_or_else(|| code.to_string())
}
