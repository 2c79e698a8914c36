//! The case list, the inbox, bulk decisions with their progress, and notifications.
use super::form::{startable, started_elsewhere};
use crate::api::cases::CaseQuery;
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::error::UiError;
use crate::i18n::T;
use crate::ui::{render, Layout, Refusal};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongjiang_domain::workflow::{Status, PROCESSES};
use gongjiang_storage::access::Permission;
use gongjiang_storage::workflow::{BulkJob, Case};
use gongjiang_storage::Page;
use serde::Deserialize;

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
pub(super) struct ListQuery {
    process: String,
    status: String,
    q: String,
    page: String,
}

pub(super) async fn list(
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
    let page = st.svc.list_cases(&ctx.actor, &f, en).await?;
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
            startable: startable(&ctx)
                .into_iter()
                .map(|p| (p.code, p.name(en)))
                .collect(),
            elsewhere: started_elsewhere(&ctx.actor, en, t),
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
#[template(path = "inbox.html")]
struct InboxPage {
    l: Layout,
    cases: Vec<Case>,
    reviewer: bool,
    error: String,
}

pub(super) async fn inbox(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
) -> Result<Response, UiError> {
    inbox_page(&st, &ctx, String::new()).await
}

async fn inbox_page(st: &AppState, ctx: &Ctx, error: String) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let cases = st.svc.inbox(&ctx.actor, lang.is_en()).await?;
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
            reviewer: ctx.may(Permission::Coordinate),
            error,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

/// Bulk action from the inbox: repeated `id` fields, `_action`, `comment`.
pub(super) async fn bulk(
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
        Err(e) => {
            let messages = Refusal::or_error(e, lang)?.messages();
            inbox_page(&st, &ctx, messages.join(";")).await
        }
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

pub(super) async fn bulk_progress(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let job = st.svc.bulk_job(&ctx.actor, &id).await?;
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

pub(super) async fn notifications(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let items = st.svc.notifications(&ctx.actor).await?;
    let l = Layout::new(
        &ctx,
        "/notifications",
        t.s("nav.notifications"),
        vec![(t.s("nav.notifications"), String::new())],
    );
    render(&NotificationsPage { l, items }, lang)
}

#[derive(Deserialize, Default)]
pub(super) struct Empty {}

pub(super) async fn read_all(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    st.svc.mark_notifications_read(&ctx.actor).await?;
    Ok(Redirect::to("/notifications").into_response())
}
