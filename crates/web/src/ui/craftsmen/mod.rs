//! `/craftsmen`: 工匠培育 — four-level craftsman selection rounds, their nominations and
//! the live counts of titles at each level. Review, expert scoring, 公示 and the
//! decision happen on each nomination's case (`/cases/{id}`).
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::T;
use crate::ui::lists::{id_of, options, years, ListFrame, ListOf, ListQuery};
use crate::ui::{render, save_form, Errors, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use gongjiang_domain::craftsmen::CraftsmanLevel;
use gongjiang_storage::access::Permission;
use gongjiang_storage::craftsmen::{
    CraftsmanRound, CraftsmanRoundInput, Nomination, NominationInput, QuotaUse, RoundFilter,
};
use gongjiang_storage::Page;
use serde::Deserialize;
use std::borrow::Borrow;
use std::collections::HashSet;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/craftsmen", get(list).post(create))
        .route("/craftsmen/new", get(new))
        .route("/craftsmen/{id}", get(show))
        .route("/craftsmen/{id}/nominations", post(nominate))
}

/// The titles held at each level, from the indicator engine.
const HEADLINES: &[&str] = &[
    "craftsmen_city",
    "craftsmen_district",
    "craftsmen_town",
    "craftsmen_enterprise",
];

const LIST: ListOf = ListOf {
    path: "/craftsmen",
    group: "nav.g.contribution",
    title: "nav.craftsmen",
    headlines: HEADLINES,
};

pub fn level_label(code: &str, en: bool) -> String {
    CraftsmanLevel::from_any(code).map_or_else(|| code.to_string(), |l| l.label(en).to_string())
}

pub fn title_of(code: &str, en: bool) -> String {
    CraftsmanLevel::from_any(code).map_or_else(|| code.to_string(), |l| l.title(en).to_string())
}

pub fn status_label(code: &str, en: bool) -> String {
    gongjiang_domain::workflow::Status::parse(code)
        .map(|s| s.label(en).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// The level this actor opens rounds at, if any.
fn own_level(ctx: &Ctx) -> Option<&'static str> {
    CraftsmanLevel::ALL
        .iter()
        .map(|l| l.code())
        .find(|l| ctx.may(Permission::OpenCraftsmanRound { level: l }))
}

#[derive(Template)]
#[template(path = "craftsmen_list.html")]
struct ListPage {
    l: Layout,
    x: ListFrame,
    page: Page<CraftsmanRound>,
    q: ListQuery,
    levels: Vec<(&'static str, &'static str)>,
    years: Vec<i64>,
    can_open: bool,
}

async fn list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let f = RoundFilter {
        level: Some(q.level.clone()).filter(|l| !l.is_empty()),
        year: q.year(lang)?,
        page: q.page.parse().unwrap_or(1),
        per_page: 20,
    };
    let page = st.svc.list_craftsman_rounds(&ctx.actor, &f).await?;
    let (l, x) = LIST.frame(&st, &ctx, &q, page.page).await;
    render(
        &ListPage {
            l,
            x,
            page,
            levels: options(
                CraftsmanLevel::ALL,
                CraftsmanLevel::code,
                CraftsmanLevel::label,
                lang.is_en(),
            ),
            years: years(),
            can_open: own_level(&ctx).is_some(),
            q,
        },
        lang,
    )
}

/// The round form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct RoundForm {
    name: String,
    level: String,
    year: String,
    titles: String,
    quota: String,
    closes_on: String,
}

impl RoundForm {
    fn input(&self) -> CraftsmanRoundInput {
        let num = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.replace(',', "").parse::<i64>().unwrap_or(-1))
        };
        CraftsmanRoundInput {
            name: self.name.clone(),
            level: self.level.clone(),
            year: num(&self.year),
            titles: num(&self.titles),
            quota: num(&self.quota),
            closes_on: self.closes_on.clone(),
        }
    }
}

const FIELDS: &[&str] = &["name", "level", "year", "titles", "quota", "closes_on"];

#[derive(Template)]
#[template(path = "craftsman_round_form.html")]
struct FormPage {
    l: Layout,
    f: RoundForm,
    e: Errors,
    levels: Vec<(&'static str, &'static str)>,
}

async fn form(ctx: &Ctx, f: RoundForm, e: Errors) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let title = t.s("craftsmen.new");
    let l = Layout::under(ctx, "/craftsmen", "nav.craftsmen", title);
    render(
        &FormPage {
            l,
            f,
            e,
            levels: options(
                CraftsmanLevel::ALL,
                CraftsmanLevel::code,
                CraftsmanLevel::label,
                lang.is_en(),
            ),
        },
        lang,
    )
}

async fn new(WebUser(ctx, ..): WebUser<OrgReader>) -> Result<Response, UiError> {
    let f = RoundForm {
        level: own_level(&ctx).unwrap_or("city").into(),
        year: crate::api::tasks::current_year().to_string(),
        ..Default::default()
    };
    form(&ctx, f, Errors::default()).await
}

async fn create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    CsrfForm(f): CsrfForm<RoundForm>,
) -> Result<Response, UiError> {
    let r = st.svc.create_craftsman_round(&ctx.actor, &f.input()).await;
    save_form(
        ctx.lang,
        r,
        FIELDS,
        |r| format!("/craftsmen/{}?saved=1", r.id),
        |e| form(&ctx, f.clone(), e),
    )
    .await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct NominateForm {
    worker: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "craftsman_round.html")]
struct RoundPage {
    l: Layout,
    r: CraftsmanRound,
    quotas: Vec<QuotaUse>,
    nominations: Vec<Nomination>,
    can_nominate: bool,
    f: NominateForm,
    e: Errors,
    flash: Option<String>,
    /// Organisations whose cases and workers this user may open.
    links: HashSet<i64>,
}

impl RoundPage {
    fn link(&self, org: impl Borrow<i64>) -> bool {
        self.links.contains(org.borrow())
    }
}

async fn round_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    f: NominateForm,
    e: Errors,
    flash: Option<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let r = st.svc.get_craftsman_round(&ctx.actor, id).await?;
    let quotas = st.svc.craftsman_quotas(&ctx.actor, id).await?;
    let nominations = st.svc.craftsman_nominations(&ctx.actor, id).await?;
    let can_nominate = st.svc.may_nominate(&ctx.actor, &r).await?;
    let links = nominations
        .iter()
        .map(|n| n.org_id)
        .filter(|o| ctx.may(Permission::SeePersonalData { org_id: *o }))
        .collect();
    let l = Layout::new(
        ctx,
        "/craftsmen",
        r.name.clone(),
        vec![
            (t.s("nav.craftsmen"), "/craftsmen".into()),
            (r.name.clone(), String::new()),
        ],
    );
    let status = if e.any() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let mut resp = render(
        &RoundPage {
            l,
            r,
            quotas,
            nominations,
            can_nominate,
            f,
            e,
            flash,
            links,
        },
        lang,
    )?;
    *resp.status_mut() = status;
    Ok(resp)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ShowQuery {
    saved: String,
}

async fn show(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let flash = (!q.saved.is_empty()).then(|| T(ctx.lang).s("common.saved"));
    round_page(
        &st,
        &ctx,
        id,
        NominateForm::default(),
        Errors::default(),
        flash,
    )
    .await
}

async fn nominate(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<NominateForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let input = NominationInput {
        worker: f.worker.clone(),
        reason: f.reason.clone(),
    };
    match st.svc.nominate_craftsman(&ctx.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/craftsmen/{id}?saved=1#nominations")).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            if e.field_errors().is_empty() {
                return Err(UiError(e, lang));
            }
            let errors = Errors::from(&e.field_errors(), lang, &["worker", "reason"]);
            round_page(&st, &ctx, id, f, errors, None).await
        }
    }
}
