//! Console pages of the annual task list (年度任务清单) and the joint meetings (联席会议):
//! the year's board (status chart, completion by unit, overdue and 督办 tasks), the
//! list with filters, the task page with progress reports, done and 督办; meetings
//! filtered by level, region and year, the meeting page with agenda, attendance chart,
//! minutes and decisions that turn into tasks.
use super::{render, Layout};
use crate::api::tasks::{current_year, TaskQuery};
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::{Lang, T};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use gongjiang_domain::tasks::{TaskStatus, ATTENDANCE};
use gongjiang_domain::Role;
use gongjiang_storage::tasks::{
    Attendance, AttendanceInput, Board, Body, BodyEdit, BodyInput, CancelInput, Decision,
    DecisionEdit, DecisionTaskInput, Meeting, MeetingEdit, MeetingFilter, MeetingInput, Progress,
    ProgressInput, Task, TaskEdit, TaskInput,
};
use gongjiang_storage::{Page, StoreError};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(list).post(create))
        .route("/tasks/new", get(new))
        .route("/tasks/{id}", get(show))
        .route("/tasks/{id}/edit", get(edit).post(save_edit))
        .route("/tasks/{id}/cancel", post(cancel))
        .route("/tasks/{id}/progress", post(progress))
        .route("/tasks/{id}/done", post(done))
        .route("/tasks/{id}/completion", post(request_completion))
        .route("/tasks/{id}/supervise", post(supervise))
        .route("/meetings", get(meetings).post(create_meeting))
        .route("/meetings/new", get(new_meeting))
        .route("/meetings/{id}", get(meeting))
        .route("/meetings/{id}/edit", get(edit_meeting).post(save_meeting))
        .route("/meetings/{id}/decisions/{did}", post(correct_decision))
        .route("/meetings/{id}/decisions/{did}/task", post(decision_task))
        .route("/meetings/bodies/new", get(new_body).post(create_body))
        .route("/meetings/bodies/{id}", get(body_page).post(save_body))
}

fn ui<E: Into<AppError>>(lang: Lang) -> impl Fn(E) -> UiError {
    move |e| UiError(e.into(), lang)
}

fn not_found(lang: Lang) -> UiError {
    UiError(AppError::Store(StoreError::NotFound), lang)
}

/// (field → message, general messages) of a refused change.
fn field_errors(e: &StoreError, en: bool) -> (BTreeMap<String, String>, Vec<String>) {
    let mut map = BTreeMap::new();
    let mut general = Vec::new();
    match e {
        StoreError::Invalid(errs) => {
            for f in errs {
                map.entry(f.field.clone())
                    .or_insert_with(|| f.message(en).to_string());
            }
        }
        StoreError::Conflict { zh, en: e, .. } | StoreError::Denied { zh, en: e, .. } => {
            general.push(if en { e.clone() } else { zh.clone() })
        }
        _ => {}
    }
    (map, general)
}

fn int(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

/// The badge colour of a task status.
pub fn task_badge<S: AsRef<str>>(status: S) -> &'static str {
    match status.as_ref() {
        "done" => "badge-green",
        "cancelled" => "badge-gray",
        "overdue" => "badge-red",
        "in_progress" => "badge-blue",
        _ => "badge-gray",
    }
}

/// `12.5` → `12.5%`, none → `—`.
pub fn pct(v: &Option<f64>) -> String {
    match v {
        Some(x) => format!("{:.1}%", x),
        None => "—".into(),
    }
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

// ----- tasks -----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ListQuery {
    year: String,
    status: String,
    region: String,
    supervised: String,
    owner: String,
    q: String,
    page: String,
}

#[derive(Template)]
#[template(path = "tasks_list.html")]
struct ListPage {
    l: Layout,
    q: ListQuery,
    year: i64,
    years: Vec<i64>,
    /// "数据截至2025年度": the default year (the latest with approved data).
    as_of: String,
    statuses: Vec<(&'static str, &'static str)>,
    board: Board,
    page: Page<Task>,
    status_json: String,
    units_json: String,
    can_create: bool,
    prev: String,
    next: String,
}

async fn list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let mut years = st.svc.task_years(&ctx.actor).await.map_err(ui(lang))?;
    // Without a year: the latest year with approved data, as on every page.
    let latest = crate::period::default_year(&st, &ctx.actor).await;
    let year = int(&q.year).unwrap_or(i64::from(latest));
    if !years.contains(&year) {
        years.push(year);
        years.sort_unstable_by(|a, b| b.cmp(a));
    }
    let region = Some(q.region.trim()).filter(|s| !s.is_empty());
    let board = st
        .svc
        .task_board(&ctx.actor, year, region, en)
        .await
        .map_err(ui(lang))?;
    let page_no = int(&q.page).unwrap_or(1).max(1);
    let f = TaskQuery {
        year: Some(year),
        status: Some(q.status.clone()),
        region: Some(q.region.clone()),
        supervised: Some(q.supervised == "1"),
        owner_org_id: int(&q.owner),
        q: Some(q.q.clone()),
        page: Some(page_no),
        per_page: Some(20),
        ..Default::default()
    }
    .filter();
    let page = st
        .svc
        .list_tasks(&ctx.actor, &f, en)
        .await
        .map_err(ui(lang))?;
    let status_json = serde_json::json!({
        "kind": "pie",
        "names": board.by_status.iter().map(|s| s.label.as_str()).collect::<Vec<_>>(),
        "series": [{"name": t.s("tasks.by_status"), "values": board.by_status.iter().map(|s| s.count).collect::<Vec<_>>()}],
    })
    .to_string();
    // Lead units have long names: horizontal bars, most tasks first, the rest summed as
    // 其他 (crate::ui::charts); the table below lists every unit.
    let units = crate::ui::charts::bars(
        &t,
        &[t.s("tasks.total"), t.s("tasks.done"), t.s("tasks.overdue")],
        board
            .by_unit
            .iter()
            .map(|u| crate::ui::charts::Bar {
                name: u.org_name.clone(),
                code: Some(u.org_id.to_string()),
                values: vec![u.total as f64, u.done as f64, u.overdue as f64],
            })
            .collect(),
    );
    let mut units = units;
    units["drill"] = format!("/tasks?year={year}&owner=").into();
    // An empty string: no data, the page says so instead of drawing an empty frame.
    let units_json = if crate::ui::charts::has_data(&units) {
        units.to_string()
    } else {
        String::new()
    };
    let status_json = if board.by_status.iter().any(|s| s.count > 0) {
        status_json
    } else {
        String::new()
    };
    let link = |p: i64| {
        format!(
            "/tasks?year={year}&status={}&region={}&supervised={}&owner={}&q={}&page={p}",
            enc(&q.status),
            enc(&q.region),
            enc(&q.supervised),
            enc(&q.owner),
            enc(&q.q)
        )
    };
    let l = Layout::new(
        &ctx,
        "/tasks",
        t.s("nav.tasks"),
        vec![(t.s("nav.tasks"), String::new())],
    )
    .with_script("/assets/echarts.min.js");
    render(
        &ListPage {
            l,
            prev: link(page_no.saturating_sub(1)),
            next: link(page_no.saturating_add(1)),
            year,
            years,
            as_of: crate::period::as_of(&t, latest),
            statuses: TaskStatus::ALL
                .iter()
                .map(|s| (s.code(), s.label(en)))
                .collect(),
            board,
            page,
            status_json,
            units_json,
            can_create: gongjiang_domain::tasks::creator_level(ctx.role()).is_some(),
            q,
        },
        lang,
    )
}

#[derive(Template)]
#[template(path = "task_form.html")]
struct FormPage {
    l: Layout,
    /// Where the form posts and where "cancel" leads.
    action: String,
    back: String,
    /// The version of the task being edited (none for a new task).
    version: Option<i64>,
    /// The current owner unit's name (editing).
    owner_name: String,
    v: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
}

/// A new task, or the task being edited (id, title, version, owner's name).
enum Target {
    New,
    Edit(i64, String, i64, String),
}

impl FormPage {
    /// (name, label key, required, placeholder key)
    fn fields(&self) -> Vec<(&'static str, &'static str, bool, &'static str)> {
        vec![
            ("year", "tasks.year", true, ""),
            ("title", "tasks.title", true, ""),
            ("owner", "tasks.owner", true, "tasks.owner_hint"),
            ("region", "tasks.region", false, "tasks.region_hint"),
            ("deadline", "tasks.deadline", true, "tasks.deadline_hint"),
            ("target_text", "tasks.target", true, "tasks.target_hint"),
            ("target_value", "tasks.target_value", false, ""),
            ("target_unit", "tasks.target_unit", false, ""),
        ]
    }
    fn val(&self, k: &str) -> String {
        self.v.get(k).cloned().unwrap_or_default()
    }
    fn err(&self, k: &str) -> String {
        self.errors.get(k).cloned().unwrap_or_default()
    }
}

fn form_page(
    ctx: &Ctx,
    target: Target,
    v: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    if gongjiang_domain::tasks::creator_level(ctx.role()).is_none() {
        return Err(UiError(AppError::Store(StoreError::Forbidden), lang));
    }
    let status = if errors.is_empty() && general.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (action, back, version, owner_name, crumbs) = match target {
        Target::New => (
            "/tasks".to_string(),
            "/tasks".to_string(),
            None,
            String::new(),
            vec![
                (t.s("nav.tasks"), "/tasks".into()),
                (t.s("tasks.new"), String::new()),
            ],
        ),
        Target::Edit(id, title, version, owner) => (
            format!("/tasks/{id}/edit"),
            format!("/tasks/{id}"),
            Some(version),
            owner,
            vec![
                (t.s("nav.tasks"), "/tasks".into()),
                (title, format!("/tasks/{id}")),
                (t.s("tasks.edit"), String::new()),
            ],
        ),
    };
    let heading = if version.is_some() {
        t.s("tasks.edit")
    } else {
        t.s("tasks.new")
    };
    let l = Layout::new(ctx, "/tasks", heading, crumbs);
    let mut r = render(
        &FormPage {
            l,
            action,
            back,
            version,
            owner_name,
            v,
            errors,
            general,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

async fn new(WebUser(ctx, ..): WebUser<OrgReader>) -> Result<Response, UiError> {
    let mut v = BTreeMap::new();
    v.insert("year".to_string(), current_year().to_string());
    v.insert(
        "region".to_string(),
        ctx.user.region_code.clone().unwrap_or_default(),
    );
    form_page(&ctx, Target::New, v, BTreeMap::new(), Vec::new())
}

async fn create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    let year = match g("year").trim() {
        "" => 0,
        y => y.parse().unwrap_or(-1),
    };
    let input = TaskInput {
        year,
        title: g("title"),
        description: g("description"),
        owner: g("owner"),
        region: Some(g("region")),
        deadline: g("deadline"),
        target_text: g("target_text"),
        target_value: int(&g("target_value")),
        target_unit: Some(g("target_unit")),
    };
    let mut errors = BTreeMap::new();
    if !g("target_value").trim().is_empty() && input.target_value.is_none() {
        errors.insert("target_value".to_string(), T(lang).s("tasks.need_integer"));
        return form_page(&ctx, Target::New, f, errors, Vec::new());
    }
    match st.svc.create_task(&ctx.actor, &input).await {
        Ok(t) => Ok(Redirect::to(&format!("/tasks/{}", t.id)).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            let (map, general) = field_errors(&e, lang.is_en());
            form_page(&ctx, Target::New, f, map, general)
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

#[derive(Template)]
#[template(path = "task_detail.html")]
struct DetailPage {
    l: Layout,
    task: Task,
    progress: Vec<Progress>,
    may_report: bool,
    may_close: bool,
    may_edit: bool,
    today: String,
    v: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
    trend_json: String,
    /// The task's completion case (销号), if any: (id, status, status label).
    completion: Option<(i64, String, &'static str)>,
    /// The owner unit may report the task completed now.
    may_request_done: bool,
}

impl DetailPage {
    fn val(&self, k: &str) -> String {
        self.v.get(k).cloned().unwrap_or_default()
    }
    fn err(&self, k: &str) -> String {
        self.errors.get(k).cloned().unwrap_or_default()
    }
}

async fn show(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = int(&id).ok_or_else(|| not_found(ctx.lang))?;
    detail(&st, &ctx, id, BTreeMap::new(), BTreeMap::new(), Vec::new()).await
}

async fn detail(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    v: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let (task, progress, may_report, may_close, may_edit) = st
        .svc
        .get_task(&ctx.actor, id, lang.is_en())
        .await
        .map_err(ui(lang))?;
    let completion = st.svc.task_completion_case(id).await.map_err(ui(lang))?;
    let open_case = completion
        .as_ref()
        .is_some_and(|(_, s)| matches!(s.as_str(), "in_review" | "notice"));
    let may_request_done = matches!(ctx.role(), Role::Unit | Role::Department)
        && ctx.actor.org_id == Some(task.owner_org_id)
        && task.done_at.is_none()
        && task.cancelled_at.is_none()
        && !open_case;
    let mut points: Vec<&Progress> = progress.iter().filter(|p| p.percent.is_some()).collect();
    points.reverse();
    let trend_json = serde_json::json!({
        "kind": "line",
        "names": points.iter().map(|p| p.date.as_str()).collect::<Vec<_>>(),
        "series": [{"name": t.s("tasks.progress_pct"), "values": points.iter().map(|p| p.percent.unwrap_or(0)).collect::<Vec<_>>()}],
    })
    .to_string();
    let status = if errors.is_empty() && general.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let l = Layout::new(
        ctx,
        "/tasks",
        task.title.clone(),
        vec![
            (t.s("nav.tasks"), "/tasks".into()),
            (task.title.clone(), String::new()),
        ],
    )
    .with_script("/assets/echarts.min.js");
    let mut r = render(
        &DetailPage {
            l,
            task,
            progress,
            may_report,
            may_close,
            may_edit,
            today: gongjiang_storage::tasks::today(),
            v,
            errors,
            general,
            trend_json,
            completion: completion.map(|(id, s)| {
                let label = gongjiang_domain::workflow::Status::parse(&s)
                    .map(|x| x.label(lang.is_en()))
                    .unwrap_or("");
                (id, s, label)
            }),
            may_request_done,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

/// A refused action: the task page again, with the messages (422), or the error page.
async fn refused(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    f: BTreeMap<String, String>,
    e: StoreError,
) -> Result<Response, UiError> {
    match e {
        e @ (StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Denied { .. }) => {
            let (map, general) = field_errors(&e, ctx.lang.is_en());
            let mut r = detail(st, ctx, id, f, map, general).await?;
            if matches!(e, StoreError::Denied { .. }) {
                *r.status_mut() = StatusCode::FORBIDDEN;
            }
            Ok(r)
        }
        e => Err(UiError(e.into(), ctx.lang)),
    }
}

/// The task's values as the edit form shows them.
fn task_values(t: &Task) -> BTreeMap<String, String> {
    let mut v = BTreeMap::new();
    for (k, x) in [
        ("year", t.year.to_string()),
        ("title", t.title.clone()),
        ("description", t.description.clone()),
        ("owner", t.owner_org_id.to_string()),
        ("region", t.region_code.clone()),
        ("deadline", t.deadline.clone()),
        ("target_text", t.target_text.clone()),
        (
            "target_value",
            t.target_value.map(|x| x.to_string()).unwrap_or_default(),
        ),
        ("target_unit", t.target_unit.clone().unwrap_or_default()),
    ] {
        v.insert(k.to_string(), x);
    }
    v
}

async fn edit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = int(&id).ok_or_else(|| not_found(lang))?;
    let (task, _, _, _, may_edit) = st
        .svc
        .get_task(&ctx.actor, id, lang.is_en())
        .await
        .map_err(ui(lang))?;
    if !may_edit {
        return Err(UiError(AppError::Store(StoreError::Forbidden), lang));
    }
    let v = task_values(&task);
    form_page(
        &ctx,
        Target::Edit(id, task.title, task.version, task.owner_name),
        v,
        BTreeMap::new(),
        Vec::new(),
    )
}

async fn save_edit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = int(&id).ok_or_else(|| not_found(lang))?;
    let (task, ..) = st
        .svc
        .get_task(&ctx.actor, id, lang.is_en())
        .await
        .map_err(ui(lang))?;
    let target = || {
        Target::Edit(
            id,
            task.title.clone(),
            f.get("_version")
                .and_then(|v| int(v))
                .unwrap_or(task.version),
            task.owner_name.clone(),
        )
    };
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    let year = match g("year").trim() {
        "" => 0,
        y => y.parse().unwrap_or(-1),
    };
    let value = int(&g("target_value"));
    if !g("target_value").trim().is_empty() && value.is_none() {
        let mut errors = BTreeMap::new();
        errors.insert("target_value".to_string(), T(lang).s("tasks.need_integer"));
        return form_page(&ctx, target(), f.clone(), errors, Vec::new());
    }
    let input = TaskEdit {
        version: f.get("_version").and_then(|v| int(v)),
        year: Some(year),
        title: Some(g("title")),
        description: Some(g("description")),
        owner: Some(g("owner")),
        region: Some(g("region")),
        deadline: Some(g("deadline")),
        target_text: Some(g("target_text")),
        target_value: Some(value),
        target_unit: Some(g("target_unit")),
    };
    match st.svc.update_task(&ctx.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}")).into_response()),
        Err(
            e @ (StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Denied { .. }),
        ) => {
            let (map, general) = field_errors(&e, lang.is_en());
            let mut r = form_page(&ctx, target(), f.clone(), map, general)?;
            match e {
                StoreError::Conflict { .. } => *r.status_mut() = StatusCode::CONFLICT,
                StoreError::Denied { .. } => *r.status_mut() = StatusCode::FORBIDDEN,
                _ => {}
            }
            Ok(r)
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

async fn cancel(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = int(&id).ok_or_else(|| not_found(ctx.lang))?;
    let input = CancelInput {
        reason: f.get("cancel_reason").cloned().unwrap_or_default(),
        version: f.get("_version").and_then(|v| int(v)),
    };
    match st.svc.cancel_task(&ctx.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}")).into_response()),
        Err(StoreError::Invalid(errs)) => {
            let errs = errs.into_iter().map(|e| e.on("cancel_reason")).collect();
            refused(&st, &ctx, id, f, StoreError::Invalid(errs)).await
        }
        Err(e) => refused(&st, &ctx, id, f, e).await,
    }
}

async fn progress(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = int(&id).ok_or_else(|| not_found(ctx.lang))?;
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    for k in ["percent", "value"] {
        if !g(k).trim().is_empty() && int(&g(k)).is_none() {
            let mut errors = BTreeMap::new();
            errors.insert(k.to_string(), T(ctx.lang).s("tasks.need_integer"));
            return detail(&st, &ctx, id, f, errors, Vec::new()).await;
        }
    }
    let input = ProgressInput {
        date: g("date"),
        percent: int(&g("percent")),
        value: int(&g("value")),
        note: g("note"),
        evidence_url: Some(g("evidence_url")),
    };
    match st.svc.report_progress(&ctx.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}")).into_response()),
        Err(e) => refused(&st, &ctx, id, f, e).await,
    }
}

async fn done(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = int(&id).ok_or_else(|| not_found(ctx.lang))?;
    let version = f.get("_version").and_then(|v| int(v));
    match st.svc.complete_task(&ctx.actor, id, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}")).into_response()),
        Err(e) => refused(&st, &ctx, id, BTreeMap::new(), e).await,
    }
}

async fn supervise(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = int(&id).ok_or_else(|| not_found(ctx.lang))?;
    let note = f.get("supervise_note").cloned().unwrap_or_default();
    match st.svc.supervise_task(&ctx.actor, id, &note).await {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}")).into_response()),
        Err(StoreError::Invalid(errs)) => {
            let errs = errs.into_iter().map(|e| e.on("supervise_note")).collect();
            refused(&st, &ctx, id, f, StoreError::Invalid(errs)).await
        }
        Err(e) => refused(&st, &ctx, id, f, e).await,
    }
}

/// The dashboard's task section for a region node and a period: the board of the
/// period's year (a chart of counts by status, overdue and 督办 first), or nothing for
/// an organisation node or a year without tasks.
pub async fn dashboard_board(
    st: &AppState,
    ctx: &Ctx,
    node: &str,
    period: &str,
) -> Option<(Board, String)> {
    let year: i64 = period.get(..4)?.parse().ok()?;
    if node.len() < 6 || node.len() > 9 || !node.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let en = ctx.lang.is_en();
    let b = st
        .svc
        .task_board(&ctx.actor, year, Some(node), en)
        .await
        .ok()?;
    if b.by_status.iter().all(|s| s.count == 0) {
        return None;
    }
    let json = serde_json::json!({
        "names": b.by_status.iter().map(|s| s.label.as_str()).collect::<Vec<_>>(),
        "series": [{"name": T(ctx.lang).s("tasks.total"), "values": b.by_status.iter().map(|s| s.count).collect::<Vec<_>>()}],
    })
    .to_string();
    Some((b, json))
}

// ----- meetings -----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct MeetingListQuery {
    level: String,
    region: String,
    year: String,
    page: String,
}

#[derive(Template)]
#[template(path = "meetings_list.html")]
struct MeetingsPage {
    l: Layout,
    q: MeetingListQuery,
    levels: Vec<(&'static str, &'static str)>,
    bodies: Vec<Body>,
    page: Page<Meeting>,
    can_create: bool,
    can_create_body: bool,
    prev: String,
    next: String,
}

async fn meetings(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<MeetingListQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let nz = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let page_no = int(&q.page).unwrap_or(1).max(1);
    let f = MeetingFilter {
        body_id: None,
        level: nz(&q.level),
        region: nz(&q.region),
        year: int(&q.year),
        page: page_no,
        per_page: 20,
    };
    let page = st
        .svc
        .list_meetings(&ctx.actor, &f, en)
        .await
        .map_err(ui(lang))?;
    let bodies = st.svc.list_bodies(&ctx.actor, en).await.map_err(ui(lang))?;
    let can_create = !st
        .svc
        .writable_bodies(&ctx.actor, en)
        .await
        .map_err(ui(lang))?
        .is_empty();
    let link = |p: i64| {
        format!(
            "/meetings?level={}&region={}&year={}&page={p}",
            enc(&q.level),
            enc(&q.region),
            enc(&q.year)
        )
    };
    let l = Layout::new(
        &ctx,
        "/meetings",
        t.s("nav.meetings"),
        vec![(t.s("nav.meetings"), String::new())],
    );
    render(
        &MeetingsPage {
            l,
            prev: link(page_no.saturating_sub(1)),
            next: link(page_no.saturating_add(1)),
            levels: ["city", "district", "town"]
                .iter()
                .map(|c| (*c, gongjiang_domain::tasks::level_label(c, en)))
                .collect(),
            bodies,
            page,
            can_create,
            can_create_body: ctx.role().is_region_staff(),
            q,
        },
        lang,
    )
}

#[derive(Template)]
#[template(path = "meeting_form.html")]
struct MeetingFormPage {
    l: Layout,
    body: Body,
    /// Where the form posts; the meeting's version when editing one.
    action: String,
    back: String,
    version: Option<i64>,
    /// The member units whose attendance the form sets.
    rows: Vec<(i64, String)>,
    attendance: Vec<(&'static str, &'static str)>,
    v: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
}

impl MeetingFormPage {
    fn val(&self, k: &str) -> String {
        self.v.get(k).cloned().unwrap_or_default()
    }
    fn err(&self, k: &str) -> String {
        self.errors.get(k).cloned().unwrap_or_default()
    }
    fn att(&self, org: &i64) -> String {
        self.v
            .get(&format!("att_{org}"))
            .cloned()
            .unwrap_or_else(|| "present".into())
    }
    fn who(&self, org: &i64) -> String {
        self.v
            .get(&format!("who_{org}"))
            .cloned()
            .unwrap_or_default()
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewMeetingQuery {
    body: String,
}

async fn meeting_form(
    st: &AppState,
    ctx: &Ctx,
    body_id: Option<i64>,
    v: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let bodies = st
        .svc
        .writable_bodies(&ctx.actor, en)
        .await
        .map_err(ui(lang))?;
    let body = match body_id {
        Some(id) => bodies.into_iter().find(|b| b.id == id),
        None => bodies.into_iter().next(),
    }
    .ok_or_else(|| not_found(lang))?;
    let status = if errors.is_empty() && general.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let l = Layout::new(
        ctx,
        "/meetings",
        format!("{} · {}", body.name, t.s("meetings.new")),
        vec![
            (t.s("nav.meetings"), "/meetings".into()),
            (t.s("meetings.new"), String::new()),
        ],
    );
    let rows = body
        .members
        .iter()
        .map(|m| (m.org_id, m.org_name.clone()))
        .collect();
    let mut r = render(
        &MeetingFormPage {
            l,
            body,
            action: "/meetings".into(),
            back: "/meetings".into(),
            version: None,
            rows,
            attendance: ATTENDANCE
                .iter()
                .map(|(c, zh, e)| (*c, if en { *e } else { *zh }))
                .collect(),
            v,
            errors,
            general,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

async fn new_meeting(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<NewMeetingQuery>,
) -> Result<Response, UiError> {
    meeting_form(
        &st,
        &ctx,
        int(&q.body),
        BTreeMap::new(),
        BTreeMap::new(),
        Vec::new(),
    )
    .await
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

async fn create_meeting(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    let body_id = int(&g("body_id")).ok_or_else(|| not_found(lang))?;
    let attendance = attendance_of(&f);
    let input = MeetingInput {
        body_id,
        title: g("title"),
        date: g("date"),
        place: g("place"),
        agenda: lines(&g("agenda")),
        minutes: g("minutes"),
        attendance,
        decisions: lines(&g("decisions")),
    };
    match st.svc.create_meeting(&ctx.actor, &input).await {
        Ok(m) => Ok(Redirect::to(&format!("/meetings/{}", m.id)).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            let (map, general) = field_errors(&e, lang.is_en());
            meeting_form(&st, &ctx, Some(body_id), f, map, general).await
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

#[derive(Template)]
#[template(path = "meeting_detail.html")]
struct MeetingPage {
    l: Layout,
    m: Meeting,
    attendance: Vec<Attendance>,
    decisions: Vec<Decision>,
    may_assign: bool,
    chart_json: String,
    /// The decision a refused "turn into task" was for, and its messages.
    failed: Option<i64>,
    v: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
}

impl MeetingPage {
    fn val(&self, k: &str) -> String {
        self.v.get(k).cloned().unwrap_or_default()
    }
    fn is_failed(&self, d: &i64) -> bool {
        self.failed == Some(*d)
    }
    fn err(&self, d: &i64, k: &str) -> String {
        if self.failed == Some(*d) {
            self.errors.get(k).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    }
}

async fn meeting(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = int(&id).ok_or_else(|| not_found(ctx.lang))?;
    meeting_detail(
        &st,
        &ctx,
        id,
        None,
        BTreeMap::new(),
        BTreeMap::new(),
        Vec::new(),
    )
    .await
}

async fn meeting_detail(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    failed: Option<i64>,
    v: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let (m, attendance, decisions, may_assign) = st
        .svc
        .get_meeting(&ctx.actor, id, en)
        .await
        .map_err(ui(lang))?;
    let names: Vec<&str> = ATTENDANCE
        .iter()
        .map(|(_, zh, e)| if en { *e } else { *zh })
        .collect();
    let values: Vec<i64> = ATTENDANCE
        .iter()
        .map(|(c, _, _)| attendance.iter().filter(|a| a.status == *c).count() as i64)
        .collect();
    let chart_json = serde_json::json!({
        "kind": "pie",
        "names": names,
        "series": [{"name": t.s("meetings.attendance"), "values": values}],
    })
    .to_string();
    let status = if errors.is_empty() && general.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let l = Layout::new(
        ctx,
        "/meetings",
        m.title.clone(),
        vec![
            (t.s("nav.meetings"), "/meetings".into()),
            (m.title.clone(), String::new()),
        ],
    )
    .with_script("/assets/echarts.min.js");
    let mut r = render(
        &MeetingPage {
            l,
            m,
            attendance,
            decisions,
            may_assign,
            chart_json,
            failed,
            v,
            errors,
            general,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

async fn decision_task(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path((id, did)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = int(&id).ok_or_else(|| not_found(lang))?;
    let did = int(&did).ok_or_else(|| not_found(lang))?;
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    let input = DecisionTaskInput {
        owner: g("owner"),
        deadline: g("deadline"),
        title: Some(g("title")),
        target_text: Some(g("target_text")),
        year: None,
    };
    match st.svc.decision_to_task(&ctx.actor, id, did, &input).await {
        Ok(t) => Ok(Redirect::to(&format!("/tasks/{}", t.id)).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            let (map, general) = field_errors(&e, lang.is_en());
            meeting_detail(&st, &ctx, id, Some(did), f, map, general).await
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

// ----- corrections: meetings, decisions, bodies -----

/// The edit form of a meeting: its values (or what was typed) and its attendance rows
/// (units recorded at the meeting and the body's current members).
#[allow(clippy::too_many_arguments)]
async fn meeting_edit_form(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    typed: Option<BTreeMap<String, String>>,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
    status: StatusCode,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let (m, attendance, _, may_edit) = st
        .svc
        .get_meeting(&ctx.actor, id, en)
        .await
        .map_err(ui(lang))?;
    if !may_edit {
        return Err(UiError(AppError::Store(StoreError::Forbidden), lang));
    }
    let (body, _) = st
        .svc
        .get_body(&ctx.actor, m.body_id, en)
        .await
        .map_err(ui(lang))?;
    let mut rows: Vec<(i64, String)> = attendance
        .iter()
        .map(|a| (a.org_id, a.org_name.clone()))
        .collect();
    for mb in &body.members {
        if !rows.iter().any(|(o, _)| *o == mb.org_id) {
            rows.push((mb.org_id, mb.org_name.clone()));
        }
    }
    let version = typed
        .as_ref()
        .and_then(|v| v.get("_version"))
        .and_then(|v| int(v))
        .unwrap_or(m.version);
    let v = match typed {
        Some(v) => v,
        None => {
            let mut v = BTreeMap::new();
            v.insert("title".to_string(), m.title.clone());
            v.insert("date".to_string(), m.date.clone());
            v.insert("place".to_string(), m.place.clone());
            v.insert("agenda".to_string(), m.agenda.join("\n"));
            v.insert("minutes".to_string(), m.minutes.clone());
            for a in &attendance {
                v.insert(format!("att_{}", a.org_id), a.status.clone());
                v.insert(
                    format!("who_{}", a.org_id),
                    a.attendee.clone().unwrap_or_default(),
                );
            }
            v
        }
    };
    let l = Layout::new(
        ctx,
        "/meetings",
        format!("{} · {}", m.title, t.s("meetings.edit")),
        vec![
            (t.s("nav.meetings"), "/meetings".into()),
            (m.title.clone(), format!("/meetings/{id}")),
            (t.s("meetings.edit"), String::new()),
        ],
    );
    let mut r = render(
        &MeetingFormPage {
            l,
            body,
            action: format!("/meetings/{id}/edit"),
            back: format!("/meetings/{id}"),
            version: Some(version),
            rows,
            attendance: ATTENDANCE
                .iter()
                .map(|(c, zh, e)| (*c, if en { *e } else { *zh }))
                .collect(),
            v,
            errors,
            general,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

async fn edit_meeting(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = int(&id).ok_or_else(|| not_found(ctx.lang))?;
    meeting_edit_form(
        &st,
        &ctx,
        id,
        None,
        BTreeMap::new(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// The attendance rows of a submitted meeting form (`att_ORG`, `who_ORG`).
fn attendance_of(f: &BTreeMap<String, String>) -> Vec<AttendanceInput> {
    f.iter()
        .filter_map(|(k, v)| {
            let org = int(k.strip_prefix("att_")?)?;
            Some(AttendanceInput {
                org_id: org,
                status: v.clone(),
                attendee: f.get(&format!("who_{org}")).cloned(),
            })
        })
        .collect()
}

/// The page status of a refused change.
fn refusal_status(e: &StoreError) -> StatusCode {
    match e {
        StoreError::Conflict { .. } => StatusCode::CONFLICT,
        StoreError::Denied { .. } => StatusCode::FORBIDDEN,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

async fn save_meeting(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = int(&id).ok_or_else(|| not_found(lang))?;
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    let input = MeetingEdit {
        version: f.get("_version").and_then(|v| int(v)),
        title: Some(g("title")),
        date: Some(g("date")),
        place: Some(g("place")),
        agenda: Some(lines(&g("agenda"))),
        minutes: Some(g("minutes")),
        attendance: Some(attendance_of(&f)),
        add_decisions: lines(&g("add_decisions")),
    };
    match st.svc.update_meeting(&ctx.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}")).into_response()),
        Err(
            e @ (StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Denied { .. }),
        ) => {
            let (mut map, general) = field_errors(&e, lang.is_en());
            if let Some(m) = map.remove("decisions") {
                map.insert("add_decisions".into(), m);
            }
            let status = refusal_status(&e);
            meeting_edit_form(&st, &ctx, id, Some(f), map, general, status).await
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

async fn correct_decision(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path((id, did)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = int(&id).ok_or_else(|| not_found(lang))?;
    let did = int(&did).ok_or_else(|| not_found(lang))?;
    let input = DecisionEdit {
        text: f.get("text").cloned().unwrap_or_default(),
        version: f.get("_version").and_then(|v| int(v)),
    };
    match st.svc.correct_decision(&ctx.actor, id, did, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}")).into_response()),
        Err(
            e @ (StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Denied { .. }),
        ) => {
            let (map, general) = field_errors(&e, lang.is_en());
            let status = refusal_status(&e);
            let mut r = meeting_detail(&st, &ctx, id, Some(did), f, map, general).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

#[derive(Template)]
#[template(path = "body_form.html")]
struct BodyFormPage {
    l: Layout,
    /// (code, name, level label) of the regions that have no body yet.
    regions: Vec<(String, String, &'static str)>,
    v: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
}

impl BodyFormPage {
    fn val(&self, k: &str) -> String {
        self.v.get(k).cloned().unwrap_or_default()
    }
    fn err(&self, k: &str) -> String {
        self.errors.get(k).cloned().unwrap_or_default()
    }
}

async fn body_form(
    st: &AppState,
    ctx: &Ctx,
    v: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
    status: StatusCode,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    if !ctx.role().is_region_staff() {
        return Err(UiError(AppError::Store(StoreError::Forbidden), lang));
    }
    let taken: Vec<String> = st
        .svc
        .writable_bodies(&ctx.actor, en)
        .await
        .map_err(ui(lang))?
        .into_iter()
        .map(|b| b.region_code)
        .collect();
    let regions = st
        .svc
        .regions(&ctx.actor)
        .await
        .map_err(ui(lang))?
        .into_iter()
        .filter(|r| !taken.contains(&r.code))
        .map(|r| {
            let label = r.level_label(en);
            (r.code, r.name, label)
        })
        .collect();
    let l = Layout::new(
        ctx,
        "/meetings",
        t.s("meetings.new_body"),
        vec![
            (t.s("nav.meetings"), "/meetings".into()),
            (t.s("meetings.new_body"), String::new()),
        ],
    );
    let mut r = render(
        &BodyFormPage {
            l,
            regions,
            v,
            errors,
            general,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

async fn new_body(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
) -> Result<Response, UiError> {
    let mut v = BTreeMap::new();
    v.insert(
        "region".to_string(),
        ctx.user.region_code.clone().unwrap_or_default(),
    );
    body_form(&st, &ctx, v, BTreeMap::new(), Vec::new(), StatusCode::OK).await
}

async fn create_body(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    let input = BodyInput {
        region: g("region"),
        name: g("name"),
        members: lines(&g("members")),
    };
    match st.svc.create_body(&ctx.actor, &input).await {
        Ok(b) => Ok(Redirect::to(&format!("/meetings/bodies/{}", b.id)).into_response()),
        Err(
            e @ (StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Denied { .. }),
        ) => {
            let (map, general) = field_errors(&e, lang.is_en());
            let status = refusal_status(&e);
            body_form(&st, &ctx, f, map, general, status).await
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

#[derive(Template)]
#[template(path = "body_detail.html")]
struct BodyPage {
    l: Layout,
    b: Body,
    may_edit: bool,
    meetings: Page<Meeting>,
    /// What was typed (a refused edit), else the body's values.
    v: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
}

impl BodyPage {
    fn val(&self, k: &str) -> String {
        self.v.get(k).cloned().unwrap_or_default()
    }
    fn err(&self, k: &str) -> String {
        self.errors.get(k).cloned().unwrap_or_default()
    }
    /// Is the member's "keep" box ticked?
    fn kept(&self, org: &i64) -> bool {
        self.v.contains_key(&format!("member_{org}"))
    }
}

async fn body_detail(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    typed: Option<BTreeMap<String, String>>,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
    status: StatusCode,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let (b, may_edit) = st
        .svc
        .get_body(&ctx.actor, id, en)
        .await
        .map_err(ui(lang))?;
    let meetings = st
        .svc
        .list_meetings(
            &ctx.actor,
            &MeetingFilter {
                body_id: Some(id),
                page: 1,
                per_page: 200,
                ..Default::default()
            },
            en,
        )
        .await
        .map_err(ui(lang))?;
    let v = match typed {
        Some(v) => v,
        None => {
            let mut v = BTreeMap::new();
            v.insert("name".to_string(), b.name.clone());
            v.insert("_version".to_string(), b.version.to_string());
            for m in &b.members {
                v.insert(format!("member_{}", m.org_id), "1".into());
            }
            v
        }
    };
    let l = Layout::new(
        ctx,
        "/meetings",
        b.name.clone(),
        vec![
            (t.s("nav.meetings"), "/meetings".into()),
            (b.name.clone(), String::new()),
        ],
    );
    let mut r = render(
        &BodyPage {
            l,
            b,
            may_edit,
            meetings,
            v,
            errors,
            general,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

async fn body_page(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = int(&id).ok_or_else(|| not_found(ctx.lang))?;
    body_detail(
        &st,
        &ctx,
        id,
        None,
        BTreeMap::new(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

async fn save_body(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = int(&id).ok_or_else(|| not_found(lang))?;
    // The members kept (ticked) and the ones added (one per line).
    let mut members: Vec<String> = f
        .keys()
        .filter_map(|k| k.strip_prefix("member_"))
        .map(str::to_string)
        .collect();
    members.extend(lines(&f.get("add_members").cloned().unwrap_or_default()));
    let input = BodyEdit {
        version: f.get("_version").and_then(|v| int(v)),
        name: Some(f.get("name").cloned().unwrap_or_default()),
        members: Some(members),
    };
    match st.svc.update_body(&ctx.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/bodies/{id}")).into_response()),
        Err(
            e @ (StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Denied { .. }),
        ) => {
            let (map, general) = field_errors(&e, lang.is_en());
            let status = refusal_status(&e);
            body_detail(&st, &ctx, id, Some(f), map, general, status).await
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

/// The owner unit reports the task completed (销号): `summary`, optional `achieved`.
async fn request_completion(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = int(&id).ok_or_else(|| not_found(lang))?;
    let input = gongjiang_storage::task_completion::CompletionInput {
        summary: f.get("summary").cloned().unwrap_or_default(),
        achieved: f.get("achieved").cloned(),
    };
    match st.svc.request_task_completion(&ctx.actor, id, &input).await {
        Ok(c) => Ok(Redirect::to(&format!("/cases/{}", c.id)).into_response()),
        Err(e) => refused(&st, &ctx, id, f, e).await,
    }
}
