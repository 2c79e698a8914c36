//! Console pages of the workflow engine: applications and other cases, the form, the
//! history, the reviewer's actions, the inbox with bulk actions and their progress, and
//! notifications.
use super::{render, Layout};
use crate::api::cases::CaseQuery;
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::{Lang, T};
use crate::upload::MultipartForm;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use gongjiang_domain::workflow::{Action, FieldKind, Process, Status, Subject, PROCESSES};
use gongjiang_domain::Role;
use gongjiang_storage::workflow::{ActInput, BulkJob, Case, CaseInput, Event};
use gongjiang_storage::{Page, StoreError};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list).post(create))
        .route("/cases/new", get(new))
        .route("/cases/{id}", get(show).post(edit))
        .route("/cases/{id}/act", post(act))
        .route("/cases/{id}/objections", post(object))
        .route("/cases/{id}/experts", post(assign_expert))
        .route("/cases/{id}/score", post(score))
        .route("/cases/{id}/objections/{objection}", post(answer))
        .route(
            "/cases/{id}/files",
            post(attach).layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .route("/inbox", get(inbox))
        .route("/inbox/bulk", post(bulk))
        .route("/inbox/bulk/{id}", get(bulk_progress))
        .route("/notifications", get(notifications).post(read_all))
}

fn ui<E: Into<AppError>>(lang: Lang) -> impl Fn(E) -> UiError {
    move |e| UiError(e.into(), lang)
}

fn not_found(lang: Lang) -> UiError {
    UiError(AppError::Store(StoreError::NotFound), lang)
}

/// A form field as the templates show it.
pub struct FieldView {
    pub key: &'static str,
    pub label: &'static str,
    pub required: bool,
    pub long: bool,
    pub choices: Vec<(&'static str, &'static str)>,
    pub help: &'static str,
    pub value: String,
    /// The value as shown (choice labels instead of codes).
    pub shown: String,
    pub error: String,
}

fn fields(
    def: &Process,
    data: &BTreeMap<String, String>,
    errors: &BTreeMap<String, String>,
    en: bool,
) -> Vec<FieldView> {
    def.fields
        .iter()
        .map(|f| {
            let value = data.get(f.key).cloned().unwrap_or_default();
            let choices: Vec<(&str, &str)> = match f.kind {
                FieldKind::Choice(c) => c
                    .iter()
                    .map(|(code, zh, e)| (*code, if en { *e } else { *zh }))
                    .collect(),
                _ => Vec::new(),
            };
            let shown = choices
                .iter()
                .find(|(c, _)| *c == value)
                .map(|(_, l)| l.to_string())
                .unwrap_or_else(|| value.clone());
            FieldView {
                key: f.key,
                label: if en { f.label_en } else { f.label_zh },
                required: f.required,
                long: matches!(f.kind, FieldKind::LongText(_)),
                choices,
                help: if en { "" } else { f.help_zh },
                shown,
                value,
                error: errors.get(f.key).cloned().unwrap_or_default(),
            }
        })
        .collect()
}

/// Drops from the `level` choices the pilot levels the applicant already holds.
fn without_held_levels(
    mut fields: Vec<FieldView>,
    pilots: &[gongjiang_storage::pilots::Pilot],
) -> Vec<FieldView> {
    use gongjiang_domain::PilotLevel;
    let held: Vec<PilotLevel> = pilots
        .iter()
        .filter_map(|p| PilotLevel::from_any(&p.level))
        .collect();
    for f in fields.iter_mut().filter(|f| f.key == "level") {
        f.choices
            .retain(|(code, _)| PilotLevel::from_any(code).is_none_or(|l| !held.contains(&l)));
    }
    fields
}

fn field_errors(e: &StoreError, en: bool) -> (BTreeMap<String, String>, Vec<String>) {
    let mut map = BTreeMap::new();
    let mut general = Vec::new();
    match e {
        StoreError::Invalid(errs) => {
            for f in errs {
                map.insert(
                    f.field.clone(),
                    if en {
                        f.detail_en.clone()
                    } else {
                        f.detail_zh.clone()
                    },
                );
            }
        }
        StoreError::Conflict { zh, en: e, .. } | StoreError::Denied { zh, en: e, .. } => {
            general.push(if en { e.clone() } else { zh.clone() })
        }
        _ => {}
    }
    (map, general)
}

fn may_apply(role: Role) -> bool {
    role == Role::Unit || role.is_region_staff()
}

/// The processes a role starts on this page, most common first: pilot applications, the
/// yearly check and final acceptance, then the benchmark selection. Processes that drive
/// a module's record (the 六有, self-reports, task completion) start on that module's
/// page instead ([`start_page`]).
fn startable(role: Role) -> Vec<&'static Process> {
    if !may_apply(role) {
        return Vec::new();
    }
    let mut out: Vec<&'static Process> = PROCESSES.iter().filter(|p| p.subject.is_none()).collect();
    let rank = |p: &Process| match p.code {
        "pilot_application" => 0,
        "pilot_yearly_check" => 1,
        "pilot_acceptance" => 2,
        _ => 3,
    };
    out.sort_by_key(|p| rank(p));
    out
}

/// Where a process that drives a module's record starts: (page, label key of the page).
pub fn start_page(subject: Option<Subject>) -> Option<(&'static str, &'static str)> {
    subject.map(|s| (s.page, s.page_label))
}

/// For the processes that start elsewhere: (process names, page, page label), one entry
/// per page (the three 销号 processes share the task page).
fn started_elsewhere(role: Role, en: bool, t: T) -> Vec<(String, &'static str, String)> {
    let mut out: Vec<(String, &'static str, String)> = Vec::new();
    if !role.may_read_orgs() {
        return out;
    }
    for p in PROCESSES {
        let Some((href, key)) = start_page(p.subject) else {
            continue;
        };
        let name = match p.subject.and_then(|s| s.listed_as) {
            Some(key) => t.s(key),
            None => p.name(en).to_string(),
        };
        if !out.iter().any(|(n, h, _)| *h == href && *n == name) {
            out.push((name, href, t.s(key)));
        }
    }
    out
}

#[derive(Template)]
#[template(path = "cases_list.html")]
struct ListPage {
    l: Layout,
    page: Page<Case>,
    q: ListQuery,
    processes: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    /// The 新建 buttons: (process code, name).
    startable: Vec<(&'static str, &'static str)>,
    /// Processes that start on another page: (names, page, page label).
    elsewhere: Vec<(String, &'static str, String)>,
    prev: String,
    next: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ListQuery {
    process: String,
    status: String,
    q: String,
    page: String,
}

async fn list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let page_no = q.page.parse::<i64>().unwrap_or(1).max(1);
    let f = CaseQuery {
        process: Some(q.process.clone()),
        status: Some(q.status.clone()),
        q: Some(q.q.clone()),
        page: Some(page_no),
        per_page: Some(20),
        ..Default::default()
    }
    .filter();
    let page = st
        .svc
        .list_cases(&ctx.actor, &f, en)
        .await
        .map_err(ui(lang))?;
    let link = |p: i64| {
        format!(
            "/cases?process={}&status={}&q={}&page={p}",
            q.process,
            q.status,
            urlencoding(&q.q)
        )
    };
    let l = Layout::new(
        &ctx,
        "/cases",
        t.s("nav.cases"),
        vec![(t.s("nav.cases"), String::new())],
    );
    render(
        &ListPage {
            l,
            prev: link(page_no.saturating_sub(1)),
            next: link(page_no.saturating_add(1)),
            page,
            q,
            processes: PROCESSES.iter().map(|p| (p.code, p.name(en))).collect(),
            statuses: Status::ALL
                .iter()
                .map(|s| (s.code(), s.label(en)))
                .collect(),
            startable: startable(ctx.role())
                .into_iter()
                .map(|p| (p.code, p.name(en)))
                .collect(),
            elsewhere: started_elsewhere(ctx.role(), en, t),
        },
        lang,
    )
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "case_form.html")]
struct FormPage {
    l: Layout,
    process: &'static Process,
    /// The applicant's current pilots (a unit applying to be a pilot sees them, and
    /// is not offered the levels it holds).
    pilots: Vec<gongjiang_storage::pilots::Pilot>,
    fields: Vec<FieldView>,
    org: String,
    org_error: String,
    general: Vec<String>,
    org_fixed: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    process: String,
    org: String,
}

/// A unit's current pilots, for a process that makes pilots (empty otherwise).
async fn own_pilots(
    st: &AppState,
    ctx: &Ctx,
    def: &Process,
) -> Vec<gongjiang_storage::pilots::Pilot> {
    use gongjiang_storage::access::{may, Permission};
    let Some(org) = ctx
        .user
        .org_id
        .filter(|_| may(&ctx.actor, Permission::ActForOwnOrg))
    else {
        return Vec::new();
    };
    if def.code != "pilot_application" {
        return Vec::new();
    }
    let f = gongjiang_storage::pilots::Filter {
        org_id: Some(org),
        page: 1,
        per_page: 20,
        ..Default::default()
    };
    st.svc
        .list_pilots(&ctx.actor, &f)
        .await
        .map(|p| p.items)
        .unwrap_or_default()
}

async fn new(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<NewQuery>,
) -> Result<Response, UiError> {
    let def = Process::find(&q.process)
        .or_else(|| Process::find("pilot_application"))
        .ok_or_else(|| not_found(ctx.lang))?;
    // Processes that drive a module's record (the 六有, self-reports, 销号) start from
    // that module's page.
    if let Some((href, _)) = start_page(def.subject) {
        return Ok(Redirect::to(href).into_response());
    }
    let pilots = own_pilots(&st, &ctx, def).await;
    form_page(
        &ctx,
        def,
        BTreeMap::new(),
        q.org,
        BTreeMap::new(),
        Vec::new(),
        pilots,
    )
}

fn form_page(
    ctx: &Ctx,
    def: &'static Process,
    data: BTreeMap<String, String>,
    org: String,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
    pilots: Vec<gongjiang_storage::pilots::Pilot>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    if !may_apply(ctx.role()) {
        return Err(UiError(AppError::Store(StoreError::Forbidden), lang));
    }
    let l = Layout::new(
        ctx,
        "/cases",
        format!("{} · {}", def.name(en), t.s("cases.new")),
        vec![
            (t.s("nav.cases"), "/cases".into()),
            (def.name(en).to_string(), String::new()),
        ],
    );
    let status = if errors.is_empty() && general.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut r = render(
        &FormPage {
            l,
            process: def,
            fields: without_held_levels(fields(def, &data, &errors, en), &pilots),
            pilots,
            org,
            org_error: errors.get("org").cloned().unwrap_or_default(),
            general,
            org_fixed: ctx.role() == Role::Unit,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

/// Form posts: `_process`, `_org`, `_submit` (1 = submit at once) and the fields.
async fn create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    CsrfForm(mut f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let process = f.remove("_process").unwrap_or_default();
    let org = f.remove("_org").unwrap_or_default();
    let submit = f.remove("_submit").is_some_and(|v| v == "1");
    f.remove("_csrf");
    let def = Process::find(&process).ok_or_else(|| not_found(lang))?;
    let input = CaseInput {
        process: process.clone(),
        org: Some(org.clone()),
        data: f.clone(),
    };
    let c = match st.svc.create_case(&ctx.actor, &input).await {
        Ok(c) => c,
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            let (map, general) = field_errors(&e, lang.is_en());
            let pilots = own_pilots(&st, &ctx, def).await;
            return form_page(&ctx, def, f, org, map, general, pilots);
        }
        Err(e) => return Err(UiError(e.into(), lang)),
    };
    if submit {
        let a = ActInput {
            action: "submit".into(),
            version: Some(c.version),
            ..Default::default()
        };
        if let Err(e) = st.svc.act(&ctx.actor, c.id, &a).await {
            // Saved as a draft; show what is missing on the case page.
            let (map, general) = field_errors(&e, lang.is_en());
            return detail(&st, &ctx, c.id, map, general).await;
        }
    }
    Ok(Redirect::to(&format!("/cases/{}", c.id)).into_response())
}

#[derive(Template)]
#[template(path = "case_detail.html")]
struct DetailPage {
    l: Layout,
    c: Case,
    /// The applicant's page is open to this role (not to experts).
    org_link: bool,
    history: Vec<Event>,
    actions: Vec<(&'static str, &'static str)>,
    fields: Vec<FieldView>,
    /// Fields the reviewer may correct at this step.
    editable: Vec<FieldView>,
    can_edit: bool,
    can_withdraw: bool,
    general: Vec<String>,
    steps: Vec<(String, &'static str)>,
    due: String,
    /// Where the unit works on what the case is about (the 六有 page), if elsewhere.
    subject_link: String,
    notice: bool,
    may_object: bool,
    /// The city, at the notice: answers objections.
    may_answer: bool,
    /// The city, in expert scoring: assigns experts.
    may_assign: bool,
    /// An assigned expert, in expert scoring: scores.
    may_score: bool,
    criteria: &'static str,
    max_score: i64,
}

/// The badge colour of a checklist item's status.
pub fn item_badge<S: AsRef<str>>(status: S) -> &'static str {
    match status.as_ref() {
        "accepted" => "badge-green",
        "returned" => "badge-orange",
        "submitted" => "badge-blue",
        _ => "badge-gray",
    }
}

async fn show(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    // Readers of the organisation tree, and experts for the cases they score.
    if !(ctx.role().may_read_orgs() || ctx.role() == Role::Expert) {
        return Err(UiError(AppError::Store(StoreError::Forbidden), ctx.lang));
    }
    let id = id.parse::<i64>().map_err(|_| not_found(ctx.lang))?;
    detail(&st, &ctx, id, BTreeMap::new(), Vec::new()).await
}

/// Beijing time, `2026-11-24 09:30`.
fn fmt_time(ms: i64) -> String {
    match (
        chrono::DateTime::from_timestamp_millis(ms),
        chrono::FixedOffset::east_opt(8 * 3600),
    ) {
        (Some(d), Some(tz)) => d.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
        _ => String::new(),
    }
}

/// Anything that is (a reference to) milliseconds since the epoch.
pub trait AsMs {
    fn as_ms(&self) -> i64;
}

impl AsMs for i64 {
    fn as_ms(&self) -> i64 {
        *self
    }
}

impl<T: AsMs + ?Sized> AsMs for &T {
    fn as_ms(&self) -> i64 {
        (**self).as_ms()
    }
}

pub fn time<T: AsMs>(ms: T) -> String {
    fmt_time(ms.as_ms())
}

/// The badge colour of a status.
pub fn status_badge<S: AsRef<str>>(status: S) -> &'static str {
    match status.as_ref() {
        "approved" => "badge-green",
        "rejected" => "badge-red",
        "returned" => "badge-orange",
        "in_review" | "notice" => "badge-blue",
        _ => "badge-gray",
    }
}

async fn detail(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let (c, history, actions) = st
        .svc
        .get_case(&ctx.actor, id, en)
        .await
        .map_err(ui(lang))?;
    let def = c.def().ok_or_else(|| not_found(lang))?;
    let at = c.position();
    let editable_keys: &[&str] = match (at.status, at.step) {
        (Status::InReview, Some(s)) if s < def.steps.len() && actions.contains(&Action::Accept) => {
            def.steps[s].may_edit
        }
        _ => &[],
    };
    let all = fields(def, &c.data, &errors, en);
    let editable = fields(def, &c.data, &errors, en)
        .into_iter()
        .filter(|f| editable_keys.contains(&f.key))
        .collect();
    let subject_link =
        gongjiang_storage::workflow::subject_page(c.subject.as_deref()).unwrap_or_default();
    // A case that drives a module's record is edited on that record's page.
    let can_edit = matches!(at.status, Status::Draft | Status::Returned)
        && actions.contains(&Action::Submit)
        && subject_link.is_empty();
    let notice = at.status == Status::Notice;
    let may_object = st.svc.may_object(&ctx.actor, &c);
    let may_answer = notice && matches!(ctx.role(), Role::City | Role::Sysadmin);
    let scoring = at.status == Status::Scoring;
    let may_assign = scoring && matches!(ctx.role(), Role::City | Role::Sysadmin);
    let may_score = scoring && ctx.role() == Role::Expert;
    let (criteria, max_score) = def
        .scoring
        .map(|s| (if en { s.criteria_en } else { s.criteria_zh }, s.max))
        .unwrap_or(("", 0));
    let steps = def
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let state = match (at.status, at.step) {
                (Status::Approved, _) => "done",
                (Status::InReview, Some(cur)) if cur == i => "current",
                (Status::InReview | Status::Notice, Some(cur)) if cur > i => "done",
                _ => "todo",
            };
            (s.reviewer.label(en).to_string(), state)
        })
        .chain(def.notice_days.map(|_| {
            (
                def.step_label(Some(def.steps.len()), en).to_string(),
                match at.status {
                    Status::Notice => "current",
                    Status::Approved => "done",
                    _ => "todo",
                },
            )
        }))
        .collect();
    // Roles that do not see the case list (experts) come from their inbox.
    let org_link = gongjiang_storage::access::may(
        &ctx.actor,
        gongjiang_storage::access::Permission::ReadRegisters,
    );
    let back = if org_link {
        (t.s("nav.cases"), "/cases".to_string())
    } else {
        (t.s("nav.inbox"), "/inbox".to_string())
    };
    let l = Layout::new(
        ctx,
        "/cases",
        c.title.clone(),
        vec![back, (c.title.clone(), String::new())],
    );
    let status = if errors.is_empty() && general.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut r = render(
        &DetailPage {
            l,
            org_link,
            due: c.due_at.map(fmt_time).unwrap_or_default(),
            actions: actions.iter().map(|a| (a.code(), a.label(en))).collect(),
            fields: all,
            editable,
            can_edit,
            can_withdraw: actions.contains(&Action::Withdraw),
            general,
            steps,
            subject_link,
            notice,
            may_object,
            may_answer,
            may_assign,
            may_score,
            criteria,
            max_score,
            c,
            history,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

/// Saves the form of a draft or returned case; `_submit=1` submits it too.
async fn edit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(mut f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id.parse::<i64>().map_err(|_| not_found(lang))?;
    f.remove("_csrf");
    let version = f.remove("_version").and_then(|v| v.parse().ok());
    let submit = f.remove("_submit").is_some_and(|v| v == "1");
    let c = match st.svc.update_case(&ctx.actor, id, &f, version).await {
        Ok(c) => c,
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            let (map, general) = field_errors(&e, lang.is_en());
            return detail(&st, &ctx, id, map, general).await;
        }
        Err(e) => return Err(UiError(e.into(), lang)),
    };
    if submit {
        let a = ActInput {
            action: "submit".into(),
            version: Some(c.version),
            ..Default::default()
        };
        if let Err(e) = st.svc.act(&ctx.actor, id, &a).await {
            let (map, general) = field_errors(&e, lang.is_en());
            return detail(&st, &ctx, id, map, general).await;
        }
    }
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

/// A reviewer's or applicant's action: `_action`, `_version`, `comment`, and any
/// corrected fields.
async fn act(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(mut f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id.parse::<i64>().map_err(|_| not_found(lang))?;
    f.remove("_csrf");
    let action = f.remove("_action").unwrap_or_default();
    let version = f.remove("_version").and_then(|v| v.parse().ok());
    let comment = f.remove("comment");
    // Only corrected fields that differ from the stored form count as changes.
    let (c, _, _) = st
        .svc
        .get_case(&ctx.actor, id, lang.is_en())
        .await
        .map_err(ui(lang))?;
    let changes = f
        .into_iter()
        .filter(|(k, v)| c.data.get(k).map(String::as_str).unwrap_or("") != v.trim())
        .collect();
    let input = ActInput {
        action,
        comment,
        version,
        changes,
    };
    match st.svc.act(&ctx.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(
            e @ (StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Denied { .. }),
        ) => {
            let (map, mut general) = field_errors(&e, lang.is_en());
            if let Some(m) = map.get("comment") {
                general.push(m.clone());
            }
            detail(&st, &ctx, id, map, general).await
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

/// Lodges an objection (`body`, and for the city `raised_by`).
async fn object(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id.parse::<i64>().map_err(|_| not_found(lang))?;
    let body = f.get("body").map(String::as_str).unwrap_or("");
    let raised_by = f.get("raised_by").map(String::as_str);
    match st
        .svc
        .lodge_objection(&ctx.actor, id, body, raised_by)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}#objections")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            let (map, mut general) = field_errors(&e, lang.is_en());
            general.extend(map.values().cloned());
            detail(&st, &ctx, id, BTreeMap::new(), general).await
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

/// The city answers an objection: `upheld` (1/0) and `response`.
async fn answer(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path((id, objection)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id.parse::<i64>().map_err(|_| not_found(lang))?;
    let objection = objection.parse::<i64>().map_err(|_| not_found(lang))?;
    let upheld = f.get("upheld").is_some_and(|v| v == "1");
    let response = f.get("response").map(String::as_str).unwrap_or("");
    match st
        .svc
        .answer_objection(&ctx.actor, id, objection, upheld, response)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}#objections")).into_response()),
        Err(
            e @ (StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Denied { .. }),
        ) => {
            let (map, mut general) = field_errors(&e, lang.is_en());
            general.extend(map.values().cloned());
            detail(&st, &ctx, id, BTreeMap::new(), general).await
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    l: Layout,
    cases: Vec<Case>,
    reviewer: bool,
    error: String,
}

async fn inbox(State(st): State<AppState>, WebUser(ctx, ..): WebUser) -> Result<Response, UiError> {
    inbox_page(&st, &ctx, String::new()).await
}

async fn inbox_page(st: &AppState, ctx: &Ctx, error: String) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let cases = st
        .svc
        .inbox(&ctx.actor, lang.is_en())
        .await
        .map_err(ui(lang))?;
    let l = Layout::new(
        ctx,
        "/inbox",
        t.s("nav.inbox"),
        vec![(t.s("nav.inbox"), String::new())],
    );
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut r = render(
        &InboxPage {
            l,
            cases,
            reviewer: ctx.role().is_region_staff(),
            error,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

/// Bulk action from the inbox: repeated `id` fields, `_action`, `comment`.
async fn bulk(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let ids: Vec<i64> = pairs
        .iter()
        .filter(|(n, _)| n == "id")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let comment = get("comment");
    match st
        .svc
        .start_bulk(
            &ctx.actor,
            &ids,
            &get("_action"),
            Some(comment.as_str()).filter(|c| !c.trim().is_empty()),
        )
        .await
    {
        Ok(job) => {
            crate::spawn_bulk(st.svc.clone(), job.id.clone());
            Ok(Redirect::to(&format!("/inbox/bulk/{}", job.id)).into_response())
        }
        Err(e @ StoreError::Invalid(_)) => {
            let (map, _) = field_errors(&e, lang.is_en());
            inbox_page(&st, &ctx, map.into_values().collect::<Vec<_>>().join(";")).await
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

#[derive(Template)]
#[template(path = "bulk_progress.html")]
struct ProgressPage {
    l: Layout,
    job: BulkJob,
    percent: i64,
}

/// The progress box alone, for htmx polling.
#[derive(Template)]
#[template(path = "bulk_box.html")]
struct ProgressBox {
    l: Layout,
    job: BulkJob,
    percent: i64,
}

async fn bulk_progress(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let job = st.svc.bulk_job(&ctx.actor, &id).await.map_err(ui(lang))?;
    let l = Layout::new(
        &ctx,
        "/inbox",
        t.s("cases.bulk_progress"),
        vec![
            (t.s("nav.inbox"), "/inbox".into()),
            (t.s("cases.bulk_progress"), String::new()),
        ],
    );
    let percent = if job.total > 0 {
        job.done * 100 / job.total
    } else {
        100
    };
    if headers.contains_key("hx-request") {
        render(&ProgressBox { l, job, percent }, lang)
    } else {
        render(&ProgressPage { l, job, percent }, lang)
    }
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    l: Layout,
    items: Vec<(i64, String, Option<String>, i64)>,
}

async fn notifications(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let items = st.svc.notifications(&ctx.actor).await.map_err(ui(lang))?;
    let l = Layout::new(
        &ctx,
        "/notifications",
        t.s("nav.notifications"),
        vec![(t.s("nav.notifications"), String::new())],
    );
    render(&NotificationsPage { l, items }, lang)
}

#[derive(Deserialize, Default)]
struct Empty {}

async fn read_all(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    st.svc
        .mark_notifications_read(&ctx.actor)
        .await
        .map_err(ui(ctx.lang))?;
    Ok(Redirect::to("/notifications").into_response())
}

/// Uploads material (multipart: `_csrf`, one or more `files`).
async fn attach(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    m: axum::extract::Multipart,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id.parse::<i64>().map_err(|_| not_found(lang))?;
    let form = MultipartForm::read(m).await?;
    form.check_csrf(&ctx.csrf)?;
    let files = form.files_of("files");
    match st.svc.attach_case_files(&ctx.actor, id, &files).await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            let (map, mut general) = field_errors(&e, lang.is_en());
            general.extend(map.into_values());
            detail(&st, &ctx, id, BTreeMap::new(), general).await
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

/// The city assigns an expert (`expert`: user name).
async fn assign_expert(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id.parse::<i64>().map_err(|_| not_found(lang))?;
    let name = f.get("expert").map(String::as_str).unwrap_or("");
    match st.svc.assign_case_expert(&ctx.actor, id, name).await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}#experts")).into_response()),
        Err(
            e @ (StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Denied { .. }),
        ) => {
            let (map, mut general) = field_errors(&e, lang.is_en());
            general.extend(map.values().cloned());
            detail(&st, &ctx, id, BTreeMap::new(), general).await
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

/// An assigned expert scores (`score`, `comment`).
async fn score(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id.parse::<i64>().map_err(|_| not_found(lang))?;
    let raw = f.get("score").map(|s| s.trim()).unwrap_or("");
    let Ok(value) = raw.parse::<f64>() else {
        let msg = if lang.is_en() {
            "score: enter a number".to_string()
        } else {
            "评分：请填写数字".to_string()
        };
        return detail(&st, &ctx, id, BTreeMap::new(), vec![msg]).await;
    };
    let comment = f.get("comment").map(String::as_str);
    match st.svc.score_case(&ctx.actor, id, value, comment).await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}#experts")).into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            let (map, mut general) = field_errors(&e, lang.is_en());
            general.extend(map.values().cloned());
            detail(&st, &ctx, id, BTreeMap::new(), general).await
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

/// A pilot level's name (省级 / Provincial …).
pub fn pilot_level_label(code: &str, en: bool) -> &'static str {
    gongjiang_domain::PilotLevel::from_any(code)
        .map(|l| if en { l.label_en() } else { l.label_zh() })
        .unwrap_or("")
}
