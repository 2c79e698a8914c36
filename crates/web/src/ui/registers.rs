//! Console pages for the registers (pilots, designations) and the indicator dashboard.
use super::{render, Errors, Layout};
use crate::api::registers::{present, DesignationQuery, PilotQuery};
use crate::auth::{CsrfForm, Ctx, OrgEditor, OrgReader, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::{Lang, T};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use gongjiang_domain::indicators::CATALOGUE;
use gongjiang_domain::Code;
use gongjiang_domain::{DesignationLevel, DesignationType, PilotLevel, PilotType};
use gongjiang_storage::designations::Designation;
use gongjiang_storage::pilots::Pilot;
use gongjiang_storage::registers::{DesignationInput, PilotInput};
use gongjiang_storage::{Page, StoreError};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pilots", get(pilots_list).post(pilot_create))
        .route("/pilots/new", get(pilot_new))
        .route("/pilots/{id}", get(pilot_edit).post(pilot_update))
        .route("/pilots/{id}/delete", post(pilot_delete))
        .route(
            "/designations",
            get(designations_list).post(designation_create),
        )
        .route("/designations/new", get(designation_new))
        .route(
            "/designations/{id}",
            get(designation_edit).post(designation_update),
        )
        .route("/designations/{id}/delete", post(designation_delete))
        .route("/dashboard", get(dashboard))
        .route("/dashboard/export.csv", get(dashboard_export))
}

fn ui<E: Into<AppError>>(lang: Lang) -> impl Fn(E) -> UiError {
    move |e| UiError(e.into(), lang)
}

fn id_of(s: &str, lang: Lang) -> Result<i64, UiError> {
    s.parse::<i64>()
        .map_err(|_| UiError(AppError::Store(StoreError::NotFound), lang))
}

fn nz(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

pub fn pilot_level_label(code: &str, en: bool) -> String {
    PilotLevel::from_any(code)
        .map(|x| x.label(en).to_string())
        .unwrap_or_else(|| code.to_string())
}
pub fn pilot_type_label(code: &str, en: bool) -> String {
    PilotType::from_any(code)
        .map(|x| x.label(en).to_string())
        .unwrap_or_else(|| code.to_string())
}
pub fn designation_type_label(code: &str, en: bool) -> String {
    DesignationType::from_any(code)
        .map(|x| x.label(en).to_string())
        .unwrap_or_else(|| code.to_string())
}
pub fn designation_level_label(code: &str, en: bool) -> String {
    DesignationLevel::from_any(code)
        .map(|x| x.label(en).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// A list's filters as typed, with links that keep them.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    pub region: String,
    pub level: String,
    pub kind: String,
    pub year: String,
    pub q: String,
    pub page: String,
    pub saved: String,
    pub deleted: String,
}

impl ListQuery {
    fn link(&self, base: &str, page: i64) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("region", &self.region),
            ("level", &self.level),
            ("kind", &self.kind),
            ("year", &self.year),
            ("q", &self.q),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        if page > 1 {
            s.append_pair("page", &page.to_string());
        }
        let q = s.finish();
        if q.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{q}")
        }
    }
    fn year(&self, lang: Lang) -> Result<Option<i64>, UiError> {
        match nz(&self.year) {
            None => Ok(None),
            Some(y) => y.parse::<i64>().map(Some).map_err(|_| {
                UiError(
                    AppError::bad_request(
                        Code::BadFilter,
                        format!("年份“{y}”无效"),
                        format!("invalid year '{y}'"),
                    ),
                    lang,
                )
            }),
        }
    }
}

fn years() -> Vec<i64> {
    let this = chrono::Datelike::year(&gongjiang_storage::contacts::today());
    (2015..=i64::from(this) + 1).rev().collect()
}

async fn region_options(st: &AppState, ctx: &Ctx) -> Result<Vec<(String, String)>, UiError> {
    let regions = st.svc.regions(&ctx.actor).await.map_err(ui(ctx.lang))?;
    Ok(regions
        .iter()
        .map(|r| {
            let indent = match r.level.as_str() {
                "city" => "",
                "district" | "zone" => "　",
                _ => "　　",
            };
            (r.code.clone(), format!("{indent}{} {}", r.name, r.code))
        })
        .collect())
}

// ----- pilots -----

#[derive(Template)]
#[template(path = "pilots_list.html")]
struct PilotsPage {
    l: Layout,
    page: Page<Pilot>,
    q: ListQuery,
    regions: Vec<(String, String)>,
    levels: Vec<(&'static str, &'static str)>,
    types: Vec<(&'static str, &'static str)>,
    years: Vec<i64>,
    can_edit: bool,
    prev: String,
    next: String,
    flash: Option<String>,
}

async fn pilots_list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let pq = PilotQuery {
        region: nz(&q.region),
        level: nz(&q.level),
        ptype: nz(&q.kind),
        year: q.year(lang)?,
        q: nz(&q.q),
        page: q.page.parse().ok(),
        per_page: Some(20),
        ..Default::default()
    };
    let f = pq.filter()?;
    let page = st.svc.list_pilots(&ctx.actor, &f).await.map_err(ui(lang))?;
    let l = Layout::new(
        &ctx,
        "/pilots",
        t.s("nav.pilots"),
        vec![
            (t.s("nav.g.pilots"), String::new()),
            (t.s("nav.pilots"), String::new()),
        ],
    );
    let flash = (!q.deleted.is_empty()).then(|| t.s("common.deleted"));
    let page_no = page.page;
    let p = PilotsPage {
        prev: q.link("/pilots", page_no.saturating_sub(1)),
        next: q.link("/pilots", page_no.saturating_add(1)),
        l,
        page,
        regions: region_options(&st, &ctx).await?,
        levels: PilotLevel::ALL
            .iter()
            .map(|x| (x.code(), x.label(lang.is_en())))
            .collect(),
        types: PilotType::ALL
            .iter()
            .map(|x| (x.code(), x.label(lang.is_en())))
            .collect(),
        years: years(),
        can_edit: ctx.role().may_edit_orgs(),
        q,
        flash,
    };
    render(&p, lang)
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct PilotForm {
    org: String,
    level: String,
    ptype: String,
    year: String,
    feature: String,
    benchmark: String,
    version: String,
}

impl PilotForm {
    fn input(&self) -> PilotInput {
        PilotInput {
            org: Some(self.org.clone()),
            level: Some(self.level.clone()),
            ptype: nz(&self.ptype),
            year: Some(self.year.clone()),
            feature: Some(self.feature.clone()),
            benchmark: Some(matches!(self.benchmark.as_str(), "1" | "on" | "true")),
            version: self.version.parse().ok(),
        }
    }
}

#[derive(Template)]
#[template(path = "pilot_form.html")]
struct PilotFormPage {
    l: Layout,
    f: PilotForm,
    e: Errors,
    id: Option<i64>,
    orgs: Vec<(String, String)>,
    levels: Vec<(&'static str, &'static str)>,
    types: Vec<(&'static str, &'static str)>,
}

/// Enterprises and parks in the caller's write scope, for the organisation picker.
async fn org_choices(
    st: &AppState,
    ctx: &Ctx,
    kinds: &[&str],
) -> Result<Vec<(String, String)>, UiError> {
    let mut out = Vec::new();
    for kind in kinds {
        let mut page = 1;
        loop {
            let f = gongjiang_storage::orgs::Filter {
                kind: Some((*kind).into()),
                per_page: 500,
                page,
                ..Default::default()
            };
            let p = st
                .svc
                .list_orgs(&ctx.actor, &f)
                .await
                .map_err(ui(ctx.lang))?;
            let pages = p.pages();
            out.extend(
                p.items
                    .into_iter()
                    .map(|o| (o.uscc.clone().unwrap_or_else(|| o.id.to_string()), o.name)),
            );
            if page >= pages || out.len() > 5000 {
                break;
            }
            page += 1;
        }
    }
    Ok(out)
}

const PILOT_FIELDS: &[&str] = &["org", "level", "ptype", "year", "feature"];

async fn pilot_form(
    st: &AppState,
    ctx: &Ctx,
    f: PilotForm,
    e: Errors,
    id: Option<i64>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let title = if id.is_some() {
        t.s("pilots.edit")
    } else {
        t.s("pilots.new")
    };
    let l = Layout::new(
        ctx,
        "/pilots",
        title.clone(),
        vec![
            (t.s("nav.pilots"), "/pilots".into()),
            (title, String::new()),
        ],
    );
    let status = if e.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = PilotFormPage {
        l,
        f,
        e,
        id,
        orgs: org_choices(st, ctx, &["enterprise", "park"]).await?,
        levels: PilotLevel::ALL
            .iter()
            .map(|x| (x.code(), x.label(lang.is_en())))
            .collect(),
        types: PilotType::ALL
            .iter()
            .map(|x| (x.code(), x.label(lang.is_en())))
            .collect(),
    };
    let mut r = render(&page, lang)?;
    *r.status_mut() = status;
    Ok(r)
}

async fn pilot_new(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let f = PilotForm {
        org: q.q.clone(),
        level: "city".into(),
        year: crate::api::tasks::current_year().to_string(),
        ..Default::default()
    };
    pilot_form(&st, &ctx, f, Errors::default(), None).await
}

async fn pilot_create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    CsrfForm(f): CsrfForm<PilotForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    match st.svc.create_pilot(&ctx.actor, &f.input()).await {
        Ok(p) => {
            Ok(Redirect::to(&format!("/orgs/{}?tab=pilots&saved=1", p.org_id)).into_response())
        }
        Err(e) => {
            let e = AppError::from(e);
            if e.field_errors().is_empty() {
                return Err(UiError(e, lang));
            }
            pilot_form(
                &st,
                &ctx,
                f,
                Errors::from(&e.field_errors(), lang, PILOT_FIELDS),
                None,
            )
            .await
        }
    }
}

async fn pilot_edit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let p = st.svc.get_pilot(&ctx.actor, id).await.map_err(ui(lang))?;
    let f = PilotForm {
        org: p.uscc.clone().unwrap_or_else(|| p.org_id.to_string()),
        level: p.level,
        ptype: p.ptype,
        year: p.year.to_string(),
        feature: p.feature.unwrap_or_default(),
        benchmark: if p.benchmark {
            "1".into()
        } else {
            String::new()
        },
        version: p.version.to_string(),
    };
    pilot_form(&st, &ctx, f, Errors::default(), Some(id)).await
}

async fn pilot_update(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<PilotForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    match st.svc.update_pilot(&ctx.actor, id, &f.input()).await {
        Ok(p) => {
            Ok(Redirect::to(&format!("/orgs/{}?tab=pilots&saved=1", p.org_id)).into_response())
        }
        Err(e) => {
            let e = AppError::from(e);
            if e.field_errors().is_empty() {
                return Err(UiError(e, lang));
            }
            pilot_form(
                &st,
                &ctx,
                f,
                Errors::from(&e.field_errors(), lang, PILOT_FIELDS),
                Some(id),
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
struct Empty {}

async fn pilot_delete(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    st.svc
        .delete_pilot(&ctx.actor, id)
        .await
        .map_err(ui(lang))?;
    Ok(Redirect::to("/pilots?deleted=1").into_response())
}

// ----- designations -----

#[derive(Template)]
#[template(path = "designations_list.html")]
struct DesignationsPage {
    l: Layout,
    page: Page<Designation>,
    q: ListQuery,
    regions: Vec<(String, String)>,
    levels: Vec<(&'static str, &'static str)>,
    types: Vec<(&'static str, &'static str)>,
    years: Vec<i64>,
    can_edit: bool,
    prev: String,
    next: String,
    flash: Option<String>,
}

async fn designations_list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let dq = DesignationQuery {
        region: nz(&q.region),
        level: nz(&q.level),
        dtype: nz(&q.kind),
        year: q.year(lang)?,
        q: nz(&q.q),
        page: q.page.parse().ok(),
        per_page: Some(20),
        ..Default::default()
    };
    let f = dq.filter()?;
    let page = st
        .svc
        .list_designations(&ctx.actor, &f)
        .await
        .map_err(ui(lang))?;
    let l = Layout::new(
        &ctx,
        "/designations",
        t.s("nav.designations"),
        vec![
            (t.s("nav.g.skills"), String::new()),
            (t.s("nav.designations"), String::new()),
        ],
    );
    let flash = (!q.deleted.is_empty()).then(|| t.s("common.deleted"));
    let page_no = page.page;
    let p = DesignationsPage {
        prev: q.link("/designations", page_no.saturating_sub(1)),
        next: q.link("/designations", page_no.saturating_add(1)),
        l,
        page,
        regions: region_options(&st, &ctx).await?,
        levels: DesignationLevel::ALL
            .iter()
            .map(|x| (x.code(), x.label(lang.is_en())))
            .collect(),
        types: DesignationType::ALL
            .iter()
            .map(|x| (x.code(), x.label(lang.is_en())))
            .collect(),
        years: years(),
        can_edit: ctx.role().may_edit_orgs(),
        q,
        flash,
    };
    render(&p, lang)
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct DesignationForm {
    dtype: String,
    worker: String,
    level: String,
    year: String,
    org: String,
    holder_name: String,
    document_no: String,
    version: String,
}

impl DesignationForm {
    fn input(&self) -> DesignationInput {
        DesignationInput {
            worker: nz(&self.worker),
            dtype: Some(self.dtype.clone()),
            level: Some(self.level.clone()),
            year: Some(self.year.clone()),
            org: Some(self.org.clone()),
            holder_name: Some(self.holder_name.clone()),
            document_no: Some(self.document_no.clone()),
            version: self.version.parse().ok(),
        }
    }
}

#[derive(Template)]
#[template(path = "designation_form.html")]
struct DesignationFormPage {
    l: Layout,
    f: DesignationForm,
    e: Errors,
    id: Option<i64>,
    orgs: Vec<(String, String)>,
    levels: Vec<(&'static str, &'static str)>,
    types: Vec<(&'static str, &'static str, bool)>,
}

const DESIGNATION_FIELDS: &[&str] = &[
    "dtype",
    "level",
    "year",
    "org",
    "holder_name",
    "document_no",
    "worker",
];

async fn designation_form(
    st: &AppState,
    ctx: &Ctx,
    f: DesignationForm,
    e: Errors,
    id: Option<i64>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let title = if id.is_some() {
        t.s("designations.edit")
    } else {
        t.s("designations.new")
    };
    let l = Layout::new(
        ctx,
        "/designations",
        title.clone(),
        vec![
            (t.s("nav.designations"), "/designations".into()),
            (title, String::new()),
        ],
    );
    let status = if e.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = DesignationFormPage {
        l,
        f,
        e,
        id,
        orgs: org_choices(
            st,
            ctx,
            &["enterprise", "park", "college", "union", "member_unit"],
        )
        .await?,
        levels: DesignationLevel::ALL
            .iter()
            .map(|x| (x.code(), x.label(lang.is_en())))
            .collect(),
        types: DesignationType::ALL
            .iter()
            .map(|x| {
                (
                    x.code(),
                    x.label(lang.is_en()),
                    x.holder() == gongjiang_domain::programme::Holder::Worker,
                )
            })
            .collect(),
    };
    let mut r = render(&page, lang)?;
    *r.status_mut() = status;
    Ok(r)
}

async fn designation_new(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let f = DesignationForm {
        org: q.q.clone(),
        dtype: "innovation_studio".into(),
        level: "city".into(),
        year: crate::api::tasks::current_year().to_string(),
        ..Default::default()
    };
    designation_form(&st, &ctx, f, Errors::default(), None).await
}

async fn designation_create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    CsrfForm(f): CsrfForm<DesignationForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    match st.svc.create_designation(&ctx.actor, &f.input()).await {
        Ok(d) => Ok(Redirect::to(&format!(
            "/orgs/{}?tab=designations&saved=1",
            d.holder_org_id
        ))
        .into_response()),
        Err(e) => {
            let e = AppError::from(e);
            if e.field_errors().is_empty() {
                return Err(UiError(e, lang));
            }
            designation_form(
                &st,
                &ctx,
                f,
                Errors::from(&e.field_errors(), lang, DESIGNATION_FIELDS),
                None,
            )
            .await
        }
    }
}

async fn designation_edit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let d = st
        .svc
        .get_designation(&ctx.actor, id)
        .await
        .map_err(ui(lang))?;
    let f = DesignationForm {
        // The full number is not shown here; leaving it empty keeps the holder.
        worker: String::new(),
        dtype: d.dtype,
        level: d.level,
        year: d.year.to_string(),
        org: d
            .uscc
            .clone()
            .unwrap_or_else(|| d.holder_org_id.to_string()),
        holder_name: d.holder_name.unwrap_or_default(),
        document_no: d.document_no.unwrap_or_default(),
        version: d.version.to_string(),
    };
    designation_form(&st, &ctx, f, Errors::default(), Some(id)).await
}

async fn designation_update(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<DesignationForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    match st.svc.update_designation(&ctx.actor, id, &f.input()).await {
        Ok(d) => Ok(Redirect::to(&format!(
            "/orgs/{}?tab=designations&saved=1",
            d.holder_org_id
        ))
        .into_response()),
        Err(e) => {
            let e = AppError::from(e);
            if e.field_errors().is_empty() {
                return Err(UiError(e, lang));
            }
            designation_form(
                &st,
                &ctx,
                f,
                Errors::from(&e.field_errors(), lang, DESIGNATION_FIELDS),
                Some(id),
            )
            .await
        }
    }
}

async fn designation_delete(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    st.svc
        .delete_designation(&ctx.actor, id)
        .await
        .map_err(ui(lang))?;
    Ok(Redirect::to("/designations?deleted=1").into_response())
}

// ----- dashboard -----

#[derive(Deserialize, Default)]
#[serde(default)]
struct DashQuery {
    org: String,
    period: String,
}

pub struct DashCard {
    pub code: &'static str,
    pub label: String,
    pub value: String,
    pub unit: String,
    pub pending: Option<u32>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    l: Layout,
    subject: String,
    org: String,
    period: String,
    years: Vec<i32>,
    /// "数据截至2025年度": the latest year with approved data, the default period.
    as_of: String,
    cards: Vec<DashCard>,
    bars_json: String,
    trend_json: String,
    skills_json: String,
    treemap_json: String,
    up: Option<String>,
    export_href: String,
    /// The annual task list of the period's year in this area (issue #4): counts by
    /// status as a chart and the overdue or 督办 tasks.
    tasks: Option<(gongjiang_storage::tasks::Board, String)>,
}

/// An indicator's value, 0 when absent or not computable.
fn pick(vals: &[gongjiang_storage::indicators::Value], code: &str) -> f64 {
    vals.iter()
        .find(|v| v.code == code)
        .and_then(|v| v.value)
        .unwrap_or(0.0)
}

/// One rectangle of the pilot treemap: a region or organisation with its pilot
/// enterprises and parks (`pilot_enterprises`, `pilot_parks` from the indicator engine)
/// and the areas below it that have any.
struct PilotArea {
    name: String,
    code: String,
    enterprises: i64,
    parks: i64,
    children: Vec<PilotArea>,
}

impl PilotArea {
    fn of(
        s: &gongjiang_storage::registers::Subject,
        v: &[gongjiang_storage::indicators::Value],
    ) -> Self {
        PilotArea {
            name: s.name.clone(),
            code: s.code.clone(),
            enterprises: pick(v, "pilot_enterprises") as i64,
            parks: pick(v, "pilot_parks") as i64,
            children: Vec::new(),
        }
    }

    fn total(&self) -> i64 {
        self.enterprises + self.parks
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name,
            "code": self.code,
            "value": self.total(),
            "enterprises": self.enterprises,
            "parks": self.parks,
            "children": self.children.iter().map(PilotArea::json).collect::<Vec<_>>(),
        })
    }
}

/// The pilot treemap's areas below the subject of `r`: its children (districts for the
/// city), each with its own children (towns), those without pilots left out.
async fn pilot_areas(
    st: &AppState,
    ctx: &Ctx,
    r: &gongjiang_storage::registers::IndicatorReport,
) -> Result<Vec<PilotArea>, UiError> {
    let below = st
        .svc
        .indicator_grandchildren(&ctx.actor, r)
        .await
        .map_err(ui(ctx.lang))?;
    Ok(r.children
        .iter()
        .zip(below)
        .map(|((s, v), kids)| {
            let mut a = PilotArea::of(s, v);
            a.children = kids
                .iter()
                .map(|(s, v)| PilotArea::of(s, v))
                .filter(|k| k.total() > 0)
                .collect();
            a
        })
        .filter(|a| a.total() > 0)
        .collect())
}

/// A chart's JSON for its data- attribute, or "" when it has nothing to draw.
fn drawn(chart: &serde_json::Value) -> String {
    if crate::ui::charts::has_data(chart) {
        chart.to_string()
    } else {
        String::new()
    }
}

fn fmt_value(v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(x) if x.fract() == 0.0 => crate::i18n::group(x as i64),
        // One decimal, the whole part grouped the Chinese way (1,373.5).
        Some(x) => {
            let tenths = (x.abs() * 10.0).round() as i64;
            let sign = if x < 0.0 && tenths > 0 { "-" } else { "" };
            match tenths % 10 {
                0 => format!("{sign}{}", crate::i18n::group(tenths / 10)),
                d => format!("{sign}{}.{d}", crate::i18n::group(tenths / 10)),
            }
        }
    }
}

/// The default subject: the caller's own region or organisation.
fn home_node(ctx: &Ctx) -> String {
    ctx.user
        .org_id
        .filter(|_| !ctx.role().is_region_staff())
        .map(|o| o.to_string())
        .or(ctx.user.region_code.clone())
        .unwrap_or_else(|| "320400".into())
}

async fn dashboard(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<DashQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let en = lang.is_en();
    let org = nz(&q.org).unwrap_or_else(|| home_node(&ctx));
    let latest = crate::period::default_year(&st, &ctx.actor).await;
    let period = nz(&q.period).unwrap_or_else(|| latest.to_string());
    let r = st
        .svc
        .indicators(&ctx.actor, &org, &period, true)
        .await
        .map_err(ui(lang))?;
    let cards = r
        .values
        .iter()
        .filter_map(|v| {
            let ind = gongjiang_domain::indicators::find(v.code)?;
            Some(DashCard {
                code: v.code,
                label: ind.name(en).to_string(),
                value: fmt_value(v.value),
                unit: ind.unit(en).to_string(),
                pending: v.pending_issue,
            })
        })
        .collect();
    let kids: Vec<_> = r
        .children
        .iter()
        .filter(|(_, v)| {
            pick(v, "pilot_enterprises") + pick(v, "pilot_parks") + pick(v, "innovation_studios")
                > 0.0
        })
        .collect();
    // A street's enterprises are many and long-named: horizontal bars, largest first, the
    // rest summed as 其他 (crate::ui::charts).
    let series_names: Vec<String> = ["pilot_enterprises", "innovation_studios"]
        .iter()
        .map(|c| {
            gongjiang_domain::indicators::find(c)
                .map(|i| i.name(en))
                .unwrap_or("")
                .to_string()
        })
        .collect();
    let mut bars = crate::ui::charts::bars(
        &t,
        &series_names,
        kids.iter()
            .map(|(s, v)| crate::ui::charts::Bar {
                name: s.name.clone(),
                code: Some(s.code.clone()),
                values: vec![pick(v, "pilot_enterprises"), pick(v, "innovation_studios")],
            })
            .collect(),
    );
    bars["drill"] = format!("/dashboard?period={}&org=", r.period).into();
    let trend = st
        .svc
        .pilot_trend(&ctx.actor, &org)
        .await
        .map_err(ui(lang))?;
    let trend_json = serde_json::json!({
        "kind": "line",
        "names": trend.iter().map(|(y, _, _)| y.to_string()).collect::<Vec<_>>(),
        "series": [
            {"name": t.s("dash.trend_enterprises"), "values": trend.iter().map(|(_, e, _)| *e).collect::<Vec<_>>()},
            {"name": t.s("dash.trend_parks"), "values": trend.iter().map(|(_, _, p)| *p).collect::<Vec<_>>()},
        ]
    });
    let skills = st
        .svc
        .skill_distribution(&ctx.actor, &org)
        .await
        .map_err(ui(lang))?;
    let skills_json = serde_json::json!({
        "kind": "pie",
        "names": skills.iter().map(|(c, _)| gongjiang_domain::SkillLevel::from_any(c).map(|s| s.label(en).to_string()).unwrap_or_default()).collect::<Vec<_>>(),
        "series": [{"name": t.s("dash.skills"), "values": skills.iter().map(|(_, n)| *n).collect::<Vec<_>>()}],
    });
    // Pilots by area, two levels deep, sized by the number of pilots.
    let areas = pilot_areas(&st, &ctx, &r).await?;
    let name_of = |code: &str| {
        gongjiang_domain::indicators::find(code)
            .map(|i| i.name(en))
            .unwrap_or("")
    };
    let treemap_json = serde_json::json!({
        "kind": "treemap",
        "drill": format!("/dashboard?period={}&org=", r.period),
        "labels": [name_of("pilot_enterprises"), name_of("pilot_parks")],
        "tree": areas.iter().map(PilotArea::json).collect::<Vec<_>>(),
    });
    // One level up, unless this is the top of the caller's scope.
    let up = match st.svc.region(&ctx.actor, &r.subject.code).await {
        Ok(reg) => match reg.parent_code {
            Some(p) if st.svc.region(&ctx.actor, &p).await.is_ok() => Some(p),
            _ => None,
        },
        // An organisation: its parent organisation or its region, if the caller sees it
        // (a unit's dashboard has nothing above it to open).
        Err(_) => match st.svc.find_org(&ctx.actor, &r.subject.code).await {
            Ok(o) => match o.parent_id {
                Some(p) => st
                    .svc
                    .get_org(&ctx.actor, p)
                    .await
                    .ok()
                    .map(|_| p.to_string()),
                None => st
                    .svc
                    .region(&ctx.actor, &o.region_code)
                    .await
                    .ok()
                    .map(|_| o.region_code),
            },
            Err(_) => None,
        },
    };
    let l = Layout::new(
        &ctx,
        "/dashboard",
        t.s("nav.dashboard"),
        vec![
            (t.s("nav.g.data"), String::new()),
            (t.s("nav.dashboard"), String::new()),
        ],
    )
    .with_script("/assets/echarts.min.js");
    let export_href = format!(
        "/dashboard/export.csv?org={}&period={}",
        r.subject.code, r.period
    );
    let tasks = crate::ui::tasks::dashboard_board(&st, &ctx, &r.subject.code, &r.period).await;
    let page = DashboardPage {
        tasks,
        l,
        subject: r.subject.name.clone(),
        org: r.subject.code.clone(),
        period: r.period.clone(),
        years: crate::period::years(latest),
        as_of: crate::period::as_of(&t, latest),
        cards,
        // An empty string: no data, the page says so instead of drawing an empty frame.
        bars_json: drawn(&bars),
        trend_json: drawn(&trend_json),
        skills_json: drawn(&skills_json),
        treemap_json: drawn(&treemap_json),
        up,
        export_href,
    };
    render(&page, lang)
}

/// Every chart's numbers: the subject and each child, every indicator, as CSV.
async fn dashboard_export(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<DashQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let org = nz(&q.org).unwrap_or_else(|| home_node(&ctx));
    let period = match nz(&q.period) {
        Some(p) => p,
        None => crate::period::default_year(&st, &ctx.actor)
            .await
            .to_string(),
    };
    let r = st
        .svc
        .indicators(&ctx.actor, &org, &period, true)
        .await
        .map_err(ui(lang))?;
    let mut out = String::from("\u{feff}");
    let head: Vec<String> = std::iter::once(if en {
        "Name".to_string()
    } else {
        "名称".to_string()
    })
    .chain(std::iter::once(if en {
        "Code".into()
    } else {
        "代码".into()
    }))
    .chain(CATALOGUE.iter().map(|i| i.name(en).to_string()))
    .collect();
    out.push_str(&head.join(","));
    out.push_str("\r\n");
    let mut line = |name: &str, code: &str, vals: &[gongjiang_storage::indicators::Value]| {
        let cells: Vec<String> = present(vals, en)
            .iter()
            .map(|v| {
                v.value
                    .map(|x| {
                        if x.fract() == 0.0 {
                            format!("{}", x as i64)
                        } else {
                            format!("{x:.2}")
                        }
                    })
                    .unwrap_or_default()
            })
            .collect();
        out.push_str(&format!(
            "\"{}\",{},{}\r\n",
            name.replace('"', "\"\""),
            code,
            cells.join(",")
        ));
    };
    line(&r.subject.name, &r.subject.code, &r.values);
    for (s, v) in &r.children {
        line(&s.name, &s.code, v);
    }
    // The other charts' numbers: the trend and the skill distribution.
    let t = T(lang);
    out.push_str(&format!(
        "\r\n{},{},{}\r\n",
        if en { "Year" } else { "年份" },
        t.s("dash.trend_enterprises"),
        t.s("dash.trend_parks")
    ));
    for (y, e, p) in st
        .svc
        .pilot_trend(&ctx.actor, &org)
        .await
        .map_err(ui(lang))?
    {
        out.push_str(&format!("{y},{e},{p}\r\n"));
    }
    out.push_str(&format!(
        "\r\n{},{}\r\n",
        t.s("workers.skill"),
        if en { "Workers" } else { "人数" }
    ));
    for (c, n) in st
        .svc
        .skill_distribution(&ctx.actor, &org)
        .await
        .map_err(ui(lang))?
    {
        out.push_str(&format!(
            "{},{n}\r\n",
            gongjiang_domain::SkillLevel::from_any(&c)
                .map(|s| s.label(en))
                .unwrap_or("")
        ));
    }
    // The treemap: pilots by area and the areas below them.
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    out.push_str(&format!(
        "\r\n{},{},{},{},{}\r\n",
        if en { "Area" } else { "区域" },
        if en { "Sub-area" } else { "下级区域" },
        if en { "Code" } else { "代码" },
        CATALOGUE
            .iter()
            .find(|i| i.code == "pilot_enterprises")
            .map(|i| i.name(en))
            .unwrap_or(""),
        CATALOGUE
            .iter()
            .find(|i| i.code == "pilot_parks")
            .map(|i| i.name(en))
            .unwrap_or(""),
    ));
    for a in pilot_areas(&st, &ctx, &r).await? {
        out.push_str(&format!(
            "{},,{},{},{}\r\n",
            q(&a.name),
            a.code,
            a.enterprises,
            a.parks
        ));
        for k in &a.children {
            out.push_str(&format!(
                "{},{},{},{},{}\r\n",
                q(&a.name),
                q(&k.name),
                k.code,
                k.enterprises,
                k.parks
            ));
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"indicators.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}
