//! `/studios`: 劳模（工匠）创新工作室 — the list with the live figures, the register form,
//! and a studio's page: its members, its yearly reviews (each a case on the engine) and
//! its innovation results.
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::T;
use crate::ui::forms::Failed;
use crate::ui::lists::{id_of, options, ListFrame, ListOf, ListQuery};
use crate::ui::{render, save_form, Errors, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use gongjiang_domain::studios::{ReviewOutcome, StudioLevel};
use gongjiang_storage::access::Permission;
use gongjiang_storage::studios::{
    Studio, StudioFilter, StudioInput, StudioMember, StudioMemberInput, StudioReview,
    StudioReviewInput,
};
use gongjiang_storage::Page;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/studios", get(list).post(create))
        .route("/studios/new", get(new))
        .route("/studios/{id}", get(show))
        .route("/studios/{id}/members", post(add_member))
        .route("/studios/{id}/reviews", post(file_review))
}

const HEADLINES: &[&str] = &["innovation_studios", "studio_review_pass_rate"];

const LIST: ListOf = ListOf {
    path: "/studios",
    group: "nav.g.contribution",
    title: "nav.studios",
    headlines: HEADLINES,
};

pub fn level_label(code: &str, en: bool) -> String {
    StudioLevel::from_any(code).map_or_else(|| code.to_string(), |l| l.label(en).to_string())
}

pub fn outcome_label(code: &str, en: bool) -> String {
    ReviewOutcome::from_any(code).map_or_else(|| code.to_string(), |l| l.label(en).to_string())
}

pub fn status_label(code: &str, en: bool) -> String {
    gongjiang_domain::workflow::Status::parse(code)
        .map(|s| s.label(en).to_string())
        .unwrap_or_else(|| code.to_string())
}

pub fn skill_label(code: &str, en: bool) -> String {
    gongjiang_domain::SkillLevel::parse(code)
        .map(|x| x.label(en).to_string())
        .unwrap_or_else(|| code.to_string())
}

fn levels(en: bool) -> Vec<(&'static str, &'static str)> {
    options(StudioLevel::ALL, StudioLevel::code, StudioLevel::label, en)
}

#[derive(Template)]
#[template(path = "studios_list.html")]
struct ListPage {
    l: Layout,
    x: ListFrame,
    page: Page<Studio>,
    q: ListQuery,
    levels: Vec<(&'static str, &'static str)>,
    can_add: bool,
}

async fn list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let f = StudioFilter {
        level: Some(q.level.clone()).filter(|l| !l.is_empty()),
        q: Some(q.q.clone()).filter(|l| !l.is_empty()),
        page: q.page.parse().unwrap_or(1),
        per_page: 20,
    };
    let page = st.svc.list_studios(&ctx.actor, &f).await?;
    let (l, x) = LIST.frame(&st, &ctx, &q, page.page).await;
    render(
        &ListPage {
            l,
            x,
            page,
            levels: levels(lang.is_en()),
            can_add: ctx.may(Permission::KeepStudio {
                org_id: ctx.actor.org_id.unwrap_or(0),
            }),
            q,
        },
        lang,
    )
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct StudioForm {
    name: String,
    level: String,
    founded: String,
    org: String,
    leader: String,
}

const FIELDS: &[&str] = &["name", "level", "founded", "org", "leader"];

#[derive(Template)]
#[template(path = "studio_form.html")]
struct FormPage {
    l: Layout,
    f: StudioForm,
    e: Errors,
    fixed_org: bool,
    levels: Vec<(&'static str, &'static str)>,
}

async fn form(ctx: &Ctx, mut f: StudioForm, e: Errors) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let title = t.s("studios.new");
    let l = Layout::under(ctx, "/studios", "nav.studios", title);
    let fixed_org = gongjiang_storage::access::bound_to_own_org(&ctx.actor);
    if fixed_org {
        f.org = ctx.fixed_org(&f.org);
    }
    render(
        &FormPage {
            l,
            f,
            e,
            fixed_org,
            levels: levels(lang.is_en()),
        },
        lang,
    )
}

async fn new(WebUser(ctx, ..): WebUser<OrgReader>) -> Result<Response, UiError> {
    let f = StudioForm {
        level: "city".into(),
        founded: crate::api::tasks::current_year().to_string(),
        ..Default::default()
    };
    form(&ctx, f, Errors::default()).await
}

async fn create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    CsrfForm(f): CsrfForm<StudioForm>,
) -> Result<Response, UiError> {
    let input = StudioInput {
        name: f.name.clone(),
        level: f.level.clone(),
        founded: f
            .founded
            .trim()
            .parse()
            .ok()
            .or(Some(-1).filter(|_| !f.founded.trim().is_empty())),
        org: Some(f.org.clone()),
        leader: f.leader.clone(),
    };
    let r = st.svc.create_studio(&ctx.actor, &input).await;
    save_form(
        ctx.lang,
        r,
        FIELDS,
        |s| format!("/studios/{}?saved=1", s.id),
        |e| form(&ctx, f.clone(), e),
    )
    .await
}

#[derive(Template)]
#[template(path = "studio_detail.html")]
struct DetailPage {
    l: Layout,
    s: Studio,
    members: Vec<StudioMember>,
    reviews: Vec<StudioReview>,
    /// The studio's innovation results (counted ones, and those in review in scope).
    innovations: Vec<gongjiang_storage::innovations::Innovation>,
    can_keep: bool,
    /// Which of the page's forms failed ("member" or "review"), as typed.
    failed: Failed,
    /// The review form's year (last year unless one was typed).
    year: String,
    flash: Option<String>,
    links: bool,
}

struct Shown {
    failed: Failed,
    year: String,
    flash: Option<String>,
}

async fn page(st: &AppState, ctx: &Ctx, id: i64, sh: Shown) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let s = st.svc.get_studio(&ctx.actor, id).await?;
    let members = st.svc.studio_members(&ctx.actor, id).await?;
    let reviews = st.svc.studio_reviews(&ctx.actor, id).await?;
    let innovations = st
        .svc
        .list_innovations(
            &ctx.actor,
            &gongjiang_storage::innovations::InnovationFilter {
                studio: Some(id),
                per_page: 500,
                ..Default::default()
            },
        )
        .await?
        .items;
    let can_keep = st.svc.keeps_studio(&ctx.actor, id).await?;
    let links = ctx.may(Permission::SeePersonalData { org_id: s.org_id });
    let l = Layout::new(
        ctx,
        "/studios",
        s.name.clone(),
        vec![
            (t.s("nav.studios"), "/studios".into()),
            (s.name.clone(), String::new()),
        ],
    );
    let status = if sh.failed.e.any() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let year = if sh.year.is_empty() {
        (crate::api::tasks::current_year() - 1).to_string()
    } else {
        sh.year
    };
    let mut r = render(
        &DetailPage {
            l,
            s,
            members,
            reviews,
            innovations,
            can_keep,
            failed: sh.failed,
            year,
            flash: sh.flash,
            links,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
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
    let sh = Shown {
        failed: Failed::default(),
        year: String::new(),
        flash,
    };
    page(&st, &ctx, id, sh).await
}

/// After a form on the page: back on success; the page with the error by its field.
async fn after<V>(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    r: Result<V, gongjiang_storage::StoreError>,
    sh: Shown,
    fields: &[&str],
    anchor: &str,
) -> Result<Response, UiError> {
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/studios/{id}?saved=1#{anchor}")).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            if e.field_errors().is_empty() {
                return Err(UiError(e, ctx.lang));
            }
            let mut sh = sh;
            sh.failed.e = Errors::from(&e.field_errors(), ctx.lang, fields);
            page(st, ctx, id, sh).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MemberForm {
    worker: String,
}

async fn add_member(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<MemberForm>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let input = StudioMemberInput {
        worker: f.worker.clone(),
    };
    let r = st.svc.add_studio_member(&ctx.actor, id, &input).await;
    let sh = Shown {
        failed: Failed {
            form: "member",
            value: f.worker,
            e: Errors::default(),
        },
        year: String::new(),
        flash: None,
    };
    after(&st, &ctx, id, r, sh, &["worker"], "members").await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReviewForm {
    year: String,
    report: String,
}

async fn file_review(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ReviewForm>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let input = StudioReviewInput {
        year: f.year.trim().parse().ok(),
        report: f.report.clone(),
    };
    let r = st.svc.file_studio_review(&ctx.actor, id, &input).await;
    let sh = Shown {
        failed: Failed {
            form: "review",
            value: f.report,
            e: Errors::default(),
        },
        year: f.year,
        flash: None,
    };
    after(&st, &ctx, id, r, sh, &["year", "report"], "reviews").await
}
