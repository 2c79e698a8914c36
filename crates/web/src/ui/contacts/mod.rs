//! Console pages of the enterprise contact points (`/contacts`: figures from the
//! indicator engine, charts, problems, visits, officials; a page per problem with its
//! actions) and of pairing (`/pairs`: one graph per supply chain, the filtered list,
//! a page per pair with its activities).
use crate::error::{AppError, UiError};
use crate::i18n::{Lang, T};
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;
use gongjiang_storage::StoreError;

mod corrections;
mod form;
mod list;
mod pairs;
mod problems;

use corrections::{
    activity_delete, activity_edit_form, activity_edit_save, contact_edit_form, contact_edit_save,
    contact_end_form, contact_end_save, pair_edit_form, pair_edit_save, pair_end_form,
    pair_end_save, visit_edit_form, visit_edit_save,
};
pub use form::Field;
use list::contacts;
pub use list::{problem_badge, urlencode, Stat};
pub use pairs::GraphView;
use pairs::{activity_create, pair_create, pair_form, pair_show, pairs};
use problems::{
    assign_create, assign_form, problem_act, problem_create, problem_form, problem_show,
    visit_create, visit_form,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(contacts))
        .route(
            "/contacts/problems/new",
            get(problem_form).post(problem_create),
        )
        .route(
            "/contacts/problems/{id}",
            get(problem_show).post(problem_act),
        )
        .route("/contacts/visits/new", get(visit_form).post(visit_create))
        .route(
            "/contacts/visits/{id}/edit",
            get(visit_edit_form).post(visit_edit_save),
        )
        .route("/contacts/assign", get(assign_form).post(assign_create))
        .route(
            "/contacts/points/{id}/edit",
            get(contact_edit_form).post(contact_edit_save),
        )
        .route(
            "/contacts/points/{id}/end",
            get(contact_end_form).post(contact_end_save),
        )
        .route("/pairs", get(pairs))
        .route("/pairs/new", get(pair_form).post(pair_create))
        .route("/pairs/{id}", get(pair_show))
        .route("/pairs/{id}/edit", get(pair_edit_form).post(pair_edit_save))
        .route("/pairs/{id}/end", get(pair_end_form).post(pair_end_save))
        .route("/pairs/{id}/activities", post(activity_create))
        .route(
            "/pairs/{id}/activities/{aid}/edit",
            get(activity_edit_form).post(activity_edit_save),
        )
        .route("/pairs/{id}/activities/{aid}/delete", post(activity_delete))
}

fn ui<E: Into<AppError>>(lang: Lang) -> impl Fn(E) -> UiError {
    move |e| UiError(e.into(), lang)
}

fn not_found(lang: Lang) -> UiError {
    UiError(AppError::Store(StoreError::NotFound), lang)
}

fn nav_crumbs(t: T, key: &str, href: &str, more: Option<String>) -> Vec<(String, String)> {
    let mut c = vec![
        (t.s("nav.g.work"), String::new()),
        (
            t.s(key),
            more.as_ref().map(|_| href.to_string()).unwrap_or_default(),
        ),
    ];
    if let Some(m) = more {
        c.push((m, String::new()));
    }
    c
}
