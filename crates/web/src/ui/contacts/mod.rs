//! Console pages of the enterprise contact points (`/contacts`: figures from the
//! indicator engine, charts, problems, visits, officials; a page per problem with its
//! actions) and of pairing (`/pairs`: one graph per supply chain, the filtered list,
//! a page per pair with its activities).
use crate::i18n::T;
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;

mod corrections;
mod form;
mod list;
mod pairs;
mod problems;

use corrections::{
    activity_delete, ActivityEditForm, ContactEditForm, ContactEndForm, PairEditForm, PairEndForm,
    VisitEditForm,
};
pub use form::Field;
use form::{new_form, new_save, record_form as form_get, record_save as form_post};
use list::contacts;
pub use list::{problem_badge, urlencode, Stat};
pub use pairs::GraphView;
use pairs::{activity_create, pair_show, pairs, NewPair};
use problems::{problem_act, problem_show, Assign, NewProblem, NewVisit};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(contacts))
        .route(
            "/contacts/problems/new",
            get(new_form::<NewProblem>).post(new_save::<NewProblem>),
        )
        .route(
            "/contacts/problems/{id}",
            get(problem_show).post(problem_act),
        )
        .route(
            "/contacts/visits/new",
            get(new_form::<NewVisit>).post(new_save::<NewVisit>),
        )
        .route(
            "/contacts/visits/{id}/edit",
            get(form_get::<VisitEditForm>).post(form_post::<VisitEditForm>),
        )
        .route(
            "/contacts/assign",
            get(new_form::<Assign>).post(new_save::<Assign>),
        )
        .route(
            "/contacts/points/{id}/edit",
            get(form_get::<ContactEditForm>).post(form_post::<ContactEditForm>),
        )
        .route(
            "/contacts/points/{id}/end",
            get(form_get::<ContactEndForm>).post(form_post::<ContactEndForm>),
        )
        .route("/pairs", get(pairs))
        .route(
            "/pairs/new",
            get(new_form::<NewPair>).post(new_save::<NewPair>),
        )
        .route("/pairs/{id}", get(pair_show))
        .route(
            "/pairs/{id}/edit",
            get(form_get::<PairEditForm>).post(form_post::<PairEditForm>),
        )
        .route(
            "/pairs/{id}/end",
            get(form_get::<PairEndForm>).post(form_post::<PairEndForm>),
        )
        .route("/pairs/{id}/activities", post(activity_create))
        .route(
            "/pairs/{id}/activities/{aid}/edit",
            get(form_get::<ActivityEditForm>).post(form_post::<ActivityEditForm>),
        )
        .route("/pairs/{id}/activities/{aid}/delete", post(activity_delete))
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
