//! The import/export page: upload → validation report → progress → result with the
//! rejected rows; template downloads; exports of exactly the caller's scope.
use super::{render, Layout};
use crate::api::io::{read_upload, xlsx_response, KINDS};
use crate::auth::{OrgReader, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::T;
use crate::jobs::Job;
use crate::upload::UiMultipart;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use gongjiang_domain::Code;
use gongjiang_storage::access::Permission;
use gongjiang_storage::StoreError;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/imports",
            get(page)
                .post(upload)
                .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .route("/imports/history", get(history))
        .route("/imports/template/{kind}", get(template))
        .route("/imports/export/{kind}", get(export))
        .route("/imports/{id}", get(job_page))
        .route("/imports/{id}/status", get(job_status))
        .route("/imports/{id}/rejected.xlsx", get(rejected))
}

pub fn kind_label(kind: &str, en: bool) -> String {
    gongjiang_io::spec(kind)
        .map(|s| {
            if en {
                s.title_en.to_string()
            } else {
                s.title_zh.to_string()
            }
        })
        .unwrap_or_else(|| kind.to_string())
}

/// What a job imports: `单位名录` (the template's title without "导入模板").
pub fn kind_name(kind: &str, en: bool) -> String {
    let label = kind_label(kind, en);
    let short = if en {
        label.trim_end_matches(" import template")
    } else {
        label.trim_end_matches("导入模板")
    };
    short.to_string()
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    l: Layout,
    kinds: Vec<(&'static str, String)>,
    can_import: bool,
    error: Option<String>,
}

async fn page(WebUser(ctx, ..): WebUser<OrgReader>) -> Result<Response, UiError> {
    let t = T(ctx.lang);
    let l = Layout::new(
        &ctx,
        "/imports",
        t.s("nav.imports"),
        vec![
            (t.s("nav.g.data"), String::new()),
            (t.s("nav.imports"), String::new()),
        ],
    );
    let kinds = KINDS.iter().map(|k| (*k, kind_label(k, t.en()))).collect();
    render(
        &ImportsPage {
            l,
            kinds,
            can_import: ctx.may(Permission::ImportFile { reports_only: true }),
            error: None,
        },
        ctx.lang,
    )
}

async fn upload(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    UiMultipart(m): UiMultipart,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    // A place among the running imports is taken before the body is read; without one
    // the upload is refused (429) once the form's CSRF token has been checked.
    let slot = st.jobs.try_slot();
    let up = match read_upload(m).await {
        Ok(u) => u,
        Err(e) => {
            let t = T(lang);
            let (_, msg, _) = e.parts(lang);
            let l = Layout::new(
                &ctx,
                "/imports",
                t.s("nav.imports"),
                vec![(t.s("nav.imports"), String::new())],
            );
            let kinds = KINDS.iter().map(|k| (*k, kind_label(k, t.en()))).collect();
            let mut r = render(
                &ImportsPage {
                    l,
                    kinds,
                    can_import: true,
                    error: Some(msg),
                },
                lang,
            )?;
            *r.status_mut() = e.status();
            return Ok(r);
        }
    };
    if up.csrf != ctx.csrf {
        return Err(UiError(AppError::Csrf, lang));
    }
    let Some(slot) = slot else {
        let t = T(lang);
        let (zh, en) = crate::jobs::Jobs::busy_message();
        let l = Layout::new(
            &ctx,
            "/imports",
            t.s("nav.imports"),
            vec![(t.s("nav.imports"), String::new())],
        );
        let kinds = KINDS.iter().map(|k| (*k, kind_label(k, t.en()))).collect();
        let mut r = render(
            &ImportsPage {
                l,
                kinds,
                can_import: true,
                error: Some(if t.en() { en } else { zh }),
            },
            lang,
        )?;
        *r.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
        return Ok(r);
    };
    let id = st
        .jobs
        .start(&st, ctx.actor.clone(), up, lang.is_en(), slot)
        .await?;
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}

/// One problem as the result table shows it: the column named as in the template.
pub struct ProblemRow {
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// What the result of a job says, computed once for the page and the polled fragment.
pub struct ResultView {
    /// Rows rejected (not written; or, when nothing was written, invalid).
    pub rejected: i64,
    /// The sentence on top: what was and what was not written.
    pub verdict: String,
    /// alert-success, alert-warning or alert-error.
    pub verdict_class: &'static str,
    pub problems: Vec<ProblemRow>,
}

/// The template's name of a field: `统一社会信用代码` for `uscc` (the key itself when the
/// template of the job's kind has no such column).
pub fn column_label(kind: &str, field: Option<&str>) -> String {
    let Some(field) = field.filter(|f| !f.is_empty()) else {
        return String::new();
    };
    gongjiang_io::spec(kind)
        .and_then(|s| s.column(field))
        .map(|c| c.header.to_string())
        .unwrap_or_else(|| field.to_string())
}

fn fill(template: String, pairs: &[(&str, i64)]) -> String {
    pairs.iter().fold(template, |acc, (k, v)| {
        acc.replace(&format!("{{{k}}}"), &crate::i18n::group(*v))
    })
}

pub fn result_view(job: &Job, t: T) -> ResultView {
    let Some(o) = &job.outcome else {
        return ResultView {
            rejected: 0,
            verdict: String::new(),
            verdict_class: "alert-warning",
            problems: Vec::new(),
        };
    };
    let rejected = o.total.saturating_sub(o.valid) as i64;
    let n = |v: usize| v as i64;
    let (verdict, verdict_class) = if o.written {
        let counts = [
            ("valid", n(o.valid)),
            ("created", n(o.created)),
            ("updated", n(o.updated)),
            ("unchanged", n(o.unchanged)),
            ("rejected", rejected),
        ];
        if rejected > 0 || !o.problems.is_empty() {
            (
                fill(t.s("imports.written_partly"), &counts),
                "alert-warning",
            )
        } else {
            (fill(t.s("imports.written_all"), &counts), "alert-success")
        }
    } else if o.problems.is_empty() {
        (
            fill(
                t.s("imports.dry_done_counts"),
                &[
                    ("valid", n(o.valid)),
                    ("would_create", n(o.would_create)),
                    ("would_update", n(o.would_update)),
                ],
            ),
            "alert-info",
        )
    } else {
        (
            fill(
                t.s("imports.nothing_written_counts"),
                &[("rejected", rejected), ("valid", n(o.valid))],
            ),
            "alert-error",
        )
    };
    let problems = o
        .problems
        .iter()
        .map(|p| ProblemRow {
            row: p.row,
            column: column_label(&job.kind, p.field.as_deref()),
            message: if t.en() {
                p.message_en.clone()
            } else {
                p.message_zh.clone()
            },
        })
        .collect();
    ResultView {
        rejected,
        verdict,
        verdict_class,
        problems,
    }
}

#[derive(Template)]
#[template(path = "import_job.html")]
struct JobPage {
    l: Layout,
    t: T,
    job: Job,
    v: ResultView,
    kind_label: String,
}

#[derive(Template)]
#[template(path = "import_status.html")]
struct JobStatus {
    t: T,
    job: Job,
    v: ResultView,
}

async fn job_of(st: &AppState, ctx: &crate::auth::Ctx, id: &str) -> Result<Job, UiError> {
    st.jobs
        .get(&st.svc, id, &ctx.actor, ctx.lang.is_en())
        .await?
        .ok_or(UiError(AppError::Store(StoreError::NotFound), ctx.lang))
}

/// The job's page: the result itself once the job is done (whenever the page is
/// opened), or the progress, which polls the status fragment until the result replaces it.
async fn job_page(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let t = T(ctx.lang);
    let job = job_of(&st, &ctx, &id).await?;
    let l = Layout::new(
        &ctx,
        "/imports",
        job.file_name.clone(),
        vec![
            (t.s("nav.imports"), "/imports".into()),
            (t.s("imports.history"), "/imports/history".into()),
            (job.file_name.clone(), String::new()),
        ],
    );
    let kind_label = kind_name(&job.kind, t.en());
    let v = result_view(&job, t);
    render(
        &JobPage {
            l,
            t,
            job,
            v,
            kind_label,
        },
        ctx.lang,
    )
}

async fn job_status(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let t = T(ctx.lang);
    let job = job_of(&st, &ctx, &id).await?;
    let v = result_view(&job, t);
    render(&JobStatus { t, job, v }, ctx.lang)
}

async fn rejected(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let (job, bytes) = st
        .jobs
        .rejected(&st.svc, &id, &ctx.actor)
        .await?
        .ok_or(UiError(AppError::Store(StoreError::NotFound), ctx.lang))?;
    Ok(xlsx_response(bytes, &format!("{}-rejected.xlsx", job.kind)))
}

/// One line of the import history.
struct HistoryRow {
    id: String,
    kind: String,
    file_name: String,
    who: String,
    when: String,
    status: String,
    status_class: &'static str,
    total: String,
    counts: String,
    rejected: String,
}

#[derive(Template)]
#[template(path = "imports_history.html")]
struct HistoryPage {
    l: Layout,
    rows: Vec<HistoryRow>,
    total: i64,
    page: i64,
    pages: i64,
    prev: String,
    next: String,
    wide: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HistoryQuery {
    page: String,
}

fn history_row(j: gongjiang_storage::jobs::ImportJobSummary, t: T) -> HistoryRow {
    let (status, status_class) = match (j.status.as_str(), j.interrupted, &j.counts) {
        ("running", ..) => (t.s("imports.st_running"), "badge-blue"),
        ("failed", true, _) => (t.s("imports.st_interrupted"), "badge-red"),
        ("failed", ..) => (t.s("imports.st_failed"), "badge-red"),
        (_, _, Some(c)) if c.written && c.rejected() > 0 => {
            (t.s("imports.st_written_partly"), "badge-orange")
        }
        (_, _, Some(c)) if c.written => (t.s("imports.st_written"), "badge-green"),
        (_, true, _) => (t.s("imports.st_written"), "badge-orange"),
        _ => (t.s("imports.st_not_written"), "badge-gray"),
    };
    let g = |v: usize| crate::i18n::group(v as i64);
    let (total, counts, rejected) = match &j.counts {
        Some(c) if c.written => (
            g(c.total),
            format!(
                "{} {} · {} {} · {} {}",
                t.s("imports.created"),
                g(c.created),
                t.s("imports.updated"),
                g(c.updated),
                t.s("imports.unchanged"),
                g(c.unchanged)
            ),
            g(c.rejected()),
        ),
        Some(c) => (
            g(c.total),
            format!(
                "{} {} · {} {}",
                t.s("imports.would_create_short"),
                g(c.would_create),
                t.s("imports.would_update_short"),
                g(c.would_update)
            ),
            g(c.rejected()),
        ),
        None => ("—".into(), "—".into(), "—".into()),
    };
    let who = match (j.owner_name, j.owner_username) {
        (Some(n), Some(u)) if n != u => format!("{n}({u})"),
        (Some(n), _) => n,
        (None, Some(u)) => u,
        (None, None) => "—".into(),
    };
    HistoryRow {
        id: j.token,
        kind: kind_name(&j.kind, t.en()),
        file_name: j.file_name,
        who,
        when: t.datetime(&j.created_at),
        status,
        status_class,
        total,
        counts,
        rejected,
    }
}

/// The import history: the user's own imports and, for region staff, those of every
/// account in their area; newest first.
async fn history(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<HistoryQuery>,
) -> Result<Response, UiError> {
    let t = T(ctx.lang);
    let page = q.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let p = st.svc.import_history(&ctx.actor, page, 20).await?;
    let l = Layout::new(
        &ctx,
        "/imports",
        t.s("imports.history"),
        vec![
            (t.s("nav.imports"), "/imports".into()),
            (t.s("imports.history"), String::new()),
        ],
    );
    let pages = p.pages();
    let link = |n: i64| format!("/imports/history?page={n}");
    let wide = gongjiang_storage::access::import_history_scope(&ctx.actor).is_some();
    render(
        &HistoryPage {
            l,
            total: p.total,
            page: p.page,
            pages,
            prev: link(p.page - 1),
            next: link(p.page + 1),
            rows: p.items.into_iter().map(|j| history_row(j, t)).collect(),
            wide,
        },
        ctx.lang,
    )
}

async fn template(
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(kind): Path<String>,
) -> Result<Response, UiError> {
    let spec = gongjiang_io::spec(&kind)
        .ok_or(UiError(AppError::Store(StoreError::NotFound), ctx.lang))?;
    let bytes = gongjiang_io::template(spec)
        .map_err(|e| UiError(AppError::Store(StoreError::Other(e.to_string())), ctx.lang))?;
    Ok(xlsx_response(bytes, &format!("{kind}-template.xlsx")))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExportQuery {
    org: String,
    period: String,
    format: String,
}

async fn export(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(kind): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let ext = if q.format == "csv" { "csv" } else { "xlsx" };
    let name = format!("{kind}.{ext}");
    let org = Some(q.org.trim()).filter(|s| !s.is_empty());
    let period = Some(q.period.trim()).filter(|s| !s.is_empty());
    let bytes = gongjiang_io::run::export_file(&st.svc, &ctx.actor, &kind, org, period, &name)
        .await
        .map_err(|e| {
            UiError(
                match e {
                    gongjiang_io::run::ImportError::Store(s) => AppError::Store(s),
                    gongjiang_io::run::ImportError::UnknownKind(_) => {
                        AppError::Store(StoreError::NotFound)
                    }
                    other => AppError::bad_request(
                        Code::ExportFailed,
                        other.message(false),
                        other.message(true),
                    ),
                },
                lang,
            )
        })?;
    Ok(xlsx_response(bytes, &name))
}
