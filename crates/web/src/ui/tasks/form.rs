//! The task form: a new task and the correction of an existing one.
use super::int;
use crate::api::tasks::current_year;
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::T;
use crate::ui::lists::id_of;
use crate::ui::Errors;
use crate::ui::{render, save_or_show, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use gongjiang_storage::tasks::{Task, TaskEdit, TaskInput};
use gongjiang_storage::StoreError;
use std::collections::BTreeMap;

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
    e: Errors,
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
}

fn form_page(
    ctx: &Ctx,
    target: Target,
    v: BTreeMap<String, String>,
    e: Errors,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    if gongjiang_storage::access::office_level(&ctx.actor).is_none() {
        return Err(UiError(AppError::Store(StoreError::Forbidden), lang));
    }
    let status = if !e.any() {
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
            e,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

pub(super) async fn new(WebUser(ctx, ..): WebUser<OrgReader>) -> Result<Response, UiError> {
    let mut v = BTreeMap::new();
    v.insert("year".to_string(), current_year().to_string());
    v.insert(
        "region".to_string(),
        ctx.user.region_code.clone().unwrap_or_default(),
    );
    form_page(&ctx, Target::New, v, Errors::default())
}

pub(super) async fn create(
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
    if !g("target_value").trim().is_empty() && input.target_value.is_none() {
        let e = Errors::field("target_value", T(lang).s("tasks.need_integer"));
        return form_page(&ctx, Target::New, f, e);
    }
    save_or_show(
        lang,
        st.svc.create_task(&ctx.actor, &input).await,
        |t| format!("/tasks/{}", t.id),
        |r| async move { form_page(&ctx, Target::New, f, Errors::of(r)) },
    )
    .await
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

pub(super) async fn edit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let (task, _, _, _, may_edit) = st.svc.get_task(&ctx.actor, id, lang.is_en()).await?;
    if !may_edit {
        return Err(UiError(AppError::Store(StoreError::Forbidden), lang));
    }
    let v = task_values(&task);
    form_page(
        &ctx,
        Target::Edit(id, task.title, task.version, task.owner_name),
        v,
        Errors::default(),
    )
}

pub(super) async fn save_edit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let (task, ..) = st.svc.get_task(&ctx.actor, id, lang.is_en()).await?;
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
        return form_page(
            &ctx,
            target(),
            f.clone(),
            Errors::field("target_value", T(lang).s("tasks.need_integer")),
        );
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
    let shown = target();
    save_or_show(
        lang,
        st.svc.update_task(&ctx.actor, id, &input).await,
        |_| format!("/tasks/{id}"),
        |r| async move { form_page(&ctx, shown, f, Errors::of(r)) },
    )
    .await
}
