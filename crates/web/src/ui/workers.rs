//! Console pages of the worker registry: masked lists, exact search by 身份证号, a detail
//! page whose full numbers appear only on request (and are audit-logged).
use super::{render, save_form, save_or_show, Errors, Layout};
use crate::api::workers::WorkerQuery;
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::error::UiError;
use crate::i18n::T;
use crate::ui::lists::nz;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use gongjiang_domain::SkillLevel;
use gongjiang_storage::access::Permission;
use gongjiang_storage::workers::{Worker, WorkerInput};
use gongjiang_storage::Page;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/workers", get(list).post(create))
        .route("/workers/new", get(new))
        .route("/workers/{id}", get(show))
        .route("/workers/{id}/reveal", post(reveal))
        .route("/workers/{id}/certificates", post(add_certificate))
        .route(
            "/workers/{id}/certificates/remove",
            post(remove_certificate),
        )
}

pub fn skill_label(code: &Option<String>, en: bool) -> String {
    code.as_deref()
        .and_then(SkillLevel::from_any)
        .map(|s| s.label(en).to_string())
        .unwrap_or_else(|| "—".into())
}

pub fn is_high(code: &Option<String>) -> bool {
    code.as_deref()
        .and_then(SkillLevel::from_any)
        .is_some_and(SkillLevel::is_high_skilled)
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ListQuery {
    region: String,
    skill_level: String,
    q: String,
    id_number: String,
    page: String,
}

#[derive(Template)]
#[template(path = "workers_list.html")]
struct ListPage {
    l: Layout,
    page: Page<Worker>,
    q: ListQuery,
    regions: Vec<(String, String)>,
    skills: Vec<(&'static str, &'static str)>,
    can_edit: bool,
    prev: String,
    next: String,
}

async fn list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let wq = WorkerQuery {
        region: nz(&q.region),
        q: nz(&q.q),
        id_number: nz(&q.id_number),
        skill_level: nz(&q.skill_level),
        page: q.page.parse().ok(),
        per_page: Some(20),
        org_id: None,
    };
    let f = wq.filter()?;
    let page = st.svc.list_workers(&ctx.actor, &f).await?;
    let regions = super::lists::region_names(&st, &ctx).await?;
    let link = |p: i64| {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("region", &q.region),
            ("skill_level", &q.skill_level),
            ("q", &q.q),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        s.append_pair("page", &p.to_string());
        format!("/workers?{}", s.finish())
    };
    let (prev, next) = (
        link(page.page.saturating_sub(1)),
        link(page.page.saturating_add(1)),
    );
    let l = Layout::new(
        &ctx,
        "/workers",
        t.s("nav.workers"),
        vec![
            (t.s("nav.g.skills"), String::new()),
            (t.s("nav.workers"), String::new()),
        ],
    );
    render(
        &ListPage {
            l,
            page,
            q,
            regions,
            skills: SkillLevel::ALL
                .iter()
                .map(|s| (s.code(), s.label(lang.is_en())))
                .collect(),
            can_edit: ctx.may(Permission::RegisterWorkers),
            prev,
            next,
        },
        lang,
    )
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct WorkerForm {
    name: String,
    id_number: String,
    org: String,
    phone: String,
    occupation: String,
    skill_level: String,
    certificate_no: String,
    certified_on: String,
    frontline: String,
    political_status: String,
}

#[derive(Template)]
#[template(path = "worker_form.html")]
struct FormPage {
    l: Layout,
    f: WorkerForm,
    e: Errors,
    skills: Vec<(&'static str, &'static str)>,
    org_fixed: bool,
}

async fn form_page(ctx: &Ctx, f: WorkerForm, e: Errors) -> Result<Response, UiError> {
    let t = T(ctx.lang);
    let l = Layout::new(
        ctx,
        "/workers",
        t.s("workers.new"),
        vec![
            (t.s("nav.workers"), "/workers".into()),
            (t.s("workers.new"), String::new()),
        ],
    );
    let status = if e.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut r = render(
        &FormPage {
            l,
            f,
            e,
            skills: SkillLevel::ALL
                .iter()
                .map(|s| (s.code(), s.label(ctx.lang.is_en())))
                .collect(),
            org_fixed: gongjiang_storage::access::bound_to_own_org(&ctx.actor),
        },
        ctx.lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

async fn new(WebUser(ctx, ..): WebUser) -> Result<Response, UiError> {
    let org = ctx.fixed_org("");
    form_page(
        &ctx,
        WorkerForm {
            org,
            ..Default::default()
        },
        Errors::default(),
    )
    .await
}

async fn create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    CsrfForm(f): CsrfForm<WorkerForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let s = |v: &str| Some(v.to_string());
    let org = ctx.fixed_org(&f.org);
    let input = WorkerInput {
        name: s(&f.name),
        id_number: s(&f.id_number),
        org: Some(org),
        phone: s(&f.phone),
        occupation: s(&f.occupation),
        skill_level: s(&f.skill_level),
        certificate_no: s(&f.certificate_no),
        certified_on: s(&f.certified_on),
        frontline: Some(matches!(f.frontline.as_str(), "1" | "on")),
        political_status: s(&f.political_status),
        certificates: None,
    };
    let fields = [
        "name",
        "id_number",
        "org",
        "phone",
        "occupation",
        "skill_level",
        "certificate_no",
        "certified_on",
        "political_status",
    ];
    save_form(
        lang,
        st.svc.save_worker(&ctx.actor, &input).await,
        &fields,
        |w| format!("/workers/{}", w.id),
        |errors| form_page(&ctx, f, errors),
    )
    .await
}

#[derive(Template)]
#[template(path = "worker_detail.html")]
struct DetailPage {
    l: Layout,
    w: Worker,
    can_reveal: bool,
    can_edit: bool,
    titles: Vec<gongjiang_storage::designations::Designation>,
    /// The classes taken: (roster row, class code, class name).
    classes: Vec<(gongjiang_storage::training::Trainee, String, String)>,
    /// Engagements as 产业教授.
    engagements: Vec<gongjiang_storage::training::professors::Engagement>,
    /// The innovation results the worker made (counted ones; those in review in scope).
    innovations: Vec<gongjiang_storage::innovations::Innovation>,
    skills: Vec<(&'static str, &'static str)>,
    /// Problems with the last certificate entered, and what was typed.
    cert_errors: Vec<String>,
    cert: CertForm,
}

async fn show(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    detail(&st, &ctx, &id, Vec::new(), CertForm::default()).await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct CertForm {
    no: String,
    skill_level: String,
    occupation: String,
    certified_on: String,
    issuer: String,
}

async fn add_certificate(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<CertForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let wid = crate::ui::lists::id_of(&id, lang)?;
    let s = |v: &str| Some(v.to_string()).filter(|v| !v.trim().is_empty());
    let c = gongjiang_storage::workers::Certificate {
        no: f.no.clone(),
        skill_level: s(&f.skill_level),
        occupation: s(&f.occupation),
        certified_on: s(&f.certified_on),
        issuer: s(&f.issuer),
        source: None,
    };
    save_or_show(
        lang,
        st.svc.add_certificate(&ctx.actor, wid, c).await,
        |_| format!("/workers/{wid}#certificates"),
        |r| async move { detail(&st, &ctx, &id, r.messages(), f).await },
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RemoveForm {
    no: String,
}

async fn remove_certificate(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<RemoveForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let wid = crate::ui::lists::id_of(&id, lang)?;
    st.svc.remove_certificate(&ctx.actor, wid, &f.no).await?;
    Ok(Redirect::to(&format!("/workers/{wid}#certificates")).into_response())
}

async fn detail(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    cert_errors: Vec<String>,
    cert: CertForm,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let id = crate::ui::lists::id_of(id, lang)?;
    let w = st.svc.get_worker(&ctx.actor, id).await?;
    let can_reveal = ctx.may(Permission::SeePersonalData { org_id: w.org_id });
    let can_edit = can_reveal;
    let l = Layout::new(
        ctx,
        "/workers",
        w.name.clone(),
        vec![
            (t.s("nav.workers"), "/workers".into()),
            (w.name.clone(), String::new()),
        ],
    );
    let f = gongjiang_storage::designations::Filter {
        worker_id: Some(w.id),
        per_page: 100,
        page: 1,
        ..Default::default()
    };
    let titles = st.svc.list_designations(&ctx.actor, &f).await?.items;
    let classes = st.svc.worker_classes(&ctx.actor, w.id).await?;
    let engagements = st.svc.worker_engagements(&ctx.actor, w.id).await?;
    let innovations = st
        .svc
        .list_innovations(
            &ctx.actor,
            &gongjiang_storage::innovations::InnovationFilter {
                worker: Some(w.id),
                per_page: 100,
                ..Default::default()
            },
        )
        .await
        .map(|p| p.items)
        .unwrap_or_default();
    render(
        &DetailPage {
            l,
            w,
            can_reveal,
            can_edit,
            titles,
            classes,
            engagements,
            innovations,
            skills: SkillLevel::ALL
                .iter()
                .map(|s| (s.code(), s.label(lang.is_en())))
                .collect(),
            cert_errors,
            cert,
        },
        lang,
    )
}

#[derive(Deserialize, Default)]
struct Empty {}

async fn reveal(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let id = crate::ui::lists::id_of(&id, lang)?;
    let (number, phone) = st.svc.reveal_worker(&ctx.actor, id).await?;
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
    Ok(Html(format!(
        "<dl class=\"facts\" id=\"revealed\"><dt>{}</dt><dd class=\"mono\">{}</dd><dt>{}</dt><dd class=\"mono\">{}</dd></dl><p class=\"muted\">{}</p>",
        t.s("workers.id_number"),
        esc(&number),
        t.s("workers.phone"),
        esc(phone.as_deref().unwrap_or("—")),
        t.s("workers.revealed_note")
    ))
    .into_response())
}
