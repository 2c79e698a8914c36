//! `/contests`: 劳动和技能竞赛 — the console over `gongjiang_storage::contests`.
//! One file per page group:
//! - `plans.rs`: the list (with the live headline figures) and the plan form;
//! - `detail.rs`: one contest — its facts, entries, panel and recusals, the live
//!   ranking, lock/unlock/publish and the results;
//! - `scheme.rs`: the marking-scheme editor;
//! - `marking.rs`: the marking sheet of one entrant (a judge's scores, paper marks
//!   entered and confirmed by two people).
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;
use gongjiang_domain::contests::{AspectKind, Award, ContestLevel, ContestStatus, Honour};
use gongjiang_domain::SkillLevel;

use crate::ui::lists::{id_of, options};

mod detail;
mod marking;
mod plans;
mod scheme;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contests", get(plans::list).post(plans::create))
        .route("/contests/new", get(plans::new))
        .route("/contests/{id}", get(detail::show))
        .route("/contests/{id}/edit", get(plans::edit).post(plans::update))
        .route("/contests/{id}/submit", post(plans::submit))
        .route("/contests/{id}/ranking", get(detail::ranking))
        .route("/contests/{id}/entries", post(detail::enter))
        .route(
            "/contests/{id}/entries/{entry}/withdraw",
            post(detail::withdraw),
        )
        .route("/contests/{id}/judges", post(detail::add_judge))
        .route(
            "/contests/{id}/judges/{user}/remove",
            post(detail::remove_judge),
        )
        .route("/contests/{id}/lock", post(detail::lock))
        .route("/contests/{id}/unlock", post(detail::unlock))
        .route("/contests/{id}/publish", post(detail::publish))
        .route(
            "/contests/{id}/scheme",
            get(scheme::edit).post(scheme::save),
        )
        .route(
            "/contests/{id}/marking",
            get(marking::sheet).post(marking::keep),
        )
        .route(
            "/contests/{id}/marks/{mark}/confirm",
            post(marking::confirm),
        )
}

fn label_of<T: Copy>(
    parse: fn(&str) -> Option<T>,
    label: fn(T, bool) -> &'static str,
) -> impl Fn(&str, bool) -> String {
    move |code, en| {
        parse(code)
            .map(|x| label(x, en).to_string())
            .unwrap_or_else(|| code.to_string())
    }
}

pub fn level_label(code: &str, en: bool) -> String {
    label_of(ContestLevel::from_any, ContestLevel::label)(code, en)
}

pub fn status_label(code: &str, en: bool) -> String {
    label_of(ContestStatus::from_any, ContestStatus::label)(code, en)
}

/// The badge colour of a status.
pub fn status_badge(code: &str) -> &'static str {
    match code {
        "open" => "badge-green",
        "locked" | "notice" => "badge-orange",
        "closed" => "badge-gray",
        _ => "badge-blue",
    }
}

pub fn kind_label(code: &str, en: bool) -> String {
    label_of(AspectKind::from_any, AspectKind::label)(code, en)
}

pub fn award_label(code: &str, en: bool) -> String {
    label_of(Award::from_any, Award::label)(code, en)
}

pub fn honour_label(code: &str, en: bool) -> String {
    label_of(Honour::from_any, Honour::label)(code, en)
}

pub fn skill_label(code: &str, en: bool) -> String {
    label_of(SkillLevel::parse, SkillLevel::label)(code, en)
}

/// A number of points as written: 12.5, not 12.500.
pub fn pts(v: &f64) -> String {
    gongjiang_domain::contests::trim_num(*v)
}

fn levels(en: bool) -> Vec<(&'static str, &'static str)> {
    options(
        ContestLevel::ALL,
        ContestLevel::code,
        ContestLevel::label,
        en,
    )
}
