//! The import/export page: upload → validation report → progress → result with the
//! rejected rows; template downloads; exports of exactly the caller's scope.
use super::{render, Layout};
use crate::api::io::{read_upload, xlsx_response, KINDS};
use crate::auth::{OrgReader, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::T;
use crate::jobs::Job;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
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
    let role = ctx.role();
    let kinds = KINDS.iter().map(|k| (*k, kind_label(k, t.en()))).collect();
    render(
        &ImportsPage {
            l,
            kinds,
            can_import: role.may_edit_orgs() || role == gongjiang_domain::Role::Unit,
            error: None,
        },
        ctx.lang,
    )
}

async fn upload(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    m: Multipart,
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
        .await
        .map_err(|e| UiError(AppError::Store(e), lang))?;
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "import_job.html")]
struct JobPage {
    l: Layout,
    job: Job,
    kind_label: String,
}

#[derive(Template)]
#[template(path = "import_status.html")]
struct JobStatus {
    t: T,
    job: Job,
    has_rejected: bool,
}

async fn job_of(st: &AppState, ctx: &crate::auth::Ctx, id: &str) -> Result<Job, UiError> {
    st.jobs
        .get(
            &st.svc,
            id,
            ctx.user.id,
            ctx.role().may_manage_users(),
            ctx.lang.is_en(),
        )
        .await
        .map_err(|e| UiError(AppError::Store(e), ctx.lang))?
        .ok_or(UiError(AppError::Store(StoreError::NotFound), ctx.lang))
}

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
            (job.file_name.clone(), String::new()),
        ],
    );
    let kind_label = kind_label(&job.kind, t.en());
    render(&JobPage { l, job, kind_label }, ctx.lang)
}

async fn job_status(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let job = job_of(&st, &ctx, &id).await?;
    let has_rejected = job.has_rejected;
    render(
        &JobStatus {
            t: T(ctx.lang),
            job,
            has_rejected,
        },
        ctx.lang,
    )
}

async fn rejected(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let (job, bytes) = st
        .jobs
        .rejected(&st.svc, &id, ctx.user.id, ctx.role().may_manage_users())
        .await
        .map_err(|e| UiError(AppError::Store(e), ctx.lang))?
        .ok_or(UiError(AppError::Store(StoreError::NotFound), ctx.lang))?;
    Ok(xlsx_response(bytes, &format!("{}-rejected.xlsx", job.kind)))
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
                        "export_failed",
                        other.message(false),
                        other.message(true),
                    ),
                },
                lang,
            )
        })?;
    Ok(xlsx_response(bytes, &name))
}
