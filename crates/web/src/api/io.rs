//! API for imports (background jobs with progress), exports and templates.
use super::extract::{ApiMultipart, ApiQuery};
use super::ErrorBody;
use crate::auth::{ApiUser, OrgReader};
use crate::error::{ApiError, AppError};
use crate::jobs::Job;
use crate::AppState;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use gongjiang_domain::Code;
use gongjiang_storage::access::Permission;
use gongjiang_storage::import::Options;
use gongjiang_storage::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub const KINDS: &[&str] = &[
    "orgs",
    "pilots",
    "reports",
    "designations",
    "workers",
    "classes",
    "contests",
    "contest_results",
    "innovations",
];

/// The parts of an upload form.
pub struct Upload {
    pub kind: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub opts: Options,
    /// Reports only: rows without a period take this one; rows of another are rejected
    /// (the CLI's `--period`).
    pub period: Option<String>,
    pub csrf: String,
}

pub async fn read_upload(mut m: Multipart) -> Result<Upload, AppError> {
    let mut up = Upload {
        kind: String::new(),
        file_name: String::new(),
        bytes: Vec::new(),
        opts: Options::default(),
        period: None,
        csrf: String::new(),
    };
    let bad = |e: String| {
        AppError::bad_request(
            Code::BadUpload,
            format!("上传内容有误：{e}"),
            format!("bad upload: {e}"),
        )
    };
    while let Some(field) = m.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            bad(e.body_text())
        }
    })? {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" => {
                up.file_name = field.file_name().unwrap_or("upload").to_string();
                up.bytes = field
                    .bytes()
                    .await
                    .map_err(|e| {
                        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                            AppError::PayloadTooLarge
                        } else {
                            bad(e.body_text())
                        }
                    })?
                    .to_vec();
            }
            other => {
                let v = field.text().await.map_err(|e| bad(e.body_text()))?;
                match other {
                    "kind" => up.kind = v.trim().to_string(),
                    "dry_run" => up.opts.dry_run = matches!(v.as_str(), "1" | "true" | "on"),
                    "skip_invalid" => {
                        up.opts.skip_invalid = matches!(v.as_str(), "1" | "true" | "on")
                    }
                    "period" => up.period = Some(v.trim().to_string()).filter(|p| !p.is_empty()),
                    "_csrf" => up.csrf = v,
                    _ => {}
                }
            }
        }
    }
    if !KINDS.contains(&up.kind.as_str()) {
        return Err(AppError::invalid(gongjiang_domain::FieldError::new(
            "kind",
            gongjiang_domain::Rule::UnknownValue,
            format!("导入类型应为：{}", KINDS.join("、")),
            format!("kind must be one of {}", KINDS.join(", ")),
        )));
    }
    if up.bytes.is_empty() {
        return Err(AppError::invalid(gongjiang_domain::FieldError::new(
            "file",
            gongjiang_domain::Rule::Required,
            "请选择要上传的文件",
            "choose a file to upload",
        )));
    }
    Ok(up)
}

#[derive(Serialize, ToSchema)]
pub struct Started {
    id: String,
}

/// The 429 answered when this server already runs as many imports as it may.
pub fn busy(lang: crate::i18n::Lang) -> Response {
    let (zh, en) = crate::jobs::Jobs::busy_message();
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, "30")],
        Json(serde_json::json!({"error": {
            "code": "too_many_imports",
            "message": if lang.is_en() { en } else { zh },
        }})),
    )
        .into_response()
}

/// Starts an import (multipart: `kind`, `file`, optional `dry_run`, `skip_invalid`, and
/// for reports `period`: rows without a period take it, rows of another are rejected).
/// Poll `GET /api/v1/imports/{id}`. A server runs a few imports at a time; beyond that
/// it answers 429 `too_many_imports` (try again later).
#[utoipa::path(post, path = "/api/v1/imports", tag = "imports", request_body(content = super::extract::ImportUpload, content_type = "multipart/form-data"),
    responses((status = 202, body = Started), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn start(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiMultipart(m): ApiMultipart,
) -> Result<Response, ApiError> {
    let lang = ctx.lang;
    if !ctx.may(Permission::ImportFile { reports_only: true }) {
        return Err(ApiError(AppError::Store(StoreError::Forbidden), lang));
    }
    // Before the body is read: a refused upload costs no memory.
    let Some(slot) = st.jobs.try_slot() else {
        return Ok(busy(lang));
    };
    let up = read_upload(m).await?;
    let id = st
        .jobs
        .start(&st, ctx.actor.clone(), up, lang.is_en(), slot)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(Started { id })).into_response())
}

/// Status, progress and per-row problems of an import (any server on the database
/// answers for any job; the problems listed are the first 1,000, see `problems_total`).
/// The caller's own jobs, and for region staff those of the accounts in their area (see
/// `GET /api/v1/imports`); any other answers 404.
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports", params(("id" = String, Path)), responses((status = 200, body = Job), (status = 404, body = ErrorBody)))]
pub async fn status(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Job>, ApiError> {
    st.jobs
        .get(&st.svc, &id, &ctx.actor, ctx.lang.is_en())
        .await?
        .map(Json)
        .ok_or(ApiError(AppError::Store(StoreError::NotFound), ctx.lang))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct HistoryQuery {
    /// 1-based.
    pub page: Option<i64>,
    /// 20 by default, at most 200.
    pub per_page: Option<i64>,
}

/// One import of the history (its problems are on `GET /api/v1/imports/{id}`).
#[derive(Serialize, ToSchema)]
pub struct JobSummary {
    /// The job's id (`GET /api/v1/imports/{id}`).
    pub id: String,
    pub kind: String,
    pub file_name: String,
    /// The account that uploaded the file (user name and display name).
    pub owner: Option<String>,
    pub owner_name: Option<String>,
    /// running, done or failed.
    pub status: String,
    pub progress: f64,
    /// The counts, once the job is done.
    pub counts: Option<gongjiang_storage::jobs::OutcomeCounts>,
    /// Rows rejected (`total - valid`), once the job is done.
    pub rejected: Option<usize>,
    pub problems_total: i64,
    pub has_rejected: bool,
    pub interrupted: bool,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

impl From<gongjiang_storage::jobs::ImportJobSummary> for JobSummary {
    fn from(j: gongjiang_storage::jobs::ImportJobSummary) -> Self {
        JobSummary {
            id: j.token,
            kind: j.kind,
            file_name: j.file_name,
            owner: j.owner_username,
            owner_name: j.owner_name,
            status: j.status,
            progress: j.progress,
            rejected: j.counts.as_ref().map(|c| c.rejected()),
            counts: j.counts,
            problems_total: j.problems_total,
            has_rejected: j.has_rejected,
            interrupted: j.interrupted,
            created_at: j.created_at,
            finished_at: j.finished_at,
        }
    }
}

pub type JobSummaryPage = gongjiang_storage::Page<JobSummary>;

/// The import history, newest first: the caller's own imports and, for region staff
/// (city, district, town), those of every account in their area (the city and the
/// platform operator: everyone's).
#[utoipa::path(get, path = "/api/v1/imports", tag = "imports", params(HistoryQuery), responses((status = 200, body = JobSummaryPage)))]
pub async fn history(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Result<Json<JobSummaryPage>, ApiError> {
    let p = st
        .svc
        .import_history(&ctx.actor, q.page.unwrap_or(1), q.per_page.unwrap_or(20))
        .await?;
    Ok(Json(p.map(JobSummary::from)))
}

pub fn xlsx_response(bytes: Vec<u8>, name: &str) -> Response {
    let ct = if name.ends_with(".csv") {
        "text/csv; charset=utf-8"
    } else {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    };
    (
        [
            (header::CONTENT_TYPE, ct.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The rejected rows of an import, with a reason column (every problem).
#[utoipa::path(get, path = "/api/v1/imports/{id}/rejected", tag = "imports", params(("id" = String, Path)), responses((status = 200, description = "an .xlsx workbook"), (status = 404, body = ErrorBody)))]
pub async fn rejected(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (job, bytes) = st
        .jobs
        .rejected(&st.svc, &id, &ctx.actor)
        .await?
        .ok_or(ApiError(AppError::Store(StoreError::NotFound), ctx.lang))?;
    Ok(xlsx_response(bytes, &format!("{}-rejected.xlsx", job.kind)))
}

/// The empty import template of a kind (.xlsx with notes and drop-down lists).
#[utoipa::path(get, path = "/api/v1/templates/{kind}", tag = "imports", params(("kind" = String, Path)), security(()), responses((status = 200, description = "an .xlsx workbook"), (status = 404, body = ErrorBody)))]
pub async fn template(
    Path(kind): Path<String>,
    lang: crate::i18n::Lang,
) -> Result<Response, ApiError> {
    let kind = kind.trim_end_matches(".xlsx").to_string();
    let spec =
        gongjiang_io::spec(&kind).ok_or(ApiError(AppError::Store(StoreError::NotFound), lang))?;
    let bytes = gongjiang_io::template(spec)
        .map_err(|e| ApiError(AppError::Store(StoreError::Other(e.to_string())), lang))?;
    Ok(xlsx_response(bytes, &format!("{kind}-template.xlsx")))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ExportQuery {
    /// A region code, 统一社会信用代码 or org id: that subtree only.
    pub org: Option<String>,
    /// Reports of this period only.
    pub period: Option<String>,
    /// xlsx (default) or csv.
    pub format: Option<String>,
}

/// Exports a kind in the import template's columns (re-imports to the same state).
#[utoipa::path(get, path = "/api/v1/exports/{kind}", tag = "imports", params(("kind" = String, Path), ExportQuery), responses((status = 200, description = "an .xlsx or .csv file"), (status = 404, body = ErrorBody)))]
pub async fn export(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    Path(kind): Path<String>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let lang = ctx.lang;
    let ext = if q.format.as_deref() == Some("csv") {
        "csv"
    } else {
        "xlsx"
    };
    let name = format!("{kind}.{ext}");
    let org = q.org.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let period = q.period.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let bytes = gongjiang_io::run::export_file(&st.svc, &ctx.actor, &kind, org, period, &name)
        .await
        .map_err(|e| {
            let err = match e {
                gongjiang_io::run::ImportError::Store(s) => AppError::Store(s),
                gongjiang_io::run::ImportError::UnknownKind(_) => {
                    AppError::Store(StoreError::NotFound)
                }
                other => AppError::bad_request(
                    Code::ExportFailed,
                    other.message(false),
                    other.message(true),
                ),
            };
            ApiError(err, lang)
        })?;
    Ok(xlsx_response(bytes, &name))
}
