//! `/professors`: 产业教授 — the list, and one professor with their engagements (add,
//! change, yearly review).
use super::id_of;
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::i18n::T;
use crate::ui::lists::{region_options, ListQuery};
use crate::ui::{render, save_form, Errors, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use gongjiang_domain::training::EngagementReview;
use gongjiang_storage::access::Permission;
use gongjiang_storage::training::professors::{
    Engagement, EngagementInput, Professor, ProfessorFilter,
};
use gongjiang_storage::Page;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "professors_list.html")]
struct ListPage {
    l: Layout,
    page: Page<Professor>,
    q: ListQuery,
    regions: Vec<(String, String)>,
    prev: String,
    next: String,
}

pub(super) async fn list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<ListQuery>,
) -> Result<Response, crate::error::UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let f = ProfessorFilter {
        region: Some(q.region.clone()).filter(|r| !r.is_empty()),
        q: Some(q.q.clone()).filter(|k| !k.is_empty()),
        page: q.page.parse().unwrap_or(1),
        per_page: 20,
    };
    let page = st.svc.list_professors(&ctx.actor, &f).await?;
    let l = Layout::new(
        &ctx,
        "/professors",
        t.s("nav.professors"),
        vec![
            (t.s("nav.g.skills"), String::new()),
            (t.s("nav.professors"), String::new()),
        ],
    );
    let page_no = page.page;
    render(
        &ListPage {
            prev: q.link("/professors", page_no.saturating_sub(1)),
            next: q.link("/professors", page_no.saturating_add(1)),
            l,
            page,
            regions: region_options(&st, &ctx).await?,
            q,
        },
        lang,
    )
}

/// The engagement form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct EngagementForm {
    college: String,
    year: String,
    courses: String,
    projects: String,
    hours: String,
    review: String,
    review_note: String,
    version: String,
}

impl EngagementForm {
    fn input(&self) -> EngagementInput {
        let num = |s: &str| {
            let s = s.trim().replace(',', "");
            (!s.is_empty()).then(|| s.parse::<i64>().unwrap_or(-1))
        };
        EngagementInput {
            college: self.college.clone(),
            year: num(&self.year),
            courses: self.courses.clone(),
            projects: self.projects.clone(),
            hours: num(&self.hours),
            review: Some(self.review.clone()),
            review_note: Some(self.review_note.clone()),
            version: self.version.parse().ok(),
        }
    }
}

const FIELDS: &[&str] = &["college", "year", "courses", "projects", "hours", "review"];

#[derive(Template)]
#[template(path = "professor_detail.html")]
struct DetailPage {
    l: Layout,
    p: Professor,
    engagements: Vec<Engagement>,
    can_edit: bool,
    reviews: Vec<(&'static str, &'static str)>,
    colleges: Vec<(String, String)>,
    /// The form that failed: `None` the new one, `Some(id)` an engagement's.
    failed: Option<Option<i64>>,
    f: EngagementForm,
    e: Errors,
    flash: Option<String>,
}

impl DetailPage {
    /// Whether the new engagement's form is the one that failed.
    fn failed_new(&self) -> bool {
        self.failed == Some(None)
    }
    /// Whether this engagement's form is the one that failed.
    fn failed_for(&self, id: impl std::borrow::Borrow<i64>) -> bool {
        self.failed == Some(Some(*id.borrow()))
    }
}

async fn page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    failed: Option<Option<i64>>,
    f: EngagementForm,
    e: Errors,
    flash: Option<String>,
) -> Result<Response, crate::error::UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let (p, engagements) = st.svc.professor(&ctx.actor, id).await?;
    let l = Layout::new(
        ctx,
        "/professors",
        p.worker_name.clone(),
        vec![
            (t.s("nav.professors"), "/professors".into()),
            (p.worker_name.clone(), String::new()),
        ],
    );
    let status = if e.any() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let mut r = render(
        &DetailPage {
            l,
            p,
            engagements,
            can_edit: ctx.may(Permission::Coordinate),
            reviews: EngagementReview::ALL
                .iter()
                .map(|r| (r.code(), r.label(lang.is_en())))
                .collect(),
            colleges: crate::ui::lists::org_choices(st, ctx, &["college"]).await?,
            failed,
            f,
            e,
            flash,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ShowQuery {
    saved: String,
}

pub(super) async fn show(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, crate::error::UiError> {
    let id = id_of(&id, ctx.lang)?;
    let flash = (!q.saved.is_empty()).then(|| T(ctx.lang).s("common.saved"));
    let f = EngagementForm {
        year: (crate::api::tasks::current_year() - 1).to_string(),
        ..Default::default()
    };
    page(&st, &ctx, id, None, f, Errors::default(), flash).await
}

async fn saved(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    which: Option<i64>,
    f: EngagementForm,
    r: Result<Engagement, gongjiang_storage::StoreError>,
) -> Result<Response, crate::error::UiError> {
    save_form(
        ctx.lang,
        r,
        FIELDS,
        |_| format!("/professors/{id}?saved=1#engagements"),
        |errors| page(st, ctx, id, Some(which), f, errors, None),
    )
    .await
}

pub(super) async fn add(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<EngagementForm>,
) -> Result<Response, crate::error::UiError> {
    let id = id_of(&id, ctx.lang)?;
    let r = st.svc.add_engagement(&ctx.actor, id, &f.input()).await;
    saved(&st, &ctx, id, None, f, r).await
}

pub(super) async fn update(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path((id, engagement)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<EngagementForm>,
) -> Result<Response, crate::error::UiError> {
    let id = id_of(&id, ctx.lang)?;
    let engagement = id_of(&engagement, ctx.lang)?;
    let r = st
        .svc
        .update_engagement(&ctx.actor, id, engagement, &f.input())
        .await;
    saved(&st, &ctx, id, Some(engagement), f, r).await
}
