//! `/innovations`: 群众性技术创新 — the list with its live figures and the template's
//! export, the filing form (the union's certification; a case on the engine), a
//! result's page with its workers, case and showcase, and the correction form.
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::i18n::T;
use crate::ui::lists::nz;
use crate::ui::lists::{id_of, options, ListFrame, ListOf, ListQuery};
use crate::ui::{render, save_form, Errors, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use gongjiang_domain::innovations::InnovationType;
use gongjiang_storage::access::Permission;
use gongjiang_storage::innovations::{
    Innovation, InnovationFilter, InnovationInput, ShowcaseInput,
};
use gongjiang_storage::Page;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/innovations", get(list).post(file))
        .route("/innovations/new", get(new))
        .route("/innovations/{id}", get(show).post(correct))
        .route("/innovations/{id}/edit", get(edit))
        .route("/innovations/{id}/showcase", post(showcase))
}

const HEADLINES: &[&str] = &[
    "innovation_results",
    "patents",
    "innovation_result_benefit_wan",
];

const LIST: ListOf = ListOf {
    path: "/innovations",
    group: "nav.g.contribution",
    title: "nav.innovations",
    headlines: HEADLINES,
};

pub fn type_label(code: &str, en: bool) -> String {
    InnovationType::from_any(code).map_or_else(|| code.to_string(), |t| t.label(en).to_string())
}

/// The status as a user reads it: 已认定 for approved and recorded results.
pub fn status_label(code: &str, en: bool) -> String {
    match (code, en) {
        ("recorded", false) => "已认定（导入）".into(),
        ("recorded", true) => "Recognised (imported)".into(),
        _ => crate::ui::studios::status_label(code, en),
    }
}

/// 经济效益 in 万元, the Chinese way.
pub fn benefit(b: &Option<f64>, t: &T) -> String {
    b.map_or_else(|| "—".into(), |b| t.wan(b))
}

fn types(en: bool) -> Vec<(&'static str, &'static str)> {
    options(
        InnovationType::ALL,
        InnovationType::code,
        InnovationType::label,
        en,
    )
}

#[derive(Template)]
#[template(path = "innovations_list.html")]
struct ListPage {
    l: Layout,
    x: ListFrame,
    page: Page<Innovation>,
    q: ListQuery,
    types: Vec<(&'static str, &'static str)>,
    can_file: bool,
}

async fn list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let f = InnovationFilter {
        itype: nz(&q.kind),
        year: q.year.trim().parse().ok(),
        status: nz(&q.level).filter(|s| s != "featured"),
        featured: Some(q.level == "featured"),
        region: nz(&q.region),
        q: nz(&q.q),
        page: q.page.parse().unwrap_or(1),
        per_page: 20,
        ..Default::default()
    };
    let page = st.svc.list_innovations(&ctx.actor, &f).await?;
    let (l, x) = LIST.frame(&st, &ctx, &q, page.page).await;
    render(
        &ListPage {
            l,
            x,
            page,
            types: types(lang.is_en()),
            can_file: ctx.may(Permission::FileInnovation {
                org_id: ctx.actor.org_id.unwrap_or(0),
            }),
            q,
        },
        lang,
    )
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct InnovationForm {
    code: String,
    title: String,
    #[serde(rename = "type")]
    itype: String,
    year: String,
    org: String,
    studio: String,
    authors: String,
    patent_no: String,
    benefit_wan: String,
    summary: String,
    version: String,
}

const FIELDS: &[&str] = &[
    "code",
    "title",
    "type",
    "year",
    "org",
    "studio",
    "authors",
    "patent_no",
    "benefit_wan",
    "summary",
];

impl InnovationForm {
    fn input(&self) -> InnovationInput {
        InnovationInput {
            code: self.code.clone(),
            title: self.title.clone(),
            itype: self.itype.clone(),
            year: self
                .year
                .trim()
                .parse()
                .ok()
                .or(Some(-1).filter(|_| !self.year.trim().is_empty())),
            org: Some(self.org.clone()),
            studio: self.studio.trim().parse().ok(),
            authors: gongjiang_domain::innovations::split_people(&self.authors),
            patent_no: self.patent_no.clone(),
            benefit_wan: Some(self.benefit_wan.clone()),
            summary: self.summary.clone(),
            version: self.version.trim().parse().ok(),
        }
    }
}

#[derive(Template)]
#[template(path = "innovation_form.html")]
struct FormPage {
    l: Layout,
    f: InnovationForm,
    e: Errors,
    fixed_org: bool,
    /// The result being corrected (`None`: a new filing).
    id: Option<i64>,
    types: Vec<(&'static str, &'static str)>,
    /// The enterprise's active studios, for the studio select.
    studios: Vec<(i64, String)>,
}

async fn form(
    st: &AppState,
    ctx: &Ctx,
    mut f: InnovationForm,
    id: Option<i64>,
    e: Errors,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let title = t.s(if id.is_some() {
        "innovations.correct"
    } else {
        "innovations.new"
    });
    let l = Layout::under(ctx, "/innovations", "nav.innovations", title);
    let fixed_org = id.is_some() || gongjiang_storage::access::bound_to_own_org(&ctx.actor);
    if id.is_none() {
        f.org = ctx.fixed_org(&f.org);
    }
    let studios = st.svc.studios_of(&ctx.actor, &f.org).await?;
    render(
        &FormPage {
            l,
            f,
            e,
            fixed_org,
            id,
            types: types(lang.is_en()),
            studios,
        },
        lang,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    /// Filing from a studio's page: its enterprise and the studio are filled in.
    studio: String,
}

async fn new(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<NewQuery>,
) -> Result<Response, UiError> {
    let mut f = InnovationForm {
        itype: "five_small".into(),
        year: crate::api::tasks::current_year().to_string(),
        ..Default::default()
    };
    if let Ok(id) = q.studio.trim().parse::<i64>() {
        let s = st.svc.get_studio(&ctx.actor, id).await?;
        f.org = s.org_id.to_string();
        f.studio = s.id.to_string();
    }
    form(&st, &ctx, f, None, Errors::default()).await
}

async fn file(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    CsrfForm(f): CsrfForm<InnovationForm>,
) -> Result<Response, UiError> {
    let r = st.svc.file_innovation(&ctx.actor, &f.input()).await;
    save_form(
        ctx.lang,
        r,
        FIELDS,
        |i| format!("/innovations/{}?saved=1", i.id),
        |e| form(&st, &ctx, f.clone(), None, e),
    )
    .await
}

async fn edit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let i = st.svc.get_innovation(&ctx.actor, id).await?;
    let f = InnovationForm {
        code: i.code,
        title: i.title,
        itype: i.itype,
        year: i.year.to_string(),
        org: i.org_id.to_string(),
        studio: i.studio_id.map(|s| s.to_string()).unwrap_or_default(),
        authors: i
            .authors
            .iter()
            .map(|a| a.worker_id.to_string())
            .collect::<Vec<_>>()
            .join("；"),
        patent_no: i.patent_no.unwrap_or_default(),
        benefit_wan: i.benefit_wan.map(|b| format!("{b:.2}")).unwrap_or_default(),
        summary: i.summary.unwrap_or_default(),
        version: i.version.to_string(),
    };
    form(&st, &ctx, f, Some(id), Errors::default()).await
}

async fn correct(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<InnovationForm>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let r = st.svc.correct_innovation(&ctx.actor, id, &f.input()).await;
    save_form(
        ctx.lang,
        r,
        FIELDS,
        |i| format!("/innovations/{}?saved=1", i.id),
        |e| form(&st, &ctx, f.clone(), Some(id), e),
    )
    .await
}

#[derive(Template)]
#[template(path = "innovation_detail.html")]
struct DetailPage {
    l: Layout,
    i: Innovation,
    can_correct: bool,
    can_showcase: bool,
    links: bool,
    flash: Option<String>,
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
    let lang = ctx.lang;
    let t = T(lang);
    let id = id_of(&id, lang)?;
    let i = st.svc.get_innovation(&ctx.actor, id).await?;
    let can_correct = st.svc.may_correct_innovation(&ctx.actor, &i).await?;
    let l = Layout::new(
        &ctx,
        "/innovations",
        i.title.clone(),
        vec![
            (t.s("nav.innovations"), "/innovations".into()),
            (i.title.clone(), String::new()),
        ],
    );
    render(
        &DetailPage {
            l,
            can_correct,
            can_showcase: ctx.may(Permission::ShowcaseInnovation) && i.counted,
            links: ctx.may(Permission::SeePersonalData { org_id: i.org_id }),
            flash: (!q.saved.is_empty()).then(|| t.s("common.saved")),
            i,
        },
        lang,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ShowcaseForm {
    featured: String,
}

async fn showcase(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ShowcaseForm>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    st.svc
        .showcase_innovation(
            &ctx.actor,
            id,
            &ShowcaseInput {
                featured: f.featured == "1",
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/innovations/{id}?saved=1")).into_response())
}

use crate::error::UiError;
