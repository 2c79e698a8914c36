//! Console pages of the enterprise contact points (`/contacts`: figures from the
//! indicator engine, charts, problems, visits, officials; a page per problem with its
//! actions) and of pairing (`/pairs`: one graph per supply chain, the filtered list,
//! a page per pair with its activities).
use super::{render, Layout};
use crate::api::contacts::{PairQuery, ProblemQuery};
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::{Lang, T};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use gongjiang_domain::contacts::{
    PairKind, ProblemCategory, ProblemSource, ProblemStatus, VisitForm,
};
use gongjiang_domain::Role;
use gongjiang_storage::contacts::{
    ContactEdit, ContactEndInput, ContactInput, ContactPoint, Problem, ProblemActInput,
    ProblemInput, Visit, VisitEdit, VisitFilter, VisitInput,
};
use gongjiang_storage::pairs::{
    Activity, ActivityEdit, ActivityInput, Pair, PairEdit, PairEndInput, PairInput,
};
use gongjiang_storage::{Page, StoreError};
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeMap, HashSet};

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

/// A form field as the generic form template shows it.
pub struct Field {
    pub key: &'static str,
    pub label: String,
    /// text, date, number, select, textarea
    pub kind: &'static str,
    pub required: bool,
    pub choices: Vec<(String, String)>,
    pub value: String,
    pub help: String,
    pub error: String,
}

fn field(key: &'static str, label: String, kind: &'static str, required: bool) -> Field {
    Field {
        key,
        label,
        kind,
        required,
        choices: Vec::new(),
        value: String::new(),
        help: String::new(),
        error: String::new(),
    }
}

impl Field {
    fn choices(mut self, c: Vec<(String, String)>) -> Field {
        self.choices = c;
        self
    }
    fn help(mut self, h: String) -> Field {
        self.help = h;
        self
    }
}

/// Fills values from what was typed and puts each error next to its field; errors of
/// other fields (or none) become general messages.
fn fill(
    fields: &mut [Field],
    data: &BTreeMap<String, String>,
    e: Option<&StoreError>,
    en: bool,
) -> Vec<String> {
    for f in fields.iter_mut() {
        if let Some(v) = data.get(f.key) {
            f.value = v.clone();
        }
    }
    let mut general = Vec::new();
    match e {
        Some(StoreError::Invalid(errs)) => {
            for fe in errs {
                let msg = fe.message(en).to_string();
                match fields.iter_mut().find(|f| f.key == fe.field) {
                    Some(f) if f.error.is_empty() => f.error = msg,
                    _ => general.push(msg),
                }
            }
        }
        Some(StoreError::Conflict { zh, en: e, .. })
        | Some(StoreError::Denied { zh, en: e, .. }) => {
            general.push(if en { e.clone() } else { zh.clone() })
        }
        _ => {}
    }
    general
}

#[derive(Template)]
#[template(path = "contact_form.html")]
struct FormPage {
    l: Layout,
    heading: String,
    action: String,
    fields: Vec<Field>,
    general: Vec<String>,
    back: String,
    /// The version of the record being changed (an edit form).
    version: Option<String>,
    /// The submit button's label.
    submit: String,
    /// A note above the form (what the record is).
    intro: String,
}

fn opts<E: Copy>(
    all: &[E],
    code: fn(E) -> &'static str,
    label: fn(E, bool) -> &'static str,
    en: bool,
) -> Vec<(String, String)> {
    all.iter()
        .map(|e| (code(*e).to_string(), label(*e, en).to_string()))
        .collect()
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

// ---------------------------------------------------------------- /contacts

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ContactsQuery {
    year: String,
    status: String,
    category: String,
    q: String,
    page: String,
}

pub struct Stat {
    pub code: &'static str,
    pub label: String,
    pub value: String,
    pub unit: String,
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct ContactsPage {
    l: Layout,
    q: ContactsQuery,
    years: Vec<String>,
    /// "数据截至2025年度": the default year.
    as_of: String,
    stats: Vec<Stat>,
    areas_json: String,
    status_json: String,
    category_json: String,
    problems: Page<Problem>,
    visits: Vec<Visit>,
    points: Vec<ContactPoint>,
    statuses: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    can_raise: bool,
    can_visit: bool,
    can_assign: bool,
    prev: String,
    next: String,
}

fn home_node(ctx: &Ctx) -> String {
    ctx.user
        .org_id
        .filter(|_| !ctx.role().is_region_staff())
        .map(|o| o.to_string())
        .or(ctx.user.region_code.clone())
        .unwrap_or_else(|| "320400".into())
}

fn fmt_value(v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(x) if x.fract() == 0.0 => crate::i18n::group(x as i64),
        Some(x) => format!("{x:.1}"),
    }
}

const CONTACT_INDICATORS: [&str; 5] = [
    "visits",
    "problems_raised",
    "problems_resolved",
    "problem_resolution_rate",
    "avg_days_to_resolve",
];

async fn contacts(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<ContactsQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let recent = st
        .svc
        .list_visits(
            &ctx.actor,
            &VisitFilter {
                page: 1,
                per_page: 10,
                ..Default::default()
            },
            en,
        )
        .await
        .map_err(ui(lang))?;
    let this_year = chrono::Datelike::year(&gongjiang_storage::contacts::today());
    // Default: the latest year with approved data, as on every page.
    let latest = crate::period::default_year(&st, &ctx.actor).await;
    let year = if q.year.len() == 4 && q.year.parse::<i32>().is_ok() {
        q.year.clone()
    } else {
        latest.to_string()
    };
    let report = st
        .svc
        .indicators(
            &ctx.actor,
            &home_node(&ctx),
            &year,
            ctx.role().is_region_staff(),
        )
        .await
        .map_err(ui(lang))?;
    let stats = CONTACT_INDICATORS
        .iter()
        .filter_map(|code| {
            let ind = gongjiang_domain::indicators::find(code)?;
            let v = report.values.iter().find(|v| v.code == *code)?;
            Some(Stat {
                code: ind.code,
                label: ind.name(en).to_string(),
                value: fmt_value(v.value),
                unit: ind.unit(en).to_string(),
            })
        })
        .collect();
    let get = |vals: &[gongjiang_storage::indicators::Value], code: &str| {
        vals.iter()
            .find(|v| v.code == code)
            .and_then(|v| v.value)
            .unwrap_or(0.0)
    };
    let children: Vec<_> = report
        .children
        .iter()
        .filter(|(_, v)| get(v, "problems_raised") > 0.0 || get(v, "visits") > 0.0)
        .collect();
    let areas_json = json!({
        "kind": "bar",
        "names": children.iter().map(|(s, _)| s.name.clone()).collect::<Vec<_>>(),
        "series": [
            {"name": t.s("contacts.visits"), "values": children.iter().map(|(_, v)| get(v, "visits")).collect::<Vec<_>>()},
            {"name": t.s("contacts.raised"), "values": children.iter().map(|(_, v)| get(v, "problems_raised")).collect::<Vec<_>>()},
            {"name": t.s("contacts.resolved"), "values": children.iter().map(|(_, v)| get(v, "problems_resolved")).collect::<Vec<_>>()},
        ],
    })
    .to_string();
    let page_no = q.page.parse::<i64>().unwrap_or(1).max(1);
    let f = ProblemQuery {
        status: Some(q.status.clone()),
        category: Some(q.category.clone()),
        q: Some(q.q.clone()),
        page: Some(page_no),
        per_page: Some(15),
        ..Default::default()
    }
    .filter();
    let problems = st
        .svc
        .list_problems(&ctx.actor, &f, en)
        .await
        .map_err(ui(lang))?;
    let pstats = st
        .svc
        .problem_stats(
            &ctx.actor,
            &gongjiang_storage::contacts::ProblemFilter::default(),
        )
        .await
        .map_err(ui(lang))?;
    let status_label = |c: &str| {
        ProblemStatus::from_any(c)
            .map(|s| s.label(en))
            .unwrap_or("")
            .to_string()
    };
    let cat_label = |c: &str| {
        ProblemCategory::from_any(c)
            .map(|s| s.label(en))
            .unwrap_or("")
            .to_string()
    };
    let status_json = json!({
        "kind": "pie",
        "names": pstats.by_status.iter().map(|(c, _)| status_label(c)).collect::<Vec<_>>(),
        "series": [{"name": "", "values": pstats.by_status.iter().map(|(_, n)| *n).collect::<Vec<_>>()}],
    })
    .to_string();
    let category_json = json!({
        "kind": "bar",
        "names": pstats.by_category.iter().map(|(c, _, _)| cat_label(c)).collect::<Vec<_>>(),
        "series": [
            {"name": t.s("contacts.raised"), "values": pstats.by_category.iter().map(|(_, r, _)| *r).collect::<Vec<_>>()},
            {"name": t.s("contacts.resolved"), "values": pstats.by_category.iter().map(|(_, _, s)| *s).collect::<Vec<_>>()},
        ],
    })
    .to_string();
    let points = st
        .svc
        .list_contact_points(&ctx.actor, None, None)
        .await
        .map_err(ui(lang))?;
    let link = |p: i64| {
        format!(
            "/contacts?year={year}&status={}&category={}&q={}&page={p}",
            q.status,
            q.category,
            urlencode(&q.q)
        )
    };
    let l = Layout::new(
        &ctx,
        "/contacts",
        t.s("nav.contacts"),
        nav_crumbs(t, "nav.contacts", "/contacts", None),
    )
    .with_script("/assets/echarts.min.js");
    let role = ctx.role();
    render(
        &ContactsPage {
            l,
            prev: link(page_no.saturating_sub(1)),
            next: link(page_no.saturating_add(1)),
            years: (2021..=this_year).rev().map(|y| y.to_string()).collect(),
            as_of: crate::period::as_of(&t, latest),
            q: ContactsQuery { year, ..q },
            stats,
            areas_json,
            status_json,
            category_json,
            problems,
            visits: recent.items,
            points,
            statuses: opts(
                ProblemStatus::ALL,
                ProblemStatus::code,
                ProblemStatus::label,
                en,
            ),
            categories: opts(
                ProblemCategory::ALL,
                ProblemCategory::code,
                ProblemCategory::label,
                en,
            ),
            can_raise: role == Role::Unit || role.is_region_staff() || role == Role::Department,
            can_visit: role.is_region_staff() || role == Role::Department,
            can_assign: role.is_region_staff(),
        },
        lang,
    )
}

impl ContactsPage {
    /// May the user correct this visit: region staff over it, or its author.
    fn may_edit_visit(&self, v: &Visit) -> bool {
        self.can_assign || v.created_by == Some(self.l.user.id)
    }
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The badge colour of a problem's status.
pub fn problem_badge<S: AsRef<str>>(status: S) -> &'static str {
    match status.as_ref() {
        "resolved" => "badge-green",
        "in_progress" => "badge-blue",
        "open" => "badge-orange",
        _ => "badge-gray",
    }
}

// ------------------------------------------------------------- problem form

fn problem_fields(t: T, role: Role, en: bool) -> Vec<Field> {
    let mut v = Vec::new();
    if role != Role::Unit {
        v.push(field("org", t.s("contacts.org"), "text", true).help(t.s("contacts.org_help")));
    }
    let sources: Vec<(String, String)> = ProblemSource::ALL
        .iter()
        .filter(|s| role != Role::Unit || **s != ProblemSource::Official)
        .map(|s| (s.code().to_string(), s.label(en).to_string()))
        .collect();
    v.push(field("source", t.s("contacts.source"), "select", true).choices(sources));
    v.push(
        field("category", t.s("contacts.category"), "select", true).choices(opts(
            ProblemCategory::ALL,
            ProblemCategory::code,
            ProblemCategory::label,
            en,
        )),
    );
    v.push(field(
        "description",
        t.s("contacts.description"),
        "textarea",
        true,
    ));
    v.push(field("raised_on", t.s("contacts.raised_on"), "date", true));
    v.push(field(
        "responsible_unit",
        t.s("contacts.responsible_unit"),
        "text",
        false,
    ));
    v
}

async fn problem_form(
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(data): Query<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    form_page(
        &ctx,
        "contacts.raise",
        "/contacts/problems/new",
        problem_fields(T(ctx.lang), ctx.role(), ctx.lang.is_en()),
        &data,
        None,
    )
}

fn form_page(
    ctx: &Ctx,
    heading: &str,
    action: &str,
    fields: Vec<Field>,
    data: &BTreeMap<String, String>,
    e: Option<&StoreError>,
) -> Result<Response, UiError> {
    form_page_for(ctx, heading, action, &Edit::default(), fields, data, e)
}

/// What an edit form adds to a new-record form: where "cancel" leads, the record's
/// version, the submit label and a line saying which record it is.
#[derive(Default)]
struct Edit {
    back: Option<String>,
    submit: Option<&'static str>,
    intro: String,
}

fn form_page_for(
    ctx: &Ctx,
    heading: &str,
    action: &str,
    edit: &Edit,
    mut fields: Vec<Field>,
    data: &BTreeMap<String, String>,
    e: Option<&StoreError>,
) -> Result<Response, UiError> {
    let t = T(ctx.lang);
    let general = fill(&mut fields, data, e, ctx.lang.is_en());
    let (key, list) = if action.starts_with("/pairs") {
        ("nav.pairs", "/pairs")
    } else {
        ("nav.contacts", "/contacts")
    };
    let back = edit.back.clone().unwrap_or_else(|| list.to_string());
    let back = back.as_str();
    let l = Layout::new(
        ctx,
        list,
        t.s(heading),
        nav_crumbs(t, key, list, Some(t.s(heading))),
    );
    let page = render(
        &FormPage {
            l,
            heading: t.s(heading),
            action: action.to_string(),
            fields,
            general,
            back: back.to_string(),
            version: data.get("_version").cloned(),
            submit: t.s(edit.submit.unwrap_or("common.save")),
            intro: edit.intro.clone(),
        },
        ctx.lang,
    )?;
    Ok(match e {
        Some(StoreError::Invalid(_)) => {
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
        Some(StoreError::Conflict { .. }) => {
            (axum::http::StatusCode::CONFLICT, page).into_response()
        }
        Some(StoreError::Denied { .. }) => {
            (axum::http::StatusCode::FORBIDDEN, page).into_response()
        }
        _ => page,
    })
}

fn field_of(data: &BTreeMap<String, String>, k: &str) -> String {
    data.get(k).cloned().unwrap_or_default()
}

fn opt(data: &BTreeMap<String, String>, k: &str) -> Option<String> {
    data.get(k)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// A store error the form can show; others become the error page.
fn form_error(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Denied { .. }
    )
}

async fn problem_create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let en = ctx.lang.is_en();
    let i = ProblemInput {
        org: opt(&data, "org"),
        visit_id: opt(&data, "visit_id").and_then(|v| v.parse().ok()),
        source: field_of(&data, "source"),
        category: field_of(&data, "category"),
        description: field_of(&data, "description"),
        raised_on: field_of(&data, "raised_on"),
        responsible_unit: opt(&data, "responsible_unit"),
    };
    match st.svc.raise_problem(&ctx.actor, &i, en).await {
        Ok(p) => Ok(Redirect::to(&format!("/contacts/problems/{}", p.id)).into_response()),
        Err(e) if form_error(&e) => form_page(
            &ctx,
            "contacts.raise",
            "/contacts/problems/new",
            problem_fields(T(ctx.lang), ctx.role(), en),
            &data,
            Some(&e),
        ),
        Err(e) => Err(UiError(e.into(), ctx.lang)),
    }
}

// ----------------------------------------------------------- problem page

#[derive(Template)]
#[template(path = "contact_problem.html")]
struct ProblemPage {
    l: Layout,
    p: Problem,
    actions: Vec<(&'static str, &'static str)>,
    fields: Vec<Field>,
    general: Vec<String>,
}

fn act_fields(t: T) -> Vec<Field> {
    vec![
        field(
            "responsible_unit",
            t.s("contacts.responsible_unit"),
            "text",
            false,
        ),
        field("resolution", t.s("contacts.resolution"), "textarea", false)
            .help(t.s("contacts.resolution_help")),
        field("resolved_on", t.s("contacts.resolved_on"), "date", false),
        field("reason", t.s("contacts.close_reason"), "textarea", false)
            .help(t.s("contacts.close_help")),
    ]
}

async fn show_problem(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    data: &BTreeMap<String, String>,
    e: Option<&StoreError>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let (p, actions) = st
        .svc
        .get_problem(&ctx.actor, id, en)
        .await
        .map_err(ui(lang))?;
    let mut fields = act_fields(t);
    if !data.contains_key("responsible_unit") {
        if let Some(u) = &p.responsible_unit {
            fields[0].value = u.clone();
        }
    }
    let general = fill(&mut fields, data, e, en);
    let title = format!("{} · {}", p.org_name, p.category_label);
    let l = Layout::new(
        ctx,
        "/contacts",
        title.clone(),
        nav_crumbs(t, "nav.contacts", "/contacts", Some(title)),
    );
    let page = render(
        &ProblemPage {
            l,
            p,
            actions: actions.iter().map(|a| (a.code(), a.label(en))).collect(),
            fields,
            general,
        },
        lang,
    )?;
    Ok(match e {
        Some(StoreError::Invalid(_)) => {
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
        Some(StoreError::Conflict { .. }) => {
            (axum::http::StatusCode::CONFLICT, page).into_response()
        }
        Some(StoreError::Denied { .. }) => {
            (axum::http::StatusCode::FORBIDDEN, page).into_response()
        }
        _ => page,
    })
}

async fn problem_show(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = id.parse::<i64>().map_err(|_| not_found(ctx.lang))?;
    show_problem(&st, &ctx, id, &BTreeMap::new(), None).await
}

async fn problem_act(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = id.parse::<i64>().map_err(|_| not_found(ctx.lang))?;
    let i = ProblemActInput {
        action: field_of(&data, "_action"),
        resolution: opt(&data, "resolution"),
        resolved_on: opt(&data, "resolved_on"),
        reason: opt(&data, "reason"),
        responsible_unit: opt(&data, "responsible_unit"),
        version: opt(&data, "_version").and_then(|v| v.parse().ok()),
    };
    match st
        .svc
        .act_on_problem(&ctx.actor, id, &i, ctx.lang.is_en())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/contacts/problems/{id}")).into_response()),
        Err(e) if form_error(&e) => show_problem(&st, &ctx, id, &data, Some(&e)).await,
        Err(e) => Err(UiError(e.into(), ctx.lang)),
    }
}

// ------------------------------------------------------------- visit form

fn visit_fields(t: T, en: bool) -> Vec<Field> {
    vec![
        field("org", t.s("contacts.org"), "text", true).help(t.s("contacts.org_help")),
        field("visited_on", t.s("contacts.visited_on"), "date", true),
        field("form", t.s("contacts.form"), "select", true).choices(opts(
            VisitForm::ALL,
            VisitForm::code,
            VisitForm::label,
            en,
        )),
        field("summary", t.s("contacts.summary"), "textarea", true),
        field("official", t.s("contacts.official_username"), "text", false)
            .help(t.s("contacts.official_default")),
    ]
}

async fn visit_form(
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(data): Query<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    form_page(
        &ctx,
        "contacts.log_visit",
        "/contacts/visits/new",
        visit_fields(T(ctx.lang), ctx.lang.is_en()),
        &data,
        None,
    )
}

async fn visit_create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let en = ctx.lang.is_en();
    let i = VisitInput {
        org: field_of(&data, "org"),
        visited_on: field_of(&data, "visited_on"),
        form: field_of(&data, "form"),
        summary: field_of(&data, "summary"),
        official: opt(&data, "official"),
    };
    match st.svc.log_visit(&ctx.actor, &i, en).await {
        Ok(_) => Ok(Redirect::to("/contacts").into_response()),
        Err(e) if form_error(&e) => form_page(
            &ctx,
            "contacts.log_visit",
            "/contacts/visits/new",
            visit_fields(T(ctx.lang), en),
            &data,
            Some(&e),
        ),
        Err(e) => Err(UiError(e.into(), ctx.lang)),
    }
}

// ------------------------------------------------------------ assign form

fn assign_fields(t: T) -> Vec<Field> {
    vec![
        field("org", t.s("contacts.org"), "text", true).help(t.s("contacts.org_help")),
        field("official", t.s("contacts.official_username"), "text", true)
            .help(t.s("contacts.official_help")),
        field("start_on", t.s("contacts.start_on"), "date", true),
        field("end_on", t.s("contacts.end_on"), "date", false),
        field("note", t.s("contacts.note"), "text", false),
    ]
}

async fn assign_form(
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(data): Query<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    form_page(
        &ctx,
        "contacts.assign",
        "/contacts/assign",
        assign_fields(T(ctx.lang)),
        &data,
        None,
    )
}

async fn assign_create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let i = ContactInput {
        org: field_of(&data, "org"),
        official: field_of(&data, "official"),
        start_on: field_of(&data, "start_on"),
        end_on: opt(&data, "end_on"),
        note: opt(&data, "note"),
    };
    match st.svc.assign_contact(&ctx.actor, &i).await {
        Ok(_) => Ok(Redirect::to("/contacts").into_response()),
        Err(e) if form_error(&e) => form_page(
            &ctx,
            "contacts.assign",
            "/contacts/assign",
            assign_fields(T(ctx.lang)),
            &data,
            Some(&e),
        ),
        Err(e) => Err(UiError(e.into(), ctx.lang)),
    }
}

// ------------------------------------------------------------------ /pairs

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct PairsQuery {
    /// "1": show ended pairs too (drawn dashed in the graphs).
    ended: String,
    kind: String,
    chain: String,
    region: String,
    page: String,
}

pub struct GraphView {
    pub title: String,
    pub json: String,
    pub nodes: usize,
    pub links: usize,
}

#[derive(Template)]
#[template(path = "pairs.html")]
struct PairsPage {
    l: Layout,
    q: PairsQuery,
    graphs: Vec<GraphView>,
    page: Page<Pair>,
    kinds: Vec<(String, String)>,
    chains: Vec<String>,
    districts: Vec<(String, String)>,
    can_create: bool,
    prev: String,
    next: String,
    /// The organisations the user may open (a pair's other side may lie outside their
    /// part of the tree: its name is shown without a link).
    openable: HashSet<i64>,
}

/// Which of these organisations the user may open.
async fn openable(st: &AppState, ctx: &Ctx, ids: Vec<i64>) -> HashSet<i64> {
    let mut tried = HashSet::new();
    let mut out = HashSet::new();
    for id in ids {
        if tried.insert(id) && st.svc.get_org(&ctx.actor, id).await.is_ok() {
            out.insert(id);
        }
    }
    out
}

async fn pairs(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<PairsQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let page_no = q.page.parse::<i64>().unwrap_or(1).max(1);
    let f = PairQuery {
        status: (q.ended != "1").then(|| "active".to_string()),
        kind: Some(q.kind.clone()),
        chain: Some(q.chain.clone()),
        region: Some(q.region.clone()),
        page: Some(page_no),
        per_page: Some(20),
    }
    .filter();
    let page = st
        .svc
        .list_pairs(&ctx.actor, &f, en)
        .await
        .map_err(ui(lang))?;
    let graphs = st
        .svc
        .pair_graphs(&ctx.actor, &f)
        .await
        .map_err(ui(lang))?
        .into_iter()
        .map(|g| {
            let title = match &g.chain {
                Some(c) => format!("{c} · {}", PairKind::Chain.label(en)),
                None => PairKind::from_any(&g.kind)
                    .map(|k| k.label(en))
                    .unwrap_or("")
                    .to_string(),
            };
            let json = json!({
                "kind": "graph",
                "drill": "/orgs/",
                "legend": [t.s("pairs.leader_node"), t.s("pairs.partner_node")],
                "ended_label": t.s("pairs.ended"),
                // Only the large nodes (leaders, or partners in several pairs; every node
                // of a small graph) carry their name as a label; the others show it in
                // the tooltip, so that labels do not overlap.
                "nodes": g.nodes.iter().map(|n| json!({"id": n.id.to_string(), "name": n.name, "leader": n.leader, "pairs": n.pairs, "label": n.leader || n.pairs >= 3 || g.nodes.len() <= 4})).collect::<Vec<_>>(),
                "label_overlap": "hide",
                "repulsion": 180 + 8 * g.nodes.len().min(40),
                "links": g.links.iter().map(|l| json!({"source": l.source.to_string(), "target": l.target.to_string(), "pair": l.pair_id, "activities": l.activities, "ended": l.ended})).collect::<Vec<_>>(),
            })
            .to_string();
            GraphView {
                title,
                nodes: g.nodes.len(),
                links: g.links.len(),
                json,
            }
        })
        .collect();
    let chains = st.svc.pair_chains(&ctx.actor).await.map_err(ui(lang))?;
    let districts = st
        .svc
        .regions(&ctx.actor)
        .await
        .map_err(ui(lang))?
        .into_iter()
        .filter(|r| matches!(r.level.as_str(), "district" | "zone"))
        .map(|r| (r.code, r.name))
        .collect();
    let link = |p: i64| {
        format!(
            "/pairs?ended={}&kind={}&chain={}&region={}&page={p}",
            urlencode(&q.ended),
            q.kind,
            urlencode(&q.chain),
            q.region
        )
    };
    let l = Layout::new(
        &ctx,
        "/pairs",
        t.s("nav.pairs"),
        nav_crumbs(t, "nav.pairs", "/pairs", None),
    )
    .with_script("/assets/echarts.min.js");
    let openable = openable(
        &st,
        &ctx,
        page.items.iter().flat_map(|p| [p.org_a, p.org_b]).collect(),
    )
    .await;
    render(
        &PairsPage {
            l,
            openable,
            prev: link(page_no.saturating_sub(1)),
            next: link(page_no.saturating_add(1)),
            q,
            graphs,
            page,
            kinds: opts(PairKind::ALL, PairKind::code, PairKind::label, en),
            chains,
            districts,
            can_create: ctx.role().is_region_staff(),
        },
        lang,
    )
}

fn pair_fields(t: T, en: bool) -> Vec<Field> {
    vec![
        field("kind", t.s("pairs.kind"), "select", true).choices(opts(
            PairKind::ALL,
            PairKind::code,
            PairKind::label,
            en,
        )),
        field("org_a", t.s("pairs.org_a"), "text", true).help(t.s("pairs.org_a_help")),
        field("org_b", t.s("pairs.org_b"), "text", true).help(t.s("pairs.org_b_help")),
        field("chain", t.s("pairs.chain"), "text", false).help(t.s("pairs.chain_help")),
        field("start_year", t.s("pairs.start_year"), "number", true),
        field("goals", t.s("pairs.goals"), "textarea", false),
    ]
}

async fn pair_form(
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(data): Query<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    form_page(
        &ctx,
        "pairs.new",
        "/pairs/new",
        pair_fields(T(ctx.lang), ctx.lang.is_en()),
        &data,
        None,
    )
}

async fn pair_create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let en = ctx.lang.is_en();
    let year = field_of(&data, "start_year");
    let start_year = match year.trim().parse::<i64>() {
        Ok(y) => y,
        Err(_) => {
            let e = StoreError::invalid(gongjiang_domain::FieldError::new(
                "start_year",
                gongjiang_domain::Rule::BadFormat,
                "起始年份须为四位数字年份",
                "start year must be a four-digit year",
            ));
            return form_page(
                &ctx,
                "pairs.new",
                "/pairs/new",
                pair_fields(T(ctx.lang), en),
                &data,
                Some(&e),
            );
        }
    };
    let i = PairInput {
        kind: field_of(&data, "kind"),
        org_a: field_of(&data, "org_a"),
        org_b: field_of(&data, "org_b"),
        chain: opt(&data, "chain"),
        start_year,
        goals: opt(&data, "goals"),
    };
    match st.svc.create_pair(&ctx.actor, &i, en).await {
        Ok(p) => Ok(Redirect::to(&format!("/pairs/{}", p.id)).into_response()),
        Err(e) if form_error(&e) => form_page(
            &ctx,
            "pairs.new",
            "/pairs/new",
            pair_fields(T(ctx.lang), en),
            &data,
            Some(&e),
        ),
        Err(e) => Err(UiError(e.into(), ctx.lang)),
    }
}

#[derive(Template)]
#[template(path = "pair_detail.html")]
struct PairPage {
    l: Layout,
    p: Pair,
    activities: Vec<Activity>,
    may_record: bool,
    may_edit: bool,
    fields: Vec<Field>,
    general: Vec<String>,
    participants: i64,
    openable: HashSet<i64>,
}

fn activity_fields(t: T) -> Vec<Field> {
    vec![
        field("held_on", t.s("pairs.held_on"), "date", true),
        field("title", t.s("pairs.activity_title"), "text", true),
        field("participants", t.s("pairs.participants"), "number", true),
        field("summary", t.s("pairs.summary"), "textarea", false),
    ]
}

async fn show_pair(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    data: &BTreeMap<String, String>,
    e: Option<&StoreError>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let (p, activities, may_record, may_edit) = st
        .svc
        .get_pair(&ctx.actor, id, lang.is_en())
        .await
        .map_err(ui(lang))?;
    let mut fields = activity_fields(t);
    let general = fill(&mut fields, data, e, lang.is_en());
    let title = format!("{} ↔ {}", p.org_a_name, p.org_b_name);
    let l = Layout::new(
        ctx,
        "/pairs",
        title.clone(),
        nav_crumbs(t, "nav.pairs", "/pairs", Some(title)),
    );
    let openable = openable(st, ctx, vec![p.org_a, p.org_b]).await;
    let page = render(
        &PairPage {
            l,
            openable,
            participants: activities.iter().map(|a| a.participants).sum(),
            p,
            activities,
            may_record,
            may_edit,
            fields,
            general,
        },
        lang,
    )?;
    Ok(match e {
        Some(StoreError::Invalid(_)) => {
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
        Some(StoreError::Denied { .. }) => {
            (axum::http::StatusCode::FORBIDDEN, page).into_response()
        }
        Some(StoreError::Conflict { .. }) => {
            (axum::http::StatusCode::CONFLICT, page).into_response()
        }
        _ => page,
    })
}

async fn pair_show(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = id.parse::<i64>().map_err(|_| not_found(ctx.lang))?;
    show_pair(&st, &ctx, id, &BTreeMap::new(), None).await
}

async fn activity_create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = id.parse::<i64>().map_err(|_| not_found(ctx.lang))?;
    let n = field_of(&data, "participants");
    let participants = match n.trim().parse::<i64>() {
        Ok(n) => n,
        Err(_) => {
            let e = StoreError::invalid(gongjiang_domain::FieldError::new(
                "participants",
                gongjiang_domain::Rule::BadFormat,
                "参与人数须为整数",
                "participants must be a whole number",
            ));
            return show_pair(&st, &ctx, id, &data, Some(&e)).await;
        }
    };
    let i = ActivityInput {
        held_on: field_of(&data, "held_on"),
        title: field_of(&data, "title"),
        summary: opt(&data, "summary"),
        participants,
    };
    match st.svc.add_activity(&ctx.actor, id, &i).await {
        Ok(_) => Ok(Redirect::to(&format!("/pairs/{id}")).into_response()),
        Err(e) if form_error(&e) => show_pair(&st, &ctx, id, &data, Some(&e)).await,
        Err(e) => Err(UiError(e.into(), ctx.lang)),
    }
}

// ------------------------------------------- corrections: points, visits, pairs

fn parse(id: &str, lang: Lang) -> Result<i64, UiError> {
    id.parse::<i64>().map_err(|_| not_found(lang))
}

fn forbidden(lang: Lang) -> UiError {
    UiError(AppError::Store(StoreError::Forbidden), lang)
}

fn values(pairs: &[(&str, String)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn contact_edit_fields(t: T) -> Vec<Field> {
    vec![
        field("official", t.s("contacts.official_username"), "text", true)
            .help(t.s("contacts.reassign_help")),
        field("start_on", t.s("contacts.start_on"), "date", true),
        field("end_on", t.s("contacts.end_on"), "date", false)
            .help(t.s("contacts.planned_end_help")),
        field("note", t.s("contacts.note"), "text", false),
    ]
}

fn contact_intro(c: &ContactPoint) -> String {
    format!("{} · {}", c.org_name, c.official_name)
}

async fn contact_edit_form(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = parse(&id, lang)?;
    let (c, may) = st
        .svc
        .get_contact_point(&ctx.actor, id)
        .await
        .map_err(ui(lang))?;
    if !may {
        return Err(forbidden(lang));
    }
    let data = values(&[
        ("official", c.official_username.clone()),
        ("start_on", c.start_on.clone()),
        ("end_on", c.end_on.clone().unwrap_or_default()),
        ("note", c.note.clone().unwrap_or_default()),
        ("_version", c.version.to_string()),
    ]);
    let edit = Edit {
        intro: contact_intro(&c),
        ..Edit::default()
    };
    form_page_for(
        &ctx,
        "contacts.edit_point",
        &format!("/contacts/points/{id}/edit"),
        &edit,
        contact_edit_fields(T(lang)),
        &data,
        None,
    )
}

async fn contact_edit_save(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = parse(&id, lang)?;
    let i = ContactEdit {
        version: opt(&data, "_version").and_then(|v| v.parse().ok()),
        official: Some(field_of(&data, "official")),
        start_on: Some(field_of(&data, "start_on")),
        end_on: Some(field_of(&data, "end_on")),
        note: Some(field_of(&data, "note")),
    };
    match st.svc.update_contact(&ctx.actor, id, &i).await {
        Ok(_) => Ok(Redirect::to("/contacts#points").into_response()),
        Err(e) if form_error(&e) => {
            let (c, _) = st
                .svc
                .get_contact_point(&ctx.actor, id)
                .await
                .map_err(ui(lang))?;
            let edit = Edit {
                intro: contact_intro(&c),
                ..Edit::default()
            };
            form_page_for(
                &ctx,
                "contacts.edit_point",
                &format!("/contacts/points/{id}/edit"),
                &edit,
                contact_edit_fields(T(lang)),
                &data,
                Some(&e),
            )
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

fn contact_end_fields(t: T) -> Vec<Field> {
    vec![
        field("end_on", t.s("contacts.end_on"), "date", true).help(t.s("contacts.end_help")),
        field("reason", t.s("contacts.end_reason"), "textarea", false),
    ]
}

async fn contact_end_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    data: Option<&BTreeMap<String, String>>,
    e: Option<&StoreError>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let (c, may) = st
        .svc
        .get_contact_point(&ctx.actor, id)
        .await
        .map_err(ui(lang))?;
    if !may && e.is_none() {
        return Err(forbidden(lang));
    }
    let fresh = values(&[
        ("end_on", gongjiang_storage::contacts::today().to_string()),
        ("_version", c.version.to_string()),
    ]);
    let edit = Edit {
        submit: Some("contacts.end"),
        intro: contact_intro(&c),
        ..Edit::default()
    };
    form_page_for(
        ctx,
        "contacts.end",
        &format!("/contacts/points/{id}/end"),
        &edit,
        contact_end_fields(T(lang)),
        data.unwrap_or(&fresh),
        e,
    )
}

async fn contact_end_form(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = parse(&id, ctx.lang)?;
    contact_end_page(&st, &ctx, id, None, None).await
}

async fn contact_end_save(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = parse(&id, ctx.lang)?;
    let i = ContactEndInput {
        end_on: field_of(&data, "end_on"),
        reason: opt(&data, "reason"),
        version: opt(&data, "_version").and_then(|v| v.parse().ok()),
    };
    match st.svc.end_contact(&ctx.actor, id, &i).await {
        Ok(_) => Ok(Redirect::to("/contacts#points").into_response()),
        Err(e) if form_error(&e) => contact_end_page(&st, &ctx, id, Some(&data), Some(&e)).await,
        Err(e) => Err(UiError(e.into(), ctx.lang)),
    }
}

fn visit_edit_fields(t: T, en: bool) -> Vec<Field> {
    visit_fields(t, en)
        .into_iter()
        .filter(|f| matches!(f.key, "visited_on" | "form" | "summary"))
        .collect()
}

async fn visit_edit_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    data: Option<&BTreeMap<String, String>>,
    e: Option<&StoreError>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let (v, may) = st
        .svc
        .get_visit(&ctx.actor, id, en)
        .await
        .map_err(ui(lang))?;
    if !may {
        return Err(forbidden(lang));
    }
    let fresh = values(&[
        ("visited_on", v.visited_on.clone()),
        ("form", v.form.clone()),
        ("summary", v.summary.clone()),
        ("_version", v.version.to_string()),
    ]);
    let edit = Edit {
        intro: format!("{} · {}", v.org_name, v.official_name),
        ..Edit::default()
    };
    form_page_for(
        ctx,
        "contacts.edit_visit",
        &format!("/contacts/visits/{id}/edit"),
        &edit,
        visit_edit_fields(T(lang), en),
        data.unwrap_or(&fresh),
        e,
    )
}

async fn visit_edit_form(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = parse(&id, ctx.lang)?;
    visit_edit_page(&st, &ctx, id, None, None).await
}

async fn visit_edit_save(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = parse(&id, ctx.lang)?;
    let i = VisitEdit {
        version: opt(&data, "_version").and_then(|v| v.parse().ok()),
        visited_on: Some(field_of(&data, "visited_on")),
        form: Some(field_of(&data, "form")),
        summary: Some(field_of(&data, "summary")),
    };
    match st
        .svc
        .update_visit(&ctx.actor, id, &i, ctx.lang.is_en())
        .await
    {
        Ok(_) => Ok(Redirect::to("/contacts").into_response()),
        Err(e) if form_error(&e) => visit_edit_page(&st, &ctx, id, Some(&data), Some(&e)).await,
        Err(e) => Err(UiError(e.into(), ctx.lang)),
    }
}

fn pair_intro(p: &Pair) -> String {
    format!("{} ↔ {}", p.org_a_name, p.org_b_name)
}

async fn pair_edit_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    data: Option<&BTreeMap<String, String>>,
    e: Option<&StoreError>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let (p, _, _, may) = st
        .svc
        .get_pair(&ctx.actor, id, en)
        .await
        .map_err(ui(lang))?;
    if !may && e.is_none() {
        return Err(forbidden(lang));
    }
    let fresh = values(&[
        ("kind", p.kind.clone()),
        ("org_a", p.org_a.to_string()),
        ("org_b", p.org_b.to_string()),
        ("chain", p.chain.clone().unwrap_or_default()),
        ("start_year", p.start_year.to_string()),
        ("goals", p.goals.clone().unwrap_or_default()),
        ("_version", p.version.to_string()),
    ]);
    let edit = Edit {
        back: Some(format!("/pairs/{id}")),
        intro: pair_intro(&p),
        ..Edit::default()
    };
    form_page_for(
        ctx,
        "pairs.edit",
        &format!("/pairs/{id}/edit"),
        &edit,
        pair_fields(T(lang), en),
        data.unwrap_or(&fresh),
        e,
    )
}

async fn pair_edit_form(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = parse(&id, ctx.lang)?;
    pair_edit_page(&st, &ctx, id, None, None).await
}

/// A whole number typed into a form, or the field error naming it.
fn whole(
    data: &BTreeMap<String, String>,
    key: &str,
    zh: &str,
    en: &str,
) -> Result<i64, StoreError> {
    field_of(data, key).trim().parse::<i64>().map_err(|_| {
        StoreError::invalid(gongjiang_domain::FieldError::new(
            key,
            gongjiang_domain::Rule::BadFormat,
            zh,
            en,
        ))
    })
}

async fn pair_edit_save(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = parse(&id, ctx.lang)?;
    let en = ctx.lang.is_en();
    let year = match whole(
        &data,
        "start_year",
        "起始年份须为四位数字年份",
        "start year must be a four-digit year",
    ) {
        Ok(y) => y,
        Err(e) => return pair_edit_page(&st, &ctx, id, Some(&data), Some(&e)).await,
    };
    let i = PairEdit {
        version: opt(&data, "_version").and_then(|v| v.parse().ok()),
        kind: Some(field_of(&data, "kind")),
        org_a: Some(field_of(&data, "org_a")),
        org_b: Some(field_of(&data, "org_b")),
        chain: Some(field_of(&data, "chain")),
        start_year: Some(year),
        goals: Some(field_of(&data, "goals")),
    };
    match st.svc.update_pair(&ctx.actor, id, &i, en).await {
        Ok(_) => Ok(Redirect::to(&format!("/pairs/{id}")).into_response()),
        Err(e) if form_error(&e) => pair_edit_page(&st, &ctx, id, Some(&data), Some(&e)).await,
        Err(e) => Err(UiError(e.into(), ctx.lang)),
    }
}

fn pair_end_fields(t: T) -> Vec<Field> {
    vec![
        field("ended_on", t.s("pairs.ended_on"), "date", true).help(t.s("pairs.end_help")),
        field("reason", t.s("pairs.end_reason"), "textarea", true),
    ]
}

async fn pair_end_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    data: Option<&BTreeMap<String, String>>,
    e: Option<&StoreError>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let (p, _, _, may) = st
        .svc
        .get_pair(&ctx.actor, id, lang.is_en())
        .await
        .map_err(ui(lang))?;
    if !may && e.is_none() {
        return Err(forbidden(lang));
    }
    let fresh = values(&[
        ("ended_on", gongjiang_storage::contacts::today().to_string()),
        ("_version", p.version.to_string()),
    ]);
    let edit = Edit {
        back: Some(format!("/pairs/{id}")),
        submit: Some("pairs.end"),
        intro: pair_intro(&p),
    };
    form_page_for(
        ctx,
        "pairs.end",
        &format!("/pairs/{id}/end"),
        &edit,
        pair_end_fields(T(lang)),
        data.unwrap_or(&fresh),
        e,
    )
}

async fn pair_end_form(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = parse(&id, ctx.lang)?;
    pair_end_page(&st, &ctx, id, None, None).await
}

async fn pair_end_save(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = parse(&id, ctx.lang)?;
    let i = PairEndInput {
        ended_on: field_of(&data, "ended_on"),
        reason: field_of(&data, "reason"),
        version: opt(&data, "_version").and_then(|v| v.parse().ok()),
    };
    match st.svc.end_pair(&ctx.actor, id, &i, ctx.lang.is_en()).await {
        Ok(_) => Ok(Redirect::to(&format!("/pairs/{id}")).into_response()),
        Err(e) if form_error(&e) => pair_end_page(&st, &ctx, id, Some(&data), Some(&e)).await,
        Err(e) => Err(UiError(e.into(), ctx.lang)),
    }
}

/// The activity `aid` of pair `id` (404 when it belongs to another pair) and whether
/// the caller may correct it.
async fn activity_of(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    aid: i64,
) -> Result<(Pair, Activity, bool), UiError> {
    let (p, a, may) = st
        .svc
        .get_activity(&ctx.actor, aid)
        .await
        .map_err(ui(ctx.lang))?;
    if p.id != id {
        return Err(not_found(ctx.lang));
    }
    Ok((p, a, may))
}

async fn activity_edit_page(
    st: &AppState,
    ctx: &Ctx,
    (id, aid): (i64, i64),
    data: Option<&BTreeMap<String, String>>,
    e: Option<&StoreError>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let (p, a, may) = activity_of(st, ctx, id, aid).await?;
    if !may {
        return Err(forbidden(lang));
    }
    let fresh = values(&[
        ("held_on", a.held_on.clone()),
        ("title", a.title.clone()),
        ("participants", a.participants.to_string()),
        ("summary", a.summary.clone().unwrap_or_default()),
        ("_version", a.version.to_string()),
    ]);
    let edit = Edit {
        back: Some(format!("/pairs/{id}")),
        intro: pair_intro(&p),
        ..Edit::default()
    };
    form_page_for(
        ctx,
        "pairs.edit_activity",
        &format!("/pairs/{id}/activities/{aid}/edit"),
        &edit,
        activity_fields(T(lang)),
        data.unwrap_or(&fresh),
        e,
    )
}

async fn activity_edit_form(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path((id, aid)): Path<(String, String)>,
) -> Result<Response, UiError> {
    let ids = (parse(&id, ctx.lang)?, parse(&aid, ctx.lang)?);
    activity_edit_page(&st, &ctx, ids, None, None).await
}

async fn activity_edit_save(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path((id, aid)): Path<(String, String)>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let ids = (parse(&id, ctx.lang)?, parse(&aid, ctx.lang)?);
    activity_of(&st, &ctx, ids.0, ids.1).await?;
    let n = match whole(
        &data,
        "participants",
        "参与人数须为整数",
        "participants must be a whole number",
    ) {
        Ok(n) => n,
        Err(e) => return activity_edit_page(&st, &ctx, ids, Some(&data), Some(&e)).await,
    };
    let i = ActivityEdit {
        version: opt(&data, "_version").and_then(|v| v.parse().ok()),
        held_on: Some(field_of(&data, "held_on")),
        title: Some(field_of(&data, "title")),
        summary: Some(field_of(&data, "summary")),
        participants: Some(n),
    };
    match st.svc.update_activity(&ctx.actor, ids.1, &i).await {
        Ok(_) => Ok(Redirect::to(&format!("/pairs/{}", ids.0)).into_response()),
        Err(e) if form_error(&e) => activity_edit_page(&st, &ctx, ids, Some(&data), Some(&e)).await,
        Err(e) => Err(UiError(e.into(), ctx.lang)),
    }
}

async fn activity_delete(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path((id, aid)): Path<(String, String)>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let (id, aid) = (parse(&id, ctx.lang)?, parse(&aid, ctx.lang)?);
    activity_of(&st, &ctx, id, aid).await?;
    let version = opt(&data, "_version").and_then(|v| v.parse().ok());
    match st.svc.delete_activity(&ctx.actor, aid, version).await {
        Ok(()) => Ok(Redirect::to(&format!("/pairs/{id}")).into_response()),
        Err(e) if form_error(&e) => show_pair(&st, &ctx, id, &BTreeMap::new(), Some(&e)).await,
        Err(e) => Err(UiError(e.into(), ctx.lang)),
    }
}
