//! The task page (progress reports, 督办, done) and the actions posted from it.
use super::int;
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::error::UiError;
use crate::i18n::T;
use crate::ui::lists::id_of;
use crate::ui::Errors;
use crate::ui::{render, Layout, Refusal};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongjiang_storage::tasks::{CancelInput, Progress, ProgressInput, Task};
use gongjiang_storage::StoreError;
use std::collections::BTreeMap;

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
    e: Errors,
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
}

pub(super) async fn show(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    detail(&st, &ctx, id, BTreeMap::new(), Errors::default()).await
}

async fn detail(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    v: BTreeMap<String, String>,
    e: Errors,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let (task, progress, may_report, may_close, may_edit) =
        st.svc.get_task(&ctx.actor, id, lang.is_en()).await?;
    let completion = st.svc.task_completion_case(id).await?;
    let open_case = completion
        .as_ref()
        .is_some_and(|(_, s)| matches!(s.as_str(), "in_review" | "notice"));
    let may_request_done = ctx.may(gongjiang_storage::access::Permission::CompleteTask {
        owner: task.owner_org_id,
    }) && task.done_at.is_none()
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
    let status = if !e.any() {
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
            e,
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
    Refusal::or_error(e, ctx.lang)?
        .show(|r| async move { detail(st, ctx, id, f, Errors::of(r)).await })
        .await
}

pub(super) async fn cancel(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let input = CancelInput {
        reason: f.get("cancel_reason").cloned().unwrap_or_default(),
        version: f.get("_version").and_then(|v| int(v)),
    };
    match st.svc.cancel_task(&ctx.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}")).into_response()),
        Err(e) => refused(&st, &ctx, id, f, e.on("cancel_reason")).await,
    }
}

pub(super) async fn progress(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    for k in ["percent", "value"] {
        if !g(k).trim().is_empty() && int(&g(k)).is_none() {
            let e = Errors::field(k, T(ctx.lang).s("tasks.need_integer"));
            return detail(&st, &ctx, id, f, e).await;
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

pub(super) async fn done(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let version = f.get("_version").and_then(|v| int(v));
    match st.svc.complete_task(&ctx.actor, id, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}")).into_response()),
        Err(e) => refused(&st, &ctx, id, BTreeMap::new(), e).await,
    }
}

pub(super) async fn supervise(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let note = f.get("supervise_note").cloned().unwrap_or_default();
    match st.svc.supervise_task(&ctx.actor, id, &note).await {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}")).into_response()),
        Err(e) => refused(&st, &ctx, id, f, e.on("supervise_note")).await,
    }
}

/// The owner unit reports the task completed (销号): `summary`, optional `achieved`.
pub(super) async fn request_completion(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let input = gongjiang_storage::task_completion::CompletionInput {
        summary: f.get("summary").cloned().unwrap_or_default(),
        achieved: f.get("achieved").cloned(),
    };
    match st.svc.request_task_completion(&ctx.actor, id, &input).await {
        Ok(c) => Ok(Redirect::to(&format!("/cases/{}", c.id)).into_response()),
        Err(e) => refused(&st, &ctx, id, f, e).await,
    }
}
